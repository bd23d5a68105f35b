/* Opening a store: directory layout, lock, and recovery of everything on
 * disk after a clean stop or a crash. */
#include <dirent.h> /* fdopendir, readdir */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h> /* flock */
#include <sys/stat.h> /* mkdir, fstatat */
#include <unistd.h>

#include "store/store-internal.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

/* No legitimate object comes close; a bigger file is damage or not ours. */
#define MAX_OBJECT_FILE (16u << 20)

static void closedirp(DIR **d)
{
    if (*d != NULL)
        closedir(*d);
}
#define cleanup_dir __attribute__((cleanup(closedirp)))

static DIR *opendir_at(int parentfd, const char *name)
{
    int fd = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return NULL;
    DIR *d = fdopendir(fd);
    if (d == NULL)
        close(fd);
    return d;
}

static bool is_tmp(const char *name)
{
    return strncmp(name, KJ_STORE_TMP_PREFIX, strlen(KJ_STORE_TMP_PREFIX)) == 0;
}

/* A write cut short by a crash leaves its temp file; the rename never
 * happened, so the mutation was never acknowledged: delete it. */
static void remove_tmp(int dirfd, const char *relpath, const char *name)
{
    if (unlinkat(dirfd, name, 0) < 0)
        kj_log_errno(KJ_LOG_WARN, "store: remove leftover temp file `%s/%s`", relpath, name);
    else
        kj_log(KJ_LOG_INFO, "store: removed leftover temp file `%s/%s`", relpath, name);
}

static bool skip_dot(const char *name)
{
    return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

/* The stem of `<stem>.json` in buf, or NULL if the name has another shape. */
static const char *json_stem(const char *file, char *buf, size_t cap)
{
    size_t n = strlen(file);
    if (n <= 5 || n - 5 >= cap || strcmp(file + n - 5, ".json") != 0)
        return NULL;
    memcpy(buf, file, n - 5);
    buf[n - 5] = '\0';
    return kj_store_name_valid(buf) ? buf : NULL;
}

/* Parse one file; NULL with a reason in *why when it cannot be used. */
static cJSON *read_json(int dirfd, const char *file, const char **why)
{
    cleanup_free char *buf = NULL;
    size_t len = 0;
    kj_error_t err = NULL;
    if (kj_store_fs_read(dirfd, file, MAX_OBJECT_FILE, &buf, &len, &err) < 0) {
        kj_error_release(&err);
        *why = "unreadable";
        return NULL;
    }
    if (strlen(buf) != len) {
        *why = "contains a nul byte";
        return NULL;
    }
    cJSON *j = cJSON_ParseWithOpts(buf, NULL, 1);
    if (j == NULL)
        *why = "not valid json";
    return j;
}

static void load_ns_dir(struct kj_store *s, const char *resource, int resfd, const char *dir)
{
    char rel[600];
    snprintf(rel, sizeof(rel), "objects/%s/%s", resource, dir);
    cleanup_dir DIR *d = opendir_at(resfd, dir);
    if (d == NULL) {
        kj_log_errno(KJ_LOG_WARN, "store: skipping `%s`", rel);
        return;
    }
    struct kj_store_bucket *b = kj_store_bucket_get(s, resource, dir, true);
    const char *ns = b->ns;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *file = de->d_name;
        if (skip_dot(file))
            continue;
        if (is_tmp(file)) {
            remove_tmp(dirfd(d), rel, file);
            continue;
        }
        char stem[KJ_STORE_NAME_MAX + 1];
        const char *name = json_stem(file, stem, sizeof(stem));
        if (name == NULL) {
            kj_store_fs_quarantine(s, dirfd(d), rel, file, "unexpected file name");
            continue;
        }
        const char *why = NULL;
        cJSON *j = read_json(dirfd(d), file, &why);
        kj_error_t err = NULL;
        uint64_t rv = 0;
        if (j != NULL && kj_store_check_meta(j, ns, name, &err) < 0)
            why = "metadata does not match the file name";
        else if (j != NULL && (rv = kj_store_obj_rv(j)) == 0)
            why = "no valid `metadata.resourceVersion`";
        kj_error_release(&err);
        if (why != NULL) {
            cJSON_Delete(j);
            kj_store_fs_quarantine(s, dirfd(d), rel, file, why);
            continue;
        }
        kj_store_bucket_append(b, name, kj_store_obj_new(j), rv);
        if (rv > s->rv)
            s->rv = rv;
    }
    kj_store_bucket_sort(b);
}

static int load_objects(struct kj_store *s, kj_error_t *err)
{
    cleanup_dir DIR *top = opendir_at(s->rootfd, "objects");
    if (top == NULL)
        return kj_make_error(err, errno, "open `%s/objects`", s->dir);
    struct dirent *de;
    while ((de = readdir(top)) != NULL) {
        const char *resource = de->d_name;
        if (skip_dot(resource))
            continue;
        if (is_tmp(resource)) {
            remove_tmp(dirfd(top), "objects", resource);
            continue;
        }
        cleanup_dir DIR *res = kj_store_name_valid(resource) ? opendir_at(dirfd(top), resource)
                                                              : NULL;
        if (res == NULL) {
            kj_store_fs_quarantine(s, dirfd(top), "objects", resource, "not a resource directory");
            continue;
        }
        struct dirent *nde;
        while ((nde = readdir(res)) != NULL) {
            const char *dir = nde->d_name;
            if (skip_dot(dir))
                continue;
            char rel[300];
            snprintf(rel, sizeof(rel), "objects/%s", resource);
            if (is_tmp(dir)) {
                remove_tmp(dirfd(res), rel, dir);
                continue;
            }
            struct stat st;
            bool ok = (kj_store_name_valid(dir) || strcmp(dir, KJ_STORE_CLUSTER_DIR) == 0) &&
                      fstatat(dirfd(res), dir, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                      S_ISDIR(st.st_mode);
            if (!ok) {
                kj_store_fs_quarantine(s, dirfd(res), rel, dir, "not a namespace directory");
                continue;
            }
            load_ns_dir(s, resource, dirfd(res), dir);
        }
    }
    return 0;
}

static void load_private(struct kj_store *s)
{
    cleanup_dir DIR *d = opendir_at(s->rootfd, "private");
    if (d == NULL) {
        kj_log_errno(KJ_LOG_WARN, "store: skipping `%s/private`", s->dir);
        return;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *file = de->d_name;
        if (skip_dot(file))
            continue;
        if (is_tmp(file)) {
            remove_tmp(dirfd(d), "private", file);
            continue;
        }
        char stem[KJ_STORE_NAME_MAX + 1];
        const char *key = json_stem(file, stem, sizeof(stem));
        const char *why = "unexpected file name";
        cJSON *j = key != NULL ? read_json(dirfd(d), file, &why) : NULL;
        if (j == NULL) {
            kj_store_fs_quarantine(s, dirfd(d), "private", file, why);
            continue;
        }
        kj_store_bucket_append(&s->priv, key, kj_store_obj_new(j), 0);
    }
    kj_store_bucket_sort(&s->priv);
}

/* The high-water mark written by deletes. A damaged one is set aside: the
 * objects still give a lower bound, and the damage is logged. */
static void load_rv_file(struct kj_store *s)
{
    cleanup_free char *buf = NULL;
    size_t len = 0;
    kj_error_t err = NULL;
    if (kj_store_fs_read(s->rootfd, "rv", 64, &buf, &len, &err) < 0) {
        if (err->status != ENOENT)
            kj_store_fs_quarantine(s, s->rootfd, "", "rv", err->msg);
        kj_error_release(&err);
        return;
    }
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(buf, &end, 10);
    /* Capped like object resourceVersions (19 digits) so that adding one
     * can never wrap. */
    if (errno != 0 || end == buf || buf[0] < '0' || buf[0] > '9' ||
        v > 9999999999999999999ULL || (*end != '\0' && strcmp(end, "\n") != 0)) {
        kj_store_fs_quarantine(s, s->rootfd, "", "rv", "not a decimal number");
        return;
    }
    if (v > s->rv)
        s->rv = v;
}

static void clean_root(struct kj_store *s)
{
    cleanup_dir DIR *d = opendir_at(s->rootfd, ".");
    if (d == NULL)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (is_tmp(de->d_name))
            remove_tmp(s->rootfd, s->dir, de->d_name);
}

int kj_store_load(struct kj_store *s, kj_error_t *err)
{
    clean_root(s);
    load_rv_file(s);
    load_private(s);
    if (load_objects(s, err) < 0)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < s->nbuckets; i++)
        n += s->buckets[i]->n;
    kj_log(KJ_LOG_INFO, "store: loaded %zu objects from `%s`, resourceVersion %llu", n, s->dir,
           (unsigned long long)s->rv);
    return 0;
}

/* ---- open / close ---- */

static int mkdir_p(const char *dir, kj_error_t *err)
{
    cleanup_free char *p = xstrdup(dir);
    for (char *q = p + 1; *q; q++) {
        if (*q != '/')
            continue;
        *q = '\0';
        if (mkdir(p, 0755) < 0 && errno != EEXIST)
            return kj_make_error(err, errno, "create directory `%s`", p);
        *q = '/';
    }
    if (mkdir(p, 0755) < 0 && errno != EEXIST)
        return kj_make_error(err, errno, "create directory `%s`", p);
    return 0;
}

struct kj_store *kj_store_open(const char *dir, kj_error_t *err)
{
    return kj_store_open_with(dir, NULL, err);
}

struct kj_store *kj_store_open_with(const char *dir, const struct kj_store_options *opts,
                                    kj_error_t *err)
{
    if (dir == NULL || dir[0] == '\0') {
        kj_make_error(err, EINVAL, "empty state directory");
        return NULL;
    }
    struct kj_store *s = xcalloc(1, sizeof(*s));
    s->dir = xstrdup(dir);
    s->rootfd = s->objfd = s->privfd = s->corruptfd = s->lockfd = -1;
    s->priv.dirfd = -1;
    if (mkdir_p(dir, err) < 0)
        goto fail;
    s->rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (s->rootfd < 0) {
        kj_make_error(err, errno, "open `%s`", dir);
        goto fail;
    }
    s->lockfd = openat(s->rootfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (s->lockfd < 0) {
        kj_make_error(err, errno, "open `%s/lock`", dir);
        goto fail;
    }
    /* Two daemons writing one state dir would hand out the same
     * resourceVersions; the kernel drops the lock when the holder dies. */
    if (flock(s->lockfd, LOCK_EX | LOCK_NB) < 0) {
        if (errno == EWOULDBLOCK)
            kj_make_error(err, EBUSY, "state directory `%s` is in use by another process", dir);
        else
            kj_make_error(err, errno, "lock `%s/lock`", dir);
        goto fail;
    }
    if ((s->objfd = kj_store_fs_opendir(s->rootfd, "objects", err)) < 0 ||
        (s->privfd = kj_store_fs_opendir(s->rootfd, "private", err)) < 0 ||
        (s->corruptfd = kj_store_fs_opendir(s->rootfd, "corrupt", err)) < 0)
        goto fail;
    s->priv.dirfd = s->privfd;
    size_t hist = opts != NULL && opts->history > 0 ? opts->history : KJ_STORE_DEFAULT_HISTORY;
    kj_store_history_init(s, hist);
    if (kj_store_load(s, err) < 0)
        goto fail;
    return s;
fail:
    kj_error_wrap(err, "open store `%s`", dir);
    kj_store_close(s);
    return NULL;
}

void kj_store_close(struct kj_store *s)
{
    if (s == NULL)
        return;
    kj_store_watchers_free(s);
    kj_store_history_free(s);
    for (size_t i = 0; i < s->nbuckets; i++) {
        kj_store_bucket_clear(s->buckets[i]);
        free(s->buckets[i]);
    }
    free(s->buckets);
    s->priv.dirfd = -1; /* == privfd, closed below */
    kj_store_bucket_clear(&s->priv);
    int fds[] = {s->objfd, s->privfd, s->corruptfd, s->lockfd, s->rootfd};
    for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
        if (fds[i] >= 0)
            close(fds[i]);
    free(s->dir);
    free(s);
}
