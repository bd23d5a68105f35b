/* The Job controller driver (pkg/controller/driver.h) with the fake runtime
 * and a real store in a temp dir. Timers run on real time with millisecond
 * backoffs; every wait is a poll with a deadline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "controller/driver.h"
#include "controller/ledger.h"
#include "fake_runtime.h"
#include "store/store.h"

#define MS 1000000LL

struct fx {
    char dir[64];
    struct event_base *base;
    struct kj_store *store;
    struct kj_fake_runtime *rt;
    struct kj_job_driver *d;
    unsigned rnd;
};

static void fx_rand(void *arg, unsigned char *buf, size_t n)
{
    unsigned *r = arg;
    for (size_t i = 0; i < n; i++) {
        *r = *r * 1103515245u + 12345u;
        buf[i] = (unsigned char)(*r >> 16);
    }
}

static void fx_driver(struct fx *f)
{
    struct kj_job_driver_config cfg;
    kj_job_driver_config_defaults(&cfg);
    cfg.sync.backoff_base = 5 * MS;
    cfg.sync.backoff_max = 20 * MS;
    cfg.sync.restart_base = 5 * MS;
    cfg.sync.restart_max = 20 * MS;
    cfg.retry_delay = 5 * MS;
    cfg.resync_period = 0;
    cfg.rand_bytes = fx_rand;
    cfg.rand_arg = &f->rnd;
    kj_error_t err = NULL;
    f->d = kj_job_driver_new(f->base, f->store, kj_fake_runtime_get(f->rt), &cfg, &err);
    assert_non_null(f->d);
    assert_int_equal(kj_job_driver_start(f->d, &err), 0);
}

static int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/kjob-ctl-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    f->base = event_base_new();
    kj_error_t err = NULL;
    f->store = kj_store_open(f->dir, &err);
    assert_non_null(f->store);
    f->rt = kj_fake_runtime_new();
    f->rnd = 7;
    fx_driver(f);
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    struct fx *f = *state;
    kj_job_driver_free(f->d);
    kj_fake_runtime_complete(f->rt, -1); /* detached completions free themselves */
    kj_fake_runtime_free(f->rt);
    kj_store_close(f->store);
    event_base_free(f->base);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void add_job(struct fx *f, const char *name, const char *spec)
{
    char buf[2048];
    snprintf(buf, sizeof(buf),
             "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"metadata\":{\"name\":\"%s\","
             "\"namespace\":\"default\",\"uid\":\"uid-%s\"},\"spec\":%s}",
             name, name, spec);
    cJSON *j = cJSON_Parse(buf);
    assert_non_null(j);
    kj_error_t err = NULL;
    assert_int_equal(kj_store_create(f->store, "jobs", "default", name, j, NULL, &err), 0);
}

static const cJSON *job_status(struct fx *f, const char *name)
{
    return cJSON_GetObjectItem(kj_store_get(f->store, "jobs", "default", name), "status");
}

static int st_int(struct fx *f, const char *name, const char *k)
{
    const cJSON *v = cJSON_GetObjectItem(job_status(f, name), k);
    return v != NULL ? v->valueint : 0;
}

static bool has_cond(struct fx *f, const char *name, const char *type)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(job_status(f, name), "conditions"))
    {
        if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(c, "type")), type) == 0 &&
            strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(c, "status")), "True") == 0)
            return true;
    }
    return false;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One turn: run ready loop callbacks, then complete runtime operations. */
static void turn(struct fx *f)
{
    event_base_loop(f->base, EVLOOP_NONBLOCK);
    kj_fake_runtime_complete(f->rt, -1);
    event_base_loop(f->base, EVLOOP_NONBLOCK);
}

typedef bool (*cond_fn)(struct fx *f, const char *name);

/* Poll until cond or 5 s; between turns, block in the loop for at most
 * 1 ms (timers). Returns cond. */
static bool wait_until(struct fx *f, cond_fn cond, const char *name)
{
    int64_t deadline = mono_ms() + 5000;
    while (mono_ms() < deadline) {
        turn(f);
        if (cond(f, name))
            return true;
        struct timeval tv = {0, 1000};
        event_base_loopexit(f->base, &tv);
        event_base_dispatch(f->base);
    }
    return cond(f, name);
}

static bool is_complete(struct fx *f, const char *name)
{
    return has_cond(f, name, "Complete");
}

static bool is_failed(struct fx *f, const char *name)
{
    return has_cond(f, name, "Failed");
}

struct ev_count {
    const char *reason;
    int n, count;
};

static int ev_count_cb(const char *ns, const char *nm, const cJSON *obj, void *data)
{
    (void)ns;
    (void)nm;
    struct ev_count *c = data;
    if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(obj, "reason")), c->reason) == 0) {
        c->n++;
        c->count += cJSON_GetObjectItem(obj, "count")->valueint;
    }
    return 0;
}

/* Number of stored Events with `reason`; *count = sum of their counts. */
static int count_events(struct fx *f, const char *reason, int *count)
{
    struct ev_count c = {reason, 0, 0};
    kj_store_list(f->store, "events", "default", ev_count_cb, &c);
    if (count != NULL)
        *count = c.count;
    return c.n;
}

/* Let running containers of the fake exit 0, one per turn, checking the
 * parallelism bound, until `name` is complete. */
static void run_to_completion(struct fx *f, const char *name, int parallelism)
{
    int64_t deadline = mono_ms() + 10000;
    while (!is_complete(f, name) && mono_ms() < deadline) {
        turn(f);
        assert_true(kj_fake_runtime_count(f->rt, KJ_POD_OBS_RUNNING) +
                        kj_fake_runtime_count(f->rt, KJ_POD_OBS_CREATING) <=
                    parallelism);
        const char *p = kj_fake_runtime_running(f->rt, 0);
        if (p != NULL)
            kj_fake_runtime_exit(f->rt, p, 0);
    }
    assert_true(is_complete(f, name));
}

static void test_parallel_job_counts_exactly(void **state)
{
    struct fx *f = *state;
    add_job(f, "par", "{\"completions\":10,\"parallelism\":5,\"template\":{\"spec\":{"
                      "\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"c\","
                      "\"image\":\"busybox\"}]}}}");
    run_to_completion(f, "par", 5);
    assert_int_equal(st_int(f, "par", "succeeded"), 10);
    assert_int_equal(st_int(f, "par", "failed"), 0);
    assert_int_equal(kj_fake_runtime_calls(f->rt, KJ_FAKE_CREATE), 10);
    assert_true(kj_fake_runtime_max_active(f->rt) <= 5);
    assert_int_equal(kj_fake_runtime_count(f->rt, KJ_POD_OBS_EXITED), 10); /* kept for logs */
    assert_int_equal(count_events(f, "SuccessfulCreate", NULL), 10);
    assert_int_equal(count_events(f, "Completed", NULL), 1);
    /* The ledger lives in the stored Job under "kjob". */
    const cJSON *job = kj_store_get(f->store, "jobs", "default", "par");
    kj_error_t err = NULL;
    struct kj_ledger *l = kj_ledger_from_job(job, &err);
    assert_non_null(l);
    assert_int_equal(l->n, 10);
    kj_ledger_free(l);
    /* Pods as Kubernetes shows them. */
    cJSON *pods = kj_job_driver_pods(f->d, "default", "par");
    assert_int_equal(cJSON_GetArraySize(pods), 10);
    cJSON *p0 = cJSON_GetArrayItem(pods, 0);
    assert_string_equal(
        cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(p0, "status"), "phase")),
        "Succeeded");
    cJSON_Delete(pods);
    /* The apiserver adapters. */
    cJSON *items = cJSON_CreateArray();
    kj_error_t err2 = NULL;
    assert_int_equal(kj_job_driver_pods_list_cb(f->d, "default", items, &err2), 0);
    assert_int_equal(cJSON_GetArraySize(items), 10);
    const char *name = cJSON_GetStringValue(
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(items, 3), "metadata"), "name"));
    cJSON *one = kj_job_driver_pod_get_cb(f->d, "default", name);
    assert_non_null(one);
    cJSON_Delete(one);
    assert_null(kj_job_driver_pod_get_cb(f->d, "default", "nope"));
    assert_null(kj_job_driver_pod_get_cb(f->d, "other", name));
    cJSON_Delete(items);
}

static bool one_running(struct fx *f, const char *name)
{
    (void)name;
    return kj_fake_runtime_count(f->rt, KJ_POD_OBS_RUNNING) == 1;
}

static bool one_failed_and_replaced(struct fx *f, const char *name)
{
    return st_int(f, name, "failed") == 1 && kj_fake_runtime_calls(f->rt, KJ_FAKE_CREATE) == 2 &&
           kj_fake_runtime_count(f->rt, KJ_POD_OBS_RUNNING) == 1;
}

static bool pod_gone(struct fx *f, const char *pod)
{
    cJSON *v = kj_job_driver_pod(f->d, "default", pod);
    cJSON_Delete(v);
    return v == NULL;
}

static void test_client_pod_delete(void **state)
{
    struct fx *f = *state;
    add_job(f, "del", "{\"completions\":1,\"parallelism\":1,\"template\":{\"spec\":{"
                      "\"restartPolicy\":\"Never\",\"terminationGracePeriodSeconds\":40,"
                      "\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}}");
    assert_true(wait_until(f, one_running, "del"));
    char pod[64];
    snprintf(pod, sizeof pod, "%s", kj_fake_runtime_running(f->rt, 0));
    cJSON *view = NULL;
    kj_error_t err = NULL;
    /* A wrong uid precondition changes nothing. */
    assert_int_equal(kj_job_driver_pod_delete(f->d, "default", pod, 3, "other-uid", false, false,
                                              &view, &err),
                     -1);
    assert_int_equal(kj_error_http_status(err), 409);
    kj_error_release(&err);
    assert_int_equal(kj_job_driver_pod_delete(f->d, "default", "nope", 3, NULL, false, false, &view,
                                              &err),
                     0);
    assert_int_equal(kj_job_driver_pod_delete(f->d, "default", pod, 3, NULL, false, false, &view,
                                              &err),
                     1);
    const cJSON *md = cJSON_GetObjectItem(view, "metadata");
    assert_non_null(cJSON_GetObjectItem(md, "deletionTimestamp"));
    assert_int_equal(cJSON_GetObjectItem(md, "deletionGracePeriodSeconds")->valueint, 3);
    cJSON_Delete(view);
    /* Written before anything runs: a crash now would lose nothing. */
    struct kj_ledger *l = kj_ledger_from_job(kj_store_get(f->store, "jobs", "default", "del"), &err);
    assert_true(kj_ledger_find(l, pod)->delete_asked);
    kj_ledger_free(l);
    assert_true(wait_until(f, one_failed_and_replaced, "del"));
    assert_int_equal(kj_fake_runtime_stop_grace(f->rt, pod), 3); /* not the template's 40 */
    assert_int_equal(count_events(f, "SuccessfulDelete", NULL), 0);
    assert_true(wait_until(f, pod_gone, pod)); /* from the API too */
}

static void test_on_failure_then_backoff_limit(void **state)
{
    struct fx *f = *state;
    add_job(f, "onf", "{\"completions\":1,\"parallelism\":1,\"backoffLimit\":3,\"template\":{"
                      "\"spec\":{\"restartPolicy\":\"OnFailure\",\"containers\":[{\"name\":"
                      "\"c\",\"image\":\"busybox\"}]}}}");
    int64_t deadline = mono_ms() + 5000;
    while (!is_failed(f, "onf") && mono_ms() < deadline) {
        turn(f);
        const char *p = kj_fake_runtime_running(f->rt, 0);
        if (p != NULL)
            kj_fake_runtime_exit(f->rt, p, 1);
        struct timeval tv = {0, 1000};
        event_base_loopexit(f->base, &tv);
        event_base_dispatch(f->base);
    }
    assert_true(is_failed(f, "onf"));
    assert_int_equal(kj_fake_runtime_calls(f->rt, KJ_FAKE_CREATE), 1); /* restarted in place */
    /* restartCount (restarts done) reaches backoffLimit 3 at the third. */
    assert_int_equal(kj_fake_runtime_calls(f->rt, KJ_FAKE_RESTART), 3);
    assert_int_equal(st_int(f, "onf", "failed"), 1);
    assert_int_equal(count_events(f, "BackoffLimitExceeded", NULL), 1);
}

/* Engine down: a restart that fails is retried after retry_delay (5 ms
 * here), not re-issued by the sync its own failure triggers. */
static void test_failed_ops_are_retried_with_delay(void **state)
{
    struct fx *f = *state;
    add_job(f, "down", "{\"completions\":1,\"parallelism\":1,\"backoffLimit\":6,\"template\":{"
                       "\"spec\":{\"restartPolicy\":\"OnFailure\",\"containers\":[{\"name\":"
                       "\"c\",\"image\":\"busybox\"}]}}}");
    int64_t deadline = mono_ms() + 2000;
    while (kj_fake_runtime_running(f->rt, 0) == NULL && mono_ms() < deadline)
        turn(f);
    const char *p = kj_fake_runtime_running(f->rt, 0);
    assert_non_null(p);
    kj_fake_runtime_fail_next(f->rt, KJ_FAKE_RESTART, 1000000, false);
    kj_fake_runtime_exit(f->rt, p, 1);
    int64_t start = mono_ms();
    while (mono_ms() - start < 200) {
        turn(f);
        struct timeval tv = {0, 1000};
        event_base_loopexit(f->base, &tv);
        event_base_dispatch(f->base);
    }
    int calls = kj_fake_runtime_calls(f->rt, KJ_FAKE_RESTART);
    /* 200 ms / 5 ms = 40 retries at most, plus slack for a slow machine;
     * a tight loop makes thousands. */
    assert_true(calls >= 2);
    assert_true(calls <= 50);
    assert_int_equal(st_int(f, "down", "failed"), 0);
}

static bool succeeded_4(struct fx *f, const char *name)
{
    return st_int(f, name, "succeeded") >= 4;
}

static void test_crash_mid_job_counts_exactly(void **state)
{
    struct fx *f = *state;
    add_job(f, "crash", "{\"completions\":10,\"parallelism\":5,\"template\":{\"spec\":{"
                        "\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"c\"}]}}}");
    int64_t deadline = mono_ms() + 5000;
    while (!succeeded_4(f, "crash") && mono_ms() < deadline) {
        turn(f);
        const char *p = kj_fake_runtime_running(f->rt, 0);
        if (p != NULL)
            kj_fake_runtime_exit(f->rt, p, 0);
    }
    assert_true(succeeded_4(f, "crash"));
    /* Creates in flight, one exit not yet synced: kill the driver. */
    event_base_loop(f->base, EVLOOP_NONBLOCK);
    kj_fake_runtime_exit(f->rt, kj_fake_runtime_running(f->rt, 0), 0);
    kj_job_driver_free(f->d);
    f->d = NULL;
    kj_fake_runtime_complete(f->rt, -1); /* the engine finishes what it was asked */
    kj_store_close(f->store);
    kj_error_t err = NULL;
    f->store = kj_store_open(f->dir, &err);
    assert_non_null(f->store);
    fx_driver(f);
    run_to_completion(f, "crash", 5);
    assert_int_equal(st_int(f, "crash", "succeeded"), 10);
    assert_int_equal(st_int(f, "crash", "failed"), 0);
    assert_int_equal(kj_fake_runtime_count(f->rt, KJ_POD_OBS_EXITED), 10);
    assert_int_equal(kj_fake_runtime_calls(f->rt, KJ_FAKE_CREATE), 10);
}

static bool has_no_containers(struct fx *f, const char *name)
{
    (void)name;
    return kj_fake_runtime_count(f->rt, KJ_POD_OBS_RUNNING) == 0 &&
           kj_fake_runtime_count(f->rt, KJ_POD_OBS_EXITED) == 0;
}

static bool job_gone(struct fx *f, const char *name)
{
    return kj_store_get(f->store, "jobs", "default", name) == NULL;
}

static bool two_running(struct fx *f, const char *name)
{
    (void)name;
    return kj_fake_runtime_count(f->rt, KJ_POD_OBS_RUNNING) == 2;
}

static const char *two_pods = "{\"completions\":4,\"parallelism\":2,\"template\":{\"spec\":{"
                              "\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"c\"}]}}}";

static void test_background_delete_removes_containers(void **state)
{
    struct fx *f = *state;
    add_job(f, "bg", two_pods);
    assert_true(wait_until(f, two_running, "bg"));
    kj_error_t err = NULL;
    assert_int_equal(kj_store_delete(f->store, "jobs", "default", "bg", NULL, NULL, &err), 0);
    assert_true(wait_until(f, has_no_containers, "bg"));
    assert_int_equal(kj_fake_runtime_calls(f->rt, KJ_FAKE_CREATE), 2);
}

static void set_deleting(struct fx *f, const char *name, const char *finalizer)
{
    cJSON *j = cJSON_Duplicate(kj_store_get(f->store, "jobs", "default", name), 1);
    cJSON *md = cJSON_GetObjectItem(j, "metadata");
    cJSON_AddStringToObject(md, "deletionTimestamp", "2026-01-01T00:00:00Z");
    cJSON *fins = cJSON_AddArrayToObject(md, "finalizers");
    cJSON_AddItemToArray(fins, cJSON_CreateString(finalizer));
    kj_error_t err = NULL;
    assert_int_equal(kj_store_update(f->store, "jobs", "default", name, j, NULL, NULL, &err), 0);
}

static void test_foreground_delete_pods_first(void **state)
{
    struct fx *f = *state;
    add_job(f, "fg", two_pods);
    assert_true(wait_until(f, two_running, "fg"));
    set_deleting(f, "fg", "foregroundDeletion");
    assert_true(wait_until(f, job_gone, "fg"));
    assert_true(has_no_containers(f, "fg"));
}

static void test_orphan_delete_leaves_containers(void **state)
{
    struct fx *f = *state;
    add_job(f, "orph", two_pods);
    assert_true(wait_until(f, two_running, "orph"));
    set_deleting(f, "orph", "orphan");
    assert_true(wait_until(f, job_gone, "orph"));
    for (int i = 0; i < 20; i++)
        turn(f);
    assert_int_equal(kj_fake_runtime_count(f->rt, KJ_POD_OBS_RUNNING), 2);
    assert_int_equal(kj_fake_runtime_calls(f->rt, KJ_FAKE_REMOVE), 0);
    /* Their exit is no longer anyone's business. */
    kj_fake_runtime_exit(f->rt, kj_fake_runtime_running(f->rt, 0), 1);
    for (int i = 0; i < 5; i++)
        turn(f);
    assert_int_equal(kj_fake_runtime_calls(f->rt, KJ_FAKE_CREATE), 2);
}

static void test_ttl_deletes_finished_job(void **state)
{
    struct fx *f = *state;
    add_job(f, "ttl", "{\"completions\":1,\"ttlSecondsAfterFinished\":0,\"template\":{\"spec\":{"
                      "\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"c\"}]}}}");
    assert_true(wait_until(f, one_running, "ttl"));
    kj_fake_runtime_exit(f->rt, kj_fake_runtime_running(f->rt, 0), 0);
    assert_true(wait_until(f, job_gone, "ttl"));
    assert_int_equal(count_events(f, "Completed", NULL), 1);
    assert_true(has_no_containers(f, "ttl"));
}

static bool failed_1(struct fx *f, const char *name)
{
    return st_int(f, name, "failed") == 1 && kj_fake_runtime_calls(f->rt, KJ_FAKE_CREATE) == 4;
}

static void test_engine_errors_are_not_failures(void **state)
{
    struct fx *f = *state;
    kj_fake_runtime_fail_next(f->rt, KJ_FAKE_CREATE, 2, false);
    add_job(f, "eng", "{\"completions\":1,\"template\":{\"spec\":{\"restartPolicy\":\"Never\","
                      "\"containers\":[{\"name\":\"c\"}]}}}");
    assert_true(wait_until(f, one_running, "eng"));
    assert_int_equal(st_int(f, "eng", "failed"), 0);
    assert_int_equal(count_events(f, "FailedCreate", NULL), 1); /* aggregated */
    int count = 0;
    count_events(f, "FailedCreate", &count);
    assert_int_equal(count, 2);
    assert_int_equal(kj_fake_runtime_calls(f->rt, KJ_FAKE_CREATE), 3);
    /* rm -f of the running pod: a failure, replaced. */
    kj_fake_runtime_rm_force(f->rt, kj_fake_runtime_running(f->rt, 0));
    assert_true(wait_until(f, failed_1, "eng"));
    assert_true(wait_until(f, one_running, "eng"));
}

static bool three_running(struct fx *f, const char *name)
{
    (void)name;
    return kj_fake_runtime_count(f->rt, KJ_POD_OBS_RUNNING) == 3;
}

static void test_indexed_pod_identity(void **state)
{
    struct fx *f = *state;
    add_job(f, "idx", "{\"completions\":3,\"parallelism\":3,\"completionMode\":\"Indexed\","
                      "\"template\":{\"metadata\":{\"labels\":{\"app\":\"a\"}},\"spec\":{"
                      "\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"c\"}]}}}");
    assert_true(wait_until(f, three_running, "idx"));
    for (int i = 0; i < 3; i++) {
        const char *pod = kj_fake_runtime_name(f->rt, i, NULL);
        const char *idx = kj_fake_runtime_label(f->rt, pod, "io.kjob.index");
        assert_non_null(idx);
        char want[64];
        snprintf(want, sizeof(want), "idx-%s-", idx);
        assert_true(strncmp(pod, want, strlen(want)) == 0);
        snprintf(want, sizeof(want), "JOB_COMPLETION_INDEX=%s", idx);
        assert_string_equal(kj_fake_runtime_env(f->rt, pod, "JOB_COMPLETION_INDEX"), want);
        snprintf(want, sizeof(want), "idx-%s", idx);
        assert_string_equal(kj_fake_runtime_hostname(f->rt, pod), want);
        assert_string_equal(
            kj_fake_runtime_label(f->rt, pod, "batch.kubernetes.io/job-completion-index"), idx);
        assert_string_equal(kj_fake_runtime_label(f->rt, pod, "app"), "a");
        assert_string_equal(kj_fake_runtime_label(f->rt, pod, "io.kjob.owner-uid"), "uid-idx");
        assert_string_equal(kj_fake_runtime_label(f->rt, pod, "io.kjob.pod-name"), pod);
        assert_string_equal(kj_fake_runtime_label(f->rt, pod, "io.kjob.namespace"), "default");
    }
    run_to_completion(f, "idx", 3);
    assert_string_equal(
        cJSON_GetStringValue(cJSON_GetObjectItem(job_status(f, "idx"), "completedIndexes")),
        "0-2");
}

static void test_slow_start_batches(void **state)
{
    struct fx *f = *state;
    add_job(f, "slow", "{\"completions\":7,\"parallelism\":7,\"template\":{\"spec\":{"
                       "\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"c\"}]}}}");
    /* The initial container list completes before any sync. */
    event_base_loop(f->base, EVLOOP_NONBLOCK);
    assert_int_equal(kj_fake_runtime_calls(f->rt, KJ_FAKE_CREATE), 0);
    int want[] = {1, 2, 4};
    int total = 0;
    for (int b = 0; b < 3; b++) {
        kj_fake_runtime_complete(f->rt, -1);
        event_base_loop(f->base, EVLOOP_NONBLOCK);
        total += want[b];
        assert_int_equal(kj_fake_runtime_calls(f->rt, KJ_FAKE_CREATE), total);
        assert_int_equal(kj_fake_runtime_pending(f->rt), want[b]);
    }
    kj_fake_runtime_complete(f->rt, -1);
    event_base_loop(f->base, EVLOOP_NONBLOCK);
    assert_int_equal(kj_fake_runtime_calls(f->rt, KJ_FAKE_CREATE), 7);
    assert_int_equal(kj_fake_runtime_count(f->rt, KJ_POD_OBS_RUNNING), 7);
}

static void test_engine_down_at_start(void **state)
{
    struct fx *f = *state;
    kj_job_driver_free(f->d);
    kj_fake_runtime_complete(f->rt, -1);
    kj_fake_runtime_fail_next(f->rt, KJ_FAKE_LIST, 2, true); /* refused twice */
    fx_driver(f);
    add_job(f, "late", "{\"completions\":1,\"template\":{\"spec\":{\"restartPolicy\":"
                       "\"Never\",\"containers\":[{\"name\":\"c\"}]}}}");
    assert_true(wait_until(f, one_running, "late"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_parallel_job_counts_exactly, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_client_pod_delete, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_on_failure_then_backoff_limit, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_failed_ops_are_retried_with_delay, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_crash_mid_job_counts_exactly, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_background_delete_removes_containers, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_foreground_delete_pods_first, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_orphan_delete_leaves_containers, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_ttl_deletes_finished_job, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_engine_errors_are_not_failures, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_indexed_pod_identity, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_slow_start_batches, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_engine_down_at_start, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
