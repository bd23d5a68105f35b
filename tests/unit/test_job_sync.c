/* The pure Job reconcile (pkg/controller/job_sync.h): counting,
 * parallelism, restart policies, backoff, deadline, suspend, and the crash
 * points of exactly-once counting. Policies and Indexed mode are in
 * test_job_sync_policies.c. */
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

/* ---- counting, parallelism, completion ---- */


static void test_single_pod_completes(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":1,\"parallelism\":1}");
    step(&w);
    assert_int_equal(w.creates, 1);
    assert_int_equal(st_int(&w, "active"), 1);
    assert_string_equal(st_str(&w, "startTime"), "2023-11-14T22:13:20Z");
    assert_true(strncmp(w.pods[0].name, "pi-", 3) == 0 && valid_suffix(w.pods[0].name, 3));
    assert_int_equal(strlen(w.pods[0].uid), 36);
    step(&w); /* observed running: ready 1 */
    assert_int_equal(st_int(&w, "ready"), 1);
    step(&w); /* nothing new */
    assert_int_equal(w.creates, 1);
    assert_false(w.r.status_changed);
    assert_false(w.r.ledger_changed);
    w.now += 5 * S;
    exit_first(&w, 0);
    step(&w);
    assert_int_equal(st_int(&w, "succeeded"), 1);
    assert_int_equal(st_int(&w, "active"), 0);
    assert_string_equal(conds(&w), "SuccessCriteriaMet=True/CompletionsReached,"
                                   "Complete=True/CompletionsReached");
    assert_string_equal(cond_msg(&w, "Complete"), "Reached expected number of succeeded pods");
    assert_string_equal(st_str(&w, "completionTime"), "2023-11-14T22:13:25Z");
    assert_int_equal(st_int(&w, "ready"), 0);
    assert_non_null(cJSON_GetObjectItem(status(&w), "terminating"));
    assert_non_null(cJSON_GetObjectItem(status(&w), "uncountedTerminatedPods"));
    assert_null(cJSON_GetObjectItem(status(&w), "failed"));
    assert_string_equal(w.events, "Completed|Job completed;");
    assert_true(w.r.finished);
    /* Finished: later syncs are skipped and never remove finished pods. */
    step(&w);
    assert_true(w.r.skipped);
    assert_int_equal(w.r.nactions, 0);
    world_free(&w);
}

static void test_parallel_slow_counts_exactly(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":10,\"parallelism\":5}");
    for (int round = 0; round < 40 && !w.r.finished; round++) {
        step(&w);
        assert_true(count_state(&w, KJ_POD_OBS_RUNNING) <= 5);
        if (count_state(&w, KJ_POD_OBS_RUNNING) > 0 && round % 2 == 0)
            exit_first(&w, 0);
        w.now += S;
    }
    assert_true(w.r.finished);
    assert_int_equal(st_int(&w, "succeeded"), 10);
    assert_int_equal(w.creates, 10);
    assert_int_equal(w.max_active, 5);
    world_free(&w);
}

static void test_work_queue_mode(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"parallelism\":3}");
    step(&w);
    assert_int_equal(w.creates, 3);
    exit_first(&w, 0);
    step(&w);
    /* A success means the queue drains: no new pods, the rest finish. */
    assert_int_equal(w.creates, 3);
    assert_string_equal(conds(&w), "");
    exit_first(&w, 1); /* failures after a success still count */
    step(&w);
    assert_int_equal(st_int(&w, "failed"), 1);
    exit_first(&w, 0);
    step(&w);
    assert_int_equal(st_int(&w, "succeeded"), 2);
    assert_string_equal(conds(&w), "SuccessCriteriaMet=True/CompletionsReached,"
                                   "Complete=True/CompletionsReached");
    world_free(&w);
}

static void test_completions_zero_completes_at_once(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":0,\"parallelism\":2}");
    step(&w);
    assert_int_equal(w.creates, 0);
    assert_true(w.r.finished);
    world_free(&w);
}

static void test_parallelism_zero_waits(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":2,\"parallelism\":0}");
    step(&w);
    assert_int_equal(w.creates, 0);
    assert_false(w.r.finished);
    set_spec(&w, "parallelism", cJSON_CreateNumber(2));
    step(&w);
    assert_int_equal(w.creates, 2);
    world_free(&w);
}

static void test_scale_down_deletes_uncounted(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":10,\"parallelism\":4}");
    step(&w);
    assert_int_equal(w.creates, 4);
    set_spec(&w, "parallelism", cJSON_CreateNumber(1));
    step(&w);
    assert_int_equal(w.stops, 3);
    assert_int_equal(st_int(&w, "active"), 1);
    assert_int_equal(st_int(&w, "terminating"), 3);
    step(&w); /* the stopped ones exited → removed, not counted */
    assert_int_equal(w.removes, 3);
    step(&w);
    assert_int_equal(st_int(&w, "terminating"), 0);
    assert_int_equal(st_int(&w, "failed"), 0);
    assert_int_equal(w.creates, 4);
    world_free(&w);
}

static void test_managed_by_other_is_skipped(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":1,\"managedBy\":\"example.com/other\"}");
    step(&w);
    assert_true(w.r.skipped);
    assert_int_equal(w.creates, 0);
    world_free(&w);
}

static void test_unknown_mode_event(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":1,\"completionMode\":\"Weird\"}");
    step(&w);
    assert_int_equal(w.creates, 0);
    assert_string_equal(w.events,
                        "UnknownCompletionMode|Skipped Job sync because completion mode is unknown;");
    world_free(&w);
}

/* ---- failures, backoff, restart policies ---- */

static void test_never_backoff_and_limit(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":1,\"backoffLimit\":2}");
    step(&w);
    exit_first(&w, 1);
    step(&w);
    assert_int_equal(st_int(&w, "failed"), 1);
    assert_int_equal(w.creates, 1); /* backoff 10 s */
    assert_int_equal(w.r.requeue_at, T0 + 10 * S);
    w.now += 9 * S;
    step(&w);
    assert_int_equal(w.creates, 1);
    w.now += S;
    step(&w);
    assert_int_equal(w.creates, 2);
    exit_first(&w, 2);
    step(&w);
    assert_int_equal(w.r.requeue_at, w.now + 20 * S); /* n=2 → 20 s */
    w.now += 20 * S;
    step(&w);
    assert_int_equal(w.creates, 3);
    exit_first(&w, 3);
    step(&w); /* failed 3 > backoffLimit 2 */
    assert_int_equal(st_int(&w, "failed"), 3);
    assert_string_equal(conds(&w), "FailureTarget=True/BackoffLimitExceeded,"
                                   "Failed=True/BackoffLimitExceeded");
    assert_string_equal(cond_msg(&w, "Failed"), "Job has reached the specified backoff limit");
    assert_null(cJSON_GetObjectItem(status(&w), "completionTime"));
    assert_string_equal(w.events,
                        "BackoffLimitExceeded|Job has reached the specified backoff limit;");
    assert_true(w.r.events[0].warning);
    /* Exactly backoffLimit + 1 pods, all failed, none removed. */
    assert_int_equal(w.creates, 3);
    assert_int_equal(w.removes, 0);
    world_free(&w);
}

static void test_backoff_resets_after_success_and_caps(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":3,\"parallelism\":1,\"backoffLimit\":100}");
    step(&w);
    exit_first(&w, 0);
    step(&w); /* success → second pod at once */
    assert_int_equal(w.creates, 2);
    for (int i = 0; i < 8; i++) {
        exit_first(&w, 1);
        step(&w);
        w.now = w.r.requeue_at;
        step(&w);
    }
    /* n = 8 → 10 s × 2^7 = 1280 s, capped at 600 s. */
    exit_first(&w, 1);
    int64_t fail_at = w.now;
    step(&w);
    assert_int_equal(w.r.requeue_at, fail_at + 600 * S);
    w.now = w.r.requeue_at;
    step(&w);
    exit_first(&w, 0);
    step(&w); /* the reset: no delay after a success */
    assert_int_equal(w.r.requeue_at, 0);
    assert_int_equal(st_int(&w, "active"), 1);
    world_free(&w);
}

static const char *on_failure_spec =
    "{\"completions\":1,\"backoffLimit\":2,\"template\":{\"spec\":{\"restartPolicy\":"
    "\"OnFailure\",\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}}}";

static void test_on_failure_restarts_in_place(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, on_failure_spec);
    step(&w);
    exit_first(&w, 1);
    step(&w);
    /* Restart once per distinct exit, after 10 s; the pod stays active. */
    assert_int_equal(w.restarts, 0);
    assert_int_equal(w.r.requeue_at, w.now + 10 * S);
    assert_int_equal(st_int(&w, "active"), 1);
    assert_int_equal(st_int(&w, "failed"), 0);
    assert_int_equal(w.ledger->pods[0].restarts, 1);
    step(&w); /* same exit seen again: not counted twice */
    assert_int_equal(w.ledger->pods[0].restarts, 1);
    w.now += 10 * S;
    step(&w);
    assert_int_equal(w.restarts, 1);
    assert_int_equal(w.creates, 1); /* same pod, same container */
    w.now += S;
    exit_first(&w, 1);
    step(&w); /* 2 exits, restartCount 1 while it waits: below backoffLimit 2 */
    assert_int_equal(w.ledger->pods[0].restarts, 2);
    assert_int_equal(w.stops, 0);
    assert_int_equal(st_int(&w, "active"), 1);
    assert_string_equal(conds(&w), "");
    w.now += 20 * S;
    step(&w); /* the second restart: restartCount 2 ≥ backoffLimit 2 */
    assert_int_equal(w.restarts, 2);
    step(&w); /* → fail; the running pod is deleted and counted */
    assert_string_equal(conds(&w), "FailureTarget=True/BackoffLimitExceeded");
    assert_int_equal(w.stops, 1);
    assert_int_equal(st_int(&w, "failed"), 1);
    assert_int_equal(st_int(&w, "terminating"), 1);
    step(&w); /* exited → removed */
    assert_int_equal(w.removes, 1);
    step(&w);
    assert_string_equal(conds(&w), "FailureTarget=True/BackoffLimitExceeded,"
                                   "Failed=True/BackoffLimitExceeded");
    assert_int_equal(st_int(&w, "failed"), 1);
    world_free(&w);
}

static void test_on_failure_backoff_doubles_and_caps(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":1,\"backoffLimit\":50,\"template\":{\"spec\":{"
                   "\"restartPolicy\":\"OnFailure\",\"containers\":[{\"name\":\"c\"}]}}}");
    step(&w);
    int64_t want[] = {10, 20, 40, 80, 160, 300, 300};
    for (int i = 0; i < 7; i++) {
        exit_first(&w, 1);
        step(&w);
        assert_int_equal(w.r.requeue_at - w.now, want[i] * S);
        w.now = w.r.requeue_at;
        step(&w);
        assert_int_equal(w.restarts, i + 1);
    }
    exit_first(&w, 0); /* finally succeeds */
    step(&w);
    assert_true(w.r.finished);
    assert_int_equal(st_int(&w, "succeeded"), 1);
    world_free(&w);
}

static void test_backoff_limit_zero_on_failure(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":1,\"backoffLimit\":0,\"template\":{\"spec\":{"
                   "\"restartPolicy\":\"OnFailure\",\"containers\":[{\"name\":\"c\"}]}}}");
    step(&w);
    exit_first(&w, 1);
    step(&w); /* restartCount is still 0: the container is restarted once */
    assert_string_equal(conds(&w), "");
    w.now += 10 * S;
    step(&w);
    assert_int_equal(w.restarts, 1);
    step(&w); /* restartCount 1 > 0 */
    assert_string_equal(conds(&w), "FailureTarget=True/BackoffLimitExceeded");
    world_free(&w);
}

static void test_vanished_pod_is_failure_and_replaced(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":1}");
    step(&w);
    step(&w); /* observed → seen */
    assert_true(w.ledger->pods[0].seen);
    w.pods[0].state = KJ_POD_OBS_REMOVED; /* docker rm -f, exit unobserved */
    step(&w);
    assert_int_equal(st_int(&w, "failed"), 1);
    w.now += 10 * S;
    step(&w);
    assert_int_equal(w.creates, 2);
    world_free(&w);
}

static void test_deadline_exceeded(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":2,\"parallelism\":2,\"activeDeadlineSeconds\":30}");
    step(&w);
    assert_int_equal(w.r.requeue_at, T0 + 30 * S);
    w.now += 30 * S;
    step(&w);
    assert_string_equal(conds(&w), "FailureTarget=True/DeadlineExceeded");
    assert_int_equal(w.stops, 2);
    assert_int_equal(st_int(&w, "failed"), 2);
    assert_int_equal(st_int(&w, "active"), 0);
    assert_int_equal(st_int(&w, "terminating"), 2);
    step(&w);
    step(&w);
    assert_string_equal(conds(&w), "FailureTarget=True/DeadlineExceeded,"
                                   "Failed=True/DeadlineExceeded");
    assert_string_equal(cond_msg(&w, "Failed"), "Job was active longer than specified deadline");
    assert_string_equal(w.events,
                        "DeadlineExceeded|Job was active longer than specified deadline;");
    world_free(&w);
}

/* ---- suspend ---- */

static void test_suspend_and_resume(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":2,\"parallelism\":2,\"suspend\":true}");
    step(&w);
    assert_int_equal(w.creates, 0);
    assert_null(st_str(&w, "startTime"));
    assert_string_equal(conds(&w), "Suspended=True/JobSuspended");
    assert_string_equal(w.events, "Suspended|Job suspended;");
    step(&w); /* no second event */
    assert_string_equal(w.events, "Suspended|Job suspended;");
    set_spec(&w, "suspend", cJSON_CreateFalse());
    w.now += 100 * S;
    step(&w);
    assert_int_equal(w.creates, 2);
    assert_string_equal(conds(&w), "Suspended=False/JobResumed");
    assert_string_equal(cond_msg(&w, "Suspended"), "Job resumed");
    assert_string_equal(st_str(&w, "startTime"), "2023-11-14T22:15:00Z");
    /* Suspend a running Job: pods deleted, not counted as failed. */
    set_spec(&w, "suspend", cJSON_CreateTrue());
    step(&w);
    assert_int_equal(w.stops, 2);
    assert_string_equal(conds(&w), "Suspended=True/JobSuspended");
    step(&w);
    step(&w);
    assert_int_equal(st_int(&w, "failed"), 0);
    assert_int_equal(st_int(&w, "terminating"), 0);
    assert_int_equal(st_int(&w, "ready"), 0);
    /* Resume resets startTime (deadline restarts). */
    set_spec(&w, "suspend", cJSON_CreateFalse());
    w.now += 50 * S;
    step(&w);
    assert_string_equal(st_str(&w, "startTime"), "2023-11-14T22:15:50Z");
    assert_int_equal(w.creates, 4);
    world_free(&w);
}

/* ---- crash safety: exactly-once counting ---- */

static void test_crash_before_status_write_recounts_same(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":3,\"parallelism\":3}");
    step(&w);
    exit_pod(&w, 0, 0);
    exit_pod(&w, 1, 1);
    w.no_persist = true; /* sync ran, crash before the write */
    step(&w);
    w.no_persist = false;
    step(&w);
    step(&w);
    assert_int_equal(st_int(&w, "succeeded"), 1);
    assert_int_equal(st_int(&w, "failed"), 1);
    world_free(&w);
}

static void test_replay_is_idempotent(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":4,\"parallelism\":2}");
    step(&w);
    exit_pod(&w, 0, 0);
    step(&w);
    step(&w); /* the replacement is observed */
    int creates = w.creates;
    /* The same observations again, many times: nothing changes. */
    for (int i = 0; i < 5; i++) {
        step(&w);
        assert_false(w.r.status_changed);
        assert_false(w.r.ledger_changed);
        assert_int_equal(w.r.nactions, 0);
    }
    assert_int_equal(w.creates, creates);
    assert_int_equal(st_int(&w, "succeeded"), 1);
    world_free(&w);
}

static void test_crash_after_write_before_creates(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":2,\"parallelism\":2}");
    w.no_actions = true; /* ledger records two creates, none executed */
    step(&w);
    w.no_actions = false;
    assert_int_equal(w.ledger->n, 2);
    step(&w); /* never-seen entries are dropped, then recreated */
    assert_int_equal(w.creates, 2);
    assert_int_equal(w.ledger->n, 2);
    assert_int_equal(st_int(&w, "failed"), 0);
    assert_int_equal(st_int(&w, "active"), 2);
    world_free(&w);
}

/* Both pods of a two-completion Job exit 0: the Job is done. */
static void both_succeed(struct world *w)
{
    exit_pod(w, 0, 0);
    exit_pod(w, 1, 0);
    step(w);
    assert_int_equal(st_int(w, "succeeded"), 2);
    assert_true(w->r.finished);
}

static void test_crash_create_issued_not_recorded_adopts(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":2,\"parallelism\":2}");
    step(&w);
    /* The ledger was lost (e.g. older write) but the containers exist. */
    kj_ledger_free(w.ledger);
    w.ledger = kj_ledger_new();
    step(&w);
    assert_int_equal(w.creates, 2); /* adopted, no extra creates */
    assert_int_equal(w.ledger->n, 2);
    both_succeed(&w);
    world_free(&w);
}

/* kjobd killed between a container's create and its start: the container
 * stays "created" and nothing else would start it; the next kjobd does. */
static void test_crash_between_create_and_start(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":2,\"parallelism\":2}");
    step(&w);
    for (int i = 0; i < w.npods; i++) {
        w.pods[i].state = KJ_POD_OBS_CREATED;
        w.pods[i].started = 0;
    }
    step(&w);
    assert_int_equal(w.restarts, 2); /* started, not replaced */
    assert_int_equal(w.creates, 2);
    assert_int_equal(count_state(&w, KJ_POD_OBS_RUNNING), 2);
    assert_int_equal(st_int(&w, "active"), 2);
    both_succeed(&w);
    world_free(&w);
}

static void test_crash_restart_issued_not_observed(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, on_failure_spec);
    step(&w);
    exit_first(&w, 1);
    step(&w);
    w.now += 10 * S;
    w.no_actions = true; /* restart issued (status written), engine never did it */
    step(&w);
    w.no_actions = false;
    assert_int_equal(w.r.nactions, 1);
    step(&w); /* same exit: not recounted, restart issued again */
    assert_int_equal(w.ledger->pods[0].restarts, 1);
    assert_int_equal(w.restarts, 1);
    assert_int_equal(st_int(&w, "active"), 1);
    world_free(&w);
}

static void test_crash_status_written_restart_not_issued(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, on_failure_spec);
    step(&w);
    exit_first(&w, 1);
    w.no_actions = true;
    step(&w); /* restart counted and persisted */
    w.no_actions = false;
    assert_int_equal(w.ledger->pods[0].restarts, 1);
    w.now += 10 * S;
    step(&w);
    assert_int_equal(w.ledger->pods[0].restarts, 1);
    assert_int_equal(w.restarts, 1);
    world_free(&w);
}

/* A pod of several containers under OnFailure reports a failed container
 * while others run: the controller must stop it (graceful) before it
 * removes it, not force-remove running containers. */
static void test_obs_all_exited(void **state)
{
    (void)state;
    struct kj_pod_obs o = {.state = KJ_POD_OBS_EXITED, .exit_code = 3};
    assert_true(kj_pod_obs_all_exited(&o));
    cJSON *members = cJSON_Parse("[{\"name\":\"a\",\"state\":\"waiting\"},"
                                 "{\"name\":\"b\",\"state\":\"running\"}]");
    o.containers = members;
    assert_false(kj_pod_obs_all_exited(&o));
    cJSON_ReplaceItemInObject(cJSON_GetArrayItem(members, 1), "state",
                              cJSON_CreateString("terminated"));
    assert_true(kj_pod_obs_all_exited(&o));
    o.state = KJ_POD_OBS_RUNNING;
    assert_false(kj_pod_obs_all_exited(&o));
    cJSON_Delete(members);
}

static void test_crash_stop_lost_is_reissued(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "{\"completions\":2,\"parallelism\":2,\"activeDeadlineSeconds\":5}");
    step(&w);
    w.now += 5 * S;
    w.no_actions = true; /* FailureTarget written, the stops never reached the engine */
    step(&w);
    w.no_actions = false;
    assert_string_equal(conds(&w), "FailureTarget=True/DeadlineExceeded");
    assert_int_equal(w.stops, 0);
    step(&w); /* still running: stopped again, not recounted */
    assert_int_equal(w.stops, 2);
    assert_int_equal(st_int(&w, "failed"), 2);
    step(&w);
    step(&w);
    assert_string_equal(conds(&w), "FailureTarget=True/DeadlineExceeded,"
                                   "Failed=True/DeadlineExceeded");
    assert_int_equal(st_int(&w, "failed"), 2);
    world_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_pod_completes),
        cmocka_unit_test(test_parallel_slow_counts_exactly),
        cmocka_unit_test(test_work_queue_mode),
        cmocka_unit_test(test_completions_zero_completes_at_once),
        cmocka_unit_test(test_parallelism_zero_waits),
        cmocka_unit_test(test_scale_down_deletes_uncounted),
        cmocka_unit_test(test_managed_by_other_is_skipped),
        cmocka_unit_test(test_unknown_mode_event),
        cmocka_unit_test(test_never_backoff_and_limit),
        cmocka_unit_test(test_backoff_resets_after_success_and_caps),
        cmocka_unit_test(test_on_failure_restarts_in_place),
        cmocka_unit_test(test_on_failure_backoff_doubles_and_caps),
        cmocka_unit_test(test_backoff_limit_zero_on_failure),
        cmocka_unit_test(test_vanished_pod_is_failure_and_replaced),
        cmocka_unit_test(test_deadline_exceeded),
        cmocka_unit_test(test_suspend_and_resume),
        cmocka_unit_test(test_crash_before_status_write_recounts_same),
        cmocka_unit_test(test_replay_is_idempotent),
        cmocka_unit_test(test_crash_after_write_before_creates),
        cmocka_unit_test(test_crash_create_issued_not_recorded_adopts),
        cmocka_unit_test(test_crash_between_create_and_start),
        cmocka_unit_test(test_crash_restart_issued_not_observed),
        cmocka_unit_test(test_crash_status_written_restart_not_issued),
        cmocka_unit_test(test_crash_stop_lost_is_reissued),
        cmocka_unit_test(test_obs_all_exited),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
