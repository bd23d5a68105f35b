/* pkg/docker — asynchronous Docker Engine API client on a libevent loop.
 *
 * One `struct kj_docker` per engine. It drives libcurl's multi-socket API from
 * the caller's event_base, so no call ever blocks the loop:
 *
 *   struct kj_docker *d = kj_docker_new(base, NULL, &err);   // $DOCKER_HOST or the unix socket
 *   kj_docker_container_create(d, &spec, created_cb, ctx, &err);
 *   event_base_dispatch(base);
 *   kj_docker_free(d);                                         // before event_base_free()
 *
 * Contract shared by every request function below:
 *  - It returns a handle, or NULL with *err set when the request cannot even be
 *    queued (bad arguments, out of memory). On NULL no callback will ever run.
 *  - Otherwise its completion callback runs exactly once, later, from the event
 *    loop — never from inside the call — unless the request is cancelled with
 *    kj_docker_cancel() or the client is freed first; then it never runs.
 *  - Callbacks get `err` NULL on success. `err` is borrowed: valid only during
 *    the callback, never released by the callee. Engine errors carry the HTTP
 *    status (kj_error_http_status(): 404 no such container/image/network, 409
 *    conflict, 400 bad parameter, 500 ...) and the engine's message; transport
 *    failures (engine down, timeout) have status 0 and an errno-ish message.
 *  - Results handed to callbacks (strings, structs, cJSON) are borrowed and
 *    valid only during the callback; copy what you keep.
 *  - Arguments (ids, specs, option structs, arrays) are borrowed for the call's
 *    duration only; the client copies what it needs.
 *  - The handle is valid until the completion callback returns (for streams:
 *    until the end callback returns) or until kj_docker_cancel(). Drop it then.
 *  - Callbacks may start new requests and cancel any request, including their
 *    own. They must not call kj_docker_free().
 *
 * Versioning: before the first request the client negotiates the API version
 * with `GET /_ping` (Api-Version header): min(server max, KJ_DOCKER_API_MAX),
 * refusing servers below KJ_DOCKER_API_MIN. Requests queue until then; the
 * version is then pinned for the life of the client. A failed ping fails the
 * queued requests; the next request tries again.
 *
 * Concurrency: at most opts.max_concurrent short requests are in flight; the
 * rest wait in a FIFO queue. Long-lived requests (events, logs with follow,
 * wait, image pull) have their own budget and never wait behind short ones.
 *
 * Not thread-safe: use a client only from the thread running its event_base.
 */
#ifndef KJ_DOCKER_DOCKER_H
#define KJ_DOCKER_DOCKER_H

#include <stdbool.h> /* bool */
#include <stddef.h>  /* size_t */
#include <stdint.h>  /* int64_t */

#include <cjson/cJSON.h> /* cJSON */

#include "util/error.h" /* kj_error_t */

struct event_base;

/* API versions this client speaks (tested on 1.41; 1.44 differences handled). */
#define KJ_DOCKER_API_MIN "1.41"
#define KJ_DOCKER_API_MAX "1.47"

#define KJ_DOCKER_DEFAULT_HOST "unix:///var/run/docker.sock"

enum kj_docker_tls_mode {
    KJ_DOCKER_TLS_FROM_ENV = 0, /* DOCKER_TLS_VERIFY / DOCKER_TLS / DOCKER_CERT_PATH */
    KJ_DOCKER_TLS_OFF,          /* plain http on tcp:// */
    KJ_DOCKER_TLS_NO_VERIFY,    /* https, server certificate not checked */
    KJ_DOCKER_TLS_VERIFY,       /* https, server checked against ca.pem */
};

struct kj_docker_opts {
    /* unix:///path or tcp://host[:port]; NULL = $DOCKER_HOST, else
     * KJ_DOCKER_DEFAULT_HOST. Other schemes (ssh://, npipe://) are refused. */
    const char *host;
    enum kj_docker_tls_mode tls;
    /* Directory with ca.pem, cert.pem, key.pem; NULL = $DOCKER_CERT_PATH, else
     * ~/.docker. Only used with TLS. */
    const char *cert_path;
    /* Pin an API version ("1.41") and skip negotiation; NULL = negotiate. */
    const char *api_version;
    int max_concurrent;     /* short requests in flight; 0 = 16 */
    int connect_timeout_ms; /* 0 = 5000 */
    int request_timeout_ms; /* short requests only, never streams; 0 = 120000 */
};

struct kj_docker;                            /* opaque */
typedef struct kj_docker_req kj_docker_req_t; /* handle of one request or stream */

/* Create a client on `base` (borrowed; must outlive the client). `opts` may be
 * NULL for all defaults; it is borrowed for the call only. Parses the host URL
 * and TLS settings now, so a bad DOCKER_HOST is a clear error here; does not
 * contact the engine. Returns NULL with *err set on failure. */
struct kj_docker *kj_docker_new(struct event_base *base, const struct kj_docker_opts *opts,
                                kj_error_t *err);

/* Whether a client made from `opts` (and the environment, as kj_docker_new()
 * reads it) would speak TLS to the engine; true when the host does not parse. */
bool kj_docker_uses_tls(const struct kj_docker_opts *opts);

/* Cancel every request and stream (their callbacks are NOT called), close
 * connections and free the client. Call before event_base_free(). NULL is a
 * no-op. Must not be called from inside one of this client's callbacks. */
void kj_docker_free(struct kj_docker *d);

/* Cancel a queued or running request or stream. Its callbacks (completion,
 * data, end) are not called afterwards; the handle is invalid on return.
 * Must not be called on a handle whose completion/end callback already ran. */
void kj_docker_cancel(kj_docker_req_t *r);

/* The negotiated (or pinned) API version, e.g. "1.41"; NULL before the first
 * successful ping. Borrowed, valid until kj_docker_free(). */
const char *kj_docker_api_version(const struct kj_docker *d);

/* Host URL the client talks to (normalised, e.g. "unix:///var/run/docker.sock"). */
const char *kj_docker_host(const struct kj_docker *d);

/* ---- callback shapes ---------------------------------------------------- */

typedef void (*kj_docker_done_cb)(kj_error_t err, void *data);
/* `str`: an id (container create, network create) or the API version (ping). */
typedef void (*kj_docker_str_cb)(kj_error_t err, const char *str, void *data);
/* `json`: the engine's parsed response document; NULL on error. */
typedef void (*kj_docker_json_cb)(kj_error_t err, const cJSON *json, void *data);

/* ---- system -------------------------------------------------------------- */

/* GET /_ping. Negotiates on the way (if not pinned); `str` = the version in use. */
kj_docker_req_t *kj_docker_ping(struct kj_docker *d, kj_docker_str_cb cb, void *data,
                                kj_error_t *err);
/* GET /version and GET /info; the callback gets the whole document. */
kj_docker_req_t *kj_docker_version(struct kj_docker *d, kj_docker_json_cb cb, void *data,
                                   kj_error_t *err);
kj_docker_req_t *kj_docker_info(struct kj_docker *d, kj_docker_json_cb cb, void *data,
                                kj_error_t *err);

/* ---- containers ---------------------------------------------------------- */

struct kj_docker_kv {
    const char *key;
    const char *value;
};

/* One HostConfig.Mounts entry. type "volume" without a source is an
 * anonymous volume carrying `labels`, removed with the container when it
 * is removed with volumes (kj_docker_container_remove(..., volumes=true));
 * "tmpfs" takes tmpfs_size (bytes, 0 = engine default); "bind" a host
 * path in source. */
struct kj_docker_mount {
    const char *type;   /* "volume", "tmpfs" or "bind" */
    const char *source; /* NULL for anonymous volumes and tmpfs */
    const char *target; /* path in the container */
    bool read_only;
    int64_t tmpfs_size;
    /* type "volume" with a source: a named volume of the local driver on a
     * tmpfs (of tmpfs_size bytes when > 0), created with the container. */
    bool tmpfs_volume;
    const struct kj_docker_kv *labels; /* volume labels; may be NULL */
    size_t n_labels;
};

/* Arrays below are NULL-terminated. For entrypoint and cmd a NULL pointer
 * means "image default" and a pointer to {NULL} means an explicit empty array
 * (Entrypoint: [] — the Kubernetes `command: []` case). */
struct kj_container_spec {
    const char *name;  /* NULL = engine-generated */
    const char *image; /* required */
    const char *const *entrypoint;
    const char *const *cmd;
    const char *const *env; /* "K=V" */
    const struct kj_docker_kv *labels;
    size_t n_labels;
    const char *hostname, *domainname, *working_dir, *user; /* NULL = unset */
    int64_t memory;    /* bytes, 0 = unlimited; MemorySwap is set equal (no swap) */
    int64_t nano_cpus; /* CPU * 1e9, 0 = unlimited */
    const char *network;           /* NetworkMode + EndpointsConfig key; NULL = engine default */
    const char *const *aliases;    /* DNS aliases on `network`; NULL = none */
    const char *stop_signal;       /* NULL = image default (SIGTERM) */
    int stop_timeout;              /* seconds; < 0 or 0 = engine default */
    bool init;                     /* HostConfig.Init (tini as pid 1) */
    bool tty;                      /* keep false: logs are then multiplexed */
    /* HostConfig.AutoRemove: the engine removes the container once it exits
     * (`docker run --rm`); its `destroy` event marks the removal. Anything to
     * read from it (logs, exit code) must be read before then, so kjobd's
     * Job pods leave it false. */
    bool auto_remove;
    /* Config.NetworkDisabled: no network from the engine at all. The
     * container still gets a namespace of its own with loopback up (runc
     * makes it), but no libnetwork sandbox: no /etc/hosts or
     * /etc/resolv.conf of the engine's, only the image's. That spares the
     * engine two re-executions of dockerd per container (the
     * libnetwork-setkey prestart hook and set-ipv6), nearly half of its
     * CPU for a short container (docs/benchmarks.md); `docker run
     * --network none` cannot ask for it. Takes network NULL or "none";
     * NetworkMode is then "none". */
    bool network_disabled;
    const struct kj_docker_mount *mounts; /* HostConfig.Mounts; may be NULL */
    size_t n_mounts;
};
/* RestartPolicy is always {"Name":"no"}: kjobd owns restarts. */

/* POST /containers/create. `str` = the new container id. 404 = image missing,
 * 409 = name taken. */
kj_docker_req_t *kj_docker_container_create(struct kj_docker *d,
                                            const struct kj_container_spec *spec,
                                            kj_docker_str_cb cb, void *data, kj_error_t *err);

/* POST /containers/{id}/start. Already running (304) counts as success. A
 * runtime failure (bad entrypoint) is a 400 and leaves the container created. */
kj_docker_req_t *kj_docker_container_start(struct kj_docker *d, const char *id,
                                           kj_docker_done_cb cb, void *data, kj_error_t *err);

/* POST /containers/{id}/kill?signal=S. signal NULL = SIGKILL. 409 = not running. */
kj_docker_req_t *kj_docker_container_kill(struct kj_docker *d, const char *id,
                                          const char *signal, kj_docker_done_cb cb,
                                          void *data, kj_error_t *err);

/* POST /containers/{id}/stop?t=T. timeout_s < 0 = engine default. Already
 * stopped (304) counts as success. */
kj_docker_req_t *kj_docker_container_stop(struct kj_docker *d, const char *id, int timeout_s,
                                          kj_docker_done_cb cb, void *data, kj_error_t *err);

/* POST /containers/{id}/restart?t=T (also starts an exited container). */
kj_docker_req_t *kj_docker_container_restart(struct kj_docker *d, const char *id,
                                             int timeout_s, kj_docker_done_cb cb, void *data,
                                             kj_error_t *err);

/* DELETE /containers/{id}?force=&v=. 404 (already gone) is reported as an
 * error; callers that delete idempotently treat it as success. */
kj_docker_req_t *kj_docker_container_remove(struct kj_docker *d, const char *id, bool force,
                                            bool volumes, kj_docker_done_cb cb, void *data,
                                            kj_error_t *err);

struct kj_container_net {
    const char *name;       /* network name */
    const char *network_id;
    const char *ip;         /* "" when not running */
    const cJSON *aliases;   /* array of strings, or NULL */
};

/* Times are the engine's RFC 3339 strings; the *_ns fields are the same as
 * Unix nanoseconds, 0 for the zero time "0001-01-01T00:00:00Z" (never). */
struct kj_container_state {
    const char *id;
    const char *name;   /* without the leading '/' */
    const char *image;  /* Config.Image as given at create */
    const char *status; /* created|running|paused|restarting|removing|exited|dead */
    bool running, paused, restarting, oom_killed, dead;
    int exit_code;
    const char *error; /* State.Error, "" when none */
    const char *started_at, *finished_at;
    int64_t started_at_ns, finished_at_ns;
    int restart_count;
    int pid;
    bool tty;                 /* Config.Tty: decides log framing */
    const cJSON *labels;      /* Config.Labels object (may be NULL) */
    const struct kj_container_net *networks;
    size_t n_networks;
    const cJSON *raw;         /* the whole inspect document */
};
typedef void (*kj_docker_state_cb)(kj_error_t err, const struct kj_container_state *st,
                                   void *data);

/* GET /containers/{id}/json. 404 = no such container. */
kj_docker_req_t *kj_docker_container_inspect(struct kj_docker *d, const char *id,
                                             kj_docker_state_cb cb, void *data,
                                             kj_error_t *err);

struct kj_container_summary {
    const char *id;
    const char *name;   /* first name, without '/' */
    const char *image;
    const char *state;  /* "running", "exited", ... */
    const char *status; /* human text, "Exited (3) 5 seconds ago" */
    int64_t created;    /* Unix seconds */
    const cJSON *labels;
};
typedef void (*kj_docker_list_cb)(kj_error_t err, const struct kj_container_summary *items,
                                  size_t n, void *data);

struct kj_docker_list_opts {
    bool all;                  /* include stopped containers */
    const char *const *labels; /* NULL-terminated "key" or "key=value", ANDed; NULL = none */
};

/* GET /containers/json. No exit codes in summaries: inspect for those. */
kj_docker_req_t *kj_docker_container_list(struct kj_docker *d,
                                          const struct kj_docker_list_opts *opts,
                                          kj_docker_list_cb cb, void *data, kj_error_t *err);

/* POST /containers/{id}/wait?condition=C (C NULL = "not-running"). A stream:
 * outside the short-request bound and without timeout. `exit_code` is the
 * engine's StatusCode. Register before start ("next-exit") not to miss a fast
 * exit. Optional: events + inspect are the primary exit path. */
typedef void (*kj_docker_wait_cb)(kj_error_t err, int exit_code, void *data);
kj_docker_req_t *kj_docker_container_wait(struct kj_docker *d, const char *id,
                                          const char *condition, kj_docker_wait_cb cb,
                                          void *data, kj_error_t *err);

/* ---- logs ----------------------------------------------------------------- */

enum kj_docker_stream { KJ_DOCKER_STDIN = 0, KJ_DOCKER_STDOUT = 1, KJ_DOCKER_STDERR = 2 };

struct kj_docker_logs_opts {
    bool follow;      /* stream until the container stops (stream budget, no timeout) */
    bool want_stdout; /* if neither is set both are requested */
    bool want_stderr;
    bool timestamps;  /* each line prefixed "2026-...Z " by the engine */
    int64_t since;    /* Unix seconds, 0 = from the start */
    int tail;         /* last N lines, < 0 = all (0 = none) */
    bool tty;         /* container has Config.Tty: body is raw, not framed.
                       * 1.42+ engines say so in Content-Type, which wins. */
};
/* One demultiplexed chunk: a whole frame's payload (frames over 64 KiB come
 * in several pieces), or for raw (tty) bodies a chunk as received (stream =
 * KJ_DOCKER_STDOUT). Not NUL-terminated. */
typedef void (*kj_docker_log_cb)(enum kj_docker_stream stream, const char *buf, size_t len,
                                 void *data);

/* GET /containers/{id}/logs. frame_cb runs for each chunk, then end_cb once
 * (err NULL when the body ended normally; with follow, when the container
 * stopped). `opts` NULL = both streams, all lines, no follow. */
kj_docker_req_t *kj_docker_container_logs(struct kj_docker *d, const char *id,
                                          const struct kj_docker_logs_opts *opts,
                                          kj_docker_log_cb frame_cb, kj_docker_done_cb end_cb,
                                          void *data, kj_error_t *err);

/* ---- events --------------------------------------------------------------- */

struct kj_docker_event {
    const char *type;   /* "container", "network", "image", ... */
    const char *action; /* "create", "start", "die", "oom", "destroy", "health_status: healthy" */
    const char *id;     /* Actor.ID ("" if absent) */
    const cJSON *attributes; /* Actor.Attributes: name, image, all labels, exitCode... */
    bool has_exit_code;      /* on "die": attribute exitCode */
    int exit_code;
    const char *scope;       /* "local" or "" */
    int64_t time;            /* Unix seconds */
    int64_t time_nano;       /* Unix nanoseconds (time * 1e9 if the engine gave none) */
};

struct kj_docker_events_opts {
    const char *const *types;   /* NULL-terminated filter values, e.g. {"container", NULL} */
    const char *const *labels;  /* "key" or "key=value", ANDed */
    const char *const *actions; /* "start", "die", ... */
    int64_t since_ns;           /* first connection replays from here; 0 = now */
};

struct kj_docker_events_cbs {
    /* After every successful (re)connection, once the engine answered 200.
     * `reconnect` is false the first time. The engine only replays its last
     * 256 events and loses them on restart, so treat this as "rebuild your
     * view now" (list + inspect); events may repeat around a reconnect. */
    void (*resync_cb)(bool reconnect, void *data);
    void (*event_cb)(const struct kj_docker_event *ev, void *data);
    /* The stream broke (engine restarted, socket closed, HTTP error). The
     * client retries by itself after `retry_in_ms` (100 ms doubling to 5 s,
     * reset after a good connection), resuming with since = last event seen.
     * Optional (NULL = just retry). */
    void (*disconnect_cb)(kj_error_t err, int retry_in_ms, void *data);
};

/* GET /events, forever: reconnects until cancelled or the client is freed.
 * `cbs` is copied. Malformed lines are logged and skipped. */
kj_docker_req_t *kj_docker_events(struct kj_docker *d, const struct kj_docker_events_opts *opts,
                                  const struct kj_docker_events_cbs *cbs, void *data,
                                  kj_error_t *err);

/* ---- images --------------------------------------------------------------- */

/* GET /images/{name}/json. 404 = not present locally. */
kj_docker_req_t *kj_docker_image_inspect(struct kj_docker *d, const char *name,
                                         kj_docker_json_cb cb, void *data, kj_error_t *err);

/* One progress object of a pull ({"status","id","progressDetail",...}). */
typedef void (*kj_docker_progress_cb)(const cJSON *progress, void *data);

/* POST /images/create?fromImage=...&tag=... `image` is a reference; without a
 * tag or digest ":latest" is used (never "all tags"). `registry_auth` is the
 * X-Registry-Auth value (base64url JSON) or NULL. A 200 stream that carries an
 * error line ends with that error (status 500 in err); success means the whole
 * body was read without one. progress_cb may be NULL. */
kj_docker_req_t *kj_docker_image_pull(struct kj_docker *d, const char *image,
                                      const char *registry_auth, kj_docker_progress_cb progress_cb,
                                      kj_docker_done_cb done_cb, void *data, kj_error_t *err);

/* ---- networks -------------------------------------------------------------- */

struct kj_network_spec {
    const char *name;   /* required */
    const char *driver; /* NULL = "bridge" */
    bool internal;      /* no outside access */
    bool attachable;
    const struct kj_docker_kv *labels;
    size_t n_labels;
};

/* DELETE /volumes/{name}. 404 = gone, 409 = still in use. */
kj_docker_req_t *kj_docker_volume_remove(struct kj_docker *d, const char *name, kj_docker_done_cb cb,
                                         void *data, kj_error_t *err);

/* POST /networks/create. `str` = network id. 409 = name exists. */
kj_docker_req_t *kj_docker_network_create(struct kj_docker *d, const struct kj_network_spec *spec,
                                          kj_docker_str_cb cb, void *data, kj_error_t *err);
/* GET /networks/{id-or-name}. 404 = no such network. */
kj_docker_req_t *kj_docker_network_inspect(struct kj_docker *d, const char *network,
                                           kj_docker_json_cb cb, void *data, kj_error_t *err);
/* DELETE /networks/{id-or-name}. */
kj_docker_req_t *kj_docker_network_remove(struct kj_docker *d, const char *network,
                                          kj_docker_done_cb cb, void *data, kj_error_t *err);
/* POST /networks/{net}/connect with EndpointConfig.Aliases (NULL-terminated,
 * may be NULL). The engine does not validate much here (see docker-api.md A.5). */
kj_docker_req_t *kj_docker_network_connect(struct kj_docker *d, const char *network,
                                           const char *container, const char *const *aliases,
                                           kj_docker_done_cb cb, void *data, kj_error_t *err);
/* POST /networks/{net}/disconnect. */
kj_docker_req_t *kj_docker_network_disconnect(struct kj_docker *d, const char *network,
                                              const char *container, bool force,
                                              kj_docker_done_cb cb, void *data, kj_error_t *err);

#endif
