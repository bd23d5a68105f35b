/* Definitions shared by the store's files (store.c: keys, index, CRUD;
 * fsio.c: atomic file I/O; load.c: open-time recovery; watch.c: watch
 * fan-out and history). Not part of the API. */
#ifndef KJ_STORE_STORE_INTERNAL_H
#define KJ_STORE_STORE_INTERNAL_H

#include <stdbool.h> /* bool */
#include <stddef.h>  /* size_t */
#include <stdint.h>  /* uint64_t */

#include "store/store.h"

/* Directory name that stands in for "no namespace". Store names cannot
 * start with `_`, so it never collides with a real namespace. */
#define KJ_STORE_CLUSTER_DIR "_cluster"
/* Prefix of temp files; store names cannot start with `.`. */
#define KJ_STORE_TMP_PREFIX ".tmp."
#define KJ_STORE_NAME_MAX 250

/* A stored tree, shared by the index and the history ring so that an
 * update does not copy it: freed when the last reference goes. */
struct kj_store_obj {
    unsigned refs;
    cJSON *json; /* owned */
};

struct kj_store_entry {
    char *name; /* owned */
    struct kj_store_obj *obj; /* one reference */
    uint64_t rv;
};

/* All objects of one (resource, namespace), sorted by name, plus the open
 * directory they live in. */
struct kj_store_bucket {
    char *resource; /* owned; NULL for the private-record bucket */
    char *dir;      /* owned; namespace or KJ_STORE_CLUSTER_DIR */
    const char *ns; /* NULL (cluster-scoped) or == dir */
    int dirfd;      /* -1 until the directory is needed */
    struct kj_store_entry *v; /* owned, sorted by name */
    size_t n, cap;
};

struct kj_store_hist_ev {
    enum kj_store_event_type type;
    char *resource; /* owned; one allocation also holding ns and name */
    const char *ns;
    const char *name;
    uint64_t rv;
    struct kj_store_obj *obj; /* one reference */
};

struct kj_store {
    char *dir; /* owned */
    int rootfd, objfd, privfd, corruptfd, lockfd;
    uint64_t rv;
    bool failed; /* a directory fsync failed: refuse mutations */
    int dispatching;

    struct kj_store_bucket **buckets; /* owned; sorted by (resource, dir) */
    size_t nbuckets, capbuckets;
    struct kj_store_bucket priv;

    struct kj_store_hist_ev *ring; /* owned */
    size_t ring_cap, ring_head, ring_len;

    struct kj_store_watch **watchers; /* owned */
    size_t nwatchers, capwatchers;
    bool watchers_dirty;
};

/* ---- store.c ---- */
bool kj_store_name_valid(const char *s);
struct kj_store_obj *kj_store_obj_new(cJSON *json);
struct kj_store_obj *kj_store_obj_ref(struct kj_store_obj *o);
void kj_store_obj_unref(struct kj_store_obj *o);
/* Find or (create=true) add the bucket; NULL only when absent and !create. */
struct kj_store_bucket *kj_store_bucket_get(struct kj_store *s, const char *resource,
                                            const char *dir, bool create);
void kj_store_bucket_sort(struct kj_store_bucket *b);
/* Free the entries and strings, close the dirfd; b itself is not freed. */
void kj_store_bucket_clear(struct kj_store_bucket *b);
/* Append without keeping order (loading); kj_store_bucket_sort() after. */
void kj_store_bucket_append(struct kj_store_bucket *b, const char *name,
                            struct kj_store_obj *obj, uint64_t rv);
/* EINVAL unless obj is an object whose metadata.name is `name` and whose
 * metadata.namespace is `ns` (absent or "" when ns is NULL). */
int kj_store_check_meta(const cJSON *obj, const char *ns, const char *name, kj_error_t *err);
/* Parse metadata.resourceVersion; 0 when missing or malformed. */
uint64_t kj_store_obj_rv(const cJSON *obj);
int kj_store_set_rv(cJSON *obj, uint64_t rv);

/* ---- fsio.c ---- */
/* Write `name` in `dirfd` atomically and durably. *dir_sync_failed is set
 * when the rename happened but the directory fsync failed. */
int kj_store_fs_write(int dirfd, const char *name, const char *data, size_t len,
                      bool *dir_sync_failed, kj_error_t *err);
/* Unlink `name` and fsync the directory (same *dir_sync_failed meaning). */
int kj_store_fs_unlink(int dirfd, const char *name, bool *dir_sync_failed, kj_error_t *err);
/* Open directory `name` under `parentfd`, creating it (durably) if missing. */
int kj_store_fs_opendir(int parentfd, const char *name, kj_error_t *err);
/* Read a whole regular file (NUL-terminated, owned by the caller). */
int kj_store_fs_read(int dirfd, const char *name, size_t max, char **out, size_t *len,
                     kj_error_t *err);
/* Move `dirfd/name` to the corrupt directory under a unique, flattened name. */
void kj_store_fs_quarantine(struct kj_store *s, int dirfd, const char *relpath,
                            const char *name, const char *why);

/* ---- load.c ---- */
int kj_store_load(struct kj_store *s, kj_error_t *err);

/* ---- watch.c ---- */
int kj_store_history_init(struct kj_store *s, size_t cap);
void kj_store_history_free(struct kj_store *s);
void kj_store_watchers_free(struct kj_store *s);
/* Record an event in the history and deliver it to matching watchers. */
void kj_store_emit(struct kj_store *s, enum kj_store_event_type type,
                   const struct kj_store_bucket *b, const char *name,
                   struct kj_store_obj *obj, uint64_t rv);

#endif
