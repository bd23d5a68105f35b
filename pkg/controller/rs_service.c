/* Services on the kjob network: alias upkeep on ReplicaSet pods, the
 * loopback listeners of NodePort/LoadBalancer Services and their status,
 * endpoint lookup for the proxies, and Pod views of ReplicaSet pods; see
 * rs_driver.h. */
#include "controller/rs_driver-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/time.h"
#include "controller/service_sync.h"
#include "controller/svc_publish.h"
#include "docker/docker.h"
#include "store/store.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

enum { SOP_DISCONNECT = 20, SOP_CONNECT, SOP_INSPECT };

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *gets(const cJSON *o, const char *k)
{
    return cJSON_GetStringValue(get(o, k));
}

static int collect_cb(const char *ns, const char *name, const cJSON *obj, void *data)
{
    (void)ns;
    (void)name;
    cJSON_AddItemToArray(data, cJSON_Duplicate(obj, 1));
    return 0;
}

static const cJSON *pod_labels(struct kj_rs_driver *d, const struct rpod *p)
{
    return get(get(kj_rs_pod_template(d, p), "metadata"), "labels");
}

/* ---- alias change: disconnect → connect with aliases → inspect ---- */

static void svc_step_cb(kj_error_t err, void *data);

static void svc_finish(struct rop *op, bool ok)
{
    struct kj_rs_driver *d = op->d;
    struct rpod *p = kj_rs_pod_find(d, op->ns, op->pod);
    if (p != NULL) {
        p->svc_busy = false;
        if (ok) {
            free(p->aliases);
            p->aliases = xstrdup(op->aliases);
        }
    }
    kj_rs_op_free(op);
    if (ok)
        kj_rs_trigger(d);
}

static void inspect_cb(kj_error_t err, const struct kj_container_state *st, void *data)
{
    struct rop *op = data;
    struct rpod *p = kj_rs_pod_find(op->d, op->ns, op->pod);
    if (err == NULL && p != NULL) {
        for (size_t i = 0; i < st->n_networks; i++) {
            if (strcmp(st->networks[i].name, op->d->network) == 0 && st->networks[i].ip[0]) {
                free(p->ip);
                p->ip = xstrdup(st->networks[i].ip);
            }
        }
    }
    svc_finish(op, err == NULL);
}

static void svc_step_cb(kj_error_t err, void *data)
{
    struct rop *op = data;
    struct kj_rs_driver *d = op->d;
    struct rpod *p = kj_rs_pod_find(d, op->ns, op->pod);
    kj_error_t e2 = NULL;
    const char *cid = p != NULL && p->cid != NULL ? p->cid : op->pod;
    if (op->kind == SOP_DISCONNECT) {
        /* 404/400: not attached (any more): connect anyway. */
        if (err != NULL && kj_error_http_status(err) != 404 && kj_error_http_status(err) != 400 &&
            kj_error_http_status(err) != 500) {
            kj_log(KJ_LOG_WARN, "service controller: disconnect `%s`: %s", op->pod, err->msg);
            svc_finish(op, false);
            return;
        }
        char *names[64];
        size_t n = 0;
        cleanup_free char *list = xstrdup(op->aliases);
        char *save = NULL;
        for (char *t = strtok_r(list, ",", &save); t != NULL && n < 63;
             t = strtok_r(NULL, ",", &save))
            names[n++] = t;
        names[n++] = op->pod; /* the pod keeps its own name */
        names[n] = NULL;
        op->kind = SOP_CONNECT;
        if (kj_docker_network_connect(d->docker, d->network, cid, (const char *const *)names,
                                      svc_step_cb, op, &e2) == NULL) {
            kj_error_log_release(&e2, "service controller: connect");
            svc_finish(op, false);
        }
        return;
    }
    if (err != NULL) {
        kj_log(KJ_LOG_WARN, "service controller: connect `%s` with aliases `%s`: %s", op->pod,
               op->aliases, err->msg);
        svc_finish(op, false);
        return;
    }
    kj_log(KJ_LOG_INFO, "service controller: pod `%s/%s` answers to `%s` on network `%s`",
           op->ns, op->pod, op->aliases, d->network);
    op->kind = SOP_INSPECT;
    if (kj_docker_container_inspect(d->docker, cid, inspect_cb, op, &e2) == NULL) {
        kj_error_log_release(&e2, "service controller: inspect");
        svc_finish(op, true);
    }
}

static void start_alias_change(struct kj_rs_driver *d, struct rpod *p, const char *aliases)
{
    struct rop *op = kj_rs_op_new(d, SOP_DISCONNECT, p->ns, p->name, p->owner_uid);
    op->aliases = xstrdup(aliases);
    kj_error_t err = NULL;
    if (kj_docker_network_disconnect(d->docker, d->network, p->cid, true, svc_step_cb, op,
                                     &err) == NULL) {
        kj_error_log_release(&err, "service controller: disconnect");
        kj_rs_op_free(op);
        return;
    }
    p->svc_busy = true;
}

/* ---- NodePort / LoadBalancer: the loopback proxy (svc_publish.h) ---- */

int kj_rs_publish_pick_cb(void *arg, const char *ns, const char *svc, int port, char **ip,
                          int *target_port, kj_error_t *err)
{
    char want[16];
    snprintf(want, sizeof want, "%d", port);
    return kj_rs_driver_endpoint(arg, ns, svc, want, ip, target_port, err);
}

/* Listen for `svc` (or, for other types, stop) and bring its status in
 * line: the condition kjob.io/PortPublished and, for a LoadBalancer, the
 * ingress 127.0.0.1. An event marks each change of the condition's reason. */
static void publish_one(struct kj_rs_driver *d, const cJSON *svc)
{
    const cJSON *md = get(svc, "metadata");
    const char *ns = gets(md, "namespace"), *name = gets(md, "name");
    if (ns == NULL || name == NULL)
        return;
    struct kj_svc_pub_port ports[64];
    size_t n = kj_svc_publish_ports(svc, ports, sizeof ports / sizeof ports[0]);
    for (size_t i = 0; i < n; i++) {
        if (ports[i].err != 0)
            continue;
        kj_error_t err = NULL;
        if (kj_svc_publisher_want(d->pub, ns, name, ports[i].svc_port, ports[i].host_port, NULL,
                                  &err) < 0) {
            ports[i].err = err->status > 0 && err->status < KJ_ERR_HTTP_BASE ? err->status : EIO;
            kj_error_release(&err);
        }
    }
    char ts[KJ_RFC3339_BUFSZ];
    kj_rfc3339_format(kj_time_now_ns(), ts, sizeof ts);
    cJSON *st = kj_svc_publish_status(svc, ports, n, ts);
    if (st == NULL)
        return;
    const cJSON *before = kj_svc_published_condition(get(svc, "status"));
    cleanup_free char *old_reason = xstrdup(before != NULL ? gets(before, "reason") : "");
    cJSON *copy = cJSON_Duplicate(svc, 1);
    cJSON_DeleteItemFromObjectCaseSensitive(copy, "status");
    cJSON_AddItemToObject(copy, "status", st);
    kj_error_t err = NULL;
    if (kj_store_update(d->store, "services", ns, name, copy, gets(md, "resourceVersion"), NULL,
                        &err) < 0) {
        cJSON_Delete(copy);
        /* 409: the Service changed meanwhile; the next sync sees it. */
        if (kj_error_http_status(err) == 409)
            kj_error_release(&err);
        else
            kj_error_log_release(&err, "service controller: update status");
        return;
    }
    const cJSON *now = kj_store_get(d->store, "services", ns, name);
    const cJSON *after = kj_svc_published_condition(get(now, "status"));
    const char *reason = after != NULL ? gets(after, "reason") : NULL;
    if (reason == NULL || strcmp(reason, old_reason) == 0)
        return;
    bool failed = strcmp(reason, "Published") != 0;
    kj_log(failed ? KJ_LOG_WARN : KJ_LOG_INFO, "service controller: `%s/%s`: %s", ns, name,
           gets(after, "message"));
    kj_rs_emit(d, now, failed, reason, "%s", gets(after, "message"));
}

void kj_rs_services_sync(struct kj_rs_driver *d)
{
    cleanup_cjson cJSON *svcs = cJSON_CreateArray();
    kj_store_list(d->store, "services", NULL, collect_cb, svcs);
    const cJSON *s;
    kj_svc_publisher_begin(d->pub);
    cJSON_ArrayForEach(s, svcs)
    {
        publish_one(d, s);
    }
    kj_svc_publisher_end(d->pub);
    for (int i = 0; i < d->npods; i++) {
        struct rpod *p = d->pods[i];
        if (p->state != KJ_POD_OBS_RUNNING || p->cid == NULL || p->svc_busy || p->deleting)
            continue;
        /* Orphaned (or about to be cascaded): its labels went with its
         * ReplicaSet, and an orphan's network is left as it was. */
        if (kj_rs_pod_template(d, p) == NULL)
            continue;
        cleanup_free char *want = kj_svc_aliases_for(svcs, p->ns, pod_labels(d, p));
        if (strcmp(want, p->aliases != NULL ? p->aliases : "") != 0)
            start_alias_change(d, p, want);
    }
}

/* ---- endpoints ---- */

int kj_rs_driver_endpoint(struct kj_rs_driver *d, const char *ns, const char *svc,
                          const char *port, char **ip, int *port_out, kj_error_t *err)
{
    const cJSON *s = kj_store_get(d->store, "services", ns, svc);
    if (s == NULL)
        return kj_make_http_error(err, 404, "services \"%s\" not found", svc);
    const cJSON *sel = get(get(s, "spec"), "selector");
    struct rpod *cand[256];
    int n = 0;
    const cJSON *tmpl_spec = NULL;
    for (int i = 0; i < d->npods && n < 256; i++) {
        struct rpod *p = d->pods[i];
        if (strcmp(p->ns, ns) != 0 || !kj_rs_pod_ready(d, p) || p->ip == NULL || p->svc_busy ||
            p->deleting)
            continue;
        const cJSON *tmpl = kj_rs_pod_template(d, p);
        if (!kj_svc_selector_matches(sel, get(get(tmpl, "metadata"), "labels")))
            continue;
        tmpl_spec = get(tmpl, "spec");
        cand[n++] = p;
    }
    if (n == 0)
        return kj_make_http_error(err, 503, "no endpoints available for service \"%s\"", svc);
    int tp = kj_svc_target_port(s, port, tmpl_spec);
    if (tp <= 0)
        return kj_make_http_error(err, 503, "no endpoints available for service \"%s\"", svc);
    struct rpod *p = cand[d->rr++ % (unsigned)n];
    *ip = xstrdup(p->ip);
    *port_out = tp;
    return 0;
}

cJSON *kj_rs_driver_endpoints(struct kj_rs_driver *d, const char *ns, const char *svc)
{
    const cJSON *s = kj_store_get(d->store, "services", ns, svc);
    if (s == NULL)
        return NULL;
    cJSON *ep = cJSON_CreateObject();
    cJSON_AddStringToObject(ep, "kind", "Endpoints");
    cJSON_AddStringToObject(ep, "apiVersion", "v1");
    cJSON *md = cJSON_AddObjectToObject(ep, "metadata");
    cJSON_AddStringToObject(md, "name", svc);
    cJSON_AddStringToObject(md, "namespace", ns);
    const cJSON *smd = get(s, "metadata");
    if (gets(smd, "creationTimestamp") != NULL)
        cJSON_AddStringToObject(md, "creationTimestamp", gets(smd, "creationTimestamp"));
    const cJSON *sel = get(get(s, "spec"), "selector");
    cJSON *addrs = cJSON_CreateArray(), *nready = cJSON_CreateArray();
    const cJSON *tmpl_spec = NULL;
    for (int i = 0; i < d->npods; i++) {
        struct rpod *p = d->pods[i];
        const cJSON *tmpl = kj_rs_pod_template(d, p);
        if (strcmp(p->ns, ns) != 0 || p->ip == NULL || p->state != KJ_POD_OBS_RUNNING ||
            !kj_svc_selector_matches(sel, get(get(tmpl, "metadata"), "labels")))
            continue;
        tmpl_spec = get(tmpl, "spec");
        cJSON *a = cJSON_CreateObject();
        cJSON_AddStringToObject(a, "ip", p->ip);
        cJSON *ref = cJSON_AddObjectToObject(a, "targetRef");
        cJSON_AddStringToObject(ref, "kind", "Pod");
        cJSON_AddStringToObject(ref, "namespace", p->ns);
        cJSON_AddStringToObject(ref, "name", p->name);
        cJSON_AddStringToObject(ref, "uid", p->uid);
        cJSON_AddItemToArray(kj_rs_pod_ready(d, p) ? addrs : nready, a);
    }
    if (cJSON_GetArraySize(addrs) + cJSON_GetArraySize(nready) > 0) {
        cJSON *subset = cJSON_CreateObject();
        if (cJSON_GetArraySize(addrs) > 0)
            cJSON_AddItemToObject(subset, "addresses", addrs);
        else
            cJSON_Delete(addrs);
        if (cJSON_GetArraySize(nready) > 0)
            cJSON_AddItemToObject(subset, "notReadyAddresses", nready);
        else
            cJSON_Delete(nready);
        cJSON *ports = cJSON_AddArrayToObject(subset, "ports");
        const cJSON *sp;
        cJSON_ArrayForEach(sp, get(get(s, "spec"), "ports"))
        {
            char want[16];
            const cJSON *port = get(sp, "port");
            snprintf(want, sizeof want, "%d", cJSON_IsNumber(port) ? port->valueint : 0);
            cJSON *o = cJSON_CreateObject();
            if (gets(sp, "name") != NULL)
                cJSON_AddStringToObject(o, "name", gets(sp, "name"));
            cJSON_AddNumberToObject(o, "port", kj_svc_target_port(s, want, tmpl_spec));
            cJSON_AddStringToObject(o, "protocol", gets(sp, "protocol") ? gets(sp, "protocol") : "TCP");
            cJSON_AddItemToArray(ports, o);
        }
        cJSON_AddItemToArray(cJSON_AddArrayToObject(ep, "subsets"), subset);
    } else {
        cJSON_Delete(addrs);
        cJSON_Delete(nready);
    }
    return ep;
}

/* ---- Pod views ---- */

static cJSON *labels_copy(const cJSON *tmpl)
{
    cJSON *l = cJSON_Duplicate(get(get(tmpl, "metadata"), "labels"), 1);
    return l != NULL ? l : cJSON_CreateObject();
}

static cJSON *pod_view(struct kj_rs_driver *d, struct rpod *p)
{
    const cJSON *rs = kj_rs_owner(d, p);
    const cJSON *tmpl = get(get(rs, "spec"), "template");
    char ts[KJ_RFC3339_BUFSZ];
    cJSON *pod = cJSON_CreateObject();
    cJSON_AddStringToObject(pod, "kind", "Pod");
    cJSON_AddStringToObject(pod, "apiVersion", "v1");
    cJSON *md = cJSON_AddObjectToObject(pod, "metadata");
    cJSON_AddStringToObject(md, "name", p->name);
    cJSON_AddStringToObject(md, "namespace", p->ns);
    cJSON_AddStringToObject(md, "uid", p->uid);
    kj_rfc3339_format(p->created_at, ts, sizeof ts);
    cJSON_AddStringToObject(md, "creationTimestamp", ts);
    if (p->delete_at != 0) {
        kj_rfc3339_format(p->delete_at, ts, sizeof ts);
        cJSON_AddStringToObject(md, "deletionTimestamp", ts);
        cJSON_AddNumberToObject(md, "deletionGracePeriodSeconds", p->delete_grace);
    }
    cJSON_AddItemToObject(md, "labels", labels_copy(tmpl));
    cJSON *ref = cJSON_CreateObject();
    cJSON_AddStringToObject(ref, "apiVersion", "apps/v1");
    cJSON_AddStringToObject(ref, "kind", "ReplicaSet");
    cJSON_AddStringToObject(ref, "name", p->owner_name);
    cJSON_AddStringToObject(ref, "uid", p->owner_uid);
    cJSON_AddBoolToObject(ref, "controller", true);
    cJSON_AddBoolToObject(ref, "blockOwnerDeletion", true);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(md, "ownerReferences"), ref);
    cJSON *spec = cJSON_Duplicate(get(tmpl, "spec"), 1);
    cJSON_AddItemToObject(pod, "spec", spec != NULL ? spec : cJSON_CreateObject());
    cJSON *st = cJSON_AddObjectToObject(pod, "status");
    bool running = p->state == KJ_POD_OBS_RUNNING;
    bool ready = kj_rs_pod_ready(d, p);
    bool crashed = p->state == KJ_POD_OBS_EXITED;
    cJSON_AddStringToObject(st, "phase", running || crashed ? "Running" : "Pending");
    if (p->ip != NULL && running) {
        cJSON_AddStringToObject(st, "podIP", p->ip);
        cJSON *ips = cJSON_AddArrayToObject(st, "podIPs");
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "ip", p->ip);
        cJSON_AddItemToArray(ips, o);
    }
    cJSON *conds = cJSON_AddArrayToObject(st, "conditions");
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "type", "Ready");
    cJSON_AddStringToObject(c, "status", ready ? "True" : "False");
    cJSON_AddItemToArray(conds, c);
    const cJSON *c0 = cJSON_GetArrayItem(get(get(tmpl, "spec"), "containers"), 0);
    cJSON *cs = cJSON_CreateObject();
    cJSON_AddStringToObject(cs, "name", gets(c0, "name") != NULL ? gets(c0, "name") : "main");
    cJSON_AddStringToObject(cs, "image", gets(c0, "image") != NULL ? gets(c0, "image") : "");
    cJSON_AddBoolToObject(cs, "ready", ready);
    /* The kubelet's count: restarts done, so one less while the container
     * waits for its next start (p->restarts counts exits). */
    cJSON_AddNumberToObject(cs, "restartCount", p->restarts - (crashed && p->restarts > 0));
    cJSON_AddBoolToObject(cs, "started", running);
    cJSON *state = cJSON_AddObjectToObject(cs, "state");
    if (running) {
        kj_rfc3339_format(p->started_at, ts, sizeof ts);
        cJSON_AddStringToObject(cJSON_AddObjectToObject(state, "running"), "startedAt", ts);
    } else {
        cJSON_AddStringToObject(cJSON_AddObjectToObject(state, "waiting"), "reason",
                                crashed ? "CrashLoopBackOff" : "ContainerCreating");
    }
    if (p->cid != NULL) {
        cleanup_free char *id = xasprintf("docker://%s", p->cid);
        cJSON_AddStringToObject(cs, "containerID", id);
    }
    cJSON_AddItemToArray(cJSON_AddArrayToObject(st, "containerStatuses"), cs);
    return pod;
}

void kj_rs_driver_pods(struct kj_rs_driver *d, const char *ns, cJSON *items)
{
    for (int i = 0; i < d->npods; i++) {
        struct rpod *p = d->pods[i];
        if ((ns == NULL || strcmp(p->ns, ns) == 0) && kj_rs_owner(d, p) != NULL)
            cJSON_AddItemToArray(items, pod_view(d, p));
    }
}

cJSON *kj_rs_driver_pod(struct kj_rs_driver *d, const char *ns, const char *name)
{
    struct rpod *p = kj_rs_pod_find(d, ns, name);
    return p != NULL && kj_rs_owner(d, p) != NULL ? pod_view(d, p) : NULL;
}
