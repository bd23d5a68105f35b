/* Field-error list and its apimachinery rendering (see fielderr.h). */
#include "api/fielderr.h"

#include <stdarg.h> /* va_list */
#include <stdio.h>  /* vasprintf */
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void kj_field_errors_init(struct kj_field_errors *errs)
{
    errs->items = NULL;
    errs->len = 0;
    errs->cap = 0;
}

void kj_field_errors_free(struct kj_field_errors *errs)
{
    for (size_t i = 0; i < errs->len; i++) {
        free(errs->items[i].field);
        free(errs->items[i].value);
        free(errs->items[i].detail);
    }
    free(errs->items);
    kj_field_errors_init(errs);
}

const char *kj_field_error_type_text(enum kj_field_error_type t)
{
    switch (t) {
    case KJ_FE_REQUIRED:
        return "Required value";
    case KJ_FE_INVALID:
        return "Invalid value";
    case KJ_FE_NOT_SUPPORTED:
        return "Unsupported value";
    case KJ_FE_DUPLICATE:
        return "Duplicate value";
    case KJ_FE_FORBIDDEN:
        return "Forbidden";
    case KJ_FE_TOO_LONG:
        return "Too long";
    case KJ_FE_TOO_MANY:
        return "Too many";
    case KJ_FE_NOT_FOUND:
        return "Not found";
    case KJ_FE_INTERNAL:
        return "Internal error";
    default:
        return "Internal error";
    }
}

const char *kj_field_error_type_reason(enum kj_field_error_type t)
{
    switch (t) {
    case KJ_FE_REQUIRED:
        return "FieldValueRequired";
    case KJ_FE_INVALID:
        return "FieldValueInvalid";
    case KJ_FE_NOT_SUPPORTED:
        return "FieldValueNotSupported";
    case KJ_FE_DUPLICATE:
        return "FieldValueDuplicate";
    case KJ_FE_FORBIDDEN:
        return "FieldValueForbidden";
    case KJ_FE_TOO_LONG:
        return "FieldValueTooLong";
    case KJ_FE_TOO_MANY:
        return "FieldValueTooMany";
    case KJ_FE_NOT_FOUND:
        return "FieldValueNotFound";
    case KJ_FE_INTERNAL:
        return "InternalError";
    default:
        return "InternalError";
    }
}

/* apimachinery's ErrorBody() prints no value for these, whatever was passed. */
static bool type_hides_value(enum kj_field_error_type t)
{
    return t == KJ_FE_REQUIRED || t == KJ_FE_FORBIDDEN || t == KJ_FE_TOO_LONG ||
           t == KJ_FE_INTERNAL;
}

static struct kj_field_error *push(struct kj_field_errors *errs)
{
    if (errs->len == errs->cap) {
        size_t cap = errs->cap ? errs->cap * 2 : 8;
        errs->items = xrealloc(errs->items, cap * sizeof(*errs->items));
        errs->cap = cap;
    }
    return &errs->items[errs->len++];
}

static void add_owned(struct kj_field_errors *errs, enum kj_field_error_type type,
                      const char *field, char *value_owned, const char *detail)
{
    struct kj_field_error *e = push(errs);
    e->type = type;
    e->field = xstrdup(field);
    if (type_hides_value(type)) {
        free(value_owned);
        value_owned = NULL;
    }
    e->value = value_owned;
    e->detail = xstrdup(detail ? detail : "");
}

void kj_field_errors_add(struct kj_field_errors *errs, enum kj_field_error_type type,
                         const char *field, const char *value, const char *detail_fmt, ...)
{
    char *detail = NULL;
    if (detail_fmt != NULL) {
        va_list ap;
        va_start(ap, detail_fmt);
        if (vasprintf(&detail, detail_fmt, ap) < 0)
            kj_panic(__FILE__, __LINE__, "out of memory");
        va_end(ap);
    }
    add_owned(errs, type, field, value ? xstrdup(value) : NULL, detail);
    free(detail);
}

void kj_fe_required(struct kj_field_errors *errs, const char *field, const char *detail)
{
    add_owned(errs, KJ_FE_REQUIRED, field, NULL, detail);
}

void kj_fe_forbidden(struct kj_field_errors *errs, const char *field, const char *detail)
{
    add_owned(errs, KJ_FE_FORBIDDEN, field, NULL, detail);
}

void kj_fe_internal(struct kj_field_errors *errs, const char *field, const char *detail)
{
    add_owned(errs, KJ_FE_INTERNAL, field, NULL, detail);
}

void kj_fe_too_long(struct kj_field_errors *errs, const char *field, int64_t max)
{
    char *d = xasprintf("may not be more than %lld bytes", (long long)max);
    add_owned(errs, KJ_FE_TOO_LONG, field, NULL, d);
    free(d);
}

void kj_fe_too_many(struct kj_field_errors *errs, const char *field, int64_t actual, int64_t max)
{
    char *d = xasprintf("must have at most %lld items", (long long)max);
    add_owned(errs, KJ_FE_TOO_MANY, field, xasprintf("%lld", (long long)actual), d);
    free(d);
}

void kj_fe_invalid_int(struct kj_field_errors *errs, const char *field, int64_t value,
                       const char *detail)
{
    add_owned(errs, KJ_FE_INVALID, field, xasprintf("%lld", (long long)value), detail);
}

void kj_fe_invalid_bool(struct kj_field_errors *errs, const char *field, bool value,
                        const char *detail)
{
    add_owned(errs, KJ_FE_INVALID, field, xstrdup(value ? "true" : "false"), detail);
}

void kj_fe_invalid_str(struct kj_field_errors *errs, const char *field, const char *value,
                       const char *detail)
{
    add_owned(errs, KJ_FE_INVALID, field, value ? kj_go_quote(value) : xstrdup("null"),
              detail);
}

void kj_fe_invalid_json(struct kj_field_errors *errs, const char *field, const cJSON *value,
                        const char *detail)
{
    add_owned(errs, KJ_FE_INVALID, field, kj_go_json(value), detail);
}

void kj_fe_invalid_raw(struct kj_field_errors *errs, const char *field, const char *rendered,
                       const char *detail)
{
    add_owned(errs, KJ_FE_INVALID, field, xstrdup(rendered), detail);
}

void kj_fe_invalid_omit(struct kj_field_errors *errs, const char *field, const char *detail)
{
    add_owned(errs, KJ_FE_INVALID, field, NULL, detail);
}

void kj_fe_not_supported(struct kj_field_errors *errs, const char *field, const char *value,
                         const char *const *supported)
{
    char *detail = NULL;
    if (supported != NULL && supported[0] != NULL) {
        detail = xstrdup("supported values: ");
        for (size_t i = 0; supported[i] != NULL; i++) {
            char *q = kj_go_quote(supported[i]);
            char *next = xasprintf("%s%s%s", detail, i ? ", " : "", q);
            free(q);
            free(detail);
            detail = next;
        }
    }
    add_owned(errs, KJ_FE_NOT_SUPPORTED, field, value ? kj_go_quote(value) : xstrdup("null"),
              detail);
    free(detail);
}

void kj_fe_duplicate_str(struct kj_field_errors *errs, const char *field, const char *value)
{
    add_owned(errs, KJ_FE_DUPLICATE, field, kj_go_quote(value ? value : ""), NULL);
}

void kj_fe_duplicate_int(struct kj_field_errors *errs, const char *field, int64_t value)
{
    add_owned(errs, KJ_FE_DUPLICATE, field, xasprintf("%lld", (long long)value), NULL);
}

void kj_fe_not_found_str(struct kj_field_errors *errs, const char *field, const char *value)
{
    add_owned(errs, KJ_FE_NOT_FOUND, field, kj_go_quote(value ? value : ""), NULL);
}

void kj_field_errors_move(struct kj_field_errors *dst, struct kj_field_errors *src)
{
    for (size_t i = 0; i < src->len; i++)
        *push(dst) = src->items[i];
    free(src->items);
    kj_field_errors_init(src);
}

char *kj_field_error_body(const struct kj_field_error *e)
{
    const char *t = kj_field_error_type_text(e->type);
    const char *v = e->value;
    bool has_detail = e->detail != NULL && e->detail[0] != '\0';
    if (v != NULL && has_detail)
        return xasprintf("%s: %s: %s", t, v, e->detail);
    if (v != NULL)
        return xasprintf("%s: %s", t, v);
    if (has_detail)
        return xasprintf("%s: %s", t, e->detail);
    return xstrdup(t);
}

char *kj_field_error_string(const struct kj_field_error *e)
{
    char *body = kj_field_error_body(e);
    char *s = xasprintf("%s: %s", e->field, body);
    free(body);
    return s;
}

/* A growable byte buffer for the aggregate; x* allocators, as everywhere here. */
struct sbuf {
    char *p;
    size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->p = xrealloc(b->p, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

char *kj_field_errors_aggregate(const struct kj_field_errors *errs)
{
    struct sbuf b = {0};
    sb_add(&b, "", 0);
    char **seen = xcalloc(errs->len ? errs->len : 1, sizeof(*seen));
    size_t nseen = 0;
    for (size_t i = 0; i < errs->len; i++) {
        char *msg = kj_field_error_string(&errs->items[i]);
        bool dup = false;
        /* Quadratic, but lists are short (tens of entries at most). */
        for (size_t j = 0; j < nseen && !dup; j++)
            dup = strcmp(seen[j], msg) == 0;
        if (dup) {
            free(msg);
            continue;
        }
        if (nseen > 0)
            sb_add(&b, ", ", 2);
        sb_add(&b, msg, strlen(msg));
        seen[nseen++] = msg;
    }
    for (size_t j = 0; j < nseen; j++)
        free(seen[j]);
    free(seen);
    if (nseen > 1) {
        char *s = xasprintf("[%s]", b.p);
        free(b.p);
        return s;
    }
    return b.p;
}

char *kj_field_errors_invalid_message(const struct kj_field_errors *errs, const char *kind,
                                      const char *group, const char *name)
{
    char *qname = kj_go_quote(name ? name : "");
    char *gk = (group && group[0]) ? xasprintf("%s.%s", kind, group) : xstrdup(kind);
    char *msg;
    if (errs->len == 0) {
        msg = xasprintf("%s %s is invalid", gk, qname);
    } else {
        char *agg = kj_field_errors_aggregate(errs);
        msg = xasprintf("%s %s is invalid: %s", gk, qname, agg);
        free(agg);
    }
    free(gk);
    free(qname);
    return msg;
}

cJSON *kj_field_errors_status(const struct kj_field_errors *errs, const char *kind,
                              const char *group, const char *name)
{
    cJSON *st = cJSON_CreateObject();
    if (st == NULL)
        return NULL;
    char *msg = kj_field_errors_invalid_message(errs, kind, group, name);
    bool ok = cJSON_AddStringToObject(st, "kind", "Status") &&
              cJSON_AddStringToObject(st, "apiVersion", "v1") &&
              cJSON_AddObjectToObject(st, "metadata") &&
              cJSON_AddStringToObject(st, "status", "Failure") &&
              cJSON_AddStringToObject(st, "message", msg) &&
              cJSON_AddStringToObject(st, "reason", "Invalid");
    free(msg);
    /* StatusDetails fields are all omitempty. */
    cJSON *details = ok ? cJSON_AddObjectToObject(st, "details") : NULL;
    ok = details != NULL;
    if (ok && name && name[0])
        ok = cJSON_AddStringToObject(details, "name", name) != NULL;
    if (ok && group && group[0])
        ok = cJSON_AddStringToObject(details, "group", group) != NULL;
    ok = ok && cJSON_AddStringToObject(details, "kind", kind);
    cJSON *causes = NULL;
    if (ok && errs->len > 0) {
        causes = cJSON_AddArrayToObject(details, "causes");
        ok = causes != NULL;
    }
    for (size_t i = 0; ok && i < errs->len; i++) {
        const struct kj_field_error *e = &errs->items[i];
        cJSON *c = cJSON_CreateObject();
        char *body = kj_field_error_body(e);
        ok = c != NULL && cJSON_AddStringToObject(c, "reason", kj_field_error_type_reason(e->type)) &&
             cJSON_AddStringToObject(c, "message", body) &&
             cJSON_AddStringToObject(c, "field", e->field);
        free(body);
        if (c != NULL && !cJSON_AddItemToArray(causes, c)) {
            cJSON_Delete(c);
            ok = false;
        }
    }
    ok = ok && cJSON_AddNumberToObject(st, "code", 422);
    if (!ok) {
        cJSON_Delete(st);
        return NULL;
    }
    return st;
}
