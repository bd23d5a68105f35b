/* Field errors: Kubernetes' apimachinery `field.ErrorList`, rendered byte
 * for byte the way kube-apiserver renders it, and the 422 `Status` built
 * from a list.
 *
 *   struct kj_field_errors errs;
 *   kj_field_errors_init(&errs);
 *   kj_fe_invalid_int(&errs, "spec.completions", -1, "must be greater than or equal to 0");
 *   char *line = kj_field_error_string(&errs.items[0]);
 *       -> spec.completions: Invalid value: -1: must be greater than or equal to 0
 *   cJSON *status = kj_field_errors_status(&errs, "Job", "batch", "pi");   (422 body)
 *   kj_field_errors_free(&errs);
 *
 * Rendering (reference §1.4): `<path>: <Type text>[: <value>][: <detail>]`.
 * Required, Forbidden, TooLong and Internal never show a value; the others
 * show the value already rendered when the error was added: numbers and
 * bools bare, strings Go-quoted (strconv.Quote), structures as compact JSON
 * in Go's encoding (map keys sorted, `<>&` escaped), the pod template as
 * `core.PodTemplateSpec{...}`; "omitted" values (NULL) show nothing.
 *
 * Memory: the list owns every string in it. Adding uses the aborting x*
 * allocators: each entry is small and a validation pass that could fail
 * half-way would leave callers nothing useful to do. Not thread-safe per list.
 */
#ifndef KJ_API_FIELDERR_H
#define KJ_API_FIELDERR_H

#include <cjson/cJSON.h> /* cJSON */
#include <stdbool.h>     /* bool */
#include <stddef.h>      /* size_t */
#include <stdint.h>      /* int64_t */

/* apimachinery's ErrorType; the cause reason in a Status is
 * kj_field_error_type_reason(), the text in a message kj_field_error_type_text(). */
enum kj_field_error_type {
    KJ_FE_REQUIRED = 0, /* FieldValueRequired     "Required value" */
    KJ_FE_INVALID,      /* FieldValueInvalid      "Invalid value" */
    KJ_FE_NOT_SUPPORTED, /* FieldValueNotSupported "Unsupported value" */
    KJ_FE_DUPLICATE,    /* FieldValueDuplicate    "Duplicate value" */
    KJ_FE_FORBIDDEN,    /* FieldValueForbidden    "Forbidden" */
    KJ_FE_TOO_LONG,     /* FieldValueTooLong      "Too long" */
    KJ_FE_TOO_MANY,     /* FieldValueTooMany      "Too many" */
    KJ_FE_NOT_FOUND,    /* FieldValueNotFound     "Not found" */
    KJ_FE_INTERNAL,     /* InternalError          "Internal error" */
};

struct kj_field_error {
    enum kj_field_error_type type;
    char *field;  /* owned; "spec.podFailurePolicy.rules[0].action" */
    char *value;  /* owned; rendered bad value, NULL = not shown */
    char *detail; /* owned; never NULL, may be "" */
};

struct kj_field_errors {
    struct kj_field_error *items; /* owned */
    size_t len;
    size_t cap;
};

void kj_field_errors_init(struct kj_field_errors *errs);
/* Free every entry and the array; the list is empty and reusable after. */
void kj_field_errors_free(struct kj_field_errors *errs);

/* "Required value", "Invalid value", ... */
const char *kj_field_error_type_text(enum kj_field_error_type t);
/* "FieldValueRequired", ..., "InternalError". */
const char *kj_field_error_type_reason(enum kj_field_error_type t);

/* Append an error. `value` is the already-rendered value (copied; NULL = not
 * shown); it is dropped for types that never show one. `detail_fmt` may be
 * NULL for no detail. */
void kj_field_errors_add(struct kj_field_errors *errs, enum kj_field_error_type type,
                         const char *field, const char *value, const char *detail_fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Constructors mirroring apimachinery's field.Required(), field.Invalid() ...
 * `detail` may be NULL or "". */
void kj_fe_required(struct kj_field_errors *errs, const char *field, const char *detail);
void kj_fe_forbidden(struct kj_field_errors *errs, const char *field, const char *detail);
void kj_fe_internal(struct kj_field_errors *errs, const char *field, const char *detail);
/* Detail `may not be more than <max> bytes`. */
void kj_fe_too_long(struct kj_field_errors *errs, const char *field, int64_t max);
/* `Too many: <actual>: must have at most <max> items`. */
void kj_fe_too_many(struct kj_field_errors *errs, const char *field, int64_t actual, int64_t max);
void kj_fe_invalid_int(struct kj_field_errors *errs, const char *field, int64_t value,
                       const char *detail);
void kj_fe_invalid_bool(struct kj_field_errors *errs, const char *field, bool value,
                        const char *detail);
/* `value` NULL renders as "null" (a nil pointer in Go). */
void kj_fe_invalid_str(struct kj_field_errors *errs, const char *field, const char *value,
                       const char *detail);
/* The value rendered as Go's json.Marshal would (borrowed; NULL = "null"). */
void kj_fe_invalid_json(struct kj_field_errors *errs, const char *field, const cJSON *value,
                        const char *detail);
/* The value shown verbatim, e.g. "core.PodTemplateSpec{...}". */
void kj_fe_invalid_raw(struct kj_field_errors *errs, const char *field, const char *rendered,
                       const char *detail);
/* field.Invalid(path, field.OmitValueType{}, detail): no value shown. */
void kj_fe_invalid_omit(struct kj_field_errors *errs, const char *field, const char *detail);
/* field.NotSupported: detail `supported values: "A", "B"` from the
 * NULL-terminated `supported`. */
void kj_fe_not_supported(struct kj_field_errors *errs, const char *field, const char *value,
                         const char *const *supported);
void kj_fe_duplicate_str(struct kj_field_errors *errs, const char *field, const char *value);
void kj_fe_duplicate_int(struct kj_field_errors *errs, const char *field, int64_t value);
void kj_fe_not_found_str(struct kj_field_errors *errs, const char *field, const char *value);

/* Append all of `src` to `dst`, moving the entries (src is left empty). */
void kj_field_errors_move(struct kj_field_errors *dst, struct kj_field_errors *src);

/* The body without the path (`Invalid value: -1: must be ...`), as a
 * Status cause message. Newly allocated (aborts on OOM). */
char *kj_field_error_body(const struct kj_field_error *e);
/* `<path>: <body>`. Newly allocated (aborts on OOM). */
char *kj_field_error_string(const struct kj_field_error *e);

/* The aggregate message: `<e1>` for one distinct error, `[<e1>, <e2>]` for
 * several; identical texts are shown once (utilerrors.NewAggregate over
 * ErrorList.ToAggregate). "" for an empty list. Newly allocated. */
char *kj_field_errors_aggregate(const struct kj_field_errors *errs);

/* `<Kind>.<group> "<name>" is invalid: <aggregate>` (e.g.
 * `Job.batch "pi" is invalid: spec.completions: ...`); without the
 * `: <aggregate>` part when the list is empty. `group` "" gives `<Kind>`
 * alone (core kinds: `Pod "x" is invalid: ...`). Newly allocated. */
char *kj_field_errors_invalid_message(const struct kj_field_errors *errs, const char *kind,
                                      const char *group, const char *name);

/* The 422 `Status` object for the list (reference §11):
 * {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
 *  "message":<invalid message>,"reason":"Invalid","details":{"name":...,
 *  "group":...,"kind":...,"causes":[{"reason","message","field"}...]},"code":422}.
 * Empty `name`/`group` and an empty cause list are omitted from details
 * (omitempty). One cause per entry, duplicates kept (as upstream). Returns a
 * new cJSON tree (caller deletes), NULL on OOM. */
cJSON *kj_field_errors_status(const struct kj_field_errors *errs, const char *kind,
                              const char *group, const char *name);

/* Go's strconv.Quote(s): double-quoted with Go's escapes (`\"`, `\\`, `\n`,
 * `\x01`, `\u00ad`, invalid UTF-8 bytes as `\xff`). Non-printable code points
 * are approximated (C0/C1 controls, DEL, soft hyphen, zero-width and bidi
 * format characters, line/paragraph separators, BOM, private use and
 * noncharacters are escaped; everything else is printed as is). Newly
 * allocated (aborts on OOM). */
char *kj_go_quote(const char *s);
/* Same for the first `n` bytes of s (which may contain NULs). */
char *kj_go_quote_n(const char *s, size_t n);

/* Go's json.Marshal of a value decoded into an interface{}-like tree:
 * compact, object members in the order given (sort them first for Go maps:
 * kj_json_sorted_copy()), strings escaped as Go does (`<`,`>`,`&`, U+2028,
 * U+2029 as \u escapes, invalid UTF-8 as \ufffd), integral numbers without a
 * fraction. NULL renders as "null". Newly allocated (aborts on OOM). */
char *kj_go_json(const cJSON *v);

/* A deep copy of an object whose members are sorted by key (byte order), as
 * Go marshals a map[string]string. Only the top level is sorted. NULL on
 * OOM or if `obj` is NULL. */
cJSON *kj_json_sorted_copy(const cJSON *obj);

#endif
