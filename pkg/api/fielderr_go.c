/* Go's value formatting as it shows up in Kubernetes error texts:
 * strconv.Quote (the %q verb) and encoding/json's Marshal. Exactness
 * matters because kubectl users and e2e tests compare these strings. */
#include "api/fielderr.h"

#include <math.h>   /* floor, fabs */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* qsort */
#include <string.h>

#include "util/xalloc.h"

struct gbuf {
    char *p;
    size_t len, cap;
};

static void gb_add(struct gbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 32;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->p = xrealloc(b->p, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void gb_str(struct gbuf *b, const char *s)
{
    gb_add(b, s, strlen(s));
}

static void gb_ch(struct gbuf *b, char c)
{
    gb_add(b, &c, 1);
}

static const char hexd[] = "0123456789abcdef";

/* Go's utf8.DecodeRune: returns the code point and its width, or width 1
 * and -1 for anything invalid (bad lead byte, truncated, overlong,
 * surrogate, beyond U+10FFFF). */
static long decode_rune(const unsigned char *s, size_t n, size_t *width)
{
    *width = 1;
    unsigned char c = s[0];
    if (c < 0x80) {
        return c;
    }
    size_t need;
    long r, min;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2, r = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3, r = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4, r = c & 0x07, min = 0x10000;
    } else {
        return -1;
    }
    if (n < need)
        return -1;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return -1;
        r = (r << 6) | (s[i] & 0x3F);
    }
    if (r < min || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
        return -1;
    *width = need;
    return r;
}

/* Approximation of Go's unicode.IsPrint for r >= 0x80: false for the
 * categories Go refuses (controls, format, separators other than ASCII
 * space, private use, noncharacters) where we can name them cheaply. */
static bool go_is_print(long r)
{
    if (r < 0xA1)
        return r >= 0x20 && r < 0x7F;
    if (r == 0xAD || r == 0x1680 || (r >= 0x2000 && r <= 0x200F) ||
        (r >= 0x2028 && r <= 0x202F) || (r >= 0x205F && r <= 0x206F) || r == 0x3000 ||
        r == 0xFEFF || (r >= 0xFFF9 && r <= 0xFFFB) || (r >= 0x0600 && r <= 0x0605) ||
        r == 0x061C || r == 0x06DD || r == 0x070F || r == 0x180E)
        return false;
    if ((r >= 0xE000 && r <= 0xF8FF) || r >= 0xF0000 || (r >= 0xFDD0 && r <= 0xFDEF) ||
        (r & 0xFFFE) == 0xFFFE)
        return false;
    if (r >= 0xE0000 && r <= 0xE007F)
        return false;
    return true;
}

char *kj_go_quote_n(const char *s, size_t n)
{
    struct gbuf b = {0};
    const unsigned char *u = (const unsigned char *)s;
    gb_ch(&b, '"');
    for (size_t i = 0; i < n;) {
        size_t w;
        long r = decode_rune(u + i, n - i, &w);
        if (r < 0) {
            char e[4] = {'\\', 'x', hexd[u[i] >> 4], hexd[u[i] & 0xF]};
            gb_add(&b, e, 4);
            i += 1;
            continue;
        }
        if (r == '"' || r == '\\') {
            gb_ch(&b, '\\');
            gb_ch(&b, (char)r);
        } else if (go_is_print(r)) {
            gb_add(&b, s + i, w);
        } else if (r == '\a') {
            gb_str(&b, "\\a");
        } else if (r == '\b') {
            gb_str(&b, "\\b");
        } else if (r == '\f') {
            gb_str(&b, "\\f");
        } else if (r == '\n') {
            gb_str(&b, "\\n");
        } else if (r == '\r') {
            gb_str(&b, "\\r");
        } else if (r == '\t') {
            gb_str(&b, "\\t");
        } else if (r == '\v') {
            gb_str(&b, "\\v");
        } else if (r < ' ' || r == 0x7F) {
            char e[4] = {'\\', 'x', hexd[(r >> 4) & 0xF], hexd[r & 0xF]};
            gb_add(&b, e, 4);
        } else {
            char e[24];
            if (r < 0x10000)
                snprintf(e, sizeof(e), "\\u%04lx", r);
            else
                snprintf(e, sizeof(e), "\\U%08lx", r);
            gb_str(&b, e);
        }
        i += w;
    }
    gb_ch(&b, '"');
    return b.p;
}

char *kj_go_quote(const char *s)
{
    return kj_go_quote_n(s, strlen(s));
}

/* encoding/json encodeState.string with escapeHTML = true. */
static void json_string(struct gbuf *b, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s);
    gb_ch(b, '"');
    for (size_t i = 0; i < n;) {
        unsigned char c = u[i];
        if (c < 0x80) {
            switch (c) {
            case '\\':
            case '"':
                gb_ch(b, '\\');
                gb_ch(b, (char)c);
                break;
            case '\b':
                gb_str(b, "\\b");
                break;
            case '\f':
                gb_str(b, "\\f");
                break;
            case '\n':
                gb_str(b, "\\n");
                break;
            case '\r':
                gb_str(b, "\\r");
                break;
            case '\t':
                gb_str(b, "\\t");
                break;
            default:
                if (c < 0x20 || c == '<' || c == '>' || c == '&') {
                    char e[6] = {'\\', 'u', '0', '0', hexd[c >> 4], hexd[c & 0xF]};
                    gb_add(b, e, 6);
                } else {
                    gb_ch(b, (char)c);
                }
                break;
            }
            i++;
            continue;
        }
        size_t w;
        long r = decode_rune(u + i, n - i, &w);
        if (r < 0)
            gb_str(b, "\\ufffd");
        else if (r == 0x2028 || r == 0x2029)
            gb_str(b, r == 0x2028 ? "\\u2028" : "\\u2029");
        else
            gb_add(b, s + i, w);
        i += w;
    }
    gb_ch(b, '"');
}

/* strconv.FormatFloat(f, 'f' or 'e', -1, 64) as encoding/json picks it, for
 * the integral case exactly and otherwise with the shortest %g that
 * round-trips (equal to Go's output for the common cases). */
static void json_number(struct gbuf *b, double d)
{
    char tmp[40];
    if (isfinite(d) && floor(d) == d && fabs(d) < 1e21) {
        snprintf(tmp, sizeof(tmp), "%.0f", d);
    } else {
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
            if (strtod(tmp, NULL) == d)
                break;
        }
    }
    gb_str(b, tmp);
}

static void json_value(struct gbuf *b, const cJSON *v)
{
    if (v == NULL || cJSON_IsNull(v)) {
        gb_str(b, "null");
    } else if (cJSON_IsTrue(v)) {
        gb_str(b, "true");
    } else if (cJSON_IsFalse(v)) {
        gb_str(b, "false");
    } else if (cJSON_IsNumber(v)) {
        json_number(b, v->valuedouble);
    } else if (cJSON_IsString(v)) {
        json_string(b, v->valuestring ? v->valuestring : "");
    } else if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
        bool obj = cJSON_IsObject(v);
        gb_ch(b, obj ? '{' : '[');
        for (const cJSON *c = v->child; c != NULL; c = c->next) {
            if (c != v->child)
                gb_ch(b, ',');
            if (obj) {
                json_string(b, c->string ? c->string : "");
                gb_ch(b, ':');
            }
            json_value(b, c);
        }
        gb_ch(b, obj ? '}' : ']');
    } else if (cJSON_IsRaw(v)) {
        gb_str(b, v->valuestring ? v->valuestring : "null");
    } else {
        gb_str(b, "null");
    }
}

char *kj_go_json(const cJSON *v)
{
    struct gbuf b = {0};
    json_value(&b, v);
    return b.p;
}

static int cmp_key(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a;
    const cJSON *y = *(const cJSON *const *)b;
    return strcmp(x->string ? x->string : "", y->string ? y->string : "");
}

cJSON *kj_json_sorted_copy(const cJSON *obj)
{
    if (obj == NULL)
        return NULL;
    if (!cJSON_IsObject(obj))
        return cJSON_Duplicate(obj, 1);
    size_t n = 0;
    for (const cJSON *c = obj->child; c != NULL; c = c->next)
        n++;
    const cJSON **v = calloc(n ? n : 1, sizeof(*v));
    cJSON *out = cJSON_CreateObject();
    if (v == NULL || out == NULL) {
        free(v);
        cJSON_Delete(out);
        return NULL;
    }
    n = 0;
    for (const cJSON *c = obj->child; c != NULL; c = c->next)
        v[n++] = c;
    qsort(v, n, sizeof(*v), cmp_key);
    for (size_t i = 0; i < n; i++) {
        cJSON *d = cJSON_Duplicate(v[i], 1);
        if (d == NULL || !cJSON_AddItemToObject(out, v[i]->string ? v[i]->string : "", d)) {
            cJSON_Delete(d);
            cJSON_Delete(out);
            free(v);
            return NULL;
        }
    }
    free(v);
    return out;
}
