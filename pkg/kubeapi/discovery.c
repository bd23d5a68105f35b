#include "kubeapi/discovery.h"

#include <stdio.h> /* snprintf */
#include <string.h>

#include "kubeapi/resources.h"

#define MAX_GV 16

bool kj_discovery_wants_aggregated(const char *accept, bool *beta)
{
    *beta = false;
    if (accept == NULL || strstr(accept, "as=APIGroupDiscoveryList") == NULL)
        return false;
    if (strstr(accept, "g=apidiscovery.k8s.io;v=v2;") != NULL)
        return true;
    if (strstr(accept, "g=apidiscovery.k8s.io;v=v2beta1;") != NULL) {
        *beta = true;
        return true;
    }
    return false;
}

cJSON *kj_discovery_version(void)
{
    cJSON *v = cJSON_CreateObject();
    cJSON_AddStringToObject(v, "major", KJ_KUBE_MAJOR);
    cJSON_AddStringToObject(v, "minor", KJ_KUBE_MINOR);
    cJSON_AddStringToObject(v, "gitVersion", KJ_KUBE_GIT_VERSION);
    cJSON_AddStringToObject(v, "gitCommit", "");
    cJSON_AddStringToObject(v, "gitTreeState", "clean");
    cJSON_AddStringToObject(v, "buildDate", "1970-01-01T00:00:00Z");
    cJSON_AddStringToObject(v, "goVersion", "");
    cJSON_AddStringToObject(v, "compiler", "gcc");
    cJSON_AddStringToObject(v, "platform", "linux/amd64");
    return v;
}

static cJSON *string_array(const char *const *items)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; items != NULL && items[i] != NULL; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(items[i]));
    return a;
}

static char *group_version(const char *group, const char *version, char *buf, size_t len)
{
    if (group[0] == '\0')
        snprintf(buf, len, "%s", version);
    else
        snprintf(buf, len, "%s/%s", group, version);
    return buf;
}

static cJSON *resource_list(const char *group, const char *version)
{
    size_t n;
    const struct kj_api_resource *r = kj_resources(&n);
    char gv[128];
    cJSON *list = cJSON_CreateObject();
    cJSON_AddStringToObject(list, "kind", "APIResourceList");
    cJSON_AddStringToObject(list, "apiVersion", "v1");
    cJSON_AddStringToObject(list, "groupVersion", group_version(group, version, gv, sizeof(gv)));
    cJSON *items = cJSON_AddArrayToObject(list, "resources");
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(r[i].group, group) != 0 || strcmp(r[i].version, version) != 0)
            continue;
        found = true;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", r[i].name);
        cJSON_AddStringToObject(o, "singularName", r[i].singular);
        cJSON_AddBoolToObject(o, "namespaced", r[i].namespaced);
        cJSON_AddStringToObject(o, "kind", r[i].kind);
        cJSON_AddItemToObject(o, "verbs", string_array(r[i].verbs));
        if (r[i].short_names != NULL)
            cJSON_AddItemToObject(o, "shortNames", string_array(r[i].short_names));
        if (r[i].in_all_category) {
            static const char *const all[] = {"all", NULL};
            cJSON_AddItemToObject(o, "categories", string_array(all));
        }
        cJSON_AddItemToArray(items, o);
    }
    if (!found) {
        cJSON_Delete(list);
        return NULL;
    }
    return list;
}

static cJSON *group_entry(const char *group, const char *version)
{
    char gv[128];
    cJSON *g = cJSON_CreateObject();
    cJSON_AddStringToObject(g, "name", group);
    cJSON *versions = cJSON_AddArrayToObject(g, "versions");
    cJSON *v = cJSON_CreateObject();
    cJSON_AddStringToObject(v, "groupVersion", group_version(group, version, gv, sizeof(gv)));
    cJSON_AddStringToObject(v, "version", version);
    cJSON_AddItemToArray(versions, v);
    cJSON_AddItemToObject(g, "preferredVersion", cJSON_Duplicate(v, true));
    return g;
}

cJSON *kj_discovery_legacy(const char *path)
{
    const char *groups[MAX_GV], *versions[MAX_GV];
    size_t ngv = kj_resource_group_versions(groups, versions, MAX_GV);

    if (strcmp(path, "/api") == 0) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "kind", "APIVersions");
        static const char *const v1[] = {"v1", NULL};
        cJSON_AddItemToObject(o, "versions", string_array(v1));
        cJSON *addrs = cJSON_AddArrayToObject(o, "serverAddressByClientCIDRs");
        cJSON *a = cJSON_CreateObject();
        cJSON_AddStringToObject(a, "clientCIDR", "0.0.0.0/0");
        cJSON_AddStringToObject(a, "serverAddress", "");
        cJSON_AddItemToArray(addrs, a);
        return o;
    }
    if (strcmp(path, "/apis") == 0) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "kind", "APIGroupList");
        cJSON_AddStringToObject(o, "apiVersion", "v1");
        cJSON *arr = cJSON_AddArrayToObject(o, "groups");
        for (size_t i = 0; i < ngv; i++)
            if (groups[i][0] != '\0')
                cJSON_AddItemToArray(arr, group_entry(groups[i], versions[i]));
        return o;
    }
    if (strcmp(path, "/api/v1") == 0)
        return resource_list("", "v1");
    if (strncmp(path, "/apis/", 6) == 0) {
        const char *rest = path + 6;
        const char *slash = strchr(rest, '/');
        for (size_t i = 0; i < ngv; i++) {
            size_t glen = strlen(groups[i]);
            if (glen == 0 || strncmp(rest, groups[i], glen) != 0)
                continue;
            if (slash == NULL && rest[glen] == '\0') {
                cJSON *g = group_entry(groups[i], versions[i]);
                cJSON_AddStringToObject(g, "kind", "APIGroup");
                cJSON_AddStringToObject(g, "apiVersion", "v1");
                return g;
            }
            if (slash == rest + glen && strcmp(slash + 1, versions[i]) == 0)
                return resource_list(groups[i], versions[i]);
        }
    }
    return NULL;
}

static cJSON *response_kind(const struct kj_api_resource *r)
{
    cJSON *k = cJSON_CreateObject();
    cJSON_AddStringToObject(k, "group", r->group);
    cJSON_AddStringToObject(k, "version", r->version);
    cJSON_AddStringToObject(k, "kind", r->kind);
    return k;
}

/* One APIVersionDiscovery: top-level resources with their subresources nested. */
static cJSON *version_discovery(const char *group, const char *version)
{
    size_t n;
    const struct kj_api_resource *r = kj_resources(&n);
    cJSON *v = cJSON_CreateObject();
    cJSON_AddStringToObject(v, "version", version);
    cJSON *resources = cJSON_AddArrayToObject(v, "resources");
    for (size_t i = 0; i < n; i++) {
        if (strcmp(r[i].group, group) != 0 || strcmp(r[i].version, version) != 0 ||
            strchr(r[i].name, '/') != NULL)
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "resource", r[i].name);
        cJSON_AddItemToObject(o, "responseKind", response_kind(&r[i]));
        cJSON_AddStringToObject(o, "scope", r[i].namespaced ? "Namespaced" : "Cluster");
        cJSON_AddStringToObject(o, "singularResource", r[i].singular);
        cJSON_AddItemToObject(o, "verbs", string_array(r[i].verbs));
        if (r[i].short_names != NULL)
            cJSON_AddItemToObject(o, "shortNames", string_array(r[i].short_names));
        if (r[i].in_all_category) {
            static const char *const all[] = {"all", NULL};
            cJSON_AddItemToObject(o, "categories", string_array(all));
        }
        size_t plen = strlen(r[i].name);
        cJSON *subs = NULL;
        for (size_t j = 0; j < n; j++) {
            if (strcmp(r[j].group, group) != 0 || strcmp(r[j].version, version) != 0 ||
                strncmp(r[j].name, r[i].name, plen) != 0 || r[j].name[plen] != '/')
                continue;
            if (subs == NULL)
                subs = cJSON_AddArrayToObject(o, "subresources");
            cJSON *s = cJSON_CreateObject();
            cJSON_AddStringToObject(s, "subresource", r[j].name + plen + 1);
            cJSON_AddItemToObject(s, "responseKind", response_kind(&r[j]));
            cJSON_AddItemToObject(s, "verbs", string_array(r[j].verbs));
            cJSON_AddItemToArray(subs, s);
        }
        cJSON_AddItemToArray(resources, o);
    }
    cJSON_AddStringToObject(v, "freshness", "Current");
    return v;
}

cJSON *kj_discovery_aggregated(const char *path, bool beta)
{
    bool core = strcmp(path, "/api") == 0;
    if (!core && strcmp(path, "/apis") != 0)
        return NULL;
    const char *groups[MAX_GV], *versions[MAX_GV];
    size_t ngv = kj_resource_group_versions(groups, versions, MAX_GV);

    cJSON *list = cJSON_CreateObject();
    cJSON_AddStringToObject(list, "kind", "APIGroupDiscoveryList");
    cJSON_AddStringToObject(list, "apiVersion",
                            beta ? "apidiscovery.k8s.io/v2beta1" : "apidiscovery.k8s.io/v2");
    cJSON_AddObjectToObject(list, "metadata");
    cJSON *items = cJSON_AddArrayToObject(list, "items");
    for (size_t i = 0; i < ngv; i++) {
        if ((groups[i][0] == '\0') != core)
            continue;
        cJSON *g = cJSON_CreateObject();
        cJSON *meta = cJSON_AddObjectToObject(g, "metadata");
        if (!core)
            cJSON_AddStringToObject(meta, "name", groups[i]);
        cJSON_AddNullToObject(meta, "creationTimestamp");
        cJSON *vs = cJSON_AddArrayToObject(g, "versions");
        cJSON_AddItemToArray(vs, version_discovery(groups[i], versions[i]));
        cJSON_AddItemToArray(items, g);
    }
    return list;
}
