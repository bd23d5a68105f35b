/* Field tables of core.h's types (see schema.h), in upstream Go struct order. */
#include "api/core.h"
#include "api/schema.h"

#define A KJ_FF_ALWAYS
#define IG KJ_FF_IGNORED

#define S struct kj_event_source
static const struct kj_field event_source_fields[] = {
    F_STR(S, "component", component),
    F_STR(S, "host", host),
};
static KJ_SCHEMA(event_source_schema, S, "EventSource", "v1", event_source_fields);
#undef S

#define S struct kj_event
static const struct kj_field event_fields[] = {
    F_TYPEMETA(S, "kind"),
    F_TYPEMETA(S, "apiVersion"),
    F_OBJ(S, "metadata", metadata, kj_schema_object_meta),
    F_OBJ(S, "involvedObject", involved_object, kj_schema_object_reference),
    F_STR(S, "reason", reason),
    F_STR(S, "message", message),
    F_OBJ(S, "source", source, event_source_schema),
    F_TIME(S, "firstTimestamp", first_timestamp),
    F_TIME(S, "lastTimestamp", last_timestamp),
    F_I32(S, "count", count, 0),
    F_STR(S, "type", type),
    F_("eventTime", KJ_FT_MICROTIME, KJ_FF_NULL_UNSET, S, event_time, KJ_NO_OFF, KJ_NO_OFF, NULL, NULL),
    F_RAW(S, "series", series, KJ_FF_RAW_OBJECT, "v1.EventSeries"),
    F_STR(S, "action", action),
    F_RAW(S, "related", related, KJ_FF_RAW_OBJECT, "v1.ObjectReference"),
    F_STR(S, "reportingComponent", reporting_component),
    F_STR(S, "reportingInstance", reporting_instance),
};
KJ_SCHEMA(kj_schema_event, S, "Event", "v1", event_fields);
#undef S

#define S struct kj_event_list
static const struct kj_field event_list_fields[] = {
    F_TYPEMETA(S, "kind"),
    F_TYPEMETA(S, "apiVersion"),
    F_OBJ(S, "metadata", metadata, kj_schema_list_meta),
    F_ARR(S, "items", items, A, kj_schema_event),
};
KJ_SCHEMA(kj_schema_event_list, S, "EventList", "v1", event_list_fields);
#undef S

#define S struct kj_replica_set_spec
static const struct kj_field rs_spec_fields[] = {
    F_OPT_I32(S, "replicas", replicas, 0),
    F_I32(S, "minReadySeconds", min_ready_seconds, 0),
    F_OPT_OBJ(S, "selector", selector, kj_schema_label_selector),
    F_OBJ(S, "template", template_, kj_schema_pod_template_spec),
};
KJ_SCHEMA(kj_schema_replica_set_spec, S, "ReplicaSetSpec", "v1", rs_spec_fields);
#undef S

#define S struct kj_replica_set_status
static const struct kj_field rs_status_fields[] = {
    F_I32(S, "replicas", replicas, A),
    F_I32(S, "fullyLabeledReplicas", fully_labeled_replicas, 0),
    F_I32(S, "readyReplicas", ready_replicas, 0),
    F_I32(S, "availableReplicas", available_replicas, 0),
    F_I64(S, "observedGeneration", observed_generation, 0),
    F_ARR(S, "conditions", conditions, 0, kj_schema_condition),
};
KJ_SCHEMA(kj_schema_replica_set_status, S, "ReplicaSetStatus", "v1", rs_status_fields);
#undef S

#define S struct kj_replica_set
static const struct kj_field rs_fields[] = {
    F_TYPEMETA(S, "kind"),
    F_TYPEMETA(S, "apiVersion"),
    F_OBJ(S, "metadata", metadata, kj_schema_object_meta),
    F_OBJ(S, "spec", spec, kj_schema_replica_set_spec),
    F_OBJ(S, "status", status, kj_schema_replica_set_status),
};
KJ_SCHEMA(kj_schema_replica_set, S, "ReplicaSet", "v1", rs_fields);
#undef S

#define S struct kj_service_port
static const struct kj_field service_port_fields[] = {
    F_STR(S, "name", name),
    F_STRG(S, "protocol", protocol, "v1.Protocol"),
    F_STR(S, "appProtocol", app_protocol),
    F_I32(S, "port", port, A),
    F_("targetPort", KJ_FT_INT_OR_STRING, 0, S, target_port, offsetof(S, has_target_port), KJ_NO_OFF,
       NULL, NULL),
    F_I32(S, "nodePort", node_port, IG),
};
KJ_SCHEMA(kj_schema_service_port, S, "ServicePort", "v1", service_port_fields);
#undef S

#define S struct kj_service_spec
static const struct kj_field service_spec_fields[] = {
    F_ARR(S, "ports", ports, 0, kj_schema_service_port),
    F_LABELS(S, "selector", selector, 0),
    F_STR(S, "clusterIP", cluster_ip),
    F_STRLIST(S, "clusterIPs", cluster_ips, 0),
    F_STRG(S, "type", type, "v1.ServiceType"),
    F_STRLIST(S, "externalIPs", external_ips, IG),
    F_STRG(S, "sessionAffinity", session_affinity, "v1.ServiceAffinity"),
    F_STRX(S, "loadBalancerIP", load_balancer_ip, IG, NULL),
    F_RAW(S, "loadBalancerSourceRanges", load_balancer_source_ranges, IG | KJ_FF_RAW_ARRAY, "[]string"),
    F_STRX(S, "externalName", external_name, IG, NULL),
    F_STRX(S, "externalTrafficPolicy", external_traffic_policy, IG, "v1.ServiceExternalTrafficPolicy"),
    F_OPT_BOOL(S, "publishNotReadyAddresses", publish_not_ready_addresses, 0),
    F_RAW(S, "sessionAffinityConfig", session_affinity_config, IG | KJ_FF_RAW_OBJECT,
          "v1.SessionAffinityConfig"),
    F_STRLIST(S, "ipFamilies", ip_families, 0),
    F_STRG(S, "ipFamilyPolicy", ip_family_policy, "v1.IPFamilyPolicy"),
    F_STRG(S, "internalTrafficPolicy", internal_traffic_policy, "v1.ServiceInternalTrafficPolicy"),
};
KJ_SCHEMA(kj_schema_service_spec, S, "ServiceSpec", "v1", service_spec_fields);
#undef S

#define S struct kj_service_status
static const struct kj_field service_status_fields[] = {
    F_RAW(S, "loadBalancer", load_balancer, KJ_FF_RAW_OBJECT, "v1.LoadBalancerStatus"),
    F_RAW(S, "conditions", conditions, KJ_FF_RAW_ARRAY, "[]v1.Condition"),
};
static KJ_SCHEMA(service_status_schema, S, "ServiceStatus", "v1", service_status_fields);
#undef S

#define S struct kj_service
static const struct kj_field service_fields[] = {
    F_TYPEMETA(S, "kind"),
    F_TYPEMETA(S, "apiVersion"),
    F_OBJ(S, "metadata", metadata, kj_schema_object_meta),
    F_OBJ(S, "spec", spec, kj_schema_service_spec),
    F_OBJ(S, "status", status, service_status_schema),
};
KJ_SCHEMA(kj_schema_service, S, "Service", "v1", service_fields);
#undef S

#define S struct kj_namespace_spec
static const struct kj_field ns_spec_fields[] = {
    F_STRLIST(S, "finalizers", finalizers, 0),
};
static KJ_SCHEMA(ns_spec_schema, S, "NamespaceSpec", "v1", ns_spec_fields);
#undef S

#define S struct kj_namespace_status
static const struct kj_field ns_status_fields[] = {
    F_STRG(S, "phase", phase, "v1.NamespacePhase"),
    F_RAW(S, "conditions", conditions, KJ_FF_RAW_ARRAY, "[]v1.NamespaceCondition"),
};
static KJ_SCHEMA(ns_status_schema, S, "NamespaceStatus", "v1", ns_status_fields);
#undef S

#define S struct kj_namespace
static const struct kj_field ns_fields[] = {
    F_TYPEMETA(S, "kind"),
    F_TYPEMETA(S, "apiVersion"),
    F_OBJ(S, "metadata", metadata, kj_schema_object_meta),
    F_OBJ(S, "spec", spec, ns_spec_schema),
    F_OBJ(S, "status", status, ns_status_schema),
};
KJ_SCHEMA(kj_schema_namespace, S, "Namespace", "v1", ns_fields);
#undef S

#define S struct kj_status_cause
static const struct kj_field cause_fields[] = {
    F_STRG(S, "reason", reason, "v1.CauseType"),
    F_STR(S, "message", message),
    F_STR(S, "field", field),
};
static KJ_SCHEMA(cause_schema, S, "StatusCause", "v1", cause_fields);
#undef S

#define S struct kj_status_details
static const struct kj_field details_fields[] = {
    F_STR(S, "name", name),
    F_STR(S, "group", group),
    F_STR(S, "kind", kind),
    F_STRG(S, "uid", uid, "types.UID"),
    F_ARR(S, "causes", causes, 0, cause_schema),
    F_I32(S, "retryAfterSeconds", retry_after_seconds, 0),
};
KJ_SCHEMA(kj_schema_status_details, S, "StatusDetails", "v1", details_fields);
#undef S

#define S struct kj_status
static const struct kj_field status_fields[] = {
    F_TYPEMETA(S, "kind"),
    F_TYPEMETA(S, "apiVersion"),
    F_OBJ(S, "metadata", metadata, kj_schema_list_meta),
    F_STR(S, "status", status),
    F_STR(S, "message", message),
    F_STRG(S, "reason", reason, "v1.StatusReason"),
    F_OPT_OBJ(S, "details", details, kj_schema_status_details),
    F_I32(S, "code", code, 0),
};
KJ_SCHEMA(kj_schema_status, S, "Status", "v1", status_fields);
#undef S
