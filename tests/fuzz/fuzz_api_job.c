/* bytes -> kj_yaml_decode -> for each document: typed decode (as a Job, and
 * as whatever kind it names) -> encode -> decode -> encode, then the API
 * server's create path (default, prepare, validate) and a deep copy.
 * Properties checked (abort on violation): a failed decode carries a
 * message; decode(encode(x)) re-encodes byte for byte; a deep copy encodes
 * like its source; every selector the spec carries formats or fails cleanly. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/types.h"
#include "api/validate.h"
#include "api/yaml.h"
#include "job_create.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *encode_print(enum kj_kind kind, const void *obj)
{
    cJSON *j = kj_object_to_json(kind, obj);
    if (j == NULL)
        abort();
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (s == NULL)
        abort();
    return s;
}

/* Decode doc as `kind`; on success check the round trip and copy. */
static void round_trip(enum kj_kind kind, const cJSON *doc)
{
    const struct kj_kind_info *ki = kj_kind_info(kind);
    void *a = calloc(1, ki->size), *b = calloc(1, ki->size), *c = calloc(1, ki->size);
    struct kj_strlist unknown = {0}, ignored = {0};
    kj_error_t err = NULL;
    if (a == NULL || b == NULL || c == NULL)
        abort();
    if (kj_object_from_json(kind, doc, a, &unknown, &ignored, &err) < 0) {
        if (err == NULL || err->msg == NULL)
            abort();
        kj_error_release(&err);
        goto out;
    }
    char *s1 = encode_print(kind, a);
    cJSON *j1 = cJSON_Parse(s1);
    if (j1 == NULL || kj_object_from_json(kind, j1, b, NULL, NULL, &err) < 0)
        abort(); /* our own output must decode */
    cJSON_Delete(j1);
    char *s2 = encode_print(kind, b);
    kj_object_copy(kind, c, a);
    char *s3 = encode_print(kind, c);
    /* The first encoding may normalise (times to seconds, quantities to
     * canonical form); from then on it is a fixed point. */
    char *s4 = encode_print(kind, b);
    if (strcmp(s2, s4) != 0 || strcmp(s1, s3) != 0)
        abort();
    cJSON *j2 = cJSON_Parse(s2);
    void *d = calloc(1, ki->size);
    if (j2 == NULL || d == NULL || kj_object_from_json(kind, j2, d, NULL, NULL, &err) < 0)
        abort();
    char *s5 = encode_print(kind, d);
    if (strcmp(s2, s5) != 0)
        abort();
    cJSON_Delete(j2);
    kj_object_clear(kind, d);
    free(d);
    free(s1);
    free(s2);
    free(s3);
    free(s4);
    free(s5);
out:
    kj_object_clear(kind, a);
    kj_object_clear(kind, b);
    kj_object_clear(kind, c);
    free(a);
    free(b);
    free(c);
    kj_strlist_clear(&unknown);
    kj_strlist_clear(&ignored);
}

static void selector_checks(const struct kj_job *job)
{
    kj_error_t err = NULL;
    if (job->spec.has_selector) {
        char *s = kj_label_selector_format(&job->spec.selector, &err);
        if (s == NULL) {
            if (err == NULL)
                abort();
            kj_error_release(&err);
        } else {
            /* The string form of a valid selector parses back to itself. */
            struct kj_selector sel = {0};
            if (kj_selector_parse(s, &sel, &err) < 0)
                abort();
            char *s2 = kj_selector_format(&sel);
            if (strcmp(s, s2) != 0)
                abort();
            (void)kj_selector_matches(&sel, &job->spec.template_.metadata.labels);
            free(s2);
            kj_selector_clear(&sel);
            free(s);
        }
    }
    /* The Job's name doubles as a selector string (arbitrary text). */
    if (job->metadata.name != NULL) {
        struct kj_selector sel = {0};
        if (kj_selector_parse(job->metadata.name, &sel, &err) == 0) {
            char *s = kj_selector_format(&sel);
            struct kj_selector sel2 = {0};
            if (kj_selector_parse(s, &sel2, &err) < 0)
                abort();
            char *s2 = kj_selector_format(&sel2);
            if (strcmp(s, s2) != 0)
                abort();
            free(s);
            free(s2);
            kj_selector_clear(&sel2);
        } else {
            kj_error_release(&err);
        }
        kj_selector_clear(&sel);
        (void)kj_dns1123_subdomain_check(job->metadata.name, NULL);
        (void)kj_qualified_name_check(job->metadata.name, NULL);
    }
}

static void create_path(const cJSON *doc)
{
    struct kj_job job = {0};
    kj_error_t err = NULL;
    if (kj_job_from_json(doc, &job, NULL, NULL, &err) < 0) {
        kj_error_release(&err);
        return;
    }
    selector_checks(&job);
    struct kj_field_errors errs;
    kj_field_errors_init(&errs);
    (void)kj_test_job_create(&job, &errs);
    kj_field_errors_free(&errs);
    char *s = encode_print(KJ_KIND_JOB, &job);
    free(s);
    kj_job_clear(&job);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *docs = NULL;
    kj_error_t err = NULL;
    if (kj_yaml_decode((const char *)data, size, &docs, &err) < 0) {
        kj_error_release(&err);
        return 0;
    }
    const cJSON *doc;
    cJSON_ArrayForEach(doc, docs) {
        round_trip(KJ_KIND_JOB, doc);
        enum kj_kind k = kj_object_kind_of(doc);
        if (k != KJ_KIND_UNKNOWN && k != KJ_KIND_JOB)
            round_trip(k, doc);
        create_path(doc);
    }
    cJSON_Delete(docs);
    return 0;
}
