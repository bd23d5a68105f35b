/* pkg/docker transport against a fake engine: evhttp on a unix socket in a
 * temp dir, on the same event loop as the client. Checks what the real
 * engine can't be made to do on demand: a 1.44/1.56 engine, the concurrency
 * bound seen from the server side, in-band pull errors, plain-text errors,
 * an events stream that drops, and an engine that isn't there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "docker/docker.h"

struct fake {
    struct event_base *base;
    struct evhttp *http;
    struct event *tick;
    char dir[64], sock[96], host[128];
    const char *api_version;
    /* held "slow" requests, answered by a timer */
    struct evhttp_request *held[64];
    int n_held, max_held, served_slow;
    struct event *release;
    int events_conns;
    char events_uri[2][512];
    char pull_mode; /* 'e' = in-band error */
    bool hold_forever;
};

static struct fake F;

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
}

static bool run_until(const bool *flag, int timeout_ms)
{
    int64_t deadline = mono_ms() + timeout_ms;
    while (!*flag && mono_ms() < deadline)
        event_base_loop(F.base, EVLOOP_ONCE);
    return *flag;
}

static void reply(struct evhttp_request *req, int code, const char *ctype, const char *body)
{
    struct evbuffer *b = evbuffer_new();
    evbuffer_add_printf(b, "%s", body);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", ctype);
    evhttp_send_reply(req, code, "x", b);
    evbuffer_free(b);
}

static void release_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    /* Answer one held request per tick so several overlap. */
    if (F.n_held > 0 && !F.hold_forever) {
        struct evhttp_request *r = F.held[0];
        /* A loop, not memmove: valgrind misreads fortified memmove as memcpy. */
        for (int i = 1; i < F.n_held; i++)
            F.held[i - 1] = F.held[i];
        F.n_held--;
        F.served_slow++;
        reply(r, 200, "application/json", "{\"Id\":\"slow\",\"State\":{\"Status\":\"running\"}}");
    }
}

static void gen_cb(struct evhttp_request *req, void *arg)
{
    (void)arg;
    const char *uri = evhttp_request_get_uri(req);
    struct evkeyvalq *oh = evhttp_request_get_output_headers(req);
    if (strstr(uri, "/_ping") != NULL) {
        evhttp_add_header(oh, "Api-Version", F.api_version);
        reply(req, 200, "text/plain", "OK");
    } else if (strstr(uri, "/containers/slow") != NULL) {
        F.held[F.n_held++] = req;
        if (F.n_held > F.max_held)
            F.max_held = F.n_held;
    } else if (strstr(uri, "/containers/missing/json") != NULL) {
        reply(req, 404, "application/json", "{\"message\":\"No such container: missing\"}\n");
    } else if (strstr(uri, "/version") != NULL) {
        reply(req, 400, "text/plain", "client version 1.44 is too old. Minimum supported API "
                                      "version is 1.45\n");
    } else if (strstr(uri, "/images/create") != NULL) {
        evhttp_send_reply_start(req, 200, "OK");
        struct evbuffer *b = evbuffer_new();
        evbuffer_add_printf(b, "{\"status\":\"Pulling from x\"}\r\n{\"status\":\"Downl");
        evhttp_send_reply_chunk(req, b);
        evbuffer_add_printf(b, "oading\",\"id\":\"l1\"}\n");
        if (F.pull_mode == 'e')
            evbuffer_add_printf(b, "{\"errorDetail\":{\"message\":\"unauthorized\"},"
                                   "\"error\":\"unauthorized\"}\n");
        else
            evbuffer_add_printf(b, "{\"status\":\"Status: Downloaded newer image\"}");
        evhttp_send_reply_chunk(req, b);
        evbuffer_free(b);
        evhttp_send_reply_end(req);
    } else if (strstr(uri, "/events") != NULL) {
        if (F.events_conns < 2)
            snprintf(F.events_uri[F.events_conns], sizeof(F.events_uri[0]), "%s", uri);
        F.events_conns++;
        evhttp_send_reply_start(req, 200, "OK");
        struct evbuffer *b = evbuffer_new();
        evbuffer_add_printf(b, "{\"Type\":\"container\",\"Action\":\"die\",\"Actor\":{\"ID\":\"c%d\","
                               "\"Attributes\":{\"exitCode\":\"%d\"}},\"time\":1795727803,"
                               "\"timeNano\":1795727803602272223}\n",
                            F.events_conns, F.events_conns);
        evhttp_send_reply_chunk(req, b);
        evbuffer_free(b);
        /* The first connection drops (an engine restart, seen from here). */
        if (F.events_conns == 1)
            evhttp_send_reply_end(req);
    } else {
        reply(req, 404, "text/plain", "page not found");
    }
}

static int setup(void **state)
{
    (void)state;
    memset(&F, 0, sizeof(F));
    F.api_version = "1.44";
    snprintf(F.dir, sizeof(F.dir), "/tmp/kj-fake-engine-XXXXXX");
    assert_non_null(mkdtemp(F.dir));
    snprintf(F.sock, sizeof(F.sock), "%s/docker.sock", F.dir);
    snprintf(F.host, sizeof(F.host), "unix://%s", F.sock);
    F.base = event_base_new();
    F.http = evhttp_new(F.base);
    evhttp_set_gencb(F.http, gen_cb, NULL);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", F.sock);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(fd, 64), 0);
    assert_int_equal(evhttp_accept_socket(F.http, fd), 0);
    F.tick = event_new(F.base, -1, EV_PERSIST, tick_cb, NULL);
    F.release = event_new(F.base, -1, EV_PERSIST, release_cb, NULL);
    struct timeval tv = {0, 20000};
    event_add(F.tick, &tv);
    struct timeval rv = {0, 5000};
    event_add(F.release, &rv);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    evhttp_free(F.http);
    event_free(F.tick);
    event_free(F.release);
    event_base_free(F.base);
    unlink(F.sock);
    rmdir(F.dir);
    return 0;
}

static struct kj_docker *client(int max_concurrent)
{
    struct kj_docker_opts o = {.host = F.host, .max_concurrent = max_concurrent};
    kj_error_t err = NULL;
    struct kj_docker *d = kj_docker_new(F.base, &o, &err);
    if (d == NULL)
        fail_msg("kj_docker_new: %s", err->msg);
    return d;
}

struct result {
    bool done;
    int status, calls;
    char msg[256], str[64];
};

static void str_cb(kj_error_t err, const char *s, void *data)
{
    struct result *r = data;
    r->done = true;
    r->calls++;
    if (err != NULL) {
        r->status = kj_error_http_status(err) ? kj_error_http_status(err) : -1;
        snprintf(r->msg, sizeof(r->msg), "%s", err->msg);
    }
    if (s != NULL)
        snprintf(r->str, sizeof(r->str), "%s", s);
}

static void done_cb(kj_error_t err, void *data)
{
    str_cb(err, NULL, data);
}

static void json_cb(kj_error_t err, const cJSON *j, void *data)
{
    (void)j;
    str_cb(err, NULL, data);
}

static void state_cb(kj_error_t err, const struct kj_container_state *st, void *data)
{
    str_cb(err, st ? st->status : NULL, data);
}

static void test_negotiates_and_caps_version(void **state)
{
    (void)state;
    struct kj_docker *d = client(0);
    struct result r = {0};
    kj_docker_ping(d, str_cb, &r, NULL);
    /* Never synchronous. */
    assert_false(r.done);
    assert_null(kj_docker_api_version(d));
    assert_true(run_until(&r.done, 5000));
    assert_string_equal(r.str, "1.44");
    kj_docker_free(d);

    F.api_version = "1.56";
    d = client(0);
    memset(&r, 0, sizeof(r));
    kj_docker_container_inspect(d, "missing", state_cb, &r, NULL);
    assert_true(run_until(&r.done, 5000));
    assert_string_equal(kj_docker_api_version(d), KJ_DOCKER_API_MAX);
    assert_int_equal(r.status, 404);
    assert_string_equal(r.msg, "inspect container `missing`: No such container: missing");
    kj_docker_free(d);

    /* A server below our floor fails every queued request clearly. */
    F.api_version = "1.40";
    d = client(0);
    struct result a = {0}, b = {0};
    kj_docker_container_inspect(d, "missing", state_cb, &a, NULL);
    kj_docker_info(d, json_cb, &b, NULL);
    assert_true(run_until(&b.done, 5000));
    assert_true(a.done);
    assert_non_null(strstr(a.msg, "needs at least 1.41"));
    kj_docker_free(d);
    F.api_version = "1.44";
}

struct reentrant {
    struct kj_docker *d;
    kj_docker_req_t *victim;
    struct result third;
    int calls;
};

static void never_str_cb(kj_error_t err, const char *s, void *data)
{
    (void)err;
    (void)s;
    (void)data;
    fail_msg("callback of a cancelled request ran");
}

static void cancel_other_cb(kj_error_t err, const char *s, void *data)
{
    (void)s;
    struct reentrant *re = data;
    assert_non_null(err);
    re->calls++;
    /* From inside a failure callback: cancel a request failing in the same
     * batch, and submit a new one (it waits for the next negotiation). */
    kj_docker_cancel(re->victim);
    kj_docker_ping(re->d, str_cb, &re->third, NULL);
}

static void test_failed_negotiation_reentrancy(void **state)
{
    (void)state;
    F.api_version = "1.40";
    struct reentrant re = {0};
    re.d = client(0);
    kj_docker_ping(re.d, cancel_other_cb, &re, NULL);
    re.victim = kj_docker_ping(re.d, never_str_cb, NULL, NULL);
    assert_true(run_until(&re.third.done, 5000));
    assert_int_equal(re.calls, 1);
    assert_non_null(strstr(re.third.msg, "needs at least"));
    kj_docker_free(re.d);
    F.api_version = "1.44";
}

static void test_plain_text_error(void **state)
{
    (void)state;
    struct kj_docker *d = client(0);
    struct result r = {0};
    kj_docker_version(d, json_cb, &r, NULL);
    assert_true(run_until(&r.done, 5000));
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.msg, "client version 1.44 is too old"));
    kj_docker_free(d);
}

static void test_bound_on_concurrency(void **state)
{
    (void)state;
    struct kj_docker *d = client(3);
    struct result rs[40];
    memset(rs, 0, sizeof(rs));
    char id[32];
    for (int i = 0; i < 40; i++) {
        snprintf(id, sizeof(id), "slow%d", i);
        assert_non_null(kj_docker_container_inspect(d, id, state_cb, &rs[i], NULL));
    }
    for (int i = 0; i < 40; i++)
        assert_true(run_until(&rs[i].done, 10000));
    for (int i = 0; i < 40; i++)
        assert_string_equal(rs[i].str, "running");
    assert_int_equal(F.served_slow, 40);
    /* The server saw overlap, but never more than the bound. */
    assert_true(F.max_held >= 2);
    assert_true(F.max_held <= 3);
    kj_docker_free(d);
}

static void progress_cb(const cJSON *p, void *data)
{
    (void)p;
    ((struct result *)data)->calls += 100;
}

static void test_pull_inband_error(void **state)
{
    (void)state;
    struct kj_docker *d = client(0);
    F.pull_mode = 'e';
    struct result r = {0};
    kj_docker_image_pull(d, "registry.local:5000/a/b", NULL, progress_cb, done_cb, &r, NULL);
    assert_true(run_until(&r.done, 5000));
    assert_int_equal(r.status, 500);
    assert_string_equal(r.msg, "pull image `registry.local:5000/a/b`: unauthorized");
    assert_int_equal(r.calls, 201); /* two progress lines, then the error */

    F.pull_mode = 'o';
    memset(&r, 0, sizeof(r));
    kj_docker_image_pull(d, "x:1", NULL, progress_cb, done_cb, &r, NULL);
    assert_true(run_until(&r.done, 5000));
    assert_int_equal(r.status, 0);
    assert_int_equal(r.calls, 301); /* the last line had no newline */
    kj_docker_free(d);
}

struct evs {
    int resyncs, reconnects, disconnects, events, last_code;
    bool reconnected;
};

static void ev_resync(bool reconnect, void *data)
{
    struct evs *e = data;
    e->resyncs++;
    if (reconnect) {
        e->reconnects++;
        e->reconnected = true;
    }
}

static void ev_event(const struct kj_docker_event *ev, void *data)
{
    struct evs *e = data;
    e->events++;
    e->last_code = ev->exit_code;
}

static void ev_disconnect(kj_error_t err, int retry_in_ms, void *data)
{
    struct evs *e = data;
    assert_non_null(err);
    assert_int_equal(retry_in_ms, 100);
    e->disconnects++;
}

static void test_events_reconnect_with_since(void **state)
{
    (void)state;
    struct kj_docker *d = client(0);
    struct evs e = {0};
    const char *labels[] = {"io.kjob=1", NULL};
    struct kj_docker_events_opts o = {.labels = labels};
    struct kj_docker_events_cbs cbs = {ev_resync, ev_event, ev_disconnect};
    kj_docker_req_t *r = kj_docker_events(d, &o, &cbs, &e, NULL);
    assert_non_null(r);
    assert_true(run_until(&e.reconnected, 5000));
    bool two = false;
    int64_t deadline = mono_ms() + 2000;
    while (e.events < 2 && mono_ms() < deadline)
        run_until(&two, 20);
    assert_int_equal(e.resyncs, 2);
    assert_int_equal(e.disconnects, 1);
    assert_int_equal(e.events, 2);
    assert_int_equal(e.last_code, 2);
    assert_non_null(strstr(F.events_uri[0], "filters=%7B%22label%22"));
    assert_null(strstr(F.events_uri[0], "since="));
    /* Resumes just before the last event seen (timeNano rounded through a double). */
    if (strstr(F.events_uri[1], "since=1795727803.60227") == NULL)
        fail_msg("resumed with `%s`", F.events_uri[1]);
    kj_docker_cancel(r);
    kj_docker_free(d);
}

static void never_cb(kj_error_t err, void *data)
{
    (void)err;
    (void)data;
    fail_msg("callback of a cancelled request ran");
}

static void test_cancel_and_free(void **state)
{
    (void)state;
    struct kj_docker *d = client(2);
    F.hold_forever = true;
    /* Cancel before it ran, cancel while held by the server, free with the
     * rest queued or in flight: no callback, no leak (valgrind run). */
    kj_docker_req_t *a = kj_docker_container_start(d, "slowa", never_cb, NULL, NULL);
    kj_docker_cancel(a);
    kj_docker_req_t *b = kj_docker_container_start(d, "slowb", never_cb, NULL, NULL);
    bool never = false;
    int64_t deadline = mono_ms() + 2000;
    while (F.n_held == 0 && mono_ms() < deadline)
        run_until(&never, 1);
    kj_docker_cancel(b);
    for (int i = 0; i < 10; i++)
        kj_docker_container_start(d, "slowc", never_cb, NULL, NULL);
    run_until(&never, 3);
    kj_docker_free(d);
    run_until(&never, 100);
}

static void test_unreachable_engine(void **state)
{
    (void)state;
    struct kj_docker_opts o = {.host = "unix:///nonexistent/kj/docker.sock"};
    struct kj_docker *d = kj_docker_new(F.base, &o, NULL);
    assert_non_null(d);
    struct result r = {0};
    kj_docker_info(d, json_cb, &r, NULL);
    assert_true(run_until(&r.done, 5000));
    assert_int_equal(r.status, -1); /* transport error: no http status */
    assert_non_null(strstr(r.msg, "docker engine at `unix:///nonexistent/kj/docker.sock`"));
    kj_docker_free(d);

    kj_error_t err = NULL;
    o.host = "ssh://me@host";
    assert_null(kj_docker_new(F.base, &o, &err));
    assert_non_null(strstr(err->msg, "unsupported scheme `ssh`"));
    kj_error_release(&err);
    /* Bad arguments fail at the call, never through the callback. */
    o.host = F.host;
    d = kj_docker_new(F.base, &o, NULL);
    assert_null(kj_docker_container_start(d, "", done_cb, &r, &err));
    assert_non_null(err);
    kj_error_release(&err);
    struct kj_container_spec spec = {.name = "x"};
    assert_null(kj_docker_container_create(d, &spec, str_cb, &r, &err));
    kj_error_release(&err);
    kj_docker_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_negotiates_and_caps_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_negotiation_reentrancy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plain_text_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bound_on_concurrency, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pull_inband_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_events_reconnect_with_since, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_and_free, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreachable_engine, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
