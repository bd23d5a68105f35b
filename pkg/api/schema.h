/* Internal to pkg/api: field-descriptor tables describing each struct of the
 * object model, and the generic engine (codec.c) that decodes, encodes,
 * clears and copies any struct from its table.
 *
 * One `struct kj_schema` per C struct lists its fields in upstream Go struct
 * order (which is the JSON encoding order). Tables live in schema_*.c and are
 * built with the F_* macros below. Not for use outside pkg/api.
 */
#ifndef KJ_API_SCHEMA_H
#define KJ_API_SCHEMA_H

#include <cjson/cJSON.h> /* cJSON */
#include <stddef.h>      /* offsetof, size_t */
#include <stdbool.h>
#include <stdint.h>
#include <string.h> /* memcpy */

#include "api/codec.h"   /* enum kj_kind */
#include "api/strlist.h" /* kj_strlist */
#include "util/error.h"  /* kj_error_t */

enum kj_ftype {
    KJ_FT_STRING,        /* char * */
    KJ_FT_INT32,         /* int32_t */
    KJ_FT_INT64,         /* int64_t */
    KJ_FT_BOOL,          /* bool */
    KJ_FT_TIME,          /* int64_t ns, RFC 3339 seconds */
    KJ_FT_MICROTIME,     /* int64_t ns, RFC 3339 micros */
    KJ_FT_QUANTITY,      /* struct kj_quantity */
    KJ_FT_LABELS,        /* struct kj_labels */
    KJ_FT_STRLIST,       /* struct kj_strlist */
    KJ_FT_INT32_ARRAY,   /* int32_t *, count at n_off */
    KJ_FT_OBJECT,        /* embedded struct described by sub */
    KJ_FT_ARRAY,         /* T *, count at n_off, T described by sub */
    KJ_FT_RAW,           /* cJSON * kept verbatim */
    KJ_FT_INT_OR_STRING, /* struct kj_int_or_string */
    KJ_FT_RESOURCES,     /* struct kj_resource_list */
    KJ_FT_TYPEMETA,      /* apiVersion / kind: checked by the caller, skipped here */
};

enum kj_fflag {
    KJ_FF_IGNORED = 1 << 0,    /* known, not honoured by Docker: report path when non-empty */
    KJ_FF_ALWAYS = 1 << 1,     /* encode even when zero/empty (Go field without omitempty) */
    KJ_FF_KEEP_EMPTY = 1 << 2, /* strings: encode "" when non-NULL (Go *string) */
    KJ_FF_NULL_UNSET = 1 << 3, /* times: encode null when unset (Go non-pointer MicroTime) */
    KJ_FF_RAW_ARRAY = 1 << 4,  /* raw: must be a JSON array */
    KJ_FF_RAW_OBJECT = 1 << 5, /* raw: must be a JSON object */
};

#define KJ_NO_OFF ((size_t)-1)

struct kj_schema;

struct kj_field {
    const char *json; /* JSON name */
    enum kj_ftype type;
    unsigned flags;             /* enum kj_fflag */
    size_t off;                 /* offset of the value */
    size_t has_off;             /* offset of `bool has_x`, or KJ_NO_OFF */
    size_t n_off;               /* arrays: offset of the size_t count */
    const struct kj_schema *sub; /* OBJECT / ARRAY element */
    const char *go_type;        /* Go type for error texts; NULL = derived */
};

struct kj_schema {
    const char *go_name; /* "JobSpec" (struct name in Go error paths) */
    const char *go_pkg;  /* "v1" */
    size_t size;         /* sizeof the C struct */
    const struct kj_field *fields;
    size_t n_fields;
};

#define KJ_SCHEMA(var, S, goname, gopkg, table)                                                \
    const struct kj_schema var = {goname, gopkg, sizeof(S), table,                            \
                                  sizeof(table) / sizeof(table[0])}

/* Field constructors. S = C struct, m = member, j = JSON name. */
#define F_(j, t, fl, S, m, has, n, sub, go)                                                    \
    {j, t, fl, offsetof(S, m), has, n, sub, go}
#define F_STR(S, j, m) F_(j, KJ_FT_STRING, 0, S, m, KJ_NO_OFF, KJ_NO_OFF, NULL, NULL)
#define F_STRG(S, j, m, go) F_(j, KJ_FT_STRING, 0, S, m, KJ_NO_OFF, KJ_NO_OFF, NULL, go)
#define F_STRX(S, j, m, fl, go) F_(j, KJ_FT_STRING, fl, S, m, KJ_NO_OFF, KJ_NO_OFF, NULL, go)
#define F_I32(S, j, m, fl) F_(j, KJ_FT_INT32, fl, S, m, KJ_NO_OFF, KJ_NO_OFF, NULL, NULL)
#define F_I64(S, j, m, fl) F_(j, KJ_FT_INT64, fl, S, m, KJ_NO_OFF, KJ_NO_OFF, NULL, NULL)
#define F_BOOL(S, j, m, fl) F_(j, KJ_FT_BOOL, fl, S, m, KJ_NO_OFF, KJ_NO_OFF, NULL, NULL)
#define F_OPT_I32(S, j, m, fl)                                                                 \
    F_(j, KJ_FT_INT32, fl, S, m, offsetof(S, has_##m), KJ_NO_OFF, NULL, NULL)
#define F_OPT_I64(S, j, m, fl)                                                                 \
    F_(j, KJ_FT_INT64, fl, S, m, offsetof(S, has_##m), KJ_NO_OFF, NULL, NULL)
#define F_OPT_BOOL(S, j, m, fl)                                                                \
    F_(j, KJ_FT_BOOL, fl, S, m, offsetof(S, has_##m), KJ_NO_OFF, NULL, NULL)
#define F_TIME(S, j, m) F_(j, KJ_FT_TIME, 0, S, m, KJ_NO_OFF, KJ_NO_OFF, NULL, NULL)
#define F_LABELS(S, j, m, fl) F_(j, KJ_FT_LABELS, fl, S, m, KJ_NO_OFF, KJ_NO_OFF, NULL, NULL)
#define F_STRLIST(S, j, m, fl) F_(j, KJ_FT_STRLIST, fl, S, m, KJ_NO_OFF, KJ_NO_OFF, NULL, NULL)
#define F_OBJ(S, j, m, sub) F_(j, KJ_FT_OBJECT, 0, S, m, KJ_NO_OFF, KJ_NO_OFF, &sub, NULL)
#define F_OPT_OBJ(S, j, m, sub)                                                                \
    F_(j, KJ_FT_OBJECT, 0, S, m, offsetof(S, has_##m), KJ_NO_OFF, &sub, NULL)
#define F_ARR(S, j, m, fl, sub)                                                                \
    F_(j, KJ_FT_ARRAY, fl, S, m, KJ_NO_OFF, offsetof(S, n_##m), &sub, NULL)
#define F_RAW(S, j, m, fl, go) F_(j, KJ_FT_RAW, fl, S, m, KJ_NO_OFF, KJ_NO_OFF, NULL, go)
#define F_TYPEMETA(S, j) {j, KJ_FT_TYPEMETA, 0, 0, KJ_NO_OFF, KJ_NO_OFF, NULL, NULL}

/* Typed access to a field at a byte offset of a struct. */
#define KJ_AT(base, off, T) ((T *)((char *)(base) + (off)))
#define KJ_CAT(base, off, T) ((const T *)((const char *)(base) + (off)))

/* Array pointers are stored in typed fields (struct kj_container *); every
 * object pointer has the same representation, so move them through memcpy. */
static inline void *kj_schema_get_ptr(const void *base, size_t off)
{
    void *p;
    memcpy(&p, (const char *)base + off, sizeof p);
    return p;
}

static inline void kj_schema_set_ptr(void *base, size_t off, void *p)
{
    memcpy((char *)base + off, &p, sizeof p);
}

static inline void kj_schema_set_has(const struct kj_field *f, void *base, bool v)
{
    if (f->has_off != KJ_NO_OFF)
        *KJ_AT(base, f->has_off, bool) = v;
}

/* Free what one field owns, zero it and its has_ flag. */
void kj_schema_clear_field(const struct kj_field *f, void *base);

/* Decode object j into the struct at base (which must be zeroed/cleared).
 * gopath/ipath are the Go-style (no indices) and index-carrying paths of j
 * ("" at the top). On failure the struct may be partly filled: the caller
 * clears it. */
int kj_schema_decode(const struct kj_schema *sc, const cJSON *j, void *base, const char *gopath,
                     const char *ipath, struct kj_strlist *unknown, struct kj_strlist *ignored,
                     kj_error_t *err);

/* Append the fields of the struct at base to the JSON object out. */
void kj_schema_encode(const struct kj_schema *sc, const void *base, cJSON *out);

/* Free everything the struct owns and zero it. */
void kj_schema_clear(const struct kj_schema *sc, void *base);

/* Clear dst, then deep-copy src into it. */
void kj_schema_copy(const struct kj_schema *sc, void *dst, const void *src);

/* The table of a kind's struct (objects.c); NULL for an invalid kind. */
const struct kj_schema *kj_kind_schema(enum kj_kind kind);

/* Tables (schema_*.c). */
extern const struct kj_schema kj_schema_owner_reference, kj_schema_object_meta,
    kj_schema_list_meta, kj_schema_label_selector, kj_schema_label_selector_requirement,
    kj_schema_condition, kj_schema_object_reference;
extern const struct kj_schema kj_schema_container, kj_schema_volume, kj_schema_pod_spec,
    kj_schema_pod_template_spec, kj_schema_container_status, kj_schema_pod_status, kj_schema_pod,
    kj_schema_pod_list;
extern const struct kj_schema kj_schema_job_spec, kj_schema_job_status, kj_schema_job,
    kj_schema_job_list;
extern const struct kj_schema kj_schema_env_var, kj_schema_container_port, kj_schema_volume_mount,
    kj_schema_resource_requirements, kj_schema_pod_container_state;
extern const struct kj_schema kj_schema_pod_failure_policy_rule, kj_schema_pod_failure_policy,
    kj_schema_success_policy;
extern const struct kj_schema kj_schema_service_port, kj_schema_status_details,
    kj_schema_replica_set_spec, kj_schema_replica_set_status, kj_schema_service_spec;
extern const struct kj_schema kj_schema_event, kj_schema_event_list, kj_schema_replica_set,
    kj_schema_service, kj_schema_namespace, kj_schema_status;

#endif
