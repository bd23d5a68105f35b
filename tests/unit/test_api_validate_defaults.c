/* Defaulting (§1.1 rules 1-7) and create preparation (§1.2, §1.3). */
#include "test_api_validate.h"

static void test_parallelism_completions(void **state)
{
    (void)state;
    struct kj_job j;
    decode_job(base_job_json, NULL, &j); /* rule 1: both unset -> 1, 1 */
    assert_true(j.spec.has_parallelism && j.spec.parallelism == 1);
    assert_true(j.spec.has_completions && j.spec.completions == 1);
    kj_job_clear(&j);
    decode_job(base_job_json, "{\"spec\":{\"parallelism\":3}}", &j); /* work queue stays */
    assert_int_equal(j.spec.parallelism, 3);
    assert_false(j.spec.has_completions);
    kj_job_clear(&j);
    decode_job(base_job_json, "{\"spec\":{\"completions\":5}}", &j); /* rule 2 */
    assert_true(j.spec.has_parallelism && j.spec.parallelism == 1);
    assert_int_equal(j.spec.completions, 5);
    kj_job_clear(&j);
}

static void test_backoff_limit(void **state)
{
    (void)state;
    struct kj_job j;
    decode_job(base_job_json, NULL, &j);
    assert_true(j.spec.has_backoff_limit && j.spec.backoff_limit == 6);
    kj_job_clear(&j);
    decode_job(base_job_json, "{\"spec\":{\"backoffLimitPerIndex\":1}}", &j);
    assert_int_equal(j.spec.backoff_limit, INT32_MAX);
    kj_job_clear(&j);
    decode_job(base_job_json, "{\"spec\":{\"backoffLimit\":0}}", &j);
    assert_int_equal(j.spec.backoff_limit, 0);
    kj_job_clear(&j);
}

static void test_job_labels_from_template(void **state)
{
    (void)state;
    struct kj_job j;
    decode_job(base_job_json, "{\"spec\":{\"template\":{\"metadata\":{\"labels\":{\"a\":\"1\"}}}}}",
               &j);
    assert_string_equal(kj_labels_get(&j.metadata.labels, "a"), "1");
    kj_job_clear(&j);
    decode_job(base_job_json,
               "{\"metadata\":{\"labels\":{\"b\":\"2\"}},\"spec\":{\"template\":{\"metadata\":"
               "{\"labels\":{\"a\":\"1\"}}}}}",
               &j);
    assert_null(kj_labels_get(&j.metadata.labels, "a"));
    assert_int_equal(j.metadata.labels.len, 1);
    kj_job_clear(&j);
}

static void test_mode_suspend_selector_policies(void **state)
{
    (void)state;
    struct kj_job j;
    decode_job(base_job_json, NULL, &j);
    assert_string_equal(j.spec.completion_mode, "NonIndexed");
    assert_true(j.spec.has_suspend && !j.spec.suspend);
    assert_true(j.spec.has_manual_selector && !j.spec.manual_selector);
    assert_string_equal(j.spec.pod_replacement_policy, "TerminatingOrFailed");
    kj_job_clear(&j);
    decode_job(base_job_json,
               "{\"spec\":{\"podFailurePolicy\":{\"rules\":[{\"action\":\"Ignore\","
               "\"onPodConditions\":[{\"type\":\"DisruptionTarget\"},{\"type\":\"X\",\"status\":"
               "\"False\"}]}]}}}",
               &j);
    assert_string_equal(j.spec.pod_replacement_policy, "Failed");
    const struct kj_pod_failure_policy_rule *r = &j.spec.pod_failure_policy.rules[0];
    assert_string_equal(r->on_pod_conditions[0].status, "True"); /* rule 6 */
    assert_string_equal(r->on_pod_conditions[1].status, "False");
    kj_job_clear(&j);
    decode_job(base_job_json,
               "{\"spec\":{\"suspend\":true,\"completionMode\":\"Indexed\",\"completions\":2,"
               "\"podReplacementPolicy\":\"Failed\"}}",
               &j);
    assert_true(j.spec.suspend);
    assert_string_equal(j.spec.completion_mode, "Indexed");
    assert_string_equal(j.spec.pod_replacement_policy, "Failed");
    kj_job_clear(&j);
}

static void test_pod_template_defaults(void **state)
{
    (void)state;
    struct kj_job j;
    decode_job(base_job_json,
               "{\"spec\":{\"template\":{\"spec\":{\"restartPolicy\":null,\"volumes\":[{\"name\":"
               "\"v\"}],\"containers\":[{\"name\":\"pi\",\"image\":\"perl\",\"ports\":[{"
               "\"containerPort\":80}],\"env\":[{\"name\":\"N\",\"valueFrom\":{\"fieldRef\":{"
               "\"fieldPath\":\"metadata.name\"}}}]}]}}}}",
               &j);
    const struct kj_pod_spec *ps = &j.spec.template_.spec;
    assert_string_equal(ps->restart_policy, "Always");
    assert_string_equal(ps->dns_policy, "ClusterFirst");
    assert_true(ps->has_termination_grace_period_seconds);
    assert_int_equal(ps->termination_grace_period_seconds, 30);
    assert_string_equal(ps->scheduler_name, "default-scheduler");
    assert_true(cJSON_IsObject(ps->security_context));
    assert_null(ps->security_context->child);
    assert_true(ps->volumes[0].has_empty_dir);
    const struct kj_container *c = &ps->containers[0];
    assert_string_equal(c->termination_message_path, "/dev/termination-log");
    assert_string_equal(c->termination_message_policy, "File");
    assert_string_equal(c->image_pull_policy, "Always");
    assert_string_equal(c->ports[0].protocol, "TCP");
    assert_string_equal(c->env[0].value_from.field_ref.api_version, "v1");
    /* Idempotent: a second pass changes nothing. */
    cJSON *a = kj_job_to_json(&j);
    kj_job_default(&j);
    cJSON *b = kj_job_to_json(&j);
    assert_true(cJSON_Compare(a, b, 1));
    cJSON_Delete(a);
    cJSON_Delete(b);
    kj_job_clear(&j);
    /* Explicit values stay. */
    decode_job(base_job_json,
               "{\"spec\":{\"template\":{\"spec\":{\"dnsPolicy\":\"Default\","
               "\"terminationGracePeriodSeconds\":5,\"containers\":[{\"name\":\"pi\",\"image\":"
               "\"perl\",\"imagePullPolicy\":\"Never\",\"terminationMessagePolicy\":"
               "\"FallbackToLogsOnError\"}]}}}}",
               &j);
    ps = &j.spec.template_.spec;
    assert_string_equal(ps->dns_policy, "Default");
    assert_int_equal(ps->termination_grace_period_seconds, 5);
    assert_string_equal(ps->containers[0].image_pull_policy, "Never");
    assert_string_equal(ps->containers[0].termination_message_policy, "FallbackToLogsOnError");
    kj_job_clear(&j);
}

static void test_image_pull_policy(void **state)
{
    (void)state;
    static const struct {
        const char *image, *want;
    } t[] = {
        {"busybox", "Always"},
        {"busybox:latest", "Always"},
        {"busybox:1.36", "IfNotPresent"},
        {"gcr.io/kuar-demo/kuard-amd64:blue", "IfNotPresent"},
        {"gcr.io/kuar-demo/kuard-amd64", "Always"},
        {"localhost:5000/img", "Always"},
        {"localhost:5000/img:v1", "IfNotPresent"},
        {"img@sha256:4a5b6c7d8e9f00112233445566778899aabbccddeeff00112233445566778899",
         "IfNotPresent"},
        {"img:latest@sha256:4a5b6c7d8e9f00112233445566778899aabbccddeeff00112233445566778899",
         "Always"},
        {"img:v2@sha256:4a5b6c7d8e9f00112233445566778899aabbccddeeff00112233445566778899",
         "IfNotPresent"},
        {"kjob/kuard", "Always"},
        {"", "IfNotPresent"},           /* unparsable: upstream ignores the error */
        {"Busybox", "IfNotPresent"},    /* upper case repository */
        {"busybox:", "IfNotPresent"},   /* empty tag */
        {"My.Registry:5000/img", "Always"}, /* host names may hold upper case */
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        const char *got = kj_image_default_pull_policy(t[i].image);
        if (strcmp(got, t[i].want) != 0)
            fail_msg("image `%s`: want %s, got %s", t[i].image, t[i].want, got);
    }
}

static void test_generate_name(void **state)
{
    (void)state;
    static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
    char *n = kj_generate_name("pi-");
    assert_int_equal(strlen(n), 8);
    assert_memory_equal(n, "pi-", 3);
    for (size_t i = 3; i < 8; i++)
        assert_non_null(strchr(alphabet, n[i]));
    free(n);
    char base[100];
    memset(base, 'a', 99);
    base[99] = '\0';
    n = kj_generate_name(base);
    assert_int_equal(strlen(n), 63); /* base cut to 58 */
    free(n);
    /* Two names differ (27^5 possibilities). */
    char *a = kj_generate_name("x-"), *b = kj_generate_name("x-");
    assert_string_not_equal(a, b);
    free(a);
    free(b);
}

static void test_prepare_create(void **state)
{
    (void)state;
    struct kj_job j;
    decode_job(base_job_json,
               "{\"metadata\":{\"generation\":7,\"uid\":\"client\",\"deletionTimestamp\":"
               "\"2026-01-01T00:00:00Z\"},\"status\":{\"active\":3,\"succeeded\":2}}",
               &j);
    kj_job_prepare_create(&j, TEST_UID, T0);
    assert_int_equal(j.metadata.generation, 1);
    assert_string_equal(j.metadata.uid, TEST_UID);
    assert_true(j.metadata.creation_timestamp == T0);
    assert_true(j.metadata.deletion_timestamp == 0);
    assert_int_equal(j.status.active, 0);
    assert_int_equal(j.status.succeeded, 0);
    assert_null(j.metadata.resource_version);
    const struct kj_labels *tl = &j.spec.template_.metadata.labels;
    assert_string_equal(kj_labels_get(tl, "job-name"), "pi");
    assert_string_equal(kj_labels_get(tl, KJ_LABEL_JOB_NAME), "pi");
    assert_string_equal(kj_labels_get(tl, "controller-uid"), TEST_UID);
    assert_string_equal(kj_labels_get(tl, KJ_LABEL_CONTROLLER_UID), TEST_UID);
    assert_true(j.spec.has_selector);
    assert_int_equal(j.spec.selector.match_labels.len, 1);
    assert_string_equal(kj_labels_get(&j.spec.selector.match_labels, KJ_LABEL_CONTROLLER_UID),
                        TEST_UID);
    /* Rule 4 again, as a read-back of the stored object shows. */
    assert_true(kj_labels_equal(&j.metadata.labels, tl));
    kj_job_clear(&j);
}

static void test_prepare_create_keeps_user_values(void **state)
{
    (void)state;
    struct kj_job j;
    decode_job(base_job_json,
               "{\"metadata\":{\"labels\":{\"app\":\"x\"}},\"spec\":{\"selector\":{\"matchLabels\":"
               "{\"batch.kubernetes.io/controller-uid\":\"mine\"}},\"template\":{\"metadata\":{"
               "\"labels\":{\"job-name\":\"other\"}}}}}",
               &j);
    kj_job_prepare_create(&j, TEST_UID, T0);
    const struct kj_labels *tl = &j.spec.template_.metadata.labels;
    assert_string_equal(kj_labels_get(tl, "job-name"), "other");
    assert_string_equal(kj_labels_get(&j.spec.selector.match_labels, KJ_LABEL_CONTROLLER_UID),
                        "mine");
    assert_int_equal(j.metadata.labels.len, 1); /* the Job had labels */
    kj_job_clear(&j);

    /* manualSelector: nothing generated. */
    decode_job(base_job_json, "{\"spec\":{\"manualSelector\":true}}", &j);
    kj_job_prepare_create(&j, TEST_UID, T0);
    assert_false(j.spec.has_selector);
    assert_int_equal(j.spec.template_.metadata.labels.len, 0);
    kj_job_clear(&j);

    /* generateName: name derived before the labels are generated. */
    decode_job(base_job_json, "{\"metadata\":{\"name\":null,\"generateName\":\"batch-\"}}", &j);
    kj_job_prepare_create(&j, TEST_UID, T0);
    assert_int_equal(strlen(j.metadata.name), 11);
    assert_string_equal(kj_labels_get(&j.spec.template_.metadata.labels, "job-name"),
                        j.metadata.name);
    kj_job_clear(&j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parallelism_completions),
        cmocka_unit_test(test_backoff_limit),
        cmocka_unit_test(test_job_labels_from_template),
        cmocka_unit_test(test_mode_suspend_selector_policies),
        cmocka_unit_test(test_pod_template_defaults),
        cmocka_unit_test(test_image_pull_policy),
        cmocka_unit_test(test_generate_name),
        cmocka_unit_test(test_prepare_create),
        cmocka_unit_test(test_prepare_create_keeps_user_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
