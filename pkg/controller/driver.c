/* Job controller driver: state, triggers, timers, the observation cache and
 * resync. The sync itself and action execution are in driver_sync.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h> /* getrandom */
#include <time.h>

#include <event2/event.h>

#include "controller/driver-internal.h"
#include "controller/pod_view.h"
#include "store/store.h"
#include "util/log.h"
#include "util/xalloc.h"

static char *dup_or_null(const char *s)
{
    return s != NULL ? xstrdup(s) : NULL;
}

void kj_job_driver_config_defaults(struct kj_job_driver_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    kj_sync_config_defaults(&cfg->sync);
    cfg->resync_period = 30 * KJ_NS_PER_SEC;
    cfg->retry_delay = 2 * KJ_NS_PER_SEC;
}

static int64_t real_now(void *arg)
{
    (void)arg;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * KJ_NS_PER_SEC + ts.tv_nsec;
}

static void real_rand(void *arg, unsigned char *buf, size_t n)
{
    (void)arg;
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(buf + got, n - got, 0);
        if (r <= 0)
            kj_panic(__FILE__, __LINE__, "getrandom failed");
        got += (size_t)r;
    }
}

int64_t kj_drv_now(struct kj_job_driver *d)
{
    return d->cfg.now(d->cfg.now_arg);
}

/* ---- jobs ---- */

struct djob *kj_drv_job_find(struct kj_job_driver *d, const char *ns, const char *name)
{
    for (int i = 0; i < d->njobs; i++)
        if (strcmp(d->jobs[i]->ns, ns) == 0 && strcmp(d->jobs[i]->name, name) == 0)
            return d->jobs[i];
    return NULL;
}

static void sync_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct djob *j = arg;
    if (!j->d->listed)
        return; /* the first list triggers every Job */
    kj_drv_sync(j);
}

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct djob *j = arg;
    j->timer_at = 0;
    if (j->d->listed)
        kj_drv_sync(j);
}

struct djob *kj_drv_job_get(struct kj_job_driver *d, const char *ns, const char *name,
                            const char *uid)
{
    struct djob *j = kj_drv_job_find(d, ns, name);
    if (j != NULL)
        return j;
    j = xcalloc(1, sizeof(*j));
    j->d = d;
    j->ns = xstrdup(ns);
    j->name = xstrdup(name);
    j->uid = xstrdup(uid != NULL ? uid : "");
    j->batch_size = 1;
    j->ev_sync = event_new(d->base, -1, 0, sync_cb, j);
    j->ev_timer = evtimer_new(d->base, timer_cb, j);
    if (j->ev_sync == NULL || j->ev_timer == NULL)
        kj_panic(__FILE__, __LINE__, "event_new failed");
    if (d->njobs == d->cap_jobs) {
        d->cap_jobs = d->cap_jobs ? d->cap_jobs * 2 : 8;
        d->jobs = xrealloc(d->jobs, sizeof(*d->jobs) * (size_t)d->cap_jobs);
    }
    d->jobs[d->njobs++] = j;
    return j;
}

void kj_drv_job_drop(struct djob *j)
{
    struct kj_job_driver *d = j->d;
    for (int i = 0; i < d->njobs; i++)
        if (d->jobs[i] == j) {
            d->jobs[i] = d->jobs[--d->njobs];
            break;
        }
    event_free(j->ev_sync);
    event_free(j->ev_timer);
    for (int i = 0; i < j->ncreates; i++) {
        free(j->creates[i].name);
        free(j->creates[i].uid);
    }
    free(j->creates);
    for (int i = 0; i < j->nbusy; i++)
        free(j->busy[i]);
    free(j->busy);
    for (int i = 0; i < j->nagg; i++) {
        free(j->agg[i].key);
        free(j->agg[i].name);
    }
    free(j->agg);
    free(j->ns);
    free(j->name);
    free(j->uid);
    free(j);
}

void kj_drv_trigger(struct djob *j)
{
    event_active(j->ev_sync, 0, 0);
}

void kj_drv_arm(struct djob *j, int64_t at)
{
    if (at <= 0)
        return;
    if (j->timer_at != 0 && j->timer_at <= at && evtimer_pending(j->ev_timer, NULL))
        return;
    int64_t delta = at - kj_drv_now(j->d);
    if (delta < 0)
        delta = 0;
    /* Rounded up to the timer's microsecond: firing a few ns before `at`
     * would find a hold still on, and nothing would wake the Job again. */
    delta += 999;
    struct timeval tv = {(time_t)(delta / KJ_NS_PER_SEC),
                         (suseconds_t)(delta % KJ_NS_PER_SEC / 1000)};
    j->timer_at = at;
    evtimer_add(j->ev_timer, &tv);
}

void kj_job_driver_trigger(struct kj_job_driver *d, const char *ns, const char *name)
{
    struct djob *j = kj_drv_job_find(d, ns, name);
    if (j != NULL)
        kj_drv_trigger(j);
}

static struct djob *job_by_uid(struct kj_job_driver *d, const char *uid)
{
    for (int i = 0; uid != NULL && i < d->njobs; i++)
        if (strcmp(d->jobs[i]->uid, uid) == 0)
            return d->jobs[i];
    return NULL;
}

/* ---- observation cache ---- */

struct dpod *kj_drv_pod_find(struct kj_job_driver *d, const char *ns, const char *name)
{
    for (int i = 0; i < d->npods; i++)
        if (strcmp(d->pods[i]->name, name) == 0 && strcmp(d->pods[i]->ns, ns) == 0)
            return d->pods[i];
    return NULL;
}

static void dpod_clear(struct dpod *p)
{
    free(p->ns);
    free(p->name);
    free(p->uid);
    free(p->job_uid);
    free(p->job_name);
    free(p->cid);
    free(p->wreason);
    free(p->wmsg);
    free(p->ip);
    cJSON_Delete(p->containers);
    p->containers = NULL;
}

void kj_drv_pod_put(struct kj_job_driver *d, const struct kj_pod_obs *o)
{
    if (o->ns == NULL || o->pod_name == NULL)
        return;
    struct dpod *p = kj_drv_pod_find(d, o->ns, o->pod_name);
    if (p == NULL) {
        p = xcalloc(1, sizeof(*p));
        if (d->npods == d->cap_pods) {
            d->cap_pods = d->cap_pods ? d->cap_pods * 2 : 32;
            d->pods = xrealloc(d->pods, sizeof(*d->pods) * (size_t)d->cap_pods);
        }
        d->pods[d->npods++] = p;
    } else {
        /* Keep what a later observation may lack (the exit of a removed
         * container, the id once known). */
        if (o->state == KJ_POD_OBS_REMOVED && o->finished_at == 0 && p->finished != 0) {
            p->state = KJ_POD_OBS_REMOVED;
            p->seq = ++d->seq;
            return;
        }
        dpod_clear(p);
    }
    p->ns = xstrdup(o->ns);
    p->name = xstrdup(o->pod_name);
    p->uid = xstrdup(o->pod_uid != NULL ? o->pod_uid : "");
    p->job_uid = xstrdup(o->job_uid != NULL ? o->job_uid : "");
    p->job_name = xstrdup(o->job_name != NULL ? o->job_name : "");
    p->cid = dup_or_null(o->container_id);
    p->wreason = dup_or_null(o->waiting_reason);
    p->wmsg = dup_or_null(o->waiting_message);
    p->ip = dup_or_null(o->pod_ip);
    p->containers = o->containers != NULL ? cJSON_Duplicate(o->containers, 1) : NULL;
    p->index = o->index;
    p->state = o->state;
    p->exit_code = o->exit_code;
    p->oom = o->oom_killed;
    p->created = o->created_at;
    p->started = o->started_at;
    p->finished = o->finished_at;
    p->seq = ++d->seq;
}

void kj_drv_pod_fill_obs(const struct dpod *p, struct kj_pod_obs *o)
{
    memset(o, 0, sizeof(*o));
    o->ns = p->ns;
    o->pod_name = p->name;
    o->pod_uid = p->uid;
    o->job_uid = p->job_uid;
    o->job_name = p->job_name;
    o->index = p->index;
    o->container_id = p->cid;
    o->state = p->state;
    o->waiting_reason = p->wreason;
    o->waiting_message = p->wmsg;
    o->exit_code = p->exit_code;
    o->oom_killed = p->oom;
    o->created_at = p->created;
    o->started_at = p->started;
    o->finished_at = p->finished;
    o->pod_ip = p->ip;
    o->containers = p->containers;
}

static void obs_cb(void *arg, const struct kj_pod_obs *o)
{
    struct kj_job_driver *d = arg;
    kj_drv_pod_put(d, o);
    struct djob *j = job_by_uid(d, o->job_uid);
    if (j != NULL)
        kj_drv_trigger(j);
}

/* ---- resync ---- */

static void retry_list_later(struct kj_job_driver *d)
{
    struct timeval tv = {(time_t)(d->cfg.retry_delay / KJ_NS_PER_SEC),
                         (suseconds_t)(d->cfg.retry_delay % KJ_NS_PER_SEC / 1000)};
    evtimer_add(d->ev_list_retry, &tv);
}

static void list_done_cb(void *arg, const struct kj_pod_obs *pods, int n, const kj_error_t err)
{
    struct dlist *ctx = arg;
    struct kj_job_driver *d = ctx->d;
    free(ctx);
    if (d == NULL)
        return; /* the driver was freed meanwhile */
    d->list_inflight = NULL;
    if (err != NULL) {
        kj_log(KJ_LOG_WARN, "controller: list containers: %s", err->msg);
        retry_list_later(d);
        return;
    }
    for (int i = 0; i < n; i++)
        kj_drv_pod_put(d, &pods[i]);
    /* Entries neither listed nor updated since the request are gone. */
    for (int i = 0; i < d->npods; i++) {
        struct dpod *p = d->pods[i];
        if (p->seq <= d->list_seq && p->state != KJ_POD_OBS_REMOVED) {
            p->state = KJ_POD_OBS_REMOVED;
            p->seq = ++d->seq;
        }
    }
    d->listed = true;
    for (int i = 0; i < d->njobs; i++)
        kj_drv_trigger(d->jobs[i]);
}

static void request_list(struct kj_job_driver *d)
{
    if (d->list_inflight)
        return;
    kj_error_t err = NULL;
    d->list_seq = d->seq;
    struct dlist *ctx = xcalloc(1, sizeof(*ctx));
    ctx->d = d;
    if (d->rt.ops->pod_list(d->rt.impl, list_done_cb, ctx, &err) < 0) {
        free(ctx);
        kj_log(KJ_LOG_WARN, "controller: list containers: %s", err != NULL ? err->msg : "refused");
        kj_error_release(&err);
        retry_list_later(d);
        return;
    }
    d->list_inflight = ctx;
}

static void resync_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    request_list(arg);
}

/* ---- store watch ---- */

static void watch_cb(const struct kj_store_event *ev, void *data)
{
    struct kj_job_driver *d = data;
    const cJSON *md = cJSON_GetObjectItemCaseSensitive(ev->object, "metadata");
    const char *uid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md, "uid"));
    if (ev->ns == NULL || ev->name == NULL)
        return;
    if (ev->type == KJ_STORE_MODIFIED && ev->rv == d->last_write_rv)
        return; /* our own status write */
    struct djob *j = kj_drv_job_get(d, ev->ns, ev->name, uid);
    kj_drv_trigger(j);
}

static int add_stored_job(const char *ns, const char *name, const cJSON *obj, void *data)
{
    const cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
    const char *uid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md, "uid"));
    if (ns != NULL && name != NULL)
        kj_drv_job_get(data, ns, name, uid);
    return 0;
}

/* ---- lifecycle ---- */

struct kj_job_driver *kj_job_driver_new(struct event_base *base, struct kj_store *store,
                                        struct kj_runtime rt,
                                        const struct kj_job_driver_config *cfg, kj_error_t *err)
{
    if (base == NULL || store == NULL || rt.ops == NULL)
        return kj_make_error(err, EINVAL, "job driver needs an event base, a store and a runtime"),
               NULL;
    struct kj_job_driver *d = xcalloc(1, sizeof(*d));
    d->base = base;
    d->store = store;
    d->rt = rt;
    if (cfg != NULL)
        d->cfg = *cfg;
    else
        kj_job_driver_config_defaults(&d->cfg);
    if (d->cfg.now == NULL)
        d->cfg.now = real_now;
    if (d->cfg.rand_bytes == NULL)
        d->cfg.rand_bytes = real_rand;
    if (d->cfg.retry_delay <= 0)
        d->cfg.retry_delay = 2 * KJ_NS_PER_SEC;
    d->ev_resync = event_new(base, -1, EV_PERSIST, resync_cb, d);
    d->ev_list_retry = evtimer_new(base, resync_cb, d);
    if (d->ev_resync == NULL || d->ev_list_retry == NULL) {
        if (d->ev_resync != NULL)
            event_free(d->ev_resync);
        if (d->ev_list_retry != NULL)
            event_free(d->ev_list_retry);
        free(d);
        return kj_make_error(err, ENOMEM, "create resync timer"), NULL;
    }
    return d;
}

int kj_job_driver_start(struct kj_job_driver *d, kj_error_t *err)
{
    d->rt.ops->set_observer(d->rt.impl, obs_cb, d);
    kj_store_list(d->store, "jobs", NULL, add_stored_job, d);
    d->watch = kj_store_watch(d->store, "jobs", NULL, 0, watch_cb, d, err);
    if (d->watch == NULL)
        return kj_error_wrap(err, "watch jobs");
    if (d->cfg.resync_period > 0) {
        struct timeval tv = {(time_t)(d->cfg.resync_period / KJ_NS_PER_SEC),
                             (suseconds_t)(d->cfg.resync_period % KJ_NS_PER_SEC / 1000)};
        event_add(d->ev_resync, &tv);
    }
    /* An engine that is down now is not fatal: the list is retried. */
    request_list(d);
    return 0;
}

struct dop *kj_drv_op_new(struct kj_job_driver *d, struct djob *j, enum dop_kind k,
                          const char *pod)
{
    struct dop *op = xcalloc(1, sizeof(*op));
    op->d = d;
    op->kind = k;
    op->ns = xstrdup(j->ns);
    op->job_name = xstrdup(j->name);
    op->job_uid = xstrdup(j->uid);
    op->pod = xstrdup(pod);
    op->next = d->ops;
    if (d->ops != NULL)
        d->ops->prev = op;
    d->ops = op;
    return op;
}

void kj_drv_op_free(struct dop *op)
{
    if (op->d != NULL) {
        if (op->prev != NULL)
            op->prev->next = op->next;
        else
            op->d->ops = op->next;
        if (op->next != NULL)
            op->next->prev = op->prev;
    }
    free(op->ns);
    free(op->job_name);
    free(op->job_uid);
    free(op->pod);
    free(op);
}

void kj_job_driver_free(struct kj_job_driver *d)
{
    if (d == NULL)
        return;
    for (struct dop *op = d->ops; op != NULL; op = op->next)
        op->d = NULL;
    if (d->list_inflight != NULL)
        d->list_inflight->d = NULL;
    if (d->watch != NULL)
        kj_store_unwatch(d->store, d->watch);
    if (d->rt.ops != NULL && d->rt.ops->set_observer != NULL)
        d->rt.ops->set_observer(d->rt.impl, NULL, NULL);
    while (d->njobs > 0)
        kj_drv_job_drop(d->jobs[0]);
    free(d->jobs);
    for (int i = 0; i < d->npods; i++) {
        dpod_clear(d->pods[i]);
        free(d->pods[i]);
    }
    free(d->pods);
    event_free(d->ev_resync);
    event_free(d->ev_list_retry);
    free(d);
}
