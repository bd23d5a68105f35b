/* Keys, the in-memory index, and the mutations. */
#include <errno.h>
#include <inttypes.h> /* PRIu64 */
#include <stdio.h>    /* snprintf */
#include <stdlib.h>
#include <string.h>
#include <unistd.h> /* close */

#include "store/store-internal.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

bool kj_store_name_valid(const char *s)
{
    if (s == NULL || s[0] == '\0' || s[0] == '.' || s[0] == '_')
        return false;
    size_t n = 0;
    for (; s[n] != '\0'; n++) {
        unsigned char c = (unsigned char)s[n];
        if (c <= 0x20 || c >= 0x7f || c == '/' || c == '\\' || n >= KJ_STORE_NAME_MAX)
            return false;
    }
    return true;
}

struct kj_store_obj *kj_store_obj_new(cJSON *json)
{
    struct kj_store_obj *o = xmalloc(sizeof(*o));
    o->refs = 1;
    o->json = json;
    return o;
}

struct kj_store_obj *kj_store_obj_ref(struct kj_store_obj *o)
{
    o->refs++;
    return o;
}

void kj_store_obj_unref(struct kj_store_obj *o)
{
    if (o == NULL || --o->refs > 0)
        return;
    cJSON_Delete(o->json);
    free(o);
}

uint64_t kj_store_obj_rv(const cJSON *obj)
{
    const cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
    const cJSON *rv = cJSON_GetObjectItemCaseSensitive(md, "resourceVersion");
    if (!cJSON_IsString(rv) || rv->valuestring[0] < '1' || rv->valuestring[0] > '9' ||
        strlen(rv->valuestring) > 19)
        return 0;
    uint64_t v = 0;
    for (const char *p = rv->valuestring; *p; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    return v;
}

int kj_store_check_meta(const cJSON *obj, const char *ns, const char *name, kj_error_t *err)
{
    if (!cJSON_IsObject(obj))
        return kj_make_http_error(err, 400, "object is not a json object");
    const cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
    const cJSON *mname = cJSON_GetObjectItemCaseSensitive(md, "name");
    if (!cJSON_IsObject(md) || !cJSON_IsString(mname) || strcmp(mname->valuestring, name) != 0)
        return kj_make_http_error(err, 400, "`metadata.name` does not match `%s`", name);
    const cJSON *mns = cJSON_GetObjectItemCaseSensitive(md, "namespace");
    bool ok = ns != NULL ? cJSON_IsString(mns) && strcmp(mns->valuestring, ns) == 0
                         : mns == NULL || (cJSON_IsString(mns) && mns->valuestring[0] == '\0');
    if (!ok)
        return kj_make_http_error(err, 400, "`metadata.namespace` does not match `%s`",
                             ns != NULL ? ns : "");
    return 0;
}

/* Set metadata.resourceVersion, keeping the old item in *saved so that a
 * failed write can put the caller's object back exactly as it was. */
static void rv_apply(cJSON *obj, uint64_t rv, cJSON **saved)
{
    char buf[24];
    snprintf(buf, sizeof(buf), "%" PRIu64, rv);
    cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
    cJSON *old = cJSON_GetObjectItemCaseSensitive(md, "resourceVersion");
    cJSON *item = cJSON_CreateString(buf);
    kj_assert(item != NULL);
    *saved = NULL;
    if (old != NULL) {
        *saved = cJSON_DetachItemViaPointer(md, old);
        cJSON_AddItemToObject(md, "resourceVersion", item);
    } else {
        cJSON_AddItemToObject(md, "resourceVersion", item);
    }
}

static void rv_revert(cJSON *obj, cJSON *saved)
{
    cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
    cJSON_DeleteItemFromObjectCaseSensitive(md, "resourceVersion");
    if (saved != NULL)
        cJSON_AddItemToObject(md, "resourceVersion", saved);
}

int kj_store_set_rv(cJSON *obj, uint64_t rv)
{
    cJSON *saved = NULL;
    rv_apply(obj, rv, &saved);
    cJSON_Delete(saved);
    return 0;
}

/* ---- index ---- */

static int bucket_cmp(const struct kj_store_bucket *b, const char *resource, const char *dir)
{
    int c = strcmp(b->resource, resource);
    return c != 0 ? c : strcmp(b->dir, dir);
}

/* First bucket index >= (resource, dir). */
static size_t bucket_lower(const struct kj_store *s, const char *resource, const char *dir)
{
    size_t lo = 0, hi = s->nbuckets;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (bucket_cmp(s->buckets[mid], resource, dir) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

struct kj_store_bucket *kj_store_bucket_get(struct kj_store *s, const char *resource,
                                            const char *dir, bool create)
{
    size_t i = bucket_lower(s, resource, dir);
    if (i < s->nbuckets && bucket_cmp(s->buckets[i], resource, dir) == 0)
        return s->buckets[i];
    if (!create)
        return NULL;
    if (s->nbuckets == s->capbuckets) {
        s->capbuckets = s->capbuckets ? s->capbuckets * 2 : 8;
        s->buckets = xrealloc(s->buckets, s->capbuckets * sizeof(*s->buckets));
    }
    struct kj_store_bucket *b = xcalloc(1, sizeof(*b));
    b->resource = xstrdup(resource);
    b->dir = xstrdup(dir);
    b->ns = strcmp(dir, KJ_STORE_CLUSTER_DIR) == 0 ? NULL : b->dir;
    b->dirfd = -1;
    memmove(s->buckets + i + 1, s->buckets + i, (s->nbuckets - i) * sizeof(*s->buckets));
    s->buckets[i] = b;
    s->nbuckets++;
    return b;
}

void kj_store_bucket_clear(struct kj_store_bucket *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->v[i].name);
        kj_store_obj_unref(b->v[i].obj);
    }
    free(b->v);
    free(b->resource);
    free(b->dir);
    if (b->dirfd >= 0)
        close(b->dirfd);
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const struct kj_store_entry *)a)->name,
                  ((const struct kj_store_entry *)b)->name);
}

void kj_store_bucket_sort(struct kj_store_bucket *b)
{
    if (b->n > 1)
        qsort(b->v, b->n, sizeof(*b->v), entry_cmp);
}

/* Index of `name` (found) or of where it would go. */
static size_t entry_lower(const struct kj_store_bucket *b, const char *name, bool *found)
{
    size_t lo = 0, hi = b->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(b->v[mid].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < b->n && strcmp(b->v[lo].name, name) == 0;
    return lo;
}

void kj_store_bucket_append(struct kj_store_bucket *b, const char *name,
                            struct kj_store_obj *obj, uint64_t rv)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->v = xrealloc(b->v, b->cap * sizeof(*b->v));
    }
    b->v[b->n++] = (struct kj_store_entry){.name = xstrdup(name), .obj = obj, .rv = rv};
}

static void entry_insert(struct kj_store_bucket *b, size_t i, const char *name,
                         struct kj_store_obj *obj, uint64_t rv)
{
    kj_store_bucket_append(b, name, obj, rv);
    struct kj_store_entry e = b->v[b->n - 1];
    memmove(b->v + i + 1, b->v + i, (b->n - 1 - i) * sizeof(*b->v));
    b->v[i] = e;
}

static void entry_remove(struct kj_store_bucket *b, size_t i)
{
    free(b->v[i].name);
    kj_store_obj_unref(b->v[i].obj);
    memmove(b->v + i, b->v + i + 1, (b->n - i - 1) * sizeof(*b->v));
    b->n--;
}

/* ---- keys ---- */

static const char *ns_dir(const char *ns)
{
    return ns == NULL || ns[0] == '\0' ? KJ_STORE_CLUSTER_DIR : ns;
}

static int key_check(const char *resource, const char *ns, const char *name, kj_error_t *err)
{
    if (!kj_store_name_valid(resource))
        return kj_make_http_error(err, 400, "invalid resource `%s`", resource ? resource : "");
    if (ns != NULL && ns[0] != '\0' && !kj_store_name_valid(ns))
        return kj_make_http_error(err, 400, "invalid namespace `%s`", ns);
    if (!kj_store_name_valid(name))
        return kj_make_http_error(err, 400, "invalid name `%s`", name ? name : "");
    return 0;
}

static const char *ns_or_null(const char *ns)
{
    return ns == NULL || ns[0] == '\0' ? NULL : ns;
}

static int bucket_dirfd(struct kj_store *s, struct kj_store_bucket *b, kj_error_t *err)
{
    if (b->dirfd >= 0)
        return b->dirfd;
    cleanup_close int resfd = kj_store_fs_opendir(s->objfd, b->resource, err);
    if (resfd < 0)
        return resfd;
    int fd = kj_store_fs_opendir(resfd, b->dir, err);
    if (fd < 0)
        return fd;
    return b->dirfd = fd;
}

static int mutation_begin(struct kj_store *s, kj_error_t *err)
{
    if (s->dispatching > 0)
        return kj_make_error(err, EDEADLK, "store mutated from a watch or list callback");
    if (s->failed)
        return kj_make_error(err, EIO, "store `%s` is read-only after a failed fsync; restart "
                                       "to reload it", s->dir);
    return 0;
}

/* Serialize and write one file; marks the store failed when the directory
 * fsync failed (the rename may or may not be durable). */
static int write_json(struct kj_store *s, int dirfd, const char *name, const cJSON *obj,
                      kj_error_t *err)
{
    cleanup_free char *text = cJSON_PrintUnformatted(obj);
    if (text == NULL)
        return kj_make_error(err, ENOMEM, "serialize `%s`", name);
    char file[KJ_STORE_NAME_MAX + 8];
    snprintf(file, sizeof(file), "%s.json", name);
    bool dsf = false;
    int rc = kj_store_fs_write(dirfd, file, text, strlen(text), &dsf, err);
    if (dsf)
        s->failed = true;
    return rc;
}

static int write_rv_file(struct kj_store *s, uint64_t rv, kj_error_t *err)
{
    char buf[24];
    int n = snprintf(buf, sizeof(buf), "%" PRIu64 "\n", rv);
    bool dsf = false;
    int rc = kj_store_fs_write(s->rootfd, "rv", buf, (size_t)n, &dsf, err);
    if (dsf)
        s->failed = true;
    return rc;
}

uint64_t kj_store_current_rv(const struct kj_store *s)
{
    return s->rv;
}

/* ---- reads ---- */

static const struct kj_store_entry *lookup(const struct kj_store *s, const char *resource,
                                           const char *ns, const char *name)
{
    if (resource == NULL || name == NULL)
        return NULL;
    struct kj_store_bucket *b =
        kj_store_bucket_get((struct kj_store *)s, resource, ns_dir(ns), false);
    if (b == NULL)
        return NULL;
    bool found;
    size_t i = entry_lower(b, name, &found);
    return found ? &b->v[i] : NULL;
}

const cJSON *kj_store_get(const struct kj_store *s, const char *resource, const char *ns,
                          const char *name)
{
    const struct kj_store_entry *e = lookup(s, resource, ns, name);
    return e != NULL ? e->obj->json : NULL;
}

/* Buckets [*lo, *hi) that a (resource, ns-filter) list covers. */
static void list_range(const struct kj_store *s, const char *resource, const char *ns, size_t *lo,
                       size_t *hi)
{
    if (ns != NULL) {
        *lo = bucket_lower(s, resource, ns_dir(ns));
        *hi = *lo < s->nbuckets && bucket_cmp(s->buckets[*lo], resource, ns_dir(ns)) == 0
                  ? *lo + 1
                  : *lo;
        return;
    }
    *lo = bucket_lower(s, resource, "");
    *hi = *lo;
    while (*hi < s->nbuckets && strcmp(s->buckets[*hi]->resource, resource) == 0)
        (*hi)++;
}

int kj_store_list(const struct kj_store *s, const char *resource, const char *ns,
                  kj_store_list_cb cb, void *data)
{
    if (resource == NULL)
        return 0;
    size_t lo, hi;
    list_range(s, resource, ns, &lo, &hi);
    /* A mutation from the callback would move entries under this loop:
     * make it fail with EDEADLK as it does from watch callbacks. */
    struct kj_store *ms = (struct kj_store *)s;
    ms->dispatching++;
    int rc = 0;
    for (size_t i = lo; i < hi && rc == 0; i++) {
        const struct kj_store_bucket *b = s->buckets[i];
        for (size_t j = 0; j < b->n && rc == 0; j++)
            rc = cb(b->ns, b->v[j].name, b->v[j].obj->json, data);
    }
    ms->dispatching--;
    return rc;
}

size_t kj_store_count(const struct kj_store *s, const char *resource, const char *ns)
{
    if (resource == NULL)
        return 0;
    size_t lo, hi, n = 0;
    list_range(s, resource, ns, &lo, &hi);
    for (size_t i = lo; i < hi; i++)
        n += s->buckets[i]->n;
    return n;
}

/* ---- mutations ---- */

static int check_expect(const struct kj_store_entry *e, const char *expect_rv, kj_error_t *err)
{
    if (expect_rv == NULL || expect_rv[0] == '\0')
        return 0;
    char cur[24];
    snprintf(cur, sizeof(cur), "%" PRIu64, e->rv);
    if (strcmp(cur, expect_rv) != 0)
        return kj_make_http_error(err, 409, "the object has been modified; please apply your "
                                            "changes to the latest version and try again");
    return 0;
}

/* Writes obj (with its new rv) for a create or an update; on failure the
 * caller's obj is restored. */
static int put_object(struct kj_store *s, struct kj_store_bucket *b, const char *name,
                      cJSON *obj, uint64_t rv, kj_error_t *err)
{
    int fd = bucket_dirfd(s, b, err);
    if (fd < 0)
        return fd;
    cJSON *saved = NULL;
    rv_apply(obj, rv, &saved);
    int rc = write_json(s, fd, name, obj, err);
    if (rc < 0) {
        rv_revert(obj, saved);
        return rc;
    }
    cJSON_Delete(saved);
    return 0;
}

int kj_store_create(struct kj_store *s, const char *resource, const char *ns, const char *name,
                    cJSON *obj, uint64_t *out_rv, kj_error_t *err)
{
    int rc;
    if ((rc = mutation_begin(s, err)) < 0 || (rc = key_check(resource, ns, name, err)) < 0 ||
        (rc = kj_store_check_meta(obj, ns_or_null(ns), name, err)) < 0)
        return rc;
    struct kj_store_bucket *b = kj_store_bucket_get(s, resource, ns_dir(ns), true);
    bool found;
    size_t i = entry_lower(b, name, &found);
    if (found)
        return kj_make_http_error(err, 409, "already exists");
    uint64_t rv = s->rv + 1;
    if ((rc = put_object(s, b, name, obj, rv, err)) < 0) {
        kj_error_wrap(err, "create `%s/%s/%s`", resource, ns_dir(ns), name);
        return rc;
    }
    s->rv = rv;
    entry_insert(b, i, name, kj_store_obj_new(obj), rv);
    if (out_rv != NULL)
        *out_rv = rv;
    kj_store_emit(s, KJ_STORE_ADDED, b, name, b->v[i].obj, rv);
    return 0;
}

int kj_store_update(struct kj_store *s, const char *resource, const char *ns, const char *name,
                    cJSON *obj, const char *expect_rv, uint64_t *out_rv, kj_error_t *err)
{
    int rc;
    if ((rc = mutation_begin(s, err)) < 0 || (rc = key_check(resource, ns, name, err)) < 0 ||
        (rc = kj_store_check_meta(obj, ns_or_null(ns), name, err)) < 0)
        return rc;
    struct kj_store_bucket *b = kj_store_bucket_get(s, resource, ns_dir(ns), false);
    bool found = false;
    size_t i = b != NULL ? entry_lower(b, name, &found) : 0;
    if (!found)
        return kj_make_http_error(err, 404, "not found");
    /* The stored tree is shared with the history ring: updating it in
     * place would rewrite events already sent, and then free it twice. */
    if (obj == b->v[i].obj->json)
        return kj_make_http_error(err, 400, "update with the stored object itself; pass a copy");
    if ((rc = check_expect(&b->v[i], expect_rv, err)) < 0)
        return rc;
    uint64_t rv = s->rv + 1;
    if ((rc = put_object(s, b, name, obj, rv, err)) < 0) {
        kj_error_wrap(err, "update `%s/%s/%s`", resource, ns_dir(ns), name);
        return rc;
    }
    s->rv = rv;
    kj_store_obj_unref(b->v[i].obj);
    b->v[i].obj = kj_store_obj_new(obj);
    b->v[i].rv = rv;
    if (out_rv != NULL)
        *out_rv = rv;
    kj_store_emit(s, KJ_STORE_MODIFIED, b, name, b->v[i].obj, rv);
    return 0;
}

int kj_store_delete(struct kj_store *s, const char *resource, const char *ns, const char *name,
                    const char *expect_rv, cJSON **out_last, kj_error_t *err)
{
    int rc;
    if ((rc = mutation_begin(s, err)) < 0 || (rc = key_check(resource, ns, name, err)) < 0)
        return rc;
    struct kj_store_bucket *b = kj_store_bucket_get(s, resource, ns_dir(ns), false);
    bool found = false;
    size_t i = b != NULL ? entry_lower(b, name, &found) : 0;
    if (!found)
        return kj_make_http_error(err, 404, "not found");
    if ((rc = check_expect(&b->v[i], expect_rv, err)) < 0)
        return rc;
    int fd = bucket_dirfd(s, b, err);
    if (fd < 0)
        return kj_error_wrap(err, "delete `%s/%s/%s`", resource, ns_dir(ns), name);
    cleanup_cjson cJSON *last = cJSON_Duplicate(b->v[i].obj->json, 1);
    cleanup_cjson cJSON *copy = out_last != NULL ? cJSON_Duplicate(b->v[i].obj->json, 1) : NULL;
    if (last == NULL || (out_last != NULL && copy == NULL))
        return kj_make_error(err, ENOMEM, "delete `%s/%s/%s`", resource, ns_dir(ns), name);
    /* The deletion's rv lives in no object file afterwards: persist the
     * high-water mark first so a restart cannot hand it out again. */
    uint64_t rv = s->rv + 1;
    if ((rc = write_rv_file(s, rv, err)) < 0) {
        kj_error_wrap(err, "delete `%s/%s/%s`", resource, ns_dir(ns), name);
        return rc;
    }
    s->rv = rv;
    char file[KJ_STORE_NAME_MAX + 8];
    snprintf(file, sizeof(file), "%s.json", name);
    bool dsf = false;
    if ((rc = kj_store_fs_unlink(fd, file, &dsf, err)) < 0) {
        if (dsf)
            s->failed = true;
        kj_error_wrap(err, "delete `%s/%s/%s`", resource, ns_dir(ns), name);
        return rc;
    }
    entry_remove(b, i);
    kj_store_set_rv(last, rv);
    if (copy != NULL) {
        kj_store_set_rv(copy, rv);
        *out_last = steal_pointer(&copy);
    }
    struct kj_store_obj *o = kj_store_obj_new(steal_pointer(&last));
    kj_store_emit(s, KJ_STORE_DELETED, b, name, o, rv);
    kj_store_obj_unref(o);
    return 0;
}

/* ---- private records ---- */

int kj_store_put_private(struct kj_store *s, const char *key, cJSON *obj, kj_error_t *err)
{
    int rc;
    if ((rc = mutation_begin(s, err)) < 0)
        return rc;
    if (!kj_store_name_valid(key))
        return kj_make_http_error(err, 400, "invalid private key `%s`", key ? key : "");
    if (obj == NULL)
        return kj_make_http_error(err, 400, "no object for private key `%s`", key);
    if ((rc = write_json(s, s->privfd, key, obj, err)) < 0) {
        kj_error_wrap(err, "put private `%s`", key);
        return rc;
    }
    bool found;
    size_t i = entry_lower(&s->priv, key, &found);
    if (found) {
        kj_store_obj_unref(s->priv.v[i].obj);
        s->priv.v[i].obj = kj_store_obj_new(obj);
    } else {
        entry_insert(&s->priv, i, key, kj_store_obj_new(obj), 0);
    }
    return 0;
}

const cJSON *kj_store_get_private(const struct kj_store *s, const char *key)
{
    if (key == NULL)
        return NULL;
    bool found;
    size_t i = entry_lower(&s->priv, key, &found);
    return found ? s->priv.v[i].obj->json : NULL;
}

int kj_store_delete_private(struct kj_store *s, const char *key, kj_error_t *err)
{
    int rc;
    if ((rc = mutation_begin(s, err)) < 0)
        return rc;
    if (!kj_store_name_valid(key))
        return kj_make_http_error(err, 400, "invalid private key `%s`", key ? key : "");
    bool found;
    size_t i = entry_lower(&s->priv, key, &found);
    if (!found)
        return 0;
    char file[KJ_STORE_NAME_MAX + 8];
    snprintf(file, sizeof(file), "%s.json", key);
    bool dsf = false;
    if ((rc = kj_store_fs_unlink(s->privfd, file, &dsf, err)) < 0) {
        if (dsf)
            s->failed = true;
        kj_error_wrap(err, "delete private `%s`", key);
        return rc;
    }
    entry_remove(&s->priv, i);
    return 0;
}
