/* ReplicaSets and Services on the store; see handlers_queue.h. The REST
 * verbs are kindtable.c's; this file holds what only these kinds have:
 * typed validation and defaults, nodePort allocation, the ReplicaSet
 * generation, cascading delete and /scale. */
#include "apiserver/handlers_queue.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/time.h"
#include "api/validate.h"
#include "api/validate_queue.h"
#include "apiserver/body.h"
#include "apiserver/handlers.h"
#include "apiserver/kindtable.h"
#include "apiserver/server.h"
#include "apiserver/status.h"
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

static int check(cJSON *obj, const cJSON *cur, const struct kj_kt_kind *k, struct kj_http_resp *resp);
static int prepare_create(struct kj_http_req *req, const struct kj_kt_kind *k, cJSON *obj,
                          struct kj_http_resp *resp);
static int merge(struct kj_http_req *req, const struct kj_kt_kind *k, const cJSON *cur,
                 const cJSON *next, cJSON *out, struct kj_http_resp *resp);
static int rs_on_delete(struct kj_http_req *req, const struct kj_kt_kind *k, const cJSON *cur,
                        enum kj_propagation policy, struct kj_http_resp *resp, kj_error_t *err);

static const struct kj_kt_kind RS = {
    .resource = "replicasets", .group = "apps", .api_version = "apps/v1",
    .kind = "ReplicaSet", .list_kind = "ReplicaSetList",
    .status_subresource = true, .delete_options = true,
    .check = check, .prepare_create = prepare_create, .merge = merge, .on_delete = rs_on_delete,
};
static const struct kj_kt_kind SVC = {
    .resource = "services", .group = "", .api_version = "v1",
    .kind = "Service", .list_kind = "ServiceList",
    .status_subresource = true, .delete_options = true,
    .check = check, .prepare_create = prepare_create, .merge = merge,
};

static cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* ---- validation and defaults ---- */

/* The typed validation of api/validate_queue.h on the object as sent.
 * 0 = fine, 1 = resp holds the 400 (undecodable) or 422 Status. */
static int validate(const cJSON *obj, const struct kj_kt_kind *k, struct kj_http_resp *resp)
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

/* Validates, then fills defaults in place. On update a Service first
 * drops the nodePorts its new type no longer has (service_sync.h). */
static int check(cJSON *obj, const cJSON *cur, const struct kj_kt_kind *k, struct kj_http_resp *resp)
{
    if (k == &SVC && cur != NULL)
        kj_svc_node_ports_wipe(obj, cur);
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
    kj_store_list(kj_kt_store(req), "services", NULL, dup_cb, stored);
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

/* What the server owns of a new object: its generation (ReplicaSet),
 * nodePorts (Service), an empty status. */
static int prepare_create(struct kj_http_req *req, const struct kj_kt_kind *k, cJSON *obj,
                          struct kj_http_resp *resp)
{
    if (k == &RS)
        cJSON_AddNumberToObject(get(obj, "metadata"), "generation", 1);
    if (k == &SVC && node_ports(req, obj, NULL, resp) == 1)
        return 1;
    cJSON_DeleteItemFromObjectCaseSensitive(obj, "status");
    cJSON *st = cJSON_AddObjectToObject(obj, "status");
    if (k == &RS)
        cJSON_AddNumberToObject(st, "replicas", 0);
    else
        cJSON_AddObjectToObject(st, "loadBalancer");
    return 0;
}

/* spec comes from next and status stays; a ReplicaSet whose spec changed
 * moves to the next generation. */
static int merge(struct kj_http_req *req, const struct kj_kt_kind *k, const cJSON *cur,
                 const cJSON *next, cJSON *out, struct kj_http_resp *resp)
{
    bool spec_changed = !cJSON_Compare(get(cur, "spec"), get(next, "spec"), 1);
    cJSON_DeleteItemFromObjectCaseSensitive(out, "spec");
    cJSON_AddItemToObject(out, "spec", cJSON_Duplicate(get(next, "spec"), 1));
    if (k == &SVC && node_ports(req, out, cur, resp) == 1)
        return 1;
    if (spec_changed && k == &RS) {
        cJSON *omd = get(out, "metadata");
        const cJSON *g = get(omd, "generation");
        double gen = cJSON_IsNumber(g) ? g->valuedouble + 1 : 2;
        cJSON_DeleteItemFromObjectCaseSensitive(omd, "generation");
        cJSON_AddNumberToObject(omd, "generation", gen);
    }
    return 0;
}

/* Foreground and Orphan keep the object, marked, until the controller has
 * removed its pods (Foreground) or let them go (Orphan), then deletes it
 * (rs_driver.h). Background (the apps/v1 default) deletes now and the
 * controller removes the pods of the gone ReplicaSet. */
static int rs_on_delete(struct kj_http_req *req, const struct kj_kt_kind *k, const cJSON *cur,
                        enum kj_propagation policy, struct kj_http_resp *resp, kj_error_t *err)
{
    if (policy != KJ_PROPAGATION_FOREGROUND && policy != KJ_PROPAGATION_ORPHAN)
        return 0;
    const char *ns = kj_route_param(&req->params, "namespace");
    const char *name = kj_route_param(&req->params, "name");
    const char *fin = policy == KJ_PROPAGATION_ORPHAN ? "orphan" : "foregroundDeletion";
    cJSON *upd = cJSON_Duplicate(cur, 1);
    kj_assert(upd != NULL);
    kj_delete_mark(upd, fin);
    if (kj_store_update(kj_kt_store(req), k->resource, ns, name, upd, NULL, NULL, err) < 0) {
        cJSON_Delete(upd);
        return kj_error_wrap(err, "mark %s `%s/%s` for deletion", k->kind, ns, name);
    }
    kj_log(KJ_LOG_INFO, "%s `%s/%s` marked for deletion (%s)", k->kind, ns, name, fin);
    kj_http_resp_json(resp, 200, kj_apiserver_client_copy(kj_store_get(kj_kt_store(req), k->resource, ns, name)));
    return 1;
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
    const cJSON *cur = kj_kt_lookup(req, &RS, resp, err);
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
        cJSON_Delete(scale); /* only now: rep points into it */
        return kj_http_resp_json(resp, 422, st);
    }
    cJSON *next = cJSON_Duplicate(cur, 1);
    cJSON_ReplaceItemInObjectCaseSensitive(get(next, "spec"), "replicas", cJSON_CreateNumber(rep->valuedouble));
    cJSON_Delete(scale);
    if (kj_kt_store_update(req, resp, &RS, cur, next, NULL, err) < 0)
        return -1;
    if (resp->code == 200) {
        const char *ns = kj_route_param(&req->params, "namespace");
        const char *name = kj_route_param(&req->params, "name");
        kj_http_resp_json(resp, 200, scale_of(kj_store_get(kj_kt_store(req), RS.resource, ns, name)));
    }
    return 0;
}

#define NSP "namespaces/{namespace}/"
static const struct kj_route routes[] = {
    {"*", "/api/v1/" NSP "services/{name}/proxy", kj_h_service_proxy, "services"},
    {"*", "/api/v1/" NSP "services/{name}/proxy/{path...}", kj_h_service_proxy, "services"},
    KJ_KT_ROUTES("/apis/apps/v1/", "replicasets"),
    KJ_KT_STATUS_ROUTES("/apis/apps/v1/", "replicasets"),
    {"*", "/apis/apps/v1/" NSP "replicasets/{name}/scale", h_scale, "replicasets"},
    {"GET", "/api/v1/" NSP "endpoints/{name}", kj_h_service_endpoints, "endpoints"},
    {"GET", "/apis/discovery.k8s.io/v1/" NSP "endpointslices", kj_h_service_endpointslices, "endpointslices"},
    KJ_KT_ROUTES("/api/v1/", "services"),
    KJ_KT_STATUS_ROUTES("/api/v1/", "services"),
};

void kj_queue_routes_install(struct kj_apiserver *srv, struct kj_rs_driver *rs)
{
    the_rs = rs;
    kj_kt_register(&RS);
    kj_kt_register(&SVC);
    kj_apiserver_add_routes(srv, routes, sizeof routes / sizeof routes[0]);
}
