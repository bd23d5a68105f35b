/* The Job controller driver: runs kj_job_sync for every stored Job and
 * carries out its decisions through a runtime (runtime.h).
 *
 *   struct kj_job_driver *d = kj_job_driver_new(base, store, rt, &cfg, &err);
 *   kj_job_driver_start(d, &err);   // lists containers, then syncs every Job
 *   event_base_dispatch(base);
 *   kj_job_driver_free(d);
 *
 * Inputs: the store's "jobs" watch (add/update/delete; the driver watches the
 * store itself, so the REST layer only writes objects), pod observations from
 * the runtime, timers (backoff, restart-in-place, deadline, TTL) and a
 * periodic resync (runtime pod_list). Triggers for one Job coalesce into one
 * sync on the next loop iteration; a sync is synchronous, so syncs of one Job
 * never overlap.
 *
 * Each sync: read the Job from the store → kj_job_sync → if status or
 * ledger changed, ONE kj_store_update of the Job with the new `status` and
 * the ledger under KJ_LEDGER_KEY (expecting the resourceVersion that was
 * read; a conflict just re-syncs) → only then run the actions → store the
 * events. A failed write runs no action (retried after a delay).
 * "Expectations": creates queued or in flight are fed back to the sync as
 * CREATING pods, so a Job is never over-created while creates are pending;
 * restarts/stops/removes in flight are not issued twice. Creates go out in
 * slow-start batches (1, 2, 4 ...), the next batch only after the previous
 * one succeeded; a failed create drops the rest of the round (FailedCreate
 * event) and the sync retries after a delay. Runtime errors never count as
 * pod failures.
 *
 * Events: core/v1 Event objects in the store ("events" resource, the Job's
 * namespace), named "<job>.<hex ns timestamp>", source job-controller;
 * an identical repeat (same Job, type, reason, message) bumps `count` and
 * `lastTimestamp` of the earlier one. SuccessfulCreate/FailedCreate and
 * SuccessfulDelete/FailedDelete are emitted when the runtime completes.
 *
 * Deletion (§10), decided by the REST layer and carried out here:
 *   Background: the REST layer deletes the Job object; on the DELETED watch
 *     event the driver removes the Job's containers.
 *   Foreground: the REST layer sets deletionTimestamp + finalizer
 *     "foregroundDeletion"; the driver removes the containers, then the
 *     finalizer, and deletes the object when no finalizer is left.
 *   Orphan: the REST layer sets deletionTimestamp + finalizer "orphan"; the
 *     driver drops the finalizer and deletes the object, leaving containers
 *     running. Their io.kjob.owner-uid then names no Job, so they are never
 *     touched again (runtime.h).
 *   TTL (ttlSecondsAfterFinished): at expiry the driver deletes Foreground.
 *
 * Resync: runtime pod_list replaces the observation cache (containers that
 * vanished are then seen as gone: a running pod removed behind kjob's back is
 * counted failed and replaced). Containers whose owner uid matches a stored
 * Job are adopted by the next sync. The first list completes before any sync.
 *
 * Threads: the loop's thread only. Not reentrant from runtime callbacks.
 */
#ifndef KJ_CONTROLLER_DRIVER_H
#define KJ_CONTROLLER_DRIVER_H

#include <stdbool.h> /* bool */
#include <stddef.h> /* size_t */
#include <stdint.h> /* int64_t */

#include <cjson/cJSON.h> /* cJSON */

#include "controller/job_sync.h" /* struct kj_sync_config */
#include "controller/runtime.h"  /* struct kj_runtime */
#include "util/error.h"          /* kj_error_t */

struct event_base;
struct kj_store;
struct kj_job_driver;

struct kj_job_driver_config {
    /* Backoffs and max_creates; `now`/`rand_*` are ignored (see below). */
    struct kj_sync_config sync;
    int64_t resync_period; /* ns between runtime pod_list resyncs; 0 = none */
    int64_t retry_delay;   /* ns before retrying after a store/runtime error; 0 = 2 s */
    /* Clock (Unix ns); NULL = CLOCK_REALTIME. */
    int64_t (*now)(void *arg);
    void *now_arg;
    /* Random bytes for pod names/uids; NULL = getrandom(2). */
    void (*rand_bytes)(void *arg, unsigned char *buf, size_t n);
    void *rand_arg;
};

/* Defaults: kj_sync_config_defaults, resync 30 s, retry 2 s, real clock. */
void kj_job_driver_config_defaults(struct kj_job_driver_config *cfg);

/* New driver. Borrows base, store and the runtime (all must outlive it);
 * copies cfg. Returns NULL with *err on failure. */
struct kj_job_driver *kj_job_driver_new(struct event_base *base, struct kj_store *store,
                                        struct kj_runtime rt,
                                        const struct kj_job_driver_config *cfg, kj_error_t *err);

/* Install the observer, watch "jobs", and request the initial container
 * list; syncs begin when it arrives. A refused or failed list (engine down)
 * is retried every retry_delay. Returns < 0 with *err only if the store
 * watch cannot be registered. */
int kj_job_driver_start(struct kj_job_driver *d, kj_error_t *err);

/* Ask for a sync of one Job soon (e.g. after the REST layer changed it
 * without the store watch, or in tests). Unknown Jobs are ignored. */
void kj_job_driver_trigger(struct kj_job_driver *d, const char *ns, const char *name);

/* Pods of one Job (name != NULL) or of every Job in `ns` (NULL = all
 * namespaces) as core/v1 Pod objects (pod_view.h), in a new JSON array owned
 * by the caller. NULL on OOM. */
cJSON *kj_job_driver_pods(struct kj_job_driver *d, const char *ns, const char *job_name);

/* One pod by namespace/name as a core/v1 Pod (owned by the caller), or NULL. */
cJSON *kj_job_driver_pod(struct kj_job_driver *d, const char *ns, const char *pod_name);

/* Adapters with the signatures of struct kj_apiserver_deps (arg = the
 * driver): append the pods of `ns` (NULL = all) to `items`; one pod (new
 * object) or NULL. */
int kj_job_driver_pods_list_cb(void *driver, const char *ns, cJSON *items, kj_error_t *err);
cJSON *kj_job_driver_pod_get_cb(void *driver, const char *ns, const char *name);

/* A client's DELETE of pod ns/name (k8s-job.md §3.7). Recorded in its
 * Job's ledger in one store write, so a crash cannot lose it, and carried
 * out by the sync that write triggers: an active pod is stopped gracefully
 * (grace_s seconds; < 0 = the template's terminationGracePeriodSeconds)
 * and removed, and counted as podReplacementPolicy says; a finished pod is
 * removed, its count kept. `uid` (may be NULL) is a precondition (409 when
 * it differs); dry_run records nothing. `evict`: the eviction API's
 * delete, which gives the pod the condition DisruptionTarget=True first
 * (podFailurePolicy onPodConditions rules see it). Returns 1 with *pod
 * (owned: the pod with its deletionTimestamp) when a Job owns the pod, 0
 * when none does, -1 with *err (a store failure). */
int kj_job_driver_pod_delete(struct kj_job_driver *d, const char *ns, const char *name,
                             int grace_s, const char *uid, bool evict, bool dry_run, cJSON **pod,
                             kj_error_t *err);

/* Stop: unwatch, cancel timers, drop state. Nothing is flushed (every
 * decision is already durable); operations still in flight in the runtime
 * complete into detached contexts that free themselves. NULL ok. */
void kj_job_driver_free(struct kj_job_driver *d);

#endif
