/* The loopback userspace proxy for NodePort/LoadBalancer Services; see
 * svc_publish.h. After libevent's sample/le-proxy.c, with TCP half-close:
 * an EOF on one side is passed on as shutdown(SHUT_WR) once everything read
 * from that side has been written to the other, so request/response clients
 * that close their write side first (nc, HTTP/1.0 tools) get their answer. */
#include "controller/svc_publish.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

/* How long a connect to a pod may take before the next endpoint is tried. */
#define CONNECT_TIMEOUT_S 5
/* Endpoints tried per connection (kube-proxy's userspace mode retried too:
 * a pod that just went away refuses, the next one answers). */
#define CONNECT_ATTEMPTS 3

struct listener {
    struct kj_svc_publisher *pub;
    struct listener *next;
    char *ns, *svc; /* owned */
    int svc_port, want_port, bound_port;
    bool wanted;
    struct evconnlistener *lev; /* owned; closes the socket */
};

enum { CLIENT = 0, UPSTREAM = 1 };

struct conn {
    struct kj_svc_publisher *pub;
    struct conn *next, *prev;
    struct bufferevent *bev[2]; /* owned */
    bool eof[2];                /* that side sent FIN */
    bool shut[2];               /* we sent FIN to that side */
    bool paused[2];             /* reading that side is off (flow control) */
    bool connected;             /* the upstream connect finished */
    char *ns, *svc;             /* owned: whom to ask for another endpoint */
    int svc_port, attempts;
};

struct kj_svc_publisher {
    struct event_base *base;
    kj_svc_pick_cb pick;
    void *pick_arg;
    int max_conns;
    struct listener *listeners;
    struct conn *conns;
    size_t n_listeners, n_conns;
};

/* ---- connections ---- */

static void conn_free(struct conn *c)
{
    struct kj_svc_publisher *pub = c->pub;
    for (int i = 0; i < 2; i++)
        if (c->bev[i] != NULL)
            bufferevent_free(c->bev[i]);
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        pub->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    pub->n_conns--;
    free(c->ns);
    free(c->svc);
    free(c);
}

static int side_of(const struct conn *c, const struct bufferevent *bev)
{
    return c->bev[CLIENT] == bev ? CLIENT : UPSTREAM;
}

/* Side `to` has nothing left to send once side `from` said EOF and the bytes
 * from it are written: pass the EOF on. Both directions done = finished. */
static bool maybe_shut(struct conn *c, int to)
{
    int from = 1 - to;
    if (!c->eof[from] || c->shut[to] || (to == UPSTREAM && !c->connected))
        return false;
    if (evbuffer_get_length(bufferevent_get_output(c->bev[to])) > 0)
        return false;
    c->shut[to] = true;
    if (shutdown(bufferevent_getfd(c->bev[to]), SHUT_WR) < 0 && errno != ENOTCONN) {
        conn_free(c);
        return true;
    }
    if (c->shut[CLIENT] && c->shut[UPSTREAM]) {
        conn_free(c);
        return true;
    }
    return false;
}

static void read_cb(struct bufferevent *bev, void *arg)
{
    struct conn *c = arg;
    int from = side_of(c, bev), to = 1 - from;
    struct evbuffer *out = bufferevent_get_output(c->bev[to]);
    evbuffer_add_buffer(out, bufferevent_get_input(bev));
    if (evbuffer_get_length(out) >= KJ_SVC_PUB_HIGH_WATER) {
        /* The other side reads slower than this one writes: stop reading
         * here until write_cb sees that output drained. */
        bufferevent_disable(bev, EV_READ);
        c->paused[from] = true;
    }
}

/* Runs when side `bev`'s output buffer is empty (low watermark 0). */
static void write_cb(struct bufferevent *bev, void *arg)
{
    struct conn *c = arg;
    int to = side_of(c, bev), from = 1 - to;
    if (c->paused[from] && !c->eof[from]) {
        c->paused[from] = false;
        bufferevent_enable(c->bev[from], EV_READ);
    }
    maybe_shut(c, to);
}

static int connect_upstream(struct conn *c);

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
    struct conn *c = arg;
    int side = side_of(c, bev);
    if (what & BEV_EVENT_CONNECTED) {
        c->connected = true;
        /* The connect timeout must not cut idle connections later. */
        bufferevent_set_timeouts(bev, NULL, NULL);
        maybe_shut(c, UPSTREAM);
        return;
    }
    if (what & BEV_EVENT_EOF) {
        c->eof[side] = true;
        bufferevent_disable(bev, EV_READ);
        read_cb(bev, c); /* whatever is left in the input */
        maybe_shut(c, 1 - side);
        return;
    }
    /* An error or the connect timeout: another endpoint, or both sides go. */
    if (side == UPSTREAM && !c->connected) {
        kj_log(KJ_LOG_DEBUG, "service proxy: `%s/%s`: connect to the endpoint failed: %s", c->ns,
               c->svc, evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
        if (c->attempts < CONNECT_ATTEMPTS && connect_upstream(c) == 0)
            return;
    }
    conn_free(c);
}

/* Pick an endpoint and start connecting a new upstream side to it; what
 * the client sent so far moves over from the previous attempt. 0, or -1
 * (no endpoint, or it could not be started) and the caller closes c. */
static int connect_upstream(struct conn *c)
{
    struct kj_svc_publisher *pub = c->pub;
    c->attempts++;
    cleanup_free char *ip = NULL;
    int tport = 0;
    kj_error_t err = NULL;
    if (pub->pick(pub->pick_arg, c->ns, c->svc, c->svc_port, &ip, &tport, &err) < 0) {
        kj_log(KJ_LOG_DEBUG, "service proxy: `%s/%s` port %d: %s", c->ns, c->svc, c->svc_port,
               err != NULL ? err->msg : "no endpoint");
        kj_error_release(&err);
        return -1;
    }
    struct sockaddr_storage ss;
    int sslen = (int)sizeof ss;
    cleanup_free char *addr = xasprintf(strchr(ip, ':') != NULL ? "[%s]:%d" : "%s:%d", ip, tport);
    if (evutil_parse_sockaddr_port(addr, (struct sockaddr *)&ss, &sslen) < 0) {
        kj_log(KJ_LOG_WARN, "service proxy: bad endpoint address `%s`", addr);
        return -1;
    }
    struct bufferevent *bev = bufferevent_socket_new(pub->base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (bev == NULL)
        return -1;
    struct bufferevent *old = c->bev[UPSTREAM];
    if (old != NULL) {
        evbuffer_add_buffer(bufferevent_get_output(bev), bufferevent_get_output(old));
        bufferevent_free(old);
    }
    c->bev[UPSTREAM] = bev;
    bufferevent_setcb(bev, read_cb, write_cb, event_cb, c);
    bufferevent_enable(bev, EV_READ | EV_WRITE);
    /* While connecting, the write timeout bounds the connect. */
    struct timeval tv = {CONNECT_TIMEOUT_S, 0};
    bufferevent_set_timeouts(bev, NULL, &tv);
    if (bufferevent_socket_connect(bev, (struct sockaddr *)&ss, sslen) < 0) {
        kj_log(KJ_LOG_DEBUG, "service proxy: connect `%s` failed", addr);
        return -1;
    }
    return 0;
}

static void conn_start(struct listener *l, evutil_socket_t fd)
{
    struct kj_svc_publisher *pub = l->pub;
    if (pub->n_conns >= (size_t)pub->max_conns) {
        kj_log(KJ_LOG_WARN, "service proxy: %zu connections open, refusing one for `%s/%s`",
               pub->n_conns, l->ns, l->svc);
        evutil_closesocket(fd);
        return;
    }
    struct conn *c = xcalloc(1, sizeof *c);
    c->pub = pub;
    c->ns = xstrdup(l->ns);
    c->svc = xstrdup(l->svc);
    c->svc_port = l->svc_port;
    c->next = pub->conns;
    if (pub->conns != NULL)
        pub->conns->prev = c;
    pub->conns = c;
    pub->n_conns++;
    c->bev[CLIENT] = bufferevent_socket_new(pub->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (c->bev[CLIENT] == NULL) {
        evutil_closesocket(fd);
        conn_free(c);
        return;
    }
    bufferevent_setcb(c->bev[CLIENT], read_cb, write_cb, event_cb, c);
    bufferevent_enable(c->bev[CLIENT], EV_READ | EV_WRITE);
    if (connect_upstream(c) < 0)
        conn_free(c);
}

static void accept_cb(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa,
                      int salen, void *arg)
{
    (void)lev;
    (void)sa;
    (void)salen;
    conn_start(arg, fd);
}

static void accept_error_cb(struct evconnlistener *lev, void *arg)
{
    (void)lev;
    struct listener *l = arg;
    kj_log_errno(KJ_LOG_WARN, "service proxy: accept on 127.0.0.1:%d (`%s/%s`)", l->bound_port,
                 l->ns, l->svc);
}

/* ---- listeners ---- */

static void listener_free(struct listener *l)
{
    if (l->lev != NULL)
        evconnlistener_free(l->lev);
    free(l->ns);
    free(l->svc);
    free(l);
}

/* A listening, non-blocking socket on 127.0.0.1:port, or -1 with errno set.
 * Done by hand rather than with evconnlistener_new_bind() so that the errno
 * of a failed bind (EADDRINUSE, EACCES) reaches the Service's status. */
static int listen_loopback(int port, int *bound)
{
    cleanup_close int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    /* TIME_WAIT left by earlier connections must not block a restart. */
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
        return -1;
    struct sockaddr_in sin = {.sin_family = AF_INET,
                              .sin_port = htons((uint16_t)port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(fd, (struct sockaddr *)&sin, sizeof sin) < 0 || listen(fd, 128) < 0)
        return -1;
    socklen_t len = sizeof sin;
    if (getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
        return -1;
    *bound = ntohs(sin.sin_port);
    return kj_steal_fd(&fd);
}

struct kj_svc_publisher *kj_svc_publisher_new(struct event_base *base, kj_svc_pick_cb pick,
                                              void *arg, int max_conns)
{
    struct kj_svc_publisher *pub = xcalloc(1, sizeof *pub);
    pub->base = base;
    pub->pick = pick;
    pub->pick_arg = arg;
    pub->max_conns = max_conns > 0 ? max_conns : KJ_SVC_PUB_MAX_CONNS;
    return pub;
}

void kj_svc_publisher_begin(struct kj_svc_publisher *pub)
{
    for (struct listener *l = pub->listeners; l != NULL; l = l->next)
        l->wanted = false;
}

int kj_svc_publisher_want(struct kj_svc_publisher *pub, const char *ns, const char *svc,
                          int svc_port, int host_port, int *bound, kj_error_t *err)
{
    for (struct listener *l = pub->listeners; l != NULL; l = l->next) {
        if (l->want_port == host_port && l->svc_port == svc_port && strcmp(l->ns, ns) == 0 &&
            strcmp(l->svc, svc) == 0) {
            l->wanted = true;
            if (bound != NULL)
                *bound = l->bound_port;
            return 0;
        }
    }
    if (host_port < 0 || host_port > 65535)
        return kj_make_error(err, EINVAL, "listen on 127.0.0.1:%d", host_port);
    int port = 0;
    int fd = listen_loopback(host_port, &port);
    if (fd < 0)
        return kj_make_error(err, errno, "listen on 127.0.0.1:%d", host_port);
    struct listener *l = xcalloc(1, sizeof *l);
    l->pub = pub;
    l->ns = xstrdup(ns);
    l->svc = xstrdup(svc);
    l->svc_port = svc_port;
    l->want_port = host_port;
    l->bound_port = port;
    l->wanted = true;
    l->lev = evconnlistener_new(pub->base, accept_cb, l, LEV_OPT_CLOSE_ON_FREE, 0, fd);
    if (l->lev == NULL) {
        close(fd);
        listener_free(l);
        return kj_make_error(err, 0, "listen on 127.0.0.1:%d: event listener", host_port);
    }
    evconnlistener_set_error_cb(l->lev, accept_error_cb);
    l->next = pub->listeners;
    pub->listeners = l;
    pub->n_listeners++;
    kj_log(KJ_LOG_INFO, "service `%s/%s` port %d published on 127.0.0.1:%d", ns, svc, svc_port,
           port);
    if (bound != NULL)
        *bound = port;
    return 0;
}

void kj_svc_publisher_end(struct kj_svc_publisher *pub)
{
    for (struct listener **pl = &pub->listeners; *pl != NULL;) {
        struct listener *l = *pl;
        if (l->wanted) {
            pl = &l->next;
            continue;
        }
        kj_log(KJ_LOG_INFO, "service `%s/%s` port %d no longer published on 127.0.0.1:%d", l->ns,
               l->svc, l->svc_port, l->bound_port);
        *pl = l->next;
        pub->n_listeners--;
        listener_free(l);
    }
}

size_t kj_svc_publisher_listeners(const struct kj_svc_publisher *pub)
{
    return pub->n_listeners;
}

size_t kj_svc_publisher_conns(const struct kj_svc_publisher *pub)
{
    return pub->n_conns;
}

void kj_svc_publisher_free(struct kj_svc_publisher *pub)
{
    if (pub == NULL)
        return;
    while (pub->conns != NULL)
        conn_free(pub->conns);
    while (pub->listeners != NULL) {
        struct listener *l = pub->listeners;
        pub->listeners = l->next;
        listener_free(l);
    }
    free(pub);
}
