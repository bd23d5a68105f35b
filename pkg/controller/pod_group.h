/* Pods of several containers on a runtime whose pods are one container each.
 *
 * A pod with init containers, sidecars (init containers with restartPolicy
 * Always) or more than one container becomes a group of containers:
 *   <pod>          the infra container (kjobd's --infra-image, `sleep`): it
 *                  owns the pod's network namespace, IP, hostname and DNS
 *                  aliases, like Kubernetes' pause container;
 *   <pod>_<name>   one per init container, sidecar and container, joined to
 *                  the infra's network namespace (so `localhost` is shared);
 *                  emptyDir volumes are named Docker volumes <pod>_<volume>
 *                  mounted by every member that names them.
 * The wrapper runs init containers one at a time in order (a sidecar counts
 * as done once started, and keeps running), then every container at once;
 * once all containers have exited it stops the sidecars. Its observer sees
 * one aggregated observation per pod (kj_pod_group_aggregate), with the
 * members in kj_pod_obs.containers. Pods of one container pass through
 * untouched. The controller drives a group exactly like a one-container pod:
 * pod_restart (restartPolicy OnFailure) restarts the failed init container,
 * or the failed containers and any stopped sidecar, leaving running ones.
 *
 * Under restartPolicy OnFailure a failed container restarts in place
 * while the others go on, as the kubelet does; the back-off before it is
 * the controller's, per pod (the kubelet's is per container: two
 * containers failing together restart together here). Restart counts per
 * member live in kjobd's memory (the pod's total is in the ledger).
 */
#ifndef KJ_CONTROLLER_POD_GROUP_H
#define KJ_CONTROLLER_POD_GROUP_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "controller/runtime.h"
#include "util/error.h"

struct event_base;
struct kj_pod_group;

/* Whether the Job or ReplicaSet of uid `owner_uid` lives in this kjobd. */
typedef bool (*kj_pod_group_owner_fn)(void *arg, const char *owner_uid);

/* Wrap `inner` (borrowed). `infra_image` (copied) runs the infra
 * containers; it must exist locally or be pullable. `base` delivers
 * completions that are due at once. Never NULL (abort on OOM). */
struct kj_pod_group *kj_pod_group_new(struct event_base *base, struct kj_runtime inner,
                                      const char *infra_image);
/* Pods found in the engine but not created by this wrapper (a restarted
 * kjobd, or another kjobd on the same engine) are carried on by the
 * wrapper only when `fn` says their owner lives here; without `fn`, all
 * are. The controller acting on a pod adopts it either way. */
void kj_pod_group_set_owner_check(struct kj_pod_group *g, kj_pod_group_owner_fn fn, void *arg);

/* Free after the inner runtime: its last completions pass through here.
 * Owed completions are delivered with ECANCELED first (see runtime.h). */
void kj_pod_group_free(struct kj_pod_group *g);
/* The wrapping runtime; borrows g. */
struct kj_runtime kj_pod_group_runtime(struct kj_pod_group *g);

/* True when a pod spec (core/v1 PodSpec JSON) needs a group. */
bool kj_pod_spec_grouped(const cJSON *pod_spec);

/* The Docker container of container `container` (NULL = the default: the
 * first regular container) of pod `pod` with spec `pod_spec`. Returns an
 * owned name, or NULL with *err (status 400, Kubernetes' text) when the pod
 * has no such container. */
char *kj_pod_container_ref(const cJSON *pod_spec, const char *pod, const char *container,
                           kj_error_t *err);

/* ---- the phase computation (pure; pod_group_agg.c) ---- */

enum kj_member_role { KJ_MEMBER_INFRA, KJ_MEMBER_INIT, KJ_MEMBER_SIDECAR, KJ_MEMBER_MAIN };

/* What is known of one member. `created` is false until its create has
 * been issued. Strings borrowed. */
struct kj_member_view {
    const char *name; /* container name in the pod spec ("POD" for infra) */
    enum kj_member_role role;
    bool created;
    enum kj_pod_obs_state state;
    int exit_code;
    bool oom_killed;
    int64_t created_at, started_at, finished_at;
    const char *waiting_reason, *waiting_message;
};

/* The pod as a whole and what to do next. */
struct kj_group_agg {
    enum kj_pod_obs_state state; /* as struct kj_pod_obs.state */
    int exit_code;               /* EXITED: the first failed member's code, else 0 */
    bool oom_killed;
    int64_t started_at, finished_at;
    const char *waiting_reason, *waiting_message; /* WAITING: borrowed from a member */
    int next;          /* member to create now (an init container, or the
                          first uncreated container), -1 = none */
    bool create_mains; /* all init containers are done: create every container */
    bool stop_sidecars; /* all containers have exited */
    int failed_init;    /* EXITED by this init member's failure, else -1 */
};

/* Members in order: [0] infra, then the spec's initContainers (role INIT or
 * SIDECAR) in order, then its containers (MAIN). Kubernetes' rules: the pod
 * is pending until the infra runs and each init container has exited 0 (a
 * sidecar: started) in turn; an init container that fails ends the pod
 * (EXITED with its code); then the pod is RUNNING while any container runs
 * and EXITED once all containers have exited (success only if every one
 * exited 0); a member removed before it exited makes the pod REMOVED.
 * `on_failure` (restartPolicy OnFailure): a container that failed makes
 * the pod EXITED at once, other containers running or not, with
 * finished_at the latest failure's (the exit the controller counts and
 * restarts); stop_sidecars only once all containers have exited. */
void kj_pod_group_aggregate(const struct kj_member_view *m, int n, bool on_failure,
                            struct kj_group_agg *out);

#endif
