/* The Job reconcile decision: a pure function.
 *
 *   (stored Job JSON, ledger, observed pods, config{now, backoffs, rand})
 *       → result{actions, new status, new ledger, events, requeue_at, ttl}
 *
 * No I/O, no clock, no randomness except cfg->rand_bytes (pod names and
 * uids). Semantics follow shared/reference/k8s-job.md §2-§7 and §10.2;
 * tests/unit/test_job_sync*.c has one test per rule.
 *
 * Call order in the driver: sync → persist result->status + result->ledger
 * (one atomic write of the Job) → execute result->actions → store
 * result->events. Persisting first is what makes counting exactly-once: a
 * crash after the write re-executes idempotent actions; a crash before it
 * recounts the same observations against the old ledger.
 *
 * Observed pods: every observation the driver holds for containers whose
 * job_uid is this Job's uid, plus a synthetic KJ_POD_OBS_CREATING entry (no
 * container_id) for every create still in flight ("expectations"). A
 * ledger entry that was never observed and is not in flight is a create
 * that never happened (crash): it is dropped, not counted. One that was
 * observed and has vanished without an exit is a failure (a `docker rm -f`).
 *
 * Pod deletion = graceful stop (KJ_SYNC_STOP) then, once exited, removal
 * (KJ_SYNC_REMOVE): deleted pods disappear as in Kubernetes, finished pods
 * are kept (logs) until the Job is deleted, or until a client deletes them
 * (ledger delete_asked; also done for a finished Job, whose sync is
 * otherwise skipped).
 */
#ifndef KJ_CONTROLLER_JOB_SYNC_H
#define KJ_CONTROLLER_JOB_SYNC_H

#include <stdbool.h> /* bool */
#include <stddef.h>  /* size_t */
#include <stdint.h>  /* int64_t */

#include <cjson/cJSON.h> /* cJSON */

#include "controller/ledger.h"  /* struct kj_ledger */
#include "controller/runtime.h" /* struct kj_pod_obs */

#define KJ_NS_PER_SEC 1000000000LL

struct kj_sync_config {
    int64_t now; /* Unix ns */
    /* Pod-replacement backoff (§3.2, restartPolicy Never):
     * base × 2^(n−1), capped. Defaults 10 s / 600 s. */
    int64_t backoff_base;
    int64_t backoff_max;
    /* In-place restart backoff (§3.1, restartPolicy OnFailure):
     * base × 2^(restarts−1), capped. Defaults 10 s / 300 s. */
    int64_t restart_base;
    int64_t restart_max;
    int max_creates; /* per sync; 0 = 500 */
    /* Fill buf with n random bytes (pod name suffixes, pod uids). */
    void (*rand_bytes)(void *arg, unsigned char *buf, size_t n);
    void *rand_arg;
};

/* Defaults above, now = 0, rand_bytes = NULL (caller sets both). */
void kj_sync_config_defaults(struct kj_sync_config *cfg);

enum kj_sync_action_kind {
    KJ_SYNC_CREATE = 0,  /* create + start a new pod */
    KJ_SYNC_RESTART = 1, /* start the exited container again, in place */
    KJ_SYNC_STOP = 2,    /* graceful stop (a pod delete) */
    KJ_SYNC_REMOVE = 3,  /* remove the container (deleted pod has exited) */
};

struct kj_sync_action {
    enum kj_sync_action_kind kind;
    char *pod_name;     /* owned */
    char *pod_uid;      /* owned */
    char *container_id; /* owned, NULL if unknown */
    int index;          /* -1 = none */
    int index_failures; /* CREATE, Indexed with backoffLimitPerIndex: the
                           job-index-failure-count annotation value */
    bool counted_failed; /* STOP: the deletion counts as a failure */
    int grace_seconds;   /* STOP: a client's gracePeriodSeconds, -1 = the result's */
    bool client;         /* STOP/REMOVE of a pod a client deleted */
};

struct kj_sync_event {
    bool warning; /* type Warning, else Normal */
    char *reason;  /* owned */
    char *message; /* owned */
};

struct kj_sync_result {
    bool skipped;      /* nothing to do (foreign managedBy / finished Job) */
    cJSON *status;     /* owned: the complete new `status` object */
    bool status_changed;
    struct kj_ledger *ledger; /* owned: the new ledger */
    bool ledger_changed;
    bool finished;     /* Complete=True or Failed=True in the new status */
    struct kj_sync_action *actions; /* owned array */
    int nactions;
    struct kj_sync_event *events; /* owned array */
    int nevents;
    int64_t requeue_at; /* ns; 0 = no timer needed */
    int64_t delete_at;  /* ns; TTL expiry of a finished Job, 0 = none */
    int grace_seconds;  /* for STOP: template terminationGracePeriodSeconds */
};

/* Run one sync. `job` is the stored Job object (metadata, spec, status);
 * `ledger` its current ledger (may be NULL = empty); `obs[0..nobs)` as
 * described above (entries of other Jobs are ignored). On success fills
 * *out (release with kj_sync_result_clear) and returns 0; returns -1 with
 * *err set only when the Job object is unusable (no metadata.uid / spec). */
int kj_job_sync(const cJSON *job, const struct kj_ledger *ledger, const struct kj_pod_obs *obs,
                int nobs, const struct kj_sync_config *cfg, struct kj_sync_result *out,
                kj_error_t *err);

void kj_sync_result_clear(struct kj_sync_result *r);

/* A pod's restartCount as the kubelet reports it: the times its container
 * was started again, not the exits counted (ledger `restarts`). Between an
 * exit and the restart that follows it (CrashLoopBackOff) the two differ by
 * one; the backoffLimit rule for OnFailure sums restartCounts (§3.1), so
 * the last run before a BackoffLimitExceeded is started, as upstream.
 * `o` is the pod's latest observation (NULL = unknown: counted exits). */
int kj_pod_restart_count(const struct kj_ledger_pod *p, const struct kj_pod_obs *o);

/* Whether nothing of the pod runs any more: EXITED, and for a pod of
 * several containers no member running (under OnFailure a group reports a
 * failed container at once, while others may still run). */
bool kj_pod_obs_all_exited(const struct kj_pod_obs *o);

/* Pod name: "<prefix-cut-to-58><5 chars of bcdfghjklmnpqrstvwxz2456789>"
 * where prefix is "<job>-" or "<job>-<index>-" (§6.2). Returns a new string
 * (caller frees); aborts on OOM. */
char *kj_job_pod_name(const char *job_name, int index, const struct kj_sync_config *cfg);

/* A random RFC 4122 version 4 uuid (36 chars + NUL) from cfg->rand_bytes. */
void kj_job_pod_uid(const struct kj_sync_config *cfg, char out[37]);

/* Index list (§5.4): format a sorted set given as a bitmap of n flags,
 * e.g. "1,3-5,7". Returns a new string (caller frees); aborts on OOM. */
char *kj_index_list_format(const bool *set, int n);

/* Parse "1,3-5,7" into set[0..n) (indexes ≥ n ignored). Returns 0 or -1 on
 * a malformed list. */
int kj_index_list_parse(const char *s, bool *set, int n);

/* RFC 3339 UTC with second precision ("2026-04-26T18:35:42Z") of a Unix ns
 * time, into buf (≥ 21 bytes). */
void kj_time_format(int64_t t_ns, char *buf, size_t len);
/* Parse RFC 3339 ("...Z" or with fraction/offset); returns ns or 0 on error. */
int64_t kj_time_parse(const char *s);

#endif
