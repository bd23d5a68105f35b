/* Request-target parsing for the REST API: split "/path?query", decode the
 * query string (libevent's evhttp_parse_query_str) and read the Kubernetes
 * list/delete options from it. Pure; fuzzed (tests/fuzz/fuzz_apiserver_query.c).
 */
#ifndef KJ_APISERVER_QUERY_H
#define KJ_APISERVER_QUERY_H

#include <stdbool.h> /* bool */
#include <stddef.h>  /* size_t */
#include <stdint.h>  /* int64_t */

#include <cjson/cJSON.h> /* cJSON */

#include "util/error.h" /* kj_error_t */

/* One decoded query parameter. */
struct kj_query_param {
    char *key;   /* owned */
    char *value; /* owned, "" when absent ("?watch") */
};

struct kj_query {
    struct kj_query_param *items; /* owned */
    size_t n;
};

/* Split `target` ("/a/b?x=1") into a path (owned, percent-decoded is NOT
 * applied: Kubernetes names never need it) and a decoded query. A target
 * without '?' gives an empty query. Fails with HTTP 400 on a malformed query
 * (bad percent-escape) or a path that does not start with '/'. On success the
 * caller owns *out_path and must kj_query_clear(out_query); on failure both
 * are left empty. */
int kj_request_target_parse(const char *target, char **out_path, struct kj_query *out_query,
                            kj_error_t *err);

/* Decode a raw query string ("a=1&b=%20"). Same ownership as above. */
int kj_query_parse(const char *raw, struct kj_query *out, kj_error_t *err);

void kj_query_clear(struct kj_query *q);

/* The first value of `key` (as Go's url.Values.Get), or NULL. Borrowed. */
const char *kj_query_get(const struct kj_query *q, const char *key);

/* Boolean parameter as Kubernetes reads them: absent = `def`; "", "true",
 * "1" = true; "false", "0" = false; anything else fails with HTTP 400. */
int kj_query_bool(const struct kj_query *q, const char *key, bool def, bool *out,
                  kj_error_t *err);

/* Non-negative integer parameter; absent = `def`. HTTP 400 otherwise. */
int kj_query_int(const struct kj_query *q, const char *key, int64_t def, int64_t *out,
                 kj_error_t *err);

enum kj_propagation {
    KJ_PROPAGATION_UNSET = 0,
    KJ_PROPAGATION_BACKGROUND,
    KJ_PROPAGATION_FOREGROUND,
    KJ_PROPAGATION_ORPHAN,
};

/* Parse "Background" | "Foreground" | "Orphan" (exact case, as Kubernetes).
 * NULL or "" gives KJ_PROPAGATION_UNSET. Anything else: HTTP 400
 * `unsupported propagationPolicy "X"` ... */
int kj_propagation_parse(const char *s, enum kj_propagation *out, kj_error_t *err);

/* A delete's gracePeriodSeconds: the query's `gracePeriodSeconds`, else
 * `body` (a DeleteOptions field; NULL or null = none). *out = seconds,
 * -1 when not given (kubectl's -1 means the same). Anything but a whole
 * number 0..1e9: HTTP 400 naming the field. */
int kj_grace_period_parse(const struct kj_query *q, const cJSON *body, int *out, kj_error_t *err);

/* The list/watch options of a GET on a collection. */
struct kj_list_opts {
    const char *label_selector; /* borrowed from the query; NULL = all */
    const char *field_selector; /* borrowed; NULL = all */
    const char *resource_version;
    bool watch;
    int64_t limit;           /* 0 = no limit */
    int64_t timeout_seconds; /* 0 = server default */
};

/* Read list options from q. HTTP 400 for bad values. Strings borrowed from q. */
int kj_list_opts_parse(const struct kj_query *q, struct kj_list_opts *out, kj_error_t *err);

#endif
