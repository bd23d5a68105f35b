/* YAML decode throughput: the book's 12-3 Job manifest decoded many times,
 * and one generated stream of 1,000 such documents.
 *
 *   build/<variant>/bench/yaml_decode [manifest] [iterations]
 *
 * Run from the repository root (default manifest
 * tests/fixtures/book/12-3-job-parallel.yaml). Prints µs per document (YAML,
 * and the same object as JSON) and ms per 1,000-document stream (best of 5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/yaml.h"

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int decode_once(const char *buf, size_t len, int want_docs)
{
    cJSON *out = NULL;
    kj_error_t err = NULL;
    if (kj_yaml_decode(buf, len, &out, &err) < 0) {
        fprintf(stderr, "yaml_decode: %s\n", err->msg);
        kj_error_release(&err);
        return -1;
    }
    int n = cJSON_GetArraySize(out);
    cJSON_Delete(out);
    if (n != want_docs) {
        fprintf(stderr, "yaml_decode: %d documents, want %d\n", n, want_docs);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "tests/fixtures/book/12-3-job-parallel.yaml";
    int iterations = argc > 2 ? atoi(argv[2]) : 20000;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return 1;
    }
    static char doc[64 * 1024];
    size_t len = fread(doc, 1, sizeof(doc) - 1, f);
    fclose(f);
    doc[len] = '\0';

    for (int i = 0; i < 100; i++) /* warm up caches and the allocator */
        if (decode_once(doc, len, 1) < 0)
            return 1;
    double t0 = now_us();
    for (int i = 0; i < iterations; i++)
        if (decode_once(doc, len, 1) < 0)
            return 1;
    double per_doc = (now_us() - t0) / iterations;

    /* The same manifest as JSON (what kubectl sends), through kj_json_decode. */
    cJSON *docs = NULL;
    kj_error_t err = NULL;
    if (kj_yaml_decode(doc, len, &docs, &err) < 0)
        return 1;
    char *json = cJSON_PrintUnformatted(cJSON_GetArrayItem(docs, 0));
    cJSON_Delete(docs);
    if (json == NULL)
        return 1;
    size_t json_len = strlen(json);
    double tj = now_us();
    for (int i = 0; i < iterations; i++) {
        cJSON *v = NULL;
        if (kj_json_decode(json, json_len, &v, &err) < 0)
            return 1;
        cJSON_Delete(v);
    }
    double per_json = (now_us() - tj) / iterations;
    free(json);

    /* 1,000 documents with distinct names, `---` separated. */
    size_t cap = 1000 * (len + 32) + 1;
    char *stream = malloc(cap);
    if (stream == NULL)
        return 1;
    size_t n = 0;
    const char *name = strstr(doc, "name: parallel");
    for (int i = 0; i < 1000 && name != NULL; i++) {
        size_t head = (size_t)(name - doc) + strlen("name: parallel");
        n += (size_t)snprintf(stream + n, cap - n, "---\n%.*s-%d%s", (int)head, doc, i,
                              doc + head);
    }
    double best = 1e30;
    for (int run = 0; run < 5; run++) {
        double t = now_us();
        if (decode_once(stream, n, 1000) < 0)
            return 1;
        t = now_us() - t;
        if (t < best)
            best = t;
    }
    free(stream);
    printf("12-3 manifest (%zu bytes): %.2f us/document over %d decodes\n", len, per_doc,
           iterations);
    printf("same manifest as JSON (%zu bytes), kj_json_decode: %.2f us/document\n", json_len,
           per_json);
    printf("1,000-document stream (%zu bytes): %.2f ms (best of 5), %.2f us/document\n", n,
           best / 1e3, best / 1000);
    return 0;
}
