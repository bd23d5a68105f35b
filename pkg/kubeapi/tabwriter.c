#include "kubeapi/tabwriter.h"

#include <stdlib.h>
#include <string.h>

struct cell {
    const char *text;
    size_t len;   /* bytes */
    size_t width; /* code points */
};

struct line {
    struct cell *cells;
    size_t n; /* the last one is not tab-terminated */
};

struct tw {
    struct line *lines;
    size_t nlines;
    int minwidth, padding;
    size_t *widths;
    size_t nwidths;
    char *out;
    size_t len, cap;
    int oom;
};

static size_t utf8_width(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            w++;
    return w;
}

static void put(struct tw *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = (t->len + n + 1) * 2;
        char *p = realloc(t->out, cap);
        if (p == NULL) {
            t->oom = 1;
            return;
        }
        t->out = p;
        t->cap = cap;
    }
    memcpy(t->out + t->len, s, n);
    t->len += n;
    t->out[t->len] = '\0';
}

static void write_lines(struct tw *t, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        const struct line *l = &t->lines[i];
        for (size_t j = 0; j < l->n; j++) {
            const struct cell *c = &l->cells[j];
            put(t, c->text, c->len);
            if (j < t->nwidths && j + 1 < l->n)
                for (size_t k = c->width; k < t->widths[j]; k++)
                    put(t, " ", 1);
        }
        if (i + 1 < t->nlines)
            put(t, "\n", 1);
    }
}

/* The recursion of Go's tabwriter.format: one level per column. */
static void format(struct tw *t, size_t line0, size_t line1)
{
    size_t column = t->nwidths;
    for (size_t cur = line0; cur < line1; cur++) {
        if (column + 1 >= t->lines[cur].n)
            continue;
        write_lines(t, line0, cur);
        line0 = cur;
        size_t width = (size_t)t->minwidth;
        for (; cur < line1; cur++) {
            const struct line *l = &t->lines[cur];
            if (column + 1 >= l->n)
                break;
            size_t w = l->cells[column].width + (size_t)t->padding;
            if (w > width)
                width = w;
        }
        t->widths[t->nwidths++] = width;
        format(t, line0, cur);
        t->nwidths--;
        line0 = cur;
    }
    write_lines(t, line0, line1);
}

char *kj_tabwrite(const char *text, int minwidth, int padding)
{
    struct tw t = {.minwidth = minwidth, .padding = padding};
    size_t maxcells = 1;
    size_t nl = 1;
    for (const char *p = text; *p; p++)
        nl += *p == '\n';
    t.lines = calloc(nl, sizeof(*t.lines));
    if (t.lines == NULL)
        return NULL;
    const char *p = text;
    for (size_t i = 0; i < nl; i++) {
        const char *end = strchr(p, '\n');
        if (end == NULL)
            end = p + strlen(p);
        size_t ncells = 1;
        for (const char *q = p; q < end; q++)
            ncells += *q == '\t';
        struct line *l = &t.lines[i];
        l->cells = calloc(ncells, sizeof(*l->cells));
        if (l->cells == NULL) {
            t.oom = 1;
            t.nlines = i;
            goto out;
        }
        const char *c = p;
        for (size_t j = 0; j < ncells; j++) {
            const char *ce = j + 1 < ncells ? memchr(c, '\t', (size_t)(end - c)) : end;
            l->cells[j] = (struct cell){c, (size_t)(ce - c), utf8_width(c, (size_t)(ce - c))};
            c = ce + 1;
        }
        l->n = ncells;
        if (ncells > maxcells)
            maxcells = ncells;
        p = *end ? end + 1 : end;
    }
    t.nlines = nl;
    t.widths = calloc(maxcells, sizeof(*t.widths));
    if (t.widths == NULL)
        t.oom = 1;
    else
        format(&t, 0, t.nlines);
out:
    for (size_t i = 0; i < t.nlines; i++)
        free(t.lines[i].cells);
    free(t.lines);
    free(t.widths);
    if (t.oom) {
        free(t.out);
        return NULL;
    }
    if (t.out == NULL)
        return calloc(1, 1);
    return t.out;
}
