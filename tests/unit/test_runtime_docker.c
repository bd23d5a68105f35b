/* Docker runtime mappings (pkg/controller/runtime_docker_map.h): pod request
 * → container spec, and recorded inspect documents
 * (tests/fixtures/runtime/inspect_*.json) → kj_pod_obs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller/runtime_docker_internal.h" /* rd_pod_obs_fill */
#include "controller/runtime_docker_map.h"
#include "docker/docker-internal.h" /* kj_docker_state_decode */
#include "util/cleanup.h"

static cJSON *load(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "tests/fixtures/runtime/%s", name);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        fail_msg("cannot open %s (run from the repository root)", path);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    cJSON *j = cJSON_Parse(buf);
    assert_non_null(j);
    return j;
}

static const char *label(const struct kj_pod_container_spec *s, const char *k)
{
    for (size_t i = 0; i < s->spec.n_labels; i++)
        if (strcmp(s->spec.labels[i].key, k) == 0)
            return s->spec.labels[i].value;
    return NULL;
}

static size_t count(const char *const *a)
{
    size_t n = 0;
    while (a != NULL && a[n] != NULL)
        n++;
    return n;
}

static void test_spec_from_template(void **state)
{
    (void)state;
    cleanup_cjson cJSON *tmpl = cJSON_Parse(
        "{\"metadata\":{\"labels\":{\"job-name\":\"pi\"}},"
        "\"spec\":{\"restartPolicy\":\"Never\",\"terminationGracePeriodSeconds\":5,"
        "\"containers\":[{\"name\":\"c\",\"image\":\"kjob/busybox:latest\",\"command\":[\"sh\",\"-c\"],"
        "\"args\":[\"echo $A\"],\"workingDir\":\"/tmp\",\"env\":[{\"name\":\"A\",\"value\":\"1\"},"
        "{\"name\":\"POD\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.name\"}}},"
        "{\"name\":\"IDX\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.annotations['batch.kubernetes.io/job-completion-index']\"}}}],"
        "\"resources\":{\"limits\":{\"memory\":\"64Mi\",\"cpu\":\"500m\"}}}]}}");
    cleanup_cjson cJSON *labels = cJSON_Parse("{\"job-name\":\"pi\",\"io.kjob.managed\":\"spoofed\"}");
    cleanup_cjson cJSON *ann = cJSON_Parse("{\"batch.kubernetes.io/job-completion-index\":\"3\"}");
    const char *extra[] = {"JOB_COMPLETION_INDEX=3", "A=overridden", NULL};
    struct kj_runtime_pod_req req = {
        .ns = "default", .job_name = "pi", .job_uid = "u-job", .pod_name = "pi-3-abcde",
        .pod_uid = "u-pod", .index = 3, .pod_template = tmpl, .extra_env = extra,
        .labels = labels, .annotations = ann, .hostname = "pi-3", .image_pull_policy = NULL,
    };
    struct kj_pod_container_spec s;
    kj_error_t err = NULL;
    assert_int_equal(kj_pod_container_spec_build(&req, "kjob", NULL, &s, &err), 0);
    assert_string_equal(s.spec.name, "pi-3-abcde");
    assert_string_equal(s.spec.image, "kjob/busybox:latest");
    assert_string_equal(s.spec.hostname, "pi-3");
    assert_string_equal(s.spec.network, "kjob");
    assert_string_equal(s.spec.aliases[0], "pi-3-abcde");
    assert_string_equal(s.spec.aliases[1], "pi-3");
    assert_int_equal(count(s.spec.entrypoint), 2);
    assert_string_equal(s.spec.entrypoint[1], "-c");
    assert_string_equal(s.spec.cmd[0], "echo $A");
    assert_string_equal(s.spec.working_dir, "/tmp");
    assert_int_equal(count(s.spec.env), 4);
    assert_string_equal(s.spec.env[0], "A=1"); /* the template wins over extra env */
    assert_string_equal(s.spec.env[1], "POD=pi-3-abcde");
    assert_string_equal(s.spec.env[2], "IDX=3");
    assert_string_equal(s.spec.env[3], "JOB_COMPLETION_INDEX=3");
    assert_int_equal(s.spec.memory, 64 * 1024 * 1024);
    assert_int_equal(s.spec.nano_cpus, 500000000);
    assert_int_equal(s.spec.stop_timeout, 5);
    assert_true(s.spec.init);
    assert_false(s.spec.tty);
    assert_string_equal(s.pull_policy, "Always"); /* :latest */
    assert_string_equal(label(&s, "job-name"), "pi");
    assert_string_equal(label(&s, "io.kjob.managed"), "true"); /* identity wins */
    assert_string_equal(label(&s, KJ_LABEL_OWNER_UID), "u-job");
    assert_string_equal(label(&s, KJ_LABEL_POD_UID), "u-pod");
    assert_string_equal(label(&s, KJ_LABEL_POD_NAME), "pi-3-abcde");
    assert_string_equal(label(&s, KJ_LABEL_NAMESPACE), "default");
    assert_string_equal(label(&s, KJ_LABEL_INDEX), "3");
    assert_string_equal(label(&s, "io.kjob.annotation/batch.kubernetes.io/job-completion-index"), "3");
    kj_pod_container_spec_clear(&s);
}

static void test_spec_defaults_and_errors(void **state)
{
    (void)state;
    cleanup_cjson cJSON *tmpl = cJSON_Parse("{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"gcr.io/kuar-demo/kuard-amd64:blue\"}]}}");
    cleanup_cjson cJSON *labels = cJSON_CreateObject();
    struct kj_runtime_pod_req req = {.ns = "n", .job_name = "j", .job_uid = "u", .pod_name = "j-abcde",
                                     .pod_uid = "p", .index = -1, .pod_template = tmpl, .labels = labels};
    struct kj_pod_container_spec s;
    kj_error_t err = NULL;
    assert_int_equal(kj_pod_container_spec_build(&req, NULL, NULL, &s, &err), 0);
    assert_null(s.spec.entrypoint); /* image default */
    assert_null(s.spec.cmd);
    assert_null(s.spec.network);
    assert_null(label(&s, KJ_LABEL_INDEX));
    assert_string_equal(s.pull_policy, "IfNotPresent");
    assert_int_equal(s.spec.stop_timeout, 30);
    kj_pod_container_spec_clear(&s);

    cleanup_cjson cJSON *empty_cmd = cJSON_Parse("{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"command\":[]}]}}");
    req.pod_template = empty_cmd;
    req.image_pull_policy = "Never";
    assert_int_equal(kj_pod_container_spec_build(&req, NULL, NULL, &s, &err), 0);
    assert_non_null(s.spec.entrypoint);
    assert_null(s.spec.entrypoint[0]); /* explicit [] */
    assert_string_equal(s.pull_policy, "Never");
    kj_pod_container_spec_clear(&s);

    cleanup_cjson cJSON *none = cJSON_Parse("{\"spec\":{\"containers\":[]}}");
    req.pod_template = none;
    assert_int_equal(kj_pod_container_spec_build(&req, NULL, NULL, &s, &err), -1);
    kj_error_release(&err);
    cleanup_cjson cJSON *badmem = cJSON_Parse("{\"spec\":{\"containers\":[{\"image\":\"i\",\"resources\":{\"limits\":{\"memory\":\"lots\"}}}]}}");
    req.pod_template = badmem;
    assert_true(kj_pod_container_spec_build(&req, NULL, NULL, &s, &err) < 0);
    kj_error_release(&err);
}

/* Decode a fixture and map it. */
static int obs_of(const char *fixture, cJSON **doc, struct kj_container_net **nets,
                  struct kj_container_state *st, struct kj_pod_obs *obs)
{
    kj_error_t err = NULL;
    *doc = load(fixture);
    assert_int_equal(kj_docker_state_decode(*doc, st, nets, &err), 0);
    return kj_pod_obs_from_state(st, "kjd-fixnet", obs);
}

static void test_obs_exited(void **state)
{
    (void)state;
    cJSON *doc;
    struct kj_container_net *nets = NULL;
    struct kj_container_state st;
    struct kj_pod_obs obs;
    assert_int_equal(obs_of("inspect_exited.json", &doc, &nets, &st, &obs), 0);
    assert_int_equal(obs.state, KJ_POD_OBS_EXITED);
    assert_int_equal(obs.exit_code, 3);
    assert_false(obs.oom_killed);
    assert_string_equal(obs.ns, "default");
    assert_string_equal(obs.pod_name, "pi-3-abcde");
    assert_string_equal(obs.pod_uid, "5d1f0c8e-1111-4222-8333-944455556666");
    assert_string_equal(obs.job_uid, "0b5c7a52-4a37-4cb0-9c0e-1a2b3c4d5e6f");
    assert_string_equal(obs.job_name, "pi");
    assert_int_equal(obs.index, 3);
    assert_true(obs.finished_at > obs.started_at);
    assert_true(obs.started_at > 0);
    assert_true(obs.created_at > 0);
    assert_null(obs.pod_ip);
    assert_non_null(obs.container_id);
    free(nets);
    cJSON_Delete(doc);
}

static void test_obs_running(void **state)
{
    (void)state;
    cJSON *doc;
    struct kj_container_net *nets = NULL;
    struct kj_container_state st;
    struct kj_pod_obs obs;
    assert_int_equal(obs_of("inspect_running.json", &doc, &nets, &st, &obs), 0);
    assert_int_equal(obs.state, KJ_POD_OBS_RUNNING);
    assert_non_null(obs.pod_ip);
    assert_true(strlen(obs.pod_ip) >= 7);
    assert_int_equal(obs.finished_at, 0);
    free(nets);
    cJSON_Delete(doc);
}

static void test_obs_start_failed_and_created(void **state)
{
    (void)state;
    cJSON *doc;
    struct kj_container_net *nets = NULL;
    struct kj_container_state st;
    struct kj_pod_obs obs;
    assert_int_equal(obs_of("inspect_start_failed.json", &doc, &nets, &st, &obs), 0);
    assert_int_equal(obs.state, KJ_POD_OBS_EXITED);
    assert_int_equal(obs.exit_code, 127);
    assert_int_equal(obs.finished_at, obs.created_at); /* stable identity of that failure */
    assert_non_null(strstr(obs.error, "/nonexistent"));
    free(nets);
    cJSON_Delete(doc);

    /* An engine-side start failure is not the pod's: still CREATED. */
    nets = NULL;
    assert_int_equal(obs_of("inspect_start_failed_engine.json", &doc, &nets, &st, &obs), 0);
    assert_int_equal(obs.state, KJ_POD_OBS_CREATED);
    assert_int_equal(obs.exit_code, 0);
    free(nets);
    cJSON_Delete(doc);

    nets = NULL;
    assert_int_equal(obs_of("inspect_created.json", &doc, &nets, &st, &obs), 0);
    assert_int_equal(obs.state, KJ_POD_OBS_CREATED);
    assert_null(obs.error);
    free(nets);
    cJSON_Delete(doc);
}

/* CREATED tells the controllers "created, and nobody is starting it" (a
 * crash between create and start: they start it); while kjobd's own create
 * (which starts it) is in flight, the pod is still CREATING. */
static void test_obs_created_during_own_create(void **state)
{
    (void)state;
    struct rd_pod p = {.name = "p", .ns = "ns", .job_uid = "u", .container_id = "c1",
                       .state = KJ_POD_OBS_CREATED};
    struct kj_pod_obs obs;
    rd_pod_obs_fill(&p, &obs);
    assert_int_equal(obs.state, KJ_POD_OBS_CREATED);
    p.create = (struct create_op *)&p; /* any non-NULL: a create in flight */
    rd_pod_obs_fill(&p, &obs);
    assert_int_equal(obs.state, KJ_POD_OBS_CREATING);
    assert_string_equal(obs.container_id, "c1");
    p.state = KJ_POD_OBS_RUNNING;
    rd_pod_obs_fill(&p, &obs);
    assert_int_equal(obs.state, KJ_POD_OBS_RUNNING);
}

static void test_obs_foreign_container_ignored(void **state)
{
    (void)state;
    cJSON *doc;
    struct kj_container_net *nets = NULL;
    struct kj_container_state st;
    struct kj_pod_obs obs;
    assert_int_equal(obs_of("inspect_foreign.json", &doc, &nets, &st, &obs), -1);
    free(nets);
    cJSON_Delete(doc);
}

/* A clean exit told from the `die` event keeps its time when an inspect
 * later reports the engine's (slightly earlier) FinishedAt; anything else
 * keeps what the inspect says. */
static void test_exit_identity(void **state)
{
    (void)state;
    const int64_t s = 1000000000, told = INT64_C(1795750000) * s;
    assert_int_equal(kj_exit_identity(told - 300 * 1000000, 0, told), told); /* same exit, 0.3 s earlier */
    assert_int_equal(kj_exit_identity(told, 0, told), told);
    assert_int_equal(kj_exit_identity(told - 9 * s, 0, told), told);
    /* older than the window: an earlier run of the container */
    assert_int_equal(kj_exit_identity(told - 10 * s, 0, told), told - 10 * s);
    /* after the told exit: a later run (restarted in place) */
    assert_int_equal(kj_exit_identity(told + 1, 0, told), told + 1);
    /* failures are never told from the event */
    assert_int_equal(kj_exit_identity(told - 1000, 1, told), told - 1000);
    assert_int_equal(kj_exit_identity(told - 1000, 137, told), told - 1000);
    /* nothing told */
    assert_int_equal(kj_exit_identity(told - 1000, 0, 0), told - 1000);
}

static void test_identity_from_event_attributes(void **state)
{
    (void)state;
    cleanup_cjson cJSON *attrs = cJSON_Parse("{\"name\":\"x\",\"io.kjob.owner-uid\":\"u\",\"io.kjob.pod-name\":\"p\","
                                             "\"io.kjob.namespace\":\"n\",\"io.kjob.index\":\"x7\"}");
    struct kj_pod_obs obs;
    memset(&obs, 0, sizeof obs);
    assert_int_equal(kj_pod_obs_identity_from_labels(attrs, &obs), 0);
    assert_string_equal(obs.pod_name, "p");
    assert_int_equal(obs.index, -1); /* malformed index ignored */
    cleanup_cjson cJSON *none = cJSON_Parse("{\"name\":\"x\"}");
    assert_int_equal(kj_pod_obs_identity_from_labels(none, &obs), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_from_template),
        cmocka_unit_test(test_spec_defaults_and_errors),
        cmocka_unit_test(test_obs_exited),
        cmocka_unit_test(test_obs_running),
        cmocka_unit_test(test_obs_start_failed_and_created),
        cmocka_unit_test(test_obs_created_during_own_create),
        cmocka_unit_test(test_obs_foreign_container_ignored),
        cmocka_unit_test(test_identity_from_event_attributes),
        cmocka_unit_test(test_exit_identity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
