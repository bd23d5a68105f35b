#include "log.h"

#include <cjson/cJSON.h> /* JSON-escaping the message */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h> /* gettimeofday */
#include <time.h>

enum kj_log_level kj_log_threshold = KJ_LOG_INFO;
static enum kj_log_format log_format = KJ_LOG_TEXT;
static FILE *log_sink;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

int kj_log_level_parse(const char *s, enum kj_log_level *out)
{
    for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
        if (strcasecmp(s, level_names[i]) == 0) {
            *out = (enum kj_log_level)i;
            return 0;
        }
    }
    if (strcasecmp(s, "warning") == 0) {
        *out = KJ_LOG_WARN;
        return 0;
    }
    return -1;
}

int kj_log_format_parse(const char *s, enum kj_log_format *out)
{
    if (strcmp(s, "text") == 0)
        *out = KJ_LOG_TEXT;
    else if (strcmp(s, "json") == 0)
        *out = KJ_LOG_JSON;
    else
        return -1;
    return 0;
}

void kj_log_setup(enum kj_log_level level, enum kj_log_format format, FILE *sink)
{
    kj_log_threshold = level;
    log_format = format;
    log_sink = sink;
}

void kj_log_write(enum kj_log_level level, int errnum, const char *fmt, ...)
{
    FILE *out = log_sink ? log_sink : stderr;
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (errnum != 0) {
        size_t len = strlen(msg);
        char ebuf[128];
        snprintf(msg + len, sizeof(msg) - len, ": %s", strerror_r(errnum, ebuf, sizeof(ebuf)));
    }

    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char ts[40];
    size_t tl = strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(ts + tl, sizeof(ts) - tl, ".%06ldZ", (long)tv.tv_usec);

    const char *lname = level_names[level <= KJ_LOG_ERROR ? level : KJ_LOG_ERROR];
    if (log_format == KJ_LOG_JSON) {
        cJSON *o = cJSON_CreateObject();
        if (o == NULL)
            return;
        cJSON_AddStringToObject(o, "ts", ts);
        cJSON_AddStringToObject(o, "level", lname);
        cJSON_AddStringToObject(o, "msg", msg);
        char *line = cJSON_PrintUnformatted(o);
        if (line != NULL)
            fprintf(out, "%s\n", line);
        free(line);
        cJSON_Delete(o);
    } else {
        char up[8] = {0};
        for (size_t i = 0; i < sizeof(up) - 1 && lname[i]; i++)
            up[i] = (char)(lname[i] - 'a' + 'A');
        fprintf(out, "%s %-5s %s\n", ts, up, msg);
    }
    fflush(out);
}
