/* The ReplicaSet and Service controllers: keep `replicas` pods of every
 * stored apps/v1 ReplicaSet running (restartPolicy Always: exited containers
 * restart in place after a CrashLoopBackOff-style backoff), write its status,
 * record events (component replicaset-controller), and give every running
 * pod the names of the Services selecting it as network aliases on the kjob
 * network (a Service is a DNS name there, DESIGN.md). NodePort and
 * LoadBalancer Services are also published on the host's 127.0.0.1 by a
 * userspace proxy inside the daemon (svc_publish.h), closed when the driver
 * is freed.
 *
 *   struct kj_rs_driver *rs = kj_rs_driver_new(base, store, docker, network, rt, &err);
 *   struct kj_runtime tee = kj_rs_driver_runtime(rs); // give THIS to the Job driver
 *   kj_rs_driver_start(rs, &err);
 *   ...
 *   kj_rs_driver_free(rs);  // after kj_docker_free(): no callback can come back
 *
 * The runtime has one observer; the driver interposes itself (a "tee"
 * runtime forwarding every op to the real one) so that both controllers see
 * every observation. ReplicaSet pods carry the usual io.kjob.* labels with
 * io.kjob.job-name = "ReplicaSet/<name>", so the Job controller (which acts
 * only on uids of live Jobs) never touches them and this driver never creates,
 * restarts or removes Job pods. It does track them: a Service selects a Job's
 * running pods too (labels from the stored Job's template), so they get its
 * alias and count as its endpoints.
 *
 * Aliases: Docker cannot add an alias to an attached endpoint, so a pod
 * whose alias set changes is disconnected and reconnected with the new set
 * (its address may change; the driver re-reads it with an inspect).
 * Deletion follows the finalizer the DELETE left (handlers_queue.c):
 * none (Background) - pods removed once the object is gone; foregroundDeletion
 * - pods removed first, then the object; orphan - the object is deleted and
 * its pods are never touched again (they keep running; Services still
 * select them). Only pods whose owner uid this daemon saw deleted are
 * removed: several kjobd may share one engine, and a pod of an unknown uid
 * may be another daemon's. Threads: the loop's only.
 */
#ifndef KJ_CONTROLLER_RS_DRIVER_H
#define KJ_CONTROLLER_RS_DRIVER_H

#include <cjson/cJSON.h> /* cJSON */

#include "controller/runtime.h" /* struct kj_runtime */
#include "util/error.h"         /* kj_error_t */

struct event_base;
struct kj_store;
struct kj_docker;
struct kj_rs_driver;

#define KJ_RS_JOB_NAME_PREFIX "ReplicaSet/"

/* New driver. base, store, docker and the runtime `rt` are borrowed and must
 * outlive it (except as noted for kj_rs_driver_free); `network` is copied.
 * backoff_base/max (ns) drive container restarts. NULL with *err on failure. */
struct kj_rs_driver *kj_rs_driver_new(struct event_base *base, struct kj_store *store,
                                      struct kj_docker *docker, const char *network,
                                      struct kj_runtime rt, int64_t backoff_base,
                                      int64_t backoff_max, kj_error_t *err);

/* The runtime to hand to the Job driver: forwards every op to `rt` and
 * observations to both controllers. Valid as long as the driver. */
struct kj_runtime kj_rs_driver_runtime(struct kj_rs_driver *d);

/* Watch "replicasets" and "services", list the containers; syncs start when
 * the list arrives. Call after the Job driver installed its observer. */
int kj_rs_driver_start(struct kj_rs_driver *d, kj_error_t *err);

/* Append the ReplicaSet pods of `ns` (NULL = all) as core/v1 Pods to the
 * array `items` (caller owns). */
void kj_rs_driver_pods(struct kj_rs_driver *d, const char *ns, cJSON *items);

/* One ReplicaSet pod as a new Pod object (caller owns), or NULL. */
cJSON *kj_rs_driver_pod(struct kj_rs_driver *d, const char *ns, const char *name);

/* A client's DELETE of a ReplicaSet's pod: stopped gracefully (grace_s
 * seconds; < 0 = the template's terminationGracePeriodSeconds), then
 * removed; the ReplicaSet replaces it at once. Not written down: after a
 * crash in between, the pod may survive, and the ReplicaSet, one over its
 * count, removes one of its pods. `uid` (may be NULL) is a precondition
 * (409 when it differs); dry_run changes nothing. Returns 1 with *pod
 * (owned) when a ReplicaSet owns the pod, 0 otherwise, -1 with *err. */
int kj_rs_driver_pod_delete(struct kj_rs_driver *d, const char *ns, const char *name,
                            int grace_s, const char *uid, bool dry_run, cJSON **pod,
                            kj_error_t *err);

/* Where to send a request for Service `svc` port `port` (number or name;
 * NULL = first) in `ns`: a running, ready selected pod (round robin). On
 * success *ip (owned by the caller) and *port_out are set. Errors: HTTP 404
 * (`services "x" not found`), 503 (`no endpoints available for service "x"`). */
int kj_rs_driver_endpoint(struct kj_rs_driver *d, const char *ns, const char *svc,
                          const char *port, char **ip, int *port_out, kj_error_t *err);

/* The core/v1 Endpoints of Service `svc` in `ns` (ready selected pods and
 * their target ports) as a new object owned by the caller, or NULL when
 * the Service does not exist. */
cJSON *kj_rs_driver_endpoints(struct kj_rs_driver *d, const char *ns, const char *svc);

/* The event loop the driver runs on (borrowed). */
struct event_base *kj_rs_driver_base(struct kj_rs_driver *d);

/* Free. Must run after the docker client and the runtime are freed (so no
 * callback of a pending operation can still come; they are released here)
 * and before the store is closed. NULL ok. */
void kj_rs_driver_free(struct kj_rs_driver *d);

#endif
