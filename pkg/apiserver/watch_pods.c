/* GET .../pods?watch=1: pods are not stored objects (the controller derives
 * them from the engine's containers, pod_view.h), so there is no store watch
 * of pods to follow. A watch looks at the pod view when something it is
 * made of changed and sends the difference from what it last sent: ADDED,
 * MODIFIED (the JSON changed) and DELETED (the last state). The changes
 * come from the runtime (kj_apiserver_pods_changed: every observation) and
 * from the store (Jobs, ReplicaSets: the ledger and status a pod view
 * reads), coalesced over KICK_MS; a slow SAFETY_MS tick covers anything
 * else. One look costs one pod listing and never blocks the loop. With
 * `Accept: ...;as=Table` (kubectl get -w) each event's object is a one-row
 * Table, as kube-apiserver sends.
 * Pods have no history: a watch without a resourceVersion (or "0") starts
 * with ADDED events for the current pods; with one (a list's, as kubectl
 * get -w passes) it only reports changes from now on. */
#include "apiserver/api_routes.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "apiserver/conns.h" /* kj_apiserver_on_close */
#include "apiserver/filter.h"
#include "apiserver/handlers.h"
#include "apiserver/server.h"
#include "kubeapi/table.h"
#include "store/store.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

#define KICK_MS 20
#define SAFETY_MS 10000
#define DEFAULT_TIMEOUT_S 1800

struct seen {
    char *key;  /* ns/name, owned */
    char *json; /* last sent object, owned */
    bool alive; /* seen in this poll */
};

struct pod_watch {
    struct pod_watch *next; /* in `watches` */
    struct kj_apiserver *srv;
    struct evhttp_request *ev;
    struct evhttp_connection *conn;
    struct event *tick;
    struct event *kick; /* a look soon: something changed */
    struct kj_store_watch *store_w;
    struct event *deadline;
    struct kj_filter filter;
    char *ns; /* owned; NULL = all namespaces */
    bool table;
    char *include; /* owned includeObject or NULL */
    struct seen *seen;
    size_t n_seen, cap_seen;
};

/* Every open pod watch, of every server (tests run several). */
static struct pod_watch *watches;

static void pw_free(struct pod_watch *pw)
{
    for (struct pod_watch **pp = &watches; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == pw) {
            *pp = pw->next;
            break;
        }
    }
    if (pw->store_w != NULL)
        kj_store_unwatch(kj_apiserver_deps(pw->srv)->store, pw->store_w);
    if (pw->tick != NULL)
        event_free(pw->tick);
    if (pw->kick != NULL)
        event_free(pw->kick);
    if (pw->deadline != NULL)
        event_free(pw->deadline);
    kj_filter_clear(&pw->filter);
    for (size_t i = 0; i < pw->n_seen; i++) {
        free(pw->seen[i].key);
        free(pw->seen[i].json);
    }
    free(pw->seen);
    free(pw->ns);
    free(pw->include);
    free(pw);
}

static void send_event(struct pod_watch *pw, const char *type, const cJSON *pod)
{
    cleanup_cjson cJSON *line = cJSON_CreateObject();
    cJSON_AddStringToObject(line, "type", type);
    if (pw->table) {
        cleanup_cjson cJSON *one = cJSON_CreateArray();
        cJSON_AddItemReferenceToArray(one, (cJSON *)pod);
        cJSON_AddItemToObject(line, "object", kj_table_build("Pod", one, NULL, (int64_t)time(NULL), pw->include));
    } else {
        cJSON *copy = cJSON_Duplicate(pod, 1);
        if (cJSON_GetObjectItemCaseSensitive(copy, "kind") == NULL) {
            cJSON_AddStringToObject(copy, "kind", "Pod");
            cJSON_AddStringToObject(copy, "apiVersion", "v1");
        }
        cJSON_AddItemToObject(line, "object", copy);
    }
    cleanup_free char *txt = cJSON_PrintUnformatted(line);
    struct evbuffer *buf = evbuffer_new();
    evbuffer_add(buf, txt, strlen(txt));
    evbuffer_add(buf, "\n", 1);
    evhttp_send_reply_chunk(pw->ev, buf);
    evbuffer_free(buf);
}

static struct seen *find_seen(struct pod_watch *pw, const char *key)
{
    for (size_t i = 0; i < pw->n_seen; i++)
        if (strcmp(pw->seen[i].key, key) == 0)
            return &pw->seen[i];
    return NULL;
}

/* quiet: record the pods without sending (a watch from a list's
 * resourceVersion has already shown them). */
static void poll_once(struct pod_watch *pw, bool quiet)
{
    const struct kj_apiserver_deps *deps = kj_apiserver_deps(pw->srv);
    cleanup_cjson cJSON *all = cJSON_CreateArray();
    kj_error_t err = NULL;
    if (deps->pods_list != NULL && deps->pods_list(deps->arg, pw->ns, all, &err) < 0) {
        kj_error_log_release(&err, "pod watch");
        return;
    }
    for (size_t i = 0; i < pw->n_seen; i++)
        pw->seen[i].alive = false;
    const cJSON *pod;
    cJSON_ArrayForEach(pod, all)
    {
        if (!kj_filter_matches(&pw->filter, pod))
            continue;
        const cJSON *meta = cJSON_GetObjectItemCaseSensitive(pod, "metadata");
        const char *ns = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(meta, "namespace"));
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(meta, "name"));
        if (name == NULL)
            continue;
        cleanup_free char *key = xasprintf("%s/%s", ns ? ns : "", name);
        cleanup_free char *json = cJSON_PrintUnformatted(pod);
        struct seen *s = find_seen(pw, key);
        if (s == NULL) {
            if (pw->n_seen == pw->cap_seen) {
                pw->cap_seen = pw->cap_seen ? 2 * pw->cap_seen : 16;
                pw->seen = xrealloc(pw->seen, pw->cap_seen * sizeof *pw->seen);
            }
            s = &pw->seen[pw->n_seen++];
            s->key = steal_pointer(&key);
            s->json = steal_pointer(&json);
            s->alive = true;
            if (!quiet)
                send_event(pw, "ADDED", pod);
            continue;
        }
        s->alive = true;
        if (strcmp(s->json, json) != 0) {
            free(s->json);
            s->json = steal_pointer(&json);
            send_event(pw, "MODIFIED", pod);
        }
    }
    for (size_t i = 0; i < pw->n_seen;) {
        if (pw->seen[i].alive) {
            i++;
            continue;
        }
        cleanup_cjson cJSON *last = cJSON_Parse(pw->seen[i].json);
        if (last != NULL)
            send_event(pw, "DELETED", last);
        free(pw->seen[i].key);
        free(pw->seen[i].json);
        pw->seen[i] = pw->seen[--pw->n_seen];
    }
}

static void tick_cb(evutil_socket_t fd, short what, void *data)
{
    (void)fd;
    (void)what;
    poll_once(data, false);
}

static void kick(struct pod_watch *pw)
{
    if (pw->kick != NULL && !evtimer_pending(pw->kick, NULL)) {
        struct timeval tv = {0, KICK_MS * 1000};
        evtimer_add(pw->kick, &tv);
    }
}

void kj_apiserver_pods_changed(struct kj_apiserver *srv)
{
    for (struct pod_watch *pw = watches; pw != NULL; pw = pw->next)
        if (pw->srv == srv)
            kick(pw);
}

static void store_cb(const struct kj_store_event *ev, void *data)
{
    /* Pod views read Jobs (ledger, status) and ReplicaSets; Events and
     * the rest do not change them. */
    if (strcmp(ev->resource, "jobs") == 0 || strcmp(ev->resource, "replicasets") == 0)
        kick(data);
}

static void close_cb(struct evhttp_connection *conn, void *data)
{
    struct pod_watch *pw = data;
    (void)conn;
    /* As in watch.c: a request detached from its connection is ours to end. */
    if (evhttp_request_get_connection(pw->ev) == NULL)
        evhttp_send_reply_end(pw->ev);
    pw_free(pw);
}

static void deadline_cb(evutil_socket_t fd, short what, void *data)
{
    struct pod_watch *pw = data;
    (void)fd;
    (void)what;
    kj_apiserver_on_close_cancel(pw->conn);
    evhttp_send_reply_end(pw->ev);
    pw_free(pw);
}

static int pods_watch_start(struct kj_http_req *req, struct kj_http_resp *resp,
                            const struct kj_list_opts *opts, kj_error_t *err)
{
    if (req->ev == NULL)
        return kj_make_http_error(err, 400, "watch needs a connection");
    struct pod_watch *pw = xcalloc(1, sizeof *pw);
    pw->srv = req->srv;
    pw->ev = req->ev;
    const char *ns = kj_route_param(&req->params, "namespace");
    pw->ns = ns ? xstrdup(ns) : NULL;
    pw->table = kj_table_wanted(req->accept);
    const char *inc = kj_query_get(&req->query, "includeObject");
    pw->include = inc ? xstrdup(inc) : NULL;
    if (kj_filter_from_opts(opts, &pw->filter, err) < 0) {
        pw_free(pw);
        return -1;
    }
    struct evkeyvalq *out = evhttp_request_get_output_headers(req->ev);
    evhttp_add_header(out, "Content-Type", "application/json");
    evhttp_add_header(out, "Cache-Control", "no-cache, private");
    kj_apiserver_streaming(req->ev);
    evhttp_send_reply_start(req->ev, 200, "OK");
    bool from_rv = opts->resource_version != NULL && opts->resource_version[0] != '\0' &&
                   strcmp(opts->resource_version, "0") != 0;
    poll_once(pw, from_rv);
    pw->conn = evhttp_request_get_connection(req->ev);
    kj_apiserver_on_close(pw->conn, close_cb, pw);
    struct event_base *base = evhttp_connection_get_base(pw->conn);
    pw->tick = event_new(base, -1, EV_PERSIST, tick_cb, pw);
    struct timeval tv = {SAFETY_MS / 1000, (SAFETY_MS % 1000) * 1000};
    event_add(pw->tick, &tv);
    pw->kick = evtimer_new(base, tick_cb, pw);
    kj_error_t werr = NULL;
    pw->store_w = kj_store_watch(kj_apiserver_deps(pw->srv)->store, NULL, pw->ns, 0, store_cb, pw, &werr);
    if (pw->store_w == NULL)
        kj_error_log_release(&werr, "pod watch: follow the store"); /* the tick still looks */
    pw->next = watches;
    watches = pw;
    pw->deadline = evtimer_new(base, deadline_cb, pw);
    struct timeval dl = {(time_t)(opts->timeout_seconds > 0 ? opts->timeout_seconds : DEFAULT_TIMEOUT_S), 0};
    evtimer_add(pw->deadline, &dl);
    resp->hijacked = true;
    return 0;
}

static int h_pods(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    struct kj_list_opts opts;
    const char *ns = kj_route_param(&req->params, "namespace");
    if (ns != NULL && kj_namespace_check(ns, err) < 0)
        return -1;
    if (kj_list_opts_parse(&req->query, &opts, err) < 0)
        return -1;
    if (opts.watch)
        return pods_watch_start(req, resp, &opts, err);
    return kj_h_pods_list(req, resp, err);
}

static const struct kj_route pod_watch_routes[] = {
    {"GET", "/api/v1/pods", h_pods, "pods"},
    {"GET", "/api/v1/namespaces/{namespace}/pods", h_pods, "pods"},
};

const struct kj_route *kj_apiserver_pod_watch_routes(size_t *n)
{
    *n = sizeof pod_watch_routes / sizeof pod_watch_routes[0];
    return pod_watch_routes;
}
