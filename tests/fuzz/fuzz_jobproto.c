/* bytes -> kj_proto_job_decode -> the API server's create path (typed
 * decode, default, prepare, validate, encode); the same bytes through the
 * ConfigMap and Secret decoders, which share api/protowire.c.
 * Properties checked (abort on violation): a refused body is a 400 with a
 * message; an accepted one is a Job object that the typed decoder reads
 * without unknown fields. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/codec.h"
#include "api/configproto.h"
#include "api/fielderr.h"
#include "api/jobproto.h"
#include "api/validate.h"
#include "job_create.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void create_path(const cJSON *doc)
{
    struct kj_job job = {0};
    struct kj_strlist unknown = {0};
    kj_error_t err = NULL;
    if (kj_job_from_json(doc, &job, &unknown, NULL, &err) < 0) {
        /* Only a value the typed decoder refuses (a bad quantity, a
         * selector operator) gets here; it must say why. */
        if (err == NULL || err->msg == NULL)
            abort();
        kj_error_release(&err);
        kj_strlist_clear(&unknown);
        kj_job_clear(&job);
        return;
    }
    if (unknown.len != 0)
        abort();
    struct kj_field_errors errs;
    kj_field_errors_init(&errs);
    (void)kj_test_job_create(&job, &errs);
    kj_field_errors_free(&errs);
    cJSON *j = kj_job_to_json(&job);
    if (j == NULL)
        abort();
    cJSON_Delete(j);
    kj_strlist_clear(&unknown);
    kj_job_clear(&job);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kj_error_t err = NULL;
    cJSON *doc = kj_proto_job_decode(data, size, &err);
    if (doc == NULL) {
        if (err == NULL || err->msg == NULL || kj_error_http_status(err) != 400)
            abort();
        kj_error_release(&err);
    } else {
        if (!cJSON_IsObject(doc) || strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "kind")), "Job") != 0)
            abort();
        create_path(doc);
        cJSON_Delete(doc);
    }
    for (int secret = 0; secret < 2; secret++) {
        const char *why = NULL;
        cJSON *o = kj_proto_config_decode(data, size, secret != 0, &why);
        if (o == NULL && why == NULL)
            abort();
        cJSON_Delete(o);
    }
    return 0;
}
