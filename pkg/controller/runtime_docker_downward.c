/* downwardAPI volumes: the pod's own metadata as files, written like a
 * ConfigMap volume (runtime_docker_cfgvol.c). See runtime_docker_map.h. */
#include "controller/runtime_docker_map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int kj_pod_downward_source(const cJSON *dapi, const cJSON *meta, cJSON **src, cJSON **obj)
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
        char *v = path != NULL && fp != NULL ? kj_pod_field_value(meta, fp) : NULL;
        if (v == NULL) {
            skipped++; /* resourceFieldRef and unknown paths: not written */
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
