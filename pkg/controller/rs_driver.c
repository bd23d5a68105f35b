/* ReplicaSet controller driver and the tee runtime; see rs_driver.h. */
#include "controller/rs_driver.h"
#include "controller/rs_driver-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "api/time.h"
#include "controller/rs_sync.h"
#include "controller/svc_publish.h" /* kj_svc_publisher_new */
#include "store/store.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

enum { ROP_CREATE = 1, ROP_REMOVE, ROP_RESTART, ROP_STOP };

#define RS "replicasets"

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *gets(const cJSON *o, const char *k)
{
    return cJSON_GetStringValue(get(o, k));
}

/* ---- ops and pods ---- */

struct rop *kj_rs_op_new(struct kj_rs_driver *d, int kind, const char *ns, const char *pod,
                         const char *owner_uid)
{
    struct rop *op = xcalloc(1, sizeof *op);
    op->d = d;
    op->kind = kind;
    op->ns = xstrdup(ns);
    op->pod = xstrdup(pod);
    op->owner_uid = owner_uid != NULL ? xstrdup(owner_uid) : NULL;
    op->next = d->ops;
    if (d->ops != NULL)
        d->ops->prev = op;
    d->ops = op;
    return op;
}

void kj_rs_op_free(struct rop *op)
{
    if (op->prev != NULL)
        op->prev->next = op->next;
    else
        op->d->ops = op->next;
    if (op->next != NULL)
        op->next->prev = op->prev;
    free(op->ns);
    free(op->pod);
    free(op->owner_uid);
    free(op->owner_name);
    free(op->aliases);
    free(op->ext);
    free(op);
}

struct rpod *kj_rs_pod_find(struct kj_rs_driver *d, const char *ns, const char *name)
{
    for (int i = 0; i < d->npods; i++)
        if (strcmp(d->pods[i]->name, name) == 0 && strcmp(d->pods[i]->ns, ns) == 0)
            return d->pods[i];
    return NULL;
}

static void set_str(char **dst, const char *v)
{
    if (v == NULL || (*dst != NULL && strcmp(*dst, v) == 0))
        return;
    free(*dst);
    *dst = xstrdup(v);
}

static struct rpod *pod_add(struct kj_rs_driver *d, const char *ns, const char *name,
                            const char *uid, const char *owner_uid, const char *owner_name)
{
    if (d->npods == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        d->pods = xrealloc(d->pods, (size_t)d->cap * sizeof *d->pods);
    }
    struct rpod *p = xcalloc(1, sizeof *p);
    p->ns = xstrdup(ns);
    p->name = xstrdup(name);
    p->uid = xstrdup(uid != NULL ? uid : "");
    p->owner_uid = xstrdup(owner_uid != NULL ? owner_uid : "");
    p->owner_name = xstrdup(owner_name);
    d->pods[d->npods++] = p;
    return p;
}

static void pod_free(struct rpod *p)
{
    free(p->ns);
    free(p->name);
    free(p->uid);
    free(p->owner_uid);
    free(p->owner_name);
    free(p->cid);
    free(p->ip);
    free(p->aliases);
    free(p);
}

static void pod_drop(struct kj_rs_driver *d, struct rpod *p)
{
    for (int i = 0; i < d->npods; i++) {
        if (d->pods[i] == p) {
            d->pods[i] = d->pods[--d->npods];
            pod_free(p);
            return;
        }
    }
}

const cJSON *kj_rs_owner(struct kj_rs_driver *d, const struct rpod *p)
{
    if (p->job)
        return NULL;
    const cJSON *rs = kj_store_get(d->store, RS, p->ns, p->owner_name);
    const char *uid = gets(get(rs, "metadata"), "uid");
    return uid != NULL && strcmp(uid, p->owner_uid) == 0 ? rs : NULL;
}

const cJSON *kj_rs_pod_template(struct kj_rs_driver *d, const struct rpod *p)
{
    const cJSON *o = p->job ? kj_store_get(d->store, "jobs", p->ns, p->owner_name) : kj_rs_owner(d, p);
    const char *uid = gets(get(o, "metadata"), "uid");
    if (uid == NULL || strcmp(uid, p->owner_uid) != 0)
        return NULL;
    return get(get(o, "spec"), "template");
}

/* ---- triggers ---- */

void kj_rs_trigger(struct kj_rs_driver *d)
{
    if (d->sync_ev != NULL && !evtimer_pending(d->sync_ev, NULL)) {
        struct timeval tv = {0, 0};
        evtimer_add(d->sync_ev, &tv);
    }
}

static void arm_wake(struct kj_rs_driver *d, int64_t at)
{
    if (at == 0 || (d->wake_at != 0 && d->wake_at <= at && evtimer_pending(d->wake_ev, NULL)))
        return;
    d->wake_at = at;
    int64_t delta = at - kj_time_now_ns();
    if (delta < 0)
        delta = 0;
    struct timeval tv = {(time_t)(delta / 1000000000), (suseconds_t)(delta % 1000000000 / 1000)};
    evtimer_add(d->wake_ev, &tv);
}

static void wake_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct kj_rs_driver *d = arg;
    d->wake_at = 0;
    kj_rs_trigger(d);
}

/* ---- operations ---- */

static const cJSON *rs_by_uid(struct kj_rs_driver *d, const char *ns, const char *uid,
                              const char *name)
{
    const cJSON *rs = kj_store_get(d->store, RS, ns, name);
    const char *u = gets(get(rs, "metadata"), "uid");
    return u != NULL && strcmp(u, uid) == 0 ? rs : NULL;
}

static void issue_pod_op(struct kj_rs_driver *d, struct rpod *p, int kind, const char *why,
                         int grace);

static void op_done_cb(void *arg, const char *cid, const kj_error_t err)
{
    struct rop *op = arg;
    struct kj_rs_driver *d = op->d;
    struct rpod *p = kj_rs_pod_find(d, op->ns, op->pod);
    const cJSON *rs = rs_by_uid(d, op->ns, op->owner_uid, op->owner_name);
    if (p != NULL)
        p->busy = false;
    switch (op->kind) {
    case ROP_CREATE:
        if (err == NULL) {
            if (p != NULL) {
                set_str(&p->cid, cid);
                if (p->state < KJ_POD_OBS_RUNNING)
                    p->state = KJ_POD_OBS_RUNNING;
                if (p->started_at == 0)
                    p->started_at = kj_time_now_ns();
            }
            if (rs != NULL)
                kj_rs_emit(d, rs, false, "SuccessfulCreate", "Created pod: %s", op->pod);
        } else {
            if (rs != NULL)
                kj_rs_emit(d, rs, true, "FailedCreate", "Error creating: %s", err->msg);
            if (p != NULL)
                pod_drop(d, p);
        }
        break;
    case ROP_REMOVE:
        if (err == NULL) {
            /* A client's delete is not the controller's to announce. */
            if (rs != NULL && !op->quiet)
                kj_rs_emit(d, rs, false, "SuccessfulDelete", "Deleted pod: %s", op->pod);
            if (p != NULL)
                pod_drop(d, p);
        } else if (rs != NULL) {
            kj_rs_emit(d, rs, true, "FailedDelete", "Error deleting: %s", err->msg);
        }
        break;
    case ROP_STOP:
        /* A client's delete: the pod has stopped (or could not be asked
         * to), now it goes. */
        if (err != NULL)
            kj_log(KJ_LOG_WARN, "replicaset controller: stop `%s/%s`: %s", op->ns, op->pod,
                   err->msg);
        if (p != NULL)
            issue_pod_op(d, p, ROP_REMOVE, "deleted", 0);
        break;
    case ROP_RESTART:
        if (err != NULL) {
            kj_log(KJ_LOG_WARN, "replicaset controller: restart `%s/%s`: %s", op->ns, op->pod,
                   err->msg);
            /* Wait a backoff again rather than retrying at once. */
            if (p != NULL)
                p->finished_at = kj_time_now_ns();
        } else if (p != NULL && p->state == KJ_POD_OBS_EXITED) {
            /* Started again; the engine's event may lag behind. */
            p->state = KJ_POD_OBS_RUNNING;
            p->started_at = kj_time_now_ns();
        }
        break;
    default:
        break;
    }
    kj_rs_op_free(op);
    kj_rs_trigger(d);
}

static void issue_create(struct kj_rs_driver *d, const cJSON *rs)
{
    const cJSON *md = get(rs, "metadata");
    const char *ns = gets(md, "namespace"), *name = gets(md, "name"), *uid = gets(md, "uid");
    const cJSON *tmpl = get(get(rs, "spec"), "template");
    char sfx[6], pod[128];
    do {
        kj_rs_random_suffix(sfx, 5);
        snprintf(pod, sizeof pod, "%.57s-%s", name, sfx);
    } while (kj_rs_pod_find(d, ns, pod) != NULL);
    cleanup_free char *pod_uid = kj_rs_uuid_new();
    cleanup_free char *job_name = xasprintf(KJ_RS_JOB_NAME_PREFIX "%s", name);
    cleanup_cjson cJSON *labels = cJSON_Duplicate(get(get(tmpl, "metadata"), "labels"), 1);
    if (!cJSON_IsObject(labels)) {
        cJSON_Delete(labels);
        labels = cJSON_CreateObject();
    }
    cJSON_AddStringToObject(labels, KJ_LABEL_OWNER_UID, uid);
    cJSON_AddStringToObject(labels, KJ_LABEL_JOB_NAME, job_name);
    cJSON_AddStringToObject(labels, KJ_LABEL_NAMESPACE, ns);
    cJSON_AddStringToObject(labels, KJ_LABEL_POD_NAME, pod);
    cJSON_AddStringToObject(labels, KJ_LABEL_POD_UID, pod_uid);
    const cJSON *c0 = cJSON_GetArrayItem(get(get(tmpl, "spec"), "containers"), 0);
    const char *policy = gets(c0, "imagePullPolicy");
    struct kj_runtime_pod_req req = {
        .ns = ns,
        .job_name = job_name,
        .job_uid = uid,
        .pod_name = pod,
        .pod_uid = pod_uid,
        .index = -1,
        .pod_template = tmpl,
        .labels = labels,
        .annotations = get(get(tmpl, "metadata"), "annotations"),
        .hostname = pod,
        .image_pull_policy = policy != NULL ? policy : "IfNotPresent",
    };
    struct rpod *p = pod_add(d, ns, pod, pod_uid, uid, name);
    p->state = KJ_POD_OBS_CREATING;
    p->created_at = kj_time_now_ns();
    p->busy = true;
    struct rop *op = kj_rs_op_new(d, ROP_CREATE, ns, pod, uid);
    op->owner_name = xstrdup(name);
    kj_error_t err = NULL;
    if (d->inner.ops->pod_create(d->inner.impl, &req, op_done_cb, op, &err) < 0) {
        kj_rs_emit(d, rs, true, "FailedCreate", "Error creating: %s",
             err != NULL && err->msg != NULL ? err->msg : "runtime refused");
        kj_error_release(&err);
        kj_rs_op_free(op);
        pod_drop(d, p);
        arm_wake(d, kj_time_now_ns() + INT64_C(2000000000));
    }
}

/* grace: seconds, ROP_STOP only. */
static void issue_pod_op(struct kj_rs_driver *d, struct rpod *p, int kind, const char *why,
                         int grace)
{
    static const char *const verbs[] = {[ROP_REMOVE] = "removing", [ROP_RESTART] = "restarting",
                                        [ROP_STOP] = "stopping"};
    kj_log(KJ_LOG_INFO, "replicaset controller: %s pod `%s/%s` (%s)", verbs[kind], p->ns, p->name,
           why);
    struct kj_runtime_pod_ref ref = {.ns = p->ns, .pod_name = p->name, .container_id = p->cid};
    struct rop *op = kj_rs_op_new(d, kind, p->ns, p->name, p->owner_uid);
    op->owner_name = xstrdup(p->owner_name);
    op->quiet = p->delete_at != 0;
    kj_error_t err = NULL;
    int rc = kind == ROP_REMOVE ? d->inner.ops->pod_remove(d->inner.impl, &ref, op_done_cb, op, &err)
             : kind == ROP_STOP
                 ? d->inner.ops->pod_stop(d->inner.impl, &ref, grace, op_done_cb, op, &err)
                 : d->inner.ops->pod_restart(d->inner.impl, &ref, op_done_cb, op, &err);
    if (rc < 0) {
        kj_error_log_release(&err, "replicaset controller: pod operation");
        kj_rs_op_free(op);
        arm_wake(d, kj_time_now_ns() + INT64_C(2000000000));
        return;
    }
    p->busy = true;
    if (kind == ROP_REMOVE || kind == ROP_STOP)
        p->deleting = true;
}

int kj_rs_driver_pod_delete(struct kj_rs_driver *d, const char *ns, const char *name,
                            int grace_s, const char *uid, bool dry_run, cJSON **pod,
                            kj_error_t *err)
{
    struct rpod *p = kj_rs_pod_find(d, ns, name);
    const cJSON *rs = p != NULL && !p->job ? kj_rs_owner(d, p) : NULL;
    if (rs == NULL)
        return 0;
    if (uid != NULL && strcmp(uid, p->uid) != 0)
        return kj_make_http_error(
            err, 409, "Precondition failed: UID in precondition: %s, UID in object meta: %s", uid,
            p->uid);
    if (grace_s < 0) {
        const cJSON *g = get(get(get(get(rs, "spec"), "template"), "spec"),
                             "terminationGracePeriodSeconds");
        grace_s = cJSON_IsNumber(g) && g->valuedouble >= 0 ? (int)g->valuedouble : 30;
    }
    int64_t at = kj_time_now_ns() + (int64_t)grace_s * INT64_C(1000000000);
    if (dry_run || p->deleting) {
        *pod = kj_rs_driver_pod(d, ns, name);
        if (p->delete_at == 0) { /* what the delete would show */
            char ts[KJ_RFC3339_BUFSZ];
            kj_rfc3339_format(at, ts, sizeof ts);
            cJSON *md = cJSON_GetObjectItemCaseSensitive(*pod, "metadata");
            cJSON_AddStringToObject(md, "deletionTimestamp", ts);
            cJSON_AddNumberToObject(md, "deletionGracePeriodSeconds", grace_s);
        }
        return 1;
    }
    p->delete_at = at;
    p->delete_grace = grace_s;
    /* Out of the ReplicaSet's count at once: its replacement is created
     * while it stops, as upstream's controller does. */
    issue_pod_op(d, p, ROP_STOP, "deleted by a client", grace_s);
    p->deleting = true;
    kj_rs_trigger(d);
    *pod = kj_rs_driver_pod(d, ns, name);
    return 1;
}

/* ---- one ReplicaSet ---- */

static void put_count(cJSON *st, const char *key, int v, bool always)
{
    if (v != 0 || always)
        cJSON_AddNumberToObject(st, key, v);
}

static void update_status(struct kj_rs_driver *d, const cJSON *rs, const struct kj_rs_status *s)
{
    const cJSON *md = get(rs, "metadata");
    cJSON *st = cJSON_CreateObject();
    put_count(st, "replicas", s->replicas, true);
    put_count(st, "fullyLabeledReplicas", s->fully_labeled, false);
    put_count(st, "readyReplicas", s->ready, false);
    put_count(st, "availableReplicas", s->available, false);
    const cJSON *gen = get(md, "generation");
    cJSON_AddNumberToObject(st, "observedGeneration", cJSON_IsNumber(gen) ? gen->valuedouble : 1);
    if (cJSON_Compare(st, get(rs, "status"), 1)) {
        cJSON_Delete(st);
        return;
    }
    cJSON *copy = cJSON_Duplicate(rs, 1);
    cJSON_DeleteItemFromObjectCaseSensitive(copy, "status");
    cJSON_AddItemToObject(copy, "status", st);
    kj_error_t err = NULL;
    /* Copies: the update frees the stored tree `rs` (and md) points into. */
    cleanup_free char *ns = xstrdup(gets(md, "namespace"));
    cleanup_free char *name = xstrdup(gets(md, "name"));
    if (kj_store_update(d->store, RS, ns, name, copy, gets(md, "resourceVersion"), NULL,
                        &err) < 0) {
        cJSON_Delete(copy);
        kj_error_log_release(&err, "replicaset controller: update status");
        arm_wake(d, kj_time_now_ns() + INT64_C(1000000000));
    }
}

static bool has_finalizer(const cJSON *rs, const char *f)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, get(get(rs, "metadata"), "finalizers"))
    {
        if (cJSON_IsString(e) && strcmp(e->valuestring, f) == 0)
            return true;
    }
    return false;
}

/* Any pod of ReplicaSet `uid` left, removals in flight included. */
static bool owns_pods(const struct kj_rs_driver *d, const char *ns, const char *uid)
{
    for (int i = 0; i < d->npods; i++)
        if (strcmp(d->pods[i]->owner_uid, uid) == 0 && strcmp(d->pods[i]->ns, ns) == 0)
            return true;
    return false;
}

/* Delete a ReplicaSet marked with finalizer `f` once its cascade is done.
 * It goes with its finalizers: store_cb reads them off the DELETED event. */
static void finish_deletion(struct kj_rs_driver *d, const cJSON *rs, const char *f)
{
    const cJSON *md = get(rs, "metadata");
    kj_error_t err = NULL;
    /* Copies: the deletion frees the stored tree `rs` (and md) points into. */
    cleanup_free char *ns = xstrdup(gets(md, "namespace"));
    cleanup_free char *name = xstrdup(gets(md, "name"));
    if (kj_store_delete(d->store, RS, ns, name, gets(md, "resourceVersion"), NULL, &err) < 0) {
        kj_error_log_release(&err, "replicaset controller: finish deletion");
        arm_wake(d, kj_time_now_ns() + INT64_C(1000000000));
        return;
    }
    kj_log(KJ_LOG_INFO, "replicaset controller: `%s/%s` deleted (%s)", ns, name, f);
}

static void sync_one(struct kj_rs_driver *d, const char *ns, const char *name)
{
    const cJSON *rs = kj_store_get(d->store, RS, ns, name);
    if (rs == NULL)
        return;
    const char *uid = gets(get(rs, "metadata"), "uid");
    if (uid == NULL)
        return;
    const cJSON *rep = get(get(rs, "spec"), "replicas");
    int replicas = cJSON_IsNumber(rep) ? rep->valueint : 1;
    if (get(get(rs, "metadata"), "deletionTimestamp") != NULL) {
        if (has_finalizer(rs, "orphan")) {
            /* The pods stay as they are: the DELETED event carries the
             * finalizer, so store_cb does not count the uid as dead. */
            finish_deletion(d, rs, "orphan");
            return;
        }
        if (has_finalizer(rs, "foregroundDeletion") && !owns_pods(d, ns, uid)) {
            finish_deletion(d, rs, "foregroundDeletion");
            return;
        }
        replicas = 0;
    }
    struct kj_rs_pod view[KJ_RS_MAX_PODS];
    struct rpod *refs[KJ_RS_MAX_PODS];
    int n = 0;
    for (int i = 0; i < d->npods && n < KJ_RS_MAX_PODS; i++) {
        struct rpod *p = d->pods[i];
        if (strcmp(p->owner_uid, uid) != 0 || strcmp(p->ns, ns) != 0 || p->deleting)
            continue;
        refs[n] = p;
        view[n] = (struct kj_rs_pod){.state = p->state,
                                     .ready = kj_rs_pod_ready(d, p),
                                     .busy = p->busy,
                                     .stranded = p->state == KJ_POD_OBS_CREATED &&
                                                 p->cid != NULL && !p->grouped,
                                     .restarts = p->restarts,
                                     .created_at = p->created_at,
                                     .finished_at = p->finished_at};
        n++;
    }
    struct kj_rs_decision *dec = xcalloc(1, sizeof *dec);
    kj_rs_sync(replicas, view, n, kj_time_now_ns(), d->backoff_base, d->backoff_max, dec);
    /* Write the status first: the actions' events then follow a state the
     * user can already read, as with the Job driver. */
    update_status(d, rs, &dec->status);
    rs = kj_store_get(d->store, RS, ns, name);
    for (int i = 0; i < dec->n_delete; i++)
        issue_pod_op(d, refs[dec->delete_idx[i]], ROP_REMOVE, "too many replicas", 0);
    for (int i = 0; i < dec->n_restart; i++)
        issue_pod_op(d, refs[dec->restart_idx[i]], ROP_RESTART,
                     refs[dec->restart_idx[i]]->state == KJ_POD_OBS_CREATED
                         ? "created, never started"
                         : "exited, backoff over",
                     0);
    for (int i = 0; i < dec->n_create && rs != NULL; i++)
        issue_create(d, rs);
    arm_wake(d, dec->wake_at);
    free(dec);
}

/* ---- sync of everything ---- */

struct key {
    char *ns, *name;
};

struct keys {
    struct key *v;
    int n, cap;
};

static int collect_cb(const char *ns, const char *name, const cJSON *obj, void *data)
{
    (void)obj;
    struct keys *k = data;
    if (k->n == k->cap) {
        k->cap = k->cap ? k->cap * 2 : 8;
        k->v = xrealloc(k->v, (size_t)k->cap * sizeof *k->v);
    }
    k->v[k->n++] = (struct key){xstrdup(ns), xstrdup(name)};
    return 0;
}

static bool uid_dead(const struct kj_rs_driver *d, const char *uid);

static void sync_all(struct kj_rs_driver *d)
{
    if (!d->listed)
        return;
    struct keys k = {0};
    kj_store_list(d->store, RS, NULL, collect_cb, &k);
    for (int i = 0; i < k.n; i++) {
        sync_one(d, k.v[i].ns, k.v[i].name);
        free(k.v[i].ns);
        free(k.v[i].name);
    }
    free(k.v);
    /* Cascade (Background): pods whose ReplicaSet is gone. */
    for (int i = 0; i < d->npods; i++) {
        struct rpod *p = d->pods[i];
        if (!p->busy && !p->deleting && p->state != KJ_POD_OBS_REMOVED &&
            uid_dead(d, p->owner_uid) && kj_rs_owner(d, p) == NULL)
            issue_pod_op(d, p, ROP_REMOVE, "its ReplicaSet is gone", 0);
    }
    kj_rs_services_sync(d);
}

static void sync_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    sync_all(arg);
}

/* ---- observations ---- */

static void observe(struct kj_rs_driver *d, const struct kj_pod_obs *o)
{
    if (o->job_name == NULL || o->job_uid == NULL)
        return;
    /* Job pods are tracked too, so that Services select them (aliases,
     * endpoints); the Job controller alone creates and removes them. */
    bool job = strncmp(o->job_name, KJ_RS_JOB_NAME_PREFIX, strlen(KJ_RS_JOB_NAME_PREFIX)) != 0;
    struct rpod *p = kj_rs_pod_find(d, o->ns, o->pod_name);
    if (o->state == KJ_POD_OBS_REMOVED) {
        if (p != NULL && !(p->busy && !p->deleting))
            pod_drop(d, p);
        kj_rs_trigger(d);
        return;
    }
    if (p == NULL) {
        p = pod_add(d, o->ns, o->pod_name, o->pod_uid, o->job_uid,
                    job ? o->job_name : o->job_name + strlen(KJ_RS_JOB_NAME_PREFIX));
        p->job = job;
    }
    p->seen = true;
    /* A create in flight already counts as running once the engine
     * answered; a late CREATING observation must not move it back. */
    if (!(p->busy && o->state < p->state))
        p->state = o->state;
    set_str(&p->cid, o->container_id);
    p->grouped = o->containers != NULL;
    if (o->pod_ip != NULL && o->pod_ip[0] != '\0' && p->aliases == NULL)
        set_str(&p->ip, o->pod_ip);
    if (o->created_at != 0 && p->created_at == 0)
        p->created_at = o->created_at;
    p->started_at = o->started_at;
    if (o->state == KJ_POD_OBS_EXITED && o->finished_at != 0 &&
        o->finished_at != p->counted_finish) {
        p->counted_finish = o->finished_at;
        p->finished_at = o->finished_at;
        p->restarts++;
    }
    kj_rs_trigger(d);
}

static void probe_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    kj_rs_probes_tick(arg);
}

static void tee_obs_cb(void *arg, const struct kj_pod_obs *obs)
{
    struct kj_rs_driver *d = arg;
    observe(d, obs);
    if (d->job_cb != NULL)
        d->job_cb(d->job_arg, obs);
}

static void list_done_cb(void *arg, const struct kj_pod_obs *pods, int n, const kj_error_t err)
{
    struct kj_rs_driver *d = arg;
    d->listing = false;
    if (err != NULL) {
        kj_log(KJ_LOG_WARN, "replicaset controller: list containers: %s", err->msg);
        return;
    }
    for (int i = 0; i < d->npods; i++)
        d->pods[i]->seen = false;
    for (int i = 0; i < n; i++)
        observe(d, &pods[i]);
    for (int i = 0; i < d->npods;) {
        struct rpod *p = d->pods[i];
        if (!p->seen && !p->busy) {
            pod_drop(d, p);
            continue;
        }
        i++;
    }
    d->listed = true;
    kj_rs_trigger(d);
}

static void resync_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct kj_rs_driver *d = arg;
    if (d->listing)
        return;
    kj_error_t err = NULL;
    d->listing = true;
    if (d->inner.ops->pod_list(d->inner.impl, list_done_cb, d, &err) < 0) {
        d->listing = false;
        kj_error_release(&err);
    }
}

/* ---- lifecycle ---- */

static void store_cb(const struct kj_store_event *ev, void *data)
{
    struct kj_rs_driver *d = data;
    const char *uid = cJSON_GetStringValue(get(get(ev->object, "metadata"), "uid"));
    if (ev->type == KJ_STORE_DELETED && strcmp(ev->resource, RS) == 0 && uid != NULL &&
        !has_finalizer(ev->object, "orphan")) {
        int n = (int)(sizeof d->dead_uids / sizeof d->dead_uids[0]);
        free(d->dead_uids[d->dead_next]);
        d->dead_uids[d->dead_next] = xstrdup(uid);
        d->dead_next = (d->dead_next + 1) % n;
    }
    kj_rs_trigger(d);
}

static bool uid_dead(const struct kj_rs_driver *d, const char *uid)
{
    for (size_t i = 0; i < sizeof d->dead_uids / sizeof d->dead_uids[0]; i++)
        if (d->dead_uids[i] != NULL && strcmp(d->dead_uids[i], uid) == 0)
            return true;
    return false;
}

struct kj_rs_driver *kj_rs_driver_new(struct event_base *base, struct kj_store *store,
                                      struct kj_docker *docker, const char *network,
                                      struct kj_runtime rt, int64_t backoff_base,
                                      int64_t backoff_max, kj_error_t *err)
{
    struct kj_rs_driver *d = xcalloc(1, sizeof *d);
    d->base = base;
    d->store = store;
    d->docker = docker;
    d->network = xstrdup(network != NULL ? network : "kjob");
    d->inner = rt;
    d->backoff_base = backoff_base > 0 ? backoff_base : INT64_C(10000000000);
    d->backoff_max = backoff_max > 0 ? backoff_max : INT64_C(300000000000);
    d->sync_ev = evtimer_new(base, sync_cb, d);
    d->wake_ev = evtimer_new(base, wake_cb, d);
    d->resync_ev = event_new(base, -1, EV_PERSIST, resync_cb, d);
    d->probe_ev = event_new(base, -1, EV_PERSIST, probe_cb, d);
    if (d->sync_ev == NULL || d->wake_ev == NULL || d->resync_ev == NULL || d->probe_ev == NULL) {
        kj_make_error(err, 0, "replicaset controller: create timers");
        kj_rs_driver_free(d);
        return NULL;
    }
    d->pub = kj_svc_publisher_new(base, kj_rs_publish_pick_cb, d, 0);
    rt.ops->set_observer(rt.impl, tee_obs_cb, d);
    return d;
}

int kj_rs_driver_start(struct kj_rs_driver *d, kj_error_t *err)
{
    d->w_rs = kj_store_watch(d->store, RS, NULL, 0, store_cb, d, err);
    if (d->w_rs == NULL)
        return -1;
    d->w_svc = kj_store_watch(d->store, "services", NULL, 0, store_cb, d, err);
    if (d->w_svc == NULL)
        return -1;
    struct timeval tv = {5, 0}, probe_tv = {0, 500000};
    event_add(d->resync_ev, &tv);
    event_add(d->probe_ev, &probe_tv);
    resync_cb(-1, 0, d);
    return 0;
}

struct event_base *kj_rs_driver_base(struct kj_rs_driver *d)
{
    return d->base;
}

void kj_rs_driver_free(struct kj_rs_driver *d)
{
    if (d == NULL)
        return;
    /* Listeners and proxied connections first: they ask the driver for
     * endpoints. */
    kj_svc_publisher_free(d->pub);
    while (d->ops != NULL)
        kj_rs_op_free(d->ops);
    kj_store_unwatch(d->store, d->w_rs);
    kj_store_unwatch(d->store, d->w_svc);
    for (int i = 0; i < d->npods; i++)
        pod_free(d->pods[i]);
    free(d->pods);
    if (d->sync_ev != NULL)
        event_free(d->sync_ev);
    if (d->wake_ev != NULL)
        event_free(d->wake_ev);
    if (d->resync_ev != NULL)
        event_free(d->resync_ev);
    if (d->probe_ev != NULL)
        event_free(d->probe_ev);
    for (size_t i = 0; i < sizeof d->dead_uids / sizeof d->dead_uids[0]; i++)
        free(d->dead_uids[i]);
    free(d->network);
    free(d);
}
