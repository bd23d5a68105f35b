/* kjobd flags and environment; see config.h. */
#include "daemon/config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apiserver/conns.h"  /* KJ_APISERVER_DEFAULT_MAX_CONNECTIONS */
#include "apiserver/secure.h" /* kj_host_is_loopback */
#include "util/cleanup.h"
#include "util/xalloc.h"

enum opt_id {
    OPT_LISTEN = 1000,
    OPT_STATE_DIR,
    OPT_DOCKER_HOST,
    OPT_NETWORK,
    OPT_NETWORK_INTERNAL,
    OPT_OFFLINE,
    OPT_PULL_FALLBACK,
    OPT_BACKOFF_BASE,
    OPT_BACKOFF_MAX,
    OPT_RESYNC_PERIOD,
    OPT_LOG_LEVEL,
    OPT_LOG_FORMAT,
    OPT_TLS_CERT,
    OPT_TLS_KEY,
    OPT_TOKEN_FILE,
    OPT_INSECURE_LISTEN,
    OPT_ALLOW_HOST_PATH,
    OPT_INFRA_IMAGE,
    OPT_MAX_CONNECTIONS,
    OPT_HELP,
    OPT_VERSION,
};

struct flag_doc {
    int id;
    const char *name;
    int has_arg; /* getopt's no_argument / required_argument / optional_argument */
    const char *arg;
    const char *help;
};

/* One table drives getopt, the environment and --help, so they cannot drift. */
static const struct flag_doc flags[] = {
    {OPT_LISTEN, "listen", required_argument, "ADDR",
     "address to serve the API on: unix:/path or HOST:PORT; repeatable (default " KJ_DAEMON_DEFAULT_LISTEN ")"},
    {OPT_STATE_DIR, "state-dir", required_argument, "DIR",
     "where objects are kept (default /var/lib/kjob as root, else $XDG_STATE_HOME/kjob or ~/.local/state/kjob)"},
    {OPT_DOCKER_HOST, "docker-host", required_argument, "URL",
     "Docker engine (default $DOCKER_HOST, else unix:///var/run/docker.sock)"},
    {OPT_NETWORK, "network", required_argument, "NAME",
     "network the pods join, created if missing (default " KJ_DAEMON_DEFAULT_NETWORK ")"},
    {OPT_NETWORK_INTERNAL, "network-internal", optional_argument, NULL,
     "create the network with no outside access"},
    {OPT_OFFLINE, "offline", optional_argument, NULL,
     "never contact a registry; a missing image is an error on the pod"},
    {OPT_PULL_FALLBACK, "pull-fallback", required_argument, "local|strict",
     "when a pull fails but the image exists locally: use it (local, default) or fail (strict)"},
    {OPT_BACKOFF_BASE, "backoff-base", required_argument, "DURATION",
     "first delay before replacing a failed pod (default 10s)"},
    {OPT_BACKOFF_MAX, "backoff-max", required_argument, "DURATION",
     "cap of the doubling failure backoff (default 10m)"},
    {OPT_RESYNC_PERIOD, "resync-period", required_argument, "DURATION",
     "how often the engine's containers are listed again (default 10s)"},
    {OPT_LOG_LEVEL, "log-level", required_argument, "LEVEL", "debug, info, warn or error (default info)"},
    {OPT_LOG_FORMAT, "log-format", required_argument, "FORMAT", "text or json (default text)"},
    {OPT_TLS_CERT, "tls-cert", required_argument, "FILE",
     "PEM certificate (chain) for non-loopback listeners"},
    {OPT_TLS_KEY, "tls-key", required_argument, "FILE", "PEM private key of --tls-cert"},
    {OPT_TOKEN_FILE, "token-file", required_argument, "FILE",
     "bearer tokens (one per line, mode 0600) non-loopback clients must send"},
    {OPT_INSECURE_LISTEN, "insecure-listen", optional_argument, NULL,
     "allow non-loopback listeners without TLS/tokens (inside a container only)"},
    {OPT_ALLOW_HOST_PATH, "allow-host-path", optional_argument, NULL,
     "accept pods with hostPath volumes (bind mounts of this host's files)"},
    {OPT_INFRA_IMAGE, "infra-image", required_argument, "IMAGE",
     "image with `sleep` that holds the network of multi-container pods (default " KJ_DAEMON_DEFAULT_INFRA_IMAGE ")"},
    {OPT_MAX_CONNECTIONS, "max-connections", required_argument, "N",
     "API client connections served at once; a request on one more gets 429 (default 1024)"},
    {OPT_HELP, "help", no_argument, NULL, "print this help and exit"},
    {OPT_VERSION, "version", no_argument, NULL, "print the version and exit"},
};
#define N_FLAGS (sizeof flags / sizeof flags[0])

static const char *real_getenv(const char *name)
{
    return getenv(name);
}

void kj_listen_addr_clear(struct kj_listen_addr *a)
{
    free(a->path);
    free(a->host);
    memset(a, 0, sizeof *a);
}

void kj_daemon_config_clear(struct kj_daemon_config *cfg)
{
    for (int i = 0; i < cfg->n_listen; i++)
        kj_listen_addr_clear(&cfg->listen[i]);
    free(cfg->listen);
    free(cfg->state_dir);
    free(cfg->docker_host);
    free(cfg->network);
    free(cfg->infra_image);
    free(cfg->tls_cert);
    free(cfg->tls_key);
    free(cfg->token_file);
    memset(cfg, 0, sizeof *cfg);
}

char *kj_daemon_default_state_dir(kj_getenv_fn getenv_fn)
{
    if (getenv_fn == NULL)
        getenv_fn = real_getenv;
    if (geteuid() == 0)
        return xstrdup("/var/lib/kjob");
    const char *xdg = getenv_fn("XDG_STATE_HOME");
    if (xdg != NULL && xdg[0] == '/')
        return xasprintf("%s/kjob", xdg);
    const char *home = getenv_fn("HOME");
    if (home != NULL && home[0] != '\0')
        return xasprintf("%s/.local/state/kjob", home);
    return xstrdup("/tmp/kjob-state");
}

int kj_duration_parse_ms(const char *s, int64_t *out_ms, kj_error_t *err)
{
    static const struct {
        const char *unit;
        double ns;
    } units[] = {{"ns", 1}, {"us", 1e3}, {"µs", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
    const char *p = s;
    double total_ns = 0;
    if (s == NULL || *s == '\0')
        return kj_make_error(err, 0, "invalid duration `%s`", s ? s : "");
    if (strcmp(s, "0") == 0) {
        *out_ms = 0;
        return 0;
    }
    while (*p != '\0') {
        if (!isdigit((unsigned char)*p) && *p != '.')
            return kj_make_error(err, 0, "invalid duration `%s`", s);
        char *end = NULL;
        errno = 0;
        double v = strtod(p, &end);
        if (end == p || errno != 0)
            return kj_make_error(err, 0, "invalid duration `%s`", s);
        p = end;
        size_t best = 0, best_len = 0;
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
            size_t ul = strlen(units[i].unit);
            /* Longest match first so "ms" is not read as "m" + garbage. */
            if (strncmp(p, units[i].unit, ul) == 0 && ul > best_len) {
                best = i;
                best_len = ul;
            }
        }
        if (best_len == 0)
            return kj_make_error(err, 0, "missing unit in duration `%s`", s);
        p += best_len;
        total_ns += v * units[best].ns;
    }
    if (total_ns / 1e6 > (double)INT64_MAX / 2)
        return kj_make_error(err, 0, "duration `%s` is too large", s);
    *out_ms = (int64_t)(total_ns / 1e6);
    return 0;
}

int kj_listen_addr_parse(const char *s, struct kj_listen_addr *out, kj_error_t *err)
{
    memset(out, 0, sizeof *out);
    if (strncmp(s, "unix:", 5) == 0) {
        const char *path = s + 5;
        /* Accept unix:///path as docker does. */
        if (strncmp(path, "//", 2) == 0)
            path += 2;
        if (*path == '\0')
            return kj_make_error(err, 0, "invalid listen address `%s`: empty socket path", s);
        out->is_unix = true;
        out->path = xstrdup(path);
        return 0;
    }
    const char *colon = strrchr(s, ':');
    if (colon == NULL)
        return kj_make_error(err, 0, "invalid listen address `%s`: want HOST:PORT or unix:/path", s);
    char *end = NULL;
    errno = 0;
    long port = strtol(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end != '\0' || errno != 0 || port < 0 || port > 65535)
        return kj_make_error(err, 0, "invalid listen address `%s`: bad port", s);
    const char *h = s;
    size_t hl = (size_t)(colon - s);
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
        h++;
        hl -= 2;
    } else if (memchr(h, ':', hl) != NULL) {
        return kj_make_error(err, 0, "invalid listen address `%s`: put IPv6 hosts in brackets", s);
    }
    out->host = hl == 0 ? xstrdup("0.0.0.0") : xstrndup(h, hl);
    out->port = (int)port;
    return 0;
}

static int parse_bool(const char *name, const char *v, bool *out, kj_error_t *err)
{
    if (v == NULL || strcmp(v, "") == 0 || strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0 ||
        strcasecmp(v, "yes") == 0) {
        *out = true;
        return 0;
    }
    if (strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0 || strcasecmp(v, "no") == 0) {
        *out = false;
        return 0;
    }
    return kj_make_error(err, 0, "invalid value `%s` for `--%s`: want true or false", v, name);
}

static int add_listen(struct kj_daemon_config *cfg, const char *v, kj_error_t *err)
{
    struct kj_listen_addr a;
    if (kj_listen_addr_parse(v, &a, err) < 0)
        return -1;
    cfg->listen = xrealloc(cfg->listen, sizeof *cfg->listen * (size_t)(cfg->n_listen + 1));
    cfg->listen[cfg->n_listen++] = a;
    return 0;
}

static void reset_listen(struct kj_daemon_config *cfg)
{
    for (int i = 0; i < cfg->n_listen; i++)
        kj_listen_addr_clear(&cfg->listen[i]);
    cfg->n_listen = 0;
}

/* A count in [1, 1000000]: 0 would lock every client out, and evhttp could
 * not hold more sockets than a process has file descriptors anyway. */
static int set_count(const char *name, const char *v, size_t *out, kj_error_t *err)
{
    char *end = NULL;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || n < 1 || n > 1000000)
        return kj_make_error(err, 0, "invalid value `%s` for `--%s`: want a count from 1 to 1000000", v, name);
    *out = (size_t)n;
    return 0;
}

static int set_duration(const char *name, const char *v, int64_t *out, kj_error_t *err)
{
    if (kj_duration_parse_ms(v, out, err) < 0)
        return kj_error_wrap(err, "`--%s`", name);
    return 0;
}

/* Apply one value, from argv or the environment. `from_env` only changes how
 * the repeatable --listen combines. */
static int apply(struct kj_daemon_config *cfg, const struct flag_doc *f, const char *v,
                 bool from_env, kj_error_t *err)
{
    switch ((enum opt_id)f->id) {
    case OPT_LISTEN:
        if (from_env) {
            cleanup_free char *copy = xstrdup(v);
            char *save = NULL;
            for (char *tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save))
                if (add_listen(cfg, tok, err) < 0)
                    return -1;
            return 0;
        }
        return add_listen(cfg, v, err);
    case OPT_STATE_DIR:
        if (*v == '\0')
            return kj_make_error(err, 0, "`--state-dir` must not be empty");
        free(cfg->state_dir);
        cfg->state_dir = xstrdup(v);
        return 0;
    case OPT_DOCKER_HOST:
        free(cfg->docker_host);
        cfg->docker_host = *v ? xstrdup(v) : NULL;
        return 0;
    case OPT_NETWORK:
        if (*v == '\0')
            return kj_make_error(err, 0, "`--network` must not be empty");
        free(cfg->network);
        cfg->network = xstrdup(v);
        return 0;
    case OPT_NETWORK_INTERNAL:
        return parse_bool(f->name, v, &cfg->network_internal, err);
    case OPT_OFFLINE:
        return parse_bool(f->name, v, &cfg->offline, err);
    case OPT_PULL_FALLBACK:
        if (strcmp(v, "local") == 0)
            cfg->pull_fallback = KJ_PULL_FALLBACK_LOCAL;
        else if (strcmp(v, "strict") == 0)
            cfg->pull_fallback = KJ_PULL_FALLBACK_STRICT;
        else
            return kj_make_error(err, 0, "invalid value `%s` for `--pull-fallback`: want local or strict", v);
        return 0;
    case OPT_BACKOFF_BASE:
        return set_duration(f->name, v, &cfg->backoff_base_ms, err);
    case OPT_BACKOFF_MAX:
        return set_duration(f->name, v, &cfg->backoff_max_ms, err);
    case OPT_RESYNC_PERIOD:
        return set_duration(f->name, v, &cfg->resync_period_ms, err);
    case OPT_LOG_LEVEL:
        if (kj_log_level_parse(v, &cfg->log_level) < 0)
            return kj_make_error(err, 0, "invalid value `%s` for `--log-level`: want debug, info, warn or error", v);
        return 0;
    case OPT_LOG_FORMAT:
        if (kj_log_format_parse(v, &cfg->log_format) < 0)
            return kj_make_error(err, 0, "invalid value `%s` for `--log-format`: want text or json", v);
        return 0;
    case OPT_TLS_CERT:
        free(cfg->tls_cert);
        cfg->tls_cert = *v ? xstrdup(v) : NULL;
        return 0;
    case OPT_TLS_KEY:
        free(cfg->tls_key);
        cfg->tls_key = *v ? xstrdup(v) : NULL;
        return 0;
    case OPT_TOKEN_FILE:
        free(cfg->token_file);
        cfg->token_file = *v ? xstrdup(v) : NULL;
        return 0;
    case OPT_INSECURE_LISTEN:
        return parse_bool(f->name, v, &cfg->insecure_listen, err);
    case OPT_ALLOW_HOST_PATH:
        return parse_bool(f->name, v, &cfg->allow_host_path, err);
    case OPT_INFRA_IMAGE:
        if (*v == '\0')
            return kj_make_error(err, 0, "`--infra-image` must not be empty");
        free(cfg->infra_image);
        cfg->infra_image = xstrdup(v);
        return 0;
    case OPT_MAX_CONNECTIONS:
        return set_count(f->name, v, &cfg->max_connections, err);
    case OPT_HELP:
    case OPT_VERSION:
        return 0;
    default:
        break;
    }
    return kj_make_error(err, 0, "unknown flag");
}

static void print_help(FILE *out)
{
    fprintf(out, "usage: kjobd [flags]\n\n"
                 "Runs Kubernetes batch/v1 Jobs on a Docker engine and serves the Kubernetes API\n"
                 "for them (point kubectl at it with --server http://127.0.0.1:8001).\n\n"
                 "Flags (each also read from the environment as KJOBD_<NAME>, e.g. KJOBD_STATE_DIR):\n");
    for (size_t i = 0; i < N_FLAGS; i++) {
        char left[64];
        if (flags[i].arg != NULL)
            snprintf(left, sizeof left, "--%s %s", flags[i].name, flags[i].arg);
        else
            snprintf(left, sizeof left, "--%s", flags[i].name);
        fprintf(out, "  %-30s %s\n", left, flags[i].help);
    }
}

/* KJOBD_STATE_DIR for "state-dir". */
static void env_name(const char *flag, char *buf, size_t size)
{
    size_t n = (size_t)snprintf(buf, size, "KJOBD_%s", flag);
    for (size_t i = 6; i < n && i < size; i++)
        buf[i] = buf[i] == '-' ? '_' : (char)toupper((unsigned char)buf[i]);
}

static int validate(struct kj_daemon_config *cfg, kj_error_t *err)
{
    if (cfg->backoff_base_ms <= 0)
        return kj_make_error(err, 0, "`--backoff-base` must be positive");
    if (cfg->backoff_max_ms < cfg->backoff_base_ms)
        return kj_make_error(err, 0, "`--backoff-max` must not be below `--backoff-base`");
    if (cfg->resync_period_ms < 100)
        return kj_make_error(err, 0, "`--resync-period` must be at least 100ms");
    if ((cfg->tls_cert == NULL) != (cfg->tls_key == NULL))
        return kj_make_error(err, 0, "`--tls-cert` and `--tls-key` go together");
    for (int i = 0; i < cfg->n_listen && !cfg->insecure_listen; i++) {
        const struct kj_listen_addr *a = &cfg->listen[i];
        if (a->is_unix || kj_host_is_loopback(a->host))
            continue;
        if (cfg->tls_cert == NULL || cfg->token_file == NULL)
            return kj_make_error(err, 0,
                                 "refusing to serve on `%s:%d` without TLS and authentication: give `--tls-cert`, "
                                 "`--tls-key` and `--token-file` (or `--insecure-listen` inside a container)",
                                 a->host[0] ? a->host : "*", a->port);
    }
    return 0;
}

static int parse_all(struct kj_daemon_config *cfg, int argc, char *const *argv,
                     kj_getenv_fn getenv_fn, FILE *out, kj_error_t *err)
{
    struct option longopts[N_FLAGS + 1];
    memset(longopts, 0, sizeof longopts);
    for (size_t i = 0; i < N_FLAGS; i++) {
        longopts[i].name = flags[i].name;
        longopts[i].has_arg = flags[i].has_arg;
        longopts[i].val = flags[i].id;
    }

    cfg->state_dir = kj_daemon_default_state_dir(getenv_fn);
    cfg->network = xstrdup(KJ_DAEMON_DEFAULT_NETWORK);
    cfg->infra_image = xstrdup(KJ_DAEMON_DEFAULT_INFRA_IMAGE);
    cfg->backoff_base_ms = 10000;
    cfg->backoff_max_ms = 600000;
    cfg->resync_period_ms = 10000;
    cfg->max_connections = KJ_APISERVER_DEFAULT_MAX_CONNECTIONS;
    cfg->log_level = KJ_LOG_INFO;
    cfg->log_format = KJ_LOG_TEXT;

    for (size_t i = 0; i < N_FLAGS; i++) {
        char name[64];
        env_name(flags[i].name, name, sizeof name);
        const char *v = getenv_fn(name);
        if (v == NULL || flags[i].id == OPT_HELP || flags[i].id == OPT_VERSION)
            continue;
        if (apply(cfg, &flags[i], v, true, err) < 0)
            return kj_error_wrap(err, "environment `%s`", name);
    }

    bool listen_from_argv = false;
    /* GNU getopt: optind 0 re-initialises, so repeated calls (tests) work. */
    optind = 0;
    opterr = 0;
    for (;;) {
        int idx = -1;
        int c = getopt_long(argc, (char *const *)argv, "+", longopts, &idx);
        if (c == -1)
            break;
        if (c == '?' || c == ':') {
            const char *bad = (optind > 0 && optind <= argc) ? argv[optind - 1] : "?";
            if (optopt != 0 && c == ':')
                return kj_make_error(err, 0, "flag `%s` needs a value", bad);
            return kj_make_error(err, 0, "unknown flag `%s` (see --help)", bad);
        }
        const struct flag_doc *f = NULL;
        for (size_t i = 0; i < N_FLAGS; i++)
            if (flags[i].id == c)
                f = &flags[i];
        if (f == NULL)
            return kj_make_error(err, 0, "unknown flag (see --help)");
        if (f->id == OPT_HELP) {
            print_help(out);
            return KJ_DAEMON_CONFIG_EXIT;
        }
        if (f->id == OPT_VERSION) {
            fprintf(out, "kjobd %s\n", KJ_VERSION);
            return KJ_DAEMON_CONFIG_EXIT;
        }
        if (f->id == OPT_LISTEN && !listen_from_argv) {
            reset_listen(cfg);
            listen_from_argv = true;
        }
        if (apply(cfg, f, optarg, false, err) < 0)
            return -1;
    }
    if (optind < argc)
        return kj_make_error(err, 0, "unexpected argument `%s` (see --help)", argv[optind]);
    if (cfg->n_listen == 0 && add_listen(cfg, KJ_DAEMON_DEFAULT_LISTEN, err) < 0)
        return -1;
    if (validate(cfg, err) < 0)
        return -1;
    return KJ_DAEMON_CONFIG_RUN;
}

int kj_daemon_config_parse(struct kj_daemon_config *cfg, int argc, char *const *argv,
                           kj_getenv_fn getenv_fn, FILE *out, kj_error_t *err)
{
    memset(cfg, 0, sizeof *cfg);
    if (getenv_fn == NULL)
        getenv_fn = real_getenv;
    if (out == NULL)
        out = stdout;
    int rc = parse_all(cfg, argc, argv, getenv_fn, out, err);
    if (rc < 0)
        kj_daemon_config_clear(cfg);
    return rc;
}
