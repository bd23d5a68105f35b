/* pkg/api/configobj: ConfigMap/Secret checks, stringData folding, base64
 * and the size limit (issue 8, first slice). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/configobj.h"
#include "api/configproto.h"

static cJSON *parse(const char *json)
{
    cJSON *o = cJSON_Parse(json);
    assert_non_null(o);
    return o;
}

/* Run the check; on failure return "field: detail" (caller frees). */
static char *check(cJSON *o, bool secret)
{
    struct kj_config_problem p;
    if (kj_config_object_check(o, secret, &p) == 0) {
        assert_null(p.field);
        return NULL;
    }
    size_t n = strlen(p.field) + strlen(p.detail) + 3;
    char *s = malloc(n);
    snprintf(s, n, "%s: %s", p.field, p.detail);
    kj_config_problem_clear(&p);
    return s;
}

static void test_base64_roundtrip(void **state)
{
    (void)state;
    static const char *const plain[] = {"", "a", "ab", "abc", "hunter2", "with\nnewline"};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        char *enc = kj_base64_encode((const unsigned char *)plain[i], strlen(plain[i]));
        size_t n = 99;
        unsigned char *dec = kj_base64_decode(enc, &n);
        assert_non_null(dec);
        assert_int_equal(n, strlen(plain[i]));
        assert_memory_equal(dec, plain[i], n);
        free(enc);
        free(dec);
    }
    size_t n;
    assert_null(kj_base64_decode("abc", &n));      /* not a multiple of 4 */
    assert_null(kj_base64_decode("ab!d", &n));     /* outside the alphabet */
    unsigned char *d = kj_base64_decode("aHVudGVyMg==", &n);
    assert_string_equal((char *)d, "hunter2");
    free(d);
}

static void test_config_keys(void **state)
{
    (void)state;
    static const char *const ok[] = {"a", "KEY_NAME", "key.name", "key-name", "run.sh", ".hidden", "a..b"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        assert_int_equal(kj_config_key_check(ok[i], NULL), 0);
    static const char *const bad[] = {"", "a b", "a/b", ".", "..", "..x", "ä"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(kj_config_key_check(bad[i], NULL), 1);
    char *long_key = malloc(255);
    memset(long_key, 'k', 254);
    long_key[254] = '\0';
    char *msg = NULL;
    assert_int_equal(kj_config_key_check(long_key, &msg), 1);
    assert_string_equal(msg, "must be no more than 253 characters");
    free(msg);
    long_key[253] = '\0';
    assert_int_equal(kj_config_key_check(long_key, NULL), 0);
    free(long_key);
}

static void test_configmap_valid(void **state)
{
    (void)state;
    cJSON *o = parse("{\"metadata\":{\"name\":\"app.config\"},\"data\":{\"run.sh\":\"echo hi\"},"
                     "\"binaryData\":{\"blob\":\"AAEC\"}}");
    assert_null(check(o, false));
    cJSON_Delete(o);
}

static void test_configmap_invalid(void **state)
{
    (void)state;
    struct {
        const char *json, *want;
    } cases[] = {
        {"{\"metadata\":{}}", "metadata.name: Required value: name or generateName is required"},
        {"{\"metadata\":{\"name\":\"Bad_Name\"}}", "metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain"},
        {"{\"metadata\":{\"name\":\"c\"},\"data\":{\"a b\":\"x\"}}", "data[a b]: Invalid value: \"a b\": a valid config key"},
        {"{\"metadata\":{\"name\":\"c\"},\"data\":{\"k\":1}}", "data[k]: Invalid value: must be a string"},
        {"{\"metadata\":{\"name\":\"c\"},\"data\":[]}", "data: Invalid value: must be an object"},
        {"{\"metadata\":{\"name\":\"c\"},\"data\":{\"k\":\"v\"},\"binaryData\":{\"k\":\"AAEC\"}}",
         "binaryData[k]: Invalid value: \"k\": duplicate of key present in data"},
        {"{\"metadata\":{\"name\":\"c\"},\"binaryData\":{\"k\":\"not base64\"}}", "binaryData[k]: Invalid value: <redacted>"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *o = parse(cases[i].json);
        char *got = check(o, false);
        assert_non_null(got);
        if (strncmp(got, cases[i].want, strlen(cases[i].want)) != 0)
            fail_msg("case %zu: got %s", i, got);
        free(got);
        cJSON_Delete(o);
    }
}

static void test_configmap_size_limit(void **state)
{
    (void)state;
    size_t half = KJ_CONFIG_MAX_BYTES / 2;
    char *v = malloc(half + 1);
    memset(v, 'x', half);
    v[half] = '\0';
    cJSON *o = parse("{\"metadata\":{\"name\":\"big\"},\"data\":{}}");
    cJSON *data = cJSON_GetObjectItem(o, "data");
    cJSON_AddStringToObject(data, "a", v);
    cJSON_AddStringToObject(data, "b", v);
    assert_null(check(o, false)); /* exactly 1 MiB is allowed */
    cJSON_AddStringToObject(data, "c", "y");
    char *got = check(o, false);
    assert_non_null(got);
    assert_non_null(strstr(got, "Too long: must have at most 1048576 bytes"));
    free(got);
    free(v);
    cJSON_Delete(o);
}

static void test_secret_string_data_merged(void **state)
{
    (void)state;
    cJSON *o = parse("{\"metadata\":{\"name\":\"s\"},\"data\":{\"user\":\"YWRtaW4=\",\"pass\":\"b2xk\"},"
                     "\"stringData\":{\"pass\":\"hunter2\"}}");
    assert_null(check(o, true));
    assert_null(cJSON_GetObjectItem(o, "stringData"));
    const cJSON *data = cJSON_GetObjectItem(o, "data");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(data, "user")), "YWRtaW4=");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(data, "pass")), "aHVudGVyMg==");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(o, "type")), "Opaque");
    cJSON_Delete(o);

    o = parse("{\"metadata\":{\"name\":\"s\"},\"type\":\"kubernetes.io/basic-auth\",\"stringData\":{\"a\":\"b\"}}");
    assert_null(check(o, true));
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(o, "type")), "kubernetes.io/basic-auth");
    cJSON_Delete(o);
}

static void test_secret_bad_base64_not_echoed(void **state)
{
    (void)state;
    cJSON *o = parse("{\"metadata\":{\"name\":\"s\"},\"data\":{\"pass\":\"hunter2\"}}");
    char *got = check(o, true);
    assert_non_null(got);
    assert_string_equal(got, "data[pass]: Invalid value: <redacted>: must be valid base64");
    assert_null(strstr(got, "hunter2"));
    free(got);
    cJSON_Delete(o);

    o = parse("{\"metadata\":{\"name\":\"s\"},\"stringData\":{\"bad key\":\"x\"}}");
    got = check(o, true);
    assert_non_null(got);
    assert_non_null(strstr(got, "data[bad key]: Invalid value: \"bad key\""));
    free(got);
    cJSON_Delete(o);
}

/* Bodies kubectl 1.32 sent for `create configmap cm1 --from-literal=greeting=hello
 * --from-literal=e=` and `create secret generic s1 --from-literal=pw=hunter2
 * --type=kubernetes.io/basic-auth` in namespace ns1 (captured once). */
static const unsigned char cm_bin[] = {
    0x6b, 0x38, 0x73, 0x00, 0x0a, 0x0f, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x09, 0x43, 0x6f, 0x6e, 0x66,
    0x69, 0x67, 0x4d, 0x61, 0x70, 0x12, 0x32, 0x0a, 0x16, 0x0a, 0x03, 0x63, 0x6d, 0x31, 0x12, 0x00,
    0x1a, 0x03, 0x6e, 0x73, 0x31, 0x22, 0x00, 0x2a, 0x00, 0x32, 0x00, 0x38, 0x00, 0x42, 0x00, 0x12,
    0x05, 0x0a, 0x01, 0x65, 0x12, 0x00, 0x12, 0x11, 0x0a, 0x08, 0x67, 0x72, 0x65, 0x65, 0x74, 0x69,
    0x6e, 0x67, 0x12, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x1a, 0x00, 0x22, 0x00};
static const unsigned char sec_bin[] = {
    0x6b, 0x38, 0x73, 0x00, 0x0a, 0x0c, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x06, 0x53, 0x65, 0x63, 0x72,
    0x65, 0x74, 0x12, 0x40, 0x0a, 0x15, 0x0a, 0x02, 0x73, 0x31, 0x12, 0x00, 0x1a, 0x03, 0x6e, 0x73,
    0x31, 0x22, 0x00, 0x2a, 0x00, 0x32, 0x00, 0x38, 0x00, 0x42, 0x00, 0x12, 0x0d, 0x0a, 0x02, 0x70,
    0x77, 0x12, 0x07, 0x68, 0x75, 0x6e, 0x74, 0x65, 0x72, 0x32, 0x1a, 0x18, 0x6b, 0x75, 0x62, 0x65,
    0x72, 0x6e, 0x65, 0x74, 0x65, 0x73, 0x2e, 0x69, 0x6f, 0x2f, 0x62, 0x61, 0x73, 0x69, 0x63, 0x2d,
    0x61, 0x75, 0x74, 0x68, 0x1a, 0x00, 0x22, 0x00};

static void assert_json(const cJSON *o, const char *want)
{
    cJSON *w = cJSON_Parse(want);
    assert_non_null(w);
    if (!cJSON_Compare(o, w, 1)) {
        char *got = cJSON_PrintUnformatted(o);
        fail_msg("got %s", got);
    }
    cJSON_Delete(w);
}

static void test_proto_decode(void **state)
{
    (void)state;
    assert_true(kj_proto_content_type("application/vnd.kubernetes.protobuf"));
    assert_true(kj_proto_content_type("application/vnd.kubernetes.protobuf; charset=x"));
    assert_false(kj_proto_content_type("application/json"));
    assert_false(kj_proto_content_type(NULL));
    const char *why = NULL;
    cJSON *o = kj_proto_config_decode(cm_bin, sizeof cm_bin, false, &why);
    assert_non_null(o);
    assert_json(o, "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"cm1\","
                   "\"namespace\":\"ns1\"},\"data\":{\"e\":\"\",\"greeting\":\"hello\"}}");
    cJSON_Delete(o);
    o = kj_proto_config_decode(sec_bin, sizeof sec_bin, true, &why);
    assert_non_null(o);
    assert_json(o, "{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"s1\","
                   "\"namespace\":\"ns1\"},\"data\":{\"pw\":\"aHVudGVyMg==\"},"
                   "\"type\":\"kubernetes.io/basic-auth\"}");
    cJSON_Delete(o);
}

static void test_proto_decode_refuses(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_null(kj_proto_config_decode(sec_bin, sizeof sec_bin, false, &why)); /* a Secret, not a ConfigMap */
    assert_string_equal(why, "the protobuf body holds another kind");
    for (size_t n = 0; n < sizeof cm_bin; n++) { /* every truncation is refused or decodes cleanly */
        cJSON *o = kj_proto_config_decode(cm_bin, n, false, &why);
        if (n < 4)
            assert_null(o);
        cJSON_Delete(o);
    }
    assert_null(kj_proto_config_decode(cm_bin, sizeof cm_bin - 3, false, &why));
    assert_string_equal(why, "the protobuf body is malformed");
    unsigned char bad[] = {'k', '8', 's', 0, 0x0a, 0x7f};
    assert_null(kj_proto_config_decode(bad, sizeof bad, false, &why));
    assert_null(kj_proto_config_decode((const unsigned char *)"{\"a\":1}", 7, false, &why));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64_roundtrip),
        cmocka_unit_test(test_config_keys),
        cmocka_unit_test(test_configmap_valid),
        cmocka_unit_test(test_configmap_invalid),
        cmocka_unit_test(test_configmap_size_limit),
        cmocka_unit_test(test_secret_string_data_merged),
        cmocka_unit_test(test_secret_bad_base64_not_echoed),
        cmocka_unit_test(test_proto_decode),
        cmocka_unit_test(test_proto_decode_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
