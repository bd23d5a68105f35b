/* Service alias computation and selectors (controller/service_sync.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "controller/service_sync.h"

static cJSON *parse(const char *s)
{
    cJSON *j = cJSON_Parse(s);
    assert_non_null(j);
    return j;
}

static void test_selector_map(void **state)
{
    (void)state;
    cJSON *sel = parse("{\"app\":\"work-queue\",\"component\":\"queue\"}");
    cJSON *yes = parse("{\"app\":\"work-queue\",\"component\":\"queue\",\"chapter\":\"jobs\"}");
    cJSON *no = parse("{\"app\":\"work-queue\",\"component\":\"consumer\"}");
    cJSON *empty = parse("{}");
    assert_true(kj_svc_selector_matches(sel, yes));
    assert_false(kj_svc_selector_matches(sel, no));
    assert_false(kj_svc_selector_matches(sel, NULL));
    assert_false(kj_svc_selector_matches(empty, yes)); /* no selector: no endpoints */
    assert_false(kj_svc_selector_matches(NULL, yes));
    cJSON_Delete(sel);
    cJSON_Delete(yes);
    cJSON_Delete(no);
    cJSON_Delete(empty);
}

static void test_label_selector(void **state)
{
    (void)state;
    cJSON *labels = parse("{\"app\":\"a\",\"tier\":\"db\"}");
    struct {
        const char *sel;
        bool want;
    } cases[] = {
        {"{}", true},
        {"{\"matchLabels\":{\"app\":\"a\"}}", true},
        {"{\"matchLabels\":{\"app\":\"b\"}}", false},
        {"{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"In\",\"values\":[\"db\",\"x\"]}]}", true},
        {"{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"NotIn\",\"values\":[\"db\"]}]}", false},
        {"{\"matchExpressions\":[{\"key\":\"zone\",\"operator\":\"DoesNotExist\"}]}", true},
        {"{\"matchExpressions\":[{\"key\":\"zone\",\"operator\":\"Exists\"}]}", false},
        {"{\"matchExpressions\":[{\"key\":\"app\",\"operator\":\"Bogus\"}]}", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *s = parse(cases[i].sel);
        assert_int_equal(kj_label_selector_matches_json(s, labels), cases[i].want);
        cJSON_Delete(s);
    }
    cJSON_Delete(labels);
}

static void test_aliases_sorted_and_namespaced(void **state)
{
    (void)state;
    cJSON *svcs = parse(
        "[{\"metadata\":{\"name\":\"queue\",\"namespace\":\"a\"},\"spec\":{\"selector\":{\"app\":\"q\"}}},"
        " {\"metadata\":{\"name\":\"memq\",\"namespace\":\"a\"},\"spec\":{\"selector\":{\"app\":\"q\"}}},"
        " {\"metadata\":{\"name\":\"other\",\"namespace\":\"b\"},\"spec\":{\"selector\":{\"app\":\"q\"}}},"
        " {\"metadata\":{\"name\":\"web\",\"namespace\":\"a\"},\"spec\":{\"selector\":{\"app\":\"w\"}}},"
        " {\"metadata\":{\"name\":\"nosel\",\"namespace\":\"a\"},\"spec\":{}}]");
    cJSON *labels = parse("{\"app\":\"q\"}");
    char *a = kj_svc_aliases_for(svcs, "a", labels);
    assert_string_equal(a, "memq,queue");
    free(a);
    char *b = kj_svc_aliases_for(svcs, "c", labels);
    assert_string_equal(b, "");
    free(b);
    cJSON_Delete(svcs);
    cJSON_Delete(labels);
}

static void test_target_port(void **state)
{
    (void)state;
    cJSON *svc = parse("{\"spec\":{\"ports\":["
                       "{\"name\":\"http\",\"port\":8080,\"targetPort\":8080},"
                       "{\"name\":\"alt\",\"port\":80,\"targetPort\":\"web\"},"
                       "{\"port\":81}]}}");
    cJSON *tspec = parse("{\"containers\":[{\"ports\":[{\"name\":\"web\",\"containerPort\":9090}]}]}");
    assert_int_equal(kj_svc_target_port(svc, NULL, tspec), 8080);
    assert_int_equal(kj_svc_target_port(svc, "8080", tspec), 8080);
    assert_int_equal(kj_svc_target_port(svc, "alt", tspec), 9090);
    assert_int_equal(kj_svc_target_port(svc, "80", tspec), 9090);
    assert_int_equal(kj_svc_target_port(svc, "81", tspec), 81);
    assert_int_equal(kj_svc_target_port(svc, "82", tspec), 0);
    assert_int_equal(kj_svc_target_port(svc, "alt", NULL), 0);
    cJSON_Delete(svc);
    cJSON_Delete(tspec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_selector_map),
        cmocka_unit_test(test_label_selector),
        cmocka_unit_test(test_aliases_sorted_and_namespaced),
        cmocka_unit_test(test_target_port),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
