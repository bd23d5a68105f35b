/* TLS context, bearer tokens and the loopback test; see secure.h. */
#include "apiserver/secure.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "util/cleanup.h"
#include "util/xalloc.h"

static int ssl_error(kj_error_t *err, const char *what, const char *file)
{
    char buf[256] = "unknown error";
    unsigned long e = ERR_get_error();
    if (e != 0)
        ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    return kj_make_error(err, 0, "%s `%s`: %s", what, file, buf);
}

void kj_tls_init_unused(void)
{
    OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_LOAD_SSL_STRINGS |
                         OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS | OPENSSL_INIT_NO_ADD_ALL_CIPHERS |
                         OPENSSL_INIT_NO_ADD_ALL_DIGESTS,
                     NULL);
}

SSL_CTX *kj_tls_server_ctx(const char *cert_file, const char *key_file, kj_error_t *err)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL) {
        kj_make_error(err, 0, "cannot create a TLS context");
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
        ssl_error(err, "read TLS certificate", cert_file);
        goto fail;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1) {
        ssl_error(err, "read TLS key", key_file);
        goto fail;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        ssl_error(err, "TLS key does not match the certificate", key_file);
        goto fail;
    }
    return ctx;
fail:
    SSL_CTX_free(ctx);
    return NULL;
}

void kj_tokens_clear(struct kj_tokens *t)
{
    for (size_t i = 0; i < t->n; i++) {
        OPENSSL_cleanse(t->items[i], strlen(t->items[i]));
        free(t->items[i]);
    }
    free(t->items);
    t->items = NULL;
    t->n = 0;
}

int kj_tokens_load(const char *path, struct kj_tokens *out, kj_error_t *err)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return kj_make_error(err, errno, "open token file `%s`", path);
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077) != 0) {
        fclose(f);
        return kj_make_error(err, 0, "token file `%s` is readable by group or others (chmod 600 it)", path);
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) >= 0) {
        char *s = line, *e = line + n;
        while (s < e && isspace((unsigned char)*s))
            s++;
        while (e > s && isspace((unsigned char)e[-1]))
            e--;
        if (s == e || *s == '#')
            continue;
        out->items = xrealloc(out->items, (out->n + 1) * sizeof *out->items);
        out->items[out->n++] = xstrndup(s, (size_t)(e - s));
    }
    if (line != NULL) {
        OPENSSL_cleanse(line, cap);
        free(line);
    }
    fclose(f);
    if (out->n == 0)
        return kj_make_error(err, 0, "token file `%s` holds no token", path);
    return 0;
}

bool kj_tokens_check(const struct kj_tokens *t, const char *authorization)
{
    if (authorization == NULL || strncasecmp(authorization, "Bearer ", 7) != 0)
        return false;
    const char *tok = authorization + 7;
    while (*tok == ' ')
        tok++;
    size_t len = strlen(tok);
    bool ok = false;
    for (size_t i = 0; i < t->n; i++) {
        size_t tl = strlen(t->items[i]);
        /* Length is not secret enough to hide; the bytes are. */
        if (tl == len && CRYPTO_memcmp(t->items[i], tok, len) == 0)
            ok = true;
    }
    return ok;
}

bool kj_host_is_loopback(const char *host)
{
    if (host == NULL)
        return false;
    if (strcmp(host, "localhost") == 0)
        return true;
    struct in_addr a4;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    struct in6_addr a6;
    if (inet_pton(AF_INET6, host, &a6) == 1)
        return memcmp(&a6, &in6addr_loopback, sizeof a6) == 0;
    return false;
}
