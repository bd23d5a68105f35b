/* API decode + default + validate benchmark: what kjobd does with a POSTed
 * Job before it reaches the store.
 *
 *   build/default/bench/api_validate [ROUNDS]     (default 2000)
 *
 * 1. One typical Job (the book's 12-3 parallel Job, as YAML): kj_yaml_decode
 *    + kj_job_from_json + kj_job_default + kj_job_prepare_create +
 *    kj_job_validate_create, repeated ROUNDS times; best and mean.
 * 2. One file of 1,000 such documents (`---` separated, distinct names):
 *    the same pipeline for every document; best of 5. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/types.h"
#include "api/validate.h"
#include "api/yaml.h"

static const char job_yaml[] =
    "apiVersion: batch/v1\n"
    "kind: Job\n"
    "metadata:\n"
    "  name: parallel%s\n"
    "  labels:\n"
    "    chapter: jobs\n"
    "spec:\n"
    "  parallelism: 5\n"
    "  completions: 10\n"
    "  template:\n"
    "    metadata:\n"
    "      labels:\n"
    "        chapter: jobs\n"
    "    spec:\n"
    "      containers:\n"
    "      - name: kuard\n"
    "        image: gcr.io/kuar-demo/kuard-amd64:blue\n"
    "        imagePullPolicy: Always\n"
    "        command:\n"
    "        - \"/kuard\"\n"
    "        args:\n"
    "        - \"--keygen-enable\"\n"
    "        - \"--keygen-exit-on-complete\"\n"
    "        - \"--keygen-num-to-gen=10\"\n"
    "      restartPolicy: OnFailure\n";

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Time per stage (us), summed over the documents of one pipeline() call. */
struct stages {
    double yaml, typed, defaults, validate;
};

/* The whole pipeline for every document of `text`; returns the number of
 * valid Jobs (all of them, or the benchmark is measuring the wrong thing). */
static size_t pipeline(const char *text, size_t len, struct stages *st)
{
    cJSON *docs = NULL;
    kj_error_t err = NULL;
    double t0 = now_us();
    if (kj_yaml_decode(text, len, &docs, &err) < 0) {
        fprintf(stderr, "decode: %s\n", err->msg);
        exit(1);
    }
    double t1 = now_us();
    st->yaml = t1 - t0;
    st->typed = st->defaults = st->validate = 0;
    size_t valid = 0;
    const cJSON *doc;
    cJSON_ArrayForEach(doc, docs)
    {
        struct kj_job job;
        memset(&job, 0, sizeof(job));
        double a = now_us();
        if (kj_job_from_json(doc, &job, NULL, NULL, &err) < 0) {
            fprintf(stderr, "from_json: %s\n", err->msg);
            exit(1);
        }
        double b = now_us();
        kj_job_default(&job);
        job.metadata.namespace_ = strdup("default");
        kj_job_prepare_create(&job, "6f1c2a8e-0000-4c39-9d7a-0242ac120002", 0);
        double c = now_us();
        struct kj_field_errors errs;
        kj_field_errors_init(&errs);
        if (kj_job_validate_create(&job, &errs) == 0)
            valid++;
        kj_field_errors_free(&errs);
        double d = now_us();
        st->typed += b - a;
        st->defaults += c - b;
        st->validate += d - c;
        kj_job_clear(&job);
    }
    cJSON_Delete(docs);
    return valid;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 2000;
    if (rounds < 1)
        rounds = 1;
    char one[2048];
    int n1 = snprintf(one, sizeof(one), job_yaml, "");

    double best = 1e18, total = 0;
    struct stages st, best_st = {0};
    for (int i = 0; i < rounds; i++) {
        double t = now_us();
        if (pipeline(one, (size_t)n1, &st) != 1) {
            fprintf(stderr, "the typical Job did not validate\n");
            return 1;
        }
        t = now_us() - t;
        total += t;
        if (t < best) {
            best = t;
            best_st = st;
        }
    }
    printf("typical Job (%d bytes of YAML): best %.1f us, mean %.1f us over %d rounds\n", n1,
           best, total / rounds, rounds);
    printf("  best round: yaml %.1f us, typed decode %.1f us, default+prepare %.1f us, "
           "validate %.1f us\n",
           best_st.yaml, best_st.typed, best_st.defaults, best_st.validate);

    size_t cap = 1000 * (sizeof(job_yaml) + 16), len = 0;
    char *many = malloc(cap);
    if (many == NULL)
        return 1;
    for (int i = 0; i < 1000; i++) {
        char suffix[16];
        snprintf(suffix, sizeof(suffix), "-%04d", i);
        len += (size_t)snprintf(many + len, cap - len, "---\n");
        len += (size_t)snprintf(many + len, cap - len, job_yaml, suffix);
    }
    double best_many = 1e18;
    for (int i = 0; i < 5; i++) {
        double t = now_us();
        if (pipeline(many, len, &st) != 1000) {
            fprintf(stderr, "not all 1,000 Jobs validated\n");
            return 1;
        }
        t = now_us() - t;
        if (t < best_many) {
            best_many = t;
            best_st = st;
        }
    }
    printf("1,000-document file (%zu bytes): best %.1f ms of 5\n", len, best_many / 1e3);
    printf("  best run: yaml %.1f ms, typed decode %.1f ms, default+prepare %.1f ms, "
           "validate %.1f ms\n",
           best_st.yaml / 1e3, best_st.typed / 1e3, best_st.defaults / 1e3,
           best_st.validate / 1e3);
    free(many);
    return 0;
}
