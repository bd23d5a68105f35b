/* What kubectl needs on Jobs beyond plain CRUD, layered on the CRUD handlers:
 *  - fieldValidation (Strict rejects unknown fields with the apiserver's
 *    `strict decoding error`, Ignore drops the unknown-field warnings, Warn is
 *    the default) and `Warning` headers for fields kjob accepts but ignores;
 *  - server-side apply (application/apply-patch+yaml): kjob keeps no field
 *    ownership, so the manifest is merged into the stored Job as a JSON merge
 *    patch, or creates the Job when absent (docs/kubectl.md);
 *  - the `status` subresource (GET, PUT, PATCH) with the §1.6 rules;
 *  - a `scale` subresource (autoscaling/v1 Scale <-> spec.parallelism) so
 *    that `kubectl scale job` works; upstream has none for Jobs.
 * Routes: kj_apiserver_sub_routes() (handlers.h). */
#include "apiserver/handlers.h"
#include "apiserver/api_routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/codec.h"
#include "api/fielderr.h"
#include "api/protowire.h" /* kj_proto_content_type */
#include "api/validate.h"
#include "api/yaml.h"
#include "apiserver/body.h"
#include "apiserver/server.h"
#include "apiserver/status.h"
#include "controller/ledger.h"
#include "kubeapi/patch.h"
#include "store/store.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

#define JOBS "jobs"
#define GROUP "batch"
#define MERGE_CT "application/merge-patch+json"

enum field_validation { FV_WARN, FV_STRICT, FV_IGNORE };

static int field_validation(const struct kj_http_req *req, enum field_validation *out, kj_error_t *err)
{
    const char *v = kj_query_get(&req->query, "fieldValidation");
    *out = FV_WARN;
    if (v == NULL || v[0] == '\0' || strcmp(v, "Warn") == 0)
        return 0;
    if (strcmp(v, "Strict") == 0)
        *out = FV_STRICT;
    else if (strcmp(v, "Ignore") == 0)
        *out = FV_IGNORE;
    else
        return kj_make_http_error(err, 400,
                                  "fieldValidation must be one of \"Ignore\", \"Warn\" or \"Strict\", got \"%s\"", v);
    return 0;
}

static bool is_directive(const char *path)
{
    return strchr(path, '$') != NULL;
}

/* Decode `doc` as a Job for its unknown and ignored field paths only. A patch
 * is a partial Job: decoding errors (a null to delete a field...) are not
 * reported here; the update path decodes the patched object again. */
static void scan_fields(const cJSON *doc, struct kj_strlist *unknown, struct kj_strlist *ignored)
{
    struct kj_job job;
    memset(&job, 0, sizeof job);
    kj_error_t e = NULL;
    if (kj_job_from_json(doc, &job, unknown, ignored, &e) < 0)
        kj_error_release(&e);
    kj_job_clear(&job);
}

/* Before a write: reject unknown fields under Strict (400, the text kubectl
 * prints after `Error from server (BadRequest)`), and queue warnings for
 * ignored fields. `doc` is the object or patch sent. Returns 1 when resp was
 * filled with the rejection. */
static int check_fields(struct kj_http_req *req, struct kj_http_resp *resp, const cJSON *doc,
                        enum field_validation fv)
{
    struct kj_strlist unknown = {0}, ignored = {0};
    scan_fields(doc, &unknown, &ignored);
    int rc = 0;
    if (fv == FV_STRICT) {
        struct kj_strlist msgs = {0};
        for (size_t i = 0; i < unknown.len; i++)
            if (!is_directive(unknown.items[i]))
                kj_strlist_pushf(&msgs, "unknown field \"%s\"", unknown.items[i]);
        if (msgs.len > 0) {
            cleanup_free char *joined = kj_strlist_join(&msgs, ", ");
            cleanup_free char *msg = xasprintf("Job in version \"v1\" cannot be handled as a Job: "
                                               "strict decoding error: %s", joined);
            kj_http_resp_json(resp, 400, kj_status_failure(400, "BadRequest", msg, NULL, NULL, NULL));
            rc = 1;
        }
        kj_strlist_clear(&msgs);
    }
    for (size_t i = 0; rc == 0 && i < ignored.len && i < 10; i++)
        kj_strlist_pushf(&resp->warnings, "%s: accepted but ignored by kjob (no equivalent on a Docker engine)",
                         ignored.items[i]);
    (void)req;
    kj_strlist_clear(&unknown);
    kj_strlist_clear(&ignored);
    return rc;
}

/* After the inner handler: drop its unknown-field warnings under Ignore; add
 * them for a patch under Warn (the CRUD handlers only warn on create). */
static void adjust_warnings(struct kj_http_resp *resp, enum field_validation fv, const cJSON *patch)
{
    if (fv == FV_IGNORE) {
        struct kj_strlist kept = {0};
        for (size_t i = 0; i < resp->warnings.len; i++)
            if (strncmp(resp->warnings.items[i], "unknown field", 13) != 0)
                kj_strlist_push(&kept, resp->warnings.items[i]);
        kj_strlist_clear(&resp->warnings);
        resp->warnings = kept;
        return;
    }
    if (patch == NULL || !cJSON_IsObject(patch))
        return;
    struct kj_strlist unknown = {0};
    scan_fields(patch, &unknown, NULL);
    for (size_t i = 0; i < unknown.len && i < 10; i++)
        if (!is_directive(unknown.items[i]))
            kj_strlist_pushf(&resp->warnings, "unknown field \"%s\"", unknown.items[i]);
    kj_strlist_clear(&unknown);
}

/* The body as one JSON value (object or array); HTTP 400 when unreadable. */
static int body_value(const struct kj_http_req *req, cJSON **out, kj_error_t *err)
{
    if (req->body == NULL || req->body_len == 0)
        return kj_make_http_error(err, 400, "the request body is empty");
    enum kj_body_type bt = kj_body_type_detect(req->content_type, req->body, req->body_len);
    if (bt == KJ_BODY_YAML)
        return kj_body_decode_object(bt, req->body, req->body_len, out, err);
    if (kj_json_decode(req->body, req->body_len, out, err) < 0) {
        if (kj_error_http_status(*err) == 0)
            (*err)->status = KJ_ERR_HTTP_BASE + 400;
        return -1;
    }
    return 0;
}

static int h_create(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    enum field_validation fv;
    cleanup_cjson cJSON *doc = NULL;
    if (field_validation(req, &fv, err) < 0)
        return -1;
    /* A protobuf body (`kubectl create job`) has no unknown fields to check. */
    if (req->body != NULL && req->body_len > 0 && !kj_proto_content_type(req->content_type) &&
        body_value(req, &doc, err) < 0)
        return -1;
    if (doc != NULL && check_fields(req, resp, doc, fv))
        return 0;
    int rc = kj_h_jobs_create(req, resp, err);
    adjust_warnings(resp, fv, NULL);
    return rc;
}

static int h_replace(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    enum field_validation fv;
    cleanup_cjson cJSON *doc = NULL;
    if (field_validation(req, &fv, err) < 0)
        return -1;
    if (body_value(req, &doc, err) < 0)
        return -1;
    if (check_fields(req, resp, doc, fv))
        return 0;
    int rc = kj_h_job_replace(req, resp, err);
    /* kj_h_job_replace does not warn: do it as for a patch. */
    if (fv == FV_WARN)
        adjust_warnings(resp, fv, doc);
    return rc;
}

static bool ct_is(const char *ct, const char *want)
{
    size_t n = strlen(want);
    return ct != NULL && strncmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* Server-side apply without field management: create when absent, else a
 * JSON merge patch of the manifest. */
static int server_side_apply(struct kj_http_req *req, struct kj_http_resp *resp, cJSON *doc,
                             enum field_validation fv, kj_error_t *err)
{
    const char *ns = kj_route_param(&req->params, "namespace");
    const char *name = kj_route_param(&req->params, "name");
    struct kj_store *store = kj_apiserver_deps(req->srv)->store;
    cleanup_free char *txt = cJSON_PrintUnformatted(doc);
    req->body = txt;
    req->body_len = strlen(txt);
    if (kj_namespace_check(ns, err) < 0)
        return -1;
    if (kj_store_get(store, JOBS, ns, name) == NULL) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "metadata"), "name");
        if (!cJSON_IsString(n) || strcmp(n->valuestring, name) != 0)
            return kj_make_http_error(err, 400, "the name of the object (%s) does not match the name on the URL (%s)",
                                      cJSON_IsString(n) ? n->valuestring : "", name);
        req->content_type = "application/json";
        int rc = kj_h_jobs_create(req, resp, err);
        if (rc == 0 && resp->code == 201)
            resp->code = 201;
        adjust_warnings(resp, fv, NULL);
        return rc;
    }
    req->content_type = MERGE_CT;
    int rc = kj_h_job_patch(req, resp, err);
    adjust_warnings(resp, fv, fv == FV_WARN ? doc : NULL);
    return rc;
}

static int h_patch(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    enum field_validation fv;
    cleanup_cjson cJSON *doc = NULL;
    if (field_validation(req, &fv, err) < 0)
        return -1;
    bool apply = ct_is(req->content_type, "application/apply-patch+yaml") ||
                 ct_is(req->content_type, "application/apply-patch+json");
    if (apply) {
        /* YAML is a superset of JSON: decode either as YAML. */
        if (req->body == NULL || req->body_len == 0)
            return kj_make_http_error(err, 400, "the request body is empty");
        if (kj_body_decode_object(KJ_BODY_YAML, req->body, req->body_len, &doc, err) < 0)
            return -1;
    } else if (body_value(req, &doc, err) < 0) {
        return -1;
    }
    bool is_json_patch = ct_is(req->content_type, "application/json-patch+json");
    if (!is_json_patch && check_fields(req, resp, doc, fv))
        return 0;
    if (apply)
        return server_side_apply(req, resp, doc, fv, err);
    int rc = kj_h_job_patch(req, resp, err);
    adjust_warnings(resp, fv, fv == FV_WARN && !is_json_patch ? doc : NULL);
    return rc;
}

/* ---- status subresource ---- */

static int h_status_get(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    return kj_h_job_get(req, resp, err);
}

/* Store `doc`'s status (and labels/annotations, as upstream) on the stored
 * Job: §1.6. */
static int status_update(struct kj_http_req *req, struct kj_http_resp *resp, const cJSON *stored,
                         const cJSON *doc, kj_error_t *err)
{
    struct kj_store *store = kj_apiserver_deps(req->srv)->store;
    const char *ns = kj_route_param(&req->params, "namespace");
    const char *name = kj_route_param(&req->params, "name");
    struct kj_job old, neu;
    memset(&old, 0, sizeof old);
    memset(&neu, 0, sizeof neu);
    int rc = -1;
    cleanup_free char *expect_rv = NULL;
    if (kj_job_from_json(stored, &old, NULL, NULL, err) < 0)
        goto out;
    if (kj_job_from_json(doc, &neu, NULL, NULL, err) < 0) {
        if (kj_error_http_status(*err) == 0)
            (*err)->status = KJ_ERR_HTTP_BASE + 400;
        goto out;
    }
    if (neu.metadata.resource_version != NULL && neu.metadata.resource_version[0] != '\0')
        expect_rv = xstrdup(neu.metadata.resource_version);
    kj_job_default(&neu);
    kj_job_prepare_status_update(&neu, &old);
    struct kj_field_errors errs;
    kj_field_errors_init(&errs);
    if (kj_job_validate_status_update(&old, &neu, &errs) > 0) {
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
            cleanup_free char *msg = xasprintf("Operation cannot be fulfilled on jobs.batch \"%s\": the object has "
                                               "been modified; please apply your changes to the latest version "
                                               "and try again", name);
            kj_http_resp_json(resp, 409, kj_status_failure(409, "Conflict", msg, name, GROUP, JOBS));
            rc = 0;
        }
        goto out;
    }
    cJSON *shown = cJSON_Duplicate(kj_store_get(store, JOBS, ns, name), 1);
    kj_apiserver_strip_private(shown);
    kj_http_resp_json(resp, 200, shown);
    rc = 0;
out:
    kj_job_clear(&old);
    kj_job_clear(&neu);
    return rc;
}

static const cJSON *stored_job(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    const char *ns = kj_route_param(&req->params, "namespace");
    const char *name = kj_route_param(&req->params, "name");
    if (kj_namespace_check(ns, err) < 0)
        return NULL;
    const cJSON *stored = kj_store_get(kj_apiserver_deps(req->srv)->store, JOBS, ns, name);
    if (stored == NULL)
        kj_http_resp_json(resp, 404, kj_status_not_found(JOBS, GROUP, name));
    return stored;
}

static int h_status_put(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    const cJSON *stored = stored_job(req, resp, err);
    if (stored == NULL)
        return resp->body != NULL ? 0 : -1;
    cleanup_cjson cJSON *doc = NULL;
    if (body_value(req, &doc, err) < 0)
        return -1;
    return status_update(req, resp, stored, doc, err);
}

static int h_status_patch(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    const cJSON *stored = stored_job(req, resp, err);
    if (stored == NULL)
        return resp->body != NULL ? 0 : -1;
    cleanup_cjson cJSON *patch = NULL;
    if (body_value(req, &patch, err) < 0)
        return -1;
    cleanup_cjson cJSON *target = cJSON_Duplicate(stored, 1);
    kj_assert(target != NULL);
    kj_apiserver_strip_private(target);
    const char *ct = req->content_type ? req->content_type : "application/strategic-merge-patch+json";
    if (kj_patch_apply(ct, &target, patch, err) < 0)
        return -1;
    const cJSON *prv = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(patch, "metadata"),
                                                        "resourceVersion");
    if (!cJSON_IsString(prv))
        cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(target, "metadata"),
                                                "resourceVersion");
    return status_update(req, resp, stored, target, err);
}

/* ---- scale subresource ---- */

static cJSON *scale_of(const cJSON *job)
{
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(job, "metadata");
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(job, "spec");
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(job, "status");
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "kind", "Scale");
    cJSON_AddStringToObject(s, "apiVersion", "autoscaling/v1");
    cJSON *m = cJSON_AddObjectToObject(s, "metadata");
    static const char *const keep[] = {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"};
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(meta, keep[i]);
        if (v != NULL)
            cJSON_AddItemToObject(m, keep[i], cJSON_Duplicate(v, 1));
    }
    const cJSON *par = cJSON_GetObjectItemCaseSensitive(spec, "parallelism");
    cJSON_AddNumberToObject(cJSON_AddObjectToObject(s, "spec"), "replicas",
                            cJSON_IsNumber(par) ? par->valuedouble : 1);
    cJSON *st = cJSON_AddObjectToObject(s, "status");
    const cJSON *act = cJSON_GetObjectItemCaseSensitive(status, "active");
    cJSON_AddNumberToObject(st, "replicas", cJSON_IsNumber(act) ? act->valuedouble : 0);
    return s;
}

static int h_scale_get(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    const cJSON *stored = stored_job(req, resp, err);
    if (stored == NULL)
        return resp->body != NULL ? 0 : -1;
    return kj_http_resp_json(resp, 200, scale_of(stored));
}

/* PUT or PATCH of a Scale: the new spec.replicas becomes spec.parallelism
 * through the ordinary Job update path (validation, conflicts). */
static int h_scale_write(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    const cJSON *stored = stored_job(req, resp, err);
    if (stored == NULL)
        return resp->body != NULL ? 0 : -1;
    cleanup_cjson cJSON *body = NULL;
    if (body_value(req, &body, err) < 0)
        return -1;
    cleanup_cjson cJSON *scale = scale_of(stored);
    if (strcmp(req->method, "PUT") == 0) {
        cJSON_Delete(scale);
        scale = steal_pointer(&body);
    } else {
        const char *ct = req->content_type ? req->content_type : "application/strategic-merge-patch+json";
        if (kj_patch_apply(ct, &scale, body, err) < 0)
            return -1;
    }
    const cJSON *rep = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(scale, "spec"), "replicas");
    if (!cJSON_IsNumber(rep))
        return kj_make_http_error(err, 400, "spec.replicas must be a number");
    const cJSON *rv = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(scale, "metadata"),
                                                       "resourceVersion");
    cleanup_free char *patch = NULL;
    if (cJSON_IsString(rv) && strcmp(req->method, "PUT") == 0)
        patch = xasprintf("{\"metadata\":{\"resourceVersion\":\"%s\"},\"spec\":{\"parallelism\":%lld}}",
                          rv->valuestring, (long long)rep->valuedouble);
    else
        patch = xasprintf("{\"spec\":{\"parallelism\":%lld}}", (long long)rep->valuedouble);
    req->body = patch;
    req->body_len = strlen(patch);
    req->content_type = MERGE_CT;
    if (kj_h_job_patch(req, resp, err) < 0)
        return -1;
    if (resp->code == 200 || resp->code == 0) {
        cJSON *s = scale_of(resp->body);
        kj_http_resp_json(resp, 200, s);
    }
    return 0;
}

#define NSJ "/apis/batch/v1/namespaces/{namespace}/jobs"

static const struct kj_route sub_routes[] = {
    {"POST", NSJ, h_create, "jobs"},
    {"PUT", NSJ "/{name}", h_replace, "jobs"},
    {"PATCH", NSJ "/{name}", h_patch, "jobs"},
    {"GET", NSJ "/{name}/status", h_status_get, "jobs"},
    {"PUT", NSJ "/{name}/status", h_status_put, "jobs"},
    {"PATCH", NSJ "/{name}/status", h_status_patch, "jobs"},
    {"GET", NSJ "/{name}/scale", h_scale_get, "jobs"},
    {"PUT", NSJ "/{name}/scale", h_scale_write, "jobs"},
    {"PATCH", NSJ "/{name}/scale", h_scale_write, "jobs"},
};

const struct kj_route *kj_apiserver_sub_routes(size_t *n)
{
    *n = sizeof sub_routes / sizeof sub_routes[0];
    return sub_routes;
}
