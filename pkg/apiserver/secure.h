/* What the non-loopback listeners need: a TLS server context (OpenSSL, used
 * through libevent_openssl's bufferevent_openssl) and bearer tokens.
 * Internal to pkg/apiserver (server.c) and its tests.
 */
#ifndef KJ_APISERVER_SECURE_H
#define KJ_APISERVER_SECURE_H

#include <stdbool.h> /* bool */
#include <stddef.h>  /* size_t */

#include "util/error.h" /* kj_error_t */

typedef struct ssl_ctx_st SSL_CTX;

/* For a process that will do no TLS at all: libcurl initialises OpenSSL as its
 * backend anyway, which loads openssl.cnf, OpenSSL's error strings and the
 * legacy cipher and digest name tables (1.2 MiB resident). Called before
 * curl_global_init(), this makes that initialisation skip them: OpenSSL keeps
 * the first answer for the life of the process, so a later TLS error would
 * have no text. */
void kj_tls_init_unused(void);

/* A TLS 1.2+ server context from PEM files (certificate chain, private key).
 * Fails (NULL, *err with OpenSSL's reason) when a file cannot be read or the
 * key does not match the certificate. Free with SSL_CTX_free. */
SSL_CTX *kj_tls_server_ctx(const char *cert_file, const char *key_file, kj_error_t *err);

/* Accepted bearer tokens, read from a file: one per line, blank lines and
 * lines starting with '#' skipped, surrounding blanks trimmed. A file that
 * is group/world-readable is refused (it holds credentials), as is one with
 * no token. */
struct kj_tokens {
    char **items; /* owned */
    size_t n;
};

int kj_tokens_load(const char *path, struct kj_tokens *out, kj_error_t *err);
void kj_tokens_clear(struct kj_tokens *t);

/* True when `authorization` (an HTTP Authorization header value, may be
 * NULL) is "Bearer <t>" for one of the tokens; compared in constant time. */
bool kj_tokens_check(const struct kj_tokens *t, const char *authorization);

/* True for a host kjobd may serve plain HTTP on: 127.0.0.0/8, ::1 and
 * "localhost". Everything else (including "" and 0.0.0.0) is remote. */
bool kj_host_is_loopback(const char *host);

#endif
