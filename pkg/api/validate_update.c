/* Job update validation (§1.5; upstream ValidateJobUpdate,
 * ValidateJobSpecUpdate, validatePodTemplateUpdate, validateCompletions and
 * the job strategy's validationOptionsForJob). */
#include "api/validate.h"

#include <stdlib.h> /* free */
#include <string.h>

#include "api/validate-internal.h"
#include "util/xalloc.h"

static const char immutable[] = "field is immutable";

static bool json_equal(cJSON *a, cJSON *b)
{
    if (a == NULL || b == NULL)
        kj_panic(__FILE__, __LINE__, "out of memory");
    bool eq = cJSON_Compare(a, b, 1);
    cJSON_Delete(a);
    cJSON_Delete(b);
    return eq;
}

bool kj_pod_template_equal(const struct kj_pod_template_spec *a,
                           const struct kj_pod_template_spec *b)
{
    return json_equal(kj_pod_template_spec_to_json(a), kj_pod_template_spec_to_json(b));
}

/* The spec's JSON through a shallow stand-in Job (the codec only reads). */
static cJSON *spec_json(const struct kj_job_spec *s)
{
    struct kj_job tmp;
    memset(&tmp, 0, sizeof(tmp));
    tmp.spec = *s;
    cJSON *j = kj_job_to_json(&tmp);
    if (j == NULL)
        kj_panic(__FILE__, __LINE__, "out of memory");
    cJSON *spec = cJSON_DetachItemFromObjectCaseSensitive(j, "spec");
    cJSON_Delete(j);
    return spec ? spec : cJSON_CreateObject();
}

bool kj_job_spec_equal(const struct kj_job_spec *a, const struct kj_job_spec *b)
{
    return json_equal(spec_json(a), spec_json(b));
}

/* ValidateImmutableField for a spec field compared (and rendered) through
 * its JSON encoding. */
static void immutable_json(const struct kj_job_spec *n, const struct kj_job_spec *o,
                           const char *field, struct kj_field_errors *errs)
{
    cJSON *nv = kj_v_job_spec_field_json(n, field);
    cJSON *ov = kj_v_job_spec_field_json(o, field);
    bool eq = (nv == NULL && ov == NULL) || (nv && ov && cJSON_Compare(nv, ov, 1));
    if (!eq) {
        char *path = xasprintf("spec.%s", field);
        kj_fe_invalid_json(errs, path, nv, immutable);
        free(path);
    }
    cJSON_Delete(nv);
    cJSON_Delete(ov);
}

static bool is_indexed(const struct kj_job_spec *s)
{
    return s->completion_mode != NULL && strcmp(s->completion_mode, "Indexed") == 0;
}

static void completions(const struct kj_job_spec *n, const struct kj_job_spec *o,
                        struct kj_field_errors *errs)
{
    bool same = n->has_completions == o->has_completions &&
                (!n->has_completions || n->completions == o->completions);
    if (same)
        return;
    if (!is_indexed(n)) {
        if (n->has_completions)
            kj_fe_invalid_int(errs, "spec.completions", n->completions, immutable);
        else
            kj_fe_invalid_raw(errs, "spec.completions", "null", immutable);
        return;
    }
    /* Indexed: nil is already reported by the spec rules. */
    if (!n->has_completions)
        return;
    if (!n->has_parallelism || n->completions != n->parallelism)
        kj_fe_invalid_int(errs, "spec.completions", n->completions,
                          "can only be modified in tandem with spec.parallelism");
}

static cJSON *dup_or_null(const cJSON *v)
{
    return v ? cJSON_Duplicate(v, 1) : NULL;
}

/* AllowMutableSchedulingDirectives: make old's scheduling directives those
 * of new so they drop out of the comparison. */
static void accept_scheduling_changes(struct kj_pod_template_spec *old,
                                      const struct kj_pod_template_spec *n)
{
    cJSON *na = n->spec.affinity;
    cJSON *oa = old->spec.affinity;
    if (na == NULL && oa != NULL) {
        cJSON_DeleteItemFromObjectCaseSensitive(oa, "nodeAffinity");
        if (oa->child == NULL) {
            cJSON_Delete(oa);
            old->spec.affinity = NULL;
        }
    } else if (na != NULL && oa == NULL) {
        old->spec.affinity = cJSON_CreateObject();
        cJSON *nna = cJSON_GetObjectItemCaseSensitive(na, "nodeAffinity");
        if (old->spec.affinity && nna)
            cJSON_AddItemToObject(old->spec.affinity, "nodeAffinity", cJSON_Duplicate(nna, 1));
    } else if (na != NULL && oa != NULL) {
        cJSON_DeleteItemFromObjectCaseSensitive(oa, "nodeAffinity");
        cJSON *nna = cJSON_GetObjectItemCaseSensitive(na, "nodeAffinity");
        if (nna)
            cJSON_AddItemToObject(oa, "nodeAffinity", cJSON_Duplicate(nna, 1));
    }
    kj_labels_copy(&old->spec.node_selector, &n->spec.node_selector);
    cJSON_Delete(old->spec.tolerations);
    old->spec.tolerations = dup_or_null(n->spec.tolerations);
    kj_labels_copy(&old->metadata.annotations, &n->metadata.annotations);
    kj_labels_copy(&old->metadata.labels, &n->metadata.labels);
    cJSON_Delete(old->spec.scheduling_gates);
    old->spec.scheduling_gates = dup_or_null(n->spec.scheduling_gates);
}

static void template_update(const struct kj_job *n, const struct kj_job *o,
                            struct kj_field_errors *errs)
{
    bool suspended_never_started = o->spec.has_suspend && o->spec.suspend &&
                                   o->status.start_time == 0;
    bool equal;
    if (suspended_never_started) {
        struct kj_pod_template_spec old_copy;
        memset(&old_copy, 0, sizeof(old_copy));
        kj_pod_template_spec_copy(&old_copy, &o->spec.template_);
        accept_scheduling_changes(&old_copy, &n->spec.template_);
        equal = kj_pod_template_equal(&n->spec.template_, &old_copy);
        kj_pod_template_spec_clear(&old_copy);
    } else {
        equal = kj_pod_template_equal(&n->spec.template_, &o->spec.template_);
    }
    if (!equal)
        kj_fe_invalid_raw(errs, "spec.template", KJ_V_TEMPLATE_VALUE, immutable);
}

static void immutable_int(struct kj_field_errors *errs, const char *path, bool nh, int64_t nv,
                          bool oh, int64_t ov)
{
    if (nh == oh && (!nh || nv == ov))
        return;
    if (nh)
        kj_fe_invalid_int(errs, path, nv, immutable);
    else
        kj_fe_invalid_raw(errs, path, "null", immutable);
}

static void immutable_str(struct kj_field_errors *errs, const char *path, const char *nv,
                          const char *ov)
{
    if ((nv == NULL && ov == NULL) || (nv && ov && strcmp(nv, ov) == 0))
        return;
    kj_fe_invalid_str(errs, path, nv, immutable);
}

size_t kj_job_validate_update(const struct kj_job *old, const struct kj_job *new_,
                              struct kj_field_errors *errs)
{
    size_t before = errs->len;
    const struct kj_job_spec *n = &new_->spec, *o = &old->spec;
    /* Old Jobs created before the prefixed labels existed keep validating. */
    const struct kj_labels *ol = &o->template_.metadata.labels;
    bool prefixed = kj_labels_get(ol, KJ_LABEL_JOB_NAME) != NULL &&
                    kj_labels_get(ol, KJ_LABEL_CONTROLLER_UID) != NULL;
    kj_v_job(new_, prefixed, errs);
    kj_object_meta_validate_update(&new_->metadata, &old->metadata, "metadata", errs);
    /* Upstream runs ValidateJobSpec a second time here; its duplicates are
     * dropped from the aggregate message but stay in the causes. */
    kj_v_job_spec_full(n, errs);
    completions(n, o, errs);
    immutable_json(n, o, "selector", errs);
    template_update(new_, old, errs);
    immutable_str(errs, "spec.completionMode", n->completion_mode, o->completion_mode);
    immutable_json(n, o, "podFailurePolicy", errs);
    immutable_int(errs, "spec.backoffLimitPerIndex", n->has_backoff_limit_per_index,
                  n->backoff_limit_per_index, o->has_backoff_limit_per_index,
                  o->backoff_limit_per_index);
    immutable_str(errs, "spec.managedBy", n->managed_by, o->managed_by);
    immutable_json(n, o, "successPolicy", errs);
    return errs->len - before;
}
