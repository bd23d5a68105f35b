/* Handlers of the built-in routes (server.h). Each follows
 * kj_http_handler_fn: fill `resp`, or return < 0 with *err (rendered as a
 * Status by the dispatcher). Internal to pkg/apiserver and its tests.
 */
#ifndef KJ_APISERVER_HANDLERS_H
#define KJ_APISERVER_HANDLERS_H

#include <stdbool.h> /* bool */

#include <cjson/cJSON.h> /* cJSON */

#include "apiserver/query.h" /* enum kj_propagation */
#include "apiserver/request.h"
#include "util/error.h"

int kj_h_jobs_list(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err);
/* A list (or, with ?watch=1, a watch) of the store's `resource` in the
 * route's {namespace} (all when absent) as `api_version`/`list_kind`, with
 * label/field selectors: what every kind kept whole in the store serves. */
int kj_h_store_list(struct kj_http_req *req, struct kj_http_resp *resp, const char *resource,
                    const char *api_version, const char *list_kind, kj_error_t *err);
int kj_h_jobs_create(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err);
int kj_h_job_get(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err);
int kj_h_job_replace(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err);
int kj_h_job_patch(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err);
int kj_h_job_delete(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err);
int kj_h_pods_list(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err);
int kj_h_pod_get(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err);
int kj_h_pod_delete(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err);
int kj_h_pod_evict(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err);
int kj_h_events_list(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err);
int kj_h_discovery(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err);
int kj_h_openapi(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err);
int kj_h_namespace_get(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err);
int kj_h_namespaces_list(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err);
int kj_h_healthz(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err);
int kj_h_readyz(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err);
int kj_h_version(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err);

/* The request's dryRun parameter: absent = false, "All" = true (the write
 * is validated and answered as usual but not stored; kubectl diff and
 * --dry-run=server rely on it), anything else HTTP 400. */
int kj_dry_run(const struct kj_http_req *req, bool *out, kj_error_t *err);

/* dryRun of a DeleteOptions object (opts may be NULL): ["All"] sets *dry;
 * any other value is an HTTP 400. */
int kj_dry_run_in(const cJSON *opts, bool *dry, kj_error_t *err);

/* A DELETE's options: dryRun and propagationPolicy from the query or a
 * DeleteOptions body (the query wins; orphanDependents is honoured too).
 * *out stays KJ_PROPAGATION_UNSET when none is given. -1 with an HTTP 400
 * error for a bad value or body. */
int kj_delete_options(struct kj_http_req *req, enum kj_propagation *out, bool *dry,
                      kj_error_t *err);

/* Mark `obj` (a stored object's copy, modified in place) as being deleted:
 * deletionTimestamp now, deletionGracePeriodSeconds 0 and `finalizer`
 * appended to metadata.finalizers unless present. Its controller finishes
 * the deletion. */
void kj_delete_mark(cJSON *obj, const char *finalizer);

/* A copy of a stored object for a client: kjob's private keys (the
 * controller ledger) removed. New tree owned by the caller. */
cJSON *kj_apiserver_client_copy(const cJSON *stored);

/* kj_store_list callback building a List's items: each object matching
 * `filter` is appended to `items` as a client copy without kind/apiVersion
 * (upstream omits them inside list items). data is a struct kj_list_ctx. */
struct kj_filter;
struct kj_list_ctx {
    struct kj_filter *filter; /* borrowed */
    cJSON *items;             /* borrowed: the List's "items" array */
};
int kj_list_item_cb(const char *ns, const char *name, const cJSON *obj, void *data);

/* A new random RFC 4122 version-4 UUID string (owned by caller). */
char *kj_uuid_new(void);

/* 0 if `ns` is a valid namespace name (DNS-1123 label), else -1 with an
 * HTTP 400 (Kubernetes answers unknown namespaces with 404; kjob has no
 * Namespace objects, so every valid name exists). */
int kj_namespace_check(const char *ns, kj_error_t *err);

#endif
