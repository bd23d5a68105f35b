/* kjobd: runs Kubernetes batch/v1 Jobs on a Docker engine. Thin: flags,
 * logging, then the daemon skeleton of pkg/daemon. */
#include <stdio.h>
#include <stdlib.h>

#include "daemon/config.h"
#include "daemon/daemon.h"
#include "util/error.h"
#include "util/log.h"

/* Debian's libcurl links libldap and librtmp, which link GnuTLS, whose
 * constructor initialises it at load (0.9 MiB resident) unless the program
 * defines this (gnutls.h's GNUTLS_SKIP_GLOBAL_INIT, spelled out so that the
 * build needs no GnuTLS headers). kjobd never speaks LDAP or RTMP, and libldap
 * calls gnutls_global_init() itself before any use. */
int _gnutls_global_init_skip(void);
int _gnutls_global_init_skip(void)
{
    return 1;
}

int main(int argc, char **argv)
{
    struct kj_daemon_config cfg;
    kj_error_t err = NULL;
    int rc = kj_daemon_config_parse(&cfg, argc, argv, NULL, stdout, &err);
    if (rc < 0) {
        fprintf(stderr, "kjobd: %s\n", err->msg);
        kj_error_release(&err);
        return 2;
    }
    if (rc == KJ_DAEMON_CONFIG_EXIT) {
        kj_daemon_config_clear(&cfg);
        return 0;
    }
    kj_log_setup(cfg.log_level, cfg.log_format, NULL);
    struct kjobd *k = kj_daemon_new(&cfg, &err);
    if (k == NULL) {
        kj_log(KJ_LOG_ERROR, "cannot start: %s", err->msg);
        fprintf(stderr, "kjobd: %s\n", err->msg);
        kj_error_release(&err);
        kj_daemon_config_clear(&cfg);
        return 1;
    }
    rc = kj_daemon_run(k, &err) < 0 ? 1 : 0;
    if (rc != 0) {
        fprintf(stderr, "kjobd: %s\n", err->msg);
        kj_error_release(&err);
    }
    kj_daemon_free(k);
    kj_daemon_config_clear(&cfg);
    return rc;
}
