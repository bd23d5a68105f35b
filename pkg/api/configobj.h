/* core/v1 ConfigMap and Secret contents: the checks and the write-time
 * normalisation the API server applies before storing one (kjob serves both
 * kinds from pkg/apiserver/handlers_config.c). Pure functions on cJSON; no
 * I/O, no logging — a Secret's values must never reach a log line, so the
 * messages built here name keys, never values.
 */
#ifndef KJ_API_CONFIGOBJ_H
#define KJ_API_CONFIGOBJ_H

#include <stdbool.h> /* bool */
#include <stddef.h>  /* size_t */

#include <cjson/cJSON.h>

/* The limit Kubernetes puts on the total size of one object's data. */
#define KJ_CONFIG_MAX_BYTES ((size_t)1 << 20)

/* A failed check: `field` is the JSON path (`data[a b]`, `metadata.name`),
 * `detail` the apimachinery-style text after it ("Invalid value: ...").
 * Both owned; release with kj_config_problem_clear. */
struct kj_config_problem {
    char *field;
    char *detail;
};

/* Check a config key ("[-._a-zA-Z0-9]+", at most 253 bytes, not "." or "..",
 * not starting with ".."). Returns 0 when valid; else 1 and, when `msg_out`
 * is not NULL, apimachinery's message in *msg_out (owned by the caller). */
size_t kj_config_key_check(const char *key, char **msg_out);

/* Check and normalise `obj` (a ConfigMap when !secret, else a Secret) in
 * place: the name is a DNS-1123 subdomain; `data` values are strings
 * (Secret: valid base64), `binaryData` values valid base64; keys valid and
 * not repeated across data/binaryData; the decoded total at most
 * KJ_CONFIG_MAX_BYTES. For a Secret, `stringData` is base64-encoded into
 * `data` (its keys win, as in Kubernetes) and removed, and `type` defaults
 * to "Opaque". Returns 0, or -1 with `*p` filled (caller clears it). */
int kj_config_object_check(cJSON *obj, bool secret, struct kj_config_problem *p);

/* Free what a problem holds; safe on a zeroed one. */
void kj_config_problem_clear(struct kj_config_problem *p);

/* Decode base64 `in` into a new buffer (NUL-terminated for convenience,
 * *len excludes it). NULL when `in` is not valid base64. Caller frees. */
unsigned char *kj_base64_decode(const char *in, size_t *len);

/* Encode `len` bytes as base64; caller frees. Never NULL. */
char *kj_base64_encode(const unsigned char *in, size_t len);

#endif
