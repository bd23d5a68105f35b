/* The controller's runtime (runtime.h) on the Docker engine (pkg/docker).
 *
 *   struct kj_runtime_docker *rd = kj_runtime_docker_new(base, docker, &opts, &err);
 *   struct kj_runtime rt = kj_runtime_docker_runtime(rd);   // give to the driver
 *   kj_runtime_docker_start(rd);        // network, events stream, periodic resync
 *   ...
 *   kj_runtime_docker_free(rd);         // before kj_docker_free()
 *
 * Observations come from the engine's events stream (start/die/oom/destroy of
 * containers labelled io.kjob.managed=true, each followed by an inspect) and
 * from a full listing at every (re)connection of that stream and every
 * resync period; a kjob container that disappeared while the stream was down
 * is reported REMOVED. Engine outages are never pod failures: operations fail
 * with a transport error (status 0) and the runtime reports not-ready until
 * the stream is back.
 *
 * Images: policy Always pulls first (unless offline); if the pull fails and
 * the image exists locally, the local image is used and a Warning event is
 * reported (pull_strict = false, the default), else the pod waits in
 * ErrImagePull / ImagePullBackOff with the engine's message, retrying with a
 * doubling delay. IfNotPresent pulls only a missing image; Never never pulls
 * (ErrImageNeverPull). Offline mode never pulls at all.
 */
#ifndef KJ_CONTROLLER_RUNTIME_DOCKER_H
#define KJ_CONTROLLER_RUNTIME_DOCKER_H

#include <stdbool.h> /* bool */
#include <stdint.h>  /* int64_t */

#include "controller/runtime.h" /* kj_runtime */
#include "controller/runtime_docker_map.h" /* kj_config_lookup_fn */
#include "util/error.h"         /* kj_error_t */

struct event_base;
struct kj_docker;

struct kj_runtime_docker_opts {
    const char *network; /* pods' network; created (with io.kjob.managed) if missing */
    bool network_internal;
    bool offline;
    bool pull_strict;          /* a failed pull is an error even with a local image */
    int64_t resync_period_ms;  /* 0 = 10 s */
    int64_t pull_backoff_max_ms; /* ImagePullBackOff cap; 0 = 5 min */
    /* configMap/secret volume files live in <state_dir>/pods/<ns>.<pod>,
     * removed with the pod's container; NULL = such volumes not mounted. */
    const char *state_dir;
};

/* Something worth a Kubernetes Event on a pod (e.g. a pull that fell back to
 * the local image). Strings borrowed for the call. */
typedef void (*kj_runtime_docker_event_cb)(void *arg, const char *ns, const char *pod_name,
                                           const char *pod_uid, const char *type,
                                           const char *reason, const char *message);

struct kj_runtime_docker;

/* `base` and `docker` are borrowed and must outlive the runtime; `opts` is
 * copied. Does not contact the engine. NULL with *err on failure. */
struct kj_runtime_docker *kj_runtime_docker_new(struct event_base *base, struct kj_docker *docker,
                                                const struct kj_runtime_docker_opts *opts,
                                                kj_error_t *err);

/* Start background work: ensure the network, open the events stream, arm
 * the resync timer. Never fails because the engine is down (it retries). */
int kj_runtime_docker_start(struct kj_runtime_docker *rd, kj_error_t *err);

/* The vtable view handed to the controller driver (borrowing rd). */
struct kj_runtime kj_runtime_docker_runtime(struct kj_runtime_docker *rd);

/* Optional sink for pod events (replaces any previous one). */
void kj_runtime_docker_set_event_sink(struct kj_runtime_docker *rd, kj_runtime_docker_event_cb cb,
                                      void *arg);

/* Optional hook called after every pod observation the runtime emits
 * (state, waiting reason, exit), with no details: pod views may have
 * changed. Replaces any previous one; `arg` borrowed. */
void kj_runtime_docker_set_change_hook(struct kj_runtime_docker *rd, void (*cb)(void *arg),
                                       void *arg);

/* Where pod env from ConfigMaps/Secrets is read (replaces any previous
 * one; `arg` borrowed). Without it such env is left out. A missing
 * non-optional reference keeps the pod waiting{CreateContainerConfigError}
 * with one Warning event, retried with back-off (1 s .. 8 s). */
void kj_runtime_docker_set_config_lookup(struct kj_runtime_docker *rd, kj_config_lookup_fn fn, void *arg);

/* True once the network exists and the events stream is connected. `why`
 * (static text) says what is missing otherwise. */
bool kj_runtime_docker_ready(const struct kj_runtime_docker *rd, const char **why);

/* Cancel every engine request and free. Completions still owed (pod ops,
 * pod_list) are delivered first, with an ECANCELED error, so that callers
 * that detached their contexts (the driver, freed before) can release them;
 * no observation is delivered any more. NULL ok. */
void kj_runtime_docker_free(struct kj_runtime_docker *rd);

#endif
