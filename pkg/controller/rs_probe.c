/* Readiness probes of ReplicaSet pods, run by kjobd on its loop: httpGet
 * with the evhttp client, tcpSocket with a non-blocking connect
 * (bufferevent), exec through the engine's exec API (docker/exec.h). The
 * threshold logic is pure (probe_sync.h). */
#include "controller/rs_driver-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/util.h>

#include "api/time.h"
#include "docker/exec.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

enum { POP_PROBE = 40 };

#define EXEC_POLL_MS 100

struct probe_run {
    struct rop *op; /* ns, pod; freed with the driver if still pending */
    int64_t epoch;
    int64_t deadline;
    char *exec_id;
    struct evhttp_connection *conn;
    struct bufferevent *bev;
};

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const cJSON *container0(struct kj_rs_driver *d, const struct rpod *p)
{
    return cJSON_GetArrayItem(get(get(kj_rs_pod_template(d, p), "spec"), "containers"), 0);
}

bool kj_rs_pod_ready(struct kj_rs_driver *d, struct rpod *p)
{
    if (p->state != KJ_POD_OBS_RUNNING)
        return false;
    struct kj_probe_spec spec;
    kj_probe_spec_parse(container0(d, p), &spec);
    if (spec.kind == KJ_PROBE_NONE)
        return true;
    return p->probe_epoch == p->started_at && p->probe.ready;
}

static void free_conn_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    evhttp_connection_free(arg);
}

/* One result: record it unless the pod restarted or went away meanwhile. */
static void finish(struct probe_run *run, bool ok)
{
    struct rop *op = run->op;
    struct kj_rs_driver *d = op->d;
    struct rpod *p = kj_rs_pod_find(d, op->ns, op->pod);
    if (p != NULL) {
        p->probe_busy = false;
        struct kj_probe_spec spec;
        kj_probe_spec_parse(container0(d, p), &spec);
        if (p->probe_epoch == run->epoch && spec.kind != KJ_PROBE_NONE &&
            kj_probe_record(&p->probe, &spec, ok)) {
            kj_log(KJ_LOG_INFO, "pod `%s/%s`: readiness probe %s: %s", p->ns, p->name,
                   ok ? "succeeded" : "failed", p->probe.ready ? "ready" : "not ready");
            kj_rs_trigger(d);
        }
    }
    if (run->conn != NULL) {
        struct timeval tv = {0, 0};
        event_base_once(d->base, -1, EV_TIMEOUT, free_conn_cb, run->conn, &tv);
    }
    if (run->bev != NULL)
        bufferevent_free(run->bev);
    free(run->exec_id);
    op->ext = NULL;
    free(run);
    kj_rs_op_free(op);
}

/* ---- httpGet ---- */

static void http_done_cb(struct evhttp_request *r, void *arg)
{
    int code = r != NULL ? evhttp_request_get_response_code(r) : 0;
    finish(arg, code >= 200 && code < 400);
}

static int start_http(struct kj_rs_driver *d, struct rpod *p, const struct kj_probe_spec *s,
                      struct probe_run *run)
{
    run->conn = evhttp_connection_base_new(d->base, NULL, p->ip, (unsigned short)s->port);
    if (run->conn == NULL)
        return -1;
    evhttp_connection_set_timeout(run->conn, (int)(s->timeout / INT64_C(1000000000)));
    evhttp_connection_set_retries(run->conn, 0);
    struct evhttp_request *req = evhttp_request_new(http_done_cb, run);
    char host[80];
    snprintf(host, sizeof host, "%s:%d", p->ip, s->port);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Host", host);
    evhttp_add_header(evhttp_request_get_output_headers(req), "User-Agent", "kube-probe/1.32");
    evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
    if (evhttp_make_request(run->conn, req, EVHTTP_REQ_GET, s->path) < 0) {
        evhttp_connection_free(run->conn);
        run->conn = NULL;
        return -1;
    }
    return 0;
}

/* ---- tcpSocket ---- */

static void tcp_event_cb(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    finish(arg, (what & BEV_EVENT_CONNECTED) != 0);
}

static int start_tcp(struct kj_rs_driver *d, struct rpod *p, const struct kj_probe_spec *s,
                     struct probe_run *run)
{
    char addr[80];
    snprintf(addr, sizeof addr, "%s:%d", p->ip, s->port);
    struct sockaddr_storage ss;
    int len = sizeof ss;
    if (evutil_parse_sockaddr_port(addr, (struct sockaddr *)&ss, &len) < 0)
        return -1;
    run->bev = bufferevent_socket_new(d->base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (run->bev == NULL)
        return -1;
    struct timeval tv = {(time_t)(s->timeout / INT64_C(1000000000)), 0};
    bufferevent_set_timeouts(run->bev, &tv, &tv);
    bufferevent_setcb(run->bev, NULL, NULL, tcp_event_cb, run);
    bufferevent_enable(run->bev, EV_WRITE);
    if (bufferevent_socket_connect(run->bev, (struct sockaddr *)&ss, len) < 0) {
        bufferevent_free(run->bev);
        run->bev = NULL;
        return -1;
    }
    return 0;
}

/* ---- exec ---- */

static void exec_poll(struct probe_run *run);

static void exec_inspect_cb(kj_error_t err, const cJSON *j, void *data)
{
    struct probe_run *run = data;
    if (err != NULL) {
        finish(run, false);
        return;
    }
    if (cJSON_IsTrue(get(j, "Running"))) {
        if (kj_time_now_ns() > run->deadline) {
            finish(run, false);
            return;
        }
        exec_poll(run);
        return;
    }
    const cJSON *code = get(j, "ExitCode");
    finish(run, cJSON_IsNumber(code) && code->valueint == 0);
}

static void exec_poll_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct probe_run *run = arg;
    kj_error_t err = NULL;
    if (kj_docker_exec_inspect(run->op->d->docker, run->exec_id, exec_inspect_cb, run, &err) ==
        NULL) {
        kj_error_release(&err);
        finish(run, false);
    }
}

static void exec_poll(struct probe_run *run)
{
    struct timeval tv = {0, EXEC_POLL_MS * 1000};
    if (event_base_once(run->op->d->base, -1, EV_TIMEOUT, exec_poll_cb, run, &tv) < 0)
        finish(run, false);
}

static void exec_started_cb(kj_error_t err, void *data)
{
    struct probe_run *run = data;
    if (err != NULL) {
        finish(run, false);
        return;
    }
    exec_poll(run);
}

static void exec_created_cb(kj_error_t err, const char *id, void *data)
{
    struct probe_run *run = data;
    if (err != NULL) {
        finish(run, false);
        return;
    }
    run->exec_id = xstrdup(id);
    kj_error_t e2 = NULL;
    if (kj_docker_exec_start(run->op->d->docker, id, exec_started_cb, run, &e2) == NULL) {
        kj_error_release(&e2);
        finish(run, false);
    }
}

static int start_exec(struct kj_rs_driver *d, struct rpod *p, const struct kj_probe_spec *s,
                      struct probe_run *run)
{
    kj_error_t err = NULL;
    if (kj_docker_exec_create(d->docker, p->cid, s->command, exec_created_cb, run, &err) == NULL) {
        kj_error_release(&err);
        return -1;
    }
    return 0;
}

/* ---- scheduling ---- */

void kj_rs_probes_tick(struct kj_rs_driver *d)
{
    int64_t now = kj_time_now_ns();
    for (int i = 0; i < d->npods; i++) {
        struct rpod *p = d->pods[i];
        if (p->state != KJ_POD_OBS_RUNNING || p->cid == NULL || p->deleting)
            continue;
        struct kj_probe_spec spec;
        kj_probe_spec_parse(container0(d, p), &spec);
        if (spec.kind == KJ_PROBE_NONE)
            continue;
        if (p->probe_epoch != p->started_at) {
            /* A new run of the container: readiness starts over. */
            memset(&p->probe, 0, sizeof p->probe);
            p->probe_epoch = p->started_at;
            p->probe_next = (p->started_at != 0 ? p->started_at : now) + spec.initial_delay;
            kj_rs_trigger(d);
        }
        if (p->probe_busy || now < p->probe_next ||
            (spec.kind != KJ_PROBE_EXEC && (p->ip == NULL || p->svc_busy)))
            continue;
        p->probe_next = now + spec.period;
        struct probe_run *run = xcalloc(1, sizeof *run);
        run->op = kj_rs_op_new(d, POP_PROBE, p->ns, p->name, p->owner_uid);
        run->op->ext = run;
        run->epoch = p->probe_epoch;
        run->deadline = now + spec.timeout;
        int rc = spec.kind == KJ_PROBE_HTTP_GET     ? start_http(d, p, &spec, run)
                 : spec.kind == KJ_PROBE_TCP_SOCKET ? start_tcp(d, p, &spec, run)
                                                    : start_exec(d, p, &spec, run);
        p->probe_busy = true;
        if (rc < 0)
            finish(run, false);
    }
}
