/* Private to pod_group*.c: the state of pod groups. */
#ifndef KJ_CONTROLLER_POD_GROUP_INTERNAL_H
#define KJ_CONTROLLER_POD_GROUP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "controller/pod_group.h"

#define INFRA_NAME "POD"

struct pg_member {
    char *cname;  /* owned: name in the spec, INFRA_NAME for the infra */
    char *docker; /* owned: container name */
    enum kj_member_role role;
    bool created, busy;
    enum kj_pod_obs_state state;
    char *cid, *wreason, *wmsg, *ip; /* owned or NULL */
    int exit_code;
    bool oom;
    int64_t created_at, started_at, finished_at;
    int restarts, last_exit;
    int64_t last_finished;
};

struct pg_pod {
    struct kj_pod_group *g;
    struct pg_pod *next;
    char *name, *ns, *uid, *job_uid, *job_name; /* owned */
    int index;
    cJSON *spec;                /* owned pod spec, NULL until known */
    cJSON *labels, *annotations; /* owned, may be NULL (rebuilt pods) */
    char *hostname;             /* owned, may be NULL */
    char **extra_env;           /* owned, NULL-terminated, may be NULL */
    struct pg_member *m;        /* owned; [0] = infra */
    int n;
    kj_runtime_done_cb create_done; /* owed to the controller, or NULL */
    void *create_arg;
    bool stopping, removing, sidecars_stopped;
    int stop_grace; /* seconds the pod's stop asked for (pod_stop), -1 = none */
    /* Created here, or found in the engine with an owner that lives in this
     * kjobd's store: only then does the wrapper act on the pod by itself
     * (other kjobds on the same engine run their own pods). */
    bool owned;
};

struct kj_pod_group {
    struct event_base *base;
    struct kj_runtime inner;
    char *infra_image;
    kj_runtime_obs_cb obs_cb;
    void *obs_arg;
    kj_pod_group_owner_fn owner_fn;
    void *owner_arg;
    struct pg_pod *pods;
};

/* ---- pod_group_pods.c ---- */
void pg_set_str(char **dst, const char *src);
const cJSON *pg_get(const cJSON *o, const char *k);
bool pg_policy_is(const cJSON *spec, const char *policy);
/* Members from the spec (copied), in the order of pod_group.h. */
void pg_set_spec(struct pg_pod *p, const cJSON *spec);
struct pg_pod *pg_pod_find(struct kj_pod_group *g, const char *ns, const char *name);
struct pg_pod *pg_pod_new(struct kj_pod_group *g, const struct kj_pod_obs *id, const char *name);
void pg_pod_free(struct pg_pod *p);
struct pg_member *pg_member_find(struct pg_pod *p, const char *docker);
void pg_aggregate(const struct pg_pod *p, struct kj_group_agg *agg);
const char *pg_role_name(enum kj_member_role r);
/* The pod's observation; *containers (owned by the caller) backs
 * o->containers. */
void pg_pod_obs(const struct pg_pod *p, struct kj_pod_obs *o, cJSON **containers);
/* Deliver the pod's observation to the group's observer. */
void pg_emit(struct pg_pod *p);
/* The one-container template of a member (new object). */
cJSON *pg_member_template(const struct pg_pod *p, const struct pg_member *m);
/* "<pod>_<volume>" of the pod's emptyDir volumes, NULL-terminated (those
 * on the host, kj_pod_empty_dir_on_host, have no Docker volume: removing
 * the name is a harmless 404). */
char **pg_volume_names(const struct pg_pod *p);
void pg_strv_free(char **v);
bool pg_parse_member(const char *label, enum kj_member_role *role);
/* Record an inner observation of a member; the pod, or NULL if it is not
 * a group member (or of a group this wrapper cannot rebuild). */
struct pg_pod *pg_note(struct kj_pod_group *g, const struct kj_pod_obs *o);
bool pg_all_gone(const struct pg_pod *p);

#endif
