/* Pod ↔ container mapping; see runtime_docker_map.h. */
#include "controller/runtime_docker_map.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/quantity.h"
#include "api/time.h"
#include "util/xalloc.h"

static const char *keep(struct kj_pod_container_spec *s, char *owned)
{
    if (s->n_strings == s->cap_strings) {
        s->cap_strings = s->cap_strings ? s->cap_strings * 2 : 16;
        s->strings = xrealloc(s->strings, s->cap_strings * sizeof *s->strings);
    }
    s->strings[s->n_strings++] = owned;
    return owned;
}

const char *kj_pod_container_spec_keep(struct kj_pod_container_spec *s, char *owned)
{
    return keep(s, owned);
}

void kj_pod_container_spec_clear(struct kj_pod_container_spec *s)
{
    for (size_t i = 0; i < s->n_strings; i++)
        free(s->strings[i]);
    free(s->strings);
    free(s->entrypoint);
    free(s->cmd);
    free(s->env);
    free(s->aliases);
    free(s->labels);
    free(s->mounts);
    free(s->pull_policy);
    memset(s, 0, sizeof *s);
}

/* A NULL-terminated copy of a JSON string array; NULL when `arr` is absent
 * (image default), {NULL} when it is an empty array. */
static const char **str_array(struct kj_pod_container_spec *s, const cJSON *arr, int *bad)
{
    if (arr == NULL || cJSON_IsNull(arr))
        return NULL;
    if (!cJSON_IsArray(arr)) {
        *bad = 1;
        return NULL;
    }
    size_t n = (size_t)cJSON_GetArraySize(arr);
    const char **out = xcalloc(n + 1, sizeof *out);
    size_t i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        if (!cJSON_IsString(e)) {
            *bad = 1;
            continue;
        }
        out[i++] = keep(s, xstrdup(e->valuestring));
    }
    return out;
}

static const char *label_or_null(const cJSON *labels, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(labels, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Downward API subset: metadata.name/namespace/uid, labels['k'],
 * annotations['k']. Unknown paths give "" (documented gap). */
static char *field_ref_value(const struct kj_runtime_pod_req *req, const char *path)
{
    if (strcmp(path, "metadata.name") == 0)
        return xstrdup(req->pod_name);
    if (strcmp(path, "metadata.namespace") == 0)
        return xstrdup(req->ns);
    if (strcmp(path, "metadata.uid") == 0)
        return xstrdup(req->pod_uid);
    const cJSON *map = NULL;
    const char *rest = NULL;
    if (strncmp(path, "metadata.labels['", 17) == 0) {
        map = req->labels;
        rest = path + 17;
    } else if (strncmp(path, "metadata.annotations['", 22) == 0) {
        map = req->annotations;
        rest = path + 22;
    }
    if (map != NULL) {
        const char *end = strstr(rest, "']");
        if (end != NULL) {
            char *key = xstrndup(rest, (size_t)(end - rest));
            const char *v = label_or_null(map, key);
            free(key);
            return xstrdup(v ? v : "");
        }
    }
    return xstrdup("");
}

static int build_env(struct kj_pod_container_spec *s, const struct kj_runtime_pod_req *req,
                     const cJSON *pod_spec, const cJSON *c, const struct kj_node_alloc *node,
                     kj_error_t *err)
{
    const cJSON *env = cJSON_GetObjectItemCaseSensitive(c, "env");
    size_t n_extra = 0;
    while (req->extra_env != NULL && req->extra_env[n_extra] != NULL)
        n_extra++;
    size_t n = (size_t)(cJSON_IsArray(env) ? cJSON_GetArraySize(env) : 0);
    s->env = xcalloc(n + n_extra + 1, sizeof *s->env);
    size_t k = 0;
    const cJSON *e;
    const cJSON *env_arr = cJSON_IsArray(env) ? env : NULL;
    cJSON_ArrayForEach(e, env_arr)
    {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "name");
        if (!cJSON_IsString(name))
            return kj_make_error(err, 0, "env entry without a name");
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(e, "value");
        const cJSON *from = cJSON_GetObjectItemCaseSensitive(e, "valueFrom");
        if (cJSON_GetObjectItemCaseSensitive(from, "configMapKeyRef") != NULL ||
            cJSON_GetObjectItemCaseSensitive(from, "secretKeyRef") != NULL)
            continue; /* resolved from the store at create time: kj_pod_env_refs_resolve */
        char *v = NULL;
        const cJSON *rf = cJSON_GetObjectItemCaseSensitive(from, "resourceFieldRef");
        if (cJSON_IsString(value)) {
            v = xstrdup(value->valuestring);
        } else if (cJSON_IsObject(rf)) {
            /* No value kjob can tell (ephemeral storage without a limit):
             * the variable is left out rather than set wrong. */
            v = kj_pod_resource_value(pod_spec, c, rf, node);
            if (v == NULL)
                continue;
        } else if (cJSON_IsObject(from)) {
            const cJSON *fr = cJSON_GetObjectItemCaseSensitive(from, "fieldRef");
            const cJSON *fp = cJSON_GetObjectItemCaseSensitive(fr, "fieldPath");
            v = cJSON_IsString(fp) ? field_ref_value(req, fp->valuestring) : xstrdup("");
        } else {
            v = xstrdup("");
        }
        /* Kubernetes expands $(VAR) references; kjob passes values as given. */
        s->env[k++] = keep(s, xasprintf("%s=%s", name->valuestring, v));
        free(v);
    }
    for (size_t i = 0; i < n_extra; i++) {
        const char *eq = strchr(req->extra_env[i], '=');
        size_t nl = eq ? (size_t)(eq - req->extra_env[i]) : strlen(req->extra_env[i]);
        bool defined = false;
        for (size_t j = 0; j < k; j++)
            if (strncmp(s->env[j], req->extra_env[i], nl) == 0 && s->env[j][nl] == '=')
                defined = true;
        if (!defined)
            s->env[k++] = keep(s, xstrdup(req->extra_env[i]));
    }
    s->env[k] = NULL;
    return 0;
}

static int build_limits(struct kj_pod_container_spec *s, const cJSON *c, kj_error_t *err)
{
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(c, "resources");
    const cJSON *lim = cJSON_GetObjectItemCaseSensitive(res, "limits");
    const cJSON *mem = cJSON_GetObjectItemCaseSensitive(lim, "memory");
    const cJSON *cpu = cJSON_GetObjectItemCaseSensitive(lim, "cpu");
    struct kj_quantity q;
    if (mem != NULL) {
        if (kj_quantity_from_json(mem, &q, err) < 0)
            return kj_error_wrap(err, "resources.limits.memory");
        s->spec.memory = kj_quantity_value(&q);
    }
    if (cpu != NULL) {
        if (kj_quantity_from_json(cpu, &q, err) < 0)
            return kj_error_wrap(err, "resources.limits.cpu");
        s->spec.nano_cpus = kj_quantity_milli(&q) * 1000000;
    }
    return 0;
}

static const cJSON *volume_named(const cJSON *volumes, const char *name)
{
    const cJSON *v;
    cJSON_ArrayForEach(v, volumes)
    {
        const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "name"));
        if (n != NULL && strcmp(n, name) == 0)
            return v;
    }
    return NULL;
}

/* emptyDir.sizeLimit in bytes (0 when absent). */
static int size_limit(const cJSON *ed, const char *name, int64_t *out, kj_error_t *err)
{
    const cJSON *lim = cJSON_GetObjectItemCaseSensitive(ed, "sizeLimit");
    struct kj_quantity q;
    *out = 0;
    if (cJSON_IsString(lim)) {
        if (kj_quantity_parse(lim->valuestring, &q, err) < 0)
            return kj_error_wrap(err, "volume `%s`: emptyDir.sizeLimit", name);
        *out = kj_quantity_value(&q);
    } else if (cJSON_IsNumber(lim)) {
        *out = (int64_t)lim->valuedouble;
    }
    return 0;
}

static bool mounts_with_subpath(const cJSON *containers, const char *vname)
{
    const cJSON *c, *vm;
    cJSON_ArrayForEach(c, containers)
    {
        cJSON_ArrayForEach(vm, cJSON_GetObjectItemCaseSensitive(c, "volumeMounts"))
        {
            const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(vm, "name"));
            const char *sub = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(vm, "subPath"));
            if (n != NULL && strcmp(n, vname) == 0 && sub != NULL && sub[0] != '\0')
                return true;
        }
    }
    return false;
}

bool kj_pod_empty_dir_on_host(const cJSON *pod_spec, const char *vname)
{
    return mounts_with_subpath(cJSON_GetObjectItemCaseSensitive(pod_spec, "containers"), vname) ||
           mounts_with_subpath(cJSON_GetObjectItemCaseSensitive(pod_spec, "initContainers"), vname);
}

/* volumeMounts of emptyDir volumes (after the labels: volumes carry them). */
static int build_mounts(struct kj_pod_container_spec *s, const cJSON *spec, const cJSON *c,
                        const char *volume_prefix, kj_error_t *err)
{
    const cJSON *volumes = cJSON_GetObjectItemCaseSensitive(spec, "volumes");
    const cJSON *vms = cJSON_GetObjectItemCaseSensitive(c, "volumeMounts");
    size_t n = (size_t)cJSON_GetArraySize(vms), k = 0;
    if (n == 0)
        return 0;
    s->mounts = xcalloc(n, sizeof *s->mounts);
    const cJSON *vm;
    cJSON_ArrayForEach(vm, vms)
    {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(vm, "name"));
        const char *path = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(vm, "mountPath"));
        const cJSON *vol = volume_named(volumes, name ? name : "");
        const cJSON *ed = cJSON_GetObjectItemCaseSensitive(vol, "emptyDir");
        const char *host = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(vol, "hostPath"), "path"));
        if (path != NULL && host != NULL) {
            /* Only accepted by the API server under --allow-host-path. */
            const char *hsub = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(vm, "subPath"));
            if (hsub != NULL && hsub[0] != '\0' && (hsub[0] == '/' || strstr(hsub, "..") != NULL))
                return kj_make_error(err, 0, "volume `%s`: invalid subPath `%s`", name, hsub);
            struct kj_docker_mount *m = &s->mounts[k++];
            m->type = "bind";
            m->source = keep(s, hsub != NULL && hsub[0] != '\0' ? xasprintf("%s/%s", host, hsub)
                                                                 : xstrdup(host));
            m->target = keep(s, xstrdup(path));
            m->read_only = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(vm, "readOnly"));
            continue;
        }
        if (path == NULL || !cJSON_IsObject(ed))
            continue;
        const char *medium = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ed, "medium"));
        bool memory = medium != NULL && strcmp(medium, "Memory") == 0;
        const char *sub = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(vm, "subPath"));
        if (sub != NULL && sub[0] != '\0' && memory)
            return kj_make_error(err, 0, "volume `%s`: subPath on a medium: Memory emptyDir volume is not supported", name);
        if (!memory && kj_pod_empty_dir_on_host(spec, name))
            continue; /* a directory of the state dir: kj_pod_config_volumes_write */
        struct kj_docker_mount *m = &s->mounts[k++];
        m->target = keep(s, xstrdup(path));
        m->read_only = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(vm, "readOnly"));
        if (memory && volume_prefix != NULL) {
            /* Shared by a pod group's containers: a named tmpfs volume. */
            m->type = "volume";
            m->tmpfs_volume = true;
            m->source = keep(s, xasprintf("%s%s", volume_prefix, name));
            m->labels = s->labels;
            m->n_labels = s->spec.n_labels;
            if (size_limit(ed, name, &m->tmpfs_size, err) < 0)
                return -1;
        } else if (memory) {
            m->type = "tmpfs";
            if (size_limit(ed, name, &m->tmpfs_size, err) < 0)
                return -1;
        } else {
            m->type = "volume";
            m->labels = s->labels;
            m->n_labels = s->spec.n_labels;
            /* A pod group's containers share the volume by name. */
            if (volume_prefix != NULL)
                m->source = keep(s, xasprintf("%s%s", volume_prefix, name));
        }
    }
    s->spec.mounts = s->mounts;
    s->spec.n_mounts = k;
    return 0;
}

static void add_label(struct kj_pod_container_spec *s, size_t *n, const char *k, const char *v)
{
    /* Identity labels win over user labels of the same name. */
    for (size_t i = 0; i < *n; i++)
        if (strcmp(s->labels[i].key, k) == 0) {
            s->labels[i].value = keep(s, xstrdup(v));
            return;
        }
    s->labels[*n].key = keep(s, xstrdup(k));
    s->labels[*n].value = keep(s, xstrdup(v));
    (*n)++;
}

static void build_labels(struct kj_pod_container_spec *s, const struct kj_runtime_pod_req *req)
{
    size_t cap = 8 + (size_t)cJSON_GetArraySize(req->labels) +
                 (req->annotations ? (size_t)cJSON_GetArraySize(req->annotations) : 0);
    s->labels = xcalloc(cap, sizeof *s->labels);
    size_t n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, req->labels)
    {
        if (cJSON_IsString(e))
            add_label(s, &n, e->string, e->valuestring);
    }
    cJSON_ArrayForEach(e, req->annotations)
    {
        if (!cJSON_IsString(e))
            continue;
        char *k = xasprintf("%s%s", KJ_LABEL_ANNOTATION_PREFIX, e->string);
        add_label(s, &n, k, e->valuestring);
        free(k);
    }
    add_label(s, &n, KJ_LABEL_MANAGED, "true");
    add_label(s, &n, KJ_LABEL_OWNER_UID, req->job_uid);
    add_label(s, &n, KJ_LABEL_JOB_NAME, req->job_name);
    add_label(s, &n, KJ_LABEL_NAMESPACE, req->ns);
    add_label(s, &n, KJ_LABEL_POD_NAME, req->pod_name);
    add_label(s, &n, KJ_LABEL_POD_UID, req->pod_uid);
    if (req->index >= 0) {
        char idx[16];
        snprintf(idx, sizeof idx, "%d", req->index);
        add_label(s, &n, KJ_LABEL_INDEX, idx);
    }
    if (req->member != NULL)
        add_label(s, &n, KJ_LABEL_MEMBER, req->member);
    if (req->group_spec != NULL)
        add_label(s, &n, KJ_LABEL_GROUP_SPEC, req->group_spec);
    s->spec.labels = s->labels;
    s->spec.n_labels = n;
}

int kj_pod_container_spec_build(const struct kj_runtime_pod_req *req, const char *network,
                                const struct kj_node_alloc *node,
                                struct kj_pod_container_spec *out, kj_error_t *err)
{
    struct kj_pod_container_spec s;
    memset(&s, 0, sizeof s);
    memset(out, 0, sizeof *out);
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(req->pod_template, "spec");
    const cJSON *containers = cJSON_GetObjectItemCaseSensitive(spec, "containers");
    const cJSON *c = cJSON_GetArrayItem(containers, 0);
    if (!cJSON_IsObject(c))
        return kj_make_error(err, 0, "pod template has no container");
    const cJSON *image = cJSON_GetObjectItemCaseSensitive(c, "image");
    if (!cJSON_IsString(image) || image->valuestring[0] == '\0')
        return kj_make_error(err, 0, "container has no image");

    int bad = 0;
    s.spec.name = keep(&s, xstrdup(req->pod_name));
    s.spec.image = keep(&s, xstrdup(image->valuestring));
    s.entrypoint = str_array(&s, cJSON_GetObjectItemCaseSensitive(c, "command"), &bad);
    s.cmd = str_array(&s, cJSON_GetObjectItemCaseSensitive(c, "args"), &bad);
    if (bad) {
        kj_pod_container_spec_clear(&s);
        return kj_make_error(err, 0, "command and args must be arrays of strings");
    }
    s.spec.entrypoint = s.entrypoint;
    s.spec.cmd = s.cmd;
    if (build_env(&s, req, spec, c, node, err) < 0 || build_limits(&s, c, err) < 0) {
        kj_pod_container_spec_clear(&s);
        return -1;
    }
    s.spec.env = s.env;
    const cJSON *wd = cJSON_GetObjectItemCaseSensitive(c, "workingDir");
    if (cJSON_IsString(wd) && wd->valuestring[0] != '\0')
        s.spec.working_dir = keep(&s, xstrdup(wd->valuestring));
    /* A group member lives in its infra container's UTS and network
     * namespaces: the engine refuses a hostname of its own there. */
    if (req->hostname != NULL && req->netns_of == NULL)
        s.spec.hostname = keep(&s, xstrndup(req->hostname, 63));
    const cJSON *sub = cJSON_GetObjectItemCaseSensitive(spec, "subdomain");
    if (cJSON_IsString(sub) && sub->valuestring[0] != '\0' && req->netns_of == NULL)
        s.spec.domainname = keep(&s, xstrdup(sub->valuestring));
    build_labels(&s, req);
    if (build_mounts(&s, spec, c, req->volume_prefix, err) < 0) {
        kj_pod_container_spec_clear(&s);
        return -1;
    }
    if (req->netns_of != NULL) {
        s.spec.network = keep(&s, xasprintf("container:%s", req->netns_of));
    } else if (network != NULL) {
        s.spec.network = keep(&s, xstrdup(network));
        s.aliases = xcalloc(3, sizeof *s.aliases);
        s.aliases[0] = keep(&s, xstrdup(req->pod_name));
        if (req->hostname != NULL && strcmp(req->hostname, req->pod_name) != 0)
            s.aliases[1] = keep(&s, xstrndup(req->hostname, 63));
        s.spec.aliases = s.aliases;
    }
    const cJSON *grace = cJSON_GetObjectItemCaseSensitive(spec, "terminationGracePeriodSeconds");
    s.spec.stop_timeout = cJSON_IsNumber(grace) ? grace->valueint : 30;
    s.spec.init = true;
    s.spec.tty = false;

    const char *policy = req->image_pull_policy;
    const cJSON *pp = cJSON_GetObjectItemCaseSensitive(c, "imagePullPolicy");
    if (policy == NULL && cJSON_IsString(pp))
        policy = pp->valuestring;
    if (policy == NULL) {
        /* core/v1 defaulting: Always for :latest or untagged, else IfNotPresent. */
        const char *img = s.spec.image;
        const char *slash = strrchr(img, '/');
        const char *tag = strchr(slash ? slash : img, ':');
        bool latest = strchr(img, '@') == NULL && (tag == NULL || strcmp(tag, ":latest") == 0);
        policy = latest ? "Always" : "IfNotPresent";
    }
    s.pull_policy = xstrdup(policy);
    *out = s;
    return 0;
}

int kj_pod_obs_identity_from_labels(const cJSON *labels, struct kj_pod_obs *obs)
{
    const char *owner = label_or_null(labels, KJ_LABEL_OWNER_UID);
    const char *pod = label_or_null(labels, KJ_LABEL_POD_NAME);
    const char *ns = label_or_null(labels, KJ_LABEL_NAMESPACE);
    if (owner == NULL || pod == NULL || ns == NULL)
        return -1;
    obs->job_uid = owner;
    obs->pod_name = pod;
    obs->ns = ns;
    obs->pod_uid = label_or_null(labels, KJ_LABEL_POD_UID);
    obs->job_name = label_or_null(labels, KJ_LABEL_JOB_NAME);
    obs->member = label_or_null(labels, KJ_LABEL_MEMBER);
    obs->group_spec = label_or_null(labels, KJ_LABEL_GROUP_SPEC);
    const char *idx = label_or_null(labels, KJ_LABEL_INDEX);
    obs->index = -1;
    if (idx != NULL) {
        char *end = NULL;
        errno = 0;
        long v = strtol(idx, &end, 10);
        if (*end == '\0' && errno == 0 && v >= 0 && v <= 0x7fffffff)
            obs->index = (int)v;
    }
    return 0;
}

int64_t kj_exit_identity(int64_t inspected, int exit_code, int64_t told_at)
{
    const int64_t window = INT64_C(10) * 1000000000;
    if (exit_code == 0 && told_at != 0 && inspected <= told_at && inspected > told_at - window)
        return told_at;
    return inspected;
}

int kj_pod_obs_from_state(const struct kj_container_state *st, const char *network,
                          struct kj_pod_obs *obs)
{
    memset(obs, 0, sizeof *obs);
    if (kj_pod_obs_identity_from_labels(st->labels, obs) < 0)
        return -1;
    obs->container_id = st->id;
    const cJSON *created = cJSON_GetObjectItemCaseSensitive(st->raw, "Created");
    obs->created_at = 0;
    if (cJSON_IsString(created)) {
        /* A malformed time leaves 0 (unknown). */
        int64_t t = 0;
        kj_error_t terr = NULL;
        if (kj_rfc3339_parse(created->valuestring, &t, &terr) == 0 && t > 0)
            obs->created_at = t;
        kj_error_release(&terr);
    }
    obs->started_at = st->started_at_ns;
    obs->finished_at = st->finished_at_ns;
    if (st->error != NULL && st->error[0] != '\0')
        obs->error = st->error;
    const char *status = st->status ? st->status : "";
    if (st->running || st->restarting || st->paused || strcmp(status, "running") == 0) {
        obs->state = KJ_POD_OBS_RUNNING;
        for (size_t i = 0; i < st->n_networks; i++) {
            const struct kj_container_net *n = &st->networks[i];
            if ((network == NULL || strcmp(n->name, network) == 0) && n->ip && n->ip[0]) {
                obs->pod_ip = n->ip;
                break;
            }
        }
    } else if (strcmp(status, "exited") == 0 || strcmp(status, "dead") == 0) {
        obs->state = KJ_POD_OBS_EXITED;
        obs->exit_code = st->exit_code;
        obs->oom_killed = st->oom_killed;
        if (obs->finished_at == 0)
            obs->finished_at = obs->created_at ? obs->created_at : 1;
    } else if (strcmp(status, "created") == 0 && obs->error != NULL &&
               (st->exit_code == 126 || st->exit_code == 127)) {
        /* The command cannot run (not found / not executable): the engine
         * records 127/126, and the pod failed like a StartError. Other start
         * errors (exit code 128: network, storage, engine trouble) are the
         * engine's, not the pod's: the container stays CREATED and is
         * started again. */
        obs->state = KJ_POD_OBS_EXITED;
        obs->exit_code = st->exit_code;
        obs->finished_at = obs->created_at ? obs->created_at : 1;
    } else if (strcmp(status, "removing") == 0) {
        obs->state = KJ_POD_OBS_EXITED;
        obs->exit_code = st->exit_code;
        obs->oom_killed = st->oom_killed;
        if (obs->finished_at == 0)
            obs->finished_at = obs->created_at ? obs->created_at : 1;
    } else {
        obs->state = KJ_POD_OBS_CREATED;
    }
    return 0;
}

void kj_pod_container_spec_prepend_env(struct kj_pod_container_spec *s, char **vars)
{
    size_t n = 0, m = 0;
    while (vars != NULL && vars[n] != NULL)
        n++;
    while (s->env != NULL && s->env[m] != NULL)
        m++;
    const char **env = xcalloc(n + m + 1, sizeof *env);
    for (size_t i = 0; i < n; i++)
        env[i] = keep(s, vars[i]);
    for (size_t i = 0; i < m; i++)
        env[n + i] = s->env[i];
    free(s->env);
    free(vars);
    s->env = env;
    s->spec.env = env;
}
