/* Index lists: the compressed form Kubernetes uses for sets of Indexed-Job
 * completion indexes (`status.completedIndexes`, `status.failedIndexes`,
 * `spec.successPolicy.rules[].succeededIndexes`), e.g. "1,3-5,7".
 *
 *   struct kj_indexlist l;
 *   kj_indexlist_init(&l);
 *   kj_indexlist_parse(&l, job_status_completed, completions, &err);  lenient
 *   kj_indexlist_add(&l, 4, &err);
 *   char *s = kj_indexlist_format(&l);                                 "1,3-5,7"
 *   kj_indexlist_free(&l);
 *
 * Two readers exist on purpose. kj_indexlist_check() is the API server's
 * strict validator (upstream validateIndexesFormat) with its exact error
 * texts. kj_indexlist_parse() is the controller's forgiving reader (upstream
 * parseIndexesFromString): it keeps what it understands, drops malformed or
 * out-of-range parts and accepts any order, because a controller must make
 * progress on whatever status it finds.
 *
 * Formatting (reference §5.4): ascending, comma-separated; a run of three or
 * more consecutive indexes is written `first-last`, a run of exactly two as
 * two numbers. Pure functions, no I/O, no global state; thread-compatible.
 */
#ifndef KJ_API_INDEXLIST_H
#define KJ_API_INDEXLIST_H

#include <stdbool.h> /* bool */
#include <stddef.h>  /* size_t */
#include <stdint.h>  /* int32_t, int64_t */

#include "util/error.h" /* kj_error_t */

/* A closed interval [first, last] of indexes, first <= last. */
struct kj_index_interval {
    int32_t first;
    int32_t last;
};

/* A set of non-negative indexes as intervals kept sorted, disjoint and
 * non-adjacent (so equal sets have equal representations). Zero-initialised
 * or kj_indexlist_init() = empty. */
struct kj_indexlist {
    struct kj_index_interval *v; /* owned */
    size_t len;
    size_t cap;
};

void kj_indexlist_init(struct kj_indexlist *l);
/* Release the storage and leave an empty list. Safe on an empty list. */
void kj_indexlist_free(struct kj_indexlist *l);
/* Remove every index, keeping the storage. */
void kj_indexlist_clear(struct kj_indexlist *l);

/* Add the indexes [first, last] (first <= last, both >= 0). Returns 0, or
 * -1 with *err set when out of memory or the bounds are invalid. */
int kj_indexlist_add_range(struct kj_indexlist *l, int32_t first, int32_t last, kj_error_t *err);
/* Add one index (>= 0). Same contract as kj_indexlist_add_range(). */
int kj_indexlist_add(struct kj_indexlist *l, int32_t index, kj_error_t *err);

bool kj_indexlist_has(const struct kj_indexlist *l, int32_t index);
/* Number of indexes in the set. */
int64_t kj_indexlist_total(const struct kj_indexlist *l);

/* Lenient parse of `s` (NULL or "" = empty set), ADDING to *l: well-formed
 * entries `a` and `a-b` are kept, indexes >= completions are dropped (a range
 * is clipped to completions-1), malformed fragments are skipped. Returns 0,
 * or -1 with *err set only when out of memory. */
int kj_indexlist_parse(struct kj_indexlist *l, const char *s, int32_t completions,
                       kj_error_t *err);

/* The canonical string, newly allocated (caller frees); "" for an empty set.
 * NULL only when out of memory. */
char *kj_indexlist_format(const struct kj_indexlist *l);

/* Strict check of `s` as the API server does for succeededIndexes,
 * completedIndexes and failedIndexes: every fragment a number or `a-b` with
 * a < b, all < completions, strictly increasing. "" is valid (total 0).
 * On success returns 0 and stores the number of indexes in *total (if not
 * NULL). On a format error returns -1 and sets *err to upstream's text, e.g.
 * `too large index: "7"`, `non-increasing order, previous: 3, current: 2`,
 * `cannot convert string to integer for index: "x"`,
 * `the fragment "1-2-3" violates the requirement that an index interval can
 * have at most two parts separated by '-'`. */
int kj_indexlist_check(const char *s, int32_t completions, int32_t *total, kj_error_t *err);

/* Upstream validateFailedIndexesNotOverlapCompleted: returns 0, or -1 with
 * *err = `failedIndexes and completedIndexes overlap at index: N` when the
 * two (strictly formatted) lists share an index. Fragments that fail to parse
 * are skipped; kj_indexlist_check() reports them. */
int kj_indexlist_check_overlap(const char *completed, const char *failed, int32_t completions,
                               kj_error_t *err);

#endif
