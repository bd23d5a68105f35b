/* ReplicaSet decision (controller/rs_sync.h): table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "controller/rs_sync.h"

#define S INT64_C(1000000000)
#define BASE (10 * S)
#define MAX (300 * S)

static struct kj_rs_pod running(int64_t created)
{
    return (struct kj_rs_pod){.state = KJ_POD_OBS_RUNNING, .ready = true, .created_at = created};
}

static void test_scale_up_from_nothing(void **state)
{
    (void)state;
    struct kj_rs_decision d;
    kj_rs_sync(3, NULL, 0, 100 * S, BASE, MAX, &d);
    assert_int_equal(d.n_create, 3);
    assert_int_equal(d.n_delete, 0);
    assert_int_equal(d.status.replicas, 0);
}

static void test_steady_state_and_status(void **state)
{
    (void)state;
    struct kj_rs_pod pods[] = {running(1), running(2),
                               {.state = KJ_POD_OBS_CREATING, .busy = true, .created_at = 3}};
    struct kj_rs_decision d;
    kj_rs_sync(3, pods, 3, 100 * S, BASE, MAX, &d);
    assert_int_equal(d.n_create, 0);
    assert_int_equal(d.n_delete, 0);
    assert_int_equal(d.n_restart, 0);
    assert_int_equal(d.status.replicas, 3);
    assert_int_equal(d.status.ready, 2);
    assert_int_equal(d.status.available, 2);
    assert_int_equal(d.status.fully_labeled, 3);
}

static void test_removed_pods_are_replaced(void **state)
{
    (void)state;
    struct kj_rs_pod pods[] = {running(1), {.state = KJ_POD_OBS_REMOVED}};
    struct kj_rs_decision d;
    kj_rs_sync(2, pods, 2, 100 * S, BASE, MAX, &d);
    assert_int_equal(d.n_create, 1);
    assert_int_equal(d.status.replicas, 1);
}

/* Scale down: pending before crashed before running; newest first. */
static void test_scale_down_order(void **state)
{
    (void)state;
    struct kj_rs_pod pods[] = {
        running(10),                                                      /* 0: oldest running */
        running(30),                                                      /* 1: newest running */
        {.state = KJ_POD_OBS_EXITED, .restarts = 2, .finished_at = 99 * S}, /* 2: crashing */
        {.state = KJ_POD_OBS_WAITING, .created_at = 5},                   /* 3: pending */
        running(20),                                                      /* 4 */
    };
    struct kj_rs_decision d;
    kj_rs_sync(1, pods, 5, 100 * S, BASE, MAX, &d);
    assert_int_equal(d.n_delete, 4);
    assert_int_equal(d.delete_idx[0], 3);
    assert_int_equal(d.delete_idx[1], 2);
    assert_int_equal(d.delete_idx[2], 1);
    assert_int_equal(d.delete_idx[3], 4);
    assert_int_equal(d.n_restart, 0); /* the crashing pod is going anyway */
}

static void test_busy_pods_are_never_deleted(void **state)
{
    (void)state;
    struct kj_rs_pod pods[] = {running(1), running(2)};
    pods[1].busy = true;
    struct kj_rs_decision d;
    kj_rs_sync(0, pods, 2, 100 * S, BASE, MAX, &d);
    assert_int_equal(d.n_delete, 1);
    assert_int_equal(d.delete_idx[0], 0);
}

static void test_restart_backoff(void **state)
{
    (void)state;
    assert_int_equal(kj_rs_backoff(1, BASE, MAX), 10 * S);
    assert_int_equal(kj_rs_backoff(2, BASE, MAX), 20 * S);
    assert_int_equal(kj_rs_backoff(3, BASE, MAX), 40 * S);
    assert_int_equal(kj_rs_backoff(10, BASE, MAX), MAX);
    struct kj_rs_pod pods[] = {
        {.state = KJ_POD_OBS_EXITED, .restarts = 1, .finished_at = 95 * S}, /* due at 105 */
        {.state = KJ_POD_OBS_EXITED, .restarts = 2, .finished_at = 70 * S}, /* due at 90 */
    };
    struct kj_rs_decision d;
    kj_rs_sync(2, pods, 2, 100 * S, BASE, MAX, &d);
    assert_int_equal(d.n_create, 0); /* exited pods restart in place */
    assert_int_equal(d.n_restart, 1);
    assert_int_equal(d.restart_idx[0], 1);
    assert_int_equal(d.wake_at, 105 * S);
    assert_int_equal(d.status.replicas, 2);
    assert_int_equal(d.status.ready, 0);
}

/* A pod created but never started (kjobd killed between its create and its
 * start) is started at once; a failed start waits a base. A pod of several
 * containers reports CREATED while initialising: not stranded, left alone. */
static void test_stranded_created_pods_start(void **state)
{
    (void)state;
    struct kj_rs_pod pods[] = {
        {.state = KJ_POD_OBS_CREATED, .stranded = true, .created_at = 1},
        {.state = KJ_POD_OBS_CREATED, .stranded = true, .created_at = 2, .finished_at = 95 * S},
        {.state = KJ_POD_OBS_CREATED, .stranded = false, .created_at = 3},
        {.state = KJ_POD_OBS_CREATED, .stranded = true, .busy = true, .created_at = 4},
    };
    struct kj_rs_decision d;
    kj_rs_sync(4, pods, 4, 100 * S, BASE, MAX, &d);
    assert_int_equal(d.n_create, 0);
    assert_int_equal(d.n_delete, 0);
    assert_int_equal(d.n_restart, 1);
    assert_int_equal(d.restart_idx[0], 0);
    assert_int_equal(d.wake_at, 105 * S);
}

static void test_negative_replicas_is_zero(void **state)
{
    (void)state;
    struct kj_rs_pod pods[] = {running(1)};
    struct kj_rs_decision d;
    kj_rs_sync(-1, pods, 1, 100 * S, BASE, MAX, &d);
    assert_int_equal(d.n_create, 0);
    assert_int_equal(d.n_delete, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scale_up_from_nothing),
        cmocka_unit_test(test_steady_state_and_status),
        cmocka_unit_test(test_removed_pods_are_replaced),
        cmocka_unit_test(test_scale_down_order),
        cmocka_unit_test(test_busy_pods_are_never_deleted),
        cmocka_unit_test(test_restart_backoff),
        cmocka_unit_test(test_stranded_created_pods_start),
        cmocka_unit_test(test_negative_replicas_is_zero),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
