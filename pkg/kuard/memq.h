/* kuard's memq broker: named FIFO queues of messages with counters
 * (kuard.md §4), and the JSON shapes of its API.
 *
 * Pure: no I/O, no clock, no randomness inside the broker — callers pass
 * each new message's id and timestamp (kj_kuard_memq_new_id() and
 * clock_gettime() in the HTTP layer), so tests are deterministic. Not
 * thread-safe: the HTTP event loop is its only user.
 *
 * Errors carry HTTP status 400 and kuard's texts ("already exists",
 * "does not exist"); read them with kj_error_http_status().
 */
#ifndef KJ_KUARD_MEMQ_H
#define KJ_KUARD_MEMQ_H

#include <stddef.h> /* size_t */
#include <stdint.h> /* int64_t */
#include <time.h>   /* struct timespec */

#include "util/error.h" /* kj_error_t */

/* 32 lowercase hex chars + NUL. */
#define KJ_KUARD_MEMQ_ID_SIZE 33

struct kj_kuard_memq_message {
    char id[KJ_KUARD_MEMQ_ID_SIZE];
    char *body; /* owned; NUL-terminated, may hold NULs before body_len */
    size_t body_len;
    struct timespec created;
    struct kj_kuard_memq_message *next; /* queue link; NULL once handed out */
};

struct kj_kuard_memq_queue_stats {
    const char *name; /* borrowed from the broker */
    int64_t depth, enqueued, dequeued, drained;
};

struct kj_kuard_memq_broker;

/* A broker with no queues. Returns NULL on OOM. */
struct kj_kuard_memq_broker *kj_kuard_memq_broker_new(void);
/* Free the broker, its queues and their messages. NULL is fine. */
void kj_kuard_memq_broker_free(struct kj_kuard_memq_broker *b);

/* Create queue `name` with zeroed counters. 400 "already exists". */
int kj_kuard_memq_create(struct kj_kuard_memq_broker *b, const char *name, kj_error_t *err);
/* Delete the queue with its messages and counters. 400 "does not exist". */
int kj_kuard_memq_delete(struct kj_kuard_memq_broker *b, const char *name, kj_error_t *err);
/* Drop all messages: drained += depth, depth = 0. 400 "does not exist". */
int kj_kuard_memq_drain(struct kj_kuard_memq_broker *b, const char *name, kj_error_t *err);

/* Append a copy of body[0..len) with the given id (32 hex chars, copied) and
 * timestamp. On success *out (may be NULL) points at the stored message,
 * borrowed until the next call that changes this queue. 400 "does not
 * exist"; OOM gives an error with no HTTP status. */
int kj_kuard_memq_enqueue(struct kj_kuard_memq_broker *b, const char *name, const char *body,
                          size_t len, const char *id, struct timespec created,
                          const struct kj_kuard_memq_message **out, kj_error_t *err);

/* Take the oldest message. Returns 0 with *out owned by the caller (free with
 * kj_kuard_memq_message_free()), 1 when the queue is empty (*out = NULL), or
 * < 0 with 400 "does not exist". */
int kj_kuard_memq_dequeue(struct kj_kuard_memq_broker *b, const char *name,
                          struct kj_kuard_memq_message **out, kj_error_t *err);

void kj_kuard_memq_message_free(struct kj_kuard_memq_message *m);

/* Counters of one queue (NULL if none) and the number of queues. */
size_t kj_kuard_memq_queue_count(const struct kj_kuard_memq_broker *b);
int kj_kuard_memq_stats_get(const struct kj_kuard_memq_broker *b, const char *name,
                            struct kj_kuard_memq_queue_stats *out);

/* The Stats object, compact, no trailing newline:
 * {"kind":"stats","queues":[{"name":..,"depth":..,"enqueued":..,"dequeued":..,"drained":..}]}
 * in queue creation order. Owned string; NULL on OOM. */
char *kj_kuard_memq_stats_json(const struct kj_kuard_memq_broker *b);

/* The Message object as Go's encoding/json writes it (field order kind, id,
 * body, creationTimestamp; `<>&` as \u003c.., invalid UTF-8 as U+FFFD).
 * Owned string, no trailing newline; NULL on OOM. */
char *kj_kuard_memq_message_json(const struct kj_kuard_memq_message *m);

/* Write `s[0..len)` as a JSON string literal the way Go 1.12 encoding/json
 * does (HTML-safe escaping, U+2028/9 escaped, invalid UTF-8 → \ufffd).
 * Returns an owned NUL-terminated string; NULL on OOM. */
char *kj_kuard_go_json_string(const char *s, size_t len);

/* Go's time.RFC3339Nano in local time: fraction with trailing zeros removed
 * (none when zero), "Z" for UTC else "+hh:mm". buf needs >= 40 bytes. */
void kj_kuard_rfc3339nano(struct timespec ts, char *buf, size_t size);

/* A fresh message id: 16 bytes from RAND_bytes as 32 lowercase hex chars.
 * Returns 0, or < 0 with *err set when OpenSSL's RNG fails. */
int kj_kuard_memq_new_id(char out[KJ_KUARD_MEMQ_ID_SIZE], kj_error_t *err);

/* The decoded part of a dequeued message (what kuard's client reads). */
struct kj_kuard_memq_decoded {
    char *id;   /* owned, "" when absent */
    char *body; /* owned, "" when absent */
};

/* Decode a dequeue response body the way Go's json.Decoder does into a
 * Message: an empty body is "EOF", invalid JSON or a field of the wrong type
 * is an error. Returns 0 with *out filled (free with
 * kj_kuard_memq_decoded_free()), or < 0 with *err set. */
int kj_kuard_memq_message_decode(const char *body, size_t len, struct kj_kuard_memq_decoded *out,
                                 kj_error_t *err);
void kj_kuard_memq_decoded_free(struct kj_kuard_memq_decoded *d);

#endif
