/* The error convention and the logging module. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/error.h"
#include "util/log.h"

static int fails_with_enoent(kj_error_t *err)
{
    return kj_make_error(err, ENOENT, "open `%s`", "/nope");
}

static void test_make_error_returns_negative_errno(void **state)
{
    (void)state;
    kj_error_t err = NULL;
    assert_int_equal(fails_with_enoent(&err), -ENOENT);
    assert_non_null(err);
    assert_string_equal(err->msg, "open `/nope`: No such file or directory");
    assert_int_equal(err->status, ENOENT);
    assert_int_equal(kj_error_http_status(err), 0);
    kj_error_release(&err);
    assert_null(err);
}

static void test_wrap_adds_context(void **state)
{
    (void)state;
    kj_error_t err = NULL;
    fails_with_enoent(&err);
    assert_int_equal(kj_error_wrap(&err, "load job `%s`", "a"), -1);
    assert_string_equal(err->msg, "load job `a`: open `/nope`: No such file or directory");
    kj_error_release(&err);
    assert_int_equal(kj_error_wrap(&err, "nothing"), -1);
    assert_null(err);
}

static void test_first_error_wins(void **state)
{
    (void)state;
    kj_error_t err = NULL;
    kj_make_http_error(&err, 404, "no such container `%s`", "x");
    kj_make_error(&err, EIO, "second");
    assert_string_equal(err->msg, "no such container `x`");
    assert_int_equal(kj_error_http_status(err), 404);
    kj_error_release(&err);
    kj_error_release(&err);
    kj_error_release(NULL);
}

static void test_null_err_is_allowed(void **state)
{
    (void)state;
    assert_int_equal(kj_make_error(NULL, 0, "ignored"), -1);
}

static void test_log_levels_and_json(void **state)
{
    (void)state;
    enum kj_log_level lvl;
    enum kj_log_format fmt;
    assert_int_equal(kj_log_level_parse("WARN", &lvl), 0);
    assert_int_equal(lvl, KJ_LOG_WARN);
    assert_int_equal(kj_log_level_parse("loud", &lvl), -1);
    assert_int_equal(kj_log_format_parse("json", &fmt), 0);
    assert_int_equal(kj_log_format_parse("xml", &fmt), -1);

    char buf[512] = {0};
    FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");
    assert_non_null(f);
    kj_log_setup(KJ_LOG_INFO, KJ_LOG_JSON, f);
    kj_log(KJ_LOG_DEBUG, "hidden %d", 1);
    kj_log(KJ_LOG_WARN, "pod `%s` \"quoted\"", "a");
    fflush(f);
    assert_null(strstr(buf, "hidden"));
    assert_non_null(strstr(buf, "\"level\":\"warn\""));
    assert_non_null(strstr(buf, "\"msg\":\"pod `a` \\\"quoted\\\"\""));
    kj_log_setup(KJ_LOG_INFO, KJ_LOG_TEXT, NULL);
    fclose(f);
}

static void test_steal_pointer(void **state)
{
    (void)state;
    cleanup_free char *s = strdup("x");
    char *t = steal_pointer(&s);
    assert_null(s);
    assert_string_equal(t, "x");
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_make_error_returns_negative_errno),
        cmocka_unit_test(test_wrap_adds_context),
        cmocka_unit_test(test_first_error_wins),
        cmocka_unit_test(test_null_err_is_allowed),
        cmocka_unit_test(test_log_levels_and_json),
        cmocka_unit_test(test_steal_pointer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
