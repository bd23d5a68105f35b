/* kjob's one error convention (after crun's design-docs/error_handling.md).
 *
 * Every fallible function takes `kj_error_t *err` as its last argument and
 * returns a negative int (or NULL) on failure, with *err set. The caller either
 * handles it and calls kj_error_release(), or adds context with kj_error_wrap()
 * and returns it upward. Exactly one owner at a time: whoever holds a non-NULL
 * kj_error_t must release it or pass it on.
 *
 * `status` is an errno value (0 when none) or, for errors that carry an HTTP
 * meaning, KJ_ERR_HTTP_BASE + code (see kj_error_http_status()). Messages are
 * lowercase, no trailing period, names in backticks.
 */
#ifndef KJ_UTIL_ERROR_H
#define KJ_UTIL_ERROR_H

#include <stdarg.h> /* va_list */

typedef struct kj_error_s {
    int status; /* errno, or KJ_ERR_HTTP_BASE + HTTP status */
    char *msg;  /* owned */
} *kj_error_t;

/* Statuses >= this base carry an HTTP status code (e.g. 404 from the engine). */
#define KJ_ERR_HTTP_BASE 100000

/* Set *err (if err is non-NULL and *err is NULL) and return -abs(status) or -1.
 * errno_or_0 is appended to the message as strerror() when non-zero. */
int kj_make_error(kj_error_t *err, int errno_or_0, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int kj_make_error_v(kj_error_t *err, int errno_or_0, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Like kj_make_error(), but records an HTTP status (4xx/5xx) for the caller. */
int kj_make_http_error(kj_error_t *err, int http_status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix the message with context: "ctx: old message". Returns -1 so a call
 * site can `return kj_error_wrap(err, "...")`. No-op when *err is NULL. */
int kj_error_wrap(kj_error_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The HTTP status an error carries, or 0. */
int kj_error_http_status(const kj_error_t err);

/* Free the error and set *err to NULL. Safe on NULL. */
void kj_error_release(kj_error_t *err);

/* Log the error at ERROR level with a prefix, then release it. */
void kj_error_log_release(kj_error_t *err, const char *prefix);

#endif
