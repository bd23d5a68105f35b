/* Pod groups: the pods and their members, what the controller sees of
 * them, and the one-container templates of the members. See pod_group.h. */
#include "controller/pod_group_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/xalloc.h"

void pg_set_str(char **dst, const char *src)
{
    free(*dst);
    *dst = src != NULL ? xstrdup(src) : NULL;
}

const cJSON *pg_get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

bool pg_policy_is(const cJSON *spec, const char *p)
{
    const char *rp = cJSON_GetStringValue(pg_get(spec, "restartPolicy"));
    return rp != NULL && strcmp(rp, p) == 0;
}

static void add_member(struct pg_pod *p, const char *cname, enum kj_member_role role)
{
    p->m = xrealloc(p->m, (size_t)(p->n + 1) * sizeof *p->m);
    struct pg_member *m = &p->m[p->n++];
    memset(m, 0, sizeof *m);
    m->cname = xstrdup(cname);
    m->docker = role == KJ_MEMBER_INFRA ? xstrdup(p->name) : xasprintf("%s_%s", p->name, cname);
    m->role = role;
    m->state = KJ_POD_OBS_CREATING;
}

/* Members from the spec, in the order of pod_group.h. */
void pg_set_spec(struct pg_pod *p, const cJSON *spec)
{
    p->spec = cJSON_Duplicate(spec, 1);
    add_member(p, INFRA_NAME, KJ_MEMBER_INFRA);
    const cJSON *c;
    cJSON_ArrayForEach(c, pg_get(spec, "initContainers"))
    {
        const char *rp = cJSON_GetStringValue(pg_get(c, "restartPolicy"));
        bool sidecar = rp != NULL && strcmp(rp, "Always") == 0;
        const char *n = cJSON_GetStringValue(pg_get(c, "name"));
        add_member(p, n != NULL ? n : "", sidecar ? KJ_MEMBER_SIDECAR : KJ_MEMBER_INIT);
    }
    cJSON_ArrayForEach(c, pg_get(spec, "containers"))
    {
        const char *n = cJSON_GetStringValue(pg_get(c, "name"));
        add_member(p, n != NULL ? n : "", KJ_MEMBER_MAIN);
    }
}

struct pg_pod *pg_pod_find(struct kj_pod_group *g, const char *ns, const char *name)
{
    for (struct pg_pod *p = g->pods; p != NULL; p = p->next)
        if (strcmp(p->name, name) == 0 && (ns == NULL || strcmp(p->ns, ns) == 0))
            return p;
    return NULL;
}

struct pg_pod *pg_pod_new(struct kj_pod_group *g, const struct kj_pod_obs *id, const char *name)
{
    struct pg_pod *p = xcalloc(1, sizeof *p);
    p->stop_grace = -1;
    p->g = g;
    p->name = xstrdup(name);
    p->ns = xstrdup(id->ns != NULL ? id->ns : "default");
    p->uid = xstrdup(id->pod_uid != NULL ? id->pod_uid : "");
    p->job_uid = xstrdup(id->job_uid != NULL ? id->job_uid : "");
    p->job_name = xstrdup(id->job_name != NULL ? id->job_name : "");
    p->index = id->index;
    p->next = g->pods;
    g->pods = p;
    return p;
}

void pg_pod_free(struct pg_pod *p)
{
    struct pg_pod **pp = &p->g->pods;
    while (*pp != p)
        pp = &(*pp)->next;
    *pp = p->next;
    for (int i = 0; i < p->n; i++) {
        struct pg_member *m = &p->m[i];
        free(m->cname);
        free(m->docker);
        free(m->cid);
        free(m->wreason);
        free(m->wmsg);
        free(m->ip);
    }
    free(p->m);
    for (size_t i = 0; p->extra_env != NULL && p->extra_env[i] != NULL; i++)
        free(p->extra_env[i]);
    free(p->extra_env);
    cJSON_Delete(p->spec);
    cJSON_Delete(p->labels);
    cJSON_Delete(p->annotations);
    free(p->hostname);
    free(p->name);
    free(p->ns);
    free(p->uid);
    free(p->job_uid);
    free(p->job_name);
    free(p);
}

static void views(const struct pg_pod *p, struct kj_member_view *v)
{
    for (int i = 0; i < p->n; i++) {
        const struct pg_member *m = &p->m[i];
        v[i] = (struct kj_member_view){
            .name = m->cname, .role = m->role, .created = m->created, .state = m->state,
            .exit_code = m->exit_code, .oom_killed = m->oom, .created_at = m->created_at,
            .started_at = m->started_at, .finished_at = m->finished_at,
            .waiting_reason = m->wreason, .waiting_message = m->wmsg};
    }
}

void pg_aggregate(const struct pg_pod *p, struct kj_group_agg *agg)
{
    struct kj_member_view v[p->n > 0 ? p->n : 1];
    views(p, v);
    kj_pod_group_aggregate(v, p->n, pg_policy_is(p->spec, "OnFailure"), agg);
}

const char *pg_role_name(enum kj_member_role r)
{
    static const char *const names[] = {"infra", "init", "sidecar", "main"};
    return names[r];
}

static cJSON *members_json(const struct pg_pod *p)
{
    cJSON *arr = cJSON_CreateArray();
    const cJSON *inits = pg_get(p->spec, "initContainers"), *mains = pg_get(p->spec, "containers");
    int ii = 0, mi = 0;
    bool on_failure = pg_policy_is(p->spec, "OnFailure") && !p->stopping;
    for (int i = 1; i < p->n; i++) {
        const struct pg_member *m = &p->m[i];
        /* A failure the controller will restart, after its back-off. */
        bool backoff = on_failure && m->role != KJ_MEMBER_SIDECAR && m->created &&
                       m->state == KJ_POD_OBS_EXITED && m->exit_code != 0 &&
                       m->finished_at != m->last_finished;
        const cJSON *c = m->role == KJ_MEMBER_MAIN ? cJSON_GetArrayItem(mains, mi++)
                                                   : cJSON_GetArrayItem(inits, ii++);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", m->cname);
        cJSON_AddStringToObject(o, "role", pg_role_name(m->role));
        const char *img = cJSON_GetStringValue(pg_get(c, "image"));
        cJSON_AddStringToObject(o, "image", img != NULL ? img : "");
        const char *st = "waiting", *reason = "PodInitializing", *msg = NULL;
        char cmsg[512];
        if (m->created && m->state == KJ_POD_OBS_RUNNING) {
            st = "running";
            reason = NULL;
        } else if (backoff) {
            reason = "CrashLoopBackOff";
            msg = cmsg;
            snprintf(cmsg, sizeof cmsg, "back-off restarting failed container %s in pod %s",
                     m->cname, p->name);
        } else if (m->created && (m->state == KJ_POD_OBS_EXITED || m->state == KJ_POD_OBS_REMOVED) &&
                   m->finished_at > 0) {
            st = "terminated";
            reason = m->oom ? "OOMKilled" : m->exit_code == 0 ? "Completed" : "Error";
        } else if (m->created && m->state == KJ_POD_OBS_WAITING) {
            reason = m->wreason;
            msg = m->wmsg;
        } else if (m->created) {
            reason = "ContainerCreating";
        }
        cJSON_AddStringToObject(o, "state", st);
        if (reason != NULL)
            cJSON_AddStringToObject(o, "reason", reason);
        if (msg != NULL)
            cJSON_AddStringToObject(o, "message", msg);
        cJSON_AddNumberToObject(o, "exitCode", m->exit_code);
        cJSON_AddNumberToObject(o, "startedAt", (double)m->started_at);
        cJSON_AddNumberToObject(o, "finishedAt", (double)m->finished_at);
        if (m->cid != NULL)
            cJSON_AddStringToObject(o, "containerID", m->cid);
        cJSON_AddNumberToObject(o, "restartCount", m->restarts);
        if (backoff) {
            cJSON_AddNumberToObject(o, "lastExit", m->exit_code);
            cJSON_AddNumberToObject(o, "lastStartedAt", (double)m->started_at);
            cJSON_AddNumberToObject(o, "lastFinishedAt", (double)m->finished_at);
            cJSON_AddBoolToObject(o, "lastOOMKilled", m->oom);
        } else if (m->restarts > 0) {
            cJSON_AddNumberToObject(o, "lastExit", m->last_exit);
            cJSON_AddNumberToObject(o, "lastFinishedAt", (double)m->last_finished);
        }
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

/* The pod's observation; `containers` is owned by the caller. */
void pg_pod_obs(const struct pg_pod *p, struct kj_pod_obs *o, cJSON **containers)
{
    struct kj_group_agg agg;
    pg_aggregate(p, &agg);
    memset(o, 0, sizeof *o);
    o->ns = p->ns;
    o->pod_name = p->name;
    o->pod_uid = p->uid;
    o->job_uid = p->job_uid;
    o->job_name = p->job_name;
    o->index = p->index;
    o->container_id = p->n > 0 ? p->m[0].cid : NULL;
    o->state = agg.state;
    o->waiting_reason = agg.waiting_reason;
    o->waiting_message = agg.waiting_message;
    o->exit_code = agg.exit_code;
    o->oom_killed = agg.oom_killed;
    o->created_at = p->n > 0 ? p->m[0].created_at : 0;
    o->started_at = agg.started_at;
    o->finished_at = agg.finished_at;
    o->pod_ip = p->n > 0 && p->m[0].state == KJ_POD_OBS_RUNNING ? p->m[0].ip : NULL;
    *containers = p->spec != NULL ? members_json(p) : NULL;
    o->containers = *containers;
}

void pg_emit(struct pg_pod *p)
{
    if (p->g->obs_cb == NULL)
        return;
    struct kj_pod_obs o;
    cleanup_cjson cJSON *containers = NULL;
    pg_pod_obs(p, &o, &containers);
    p->g->obs_cb(p->g->obs_arg, &o);
}

struct pg_member *pg_member_find(struct pg_pod *p, const char *docker)
{
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->m[i].docker, docker) == 0)
            return &p->m[i];
    return NULL;
}

/* The one-container template of member i. */
cJSON *pg_member_template(const struct pg_pod *p, const struct pg_member *m)
{
    cJSON *t = cJSON_CreateObject();
    cJSON *spec = cJSON_AddObjectToObject(t, "spec");
    cJSON *cs = cJSON_AddArrayToObject(spec, "containers");
    if (m->role == KJ_MEMBER_INFRA) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "name", INFRA_NAME);
        cJSON_AddStringToObject(c, "image", p->g->infra_image);
        const char *argv[] = {"sleep", "2147483647"};
        cJSON_AddItemToObject(c, "command", cJSON_CreateStringArray(argv, 2));
        cJSON_AddItemToArray(cs, c);
        cJSON_AddNumberToObject(spec, "terminationGracePeriodSeconds", 1);
        const cJSON *sub = pg_get(p->spec, "subdomain");
        if (sub != NULL)
            cJSON_AddItemToObject(spec, "subdomain", cJSON_Duplicate(sub, 1));
        return t;
    }
    const cJSON *list = pg_get(p->spec, m->role == KJ_MEMBER_MAIN ? "containers" : "initContainers");
    const cJSON *c;
    cJSON_ArrayForEach(c, list)
    {
        const char *n = cJSON_GetStringValue(pg_get(c, "name"));
        if (n != NULL && strcmp(n, m->cname) == 0) {
            cJSON *dup = cJSON_Duplicate(c, 1);
            cJSON_DeleteItemFromObjectCaseSensitive(dup, "restartPolicy");
            cJSON_AddItemToArray(cs, dup);
            break;
        }
    }
    static const char *const keep[] = {"volumes", "terminationGracePeriodSeconds", NULL};
    for (int i = 0; keep[i] != NULL; i++)
        if (pg_get(p->spec, keep[i]) != NULL)
            cJSON_AddItemToObject(spec, keep[i], cJSON_Duplicate(pg_get(p->spec, keep[i]), 1));
    /* Only containers[0] runs; the pod's other containers ride along as
     * initContainers (name, volumeMounts, resources) so that rules about the
     * whole pod hold for each member: kj_pod_empty_dir_on_host, and
     * resourceFieldRefs naming another container. */
    cJSON *others = cJSON_AddArrayToObject(spec, "initContainers");
    static const char *const lists[] = {"initContainers", "containers"};
    for (int l = 0; l < 2; l++)
        cJSON_ArrayForEach(c, pg_get(p->spec, lists[l]))
        {
            const char *n = cJSON_GetStringValue(pg_get(c, "name"));
            if (n == NULL || strcmp(n, m->cname) == 0)
                continue;
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "name", n);
            if (pg_get(c, "volumeMounts") != NULL)
                cJSON_AddItemToObject(o, "volumeMounts", cJSON_Duplicate(pg_get(c, "volumeMounts"), 1));
            if (pg_get(c, "resources") != NULL) /* for resourceFieldRef.containerName */
                cJSON_AddItemToObject(o, "resources", cJSON_Duplicate(pg_get(c, "resources"), 1));
            cJSON_AddItemToArray(others, o);
        }
    return t;
}

/* The names of the pod's emptyDir volumes (named Docker volumes). */
char **pg_volume_names(const struct pg_pod *p)
{
    const cJSON *vols = pg_get(p->spec, "volumes");
    char **out = xcalloc((size_t)cJSON_GetArraySize(vols) + 1, sizeof *out);
    size_t k = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, vols)
    {
        const char *n = cJSON_GetStringValue(pg_get(v, "name"));
        if (pg_get(v, "emptyDir") != NULL && n != NULL)
            out[k++] = xasprintf("%s_%s", p->name, n);
    }
    return out;
}

void pg_strv_free(char **v)
{
    for (size_t i = 0; v != NULL && v[i] != NULL; i++)
        free(v[i]);
    free(v);
}

bool pg_parse_member(const char *label, enum kj_member_role *role)
{
    static const char *const names[] = {"infra", "init", "sidecar", "main"};
    for (int i = 0; i < 4; i++) {
        size_t n = strlen(names[i]);
        if (strncmp(label, names[i], n) == 0 && label[n] == '/') {
            *role = (enum kj_member_role)i;
            return true;
        }
    }
    return false;
}

/* Record an inner observation; returns the pod it belongs to, or NULL. */
struct pg_pod *pg_note(struct kj_pod_group *g, const struct kj_pod_obs *o)
{
    enum kj_member_role role;
    if (o->member == NULL || !pg_parse_member(o->member, &role))
        return NULL;
    size_t len = kj_pod_name_len(o->pod_name);
    if (role != KJ_MEMBER_INFRA && o->pod_name[len] == '\0')
        return NULL; /* a member is "<pod>_<container>" */
    cleanup_free char *pod = xstrndup(o->pod_name, len);
    struct pg_pod *p = pg_pod_find(g, o->ns, pod);
    if (p == NULL) {
        /* Known only from the engine (kjobd restarted): the infra's label
         * carries the spec. */
        if (role != KJ_MEMBER_INFRA || o->group_spec == NULL || o->state == KJ_POD_OBS_REMOVED)
            return NULL;
        cleanup_cjson cJSON *spec = cJSON_Parse(o->group_spec);
        if (!cJSON_IsObject(spec))
            return NULL;
        p = pg_pod_new(g, o, pod);
        pg_set_spec(p, spec);
        p->owned = g->owner_fn == NULL || g->owner_fn(g->owner_arg, p->job_uid);
        if (p->index >= 0) {
            p->extra_env = xcalloc(2, sizeof *p->extra_env);
            p->extra_env[0] = xasprintf("JOB_COMPLETION_INDEX=%d", p->index);
        }
    }
    struct pg_member *m = pg_member_find(p, o->pod_name);
    if (m == NULL)
        return p;
    m->created = true;
    m->state = o->state;
    pg_set_str(&m->cid, o->container_id);
    pg_set_str(&m->wreason, o->waiting_reason);
    pg_set_str(&m->wmsg, o->waiting_message);
    pg_set_str(&m->ip, o->pod_ip);
    m->exit_code = o->exit_code;
    m->oom = o->oom_killed;
    if (o->created_at > 0)
        m->created_at = o->created_at;
    if (o->state != KJ_POD_OBS_REMOVED || o->finished_at > 0) {
        m->started_at = o->started_at;
        m->finished_at = o->finished_at;
    }
    return p;
}

bool pg_all_gone(const struct pg_pod *p)
{
    for (int i = 0; i < p->n; i++)
        if (p->m[i].created && p->m[i].state != KJ_POD_OBS_REMOVED)
            return false;
    return true;
}
