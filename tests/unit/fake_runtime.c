/* See fake_runtime.h. */
#include <errno.h>
#include "fake_runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#define FAKE_MAX_ENV 8

struct fake_ctr {
    char *ns, *name, *uid, *job_uid, *job_name, *id, *hostname;
    char *member, *group_spec, *netns_of; /* pod groups, or NULL */
    int index;
    enum kj_pod_obs_state state;
    int exit_code;
    int64_t created, started, finished;
    char *env[FAKE_MAX_ENV];
    cJSON *labels;
    bool gone;
    int stop_grace; /* grace of the last pod_stop asked, -1 = none */
};

struct fake_op {
    enum kj_fake_op op;
    char *pod_name;
    bool fail;
    kj_runtime_done_cb done;
    kj_runtime_list_cb list_done;
    void *arg;
};

struct kj_fake_runtime {
    kj_runtime_obs_cb obs_cb;
    void *obs_arg;
    int64_t now;
    struct fake_ctr *c;
    int nc;
    struct fake_op *q;
    int nq;
    int calls[KJ_FAKE_NOPS];
    int fail_n[KJ_FAKE_NOPS];
    bool fail_at_call[KJ_FAKE_NOPS];
    bool mute;
    int max_active;
    int next_id;
};

static void *fake_xrealloc(void *p, size_t n)
{
    void *r = realloc(p, n);
    if (r == NULL)
        abort();
    return r;
}

static char *fake_strdup(const char *s)
{
    if (s == NULL)
        return NULL;
    char *r = strdup(s);
    if (r == NULL)
        abort();
    return r;
}

static struct fake_ctr *fake_find(const struct kj_fake_runtime *f, const char *name)
{
    for (int i = 0; i < f->nc; i++)
        if (!f->c[i].gone && strcmp(f->c[i].name, name) == 0)
            return &f->c[i];
    return NULL;
}

static int fake_active(const struct kj_fake_runtime *f)
{
    int n = 0;
    for (int i = 0; i < f->nc; i++)
        if (!f->c[i].gone && (f->c[i].state == KJ_POD_OBS_RUNNING ||
                              f->c[i].state == KJ_POD_OBS_CREATING))
            n++;
    return n;
}

static void fake_fill_obs(const struct fake_ctr *c, struct kj_pod_obs *o)
{
    memset(o, 0, sizeof(*o));
    o->ns = c->ns;
    o->pod_name = c->name;
    o->pod_uid = c->uid;
    o->job_uid = c->job_uid;
    o->job_name = c->job_name;
    o->member = c->member;
    o->group_spec = c->group_spec;
    o->index = c->index;
    o->container_id = c->id;
    o->state = c->gone ? KJ_POD_OBS_REMOVED : c->state;
    o->exit_code = c->exit_code;
    o->created_at = c->created;
    o->started_at = c->started;
    o->finished_at = c->finished;
    o->pod_ip = c->state == KJ_POD_OBS_RUNNING ? "10.0.0.2" : NULL;
}

static void fake_observe(struct kj_fake_runtime *f, const struct fake_ctr *c)
{
    int a = fake_active(f);
    if (a > f->max_active)
        f->max_active = a;
    if (f->mute || f->obs_cb == NULL)
        return;
    struct kj_pod_obs o;
    fake_fill_obs(c, &o);
    f->obs_cb(f->obs_arg, &o);
}

static void fake_set_observer(void *impl, kj_runtime_obs_cb cb, void *arg)
{
    struct kj_fake_runtime *f = impl;
    f->obs_cb = cb;
    f->obs_arg = arg;
}

static int fake_enqueue(struct kj_fake_runtime *f, enum kj_fake_op op, const char *pod,
                        kj_runtime_done_cb done, kj_runtime_list_cb list_done, void *arg,
                        kj_error_t *err)
{
    if (f->fail_n[op] > 0 && f->fail_at_call[op]) {
        f->fail_n[op]--;
        return kj_make_error(err, 0, "fake: engine unavailable");
    }
    f->calls[op]++;
    f->q = fake_xrealloc(f->q, sizeof(*f->q) * (size_t)(f->nq + 1));
    struct fake_op *q = &f->q[f->nq++];
    memset(q, 0, sizeof(*q));
    q->op = op;
    q->pod_name = fake_strdup(pod);
    q->done = done;
    q->list_done = list_done;
    q->arg = arg;
    if (f->fail_n[op] > 0) {
        f->fail_n[op]--;
        q->fail = true;
    }
    return 0;
}

static int fake_pod_create(void *impl, const struct kj_runtime_pod_req *req,
                           kj_runtime_done_cb done, void *arg, kj_error_t *err)
{
    struct kj_fake_runtime *f = impl;
    if (fake_enqueue(f, KJ_FAKE_CREATE, req->pod_name, done, NULL, arg, err) < 0)
        return -1;
    if (f->q[f->nq - 1].fail)
        return 0;
    f->c = fake_xrealloc(f->c, sizeof(*f->c) * (size_t)(f->nc + 1));
    struct fake_ctr *c = &f->c[f->nc++];
    memset(c, 0, sizeof(*c));
    c->stop_grace = -1;
    c->ns = fake_strdup(req->ns);
    c->name = fake_strdup(req->pod_name);
    c->uid = fake_strdup(req->pod_uid);
    c->job_uid = fake_strdup(req->job_uid);
    c->job_name = fake_strdup(req->job_name);
    c->hostname = fake_strdup(req->hostname);
    c->member = req->member != NULL ? fake_strdup(req->member) : NULL;
    c->group_spec = req->group_spec != NULL ? fake_strdup(req->group_spec) : NULL;
    c->netns_of = req->netns_of != NULL ? fake_strdup(req->netns_of) : NULL;
    c->index = req->index;
    c->state = KJ_POD_OBS_CREATING;
    c->created = f->now;
    for (int i = 0; req->extra_env != NULL && req->extra_env[i] != NULL && i < FAKE_MAX_ENV; i++)
        c->env[i] = fake_strdup(req->extra_env[i]);
    c->labels = req->labels != NULL ? cJSON_Duplicate(req->labels, 1) : NULL;
    fake_observe(f, c);
    return 0;
}

static int fake_pod_restart(void *impl, const struct kj_runtime_pod_ref *pod,
                            kj_runtime_done_cb done, void *arg, kj_error_t *err)
{
    return fake_enqueue(impl, KJ_FAKE_RESTART, pod->pod_name, done, NULL, arg, err);
}

static int fake_pod_stop(void *impl, const struct kj_runtime_pod_ref *pod, int grace,
                         kj_runtime_done_cb done, void *arg, kj_error_t *err)
{
    struct fake_ctr *c = fake_find(impl, pod->pod_name);
    if (c != NULL)
        c->stop_grace = grace;
    return fake_enqueue(impl, KJ_FAKE_STOP, pod->pod_name, done, NULL, arg, err);
}

static int fake_pod_remove(void *impl, const struct kj_runtime_pod_ref *pod,
                           kj_runtime_done_cb done, void *arg, kj_error_t *err)
{
    return fake_enqueue(impl, KJ_FAKE_REMOVE, pod->pod_name, done, NULL, arg, err);
}

static int fake_pod_list(void *impl, kj_runtime_list_cb done, void *arg, kj_error_t *err)
{
    return fake_enqueue(impl, KJ_FAKE_LIST, NULL, NULL, done, arg, err);
}

static const struct kj_runtime_ops fake_ops = {
    .set_observer = fake_set_observer,
    .pod_create = fake_pod_create,
    .pod_restart = fake_pod_restart,
    .pod_stop = fake_pod_stop,
    .pod_remove = fake_pod_remove,
    .pod_list = fake_pod_list,
};

struct kj_fake_runtime *kj_fake_runtime_new(void)
{
    struct kj_fake_runtime *f = calloc(1, sizeof(*f));
    if (f == NULL)
        abort();
    f->now = 1000000000LL * 1700000000LL;
    return f;
}

static void fake_ctr_free(struct fake_ctr *c)
{
    free(c->ns);
    free(c->name);
    free(c->uid);
    free(c->job_uid);
    free(c->job_name);
    free(c->member);
    free(c->group_spec);
    free(c->netns_of);
    free(c->id);
    free(c->hostname);
    for (int i = 0; i < FAKE_MAX_ENV; i++)
        free(c->env[i]);
    cJSON_Delete(c->labels);
}

void kj_fake_runtime_free(struct kj_fake_runtime *f)
{
    if (f == NULL)
        return;
    for (int i = 0; i < f->nc; i++)
        fake_ctr_free(&f->c[i]);
    /* runtime.h: completions still owed are delivered with ECANCELED */
    for (int i = 0; i < f->nq; i++) {
        kj_error_t err = NULL;
        kj_make_error(&err, ECANCELED, "fake runtime freed");
        if (f->q[i].op == KJ_FAKE_LIST && f->q[i].list_done != NULL)
            f->q[i].list_done(f->q[i].arg, NULL, 0, err);
        else if (f->q[i].done != NULL)
            f->q[i].done(f->q[i].arg, NULL, err);
        kj_error_release(&err);
        free(f->q[i].pod_name);
    }
    free(f->c);
    free(f->q);
    free(f);
}

struct kj_runtime kj_fake_runtime_get(struct kj_fake_runtime *f)
{
    struct kj_runtime r = {&fake_ops, f};
    return r;
}

void kj_fake_runtime_set_now(struct kj_fake_runtime *f, int64_t now_ns)
{
    f->now = now_ns;
}

int kj_fake_runtime_calls(const struct kj_fake_runtime *f, enum kj_fake_op op)
{
    return f->calls[op];
}

void kj_fake_runtime_fail_next(struct kj_fake_runtime *f, enum kj_fake_op op, int n, bool at_call)
{
    f->fail_n[op] = n;
    f->fail_at_call[op] = at_call;
}

int kj_fake_runtime_pending(const struct kj_fake_runtime *f)
{
    return f->nq;
}

static void fake_apply(struct kj_fake_runtime *f, struct fake_op *q, kj_error_t *err)
{
    struct fake_ctr *c = q->pod_name != NULL ? fake_find(f, q->pod_name) : NULL;
    switch (q->op) {
    case KJ_FAKE_CREATE:
        if (c == NULL) {
            kj_make_error(err, 0, "fake: container `%s` vanished", q->pod_name);
            return;
        }
        if (c->id == NULL) {
            char id[32];
            snprintf(id, sizeof(id), "c%011d", ++f->next_id);
            c->id = fake_strdup(id);
        }
        c->state = KJ_POD_OBS_RUNNING;
        c->started = f->now;
        fake_observe(f, c);
        return;
    case KJ_FAKE_RESTART:
        if (c == NULL) {
            kj_make_error(err, 0, "fake: no container `%s`", q->pod_name);
            return;
        }
        if (c->state != KJ_POD_OBS_RUNNING) {
            c->state = KJ_POD_OBS_RUNNING;
            c->started = f->now;
            fake_observe(f, c);
        }
        return;
    case KJ_FAKE_STOP:
        if (c != NULL && (c->state == KJ_POD_OBS_RUNNING || c->state == KJ_POD_OBS_CREATING ||
                          c->state == KJ_POD_OBS_CREATED)) {
            c->state = KJ_POD_OBS_EXITED;
            c->exit_code = 143;
            c->finished = f->now;
            fake_observe(f, c);
        }
        return;
    case KJ_FAKE_REMOVE:
        if (c != NULL) {
            c->gone = true;
            fake_observe(f, c);
        }
        return;
    case KJ_FAKE_LIST:
    case KJ_FAKE_NOPS:
    default:
        return;
    }
}

int kj_fake_runtime_complete(struct kj_fake_runtime *f, int max)
{
    int n = f->nq;
    if (max >= 0 && max < n)
        n = max;
    if (n == 0)
        return 0;
    struct fake_op *batch = malloc(sizeof(*batch) * (size_t)n);
    if (batch == NULL)
        abort();
    memcpy(batch, f->q, sizeof(*batch) * (size_t)n);
    memmove(f->q, f->q + n, sizeof(*f->q) * (size_t)(f->nq - n));
    f->nq -= n;
    for (int i = 0; i < n; i++) {
        struct fake_op *q = &batch[i];
        kj_error_t err = NULL;
        if (q->fail)
            kj_make_error(&err, 0, "fake: injected %s failure",
                          q->op == KJ_FAKE_CREATE ? "create" : "operation");
        else
            fake_apply(f, q, &err);
        if (q->op == KJ_FAKE_LIST) {
            int m = 0;
            struct kj_pod_obs *obs = calloc((size_t)f->nc + 1, sizeof(*obs));
            if (obs == NULL)
                abort();
            for (int j = 0; err == NULL && j < f->nc; j++)
                if (!f->c[j].gone)
                    fake_fill_obs(&f->c[j], &obs[m++]);
            q->list_done(q->arg, obs, m, err);
            free(obs);
        } else if (q->done != NULL) {
            struct fake_ctr *c = q->pod_name != NULL ? fake_find(f, q->pod_name) : NULL;
            q->done(q->arg, err == NULL && c != NULL ? c->id : NULL, err);
        }
        kj_error_release(&err);
        free(q->pod_name);
    }
    free(batch);
    return n;
}

int kj_fake_runtime_exit(struct kj_fake_runtime *f, const char *pod_name, int code)
{
    struct fake_ctr *c = fake_find(f, pod_name);
    if (c == NULL || c->state != KJ_POD_OBS_RUNNING)
        return -1;
    c->state = KJ_POD_OBS_EXITED;
    c->exit_code = code;
    /* Distinct exits need distinct finished_at even when the test clock
     * stands still: the controller keys restarts on it. */
    c->finished = f->now > c->finished ? f->now : c->finished + 1;
    fake_observe(f, c);
    return 0;
}

int kj_fake_runtime_stop_grace(const struct kj_fake_runtime *f, const char *pod_name)
{
    for (int i = f->nc - 1; i >= 0; i--) /* removed ones too: the latest of the name */
        if (strcmp(f->c[i].name, pod_name) == 0)
            return f->c[i].stop_grace;
    return -1;
}

int kj_fake_runtime_strand(struct kj_fake_runtime *f, const char *pod_name)
{
    struct fake_ctr *c = fake_find(f, pod_name);
    if (c == NULL || c->id == NULL)
        return -1;
    c->state = KJ_POD_OBS_CREATED;
    c->started = 0;
    fake_observe(f, c);
    return 0;
}

int kj_fake_runtime_rm_force(struct kj_fake_runtime *f, const char *pod_name)
{
    struct fake_ctr *c = fake_find(f, pod_name);
    if (c == NULL)
        return -1;
    if (c->state == KJ_POD_OBS_RUNNING)
        kj_fake_runtime_exit(f, pod_name, 137);
    c->gone = true;
    fake_observe(f, c);
    return 0;
}

void kj_fake_runtime_mute(struct kj_fake_runtime *f, bool mute)
{
    f->mute = mute;
}

int kj_fake_runtime_count(const struct kj_fake_runtime *f, enum kj_pod_obs_state state)
{
    int n = 0;
    for (int i = 0; i < f->nc; i++)
        if (!f->c[i].gone && f->c[i].state == state)
            n++;
    return n;
}

const char *kj_fake_runtime_name(const struct kj_fake_runtime *f, int i,
                                 enum kj_pod_obs_state *state)
{
    if (i < 0 || i >= f->nc)
        return NULL;
    if (state != NULL)
        *state = f->c[i].gone ? KJ_POD_OBS_REMOVED : f->c[i].state;
    return f->c[i].name;
}

const char *kj_fake_runtime_running(const struct kj_fake_runtime *f, int i)
{
    for (int j = 0; j < f->nc; j++)
        if (!f->c[j].gone && f->c[j].state == KJ_POD_OBS_RUNNING && i-- == 0)
            return f->c[j].name;
    return NULL;
}

int kj_fake_runtime_max_active(const struct kj_fake_runtime *f)
{
    return f->max_active;
}

const char *kj_fake_runtime_env(const struct kj_fake_runtime *f, const char *pod_name,
                                const char *name)
{
    const struct fake_ctr *c = fake_find(f, pod_name);
    size_t n = strlen(name);
    for (int i = 0; c != NULL && i < FAKE_MAX_ENV && c->env[i] != NULL; i++)
        if (strncmp(c->env[i], name, n) == 0 && c->env[i][n] == '=')
            return c->env[i];
    return NULL;
}

const char *kj_fake_runtime_label(const struct kj_fake_runtime *f, const char *pod_name,
                                  const char *key)
{
    const struct fake_ctr *c = fake_find(f, pod_name);
    if (c == NULL)
        return NULL;
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c->labels, key));
}

const char *kj_fake_runtime_hostname(const struct kj_fake_runtime *f, const char *pod_name)
{
    const struct fake_ctr *c = fake_find(f, pod_name);
    return c != NULL ? c->hostname : NULL;
}
