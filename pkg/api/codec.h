/* JSON <-> typed object codec for every kind of the object model.
 *
 * Decoding (`kj_<kind>_from_json`):
 *  - `out` must be zeroed (or cleared) by the caller; on success it owns new
 *    memory (release with kj_<kind>_clear); on failure it is left cleared.
 *  - Unknown JSON fields are not errors: their paths are appended to `unknown`
 *    (e.g. "spec.template.spec.containers[0].imagePullPolcy"). Known
 *    Kubernetes fields Docker cannot honour are decoded (raw when untyped) and
 *    their paths appended to `ignored` (e.g. "spec.template.spec.affinity").
 *    Either list may be NULL. The caller decides between warning (kubectl's
 *    default fieldValidation=Warn) and rejecting (Strict).
 *  - JSON null is treated as absent, as Go does.
 *  - A type mismatch fails (HTTP 400) with Go's text, e.g.
 *    `json: cannot unmarshal string into Go struct field JobSpec.spec.parallelism of type int32`
 *    (Go's path has no array indices). A bad quantity or time fails with the
 *    apimachinery text (quantity.h, time.h).
 *  - `apiVersion`/`kind`, when present, must name the decoded kind, else it
 *    fails (HTTP 400); when absent they are not required.
 *
 * Encoding (`kj_<kind>_to_json`): a new cJSON tree (caller owns, cJSON_Delete)
 * with kind and apiVersion first (Go's TypeMeta order), then fields in the order of the upstream Go
 * structs, Kubernetes' JSON names, unset/empty optional fields omitted
 * (omitempty). Printing it with cJSON_PrintUnformatted is byte-stable. NULL
 * only on OOM.
 *
 * Every top-level kind struct has `struct kj_object_meta metadata` as its first
 * member, so `(struct kj_object_meta *)obj` is valid for all of them (lists
 * and kj_status have kj_list_meta instead).
 */
#ifndef KJ_API_CODEC_H
#define KJ_API_CODEC_H

#include <cjson/cJSON.h> /* cJSON */
#include <stdbool.h>
#include <stddef.h>

#include "api/core.h"    /* kj_event, kj_service, ... */
#include "api/job.h"     /* kj_job */
#include "api/pod.h"     /* kj_pod */
#include "api/strlist.h" /* kj_strlist */
#include "util/error.h"  /* kj_error_t */

enum kj_kind {
    KJ_KIND_UNKNOWN = 0,
    KJ_KIND_JOB,          /* batch/v1 Job           struct kj_job */
    KJ_KIND_JOB_LIST,     /* batch/v1 JobList       struct kj_job_list */
    KJ_KIND_POD,          /* v1 Pod                 struct kj_pod */
    KJ_KIND_POD_LIST,     /* v1 PodList             struct kj_pod_list */
    KJ_KIND_EVENT,        /* v1 Event               struct kj_event */
    KJ_KIND_EVENT_LIST,   /* v1 EventList           struct kj_event_list */
    KJ_KIND_REPLICA_SET,  /* apps/v1 ReplicaSet     struct kj_replica_set */
    KJ_KIND_SERVICE,      /* v1 Service             struct kj_service */
    KJ_KIND_NAMESPACE,    /* v1 Namespace           struct kj_namespace */
    KJ_KIND_STATUS,       /* v1 Status              struct kj_status */
    KJ_KIND_COUNT_,
};

struct kj_kind_info {
    enum kj_kind kind;
    const char *api_version; /* "batch/v1", "v1", "apps/v1" */
    const char *group;       /* "batch", "", "apps" */
    const char *name;        /* "Job" */
    const char *resource;    /* plural: "jobs"; NULL for lists and Status */
    bool namespaced;
    size_t size; /* sizeof the C struct */
};

/* Static description of a kind (never NULL for a valid kind, NULL for
 * KJ_KIND_UNKNOWN or out of range). */
const struct kj_kind_info *kj_kind_info(enum kj_kind kind);

/* Dispatch on a decoded document's "apiVersion" and "kind" (exact match).
 * KJ_KIND_UNKNOWN when either is missing or not served by kjob. */
enum kj_kind kj_object_kind_of(const cJSON *j);
enum kj_kind kj_kind_lookup(const char *api_version, const char *kind);
/* By plural resource name and group ("jobs", "batch"); UNKNOWN if none. */
enum kj_kind kj_kind_by_resource(const char *group, const char *resource);

/* OpenAPI v3 component schemas of `kind`'s object model, for kubectl
 * explain (openapi_schema.c): adds to `schemas` (a JSON object) one
 * component per struct reachable from the kind, named "<prefix>.<GoName>"
 * (components already there are kept), properties typed from the field
 * tables, nested structs by $ref. Returns the kind's own component
 * (borrowed from `schemas`), or NULL for an invalid kind. */
cJSON *kj_kind_openapi(enum kj_kind kind, const char *prefix, cJSON *schemas);

/* Generic forms: `obj` points at the struct named in enum kj_kind. */
int kj_object_from_json(enum kj_kind kind, const cJSON *j, void *out, struct kj_strlist *unknown,
                        struct kj_strlist *ignored, kj_error_t *err);
cJSON *kj_object_to_json(enum kj_kind kind, const void *obj);
void kj_object_clear(enum kj_kind kind, void *obj);
/* Deep copy (dst cleared first); abort on OOM. */
void kj_object_copy(enum kj_kind kind, void *dst, const void *src);

/* Typed forms (same contracts). */
int kj_job_from_json(const cJSON *j, struct kj_job *out, struct kj_strlist *unknown,
                     struct kj_strlist *ignored, kj_error_t *err);
cJSON *kj_job_to_json(const struct kj_job *job);
int kj_job_list_from_json(const cJSON *j, struct kj_job_list *out, struct kj_strlist *unknown,
                          struct kj_strlist *ignored, kj_error_t *err);
cJSON *kj_job_list_to_json(const struct kj_job_list *l);

int kj_pod_from_json(const cJSON *j, struct kj_pod *out, struct kj_strlist *unknown,
                     struct kj_strlist *ignored, kj_error_t *err);
cJSON *kj_pod_to_json(const struct kj_pod *pod);
int kj_pod_list_from_json(const cJSON *j, struct kj_pod_list *out, struct kj_strlist *unknown,
                          struct kj_strlist *ignored, kj_error_t *err);
cJSON *kj_pod_list_to_json(const struct kj_pod_list *l);

int kj_event_from_json(const cJSON *j, struct kj_event *out, struct kj_strlist *unknown,
                       struct kj_strlist *ignored, kj_error_t *err);
cJSON *kj_event_to_json(const struct kj_event *ev);

int kj_replica_set_from_json(const cJSON *j, struct kj_replica_set *out, struct kj_strlist *unknown,
                             struct kj_strlist *ignored, kj_error_t *err);
cJSON *kj_replica_set_to_json(const struct kj_replica_set *rs);

int kj_service_from_json(const cJSON *j, struct kj_service *out, struct kj_strlist *unknown,
                         struct kj_strlist *ignored, kj_error_t *err);
cJSON *kj_service_to_json(const struct kj_service *svc);

int kj_namespace_from_json(const cJSON *j, struct kj_namespace *out, struct kj_strlist *unknown,
                           struct kj_strlist *ignored, kj_error_t *err);
cJSON *kj_namespace_to_json(const struct kj_namespace *ns);

int kj_status_from_json(const cJSON *j, struct kj_status *out, struct kj_strlist *unknown,
                        struct kj_strlist *ignored, kj_error_t *err);
cJSON *kj_status_to_json(const struct kj_status *st);

/* Sub-object codecs for callers that hold them standalone (e.g. a pod
 * template inside a patch, a label selector in a query). No apiVersion/kind;
 * paths in unknown/ignored are relative to the object. */
int kj_pod_template_spec_from_json(const cJSON *j, struct kj_pod_template_spec *out,
                                   struct kj_strlist *unknown, struct kj_strlist *ignored,
                                   kj_error_t *err);
cJSON *kj_pod_template_spec_to_json(const struct kj_pod_template_spec *t);
int kj_label_selector_from_json(const cJSON *j, struct kj_label_selector *out, kj_error_t *err);
cJSON *kj_label_selector_to_json(const struct kj_label_selector *s);
cJSON *kj_object_meta_to_json(const struct kj_object_meta *m);

/* An empty list object {"kind":<list_kind>,"apiVersion":..,"metadata":
 * {"resourceVersion":rv},"items":[]} to append already-encoded items to
 * (upstream omits kind/apiVersion inside items; callers may delete them).
 * rv may be NULL. Caller owns; NULL only on OOM. */
cJSON *kj_list_json_new(const char *api_version, const char *list_kind, const char *rv);

#endif
