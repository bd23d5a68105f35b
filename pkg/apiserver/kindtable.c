/* Generic handlers of the store-backed simple kinds; see kindtable.h. */
#include "apiserver/kindtable.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/codec.h"
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

/* Written only while routes are installed (before the loop runs), read by
 * the handlers on the loop thread. */
static const struct kj_kt_kind *kinds[8];
static size_t n_kinds;

void kj_kt_register(const struct kj_kt_kind *k)
{
    for (size_t i = 0; i < n_kinds; i++)
        if (kinds[i] == k)
            return;
    kj_assert(n_kinds < sizeof kinds / sizeof kinds[0]);
    kinds[n_kinds++] = k;
}

static const struct kj_kt_kind *kind_of(const struct kj_http_req *req)
{
    for (size_t i = 0; i < n_kinds; i++)
        if (strcmp(kinds[i]->resource, req->route->resource) == 0)
            return kinds[i];
    kj_assert(!"route of an unregistered kind");
    return NULL;
}

struct kj_store *kj_kt_store(const struct kj_http_req *req)
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

/* The stored object as a client sees it, for a 200/201 answer. */
static int answer_stored(struct kj_http_req *req, struct kj_http_resp *resp, int code,
                         const struct kj_kt_kind *k, const char *ns, const char *name)
{
    return kj_http_resp_json(resp, code, kj_apiserver_client_copy(kj_store_get(kj_kt_store(req),
                                                                               k->resource, ns, name)));
}

int kj_kt_h_list(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    const struct kj_kt_kind *k = kind_of(req);
    return kj_h_store_list(req, resp, k->resource, k->api_version, k->list_kind, err);
}

/* The request body as an object of kind k: kind and apiVersion checked when
 * given and then set, metadata made an object. */
static int decode_body(struct kj_http_req *req, const struct kj_kt_kind *k, cJSON **out, kj_error_t *err)
{
    if (req->body == NULL || req->body_len == 0)
        return kj_make_http_error(err, 400, "the request body is empty");
    int rc = k->decode != NULL ? k->decode(req, k, out, err) : 1;
    if (rc < 0)
        return -1;
    if (rc == 1) {
        enum kj_body_type bt = kj_body_type_detect(req->content_type, req->body, req->body_len);
        if (kj_body_decode_object(bt, req->body, req->body_len, out, err) < 0)
            return -1;
    }
    const char *kind = cJSON_GetStringValue(get(*out, "kind"));
    const char *av = cJSON_GetStringValue(get(*out, "apiVersion"));
    if ((kind != NULL && strcmp(kind, k->kind) != 0) || (av != NULL && strcmp(av, k->api_version) != 0)) {
        /* The message quotes strings of *out: free it only after. */
        kj_make_http_error(err, 400,
                           "the API version in the data (%s) does not match the expected API version (%s) or kind (%s) is not %s",
                           av ? av : "", k->api_version, kind ? kind : "", k->kind);
        cJSON_Delete(*out);
        *out = NULL;
        return -1;
    }
    if (!cJSON_IsObject(get(*out, "metadata"))) {
        cJSON_DeleteItemFromObjectCaseSensitive(*out, "metadata");
        cJSON_AddObjectToObject(*out, "metadata");
    }
    set_str(*out, "kind", k->kind);
    set_str(*out, "apiVersion", k->api_version);
    return 0;
}

int kj_kt_h_create(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    const struct kj_kt_kind *k = kind_of(req);
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
    if (k->check(obj, NULL, k, resp) == 1)
        return 0;
    set_str(md, "namespace", ns);
    cleanup_free char *uid = kj_uuid_new();
    set_str(md, "uid", uid);
    char ts[KJ_RFC3339_BUFSZ];
    kj_rfc3339_format(kj_time_now_ns(), ts, sizeof ts);
    set_str(md, "creationTimestamp", ts);
    cJSON_DeleteItemFromObjectCaseSensitive(md, "resourceVersion");
    cJSON_DeleteItemFromObjectCaseSensitive(md, "generation");
    if (k->prepare_create != NULL && k->prepare_create(req, k, obj, resp) == 1)
        return 0;
    cleanup_free char *name = xstrdup(cJSON_GetStringValue(get(md, "name")));
    if (kj_store_create(kj_kt_store(req), k->resource, ns, name, obj, NULL, err) < 0) {
        if (kj_error_http_status(*err) == 409) {
            kj_error_release(err);
            return kj_http_resp_json(resp, 409, kj_status_already_exists(k->resource, k->group, name));
        }
        return kj_error_wrap(err, "store %s `%s/%s`", k->kind, ns, name);
    }
    obj = NULL; /* the store owns it */
    kj_log(KJ_LOG_INFO, "%s `%s/%s` created", k->kind, ns, name);
    return answer_stored(req, resp, 201, k, ns, name);
}

const cJSON *kj_kt_lookup(struct kj_http_req *req, const struct kj_kt_kind *k,
                            struct kj_http_resp *resp, kj_error_t *err)
{
    const char *ns = kj_route_param(&req->params, "namespace");
    const char *name = kj_route_param(&req->params, "name");
    if (kj_namespace_check(ns, err) < 0)
        return NULL;
    const cJSON *obj = kj_store_get(kj_kt_store(req), k->resource, ns, name);
    if (obj == NULL)
        kj_http_resp_json(resp, 404, kj_status_not_found(k->resource, k->group, name));
    return obj;
}

int kj_kt_h_get(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    const cJSON *obj = kj_kt_lookup(req, kind_of(req), resp, err);
    if (obj == NULL)
        return *err != NULL ? -1 : 0;
    return kj_http_resp_json(resp, 200, kj_apiserver_client_copy(obj));
}

/* The matched route is ".../{name}/sub": decided by the route, not the
 * path, so that an object named like the subresource ("…/services/status")
 * is the object itself. */
static bool is_subresource(const struct kj_http_req *req, const char *sub)
{
    const char *s = req->route != NULL ? req->route->pattern : req->path;
    size_t lp = strlen(s), ls = strlen(sub);
    return lp > ls + 1 && s[lp - ls - 1] == '/' && strcmp(s + lp - ls, sub) == 0 &&
           (req->route == NULL || (lp > ls + 8 && strncmp(s + lp - ls - 8, "/{name}/", 8) == 0));
}

/* `out` (a copy of cur) with next's status, or its checked content merged
 * in. 0 = out ready, 1 = resp holds the answer, -1 with *err. */
static int build_update(struct kj_http_req *req, struct kj_http_resp *resp, const struct kj_kt_kind *k,
                        const cJSON *cur, cJSON *next, cJSON *out, kj_error_t *err)
{
    if (k->status_subresource && is_subresource(req, "status")) {
        cJSON *s = cJSON_Duplicate(get(next, "status"), 1);
        cJSON_DeleteItemFromObjectCaseSensitive(out, "status");
        cJSON_AddItemToObject(out, "status", s != NULL ? s : cJSON_CreateObject());
        return 0;
    }
    const char *name = kj_route_param(&req->params, "name");
    if (k->check(next, cur, k, resp) == 1)
        return 1;
    const char *nn = cJSON_GetStringValue(get(get(next, "metadata"), "name"));
    if (nn == NULL || strcmp(nn, name) != 0)
        return kj_make_http_error(err, 400, "the name of the object (%s) does not match the name on the URL (%s)",
                                  nn ? nn : "", name);
    cJSON *omd = get(out, "metadata"), *nmd = get(next, "metadata");
    const char *keep[] = {"labels", "annotations"};
    for (size_t i = 0; i < 2; i++) {
        cJSON_DeleteItemFromObjectCaseSensitive(omd, keep[i]);
        if (get(nmd, keep[i]) != NULL)
            cJSON_AddItemToObject(omd, keep[i], cJSON_Duplicate(get(nmd, keep[i]), 1));
    }
    return k->merge(req, k, cur, next, out, resp);
}

int kj_kt_store_update(struct kj_http_req *req, struct kj_http_resp *resp,
                         const struct kj_kt_kind *k, const cJSON *cur, cJSON *next,
                         const char *expect_rv, kj_error_t *err)
{
    const char *ns = kj_route_param(&req->params, "namespace");
    const char *name = kj_route_param(&req->params, "name");
    cleanup_cjson cJSON *nx = next;
    cleanup_cjson cJSON *out = cJSON_Duplicate(cur, 1);
    int rc = build_update(req, resp, k, cur, nx, out, err);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    cJSON *w = steal_pointer(&out);
    if (kj_store_update(kj_kt_store(req), k->resource, ns, name, w, expect_rv, NULL, err) < 0) {
        cJSON_Delete(w);
        if (kj_error_http_status(*err) == 409) {
            cleanup_free char *msg = xasprintf(
                "Operation cannot be fulfilled on %s%s%s \"%s\": the object has been modified; please apply your changes to the latest version and try again",
                k->resource, k->group[0] ? "." : "", k->group, name);
            kj_error_release(err);
            return kj_http_resp_json(resp, 409, kj_status_failure(409, "Conflict", msg, name, k->group, k->resource));
        }
        return -1;
    }
    if (k->log_updates)
        kj_log(KJ_LOG_INFO, "%s `%s/%s` updated", k->kind, ns, name);
    return answer_stored(req, resp, 200, k, ns, name);
}

int kj_kt_h_replace(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    const struct kj_kt_kind *k = kind_of(req);
    const cJSON *cur = kj_kt_lookup(req, k, resp, err);
    if (cur == NULL)
        return *err != NULL ? -1 : 0;
    cJSON *next = NULL;
    if (decode_body(req, k, &next, err) < 0)
        return -1;
    const char *rv = cJSON_GetStringValue(get(get(next, "metadata"), "resourceVersion"));
    cleanup_free char *expect = rv != NULL ? xstrdup(rv) : NULL;
    return kj_kt_store_update(req, resp, k, cur, next, expect, err);
}

int kj_kt_h_patch(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    const struct kj_kt_kind *k = kind_of(req);
    const cJSON *cur = kj_kt_lookup(req, k, resp, err);
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
    return kj_kt_store_update(req, resp, k, cur, next, NULL, err);
}

int kj_kt_h_delete(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    const struct kj_kt_kind *k = kind_of(req);
    const cJSON *cur = kj_kt_lookup(req, k, resp, err);
    if (cur == NULL)
        return *err != NULL ? -1 : 0;
    const char *ns = kj_route_param(&req->params, "namespace");
    const char *name = kj_route_param(&req->params, "name");
    const char *u = cJSON_GetStringValue(get(get(cur, "metadata"), "uid"));
    cleanup_free char *uid = xstrdup(u != NULL ? u : "");
    enum kj_propagation policy = KJ_PROPAGATION_UNSET;
    if (k->delete_options) {
        bool dry = false;
        if (kj_delete_options(req, &policy, &dry, err) < 0)
            return -1;
        if (dry)
            return kj_http_resp_json(resp, 200, kj_status_success_deleted(k->resource, k->group, name, uid));
    }
    if (k->on_delete != NULL) {
        int rc = k->on_delete(req, k, cur, policy, resp, err);
        if (rc != 0)
            return rc < 0 ? -1 : 0;
    }
    if (kj_store_delete(kj_kt_store(req), k->resource, ns, name, NULL, NULL, err) < 0)
        return kj_error_wrap(err, "delete %s `%s/%s`", k->kind, ns, name);
    kj_log(KJ_LOG_INFO, "%s `%s/%s` deleted", k->kind, ns, name);
    return kj_http_resp_json(resp, 200, kj_status_success_deleted(k->resource, k->group, name, uid));
}
