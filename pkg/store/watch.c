/* Watch fan-out and the bounded event history that lets a watch resume. */
#include <errno.h>
#include <inttypes.h> /* PRIu64 */
#include <stdlib.h>
#include <string.h>

#include "store/store-internal.h"
#include "util/xalloc.h"

struct kj_store_watch {
    char *resource; /* owned; NULL = every resource */
    char *ns;       /* owned; NULL = every namespace, "" = cluster-scoped only */
    kj_store_watch_cb cb;
    void *data;
    uint64_t last_rv; /* delivered up to here: also keeps a watch added
                         during a fan-out from seeing that event twice */
    bool dead;
};

const char *kj_store_event_type_name(enum kj_store_event_type t)
{
    switch (t) {
    case KJ_STORE_ADDED:
        return "ADDED";
    case KJ_STORE_MODIFIED:
        return "MODIFIED";
    case KJ_STORE_DELETED:
        return "DELETED";
    default:
        return "UNKNOWN";
    }
}

int kj_store_history_init(struct kj_store *s, size_t cap)
{
    s->ring = xcalloc(cap, sizeof(*s->ring));
    s->ring_cap = cap;
    s->ring_head = s->ring_len = 0;
    return 0;
}

static void hist_ev_clear(struct kj_store_hist_ev *e)
{
    free(e->resource);
    kj_store_obj_unref(e->obj);
    memset(e, 0, sizeof(*e));
}

void kj_store_history_free(struct kj_store *s)
{
    for (size_t i = 0; i < s->ring_len; i++)
        hist_ev_clear(&s->ring[(s->ring_head + i) % s->ring_cap]);
    free(s->ring);
    s->ring = NULL;
    s->ring_len = 0;
}

static void watch_free(struct kj_store_watch *w)
{
    free(w->resource);
    free(w->ns);
    free(w);
}

void kj_store_watchers_free(struct kj_store *s)
{
    for (size_t i = 0; i < s->nwatchers; i++)
        watch_free(s->watchers[i]);
    free(s->watchers);
    s->watchers = NULL;
    s->nwatchers = s->capwatchers = 0;
}

/* Drop watches unwatched during a fan-out, once no loop walks the array. */
static void sweep(struct kj_store *s)
{
    if (s->dispatching > 0 || !s->watchers_dirty)
        return;
    size_t j = 0;
    for (size_t i = 0; i < s->nwatchers; i++) {
        if (s->watchers[i]->dead)
            watch_free(s->watchers[i]);
        else
            s->watchers[j++] = s->watchers[i];
    }
    s->nwatchers = j;
    s->watchers_dirty = false;
}

static bool matches(const struct kj_store_watch *w, const struct kj_store_hist_ev *e)
{
    if (w->resource != NULL && strcmp(w->resource, e->resource) != 0)
        return false;
    if (w->ns == NULL)
        return true;
    if (w->ns[0] == '\0')
        return e->ns == NULL;
    return e->ns != NULL && strcmp(w->ns, e->ns) == 0;
}

static void deliver(struct kj_store_watch *w, const struct kj_store_hist_ev *e)
{
    if (w->dead || e->rv <= w->last_rv)
        return;
    w->last_rv = e->rv;
    if (!matches(w, e))
        return;
    struct kj_store_event ev = {
        .type = e->type,
        .resource = e->resource,
        .ns = e->ns,
        .name = e->name,
        .rv = e->rv,
        .object = e->obj->json,
    };
    w->cb(&ev, w->data);
}

void kj_store_emit(struct kj_store *s, enum kj_store_event_type type,
                   const struct kj_store_bucket *b, const char *name,
                   struct kj_store_obj *obj, uint64_t rv)
{
    if (s->ring_len == s->ring_cap) {
        hist_ev_clear(&s->ring[s->ring_head]);
        s->ring_head = (s->ring_head + 1) % s->ring_cap;
        s->ring_len--;
    }
    struct kj_store_hist_ev *e = &s->ring[(s->ring_head + s->ring_len) % s->ring_cap];
    s->ring_len++;
    size_t lr = strlen(b->resource) + 1, ln = b->ns ? strlen(b->ns) + 1 : 0;
    size_t lname = strlen(name) + 1;
    char *buf = xmalloc(lr + ln + lname);
    memcpy(buf, b->resource, lr);
    if (b->ns != NULL)
        memcpy(buf + lr, b->ns, ln);
    memcpy(buf + lr + ln, name, lname);
    *e = (struct kj_store_hist_ev){
        .type = type,
        .resource = buf,
        .ns = b->ns != NULL ? buf + lr : NULL,
        .name = buf + lr + ln,
        .rv = rv,
        .obj = kj_store_obj_ref(obj),
    };
    /* The array may grow (a callback watches) but never shrinks while
     * dispatching, so index-based iteration stays valid. */
    s->dispatching++;
    for (size_t i = 0; i < s->nwatchers; i++)
        deliver(s->watchers[i], e);
    s->dispatching--;
    sweep(s);
}

struct kj_store_watch *kj_store_watch(struct kj_store *s, const char *resource, const char *ns,
                                      uint64_t since_rv, kj_store_watch_cb cb, void *data,
                                      kj_error_t *err)
{
    if (cb == NULL) {
        kj_make_error(err, EINVAL, "watch without a callback");
        return NULL;
    }
    if (since_rv > s->rv) {
        kj_make_http_error(err, 504, "too large resource version: %" PRIu64 ", current: %" PRIu64,
                           since_rv, s->rv);
        return NULL;
    }
    /* Resourceversions are consecutive, so the ring holds every event after
     * since_rv exactly when its oldest entry is at most since_rv + 1. */
    uint64_t oldest = s->ring_len > 0 ? s->ring[s->ring_head].rv : s->rv + 1;
    if (since_rv != 0 && since_rv + 1 < oldest) {
        kj_make_http_error(err, 410, "too old resource version: %" PRIu64 " (%" PRIu64 ")",
                           since_rv, oldest - 1);
        return NULL;
    }
    struct kj_store_watch *w = xcalloc(1, sizeof(*w));
    w->resource = resource != NULL ? xstrdup(resource) : NULL;
    w->ns = ns != NULL ? xstrdup(ns) : NULL;
    w->cb = cb;
    w->data = data;
    w->last_rv = since_rv != 0 ? since_rv : s->rv;
    if (s->nwatchers == s->capwatchers) {
        s->capwatchers = s->capwatchers ? s->capwatchers * 2 : 8;
        s->watchers = xrealloc(s->watchers, s->capwatchers * sizeof(*s->watchers));
    }
    s->watchers[s->nwatchers++] = w;
    s->dispatching++;
    for (size_t i = 0; i < s->ring_len && !w->dead; i++)
        deliver(w, &s->ring[(s->ring_head + i) % s->ring_cap]);
    s->dispatching--;
    sweep(s);
    return w;
}

void kj_store_unwatch(struct kj_store *s, struct kj_store_watch *w)
{
    if (w == NULL || w->dead)
        return;
    w->dead = true;
    s->watchers_dirty = true;
    sweep(s);
}
