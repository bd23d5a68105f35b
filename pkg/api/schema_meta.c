/* Field tables of meta.h's types (see schema.h). Order = upstream Go struct
 * order = JSON encoding order. */
#include "api/meta.h"
#include "api/schema.h"

#define A KJ_FF_ALWAYS

#define S struct kj_owner_reference
static const struct kj_field owner_reference_fields[] = {
    F_STRX(S, "apiVersion", api_version, A, NULL),
    F_STRX(S, "kind", kind, A, NULL),
    F_STRX(S, "name", name, A, NULL),
    F_STRX(S, "uid", uid, A, "types.UID"),
    F_OPT_BOOL(S, "controller", controller, 0),
    F_OPT_BOOL(S, "blockOwnerDeletion", block_owner_deletion, 0),
};
KJ_SCHEMA(kj_schema_owner_reference, S, "OwnerReference", "v1", owner_reference_fields);
#undef S

#define S struct kj_object_meta
static const struct kj_field object_meta_fields[] = {
    F_STR(S, "name", name),
    F_STR(S, "generateName", generate_name),
    F_STR(S, "namespace", namespace_),
    F_STR(S, "selfLink", self_link),
    F_STRG(S, "uid", uid, "types.UID"),
    F_STR(S, "resourceVersion", resource_version),
    F_I64(S, "generation", generation, 0),
    F_TIME(S, "creationTimestamp", creation_timestamp),
    F_TIME(S, "deletionTimestamp", deletion_timestamp),
    F_OPT_I64(S, "deletionGracePeriodSeconds", deletion_grace_period_seconds, 0),
    F_LABELS(S, "labels", labels, 0),
    F_LABELS(S, "annotations", annotations, 0),
    F_ARR(S, "ownerReferences", owner_references, 0, kj_schema_owner_reference),
    F_STRLIST(S, "finalizers", finalizers, 0),
    F_RAW(S, "managedFields", managed_fields, KJ_FF_RAW_ARRAY, "[]v1.ManagedFieldsEntry"),
};
KJ_SCHEMA(kj_schema_object_meta, S, "ObjectMeta", "v1", object_meta_fields);
#undef S

#define S struct kj_list_meta
static const struct kj_field list_meta_fields[] = {
    F_STR(S, "resourceVersion", resource_version),
    F_STR(S, "continue", continue_),
    F_OPT_I64(S, "remainingItemCount", remaining_item_count, 0),
};
KJ_SCHEMA(kj_schema_list_meta, S, "ListMeta", "v1", list_meta_fields);
#undef S

#define S struct kj_label_selector_requirement
static const struct kj_field label_selector_requirement_fields[] = {
    F_STRX(S, "key", key, A, NULL),
    F_STRX(S, "operator", operator_, A, "v1.LabelSelectorOperator"),
    F_STRLIST(S, "values", values, 0),
};
KJ_SCHEMA(kj_schema_label_selector_requirement, S, "LabelSelectorRequirement", "v1",
          label_selector_requirement_fields);
#undef S

#define S struct kj_label_selector
static const struct kj_field label_selector_fields[] = {
    F_LABELS(S, "matchLabels", match_labels, 0),
    F_ARR(S, "matchExpressions", match_expressions, 0, kj_schema_label_selector_requirement),
};
KJ_SCHEMA(kj_schema_label_selector, S, "LabelSelector", "v1", label_selector_fields);
#undef S

#define S struct kj_condition
static const struct kj_field condition_fields[] = {
    F_STRX(S, "type", type, A, NULL),
    F_STRX(S, "status", status, A, "v1.ConditionStatus"),
    F_TIME(S, "lastProbeTime", last_probe_time),
    F_TIME(S, "lastTransitionTime", last_transition_time),
    F_STR(S, "reason", reason),
    F_STR(S, "message", message),
};
KJ_SCHEMA(kj_schema_condition, S, "Condition", "v1", condition_fields);
#undef S

#define S struct kj_object_reference
static const struct kj_field object_reference_fields[] = {
    F_STR(S, "kind", kind),
    F_STR(S, "namespace", namespace_),
    F_STR(S, "name", name),
    F_STRG(S, "uid", uid, "types.UID"),
    F_STR(S, "apiVersion", api_version),
    F_STR(S, "resourceVersion", resource_version),
    F_STR(S, "fieldPath", field_path),
};
KJ_SCHEMA(kj_schema_object_reference, S, "ObjectReference", "v1", object_reference_fields);
#undef S
