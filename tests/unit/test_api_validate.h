/* Shared helpers for the test_api_validate*.c binaries: build Jobs from a
 * base manifest plus a JSON merge patch (RFC 7386), run the API server's
 * create/update steps, and compare rendered field errors exactly. */
#ifndef KJ_TEST_API_VALIDATE_H
#define KJ_TEST_API_VALIDATE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/fielderr.h"
#include "api/types.h"
#include "api/validate.h"

/* 2026-11-26T21:00:00Z */
#define T0 (INT64_C(1795726800) * KJ_NSEC_PER_SEC)
#define TEST_UID "uid-1"

static const char base_job_json[] =
    "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\","
    "\"metadata\":{\"name\":\"pi\",\"namespace\":\"default\"},"
    "\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"pi\",\"image\":\"perl:5.34\"}],"
    "\"restartPolicy\":\"Never\"}}}}";

static inline cJSON *merge_patch(cJSON *target, const cJSON *patch)
{
    if (!cJSON_IsObject(patch)) {
        cJSON_Delete(target);
        return cJSON_Duplicate(patch, 1);
    }
    if (!cJSON_IsObject(target)) {
        cJSON_Delete(target);
        target = cJSON_CreateObject();
    }
    for (const cJSON *c = patch->child; c != NULL; c = c->next) {
        if (cJSON_IsNull(c)) {
            cJSON_DeleteItemFromObjectCaseSensitive(target, c->string);
            continue;
        }
        cJSON *t = cJSON_DetachItemFromObjectCaseSensitive(target, c->string);
        cJSON_AddItemToObject(target, c->string, merge_patch(t, c));
    }
    return target;
}

/* Decode `base` patched with `patch` (may be NULL) and default it. */
static inline void decode_job(const char *base, const char *patch, struct kj_job *job)
{
    cJSON *j = cJSON_Parse(base);
    assert_non_null(j);
    if (patch != NULL) {
        cJSON *p = cJSON_Parse(patch);
        if (p == NULL)
            fail_msg("bad patch json: %s", patch);
        j = merge_patch(j, p);
        cJSON_Delete(p);
    }
    memset(job, 0, sizeof(*job));
    kj_error_t err = NULL;
    if (kj_job_from_json(j, job, NULL, NULL, &err) < 0)
        fail_msg("decode: %s", err && err->msg ? err->msg : "?");
    cJSON_Delete(j);
    kj_job_default(job);
}

/* A Job as a POST would carry it to validation. uid NULL = TEST_UID. */
static inline void create_job(const char *patch, const char *uid, struct kj_job *job)
{
    decode_job(base_job_json, patch, job);
    kj_job_prepare_create(job, uid ? uid : TEST_UID, T0);
}

/* Compare errs (rendered) with the NULL-terminated `want`; prints both on
 * mismatch. */
static inline void assert_errors(const struct kj_field_errors *errs, const char *const *want,
                                 const char *what)
{
    size_t n = 0;
    while (want[n] != NULL)
        n++;
    bool ok = n == errs->len;
    for (size_t i = 0; ok && i < n; i++) {
        char *s = kj_field_error_string(&errs->items[i]);
        ok = strcmp(s, want[i]) == 0;
        free(s);
    }
    if (!ok) {
        fprintf(stderr, "# case `%s`: want %zu errors, got %zu\n", what, n, errs->len);
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, "#  want[%zu] %s\n", i, want[i]);
        for (size_t i = 0; i < errs->len; i++) {
            char *s = kj_field_error_string(&errs->items[i]);
            fprintf(stderr, "#  got[%zu]  %s\n", i, s);
            free(s);
        }
        fail_msg("case `%s`: errors differ", what);
    }
}

/* Job JSON (encoded) with a merge patch applied, as a client's PUT body. */
static inline char *job_json_patched(const struct kj_job *job, const char *patch)
{
    cJSON *j = kj_job_to_json(job);
    assert_non_null(j);
    if (patch != NULL) {
        cJSON *p = cJSON_Parse(patch);
        if (p == NULL)
            fail_msg("bad patch json: %s", patch);
        j = merge_patch(j, p);
        cJSON_Delete(p);
    }
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return s;
}

#endif
