/* Private to runtime_docker*.c: the runtime's state, its pod cache and the
 * bookkeeping of requests in flight. */
#ifndef KJ_CONTROLLER_RUNTIME_DOCKER_INTERNAL_H
#define KJ_CONTROLLER_RUNTIME_DOCKER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h> /* LIST_* */

#include "controller/runtime_docker.h"
#include "controller/runtime_docker_map.h"
#include "docker/docker.h"

struct create_op;

/* What the runtime last knew of one pod container (keyed by pod name). */
struct rd_pod {
    LIST_ENTRY(rd_pod) link;
    char *name, *ns, *pod_uid, *job_uid, *job_name; /* owned */
    char *member, *group_spec; /* owned or NULL: pod group labels */
    int index;
    char *container_id; /* owned, NULL before create */
    enum kj_pod_obs_state state;
    char *waiting_reason, *waiting_message, *error, *pod_ip; /* owned or NULL */
    int exit_code;
    bool oom_killed;
    int64_t created_at, started_at, finished_at;
    struct create_op *create; /* pending create, or NULL */
    bool stopping;            /* kjob asked for a stop/remove: exits are real */
    uint64_t id_stamp;        /* rd->stamp when container_id was last set */
    int engine_restarts;      /* restarts after engine outages (bounded) */
    bool engine_restarting;   /* such a restart is in flight */
    /* An unrequested SIGTERM/SIGKILL exit waiting to be told (see
     * held_exit in runtime_docker_watch.c): its finished_at, and the timer. */
    struct kj_runtime_docker *rd;
    int64_t hold_finished;
    struct event *hold_ev; /* owned, or NULL */
    /* A clean exit told from its die event (note_clean_exit in
     * runtime_docker_watch.c): the event's time, which stays the exit's
     * finished_at when inspects later report the engine's FinishedAt. */
    int64_t clean_exit_at;
};
LIST_HEAD(rd_pod_list, rd_pod);

/* One request in flight, so that free() can cancel it. */
struct rd_req {
    LIST_ENTRY(rd_req) link;
    struct kj_runtime_docker *rd;
    kj_docker_req_t *h; /* NULL once its callback ran */
    void (*on_cancel)(struct rd_req *r); /* optional */
    void *data;
};
LIST_HEAD(rd_req_list, rd_req);

struct kj_runtime_docker {
    struct event_base *base;
    struct kj_docker *d;
    char *network; /* owned */
    bool network_internal, offline, pull_strict;
    int64_t resync_period_ms, pull_backoff_max_ms;

    kj_runtime_obs_cb obs_cb;
    void *obs_arg;
    kj_runtime_docker_event_cb event_cb;
    void *event_arg;
    void (*change_cb)(void *arg);
    void *change_arg;
    kj_config_lookup_fn config_lookup; /* ConfigMaps/Secrets for env; may be NULL */
    char *pods_dir; /* owned "<state_dir>/pods", or NULL */
    void *config_arg;

    struct rd_pod_list pods;
    struct rd_req_list reqs;
    struct create_op *creates; /* singly linked list of pending creates */

    kj_docker_req_t *events; /* the stream */
    bool events_up, network_ok, network_busy, list_ok;
    struct event *tick; /* resync timer */
    struct resync *resync; /* running resync or NULL */
    /* The last engine outage, Unix ns (0 = none yet): containers that died
     * in it were killed by the engine going away, not by their own fault. */
    int64_t outage_from, outage_to;
    /* Bumped whenever a pod's container id is set: a resync may only
     * declare gone the containers it could have listed (known before it
     * started), never one created while it was running. */
    uint64_t stamp;
    bool shutting_down; /* in kj_runtime_docker_free: cancels deliver errors */
    int64_t last_resync_ns; /* when the last listing was requested */
    /* The engine host's CPUs and memory (GET /info, asked once the events
     * stream is up): what resourceFieldRef gives a container without limits. */
    struct kj_node_alloc node;
    bool node_asked;
};

/* The error handed to completions still pending at free (borrowed). */
kj_error_t rd_shutdown_error(void);

/* ---- pod cache (runtime_docker_watch.c) ---- */
struct rd_pod *rd_pod_find(struct kj_runtime_docker *rd, const char *name);
/* Find or create the entry of an observed/identified pod. */
struct rd_pod *rd_pod_upsert(struct kj_runtime_docker *rd, const struct kj_pod_obs *id);
/* Copy an observation into the cache entry (state, times, ...). */
void rd_pod_update(struct kj_runtime_docker *rd, struct rd_pod *p, const struct kj_pod_obs *obs);
/* Set (copy) the pod's container id, stamping it when it changes. */
void rd_pod_set_container(struct kj_runtime_docker *rd, struct rd_pod *p, const char *id);
void rd_pod_set_waiting(struct rd_pod *p, const char *reason, const char *message);
void rd_pod_drop(struct kj_runtime_docker *rd, struct rd_pod *p);
/* Deliver the entry's current state to the observer. */
void rd_pod_emit(struct kj_runtime_docker *rd, struct rd_pod *p);
void rd_pod_obs_fill(const struct rd_pod *p, struct kj_pod_obs *obs);

/* ---- request tracking ---- */
struct rd_req *rd_req_new(struct kj_runtime_docker *rd, void *data);
/* The request's callback ran: unlink and free the tracker. */
void rd_req_done(struct rd_req *r);
/* "<pods_dir>/<ns>.<pod>.empty": the host directories of the pod's
 * emptyDir volumes that are mounted with a subPath (a group member's name
 * "<pod>_<container>" gives its pod's). Owned; NULL without a state dir. */
char *rd_empty_dir_base(const struct kj_runtime_docker *rd, const char *ns, const char *name);

/* on_cancel for requests whose data is one malloc'd block. */
void rd_free_data_cb(struct rd_req *r);

/* Inspect a container and deliver what is found (used on events). */
void rd_inspect_and_emit(struct kj_runtime_docker *rd, const char *id);

/* Mark a pod as being stopped/removed by kjob (its exit is then real). */
void rd_pod_mark_stopping(struct kj_runtime_docker *rd, const char *pod_name);

/* runtime_docker_host.c: make sure the kjob network exists (inspect, then
 * create; a 409 from a racing create counts as done), and ask the engine
 * for its host's CPUs and memory, which may not be kjobd's host
 * (DOCKER_HOST=tcp://): a limit not set in a resourceFieldRef reads them.
 * Each is a no-op while known or in flight. */
void rd_ensure_network(struct kj_runtime_docker *rd);
void rd_ensure_node_info(struct kj_runtime_docker *rd);
/* The node's capacity as this host's, until the engine tells its own. */
void rd_node_from_this_host(struct kj_runtime_docker *rd);

/* Start a full resync; `cb` (may be NULL) receives the final listing, later
 * from the loop. Returns -1 with *err (and no callback) if the listing
 * cannot be requested at all. */
int rd_resync(struct kj_runtime_docker *rd, kj_runtime_list_cb cb, void *arg, kj_error_t *err);

/* Cancel the pending create of a pod (its done callback gets an error). */
void rd_create_cancel(struct kj_runtime_docker *rd, struct rd_pod *p, const char *why);
void rd_creates_free_all(struct kj_runtime_docker *rd);

/* ---- the one-call ops (runtime_docker_simple.c): kj_runtime_ops ---- */
int rd_pod_restart(void *impl, const struct kj_runtime_pod_ref *pod, kj_runtime_done_cb done,
                   void *arg, kj_error_t *err);
int rd_pod_stop(void *impl, const struct kj_runtime_pod_ref *pod, int grace_seconds,
                kj_runtime_done_cb done, void *arg, kj_error_t *err);
int rd_pod_remove(void *impl, const struct kj_runtime_pod_ref *pod, kj_runtime_done_cb done,
                  void *arg, kj_error_t *err);

#endif
