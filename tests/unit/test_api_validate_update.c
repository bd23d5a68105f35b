/* Update rules (§1.5) and status-subresource rules (§1.6). */
#include "test_api_validate.h"

#define T1 (T0 + 60 * KJ_NSEC_PER_SEC)
#define T2 (T0 + 120 * KJ_NSEC_PER_SEC)
#define IMM "field is immutable"

/* A stored Job: created from the base manifest + patch, valid. */
static void stored_job(const char *patch, struct kj_job *job)
{
    create_job(patch, NULL, job);
    struct kj_field_errors errs;
    kj_field_errors_init(&errs);
    kj_job_validate_create(job, &errs);
    assert_errors(&errs, (const char *const[]){NULL}, "stored job is valid");
    kj_field_errors_free(&errs);
}

/* PUT of the stored Job's JSON with `patch` applied. */
static void put(const struct kj_job *old, const char *patch, struct kj_job *new_)
{
    char *body = job_json_patched(old, patch);
    decode_job(body, NULL, new_);
    free(body);
    kj_job_prepare_update(new_, old);
}

struct ucase {
    const char *name;
    const char *create; /* patch for the stored Job */
    const char *update; /* patch for the PUT body */
    const char *want[6];
};

static const struct ucase ucases[] = {
    {"no change", NULL, NULL, {NULL}},
    {"parallelism is mutable", NULL, "{\"spec\":{\"parallelism\":3}}", {NULL}},
    {"suspend is mutable", NULL, "{\"spec\":{\"suspend\":true}}", {NULL}},
    {"activeDeadlineSeconds is mutable", NULL, "{\"spec\":{\"activeDeadlineSeconds\":100}}", {NULL}},
    {"backoffLimit is mutable", NULL, "{\"spec\":{\"backoffLimit\":2}}", {NULL}},
    {"ttlSecondsAfterFinished is mutable", NULL, "{\"spec\":{\"ttlSecondsAfterFinished\":60}}",
     {NULL}},
    {"podReplacementPolicy is mutable", NULL, "{\"spec\":{\"podReplacementPolicy\":\"Failed\"}}",
     {NULL}},
    {"labels and annotations are mutable", NULL,
     "{\"metadata\":{\"labels\":{\"x\":\"y\"},\"annotations\":{\"a\":\"b\"},"
     "\"finalizers\":[\"example.com/f\"]}}", {NULL}},
    {"maxFailedIndexes is mutable",
     "{\"spec\":{\"completionMode\":\"Indexed\",\"completions\":3,\"backoffLimitPerIndex\":1,"
     "\"maxFailedIndexes\":1}}", "{\"spec\":{\"maxFailedIndexes\":2}}", {NULL}},
    {"completions is immutable", NULL, "{\"spec\":{\"completions\":2}}",
     {"spec.completions: Invalid value: 2: " IMM, NULL}},
    {"completions cannot be dropped", NULL, "{\"spec\":{\"completions\":null}}",
     {"spec.completions: Invalid value: null: " IMM, NULL}},
    {"selector is immutable",
     "{\"spec\":{\"manualSelector\":true,\"selector\":{\"matchLabels\":{\"a\":\"b\"}},\"template\":"
     "{\"metadata\":{\"labels\":{\"a\":\"b\",\"c\":\"d\"}}}}}",
     "{\"spec\":{\"selector\":{\"matchLabels\":{\"a\":null,\"c\":\"d\"}}}}",
     {"spec.selector: Invalid value: {\"matchLabels\":{\"c\":\"d\"}}: " IMM, NULL}},
    {"template is immutable", NULL,
     "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"pi\",\"image\":\"perl:5.36\"}]}}}}",
     {"spec.template: Invalid value: core.PodTemplateSpec{...}: " IMM, NULL}},
    {"completionMode is immutable", NULL, "{\"spec\":{\"completionMode\":\"Indexed\"}}",
     {"spec.completionMode: Invalid value: \"Indexed\": " IMM, NULL}},
    {"podFailurePolicy is immutable", NULL,
     "{\"spec\":{\"podReplacementPolicy\":\"Failed\",\"podFailurePolicy\":{\"rules\":[{\"action\":"
     "\"FailJob\",\"onExitCodes\":{\"operator\":\"In\",\"values\":[42]}}]}}}",
     {"spec.podFailurePolicy: Invalid value: {\"rules\":[{\"action\":\"FailJob\",\"onExitCodes\":"
      "{\"operator\":\"In\",\"values\":[42]}}]}: " IMM, NULL}},
    {"backoffLimitPerIndex is immutable",
     "{\"spec\":{\"completionMode\":\"Indexed\",\"completions\":3,\"backoffLimitPerIndex\":1}}",
     "{\"spec\":{\"backoffLimitPerIndex\":2}}",
     {"spec.backoffLimitPerIndex: Invalid value: 2: " IMM, NULL}},
    {"managedBy is immutable", NULL, "{\"spec\":{\"managedBy\":\"example.com/x\"}}",
     {"spec.managedBy: Invalid value: \"example.com/x\": " IMM, NULL}},
    {"successPolicy is immutable",
     "{\"spec\":{\"completionMode\":\"Indexed\",\"completions\":5,\"successPolicy\":{\"rules\":"
     "[{\"succeededCount\":1}]}}}",
     "{\"spec\":{\"successPolicy\":{\"rules\":[{\"succeededCount\":2}]}}}",
     {"spec.successPolicy: Invalid value: {\"rules\":[{\"succeededCount\":2}]}: " IMM, NULL}},
    {"indexed completions in tandem",
     "{\"spec\":{\"completionMode\":\"Indexed\",\"completions\":3,\"parallelism\":3}}",
     "{\"spec\":{\"completions\":5,\"parallelism\":5}}", {NULL}},
    {"indexed completions alone",
     "{\"spec\":{\"completionMode\":\"Indexed\",\"completions\":3,\"parallelism\":3}}",
     "{\"spec\":{\"completions\":5}}",
     {"spec.completions: Invalid value: 5: can only be modified in tandem with spec.parallelism",
      NULL}},
    {"create rules run again (and twice, as upstream)", NULL, "{\"spec\":{\"parallelism\":-1}}",
     {"spec.parallelism: Invalid value: -1: must be greater than or equal to 0",
      "spec.parallelism: Invalid value: -1: must be greater than or equal to 0", NULL}},
    {"namespace is immutable", NULL, "{\"metadata\":{\"namespace\":\"other\"}}",
     {"metadata.namespace: Invalid value: \"other\": " IMM, NULL}},
    {"name is immutable", NULL, "{\"metadata\":{\"name\":\"other\"}}",
     {"spec.template.metadata.labels[job-name]: Invalid value: {\"batch.kubernetes.io/"
      "controller-uid\":\"uid-1\",\"batch.kubernetes.io/job-name\":\"pi\",\"controller-uid\":"
      "\"uid-1\",\"job-name\":\"pi\"}: must be 'other'",
      "spec.template.metadata.labels[batch.kubernetes.io/job-name]: Invalid value: {\"batch."
      "kubernetes.io/controller-uid\":\"uid-1\",\"batch.kubernetes.io/job-name\":\"pi\","
      "\"controller-uid\":\"uid-1\",\"job-name\":\"pi\"}: must be 'other'",
      "metadata.name: Invalid value: \"other\": " IMM, NULL}},
    /* Suspended and never started: scheduling directives may change. */
    {"suspended job: node selector and annotations", "{\"spec\":{\"suspend\":true}}",
     "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"a\":\"b\"}},\"spec\":"
     "{\"nodeSelector\":{\"disk\":\"ssd\"},\"tolerations\":[{\"key\":\"k\",\"operator\":"
     "\"Exists\"}]}}}}", {NULL}},
    {"suspended job: image still immutable", "{\"spec\":{\"suspend\":true}}",
     "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"pi\",\"image\":\"perl:5.36\"}]}}}}",
     {"spec.template: Invalid value: core.PodTemplateSpec{...}: " IMM, NULL}},
    {"running job: node selector immutable", NULL,
     "{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":{\"disk\":\"ssd\"}}}}}",
     {"spec.template: Invalid value: core.PodTemplateSpec{...}: " IMM, NULL}},
};

static void test_update_table(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof(ucases) / sizeof(ucases[0]); k++) {
        const struct ucase *c = &ucases[k];
        struct kj_job old, new_;
        stored_job(c->create, &old);
        put(&old, c->update, &new_);
        struct kj_field_errors errs;
        kj_field_errors_init(&errs);
        size_t n = kj_job_validate_update(&old, &new_, &errs);
        assert_int_equal(n, errs.len);
        assert_errors(&errs, c->want, c->name);
        kj_field_errors_free(&errs);
        kj_job_clear(&old);
        kj_job_clear(&new_);
    }
}

static void test_update_started_suspended_job(void **state)
{
    (void)state;
    struct kj_job old, new_;
    stored_job("{\"spec\":{\"suspend\":true}}", &old);
    old.status.start_time = T0; /* it ran once */
    put(&old, "{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":{\"disk\":\"ssd\"}}}}}", &new_);
    struct kj_field_errors errs;
    kj_field_errors_init(&errs);
    kj_job_validate_update(&old, &new_, &errs);
    assert_errors(&errs,
                  (const char *const[]){"spec.template: Invalid value: core.PodTemplateSpec{...}: " IMM,
                                        NULL},
                  "started suspended job");
    kj_field_errors_free(&errs);
    kj_job_clear(&old);
    kj_job_clear(&new_);
}

static void test_prepare_update(void **state)
{
    (void)state;
    struct kj_job old, new_;
    stored_job(NULL, &old);
    old.status.active = 1;
    old.status.start_time = T0;
    /* Status in the body is ignored; a spec change bumps generation. */
    put(&old, "{\"spec\":{\"parallelism\":2},\"status\":{\"active\":9},\"metadata\":{\"uid\":null,"
              "\"creationTimestamp\":null,\"generation\":99}}",
        &new_);
    assert_int_equal(new_.status.active, 1);
    assert_true(new_.status.start_time == T0);
    assert_int_equal(new_.metadata.generation, 2);
    assert_string_equal(new_.metadata.uid, TEST_UID);
    assert_true(new_.metadata.creation_timestamp == T0);
    kj_job_clear(&new_);
    /* Metadata-only change: generation stays. */
    put(&old, "{\"metadata\":{\"labels\":{\"x\":\"y\"}}}", &new_);
    assert_int_equal(new_.metadata.generation, 1);
    kj_job_clear(&new_);
    kj_job_clear(&old);
}

static void test_spec_equal(void **state)
{
    (void)state;
    struct kj_job a, b;
    stored_job(NULL, &a);
    memset(&b, 0, sizeof(b));
    kj_job_copy(&b, &a);
    assert_true(kj_job_spec_equal(&a.spec, &b.spec));
    assert_true(kj_pod_template_equal(&a.spec.template_, &b.spec.template_));
    b.spec.parallelism = 2;
    assert_false(kj_job_spec_equal(&a.spec, &b.spec));
    kj_labels_set(&b.spec.template_.metadata.annotations, "a", "b");
    assert_false(kj_pod_template_equal(&a.spec.template_, &b.spec.template_));
    kj_job_clear(&a);
    kj_job_clear(&b);
}

/* ---- status subresource ---- */

static void set_conditions(struct kj_job *j, const char *const *types)
{
    for (size_t i = 0; i < j->status.n_conditions; i++)
        kj_condition_clear(&j->status.conditions[i]);
    free(j->status.conditions);
    size_t n = 0;
    while (types[n] != NULL)
        n++;
    j->status.conditions = calloc(n ? n : 1, sizeof(*j->status.conditions));
    for (size_t i = 0; i < n; i++) {
        j->status.conditions[i].type = strdup(types[i]);
        j->status.conditions[i].status = strdup("True");
    }
    j->status.n_conditions = n;
}

/* Replace a Job's conditions with True conditions of these types. */
#define CONDS(j, ...) set_conditions((j), (const char *const[]){__VA_ARGS__, NULL})

struct scase {
    const char *name;
    const char *create;
    void (*mutate)(struct kj_job *old, struct kj_job *new_);
    const char *want[6];
};

static void m_none(struct kj_job *o, struct kj_job *n)
{
    (void)o;
    (void)n;
}
static void m_active_neg(struct kj_job *o, struct kj_job *n)
{
    (void)o;
    n->status.active = -1;
}
static void m_succeeded_neg(struct kj_job *o, struct kj_job *n)
{
    (void)o;
    n->status.succeeded = -1;
}
static void m_failed_neg(struct kj_job *o, struct kj_job *n)
{
    (void)o;
    n->status.failed = -1;
}
static void m_ready_neg(struct kj_job *o, struct kj_job *n)
{
    (void)o;
    n->status.has_ready = true;
    n->status.ready = -1;
}
static void m_terminating_neg(struct kj_job *o, struct kj_job *n)
{
    (void)o;
    n->status.has_terminating = true;
    n->status.terminating = -1;
}
static void m_uncounted(struct kj_job *o, struct kj_job *n)
{
    (void)o;
    n->status.has_uncounted_terminated_pods = true;
    kj_strlist_push(&n->status.uncounted_terminated_pods.succeeded, "a");
    kj_strlist_push(&n->status.uncounted_terminated_pods.succeeded, "");
    kj_strlist_push(&n->status.uncounted_terminated_pods.failed, "a");
}
static void m_failed_decrease(struct kj_job *o, struct kj_job *n)
{
    o->status.failed = 2;
    n->status.failed = 1;
}
static void m_succeeded_decrease(struct kj_job *o, struct kj_job *n)
{
    o->status.succeeded = 2;
    n->status.succeeded = 1;
}
static void m_progress(struct kj_job *o, struct kj_job *n)
{
    o->status.start_time = n->status.start_time = T0;
    o->status.active = 1;
    n->status.has_ready = true;
    n->status.ready = 1;
    n->status.active = 1;
    n->status.failed = 1;
}
static void m_complete(struct kj_job *o, struct kj_job *n)
{
    o->status.start_time = T0;
    CONDS(n, "SuccessCriteriaMet", "Complete");
    n->status.start_time = T0;
    n->status.completion_time = T1;
    n->status.succeeded = 1;
}
static void m_complete_no_scm(struct kj_job *o, struct kj_job *n)
{
    o->status.start_time = T0;
    CONDS(n, "Complete");
    n->status.start_time = T0;
    n->status.completion_time = T1;
}
static void m_failed_ok(struct kj_job *o, struct kj_job *n)
{
    o->status.start_time = T0;
    CONDS(n, "FailureTarget", "Failed");
    n->status.start_time = T0;
}
static void m_failed_no_target(struct kj_job *o, struct kj_job *n)
{
    o->status.start_time = T0;
    CONDS(n, "Failed");
    n->status.start_time = T0;
}
static void m_complete_and_failed(struct kj_job *o, struct kj_job *n)
{
    o->status.start_time = T0;
    CONDS(n, "SuccessCriteriaMet", "Complete", "FailureTarget", "Failed");
    n->status.start_time = T0;
    n->status.completion_time = T1;
}
static void m_ctime_without_complete(struct kj_job *o, struct kj_job *n)
{
    o->status.start_time = n->status.start_time = T0;
    n->status.completion_time = T1;
}
static void m_complete_without_ctime(struct kj_job *o, struct kj_job *n)
{
    o->status.start_time = T0;
    CONDS(n, "SuccessCriteriaMet", "Complete");
    n->status.start_time = T0;
}
static void m_ctime_before_start(struct kj_job *o, struct kj_job *n)
{
    o->status.start_time = T1;
    CONDS(n, "SuccessCriteriaMet", "Complete");
    n->status.start_time = T1;
    n->status.completion_time = T0;
}
static void m_finished_active(struct kj_job *o, struct kj_job *n)
{
    m_complete(o, n);
    n->status.active = 1;
}
static void m_finished_no_start(struct kj_job *o, struct kj_job *n)
{
    (void)o;
    CONDS(n, "SuccessCriteriaMet", "Complete");
    n->status.completion_time = T1;
}
static void m_disable_terminal(struct kj_job *o, struct kj_job *n)
{
    CONDS(o, "FailureTarget", "Failed");
    o->status.start_time = n->status.start_time = T0;
}
static void m_ctime_mutated(struct kj_job *o, struct kj_job *n)
{
    CONDS(o, "SuccessCriteriaMet", "Complete");
    o->status.start_time = T0;
    o->status.completion_time = T1;
    CONDS(n, "SuccessCriteriaMet", "Complete");
    n->status.start_time = T0;
    n->status.completion_time = T2;
}
static void m_start_changed(struct kj_job *o, struct kj_job *n)
{
    o->status.start_time = T0;
    n->status.start_time = T1;
}
static void m_completed_indexes_bad(struct kj_job *o, struct kj_job *n)
{
    (void)o;
    n->status.completed_indexes = strdup("0,5");
}
static void m_completed_indexes_ok(struct kj_job *o, struct kj_job *n)
{
    (void)o;
    n->status.completed_indexes = strdup("0-2");
    n->status.succeeded = 3;
}
static void m_completed_indexes_nonindexed(struct kj_job *o, struct kj_job *n)
{
    (void)o;
    n->status.completed_indexes = strdup("0");
}
static void m_failed_indexes_no_blpi(struct kj_job *o, struct kj_job *n)
{
    (void)o;
    n->status.failed_indexes = strdup("1");
}
static void m_failed_overlap(struct kj_job *o, struct kj_job *n)
{
    (void)o;
    n->status.completed_indexes = strdup("0-1");
    n->status.failed_indexes = strdup("1");
}
static void m_more_ready(struct kj_job *o, struct kj_job *n)
{
    o->status.active = 1;
    n->status.active = 1;
    n->status.has_ready = true;
    n->status.ready = 2;
}
static void m_custom_condition(struct kj_job *o, struct kj_job *n)
{
    (void)o;
    CONDS(n, "CustomConditionType");
}
static void m_disable_scm(struct kj_job *o, struct kj_job *n)
{
    (void)n;
    CONDS(o, "SuccessCriteriaMet");
}
static void m_finished_terminating(struct kj_job *o, struct kj_job *n)
{
    m_failed_ok(o, n);
    n->status.has_terminating = true;
    n->status.terminating = 1;
}
static void m_finished_uncounted(struct kj_job *o, struct kj_job *n)
{
    m_complete(o, n);
    n->status.has_uncounted_terminated_pods = true;
    kj_strlist_push(&n->status.uncounted_terminated_pods.succeeded, "u1");
}

#define GE0 "must be greater than or equal to 0"
#define INDEXED3 "{\"spec\":{\"completionMode\":\"Indexed\",\"completions\":3}}"
#define INDEXED3_BLPI                                                                          \
    "{\"spec\":{\"completionMode\":\"Indexed\",\"completions\":3,\"backoffLimitPerIndex\":1}}"

static const struct scase scases[] = {
    {"no change", NULL, m_none, {NULL}},
    {"active < 0", NULL, m_active_neg, {"status.active: Invalid value: -1: " GE0, NULL}},
    {"succeeded < 0", NULL, m_succeeded_neg,
     {"status.succeeded: Invalid value: -1: " GE0,
      "status.succeeded: Invalid value: -1: cannot decrease the succeeded counter", NULL}},
    {"failed < 0", NULL, m_failed_neg,
     {"status.failed: Invalid value: -1: " GE0,
      "status.failed: Invalid value: -1: cannot decrease the failed counter", NULL}},
    {"ready < 0", NULL, m_ready_neg, {"status.ready: Invalid value: -1: " GE0, NULL}},
    {"terminating < 0", NULL, m_terminating_neg, {"status.terminating: Invalid value: -1: " GE0, NULL}},
    {"uncounted pods", NULL, m_uncounted,
     {"status.uncountedTerminatedPods.succeeded[1]: Invalid value: \"\": must not be empty",
      "status.uncountedTerminatedPods.failed[0]: Duplicate value: \"a\"", NULL}},
    {"failed decreases", NULL, m_failed_decrease,
     {"status.failed: Invalid value: 1: cannot decrease the failed counter", NULL}},
    {"succeeded decreases", NULL, m_succeeded_decrease,
     {"status.succeeded: Invalid value: 1: cannot decrease the succeeded counter", NULL}},
    {"succeeded may decrease for elastic indexed jobs",
     "{\"spec\":{\"completionMode\":\"Indexed\",\"completions\":3,\"parallelism\":3}}",
     m_succeeded_decrease, {NULL}},
    {"controller progress", NULL, m_progress, {NULL}},
    {"complete", NULL, m_complete, {NULL}},
    {"complete without SuccessCriteriaMet", NULL, m_complete_no_scm,
     {"status.conditions: Invalid value: cannot set Complete=True condition without the "
      "SuccessCriteriaMet=true condition", NULL}},
    {"failed", NULL, m_failed_ok, {NULL}},
    {"failed without FailureTarget", NULL, m_failed_no_target,
     {"status.conditions: Invalid value: cannot set Failed=True condition without the "
      "FailureTarget=true condition", NULL}},
    {"complete and failed", NULL, m_complete_and_failed,
     {"status.conditions: Invalid value: cannot set Complete=True and Failed=true conditions",
      "status.conditions: Invalid value: cannot set Complete=True and FailureTarget=true "
      "conditions",
      "status.conditions: Invalid value: cannot set SuccessCriteriaMet=True and Failed=true "
      "conditions",
      "status.conditions: Invalid value: cannot set SuccessCriteriaMet=True and "
      "FailureTarget=true conditions", NULL}},
    {"completionTime without Complete", NULL, m_ctime_without_complete,
     {"status.completionTime: Invalid value: 2026-11-26 21:01:00 +0000 UTC: cannot set "
      "completionTime when there is no Complete=True condition", NULL}},
    {"Complete without completionTime", NULL, m_complete_without_ctime,
     {"status.completionTime: Required value: completionTime is required for Complete jobs", NULL}},
    {"completionTime before startTime", NULL, m_ctime_before_start,
     {"status.completionTime: Invalid value: 2026-11-26 21:00:00 +0000 UTC: must be equal to or "
      "after `startTime`", NULL}},
    {"finished with active pods", NULL, m_finished_active,
     {"status.active: Invalid value: 1: active>0 is invalid for finished job", NULL}},
    {"finished without startTime", NULL, m_finished_no_start,
     {"status.startTime: Required value: startTime is required for finished job", NULL}},
    {"terminal conditions cannot go", NULL, m_disable_terminal,
     {"status.conditions: Invalid value: cannot disable the terminal Failed=True condition",
      "status.conditions: Invalid value: cannot disable the terminal FailureTarget=True "
      "condition", NULL}},
    {"completionTime is immutable", NULL, m_ctime_mutated,
     {"status.completionTime: Invalid value: 2026-11-26 21:02:00 +0000 UTC: field is immutable",
      NULL}},
    {"startTime of a running job", NULL, m_start_changed,
     {"status.startTime: Required value: startTime cannot be removed for unsuspended job", NULL}},
    {"startTime of a suspended job", "{\"spec\":{\"suspend\":true}}", m_start_changed, {NULL}},
    {"completedIndexes bad", INDEXED3, m_completed_indexes_bad,
     {"status.completedIndexes: Invalid value: \"0,5\": error parsing completedIndexes: too large "
      "index: \"5\"", NULL}},
    {"completedIndexes ok", INDEXED3, m_completed_indexes_ok, {NULL}},
    {"completedIndexes on NonIndexed", NULL, m_completed_indexes_nonindexed,
     {"status.completedIndexes: Invalid value: \"0\": cannot set non-empty completedIndexes when "
      "non-indexed completion mode", NULL}},
    {"failedIndexes without backoffLimitPerIndex", INDEXED3, m_failed_indexes_no_blpi,
     {"status.failedIndexes: Invalid value: \"1\": cannot set non-null failedIndexes when "
      "backoffLimitPerIndex is null", NULL}},
    {"failedIndexes with backoffLimitPerIndex", INDEXED3_BLPI, m_failed_indexes_no_blpi, {NULL}},
    {"failedIndexes overlap completedIndexes", INDEXED3_BLPI, m_failed_overlap,
     {"status.failedIndexes: Invalid value: \"1\": failedIndexes and completedIndexes overlap at "
      "index: 1", NULL}},
    {"more ready than active", NULL, m_more_ready,
     {"status.ready: Invalid value: 2: cannot set more ready pods than active", NULL}},
    {"custom condition types", NULL, m_custom_condition, {NULL}},
    {"SuccessCriteriaMet cannot go", NULL, m_disable_scm,
     {"status.conditions: Invalid value: cannot disable the SuccessCriteriaMet=True condition",
      NULL}},
    {"finished with terminating pods", NULL, m_finished_terminating,
     {"status.terminating: Invalid value: 1: terminating>0 is invalid for finished job", NULL}},
    {"finished with uncounted pods", NULL, m_finished_uncounted,
     {"status.uncountedTerminatedPods: Invalid value: {\"succeeded\":[\"u1\"]}: must be empty for "
      "finished job", NULL}},
};

static void test_status_table(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof(scases) / sizeof(scases[0]); k++) {
        const struct scase *c = &scases[k];
        struct kj_job old, new_;
        stored_job(c->create, &old);
        memset(&new_, 0, sizeof(new_));
        kj_job_copy(&new_, &old);
        c->mutate(&old, &new_);
        struct kj_field_errors errs;
        kj_field_errors_init(&errs);
        size_t n = kj_job_validate_status_update(&old, &new_, &errs);
        assert_int_equal(n, errs.len);
        assert_errors(&errs, c->want, c->name);
        kj_field_errors_free(&errs);
        kj_job_clear(&old);
        kj_job_clear(&new_);
    }
}

static void test_prepare_status_update(void **state)
{
    (void)state;
    struct kj_job old, new_;
    stored_job(NULL, &old);
    char *body = job_json_patched(&old, "{\"spec\":{\"parallelism\":4},\"metadata\":{\"labels\":"
                                        "{\"x\":\"y\"}},\"status\":{\"active\":1}}");
    decode_job(body, NULL, &new_);
    free(body);
    kj_job_prepare_status_update(&new_, &old);
    assert_int_equal(new_.spec.parallelism, 1);
    assert_string_equal(kj_labels_get(&new_.metadata.labels, "x"), "y");
    assert_int_equal(new_.status.active, 1);
    assert_int_equal(new_.metadata.generation, 1);
    kj_job_clear(&old);
    kj_job_clear(&new_);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_update_table),
        cmocka_unit_test(test_update_started_suspended_job),
        cmocka_unit_test(test_prepare_update),
        cmocka_unit_test(test_spec_equal),
        cmocka_unit_test(test_status_table),
        cmocka_unit_test(test_prepare_status_update),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
