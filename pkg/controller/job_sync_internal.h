/* Private to the job_sync*.c files: the parsed view of a stored Job and
 * the per-sync working state. */
#ifndef KJ_CONTROLLER_JOB_SYNC_INTERNAL_H
#define KJ_CONTROLLER_JOB_SYNC_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "controller/job_sync.h"

/* Fields of the Job the controller reads; pointers borrow the Job JSON. */
struct kj_jspec {
    const char *name, *ns, *uid;
    bool deleting;           /* metadata.deletionTimestamp set */
    const char *managed_by;  /* NULL = ours */
    int parallelism;
    int completions;         /* -1 = null (work queue) */
    int64_t ads;             /* activeDeadlineSeconds, -1 = unset */
    int backoff_limit;
    int bl_per_index;        /* -1 = unset */
    int max_failed_indexes;  /* -1 = unset */
    bool indexed;
    bool mode_unknown;
    bool suspend;
    int64_t ttl;             /* -1 = unset */
    bool on_failure;         /* restartPolicy OnFailure (else Never) */
    bool repl_failed;        /* podReplacementPolicy Failed */
    const cJSON *pfp_rules;  /* podFailurePolicy.rules or NULL */
    const cJSON *sp_rules;   /* successPolicy.rules or NULL */
    const char *container;   /* first container's name */
    int grace;               /* terminationGracePeriodSeconds */
    const cJSON *status;     /* may be NULL */
    int64_t start_time;      /* status.startTime, 0 = unset */
};

int kj_jspec_parse(const cJSON *job, struct kj_jspec *s, kj_error_t *err);

/* Conditions: status true of type `type` in a conditions array, or NULL. */
const cJSON *kj_cond_find_true(const cJSON *conds, const char *type);
const cJSON *kj_cond_find(const cJSON *conds, const char *type);
/* Set (append or update) a condition; timestamps = now when it is created
 * or its status/reason/message change. Returns true if anything changed. */
bool kj_cond_set(cJSON *conds, const char *type, bool status, const char *reason,
                 const char *message, int64_t now);

/* Result helpers (abort on OOM). */
struct kj_sync_action *kj_sync_add_action(struct kj_sync_result *r, enum kj_sync_action_kind k,
                                          const struct kj_ledger_pod *p, const char *cid);
void kj_sync_add_event(struct kj_sync_result *r, bool warning, const char *reason,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Pod failure policy: for a pod of `ns`/`pod` that failed with exit_code
 * (-1 = unknown: exit-code rules cannot match) and, when `disrupted`, the
 * condition DisruptionTarget=True, the first matching rule's action, or
 * NULL when no rule matches. On a FailJob match writes the condition
 * message into msg. */
const char *kj_pfp_match(const struct kj_jspec *s, const char *pod, int exit_code,
                         bool disrupted, char *msg, size_t msglen);

/* successPolicy: index of the first matching rule, or -1. `done` is the
 * completed-index bitmap of length s->completions. */
int kj_success_policy_match(const struct kj_jspec *s, const bool *done);

/* Working state of one sync. */
struct kj_sync_finish {
    int64_t at;
    bool failed;
};

struct kj_sync_ctx {
    const struct kj_jspec *s;
    const struct kj_sync_config *cfg;
    struct kj_sync_result *r;
    struct kj_ledger *L;
    const struct kj_pod_obs **obs_of; /* parallel to L->pods (owned array) */
    int obs_cap;
    struct kj_sync_finish *fin; /* owned */
    int nfin;
    char failjob_msg[512];
    int64_t requeue_at;
};

void kj_sync_requeue(struct kj_sync_ctx *c, int64_t at);
/* base × 2^(n−1) capped at max; 0 when n ≤ 0. */
int64_t kj_sync_backoff_delay(int64_t base, int64_t max, int n);
/* §3.2: fold the pods that finished in this sync into the backoff state. */
void kj_sync_fold_backoff(struct kj_sync_ctx *c);
/* Match observations to ledger entries (allocates c->obs_of) and adopt
 * unknown containers of this Job into the ledger. */
void kj_sync_match_obs(struct kj_sync_ctx *c, const struct kj_pod_obs *obs, int nobs);
/* Count newly finished pods and in-place restarts into the ledger; mark
 * never-created entries in drop[] (length c->L->n); count terminating pods. */
void kj_sync_classify(struct kj_sync_ctx *c, bool *drop, int *terminating);
void kj_sync_drop(struct kj_sync_ctx *c, bool *drop);
void kj_sync_finished_deletes(struct kj_sync_ctx *c);
bool kj_sync_is_active(const struct kj_ledger_pod *p);
/* Graceful delete of active pod i, counted as failed or not. */
void kj_sync_delete_pod(struct kj_sync_ctx *c, int i, bool count_failed, int *terminating);

#endif
