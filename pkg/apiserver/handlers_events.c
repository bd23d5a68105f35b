/* core/v1 Events: kjob's controllers write them; clients list and watch
 * them (handlers_core.c's routes), get one, and delete one or a collection
 * (`kubectl delete events --all`) through the kindtable's handlers. */
#include "apiserver/handlers_events.h"

#include "apiserver/kindtable.h"
#include "apiserver/router.h"
#include "apiserver/server.h"
#include "apiserver/status.h"

/* No route writes events; the hooks the descriptor needs refuse. */
static int refuse(struct kj_http_resp *resp)
{
    kj_http_resp_json(resp, 405,
                      kj_status_failure(405, "MethodNotAllowed",
                                        "events are written by kjob's controllers", NULL, NULL,
                                        NULL));
    return 1;
}

static int check(cJSON *obj, const cJSON *cur, const struct kj_kt_kind *k, struct kj_http_resp *resp)
{
    (void)obj;
    (void)cur;
    (void)k;
    return refuse(resp);
}

static int merge(struct kj_http_req *req, const struct kj_kt_kind *k, const cJSON *cur,
                 const cJSON *next, cJSON *out, struct kj_http_resp *resp)
{
    (void)req;
    (void)k;
    (void)cur;
    (void)next;
    (void)out;
    return refuse(resp);
}

static const struct kj_kt_kind EVENT = {
    .resource = "events", .group = "", .api_version = "v1", .kind = "Event",
    .list_kind = "EventList", .check = check, .merge = merge,
};

static const struct kj_route routes[] = {
    {"GET", "/api/v1/namespaces/{namespace}/events/{name}", kj_kt_h_get, "events"},
    {"DELETE", "/api/v1/namespaces/{namespace}/events/{name}", kj_kt_h_delete, "events"},
};

const struct kj_route *kj_event_routes(size_t *n)
{
    kj_kt_register(&EVENT);
    *n = sizeof routes / sizeof routes[0];
    return routes;
}

void kj_event_routes_install(struct kj_apiserver *srv)
{
    size_t n;
    const struct kj_route *r = kj_event_routes(&n);
    kj_apiserver_add_routes(srv, r, n);
}
