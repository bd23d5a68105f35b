/* Shared state of rs_driver.c (ReplicaSets, the tee runtime) and
 * rs_service.c (aliases, endpoints, pod views). Internal to pkg/controller.
 */
#ifndef KJ_CONTROLLER_RS_DRIVER_INTERNAL_H
#define KJ_CONTROLLER_RS_DRIVER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "controller/probe_sync.h"
#include "controller/rs_driver.h"
#include "controller/runtime.h"

struct event;
struct kj_store_watch;
struct kj_svc_publisher;

/* One ReplicaSet pod as last observed. */
struct rpod {
    char *ns, *name, *uid;          /* owned */
    char *owner_uid, *owner_name;   /* owned: the ReplicaSet */
    char *cid, *ip;                 /* owned, may be NULL */
    enum kj_pod_obs_state state;
    int64_t created_at, started_at, finished_at, counted_finish;
    int restarts;
    bool busy;     /* create/remove/restart in flight */
    bool deleting; /* removal requested by the controller or a client */
    int64_t delete_at; /* a client's delete: the deletionTimestamp (ns), else 0 */
    int delete_grace;  /* its gracePeriodSeconds */
    bool seen;     /* resync mark */
    bool grouped;  /* a pod of several containers (its members start themselves) */
    bool svc_busy; /* alias change in flight */
    bool job;      /* a Job's pod (owner_* name the Job): only given Service
                    * aliases and endpoints, never managed here */
    char *aliases; /* owned: alias set applied by us ("a,b"), NULL = none applied */
    struct kj_probe_state probe; /* readinessProbe results of the current run */
    int64_t probe_epoch;         /* started_at the probe state belongs to */
    int64_t probe_next;          /* ns: next probe due */
    bool probe_busy;
};

struct rop; /* an operation in flight (rs_driver.c / rs_service.c) */

struct kj_rs_driver {
    struct event_base *base;
    struct kj_store *store;
    struct kj_docker *docker;
    char *network;
    struct kj_runtime inner;
    kj_runtime_obs_cb job_cb;
    void *job_arg;
    struct rpod **pods;
    int npods, cap;
    struct event *sync_ev, *resync_ev, *wake_ev, *probe_ev;
    struct kj_store_watch *w_rs, *w_svc;
    int64_t backoff_base, backoff_max, wake_at;
    unsigned rr;
    bool listed, listing;
    struct rop *ops; /* every op in flight, freed by kj_rs_driver_free */
    struct kj_svc_publisher *pub; /* owned: NodePort/LoadBalancer listeners */
    /* uids of ReplicaSets deleted while this daemon ran (owned strings, a
     * ring): only their pods are cascaded. Pods of uids this daemon never
     * knew may belong to another kjobd on the same engine and are never
     * touched (the Job controller's rule, runtime.h). */
    char *dead_uids[64];
    int dead_next;
};

struct rop {
    struct kj_rs_driver *d;
    struct rop *next, *prev;
    int kind;
    char *ns, *pod, *owner_uid, *owner_name, *aliases; /* owned */
    bool quiet; /* a client's delete: no SuccessfulDelete event */
    void *ext; /* owned (free()d with the op): a probe run's state */
};

struct rop *kj_rs_op_new(struct kj_rs_driver *d, int kind, const char *ns, const char *pod,
                         const char *owner_uid);
void kj_rs_op_free(struct rop *op);
struct rpod *kj_rs_pod_find(struct kj_rs_driver *d, const char *ns, const char *name);
void kj_rs_trigger(struct kj_rs_driver *d);
/* The stored ReplicaSet owning p (borrowed), or NULL (always for Job pods). */
const cJSON *kj_rs_owner(struct kj_rs_driver *d, const struct rpod *p);
/* The pod template p was made from: its ReplicaSet's or, for a Job pod,
 * its Job's (borrowed), or NULL when the owner is gone. */
const cJSON *kj_rs_pod_template(struct kj_rs_driver *d, const struct rpod *p);
/* Running and, when the template has a readinessProbe, passing it (rs_probe.c). */
bool kj_rs_pod_ready(struct kj_rs_driver *d, struct rpod *p);
/* Start the probes that are due (rs_probe.c); called every 500 ms. */
void kj_rs_probes_tick(struct kj_rs_driver *d);
/* Bring pod aliases, the loopback listeners and the Services' status in
 * line with the stored Services (rs_service.c). */
void kj_rs_services_sync(struct kj_rs_driver *d);
/* The publisher's kj_svc_pick_cb (arg = the driver): kj_rs_driver_endpoint. */
int kj_rs_publish_pick_cb(void *arg, const char *ns, const char *svc, int port, char **ip,
                          int *target_port, kj_error_t *err);
/* Kubernetes' 5-character name suffix (n chars + NUL into out). */
void kj_rs_random_suffix(char *out, size_t n);
/* A random RFC 4122 v4 uuid (owned by the caller). */
char *kj_rs_uuid_new(void);
/* Store a core/v1 Event about `obj` (a ReplicaSet or Service); fmt has one %s. */
void kj_rs_emit(struct kj_rs_driver *d, const cJSON *obj, bool warning, const char *reason,
                const char *fmt, const char *arg);

#endif
