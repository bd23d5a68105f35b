/* List filtering shared by the collection handlers: label selectors (string
 * form, pkg/api/selector.h) and field selectors evaluated on the JSON object.
 */
#ifndef KJ_APISERVER_FILTER_H
#define KJ_APISERVER_FILTER_H

#include <cjson/cJSON.h> /* cJSON */
#include <stdbool.h>     /* bool */

#include "api/selector.h"    /* kj_selector */
#include "apiserver/query.h" /* kj_list_opts */
#include "util/error.h"      /* kj_error_t */

struct kj_field_req {
    char *path; /* owned, dotted JSON path, e.g. "involvedObject.name" */
    char *value; /* owned */
    bool negate; /* != */
};

struct kj_filter {
    struct kj_selector labels;
    struct kj_field_req *fields; /* owned */
    size_t n_fields;
};

/* Parse a fieldSelector ("a=b,c==d,e!=f"). Fails with HTTP 400 on a term
 * without an operator. Known aliases: `status.successful` (Jobs) reads
 * status.succeeded. */
int kj_field_selector_parse(const char *s, struct kj_filter *f, kj_error_t *err);

/* Build a filter from list options (label and field selectors). HTTP 400 on
 * bad syntax. The caller clears *f with kj_filter_clear even on failure. */
int kj_filter_from_opts(const struct kj_list_opts *o, struct kj_filter *f, kj_error_t *err);

/* True if obj's metadata.labels satisfy the label selector and every field
 * requirement holds (a missing field compares as ""). */
bool kj_filter_matches(const struct kj_filter *f, const cJSON *obj);

void kj_filter_clear(struct kj_filter *f);

#endif
