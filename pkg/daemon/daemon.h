/* kjobd's skeleton (redis-style): one context holding every part, built
 * from a validated config, run on one libevent loop, torn down in order.
 *
 *   struct kjobd *k = kj_daemon_new(&cfg, &err);   // fatal errors only here
 *   kj_daemon_run(k);                              // until SIGINT/SIGTERM
 *   kj_daemon_free(k);
 *
 * Parts: event_base, Docker client (pkg/docker), store (pkg/store), Docker
 * runtime (controller/runtime_docker.h), Job driver (controller/driver.h),
 * REST server (pkg/apiserver). SIGINT/SIGTERM stop accepting connections and
 * leave the loop; containers keep running (a restarted kjobd adopts them).
 */
#ifndef KJ_DAEMON_DAEMON_H
#define KJ_DAEMON_DAEMON_H

#include "daemon/config.h" /* kj_daemon_config */
#include "util/error.h"    /* kj_error_t */

struct kjobd;

/* Build everything and bind the listen addresses. `cfg` is borrowed and
 * must outlive the daemon. NULL with *err when something cannot start (bad
 * docker host, state dir locked or unwritable, address in use). The engine
 * being down is NOT an error: kjobd starts not-ready and waits for it. */
struct kjobd *kj_daemon_new(const struct kj_daemon_config *cfg, kj_error_t *err);

/* Start background work and run the loop until a stop signal. Returns 0, or
 * -1 with *err if the loop could not be started. */
int kj_daemon_run(struct kjobd *k, kj_error_t *err);

/* Tear down in reverse order. NULL ok. */
void kj_daemon_free(struct kjobd *k);

#endif
