/* Field-error rendering (apimachinery field.Error), Go quoting and JSON,
 * aggregate messages and the 422 Status body. */
#include "test_api_validate.h"

static void check_one(void (*add)(struct kj_field_errors *), const char *want)
{
    struct kj_field_errors e;
    kj_field_errors_init(&e);
    add(&e);
    assert_int_equal(e.len, 1);
    char *s = kj_field_error_string(&e.items[0]);
    assert_string_equal(s, want);
    free(s);
    kj_field_errors_free(&e);
}

static void a_required(struct kj_field_errors *e)
{
    kj_fe_required(e, "spec.selector", NULL);
}
static void a_required_detail(struct kj_field_errors *e)
{
    kj_fe_required(e, "metadata.name", "name or generateName is required");
}
static void a_invalid_int(struct kj_field_errors *e)
{
    kj_fe_invalid_int(e, "spec.completions", -1, "must be greater than or equal to 0");
}
static void a_invalid_bool(struct kj_field_errors *e)
{
    kj_fe_invalid_bool(e, "spec.suspend", true, "nope");
}
static void a_invalid_str(struct kj_field_errors *e)
{
    kj_fe_invalid_str(e, "metadata.name", "Bad \"Name\"\n", "x");
}
static void a_invalid_null(struct kj_field_errors *e)
{
    kj_fe_invalid_str(e, "spec.managedBy", NULL, "x");
}
static void a_invalid_omit(struct kj_field_errors *e)
{
    kj_fe_invalid_omit(e, "spec.podFailurePolicy.rules[0]", "specifying one of OnExitCodes and "
                                                            "OnPodConditions is required");
}
static void a_invalid_json(struct kj_field_errors *e)
{
    cJSON *o = cJSON_Parse("{\"b\":\"<&>\",\"a\":[1,2.5,true,null]}");
    kj_fe_invalid_json(e, "spec.x", o, "d");
    cJSON_Delete(o);
}
static void a_invalid_sorted(struct kj_field_errors *e)
{
    cJSON *o = cJSON_Parse("{\"b\":\"2\",\"a\":\"1\"}");
    cJSON *s = kj_json_sorted_copy(o);
    kj_fe_invalid_json(e, "spec.template.metadata.labels", s, "d");
    cJSON_Delete(s);
    cJSON_Delete(o);
}
static void a_not_supported(struct kj_field_errors *e)
{
    static const char *const v[] = {"OnFailure", "Never", NULL};
    kj_fe_not_supported(e, "spec.template.spec.restartPolicy", "X", v);
}
static void a_duplicate(struct kj_field_errors *e)
{
    kj_fe_duplicate_str(e, "spec.template.spec.containers[1].name", "c");
}
static void a_duplicate_int(struct kj_field_errors *e)
{
    kj_fe_duplicate_int(e, "spec.podFailurePolicy.rules[0].onExitCodes.values[1]", 3);
}
static void a_forbidden(struct kj_field_errors *e)
{
    kj_fe_forbidden(e, "spec.template.spec.initContainers", "kjob runs one container per pod");
}
static void a_too_long(struct kj_field_errors *e)
{
    kj_fe_too_long(e, "spec.managedBy", 63);
}
static void a_too_many(struct kj_field_errors *e)
{
    kj_fe_too_many(e, "spec.podFailurePolicy.rules", 21, 20);
}
static void a_not_found(struct kj_field_errors *e)
{
    kj_fe_not_found_str(e, "spec.x[0].name", "data");
}
static void a_internal(struct kj_field_errors *e)
{
    kj_fe_internal(e, "spec", "boom");
}
static void a_add_hides_value(struct kj_field_errors *e)
{
    kj_field_errors_add(e, KJ_FE_FORBIDDEN, "p", "\"ignored\"", "d %d", 1);
}

static void test_rendering(void **state)
{
    (void)state;
    check_one(a_required, "spec.selector: Required value");
    check_one(a_required_detail, "metadata.name: Required value: name or generateName is required");
    check_one(a_invalid_int, "spec.completions: Invalid value: -1: must be greater than or equal to 0");
    check_one(a_invalid_bool, "spec.suspend: Invalid value: true: nope");
    check_one(a_invalid_str, "metadata.name: Invalid value: \"Bad \\\"Name\\\"\\n\": x");
    check_one(a_invalid_null, "spec.managedBy: Invalid value: null: x");
    check_one(a_invalid_omit, "spec.podFailurePolicy.rules[0]: Invalid value: specifying one of "
                              "OnExitCodes and OnPodConditions is required");
    check_one(a_invalid_json,
              "spec.x: Invalid value: {\"b\":\"\\u003c\\u0026\\u003e\",\"a\":[1,2.5,true,null]}: d");
    check_one(a_invalid_sorted,
              "spec.template.metadata.labels: Invalid value: {\"a\":\"1\",\"b\":\"2\"}: d");
    check_one(a_not_supported, "spec.template.spec.restartPolicy: Unsupported value: \"X\": "
                               "supported values: \"OnFailure\", \"Never\"");
    check_one(a_duplicate, "spec.template.spec.containers[1].name: Duplicate value: \"c\"");
    check_one(a_duplicate_int, "spec.podFailurePolicy.rules[0].onExitCodes.values[1]: Duplicate "
                               "value: 3");
    check_one(a_forbidden, "spec.template.spec.initContainers: Forbidden: kjob runs one container "
                           "per pod");
    check_one(a_too_long, "spec.managedBy: Too long: may not be more than 63 bytes");
    check_one(a_too_many, "spec.podFailurePolicy.rules: Too many: 21: must have at most 20 items");
    check_one(a_not_found, "spec.x[0].name: Not found: \"data\"");
    check_one(a_internal, "spec: Internal error: boom");
    check_one(a_add_hides_value, "p: Forbidden: d 1");
}

static void test_type_names(void **state)
{
    (void)state;
    static const struct {
        enum kj_field_error_type t;
        const char *text, *reason;
    } t[] = {
        {KJ_FE_REQUIRED, "Required value", "FieldValueRequired"},
        {KJ_FE_INVALID, "Invalid value", "FieldValueInvalid"},
        {KJ_FE_NOT_SUPPORTED, "Unsupported value", "FieldValueNotSupported"},
        {KJ_FE_DUPLICATE, "Duplicate value", "FieldValueDuplicate"},
        {KJ_FE_FORBIDDEN, "Forbidden", "FieldValueForbidden"},
        {KJ_FE_TOO_LONG, "Too long", "FieldValueTooLong"},
        {KJ_FE_TOO_MANY, "Too many", "FieldValueTooMany"},
        {KJ_FE_NOT_FOUND, "Not found", "FieldValueNotFound"},
        {KJ_FE_INTERNAL, "Internal error", "InternalError"},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        assert_string_equal(kj_field_error_type_text(t[i].t), t[i].text);
        assert_string_equal(kj_field_error_type_reason(t[i].t), t[i].reason);
    }
}

static void test_go_quote(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } t[] = {
        {"", "\"\""},
        {"abc", "\"abc\""},
        {"a\"b\\c", "\"a\\\"b\\\\c\""},
        {"\a\b\f\n\r\t\v", "\"\\a\\b\\f\\n\\r\\t\\v\""},
        {"\x01\x1f\x7f", "\"\\x01\\x1f\\x7f\""},
        {"caf\xc3\xa9 \xe2\x9c\x93", "\"caf\xc3\xa9 \xe2\x9c\x93\""}, /* printable UTF-8 kept */
        {"\xff", "\"\\xff\""},                                     /* invalid byte */
        {"\xc2\xad", "\"\\u00ad\""},                               /* soft hyphen */
        {"\xe2\x80\xa8", "\"\\u2028\""},
        {"\xc2\xa0", "\"\\u00a0\""},                               /* NBSP is not IsPrint */
        {"\xf3\xb0\x80\x80", "\"\\U000f0000\""},                   /* private use */
        {"\xed\xa0\x80", "\"\\xed\\xa0\\x80\""},                   /* surrogate: invalid */
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        char *q = kj_go_quote(t[i].in);
        assert_string_equal(q, t[i].want);
        free(q);
    }
    char *q = kj_go_quote_n("a\0b", 3);
    assert_string_equal(q, "\"a\\x00b\"");
    free(q);
}

static void test_go_json(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } t[] = {
        {"{}", "{}"},
        {"[]", "[]"},
        {"\"\\u0001\\b\\f\\n\\r\\t\\u007f\"", "\"\\u0001\\b\\f\\n\\r\\t\x7f\""},
        {"\"\\u2028\\u2029\"", "\"\\u2028\\u2029\""},
        {"\"a<b>&c\"", "\"a\\u003cb\\u003e\\u0026c\""},
        {"[0,-1,2147483647,1e21,0.1]", "[0,-1,2147483647,1e+21,0.1]"},
        {"{\"z\":{\"y\":1},\"a\":null}", "{\"z\":{\"y\":1},\"a\":null}"},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        cJSON *v = cJSON_Parse(t[i].in);
        assert_non_null(v);
        char *s = kj_go_json(v);
        assert_string_equal(s, t[i].want);
        free(s);
        cJSON_Delete(v);
    }
    char *s = kj_go_json(NULL);
    assert_string_equal(s, "null");
    free(s);
}

static void test_aggregate(void **state)
{
    (void)state;
    struct kj_field_errors e;
    kj_field_errors_init(&e);
    char *m = kj_field_errors_aggregate(&e);
    assert_string_equal(m, "");
    free(m);
    m = kj_field_errors_invalid_message(&e, "Job", "batch", "pi");
    assert_string_equal(m, "Job.batch \"pi\" is invalid");
    free(m);
    kj_fe_invalid_int(&e, "spec.completions", -1, "must be greater than or equal to 0");
    m = kj_field_errors_invalid_message(&e, "Job", "batch", "pi");
    assert_string_equal(m, "Job.batch \"pi\" is invalid: spec.completions: Invalid value: -1: "
                           "must be greater than or equal to 0");
    free(m);
    /* The same text twice is shown once, still without brackets. */
    kj_fe_invalid_int(&e, "spec.completions", -1, "must be greater than or equal to 0");
    m = kj_field_errors_aggregate(&e);
    assert_string_equal(m, "spec.completions: Invalid value: -1: must be greater than or equal to 0");
    free(m);
    kj_fe_required(&e, "spec.selector", NULL);
    m = kj_field_errors_invalid_message(&e, "Pod", "", "p\"q");
    assert_string_equal(m, "Pod \"p\\\"q\" is invalid: [spec.completions: Invalid value: -1: must "
                           "be greater than or equal to 0, spec.selector: Required value]");
    free(m);
    /* Causes keep duplicates; details has no group for core kinds. */
    cJSON *st = kj_field_errors_status(&e, "Pod", "", "p");
    char *s = cJSON_PrintUnformatted(cJSON_GetObjectItem(st, "details"));
    assert_string_equal(s, "{\"name\":\"p\",\"kind\":\"Pod\",\"causes\":[{\"reason\":"
                           "\"FieldValueInvalid\",\"message\":\"Invalid value: -1: must be greater "
                           "than or equal to 0\",\"field\":\"spec.completions\"},{\"reason\":"
                           "\"FieldValueInvalid\",\"message\":\"Invalid value: -1: must be greater "
                           "than or equal to 0\",\"field\":\"spec.completions\"},{\"reason\":"
                           "\"FieldValueRequired\",\"message\":\"Required value\",\"field\":"
                           "\"spec.selector\"}]}");
    free(s);
    assert_int_equal(cJSON_GetObjectItem(st, "code")->valueint, 422);
    cJSON_Delete(st);
    /* Empty name and no causes: omitted. */
    struct kj_field_errors none;
    kj_field_errors_init(&none);
    st = kj_field_errors_status(&none, "Job", "batch", "");
    s = cJSON_PrintUnformatted(st);
    assert_string_equal(s, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                           "\"status\":\"Failure\",\"message\":\"Job.batch \\\"\\\" is invalid\","
                           "\"reason\":\"Invalid\",\"details\":{\"group\":\"batch\",\"kind\":"
                           "\"Job\"},\"code\":422}");
    free(s);
    cJSON_Delete(st);
    /* Move keeps order and empties the source. */
    struct kj_field_errors d;
    kj_field_errors_init(&d);
    kj_fe_required(&d, "a", NULL);
    kj_field_errors_move(&d, &e);
    assert_int_equal(d.len, 4);
    assert_int_equal(e.len, 0);
    assert_string_equal(d.items[3].field, "spec.selector");
    kj_field_errors_free(&d);
    kj_field_errors_free(&e);
}

static void test_names_per_kind(void **state)
{
    (void)state;
    struct kj_strlist m = {0};
    assert_int_equal(kj_service_name_check("queue", &m), 0);
    assert_int_equal(kj_service_name_check("1queue", &m), 1);
    assert_string_equal(m.items[0],
                        "a DNS-1035 label must consist of lower case alphanumeric characters or "
                        "'-', start with an alphabetic character, and end with an alphanumeric "
                        "character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
                        "'[a-z]([-a-z0-9]*[a-z0-9])?')");
    kj_strlist_clear(&m);
    assert_int_equal(kj_service_name_check("queue-", NULL), 1);
    assert_int_equal(kj_service_name_check("", NULL), 1);
    char long_name[70];
    memset(long_name, 'a', 64);
    long_name[64] = '\0';
    assert_int_equal(kj_service_name_check(long_name, &m), 1);
    assert_string_equal(m.items[0], "must be no more than 63 bytes");
    kj_strlist_clear(&m);
    assert_int_equal(kj_namespace_name_check("default", NULL), 0);
    assert_int_equal(kj_namespace_name_check("a.b", NULL), 1);
    assert_int_equal(kj_pod_name_check("pi-abcde", NULL), 0);
    assert_int_equal(kj_pod_name_check("pi.v2-0-abcde", NULL), 0);
    assert_int_equal(kj_job_name_check("Pi", NULL), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rendering),    cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_go_quote),     cmocka_unit_test(test_go_json),
        cmocka_unit_test(test_aggregate),    cmocka_unit_test(test_names_per_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
