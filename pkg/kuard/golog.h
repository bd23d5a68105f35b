/* kuard's own log format: Go's standard `log` package, which kuard uses for
 * everything it prints. Each line goes to stderr as
 * "YYYY/MM/DD HH:MM:SS message\n" in local time (UTC in the image).
 *
 * This is deliberately not kj_log: kuard-compatible output is part of the
 * contract (tests and users grep for kuard's exact lines). Thread-safe: each
 * line is written under stdio's stream lock, so lines from the HTTP loop and
 * the workload thread never interleave.
 */
#ifndef KJ_KUARD_GOLOG_H
#define KJ_KUARD_GOLOG_H

#include <stddef.h> /* size_t */
#include <stdio.h>  /* FILE */
#include <time.h>   /* time_t */

/* Length of the "YYYY/MM/DD HH:MM:SS " prefix, without the NUL. */
#define KJ_KUARD_LOG_PREFIX_LEN 20

/* Write the prefix for time t (local time) into buf, NUL-terminated.
 * buf must hold KJ_KUARD_LOG_PREFIX_LEN + 1 bytes. */
void kj_kuard_log_prefix(time_t t, char *buf, size_t size);

/* Redirect the log (NULL = stderr). `sink` is borrowed; set before threads start. */
void kj_kuard_log_set_sink(FILE *sink);

/* Log one message the way Go's log.Printf does: prefix, message, and a
 * newline unless the message already ends with one. Never fails visibly. */
void kj_kuard_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Like kj_kuard_log("%s", msg). */
void kj_kuard_log_str(const char *msg);

#endif
