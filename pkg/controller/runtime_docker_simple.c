/* Docker runtime: restart, stop and remove of a pod's container (the ops
 * that are one engine call each), and the removal of a pod group's named
 * volumes after its last container. */
#include "controller/runtime_docker_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xalloc.h"

/* Completion of restart/stop/remove. */
struct simple_op {
    kj_runtime_done_cb done;
    void *arg;
    char *name;  /* owned pod name */
    char *id;    /* owned container ref */
    char *dir;   /* owned: the pod's volume files, removed with it; or NULL */
    char *empty; /* owned: host emptyDir directories, removed with the pod; or NULL */
    char **volumes; /* owned, NULL-terminated: named volumes removed after it */
    bool remove;
};

static void simple_op_free(struct simple_op *so)
{
    free(so->name);
    free(so->id);
    free(so->dir);
    free(so->empty);
    for (size_t i = 0; so->volumes != NULL && so->volumes[i] != NULL; i++)
        free(so->volumes[i]);
    free(so->volumes);
    free(so);
}

static void volume_removed_cb(kj_error_t err, void *data)
{
    struct rd_req *r = data;
    int code = err != NULL ? kj_error_http_status(err) : 0;
    if (err != NULL && code != 404)
        kj_log(KJ_LOG_WARN, "remove volume `%s`: %s", (char *)r->data, err->msg);
    free(r->data);
    rd_req_done(r);
}

/* Best effort: a volume left behind holds no pod's state that matters. */
static void remove_volumes(struct kj_runtime_docker *rd, char *const *volumes)
{
    for (size_t i = 0; volumes != NULL && volumes[i] != NULL; i++) {
        kj_error_t err = NULL;
        struct rd_req *r = rd_req_new(rd, xstrdup(volumes[i]));
        r->on_cancel = rd_free_data_cb;
        r->h = kj_docker_volume_remove(rd->d, volumes[i], volume_removed_cb, r, &err);
        if (r->h == NULL) {
            kj_error_log_release(&err, "remove volume");
            free(r->data);
            rd_req_done(r);
        }
    }
}

static void simple_cancel(struct rd_req *r)
{
    struct simple_op *so = r->data;
    if (r->rd->shutting_down)
        so->done(so->arg, NULL, rd_shutdown_error());
    simple_op_free(so);
}

static void simple_done_cb(kj_error_t err, void *data)
{
    struct rd_req *r = data;
    struct kj_runtime_docker *rd = r->rd;
    struct simple_op *so = r->data;
    rd_req_done(r);
    int code = err ? kj_error_http_status(err) : 0;
    /* Already gone / already stopped count as success. */
    kj_error_t e = (err == NULL || code == 404 || code == 304) ? NULL : err;
    if (so->remove && e == NULL) {
        struct rd_pod *p = rd_pod_find(rd, so->name);
        if (p != NULL && p->create == NULL) {
            p->state = KJ_POD_OBS_REMOVED;
            rd_pod_emit(rd, p);
            rd_pod_drop(rd, p);
        }
    }
    if (so->remove && e == NULL && so->dir != NULL)
        kj_pod_dir_remove(so->dir);
    if (so->remove && e == NULL && so->empty != NULL)
        kj_pod_dir_remove(so->empty);
    if (so->remove && e == NULL)
        remove_volumes(rd, so->volumes);
    so->done(so->arg, e == NULL ? so->id : NULL, e);
    simple_op_free(so);
}

enum simple_kind { SIMPLE_RESTART, SIMPLE_STOP, SIMPLE_REMOVE };

static int simple(struct kj_runtime_docker *rd, enum simple_kind kind,
                  const struct kj_runtime_pod_ref *pod, int grace, kj_runtime_done_cb done,
                  void *arg, kj_error_t *err)
{
    struct rd_pod *p = rd_pod_find(rd, pod->pod_name);
    if (kind != SIMPLE_RESTART)
        rd_pod_mark_stopping(rd, pod->pod_name);
    else if (p != NULL)
        p->stopping = false;
    if (kind != SIMPLE_RESTART && p != NULL && p->create != NULL)
        rd_create_cancel(rd, p, kind == SIMPLE_STOP ? "pod stopped" : "pod removed");
    p = rd_pod_find(rd, pod->pod_name);
    const char *ref = pod->container_id ? pod->container_id
                      : (p && p->container_id) ? p->container_id : pod->pod_name;
    struct simple_op *so = xcalloc(1, sizeof *so);
    so->done = done;
    so->arg = arg;
    so->name = xstrdup(pod->pod_name);
    so->id = xstrdup(ref);
    so->remove = kind == SIMPLE_REMOVE;
    if (so->remove && rd->pods_dir != NULL && pod->ns != NULL)
        so->dir = xasprintf("%s/%s.%s", rd->pods_dir, pod->ns, pod->pod_name);
    /* The pod's own container (a group's infra) takes the pod's emptyDirs. */
    if (so->remove && pod->pod_name[kj_pod_name_len(pod->pod_name)] == '\0')
        so->empty = rd_empty_dir_base(rd, pod->ns, pod->pod_name);
    size_t nv = 0;
    while (so->remove && pod->volumes != NULL && pod->volumes[nv] != NULL)
        nv++;
    if (nv > 0) {
        so->volumes = xcalloc(nv + 1, sizeof *so->volumes);
        for (size_t i = 0; i < nv; i++)
            so->volumes[i] = xstrdup(pod->volumes[i]);
    }
    struct rd_req *r = rd_req_new(rd, so);
    r->on_cancel = simple_cancel;
    switch (kind) {
    case SIMPLE_RESTART:
        r->h = kj_docker_container_start(rd->d, ref, simple_done_cb, r, err);
        break;
    case SIMPLE_STOP:
        r->h = kj_docker_container_stop(rd->d, ref, grace, simple_done_cb, r, err);
        break;
    case SIMPLE_REMOVE:
        r->h = kj_docker_container_remove(rd->d, ref, true, true, simple_done_cb, r, err);
        break;
    default:
        break;
    }
    if (r->h == NULL) {
        simple_cancel(r);
        rd_req_done(r);
        return -1;
    }
    return 0;
}

int rd_pod_restart(void *impl, const struct kj_runtime_pod_ref *pod, kj_runtime_done_cb done,
                       void *arg, kj_error_t *err)
{
    return simple(impl, SIMPLE_RESTART, pod, 0, done, arg, err);
}

int rd_pod_stop(void *impl, const struct kj_runtime_pod_ref *pod, int grace_seconds,
                    kj_runtime_done_cb done, void *arg, kj_error_t *err)
{
    return simple(impl, SIMPLE_STOP, pod, grace_seconds, done, arg, err);
}

int rd_pod_remove(void *impl, const struct kj_runtime_pod_ref *pod, kj_runtime_done_cb done,
                      void *arg, kj_error_t *err)
{
    return simple(impl, SIMPLE_REMOVE, pod, 0, done, arg, err);
}

