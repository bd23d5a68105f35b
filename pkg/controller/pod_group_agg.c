/* The pure half of pod groups: which pods need one, the names of their
 * containers, and the phase of the pod from its members'. See pod_group.h. */
#include "controller/pod_group.h"

#include <stdio.h>
#include <string.h>

#include "util/xalloc.h"

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

bool kj_pod_spec_grouped(const cJSON *pod_spec)
{
    return cJSON_GetArraySize(get(pod_spec, "initContainers")) > 0 ||
           cJSON_GetArraySize(get(pod_spec, "containers")) > 1;
}

static bool has_container(const cJSON *list, const char *name)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, list)
    {
        const char *n = cJSON_GetStringValue(get(c, "name"));
        if (n != NULL && strcmp(n, name) == 0)
            return true;
    }
    return false;
}

char *kj_pod_container_ref(const cJSON *pod_spec, const char *pod, const char *container,
                           kj_error_t *err)
{
    const cJSON *mains = get(pod_spec, "containers");
    const cJSON *inits = get(pod_spec, "initContainers");
    const char *first = cJSON_GetStringValue(get(cJSON_GetArrayItem(mains, 0), "name"));
    if (container == NULL || container[0] == '\0')
        container = first != NULL ? first : "";
    if (!has_container(mains, container) && !has_container(inits, container)) {
        kj_make_http_error(err, 400, "container %s is not valid for pod %s", container, pod);
        return NULL;
    }
    if (!kj_pod_spec_grouped(pod_spec))
        return xstrdup(pod);
    return xasprintf("%s_%s", pod, container);
}

static bool done_ok(const struct kj_member_view *v)
{
    return v->state == KJ_POD_OBS_EXITED && v->exit_code == 0;
}

/* Pending on member v: the pod waits with v's reason, if it has one. */
static void pending_on(const struct kj_member_view *v, struct kj_group_agg *out)
{
    if (v->state == KJ_POD_OBS_WAITING) {
        out->state = KJ_POD_OBS_WAITING;
        out->waiting_reason = v->waiting_reason;
        out->waiting_message = v->waiting_message;
    } else {
        out->state = KJ_POD_OBS_CREATED;
    }
}

static void exited(const struct kj_member_view *v, struct kj_group_agg *out)
{
    out->state = KJ_POD_OBS_EXITED;
    out->exit_code = v->exit_code;
    out->oom_killed = v->oom_killed;
    out->finished_at = v->finished_at;
    if (out->started_at == 0)
        out->started_at = v->started_at;
}

/* The containers, once every init container is done. */
static void mains(const struct kj_member_view *m, int n, int from, bool on_failure,
                  struct kj_group_agg *out)
{
    bool running = false, all_exited = true, removed = false;
    const struct kj_member_view *failed = NULL, *last_failed = NULL, *waiting = NULL;
    for (int i = from; i < n; i++) {
        const struct kj_member_view *v = &m[i];
        if (!v->created) {
            out->create_mains = true;
            all_exited = false;
            continue;
        }
        if (v->started_at > 0 && (out->started_at == 0 || v->started_at < out->started_at))
            out->started_at = v->started_at;
        switch (v->state) {
        case KJ_POD_OBS_RUNNING:
            running = true;
            all_exited = false;
            break;
        case KJ_POD_OBS_EXITED:
            if (v->finished_at > out->finished_at)
                out->finished_at = v->finished_at;
            if (v->exit_code != 0 && failed == NULL)
                failed = v;
            if (v->exit_code != 0 && (last_failed == NULL || v->finished_at > last_failed->finished_at))
                last_failed = v;
            break;
        case KJ_POD_OBS_REMOVED:
            removed = true;
            break;
        case KJ_POD_OBS_WAITING:
            if (waiting == NULL)
                waiting = v;
            all_exited = false;
            break;
        case KJ_POD_OBS_CREATING:
        case KJ_POD_OBS_CREATED:
        default:
            all_exited = false;
            break;
        }
    }
    if (removed) {
        out->state = KJ_POD_OBS_REMOVED;
        out->exit_code = failed != NULL ? failed->exit_code : 137;
    } else if (on_failure && failed != NULL) {
        /* OnFailure: a failed container restarts in place whatever the
         * others do, so the pod reports the exit now, while they run. Its
         * identity is the latest failure's time: a later success of another
         * container must not make the same failure count twice. */
        out->state = KJ_POD_OBS_EXITED;
        out->exit_code = failed->exit_code;
        out->oom_killed = failed->oom_killed;
        out->finished_at = last_failed->finished_at;
        out->stop_sidecars = all_exited;
    } else if (running) {
        out->state = KJ_POD_OBS_RUNNING;
        out->finished_at = 0;
    } else if (all_exited) {
        out->state = KJ_POD_OBS_EXITED;
        out->stop_sidecars = true;
        if (failed != NULL) {
            out->exit_code = failed->exit_code;
            out->oom_killed = failed->oom_killed;
        }
    } else if (waiting != NULL) {
        pending_on(waiting, out);
        out->finished_at = 0;
    } else {
        out->state = KJ_POD_OBS_CREATED;
        out->finished_at = 0;
    }
}

void kj_pod_group_aggregate(const struct kj_member_view *m, int n, bool on_failure,
                            struct kj_group_agg *out)
{
    memset(out, 0, sizeof *out);
    out->next = -1;
    out->failed_init = -1;
    if (n == 0 || !m[0].created) {
        out->state = KJ_POD_OBS_CREATING;
        return;
    }
    const struct kj_member_view *infra = &m[0];
    if (infra->state == KJ_POD_OBS_REMOVED) {
        out->state = KJ_POD_OBS_REMOVED;
        out->exit_code = 137;
        return;
    }
    if (infra->state == KJ_POD_OBS_CREATING || infra->state == KJ_POD_OBS_WAITING ||
        infra->state == KJ_POD_OBS_CREATED) {
        pending_on(infra, out);
        if (infra->state == KJ_POD_OBS_CREATING)
            out->state = KJ_POD_OBS_CREATING;
        return;
    }
    /* The infra runs, or has been stopped after the pod finished. */
    int i = 1;
    for (; i < n && m[i].role != KJ_MEMBER_MAIN; i++) {
        const struct kj_member_view *v = &m[i];
        if (v->role == KJ_MEMBER_SIDECAR && v->created && v->started_at > 0 &&
            v->state != KJ_POD_OBS_REMOVED)
            continue; /* started once: the next init container may go */
        if (v->role == KJ_MEMBER_INIT && v->created && done_ok(v))
            continue;
        if (!v->created) {
            out->next = i;
            out->state = KJ_POD_OBS_CREATED;
            return;
        }
        if (v->state == KJ_POD_OBS_REMOVED) {
            out->state = KJ_POD_OBS_REMOVED;
            out->exit_code = 137;
            return;
        }
        if (v->role == KJ_MEMBER_INIT && v->state == KJ_POD_OBS_EXITED) {
            exited(v, out);
            out->failed_init = i;
            return;
        }
        pending_on(v, out);
        return;
    }
    if (infra->state != KJ_POD_OBS_RUNNING && infra->state != KJ_POD_OBS_EXITED) {
        out->state = KJ_POD_OBS_CREATED;
        return;
    }
    mains(m, n, i, on_failure, out);
    if (out->create_mains && out->state != KJ_POD_OBS_REMOVED) {
        for (int k = i; k < n; k++)
            if (!m[k].created) {
                out->next = k;
                break;
            }
    }
}
