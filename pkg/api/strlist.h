/* Growable array of owned strings, and the ordered string map used for
 * labels, annotations, selectors and nodeSelector.
 *
 * Both are plain structs: zero-initialise (`= {0}`) to get an empty value,
 * release with the matching _clear (which leaves an empty, reusable value).
 * All strings inside are owned by the container. Appends abort on OOM
 * (x-allocators): these hold small, API-sized data.
 */
#ifndef KJ_API_STRLIST_H
#define KJ_API_STRLIST_H

#include <stdbool.h> /* bool */
#include <stddef.h>  /* size_t */

struct kj_strlist {
    char **items; /* owned, each owned */
    size_t len;
    size_t cap;
};

/* Append a copy of s (NULL is stored as ""). */
void kj_strlist_push(struct kj_strlist *l, const char *s);
/* Append s, taking ownership of it. */
void kj_strlist_push_owned(struct kj_strlist *l, char *s);
/* Append a formatted string. */
void kj_strlist_pushf(struct kj_strlist *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* True if an element equals s. */
bool kj_strlist_contains(const struct kj_strlist *l, const char *s);
/* Replace dst's content with a deep copy of src. */
void kj_strlist_copy(struct kj_strlist *dst, const struct kj_strlist *src);
/* Join with sep into a new string (owned by caller); "" for an empty list. */
char *kj_strlist_join(const struct kj_strlist *l, const char *sep);
void kj_strlist_clear(struct kj_strlist *l);

/* One key/value pair of a string map. */
struct kj_label {
    char *key;   /* owned */
    char *value; /* owned, never NULL */
};

/* A map[string]string kept sorted by key (so encoding, iteration and
 * comparisons are stable, like Go's sorted map encoding). Keys are unique. */
struct kj_labels {
    struct kj_label *items; /* owned */
    size_t len;
    size_t cap;
};

/* The value for key, or NULL (borrowed; valid until the map changes). */
const char *kj_labels_get(const struct kj_labels *m, const char *key);
/* Insert or replace (copies key and value). */
void kj_labels_set(struct kj_labels *m, const char *key, const char *value);
/* Remove key if present; returns true if it was there. */
bool kj_labels_remove(struct kj_labels *m, const char *key);
/* Replace dst's content with a deep copy of src. */
void kj_labels_copy(struct kj_labels *dst, const struct kj_labels *src);
/* True if both maps hold the same pairs. */
bool kj_labels_equal(const struct kj_labels *a, const struct kj_labels *b);
/* True if every pair of sub is in m (selector-style subset match). */
bool kj_labels_subset(const struct kj_labels *sub, const struct kj_labels *m);
/* "k1=v1,k2=v2" in key order (owned by caller); "" when empty. */
char *kj_labels_format(const struct kj_labels *m);
void kj_labels_clear(struct kj_labels *m);

#endif
