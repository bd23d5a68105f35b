/* kjob's one logging module.
 *
 * kj_log(level, fmt, ...) checks the level before formatting anything.
 * Output goes to one sink (stderr by default, or a file) as text lines
 * ("2026-11-26T21:04:58.123456Z WARN message") or JSON lines
 * ({"ts":"...","level":"warn","msg":"..."}). Not async-signal-safe: never call
 * from a signal handler. Configure once at start-up, before threads exist.
 */
#ifndef KJ_UTIL_LOG_H
#define KJ_UTIL_LOG_H

#include <stdio.h> /* FILE */

enum kj_log_level {
    KJ_LOG_DEBUG = 0,
    KJ_LOG_INFO = 1,
    KJ_LOG_WARN = 2,
    KJ_LOG_ERROR = 3,
};

enum kj_log_format {
    KJ_LOG_TEXT = 0,
    KJ_LOG_JSON = 1,
};

extern enum kj_log_level kj_log_threshold;

/* Parse "debug|info|warn|error" / "text|json". Return 0, or -1 if unknown. */
int kj_log_level_parse(const char *s, enum kj_log_level *out);
int kj_log_format_parse(const char *s, enum kj_log_format *out);

/* Set the sink. `sink` is borrowed (NULL = stderr) and must outlive logging. */
void kj_log_setup(enum kj_log_level level, enum kj_log_format format, FILE *sink);

void kj_log_write(enum kj_log_level level, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define kj_log(level, ...)                                                                     \
    do {                                                                                       \
        if ((level) >= kj_log_threshold)                                                       \
            kj_log_write((level), 0, __VA_ARGS__);                                             \
    } while (0)

/* Like kj_log(), appending ": strerror(errno)". */
#define kj_log_errno(level, ...)                                                               \
    do {                                                                                       \
        int kj_log_errno_saved_ = errno;                                                       \
        if ((level) >= kj_log_threshold)                                                       \
            kj_log_write((level), kj_log_errno_saved_, __VA_ARGS__);                           \
    } while (0)

#endif
