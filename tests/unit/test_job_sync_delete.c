/* The pure Job reconcile (pkg/controller/job_sync.h) and a client's delete
 * of one pod (k8s-job.md §3.7): what is counted, what is stopped with which
 * grace period, what is replaced, and that a finished Job still removes it. */
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

/* What kj_job_driver_pod_delete writes into the ledger. */
static void client_delete(struct world *w, int i, int grace)
{
    struct kj_ledger_pod *p = kj_ledger_find(w->ledger, w->pods[i].name);
    assert_non_null(p);
    p->delete_asked = true;
    p->delete_grace = grace;
    p->delete_at = w->now + grace * S;
}

static const struct kj_sync_action *only_action(struct world *w, enum kj_sync_action_kind k)
{
    assert_int_equal(w->r.nactions, 1);
    assert_int_equal(w->r.actions[0].kind, k);
    return &w->r.actions[0];
}

static void test_running_pod_fails_at_once_and_is_replaced(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":1}");
    step(&w);
    client_delete(&w, 0, 7);
    step(&w);
    /* TerminatingOrFailed (the default): failed now, stopped with the
     * client's grace, not announced by the controller. */
    const struct kj_sync_action *a = only_action(&w, KJ_SYNC_STOP);
    assert_int_equal(a->grace_seconds, 7);
    assert_true(a->client);
    assert_true(a->counted_failed);
    assert_int_equal(st_int(&w, "failed"), 1);
    assert_int_equal(st_int(&w, "active"), 0);
    assert_int_equal(st_int(&w, "terminating"), 1);
    step(&w); /* it exited (143): removed, not counted again */
    assert_true(only_action(&w, KJ_SYNC_REMOVE)->client);
    step(&w);
    assert_int_equal(st_int(&w, "failed"), 1);
    assert_int_equal(st_int(&w, "terminating"), 0);
    assert_true(w.ledger->pods[0].removed);
    assert_int_equal(w.creates, 1); /* the replacement waits for the back-off */
    w.now += 10 * S;
    step(&w);
    assert_int_equal(w.creates, 2);
    exit_first(&w, 0);
    step(&w);
    assert_string_equal(conds(&w), "SuccessCriteriaMet=True/CompletionsReached,"
                                   "Complete=True/CompletionsReached");
    assert_int_equal(st_int(&w, "succeeded"), 1);
    assert_int_equal(st_int(&w, "failed"), 1);
    world_free(&w);
}

static void test_policy_failed_counts_the_exit(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":1,\"podReplacementPolicy\":\"Failed\"}");
    step(&w);
    client_delete(&w, 0, 30);
    w.no_actions = true; /* the stop is on its way */
    step(&w);
    w.no_actions = false;
    assert_int_equal(only_action(&w, KJ_SYNC_STOP)->grace_seconds, 30);
    assert_false(w.r.actions[0].counted_failed);
    assert_int_equal(st_int(&w, "failed"), 0);
    assert_int_equal(st_int(&w, "terminating"), 1);
    w.now += 60 * S;
    step(&w); /* still terminating: no replacement; the stop goes again */
    assert_int_equal(w.creates, 1);
    /* It caught SIGTERM and exited 0: a success under this policy. */
    w.pods[0].exit_code = 0;
    step(&w);
    assert_int_equal(st_int(&w, "succeeded"), 1);
    assert_int_equal(st_int(&w, "failed"), 0);
    step(&w);
    assert_string_equal(conds(&w), "SuccessCriteriaMet=True/CompletionsReached,"
                                   "Complete=True/CompletionsReached");
    assert_int_equal(w.creates, 1);
    world_free(&w);
}

static void test_policy_failed_exit_by_pod_failure_policy(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":1,\"backoffLimit\":0,\"podFailurePolicy\":{\"rules\":["
                   "{\"action\":\"Ignore\",\"onExitCodes\":{\"operator\":\"In\","
                   "\"values\":[143]}}]}}");
    step(&w);
    client_delete(&w, 0, 5);
    step(&w); /* stopped: exits 143 in the simulated engine */
    step(&w); /* counted, removed */
    step(&w);
    /* Ignored by the rule: not a failure, so backoffLimit 0 is not hit, and
     * a replacement follows. */
    assert_int_equal(st_int(&w, "failed"), 0);
    assert_int_equal(w.creates, 2);
    assert_null(strstr(conds(&w), "Failed"));
    world_free(&w);
}

/* An eviction: a delete that marks the pod DisruptionTarget=True. */
static void client_evict(struct world *w, int i, int grace)
{
    client_delete(w, i, grace);
    kj_ledger_find(w->ledger, w->pods[i].name)->disrupted = true;
}

#define DISRUPTION_RULE(action)                                                                   \
    "{\"completions\":1,\"backoffLimit\":0,\"podFailurePolicy\":{\"rules\":[{\"action\":\"" action  \
    "\",\"onPodConditions\":[{\"type\":\"DisruptionTarget\"}]}]}}"

static void test_eviction_ignored_by_condition_rule(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, DISRUPTION_RULE("Ignore"));
    step(&w);
    client_evict(&w, 0, 5);
    step(&w); /* stopped: exits 143 */
    step(&w);
    step(&w);
    assert_int_equal(st_int(&w, "failed"), 0);
    assert_int_equal(w.creates, 2);
    /* A plain delete of the replacement is no disruption: counted, and
     * backoffLimit 0 fails the Job. */
    client_delete(&w, 1, 5);
    step(&w);
    step(&w);
    step(&w); /* Failed once nothing terminates */
    assert_int_equal(st_int(&w, "failed"), 1);
    assert_non_null(strstr(conds(&w), "Failed=True/BackoffLimitExceeded"));
    world_free(&w);
}

static void test_eviction_fails_job_by_condition_rule(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, DISRUPTION_RULE("FailJob"));
    step(&w);
    client_evict(&w, 0, 5);
    step(&w);
    step(&w);
    step(&w);
    assert_non_null(strstr(conds(&w), "Failed=True/PodFailurePolicy"));
    char want[160];
    snprintf(want, sizeof want,
             "Pod default/%s has condition DisruptionTarget matching FailJob rule at index 0",
             w.pods[0].name);
    assert_string_equal(cond_msg(&w, "Failed"), want);
    world_free(&w);
}

static void test_finished_pod_keeps_its_count(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":2,\"parallelism\":2}");
    step(&w);
    exit_pod(&w, 0, 0);
    step(&w);
    assert_int_equal(st_int(&w, "succeeded"), 1);
    client_delete(&w, 0, 30);
    step(&w);
    assert_true(only_action(&w, KJ_SYNC_REMOVE)->client);
    assert_int_equal(st_int(&w, "terminating"), 0); /* never was */
    step(&w);
    assert_int_equal(st_int(&w, "succeeded"), 1);
    assert_int_equal(st_int(&w, "active"), 1);
    assert_int_equal(w.creates, 2); /* nothing to replace */
    world_free(&w);
}

static void test_finished_job_still_removes(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":1}");
    step(&w);
    exit_first(&w, 0);
    step(&w);
    assert_true(w.r.finished);
    step(&w);
    assert_true(w.r.skipped);
    assert_false(w.r.ledger_changed);
    client_delete(&w, 0, 30);
    step(&w);
    assert_true(w.r.skipped);
    assert_true(w.r.ledger_changed); /* the driver must write it */
    assert_true(only_action(&w, KJ_SYNC_REMOVE)->client);
    step(&w);
    assert_true(w.ledger->pods[0].removed);
    assert_int_equal(st_int(&w, "succeeded"), 1);
    step(&w);
    assert_false(w.r.ledger_changed);
    assert_int_equal(w.r.nactions, 0);
    world_free(&w);
}

static void test_crash_after_delete_recorded(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":1}");
    step(&w);
    client_delete(&w, 0, 3);
    w.no_persist = true; /* the sync's write is lost: the next one redoes it */
    step(&w);
    w.no_persist = false;
    step(&w);
    assert_int_equal(st_int(&w, "failed"), 1);
    step(&w);
    step(&w);
    assert_int_equal(st_int(&w, "failed"), 1); /* counted once */
    assert_true(w.ledger->pods[0].removed);
    world_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_running_pod_fails_at_once_and_is_replaced),
        cmocka_unit_test(test_policy_failed_counts_the_exit),
        cmocka_unit_test(test_policy_failed_exit_by_pod_failure_policy),
        cmocka_unit_test(test_eviction_ignored_by_condition_rule),
        cmocka_unit_test(test_eviction_fails_job_by_condition_rule),
        cmocka_unit_test(test_finished_pod_keeps_its_count),
        cmocka_unit_test(test_finished_job_still_removes),
        cmocka_unit_test(test_crash_after_delete_recorded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
