/* Generic REST handlers for the simple namespaced kinds kept whole in the
 * store (ConfigMaps, Secrets: handlers_config.c; ReplicaSets, Services:
 * handlers_queue.c): list (+watch), create, get, replace, patch, delete.
 *
 * A kind is a `struct kj_kt_kind` descriptor (static, registered once with
 * kj_kt_register()); its hooks carry what differs between kinds, the
 * handlers here carry what does not: decoding and the apiVersion/kind check,
 * metadata defaulting on create, the 404/409 Status objects, the merge of
 * labels and annotations on update, the optimistic-concurrency conflict.
 * Handlers find the descriptor by the route's `resource`, so every route
 * using them must name a registered resource.
 *
 * Every handler follows router.h: it returns 0 with `resp` filled (also for
 * the 4xx answers it writes itself as Status objects), or -1 with *err set
 * (400 for bad bodies, 404/500 from the store) for the dispatcher to render.
 */
#ifndef KJ_APISERVER_KINDTABLE_H
#define KJ_APISERVER_KINDTABLE_H

#include <cjson/cJSON.h> /* cJSON */
#include <stdbool.h>     /* bool */

#include "apiserver/query.h"   /* enum kj_propagation */
#include "apiserver/request.h" /* kj_http_req, kj_http_resp */
#include "util/error.h"        /* kj_error_t */

struct kj_store;

/* Hooks answering a request themselves return 1 with `resp` filled (a 4xx
 * or 5xx Status), 0 to go on; they own nothing they are given. */
struct kj_kt_kind {
    const char *resource;    /* "configmaps"; also the route's resource */
    const char *group;       /* "" for core/v1, else e.g. "apps" */
    const char *api_version; /* "v1", "apps/v1" */
    const char *kind, *list_kind;
    /* PUT/PATCH on the .../{name}/status routes replace only .status. */
    bool status_subresource;
    /* DELETE reads DeleteOptions: dryRun answers without deleting, the
     * propagation policy goes to `on_delete`. */
    bool delete_options;
    /* Log a successful replace/patch (create and delete always log). */
    bool log_updates;

    /* Decode a body the JSON/YAML decoder does not read (a protobuf
     * content type): 0 with *out owned by the caller, -1 with *err, or 1
     * when the body is not of its kind of encoding. May be NULL. */
    int (*decode)(const struct kj_http_req *req, const struct kj_kt_kind *k, cJSON **out,
                  kj_error_t *err);
    /* Validate and default `obj` in place; `cur` is the stored version on
     * update, NULL on create. Required. */
    int (*check)(cJSON *obj, const cJSON *cur, const struct kj_kt_kind *k, struct kj_http_resp *resp);
    /* On create, after metadata is complete and before storing: fill what
     * the server owns (status, generation ...). May be NULL. */
    int (*prepare_create)(struct kj_http_req *req, const struct kj_kt_kind *k, cJSON *obj,
                          struct kj_http_resp *resp);
    /* On update (not /status): move the content of the checked `next` onto
     * `out`, a copy of the stored `cur` whose labels and annotations are
     * already next's. Required. */
    int (*merge)(struct kj_http_req *req, const struct kj_kt_kind *k, const cJSON *cur,
                 const cJSON *next, cJSON *out, struct kj_http_resp *resp);
    /* Before an actual delete, with the request's propagation policy:
     * 0 = delete now, 1 = resp is the answer (the object was kept, e.g.
     * marked for its controller), -1 with *err. May be NULL. */
    int (*on_delete)(struct kj_http_req *req, const struct kj_kt_kind *k, const cJSON *cur,
                     enum kj_propagation policy, struct kj_http_resp *resp, kj_error_t *err);
};

/* Make `k` (borrowed, static) findable by the handlers under k->resource.
 * Registering the same descriptor again is a no-op; a table overflow (more
 * kinds than the fixed table holds) aborts, being a programming error. */
void kj_kt_register(const struct kj_kt_kind *k);

/* The store behind the request's server (borrowed). */
struct kj_store *kj_kt_store(const struct kj_http_req *req);

/* The stored object named by the route's {namespace}/{name} (borrowed from
 * the store, valid until the next store write). NULL with *err set for a
 * bad namespace, or NULL with resp holding the 404 Status (*err NULL). */
const cJSON *kj_kt_lookup(struct kj_http_req *req, const struct kj_kt_kind *k,
                            struct kj_http_resp *resp, kj_error_t *err);

/* Store `next` (owned, freed in every case) as the new state of the stored
 * `cur` (borrowed) named by the route: on a /status path of a kind with
 * status_subresource only .status changes, else check + merge. `expect_rv`
 * (borrowed, may be NULL) is the resourceVersion the client based it on;
 * a mismatch answers 409 Conflict. 0 with resp set (200 with the stored
 * object, or a 4xx Status), -1 with *err. */
int kj_kt_store_update(struct kj_http_req *req, struct kj_http_resp *resp,
                         const struct kj_kt_kind *k, const cJSON *cur, cJSON *next,
                         const char *expect_rv, kj_error_t *err);

/* The route handlers (router.h contract). */
int kj_kt_h_list(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err);
int kj_kt_h_create(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err);
int kj_kt_h_get(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err);
int kj_kt_h_replace(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err);
int kj_kt_h_patch(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err);
int kj_kt_h_delete(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err);

/* Route table entries for a kind served at ROOT ("/api/v1/",
 * "/apis/apps/v1/"): list across namespaces, then list, create, get,
 * replace, patch, delete in a namespace. */
#define KJ_KT_ROUTES(ROOT, RES)                                                           \
    {"GET", ROOT RES, kj_kt_h_list, RES},                                                 \
    {"GET", ROOT "namespaces/{namespace}/" RES, kj_kt_h_list, RES},                       \
    {"POST", ROOT "namespaces/{namespace}/" RES, kj_kt_h_create, RES},                    \
    {"GET", ROOT "namespaces/{namespace}/" RES "/{name}", kj_kt_h_get, RES},              \
    {"PUT", ROOT "namespaces/{namespace}/" RES "/{name}", kj_kt_h_replace, RES},          \
    {"PATCH", ROOT "namespaces/{namespace}/" RES "/{name}", kj_kt_h_patch, RES},          \
    {"DELETE", ROOT "namespaces/{namespace}/" RES "/{name}", kj_kt_h_delete, RES}

/* The /status subresource (get, replace, patch) of a kind with
 * status_subresource set. */
#define KJ_KT_STATUS_ROUTES(ROOT, RES)                                                    \
    {"GET", ROOT "namespaces/{namespace}/" RES "/{name}/status", kj_kt_h_get, RES},       \
    {"PUT", ROOT "namespaces/{namespace}/" RES "/{name}/status", kj_kt_h_replace, RES},   \
    {"PATCH", ROOT "namespaces/{namespace}/" RES "/{name}/status", kj_kt_h_patch, RES}

#endif
