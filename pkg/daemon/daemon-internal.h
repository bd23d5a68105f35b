/* Private to pkg/daemon: the daemon context and the routes it adds to the
 * API server (those that need the engine, e.g. pod logs). */
#ifndef KJ_DAEMON_DAEMON_INTERNAL_H
#define KJ_DAEMON_DAEMON_INTERNAL_H

#include <stddef.h> /* size_t */

#include "apiserver/router.h" /* kj_route */
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

#endif
