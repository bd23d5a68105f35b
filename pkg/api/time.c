/* RFC 3339 timestamps (time.h). Go's time.Parse(time.RFC3339, s) accepts a
 * fraction even though the layout has none, and any offset; we do the same. */
#include "api/time.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t kj_time_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * KJ_NSEC_PER_SEC + ts.tv_nsec;
}

/* Floor division so that instants before 1970 format correctly. */
static void split_ns(int64_t ns, time_t *sec, long *nsec)
{
    int64_t s = ns / KJ_NSEC_PER_SEC, r = ns % KJ_NSEC_PER_SEC;
    if (r < 0) {
        r += KJ_NSEC_PER_SEC;
        s--;
    }
    *sec = (time_t)s;
    *nsec = (long)r;
}

char *kj_rfc3339_format(int64_t ns, char *buf, size_t size)
{
    time_t sec;
    long nsec;
    struct tm tm;
    split_ns(ns, &sec, &nsec);
    if (gmtime_r(&sec, &tm) == NULL || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        if (size > 0)
            buf[0] = '\0';
    }
    return buf;
}

char *kj_rfc3339_format_micro(int64_t ns, char *buf, size_t size)
{
    time_t sec;
    long nsec;
    struct tm tm;
    char base[32];
    split_ns(ns, &sec, &nsec);
    if (gmtime_r(&sec, &tm) == NULL || strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
        if (size > 0)
            buf[0] = '\0';
        return buf;
    }
    snprintf(buf, size, "%s.%06ldZ", base, nsec / 1000);
    return buf;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil), avoiding timegm's locale/TZ games. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Read exactly n digits. */
static bool digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

#define GO_LAYOUT "2006-01-02T15:04:05Z07:00"

static int parse_fail(kj_error_t *err, const char *s, const char *what, const char *elem)
{
    return kj_make_http_error(err, 400, "parsing time \"%s\" as \"" GO_LAYOUT "\": cannot parse \"%s\" as \"%s\"",
                              s, what, elem);
}

int kj_rfc3339_parse(const char *s, int64_t *out_ns, kj_error_t *err)
{
    const char *p = s;
    int y, mo, d, h, mi, se;
    if (!digits(&p, 4, &y))
        return parse_fail(err, s, p, "2006");
    if (*p++ != '-')
        return parse_fail(err, s, p - 1, "-");
    if (!digits(&p, 2, &mo))
        return parse_fail(err, s, p, "01");
    if (*p++ != '-')
        return parse_fail(err, s, p - 1, "-");
    if (!digits(&p, 2, &d))
        return parse_fail(err, s, p, "02");
    if (*p != 'T' && *p != 't')
        return parse_fail(err, s, p, "T");
    p++;
    if (!digits(&p, 2, &h))
        return parse_fail(err, s, p, "15");
    if (*p++ != ':')
        return parse_fail(err, s, p - 1, ":");
    if (!digits(&p, 2, &mi))
        return parse_fail(err, s, p, "04");
    if (*p++ != ':')
        return parse_fail(err, s, p - 1, ":");
    if (!digits(&p, 2, &se))
        return parse_fail(err, s, p, "05");
    long frac = 0;
    if (*p == '.' || *p == ',') {
        p++;
        int n = 0;
        while (isdigit((unsigned char)*p)) {
            if (n < 9) {
                frac = frac * 10 + (*p - '0');
                n++;
            }
            p++;
        }
        if (n == 0)
            return parse_fail(err, s, p, "Z07:00");
        for (; n < 9; n++)
            frac *= 10;
    }
    int off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, oh, om;
        p++;
        if (!digits(&p, 2, &oh) || *p++ != ':' || !digits(&p, 2, &om))
            return parse_fail(err, s, p, "Z07:00");
        if (oh > 24 || om > 59)
            return kj_make_http_error(err, 400, "parsing time \"%s\": time zone offset out of range", s);
        off = sign * (oh * 3600 + om * 60);
    } else {
        return parse_fail(err, s, p, "Z07:00");
    }
    if (*p != '\0')
        return kj_make_http_error(err, 400, "parsing time \"%s\": extra text: \"%s\"", s, p);
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12)
        return kj_make_http_error(err, 400, "parsing time \"%s\": month out of range", s);
    if (d < 1 || d > mdays[mo - 1] + (mo == 2 && leap(y)))
        return kj_make_http_error(err, 400, "parsing time \"%s\": day out of range", s);
    if (h > 23)
        return kj_make_http_error(err, 400, "parsing time \"%s\": hour out of range", s);
    if (mi > 59)
        return kj_make_http_error(err, 400, "parsing time \"%s\": minute out of range", s);
    if (se > 59)
        return kj_make_http_error(err, 400, "parsing time \"%s\": second out of range", s);
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
    int64_t ns;
    /* int64 ns only spans 1678..2262; Go accepts more, but such a time can
     * only be a typo in an object we serve. */
    if (__builtin_mul_overflow(secs, KJ_NSEC_PER_SEC, &ns) || __builtin_add_overflow(ns, frac, &ns))
        return kj_make_http_error(err, 400, "parsing time \"%s\": year out of range", s);
    *out_ns = ns;
    return 0;
}
