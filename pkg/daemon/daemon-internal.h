/* Private to pkg/daemon: the daemon context and the routes it adds to the
 * API server (those that need the engine, e.g. pod logs). */
#ifndef KJ_DAEMON_DAEMON_INTERNAL_H
#define KJ_DAEMON_DAEMON_INTERNAL_H

#include <stddef.h> /* size_t */

#include <cjson/cJSON.h>

#include "apiserver/router.h" /* kj_route */
#include "util/error.h"
#include "daemon/config.h"

struct kjobd {
    const struct kj_daemon_config *cfg;
    struct event_base *base;
    struct kj_docker *docker;
    struct kj_store *store;
    struct kj_runtime_docker *rd;
    struct kj_pod_group *group; /* multi-container pods, over rd */
    struct kj_job_driver *driver;
    struct kj_rs_driver *rs; /* ReplicaSets and Services */
    struct kj_apiserver *srv;
    struct event *sig_int, *sig_term;
};

/* Routes served by the daemon itself (logs.c): their handlers find the
 * context as kj_apiserver_deps(srv)->arg. Static table. */
const struct kj_route *kj_daemon_routes(size_t *n);

/* The pod `name` of `ns` as the API shows it (owned), or NULL. */
cJSON *kj_daemon_pod(struct kjobd *k, const char *ns, const char *name);

/* kube-apiserver's validateContainer for pod subresources (logs.c): the
 * container `want` names (NULL = the only one), as *name (owned) and its
 * Docker container *ref (owned); -1 with an HTTP 400 naming the choices. */
int kj_daemon_pick_container(const cJSON *pod, const char *pod_name, const char *want,
                             char **name, char **ref, kj_error_t *err);

/* pods/{name}/exec, attach and portforward (podstream.c): not served; the
 * answer says what to use instead. */
int kj_daemon_h_pod_stream(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err);

#endif
