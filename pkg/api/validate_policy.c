/* spec.podFailurePolicy and spec.successPolicy validation (§1.4; upstream
 * validatePodFailurePolicy*, validateSuccessPolicy*). */
#include "api/validate.h"

#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* free */
#include <string.h>

#include "api/indexlist.h"
#include "api/validate-internal.h"
#include "util/xalloc.h"

#define MAX_POD_FAILURE_POLICY_RULES 20
#define MAX_ON_EXIT_CODES_VALUES 255
#define MAX_ON_POD_CONDITIONS 20
#define MAX_SUCCESS_POLICY_RULES 20
#define MAX_SUCCEEDED_INDEXES_BYTES (64 * 1024)

/* sets.List() order, i.e. sorted. */
static const char *const actions[] = {"Count", "FailIndex", "FailJob", "Ignore", NULL};
static const char *const operators[] = {"In", "NotIn", NULL};
static const char *const statuses[] = {"False", "True", "Unknown", NULL};

static bool has_container(const struct kj_pod_spec *ps, const char *name)
{
    for (size_t i = 0; i < ps->n_containers; i++)
        if (ps->containers[i].name != NULL && strcmp(ps->containers[i].name, name) == 0)
            return true;
    for (size_t i = 0; i < ps->n_init_containers; i++)
        if (ps->init_containers[i].name != NULL && strcmp(ps->init_containers[i].name, name) == 0)
            return true;
    return false;
}

static cJSON *int_array_json(const int32_t *v, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    if (a == NULL)
        kj_panic(__FILE__, __LINE__, "out of memory");
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i]));
    return a;
}

static void on_exit_codes(const struct kj_pod_failure_policy_on_exit_codes *oe, const char *path,
                          const struct kj_pod_spec *ps, struct kj_field_errors *errs)
{
    char p[256];
    kj_v_pathf(p, sizeof(p), "%s.operator", path);
    const char *op = oe->operator_ ? oe->operator_ : "";
    if (op[0] == '\0')
        kj_fe_required(errs, p, "valid values: [\"In\" \"NotIn\"]");
    else if (!kj_v_one_of(op, operators))
        kj_fe_not_supported(errs, p, op, operators);
    if (oe->container_name != NULL && !has_container(ps, oe->container_name)) {
        kj_v_pathf(p, sizeof(p), "%s.containerName", path);
        kj_fe_invalid_str(errs, p, oe->container_name,
                          "must be one of the container or initContainer names in the pod "
                          "template");
    }
    char vp[256];
    kj_v_pathf(vp, sizeof(vp), "%s.values", path);
    if (oe->n_values == 0) {
        cJSON *a = int_array_json(NULL, 0);
        kj_fe_invalid_json(errs, vp, a, "at least one value is required");
        cJSON_Delete(a);
    } else if (oe->n_values > MAX_ON_EXIT_CODES_VALUES) {
        kj_fe_too_many(errs, vp, (int64_t)oe->n_values, MAX_ON_EXIT_CODES_VALUES);
    }
    bool ordered = true;
    for (size_t j = 0; j < oe->n_values; j++) {
        int32_t v = oe->values[j];
        kj_v_pathf(p, sizeof(p), "%s[%zu]", vp, j);
        if (strcmp(op, "In") == 0 && v == 0)
            kj_fe_invalid_int(errs, p, v, "must not be 0 for the In operator");
        bool dup = false;
        for (size_t k = 0; k < j && !dup; k++)
            dup = oe->values[k] == v;
        if (dup)
            kj_fe_duplicate_int(errs, p, v);
        if (j > 0 && oe->values[j - 1] > v)
            ordered = false;
    }
    if (!ordered) {
        cJSON *a = int_array_json(oe->values, oe->n_values);
        kj_fe_invalid_json(errs, vp, a, "must be ordered");
        cJSON_Delete(a);
    }
}

static void on_pod_conditions(const struct kj_pod_failure_policy_rule *r, const char *path,
                              struct kj_field_errors *errs)
{
    if (r->n_on_pod_conditions > MAX_ON_POD_CONDITIONS)
        kj_fe_too_many(errs, path, (int64_t)r->n_on_pod_conditions, MAX_ON_POD_CONDITIONS);
    for (size_t j = 0; j < r->n_on_pod_conditions; j++) {
        const struct kj_pod_failure_policy_on_pod_condition *c = &r->on_pod_conditions[j];
        char p[256];
        kj_v_pathf(p, sizeof(p), "%s[%zu].type", path, j);
        kj_v_check_msgs(errs, p, c->type ? c->type : "", kj_qualified_name_check);
        kj_v_pathf(p, sizeof(p), "%s[%zu].status", path, j);
        const char *st = c->status ? c->status : "";
        if (st[0] == '\0')
            kj_fe_required(errs, p, "valid values: [\"False\" \"True\" \"Unknown\"]");
        else if (!kj_v_one_of(st, statuses))
            kj_fe_not_supported(errs, p, st, statuses);
    }
}

static void pod_failure_policy_rule(const struct kj_job_spec *s,
                                    const struct kj_pod_failure_policy_rule *r, const char *path,
                                    struct kj_field_errors *errs)
{
    char p[256];
    kj_v_pathf(p, sizeof(p), "%s.action", path);
    const char *action = r->action ? r->action : "";
    if (action[0] == '\0')
        kj_fe_required(errs, p, "valid values: [\"Count\" \"FailIndex\" \"FailJob\" \"Ignore\"]");
    else if (strcmp(action, "FailIndex") == 0) {
        if (!s->has_backoff_limit_per_index)
            kj_fe_invalid_str(errs, p, action, "requires the backoffLimitPerIndex to be set");
    } else if (!kj_v_one_of(action, actions)) {
        kj_fe_not_supported(errs, p, action, actions);
    }
    if (r->has_on_exit_codes) {
        kj_v_pathf(p, sizeof(p), "%s.onExitCodes", path);
        on_exit_codes(&r->on_exit_codes, p, &s->template_.spec, errs);
    }
    if (r->n_on_pod_conditions > 0) {
        kj_v_pathf(p, sizeof(p), "%s.onPodConditions", path);
        on_pod_conditions(r, p, errs);
    }
    if (r->has_on_exit_codes && r->n_on_pod_conditions > 0)
        kj_fe_invalid_omit(errs, path,
                           "specifying both OnExitCodes and OnPodConditions is not supported");
    if (!r->has_on_exit_codes && r->n_on_pod_conditions == 0)
        kj_fe_invalid_omit(errs, path,
                           "specifying one of OnExitCodes and OnPodConditions is required");
}

void kj_v_pod_failure_policy(const struct kj_job_spec *s, struct kj_field_errors *errs)
{
    const struct kj_pod_failure_policy *pfp = &s->pod_failure_policy;
    static const char rules[] = "spec.podFailurePolicy.rules";
    if (pfp->n_rules > MAX_POD_FAILURE_POLICY_RULES)
        kj_fe_too_many(errs, rules, (int64_t)pfp->n_rules, MAX_POD_FAILURE_POLICY_RULES);
    for (size_t i = 0; i < pfp->n_rules; i++) {
        char p[128];
        kj_v_pathf(p, sizeof(p), "%s[%zu]", rules, i);
        pod_failure_policy_rule(s, &pfp->rules[i], p, errs);
    }
}

static void success_policy_rule(const struct kj_job_spec *s,
                                const struct kj_success_policy_rule *r, const char *path,
                                struct kj_field_errors *errs)
{
    char p[256];
    if (!r->has_succeeded_count && r->succeeded_indexes == NULL)
        kj_fe_required(errs, path,
                       "at least one of succeededCount or succeededIndexes must be specified");
    /* Upstream dereferences spec.completions here; an Indexed Job without
     * completions already has its error, so treat it as 0 instead of
     * crashing as upstream would. */
    int32_t completions = s->has_completions ? s->completions : 0;
    int32_t total = 0;
    if (r->succeeded_indexes != NULL) {
        kj_v_pathf(p, sizeof(p), "%s.succeededIndexes", path);
        if (strlen(r->succeeded_indexes) > MAX_SUCCEEDED_INDEXES_BYTES)
            kj_fe_too_long(errs, p, MAX_SUCCEEDED_INDEXES_BYTES);
        kj_error_t e = NULL;
        if (kj_indexlist_check(r->succeeded_indexes, completions, &total, &e) < 0) {
            char *d = xasprintf("error parsing succeededIndexes: %s",
                                e && e->msg ? e->msg : "invalid");
            kj_fe_invalid_str(errs, p, r->succeeded_indexes, d);
            free(d);
            total = 0;
        }
        kj_error_release(&e);
    }
    if (r->has_succeeded_count) {
        kj_v_pathf(p, sizeof(p), "%s.succeededCount", path);
        if (r->succeeded_count < 0)
            kj_fe_invalid_int(errs, p, r->succeeded_count, "must be greater than or equal to 0");
        char d[160];
        if (r->succeeded_count > completions) {
            snprintf(d, sizeof(d),
                     "must be less than or equal to %d (the number of specified completions)",
                     (int)completions);
            kj_fe_invalid_int(errs, p, r->succeeded_count, d);
        }
        if (r->succeeded_indexes != NULL && r->succeeded_count > total) {
            snprintf(d, sizeof(d),
                     "must be less than or equal to %d (the number of indexes in the specified "
                     "succeededIndexes field)",
                     (int)total);
            kj_fe_invalid_int(errs, p, r->succeeded_count, d);
        }
    }
}

void kj_v_success_policy(const struct kj_job_spec *s, struct kj_field_errors *errs)
{
    const struct kj_success_policy *sp = &s->success_policy;
    static const char rules[] = "spec.successPolicy.rules";
    if (sp->n_rules == 0)
        kj_fe_required(errs, rules,
                       "at least one rules must be specified when the successPolicy is specified");
    if (sp->n_rules > MAX_SUCCESS_POLICY_RULES)
        kj_fe_too_many(errs, rules, (int64_t)sp->n_rules, MAX_SUCCESS_POLICY_RULES);
    for (size_t i = 0; i < sp->n_rules; i++) {
        char p[128];
        kj_v_pathf(p, sizeof(p), "%s[%zu]", rules, i);
        success_policy_rule(s, &sp->rules[i], p, errs);
    }
}
