/* Request bodies: which syntax a body is in (Content-Type, else sniffed) and
 * its decoding into one cJSON object (YAML through pkg/api/yaml.h).
 */
#ifndef KJ_APISERVER_BODY_H
#define KJ_APISERVER_BODY_H

#include <cjson/cJSON.h> /* cJSON */
#include <stddef.h>      /* size_t */

#include "util/error.h" /* kj_error_t */

/* Kubernetes' default request body limit (3 MiB). */
#define KJ_APISERVER_MAX_BODY (3 * 1024 * 1024)

enum kj_body_type {
    KJ_BODY_JSON = 0,
    KJ_BODY_YAML = 1,
    KJ_BODY_UNSUPPORTED = 2, /* a Content-Type we do not read (415) */
};

/* Classify a body. `content_type` may be NULL or carry parameters
 * ("application/json; charset=utf-8"). JSON: application/json and any
 * "+json" type (merge-patch, ...); YAML: application/yaml, application/x-yaml,
 * text/yaml, text/x-yaml and "+yaml" types. A missing, empty, "*" "/" "*" or
 * text/plain / application/x-www-form-urlencoded type (curl's default for
 * --data) is sniffed: first non-blank byte '{' or '[' = JSON, else YAML.
 * Anything else is KJ_BODY_UNSUPPORTED. */
enum kj_body_type kj_body_type_detect(const char *content_type, const char *body, size_t len);

/* Decode a body of `type` into exactly one JSON object (caller owns *out).
 * Errors are HTTP 400 (syntax, not an object, several YAML documents, empty)
 * or 413 (len > KJ_APISERVER_MAX_BODY). */
int kj_body_decode_object(enum kj_body_type type, const char *body, size_t len, cJSON **out,
                          kj_error_t *err);

#endif
