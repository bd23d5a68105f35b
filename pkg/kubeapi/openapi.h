/* OpenAPI v3 documents, enough for kubectl: `kubectl apply` with its
 * default --validate=strict refuses to go on unless /openapi/v3 (or v2)
 * exists, and uses server-side field validation only when the group
 * version's document lists the `fieldValidation` query parameter on the
 * PATCH operation of the kind (kubectl's queryParamVerifierV3).
 *
 * Component schemas are deliberately shallow and carry no
 * x-kubernetes-group-version-kind: kubectl then computes strategic merge
 * patches from its compiled-in types instead of from a schema kjob would
 * have to keep complete.
 */
#ifndef KJ_KUBEAPI_OPENAPI_H
#define KJ_KUBEAPI_OPENAPI_H

#include <cjson/cJSON.h> /* cJSON */

/* GET /openapi/v3: {"paths":{"apis/batch/v1":{"serverRelativeURL":"/openapi/v3/apis/batch/v1?hash=..."}}}.
 * The hash is the SHA-256 of the document, so kubectl's disk cache (keyed by
 * URL) never serves a stale copy. New tree owned by the caller. */
cJSON *kj_openapi_v3_index(void);

/* GET /openapi/v3/<gv>, gv like "api/v1" or "apis/batch/v1" (no leading
 * slash, no query). New tree owned by the caller, or NULL if not served. */
cJSON *kj_openapi_v3_doc(const char *gv);

#endif
