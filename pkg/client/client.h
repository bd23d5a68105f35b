/* A small blocking HTTP client for kjobd's Kubernetes-shaped API, used by
 * kjobctl (a CLI may block; kjobd itself never uses this). Server URLs are
 * `http://host:port`, `https://host:port` or `unix:/path/to/socket`.
 */
#ifndef KJ_CLIENT_CLIENT_H
#define KJ_CLIENT_CLIENT_H

#include <stddef.h> /* size_t */

#include "util/error.h"

struct kj_client;

/* server and token (may be NULL) are copied. */
struct kj_client *kj_client_new(const char *server, const char *token, kj_error_t *err);
void kj_client_free(struct kj_client *c);

/* Verify an https server against this PEM CA bundle instead of the system
 * trust store (kjobd's self-signed certificate). `path` is copied; NULL
 * restores the default. */
void kj_client_set_ca(struct kj_client *c, const char *path);

struct kj_response {
    long status;
    char *body; /* owned, NUL-terminated, may be empty */
    size_t len;
};

void kj_response_clear(struct kj_response *r);

/* One request. `path` includes the query. `body` may be NULL. Any HTTP status
 * is a success here (0); a transport failure is < 0 with err set. */
int kj_client_do(struct kj_client *c, const char *method, const char *path,
                 const char *content_type, const char *body, const char *accept,
                 struct kj_response *out, kj_error_t *err);

/* A streaming GET: `cb` gets each chunk as it arrives and returns 0 to go on.
 * *status receives the HTTP status; a non-2xx body is collected into
 * *error_body (owned by the caller) instead of being streamed. */
typedef int (*kj_client_chunk_cb)(const char *data, size_t len, void *userdata);
int kj_client_stream(struct kj_client *c, const char *path, kj_client_chunk_cb cb,
                     void *userdata, long *status, char **error_body, kj_error_t *err);

/* kubectl's rendering of a failed response (a Status object, or raw text):
 * `Error from server (NotFound): jobs.batch "x" not found`. Owned by caller. */
char *kj_client_error_text(long status, const char *body);

/* Percent-encode a query value. Owned by caller. */
char *kj_client_escape(const char *s);

#endif
