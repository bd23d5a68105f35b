/* The connection registry; see conns.h. A flat array with linear search:
 * one scan per request over at most --max-connections pointers is cheaper
 * than the request parsing that precedes it. */
#include "apiserver/conns.h"

#include <stdlib.h>
#include <string.h>

#include <event2/http.h> /* evhttp_connection_set_closecb */

#include "util/xalloc.h"

struct entry {
    const struct evhttp_connection *conn; /* borrowed key */
    kj_conn_close_cb cb;                  /* NULL = nobody listening */
    void *arg;
};

struct kj_conns {
    struct entry *items; /* owned, `cap` slots */
    size_t n, cap;
    size_t max;
    struct kj_conns *next; /* live registries, for kj_conns_find */
};

/* A handler only has its connection; this finds the server tracking it. */
static struct kj_conns *live;

struct kj_conns *kj_conns_new(size_t max)
{
    struct kj_conns *c = xcalloc(1, sizeof *c);
    c->max = max ? max : KJ_APISERVER_DEFAULT_MAX_CONNECTIONS;
    c->next = live;
    live = c;
    return c;
}

void kj_conns_free(struct kj_conns *c)
{
    if (c == NULL)
        return;
    for (struct kj_conns **p = &live; *p != NULL; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            break;
        }
    }
    free(c->items);
    free(c);
}

static struct entry *lookup(const struct kj_conns *c, const struct evhttp_connection *conn)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->items[i].conn == conn)
            return &c->items[i];
    return NULL;
}

enum kj_conn_admit kj_conns_admit(struct kj_conns *c, const struct evhttp_connection *conn)
{
    if (lookup(c, conn) != NULL)
        return KJ_CONN_KNOWN;
    if (c->n >= c->max)
        return KJ_CONN_FULL;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        c->items = xrealloc(c->items, cap * sizeof *c->items);
        c->cap = cap;
    }
    c->items[c->n++] = (struct entry){.conn = conn};
    return KJ_CONN_NEW;
}

size_t kj_conns_count(const struct kj_conns *c)
{
    return c->n;
}

size_t kj_conns_max(const struct kj_conns *c)
{
    return c->max;
}

int kj_conns_set_close(struct kj_conns *c, const struct evhttp_connection *conn, kj_conn_close_cb cb,
                       void *arg)
{
    struct entry *e = lookup(c, conn);
    if (e == NULL)
        return -1;
    e->cb = cb;
    e->arg = cb ? arg : NULL;
    return 0;
}

void kj_conns_closed(struct kj_conns *c, struct evhttp_connection *conn)
{
    struct entry *e = lookup(c, conn);
    if (e == NULL)
        return;
    struct entry gone = *e;
    *e = c->items[--c->n];
    if (gone.cb != NULL)
        gone.cb(conn, gone.arg);
}

struct kj_conns *kj_conns_find(const struct evhttp_connection *conn)
{
    for (struct kj_conns *c = live; c != NULL; c = c->next)
        if (lookup(c, conn) != NULL)
            return c;
    return NULL;
}

static void close_cb(struct evhttp_connection *conn, void *arg)
{
    kj_conns_closed(arg, conn);
}

enum kj_conn_admit kj_conns_track(struct kj_conns *c, struct evhttp_connection *conn)
{
    enum kj_conn_admit a = kj_conns_admit(c, conn);
    if (a == KJ_CONN_NEW)
        evhttp_connection_set_closecb(conn, close_cb, c);
    return a;
}

int kj_apiserver_on_close(struct evhttp_connection *conn, kj_conn_close_cb cb, void *arg)
{
    struct kj_conns *c = kj_conns_find(conn);
    if (c == NULL)
        return -1;
    return kj_conns_set_close(c, conn, cb, arg);
}

void kj_apiserver_on_close_cancel(struct evhttp_connection *conn)
{
    struct kj_conns *c = kj_conns_find(conn);
    if (c != NULL)
        kj_conns_set_close(c, conn, NULL, NULL);
}
