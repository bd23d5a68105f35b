/* kjobd wiring; see daemon.h. */
#include "daemon/daemon.h"
#include "daemon/daemon-internal.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <event2/event.h>

#include "api/time.h"
#include "apiserver/api_routes.h"
#include "apiserver/handlers_config.h"
#include "apiserver/handlers_events.h"
#include "apiserver/handlers_queue.h"
#include "apiserver/secure.h"
#include "apiserver/server.h"
#include "controller/driver.h"
#include "controller/pod_group.h"
#include "controller/rs_driver.h"
#include "controller/runtime_docker.h"
#include "docker/docker.h"
#include "store/store.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"


static int mkdir_p(const char *path, kj_error_t *err)
{
    cleanup_free char *p = xstrdup(path);
    for (char *s = p + 1; *s != '\0'; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0700) < 0 && errno != EEXIST)
            return kj_make_error(err, errno, "create directory `%s`", p);
        *s = '/';
    }
    if (mkdir(p, 0700) < 0 && errno != EEXIST)
        return kj_make_error(err, errno, "create directory `%s`", p);
    return 0;
}

/* ---- what the REST layer needs ---- */

static int pods_list(void *arg, const char *ns, cJSON *items, kj_error_t *err)
{
    struct kjobd *k = arg;
    (void)err;
    cJSON *pods = kj_job_driver_pods(k->driver, ns, NULL);
    if (pods == NULL)
        return 0;
    cJSON *p;
    while ((p = cJSON_DetachItemFromArray(pods, 0)) != NULL)
        cJSON_AddItemToArray(items, p);
    cJSON_Delete(pods);
    kj_rs_driver_pods(k->rs, ns, items);
    return 0;
}

static cJSON *pod_get(void *arg, const char *ns, const char *name)
{
    return kj_daemon_pod(arg, ns, name);
}

static int pod_delete(void *arg, const char *ns, const char *name, int grace_s, const char *uid,
                      bool evict, bool dry_run, cJSON **pod, kj_error_t *err)
{
    struct kjobd *k = arg;
    int rc = kj_job_driver_pod_delete(k->driver, ns, name, grace_s, uid, evict, dry_run, pod, err);
    return rc != 0 ? rc : kj_rs_driver_pod_delete(k->rs, ns, name, grace_s, uid, dry_run, pod, err);
}

static bool ready(void *arg, const char **why)
{
    struct kjobd *k = arg;
    return kj_runtime_docker_ready(k->rd, why);
}

/* A pod-level event from the runtime (pull fell back to a local image):
 * stored as a core/v1 Event on the Pod, as the kubelet would report it. */
/* ConfigMaps and Secrets for pod env (runtime_docker.h). */
static const cJSON *config_lookup(void *arg, const char *resource, const char *ns, const char *name)
{
    struct kjobd *k = arg;
    return kj_store_get(k->store, resource, ns, name);
}

struct uid_find {
    const char *uid;
};

static int uid_cb(const char *ns, const char *name, const cJSON *obj, void *data)
{
    const struct uid_find *f = data;
    (void)ns;
    (void)name;
    const char *uid = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "uid"));
    return uid != NULL && strcmp(uid, f->uid) == 0;
}

/* Pod groups found in the engine are carried on only by the kjobd that
 * stores their Job or ReplicaSet. Runs once per group found, not per event. */
static bool owns_uid(void *arg, const char *uid)
{
    struct kjobd *k = arg;
    struct uid_find f = {uid};
    return kj_store_list(k->store, "jobs", NULL, uid_cb, &f) != 0 ||
           kj_store_list(k->store, "replicasets", NULL, uid_cb, &f) != 0;
}

/* Pod watches look again (the server exists once start-up is done). */
static void pods_changed(void *arg)
{
    struct kjobd *k = arg;
    if (k->srv != NULL)
        kj_apiserver_pods_changed(k->srv);
}

static void pod_event(void *arg, const char *ns, const char *container, const char *pod_uid,
                      const char *type, const char *reason, const char *message)
{
    /* A container of a multi-container pod is "<pod>_<name>" (pod_group.h);
     * the event is about the pod. */
    cleanup_free char *pod_name = xstrndup(container, kj_pod_name_len(container));
    struct kjobd *k = arg;
    int64_t now = kj_time_now_ns();
    char ts[KJ_RFC3339_BUFSZ], micro[KJ_RFC3339_BUFSZ];
    kj_rfc3339_format(now, ts, sizeof ts);
    kj_rfc3339_format_micro(now, micro, sizeof micro);
    cleanup_free char *name = xasprintf("%s.%llx", pod_name, (unsigned long long)now);
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddStringToObject(ev, "kind", "Event");
    cJSON_AddStringToObject(ev, "apiVersion", "v1");
    cJSON *meta = cJSON_AddObjectToObject(ev, "metadata");
    cJSON_AddStringToObject(meta, "name", name);
    cJSON_AddStringToObject(meta, "namespace", ns);
    cJSON_AddStringToObject(meta, "creationTimestamp", ts);
    cJSON *io = cJSON_AddObjectToObject(ev, "involvedObject");
    cJSON_AddStringToObject(io, "kind", "Pod");
    cJSON_AddStringToObject(io, "namespace", ns);
    cJSON_AddStringToObject(io, "name", pod_name);
    if (pod_uid != NULL)
        cJSON_AddStringToObject(io, "uid", pod_uid);
    cJSON_AddStringToObject(io, "apiVersion", "v1");
    cJSON_AddStringToObject(ev, "reason", reason);
    cJSON_AddStringToObject(ev, "message", message);
    cJSON *src = cJSON_AddObjectToObject(ev, "source");
    cJSON_AddStringToObject(src, "component", "kubelet");
    cJSON_AddStringToObject(ev, "firstTimestamp", ts);
    cJSON_AddStringToObject(ev, "lastTimestamp", ts);
    cJSON_AddNumberToObject(ev, "count", 1);
    cJSON_AddStringToObject(ev, "type", type);
    cJSON_AddStringToObject(ev, "eventTime", micro);
    cJSON_AddStringToObject(ev, "reportingComponent", "kubelet");
    cJSON_AddStringToObject(ev, "reportingInstance", "kjobd");
    kj_error_t err = NULL;
    if (kj_store_create(k->store, "events", ns, name, ev, NULL, &err) < 0) {
        cJSON_Delete(ev);
        kj_error_log_release(&err, "record pod event");
    }
    kj_log(type[0] == 'W' ? KJ_LOG_WARN : KJ_LOG_INFO, "pod `%s/%s`: %s: %s", ns, pod_name, reason, message);
}

/* ---- signals ---- */

static void stop_cb(evutil_socket_t sig, short what, void *arg)
{
    struct kjobd *k = arg;
    (void)what;
    kj_log(KJ_LOG_INFO, "received %s: shutting down (containers keep running)",
           sig == SIGINT ? "SIGINT" : "SIGTERM");
    kj_apiserver_stop_listening(k->srv);
    event_base_loopexit(k->base, NULL);
}

/* ---- lifecycle ---- */

struct kjobd *kj_daemon_new(const struct kj_daemon_config *cfg, kj_error_t *err)
{
    struct kjobd *k = xcalloc(1, sizeof *k);
    k->cfg = cfg;
    k->base = event_base_new();
    if (k->base == NULL) {
        kj_make_error(err, 0, "create the event loop");
        goto fail;
    }
    struct kj_docker_opts dopts = {.host = cfg->docker_host};
    if (cfg->tls_cert == NULL && !kj_docker_uses_tls(&dopts))
        kj_tls_init_unused();
    k->docker = kj_docker_new(k->base, &dopts, err);
    if (k->docker == NULL) {
        kj_error_wrap(err, "docker client");
        goto fail;
    }
    if (mkdir_p(cfg->state_dir, err) < 0)
        goto fail;
    k->store = kj_store_open(cfg->state_dir, err);
    if (k->store == NULL) {
        kj_error_wrap(err, "open state dir `%s`", cfg->state_dir);
        goto fail;
    }
    struct kj_runtime_docker_opts ropts = {
        .network = cfg->network,
        .network_internal = cfg->network_internal,
        .offline = cfg->offline,
        .pull_strict = cfg->pull_fallback == KJ_PULL_FALLBACK_STRICT,
        .resync_period_ms = cfg->resync_period_ms,
        .pull_backoff_max_ms = cfg->backoff_max_ms,
        .state_dir = cfg->state_dir,
    };
    k->rd = kj_runtime_docker_new(k->base, k->docker, &ropts, err);
    if (k->rd == NULL)
        goto fail;
    kj_runtime_docker_set_event_sink(k->rd, pod_event, k);
    kj_runtime_docker_set_config_lookup(k->rd, config_lookup, k);
    kj_runtime_docker_set_change_hook(k->rd, pods_changed, k);

    struct kj_job_driver_config dcfg;
    kj_job_driver_config_defaults(&dcfg);
    dcfg.sync.backoff_base = cfg->backoff_base_ms * INT64_C(1000000);
    dcfg.sync.backoff_max = cfg->backoff_max_ms * INT64_C(1000000);
    /* One knob for both backoffs: tests shorten them together. */
    dcfg.sync.restart_base = dcfg.sync.backoff_base;
    dcfg.sync.restart_max = cfg->backoff_max_ms < 300000 ? dcfg.sync.backoff_max : INT64_C(300) * 1000000000;
    dcfg.resync_period = cfg->resync_period_ms * INT64_C(1000000);
    /* The ReplicaSet/Service controller interposes on the runtime so that
     * both controllers see every pod observation (rs_driver.h). */
    /* Pod groups sit under the ReplicaSet tee: both controllers see one
     * observation per pod, the infra container standing for the pod. */
    k->group = kj_pod_group_new(k->base, kj_runtime_docker_runtime(k->rd), cfg->infra_image);
    kj_pod_group_set_owner_check(k->group, owns_uid, k);
    k->rs = kj_rs_driver_new(k->base, k->store, k->docker, cfg->network,
                             kj_pod_group_runtime(k->group), dcfg.sync.restart_base,
                             dcfg.sync.restart_max, err);
    if (k->rs == NULL)
        goto fail;
    k->driver = kj_job_driver_new(k->base, k->store, kj_rs_driver_runtime(k->rs), &dcfg, err);
    if (k->driver == NULL) {
        kj_error_wrap(err, "job controller");
        goto fail;
    }

    struct kj_apiserver_deps deps = {
        .store = k->store,
        .arg = k,
        .pods_list = pods_list,
        .pod_get = pod_get,
        .pod_delete = pod_delete,
        .ready = ready,
        .default_propagation = KJ_PROPAGATION_UNSET, /* Kubernetes': Orphan + Warning */
        .allow_host_path = cfg->allow_host_path,
        .max_connections = cfg->max_connections,
    };
    k->srv = kj_apiserver_new(k->base, &deps, err);
    if (k->srv == NULL)
        goto fail;
    size_t n_routes = 0;
    const struct kj_route *routes = kj_daemon_routes(&n_routes);
    kj_apiserver_add_routes(k->srv, routes, n_routes);
    routes = kj_apiserver_sub_routes(&n_routes);
    kj_apiserver_add_routes(k->srv, routes, n_routes);
    routes = kj_apiserver_pod_watch_routes(&n_routes);
    kj_apiserver_add_routes(k->srv, routes, n_routes);
    kj_queue_routes_install(k->srv, k->rs);
    kj_config_routes_install(k->srv);
    kj_event_routes_install(k->srv);
    if (kj_apiserver_secure(k->srv, cfg->tls_cert, cfg->tls_key, cfg->token_file, err) < 0)
        goto fail;
    for (int i = 0; i < cfg->n_listen; i++) {
        const struct kj_listen_addr *a = &cfg->listen[i];
        /* config.c refused remote addresses without TLS and tokens unless
         * --insecure-listen. */
        bool remote = !a->is_unix && !kj_host_is_loopback(a->host);
        if (remote ? kj_apiserver_listen_remote(k->srv, a->host, a->port, err) < 0
                   : kj_apiserver_listen(k->srv, a->host, a->port, a->is_unix ? a->path : NULL, err) < 0)
            goto fail;
        if (a->is_unix)
            kj_log(KJ_LOG_INFO, "serving the Kubernetes API on unix:%s", a->path);
        else
            kj_log(KJ_LOG_INFO, "serving the Kubernetes API on %s://%s:%d%s",
                   remote && kj_apiserver_has_tls(k->srv) ? "https" : "http", a->host,
                   a->port ? a->port : kj_apiserver_port(k->srv),
                   remote && kj_apiserver_has_tokens(k->srv) ? " (bearer tokens required)" : "");
    }
    k->sig_int = evsignal_new(k->base, SIGINT, stop_cb, k);
    k->sig_term = evsignal_new(k->base, SIGTERM, stop_cb, k);
    if (k->sig_int == NULL || k->sig_term == NULL || evsignal_add(k->sig_int, NULL) < 0 ||
        evsignal_add(k->sig_term, NULL) < 0) {
        kj_make_error(err, 0, "install signal handlers");
        goto fail;
    }
    signal(SIGPIPE, SIG_IGN);
    return k;
fail:
    kj_daemon_free(k);
    return NULL;
}

int kj_daemon_run(struct kjobd *k, kj_error_t *err)
{
    if (kj_runtime_docker_start(k->rd, err) < 0)
        return -1;
    if (kj_job_driver_start(k->driver, err) < 0)
        return kj_error_wrap(err, "start the job controller");
    if (kj_rs_driver_start(k->rs, err) < 0)
        return kj_error_wrap(err, "start the replicaset controller");
    kj_log(KJ_LOG_INFO, "kjobd %s ready to accept jobs (state in %s, engine %s, network %s%s)",
           KJ_VERSION, k->cfg->state_dir, kj_docker_host(k->docker), k->cfg->network,
           k->cfg->offline ? ", offline" : "");
    if (event_base_dispatch(k->base) < 0)
        return kj_make_error(err, 0, "event loop failed");
    kj_log(KJ_LOG_INFO, "kjobd stopped");
    return 0;
}

void kj_daemon_free(struct kjobd *k)
{
    if (k == NULL)
        return;
    if (k->sig_int != NULL)
        event_free(k->sig_int);
    if (k->sig_term != NULL)
        event_free(k->sig_term);
    kj_apiserver_free(k->srv);
    k->srv = NULL; /* the runtime's change hook may still fire below */
    kj_job_driver_free(k->driver);
    kj_runtime_docker_free(k->rd);
    kj_pod_group_free(k->group); /* after rd: its cancellations pass through the group */
    kj_docker_free(k->docker);
    kj_rs_driver_free(k->rs); /* after the engine client: no callback can come back */
    kj_store_close(k->store);
    if (k->base != NULL)
        event_base_free(k->base);
    free(k);
}
