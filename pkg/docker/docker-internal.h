/* Private to pkg/docker (and its unit tests): the request object shared by
 * the transport (docker.c) and the endpoint files, plus the pure decoders
 * that are tested without an engine.
 *
 * Life of a request: an endpoint function builds it with kj_docker_req_new(),
 * fills method/path/body and its ops, and calls kj_docker_req_submit(). The
 * transport queues it (FIFO, bounded for short requests), negotiates the API
 * version if needed, runs it on the CURLM, feeds body bytes to ops->data
 * (streams) or buffers them, and finally calls ops->done() from the event loop.
 * No user callback ever runs inside a libcurl call that could recurse:
 * submissions and cancellations only mark state and wake a deferred "kick".
 */
#ifndef KJ_DOCKER_DOCKER_INTERNAL_H
#define KJ_DOCKER_DOCKER_INTERNAL_H

#include <stdbool.h>   /* bool */
#include <stddef.h>    /* size_t */
#include <stdint.h>    /* uint8_t, uint32_t */
#include <sys/queue.h> /* TAILQ_* */

#include <curl/curl.h> /* CURL, curl_slist, CURL_ERROR_SIZE */

#include "docker/docker.h"

/* ---- endpoint: DOCKER_HOST and TLS settings (endpoint.c, pure) ---------- */

struct kj_docker_endpoint {
    char *host;      /* owned: normalised host URL, for messages */
    char *base_url;  /* owned: "http://localhost", "http://h:2375", "https://h:2376" */
    char *unix_path; /* owned: socket path for unix://, else NULL */
    bool tls;
    bool tls_verify;
    char *ca_file, *cert_file, *key_file; /* owned, NULL without TLS */
};

/* The environment the endpoint is derived from; any field may be NULL. */
struct kj_docker_env {
    const char *docker_host;       /* $DOCKER_HOST */
    const char *docker_tls_verify; /* $DOCKER_TLS_VERIFY */
    const char *docker_tls;        /* $DOCKER_TLS */
    const char *docker_cert_path;  /* $DOCKER_CERT_PATH */
    const char *home;              /* $HOME */
};

/* Fill `env` from getenv(). */
void kj_docker_env_from_process(struct kj_docker_env *env);

/* Resolve host/TLS from opts (may be NULL) and env. On success fills *out
 * (caller clears it with kj_docker_endpoint_clear()); on failure returns < 0
 * with *err set and *out untouched. */
int kj_docker_endpoint_parse(const struct kj_docker_opts *opts, const struct kj_docker_env *env,
                             struct kj_docker_endpoint *out, kj_error_t *err);
void kj_docker_endpoint_clear(struct kj_docker_endpoint *ep);

/* ---- version negotiation (decode.c, pure) --------------------------------- */

/* Compare "1.41"-style versions: <0, 0, >0. Unparseable sorts lowest. */
int kj_docker_version_cmp(const char *a, const char *b);

/* Choose the version to speak given the server's Api-Version header:
 * min(server_max, KJ_DOCKER_API_MAX); fails when below KJ_DOCKER_API_MIN or
 * malformed. Writes into out (NUL-terminated). */
int kj_docker_version_pick(const char *server_max, char *out, size_t out_size, kj_error_t *err);

/* ---- the bounded FIFO of short requests (queue.c, pure) ------------------ */

struct kj_docker_qnode {
    TAILQ_ENTRY(kj_docker_qnode) link;
    bool queued;
};
TAILQ_HEAD(kj_docker_qlist, kj_docker_qnode);

struct kj_docker_queue {
    struct kj_docker_qlist pending;
    size_t n_pending;
    size_t active; /* admitted and not yet released */
    size_t max;
};

void kj_docker_queue_init(struct kj_docker_queue *q, size_t max);
void kj_docker_queue_push(struct kj_docker_queue *q, struct kj_docker_qnode *n);
/* Admit the oldest pending node if fewer than `max` are active; NULL otherwise. */
struct kj_docker_qnode *kj_docker_queue_admit(struct kj_docker_queue *q);
/* An admitted node finished. */
void kj_docker_queue_release(struct kj_docker_queue *q);
/* Drop a node that is still pending (cancelled before admission). */
void kj_docker_queue_remove(struct kj_docker_queue *q, struct kj_docker_qnode *n);

/* ---- log frame demultiplexer (frames.c, pure) ----------------------------- */

/* Payload is handed out per frame; a frame larger than this arrives in
 * pieces so a hostile size field cannot make us allocate 4 GiB. */
#define KJ_DOCKER_FRAME_CHUNK_MAX (64 * 1024)

struct kj_docker_frames {
    uint8_t hdr[8];
    size_t hdr_len;     /* header bytes collected so far */
    uint32_t remaining; /* payload bytes still to come in this frame */
    int stream;
    char *buf; /* owned: pending payload of the current frame */
    size_t len;
};

/* Return 0 to go on, non-zero to stop feeding (e.g. the request was cancelled). */
typedef int (*kj_docker_frame_sink)(int stream, const char *buf, size_t len, void *data);

void kj_docker_frames_init(struct kj_docker_frames *f);
void kj_docker_frames_clear(struct kj_docker_frames *f);
/* Consume n bytes in any split. Returns 0, 1 if the sink asked to stop, or
 * < 0 with *err for a malformed header (stream byte > 2 or non-zero padding). */
int kj_docker_frames_feed(struct kj_docker_frames *f, const char *p, size_t n,
                          kj_docker_frame_sink sink, void *data, kj_error_t *err);
/* End of body: < 0 with *err if it stopped inside a frame. */
int kj_docker_frames_finish(const struct kj_docker_frames *f, kj_error_t *err);

/* ---- newline-delimited JSON splitter (ndjson.c, pure) --------------------- */

#define KJ_DOCKER_NDJSON_LINE_MAX (4 * 1024 * 1024)

struct kj_docker_ndjson {
    char *buf; /* owned: the incomplete tail */
    size_t len, cap;
};

/* `line` is NUL-terminated, without the newline or a trailing '\r'; blank
 * lines are skipped. Return 0 to go on, non-zero to stop. */
typedef int (*kj_docker_line_sink)(const char *line, size_t len, void *data);

void kj_docker_ndjson_init(struct kj_docker_ndjson *nd);
void kj_docker_ndjson_clear(struct kj_docker_ndjson *nd);
/* Returns 0, 1 if the sink stopped, or < 0 with *err (line over the limit, OOM). */
int kj_docker_ndjson_feed(struct kj_docker_ndjson *nd, const char *p, size_t n,
                          kj_docker_line_sink sink, void *data, kj_error_t *err);
/* End of body: emits a last unterminated line. Same returns as feed. */
int kj_docker_ndjson_finish(struct kj_docker_ndjson *nd, kj_docker_line_sink sink, void *data,
                            kj_error_t *err);

/* ---- JSON decoders (decode.c, pure) --------------------------------------- */

/* Turn an engine error response into *err (always returns < 0): the message
 * from {"message":...}, or the trimmed plain-text body, or "http <status>". */
int kj_docker_error_decode(long http_status, const char *body, size_t len, kj_error_t *err);

/* An event object → *ev, pointers borrowed from `j`. < 0 if not an object or
 * without Type/Action. */
int kj_docker_event_decode(const cJSON *j, struct kj_docker_event *ev, kj_error_t *err);

/* An inspect document → *st, pointers borrowed from `j`; *nets (owned by the
 * caller, free()) holds st->networks. */
int kj_docker_state_decode(const cJSON *j, struct kj_container_state *st,
                           struct kj_container_net **nets, kj_error_t *err);

/* A /containers/json array → *items (owned by the caller, free()). */
int kj_docker_summaries_decode(const cJSON *j, struct kj_container_summary **items, size_t *n,
                               kj_error_t *err);

/* A pull progress line: < 0 with *err (HTTP 500) when it carries error/errorDetail. */
int kj_docker_pull_line_check(const cJSON *line, kj_error_t *err);

/* RFC 3339 with optional fraction, "Z" or ±hh:mm → Unix ns; 0 for years < 1970
 * (the engine's zero time); -1 when malformed. */
int64_t kj_docker_time_parse(const char *s);

/* ---- requests (docker.c) -------------------------------------------------- */

struct kj_docker_req;

/* Any user callback, stored untyped and cast back by its op. */
typedef void (*kj_docker_fn)(void);

struct kj_docker_req_ops {
    /* Headers of a final response arrived (status in r->status). Optional. */
    void (*headers)(struct kj_docker_req *r);
    /* 2xx body bytes of a stream. NULL = buffer into r->resp. Return 0, or
     * < 0 with *err to abort the transfer with that error, or 1 to stop quietly
     * (cancelled from inside a user callback). */
    int (*data)(struct kj_docker_req *r, const char *p, size_t n, kj_error_t *err);
    /* The transfer ended; err NULL on 2xx/304 (body in r->resp unless data
     * was set). Runs the user callback. Return true to keep the request alive
     * (events stream retrying later with kj_docker_req_resubmit()). */
    bool (*done)(struct kj_docker_req *r, kj_error_t err);
    /* Free op state in r->op. Called exactly once, also on cancel. Optional. */
    void (*free)(struct kj_docker_req *r);
};

enum kj_docker_req_state {
    KJ_REQ_IDLE,    /* built, or waiting for an events retry */
    KJ_REQ_PENDING, /* queued for negotiation / a slot */
    KJ_REQ_ACTIVE,  /* on the CURLM */
    KJ_REQ_DONE,    /* in ops->done() */
};

struct kj_docker_req {
    struct kj_docker *d;
    const struct kj_docker_req_ops *ops;
    void *op;        /* op-specific state; freed by ops->free */
    kj_docker_fn cb; /* the user's completion callback (cast back by the op) */
    void *user_data;

    TAILQ_ENTRY(kj_docker_req) all_link;  /* d->all: every live request */
    TAILQ_ENTRY(kj_docker_req) link;      /* d->streams_pending or d->active */
    struct kj_docker_qnode qnode;         /* d->queue for short requests */
    enum kj_docker_req_state state;
    uint64_t seq;    /* enqueue order, for failing only what was waiting */
    bool stream;     /* outside the short-request bound; no overall timeout */
    bool versioned;  /* prefix the path with /v<version> */
    bool cancelled;
    bool negotiation; /* the internal /_ping */

    char *what;         /* owned: context for error messages, "inspect container `x`" */
    const char *method; /* static string: "GET", "POST", "DELETE" */
    char *path;         /* owned: "/containers/json?all=1" */
    char *body;         /* owned JSON, or NULL */
    long timeout_ms;    /* extra on top of the client's request timeout (stop t=) */
    struct curl_slist *headers; /* owned: extra request headers */

    CURL *easy; /* owned while active */
    char errbuf[CURL_ERROR_SIZE];
    long status;          /* HTTP status once headers arrived */
    bool headers_done;
    char *api_version;    /* owned: Api-Version response header */
    char *content_type;   /* owned: Content-Type response header */
    char *resp;           /* owned: buffered body (NUL-terminated) */
    size_t resp_len, resp_cap;
    kj_error_t data_err;  /* owned: error raised by ops->data */
};

/* New request for `d` with method (static string) and an owned path built
 * from fmt. NULL with *err on OOM. */
struct kj_docker_req *kj_docker_req_new(struct kj_docker *d, const struct kj_docker_req_ops *ops,
                                        const char *method, kj_error_t *err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Free a request that was never submitted. */
void kj_docker_req_discard(struct kj_docker_req *r);
/* Hand the request to the transport; it runs from the loop later. */
void kj_docker_req_submit(struct kj_docker_req *r);
/* Put a kept (ops->done returned true) request back in the queue. */
void kj_docker_req_resubmit(struct kj_docker_req *r);
/* Set a JSON body (takes ownership of `json_text`) and its Content-Type. */
int kj_docker_req_set_json(struct kj_docker_req *r, char *json_text, kj_error_t *err);
/* Add a request header "Name: value". */
int kj_docker_req_add_header(struct kj_docker_req *r, const char *header, kj_error_t *err);

/* Set r->what from fmt (errors reach callbacks as "what: message"). */
void kj_docker_req_what(struct kj_docker_req *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Generic ops for buffered requests (ops.c): user callback in r->cb. */
extern const struct kj_docker_req_ops kj_docker_done_ops; /* kj_docker_done_cb */
extern const struct kj_docker_req_ops kj_docker_json_ops; /* kj_docker_json_cb */
extern const struct kj_docker_req_ops kj_docker_id_ops;   /* kj_docker_str_cb with "Id" */

/* Build, describe and submit a buffered request in one go. `body` is an
 * owned JSON text or NULL (freed on failure too). NULL with *err on failure. */
struct kj_docker_req *kj_docker_req_simple(struct kj_docker *d,
                                           const struct kj_docker_req_ops *ops,
                                           const char *method, char *body, kj_docker_fn cb, void *data,
                                           const char *what, kj_error_t *err, const char *fmt,
                                           ...) __attribute__((format(printf, 9, 10)));

/* Drop the easy handle and everything received; keep what the op built. */
void kj_docker_req_reset_transfer(struct kj_docker_req *r);

/* libcurl CURLOPT_WRITEFUNCTION / CURLOPT_HEADERFUNCTION for a request
 * (userdata = the request). They only call the request's ops. */
size_t kj_docker_write_cb(char *p, size_t size, size_t nmemb, void *userp);
size_t kj_docker_header_cb(char *p, size_t size, size_t nmemb, void *userp);

/* URL-escape `s` into a new string (caller frees); NULL on OOM. */
char *kj_docker_escape(const char *s);

/* Build the `filters` query value: {"label":[...],"type":[...],...} from
 * NULL-terminated arrays keyed by name; pairs end with a NULL key. Returns an
 * escaped string (caller frees), "" when no filter is given, NULL on OOM. */
char *kj_docker_filters_escaped(const char *key1, const char *const *vals1, ...);

/* Client accessors for the ops files. */
struct event_base *kj_docker_base(const struct kj_docker *d);

#endif
