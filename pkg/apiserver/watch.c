/* Watch streams of stored resources (?watch=true): Kubernetes' chunked
 * stream of {"type":"ADDED|MODIFIED|DELETED","object":{...}} lines, fed by
 * the store's watch (store.h). Ends at timeoutSeconds (default 30 min, as
 * kube-apiserver picks) or when the client goes away. */
#include "apiserver/watch.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "apiserver/conns.h" /* kj_apiserver_on_close */
#include "apiserver/filter.h"
#include "apiserver/server.h"
#include "apiserver/status.h"
#include "kubeapi/resources.h"
#include "kubeapi/table.h"
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
    struct event *bookmark; /* NULL unless allowWatchBookmarks */
    struct kj_filter filter;
    char *resource; /* owned */
    bool table;     /* Accept asked for Tables (kubectl get -w) */
    /* Events replayed by kj_store_watch before the reply has started (the
     * resourceVersion is checked first, so that 410 can still be answered). */
    struct evbuffer *pending;
    char *include;  /* owned includeObject for Tables, or NULL */
};

#define BOOKMARK_SECONDS 60

static void stream_free(struct watch_stream *ws)
{
    if (ws->w != NULL)
        kj_store_unwatch(ws->store, ws->w);
    if (ws->timeout != NULL)
        event_free(ws->timeout);
    if (ws->bookmark != NULL)
        event_free(ws->bookmark);
    kj_filter_clear(&ws->filter);
    free(ws->resource);
    free(ws->include);
    if (ws->pending != NULL)
        evbuffer_free(ws->pending);
    free(ws);
}

static void send_event(struct watch_stream *ws, const char *type, const cJSON *obj)
{
    cleanup_cjson cJSON *line = cJSON_CreateObject();
    cJSON_AddStringToObject(line, "type", type);
    cJSON *copy = cJSON_Duplicate(obj, 1);
    kj_apiserver_strip_private(copy);
    const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(copy, "kind"));
    if (ws->table && kind != NULL) {
        /* One-row Table per event, as kube-apiserver sends to kubectl get -w. */
        cleanup_cjson cJSON *one = cJSON_CreateArray();
        cJSON_AddItemToArray(one, copy);
        copy = kj_table_build(kind, one, NULL, (int64_t)time(NULL), ws->include);
    }
    cJSON_AddItemToObject(line, "object", copy);
    cleanup_free char *txt = cJSON_PrintUnformatted(line);
    if (ws->pending != NULL) {
        evbuffer_add(ws->pending, txt, strlen(txt));
        evbuffer_add(ws->pending, "\n", 1);
        return;
    }
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

/* BOOKMARK: an object of the watched kind carrying only the current
 * resourceVersion, so a client can resume from it. */
static void bookmark_cb(evutil_socket_t fd, short what, void *data)
{
    struct watch_stream *ws = data;
    (void)fd;
    (void)what;
    const struct kj_api_resource *r = NULL;
    size_t n = 0;
    const struct kj_api_resource *all = kj_resources(&n);
    for (size_t i = 0; i < n && r == NULL; i++)
        if (strcmp(all[i].name, ws->resource) == 0)
            r = &all[i];
    if (r == NULL)
        return;
    cleanup_cjson cJSON *line = cJSON_CreateObject();
    cJSON_AddStringToObject(line, "type", "BOOKMARK");
    cJSON *obj = cJSON_AddObjectToObject(line, "object");
    cJSON_AddStringToObject(obj, "kind", r->kind);
    cleanup_free char *av = r->group[0] ? xasprintf("%s/%s", r->group, r->version) : xstrdup(r->version);
    cJSON_AddStringToObject(obj, "apiVersion", av);
    cleanup_free char *rv = xasprintf("%llu", (unsigned long long)kj_store_current_rv(ws->store));
    cJSON_AddStringToObject(cJSON_AddObjectToObject(obj, "metadata"), "resourceVersion", rv);
    cleanup_free char *txt = cJSON_PrintUnformatted(line);
    struct evbuffer *buf = evbuffer_new();
    evbuffer_add(buf, txt, strlen(txt));
    evbuffer_add(buf, "\n", 1);
    evhttp_send_reply_chunk(ws->ev, buf);
    evbuffer_free(buf);
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
    kj_apiserver_on_close_cancel(ws->conn);
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
    ws->table = kj_table_wanted(req->accept);
    const char *inc = kj_query_get(&req->query, "includeObject");
    ws->include = inc ? xstrdup(inc) : NULL;
    if (kj_filter_from_opts(opts, &ws->filter, err) < 0) {
        stream_free(ws);
        return -1;
    }
    struct evkeyvalq *out = evhttp_request_get_output_headers(req->ev);
    evhttp_add_header(out, "Content-Type", "application/json");
    evhttp_add_header(out, "Cache-Control", "no-cache, private");
    /* Check the resourceVersion before answering 200: a stale one is 410. */
    if (since != 0) {
        ws->pending = evbuffer_new();
        ws->w = kj_store_watch(store, resource, ns, since, store_cb, ws, err);
        if (ws->w == NULL) {
            stream_free(ws);
            return -1;
        }
    }
    kj_apiserver_streaming(req->ev);
    evhttp_send_reply_start(req->ev, 200, "OK");
    if (ws->pending != NULL) {
        struct evbuffer *replayed = ws->pending;
        ws->pending = NULL;
        if (evbuffer_get_length(replayed) > 0)
            evhttp_send_reply_chunk(req->ev, replayed);
        evbuffer_free(replayed);
    }
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
    kj_apiserver_on_close(ws->conn, close_cb, ws);
    int64_t secs = opts->timeout_seconds > 0 ? opts->timeout_seconds : 1800;
    ws->timeout = evtimer_new(evhttp_connection_get_base(ws->conn), timeout_cb, ws);
    struct timeval tv = {(time_t)secs, 0};
    evtimer_add(ws->timeout, &tv);
    bool bookmarks = false;
    kj_error_t berr = NULL;
    if (kj_query_bool(&req->query, "allowWatchBookmarks", false, &bookmarks, &berr) < 0)
        kj_error_release(&berr);
    if (bookmarks) {
        ws->bookmark = event_new(evhttp_connection_get_base(ws->conn), -1, EV_PERSIST, bookmark_cb, ws);
        struct timeval bt = {BOOKMARK_SECONDS, 0};
        event_add(ws->bookmark, &bt);
    }
    resp->hijacked = true;
    return 0;
}
