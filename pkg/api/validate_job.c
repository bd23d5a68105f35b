/* Job validation on create (§1.4; upstream pkg/apis/batch/validation
 * ValidateJob / ValidateJobSpec / validateJobSpec / validateGeneratedSelector). */
#include "api/validate.h"

#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* free */
#include <string.h>
#include <time.h>   /* gmtime_r */

#include "api/validate-internal.h"
#include "util/xalloc.h"

#define MAX_PARALLELISM_INDEXED 100000
#define MAX_FAILED_INDEXES 100000
#define COMPLETIONS_SOFT_LIMIT 100000
#define PARALLELISM_LIMIT_HIGH_COMPLETIONS 10000
#define MAX_FAILED_INDEXES_HIGH_COMPLETIONS 10000
#define MAX_MANAGED_BY_LENGTH 63

static const char nonneg[] = "must be greater than or equal to 0";

cJSON *kj_v_labels_json(const struct kj_labels *m)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        kj_panic(__FILE__, __LINE__, "out of memory");
    for (size_t i = 0; i < m->len; i++)
        if (cJSON_AddStringToObject(o, m->items[i].key, m->items[i].value) == NULL)
            kj_panic(__FILE__, __LINE__, "out of memory");
    return o;
}

char *kj_v_go_time_string(int64_t ns, char *buf, size_t size)
{
    time_t secs = (time_t)(ns / KJ_NSEC_PER_SEC);
    long frac = (long)(ns % KJ_NSEC_PER_SEC);
    if (frac < 0) {
        frac += KJ_NSEC_PER_SEC;
        secs -= 1;
    }
    struct tm tm;
    gmtime_r(&secs, &tm);
    char f[16] = "";
    if (frac != 0) {
        kj_v_pathf(f, sizeof(f), ".%09ld", frac);
        size_t n = strlen(f);
        while (n > 1 && f[n - 1] == '0')
            f[--n] = '\0';
    }
    snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d%s +0000 UTC", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, f);
    return buf;
}

cJSON *kj_v_job_spec_field_json(const struct kj_job_spec *spec, const char *field)
{
    /* Encode through a shallow stand-in Job: the codec only reads it, and
     * the spec's storage stays owned by the caller. */
    struct kj_job tmp;
    memset(&tmp, 0, sizeof(tmp));
    tmp.spec = *spec;
    cJSON *j = kj_job_to_json(&tmp);
    if (j == NULL)
        kj_panic(__FILE__, __LINE__, "out of memory");
    cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "spec");
    cJSON *v = s ? cJSON_DetachItemFromObjectCaseSensitive(s, field) : NULL;
    cJSON_Delete(j);
    return v;
}

static bool is_indexed(const struct kj_job_spec *s)
{
    return s->completion_mode != NULL && strcmp(s->completion_mode, "Indexed") == 0;
}

static void nonneg_field(struct kj_field_errors *errs, bool has, int64_t v, const char *path)
{
    if (has && v < 0)
        kj_fe_invalid_int(errs, path, v, nonneg);
}

/* apimachinery IsDomainPrefixedPath. */
static void domain_prefixed_path(struct kj_field_errors *errs, const char *path, const char *v)
{
    if (v[0] == '\0') {
        kj_fe_required(errs, path, NULL);
        return;
    }
    const char *slash = strchr(v, '/');
    if (slash == NULL || slash == v || slash[1] == '\0') {
        kj_fe_invalid_str(errs, path, v,
                          "must be a domain-prefixed path (such as \"acme.io/foo\")");
        return;
    }
    char *host = xstrndup(v, (size_t)(slash - v));
    kj_v_check_msgs(errs, path, host, kj_dns1123_subdomain_check);
    free(host);
    const char *p = slash + 1;
    if (strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/-._~%!$&'()*+,;=:") !=
        strlen(p))
        kj_fe_invalid_str(errs, path, p,
                          "Invalid path (regex used for validation is "
                          "'[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')");
}

static void pod_replacement_policy(const struct kj_job_spec *s, struct kj_field_errors *errs)
{
    const char *p = s->pod_replacement_policy;
    if (p == NULL)
        return;
    static const char *const only_failed[] = {"Failed", NULL};
    static const char *const all[] = {"Failed", "TerminatingOrFailed", NULL};
    if (s->has_pod_failure_policy) {
        if (strcmp(p, "Failed") != 0)
            kj_fe_not_supported(errs, "spec.podReplacementPolicy", p, only_failed);
    } else if (strcmp(p, "Failed") != 0 && strcmp(p, "TerminatingOrFailed") != 0) {
        kj_fe_not_supported(errs, "spec.podReplacementPolicy", p, all);
    }
}

static void restart_policy(const struct kj_job_spec *s, struct kj_field_errors *errs)
{
    static const char path[] = "spec.template.spec.restartPolicy";
    static const char *const valid[] = {"OnFailure", "Never", NULL};
    const char *rp = s->template_.spec.restart_policy ? s->template_.spec.restart_policy : "";
    if (rp[0] == '\0' || strcmp(rp, "Always") == 0)
        kj_fe_required(errs, path, "valid values: \"OnFailure\", \"Never\"");
    else if (strcmp(rp, "OnFailure") != 0 && strcmp(rp, "Never") != 0)
        kj_fe_not_supported(errs, path, rp, valid);
    else if (s->has_pod_failure_policy && strcmp(rp, "Never") != 0)
        kj_fe_invalid_str(errs, path, rp,
                          "only \"Never\" is supported when podFailurePolicy is specified");
}

static void indexed_rules(const struct kj_job_spec *s, struct kj_field_errors *errs)
{
    char d[160];
    if (!s->has_completions)
        kj_fe_required(errs, "spec.completions", "when completion mode is Indexed");
    if (s->has_parallelism && s->parallelism > MAX_PARALLELISM_INDEXED) {
        snprintf(d, sizeof(d), "must be less than or equal to %d when completion mode is Indexed",
                 MAX_PARALLELISM_INDEXED);
        kj_fe_invalid_int(errs, "spec.parallelism", s->parallelism, d);
    }
    if (s->has_completions && s->has_max_failed_indexes &&
        s->max_failed_indexes > s->completions)
        kj_fe_invalid_int(errs, "spec.maxFailedIndexes", s->max_failed_indexes,
                          "must be less than or equal to completions");
    if (s->has_max_failed_indexes && s->max_failed_indexes > MAX_FAILED_INDEXES) {
        snprintf(d, sizeof(d), "must be less than or equal to %d", MAX_FAILED_INDEXES);
        kj_fe_invalid_int(errs, "spec.maxFailedIndexes", s->max_failed_indexes, d);
    }
    if (s->has_completions && s->completions > COMPLETIONS_SOFT_LIMIT &&
        s->has_backoff_limit_per_index) {
        if (!s->has_max_failed_indexes) {
            snprintf(d, sizeof(d), "must be specified when completions is above %d",
                     COMPLETIONS_SOFT_LIMIT);
            kj_fe_required(errs, "spec.maxFailedIndexes", d);
        }
        if (s->has_parallelism && s->parallelism > PARALLELISM_LIMIT_HIGH_COMPLETIONS) {
            snprintf(d, sizeof(d),
                     "must be less than or equal to %d when completions are above %d and used "
                     "with backoff limit per index",
                     PARALLELISM_LIMIT_HIGH_COMPLETIONS, COMPLETIONS_SOFT_LIMIT);
            kj_fe_invalid_int(errs, "spec.parallelism", s->parallelism, d);
        }
        if (s->has_max_failed_indexes &&
            s->max_failed_indexes > MAX_FAILED_INDEXES_HIGH_COMPLETIONS) {
            snprintf(d, sizeof(d),
                     "must be less than or equal to %d when completions are above %d and used "
                     "with backoff limit per index",
                     MAX_FAILED_INDEXES_HIGH_COMPLETIONS, COMPLETIONS_SOFT_LIMIT);
            kj_fe_invalid_int(errs, "spec.maxFailedIndexes", s->max_failed_indexes, d);
        }
    }
}

void kj_v_job_spec(const struct kj_job_spec *s, struct kj_field_errors *errs)
{
    nonneg_field(errs, s->has_parallelism, s->parallelism, "spec.parallelism");
    nonneg_field(errs, s->has_completions, s->completions, "spec.completions");
    nonneg_field(errs, s->has_active_deadline_seconds, s->active_deadline_seconds,
                 "spec.activeDeadlineSeconds");
    nonneg_field(errs, s->has_backoff_limit, s->backoff_limit, "spec.backoffLimit");
    nonneg_field(errs, s->has_ttl_seconds_after_finished, s->ttl_seconds_after_finished,
                 "spec.ttlSecondsAfterFinished");
    nonneg_field(errs, s->has_backoff_limit_per_index, s->backoff_limit_per_index,
                 "spec.backoffLimitPerIndex");
    if (s->has_max_failed_indexes) {
        nonneg_field(errs, true, s->max_failed_indexes, "spec.maxFailedIndexes");
        if (!s->has_backoff_limit_per_index)
            kj_fe_required(errs, "spec.backoffLimitPerIndex", "when maxFailedIndexes is specified");
    }
    if (s->managed_by != NULL) {
        domain_prefixed_path(errs, "spec.managedBy", s->managed_by);
        if (strlen(s->managed_by) > MAX_MANAGED_BY_LENGTH)
            kj_fe_too_long(errs, "spec.managedBy", MAX_MANAGED_BY_LENGTH);
    }
    if (s->completion_mode != NULL) {
        static const char *const modes[] = {"NonIndexed", "Indexed", NULL};
        if (strcmp(s->completion_mode, "NonIndexed") != 0 && !is_indexed(s))
            kj_fe_not_supported(errs, "spec.completionMode", s->completion_mode, modes);
        if (is_indexed(s))
            indexed_rules(s, errs);
    }
    if (s->completion_mode == NULL || strcmp(s->completion_mode, "NonIndexed") == 0) {
        if (s->has_backoff_limit_per_index)
            kj_fe_invalid_int(errs, "spec.backoffLimitPerIndex", s->backoff_limit_per_index,
                              "requires indexed completion mode");
        if (s->has_max_failed_indexes)
            kj_fe_invalid_int(errs, "spec.maxFailedIndexes", s->max_failed_indexes,
                              "requires indexed completion mode");
    }
    if (s->has_pod_failure_policy)
        kj_v_pod_failure_policy(s, errs);
    if (s->has_success_policy) {
        if (!is_indexed(s)) {
            cJSON *v = kj_v_job_spec_field_json(s, "successPolicy");
            kj_fe_invalid_json(errs, "spec.successPolicy", v, "requires indexed completion mode");
            cJSON_Delete(v);
        } else {
            kj_v_success_policy(s, errs);
        }
    }
    pod_replacement_policy(s, errs);
    kj_pod_template_validate(&s->template_, "spec.template", errs);
    restart_policy(s, errs);
}

static void selector_validate(const struct kj_label_selector *ls, struct kj_field_errors *errs)
{
    kj_labels_validate(&ls->match_labels, "spec.selector.matchLabels", errs);
    for (size_t i = 0; i < ls->n_match_expressions; i++) {
        const struct kj_label_selector_requirement *r = &ls->match_expressions[i];
        const char *op = r->operator_ ? r->operator_ : "";
        char p[256];
        if (strcmp(op, "In") == 0 || strcmp(op, "NotIn") == 0) {
            if (r->values.len == 0) {
                kj_v_pathf(p, sizeof(p), "spec.selector.matchExpressions[%zu].values", i);
                kj_fe_required(errs, p, "must be specified when `operator` is 'In' or 'NotIn'");
            }
        } else if (strcmp(op, "Exists") == 0 || strcmp(op, "DoesNotExist") == 0) {
            if (r->values.len > 0) {
                kj_v_pathf(p, sizeof(p), "spec.selector.matchExpressions[%zu].values", i);
                kj_fe_forbidden(errs, p,
                                "may not be specified when `operator` is 'Exists' or "
                                "'DoesNotExist'");
            }
        } else {
            kj_v_pathf(p, sizeof(p), "spec.selector.matchExpressions[%zu].operator", i);
            kj_fe_invalid_str(errs, p, op, "not a valid selector operator");
        }
        kj_v_pathf(p, sizeof(p), "spec.selector.matchExpressions[%zu].key", i);
        kj_v_check_msgs(errs, p, r->key ? r->key : "", kj_qualified_name_check);
        for (size_t v = 0; v < r->values.len; v++) {
            kj_v_pathf(p, sizeof(p), "spec.selector.matchExpressions[%zu].values[%zu]", i, v);
            kj_v_check_msgs(errs, p, r->values.items[v], kj_label_value_check);
        }
    }
}

/* 1 match, 0 no match, -1 the selector does not convert (upstream then
 * skips the check). A missing selector is labels.Nothing(): no match. */
static int selector_matches(const struct kj_job_spec *s, const struct kj_labels *labels)
{
    if (!s->has_selector)
        return 0;
    /* Fast path for the generated selector (matchLabels only): a subset
     * match is the answer whether or not the selector would compile (an
     * invalid one makes upstream skip the check: no error either way). */
    if (s->selector.n_match_expressions == 0 && kj_labels_subset(&s->selector.match_labels, labels))
        return 1;
    kj_error_t e = NULL;
    int r = kj_label_selector_matches(&s->selector, labels, &e);
    kj_error_release(&e);
    return r;
}

static void has_label(const struct kj_job *job, const char *key, const char *want,
                      struct kj_field_errors *errs)
{
    const struct kj_labels *tl = &job->spec.template_.metadata.labels;
    const char *got = kj_labels_get(tl, key);
    if (got != NULL && strcmp(got, want) == 0)
        return;
    char *path = xasprintf("spec.template.metadata.labels[%s]", key);
    char *detail = xasprintf("must be '%s'", want);
    if (got == NULL) {
        kj_fe_required(errs, path, detail);
    } else if (strcmp(got, want) != 0) {
        cJSON *v = kj_v_labels_json(tl);
        kj_fe_invalid_json(errs, path, v, detail);
        cJSON_Delete(v);
    }
    free(detail);
    free(path);
}

static void generated_selector(const struct kj_job *job, bool prefixed,
                               struct kj_field_errors *errs)
{
    const struct kj_job_spec *s = &job->spec;
    if ((s->has_manual_selector && s->manual_selector) || !s->has_selector)
        return;
    const char *uid = job->metadata.uid ? job->metadata.uid : "";
    const char *name = job->metadata.name ? job->metadata.name : "";
    if (uid[0] == '\0')
        kj_fe_required(errs, "metadata.uid", NULL);
    has_label(job, KJ_LABEL_LEGACY_CONTROLLER_UID, uid, errs);
    has_label(job, KJ_LABEL_LEGACY_JOB_NAME, name, errs);
    struct kj_labels expected = {0};
    if (prefixed) {
        has_label(job, KJ_LABEL_CONTROLLER_UID, uid, errs);
        has_label(job, KJ_LABEL_JOB_NAME, name, errs);
        kj_labels_set(&expected, KJ_LABEL_CONTROLLER_UID, uid);
        kj_labels_set(&expected, KJ_LABEL_JOB_NAME, name);
    }
    kj_labels_set(&expected, KJ_LABEL_LEGACY_CONTROLLER_UID, uid);
    kj_labels_set(&expected, KJ_LABEL_LEGACY_JOB_NAME, name);
    if (selector_matches(s, &expected) == 0) {
        cJSON *v = kj_label_selector_to_json(&s->selector);
        kj_fe_invalid_json(errs, "spec.selector", v, "`selector` not auto-generated");
        cJSON_Delete(v);
    }
    kj_labels_clear(&expected);
}

void kj_v_job_spec_full(const struct kj_job_spec *s, struct kj_field_errors *errs)
{
    kj_v_job_spec(s, errs);
    if (!s->has_selector)
        kj_fe_required(errs, "spec.selector", NULL);
    else
        selector_validate(&s->selector, errs);
    if (selector_matches(s, &s->template_.metadata.labels) == 0) {
        cJSON *v = kj_v_labels_json(&s->template_.metadata.labels);
        kj_fe_invalid_json(errs, "spec.template.metadata.labels", v,
                           "`selector` does not match template `labels`");
        cJSON_Delete(v);
    }
}

void kj_v_job(const struct kj_job *job, bool prefixed, struct kj_field_errors *errs)
{
    const struct kj_job_spec *s = &job->spec;
    kj_object_meta_validate(&job->metadata, true, kj_job_name_check, "metadata", errs);
    generated_selector(job, prefixed, errs);
    kj_v_job_spec_full(s, errs);
    if (is_indexed(s) && s->has_completions && s->completions > 0) {
        const char *name = job->metadata.name ? job->metadata.name : "";
        char *host = xasprintf("%s-%d", name, (int)(s->completions - 1));
        if (kj_dns1123_label_check(host, NULL) > 0) {
            char *d = xasprintf("will not able to create pod with invalid DNS label: %s", host);
            kj_fe_invalid_str(errs, "metadata.name", name, d);
            free(d);
        }
        free(host);
    }
}

size_t kj_job_validate_create(const struct kj_job *job, struct kj_field_errors *errs)
{
    size_t before = errs->len;
    kj_v_job(job, true, errs);
    return errs->len - before;
}

size_t kj_job_warnings_on_create(const struct kj_job *job, struct kj_strlist *warnings)
{
    const char *name = job->metadata.name ? job->metadata.name : "";
    struct kj_strlist msgs = {0};
    size_t n = 0;
    if (kj_dns1123_label_check(name, &msgs) > 0) {
        /* Go's %v of a []string: space-separated inside brackets. */
        char *joined = kj_strlist_join(&msgs, " ");
        kj_strlist_pushf(warnings,
                         "metadata.name: this is used in Pod names and hostnames, which can "
                         "result in surprising behavior; a DNS label is recommended: [%s]",
                         joined);
        free(joined);
        n = 1;
    }
    kj_strlist_clear(&msgs);
    return n;
}
