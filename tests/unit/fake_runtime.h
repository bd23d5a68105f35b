/* A fake container runtime for controller tests (struct kj_runtime_ops).
 *
 * It keeps "containers" in memory, records every operation, and completes
 * nothing on its own: the test decides when operations finish
 * (kj_fake_runtime_complete), when containers exit (kj_fake_runtime_exit),
 * and whether operations fail (kj_fake_runtime_fail_next). Observations go
 * to the observer installed through set_observer, synchronously from these
 * test calls. No libevent, no clock: times come from kj_fake_runtime_set_now.
 *
 * Linked into every unit test binary (UNIT_HELPERS), so it is self-contained.
 */
#ifndef KJ_TESTS_FAKE_RUNTIME_H
#define KJ_TESTS_FAKE_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

#include "controller/runtime.h" /* struct kj_runtime */

enum kj_fake_op {
    KJ_FAKE_CREATE = 0,
    KJ_FAKE_RESTART = 1,
    KJ_FAKE_STOP = 2,
    KJ_FAKE_REMOVE = 3,
    KJ_FAKE_LIST = 4,
    KJ_FAKE_NOPS = 5,
};

struct kj_fake_runtime;

/* New empty runtime; aborts on OOM. kj_fake_runtime_free delivers pending
 * completions with an ECANCELED error, as runtime.h requires. */
struct kj_fake_runtime *kj_fake_runtime_new(void);
void kj_fake_runtime_free(struct kj_fake_runtime *f);

/* The vtable view, borrowing f. */
struct kj_runtime kj_fake_runtime_get(struct kj_fake_runtime *f);

/* Clock used for created/started/finished times (ns). */
void kj_fake_runtime_set_now(struct kj_fake_runtime *f, int64_t now_ns);

/* Number of operations of a kind accepted so far (completed or not). */
int kj_fake_runtime_calls(const struct kj_fake_runtime *f, enum kj_fake_op op);

/* Make the next `n` operations of a kind fail: refused at call time
 * (at_call true, the op returns -1) or in their completion. */
void kj_fake_runtime_fail_next(struct kj_fake_runtime *f, enum kj_fake_op op, int n, bool at_call);

/* Complete up to `max` pending operations (oldest first; max < 0 = all),
 * applying their effect: create → container RUNNING, restart → RUNNING,
 * stop → EXITED 143 (unless already exited), remove → gone (REMOVED
 * observed), list → the current containers. Completions run callbacks that
 * may queue new operations; those are not completed by the same call.
 * Returns the number completed. */
int kj_fake_runtime_complete(struct kj_fake_runtime *f, int max);
int kj_fake_runtime_pending(const struct kj_fake_runtime *f);

/* Make a running container exit with `code` (observed EXITED). Returns 0, or
 * -1 if there is no such running container. */
int kj_fake_runtime_exit(struct kj_fake_runtime *f, const char *pod_name, int code);

/* Remove a container behind kjob's back (`docker rm -f`): a running one is
 * observed EXITED 137 then REMOVED. Returns -1 if absent. */
int kj_fake_runtime_rm_force(struct kj_fake_runtime *f, const char *pod_name);

/* Turn a container into one created but never started (kjobd killed
 * between its create and its start): CREATED, no start time; observed.
 * Returns -1 if absent. */
int kj_fake_runtime_strand(struct kj_fake_runtime *f, const char *pod_name);

/* The grace period (seconds) of the last pod_stop of a container (also
 * one removed since), -1 when none was asked. */
int kj_fake_runtime_stop_grace(const struct kj_fake_runtime *f, const char *pod_name);

/* Stop delivering observations (engine event stream down) or resume. */
void kj_fake_runtime_mute(struct kj_fake_runtime *f, bool mute);

/* Containers currently present, and how many are in `state`. */
int kj_fake_runtime_count(const struct kj_fake_runtime *f, enum kj_pod_obs_state state);
/* Name of the i-th container (creation order) or NULL; its state. */
const char *kj_fake_runtime_name(const struct kj_fake_runtime *f, int i,
                                 enum kj_pod_obs_state *state);
/* Pod name of the i-th running container, or NULL. */
const char *kj_fake_runtime_running(const struct kj_fake_runtime *f, int i);
/* Highest number of simultaneously running (or creating) containers seen. */
int kj_fake_runtime_max_active(const struct kj_fake_runtime *f);
/* The env entry "NAME=..." the container was created with, or NULL. */
const char *kj_fake_runtime_env(const struct kj_fake_runtime *f, const char *pod_name,
                                const char *name);
/* Value of a label the container was created with, or NULL. */
const char *kj_fake_runtime_label(const struct kj_fake_runtime *f, const char *pod_name,
                                  const char *key);
const char *kj_fake_runtime_hostname(const struct kj_fake_runtime *f, const char *pod_name);

#endif
