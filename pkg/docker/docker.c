/* The client and its transport: libcurl's multi-socket API driven by libevent,
 * in the shape of curl's hiperfifo.c / multi-event.c, hardened:
 *  - one CURLM per client; one per-socket struct with an embedded event,
 *    attached with curl_multi_assign() and freed on CURL_POLL_REMOVE;
 *  - one evtimer for libcurl's timeout; a 0 ms timeout arms that timer
 *    instead of calling libcurl from inside its own timer callback;
 *  - curl_multi_info_read() drained after every curl_multi_socket_action();
 *  - nothing that may re-enter libcurl (add/remove handle) runs inside a
 *    libcurl callback: submit and cancel only mark state and activate the
 *    "kick" event, which does the work from the loop.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/event_struct.h> /* struct event embedded in kj_docker_sock */

#include "docker/docker-internal.h"
#include "util/cleanup.h"
#include "util/log.h"

TAILQ_HEAD(kj_docker_reqlist, kj_docker_req);

struct kj_docker_sock {
    struct kj_docker *d;
    curl_socket_t fd;
    struct event ev;
    bool armed;
    TAILQ_ENTRY(kj_docker_sock) link;
};
TAILQ_HEAD(kj_docker_socklist, kj_docker_sock);

struct kj_docker {
    struct event_base *base; /* borrowed */
    CURLM *multi;            /* owned */
    struct event *timer;     /* owned: libcurl's timeout */
    struct event *kick;      /* owned: deferred add/remove/negotiate */
    struct kj_docker_endpoint ep;
    int connect_timeout_ms, request_timeout_ms;

    char version[16];        /* negotiated or pinned, "" before */
    bool negotiating;
    uint64_t enqueue_seq;    /* order stamp for pending requests */

    struct kj_docker_queue queue;           /* short requests waiting for a slot */
    struct kj_docker_reqlist streams_pending;
    struct kj_docker_reqlist active;        /* on the CURLM */
    struct kj_docker_reqlist all;           /* every live request */
    struct kj_docker_socklist socks;
    bool freeing;
};

static void kick(struct kj_docker *d)
{
    if (!d->freeing)
        event_active(d->kick, EV_TIMEOUT, 0);
}

/* ---- libcurl ↔ libevent ---------------------------------------------------- */

static void check_done(struct kj_docker *d);

static void sock_event_cb(evutil_socket_t fd, short what, void *arg)
{
    struct kj_docker *d = arg;
    int action = (what & EV_READ ? CURL_CSELECT_IN : 0) | (what & EV_WRITE ? CURL_CSELECT_OUT : 0);
    int running = 0;
    CURLMcode rc = curl_multi_socket_action(d->multi, fd, action, &running);
    if (rc != CURLM_OK)
        kj_log(KJ_LOG_WARN, "docker: curl_multi_socket_action: %s", curl_multi_strerror(rc));
    check_done(d);
}

static void timer_event_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct kj_docker *d = arg;
    int running = 0;
    CURLMcode rc = curl_multi_socket_action(d->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    if (rc != CURLM_OK)
        kj_log(KJ_LOG_WARN, "docker: curl_multi_socket_action: %s", curl_multi_strerror(rc));
    check_done(d);
}

static int multi_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    struct kj_docker *d = userp;
    if (timeout_ms < 0) {
        evtimer_del(d->timer);
        return 0;
    }
    /* 0 ms too goes through the loop: calling socket_action from here
     * would recurse into libcurl. */
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
    return evtimer_add(d->timer, &tv) == 0 ? 0 : -1;
}

static void sock_free(struct kj_docker_sock *s)
{
    if (s->armed)
        event_del(&s->ev);
    TAILQ_REMOVE(&s->d->socks, s, link);
    free(s);
}

static int multi_socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void)easy;
    struct kj_docker *d = userp;
    struct kj_docker_sock *s = socketp;
    if (what == CURL_POLL_REMOVE) {
        if (s != NULL) {
            curl_multi_assign(d->multi, fd, NULL);
            sock_free(s);
        }
        return 0;
    }
    if (s == NULL) {
        s = calloc(1, sizeof(*s));
        if (s == NULL)
            return -1;
        s->d = d;
        s->fd = fd;
        TAILQ_INSERT_TAIL(&d->socks, s, link);
        curl_multi_assign(d->multi, fd, s);
    }
    if (s->armed) {
        event_del(&s->ev);
        s->armed = false;
    }
    short kind = (short)((what & CURL_POLL_IN ? EV_READ : 0) | (what & CURL_POLL_OUT ? EV_WRITE : 0) |
                         EV_PERSIST);
    if (event_assign(&s->ev, d->base, fd, kind, sock_event_cb, d) < 0 ||
        event_add(&s->ev, NULL) < 0)
        return -1;
    s->armed = true;
    return 0;
}

/* ---- request lifecycle ----------------------------------------------------- */

/* Unlink from whatever list holds it and free. Never while r is on the CURLM. */
static void req_destroy(struct kj_docker_req *r)
{
    struct kj_docker *d = r->d;
    if (r->state == KJ_REQ_PENDING) {
        if (r->stream)
            TAILQ_REMOVE(&d->streams_pending, r, link);
        else
            kj_docker_queue_remove(&d->queue, &r->qnode);
    }
    TAILQ_REMOVE(&d->all, r, all_link);
    kj_docker_req_discard(r);
}

static void req_enqueue(struct kj_docker_req *r)
{
    struct kj_docker *d = r->d;
    r->state = KJ_REQ_PENDING;
    r->seq = d->enqueue_seq++;
    if (r->stream)
        TAILQ_INSERT_TAIL(&d->streams_pending, r, link);
    else
        kj_docker_queue_push(&d->queue, &r->qnode);
    kick(d);
}

void kj_docker_req_submit(struct kj_docker_req *r)
{
    TAILQ_INSERT_TAIL(&r->d->all, r, all_link);
    req_enqueue(r);
}

void kj_docker_req_resubmit(struct kj_docker_req *r)
{
    if (r->state == KJ_REQ_IDLE && !r->cancelled)
        req_enqueue(r);
}

void kj_docker_cancel(kj_docker_req_t *r)
{
    if (r == NULL || r->cancelled)
        return;
    r->cancelled = true;
    switch (r->state) {
    case KJ_REQ_ACTIVE:
        kick(r->d); /* removed from the CURLM by the kick, outside libcurl */
        break;
    case KJ_REQ_DONE:
        break; /* inside its own callback: req_finish() frees it afterwards */
    case KJ_REQ_IDLE:
    case KJ_REQ_PENDING:
    default:
        req_destroy(r);
        break;
    }
}

static int easy_setup(struct kj_docker *d, struct kj_docker_req *r, kj_error_t *err)
{
    cleanup_free char *url = NULL;
    int n = r->versioned ? asprintf(&url, "%s/v%s%s", d->ep.base_url, d->version, r->path)
                         : asprintf(&url, "%s%s", d->ep.base_url, r->path);
    if (n < 0)
        return kj_make_error(err, ENOMEM, "docker request url");
    CURL *e = curl_easy_init();
    if (e == NULL)
        return kj_make_error(err, ENOMEM, "curl_easy_init");
    r->easy = e;
    CURLcode rc = CURLE_OK;
#define SET(opt, val)                                                                          \
    do {                                                                                       \
        if (rc == CURLE_OK)                                                                    \
            rc = curl_easy_setopt(e, opt, val);                                                \
    } while (0)
    SET(CURLOPT_URL, url);
    SET(CURLOPT_PRIVATE, r);
    SET(CURLOPT_ERRORBUFFER, r->errbuf);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_WRITEFUNCTION, kj_docker_write_cb);
    SET(CURLOPT_WRITEDATA, r);
    SET(CURLOPT_HEADERFUNCTION, kj_docker_header_cb);
    SET(CURLOPT_HEADERDATA, r);
    SET(CURLOPT_CONNECTTIMEOUT_MS, (long)d->connect_timeout_ms);
    SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    if (!r->stream)
        SET(CURLOPT_TIMEOUT_MS, (long)d->request_timeout_ms + r->timeout_ms);
    if (d->ep.unix_path != NULL) {
        SET(CURLOPT_UNIX_SOCKET_PATH, d->ep.unix_path);
    } else {
        SET(CURLOPT_TCP_KEEPALIVE, 1L);
        SET(CURLOPT_TCP_NODELAY, 1L);
        SET(CURLOPT_PROXY, ""); /* the engine is never behind an http proxy */
    }
    if (d->ep.tls) {
        SET(CURLOPT_SSL_VERIFYPEER, d->ep.tls_verify ? 1L : 0L);
        SET(CURLOPT_SSL_VERIFYHOST, d->ep.tls_verify ? 2L : 0L);
        if (d->ep.ca_file != NULL)
            SET(CURLOPT_CAINFO, d->ep.ca_file);
        if (d->ep.cert_file != NULL) {
            SET(CURLOPT_SSLCERT, d->ep.cert_file);
            SET(CURLOPT_SSLKEY, d->ep.key_file);
        }
    }
    if (strcmp(r->method, "POST") == 0) {
        /* CURLOPT_POST alone would read the body from stdin. */
        SET(CURLOPT_POSTFIELDSIZE, (long)(r->body ? strlen(r->body) : 0));
        SET(CURLOPT_POSTFIELDS, r->body ? r->body : "");
    } else if (strcmp(r->method, "GET") != 0) {
        SET(CURLOPT_CUSTOMREQUEST, r->method);
    }
    if (r->body != NULL && r->headers != NULL) {
        /* "Expect: 100-continue" would stall bodies over 1 KiB for a second. */
        struct curl_slist *l = curl_slist_append(r->headers, "Expect:");
        if (l != NULL)
            r->headers = l;
    }
    if (r->headers != NULL)
        SET(CURLOPT_HTTPHEADER, r->headers);
#undef SET
    if (rc != CURLE_OK)
        return kj_make_error(err, 0, "curl setup: %s", curl_easy_strerror(rc));
    return 0;
}

/* Finish one request with err (borrowed). Returns after the user callback. */
static void req_finish(struct kj_docker_req *r, kj_error_t err)
{
    r->state = KJ_REQ_DONE;
    kj_error_t ctx = NULL;
    if (err != NULL && r->what != NULL) {
        /* err may be shared by several requests (fail_pending): copy. */
        kj_make_error(&ctx, 0, "%s: %s", r->what, err->msg ? err->msg : "unknown error");
        if (ctx != NULL) {
            ctx->status = err->status;
            err = ctx;
        }
    }
    bool keep = r->ops->done(r, err);
    kj_error_release(&ctx);
    if (keep && !r->cancelled) {
        kj_docker_req_reset_transfer(r);
        r->state = KJ_REQ_IDLE;
        return;
    }
    r->state = KJ_REQ_IDLE;
    req_destroy(r);
}

static void req_start(struct kj_docker *d, struct kj_docker_req *r)
{
    kj_error_t err = NULL;
    kj_docker_req_reset_transfer(r);
    if (easy_setup(d, r, &err) < 0 || curl_multi_add_handle(d->multi, r->easy) != CURLM_OK) {
        if (err == NULL)
            kj_make_error(&err, 0, "curl_multi_add_handle failed");
        if (!r->stream)
            kj_docker_queue_release(&d->queue);
        req_finish(r, err);
        kj_error_release(&err);
        return;
    }
    r->state = KJ_REQ_ACTIVE;
    TAILQ_INSERT_TAIL(&d->active, r, link);
}

/* Take r off the CURLM (never from inside a libcurl callback). */
static void req_detach(struct kj_docker *d, struct kj_docker_req *r)
{
    curl_multi_remove_handle(d->multi, r->easy);
    curl_easy_cleanup(r->easy);
    r->easy = NULL;
    TAILQ_REMOVE(&d->active, r, link);
    r->state = KJ_REQ_IDLE;
    if (!r->stream)
        kj_docker_queue_release(&d->queue);
}

static void transfer_error(struct kj_docker *d, struct kj_docker_req *r, CURLcode result,
                           kj_error_t *err)
{
    if (r->data_err != NULL) {
        *err = steal_pointer(&r->data_err);
        return;
    }
    if (result != CURLE_OK) {
        const char *why = r->errbuf[0] ? r->errbuf : curl_easy_strerror(result);
        kj_make_error(err, 0, "docker engine at `%s`: %s", d->ep.host, why);
        return;
    }
    if (r->status == 304 || (r->status >= 200 && r->status < 300))
        return;
    kj_docker_error_decode(r->status, r->resp, r->resp_len, err);
}

static void check_done(struct kj_docker *d)
{
    CURLMsg *msg;
    int left = 0;
    bool any = false;
    while ((msg = curl_multi_info_read(d->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        any = true;
        CURL *e = msg->easy_handle;
        CURLcode result = msg->data.result; /* msg is invalid after remove_handle */
        struct kj_docker_req *r = NULL;
        curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&r);
        if (r->status == 0)
            curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
        req_detach(d, r);
        if (r->cancelled) {
            req_destroy(r);
            continue;
        }
        kj_error_t err = NULL;
        transfer_error(d, r, result, &err);
        req_finish(r, err);
        kj_error_release(&err);
    }
    if (any)
        kick(d);
}

/* ---- negotiation and the kick --------------------------------------------- */

/* Fail everything that was waiting when negotiation failed. Requests stay in
 * the real lists until their turn, so a callback may cancel any of them; the
 * sequence limit leaves requests submitted from the callbacks for the next
 * attempt. */
static void fail_pending(struct kj_docker *d, kj_error_t err)
{
    uint64_t limit = d->enqueue_seq;
    struct kj_docker_req *r;
    while ((r = TAILQ_FIRST(&d->streams_pending)) != NULL && r->seq < limit) {
        TAILQ_REMOVE(&d->streams_pending, r, link);
        r->state = KJ_REQ_IDLE;
        req_finish(r, err);
    }
    struct kj_docker_qnode *n;
    while ((n = TAILQ_FIRST(&d->queue.pending)) != NULL) {
        r = (struct kj_docker_req *)((char *)n - offsetof(struct kj_docker_req, qnode));
        if (r->seq >= limit)
            break;
        kj_docker_queue_remove(&d->queue, n);
        r->state = KJ_REQ_IDLE;
        req_finish(r, err);
    }
}

static bool negotiate_done(struct kj_docker_req *r, kj_error_t err)
{
    struct kj_docker *d = r->d;
    kj_error_t own = NULL;
    d->negotiating = false;
    if (err == NULL &&
        kj_docker_version_pick(r->api_version, d->version, sizeof(d->version), &own) == 0) {
        kj_log(KJ_LOG_DEBUG, "docker: engine at `%s` speaks api %s, using %s", d->ep.host,
               r->api_version, d->version);
        return false;
    }
    if (own != NULL)
        err = own;
    kj_error_t wrapped = NULL;
    kj_make_error(&wrapped, 0, "%s", err->msg ? err->msg : "negotiation failed");
    wrapped->status = err->status;
    kj_error_wrap(&wrapped, "negotiate docker api version");
    fail_pending(d, wrapped);
    kj_error_release(&wrapped);
    kj_error_release(&own);
    return false;
}

static const struct kj_docker_req_ops negotiate_ops = {.done = negotiate_done};

static void start_negotiation(struct kj_docker *d)
{
    kj_error_t err = NULL;
    struct kj_docker_req *r = kj_docker_req_new(d, &negotiate_ops, "GET", &err, "/_ping");
    if (r == NULL) {
        fail_pending(d, err);
        kj_error_release(&err);
        return;
    }
    r->versioned = false;
    r->negotiation = true;
    d->negotiating = true;
    TAILQ_INSERT_TAIL(&d->all, r, all_link);
    req_start(d, r);
}

static void kick_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct kj_docker *d = arg;
    struct kj_docker_req *r, *tmp;
    for (r = TAILQ_FIRST(&d->active); r != NULL; r = tmp) {
        tmp = TAILQ_NEXT(r, link);
        if (r->cancelled) {
            req_detach(d, r);
            req_destroy(r);
        }
    }
    if (d->version[0] == '\0') {
        if (!d->negotiating &&
            (!TAILQ_EMPTY(&d->streams_pending) || !TAILQ_EMPTY(&d->queue.pending)))
            start_negotiation(d);
        return;
    }
    while ((r = TAILQ_FIRST(&d->streams_pending)) != NULL) {
        TAILQ_REMOVE(&d->streams_pending, r, link);
        req_start(d, r);
    }
    struct kj_docker_qnode *n;
    while ((n = kj_docker_queue_admit(&d->queue)) != NULL) {
        r = (struct kj_docker_req *)((char *)n - offsetof(struct kj_docker_req, qnode));
        req_start(d, r);
    }
}

/* ---- client ------------------------------------------------------------------ */

struct kj_docker *kj_docker_new(struct event_base *base, const struct kj_docker_opts *opts,
                                kj_error_t *err)
{
    static bool curl_ready;
    if (!curl_ready) {
        /* Not thread-safe, like the rest of the client; done once. */
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            kj_make_error(err, 0, "curl_global_init failed");
            return NULL;
        }
        curl_ready = true;
    }
    struct kj_docker *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        kj_make_error(err, ENOMEM, "docker client");
        return NULL;
    }
    struct kj_docker_env env;
    kj_docker_env_from_process(&env);
    if (kj_docker_endpoint_parse(opts, &env, &d->ep, err) < 0) {
        free(d);
        return NULL;
    }
    d->base = base;
    TAILQ_INIT(&d->streams_pending);
    TAILQ_INIT(&d->active);
    TAILQ_INIT(&d->all);
    TAILQ_INIT(&d->socks);
    int max = opts != NULL && opts->max_concurrent > 0 ? opts->max_concurrent : 16;
    kj_docker_queue_init(&d->queue, (size_t)max);
    d->connect_timeout_ms =
        opts != NULL && opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : 5000;
    d->request_timeout_ms =
        opts != NULL && opts->request_timeout_ms > 0 ? opts->request_timeout_ms : 120000;
    if (opts != NULL && opts->api_version != NULL) {
        if (kj_docker_version_cmp(opts->api_version, "1.0") < 0 ||
            strlen(opts->api_version) >= sizeof(d->version)) {
            kj_make_error(err, EINVAL, "bad docker api version `%s`", opts->api_version);
            goto fail;
        }
        memcpy(d->version, opts->api_version, strlen(opts->api_version) + 1);
    }
    d->multi = curl_multi_init();
    d->timer = evtimer_new(base, timer_event_cb, d);
    d->kick = event_new(base, -1, 0, kick_cb, d);
    if (d->multi == NULL || d->timer == NULL || d->kick == NULL) {
        kj_make_error(err, ENOMEM, "docker client");
        goto fail;
    }
    curl_multi_setopt(d->multi, CURLMOPT_SOCKETFUNCTION, multi_socket_cb);
    curl_multi_setopt(d->multi, CURLMOPT_SOCKETDATA, d);
    curl_multi_setopt(d->multi, CURLMOPT_TIMERFUNCTION, multi_timer_cb);
    curl_multi_setopt(d->multi, CURLMOPT_TIMERDATA, d);
    /* Keep enough idle connections to serve a full batch of short requests
     * without reconnecting; streams hold their own. */
    curl_multi_setopt(d->multi, CURLMOPT_MAXCONNECTS, (long)max + 4);
    return d;
fail:
    if (d->multi != NULL)
        curl_multi_cleanup(d->multi);
    if (d->timer != NULL)
        event_free(d->timer);
    if (d->kick != NULL)
        event_free(d->kick);
    kj_docker_endpoint_clear(&d->ep);
    free(d);
    return NULL;
}

void kj_docker_free(struct kj_docker *d)
{
    if (d == NULL)
        return;
    d->freeing = true;
    struct kj_docker_req *r;
    while ((r = TAILQ_FIRST(&d->all)) != NULL) {
        r->cancelled = true;
        if (r->state == KJ_REQ_ACTIVE)
            req_detach(d, r);
        req_destroy(r);
    }
    /* May still call the socket callback for cached connections. */
    curl_multi_cleanup(d->multi);
    struct kj_docker_sock *s;
    while ((s = TAILQ_FIRST(&d->socks)) != NULL)
        sock_free(s);
    event_free(d->timer);
    event_free(d->kick);
    kj_docker_endpoint_clear(&d->ep);
    free(d);
}

const char *kj_docker_api_version(const struct kj_docker *d)
{
    return d->version[0] ? d->version : NULL;
}

const char *kj_docker_host(const struct kj_docker *d)
{
    return d->ep.host;
}

struct event_base *kj_docker_base(const struct kj_docker *d)
{
    return d->base;
}
