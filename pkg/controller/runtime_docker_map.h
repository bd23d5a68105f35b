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
 * restart policy "no" (set by pkg/docker), volumeMounts of emptyDir volumes →
 * anonymous Docker volumes labelled like the container (removed with it) or,
 * for medium Memory, tmpfs mounts of sizeLimit bytes; hostPath volumes →
 * bind mounts (the API server refuses them unless kjobd runs with
 * --allow-host-path); readOnly kept. Other
 * volume sources are not mounted (yet).
 */
#ifndef KJ_CONTROLLER_RUNTIME_DOCKER_MAP_H
#define KJ_CONTROLLER_RUNTIME_DOCKER_MAP_H

#include <stdbool.h> /* bool */
#include <stddef.h>  /* size_t */
#include <stdint.h>  /* int64_t */

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
    struct kj_docker_mount *mounts; /* owned array: emptyDir volumes */
};

/* What the engine's host offers (GET /info: NCPU, MemTotal); 0 = unknown. */
struct kj_node_alloc {
    int64_t cpu_milli;
    int64_t memory; /* bytes */
};

/* Build the container spec for `req` on `network` (NULL = engine default);
 * `node` (may be NULL) answers resourceFieldRef env of containers without
 * limits. Fails (HTTP 422-ish status 0, message for a
 * CreateContainerConfigError) when the template has no container or image,
 * or a resource limit does not parse. On success the caller owns *out
 * (kj_pod_container_spec_clear). */
int kj_pod_container_spec_build(const struct kj_runtime_pod_req *req, const char *network,
                                const struct kj_node_alloc *node,
                                struct kj_pod_container_spec *out, kj_error_t *err);

void kj_pod_container_spec_clear(struct kj_pod_container_spec *s);

/* Put `vars` ("NAME=value", NULL-terminated; the array and its strings are
 * taken over, may be NULL) before the spec's env. The engine keeps the last
 * of repeated names, so the template's own env still wins over these. */
void kj_pod_container_spec_prepend_env(struct kj_pod_container_spec *s, char **vars);

/* Reads a stored object: resource is "configmaps" or "secrets". Returns a
 * borrowed object or NULL when absent. */
typedef const cJSON *(*kj_config_lookup_fn)(void *arg, const char *resource, const char *ns,
                                            const char *name);

/* Resolve the store-backed env of container `c` (template JSON) in `ns`:
 * envFrom (configMapRef/secretRef, prefix) first, then env[].valueFrom
 * configMapKeyRef/secretKeyRef (kj_pod_container_spec_build skips those).
 * Secret values are base64-decoded. Returns 0 with *out a NULL-terminated
 * array of owned "NAME=value" strings (NULL when there is nothing), or 1
 * when a non-optional reference is missing, with *why (owned) Kubernetes'
 * CreateContainerConfigError message, e.g. `configmap "x" not found`;
 * *why never contains a value. Optional references that are missing are
 * skipped. */
int kj_pod_env_refs_resolve(const cJSON *c, const char *ns, kj_config_lookup_fn lookup, void *arg,
                            char ***out, char **why);

/* Materialise the configMap/secret/downwardAPI volumes that container `c` mounts
 * (pod_spec: the template's spec) as files under `dir` (created afresh;
 * one subdirectory per volume; items/defaultMode/mode/optional as in
 * Kubernetes; Secret values decoded) and append read-only bind mounts to
 * `s` (subPath binds that file or directory). Returns 0; 1 when a
 * non-optional ConfigMap/Secret or item key is missing, with *why (owned,
 * never a value); -1 with *err on an I/O failure.
 * emptyDir volumes that kj_pod_empty_dir_on_host puts on the host are
 * directories `empty_dir_base`/<volume> (kept across attempts and shared by
 * the pod's containers; subPath directories created as the kubelet does);
 * NULL empty_dir_base: refused with *why. */
int kj_pod_config_volumes_write(const cJSON *pod_spec, const cJSON *c, const char *ns, const char *dir,
                                const char *empty_dir_base, kj_config_lookup_fn lookup, void *arg,
                                const cJSON *pod_meta, const struct kj_node_alloc *node,
                                struct kj_pod_container_spec *s, char **why, kj_error_t *err);

/* The downward API. `meta` is {name, namespace, uid, labels, annotations}
 * of the pod (may be NULL: empty values).
 * kj_pod_field_value: the value of a fieldRef path (metadata.name,
 * .namespace, .uid, .labels, .annotations as the kubelet formats them:
 * sorted `k="v"` lines, and labels['k'] / annotations['k']); owned, or NULL
 * for a path kjob does not know.
 * kj_pod_downward_source: a downwardAPI volume as a ConfigMap-shaped
 * object (*obj, {"data": {path: value}}) and its items (*src), both new and
 * owned by the caller, for the configMap writer; returns how many items it
 * skipped (unknown paths, resourceFieldRefs without a value). */
char *kj_pod_field_value(const cJSON *meta, const char *path);
int kj_pod_downward_source(const cJSON *dapi, const cJSON *meta, const cJSON *pod_spec,
                           const struct kj_node_alloc *node, cJSON **src, cJSON **obj);

/* The value of a resourceFieldRef (`ref`, a ResourceFieldSelector) as the
 * kubelet computes it: ceil(quantity / divisor) in decimal, for container
 * `ref.containerName` of `pod_spec` (containers, then initContainers), or
 * `self` when that name is empty. A limit not set is the node's allocatable
 * (`node`; may be NULL); a request not set is the limit when one is set (the
 * API's defaulting of pods), else 0. Owned, or NULL when there is no such
 * container or resource, or no value (ephemeral storage without a limit:
 * the engine does not tell a node's disk; an unknown node). */
char *kj_pod_resource_value(const cJSON *pod_spec, const cJSON *self, const cJSON *ref,
                            const struct kj_node_alloc *node);

/* Whether emptyDir volume `vname` of the pod lives in a directory of
 * kjobd's state dir (bind-mounted) rather than in a Docker volume: when some
 * container mounts it with a subPath, which Docker's API 1.41 volumes cannot
 * do. Members of a pod group see the pod's other containers under
 * initContainers of their template (pod_group.h). */
bool kj_pod_empty_dir_on_host(const cJSON *pod_spec, const char *vname);

/* rm -rf `dir` (no symlinks followed); 0 when it is gone. */
int kj_pod_dir_remove(const char *dir);

/* Take over `owned` as one of the spec's strings; returns it. */
const char *kj_pod_container_spec_keep(struct kj_pod_container_spec *s, char *owned);

/* True when container `c` has env that kj_pod_env_refs_resolve must fill. */
bool kj_pod_env_has_refs(const cJSON *c);

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

/* The finished_at to report for an exit seen by inspecting a container
 * whose clean exit was already told, at `told_at` (Unix ns; 0 = never),
 * from its `die` event. The engine's FinishedAt is the process's exit and
 * precedes the event by the time the engine took to handle it, so a clean
 * exit inspected up to 10 s before `told_at` is that same exit and keeps
 * the told time: one exit, one identity, whichever way it was seen. Any
 * other exit (a failure, or a later run of the container) keeps
 * `inspected`. */
int64_t kj_exit_identity(int64_t inspected, int exit_code, int64_t told_at);

#endif
