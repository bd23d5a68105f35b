/* Timestamps of the object model.
 *
 * Every time field in pkg/api is an `int64_t` holding nanoseconds since the
 * Unix epoch, UTC; 0 means unset (Kubernetes' zero time, encoded as absent).
 * Kubernetes' metav1.Time is encoded with second precision
 * ("2026-04-26T18:35:42Z"); metav1.MicroTime (Event.eventTime) with
 * microseconds ("2026-04-26T18:35:42.123456Z").
 */
#ifndef KJ_API_TIME_H
#define KJ_API_TIME_H

#include <stddef.h> /* size_t */
#include <stdint.h> /* int64_t */

#include "util/error.h" /* kj_error_t */

#define KJ_NSEC_PER_SEC INT64_C(1000000000)

/* Big enough for any output of the formatters below, NUL included. */
#define KJ_RFC3339_BUFSZ 40

/* Current wall-clock time (CLOCK_REALTIME) in ns. */
int64_t kj_time_now_ns(void);

/* Format ns as RFC 3339 UTC with second precision (truncated), e.g.
 * "2026-04-26T18:35:42Z". buf must hold KJ_RFC3339_BUFSZ bytes.
 * Returns buf. */
char *kj_rfc3339_format(int64_t ns, char *buf, size_t size);

/* Same with microseconds: "2026-04-26T18:35:42.123456Z" (MicroTime). */
char *kj_rfc3339_format_micro(int64_t ns, char *buf, size_t size);

/* Parse RFC 3339 ("2006-01-02T15:04:05Z", optional fraction of 1-9 digits,
 * "Z"/"z" or "+hh:mm"/"-hh:mm" offset; 't' and lower-case accepted as Go does)
 * into ns since the epoch. On failure returns -1 and sets *err (HTTP 400) with
 * Go's text: `parsing time "x" as "2006-01-02T15:04:05Z07:00": cannot parse ...`. */
int kj_rfc3339_parse(const char *s, int64_t *out_ns, kj_error_t *err);

#endif
