/* Label selectors: the string form of `?labelSelector=` ("a=b,c!=d,e in (x,y),
 * f notin (z),!g,h") and the structured metav1.LabelSelector (meta.h), both
 * compiled to one requirement list that matches a label map.
 *
 *   struct kj_selector sel = {0};
 *   if (kj_selector_parse(q, &sel, err) < 0) return -1;   // 400 on bad syntax
 *   bool ok = kj_selector_matches(&sel, &pod->metadata.labels);
 *   kj_selector_clear(&sel);
 *
 * Requirements are kept sorted by key (apimachinery sorts them), so
 * kj_selector_format() is canonical: "a=b,c!=d,e in (x,y),!g,h".
 */
#ifndef KJ_API_SELECTOR_H
#define KJ_API_SELECTOR_H

#include <stdbool.h> /* bool */
#include <stddef.h>  /* size_t */

#include "api/meta.h"    /* kj_label_selector */
#include "api/strlist.h" /* kj_strlist, kj_labels */
#include "util/error.h"  /* kj_error_t */

enum kj_selector_op {
    KJ_SEL_EQUALS = 0,        /* k=v   */
    KJ_SEL_DOUBLE_EQUALS,     /* k==v  */
    KJ_SEL_NOT_EQUALS,        /* k!=v  */
    KJ_SEL_IN,                /* k in (a,b) */
    KJ_SEL_NOT_IN,            /* k notin (a,b) */
    KJ_SEL_EXISTS,            /* k     */
    KJ_SEL_DOES_NOT_EXIST,    /* !k    */
    KJ_SEL_GREATER_THAN,      /* k>1   */
    KJ_SEL_LESS_THAN,         /* k<1   */
};

struct kj_requirement {
    char *key; /* owned */
    enum kj_selector_op op;
    struct kj_strlist values; /* sorted for In/NotIn */
};

/* An AND of requirements. Empty = matches everything. `nothing` is set for a
 * nil structured selector (matches nothing, as apimachinery's Nothing()). */
struct kj_selector {
    struct kj_requirement *reqs; /* owned */
    size_t n_reqs;
    bool nothing;
};

/* Parse the string form. Keys must be qualified names and values label
 * values (names.h); errors (HTTP 400) follow apimachinery's wording where
 * practical, e.g. "unable to parse requirement: found ',', expected: identifier".
 * On failure *out is left empty. */
int kj_selector_parse(const char *s, struct kj_selector *out, kj_error_t *err);

/* Compile a structured selector. `ls == NULL` yields a `nothing` selector.
 * Invalid operators / values fail with HTTP 400, e.g.
 * `"Foo" is not a valid label selector operator`. */
int kj_selector_from_label_selector(const struct kj_label_selector *ls, struct kj_selector *out,
                                    kj_error_t *err);

/* True if labels satisfy every requirement. */
bool kj_selector_matches(const struct kj_selector *sel, const struct kj_labels *labels);

/* Canonical string form (owned by caller); "" for match-everything. */
char *kj_selector_format(const struct kj_selector *sel);

bool kj_selector_is_empty(const struct kj_selector *sel);
void kj_selector_clear(struct kj_selector *sel);

/* Convenience for structured selectors: compile + format, e.g.
 * "batch.kubernetes.io/controller-uid=abc" (kubectl describe's Selector line).
 * Returns NULL (and sets *err) for an invalid selector. */
char *kj_label_selector_format(const struct kj_label_selector *ls, kj_error_t *err);

/* Convenience: compile ls and match labels. Returns 1 match, 0 no match,
 * -1 on an invalid selector (with *err set). */
int kj_label_selector_matches(const struct kj_label_selector *ls, const struct kj_labels *labels,
                              kj_error_t *err);

#endif
