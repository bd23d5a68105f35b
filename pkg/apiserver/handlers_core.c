/* core/v1 reads (pods as the controller sees them), health and version, and
 * the built-in route table. */
#include "apiserver/handlers.h"

#include <stdio.h>
#include <string.h>

#include "api/codec.h"
#include "apiserver/body.h"
#include "apiserver/filter.h"
#include "apiserver/server.h"
#include "apiserver/status.h"
#include "kubeapi/discovery.h" /* kj_discovery_version */
#include "store/store.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

int kj_h_pods_list(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    const struct kj_apiserver_deps *deps = kj_apiserver_deps(req->srv);
    const char *ns = kj_route_param(&req->params, "namespace");
    if (ns != NULL && kj_namespace_check(ns, err) < 0)
        return -1;
    struct kj_list_opts opts;
    if (kj_list_opts_parse(&req->query, &opts, err) < 0)
        return -1;
    if (opts.watch)
        return kj_make_http_error(err, 405, "watch is not supported on this endpoint yet");
    struct kj_filter filter;
    if (kj_filter_from_opts(&opts, &filter, err) < 0) {
        kj_filter_clear(&filter);
        return -1;
    }
    cleanup_cjson cJSON *all = cJSON_CreateArray();
    kj_assert(all != NULL);
    if (deps->pods_list != NULL && deps->pods_list(deps->arg, ns, all, err) < 0) {
        kj_filter_clear(&filter);
        return -1;
    }
    char rv[32];
    snprintf(rv, sizeof rv, "%llu", (unsigned long long)kj_store_current_rv(deps->store));
    cJSON *list = kj_list_json_new("v1", "PodList", rv);
    kj_assert(list != NULL);
    cJSON *items = cJSON_GetObjectItemCaseSensitive(list, "items");
    cJSON *pod = all->child;
    while (pod != NULL) {
        cJSON *next = pod->next;
        if (kj_filter_matches(&filter, pod)) {
            cJSON_DetachItemViaPointer(all, pod);
            cJSON_DeleteItemFromObjectCaseSensitive(pod, "kind");
            cJSON_DeleteItemFromObjectCaseSensitive(pod, "apiVersion");
            cJSON_AddItemToArray(items, pod);
        }
        pod = next;
    }
    kj_filter_clear(&filter);
    return kj_http_resp_json(resp, 200, list);
}

int kj_h_pod_get(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    const struct kj_apiserver_deps *deps = kj_apiserver_deps(req->srv);
    const char *ns = kj_route_param(&req->params, "namespace");
    const char *name = kj_route_param(&req->params, "name");
    if (kj_namespace_check(ns, err) < 0)
        return -1;
    cJSON *pod = deps->pod_get != NULL ? deps->pod_get(deps->arg, ns, name) : NULL;
    if (pod == NULL)
        return kj_http_resp_json(resp, 404, kj_status_not_found("pods", "", name));
    return kj_http_resp_json(resp, 200, pod);
}

/* A pod delete's options: gracePeriodSeconds (the query's, else the
 * DeleteOptions `opts`'), preconditions.uid (`uid`, "" when none) and
 * dryRun (query or opts). *grace stays -1 when not given. */
struct pod_delete_opts {
    int grace;
    char uid[64];
    bool dry;
};

static int pod_delete_opts(const struct kj_http_req *req, const cJSON *opts,
                           struct pod_delete_opts *o, kj_error_t *err)
{
    *o = (struct pod_delete_opts){.grace = -1};
    if (kj_dry_run(req, &o->dry, err) < 0 || kj_dry_run_in(opts, &o->dry, err) < 0)
        return -1;
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(opts, "preconditions"), "uid");
    if (cJSON_IsString(u))
        snprintf(o->uid, sizeof o->uid, "%s", u->valuestring);
    return kj_grace_period_parse(&req->query,
                                 cJSON_GetObjectItemCaseSensitive(opts, "gracePeriodSeconds"),
                                 &o->grace, err);
}

/* The request's body as an object, or NULL when it has none. */
static int body_object(const struct kj_http_req *req, cJSON **out, kj_error_t *err)
{
    *out = NULL;
    if (req->body == NULL || req->body_len == 0)
        return 0;
    enum kj_body_type bt = kj_body_type_detect(req->content_type, req->body, req->body_len);
    return kj_body_decode_object(bt, req->body, req->body_len, out, err);
}

static int pod_delete(struct kj_http_req *req, const struct pod_delete_opts *o, bool evict,
                      cJSON **pod, kj_error_t *err)
{
    const struct kj_apiserver_deps *deps = kj_apiserver_deps(req->srv);
    const char *ns = kj_route_param(&req->params, "namespace");
    const char *name = kj_route_param(&req->params, "name");
    if (deps->pod_delete == NULL)
        return 0;
    return deps->pod_delete(deps->arg, ns, name, o->grace, o->uid[0] ? o->uid : NULL, evict,
                            o->dry, pod, err);
}

int kj_h_pod_delete(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    const char *name = kj_route_param(&req->params, "name");
    if (kj_namespace_check(kj_route_param(&req->params, "namespace"), err) < 0)
        return -1;
    enum kj_propagation policy; /* pods have no dependents: accepted, unused */
    bool dry = false;
    if (kj_delete_options(req, &policy, &dry, err) < 0)
        return -1;
    cleanup_cjson cJSON *opts = NULL;
    struct pod_delete_opts o;
    if (body_object(req, &opts, err) < 0 || pod_delete_opts(req, opts, &o, err) < 0)
        return -1;
    cJSON *pod = NULL;
    int rc = pod_delete(req, &o, false, &pod, err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return kj_http_resp_json(resp, 404, kj_status_not_found("pods", "", name));
    return kj_http_resp_json(resp, 200, pod);
}

/* POST .../pods/{name}/eviction (policy/v1 Eviction): a delete that first
 * marks the pod DisruptionTarget=True. One node and no
 * PodDisruptionBudgets: an eviction is never refused for a budget. */
int kj_h_pod_evict(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    const char *name = kj_route_param(&req->params, "name");
    if (kj_namespace_check(kj_route_param(&req->params, "namespace"), err) < 0)
        return -1;
    cleanup_cjson cJSON *ev = NULL;
    if (body_object(req, &ev, err) < 0)
        return -1;
    if (ev == NULL)
        return kj_make_http_error(err, 400, "an Eviction object is required");
    const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "kind"));
    if (kind != NULL && strcmp(kind, "Eviction") != 0)
        return kj_make_http_error(err, 400, "expected an Eviction object, got %s", kind);
    const char *evname = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(ev, "metadata"), "name"));
    if (evname != NULL && strcmp(evname, name) != 0)
        return kj_make_http_error(err, 400, "name in URL does not match name in Eviction object");
    struct pod_delete_opts o;
    if (pod_delete_opts(req, cJSON_GetObjectItemCaseSensitive(ev, "deleteOptions"), &o, err) < 0)
        return -1;
    cleanup_cjson cJSON *pod = NULL;
    int rc = pod_delete(req, &o, true, &pod, err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return kj_http_resp_json(resp, 404, kj_status_not_found("pods", "", name));
    cJSON *st = cJSON_CreateObject();
    kj_assert(st != NULL);
    cJSON_AddStringToObject(st, "kind", "Status");
    cJSON_AddStringToObject(st, "apiVersion", "v1");
    cJSON_AddObjectToObject(st, "metadata");
    cJSON_AddStringToObject(st, "status", "Success");
    cJSON_AddNumberToObject(st, "code", 201);
    return kj_http_resp_json(resp, 201, st);
}

/* kjob has no Namespace objects: every valid name exists (and is Active),
 * which is what kubectl checks after a 404 on an object in it. */
static cJSON *namespace_object(const char *name)
{
    cJSON *o = cJSON_CreateObject();
    kj_assert(o != NULL);
    cJSON_AddStringToObject(o, "kind", "Namespace");
    cJSON_AddStringToObject(o, "apiVersion", "v1");
    cJSON *meta = cJSON_AddObjectToObject(o, "metadata");
    cJSON_AddStringToObject(meta, "name", name);
    cJSON *labels = cJSON_AddObjectToObject(meta, "labels");
    cJSON_AddStringToObject(labels, "kubernetes.io/metadata.name", name);
    cJSON *fin = cJSON_AddArrayToObject(cJSON_AddObjectToObject(o, "spec"), "finalizers");
    cJSON_AddItemToArray(fin, cJSON_CreateString("kubernetes"));
    cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "status"), "phase", "Active");
    return o;
}

int kj_h_namespace_get(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    const char *name = kj_route_param(&req->params, "name");
    if (kj_namespace_check(name, err) < 0) {
        kj_error_release(err); /* an invalid name is simply not there */
        return kj_http_resp_json(resp, 404, kj_status_not_found("namespaces", "", name));
    }
    return kj_http_resp_json(resp, 200, namespace_object(name));
}

static int ns_cb(const char *ns, const char *name, const cJSON *obj, void *data)
{
    cJSON *items = data;
    (void)name;
    (void)obj;
    const cJSON *last = cJSON_GetArrayItem(items, cJSON_GetArraySize(items) - 1);
    const char *prev = last ? cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(last, "metadata"), "name")) : NULL;
    if (ns != NULL && (prev == NULL || strcmp(prev, ns) != 0) && strcmp(ns, "default") != 0)
        cJSON_AddItemToArray(items, namespace_object(ns));
    return 0;
}

int kj_h_namespaces_list(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    (void)err;
    const struct kj_apiserver_deps *deps = kj_apiserver_deps(req->srv);
    char rv[32];
    snprintf(rv, sizeof rv, "%llu", (unsigned long long)kj_store_current_rv(deps->store));
    cJSON *list = kj_list_json_new("v1", "NamespaceList", rv);
    kj_assert(list != NULL);
    cJSON *items = cJSON_GetObjectItemCaseSensitive(list, "items");
    cJSON_AddItemToArray(items, namespace_object("default"));
    /* The namespaces that hold Jobs (listed in namespace order). */
    kj_store_list(deps->store, "jobs", NULL, ns_cb, items);
    return kj_http_resp_json(resp, 200, list);
}

int kj_h_healthz(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    (void)req;
    (void)err;
    resp->code = 200;
    resp->text = "ok";
    return 0;
}

int kj_h_readyz(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    (void)err;
    const struct kj_apiserver_deps *deps = kj_apiserver_deps(req->srv);
    const char *why = NULL;
    if (deps->ready == NULL || deps->ready(deps->arg, &why)) {
        resp->code = 200;
        resp->text = "ok";
        return 0;
    }
    resp->code = 503;
    resp->text = why != NULL ? why : "not ready";
    return 0;
}

int kj_h_version(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    (void)req;
    (void)err;
    /* One source of truth with discovery (the Kubernetes version emulated). */
    return kj_http_resp_json(resp, 200, kj_discovery_version());
}

#define NS "/namespaces/{namespace}"
static const struct kj_route builtin[] = {
    {"GET", "/healthz", kj_h_healthz, NULL},
    {"GET", "/livez", kj_h_healthz, NULL},
    {"GET", "/readyz", kj_h_readyz, NULL},
    {"GET", "/version", kj_h_version, NULL},
    {"GET", "/api", kj_h_discovery, NULL},
    {"GET", "/apis", kj_h_discovery, NULL},
    {"GET", "/api/{version}", kj_h_discovery, NULL},
    {"GET", "/apis/{group}", kj_h_discovery, NULL},
    {"GET", "/apis/{group}/{version}", kj_h_discovery, NULL},
    {"GET", "/openapi/v3", kj_h_openapi, NULL},
    {"GET", "/openapi/v3/{path...}", kj_h_openapi, NULL},
    {"GET", "/apis/batch/v1/jobs", kj_h_jobs_list, "jobs"},
    {"GET", "/apis/batch/v1" NS "/jobs", kj_h_jobs_list, "jobs"},
    {"POST", "/apis/batch/v1" NS "/jobs", kj_h_jobs_create, "jobs"},
    {"GET", "/apis/batch/v1" NS "/jobs/{name}", kj_h_job_get, "jobs"},
    {"PUT", "/apis/batch/v1" NS "/jobs/{name}", kj_h_job_replace, "jobs"},
    {"PATCH", "/apis/batch/v1" NS "/jobs/{name}", kj_h_job_patch, "jobs"},
    {"DELETE", "/apis/batch/v1" NS "/jobs/{name}", kj_h_job_delete, "jobs"},
    {"GET", "/api/v1/namespaces", kj_h_namespaces_list, "namespaces"},
    {"GET", "/api/v1/namespaces/{name}", kj_h_namespace_get, "namespaces"},
    {"GET", "/api/v1/pods", kj_h_pods_list, "pods"},
    {"GET", "/api/v1" NS "/pods", kj_h_pods_list, "pods"},
    {"GET", "/api/v1" NS "/pods/{name}", kj_h_pod_get, "pods"},
    {"DELETE", "/api/v1" NS "/pods/{name}", kj_h_pod_delete, "pods"},
    {"POST", "/api/v1" NS "/pods/{name}/eviction", kj_h_pod_evict, "pods"},
    {"GET", "/api/v1/events", kj_h_events_list, "events"},
    {"GET", "/api/v1" NS "/events", kj_h_events_list, "events"},
};

const struct kj_route *kj_apiserver_builtin_routes(size_t *n)
{
    *n = sizeof builtin / sizeof builtin[0];
    return builtin;
}
