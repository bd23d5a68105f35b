/* ReplicaSet and Service validation; see validate_queue.h. */
#include "api/validate_queue.h"

#include <stdio.h>
#include <string.h>

#include "api/names.h"
#include "api/validate.h" /* kj_dns1035_label_check */
#include "api/selector.h"
#include "api/validate-internal.h"

/* metadata.name: required, then the kind's name syntax. */
static void name_check(const char *name, struct kj_field_errors *errs,
                       size_t (*check)(const char *, struct kj_strlist *))
{
    if (name == NULL || name[0] == '\0')
        kj_fe_required(errs, "metadata.name", "name or generateName is required");
    else
        kj_v_check_msgs(errs, "metadata.name", name, check);
}

static void template_check(const struct kj_replica_set_spec *s, struct kj_field_errors *errs)
{
    const struct kj_pod_spec *ps = &s->template_.spec;
    static const char *const always[] = {"Always", NULL};
    /* An unset policy is defaulted to Always before this matters. */
    if (ps->restart_policy != NULL && strcmp(ps->restart_policy, "Always") != 0)
        kj_fe_not_supported(errs, "spec.template.spec.restartPolicy", ps->restart_policy, always);
    if (ps->n_containers == 0)
        kj_fe_required(errs, "spec.template.spec.containers", "");
    char p[96];
    for (size_t i = 0; i < ps->n_containers; i++) {
        const struct kj_container *c = &ps->containers[i];
        if (c->name == NULL || c->name[0] == '\0')
            kj_fe_required(errs, kj_v_pathf(p, sizeof p, "spec.template.spec.containers[%zu].name", i), "");
        if (c->image == NULL || c->image[0] == '\0')
            kj_fe_required(errs, kj_v_pathf(p, sizeof p, "spec.template.spec.containers[%zu].image", i), "");
    }
}

size_t kj_replica_set_validate(const struct kj_replica_set *rs, struct kj_field_errors *errs)
{
    size_t before = errs->len;
    const struct kj_replica_set_spec *s = &rs->spec;
    name_check(rs->metadata.name, errs, kj_dns1123_subdomain_check);
    if (s->has_replicas && s->replicas < 0)
        kj_fe_invalid_int(errs, "spec.replicas", s->replicas, "must be greater than or equal to 0");
    if (s->min_ready_seconds < 0)
        kj_fe_invalid_int(errs, "spec.minReadySeconds", s->min_ready_seconds,
                          "must be greater than or equal to 0");
    if (!s->has_selector ||
        (s->selector.match_labels.len == 0 && s->selector.n_match_expressions == 0)) {
        kj_fe_required(errs, "spec.selector", "");
    } else {
        kj_error_t err = NULL;
        int m = kj_label_selector_matches(&s->selector, &s->template_.metadata.labels, &err);
        if (m < 0) {
            kj_fe_invalid_omit(errs, "spec.selector", err != NULL ? err->msg : "invalid selector");
            kj_error_release(&err);
        } else if (m == 0) {
            cJSON *v = kj_v_labels_json(&s->template_.metadata.labels);
            kj_fe_invalid_json(errs, "spec.template.metadata.labels", v,
                               "`selector` does not match template `labels`");
            cJSON_Delete(v);
        }
    }
    template_check(s, errs);
    return errs->len - before;
}

/* spec.ports[i].nodePort: only NodePort and LoadBalancer Services have
 * one, a valid port number, unique per protocol. Range and allocation
 * are the API server's (kj_svc_node_ports_assign). */
static void node_port_check(const struct kj_service_spec *s, const char *type, size_t i,
                            struct kj_field_errors *errs)
{
    const struct kj_service_port *sp = &s->ports[i];
    if (sp->node_port == 0)
        return;
    char p[64];
    kj_v_pathf(p, sizeof p, "spec.ports[%zu].nodePort", i);
    if (strcmp(type, "NodePort") != 0 && strcmp(type, "LoadBalancer") != 0) {
        char msg[80];
        snprintf(msg, sizeof msg, "may not be used when `type` is '%s'", type);
        kj_fe_forbidden(errs, p, msg);
        return;
    }
    if (sp->node_port < 0 || sp->node_port > 65535) {
        kj_fe_invalid_int(errs, p, sp->node_port, "must be between 1 and 65535, inclusive");
        return;
    }
    const char *proto = sp->protocol != NULL ? sp->protocol : "TCP";
    for (size_t j = 0; j < i; j++) {
        const char *pj = s->ports[j].protocol != NULL ? s->ports[j].protocol : "TCP";
        if (s->ports[j].node_port == sp->node_port && strcmp(pj, proto) == 0) {
            kj_fe_duplicate_int(errs, p, sp->node_port);
            return;
        }
    }
}

size_t kj_service_validate(const struct kj_service *svc, struct kj_field_errors *errs)
{
    static const char *const types[] = {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort", NULL};
    static const char *const protocols[] = {"SCTP", "TCP", "UDP", NULL};
    size_t before = errs->len;
    const struct kj_service_spec *s = &svc->spec;
    name_check(svc->metadata.name, errs, kj_dns1035_label_check);
    const char *type = s->type != NULL ? s->type : "ClusterIP";
    if (!kj_v_one_of(type, types))
        kj_fe_not_supported(errs, "spec.type", type, types);
    bool headless = s->cluster_ip != NULL && strcmp(s->cluster_ip, "None") == 0;
    if (s->n_ports == 0 && !headless && strcmp(type, "ExternalName") != 0)
        kj_fe_required(errs, "spec.ports", "");
    char p[64];
    for (size_t i = 0; i < s->n_ports; i++) {
        const struct kj_service_port *sp = &s->ports[i];
        if (sp->port < 1 || sp->port > 65535)
            kj_fe_invalid_int(errs, kj_v_pathf(p, sizeof p, "spec.ports[%zu].port", i), sp->port,
                              "must be between 1 and 65535, inclusive");
        if (sp->protocol != NULL && !kj_v_one_of(sp->protocol, protocols))
            kj_fe_not_supported(errs, kj_v_pathf(p, sizeof p, "spec.ports[%zu].protocol", i),
                                sp->protocol, protocols);
        node_port_check(s, type, i, errs);
    }
    return errs->len - before;
}
