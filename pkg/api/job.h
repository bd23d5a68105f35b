/* batch/v1 Job (reference: shared/reference/k8s-job.md §1.1 and §4).
 * Conventions: meta.h. Optional fields use `has_x`: the defaulting pass
 * (defaults.c) fills them; the encoder omits a field whose has_ flag is false.
 */
#ifndef KJ_API_JOB_H
#define KJ_API_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/meta.h"    /* kj_object_meta, kj_label_selector, kj_condition */
#include "api/pod.h"     /* kj_pod_template_spec */
#include "api/strlist.h" /* kj_strlist */

/* podFailurePolicy.rules[].onExitCodes */
struct kj_pod_failure_policy_on_exit_codes {
    char *container_name; /* owned; NULL = any container */
    char *operator_;      /* owned; JSON "operator": "In" | "NotIn" */
    int32_t *values;      /* owned; JSON always encodes the array */
    size_t n_values;
};

/* podFailurePolicy.rules[].onPodConditions[] */
struct kj_pod_failure_policy_on_pod_condition {
    char *type;   /* owned */
    char *status; /* owned; defaulted to "True" */
};

struct kj_pod_failure_policy_rule {
    char *action; /* owned: "FailJob" | "FailIndex" | "Ignore" | "Count" */
    bool has_on_exit_codes;
    struct kj_pod_failure_policy_on_exit_codes on_exit_codes;
    struct kj_pod_failure_policy_on_pod_condition *on_pod_conditions; /* owned */
    size_t n_on_pod_conditions;
};

struct kj_pod_failure_policy {
    struct kj_pod_failure_policy_rule *rules; /* owned; JSON always encodes the array */
    size_t n_rules;
};

struct kj_success_policy_rule {
    char *succeeded_indexes; /* owned; NULL = unset; "" is kept */
    bool has_succeeded_count;
    int32_t succeeded_count;
};

struct kj_success_policy {
    struct kj_success_policy_rule *rules; /* owned; JSON always encodes the array */
    size_t n_rules;
};

struct kj_job_spec {
    bool has_parallelism;
    int32_t parallelism;
    bool has_completions; /* false = work-queue mode */
    int32_t completions;
    bool has_active_deadline_seconds;
    int64_t active_deadline_seconds;
    bool has_pod_failure_policy;
    struct kj_pod_failure_policy pod_failure_policy;
    bool has_success_policy;
    struct kj_success_policy success_policy;
    bool has_backoff_limit;
    int32_t backoff_limit;
    bool has_backoff_limit_per_index;
    int32_t backoff_limit_per_index;
    bool has_max_failed_indexes;
    int32_t max_failed_indexes;
    bool has_selector;
    struct kj_label_selector selector;
    bool has_manual_selector;
    bool manual_selector;
    struct kj_pod_template_spec template_; /* JSON "template" */
    bool has_ttl_seconds_after_finished;
    int32_t ttl_seconds_after_finished;
    char *completion_mode; /* owned: "NonIndexed" | "Indexed"; NULL = unset */
    bool has_suspend;
    bool suspend;
    char *pod_replacement_policy; /* owned: "TerminatingOrFailed" | "Failed" */
    char *managed_by;             /* owned */
};

struct kj_uncounted_terminated_pods {
    struct kj_strlist succeeded; /* pod UIDs */
    struct kj_strlist failed;
};

struct kj_job_status {
    struct kj_condition *conditions; /* owned, in the order they arose */
    size_t n_conditions;
    int64_t start_time;      /* ns; 0 = unset */
    int64_t completion_time; /* ns; 0 = unset */
    int32_t active;    /* omitted when 0 */
    int32_t succeeded; /* omitted when 0 */
    int32_t failed;    /* omitted when 0 */
    bool has_terminating;
    int32_t terminating;
    char *completed_indexes; /* owned; omitted when NULL or "" */
    char *failed_indexes;    /* owned; NULL = omitted, "" is encoded as "" */
    bool has_uncounted_terminated_pods;
    struct kj_uncounted_terminated_pods uncounted_terminated_pods;
    bool has_ready;
    int32_t ready;
};

struct kj_job {
    struct kj_object_meta metadata; /* first member: see codec.h */
    struct kj_job_spec spec;
    struct kj_job_status status;
};

struct kj_job_list {
    struct kj_list_meta metadata;
    struct kj_job *items; /* owned */
    size_t n_items;
};

/* Release members and zero (safe on zeroed structs). */
void kj_pod_failure_policy_rule_clear(struct kj_pod_failure_policy_rule *r);
void kj_pod_failure_policy_clear(struct kj_pod_failure_policy *p);
void kj_success_policy_clear(struct kj_success_policy *p);
void kj_job_spec_clear(struct kj_job_spec *s);
void kj_job_status_clear(struct kj_job_status *s);
void kj_job_clear(struct kj_job *j);
void kj_job_list_clear(struct kj_job_list *l);

/* Deep copies: dst is cleared first; abort on OOM. */
void kj_job_spec_copy(struct kj_job_spec *dst, const struct kj_job_spec *src);
void kj_job_status_copy(struct kj_job_status *dst, const struct kj_job_status *src);
void kj_job_copy(struct kj_job *dst, const struct kj_job *src);

/* The first condition of that type, or NULL (borrowed). */
const struct kj_condition *kj_job_find_condition(const struct kj_job *j, const char *type);
/* True if Complete=True or Failed=True (a finished Job, §4). */
bool kj_job_is_finished(const struct kj_job *j);

#endif
