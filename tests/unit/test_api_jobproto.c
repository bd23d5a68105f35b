/* pkg/api jobproto + protowire: Job bodies recorded from kubectl 1.32
 * (tests/fixtures/proto/create-job-*.pb) decode to the JSON a manifest
 * would give and pass the create path; a synthetic body with every field
 * jobproto reads decodes exactly; every truncation and malformed field is
 * a 400 naming the field, never a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/codec.h"
#include "api/fielderr.h"
#include "api/jobproto.h"
#include "api/protowire.h"
#include "api/validate.h"
#include "util/cleanup.h"
#include "../fuzz/job_create.h" /* kj_test_job_create, shared with the fuzz targets */

#define FIX "tests/fixtures/proto/"

static const char *const recorded[] = {
    FIX "create-job-sh.pb",         FIX "create-job-dry-run.pb",   FIX "create-job-plain.pb",
    FIX "create-job-namespace.pb",  FIX "create-job-bad-name.pb",  FIX "create-job-save-config.pb",
    FIX "job-rich.pb",
};

static unsigned char *read_fixture(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("open %s", path);
    unsigned char *buf = malloc(1 << 16);
    assert_non_null(buf);
    *len = fread(buf, 1, 1 << 16, f);
    fclose(f);
    return buf;
}

/* Decode a fixture; fails the test when it does not decode. */
static cJSON *decode_fixture(const char *path)
{
    size_t len;
    cleanup_free unsigned char *buf = read_fixture(path, &len);
    kj_error_t err = NULL;
    cJSON *o = kj_proto_job_decode(buf, len, &err);
    if (o == NULL)
        fail_msg("%s: %s", path, err->msg);
    return o;
}

static void assert_json(const cJSON *got, const char *want_text)
{
    cleanup_cjson cJSON *want = cJSON_Parse(want_text);
    assert_non_null(want);
    if (!cJSON_Compare(got, want, 1)) {
        cleanup_free char *g = cJSON_PrintUnformatted(got);
        fail_msg("got  %s\nwant %s", g, want_text);
    }
}

/* The create path the API server runs on a decoded body; returns the
 * number of field errors and puts the first one's path in *first. */
static size_t create_path(const cJSON *doc, char **first)
{
    struct kj_job job = {0};
    struct kj_strlist unknown = {0}, ignored = {0};
    kj_error_t err = NULL;
    if (kj_job_from_json(doc, &job, &unknown, &ignored, &err) < 0)
        fail_msg("typed decode: %s", err->msg);
    assert_int_equal(unknown.len, 0); /* jobproto writes only fields kjob knows */
    struct kj_field_errors errs;
    kj_field_errors_init(&errs);
    size_t n = kj_test_job_create(&job, &errs);
    *first = n > 0 ? strdup(errs.items[0].field) : NULL;
    kj_field_errors_free(&errs);
    kj_strlist_clear(&unknown);
    kj_strlist_clear(&ignored);
    kj_job_clear(&job);
    return n;
}

/* What kubectl sent, as JSON: `create job x --image=busybox -- sh -c 'echo
 * hi'` and `-n other create job argsonly --image=busybox -- echo a b 'c d'`
 * (the other recorded bodies differ only in name and command). */
static void test_recorded_exact(void **state)
{
    (void)state;
    static const struct {
        const char *fixture, *json;
    } cases[] = {
        {FIX "create-job-sh.pb",
         "{\"kind\":\"Job\",\"apiVersion\":\"batch/v1\",\"metadata\":{\"name\":\"x\"},"
         "\"spec\":{\"template\":{\"metadata\":{},\"spec\":{\"containers\":[{\"name\":\"x\","
         "\"image\":\"busybox\",\"command\":[\"sh\",\"-c\",\"echo hi\"],\"resources\":{}}],"
         "\"restartPolicy\":\"Never\"}}}}"},
        {FIX "create-job-namespace.pb",
         "{\"kind\":\"Job\",\"apiVersion\":\"batch/v1\",\"metadata\":{\"name\":\"argsonly\","
         "\"namespace\":\"other\"},\"spec\":{\"template\":{\"metadata\":{},\"spec\":{\"containers\":"
         "[{\"name\":\"argsonly\",\"image\":\"busybox\",\"command\":[\"echo\",\"a\",\"b\",\"c d\"],"
         "\"resources\":{}}],\"restartPolicy\":\"Never\"}}}}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cleanup_cjson cJSON *o = decode_fixture(cases[i].fixture);
        assert_json(o, cases[i].json);
    }
}

static void test_recorded_save_config(void **state)
{
    (void)state;
    cleanup_cjson cJSON *o = decode_fixture(FIX "create-job-save-config.pb");
    const cJSON *ann = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "metadata"), "annotations");
    const char *lac = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ann, "kubectl.kubernetes.io/last-applied-configuration"));
    assert_non_null(lac);
    cleanup_cjson cJSON *inner = cJSON_Parse(lac); /* kubectl's JSON, carried verbatim */
    assert_non_null(inner);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(inner, "kind")), "Job");
}

/* Every recorded body is a valid Job for the create path, except the one
 * kubectl sent with a name Kubernetes refuses. */
static void test_recorded_pass_create_path(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof recorded / sizeof recorded[0]; i++) {
        cleanup_cjson cJSON *o = decode_fixture(recorded[i]);
        cleanup_free char *first = NULL;
        size_t n = create_path(o, &first);
        if (strstr(recorded[i], "bad-name") != NULL) {
            assert_int_not_equal(n, 0);
            assert_string_equal(first, "metadata.name");
        } else if (n != 0) {
            fail_msg("%s: %zu field errors, first at %s", recorded[i], n, first);
        }
    }
}

static void test_rich(void **state)
{
    (void)state;
    cleanup_cjson cJSON *o = decode_fixture(FIX "job-rich.pb");
    assert_json(o,
        "{\"kind\":\"Job\",\"apiVersion\":\"batch/v1\","
        "\"metadata\":{\"name\":\"rich\",\"namespace\":\"default\",\"labels\":{\"app\":\"demo\",\"tier\":\"batch\"},"
        "\"annotations\":{\"note\":\"h\xc3\xa9llo w\xc3\xb6rld\"},"
        "\"ownerReferences\":[{\"kind\":\"CronJob\",\"name\":\"cj\",\"uid\":\"0b6c2a4e-1111-2222-3333-444455556666\","
        "\"apiVersion\":\"batch/v1\",\"controller\":true,\"blockOwnerDeletion\":false}],"
        "\"finalizers\":[\"example.com/keep\"]},"
        "\"spec\":{\"parallelism\":2,\"completions\":4,\"activeDeadlineSeconds\":600,"
        "\"podFailurePolicy\":{\"rules\":[{\"action\":\"FailJob\",\"onExitCodes\":{\"containerName\":\"main\","
        "\"operator\":\"In\",\"values\":[-1,7,42]}},{\"action\":\"Ignore\",\"onPodConditions\":"
        "[{\"type\":\"DisruptionTarget\",\"status\":\"True\"}]}]},"
        "\"backoffLimit\":0,\"selector\":{\"matchLabels\":{\"app\":\"demo\"},\"matchExpressions\":"
        "[{\"key\":\"tier\",\"operator\":\"In\",\"values\":[\"batch\",\"web\"]}]},\"manualSelector\":true,"
        "\"template\":{\"metadata\":{\"labels\":{\"app\":\"demo\",\"tier\":\"batch\"}},\"spec\":{"
        "\"initContainers\":[{\"name\":\"init\",\"image\":\"kjob/busybox:latest\",\"command\":[\"true\"]}],"
        "\"containers\":[{\"name\":\"main\",\"image\":\"kjob/kuard:latest\",\"command\":[\"/kuard\"],"
        "\"args\":[\"--keygen-enable\",\"\"],\"workingDir\":\"/tmp\","
        "\"ports\":[{\"name\":\"http\",\"containerPort\":8080,\"protocol\":\"TCP\"}],"
        "\"env\":[{\"name\":\"GREETING\",\"value\":\"hi\"},"
        "{\"name\":\"POD\",\"valueFrom\":{\"fieldRef\":{\"apiVersion\":\"v1\",\"fieldPath\":\"metadata.name\"}}},"
        "{\"name\":\"CM\",\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"cfg\",\"key\":\"k\",\"optional\":true}}},"
        "{\"name\":\"SEC\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"sec\",\"key\":\"pw\"}}},"
        "{\"name\":\"MEM\",\"valueFrom\":{\"resourceFieldRef\":{\"containerName\":\"main\","
        "\"resource\":\"limits.memory\",\"divisor\":\"1Mi\"}}}],"
        "\"resources\":{\"limits\":{\"cpu\":\"500m\",\"memory\":\"128Mi\"},\"requests\":{\"cpu\":\"100m\"}},"
        "\"imagePullPolicy\":\"IfNotPresent\"}],"
        "\"restartPolicy\":\"Never\",\"terminationGracePeriodSeconds\":5,\"nodeSelector\":{\"disk\":\"ssd\"},"
        "\"automountServiceAccountToken\":false,\"priority\":-3}},"
        "\"ttlSecondsAfterFinished\":100,\"completionMode\":\"Indexed\",\"suspend\":false,"
        "\"successPolicy\":{\"rules\":[{\"succeededIndexes\":\"0-1\",\"succeededCount\":1}]}}}");
}

/* Offsets where a prefix of the body is still a whole envelope: after the
 * magic and after each top-level field. */
static bool at_boundary(const unsigned char *buf, size_t len, size_t n)
{
    if (n == 4)
        return true;
    struct kj_pw_reader r = kj_pw_reader_of(buf + 4, len - 4);
    struct kj_pw_field f;
    while (kj_pw_next(&r, &f) == 1)
        if ((size_t)(r.p - buf) == n)
            return true;
    return false;
}

static void test_truncations(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof recorded / sizeof recorded[0]; i++) {
        size_t len;
        cleanup_free unsigned char *buf = read_fixture(recorded[i], &len);
        for (size_t n = 0; n < len; n++) {
            /* A fresh copy of exactly n bytes, so ASan sees any overread. */
            unsigned char *cut = malloc(n > 0 ? n : 1);
            assert_non_null(cut);
            memcpy(cut, buf, n);
            kj_error_t err = NULL;
            cJSON *o = kj_proto_job_decode(cut, n, &err);
            if (at_boundary(buf, len, n)) {
                if (o == NULL)
                    fail_msg("%s cut at %zu: %s", recorded[i], n, err->msg);
            } else {
                if (o != NULL)
                    fail_msg("%s cut at %zu decoded", recorded[i], n);
                assert_int_equal(kj_error_http_status(err), 400);
                assert_non_null(err->msg);
                kj_error_release(&err);
            }
            cJSON_Delete(o);
            free(cut);
        }
    }
}

/* Envelope around a Job message of `n` bytes. */
static size_t wrap(const unsigned char *job, size_t n, unsigned char *out)
{
    static const unsigned char head[] = "k8s\0\n\017\n\010batch/v1\022\003Job";
    size_t k = sizeof head - 1;
    memcpy(out, head, k);
    out[k++] = 0x12;
    out[k++] = (unsigned char)n; /* the tests keep n < 128 */
    memcpy(out + k, job, n);
    return k + n;
}

static void expect_error(const unsigned char *job, size_t n, const char *want)
{
    unsigned char buf[256];
    size_t len = wrap(job, n, buf);
    kj_error_t err = NULL;
    cJSON *o = kj_proto_job_decode(buf, len, &err);
    if (o != NULL) {
        cJSON_Delete(o);
        fail_msg("decoded; wanted an error with %s", want);
    }
    assert_int_equal(kj_error_http_status(err), 400);
    if (strstr(err->msg, want) == NULL)
        fail_msg("error \"%s\" lacks \"%s\"", err->msg, want);
    kj_error_release(&err);
}

/* A Job message that must decode to `want`. */
static void expect_json(const unsigned char *job, size_t n, const char *want)
{
    unsigned char buf[256];
    size_t len = wrap(job, n, buf);
    kj_error_t err = NULL;
    cleanup_cjson cJSON *o = kj_proto_job_decode(buf, len, &err);
    if (o == NULL)
        fail_msg("%s", err->msg);
    assert_json(o, want);
}

#define EXPECT_JSON(bytes, want) expect_json((const unsigned char *)(bytes), sizeof(bytes) - 1, want)
#define EXPECT_ERROR(bytes, want) expect_error((const unsigned char *)(bytes), sizeof(bytes) - 1, want)

static void test_malformed_fields_are_named(void **state)
{
    (void)state;
    /* metadata.name as a varint */
    EXPECT_ERROR("\n\002\010\001", "at `metadata.name`: the field should be length-delimited");
    /* spec.parallelism as a string */
    EXPECT_ERROR("\022\003\n\001a", "at `spec.parallelism`: the field should be a varint");
    /* spec.parallelism past int32 */
    EXPECT_ERROR("\022\007\010\200\200\200\200\200\001", "at `spec.parallelism`: the value is out of range");
    /* a NUL in containers[1].image */
    EXPECT_ERROR("\022\024\062\022\022\020\022\003\n\001a\022\011\n\001b\022\004b\000x!",
                 "at `spec.template.spec.containers[1].image`: the string is not valid UTF-8 or holds a NUL byte");
    /* invalid UTF-8 in a label value */
    EXPECT_ERROR("\n\010Z\006\n\001k\022\001\377", "at `metadata.labels[k]`: the string");
    /* a map entry whose key is a varint */
    EXPECT_ERROR("\n\004Z\002\010\001", "at `metadata.labels`: a map entry is truncated or malformed");
    /* a message that claims more bytes than it has */
    EXPECT_ERROR("\n\003\n\005a", "at `metadata`: the message is truncated or malformed");
    /* a packed exit code run cut in the middle of a varint */
    EXPECT_ERROR("\022\011Z\007\n\005\022\003\032\001\200",
                 "at `spec.podFailurePolicy.rules[0].onExitCodes.values`: a packed integer is truncated");
    /* a reserved wire type at the top level */
    EXPECT_ERROR("\017", "at `(top level)`: the message is truncated or malformed");
}

static void test_envelope_refusals(void **state)
{
    (void)state;
    kj_error_t err = NULL;
    static const unsigned char cm[] = "k8s\0\n\017\n\002v1\022\011ConfigMap\022\000";
    assert_null(kj_proto_job_decode(cm, sizeof cm - 1, &err));
    assert_non_null(strstr(err->msg, "(v1)"));
    assert_non_null(strstr(err->msg, "(ConfigMap) is not Job"));
    kj_error_release(&err);
    static const unsigned char gz[] = "k8s\0\022\000\032\004gzip";
    assert_null(kj_proto_job_decode(gz, sizeof gz - 1, &err));
    assert_non_null(strstr(err->msg, "content encoding"));
    kj_error_release(&err);
    assert_null(kj_proto_job_decode((const unsigned char *)"{\"kind\":\"Job\"}", 14, &err));
    assert_non_null(strstr(err->msg, "magic number"));
    kj_error_release(&err);
    assert_null(kj_proto_job_decode(NULL, 0, &err));
    assert_int_equal(kj_error_http_status(err), 400);
    kj_error_release(&err);
}

/* Unknown fields of every wire type are stepped over. */
static void test_unknown_fields_skipped(void **state)
{
    (void)state;
    EXPECT_JSON("\n\020\n\001j\270\006\001\301\006\001\002\003\004\005\006\007\010"
                "\255\006\001\002\003\004",
                "{\"kind\":\"Job\",\"apiVersion\":\"batch/v1\",\"metadata\":{\"name\":\"j\"}}");
}

/* Map entries: the last of a key wins, also across two occurrences of
 * the metadata message (proto merges them); many entries stay linear. */
static void test_map_entries(void **state)
{
    (void)state;
    EXPECT_JSON("\n\020Z\006\n\001a\022\0011Z\006\n\001b\022\0012"
                "\n\010Z\006\n\001a\022\0013",
                "{\"kind\":\"Job\",\"apiVersion\":\"batch/v1\",\"metadata\":{\"labels\":{\"b\":\"2\",\"a\":\"3\"}}}");

    enum { N = 100000 };
    kj_error_t err = NULL;
    size_t cap = 16 + (size_t)N * 16, k = 0;
    cleanup_free unsigned char *big = malloc(cap);
    assert_non_null(big);
    memcpy(big, "k8s\0\022", 5);
    k = 5 + 4; /* room for a 4-byte length of the Job message */
    for (int i = 0; i < N; i++) {
        char key[16];
        int n = snprintf(key, sizeof key, "k%d", i);
        size_t e = k;
        big[e++] = 0x0a; /* metadata, one label per occurrence */
        big[e++] = (unsigned char)(n + 6);
        big[e++] = 0x5a;
        big[e++] = (unsigned char)(n + 4);
        big[e++] = 0x0a;
        big[e++] = (unsigned char)n;
        memcpy(big + e, key, (size_t)n);
        e += (size_t)n;
        big[e++] = 0x12;
        big[e++] = 0x00;
        k = e;
    }
    size_t body = k - 9;
    big[5] = (unsigned char)(0x80 | (body & 0x7f));
    big[6] = (unsigned char)(0x80 | ((body >> 7) & 0x7f));
    big[7] = (unsigned char)(0x80 | ((body >> 14) & 0x7f));
    big[8] = (unsigned char)((body >> 21) & 0x7f);
    cleanup_cjson cJSON *b = kj_proto_job_decode(big, k, &err);
    if (b == NULL)
        fail_msg("%s", err->msg);
    const cJSON *labels = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(b, "metadata"), "labels");
    assert_int_equal(cJSON_GetArraySize(labels), N);
}

static void test_wire_primitives(void **state)
{
    (void)state;
    static const unsigned char long_varint[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    struct kj_pw_reader r = kj_pw_reader_of(long_varint, sizeof long_varint);
    uint64_t v;
    assert_false(kj_pw_varint(&r, &v));
    static const unsigned char max[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    r = kj_pw_reader_of(max, sizeof max);
    assert_true(kj_pw_varint(&r, &v));
    assert_true(v == UINT64_MAX);
    assert_true(kj_pw_text_ok((const unsigned char *)"h\xc3\xa9 \xf0\x9f\x98\x80", 8));
    assert_false(kj_pw_text_ok((const unsigned char *)"\xc0\x80", 2));     /* overlong NUL */
    assert_false(kj_pw_text_ok((const unsigned char *)"\xed\xa0\x80", 3)); /* surrogate */
    assert_false(kj_pw_text_ok((const unsigned char *)"\xf4\x90\x80\x80", 4));
    assert_false(kj_pw_text_ok((const unsigned char *)"\xe2\x82", 2));
    assert_true(kj_proto_content_type("application/vnd.kubernetes.protobuf"));
    assert_false(kj_proto_content_type("application/vnd.kubernetes.protobuf;stream=watch2") == false);
    assert_false(kj_proto_content_type("application/vnd.kubernetes.protobufx"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recorded_exact),
        cmocka_unit_test(test_recorded_save_config),
        cmocka_unit_test(test_recorded_pass_create_path),
        cmocka_unit_test(test_rich),
        cmocka_unit_test(test_truncations),
        cmocka_unit_test(test_malformed_fields_are_named),
        cmocka_unit_test(test_envelope_refusals),
        cmocka_unit_test(test_unknown_fields_skipped),
        cmocka_unit_test(test_map_entries),
        cmocka_unit_test(test_wire_primitives),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
