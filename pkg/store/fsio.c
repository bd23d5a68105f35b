/* Atomic, durable file operations relative to directory fds. */
#include <errno.h>
#include <fcntl.h> /* openat, O_* */
#include <stdio.h> /* snprintf, renameat */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h> /* fstat, mkdirat */
#include <unistd.h>

#include "store/store-internal.h"
#include "util/cleanup.h"
#include "util/log.h"

/* Temp names need only be unique among live writers of one directory, and
 * the state dir is flock()ed by one process. */
static unsigned long tmp_seq;

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

static int fsync_dir(int dirfd, bool *dir_sync_failed, kj_error_t *err)
{
    if (fsync(dirfd) < 0) {
        *dir_sync_failed = true;
        return kj_make_error(err, errno, "fsync directory");
    }
    return 0;
}

int kj_store_fs_write(int dirfd, const char *name, const char *data, size_t len,
                      bool *dir_sync_failed, kj_error_t *err)
{
    char tmp[64];
    cleanup_close int fd = -1;
    for (int tries = 0; fd < 0; tries++) {
        snprintf(tmp, sizeof(tmp), KJ_STORE_TMP_PREFIX "%ld.%lu", (long)getpid(), ++tmp_seq);
        fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0 && (errno != EEXIST || tries > 8))
            return kj_make_error(err, errno, "create `%s`", tmp);
    }
    if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
        int saved = errno;
        unlinkat(dirfd, tmp, 0);
        return kj_make_error(err, saved, "write `%s`", tmp);
    }
    int rc = close(kj_steal_fd(&fd));
    if (rc < 0 && errno != EINTR) {
        int saved = errno;
        unlinkat(dirfd, tmp, 0);
        return kj_make_error(err, saved, "close `%s`", tmp);
    }
    if (renameat(dirfd, tmp, dirfd, name) < 0) {
        int saved = errno;
        unlinkat(dirfd, tmp, 0);
        return kj_make_error(err, saved, "rename `%s` to `%s`", tmp, name);
    }
    return fsync_dir(dirfd, dir_sync_failed, err);
}

int kj_store_fs_unlink(int dirfd, const char *name, bool *dir_sync_failed, kj_error_t *err)
{
    if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
        return kj_make_error(err, errno, "unlink `%s`", name);
    return fsync_dir(dirfd, dir_sync_failed, err);
}

int kj_store_fs_opendir(int parentfd, const char *name, kj_error_t *err)
{
    int fd = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd >= 0 || errno != ENOENT) {
        if (fd < 0)
            return kj_make_error(err, errno, "open directory `%s`", name);
        return fd;
    }
    if (mkdirat(parentfd, name, 0755) < 0 && errno != EEXIST)
        return kj_make_error(err, errno, "create directory `%s`", name);
    /* The new entry must be durable before files are written below it, or
     * a crash could lose a directory full of acknowledged objects. */
    if (fsync(parentfd) < 0) {
        int saved = errno;
        /* Removed so that the next attempt creates and syncs it again. */
        unlinkat(parentfd, name, AT_REMOVEDIR);
        return kj_make_error(err, saved, "fsync parent of `%s`", name);
    }
    fd = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return kj_make_error(err, errno, "open directory `%s`", name);
    return fd;
}

int kj_store_fs_read(int dirfd, const char *name, size_t max, char **out, size_t *len,
                     kj_error_t *err)
{
    cleanup_close int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return kj_make_error(err, errno, "open `%s`", name);
    struct stat st;
    if (fstat(fd, &st) < 0)
        return kj_make_error(err, errno, "stat `%s`", name);
    if (!S_ISREG(st.st_mode))
        return kj_make_error(err, EINVAL, "`%s` is not a regular file", name);
    if ((uint64_t)st.st_size > max)
        return kj_make_error(err, EFBIG, "`%s` is larger than %zu bytes", name, max);
    size_t cap = (size_t)st.st_size + 1, n = 0;
    cleanup_free char *buf = malloc(cap);
    if (buf == NULL)
        return kj_make_error(err, ENOMEM, "read `%s`", name);
    for (;;) {
        if (n == cap - 1)
            break; /* the file grew since fstat: it is being written, not ours */
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return kj_make_error(err, errno, "read `%s`", name);
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    *len = n;
    *out = steal_pointer(&buf);
    return 0;
}

void kj_store_fs_quarantine(struct kj_store *s, int dirfd, const char *relpath,
                            const char *name, const char *why)
{
    char rel[512], flat[512], target[600];
    int n = relpath[0] != '\0' ? snprintf(rel, sizeof(rel), "%s/%s", relpath, name)
                                : snprintf(rel, sizeof(rel), "%s", name);
    if (n < 0 || (size_t)n >= sizeof(rel)) {
        kj_log(KJ_LOG_WARN, "store: skipping unreadable `%s/%s` (%s): name too long to move aside",
               relpath, name, why);
        return;
    }
    memcpy(flat, rel, (size_t)n + 1);
    for (char *p = flat; *p; p++)
        if (*p == '/')
            *p = '~';
    /* A name already taken by an earlier crash gets a numeric suffix;
     * never overwrite evidence. */
    snprintf(target, sizeof(target), "%s", flat);
    for (int i = 1; faccessat(s->corruptfd, target, F_OK, AT_SYMLINK_NOFOLLOW) == 0; i++) {
        if (i > 999) {
            kj_log(KJ_LOG_WARN, "store: skipping unreadable `%s` (%s): too many copies", rel, why);
            return;
        }
        snprintf(target, sizeof(target), "%s.%d", flat, i);
    }
    if (renameat(dirfd, name, s->corruptfd, target) < 0) {
        kj_log_errno(KJ_LOG_WARN, "store: skipping unreadable `%s` (%s): move to `corrupt/%s`", rel,
                     why, target);
        return;
    }
    (void)fsync(s->corruptfd);
    (void)fsync(dirfd);
    kj_log(KJ_LOG_WARN, "store: moved unreadable `%s` to `%s/corrupt/%s`: %s", rel, s->dir, target,
           why);
}
