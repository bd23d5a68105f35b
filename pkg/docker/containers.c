/* Container endpoints: create, start, kill, stop, restart, remove, inspect,
 * list, wait. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docker/docker-internal.h"
#include "util/cleanup.h"

/* Ids and names go into the path; escaping keeps a hostile name from
 * reaching another endpoint. */
static char *escaped_id(const char *id, const char *what, kj_error_t *err)
{
    if (id == NULL || *id == '\0') {
        kj_make_error(err, EINVAL, "%s: empty container id", what);
        return NULL;
    }
    char *e = kj_docker_escape(id);
    if (e == NULL)
        kj_make_error(err, ENOMEM, "%s", what);
    return e;
}

static bool add_strv(cJSON *obj, const char *key, const char *const *v)
{
    if (v == NULL)
        return true;
    cJSON *arr = cJSON_AddArrayToObject(obj, key);
    if (arr == NULL)
        return false;
    for (size_t i = 0; v[i] != NULL; i++) {
        cJSON *s = cJSON_CreateString(v[i]);
        if (s == NULL || !cJSON_AddItemToArray(arr, s)) {
            cJSON_Delete(s);
            return false;
        }
    }
    return true;
}

static bool add_str(cJSON *obj, const char *key, const char *v)
{
    return v == NULL || cJSON_AddStringToObject(obj, key, v) != NULL;
}

static char *create_body(const struct kj_container_spec *s)
{
    cleanup_cjson cJSON *b = cJSON_CreateObject();
    if (b == NULL)
        return NULL;
    bool ok = add_str(b, "Image", s->image) && add_strv(b, "Entrypoint", s->entrypoint) &&
              add_strv(b, "Cmd", s->cmd) && add_strv(b, "Env", s->env) &&
              add_str(b, "Hostname", s->hostname) && add_str(b, "Domainname", s->domainname) &&
              add_str(b, "WorkingDir", s->working_dir) && add_str(b, "User", s->user) &&
              add_str(b, "StopSignal", s->stop_signal) &&
              cJSON_AddBoolToObject(b, "Tty", s->tty) != NULL &&
              cJSON_AddBoolToObject(b, "AttachStdin", 0) != NULL &&
              cJSON_AddBoolToObject(b, "OpenStdin", 0) != NULL;
    if (ok && s->stop_timeout > 0)
        ok = cJSON_AddNumberToObject(b, "StopTimeout", s->stop_timeout) != NULL;
    if (ok && s->network_disabled)
        ok = cJSON_AddBoolToObject(b, "NetworkDisabled", 1) != NULL;
    cJSON *labels = ok ? cJSON_AddObjectToObject(b, "Labels") : NULL;
    ok = labels != NULL;
    for (size_t i = 0; ok && i < s->n_labels; i++)
        if (s->labels[i].key != NULL)
            ok = cJSON_AddStringToObject(labels, s->labels[i].key,
                                         s->labels[i].value ? s->labels[i].value : "") != NULL;

    cJSON *hc = ok ? cJSON_AddObjectToObject(b, "HostConfig") : NULL;
    cJSON *rp = hc != NULL ? cJSON_AddObjectToObject(hc, "RestartPolicy") : NULL;
    ok = rp != NULL && cJSON_AddStringToObject(rp, "Name", "no") != NULL;
    if (ok && s->memory > 0)
        /* MemorySwap = Memory: no swap, deterministic OOM kills like Kubernetes. */
        ok = cJSON_AddNumberToObject(hc, "Memory", (double)s->memory) != NULL &&
             cJSON_AddNumberToObject(hc, "MemorySwap", (double)s->memory) != NULL;
    if (ok && s->nano_cpus > 0)
        ok = cJSON_AddNumberToObject(hc, "NanoCpus", (double)s->nano_cpus) != NULL;
    if (ok && s->init)
        ok = cJSON_AddBoolToObject(hc, "Init", 1) != NULL;
    if (ok && s->auto_remove)
        ok = cJSON_AddBoolToObject(hc, "AutoRemove", 1) != NULL;
    cJSON *mounts = ok && s->n_mounts > 0 ? cJSON_AddArrayToObject(hc, "Mounts") : NULL;
    for (size_t i = 0; mounts != NULL && i < s->n_mounts; i++) {
        const struct kj_docker_mount *m = &s->mounts[i];
        cJSON *mj = cJSON_CreateObject();
        cJSON_AddItemToArray(mounts, mj);
        cJSON_AddStringToObject(mj, "Type", m->type);
        if (m->source != NULL)
            cJSON_AddStringToObject(mj, "Source", m->source);
        cJSON_AddStringToObject(mj, "Target", m->target);
        cJSON_AddBoolToObject(mj, "ReadOnly", m->read_only);
        if (strcmp(m->type, "tmpfs") == 0 && m->tmpfs_size > 0)
            cJSON_AddNumberToObject(cJSON_AddObjectToObject(mj, "TmpfsOptions"), "SizeBytes",
                                    (double)m->tmpfs_size);
        cJSON *vo = strcmp(m->type, "volume") == 0 && (m->n_labels > 0 || m->tmpfs_volume)
                        ? cJSON_AddObjectToObject(mj, "VolumeOptions")
                        : NULL;
        if (vo != NULL && m->n_labels > 0) {
            cJSON *vl = cJSON_AddObjectToObject(vo, "Labels");
            for (size_t j = 0; j < m->n_labels; j++)
                if (m->labels[j].key != NULL)
                    cJSON_AddStringToObject(vl, m->labels[j].key, m->labels[j].value ? m->labels[j].value : "");
        }
        if (vo != NULL && m->tmpfs_volume) {
            cJSON *dc = cJSON_AddObjectToObject(vo, "DriverConfig");
            cJSON_AddStringToObject(dc, "Name", "local");
            cJSON *opts = cJSON_AddObjectToObject(dc, "Options");
            cJSON_AddStringToObject(opts, "type", "tmpfs");
            cJSON_AddStringToObject(opts, "device", "tmpfs");
            if (m->tmpfs_size > 0) {
                char o[48];
                snprintf(o, sizeof o, "size=%lld", (long long)m->tmpfs_size);
                cJSON_AddStringToObject(opts, "o", o);
            }
        }
    }
    const char *network = s->network_disabled ? "none" : s->network;
    if (ok && network != NULL) {
        ok = cJSON_AddStringToObject(hc, "NetworkMode", network) != NULL;
        /* "container:<id>" joins another container's namespace: no
         * endpoint of its own. */
        bool joined = !s->network_disabled && strncmp(s->network, "container:", 10) == 0;
        cJSON *nc = ok && !joined ? cJSON_AddObjectToObject(b, "NetworkingConfig") : NULL;
        cJSON *ec = nc != NULL ? cJSON_AddObjectToObject(nc, "EndpointsConfig") : NULL;
        cJSON *ep = ec != NULL ? cJSON_AddObjectToObject(ec, network) : NULL;
        ok = joined || (ep != NULL && (s->aliases == NULL || add_strv(ep, "Aliases", s->aliases)));
    }
    return ok ? cJSON_PrintUnformatted(b) : NULL;
}

kj_docker_req_t *kj_docker_container_create(struct kj_docker *d,
                                            const struct kj_container_spec *spec,
                                            kj_docker_str_cb cb, void *data, kj_error_t *err)
{
    if (spec == NULL || spec->image == NULL || *spec->image == '\0') {
        kj_make_error(err, EINVAL, "create container: no image");
        return NULL;
    }
    char what[300];
    snprintf(what, sizeof(what), "create container `%s`", spec->name ? spec->name : spec->image);
    if (spec->network_disabled && spec->network != NULL && strcmp(spec->network, "none") != 0) {
        kj_make_error(err, EINVAL, "%s: network `%s` with the network disabled", what,
                      spec->network);
        return NULL;
    }
    char *body = create_body(spec);
    if (body == NULL) {
        kj_make_error(err, ENOMEM, "%s", what);
        return NULL;
    }
    if (spec->name == NULL)
        return kj_docker_req_simple(d, &kj_docker_id_ops, "POST", body, (kj_docker_fn)cb, data,
                                    what, err, "/containers/create");
    cleanup_free char *name = kj_docker_escape(spec->name);
    if (name == NULL) {
        free(body);
        kj_make_error(err, ENOMEM, "%s", what);
        return NULL;
    }
    return kj_docker_req_simple(d, &kj_docker_id_ops, "POST", body, (kj_docker_fn)cb, data, what,
                                err, "/containers/create?name=%s", name);
}

/* POST/DELETE on /containers/{id}<suffix> with a done callback. */
static kj_docker_req_t *simple_action(struct kj_docker *d, const char *method, const char *verb,
                                      const char *id, const char *suffix, long extra_timeout_ms,
                                      kj_docker_done_cb cb, void *data, kj_error_t *err)
{
    char what[300];
    snprintf(what, sizeof(what), "%s container `%s`", verb, id ? id : "");
    cleanup_free char *eid = escaped_id(id, what, err);
    if (eid == NULL)
        return NULL;
    struct kj_docker_req *r = kj_docker_req_simple(d, &kj_docker_done_ops, method, NULL,
                                                   (kj_docker_fn)cb, data, what, err,
                                                   "/containers/%s%s", eid, suffix);
    if (r != NULL)
        r->timeout_ms = extra_timeout_ms;
    return r;
}

kj_docker_req_t *kj_docker_container_start(struct kj_docker *d, const char *id,
                                           kj_docker_done_cb cb, void *data, kj_error_t *err)
{
    return simple_action(d, "POST", "start", id, "/start", 0, cb, data, err);
}

kj_docker_req_t *kj_docker_container_kill(struct kj_docker *d, const char *id,
                                          const char *signal, kj_docker_done_cb cb,
                                          void *data, kj_error_t *err)
{
    char suffix[96] = "/kill";
    if (signal != NULL) {
        cleanup_free char *s = kj_docker_escape(signal);
        if (s == NULL || strlen(s) > 64) {
            kj_make_error(err, EINVAL, "kill container `%s`: bad signal", id ? id : "");
            return NULL;
        }
        snprintf(suffix, sizeof(suffix), "/kill?signal=%s", s);
    }
    return simple_action(d, "POST", "kill", id, suffix, 0, cb, data, err);
}

kj_docker_req_t *kj_docker_container_stop(struct kj_docker *d, const char *id, int timeout_s,
                                          kj_docker_done_cb cb, void *data, kj_error_t *err)
{
    char suffix[48] = "/stop";
    if (timeout_s >= 0)
        snprintf(suffix, sizeof(suffix), "/stop?t=%d", timeout_s);
    /* The engine answers only after the grace period: don't time out first. */
    long extra = timeout_s >= 0 ? (long)timeout_s * 1000 : 30000;
    return simple_action(d, "POST", "stop", id, suffix, extra, cb, data, err);
}

kj_docker_req_t *kj_docker_container_restart(struct kj_docker *d, const char *id,
                                             int timeout_s, kj_docker_done_cb cb, void *data,
                                             kj_error_t *err)
{
    char suffix[48] = "/restart";
    if (timeout_s >= 0)
        snprintf(suffix, sizeof(suffix), "/restart?t=%d", timeout_s);
    long extra = timeout_s >= 0 ? (long)timeout_s * 1000 : 30000;
    return simple_action(d, "POST", "restart", id, suffix, extra, cb, data, err);
}

kj_docker_req_t *kj_docker_container_remove(struct kj_docker *d, const char *id, bool force,
                                            bool volumes, kj_docker_done_cb cb, void *data,
                                            kj_error_t *err)
{
    char suffix[32];
    snprintf(suffix, sizeof(suffix), "?force=%d&v=%d", force ? 1 : 0, volumes ? 1 : 0);
    return simple_action(d, "DELETE", "remove", id, suffix, 0, cb, data, err);
}

/* ---- inspect and list ------------------------------------------------------- */

static bool inspect_done(struct kj_docker_req *r, kj_error_t err)
{
    kj_docker_state_cb cb = (kj_docker_state_cb)r->cb;
    if (err != NULL) {
        cb(err, NULL, r->user_data);
        return false;
    }
    kj_error_t perr = NULL;
    cleanup_cjson cJSON *j = cJSON_ParseWithLength(r->resp ? r->resp : "", r->resp_len);
    struct kj_container_state st;
    cleanup_free struct kj_container_net *nets = NULL;
    if (kj_docker_state_decode(j, &st, &nets, &perr) < 0) {
        kj_error_wrap(&perr, "%s", r->what ? r->what : "inspect container");
        cb(perr, NULL, r->user_data);
        kj_error_release(&perr);
        return false;
    }
    cb(NULL, &st, r->user_data);
    return false;
}
static const struct kj_docker_req_ops inspect_ops = {.done = inspect_done};

kj_docker_req_t *kj_docker_container_inspect(struct kj_docker *d, const char *id,
                                             kj_docker_state_cb cb, void *data, kj_error_t *err)
{
    char what[300];
    snprintf(what, sizeof(what), "inspect container `%s`", id ? id : "");
    cleanup_free char *eid = escaped_id(id, what, err);
    if (eid == NULL)
        return NULL;
    return kj_docker_req_simple(d, &inspect_ops, "GET", NULL, (kj_docker_fn)cb, data, what, err,
                                "/containers/%s/json", eid);
}

static bool list_done(struct kj_docker_req *r, kj_error_t err)
{
    kj_docker_list_cb cb = (kj_docker_list_cb)r->cb;
    if (err != NULL) {
        cb(err, NULL, 0, r->user_data);
        return false;
    }
    kj_error_t perr = NULL;
    cleanup_cjson cJSON *j = cJSON_ParseWithLength(r->resp ? r->resp : "", r->resp_len);
    cleanup_free struct kj_container_summary *items = NULL;
    size_t n = 0;
    if (kj_docker_summaries_decode(j, &items, &n, &perr) < 0) {
        kj_error_wrap(&perr, "list containers");
        cb(perr, NULL, 0, r->user_data);
        kj_error_release(&perr);
        return false;
    }
    cb(NULL, items, n, r->user_data);
    return false;
}
static const struct kj_docker_req_ops list_ops = {.done = list_done};

kj_docker_req_t *kj_docker_container_list(struct kj_docker *d,
                                          const struct kj_docker_list_opts *opts,
                                          kj_docker_list_cb cb, void *data, kj_error_t *err)
{
    cleanup_free char *filters =
        kj_docker_filters_escaped("label", opts != NULL ? opts->labels : NULL, NULL);
    if (filters == NULL) {
        kj_make_error(err, ENOMEM, "list containers");
        return NULL;
    }
    return kj_docker_req_simple(d, &list_ops, "GET", NULL, (kj_docker_fn)cb, data,
                                "list containers", err, "/containers/json?all=%d%s%s",
                                opts != NULL && opts->all ? 1 : 0, *filters ? "&filters=" : "",
                                filters);
}

/* ---- wait ------------------------------------------------------------------------ */

static bool wait_done(struct kj_docker_req *r, kj_error_t err)
{
    kj_docker_wait_cb cb = (kj_docker_wait_cb)r->cb;
    if (err != NULL) {
        cb(err, -1, r->user_data);
        return false;
    }
    cleanup_cjson cJSON *j = cJSON_ParseWithLength(r->resp ? r->resp : "", r->resp_len);
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(j, "StatusCode");
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "Error");
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "Message");
    kj_error_t perr = NULL;
    if (!cJSON_IsNumber(code))
        kj_make_error(&perr, EPROTO, "%s: engine answered without `StatusCode`", r->what);
    else if (cJSON_IsString(m) && m->valuestring && *m->valuestring)
        kj_make_http_error(&perr, 500, "%s: %s", r->what, m->valuestring);
    cb(perr, perr ? -1 : code->valueint, r->user_data);
    kj_error_release(&perr);
    return false;
}
static const struct kj_docker_req_ops wait_ops = {.done = wait_done};

kj_docker_req_t *kj_docker_container_wait(struct kj_docker *d, const char *id,
                                          const char *condition, kj_docker_wait_cb cb,
                                          void *data, kj_error_t *err)
{
    char what[300];
    snprintf(what, sizeof(what), "wait for container `%s`", id ? id : "");
    cleanup_free char *eid = escaped_id(id, what, err);
    if (eid == NULL)
        return NULL;
    cleanup_free char *cond = kj_docker_escape(condition ? condition : "not-running");
    if (cond == NULL) {
        kj_make_error(err, ENOMEM, "%s", what);
        return NULL;
    }
    if (cb == NULL) {
        kj_make_error(err, EINVAL, "%s: no callback", what);
        return NULL;
    }
    struct kj_docker_req *r =
        kj_docker_req_new(d, &wait_ops, "POST", err, "/containers/%s/wait?condition=%s", eid, cond);
    if (r == NULL)
        return NULL;
    r->stream = true;
    r->cb = (kj_docker_fn)cb;
    r->user_data = data;
    kj_docker_req_what(r, "%s", what);
    kj_docker_req_submit(r);
    return r;
}
