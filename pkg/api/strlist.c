/* kj_strlist and kj_labels (strlist.h). */
#include "api/strlist.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h" /* xrealloc, xstrdup */

static void strlist_grow(struct kj_strlist *l)
{
    if (l->len < l->cap)
        return;
    size_t cap = l->cap ? l->cap * 2 : 4;
    l->items = xrealloc(l->items, cap * sizeof *l->items);
    l->cap = cap;
}

void kj_strlist_push_owned(struct kj_strlist *l, char *s)
{
    strlist_grow(l);
    l->items[l->len++] = s;
}

void kj_strlist_push(struct kj_strlist *l, const char *s)
{
    kj_strlist_push_owned(l, xstrdup(s ? s : ""));
}

void kj_strlist_pushf(struct kj_strlist *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        kj_panic(__FILE__, __LINE__, "out of memory");
    kj_strlist_push_owned(l, s);
}

bool kj_strlist_contains(const struct kj_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->len; i++)
        if (strcmp(l->items[i], s) == 0)
            return true;
    return false;
}

void kj_strlist_copy(struct kj_strlist *dst, const struct kj_strlist *src)
{
    kj_strlist_clear(dst);
    for (size_t i = 0; i < src->len; i++)
        kj_strlist_push(dst, src->items[i]);
}

char *kj_strlist_join(const struct kj_strlist *l, const char *sep)
{
    size_t seplen = strlen(sep), total = 1;
    for (size_t i = 0; i < l->len; i++)
        total += strlen(l->items[i]) + seplen;
    char *out = xmalloc(total), *p = out;
    for (size_t i = 0; i < l->len; i++) {
        if (i > 0) {
            memcpy(p, sep, seplen);
            p += seplen;
        }
        size_t n = strlen(l->items[i]);
        memcpy(p, l->items[i], n);
        p += n;
    }
    *p = '\0';
    return out;
}

void kj_strlist_clear(struct kj_strlist *l)
{
    for (size_t i = 0; i < l->len; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->len = l->cap = 0;
}

/* Binary search: index of key, or the insertion point with *found false. */
static size_t labels_find(const struct kj_labels *m, const char *key, bool *found)
{
    size_t lo = 0, hi = m->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(m->items[mid].key, key);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

const char *kj_labels_get(const struct kj_labels *m, const char *key)
{
    bool found;
    size_t i = labels_find(m, key, &found);
    return found ? m->items[i].value : NULL;
}

void kj_labels_set(struct kj_labels *m, const char *key, const char *value)
{
    bool found;
    size_t i = labels_find(m, key, &found);
    char *v = xstrdup(value ? value : "");
    if (found) {
        free(m->items[i].value);
        m->items[i].value = v;
        return;
    }
    if (m->len == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 4;
        m->items = xrealloc(m->items, m->cap * sizeof *m->items);
    }
    memmove(&m->items[i + 1], &m->items[i], (m->len - i) * sizeof *m->items);
    m->items[i].key = xstrdup(key);
    m->items[i].value = v;
    m->len++;
}

bool kj_labels_remove(struct kj_labels *m, const char *key)
{
    bool found;
    size_t i = labels_find(m, key, &found);
    if (!found)
        return false;
    free(m->items[i].key);
    free(m->items[i].value);
    memmove(&m->items[i], &m->items[i + 1], (m->len - i - 1) * sizeof *m->items);
    m->len--;
    return true;
}

void kj_labels_copy(struct kj_labels *dst, const struct kj_labels *src)
{
    kj_labels_clear(dst);
    if (src->len == 0)
        return;
    dst->items = xcalloc(src->len, sizeof *dst->items);
    dst->cap = src->len;
    for (size_t i = 0; i < src->len; i++) {
        dst->items[i].key = xstrdup(src->items[i].key);
        dst->items[i].value = xstrdup(src->items[i].value);
    }
    dst->len = src->len;
}

bool kj_labels_equal(const struct kj_labels *a, const struct kj_labels *b)
{
    if (a->len != b->len)
        return false;
    for (size_t i = 0; i < a->len; i++)
        if (strcmp(a->items[i].key, b->items[i].key) != 0 ||
            strcmp(a->items[i].value, b->items[i].value) != 0)
            return false;
    return true;
}

bool kj_labels_subset(const struct kj_labels *sub, const struct kj_labels *m)
{
    for (size_t i = 0; i < sub->len; i++) {
        const char *v = kj_labels_get(m, sub->items[i].key);
        if (v == NULL || strcmp(v, sub->items[i].value) != 0)
            return false;
    }
    return true;
}

char *kj_labels_format(const struct kj_labels *m)
{
    struct kj_strlist parts = {0};
    for (size_t i = 0; i < m->len; i++)
        kj_strlist_pushf(&parts, "%s=%s", m->items[i].key, m->items[i].value);
    char *out = kj_strlist_join(&parts, ",");
    kj_strlist_clear(&parts);
    return out;
}

void kj_labels_clear(struct kj_labels *m)
{
    for (size_t i = 0; i < m->len; i++) {
        free(m->items[i].key);
        free(m->items[i].value);
    }
    free(m->items);
    m->items = NULL;
    m->len = m->cap = 0;
}
