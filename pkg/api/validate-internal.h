/* Helpers shared by the validate_*.c files; not part of the API. */
#ifndef KJ_API_VALIDATE_INTERNAL_H
#define KJ_API_VALIDATE_INTERNAL_H

#include <cjson/cJSON.h> /* cJSON */
#include <stddef.h>      /* size_t */
#include <stdint.h>      /* int64_t */

#include "api/fielderr.h" /* struct kj_field_errors */
#include "api/types.h"    /* kj_labels, kj_job */

/* snprintf for field paths; paths are short (fixed prefixes, indexes), a
 * longer one would be cut. Returns buf. */
char *kj_v_pathf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Whether `v` is one of the NULL-terminated `set` (enum values, supported
 * names). */
bool kj_v_one_of(const char *v, const char *const *set);

/* Run a names.h-style check and add `Invalid value: "<value>": <msg>` at
 * `path` for each message. Returns the number of messages. */
size_t kj_v_check_msgs(struct kj_field_errors *errs, const char *path, const char *value,
                       size_t (*check)(const char *, struct kj_strlist *));

/* A label map as a cJSON object (kj_labels is already key-sorted, as Go
 * marshals maps). Caller deletes. Aborts on OOM. */
cJSON *kj_v_labels_json(const struct kj_labels *m);

/* Go's time.Time.String() for a UTC instant:
 * "2026-11-26 21:00:00 +0000 UTC" (fraction only when non-zero). Returns buf. */
char *kj_v_go_time_string(int64_t ns, char *buf, size_t size);

/* The v1 JSON of spec.<field> of a job (e.g. "podFailurePolicy"), as kjob
 * renders structured values in messages. Caller deletes; NULL when absent. */
cJSON *kj_v_job_spec_field_json(const struct kj_job_spec *spec, const char *field);

/* The pod template's rendering in messages (upstream prints Go's %#v of an
 * internal struct; the reference allows this abbreviation). */
#define KJ_V_TEMPLATE_VALUE "core.PodTemplateSpec{...}"

/* resourceFieldRef (validate_resref.c): `ref` is a ResourceFieldSelector at
 * `path`; `volume`: of a downwardAPI volume item (containerName required).
 * kj_v_downward_volume checks the items of a downwardAPI volume source. */
void kj_v_resource_field_ref(const cJSON *ref, const char *path, bool volume,
                             struct kj_field_errors *errs);
void kj_v_downward_volume(const cJSON *dapi, const char *path, struct kj_field_errors *errs);

/* Job validation pieces (validate_job.c, validate_policy.c). */
void kj_v_job_spec(const struct kj_job_spec *spec, struct kj_field_errors *errs);
/* upstream ValidateJobSpec: kj_v_job_spec + selector checks. */
void kj_v_job_spec_full(const struct kj_job_spec *spec, struct kj_field_errors *errs);
void kj_v_pod_failure_policy(const struct kj_job_spec *spec, struct kj_field_errors *errs);
void kj_v_success_policy(const struct kj_job_spec *spec, struct kj_field_errors *errs);
/* upstream ValidateJob with its options (RequirePrefixedLabels). */
void kj_v_job(const struct kj_job *job, bool require_prefixed_labels,
              struct kj_field_errors *errs);

#endif
