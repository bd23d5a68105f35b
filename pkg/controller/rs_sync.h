/* The ReplicaSet decision, pure: desired replicas + the pods the set owns +
 * now → how many pods to create, which to delete, which exited containers to
 * restart in place (restartPolicy Always, CrashLoopBackOff-style backoff),
 * when to look again, and the status counts. No I/O, no allocation;
 * unit-tested in tests/unit/test_rs.c.
 */
#ifndef KJ_CONTROLLER_RS_SYNC_H
#define KJ_CONTROLLER_RS_SYNC_H

#include <stdbool.h> /* bool */
#include <stdint.h>  /* int64_t */

#include "controller/runtime.h" /* enum kj_pod_obs_state */

/* Most pods one decision looks at; extra pods are ignored (and so never
 * deleted) until the set shrinks. */
#define KJ_RS_MAX_PODS 256

/* One owned pod as the decision sees it. */
struct kj_rs_pod {
    enum kj_pod_obs_state state;
    bool ready;         /* RUNNING and its readiness probe (if any) passes */
    bool busy;          /* an operation on it is in flight: neither restart nor delete */
    bool stranded;      /* a one-container pod CREATED but never started (a crash
                         * between create and start): started at once */
    int restarts;       /* exits observed so far (drives the backoff) */
    int64_t created_at; /* ns; newer pods are deleted first */
    int64_t finished_at;
};

struct kj_rs_status {
    int replicas;      /* pods that exist (any state but REMOVED) */
    int ready;         /* running and ready */
    int available;     /* ready (minReadySeconds is 0) */
    int fully_labeled; /* every pod kjob creates carries the template labels */
};

struct kj_rs_decision {
    int n_create;
    int n_delete;
    int delete_idx[KJ_RS_MAX_PODS]; /* indexes into the pods array, in deletion order */
    int n_restart;
    int restart_idx[KJ_RS_MAX_PODS];
    int64_t wake_at; /* ns: earliest pending restart, 0 = none */
    struct kj_rs_status status;
};

/* Restart delay after `restarts` exits: base * 2^(restarts-1), capped at max
 * (the kubelet's 10 s, 20 s ... 5 min with the defaults). */
int64_t kj_rs_backoff(int restarts, int64_t base, int64_t max);

/* Decide. pods[0..n) are the set's live pods (REMOVED ones may be passed and
 * are ignored); n is clamped to KJ_RS_MAX_PODS. Deletion order follows the
 * Kubernetes controller: not yet running before running, not ready before
 * ready, most restarts first, then newest first. Busy pods are counted but
 * never chosen. Fills *out completely. */
void kj_rs_sync(int replicas, const struct kj_rs_pod *pods, int n, int64_t now, int64_t base,
                int64_t max, struct kj_rs_decision *out);

#endif
