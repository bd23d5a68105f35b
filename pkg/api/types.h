/* kjob's typed object model — THE CONTRACT between pkg/api and the rest.
 *
 * Include this one header to get every type and helper of the object model:
 *
 *   strlist.h   kj_strlist (owned string array), kj_labels (sorted string map)
 *   time.h      timestamps are int64_t ns since the epoch (0 = unset), RFC 3339
 *   quantity.h  resource quantities ("500m", "1Gi") with canonical re-encoding
 *   meta.h      ObjectMeta, OwnerReference, LabelSelector, conditions, IntOrString
 *   pod.h       Container, PodSpec, PodTemplateSpec, Pod + status
 *   job.h       JobSpec (all of k8s-job.md §1.1), JobStatus (§4), Job
 *   core.h      Event, ReplicaSet, Service, Namespace, meta/v1 Status
 *   selector.h  label selectors: string form + structured, match, format
 *   names.h     DNS-1123 / qualified-name / label-value checks (exact texts)
 *   codec.h     JSON decode/encode of every kind, unknown/ignored field paths,
 *               kind dispatch (kj_object_kind_of)
 *
 * Rules every user relies on (details in meta.h):
 *  - Structs are plain data: zero-initialise, fill, release with kj_<x>_clear.
 *    All `char *`, arrays and `cJSON *` inside are owned by the struct.
 *  - Optional scalars and optional sub-objects carry `bool has_<field>`;
 *    there are no pointer-optionals. C names are the JSON names in
 *    snake_case; a trailing `_` avoids C keywords (template_, operator_,
 *    namespace_, continue_, stdin_).
 *  - Strings: NULL = unset. Defaulting (defaults.c) and validation
 *    (validate.c) live with the validate helper; this layer does no defaulting.
 *  - Deep copies via kj_<x>_copy; abort on OOM (API-sized data).
 * pkg/api does no I/O and keeps no global mutable state (thread-compatible).
 */
#ifndef KJ_API_TYPES_H
#define KJ_API_TYPES_H

#include "api/codec.h"    /* IWYU pragma: export */
#include "api/core.h"     /* IWYU pragma: export */
#include "api/job.h"      /* IWYU pragma: export */
#include "api/meta.h"     /* IWYU pragma: export */
#include "api/names.h"    /* IWYU pragma: export */
#include "api/pod.h"      /* IWYU pragma: export */
#include "api/quantity.h" /* IWYU pragma: export */
#include "api/selector.h" /* IWYU pragma: export */
#include "api/strlist.h"  /* IWYU pragma: export */
#include "api/time.h"     /* IWYU pragma: export */

#endif
