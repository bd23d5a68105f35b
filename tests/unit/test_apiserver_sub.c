/* pkg/apiserver's kubectl layer without sockets: fieldValidation and
 * warnings, server-side apply, the status and scale subresources, no-op
 * updates; and secure.c (tokens, loopback test). Handlers run against a real
 * store in a temp dir (apiserver_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apiserver_fixture.h"
#include "apiserver/api_routes.h"
#include "apiserver/router.h"
#include "apiserver/secure.h"
#include "daemon/config.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/log.h"

/* Dispatch like the daemon: the sub routes before the built-in ones. */
static int setup(void **state)
{
    kj_apifx_setup(state);
    size_t n = 0;
    const struct kj_route *sub = kj_apiserver_sub_routes(&n);
    kj_apifx_add_routes(*state, sub, n);
    return 0;
}

#define JOBS "/apis/batch/v1/namespaces/default/jobs"

static const char *job_json(const char *extra_spec)
{
    static char buf[1024];
    snprintf(buf, sizeof buf,
             "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"metadata\":{\"name\":\"pi\"},\"spec\":{%s"
             "\"template\":{\"spec\":{\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"c\","
             "\"image\":\"kjob/busybox\"}]}}}}",
             extra_spec);
    return buf;
}

static const char *str_at(const cJSON *o, const char *a, const char *b)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, a), b));
}

static double num_at(const cJSON *o, const char *a, const char *b)
{
    return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, a), b));
}

static void test_field_validation(void **state)
{
    struct kj_apifx *fx = *state;
    cJSON *out = NULL;
    assert_int_equal(kj_apifx_call(fx, "POST", JOBS "?fieldValidation=Strict", "application/json", job_json("\"foo\":1,"), &out),
                     400);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(out, "message")),
                        "Job in version \"v1\" cannot be handled as a Job: strict decoding error: unknown field "
                        "\"spec.foo\"");
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "POST", JOBS "?fieldValidation=Bogus", "application/json", job_json(""), &out), 400);
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "POST", JOBS "?fieldValidation=Ignore", "application/json", job_json("\"foo\":1,"), &out),
                     201);
    assert_int_equal(fx->warnings.len, 0);
    cJSON_Delete(out);
    /* Warn (the default) on a patch: the patch's unknown field is reported. */
    assert_int_equal(kj_apifx_call(fx, "PATCH", JOBS "/pi", "application/merge-patch+json", "{\"spec\":{\"bar\":2}}", &out), 200);
    assert_int_equal(fx->warnings.len, 1);
    assert_string_equal(fx->warnings.items[0], "unknown field \"spec.bar\"");
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "PATCH", JOBS "/pi?fieldValidation=Strict", "application/strategic-merge-patch+json",
                                   "{\"spec\":{\"bar\":2}}", &out),
                     400);
    cJSON_Delete(out);
    /* Accepted but ignored on Docker: always a warning, even under Strict. */
    assert_int_equal(kj_apifx_call(fx, "PATCH", JOBS "/pi?fieldValidation=Strict", "application/merge-patch+json",
                                   "{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":{\"disk\":\"ssd\"}}}}}", &out),
                     422); /* the template is immutable */
    assert_int_equal(fx->warnings.len, 1);
    assert_string_equal(fx->warnings.items[0], "spec.template.spec.nodeSelector: accepted but ignored by kjob (no "
                                               "equivalent on a Docker engine)");
    cJSON_Delete(out);
}

static void test_server_side_apply(void **state)
{
    struct kj_apifx *fx = *state;
    cJSON *out = NULL;
    const char *yaml = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: pi\n  labels: {a: \"1\"}\nspec:\n"
                       "  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n"
                       "        image: kjob/busybox\n";
    assert_int_equal(kj_apifx_call(fx, "PATCH", JOBS "/pi?fieldManager=kubectl", "application/apply-patch+yaml", yaml, &out), 201);
    cJSON_Delete(out);
    const char *yaml2 = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: pi\n  labels: {a: \"2\"}\nspec:\n"
                        "  parallelism: 3\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n"
                        "      - name: c\n        image: kjob/busybox\n";
    assert_int_equal(kj_apifx_call(fx, "PATCH", JOBS "/pi?fieldManager=kubectl", "application/apply-patch+yaml", yaml2, &out), 200);
    assert_string_equal(str_at(cJSON_GetObjectItemCaseSensitive(out, "metadata"), "labels", "a"), "2");
    assert_int_equal((int)num_at(out, "spec", "parallelism"), 3);
    cJSON_Delete(out);
    /* The manifest's name must be the URL's. */
    assert_int_equal(kj_apifx_call(fx, "PATCH", JOBS "/other", "application/apply-patch+yaml", yaml, &out), 400);
    cJSON_Delete(out);
}

static void test_scale_and_status(void **state)
{
    struct kj_apifx *fx = *state;
    cJSON *out = NULL;
    assert_int_equal(kj_apifx_call(fx, "POST", JOBS, "application/json", job_json(""), &out), 201);
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "GET", JOBS "/pi/scale", NULL, NULL, &out), 200);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(out, "kind")), "Scale");
    assert_int_equal((int)num_at(out, "spec", "replicas"), 1);
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "PATCH", JOBS "/pi/scale", "application/merge-patch+json", "{\"spec\":{\"replicas\":4}}",
                                   &out),
                     200);
    assert_int_equal((int)num_at(out, "spec", "replicas"), 4);
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "GET", JOBS "/pi", NULL, NULL, &out), 200);
    assert_int_equal((int)num_at(out, "spec", "parallelism"), 4);
    const char *rv = str_at(out, "metadata", "resourceVersion");
    char rv_before[32];
    snprintf(rv_before, sizeof rv_before, "%s", rv);
    /* A no-op replace keeps the resourceVersion. */
    cleanup_free char *same = cJSON_PrintUnformatted(out);
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "PUT", JOBS "/pi", "application/json", same, &out), 200);
    assert_string_equal(str_at(out, "metadata", "resourceVersion"), rv_before);
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "PATCH", JOBS "/pi/scale", "application/merge-patch+json", "{\"spec\":{\"replicas\":-1}}",
                                   &out),
                     422);
    cJSON_Delete(out);

    assert_int_equal(kj_apifx_call(fx, "PATCH", JOBS "/pi/status", "application/merge-patch+json",
                                   "{\"status\":{\"succeeded\":-1}}", &out),
                     422);
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "PATCH", JOBS "/pi/status", "application/merge-patch+json",
                                   "{\"metadata\":{\"labels\":{\"s\":\"1\"}},\"spec\":{\"parallelism\":9}}", &out),
                     200);
    assert_string_equal(str_at(cJSON_GetObjectItemCaseSensitive(out, "metadata"), "labels", "s"), "1");
    /* The status subresource ignores spec changes. */
    assert_int_equal((int)num_at(out, "spec", "parallelism"), 4);
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "GET", JOBS "/pi/status", NULL, NULL, &out), 200);
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "GET", JOBS "/nope/scale", NULL, NULL, &out), 404);
    cJSON_Delete(out);
}

static void test_dry_run(void **state)
{
    struct kj_apifx *fx = *state;
    cJSON *out = NULL;
    assert_int_equal(kj_apifx_call(fx, "POST", JOBS "?dryRun=All", "application/json", job_json(""), &out), 201);
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "GET", JOBS "/pi", NULL, NULL, &out), 404);
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "POST", JOBS "?dryRun=Maybe", "application/json", job_json(""), &out), 400);
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "POST", JOBS, "application/json", job_json(""), &out), 201);
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "PATCH", JOBS "/pi?dryRun=All", "application/merge-patch+json",
                                   "{\"spec\":{\"parallelism\":5}}", &out),
                     200);
    assert_int_equal((int)num_at(out, "spec", "parallelism"), 5);
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "GET", JOBS "/pi", NULL, NULL, &out), 200);
    assert_int_equal((int)num_at(out, "spec", "parallelism"), 1);
    cJSON_Delete(out);
    /* kubectl delete --dry-run=server puts it in the DeleteOptions body. */
    assert_int_equal(kj_apifx_call(fx, "DELETE", JOBS "/pi", "application/json",
                                   "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"dryRun\":[\"All\"]}", &out),
                     200);
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "GET", JOBS "/pi", NULL, NULL, &out), 200);
    cJSON_Delete(out);
}

static void test_loopback(void **state)
{
    (void)state;
    assert_true(kj_host_is_loopback("127.0.0.1"));
    assert_true(kj_host_is_loopback("127.1.2.3"));
    assert_true(kj_host_is_loopback("::1"));
    assert_true(kj_host_is_loopback("localhost"));
    assert_false(kj_host_is_loopback("0.0.0.0"));
    assert_false(kj_host_is_loopback(""));
    assert_false(kj_host_is_loopback("10.0.0.1"));
    assert_false(kj_host_is_loopback("::"));
    assert_false(kj_host_is_loopback("example.com"));
    assert_false(kj_host_is_loopback(NULL));
}

static void test_tokens(void **state)
{
    (void)state;
    char path[] = "/tmp/kj-tokens.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "# kjobd tokens\n\n  alpha  \nbeta\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    struct kj_tokens t;
    kj_error_t err = NULL;
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(kj_tokens_load(path, &t, &err), -1);
    assert_non_null(strstr(err->msg, "readable by group or others"));
    kj_error_release(&err);
    assert_int_equal(chmod(path, 0600), 0);
    assert_int_equal(kj_tokens_load(path, &t, &err), 0);
    assert_int_equal(t.n, 2);
    assert_true(kj_tokens_check(&t, "Bearer alpha"));
    assert_true(kj_tokens_check(&t, "bearer beta"));
    assert_false(kj_tokens_check(&t, "Bearer alph"));
    assert_false(kj_tokens_check(&t, "Bearer alphaa"));
    assert_false(kj_tokens_check(&t, "Basic alpha"));
    assert_false(kj_tokens_check(&t, NULL));
    kj_tokens_clear(&t);
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "# none\n", 7), 7);
    close(fd);
    assert_int_equal(kj_tokens_load(path, &t, &err), -1);
    kj_error_release(&err);
    kj_tokens_clear(&t);
    unlink(path);
}

static void test_tls_ctx_errors(void **state)
{
    (void)state;
    kj_error_t err = NULL;
    assert_null(kj_tls_server_ctx("/nonexistent/cert.pem", "/nonexistent/key.pem", &err));
    assert_non_null(strstr(err->msg, "read TLS certificate `/nonexistent/cert.pem`"));
    kj_error_release(&err);
}

static const char *no_env(const char *name)
{
    (void)name;
    return NULL;
}

static int parse_flags(const char *const *argv, int argc, struct kj_daemon_config *cfg, kj_error_t *err)
{
    return kj_daemon_config_parse(cfg, argc, (char *const *)argv, no_env, stdout, err);
}

/* The listen policy: remote TCP needs TLS and tokens, or --insecure-listen. */
static void test_listen_policy(void **state)
{
    (void)state;
    struct kj_daemon_config cfg;
    kj_error_t err = NULL;
    const char *remote[] = {"kjobd", "--listen", "0.0.0.0:8001"};
    assert_int_equal(parse_flags(remote, 3, &cfg, &err), -1);
    assert_non_null(strstr(err->msg, "refusing to serve on `0.0.0.0:8001` without TLS"));
    kj_error_release(&err);
    const char *insecure[] = {"kjobd", "--listen", "0.0.0.0:8001", "--insecure-listen"};
    assert_int_equal(parse_flags(insecure, 4, &cfg, &err), KJ_DAEMON_CONFIG_RUN);
    assert_true(cfg.insecure_listen);
    kj_daemon_config_clear(&cfg);
    const char *tls_only[] = {"kjobd", "--listen", "10.1.2.3:8443", "--tls-cert", "c.pem", "--tls-key", "k.pem"};
    assert_int_equal(parse_flags(tls_only, 7, &cfg, &err), -1);
    kj_error_release(&err);
    const char *full[] = {"kjobd", "--listen", "10.1.2.3:8443", "--tls-cert", "c.pem", "--tls-key", "k.pem",
                          "--token-file", "t"};
    assert_int_equal(parse_flags(full, 9, &cfg, &err), KJ_DAEMON_CONFIG_RUN);
    assert_string_equal(cfg.tls_cert, "c.pem");
    assert_string_equal(cfg.token_file, "t");
    kj_daemon_config_clear(&cfg);
    const char *half[] = {"kjobd", "--tls-cert", "c.pem"};
    assert_int_equal(parse_flags(half, 3, &cfg, &err), -1);
    assert_non_null(strstr(err->msg, "go together"));
    kj_error_release(&err);
    const char *local[] = {"kjobd", "--listen", "127.0.0.1:8001", "--listen", "unix:/tmp/x.sock", "--listen", "[::1]:8002"};
    assert_int_equal(parse_flags(local, 7, &cfg, &err), KJ_DAEMON_CONFIG_RUN);
    kj_daemon_config_clear(&cfg);
}

int main(void)
{
    kj_log_setup(KJ_LOG_ERROR, KJ_LOG_TEXT, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_field_validation, setup, kj_apifx_teardown),
        cmocka_unit_test_setup_teardown(test_server_side_apply, setup, kj_apifx_teardown),
        cmocka_unit_test_setup_teardown(test_scale_and_status, setup, kj_apifx_teardown),
        cmocka_unit_test_setup_teardown(test_dry_run, setup, kj_apifx_teardown),
        cmocka_unit_test(test_loopback),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_tls_ctx_errors),
        cmocka_unit_test(test_listen_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
