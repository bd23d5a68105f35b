/* Label selectors (selector.h), after apimachinery pkg/labels/selector.go:
 * the same lexer classes, grammar, requirement checks and String(). */
#include "api/selector.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/names.h"   /* kj_qualified_name_check, kj_label_value_check */
#include "util/xalloc.h" /* xstrndup, xrealloc */

enum tok {
    T_ERROR,
    T_EOS,
    T_IDENT,
    T_CLOSE, /* ) */
    T_COMMA,
    T_NOT, /* ! (does-not-exist) */
    T_DEQ, /* == */
    T_EQ,
    T_GT,
    T_LT,
    T_IN,
    T_NOTIN,
    T_NEQ,
    T_OPEN, /* ( */
};

struct lexer {
    const char *s;
    size_t pos;
};

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_special(char c)
{
    return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

/* Next token; *lit is a new string (owned by caller) with its text. */
static enum tok lex(struct lexer *l, char **lit)
{
    while (is_ws(l->s[l->pos]))
        l->pos++;
    const char *p = l->s + l->pos;
    if (*p == '\0') {
        *lit = xstrndup("", 0);
        return T_EOS;
    }
    if (is_special(*p)) {
        static const struct {
            const char *s;
            enum tok t;
        } ops[] = {{"!=", T_NEQ}, {"==", T_DEQ}, {"!", T_NOT}, {"=", T_EQ}, {"(", T_OPEN},
                   {")", T_CLOSE}, {",", T_COMMA}, {">", T_GT}, {"<", T_LT}};
        for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
            size_t n = strlen(ops[i].s);
            if (strncmp(p, ops[i].s, n) == 0) {
                l->pos += n;
                *lit = xstrndup(p, n);
                return ops[i].t;
            }
        }
    }
    size_t n = 0;
    while (p[n] != '\0' && !is_ws(p[n]) && !is_special(p[n]))
        n++;
    l->pos += n;
    *lit = xstrndup(p, n);
    if (strcmp(*lit, "in") == 0)
        return T_IN;
    if (strcmp(*lit, "notin") == 0)
        return T_NOTIN;
    return T_IDENT;
}

static enum tok peek(struct lexer *l, char **lit)
{
    size_t save = l->pos;
    enum tok t = lex(l, lit);
    l->pos = save;
    return t;
}

/* Go's strconv.Quote for the ASCII range, enough for error messages. */
static char *go_quote(const char *s)
{
    size_t n = strlen(s);
    char *out = xmalloc(n * 4 + 3), *o = out;
    *o++ = '"';
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            *o++ = '\\';
            *o++ = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            o += snprintf(o, 5, "\\x%02x", c);
        } else {
            *o++ = (char)c;
        }
    }
    *o++ = '"';
    *o = '\0';
    return out;
}

/* Go's %#v of a []string, as field.Invalid renders the values. */
static char *go_strslice(const struct kj_strlist *vals)
{
    struct kj_strlist q = {0};
    for (size_t i = 0; i < vals->len; i++)
        kj_strlist_push_owned(&q, go_quote(vals->items[i]));
    char *inner = kj_strlist_join(&q, ", ");
    char *out = xasprintf("[]string{%s}", inner);
    free(inner);
    kj_strlist_clear(&q);
    return out;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* NewRequirement's checks, with its messages. Takes ownership of key/values
 * into *r only on success. */
static int requirement_check(const char *key, enum kj_selector_op op, const struct kj_strlist *vals,
                             kj_error_t *err, const char *ctx)
{
    struct kj_strlist errs = {0}, msgs = {0};
    char *vs = go_strslice(vals);
    if (kj_qualified_name_check(key, &msgs) > 0) {
        char *q = go_quote(key), *j = kj_strlist_join(&msgs, "; ");
        kj_strlist_pushf(&errs, "key: Invalid value: %s: %s", q, j);
        free(q);
        free(j);
        kj_strlist_clear(&msgs);
    }
    switch (op) {
    case KJ_SEL_IN:
    case KJ_SEL_NOT_IN:
        if (vals->len == 0)
            kj_strlist_pushf(&errs, "values: Invalid value: %s: for 'in', 'notin' operators, values set can't be empty", vs);
        break;
    case KJ_SEL_EQUALS:
    case KJ_SEL_DOUBLE_EQUALS:
    case KJ_SEL_NOT_EQUALS:
        if (vals->len != 1)
            kj_strlist_pushf(&errs, "values: Invalid value: %s: exact-match compatibility requires one single value", vs);
        break;
    case KJ_SEL_EXISTS:
    case KJ_SEL_DOES_NOT_EXIST:
        if (vals->len != 0)
            kj_strlist_pushf(&errs, "values: Invalid value: %s: values set must be empty for exists and does not exist", vs);
        break;
    case KJ_SEL_GREATER_THAN:
    case KJ_SEL_LESS_THAN:
        if (vals->len != 1)
            kj_strlist_pushf(&errs, "values: Invalid value: %s: for 'Gt', 'Lt' operators, exactly one value is required", vs);
        for (size_t i = 0; i < vals->len; i++) {
            char *end;
            errno = 0;
            (void)strtoll(vals->items[i], &end, 10);
            if (errno != 0 || *end != '\0' || end == vals->items[i]) {
                char *q = go_quote(vals->items[i]);
                kj_strlist_pushf(&errs, "values[%zu]: Invalid value: %s: for 'Gt', 'Lt' operators, the value must be an integer", i, q);
                free(q);
            }
        }
        break;
    default:
        break;
    }
    for (size_t i = 0; i < vals->len; i++) {
        if (kj_label_value_check(vals->items[i], &msgs) > 0) {
            char *q = go_quote(vals->items[i]), *j = kj_strlist_join(&msgs, "; ");
            kj_strlist_pushf(&errs, "values[%zu][%s]: Invalid value: %s: %s", i, key, q, j);
            free(q);
            free(j);
            kj_strlist_clear(&msgs);
        }
    }
    free(vs);
    if (errs.len == 0)
        return 0;
    char *all = kj_strlist_join(&errs, ", ");
    int ret = errs.len == 1 ? kj_make_http_error(err, 400, "%s%s", ctx, all)
                            : kj_make_http_error(err, 400, "%s[%s]", ctx, all);
    free(all);
    kj_strlist_clear(&errs);
    return ret;
}

static void sel_add(struct kj_selector *sel, char *key, enum kj_selector_op op, struct kj_strlist *vals)
{
    sel->reqs = xrealloc(sel->reqs, (sel->n_reqs + 1) * sizeof *sel->reqs);
    struct kj_requirement *r = &sel->reqs[sel->n_reqs++];
    r->key = key;
    r->op = op;
    r->values = *vals;
    *vals = (struct kj_strlist){0};
    if (op == KJ_SEL_IN || op == KJ_SEL_NOT_IN) {
        /* Upstream keeps the values in a set: sorted, no duplicates. */
        struct kj_strlist *v = &r->values;
        if (v->len > 1)
            qsort(v->items, v->len, sizeof(char *), cmp_str);
        size_t k = 0;
        for (size_t i = 0; i < v->len; i++) {
            if (k > 0 && strcmp(v->items[k - 1], v->items[i]) == 0)
                free(v->items[i]);
            else
                v->items[k++] = v->items[i];
        }
        v->len = k;
    }
}

static int by_key(const void *a, const void *b)
{
    const struct kj_requirement *x = a, *y = b;
    return strcmp(x->key, y->key);
}

/* Stable sort by key (insertion sort; selectors are short). */
static void sel_sort(struct kj_selector *sel)
{
    for (size_t i = 1; i < sel->n_reqs; i++) {
        struct kj_requirement tmp = sel->reqs[i];
        size_t j = i;
        while (j > 0 && by_key(&sel->reqs[j - 1], &tmp) > 0) {
            sel->reqs[j] = sel->reqs[j - 1];
            j--;
        }
        sel->reqs[j] = tmp;
    }
}

#define PARSE_ERR(...)                                                                         \
    do {                                                                                       \
        kj_make_http_error(err, 400, "unable to parse requirement: " __VA_ARGS__);               \
        goto fail;                                                                             \
    } while (0)

/* One requirement; on success appends to sel. */
static int parse_requirement(struct lexer *l, struct kj_selector *sel, kj_error_t *err)
{
    char *lit = NULL, *key = NULL;
    struct kj_strlist vals = {0};
    enum kj_selector_op op;
    enum tok t = lex(l, &lit);
    bool not = false;
    if (t == T_NOT) {
        not = true;
        free(lit);
        t = lex(l, &lit);
    }
    if (t != T_IDENT)
        PARSE_ERR("found '%s', expected: identifier", lit);
    key = lit;
    lit = NULL;
    t = peek(l, &lit);
    if (not) {
        /* Whatever follows "!key" is the caller's to reject, as upstream. */
        op = KJ_SEL_DOES_NOT_EXIST;
        goto done;
    }
    if (t == T_EOS || t == T_COMMA) {
        op = KJ_SEL_EXISTS;
        goto done;
    }
    free(lit);
    t = lex(l, &lit);
    switch (t) {
    case T_EQ: op = KJ_SEL_EQUALS; break;
    case T_DEQ: op = KJ_SEL_DOUBLE_EQUALS; break;
    case T_NEQ: op = KJ_SEL_NOT_EQUALS; break;
    case T_GT: op = KJ_SEL_GREATER_THAN; break;
    case T_LT: op = KJ_SEL_LESS_THAN; break;
    case T_IN: op = KJ_SEL_IN; break;
    case T_NOTIN: op = KJ_SEL_NOT_IN; break;
    case T_ERROR:
    case T_EOS:
    case T_IDENT:
    case T_CLOSE:
    case T_COMMA:
    case T_NOT:
    case T_OPEN:
    default:
        PARSE_ERR("found '%s', expected: in, notin, =, ==, !=, gt, lt", lit);
    }
    free(lit);
    lit = NULL;
    if (op == KJ_SEL_IN || op == KJ_SEL_NOT_IN) {
        t = lex(l, &lit);
        if (t != T_OPEN)
            PARSE_ERR("found '%s' expected: '('", lit);
        free(lit);
        lit = NULL;
        /* ( [ident (, ident)*] ) with empty elements allowed, as upstream's
         * parseIdentifiersList does ("a in (x,)" has values x and ""). */
        t = peek(l, &lit);
        if (t == T_CLOSE) {
            free(lit);
            lex(l, &lit);
        } else {
            for (;;) {
                free(lit);
                t = lex(l, &lit);
                if (t == T_IDENT || t == T_IN || t == T_NOTIN) {
                    kj_strlist_push(&vals, lit);
                    free(lit);
                    t = lex(l, &lit);
                } else if (t == T_COMMA || t == T_CLOSE) {
                    kj_strlist_push(&vals, "");
                } else {
                    PARSE_ERR("found '%s', expected: ',', or identifier", lit);
                }
                if (t == T_CLOSE)
                    break;
                if (t != T_COMMA)
                    PARSE_ERR("found '%s', expected: ',' or ')'", lit);
            }
        }
    } else {
        t = peek(l, &lit);
        if (t == T_EOS || t == T_COMMA) {
            kj_strlist_push(&vals, "");
        } else if (t == T_IDENT || t == T_IN || t == T_NOTIN) {
            free(lit);
            lex(l, &lit);
            kj_strlist_push(&vals, lit);
        } else {
            PARSE_ERR("found '%s', expected: identifier", lit);
        }
    }
done:
    free(lit);
    lit = NULL;
    if (requirement_check(key, op, &vals, err, "unable to parse requirement: ") < 0)
        goto fail;
    sel_add(sel, key, op, &vals);
    return 0;
fail:
    free(lit);
    free(key);
    kj_strlist_clear(&vals);
    return -1;
}

int kj_selector_parse(const char *s, struct kj_selector *out, kj_error_t *err)
{
    struct kj_selector sel = {0};
    struct lexer l = {.s = s, .pos = 0};
    char *lit = NULL;
    for (;;) {
        enum tok t = peek(&l, &lit);
        if (t == T_EOS)
            break;
        if (t != T_IDENT && t != T_NOT) {
            kj_make_http_error(err, 400, "found '%s', expected: !, identifier, or 'end of string'", lit);
            goto fail;
        }
        free(lit);
        lit = NULL;
        if (parse_requirement(&l, &sel, err) < 0)
            goto fail;
        t = lex(&l, &lit);
        if (t == T_EOS)
            break;
        if (t != T_COMMA) {
            kj_make_http_error(err, 400, "found '%s', expected: ',' or 'end of string'", lit);
            goto fail;
        }
        free(lit);
        t = peek(&l, &lit);
        if (t != T_IDENT && t != T_NOT) {
            kj_make_http_error(err, 400, "found '%s', expected: identifier after ','", lit);
            goto fail;
        }
        free(lit);
        lit = NULL;
    }
    free(lit);
    sel_sort(&sel);
    *out = sel;
    return 0;
fail:
    free(lit);
    kj_selector_clear(&sel);
    return -1;
}

int kj_selector_from_label_selector(const struct kj_label_selector *ls, struct kj_selector *out,
                                    kj_error_t *err)
{
    struct kj_selector sel = {0};
    if (ls == NULL) {
        sel.nothing = true;
        *out = sel;
        return 0;
    }
    for (size_t i = 0; i < ls->match_labels.len; i++) {
        struct kj_strlist vals = {0};
        kj_strlist_push(&vals, ls->match_labels.items[i].value);
        if (requirement_check(ls->match_labels.items[i].key, KJ_SEL_EQUALS, &vals, err, "") < 0) {
            kj_strlist_clear(&vals);
            goto fail;
        }
        sel_add(&sel, xstrdup(ls->match_labels.items[i].key), KJ_SEL_EQUALS, &vals);
    }
    for (size_t i = 0; i < ls->n_match_expressions; i++) {
        const struct kj_label_selector_requirement *e = &ls->match_expressions[i];
        const char *o = e->operator_ ? e->operator_ : "";
        enum kj_selector_op op;
        if (strcmp(o, "In") == 0)
            op = KJ_SEL_IN;
        else if (strcmp(o, "NotIn") == 0)
            op = KJ_SEL_NOT_IN;
        else if (strcmp(o, "Exists") == 0)
            op = KJ_SEL_EXISTS;
        else if (strcmp(o, "DoesNotExist") == 0)
            op = KJ_SEL_DOES_NOT_EXIST;
        else {
            char *q = go_quote(o);
            kj_make_http_error(err, 400, "%s is not a valid label selector operator", q);
            free(q);
            goto fail;
        }
        const char *key = e->key ? e->key : "";
        if (requirement_check(key, op, &e->values, err, "") < 0)
            goto fail;
        struct kj_strlist vals = {0};
        kj_strlist_copy(&vals, &e->values);
        sel_add(&sel, xstrdup(key), op, &vals);
    }
    sel_sort(&sel);
    *out = sel;
    return 0;
fail:
    kj_selector_clear(&sel);
    return -1;
}

static bool parse_int(const char *s, long long *v)
{
    char *end;
    errno = 0;
    *v = strtoll(s, &end, 10);
    return errno == 0 && end != s && *end == '\0';
}

static bool requirement_matches(const struct kj_requirement *r, const struct kj_labels *labels)
{
    const char *v = kj_labels_get(labels, r->key);
    switch (r->op) {
    case KJ_SEL_EQUALS:
    case KJ_SEL_DOUBLE_EQUALS:
    case KJ_SEL_IN:
        return v != NULL && kj_strlist_contains(&r->values, v);
    case KJ_SEL_NOT_EQUALS:
    case KJ_SEL_NOT_IN:
        return v == NULL || !kj_strlist_contains(&r->values, v);
    case KJ_SEL_EXISTS:
        return v != NULL;
    case KJ_SEL_DOES_NOT_EXIST:
        return v == NULL;
    case KJ_SEL_GREATER_THAN:
    case KJ_SEL_LESS_THAN: {
        long long lv, rv;
        if (v == NULL || r->values.len != 1 || !parse_int(v, &lv) || !parse_int(r->values.items[0], &rv))
            return false;
        return r->op == KJ_SEL_GREATER_THAN ? lv > rv : lv < rv;
    }
    default:
        return false;
    }
}

bool kj_selector_matches(const struct kj_selector *sel, const struct kj_labels *labels)
{
    if (sel->nothing)
        return false;
    for (size_t i = 0; i < sel->n_reqs; i++)
        if (!requirement_matches(&sel->reqs[i], labels))
            return false;
    return true;
}

char *kj_selector_format(const struct kj_selector *sel)
{
    struct kj_strlist parts = {0};
    for (size_t i = 0; i < sel->n_reqs; i++) {
        const struct kj_requirement *r = &sel->reqs[i];
        char *vals = kj_strlist_join(&r->values, ",");
        switch (r->op) {
        case KJ_SEL_EQUALS: kj_strlist_pushf(&parts, "%s=%s", r->key, vals); break;
        case KJ_SEL_DOUBLE_EQUALS: kj_strlist_pushf(&parts, "%s==%s", r->key, vals); break;
        case KJ_SEL_NOT_EQUALS: kj_strlist_pushf(&parts, "%s!=%s", r->key, vals); break;
        case KJ_SEL_IN: kj_strlist_pushf(&parts, "%s in (%s)", r->key, vals); break;
        case KJ_SEL_NOT_IN: kj_strlist_pushf(&parts, "%s notin (%s)", r->key, vals); break;
        case KJ_SEL_EXISTS: kj_strlist_push(&parts, r->key); break;
        case KJ_SEL_DOES_NOT_EXIST: kj_strlist_pushf(&parts, "!%s", r->key); break;
        case KJ_SEL_GREATER_THAN: kj_strlist_pushf(&parts, "%s>%s", r->key, vals); break;
        case KJ_SEL_LESS_THAN: kj_strlist_pushf(&parts, "%s<%s", r->key, vals); break;
        default: break;
        }
        free(vals);
    }
    char *out = kj_strlist_join(&parts, ",");
    kj_strlist_clear(&parts);
    return out;
}

bool kj_selector_is_empty(const struct kj_selector *sel)
{
    return !sel->nothing && sel->n_reqs == 0;
}

void kj_selector_clear(struct kj_selector *sel)
{
    for (size_t i = 0; i < sel->n_reqs; i++) {
        free(sel->reqs[i].key);
        kj_strlist_clear(&sel->reqs[i].values);
    }
    free(sel->reqs);
    *sel = (struct kj_selector){0};
}

char *kj_label_selector_format(const struct kj_label_selector *ls, kj_error_t *err)
{
    struct kj_selector sel = {0};
    if (kj_selector_from_label_selector(ls, &sel, err) < 0)
        return NULL;
    char *s = kj_selector_format(&sel);
    kj_selector_clear(&sel);
    return s;
}

int kj_label_selector_matches(const struct kj_label_selector *ls, const struct kj_labels *labels,
                              kj_error_t *err)
{
    struct kj_selector sel = {0};
    if (kj_selector_from_label_selector(ls, &sel, err) < 0)
        return -1;
    bool m = kj_selector_matches(&sel, labels);
    kj_selector_clear(&sel);
    return m ? 1 : 0;
}
