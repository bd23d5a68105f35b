/* kuard-compatible workload: flags, startup log, HTTP server, keygen
 * workload (kuard.md). All logic lives in pkg/kuard. */
#include <curl/curl.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "kuard/flags.h"
#include "kuard/golog.h"
#include "kuard/keygen.h"
#include "kuard/server.h"

#define KJ_KUARD_VERSION "v0.10.0-kjob"

static void log_banner(const struct kj_kuard_flags *f)
{
    static const char stars[] = "**********************************************************************";
    kj_kuard_log("Starting kuard version: %s", KJ_KUARD_VERSION);
    kj_kuard_log_str(stars);
    kj_kuard_log_str("* WARNING: This server may expose sensitive");
    kj_kuard_log_str("* and secret information. Be careful.");
    kj_kuard_log_str(stars);
    char *json = kj_kuard_flags_config_json(f);
    if (json != NULL)
        kj_kuard_log("Config: \n%s", json);
    free(json);
    /* TLS is not implemented: kuard logs this line whenever the cert files
     * are absent, which is the case in every Job example. */
    kj_kuard_log_str("Could not find certificates to serve TLS");
}

int main(int argc, char **argv)
{
    struct kj_kuard_flags f;
    kj_kuard_flags_init(&f);
    kj_error_t err = NULL;
    int rc = kj_kuard_flags_parse(&f, argc, argv, &err);
    if (rc != 0) {
        /* pflag's ExitOnError: the error, then the usage, then exit 2
         * (also for --help in the pflag version kuard pins). */
        if (rc < 0)
            fprintf(stderr, "%s\n", err->msg);
        kj_error_release(&err);
        char *usage = kj_kuard_flags_usage(argc > 0 ? argv[0] : "kuard");
        fputs(usage, stderr);
        free(usage);
        kj_kuard_flags_free(&f);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        kj_kuard_log_str("curl_global_init failed");
        return 1;
    }
    log_banner(&f);

    struct event_base *base = event_base_new();
    if (base == NULL) {
        kj_kuard_log_str("event_base_new failed");
        return 1;
    }
    struct kj_kuard_keygen *kg = kj_kuard_keygen_new();
    kj_kuard_keygen_load_config(kg, &f.keygen);
    kj_kuard_log("Serving on HTTP on %s", f.address);
    struct kj_kuard_server_opts opts = {
        .address = f.address,
        .liveness_fail_next = f.liveness_fail_next,
        .readiness_fail_next = f.readiness_fail_next,
        .argc = argc,
        .argv = argv,
        .kg = kg,
    };
    struct kj_kuard_server *srv = kj_kuard_server_new(base, &opts, &err);
    if (srv == NULL) {
        /* Go's log.Fatal: log and exit 1 without cleanup (the workload
         * thread may be mid-key). */
        kj_kuard_log("%s", err->msg);
        fflush(NULL);
        _Exit(1);
    }
    event_base_dispatch(base);
    kj_kuard_server_free(srv);
    kj_kuard_keygen_free(kg);
    event_base_free(base);
    kj_kuard_flags_free(&f);
    curl_global_cleanup();
    return 0;
}
