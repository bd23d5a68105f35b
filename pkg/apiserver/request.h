/* One REST request as handlers see it, and the response they fill.
 * Built by the dispatcher (server.c) from an evhttp request; handlers never
 * touch libevent for ordinary requests, so they can run against a request
 * built by hand in tests.
 */
#ifndef KJ_APISERVER_REQUEST_H
#define KJ_APISERVER_REQUEST_H

#include <cjson/cJSON.h> /* cJSON */
#include <stdbool.h>     /* bool */
#include <stddef.h>      /* size_t */

#include "api/strlist.h"     /* kj_strlist (warnings) */
#include "apiserver/query.h"  /* kj_query */
#include "apiserver/router.h" /* kj_route_params */

struct kj_apiserver;
struct evhttp_request;

struct kj_http_req {
    struct kj_apiserver *srv;   /* borrowed */
    struct evhttp_request *ev;  /* borrowed; NULL when built by a test */
    const char *method;         /* "GET", "POST", ... */
    const char *path;           /* without the query */
    struct kj_query query;      /* decoded */
    struct kj_route_params params;
    const struct kj_route *route;
    const char *content_type;   /* borrowed header value or NULL */
    const char *accept;         /* borrowed Accept header or NULL */
    const char *body;           /* borrowed, not NUL-terminated; NULL if none */
    size_t body_len;
};

struct kj_http_resp {
    int code;      /* HTTP status; 0 = 200 */
    cJSON *body;   /* owned; rendered as JSON; NULL = empty body */
    const char *text; /* static plain-text body (healthz "ok"); used when body is NULL */
    const char *content_type; /* static; NULL = application/json (or text/plain for text) */
    struct kj_strlist warnings; /* each sent as `Warning: 299 - "<text>"` */
    /* The handler took over ev (a watch or log stream): the dispatcher sends
     * nothing and the handler answers ev itself later. */
    bool hijacked;
};

/* Convenience for handlers: set code + body (takes ownership of body). */
static inline int kj_http_resp_json(struct kj_http_resp *resp, int code, cJSON *body)
{
    resp->code = code;
    cJSON_Delete(resp->body);
    resp->body = body;
    return 0;
}

#endif
