/* Resource quantities (quantity.h), after apimachinery's resource.Quantity
 * with its int64Amount fast path: parse into mantissa*10^scale, round up to
 * nano precision, cap at MaxInt64 units, canonicalise on output. */
#include "api/quantity.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "util/xalloc.h" /* xasprintf */

#define QTY_REGEX_MSG                                                                          \
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"

/* Mantissas are kept below this so a few *10 steps never overflow. */
#define MANT_LIMIT INT64_C(100000000000000000) /* 1e17 */

static int64_t pow10i(int n)
{
    int64_t v = 1;
    while (n-- > 0)
        v *= 10;
    return v;
}

/* Interpret a suffix: decimal exponent (*exp10) or binary (*exp2), format. */
static bool suffix_interpret(const char *s, int *exp10, int *exp2, enum kj_quantity_format *fmt)
{
    static const struct {
        const char *s;
        int e10, e2;
        enum kj_quantity_format f;
    } tab[] = {
        {"", 0, 0, KJ_QUANTITY_DECIMAL_SI},    {"n", -9, 0, KJ_QUANTITY_DECIMAL_SI},
        {"u", -6, 0, KJ_QUANTITY_DECIMAL_SI},  {"m", -3, 0, KJ_QUANTITY_DECIMAL_SI},
        {"k", 3, 0, KJ_QUANTITY_DECIMAL_SI},   {"M", 6, 0, KJ_QUANTITY_DECIMAL_SI},
        {"G", 9, 0, KJ_QUANTITY_DECIMAL_SI},   {"T", 12, 0, KJ_QUANTITY_DECIMAL_SI},
        {"P", 15, 0, KJ_QUANTITY_DECIMAL_SI},  {"E", 18, 0, KJ_QUANTITY_DECIMAL_SI},
        {"Ki", 0, 10, KJ_QUANTITY_BINARY_SI},  {"Mi", 0, 20, KJ_QUANTITY_BINARY_SI},
        {"Gi", 0, 30, KJ_QUANTITY_BINARY_SI},  {"Ti", 0, 40, KJ_QUANTITY_BINARY_SI},
        {"Pi", 0, 50, KJ_QUANTITY_BINARY_SI},  {"Ei", 0, 60, KJ_QUANTITY_BINARY_SI},
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (strcmp(s, tab[i].s) == 0) {
            *exp10 = tab[i].e10;
            *exp2 = tab[i].e2;
            *fmt = tab[i].f;
            return true;
        }
    if ((s[0] == 'e' || s[0] == 'E') && s[1] != '\0') {
        const char *p = s + 1;
        int sign = 1;
        if (*p == '+' || *p == '-')
            sign = *p++ == '-' ? -1 : 1;
        if (*p == '\0')
            return false;
        long v = 0;
        for (; *p; p++) {
            if (!isdigit((unsigned char)*p))
                return false;
            v = v * 10 + (*p - '0');
            if (v > 1000) /* far beyond anything int64 can hold */
                return false;
        }
        *exp10 = (int)(sign * v);
        *exp2 = 0;
        *fmt = KJ_QUANTITY_DECIMAL_EXP;
        return true;
    }
    return false;
}

/* Bring scale up to >= -9 rounding away from zero, like inf.RoundUp. */
static void round_to_nano(int64_t *m, int32_t *scale)
{
    bool inexact = false;
    while (*scale < -9) {
        if (*m % 10 != 0)
            inexact = true;
        *m /= 10;
        (*scale)++;
    }
    if (inexact)
        *m += *m < 0 ? -1 : 1;
}

int kj_quantity_parse(const char *s, struct kj_quantity *out, kj_error_t *err)
{
    const char *p = s;
    bool neg = false;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    int64_t m = 0;
    int32_t scale = 0;
    bool any_digit = false, seen_dot = false, dropped_nonzero = false;
    for (; isdigit((unsigned char)*p) || *p == '.'; p++) {
        if (*p == '.') {
            if (seen_dot)
                return kj_make_http_error(err, 400, QTY_REGEX_MSG);
            seen_dot = true;
            continue;
        }
        any_digit = true;
        int d = *p - '0';
        if (m < MANT_LIMIT) {
            m = m * 10 + d;
            if (seen_dot)
                scale--;
        } else {
            /* Out of int64 precision: integer digits still count as
             * magnitude, fraction digits are dropped (rounded up below). */
            if (!seen_dot)
                scale++;
            if (d != 0)
                dropped_nonzero = true;
        }
    }
    if (!any_digit)
        return kj_make_http_error(err, 400, QTY_REGEX_MSG);
    const char *suf = p;
    /* The regex's suffix part: [eEinumkKMGTP]*[-+]?[0-9]* */
    while (*p && strchr("eEinumkKMGTP", *p) != NULL)
        p++;
    if (*p == '+' || *p == '-')
        p++;
    while (isdigit((unsigned char)*p))
        p++;
    if (*p != '\0')
        return kj_make_http_error(err, 400, QTY_REGEX_MSG);
    int exp10, exp2;
    enum kj_quantity_format fmt;
    if (!suffix_interpret(suf, &exp10, &exp2, &fmt))
        return kj_make_http_error(err, 400, "unable to parse quantity's suffix");
    if (dropped_nonzero)
        m++;
    while (m != 0 && m % 10 == 0 && m >= 10) {
        m /= 10;
        scale++;
    }
    if (m == 0)
        scale = 0;
    scale += exp10;
    /* Binary suffix: multiply by 2^exp2, keeping exactness by pulling
     * decimal fraction digits in as long as the product overflows. */
    for (int i = 0; i < exp2 && m != 0; i++) {
        if (m > INT64_MAX / 2) {
            if (scale < 0) {
                /* m*2 / 10 keeps the value; loses the last digit's half. */
                m = (m / 10) * 2 + ((m % 10) * 2 + 9) / 10;
                scale++;
                continue;
            }
            m = INT64_MAX;
            scale = 0;
            break;
        }
        m *= 2;
    }
    /* apimachinery caps BinarySI amounts at MaxInt64 units; decimal ones
     * keep their magnitude (only milli/value saturate). */
    if (fmt == KJ_QUANTITY_BINARY_SI && scale > 0) {
        int64_t v = m;
        for (int32_t i = 0; i < scale && v != INT64_MAX; i++)
            if (__builtin_mul_overflow(v, 10, &v))
                v = INT64_MAX;
        if (v == INT64_MAX) {
            m = INT64_MAX;
            scale = 0;
        }
    }
    if (fmt == KJ_QUANTITY_BINARY_SI && m > 0) {
        /* 0 < value < 1 in BinarySI reads back as DecimalSI. */
        if (scale < 0 && (scale < -18 || m < pow10i(-scale)))
            fmt = KJ_QUANTITY_DECIMAL_SI;
    }
    round_to_nano(&m, &scale);
    out->mantissa = neg ? -m : m;
    out->scale = scale;
    out->format = fmt;
    return 0;
}

/* Value rounded up at 10^target (returns units of 10^target), saturated. */
static int64_t scaled_ceil(const struct kj_quantity *q, int32_t target)
{
    int64_t m = q->mantissa;
    int32_t diff = q->scale - target;
    if (diff >= 0) {
        for (int32_t i = 0; i < diff; i++)
            if (__builtin_mul_overflow(m, 10, &m))
                return q->mantissa < 0 ? INT64_MIN : INT64_MAX;
        return m;
    }
    if (-diff > 18)
        return m > 0 ? 1 : 0;
    int64_t div = pow10i(-diff);
    int64_t r = m / div;
    if (m % div != 0 && m > 0)
        r++;
    return r;
}

int64_t kj_quantity_milli(const struct kj_quantity *q)
{
    return scaled_ceil(q, -3);
}

int64_t kj_quantity_value(const struct kj_quantity *q)
{
    return scaled_ceil(q, 0);
}

bool kj_quantity_is_zero(const struct kj_quantity *q)
{
    return q->mantissa == 0;
}

int kj_quantity_cmp(const struct kj_quantity *a, const struct kj_quantity *b)
{
    /* Compare at the finer scale; saturation only matters far beyond any
     * value parse can produce. */
    int32_t s = a->scale < b->scale ? a->scale : b->scale;
    int64_t x = scaled_ceil(a, s), y = scaled_ceil(b, s);
    return x < y ? -1 : x > y;
}

static const char *dec_suffix(int32_t exp)
{
    switch (exp) {
    case -9: return "n";
    case -6: return "u";
    case -3: return "m";
    case 0: return "";
    case 3: return "k";
    case 6: return "M";
    case 9: return "G";
    case 12: return "T";
    case 15: return "P";
    case 18: return "E";
    default: return NULL;
    }
}

char *kj_quantity_format(const struct kj_quantity *q)
{
    int64_t m = q->mantissa;
    if (m == 0)
        return xasprintf("0");
    enum kj_quantity_format fmt = q->format;
    if (fmt == KJ_QUANTITY_BINARY_SI) {
        /* Below 1024 or not a whole number of units: DecimalSI, so that
         * nothing is rounded (apimachinery CanonicalizeBytes). */
        if (q->scale < 0) {
            int64_t div = q->scale < -18 ? 0 : pow10i(-q->scale);
            if (div == 0 || m % div != 0 || (m / div > -1024 && m / div < 1024))
                fmt = KJ_QUANTITY_DECIMAL_SI;
        } else {
            int64_t units = kj_quantity_value(q);
            if (units > -1024 && units < 1024)
                fmt = KJ_QUANTITY_DECIMAL_SI;
        }
    }
    if (fmt == KJ_QUANTITY_BINARY_SI) {
        int64_t units = kj_quantity_value(q);
        int e = 0;
        while (e < 6 && units % 1024 == 0) {
            units /= 1024;
            e++;
        }
        static const char *const bin[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
        return xasprintf("%lld%s", (long long)units, bin[e]);
    }
    int32_t exp = q->scale;
    while ((m >= 10 || m <= -10) && m % 10 == 0) {
        m /= 10;
        exp++;
    }
    int r = ((exp % 3) + 3) % 3;
    for (; r > 0; r--) {
        if (__builtin_mul_overflow(m, 10, &m))
            break; /* cannot happen for parsed values: mantissas stay < 1e17 */
        exp--;
    }
    const char *suf = fmt == KJ_QUANTITY_DECIMAL_SI ? dec_suffix(exp) : NULL;
    if (exp == 0)
        suf = "";
    if (suf != NULL)
        return xasprintf("%lld%s", (long long)m, suf);
    return xasprintf("%llde%d", (long long)m, (int)exp);
}

int kj_quantity_from_json(const cJSON *v, struct kj_quantity *out, kj_error_t *err)
{
    char num[64];
    const char *txt = cJSON_GetStringValue(v);
    if (cJSON_IsNumber(v)) {
        snprintf(num, sizeof num, "%.15g", v->valuedouble);
        txt = num;
    }
    return kj_quantity_parse(txt != NULL ? txt : "", out, err);
}
