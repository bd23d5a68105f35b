/* Loading a state dir with arbitrary file contents must never crash: a
 * damaged file is moved aside and the daemon starts anyway.
 * Input: one selector byte, then the file's bytes. The selector picks where
 * the bytes land (an object, a cluster-scoped object, a private record, the
 * rv counter, a leftover temp file). After open, every object is listed,
 * read back and updated once, exercising what a loaded object goes through.
 * The store lives in /dev/shm when present, so fsync costs nothing. */
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const targets[] = {
    "objects/jobs/default/x.json",       "objects/namespaces/_cluster/x.json",
    "private/x.json",                    "rv",
    "objects/jobs/default/.tmp.1.1",     "objects/jobs/default/x.json.bak",
    "objects/jobs/_cluster/x.json",
};

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void mkdirs(const char *root, const char *rel)
{
    char p[512];
    snprintf(p, sizeof(p), "%s/%s", root, rel);
    for (char *q = p + strlen(root) + 1; *q; q++) {
        if (*q == '/') {
            *q = '\0';
            mkdir(p, 0755);
            *q = '/';
        }
    }
}

struct visit {
    struct kj_store *s;
    const char *resource;
};

static int visit_cb(const char *ns, const char *name, const cJSON *obj, void *data)
{
    struct visit *v = data;
    if (kj_store_get(v->s, v->resource, ns, name) != obj)
        abort();
    char *text = cJSON_PrintUnformatted(obj);
    free(text);
    return 0;
}

static char root[64];

static void remove_root(void)
{
    nftw(root, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (root[0] == '\0') {
        kj_log_setup(KJ_LOG_ERROR, KJ_LOG_TEXT, NULL);
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(root, sizeof(root), "%s/kj-fuzz-store.XXXXXX", base);
        if (mkdtemp(root) == NULL)
            abort();
        atexit(remove_root);
    }
    if (size < 1)
        return 0;
    char dir[128];
    snprintf(dir, sizeof(dir), "%s/s", root);
    nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
    mkdir(dir, 0755);
    const char *rel = targets[data[0] % (sizeof(targets) / sizeof(targets[0]))];
    mkdirs(dir, rel);
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        abort();
    fwrite(data + 1, 1, size - 1, f);
    fclose(f);

    kj_error_t err = NULL;
    struct kj_store *s = kj_store_open(dir, &err);
    if (s == NULL)
        abort(); /* a bad file must never stop the daemon from starting */
    struct visit jobs = {s, "jobs"}, namespaces = {s, "namespaces"};
    kj_store_list(s, "jobs", NULL, visit_cb, &jobs);
    kj_store_list(s, "namespaces", NULL, visit_cb, &namespaces);
    kj_store_get_private(s, "x");
    const cJSON *o = kj_store_get(s, "jobs", "default", "x");
    if (o != NULL) {
        cJSON *u = cJSON_Duplicate(o, 1);
        if (u != NULL && kj_store_update(s, "jobs", "default", "x", u, NULL, NULL, &err) < 0)
            cJSON_Delete(u);
        kj_error_release(&err);
    }
    /* resourceVersions never go backwards across a reopen. */
    uint64_t rv = kj_store_current_rv(s);
    kj_store_close(s);
    s = kj_store_open(dir, &err);
    if (s == NULL || kj_store_current_rv(s) < rv)
        abort();
    kj_store_close(s);
    return 0;
}
