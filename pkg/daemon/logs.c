/* GET /api/v1/namespaces/{ns}/pods/{name}/log: the pod container's output
 * from the engine (`kubectl logs [-f] [--tail N] [--timestamps]
 * [--since D] [--previous]`), streamed with chunked encoding when following.
 *
 * A container restarted in place (restartPolicy OnFailure/Always) keeps one
 * engine log across its runs, so the runs are told apart by time: the
 * current run's lines are those stamped at or after its startedAt, the
 * previous run's (--previous) those from lastState.terminated.startedAt up to
 * then. The engine is asked for timestamps to filter on; they are stripped
 * again unless the client asked for them. --tail counts lines before the
 * filter (the engine applies it).
 *
 * `container` picks one container of a pod group (pod_group.h): its own
 * Docker container and its own status give the runs. Without it a pod of
 * several containers is refused, as kube-apiserver refuses it (kubectl
 * always names one). */
#include "daemon/daemon-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "apiserver/conns.h" /* kj_apiserver_on_close */
#include "apiserver/handlers.h"
#include "apiserver/request.h"
#include "apiserver/server.h"
#include "apiserver/status.h"
#include "controller/driver.h"
#include "controller/pod_group.h" /* kj_pod_container_ref */
#include "controller/rs_driver.h"
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
    bool window;          /* filter lines on [from, to) (Unix seconds) */
    int64_t from, to;     /* to 0 = open */
    bool strip_ts;        /* timestamps requested only for the filter */
};

/* Unix seconds of a line's leading engine timestamp, -1 if none. */
static int64_t line_seconds(const char *buf, size_t len)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (len < 20)
        return -1;
    char head[20];
    memcpy(head, buf, 19);
    head[19] = '\0';
    const char *end = strptime(head, "%Y-%m-%dT%H:%M:%S", &tm);
    if (end == NULL || *end != '\0')
        return -1;
    return (int64_t)timegm(&tm);
}

/* Apply the run window to one frame (one line with its timestamp). Returns
 * false to drop it; may advance *buf past the timestamp. */
static bool window_filter(const struct log_stream *ls, const char **buf, size_t *len)
{
    if (!ls->window)
        return true;
    int64_t t = line_seconds(*buf, *len);
    if (t >= 0 && (t < ls->from || (ls->to > 0 && t >= ls->to)))
        return false;
    if (ls->strip_ts) {
        const char *sp = memchr(*buf, ' ', *len);
        if (sp != NULL) {
            *len -= (size_t)(sp + 1 - *buf);
            *buf = sp + 1;
        }
    }
    return true;
}

static void stream_free(struct log_stream *ls)
{
    if (ls->conn != NULL)
        kj_apiserver_on_close_cancel(ls->conn);
    if (ls->buf != NULL)
        evbuffer_free(ls->buf);
    free(ls);
}

static void frame_cb(enum kj_docker_stream stream, const char *buf, size_t len, void *data)
{
    struct log_stream *ls = data;
    (void)stream;
    if (!window_filter(ls, &buf, &len))
        return;
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

/* Where the runs of one container of a pod start, from its status. */
struct run_window {
    const char *waiting; /* never ran yet: its waiting reason (borrowed) */
    int64_t restarts;
    int64_t cur_from;  /* current run's startedAt, 0 if unknown */
    int64_t prev_from; /* lastState.terminated.startedAt, -1 if none */
};

static int64_t state_started(const cJSON *state)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(state, "running");
    if (s == NULL)
        s = cJSON_GetObjectItemCaseSensitive(state, "terminated");
    const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "startedAt"));
    size_t n = t ? strlen(t) : 0;
    return n >= 19 ? line_seconds(t, n + 1 > 20 ? n : 20) : -1;
}

/* The status of container `name`, an init container's included; NULL if the
 * pod reports none (yet). */
static const cJSON *status_of(const cJSON *pod, const char *name)
{
    static const char *const lists[] = {"containerStatuses", "initContainerStatuses"};
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(pod, "status");
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        const cJSON *cs;
        cJSON_ArrayForEach(cs, cJSON_GetObjectItemCaseSensitive(status, lists[i]))
        {
            const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cs, "name"));
            if (n != NULL && strcmp(n, name) == 0)
                return cs;
        }
    }
    return NULL;
}

static void run_window_of(const cJSON *pod, const char *container, struct run_window *w)
{
    memset(w, 0, sizeof *w);
    w->prev_from = -1;
    const cJSON *cs = status_of(pod, container);
    const cJSON *rc = cJSON_GetObjectItemCaseSensitive(cs, "restartCount");
    w->restarts = cJSON_IsNumber(rc) ? (int64_t)rc->valuedouble : 0;
    int64_t cur = state_started(cJSON_GetObjectItemCaseSensitive(cs, "state"));
    w->cur_from = cur > 0 ? cur : 0;
    const cJSON *wait = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cs, "state"), "waiting");
    if (wait != NULL && w->restarts == 0 && cJSON_GetObjectItemCaseSensitive(cs, "containerID") == NULL) {
        const char *r = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(wait, "reason"));
        w->waiting = r != NULL ? r : "ContainerCreating";
    }
    const cJSON *last = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cs, "lastState"),
                                                         "terminated");
    if (last != NULL) {
        int64_t p = state_started(cJSON_GetObjectItemCaseSensitive(cs, "lastState"));
        w->prev_from = p > 0 ? p : 0;
        /* Waiting to be restarted: the latest run is the one that ended,
         * so the current logs are its logs (as the kubelet serves them). */
        if (cur <= 0)
            w->cur_from = w->prev_from;
    }
}

/* kube-apiserver's validateContainer: a container must be named when the
 * pod has several (all names listed, init containers first, as Go prints a
 * []string); otherwise the named one must exist. Fills *name (owned) with
 * the container and *ref (owned) with its Docker container. */
int kj_daemon_pick_container(const cJSON *pod, const char *pod_name, const char *want,
                             char **name, char **ref, kj_error_t *err)
{
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(pod, "spec");
    const cJSON *mains = cJSON_GetObjectItemCaseSensitive(spec, "containers");
    if ((want == NULL || want[0] == '\0') && cJSON_GetArraySize(mains) > 1) {
        char *names = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&names, &len);
        if (f == NULL)
            return kj_make_error(err, errno, "open_memstream");
        static const char *const lists[] = {"initContainers", "containers"};
        bool first = true;
        for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
            const cJSON *c;
            cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(spec, lists[i]))
            {
                const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "name"));
                fprintf(f, "%s%s", first ? "" : " ", n != NULL ? n : "");
                first = false;
            }
        }
        fclose(f);
        kj_make_http_error(err, 400, "a container name must be specified for pod %s, choose one of: [%s]",
                           pod_name, names);
        free(names);
        return -1;
    }
    *ref = kj_pod_container_ref(spec, pod_name, want, err);
    if (*ref == NULL)
        return -1;
    const char *n = want;
    if (n == NULL || n[0] == '\0')
        n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(mains, 0), "name"));
    *name = xstrdup(n != NULL ? n : "");
    return 0;
}

static int h_pod_log(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    struct kjobd *k = kj_apiserver_deps(req->srv)->arg;
    const char *ns = kj_route_param(&req->params, "namespace");
    const char *name = kj_route_param(&req->params, "name");
    if (kj_namespace_check(ns, err) < 0)
        return -1;
    cJSON *pod = kj_daemon_pod(k, ns, name);
    if (pod == NULL)
        return kj_http_resp_json(resp, 404, kj_status_not_found("pods", "", name));
    bool previous = false;
    cleanup_free char *cname = NULL, *ref = NULL;
    if (kj_query_bool(&req->query, "previous", false, &previous, err) < 0 ||
        kj_daemon_pick_container(pod, name, kj_query_get(&req->query, "container"), &cname, &ref,
                                 err) < 0) {
        cJSON_Delete(pod);
        return -1;
    }
    struct run_window w;
    run_window_of(pod, cname, &w);
    /* A member of a group not created yet has no Docker container: the
     * kubelet's answer rather than the engine's 404. A lone pod's container
     * is created with the pod, so its (empty) logs are served as before. */
    if (w.waiting != NULL && strcmp(ref, name) != 0) {
        kj_make_http_error(err, 400, "container \"%s\" in pod \"%s\" is waiting to start: %s", cname,
                           name, w.waiting);
        cJSON_Delete(pod);
        return -1;
    }
    cJSON_Delete(pod);
    if (previous && w.prev_from < 0)
        return kj_make_http_error(err, 400, "previous terminated container \"%s\" in pod \"%s\" not found",
                                  cname, name);
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
    if (previous || w.restarts > 0) {
        ls->window = true;
        ls->from = previous ? w.prev_from : w.cur_from;
        ls->to = previous ? w.cur_from : 0;
        ls->strip_ts = !o.timestamps;
        o.timestamps = true;
        if (previous)
            o.follow = false;
    }
    ls->ev = req->ev;
    ls->follow = o.follow;
    ls->buf = evbuffer_new();
    /* The pod's name, or <pod>_<container> in a group (pod_group.h). */
    ls->h = kj_docker_container_logs(k->docker, ref, &o, frame_cb, end_cb, ls, err);
    if (ls->h == NULL) {
        stream_free(ls);
        return -1;
    }
    evhttp_add_header(evhttp_request_get_output_headers(req->ev), "Content-Type", "text/plain");
    if (ls->follow) {
        kj_apiserver_streaming(req->ev);
        evhttp_send_reply_start(req->ev, 200, "OK");
    }
    ls->conn = evhttp_request_get_connection(req->ev);
    kj_apiserver_on_close(ls->conn, close_cb, ls);
    resp->hijacked = true;
    return 0;
}

cJSON *kj_daemon_pod(struct kjobd *k, const char *ns, const char *name)
{
    cJSON *pod = kj_job_driver_pod(k->driver, ns, name);
    return pod != NULL ? pod : kj_rs_driver_pod(k->rs, ns, name);
}

#define POD "/api/v1/namespaces/{namespace}/pods/{name}"
static const struct kj_route routes[] = {
    {"GET", POD "/log", h_pod_log, "pods"},
    /* kubectl tries a WebSocket GET first, then SPDY with a POST. */
    {"GET", POD "/exec", kj_daemon_h_pod_stream, "pods"},
    {"POST", POD "/exec", kj_daemon_h_pod_stream, "pods"},
    {"GET", POD "/attach", kj_daemon_h_pod_stream, "pods"},
    {"POST", POD "/attach", kj_daemon_h_pod_stream, "pods"},
    {"GET", POD "/portforward", kj_daemon_h_pod_stream, "pods"},
    {"POST", POD "/portforward", kj_daemon_h_pod_stream, "pods"},
};

const struct kj_route *kj_daemon_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
