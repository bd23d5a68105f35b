/* ConfigMaps and Secrets on the store; see handlers_config.h. The REST
 * verbs are kindtable.c's; this file holds what only these kinds have. */
#include "apiserver/handlers_config.h"

#include <stdbool.h>
#include <string.h>

#include "api/configobj.h"
#include "api/configproto.h"
#include "api/fielderr.h"
#include "apiserver/kindtable.h"
#include "apiserver/router.h"
#include "apiserver/server.h"
#include "apiserver/status.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

static int decode_proto(const struct kj_http_req *req, const struct kj_kt_kind *k, cJSON **out,
                        kj_error_t *err);
static int check(cJSON *obj, const cJSON *cur, const struct kj_kt_kind *k, struct kj_http_resp *resp);
static int merge(struct kj_http_req *req, const struct kj_kt_kind *k, const cJSON *cur,
                 const cJSON *next, cJSON *out, struct kj_http_resp *resp);

/* Both kinds ignore DeleteOptions and log their updates, as they always
 * have; neither has a status. */
static const struct kj_kt_kind CM = {
    .resource = "configmaps", .group = "", .api_version = "v1",
    .kind = "ConfigMap", .list_kind = "ConfigMapList", .log_updates = true,
    .delete_options = true,
    .decode = decode_proto, .check = check, .merge = merge,
};
static const struct kj_kt_kind SECRET = {
    .resource = "secrets", .group = "", .api_version = "v1",
    .kind = "Secret", .list_kind = "SecretList", .log_updates = true,
    .delete_options = true,
    .decode = decode_proto, .check = check, .merge = merge,
};

/* The fields a write may set besides metadata; the rest is dropped. */
static const char *const content_keys[] = {"data", "binaryData", "type", "immutable"};

static cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* kubectl's typed clients (`create configmap`, `create secret`) send
 * protobuf. */
static int decode_proto(const struct kj_http_req *req, const struct kj_kt_kind *k, cJSON **out,
                        kj_error_t *err)
{
    if (!kj_proto_content_type(req->content_type))
        return 1;
    const char *why = NULL;
    *out = kj_proto_config_decode((const unsigned char *)req->body, req->body_len, k == &SECRET, &why);
    if (*out == NULL)
        return kj_make_http_error(err, 400, "%s", why);
    return 0;
}

/* api/configobj.h's check, which also normalises obj in place. */
static int check(cJSON *obj, const cJSON *cur, const struct kj_kt_kind *k, struct kj_http_resp *resp)
{
    (void)cur;
    struct kj_config_problem p;
    if (kj_config_object_check(obj, k == &SECRET, &p) == 0)
        return 0;
    const char *name = cJSON_GetStringValue(get(get(obj, "metadata"), "name"));
    cleanup_free char *msg = xasprintf("%s \"%s\" is invalid: %s: %s", k->kind, name ? name : "",
                                       p.field, p.detail);
    kj_config_problem_clear(&p);
    kj_http_resp_json(resp, 422, kj_status_failure(422, "Invalid", msg, name, "", k->resource));
    return 1;
}

/* cJSON_Compare calls two absent items different. */
static bool same(const cJSON *a, const cJSON *b)
{
    return (a == NULL && b == NULL) || cJSON_Compare(a, b, 1);
}

/* The content fields come from next. An immutable object keeps its data
 * and stays immutable (its metadata may change), with kube-apiserver's
 * errors in its order. */
static int merge(struct kj_http_req *req, const struct kj_kt_kind *k, const cJSON *cur,
                 const cJSON *next, cJSON *out, struct kj_http_resp *resp)
{
    if (cJSON_IsTrue(get(cur, "immutable"))) {
        static const char why[] = "field is immutable when `immutable` is set";
        struct kj_field_errors errs;
        kj_field_errors_init(&errs);
        if (!cJSON_IsTrue(get(next, "immutable")))
            kj_fe_forbidden(&errs, "immutable", why);
        if (!same(get(cur, "data"), get(next, "data")))
            kj_fe_forbidden(&errs, "data", why);
        if (!same(get(cur, "binaryData"), get(next, "binaryData")))
            kj_fe_forbidden(&errs, "binaryData", why);
        if (errs.len > 0) {
            const char *name = kj_route_param(&req->params, "name");
            kj_http_resp_json(resp, 422, kj_field_errors_status(&errs, k->kind, k->group, name));
            kj_field_errors_free(&errs);
            return 1;
        }
        kj_field_errors_free(&errs);
    }
    for (size_t i = 0; i < sizeof content_keys / sizeof content_keys[0]; i++) {
        cJSON_DeleteItemFromObjectCaseSensitive(out, content_keys[i]);
        if (get(next, content_keys[i]) != NULL)
            cJSON_AddItemToObject(out, content_keys[i], cJSON_Duplicate(get(next, content_keys[i]), 1));
    }
    return 0;
}

static const struct kj_route routes[] = {
    KJ_KT_ROUTES("/api/v1/", "configmaps"),
    KJ_KT_ROUTES("/api/v1/", "secrets"),
};

void kj_config_routes_install(struct kj_apiserver *srv)
{
    kj_kt_register(&CM);
    kj_kt_register(&SECRET);
    kj_apiserver_add_routes(srv, routes, sizeof routes / sizeof routes[0]);
}
