/* Docker runtime: the vtable operations (create with image policy, restart,
 * stop, remove, list). See runtime_docker.h. */
#include "controller/runtime_docker_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

struct create_op {
    struct create_op *next;
    struct kj_runtime_docker *rd;
    struct rd_pod *pod;
    struct kj_pod_container_spec spec;
    char *pod_uid; /* owned */
    kj_runtime_done_cb done;
    void *arg;
    struct rd_req *req; /* request in flight, or NULL */
    struct event *timer; /* image pull backoff */
    int pull_failures;
    char *container_id; /* owned */
    char *pull_msg;     /* owned: why the last pull failed */
    /* The template's container while its env from ConfigMaps/Secrets is
     * still to be resolved (owned; NULL once done or when there is none). */
    cJSON *env_refs;
    /* The template's spec while configMap/secret volumes are to be written
     * (owned; NULL once done or when there are none). */
    cJSON *cfg_volumes;
    cJSON *pod_meta; /* owned, with cfg_volumes: what downwardAPI volumes show */
    int config_failures;
};

static void step_image(struct create_op *op);
static void step_create(struct create_op *op);
static void step_start(struct create_op *op);

static void op_unlink(struct create_op *op)
{
    struct create_op **pp = &op->rd->creates;
    while (*pp != NULL && *pp != op)
        pp = &(*pp)->next;
    if (*pp == op)
        *pp = op->next;
}

static void op_free(struct create_op *op)
{
    op_unlink(op);
    if (op->req != NULL) {
        if (op->req->h != NULL)
            kj_docker_cancel(op->req->h);
        rd_req_done(op->req);
    }
    if (op->timer != NULL)
        event_free(op->timer);
    if (op->pod != NULL && op->pod->create == op)
        op->pod->create = NULL;
    kj_pod_container_spec_clear(&op->spec);
    free(op->pod_uid);
    free(op->container_id);
    free(op->pull_msg);
    cJSON_Delete(op->env_refs);
    cJSON_Delete(op->cfg_volumes);
    cJSON_Delete(op->pod_meta);
    free(op);
}

void rd_creates_free_all(struct kj_runtime_docker *rd)
{
    while (rd->creates != NULL) {
        struct create_op *op = rd->creates;
        kj_runtime_done_cb done = op->done;
        void *arg = op->arg;
        op_free(op);
        /* The driver left detached contexts behind that free themselves here. */
        done(arg, NULL, rd_shutdown_error());
    }
}

/* End the create: report to the controller, then forget the op. */
static void op_finish(struct create_op *op, const char *id, kj_error_t err)
{
    struct kj_runtime_docker *rd = op->rd;
    kj_runtime_done_cb done = op->done;
    void *arg = op->arg;
    struct rd_pod *pod = op->pod;
    cleanup_free char *cid = id ? xstrdup(id) : NULL;
    op->pod->create = NULL;
    op_free(op);
    if (err == NULL && cid != NULL)
        rd_inspect_and_emit(rd, cid);
    else if (pod->container_id == NULL && pod->state != KJ_POD_OBS_WAITING)
        rd_pod_drop(rd, pod);
    done(arg, cid, err);
}

/* A copy of a borrowed engine error, keeping its status. */
static kj_error_t copy_err(const kj_error_t src)
{
    kj_error_t e = NULL;
    kj_make_error(&e, 0, "%s", src ? src->msg : "unknown error");
    if (src != NULL)
        e->status = src->status;
    return e;
}

static void op_fail(struct create_op *op, kj_error_t *err, const char *what)
{
    kj_error_wrap(err, "%s `%s`", what, op->pod->name);
    op_finish(op, NULL, *err);
    kj_error_release(err);
}

/* A request from inside the op; `cbdata` is the rd_req. */
static struct rd_req *op_req(struct create_op *op)
{
    op->req = rd_req_new(op->rd, op);
    return op->req;
}

static void op_req_end(struct create_op *op)
{
    rd_req_done(op->req);
    op->req = NULL;
}

static void emit_waiting(struct create_op *op, const char *reason, const char *message)
{
    rd_pod_set_waiting(op->pod, reason, message);
    rd_pod_emit(op->rd, op->pod);
}

static void backoff_cb(evutil_socket_t fd, short what, void *data)
{
    struct create_op *op = data;
    (void)fd;
    (void)what;
    step_image(op);
}

/* The image cannot be had now: show ErrImagePull, then ImagePullBackOff
 * while waiting for the next attempt. */
static void image_backoff(struct create_op *op, const char *reason, const char *message)
{
    emit_waiting(op, reason, message);
    int64_t ms = 1000;
    for (int i = 1; i < op->pull_failures && ms < op->rd->pull_backoff_max_ms; i++)
        ms *= 2;
    if (ms > op->rd->pull_backoff_max_ms)
        ms = op->rd->pull_backoff_max_ms;
    op->pull_failures++;
    if (op->timer == NULL)
        op->timer = evtimer_new(op->rd->base, backoff_cb, op);
    struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)((ms % 1000) * 1000)};
    evtimer_add(op->timer, &tv);
    if (strcmp(reason, "ErrImageNeverPull") != 0 && op->pull_failures > 1) {
        /* Kubernetes 1.30+: the back-off message carries the last error. */
        cleanup_free char *m = xasprintf("Back-off pulling image \"%s\": %s: %s", op->spec.spec.image,
                                         reason, message);
        emit_waiting(op, "ImagePullBackOff", m);
    }
}

/* ---- image ---- */

static void pull_inspect_cb(kj_error_t err, const cJSON *json, void *data);

static void pull_done_cb(kj_error_t err, void *data)
{
    struct rd_req *r = data;
    struct create_op *op = r->data;
    op_req_end(op);
    if (err == NULL) {
        step_create(op);
        return;
    }
    /* Keep the pull error for the message; see if a local copy exists. */
    cleanup_free char *msg = xstrdup(err->msg);
    if (op->rd->pull_strict) {
        image_backoff(op, "ErrImagePull", msg);
        return;
    }
    kj_error_t ierr = NULL;
    struct rd_req *ir = op_req(op);
    free(op->pull_msg);
    op->pull_msg = steal_pointer(&msg);
    ir->h = kj_docker_image_inspect(op->rd->d, op->spec.spec.image, pull_inspect_cb, ir, &ierr);
    if (ir->h == NULL) {
        op_req_end(op);
        op_fail(op, &ierr, "inspect image for pod");
    }
}

static void pull_inspect_cb(kj_error_t err, const cJSON *json, void *data)
{
    struct rd_req *r = data;
    struct create_op *op = r->data;
    (void)json;
    op_req_end(op);
    cleanup_free char *pull_msg = steal_pointer(&op->pull_msg);
    if (err == NULL) {
        if (op->rd->event_cb != NULL) {
            cleanup_free char *m = xasprintf("Failed to pull image \"%s\": %s; using the local image",
                                             op->spec.spec.image, pull_msg ? pull_msg : "");
            op->rd->event_cb(op->rd->event_arg, op->pod->ns, op->pod->name, op->pod_uid, "Warning",
                             "Failed", m);
        }
        step_create(op);
        return;
    }
    image_backoff(op, "ErrImagePull", pull_msg ? pull_msg : err->msg);
}

static void start_pull(struct create_op *op)
{
    kj_error_t err = NULL;
    struct rd_req *r = op_req(op);
    r->h = kj_docker_image_pull(op->rd->d, op->spec.spec.image, NULL, NULL, pull_done_cb, r, &err);
    if (r->h == NULL) {
        op_req_end(op);
        op_fail(op, &err, "pull image for pod");
    }
}

static void image_inspect_cb(kj_error_t err, const cJSON *json, void *data)
{
    struct rd_req *r = data;
    struct create_op *op = r->data;
    (void)json;
    op_req_end(op);
    const char *policy = op->spec.pull_policy;
    if (err == NULL) {
        step_create(op);
        return;
    }
    if (kj_error_http_status(err) != 404) {
        kj_error_t e = copy_err(err);
        op_fail(op, &e, "inspect image");
        return;
    }
    if (strcmp(policy, "Never") == 0) {
        cleanup_free char *m = xasprintf("Container image \"%s\" is not present with pull policy of Never",
                                         op->spec.spec.image);
        image_backoff(op, "ErrImageNeverPull", m);
    } else if (op->rd->offline) {
        cleanup_free char *m = xasprintf("image \"%s\" is not present locally and kjobd runs with --offline",
                                         op->spec.spec.image);
        image_backoff(op, "ErrImagePull", m);
    } else {
        start_pull(op);
    }
}

/* Env from ConfigMaps/Secrets, read from the store at each attempt. A
 * missing reference is CreateContainerConfigError, retried with back-off
 * like a pull and never a pod failure; true when the op may go on. */
/* configMap/secret volumes: 0 done, 1 not now (*why owned). */
static int step_cfg_volumes(struct create_op *op, char **why)
{
    struct kj_runtime_docker *rd = op->rd;
    if (op->cfg_volumes == NULL)
        return 0;
    if (rd->config_lookup == NULL || rd->pods_dir == NULL) {
        *why = xstrdup("configMap, secret, downwardAPI and subPath'd emptyDir volumes need kjobd's state dir");
        return 1;
    }
    cleanup_free char *dir = xasprintf("%s/%s.%s", rd->pods_dir, op->pod->ns, op->pod->name);
    const cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(op->cfg_volumes, "containers"), 0);
    size_t n_mounts = op->spec.spec.n_mounts;
    kj_error_t err = NULL;
    cleanup_free char *empty = rd_empty_dir_base(rd, op->pod->ns, op->pod->name);
    int rc = kj_pod_config_volumes_write(op->cfg_volumes, c, op->pod->ns, dir, empty,
                                         rd->config_lookup, rd->config_arg, op->pod_meta, &rd->node,
                                         &op->spec, why, &err);
    if (rc == 0) {
        cJSON_Delete(op->cfg_volumes);
        op->cfg_volumes = NULL;
        return 0;
    }
    op->spec.spec.n_mounts = n_mounts; /* retried from scratch */
    if (rc < 0) {
        *why = xasprintf("write volume files: %s", err->msg);
        kj_error_release(&err);
    }
    return 1;
}

static bool step_env_refs(struct create_op *op)
{
    struct kj_runtime_docker *rd = op->rd;
    char **vars = NULL;
    char *why = NULL;
    int rc = 0;
    if (op->env_refs != NULL && rd->config_lookup != NULL) {
        rc = kj_pod_env_refs_resolve(op->env_refs, op->pod->ns, rd->config_lookup, rd->config_arg,
                                     &vars, &why);
        if (rc == 0) {
            kj_pod_container_spec_prepend_env(&op->spec, vars);
            cJSON_Delete(op->env_refs);
            op->env_refs = NULL;
        }
    }
    bool mount = false;
    if (rc == 0) {
        if (step_cfg_volumes(op, &why) == 0)
            return true;
        mount = true;
    }
    /* As the kubelet: a missing env source is CreateContainerConfigError, a
     * volume that cannot be set up keeps the pod ContainerCreating. */
    emit_waiting(op, mount ? "ContainerCreating" : "CreateContainerConfigError", mount ? NULL : why);
    if (op->config_failures == 0 && rd->event_cb != NULL)
        rd->event_cb(rd->event_arg, op->pod->ns, op->pod->name, op->pod_uid, "Warning",
                     mount ? "FailedMount" : "Failed", why);
    free(why);
    int64_t ms = 1000;
    for (int i = 0; i < op->config_failures && ms < 8000; i++)
        ms *= 2;
    op->config_failures++;
    if (op->timer == NULL)
        op->timer = evtimer_new(rd->base, backoff_cb, op);
    struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)((ms % 1000) * 1000)};
    evtimer_add(op->timer, &tv);
    return false;
}

static void step_image(struct create_op *op)
{
    if (!step_env_refs(op))
        return;
    if (op->pod->state != KJ_POD_OBS_WAITING) {
        op->pod->state = KJ_POD_OBS_CREATING;
        rd_pod_emit(op->rd, op->pod);
    }
    if (strcmp(op->spec.pull_policy, "Always") == 0 && !op->rd->offline) {
        start_pull(op);
        return;
    }
    kj_error_t err = NULL;
    struct rd_req *r = op_req(op);
    r->h = kj_docker_image_inspect(op->rd->d, op->spec.spec.image, image_inspect_cb, r, &err);
    if (r->h == NULL) {
        op_req_end(op);
        op_fail(op, &err, "inspect image for pod");
    }
}

/* ---- container ---- */

static void adopt_inspect_cb(kj_error_t err, const struct kj_container_state *st, void *data)
{
    struct rd_req *r = data;
    struct create_op *op = r->data;
    op_req_end(op);
    if (err != NULL) {
        kj_error_t e = NULL;
        kj_make_http_error(&e, 409, "container name `%s` is taken: %s", op->pod->name, err->msg);
        op_fail(op, &e, "create pod");
        return;
    }
    const cJSON *uid = cJSON_GetObjectItemCaseSensitive(st->labels, KJ_LABEL_POD_UID);
    if (!cJSON_IsString(uid) || strcmp(uid->valuestring, op->pod_uid) != 0) {
        kj_error_t e = NULL;
        kj_make_http_error(&e, 409, "a container named `%s` exists and is not this pod's", op->pod->name);
        op_fail(op, &e, "create pod");
        return;
    }
    /* Our own container from before a crash: carry on from where it is. */
    free(op->container_id);
    op->container_id = xstrdup(st->id);
    rd_pod_set_container(op->rd, op->pod, st->id);
    if (strcmp(st->status, "created") == 0 && st->exit_code != 126 && st->exit_code != 127)
        step_start(op); /* never ran, or an engine-side start failure: try again */
    else
        op_finish(op, st->id, NULL);
}

static void created_cb(kj_error_t err, const char *id, void *data)
{
    struct rd_req *r = data;
    struct create_op *op = r->data;
    op_req_end(op);
    if (err == NULL) {
        free(op->container_id);
        op->container_id = xstrdup(id);
        rd_pod_set_container(op->rd, op->pod, id);
        op->pod->state = KJ_POD_OBS_CREATED;
        step_start(op);
        return;
    }
    int code = kj_error_http_status(err);
    if (code == 409) {
        kj_error_t ierr = NULL;
        struct rd_req *ir = op_req(op);
        ir->h = kj_docker_container_inspect(op->rd->d, op->pod->name, adopt_inspect_cb, ir, &ierr);
        if (ir->h == NULL) {
            op_req_end(op);
            op_fail(op, &ierr, "inspect container of pod");
        }
        return;
    }
    if (code == 404) {
        /* The image went away between the check and the create. */
        image_backoff(op, "ErrImagePull", err->msg);
        return;
    }
    if (code == 400) {
        emit_waiting(op, "CreateContainerError", err->msg);
    }
    kj_error_t e = copy_err(err);
    op_fail(op, &e, "create container for pod");
}

static void step_create(struct create_op *op)
{
    kj_error_t err = NULL;
    struct rd_req *r = op_req(op);
    r->h = kj_docker_container_create(op->rd->d, &op->spec.spec, created_cb, r, &err);
    if (r->h == NULL) {
        op_req_end(op);
        op_fail(op, &err, "create container for pod");
    }
}

static void started_cb(kj_error_t err, void *data)
{
    struct rd_req *r = data;
    struct create_op *op = r->data;
    op_req_end(op);
    if (err != NULL && kj_error_http_status(err) != 400) {
        kj_error_t e = copy_err(err);
        op_fail(op, &e, "start container of pod");
        return;
    }
    /* A 400 is a start failure inside the container (bad entrypoint): the
     * container exists and its inspect reports the failed run, which the
     * controller counts like any failed pod. */
    cleanup_free char *id = xstrdup(op->container_id);
    op_finish(op, id, NULL);
}

static void step_start(struct create_op *op)
{
    kj_error_t err = NULL;
    struct rd_req *r = op_req(op);
    r->h = kj_docker_container_start(op->rd->d, op->container_id, started_cb, r, &err);
    if (r->h == NULL) {
        op_req_end(op);
        op_fail(op, &err, "start container of pod");
    }
}

/* A completion owed to the controller, delivered from the loop: a create
 * cancelled by a stop/remove must not call back inside that call. */
struct deferred_done {
    struct event *ev;
    kj_runtime_done_cb done;
    void *arg;
    char *msg; /* owned */
    struct rd_req *r;
};

static void deferred_free(struct deferred_done *dd)
{
    event_free(dd->ev);
    free(dd->msg);
    free(dd);
}

static void deferred_cancel(struct rd_req *r)
{
    struct deferred_done *dd = r->data;
    if (r->rd->shutting_down)
        dd->done(dd->arg, NULL, rd_shutdown_error());
    deferred_free(dd);
}

static void deferred_cb(evutil_socket_t fd, short what, void *data)
{
    struct deferred_done *dd = data;
    (void)fd;
    (void)what;
    rd_req_done(dd->r);
    kj_error_t err = NULL;
    kj_make_error(&err, ECANCELED, "%s", dd->msg);
    dd->done(dd->arg, NULL, err);
    kj_error_release(&err);
    deferred_free(dd);
}

void rd_create_cancel(struct kj_runtime_docker *rd, struct rd_pod *p, const char *why)
{
    struct create_op *op = p->create;
    if (op == NULL)
        return;
    struct deferred_done *dd = xcalloc(1, sizeof *dd);
    dd->done = op->done;
    dd->arg = op->arg;
    dd->msg = xasprintf("create of pod `%s` cancelled: %s", p->name, why);
    op_free(op);
    dd->ev = evtimer_new(rd->base, deferred_cb, dd);
    kj_assert(dd->ev != NULL);
    dd->r = rd_req_new(rd, dd);
    dd->r->on_cancel = deferred_cancel;
    struct timeval zero = {0, 0};
    evtimer_add(dd->ev, &zero);
}

/* ---- vtable ---- */

static void set_observer(void *impl, kj_runtime_obs_cb cb, void *arg)
{
    struct kj_runtime_docker *rd = impl;
    rd->obs_cb = cb;
    rd->obs_arg = arg;
}

static void kick_cb(evutil_socket_t fd, short what, void *data)
{
    struct create_op *op = data;
    (void)fd;
    (void)what;
    step_image(op);
}

static const cJSON *spec_of(const struct kj_runtime_pod_req *req)
{
    return cJSON_GetObjectItemCaseSensitive(req->pod_template, "spec");
}

char *rd_empty_dir_base(const struct kj_runtime_docker *rd, const char *ns, const char *name)
{
    if (rd->pods_dir == NULL || ns == NULL)
        return NULL;
    return xasprintf("%s/%s.%.*s.empty", rd->pods_dir, ns, (int)kj_pod_name_len(name), name);
}

/* The pod's metadata as the downward API shows it. A member of a pod group
 * is "<pod>_<container>" (pod_group.h); kjob's own labels are not the pod's. */
static cJSON *pod_meta(const struct kj_runtime_pod_req *req)
{
    cJSON *m = cJSON_CreateObject();
    cleanup_free char *name = xstrndup(req->pod_name, kj_pod_name_len(req->pod_name));
    cJSON_AddStringToObject(m, "name", name);
    cJSON_AddStringToObject(m, "namespace", req->ns);
    cJSON_AddStringToObject(m, "uid", req->pod_uid);
    cJSON *labels = cJSON_AddObjectToObject(m, "labels");
    const cJSON *e;
    cJSON_ArrayForEach(e, req->labels)
    {
        if (cJSON_IsString(e) && strncmp(e->string, "io.kjob.", 8) != 0)
            cJSON_AddStringToObject(labels, e->string, e->valuestring);
    }
    cJSON_AddItemToObject(m, "annotations", req->annotations != NULL
                                                ? cJSON_Duplicate(req->annotations, 1)
                                                : cJSON_CreateObject());
    return m;
}

static int pod_create(void *impl, const struct kj_runtime_pod_req *req, kj_runtime_done_cb done,
                      void *arg, kj_error_t *err)
{
    struct kj_runtime_docker *rd = impl;
    struct rd_pod *existing = rd_pod_find(rd, req->pod_name);
    if (existing != NULL && existing->create != NULL)
        return kj_make_error(err, EALREADY, "pod `%s` is already being created", req->pod_name);
    struct create_op *op = xcalloc(1, sizeof *op);
    if (kj_pod_container_spec_build(req, rd->network, &rd->node, &op->spec, err) < 0) {
        free(op);
        return kj_error_wrap(err, "pod `%s`", req->pod_name);
    }
    op->rd = rd;
    op->done = done;
    op->arg = arg;
    op->pod_uid = xstrdup(req->pod_uid);
    const cJSON *c0 = cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(req->pod_template, "spec"), "containers"), 0);
    if (kj_pod_env_has_refs(c0))
        op->env_refs = cJSON_Duplicate(c0, 1);
    const cJSON *vol;
    cJSON_ArrayForEach(vol, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(req->pod_template, "spec"), "volumes"))
    {
        const char *vname = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(vol, "name"));
        if (op->cfg_volumes == NULL &&
            (cJSON_GetObjectItemCaseSensitive(vol, "configMap") != NULL ||
             cJSON_GetObjectItemCaseSensitive(vol, "secret") != NULL ||
             cJSON_GetObjectItemCaseSensitive(vol, "downwardAPI") != NULL ||
             (cJSON_GetObjectItemCaseSensitive(vol, "emptyDir") != NULL && vname != NULL &&
              kj_pod_empty_dir_on_host(spec_of(req), vname))))
            op->cfg_volumes = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(req->pod_template, "spec"), 1);
    }
    if (op->cfg_volumes != NULL)
        op->pod_meta = pod_meta(req);
    struct kj_pod_obs id = {.ns = req->ns, .pod_name = req->pod_name, .pod_uid = req->pod_uid,
                            .job_uid = req->job_uid, .job_name = req->job_name, .index = req->index,
                            .member = req->member, .group_spec = req->group_spec};
    op->pod = rd_pod_upsert(rd, &id);
    op->pod->create = op;
    op->next = rd->creates;
    rd->creates = op;
    /* Start from the loop, never inside the caller's stack. */
    op->timer = evtimer_new(rd->base, kick_cb, op);
    struct timeval zero = {0, 0};
    evtimer_add(op->timer, &zero);
    return 0;
}

static int pod_list(void *impl, kj_runtime_list_cb done, void *arg, kj_error_t *err)
{
    return rd_resync(impl, done, arg, err);
}

static const struct kj_runtime_ops docker_ops = {
    set_observer, pod_create, rd_pod_restart, rd_pod_stop, rd_pod_remove, pod_list,
};

struct kj_runtime kj_runtime_docker_runtime(struct kj_runtime_docker *rd)
{
    struct kj_runtime rt = {&docker_ops, rd};
    return rt;
}

void kj_runtime_docker_set_config_lookup(struct kj_runtime_docker *rd, kj_config_lookup_fn fn, void *arg)
{
    rd->config_lookup = fn;
    rd->config_arg = arg;
}
