/* Plain-scalar resolution exactly as go-yaml v2's resolve.go does it (YAML
 * 1.1 booleans, Go's strconv number syntax), and sigs.k8s.io/yaml's
 * rendering of non-string map keys. */
#include <errno.h>    /* ERANGE */
#include <inttypes.h> /* PRId64 */
#include <math.h>     /* isinf, isnan */
#include <stdio.h>    /* snprintf */
#include <stdlib.h>   /* strtod, strtof */
#include <string.h>

#include "api/yaml-internal.h"

#define TAG_PREFIX "tag:yaml.org,2002:"
#define TAG_BOOL TAG_PREFIX "bool"
#define TAG_INT TAG_PREFIX "int"
#define TAG_FLOAT TAG_PREFIX "float"
#define TAG_NULL TAG_PREFIX "null"

struct word {
    const char *text;
    enum kj_yaml_kind kind;
    bool b;
    double f;
};

/* go-yaml v2's resolve_map. */
static const struct word words[] = {
    {"y", KJ_YAML_BOOL, true, 0},       {"Y", KJ_YAML_BOOL, true, 0},
    {"yes", KJ_YAML_BOOL, true, 0},     {"Yes", KJ_YAML_BOOL, true, 0},
    {"YES", KJ_YAML_BOOL, true, 0},     {"true", KJ_YAML_BOOL, true, 0},
    {"True", KJ_YAML_BOOL, true, 0},    {"TRUE", KJ_YAML_BOOL, true, 0},
    {"on", KJ_YAML_BOOL, true, 0},      {"On", KJ_YAML_BOOL, true, 0},
    {"ON", KJ_YAML_BOOL, true, 0},      {"n", KJ_YAML_BOOL, false, 0},
    {"N", KJ_YAML_BOOL, false, 0},      {"no", KJ_YAML_BOOL, false, 0},
    {"No", KJ_YAML_BOOL, false, 0},     {"NO", KJ_YAML_BOOL, false, 0},
    {"false", KJ_YAML_BOOL, false, 0},  {"False", KJ_YAML_BOOL, false, 0},
    {"FALSE", KJ_YAML_BOOL, false, 0},  {"off", KJ_YAML_BOOL, false, 0},
    {"Off", KJ_YAML_BOOL, false, 0},    {"OFF", KJ_YAML_BOOL, false, 0},
    {"", KJ_YAML_NULL, false, 0},       {"~", KJ_YAML_NULL, false, 0},
    {"null", KJ_YAML_NULL, false, 0},   {"Null", KJ_YAML_NULL, false, 0},
    {"NULL", KJ_YAML_NULL, false, 0},   {".nan", KJ_YAML_FLOAT, false, NAN},
    {".NaN", KJ_YAML_FLOAT, false, NAN}, {".NAN", KJ_YAML_FLOAT, false, NAN},
    {".inf", KJ_YAML_FLOAT, false, INFINITY},   {".Inf", KJ_YAML_FLOAT, false, INFINITY},
    {".INF", KJ_YAML_FLOAT, false, INFINITY},   {"+.inf", KJ_YAML_FLOAT, false, INFINITY},
    {"+.Inf", KJ_YAML_FLOAT, false, INFINITY},  {"+.INF", KJ_YAML_FLOAT, false, INFINITY},
    {"-.inf", KJ_YAML_FLOAT, false, -INFINITY}, {"-.Inf", KJ_YAML_FLOAT, false, -INFINITY},
    {"-.INF", KJ_YAML_FLOAT, false, -INFINITY},
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The hint go-yaml derives from the first byte: 0 means "always a string". */
static char hint_of(const char *s, size_t len)
{
    if (len == 0)
        return 'N';
    char c = s[0];
    if (c == '+' || c == '-')
        return 'S';
    if (is_digit(c))
        return 'D';
    if (strchr("yYnNtTfFoO~", c) != NULL)
        return 'M';
    if (c == '.')
        return '.';
    return 0;
}

/* go-yaml's yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool is_yaml_float(const char *s, size_t len)
{
    size_t i = 0;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        i++;
    if (i < len && s[i] == '.') {
        i++;
        size_t d = i;
        while (i < len && is_digit(s[i]))
            i++;
        if (i == d)
            return false;
    } else {
        size_t d = i;
        while (i < len && is_digit(s[i]))
            i++;
        if (i == d)
            return false;
        if (i < len && s[i] == '.') {
            i++;
            while (i < len && is_digit(s[i]))
                i++;
        }
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t d = i;
        while (i < len && is_digit(s[i]))
            i++;
        if (i == d)
            return false;
    }
    return i == len;
}

/* strtod on a string already known to match is_yaml_float(). Go's
 * ParseFloat fails on overflow (the scalar then stays a string) but not on
 * underflow. */
static bool parse_float(const char *s, double *out)
{
    errno = 0;
    char *end = NULL;
    double v = strtod(s, &end);
    if (errno == ERANGE && isinf(v))
        return false;
    *out = v;
    return true;
}

/* Go's strconv.ParseUint(s, 0, 64) (no sign, no underscores left). */
static bool parse_go_uint(const char *s, size_t len, uint64_t *out)
{
    unsigned base = 10;
    size_t i = 0;
    if (len == 0)
        return false;
    if (s[0] == '0') {
        char c = len >= 3 ? (char)(s[1] | 0x20) : 0;
        if (c == 'b' || c == 'o' || c == 'x') {
            base = c == 'b' ? 2 : c == 'o' ? 8 : 16;
            i = 2;
        } else {
            base = 8;
            i = 1;
        }
    }
    uint64_t n = 0;
    for (; i < len; i++) {
        char c = s[i];
        unsigned d;
        if (is_digit(c))
            d = (unsigned)(c - '0');
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
            d = (unsigned)((c | 0x20) - 'a' + 10);
        else
            return false;
        if (d >= base)
            return false;
        if (n > (UINT64_MAX - d) / base)
            return false;
        n = n * base + d;
    }
    *out = n;
    return true;
}

/* Go's strconv.ParseInt(s, 0, 64). */
static bool parse_go_int(const char *s, size_t len, int64_t *out)
{
    bool neg = false;
    if (len > 0 && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        s++;
        len--;
    }
    uint64_t u;
    if (!parse_go_uint(s, len, &u))
        return false;
    if (neg) {
        if (u > (uint64_t)INT64_MAX + 1)
            return false;
        *out = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
    } else {
        if (u > (uint64_t)INT64_MAX)
            return false;
        *out = (int64_t)u;
    }
    return true;
}

/* Go's underscoreOK for a number without base prefix: each '_' sits between
 * digits (a '.'-led float such as ".5_5"). */
static bool underscores_ok(const char *s, size_t len)
{
    char saw = '^';
    for (size_t i = 0; i < len; i++) {
        if (is_digit(s[i])) {
            saw = '0';
        } else if (s[i] == '_') {
            if (saw != '0')
                return false;
            saw = '_';
        } else {
            if (saw == '_')
                return false;
            saw = '!';
        }
    }
    return saw != '_';
}

static size_t strip_underscores(const char *s, size_t len, char *dst)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '_')
            dst[n++] = s[i];
    }
    dst[n] = '\0';
    return n;
}

/* Resolve untagged plain text (go-yaml's resolve() with tag ""). */
static void resolve_plain(const char *in, size_t len, struct kj_yaml_scalar *out)
{
    out->kind = KJ_YAML_STR;
    char hint = hint_of(in, len);
    if (hint == 0)
        return;
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (strcmp(words[i].text, in) == 0 && strlen(words[i].text) == len) {
            out->kind = words[i].kind;
            out->b = words[i].b;
            out->f = words[i].f;
            return;
        }
    }
    if (hint == 'M' || hint == 'N')
        return;
    /* Longer text stays a string without trying: no Kubernetes field takes
     * a number spelt with 512 characters. */
    char buf[512];
    if (len >= sizeof(buf))
        return;
    if (hint == '.') {
        if (!underscores_ok(in, len))
            return;
        size_t n = strip_underscores(in, len, buf);
        double f;
        if (is_yaml_float(buf, n) && parse_float(buf, &f)) {
            out->kind = KJ_YAML_FLOAT;
            out->f = f;
        }
        return;
    }
    /* 'D' or 'S': int, then uint, then float; timestamps stay strings
     * (go-yaml v2 hands them to interface{} as strings). */
    size_t n = strip_underscores(in, len, buf);
    if (parse_go_int(buf, n, &out->i)) {
        out->kind = KJ_YAML_INT;
        return;
    }
    if (parse_go_uint(buf, n, &out->u)) {
        out->kind = KJ_YAML_UINT;
        return;
    }
    double f;
    if (is_yaml_float(buf, n) && parse_float(buf, &f)) {
        out->kind = KJ_YAML_FLOAT;
        out->f = f;
    }
}

static const char *short_tag(enum kj_yaml_kind k)
{
    switch (k) {
    case KJ_YAML_STR:
        return "!!str";
    case KJ_YAML_NULL:
        return "!!null";
    case KJ_YAML_BOOL:
        return "!!bool";
    case KJ_YAML_INT:
    case KJ_YAML_UINT:
        return "!!int";
    case KJ_YAML_FLOAT:
        return "!!float";
    default:
        return "!!str";
    }
}

int kj_yaml_scalar_resolve(const char *tag, bool plain_implicit, const char *value, size_t len,
                           struct kj_yaml_scalar *out, char *msg, size_t msg_size)
{
    memset(out, 0, sizeof(*out));
    out->kind = KJ_YAML_STR;
    if (tag != NULL && tag[0] == '\0')
        tag = NULL;
    /* Quoted and block scalars without a tag are strings (go-yaml: tag "" and
     * not implicit). */
    if (tag == NULL) {
        if (plain_implicit)
            resolve_plain(value, len, out);
        return 0;
    }
    /* Any data is accepted as !!str; unknown tags (and !!binary, !!timestamp,
     * the non-specific "!") leave the text as it is. */
    enum kj_yaml_kind want;
    if (strcmp(tag, TAG_BOOL) == 0)
        want = KJ_YAML_BOOL;
    else if (strcmp(tag, TAG_INT) == 0)
        want = KJ_YAML_INT;
    else if (strcmp(tag, TAG_FLOAT) == 0)
        want = KJ_YAML_FLOAT;
    else if (strcmp(tag, TAG_NULL) == 0)
        want = KJ_YAML_NULL;
    else
        return 0;
    resolve_plain(value, len, out);
    enum kj_yaml_kind got = out->kind == KJ_YAML_UINT ? KJ_YAML_INT : out->kind;
    if (got == want)
        return 0;
    if (want == KJ_YAML_FLOAT && got == KJ_YAML_INT) {
        out->f = out->kind == KJ_YAML_UINT ? (double)out->u : (double)out->i;
        out->kind = KJ_YAML_FLOAT;
        return 0;
    }
    snprintf(msg, msg_size, "cannot decode %s `%.*s` as a %s", short_tag(out->kind),
             len > 64 ? 64 : (int)len, value, short_tag(want));
    return -1;
}

/* Go's strconv.FormatFloat(f, 'g', -1, 32): the shortest digits that read
 * back as the same float32, in %e form when the exponent is < -4 or >= 6. */
static char *format_float32(double d)
{
    if (isnan(d))
        return strdup(".nan");
    if (isinf(d))
        return strdup(d > 0 ? ".inf" : "-.inf");
    float f = (float)d;
    if (isinf(f))
        return strdup(f > 0 ? ".inf" : "-.inf");
    char e[64];
    int prec = 1;
    for (; prec <= 9; prec++) {
        snprintf(e, sizeof(e), "%.*e", prec - 1, (double)f);
        if (strtof(e, NULL) == f)
            break;
    }
    const char *x = strchr(e, 'e');
    int exp = x != NULL ? atoi(x + 1) : 0;
    char out[64];
    if (f == 0) {
        snprintf(out, sizeof(out), "%s", signbit(f) ? "-0" : "0");
    } else if (exp < -4 || exp >= 6) {
        snprintf(out, sizeof(out), "%s", e);
    } else {
        int decimals = prec - 1 - exp;
        snprintf(out, sizeof(out), "%.*f", decimals < 0 ? 0 : decimals, (double)f);
    }
    return strdup(out);
}

char *kj_yaml_scalar_key(const struct kj_yaml_scalar *s, const char *value)
{
    char buf[32];
    switch (s->kind) {
    case KJ_YAML_STR:
        return strdup(value);
    case KJ_YAML_NULL:
        return NULL;
    case KJ_YAML_BOOL:
        return strdup(s->b ? "true" : "false");
    case KJ_YAML_INT:
        snprintf(buf, sizeof(buf), "%" PRId64, s->i);
        return strdup(buf);
    case KJ_YAML_UINT:
        snprintf(buf, sizeof(buf), "%" PRIu64, s->u);
        return strdup(buf);
    case KJ_YAML_FLOAT:
        return format_float32(s->f);
    default:
        return NULL;
    }
}
