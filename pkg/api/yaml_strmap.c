/* Open-addressing string map used for anchors and for duplicate-key checks,
 * so a 3 MiB document with many keys or anchors stays linear. */
#include <stdlib.h> /* calloc, free */
#include <string.h> /* strcmp */

#include "api/yaml-internal.h"

/* FNV-1a; the input is bounded (KJ_YAML_MAX_BYTES), so crafted collisions
 * can slow a request down but not unboundedly. */
static uint64_t hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return h;
}

static struct kj_yaml_strmap_slot *find_slot(struct kj_yaml_strmap_slot *slots, size_t cap,
                                             const char *key, uint64_t h)
{
    size_t mask = cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        struct kj_yaml_strmap_slot *s = &slots[i];
        if (s->key == NULL || (s->hash == h && strcmp(s->key, key) == 0))
            return s;
    }
}

void *kj_yaml_strmap_get(const struct kj_yaml_strmap *m, const char *key)
{
    if (m->len == 0)
        return NULL;
    struct kj_yaml_strmap_slot *s = find_slot(m->slots, m->cap, key, hash_str(key));
    return s->key != NULL ? s->value : NULL;
}

static int grow(struct kj_yaml_strmap *m)
{
    size_t cap = m->cap == 0 ? 8 : m->cap * 2;
    struct kj_yaml_strmap_slot *slots = calloc(cap, sizeof(*slots));
    if (slots == NULL)
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slots[i].key != NULL)
            *find_slot(slots, cap, m->slots[i].key, m->slots[i].hash) = m->slots[i];
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return 0;
}

int kj_yaml_strmap_put(struct kj_yaml_strmap *m, const char *key, void *value)
{
    /* Keep the load under 3/4 so probes stay short and a free slot exists. */
    if ((m->len + 1) * 4 > m->cap * 3 && grow(m) < 0)
        return -1;
    uint64_t h = hash_str(key);
    struct kj_yaml_strmap_slot *s = find_slot(m->slots, m->cap, key, h);
    if (s->key == NULL)
        m->len++;
    s->key = key;
    s->hash = h;
    s->value = value;
    return 0;
}

void kj_yaml_strmap_clear(struct kj_yaml_strmap *m)
{
    free(m->slots);
    m->slots = NULL;
    m->cap = 0;
    m->len = 0;
}
