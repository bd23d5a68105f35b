/* meta/v1 building blocks shared by every kind: ObjectMeta, OwnerReference,
 * LabelSelector, conditions, object references, IntOrString.
 *
 * Conventions of the whole object model (see types.h):
 *  - `char *` fields are owned; NULL means unset. The encoder omits NULL and ""
 *    (Go's omitempty), except for fields Go always encodes (container and
 *    env/volume names, condition type/status, ownerReference
 *    apiVersion/kind/name/uid, containerPort, exitCode, restartCount, ready,
 *    container-status image/imageID, service port), which come out as "" or 0,
 *    and the Go *string fields noted in their comments, which keep "".
 *    Non-optional embedded objects (metadata, spec, status, template,
 *    resources, state) are always encoded, possibly as {}.
 *  - Optional scalars (Go pointers) come as `bool has_x; T x;`.
 *  - Embedded optional objects (Go pointers to structs) also use `has_x`.
 *  - Arrays are `T *x; size_t n_x;` (owned).
 *  - Times are int64_t ns since the epoch, 0 = unset (time.h).
 *  - Raw JSON for fields kjob keeps but does not interpret: `cJSON *` (owned).
 */
#ifndef KJ_API_META_H
#define KJ_API_META_H

#include <cjson/cJSON.h> /* cJSON */
#include <stdbool.h>     /* bool */
#include <stddef.h>      /* size_t */
#include <stdint.h>      /* int32_t, int64_t */

#include "api/strlist.h" /* kj_strlist, kj_labels */

struct kj_owner_reference {
    char *api_version; /* owned */
    char *kind;        /* owned */
    char *name;        /* owned */
    char *uid;         /* owned */
    bool has_controller;
    bool controller;
    bool has_block_owner_deletion;
    bool block_owner_deletion;
};

struct kj_object_meta {
    char *name;          /* owned */
    char *generate_name; /* owned */
    char *namespace_;    /* owned; JSON "namespace" */
    char *self_link;     /* owned */
    char *uid;           /* owned */
    char *resource_version; /* owned */
    int64_t generation;  /* 0 = omitted */
    int64_t creation_timestamp; /* ns; 0 = unset */
    int64_t deletion_timestamp; /* ns; 0 = unset */
    bool has_deletion_grace_period_seconds;
    int64_t deletion_grace_period_seconds;
    struct kj_labels labels;
    struct kj_labels annotations;
    struct kj_owner_reference *owner_references; /* owned */
    size_t n_owner_references;
    struct kj_strlist finalizers;
    cJSON *managed_fields; /* owned raw; server-side apply bookkeeping, not interpreted */
};

/* metav1 ListMeta. */
struct kj_list_meta {
    char *resource_version; /* owned */
    char *continue_;        /* owned; JSON "continue" */
    bool has_remaining_item_count;
    int64_t remaining_item_count;
};

/* One matchExpressions entry. operator is "In", "NotIn", "Exists" or
 * "DoesNotExist" (not checked by the decoder; see selector.h). */
struct kj_label_selector_requirement {
    char *key;      /* owned */
    char *operator_; /* owned; JSON "operator" */
    struct kj_strlist values;
};

/* metav1.LabelSelector. Whether it was given at all is the `has_` flag of the
 * field that holds it. Empty selector (no labels, no expressions) matches
 * everything. */
struct kj_label_selector {
    struct kj_labels match_labels;
    struct kj_label_selector_requirement *match_expressions; /* owned */
    size_t n_match_expressions;
};

/* Condition of Jobs, Pods, ReplicaSets, Namespaces (the union of their
 * fields; ReplicaSet conditions have no lastProbeTime and simply leave it 0). */
struct kj_condition {
    char *type;    /* owned */
    char *status;  /* owned: "True" | "False" | "Unknown" */
    int64_t last_probe_time;      /* ns; 0 = unset */
    int64_t last_transition_time; /* ns; 0 = unset */
    char *reason;  /* owned */
    char *message; /* owned */
};

/* core/v1 ObjectReference (Event.involvedObject). */
struct kj_object_reference {
    char *kind;             /* owned */
    char *namespace_;       /* owned; JSON "namespace" */
    char *name;             /* owned */
    char *uid;              /* owned */
    char *api_version;      /* owned */
    char *resource_version; /* owned */
    char *field_path;       /* owned */
};

/* intstr.IntOrString: a JSON number or string (Service targetPort). */
struct kj_int_or_string {
    bool is_string;
    int32_t int_val;
    char *str_val; /* owned; used when is_string */
};

/* Release members and zero the struct (safe on a zeroed struct). */
void kj_owner_reference_clear(struct kj_owner_reference *o);
void kj_object_meta_clear(struct kj_object_meta *m);
void kj_list_meta_clear(struct kj_list_meta *m);
void kj_label_selector_requirement_clear(struct kj_label_selector_requirement *r);
void kj_label_selector_clear(struct kj_label_selector *s);
void kj_condition_clear(struct kj_condition *c);
void kj_object_reference_clear(struct kj_object_reference *r);
void kj_int_or_string_clear(struct kj_int_or_string *v);

/* Deep copies: dst is cleared first, then filled; abort on OOM. */
void kj_object_meta_copy(struct kj_object_meta *dst, const struct kj_object_meta *src);
void kj_owner_reference_copy(struct kj_owner_reference *dst, const struct kj_owner_reference *src);
void kj_label_selector_copy(struct kj_label_selector *dst, const struct kj_label_selector *src);
void kj_condition_copy(struct kj_condition *dst, const struct kj_condition *src);

/* The ownerReference with controller: true, or NULL (borrowed). */
const struct kj_owner_reference *kj_object_meta_controller_ref(const struct kj_object_meta *m);

#endif
