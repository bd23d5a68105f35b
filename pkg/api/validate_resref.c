/* resourceFieldRef of the downward API (env valueFrom and downwardAPI volume
 * items): upstream validateContainerResourceFieldSelector and
 * validateContainerResourceDivisor. The fields are kept raw in the typed
 * model (pod.h), so this reads JSON. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/quantity.h"
#include "api/validate-internal.h"
#include "util/cleanup.h"

static const char *const resources[] = {
    "limits.cpu",   "limits.ephemeral-storage",   "limits.memory",
    "requests.cpu", "requests.ephemeral-storage", "requests.memory",
    NULL,
};

static const char *const cpu_divisors[] = {"1m", "1", NULL};
static const char *const size_divisors[] = {"1",  "1k", "1M", "1G", "1T", "1P", "1E",
                                            "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei", NULL};

/* Upstream accepts hugepages-<size> beside the fixed names. */
static bool supported(const char *r)
{
    return kj_v_one_of(r, resources) || strncmp(r, "limits.hugepages-", 17) == 0 ||
           strncmp(r, "requests.hugepages-", 19) == 0;
}

static void divisor(const cJSON *ref, const char *resource, const char *path,
                    struct kj_field_errors *errs)
{
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(ref, "divisor");
    if (d == NULL || cJSON_IsNull(d))
        return;
    char p[360];
    kj_v_pathf(p, sizeof p, "%s.divisor", path);
    struct kj_quantity q;
    kj_error_t err = NULL;
    if (kj_quantity_from_json(d, &q, &err) < 0) {
        cleanup_free char *shown = cJSON_PrintUnformatted(d);
        kj_fe_invalid_raw(errs, p, shown, err->msg);
        kj_error_release(&err);
        return;
    }
    if (kj_quantity_is_zero(&q))
        return; /* unset: "1" */
    cleanup_free char *canon = kj_quantity_format(&q);
    bool cpu = strcmp(resource, "limits.cpu") == 0 || strcmp(resource, "requests.cpu") == 0;
    bool memory = strcmp(resource, "limits.memory") == 0 || strcmp(resource, "requests.memory") == 0;
    bool storage = strstr(resource, ".ephemeral-storage") != NULL;
    if (cpu && !kj_v_one_of(canon, cpu_divisors))
        kj_fe_invalid_str(errs, p, resource,
                          "only divisor's values 1m and 1 are supported with the cpu resource");
    else if ((memory || storage) && !kj_v_one_of(canon, size_divisors))
        kj_fe_invalid_str(errs, p, resource,
                          memory ? "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, "
                                   "1Ti, 1Pi, 1Ei are supported with the memory resource"
                                 : "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, "
                                   "1Ti, 1Pi, 1Ei are supported with the local ephemeral storage "
                                   "resource");
}

void kj_v_resource_field_ref(const cJSON *ref, const char *path, bool volume,
                             struct kj_field_errors *errs)
{
    char p[360];
    const char *cname = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ref, "containerName"));
    const char *resource = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ref, "resource"));
    if (volume && (cname == NULL || cname[0] == '\0')) {
        kj_fe_required(errs, kj_v_pathf(p, sizeof p, "%s.containerName", path), NULL);
    } else if (resource == NULL || resource[0] == '\0') {
        kj_fe_required(errs, kj_v_pathf(p, sizeof p, "%s.resource", path), NULL);
    } else if (!supported(resource)) {
        kj_fe_not_supported(errs, kj_v_pathf(p, sizeof p, "%s.resource", path), resource,
                            resources);
    }
    divisor(ref, resource != NULL ? resource : "", path, errs);
}

void kj_v_downward_volume(const cJSON *dapi, const char *path, struct kj_field_errors *errs)
{
    char p[360];
    size_t i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(dapi, "items"))
    {
        const cJSON *ref = cJSON_GetObjectItemCaseSensitive(it, "resourceFieldRef");
        if (cJSON_IsObject(ref))
            kj_v_resource_field_ref(ref, kj_v_pathf(p, sizeof p, "%s.items[%zu].resourceFieldRef",
                                                    path, i),
                                    true, errs);
        i++;
    }
}
