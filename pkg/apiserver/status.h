/* meta/v1 `Status` documents, the body of every error response (and of a
 * successful immediate DELETE), shaped as kube-apiserver renders them:
 *
 *   {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
 *    "message":"jobs.batch \"x\" not found","reason":"NotFound",
 *    "details":{"name":"x","group":"batch","kind":"jobs"},"code":404}
 *
 * All builders return a new cJSON tree owned by the caller; they abort on OOM
 * (cJSON allocation failures are treated like x-allocators: small, bounded).
 */
#ifndef KJ_APISERVER_STATUS_H
#define KJ_APISERVER_STATUS_H

#include <cjson/cJSON.h> /* cJSON */
#include <stddef.h>       /* size_t */

#include "util/error.h" /* kj_error_t */

/* The Kubernetes reason for an HTTP code ("NotFound", "Invalid" ...); 409
 * maps to "Conflict" (AlreadyExists is chosen by the caller). Never NULL:
 * unknown codes give "InternalError" (5xx) or "BadRequest" (4xx) or "". */
const char *kj_status_reason_for_code(int code);

/* A Failure Status. `message` and `reason` are copied; `reason` NULL =
 * kj_status_reason_for_code(code). `details_name`, `group`, `kind` may be NULL
 * (then omitted; `details` is always present, possibly {}). */
cJSON *kj_status_failure(int code, const char *reason, const char *message,
                         const char *details_name, const char *group, const char *kind);

/* `<resource>.<group> "<name>" not found` (group "" for core: `pods "x" not found`). */
cJSON *kj_status_not_found(const char *resource, const char *group, const char *name);

/* `<resource>.<group> "<name>" already exists`, code 409, reason AlreadyExists. */
cJSON *kj_status_already_exists(const char *resource, const char *group, const char *name);

/* Success Status of an immediate delete: details {name, group, kind, uid}. */
cJSON *kj_status_success_deleted(const char *resource, const char *group, const char *name,
                                 const char *uid);

/* A Status for an error from a lower layer: code from kj_error_http_status()
 * (500 when none), message = err->msg. `err` is borrowed, not released. */
cJSON *kj_status_from_error(const kj_error_t err);

/* `details.kind` of resource-scoped errors is the plural resource name
 * ("jobs"); the qualified resource is "jobs.batch" or "pods". Writes it into
 * buf and returns buf. */
char *kj_qualified_resource(const char *resource, const char *group, char *buf, size_t size);

#endif
