/* An api server on a real store in a temp dir, driven in-process: requests
 * go straight to the route handlers, as server.c's dispatcher would call
 * them, without sockets or an event loop.
 *
 * Test-only: failures (mkdtemp, store, server, an unparsable target, a
 * route that matches nothing) fail the running cmocka test rather than
 * returning an error. Linked into every unit test binary (UNIT_HELPERS).
 */
#ifndef KJ_TESTS_APISERVER_FIXTURE_H
#define KJ_TESTS_APISERVER_FIXTURE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "api/strlist.h" /* struct kj_strlist */

struct event_base;
struct kj_apiserver;
struct kj_route;
struct kj_store;

#define KJ_APIFX_MAX_TABLES 4

struct kj_apifx {
    char dir[64];                 /* the store's temp dir, removed by _free */
    struct event_base *base;      /* owned; never dispatched */
    struct kj_store *store;       /* owned */
    struct kj_apiserver *srv;     /* owned; built with deps {.store} only */
    /* Accept header sent with every request (borrowed, NULL = none); a
     * Table-asking value makes 200 responses Tables, as in server.c. */
    const char *accept;
    struct kj_strlist warnings;   /* owned: the last request's warnings */
    const char *content_type;     /* the last response's (static), NULL = JSON */
    /* Route tables (borrowed), matched newest first like the server's. */
    const struct kj_route *tables[KJ_APIFX_MAX_TABLES];
    size_t table_len[KJ_APIFX_MAX_TABLES];
    size_t n_tables;
};

/* A fresh store and server whose route tables hold the built-in routes.
 * Never NULL (fails the test instead). Release with kj_apifx_free. */
struct kj_apifx *kj_apifx_new(void);

/* Free the server, base and store, and remove the temp dir. NULL ok. */
void kj_apifx_free(struct kj_apifx *fx);

/* cmocka setup/teardown: *state is a kj_apifx_new() fixture. */
int kj_apifx_setup(void **state);
int kj_apifx_teardown(void **state);

/* Match `routes` (borrowed; must outlive fx) before the tables already
 * added, as kj_apiserver_add_routes does. At most KJ_APIFX_MAX_TABLES. */
void kj_apifx_add_routes(struct kj_apifx *fx, const struct kj_route *routes, size_t n);

/* Run one request: `target` is the path plus query, `ctype` the
 * Content-Type (NULL = none, the handler sniffs), `body` NUL-terminated or
 * NULL. Returns the HTTP status; *out (owned by the caller, may be NULL for
 * an empty body) is the response body, or the Status built from a
 * handler's error (its code, 500 when it carries none). The response's
 * warnings replace fx->warnings. */
int kj_apifx_call(struct kj_apifx *fx, const char *method, const char *target, const char *ctype,
                  const char *body, cJSON **out);

#endif
