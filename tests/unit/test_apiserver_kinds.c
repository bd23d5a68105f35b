/* apiserver/kindtable.h without sockets: the generic verbs on a test kind
 * (hooks, Status texts with and without an API group, the /status
 * subresource, DeleteOptions) and on ConfigMaps as handlers_config.c
 * registers them. Handlers run against a real store in a temp dir
 * (apiserver_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apiserver_fixture.h"
#include "apiserver/handlers_config.h"
#include "apiserver/kindtable.h"
#include "apiserver/query.h"
#include "apiserver/router.h"
#include "apiserver/status.h"
#include "util/cleanup.h"
#include "util/error.h"

static int deletes_kept; /* on_delete calls that kept the object */

static cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* A widget needs a spec. */
static int w_check(cJSON *obj, const cJSON *cur, const struct kj_kt_kind *k, struct kj_http_resp *resp)
{
    (void)cur;
    if (cJSON_IsObject(get(obj, "spec")))
        return 0;
    kj_http_resp_json(resp, 422, kj_status_failure(422, "Invalid", "no spec", NULL, k->group, k->resource));
    return 1;
}

static int w_merge(struct kj_http_req *req, const struct kj_kt_kind *k, const cJSON *cur,
                   const cJSON *next, cJSON *out, struct kj_http_resp *resp)
{
    (void)req, (void)k, (void)cur, (void)resp;
    cJSON_ReplaceItemInObjectCaseSensitive(out, "spec", cJSON_Duplicate(get(next, "spec"), 1));
    return 0;
}

/* Orphan keeps the widget, as a controller-owned delete would. */
static int w_on_delete(struct kj_http_req *req, const struct kj_kt_kind *k, const cJSON *cur,
                       enum kj_propagation policy, struct kj_http_resp *resp, kj_error_t *err)
{
    (void)req, (void)k, (void)err;
    if (policy != KJ_PROPAGATION_ORPHAN)
        return 0;
    deletes_kept++;
    kj_http_resp_json(resp, 200, cJSON_Duplicate(cur, 1));
    return 1;
}

static const struct kj_kt_kind WIDGET = {
    .resource = "widgets", .group = "example.io", .api_version = "example.io/v1",
    .kind = "Widget", .list_kind = "WidgetList",
    .status_subresource = true, .delete_options = true,
    .check = w_check, .merge = w_merge, .on_delete = w_on_delete,
};

static const struct kj_route routes[] = {
    KJ_KT_ROUTES("/apis/example.io/v1/", "widgets"),
    KJ_KT_STATUS_ROUTES("/apis/example.io/v1/", "widgets"),
    KJ_KT_ROUTES("/api/v1/", "configmaps"),
};

static int setup(void **state)
{
    kj_apifx_setup(state);
    struct kj_apifx *fx = *state;
    kj_apifx_add_routes(fx, routes, sizeof routes / sizeof routes[0]);
    kj_kt_register(&WIDGET);
    kj_kt_register(&WIDGET); /* again: a no-op */
    kj_config_routes_install(fx->srv); /* registers configmaps */
    return 0;
}

/* The generic verbs take JSON, and merge patches for PATCH. */
static int call(struct kj_apifx *fx, const char *method, const char *target, const char *body, cJSON **out)
{
    const char *ctype = strcmp(method, "PATCH") == 0 ? "application/merge-patch+json" : "application/json";
    return kj_apifx_call(fx, method, target, ctype, body, out);
}

static const char *msg(const cJSON *st)
{
    return cJSON_GetStringValue(get(st, "message"));
}

#define W "/apis/example.io/v1/namespaces/default/widgets"
#define W1 "{\"metadata\":{\"name\":\"w1\"},\"spec\":{\"a\":1},\"status\":{\"s\":1}}"

static void test_create_get_list(void **state)
{
    struct kj_apifx *fx = *state;
    cleanup_cjson cJSON *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL, *f = NULL, *g = NULL,
                        *h = NULL, *i = NULL;
    assert_int_equal(call(fx, "POST", W, W1, &a), 201);
    assert_string_equal(cJSON_GetStringValue(get(get(a, "metadata"), "namespace")), "default");
    assert_non_null(cJSON_GetStringValue(get(get(a, "metadata"), "uid")));
    assert_string_equal(cJSON_GetStringValue(get(a, "apiVersion")), "example.io/v1");
    assert_string_equal(cJSON_GetStringValue(get(a, "kind")), "Widget");
    assert_int_equal(call(fx, "POST", W, W1, &b), 409);
    assert_string_equal(msg(b), "widgets.example.io \"w1\" already exists");
    assert_int_equal(call(fx, "POST", W, "{\"apiVersion\":\"v1\",\"kind\":\"Widget\"}", &c), 400);
    assert_string_equal(msg(c), "the API version in the data (v1) does not match the expected API "
                                "version (example.io/v1) or kind (Widget) is not Widget");
    assert_int_equal(call(fx, "POST", W, "{\"metadata\":{\"name\":\"w2\"}}", &d), 422);
    assert_string_equal(msg(d), "no spec");
    assert_int_equal(call(fx, "GET", W "/nope", NULL, &e), 404);
    assert_string_equal(msg(e), "widgets.example.io \"nope\" not found");
    assert_int_equal(call(fx, "GET", "/apis/example.io/v1/widgets", NULL, &f), 200);
    assert_string_equal(cJSON_GetStringValue(get(f, "kind")), "WidgetList");
    assert_int_equal(cJSON_GetArraySize(get(f, "items")), 1);
}

static void test_update_conflict_and_status(void **state)
{
    struct kj_apifx *fx = *state;
    cleanup_cjson cJSON *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL;
    assert_int_equal(call(fx, "POST", W, W1, &a), 201);
    assert_int_equal(call(fx, "PUT", W "/w1",
                          "{\"metadata\":{\"name\":\"w1\",\"resourceVersion\":\"999\"},\"spec\":{}}", &b), 409);
    assert_string_equal(msg(b), "Operation cannot be fulfilled on widgets.example.io \"w1\": the object has "
                                "been modified; please apply your changes to the latest version and try again");
    assert_int_equal(call(fx, "PUT", W "/w1", "{\"metadata\":{\"name\":\"w9\"},\"spec\":{}}", &c), 400);
    assert_string_equal(msg(c), "the name of the object (w9) does not match the name on the URL (w1)");
    /* /status changes status only; the main resource keeps status. */
    assert_int_equal(call(fx, "PATCH", W "/w1/status", "{\"status\":{\"s\":2},\"spec\":{\"a\":9}}", &d), 200);
    assert_int_equal(get(get(d, "status"), "s")->valueint, 2);
    assert_int_equal(get(get(d, "spec"), "a")->valueint, 1);
    assert_int_equal(call(fx, "PATCH", W "/w1", "{\"status\":{\"s\":3},\"spec\":{\"a\":5},"
                                                 "\"metadata\":{\"labels\":{\"l\":\"v\"}}}", &e), 200);
    assert_int_equal(get(get(e, "status"), "s")->valueint, 2);
    assert_int_equal(get(get(e, "spec"), "a")->valueint, 5);
    assert_string_equal(cJSON_GetStringValue(get(get(get(e, "metadata"), "labels"), "l")), "v");
    /* An object named "status" is the object, not a subresource. */
    cleanup_cjson cJSON *f = NULL, *g = NULL;
    assert_int_equal(call(fx, "POST", W, "{\"metadata\":{\"name\":\"status\"},\"spec\":{\"a\":1}}", &f), 201);
    assert_int_equal(call(fx, "PATCH", W "/status", "{\"spec\":{\"a\":7}}", &g), 200);
    assert_int_equal(get(get(g, "spec"), "a")->valueint, 7);
}

static void test_delete_options(void **state)
{
    struct kj_apifx *fx = *state;
    cleanup_cjson cJSON *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL, *f = NULL, *g = NULL,
                        *h = NULL, *i = NULL;
    assert_int_equal(call(fx, "POST", W, W1, &a), 201);
    assert_int_equal(call(fx, "DELETE", W "/w1", "{\"dryRun\":[\"All\"]}", &b), 200);
    assert_string_equal(cJSON_GetStringValue(get(b, "status")), "Success");
    int kept = deletes_kept;
    assert_int_equal(call(fx, "DELETE", W "/w1", "{\"propagationPolicy\":\"Orphan\"}", &c), 200);
    assert_int_equal(deletes_kept, kept + 1);
    assert_int_equal(call(fx, "GET", W "/w1", NULL, &d), 200);
    assert_int_equal(call(fx, "DELETE", W "/w1", NULL, &e), 200);
    assert_string_equal(cJSON_GetStringValue(get(get(e, "details"), "group")), "example.io");
    assert_int_equal(call(fx, "GET", W "/w1", NULL, &f), 404);
}

#define CM "/api/v1/namespaces/default/configmaps"

/* handlers_config.c's hooks through the generic verbs: core group texts,
 * DeleteOptions, immutable data. */
static void test_configmaps(void **state)
{
    struct kj_apifx *fx = *state;
    cleanup_cjson cJSON *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL, *f = NULL, *g = NULL,
                        *h = NULL, *i = NULL;
    assert_int_equal(call(fx, "POST", CM, "{\"metadata\":{\"name\":\"c\"},\"data\":{\"k\":\"v\"}}", &a), 201);
    assert_int_equal(call(fx, "PUT", CM "/c", "{\"metadata\":{\"name\":\"c\",\"resourceVersion\":\"999\"}}", &b), 409);
    assert_string_equal(msg(b), "Operation cannot be fulfilled on configmaps \"c\": the object has been "
                                "modified; please apply your changes to the latest version and try again");
    assert_int_equal(call(fx, "PATCH", CM "/c", "{\"immutable\":true}", &c), 200);
    assert_int_equal(call(fx, "PATCH", CM "/c", "{\"data\":{\"k\":\"w\"}}", &d), 422);
    assert_string_equal(msg(d), "ConfigMap \"c\" is invalid: data: Forbidden: field is immutable when "
                                "`immutable` is set");
    /* Nor may it become mutable again; both errors, kube-apiserver's order. */
    cleanup_cjson cJSON *j = NULL;
    assert_int_equal(call(fx, "PATCH", CM "/c", "{\"immutable\":false,\"binaryData\":{\"b\":\"AA==\"}}", &j), 422);
    assert_string_equal(msg(j), "ConfigMap \"c\" is invalid: [immutable: Forbidden: field is immutable when "
                                "`immutable` is set, binaryData: Forbidden: field is immutable when `immutable` "
                                "is set]");
    /* Metadata of an immutable ConfigMap (no binaryData) may change. */
    assert_int_equal(call(fx, "PATCH", CM "/c", "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}", &g), 200);
    /* A dry-run delete answers and deletes nothing. */
    assert_int_equal(call(fx, "DELETE", CM "/c", "{\"dryRun\":[\"All\"]}", &e), 200);
    assert_int_equal(call(fx, "GET", CM "/c", NULL, &h), 200);
    assert_int_equal(call(fx, "DELETE", CM "/c", NULL, &i), 200);
    assert_int_equal(call(fx, "GET", CM "/c", NULL, &f), 404);
    assert_string_equal(msg(f), "configmaps \"c\" not found");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_get_list, setup, kj_apifx_teardown),
        cmocka_unit_test_setup_teardown(test_update_conflict_and_status, setup, kj_apifx_teardown),
        cmocka_unit_test_setup_teardown(test_delete_options, setup, kj_apifx_teardown),
        cmocka_unit_test_setup_teardown(test_configmaps, setup, kj_apifx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
