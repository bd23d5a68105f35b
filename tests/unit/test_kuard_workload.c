/* kuard's moving parts: the keygen workload thread (small keys, a fake exit
 * hook), and the HTTP server on a real loopback socket driven by libcurl,
 * including the memq consumer loop against it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kuard/client.h"
#include "kuard/golog.h"
#include "kuard/keygen.h"
#include "kuard/server.h"
#include "util/cleanup.h"

static atomic_int exit_calls;
static atomic_int exit_code_seen;

static void fake_exit(int code)
{
    atomic_store(&exit_code_seen, code);
    atomic_fetch_add(&exit_calls, 1);
}

static int group_setup(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    curl_global_cleanup();
    return 0;
}

static FILE *log_file;

static int setup(void **state)
{
    (void)state;
    atomic_store(&exit_calls, 0);
    atomic_store(&exit_code_seen, -1);
    log_file = tmpfile();
    kj_kuard_log_set_sink(log_file);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    kj_kuard_log_set_sink(NULL);
    fclose(log_file);
    return 0;
}

static struct kj_kuard_keygen *small_keygen(void)
{
    struct kj_kuard_keygen *kg = kj_kuard_keygen_new();
    kj_kuard_keygen_set_bits(kg, 512); /* fast; the size does not change the loop */
    kj_kuard_keygen_set_exit_cb(kg, fake_exit);
    return kg;
}

/* History lines as one string joined by '\n'. Owned. */
static char *history_text(struct kj_kuard_keygen *kg)
{
    cJSON *st = kj_kuard_keygen_status_json(kg);
    assert_non_null(st);
    size_t cap = 1, len = 0;
    char *out = calloc(1, 1);
    const cJSON *h;
    cJSON_ArrayForEach(h, cJSON_GetObjectItem(st, "history"))
    {
        const char *d = cJSON_GetObjectItem(h, "data")->valuestring;
        cap += strlen(d) + 1;
        out = realloc(out, cap);
        len += (size_t)snprintf(out + len, cap - len, "%s\n", d);
    }
    cJSON_Delete(st);
    return out;
}

static int count_substr(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

static void test_standalone_runs_then_exits(void **state)
{
    (void)state;
    struct kj_kuard_keygen *kg = small_keygen();
    struct kj_kuard_keygen_config c;
    kj_kuard_keygen_config_init(&c);
    c.enable = true;
    c.num_to_gen = 3;
    c.exit_on_complete = true;
    c.exit_code = 7;
    kj_kuard_keygen_load_config(kg, &c);
    assert_int_equal(kj_kuard_keygen_wait_idle(kg, 20000), 0);
    assert_int_equal(atomic_load(&exit_calls), 1);
    assert_int_equal(atomic_load(&exit_code_seen), 7);
    cleanup_free char *h = history_text(kg);
    assert_memory_equal(h, "(ID 0) Workload starting\n(ID 0 1/3) Item done: SHA256:", 53);
    assert_non_null(strstr(h, "\n(ID 0 3/3) Item done: SHA256:"));
    assert_int_equal(count_substr(h, "Item done: SHA256:"), 3);
    assert_non_null(strstr(h, "\n(ID 0) Workload exiting\n"));

    /* The same lines went to the log in Go's format. */
    fflush(log_file);
    rewind(log_file);
    char line[256];
    assert_non_null(fgets(line, sizeof(line), log_file));
    int y, mo, d, hh, mm, ss;
    char rest[128];
    assert_int_equal(sscanf(line, "%4d/%2d/%2d %2d:%2d:%2d %127[^\n]", &y, &mo, &d, &hh, &mm, &ss, rest), 7);
    assert_string_equal(rest, "(ID 0) Workload starting");
    assert_int_equal(line[4], '/');
    assert_int_equal(line[19], ' ');

    /* The config is reported back as given. */
    cJSON *st = kj_kuard_keygen_status_json(kg);
    cleanup_free char *js = cJSON_PrintUnformatted(cJSON_GetObjectItem(st, "config"));
    assert_string_equal(js, "{\"enable\":true,\"numToGen\":3,\"timeToRun\":0,\"memQServer\":\"\","
                            "\"memQQueue\":\"\",\"exitOnComplete\":true,\"exitCode\":7}");
    cJSON_Delete(st);
    kj_kuard_keygen_config_free(&c);
    kj_kuard_keygen_free(kg);
}

static void test_time_left_and_no_exit(void **state)
{
    (void)state;
    struct kj_kuard_keygen *kg = small_keygen();
    struct kj_kuard_keygen_config c;
    kj_kuard_keygen_config_init(&c);
    c.enable = true;
    c.num_to_gen = 1;
    c.time_to_run = 100;
    kj_kuard_keygen_load_config(kg, &c);
    assert_int_equal(kj_kuard_keygen_wait_idle(kg, 20000), 0);
    assert_int_equal(atomic_load(&exit_calls), 0); /* no exit-on-complete */
    cleanup_free char *h = history_text(kg);
    assert_non_null(strstr(h, "\n(ID 0 1/1 1 minute left) Item done: SHA256:"));
    kj_kuard_keygen_config_free(&c);
    kj_kuard_keygen_free(kg);
}

static void test_restart_cancels_and_bumps_id(void **state)
{
    (void)state;
    struct kj_kuard_keygen *kg = small_keygen();
    struct kj_kuard_keygen_config c;
    kj_kuard_keygen_config_init(&c);
    c.enable = true; /* unlimited */
    c.exit_on_complete = true;
    kj_kuard_keygen_load_config(kg, &c);
    /* Poll (with a deadline) until the infinite loop made a key. */
    for (int i = 0; i < 200; i++) {
        cleanup_free char *h = history_text(kg);
        if (strstr(h, "(ID 0 1/Inf) Item done: SHA256:") != NULL)
            break;
        usleep(50000);
    }
    c.enable = false;
    kj_kuard_keygen_load_config(kg, &c);
    assert_int_equal(kj_kuard_keygen_wait_idle(kg, 20000), 0);
    c.enable = true;
    c.num_to_gen = 1;
    c.exit_on_complete = false;
    kj_kuard_keygen_load_config(kg, &c);
    assert_int_equal(kj_kuard_keygen_wait_idle(kg, 20000), 0);
    cleanup_free char *h = history_text(kg);
    /* Only the last 20 lines are kept, and 512-bit keys are quick. */
    assert_non_null(strstr(h, "/Inf) Item done: SHA256:"));
    assert_non_null(strstr(h, "(ID 0) Workload exiting\n(ID 1) Workload starting\n"));
    assert_non_null(strstr(h, "(ID 1 1/1) Item done: SHA256:"));
    /* A cancelled workload never exits the process. */
    assert_int_equal(atomic_load(&exit_calls), 0);
    kj_kuard_keygen_config_free(&c);
    kj_kuard_keygen_free(kg);
}

static void test_history_keeps_last_20(void **state)
{
    (void)state;
    struct kj_kuard_keygen *kg = small_keygen();
    char line[32];
    for (int i = 0; i < 25; i++) {
        snprintf(line, sizeof(line), "line %d", i);
        kj_kuard_keygen_output(kg, line);
    }
    cJSON *st = kj_kuard_keygen_status_json(kg);
    const cJSON *hist = cJSON_GetObjectItem(st, "history");
    assert_int_equal(cJSON_GetArraySize(hist), KJ_KUARD_KEYGEN_HISTORY);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(hist, 0), "id")->valueint, 5);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(hist, 19), "data")->valuestring, "line 24");
    cJSON_Delete(st);
    kj_kuard_keygen_free(kg);
}

/* ---- HTTP server on a loop thread ---- */

struct loop {
    struct event_base *base;
    struct kj_kuard_server *srv;
    struct event *stop_ev;
    int pipefd[2];
    pthread_t tid;
    char base_url[64];
};

static void stop_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    event_base_loopbreak(arg);
}

static void *loop_main(void *arg)
{
    struct loop *l = arg;
    event_base_dispatch(l->base);
    return NULL;
}

static void loop_start(struct loop *l, struct kj_kuard_keygen *kg)
{
    static char *argv[] = {"/kuard", "--address=127.0.0.1:0", NULL};
    l->base = event_base_new();
    assert_non_null(l->base);
    struct kj_kuard_server_opts opts = {
        .address = "127.0.0.1:0", .argc = 2, .argv = argv, .kg = kg, .readiness_fail_next = 1};
    kj_error_t err = NULL;
    l->srv = kj_kuard_server_new(l->base, &opts, &err);
    assert_non_null(l->srv);
    snprintf(l->base_url, sizeof(l->base_url), "http://127.0.0.1:%d", kj_kuard_server_port(l->srv));
    assert_int_equal(pipe(l->pipefd), 0);
    l->stop_ev = event_new(l->base, l->pipefd[0], EV_READ, stop_cb, l->base);
    event_add(l->stop_ev, NULL);
    assert_int_equal(pthread_create(&l->tid, NULL, loop_main, l), 0);
}

static void loop_stop(struct loop *l)
{
    assert_int_equal(write(l->pipefd[1], "x", 1), 1);
    pthread_join(l->tid, NULL);
    event_free(l->stop_ev);
    close(l->pipefd[0]);
    close(l->pipefd[1]);
    kj_kuard_server_free(l->srv);
    event_base_free(l->base);
}

struct resp {
    long status;
    char body[4096];
    size_t len;
    char headers[4096];
    size_t hlen;
};

static size_t collect_cb(char *data, size_t size, size_t n, void *ud)
{
    struct resp *r = ud;
    size_t len = size * n, room = sizeof(r->body) - 1 - r->len;
    size_t take = len < room ? len : room;
    memcpy(r->body + r->len, data, take);
    r->len += take;
    r->body[r->len] = '\0';
    return len;
}

static size_t header_collect_cb(char *data, size_t size, size_t n, void *ud)
{
    struct resp *r = ud;
    size_t len = size * n, room = sizeof(r->headers) - 1 - r->hlen;
    size_t take = len < room ? len : room;
    memcpy(r->headers + r->hlen, data, take);
    r->hlen += take;
    r->headers[r->hlen] = '\0';
    return len;
}

static void http(const struct loop *l, const char *method, const char *path, const char *body,
                 struct resp *r)
{
    memset(r, 0, sizeof(*r));
    char url[256];
    snprintf(url, sizeof(url), "%s%s", l->base_url, path);
    CURL *h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (body != NULL)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect_cb);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_collect_cb);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    assert_int_equal(curl_easy_perform(h), CURLE_OK);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_cleanup(h);
}

static void test_server_routes(void **state)
{
    (void)state;
    struct kj_kuard_keygen *kg = small_keygen();
    struct loop l;
    loop_start(&l, kg);
    struct resp r;

    http(&l, "GET", "/healthy", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "ok");
    http(&l, "GET", "/b/ready", NULL, &r); /* --readiness-fail-next=1 */
    assert_int_equal(r.status, 500);
    assert_string_equal(r.body, "fail, 0 left");
    http(&l, "GET", "/ready", NULL, &r);
    assert_int_equal(r.status, 200);

    http(&l, "GET", "/nope", NULL, &r);
    assert_int_equal(r.status, 404);
    assert_string_equal(r.body, "404 page not found\n");
    assert_non_null(strstr(r.headers, "Content-Type: text/plain; charset=utf-8\r\n"));
    assert_non_null(strstr(r.headers, "X-Content-Type-Options: nosniff\r\n"));

    http(&l, "GET", "/memq/server/queues/q/enqueue", NULL, &r);
    assert_int_equal(r.status, 405);
    assert_string_equal(r.body, "Method Not Allowed\n");
    assert_non_null(strstr(r.headers, "Allow: POST, OPTIONS\r\n"));
    http(&l, "OPTIONS", "/memq/server/queues/q", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.headers, "Allow: PUT, DELETE, OPTIONS\r\n"));
    http(&l, "GET", "/memq/server/stats/", NULL, &r);
    assert_int_equal(r.status, 301);
    assert_non_null(strstr(r.headers, "Location: /memq/server/stats\r\n"));

    http(&l, "PUT", "/memq/server/queues/q", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.len, 0);
    http(&l, "PUT", "/a/memq/server/queues/q", NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(r.body, "already exists\n");
    http(&l, "POST", "/memq/server/queues/q/enqueue", "work-item-0", &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.headers, "Content-Type: application/json\r\n"));
    assert_non_null(strstr(r.headers, "Cache-Control: no-cache, private, max-age=0\r\n"));
    assert_memory_equal(r.body, "{\"kind\":\"message\",\"id\":\"", 24);
    assert_non_null(strstr(r.body, "\",\"body\":\"work-item-0\",\"creationTimestamp\":\""));
    assert_int_equal(r.body[r.len - 1], '\n');
    http(&l, "POST", "/c/memq/server/queues/q/dequeue", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"body\":\"work-item-0\""));
    http(&l, "POST", "/memq/server/queues/q/dequeue", NULL, &r);
    assert_int_equal(r.status, 204);
    assert_int_equal(r.len, 0);
    http(&l, "GET", "/memq/server/stats", NULL, &r);
    assert_string_equal(r.body, "{\"kind\":\"stats\",\"queues\":[{\"name\":\"q\",\"depth\":0,\"enqueued\":1,"
                                "\"dequeued\":1,\"drained\":0}]}\n");
    http(&l, "DELETE", "/memq/server/queues/q", NULL, &r);
    assert_int_equal(r.status, 200);
    http(&l, "POST", "/memq/server/queues/q/drain", NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(r.body, "does not exist\n");

    http(&l, "GET", "/env/api", NULL, &r);
    assert_memory_equal(r.body, "{\"commandLine\":[\"/kuard\",\"--address=127.0.0.1:0\"],\"env\":{", 57);
    http(&l, "PUT", "/keygen", "{bad", &r);
    assert_int_equal(r.status, 400);
    http(&l, "PUT", "/keygen", "{\"enable\":false,\"numToGen\":4}", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"config\":{\"enable\":false,\"numToGen\":4,\"timeToRun\":0,\"memQServer\":\"\","
                                "\"memQQueue\":\"\",\"exitOnComplete\":false,\"exitCode\":0},\"history\":[]}\n");
    http(&l, "PUT", "/ready/api", "{\"failNext\":-1}", &r);
    assert_int_equal(r.status, 200);
    assert_memory_equal(r.body, "{\"probePath\":\"\",\"failNext\":-1,\"history\":[{\"id\":2,", 49);

    loop_stop(&l);
    kj_kuard_keygen_free(kg);

    /* Every request was logged as "<addr> <METHOD> <url>". */
    fflush(log_file);
    rewind(log_file);
    char line[512];
    int seen = 0;
    while (fgets(line, sizeof(line), log_file) != NULL)
        seen += strstr(line, " 127.0.0.1:") != NULL && strstr(line, " POST /c/memq/server/queues/q/dequeue\n");
    assert_int_equal(seen, 1);
}

static void test_memq_client_and_worker(void **state)
{
    (void)state;
    struct kj_kuard_keygen *kg = small_keygen();
    struct loop l;
    loop_start(&l, kg);
    char server[128];
    snprintf(server, sizeof(server), "%s/memq/server", l.base_url);
    kj_error_t err = NULL;
    struct kj_kuard_memq_client *c = kj_kuard_memq_client_new(server, "kg", &err);
    assert_non_null(c);
    assert_true(kj_kuard_memq_client_dequeue(c, &err) < 0);
    assert_string_equal(err->msg, "HTTP Error: 400 Bad Request");
    kj_error_release(&err);

    struct resp r;
    http(&l, "PUT", "/memq/server/queues/kg", NULL, &r);
    assert_int_equal(kj_kuard_memq_client_dequeue(c, &err), KJ_KUARD_MEMQ_EMPTY);
    for (int i = 0; i < 2; i++)
        http(&l, "POST", "/memq/server/queues/kg/enqueue", "item", &r);
    assert_int_equal(kj_kuard_memq_client_dequeue(c, &err), KJ_KUARD_MEMQ_GOT);
    kj_kuard_memq_client_free(c);

    /* A trailing slash on the base URL goes through the 307 redirect. */
    snprintf(server, sizeof(server), "%s/memq/server/", l.base_url);
    struct kj_kuard_keygen_config kc;
    kj_kuard_keygen_config_init(&kc);
    kc.enable = true;
    kc.exit_on_complete = true;
    kc.exit_code = 5;
    free(kc.memq_server);
    kc.memq_server = strdup(server);
    free(kc.memq_queue);
    kc.memq_queue = strdup("kg");
    kj_kuard_keygen_load_config(kg, &kc);
    assert_int_equal(kj_kuard_keygen_wait_idle(kg, 20000), 0);
    assert_int_equal(atomic_load(&exit_code_seen), 5);
    cleanup_free char *h = history_text(kg);
    /* One item was left after the client test took the first one; on the
     * empty queue the worker exits without logging anything. */
    assert_memory_equal(h, "MemQ Worker starting\nItem done: SHA256:", 39);
    assert_int_equal(count_substr(h, "\n"), 2);
    http(&l, "GET", "/memq/server/stats", NULL, &r);
    assert_string_equal(r.body, "{\"kind\":\"stats\",\"queues\":[{\"name\":\"kg\",\"depth\":0,\"enqueued\":2,"
                                "\"dequeued\":2,\"drained\":0}]}\n");

    /* Unreachable server: a transport error, retried (here: cancelled). */
    c = kj_kuard_memq_client_new("http://127.0.0.1:1/memq/server", "kg", &err);
    assert_true(kj_kuard_memq_client_dequeue(c, &err) < 0);
    assert_memory_equal(err->msg, "Post http://127.0.0.1:1/memq/server/queues/kg/dequeue: ", 55);
    kj_error_release(&err);
    kj_kuard_memq_client_free(c);

    kj_kuard_keygen_config_free(&kc);
    loop_stop(&l);
    kj_kuard_keygen_free(kg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_standalone_runs_then_exits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_time_left_and_no_exit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restart_cancels_and_bumps_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history_keeps_last_20, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_routes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memq_client_and_worker, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
