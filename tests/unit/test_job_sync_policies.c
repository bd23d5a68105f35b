/* The pure Job reconcile (pkg/controller/job_sync.h): Indexed mode,
 * backoffLimitPerIndex, podFailurePolicy, successPolicy,
 * podReplacementPolicy, TTL, and the small helpers (index lists, names,
 * ledger JSON). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller/job_sync.h"
#include "controller/ledger.h"
#include "test_job_sync_world.h"

/* ---- Indexed ---- */

static void test_indexed_names_and_completed_indexes(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":5,\"parallelism\":3,\"completionMode\":\"Indexed\"}");
    step(&w);
    assert_int_equal(w.creates, 3);
    for (int i = 0; i < 3; i++) {
        char pfx[16];
        snprintf(pfx, sizeof(pfx), "pi-%d-", i);
        assert_int_equal(w.pods[i].index, i);
        assert_true(strncmp(w.pods[i].name, pfx, strlen(pfx)) == 0);
        assert_true(valid_suffix(w.pods[i].name, strlen(pfx)));
    }
    exit_pod(&w, 1, 0);
    exit_pod(&w, 0, 1); /* index 0 fails → retried with the same index */
    step(&w);
    assert_string_equal(st_str(&w, "completedIndexes"), "1");
    assert_int_equal(st_int(&w, "succeeded"), 1);
    w.now += 10 * S;
    step(&w);
    assert_int_equal(w.pods[3].index, 0);
    assert_int_equal(w.pods[4].index, 3);
    for (int i = 2; i < w.npods; i++)
        if (w.pods[i].state == KJ_POD_OBS_RUNNING)
            exit_pod(&w, i, 0);
    step(&w);
    assert_string_equal(st_str(&w, "completedIndexes"), "0-3");
    step(&w);
    exit_first(&w, 0);
    step(&w);
    assert_string_equal(st_str(&w, "completedIndexes"), "0-4");
    assert_int_equal(st_int(&w, "succeeded"), 5);
    assert_true(w.r.finished);
    world_free(&w);
}

static void test_backoff_limit_per_index(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":3,\"parallelism\":3,\"completionMode\":\"Indexed\","
                   "\"backoffLimitPerIndex\":1}");
    step(&w);
    assert_string_equal(st_str(&w, "failedIndexes"), "");
    exit_pod(&w, 1, 1);
    step(&w);
    w.now += 10 * S;
    step(&w);
    assert_int_equal(w.npods, 4);
    assert_int_equal(w.pods[3].index, 1);
    assert_int_equal(w.ledger->pods[3].index_failures, 1);
    exit_pod(&w, 3, 1); /* second failure of index 1 → index failed */
    exit_pod(&w, 0, 0);
    step(&w);
    assert_string_equal(st_str(&w, "failedIndexes"), "1");
    assert_string_equal(conds(&w), "");
    w.now += 60 * S;
    step(&w);
    assert_int_equal(w.npods, 4); /* failed index is never retried */
    exit_pod(&w, 2, 0);
    step(&w);
    assert_string_equal(conds(&w), "FailureTarget=True/FailedIndexes,Failed=True/FailedIndexes");
    assert_string_equal(cond_msg(&w, "Failed"), "Job has failed indexes");
    assert_string_equal(st_str(&w, "completedIndexes"), "0,2");
    world_free(&w);
}

static void test_max_failed_indexes(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":4,\"parallelism\":4,\"completionMode\":\"Indexed\","
                   "\"backoffLimitPerIndex\":0,\"maxFailedIndexes\":0}");
    step(&w);
    exit_pod(&w, 2, 1);
    step(&w);
    assert_string_equal(conds(&w), "FailureTarget=True/MaxFailedIndexesExceeded");
    assert_string_equal(cond_msg(&w, "FailureTarget"),
                        "Job has exceeded the specified maximal number of failed indexes");
    assert_int_equal(w.stops, 3);
    world_free(&w);
}

/* ---- podFailurePolicy, successPolicy, podReplacementPolicy, TTL ---- */

static const char *pfp_spec =
    "{\"completions\":2,\"parallelism\":2,\"backoffLimit\":0,"
    "\"template\":{\"spec\":{\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"main\"}]}},"
    "\"podFailurePolicy\":{\"rules\":["
    "{\"action\":\"Ignore\",\"onPodConditions\":[{\"type\":\"DisruptionTarget\"}]},"
    "{\"action\":\"FailJob\",\"onExitCodes\":{\"containerName\":\"main\",\"operator\":\"In\","
    "\"values\":[42]}},"
    "{\"action\":\"Ignore\",\"onExitCodes\":{\"operator\":\"In\",\"values\":[3,4]}}]}}";

static void test_pod_failure_policy_fail_job(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, pfp_spec);
    step(&w);
    exit_pod(&w, 1, 42);
    step(&w);
    assert_string_equal(conds(&w), "FailureTarget=True/PodFailurePolicy");
    char msg[256];
    snprintf(msg, sizeof(msg),
             "Container main for pod default/%s failed with exit code 42 matching FailJob rule "
             "at index 1",
             w.pods[1].name);
    assert_string_equal(cond_msg(&w, "FailureTarget"), msg);
    step(&w);
    step(&w);
    assert_string_equal(conds(&w), "FailureTarget=True/PodFailurePolicy,"
                                   "Failed=True/PodFailurePolicy");
    assert_int_equal(st_int(&w, "failed"), 2);
    world_free(&w);
}

static void test_pod_failure_policy_ignore(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, pfp_spec);
    step(&w);
    exit_pod(&w, 0, 3);
    step(&w); /* not counted (backoffLimit 0 would fail otherwise), replaced at once */
    assert_int_equal(st_int(&w, "failed"), 0);
    assert_string_equal(conds(&w), "");
    assert_int_equal(w.creates, 3);
    exit_pod(&w, 1, 7); /* no rule matches → counted */
    step(&w);
    assert_string_equal(conds(&w), "FailureTarget=True/BackoffLimitExceeded");
    world_free(&w);
}

static void test_pod_failure_policy_fail_index(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":2,\"parallelism\":2,\"completionMode\":\"Indexed\","
                   "\"backoffLimitPerIndex\":5,\"template\":{\"spec\":{\"restartPolicy\":"
                   "\"Never\",\"containers\":[{\"name\":\"main\"}]}},\"podFailurePolicy\":{"
                   "\"rules\":[{\"action\":\"FailIndex\",\"onExitCodes\":{\"operator\":"
                   "\"NotIn\",\"values\":[1]}}]}}");
    step(&w);
    exit_pod(&w, 0, 9);
    step(&w);
    assert_string_equal(st_str(&w, "failedIndexes"), "0");
    exit_pod(&w, 1, 0);
    step(&w);
    assert_string_equal(conds(&w), "FailureTarget=True/FailedIndexes,Failed=True/FailedIndexes");
    world_free(&w);
}

static void test_success_policy(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":4,\"parallelism\":4,\"completionMode\":\"Indexed\","
                   "\"successPolicy\":{\"rules\":[{\"succeededIndexes\":\"0,2\","
                   "\"succeededCount\":2},{\"succeededCount\":1}]}}");
    step(&w);
    exit_pod(&w, 2, 0);
    step(&w);
    assert_string_equal(conds(&w), "SuccessCriteriaMet=True/SuccessPolicy");
    assert_string_equal(cond_msg(&w, "SuccessCriteriaMet"), "Matched rules at index 1");
    assert_int_equal(w.stops, 3);
    step(&w);
    step(&w);
    assert_string_equal(conds(&w), "SuccessCriteriaMet=True/SuccessPolicy,"
                                   "Complete=True/SuccessPolicy");
    assert_int_equal(st_int(&w, "failed"), 0); /* deleted pods not counted */
    assert_int_equal(st_int(&w, "succeeded"), 1);
    assert_non_null(st_str(&w, "completionTime"));
    world_free(&w);
}

static void test_replacement_policy_failed_waits(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":3,\"parallelism\":2,\"podReplacementPolicy\":\"Failed\"}");
    step(&w);
    set_spec(&w, "parallelism", cJSON_CreateNumber(1));
    w.no_actions = true; /* keep the stopped pod terminating */
    step(&w);
    w.no_actions = false;
    assert_int_equal(st_int(&w, "terminating"), 1);
    set_spec(&w, "parallelism", cJSON_CreateNumber(2));
    step(&w); /* one active + one terminating: no replacement yet */
    assert_int_equal(w.creates, 2);
    world_free(&w);
}

static void test_ttl_after_finished(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":1,\"ttlSecondsAfterFinished\":100}");
    step(&w);
    w.now += 7 * S;
    exit_first(&w, 0);
    step(&w);
    assert_int_equal(w.r.delete_at, T0 + 107 * S);
    w.now += 5 * S;
    step(&w); /* skipped, still reports the expiry */
    assert_true(w.r.skipped);
    assert_int_equal(w.r.delete_at, T0 + 107 * S);
    world_free(&w);
}

static void test_too_many_succeeded(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":2,\"parallelism\":2}");
    step(&w);
    set_spec(&w, "completions", cJSON_CreateNumber(1));
    exit_pod(&w, 0, 0);
    exit_pod(&w, 1, 0);
    step(&w);
    assert_string_equal(w.events, "Completed|Job completed;TooManySucceededPods|Too many "
                                  "succeeded pods running after completion count reached;");
    world_free(&w);
}

/* ---- helpers ---- */

static void test_index_list_format_parse(void **state)
{
    (void)state;
    bool set[10] = {0};
    set[1] = set[3] = set[4] = set[5] = set[7] = true;
    char *s = kj_index_list_format(set, 10);
    assert_string_equal(s, "1,3-5,7");
    free(s);
    bool two[2] = {true, true};
    s = kj_index_list_format(two, 2);
    assert_string_equal(s, "0,1");
    free(s);
    s = kj_index_list_format(set, 0);
    assert_string_equal(s, "");
    free(s);
    bool got[10] = {0};
    assert_int_equal(kj_index_list_parse("1,3-5,7,12", got, 10), 0);
    assert_memory_equal(got, set, sizeof(set));
    assert_int_equal(kj_index_list_parse("1,x", got, 10), -1);
    assert_int_equal(kj_index_list_parse("5-3", got, 10), -1);
}

static void test_pod_name_cut_and_ledger_roundtrip(void **state)
{
    (void)state;
    struct kj_sync_config cfg;
    unsigned r = 1;
    kj_sync_config_defaults(&cfg);
    cfg.rand_bytes = rand_cb;
    cfg.rand_arg = &r;
    char job[80];
    memset(job, 'a', 70);
    job[70] = '\0';
    char *n = kj_job_pod_name(job, 12, &cfg);
    assert_int_equal(strlen(n), 63);
    assert_memory_equal(n + 54, "-12-", 4);
    free(n);
    struct kj_ledger *l = kj_ledger_new();
    struct kj_ledger_pod *p = kj_ledger_add(l, "pi-abcde", "u1", 3);
    p->outcome = KJ_OUTCOME_FAILED;
    p->last_exit_at = T0 + 123456789;
    p->restarts = 2;
    p->seen = true;
    l->failures_after_success = 4;
    l->last_failure_at = T0 + 1;
    cJSON *j = kj_ledger_to_json(l);
    kj_error_t err = NULL;
    struct kj_ledger *b = kj_ledger_from_json(j, &err);
    assert_non_null(b);
    assert_int_equal(b->pods[0].last_exit_at, T0 + 123456789);
    assert_int_equal(b->pods[0].outcome, KJ_OUTCOME_FAILED);
    assert_int_equal(b->pods[0].index, 3);
    assert_int_equal(b->pods[0].restarts, 2);
    assert_true(b->pods[0].seen);
    assert_int_equal(b->failures_after_success, 4);
    assert_int_equal(b->last_failure_at, T0 + 1);
    cJSON_Delete(j);
    kj_ledger_free(b);
    kj_ledger_free(l);
    cJSON *bad = cJSON_Parse("{\"pods\":[{\"name\":\"x\",\"outcome\":\"Weird\"}]}");
    assert_null(kj_ledger_from_json(bad, &err));
    assert_non_null(err);
    kj_error_release(&err);
    cJSON_Delete(bad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_indexed_names_and_completed_indexes),
        cmocka_unit_test(test_backoff_limit_per_index),
        cmocka_unit_test(test_max_failed_indexes),
        cmocka_unit_test(test_pod_failure_policy_fail_job),
        cmocka_unit_test(test_pod_failure_policy_ignore),
        cmocka_unit_test(test_pod_failure_policy_fail_index),
        cmocka_unit_test(test_success_policy),
        cmocka_unit_test(test_replacement_policy_failed_waits),
        cmocka_unit_test(test_ttl_after_finished),
        cmocka_unit_test(test_too_many_succeeded),
        cmocka_unit_test(test_index_list_format_parse),
        cmocka_unit_test(test_pod_name_cut_and_ledger_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
