/* Pure mappings between kjob pods and Docker containers, used by the Docker
 * runtime (runtime_docker.c) and unit-tested from recorded fixtures
 * (tests/unit/test_runtime_docker.c):
 *   pod request (core/v1 PodTemplateSpec JSON + identity) → container spec;
 *   container inspect state → struct kj_pod_obs.
 * Mapping (DESIGN.md): container named after the pod, on the kjob network with
 * the pod name as alias, hostname from the request, command/args →
 * Entrypoint/Cmd, env (+ extra env unless the template defines the name),
 * workingDir, resources.limits memory → Memory (MemorySwap equal) and cpu →
 * NanoCpus, pod labels verbatim + annotations under
 * KJ_LABEL_ANNOTATION_PREFIX + the io.kjob.* identity labels, Init: true,
 * restart policy "no" (set by pkg/docker).
 */
#ifndef KJ_CONTROLLER_RUNTIME_DOCKER_MAP_H
#define KJ_CONTROLLER_RUNTIME_DOCKER_MAP_H

#include <stddef.h> /* size_t */

#include "controller/runtime.h" /* kj_runtime_pod_req, kj_pod_obs */
#include "docker/docker.h"      /* kj_container_spec, kj_container_state */
#include "util/error.h"         /* kj_error_t */

/* Label on every kjob container and on the network kjobd creates; the events
 * stream and listings filter on it. kjobd never touches a container without
 * it (and without KJ_LABEL_OWNER_UID). */
#define KJ_LABEL_MANAGED "io.kjob.managed"

/* A container spec plus the storage its pointers refer to. */
struct kj_pod_container_spec {
    struct kj_container_spec spec; /* pointers into the fields below */
    char **strings;                /* owned: every string the spec points at */
    size_t n_strings, cap_strings;
    const char **entrypoint; /* owned arrays (elements in `strings`) */
    const char **cmd;
    const char **env;
    const char **aliases;
    struct kj_docker_kv *labels; /* owned array */
    char *pull_policy;           /* owned: effective imagePullPolicy */
};

/* Build the container spec for `req` on `network` (NULL = engine default).
 * Fails (HTTP 422-ish status 0, message for a CreateContainerConfigError)
 * when the template has no container or image, or a resource limit does not
 * parse. On success the caller owns *out (kj_pod_container_spec_clear). */
int kj_pod_container_spec_build(const struct kj_runtime_pod_req *req, const char *network,
                                struct kj_pod_container_spec *out, kj_error_t *err);

void kj_pod_container_spec_clear(struct kj_pod_container_spec *s);

/* Fill *obs from an inspected container. Strings are borrowed from `st` (and
 * its labels). `network` names the network whose IP is reported (NULL = the
 * first one). Returns 0, or -1 when the container is not kjob's (no
 * KJ_LABEL_OWNER_UID / pod name labels): then *obs is unspecified.
 * A container whose command could not be started (state "created", exit
 * code 126/127 and State.Error) is reported EXITED with that code and
 * finished_at = created_at, so that the failure is counted once; a start that
 * failed for the engine's reasons (exit code 128) stays CREATED. */
int kj_pod_obs_from_state(const struct kj_container_state *st, const char *network,
                          struct kj_pod_obs *obs);

/* Identity fields of *obs from a container's labels (a cJSON object of
 * strings: Config.Labels or an event's Actor.Attributes). Returns -1 if the
 * labels are not kjob's. Other fields are left as they were. */
int kj_pod_obs_identity_from_labels(const cJSON *labels, struct kj_pod_obs *obs);

#endif
