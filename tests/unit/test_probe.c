/* Readiness probe spec parsing and thresholds (controller/probe_sync.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "controller/probe_sync.h"

#define S INT64_C(1000000000)

static struct kj_probe_spec parse(const char *container_json, cJSON **keep)
{
    *keep = cJSON_Parse(container_json);
    assert_non_null(*keep);
    struct kj_probe_spec s;
    kj_probe_spec_parse(*keep, &s);
    return s;
}

static void test_no_probe(void **state)
{
    (void)state;
    cJSON *c;
    struct kj_probe_spec s = parse("{\"name\":\"x\"}", &c);
    assert_int_equal(s.kind, KJ_PROBE_NONE);
    cJSON_Delete(c);
}

static void test_http_defaults_and_named_port(void **state)
{
    (void)state;
    cJSON *c;
    struct kj_probe_spec s = parse(
        "{\"ports\":[{\"name\":\"http\",\"containerPort\":8080}],"
        "\"readinessProbe\":{\"httpGet\":{\"path\":\"/ready\",\"port\":\"http\"}}}", &c);
    assert_int_equal(s.kind, KJ_PROBE_HTTP_GET);
    assert_int_equal(s.port, 8080);
    assert_string_equal(s.path, "/ready");
    assert_int_equal(s.period, 10 * S);
    assert_int_equal(s.timeout, 1 * S);
    assert_int_equal(s.initial_delay, 0);
    assert_int_equal(s.success_threshold, 1);
    assert_int_equal(s.failure_threshold, 3);
    cJSON_Delete(c);
    s = parse("{\"readinessProbe\":{\"httpGet\":{\"port\":\"nope\"}}}", &c);
    assert_int_equal(s.kind, KJ_PROBE_NONE); /* undeclared port name */
    cJSON_Delete(c);
}

static void test_tcp_and_exec(void **state)
{
    (void)state;
    cJSON *c;
    struct kj_probe_spec s = parse("{\"readinessProbe\":{\"tcpSocket\":{\"port\":8080},"
                                   "\"periodSeconds\":2,\"initialDelaySeconds\":3,"
                                   "\"timeoutSeconds\":0}}", &c);
    assert_int_equal(s.kind, KJ_PROBE_TCP_SOCKET);
    assert_int_equal(s.port, 8080);
    assert_int_equal(s.period, 2 * S);
    assert_int_equal(s.initial_delay, 3 * S);
    assert_int_equal(s.timeout, 1 * S); /* at least 1 s */
    cJSON_Delete(c);
    s = parse("{\"readinessProbe\":{\"exec\":{\"command\":[\"cat\",\"/tmp/ready\"]}}}", &c);
    assert_int_equal(s.kind, KJ_PROBE_EXEC);
    assert_int_equal(cJSON_GetArraySize(s.command), 2);
    cJSON_Delete(c);
    s = parse("{\"readinessProbe\":{\"exec\":{}}}", &c);
    assert_int_equal(s.kind, KJ_PROBE_NONE);
    cJSON_Delete(c);
}

static void test_thresholds(void **state)
{
    (void)state;
    struct kj_probe_spec s = {.kind = KJ_PROBE_TCP_SOCKET, .success_threshold = 2, .failure_threshold = 3};
    struct kj_probe_state st = {0};
    assert_false(kj_probe_record(&st, &s, true));
    assert_false(st.ready);
    assert_true(kj_probe_record(&st, &s, true)); /* 2 successes: ready */
    assert_true(st.ready);
    assert_false(kj_probe_record(&st, &s, false));
    assert_false(kj_probe_record(&st, &s, false));
    assert_true(st.ready);
    assert_false(kj_probe_record(&st, &s, true)); /* a success resets the failures */
    assert_false(kj_probe_record(&st, &s, false));
    assert_false(kj_probe_record(&st, &s, false));
    assert_true(kj_probe_record(&st, &s, false)); /* 3 in a row: not ready */
    assert_false(st.ready);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_probe),
        cmocka_unit_test(test_http_defaults_and_named_port),
        cmocka_unit_test(test_tcp_and_exec),
        cmocka_unit_test(test_thresholds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
