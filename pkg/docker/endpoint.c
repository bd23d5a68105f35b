/* DOCKER_HOST / TLS settings → where and how libcurl connects. Pure apart
 * from checking that certificate files exist, so a bad setting fails at
 * kj_docker_new() rather than on the first request. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h> /* sockaddr_un: sun_path limit */
#include <unistd.h> /* access */

#include "docker/docker-internal.h"
#include "util/cleanup.h"

void kj_docker_env_from_process(struct kj_docker_env *env)
{
    env->docker_host = getenv("DOCKER_HOST");
    env->docker_tls_verify = getenv("DOCKER_TLS_VERIFY");
    env->docker_tls = getenv("DOCKER_TLS");
    env->docker_cert_path = getenv("DOCKER_CERT_PATH");
    env->home = getenv("HOME");
}

void kj_docker_endpoint_clear(struct kj_docker_endpoint *ep)
{
    free(ep->host);
    free(ep->base_url);
    free(ep->unix_path);
    free(ep->ca_file);
    free(ep->cert_file);
    free(ep->key_file);
    memset(ep, 0, sizeof(*ep));
}

static bool nonempty(const char *s)
{
    return s != NULL && *s != '\0';
}

static int parse_unix(const char *host, const char *path, struct kj_docker_endpoint *ep,
                      kj_error_t *err)
{
    struct sockaddr_un sa;
    if (path[0] != '/')
        return kj_make_error(err, EINVAL, "docker host `%s`: socket path must be absolute", host);
    if (strlen(path) >= sizeof(sa.sun_path))
        return kj_make_error(err, ENAMETOOLONG, "docker host `%s`: socket path too long", host);
    ep->unix_path = strdup(path);
    ep->base_url = strdup("http://localhost");
    if (asprintf(&ep->host, "unix://%s", path) < 0)
        ep->host = NULL;
    if (ep->unix_path == NULL || ep->base_url == NULL || ep->host == NULL)
        return kj_make_error(err, ENOMEM, "docker host `%s`", host);
    return 0;
}

/* tcp://host[:port][/] with IPv6 literals in brackets. */
static int parse_tcp(const char *host, const char *rest, bool tls, struct kj_docker_endpoint *ep,
                     kj_error_t *err)
{
    const char *end = rest + strcspn(rest, "/?#");
    if (*end != '\0' && strcmp(end, "/") != 0)
        return kj_make_error(err, EINVAL, "docker host `%s`: unexpected path `%s`", host, end);
    const char *h = rest, *h_end, *port = NULL;
    if (*rest == '[') {
        h_end = memchr(rest, ']', (size_t)(end - rest));
        if (h_end == NULL)
            return kj_make_error(err, EINVAL, "docker host `%s`: unterminated `[`", host);
        h_end++;
        if (h_end < end && *h_end != ':')
            return kj_make_error(err, EINVAL, "docker host `%s`: junk after address", host);
        if (h_end < end)
            port = h_end + 1;
    } else {
        const char *colon = memchr(rest, ':', (size_t)(end - rest));
        h_end = colon != NULL ? colon : end;
        if (colon != NULL)
            port = colon + 1;
    }
    if (h_end == h || (*h == '[' && h_end - h <= 2))
        return kj_make_error(err, EINVAL, "docker host `%s`: missing host name", host);
    long portnum = tls ? 2376 : 2375;
    if (port != NULL) {
        if (port == end)
            return kj_make_error(err, EINVAL, "docker host `%s`: empty port", host);
        portnum = 0;
        for (const char *c = port; c < end; c++) {
            if (*c < '0' || *c > '9' || portnum > 65535)
                return kj_make_error(err, EINVAL, "docker host `%s`: bad port", host);
            portnum = portnum * 10 + (*c - '0');
        }
        if (portnum < 1 || portnum > 65535)
            return kj_make_error(err, EINVAL, "docker host `%s`: bad port", host);
    }
    int hl = (int)(h_end - h);
    if (asprintf(&ep->base_url, "%s://%.*s:%ld", tls ? "https" : "http", hl, h, portnum) < 0)
        ep->base_url = NULL;
    if (asprintf(&ep->host, "tcp://%.*s:%ld", hl, h, portnum) < 0)
        ep->host = NULL;
    if (ep->base_url == NULL || ep->host == NULL)
        return kj_make_error(err, ENOMEM, "docker host `%s`", host);
    return 0;
}

static char *file_in(const char *dir, const char *name)
{
    char *p = NULL;
    if (asprintf(&p, "%s/%s", dir, name) < 0)
        return NULL;
    return p;
}

/* The CLI's rules: DOCKER_TLS_VERIFY non-empty = TLS + verify; DOCKER_TLS or
 * DOCKER_CERT_PATH alone = TLS without verification. */
static enum kj_docker_tls_mode tls_mode(const struct kj_docker_opts *opts,
                                        const struct kj_docker_env *env)
{
    if (opts != NULL && opts->tls != KJ_DOCKER_TLS_FROM_ENV)
        return opts->tls;
    if (nonempty(env->docker_tls_verify))
        return KJ_DOCKER_TLS_VERIFY;
    if (nonempty(env->docker_tls) || nonempty(env->docker_cert_path))
        return KJ_DOCKER_TLS_NO_VERIFY;
    return KJ_DOCKER_TLS_OFF;
}

static int setup_tls(const struct kj_docker_opts *opts, const struct kj_docker_env *env,
                     bool verify, struct kj_docker_endpoint *ep, kj_error_t *err)
{
    cleanup_free char *home_dir = NULL;
    const char *dir = opts != NULL ? opts->cert_path : NULL;
    if (!nonempty(dir))
        dir = env->docker_cert_path;
    if (!nonempty(dir)) {
        if (!nonempty(env->home))
            return kj_make_error(err, EINVAL, "docker tls: no certificate directory "
                                              "(set `DOCKER_CERT_PATH`)");
        home_dir = file_in(env->home, ".docker");
        if (home_dir == NULL)
            return kj_make_error(err, ENOMEM, "docker tls");
        dir = home_dir;
    }
    ep->tls = true;
    ep->tls_verify = verify;
    cleanup_free char *ca = file_in(dir, "ca.pem");
    cleanup_free char *cert = file_in(dir, "cert.pem");
    cleanup_free char *key = file_in(dir, "key.pem");
    if (ca == NULL || cert == NULL || key == NULL)
        return kj_make_error(err, ENOMEM, "docker tls");
    if (verify) {
        if (access(ca, R_OK) < 0)
            return kj_make_error(err, errno, "docker tls: read `%s`", ca);
        ep->ca_file = steal_pointer(&ca);
    }
    bool have_cert = access(cert, R_OK) == 0, have_key = access(key, R_OK) == 0;
    if (have_cert != have_key)
        return kj_make_error(err, ENOENT, "docker tls: `%s` needs both cert.pem and key.pem",
                             dir);
    if (have_cert) {
        ep->cert_file = steal_pointer(&cert);
        ep->key_file = steal_pointer(&key);
    }
    return 0;
}

int kj_docker_endpoint_parse(const struct kj_docker_opts *opts, const struct kj_docker_env *env,
                             struct kj_docker_endpoint *out, kj_error_t *err)
{
    const char *host = opts != NULL ? opts->host : NULL;
    if (!nonempty(host))
        host = nonempty(env->docker_host) ? env->docker_host : KJ_DOCKER_DEFAULT_HOST;

    struct kj_docker_endpoint ep = {0};
    int ret;
    enum kj_docker_tls_mode mode = tls_mode(opts, env);
    if (strncmp(host, "unix://", 7) == 0) {
        ret = parse_unix(host, host + 7, &ep, err);
    } else if (strncmp(host, "tcp://", 6) == 0) {
        bool tls = mode == KJ_DOCKER_TLS_VERIFY || mode == KJ_DOCKER_TLS_NO_VERIFY;
        ret = parse_tcp(host, host + 6, tls, &ep, err);
        if (ret == 0 && tls)
            ret = setup_tls(opts, env, mode == KJ_DOCKER_TLS_VERIFY, &ep, err);
    } else {
        const char *sep = strstr(host, "://");
        if (sep != NULL)
            ret = kj_make_error(err, EINVAL,
                                "docker host `%s`: unsupported scheme `%.*s` "
                                "(use unix:// or tcp://)",
                                host, (int)(sep - host), host);
        else
            ret = kj_make_error(err, EINVAL,
                                "docker host `%s`: not a URL (use unix:///path or tcp://host:port)",
                                host);
    }
    if (ret < 0) {
        kj_docker_endpoint_clear(&ep);
        return ret;
    }
    *out = ep;
    return 0;
}

bool kj_docker_uses_tls(const struct kj_docker_opts *opts)
{
    struct kj_docker_env env;
    kj_docker_env_from_process(&env);
    struct kj_docker_endpoint ep = {0};
    kj_error_t err = NULL;
    /* A host that does not parse may be meant as TLS; kj_docker_new() reports it. */
    if (kj_docker_endpoint_parse(opts, &env, &ep, &err) < 0) {
        kj_error_release(&err);
        return true;
    }
    bool tls = ep.tls;
    kj_docker_endpoint_clear(&ep);
    return tls;
}
