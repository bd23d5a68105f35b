/* See apiserver_fixture.h. */
#include "apiserver_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "apiserver/query.h"   /* kj_query_clear */
#include "apiserver/collection.h"
#include "apiserver/request.h" /* kj_http_req, kj_http_resp, kj_request_target_parse */
#include "apiserver/router.h"
#include "apiserver/server.h"
#include "apiserver/status.h"  /* kj_status_from_error */
#include "kubeapi/table.h"     /* kj_table_wanted */
#include "store/store.h"
#include "util/error.h"

struct kj_apifx *kj_apifx_new(void)
{
    struct kj_apifx *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/kj-apifx.XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    kj_error_t err = NULL;
    fx->store = kj_store_open(fx->dir, &err);
    assert_non_null(fx->store);
    fx->base = event_base_new();
    assert_non_null(fx->base);
    struct kj_apiserver_deps deps = {.store = fx->store};
    fx->srv = kj_apiserver_new(fx->base, &deps, &err);
    assert_non_null(fx->srv);
    size_t n = 0;
    const struct kj_route *builtin = kj_apiserver_builtin_routes(&n);
    kj_apifx_add_routes(fx, builtin, n);
    return fx;
}

static int remove_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

void kj_apifx_free(struct kj_apifx *fx)
{
    if (fx == NULL)
        return;
    kj_strlist_clear(&fx->warnings);
    kj_apiserver_free(fx->srv);
    event_base_free(fx->base);
    kj_store_close(fx->store);
    /* The store is closed, so nothing writes here any more. */
    assert_int_equal(nftw(fx->dir, remove_cb, 8, FTW_DEPTH | FTW_PHYS), 0);
    free(fx);
}

int kj_apifx_setup(void **state)
{
    *state = kj_apifx_new();
    return 0;
}

int kj_apifx_teardown(void **state)
{
    kj_apifx_free(*state);
    *state = NULL;
    return 0;
}

void kj_apifx_add_routes(struct kj_apifx *fx, const struct kj_route *routes, size_t n)
{
    assert_true(fx->n_tables < KJ_APIFX_MAX_TABLES);
    fx->tables[fx->n_tables] = routes;
    fx->table_len[fx->n_tables++] = n;
}

static const struct kj_route *find_route(const struct kj_apifx *fx, const char *method, const char *path,
                                         struct kj_route_params *params)
{
    for (size_t t = fx->n_tables; t-- > 0;) {
        int i = kj_route_match(fx->tables[t], fx->table_len[t], method, path, params);
        if (i >= 0)
            return &fx->tables[t][i];
    }
    return NULL;
}

int kj_apifx_call(struct kj_apifx *fx, const char *method, const char *target, const char *ctype,
                  const char *body, cJSON **out)
{
    struct kj_http_req req;
    struct kj_http_resp resp;
    memset(&req, 0, sizeof req);
    memset(&resp, 0, sizeof resp);
    kj_error_t err = NULL;
    char *path = NULL;
    assert_int_equal(kj_request_target_parse(target, &path, &req.query, &err), 0);
    req.route = find_route(fx, method, path, &req.params);
    req.srv = fx->srv;
    req.method = method;
    req.path = path;
    req.content_type = ctype;
    req.accept = fx->accept;
    req.body = body;
    req.body_len = body ? strlen(body) : 0;
    int code, rc;
    if (req.route == NULL && strcmp(method, "DELETE") == 0) {
        /* A collection, as server.c's dispatcher serves it. */
        rc = kj_collection_delete(&req, &resp, &err);
        assert_int_not_equal(rc, 0);
    } else {
        assert_non_null(req.route);
        rc = req.route->handler(&req, &resp, &err);
    }
    if (rc < 0) {
        code = kj_error_http_status(err) ? kj_error_http_status(err) : 500;
        *out = kj_status_from_error(err);
        cJSON_Delete(resp.body);
        kj_error_release(&err);
    } else {
        code = resp.code ? resp.code : 200;
        if (kj_table_wanted(fx->accept) && resp.body != NULL && code == 200)
            kj_apiserver_tableize(&req, &resp);
        *out = resp.body;
    }
    fx->content_type = resp.content_type;
    kj_strlist_clear(&fx->warnings);
    fx->warnings = resp.warnings;
    kj_query_clear(&req.query);
    free(path);
    return code;
}
