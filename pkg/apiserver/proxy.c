/* services/NAME[:PORT]/proxy/...: HTTP forwarded by kjobd to a ready pod
 * selected by the Service, with libevent's evhttp client on the daemon's
 * loop (never blocking it). Only plain HTTP to pods on the kjob network. */
#include "apiserver/handlers_queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "apiserver/conns.h" /* kj_apiserver_on_close */
#include "apiserver/handlers.h"
#include "apiserver/status.h"
#include "controller/rs_driver.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

/* Seconds a pod has to answer before the client gets a 503. */
#define PROXY_TIMEOUT_S 60

struct proxy {
    struct evhttp_request *orig;          /* NULL once the client went away */
    struct evhttp_connection *client_conn; /* the client's connection */
    struct evhttp_connection *upstream;
    struct event_base *base;
    char *target; /* "ip:port", for messages */
};

static void free_conn_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    evhttp_connection_free(arg);
}

static void client_close_cb(struct evhttp_connection *conn, void *arg)
{
    (void)conn;
    struct proxy *p = arg;
    p->orig = NULL;
}

static void send_status(struct evhttp_request *ev, int code, const char *msg)
{
    cleanup_cjson cJSON *st = kj_status_failure(code, NULL, msg, NULL, NULL, NULL);
    cleanup_free char *txt = cJSON_PrintUnformatted(st);
    struct evbuffer *b = evbuffer_new();
    evbuffer_add(b, txt, strlen(txt));
    evhttp_add_header(evhttp_request_get_output_headers(ev), "Content-Type", "application/json");
    evhttp_send_reply(ev, code, NULL, b);
    evbuffer_free(b);
}

static void upstream_done_cb(struct evhttp_request *r, void *arg)
{
    struct proxy *p = arg;
    if (p->orig != NULL) {
        kj_apiserver_on_close_cancel(p->client_conn);
        int code = r != NULL ? evhttp_request_get_response_code(r) : 0;
        if (code == 0) {
            cleanup_free char *msg = xasprintf("error trying to reach service: dial tcp %s: no answer",
                                               p->target);
            send_status(p->orig, 503, msg);
        } else {
            struct evkeyvalq *out = evhttp_request_get_output_headers(p->orig);
            struct evkeyvalq *in = evhttp_request_get_input_headers(r);
            for (struct evkeyval *h = in->tqh_first; h != NULL; h = h->next.tqe_next) {
                /* evhttp frames the reply itself. */
                if (strcasecmp(h->key, "Content-Length") == 0 ||
                    strcasecmp(h->key, "Transfer-Encoding") == 0 ||
                    strcasecmp(h->key, "Connection") == 0)
                    continue;
                evhttp_add_header(out, h->key, h->value);
            }
            evhttp_send_reply(p->orig, code, evhttp_request_get_response_code_line(r),
                              evhttp_request_get_input_buffer(r));
        }
    }
    /* The connection cannot be freed from inside its own callback. */
    struct timeval tv = {0, 0};
    event_base_once(p->base, -1, EV_TIMEOUT, free_conn_cb, p->upstream, &tv);
    free(p->target);
    free(p);
}

static int method_of(const char *m, enum evhttp_cmd_type *out)
{
    static const struct {
        const char *name;
        enum evhttp_cmd_type t;
    } map[] = {{"GET", EVHTTP_REQ_GET},       {"POST", EVHTTP_REQ_POST},
               {"PUT", EVHTTP_REQ_PUT},       {"DELETE", EVHTTP_REQ_DELETE},
               {"PATCH", EVHTTP_REQ_PATCH},   {"HEAD", EVHTTP_REQ_HEAD},
               {"OPTIONS", EVHTTP_REQ_OPTIONS}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strcmp(map[i].name, m) == 0) {
            *out = map[i].t;
            return 0;
        }
    }
    return -1;
}

/* "name", "name:port" or "scheme:name:port" (Kubernetes' proxy syntax). */
static int split_name(const char *in, char *svc, size_t n, char *port, size_t pn)
{
    char buf[256];
    if (snprintf(buf, sizeof buf, "%s", in) >= (int)sizeof buf)
        return -1;
    char *parts[3];
    int k = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, ":", &save); t != NULL && k < 3; t = strtok_r(NULL, ":", &save))
        parts[k++] = t;
    if (k == 0)
        return -1;
    if (k == 3 && strcmp(parts[0], "http") != 0)
        return -1; /* https to a pod is not supported */
    const char *s = k == 3 ? parts[1] : parts[0];
    const char *p = k == 3 ? parts[2] : k == 2 ? parts[1] : "";
    snprintf(svc, n, "%s", s);
    snprintf(port, pn, "%s", p);
    return 0;
}

int kj_h_service_proxy(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    struct kj_rs_driver *rs = kj_queue_rs_driver();
    const char *ns = kj_route_param(&req->params, "namespace");
    const char *name = kj_route_param(&req->params, "name");
    const char *path = kj_route_param(&req->params, "path");
    if (rs == NULL || req->ev == NULL)
        return kj_make_http_error(err, 503, "the service proxy is not available");
    char svc[256], port[64];
    if (split_name(name, svc, sizeof svc, port, sizeof port) < 0)
        return kj_make_http_error(err, 400, "invalid service request \"%s\"", name);
    enum evhttp_cmd_type type;
    if (method_of(req->method, &type) < 0)
        return kj_make_http_error(err, 405, "method %s is not supported by the proxy", req->method);
    cleanup_free char *ip = NULL;
    int tport = 0;
    if (kj_rs_driver_endpoint(rs, ns, svc, port, &ip, &tport, err) < 0)
        return -1;
    const char *uri = evhttp_request_get_uri(req->ev);
    const char *q = uri != NULL ? strchr(uri, '?') : NULL;
    cleanup_free char *target_uri = xasprintf("/%s%s", path != NULL ? path : "", q != NULL ? q : "");
    struct proxy *p = xcalloc(1, sizeof *p);
    p->base = kj_rs_driver_base(rs);
    p->target = xasprintf("%s:%d", ip, tport);
    p->upstream = evhttp_connection_base_new(p->base, NULL, ip, (unsigned short)tport);
    if (p->upstream == NULL) {
        free(p->target);
        free(p);
        return kj_make_http_error(err, 503, "cannot connect to the service");
    }
    evhttp_connection_set_timeout(p->upstream, PROXY_TIMEOUT_S);
    struct evhttp_request *out = evhttp_request_new(upstream_done_cb, p);
    struct evkeyvalq *oh = evhttp_request_get_output_headers(out);
    evhttp_add_header(oh, "Host", p->target);
    evhttp_add_header(oh, "Connection", "close");
    const char *copy[] = {"Content-Type", "Accept", "User-Agent"};
    struct evkeyvalq *ih = evhttp_request_get_input_headers(req->ev);
    for (size_t i = 0; i < sizeof copy / sizeof copy[0]; i++) {
        const char *v = evhttp_find_header(ih, copy[i]);
        if (v != NULL)
            evhttp_add_header(oh, copy[i], v);
    }
    if (req->body != NULL && req->body_len > 0)
        evbuffer_add(evhttp_request_get_output_buffer(out), req->body, req->body_len);
    if (evhttp_make_request(p->upstream, out, type, target_uri) < 0) {
        /* evhttp_make_request frees `out` on failure. */
        evhttp_connection_free(p->upstream);
        free(p->target);
        free(p);
        return kj_make_http_error(err, 503, "cannot send the request to the service");
    }
    p->orig = req->ev;
    p->client_conn = evhttp_request_get_connection(req->ev);
    kj_apiserver_on_close(p->client_conn, client_close_cb, p);
    resp->hijacked = true;
    return 0;
}

/* ---- Endpoints ---- */

int kj_h_service_endpoints(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    const char *ns = kj_route_param(&req->params, "namespace");
    const char *name = kj_route_param(&req->params, "name");
    if (kj_namespace_check(ns, err) < 0)
        return -1;
    cJSON *ep = kj_queue_rs_driver() != NULL ? kj_rs_driver_endpoints(kj_queue_rs_driver(), ns, name) : NULL;
    if (ep == NULL)
        return kj_http_resp_json(resp, 404, kj_status_not_found("endpoints", "", name));
    return kj_http_resp_json(resp, 200, ep);
}

/* The Endpoints of a Service as one discovery.k8s.io/v1 EndpointSlice
 * (what kubectl describe service reads). */
static cJSON *slice_of(const cJSON *ep)
{
    const cJSON *md = cJSON_GetObjectItemCaseSensitive(ep, "metadata");
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md, "name"));
    cJSON *s = cJSON_CreateObject();
    cJSON *m = cJSON_AddObjectToObject(s, "metadata");
    cJSON_AddStringToObject(m, "name", name);
    cJSON_AddItemToObject(m, "namespace", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(md, "namespace"), 1));
    cJSON_AddStringToObject(cJSON_AddObjectToObject(m, "labels"), "kubernetes.io/service-name", name);
    cJSON_AddStringToObject(s, "addressType", "IPv4");
    cJSON *eps = cJSON_AddArrayToObject(s, "endpoints");
    const cJSON *sub = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(ep, "subsets"), 0);
    const char *kinds[] = {"addresses", "notReadyAddresses"};
    for (int k = 0; k < 2; k++) {
        const cJSON *a;
        cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(sub, kinds[k]))
        {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddItemToArray(cJSON_AddArrayToObject(e, "addresses"),
                                 cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(a, "ip"), 1));
            cJSON_AddBoolToObject(cJSON_AddObjectToObject(e, "conditions"), "ready", k == 0);
            cJSON_AddItemToObject(e, "targetRef", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(a, "targetRef"), 1));
            cJSON_AddItemToArray(eps, e);
        }
    }
    cJSON *ports = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(sub, "ports"), 1);
    cJSON *pt;
    /* The slice API always has a name (kubectl dereferences it). */
    cJSON_ArrayForEach(pt, ports)
    {
        if (cJSON_GetObjectItemCaseSensitive(pt, "name") == NULL)
            cJSON_AddStringToObject(pt, "name", "");
    }
    cJSON_AddItemToObject(s, "ports", ports != NULL ? ports : cJSON_CreateArray());
    return s;
}

int kj_h_service_endpointslices(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    const char *ns = kj_route_param(&req->params, "namespace");
    if (kj_namespace_check(ns, err) < 0)
        return -1;
    const char *sel = kj_query_get(&req->query, "labelSelector");
    const char *key = "kubernetes.io/service-name=";
    cJSON *list = cJSON_CreateObject();
    cJSON_AddStringToObject(list, "kind", "EndpointSliceList");
    cJSON_AddStringToObject(list, "apiVersion", "discovery.k8s.io/v1");
    cJSON_AddObjectToObject(list, "metadata");
    cJSON *items = cJSON_AddArrayToObject(list, "items");
    /* Only the lookup kubectl does, by service name. */
    if (sel != NULL && strncmp(sel, key, strlen(key)) == 0 && kj_queue_rs_driver() != NULL) {
        cJSON *ep = kj_rs_driver_endpoints(kj_queue_rs_driver(), ns, sel + strlen(key));
        if (ep != NULL) {
            cJSON_AddItemToArray(items, slice_of(ep));
            cJSON_Delete(ep);
        }
    }
    return kj_http_resp_json(resp, 200, list);
}
