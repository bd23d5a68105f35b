#include "controller/pod_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller/job_sync.h" /* kj_time_format */

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static cJSON *must(cJSON *v)
{
    if (v == NULL)
        abort();
    return v;
}

static void put_str(cJSON *o, const char *k, const char *v)
{
    if (get(o, k) == NULL)
        must(cJSON_AddStringToObject(o, k, v));
}

static void put_time(cJSON *o, const char *k, int64_t t)
{
    char ts[32];
    if (t <= 0)
        return;
    kj_time_format(t, ts, sizeof(ts));
    must(cJSON_AddStringToObject(o, k, ts));
}

static const cJSON *tmpl_meta(const cJSON *job, const char *k)
{
    return get(get(get(get(job, "spec"), "template"), "metadata"), k);
}

cJSON *kj_pod_labels(const cJSON *job, int index)
{
    const cJSON *tl = tmpl_meta(job, "labels");
    cJSON *l = must(tl != NULL ? cJSON_Duplicate(tl, 1) : cJSON_CreateObject());
    const cJSON *md = get(job, "metadata");
    const char *name = cJSON_GetStringValue(get(md, "name"));
    const char *uid = cJSON_GetStringValue(get(md, "uid"));
    put_str(l, "batch.kubernetes.io/controller-uid", uid != NULL ? uid : "");
    put_str(l, "batch.kubernetes.io/job-name", name != NULL ? name : "");
    put_str(l, "controller-uid", uid != NULL ? uid : "");
    put_str(l, "job-name", name != NULL ? name : "");
    if (index >= 0) {
        char buf[16];
        snprintf(buf, sizeof(buf), "%d", index);
        put_str(l, "batch.kubernetes.io/job-completion-index", buf);
    }
    return l;
}

cJSON *kj_pod_annotations(const cJSON *job, int index, int index_failures)
{
    const cJSON *ta = tmpl_meta(job, "annotations");
    cJSON *a = must(ta != NULL ? cJSON_Duplicate(ta, 1) : cJSON_CreateObject());
    char buf[16];
    if (index >= 0) {
        snprintf(buf, sizeof(buf), "%d", index);
        put_str(a, "batch.kubernetes.io/job-completion-index", buf);
        if (cJSON_IsNumber(get(get(job, "spec"), "backoffLimitPerIndex"))) {
            snprintf(buf, sizeof(buf), "%d", index_failures);
            put_str(a, "batch.kubernetes.io/job-index-failure-count", buf);
        }
    }
    return a;
}

/* "docker://<id>", as the kubelet names a Docker container; none when the
 * container is not created yet. */
static void put_container_id(cJSON *o, const char *cid)
{
    if (cid == NULL)
        return;
    char buf[128];
    snprintf(buf, sizeof(buf), "docker://%s", cid);
    must(cJSON_AddStringToObject(o, "containerID", buf));
}

static cJSON *terminated_state(int code, bool oom, int64_t started, int64_t finished, const char *cid)
{
    cJSON *t = must(cJSON_CreateObject());
    must(cJSON_AddNumberToObject(t, "exitCode", code));
    must(cJSON_AddStringToObject(t, "reason", oom ? "OOMKilled" : code == 0 ? "Completed" : "Error"));
    put_time(t, "startedAt", started);
    put_time(t, "finishedAt", finished);
    put_container_id(t, cid);
    cJSON *s = must(cJSON_CreateObject());
    cJSON_AddItemToObject(s, "terminated", t);
    return s;
}

static cJSON *running_state(int64_t started)
{
    cJSON *r = must(cJSON_CreateObject());
    put_time(r, "startedAt", started);
    cJSON *s = must(cJSON_CreateObject());
    cJSON_AddItemToObject(s, "running", r);
    return s;
}

static cJSON *waiting(const char *reason, const char *message)
{
    cJSON *w = must(cJSON_CreateObject());
    must(cJSON_AddStringToObject(w, "reason", reason));
    if (message != NULL)
        must(cJSON_AddStringToObject(w, "message", message));
    cJSON *s = must(cJSON_CreateObject());
    cJSON_AddItemToObject(s, "waiting", w);
    return s;
}

static void add_cond(cJSON *arr, const char *type, bool st, int64_t at)
{
    cJSON *c = must(cJSON_CreateObject());
    must(cJSON_AddStringToObject(c, "type", type));
    must(cJSON_AddStringToObject(c, "status", st ? "True" : "False"));
    cJSON_AddNullToObject(c, "lastProbeTime");
    put_time(c, "lastTransitionTime", at);
    cJSON_AddItemToArray(arr, c);
}

/* The pod's conditions, addresses and start time. */
static void conditions_and_ips(cJSON *status, bool initialized, bool ready, int64_t ready_at,
                               int64_t created, const char *pod_ip)
{
    cJSON *conds = must(cJSON_AddArrayToObject(status, "conditions"));
    add_cond(conds, "Initialized", initialized, created);
    add_cond(conds, "Ready", ready, ready ? ready_at : created);
    add_cond(conds, "ContainersReady", ready, ready ? ready_at : created);
    add_cond(conds, "PodScheduled", true, created);
    must(cJSON_AddStringToObject(status, "hostIP", "127.0.0.1"));
    if (pod_ip != NULL) {
        must(cJSON_AddStringToObject(status, "podIP", pod_ip));
        cJSON *ips = must(cJSON_AddArrayToObject(status, "podIPs"));
        cJSON *ip = must(cJSON_CreateObject());
        must(cJSON_AddStringToObject(ip, "ip", pod_ip));
        cJSON_AddItemToArray(ips, ip);
    }
    put_time(status, "startTime", created);
}

/* A ContainerStatus: the one container of a plain pod, or a member of a
 * pod group. */
struct cstatus {
    const char *name, *image; /* NULL: "" */
    const char *cid;          /* NULL: not created */
    cJSON *state;             /* owned: taken by container_status */
    cJSON *last_state;        /* owned, taken; NULL: no earlier run */
    bool ready, started;
    int restarts;
    bool sidecar; /* restartPolicy: Always */
};

static cJSON *container_status(const struct cstatus *c)
{
    cJSON *cs = must(cJSON_CreateObject());
    must(cJSON_AddStringToObject(cs, "name", c->name != NULL ? c->name : ""));
    cJSON_AddItemToObject(cs, "state", c->state);
    cJSON_AddItemToObject(cs, "lastState",
                          c->last_state != NULL ? c->last_state : must(cJSON_CreateObject()));
    cJSON_AddBoolToObject(cs, "ready", c->ready);
    must(cJSON_AddNumberToObject(cs, "restartCount", c->restarts));
    must(cJSON_AddStringToObject(cs, "image", c->image != NULL ? c->image : ""));
    must(cJSON_AddStringToObject(cs, "imageID", ""));
    put_container_id(cs, c->cid);
    cJSON_AddBoolToObject(cs, "started", c->started);
    if (c->sidecar)
        must(cJSON_AddStringToObject(cs, "restartPolicy", "Always"));
    return cs;
}

/* One member of a pod group (see kj_pod_obs.containers) as a
 * ContainerStatus. */
static cJSON *member_status(const cJSON *m, bool *ready, bool *done)
{
    const char *state = cJSON_GetStringValue(get(m, "state"));
    const char *reason = cJSON_GetStringValue(get(m, "reason"));
    const char *role = cJSON_GetStringValue(get(m, "role"));
    const char *cid = cJSON_GetStringValue(get(m, "containerID"));
    int code = (int)cJSON_GetNumberValue(get(m, "exitCode"));
    int64_t started = (int64_t)cJSON_GetNumberValue(get(m, "startedAt"));
    int64_t finished = (int64_t)cJSON_GetNumberValue(get(m, "finishedAt"));
    bool running = state != NULL && strcmp(state, "running") == 0;
    bool terminated = state != NULL && strcmp(state, "terminated") == 0;
    cJSON *st;
    if (running) {
        st = running_state(started);
    } else if (terminated) {
        st = terminated_state(code, reason != NULL && strcmp(reason, "OOMKilled") == 0, started,
                              finished, cid);
    } else {
        st = waiting(reason != NULL ? reason : "PodInitializing",
                     cJSON_GetStringValue(get(m, "message")));
    }
    int restarts = (int)cJSON_GetNumberValue(get(m, "restartCount"));
    *ready = running;
    *done = terminated && code == 0;
    struct cstatus c = {
        .name = cJSON_GetStringValue(get(m, "name")),
        .image = cJSON_GetStringValue(get(m, "image")),
        .cid = cid,
        .state = st,
        .last_state = get(m, "lastFinishedAt") != NULL
                          ? terminated_state((int)cJSON_GetNumberValue(get(m, "lastExit")),
                                             cJSON_IsTrue(get(m, "lastOOMKilled")),
                                             (int64_t)cJSON_GetNumberValue(get(m, "lastStartedAt")),
                                             (int64_t)cJSON_GetNumberValue(get(m, "lastFinishedAt")),
                                             cid)
                          : NULL,
        .ready = running,
        .started = running || started > 0,
        .restarts = restarts,
        .sidecar = role != NULL && strcmp(role, "sidecar") == 0,
    };
    return container_status(&c);
}

/* Status of a pod group: one status per init container and container. */
static cJSON *group_view(cJSON *pod, const char *phase, const struct kj_pod_obs *o, int64_t created)
{
    cJSON *status = must(cJSON_AddObjectToObject(pod, "status"));
    must(cJSON_AddStringToObject(status, "phase", phase));
    cJSON *ics = must(cJSON_CreateArray()), *css = must(cJSON_CreateArray());
    bool initialized = true, all_ready = true;
    int64_t ready_at = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, o->containers)
    {
        const char *role = cJSON_GetStringValue(get(m, "role"));
        bool main = role != NULL && strcmp(role, "main") == 0;
        bool sidecar = role != NULL && strcmp(role, "sidecar") == 0;
        bool ready = false, done = false;
        cJSON *cs = member_status(m, &ready, &done);
        if (main) {
            all_ready = all_ready && ready;
            int64_t s = (int64_t)cJSON_GetNumberValue(get(m, "startedAt"));
            if (s > ready_at)
                ready_at = s;
        } else if (sidecar ? !cJSON_IsTrue(get(cs, "started")) : !done) {
            initialized = false;
        }
        cJSON_AddItemToArray(main ? css : ics, cs);
    }
    all_ready = all_ready && strcmp(phase, "Running") == 0;
    conditions_and_ips(status, initialized, all_ready, ready_at, created, o->pod_ip);
    if (cJSON_GetArraySize(ics) > 0)
        cJSON_AddItemToObject(status, "initContainerStatuses", ics);
    else
        cJSON_Delete(ics);
    cJSON_AddItemToObject(status, "containerStatuses", css);
    must(cJSON_AddStringToObject(status, "qosClass", "BestEffort"));
    return pod;
}

static cJSON *view(const cJSON *job, const struct kj_ledger_pod *p, const struct kj_pod_obs *o,
                   int64_t now)
{
    const cJSON *md = get(job, "metadata");
    const cJSON *pspec = get(get(get(job, "spec"), "template"), "spec");
    const char *jname = cJSON_GetStringValue(get(md, "name"));
    const char *rp = cJSON_GetStringValue(get(pspec, "restartPolicy"));
    bool on_failure = rp != NULL && strcmp(rp, "OnFailure") == 0;
    cJSON *pod = must(cJSON_CreateObject());
    must(cJSON_AddStringToObject(pod, "kind", "Pod"));
    must(cJSON_AddStringToObject(pod, "apiVersion", "v1"));
    cJSON *m = must(cJSON_AddObjectToObject(pod, "metadata"));
    must(cJSON_AddStringToObject(m, "name", p->name));
    const char *ns = cJSON_GetStringValue(get(md, "namespace"));
    must(cJSON_AddStringToObject(m, "namespace", ns != NULL ? ns : "default"));
    must(cJSON_AddStringToObject(m, "uid", p->uid));
    put_time(m, "creationTimestamp", p->created_at ? p->created_at : now);
    if (p->delete_asked && !p->removed) {
        put_time(m, "deletionTimestamp", p->delete_at);
        if (p->delete_grace >= 0)
            must(cJSON_AddNumberToObject(m, "deletionGracePeriodSeconds", p->delete_grace));
    } else if (p->deleting && !p->removed) {
        put_time(m, "deletionTimestamp", p->finished_at);
    }
    cJSON_AddItemToObject(m, "labels", kj_pod_labels(job, p->index));
    cJSON_AddItemToObject(m, "annotations", kj_pod_annotations(job, p->index, p->index_failures));
    cJSON *owners = must(cJSON_AddArrayToObject(m, "ownerReferences"));
    cJSON *ref = must(cJSON_CreateObject());
    must(cJSON_AddStringToObject(ref, "apiVersion", "batch/v1"));
    must(cJSON_AddStringToObject(ref, "kind", "Job"));
    must(cJSON_AddStringToObject(ref, "name", jname != NULL ? jname : ""));
    const char *juid = cJSON_GetStringValue(get(md, "uid"));
    must(cJSON_AddStringToObject(ref, "uid", juid != NULL ? juid : ""));
    cJSON_AddTrueToObject(ref, "controller");
    cJSON_AddTrueToObject(ref, "blockOwnerDeletion");
    cJSON_AddItemToArray(owners, ref);

    cJSON *spec = must(pspec != NULL ? cJSON_Duplicate(pspec, 1) : cJSON_CreateObject());
    if (p->index >= 0 && jname != NULL && get(spec, "hostname") == NULL) {
        char host[128];
        snprintf(host, sizeof(host), "%s-%d", jname, p->index);
        must(cJSON_AddStringToObject(spec, "hostname", host));
    }
    if (get(spec, "nodeName") == NULL)
        must(cJSON_AddStringToObject(spec, "nodeName", "kjob"));
    cJSON_AddItemToObject(pod, "spec", spec);

    /* Phase and the container's state. */
    enum kj_pod_obs_state st = o != NULL ? o->state : KJ_POD_OBS_REMOVED;
    bool active = p->outcome == KJ_OUTCOME_NONE && !p->deleting;
    const char *cid = o != NULL ? o->container_id : NULL;
    const char *phase;
    cJSON *cstate;
    bool running = false;
    if (st == KJ_POD_OBS_RUNNING) {
        phase = "Running";
        running = true;
        cstate = running_state(o->started_at);
    } else if (active && st == KJ_POD_OBS_EXITED && on_failure && o->exit_code != 0) {
        phase = "Running";
        char msg[256];
        const char *cn =
            cJSON_GetStringValue(get(cJSON_GetArrayItem(get(pspec, "containers"), 0), "name"));
        snprintf(msg, sizeof(msg), "back-off restarting failed container %s in pod %s",
                 cn != NULL ? cn : "", p->name);
        cstate = waiting("CrashLoopBackOff", msg);
    } else if (st == KJ_POD_OBS_EXITED) {
        phase = o->exit_code == 0 ? "Succeeded" : "Failed";
        cstate = terminated_state(o->exit_code, o->oom_killed, o->started_at, o->finished_at, cid);
    } else if (!active && p->outcome != KJ_OUTCOME_NONE) {
        phase = p->outcome == KJ_OUTCOME_SUCCEEDED ? "Succeeded" : "Failed";
        int code = p->exit_code >= 0 ? p->exit_code : 137;
        cstate = terminated_state(code, false, 0, p->finished_at, NULL);
    } else if (st == KJ_POD_OBS_WAITING) {
        phase = "Pending";
        cstate = waiting(o->waiting_reason ? o->waiting_reason : "ContainerCreating",
                         o->waiting_message);
    } else {
        phase = "Pending";
        cstate = waiting("ContainerCreating", NULL);
    }

    if (o != NULL && o->containers != NULL) {
        cJSON_Delete(cstate);
        return group_view(pod, phase, o, p->created_at ? p->created_at : now);
    }

    cJSON *status = must(cJSON_AddObjectToObject(pod, "status"));
    must(cJSON_AddStringToObject(status, "phase", phase));
    int64_t created = p->created_at ? p->created_at : now;
    bool started = o != NULL && o->started_at > 0;
    conditions_and_ips(status, true, running, running ? o->started_at : 0, created,
                       o != NULL ? o->pod_ip : NULL);
    cJSON *css = must(cJSON_AddArrayToObject(status, "containerStatuses"));
    const cJSON *c0 = cJSON_GetArrayItem(get(pspec, "containers"), 0);
    struct cstatus c = {
        .name = cJSON_GetStringValue(get(c0, "name")),
        .image = cJSON_GetStringValue(get(c0, "image")),
        .cid = cid,
        .state = cstate,
        .last_state = p->restarts > 0 ? terminated_state(p->last_exit_code, p->last_oom, 0,
                                                         p->last_exit_at, cid)
                                      : NULL,
        .ready = running,
        .started = running || started,
        .restarts = kj_pod_restart_count(p, o),
    };
    cJSON_AddItemToArray(css, container_status(&c));
    must(cJSON_AddStringToObject(status, "qosClass", "BestEffort"));
    return pod;
}

cJSON *kj_pod_view(const cJSON *job, const struct kj_ledger_pod *p, const struct kj_pod_obs *o,
                   int64_t now)
{
    cJSON *pod = view(job, p, o, now);
    if (p->disrupted) {
        /* What the eviction API sets before it deletes the pod. */
        cJSON *conds = cJSON_GetObjectItemCaseSensitive(get(pod, "status"), "conditions");
        cJSON *c = must(cJSON_CreateObject());
        must(cJSON_AddStringToObject(c, "type", "DisruptionTarget"));
        must(cJSON_AddStringToObject(c, "status", "True"));
        cJSON_AddNullToObject(c, "lastProbeTime");
        put_time(c, "lastTransitionTime", p->delete_at - (int64_t)p->delete_grace * KJ_NS_PER_SEC);
        must(cJSON_AddStringToObject(c, "reason", "EvictionByEvictionAPI"));
        must(cJSON_AddStringToObject(c, "message", "Eviction API: evicting"));
        if (conds != NULL)
            cJSON_AddItemToArray(conds, c);
        else
            cJSON_Delete(c);
    }
    return pod;
}
