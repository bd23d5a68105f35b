/* Streaming endpoints: container logs (framed or raw), the events stream with
 * its reconnect loop, and image pulls (ndjson progress with in-band errors). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "docker/docker-internal.h"
#include "util/cleanup.h"
#include "util/log.h"

/* ---- logs ------------------------------------------------------------------------ */

struct logs_op {
    struct kj_docker_frames frames;
    bool tty;
    kj_docker_log_cb frame_cb;
};

static void logs_headers(struct kj_docker_req *r)
{
    struct logs_op *op = r->op;
    /* 1.42+ says what the body is; 1.41 leaves it to Config.Tty. */
    if (r->content_type == NULL)
        return;
    if (strstr(r->content_type, "vnd.docker.raw-stream") != NULL)
        op->tty = true;
    else if (strstr(r->content_type, "vnd.docker.multiplexed-stream") != NULL)
        op->tty = false;
}

struct frame_ctx {
    struct kj_docker_req *r;
    struct logs_op *op;
};

static int logs_sink(int stream, const char *buf, size_t len, void *data)
{
    struct frame_ctx *c = data;
    c->op->frame_cb((enum kj_docker_stream)stream, buf, len, c->r->user_data);
    return c->r->cancelled ? 1 : 0;
}

static int logs_data(struct kj_docker_req *r, const char *p, size_t n, kj_error_t *err)
{
    struct logs_op *op = r->op;
    if (op->tty) {
        op->frame_cb(KJ_DOCKER_STDOUT, p, n, r->user_data);
        return r->cancelled ? 1 : 0;
    }
    struct frame_ctx c = {r, op};
    return kj_docker_frames_feed(&op->frames, p, n, logs_sink, &c, err);
}

static bool logs_done(struct kj_docker_req *r, kj_error_t err)
{
    struct logs_op *op = r->op;
    kj_error_t own = NULL;
    if (err == NULL && !op->tty && kj_docker_frames_finish(&op->frames, &own) < 0) {
        kj_error_wrap(&own, "%s", r->what);
        err = own;
    }
    ((kj_docker_done_cb)r->cb)(err, r->user_data);
    kj_error_release(&own);
    return false;
}

static void logs_free(struct kj_docker_req *r)
{
    struct logs_op *op = r->op;
    if (op != NULL)
        kj_docker_frames_clear(&op->frames);
    free(op);
}

static const struct kj_docker_req_ops logs_ops = {
    .headers = logs_headers, .data = logs_data, .done = logs_done, .free = logs_free};

kj_docker_req_t *kj_docker_container_logs(struct kj_docker *d, const char *id,
                                          const struct kj_docker_logs_opts *opts,
                                          kj_docker_log_cb frame_cb, kj_docker_done_cb end_cb,
                                          void *data, kj_error_t *err)
{
    struct kj_docker_logs_opts o = {0};
    if (opts != NULL)
        o = *opts;
    else
        o.tail = -1;
    if (!o.want_stdout && !o.want_stderr)
        o.want_stdout = o.want_stderr = true;
    char what[300];
    snprintf(what, sizeof(what), "logs of container `%s`", id ? id : "");
    if (id == NULL || *id == '\0' || frame_cb == NULL || end_cb == NULL) {
        kj_make_error(err, EINVAL, "%s: missing id or callback", what);
        return NULL;
    }
    cleanup_free char *eid = kj_docker_escape(id);
    char tail[24] = "all";
    if (o.tail >= 0)
        snprintf(tail, sizeof(tail), "%d", o.tail);
    struct logs_op *op = calloc(1, sizeof(*op));
    struct kj_docker_req *r =
        eid == NULL || op == NULL
            ? NULL
            : kj_docker_req_new(d, &logs_ops, "GET", err,
                                "/containers/%s/logs?stdout=%d&stderr=%d&follow=%d&timestamps=%d"
                                "&tail=%s&since=%" PRId64,
                                eid, o.want_stdout, o.want_stderr, o.follow, o.timestamps, tail,
                                o.since);
    if (r == NULL) {
        free(op);
        kj_make_error(err, ENOMEM, "%s", what);
        return NULL;
    }
    kj_docker_frames_init(&op->frames);
    op->tty = o.tty;
    op->frame_cb = frame_cb;
    r->op = op;
    r->stream = o.follow;
    r->cb = (kj_docker_fn)end_cb;
    r->user_data = data;
    kj_docker_req_what(r, "%s", what);
    kj_docker_req_submit(r);
    return r;
}

/* ---- events ---------------------------------------------------------------------- */

#define EVENTS_BACKOFF_MIN_MS 100
#define EVENTS_BACKOFF_MAX_MS 5000

struct events_op {
    struct kj_docker_events_cbs cbs;
    char *filters; /* owned, escaped, "" when none */
    struct kj_docker_ndjson nd;
    int64_t since_ns;    /* where the first connection starts; 0 = now */
    int64_t last_event_ns; /* engine clock of the last event seen, 0 = none */
    int64_t connected_ns;  /* local clock at the last good connection */
    bool connected_once;
    int backoff_ms;
    struct event *retry; /* owned */
};

static int events_path(struct kj_docker_req *r, struct events_op *op)
{
    /* Resume just before the last event seen, on the engine's clock
     * (timeNano went through a double and may be rounded up by a few hundred
     * ns; a repeat is harmless, a gap is not). With no event yet, from a
     * second before the last connection on our clock. */
    int64_t since_ns = op->since_ns;
    if (op->last_event_ns > 1000)
        since_ns = op->last_event_ns - 1000;
    else if (op->connected_ns > 1000000000)
        since_ns = op->connected_ns - 1000000000;
    char since[48] = "";
    if (since_ns > 0)
        snprintf(since, sizeof(since), "&since=%" PRId64 ".%09" PRId64, since_ns / 1000000000,
                 since_ns % 1000000000);
    char *path = NULL;
    if (asprintf(&path, "/events?x=1%s%s%s", *op->filters ? "&filters=" : "", op->filters,
                 since) < 0)
        return -1;
    free(r->path);
    r->path = path;
    return 0;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void events_headers(struct kj_docker_req *r)
{
    struct events_op *op = r->op;
    bool reconnect = op->connected_once;
    op->connected_once = true;
    op->backoff_ms = EVENTS_BACKOFF_MIN_MS;
    op->connected_ns = now_ns();
    if (op->cbs.resync_cb != NULL)
        op->cbs.resync_cb(reconnect, r->user_data);
}

static int events_line(const char *line, size_t len, void *data)
{
    struct kj_docker_req *r = data;
    struct events_op *op = r->op;
    cleanup_cjson cJSON *j = cJSON_ParseWithLength(line, len);
    struct kj_docker_event ev;
    kj_error_t err = NULL;
    if (kj_docker_event_decode(j, &ev, &err) < 0) {
        kj_log(KJ_LOG_WARN, "docker events: skipping a line: %s", err->msg);
        kj_error_release(&err);
        return 0;
    }
    if (ev.time_nano > op->last_event_ns)
        op->last_event_ns = ev.time_nano;
    if (op->cbs.event_cb != NULL)
        op->cbs.event_cb(&ev, r->user_data);
    return r->cancelled ? 1 : 0;
}

static int events_data(struct kj_docker_req *r, const char *p, size_t n, kj_error_t *err)
{
    struct events_op *op = r->op;
    return kj_docker_ndjson_feed(&op->nd, p, n, events_line, r, err);
}

static bool events_done(struct kj_docker_req *r, kj_error_t err)
{
    struct events_op *op = r->op;
    kj_error_t own = NULL;
    if (err == NULL) {
        kj_docker_ndjson_finish(&op->nd, events_line, r, NULL);
        kj_make_error(&own, 0, "docker events stream ended");
        err = own;
    }
    kj_docker_ndjson_clear(&op->nd);
    int delay = op->backoff_ms;
    op->backoff_ms = delay * 2 > EVENTS_BACKOFF_MAX_MS ? EVENTS_BACKOFF_MAX_MS : delay * 2;
    if (op->cbs.disconnect_cb != NULL && !r->cancelled)
        op->cbs.disconnect_cb(err, delay, r->user_data);
    kj_error_release(&own);
    if (r->cancelled)
        return false;
    struct timeval tv = {.tv_sec = delay / 1000, .tv_usec = (delay % 1000) * 1000};
    evtimer_add(op->retry, &tv);
    return true;
}

static void events_retry_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct kj_docker_req *r = arg;
    struct events_op *op = r->op;
    if (events_path(r, op) < 0) {
        /* Out of memory: try again later rather than give up the stream. */
        struct timeval tv = {.tv_sec = EVENTS_BACKOFF_MAX_MS / 1000};
        evtimer_add(op->retry, &tv);
        return;
    }
    kj_docker_req_resubmit(r);
}

static void events_free(struct kj_docker_req *r)
{
    struct events_op *op = r->op;
    if (op == NULL)
        return;
    if (op->retry != NULL)
        event_free(op->retry);
    kj_docker_ndjson_clear(&op->nd);
    free(op->filters);
    free(op);
}

static const struct kj_docker_req_ops events_ops = {
    .headers = events_headers, .data = events_data, .done = events_done, .free = events_free};

kj_docker_req_t *kj_docker_events(struct kj_docker *d, const struct kj_docker_events_opts *opts,
                                  const struct kj_docker_events_cbs *cbs, void *data,
                                  kj_error_t *err)
{
    if (d == NULL || cbs == NULL || cbs->event_cb == NULL) {
        kj_make_error(err, EINVAL, "events: missing event callback");
        return NULL;
    }
    struct events_op *op = calloc(1, sizeof(*op));
    struct kj_docker_req *r =
        op == NULL ? NULL : kj_docker_req_new(d, &events_ops, "GET", err, "/events");
    if (r == NULL) {
        free(op);
        kj_make_error(err, ENOMEM, "events");
        return NULL;
    }
    r->op = op;
    r->stream = true;
    r->user_data = data;
    op->cbs = *cbs;
    op->backoff_ms = EVENTS_BACKOFF_MIN_MS;
    op->since_ns = opts != NULL ? opts->since_ns : 0;
    kj_docker_ndjson_init(&op->nd);
    op->filters = kj_docker_filters_escaped("type", opts ? opts->types : NULL, "label",
                                            opts ? opts->labels : NULL, "event",
                                            opts ? opts->actions : NULL, NULL);
    op->retry = evtimer_new(kj_docker_base(d), events_retry_cb, r);
    if (op->filters == NULL || op->retry == NULL || events_path(r, op) < 0) {
        kj_docker_req_discard(r);
        kj_make_error(err, ENOMEM, "events");
        return NULL;
    }
    kj_docker_req_what(r, "docker events");
    kj_docker_req_submit(r);
    return r;
}

/* ---- image pull ---------------------------------------------------------------- */

struct pull_op {
    struct kj_docker_ndjson nd;
    kj_docker_progress_cb progress_cb;
    kj_error_t line_err; /* owned: first in-band error line */
};

static int pull_line(const char *line, size_t len, void *data)
{
    struct kj_docker_req *r = data;
    struct pull_op *op = r->op;
    cleanup_cjson cJSON *j = cJSON_ParseWithLength(line, len);
    if (j == NULL)
        return 0;
    if (kj_docker_pull_line_check(j, &op->line_err) < 0)
        return 1;
    if (op->progress_cb != NULL)
        op->progress_cb(j, r->user_data);
    return r->cancelled ? 1 : 0;
}

static int pull_data(struct kj_docker_req *r, const char *p, size_t n, kj_error_t *err)
{
    struct pull_op *op = r->op;
    int rc = kj_docker_ndjson_feed(&op->nd, p, n, pull_line, r, err);
    if (op->line_err != NULL) {
        /* Closing the connection also cancels the pull in the engine. */
        *err = steal_pointer(&op->line_err);
        return -1;
    }
    return rc;
}

static bool pull_done(struct kj_docker_req *r, kj_error_t err)
{
    struct pull_op *op = r->op;
    if (err == NULL) {
        kj_docker_ndjson_finish(&op->nd, pull_line, r, NULL);
        if (op->line_err != NULL) {
            kj_error_wrap(&op->line_err, "%s", r->what);
            err = op->line_err;
        }
    }
    ((kj_docker_done_cb)r->cb)(err, r->user_data);
    return false;
}

static void pull_free(struct kj_docker_req *r)
{
    struct pull_op *op = r->op;
    if (op == NULL)
        return;
    kj_docker_ndjson_clear(&op->nd);
    kj_error_release(&op->line_err);
    free(op);
}

static const struct kj_docker_req_ops pull_ops = {
    .data = pull_data, .done = pull_done, .free = pull_free};

/* Split "repo[:tag]" / "repo@digest": the tag's ':' comes after the last '/'
 * (a registry host may carry a port). */
static int split_ref(const char *image, char **repo, char **tag)
{
    const char *at = strchr(image, '@');
    const char *slash = strrchr(image, '/');
    const char *colon = strrchr(image, ':');
    const char *sep = at != NULL ? at : (colon != NULL && (slash == NULL || colon > slash) ? colon : NULL);
    *repo = sep ? strndup(image, (size_t)(sep - image)) : strdup(image);
    *tag = strdup(sep ? sep + 1 : "latest");
    return *repo != NULL && *tag != NULL ? 0 : -1;
}

kj_docker_req_t *kj_docker_image_pull(struct kj_docker *d, const char *image,
                                      const char *registry_auth, kj_docker_progress_cb progress_cb,
                                      kj_docker_done_cb done_cb, void *data, kj_error_t *err)
{
    char what[300];
    snprintf(what, sizeof(what), "pull image `%s`", image ? image : "");
    if (image == NULL || *image == '\0' || done_cb == NULL) {
        kj_make_error(err, EINVAL, "%s: missing image or callback", what);
        return NULL;
    }
    cleanup_free char *repo = NULL, *tag = NULL, *erepo = NULL, *etag = NULL;
    if (split_ref(image, &repo, &tag) < 0 || (erepo = kj_docker_escape(repo)) == NULL ||
        (etag = kj_docker_escape(tag)) == NULL) {
        kj_make_error(err, ENOMEM, "%s", what);
        return NULL;
    }
    if (*repo == '\0' || *tag == '\0') {
        kj_make_error(err, EINVAL, "%s: bad reference", what);
        return NULL;
    }
    struct pull_op *op = calloc(1, sizeof(*op));
    struct kj_docker_req *r =
        op == NULL ? NULL
                   : kj_docker_req_new(d, &pull_ops, "POST", err,
                                       "/images/create?fromImage=%s&tag=%s", erepo, etag);
    if (r == NULL) {
        free(op);
        kj_make_error(err, ENOMEM, "%s", what);
        return NULL;
    }
    kj_docker_ndjson_init(&op->nd);
    op->progress_cb = progress_cb;
    r->op = op;
    r->stream = true;
    r->cb = (kj_docker_fn)done_cb;
    r->user_data = data;
    kj_docker_req_what(r, "%s", what);
    if (registry_auth != NULL) {
        cleanup_free char *h = NULL;
        if (asprintf(&h, "X-Registry-Auth: %s", registry_auth) < 0 ||
            kj_docker_req_add_header(r, h, err) < 0) {
            kj_docker_req_discard(r);
            kj_make_error(err, ENOMEM, "%s", what);
            return NULL;
        }
    }
    kj_docker_req_submit(r);
    return r;
}
