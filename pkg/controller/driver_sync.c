/* Job controller driver: one sync (read → decide → persist → act), action
 * execution through the runtime, Events, and cascade deletion. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "controller/driver-internal.h"
#include "controller/pod_view.h"
#include "store/store.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* ---- events ---- */

static void emit_event(struct djob *j, const cJSON *job, bool warning, const char *reason,
                       const char *message)
{
    struct kj_job_driver *d = j->d;
    int64_t now = kj_drv_now(d);
    char ts[32];
    kj_time_format(now, ts, sizeof(ts));
    const char *type = warning ? "Warning" : "Normal";
    cleanup_free char *key = xasprintf("%s\n%s\n%s", type, reason, message);
    kj_error_t err = NULL;
    for (int i = 0; i < j->nagg; i++) {
        if (strcmp(j->agg[i].key, key) != 0)
            continue;
        const cJSON *old = kj_store_get(d->store, "events", j->ns, j->agg[i].name);
        if (old == NULL)
            break;
        cJSON *ev = cJSON_Duplicate(old, 1);
        const cJSON *cnt = get(ev, "count");
        cJSON_ReplaceItemInObjectCaseSensitive(
            ev, "count", cJSON_CreateNumber(cJSON_IsNumber(cnt) ? cnt->valuedouble + 1 : 2));
        cJSON_ReplaceItemInObjectCaseSensitive(ev, "lastTimestamp", cJSON_CreateString(ts));
        if (kj_store_update(d->store, "events", j->ns, j->agg[i].name, ev, NULL, NULL, &err) < 0) {
            cJSON_Delete(ev);
            kj_error_log_release(&err, "controller: update event");
        }
        return;
    }
    char name[300];
    snprintf(name, sizeof(name), "%s.%" PRIx64, j->name, (uint64_t)now);
    while (kj_store_get(d->store, "events", j->ns, name) != NULL)
        snprintf(name, sizeof(name), "%s.%" PRIx64, j->name, (uint64_t)++now);
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddStringToObject(ev, "kind", "Event");
    cJSON_AddStringToObject(ev, "apiVersion", "v1");
    cJSON *md = cJSON_AddObjectToObject(ev, "metadata");
    cJSON_AddStringToObject(md, "name", name);
    cJSON_AddStringToObject(md, "namespace", j->ns);
    cJSON_AddStringToObject(md, "creationTimestamp", ts);
    cJSON *io = cJSON_AddObjectToObject(ev, "involvedObject");
    cJSON_AddStringToObject(io, "kind", "Job");
    cJSON_AddStringToObject(io, "namespace", j->ns);
    cJSON_AddStringToObject(io, "name", j->name);
    cJSON_AddStringToObject(io, "uid", j->uid);
    cJSON_AddStringToObject(io, "apiVersion", "batch/v1");
    const char *rv = cJSON_GetStringValue(get(get(job, "metadata"), "resourceVersion"));
    if (rv != NULL)
        cJSON_AddStringToObject(io, "resourceVersion", rv);
    cJSON_AddStringToObject(ev, "reason", reason);
    cJSON_AddStringToObject(ev, "message", message);
    cJSON *src = cJSON_AddObjectToObject(ev, "source");
    cJSON_AddStringToObject(src, "component", "job-controller");
    cJSON_AddStringToObject(ev, "firstTimestamp", ts);
    cJSON_AddStringToObject(ev, "lastTimestamp", ts);
    cJSON_AddNumberToObject(ev, "count", 1);
    cJSON_AddStringToObject(ev, "type", type);
    cJSON_AddStringToObject(ev, "reportingComponent", "job-controller");
    cJSON_AddStringToObject(ev, "reportingInstance", "kjobd");
    if (kj_store_create(d->store, "events", j->ns, name, ev, NULL, &err) < 0) {
        cJSON_Delete(ev);
        kj_error_log_release(&err, "controller: store event");
        return;
    }
    j->agg = xrealloc(j->agg, sizeof(*j->agg) * (size_t)(j->nagg + 1));
    j->agg[j->nagg].key = steal_pointer(&key);
    j->agg[j->nagg++].name = xstrdup(name);
}

static void emit_event_now(struct djob *j, bool warning, const char *reason, const char *fmt,
                           const char *arg)
{
    const cJSON *job = kj_store_get(j->d->store, "jobs", j->ns, j->name);
    cleanup_free char *msg = xasprintf(fmt, arg);
    emit_event(j, job, warning, reason, msg);
}

/* ---- expectations ---- */

static int busy_index(struct djob *j, enum dop_kind k, const char *pod)
{
    char key[300];
    snprintf(key, sizeof(key), "%d:%s", (int)k, pod);
    for (int i = 0; i < j->nbusy; i++)
        if (strcmp(j->busy[i], key) == 0)
            return i;
    return -1;
}

static void busy_set(struct djob *j, enum dop_kind k, const char *pod, bool on)
{
    int i = busy_index(j, k, pod);
    if (on && i < 0) {
        j->busy = xrealloc(j->busy, sizeof(*j->busy) * (size_t)(j->nbusy + 1));
        j->busy[j->nbusy++] = xasprintf("%d:%s", (int)k, pod);
    } else if (!on && i >= 0) {
        free(j->busy[i]);
        j->busy[i] = j->busy[--j->nbusy];
    }
}

static int create_index(struct djob *j, const char *pod)
{
    for (int i = 0; i < j->ncreates; i++)
        if (strcmp(j->creates[i].name, pod) == 0)
            return i;
    return -1;
}

static void create_forget(struct djob *j, int i)
{
    free(j->creates[i].name);
    free(j->creates[i].uid);
    j->creates[i] = j->creates[--j->ncreates];
}

/* Drop creates not issued yet (a batch failed, or the Job went away). */
static void creates_drop_queued(struct djob *j)
{
    for (int i = j->ncreates - 1; i >= 0; i--)
        if (!j->creates[i].issued)
            create_forget(j, i);
    j->batch_size = 1;
}

static void create_failed(struct djob *j)
{
    struct kj_job_driver *d = j->d;
    if (j->create_fail_streak < 6)
        j->create_fail_streak++;
    int64_t delay = d->cfg.retry_delay << (j->create_fail_streak - 1);
    j->hold_creates_until = kj_drv_now(d) + delay;
    creates_drop_queued(j);
    kj_drv_arm(j, j->hold_creates_until);
}

/* ---- runtime completions ---- */

static struct djob *op_job(struct dop *op)
{
    if (op->d == NULL)
        return NULL;
    struct djob *j = kj_drv_job_find(op->d, op->ns, op->job_name);
    return j != NULL && strcmp(j->uid, op->job_uid) == 0 ? j : NULL;
}

static void pump_creates(struct djob *j);

/* Upstream creates at most 500 pods per sync. */
#define KJ_CREATE_WINDOW_MAX 500

static void create_done_cb(void *arg, const char *cid, const kj_error_t err)
{
    struct dop *op = arg;
    struct djob *j = op_job(op);
    if (j == NULL) {
        kj_drv_op_free(op);
        return;
    }
    struct kj_job_driver *d = j->d;
    int i = create_index(j, op->pod);
    if (err == NULL) {
        /* The engine's event stream may lag: record the started container
         * now so the next sync does not take the pod for a lost create. */
        struct dpod *p = kj_drv_pod_find(d, j->ns, op->pod);
        if (p == NULL || p->cid == NULL) {
            struct kj_pod_obs o = {.ns = j->ns,
                                   .pod_name = op->pod,
                                   .pod_uid = i >= 0 ? j->creates[i].uid : "",
                                   .job_uid = j->uid,
                                   .job_name = j->name,
                                   .index = i >= 0 ? j->creates[i].index : -1,
                                   .container_id = cid != NULL ? cid : op->pod,
                                   .state = KJ_POD_OBS_RUNNING,
                                   .created_at = kj_drv_now(d),
                                   .started_at = kj_drv_now(d)};
            kj_drv_pod_put(d, &o);
        }
        emit_event_now(j, false, "SuccessfulCreate", "Created pod: %s", op->pod);
        j->create_fail_streak = 0;
    } else {
        emit_event_now(j, true, "FailedCreate", "Error creating: %s",
                       err->msg != NULL ? err->msg : "unknown error");
        create_failed(j);
    }
    if (i >= 0)
        create_forget(j, i);
    j->batch_outstanding--;
    kj_drv_op_free(op);
    if (err == NULL && j->batch_size < KJ_CREATE_WINDOW_MAX)
        j->batch_size++;
    pump_creates(j);
    kj_drv_trigger(j);
}

static void op_done_cb(void *arg, const char *cid, const kj_error_t err)
{
    (void)cid;
    struct dop *op = arg;
    struct djob *j = op_job(op);
    if (j == NULL) {
        kj_drv_op_free(op);
        return;
    }
    busy_set(j, op->kind, op->pod, false);
    if (err != NULL) {
        kj_log(KJ_LOG_WARN, "controller: pod `%s/%s`: %s", op->ns, op->pod, err->msg);
        if (op->kind == DOP_STOP)
            emit_event_now(j, true, "FailedDelete", "Error deleting: %s", err->msg);
        j->hold_ops_until = kj_drv_now(j->d) + j->d->cfg.retry_delay;
        kj_drv_arm(j, j->hold_ops_until);
    } else if (op->kind == DOP_STOP && !j->gone && !op->quiet) {
        emit_event_now(j, false, "SuccessfulDelete", "Deleted pod: %s", op->pod);
    }
    kj_drv_op_free(op);
    kj_drv_trigger(j);
}

/* ---- issuing operations ---- */

static void issue_create(struct djob *j, const cJSON *job, struct dcreate *c)
{
    struct kj_job_driver *d = j->d;
    cleanup_cjson cJSON *labels = kj_pod_labels(job, c->index);
    cleanup_cjson cJSON *annotations = kj_pod_annotations(job, c->index, c->index_failures);
    char idx[16] = "";
    if (c->index >= 0) {
        snprintf(idx, sizeof(idx), "%d", c->index);
        cJSON_AddStringToObject(labels, KJ_LABEL_INDEX, idx);
    }
    cJSON_AddStringToObject(labels, KJ_LABEL_OWNER_UID, j->uid);
    cJSON_AddStringToObject(labels, KJ_LABEL_JOB_NAME, j->name);
    cJSON_AddStringToObject(labels, KJ_LABEL_NAMESPACE, j->ns);
    cJSON_AddStringToObject(labels, KJ_LABEL_POD_NAME, c->name);
    cJSON_AddStringToObject(labels, KJ_LABEL_POD_UID, c->uid);
    char env[32], host[128];
    const char *envv[2] = {NULL, NULL};
    if (c->index >= 0) {
        snprintf(env, sizeof(env), "JOB_COMPLETION_INDEX=%d", c->index);
        envv[0] = env;
        snprintf(host, sizeof(host), "%.50s-%d", j->name, c->index);
    } else {
        snprintf(host, sizeof(host), "%.63s", c->name);
    }
    const cJSON *tmpl = get(get(job, "spec"), "template");
    const cJSON *c0 = cJSON_GetArrayItem(get(get(tmpl, "spec"), "containers"), 0);
    const char *policy = cJSON_GetStringValue(get(c0, "imagePullPolicy"));
    struct kj_runtime_pod_req req = {
        .ns = j->ns,
        .job_name = j->name,
        .job_uid = j->uid,
        .pod_name = c->name,
        .pod_uid = c->uid,
        .index = c->index,
        .pod_template = tmpl,
        .extra_env = envv,
        .labels = labels,
        .annotations = annotations,
        .hostname = host,
        .image_pull_policy = policy != NULL ? policy : "IfNotPresent",
    };
    struct dop *op = kj_drv_op_new(d, j, DOP_CREATE, c->name);
    kj_error_t err = NULL;
    c->issued = true;
    j->batch_outstanding++;
    if (d->rt.ops->pod_create(d->rt.impl, &req, create_done_cb, op, &err) < 0) {
        /* Refused at once (engine down): not a pod failure; retry later. */
        cleanup_free char *msg = xasprintf(
            "Error creating: %s", err != NULL && err->msg != NULL ? err->msg : "runtime refused");
        emit_event(j, job, true, "FailedCreate", msg);
        kj_error_release(&err);
        kj_drv_op_free(op);
        j->batch_outstanding--;
        create_forget(j, create_index(j, c->name));
        create_failed(j);
    }
}

/* Slow start (§2 step 7) as a window: at most batch_size creates in flight;
 * each success widens the window by one, so it doubles every round trip
 * (1, 2, 4 ...), and a failure closes it to 1 (creates_drop_queued). A
 * "create" here includes the container's start (about a second on a busy
 * engine), so the window is not reset when the queue drains: a replacement
 * for a pod that just finished goes out at once instead of waiting for the
 * creates already in flight, as the upstream controller's fast API calls
 * allow. */
static void pump_creates(struct djob *j)
{
    int room = j->batch_size - j->batch_outstanding;
    if (room <= 0)
        return;
    const cJSON *job = kj_store_get(j->d->store, "jobs", j->ns, j->name);
    if (job == NULL || j->gone) {
        creates_drop_queued(j);
        return;
    }
    int queued = 0;
    for (int i = 0; i < j->ncreates; i++)
        queued += !j->creates[i].issued;
    if (queued == 0)
        return;
    /* Names first: a refused create edits j->creates. */
    int n = 0;
    char **names = xcalloc((size_t)room + 1, sizeof(char *));
    for (int i = 0; i < j->ncreates && n < room; i++)
        if (!j->creates[i].issued)
            names[n++] = xstrdup(j->creates[i].name);
    for (int k = 0; k < n; k++) {
        int i = create_index(j, names[k]);
        if (i >= 0 && !j->creates[i].issued)
            issue_create(j, job, &j->creates[i]);
        free(names[k]);
    }
    free(names);
}

/* quiet: a client's delete, which the controller does not announce with
 * an event of its own (upstream's job controller does not either). */
static void issue_pod_op(struct djob *j, enum dop_kind k, const char *pod, const char *cid,
                         int grace, bool quiet)
{
    struct kj_job_driver *d = j->d;
    if (busy_index(j, k, pod) >= 0)
        return;
    if (kj_drv_now(d) < j->hold_ops_until) {
        kj_drv_arm(j, j->hold_ops_until);
        return;
    }
    struct kj_runtime_pod_ref ref = {j->ns, pod, cid};
    struct dop *op = kj_drv_op_new(d, j, k, pod);
    op->quiet = quiet;
    kj_error_t err = NULL;
    int rc;
    busy_set(j, k, pod, true);
    if (k == DOP_RESTART)
        rc = d->rt.ops->pod_restart(d->rt.impl, &ref, op_done_cb, op, &err);
    else if (k == DOP_STOP)
        rc = d->rt.ops->pod_stop(d->rt.impl, &ref, grace, op_done_cb, op, &err);
    else
        rc = d->rt.ops->pod_remove(d->rt.impl, &ref, op_done_cb, op, &err);
    if (rc < 0) {
        kj_error_log_release(&err, "controller: pod operation refused");
        busy_set(j, k, pod, false);
        kj_drv_op_free(op);
        j->hold_ops_until = kj_drv_now(d) + d->cfg.retry_delay;
        kj_drv_arm(j, j->hold_ops_until);
    }
}

/* ---- deletion ---- */

/* Remove every container of uid; true once none is left and nothing is in
 * flight. */
static bool cascade(struct djob *j, const char *uid)
{
    struct kj_job_driver *d = j->d;
    bool done = j->batch_outstanding == 0;
    creates_drop_queued(j);
    for (int i = 0; i < d->npods; i++) {
        struct dpod *p = d->pods[i];
        if (strcmp(p->job_uid, uid) != 0 || p->state == KJ_POD_OBS_REMOVED)
            continue;
        done = false;
        issue_pod_op(j, DOP_REMOVE, p->name, p->cid, 0, false);
    }
    return done && j->nbusy == 0;
}

static bool has_finalizer(const cJSON *job, const char *f)
{
    const cJSON *v;
    cJSON_ArrayForEach(v, get(get(job, "metadata"), "finalizers"))
    {
        if (cJSON_IsString(v) && strcmp(v->valuestring, f) == 0)
            return true;
    }
    return false;
}

/* Drop finalizer f; delete the Job once no finalizer is left. Returns 1 when
 * the object was deleted, 0 when it remains, -1 on error (retry armed). */
static int finish_deletion(struct djob *j, const cJSON *job, const char *f)
{
    struct kj_job_driver *d = j->d;
    kj_error_t err = NULL;
    cJSON *copy = cJSON_Duplicate(job, 1);
    cJSON *fins = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(copy, "metadata"),
                                                   "finalizers");
    for (int i = cJSON_GetArraySize(fins) - 1; i >= 0; i--)
        if (cJSON_IsString(cJSON_GetArrayItem(fins, i)) &&
            strcmp(cJSON_GetArrayItem(fins, i)->valuestring, f) == 0)
            cJSON_DeleteItemFromArray(fins, i);
    const char *rv = cJSON_GetStringValue(get(get(job, "metadata"), "resourceVersion"));
    int rc;
    bool last = cJSON_GetArraySize(fins) == 0;
    if (last) {
        cJSON_Delete(copy);
        rc = kj_store_delete(d->store, "jobs", j->ns, j->name, rv, NULL, &err);
    } else {
        rc = kj_store_update(d->store, "jobs", j->ns, j->name, copy, rv, NULL, &err);
        if (rc < 0)
            cJSON_Delete(copy);
    }
    if (rc < 0) {
        kj_error_log_release(&err, "controller: finish job deletion");
        kj_drv_arm(j, kj_drv_now(d) + d->cfg.retry_delay);
        return -1;
    }
    return last ? 1 : 0;
}

/* TTL expiry (§10.2): delete with Foreground propagation. */
static void ttl_delete(struct djob *j, const cJSON *job)
{
    struct kj_job_driver *d = j->d;
    cJSON *copy = cJSON_Duplicate(job, 1);
    cJSON *md = cJSON_GetObjectItemCaseSensitive(copy, "metadata");
    char ts[32];
    kj_time_format(kj_drv_now(d), ts, sizeof(ts));
    cJSON_AddStringToObject(md, "deletionTimestamp", ts);
    cJSON *fins = cJSON_GetObjectItemCaseSensitive(md, "finalizers");
    if (fins == NULL)
        fins = cJSON_AddArrayToObject(md, "finalizers");
    cJSON_AddItemToArray(fins, cJSON_CreateString("foregroundDeletion"));
    const char *rv = cJSON_GetStringValue(get(get(job, "metadata"), "resourceVersion"));
    kj_error_t err = NULL;
    if (kj_store_update(d->store, "jobs", j->ns, j->name, copy, rv, NULL, &err) < 0) {
        cJSON_Delete(copy);
        kj_error_log_release(&err, "controller: ttl delete");
        kj_drv_arm(j, kj_drv_now(d) + d->cfg.retry_delay);
    }
}

/* ---- the sync ---- */

static int build_obs(struct djob *j, struct kj_pod_obs **out)
{
    struct kj_job_driver *d = j->d;
    struct kj_pod_obs *obs = xcalloc((size_t)(d->npods + j->ncreates) + 1, sizeof(*obs));
    int n = 0;
    for (int i = 0; i < d->npods; i++)
        if (strcmp(d->pods[i]->job_uid, j->uid) == 0 && strcmp(d->pods[i]->ns, j->ns) == 0)
            kj_drv_pod_fill_obs(d->pods[i], &obs[n++]);
    for (int i = 0; i < j->ncreates; i++) {
        struct dpod *p = kj_drv_pod_find(d, j->ns, j->creates[i].name);
        if (p != NULL && p->state != KJ_POD_OBS_REMOVED)
            continue;
        struct kj_pod_obs *o = &obs[n++];
        o->ns = j->ns;
        o->pod_name = j->creates[i].name;
        o->pod_uid = j->creates[i].uid;
        o->job_uid = j->uid;
        o->job_name = j->name;
        o->index = j->creates[i].index;
        o->state = KJ_POD_OBS_CREATING;
    }
    *out = obs;
    return n;
}

static void execute(struct djob *j, const struct kj_sync_result *r)
{
    for (int i = 0; i < r->nactions; i++) {
        const struct kj_sync_action *a = &r->actions[i];
        switch (a->kind) {
        case KJ_SYNC_CREATE:
            /* Held back after failed creates: the ledger entry is dropped
             * by the next sync as never created, and decided again. */
            if (create_index(j, a->pod_name) >= 0)
                break;
            if (kj_drv_now(j->d) < j->hold_creates_until) {
                /* The sync that runs when the hold ends must not depend on a
                 * timer another sync may already have consumed. */
                kj_drv_arm(j, j->hold_creates_until);
                break;
            }
            j->creates = xrealloc(j->creates, sizeof(*j->creates) * (size_t)(j->ncreates + 1));
            j->creates[j->ncreates++] = (struct dcreate){xstrdup(a->pod_name), xstrdup(a->pod_uid),
                                                         a->index, a->index_failures, false};
            break;
        case KJ_SYNC_RESTART:
            issue_pod_op(j, DOP_RESTART, a->pod_name, a->container_id, 0, false);
            break;
        case KJ_SYNC_STOP:
            if (create_index(j, a->pod_name) >= 0 && !j->creates[create_index(j, a->pod_name)].issued) {
                create_forget(j, create_index(j, a->pod_name));
                break;
            }
            issue_pod_op(j, DOP_STOP, a->pod_name, a->container_id,
                         a->grace_seconds >= 0 ? a->grace_seconds : r->grace_seconds, a->client);
            break;
        case KJ_SYNC_REMOVE:
            issue_pod_op(j, DOP_REMOVE, a->pod_name, a->container_id, 0, a->client);
            break;
        default:
            break;
        }
    }
    pump_creates(j);
}

static void job_gone(struct djob *j)
{
    j->gone = true;
    if (cascade(j, j->uid))
        kj_drv_job_drop(j);
}

void kj_drv_sync(struct djob *j)
{
    struct kj_job_driver *d = j->d;
    const cJSON *job = kj_store_get(d->store, "jobs", j->ns, j->name);
    const cJSON *md = get(job, "metadata");
    const char *uid = cJSON_GetStringValue(get(md, "uid"));
    if (job == NULL || uid == NULL || strcmp(uid, j->uid) != 0) {
        if (job != NULL && uid != NULL && j->uid[0] == '\0') {
            free(j->uid);
            j->uid = xstrdup(uid);
        } else {
            /* Background deletion (or replaced by a new Job of that name). */
            job_gone(j);
            if (job != NULL && uid != NULL)
                kj_drv_job_get(d, j->ns, j->name, uid);
            return;
        }
    }
    if (get(md, "deletionTimestamp") != NULL) {
        if (has_finalizer(job, "orphan")) {
            /* Containers stay; forget the Job before its DELETED event
             * could start a cascade. */
            creates_drop_queued(j);
            if (finish_deletion(j, job, "orphan") == 1)
                kj_drv_job_drop(j);
            return;
        }
        if (has_finalizer(job, "foregroundDeletion")) {
            if (cascade(j, j->uid) && finish_deletion(j, job, "foregroundDeletion") == 1)
                kj_drv_job_drop(j);
            return;
        }
    }
    kj_error_t err = NULL;
    struct kj_ledger *ledger = kj_ledger_from_job(job, &err);
    if (ledger == NULL) {
        kj_error_log_release(&err, "controller: job ledger");
        return;
    }
    struct kj_pod_obs *obs = NULL;
    int nobs = build_obs(j, &obs);
    struct kj_sync_config cfg = d->cfg.sync;
    cfg.now = kj_drv_now(d);
    cfg.rand_bytes = d->cfg.rand_bytes;
    cfg.rand_arg = d->cfg.rand_arg;
    struct kj_sync_result r;
    int rc = kj_job_sync(job, ledger, obs, nobs, &cfg, &r, &err);
    free(obs);
    kj_ledger_free(ledger);
    if (rc < 0) {
        kj_error_log_release(&err, "controller: sync");
        return;
    }
    /* A skipped sync (finished Job) may still have removed deleted pods. */
    if ((!r.skipped && r.status_changed) || r.ledger_changed) {
        cJSON *copy = cJSON_Duplicate(job, 1);
        cJSON *lj = kj_ledger_to_json(r.ledger);
        cJSON *st = cJSON_Duplicate(r.status, 1);
        if (copy == NULL || lj == NULL || st == NULL)
            kj_panic(__FILE__, __LINE__, "out of memory");
        cJSON_DeleteItemFromObjectCaseSensitive(copy, "status");
        cJSON_DeleteItemFromObjectCaseSensitive(copy, KJ_LEDGER_KEY);
        cJSON_AddItemToObject(copy, "status", st);
        cJSON_AddItemToObject(copy, KJ_LEDGER_KEY, lj);
        const char *rv = cJSON_GetStringValue(get(md, "resourceVersion"));
        uint64_t out_rv = 0;
        /* Our own MODIFIED event arrives inside kj_store_update: tell the
         * watch callback which rv to ignore before it does. */
        d->last_write_rv = kj_store_current_rv(d->store) + 1;
        /* Persist BEFORE acting: see job_sync.h. */
        if (kj_store_update(d->store, "jobs", j->ns, j->name, copy, rv, &out_rv, &err) < 0) {
            cJSON_Delete(copy);
            if (kj_error_http_status(err) == 409)
                kj_drv_trigger(j);
            else
                kj_drv_arm(j, cfg.now + d->cfg.retry_delay);
            kj_error_log_release(&err, "controller: write job status");
            kj_sync_result_clear(&r);
            return;
        }
        d->last_write_rv = out_rv;
        job = kj_store_get(d->store, "jobs", j->ns, j->name);
    }
    execute(j, &r);
    for (int i = 0; i < r.nevents; i++)
        emit_event(j, job, r.events[i].warning, r.events[i].reason, r.events[i].message);
    kj_drv_arm(j, r.requeue_at);
    if (r.delete_at != 0) {
        if (r.delete_at <= cfg.now)
            ttl_delete(j, job);
        else
            kj_drv_arm(j, r.delete_at);
    }
    kj_sync_result_clear(&r);
}
