/* Route tables of the kubectl-compatibility layer (the "api" module):
 * Job subresources and write wrappers (handlers_sub.c) and pod watches
 * (watch_pods.c). The daemon registers them with kj_apiserver_add_routes()
 * after the built-in table, so they take precedence over it.
 */
#ifndef KJ_APISERVER_API_ROUTES_H
#define KJ_APISERVER_API_ROUTES_H

#include <stddef.h> /* size_t */

#include "apiserver/router.h" /* kj_route */

struct kj_apiserver;

/* POST/PUT/PATCH of Jobs with fieldValidation and server-side apply, and the
 * jobs/{name}/status and jobs/{name}/scale subresources. Static table; *n
 * receives its length. */
const struct kj_route *kj_apiserver_sub_routes(size_t *n);

/* GET pods lists that also answer ?watch=1 (the pod view is diffed when
 * something changed; see watch_pods.c). Static table; *n receives its
 * length. */
const struct kj_route *kj_apiserver_pod_watch_routes(size_t *n);

/* Pods of `srv` may have changed (the runtime observed something): its pod
 * watches look again shortly, coalescing bursts. Cheap; callable from any
 * callback on the loop. */
void kj_apiserver_pods_changed(struct kj_apiserver *srv);

#endif
