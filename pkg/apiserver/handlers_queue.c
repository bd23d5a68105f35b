/* ReplicaSets and Services on the store; see handlers_queue.h. */
#include "apiserver/handlers_queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/codec.h"
#include "api/time.h"
#include "api/validate.h"
#include "api/validate_queue.h"
#include "apiserver/body.h"
#include "apiserver/filter.h"
#include "apiserver/handlers.h"
#include "apiserver/server.h"
#include "apiserver/status.h"
#include "apiserver/watch.h"
#include "controller/service_sync.h"
#include "kubeapi/patch.h"
#include "store/store.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

static struct kj_rs_driver *the_rs;

struct kj_rs_driver *kj_queue_rs_driver(void)
{
    return the_rs;
}

/* What differs between the two kinds. */
struct kind {
    const char *resource, *group, *api_version, *kind, *list_kind;
};

static const struct kind RS = {"replicasets", "apps", "apps/v1", "ReplicaSet", "ReplicaSetList"};
static const struct kind SVC = {"services", "", "v1", "Service", "ServiceList"};

static const struct kind *kind_of(const struct kj_http_req *req)
{
    return strcmp(req->route->resource, "services") == 0 ? &SVC : &RS;
}

static struct kj_store *store_of(struct kj_http_req *req)
{
    return kj_apiserver_deps(req->srv)->store;
}

static cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* ---- list ---- */

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
    cJSON *list = kj_list_json_new(k->api_version, k->list_kind, rv);
    kj_assert(list != NULL);
    struct kj_list_ctx lc = {&filter, get(list, "items")};
    kj_store_list(store_of(req), k->resource, ns, kj_list_item_cb, &lc);
    kj_filter_clear(&filter);
    return kj_http_resp_json(resp, 200, list);
}

/* ---- validation and defaults ---- */

/* The typed validation of api/validate_queue.h on the object as sent.
 * 0 = fine, 1 = resp holds the 400 (undecodable) or 422 Status. */
static int validate(const cJSON *obj, const struct kind *k, struct kj_http_resp *resp)
{
    const char *name = cJSON_GetStringValue(get(get(obj, "metadata"), "name"));
    struct kj_field_errors errs;
    kj_field_errors_init(&errs);
    kj_error_t derr = NULL;
    int rc;
    if (k == &RS) {
        struct kj_replica_set rs = {0};
        rc = kj_replica_set_from_json(obj, &rs, NULL, NULL, &derr);
        if (rc == 0)
            kj_replica_set_validate(&rs, &errs);
        kj_replica_set_clear(&rs);
    } else {
        struct kj_service svc = {0};
        rc = kj_service_from_json(obj, &svc, NULL, NULL, &derr);
        if (rc == 0)
            kj_service_validate(&svc, &errs);
        kj_service_clear(&svc);
    }
    if (rc < 0) {
        cJSON *st = kj_status_failure(400, "BadRequest", derr != NULL ? derr->msg : "undecodable object",
                                      name, k->group, k->resource);
        kj_error_release(&derr);
        kj_field_errors_free(&errs);
        kj_http_resp_json(resp, 400, st);
        return 1;
    }
    if (errs.len == 0) {
        kj_field_errors_free(&errs);
        return 0;
    }
    cJSON *st = kj_field_errors_status(&errs, k->kind, k->group, name != NULL ? name : "");
    kj_assert(st != NULL);
    kj_field_errors_free(&errs);
    kj_http_resp_json(resp, 422, st);
    return 1;
}

/* 0 = fine, 1 = resp holds a 4xx. Fills defaults in place once valid. */
static int check_object(cJSON *obj, const struct kind *k, struct kj_http_resp *resp)
{
    if (validate(obj, k, resp) == 1)
        return 1;
    cJSON *spec = get(obj, "spec");
    if (!cJSON_IsObject(spec)) {
        cJSON_DeleteItemFromObjectCaseSensitive(obj, "spec");
        spec = cJSON_AddObjectToObject(obj, "spec");
    }
    if (k == &RS) {
        if (get(spec, "replicas") == NULL)
            cJSON_AddNumberToObject(spec, "replicas", 1);
        cJSON *tspec = get(get(spec, "template"), "spec");
        if (get(tspec, "restartPolicy") == NULL)
            cJSON_AddStringToObject(tspec, "restartPolicy", "Always");
    } else {
        if (get(spec, "type") == NULL)
            cJSON_AddStringToObject(spec, "type", "ClusterIP");
        /* There is no virtual IP: the name resolves to the pods themselves,
         * which is what Kubernetes calls a headless Service. */
        const char *t = cJSON_GetStringValue(get(spec, "type"));
        if (t != NULL && strcmp(t, "ClusterIP") == 0 && get(spec, "clusterIP") == NULL) {
            cJSON_AddStringToObject(spec, "clusterIP", "None");
            cJSON_AddItemToArray(cJSON_AddArrayToObject(spec, "clusterIPs"), cJSON_CreateString("None"));
        }
        if (get(spec, "sessionAffinity") == NULL)
            cJSON_AddStringToObject(spec, "sessionAffinity", "None");
        cJSON *p;
        cJSON_ArrayForEach(p, get(spec, "ports"))
        {
            const cJSON *port = get(p, "port");
            if (get(p, "protocol") == NULL)
                cJSON_AddStringToObject(p, "protocol", "TCP");
            if (get(p, "targetPort") == NULL && cJSON_IsNumber(port))
                cJSON_AddNumberToObject(p, "targetPort", port->valueint);
        }
    }
    return 0;
}

static int dup_cb(const char *ns, const char *name, const cJSON *obj, void *data)
{
    (void)ns;
    (void)name;
    cJSON_AddItemToArray(data, cJSON_Duplicate(obj, 1));
    return 0;
}

/* NodePort and LoadBalancer Services get a nodePort per port, unique among
 * the stored Services (service_sync.h); `svc` is the object about to be
 * stored (metadata complete), `old` its stored version on update. 0 =
 * fine, 1 = resp holds the 422 (a taken or out-of-range nodePort) or 500
 * (the range is full). */
static int node_ports(struct kj_http_req *req, cJSON *svc, const cJSON *old,
                      struct kj_http_resp *resp)
{
    if (!kj_svc_needs_node_ports(svc))
        return 0;
    cleanup_cjson cJSON *stored = cJSON_CreateArray();
    kj_store_list(store_of(req), "services", NULL, dup_cb, stored);
    int bad = 0;
    const char *why = NULL;
    uint32_t seed = (uint32_t)(kj_time_now_ns() / 1000) * 2654435761u;
    int rc = kj_svc_node_ports_assign(svc, old, stored, seed, &bad, &why);
    if (rc == 0)
        return 0;
    const char *name = cJSON_GetStringValue(get(get(svc, "metadata"), "name"));
    if (rc == -2) {
        kj_http_resp_json(resp, 500, kj_status_failure(500, "InternalError",
                                                       "failed to allocate a nodePort: range is full",
                                                       name, SVC.group, SVC.resource));
        return 1;
    }
    const cJSON *np = get(cJSON_GetArrayItem(get(get(svc, "spec"), "ports"), bad), "nodePort");
    char path[64];
    snprintf(path, sizeof path, "spec.ports[%d].nodePort", bad);
    struct kj_field_errors errs;
    kj_field_errors_init(&errs);
    kj_fe_invalid_int(&errs, path, cJSON_IsNumber(np) ? (int64_t)np->valuedouble : 0, why);
    cJSON *st = kj_field_errors_status(&errs, SVC.kind, SVC.group, name != NULL ? name : "");
    kj_assert(st != NULL);
    kj_field_errors_free(&errs);
    kj_http_resp_json(resp, 422, st);
    return 1;
}

static int decode_body(struct kj_http_req *req, const struct kind *k, cJSON **out, kj_error_t *err)
{
    if (req->body == NULL || req->body_len == 0)
        return kj_make_http_error(err, 400, "the request body is empty");
    enum kj_body_type bt = kj_body_type_detect(req->content_type, req->body, req->body_len);
    if (kj_body_decode_object(bt, req->body, req->body_len, out, err) < 0)
        return -1;
    const char *kind = cJSON_GetStringValue(get(*out, "kind"));
    const char *av = cJSON_GetStringValue(get(*out, "apiVersion"));
    if ((kind != NULL && strcmp(kind, k->kind) != 0) || (av != NULL && strcmp(av, k->api_version) != 0)) {
        cJSON_Delete(*out);
        *out = NULL;
        return kj_make_http_error(err, 400,
                                  "the API version in the data (%s) does not match the expected API version (%s) or kind (%s) is not %s",
                                  av ? av : "", k->api_version, kind ? kind : "", k->kind);
    }
    if (!cJSON_IsObject(get(*out, "metadata"))) {
        cJSON_DeleteItemFromObjectCaseSensitive(*out, "metadata");
        cJSON_AddObjectToObject(*out, "metadata");
    }
    cJSON_DeleteItemFromObjectCaseSensitive(*out, "kind");
    cJSON_DeleteItemFromObjectCaseSensitive(*out, "apiVersion");
    cJSON_AddStringToObject(*out, "kind", k->kind);
    cJSON_AddStringToObject(*out, "apiVersion", k->api_version);
    return 0;
}

static void set_str(cJSON *o, const char *key, const char *v)
{
    cJSON_DeleteItemFromObjectCaseSensitive(o, key);
    cJSON_AddStringToObject(o, key, v);
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
    if (check_object(obj, k, resp) == 1)
        return 0;
    set_str(md, "namespace", ns);
    cleanup_free char *uid = kj_uuid_new();
    set_str(md, "uid", uid);
    char ts[KJ_RFC3339_BUFSZ];
    kj_rfc3339_format(kj_time_now_ns(), ts, sizeof ts);
    set_str(md, "creationTimestamp", ts);
    cJSON_DeleteItemFromObjectCaseSensitive(md, "resourceVersion");
    cJSON_DeleteItemFromObjectCaseSensitive(md, "generation");
    if (k == &RS)
        cJSON_AddNumberToObject(md, "generation", 1);
    if (k == &SVC && node_ports(req, obj, NULL, resp) == 1)
        return 0;
    cJSON_DeleteItemFromObjectCaseSensitive(obj, "status");
    cJSON *st = cJSON_AddObjectToObject(obj, "status");
    if (k == &RS)
        cJSON_AddNumberToObject(st, "replicas", 0);
    else
        cJSON_AddObjectToObject(st, "loadBalancer");
    cleanup_free char *name = xstrdup(cJSON_GetStringValue(get(md, "name")));
    if (kj_store_create(store_of(req), k->resource, ns, name, obj, NULL, err) < 0) {
        if (kj_error_http_status(*err) == 409) {
            kj_error_release(err);
            return kj_http_resp_json(resp, 409, kj_status_already_exists(k->resource, k->group, name));
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
        kj_http_resp_json(resp, 404, kj_status_not_found(k->resource, k->group, name));
    return obj;
}

static int h_get(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    const cJSON *obj = lookup(req, kind_of(req), resp, err);
    if (obj == NULL)
        return *err != NULL ? -1 : 0;
    return kj_http_resp_json(resp, 200, kj_apiserver_client_copy(obj));
}

static cJSON *status_copy(const cJSON *o)
{
    cJSON *s = cJSON_Duplicate(get(o, "status"), 1);
    return s != NULL ? s : cJSON_CreateObject();
}

static const char *uid_of(const cJSON *o)
{
    const char *u = cJSON_GetStringValue(get(get(o, "metadata"), "uid"));
    return u != NULL ? u : "";
}

static bool is_subresource(const struct kj_http_req *req, const char *sub)
{
    size_t lp = strlen(req->path), ls = strlen(sub);
    return lp > ls + 1 && req->path[lp - ls - 1] == '/' && strcmp(req->path + lp - ls, sub) == 0;
}

/* Store `next` (owned) as the new state of `cur`: for the main resource
 * spec/metadata change and status is kept; for /status only status. */
static int store_update(struct kj_http_req *req, struct kj_http_resp *resp, const struct kind *k,
                        const cJSON *cur, cJSON *next, const char *expect_rv, kj_error_t *err)
{
    const char *ns = kj_route_param(&req->params, "namespace");
    const char *name = kj_route_param(&req->params, "name");
    bool status = is_subresource(req, "status");
    cleanup_cjson cJSON *out = cJSON_Duplicate(cur, 1);
    if (status) {
        cJSON_DeleteItemFromObjectCaseSensitive(out, "status");
        cJSON_AddItemToObject(out, "status", status_copy(next));
    } else {
        if (k == &SVC)
            kj_svc_node_ports_wipe(next, cur);
        if (check_object(next, k, resp) == 1) {
            cJSON_Delete(next);
            return 0;
        }
        const char *nn = cJSON_GetStringValue(get(get(next, "metadata"), "name"));
        if (nn == NULL || strcmp(nn, name) != 0) {
            cJSON_Delete(next);
            return kj_make_http_error(err, 400, "the name of the object (%s) does not match the name on the URL (%s)",
                                      nn ? nn : "", name);
        }
        bool spec_changed = !cJSON_Compare(get(cur, "spec"), get(next, "spec"), 1);
        cJSON *omd = get(out, "metadata"), *nmd = get(next, "metadata");
        const char *keep[] = {"labels", "annotations"};
        for (size_t i = 0; i < 2; i++) {
            cJSON_DeleteItemFromObjectCaseSensitive(omd, keep[i]);
            if (get(nmd, keep[i]) != NULL)
                cJSON_AddItemToObject(omd, keep[i], cJSON_Duplicate(get(nmd, keep[i]), 1));
        }
        cJSON_DeleteItemFromObjectCaseSensitive(out, "spec");
        cJSON_AddItemToObject(out, "spec", cJSON_Duplicate(get(next, "spec"), 1));
        if (k == &SVC && node_ports(req, out, cur, resp) == 1) {
            cJSON_Delete(next);
            return 0;
        }
        if (spec_changed && k == &RS) {
            const cJSON *g = get(omd, "generation");
            double gen = cJSON_IsNumber(g) ? g->valuedouble + 1 : 2;
            cJSON_DeleteItemFromObjectCaseSensitive(omd, "generation");
            cJSON_AddNumberToObject(omd, "generation", gen);
        }
    }
    cJSON_Delete(next);
    cJSON *w = out;
    out = NULL;
    if (kj_store_update(store_of(req), k->resource, ns, name, w, expect_rv, NULL, err) < 0) {
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
    cleanup_free char *uid = xstrdup(uid_of(cur));
    enum kj_propagation policy = KJ_PROPAGATION_UNSET;
    bool dry = false;
    if (kj_delete_options(req, &policy, &dry, err) < 0)
        return -1;
    if (dry)
        return kj_http_resp_json(resp, 200, kj_status_success_deleted(k->resource, k->group, name, uid));
    if (k == &RS && (policy == KJ_PROPAGATION_FOREGROUND || policy == KJ_PROPAGATION_ORPHAN)) {
        /* The object stays, marked, until the controller has removed its
         * pods (Foreground) or let them go (Orphan), then deletes it
         * (rs_driver.h). Background (the apps/v1 default) deletes now and
         * the controller removes the pods of the gone ReplicaSet. */
        const char *fin = policy == KJ_PROPAGATION_ORPHAN ? "orphan" : "foregroundDeletion";
        cJSON *upd = cJSON_Duplicate(cur, 1);
        kj_assert(upd != NULL);
        kj_delete_mark(upd, fin);
        if (kj_store_update(store_of(req), k->resource, ns, name, upd, NULL, NULL, err) < 0) {
            cJSON_Delete(upd);
            return kj_error_wrap(err, "mark %s `%s/%s` for deletion", k->kind, ns, name);
        }
        kj_log(KJ_LOG_INFO, "%s `%s/%s` marked for deletion (%s)", k->kind, ns, name, fin);
        return kj_http_resp_json(resp, 200, kj_apiserver_client_copy(kj_store_get(store_of(req), k->resource, ns, name)));
    }
    if (kj_store_delete(store_of(req), k->resource, ns, name, NULL, NULL, err) < 0)
        return kj_error_wrap(err, "delete %s `%s/%s`", k->kind, ns, name);
    kj_log(KJ_LOG_INFO, "%s `%s/%s` deleted", k->kind, ns, name);
    return kj_http_resp_json(resp, 200, kj_status_success_deleted(k->resource, k->group, name, uid));
}

/* ---- /scale (autoscaling/v1 Scale) ---- */

static cJSON *scale_of(const cJSON *rs)
{
    const cJSON *md = get(rs, "metadata");
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "kind", "Scale");
    cJSON_AddStringToObject(s, "apiVersion", "autoscaling/v1");
    cJSON *m = cJSON_AddObjectToObject(s, "metadata");
    const char *keys[] = {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (get(md, keys[i]) != NULL)
            cJSON_AddItemToObject(m, keys[i], cJSON_Duplicate(get(md, keys[i]), 1));
    const cJSON *rep = get(get(rs, "spec"), "replicas");
    cJSON_AddNumberToObject(cJSON_AddObjectToObject(s, "spec"), "replicas", cJSON_IsNumber(rep) ? rep->valuedouble : 1);
    cJSON *st = cJSON_AddObjectToObject(s, "status");
    const cJSON *cr = get(get(rs, "status"), "replicas");
    cJSON_AddNumberToObject(st, "replicas", cJSON_IsNumber(cr) ? cr->valuedouble : 0);
    char *sel = NULL;
    const cJSON *ml = get(get(get(rs, "spec"), "selector"), "matchLabels");
    size_t len = 1;
    for (const cJSON *kv = cJSON_IsObject(ml) ? ml->child : NULL; kv != NULL; kv = kv->next)
        len += strlen(kv->string) + (cJSON_IsString(kv) ? strlen(kv->valuestring) : 0) + 2;
    sel = xcalloc(1, len);
    for (const cJSON *kv = cJSON_IsObject(ml) ? ml->child : NULL; kv != NULL; kv = kv->next) {
        if (sel[0] != '\0')
            strcat(sel, ",");
        strcat(sel, kv->string);
        strcat(sel, "=");
        strcat(sel, cJSON_IsString(kv) ? kv->valuestring : "");
    }
    cJSON_AddStringToObject(st, "selector", sel);
    free(sel);
    return s;
}

static int h_scale(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    const cJSON *cur = lookup(req, &RS, resp, err);
    if (cur == NULL)
        return *err != NULL ? -1 : 0;
    if (strcmp(req->method, "GET") == 0)
        return kj_http_resp_json(resp, 200, scale_of(cur));
    cJSON *scale = scale_of(cur);
    if (req->body == NULL || req->body_len == 0) {
        cJSON_Delete(scale);
        return kj_make_http_error(err, 400, "the request body is empty");
    }
    cleanup_cjson cJSON *in = NULL;
    enum kj_body_type bt = kj_body_type_detect(req->content_type, req->body, req->body_len);
    if (kj_body_decode_object(strcmp(req->method, "PATCH") == 0 ? KJ_BODY_JSON : bt, req->body,
                              req->body_len, &in, err) < 0) {
        cJSON_Delete(scale);
        return -1;
    }
    if (strcmp(req->method, "PATCH") == 0) {
        if (kj_patch_apply(req->content_type, &scale, in, err) < 0) {
            cJSON_Delete(scale);
            return -1;
        }
    } else {
        cJSON_Delete(scale);
        scale = cJSON_Duplicate(in, 1);
    }
    const cJSON *rep = get(get(scale, "spec"), "replicas");
    if (!cJSON_IsNumber(rep) || rep->valuedouble < 0) {
        cJSON_Delete(scale);
        struct kj_field_errors errs;
        kj_field_errors_init(&errs);
        if (cJSON_IsNumber(rep))
            kj_fe_invalid_int(&errs, "spec.replicas", (int64_t)rep->valuedouble,
                              "must be greater than or equal to 0");
        else
            kj_fe_required(&errs, "spec.replicas", "");
        cJSON *st = kj_field_errors_status(&errs, "Scale", "autoscaling",
                                           kj_route_param(&req->params, "name"));
        kj_assert(st != NULL);
        kj_field_errors_free(&errs);
        return kj_http_resp_json(resp, 422, st);
    }
    cJSON *next = cJSON_Duplicate(cur, 1);
    cJSON_ReplaceItemInObjectCaseSensitive(get(next, "spec"), "replicas", cJSON_CreateNumber(rep->valuedouble));
    cJSON_Delete(scale);
    if (store_update(req, resp, &RS, cur, next, NULL, err) < 0)
        return -1;
    if (resp->code == 200) {
        const char *ns = kj_route_param(&req->params, "namespace");
        const char *name = kj_route_param(&req->params, "name");
        kj_http_resp_json(resp, 200, scale_of(kj_store_get(store_of(req), RS.resource, ns, name)));
    }
    return 0;
}

#define NSP "namespaces/{namespace}/"
static const struct kj_route routes[] = {
    {"*", "/api/v1/" NSP "services/{name}/proxy", kj_h_service_proxy, "services"},
    {"*", "/api/v1/" NSP "services/{name}/proxy/{path...}", kj_h_service_proxy, "services"},
    {"GET", "/apis/apps/v1/replicasets", h_list, "replicasets"},
    {"GET", "/apis/apps/v1/" NSP "replicasets", h_list, "replicasets"},
    {"POST", "/apis/apps/v1/" NSP "replicasets", h_create, "replicasets"},
    {"GET", "/apis/apps/v1/" NSP "replicasets/{name}", h_get, "replicasets"},
    {"PUT", "/apis/apps/v1/" NSP "replicasets/{name}", h_replace, "replicasets"},
    {"PATCH", "/apis/apps/v1/" NSP "replicasets/{name}", h_patch, "replicasets"},
    {"DELETE", "/apis/apps/v1/" NSP "replicasets/{name}", h_delete, "replicasets"},
    {"GET", "/apis/apps/v1/" NSP "replicasets/{name}/status", h_get, "replicasets"},
    {"PUT", "/apis/apps/v1/" NSP "replicasets/{name}/status", h_replace, "replicasets"},
    {"PATCH", "/apis/apps/v1/" NSP "replicasets/{name}/status", h_patch, "replicasets"},
    {"*", "/apis/apps/v1/" NSP "replicasets/{name}/scale", h_scale, "replicasets"},
    {"GET", "/api/v1/" NSP "endpoints/{name}", kj_h_service_endpoints, "endpoints"},
    {"GET", "/apis/discovery.k8s.io/v1/" NSP "endpointslices", kj_h_service_endpointslices, "endpointslices"},
    {"GET", "/api/v1/services", h_list, "services"},
    {"GET", "/api/v1/" NSP "services", h_list, "services"},
    {"POST", "/api/v1/" NSP "services", h_create, "services"},
    {"GET", "/api/v1/" NSP "services/{name}", h_get, "services"},
    {"PUT", "/api/v1/" NSP "services/{name}", h_replace, "services"},
    {"PATCH", "/api/v1/" NSP "services/{name}", h_patch, "services"},
    {"DELETE", "/api/v1/" NSP "services/{name}", h_delete, "services"},
    {"GET", "/api/v1/" NSP "services/{name}/status", h_get, "services"},
    {"PUT", "/api/v1/" NSP "services/{name}/status", h_replace, "services"},
    {"PATCH", "/api/v1/" NSP "services/{name}/status", h_patch, "services"},
};

void kj_queue_routes_install(struct kj_apiserver *srv, struct kj_rs_driver *rs)
{
    the_rs = rs;
    kj_apiserver_add_routes(srv, routes, sizeof routes / sizeof routes[0]);
}
