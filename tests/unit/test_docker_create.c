/* pkg/docker create body, seen from the engine's side: a fake engine (evhttp
 * on a unix socket in a temp dir, on the client's loop) keeps the JSON body
 * of POST /containers/create so the tests can check what the engine would
 * be asked for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
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

#include "docker/docker.h"

struct fake {
    struct event_base *base;
    struct evhttp *http;
    char dir[64], sock[96], host[128];
    cJSON *body; /* last create body, owned */
    char uri[256];
};

static struct fake F;

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void reply(struct evhttp_request *req, int code, const char *body)
{
    struct evbuffer *b = evbuffer_new();
    evbuffer_add_printf(b, "%s", body);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                      "application/json");
    evhttp_send_reply(req, code, "x", b);
    evbuffer_free(b);
}

static void gen_cb(struct evhttp_request *req, void *arg)
{
    (void)arg;
    const char *uri = evhttp_request_get_uri(req);
    if (strstr(uri, "/_ping") != NULL) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Api-Version", "1.41");
        reply(req, 200, "OK");
        return;
    }
    if (strstr(uri, "/containers/create") == NULL) {
        reply(req, 404, "{\"message\":\"page not found\"}");
        return;
    }
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t len = evbuffer_get_length(in);
    char *text = malloc(len + 1);
    evbuffer_remove(in, text, len);
    text[len] = '\0';
    cJSON_Delete(F.body);
    F.body = cJSON_Parse(text);
    free(text);
    snprintf(F.uri, sizeof(F.uri), "%s", uri);
    reply(req, 201, "{\"Id\":\"c0ffee\",\"Warnings\":[]}");
}

static int setup(void **state)
{
    (void)state;
    memset(&F, 0, sizeof(F));
    snprintf(F.dir, sizeof(F.dir), "/tmp/kj-fake-create-XXXXXX");
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
    assert_int_equal(listen(fd, 8), 0);
    assert_int_equal(evhttp_accept_socket(F.http, fd), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cJSON_Delete(F.body);
    evhttp_free(F.http);
    event_base_free(F.base);
    unlink(F.sock);
    rmdir(F.dir);
    return 0;
}

struct result {
    bool done;
    char id[64], msg[256];
};

static void str_cb(kj_error_t err, const char *str, void *data)
{
    struct result *r = data;
    r->done = true;
    snprintf(r->msg, sizeof(r->msg), "%s", err != NULL ? err->msg : "");
    snprintf(r->id, sizeof(r->id), "%s", str != NULL ? str : "");
}

/* Create through a fresh client; returns the body the fake engine got. */
static const cJSON *create(const struct kj_container_spec *spec)
{
    struct kj_docker_opts o = {.host = F.host};
    kj_error_t err = NULL;
    struct kj_docker *d = kj_docker_new(F.base, &o, &err);
    if (d == NULL)
        fail_msg("kj_docker_new: %s", err->msg);
    struct result r = {0};
    assert_non_null(kj_docker_container_create(d, spec, str_cb, &r, &err));
    int64_t deadline = mono_ms() + 5000;
    while (!r.done && mono_ms() < deadline)
        event_base_loop(F.base, EVLOOP_ONCE);
    kj_docker_free(d);
    assert_true(r.done);
    assert_string_equal(r.msg, "");
    assert_string_equal(r.id, "c0ffee");
    assert_non_null(F.body);
    return F.body;
}

static void test_auto_remove_sets_host_config(void **state)
{
    (void)state;
    const char *cmd[] = {"true", NULL};
    struct kj_container_spec spec = {.name = "kj-rm", .image = "kjob/busybox:latest",
                                     .cmd = cmd, .network = "none", .auto_remove = true};
    const cJSON *b = create(&spec);
    assert_non_null(strstr(F.uri, "name=kj-rm"));
    const cJSON *hc = cJSON_GetObjectItemCaseSensitive(b, "HostConfig");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(hc, "AutoRemove")));
    /* The rest of HostConfig is untouched by the flag. */
    const cJSON *rp = cJSON_GetObjectItemCaseSensitive(hc, "RestartPolicy");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rp, "Name")),
                        "no");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(hc, "NetworkMode")),
                        "none");
}

static void test_no_auto_remove_by_default(void **state)
{
    (void)state;
    /* kjobd reads logs and exit codes after exit: the default must keep the
     * container, so the field is left out and the engine's false applies. */
    struct kj_container_spec spec = {.image = "kjob/busybox:latest"};
    const cJSON *b = create(&spec);
    const cJSON *hc = cJSON_GetObjectItemCaseSensitive(b, "HostConfig");
    assert_non_null(hc);
    assert_null(cJSON_GetObjectItemCaseSensitive(hc, "AutoRemove"));
}

static void test_network_disabled(void **state)
{
    (void)state;
    /* No network stack at all: NetworkDisabled, and NetworkMode "none" so
     * the engine's default bridge is not named either. */
    struct kj_container_spec spec = {.image = "kjob/busybox:latest", .network_disabled = true};
    const cJSON *b = create(&spec);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(b, "NetworkDisabled")));
    const cJSON *hc = cJSON_GetObjectItemCaseSensitive(b, "HostConfig");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(hc, "NetworkMode")),
                        "none");
}

static void test_network_disabled_refuses_a_network(void **state)
{
    (void)state;
    struct kj_docker_opts o = {.host = F.host};
    kj_error_t err = NULL;
    struct kj_docker *d = kj_docker_new(F.base, &o, &err);
    assert_non_null(d);
    struct kj_container_spec spec = {.name = "kj-nonet", .image = "kjob/busybox:latest",
                                     .network = "kjob-net", .network_disabled = true};
    struct result r = {0};
    assert_null(kj_docker_container_create(d, &spec, str_cb, &r, &err));
    assert_non_null(err);
    assert_int_equal(err->status, EINVAL);
    assert_non_null(strstr(err->msg, "network `kjob-net` with the network disabled"));
    kj_error_release(&err);
    kj_docker_free(d);
    assert_false(r.done);
    assert_null(F.body); /* nothing reached the engine */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_auto_remove_sets_host_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_auto_remove_by_default, setup, teardown),
        cmocka_unit_test_setup_teardown(test_network_disabled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_network_disabled_refuses_a_network, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
