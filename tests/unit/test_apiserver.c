/* pkg/apiserver pure parts: routing, Status rendering, body-type detection,
 * query parsing, filters; plus the Jobs handlers against a real store in a
 * temp dir (no sockets; apiserver_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apiserver_fixture.h"
#include "apiserver/handlers_events.h"
#include "apiserver/body.h"
#include "apiserver/filter.h"
#include "apiserver/handlers.h"
#include "apiserver/query.h"
#include "apiserver/request.h"
#include "apiserver/router.h"
#include "apiserver/server.h"
#include "apiserver/status.h"
#include "store/store.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/log.h"

/* ---- routing ---- */

static int h_dummy(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    (void)req;
    (void)resp;
    (void)err;
    return 0;
}

static const struct kj_route table[] = {
    {"GET", "/healthz", h_dummy, NULL},
    {"GET", "/apis/batch/v1/namespaces/{namespace}/jobs", h_dummy, "jobs"},
    {"POST", "/apis/batch/v1/namespaces/{namespace}/jobs", h_dummy, "jobs"},
    {"GET", "/apis/batch/v1/namespaces/{namespace}/jobs/{name}", h_dummy, "jobs"},
    {"*", "/apis/batch/v1/namespaces/{namespace}/jobs/{name}/status", h_dummy, "jobs"},
    {"GET", "/openapi/{path...}", h_dummy, NULL},
};
#define N_TABLE (sizeof table / sizeof table[0])

static void test_route_match(void **state)
{
    (void)state;
    struct kj_route_params p;
    assert_int_equal(kj_route_match(table, N_TABLE, "GET", "/healthz", &p), 0);
    assert_int_equal(p.n, 0);
    assert_int_equal(kj_route_match(table, N_TABLE, "POST", "/apis/batch/v1/namespaces/ns1/jobs", &p), 2);
    assert_string_equal(kj_route_param(&p, "namespace"), "ns1");
    assert_null(kj_route_param(&p, "name"));
    assert_int_equal(kj_route_match(table, N_TABLE, "GET", "/apis/batch/v1/namespaces/a/jobs/pi", &p), 3);
    assert_string_equal(kj_route_param(&p, "namespace"), "a");
    assert_string_equal(kj_route_param(&p, "name"), "pi");
    assert_int_equal(kj_route_match(table, N_TABLE, "PATCH", "/apis/batch/v1/namespaces/a/jobs/pi/status", &p), 4);
    assert_int_equal(kj_route_match(table, N_TABLE, "GET", "/openapi/v3/apis/batch/v1", &p), 5);
    assert_string_equal(kj_route_param(&p, "path"), "v3/apis/batch/v1");
}

static void test_route_404_405(void **state)
{
    (void)state;
    struct kj_route_params p;
    assert_int_equal(kj_route_match(table, N_TABLE, "DELETE", "/apis/batch/v1/namespaces/a/jobs", &p), -405);
    assert_int_equal(kj_route_match(table, N_TABLE, "PUT", "/healthz", &p), -405);
    assert_int_equal(kj_route_match(table, N_TABLE, "GET", "/healthz/", &p), -404);
    assert_int_equal(kj_route_match(table, N_TABLE, "GET", "/apis/batch/v1/namespaces//jobs", &p), -404);
    assert_int_equal(kj_route_match(table, N_TABLE, "GET", "/apis/batch/v1/namespaces/a/jobs/b/c", &p), -404);
    assert_int_equal(kj_route_match(table, N_TABLE, "GET", "/openapi", &p), -404);
    assert_int_equal(kj_route_match(table, N_TABLE, "GET", "", &p), -404);
    assert_int_equal(kj_route_match(table, N_TABLE, "GET", "healthz", &p), -404);
}

static void test_builtin_routes(void **state)
{
    (void)state;
    size_t n = 0;
    const struct kj_route *r = kj_apiserver_builtin_routes(&n);
    struct kj_route_params p;
    int i = kj_route_match(r, n, "GET", "/api/v1/namespaces/x/pods", &p);
    assert_true(i >= 0);
    assert_ptr_equal(r[i].handler, kj_h_pods_list);
    i = kj_route_match(r, n, "DELETE", "/apis/batch/v1/namespaces/x/jobs/j", &p);
    assert_ptr_equal(r[i].handler, kj_h_job_delete);
    i = kj_route_match(r, n, "GET", "/apis/batch/v1/jobs", &p);
    assert_ptr_equal(r[i].handler, kj_h_jobs_list);
    assert_int_equal(kj_route_match(r, n, "GET", "/readyz", &p) >= 0, 1);
    assert_int_equal(kj_route_match(r, n, "POST", "/apis/batch/v1/namespaces/x/jobs/j", &p), -405);
    i = kj_route_match(r, n, "PATCH", "/apis/batch/v1/namespaces/x/jobs/j", &p);
    assert_ptr_equal(r[i].handler, kj_h_job_patch);
}

/* ---- Status ---- */

static char *print(const cJSON *j)
{
    char *s = cJSON_PrintUnformatted(j);
    assert_non_null(s);
    return s;
}

static void test_status_rendering(void **state)
{
    (void)state;
    cleanup_cjson cJSON *nf = kj_status_not_found("jobs", "batch", "foo");
    cleanup_free char *s1 = print(nf);
    assert_string_equal(s1, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                            "\"message\":\"jobs.batch \\\"foo\\\" not found\",\"reason\":\"NotFound\","
                            "\"details\":{\"name\":\"foo\",\"group\":\"batch\",\"kind\":\"jobs\"},\"code\":404}");
    cleanup_cjson cJSON *ae = kj_status_already_exists("jobs", "batch", "foo");
    assert_string_equal(cJSON_GetObjectItem(ae, "message")->valuestring, "jobs.batch \"foo\" already exists");
    assert_string_equal(cJSON_GetObjectItem(ae, "reason")->valuestring, "AlreadyExists");
    assert_int_equal(cJSON_GetObjectItem(ae, "code")->valueint, 409);
    cleanup_cjson cJSON *pod = kj_status_not_found("pods", "", "p");
    assert_string_equal(cJSON_GetObjectItem(pod, "message")->valuestring, "pods \"p\" not found");
    assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(pod, "details"), "group"));
    cleanup_cjson cJSON *ok = kj_status_success_deleted("jobs", "batch", "foo", "u1");
    cleanup_free char *s2 = print(ok);
    assert_string_equal(s2, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Success\","
                            "\"details\":{\"name\":\"foo\",\"group\":\"batch\",\"kind\":\"jobs\",\"uid\":\"u1\"}}");
    kj_error_t err = NULL;
    kj_make_http_error(&err, 413, "too big");
    cleanup_cjson cJSON *fe = kj_status_from_error(err);
    assert_string_equal(cJSON_GetObjectItem(fe, "reason")->valuestring, "RequestEntityTooLarge");
    assert_int_equal(cJSON_GetObjectItem(fe, "code")->valueint, 413);
    kj_error_release(&err);
    kj_make_error(&err, 5, "disk");
    cleanup_cjson cJSON *ie = kj_status_from_error(err);
    assert_int_equal(cJSON_GetObjectItem(ie, "code")->valueint, 500);
    assert_string_equal(cJSON_GetObjectItem(ie, "reason")->valuestring, "InternalError");
    kj_error_release(&err);
    assert_string_equal(kj_status_reason_for_code(422), "Invalid");
    assert_string_equal(kj_status_reason_for_code(405), "MethodNotAllowed");
}

/* ---- body ---- */

static void test_body_detect(void **state)
{
    (void)state;
    const char *json = "  {\"a\":1}";
    const char *yaml = "apiVersion: batch/v1\n";
    assert_int_equal(kj_body_type_detect("application/json", yaml, strlen(yaml)), KJ_BODY_JSON);
    assert_int_equal(kj_body_type_detect("application/yaml", json, strlen(json)), KJ_BODY_YAML);
    assert_int_equal(kj_body_type_detect("application/x-yaml; charset=utf-8", "", 0), KJ_BODY_YAML);
    assert_int_equal(kj_body_type_detect("application/merge-patch+json", "", 0), KJ_BODY_JSON);
    assert_int_equal(kj_body_type_detect("application/apply-patch+yaml", "", 0), KJ_BODY_YAML);
    assert_int_equal(kj_body_type_detect(NULL, json, strlen(json)), KJ_BODY_JSON);
    assert_int_equal(kj_body_type_detect(NULL, yaml, strlen(yaml)), KJ_BODY_YAML);
    assert_int_equal(kj_body_type_detect("application/x-www-form-urlencoded", yaml, strlen(yaml)), KJ_BODY_YAML);
    assert_int_equal(kj_body_type_detect("*/*", json, strlen(json)), KJ_BODY_JSON);
    assert_int_equal(kj_body_type_detect("application/vnd.kubernetes.protobuf", json, strlen(json)),
                     KJ_BODY_UNSUPPORTED);
}

static void test_body_decode(void **state)
{
    (void)state;
    cJSON *out = NULL;
    kj_error_t err = NULL;
    const char *y = "a: 1\nb: [x]\n";
    assert_int_equal(kj_body_decode_object(KJ_BODY_YAML, y, strlen(y), &out, &err), 0);
    assert_int_equal(cJSON_GetObjectItem(out, "a")->valueint, 1);
    cJSON_Delete(out);
    const char *two = "a: 1\n---\nb: 2\n";
    assert_true(kj_body_decode_object(KJ_BODY_YAML, two, strlen(two), &out, &err) < 0);
    assert_int_equal(kj_error_http_status(err), 400);
    kj_error_release(&err);
    assert_true(kj_body_decode_object(KJ_BODY_JSON, "[1]", 3, &out, &err) < 0);
    assert_int_equal(kj_error_http_status(err), 400);
    kj_error_release(&err);
    assert_true(kj_body_decode_object(KJ_BODY_JSON, "{bad", 4, &out, &err) < 0);
    assert_int_equal(kj_error_http_status(err), 400);
    kj_error_release(&err);
    assert_true(kj_body_decode_object(KJ_BODY_JSON, "{}", KJ_APISERVER_MAX_BODY + 1, &out, &err) < 0);
    assert_int_equal(kj_error_http_status(err), 413);
    kj_error_release(&err);
}

/* ---- query ---- */

static void test_query_parse(void **state)
{
    (void)state;
    char *path = NULL;
    struct kj_query q;
    kj_error_t err = NULL;
    assert_int_equal(kj_request_target_parse("/api/v1/namespaces/a/pods?labelSelector=job-name%3Doneshot%2Cx+in+%28a%29&watch&limit=5",
                                             &path, &q, &err), 0);
    assert_string_equal(path, "/api/v1/namespaces/a/pods");
    assert_string_equal(kj_query_get(&q, "labelSelector"), "job-name=oneshot,x in (a)");
    assert_string_equal(kj_query_get(&q, "watch"), "");
    struct kj_list_opts o;
    assert_int_equal(kj_list_opts_parse(&q, &o, &err), 0);
    assert_true(o.watch);
    assert_int_equal(o.limit, 5);
    assert_string_equal(o.label_selector, "job-name=oneshot,x in (a)");
    kj_query_clear(&q);
    free(path);

    assert_int_equal(kj_request_target_parse("/x", &path, &q, &err), 0);
    assert_int_equal(q.n, 0);
    free(path);
    assert_true(kj_request_target_parse("x", &path, &q, &err) < 0);
    assert_int_equal(kj_error_http_status(err), 400);
    kj_error_release(&err);

    assert_int_equal(kj_query_parse("watch=maybe", &q, &err), 0);
    bool b;
    assert_true(kj_query_bool(&q, "watch", false, &b, &err) < 0);
    assert_int_equal(kj_error_http_status(err), 400);
    kj_error_release(&err);
    kj_query_clear(&q);
    assert_int_equal(kj_query_parse("limit=-3", &q, &err), 0);
    int64_t n;
    assert_true(kj_query_int(&q, "limit", 0, &n, &err) < 0);
    kj_error_release(&err);
    kj_query_clear(&q);
}

static void test_propagation(void **state)
{
    (void)state;
    enum kj_propagation p;
    kj_error_t err = NULL;
    assert_int_equal(kj_propagation_parse("Foreground", &p, &err), 0);
    assert_int_equal(p, KJ_PROPAGATION_FOREGROUND);
    assert_int_equal(kj_propagation_parse(NULL, &p, &err), 0);
    assert_int_equal(p, KJ_PROPAGATION_UNSET);
    assert_true(kj_propagation_parse("background", &p, &err) < 0);
    assert_int_equal(kj_error_http_status(err), 400);
    kj_error_release(&err);
}

static void test_filter(void **state)
{
    (void)state;
    cleanup_cjson cJSON *obj = cJSON_Parse("{\"metadata\":{\"name\":\"a\",\"labels\":{\"job-name\":\"pi\"}},"
                                           "\"status\":{\"phase\":\"Running\"},\"involvedObject\":{\"name\":\"pi\"}}");
    struct kj_list_opts o = {.label_selector = "job-name=pi", .field_selector = "status.phase=Running"};
    struct kj_filter f;
    kj_error_t err = NULL;
    assert_int_equal(kj_filter_from_opts(&o, &f, &err), 0);
    assert_true(kj_filter_matches(&f, obj));
    kj_filter_clear(&f);
    o.field_selector = "involvedObject.name!=pi";
    assert_int_equal(kj_filter_from_opts(&o, &f, &err), 0);
    assert_false(kj_filter_matches(&f, obj));
    kj_filter_clear(&f);
    o.label_selector = "job-name in (x,y)";
    o.field_selector = NULL;
    assert_int_equal(kj_filter_from_opts(&o, &f, &err), 0);
    assert_false(kj_filter_matches(&f, obj));
    kj_filter_clear(&f);
    o.label_selector = "job-name=(";
    assert_true(kj_filter_from_opts(&o, &f, &err) < 0);
    assert_int_equal(kj_error_http_status(err), 400);
    kj_error_release(&err);
    kj_filter_clear(&f);
    o.label_selector = NULL;
    o.field_selector = "nooperator";
    assert_true(kj_filter_from_opts(&o, &f, &err) < 0);
    kj_error_release(&err);
    kj_filter_clear(&f);
}

/* ---- handlers on a real store ---- */

static const char *job_yaml = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: pi\nspec:\n  template:\n"
                              "    spec:\n      containers:\n      - name: c\n        image: kjob/busybox:latest\n"
                              "      restartPolicy: Never\n";

static void test_jobs_crud(void **state)
{
    struct kj_apifx *fx = *state;
    cJSON *out = NULL;
    assert_int_equal(kj_apifx_call(fx, "POST", "/apis/batch/v1/namespaces/ns-1/jobs", "application/yaml", job_yaml, &out), 201);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(out, "metadata"), "namespace")->valuestring, "ns-1");
    assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(out, "metadata"), "uid"));
    cJSON_Delete(out);

    assert_int_equal(kj_apifx_call(fx, "POST", "/apis/batch/v1/namespaces/ns-1/jobs", NULL, job_yaml, &out), 409);
    assert_string_equal(cJSON_GetObjectItem(out, "reason")->valuestring, "AlreadyExists");
    cJSON_Delete(out);

    /* The controller's private ledger never shows. */
    const cJSON *stored = kj_store_get(fx->store, "jobs", "ns-1", "pi");
    cJSON *upd = cJSON_Duplicate(stored, 1);
    cJSON_AddObjectToObject(upd, "kjob");
    kj_error_t err = NULL;
    assert_int_equal(kj_store_update(fx->store, "jobs", "ns-1", "pi", upd, NULL, NULL, &err), 0);
    assert_int_equal(kj_apifx_call(fx, "GET", "/apis/batch/v1/namespaces/ns-1/jobs/pi", NULL, NULL, &out), 200);
    assert_null(cJSON_GetObjectItem(out, "kjob"));
    cJSON_Delete(out);

    assert_int_equal(kj_apifx_call(fx, "GET", "/apis/batch/v1/jobs?labelSelector=job-name%3Dpi", NULL, NULL, &out), 200);
    assert_string_equal(cJSON_GetObjectItem(out, "kind")->valuestring, "JobList");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(out, "items")), 1);
    assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(out, "items"), 0), "kjob"));
    assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(out, "metadata"), "resourceVersion"));
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "GET", "/apis/batch/v1/namespaces/other/jobs", NULL, NULL, &out), 200);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(out, "items")), 0);
    cJSON_Delete(out);

    assert_int_equal(kj_apifx_call(fx, "DELETE", "/apis/batch/v1/namespaces/ns-1/jobs/pi?propagationPolicy=Foreground", NULL, NULL, &out), 200);
    assert_string_equal(cJSON_GetObjectItem(out, "kind")->valuestring, "Job");
    assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(out, "metadata"), "deletionTimestamp"));
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "DELETE", "/apis/batch/v1/namespaces/ns-1/jobs/pi", "application/json",
                                   "{\"kind\":\"DeleteOptions\",\"propagationPolicy\":\"Background\"}", &out), 200);
    assert_string_equal(cJSON_GetObjectItem(out, "status")->valuestring, "Success");
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "DELETE", "/apis/batch/v1/namespaces/ns-1/jobs/pi", NULL, NULL, &out), 404);
    assert_string_equal(cJSON_GetObjectItem(out, "message")->valuestring, "jobs.batch \"pi\" not found");
    cJSON_Delete(out);
}

static int list_len(struct kj_apifx *fx, const char *target)
{
    cJSON *out = NULL;
    assert_int_equal(kj_apifx_call(fx, "GET", target, NULL, NULL, &out), 200);
    int n = cJSON_GetArraySize(cJSON_GetObjectItem(out, "items"));
    cJSON_Delete(out);
    return n;
}

static void test_jobs_delete_collection(void **state)
{
    struct kj_apifx *fx = *state;
    cJSON *out = NULL;
    static const char *const jobs[][2] = {{"a", "web"}, {"b", "web"}, {"c", "db"}};
    for (size_t i = 0; i < 3; i++) {
        char yaml[512];
        snprintf(yaml, sizeof yaml,
                 "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: %s\n  labels: {tier: %s}\n"
                 "spec:\n  template:\n    spec:\n      containers:\n      - name: c\n"
                 "        image: kjob/busybox:latest\n      restartPolicy: Never\n",
                 jobs[i][0], jobs[i][1]);
        assert_int_equal(kj_apifx_call(fx, "POST", "/apis/batch/v1/namespaces/ns-1/jobs", NULL, yaml, &out), 201);
        cJSON_Delete(out);
    }
    const char *coll = "/apis/batch/v1/namespaces/ns-1/jobs";
    /* Dry run: the list of what would go, nothing gone. */
    assert_int_equal(kj_apifx_call(fx, "DELETE", "/apis/batch/v1/namespaces/ns-1/jobs?labelSelector=tier%3Dweb&dryRun=All",
                                   NULL, NULL, &out), 200);
    assert_string_equal(cJSON_GetObjectItem(out, "kind")->valuestring, "JobList");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(out, "items")), 2);
    cJSON_Delete(out);
    assert_int_equal(list_len(fx, coll), 3);
    /* Each item as one DELETE of it: batch/v1's Orphan default and its
     * warning, once for the request. */
    assert_int_equal(kj_apifx_call(fx, "DELETE", "/apis/batch/v1/namespaces/ns-1/jobs?labelSelector=tier%3Dweb",
                                   NULL, NULL, &out), 200);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(out, "items")), 2);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(out, "items"), 0),
                                                                "metadata"),
                                            "name")->valuestring,
                        "a");
    cJSON_Delete(out);
    assert_int_equal(fx->warnings.len, 1);
    assert_non_null(strstr(fx->warnings.items[0], "child pods are preserved by default"));
    /* Orphan: marked, gone once the controller drops the finalizer. */
    const cJSON *a = kj_store_get(fx->store, "jobs", "ns-1", "a");
    assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(a, "metadata"), "deletionTimestamp"));
    assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(kj_store_get(fx->store, "jobs", "ns-1", "c"), "metadata"), "uid"));
    assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(kj_store_get(fx->store, "jobs", "ns-1", "c"), "metadata"),
                                    "deletionTimestamp"));
    /* Background, from a DeleteOptions body: the objects go at once. */
    assert_int_equal(kj_apifx_call(fx, "DELETE", coll, "application/json",
                                   "{\"kind\":\"DeleteOptions\",\"propagationPolicy\":\"Background\"}", &out), 200);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(out, "items")), 3);
    cJSON_Delete(out);
    assert_int_equal(list_len(fx, coll), 0);
    assert_int_equal(kj_apifx_call(fx, "DELETE", coll, NULL, NULL, &out), 200);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(out, "items")), 0);
    cJSON_Delete(out);
    /* The list's refusals and the delete's are the request's. */
    assert_int_equal(kj_apifx_call(fx, "DELETE", "/apis/batch/v1/namespaces/ns-1/jobs?labelSelector=a%20in", NULL, NULL, &out), 400);
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "DELETE", "/apis/batch/v1/namespaces/ns-1/jobs?watch=1", NULL, NULL, &out), 400);
    cJSON_Delete(out);
}

static void test_pod_delete_and_eviction_options(void **state)
{
    struct kj_apifx *fx = *state;
    cJSON *out = NULL;
    /* -1 is kubectl's "the pod's own", as if not given. */
    static const char *const bad[] = {"nan", "inf", "-2", "1.5", "3s", "1e12"};
    char target[128];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(target, sizeof target, "/api/v1/namespaces/ns-1/pods/p?gracePeriodSeconds=%s", bad[i]);
        assert_int_equal(kj_apifx_call(fx, "DELETE", target, NULL, NULL, &out), 400);
        assert_string_equal(cJSON_GetObjectItem(out, "message")->valuestring,
                            "gracePeriodSeconds must be a whole number of seconds, 0 or more");
        cJSON_Delete(out);
    }
    assert_int_equal(kj_apifx_call(fx, "DELETE", "/api/v1/namespaces/ns-1/pods/p", "application/json",
                                   "{\"gracePeriodSeconds\":\"soon\"}", &out), 400);
    cJSON_Delete(out);
    /* Good options: then the pod is looked for (none here). */
    assert_int_equal(kj_apifx_call(fx, "DELETE", "/api/v1/namespaces/ns-1/pods/p?gracePeriodSeconds=0", NULL, NULL, &out), 404);
    assert_string_equal(cJSON_GetObjectItem(out, "message")->valuestring, "pods \"p\" not found");
    cJSON_Delete(out);

    const char *ev = "/api/v1/namespaces/ns-1/pods/p/eviction";
    assert_int_equal(kj_apifx_call(fx, "POST", ev, NULL, NULL, &out), 400);
    assert_string_equal(cJSON_GetObjectItem(out, "message")->valuestring, "an Eviction object is required");
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "POST", ev, "application/json", "{\"kind\":\"Pod\"}", &out), 400);
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "POST", ev, "application/json",
                                   "{\"kind\":\"Eviction\",\"metadata\":{\"name\":\"q\"}}", &out), 400);
    assert_string_equal(cJSON_GetObjectItem(out, "message")->valuestring,
                        "name in URL does not match name in Eviction object");
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "POST", ev, "application/json",
                                   "{\"kind\":\"Eviction\",\"metadata\":{\"name\":\"p\"},"
                                   "\"deleteOptions\":{\"dryRun\":[\"Some\"]}}", &out), 400);
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "POST", ev, "application/json",
                                   "{\"kind\":\"Eviction\",\"metadata\":{\"name\":\"p\"}}", &out), 404);
    cJSON_Delete(out);
}

static void test_events_get_and_delete(void **state)
{
    struct kj_apifx *fx = *state;
    kj_event_routes_install(fx->srv);
    size_t n;
    const struct kj_route *routes = kj_event_routes(&n);
    kj_apifx_add_routes(fx, routes, n);
    kj_error_t err = NULL;
    for (int i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "pi.%d", i);
        cJSON *ev = cJSON_CreateObject();
        cJSON_AddStringToObject(ev, "kind", "Event");
        cJSON_AddStringToObject(ev, "apiVersion", "v1");
        cJSON *md = cJSON_AddObjectToObject(ev, "metadata");
        cJSON_AddStringToObject(md, "name", name);
        cJSON_AddStringToObject(md, "namespace", "ns-1");
        cJSON_AddStringToObject(ev, "reason", i == 2 ? "Completed" : "SuccessfulCreate");
        assert_int_equal(kj_store_create(fx->store, "events", "ns-1", name, ev, NULL, &err), 0);
    }
    cJSON *out = NULL;
    assert_int_equal(kj_apifx_call(fx, "GET", "/api/v1/namespaces/ns-1/events/pi.1", NULL, NULL, &out), 200);
    assert_string_equal(cJSON_GetObjectItem(out, "reason")->valuestring, "SuccessfulCreate");
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "DELETE", "/api/v1/namespaces/ns-1/events/pi.1", NULL, NULL, &out), 200);
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "GET", "/api/v1/namespaces/ns-1/events/pi.1", NULL, NULL, &out), 404);
    cJSON_Delete(out);
    /* `kubectl delete events --all`, as a collection. */
    assert_int_equal(kj_apifx_call(fx, "DELETE", "/api/v1/namespaces/ns-1/events", NULL, NULL, &out), 200);
    assert_string_equal(cJSON_GetObjectItem(out, "kind")->valuestring, "EventList");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(out, "items")), 2);
    cJSON_Delete(out);
    assert_int_equal(list_len(fx, "/api/v1/namespaces/ns-1/events"), 0);
}

static void test_jobs_create_errors(void **state)
{
    struct kj_apifx *fx = *state;
    cJSON *out = NULL;
    assert_int_equal(kj_apifx_call(fx, "POST", "/apis/batch/v1/namespaces/ns/jobs", "application/json", "{nope", &out), 400);
    assert_string_equal(cJSON_GetObjectItem(out, "reason")->valuestring, "BadRequest");
    cJSON_Delete(out);
    const char *bad = "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"metadata\":{\"name\":\"x\"},"
                      "\"spec\":{\"parallelism\":-1,\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}],"
                      "\"restartPolicy\":\"Never\"}}}}";
    assert_int_equal(kj_apifx_call(fx, "POST", "/apis/batch/v1/namespaces/ns/jobs", "application/json", bad, &out), 422);
    assert_string_equal(cJSON_GetObjectItem(out, "reason")->valuestring, "Invalid");
    assert_non_null(strstr(cJSON_GetObjectItem(out, "message")->valuestring, "spec.parallelism"));
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "POST", "/apis/batch/v1/namespaces/Bad_NS/jobs", NULL, job_yaml, &out), 400);
    cJSON_Delete(out);
    const char *pod = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"x\"}}";
    assert_int_equal(kj_apifx_call(fx, "POST", "/apis/batch/v1/namespaces/ns/jobs", NULL, pod, &out), 400);
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "POST", "/apis/batch/v1/namespaces/ns/jobs", NULL, NULL, &out), 400);
    cJSON_Delete(out);
    const char *other_ns = "{\"metadata\":{\"name\":\"x\",\"namespace\":\"b\"}}";
    assert_int_equal(kj_apifx_call(fx, "POST", "/apis/batch/v1/namespaces/a/jobs", NULL, other_ns, &out), 400);
    cJSON_Delete(out);
}

static void test_jobs_update(void **state)
{
    struct kj_apifx *fx = *state;
    cJSON *out = NULL;
    assert_int_equal(kj_apifx_call(fx, "POST", "/apis/batch/v1/namespaces/ns/jobs", NULL, job_yaml, &out), 201);
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "PATCH", "/apis/batch/v1/namespaces/ns/jobs/pi", "application/merge-patch+json",
                                   "{\"spec\":{\"suspend\":true}}", &out), 200);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(out, "spec"), "suspend")));
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(out, "metadata"), "resourceVersion")->valuestring, "2");
    cJSON_Delete(out);
    /* Immutable field: 422 with the Kubernetes text. */
    assert_int_equal(kj_apifx_call(fx, "PATCH", "/apis/batch/v1/namespaces/ns/jobs/pi", "application/merge-patch+json",
                                   "{\"spec\":{\"completions\":5}}", &out), 422);
    assert_non_null(strstr(cJSON_GetObjectItem(out, "message")->valuestring, "field is immutable"));
    cJSON_Delete(out);
    /* PUT with a stale resourceVersion: 409 Conflict. */
    assert_int_equal(kj_apifx_call(fx, "GET", "/apis/batch/v1/namespaces/ns/jobs/pi", NULL, NULL, &out), 200);
    cJSON_SetValuestring(cJSON_GetObjectItem(cJSON_GetObjectItem(out, "metadata"), "resourceVersion"), "1");
    char *body = cJSON_PrintUnformatted(out);
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "PUT", "/apis/batch/v1/namespaces/ns/jobs/pi", "application/json", body, &out), 409);
    assert_string_equal(cJSON_GetObjectItem(out, "reason")->valuestring, "Conflict");
    cJSON_Delete(out);
    free(body);
    assert_int_equal(kj_apifx_call(fx, "PATCH", "/apis/batch/v1/namespaces/ns/jobs/nope", "application/merge-patch+json", "{}", &out), 404);
    cJSON_Delete(out);
}

static void test_kubectl_discovery_and_tables(void **state)
{
    struct kj_apifx *fx = *state;
    cJSON *out = NULL;
    assert_int_equal(kj_apifx_call(fx, "GET", "/api", NULL, NULL, &out), 200);
    assert_string_equal(cJSON_GetObjectItem(out, "kind")->valuestring, "APIVersions");
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "GET", "/apis/batch/v1", NULL, NULL, &out), 200);
    assert_string_equal(cJSON_GetObjectItem(out, "kind")->valuestring, "APIResourceList");
    cJSON_Delete(out);
    fx->accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
    assert_int_equal(kj_apifx_call(fx, "GET", "/apis", NULL, NULL, &out), 200);
    assert_non_null(fx->content_type);
    assert_non_null(strstr(fx->content_type, "apidiscovery.k8s.io"));
    cJSON_Delete(out);
    fx->accept = NULL;
    assert_int_equal(kj_apifx_call(fx, "GET", "/apis/nope/v9", NULL, NULL, &out), 404);
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "GET", "/openapi/v3", NULL, NULL, &out), 200);
    cJSON_Delete(out);

    assert_int_equal(kj_apifx_call(fx, "POST", "/apis/batch/v1/namespaces/ns/jobs", NULL, job_yaml, &out), 201);
    cJSON_Delete(out);
    fx->accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
    assert_int_equal(kj_apifx_call(fx, "GET", "/apis/batch/v1/namespaces/ns/jobs", NULL, NULL, &out), 200);
    assert_string_equal(cJSON_GetObjectItem(out, "kind")->valuestring, "Table");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(out, "rows")), 1);
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "GET", "/apis/batch/v1/namespaces/ns/jobs/pi", NULL, NULL, &out), 200);
    assert_string_equal(cJSON_GetObjectItem(out, "kind")->valuestring, "Table");
    cJSON_Delete(out);
    /* Errors stay Statuses. */
    assert_int_equal(kj_apifx_call(fx, "GET", "/apis/batch/v1/namespaces/ns/jobs/nope", NULL, NULL, &out), 404);
    assert_string_equal(cJSON_GetObjectItem(out, "kind")->valuestring, "Status");
    cJSON_Delete(out);
}

static void test_health_and_pods_without_controller(void **state)
{
    struct kj_apifx *fx = *state;
    cJSON *out = NULL;
    assert_int_equal(kj_apifx_call(fx, "GET", "/readyz", NULL, NULL, &out), 200);
    assert_int_equal(kj_apifx_call(fx, "GET", "/version", NULL, NULL, &out), 200);
    assert_string_equal(cJSON_GetObjectItem(out, "major")->valuestring, "1");
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "GET", "/api/v1/namespaces/a/pods", NULL, NULL, &out), 200);
    assert_string_equal(cJSON_GetObjectItem(out, "kind")->valuestring, "PodList");
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "GET", "/api/v1/namespaces/any-name", NULL, NULL, &out), 200);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(out, "status"), "phase")->valuestring, "Active");
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "GET", "/api/v1/namespaces/Bad_Name", NULL, NULL, &out), 404);
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "GET", "/api/v1/namespaces", NULL, NULL, &out), 200);
    assert_string_equal(cJSON_GetObjectItem(out, "kind")->valuestring, "NamespaceList");
    cJSON_Delete(out);
    assert_int_equal(kj_apifx_call(fx, "GET", "/api/v1/namespaces/a/pods/p", NULL, NULL, &out), 404);
    assert_string_equal(cJSON_GetObjectItem(out, "message")->valuestring, "pods \"p\" not found");
    cJSON_Delete(out);
}

int main(void)
{
    kj_log_setup(KJ_LOG_ERROR, KJ_LOG_TEXT, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_route_match),
        cmocka_unit_test(test_route_404_405),
        cmocka_unit_test(test_builtin_routes),
        cmocka_unit_test(test_status_rendering),
        cmocka_unit_test(test_body_detect),
        cmocka_unit_test(test_body_decode),
        cmocka_unit_test(test_query_parse),
        cmocka_unit_test(test_propagation),
        cmocka_unit_test(test_filter),
        cmocka_unit_test_setup_teardown(test_jobs_crud, kj_apifx_setup, kj_apifx_teardown),
        cmocka_unit_test_setup_teardown(test_jobs_delete_collection, kj_apifx_setup, kj_apifx_teardown),
        cmocka_unit_test_setup_teardown(test_pod_delete_and_eviction_options, kj_apifx_setup, kj_apifx_teardown),
        cmocka_unit_test_setup_teardown(test_events_get_and_delete, kj_apifx_setup, kj_apifx_teardown),
        cmocka_unit_test_setup_teardown(test_jobs_create_errors, kj_apifx_setup, kj_apifx_teardown),
        cmocka_unit_test_setup_teardown(test_jobs_update, kj_apifx_setup, kj_apifx_teardown),
        cmocka_unit_test_setup_teardown(test_kubectl_discovery_and_tables, kj_apifx_setup, kj_apifx_teardown),
        cmocka_unit_test_setup_teardown(test_health_and_pods_without_controller, kj_apifx_setup, kj_apifx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
