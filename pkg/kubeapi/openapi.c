#include "kubeapi/openapi.h"

#include <openssl/evp.h> /* EVP_Digest, EVP_sha256 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/codec.h" /* kj_kind_openapi */
#include "kubeapi/resources.h"

#define MAX_GV 16

static void gv_path(const char *group, const char *version, char *buf, size_t len)
{
    if (group[0] == '\0')
        snprintf(buf, len, "api/%s", version);
    else
        snprintf(buf, len, "apis/%s/%s", group, version);
}

static cJSON *query_param(const char *name, const char *type)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "name", name);
    cJSON_AddStringToObject(p, "in", "query");
    cJSON *schema = cJSON_AddObjectToObject(p, "schema");
    cJSON_AddStringToObject(schema, "type", type);
    cJSON_AddBoolToObject(p, "uniqueItems", true);
    return p;
}

static cJSON *path_param(const char *name)
{
    cJSON *p = query_param(name, "string");
    cJSON_ReplaceItemInObject(p, "in", cJSON_CreateString("path"));
    cJSON_AddBoolToObject(p, "required", true);
    return p;
}

static cJSON *operation(const struct kj_api_resource *r, const char *action, const char *op_id,
                        bool writes)
{
    cJSON *op = cJSON_CreateObject();
    cJSON_AddStringToObject(op, "operationId", op_id);
    cJSON *params = cJSON_AddArrayToObject(op, "parameters");
    if (writes) {
        cJSON_AddItemToArray(params, query_param("dryRun", "string"));
        cJSON_AddItemToArray(params, query_param("fieldManager", "string"));
        cJSON_AddItemToArray(params, query_param("fieldValidation", "string"));
        if (strcmp(action, "patch") == 0)
            cJSON_AddItemToArray(params, query_param("force", "boolean"));
    } else if (strcmp(action, "list") == 0 || strcmp(action, "deletecollection") == 0) {
        cJSON_AddItemToArray(params, query_param("labelSelector", "string"));
        cJSON_AddItemToArray(params, query_param("fieldSelector", "string"));
        cJSON_AddItemToArray(params, query_param("resourceVersion", "string"));
        cJSON_AddItemToArray(params, query_param("timeoutSeconds", "integer"));
        cJSON_AddItemToArray(params, query_param("watch", "boolean"));
    }
    cJSON *responses = cJSON_AddObjectToObject(op, "responses");
    cJSON *ok = cJSON_AddObjectToObject(responses, "200");
    cJSON_AddStringToObject(ok, "description", "OK");
    cJSON_AddStringToObject(op, "x-kubernetes-action", action);
    cJSON *gvk = cJSON_AddObjectToObject(op, "x-kubernetes-group-version-kind");
    cJSON_AddStringToObject(gvk, "group", r->group);
    cJSON_AddStringToObject(gvk, "version", r->version);
    cJSON_AddStringToObject(gvk, "kind", r->kind);
    return op;
}

static bool has_verb(const struct kj_api_resource *r, const char *verb)
{
    for (size_t i = 0; r->verbs[i] != NULL; i++)
        if (strcmp(r->verbs[i], verb) == 0)
            return true;
    return false;
}

/* operationId in Kubernetes' style: verb + Namespaced + Kind (+ sub). */
static void op_id(char *buf, size_t len, const char *verb, const struct kj_api_resource *r,
                  const char *suffix)
{
    snprintf(buf, len, "%s%s%s%s", verb, r->namespaced ? "Namespaced" : "", r->kind, suffix);
}

static void add_paths(cJSON *paths, const struct kj_api_resource *r)
{
    char base[128], coll[256], item[320], id[128];
    if (r->group[0] == '\0')
        snprintf(base, sizeof(base), "/api/%s", r->version);
    else
        snprintf(base, sizeof(base), "/apis/%s/%s", r->group, r->version);

    const char *slash = strchr(r->name, '/');
    char plural[64];
    snprintf(plural, sizeof(plural), "%.*s", slash ? (int)(slash - r->name) : (int)strlen(r->name),
             r->name);
    if (r->namespaced)
        snprintf(coll, sizeof(coll), "%s/namespaces/{namespace}/%s", base, plural);
    else
        snprintf(coll, sizeof(coll), "%s/%s", base, plural);
    if (slash != NULL)
        snprintf(item, sizeof(item), "%s/{name}%s", coll, slash);
    else
        snprintf(item, sizeof(item), "%s/{name}", coll);
    const char *sub = slash ? "Status" : "";
    if (slash != NULL && strcmp(slash, "/status") != 0)
        sub = "Log";

    cJSON *ip = cJSON_CreateObject();
    cJSON *iparams = cJSON_AddArrayToObject(ip, "parameters");
    cJSON_AddItemToArray(iparams, path_param("name"));
    if (r->namespaced)
        cJSON_AddItemToArray(iparams, path_param("namespace"));
    if (has_verb(r, "get")) {
        op_id(id, sizeof(id), "read", r, sub);
        cJSON_AddItemToObject(ip, "get", operation(r, "get", id, false));
    }
    if (has_verb(r, "update")) {
        op_id(id, sizeof(id), "replace", r, sub);
        cJSON_AddItemToObject(ip, "put", operation(r, "put", id, true));
    }
    if (has_verb(r, "patch")) {
        op_id(id, sizeof(id), "patch", r, sub);
        cJSON_AddItemToObject(ip, "patch", operation(r, "patch", id, true));
    }
    if (has_verb(r, "delete")) {
        op_id(id, sizeof(id), "delete", r, sub);
        cJSON_AddItemToObject(ip, "delete", operation(r, "delete", id, false));
    }
    cJSON_AddItemToObject(paths, item, ip);
    if (slash != NULL)
        return;

    cJSON *cp = cJSON_CreateObject();
    if (r->namespaced) {
        cJSON *cparams = cJSON_AddArrayToObject(cp, "parameters");
        cJSON_AddItemToArray(cparams, path_param("namespace"));
    }
    if (has_verb(r, "list")) {
        op_id(id, sizeof(id), "list", r, "");
        cJSON_AddItemToObject(cp, "get", operation(r, "list", id, false));
    }
    if (has_verb(r, "create")) {
        op_id(id, sizeof(id), "create", r, "");
        cJSON_AddItemToObject(cp, "post", operation(r, "post", id, true));
    }
    if (has_verb(r, "deletecollection")) {
        snprintf(id, sizeof(id), "deleteCollection%s%s", r->namespaced ? "Namespaced" : "",
                 r->kind);
        cJSON_AddItemToObject(cp, "delete", operation(r, "deletecollection", id, false));
    }
    cJSON_AddItemToObject(paths, coll, cp);

    if (r->namespaced && has_verb(r, "list")) {
        char all[256];
        snprintf(all, sizeof(all), "%s/%s", base, plural);
        cJSON *ap = cJSON_CreateObject();
        snprintf(id, sizeof(id), "list%sForAllNamespaces", r->kind);
        cJSON_AddItemToObject(ap, "get", operation(r, "list", id, false));
        cJSON_AddItemToObject(paths, all, ap);
    }
}

/* What kubectl explain finds a kind's schema by (the group-version-kind
 * extension), and its one-line description. */
static void add_kind_identity(cJSON *s, const struct kj_api_resource *r)
{
    char desc[160];
    snprintf(desc, sizeof(desc), "%s as served by kjobd.", r->kind);
    cJSON_AddStringToObject(s, "description", desc);
    cJSON *gvk = cJSON_CreateObject();
    cJSON_AddStringToObject(gvk, "group", r->group);
    cJSON_AddStringToObject(gvk, "kind", r->kind);
    cJSON_AddStringToObject(gvk, "version", r->version);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(s, "x-kubernetes-group-version-kind"), gvk);
}

static cJSON *shallow_schema(const struct kj_api_resource *r)
{
    cJSON *s = cJSON_CreateObject();
    add_kind_identity(s, r);
    cJSON_AddStringToObject(s, "type", "object");
    cJSON *props = cJSON_AddObjectToObject(s, "properties");
    static const char *const fields[] = {"apiVersion", "kind"};
    for (size_t i = 0; i < 2; i++) {
        cJSON *f = cJSON_AddObjectToObject(props, fields[i]);
        cJSON_AddStringToObject(f, "type", "string");
    }
    static const char *const objs[] = {"metadata", "spec", "status"};
    for (size_t i = 0; i < 3; i++) {
        cJSON *f = cJSON_AddObjectToObject(props, objs[i]);
        cJSON_AddStringToObject(f, "type", "object");
    }
    return s;
}

/* The kind's whole model from pkg/api's field tables where it has one
 * (kubectl explain walks it), named after schema_name's package; else the
 * top level only. */
static void add_schema(cJSON *schemas, const struct kj_api_resource *r)
{
    char api_version[96], prefix[160];
    snprintf(api_version, sizeof api_version, "%s%s%s", r->group, r->group[0] ? "/" : "",
             r->version);
    const char *dot = strrchr(r->schema_name, '.');
    snprintf(prefix, sizeof prefix, "%.*s", dot ? (int)(dot - r->schema_name) : 0,
             r->schema_name);
    enum kj_kind kind = kj_kind_lookup(api_version, r->kind);
    cJSON *s = NULL;
    if (kind != KJ_KIND_UNKNOWN && dot != NULL && strcmp(dot + 1, r->kind) == 0)
        s = kj_kind_openapi(kind, prefix, schemas);
    if (s == NULL) {
        if (cJSON_GetObjectItemCaseSensitive(schemas, r->schema_name) == NULL)
            cJSON_AddItemToObject(schemas, r->schema_name, shallow_schema(r));
        return;
    }
    if (cJSON_GetObjectItemCaseSensitive(s, "x-kubernetes-group-version-kind") == NULL)
        add_kind_identity(s, r); /* else: a subresource of a kind already described */
}

cJSON *kj_openapi_v3_doc(const char *gv)
{
    size_t n;
    const struct kj_api_resource *r = kj_resources(&n);
    cJSON *doc = NULL, *paths = NULL, *schemas = NULL;
    char path[160];
    for (size_t i = 0; i < n; i++) {
        gv_path(r[i].group, r[i].version, path, sizeof(path));
        if (strcmp(path, gv) != 0)
            continue;
        if (doc == NULL) {
            doc = cJSON_CreateObject();
            cJSON_AddStringToObject(doc, "openapi", "3.0.0");
            cJSON *info = cJSON_AddObjectToObject(doc, "info");
            cJSON_AddStringToObject(info, "title", "Kubernetes (kjobd)");
            cJSON_AddStringToObject(info, "version", KJ_KUBE_GIT_VERSION);
            paths = cJSON_AddObjectToObject(doc, "paths");
            cJSON *components = cJSON_AddObjectToObject(doc, "components");
            schemas = cJSON_AddObjectToObject(components, "schemas");
        }
        add_paths(paths, &r[i]);
        if (r[i].schema_name != NULL)
            add_schema(schemas, &r[i]);
    }
    return doc;
}

cJSON *kj_openapi_v3_index(void)
{
    const char *groups[MAX_GV], *versions[MAX_GV];
    size_t ngv = kj_resource_group_versions(groups, versions, MAX_GV);
    cJSON *index = cJSON_CreateObject();
    cJSON *paths = cJSON_AddObjectToObject(index, "paths");
    for (size_t i = 0; i < ngv; i++) {
        char gv[160], url[400], hex[2 * 32 + 1];
        gv_path(groups[i], versions[i], gv, sizeof(gv));
        cJSON *doc = kj_openapi_v3_doc(gv);
        char *text = cJSON_PrintUnformatted(doc);
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int mdlen = 0;
        if (text == NULL || !EVP_Digest(text, strlen(text), md, &mdlen, EVP_sha256(), NULL))
            mdlen = 0;
        for (unsigned int j = 0; j < mdlen && j < 32; j++)
            snprintf(hex + 2 * j, 3, "%02X", md[j]);
        hex[2 * (mdlen < 32 ? mdlen : 32)] = '\0';
        free(text);
        cJSON_Delete(doc);
        snprintf(url, sizeof(url), "/openapi/v3/%s?hash=%s", gv, hex);
        cJSON *e = cJSON_AddObjectToObject(paths, gv);
        cJSON_AddStringToObject(e, "serverRelativeURL", url);
    }
    return index;
}
