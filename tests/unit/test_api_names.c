/* pkg/api name checks (exact apimachinery texts), RFC 3339 time helpers,
 * kj_strlist and kj_labels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "api/names.h"
#include "api/strlist.h"
#include "api/time.h"

#define LABEL_MSG                                                                              \
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "    \
    "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "    \
    "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
#define SUBDOMAIN_MSG                                                                          \
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "   \
    "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex " \
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"

static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static void test_dns1123_label(void **state)
{
    (void)state;
    static const char *const ok[] = {"a", "my-name", "123-abc", "pi", "indexed-job-2", "0"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        assert_int_equal(kj_dns1123_label_check(ok[i], NULL), 0);
    static const char *const bad[] = {"", "Bad_Name", "-a", "a-", "A", "a_b", "a b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct kj_strlist m = {0};
        assert_int_equal(kj_dns1123_label_check(bad[i], &m), 1);
        assert_string_equal(m.items[0], LABEL_MSG);
        kj_strlist_clear(&m);
    }
    struct kj_strlist m = {0};
    assert_int_equal(kj_dns1123_label_check("a.b", &m), 1);
    assert_string_equal(m.items[0], "must not contain dots");
    kj_strlist_clear(&m);
    char *long63 = repeat('a', 63), *long64 = repeat('a', 64);
    assert_int_equal(kj_dns1123_label_check(long63, NULL), 0);
    assert_int_equal(kj_dns1123_label_check(long64, &m), 1);
    assert_string_equal(m.items[0], "must be no more than 63 bytes");
    kj_strlist_clear(&m);
    long64[63] = '-';
    assert_int_equal(kj_dns1123_label_check(long64, &m), 2);
    assert_string_equal(m.items[1], LABEL_MSG);
    kj_strlist_clear(&m);
    free(long63);
    free(long64);
}

static void test_dns1123_subdomain(void **state)
{
    (void)state;
    static const char *const ok[] = {"example.com", "a", "a.b.c", "oneshot", "x-1.y-2"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        assert_int_equal(kj_dns1123_subdomain_check(ok[i], NULL), 0);
    static const char *const bad[] = {"Bad_Name", "", ".a", "a.", "a..b", "a.-b", "UPPER"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct kj_strlist m = {0};
        assert_int_equal(kj_dns1123_subdomain_check(bad[i], &m), 1);
        assert_string_equal(m.items[0], SUBDOMAIN_MSG);
        kj_strlist_clear(&m);
    }
    char *s = repeat('a', 254);
    struct kj_strlist m = {0};
    assert_int_equal(kj_dns1123_subdomain_check(s, &m), 1);
    assert_string_equal(m.items[0], "must be no more than 253 bytes");
    kj_strlist_clear(&m);
    s[253] = '\0';
    assert_int_equal(kj_dns1123_subdomain_check(s, NULL), 0);
    free(s);
}

static void test_qualified_name_and_label_value(void **state)
{
    (void)state;
    static const char *const ok[] = {"job-name", "batch.kubernetes.io/job-name", "MyName", "my.name",
                                     "a_b", "example.com/MyName"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        assert_int_equal(kj_qualified_name_check(ok[i], NULL), 0);
    struct kj_strlist m = {0};
    assert_int_equal(kj_qualified_name_check("/a", &m), 1);
    assert_string_equal(m.items[0], "prefix part must be non-empty");
    kj_strlist_clear(&m);
    assert_int_equal(kj_qualified_name_check("a/", &m), 2);
    assert_string_equal(m.items[0], "name part must be non-empty");
    assert_non_null(strstr(m.items[1], "name part must consist of alphanumeric characters"));
    kj_strlist_clear(&m);
    assert_int_equal(kj_qualified_name_check("Bad_Prefix/x", &m), 1);
    assert_string_equal(m.items[0], "prefix part " SUBDOMAIN_MSG);
    kj_strlist_clear(&m);
    assert_int_equal(kj_qualified_name_check("a/b/c", &m), 1);
    assert_string_equal(m.items[0],
        "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start "
        "and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
        "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS "
        "subdomain prefix and '/' (e.g. 'example.com/MyName')");
    kj_strlist_clear(&m);

    assert_int_equal(kj_label_value_check("", NULL), 0);
    assert_int_equal(kj_label_value_check("jobs", NULL), 0);
    assert_int_equal(kj_label_value_check("0b6c2a4e-1111-2222", NULL), 0);
    assert_int_equal(kj_label_value_check("a b", &m), 1);
    assert_non_null(strstr(m.items[0], "a valid label must be an empty string"));
    kj_strlist_clear(&m);
    char *s = repeat('v', 64);
    assert_int_equal(kj_label_value_check(s, &m), 1);
    assert_string_equal(m.items[0], "must be no more than 63 bytes");
    kj_strlist_clear(&m);
    free(s);
}

static void test_rfc3339(void **state)
{
    (void)state;
    char buf[KJ_RFC3339_BUFSZ];
    int64_t t = INT64_C(1777228542) * KJ_NSEC_PER_SEC + 123456789;
    assert_string_equal(kj_rfc3339_format(t, buf, sizeof buf), "2026-04-26T18:35:42Z");
    assert_string_equal(kj_rfc3339_format_micro(t, buf, sizeof buf), "2026-04-26T18:35:42.123456Z");
    assert_string_equal(kj_rfc3339_format(-1, buf, sizeof buf), "1969-12-31T23:59:59Z");
    static const struct {
        const char *in;
        int64_t ns;
    } ok[] = {
        {"2026-04-26T18:35:42Z", INT64_C(1777228542) * KJ_NSEC_PER_SEC},
        {"2026-04-26t18:35:42z", INT64_C(1777228542) * KJ_NSEC_PER_SEC},
        {"2026-04-26T20:35:42+02:00", INT64_C(1777228542) * KJ_NSEC_PER_SEC},
        {"2026-04-26T18:35:42.123456789Z", INT64_C(1777228542) * KJ_NSEC_PER_SEC + 123456789},
        {"2026-04-26T18:35:42.5Z", INT64_C(1777228542) * KJ_NSEC_PER_SEC + 500000000},
        {"1970-01-01T00:00:00Z", 0},
        {"2024-02-29T00:00:00Z", INT64_C(1709164800) * KJ_NSEC_PER_SEC},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t v;
        kj_error_t err = NULL;
        if (kj_rfc3339_parse(ok[i].in, &v, &err) < 0)
            fail_msg("%s: %s", ok[i].in, err->msg);
        assert_true(v == ok[i].ns);
    }
    static const char *const bad[] = {"", "2026-04-26", "2026-04-26T18:35:42", "2026-13-01T00:00:00Z",
                                      "2025-02-29T00:00:00Z", "2026-04-26T24:00:00Z", "2026-04-26T18:35:42Zjunk",
                                      "9999-01-01T00:00:00Z", "2026-04-26T18:35:42.Z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v;
        kj_error_t err = NULL;
        if (kj_rfc3339_parse(bad[i], &v, &err) == 0)
            fail_msg("%s parsed", bad[i]);
        assert_int_equal(kj_error_http_status(err), 400);
        assert_non_null(strstr(err->msg, "parsing time"));
        kj_error_release(&err);
    }
    int64_t v;
    kj_error_t err = NULL;
    assert_true(kj_rfc3339_parse("2026-04-26", &v, &err) < 0);
    assert_string_equal(err->msg, "parsing time \"2026-04-26\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"\" as \"T\"");
    kj_error_release(&err);
    assert_true(kj_time_now_ns() > INT64_C(1700000000) * KJ_NSEC_PER_SEC);
}

static void test_strlist_and_labels(void **state)
{
    (void)state;
    struct kj_strlist l = {0};
    for (int i = 0; i < 10; i++)
        kj_strlist_pushf(&l, "s%d", i);
    kj_strlist_push(&l, NULL);
    assert_int_equal(l.len, 11);
    assert_string_equal(l.items[10], "");
    assert_true(kj_strlist_contains(&l, "s9"));
    assert_false(kj_strlist_contains(&l, "s10"));
    struct kj_strlist c = {0};
    kj_strlist_push(&c, "old");
    kj_strlist_copy(&c, &l);
    char *j = kj_strlist_join(&c, ",");
    assert_string_equal(j, "s0,s1,s2,s3,s4,s5,s6,s7,s8,s9,");
    free(j);
    kj_strlist_clear(&l);
    kj_strlist_clear(&c);
    j = kj_strlist_join(&c, ",");
    assert_string_equal(j, "");
    free(j);

    struct kj_labels m = {0}, n = {0};
    kj_labels_set(&m, "z", "1");
    kj_labels_set(&m, "a", "2");
    kj_labels_set(&m, "m", "3");
    kj_labels_set(&m, "a", "4");
    assert_int_equal(m.len, 3);
    char *f = kj_labels_format(&m);
    assert_string_equal(f, "a=4,m=3,z=1");
    free(f);
    assert_string_equal(kj_labels_get(&m, "a"), "4");
    assert_null(kj_labels_get(&m, "b"));
    kj_labels_copy(&n, &m);
    assert_true(kj_labels_equal(&m, &n));
    assert_true(kj_labels_remove(&n, "m"));
    assert_false(kj_labels_remove(&n, "m"));
    assert_false(kj_labels_equal(&m, &n));
    assert_true(kj_labels_subset(&n, &m));
    assert_false(kj_labels_subset(&m, &n));
    kj_labels_clear(&m);
    kj_labels_clear(&n);
    assert_true(kj_labels_subset(&m, &n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dns1123_label),
        cmocka_unit_test(test_dns1123_subdomain),
        cmocka_unit_test(test_qualified_name_and_label_value),
        cmocka_unit_test(test_rfc3339),
        cmocka_unit_test(test_strlist_and_labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
