#include "kuard/golog.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static FILE *log_sink;

void kj_kuard_log_prefix(time_t t, char *buf, size_t size)
{
    struct tm tm;
    if (localtime_r(&t, &tm) == NULL || strftime(buf, size, "%Y/%m/%d %H:%M:%S ", &tm) == 0) {
        if (size > 0)
            buf[0] = '\0';
    }
}

void kj_kuard_log_set_sink(FILE *sink)
{
    log_sink = sink;
}

void kj_kuard_log_str(const char *msg)
{
    FILE *out = log_sink != NULL ? log_sink : stderr;
    char prefix[KJ_KUARD_LOG_PREFIX_LEN + 8];
    kj_kuard_log_prefix(time(NULL), prefix, sizeof(prefix));
    size_t len = strlen(msg);
    flockfile(out);
    fputs(prefix, out);
    fputs(msg, out);
    if (len == 0 || msg[len - 1] != '\n')
        fputc('\n', out);
    fflush(out);
    funlockfile(out);
}

void kj_kuard_log(const char *fmt, ...)
{
    char *msg = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&msg, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    kj_kuard_log_str(msg);
    free(msg);
}
