/* Index lists "1,3-5,7" (see indexlist.h; upstream
 * pkg/apis/batch/validation and pkg/controller/job/indexed_job_utils.go). */
#include "api/indexlist.h"

#include <errno.h>  /* ENOMEM */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* malloc, realloc, free, qsort */
#include <string.h>

#include "api/fielderr.h" /* kj_go_quote_n */

void kj_indexlist_init(struct kj_indexlist *l)
{
    l->v = NULL;
    l->len = 0;
    l->cap = 0;
}

void kj_indexlist_free(struct kj_indexlist *l)
{
    free(l->v);
    kj_indexlist_init(l);
}

void kj_indexlist_clear(struct kj_indexlist *l)
{
    l->len = 0;
}

static int reserve(struct kj_indexlist *l, size_t n, kj_error_t *err)
{
    if (n <= l->cap)
        return 0;
    size_t cap = l->cap ? l->cap : 8;
    while (cap < n)
        cap *= 2;
    struct kj_index_interval *v = realloc(l->v, cap * sizeof(*v));
    if (v == NULL)
        return kj_make_error(err, ENOMEM, "grow index list");
    l->v = v;
    l->cap = cap;
    return 0;
}

/* First interval whose last >= x (binary search). */
static size_t lower_bound(const struct kj_indexlist *l, int64_t x)
{
    size_t lo = 0, hi = l->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->v[mid].last < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int kj_indexlist_add_range(struct kj_indexlist *l, int32_t first, int32_t last, kj_error_t *err)
{
    if (first < 0 || last < first)
        return kj_make_error(err, 0, "invalid index range %d-%d", (int)first, (int)last);
    /* Intervals touching [first-1, last+1] merge with the new one. */
    size_t i = lower_bound(l, (int64_t)first - 1);
    size_t j = i;
    int32_t nf = first, nl = last;
    while (j < l->len && (int64_t)l->v[j].first <= (int64_t)last + 1) {
        if (l->v[j].first < nf)
            nf = l->v[j].first;
        if (l->v[j].last > nl)
            nl = l->v[j].last;
        j++;
    }
    if (j == i) {
        if (reserve(l, l->len + 1, err) < 0)
            return -1;
        memmove(&l->v[i + 1], &l->v[i], (l->len - i) * sizeof(*l->v));
        l->len++;
    } else if (j > i + 1) {
        memmove(&l->v[i + 1], &l->v[j], (l->len - j) * sizeof(*l->v));
        l->len -= j - i - 1;
    }
    l->v[i].first = nf;
    l->v[i].last = nl;
    return 0;
}

int kj_indexlist_add(struct kj_indexlist *l, int32_t index, kj_error_t *err)
{
    return kj_indexlist_add_range(l, index, index, err);
}

bool kj_indexlist_has(const struct kj_indexlist *l, int32_t index)
{
    size_t i = lower_bound(l, index);
    return i < l->len && l->v[i].first <= index;
}

int64_t kj_indexlist_total(const struct kj_indexlist *l)
{
    int64_t t = 0;
    for (size_t i = 0; i < l->len; i++)
        t += (int64_t)l->v[i].last - l->v[i].first + 1;
    return t;
}

/* Go's strconv.Atoi for base 10: optional sign, at least one digit, int64
 * range. Returns 0 and *out, or -1. */
static int go_atoi(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (n > 0 && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == n)
        return -1;
    uint64_t v = 0;
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (limit - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

static int quoted_error(kj_error_t *err, const char *fmt, const char *s, size_t n)
{
    char *q = kj_go_quote_n(s, n);
    int ret = kj_make_error(err, 0, fmt, q);
    free(q);
    return ret;
}

/* One fragment of a comma list, as upstream parseIndexInterval. */
static int parse_interval(const char *s, size_t n, int32_t completions, int64_t *x, int64_t *y,
                          kj_error_t *err)
{
    const char *dash = memchr(s, '-', n);
    if (dash != NULL && memchr(dash + 1, '-', n - (size_t)(dash + 1 - s)) != NULL)
        return quoted_error(err,
                            "the fragment %s violates the requirement that an index interval "
                            "can have at most two parts separated by '-'",
                            s, n);
    size_t n0 = dash ? (size_t)(dash - s) : n;
    if (go_atoi(s, n0, x) < 0)
        return quoted_error(err, "cannot convert string to integer for index: %s", s, n0);
    if (*x >= completions)
        return quoted_error(err, "too large index: %s", s, n0);
    if (dash == NULL) {
        *y = *x;
        return 0;
    }
    const char *s1 = dash + 1;
    size_t n1 = n - n0 - 1;
    if (go_atoi(s1, n1, y) < 0)
        return quoted_error(err, "cannot convert string to integer for index: %s", s1, n1);
    if (*y >= completions)
        return quoted_error(err, "too large index: %s", s1, n1);
    if (*x >= *y)
        return kj_make_error(err, 0, "non-increasing order, previous: %lld, current: %lld",
                             (long long)*x, (long long)*y);
    return 0;
}

int kj_indexlist_check(const char *s, int32_t completions, int32_t *total, kj_error_t *err)
{
    if (total != NULL)
        *total = 0;
    if (s == NULL || s[0] == '\0')
        return 0;
    bool have_last = false;
    int64_t last = 0, sum = 0;
    const char *p = s;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        int64_t x, y;
        if (parse_interval(p, n, completions, &x, &y, err) < 0)
            return -1;
        if (have_last && last >= x)
            return kj_make_error(err, 0,
                                 "non-increasing order, previous: %lld, current: %lld",
                                 (long long)last, (long long)x);
        sum += y - x + 1;
        last = y;
        have_last = true;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    if (total != NULL)
        *total = (int32_t)sum;
    return 0;
}

int kj_indexlist_parse(struct kj_indexlist *l, const char *s, int32_t completions,
                       kj_error_t *err)
{
    if (s == NULL)
        return 0;
    const char *p = s;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        const char *dash = memchr(p, '-', n);
        int64_t x, y;
        bool ok;
        if (dash == NULL) {
            ok = go_atoi(p, n, &x) == 0;
            y = x;
        } else {
            size_t n0 = (size_t)(dash - p);
            ok = go_atoi(p, n0, &x) == 0 && go_atoi(dash + 1, n - n0 - 1, &y) == 0;
        }
        if (ok && x >= 0 && x <= y && x < completions) {
            if (y >= completions)
                y = (int64_t)completions - 1;
            if (kj_indexlist_add_range(l, (int32_t)x, (int32_t)y, err) < 0)
                return -1;
        }
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    return 0;
}

char *kj_indexlist_format(const struct kj_indexlist *l)
{
    /* Each interval prints at most two 10-digit numbers and two separators. */
    size_t cap = l->len * 24 + 1;
    char *out = malloc(cap);
    if (out == NULL)
        return NULL;
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < l->len; i++) {
        const struct kj_index_interval *iv = &l->v[i];
        int n;
        if (iv->last == iv->first)
            n = snprintf(out + len, cap - len, "%s%d", i ? "," : "", (int)iv->first);
        else
            n = snprintf(out + len, cap - len, "%s%d%c%d", i ? "," : "", (int)iv->first,
                         iv->last == iv->first + 1 ? ',' : '-', (int)iv->last);
        len += (size_t)n;
    }
    return out;
}

/* Parse the fragment starting at *p (advancing past its comma), as the
 * overlap check does: a fragment in error yields ok = false. */
static bool next_interval(const char **p, bool *more, int32_t completions, int64_t *x, int64_t *y)
{
    const char *comma = strchr(*p, ',');
    size_t n = comma ? (size_t)(comma - *p) : strlen(*p);
    kj_error_t e = NULL;
    bool ok = parse_interval(*p, n, completions, x, y, &e) == 0;
    kj_error_release(&e);
    *more = comma != NULL;
    *p = comma ? comma + 1 : *p + n;
    return ok;
}

int kj_indexlist_check_overlap(const char *completed, const char *failed, int32_t completions,
                               kj_error_t *err)
{
    if (completed == NULL || failed == NULL || completed[0] == '\0' || failed[0] == '\0')
        return 0;
    const char *cp = completed, *fp = failed;
    bool cmore = true, fmore = true, cvalid = true, fvalid = true;
    int64_t cx = 0, cy = 0, fx = 0, fy = 0;
    bool cok = next_interval(&cp, &cmore, completions, &cx, &cy);
    bool fok = next_interval(&fp, &fmore, completions, &fx, &fy);
    /* cvalid/fvalid: the current position is still inside its list. */
    while (cvalid && fvalid) {
        if (!cok) {
            if (!cmore)
                cvalid = false;
            else
                cok = next_interval(&cp, &cmore, completions, &cx, &cy);
        } else if (!fok) {
            if (!fmore)
                fvalid = false;
            else
                fok = next_interval(&fp, &fmore, completions, &fx, &fy);
        } else {
            if (cx <= fy && fx <= cy)
                return kj_make_error(err, 0,
                                     "failedIndexes and completedIndexes overlap at index: %lld",
                                     (long long)(cx > fx ? cx : fx));
            if (cx <= fx) {
                if (!cmore)
                    cvalid = false;
                else
                    cok = next_interval(&cp, &cmore, completions, &cx, &cy);
            } else {
                if (!fmore)
                    fvalid = false;
                else
                    fok = next_interval(&fp, &fmore, completions, &fx, &fy);
            }
        }
    }
    return 0;
}
