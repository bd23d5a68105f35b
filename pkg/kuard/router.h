/* Route table of kuard's HTTP server, as a pure function of the decoded
 * URL path (no evhttp), so it can be unit-tested. */
#ifndef KJ_KUARD_ROUTER_H
#define KJ_KUARD_ROUTER_H

enum kj_kuard_route {
    KJ_KUARD_R_NONE = 0,
    KJ_KUARD_R_HEALTHY,
    KJ_KUARD_R_HEALTHY_API,
    KJ_KUARD_R_READY,
    KJ_KUARD_R_READY_API,
    KJ_KUARD_R_ENV_API,
    KJ_KUARD_R_KEYGEN,
    KJ_KUARD_R_MEMQ_STATS,
    KJ_KUARD_R_MEMQ_QUEUE,
    KJ_KUARD_R_MEMQ_DRAIN,
    KJ_KUARD_R_MEMQ_ENQUEUE,
    KJ_KUARD_R_MEMQ_DEQUEUE,
};

/* Method bits. */
#define KJ_KUARD_M_GET 1u
#define KJ_KUARD_M_PUT 2u
#define KJ_KUARD_M_POST 4u
#define KJ_KUARD_M_DELETE 8u

struct kj_kuard_route_match {
    enum kj_kuard_route route;
    unsigned methods; /* KJ_KUARD_M_* bits the route accepts */
    char *queue;      /* owned; the {queue} segment for memq queue routes, else NULL */
};

/* Match a URL-decoded path exactly (no cleaning), with or without a leading
 * /a, /b or /c. Returns 0 with *out filled (free out->queue), or -1 when no
 * route has this path. Aborts on OOM. */
int kj_kuard_route_lookup(const char *path, struct kj_kuard_route_match *out);

/* httprouter's redirect target for a path that matched nothing: the cleaned
 * path (no "//", "/./", "/../") without a trailing slash, when that differs
 * from `path`. Returns an owned string, or NULL when there is none. */
char *kj_kuard_route_fixed_path(const char *path);

/* "GET, PUT, OPTIONS"-style Allow value for the bits, excluding `except`
 * (the request's own method bit). Writes into buf; empty when none. */
void kj_kuard_route_allow(unsigned methods, unsigned except, char *buf, unsigned long size);

#endif
