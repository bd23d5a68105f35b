/* Generic clear and deep copy of any struct described by a schema table
 * (schema.h). */
#include "api/schema.h"

#include <stdlib.h>
#include <string.h>

#include "api/meta.h"    /* kj_int_or_string */
#include "api/pod.h"     /* kj_resource_list */
#include "util/xalloc.h" /* xstrdup, xcalloc, kj_panic */

/* ---- clear ---- */

void kj_schema_clear_field(const struct kj_field *f, void *base)
{
    switch (f->type) {
    case KJ_FT_STRING: {
        char **s = KJ_AT(base, f->off, char *);
        free(*s);
        *s = NULL;
        break;
    }
    case KJ_FT_RAW: {
        cJSON **r = KJ_AT(base, f->off, cJSON *);
        cJSON_Delete(*r);
        *r = NULL;
        break;
    }
    case KJ_FT_LABELS:
        kj_labels_clear(KJ_AT(base, f->off, struct kj_labels));
        break;
    case KJ_FT_STRLIST:
        kj_strlist_clear(KJ_AT(base, f->off, struct kj_strlist));
        break;
    case KJ_FT_INT32_ARRAY:
        free(kj_schema_get_ptr(base, f->off));
        kj_schema_set_ptr(base, f->off, NULL);
        *KJ_AT(base, f->n_off, size_t) = 0;
        break;
    case KJ_FT_OBJECT:
        kj_schema_clear(f->sub, KJ_AT(base, f->off, char));
        break;
    case KJ_FT_ARRAY: {
        char *items = kj_schema_get_ptr(base, f->off);
        size_t n = *KJ_AT(base, f->n_off, size_t);
        for (size_t i = 0; i < n; i++)
            kj_schema_clear(f->sub, items + i * f->sub->size);
        free(items);
        kj_schema_set_ptr(base, f->off, NULL);
        *KJ_AT(base, f->n_off, size_t) = 0;
        break;
    }
    case KJ_FT_INT_OR_STRING: {
        struct kj_int_or_string *v = KJ_AT(base, f->off, struct kj_int_or_string);
        free(v->str_val);
        memset(v, 0, sizeof *v);
        break;
    }
    case KJ_FT_RESOURCES: {
        struct kj_resource_list *l = KJ_AT(base, f->off, struct kj_resource_list);
        for (size_t i = 0; i < l->len; i++)
            free(l->items[i].name);
        free(l->items);
        l->items = NULL;
        l->len = 0;
        break;
    }
    case KJ_FT_INT32:
    case KJ_FT_INT64:
    case KJ_FT_BOOL:
    case KJ_FT_TIME:
    case KJ_FT_MICROTIME:
    case KJ_FT_QUANTITY:
    case KJ_FT_TYPEMETA:
    default:
        break;
    }
    kj_schema_set_has(f, base, false);
}

void kj_schema_clear(const struct kj_schema *sc, void *base)
{
    for (size_t i = 0; i < sc->n_fields; i++)
        kj_schema_clear_field(&sc->fields[i], base);
    memset(base, 0, sc->size);
}

/* ---- copy ---- */

/* dst holds a shallow (memcpy) copy of src: replace every owned pointer. */
static void fixup(const struct kj_schema *sc, void *dst, const void *src)
{
    for (size_t i = 0; i < sc->n_fields; i++) {
        const struct kj_field *f = &sc->fields[i];
        switch (f->type) {
        case KJ_FT_STRING: {
            const char *s = *KJ_CAT(src, f->off, char *);
            *KJ_AT(dst, f->off, char *) = s ? xstrdup(s) : NULL;
            break;
        }
        case KJ_FT_RAW: {
            const cJSON *r = *KJ_CAT(src, f->off, cJSON *);
            cJSON *c = NULL;
            if (r != NULL && (c = cJSON_Duplicate(r, 1)) == NULL)
                kj_panic(__FILE__, __LINE__, "out of memory");
            *KJ_AT(dst, f->off, cJSON *) = c;
            break;
        }
        case KJ_FT_LABELS:
            memset(KJ_AT(dst, f->off, struct kj_labels), 0, sizeof(struct kj_labels));
            kj_labels_copy(KJ_AT(dst, f->off, struct kj_labels), KJ_CAT(src, f->off, struct kj_labels));
            break;
        case KJ_FT_STRLIST:
            memset(KJ_AT(dst, f->off, struct kj_strlist), 0, sizeof(struct kj_strlist));
            kj_strlist_copy(KJ_AT(dst, f->off, struct kj_strlist), KJ_CAT(src, f->off, struct kj_strlist));
            break;
        case KJ_FT_INT32_ARRAY: {
            size_t n = *KJ_CAT(src, f->n_off, size_t);
            int32_t *v = NULL;
            if (n > 0) {
                v = xcalloc(n, sizeof *v);
                memcpy(v, kj_schema_get_ptr(src, f->off), n * sizeof *v);
            }
            kj_schema_set_ptr(dst, f->off, v);
            break;
        }
        case KJ_FT_OBJECT:
            fixup(f->sub, KJ_AT(dst, f->off, char), KJ_CAT(src, f->off, char));
            break;
        case KJ_FT_ARRAY: {
            size_t n = *KJ_CAT(src, f->n_off, size_t);
            char *items = NULL;
            if (n > 0) {
                const char *sitems = kj_schema_get_ptr(src, f->off);
                items = xcalloc(n, f->sub->size);
                memcpy(items, sitems, n * f->sub->size);
                for (size_t k = 0; k < n; k++)
                    fixup(f->sub, items + k * f->sub->size, sitems + k * f->sub->size);
            }
            kj_schema_set_ptr(dst, f->off, items);
            break;
        }
        case KJ_FT_INT_OR_STRING: {
            const struct kj_int_or_string *s = KJ_CAT(src, f->off, struct kj_int_or_string);
            KJ_AT(dst, f->off, struct kj_int_or_string)->str_val = s->str_val ? xstrdup(s->str_val) : NULL;
            break;
        }
        case KJ_FT_RESOURCES: {
            const struct kj_resource_list *s = KJ_CAT(src, f->off, struct kj_resource_list);
            struct kj_resource_list *d = KJ_AT(dst, f->off, struct kj_resource_list);
            d->items = NULL;
            if (s->len > 0) {
                d->items = xcalloc(s->len, sizeof *d->items);
                for (size_t k = 0; k < s->len; k++) {
                    d->items[k] = s->items[k];
                    d->items[k].name = xstrdup(s->items[k].name);
                }
            }
            break;
        }
        case KJ_FT_INT32:
        case KJ_FT_INT64:
        case KJ_FT_BOOL:
        case KJ_FT_TIME:
        case KJ_FT_MICROTIME:
        case KJ_FT_QUANTITY:
        case KJ_FT_TYPEMETA:
        default:
            break;
        }
    }
}

void kj_schema_copy(const struct kj_schema *sc, void *dst, const void *src)
{
    if (dst == src)
        return;
    kj_schema_clear(sc, dst);
    memcpy(dst, src, sc->size);
    fixup(sc, dst, src);
}
