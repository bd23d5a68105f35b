/* kuard's pure parts: memq broker and its JSON, humanize text, flags,
 * SSH fingerprints, routing, probes and the /keygen config body.
 *
 * Fixture tests/fixtures/kuard/rsa2048.pem was made once with
 * `openssl genrsa -out rsa2048.pem 2048`; rsa2048.fingerprint holds what
 * `ssh-keygen -lf` prints for it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kuard/fingerprint.h"
#include "kuard/flags.h"
#include "kuard/humanize.h"
#include "kuard/keygen.h"
#include "kuard/memq.h"
#include "kuard/probe.h"
#include "kuard/router.h"
#include "util/cleanup.h"

#define ID_A "0123456789abcdef0123456789abcdef"
#define ID_B "fedcba9876543210fedcba9876543210"

static const struct timespec T0 = {1731076216, 123456789}; /* 2024-11-08T14:30:16.123456789Z */

static int setup_utc(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    return 0;
}

/* ---- memq broker ---- */

static void test_memq_create_twice_is_400(void **state)
{
    (void)state;
    struct kj_kuard_memq_broker *b = kj_kuard_memq_broker_new();
    kj_error_t err = NULL;
    assert_int_equal(kj_kuard_memq_create(b, "keygen", &err), 0);
    assert_true(kj_kuard_memq_create(b, "keygen", &err) < 0);
    assert_int_equal(kj_error_http_status(err), 400);
    assert_string_equal(err->msg, "already exists");
    kj_error_release(&err);
    /* Names are case-sensitive. */
    assert_int_equal(kj_kuard_memq_create(b, "KeyGen", &err), 0);
    assert_int_equal(kj_kuard_memq_queue_count(b), 2);
    kj_kuard_memq_broker_free(b);
}

static void test_memq_missing_queue_errors(void **state)
{
    (void)state;
    struct kj_kuard_memq_broker *b = kj_kuard_memq_broker_new();
    kj_error_t err = NULL;
    struct kj_kuard_memq_message *m = NULL;
    assert_true(kj_kuard_memq_enqueue(b, "q", "x", 1, ID_A, T0, NULL, &err) < 0);
    assert_int_equal(kj_error_http_status(err), 400);
    assert_string_equal(err->msg, "does not exist");
    kj_error_release(&err);
    assert_true(kj_kuard_memq_dequeue(b, "q", &m, &err) < 0);
    assert_null(m);
    assert_string_equal(err->msg, "does not exist");
    kj_error_release(&err);
    assert_true(kj_kuard_memq_drain(b, "q", &err) < 0);
    assert_string_equal(err->msg, "does not exist");
    kj_error_release(&err);
    assert_true(kj_kuard_memq_delete(b, "q", &err) < 0);
    assert_int_equal(kj_error_http_status(err), 400);
    assert_string_equal(err->msg, "does not exist");
    kj_error_release(&err);
    kj_kuard_memq_broker_free(b);
}

static void test_memq_fifo_and_counters(void **state)
{
    (void)state;
    struct kj_kuard_memq_broker *b = kj_kuard_memq_broker_new();
    kj_error_t err = NULL;
    assert_int_equal(kj_kuard_memq_create(b, "q", &err), 0);
    char body[32];
    for (int i = 0; i < 5; i++) {
        const struct kj_kuard_memq_message *stored = NULL;
        snprintf(body, sizeof(body), "item-%d", i);
        assert_int_equal(kj_kuard_memq_enqueue(b, "q", body, strlen(body), ID_A, T0, &stored, &err), 0);
        assert_string_equal(stored->body, body);
    }
    struct kj_kuard_memq_queue_stats st;
    assert_int_equal(kj_kuard_memq_stats_get(b, "q", &st), 0);
    assert_int_equal(st.depth, 5);
    assert_int_equal(st.enqueued, 5);
    for (int i = 0; i < 3; i++) {
        struct kj_kuard_memq_message *m = NULL;
        assert_int_equal(kj_kuard_memq_dequeue(b, "q", &m, &err), 0);
        snprintf(body, sizeof(body), "item-%d", i);
        assert_string_equal(m->body, body);
        assert_int_equal(m->body_len, strlen(body));
        kj_kuard_memq_message_free(m);
    }
    assert_int_equal(kj_kuard_memq_stats_get(b, "q", &st), 0);
    assert_int_equal(st.depth, 2);
    assert_int_equal(st.dequeued, 3);
    assert_int_equal(st.drained, 0);

    assert_int_equal(kj_kuard_memq_drain(b, "q", &err), 0);
    assert_int_equal(kj_kuard_memq_stats_get(b, "q", &st), 0);
    assert_int_equal(st.depth, 0);
    assert_int_equal(st.drained, 2);
    assert_int_equal(st.enqueued, 5);

    struct kj_kuard_memq_message *m = (void *)1;
    assert_int_equal(kj_kuard_memq_dequeue(b, "q", &m, &err), 1);
    assert_null(m);
    assert_int_equal(kj_kuard_memq_stats_get(b, "q", &st), 0);
    assert_int_equal(st.dequeued, 3);

    /* Enqueue after drain still works and the FIFO restarts cleanly. */
    assert_int_equal(kj_kuard_memq_enqueue(b, "q", "z", 1, ID_B, T0, NULL, &err), 0);
    assert_int_equal(kj_kuard_memq_dequeue(b, "q", &m, &err), 0);
    assert_string_equal(m->id, ID_B);
    kj_kuard_memq_message_free(m);
    kj_kuard_memq_broker_free(b);
}

static void test_memq_delete_resets_counters(void **state)
{
    (void)state;
    struct kj_kuard_memq_broker *b = kj_kuard_memq_broker_new();
    kj_error_t err = NULL;
    assert_int_equal(kj_kuard_memq_create(b, "q", &err), 0);
    assert_int_equal(kj_kuard_memq_enqueue(b, "q", "a", 1, ID_A, T0, NULL, &err), 0);
    assert_int_equal(kj_kuard_memq_enqueue(b, "q", "b", 1, ID_A, T0, NULL, &err), 0);
    assert_int_equal(kj_kuard_memq_delete(b, "q", &err), 0);
    struct kj_kuard_memq_queue_stats st;
    assert_int_equal(kj_kuard_memq_stats_get(b, "q", &st), -1);
    assert_int_equal(kj_kuard_memq_create(b, "q", &err), 0);
    assert_int_equal(kj_kuard_memq_stats_get(b, "q", &st), 0);
    assert_int_equal(st.depth + st.enqueued + st.dequeued + st.drained, 0);
    kj_kuard_memq_broker_free(b);
}

static void test_memq_stats_json(void **state)
{
    (void)state;
    struct kj_kuard_memq_broker *b = kj_kuard_memq_broker_new();
    kj_error_t err = NULL;
    cleanup_free char *empty = kj_kuard_memq_stats_json(b);
    assert_string_equal(empty, "{\"kind\":\"stats\",\"queues\":[]}");
    assert_int_equal(kj_kuard_memq_create(b, "keygen", &err), 0);
    assert_int_equal(kj_kuard_memq_create(b, "a<b", &err), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(kj_kuard_memq_enqueue(b, "keygen", "x", 1, ID_A, T0, NULL, &err), 0);
    struct kj_kuard_memq_message *m = NULL;
    assert_int_equal(kj_kuard_memq_dequeue(b, "keygen", &m, &err), 0);
    kj_kuard_memq_message_free(m);
    cleanup_free char *json = kj_kuard_memq_stats_json(b);
    assert_string_equal(json, "{\"kind\":\"stats\",\"queues\":["
                              "{\"name\":\"keygen\",\"depth\":2,\"enqueued\":3,\"dequeued\":1,\"drained\":0},"
                              "{\"name\":\"a\\u003cb\",\"depth\":0,\"enqueued\":0,\"dequeued\":0,\"drained\":0}]}");
    kj_kuard_memq_broker_free(b);
}

static void test_memq_message_json(void **state)
{
    (void)state;
    static const char body[] = "work-item-0 <&> \"q\" \\ \n\t\x01 \xff é \xe2\x80\xa8";
    struct kj_kuard_memq_message m = {.id = ID_A, .body = (char *)body, .body_len = sizeof(body) - 1,
                                      .created = T0};
    cleanup_free char *json = kj_kuard_memq_message_json(&m);
    assert_string_equal(json, "{\"kind\":\"message\",\"id\":\"" ID_A "\",\"body\":"
                              "\"work-item-0 \\u003c\\u0026\\u003e \\\"q\\\" \\\\ \\n\\t\\u0001 \\ufffd é \\u2028\","
                              "\"creationTimestamp\":\"2024-11-08T14:30:16.123456789Z\"}");
    /* A NUL inside the body survives. */
    cleanup_free char *nul = kj_kuard_go_json_string("a\0b", 3);
    assert_string_equal(nul, "\"a\\u0000b\"");
    /* Overlong and surrogate encodings are invalid UTF-8 for Go. */
    cleanup_free char *bad = kj_kuard_go_json_string("\xc0\xaf\xed\xa0\x80", 5);
    assert_string_equal(bad, "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"");
}

static void test_rfc3339nano(void **state)
{
    (void)state;
    char buf[48];
    kj_kuard_rfc3339nano((struct timespec){1731076216, 500000000}, buf, sizeof(buf));
    assert_string_equal(buf, "2024-11-08T14:30:16.5Z");
    kj_kuard_rfc3339nano((struct timespec){1731076216, 0}, buf, sizeof(buf));
    assert_string_equal(buf, "2024-11-08T14:30:16Z");
    kj_kuard_rfc3339nano((struct timespec){1731076216, 120}, buf, sizeof(buf));
    assert_string_equal(buf, "2024-11-08T14:30:16.00000012Z");
}

static void test_memq_new_id(void **state)
{
    (void)state;
    char a[KJ_KUARD_MEMQ_ID_SIZE], b[KJ_KUARD_MEMQ_ID_SIZE];
    assert_int_equal(kj_kuard_memq_new_id(a, NULL), 0);
    assert_int_equal(kj_kuard_memq_new_id(b, NULL), 0);
    assert_int_equal(strlen(a), 32);
    assert_int_equal(strspn(a, "0123456789abcdef"), 32);
    assert_string_not_equal(a, b);
}

static void test_memq_message_decode(void **state)
{
    (void)state;
    struct kj_kuard_memq_decoded d;
    kj_error_t err = NULL;
    static const char ok[] = "{\"kind\":\"message\",\"id\":\"" ID_A "\",\"body\":\"w\","
                             "\"creationTimestamp\":\"2024-11-08T14:30:16Z\"}\n";
    assert_int_equal(kj_kuard_memq_message_decode(ok, sizeof(ok) - 1, &d, &err), 0);
    assert_string_equal(d.id, ID_A);
    assert_string_equal(d.body, "w");
    kj_kuard_memq_decoded_free(&d);

    assert_true(kj_kuard_memq_message_decode("", 0, &d, &err) < 0);
    assert_string_equal(err->msg, "EOF");
    kj_error_release(&err);
    assert_true(kj_kuard_memq_message_decode("{oops", 5, &d, &err) < 0);
    kj_error_release(&err);
    assert_true(kj_kuard_memq_message_decode("{\"body\":5}", 10, &d, &err) < 0);
    kj_error_release(&err);
    assert_true(kj_kuard_memq_message_decode("[]", 2, &d, &err) < 0);
    kj_error_release(&err);
}

/* ---- humanize ---- */

static void test_reltime(void **state)
{
    (void)state;
    static const struct {
        double secs;
        const char *want;
    } cases[] = {
        {0.5, "now"},
        {-0.9, "now"},
        {1, "1 second left"},
        {1.9, "1 second left"},
        {2, "2 seconds left"},
        {25.7, "25 seconds left"},
        {59.9, "59 seconds left"},
        {60, "1 minute left"},
        {119, "1 minute left"},
        {120, "2 minutes left"},
        {3599, "59 minutes left"},
        {3600, "1 hour left"},
        {7200, "2 hours left"},
        {86399, "23 hours left"},
        {86400, "1 day left"},
        {-3.2, "3 seconds overdue"},
        {-90, "1 minute overdue"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[64];
        kj_kuard_reltime((int64_t)(cases[i].secs * 1e9), "left", "overdue", buf, sizeof(buf));
        assert_string_equal(buf, cases[i].want);
    }
}

/* ---- flags ---- */

static int parse(struct kj_kuard_flags *f, kj_error_t *err, ...)
{
    char *argv[32] = {"kuard"};
    int argc = 1;
    va_list ap;
    va_start(ap, err);
    for (char *a; (a = va_arg(ap, char *)) != NULL;)
        argv[argc++] = a;
    va_end(ap);
    kj_kuard_flags_init(f);
    return kj_kuard_flags_parse(f, argc, argv, err);
}

static void test_flags_defaults(void **state)
{
    (void)state;
    struct kj_kuard_flags f;
    assert_int_equal(parse(&f, NULL, NULL), 0);
    assert_string_equal(f.address, ":8080");
    assert_string_equal(f.tls_address, ":8443");
    assert_string_equal(f.tls_dir, "/tls");
    assert_false(f.keygen.enable);
    assert_int_equal(f.keygen.num_to_gen, 0);
    assert_string_equal(f.keygen.memq_server, "");
    kj_kuard_flags_free(&f);
}

static void test_flags_all_syntaxes(void **state)
{
    (void)state;
    struct kj_kuard_flags f;
    assert_int_equal(parse(&f, NULL, "--keygen-enable", "positional", "--keygen-exit-on-complete=true",
                           "--keygen-num-to-gen", "0x10", "--keygen-time-to-run=010", "--keygen-exit-code=-3",
                           "--keygen-memq-server", "http://q:8080/memq/server", "--keygen-memq-queue=a=b",
                           "--address", "--weird", "--liveness-fail-next=+2", "--readiness-fail-next=-1",
                           "--debug=F", "--tls-dir=", "-", "--", "--keygen-num-to-gen=bad", NULL),
                     0);
    assert_true(f.keygen.enable);
    assert_true(f.keygen.exit_on_complete);
    assert_int_equal(f.keygen.num_to_gen, 16);
    assert_int_equal(f.keygen.time_to_run, 8);
    assert_int_equal(f.keygen.exit_code, -3);
    assert_string_equal(f.keygen.memq_server, "http://q:8080/memq/server");
    assert_string_equal(f.keygen.memq_queue, "a=b");
    assert_string_equal(f.address, "--weird"); /* pflag takes the next word, whatever it is */
    assert_int_equal(f.liveness_fail_next, 2);
    assert_int_equal(f.readiness_fail_next, -1);
    assert_false(f.debug);
    assert_string_equal(f.tls_dir, "");
    kj_kuard_flags_free(&f);
}

static void test_flags_bool_does_not_take_next_word(void **state)
{
    (void)state;
    struct kj_kuard_flags f;
    assert_int_equal(parse(&f, NULL, "--keygen-enable", "false", NULL), 0);
    assert_true(f.keygen.enable);
    kj_kuard_flags_free(&f);
    assert_int_equal(parse(&f, NULL, "--keygen-enable", "--keygen-enable=0", NULL), 0);
    assert_false(f.keygen.enable);
    kj_kuard_flags_free(&f);
}

static void expect_error(const char *msg, ...)
{
    char *argv[8] = {"kuard"};
    int argc = 1;
    va_list ap;
    va_start(ap, msg);
    for (char *a; (a = va_arg(ap, char *)) != NULL;)
        argv[argc++] = a;
    va_end(ap);
    struct kj_kuard_flags f;
    kj_kuard_flags_init(&f);
    kj_error_t err = NULL;
    assert_true(kj_kuard_flags_parse(&f, argc, argv, &err) < 0);
    assert_non_null(err);
    assert_string_equal(err->msg, msg);
    kj_error_release(&err);
    kj_kuard_flags_free(&f);
}

static void test_flags_errors(void **state)
{
    (void)state;
    expect_error("unknown flag: --nope", "--nope", NULL);
    expect_error("unknown flag: --nope", "--nope=1", NULL);
    expect_error("unknown shorthand flag: 'k' in -keygen-enable", "-keygen-enable", NULL);
    expect_error("flag needs an argument: --address", "--address", NULL);
    expect_error("bad flag syntax: ---x", "---x", NULL);
    expect_error("bad flag syntax: --=x", "--=x", NULL);
    expect_error("invalid argument \"yes\" for \"--keygen-enable\" flag: strconv.ParseBool: parsing "
                 "\"yes\": invalid syntax",
                 "--keygen-enable=yes", NULL);
    expect_error("invalid argument \"abc\" for \"--keygen-num-to-gen\" flag: strconv.ParseInt: parsing "
                 "\"abc\": invalid syntax",
                 "--keygen-num-to-gen", "abc", NULL);
    expect_error("invalid argument \"08\" for \"--keygen-exit-code\" flag: strconv.ParseInt: parsing "
                 "\"08\": invalid syntax",
                 "--keygen-exit-code=08", NULL);
    expect_error("invalid argument \"99999999999999999999\" for \"--keygen-time-to-run\" flag: "
                 "strconv.ParseInt: parsing \"99999999999999999999\": value out of range",
                 "--keygen-time-to-run=99999999999999999999", NULL);
}

static void test_flags_help(void **state)
{
    (void)state;
    struct kj_kuard_flags f;
    assert_int_equal(parse(&f, NULL, "--help", NULL), KJ_KUARD_FLAGS_HELP);
    kj_kuard_flags_free(&f);
    assert_int_equal(parse(&f, NULL, "pos", "-h", NULL), KJ_KUARD_FLAGS_HELP);
    kj_kuard_flags_free(&f);
    cleanup_free char *usage = kj_kuard_flags_usage("/kuard");
    assert_non_null(strstr(usage, "Usage of /kuard:\n"));
    assert_non_null(strstr(usage, "      --address string"));
    assert_non_null(strstr(usage, "The address to serve on (default \":8080\")\n"));
    assert_non_null(strstr(usage, "      --keygen-enable "));
    assert_non_null(strstr(usage, "      --keygen-num-to-gen int "));
}

static void test_parse_int(void **state)
{
    (void)state;
    long long v;
    assert_int_equal(kj_kuard_parse_int("9223372036854775807", &v), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(kj_kuard_parse_int("-9223372036854775808", &v), 0);
    assert_true(v == INT64_MIN);
    assert_int_equal(kj_kuard_parse_int("9223372036854775808", &v), -2);
    assert_int_equal(kj_kuard_parse_int("-0x1F", &v), 0);
    assert_int_equal(v, -31);
    assert_int_equal(kj_kuard_parse_int("0", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(kj_kuard_parse_int("0x", &v), -1);
    assert_int_equal(kj_kuard_parse_int("", &v), -1);
    assert_int_equal(kj_kuard_parse_int(" 1", &v), -1);
    assert_int_equal(kj_kuard_parse_int("1_000", &v), -1);
    assert_int_equal(kj_kuard_parse_int("+", &v), -1);
    bool b;
    assert_int_equal(kj_kuard_parse_bool("True", &b), 0);
    assert_true(b);
    assert_int_equal(kj_kuard_parse_bool("tRUE", &b), -1);
}

static void test_flags_config_json(void **state)
{
    (void)state;
    struct kj_kuard_flags f;
    assert_int_equal(parse(&f, NULL, "--keygen-enable", "--keygen-num-to-gen=10", NULL), 0);
    cleanup_free char *json = kj_kuard_flags_config_json(&f);
    assert_string_equal(json, "{\n"
                              "  \"address\": \":8080\",\n"
                              "  \"debug\": false,\n"
                              "  \"debug-sitedata-dir\": \"./sitedata\",\n"
                              "  \"keygen\": {\n"
                              "    \"enable\": true,\n"
                              "    \"exit-code\": 0,\n"
                              "    \"exit-on-complete\": false,\n"
                              "    \"memq-queue\": \"\",\n"
                              "    \"memq-server\": \"\",\n"
                              "    \"num-to-gen\": 10,\n"
                              "    \"time-to-run\": 0\n"
                              "  },\n"
                              "  \"liveness\": {\n"
                              "    \"fail-next\": 0\n"
                              "  },\n"
                              "  \"readiness\": {\n"
                              "    \"fail-next\": 0\n"
                              "  },\n"
                              "  \"tls-address\": \":8443\",\n"
                              "  \"tls-dir\": \"/tls\"\n"
                              "}");
    kj_kuard_flags_free(&f);
}

/* ---- fingerprint ---- */

static char *fixture_path(const char *name)
{
    const char *root = getenv("KJ_FIXTURES");
    char *p = NULL;
    assert_true(asprintf(&p, "%s/kuard/%s", root != NULL ? root : "tests/fixtures", name) > 0);
    return p;
}

static void test_fingerprint_known_answer(void **state)
{
    (void)state;
    cleanup_free char *pem = fixture_path("rsa2048.pem");
    cleanup_free char *fpf = fixture_path("rsa2048.fingerprint");
    FILE *f = fopen(pem, "r");
    assert_non_null(f);
    EVP_PKEY *pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    assert_non_null(pkey);
    char want[128] = "";
    f = fopen(fpf, "r");
    assert_non_null(f);
    assert_non_null(fgets(want, sizeof(want), f));
    fclose(f);
    want[strcspn(want, "\n")] = '\0';

    char got[KJ_KUARD_FP_SIZE];
    assert_int_equal(kj_kuard_ssh_fingerprint(pkey, got, sizeof(got), NULL), 0);
    assert_string_equal(got, want);
    kj_error_t err = NULL;
    assert_true(kj_kuard_ssh_fingerprint(pkey, got, 10, &err) < 0);
    kj_error_release(&err);
    EVP_PKEY_free(pkey);
}

static void test_keygen_one_small_key(void **state)
{
    (void)state;
    char a[KJ_KUARD_FP_SIZE], b[KJ_KUARD_FP_SIZE];
    assert_int_equal(kj_kuard_keygen_one(1024, a, sizeof(a), NULL), 0);
    assert_int_equal(kj_kuard_keygen_one(1024, b, sizeof(b), NULL), 0);
    assert_int_equal(strlen(a), 50);
    assert_memory_equal(a, "SHA256:", 7);
    assert_string_not_equal(a, b);
}

/* ---- router ---- */

static void test_router(void **state)
{
    (void)state;
    struct kj_kuard_route_match m;
    assert_int_equal(kj_kuard_route_lookup("/healthy", &m), 0);
    assert_int_equal(m.route, KJ_KUARD_R_HEALTHY);
    assert_int_equal(kj_kuard_route_lookup("/c/ready/api", &m), 0);
    assert_int_equal(m.route, KJ_KUARD_R_READY_API);
    assert_int_equal(m.methods, KJ_KUARD_M_GET | KJ_KUARD_M_PUT);
    assert_int_equal(kj_kuard_route_lookup("/a/memq/server/queues/kg/dequeue", &m), 0);
    assert_int_equal(m.route, KJ_KUARD_R_MEMQ_DEQUEUE);
    assert_string_equal(m.queue, "kg");
    free(m.queue);
    assert_int_equal(kj_kuard_route_lookup("/memq/server/queues/a b", &m), 0);
    assert_int_equal(m.route, KJ_KUARD_R_MEMQ_QUEUE);
    assert_string_equal(m.queue, "a b");
    free(m.queue);
    assert_int_equal(kj_kuard_route_lookup("/memq/server/queues/", &m), -1);
    assert_int_equal(kj_kuard_route_lookup("/memq/server/queues/q/peek", &m), -1);
    assert_int_equal(kj_kuard_route_lookup("/d/healthy", &m), -1);
    assert_int_equal(kj_kuard_route_lookup("/a/a/healthy", &m), -1);
    assert_int_equal(kj_kuard_route_lookup("/Healthy", &m), -1);
    assert_int_equal(kj_kuard_route_lookup("/memq/server/stats/", &m), -1);

    cleanup_free char *f1 = kj_kuard_route_fixed_path("/memq/server/stats/");
    assert_string_equal(f1, "/memq/server/stats");
    cleanup_free char *f2 = kj_kuard_route_fixed_path("/memq/server//queues/./q/../q/dequeue");
    assert_string_equal(f2, "/memq/server/queues/q/dequeue");
    assert_null(kj_kuard_route_fixed_path("/healthy"));

    char allow[64];
    kj_kuard_route_allow(KJ_KUARD_M_POST, KJ_KUARD_M_GET, allow, sizeof(allow));
    assert_string_equal(allow, "POST, OPTIONS");
    kj_kuard_route_allow(KJ_KUARD_M_PUT | KJ_KUARD_M_DELETE, KJ_KUARD_M_PUT, allow, sizeof(allow));
    assert_string_equal(allow, "DELETE, OPTIONS");
}

/* ---- probes ---- */

static void test_probe(void **state)
{
    (void)state;
    struct kj_kuard_probe p;
    kj_kuard_probe_init(&p, 2);
    char msg[64];
    struct timespec t = T0;
    assert_int_equal(kj_kuard_probe_call(&p, t, msg, sizeof(msg)), 500);
    assert_string_equal(msg, "fail, 1 left");
    assert_int_equal(kj_kuard_probe_call(&p, t, msg, sizeof(msg)), 500);
    assert_string_equal(msg, "fail, 0 left");
    t.tv_sec += 3;
    assert_int_equal(kj_kuard_probe_call(&p, t, msg, sizeof(msg)), 200);
    assert_string_equal(msg, "ok");
    t.tv_sec += 5;
    cJSON *j = kj_kuard_probe_status_json(&p, t);
    cleanup_free char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    assert_string_equal(s, "{\"probePath\":\"\",\"failNext\":0,\"history\":["
                           "{\"id\":3,\"when\":\"Nov  8 14:30:19\",\"relWhen\":\"5 seconds ago\",\"code\":200},"
                           "{\"id\":2,\"when\":\"Nov  8 14:30:16\",\"relWhen\":\"8 seconds ago\",\"code\":500},"
                           "{\"id\":1,\"when\":\"Nov  8 14:30:16\",\"relWhen\":\"8 seconds ago\",\"code\":500}]}");
    kj_error_t err = NULL;
    assert_int_equal(kj_kuard_probe_put(&p, "{\"failNext\":-1}", 15, &err), 0);
    assert_int_equal(kj_kuard_probe_call(&p, t, msg, sizeof(msg)), 500);
    assert_string_equal(msg, "fail, permanent");
    assert_int_equal(p.fail_next, -1);
    assert_true(kj_kuard_probe_put(&p, "nope", 4, &err) < 0);
    assert_int_equal(kj_error_http_status(err), 400);
    kj_error_release(&err);
    assert_int_equal(kj_kuard_probe_put(&p, "{}", 2, &err), 0);
    assert_int_equal(p.fail_next, 0);
    for (int i = 0; i < 30; i++)
        kj_kuard_probe_call(&p, t, msg, sizeof(msg));
    assert_int_equal(p.len, KJ_KUARD_PROBE_HISTORY);
    assert_int_equal(p.last_id, 34);
}

/* ---- PUT /keygen body ---- */

static void test_keygen_config_parse(void **state)
{
    (void)state;
    struct kj_kuard_keygen_config c;
    kj_error_t err = NULL;
    static const char body[] = "{\"enable\":true,\"NUMTOGEN\":3,\"memQServer\":\"http://x\",\"exitCode\":2} trailing";
    assert_int_equal(kj_kuard_keygen_config_parse(body, sizeof(body) - 1, &c, &err), 0);
    assert_true(c.enable);
    assert_int_equal(c.num_to_gen, 3);
    assert_int_equal(c.time_to_run, 0);
    assert_string_equal(c.memq_server, "http://x");
    assert_string_equal(c.memq_queue, "");
    assert_int_equal(c.exit_code, 2);
    kj_kuard_keygen_config_free(&c);
    static const char *const bad[] = {"", "{", "[1]", "{\"enable\":1}", "{\"numToGen\":1.5}",
                                      "{\"memQQueue\":false}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_true(kj_kuard_keygen_config_parse(bad[i], strlen(bad[i]), &c, &err) < 0);
        assert_int_equal(kj_error_http_status(err), 400);
        kj_error_release(&err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memq_create_twice_is_400),
        cmocka_unit_test(test_memq_missing_queue_errors),
        cmocka_unit_test(test_memq_fifo_and_counters),
        cmocka_unit_test(test_memq_delete_resets_counters),
        cmocka_unit_test(test_memq_stats_json),
        cmocka_unit_test(test_memq_message_json),
        cmocka_unit_test(test_rfc3339nano),
        cmocka_unit_test(test_memq_new_id),
        cmocka_unit_test(test_memq_message_decode),
        cmocka_unit_test(test_reltime),
        cmocka_unit_test(test_flags_defaults),
        cmocka_unit_test(test_flags_all_syntaxes),
        cmocka_unit_test(test_flags_bool_does_not_take_next_word),
        cmocka_unit_test(test_flags_errors),
        cmocka_unit_test(test_flags_help),
        cmocka_unit_test(test_parse_int),
        cmocka_unit_test(test_flags_config_json),
        cmocka_unit_test(test_fingerprint_known_answer),
        cmocka_unit_test(test_keygen_one_small_key),
        cmocka_unit_test(test_router),
        cmocka_unit_test(test_probe),
        cmocka_unit_test(test_keygen_config_parse),
    };
    return cmocka_run_group_tests(tests, setup_utc, NULL);
}
