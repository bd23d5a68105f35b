/* Status documents; see status.h. */
#include "apiserver/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

const char *kj_status_reason_for_code(int code)
{
    switch (code) {
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 406: return "NotAcceptable";
    case 409: return "Conflict";
    case 410: return "Expired";
    case 413: return "RequestEntityTooLarge";
    case 415: return "UnsupportedMediaType";
    case 422: return "Invalid";
    case 429: return "TooManyRequests";
    case 500: return "InternalError";
    case 503: return "ServiceUnavailable";
    case 504: return "Timeout";
    default: break;
    }
    if (code >= 500)
        return "InternalError";
    if (code >= 400)
        return "BadRequest";
    return "";
}

static cJSON *xobj(void)
{
    cJSON *o = cJSON_CreateObject();
    kj_assert(o != NULL);
    return o;
}

static void add_str(cJSON *o, const char *k, const char *v)
{
    kj_assert(cJSON_AddStringToObject(o, k, v) != NULL);
}

static cJSON *status_base(const char *status)
{
    cJSON *st = xobj();
    add_str(st, "kind", "Status");
    add_str(st, "apiVersion", "v1");
    kj_assert(cJSON_AddObjectToObject(st, "metadata") != NULL);
    add_str(st, "status", status);
    return st;
}

static cJSON *details(const char *name, const char *group, const char *kind)
{
    cJSON *d = xobj();
    if (name != NULL)
        add_str(d, "name", name);
    if (group != NULL && *group != '\0')
        add_str(d, "group", group);
    if (kind != NULL)
        add_str(d, "kind", kind);
    return d;
}

cJSON *kj_status_failure(int code, const char *reason, const char *message,
                         const char *details_name, const char *group, const char *kind)
{
    cJSON *st = status_base("Failure");
    add_str(st, "message", message ? message : "");
    add_str(st, "reason", reason ? reason : kj_status_reason_for_code(code));
    cJSON_AddItemToObject(st, "details", details(details_name, group, kind));
    kj_assert(cJSON_AddNumberToObject(st, "code", code) != NULL);
    return st;
}

char *kj_qualified_resource(const char *resource, const char *group, char *buf, size_t size)
{
    if (group != NULL && *group != '\0')
        snprintf(buf, size, "%s.%s", resource, group);
    else
        snprintf(buf, size, "%s", resource);
    return buf;
}

cJSON *kj_status_not_found(const char *resource, const char *group, const char *name)
{
    char qr[128];
    kj_qualified_resource(resource, group, qr, sizeof qr);
    char *msg = xasprintf("%s \"%s\" not found", qr, name);
    cJSON *st = kj_status_failure(404, "NotFound", msg, name, group, resource);
    free(msg);
    return st;
}

cJSON *kj_status_already_exists(const char *resource, const char *group, const char *name)
{
    char qr[128];
    kj_qualified_resource(resource, group, qr, sizeof qr);
    char *msg = xasprintf("%s \"%s\" already exists", qr, name);
    cJSON *st = kj_status_failure(409, "AlreadyExists", msg, name, group, resource);
    free(msg);
    return st;
}

cJSON *kj_status_success_deleted(const char *resource, const char *group, const char *name,
                                 const char *uid)
{
    cJSON *st = status_base("Success");
    cJSON *d = details(name, group, resource);
    if (uid != NULL)
        add_str(d, "uid", uid);
    cJSON_AddItemToObject(st, "details", d);
    return st;
}

cJSON *kj_status_from_error(const kj_error_t err)
{
    int code = err ? kj_error_http_status(err) : 500;
    if (code < 400 || code > 599)
        code = 500;
    return kj_status_failure(code, NULL, err && err->msg ? err->msg : "internal error", NULL, NULL,
                             NULL);
}
