/* Buffered request shapes shared by the endpoint files, the system calls
 * (ping, version, info), images and networks. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docker/docker-internal.h"
#include "util/cleanup.h"

static bool done_done(struct kj_docker_req *r, kj_error_t err)
{
    ((kj_docker_done_cb)r->cb)(err, r->user_data);
    return false;
}

static bool json_done(struct kj_docker_req *r, kj_error_t err)
{
    kj_docker_json_cb cb = (kj_docker_json_cb)r->cb;
    if (err != NULL) {
        cb(err, NULL, r->user_data);
        return false;
    }
    cleanup_cjson cJSON *j = cJSON_ParseWithLength(r->resp ? r->resp : "", r->resp_len);
    if (j == NULL) {
        kj_error_t perr = NULL;
        kj_make_error(&perr, EPROTO, "%s: engine sent invalid json",
                      r->what ? r->what : r->path);
        cb(perr, NULL, r->user_data);
        kj_error_release(&perr);
        return false;
    }
    cb(NULL, j, r->user_data);
    return false;
}

static bool id_done(struct kj_docker_req *r, kj_error_t err)
{
    kj_docker_str_cb cb = (kj_docker_str_cb)r->cb;
    if (err != NULL) {
        cb(err, NULL, r->user_data);
        return false;
    }
    cleanup_cjson cJSON *j = cJSON_ParseWithLength(r->resp ? r->resp : "", r->resp_len);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "Id");
    if (!cJSON_IsString(id) || id->valuestring == NULL || *id->valuestring == '\0') {
        kj_error_t perr = NULL;
        kj_make_error(&perr, EPROTO, "%s: engine answered without `Id`",
                      r->what ? r->what : r->path);
        cb(perr, NULL, r->user_data);
        kj_error_release(&perr);
        return false;
    }
    cb(NULL, id->valuestring, r->user_data);
    return false;
}

const struct kj_docker_req_ops kj_docker_done_ops = {.done = done_done};
const struct kj_docker_req_ops kj_docker_json_ops = {.done = json_done};
const struct kj_docker_req_ops kj_docker_id_ops = {.done = id_done};

struct kj_docker_req *kj_docker_req_simple(struct kj_docker *d,
                                           const struct kj_docker_req_ops *ops,
                                           const char *method, char *body, kj_docker_fn cb, void *data,
                                           const char *what, kj_error_t *err, const char *fmt,
                                           ...)
{
    cleanup_free char *owned_body = body;
    if (d == NULL || cb == NULL) {
        kj_make_error(err, EINVAL, "%s: no client or callback", what);
        return NULL;
    }
    cleanup_free char *path = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&path, fmt, ap);
    va_end(ap);
    if (n < 0) {
        kj_make_error(err, ENOMEM, "%s", what);
        return NULL;
    }
    struct kj_docker_req *r = kj_docker_req_new(d, ops, method, err, "%s", path);
    if (r == NULL)
        return NULL;
    r->cb = cb;
    r->user_data = data;
    kj_docker_req_what(r, "%s", what);
    if (owned_body != NULL && kj_docker_req_set_json(r, steal_pointer(&owned_body), err) < 0) {
        kj_docker_req_discard(r);
        return NULL;
    }
    kj_docker_req_submit(r);
    return r;
}

char *kj_docker_filters_escaped(const char *key1, const char *const *vals1, ...)
{
    cleanup_cjson cJSON *f = cJSON_CreateObject();
    if (f == NULL)
        return NULL;
    va_list ap;
    va_start(ap, vals1);
    const char *key = key1;
    const char *const *vals = vals1;
    bool any = false, oom = false;
    while (key != NULL) {
        if (vals != NULL && vals[0] != NULL) {
            cJSON *arr = cJSON_AddArrayToObject(f, key);
            for (size_t i = 0; arr != NULL && vals[i] != NULL; i++) {
                cJSON *s = cJSON_CreateString(vals[i]);
                if (s == NULL || !cJSON_AddItemToArray(arr, s)) {
                    cJSON_Delete(s);
                    oom = true;
                }
            }
            oom |= arr == NULL;
            any = true;
        }
        key = va_arg(ap, const char *);
        if (key != NULL)
            vals = va_arg(ap, const char *const *);
    }
    va_end(ap);
    if (oom)
        return NULL;
    if (!any)
        return strdup("");
    cleanup_free char *text = cJSON_PrintUnformatted(f);
    return text != NULL ? kj_docker_escape(text) : NULL;
}

/* ---- system ------------------------------------------------------------------ */

static bool ping_done(struct kj_docker_req *r, kj_error_t err)
{
    ((kj_docker_str_cb)r->cb)(err, err ? NULL : kj_docker_api_version(r->d), r->user_data);
    return false;
}
static const struct kj_docker_req_ops ping_ops = {.done = ping_done};

kj_docker_req_t *kj_docker_ping(struct kj_docker *d, kj_docker_str_cb cb, void *data,
                                kj_error_t *err)
{
    struct kj_docker_req *r =
        kj_docker_req_simple(d, &ping_ops, "GET", NULL, (kj_docker_fn)cb, data, "ping", err, "/_ping");
    return r;
}

kj_docker_req_t *kj_docker_version(struct kj_docker *d, kj_docker_json_cb cb, void *data,
                                   kj_error_t *err)
{
    return kj_docker_req_simple(d, &kj_docker_json_ops, "GET", NULL, (kj_docker_fn)cb, data,
                                "engine version", err, "/version");
}

kj_docker_req_t *kj_docker_info(struct kj_docker *d, kj_docker_json_cb cb, void *data,
                                kj_error_t *err)
{
    return kj_docker_req_simple(d, &kj_docker_json_ops, "GET", NULL, (kj_docker_fn)cb, data,
                                "engine info", err, "/info");
}

/* ---- images and networks ---------------------------------------------------- */

static char *escaped_or_null(const char *s, kj_error_t *err, const char *what)
{
    if (s == NULL || *s == '\0') {
        kj_make_error(err, EINVAL, "%s: empty name", what);
        return NULL;
    }
    char *e = kj_docker_escape(s);
    if (e == NULL)
        kj_make_error(err, ENOMEM, "%s", what);
    return e;
}

kj_docker_req_t *kj_docker_image_inspect(struct kj_docker *d, const char *name,
                                         kj_docker_json_cb cb, void *data, kj_error_t *err)
{
    /* Image names keep their '/' and ':' in the path; the engine routes
     * /images/{name:.*}/json. */
    if (name == NULL || *name == '\0' || strpbrk(name, "?# ") != NULL) {
        kj_make_error(err, EINVAL, "inspect image: bad name `%s`", name ? name : "");
        return NULL;
    }
    char what[300];
    snprintf(what, sizeof(what), "inspect image `%s`", name);
    return kj_docker_req_simple(d, &kj_docker_json_ops, "GET", NULL, (kj_docker_fn)cb, data, what, err,
                                "/images/%s/json", name);
}

static int add_labels(cJSON *obj, const char *key, const struct kj_docker_kv *labels, size_t n)
{
    cJSON *l = cJSON_AddObjectToObject(obj, key);
    if (l == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (labels[i].key == NULL)
            continue;
        if (cJSON_AddStringToObject(l, labels[i].key, labels[i].value ? labels[i].value : "") ==
            NULL)
            return -1;
    }
    return 0;
}

kj_docker_req_t *kj_docker_network_create(struct kj_docker *d, const struct kj_network_spec *spec,
                                          kj_docker_str_cb cb, void *data, kj_error_t *err)
{
    if (spec == NULL || spec->name == NULL || *spec->name == '\0') {
        kj_make_error(err, EINVAL, "create network: no name");
        return NULL;
    }
    char what[300];
    snprintf(what, sizeof(what), "create network `%s`", spec->name);
    cleanup_cjson cJSON *b = cJSON_CreateObject();
    if (b == NULL || cJSON_AddStringToObject(b, "Name", spec->name) == NULL ||
        cJSON_AddStringToObject(b, "Driver", spec->driver ? spec->driver : "bridge") == NULL ||
        cJSON_AddBoolToObject(b, "CheckDuplicate", 1) == NULL ||
        cJSON_AddBoolToObject(b, "Internal", spec->internal) == NULL ||
        cJSON_AddBoolToObject(b, "Attachable", spec->attachable) == NULL ||
        add_labels(b, "Labels", spec->labels, spec->n_labels) < 0) {
        kj_make_error(err, ENOMEM, "%s", what);
        return NULL;
    }
    char *body = cJSON_PrintUnformatted(b);
    if (body == NULL) {
        kj_make_error(err, ENOMEM, "%s", what);
        return NULL;
    }
    return kj_docker_req_simple(d, &kj_docker_id_ops, "POST", body, (kj_docker_fn)cb, data, what, err,
                                "/networks/create");
}

kj_docker_req_t *kj_docker_network_inspect(struct kj_docker *d, const char *network,
                                           kj_docker_json_cb cb, void *data, kj_error_t *err)
{
    char what[300];
    snprintf(what, sizeof(what), "inspect network `%s`", network ? network : "");
    cleanup_free char *n = escaped_or_null(network, err, what);
    if (n == NULL)
        return NULL;
    return kj_docker_req_simple(d, &kj_docker_json_ops, "GET", NULL, (kj_docker_fn)cb, data, what, err,
                                "/networks/%s", n);
}

kj_docker_req_t *kj_docker_network_remove(struct kj_docker *d, const char *network,
                                          kj_docker_done_cb cb, void *data, kj_error_t *err)
{
    char what[300];
    snprintf(what, sizeof(what), "remove network `%s`", network ? network : "");
    cleanup_free char *n = escaped_or_null(network, err, what);
    if (n == NULL)
        return NULL;
    return kj_docker_req_simple(d, &kj_docker_done_ops, "DELETE", NULL, (kj_docker_fn)cb, data, what,
                                err, "/networks/%s", n);
}

kj_docker_req_t *kj_docker_volume_remove(struct kj_docker *d, const char *name, kj_docker_done_cb cb,
                                         void *data, kj_error_t *err)
{
    char what[300];
    snprintf(what, sizeof(what), "remove volume `%s`", name ? name : "");
    cleanup_free char *n = escaped_or_null(name, err, what);
    if (n == NULL)
        return NULL;
    return kj_docker_req_simple(d, &kj_docker_done_ops, "DELETE", NULL, (kj_docker_fn)cb, data, what,
                                err, "/volumes/%s", n);
}

static kj_docker_req_t *connect_op(struct kj_docker *d, const char *verb, const char *network,
                                   const char *container, const char *const *aliases,
                                   bool force, kj_docker_done_cb cb, void *data, kj_error_t *err)
{
    char what[400];
    snprintf(what, sizeof(what), "%s container `%s` %s network `%s`", verb,
             container ? container : "", strcmp(verb, "connect") == 0 ? "to" : "from",
             network ? network : "");
    cleanup_free char *n = escaped_or_null(network, err, what);
    if (n == NULL)
        return NULL;
    if (container == NULL || *container == '\0') {
        kj_make_error(err, EINVAL, "%s: no container", what);
        return NULL;
    }
    cleanup_cjson cJSON *b = cJSON_CreateObject();
    bool ok = b != NULL && cJSON_AddStringToObject(b, "Container", container) != NULL;
    if (ok && strcmp(verb, "connect") == 0) {
        cJSON *ec = cJSON_AddObjectToObject(b, "EndpointConfig");
        cJSON *al = ec != NULL ? cJSON_AddArrayToObject(ec, "Aliases") : NULL;
        ok = al != NULL;
        for (size_t i = 0; ok && aliases != NULL && aliases[i] != NULL; i++) {
            cJSON *s = cJSON_CreateString(aliases[i]);
            ok = s != NULL && cJSON_AddItemToArray(al, s);
        }
    } else if (ok) {
        ok = cJSON_AddBoolToObject(b, "Force", force) != NULL;
    }
    char *body = ok ? cJSON_PrintUnformatted(b) : NULL;
    if (body == NULL) {
        kj_make_error(err, ENOMEM, "%s", what);
        return NULL;
    }
    return kj_docker_req_simple(d, &kj_docker_done_ops, "POST", body, (kj_docker_fn)cb, data, what, err,
                                "/networks/%s/%s", n, verb);
}

kj_docker_req_t *kj_docker_network_connect(struct kj_docker *d, const char *network,
                                           const char *container, const char *const *aliases,
                                           kj_docker_done_cb cb, void *data, kj_error_t *err)
{
    return connect_op(d, "connect", network, container, aliases, false, cb, data, err);
}

kj_docker_req_t *kj_docker_network_disconnect(struct kj_docker *d, const char *network,
                                              const char *container, bool force,
                                              kj_docker_done_cb cb, void *data, kj_error_t *err)
{
    return connect_op(d, "disconnect", network, container, NULL, force, cb, data, err);
}
