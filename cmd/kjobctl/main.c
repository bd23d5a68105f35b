/* kjobctl entry point: global flags, then one verb from the table. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

#include "kjobctl.h"
#include "util/cleanup.h"

static const struct {
    const char *name;
    int (*run)(struct kjobctl *, int, char **);
    const char *help;
} commands[] = {
    {"apply", kj_cmd_apply, "apply -f FILE|-        create or update objects from YAML or JSON"},
    {"get", kj_cmd_get, "get RESOURCE [NAME]    list or show (-o wide|json|yaml|name, -l SEL, -A)"},
    {"describe", kj_cmd_describe, "describe job NAME      show a Job as kubectl describe does"},
    {"logs", kj_cmd_logs, "logs POD|job/NAME [C]  print logs (-c C, --all-containers, -f, --tail N, --timestamps, --previous)"},
    {"delete", kj_cmd_delete, "delete RESOURCE NAME   delete (--cascade=background|foreground|orphan)"},
    {"wait", kj_cmd_wait, "wait job/NAME          wait for --for=condition=complete|failed (--timeout)"},
    {"kubeconfig", kj_cmd_kubeconfig, "kubeconfig             print a kubeconfig for this server"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: kjobctl [--server URL] [-n NAMESPACE] [--token TOKEN] [--certificate-authority FILE]\n"
                 "               COMMAND [ARGS]\n\n"
                 "The server defaults to $KJOB_SERVER, else http://127.0.0.1:8001; the token to\n"
                 "$KJOB_TOKEN and the CA bundle (for https) to $KJOB_CA.\n\n"
                 "commands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %s\n", commands[i].help);
}

int kjobctl_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

cJSON *kjobctl_get_json(struct kjobctl *ctl, const char *path, const char *accept)
{
    struct kj_response r = {0};
    kj_error_t err = NULL;
    if (kj_client_do(ctl->client, "GET", path, NULL, NULL, accept, &r, &err) < 0) {
        kjobctl_fail("%s", err->msg);
        kj_error_release(&err);
        return NULL;
    }
    if (r.status < 200 || r.status >= 300) {
        cleanup_free char *msg = kj_client_error_text(r.status, r.body);
        fprintf(stderr, "%s\n", msg);
        kj_response_clear(&r);
        return NULL;
    }
    cJSON *j = cJSON_Parse(r.body);
    if (j == NULL)
        kjobctl_fail("the server answered %s with something that is not JSON", path);
    kj_response_clear(&r);
    return j;
}

const struct kj_api_resource *kjobctl_resource_arg(const char *arg, const char **name_out)
{
    const char *slash = strchr(arg, '/');
    if (slash == NULL) {
        *name_out = NULL;
        return kj_resource_resolve(arg);
    }
    char type[64];
    snprintf(type, sizeof(type), "%.*s", (int)(slash - arg), arg);
    *name_out = slash + 1;
    return kj_resource_resolve(type);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"server", required_argument, NULL, 's'},
        {"namespace", required_argument, NULL, 'n'},
        {"token", required_argument, NULL, 't'},
        {"certificate-authority", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct kjobctl ctl = {.server = getenv("KJOB_SERVER"), .ns = "default"};
    const char *token = getenv("KJOB_TOKEN");
    ctl.ca_file = getenv("KJOB_CA");
    int c;
    while ((c = getopt_long(argc, argv, "+s:n:h", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            ctl.server = optarg;
            break;
        case 'n':
            ctl.ns = optarg;
            break;
        case 't':
            token = optarg;
            break;
        case 'c':
            ctl.ca_file = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    const char *verb = argv[optind];
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(verb, commands[i].name) != 0)
            continue;
        curl_global_init(CURL_GLOBAL_DEFAULT);
        kj_error_t err = NULL;
        ctl.token = token;
        ctl.client = kj_client_new(ctl.server, token, &err);
        if (ctl.client == NULL) {
            int rc = kjobctl_fail("%s", err->msg);
            kj_error_release(&err);
            return rc;
        }
        if (ctl.ca_file != NULL)
            kj_client_set_ca(ctl.client, ctl.ca_file);
        optind++;
        /* each verb parses its own options from argv[optind - 1] on */
        int rc = commands[i].run(&ctl, argc - optind + 1, argv + optind - 1);
        kj_client_free(ctl.client);
        curl_global_cleanup();
        return rc;
    }
    fprintf(stderr, "error: unknown command \"%s\" for \"kjobctl\"\n", verb);
    return 2;
}
