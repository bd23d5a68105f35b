#include "kuard/humanize.h"

#include <stdio.h>

#define SEC INT64_C(1000000000)
#define MINUTE (60 * SEC)
#define HOUR (60 * MINUTE)
#define DAY (24 * HOUR)
#define WEEK (7 * DAY)
#define MONTH (30 * DAY)
#define YEAR (12 * MONTH)

/* go-humanize's defaultMagnitudes: the first entry whose bound is strictly
 * greater than the difference is used; `div` 0 means the text has no count. */
static const struct {
    int64_t bound;
    const char *text; /* "%s" for the count (if any), then the label */
    int64_t div;
} magnitudes[] = {
    {SEC, "now", 0},
    {2 * SEC, "1 second", 0},
    {MINUTE, "seconds", SEC},
    {2 * MINUTE, "1 minute", 0},
    {HOUR, "minutes", MINUTE},
    {2 * HOUR, "1 hour", 0},
    {DAY, "hours", HOUR},
    {2 * DAY, "1 day", 0},
    {WEEK, "days", DAY},
    {2 * WEEK, "1 week", 0},
    {MONTH, "weeks", WEEK},
    {2 * MONTH, "1 month", 0},
    {YEAR, "months", MONTH},
    {18 * MONTH, "1 year", 0},
    {2 * YEAR, "2 years", 0},
    {37 * YEAR, "years", YEAR},
    {INT64_MAX, "a long while", 0},
};

void kj_kuard_reltime(int64_t diff_ns, const char *albl, const char *blbl, char *buf, size_t size)
{
    const char *lbl = albl;
    if (diff_ns < 0) {
        lbl = blbl;
        diff_ns = diff_ns == INT64_MIN ? INT64_MAX : -diff_ns;
    }
    size_t n = 0, count = sizeof(magnitudes) / sizeof(magnitudes[0]);
    while (n < count - 1 && magnitudes[n].bound <= diff_ns)
        n++;
    if (n == 0)
        snprintf(buf, size, "now");
    else if (magnitudes[n].div == 0)
        snprintf(buf, size, "%s %s", magnitudes[n].text, lbl);
    else
        snprintf(buf, size, "%lld %s %s", (long long)(diff_ns / magnitudes[n].div),
                 magnitudes[n].text, lbl);
}
