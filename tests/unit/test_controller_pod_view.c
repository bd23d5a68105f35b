/* Pods as Kubernetes reports them (pkg/controller/pod_view.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "controller/job_sync.h"
#include "controller/ledger.h"
#include "controller/pod_view.h"

#define T0 (1700000000LL * KJ_NS_PER_SEC)

static cJSON *job(const char *restart)
{
    char buf[1024];
    snprintf(buf, sizeof(buf),
             "{\"metadata\":{\"name\":\"pi\",\"namespace\":\"ns1\",\"uid\":\"ju\"},"
             "\"spec\":{\"completions\":3,\"completionMode\":\"Indexed\","
             "\"backoffLimitPerIndex\":2,\"template\":{\"metadata\":{\"labels\":{\"app\":\"x\"},"
             "\"annotations\":{\"a\":\"b\"}},\"spec\":{\"restartPolicy\":\"%s\","
             "\"containers\":[{\"name\":\"main\",\"image\":\"busybox\"}]}}}}",
             restart);
    return cJSON_Parse(buf);
}

static const char *path(const cJSON *o, const char *p)
{
    static char buf[256];
    snprintf(buf, sizeof(buf), "%s", p);
    const cJSON *cur = o;
    for (char *tok = strtok(buf, "."); tok != NULL && cur != NULL; tok = strtok(NULL, ".")) {
        if (tok[0] >= '0' && tok[0] <= '9')
            cur = cJSON_GetArrayItem(cur, tok[0] - '0');
        else
            cur = cJSON_GetObjectItemCaseSensitive(cur, tok);
    }
    if (cJSON_IsNumber(cur)) {
        static char num[32];
        snprintf(num, sizeof(num), "%d", cur->valueint);
        return num;
    }
    return cur != NULL ? (cJSON_IsString(cur) ? cur->valuestring : "<obj>") : "<none>";
}

static struct kj_pod_obs obs_of(enum kj_pod_obs_state st, int code)
{
    struct kj_pod_obs o = {.ns = "ns1",
                           .pod_name = "pi-1-bcdfg",
                           .pod_uid = "pu",
                           .job_uid = "ju",
                           .index = 1,
                           .container_id = "abc",
                           .state = st,
                           .exit_code = code,
                           .created_at = T0,
                           .started_at = T0 + KJ_NS_PER_SEC,
                           .finished_at = st == KJ_POD_OBS_EXITED ? T0 + 5 * KJ_NS_PER_SEC : 0,
                           .pod_ip = st == KJ_POD_OBS_RUNNING ? "172.18.0.5" : NULL};
    return o;
}

static void test_metadata_and_running(void **state)
{
    (void)state;
    cJSON *j = job("Never");
    struct kj_ledger *l = kj_ledger_new();
    struct kj_ledger_pod *p = kj_ledger_add(l, "pi-1-bcdfg", "pu", 1);
    p->created_at = T0;
    p->index_failures = 1;
    struct kj_pod_obs o = obs_of(KJ_POD_OBS_RUNNING, 0);
    cJSON *v = kj_pod_view(j, p, &o, T0);
    assert_string_equal(path(v, "metadata.name"), "pi-1-bcdfg");
    assert_string_equal(path(v, "metadata.namespace"), "ns1");
    assert_string_equal(path(v, "metadata.labels.app"), "x");
    assert_string_equal(path(v, "metadata.labels.job-name"), "pi");
    assert_string_equal(path(v, "metadata.labels.controller-uid"), "ju");
    const cJSON *labels = cJSON_GetObjectItem(cJSON_GetObjectItem(v, "metadata"), "labels");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
                            labels, "batch.kubernetes.io/job-completion-index")),
                        "1");
    const cJSON *ann = cJSON_GetObjectItem(cJSON_GetObjectItem(v, "metadata"), "annotations");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
                            ann, "batch.kubernetes.io/job-index-failure-count")),
                        "1");
    assert_string_equal(path(v, "metadata.ownerReferences.0.kind"), "Job");
    assert_string_equal(path(v, "metadata.ownerReferences.0.uid"), "ju");
    assert_string_equal(path(v, "spec.hostname"), "pi-1");
    assert_string_equal(path(v, "status.phase"), "Running");
    assert_string_equal(path(v, "status.podIP"), "172.18.0.5");
    assert_string_equal(path(v, "status.containerStatuses.0.state.running.startedAt"),
                        "2023-11-14T22:13:21Z");
    assert_string_equal(path(v, "status.containerStatuses.0.containerID"), "docker://abc");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(
        cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(v, "status"),
                                               "containerStatuses"),
                           0),
        "ready")));
    cJSON_Delete(v);
    /* Not observed yet: Pending, ContainerCreating. */
    v = kj_pod_view(j, p, NULL, T0);
    assert_string_equal(path(v, "status.phase"), "Pending");
    assert_string_equal(path(v, "status.containerStatuses.0.state.waiting.reason"),
                        "ContainerCreating");
    cJSON_Delete(v);
    o = obs_of(KJ_POD_OBS_WAITING, 0);
    o.container_id = NULL;
    o.waiting_reason = "ErrImagePull";
    o.waiting_message = "no such image";
    v = kj_pod_view(j, p, &o, T0);
    assert_string_equal(path(v, "status.phase"), "Pending");
    assert_string_equal(path(v, "status.containerStatuses.0.state.waiting.reason"),
                        "ErrImagePull");
    assert_string_equal(path(v, "status.containerStatuses.0.state.waiting.message"),
                        "no such image");
    cJSON_Delete(v);
    kj_ledger_free(l);
    cJSON_Delete(j);
}

static void test_terminated_and_crashloop(void **state)
{
    (void)state;
    cJSON *j = job("Never");
    struct kj_ledger *l = kj_ledger_new();
    struct kj_ledger_pod *p = kj_ledger_add(l, "pi-1-bcdfg", "pu", 1);
    p->outcome = KJ_OUTCOME_SUCCEEDED;
    struct kj_pod_obs o = obs_of(KJ_POD_OBS_EXITED, 0);
    cJSON *v = kj_pod_view(j, p, &o, T0);
    assert_string_equal(path(v, "status.phase"), "Succeeded");
    assert_string_equal(path(v, "status.containerStatuses.0.state.terminated.reason"),
                        "Completed");
    assert_string_equal(path(v, "status.containerStatuses.0.state.terminated.finishedAt"),
                        "2023-11-14T22:13:25Z");
    cJSON_Delete(v);
    p->outcome = KJ_OUTCOME_FAILED;
    o = obs_of(KJ_POD_OBS_EXITED, 137);
    o.oom_killed = true;
    v = kj_pod_view(j, p, &o, T0);
    assert_string_equal(path(v, "status.phase"), "Failed");
    assert_string_equal(path(v, "status.containerStatuses.0.state.terminated.reason"),
                        "OOMKilled");
    assert_string_equal(path(v, "status.containerStatuses.0.state.terminated.exitCode"), "137");
    cJSON_Delete(v);
    cJSON_Delete(j);
    /* OnFailure between restarts: Running, CrashLoopBackOff, lastState. */
    j = job("OnFailure");
    p->outcome = KJ_OUTCOME_NONE;
    p->restarts = 2;
    p->last_exit_code = 3;
    p->last_exit_at = T0 + 5 * KJ_NS_PER_SEC;
    o = obs_of(KJ_POD_OBS_EXITED, 3);
    v = kj_pod_view(j, p, &o, T0);
    assert_string_equal(path(v, "status.phase"), "Running");
    assert_string_equal(path(v, "status.containerStatuses.0.state.waiting.reason"),
                        "CrashLoopBackOff");
    assert_string_equal(path(v, "status.containerStatuses.0.lastState.terminated.reason"),
                        "Error");
    assert_string_equal(path(v, "status.containerStatuses.0.lastState.terminated.exitCode"),
                        "3");
    /* Two exits, one restart done so far: the kubelet's restartCount. */
    assert_string_equal(path(v, "status.containerStatuses.0.restartCount"), "1");
    cJSON_Delete(v);
    o = obs_of(KJ_POD_OBS_RUNNING, 0); /* started again */
    v = kj_pod_view(j, p, &o, T0);
    assert_string_equal(path(v, "status.containerStatuses.0.restartCount"), "2");
    assert_string_equal(path(v, "status.containerStatuses.0.lastState.terminated.exitCode"),
                        "3");
    cJSON_Delete(v);
    kj_ledger_free(l);
    cJSON_Delete(j);
}

/* A pod group: one status per member, init containers apart. */
static void test_group_members(void **state)
{
    (void)state;
    cJSON *j = job("Never");
    struct kj_ledger *l = kj_ledger_new();
    struct kj_ledger_pod *p = kj_ledger_add(l, "pi-1-bcdfg", "pu", 1);
    p->created_at = T0;
    struct kj_pod_obs o = obs_of(KJ_POD_OBS_RUNNING, 0);
    cJSON *members = cJSON_Parse(
        "[{\"name\":\"init\",\"role\":\"init\",\"image\":\"b\",\"state\":\"terminated\","
        "\"reason\":\"Completed\",\"exitCode\":0,\"startedAt\":1700000000000000000,"
        "\"finishedAt\":1700000001000000000,\"containerID\":\"i1\",\"restartCount\":0},"
        "{\"name\":\"log\",\"role\":\"sidecar\",\"image\":\"b\",\"state\":\"running\",\"exitCode\":0,"
        "\"startedAt\":1700000002000000000,\"finishedAt\":0,\"restartCount\":1,\"lastExit\":3,"
        "\"lastFinishedAt\":1700000001500000000},"
        "{\"name\":\"a\",\"role\":\"main\",\"image\":\"b\",\"state\":\"running\",\"exitCode\":0,"
        "\"startedAt\":1700000003000000000,\"finishedAt\":0,\"restartCount\":0},"
        "{\"name\":\"b\",\"role\":\"main\",\"image\":\"b\",\"state\":\"waiting\","
        "\"reason\":\"CreateContainerConfigError\",\"message\":\"configmap \\\"x\\\" not found\","
        "\"exitCode\":0,\"startedAt\":0,\"finishedAt\":0,\"restartCount\":0}]");
    o.containers = members;
    cJSON *v = kj_pod_view(j, p, &o, T0);
    assert_string_equal(path(v, "status.phase"), "Running");
    assert_string_equal(path(v, "status.initContainerStatuses.0.name"), "init");
    assert_string_equal(path(v, "status.initContainerStatuses.0.state.terminated.reason"), "Completed");
    assert_string_equal(path(v, "status.initContainerStatuses.1.name"), "log");
    assert_string_equal(path(v, "status.initContainerStatuses.1.restartPolicy"), "Always");
    assert_string_equal(path(v, "status.initContainerStatuses.1.restartCount"), "1");
    assert_string_equal(path(v, "status.initContainerStatuses.1.lastState.terminated.exitCode"), "3");
    assert_string_equal(path(v, "status.containerStatuses.0.name"), "a");
    assert_string_equal(path(v, "status.containerStatuses.0.state.running.startedAt"),
                        "2023-11-14T22:13:23Z");
    assert_string_equal(path(v, "status.containerStatuses.1.state.waiting.reason"),
                        "CreateContainerConfigError");
    assert_string_equal(path(v, "status.containerStatuses.1.state.waiting.message"),
                        "configmap \"x\" not found");
    /* Initialized (the init container is done, the sidecar started), not
     * Ready (container b is not running). */
    assert_string_equal(path(v, "status.conditions.0.type"), "Initialized");
    assert_string_equal(path(v, "status.conditions.0.status"), "True");
    assert_string_equal(path(v, "status.conditions.1.type"), "Ready");
    assert_string_equal(path(v, "status.conditions.1.status"), "False");
    assert_string_equal(path(v, "status.podIP"), "172.18.0.5");
    cJSON_Delete(v);
    cJSON_Delete(members);
    kj_ledger_free(l);
    cJSON_Delete(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metadata_and_running),
        cmocka_unit_test(test_terminated_and_crashloop),
        cmocka_unit_test(test_group_members),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
