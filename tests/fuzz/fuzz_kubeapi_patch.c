/* Patches of all three flavours against arbitrary documents. Input: a JSON
 * array [selector, document, patch]; selector 0/1/2 picks merge, JSON patch
 * or strategic merge. Also feeds the tables, which read arbitrary objects. */
#include <stddef.h>
#include <stdint.h>

#include "kubeapi/patch.h"
#include "kubeapi/table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *in = cJSON_ParseWithLength((const char *)data, size);
    if (!cJSON_IsArray(in) || cJSON_GetArraySize(in) != 3) {
        cJSON_Delete(in);
        return 0;
    }
    static const char *const types[] = {"application/merge-patch+json",
                                        "application/json-patch+json",
                                        "application/strategic-merge-patch+json"};
    /* valueint is cJSON's saturated conversion: no UB on huge numbers */
    int sel = cJSON_GetArrayItem(in, 0)->valueint;
    cJSON *doc = cJSON_Duplicate(cJSON_GetArrayItem(in, 1), 1);
    kj_error_t err = NULL;
    kj_patch_apply(types[(unsigned)sel % 3u], &doc, cJSON_GetArrayItem(in, 2), &err);
    kj_error_release(&err);
    cJSON *items = cJSON_CreateArray();
    if (doc != NULL)
        cJSON_AddItemToArray(items, doc);
    static const char *const kinds[] = {"Job", "Pod", "Event", "Namespace"};
    cJSON *t = kj_table_build(kinds[(unsigned)sel % 4u], items, "1", 1000, NULL);
    cJSON_Delete(t);
    cJSON_Delete(items);
    cJSON_Delete(in);
    return 0;
}
