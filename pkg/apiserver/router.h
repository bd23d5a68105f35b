/* Pure request routing for the REST API: a table of (method, path pattern,
 * handler) entries matched against a request path. No I/O, no allocation;
 * unit-tested on its own (tests/unit/test_apiserver.c).
 *
 * Patterns are '/'-separated; a segment "{x}" captures one non-empty path
 * segment under the name x, a final segment "{x...}" captures the rest of the
 * path (one or more segments). Literal segments compare exactly.
 * Method "*" matches any method. Routes are tried in table order and the
 * first whose pattern and method match wins; when some pattern matches but no
 * method does, the result is 405, else 404.
 *
 * Extending the API (discovery, OpenAPI, watch, PATCH, logs ...) means adding
 * entries to a table given to kj_apiserver_add_routes() (server.h): tables
 * added later are tried first, so a new module may also override a route.
 */
#ifndef KJ_APISERVER_ROUTER_H
#define KJ_APISERVER_ROUTER_H

#include <stddef.h> /* size_t */

#include "util/error.h" /* kj_error_t */

#define KJ_ROUTE_MAX_PARAMS 8

struct kj_http_req;  /* request.h */
struct kj_http_resp; /* request.h */

/* A handler fills `resp` and returns 0, or returns < 0 with *err set (the
 * dispatcher renders the error as a Status with kj_error_http_status() as
 * the code, 500 when it carries none). */
typedef int (*kj_http_handler_fn)(struct kj_http_req *req, struct kj_http_resp *resp,
                                  kj_error_t *err);

struct kj_route {
    const char *method;  /* "GET", "POST", ... or "*" */
    const char *pattern; /* e.g. "/apis/batch/v1/namespaces/{namespace}/jobs/{name}" */
    kj_http_handler_fn handler;
    const char *resource; /* what the route serves, e.g. "jobs" (for errors/logs); may be NULL */
};

/* Captured path parameters. Values are borrowed from the matched path string
 * (not NUL-terminated there), so they are copied into `buf`. */
struct kj_route_params {
    size_t n;
    const char *names[KJ_ROUTE_MAX_PARAMS];  /* point into buf */
    char *values[KJ_ROUTE_MAX_PARAMS];       /* point into buf */
    char buf[1024];
};

/* Value of a captured parameter, or NULL. Borrowed from p. */
const char *kj_route_param(const struct kj_route_params *p, const char *name);

/* Match `path` (no query string; "/" separated, no percent-decoding) against
 * routes[0..n). Returns the index of the matching route (params filled), or
 * -404 when no pattern matches, -405 when a pattern matches but not for this
 * method. Paths longer than the params buffer allows match nothing (-404). */
int kj_route_match(const struct kj_route *routes, size_t n, const char *method,
                   const char *path, struct kj_route_params *params);

#endif
