/* Pod template validation: the part of core/v1 ValidatePodTemplateSpec /
 * ValidatePodSpec a Docker daemon can act on (§1.4 "Pod template"), plus
 * kjob's one-container rule. Order follows upstream: labels, annotations,
 * volumes, containers, init containers, restartPolicy, dnsPolicy,
 * nodeSelector, serviceAccountName, activeDeadlineSeconds, hostname,
 * subdomain. */
#include "api/validate.h"

#include <ctype.h>  /* isspace */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* free */
#include <string.h>

#include "api/validate-internal.h"
#include "util/xalloc.h"

static bool empty(const char *s)
{
    return s == NULL || s[0] == '\0';
}

/* Required when empty, NotSupported when not in `set`. The path is
 * `<prefix>.<child>`, formatted only for an error (validation of a valid
 * object is on every request's path). */
static void enum_field(struct kj_field_errors *errs, const char *prefix, const char *child,
                       const char *v, const char *const *set, const char *required_detail)
{
    if (!empty(v) && kj_v_one_of(v, set))
        return;
    char path[320];
    kj_v_pathf(path, sizeof(path), "%s.%s", prefix, child);
    if (empty(v))
        kj_fe_required(errs, path, required_detail);
    else
        kj_fe_not_supported(errs, path, v, set);
}

static const char port_range[] = "must be between 1 and 65535, inclusive";

static void port_name(struct kj_field_errors *errs, const char *path, const char *name)
{
    size_t n = strlen(name);
    if (n > 15)
        kj_fe_invalid_str(errs, path, name, "must be no more than 15 bytes");
    if (strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
        kj_fe_invalid_str(errs, path, name,
                          "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    if (strpbrk(name, "abcdefghijklmnopqrstuvwxyz") == NULL)
        kj_fe_invalid_str(errs, path, name, "must contain at least one letter (a-z)");
    if (strstr(name, "--") != NULL)
        kj_fe_invalid_str(errs, path, name, "must not contain consecutive hyphens");
    if (n > 0 && (name[0] == '-' || name[n - 1] == '-'))
        kj_fe_invalid_str(errs, path, name, "must not begin or end with a hyphen");
}

static bool port_name_ok(const char *name)
{
    struct kj_field_errors tmp;
    kj_field_errors_init(&tmp);
    port_name(&tmp, "", name);
    bool ok = tmp.len == 0;
    kj_field_errors_free(&tmp);
    return ok;
}

static void ports(const struct kj_container *c, const char *path, struct kj_field_errors *errs)
{
    static const char *const protocols[] = {"SCTP", "TCP", "UDP", NULL};
    char p[320];
    for (size_t i = 0; i < c->n_ports; i++) {
        const struct kj_container_port *port = &c->ports[i];
        if (!empty(port->name)) {
            kj_v_pathf(p, sizeof(p), "%s.ports[%zu].name", path, i);
            if (!port_name_ok(port->name)) {
                port_name(errs, p, port->name);
            } else {
                for (size_t j = 0; j < i; j++) {
                    if (c->ports[j].name && strcmp(c->ports[j].name, port->name) == 0) {
                        kj_fe_duplicate_str(errs, p, port->name);
                        break;
                    }
                }
            }
        }
        kj_v_pathf(p, sizeof(p), "%s.ports[%zu].containerPort", path, i);
        if (port->container_port == 0)
            kj_fe_required(errs, p, NULL);
        else if (port->container_port < 1 || port->container_port > 65535)
            kj_fe_invalid_int(errs, p, port->container_port, port_range);
        if (port->host_port != 0 && (port->host_port < 1 || port->host_port > 65535)) {
            kj_v_pathf(p, sizeof(p), "%s.ports[%zu].hostPort", path, i);
            kj_fe_invalid_int(errs, p, port->host_port, port_range);
        }
        kj_v_pathf(p, sizeof(p), "%s.ports[%zu]", path, i);
        enum_field(errs, p, "protocol", port->protocol, protocols, NULL);
    }
}

static void env(const struct kj_container *c, const char *path, struct kj_field_errors *errs)
{
    char p[320];
    for (size_t i = 0; i < c->n_env; i++) {
        const struct kj_env_var *e = &c->env[i];
        const char *name = e->name ? e->name : "";
        kj_v_pathf(p, sizeof(p), "%s.env[%zu].name", path, i);
        if (name[0] == '\0') {
            kj_fe_required(errs, p, NULL);
            kj_fe_invalid_str(errs, p, name, "environment variable name must be non-empty");
        }
        for (const unsigned char *q = (const unsigned char *)name; *q; q++) {
            if (*q < 0x20 || *q >= 0x7f || *q == '=') {
                kj_fe_invalid_str(errs, p, name,
                                  "a valid environment variable name must consist only of "
                                  "printable ASCII characters other than '='");
                break;
            }
        }
        if (!e->has_value_from)
            continue;
        const struct kj_env_var_source *vf = &e->value_from;
        if (vf->resource_field_ref != NULL) { /* upstream: before the count of sources */
            kj_v_pathf(p, sizeof(p), "%s.env[%zu].valueFrom.resourceFieldRef", path, i);
            kj_v_resource_field_ref(vf->resource_field_ref, p, false, errs);
        }
        kj_v_pathf(p, sizeof(p), "%s.env[%zu].valueFrom", path, i);
        int refs = vf->has_field_ref + (vf->resource_field_ref != NULL) +
                   (vf->config_map_key_ref != NULL) + (vf->secret_key_ref != NULL);
        if (refs == 0)
            kj_fe_invalid_str(errs, p, "",
                              "must specify one of: `fieldRef`, `resourceFieldRef`, "
                              "`configMapKeyRef` or `secretKeyRef`");
        else if (refs > 1)
            kj_fe_invalid_str(errs, p, "",
                              "may not have more than one field specified at a time");
        if (!empty(e->value))
            kj_fe_invalid_str(errs, p, "", "may not be specified when `value` is not empty");
    }
}

static bool volume_named(const struct kj_pod_spec *ps, const char *name)
{
    for (size_t i = 0; i < ps->n_volumes; i++)
        if (ps->volumes[i].name != NULL && strcmp(ps->volumes[i].name, name) == 0)
            return true;
    return false;
}

static void volume_mounts(const struct kj_container *c, const struct kj_pod_spec *ps,
                          const char *path, struct kj_field_errors *errs)
{
    char p[320];
    for (size_t i = 0; i < c->n_volume_mounts; i++) {
        const struct kj_volume_mount *m = &c->volume_mounts[i];
        const char *name = m->name ? m->name : "";
        kj_v_pathf(p, sizeof(p), "%s.volumeMounts[%zu].name", path, i);
        if (name[0] == '\0')
            kj_fe_required(errs, p, NULL);
        if (!volume_named(ps, name))
            kj_fe_not_found_str(errs, p, name);
        kj_v_pathf(p, sizeof(p), "%s.volumeMounts[%zu].mountPath", path, i);
        const char *mp = m->mount_path ? m->mount_path : "";
        if (mp[0] == '\0')
            kj_fe_required(errs, p, NULL);
        for (size_t j = 0; j < i; j++) {
            const char *other = c->volume_mounts[j].mount_path;
            if (strcmp(other ? other : "", mp) == 0) {
                kj_fe_invalid_str(errs, p, mp, "must be unique");
                break;
            }
        }
    }
}

static void resources(const struct kj_container *c, const char *path,
                      struct kj_field_errors *errs)
{
    const struct kj_resource_list *lists[2] = {&c->resources.limits, &c->resources.requests};
    const char *names[2] = {"limits", "requests"};
    for (int l = 0; l < 2; l++) {
        for (size_t i = 0; i < lists[l]->len; i++) {
            const struct kj_resource *r = &lists[l]->items[i];
            if (r->quantity.mantissa >= 0)
                continue;
            char *p = xasprintf("%s.resources.%s[%s]", path, names[l], r->name);
            char *q = kj_quantity_format(&r->quantity);
            kj_fe_invalid_str(errs, p, q, "must be greater than or equal to 0");
            free(q);
            free(p);
        }
    }
    for (size_t i = 0; i < c->resources.requests.len; i++) {
        const struct kj_resource *r = &c->resources.requests.items[i];
        const struct kj_quantity *lim = kj_resource_list_get(&c->resources.limits, r->name);
        if (lim == NULL || kj_quantity_cmp(&r->quantity, lim) <= 0)
            continue;
        char *p = xasprintf("%s.resources.requests", path);
        char *q = kj_quantity_format(&r->quantity);
        char *lq = kj_quantity_format(lim);
        char *d = xasprintf("must be less than or equal to %s limit of %s", r->name, lq);
        kj_fe_invalid_str(errs, p, q, d);
        free(d);
        free(lq);
        free(q);
        free(p);
    }
}

static void container(const struct kj_container *c, const struct kj_pod_spec *ps,
                      const char *path, struct kj_field_errors *errs)
{
    static const char *const tmp_policies[] = {"File", "FallbackToLogsOnError", NULL};
    static const char *const pull_policies[] = {"Always", "IfNotPresent", "Never", NULL};
    char p[320];
    if (empty(c->name) || kj_dns1123_label_check(c->name, NULL) > 0) {
        kj_v_pathf(p, sizeof(p), "%s.name", path);
        if (empty(c->name))
            kj_fe_required(errs, p, NULL);
        else
            kj_v_check_msgs(errs, p, c->name, kj_dns1123_label_check);
    }
    if (empty(c->image)) {
        kj_v_pathf(p, sizeof(p), "%s.image", path);
        kj_fe_required(errs, p, NULL);
    } else if (isspace((unsigned char)c->image[0]) ||
               isspace((unsigned char)c->image[strlen(c->image) - 1])) {
        kj_v_pathf(p, sizeof(p), "%s.image", path);
        kj_fe_invalid_str(errs, p, c->image, "must not have leading or trailing whitespace");
    }
    enum_field(errs, path, "terminationMessagePolicy", c->termination_message_policy,
               tmp_policies, "must be 'File' or 'FallbackToLogsOnError'");
    ports(c, path, errs);
    env(c, path, errs);
    volume_mounts(c, ps, path, errs);
    enum_field(errs, path, "imagePullPolicy", c->image_pull_policy, pull_policies, NULL);
    resources(c, path, errs);
}

static size_t volume_sources(const struct kj_volume *v)
{
    return (size_t)v->has_empty_dir + v->has_host_path + (v->config_map != NULL) +
           (v->secret != NULL) + (v->persistent_volume_claim != NULL) +
           (v->projected != NULL) + (v->downward_api != NULL) + (v->ephemeral != NULL) +
           (v->csi != NULL) + (v->nfs != NULL);
}

static void volumes(const struct kj_pod_spec *ps, const char *path, struct kj_field_errors *errs)
{
    char p[320];
    for (size_t i = 0; i < ps->n_volumes; i++) {
        const struct kj_volume *v = &ps->volumes[i];
        size_t n = volume_sources(v);
        kj_v_pathf(p, sizeof(p), "%s.volumes[%zu]", path, i);
        if (n == 0) {
            kj_fe_required(errs, p, "must specify a volume type");
        } else if (n > 1) {
            kj_fe_forbidden(errs, p, "may not specify more than 1 volume type");
        } else if (v->has_host_path && empty(v->host_path.path)) {
            kj_v_pathf(p, sizeof(p), "%s.volumes[%zu].hostPath.path", path, i);
            kj_fe_required(errs, p, NULL);
        }
        if (v->downward_api != NULL) {
            kj_v_pathf(p, sizeof(p), "%s.volumes[%zu].downwardAPI", path, i);
            kj_v_downward_volume(v->downward_api, p, errs);
        }
        kj_v_pathf(p, sizeof(p), "%s.volumes[%zu].name", path, i);
        if (empty(v->name))
            kj_fe_required(errs, p, NULL);
        else
            kj_v_check_msgs(errs, p, v->name, kj_dns1123_label_check);
        for (size_t j = 0; j < i; j++) {
            if (strcmp(ps->volumes[j].name ? ps->volumes[j].name : "",
                       v->name ? v->name : "") == 0) {
                kj_fe_duplicate_str(errs, p, v->name ? v->name : "");
                break;
            }
        }
    }
}

static void containers(const struct kj_pod_spec *ps, const char *path,
                       struct kj_field_errors *errs)
{
    char p[320];
    kj_v_pathf(p, sizeof(p), "%s.containers", path);
    if (ps->n_containers == 0) {
        kj_fe_required(errs, p, NULL);
        return;
    }
    for (size_t i = 0; i < ps->n_containers; i++) {
        const struct kj_container *c = &ps->containers[i];
        char cp[300];
        kj_v_pathf(cp, sizeof(cp), "%s.containers[%zu]", path, i);
        container(c, ps, cp, errs);
        if (!empty(c->restart_policy)) {
            char rp[320];
            kj_v_pathf(rp, sizeof(rp), "%s.restartPolicy", cp);
            kj_fe_forbidden(errs, rp, "may not be set for non-init containers");
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(ps->containers[j].name ? ps->containers[j].name : "",
                       c->name ? c->name : "") == 0) {
                char np[320];
                kj_v_pathf(np, sizeof(np), "%s.name", cp);
                kj_fe_duplicate_str(errs, np, c->name ? c->name : "");
                break;
            }
        }
    }
}

static bool name_taken(const struct kj_container *list, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].name ? list[i].name : "", name) == 0)
            return true;
    return false;
}

/* Init containers: like containers, names unique across both lists,
 * restartPolicy only Always (a sidecar), and no probes or lifecycle on the
 * ones that run to completion. */
static void init_containers(const struct kj_pod_spec *ps, const char *path,
                            struct kj_field_errors *errs)
{
    static const char *const always[] = {"Always", NULL};
    for (size_t i = 0; i < ps->n_init_containers; i++) {
        const struct kj_container *c = &ps->init_containers[i];
        char cp[300], fp[340];
        kj_v_pathf(cp, sizeof(cp), "%s.initContainers[%zu]", path, i);
        container(c, ps, cp, errs);
        const char *name = c->name ? c->name : "";
        if (name[0] != '\0' && (name_taken(ps->init_containers, i, name) ||
                                 name_taken(ps->containers, ps->n_containers, name)))
            kj_fe_duplicate_str(errs, kj_v_pathf(fp, sizeof(fp), "%s.name", cp), name);
        bool sidecar = !empty(c->restart_policy) && strcmp(c->restart_policy, "Always") == 0;
        if (!empty(c->restart_policy) && !sidecar)
            kj_fe_not_supported(errs, kj_v_pathf(fp, sizeof(fp), "%s.restartPolicy", cp),
                                c->restart_policy, always);
        if (sidecar)
            continue;
        const struct {
            const char *field;
            const cJSON *v;
        } sidecar_only[] = {{"lifecycle", c->lifecycle},
                            {"livenessProbe", c->liveness_probe},
                            {"readinessProbe", c->readiness_probe},
                            {"startupProbe", c->startup_probe}};
        for (size_t k = 0; k < sizeof sidecar_only / sizeof sidecar_only[0]; k++)
            if (sidecar_only[k].v != NULL && !cJSON_IsNull(sidecar_only[k].v))
                kj_fe_forbidden(errs, kj_v_pathf(fp, sizeof(fp), "%s.%s", cp, sidecar_only[k].field),
                                "may not be set for init containers without restartPolicy=Always");
    }
}

static void pod_spec(const struct kj_pod_spec *ps, const char *path,
                     struct kj_field_errors *errs)
{
    static const char *const restart[] = {"Always", "OnFailure", "Never", NULL};
    static const char *const dns[] = {"ClusterFirstWithHostNet", "ClusterFirst", "Default",
                                      "None", NULL};
    char p[320];
    volumes(ps, path, errs);
    containers(ps, path, errs);
    init_containers(ps, path, errs);
    enum_field(errs, path, "restartPolicy", ps->restart_policy, restart, NULL);
    enum_field(errs, path, "dnsPolicy", ps->dns_policy, dns, NULL);
    if (ps->node_selector.len > 0) {
        kj_v_pathf(p, sizeof(p), "%s.nodeSelector", path);
        kj_labels_validate(&ps->node_selector, p, errs);
    }
    if (!empty(ps->service_account_name)) {
        kj_v_pathf(p, sizeof(p), "%s.serviceAccountName", path);
        kj_v_check_msgs(errs, p, ps->service_account_name, kj_dns1123_subdomain_check);
    }
    if (ps->has_active_deadline_seconds &&
        (ps->active_deadline_seconds < 1 || ps->active_deadline_seconds > INT32_MAX)) {
        kj_v_pathf(p, sizeof(p), "%s.activeDeadlineSeconds", path);
        kj_fe_invalid_int(errs, p, ps->active_deadline_seconds,
                          "must be between 1 and 2147483647, inclusive");
    }
    if (!empty(ps->hostname)) {
        kj_v_pathf(p, sizeof(p), "%s.hostname", path);
        kj_v_check_msgs(errs, p, ps->hostname, kj_dns1123_label_check);
    }
    if (!empty(ps->subdomain)) {
        kj_v_pathf(p, sizeof(p), "%s.subdomain", path);
        kj_v_check_msgs(errs, p, ps->subdomain, kj_dns1123_label_check);
    }
}

size_t kj_pod_template_validate(const struct kj_pod_template_spec *t, const char *path,
                                struct kj_field_errors *errs)
{
    size_t before = errs->len;
    char p[256];
    if (t->metadata.labels.len > 0) {
        kj_v_pathf(p, sizeof(p), "%s.labels", path);
        kj_labels_validate(&t->metadata.labels, p, errs);
    }
    if (t->metadata.annotations.len > 0)
        kj_v_pathf(p, sizeof(p), "%s.annotations", path);
    /* Annotation keys: qualified names, case-insensitively (objectmeta). */
    for (size_t i = 0; i < t->metadata.annotations.len; i++) {
        const char *k = t->metadata.annotations.items[i].key;
        char *lower = xstrdup(k);
        for (char *q = lower; *q; q++)
            if (*q >= 'A' && *q <= 'Z')
                *q = (char)(*q - 'A' + 'a');
        struct kj_strlist msgs = {0};
        kj_qualified_name_check(lower, &msgs);
        for (size_t j = 0; j < msgs.len; j++)
            kj_fe_invalid_str(errs, p, k, msgs.items[j]);
        kj_strlist_clear(&msgs);
        free(lower);
    }
    kj_v_pathf(p, sizeof(p), "%s.spec", path);
    pod_spec(&t->spec, p, errs);
    return errs->len - before;
}
