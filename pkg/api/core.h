/* The other kinds kjob serves: core/v1 Event, Service, Namespace,
 * apps/v1 ReplicaSet, and meta/v1 Status (the error/success body).
 * Conventions: meta.h.
 */
#ifndef KJ_API_CORE_H
#define KJ_API_CORE_H

#include <cjson/cJSON.h> /* cJSON */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/meta.h" /* kj_object_meta, kj_object_reference, kj_label_selector */
#include "api/pod.h"  /* kj_pod_template_spec */

/* ---- core/v1 Event ---- */

struct kj_event_source {
    char *component; /* owned, e.g. "job-controller" */
    char *host;      /* owned */
};

struct kj_event {
    struct kj_object_meta metadata; /* first member: see codec.h */
    struct kj_object_reference involved_object;
    char *reason;  /* owned */
    char *message; /* owned */
    struct kj_event_source source; /* always encoded (may be {}) */
    int64_t first_timestamp; /* ns; Time: second precision */
    int64_t last_timestamp;  /* ns */
    int32_t count;           /* omitted when 0 */
    char *type;              /* owned: "Normal" | "Warning" */
    int64_t event_time;      /* ns; MicroTime; encoded as null when 0 (as upstream) */
    char *action;              /* owned */
    char *reporting_component; /* owned; JSON "reportingComponent" (Go: ReportingController) */
    char *reporting_instance;  /* owned */
    cJSON *series;  /* owned raw */
    cJSON *related; /* owned raw */
};

struct kj_event_list {
    struct kj_list_meta metadata;
    struct kj_event *items; /* owned */
    size_t n_items;
};

/* ---- apps/v1 ReplicaSet ---- */

struct kj_replica_set_spec {
    bool has_replicas; /* default 1 */
    int32_t replicas;
    int32_t min_ready_seconds;
    bool has_selector;
    struct kj_label_selector selector;
    struct kj_pod_template_spec template_; /* JSON "template" */
};

struct kj_replica_set_status {
    int32_t replicas; /* always encoded */
    int32_t fully_labeled_replicas;
    int32_t ready_replicas;
    int32_t available_replicas;
    int64_t observed_generation;
    struct kj_condition *conditions; /* owned */
    size_t n_conditions;
};

struct kj_replica_set {
    struct kj_object_meta metadata; /* first member: see codec.h */
    struct kj_replica_set_spec spec;
    struct kj_replica_set_status status;
};

/* ---- core/v1 Service ---- */

struct kj_service_port {
    char *name;         /* owned */
    char *protocol;     /* owned: "TCP" | "UDP" | "SCTP" */
    char *app_protocol; /* owned */
    int32_t port;
    bool has_target_port;
    struct kj_int_or_string target_port;
    int32_t node_port; /* ignored */
};

struct kj_service_spec {
    struct kj_service_port *ports; /* owned */
    size_t n_ports;
    struct kj_labels selector;
    char *cluster_ip;              /* owned; JSON "clusterIP" */
    struct kj_strlist cluster_ips; /* JSON "clusterIPs" */
    char *type;                    /* owned: "ClusterIP" | ... */
    char *session_affinity;        /* owned */
    char *ip_family_policy;        /* owned */
    struct kj_strlist ip_families;
    char *internal_traffic_policy; /* owned */
    /* ignored: */
    struct kj_strlist external_ips; /* JSON "externalIPs" */
    char *external_name;            /* owned */
    char *external_traffic_policy;  /* owned */
    char *load_balancer_ip;         /* owned; JSON "loadBalancerIP" */
    cJSON *load_balancer_source_ranges;
    cJSON *session_affinity_config;
    bool has_publish_not_ready_addresses;
    bool publish_not_ready_addresses;
};

struct kj_service_status {
    cJSON *load_balancer; /* owned raw; always {} from kjob */
    cJSON *conditions;    /* owned raw */
};

struct kj_service {
    struct kj_object_meta metadata; /* first member: see codec.h */
    struct kj_service_spec spec;
    struct kj_service_status status;
};

/* ---- core/v1 Namespace ---- */

struct kj_namespace_spec {
    struct kj_strlist finalizers;
};

struct kj_namespace_status {
    char *phase;       /* owned: "Active" | "Terminating" */
    cJSON *conditions; /* owned raw */
};

struct kj_namespace {
    struct kj_object_meta metadata; /* first member: see codec.h */
    struct kj_namespace_spec spec;
    struct kj_namespace_status status;
};

/* ---- meta/v1 Status ---- */

struct kj_status_cause {
    char *reason;  /* owned, e.g. "FieldValueInvalid" */
    char *message; /* owned */
    char *field;   /* owned */
};

struct kj_status_details {
    char *name;  /* owned */
    char *group; /* owned */
    char *kind;  /* owned */
    char *uid;   /* owned */
    struct kj_status_cause *causes; /* owned */
    size_t n_causes;
    int32_t retry_after_seconds;
};

struct kj_status {
    struct kj_list_meta metadata; /* Status carries ListMeta; encoded as {} */
    char *status;  /* owned: "Success" | "Failure" */
    char *message; /* owned */
    char *reason;  /* owned, e.g. "NotFound" */
    bool has_details;
    struct kj_status_details details;
    int32_t code; /* HTTP status; omitted when 0 */
};

/* Release members and zero (safe on zeroed structs). */
void kj_event_clear(struct kj_event *e);
void kj_event_list_clear(struct kj_event_list *l);
void kj_replica_set_spec_clear(struct kj_replica_set_spec *s);
void kj_replica_set_status_clear(struct kj_replica_set_status *s);
void kj_replica_set_clear(struct kj_replica_set *r);
void kj_service_port_clear(struct kj_service_port *p);
void kj_service_spec_clear(struct kj_service_spec *s);
void kj_service_clear(struct kj_service *s);
void kj_namespace_clear(struct kj_namespace *n);
void kj_status_details_clear(struct kj_status_details *d);
void kj_status_clear(struct kj_status *s);

/* Deep copies: dst is cleared first; abort on OOM. */
void kj_event_copy(struct kj_event *dst, const struct kj_event *src);
void kj_replica_set_copy(struct kj_replica_set *dst, const struct kj_replica_set *src);
void kj_service_copy(struct kj_service *dst, const struct kj_service *src);
void kj_namespace_copy(struct kj_namespace *dst, const struct kj_namespace *src);

#endif
