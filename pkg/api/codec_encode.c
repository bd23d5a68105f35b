/* Generic encoder: any struct described by a schema table (schema.h) to
 * cJSON, in table order, with Go's omitempty rules as the flags say. */
#include "api/schema.h"

#include <stdbool.h>
#include <stdlib.h>

#include "api/meta.h"     /* kj_int_or_string */
#include "api/pod.h"      /* kj_resource_list */
#include "api/quantity.h" /* kj_quantity_format */
#include "api/time.h"     /* kj_rfc3339_* */
#include "util/xalloc.h"  /* kj_panic */

static void add(cJSON *out, const char *name, cJSON *item)
{
    if (item == NULL || !cJSON_AddItemToObject(out, name, item))
        kj_panic(__FILE__, __LINE__, "out of memory");
}

static cJSON *num(double d)
{
    return cJSON_CreateNumber(d);
}

static void encode_field(const struct kj_field *f, const void *base, cJSON *out)
{
    bool always = (f->flags & KJ_FF_ALWAYS) != 0;
    if (f->has_off != KJ_NO_OFF && !*KJ_CAT(base, f->has_off, bool))
        return;
    bool has = f->has_off != KJ_NO_OFF;
    char buf[KJ_RFC3339_BUFSZ];
    switch (f->type) {
    case KJ_FT_STRING: {
        const char *s = *KJ_CAT(base, f->off, char *);
        if (s == NULL && !always)
            return;
        if (s != NULL && s[0] == '\0' && !always && !(f->flags & KJ_FF_KEEP_EMPTY))
            return;
        add(out, f->json, cJSON_CreateString(s ? s : ""));
        return;
    }
    case KJ_FT_INT32: {
        int32_t v = *KJ_CAT(base, f->off, int32_t);
        if (v != 0 || always || has)
            add(out, f->json, num(v));
        return;
    }
    case KJ_FT_INT64: {
        int64_t v = *KJ_CAT(base, f->off, int64_t);
        if (v != 0 || always || has)
            add(out, f->json, num((double)v));
        return;
    }
    case KJ_FT_BOOL: {
        bool v = *KJ_CAT(base, f->off, bool);
        if (v || always || has)
            add(out, f->json, cJSON_CreateBool(v));
        return;
    }
    case KJ_FT_TIME:
    case KJ_FT_MICROTIME: {
        int64_t t = *KJ_CAT(base, f->off, int64_t);
        if (t == 0) {
            if (f->flags & KJ_FF_NULL_UNSET)
                add(out, f->json, cJSON_CreateNull());
            return;
        }
        if (f->type == KJ_FT_TIME)
            kj_rfc3339_format(t, buf, sizeof buf);
        else
            kj_rfc3339_format_micro(t, buf, sizeof buf);
        add(out, f->json, cJSON_CreateString(buf));
        return;
    }
    case KJ_FT_QUANTITY: {
        char *s = kj_quantity_format(KJ_CAT(base, f->off, struct kj_quantity));
        add(out, f->json, cJSON_CreateString(s));
        free(s);
        return;
    }
    case KJ_FT_LABELS: {
        const struct kj_labels *m = KJ_CAT(base, f->off, struct kj_labels);
        if (m->len == 0 && !always)
            return;
        cJSON *o = cJSON_CreateObject();
        add(out, f->json, o);
        for (size_t i = 0; i < m->len; i++)
            add(o, m->items[i].key, cJSON_CreateString(m->items[i].value));
        return;
    }
    case KJ_FT_STRLIST: {
        const struct kj_strlist *l = KJ_CAT(base, f->off, struct kj_strlist);
        if (l->len == 0 && !always)
            return;
        cJSON *a = cJSON_CreateArray();
        add(out, f->json, a);
        for (size_t i = 0; i < l->len; i++)
            if (!cJSON_AddItemToArray(a, cJSON_CreateString(l->items[i])))
                kj_panic(__FILE__, __LINE__, "out of memory");
        return;
    }
    case KJ_FT_INT32_ARRAY: {
        size_t n = *KJ_CAT(base, f->n_off, size_t);
        const int32_t *v = kj_schema_get_ptr(base, f->off);
        if (n == 0 && !always)
            return;
        cJSON *a = cJSON_CreateArray();
        add(out, f->json, a);
        for (size_t i = 0; i < n; i++)
            if (!cJSON_AddItemToArray(a, num(v[i])))
                kj_panic(__FILE__, __LINE__, "out of memory");
        return;
    }
    case KJ_FT_OBJECT: {
        cJSON *o = cJSON_CreateObject();
        add(out, f->json, o);
        kj_schema_encode(f->sub, KJ_CAT(base, f->off, char), o);
        return;
    }
    case KJ_FT_ARRAY: {
        size_t n = *KJ_CAT(base, f->n_off, size_t);
        const char *items = kj_schema_get_ptr(base, f->off);
        if (n == 0 && !always)
            return;
        cJSON *a = cJSON_CreateArray();
        add(out, f->json, a);
        for (size_t i = 0; i < n; i++) {
            cJSON *o = cJSON_CreateObject();
            if (o == NULL || !cJSON_AddItemToArray(a, o))
                kj_panic(__FILE__, __LINE__, "out of memory");
            kj_schema_encode(f->sub, items + i * f->sub->size, o);
        }
        return;
    }
    case KJ_FT_RAW: {
        const cJSON *r = *KJ_CAT(base, f->off, cJSON *);
        if (r != NULL)
            add(out, f->json, cJSON_Duplicate(r, 1));
        return;
    }
    case KJ_FT_INT_OR_STRING: {
        const struct kj_int_or_string *v = KJ_CAT(base, f->off, struct kj_int_or_string);
        add(out, f->json, v->is_string ? cJSON_CreateString(v->str_val ? v->str_val : "") : num(v->int_val));
        return;
    }
    case KJ_FT_RESOURCES: {
        const struct kj_resource_list *l = KJ_CAT(base, f->off, struct kj_resource_list);
        if (l->len == 0 && !always)
            return;
        cJSON *o = cJSON_CreateObject();
        add(out, f->json, o);
        for (size_t i = 0; i < l->len; i++) {
            char *s = kj_quantity_format(&l->items[i].quantity);
            add(o, l->items[i].name, cJSON_CreateString(s));
            free(s);
        }
        return;
    }
    case KJ_FT_TYPEMETA:
    default:
        return;
    }
}

void kj_schema_encode(const struct kj_schema *sc, const void *base, cJSON *out)
{
    for (size_t i = 0; i < sc->n_fields; i++)
        encode_field(&sc->fields[i], base, out);
}
