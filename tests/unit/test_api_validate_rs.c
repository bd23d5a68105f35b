/* ReplicaSet and Service validation (api/validate_queue.h): exact
 * kube-apiserver field error texts and the 422 Status built from them. */
#include "test_api_validate.h"

#include "api/codec.h"
#include "api/core.h"
#include "api/validate_queue.h"

static const char base_rs[] =
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"metadata\":{\"name\":\"web\"},"
    "\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
    "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},"
    "\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"busybox\"}]}}}}";

static const char base_svc[] =
    "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"web\"},"
    "\"spec\":{\"selector\":{\"app\":\"web\"},\"ports\":[{\"port\":80}]}}";

static cJSON *patched(const char *base, const char *patch)
{
    cJSON *j = cJSON_Parse(base);
    assert_non_null(j);
    if (patch != NULL) {
        cJSON *p = cJSON_Parse(patch);
        if (p == NULL)
            fail_msg("bad patch json: %s", patch);
        j = merge_patch(j, p);
        cJSON_Delete(p);
    }
    return j;
}

/* The aggregate message of validating base+patch ("" = valid). */
static char *rs_errors(const char *patch)
{
    cJSON *j = patched(base_rs, patch);
    struct kj_replica_set rs = {0};
    kj_error_t err = NULL;
    if (kj_replica_set_from_json(j, &rs, NULL, NULL, &err) < 0)
        fail_msg("decode: %s", err->msg);
    cJSON_Delete(j);
    struct kj_field_errors errs;
    kj_field_errors_init(&errs);
    kj_replica_set_validate(&rs, &errs);
    char *msg = kj_field_errors_aggregate(&errs);
    kj_field_errors_free(&errs);
    kj_replica_set_clear(&rs);
    return msg;
}

static char *svc_errors(const char *patch)
{
    cJSON *j = patched(base_svc, patch);
    struct kj_service svc = {0};
    kj_error_t err = NULL;
    if (kj_service_from_json(j, &svc, NULL, NULL, &err) < 0)
        fail_msg("decode: %s", err->msg);
    cJSON_Delete(j);
    struct kj_field_errors errs;
    kj_field_errors_init(&errs);
    kj_service_validate(&svc, &errs);
    char *msg = kj_field_errors_aggregate(&errs);
    kj_field_errors_free(&errs);
    kj_service_clear(&svc);
    return msg;
}

#define EXPECT(fn, patch, want)                                                                    \
    do {                                                                                           \
        char *got_ = fn(patch);                                                                    \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

static void test_rs_valid(void **state)
{
    (void)state;
    EXPECT(rs_errors, NULL, "");
    EXPECT(rs_errors, "{\"spec\":{\"replicas\":0}}", "");
}

static void test_rs_replicas(void **state)
{
    (void)state;
    EXPECT(rs_errors, "{\"spec\":{\"replicas\":-1}}",
           "spec.replicas: Invalid value: -1: must be greater than or equal to 0");
}

static void test_rs_selector(void **state)
{
    (void)state;
    EXPECT(rs_errors, "{\"spec\":{\"selector\":null}}", "spec.selector: Required value");
    EXPECT(rs_errors, "{\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"other\"}}}}",
           "spec.template.metadata.labels: Invalid value: {\"app\":\"web\"}: "
           "`selector` does not match template `labels`");
}

static void test_rs_template(void **state)
{
    (void)state;
    EXPECT(rs_errors, "{\"spec\":{\"template\":{\"spec\":{\"restartPolicy\":\"OnFailure\"}}}}",
           "spec.template.spec.restartPolicy: Unsupported value: \"OnFailure\": supported values: "
           "\"Always\"");
    EXPECT(rs_errors, "{\"spec\":{\"template\":{\"spec\":{\"containers\":[]}}}}",
           "spec.template.spec.containers: Required value");
    EXPECT(rs_errors, "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"\"}]}}}}",
           "[spec.template.spec.containers[0].name: Required value, "
           "spec.template.spec.containers[0].image: Required value]");
}

static void test_rs_name(void **state)
{
    (void)state;
    EXPECT(rs_errors, "{\"metadata\":{\"name\":\"Web\"}}",
           "metadata.name: Invalid value: \"Web\": a lowercase RFC 1123 subdomain must consist of "
           "lower case alphanumeric characters, '-' or '.', and must start and end with an "
           "alphanumeric character (e.g. 'example.com', regex used for validation is "
           "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
    EXPECT(rs_errors, "{\"metadata\":{\"name\":\"web.v1\"}}", "");
}

static void test_svc_valid(void **state)
{
    (void)state;
    EXPECT(svc_errors, NULL, "");
    EXPECT(svc_errors, "{\"spec\":{\"ports\":null,\"clusterIP\":\"None\"}}", "");
    EXPECT(svc_errors, "{\"spec\":{\"type\":\"LoadBalancer\",\"ports\":[{\"port\":80,\"protocol\":\"UDP\"}]}}", "");
}

static void test_svc_name(void **state)
{
    (void)state;
    EXPECT(svc_errors, "{\"metadata\":{\"name\":\"1web\"}}",
           "metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case "
           "alphanumeric characters or '-', start with an alphabetic character, and end with an "
           "alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
           "'[a-z]([-a-z0-9]*[a-z0-9])?')");
}

static void test_svc_ports(void **state)
{
    (void)state;
    EXPECT(svc_errors, "{\"spec\":{\"ports\":null}}", "spec.ports: Required value");
    EXPECT(svc_errors, "{\"spec\":{\"ports\":[{\"port\":0}]}}",
           "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive");
    EXPECT(svc_errors, "{\"spec\":{\"ports\":[{\"port\":80},{\"port\":70000,\"protocol\":\"HTTP\"}]}}",
           "[spec.ports[1].port: Invalid value: 70000: must be between 1 and 65535, inclusive, "
           "spec.ports[1].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", "
           "\"TCP\", \"UDP\"]");
}

static void test_svc_type(void **state)
{
    (void)state;
    EXPECT(svc_errors, "{\"spec\":{\"type\":\"Magic\"}}",
           "spec.type: Unsupported value: \"Magic\": supported values: \"ClusterIP\", "
           "\"ExternalName\", \"LoadBalancer\", \"NodePort\"");
}

static void test_status(void **state)
{
    (void)state;
    struct kj_field_errors errs;
    kj_field_errors_init(&errs);
    kj_fe_invalid_int(&errs, "spec.replicas", -1, "must be greater than or equal to 0");
    cJSON *st = kj_field_errors_status(&errs, "ReplicaSet", "apps", "web");
    assert_non_null(st);
    assert_string_equal(cJSON_GetObjectItem(st, "message")->valuestring,
                        "ReplicaSet.apps \"web\" is invalid: spec.replicas: Invalid value: -1: must "
                        "be greater than or equal to 0");
    assert_int_equal(cJSON_GetObjectItem(st, "code")->valueint, 422);
    cJSON_Delete(st);
    kj_field_errors_free(&errs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rs_valid),  cmocka_unit_test(test_rs_replicas),
        cmocka_unit_test(test_rs_selector), cmocka_unit_test(test_rs_template),
        cmocka_unit_test(test_rs_name),   cmocka_unit_test(test_svc_valid),
        cmocka_unit_test(test_svc_name),  cmocka_unit_test(test_svc_ports),
        cmocka_unit_test(test_svc_type),  cmocka_unit_test(test_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
