/* Pod groups on a one-container-per-pod runtime; see pod_group.h. */
#include "controller/pod_group_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

/* ---- operations on members ---- */

/* Context of one inner operation; `batch` (may be NULL) collects the
 * completions owed to the controller for a whole-pod stop/remove/restart. */
struct batch {
    kj_runtime_done_cb done;
    void *arg;
    int outstanding;
    kj_error_t err; /* first failure */
    char *cid;      /* owned: reported on success */
    /* remove: the infra goes last, with the volumes */
    struct kj_pod_group *g;
    char *ns, *pod; /* owned */
    bool remove_infra_after;
};

struct mop {
    struct kj_pod_group *g;
    char *ns, *pod, *member; /* owned */
    struct batch *batch;
};

static void batch_release(struct batch *b);

static void batch_release_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    batch_release(arg);
}

static void batch_release(struct batch *b)
{
    /* The pod as it is now first (restarted members count as running): the
     * controller must not act on the state from before the operation. */
    struct pg_pod *p = pg_pod_find(b->g, b->ns, b->pod);
    if (p != NULL && !p->removing)
        pg_emit(p);
    b->done(b->arg, b->err == NULL ? b->cid : NULL, b->err);
    kj_error_release(&b->err);
    free(b->cid);
    free(b->ns);
    free(b->pod);
    free(b);
}

static void step(struct pg_pod *p);
static void remove_infra(struct pg_pod *p, struct batch *b);

/* Every op of the batch is done (b->outstanding is 0). A remove whose
 * members all went takes the infra last, with the volumes, and the batch
 * waits for that op. Then the controller's completion runs: at once from an
 * inner completion, from the loop when `deferred` (inside the controller's
 * own call, where it must never run: runtime.h). */
static void batch_finish(struct batch *b, bool deferred)
{
    if (b->remove_infra_after && b->err == NULL) {
        b->remove_infra_after = false;
        struct pg_pod *p = pg_pod_find(b->g, b->ns, b->pod);
        if (p != NULL)
            remove_infra(p, b);
        if (b->outstanding > 0)
            return;
    }
    if (!deferred) {
        batch_release(b);
        return;
    }
    /* Not {0, 0}: libevent runs such a "once" in the same pass over active
     * events, and a controller that asks again at once would then spin
     * without ever polling the engine's sockets. */
    struct timeval soon = {0, 1};
    kj_assert(event_base_once(b->g->base, -1, EV_TIMEOUT, batch_release_cb, b, &soon) == 0);
}

static void batch_one_done(struct batch *b, const kj_error_t err)
{
    if (err != NULL && b->err == NULL)
        kj_make_error(&b->err, err->status, "%s", err->msg);
    if (--b->outstanding > 0)
        return;
    batch_finish(b, false);
}

static void mop_done(void *arg, const char *cid, const kj_error_t err)
{
    struct mop *op = arg;
    (void)cid;
    struct pg_pod *p = pg_pod_find(op->g, op->ns, op->pod);
    struct pg_member *m = p != NULL ? pg_member_find(p, op->member) : NULL;
    if (m != NULL)
        m->busy = false;
    if (err != NULL && err->status != ECANCELED)
        kj_log(KJ_LOG_WARN, "pod `%s/%s`: container `%s`: %s", op->ns, op->pod, op->member,
               err->msg);
    struct batch *b = op->batch;
    free(op->ns);
    free(op->pod);
    free(op->member);
    free(op);
    if (b != NULL)
        batch_one_done(b, err);
    else if (p != NULL && err != NULL && m != NULL && m->state == KJ_POD_OBS_CREATING) {
        /* A member's create that failed for good is a failed start. */
        m->state = KJ_POD_OBS_EXITED;
        m->exit_code = 128;
        m->finished_at = m->created_at > 0 ? m->created_at : 1;
        pg_emit(p);
    }
}

static struct mop *mop_new(struct pg_pod *p, struct pg_member *m, struct batch *b)
{
    struct mop *op = xcalloc(1, sizeof *op);
    op->g = p->g;
    op->ns = xstrdup(p->ns);
    op->pod = xstrdup(p->name);
    op->member = xstrdup(m->docker);
    op->batch = b;
    if (b != NULL)
        b->outstanding++;
    m->busy = true;
    return op;
}

/* An inner op refused at once: its completion will not come. */
static void mop_refused(struct mop *op, struct pg_member *m, kj_error_t *err)
{
    m->busy = false;
    kj_log(KJ_LOG_WARN, "pod `%s/%s`: container `%s`: %s", op->ns, op->pod, op->member,
           (*err)->msg);
    if (op->batch != NULL) {
        struct batch *b = op->batch;
        b->outstanding--;
        if (b->err == NULL)
            kj_make_error(&b->err, (*err)->status, "%s", (*err)->msg);
    }
    kj_error_release(err);
    free(op->ns);
    free(op->pod);
    free(op->member);
    free(op);
}

static void member_ref(const struct pg_pod *p, const struct pg_member *m,
                       struct kj_runtime_pod_ref *ref)
{
    memset(ref, 0, sizeof *ref);
    ref->ns = p->ns;
    ref->pod_name = m->docker;
    ref->container_id = m->cid;
}

enum mkind { M_RESTART, M_STOP, M_REMOVE };

static void member_op(struct pg_pod *p, struct pg_member *m, enum mkind k, struct batch *b,
                      const char *const *volumes)
{
    struct kj_runtime *in = &p->g->inner;
    struct kj_runtime_pod_ref ref;
    member_ref(p, m, &ref);
    ref.volumes = volumes;
    struct mop *op = mop_new(p, m, b);
    kj_error_t err = NULL;
    int grace = 30;
    const cJSON *tg = pg_get(p->spec, "terminationGracePeriodSeconds");
    if (cJSON_IsNumber(tg))
        grace = tg->valueint;
    if (p->stopping && p->stop_grace >= 0)
        grace = p->stop_grace; /* a client's delete may ask for less */
    if (m->role == KJ_MEMBER_INFRA)
        grace = 1;
    int rc = k == M_RESTART ? in->ops->pod_restart(in->impl, &ref, mop_done, op, &err)
             : k == M_STOP  ? in->ops->pod_stop(in->impl, &ref, grace, mop_done, op, &err)
                            : in->ops->pod_remove(in->impl, &ref, mop_done, op, &err);
    if (rc < 0)
        mop_refused(op, m, &err);
}

/* Start an exited member again. It counts as running from now on: the
 * pod must not look exited (and be restarted twice) until the engine
 * reports the new run. */
static void restart_member(struct pg_pod *p, struct pg_member *m, struct batch *b)
{
    m->restarts++;
    m->last_exit = m->exit_code;
    m->last_finished = m->finished_at;
    m->state = KJ_POD_OBS_RUNNING;
    m->exit_code = 0;
    m->finished_at = 0;
    member_op(p, m, M_RESTART, b, NULL);
}

static void create_member(struct pg_pod *p, int i)
{
    struct pg_member *m = &p->m[i];
    cleanup_cjson cJSON *tmpl = pg_member_template(p, m);
    cleanup_cjson cJSON *ids = cJSON_CreateObject();
    char member[300], prefix[300];
    snprintf(member, sizeof member, "%s/%d/%s", pg_role_name(m->role), i, m->cname);
    snprintf(prefix, sizeof prefix, "%s_", p->name);
    cleanup_free char *spec_json = m->role == KJ_MEMBER_INFRA ? cJSON_PrintUnformatted(p->spec) : NULL;
    struct kj_runtime_pod_req req = {
        .ns = p->ns, .job_name = p->job_name, .job_uid = p->job_uid, .pod_name = m->docker,
        .pod_uid = p->uid, .index = p->index, .pod_template = tmpl,
        .extra_env = m->role == KJ_MEMBER_INFRA ? NULL : (const char *const *)p->extra_env,
        /* Every member carries the pod's labels and annotations (the
         * downward API shows them); Services act on the pod, whose
         * observation names the infra container. */
        .labels = p->labels != NULL ? p->labels : ids,
        .annotations = p->annotations,
        .hostname = p->hostname,
        .image_pull_policy = m->role == KJ_MEMBER_INFRA ? "IfNotPresent" : NULL,
        .member = member,
        .netns_of = m->role == KJ_MEMBER_INFRA ? NULL : p->name,
        .volume_prefix = prefix,
        .group_spec = spec_json,
    };
    struct mop *op = mop_new(p, m, NULL);
    m->created = true;
    m->state = KJ_POD_OBS_CREATING;
    kj_error_t err = NULL;
    struct kj_runtime *in = &p->g->inner;
    if (in->ops->pod_create(in->impl, &req, mop_done, op, &err) < 0) {
        /* Refused for good (a bad template): the member failed to start. */
        m->state = KJ_POD_OBS_EXITED;
        m->exit_code = 128;
        m->finished_at = 1;
        mop_refused(op, m, &err);
    }
}

static void remove_infra(struct pg_pod *p, struct batch *b)
{
    char **vols = pg_volume_names(p);
    member_op(p, &p->m[0], M_REMOVE, b, (const char *const *)vols);
    pg_strv_free(vols);
}

/* ---- the sequence ---- */

static int stop_or_remove(struct kj_pod_group *g, const struct kj_runtime_pod_ref *ref, bool remove,
                          int grace, kj_runtime_done_cb done, void *arg, kj_error_t *err);

static void ignore_done(void *arg, const char *cid, const kj_error_t err)
{
    (void)arg;
    (void)cid;
    if (err != NULL && err->status != ECANCELED)
        kj_log(KJ_LOG_WARN, "remove the rest of a broken pod: %s", err->msg);
}

static void step(struct pg_pod *p)
{
    if (p->spec == NULL || p->stopping || p->removing || p->n == 0 || !p->owned)
        return;
    struct pg_member *infra = &p->m[0];
    if (!infra->created) {
        create_member(p, 0);
        return;
    }
    /* Created but never started: a kjobd killed between a member's create
     * and its start left it so (a create in flight keeps it busy). */
    for (int i = 0; i < p->n; i++)
        if (p->m[i].created && p->m[i].state == KJ_POD_OBS_CREATED && p->m[i].cid != NULL &&
            !p->m[i].busy)
            member_op(p, &p->m[i], M_RESTART, NULL, NULL);
    struct kj_group_agg agg;
    pg_aggregate(p, &agg);
    if (agg.state == KJ_POD_OBS_REMOVED) {
        /* A member was removed behind kjob's back (`docker rm -f`): the pod
         * is gone for the controller, so the rest of it goes too. */
        struct kj_runtime_pod_ref ref = {.ns = p->ns, .pod_name = p->name};
        kj_error_t err = NULL;
        if (stop_or_remove(p->g, &ref, true, 0, ignore_done, NULL, &err) < 0)
            kj_error_log_release(&err, "remove a broken pod");
        return;
    }
    if (agg.next >= 0 && !agg.create_mains && !p->m[agg.next].busy)
        create_member(p, agg.next);
    if (agg.create_mains)
        for (int i = 1; i < p->n; i++)
            if (p->m[i].role == KJ_MEMBER_MAIN && !p->m[i].created)
                create_member(p, i);
    bool done = agg.state == KJ_POD_OBS_EXITED && agg.failed_init < 0;
    for (int i = 1; i < p->n && !done && agg.state == KJ_POD_OBS_RUNNING; i++) {
        struct pg_member *m = &p->m[i];
        /* A sidecar that ends while the pod runs starts again. */
        if (m->role == KJ_MEMBER_SIDECAR && m->state == KJ_POD_OBS_EXITED && !m->busy &&
            m->finished_at != m->last_finished)
            restart_member(p, m, NULL);
    }
    /* An init container that failed under restartPolicy Never ends the
     * pod for good, like its containers all having exited. */
    bool init_final = agg.state == KJ_POD_OBS_EXITED && agg.failed_init >= 0 &&
                      !pg_policy_is(p->spec, "OnFailure");
    if (((done && agg.stop_sidecars) || init_final) && !p->sidecars_stopped) {
        p->sidecars_stopped = true;
        for (int i = 1; i < p->n; i++)
            if (p->m[i].role == KJ_MEMBER_SIDECAR && p->m[i].state == KJ_POD_OBS_RUNNING)
                member_op(p, &p->m[i], M_STOP, NULL, NULL);
        /* Nothing will run in it again unless OnFailure restarts a failure. */
        if (agg.exit_code == 0 || !pg_policy_is(p->spec, "OnFailure"))
            member_op(p, infra, M_STOP, NULL, NULL);
    }
}

/* ---- observations from the inner runtime ---- */

static void inner_obs_cb(void *arg, const struct kj_pod_obs *o)
{
    struct kj_pod_group *g = arg;
    if (o->member == NULL) {
        if (g->obs_cb != NULL)
            g->obs_cb(g->obs_arg, o);
        return;
    }
    struct pg_pod *p = pg_note(g, o);
    if (p == NULL)
        return;
    step(p);
    pg_emit(p);
    if (p->removing && pg_all_gone(p))
        pg_pod_free(p);
}

/* ---- the runtime interface ---- */

static void set_observer(void *impl, kj_runtime_obs_cb cb, void *arg)
{
    struct kj_pod_group *g = impl;
    g->obs_cb = cb;
    g->obs_arg = arg;
    g->inner.ops->set_observer(g->inner.impl, inner_obs_cb, g);
}

/* The controller's create completes once the infra has started: the pod
 * then exists; its init containers may take their time. */
static void infra_created(void *arg, const char *cid, const kj_error_t err)
{
    struct mop *op = arg;
    struct pg_pod *p = pg_pod_find(op->g, op->ns, op->pod);
    kj_runtime_done_cb done = p != NULL ? p->create_done : NULL;
    void *darg = p != NULL ? p->create_arg : NULL;
    if (p != NULL)
        p->create_done = NULL;
    struct pg_member *m = p != NULL ? pg_member_find(p, op->member) : NULL;
    if (m != NULL)
        m->busy = false;
    free(op->ns);
    free(op->pod);
    free(op->member);
    free(op);
    if (p != NULL && err == NULL)
        step(p);
    if (done != NULL)
        done(darg, cid, err);
}

static int pod_create(void *impl, const struct kj_runtime_pod_req *req, kj_runtime_done_cb done,
                      void *arg, kj_error_t *err)
{
    struct kj_pod_group *g = impl;
    const cJSON *spec = pg_get(req->pod_template, "spec");
    if (!kj_pod_spec_grouped(spec))
        return g->inner.ops->pod_create(g->inner.impl, req, done, arg, err);
    if (pg_pod_find(g, req->ns, req->pod_name) != NULL)
        return kj_make_error(err, EALREADY, "pod `%s` is already being created", req->pod_name);
    struct kj_pod_obs id = {.ns = req->ns, .pod_uid = req->pod_uid, .job_uid = req->job_uid,
                            .job_name = req->job_name, .index = req->index};
    struct pg_pod *p = pg_pod_new(g, &id, req->pod_name);
    p->owned = true;
    pg_set_spec(p, spec);
    p->labels = req->labels != NULL ? cJSON_Duplicate(req->labels, 1) : NULL;
    p->annotations = req->annotations != NULL ? cJSON_Duplicate(req->annotations, 1) : NULL;
    p->hostname = req->hostname != NULL ? xstrdup(req->hostname) : NULL;
    size_t n = 0;
    while (req->extra_env != NULL && req->extra_env[n] != NULL)
        n++;
    p->extra_env = xcalloc(n + 1, sizeof *p->extra_env);
    for (size_t i = 0; i < n; i++)
        p->extra_env[i] = xstrdup(req->extra_env[i]);
    p->create_done = done;
    p->create_arg = arg;

    struct pg_member *infra = &p->m[0];
    cleanup_cjson cJSON *tmpl = pg_member_template(p, infra);
    cleanup_free char *spec_json = cJSON_PrintUnformatted(p->spec);
    char member[64];
    snprintf(member, sizeof member, "infra/0/%s", INFRA_NAME);
    struct kj_runtime_pod_req ir = *req;
    ir.pod_template = tmpl;
    ir.image_pull_policy = "IfNotPresent";
    ir.member = member;
    ir.group_spec = spec_json;
    ir.extra_env = NULL;
    struct mop *op = mop_new(p, infra, NULL);
    infra->created = true;
    if (g->inner.ops->pod_create(g->inner.impl, &ir, infra_created, op, err) < 0) {
        free(op->ns);
        free(op->pod);
        free(op->member);
        free(op);
        pg_pod_free(p);
        return -1;
    }
    return 0;
}

static struct batch *batch_new(struct pg_pod *p, kj_runtime_done_cb done, void *arg)
{
    struct batch *b = xcalloc(1, sizeof *b);
    b->done = done;
    b->arg = arg;
    b->g = p->g;
    b->ns = xstrdup(p->ns);
    b->pod = xstrdup(p->name);
    b->cid = p->m[0].cid != NULL ? xstrdup(p->m[0].cid) : NULL;
    b->outstanding = 1; /* held until every op is issued */
    return b;
}

/* Every op of the batch has been issued: drop the hold batch_new took. A
 * batch with nothing in flight finishes here, still inside the controller's
 * call. */
static void batch_issued(struct batch *b)
{
    if (b->outstanding > 1) {
        b->outstanding--; /* the last completion finishes the batch */
        return;
    }
    b->outstanding = 0;
    batch_finish(b, true);
}

static int pod_restart(void *impl, const struct kj_runtime_pod_ref *ref, kj_runtime_done_cb done,
                       void *arg, kj_error_t *err)
{
    struct kj_pod_group *g = impl;
    struct pg_pod *p = pg_pod_find(g, ref->ns, ref->pod_name);
    if (p == NULL || p->spec == NULL)
        return g->inner.ops->pod_restart(g->inner.impl, ref, done, arg, err);
    p->owned = true; /* the controller acts on it: its owner lives here */
    p->stopping = false;
    p->stop_grace = -1;
    struct kj_group_agg agg;
    pg_aggregate(p, &agg);
    struct batch *b = batch_new(p, done, arg);
    p->sidecars_stopped = false;
    if (p->m[0].state != KJ_POD_OBS_RUNNING)
        member_op(p, &p->m[0], M_RESTART, b, NULL);
    for (int i = 1; i < p->n; i++) {
        struct pg_member *m = &p->m[i];
        /* A stale report of an exit already restarted is not a new one. */
        bool fresh = m->state == KJ_POD_OBS_EXITED && m->finished_at != m->last_finished;
        bool failed = fresh && m->exit_code != 0;
        bool again = agg.failed_init >= 0 ? i == agg.failed_init && fresh
                                          : (m->role == KJ_MEMBER_MAIN && failed) ||
                                                (m->role == KJ_MEMBER_SIDECAR && fresh);
        if (!again || m->busy)
            continue;
        if (m->cid == NULL) {
            /* Its create failed: there is nothing to start again. */
            create_member(p, i);
            continue;
        }
        restart_member(p, m, b);
    }
    batch_issued(b);
    return 0;
}

static int stop_or_remove(struct kj_pod_group *g, const struct kj_runtime_pod_ref *ref, bool remove,
                          int grace, kj_runtime_done_cb done, void *arg, kj_error_t *err)
{
    struct pg_pod *p = pg_pod_find(g, ref->ns, ref->pod_name);
    if (p == NULL || p->spec == NULL)
        return remove ? g->inner.ops->pod_remove(g->inner.impl, ref, done, arg, err)
                      : g->inner.ops->pod_stop(g->inner.impl, ref, grace, done, arg, err);
    p->owned = true;
    p->stopping = true;
    p->removing = p->removing || remove;
    if (!remove)
        p->stop_grace = grace;
    struct batch *b = batch_new(p, done, arg);
    for (int i = 1; i < p->n; i++) {
        struct pg_member *m = &p->m[i];
        if (!m->created || m->state == KJ_POD_OBS_REMOVED)
            continue;
        if (remove || m->state == KJ_POD_OBS_RUNNING || m->state == KJ_POD_OBS_CREATING ||
            m->state == KJ_POD_OBS_WAITING)
            member_op(p, m, remove ? M_REMOVE : M_STOP, b, NULL);
    }
    if (remove)
        b->remove_infra_after = true;
    else if (p->m[0].created && p->m[0].state != KJ_POD_OBS_REMOVED &&
             p->m[0].state != KJ_POD_OBS_EXITED)
        member_op(p, &p->m[0], M_STOP, b, NULL);
    batch_issued(b);
    return 0;
}

static int pod_stop(void *impl, const struct kj_runtime_pod_ref *ref, int grace,
                    kj_runtime_done_cb done, void *arg, kj_error_t *err)
{
    return stop_or_remove(impl, ref, false, grace, done, arg, err);
}

static int pod_remove(void *impl, const struct kj_runtime_pod_ref *ref, kj_runtime_done_cb done,
                      void *arg, kj_error_t *err)
{
    return stop_or_remove(impl, ref, true, 0, done, arg, err);
}

/* ---- listing ---- */

struct list_ctx {
    struct kj_pod_group *g;
    kj_runtime_list_cb done;
    void *arg;
};

static void listed(void *arg, const struct kj_pod_obs *pods, int n, const kj_error_t err)
{
    struct list_ctx *ctx = arg;
    struct kj_pod_group *g = ctx->g;
    kj_runtime_list_cb done = ctx->done;
    void *darg = ctx->arg;
    free(ctx);
    if (err != NULL) {
        done(darg, NULL, 0, err);
        return;
    }
    /* Infra first: it brings the spec of pods kjobd does not know yet. */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < n; i++) {
            enum kj_member_role role;
            if (pods[i].member != NULL && pg_parse_member(pods[i].member, &role) &&
                (role == KJ_MEMBER_INFRA) == (pass == 0))
                pg_note(g, &pods[i]);
        }
    int groups = 0;
    for (struct pg_pod *p = g->pods; p != NULL; p = p->next)
        groups++;
    struct kj_pod_obs *out = xcalloc((size_t)(n + groups + 1), sizeof *out);
    cJSON **owned = xcalloc((size_t)(groups + 1), sizeof *owned);
    int k = 0, ko = 0;
    for (int i = 0; i < n; i++)
        if (pods[i].member == NULL)
            out[k++] = pods[i];
    for (struct pg_pod *p = g->pods; p != NULL; p = p->next)
        if (p->n > 0 && p->m[0].created && p->m[0].cid != NULL)
            pg_pod_obs(p, &out[k++], &owned[ko++]);
    done(darg, out, k, NULL);
    for (int i = 0; i < ko; i++)
        cJSON_Delete(owned[i]);
    free(owned);
    free(out);
    for (struct pg_pod *p = g->pods; p != NULL; p = p->next)
        step(p);
}

static int pod_list(void *impl, kj_runtime_list_cb done, void *arg, kj_error_t *err)
{
    struct kj_pod_group *g = impl;
    struct list_ctx *ctx = xcalloc(1, sizeof *ctx);
    ctx->g = g;
    ctx->done = done;
    ctx->arg = arg;
    if (g->inner.ops->pod_list(g->inner.impl, listed, ctx, err) < 0) {
        free(ctx);
        return -1;
    }
    return 0;
}

static const struct kj_runtime_ops group_ops = {
    set_observer, pod_create, pod_restart, pod_stop, pod_remove, pod_list,
};

struct kj_pod_group *kj_pod_group_new(struct event_base *base, struct kj_runtime inner,
                                      const char *infra_image)
{
    struct kj_pod_group *g = xcalloc(1, sizeof *g);
    g->base = base;
    g->inner = inner;
    g->infra_image = xstrdup(infra_image);
    return g;
}

void kj_pod_group_free(struct kj_pod_group *g)
{
    if (g == NULL)
        return;
    while (g->pods != NULL) {
        struct pg_pod *p = g->pods;
        if (p->create_done != NULL) {
            kj_error_t err = NULL;
            kj_make_error(&err, ECANCELED, "kjobd is shutting down");
            p->create_done(p->create_arg, NULL, err);
            kj_error_release(&err);
        }
        pg_pod_free(p);
    }
    free(g->infra_image);
    free(g);
}

void kj_pod_group_set_owner_check(struct kj_pod_group *g, kj_pod_group_owner_fn fn, void *arg)
{
    g->owner_fn = fn;
    g->owner_arg = arg;
}

struct kj_runtime kj_pod_group_runtime(struct kj_pod_group *g)
{
    struct kj_runtime rt = {&group_ops, g};
    return rt;
}
