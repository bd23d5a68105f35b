/* Shared between pkg/api/yaml*.c only; not part of the module's API. */
#ifndef KJ_API_YAML_INTERNAL_H
#define KJ_API_YAML_INTERNAL_H

#include <cjson/cJSON.h> /* cJSON */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h> /* yaml_parser_t */

#include "util/error.h" /* kj_error_t */

/* ---- string -> pointer hash map (yaml_strmap.c) ------------------------
 * Keys and values are borrowed: the map never frees them, and a key must stay
 * valid and unchanged while it is in the map. A zeroed struct is an empty map. */
struct kj_yaml_strmap_slot {
    const char *key; /* borrowed; NULL = free slot */
    uint64_t hash;
    void *value; /* borrowed */
};

struct kj_yaml_strmap {
    struct kj_yaml_strmap_slot *slots; /* owned */
    size_t cap;                        /* 0 or a power of two */
    size_t len;
};

/* The value stored under `key`, or NULL. */
void *kj_yaml_strmap_get(const struct kj_yaml_strmap *m, const char *key);
/* Insert or replace. Returns 0, or -1 on OOM (map unchanged). */
int kj_yaml_strmap_put(struct kj_yaml_strmap *m, const char *key, void *value);
/* Drop all entries and the table; the map is empty and reusable. */
void kj_yaml_strmap_clear(struct kj_yaml_strmap *m);

/* ---- scalar resolution (yaml_resolve.c) -------------------------------- */
enum kj_yaml_kind {
    KJ_YAML_STR = 0,
    KJ_YAML_NULL,
    KJ_YAML_BOOL,
    KJ_YAML_INT,   /* fits int64 */
    KJ_YAML_UINT,  /* above INT64_MAX, fits uint64 */
    KJ_YAML_FLOAT, /* may be non-finite */
};

struct kj_yaml_scalar {
    enum kj_yaml_kind kind;
    bool b;
    int64_t i;
    uint64_t u;
    double f;
};

/* Resolve a scalar as go-yaml v2 does. `tag` is the event's tag (NULL when
 * none), `plain_implicit` the event's flag; `value` is NUL-terminated with
 * `len` bytes. Returns 0, or -1 when an explicit tag cannot hold the value
 * (e.g. `!!int abc`), with Go's message written to msg. */
int kj_yaml_scalar_resolve(const char *tag, bool plain_implicit, const char *value, size_t len,
                           struct kj_yaml_scalar *out, char *msg, size_t msg_size);

/* The JSON key text for a resolved scalar as sigs.k8s.io/yaml writes it
 * (`value` is the scalar's text, used for strings). New string owned by the
 * caller; NULL for a null scalar (not a valid key) or on OOM. */
char *kj_yaml_scalar_key(const struct kj_yaml_scalar *s, const char *value);

/* ---- event stream -> cJSON (yaml_build.c) ------------------------------ */

/* Run an initialized parser to the end of its stream, appending each non-null
 * document to `docs` (borrowed cJSON array). Returns 0; -1 when libyaml
 * rejects the syntax (*err untouched: the parser holds the problem); or -2
 * with *err set (complete message) when valid YAML cannot become JSON. */
int kj_yaml_build(yaml_parser_t *parser, cJSON *docs, kj_error_t *err);

#endif
