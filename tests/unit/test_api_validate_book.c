/* The book's chapter 12 Jobs (12-1, 12-2, 12-3 from tests/fixtures/book,
 * 12-7 inline) decode, default and validate clean through the API server's
 * create path, with the expected defaults. */
#include "test_api_validate.h"

#include "api/yaml.h" /* kj_yaml_decode */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = malloc(1 << 16);
    assert_non_null(buf);
    *len = fread(buf, 1, (1 << 16) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static const char book_12_7[] =
    "apiVersion: batch/v1\nkind: Job\nmetadata:\n  labels:\n    app: message-queue\n"
    "    component: consumer\n    chapter: jobs\n  name: consumers\nspec:\n  parallelism: 5\n"
    "  template:\n    metadata:\n      labels:\n        app: message-queue\n"
    "        component: consumer\n        chapter: jobs\n    spec:\n      containers:\n"
    "      - name: worker\n        image: \"gcr.io/kuar-demo/kuard-amd64:blue\"\n"
    "        imagePullPolicy: Always\n        command:\n        - \"/kuard\"\n        args:\n"
    "        - \"--keygen-enable\"\n        - \"--keygen-exit-on-complete\"\n"
    "        - \"--keygen-memq-server=http://queue:8080/memq/server\"\n"
    "        - \"--keygen-memq-queue=keygen\"\n      restartPolicy: OnFailure\n";

static void book_job(const char *text, size_t len, struct kj_job *job)
{
    cJSON *docs = NULL;
    kj_error_t err = NULL;
    if (kj_yaml_decode(text, len, &docs, &err) < 0)
        fail_msg("yaml: %s", err->msg);
    assert_int_equal(cJSON_GetArraySize(docs), 1);
    memset(job, 0, sizeof(*job));
    if (kj_job_from_json(cJSON_GetArrayItem(docs, 0), job, NULL, NULL, &err) < 0)
        fail_msg("decode: %s", err->msg);
    cJSON_Delete(docs);
    kj_job_default(job);
    job->metadata.namespace_ = strdup("default");
    kj_job_prepare_create(job, "0b1e2f3a-1111-2222-3333-444455556666", T0);
    struct kj_field_errors errs;
    kj_field_errors_init(&errs);
    size_t n = kj_job_validate_create(job, &errs);
    if (n != 0) {
        char *m = kj_field_errors_aggregate(&errs);
        fail_msg("book job invalid: %s", m);
    }
    kj_field_errors_free(&errs);
}

static void test_book_manifests(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        const char *name;
        int32_t parallelism;
        bool has_completions;
        int32_t completions;
    } book[] = {
        {"12-1-job-oneshot.yaml", "oneshot", 1, true, 1},
        {"12-2-job-oneshot-failure1.yaml", "oneshot", 1, true, 1},
        {"12-3-job-parallel.yaml", "parallel", 5, true, 10},
    };
    const char *dir = getenv("KJ_FIXTURES");
    for (size_t i = 0; i < sizeof(book) / sizeof(book[0]); i++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/book/%s", dir ? dir : "tests/fixtures", book[i].file);
        size_t len = 0;
        char *text = read_file(path, &len);
        if (text == NULL)
            fail_msg("cannot read %s (run from the repository root or set KJ_FIXTURES)", path);
        struct kj_job job;
        book_job(text, len, &job);
        assert_string_equal(job.metadata.name, book[i].name);
        assert_int_equal(job.spec.parallelism, book[i].parallelism);
        assert_int_equal(job.spec.has_completions, book[i].has_completions);
        assert_int_equal(job.spec.completions, book[i].completions);
        assert_int_equal(job.spec.backoff_limit, 6);
        assert_string_equal(job.spec.template_.spec.containers[0].image_pull_policy, "Always");
        assert_string_equal(kj_labels_get(&job.spec.selector.match_labels, KJ_LABEL_CONTROLLER_UID),
                            "0b1e2f3a-1111-2222-3333-444455556666");
        kj_job_clear(&job);
        free(text);
    }
    struct kj_job job;
    book_job(book_12_7, strlen(book_12_7), &job);
    assert_string_equal(job.metadata.name, "consumers");
    assert_int_equal(job.spec.parallelism, 5);
    assert_false(job.spec.has_completions); /* work-queue mode */
    assert_string_equal(kj_labels_get(&job.metadata.labels, "app"), "message-queue");
    assert_null(kj_labels_get(&job.metadata.labels, KJ_LABEL_JOB_NAME));
    kj_job_clear(&job);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_book_manifests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
