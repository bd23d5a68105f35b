/* Publishing Service ports on the host's loopback: a userspace proxy, as
 * kube-proxy's old userspace mode did. Docker publishes ports only when a
 * container is created, and kjob pods exist before the Services that select
 * them, so kjobd itself listens on 127.0.0.1:<port> (never another address)
 * and splices every accepted TCP connection to one endpoint the caller picks
 * (pod IP : targetPort, reached over the pod network the host is attached to).
 *
 *   struct kj_svc_publisher *pub = kj_svc_publisher_new(base, pick_cb, arg, 0);
 *   kj_svc_publisher_begin(pub);                       // each controller sync:
 *   kj_svc_publisher_want(pub, "ns", "web", 80, 80, &bound, &err);
 *   kj_svc_publisher_want(pub, "ns", "web", 80, 30080, &bound, &err);
 *   kj_svc_publisher_end(pub);                         // closes the rest
 *   ...
 *   kj_svc_publisher_free(pub);                        // listeners and connections
 *
 * A listener is keyed by (namespace, service, host port, service port); one
 * not wanted again between begin() and end() is closed. Connections already
 * accepted live on until either side closes: they belong to the publisher,
 * not to a listener. Flow control: a side stops being read while the other
 * side's output holds more than KJ_SVC_PUB_HIGH_WATER bytes. Threads: the
 * event loop's only.
 */
#ifndef KJ_CONTROLLER_SVC_PUBLISH_H
#define KJ_CONTROLLER_SVC_PUBLISH_H

#include <stddef.h> /* size_t */

#include "util/error.h" /* kj_error_t */

struct event_base;
struct kj_svc_publisher;

/* Bytes buffered toward one side before the other side stops being read. */
#define KJ_SVC_PUB_HIGH_WATER (256 * 1024)
/* Default cap on proxied connections (both directions count once). */
#define KJ_SVC_PUB_MAX_CONNS 512

/* Where to send a connection accepted for Service `svc` port `port` in `ns`:
 * set *ip (a new string, the publisher frees it) and *target_port and return
 * 0, or return < 0 with *err set (the publisher releases it; no endpoint:
 * the client is closed). Asked again, up to 3 times per connection, when
 * connecting to the endpoint fails or takes over 5 s, so a round-robin
 * picker moves past a pod that just went away. */
typedef int (*kj_svc_pick_cb)(void *arg, const char *ns, const char *svc, int port, char **ip,
                              int *target_port, kj_error_t *err);

/* New publisher on `base` (borrowed, must outlive it). `pick` and `arg` are
 * borrowed. max_conns <= 0 means KJ_SVC_PUB_MAX_CONNS; past the cap new
 * connections are accepted and closed at once. Never fails (aborts on OOM). */
struct kj_svc_publisher *kj_svc_publisher_new(struct event_base *base, kj_svc_pick_cb pick,
                                              void *arg, int max_conns);

/* Start a reconciliation round: every listener is unmarked. */
void kj_svc_publisher_begin(struct kj_svc_publisher *pub);

/* Make sure 127.0.0.1:host_port is listening for Service ns/svc port
 * svc_port and mark it wanted. host_port 0 binds an ephemeral port (tests).
 * On success *bound (may be NULL) is the port actually bound. Fails when the
 * port cannot be bound (the errno of bind/listen, e.g. EADDRINUSE, in *err;
 * a port already held by another Service of this publisher is EADDRINUSE
 * too); the next round tries again. */
int kj_svc_publisher_want(struct kj_svc_publisher *pub, const char *ns, const char *svc,
                          int svc_port, int host_port, int *bound, kj_error_t *err);

/* End the round: close every listener not wanted since begin(). */
void kj_svc_publisher_end(struct kj_svc_publisher *pub);

/* Number of open listeners / proxied connections (for tests and logs). */
size_t kj_svc_publisher_listeners(const struct kj_svc_publisher *pub);
size_t kj_svc_publisher_conns(const struct kj_svc_publisher *pub);

/* Close every listener and connection and free. NULL ok. */
void kj_svc_publisher_free(struct kj_svc_publisher *pub);

#endif
