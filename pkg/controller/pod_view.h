/* Pods as Kubernetes reports them (core/v1 Pod JSON), built from the Job,
 * the pod's ledger entry and the latest runtime observation. Used by the
 * driver (kj_job_driver_pods) for the REST layer's GET pods, and for the
 * labels/annotations of the pods the driver creates. Pure; abort on OOM. */
#ifndef KJ_CONTROLLER_POD_VIEW_H
#define KJ_CONTROLLER_POD_VIEW_H

#include <cjson/cJSON.h> /* cJSON */

#include "controller/ledger.h"  /* struct kj_ledger_pod */
#include "controller/runtime.h" /* struct kj_pod_obs */

/* Pod labels (§6.1): the template labels, the four generated Job labels if
 * missing, and batch.kubernetes.io/job-completion-index when index ≥ 0.
 * New object, owned by the caller. */
cJSON *kj_pod_labels(const cJSON *job, int index);

/* Pod annotations: template annotations + the index annotation, and
 * batch.kubernetes.io/job-index-failure-count when the Job has
 * backoffLimitPerIndex. New object, owned by the caller. */
cJSON *kj_pod_annotations(const cJSON *job, int index, int index_failures);

/* The Pod object. `obs` may be NULL (not observed yet, or gone). Returns a
 * new object owned by the caller. Phase: Pending (not started, or waiting),
 * Running (running, or OnFailure between restarts: CrashLoopBackOff),
 * Succeeded (exit 0), Failed (otherwise). */
cJSON *kj_pod_view(const cJSON *job, const struct kj_ledger_pod *p, const struct kj_pod_obs *obs,
                   int64_t now);

#endif
