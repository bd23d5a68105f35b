#include "kubeapi/resources.h"

#include <stdio.h>
#include <string.h>

static const char *const crud_verbs[] = {"create", "delete", "deletecollection", "get", "list",
                                         "patch", "update", "watch", NULL};
static const char *const status_verbs[] = {"get", "patch", "update", NULL};
static const char *const get_verbs[] = {"get", NULL};
static const char *const create_verbs[] = {"create", NULL};
/* kjob's controllers write events; clients read and delete them. */
static const char *const event_verbs[] = {"delete", "deletecollection", "get", "list", "watch",
                                          NULL};
static const char *const ns_verbs[] = {"create", "delete", "get", "list", "patch", "update",
                                       "watch", NULL};
static const char *const pod_short[] = {"po", NULL};
static const char *const cm_short[] = {"cm", NULL};
static const char *const event_short[] = {"ev", NULL};
static const char *const ns_short[] = {"ns", NULL};
static const char *const rs_short[] = {"rs", NULL};
static const char *const svc_short[] = {"svc", NULL};
static const char *const proxy_verbs[] = {"create", "delete", "get", "patch", "update", NULL};

static const struct kj_api_resource table[] = {
    {"", "v1", "configmaps", "configmap", "ConfigMap", "ConfigMapList", true, crud_verbs, cm_short,
     false, "io.k8s.api.core.v1.ConfigMap"},
    {"", "v1", "events", "event", "Event", "EventList", true, event_verbs, event_short, false,
     "io.k8s.api.core.v1.Event"},
    {"", "v1", "namespaces", "namespace", "Namespace", "NamespaceList", false, ns_verbs, ns_short,
     false, "io.k8s.api.core.v1.Namespace"},
    {"", "v1", "pods", "pod", "Pod", "PodList", true, crud_verbs, pod_short, true,
     "io.k8s.api.core.v1.Pod"},
    {"", "v1", "pods/eviction", "", "Eviction", NULL, true, create_verbs, NULL, false, NULL},
    {"", "v1", "pods/log", "", "Pod", NULL, true, get_verbs, NULL, false, NULL},
    {"", "v1", "pods/status", "", "Pod", NULL, true, status_verbs, NULL, false, NULL},
    {"", "v1", "secrets", "secret", "Secret", "SecretList", true, crud_verbs, NULL, false,
     "io.k8s.api.core.v1.Secret"},
    {"", "v1", "services", "service", "Service", "ServiceList", true, crud_verbs, svc_short, true,
     "io.k8s.api.core.v1.Service"},
    {"", "v1", "services/proxy", "", "ServiceProxyOptions", NULL, true, proxy_verbs, NULL, false,
     NULL},
    {"", "v1", "services/status", "", "Service", NULL, true, status_verbs, NULL, false, NULL},
    {"apps", "v1", "replicasets", "replicaset", "ReplicaSet", "ReplicaSetList", true, crud_verbs,
     rs_short, true, "io.k8s.api.apps.v1.ReplicaSet"},
    {"apps", "v1", "replicasets/scale", "", "Scale", NULL, true, status_verbs, NULL, false, NULL},
    {"apps", "v1", "replicasets/status", "", "ReplicaSet", NULL, true, status_verbs, NULL, false,
     NULL},
    {"batch", "v1", "jobs", "job", "Job", "JobList", true, crud_verbs, NULL, true,
     "io.k8s.api.batch.v1.Job"},
    {"batch", "v1", "jobs/status", "", "Job", NULL, true, status_verbs, NULL, false, NULL},
};

const struct kj_api_resource *kj_resources(size_t *n)
{
    *n = sizeof(table) / sizeof(table[0]);
    return table;
}

const struct kj_api_resource *kj_resource_find(const char *group, const char *version,
                                           const char *name)
{
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (strcmp(table[i].group, group) == 0 && strcmp(table[i].version, version) == 0 &&
            strcmp(table[i].name, name) == 0)
            return &table[i];
    }
    return NULL;
}

size_t kj_resource_group_versions(const char **groups, const char **versions, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        bool seen = false;
        for (size_t j = 0; j < n && !seen; j++)
            seen = strcmp(groups[j], table[i].group) == 0 &&
                   strcmp(versions[j], table[i].version) == 0;
        if (!seen && n < cap) {
            groups[n] = table[i].group;
            versions[n] = table[i].version;
            n++;
        }
    }
    return n;
}

const struct kj_api_resource *kj_resource_resolve(const char *typed)
{
    size_t n = sizeof(table) / sizeof(table[0]);
    for (size_t i = 0; i < n; i++) {
        const struct kj_api_resource *r = &table[i];
        if (strchr(r->name, '/') != NULL)
            continue;
        size_t plen = strlen(r->name);
        bool match = strcmp(typed, r->name) == 0 || strcmp(typed, r->singular) == 0 ||
                     strcasecmp(typed, r->kind) == 0 ||
                     (r->group[0] != '\0' && strncmp(typed, r->name, plen) == 0 &&
                      typed[plen] == '.' && strcmp(typed + plen + 1, r->group) == 0);
        for (size_t j = 0; !match && r->short_names != NULL && r->short_names[j] != NULL; j++)
            match = strcmp(typed, r->short_names[j]) == 0;
        if (match)
            return r;
    }
    return NULL;
}

int kj_resource_path(const struct kj_api_resource *r, const char *ns, char *buf, size_t len)
{
    const char *slash = strchr(r->name, '/');
    int plen = slash ? (int)(slash - r->name) : (int)strlen(r->name);
    const char *g = r->group[0] ? "/apis/" : "/api";
    const char *gsep = ""; /* "/apis/" already ends with the separator */
    if (ns != NULL && r->namespaced)
        return snprintf(buf, len, "%s%s%s/%s/namespaces/%s/%.*s", g, r->group, gsep, r->version,
                        ns, plen, r->name);
    return snprintf(buf, len, "%s%s%s/%s/%.*s", g, r->group, gsep, r->version, plen, r->name);
}
