/* Service alias computation; see service_sync.h. */
#include "controller/service_sync.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static const char *label(const cJSON *labels, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(labels, key));
}

bool kj_svc_selector_matches(const cJSON *selector, const cJSON *labels)
{
    if (!cJSON_IsObject(selector) || selector->child == NULL)
        return false;
    for (const cJSON *kv = selector->child; kv != NULL; kv = kv->next) {
        const char *have = label(labels, kv->string);
        if (!cJSON_IsString(kv) || have == NULL || strcmp(have, kv->valuestring) != 0)
            return false;
    }
    return true;
}

static bool in_values(const cJSON *values, const char *v)
{
    const cJSON *x;
    cJSON_ArrayForEach(x, values)
    {
        if (cJSON_IsString(x) && strcmp(x->valuestring, v) == 0)
            return true;
    }
    return false;
}

bool kj_label_selector_matches_json(const cJSON *ls, const cJSON *labels)
{
    const cJSON *ml = cJSON_GetObjectItemCaseSensitive(ls, "matchLabels");
    for (const cJSON *kv = cJSON_IsObject(ml) ? ml->child : NULL; kv != NULL; kv = kv->next) {
        const char *have = label(labels, kv->string);
        if (!cJSON_IsString(kv) || have == NULL || strcmp(have, kv->valuestring) != 0)
            return false;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(ls, "matchExpressions"))
    {
        const char *key = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "key"));
        const char *op = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "operator"));
        const cJSON *vals = cJSON_GetObjectItemCaseSensitive(e, "values");
        if (key == NULL || op == NULL)
            return false;
        const char *have = label(labels, key);
        bool ok;
        if (strcmp(op, "In") == 0)
            ok = have != NULL && in_values(vals, have);
        else if (strcmp(op, "NotIn") == 0)
            ok = have == NULL || !in_values(vals, have);
        else if (strcmp(op, "Exists") == 0)
            ok = have != NULL;
        else if (strcmp(op, "DoesNotExist") == 0)
            ok = have == NULL;
        else
            ok = false;
        if (!ok)
            return false;
    }
    return true;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *kj_svc_aliases_for(const cJSON *services, const char *ns, const cJSON *labels)
{
    int n = cJSON_GetArraySize(services), k = 0;
    const char **names = xcalloc((size_t)n + 1, sizeof *names);
    size_t len = 1;
    const cJSON *svc;
    cJSON_ArrayForEach(svc, services)
    {
        const cJSON *md = cJSON_GetObjectItemCaseSensitive(svc, "metadata");
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md, "name"));
        const char *sns = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md, "namespace"));
        const cJSON *sel = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(svc, "spec"), "selector");
        if (name == NULL || sns == NULL || strcmp(sns, ns) != 0 ||
            !kj_svc_selector_matches(sel, labels))
            continue;
        names[k++] = name;
        len += strlen(name) + 1;
    }
    qsort(names, (size_t)k, sizeof *names, cmp_str);
    char *out = xcalloc(1, len);
    for (int i = 0; i < k; i++) {
        if (i > 0)
            strcat(out, ",");
        strcat(out, names[i]);
    }
    free(names);
    return out;
}

static int container_port_named(const cJSON *spec, const char *name)
{
    const cJSON *c, *p;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(spec, "containers"))
    {
        cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(c, "ports"))
        {
            const char *pn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "name"));
            const cJSON *cp = cJSON_GetObjectItemCaseSensitive(p, "containerPort");
            if (pn != NULL && strcmp(pn, name) == 0 && cJSON_IsNumber(cp))
                return cp->valueint;
        }
    }
    return 0;
}

int kj_svc_target_port(const cJSON *svc, const char *want, const cJSON *template_spec)
{
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(
                              cJSON_GetObjectItemCaseSensitive(svc, "spec"), "ports"))
    {
        const cJSON *port = cJSON_GetObjectItemCaseSensitive(p, "port");
        const char *pname = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "name"));
        if (!cJSON_IsNumber(port))
            continue;
        if (want != NULL && want[0] != '\0') {
            char *end;
            long w = strtol(want, &end, 10);
            bool by_num = *end == '\0' && w == port->valueint;
            bool by_name = pname != NULL && strcmp(pname, want) == 0;
            if (!by_num && !by_name)
                continue;
        }
        const cJSON *tp = cJSON_GetObjectItemCaseSensitive(p, "targetPort");
        if (cJSON_IsNumber(tp) && tp->valueint > 0)
            return tp->valueint;
        if (cJSON_IsString(tp)) {
            char *end;
            long v = strtol(tp->valuestring, &end, 10);
            if (*end == '\0' && v > 0 && v < 65536)
                return (int)v;
            return container_port_named(template_spec, tp->valuestring);
        }
        return port->valueint;
    }
    return 0;
}
