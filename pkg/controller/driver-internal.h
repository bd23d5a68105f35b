/* Private to driver*.c. */
#ifndef KJ_CONTROLLER_DRIVER_INTERNAL_H
#define KJ_CONTROLLER_DRIVER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "controller/driver.h"

/* Observation cache entry: a copy of the latest struct kj_pod_obs. */
struct dpod {
    char *ns, *name, *uid, *job_uid, *job_name; /* owned */
    char *cid, *wreason, *wmsg, *ip;            /* owned, may be NULL */
    int index;
    enum kj_pod_obs_state state;
    int exit_code;
    bool oom;
    int64_t created, started, finished;
    uint64_t seq; /* driver-wide update counter when last written */
    cJSON *containers; /* owned copy of kj_pod_obs.containers, or NULL */
};

/* A create queued or in flight (an "expectation"). */
struct dcreate {
    char *name, *uid; /* owned */
    int index, index_failures;
    bool issued;
};

/* Event aggregation: identical repeats update the stored event. */
struct dagg {
    char *key;  /* owned: "type\nreason\nmessage" */
    char *name; /* owned: the stored Event's name */
};

struct djob {
    struct kj_job_driver *d;
    char *ns, *name, *uid; /* owned */
    struct event *ev_sync;  /* deferred (0 s) sync: coalesces triggers */
    struct event *ev_timer; /* requeue_at / TTL / retry */
    int64_t timer_at;
    struct dcreate *creates; /* owned array */
    int ncreates;
    int batch_size, batch_outstanding;
    char **busy; /* owned: "<kind>:<pod>" of restart/stop/remove in flight */
    int nbusy;
    struct dagg *agg;
    int nagg;
    bool gone; /* Job object deleted: cascade running */
    /* After failed creates (engine down ...): no creates before this time;
     * the hold doubles per consecutive failure (retry_delay .. 32×). */
    int64_t hold_creates_until;
    int create_fail_streak;
    /* After a failed restart/stop/remove (engine down), no such operation is
     * issued again before this time: the sync that follows a failure would
     * otherwise re-issue it at once, in a tight loop. */
    int64_t hold_ops_until;
};

enum dop_kind { DOP_CREATE, DOP_RESTART, DOP_STOP, DOP_REMOVE };

/* Context of one runtime operation. Detached (d == NULL) when the driver is
 * freed first; then the completion only frees it. */
struct dop {
    struct kj_job_driver *d;
    enum dop_kind kind;
    char *ns, *job_name, *job_uid, *pod; /* owned */
    bool quiet; /* no SuccessfulDelete event (a client's delete) */
    struct dop *prev, *next;
};

/* Context of the pod_list in flight, detached like struct dop. */
struct dlist {
    struct kj_job_driver *d;
};

struct kj_job_driver {
    struct event_base *base;
    struct kj_store *store;
    struct kj_runtime rt;
    struct kj_job_driver_config cfg;
    struct kj_store_watch *watch;
    struct dpod **pods; /* owned */
    int npods, cap_pods;
    struct djob **jobs; /* owned */
    int njobs, cap_jobs;
    struct dop *ops; /* outstanding operations */
    bool listed;
    struct dlist *list_inflight; /* NULL when no list is in flight */
    uint64_t seq, list_seq;
    uint64_t last_write_rv;
    struct event *ev_resync;
    struct event *ev_list_retry; /* one-shot: a list failed or was refused */
};

int64_t kj_drv_now(struct kj_job_driver *d);
struct djob *kj_drv_job_find(struct kj_job_driver *d, const char *ns, const char *name);
struct djob *kj_drv_job_get(struct kj_job_driver *d, const char *ns, const char *name,
                            const char *uid);
void kj_drv_job_drop(struct djob *j);
void kj_drv_trigger(struct djob *j);
void kj_drv_arm(struct djob *j, int64_t at);
struct dpod *kj_drv_pod_find(struct kj_job_driver *d, const char *ns, const char *name);
void kj_drv_pod_put(struct kj_job_driver *d, const struct kj_pod_obs *o);
void kj_drv_pod_fill_obs(const struct dpod *p, struct kj_pod_obs *o);
struct dop *kj_drv_op_new(struct kj_job_driver *d, struct djob *j, enum dop_kind k,
                          const char *pod);
void kj_drv_op_free(struct dop *op);

/* driver_sync.c */
void kj_drv_sync(struct djob *j);

#endif
