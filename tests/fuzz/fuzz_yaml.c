/* YAML/JSON text -> cJSON -> text -> free, through both entry points of
 * pkg/api/yaml.h. Finds crashes, leaks (ASan) and UB; a decode that fails
 * must leave no output and carry a message. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "api/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ret, cJSON *out, kj_error_t err)
{
    if (ret < 0) {
        if (out != NULL || err == NULL || err->msg == NULL)
            abort();
        return;
    }
    if (out == NULL || err != NULL)
        abort();
    char *text = cJSON_PrintUnformatted(out);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *out = NULL;
    kj_error_t err = NULL;
    int ret = kj_yaml_decode((const char *)data, size, &out, &err);
    check(ret, out, err);
    if (ret == 0 && !cJSON_IsArray(out))
        abort();
    cJSON_Delete(out);
    kj_error_release(&err);

    out = NULL;
    ret = kj_json_decode((const char *)data, size, &out, &err);
    check(ret, out, err);
    cJSON_Delete(out);
    kj_error_release(&err);
    return 0;
}
