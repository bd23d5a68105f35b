/* The REST API server: evhttp on the daemon's event_base, listening on TCP
 * and unix sockets, routing requests through route tables (router.h) to
 * handlers (handlers_*.c) and rendering every failure as a `Status`.
 *
 *   struct kj_apiserver *srv = kj_apiserver_new(base, &deps, &err);
 *   kj_apiserver_listen(srv, "127.0.0.1", 8001, NULL, &err);
 *   ... event_base_dispatch(base) ...
 *   kj_apiserver_free(srv);
 *
 * Limits (issue 6): request body and header sizes, a 60 s timeout to send a
 * request (which also drops connections that never send one), and a cap on
 * open connections (conns.h); handlers learn that a client went away via
 * kj_apiserver_on_close(), never evhttp_connection_set_closecb().
 *
 * Built-in routes: Jobs CRUD (batch/v1), pods and events reads (core/v1),
 * /healthz, /readyz, /version. Other modules add theirs with
 * kj_apiserver_add_routes().
 */
#ifndef KJ_APISERVER_SERVER_H
#define KJ_APISERVER_SERVER_H

#include <cjson/cJSON.h> /* cJSON */
#include <stdbool.h>     /* bool */
#include <stddef.h>      /* size_t */

#include "apiserver/query.h"  /* enum kj_propagation */
#include "apiserver/router.h" /* kj_route */
#include "util/error.h"       /* kj_error_t */

struct event_base;
struct kj_store;

/* What the server needs from the rest of the daemon. Callbacks get `arg`. */
struct kj_apiserver_deps {
    struct kj_store *store; /* borrowed: Jobs and Events live here */
    void *arg;
    /* Pods of namespace `ns` (NULL = all) as API Pod JSON objects appended to
     * `items` (a cJSON array owned by the caller). NULL = no pods yet. */
    int (*pods_list)(void *arg, const char *ns, cJSON *items, kj_error_t *err);
    /* One pod as a new API Pod object (caller owns), or NULL if unknown. */
    cJSON *(*pod_get)(void *arg, const char *ns, const char *name);
    /* A client's DELETE of a pod: grace_s < 0 = the pod's own grace
     * period, uid a precondition (NULL = none), evict: through the eviction
     * API (the pod is marked DisruptionTarget), dry_run changes nothing.
     * 1 with *pod (owned, with its deletionTimestamp), 0 = no such pod,
     * -1 with *err. NULL = pods cannot be deleted (404). */
    int (*pod_delete)(void *arg, const char *ns, const char *name, int grace_s, const char *uid,
                      bool evict, bool dry_run, cJSON **pod, kj_error_t *err);
    /* Ready to serve (engine reachable...). `why` (static or arg-owned text)
     * explains a false answer. NULL = always ready. */
    bool (*ready)(void *arg, const char **why);
    /* A Job was deleted or marked for deletion with this policy: cascade.
     * Called after the store changed. NULL = nothing to do. */
    void (*job_deleted)(void *arg, const char *ns, const char *name, const char *uid,
                        enum kj_propagation policy);
    /* Default propagation for DELETE without a policy (UNSET = Kubernetes'
     * batch/v1 default, Orphan). */
    enum kj_propagation default_propagation;
    /* Accept Jobs whose pod template has hostPath volumes (kjobd
     * --allow-host-path); otherwise they are refused with a 422. */
    bool allow_host_path;
    /* Open client connections served at once (kjobd --max-connections);
     * a request on a further connection gets a 429. 0 = 1024 (conns.h). */
    size_t max_connections;
};

struct kj_apiserver;

/* Create the server (no socket yet). `deps` is copied; its pointers are
 * borrowed and must outlive the server. NULL with *err on failure. */
struct kj_apiserver *kj_apiserver_new(struct event_base *base, const struct kj_apiserver_deps *deps,
                                      kj_error_t *err);

/* Listen on host:port (TCP) or, when unix_path is non-NULL, on that unix
 * socket (a stale socket file is replaced). May be called several times.
 * Fails if the address cannot be bound. */
int kj_apiserver_listen(struct kj_apiserver *srv, const char *host, int port,
                        const char *unix_path, kj_error_t *err);

/* Configure what remote listeners (kj_apiserver_listen_remote) require:
 * TLS from PEM files (cert and key both or neither) and bearer tokens from
 * `token_file` (secure.h; NULL = none). Call before listening. Fails when a
 * file is unreadable or insecure, or the key does not match. */
int kj_apiserver_secure(struct kj_apiserver *srv, const char *cert_file, const char *key_file,
                        const char *token_file, kj_error_t *err);
bool kj_apiserver_has_tls(const struct kj_apiserver *srv);
bool kj_apiserver_has_tokens(const struct kj_apiserver *srv);

/* Listen on a TCP address for remote clients: TLS when configured, and every
 * request needs a valid bearer token when tokens are configured (else 401).
 * The policy (TLS and tokens mandatory unless --insecure-listen) is the
 * daemon's. */
int kj_apiserver_listen_remote(struct kj_apiserver *srv, const char *host, int port, kj_error_t *err);

struct evhttp_request;

/* A handler is about to stream a long response on `ev` (watch, logs -f):
 * lift the per-request timeout for its connection, which would otherwise
 * cut the stream after REQUEST_TIMEOUT_S without client traffic. The stream
 * ends on its own terms (timeoutSeconds, end of logs, client gone). */
void kj_apiserver_streaming(struct evhttp_request *ev);

/* The TCP port actually bound by the last TCP listen (for port 0). */
int kj_apiserver_port(const struct kj_apiserver *srv);

/* Add a route table (borrowed, must outlive the server). Tables added later
 * are matched first. */
void kj_apiserver_add_routes(struct kj_apiserver *srv, const struct kj_route *routes, size_t n);

/* The deps the server was created with (borrowed). */
const struct kj_apiserver_deps *kj_apiserver_deps(const struct kj_apiserver *srv);

/* Stop accepting connections (shutdown); requests in flight still finish. */
void kj_apiserver_stop_listening(struct kj_apiserver *srv);

/* Close listeners and connections, remove unix socket files, free. NULL ok. */
void kj_apiserver_free(struct kj_apiserver *srv);

/* The built-in route table (for tests and for kj_apiserver_new). */
const struct kj_route *kj_apiserver_builtin_routes(size_t *n);

struct kj_http_req;
struct kj_http_resp;

/* Replace a 200 response body (a list, or one object) by the meta.k8s.io/v1
 * Table of it (kubeapi/table.h), as kubectl's server-side printing expects.
 * Status bodies and kinds without a Table are left alone. */
void kj_apiserver_tableize(struct kj_http_req *req, struct kj_http_resp *resp);

/* The route for method + path across the registered tables (newest first),
 * params filled; NULL with *code 404 (no such path) or 405 (not for this
 * method). */
const struct kj_route *kj_apiserver_find_route(struct kj_apiserver *srv, const char *method,
                                               const char *path, struct kj_route_params *params,
                                               int *code);

/* Remove kjob's private keys (the controller ledger) from a stored object
 * copy before it is shown to a client. */
void kj_apiserver_strip_private(cJSON *obj);

#endif
