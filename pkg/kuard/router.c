#include "kuard/router.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static const struct {
    const char *path;
    enum kj_kuard_route route;
    unsigned methods;
} fixed_routes[] = {
    {"/healthy", KJ_KUARD_R_HEALTHY, KJ_KUARD_M_GET},
    {"/healthy/api", KJ_KUARD_R_HEALTHY_API, KJ_KUARD_M_GET | KJ_KUARD_M_PUT},
    {"/ready", KJ_KUARD_R_READY, KJ_KUARD_M_GET},
    {"/ready/api", KJ_KUARD_R_READY_API, KJ_KUARD_M_GET | KJ_KUARD_M_PUT},
    {"/env/api", KJ_KUARD_R_ENV_API, KJ_KUARD_M_GET},
    {"/keygen", KJ_KUARD_R_KEYGEN, KJ_KUARD_M_GET | KJ_KUARD_M_PUT},
    {"/memq/server/stats", KJ_KUARD_R_MEMQ_STATS, KJ_KUARD_M_GET},
};

static const struct {
    const char *action;
    enum kj_kuard_route route;
} queue_actions[] = {
    {"drain", KJ_KUARD_R_MEMQ_DRAIN},
    {"enqueue", KJ_KUARD_R_MEMQ_ENQUEUE},
    {"dequeue", KJ_KUARD_R_MEMQ_DEQUEUE},
};

static int lookup_unprefixed(const char *path, struct kj_kuard_route_match *out)
{
    for (size_t i = 0; i < sizeof(fixed_routes) / sizeof(fixed_routes[0]); i++) {
        if (strcmp(path, fixed_routes[i].path) == 0) {
            *out = (struct kj_kuard_route_match){fixed_routes[i].route, fixed_routes[i].methods, NULL};
            return 0;
        }
    }
    static const char qprefix[] = "/memq/server/queues/";
    if (strncmp(path, qprefix, sizeof(qprefix) - 1) != 0)
        return -1;
    const char *name = path + sizeof(qprefix) - 1;
    const char *slash = strchr(name, '/');
    size_t name_len = slash != NULL ? (size_t)(slash - name) : strlen(name);
    if (name_len == 0)
        return -1; /* httprouter parameters are never empty */
    if (slash == NULL) {
        *out = (struct kj_kuard_route_match){KJ_KUARD_R_MEMQ_QUEUE, KJ_KUARD_M_PUT | KJ_KUARD_M_DELETE,
                                             xstrndup(name, name_len)};
        return 0;
    }
    for (size_t i = 0; i < sizeof(queue_actions) / sizeof(queue_actions[0]); i++) {
        if (strcmp(slash + 1, queue_actions[i].action) == 0) {
            *out = (struct kj_kuard_route_match){queue_actions[i].route, KJ_KUARD_M_POST,
                                                 xstrndup(name, name_len)};
            return 0;
        }
    }
    return -1;
}

int kj_kuard_route_lookup(const char *path, struct kj_kuard_route_match *out)
{
    *out = (struct kj_kuard_route_match){KJ_KUARD_R_NONE, 0, NULL};
    if (lookup_unprefixed(path, out) == 0)
        return 0;
    /* kuard mounts everything again under /a, /b and /c (one shared broker). */
    if (path[0] == '/' && (path[1] == 'a' || path[1] == 'b' || path[1] == 'c') && path[2] == '/')
        return lookup_unprefixed(path + 2, out);
    return -1;
}

char *kj_kuard_route_fixed_path(const char *path)
{
    size_t n = strlen(path);
    /* Go's path.Clean over '/'-separated segments. */
    char **segs = xcalloc(n + 1, sizeof(char *));
    size_t nseg = 0;
    char *copy = xstrdup(path);
    for (char *save = NULL, *tok = strtok_r(copy, "/", &save); tok != NULL;
         tok = strtok_r(NULL, "/", &save)) {
        if (strcmp(tok, ".") == 0)
            continue;
        if (strcmp(tok, "..") == 0) {
            if (nseg > 0)
                nseg--;
            continue;
        }
        segs[nseg++] = tok;
    }
    char *out = xmalloc(n + 2);
    size_t o = 0;
    for (size_t i = 0; i < nseg; i++) {
        out[o++] = '/';
        size_t l = strlen(segs[i]);
        memcpy(out + o, segs[i], l);
        o += l;
    }
    if (o == 0)
        out[o++] = '/';
    out[o] = '\0';
    free(segs);
    free(copy);
    if (strcmp(out, path) == 0) {
        free(out);
        return NULL;
    }
    return out;
}

void kj_kuard_route_allow(unsigned methods, unsigned except, char *buf, unsigned long size)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{KJ_KUARD_M_GET, "GET"},
                 {KJ_KUARD_M_PUT, "PUT"},
                 {KJ_KUARD_M_POST, "POST"},
                 {KJ_KUARD_M_DELETE, "DELETE"}};
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if ((methods & names[i].bit) && !(except & names[i].bit))
            o += (size_t)snprintf(buf + o, o < size ? size - o : 0, "%s%s", o ? ", " : "", names[i].name);
    }
    if (o > 0)
        snprintf(buf + o, o < size ? size - o : 0, ", OPTIONS");
}
