#include "apiserver/collection.h"

#include <stdio.h>
#include <string.h>

#include "apiserver/server.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

static void resp_clear(struct kj_http_resp *r)
{
    cJSON_Delete(r->body);
    kj_strlist_clear(&r->warnings);
    memset(r, 0, sizeof *r);
}

static void pass_warnings(struct kj_http_resp *to, const struct kj_http_resp *from)
{
    for (size_t i = 0; i < from->warnings.len; i++) {
        bool seen = false;
        for (size_t j = 0; j < to->warnings.len && !seen; j++)
            seen = strcmp(to->warnings.items[j], from->warnings.items[i]) == 0;
        if (!seen)
            kj_strlist_push(&to->warnings, from->warnings.items[i]);
    }
}

/* Delete one listed item through its own route. 1 = deleted, 0 = gone
 * already, -1 = *err. */
static int delete_item(const struct kj_http_req *req, const char *name, struct kj_http_resp *resp,
                       kj_error_t *err)
{
    cleanup_free char *path = xasprintf("%s/%s", req->path, name);
    struct kj_http_req sub = *req;
    sub.path = path;
    int code;
    sub.route = kj_apiserver_find_route(req->srv, "DELETE", path, &sub.params, &code);
    if (sub.route == NULL)
        return kj_make_http_error(err, 405, "%s cannot be deleted", name);
    struct kj_http_resp r;
    memset(&r, 0, sizeof r);
    int rc = sub.route->handler(&sub, &r, err);
    pass_warnings(resp, &r);
    int status = r.code ? r.code : 200;
    resp_clear(&r);
    if (rc < 0 && kj_error_http_status(*err) != 404)
        return -1;
    if (rc < 0 || status == 404) {
        kj_error_release(err);
        return 0;
    }
    if (status >= 300)
        return kj_make_http_error(err, status, "delete %s failed", name);
    return 1;
}

int kj_collection_delete(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    struct kj_http_req list = *req;
    int code;
    list.method = "GET";
    list.route = kj_apiserver_find_route(req->srv, "GET", req->path, &list.params, &code);
    /* Only namespaced lists: kube-apiserver has no cluster-wide
     * deletecollection for namespaced resources. */
    if (list.route == NULL || kj_route_param(&list.params, "namespace") == NULL ||
        kj_route_param(&list.params, "name") != NULL)
        return 0;
    /* And only where an item can be deleted. */
    cleanup_free char *probe = xasprintf("%s/x", req->path);
    struct kj_route_params pp;
    if (kj_apiserver_find_route(req->srv, "DELETE", probe, &pp, &code) == NULL)
        return 0;
    bool watch = false;
    if (kj_query_bool(&req->query, "watch", false, &watch, err) < 0)
        return -1;
    if (watch)
        return kj_make_http_error(err, 400, "watch is not allowed with a delete");
    list.accept = NULL; /* a plain list, never a Table */
    list.body = NULL;
    list.body_len = 0;
    struct kj_http_resp lr;
    memset(&lr, 0, sizeof lr);
    if (list.route->handler(&list, &lr, err) < 0) {
        resp_clear(&lr);
        return -1;
    }
    if (lr.code != 0 && lr.code != 200) {
        *resp = lr; /* the list's own refusal (a bad selector...) */
        return 1;
    }
    cJSON *items = cJSON_GetObjectItemCaseSensitive(lr.body, "items");
    for (cJSON *it = items != NULL ? items->child : NULL, *next; it != NULL; it = next) {
        next = it->next;
        const char *name = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(it, "metadata"), "name"));
        int rc = name != NULL ? delete_item(req, name, resp, err) : 0;
        if (rc < 0) {
            resp_clear(&lr);
            return -1;
        }
        if (rc == 0)
            cJSON_Delete(cJSON_DetachItemViaPointer(items, it));
    }
    kj_http_resp_json(resp, 200, lr.body);
    lr.body = NULL;
    resp_clear(&lr);
    return 1;
}
