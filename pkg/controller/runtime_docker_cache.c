/* Docker runtime: the pod cache (what the runtime last knew of each pod
 * container) and the tracking of requests in flight. */
#include "controller/runtime_docker_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "util/log.h"
#include "util/xalloc.h"

static void set_str(char **dst, const char *src)
{
    free(*dst);
    *dst = src ? xstrdup(src) : NULL;
}

/* Identity fields never change for a container, yet are written again on
 * every observation: keep the same string so that observations handed out
 * earlier (a resync's listing, while its emits re-enter) stay valid. */
static void keep_str(char **dst, const char *src)
{
    if (src != NULL && (*dst == NULL || strcmp(*dst, src) != 0))
        set_str(dst, src);
}

struct rd_pod *rd_pod_find(struct kj_runtime_docker *rd, const char *name)
{
    struct rd_pod *p;
    LIST_FOREACH(p, &rd->pods, link)
    {
        if (strcmp(p->name, name) == 0)
            return p;
    }
    return NULL;
}

struct rd_pod *rd_pod_upsert(struct kj_runtime_docker *rd, const struct kj_pod_obs *id)
{
    struct rd_pod *p = rd_pod_find(rd, id->pod_name);
    if (p == NULL) {
        p = xcalloc(1, sizeof *p);
        p->rd = rd;
        p->name = xstrdup(id->pod_name);
        p->index = -1;
        p->state = KJ_POD_OBS_CREATING;
        LIST_INSERT_HEAD(&rd->pods, p, link);
    }
    keep_str(&p->ns, id->ns);
    keep_str(&p->pod_uid, id->pod_uid);
    keep_str(&p->job_uid, id->job_uid);
    keep_str(&p->job_name, id->job_name);
    /* Set once per container, never replaced: observations handed out
     * earlier (a resync's listing) may still borrow them. */
    if (id->member && p->member == NULL)
        p->member = xstrdup(id->member);
    if (id->group_spec && p->group_spec == NULL)
        p->group_spec = xstrdup(id->group_spec);
    p->index = id->index;
    return p;
}

void rd_pod_set_container(struct kj_runtime_docker *rd, struct rd_pod *p, const char *id)
{
    if (id == NULL || (p->container_id != NULL && strcmp(p->container_id, id) == 0))
        return;
    set_str(&p->container_id, id);
    p->id_stamp = ++rd->stamp;
    p->clean_exit_at = 0; /* told of the container it replaces */
}

void rd_pod_update(struct kj_runtime_docker *rd, struct rd_pod *p, const struct kj_pod_obs *obs)
{
    p->state = obs->state;
    rd_pod_set_container(rd, p, obs->container_id);
    set_str(&p->waiting_reason, obs->waiting_reason);
    set_str(&p->waiting_message, obs->waiting_message);
    set_str(&p->error, obs->error);
    set_str(&p->pod_ip, obs->pod_ip);
    p->exit_code = obs->exit_code;
    p->oom_killed = obs->oom_killed;
    if (obs->created_at)
        p->created_at = obs->created_at;
    p->started_at = obs->started_at;
    p->finished_at = obs->finished_at;
}

void rd_pod_set_waiting(struct rd_pod *p, const char *reason, const char *message)
{
    p->state = KJ_POD_OBS_WAITING;
    set_str(&p->waiting_reason, reason);
    set_str(&p->waiting_message, message);
}

void rd_pod_drop(struct kj_runtime_docker *rd, struct rd_pod *p)
{
    (void)rd;
    LIST_REMOVE(p, link);
    if (p->hold_ev != NULL)
        event_free(p->hold_ev);
    free(p->name);
    free(p->ns);
    free(p->pod_uid);
    free(p->job_uid);
    free(p->job_name);
    free(p->member);
    free(p->group_spec);
    free(p->container_id);
    free(p->waiting_reason);
    free(p->waiting_message);
    free(p->error);
    free(p->pod_ip);
    free(p);
}

void rd_pod_obs_fill(const struct rd_pod *p, struct kj_pod_obs *obs)
{
    memset(obs, 0, sizeof *obs);
    obs->ns = p->ns;
    obs->pod_name = p->name;
    obs->pod_uid = p->pod_uid;
    obs->job_uid = p->job_uid;
    obs->job_name = p->job_name;
    obs->member = p->member;
    obs->group_spec = p->group_spec;
    obs->index = p->index;
    obs->container_id = p->container_id;
    obs->state = p->state;
    /* A create in flight starts its container itself: CREATED means one
     * that nobody is starting (a crash between create and start), which
     * the controllers start (job_sync.c restarts_due). */
    if (p->create != NULL && p->state == KJ_POD_OBS_CREATED)
        obs->state = KJ_POD_OBS_CREATING;
    if (p->state == KJ_POD_OBS_WAITING) {
        obs->waiting_reason = p->waiting_reason;
        obs->waiting_message = p->waiting_message;
    }
    if (p->state == KJ_POD_OBS_EXITED || p->state == KJ_POD_OBS_REMOVED) {
        obs->exit_code = p->exit_code;
        obs->oom_killed = p->oom_killed;
    }
    obs->created_at = p->created_at;
    obs->started_at = p->started_at;
    obs->finished_at = p->finished_at;
    obs->pod_ip = p->state == KJ_POD_OBS_RUNNING ? p->pod_ip : NULL;
    obs->error = p->error;
}

void rd_pod_emit(struct kj_runtime_docker *rd, struct rd_pod *p)
{
    if (rd->obs_cb == NULL || p->ns == NULL || p->job_uid == NULL)
        return;
    struct kj_pod_obs obs;
    rd_pod_obs_fill(p, &obs);
    kj_log(KJ_LOG_DEBUG, "runtime: pod `%s/%s` %s%s%s exit %d", p->ns, p->name,
           kj_pod_obs_state_name(p->state), obs.waiting_reason ? " " : "",
           obs.waiting_reason ? obs.waiting_reason : "", obs.exit_code);
    rd->obs_cb(rd->obs_arg, &obs);
    if (rd->change_cb != NULL)
        rd->change_cb(rd->change_arg);
}

struct rd_req *rd_req_new(struct kj_runtime_docker *rd, void *data)
{
    struct rd_req *r = xcalloc(1, sizeof *r);
    r->rd = rd;
    r->data = data;
    LIST_INSERT_HEAD(&rd->reqs, r, link);
    return r;
}

void rd_req_done(struct rd_req *r)
{
    LIST_REMOVE(r, link);
    free(r);
}


kj_error_t rd_shutdown_error(void)
{
    /* Static: handed out as a borrowed error during free only. */
    static char msg[] = "the container runtime is shutting down";
    static struct kj_error_s e = {ECANCELED, msg};
    return &e;
}
