/* Field tables of job.h's types (see schema.h), in batch/v1 Go struct order. */
#include "api/job.h"
#include "api/schema.h"

#define A KJ_FF_ALWAYS

#define S struct kj_pod_failure_policy_on_exit_codes
static const struct kj_field on_exit_codes_fields[] = {
    F_STR(S, "containerName", container_name),
    F_STRX(S, "operator", operator_, A, "v1.PodFailurePolicyOnExitCodesOperator"),
    F_(  "values", KJ_FT_INT32_ARRAY, A, S, values, KJ_NO_OFF, offsetof(S, n_values), NULL, NULL),
};
static KJ_SCHEMA(on_exit_codes_schema, S, "PodFailurePolicyOnExitCodesRequirement", "v1",
                 on_exit_codes_fields);
#undef S

#define S struct kj_pod_failure_policy_on_pod_condition
static const struct kj_field on_pod_condition_fields[] = {
    F_STRX(S, "type", type, A, "v1.PodConditionType"),
    F_STRX(S, "status", status, A, "v1.ConditionStatus"),
};
static KJ_SCHEMA(on_pod_condition_schema, S, "PodFailurePolicyOnPodConditionsPattern", "v1",
                 on_pod_condition_fields);
#undef S

#define S struct kj_pod_failure_policy_rule
static const struct kj_field pfp_rule_fields[] = {
    F_STRX(S, "action", action, A, "v1.PodFailurePolicyAction"),
    F_OPT_OBJ(S, "onExitCodes", on_exit_codes, on_exit_codes_schema),
    F_ARR(S, "onPodConditions", on_pod_conditions, 0, on_pod_condition_schema),
};
KJ_SCHEMA(kj_schema_pod_failure_policy_rule, S, "PodFailurePolicyRule", "v1", pfp_rule_fields);
#undef S

#define S struct kj_pod_failure_policy
static const struct kj_field pfp_fields[] = {
    F_ARR(S, "rules", rules, A, kj_schema_pod_failure_policy_rule),
};
KJ_SCHEMA(kj_schema_pod_failure_policy, S, "PodFailurePolicy", "v1", pfp_fields);
#undef S

#define S struct kj_success_policy_rule
static const struct kj_field sp_rule_fields[] = {
    F_STRX(S, "succeededIndexes", succeeded_indexes, KJ_FF_KEEP_EMPTY, NULL),
    F_OPT_I32(S, "succeededCount", succeeded_count, 0),
};
static KJ_SCHEMA(sp_rule_schema, S, "SuccessPolicyRule", "v1", sp_rule_fields);
#undef S

#define S struct kj_success_policy
static const struct kj_field sp_fields[] = {
    F_ARR(S, "rules", rules, A, sp_rule_schema),
};
KJ_SCHEMA(kj_schema_success_policy, S, "SuccessPolicy", "v1", sp_fields);
#undef S

#define S struct kj_job_spec
static const struct kj_field job_spec_fields[] = {
    F_OPT_I32(S, "parallelism", parallelism, 0),
    F_OPT_I32(S, "completions", completions, 0),
    F_OPT_I64(S, "activeDeadlineSeconds", active_deadline_seconds, 0),
    F_OPT_OBJ(S, "podFailurePolicy", pod_failure_policy, kj_schema_pod_failure_policy),
    F_OPT_OBJ(S, "successPolicy", success_policy, kj_schema_success_policy),
    F_OPT_I32(S, "backoffLimit", backoff_limit, 0),
    F_OPT_I32(S, "backoffLimitPerIndex", backoff_limit_per_index, 0),
    F_OPT_I32(S, "maxFailedIndexes", max_failed_indexes, 0),
    F_OPT_OBJ(S, "selector", selector, kj_schema_label_selector),
    F_OPT_BOOL(S, "manualSelector", manual_selector, 0),
    F_OBJ(S, "template", template_, kj_schema_pod_template_spec),
    F_OPT_I32(S, "ttlSecondsAfterFinished", ttl_seconds_after_finished, 0),
    F_STRG(S, "completionMode", completion_mode, "v1.CompletionMode"),
    F_OPT_BOOL(S, "suspend", suspend, 0),
    F_STRG(S, "podReplacementPolicy", pod_replacement_policy, "v1.PodReplacementPolicy"),
    F_STR(S, "managedBy", managed_by),
};
KJ_SCHEMA(kj_schema_job_spec, S, "JobSpec", "v1", job_spec_fields);
#undef S

#define S struct kj_uncounted_terminated_pods
static const struct kj_field uncounted_fields[] = {
    F_STRLIST(S, "succeeded", succeeded, 0),
    F_STRLIST(S, "failed", failed, 0),
};
static KJ_SCHEMA(uncounted_schema, S, "UncountedTerminatedPods", "v1", uncounted_fields);
#undef S

#define S struct kj_job_status
static const struct kj_field job_status_fields[] = {
    F_ARR(S, "conditions", conditions, 0, kj_schema_condition),
    F_TIME(S, "startTime", start_time),
    F_TIME(S, "completionTime", completion_time),
    F_I32(S, "active", active, 0),
    F_I32(S, "succeeded", succeeded, 0),
    F_I32(S, "failed", failed, 0),
    F_OPT_I32(S, "terminating", terminating, 0),
    F_STR(S, "completedIndexes", completed_indexes),
    F_STRX(S, "failedIndexes", failed_indexes, KJ_FF_KEEP_EMPTY, NULL),
    F_OPT_OBJ(S, "uncountedTerminatedPods", uncounted_terminated_pods, uncounted_schema),
    F_OPT_I32(S, "ready", ready, 0),
};
KJ_SCHEMA(kj_schema_job_status, S, "JobStatus", "v1", job_status_fields);
#undef S

#define S struct kj_job
static const struct kj_field job_fields[] = {
    F_TYPEMETA(S, "kind"),
    F_TYPEMETA(S, "apiVersion"),
    F_OBJ(S, "metadata", metadata, kj_schema_object_meta),
    F_OBJ(S, "spec", spec, kj_schema_job_spec),
    F_OBJ(S, "status", status, kj_schema_job_status),
};
KJ_SCHEMA(kj_schema_job, S, "Job", "v1", job_fields);
#undef S

#define S struct kj_job_list
static const struct kj_field job_list_fields[] = {
    F_TYPEMETA(S, "kind"),
    F_TYPEMETA(S, "apiVersion"),
    F_OBJ(S, "metadata", metadata, kj_schema_list_meta),
    F_ARR(S, "items", items, A, kj_schema_job),
};
KJ_SCHEMA(kj_schema_job_list, S, "JobList", "v1", job_list_fields);
#undef S
