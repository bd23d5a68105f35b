/* The durable object store: CRUD, resourceVersions, recovery after crashes,
 * corrupt files, watch fan-out and history. Each test works in its own
 * temp dir under /tmp. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h> /* opendir: counting temp files */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h> /* nftw: rm -r of the temp dir */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/log.h"

struct fixture {
    char dir[64];
    struct kj_store *s;
};

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/kj-store-test.XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    kj_error_t err = NULL;
    f->s = kj_store_open(f->dir, &err);
    if (f->s == NULL) {
        kj_error_log_release(&err, "open");
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    kj_store_close(f->s);
    nftw(f->dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

static struct kj_store *reopen(struct fixture *f)
{
    kj_store_close(f->s);
    kj_error_t err = NULL;
    f->s = kj_store_open(f->dir, &err);
    if (err != NULL)
        fail_msg("reopen: %s", err->msg);
    return f->s;
}

static cJSON *job(const char *ns, const char *name, int gen)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "apiVersion", "batch/v1");
    cJSON_AddStringToObject(o, "kind", "Job");
    cJSON *md = cJSON_AddObjectToObject(o, "metadata");
    cJSON_AddStringToObject(md, "name", name);
    if (ns != NULL)
        cJSON_AddStringToObject(md, "namespace", ns);
    cJSON *spec = cJSON_AddObjectToObject(o, "spec");
    cJSON_AddNumberToObject(spec, "gen", gen);
    return o;
}

static const char *rv_of(const cJSON *o)
{
    const cJSON *rv = cJSON_GetObjectItem(cJSON_GetObjectItem(o, "metadata"), "resourceVersion");
    return cJSON_IsString(rv) ? rv->valuestring : "";
}

static int gen_of(const cJSON *o)
{
    return cJSON_GetObjectItem(cJSON_GetObjectItem(o, "spec"), "gen")->valueint;
}

static void create_ok(struct kj_store *s, const char *res, const char *ns, const char *name,
                      int gen)
{
    kj_error_t err = NULL;
    cJSON *o = job(ns, name, gen);
    if (kj_store_create(s, res, ns, name, o, NULL, &err) < 0) {
        cJSON_Delete(o);
        fail_msg("create %s: %s", name, err->msg);
    }
}

static void write_file(const char *path, const char *text, size_t len)
{
    cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
}

static bool exists(const char *dir, const char *rel)
{
    char p[512];
    snprintf(p, sizeof(p), "%s/%s", dir, rel);
    return access(p, F_OK) == 0;
}

static int count_tmp(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *de;
    while (d != NULL && (de = readdir(d)) != NULL)
        n += strncmp(de->d_name, ".tmp.", 5) == 0;
    if (d != NULL)
        closedir(d);
    return n;
}

static void test_crud(void **state)
{
    struct fixture *f = *state;
    kj_error_t err = NULL;
    uint64_t rv = 0;
    cJSON *o = job("default", "pi", 1);
    assert_int_equal(kj_store_create(f->s, "jobs", "default", "pi", o, &rv, &err), 0);
    assert_int_equal(rv, 1);
    const cJSON *got = kj_store_get(f->s, "jobs", "default", "pi");
    assert_ptr_equal(got, o);
    assert_string_equal(rv_of(got), "1");
    assert_true(exists(f->dir, "objects/jobs/default/pi.json"));
    assert_null(kj_store_get(f->s, "jobs", "other", "pi"));
    assert_null(kj_store_get(f->s, "pods", "default", "pi"));

    /* A second create is refused and leaves the caller's object as it was. */
    cJSON *dup = job("default", "pi", 2);
    cJSON_AddStringToObject(cJSON_GetObjectItem(dup, "metadata"), "resourceVersion", "77");
    assert_true(kj_store_create(f->s, "jobs", "default", "pi", dup, NULL, &err) < 0);
    assert_int_equal(kj_error_http_status(err), 409);
    assert_string_equal(err->msg, "already exists");
    kj_error_release(&err);
    assert_string_equal(rv_of(dup), "77");
    cJSON_Delete(dup);

    cJSON *u = job("default", "pi", 2);
    assert_int_equal(kj_store_update(f->s, "jobs", "default", "pi", u, "1", &rv, &err), 0);
    assert_int_equal(rv, 2);
    assert_int_equal(gen_of(kj_store_get(f->s, "jobs", "default", "pi")), 2);
    u = job("default", "pi", 3);
    assert_int_equal(kj_store_update(f->s, "jobs", "default", "pi", u, NULL, NULL, &err), 0);
    assert_string_equal(rv_of(kj_store_get(f->s, "jobs", "default", "pi")), "3");

    /* Editing the stored tree and passing it back is refused, not a double free. */
    cJSON *stored = (cJSON *)kj_store_get(f->s, "jobs", "default", "pi");
    assert_true(kj_store_update(f->s, "jobs", "default", "pi", stored, NULL, NULL, &err) < 0);
    assert_int_equal(kj_error_http_status(err), 400);
    kj_error_release(&err);

    u = job("default", "nope", 1);
    assert_true(kj_store_update(f->s, "jobs", "default", "nope", u, NULL, NULL, &err) < 0);
    assert_int_equal(kj_error_http_status(err), 404);
    kj_error_release(&err);
    cJSON_Delete(u);

    cJSON *last = NULL;
    assert_int_equal(kj_store_delete(f->s, "jobs", "default", "pi", NULL, &last, &err), 0);
    assert_string_equal(rv_of(last), "4");
    assert_int_equal(gen_of(last), 3);
    cJSON_Delete(last);
    assert_null(kj_store_get(f->s, "jobs", "default", "pi"));
    assert_false(exists(f->dir, "objects/jobs/default/pi.json"));
    assert_true(kj_store_delete(f->s, "jobs", "default", "pi", NULL, NULL, &err) < 0);
    assert_int_equal(kj_error_http_status(err), 404);
    kj_error_release(&err);
    assert_int_equal(kj_store_current_rv(f->s), 4);
}

static void test_invalid_keys_and_objects(void **state)
{
    struct fixture *f = *state;
    const char *bad[] = {"", ".", "..", ".hidden", "_cluster", "a/b", "a\\b", "sp ace", "x\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        kj_error_t err = NULL;
        cJSON *o = job("default", bad[i], 1);
        assert_true(kj_store_create(f->s, "jobs", "default", bad[i], o, NULL, &err) < 0);
        assert_int_equal(kj_error_http_status(err), 400);
        kj_error_release(&err);
        cJSON_Delete(o);
        o = job(bad[i], "ok", 1);
        assert_true(kj_store_create(f->s, "jobs", bad[i][0] ? bad[i] : "..", "ok", o, NULL,
                                    &err) < 0);
        kj_error_release(&err);
        cJSON_Delete(o);
    }
    char longname[300];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    kj_error_t err = NULL;
    cJSON *o = job("default", longname, 1);
    assert_true(kj_store_create(f->s, "jobs", "default", longname, o, NULL, &err) < 0);
    kj_error_release(&err);
    cJSON_Delete(o);
    /* metadata must agree with the key */
    o = job("default", "a", 1);
    assert_true(kj_store_create(f->s, "jobs", "default", "b", o, NULL, &err) < 0);
    assert_string_equal(err->msg, "`metadata.name` does not match `b`");
    kj_error_release(&err);
    assert_true(kj_store_create(f->s, "jobs", "other", "a", o, NULL, &err) < 0);
    kj_error_release(&err);
    assert_true(kj_store_create(f->s, "jobs", NULL, "a", o, NULL, &err) < 0);
    kj_error_release(&err);
    cJSON_Delete(o);
    o = cJSON_CreateArray();
    assert_true(kj_store_create(f->s, "jobs", "default", "a", o, NULL, &err) < 0);
    kj_error_release(&err);
    cJSON_Delete(o);
    assert_int_equal(kj_store_current_rv(f->s), 0);
}

/* A write that fails (here: rename onto a directory) changes nothing: not
 * the caller's object, not memory, not the counter, and leaves no temp file. */
static void test_failed_write_changes_nothing(void **state)
{
    struct fixture *f = *state;
    kj_error_t err = NULL;
    create_ok(f->s, "jobs", "default", "a", 1);
    char p[512];
    snprintf(p, sizeof(p), "%s/objects/jobs/default/b.json", f->dir);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof(p), "%s/objects/jobs/default/b.json/x", f->dir);
    write_file(p, "x", 1);
    cJSON *o = job("default", "b", 1);
    assert_true(kj_store_create(f->s, "jobs", "default", "b", o, NULL, &err) < 0);
    assert_non_null(strstr(err->msg, "create `jobs/default/b`: rename"));
    kj_error_release(&err);
    assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "metadata"), "resourceVersion"));
    cJSON_Delete(o);
    assert_null(kj_store_get(f->s, "jobs", "default", "b"));
    assert_int_equal(kj_store_current_rv(f->s), 1);
    snprintf(p, sizeof(p), "%s/objects/jobs/default", f->dir);
    assert_int_equal(count_tmp(p), 0);
    create_ok(f->s, "jobs", "default", "c", 1);
    assert_string_equal(rv_of(kj_store_get(f->s, "jobs", "default", "c")), "2");
}

static void test_rv_monotonic_across_reopen_and_deletes(void **state)
{
    struct fixture *f = *state;
    kj_error_t err = NULL;
    create_ok(f->s, "jobs", "default", "a", 1);
    create_ok(f->s, "jobs", "default", "b", 1);
    assert_int_equal(kj_store_delete(f->s, "jobs", "default", "b", NULL, NULL, &err), 0);
    reopen(f);
    assert_int_equal(kj_store_current_rv(f->s), 3);
    assert_string_equal(rv_of(kj_store_get(f->s, "jobs", "default", "a")), "1");
    assert_int_equal(kj_store_delete(f->s, "jobs", "default", "a", NULL, NULL, &err), 0);
    reopen(f);
    assert_int_equal(kj_store_current_rv(f->s), 4);
    assert_int_equal(kj_store_count(f->s, "jobs", NULL), 0);
    create_ok(f->s, "jobs", "default", "a", 2);
    assert_string_equal(rv_of(kj_store_get(f->s, "jobs", "default", "a")), "5");
    /* An object newer than the counter file (no delete since) wins too. */
    cJSON *u = job("default", "a", 3);
    assert_int_equal(kj_store_update(f->s, "jobs", "default", "a", u, "5", NULL, &err), 0);
    reopen(f);
    assert_int_equal(kj_store_current_rv(f->s), 6);
}

static void test_conflict_on_stale_rv(void **state)
{
    struct fixture *f = *state;
    kj_error_t err = NULL;
    create_ok(f->s, "jobs", "default", "a", 1);
    cJSON *u = job("default", "a", 2);
    assert_int_equal(kj_store_update(f->s, "jobs", "default", "a", u, "1", NULL, &err), 0);
    u = job("default", "a", 3);
    assert_true(kj_store_update(f->s, "jobs", "default", "a", u, "1", NULL, &err) < 0);
    assert_int_equal(kj_error_http_status(err), 409);
    assert_string_equal(err->msg, "the object has been modified; please apply your changes to "
                                  "the latest version and try again");
    kj_error_release(&err);
    assert_int_equal(gen_of(kj_store_get(f->s, "jobs", "default", "a")), 2);
    cJSON_Delete(u);
    assert_true(kj_store_delete(f->s, "jobs", "default", "a", "1", NULL, &err) < 0);
    assert_int_equal(kj_error_http_status(err), 409);
    kj_error_release(&err);
    assert_int_equal(kj_store_delete(f->s, "jobs", "default", "a", "2", NULL, &err), 0);
}

static void test_leftover_temp_files_are_ignored(void **state)
{
    struct fixture *f = *state;
    create_ok(f->s, "jobs", "default", "a", 1);
    char p[512];
    /* A complete temp file (crash between fsync and rename) and a torn one. */
    snprintf(p, sizeof(p), "%s/objects/jobs/default/.tmp.1234.1", f->dir);
    const char *full = "{\"metadata\":{\"name\":\"b\",\"namespace\":\"default\","
                       "\"resourceVersion\":\"9\"}}";
    write_file(p, full, strlen(full));
    snprintf(p, sizeof(p), "%s/objects/jobs/default/.tmp.1234.2", f->dir);
    write_file(p, full, 20);
    snprintf(p, sizeof(p), "%s/.tmp.1234.3", f->dir);
    write_file(p, "1", 1);
    snprintf(p, sizeof(p), "%s/private/.tmp.1234.4", f->dir);
    write_file(p, "{", 1);
    reopen(f);
    assert_int_equal(kj_store_count(f->s, "jobs", NULL), 1);
    assert_null(kj_store_get(f->s, "jobs", "default", "b"));
    assert_int_equal(kj_store_current_rv(f->s), 1);
    assert_false(exists(f->dir, "objects/jobs/default/.tmp.1234.1"));
    assert_false(exists(f->dir, "objects/jobs/default/.tmp.1234.2"));
    assert_false(exists(f->dir, ".tmp.1234.3"));
    assert_false(exists(f->dir, "private/.tmp.1234.4"));
}

static void test_corrupt_files_moved_aside(void **state)
{
    struct fixture *f = *state;
    create_ok(f->s, "jobs", "default", "good", 1);
    create_ok(f->s, "jobs", "default", "torn", 1);
    char p[512];
    snprintf(p, sizeof(p), "%s/objects/jobs/default/torn.json", f->dir);
    write_file(p, "{\"metadata\":{\"na", 16);
    snprintf(p, sizeof(p), "%s/objects/jobs/default/wrong.json", f->dir);
    const char *other = "{\"metadata\":{\"name\":\"x\",\"namespace\":\"default\","
                        "\"resourceVersion\":\"5\"}}";
    write_file(p, other, strlen(other));
    snprintf(p, sizeof(p), "%s/objects/jobs/default/norv.json", f->dir);
    const char *norv = "{\"metadata\":{\"name\":\"norv\",\"namespace\":\"default\"}}";
    write_file(p, norv, strlen(norv));
    snprintf(p, sizeof(p), "%s/objects/jobs/default/stray.txt", f->dir);
    write_file(p, "x", 1);
    snprintf(p, sizeof(p), "%s/rv", f->dir);
    write_file(p, "garbage", 7);

    char *logbuf = NULL;
    size_t loglen = 0;
    FILE *logf = open_memstream(&logbuf, &loglen);
    kj_log_setup(KJ_LOG_INFO, KJ_LOG_TEXT, logf);
    reopen(f);
    kj_log_setup(KJ_LOG_ERROR, KJ_LOG_TEXT, NULL);
    fclose(logf);
    assert_non_null(strstr(logbuf, "moved unreadable `objects/jobs/default/torn.json`"));
    assert_non_null(strstr(logbuf, "not valid json"));
    free(logbuf);

    assert_int_equal(kj_store_count(f->s, "jobs", NULL), 1);
    assert_non_null(kj_store_get(f->s, "jobs", "default", "good"));
    assert_true(exists(f->dir, "corrupt/objects~jobs~default~torn.json"));
    assert_true(exists(f->dir, "corrupt/objects~jobs~default~wrong.json"));
    assert_true(exists(f->dir, "corrupt/objects~jobs~default~norv.json"));
    assert_true(exists(f->dir, "corrupt/objects~jobs~default~stray.txt"));
    assert_true(exists(f->dir, "corrupt/rv"));
    assert_false(exists(f->dir, "objects/jobs/default/torn.json"));
    /* The counter survives a bad rv file through the objects themselves
     * (here: "torn" had rv 2 but is gone, so 1 is all that is known). */
    assert_int_equal(kj_store_current_rv(f->s), 1);
    /* The name is free again, and a second corrupt copy does not overwrite. */
    create_ok(f->s, "jobs", "default", "torn", 1);
    snprintf(p, sizeof(p), "%s/objects/jobs/default/torn.json", f->dir);
    write_file(p, "[", 1);
    reopen(f);
    assert_true(exists(f->dir, "corrupt/objects~jobs~default~torn.json.1"));
}

struct rec {
    char log[64][48];
    int n;
    struct kj_store *s;
    struct kj_store_watch *self, *victim;
    bool unwatch_self, try_mutate;
    int mutate_rc;
};

static void rec_cb(const struct kj_store_event *ev, void *data)
{
    struct rec *r = data;
    if (r->n < 64)
        snprintf(r->log[r->n++], sizeof(r->log[0]), "%s %s/%s/%s %llu",
                 kj_store_event_type_name(ev->type), ev->resource, ev->ns ? ev->ns : "-",
                 ev->name, (unsigned long long)ev->rv);
    assert_int_equal(strtoull(rv_of(ev->object), NULL, 10), ev->rv);
    if (r->unwatch_self)
        kj_store_unwatch(r->s, r->self);
    if (r->victim != NULL) {
        kj_store_unwatch(r->s, r->victim);
        r->victim = NULL;
    }
    if (r->try_mutate) {
        kj_error_t err = NULL;
        cJSON *o = job("default", "re", 1);
        r->mutate_rc = kj_store_create(r->s, "jobs", "default", "re", o, NULL, &err);
        if (r->mutate_rc < 0) {
            assert_int_equal(err->status, EDEADLK);
            cJSON_Delete(o);
        }
        kj_error_release(&err);
    }
}

static void test_watch_fan_out_order(void **state)
{
    struct fixture *f = *state;
    kj_error_t err = NULL;
    struct rec all = {.s = f->s}, def = {.s = f->s}, pods = {.s = f->s};
    assert_non_null(kj_store_watch(f->s, NULL, NULL, 0, rec_cb, &all, &err));
    assert_non_null(kj_store_watch(f->s, "jobs", "default", 0, rec_cb, &def, &err));
    struct kj_store_watch *wp = kj_store_watch(f->s, "pods", NULL, 0, rec_cb, &pods, &err);
    assert_non_null(wp);
    create_ok(f->s, "jobs", "default", "a", 1);
    create_ok(f->s, "jobs", "other", "b", 1);
    create_ok(f->s, "pods", "default", "p", 1);
    cJSON *u = job("default", "a", 2);
    assert_int_equal(kj_store_update(f->s, "jobs", "default", "a", u, NULL, NULL, &err), 0);
    assert_int_equal(kj_store_delete(f->s, "jobs", "default", "a", NULL, NULL, &err), 0);
    kj_store_unwatch(f->s, wp);
    create_ok(f->s, "pods", "default", "q", 1);
    create_ok(f->s, "namespaces", NULL, "default", 1);

    assert_int_equal(all.n, 7);
    assert_string_equal(all.log[0], "ADDED jobs/default/a 1");
    assert_string_equal(all.log[1], "ADDED jobs/other/b 2");
    assert_string_equal(all.log[2], "ADDED pods/default/p 3");
    assert_string_equal(all.log[3], "MODIFIED jobs/default/a 4");
    assert_string_equal(all.log[4], "DELETED jobs/default/a 5");
    assert_string_equal(all.log[6], "ADDED namespaces/-/default 7");
    assert_int_equal(def.n, 3);
    assert_string_equal(def.log[2], "DELETED jobs/default/a 5");
    assert_int_equal(pods.n, 1);
}

static void test_watch_replay_and_too_old(void **state)
{
    struct fixture *f = *state;
    kj_store_close(f->s);
    kj_error_t err = NULL;
    struct kj_store_options opts = {.history = 4};
    f->s = kj_store_open_with(f->dir, &opts, &err);
    assert_non_null(f->s);
    for (int i = 0; i < 10; i++) {
        char name[16];
        snprintf(name, sizeof(name), "j%d", i);
        create_ok(f->s, "jobs", "default", name, i);
    }
    struct rec r = {.s = f->s};
    assert_null(kj_store_watch(f->s, "jobs", NULL, 5, rec_cb, &r, &err));
    assert_int_equal(kj_error_http_status(err), 410);
    assert_string_equal(err->msg, "too old resource version: 5 (6)");
    kj_error_release(&err);
    assert_null(kj_store_watch(f->s, "jobs", NULL, 11, rec_cb, &r, &err));
    assert_int_equal(kj_error_http_status(err), 504);
    kj_error_release(&err);

    struct kj_store_watch *w = kj_store_watch(f->s, "jobs", NULL, 6, rec_cb, &r, &err);
    assert_non_null(w);
    assert_int_equal(r.n, 4);
    assert_string_equal(r.log[0], "ADDED jobs/default/j6 7");
    assert_string_equal(r.log[3], "ADDED jobs/default/j9 10");
    create_ok(f->s, "jobs", "default", "k", 1);
    assert_int_equal(r.n, 5);
    assert_string_equal(r.log[4], "ADDED jobs/default/k 11");
    kj_store_unwatch(f->s, w);

    /* After a restart the history is empty: only "now" can be resumed. */
    reopen(f);
    struct rec r2 = {.s = f->s};
    assert_non_null(kj_store_watch(f->s, "jobs", NULL, 11, rec_cb, &r2, &err));
    assert_null(kj_store_watch(f->s, "jobs", NULL, 10, rec_cb, &r2, &err));
    assert_int_equal(kj_error_http_status(err), 410);
    kj_error_release(&err);
}

static void test_unwatch_and_mutate_inside_callback(void **state)
{
    struct fixture *f = *state;
    kj_error_t err = NULL;
    struct rec a = {.s = f->s, .unwatch_self = true}, b = {.s = f->s}, c = {.s = f->s};
    struct rec m = {.s = f->s, .try_mutate = true};
    a.self = kj_store_watch(f->s, NULL, NULL, 0, rec_cb, &a, &err);
    /* b comes before c in the fan-out and removes c half-way through it. */
    struct kj_store_watch *wb = kj_store_watch(f->s, NULL, NULL, 0, rec_cb, &b, &err);
    b.victim = kj_store_watch(f->s, NULL, NULL, 0, rec_cb, &c, &err);
    struct kj_store_watch *wm = kj_store_watch(f->s, NULL, NULL, 0, rec_cb, &m, &err);
    create_ok(f->s, "jobs", "default", "x", 1);
    assert_int_equal(a.n, 1);
    assert_int_equal(b.n, 1);
    assert_int_equal(c.n, 0);
    assert_true(m.mutate_rc < 0);
    create_ok(f->s, "jobs", "default", "y", 1);
    assert_int_equal(a.n, 1);
    assert_int_equal(b.n, 2);
    assert_int_equal(c.n, 0);
    assert_null(kj_store_get(f->s, "jobs", "default", "re"));
    kj_store_unwatch(f->s, wb);
    kj_store_unwatch(f->s, wm);
}

struct names {
    char v[16][40];
    int n;
};

static int collect_cb(const char *ns, const char *name, const cJSON *obj, void *data)
{
    struct names *l = data;
    (void)obj;
    snprintf(l->v[l->n++], sizeof(l->v[0]), "%s/%s", ns ? ns : "-", name);
    return l->n == 16;
}

static int mutate_cb(const char *ns, const char *name, const cJSON *obj, void *data)
{
    (void)ns, (void)obj;
    kj_error_t err = NULL;
    int rc = kj_store_delete(data, "jobs", "zeta", name, NULL, NULL, &err);
    assert_int_equal(err->status, EDEADLK);
    kj_error_release(&err);
    return rc < 0 ? 7 : 0;
}

static void test_list_order_and_odd_names(void **state)
{
    struct fixture *f = *state;
    const char *keys[][2] = {{"zeta", "b"},       {"alpha", "c.d"}, {"zeta", "a"},
                             {"alpha", "a.json"}, {"mid", "x"},     {"alpha", "a"},
                             {"alpha", "a-1.v2"}};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        create_ok(f->s, "jobs", keys[i][0], keys[i][1], (int)i);
    create_ok(f->s, "pods", "alpha", "p", 0);
    create_ok(f->s, "namespaces", NULL, "kube-system", 0);
    create_ok(f->s, "namespaces", NULL, "default", 0);
    for (int round = 0; round < 2; round++) {
        struct names l = {0};
        assert_int_equal(kj_store_list(f->s, "jobs", NULL, collect_cb, &l), 0);
        assert_int_equal(l.n, 7);
        const char *want[] = {"alpha/a",  "alpha/a-1.v2", "alpha/a.json", "alpha/c.d",
                              "mid/x",    "zeta/a",       "zeta/b"};
        for (int i = 0; i < 7; i++)
            assert_string_equal(l.v[i], want[i]);
        struct names one = {0};
        kj_store_list(f->s, "jobs", "alpha", collect_cb, &one);
        assert_int_equal(one.n, 4);
        assert_string_equal(one.v[3], "alpha/c.d");
        struct names ns = {0};
        kj_store_list(f->s, "namespaces", NULL, collect_cb, &ns);
        assert_int_equal(ns.n, 2);
        assert_string_equal(ns.v[0], "-/default");
        assert_int_equal(kj_store_count(f->s, "jobs", "zeta"), 2);
        assert_int_equal(kj_store_count(f->s, "jobs", "none"), 0);
        assert_int_equal(kj_store_count(f->s, "cronjobs", NULL), 0);
        assert_int_equal(gen_of(kj_store_get(f->s, "jobs", "alpha", "a.json")), 3);
        assert_non_null(kj_store_get(f->s, "namespaces", "", "default"));
        reopen(f); /* the same after loading from disk */
    }
    assert_int_equal(kj_store_list(f->s, "jobs", "zeta", mutate_cb, f->s), 7);
    assert_int_equal(kj_store_count(f->s, "jobs", "zeta"), 2);
    assert_true(exists(f->dir, "objects/jobs/alpha/a.json.json"));
    assert_true(exists(f->dir, "objects/namespaces/_cluster/default.json"));
}

static void test_second_open_is_refused(void **state)
{
    struct fixture *f = *state;
    kj_error_t err = NULL;
    assert_null(kj_store_open(f->dir, &err));
    assert_int_equal(err->status, EBUSY);
    assert_non_null(strstr(err->msg, "is in use by another process"));
    kj_error_release(&err);
    reopen(f); /* fine once the holder closed it */
}

static void test_private_records(void **state)
{
    struct fixture *f = *state;
    kj_error_t err = NULL;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "counted", "uid-1");
    assert_int_equal(kj_store_put_private(f->s, "ledger.default.pi", o, &err), 0);
    o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "counted", "uid-2");
    assert_int_equal(kj_store_put_private(f->s, "ledger.default.pi", o, &err), 0);
    assert_int_equal(kj_store_current_rv(f->s), 0);
    reopen(f);
    const cJSON *got = kj_store_get_private(f->s, "ledger.default.pi");
    assert_non_null(got);
    assert_string_equal(cJSON_GetObjectItem(got, "counted")->valuestring, "uid-2");
    assert_int_equal(kj_store_delete_private(f->s, "ledger.default.pi", &err), 0);
    assert_int_equal(kj_store_delete_private(f->s, "ledger.default.pi", &err), 0);
    reopen(f);
    assert_null(kj_store_get_private(f->s, "ledger.default.pi"));
}

/* The child creates (and every third step updates) objects and reports each
 * acknowledged mutation on a pipe; the parent SIGKILLs it at a random point,
 * then every acknowledged mutation must be on disk, intact. */
static void crash_child(const char *dir, int round, int wfd)
{
    kj_error_t err = NULL;
    struct kj_store *s = kj_store_open(dir, &err);
    if (s == NULL)
        _exit(3);
    for (int i = 0; i < 5000; i++) {
        char name[32], line[64];
        snprintf(name, sizeof(name), "r%d-%d", round, i);
        uint64_t rv = 0;
        cJSON *o = job("default", name, 0);
        if (kj_store_create(s, "jobs", "default", name, o, &rv, &err) < 0)
            _exit(4);
        int n = snprintf(line, sizeof(line), "%s 0 %llu\n", name, (unsigned long long)rv);
        if (write(wfd, line, (size_t)n) != n)
            _exit(5);
        if (i % 3 == 2) {
            snprintf(name, sizeof(name), "r%d-%d", round, i - 1);
            o = job("default", name, 1);
            if (kj_store_update(s, "jobs", "default", name, o, NULL, &rv, &err) < 0)
                _exit(6);
            n = snprintf(line, sizeof(line), "%s 1 %llu\n", name, (unsigned long long)rv);
            if (write(wfd, line, (size_t)n) != n)
                _exit(5);
        }
    }
    _exit(0);
}

static void test_kill9_loses_nothing_acknowledged(void **state)
{
    struct fixture *f = *state;
    kj_store_close(f->s);
    f->s = NULL;
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    uint64_t max_acked = 0;
    size_t creates = 0;
    for (int round = 0; round < 3; round++) {
        int p[2];
        assert_int_equal(pipe(p), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(p[0]);
            crash_child(f->dir, round, p[1]);
        }
        close(p[1]);
        FILE *in = fdopen(p[0], "r");
        int want = 5 + rand() % 40, got = 0;
        char name[32];
        int gen;
        unsigned long long rv;
        struct {
            char name[32];
            int gen;
            unsigned long long rv;
        } *acks = calloc(20000, sizeof(*acks));
        /* Read some acks, then kill with the child mid-write (a random
         * delay lands anywhere in the write/fsync/rename sequence). */
        while (got < want && fscanf(in, "%31s %d %llu", name, &gen, &rv) == 3) {
            snprintf(acks[got].name, sizeof(acks[got].name), "%s", name);
            acks[got].gen = gen;
            acks[got++].rv = rv;
        }
        assert_int_equal(got, want);
        struct timespec ts = {0, (rand() % 3000) * 1000L};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        while (got < 20000 && fscanf(in, "%31s %d %llu", name, &gen, &rv) == 3) {
            snprintf(acks[got].name, sizeof(acks[got].name), "%s", name);
            acks[got].gen = gen;
            acks[got++].rv = rv;
        }
        fclose(in);

        char ns_dir[128];
        snprintf(ns_dir, sizeof(ns_dir), "%s/objects/jobs/default", f->dir);
        int leftovers = count_tmp(ns_dir);
        kj_error_t err = NULL;
        f->s = kj_store_open(f->dir, &err);
        assert_non_null(f->s);
        assert_int_equal(count_tmp(ns_dir), 0);
        print_message("# round %d: %d acks, killed with %d temp file(s) in flight\n", round, got,
                      leftovers);
        for (int i = 0; i < got; i++) {
            const cJSON *o = kj_store_get(f->s, "jobs", "default", acks[i].name);
            if (o == NULL)
                fail_msg("acknowledged `%s` lost after kill -9", acks[i].name);
            assert_true(gen_of(o) >= acks[i].gen);
            assert_true(strtoull(rv_of(o), NULL, 10) >= acks[i].rv);
            creates += acks[i].gen == 0;
            if (acks[i].rv > max_acked)
                max_acked = acks[i].rv;
        }
        assert_true(kj_store_current_rv(f->s) >= max_acked);
        assert_true(kj_store_count(f->s, "jobs", NULL) >= creates);
        free(acks);
        kj_store_close(f->s);
        f->s = NULL;
    }
    reopen(f);
}

int main(void)
{
    kj_log_setup(KJ_LOG_ERROR, KJ_LOG_TEXT, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_crud, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_keys_and_objects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_write_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rv_monotonic_across_reopen_and_deletes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_conflict_on_stale_rv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_leftover_temp_files_are_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_files_moved_aside, setup, teardown),
        cmocka_unit_test_setup_teardown(test_watch_fan_out_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_watch_replay_and_too_old, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unwatch_and_mutate_inside_callback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_order_and_odd_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_open_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_private_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kill9_loses_nothing_acknowledged, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
