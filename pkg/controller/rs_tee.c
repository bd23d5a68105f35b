/* The tee runtime: the Job driver's runtime, forwarding every op to the
 * real one while the ReplicaSet driver keeps the real observer (rs_driver.h). */
#include "controller/rs_driver-internal.h"

#include "util/log.h"

static void tee_set_observer(void *impl, kj_runtime_obs_cb cb, void *arg)
{
    struct kj_rs_driver *d = impl;
    d->job_cb = cb;
    d->job_arg = arg;
}

static int tee_create(void *impl, const struct kj_runtime_pod_req *req, kj_runtime_done_cb done,
                      void *arg, kj_error_t *err)
{
    struct kj_rs_driver *d = impl;
    return d->inner.ops->pod_create(d->inner.impl, req, done, arg, err);
}

static int tee_restart(void *impl, const struct kj_runtime_pod_ref *pod, kj_runtime_done_cb done,
                       void *arg, kj_error_t *err)
{
    struct kj_rs_driver *d = impl;
    return d->inner.ops->pod_restart(d->inner.impl, pod, done, arg, err);
}

static int tee_stop(void *impl, const struct kj_runtime_pod_ref *pod, int grace,
                    kj_runtime_done_cb done, void *arg, kj_error_t *err)
{
    struct kj_rs_driver *d = impl;
    return d->inner.ops->pod_stop(d->inner.impl, pod, grace, done, arg, err);
}

static int tee_remove(void *impl, const struct kj_runtime_pod_ref *pod, kj_runtime_done_cb done,
                      void *arg, kj_error_t *err)
{
    struct kj_rs_driver *d = impl;
    kj_log(KJ_LOG_DEBUG, "job controller: remove pod `%s/%s`", pod->ns, pod->pod_name);
    return d->inner.ops->pod_remove(d->inner.impl, pod, done, arg, err);
}

static int tee_list(void *impl, kj_runtime_list_cb done, void *arg, kj_error_t *err)
{
    struct kj_rs_driver *d = impl;
    return d->inner.ops->pod_list(d->inner.impl, done, arg, err);
}

static const struct kj_runtime_ops tee_ops = {
    .set_observer = tee_set_observer,
    .pod_create = tee_create,
    .pod_restart = tee_restart,
    .pod_stop = tee_stop,
    .pod_remove = tee_remove,
    .pod_list = tee_list,
};

struct kj_runtime kj_rs_driver_runtime(struct kj_rs_driver *d)
{
    return (struct kj_runtime){.ops = &tee_ops, .impl = d};
}
