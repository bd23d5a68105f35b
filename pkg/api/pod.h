/* core/v1 Pod, PodSpec, PodTemplateSpec, Container and the Pod status kjob
 * reports. Conventions: meta.h. Fields marked "ignored" are known Kubernetes
 * fields Docker cannot honour: they are decoded (kept raw so they round-trip)
 * and their paths are reported in the decoder's `ignored` list so the server
 * can warn.
 */
#ifndef KJ_API_POD_H
#define KJ_API_POD_H

#include <cjson/cJSON.h> /* cJSON */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/meta.h"     /* kj_object_meta, kj_condition */
#include "api/quantity.h" /* kj_quantity */
#include "api/strlist.h"  /* kj_strlist, kj_labels */

/* env[].valueFrom.fieldRef (downward API). */
struct kj_object_field_selector {
    char *api_version; /* owned */
    char *field_path;  /* owned, e.g. "metadata.labels['x']" */
};

struct kj_env_var_source {
    bool has_field_ref;
    struct kj_object_field_selector field_ref;
    cJSON *resource_field_ref;  /* owned raw; read by the runtime */
    cJSON *config_map_key_ref;  /* owned raw; read by the runtime */
    cJSON *secret_key_ref;      /* owned raw; read by the runtime */
};

struct kj_env_var {
    char *name;  /* owned */
    char *value; /* owned; NULL = unset */
    bool has_value_from;
    struct kj_env_var_source value_from;
};

struct kj_container_port {
    char *name; /* owned */
    int32_t host_port;      /* 0 = omitted */
    int32_t container_port;
    char *protocol; /* owned; "TCP" | "UDP" | "SCTP" */
    char *host_ip;  /* owned; JSON "hostIP" */
};

/* One entry of a ResourceList (limits/requests): "cpu" -> 500m. */
struct kj_resource {
    char *name; /* owned */
    struct kj_quantity quantity;
};

/* map[ResourceName]Quantity, kept sorted by name like kj_labels. */
struct kj_resource_list {
    struct kj_resource *items; /* owned */
    size_t len;
};

struct kj_resource_requirements {
    struct kj_resource_list limits;
    struct kj_resource_list requests;
    cJSON *claims; /* owned raw; ignored */
};

struct kj_volume_mount {
    char *name;       /* owned */
    bool read_only;
    char *mount_path; /* owned */
    char *sub_path;   /* owned */
    char *mount_propagation; /* owned; ignored */
};

struct kj_container {
    char *name;  /* owned */
    char *image; /* owned */
    struct kj_strlist command;
    struct kj_strlist args;
    char *working_dir; /* owned */
    struct kj_container_port *ports; /* owned */
    size_t n_ports;
    struct kj_env_var *env; /* owned */
    size_t n_env;
    struct kj_resource_requirements resources;
    struct kj_volume_mount *volume_mounts; /* owned */
    size_t n_volume_mounts;
    char *termination_message_path;   /* owned */
    char *termination_message_policy; /* owned: "File" | "FallbackToLogsOnError" */
    char *image_pull_policy;          /* owned: "Always" | "IfNotPresent" | "Never" */
    char *restart_policy;             /* owned; sidecar init containers ("Always") */
    bool stdin_;     /* JSON "stdin" */
    bool stdin_once;
    bool tty;
    cJSON *env_from; /* raw; read by the runtime */
    /* ignored (raw): */
    cJSON *liveness_probe;
    cJSON *readiness_probe;
    cJSON *startup_probe;
    cJSON *lifecycle;
    cJSON *security_context;
    cJSON *volume_devices;
    cJSON *resize_policy;
};

struct kj_empty_dir_volume {
    char *medium; /* owned */
    bool has_size_limit;
    struct kj_quantity size_limit;
};

struct kj_host_path_volume {
    char *path; /* owned */
    char *type; /* owned; e.g. "DirectoryOrCreate" */
};

/* A volume: emptyDir and hostPath are typed; the other sources are kept raw
 * and reported as ignored. */
struct kj_volume {
    char *name; /* owned */
    bool has_empty_dir;
    struct kj_empty_dir_volume empty_dir;
    bool has_host_path;
    struct kj_host_path_volume host_path;
    cJSON *config_map;              /* owned raw; read by the runtime */
    cJSON *secret;                  /* owned raw; read by the runtime */
    cJSON *persistent_volume_claim; /* owned raw; ignored */
    cJSON *projected;               /* owned raw; ignored */
    cJSON *downward_api;            /* owned raw; read by the runtime; JSON "downwardAPI" */
    cJSON *ephemeral;               /* owned raw; ignored */
    cJSON *csi;                     /* owned raw; ignored */
    cJSON *nfs;                     /* owned raw; ignored */
};

struct kj_pod_spec {
    struct kj_container *init_containers; /* owned; decoded so they can be refused */
    size_t n_init_containers;
    struct kj_container *containers; /* owned */
    size_t n_containers;
    struct kj_volume *volumes; /* owned */
    size_t n_volumes;
    char *restart_policy; /* owned: "Always" | "OnFailure" | "Never" */
    bool has_termination_grace_period_seconds;
    int64_t termination_grace_period_seconds;
    bool has_active_deadline_seconds;
    int64_t active_deadline_seconds;
    char *dns_policy;     /* owned */
    char *node_name;      /* owned; set by kjob on reported pods */
    char *hostname;       /* owned */
    char *subdomain;      /* owned */
    char *scheduler_name; /* owned */
    /* ignored: */
    struct kj_labels node_selector; /* typed (the controller may check it), still reported */
    char *service_account_name;     /* owned */
    char *service_account;          /* owned; deprecated alias */
    bool has_automount_service_account_token;
    bool automount_service_account_token;
    bool host_network;
    bool host_pid; /* JSON "hostPID" */
    bool host_ipc; /* JSON "hostIPC" */
    bool has_share_process_namespace;
    bool share_process_namespace;
    char *priority_class_name; /* owned */
    bool has_priority;
    int32_t priority;
    char *runtime_class_name; /* owned */
    bool has_enable_service_links;
    bool enable_service_links;
    char *preemption_policy; /* owned */
    cJSON *security_context; /* owned raw */
    cJSON *affinity;
    cJSON *tolerations;
    cJSON *image_pull_secrets;
    cJSON *dns_config;
    cJSON *host_aliases;
    cJSON *readiness_gates;
    cJSON *topology_spread_constraints;
    cJSON *overhead;
    cJSON *os;
    cJSON *scheduling_gates;
    cJSON *resource_claims;
    cJSON *ephemeral_containers;
    bool has_set_hostname_as_fqdn;
    bool set_hostname_as_fqdn; /* JSON "setHostnameAsFQDN" */
};

struct kj_pod_template_spec {
    struct kj_object_meta metadata;
    struct kj_pod_spec spec;
};

struct kj_pod_container_state_waiting {
    char *reason;  /* owned */
    char *message; /* owned */
};

struct kj_pod_container_state_running {
    int64_t started_at; /* ns */
};

struct kj_pod_container_state_terminated {
    int32_t exit_code; /* always encoded */
    int32_t signal;
    char *reason;  /* owned */
    char *message; /* owned */
    int64_t started_at;  /* ns */
    int64_t finished_at; /* ns */
    char *container_id;  /* owned; JSON "containerID" */
};

/* At most one member is set in practice; encoded as {} when none is. */
struct kj_pod_container_state {
    bool has_waiting;
    struct kj_pod_container_state_waiting waiting;
    bool has_running;
    struct kj_pod_container_state_running running;
    bool has_terminated;
    struct kj_pod_container_state_terminated terminated;
};

struct kj_container_status {
    char *name; /* owned */
    struct kj_pod_container_state state;
    struct kj_pod_container_state last_state; /* JSON "lastState" */
    bool ready;          /* always encoded */
    int32_t restart_count; /* always encoded */
    char *image;         /* owned */
    char *image_id;      /* owned; JSON "imageID" */
    char *container_id;  /* owned; JSON "containerID" */
    bool has_started;
    bool started;
};

struct kj_pod_ip {
    char *ip; /* owned */
};

struct kj_pod_status {
    char *phase; /* owned: Pending | Running | Succeeded | Failed | Unknown */
    struct kj_condition *conditions; /* owned */
    size_t n_conditions;
    char *message; /* owned */
    char *reason;  /* owned */
    char *nominated_node_name; /* owned */
    char *host_ip; /* owned; JSON "hostIP" */
    char *pod_ip;  /* owned; JSON "podIP" */
    struct kj_pod_ip *pod_ips; /* owned; JSON "podIPs" */
    size_t n_pod_ips;
    int64_t start_time; /* ns */
    struct kj_container_status *init_container_statuses; /* owned */
    size_t n_init_container_statuses;
    struct kj_container_status *container_statuses; /* owned */
    size_t n_container_statuses;
    char *qos_class; /* owned; JSON "qosClass" */
};

struct kj_pod {
    struct kj_object_meta metadata; /* first member: see codec.h */
    struct kj_pod_spec spec;
    struct kj_pod_status status;
};

struct kj_pod_list {
    struct kj_list_meta metadata;
    struct kj_pod *items; /* owned */
    size_t n_items;
};

/* Release members and zero (safe on zeroed structs). */
void kj_container_clear(struct kj_container *c);
void kj_volume_clear(struct kj_volume *v);
void kj_pod_spec_clear(struct kj_pod_spec *s);
void kj_pod_template_spec_clear(struct kj_pod_template_spec *t);
void kj_container_status_clear(struct kj_container_status *s);
void kj_pod_status_clear(struct kj_pod_status *s);
void kj_pod_clear(struct kj_pod *p);
void kj_pod_list_clear(struct kj_pod_list *l);
void kj_resource_list_clear(struct kj_resource_list *l);
void kj_env_var_clear(struct kj_env_var *e);
void kj_container_port_clear(struct kj_container_port *p);
void kj_volume_mount_clear(struct kj_volume_mount *m);
void kj_resource_requirements_clear(struct kj_resource_requirements *r);
void kj_pod_container_state_clear(struct kj_pod_container_state *s);

/* Deep copies: dst is cleared first; abort on OOM. */
void kj_container_copy(struct kj_container *dst, const struct kj_container *src);
void kj_pod_spec_copy(struct kj_pod_spec *dst, const struct kj_pod_spec *src);
void kj_pod_template_spec_copy(struct kj_pod_template_spec *dst,
                               const struct kj_pod_template_spec *src);
void kj_pod_status_copy(struct kj_pod_status *dst, const struct kj_pod_status *src);
void kj_pod_copy(struct kj_pod *dst, const struct kj_pod *src);

/* Lookup in limits/requests by name ("cpu", "memory"); NULL if absent. */
const struct kj_quantity *kj_resource_list_get(const struct kj_resource_list *l, const char *name);
/* Insert or replace. */
void kj_resource_list_set(struct kj_resource_list *l, const char *name, const struct kj_quantity *q);

#endif
