/* The Job's counting ledger: which pod outcomes have already been counted.
 *
 * Counting must be exactly-once across crashes. The ledger lives INSIDE the
 * stored Job object, under the private top-level key "kjob" (KJ_LEDGER_KEY),
 * and is written in the same atomic store write as the status, so "counted"
 * and "status shows it" can never disagree. The API layer must strip
 * KJ_LEDGER_KEY before showing a Job to clients (and keep it on updates).
 *
 * One entry per pod the controller created or adopted, keyed by pod name.
 * A pod's final outcome is recorded once; an in-place restart is counted
 * once per distinct exit, keyed by the container's finished_at. Replaying the
 * same observations against the same ledger therefore counts nothing twice.
 * Also holds the pod-replacement backoff state of k8s-job.md §3.2 (upstream
 * keeps it in memory; persisting it keeps the delay across restarts).
 */
#ifndef KJ_CONTROLLER_LEDGER_H
#define KJ_CONTROLLER_LEDGER_H

#include <stdbool.h> /* bool */
#include <stdint.h>  /* int64_t */

#include <cjson/cJSON.h> /* cJSON */

#include "util/error.h" /* kj_error_t */

#define KJ_LEDGER_KEY "kjob"

enum kj_ledger_outcome {
    KJ_OUTCOME_NONE = 0,      /* active: no final outcome yet */
    KJ_OUTCOME_SUCCEEDED = 1, /* counted in succeeded */
    KJ_OUTCOME_FAILED = 2,    /* counted in failed */
    KJ_OUTCOME_IGNORED = 3,   /* finished or deleted, deliberately not counted */
};

struct kj_ledger_pod {
    char *name; /* owned */
    char *uid;  /* owned */
    int index;  /* -1 = NonIndexed */
    enum kj_ledger_outcome outcome;
    bool seen;       /* its container was observed in the engine at least once */
    bool deleting;   /* the controller asked for a graceful delete */
    bool removed;    /* container gone (after deleting, or vanished) */
    bool fail_index; /* this pod's failure made its index failed (FailIndex rule) */
    int index_failures; /* job-index-failure-count annotation it was created with */
    int restarts;       /* in-place restarts counted (restartPolicy OnFailure) */
    int64_t last_exit_at; /* finished_at (ns) of the last counted exit, 0 = none */
    int last_exit_code;
    bool last_oom;
    int64_t created_at;  /* ns */
    int64_t finished_at; /* ns, when the final outcome was recorded */
    int exit_code;       /* final exit code (-1 = unknown) */
    /* A client deleted the pod (DELETE .../pods/NAME): recorded by the
     * driver in a store write of its own, acted on by the next sync, so an
     * accepted delete survives a crash. delete_grace: its grace period
     * (seconds; -1 = none asked); delete_at: the pod's deletionTimestamp
     * (ns). */
    bool delete_asked;
    int delete_grace;
    int64_t delete_at;
    /* The delete was an eviction (POST .../eviction): the pod carries the
     * condition DisruptionTarget=True, which podFailurePolicy rules can
     * match (onPodConditions). */
    bool disrupted;
};

struct kj_ledger {
    struct kj_ledger_pod *pods; /* owned array */
    int n, cap;
    int failures_after_success; /* §3.2 */
    int64_t last_failure_at;    /* ns, 0 = none */
};

/* Empty ledger; aborts on OOM (small fixed-size). Free with kj_ledger_free
 * (NULL-safe). */
struct kj_ledger *kj_ledger_new(void);
void kj_ledger_free(struct kj_ledger *l);

/* Deep copy; aborts on OOM. */
struct kj_ledger *kj_ledger_dup(const struct kj_ledger *l);

/* Append a pod entry with copies of name/uid; returns it (valid until the
 * next append). Aborts on OOM. */
struct kj_ledger_pod *kj_ledger_add(struct kj_ledger *l, const char *name, const char *uid,
                                    int index);

/* Entry by pod name, or NULL. Linear: callers needing many lookups sort. */
struct kj_ledger_pod *kj_ledger_find(const struct kj_ledger *l, const char *name);

/* Remove entry i (order of the rest kept). */
void kj_ledger_remove(struct kj_ledger *l, int i);

/* Encode as the value stored under KJ_LEDGER_KEY. Returns a new object
 * (owned by the caller) or NULL on OOM. Times are decimal strings because
 * nanoseconds do not fit a JSON double. */
cJSON *kj_ledger_to_json(const struct kj_ledger *l);

/* Decode from the Job object's KJ_LEDGER_KEY value (NULL or absent = empty
 * ledger). On malformed input returns NULL with *err set. */
struct kj_ledger *kj_ledger_from_json(const cJSON *v, kj_error_t *err);

/* Ledger of a stored Job object: kj_ledger_from_json of job["kjob"]. */
struct kj_ledger *kj_ledger_from_job(const cJSON *job, kj_error_t *err);

#endif
