/* Defaulting, create/update preparation and validation of batch/v1 Jobs
 * (reference k8s-job.md §1), with Kubernetes' exact error texts.
 *
 * The API server's order for a create (POST) is:
 *
 *   decode                                  kj_yaml_decode / kj_job_from_json
 *   kj_job_default(&job);                   §1.1, at decode time
 *   job.metadata.namespace_ = <from URL>;   the server's job, before validation
 *   kj_job_prepare_create(&job, uid, now);  §1.2 + §1.3
 *   if (kj_job_validate_create(&job, &errs) > 0)
 *       422 with kj_field_errors_status(&errs, "Job", "batch", job.metadata.name)
 *   kj_job_warnings_on_create(&job, &warnings);    optional `Warning: 299` headers
 *
 * and for an update (PUT/PATCH of /jobs/{name}):
 *
 *   decode + kj_job_default(&new);
 *   kj_job_prepare_update(&new, &old);      status kept, generation, system fields
 *   kj_job_validate_update(&old, &new, &errs);
 *
 * and for /jobs/{name}/status: kj_job_prepare_status_update(&new, &old) then
 * kj_job_validate_status_update(&old, &new, &errs).
 *
 * Validation never stops at the first error: every rule appends to the list,
 * in upstream's order. Validators return the number of errors they appended
 * (0 = valid). Allocation failures abort (x* allocators): inputs are
 * API-sized and a half-built error list has no use. No I/O except
 * getrandom(2) for generated names; no global state.
 */
#ifndef KJ_API_VALIDATE_H
#define KJ_API_VALIDATE_H

#include <stdbool.h> /* bool */
#include <stddef.h>  /* size_t */
#include <stdint.h>  /* int64_t */

#include "api/fielderr.h" /* struct kj_field_errors */
#include "api/types.h"    /* struct kj_job, kj_pod_template_spec, ... */

/* Label keys of §1.3. */
#define KJ_LABEL_JOB_NAME "batch.kubernetes.io/job-name"
#define KJ_LABEL_CONTROLLER_UID "batch.kubernetes.io/controller-uid"
#define KJ_LABEL_LEGACY_JOB_NAME "job-name"
#define KJ_LABEL_LEGACY_CONTROLLER_UID "controller-uid"

/* ---- defaulting (defaults.c) ---- */

/* Apply §1.1 rules 1-7 in order: Job spec defaults, Job labels copied from
 * the template labels when the Job has none, onPodConditions status "True",
 * then the core/v1 pod template defaults. Idempotent; never fails. */
void kj_job_default(struct kj_job *job);

/* core/v1 SetDefaults for a pod template / pod spec / container (also used
 * for ReplicaSets): restartPolicy Always, dnsPolicy ClusterFirst,
 * terminationGracePeriodSeconds 30, schedulerName default-scheduler,
 * securityContext {}, volumes without a source become emptyDir, container
 * terminationMessagePath/Policy, imagePullPolicy from the image, port
 * protocol TCP, env fieldRef apiVersion v1. */
void kj_pod_template_default(struct kj_pod_template_spec *t);
void kj_pod_spec_default(struct kj_pod_spec *s);
void kj_container_default(struct kj_container *c);

/* "Always" when the image has the tag `latest` or neither tag nor digest,
 * else "IfNotPresent" (also for names that do not parse, as upstream).
 * Returns a static string. */
const char *kj_image_default_pull_policy(const char *image);

/* Kubernetes' generateName: base (cut to 58 bytes) + 5 random characters
 * from "bcdfghjklmnpqrstvwxz2456789". Newly allocated (aborts on OOM). */
char *kj_generate_name(const char *base);
/* Fill buf[0..4] with 5 such characters and buf[5] with NUL. */
void kj_random_suffix(char buf[6]);

/* ---- preparation (defaults.c) ---- */

/* §1.2/§1.3: status wiped, generation 1, uid and creationTimestamp set
 * (`now_ns`, ns since the epoch), deletion fields cleared, generateName
 * expanded when name is empty, selector and template labels generated unless
 * manualSelector is true, then the Job labels defaulted again from the
 * template (what a read-back of the stored object shows). resourceVersion is
 * left to the store. `uid` is copied. Never fails. */
void kj_job_prepare_create(struct kj_job *job, const char *uid, int64_t now_ns);

/* §1.5: `new_` takes old's status, generation (incremented when the spec
 * changed), creationTimestamp, deletion fields, and uid when new_ has none. */
void kj_job_prepare_update(struct kj_job *new_, const struct kj_job *old);

/* §1.6: `new_` takes old's spec (the body's spec is ignored) and the same
 * system metadata as kj_job_prepare_update (generation unchanged); other
 * metadata (labels, annotations...) comes from the body, as upstream. */
void kj_job_prepare_status_update(struct kj_job *new_, const struct kj_job *old);

/* ---- validation (validate_*.c) ---- */

/* Every rule of §1.4 for a Job about to be created (after
 * kj_job_prepare_create and with its namespace filled in). */
size_t kj_job_validate_create(const struct kj_job *job, struct kj_field_errors *errs);

/* §1.5: the create rules again on `new_` plus metadata and spec immutability
 * (`field is immutable`), the Indexed completions/parallelism tandem rule and
 * the suspended-never-started template exception. Both jobs must have been
 * defaulted; `new_` prepared with kj_job_prepare_update. */
size_t kj_job_validate_update(const struct kj_job *old, const struct kj_job *new_,
                              struct kj_field_errors *errs);

/* §1.6: status counters >= 0, uncountedTerminatedPods UIDs non-empty and
 * unique, index lists well-formed, and the illegal condition transitions of
 * current servers. */
size_t kj_job_validate_status_update(const struct kj_job *old, const struct kj_job *new_,
                                     struct kj_field_errors *errs);

/* §1.2 warnings (HTTP `Warning: 299 - "<text>"`) appended to `warnings`:
 * the name-is-not-a-DNS-label warning. Returns how many were added. */
size_t kj_job_warnings_on_create(const struct kj_job *job, struct kj_strlist *warnings);

/* core/v1 pod template validation under `path` (e.g. "spec.template"),
 * including the kjob one-container rule. Also used for ReplicaSets. */
size_t kj_pod_template_validate(const struct kj_pod_template_spec *t, const char *path,
                                struct kj_field_errors *errs);

/* apimachinery ValidateObjectMeta. `name_check` is the kind's name rule
 * (e.g. kj_dns1123_subdomain_check); generateName is checked with it after
 * masking a trailing '-'. `namespaced` requires metadata.namespace (a DNS-1123
 * label). Labels, annotations, finalizers, ownerReferences are checked. */
size_t kj_object_meta_validate(const struct kj_object_meta *m, bool namespaced,
                               size_t (*name_check)(const char *, struct kj_strlist *),
                               const char *path, struct kj_field_errors *errs);
/* apimachinery ValidateObjectMetaUpdate (name, namespace, uid,
 * creationTimestamp, deletion fields immutable; generation not decremented;
 * labels etc. re-checked). */
size_t kj_object_meta_validate_update(const struct kj_object_meta *new_,
                                      const struct kj_object_meta *old, const char *path,
                                      struct kj_field_errors *errs);

/* Labels map check under `path` (e.g. "metadata.labels"). */
size_t kj_labels_validate(const struct kj_labels *labels, const char *path,
                          struct kj_field_errors *errs);

/* DNS-1035 label (Service names): "a DNS-1035 label must consist of lower
 * case alphanumeric characters or '-', start with an alphabetic character,
 * and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123',
 * regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')" and/or
 * "must be no more than 63 bytes". Same contract as names.h checks. */
size_t kj_dns1035_label_check(const char *s, struct kj_strlist *msgs);

/* Name rules per kind, names.h contract: Job, Pod, ReplicaSet: DNS-1123
 * subdomain; Service: DNS-1035 label; Namespace: DNS-1123 label. */
size_t kj_job_name_check(const char *s, struct kj_strlist *msgs);
size_t kj_pod_name_check(const char *s, struct kj_strlist *msgs);
size_t kj_service_name_check(const char *s, struct kj_strlist *msgs);
size_t kj_namespace_name_check(const char *s, struct kj_strlist *msgs);

/* ---- comparisons (validate_update.c) ---- */

/* Semantic equality through the JSON encoding (what Kubernetes' DeepEqual
 * sees after decoding). */
bool kj_job_spec_equal(const struct kj_job_spec *a, const struct kj_job_spec *b);
bool kj_pod_template_equal(const struct kj_pod_template_spec *a,
                           const struct kj_pod_template_spec *b);

#endif
