/* batch/v1 Jobs: PUT (replace) and PATCH (merge, JSON, strategic) of
 * /jobs/{name}. Both end in the same update path: decode, default, take the
 * system fields and status from the stored Job (validate.h §1.5), validate
 * with immutability, keep the controller's private ledger, store. */
#include "apiserver/handlers.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "api/codec.h"
#include "api/fielderr.h"
#include "api/validate.h"
#include "api/yaml.h" /* kj_json_decode */
#include "apiserver/body.h"
#include "apiserver/server.h"
#include "apiserver/status.h"
#include "controller/ledger.h" /* KJ_LEDGER_KEY */
#include "kubeapi/patch.h"     /* kj_patch_apply */
#include "store/store.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

#define JOBS "jobs"
#define GROUP "batch"

static cJSON *conflict(const char *name)
{
    cleanup_free char *msg = xasprintf("Operation cannot be fulfilled on jobs.batch \"%s\": the object has been "
                                       "modified; please apply your changes to the latest version and try again",
                                       name);
    return kj_status_failure(409, "Conflict", msg, name, GROUP, JOBS);
}

/* Replace the stored Job `name` by `doc` (owned by the caller, borrowed). */
static int update_job(struct kj_http_req *req, struct kj_http_resp *resp, const cJSON *doc,
                      kj_error_t *err)
{
    struct kj_store *store = kj_apiserver_deps(req->srv)->store;
    const char *ns = kj_route_param(&req->params, "namespace");
    const char *name = kj_route_param(&req->params, "name");
    const cJSON *stored = kj_store_get(store, JOBS, ns, name);
    if (stored == NULL)
        return kj_http_resp_json(resp, 404, kj_status_not_found(JOBS, GROUP, name));
    if ((cJSON_GetObjectItemCaseSensitive(doc, "kind") != NULL ||
         cJSON_GetObjectItemCaseSensitive(doc, "apiVersion") != NULL) &&
        kj_object_kind_of(doc) != KJ_KIND_JOB)
        return kj_make_http_error(err, 400, "the body must be a batch/v1 Job");

    struct kj_job old, neu;
    cleanup_free char *expect_rv = NULL;
    memset(&old, 0, sizeof old);
    memset(&neu, 0, sizeof neu);
    int rc = -1;
    if (kj_job_from_json(stored, &old, NULL, NULL, err) < 0) {
        kj_error_wrap(err, "stored job `%s/%s`", ns, name);
        goto out;
    }
    if (kj_job_from_json(doc, &neu, NULL, NULL, err) < 0) {
        if (kj_error_http_status(*err) == 0)
            (*err)->status = KJ_ERR_HTTP_BASE + 400;
        goto out;
    }
    kj_job_default(&neu);
    if (neu.metadata.name == NULL || strcmp(neu.metadata.name, name) != 0) {
        rc = kj_make_http_error(err, 400, "the name of the object (%s) does not match the name on the URL (%s)",
                                neu.metadata.name ? neu.metadata.name : "", name);
        goto out;
    }
    if (neu.metadata.namespace_ != NULL && neu.metadata.namespace_[0] != '\0' &&
        strcmp(neu.metadata.namespace_, ns) != 0) {
        rc = kj_make_http_error(err, 400, "the namespace of the provided object does not match the namespace sent on the request");
        goto out;
    }
    free(neu.metadata.namespace_);
    neu.metadata.namespace_ = xstrdup(ns);
    if (neu.metadata.resource_version != NULL && neu.metadata.resource_version[0] != '\0')
        expect_rv = xstrdup(neu.metadata.resource_version);
    kj_job_prepare_update(&neu, &old);
    struct kj_field_errors errs;
    kj_field_errors_init(&errs);
    if (kj_job_validate_update(&old, &neu, &errs) > 0) {
        kj_http_resp_json(resp, 422, kj_field_errors_status(&errs, "Job", GROUP, name));
        kj_field_errors_free(&errs);
        rc = 0;
        goto out;
    }
    kj_field_errors_free(&errs);
    cJSON *obj = kj_job_to_json(&neu);
    kj_assert(obj != NULL);
    const cJSON *ledger = cJSON_GetObjectItemCaseSensitive(stored, KJ_LEDGER_KEY);
    if (ledger != NULL)
        cJSON_AddItemToObject(obj, KJ_LEDGER_KEY, cJSON_Duplicate(ledger, 1));
    /* A no-op update keeps the resourceVersion, as upstream (kubectl apply
     * and kjobctl apply then report "unchanged"). */
    const cJSON *old_rv = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(stored, "metadata"),
                                                           "resourceVersion");
    bool rv_ok = expect_rv == NULL || (cJSON_IsString(old_rv) && strcmp(expect_rv, old_rv->valuestring) == 0);
    if (rv_ok && cJSON_IsString(old_rv)) {
        cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
        cJSON_DeleteItemFromObjectCaseSensitive(meta, "resourceVersion");
        cJSON_AddStringToObject(meta, "resourceVersion", old_rv->valuestring);
        if (cJSON_Compare(obj, stored, true)) {
            cJSON_Delete(obj);
            cJSON *same = cJSON_Duplicate(stored, 1);
            kj_apiserver_strip_private(same);
            kj_http_resp_json(resp, 200, same);
            rc = 0;
            goto out;
        }
    }
    bool dry = false;
    if (kj_dry_run(req, &dry, err) < 0) {
        cJSON_Delete(obj);
        goto out;
    }
    if (dry) {
        kj_apiserver_strip_private(obj);
        kj_http_resp_json(resp, 200, obj);
        rc = 0;
        goto out;
    }
    if (kj_store_update(store, JOBS, ns, name, obj, expect_rv, NULL, err) < 0) {
        cJSON_Delete(obj);
        if (kj_error_http_status(*err) == 409) {
            kj_error_release(err);
            kj_http_resp_json(resp, 409, conflict(name));
            rc = 0;
        }
        goto out;
    }
    kj_log(KJ_LOG_INFO, "job `%s/%s` updated", ns, name);
    cJSON *shown = cJSON_Duplicate(kj_store_get(store, JOBS, ns, name), 1);
    kj_apiserver_strip_private(shown);
    kj_http_resp_json(resp, 200, shown);
    rc = 0;
out:
    kj_job_clear(&old);
    kj_job_clear(&neu);
    return rc;
}

int kj_h_job_replace(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    if (kj_namespace_check(kj_route_param(&req->params, "namespace"), err) < 0)
        return -1;
    if (req->body == NULL || req->body_len == 0)
        return kj_make_http_error(err, 400, "the request body is empty");
    cleanup_cjson cJSON *doc = NULL;
    enum kj_body_type bt = kj_body_type_detect(req->content_type, req->body, req->body_len);
    if (kj_body_decode_object(bt, req->body, req->body_len, &doc, err) < 0)
        return -1;
    return update_job(req, resp, doc, err);
}

int kj_h_job_patch(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    struct kj_store *store = kj_apiserver_deps(req->srv)->store;
    const char *ns = kj_route_param(&req->params, "namespace");
    const char *name = kj_route_param(&req->params, "name");
    if (kj_namespace_check(ns, err) < 0)
        return -1;
    const cJSON *stored = kj_store_get(store, JOBS, ns, name);
    if (stored == NULL)
        return kj_http_resp_json(resp, 404, kj_status_not_found(JOBS, GROUP, name));
    if (req->body == NULL || req->body_len == 0)
        return kj_make_http_error(err, 400, "the request body is empty");
    cleanup_cjson cJSON *patch = NULL;
    if (req->body_len > KJ_APISERVER_MAX_BODY)
        return kj_make_http_error(err, 413, "Request entity too large: limit is %d", KJ_APISERVER_MAX_BODY);
    /* Any JSON value: JSON patches are arrays. */
    if (kj_json_decode(req->body, req->body_len, &patch, err) < 0) {
        if (kj_error_http_status(*err) == 0)
            (*err)->status = KJ_ERR_HTTP_BASE + 400;
        return -1;
    }
    cleanup_cjson cJSON *target = cJSON_Duplicate(stored, 1);
    kj_assert(target != NULL);
    kj_apiserver_strip_private(target);
    const char *ct = req->content_type ? req->content_type : "application/strategic-merge-patch+json";
    if (kj_patch_apply(ct, &target, patch, err) < 0)
        return -1;
    /* A patch never carries a precondition unless it sets one itself. */
    const cJSON *prv = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(patch, "metadata"), "resourceVersion");
    if (!cJSON_IsString(prv))
        cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(target, "metadata"), "resourceVersion");
    return update_job(req, resp, target, err);
}
