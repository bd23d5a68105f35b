/* Generic decoder of the table-driven codec (schema.h): cJSON -> any struct
 * described by a schema, collecting unknown and ignored field paths and
 * failing on type mismatches with Go's encoding/json texts. Per-kind code is
 * only tables (schema_*.c) and thin wrappers (objects.c); clear/copy live in
 * codec_mem.c, the encoder in codec_encode.c. */
#include "api/schema.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/meta.h"     /* kj_int_or_string */
#include "api/pod.h"      /* kj_resource_list, kj_resource_list_set */
#include "api/quantity.h" /* kj_quantity_parse */
#include "api/time.h"     /* kj_rfc3339_parse */
#include "util/xalloc.h"  /* xstrdup, xasprintf, xcalloc */

struct dctx {
    const char *gostruct; /* Go name of the struct holding the field */
    const char *gopath;   /* field path without indices */
    const char *ipath;    /* field path with indices */
    struct kj_strlist *unknown;
    struct kj_strlist *ignored;
    kj_error_t *err;
};

/* The JSON text a number most likely had: integers in full, else the
 * shortest round-tripping form. cJSON keeps only the double; Go quotes the
 * input literal. */
static void number_text(double d, char *buf, size_t n)
{
    if (d == floor(d) && fabs(d) < 1e21) {
        snprintf(buf, n, "%.0f", d);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            return;
    }
}

/* What Go's UnmarshalTypeError calls the JSON value. */
static void json_value_desc(const cJSON *v, bool with_number, char *buf, size_t n)
{
    if (cJSON_IsString(v))
        snprintf(buf, n, "string");
    else if (cJSON_IsNumber(v)) {
        if (with_number) {
            char num[40];
            number_text(v->valuedouble, num, sizeof num);
            snprintf(buf, n, "number %s", num);
        } else {
            snprintf(buf, n, "number");
        }
    } else if (cJSON_IsBool(v))
        snprintf(buf, n, "bool");
    else if (cJSON_IsArray(v))
        snprintf(buf, n, "array");
    else if (cJSON_IsObject(v))
        snprintf(buf, n, "object");
    else
        snprintf(buf, n, "null");
}

static const char *go_type_of(const struct kj_field *f, char *buf, size_t n)
{
    if (f->go_type != NULL)
        return f->go_type;
    switch (f->type) {
    case KJ_FT_STRING:
    case KJ_FT_TYPEMETA: return "string";
    case KJ_FT_INT32: return "int32";
    case KJ_FT_INT64: return "int64";
    case KJ_FT_BOOL: return "bool";
    case KJ_FT_LABELS: return "map[string]string";
    case KJ_FT_STRLIST: return "[]string";
    case KJ_FT_INT32_ARRAY: return "[]int32";
    case KJ_FT_RESOURCES: return "v1.ResourceList";
    case KJ_FT_INT_OR_STRING: return "intstr.IntOrString";
    case KJ_FT_TIME: return "v1.Time";
    case KJ_FT_MICROTIME: return "v1.MicroTime";
    case KJ_FT_QUANTITY: return "resource.Quantity";
    case KJ_FT_OBJECT:
        snprintf(buf, n, "%s.%s", f->sub->go_pkg, f->sub->go_name);
        return buf;
    case KJ_FT_ARRAY:
        snprintf(buf, n, "[]%s.%s", f->sub->go_pkg, f->sub->go_name);
        return buf;
    case KJ_FT_RAW:
    default: return "interface {}";
    }
}

static int mismatch(const struct dctx *c, const cJSON *v, bool with_number, const char *gotype)
{
    char desc[64];
    json_value_desc(v, with_number, desc, sizeof desc);
    return kj_make_http_error(c->err, 400, "json: cannot unmarshal %s into Go struct field %s.%s of type %s",
                              desc, c->gostruct, c->gopath, gotype);
}

static int decode_int(const struct dctx *c, const cJSON *v, int64_t lo, int64_t hi, const char *gotype,
                      int64_t *out)
{
    if (!cJSON_IsNumber(v))
        return mismatch(c, v, false, gotype);
    double d = v->valuedouble;
    /* 2^63 is exactly representable; anything at or beyond it is out. */
    if (!(d == floor(d)) || d < (double)lo || d > (double)hi || d >= 9223372036854775808.0)
        return mismatch(c, v, true, gotype);
    *out = (int64_t)d;
    return 0;
}

static bool json_is_empty(const cJSON *v)
{
    if (v == NULL || cJSON_IsNull(v) || cJSON_IsFalse(v))
        return true;
    if (cJSON_IsNumber(v))
        return v->valuedouble == 0;
    if (cJSON_IsString(v))
        return v->valuestring == NULL || v->valuestring[0] == '\0';
    if (cJSON_IsArray(v) || cJSON_IsObject(v))
        return v->child == NULL;
    return false;
}

/* Text of a quantity given as a string or a bare number (Quantity's
 * UnmarshalJSON accepts both). NULL if neither. */
static const char *quantity_text(const cJSON *v, char *buf, size_t n)
{
    if (cJSON_IsString(v))
        return v->valuestring;
    if (cJSON_IsNumber(v)) {
        number_text(v->valuedouble, buf, n);
        return buf;
    }
    return NULL;
}

static int decode_quantity(const struct dctx *c, const cJSON *v, struct kj_quantity *q)
{
    char buf[48];
    const char *s = quantity_text(v, buf, sizeof buf);
    if (s == NULL)
        return mismatch(c, v, false, "resource.Quantity");
    return kj_quantity_parse(s, q, c->err);
}

static int decode_field(const struct kj_field *f, const cJSON *v, void *base, const struct dctx *c)
{
    char tbuf[96];
    const char *gotype = go_type_of(f, tbuf, sizeof tbuf);
    int64_t iv;
    switch (f->type) {
    case KJ_FT_TYPEMETA:
        return cJSON_IsString(v) ? 0 : mismatch(c, v, false, "string");
    case KJ_FT_STRING:
        if (!cJSON_IsString(v))
            return mismatch(c, v, false, gotype);
        *KJ_AT(base, f->off, char *) = xstrdup(v->valuestring);
        return 0;
    case KJ_FT_INT32:
        if (decode_int(c, v, INT32_MIN, INT32_MAX, gotype, &iv) < 0)
            return -1;
        *KJ_AT(base, f->off, int32_t) = (int32_t)iv;
        return 0;
    case KJ_FT_INT64:
        if (decode_int(c, v, INT64_MIN, INT64_MAX, gotype, &iv) < 0)
            return -1;
        *KJ_AT(base, f->off, int64_t) = iv;
        return 0;
    case KJ_FT_BOOL:
        if (!cJSON_IsBool(v))
            return mismatch(c, v, false, gotype);
        *KJ_AT(base, f->off, bool) = cJSON_IsTrue(v);
        return 0;
    case KJ_FT_TIME:
    case KJ_FT_MICROTIME:
        if (!cJSON_IsString(v)) {
            char desc[64];
            json_value_desc(v, false, desc, sizeof desc);
            return kj_make_http_error(c->err, 400, "json: cannot unmarshal %s into Go value of type string", desc);
        }
        if (v->valuestring[0] == '\0') /* Go's Time treats "" like null */
            return 0;
        return kj_rfc3339_parse(v->valuestring, KJ_AT(base, f->off, int64_t), c->err);
    case KJ_FT_QUANTITY:
        return decode_quantity(c, v, KJ_AT(base, f->off, struct kj_quantity));
    case KJ_FT_LABELS: {
        if (!cJSON_IsObject(v))
            return mismatch(c, v, false, gotype);
        struct kj_labels *m = KJ_AT(base, f->off, struct kj_labels);
        for (const cJSON *e = v->child; e != NULL; e = e->next) {
            if (cJSON_IsNull(e)) {
                kj_labels_set(m, e->string, "");
                continue;
            }
            if (!cJSON_IsString(e))
                return mismatch(c, e, false, "string");
            kj_labels_set(m, e->string, e->valuestring);
        }
        return 0;
    }
    case KJ_FT_STRLIST: {
        if (!cJSON_IsArray(v))
            return mismatch(c, v, false, gotype);
        struct kj_strlist *l = KJ_AT(base, f->off, struct kj_strlist);
        for (const cJSON *e = v->child; e != NULL; e = e->next) {
            if (!cJSON_IsString(e) && !cJSON_IsNull(e))
                return mismatch(c, e, false, "string");
            kj_strlist_push(l, cJSON_IsString(e) ? e->valuestring : "");
        }
        return 0;
    }
    case KJ_FT_INT32_ARRAY: {
        if (!cJSON_IsArray(v))
            return mismatch(c, v, false, gotype);
        size_t n = (size_t)cJSON_GetArraySize(v), k = 0;
        int32_t *vals = n ? xcalloc(n, sizeof *vals) : NULL;
        kj_schema_set_ptr(base, f->off, vals);
        for (const cJSON *e = v->child; e != NULL; e = e->next, k++) {
            if (!cJSON_IsNull(e) && decode_int(c, e, INT32_MIN, INT32_MAX, "int32", &iv) < 0)
                return -1;
            vals[k] = cJSON_IsNull(e) ? 0 : (int32_t)iv;
            *KJ_AT(base, f->n_off, size_t) = k + 1;
        }
        return 0;
    }
    case KJ_FT_OBJECT: {
        if (!cJSON_IsObject(v))
            return mismatch(c, v, false, gotype);
        return kj_schema_decode(f->sub, v, KJ_AT(base, f->off, char), c->gopath, c->ipath, c->unknown,
                                c->ignored, c->err);
    }
    case KJ_FT_ARRAY: {
        if (!cJSON_IsArray(v))
            return mismatch(c, v, false, gotype);
        size_t n = (size_t)cJSON_GetArraySize(v), k = 0;
        char *items = n ? xcalloc(n, f->sub->size) : NULL;
        kj_schema_set_ptr(base, f->off, items);
        char elemtype[96];
        snprintf(elemtype, sizeof elemtype, "%s.%s", f->sub->go_pkg, f->sub->go_name);
        for (const cJSON *e = v->child; e != NULL; e = e->next, k++) {
            /* Count first so a failure half-way is still cleared fully. */
            *KJ_AT(base, f->n_off, size_t) = k + 1;
            if (cJSON_IsNull(e))
                continue;
            if (!cJSON_IsObject(e))
                return mismatch(c, e, false, elemtype);
            char *ip = xasprintf("%s[%zu]", c->ipath, k);
            int r = kj_schema_decode(f->sub, e, items + k * f->sub->size, c->gopath, ip, c->unknown,
                                     c->ignored, c->err);
            free(ip);
            if (r < 0)
                return -1;
        }
        return 0;
    }
    case KJ_FT_RAW:
        if (((f->flags & KJ_FF_RAW_ARRAY) && !cJSON_IsArray(v)) ||
            ((f->flags & KJ_FF_RAW_OBJECT) && !cJSON_IsObject(v)))
            return mismatch(c, v, false, gotype);
        if ((*KJ_AT(base, f->off, cJSON *) = cJSON_Duplicate(v, 1)) == NULL)
            kj_panic(__FILE__, __LINE__, "out of memory");
        return 0;
    case KJ_FT_INT_OR_STRING: {
        struct kj_int_or_string *ios = KJ_AT(base, f->off, struct kj_int_or_string);
        if (cJSON_IsString(v)) {
            ios->is_string = true;
            ios->str_val = xstrdup(v->valuestring);
            return 0;
        }
        if (!cJSON_IsNumber(v))
            return mismatch(c, v, false, gotype);
        if (decode_int(c, v, INT32_MIN, INT32_MAX, "int32", &iv) < 0)
            return -1;
        ios->int_val = (int32_t)iv;
        return 0;
    }
    case KJ_FT_RESOURCES: {
        if (!cJSON_IsObject(v))
            return mismatch(c, v, false, gotype);
        struct kj_resource_list *l = KJ_AT(base, f->off, struct kj_resource_list);
        for (const cJSON *e = v->child; e != NULL; e = e->next) {
            struct kj_quantity q = {0};
            if (!cJSON_IsNull(e) && decode_quantity(c, e, &q) < 0)
                return -1;
            kj_resource_list_set(l, e->string, &q);
        }
        return 0;
    }
    default:
        return 0;
    }
}

static const struct kj_field *find_field(const struct kj_schema *sc, const char *name)
{
    for (size_t i = 0; i < sc->n_fields; i++)
        if (strcmp(sc->fields[i].json, name) == 0)
            return &sc->fields[i];
    return NULL;
}

static char *join_path(const char *prefix, const char *name)
{
    return prefix[0] ? xasprintf("%s.%s", prefix, name) : xstrdup(name);
}

int kj_schema_decode(const struct kj_schema *sc, const cJSON *j, void *base, const char *gopath,
                     const char *ipath, struct kj_strlist *unknown, struct kj_strlist *ignored,
                     kj_error_t *err)
{
    for (const cJSON *v = j->child; v != NULL; v = v->next) {
        const char *key = v->string ? v->string : "";
        const struct kj_field *f = find_field(sc, key);
        if (f == NULL) {
            if (unknown != NULL)
                kj_strlist_push_owned(unknown, join_path(ipath, key));
            continue;
        }
        if (cJSON_IsNull(v))
            continue;
        /* A repeated key wins over the earlier one, as in Go. */
        kj_schema_clear_field(f, base);
        if ((f->flags & KJ_FF_IGNORED) && ignored != NULL && !json_is_empty(v))
            kj_strlist_push_owned(ignored, join_path(ipath, key));
        char *gp = join_path(gopath, key), *ip = join_path(ipath, key);
        struct dctx c = {sc->go_name, gp, ip, unknown, ignored, err};
        int r = decode_field(f, v, base, &c);
        free(gp);
        free(ip);
        if (r < 0)
            return -1;
        kj_schema_set_has(f, base, true);
    }
    return 0;
}
