/* Job status-subresource validation (§1.6; upstream validateJobStatus,
 * ValidateJobStatusUpdate and the status strategy's
 * getStatusValidationOptions with JobManagedBy on: most transition rules
 * only fire when the fields they look at changed). */
#include "api/validate.h"

#include <stdlib.h> /* free */
#include <string.h>

#include "api/indexlist.h"
#include "api/validate-internal.h"
#include "util/xalloc.h"

static bool cond_true(const struct kj_job *j, const char *type)
{
    for (size_t i = 0; i < j->status.n_conditions; i++) {
        const struct kj_condition *c = &j->status.conditions[i];
        if (c->type && c->status && strcmp(c->type, type) == 0 && strcmp(c->status, "True") == 0)
            return true;
    }
    return false;
}

static bool complete(const struct kj_job *j)
{
    return cond_true(j, "Complete");
}

static bool failed(const struct kj_job *j)
{
    return cond_true(j, "Failed");
}

static bool finished(const struct kj_job *j)
{
    return complete(j) || failed(j);
}

static bool streq(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static bool strlist_eq(const struct kj_strlist *a, const struct kj_strlist *b)
{
    if (a->len != b->len)
        return false;
    for (size_t i = 0; i < a->len; i++)
        if (strcmp(a->items[i], b->items[i]) != 0)
            return false;
    return true;
}

/* What changed between old and new status, and the options derived. */
struct opts {
    bool decreasing_succeeded, invalid_completed, invalid_failed, failed_overlap;
    bool failed_without_target, complete_without_scm, finished_with_active;
    bool finished_without_start, finished_with_uncounted, start_time_update;
    bool completion_before_start, complete_without_ctime, ctime_without_complete;
    bool complete_and_failed, complete_and_target, more_ready, finished_terminating;
};

static struct opts options(const struct kj_job *o, const struct kj_job *n)
{
    const struct kj_job_status *os = &o->status, *ns = &n->status;
    bool indexed = n->spec.completion_mode && strcmp(n->spec.completion_mode, "Indexed") == 0;
    bool finished_ch = finished(o) != finished(n);
    bool complete_ch = complete(o) != complete(n);
    bool failed_ch = failed(o) != failed(n);
    bool target_ch = cond_true(o, "FailureTarget") != cond_true(n, "FailureTarget");
    bool scm_ch = cond_true(o, "SuccessCriteriaMet") != cond_true(n, "SuccessCriteriaMet");
    bool completed_ch = !streq(os->completed_indexes ? os->completed_indexes : "",
                               ns->completed_indexes ? ns->completed_indexes : "");
    bool failed_idx_ch = !streq(os->failed_indexes, ns->failed_indexes);
    bool active_ch = os->active != ns->active;
    bool start_ch = os->start_time != ns->start_time;
    bool ctime_ch = os->completion_time != ns->completion_time;
    bool uncounted_ch =
        os->has_uncounted_terminated_pods != ns->has_uncounted_terminated_pods ||
        !strlist_eq(&os->uncounted_terminated_pods.succeeded,
                    &ns->uncounted_terminated_pods.succeeded) ||
        !strlist_eq(&os->uncounted_terminated_pods.failed, &ns->uncounted_terminated_pods.failed);
    bool ready_ch = os->has_ready != ns->has_ready || os->ready != ns->ready;
    bool term_ch = os->has_terminating != ns->has_terminating || os->terminating != ns->terminating;
    bool suspended_zero = n->spec.has_suspend && n->spec.suspend && n->spec.has_completions &&
                          n->spec.completions == 0;
    bool par_eq_comp = n->spec.has_completions && n->spec.has_parallelism &&
                       n->spec.completions == n->spec.parallelism;
    struct opts p = {
        .decreasing_succeeded = !indexed || !par_eq_comp,
        .invalid_completed = completed_ch,
        .invalid_failed = failed_idx_ch,
        .failed_overlap = failed_idx_ch || completed_ch,
        .failed_without_target = failed_ch || target_ch,
        .complete_without_scm = complete_ch || scm_ch,
        .finished_with_active = finished_ch || active_ch,
        .finished_without_start = (finished_ch || start_ch) && !suspended_zero,
        .finished_with_uncounted = finished_ch || uncounted_ch,
        .start_time_update = start_ch,
        .completion_before_start = start_ch || ctime_ch,
        .complete_without_ctime = complete_ch || ctime_ch,
        .ctime_without_complete = complete_ch || ctime_ch,
        .complete_and_failed = complete_ch || failed_ch,
        .complete_and_target = complete_ch || target_ch,
        .more_ready = ready_ch || active_ch,
        .finished_terminating = finished_ch || term_ch,
    };
    return p;
}

static void uid_list(const struct kj_strlist *l, const char *path, struct kj_strlist *seen,
                     struct kj_field_errors *errs)
{
    for (size_t i = 0; i < l->len; i++) {
        char *p = xasprintf("%s[%zu]", path, i);
        if (l->items[i][0] == '\0')
            kj_fe_invalid_str(errs, p, "", "must not be empty");
        else if (kj_strlist_contains(seen, l->items[i]))
            kj_fe_duplicate_str(errs, p, l->items[i]);
        else
            kj_strlist_push(seen, l->items[i]);
        free(p);
    }
}

static void invalid_time(struct kj_field_errors *errs, const char *path, int64_t ns,
                         const char *detail)
{
    char buf[64];
    kj_fe_invalid_raw(errs, path, kj_v_go_time_string(ns, buf, sizeof(buf)), detail);
}

static void indexes_format(struct kj_field_errors *errs, const char *path, const char *what,
                           const char *v, int32_t completions)
{
    kj_error_t e = NULL;
    if (kj_indexlist_check(v, completions, NULL, &e) < 0) {
        char *d = xasprintf("error parsing %s: %s", what, e && e->msg ? e->msg : "invalid");
        kj_fe_invalid_str(errs, path, v, d);
        free(d);
    }
    kj_error_release(&e);
}

static void uncounted_json_value(struct kj_field_errors *errs, const struct kj_job_status *s)
{
    cJSON *o = cJSON_CreateObject();
    const struct kj_strlist *lists[2] = {&s->uncounted_terminated_pods.succeeded,
                                         &s->uncounted_terminated_pods.failed};
    const char *names[2] = {"succeeded", "failed"};
    for (int k = 0; o && k < 2; k++) {
        if (lists[k]->len == 0)
            continue;
        cJSON *a = cJSON_AddArrayToObject(o, names[k]);
        for (size_t i = 0; a && i < lists[k]->len; i++)
            cJSON_AddItemToArray(a, cJSON_CreateString(lists[k]->items[i]));
    }
    kj_fe_invalid_json(errs, "status.uncountedTerminatedPods", o, "must be empty for finished job");
    cJSON_Delete(o);
}

static void job_status(const struct kj_job *job, const struct opts *op,
                       struct kj_field_errors *errs)
{
    static const char ge0[] = "must be greater than or equal to 0";
    const struct kj_job_status *s = &job->status;
    const struct kj_job_spec *sp = &job->spec;
    if (s->active < 0)
        kj_fe_invalid_int(errs, "status.active", s->active, ge0);
    if (s->succeeded < 0)
        kj_fe_invalid_int(errs, "status.succeeded", s->succeeded, ge0);
    if (s->failed < 0)
        kj_fe_invalid_int(errs, "status.failed", s->failed, ge0);
    if (s->has_ready && s->ready < 0)
        kj_fe_invalid_int(errs, "status.ready", s->ready, ge0);
    if (s->has_terminating && s->terminating < 0)
        kj_fe_invalid_int(errs, "status.terminating", s->terminating, ge0);
    if (s->has_uncounted_terminated_pods) {
        struct kj_strlist seen = {0};
        uid_list(&s->uncounted_terminated_pods.succeeded,
                 "status.uncountedTerminatedPods.succeeded", &seen, errs);
        uid_list(&s->uncounted_terminated_pods.failed, "status.uncountedTerminatedPods.failed",
                 &seen, errs);
        kj_strlist_clear(&seen);
    }
    bool comp = complete(job), fail = failed(job), fin = comp || fail;
    bool target = cond_true(job, "FailureTarget"), scm = cond_true(job, "SuccessCriteriaMet");
    if (op->complete_and_failed && comp && fail)
        kj_fe_invalid_omit(errs, "status.conditions",
                           "cannot set Complete=True and Failed=true conditions");
    if (op->complete_and_target && comp && target)
        kj_fe_invalid_omit(errs, "status.conditions",
                           "cannot set Complete=True and FailureTarget=true conditions");
    if (op->ctime_without_complete && s->completion_time != 0 && !comp)
        invalid_time(errs, "status.completionTime", s->completion_time,
                     "cannot set completionTime when there is no Complete=True condition");
    if (op->complete_without_ctime && s->completion_time == 0 && comp)
        kj_fe_required(errs, "status.completionTime", "completionTime is required for Complete jobs");
    if (op->completion_before_start && s->start_time != 0 && s->completion_time != 0 &&
        s->completion_time < s->start_time)
        invalid_time(errs, "status.completionTime", s->completion_time,
                     "must be equal to or after `startTime`");
    if (op->failed_without_target && fail && !target)
        kj_fe_invalid_omit(errs, "status.conditions",
                           "cannot set Failed=True condition without the FailureTarget=true "
                           "condition");
    if (op->complete_without_scm && comp && !scm)
        kj_fe_invalid_omit(errs, "status.conditions",
                           "cannot set Complete=True condition without the SuccessCriteriaMet=true "
                           "condition");
    if (op->finished_with_active && s->active > 0 && fin)
        kj_fe_invalid_int(errs, "status.active", s->active, "active>0 is invalid for finished job");
    if (op->finished_without_start && s->start_time == 0 && fin)
        kj_fe_required(errs, "status.startTime", "startTime is required for finished job");
    if (op->finished_with_uncounted && fin && s->has_uncounted_terminated_pods &&
        s->uncounted_terminated_pods.succeeded.len + s->uncounted_terminated_pods.failed.len > 0)
        uncounted_json_value(errs, s);
    if (op->invalid_completed && sp->has_completions)
        indexes_format(errs, "status.completedIndexes", "completedIndexes",
                       s->completed_indexes ? s->completed_indexes : "", sp->completions);
    if (op->invalid_failed && sp->has_completions && sp->has_backoff_limit_per_index &&
        s->failed_indexes != NULL)
        indexes_format(errs, "status.failedIndexes", "failedIndexes", s->failed_indexes,
                       sp->completions);
    bool indexed = sp->completion_mode && strcmp(sp->completion_mode, "Indexed") == 0;
    if (op->invalid_completed && s->completed_indexes && s->completed_indexes[0] && !indexed)
        kj_fe_invalid_str(errs, "status.completedIndexes", s->completed_indexes,
                          "cannot set non-empty completedIndexes when non-indexed completion mode");
    if (op->invalid_failed && !sp->has_backoff_limit_per_index && s->failed_indexes != NULL)
        kj_fe_invalid_str(errs, "status.failedIndexes", s->failed_indexes,
                          "cannot set non-null failedIndexes when backoffLimitPerIndex is null");
    if (op->failed_overlap && sp->has_completions && s->failed_indexes != NULL) {
        kj_error_t e = NULL;
        if (kj_indexlist_check_overlap(s->completed_indexes, s->failed_indexes, sp->completions,
                                       &e) < 0)
            kj_fe_invalid_str(errs, "status.failedIndexes", s->failed_indexes,
                              e && e->msg ? e->msg : "overlap");
        kj_error_release(&e);
    }
    if (op->finished_terminating && s->has_terminating && s->terminating > 0 && fin)
        kj_fe_invalid_int(errs, "status.terminating", s->terminating,
                          "terminating>0 is invalid for finished job");
    if (op->more_ready && s->has_ready && s->ready > s->active)
        kj_fe_invalid_int(errs, "status.ready", s->ready, "cannot set more ready pods than active");
    /* AllowForSuccessCriteriaMetInExtendedScope is on: no NonIndexed or
     * no-successPolicy restriction on SuccessCriteriaMet. */
    if (scm && fail)
        kj_fe_invalid_omit(errs, "status.conditions",
                           "cannot set SuccessCriteriaMet=True and Failed=true conditions");
    if (scm && target)
        kj_fe_invalid_omit(errs, "status.conditions",
                           "cannot set SuccessCriteriaMet=True and FailureTarget=true conditions");
    if (sp->has_success_policy && !scm && comp)
        kj_fe_invalid_omit(errs, "status.conditions",
                           "cannot set Complete=True for Job with SuccessPolicy unless "
                           "SuccessCriteriaMet=True");
}

size_t kj_job_validate_status_update(const struct kj_job *old, const struct kj_job *new_,
                                     struct kj_field_errors *errs)
{
    size_t before = errs->len;
    const struct kj_job_status *os = &old->status, *ns = &new_->status;
    struct opts op = options(old, new_);
    kj_object_meta_validate_update(&new_->metadata, &old->metadata, "metadata", errs);
    job_status(new_, &op, errs);
    static const char *const terminal[] = {"Failed", "Complete", "FailureTarget", NULL};
    for (size_t i = 0; terminal[i] != NULL; i++) {
        if (cond_true(old, terminal[i]) && !cond_true(new_, terminal[i])) {
            char *d = xasprintf("cannot disable the terminal %s=True condition", terminal[i]);
            kj_fe_invalid_omit(errs, "status.conditions", d);
            free(d);
        }
    }
    if (ns->failed < os->failed)
        kj_fe_invalid_int(errs, "status.failed", ns->failed, "cannot decrease the failed counter");
    if (op.decreasing_succeeded && ns->succeeded < os->succeeded)
        kj_fe_invalid_int(errs, "status.succeeded", ns->succeeded,
                          "cannot decrease the succeeded counter");
    if (ns->completion_time != 0 && os->completion_time != 0 &&
        ns->completion_time != os->completion_time)
        invalid_time(errs, "status.completionTime", ns->completion_time, "field is immutable");
    if (op.start_time_update && os->start_time != 0 && os->start_time != ns->start_time &&
        !(new_->spec.has_suspend && new_->spec.suspend))
        kj_fe_required(errs, "status.startTime", "startTime cannot be removed for unsuspended job");
    bool old_scm = cond_true(old, "SuccessCriteriaMet"), new_scm = cond_true(new_, "SuccessCriteriaMet");
    if (old_scm && !new_scm)
        kj_fe_invalid_omit(errs, "status.conditions",
                           "cannot disable the SuccessCriteriaMet=True condition");
    if (complete(old) && !old_scm && new_scm)
        kj_fe_invalid_omit(errs, "status.conditions",
                           "cannot set SuccessCriteriaMet=True for Job already has Complete=true "
                           "conditions");
    return errs->len - before;
}
