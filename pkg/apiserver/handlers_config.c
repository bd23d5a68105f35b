/* ConfigMaps and Secrets on the store; see handlers_config.h. */
#include "apiserver/handlers_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/codec.h"
#include "api/configobj.h"
#include "api/configproto.h"
#include "api/time.h"
#include "api/validate.h"
#include "apiserver/body.h"
#include "apiserver/filter.h"
#include "apiserver/handlers.h"
#include "apiserver/server.h"
#include "apiserver/status.h"
#include "apiserver/watch.h"
#include "kubeapi/patch.h"
#include "store/store.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

struct kind {
    const char *resource, *kind, *list_kind;
    bool secret;
};

static const struct kind CM = {"configmaps", "ConfigMap", "ConfigMapList", false};
static const struct kind SECRET = {"secrets", "Secret", "SecretList", true};

/* The fields a write may set besides metadata; the rest is dropped. */
static const char *const content_keys[] = {"data", "binaryData", "type", "immutable"};

static const struct kind *kind_of(const struct kj_http_req *req)
{
    return strcmp(req->route->resource, "secrets") == 0 ? &SECRET : &CM;
}

static struct kj_store *store_of(struct kj_http_req *req)
{
    return kj_apiserver_deps(req->srv)->store;
}

static cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static void set_str(cJSON *o, const char *key, const char *v)
{
    cJSON_DeleteItemFromObjectCaseSensitive(o, key);
    cJSON_AddStringToObject(o, key, v);
}

static int h_list(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    const struct kind *k = kind_of(req);
    const char *ns = kj_route_param(&req->params, "namespace");
    if (ns != NULL && kj_namespace_check(ns, err) < 0)
        return -1;
    struct kj_list_opts opts;
    if (kj_list_opts_parse(&req->query, &opts, err) < 0)
        return -1;
    if (opts.watch)
        return kj_watch_start(req, resp, k->resource, &opts, err);
    struct kj_filter filter;
    if (kj_filter_from_opts(&opts, &filter, err) < 0) {
        kj_filter_clear(&filter);
        return -1;
    }
    char rv[32];
    snprintf(rv, sizeof rv, "%llu", (unsigned long long)kj_store_current_rv(store_of(req)));
    cJSON *list = kj_list_json_new("v1", k->list_kind, rv);
    kj_assert(list != NULL);
    struct kj_list_ctx lc = {&filter, get(list, "items")};
    kj_store_list(store_of(req), k->resource, ns, kj_list_item_cb, &lc);
    kj_filter_clear(&filter);
    return kj_http_resp_json(resp, 200, list);
}

/* 0 = fine, 1 = resp holds a 422. Normalises obj in place. */
static int check(cJSON *obj, const struct kind *k, struct kj_http_resp *resp)
{
    struct kj_config_problem p;
    if (kj_config_object_check(obj, k->secret, &p) == 0)
        return 0;
    const char *name = cJSON_GetStringValue(get(get(obj, "metadata"), "name"));
    cleanup_free char *msg = xasprintf("%s \"%s\" is invalid: %s: %s", k->kind, name ? name : "",
                                       p.field, p.detail);
    kj_config_problem_clear(&p);
    kj_http_resp_json(resp, 422, kj_status_failure(422, "Invalid", msg, name, "", k->resource));
    return 1;
}

static int decode_body(struct kj_http_req *req, const struct kind *k, cJSON **out, kj_error_t *err)
{
    if (req->body == NULL || req->body_len == 0)
        return kj_make_http_error(err, 400, "the request body is empty");
    if (kj_proto_content_type(req->content_type)) {
        /* kubectl's typed clients (`create configmap`, `create secret`). */
        const char *why = NULL;
        *out = kj_proto_config_decode((const unsigned char *)req->body, req->body_len, k->secret, &why);
        if (*out == NULL)
            return kj_make_http_error(err, 400, "%s", why);
    } else {
        enum kj_body_type bt = kj_body_type_detect(req->content_type, req->body, req->body_len);
        if (kj_body_decode_object(bt, req->body, req->body_len, out, err) < 0)
            return -1;
    }
    const char *kind = cJSON_GetStringValue(get(*out, "kind"));
    const char *av = cJSON_GetStringValue(get(*out, "apiVersion"));
    if ((kind != NULL && strcmp(kind, k->kind) != 0) || (av != NULL && strcmp(av, "v1") != 0)) {
        cJSON_Delete(*out);
        *out = NULL;
        return kj_make_http_error(err, 400,
                                  "the API version in the data (%s) does not match the expected API version (v1) or kind (%s) is not %s",
                                  av ? av : "", kind ? kind : "", k->kind);
    }
    if (!cJSON_IsObject(get(*out, "metadata"))) {
        cJSON_DeleteItemFromObjectCaseSensitive(*out, "metadata");
        cJSON_AddObjectToObject(*out, "metadata");
    }
    set_str(*out, "kind", k->kind);
    set_str(*out, "apiVersion", "v1");
    return 0;
}

static int h_create(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    const struct kind *k = kind_of(req);
    const char *ns = kj_route_param(&req->params, "namespace");
    if (kj_namespace_check(ns, err) < 0)
        return -1;
    cleanup_cjson cJSON *obj = NULL;
    if (decode_body(req, k, &obj, err) < 0)
        return -1;
    cJSON *md = get(obj, "metadata");
    const char *ons = cJSON_GetStringValue(get(md, "namespace"));
    if (ons != NULL && ons[0] != '\0' && strcmp(ons, ns) != 0)
        return kj_make_http_error(err, 400, "the namespace of the provided object does not match the namespace sent on the request");
    const char *gen = cJSON_GetStringValue(get(md, "generateName"));
    if (cJSON_GetStringValue(get(md, "name")) == NULL && gen != NULL) {
        cleanup_free char *n = kj_generate_name(gen);
        set_str(md, "name", n);
    }
    if (check(obj, k, resp) == 1)
        return 0;
    set_str(md, "namespace", ns);
    cleanup_free char *uid = kj_uuid_new();
    set_str(md, "uid", uid);
    char ts[KJ_RFC3339_BUFSZ];
    kj_rfc3339_format(kj_time_now_ns(), ts, sizeof ts);
    set_str(md, "creationTimestamp", ts);
    cJSON_DeleteItemFromObjectCaseSensitive(md, "resourceVersion");
    cJSON_DeleteItemFromObjectCaseSensitive(md, "generation");
    cleanup_free char *name = xstrdup(cJSON_GetStringValue(get(md, "name")));
    if (kj_store_create(store_of(req), k->resource, ns, name, obj, NULL, err) < 0) {
        if (kj_error_http_status(*err) == 409) {
            kj_error_release(err);
            return kj_http_resp_json(resp, 409, kj_status_already_exists(k->resource, "", name));
        }
        return kj_error_wrap(err, "store %s `%s/%s`", k->kind, ns, name);
    }
    obj = NULL; /* the store owns it */
    kj_log(KJ_LOG_INFO, "%s `%s/%s` created", k->kind, ns, name);
    return kj_http_resp_json(resp, 201, kj_apiserver_client_copy(kj_store_get(store_of(req), k->resource, ns, name)));
}

static const cJSON *lookup(struct kj_http_req *req, const struct kind *k, struct kj_http_resp *resp,
                           kj_error_t *err)
{
    const char *ns = kj_route_param(&req->params, "namespace");
    const char *name = kj_route_param(&req->params, "name");
    if (kj_namespace_check(ns, err) < 0)
        return NULL;
    const cJSON *obj = kj_store_get(store_of(req), k->resource, ns, name);
    if (obj == NULL)
        kj_http_resp_json(resp, 404, kj_status_not_found(k->resource, "", name));
    return obj;
}

static int h_get(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    const cJSON *obj = lookup(req, kind_of(req), resp, err);
    if (obj == NULL)
        return *err != NULL ? -1 : 0;
    return kj_http_resp_json(resp, 200, kj_apiserver_client_copy(obj));
}

/* Store `next` (owned) as the new content of `cur`: labels, annotations
 * and the content fields come from next, the rest of metadata from cur. */
static int store_update(struct kj_http_req *req, struct kj_http_resp *resp, const struct kind *k,
                        const cJSON *cur, cJSON *next, const char *expect_rv, kj_error_t *err)
{
    const char *ns = kj_route_param(&req->params, "namespace");
    const char *name = kj_route_param(&req->params, "name");
    cleanup_cjson cJSON *nx = next;
    if (check(nx, k, resp) == 1)
        return 0;
    const char *nn = cJSON_GetStringValue(get(get(nx, "metadata"), "name"));
    if (nn == NULL || strcmp(nn, name) != 0)
        return kj_make_http_error(err, 400, "the name of the object (%s) does not match the name on the URL (%s)",
                                  nn ? nn : "", name);
    if (cJSON_IsTrue(get(cur, "immutable")) &&
        (!cJSON_Compare(get(cur, "data"), get(nx, "data"), 1) ||
         !cJSON_Compare(get(cur, "binaryData"), get(nx, "binaryData"), 1))) {
        cleanup_free char *msg = xasprintf("%s \"%s\" is invalid: data: Forbidden: field is immutable when `immutable` is set",
                                           k->kind, name);
        return kj_http_resp_json(resp, 422, kj_status_failure(422, "Invalid", msg, name, "", k->resource));
    }
    cJSON *out = cJSON_Duplicate(cur, 1);
    cJSON *omd = get(out, "metadata"), *nmd = get(nx, "metadata");
    const char *keep[] = {"labels", "annotations"};
    for (size_t i = 0; i < 2; i++) {
        cJSON_DeleteItemFromObjectCaseSensitive(omd, keep[i]);
        if (get(nmd, keep[i]) != NULL)
            cJSON_AddItemToObject(omd, keep[i], cJSON_Duplicate(get(nmd, keep[i]), 1));
    }
    for (size_t i = 0; i < sizeof content_keys / sizeof content_keys[0]; i++) {
        cJSON_DeleteItemFromObjectCaseSensitive(out, content_keys[i]);
        if (get(nx, content_keys[i]) != NULL)
            cJSON_AddItemToObject(out, content_keys[i], cJSON_Duplicate(get(nx, content_keys[i]), 1));
    }
    if (kj_store_update(store_of(req), k->resource, ns, name, out, expect_rv, NULL, err) < 0) {
        cJSON_Delete(out);
        if (kj_error_http_status(*err) == 409) {
            cleanup_free char *msg = xasprintf(
                "Operation cannot be fulfilled on %s \"%s\": the object has been modified; please apply your changes to the latest version and try again",
                k->resource, name);
            kj_error_release(err);
            return kj_http_resp_json(resp, 409, kj_status_failure(409, "Conflict", msg, name, "", k->resource));
        }
        return -1;
    }
    kj_log(KJ_LOG_INFO, "%s `%s/%s` updated", k->kind, ns, name);
    return kj_http_resp_json(resp, 200, kj_apiserver_client_copy(kj_store_get(store_of(req), k->resource, ns, name)));
}

static int h_replace(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    const struct kind *k = kind_of(req);
    const cJSON *cur = lookup(req, k, resp, err);
    if (cur == NULL)
        return *err != NULL ? -1 : 0;
    cJSON *next = NULL;
    if (decode_body(req, k, &next, err) < 0)
        return -1;
    const char *rv = cJSON_GetStringValue(get(get(next, "metadata"), "resourceVersion"));
    cleanup_free char *expect = rv != NULL ? xstrdup(rv) : NULL;
    return store_update(req, resp, k, cur, next, expect, err);
}

static int h_patch(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    const struct kind *k = kind_of(req);
    const cJSON *cur = lookup(req, k, resp, err);
    if (cur == NULL)
        return *err != NULL ? -1 : 0;
    cleanup_cjson cJSON *patch = NULL;
    if (req->body == NULL || req->body_len == 0)
        return kj_make_http_error(err, 400, "the request body is empty");
    if (kj_body_decode_object(KJ_BODY_JSON, req->body, req->body_len, &patch, err) < 0)
        return -1;
    cJSON *next = kj_apiserver_client_copy(cur);
    if (kj_patch_apply(req->content_type, &next, patch, err) < 0) {
        cJSON_Delete(next);
        return -1;
    }
    return store_update(req, resp, k, cur, next, NULL, err);
}

static int h_delete(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    const struct kind *k = kind_of(req);
    const cJSON *cur = lookup(req, k, resp, err);
    if (cur == NULL)
        return *err != NULL ? -1 : 0;
    const char *ns = kj_route_param(&req->params, "namespace");
    const char *name = kj_route_param(&req->params, "name");
    const char *u = cJSON_GetStringValue(get(get(cur, "metadata"), "uid"));
    cleanup_free char *uid = xstrdup(u != NULL ? u : "");
    if (kj_store_delete(store_of(req), k->resource, ns, name, NULL, NULL, err) < 0)
        return kj_error_wrap(err, "delete %s `%s/%s`", k->kind, ns, name);
    kj_log(KJ_LOG_INFO, "%s `%s/%s` deleted", k->kind, ns, name);
    return kj_http_resp_json(resp, 200, kj_status_success_deleted(k->resource, "", name, uid));
}

#define NSP "/api/v1/namespaces/{namespace}/"
static const struct kj_route routes[] = {
    {"GET", "/api/v1/configmaps", h_list, "configmaps"},
    {"GET", NSP "configmaps", h_list, "configmaps"},
    {"POST", NSP "configmaps", h_create, "configmaps"},
    {"GET", NSP "configmaps/{name}", h_get, "configmaps"},
    {"PUT", NSP "configmaps/{name}", h_replace, "configmaps"},
    {"PATCH", NSP "configmaps/{name}", h_patch, "configmaps"},
    {"DELETE", NSP "configmaps/{name}", h_delete, "configmaps"},
    {"GET", "/api/v1/secrets", h_list, "secrets"},
    {"GET", NSP "secrets", h_list, "secrets"},
    {"POST", NSP "secrets", h_create, "secrets"},
    {"GET", NSP "secrets/{name}", h_get, "secrets"},
    {"PUT", NSP "secrets/{name}", h_replace, "secrets"},
    {"PATCH", NSP "secrets/{name}", h_patch, "secrets"},
    {"DELETE", NSP "secrets/{name}", h_delete, "secrets"},
};

void kj_config_routes_install(struct kj_apiserver *srv)
{
    kj_apiserver_add_routes(srv, routes, sizeof routes / sizeof routes[0]);
}
