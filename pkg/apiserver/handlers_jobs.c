/* batch/v1 Jobs: list, create, get, delete on the store. */
#include "apiserver/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "api/codec.h"
#include "api/fielderr.h"
#include "api/jobproto.h"
#include "api/protowire.h" /* kj_proto_content_type */
#include "api/names.h"
#include "api/time.h"
#include "api/validate.h"
#include "apiserver/body.h"
#include "apiserver/filter.h"
#include "apiserver/server.h"
#include "apiserver/status.h"
#include "apiserver/watch.h"
#include "store/store.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

#define JOBS "jobs"
#define GROUP "batch"

char *kj_uuid_new(void)
{
    unsigned char b[16];
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t n = getrandom(b + got, sizeof b - got, 0);
        if (n > 0)
            got += (size_t)n;
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    return xasprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                     b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                     b[15]);
}

int kj_dry_run(const struct kj_http_req *req, bool *out, kj_error_t *err)
{
    const char *v = kj_query_get(&req->query, "dryRun");
    *out = false;
    if (v == NULL || v[0] == '\0')
        return 0;
    if (strcmp(v, "All") != 0)
        return kj_make_http_error(err, 400, "Invalid dry run value \"%s\": only \"All\" is supported", v);
    *out = true;
    return 0;
}

int kj_namespace_check(const char *ns, kj_error_t *err)
{
    struct kj_strlist msgs = {0};
    size_t n = kj_dns1123_label_check(ns, &msgs);
    if (n == 0) {
        kj_strlist_clear(&msgs);
        return 0;
    }
    cleanup_free char *why = kj_strlist_join(&msgs, ", ");
    kj_strlist_clear(&msgs);
    return kj_make_http_error(err, 400, "invalid namespace \"%s\": %s", ns, why);
}

static struct kj_store *store_of(struct kj_http_req *req)
{
    return kj_apiserver_deps(req->srv)->store;
}

cJSON *kj_apiserver_client_copy(const cJSON *stored)
{
    cJSON *c = cJSON_Duplicate(stored, 1);
    kj_assert(c != NULL);
    kj_apiserver_strip_private(c);
    return c;
}

int kj_list_item_cb(const char *ns, const char *name, const cJSON *obj, void *data)
{
    (void)ns;
    (void)name;
    struct kj_list_ctx *lc = data;
    if (!kj_filter_matches(lc->filter, obj))
        return 0;
    cJSON *c = kj_apiserver_client_copy(obj);
    /* Upstream omits kind/apiVersion inside list items. */
    cJSON_DeleteItemFromObjectCaseSensitive(c, "kind");
    cJSON_DeleteItemFromObjectCaseSensitive(c, "apiVersion");
    cJSON_AddItemToArray(lc->items, c);
    return 0;
}

int kj_h_store_list(struct kj_http_req *req, struct kj_http_resp *resp, const char *resource,
                    const char *api_version, const char *list_kind, kj_error_t *err)
{
    const char *ns = kj_route_param(&req->params, "namespace");
    if (ns != NULL && kj_namespace_check(ns, err) < 0)
        return -1;
    struct kj_list_opts opts;
    if (kj_list_opts_parse(&req->query, &opts, err) < 0)
        return -1;
    if (opts.watch)
        return kj_watch_start(req, resp, resource, &opts, err);
    struct kj_filter filter;
    if (kj_filter_from_opts(&opts, &filter, err) < 0) {
        kj_filter_clear(&filter);
        return -1;
    }
    char rv[32];
    snprintf(rv, sizeof rv, "%llu", (unsigned long long)kj_store_current_rv(store_of(req)));
    cJSON *list = kj_list_json_new(api_version, list_kind, rv);
    kj_assert(list != NULL);
    struct kj_list_ctx lc = {&filter, cJSON_GetObjectItemCaseSensitive(list, "items")};
    kj_store_list(store_of(req), resource, ns, kj_list_item_cb, &lc);
    kj_filter_clear(&filter);
    return kj_http_resp_json(resp, 200, list);
}

int kj_h_jobs_list(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    return kj_h_store_list(req, resp, JOBS, "batch/v1", "JobList", err);
}

int kj_h_events_list(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    return kj_h_store_list(req, resp, "events", "v1", "EventList", err);
}

int kj_h_job_get(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    const char *ns = kj_route_param(&req->params, "namespace");
    const char *name = kj_route_param(&req->params, "name");
    if (kj_namespace_check(ns, err) < 0)
        return -1;
    const cJSON *obj = kj_store_get(store_of(req), JOBS, ns, name);
    if (obj == NULL)
        return kj_http_resp_json(resp, 404, kj_status_not_found(JOBS, GROUP, name));
    return kj_http_resp_json(resp, 200, kj_apiserver_client_copy(obj));
}

/* Decode, default, prepare and validate a Job from the request body. On a
 * validation failure fills resp with the 422 Status and returns 1. */
static int job_from_body(struct kj_http_req *req, const char *ns, struct kj_job *job,
                         struct kj_http_resp *resp, kj_error_t *err)
{
    cleanup_cjson cJSON *doc = NULL;
    enum kj_body_type bt = kj_body_type_detect(req->content_type, req->body, req->body_len);
    if (req->body == NULL || req->body_len == 0)
        return kj_make_http_error(err, 400, "the request body is empty");
    /* `kubectl create job` sends protobuf; from here on it is JSON. */
    if (kj_proto_content_type(req->content_type)) {
        doc = kj_proto_job_decode((const unsigned char *)req->body, req->body_len, err);
        if (doc == NULL)
            return -1;
    } else if (kj_body_decode_object(bt, req->body, req->body_len, &doc, err) < 0) {
        return -1;
    }
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(doc, "kind");
    const cJSON *av = cJSON_GetObjectItemCaseSensitive(doc, "apiVersion");
    if ((kind != NULL || av != NULL) && kj_object_kind_of(doc) != KJ_KIND_JOB)
        return kj_make_http_error(err, 400,
                                  "the API version in the data (%s) does not match the expected API version (batch/v1) or kind (%s) is not Job",
                                  cJSON_IsString(av) ? av->valuestring : "",
                                  cJSON_IsString(kind) ? kind->valuestring : "");
    struct kj_strlist unknown = {0};
    int rc = kj_job_from_json(doc, job, &unknown, NULL, err);
    for (size_t i = 0; rc == 0 && i < unknown.len && i < 10; i++)
        kj_strlist_pushf(&resp->warnings, "unknown field \"%s\"", unknown.items[i]);
    kj_strlist_clear(&unknown);
    if (rc < 0) {
        if (kj_error_http_status(*err) == 0)
            (*err)->status = KJ_ERR_HTTP_BASE + 400;
        return -1;
    }
    kj_job_default(job);
    if (job->metadata.namespace_ != NULL && job->metadata.namespace_[0] != '\0' &&
        strcmp(job->metadata.namespace_, ns) != 0)
        return kj_make_http_error(err, 400,
                                  "the namespace of the provided object does not match the namespace sent on the request");
    free(job->metadata.namespace_);
    job->metadata.namespace_ = xstrdup(ns);
    if ((job->metadata.name == NULL || job->metadata.name[0] == '\0') && job->metadata.generate_name != NULL &&
        job->metadata.generate_name[0] != '\0') {
        free(job->metadata.name);
        job->metadata.name = kj_generate_name(job->metadata.generate_name);
    }
    return 0;
}

int kj_h_jobs_create(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    const char *ns = kj_route_param(&req->params, "namespace");
    if (kj_namespace_check(ns, err) < 0)
        return -1;
    struct kj_job job;
    memset(&job, 0, sizeof job);
    if (job_from_body(req, ns, &job, resp, err) < 0) {
        kj_job_clear(&job);
        return -1;
    }
    cleanup_free char *uid = kj_uuid_new();
    kj_job_prepare_create(&job, uid, kj_time_now_ns());
    struct kj_field_errors errs;
    kj_field_errors_init(&errs);
    size_t n_bad = kj_job_validate_create(&job, &errs);
    const struct kj_pod_spec *ps = &job.spec.template_.spec;
    for (size_t i = 0; i < ps->n_volumes && !kj_apiserver_deps(req->srv)->allow_host_path; i++) {
        if (!ps->volumes[i].has_host_path)
            continue;
        char field[96];
        snprintf(field, sizeof field, "spec.template.spec.volumes[%zu].hostPath", i);
        kj_fe_forbidden(&errs, field, "hostPath volumes are disabled: start kjobd with `--allow-host-path` to allow them");
        n_bad++;
    }
    if (n_bad > 0) {
        kj_http_resp_json(resp, 422, kj_field_errors_status(&errs, "Job", GROUP, job.metadata.name));
        kj_field_errors_free(&errs);
        kj_job_clear(&job);
        return 0;
    }
    kj_field_errors_free(&errs);
    kj_job_warnings_on_create(&job, &resp->warnings);
    cJSON *obj = kj_job_to_json(&job);
    kj_assert(obj != NULL);
    cleanup_free char *name = xstrdup(job.metadata.name);
    kj_job_clear(&job);
    bool dry = false;
    if (kj_dry_run(req, &dry, err) < 0) {
        cJSON_Delete(obj);
        return -1;
    }
    if (dry) {
        if (kj_store_get(store_of(req), JOBS, ns, name) != NULL) {
            cJSON_Delete(obj);
            return kj_http_resp_json(resp, 409, kj_status_already_exists(JOBS, GROUP, name));
        }
        return kj_http_resp_json(resp, 201, obj);
    }
    if (kj_store_create(store_of(req), JOBS, ns, name, obj, NULL, err) < 0) {
        cJSON_Delete(obj);
        if (kj_error_http_status(*err) == 409) {
            kj_error_release(err);
            return kj_http_resp_json(resp, 409, kj_status_already_exists(JOBS, GROUP, name));
        }
        return kj_error_wrap(err, "store job `%s/%s`", ns, name);
    }
    kj_log(KJ_LOG_INFO, "job `%s/%s` created", ns, name);
    return kj_http_resp_json(resp, 201, kj_apiserver_client_copy(kj_store_get(store_of(req), JOBS, ns, name)));
}

int kj_dry_run_in(const cJSON *opts, bool *dry, kj_error_t *err)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(opts, "dryRun"))
    {
        if (!cJSON_IsString(e) || strcmp(e->valuestring, "All") != 0)
            return kj_make_http_error(err, 400, "Invalid dry run value: only \"All\" is supported");
        *dry = true;
    }
    return 0;
}

/* propagationPolicy from the query, else from a DeleteOptions body. */
/* *dry: dryRun=All in the query or the DeleteOptions body (kubectl delete
 * --dry-run=server sends the latter). */
int kj_delete_options(struct kj_http_req *req, enum kj_propagation *out, bool *dry, kj_error_t *err)
{
    if (kj_dry_run(req, dry, err) < 0)
        return -1;
    if (kj_propagation_parse(kj_query_get(&req->query, "propagationPolicy"), out, err) < 0)
        return -1;
    if (req->body == NULL || req->body_len == 0)
        return 0;
    cleanup_cjson cJSON *opts = NULL;
    enum kj_body_type bt = kj_body_type_detect(req->content_type, req->body, req->body_len);
    if (kj_body_decode_object(bt, req->body, req->body_len, &opts, err) < 0)
        return -1;
    if (kj_dry_run_in(opts, dry, err) < 0)
        return -1;
    if (*out != KJ_PROPAGATION_UNSET)
        return 0;
    const cJSON *pp = cJSON_GetObjectItemCaseSensitive(opts, "propagationPolicy");
    if (pp != NULL && !cJSON_IsNull(pp)) {
        if (!cJSON_IsString(pp))
            return kj_make_http_error(err, 400, "propagationPolicy must be a string");
        return kj_propagation_parse(pp->valuestring, out, err);
    }
    const cJSON *orphan = cJSON_GetObjectItemCaseSensitive(opts, "orphanDependents");
    if (cJSON_IsBool(orphan))
        *out = cJSON_IsTrue(orphan) ? KJ_PROPAGATION_ORPHAN : KJ_PROPAGATION_BACKGROUND;
    return 0;
}

void kj_delete_mark(cJSON *obj, const char *finalizer)
{
    cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
    char ts[KJ_RFC3339_BUFSZ];
    kj_rfc3339_format(kj_time_now_ns(), ts, sizeof ts);
    if (cJSON_GetObjectItemCaseSensitive(meta, "deletionTimestamp") == NULL)
        cJSON_AddStringToObject(meta, "deletionTimestamp", ts);
    if (cJSON_GetObjectItemCaseSensitive(meta, "deletionGracePeriodSeconds") == NULL)
        cJSON_AddNumberToObject(meta, "deletionGracePeriodSeconds", 0);
    cJSON *fin = cJSON_GetObjectItemCaseSensitive(meta, "finalizers");
    if (!cJSON_IsArray(fin)) {
        cJSON_DeleteItemFromObjectCaseSensitive(meta, "finalizers");
        fin = cJSON_AddArrayToObject(meta, "finalizers");
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, fin)
    {
        if (cJSON_IsString(e) && strcmp(e->valuestring, finalizer) == 0)
            return;
    }
    cJSON_AddItemToArray(fin, cJSON_CreateString(finalizer));
}

int kj_h_job_delete(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    const char *ns = kj_route_param(&req->params, "namespace");
    const char *name = kj_route_param(&req->params, "name");
    const struct kj_apiserver_deps *deps = kj_apiserver_deps(req->srv);
    if (kj_namespace_check(ns, err) < 0)
        return -1;
    enum kj_propagation policy;
    bool dry = false;
    if (kj_delete_options(req, &policy, &dry, err) < 0)
        return -1;
    if (policy == KJ_PROPAGATION_UNSET && deps->default_propagation != KJ_PROPAGATION_UNSET)
        policy = deps->default_propagation;
    if (policy == KJ_PROPAGATION_UNSET) {
        /* batch/v1 keeps its pre-GC default (k8s-job.md §10.1); kubectl
         * always sends Background, so only raw API clients see this. */
        policy = KJ_PROPAGATION_ORPHAN;
        kj_strlist_push(&resp->warnings,
                        "child pods are preserved by default when jobs are deleted; set "
                        "propagationPolicy=Background to remove them or set "
                        "propagationPolicy=Orphan to suppress this warning");
    }
    const cJSON *stored = kj_store_get(store_of(req), JOBS, ns, name);
    if (stored == NULL)
        return kj_http_resp_json(resp, 404, kj_status_not_found(JOBS, GROUP, name));
    const cJSON *uidj = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(stored, "metadata"), "uid");
    cleanup_free char *uid = xstrdup(cJSON_IsString(uidj) ? uidj->valuestring : "");
    if (dry)
        return kj_http_resp_json(resp, 200, kj_status_success_deleted(JOBS, GROUP, name, uid));

    if (policy == KJ_PROPAGATION_FOREGROUND || policy == KJ_PROPAGATION_ORPHAN) {
        /* The object stays, marked, until the controller has carried out the
         * cascade (Foreground: pods removed) or let the pods go (Orphan); it
         * then drops the finalizer and deletes the object (driver.h). */
        const char *fin = policy == KJ_PROPAGATION_ORPHAN ? "orphan" : "foregroundDeletion";
        cJSON *upd = cJSON_Duplicate(stored, 1);
        kj_assert(upd != NULL);
        kj_delete_mark(upd, fin);
        if (kj_store_update(store_of(req), JOBS, ns, name, upd, NULL, NULL, err) < 0) {
            cJSON_Delete(upd);
            return kj_error_wrap(err, "mark job `%s/%s` for deletion", ns, name);
        }
        kj_log(KJ_LOG_INFO, "job `%s/%s` marked for deletion (%s)", ns, name, fin);
        cJSON *shown = kj_apiserver_client_copy(kj_store_get(store_of(req), JOBS, ns, name));
        if (deps->job_deleted != NULL)
            deps->job_deleted(deps->arg, ns, name, uid, policy);
        return kj_http_resp_json(resp, 200, shown);
    }

    if (kj_store_delete(store_of(req), JOBS, ns, name, NULL, NULL, err) < 0) {
        if (kj_error_http_status(*err) == 404) {
            kj_error_release(err);
            return kj_http_resp_json(resp, 404, kj_status_not_found(JOBS, GROUP, name));
        }
        return kj_error_wrap(err, "delete job `%s/%s`", ns, name);
    }
    kj_log(KJ_LOG_INFO, "job `%s/%s` deleted (Background)", ns, name);
    if (deps->job_deleted != NULL)
        deps->job_deleted(deps->arg, ns, name, uid, policy);
    return kj_http_resp_json(resp, 200, kj_status_success_deleted(JOBS, GROUP, name, uid));
}
