/* Watch streams of stored resources (?watch=true): Kubernetes' chunked
 * stream of {"type":"ADDED|MODIFIED|DELETED","object":{...}} lines, fed by
 * the store's watch (store.h). Ends at timeoutSeconds (default 30 min, as
 * kube-apiserver picks) or when the client goes away. */
#include "apiserver/watch.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "apiserver/filter.h"
#include "apiserver/server.h"
#include "apiserver/status.h"
#include "store/store.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

struct watch_stream {
    struct kj_store *store;
    struct kj_store_watch *w;
    struct evhttp_request *ev;
    struct evhttp_connection *conn;
    struct event *timeout;
    struct kj_filter filter;
    char *resource; /* owned */
};

static void stream_free(struct watch_stream *ws)
{
    if (ws->w != NULL)
        kj_store_unwatch(ws->store, ws->w);
    if (ws->timeout != NULL)
        event_free(ws->timeout);
    kj_filter_clear(&ws->filter);
    free(ws->resource);
    free(ws);
}

static void send_event(struct watch_stream *ws, const char *type, const cJSON *obj)
{
    cleanup_cjson cJSON *line = cJSON_CreateObject();
    cJSON_AddStringToObject(line, "type", type);
    cJSON *copy = cJSON_Duplicate(obj, 1);
    kj_apiserver_strip_private(copy);
    cJSON_AddItemToObject(line, "object", copy);
    cleanup_free char *txt = cJSON_PrintUnformatted(line);
    struct evbuffer *buf = evbuffer_new();
    evbuffer_add(buf, txt, strlen(txt));
    evbuffer_add(buf, "\n", 1);
    evhttp_send_reply_chunk(ws->ev, buf);
    evbuffer_free(buf);
}

static void store_cb(const struct kj_store_event *e, void *data)
{
    struct watch_stream *ws = data;
    if (!kj_filter_matches(&ws->filter, e->object))
        return;
    send_event(ws, kj_store_event_type_name(e->type), e->object);
}

static void close_cb(struct evhttp_connection *conn, void *data)
{
    struct watch_stream *ws = data;
    (void)conn;
    /* A client that went away mid-stream leaves the request detached from
     * its connection and ours to finish (libevent frees it then); at
     * shutdown the connection still owns it and frees it itself. */
    if (evhttp_request_get_connection(ws->ev) == NULL)
        evhttp_send_reply_end(ws->ev);
    stream_free(ws);
}

static void timeout_cb(evutil_socket_t fd, short what, void *data)
{
    struct watch_stream *ws = data;
    (void)fd;
    (void)what;
    evhttp_connection_set_closecb(ws->conn, NULL, NULL);
    evhttp_send_reply_end(ws->ev);
    stream_free(ws);
}

struct initial_ctx {
    struct watch_stream *ws;
};

static int initial_cb(const char *ns, const char *name, const cJSON *obj, void *data)
{
    struct watch_stream *ws = data;
    (void)ns;
    (void)name;
    if (kj_filter_matches(&ws->filter, obj))
        send_event(ws, "ADDED", obj);
    return 0;
}

int kj_watch_start(struct kj_http_req *req, struct kj_http_resp *resp, const char *resource,
                   const struct kj_list_opts *opts, kj_error_t *err)
{
    struct kj_store *store = kj_apiserver_deps(req->srv)->store;
    const char *ns = kj_route_param(&req->params, "namespace");
    if (req->ev == NULL)
        return kj_make_http_error(err, 400, "watch needs a connection");
    uint64_t since = 0;
    if (opts->resource_version != NULL && opts->resource_version[0] != '\0') {
        char *end = NULL;
        since = strtoull(opts->resource_version, &end, 10);
        if (*end != '\0')
            return kj_make_http_error(err, 400, "invalid resourceVersion \"%s\"", opts->resource_version);
    }
    struct watch_stream *ws = xcalloc(1, sizeof *ws);
    ws->store = store;
    ws->ev = req->ev;
    ws->resource = xstrdup(resource);
    if (kj_filter_from_opts(opts, &ws->filter, err) < 0) {
        stream_free(ws);
        return -1;
    }
    struct evkeyvalq *out = evhttp_request_get_output_headers(req->ev);
    evhttp_add_header(out, "Content-Type", "application/json");
    evhttp_add_header(out, "Cache-Control", "no-cache, private");
    /* Check the resourceVersion before answering 200: a stale one is 410. */
    if (since != 0) {
        ws->w = kj_store_watch(store, resource, ns, since, store_cb, ws, err);
        if (ws->w == NULL) {
            stream_free(ws);
            return -1;
        }
    }
    evhttp_send_reply_start(req->ev, 200, "OK");
    if (since == 0) {
        /* No resourceVersion: the current objects first, as ADDED. */
        kj_store_list(store, resource, ns, initial_cb, ws);
        ws->w = kj_store_watch(store, resource, ns, 0, store_cb, ws, err);
        if (ws->w == NULL) {
            kj_error_log_release(err, "watch");
            evhttp_send_reply_end(req->ev);
            stream_free(ws);
            resp->hijacked = true;
            return 0;
        }
    }
    ws->conn = evhttp_request_get_connection(req->ev);
    evhttp_connection_set_closecb(ws->conn, close_cb, ws);
    int64_t secs = opts->timeout_seconds > 0 ? opts->timeout_seconds : 1800;
    ws->timeout = evtimer_new(evhttp_connection_get_base(ws->conn), timeout_cb, ws);
    struct timeval tv = {(time_t)secs, 0};
    evtimer_add(ws->timeout, &tv);
    resp->hijacked = true;
    return 0;
}
