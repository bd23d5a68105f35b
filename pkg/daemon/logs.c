/* GET /api/v1/namespaces/{ns}/pods/{name}/log: the pod container's output
 * from the engine (`kubectl logs [-f] [--tail N] [--timestamps]
 * [--since D]`), streamed with chunked encoding when following. */
#include "daemon/daemon-internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "apiserver/handlers.h"
#include "apiserver/request.h"
#include "apiserver/server.h"
#include "apiserver/status.h"
#include "controller/driver.h"
#include "docker/docker.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

struct log_stream {
    struct evhttp_request *ev;
    struct evhttp_connection *conn;
    kj_docker_req_t *h;
    bool follow;
    struct evbuffer *buf; /* collected output when not following */
};

static void stream_free(struct log_stream *ls)
{
    if (ls->conn != NULL)
        evhttp_connection_set_closecb(ls->conn, NULL, NULL);
    if (ls->buf != NULL)
        evbuffer_free(ls->buf);
    free(ls);
}

static void frame_cb(enum kj_docker_stream stream, const char *buf, size_t len, void *data)
{
    struct log_stream *ls = data;
    (void)stream;
    if (!ls->follow) {
        evbuffer_add(ls->buf, buf, len);
        return;
    }
    struct evbuffer *chunk = evbuffer_new();
    evbuffer_add(chunk, buf, len);
    evhttp_send_reply_chunk(ls->ev, chunk);
    evbuffer_free(chunk);
}

static void end_cb(kj_error_t err, void *data)
{
    struct log_stream *ls = data;
    if (ls->follow) {
        evhttp_send_reply_end(ls->ev);
    } else if (err != NULL) {
        int code = kj_error_http_status(err) == 404 ? 404 : 500;
        cleanup_cjson cJSON *st = kj_status_failure(code, NULL, err->msg, NULL, NULL, NULL);
        cleanup_free char *txt = cJSON_PrintUnformatted(st);
        struct evbuffer *b = evbuffer_new();
        evbuffer_add(b, txt, strlen(txt));
        struct evkeyvalq *h = evhttp_request_get_output_headers(ls->ev);
        evhttp_remove_header(h, "Content-Type");
        evhttp_add_header(h, "Content-Type", "application/json");
        evhttp_send_reply(ls->ev, code, NULL, b);
        evbuffer_free(b);
    } else {
        evhttp_send_reply(ls->ev, 200, "OK", ls->buf);
    }
    stream_free(ls);
}

static void close_cb(struct evhttp_connection *conn, void *data)
{
    struct log_stream *ls = data;
    (void)conn;
    kj_docker_cancel(ls->h);
    ls->conn = NULL;
    /* Detached by the client's close: ours to finish (see watch.c). */
    if (evhttp_request_get_connection(ls->ev) == NULL)
        evhttp_send_reply_end(ls->ev);
    stream_free(ls);
}

static int h_pod_log(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    struct kjobd *k = kj_apiserver_deps(req->srv)->arg;
    const char *ns = kj_route_param(&req->params, "namespace");
    const char *name = kj_route_param(&req->params, "name");
    if (kj_namespace_check(ns, err) < 0)
        return -1;
    cJSON *pod = kj_job_driver_pod(k->driver, ns, name);
    if (pod == NULL)
        return kj_http_resp_json(resp, 404, kj_status_not_found("pods", "", name));
    cJSON_Delete(pod);
    if (req->ev == NULL)
        return kj_make_http_error(err, 400, "logs need a connection");
    struct kj_docker_logs_opts o = {.want_stdout = true, .want_stderr = true, .tail = -1};
    int64_t tail = -1, since = 0;
    if (kj_query_bool(&req->query, "follow", false, &o.follow, err) < 0 ||
        kj_query_bool(&req->query, "timestamps", false, &o.timestamps, err) < 0 ||
        kj_query_int(&req->query, "tailLines", -1, &tail, err) < 0 ||
        kj_query_int(&req->query, "sinceSeconds", 0, &since, err) < 0)
        return -1;
    o.tail = tail > 0x7fffffff ? -1 : (int)tail;
    if (since > 0)
        o.since = (int64_t)time(NULL) - since;
    struct log_stream *ls = xcalloc(1, sizeof *ls);
    ls->ev = req->ev;
    ls->follow = o.follow;
    ls->buf = evbuffer_new();
    /* The container carries the pod's name (DESIGN.md). */
    ls->h = kj_docker_container_logs(k->docker, name, &o, frame_cb, end_cb, ls, err);
    if (ls->h == NULL) {
        stream_free(ls);
        return -1;
    }
    evhttp_add_header(evhttp_request_get_output_headers(req->ev), "Content-Type", "text/plain");
    if (ls->follow)
        evhttp_send_reply_start(req->ev, 200, "OK");
    ls->conn = evhttp_request_get_connection(req->ev);
    evhttp_connection_set_closecb(ls->conn, close_cb, ls);
    resp->hijacked = true;
    return 0;
}

static const struct kj_route routes[] = {
    {"GET", "/api/v1/namespaces/{namespace}/pods/{name}/log", h_pod_log, "pods"},
};

const struct kj_route *kj_daemon_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
