/* downwardAPI volumes: the pod's own metadata as files, written like a
 * ConfigMap volume (runtime_docker_cfgvol.c). See runtime_docker_map.h. */
#include "controller/runtime_docker_map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/quantity.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void append(char **buf, size_t *len, size_t *cap, const char *piece)
{
    size_t n = strlen(piece);
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *buf = xrealloc(*buf, *cap);
    }
    memcpy(*buf + *len, piece, n + 1);
    *len += n;
}

/* Go's %q of a string, as far as label and annotation values go. */
static void append_quoted(char **buf, size_t *len, size_t *cap, const char *v)
{
    append(buf, len, cap, "\"");
    for (const unsigned char *p = (const unsigned char *)v; *p != '\0'; p++) {
        char tmp[8];
        if (*p == '"' || *p == '\\')
            snprintf(tmp, sizeof tmp, "\\%c", *p);
        else if (*p == '\n')
            snprintf(tmp, sizeof tmp, "\\n");
        else if (*p == '\t')
            snprintf(tmp, sizeof tmp, "\\t");
        else if (*p < 0x20 || *p == 0x7f)
            snprintf(tmp, sizeof tmp, "\\x%02x", *p);
        else
            snprintf(tmp, sizeof tmp, "%c", *p);
        append(buf, len, cap, tmp);
    }
    append(buf, len, cap, "\"");
}

/* `k="v"` lines sorted by key, as the kubelet writes metadata.labels. */
static char *format_map(const cJSON *m)
{
    int n = cJSON_GetArraySize(m);
    const char **keys = xcalloc((size_t)n + 1, sizeof *keys);
    int k = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, m)
    {
        if (cJSON_IsString(e))
            keys[k++] = e->string;
    }
    qsort(keys, (size_t)k, sizeof *keys, cmp_keys);
    size_t len = 0, cap = 64;
    char *out = xcalloc(1, cap);
    for (int i = 0; i < k; i++) {
        if (i > 0)
            append(&out, &len, &cap, "\n");
        append(&out, &len, &cap, keys[i]);
        append(&out, &len, &cap, "=");
        append_quoted(&out, &len, &cap, cJSON_GetStringValue(get(m, keys[i])));
    }
    free(keys);
    return out;
}

char *kj_pod_field_value(const cJSON *meta, const char *path)
{
    static const char *const plain[] = {"metadata.name", "metadata.namespace", "metadata.uid", NULL};
    for (int i = 0; plain[i] != NULL; i++)
        if (strcmp(path, plain[i]) == 0) {
            const char *v = cJSON_GetStringValue(get(meta, plain[i] + 9));
            return xstrdup(v != NULL ? v : "");
        }
    if (strcmp(path, "metadata.labels") == 0)
        return format_map(get(meta, "labels"));
    if (strcmp(path, "metadata.annotations") == 0)
        return format_map(get(meta, "annotations"));
    const char *which = strncmp(path, "metadata.labels['", 17) == 0        ? "labels"
                        : strncmp(path, "metadata.annotations['", 22) == 0 ? "annotations"
                                                                            : NULL;
    if (which == NULL)
        return NULL;
    const char *key = strchr(path, '\'') + 1;
    const char *end = strstr(key, "']");
    if (end == NULL || end[2] != '\0')
        return NULL;
    cleanup_free char *k = xstrndup(key, (size_t)(end - key));
    const char *v = cJSON_GetStringValue(get(get(meta, which), k));
    return xstrdup(v != NULL ? v : "");
}

static const cJSON *container_named(const cJSON *pod_spec, const char *name)
{
    static const char *const lists[] = {"containers", "initContainers"};
    for (int l = 0; l < 2; l++) {
        const cJSON *c;
        cJSON_ArrayForEach(c, get(pod_spec, lists[l]))
        {
            const char *n = cJSON_GetStringValue(get(c, "name"));
            if (n != NULL && strcmp(n, name) == 0)
                return c;
        }
    }
    return NULL;
}

static bool quantity_of(const cJSON *v, struct kj_quantity *q)
{
    kj_error_t err = NULL;
    if (kj_quantity_from_json(v, q, &err) < 0) {
        kj_error_release(&err);
        return false;
    }
    return true;
}

static int64_t ceil_div(int64_t a, int64_t b)
{
    return a / b + (a % b != 0 && a > 0);
}

char *kj_pod_resource_value(const cJSON *pod_spec, const cJSON *self, const cJSON *ref,
                            const struct kj_node_alloc *node)
{
    const char *cname = cJSON_GetStringValue(get(ref, "containerName"));
    const char *resource = cJSON_GetStringValue(get(ref, "resource"));
    const cJSON *c = cname == NULL || cname[0] == '\0' ? self : container_named(pod_spec, cname);
    const char *dot = resource != NULL ? strchr(resource, '.') : NULL;
    if (c == NULL || dot == NULL)
        return NULL;
    bool limit = strncmp(resource, "limits.", 7) == 0;
    if (!limit && strncmp(resource, "requests.", 9) != 0)
        return NULL;
    const char *name = dot + 1;
    const cJSON *res = get(c, "resources");
    const cJSON *v = get(get(res, "limits"), name);
    if (!limit && get(get(res, "requests"), name) != NULL)
        v = get(get(res, "requests"), name);
    bool cpu = strcmp(name, "cpu") == 0;
    struct kj_quantity q;
    int64_t amount; /* milli-cores for cpu, else units */
    if (v != NULL) {
        if (!quantity_of(v, &q))
            return NULL;
        amount = cpu ? kj_quantity_milli(&q) : kj_quantity_value(&q);
    } else if (!limit || strncmp(name, "hugepages-", 10) == 0) {
        amount = 0; /* no request and no limit; no huge pages here */
    } else if (cpu || strcmp(name, "memory") == 0) {
        amount = node == NULL ? 0 : cpu ? node->cpu_milli : node->memory;
        if (amount <= 0)
            return NULL;
    } else {
        return NULL;
    }
    struct kj_quantity d;
    int64_t div = 1;
    if (get(ref, "divisor") != NULL && quantity_of(get(ref, "divisor"), &d) && !kj_quantity_is_zero(&d))
        div = cpu ? kj_quantity_milli(&d) : kj_quantity_value(&d);
    else if (cpu)
        div = 1000;
    if (div <= 0)
        return NULL;
    return xasprintf("%lld", (long long)ceil_div(amount, div));
}

int kj_pod_downward_source(const cJSON *dapi, const cJSON *meta, const cJSON *pod_spec,
                           const struct kj_node_alloc *node, cJSON **src, cJSON **obj)
{
    *src = cJSON_CreateObject();
    *obj = cJSON_CreateObject();
    const cJSON *dm = get(dapi, "defaultMode");
    if (cJSON_IsNumber(dm))
        cJSON_AddNumberToObject(*src, "defaultMode", dm->valuedouble);
    cJSON *items = cJSON_AddArrayToObject(*src, "items");
    cJSON *data = cJSON_AddObjectToObject(*obj, "data");
    int skipped = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, get(dapi, "items"))
    {
        const char *path = cJSON_GetStringValue(get(it, "path"));
        const char *fp = cJSON_GetStringValue(get(get(it, "fieldRef"), "fieldPath"));
        const cJSON *rf = get(it, "resourceFieldRef");
        char *v = path == NULL ? NULL
                  : fp != NULL ? kj_pod_field_value(meta, fp)
                  : rf != NULL ? kj_pod_resource_value(pod_spec, NULL, rf, node)
                               : NULL;
        if (v == NULL) {
            skipped++; /* unknown paths, values kjob cannot tell: not written */
            continue;
        }
        cJSON_AddStringToObject(data, path, v);
        free(v);
        cJSON *item = cJSON_CreateObject();
        cJSON_AddStringToObject(item, "key", path);
        cJSON_AddStringToObject(item, "path", path);
        const cJSON *mode = get(it, "mode");
        if (cJSON_IsNumber(mode))
            cJSON_AddNumberToObject(item, "mode", mode->valuedouble);
        cJSON_AddItemToArray(items, item);
    }
    return skipped;
}
