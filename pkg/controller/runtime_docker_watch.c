/* Docker runtime: events stream, resync and lifecycle. */
#include "controller/runtime_docker_internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <event2/event.h>

#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

struct resync {
    struct kj_runtime_docker *rd;
    int pending; /* inspects outstanding (+1 while the list is running) */
    bool failed;
    uint64_t stamp; /* rd->stamp when the listing was requested */
    char **ids;     /* owned: container ids this listing saw (resyncs may overlap) */
    size_t n_ids;
    kj_runtime_list_cb cb;
    void *arg;
};

/* ---- inspect on events ---- */

void rd_free_data_cb(struct rd_req *r)
{
    free(r->data);
}

void rd_pod_mark_stopping(struct kj_runtime_docker *rd, const char *pod_name)
{
    struct rd_pod *p = rd_pod_find(rd, pod_name);
    if (p != NULL)
        p->stopping = true;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A non-zero exit that happened while the engine went away (dockerd stops
 * or loses its containers when it restarts) is the engine's doing: start the
 * same container again instead of reporting a pod failure. Bounded, so a
 * container that really crashes at each engine restart still fails. */
static bool killed_by_outage(const struct kj_runtime_docker *rd, const struct rd_pod *p,
                             const struct kj_pod_obs *obs)
{
    const int64_t margin = INT64_C(15) * 1000000000;
    if (obs->state != KJ_POD_OBS_EXITED || obs->exit_code == 0 || p->stopping ||
        p->engine_restarts >= 3 || rd->outage_from == 0 || obs->started_at == 0)
        return false;
    int64_t to = rd->outage_to ? rd->outage_to : now_ns();
    return obs->finished_at >= rd->outage_from - margin && obs->finished_at <= to + margin &&
           obs->finished_at != p->finished_at;
}

static void outage_restart_cb(kj_error_t err, void *data)
{
    struct rd_req *r = data;
    struct kj_runtime_docker *rd = r->rd;
    char *name = r->data;
    rd_req_done(r);
    struct rd_pod *p = rd_pod_find(rd, name);
    if (p != NULL) {
        p->engine_restarting = false;
        if (err != NULL)
            kj_log(KJ_LOG_WARN, "restart pod `%s` after the engine outage: %s", name, err->msg);
        if (p->container_id != NULL)
            rd_inspect_and_emit(rd, p->container_id);
    }
    free(name);
}

static void hold_cb(evutil_socket_t fd, short what, void *arg)
{
    struct rd_pod *p = arg;
    (void)fd;
    (void)what;
    /* The engine went away meanwhile: the resync after its return decides
     * (killed_by_outage). Else the exit was real: tell it now. */
    if (p->rd->events_up && p->container_id != NULL)
        rd_inspect_and_emit(p->rd, p->container_id);
}

/* dockerd stops every container before it closes its API, so a pod killed
 * by an engine shutdown dies while the events stream still looks healthy;
 * the outage shows a moment later. An exit by SIGTERM or SIGKILL that kjob
 * did not ask for is therefore told only after a short hold (a user's
 * `docker stop` is counted a few seconds late). True while held. */
static bool held_exit(struct kj_runtime_docker *rd, struct rd_pod *p, const struct kj_pod_obs *obs)
{
    if (obs->state != KJ_POD_OBS_EXITED || p->stopping || obs->oom_killed ||
        (obs->exit_code != 128 + 15 && obs->exit_code != 128 + 9) || p->state == KJ_POD_OBS_EXITED)
        return false;
    if (obs->finished_at == p->hold_finished)
        return p->hold_ev != NULL && evtimer_pending(p->hold_ev, NULL);
    p->hold_finished = obs->finished_at;
    if (p->hold_ev == NULL)
        p->hold_ev = evtimer_new(rd->base, hold_cb, p);
    kj_assert(p->hold_ev != NULL);
    struct timeval tv = {3, 0};
    evtimer_add(p->hold_ev, &tv);
    return true;
}

static void note_state(struct kj_runtime_docker *rd, const struct kj_container_state *st,
                       bool emit)
{
    struct kj_pod_obs obs;
    if (kj_pod_obs_from_state(st, rd->network, &obs) < 0)
        return;
    struct rd_pod *p = rd_pod_upsert(rd, &obs);
    if (p->engine_restarting)
        return;
    if (killed_by_outage(rd, p, &obs)) {
        kj_log(KJ_LOG_WARN, "pod `%s/%s` was stopped by an engine outage (exit %d): starting it again",
               p->ns ? p->ns : "?", p->name, obs.exit_code);
        kj_error_t err = NULL;
        struct rd_req *r = rd_req_new(rd, xstrdup(p->name));
        r->on_cancel = rd_free_data_cb;
        rd_pod_set_container(rd, p, st->id);
        p->finished_at = obs.finished_at;
        r->h = kj_docker_container_start(rd->d, st->id, outage_restart_cb, r, &err);
        if (r->h != NULL) {
            p->engine_restarts++;
            p->engine_restarting = true;
            return;
        }
        free(r->data);
        rd_req_done(r);
        kj_error_log_release(&err, "restart pod after engine outage");
    }
    if (obs.state == KJ_POD_OBS_EXITED && p->container_id != NULL &&
        strcmp(p->container_id, st->id) == 0)
        obs.finished_at = kj_exit_identity(obs.finished_at, obs.exit_code, p->clean_exit_at);
    /* A create still running owns the WAITING/CREATING story until it ends. */
    if (p->create != NULL && obs.state == KJ_POD_OBS_CREATED)
        return;
    if (held_exit(rd, p, &obs))
        return;
    rd_pod_update(rd, p, &obs);
    if (emit)
        rd_pod_emit(rd, p);
}

static void inspect_cb(kj_error_t err, const struct kj_container_state *st, void *data)
{
    struct rd_req *r = data;
    struct kj_runtime_docker *rd = r->rd;
    char *id = r->data;
    rd_req_done(r);
    if (err == NULL) {
        note_state(rd, st, true);
    } else if (kj_error_http_status(err) == 404) {
        /* Gone before we looked: the destroy event (or resync) reports it. */
        kj_log(KJ_LOG_DEBUG, "container `%.12s` vanished before inspect", id);
    } else {
        kj_log(KJ_LOG_WARN, "inspect container `%.12s`: %s", id, err->msg);
    }
    free(id);
}

void rd_inspect_and_emit(struct kj_runtime_docker *rd, const char *id)
{
    kj_error_t err = NULL;
    struct rd_req *r = rd_req_new(rd, xstrdup(id));
    r->on_cancel = rd_free_data_cb;
    r->h = kj_docker_container_inspect(rd->d, id, inspect_cb, r, &err);
    if (r->h == NULL) {
        free(r->data);
        rd_req_done(r);
        kj_error_log_release(&err, "inspect container");
    }
}

/* ---- resync ---- */

static bool resync_saw(const struct resync *rs, const char *id)
{
    for (size_t i = 0; id != NULL && i < rs->n_ids; i++)
        if (strcmp(rs->ids[i], id) == 0)
            return true;
    return false;
}

static void resync_free(struct resync *rs)
{
    for (size_t i = 0; i < rs->n_ids; i++)
        free(rs->ids[i]);
    free(rs->ids);
    free(rs);
}

static void resync_finish(struct resync *rs)
{
    struct kj_runtime_docker *rd = rs->rd;
    rd->resync = NULL;
    rd->list_ok = !rs->failed;
    int n = 0;
    struct rd_pod *p, *tmp;
    if (!rs->failed) {
        /* Containers that vanished while we were not looking. */
        for (p = LIST_FIRST(&rd->pods); p != NULL; p = tmp) {
            tmp = LIST_NEXT(p, link);
            if (!resync_saw(rs, p->container_id) && p->create == NULL && p->container_id != NULL &&
                p->id_stamp <= rs->stamp && !p->engine_restarting) {
                p->state = KJ_POD_OBS_REMOVED;
                rd_pod_emit(rd, p);
                rd_pod_drop(rd, p);
            }
        }
    }
    /* Emit first, list after: an observer may act at once (a pod group
     * creates its next container), which updates the cache that the
     * listing borrows from. */
    LIST_FOREACH(p, &rd->pods, link)
    {
        if (p->ns != NULL && p->job_uid != NULL && !rs->failed)
            rd_pod_emit(rd, p);
    }
    LIST_FOREACH(p, &rd->pods, link) n++;
    struct kj_pod_obs *all = xcalloc((size_t)n + 1, sizeof *all);
    int k = 0;
    LIST_FOREACH(p, &rd->pods, link)
    {
        if (p->ns == NULL || p->job_uid == NULL)
            continue;
        rd_pod_obs_fill(p, &all[k]);
        k++;
    }
    kj_log(KJ_LOG_DEBUG, "runtime: resync%s done: %d pods%s", rs->cb ? " (pod_list)" : "", k,
           rs->failed ? ", failed" : "");
    if (rs->cb != NULL) {
        if (rs->failed) {
            kj_error_t err = NULL;
            kj_make_error(&err, 0, "engine unreachable: cannot list containers");
            rs->cb(rs->arg, NULL, 0, err);
            kj_error_release(&err);
        } else {
            rs->cb(rs->arg, all, k, NULL);
        }
    }
    free(all);
    resync_free(rs);
}

/* free() cancels requests of a resync: the last one frees it. */
static void resync_req_cancel(struct rd_req *r)
{
    struct resync *rs = r->data;
    if (--rs->pending == 0) {
        if (rs->rd->resync == rs)
            rs->rd->resync = NULL;
        if (rs->cb != NULL && rs->rd->shutting_down)
            rs->cb(rs->arg, NULL, 0, rd_shutdown_error());
        resync_free(rs);
    }
}

static void resync_inspect_cb(kj_error_t err, const struct kj_container_state *st, void *data)
{
    struct rd_req *r = data;
    struct resync *rs = r->data;
    rd_req_done(r);
    if (err == NULL)
        note_state(rs->rd, st, false);
    else if (kj_error_http_status(err) != 404)
        rs->failed = true;
    if (--rs->pending == 0)
        resync_finish(rs);
}

static void resync_list_cb(kj_error_t err, const struct kj_container_summary *items, size_t n,
                           void *data)
{
    struct rd_req *r = data;
    struct resync *rs = r->data;
    struct kj_runtime_docker *rd = rs->rd;
    rd_req_done(r);
    if (err != NULL) {
        kj_log(KJ_LOG_WARN, "list kjob containers: %s", err->msg);
        rs->failed = true;
    } else {
        rs->ids = xcalloc(n ? n : 1, sizeof *rs->ids);
        for (size_t i = 0; i < n; i++) {
            /* Only containers carrying kjob's identity are ever looked at. */
            const cJSON *owner = cJSON_GetObjectItemCaseSensitive(items[i].labels, KJ_LABEL_OWNER_UID);
            if (!cJSON_IsString(owner))
                continue;
            rs->ids[rs->n_ids++] = xstrdup(items[i].id);
            kj_error_t ierr = NULL;
            struct rd_req *ir = rd_req_new(rd, rs);
            ir->on_cancel = resync_req_cancel;
            ir->h = kj_docker_container_inspect(rd->d, items[i].id, resync_inspect_cb, ir, &ierr);
            if (ir->h == NULL) {
                rd_req_done(ir);
                kj_error_release(&ierr);
                rs->failed = true;
                continue;
            }
            rs->pending++;
        }
    }
    if (--rs->pending == 0)
        resync_finish(rs);
}

int rd_resync(struct kj_runtime_docker *rd, kj_runtime_list_cb cb, void *arg, kj_error_t *err)
{
    static const char *const labels[] = {KJ_LABEL_MANAGED "=true", NULL};
    struct kj_docker_list_opts lo = {.all = true, .labels = labels};
    if (cb == NULL && rd->resync != NULL)
        return 0; /* one periodic resync at a time */
    struct resync *rs = xcalloc(1, sizeof *rs);
    rs->rd = rd;
    rs->cb = cb;
    rs->arg = arg;
    rs->pending = 1;
    rs->stamp = rd->stamp;
    rd->last_resync_ns = now_ns();
    struct rd_req *r = rd_req_new(rd, rs);
    r->on_cancel = resync_req_cancel;
    r->h = kj_docker_container_list(rd->d, &lo, resync_list_cb, r, err);
    if (r->h == NULL) {
        /* Refused at once: nothing was queued and no callback will run. */
        rd_req_done(r);
        resync_free(rs);
        return kj_error_wrap(err, "list kjob containers");
    }
    if (cb == NULL)
        rd->resync = rs;
    return 0;
}

/* ---- events stream ---- */

/* A clean exit is told from the die event itself. The inspect that would
 * confirm it waits until the engine has cleaned up after the container
 * (network endpoint, mounts: 0.2-0.5 s under load) and the pod's slot would
 * stay empty meanwhile. The inspect still follows and completes the
 * picture; note_state keeps the time told here as the exit's identity.
 * Failures wait for the inspect (OOM kills, held exits), and so do pod
 * group members, whose exits drive the group's own sequencing. */
static void note_clean_exit(struct kj_runtime_docker *rd, const struct kj_pod_obs *id,
                            const struct kj_docker_event *ev)
{
    if (!ev->has_exit_code || ev->exit_code != 0 || id->member != NULL || ev->time_nano <= 0)
        return;
    struct rd_pod *p = rd_pod_find(rd, id->pod_name);
    if (p == NULL || p->container_id == NULL || strcmp(p->container_id, ev->id) != 0 ||
        p->engine_restarting || p->state == KJ_POD_OBS_EXITED || p->state == KJ_POD_OBS_REMOVED)
        return;
    p->state = KJ_POD_OBS_EXITED;
    p->exit_code = 0;
    p->oom_killed = false;
    p->finished_at = ev->time_nano;
    p->clean_exit_at = ev->time_nano;
    rd_pod_emit(rd, p);
}

static void ev_resync_cb(bool reconnect, void *data)
{
    struct kj_runtime_docker *rd = data;
    if (reconnect)
        kj_log(KJ_LOG_INFO, "engine events stream is back: resyncing");
    if (!rd->events_up && rd->outage_from != 0)
        rd->outage_to = now_ns();
    rd->events_up = true;
    rd_ensure_network(rd);
    rd_ensure_node_info(rd);
    kj_error_t err = NULL;
    if (rd_resync(rd, NULL, NULL, &err) < 0)
        kj_error_log_release(&err, "resync");
}

static void ev_event_cb(const struct kj_docker_event *ev, void *data)
{
    struct kj_runtime_docker *rd = data;
    if (strcmp(ev->type, "container") != 0 || ev->id[0] == '\0')
        return;
    struct kj_pod_obs id;
    memset(&id, 0, sizeof id);
    if (kj_pod_obs_identity_from_labels(ev->attributes, &id) < 0)
        return;
    if (strcmp(ev->action, "destroy") == 0) {
        struct rd_pod *p = rd_pod_find(rd, id.pod_name);
        if (p == NULL) {
            p = rd_pod_upsert(rd, &id);
        } else if (p->container_id != NULL && strcmp(p->container_id, ev->id) != 0) {
            return; /* an older container of that name */
        }
        if (p->create != NULL)
            return; /* being recreated */
        p->state = KJ_POD_OBS_REMOVED;
        rd_pod_emit(rd, p);
        rd_pod_drop(rd, p);
        return;
    }
    if (strcmp(ev->action, "die") == 0)
        note_clean_exit(rd, &id, ev);
    /* start, die, oom: the inspect carries the whole truth. */
    rd_inspect_and_emit(rd, ev->id);
}

static void ev_disconnect_cb(kj_error_t err, int retry_in_ms, void *data)
{
    struct kj_runtime_docker *rd = data;
    if (rd->events_up) {
        kj_log(KJ_LOG_WARN, "engine events stream lost (%s); retrying in %d ms",
               err ? err->msg : "closed", retry_in_ms);
        rd->outage_from = now_ns();
        rd->outage_to = 0;
    }
    rd->events_up = false;
}

static void tick_cb(evutil_socket_t fd, short what, void *data)
{
    struct kj_runtime_docker *rd = data;
    (void)fd;
    (void)what;
    rd_ensure_network(rd);
    /* The driver lists on its own period too: one listing per period is
     * enough to catch what the events stream missed. */
    if (now_ns() - rd->last_resync_ns < rd->resync_period_ms * INT64_C(500000))
        return;
    kj_error_t err = NULL;
    if (rd->events_up && rd_resync(rd, NULL, NULL, &err) < 0)
        kj_error_log_release(&err, "resync");
}

/* ---- lifecycle ---- */

struct kj_runtime_docker *kj_runtime_docker_new(struct event_base *base, struct kj_docker *docker,
                                                const struct kj_runtime_docker_opts *opts,
                                                kj_error_t *err)
{
    if (opts == NULL || opts->network == NULL || opts->network[0] == '\0') {
        kj_make_error(err, 0, "docker runtime needs a network name");
        return NULL;
    }
    struct kj_runtime_docker *rd = xcalloc(1, sizeof *rd);
    rd->base = base;
    rd->d = docker;
    rd->network = xstrdup(opts->network);
    rd->network_internal = opts->network_internal;
    rd->offline = opts->offline;
    rd->pull_strict = opts->pull_strict;
    rd->resync_period_ms = opts->resync_period_ms > 0 ? opts->resync_period_ms : 10000;
    rd->pull_backoff_max_ms = opts->pull_backoff_max_ms > 0 ? opts->pull_backoff_max_ms : 300000;
    if (opts->state_dir != NULL) {
        rd->pods_dir = xasprintf("%s/pods", opts->state_dir);
        mkdir(rd->pods_dir, 0700); /* an existing one is fine; failures show at first use */
    }
    LIST_INIT(&rd->pods);
    LIST_INIT(&rd->reqs);
    rd_node_from_this_host(rd);
    return rd;
}

int kj_runtime_docker_start(struct kj_runtime_docker *rd, kj_error_t *err)
{
    static const char *const types[] = {"container", NULL};
    static const char *const labels[] = {KJ_LABEL_MANAGED "=true", NULL};
    static const char *const actions[] = {"start", "die", "oom", "destroy", NULL};
    struct kj_docker_events_opts eo = {.types = types, .labels = labels, .actions = actions};
    struct kj_docker_events_cbs cbs = {ev_resync_cb, ev_event_cb, ev_disconnect_cb};
    rd->events = kj_docker_events(rd->d, &eo, &cbs, rd, err);
    if (rd->events == NULL)
        return kj_error_wrap(err, "open the engine's events stream");
    rd->tick = event_new(rd->base, -1, EV_PERSIST, tick_cb, rd);
    if (rd->tick == NULL)
        return kj_make_error(err, 0, "create the resync timer");
    struct timeval tv = {(time_t)(rd->resync_period_ms / 1000), (suseconds_t)((rd->resync_period_ms % 1000) * 1000)};
    event_add(rd->tick, &tv);
    rd_ensure_network(rd);
    return 0;
}

void kj_runtime_docker_set_event_sink(struct kj_runtime_docker *rd, kj_runtime_docker_event_cb cb,
                                      void *arg)
{
    rd->event_cb = cb;
    rd->event_arg = arg;
}

void kj_runtime_docker_set_change_hook(struct kj_runtime_docker *rd, void (*cb)(void *arg),
                                       void *arg)
{
    rd->change_cb = cb;
    rd->change_arg = arg;
}

bool kj_runtime_docker_ready(const struct kj_runtime_docker *rd, const char **why)
{
    const char *w = NULL;
    if (!rd->events_up)
        w = "engine unreachable: the events stream is not connected";
    else if (!rd->network_ok)
        w = "the pod network is not ready yet";
    if (why != NULL)
        *why = w;
    return w == NULL;
}

void kj_runtime_docker_free(struct kj_runtime_docker *rd)
{
    if (rd == NULL)
        return;
    if (rd->tick != NULL)
        event_free(rd->tick);
    if (rd->events != NULL)
        kj_docker_cancel(rd->events);
    rd->shutting_down = true;
    rd->obs_cb = NULL;
    rd_creates_free_all(rd);
    struct rd_req *r;
    while ((r = LIST_FIRST(&rd->reqs)) != NULL) {
        if (r->h != NULL)
            kj_docker_cancel(r->h);
        if (r->on_cancel != NULL)
            r->on_cancel(r);
        rd_req_done(r);
    }
    while (!LIST_EMPTY(&rd->pods))
        rd_pod_drop(rd, LIST_FIRST(&rd->pods));
    free(rd->network);
    free(rd->pods_dir);
    free(rd);
}
