/* Discovery, OpenAPI, server-side Tables and the three patch flavours. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kubeapi/describe.h"
#include "kubeapi/discovery.h"
#include "kubeapi/openapi.h"
#include "kubeapi/patch.h"
#include "kubeapi/resources.h"
#include "kubeapi/table.h"
#include "kubeapi/tabwriter.h"
#include "util/cleanup.h"

static cJSON *parse(const char *s)
{
    cJSON *j = cJSON_Parse(s);
    assert_non_null(j);
    return j;
}

/* Compact JSON text of j, for exact comparisons; caller frees. */
static char *text(const cJSON *j)
{
    char *s = cJSON_PrintUnformatted(j);
    assert_non_null(s);
    return s;
}

static void assert_json(const cJSON *actual, const char *expected)
{
    cleanup_cjson cJSON *e = parse(expected);
    if (!cJSON_Compare(actual, e, true)) {
        cleanup_free char *a = text(actual);
        fail_msg("json differs:\n actual:   %s\n expected: %s", a, expected);
    }
}

static void test_resource_lookup(void **state)
{
    (void)state;
    const struct kj_api_resource *r = kj_resource_find("batch", "v1", "jobs");
    assert_non_null(r);
    assert_string_equal(r->kind, "Job");
    assert_true(r->namespaced);
    assert_non_null(kj_resource_find("batch", "v1", "jobs/status"));
    assert_non_null(kj_resource_find("", "v1", "pods/log"));
    assert_null(kj_resource_find("batch", "v2", "jobs"));
    assert_null(kj_resource_find("", "v1", "persistentvolumeclaims"));
    /* issue 8: ConfigMaps and Secrets are served (handlers_config.c). */
    assert_string_equal(kj_resource_find("", "v1", "secrets")->kind, "Secret");
    assert_string_equal(kj_resource_resolve("cm")->kind, "ConfigMap");
}

static void test_legacy_discovery(void **state)
{
    (void)state;
    cleanup_cjson cJSON *api = kj_discovery_legacy("/api");
    assert_string_equal(cJSON_GetObjectItem(api, "kind")->valuestring, "APIVersions");
    cleanup_cjson cJSON *apis = kj_discovery_legacy("/apis");
    cJSON *groups = cJSON_GetObjectItem(apis, "groups");
    bool has_batch = false;
    cJSON *g;
    cJSON_ArrayForEach(g, groups)
    {
        assert_string_not_equal(cJSON_GetObjectItem(g, "name")->valuestring, "");
        has_batch = has_batch || strcmp(cJSON_GetObjectItem(g, "name")->valuestring, "batch") == 0;
    }
    assert_true(has_batch);
    cleanup_cjson cJSON *batch = kj_discovery_legacy("/apis/batch/v1");
    assert_string_equal(cJSON_GetObjectItem(batch, "groupVersion")->valuestring, "batch/v1");
    cJSON *jobs = cJSON_GetArrayItem(cJSON_GetObjectItem(batch, "resources"), 0);
    assert_string_equal(cJSON_GetObjectItem(jobs, "name")->valuestring, "jobs");
    assert_json(cJSON_GetObjectItem(jobs, "categories"), "[\"all\"]");
    assert_json(cJSON_GetObjectItem(jobs, "verbs"),
                "[\"create\",\"delete\",\"deletecollection\",\"get\",\"list\",\"patch\","
                "\"update\",\"watch\"]");
    cleanup_cjson cJSON *group = kj_discovery_legacy("/apis/batch");
    assert_string_equal(cJSON_GetObjectItem(group, "kind")->valuestring, "APIGroup");
    assert_null(kj_discovery_legacy("/apis/storage.k8s.io/v1"));
    assert_null(kj_discovery_legacy("/apis/batch/v2"));
    assert_null(kj_discovery_legacy("/apis/batchx/v1"));
}

static void test_aggregated_discovery(void **state)
{
    (void)state;
    bool beta;
    assert_true(kj_discovery_wants_aggregated(
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json",
        &beta));
    assert_false(beta);
    assert_true(kj_discovery_wants_aggregated(
        "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList", &beta));
    assert_true(beta);
    assert_false(kj_discovery_wants_aggregated("application/json, */*", &beta));

    cleanup_cjson cJSON *apis = kj_discovery_aggregated("/apis", false);
    assert_string_equal(cJSON_GetObjectItem(apis, "apiVersion")->valuestring,
                        "apidiscovery.k8s.io/v2");
    cJSON *item = NULL, *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(apis, "items"))
    {
        if (strcmp(cJSON_GetObjectItem(cJSON_GetObjectItem(it, "metadata"), "name")->valuestring,
                   "batch") == 0)
            item = it;
    }
    assert_non_null(item);
    cJSON *ver = cJSON_GetArrayItem(cJSON_GetObjectItem(item, "versions"), 0);
    cJSON *jobs = cJSON_GetArrayItem(cJSON_GetObjectItem(ver, "resources"), 0);
    assert_string_equal(cJSON_GetObjectItem(jobs, "scope")->valuestring, "Namespaced");
    cJSON *sub = cJSON_GetArrayItem(cJSON_GetObjectItem(jobs, "subresources"), 0);
    assert_string_equal(cJSON_GetObjectItem(sub, "subresource")->valuestring, "status");

    cleanup_cjson cJSON *core = kj_discovery_aggregated("/api", false);
    cJSON *citem = cJSON_GetArrayItem(cJSON_GetObjectItem(core, "items"), 0);
    assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(citem, "metadata"), "name"));
    assert_null(kj_discovery_aggregated("/apis/batch", false));
}

static void test_openapi_field_validation_on_patch(void **state)
{
    (void)state;
    cleanup_cjson cJSON *index = kj_openapi_v3_index();
    cJSON *batch = cJSON_GetObjectItem(cJSON_GetObjectItem(index, "paths"), "apis/batch/v1");
    assert_non_null(batch);
    const char *url = cJSON_GetObjectItem(batch, "serverRelativeURL")->valuestring;
    assert_true(strncmp(url, "/openapi/v3/apis/batch/v1?hash=", 31) == 0);
    assert_int_equal(strlen(url), 31 + 64);

    cleanup_cjson cJSON *doc = kj_openapi_v3_doc("apis/batch/v1");
    cJSON *item = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "paths"),
                                      "/apis/batch/v1/namespaces/{namespace}/jobs/{name}");
    assert_non_null(item);
    cJSON *patch = cJSON_GetObjectItem(item, "patch");
    assert_json(cJSON_GetObjectItem(patch, "x-kubernetes-group-version-kind"),
                "{\"group\":\"batch\",\"version\":\"v1\",\"kind\":\"Job\"}");
    bool found = false;
    cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItem(patch, "parameters"))
    {
        found = found || (strcmp(cJSON_GetObjectItem(p, "name")->valuestring, "fieldValidation") == 0 &&
                          strcmp(cJSON_GetObjectItem(p, "in")->valuestring, "query") == 0);
    }
    assert_true(found);
    /* The model below the kind, for kubectl explain: Job -> spec (JobSpec)
     * -> template -> spec -> containers[] -> resources. */
    cJSON *schemas = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "components"), "schemas");
    cJSON *job = cJSON_GetObjectItem(schemas, "io.k8s.api.batch.v1.Job");
    assert_json(cJSON_GetArrayItem(cJSON_GetObjectItem(job, "x-kubernetes-group-version-kind"), 0),
                "{\"group\":\"batch\",\"kind\":\"Job\",\"version\":\"v1\"}");
    assert_json(cJSON_GetObjectItem(cJSON_GetObjectItem(job, "properties"), "spec"),
                "{\"allOf\":[{\"$ref\":\"#/components/schemas/io.k8s.api.batch.v1.JobSpec\"}],"
                "\"description\":\"What the Job runs and how: pods, completions, parallelism, failure "
                "handling.\"}");
    cJSON *spec = cJSON_GetObjectItem(cJSON_GetObjectItem(schemas, "io.k8s.api.batch.v1.JobSpec"),
                                      "properties");
    assert_json(cJSON_GetObjectItem(spec, "parallelism"),
                "{\"type\":\"integer\",\"format\":\"int32\",\"description\":\"Maximum number of "
                "the Job's pods running at once. Defaults to 1.\"}");
    cJSON *ps = cJSON_GetObjectItem(schemas, "io.k8s.api.batch.v1.PodSpec");
    assert_json(cJSON_GetObjectItem(cJSON_GetObjectItem(ps, "properties"), "containers"),
                "{\"type\":\"array\",\"items\":{\"allOf\":[{\"$ref\":"
                "\"#/components/schemas/io.k8s.api.batch.v1.Container\"}]}}");
    cJSON *c = cJSON_GetObjectItem(cJSON_GetObjectItem(schemas, "io.k8s.api.batch.v1.Container"),
                                   "properties");
    assert_non_null(cJSON_GetObjectItem(c, "resources"));
    assert_non_null(cJSON_GetObjectItem(c, "image"));
    /* Every $ref points at a component of the document. */
    cJSON *sch;
    cJSON_ArrayForEach(sch, schemas)
    {
        char *text = cJSON_PrintUnformatted(sch);
        for (const char *r = strstr(text, "#/components/schemas/"); r != NULL;
             r = strstr(r + 1, "#/components/schemas/")) {
            char name[160];
            sscanf(r + strlen("#/components/schemas/"), "%159[^\"]", name);
            if (cJSON_GetObjectItem(schemas, name) == NULL)
                fail_msg("dangling $ref %s in %s", name, sch->string);
        }
        free(text);
    }
    assert_null(kj_openapi_v3_doc("apis/storage.k8s.io/v1"));
    /* The document is deterministic, so the hash is too. */
    cleanup_cjson cJSON *again = kj_openapi_v3_index();
    assert_true(cJSON_Compare(index, again, true));
}

static void test_human_duration(void **state)
{
    (void)state;
    static const struct {
        int64_t d;
        const char *want;
    } cases[] = {
        {-5, "<invalid>"}, {-1, "0s"},        {0, "0s"},          {119, "119s"},
        {120, "2m"},       {190, "3m10s"},    {599, "9m59s"},     {600, "10m"},
        {10799, "179m"},   {10800, "3h"},     {11100, "3h5m"},    {28800, "8h"},
        {172799, "47h"},   {172800, "2d"},    {190800, "2d5h"},   {691200, "8d"},
        {63072000, "2y"},  {63158400, "2y1d"}, {252288000, "8y"},
    };
    char buf[32];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_string_equal(kj_human_duration(cases[i].d, buf, sizeof(buf)), cases[i].want);
    assert_int_equal(kj_rfc3339_seconds("1970-01-01T00:01:40Z"), 100);
    assert_int_equal(kj_rfc3339_seconds("1970-01-01T01:01:40+01:00"), 100);
    assert_int_equal(kj_rfc3339_seconds("1970-01-01T00:01:40.123456Z"), 100);
    assert_int_equal(kj_rfc3339_seconds("yesterday"), -1);
}

static cJSON *row_cells(cJSON *table, int row)
{
    return cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(table, "rows"), row),
                               "cells");
}

static void test_job_table(void **state)
{
    (void)state;
    cleanup_cjson cJSON *items = parse(
        "[{\"metadata\":{\"name\":\"oneshot\",\"creationTimestamp\":\"1970-01-01T00:00:00Z\"},"
        "\"spec\":{\"completions\":1,\"parallelism\":1,\"selector\":{\"matchLabels\":{\"a\":\"b\"},"
        "\"matchExpressions\":[{\"key\":\"c\",\"operator\":\"In\",\"values\":[\"x\",\"y\"]},"
        "{\"key\":\"d\",\"operator\":\"DoesNotExist\"}]},"
        "\"template\":{\"spec\":{\"containers\":[{\"name\":\"kuard\",\"image\":\"k:blue\"}]}}},"
        "\"status\":{\"succeeded\":1,\"startTime\":\"1970-01-01T00:00:05Z\","
        "\"completionTime\":\"1970-01-01T00:00:30Z\",\"conditions\":[{\"type\":\"Complete\","
        "\"status\":\"True\"}]}},"
        "{\"metadata\":{\"name\":\"consumers\",\"creationTimestamp\":\"1970-01-01T00:00:00Z\"},"
        "\"spec\":{\"parallelism\":5},\"status\":{\"startTime\":\"1970-01-01T00:00:00Z\"}},"
        "{\"metadata\":{\"name\":\"s\",\"deletionTimestamp\":\"1970-01-01T00:00:00Z\"},"
        "\"spec\":{\"completions\":3,\"parallelism\":1},\"status\":{\"conditions\":"
        "[{\"type\":\"Suspended\",\"status\":\"True\"}]}}]");
    cleanup_cjson cJSON *t = kj_table_build("Job", items, "42", 200, NULL);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(t, "metadata"),
                                            "resourceVersion")->valuestring, "42");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(t, "columnDefinitions")), 8);
    assert_json(row_cells(t, 0), "[\"oneshot\",\"Complete\",\"1/1\",\"25s\",\"3m20s\",\"kuard\","
                                 "\"k:blue\",\"a=b,c in (x,y),!d\"]");
    assert_json(row_cells(t, 1), "[\"consumers\",\"Running\",\"0/1 of 5\",\"3m20s\",\"3m20s\","
                                 "\"\",\"\",\"\"]");
    assert_json(row_cells(t, 2), "[\"s\",\"Terminating\",\"0/3\",\"\",\"<unknown>\",\"\",\"\",\"\"]");
    cJSON *obj = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(t, "rows"), 0), "object");
    assert_string_equal(cJSON_GetObjectItem(obj, "kind")->valuestring, "PartialObjectMetadata");
    cleanup_cjson cJSON *none = kj_table_build("Job", items, NULL, 200, "None");
    assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(none, "rows"), 0),
                                    "object"));
}

static void test_pod_table(void **state)
{
    (void)state;
    cleanup_cjson cJSON *items = parse(
        "[{\"metadata\":{\"name\":\"a\",\"creationTimestamp\":\"1970-01-01T00:00:00Z\"},"
        "\"spec\":{\"containers\":[{\"name\":\"c\"}]},\"status\":{\"phase\":\"Succeeded\","
        "\"containerStatuses\":[{\"ready\":false,\"restartCount\":0,\"state\":{\"terminated\":"
        "{\"exitCode\":0,\"reason\":\"Completed\"}}}]}},"
        "{\"metadata\":{\"name\":\"b\",\"creationTimestamp\":\"1970-01-01T00:00:00Z\"},"
        "\"spec\":{\"containers\":[{\"name\":\"c\"}]},\"status\":{\"phase\":\"Running\","
        "\"podIP\":\"10.0.0.2\",\"containerStatuses\":[{\"ready\":false,\"restartCount\":2,"
        "\"lastState\":{\"terminated\":{\"exitCode\":1,\"finishedAt\":\"1970-01-01T00:00:50Z\"}},"
        "\"state\":{\"waiting\":{\"reason\":\"CrashLoopBackOff\"}}}]}},"
        "{\"metadata\":{\"name\":\"c\",\"creationTimestamp\":\"1970-01-01T00:00:00Z\"},"
        "\"spec\":{\"containers\":[{\"name\":\"c\"}]},\"status\":{\"phase\":\"Running\","
        "\"containerStatuses\":[{\"ready\":true,\"restartCount\":0,\"state\":{\"running\":{}}}]}},"
        "{\"metadata\":{\"name\":\"d\"},\"spec\":{\"containers\":[{\"name\":\"c\"}]},"
        "\"status\":{\"phase\":\"Failed\",\"containerStatuses\":[{\"state\":{\"terminated\":"
        "{\"exitCode\":3}}}]}}]");
    cleanup_cjson cJSON *t = kj_table_build("Pod", items, NULL, 100, NULL);
    assert_json(row_cells(t, 0), "[\"a\",\"0/1\",\"Completed\",\"0\",\"100s\",\"<none>\","
                                 "\"<none>\",\"<none>\",\"<none>\"]");
    assert_json(row_cells(t, 1), "[\"b\",\"0/1\",\"CrashLoopBackOff\",\"2 (50s ago)\",\"100s\","
                                 "\"10.0.0.2\",\"<none>\",\"<none>\",\"<none>\"]");
    assert_json(row_cells(t, 2), "[\"c\",\"1/1\",\"Running\",\"0\",\"100s\",\"<none>\","
                                 "\"<none>\",\"<none>\",\"<none>\"]");
    cJSON *d = row_cells(t, 3);
    assert_string_equal(cJSON_GetArrayItem(d, 2)->valuestring, "ExitCode:3");
}

static void test_event_table(void **state)
{
    (void)state;
    cleanup_cjson cJSON *items = parse(
        "[{\"metadata\":{\"name\":\"oneshot.1\"},\"type\":\"Normal\",\"reason\":\"SuccessfulCreate\","
        "\"message\":\"Created pod: oneshot-abcde\",\"count\":1,\"source\":{\"component\":"
        "\"job-controller\"},\"involvedObject\":{\"kind\":\"Job\",\"name\":\"oneshot\"},"
        "\"firstTimestamp\":\"1970-01-01T00:00:10Z\",\"lastTimestamp\":\"1970-01-01T00:00:40Z\"}]");
    cleanup_cjson cJSON *t = kj_table_build("Event", items, NULL, 100, NULL);
    assert_json(row_cells(t, 0), "[\"60s\",\"Normal\",\"SuccessfulCreate\",\"job/oneshot\",\"\","
                                 "\"job-controller\",\"Created pod: oneshot-abcde\",\"90s\",1,"
                                 "\"oneshot.1\"]");
    assert_true(kj_table_wanted("application/json;as=Table;v=v1;g=meta.k8s.io,application/json"));
    assert_false(kj_table_wanted("application/json"));
}

/* patch_case: apply `patch` of `type` to `doc`, expect `want` (NULL = error
 * with http status `code`). */
static void patch_case(const char *type, const char *doc, const char *patch, const char *want,
                       int code)
{
    cleanup_cjson cJSON *d = parse(doc);
    cleanup_cjson cJSON *p = parse(patch);
    kj_error_t err = NULL;
    int rc = kj_patch_apply(type, &d, p, &err);
    if (want == NULL) {
        assert_true(rc < 0);
        assert_int_equal(kj_error_http_status(err), code);
        kj_error_release(&err);
        return;
    }
    if (rc < 0)
        fail_msg("patch failed: %s", err->msg);
    assert_json(d, want);
}

static void test_merge_patch(void **state)
{
    (void)state;
    const char *t = "application/merge-patch+json";
    patch_case(t, "{\"a\":\"b\",\"c\":{\"d\":\"e\",\"f\":\"g\"}}",
               "{\"a\":\"z\",\"c\":{\"f\":null}}", "{\"a\":\"z\",\"c\":{\"d\":\"e\"}}", 0);
    patch_case(t, "{\"a\":[1,2]}", "{\"a\":[3]}", "{\"a\":[3]}", 0);
    patch_case(t, "{\"a\":1}", "{\"b\":{\"c\":null}}", "{\"a\":1,\"b\":{}}", 0);
    patch_case(t, "{\"a\":1}", "[1]", "[1]", 0);
    patch_case("application/x-yaml", "{}", "{}", NULL, 415);
}

static void test_json_patch(void **state)
{
    (void)state;
    const char *t = "application/json-patch+json; charset=utf-8";
    patch_case(t, "{\"spec\":{\"parallelism\":1}}",
               "[{\"op\":\"replace\",\"path\":\"/spec/parallelism\",\"value\":3}]",
               "{\"spec\":{\"parallelism\":3}}", 0);
    patch_case(t, "{\"a\":[1,2]}",
               "[{\"op\":\"add\",\"path\":\"/a/-\",\"value\":3},{\"op\":\"add\",\"path\":\"/a/0\","
               "\"value\":0},{\"op\":\"remove\",\"path\":\"/a/1\"}]",
               "{\"a\":[0,2,3]}", 0);
    patch_case(t, "{\"m\":{\"a/b\":1,\"c~d\":2}}",
               "[{\"op\":\"move\",\"from\":\"/m/a~1b\",\"path\":\"/x\"},{\"op\":\"copy\","
               "\"from\":\"/m/c~0d\",\"path\":\"/y\"},{\"op\":\"test\",\"path\":\"/y\",\"value\":2}]",
               "{\"m\":{\"c~d\":2},\"x\":1,\"y\":2}", 0);
    patch_case(t, "{\"a\":[1,2]}", "[{\"op\":\"add\",\"path\":\"/a/1\",\"value\":9}]",
               "{\"a\":[1,9,2]}", 0);
    patch_case(t, "{\"a\":[1,2]}", "[{\"op\":\"add\",\"path\":\"/a/+1\",\"value\":9}]", NULL, 422);
    patch_case(t, "{\"a\":[1,2]}", "[{\"op\":\"add\",\"path\":\"/a/01\",\"value\":9}]", NULL, 422);
    patch_case(t, "{\"a\":1}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":2}]", NULL, 422);
    patch_case(t, "{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"/b\",\"value\":2}]", NULL, 422);
    patch_case(t, "{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"/b/c\"}]", NULL, 422);
    patch_case(t, "{\"a\":[1]}", "[{\"op\":\"add\",\"path\":\"/a/5\",\"value\":2}]", NULL, 422);
    patch_case(t, "{\"a\":1}", "[{\"op\":\"frobnicate\",\"path\":\"/a\"}]", NULL, 400);
    patch_case(t, "{\"a\":1}", "{\"op\":\"add\"}", NULL, 400);
    patch_case(t, "{\"a\":1}", "[{\"op\":\"add\",\"path\":\"a\",\"value\":1}]", NULL, 400);
}

static void test_strategic_merge_patch(void **state)
{
    (void)state;
    const char *t = "application/strategic-merge-patch+json";
    /* containers merge by name; env by name; unknown list replaced */
    patch_case(t,
               "{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"x\",\"env\":[{\"name\":\"E\","
               "\"value\":\"1\"}],\"args\":[\"p\"]},{\"name\":\"b\",\"image\":\"y\"}]}}",
               "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"a\"},{\"name\":\"b\"}],"
               "\"containers\":[{\"name\":\"a\",\"image\":\"x2\",\"env\":[{\"name\":\"F\",\"value\":"
               "\"2\"}],\"args\":[\"q\"]}]}}",
               "{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"x2\",\"env\":[{\"name\":\"E\","
               "\"value\":\"1\"},{\"name\":\"F\",\"value\":\"2\"}],\"args\":[\"q\"]},{\"name\":\"b\","
               "\"image\":\"y\"}]}}",
               0);
    /* $patch: delete of a list element, null deletes a map key */
    patch_case(t, "{\"metadata\":{\"labels\":{\"a\":\"1\",\"b\":\"2\"}},\"spec\":{\"containers\":"
                  "[{\"name\":\"a\"},{\"name\":\"b\"}]}}",
               "{\"metadata\":{\"labels\":{\"a\":null}},\"spec\":{\"containers\":[{\"name\":\"b\","
               "\"$patch\":\"delete\"}]}}",
               "{\"metadata\":{\"labels\":{\"b\":\"2\"}},\"spec\":{\"containers\":[{\"name\":\"a\"}]}}",
               0);
    /* finalizers are a set; $deleteFromPrimitiveList removes */
    patch_case(t, "{\"metadata\":{\"finalizers\":[\"x\",\"y\"]}}",
               "{\"metadata\":{\"finalizers\":[\"y\",\"z\"],\"$deleteFromPrimitiveList/finalizers\":"
               "[\"x\"]}}",
               "{\"metadata\":{\"finalizers\":[\"y\",\"z\"]}}", 0);
    /* $patch: replace on a map and on a list; $retainKeys */
    patch_case(t, "{\"spec\":{\"a\":1,\"b\":2}}", "{\"spec\":{\"$patch\":\"replace\",\"c\":3}}",
               "{\"spec\":{\"c\":3}}", 0);
    patch_case(t, "{\"c\":[{\"name\":\"a\"},{\"name\":\"b\"}]}",
               "{\"containers\":[{\"name\":\"z\"},{\"$patch\":\"replace\"}]}",
               "{\"c\":[{\"name\":\"a\"},{\"name\":\"b\"}],\"containers\":[{\"name\":\"z\"}]}", 0);
    patch_case(t, "{\"v\":{\"a\":1,\"b\":2,\"c\":3}}", "{\"v\":{\"$retainKeys\":[\"a\",\"d\"],\"d\":4}}",
               "{\"v\":{\"a\":1,\"d\":4}}", 0);
    /* Service ports merge on port, container ports on containerPort */
    patch_case(t, "{\"spec\":{\"ports\":[{\"port\":80,\"name\":\"a\"}]}}",
               "{\"spec\":{\"ports\":[{\"port\":80,\"name\":\"b\"},{\"port\":81}]}}",
               "{\"spec\":{\"ports\":[{\"port\":80,\"name\":\"b\"},{\"port\":81}]}}", 0);
    patch_case(t, "{\"spec\":{\"containers\":[{\"name\":\"a\"}]}}",
               "{\"spec\":{\"containers\":[{\"image\":\"x\"}]}}", NULL, 422);
    patch_case(t, "{}", "[1]", NULL, 400);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        fail_msg("cannot open %s (run from the repository root)", path);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    int c;
    while ((c = fgetc(f)) != EOF)
        fputc(c, m);
    fclose(m);
    fclose(f);
    return buf;
}

static void test_tabwriter(void **state)
{
    (void)state;
    cleanup_free char *get = kj_tabwrite("NAME\tSTATUS\tAGE\nab\tComplete\t5s\n", 6, 3);
    assert_string_equal(get, "NAME   STATUS     AGE\nab     Complete   5s\n");
    /* a line without a tab ends the column block; continuation lines align */
    cleanup_free char *d = kj_tabwrite("Name:\tx\nLabels:\ta=b\n\tc=d\nPod:\n  Image:\ti\n", 0, 2);
    assert_string_equal(d, "Name:    x\nLabels:  a=b\n         c=d\nPod:\n  Image:  i\n");
    /* widths count code points, not bytes */
    cleanup_free char *u = kj_tabwrite("\xc3\xa9t\xc3\xa9\tx\nab\ty", 0, 1);
    assert_string_equal(u, "\xc3\xa9t\xc3\xa9 x\nab  y");
    cleanup_free char *e = kj_tabwrite("", 6, 3);
    assert_string_equal(e, "");
}

static void test_describe_job_golden(void **state)
{
    (void)state;
    cleanup_free char *jt = slurp("tests/fixtures/kubeapi/job-oneshot.json");
    cleanup_free char *et = slurp("tests/fixtures/kubeapi/events-oneshot.json");
    cleanup_free char *want = slurp("tests/fixtures/kubeapi/describe-oneshot.txt");
    cleanup_cjson cJSON *job = parse(jt);
    cleanup_cjson cJSON *events = parse(et);
    /* 2026-11-26T10:00:30Z */
    cleanup_free char *got = kj_describe_job(job, events, 1795687230);
    assert_string_equal(got, want);
    assert_non_null(strstr(got, "Annotations:      <none>\n")); /* last-applied hidden */
    assert_non_null(strstr(got, "  Normal  Completed         4s    job-controller  Job completed\n"));

    cJSON *spec = cJSON_GetObjectItem(job, "spec");
    cJSON_DeleteItemFromObject(spec, "completions");
    cJSON_ReplaceItemInObject(spec, "completionMode", cJSON_CreateString("Indexed"));
    cJSON_AddNumberToObject(spec, "activeDeadlineSeconds", 30);
    cJSON_AddStringToObject(cJSON_GetObjectItem(job, "status"), "completedIndexes",
                            "0,2,4,6,8,10,12,14,16,18,20,22,24,26,28,30,32,34,36,38");
    cleanup_free char *idx = kj_describe_job(job, NULL, 1795687230);
    assert_non_null(strstr(idx, "Completions:              <unset>\n"));
    assert_non_null(strstr(idx, "Active Deadline Seconds:  30s\n"));
    assert_non_null(strstr(idx, "Completed Indexes:        0,2,4,6,8,10,12,14,16,18,20,22,24,26,28,30,32,34,36...\n"));
    assert_non_null(strstr(idx, "  Tolerations:     <none>\nEvents:            <none>\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resource_lookup),
        cmocka_unit_test(test_legacy_discovery),
        cmocka_unit_test(test_aggregated_discovery),
        cmocka_unit_test(test_openapi_field_validation_on_patch),
        cmocka_unit_test(test_human_duration),
        cmocka_unit_test(test_job_table),
        cmocka_unit_test(test_pod_table),
        cmocka_unit_test(test_event_table),
        cmocka_unit_test(test_merge_patch),
        cmocka_unit_test(test_json_patch),
        cmocka_unit_test(test_strategic_merge_patch),
        cmocka_unit_test(test_tabwriter),
        cmocka_unit_test(test_describe_job_golden),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
