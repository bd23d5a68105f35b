/* Table-driven path matching; see router.h. */
#include "apiserver/router.h"

#include <stdbool.h>
#include <string.h>

const char *kj_route_param(const struct kj_route_params *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->names[i], name) == 0)
            return p->values[i];
    return NULL;
}

/* Length of the segment starting at s (up to '/' or end). */
static size_t seg_len(const char *s)
{
    const char *slash = strchr(s, '/');
    return slash ? (size_t)(slash - s) : strlen(s);
}

static bool capture(struct kj_route_params *p, size_t *used, const char *name, size_t name_len,
                    const char *val, size_t val_len)
{
    if (p->n >= KJ_ROUTE_MAX_PARAMS || *used + val_len + 1 > sizeof p->buf)
        return false;
    /* Names point into the static pattern; they end at '}' or "...}", so
     * keep a NUL-terminated copy of the name after the value. */
    if (*used + val_len + 1 + name_len + 1 > sizeof p->buf)
        return false;
    char *v = p->buf + *used;
    memcpy(v, val, val_len);
    v[val_len] = '\0';
    char *nm = v + val_len + 1;
    memcpy(nm, name, name_len);
    nm[name_len] = '\0';
    *used += val_len + 1 + name_len + 1;
    p->values[p->n] = v;
    p->names[p->n] = nm;
    p->n++;
    return true;
}

static bool pattern_matches(const char *pat, const char *path, struct kj_route_params *p)
{
    size_t used = 0;
    p->n = 0;
    if (*pat != '/' || *path != '/')
        return false;
    for (;;) {
        /* Both point at a '/' here. */
        pat++;
        path++;
        size_t pl = seg_len(pat), vl = seg_len(path);
        if (pl >= 2 && pat[0] == '{' && pat[pl - 1] == '}') {
            bool rest = pl >= 5 && memcmp(pat + pl - 4, "...}", 4) == 0;
            if (rest) {
                size_t all = strlen(path);
                if (all == 0 || pat[pl] != '\0')
                    return false;
                return capture(p, &used, pat + 1, pl - 5, path, all);
            }
            if (vl == 0 || !capture(p, &used, pat + 1, pl - 2, path, vl))
                return false;
        } else if (pl != vl || memcmp(pat, path, pl) != 0) {
            return false;
        }
        pat += pl;
        path += vl;
        if (*pat == '\0' || *path == '\0')
            return *pat == '\0' && *path == '\0';
    }
}

int kj_route_match(const struct kj_route *routes, size_t n, const char *method,
                   const char *path, struct kj_route_params *params)
{
    bool path_seen = false;
    struct kj_route_params scratch;
    for (size_t i = 0; i < n; i++) {
        if (!pattern_matches(routes[i].pattern, path, &scratch))
            continue;
        path_seen = true;
        if (strcmp(routes[i].method, "*") == 0 || strcmp(routes[i].method, method) == 0) {
            /* Values and names point into scratch.buf: rebase them. */
            memcpy(params->buf, scratch.buf, sizeof scratch.buf);
            params->n = scratch.n;
            for (size_t k = 0; k < scratch.n; k++) {
                params->values[k] = params->buf + (scratch.values[k] - scratch.buf);
                params->names[k] = params->buf + (scratch.names[k] - scratch.buf);
            }
            return (int)i;
        }
    }
    return path_seen ? -405 : -404;
}
