/* pkg/docker pure layers: log-frame demux, ndjson splitting, engine JSON
 * decoding (from responses recorded off a real 20.10 engine in
 * tests/fixtures/docker/), DOCKER_HOST parsing, version pick, request queue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "docker/docker-internal.h"
#include "util/cleanup.h"

#define FIXTURES "tests/fixtures/docker/"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = NULL;
    size_t cap = 0, n = 0, got;
    do {
        if (n + 4096 > cap) {
            cap = cap ? cap * 2 : 8192;
            buf = realloc(buf, cap + 1);
            assert_non_null(buf);
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    fclose(f);
    buf[n] = '\0';
    if (len != NULL)
        *len = n;
    return buf;
}

/* ---- frames ------------------------------------------------------------------------ */

struct collected {
    char out[1 << 18], err[1 << 18];
    size_t out_len, err_len;
    int frames;
    int stop_after; /* 0 = never */
};

static int collect_frame(int stream, const char *buf, size_t len, void *data)
{
    struct collected *c = data;
    char *dst = stream == 2 ? c->err : c->out;
    size_t *dl = stream == 2 ? &c->err_len : &c->out_len;
    assert_true(*dl + len <= sizeof(c->out));
    memcpy(dst + *dl, buf, len);
    *dl += len;
    c->frames++;
    return c->stop_after > 0 && c->frames >= c->stop_after;
}

static void feed_in_pieces(const char *buf, size_t len, size_t (*piece)(size_t left),
                           struct collected *c)
{
    struct kj_docker_frames f;
    kj_docker_frames_init(&f);
    kj_error_t err = NULL;
    size_t off = 0;
    while (off < len) {
        size_t n = piece(len - off);
        assert_int_equal(kj_docker_frames_feed(&f, buf + off, n, collect_frame, c, &err), 0);
        off += n;
    }
    assert_int_equal(kj_docker_frames_finish(&f, &err), 0);
    assert_null(err);
    kj_docker_frames_clear(&f);
}

static size_t one_byte(size_t left)
{
    (void)left;
    return 1;
}

static size_t whole(size_t left)
{
    return left;
}

static size_t random_piece(size_t left)
{
    size_t n = 1 + (size_t)rand() % 13;
    return n < left ? n : left;
}

static void test_frames_recorded_any_split(void **state)
{
    (void)state;
    size_t len;
    cleanup_free char *buf = slurp(FIXTURES "logs_multiplexed.bin", &len);
    size_t (*splits[])(size_t) = {whole, one_byte, random_piece};
    srand(42);
    for (size_t i = 0; i < 3; i++) {
        for (int round = 0; round < (i == 2 ? 50 : 1); round++) {
            struct collected *c = calloc(1, sizeof(*c));
            feed_in_pieces(buf, len, splits[i], c);
            assert_int_equal(c->out_len, 6);
            assert_memory_equal(c->out, "out-1\n", 6);
            assert_int_equal(c->err_len, 6);
            assert_memory_equal(c->err, "err-1\n", 6);
            assert_int_equal(c->frames, 2);
            free(c);
        }
    }
}

static size_t put_frame(char *dst, int stream, const char *payload, size_t n)
{
    dst[0] = (char)stream;
    dst[1] = dst[2] = dst[3] = 0;
    dst[4] = (char)(n >> 24);
    dst[5] = (char)(n >> 16);
    dst[6] = (char)(n >> 8);
    dst[7] = (char)n;
    memcpy(dst + 8, payload, n);
    return 8 + n;
}

static void test_frames_large_and_empty(void **state)
{
    (void)state;
    size_t big = KJ_DOCKER_FRAME_CHUNK_MAX * 2 + 17;
    char *payload = malloc(big);
    for (size_t i = 0; i < big; i++)
        payload[i] = (char)('a' + i % 26);
    char *buf = malloc(big + 64);
    size_t len = put_frame(buf, 1, payload, big);
    len += put_frame(buf + len, 2, "", 0);
    len += put_frame(buf + len, 2, "x", 1);
    struct collected *c = calloc(1, sizeof(*c));
    srand(7);
    feed_in_pieces(buf, len, random_piece, c);
    assert_int_equal(c->out_len, big);
    assert_memory_equal(c->out, payload, big);
    assert_int_equal(c->err_len, 1);
    /* A huge frame is handed out in bounded pieces; an empty one not at all. */
    assert_int_equal(c->frames, 3 + 1);
    free(c);
    free(buf);
    free(payload);
}

static void test_frames_malformed_and_truncated(void **state)
{
    (void)state;
    struct kj_docker_frames f;
    kj_error_t err = NULL;
    struct collected *c = calloc(1, sizeof(*c));
    kj_docker_frames_init(&f);
    assert_true(kj_docker_frames_feed(&f, "\x05\0\0\0\0\0\0\1x", 9, collect_frame, c, &err) < 0);
    assert_non_null(strstr(err->msg, "malformed log frame"));
    kj_error_release(&err);
    kj_docker_frames_clear(&f);

    kj_docker_frames_init(&f);
    assert_int_equal(kj_docker_frames_feed(&f, "\x01\0\0\0\0\0\0\5ab", 10, collect_frame, c, &err),
                     0);
    assert_true(kj_docker_frames_finish(&f, &err) < 0);
    assert_non_null(strstr(err->msg, "inside a frame"));
    kj_error_release(&err);
    kj_docker_frames_clear(&f);

    /* The sink can stop the feed (a cancel from inside a callback). */
    kj_docker_frames_init(&f);
    char buf[64];
    size_t len = put_frame(buf, 1, "a", 1);
    len += put_frame(buf + len, 1, "b", 1);
    c->stop_after = 1;
    assert_int_equal(kj_docker_frames_feed(&f, buf, len, collect_frame, c, &err), 1);
    assert_int_equal(c->frames, 1);
    kj_docker_frames_clear(&f);
    free(c);
}

/* ---- ndjson --------------------------------------------------------------------- */

struct lines {
    char text[4096];
    int n;
};

static int collect_line(const char *line, size_t len, void *data)
{
    struct lines *l = data;
    assert_int_equal(strlen(line), len);
    strncat(l->text, line, sizeof(l->text) - strlen(l->text) - 2);
    strcat(l->text, "|");
    l->n++;
    return 0;
}

static void test_ndjson_splits(void **state)
{
    (void)state;
    const char *in = "{\"a\":1}\n{\"b\":2}\r\n\n  \n{\"c\":\n3}\n{\"tail\":true}";
    size_t len = strlen(in);
    srand(3);
    for (int round = 0; round < 60; round++) {
        struct kj_docker_ndjson nd;
        kj_docker_ndjson_init(&nd);
        struct lines l = {0};
        kj_error_t err = NULL;
        size_t off = 0;
        while (off < len) {
            size_t n = round == 0 ? len : round == 1 ? 1 : random_piece(len - off);
            assert_int_equal(kj_docker_ndjson_feed(&nd, in + off, n, collect_line, &l, &err), 0);
            off += n;
        }
        assert_int_equal(kj_docker_ndjson_finish(&nd, collect_line, &l, &err), 0);
        assert_string_equal(l.text, "{\"a\":1}|{\"b\":2}|{\"c\":|3}|{\"tail\":true}|");
        kj_docker_ndjson_clear(&nd);
    }
}

static void test_ndjson_line_limit(void **state)
{
    (void)state;
    struct kj_docker_ndjson nd;
    kj_docker_ndjson_init(&nd);
    struct lines l = {0};
    kj_error_t err = NULL;
    char *chunk = malloc(1 << 20);
    memset(chunk, 'x', 1 << 20);
    int rc = 0;
    for (int i = 0; i < 8 && rc == 0; i++)
        rc = kj_docker_ndjson_feed(&nd, chunk, 1 << 20, collect_line, &l, &err);
    assert_true(rc < 0);
    assert_non_null(strstr(err->msg, "json line longer"));
    kj_error_release(&err);
    kj_docker_ndjson_clear(&nd);
    free(chunk);
}

/* ---- decoders ------------------------------------------------------------------- */

static int collect_events(const char *line, size_t len, void *data)
{
    struct kj_docker_event *evs = data;
    cJSON *j = cJSON_ParseWithLength(line, len);
    kj_error_t err = NULL;
    struct kj_docker_event ev;
    assert_int_equal(kj_docker_event_decode(j, &ev, &err), 0);
    size_t i = 0;
    while (evs[i].action != NULL)
        i++;
    evs[i] = ev;
    /* Keep copies: the document dies with this call. */
    evs[i].type = strdup(ev.type);
    evs[i].action = strdup(ev.action);
    evs[i].id = strdup(ev.id);
    evs[i].scope = NULL;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(ev.attributes, "name");
    evs[i].scope = strdup(cJSON_IsString(name) ? name->valuestring : "");
    evs[i].attributes = NULL;
    cJSON_Delete(j);
    return 0;
}

static void test_events_recorded(void **state)
{
    (void)state;
    size_t len;
    cleanup_free char *buf = slurp(FIXTURES "events_stream.ndjson", &len);
    struct kj_docker_event evs[16] = {0};
    struct kj_docker_ndjson nd;
    kj_docker_ndjson_init(&nd);
    kj_error_t err = NULL;
    assert_int_equal(kj_docker_ndjson_feed(&nd, buf, len, collect_events, evs, &err), 0);
    assert_int_equal(kj_docker_ndjson_finish(&nd, collect_events, evs, &err), 0);
    kj_docker_ndjson_clear(&nd);
    const char *want[] = {"create", "start", "die", "destroy"};
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(evs[i].action, want[i]);
        assert_string_equal(evs[i].type, "container");
        assert_int_equal(strlen(evs[i].id), 64);
        assert_string_equal(evs[i].scope, "kjfix-4526"); /* the name attribute */
        assert_true(evs[i].time > 1700000000);
        assert_int_equal(evs[i].time_nano / 1000000000, evs[i].time);
        assert_int_equal(evs[i].has_exit_code, i == 2);
    }
    assert_int_equal(evs[2].exit_code, 3);
    assert_true(evs[1].time_nano < evs[2].time_nano);
    for (size_t i = 0; evs[i].action != NULL; i++) {
        free((char *)evs[i].type);
        free((char *)evs[i].action);
        free((char *)evs[i].id);
        free((char *)evs[i].scope);
    }
}

static void test_event_decode_rejects(void **state)
{
    (void)state;
    const char *bad[] = {"[]", "{\"Action\":\"die\"}", "{\"Type\":1,\"Action\":\"x\"}", "3"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cleanup_cjson cJSON *j = cJSON_Parse(bad[i]);
        struct kj_docker_event ev;
        kj_error_t err = NULL;
        assert_true(kj_docker_event_decode(j, &ev, &err) < 0);
        kj_error_release(&err);
    }
    /* Odd but valid: missing Actor, non-numeric exitCode, only `time`. */
    cleanup_cjson cJSON *j = cJSON_Parse("{\"Type\":\"container\",\"Action\":\"die\",\"time\":5,"
                                         "\"Actor\":{\"Attributes\":{\"exitCode\":\"x1\"}}}");
    struct kj_docker_event ev;
    assert_int_equal(kj_docker_event_decode(j, &ev, NULL), 0);
    assert_string_equal(ev.id, "");
    assert_false(ev.has_exit_code);
    assert_int_equal(ev.time_nano, 5000000000LL);
}

static void check_error_fixture(const char *file, long status, const char *want)
{
    size_t len;
    cleanup_free char *body = slurp(file, &len);
    kj_error_t err = NULL;
    assert_true(kj_docker_error_decode(status, body, len, &err) < 0);
    assert_int_equal(kj_error_http_status(err), status);
    assert_string_equal(err->msg, want);
    kj_error_release(&err);
}

static void test_error_bodies(void **state)
{
    (void)state;
    check_error_fixture(FIXTURES "error_404.json", 404, "No such container: nosuch-kj");
    size_t len;
    cleanup_free char *body = slurp(FIXTURES "error_409.json", &len);
    kj_error_t err = NULL;
    kj_docker_error_decode(409, body, len, &err);
    assert_int_equal(kj_error_http_status(err), 409);
    assert_non_null(strstr(err->msg, "Conflict. The container name \"/kjfix-4526\""));
    kj_error_release(&err);
    check_error_fixture(FIXTURES "error_too_new.json", 400,
                        "client version 1.99 is too new. Maximum supported API version is 1.41");
    check_error_fixture(FIXTURES "error_too_old.txt", 400,
                        "client version 1.11 is too old. Minimum supported API version is 1.12, "
                        "please upgrade your client to a newer version");
    kj_docker_error_decode(502, "", 0, &err);
    assert_string_equal(err->msg, "docker engine answered http 502");
    kj_error_release(&err);
    kj_docker_error_decode(500, "{\"message\":\"\"}", 14, &err);
    assert_string_equal(err->msg, "docker engine answered http 500");
    kj_error_release(&err);
}

static void test_inspect_recorded(void **state)
{
    (void)state;
    cleanup_free char *buf = slurp(FIXTURES "inspect_exited.json", NULL);
    cleanup_cjson cJSON *j = cJSON_Parse(buf);
    struct kj_container_state st;
    cleanup_free struct kj_container_net *nets = NULL;
    assert_int_equal(kj_docker_state_decode(j, &st, &nets, NULL), 0);
    assert_string_equal(st.name, "kjfix-4526");
    assert_string_equal(st.status, "exited");
    assert_false(st.running);
    assert_false(st.oom_killed);
    assert_int_equal(st.exit_code, 3);
    assert_string_equal(st.error, "");
    assert_string_equal(st.image, "kjob/busybox:latest");
    assert_int_equal(st.started_at_ns, kj_docker_time_parse("2026-11-26T21:16:43.577126206Z"));
    assert_true(st.finished_at_ns > st.started_at_ns);
    assert_int_equal(st.restart_count, 0);
    assert_false(st.tty);
    const cJSON *label = cJSON_GetObjectItemCaseSensitive(st.labels, "io.kjob.test");
    assert_string_equal(label->valuestring, "fixture-4526");
    assert_int_equal(st.n_networks, 1);
    assert_string_equal(st.networks[0].name, "kjfix-net-4526");
    assert_string_equal(cJSON_GetArrayItem(st.networks[0].aliases, 0)->valuestring, "fixalias");
    assert_ptr_equal(st.raw, j);

    kj_error_t err = NULL;
    cleanup_cjson cJSON *bad = cJSON_Parse("{\"Id\":\"x\"}");
    cleanup_free struct kj_container_net *n2 = NULL;
    assert_true(kj_docker_state_decode(bad, &st, &n2, &err) < 0);
    kj_error_release(&err);
}

static void test_list_recorded(void **state)
{
    (void)state;
    cleanup_free char *buf = slurp(FIXTURES "list.json", NULL);
    cleanup_cjson cJSON *j = cJSON_Parse(buf);
    cleanup_free struct kj_container_summary *items = NULL;
    size_t n = 0;
    assert_int_equal(kj_docker_summaries_decode(j, &items, &n, NULL), 0);
    assert_int_equal(n, 1);
    assert_string_equal(items[0].name, "kjfix-4526");
    assert_string_equal(items[0].state, "exited");
    assert_non_null(strstr(items[0].status, "Exited (3)"));
    assert_true(items[0].created > 1700000000);
    assert_non_null(cJSON_GetObjectItemCaseSensitive(items[0].labels, "io.kjob.test"));
}

static void test_pull_lines(void **state)
{
    (void)state;
    cleanup_cjson cJSON *ok = cJSON_Parse("{\"status\":\"Downloading\",\"id\":\"abc\"}");
    cleanup_cjson cJSON *bad = cJSON_Parse("{\"errorDetail\":{\"message\":\"manifest unknown\"},"
                                           "\"error\":\"manifest unknown\"}");
    cleanup_cjson cJSON *bad2 = cJSON_Parse("{\"error\":\"boom\"}");
    kj_error_t err = NULL;
    assert_int_equal(kj_docker_pull_line_check(ok, &err), 0);
    assert_true(kj_docker_pull_line_check(bad, &err) < 0);
    assert_string_equal(err->msg, "manifest unknown");
    assert_int_equal(kj_error_http_status(err), 500);
    kj_error_release(&err);
    assert_true(kj_docker_pull_line_check(bad2, &err) < 0);
    assert_string_equal(err->msg, "boom");
    kj_error_release(&err);
}

static void test_time_parse(void **state)
{
    (void)state;
    assert_int_equal(kj_docker_time_parse("0001-01-01T00:00:00Z"), 0);
    assert_int_equal(kj_docker_time_parse("1970-01-01T00:00:01Z"), 1000000000LL);
    assert_int_equal(kj_docker_time_parse("2026-11-26T21:16:43.5Z"), 1795727803500000000LL);
    assert_int_equal(kj_docker_time_parse("2026-11-26T22:16:43.000000001+01:00"),
                     1795727803000000001LL);
    assert_int_equal(kj_docker_time_parse("2026-11-26T21:16:43.1234567891Z"),
                     1795727803123456789LL);
    assert_true(kj_docker_time_parse("2026-11-26 21:16:43") < 0);
    assert_true(kj_docker_time_parse("2026-13-26T21:16:43Z") < 0);
    assert_true(kj_docker_time_parse("2026-11-26T21:16:43.Z") < 0);
    assert_int_equal(kj_docker_time_parse("9999-12-31T23:59:59Z"), -1);
    assert_true(kj_docker_time_parse("2262-01-01T00:00:00Z") > 0);
    assert_true(kj_docker_time_parse(NULL) < 0);
    assert_true(kj_docker_time_parse("") < 0);
}

static void test_version_pick(void **state)
{
    (void)state;
    char v[16];
    kj_error_t err = NULL;
    assert_int_equal(kj_docker_version_pick("1.41", v, sizeof(v), &err), 0);
    assert_string_equal(v, "1.41");
    assert_int_equal(kj_docker_version_pick("1.44", v, sizeof(v), &err), 0);
    assert_string_equal(v, "1.44");
    assert_int_equal(kj_docker_version_pick("1.56", v, sizeof(v), &err), 0);
    assert_string_equal(v, KJ_DOCKER_API_MAX);
    assert_int_equal(kj_docker_version_pick("2.0", v, sizeof(v), &err), 0);
    assert_string_equal(v, KJ_DOCKER_API_MAX);
    assert_true(kj_docker_version_pick("1.40", v, sizeof(v), &err) < 0);
    assert_non_null(strstr(err->msg, "needs at least 1.41"));
    kj_error_release(&err);
    assert_true(kj_docker_version_pick(NULL, v, sizeof(v), &err) < 0);
    kj_error_release(&err);
    assert_true(kj_docker_version_pick("1.x", v, sizeof(v), &err) < 0);
    kj_error_release(&err);
    assert_true(kj_docker_version_cmp("1.9", "1.41") < 0);
    assert_true(kj_docker_version_cmp("1.100", "1.41") > 0);
    assert_int_equal(kj_docker_version_cmp("1.41", "1.41"), 0);
}

/* ---- endpoint -------------------------------------------------------------------- */

static void test_endpoint_defaults_and_unix(void **state)
{
    (void)state;
    struct kj_docker_env env = {0};
    struct kj_docker_endpoint ep;
    kj_error_t err = NULL;
    assert_int_equal(kj_docker_endpoint_parse(NULL, &env, &ep, &err), 0);
    assert_string_equal(ep.unix_path, "/var/run/docker.sock");
    assert_string_equal(ep.base_url, "http://localhost");
    assert_string_equal(ep.host, "unix:///var/run/docker.sock");
    assert_false(ep.tls);
    kj_docker_endpoint_clear(&ep);

    env.docker_host = "unix:///tmp/d.sock";
    assert_int_equal(kj_docker_endpoint_parse(NULL, &env, &ep, &err), 0);
    assert_string_equal(ep.unix_path, "/tmp/d.sock");
    kj_docker_endpoint_clear(&ep);

    /* opts win over the environment. */
    struct kj_docker_opts o = {.host = "unix:///x/y.sock"};
    assert_int_equal(kj_docker_endpoint_parse(&o, &env, &ep, &err), 0);
    assert_string_equal(ep.unix_path, "/x/y.sock");
    kj_docker_endpoint_clear(&ep);
}

static void test_endpoint_tcp(void **state)
{
    (void)state;
    struct kj_docker_env env = {0};
    struct kj_docker_endpoint ep;
    struct {
        const char *host, *base, *norm;
    } ok[] = {
        {"tcp://127.0.0.1:2375", "http://127.0.0.1:2375", "tcp://127.0.0.1:2375"},
        {"tcp://localhost", "http://localhost:2375", "tcp://localhost:2375"},
        {"tcp://docker:1234/", "http://docker:1234", "tcp://docker:1234"},
        {"tcp://[::1]:2375", "http://[::1]:2375", "tcp://[::1]:2375"},
        {"tcp://[::1]", "http://[::1]:2375", "tcp://[::1]:2375"},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        env.docker_host = ok[i].host;
        kj_error_t err = NULL;
        assert_int_equal(kj_docker_endpoint_parse(NULL, &env, &ep, &err), 0);
        assert_string_equal(ep.base_url, ok[i].base);
        assert_string_equal(ep.host, ok[i].norm);
        assert_null(ep.unix_path);
        kj_docker_endpoint_clear(&ep);
    }
    const char *bad[][2] = {
        {"ssh://me@host", "unsupported scheme `ssh`"},
        {"npipe:////./pipe/docker_engine", "unsupported scheme `npipe`"},
        {"/var/run/docker.sock", "not a URL"},
        {"unix://relative.sock", "must be absolute"},
        {"tcp://", "missing host"},
        {"tcp://:2375", "missing host"},
        {"tcp://h:0", "bad port"},
        {"tcp://h:70000", "bad port"},
        {"tcp://h:12x", "bad port"},
        {"tcp://h:", "empty port"},
        {"tcp://h:1/path", "unexpected path"},
        {"tcp://[::1", "unterminated"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        env.docker_host = bad[i][0];
        kj_error_t err = NULL;
        assert_int_equal(kj_docker_endpoint_parse(NULL, &env, &ep, &err), -EINVAL);
        if (strstr(err->msg, bad[i][1]) == NULL)
            fail_msg("`%s`: got `%s`", bad[i][0], err->msg);
        assert_non_null(strstr(err->msg, bad[i][0]));
        kj_error_release(&err);
    }
    char long_path[200] = "unix:///";
    memset(long_path + 8, 'a', 150);
    env.docker_host = long_path;
    kj_error_t err = NULL;
    assert_true(kj_docker_endpoint_parse(NULL, &env, &ep, &err) < 0);
    assert_non_null(strstr(err->msg, "too long"));
    kj_error_release(&err);
}

static void touch(const char *dir, const char *name)
{
    char p[512];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fclose(f);
}

static void test_endpoint_tls(void **state)
{
    (void)state;
    char dir[] = "/tmp/kj-docker-certs-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct kj_docker_env env = {.docker_host = "tcp://engine.local", .docker_tls_verify = "1",
                                .docker_cert_path = dir};
    struct kj_docker_endpoint ep;
    kj_error_t err = NULL;
    /* Verification without ca.pem is a clear error at creation. */
    assert_true(kj_docker_endpoint_parse(NULL, &env, &ep, &err) < 0);
    assert_non_null(strstr(err->msg, "ca.pem"));
    kj_error_release(&err);

    touch(dir, "ca.pem");
    touch(dir, "cert.pem");
    assert_true(kj_docker_endpoint_parse(NULL, &env, &ep, &err) < 0);
    assert_non_null(strstr(err->msg, "needs both"));
    kj_error_release(&err);

    touch(dir, "key.pem");
    assert_int_equal(kj_docker_endpoint_parse(NULL, &env, &ep, &err), 0);
    assert_string_equal(ep.base_url, "https://engine.local:2376");
    assert_true(ep.tls && ep.tls_verify);
    assert_non_null(strstr(ep.ca_file, "/ca.pem"));
    assert_non_null(strstr(ep.key_file, "/key.pem"));
    kj_docker_endpoint_clear(&ep);

    /* DOCKER_CERT_PATH alone: TLS without verification (the Go client's rule). */
    env.docker_tls_verify = "";
    assert_int_equal(kj_docker_endpoint_parse(NULL, &env, &ep, &err), 0);
    assert_true(ep.tls);
    assert_false(ep.tls_verify);
    assert_null(ep.ca_file);
    kj_docker_endpoint_clear(&ep);

    /* Explicit opts switch TLS off whatever the environment says. */
    struct kj_docker_opts o = {.tls = KJ_DOCKER_TLS_OFF};
    assert_int_equal(kj_docker_endpoint_parse(&o, &env, &ep, &err), 0);
    assert_string_equal(ep.base_url, "http://engine.local:2375");
    kj_docker_endpoint_clear(&ep);

    /* TLS settings don't apply to unix sockets. */
    env.docker_host = "unix:///var/run/docker.sock";
    assert_int_equal(kj_docker_endpoint_parse(NULL, &env, &ep, &err), 0);
    assert_false(ep.tls);
    kj_docker_endpoint_clear(&ep);

    char p[512];
    const char *files[] = {"ca.pem", "cert.pem", "key.pem"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

/* kj_docker_uses_tls reads the process environment, as kj_docker_new does. */
static void test_endpoint_uses_tls(void **state)
{
    (void)state;
    unsetenv("DOCKER_HOST");
    unsetenv("DOCKER_TLS_VERIFY");
    unsetenv("DOCKER_TLS");
    unsetenv("DOCKER_CERT_PATH");
    assert_false(kj_docker_uses_tls(NULL));
    struct kj_docker_opts o = {.host = "tcp://127.0.0.1:2375"};
    assert_false(kj_docker_uses_tls(&o));
    o.tls = KJ_DOCKER_TLS_NO_VERIFY;
    assert_true(kj_docker_uses_tls(&o));
    setenv("DOCKER_HOST", "tcp://127.0.0.1:2376", 1);
    setenv("DOCKER_TLS", "1", 1);
    assert_true(kj_docker_uses_tls(NULL));
    o = (struct kj_docker_opts){.host = "unix:///run/docker.sock"};
    assert_false(kj_docker_uses_tls(&o));
    /* A host that does not parse counts as TLS: the caller keeps OpenSSL whole. */
    o.host = "ssh://engine";
    assert_true(kj_docker_uses_tls(&o));
    unsetenv("DOCKER_HOST");
    unsetenv("DOCKER_TLS");
}

/* ---- queue and filters ------------------------------------------------------------ */

static void test_queue_fifo_and_bound(void **state)
{
    (void)state;
    struct kj_docker_queue q;
    struct kj_docker_qnode nodes[10];
    kj_docker_queue_init(&q, 3);
    for (int i = 0; i < 10; i++)
        kj_docker_queue_push(&q, &nodes[i]);
    assert_int_equal(q.n_pending, 10);
    /* Only `max` get in; in submission order. */
    assert_ptr_equal(kj_docker_queue_admit(&q), &nodes[0]);
    assert_ptr_equal(kj_docker_queue_admit(&q), &nodes[1]);
    assert_ptr_equal(kj_docker_queue_admit(&q), &nodes[2]);
    assert_null(kj_docker_queue_admit(&q));
    /* A pending node cancelled before admission is skipped. */
    kj_docker_queue_remove(&q, &nodes[3]);
    kj_docker_queue_remove(&q, &nodes[3]);
    assert_int_equal(q.n_pending, 6);
    kj_docker_queue_release(&q);
    assert_ptr_equal(kj_docker_queue_admit(&q), &nodes[4]);
    assert_null(kj_docker_queue_admit(&q));
    for (int i = 0; i < 3; i++)
        kj_docker_queue_release(&q);
    assert_ptr_equal(kj_docker_queue_admit(&q), &nodes[5]);
    assert_ptr_equal(kj_docker_queue_admit(&q), &nodes[6]);
    assert_ptr_equal(kj_docker_queue_admit(&q), &nodes[7]);
    assert_null(kj_docker_queue_admit(&q));
    assert_int_equal(q.active, 3);
    assert_int_equal(q.n_pending, 2);
}

static void test_filters(void **state)
{
    (void)state;
    const char *labels[] = {"a=1", "b", NULL};
    const char *types[] = {"container", NULL};
    const char *none[] = {NULL};
    cleanup_free char *f =
        kj_docker_filters_escaped("type", types, "label", labels, "event", none, NULL);
    assert_string_equal(f, "%7B%22type%22%3A%5B%22container%22%5D%2C%22label%22%3A%5B%22a%3D1%22"
                           "%2C%22b%22%5D%7D");
    cleanup_free char *empty = kj_docker_filters_escaped("label", NULL, NULL);
    assert_string_equal(empty, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frames_recorded_any_split),
        cmocka_unit_test(test_frames_large_and_empty),
        cmocka_unit_test(test_frames_malformed_and_truncated),
        cmocka_unit_test(test_ndjson_splits),
        cmocka_unit_test(test_ndjson_line_limit),
        cmocka_unit_test(test_events_recorded),
        cmocka_unit_test(test_event_decode_rejects),
        cmocka_unit_test(test_error_bodies),
        cmocka_unit_test(test_inspect_recorded),
        cmocka_unit_test(test_list_recorded),
        cmocka_unit_test(test_pull_lines),
        cmocka_unit_test(test_time_parse),
        cmocka_unit_test(test_version_pick),
        cmocka_unit_test(test_endpoint_defaults_and_unix),
        cmocka_unit_test(test_endpoint_tcp),
        cmocka_unit_test(test_endpoint_tls),
        cmocka_unit_test(test_endpoint_uses_tls),
        cmocka_unit_test(test_queue_fifo_and_bound),
        cmocka_unit_test(test_filters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
