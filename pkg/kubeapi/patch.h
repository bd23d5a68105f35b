/* The three PATCH flavours kubectl sends:
 *   application/merge-patch+json           RFC 7386 (kubectl patch --type=merge)
 *   application/json-patch+json            RFC 6902 (kubectl patch --type=json)
 *   application/strategic-merge-patch+json Kubernetes' strategic merge
 *     (kubectl apply, label, annotate, scale, edit, patch default)
 *
 * Each takes the current object by reference (a patch may replace the root)
 * and modifies it in place; on failure the object is left in an unspecified
 * but valid state, so callers patch a copy. Errors carry HTTP 422 for a patch
 * that cannot apply (failed test, missing path) and 400 for a malformed one.
 */
#ifndef KJ_KUBEAPI_PATCH_H
#define KJ_KUBEAPI_PATCH_H

#include <cjson/cJSON.h> /* cJSON */

#include "util/error.h"

int kj_patch_merge(cJSON **target, const cJSON *patch, kj_error_t *err);
int kj_patch_json(cJSON **target, const cJSON *ops, kj_error_t *err);
/* Merge keys are those of the Kubernetes types kjob serves (containers and
 * env by name, ports by containerPort/port, ownerReferences by uid,
 * conditions by type, ...); other lists are replaced, as for atomic lists.
 * Directives $patch (replace|delete|merge), $retainKeys,
 * $deleteFromPrimitiveList/<f> and $setElementOrder/<f> are honoured. */
int kj_patch_strategic(cJSON **target, const cJSON *patch, kj_error_t *err);

/* Dispatch on a Content-Type (parameters after ';' ignored). 415 for an
 * unknown patch type. */
int kj_patch_apply(const char *content_type, cJSON **target, const cJSON *patch,
                   kj_error_t *err);

#endif
