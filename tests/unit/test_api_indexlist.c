/* Index lists "1,3-5,7" (reference §5.4): format, lenient parse, strict
 * check with upstream's messages, overlap check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "api/indexlist.h"

static char *fmt_of(const int32_t *idx, size_t n)
{
    struct kj_indexlist l;
    kj_indexlist_init(&l);
    kj_error_t err = NULL;
    for (size_t i = 0; i < n; i++)
        assert_int_equal(kj_indexlist_add(&l, idx[i], &err), 0);
    char *s = kj_indexlist_format(&l);
    kj_indexlist_free(&l);
    return s;
}

static void test_format(void **state)
{
    (void)state;
    static const struct {
        int32_t idx[10];
        size_t n;
        const char *want;
    } t[] = {
        {{0}, 0, ""},
        {{1, 3, 4, 5, 7}, 5, "1,3-5,7"},
        {{0, 1}, 2, "0,1"},
        {{0, 1, 2, 3}, 4, "0-3"},
        {{7, 5, 3, 4, 1}, 5, "1,3-5,7"}, /* any insertion order */
        {{2, 2, 2}, 3, "2"},
        {{9, 0, 8, 1}, 4, "0,1,8,9"},
        {{4, 6, 5}, 3, "4-6"}, /* a gap filled joins both sides */
        {{2147483646, 2147483645, 2147483644}, 3, "2147483644-2147483646"},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        char *s = fmt_of(t[i].idx, t[i].n);
        assert_string_equal(s, t[i].want);
        free(s);
    }
}

static void test_add_range_has_total(void **state)
{
    (void)state;
    struct kj_indexlist l;
    kj_indexlist_init(&l);
    kj_error_t err = NULL;
    assert_int_equal(kj_indexlist_add_range(&l, 10, 20, &err), 0);
    assert_int_equal(kj_indexlist_add_range(&l, 0, 2, &err), 0);
    assert_int_equal(kj_indexlist_add_range(&l, 3, 9, &err), 0); /* bridges both */
    assert_int_equal(l.len, 1);
    assert_int_equal(kj_indexlist_total(&l), 21);
    assert_true(kj_indexlist_has(&l, 0));
    assert_true(kj_indexlist_has(&l, 20));
    assert_false(kj_indexlist_has(&l, 21));
    assert_int_equal(kj_indexlist_add_range(&l, 30, 31, &err), 0);
    assert_int_equal(kj_indexlist_add_range(&l, 25, 40, &err), 0); /* swallows 30-31 */
    char *s = kj_indexlist_format(&l);
    assert_string_equal(s, "0-20,25-40");
    free(s);
    assert_false(kj_indexlist_has(&l, 22));
    assert_true(kj_indexlist_add_range(&l, 5, 4, &err) < 0);
    assert_non_null(err);
    kj_error_release(&err);
    assert_true(kj_indexlist_add(&l, -1, &err) < 0);
    kj_error_release(&err);
    kj_indexlist_clear(&l);
    assert_int_equal(kj_indexlist_total(&l), 0);
    kj_indexlist_free(&l);
    kj_indexlist_free(&l);
}

static void test_parse_lenient(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int32_t completions;
        const char *want;
    } t[] = {
        {NULL, 5, ""},
        {"", 5, ""},
        {"1,3-5,7", 10, "1,3-5,7"},
        {"0,1", 10, "0,1"},
        {"0-3", 10, "0-3"},
        {"1,3-5,7", 6, "1,3-5"},   /* out of range dropped, range clipped */
        {"3-9", 5, "3,4"},
        {"x,2,1-2-3,,4", 10, "2,4"}, /* malformed fragments skipped */
        {"5,1", 10, "1,5"},          /* any order */
        {"+3", 10, "3"},             /* Go's Atoi accepts a sign */
        {"-3", 10, ""},
        {"2-1", 10, ""},
        {"99999999999999999999", 10, ""},
        {"0-1,2-3", 10, "0-3"},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct kj_indexlist l;
        kj_indexlist_init(&l);
        kj_error_t err = NULL;
        assert_int_equal(kj_indexlist_parse(&l, t[i].in, t[i].completions, &err), 0);
        char *s = kj_indexlist_format(&l);
        if (strcmp(s, t[i].want) != 0)
            fail_msg("parse `%s`/%d: want `%s`, got `%s`", t[i].in ? t[i].in : "(null)",
                     (int)t[i].completions, t[i].want, s);
        free(s);
        kj_indexlist_free(&l);
    }
}

static void test_check(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int32_t completions;
        int32_t total;
        const char *err;
    } t[] = {
        {"", 5, 0, NULL},
        {NULL, 5, 0, NULL},
        {"0", 5, 1, NULL},
        {"1,3-4", 5, 3, NULL},
        {"0,1,2,3,4", 5, 5, NULL},
        {"+1", 5, 1, NULL},
        {"7", 5, 0, "too large index: \"7\""},
        {"0-7", 5, 0, "too large index: \"7\""},
        {"3,2", 5, 0, "non-increasing order, previous: 3, current: 2"},
        {"3,3", 5, 0, "non-increasing order, previous: 3, current: 3"},
        {"1-3,3", 5, 0, "non-increasing order, previous: 3, current: 3"},
        {"3-1", 5, 0, "non-increasing order, previous: 3, current: 1"},
        {"2-2", 5, 0, "non-increasing order, previous: 2, current: 2"},
        {"x", 5, 0, "cannot convert string to integer for index: \"x\""},
        {"1-x", 5, 0, "cannot convert string to integer for index: \"x\""},
        {"1,", 5, 0, "cannot convert string to integer for index: \"\""},
        {",1", 5, 0, "cannot convert string to integer for index: \"\""},
        {"-1", 5, 0, "cannot convert string to integer for index: \"\""},
        {" 1", 5, 0, "cannot convert string to integer for index: \" 1\""},
        {"1-2-3", 5, 0,
         "the fragment \"1-2-3\" violates the requirement that an index interval can have at "
         "most two parts separated by '-'"},
        {"99999999999999999999", 5, 0,
         "cannot convert string to integer for index: \"99999999999999999999\""},
        {"0", 0, 0, "too large index: \"0\""},
        {"\xff", 5, 0, "cannot convert string to integer for index: \"\\xff\""},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        kj_error_t err = NULL;
        int32_t total = -1;
        int r = kj_indexlist_check(t[i].in, t[i].completions, &total, &err);
        if (t[i].err == NULL) {
            if (r != 0)
                fail_msg("check `%s`: unexpected error %s", t[i].in, err->msg);
            assert_int_equal(total, t[i].total);
        } else {
            if (r == 0)
                fail_msg("check `%s`: want error `%s`", t[i].in, t[i].err);
            assert_string_equal(err->msg, t[i].err);
            kj_error_release(&err);
        }
    }
}

static void test_overlap(void **state)
{
    (void)state;
    static const struct {
        const char *completed, *failed;
        const char *err;
    } t[] = {
        {"", "1", NULL},
        {"0-1", "", NULL},
        {NULL, "1", NULL},
        {"0,2", "1,3", NULL},
        {"0-1", "1", "failedIndexes and completedIndexes overlap at index: 1"},
        {"0,5-8", "2,6", "failedIndexes and completedIndexes overlap at index: 6"},
        {"3-6", "0-4", "failedIndexes and completedIndexes overlap at index: 3"},
        {"x,4", "4", "failedIndexes and completedIndexes overlap at index: 4"}, /* bad part skipped */
        {"1", "x", NULL},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        kj_error_t err = NULL;
        int r = kj_indexlist_check_overlap(t[i].completed, t[i].failed, 10, &err);
        if (t[i].err == NULL) {
            assert_int_equal(r, 0);
        } else {
            assert_true(r < 0);
            assert_string_equal(err->msg, t[i].err);
            kj_error_release(&err);
        }
    }
}

/* Format then lenient parse gives the same set, for a pseudo-random set. */
static void test_round_trip(void **state)
{
    (void)state;
    struct kj_indexlist a, b;
    kj_indexlist_init(&a);
    kj_indexlist_init(&b);
    kj_error_t err = NULL;
    uint32_t x = 12345;
    for (int i = 0; i < 500; i++) {
        x = x * 1103515245u + 12345u;
        assert_int_equal(kj_indexlist_add(&a, (int32_t)((x >> 8) % 1000), &err), 0);
    }
    char *s = kj_indexlist_format(&a);
    int32_t total = 0;
    assert_int_equal(kj_indexlist_check(s, 1000, &total, &err), 0);
    assert_int_equal(total, kj_indexlist_total(&a));
    assert_int_equal(kj_indexlist_parse(&b, s, 1000, &err), 0);
    char *s2 = kj_indexlist_format(&b);
    assert_string_equal(s, s2);
    free(s);
    free(s2);
    kj_indexlist_free(&a);
    kj_indexlist_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),        cmocka_unit_test(test_add_range_has_total),
        cmocka_unit_test(test_parse_lenient), cmocka_unit_test(test_check),
        cmocka_unit_test(test_overlap),       cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
