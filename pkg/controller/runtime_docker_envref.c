/* Env from ConfigMaps and Secrets; see kj_pod_env_refs_resolve in
 * runtime_docker_map.h. */
#include "controller/runtime_docker_map.h"

#include <stdlib.h>
#include <string.h>

#include "api/configobj.h"
#include "util/xalloc.h"

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

struct vars {
    char **v;
    size_t n, cap;
};

static void push(struct vars *vs, char *s)
{
    if (vs->n + 1 >= vs->cap) {
        vs->cap = vs->cap ? vs->cap * 2 : 8;
        vs->v = xrealloc(vs->v, vs->cap * sizeof *vs->v);
    }
    vs->v[vs->n++] = s;
    vs->v[vs->n] = NULL;
}

static void vars_free(struct vars *vs)
{
    for (size_t i = 0; i < vs->n; i++)
        free(vs->v[i]);
    free(vs->v);
}

/* One value of a stored object: ConfigMap data/binaryData or Secret data
 * (decoded). Owned result; NULL when the key is absent. */
static char *value_of(const cJSON *obj, bool secret, const char *key)
{
    const cJSON *v = get(get(obj, "data"), key);
    if (cJSON_IsString(v) && !secret)
        return xstrdup(v->valuestring);
    bool b64 = secret;
    if (!cJSON_IsString(v)) {
        v = secret ? NULL : get(get(obj, "binaryData"), key);
        b64 = true;
    }
    if (!cJSON_IsString(v))
        return NULL;
    if (!b64)
        return xstrdup(v->valuestring);
    size_t n = 0;
    unsigned char *raw = kj_base64_decode(v->valuestring, &n);
    return raw != NULL ? (char *)raw : xstrdup("");
}

bool kj_pod_env_has_refs(const cJSON *c)
{
    if (cJSON_GetArraySize(get(c, "envFrom")) > 0)
        return true;
    const cJSON *e;
    cJSON_ArrayForEach(e, get(c, "env"))
    {
        const cJSON *from = get(e, "valueFrom");
        if (get(from, "configMapKeyRef") != NULL || get(from, "secretKeyRef") != NULL)
            return true;
    }
    return false;
}

int kj_pod_env_refs_resolve(const cJSON *c, const char *ns, kj_config_lookup_fn lookup, void *arg,
                            char ***out, char **why)
{
    struct vars vs = {0};
    *out = NULL;
    *why = NULL;
    const cJSON *ef;
    cJSON_ArrayForEach(ef, get(c, "envFrom"))
    {
        const cJSON *ref = get(ef, "configMapRef");
        bool secret = ref == NULL;
        if (secret)
            ref = get(ef, "secretRef");
        const char *name = cJSON_GetStringValue(get(ref, "name"));
        if (name == NULL)
            continue;
        const char *prefix = cJSON_GetStringValue(get(ef, "prefix"));
        const cJSON *obj = lookup(arg, secret ? "secrets" : "configmaps", ns, name);
        if (obj == NULL) {
            if (cJSON_IsTrue(get(ref, "optional")))
                continue;
            vars_free(&vs);
            *why = xasprintf("%s \"%s\" not found", secret ? "secret" : "configmap", name);
            return 1;
        }
        const char *maps[] = {"data", secret ? NULL : "binaryData"};
        for (size_t m = 0; m < 2 && maps[m] != NULL; m++)
            for (const cJSON *kv = cJSON_IsObject(get(obj, maps[m])) ? get(obj, maps[m])->child : NULL;
                 kv != NULL; kv = kv->next) {
                char *v = value_of(obj, secret, kv->string);
                if (v != NULL)
                    push(&vs, xasprintf("%s%s=%s", prefix ? prefix : "", kv->string, v));
                free(v);
            }
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, get(c, "env"))
    {
        const cJSON *from = get(e, "valueFrom");
        const cJSON *ref = get(from, "configMapKeyRef");
        bool secret = ref == NULL;
        if (secret)
            ref = get(from, "secretKeyRef");
        const char *var = cJSON_GetStringValue(get(e, "name"));
        const char *name = cJSON_GetStringValue(get(ref, "name"));
        const char *key = cJSON_GetStringValue(get(ref, "key"));
        if (ref == NULL || var == NULL || name == NULL || key == NULL)
            continue;
        bool optional = cJSON_IsTrue(get(ref, "optional"));
        const cJSON *obj = lookup(arg, secret ? "secrets" : "configmaps", ns, name);
        char *v = obj != NULL ? value_of(obj, secret, key) : NULL;
        if (v == NULL && !optional) {
            vars_free(&vs);
            if (obj == NULL)
                *why = xasprintf("%s \"%s\" not found", secret ? "secret" : "configmap", name);
            else
                *why = xasprintf("couldn't find key %s in %s %s/%s", key, secret ? "Secret" : "ConfigMap",
                                 ns, name);
            return 1;
        }
        if (v != NULL)
            push(&vs, xasprintf("%s=%s", var, v));
        free(v);
    }
    *out = vs.v;
    return 0;
}
