/* pkg/api quantities: parse, canonical format (apimachinery's rules),
 * milli/unit values, comparison, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/quantity.h"

struct qcase {
    const char *in;
    const char *canonical;
    int64_t milli;
    int64_t value;
};

static void test_quantity_table(void **state)
{
    (void)state;
    static const struct qcase cases[] = {
        {"0", "0", 0, 0},
        {"0m", "0", 0, 0},
        {"500m", "500m", 500, 1},
        {"1", "1", 1000, 1},
        {"+1", "1", 1000, 1},
        {"-1", "-1", -1000, -1},
        {"1.5", "1500m", 1500, 2},
        {"0.5", "500m", 500, 1},
        {"0.1", "100m", 100, 1},
        {".5", "500m", 500, 1},
        {"1.", "1", 1000, 1},
        {"1.0", "1", 1000, 1},
        {"1000", "1k", 1000000, 1000},
        {"1500", "1500", 1500000, 1500},
        {"1000m", "1", 1000, 1},
        {"1500000", "1500k", 1500000000, 1500000},
        {"1k", "1k", 1000000, 1000},
        {"1M", "1M", INT64_C(1000000000), 1000000},
        {"2G", "2G", INT64_C(2000000000000), INT64_C(2000000000)},
        {"1T", "1T", INT64_C(1000000000000000), INT64_C(1000000000000)},
        {"1E", "1E", INT64_MAX, INT64_C(1000000000000000000)},
        {"100n", "100n", 1, 1},
        {"1u", "1u", 1, 1},
        {"0.0001", "100u", 1, 1},
        {"0.0000000001", "1n", 1, 1},
        {"1Ki", "1Ki", 1024000, 1024},
        {"1Gi", "1Gi", INT64_C(1073741824000), INT64_C(1073741824)},
        {"100Mi", "100Mi", INT64_C(104857600000), 104857600},
        {"128Mi", "128Mi", INT64_C(134217728000), 134217728},
        {"1.5Gi", "1536Mi", INT64_C(1610612736000), INT64_C(1610612736)},
        {"1024Ki", "1Mi", INT64_C(1048576000), 1048576},
        {"0.5Ki", "512", 512000, 512},
        {"1.5Ki", "1536", 1536000, 1536},
        {"1.1Ki", "1126400m", 1126400, 1127},
        {"0.5Mi", "512Ki", 524288000, 524288},
        {"1024", "1024", 1024000, 1024},
        {"129e6", "129e6", INT64_C(129000000000), 129000000},
        {"1e3", "1e3", 1000000, 1000},
        {"1E3", "1e3", 1000000, 1000},
        {"12e5", "1200e3", INT64_C(1200000000), 1200000},
        {"2.5e-3", "2500e-6", 3, 1},
        {"128974848", "128974848", INT64_C(128974848000), 128974848},
        {"123Mi", "123Mi", INT64_C(128974848000), 128974848},
        {"100000000000000000000", "100E", INT64_MAX, INT64_MAX},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct kj_quantity q;
        kj_error_t err = NULL;
        if (kj_quantity_parse(cases[i].in, &q, &err) < 0)
            fail_msg("%s: %s", cases[i].in, err->msg);
        char *s = kj_quantity_format(&q);
        if (strcmp(s, cases[i].canonical) != 0)
            fail_msg("%s: canonical want %s got %s", cases[i].in, cases[i].canonical, s);
        if (kj_quantity_milli(&q) != cases[i].milli)
            fail_msg("%s: milli want %lld got %lld", cases[i].in, (long long)cases[i].milli,
                     (long long)kj_quantity_milli(&q));
        if (kj_quantity_value(&q) != cases[i].value)
            fail_msg("%s: value want %lld got %lld", cases[i].in, (long long)cases[i].value,
                     (long long)kj_quantity_value(&q));
        /* The canonical form parses back to the same canonical form. */
        struct kj_quantity q2;
        assert_int_equal(kj_quantity_parse(s, &q2, &err), 0);
        char *s2 = kj_quantity_format(&q2);
        assert_string_equal(s, s2);
        assert_int_equal(kj_quantity_cmp(&q, &q2), 0);
        free(s);
        free(s2);
    }
}

static void test_quantity_errors(void **state)
{
    (void)state;
    static const char *const regex_fail[] = {"", "abc", "1.2.3", "1 Gi", ".", "+", "1Zi", "Gi", "1Mi ", "--1"};
    static const char *const suffix_fail[] = {"1ki", "1e", "1MiB" /* 'B' fails the regex */, "1mm", "1iK"};
    for (size_t i = 0; i < sizeof regex_fail / sizeof regex_fail[0]; i++) {
        struct kj_quantity q;
        kj_error_t err = NULL;
        assert_true(kj_quantity_parse(regex_fail[i], &q, &err) < 0);
        assert_string_equal(err->msg, "quantities must match the regular expression "
                                      "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
        assert_int_equal(kj_error_http_status(err), 400);
        kj_error_release(&err);
    }
    for (size_t i = 0; i < sizeof suffix_fail / sizeof suffix_fail[0]; i++) {
        struct kj_quantity q;
        kj_error_t err = NULL;
        assert_true(kj_quantity_parse(suffix_fail[i], &q, &err) < 0);
        if (strcmp(suffix_fail[i], "1MiB") == 0)
            assert_non_null(strstr(err->msg, "regular expression"));
        else
            assert_string_equal(err->msg, "unable to parse quantity's suffix");
        kj_error_release(&err);
    }
}

static void test_quantity_cmp(void **state)
{
    (void)state;
    struct kj_quantity a, b, z;
    kj_error_t err = NULL;
    assert_int_equal(kj_quantity_parse("1Gi", &a, &err), 0);
    assert_int_equal(kj_quantity_parse("1G", &b, &err), 0);
    assert_int_equal(kj_quantity_parse("0", &z, &err), 0);
    assert_int_equal(kj_quantity_cmp(&a, &b), 1);
    assert_int_equal(kj_quantity_cmp(&b, &a), -1);
    assert_true(kj_quantity_is_zero(&z));
    assert_false(kj_quantity_is_zero(&a));
    assert_int_equal(kj_quantity_parse("500m", &a, &err), 0);
    assert_int_equal(kj_quantity_parse("0.5", &b, &err), 0);
    assert_int_equal(kj_quantity_cmp(&a, &b), 0);
}

/* Quantities in raw JSON: strings, and numbers as YAML gives them. */
static void test_quantity_from_json(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        int64_t milli;
    } cases[] = {
        {"\"500m\"", 500},       {"2", 2000},   {"0.5", 500},
        {"0.1", 100},            {"1e9", INT64_C(1000000000000)},
        {"134217728", INT64_C(134217728000)},   {"\"64Mi\"", INT64_C(67108864000)},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *v = cJSON_Parse(cases[i].json);
        struct kj_quantity q;
        kj_error_t err = NULL;
        print_message("# %s\n", cases[i].json);
        assert_int_equal(kj_quantity_from_json(v, &q, &err), 0);
        assert_int_equal(kj_quantity_milli(&q), cases[i].milli);
        cJSON_Delete(v);
    }
    cJSON *bad[] = {cJSON_CreateTrue(), cJSON_CreateObject(), cJSON_CreateString("2 cores"), NULL};
    for (size_t i = 0; i < 3; i++) {
        struct kj_quantity q;
        kj_error_t err = NULL;
        assert_true(kj_quantity_from_json(bad[i], &q, &err) < 0);
        assert_non_null(err);
        kj_error_release(&err);
        cJSON_Delete(bad[i]);
    }
    struct kj_quantity q;
    kj_error_t err = NULL;
    assert_true(kj_quantity_from_json(NULL, &q, &err) < 0);
    kj_error_release(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantity_table),
        cmocka_unit_test(test_quantity_errors),
        cmocka_unit_test(test_quantity_cmp),
        cmocka_unit_test(test_quantity_from_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
