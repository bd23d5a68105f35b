/* Durable object store: Kubernetes objects as cJSON trees, one JSON file each.
 *
 *   struct kj_store *s = kj_store_open("/var/lib/kjob", &err);
 *   kj_store_create(s, "jobs", "default", "pi", obj, NULL, &err); // obj now owned by s
 *   const cJSON *j = kj_store_get(s, "jobs", "default", "pi"); // borrowed
 *   kj_store_close(s);
 *
 * Layout under the state dir:
 *   objects/<resource>/<namespace>/<name>.json   (cluster-scoped: namespace `_cluster`)
 *   private/<key>.json                            (kj_store_put_private records)
 *   rv                                            (resourceVersion high-water mark)
 *   corrupt/                                      (unreadable files moved aside on open)
 *   lock                                          (flock: one process per state dir)
 *
 * Durability: every mutation writes a temp file in the target directory, fsyncs
 * it, renames it over the final name and fsyncs the directory BEFORE memory
 * changes, watchers hear of it, or the call returns. A process killed at any
 * moment (kill -9) therefore loses nothing that was acknowledged; a mutation
 * cut short is either entirely on disk or not at all. Leftover temp files are
 * removed on the next open. After an fsync of a directory fails, the state on
 * disk is unknown, so the store refuses every further mutation (EIO) until
 * the daemon restarts and reloads from disk (PostgreSQL's lesson).
 *
 * resourceVersion: one counter for the whole store; each successful mutation
 * (create, update, delete) takes the next value, so values are consecutive
 * and never reused, even across restarts and after deletes. It is written into
 * the object as metadata.resourceVersion (a decimal string).
 *
 * The store is untyped: it checks only that an object is a JSON object whose
 * metadata.name (and metadata.namespace, for a namespaced key) match its key.
 * Defaulting, validation, uid and timestamps are the API layer's business.
 *
 * Names: a resource, namespace, name or private key must be 1..250 bytes of
 * printable ASCII without space, `/` or `\`, and must not start with `.` or
 * `_` (those are the store's own). 250, not Kubernetes' 253, so that
 * `<name>.json` fits in a file name.
 *
 * A list's resourceVersion is kj_store_current_rv() read at the same time:
 * nothing changes between the two on the store's single thread.
 *
 * Threads: none. A store belongs to one thread (kjobd's event loop). Watch
 * callbacks run synchronously inside the mutating call; they must not mutate
 * the store (such calls fail with EDEADLK) but may read it, watch and unwatch.
 */
#ifndef KJ_STORE_STORE_H
#define KJ_STORE_STORE_H

#include <cjson/cJSON.h> /* cJSON */
#include <stddef.h>      /* size_t */
#include <stdint.h>      /* uint64_t */

#include "util/error.h" /* kj_error_t */

struct kj_store;       /* opaque */
struct kj_store_watch; /* opaque watch handle */

/* History ring size when kj_store_options.history is 0. */
#define KJ_STORE_DEFAULT_HISTORY 1000

struct kj_store_options {
    /* Events kept for watches that resume from an older resourceVersion
     * (0 = KJ_STORE_DEFAULT_HISTORY). */
    size_t history;
};

/* Open (creating if missing) the store in `dir` and load every object.
 * Unreadable or inconsistent files are logged (WARN) and moved to
 * `<dir>/corrupt/`; leftover temp files from a crash are deleted. Fails if
 * the directory cannot be created or read, or if another process holds it.
 * Returns a store owned by the caller (kj_store_close), or NULL with *err. */
struct kj_store *kj_store_open(const char *dir, kj_error_t *err);
/* Same, with options (NULL = defaults). */
struct kj_store *kj_store_open_with(const char *dir, const struct kj_store_options *opts,
                                    kj_error_t *err);

/* Free everything, including watch handles still registered (they become
 * invalid). Nothing is written: every mutation is already durable. NULL ok. */
void kj_store_close(struct kj_store *s);

/* The highest resourceVersion assigned so far (the store's "now"). */
uint64_t kj_store_current_rv(const struct kj_store *s);

/* The object stored under the key, or NULL. `ns` is NULL (or "") for
 * cluster-scoped resources. Borrowed: valid until the next mutation of that
 * object or kj_store_close(); callers must not modify it. */
const cJSON *kj_store_get(const struct kj_store *s, const char *resource, const char *ns,
                          const char *name);

/* Called once per object by kj_store_list(); return non-zero to stop. `ns` is
 * NULL for cluster-scoped objects; `obj` is borrowed for the call. */
typedef int (*kj_store_list_cb)(const char *ns, const char *name, const cJSON *obj,
                                void *data);

/* Visit the objects of `resource` in key order: by namespace, then name
 * (strcmp). `ns` NULL = every namespace (and cluster-scoped objects), "" =
 * cluster-scoped objects only.
 * The callback must not mutate the store (EDEADLK). Returns 0 when all were
 * visited, else the callback's non-zero value. */
int kj_store_list(const struct kj_store *s, const char *resource, const char *ns,
                  kj_store_list_cb cb, void *data);

/* Number of objects of `resource` in `ns` (NULL = all namespaces). */
size_t kj_store_count(const struct kj_store *s, const char *resource, const char *ns);

/* Store a new object. Sets obj's metadata.resourceVersion to the next value,
 * writes it durably, then notifies watchers (ADDED).
 * On success the store owns `obj` (the caller must not touch it afterwards;
 * re-read it with kj_store_get) and *out_rv (if non-NULL) is its rv.
 * On failure the caller still owns `obj`, unchanged. Errors:
 *   HTTP 409  an object with that key exists (message: `already exists`; the
 *             caller phrases the Kubernetes text, e.g. jobs.batch "x" already exists)
 *   HTTP 400  bad key, obj not an object, or metadata.name/namespace mismatch
 *             (the API layer validates first; this is the last line of defence)
 *   EDEADLK   called from a watch or list callback
 *   errno     I/O failure (nothing changed; EIO after a failed directory fsync) */
int kj_store_create(struct kj_store *s, const char *resource, const char *ns, const char *name,
                    cJSON *obj, uint64_t *out_rv, kj_error_t *err);

/* Replace an existing object. `expect_rv` (NULL or "" = unconditional) must
 * equal the stored metadata.resourceVersion. Same ownership, durability and
 * errors as kj_store_create(), plus HTTP 404 when absent and HTTP 409 when
 * `expect_rv` is stale (message: `the object has been modified; please apply
 * your changes to the latest version and try again`). `obj` must be a new
 * tree (e.g. a cJSON_Duplicate of kj_store_get's result, then edited), never
 * the stored one (HTTP 400). Watchers see MODIFIED. */
int kj_store_update(struct kj_store *s, const char *resource, const char *ns, const char *name,
                    cJSON *obj, const char *expect_rv, uint64_t *out_rv, kj_error_t *err);

/* Remove an object (HTTP 404 if absent, HTTP 409 if `expect_rv` is given
 * and stale). The deletion takes a new resourceVersion, persisted in the
 * `rv` file first so that it is never reused. Watchers see DELETED with the
 * last state, its metadata.resourceVersion set to the new value. If `out_last`
 * is non-NULL it receives a copy of that last state (owned by the caller). */
int kj_store_delete(struct kj_store *s, const char *resource, const char *ns, const char *name,
                    const char *expect_rv, cJSON **out_last, kj_error_t *err);

/* ---- watch ---- */

enum kj_store_event_type {
    KJ_STORE_ADDED = 0,
    KJ_STORE_MODIFIED = 1,
    KJ_STORE_DELETED = 2,
};

/* "ADDED", "MODIFIED", "DELETED" (Kubernetes watch event types). */
const char *kj_store_event_type_name(enum kj_store_event_type t);

struct kj_store_event {
    enum kj_store_event_type type;
    const char *resource;
    const char *ns; /* NULL for cluster-scoped objects */
    const char *name;
    uint64_t rv;
    const cJSON *object; /* state after the event (DELETED: last state, new rv) */
};

/* Receives events in resourceVersion order. Everything in `ev` is borrowed
 * for the duration of the call. May read the store, kj_store_watch and
 * kj_store_unwatch (any handle, including its own); must not mutate. */
typedef void (*kj_store_watch_cb)(const struct kj_store_event *ev, void *data);

/* Register a watch on `resource` (NULL = all resources) in `ns` (NULL = all
 * namespaces; "" = cluster-scoped only). `since_rv` 0 = from now; otherwise
 * events with rv > since_rv still in the history ring are delivered first,
 * synchronously, before this returns (those callbacks cannot unwatch the
 * handle being created: it is not returned yet). Errors:
 *   HTTP 410  since_rv older than the history: `too old resource version: X (Y)`
 *             where Y is the oldest resourceVersion one may still resume from
 *   HTTP 504  since_rv newer than kj_store_current_rv():
 *             `too large resource version: X, current: Y`
 * Returns a handle owned by the store (release with kj_store_unwatch or
 * kj_store_close), or NULL with *err. */
struct kj_store_watch *kj_store_watch(struct kj_store *s, const char *resource, const char *ns,
                                      uint64_t since_rv, kj_store_watch_cb cb, void *data,
                                      kj_error_t *err);

/* Stop a watch: its callback is not called again, even if this runs inside
 * a fan-out. NULL ok. The handle is invalid afterwards. */
void kj_store_unwatch(struct kj_store *s, struct kj_store_watch *w);

/* ---- private records ----
 * Small daemon-internal JSON documents (e.g. a controller ledger) with the
 * same atomic write, no resourceVersion and no watch events. Recommendation:
 * keep per-Job bookkeeping (pod uids already counted) in the Job's own status
 * (status.uncountedTerminatedPods, as Kubernetes does), so that counts and
 * ledger change in one atomic file write; use private records only for state
 * with no object to live in. */

/* Write `obj` under `key`. Ownership of obj is taken on success only. */
int kj_store_put_private(struct kj_store *s, const char *key, cJSON *obj, kj_error_t *err);
/* Borrowed until the next put/delete of `key`, or NULL. */
const cJSON *kj_store_get_private(const struct kj_store *s, const char *key);
/* Remove `key`; 0 also when it did not exist. */
int kj_store_delete_private(struct kj_store *s, const char *key, kj_error_t *err);

#endif
