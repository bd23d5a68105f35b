/* kjobd's configuration: flags, their `KJOBD_<NAME>` environment twins,
 * defaults and validation. Pure (no I/O besides the help text), so it is
 * unit-tested without a daemon.
 *
 * Precedence: built-in default < environment < command line. For the
 * repeatable `--listen`, any command-line occurrence replaces the environment
 * list (KJOBD_LISTEN may hold several addresses separated by commas).
 */
#ifndef KJ_DAEMON_CONFIG_H
#define KJ_DAEMON_CONFIG_H

#include <stdbool.h> /* bool */
#include <stddef.h>  /* size_t */
#include <stdint.h>  /* int64_t */
#include <stdio.h>   /* FILE */

#include "util/error.h" /* kj_error_t */
#include "util/log.h"   /* enum kj_log_level, enum kj_log_format */

#define KJ_DAEMON_DEFAULT_LISTEN "127.0.0.1:8001"
#define KJ_DAEMON_DEFAULT_NETWORK "kjob"
#define KJ_DAEMON_DEFAULT_INFRA_IMAGE "kjob/busybox:latest"

/* What to do when pulling an image fails although a local copy exists. */
enum kj_pull_fallback {
    KJ_PULL_FALLBACK_LOCAL = 0, /* use the local image, record a Warning event */
    KJ_PULL_FALLBACK_STRICT,    /* Kubernetes' behaviour: ErrImagePull */
};

/* One parsed `--listen` address. */
struct kj_listen_addr {
    bool is_unix;
    char *path; /* owned; unix socket path when is_unix */
    char *host; /* owned; numeric or name, brackets stripped from IPv6 */
    int port;
};

struct kj_daemon_config {
    struct kj_listen_addr *listen; /* owned array */
    int n_listen;
    char *state_dir;   /* owned */
    char *docker_host; /* owned; NULL = $DOCKER_HOST or the default socket */
    char *network;     /* owned */
    bool network_internal;
    bool offline;
    enum kj_pull_fallback pull_fallback;
    int64_t backoff_base_ms; /* 10 s like Kubernetes */
    int64_t backoff_max_ms;  /* 600 s like the current job controller */
    int64_t resync_period_ms;
    enum kj_log_level log_level;
    enum kj_log_format log_format;
    /* Non-loopback TCP listeners need TLS and bearer tokens unless
     * insecure_listen (containers, where the published port is the boundary). */
    char *tls_cert;   /* owned PEM path or NULL */
    char *tls_key;    /* owned PEM path or NULL */
    char *token_file; /* owned path or NULL */
    bool insecure_listen;
    /* hostPath volumes are refused at validation unless set (issue 8). */
    bool allow_host_path;
    /* Cap on open API client connections (issue 6; apiserver/conns.h). */
    size_t max_connections;
    /* Image of the infra container of multi-container pods (pod_group.h). */
    char *infra_image; /* owned */
};

/* Looks up an environment variable; tests pass a fake. Returns a borrowed
 * string or NULL. */
typedef const char *(*kj_getenv_fn)(const char *name);

enum kj_daemon_config_result {
    KJ_DAEMON_CONFIG_RUN = 0, /* cfg filled: start the daemon */
    KJ_DAEMON_CONFIG_EXIT = 1, /* --help / --version printed to `out`: exit 0 */
};

/* Fill *cfg from defaults, `getenv_fn` (NULL = getenv) and argv, then
 * validate. `out` receives --help/--version text (NULL = stdout). Returns a
 * kj_daemon_config_result, or -1 with *err set to a one-line message for a bad
 * flag or value (the caller prints it and exits 2); *cfg is then cleared.
 * `cfg` need not be initialised; release it with kj_daemon_config_clear().
 * Uses getopt_long, so it is not reentrant. */
int kj_daemon_config_parse(struct kj_daemon_config *cfg, int argc, char *const *argv,
                           kj_getenv_fn getenv_fn, FILE *out, kj_error_t *err);

/* Free everything cfg owns and zero it. Safe on a zeroed struct. */
void kj_daemon_config_clear(struct kj_daemon_config *cfg);

/* Parse a Go-style duration ("10s", "500ms", "1m30s", "2h", "1.5s"; units
 * ns us ms s m h) into milliseconds, rounded down. Negative values and a bare
 * number other than "0" are refused. Returns 0, or -1 with *err set. */
int kj_duration_parse_ms(const char *s, int64_t *out_ms, kj_error_t *err);

/* Parse one listen address: "unix:/path", "HOST:PORT", "[v6]:PORT", ":PORT"
 * (all interfaces). Returns 0, or -1 with *err set. `out` is filled with owned
 * strings on success only. */
int kj_listen_addr_parse(const char *s, struct kj_listen_addr *out, kj_error_t *err);

/* Free the strings of one address and zero it. */
void kj_listen_addr_clear(struct kj_listen_addr *a);

/* The default state directory for this user (owned by caller): /var/lib/kjob
 * for root, else $XDG_STATE_HOME/kjob or ~/.local/state/kjob. */
char *kj_daemon_default_state_dir(kj_getenv_fn getenv_fn);

/* kjobd's version string. */
#define KJ_VERSION "0.1.0"

#endif
