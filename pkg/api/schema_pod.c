/* Field tables of pod.h's types (see schema.h). Order = upstream Go struct
 * order = JSON encoding order. IG marks fields Docker cannot honour. */
#include "api/pod.h"
#include "api/schema.h"

#define A KJ_FF_ALWAYS
#define IG KJ_FF_IGNORED
#define RAWO (KJ_FF_IGNORED | KJ_FF_RAW_OBJECT)
#define RAWA (KJ_FF_IGNORED | KJ_FF_RAW_ARRAY)
/* Kept raw, and honoured: the runtime reads them from the template JSON. */
#define KEPTO KJ_FF_RAW_OBJECT
#define KEPTA KJ_FF_RAW_ARRAY

#define S struct kj_object_field_selector
static const struct kj_field field_selector_fields[] = {
    F_STR(S, "apiVersion", api_version),
    F_STRX(S, "fieldPath", field_path, A, NULL),
};
static KJ_SCHEMA(field_selector_schema, S, "ObjectFieldSelector", "v1", field_selector_fields);
#undef S

#define S struct kj_env_var_source
static const struct kj_field env_var_source_fields[] = {
    F_OPT_OBJ(S, "fieldRef", field_ref, field_selector_schema),
    F_RAW(S, "resourceFieldRef", resource_field_ref, KEPTO, "v1.ResourceFieldSelector"),
    F_RAW(S, "configMapKeyRef", config_map_key_ref, KEPTO, "v1.ConfigMapKeySelector"),
    F_RAW(S, "secretKeyRef", secret_key_ref, KEPTO, "v1.SecretKeySelector"),
};
static KJ_SCHEMA(env_var_source_schema, S, "EnvVarSource", "v1", env_var_source_fields);
#undef S

#define S struct kj_env_var
static const struct kj_field env_var_fields[] = {
    F_STRX(S, "name", name, A, NULL),
    F_STR(S, "value", value),
    F_OPT_OBJ(S, "valueFrom", value_from, env_var_source_schema),
};
KJ_SCHEMA(kj_schema_env_var, S, "EnvVar", "v1", env_var_fields);
#undef S

#define S struct kj_container_port
static const struct kj_field container_port_fields[] = {
    F_STR(S, "name", name),
    F_I32(S, "hostPort", host_port, 0),
    F_I32(S, "containerPort", container_port, A),
    F_STRG(S, "protocol", protocol, "v1.Protocol"),
    F_STR(S, "hostIP", host_ip),
};
KJ_SCHEMA(kj_schema_container_port, S, "ContainerPort", "v1", container_port_fields);
#undef S

#define S struct kj_resource_requirements
static const struct kj_field resource_requirements_fields[] = {
    F_(  "limits", KJ_FT_RESOURCES, 0, S, limits, KJ_NO_OFF, KJ_NO_OFF, NULL, NULL),
    F_(  "requests", KJ_FT_RESOURCES, 0, S, requests, KJ_NO_OFF, KJ_NO_OFF, NULL, NULL),
    F_RAW(S, "claims", claims, RAWA, "[]v1.ResourceClaim"),
};
KJ_SCHEMA(kj_schema_resource_requirements, S, "ResourceRequirements", "v1",
                 resource_requirements_fields);
#undef S

#define S struct kj_volume_mount
static const struct kj_field volume_mount_fields[] = {
    F_STRX(S, "name", name, A, NULL),
    F_BOOL(S, "readOnly", read_only, 0),
    F_STRX(S, "mountPath", mount_path, A, NULL),
    F_STR(S, "subPath", sub_path),
    F_STRX(S, "mountPropagation", mount_propagation, IG, "v1.MountPropagationMode"),
};
KJ_SCHEMA(kj_schema_volume_mount, S, "VolumeMount", "v1", volume_mount_fields);
#undef S

#define S struct kj_container
static const struct kj_field container_fields[] = {
    F_STRX(S, "name", name, A, NULL),
    F_STR(S, "image", image),
    F_STRLIST(S, "command", command, 0),
    F_STRLIST(S, "args", args, 0),
    F_STR(S, "workingDir", working_dir),
    F_ARR(S, "ports", ports, 0, kj_schema_container_port),
    F_RAW(S, "envFrom", env_from, KEPTA, "[]v1.EnvFromSource"),
    F_ARR(S, "env", env, 0, kj_schema_env_var),
    F_OBJ(S, "resources", resources, kj_schema_resource_requirements),
    F_RAW(S, "resizePolicy", resize_policy, RAWA, "[]v1.ContainerResizePolicy"),
    F_STRG(S, "restartPolicy", restart_policy, "v1.ContainerRestartPolicy"),
    F_ARR(S, "volumeMounts", volume_mounts, 0, kj_schema_volume_mount),
    F_RAW(S, "volumeDevices", volume_devices, RAWA, "[]v1.VolumeDevice"),
    F_RAW(S, "livenessProbe", liveness_probe, RAWO, "v1.Probe"),
    F_RAW(S, "readinessProbe", readiness_probe, RAWO, "v1.Probe"),
    F_RAW(S, "startupProbe", startup_probe, RAWO, "v1.Probe"),
    F_RAW(S, "lifecycle", lifecycle, RAWO, "v1.Lifecycle"),
    F_STR(S, "terminationMessagePath", termination_message_path),
    F_STRG(S, "terminationMessagePolicy", termination_message_policy, "v1.TerminationMessagePolicy"),
    F_STRG(S, "imagePullPolicy", image_pull_policy, "v1.PullPolicy"),
    F_RAW(S, "securityContext", security_context, RAWO, "v1.SecurityContext"),
    F_BOOL(S, "stdin", stdin_, 0),
    F_BOOL(S, "stdinOnce", stdin_once, 0),
    F_BOOL(S, "tty", tty, 0),
};
KJ_SCHEMA(kj_schema_container, S, "Container", "v1", container_fields);
#undef S

#define S struct kj_empty_dir_volume
static const struct kj_field empty_dir_fields[] = {
    F_STRG(S, "medium", medium, "v1.StorageMedium"),
    F_("sizeLimit", KJ_FT_QUANTITY, 0, S, size_limit, offsetof(S, has_size_limit), KJ_NO_OFF, NULL, NULL),
};
static KJ_SCHEMA(empty_dir_schema, S, "EmptyDirVolumeSource", "v1", empty_dir_fields);
#undef S

#define S struct kj_host_path_volume
static const struct kj_field host_path_fields[] = {
    F_STRX(S, "path", path, A, NULL),
    F_STRG(S, "type", type, "v1.HostPathType"),
};
static KJ_SCHEMA(host_path_schema, S, "HostPathVolumeSource", "v1", host_path_fields);
#undef S

#define S struct kj_volume
static const struct kj_field volume_fields[] = {
    F_STRX(S, "name", name, A, NULL),
    F_OPT_OBJ(S, "hostPath", host_path, host_path_schema),
    F_OPT_OBJ(S, "emptyDir", empty_dir, empty_dir_schema),
    F_RAW(S, "secret", secret, KEPTO, "v1.SecretVolumeSource"),
    F_RAW(S, "nfs", nfs, RAWO, "v1.NFSVolumeSource"),
    F_RAW(S, "persistentVolumeClaim", persistent_volume_claim, RAWO,
          "v1.PersistentVolumeClaimVolumeSource"),
    F_RAW(S, "downwardAPI", downward_api, KEPTO, "v1.DownwardAPIVolumeSource"),
    F_RAW(S, "configMap", config_map, KEPTO, "v1.ConfigMapVolumeSource"),
    F_RAW(S, "projected", projected, RAWO, "v1.ProjectedVolumeSource"),
    F_RAW(S, "csi", csi, RAWO, "v1.CSIVolumeSource"),
    F_RAW(S, "ephemeral", ephemeral, RAWO, "v1.EphemeralVolumeSource"),
};
KJ_SCHEMA(kj_schema_volume, S, "Volume", "v1", volume_fields);
#undef S

#define S struct kj_pod_spec
static const struct kj_field pod_spec_fields[] = {
    F_ARR(S, "volumes", volumes, 0, kj_schema_volume),
    F_ARR(S, "initContainers", init_containers, 0, kj_schema_container),
    F_ARR(S, "containers", containers, 0, kj_schema_container),
    F_RAW(S, "ephemeralContainers", ephemeral_containers, RAWA, "[]v1.EphemeralContainer"),
    F_STRG(S, "restartPolicy", restart_policy, "v1.RestartPolicy"),
    F_OPT_I64(S, "terminationGracePeriodSeconds", termination_grace_period_seconds, 0),
    F_OPT_I64(S, "activeDeadlineSeconds", active_deadline_seconds, 0),
    F_STRG(S, "dnsPolicy", dns_policy, "v1.DNSPolicy"),
    F_LABELS(S, "nodeSelector", node_selector, IG),
    F_STRX(S, "serviceAccountName", service_account_name, IG, NULL),
    F_STRX(S, "serviceAccount", service_account, IG, NULL),
    F_OPT_BOOL(S, "automountServiceAccountToken", automount_service_account_token, IG),
    F_STR(S, "nodeName", node_name),
    F_BOOL(S, "hostNetwork", host_network, IG),
    F_BOOL(S, "hostPID", host_pid, IG),
    F_BOOL(S, "hostIPC", host_ipc, IG),
    F_OPT_BOOL(S, "shareProcessNamespace", share_process_namespace, IG),
    F_RAW(S, "securityContext", security_context, RAWO, "v1.PodSecurityContext"),
    F_RAW(S, "imagePullSecrets", image_pull_secrets, RAWA, "[]v1.LocalObjectReference"),
    F_STR(S, "hostname", hostname),
    F_STR(S, "subdomain", subdomain),
    F_RAW(S, "affinity", affinity, RAWO, "v1.Affinity"),
    F_STR(S, "schedulerName", scheduler_name),
    F_RAW(S, "tolerations", tolerations, RAWA, "[]v1.Toleration"),
    F_RAW(S, "hostAliases", host_aliases, RAWA, "[]v1.HostAlias"),
    F_STRX(S, "priorityClassName", priority_class_name, IG, NULL),
    F_OPT_I32(S, "priority", priority, IG),
    F_RAW(S, "dnsConfig", dns_config, RAWO, "v1.PodDNSConfig"),
    F_RAW(S, "readinessGates", readiness_gates, RAWA, "[]v1.PodReadinessGate"),
    F_STRX(S, "runtimeClassName", runtime_class_name, IG, NULL),
    F_OPT_BOOL(S, "enableServiceLinks", enable_service_links, 0),
    F_STRX(S, "preemptionPolicy", preemption_policy, IG, "v1.PreemptionPolicy"),
    F_RAW(S, "overhead", overhead, RAWO, "v1.ResourceList"),
    F_RAW(S, "topologySpreadConstraints", topology_spread_constraints, RAWA,
          "[]v1.TopologySpreadConstraint"),
    F_OPT_BOOL(S, "setHostnameAsFQDN", set_hostname_as_fqdn, IG),
    F_RAW(S, "os", os, RAWO, "v1.PodOS"),
    F_RAW(S, "schedulingGates", scheduling_gates, RAWA, "[]v1.PodSchedulingGate"),
    F_RAW(S, "resourceClaims", resource_claims, RAWA, "[]v1.PodResourceClaim"),
};
KJ_SCHEMA(kj_schema_pod_spec, S, "PodSpec", "v1", pod_spec_fields);
#undef S

#define S struct kj_pod_template_spec
static const struct kj_field pod_template_spec_fields[] = {
    F_OBJ(S, "metadata", metadata, kj_schema_object_meta),
    F_OBJ(S, "spec", spec, kj_schema_pod_spec),
};
KJ_SCHEMA(kj_schema_pod_template_spec, S, "PodTemplateSpec", "v1", pod_template_spec_fields);
#undef S

#define S struct kj_pod_container_state_waiting
static const struct kj_field waiting_fields[] = {
    F_STR(S, "reason", reason),
    F_STR(S, "message", message),
};
static KJ_SCHEMA(waiting_schema, S, "ContainerStateWaiting", "v1", waiting_fields);
#undef S

#define S struct kj_pod_container_state_running
static const struct kj_field running_fields[] = {
    F_TIME(S, "startedAt", started_at),
};
static KJ_SCHEMA(running_schema, S, "ContainerStateRunning", "v1", running_fields);
#undef S

#define S struct kj_pod_container_state_terminated
static const struct kj_field terminated_fields[] = {
    F_I32(S, "exitCode", exit_code, A),
    F_I32(S, "signal", signal, 0),
    F_STR(S, "reason", reason),
    F_STR(S, "message", message),
    F_TIME(S, "startedAt", started_at),
    F_TIME(S, "finishedAt", finished_at),
    F_STR(S, "containerID", container_id),
};
static KJ_SCHEMA(terminated_schema, S, "ContainerStateTerminated", "v1", terminated_fields);
#undef S

#define S struct kj_pod_container_state
static const struct kj_field state_fields[] = {
    F_OPT_OBJ(S, "waiting", waiting, waiting_schema),
    F_OPT_OBJ(S, "running", running, running_schema),
    F_OPT_OBJ(S, "terminated", terminated, terminated_schema),
};
KJ_SCHEMA(kj_schema_pod_container_state, S, "ContainerState", "v1", state_fields);
#undef S

#define S struct kj_container_status
static const struct kj_field container_status_fields[] = {
    F_STRX(S, "name", name, A, NULL),
    F_OBJ(S, "state", state, kj_schema_pod_container_state),
    F_OBJ(S, "lastState", last_state, kj_schema_pod_container_state),
    F_BOOL(S, "ready", ready, A),
    F_I32(S, "restartCount", restart_count, A),
    F_STRX(S, "image", image, A, NULL),
    F_STRX(S, "imageID", image_id, A, NULL),
    F_STR(S, "containerID", container_id),
    F_OPT_BOOL(S, "started", started, 0),
};
KJ_SCHEMA(kj_schema_container_status, S, "ContainerStatus", "v1", container_status_fields);
#undef S

#define S struct kj_pod_ip
static const struct kj_field pod_ip_fields[] = {
    F_STR(S, "ip", ip),
};
static KJ_SCHEMA(pod_ip_schema, S, "PodIP", "v1", pod_ip_fields);
#undef S

#define S struct kj_pod_status
static const struct kj_field pod_status_fields[] = {
    F_STRG(S, "phase", phase, "v1.PodPhase"),
    F_ARR(S, "conditions", conditions, 0, kj_schema_condition),
    F_STR(S, "message", message),
    F_STR(S, "reason", reason),
    F_STR(S, "nominatedNodeName", nominated_node_name),
    F_STR(S, "hostIP", host_ip),
    F_STR(S, "podIP", pod_ip),
    F_ARR(S, "podIPs", pod_ips, 0, pod_ip_schema),
    F_TIME(S, "startTime", start_time),
    F_ARR(S, "initContainerStatuses", init_container_statuses, 0, kj_schema_container_status),
    F_ARR(S, "containerStatuses", container_statuses, 0, kj_schema_container_status),
    F_STRG(S, "qosClass", qos_class, "v1.PodQOSClass"),
};
KJ_SCHEMA(kj_schema_pod_status, S, "PodStatus", "v1", pod_status_fields);
#undef S

#define S struct kj_pod
static const struct kj_field pod_fields[] = {
    F_TYPEMETA(S, "kind"),
    F_TYPEMETA(S, "apiVersion"),
    F_OBJ(S, "metadata", metadata, kj_schema_object_meta),
    F_OBJ(S, "spec", spec, kj_schema_pod_spec),
    F_OBJ(S, "status", status, kj_schema_pod_status),
};
KJ_SCHEMA(kj_schema_pod, S, "Pod", "v1", pod_fields);
#undef S

#define S struct kj_pod_list
static const struct kj_field pod_list_fields[] = {
    F_TYPEMETA(S, "kind"),
    F_TYPEMETA(S, "apiVersion"),
    F_OBJ(S, "metadata", metadata, kj_schema_list_meta),
    F_ARR(S, "items", items, A, kj_schema_pod),
};
KJ_SCHEMA(kj_schema_pod_list, S, "PodList", "v1", pod_list_fields);
#undef S
