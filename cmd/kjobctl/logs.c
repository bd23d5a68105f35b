/* kjobctl logs POD|job/NAME [CONTAINER] [-c NAME | --all-containers]: a
 * container's output, streamed with -f. The container is chosen as kubectl
 * chooses it (polymorphichelpers' logsForObject): -c or the inline name as
 * given, else the pod's kubectl.kubernetes.io/default-container, else the
 * first container, with kubectl's "Defaulted container" note on stderr when
 * the pod has others. --all-containers asks for each init container, then
 * each container, in spec order; with -f they are followed at once (one
 * child process each), as kubectl follows them in parallel. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kjobctl.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

#define DEFAULT_CONTAINER_ANNOTATION "kubectl.kubernetes.io/default-container"

struct logs_opts {
    bool follow, timestamps, previous;
    const char *tail;
};

static int write_cb(const char *data, size_t len, void *userdata)
{
    (void)userdata;
    if (fwrite(data, 1, len, stdout) != len)
        return 1;
    fflush(stdout);
    return 0;
}

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* kubectl logs job/NAME picks one pod of the Job: the first one listed.
 * Returns the pod (owned) or NULL after printing why. */
static cJSON *pod_of_job(struct kjobctl *ctl, const char *job)
{
    cleanup_free char *sel = xasprintf("batch.kubernetes.io/job-name=%s", job);
    cleanup_free char *esc = kj_client_escape(sel);
    cleanup_free char *path = xasprintf("/api/v1/namespaces/%s/pods?labelSelector=%s", ctl->ns, esc);
    cleanup_cjson cJSON *list = kjobctl_get_json(ctl, path, NULL);
    if (list == NULL)
        return NULL;
    cJSON *items = cJSON_GetObjectItemCaseSensitive(list, "items");
    if (cJSON_GetArraySize(items) == 0) {
        kjobctl_fail("no pods found for job \"%s\"", job);
        return NULL;
    }
    return cJSON_DetachItemFromArray(items, 0);
}

/* The pod named by the argument; NULL after printing why. */
static cJSON *target_pod(struct kjobctl *ctl, const char *arg)
{
    const char *name = NULL;
    const struct kj_api_resource *r = kjobctl_resource_arg(arg, &name);
    if (name == NULL)
        name = arg;
    else if (r != NULL && strcmp(r->kind, "Job") == 0)
        return pod_of_job(ctl, name);
    else if (r == NULL || strcmp(r->kind, "Pod") != 0) {
        kjobctl_fail("cannot get logs of `%s`", arg);
        return NULL;
    }
    cleanup_free char *esc = kj_client_escape(name);
    cleanup_free char *path = xasprintf("/api/v1/namespaces/%s/pods/%s", ctl->ns, esc);
    return kjobctl_get_json(ctl, path, NULL);
}

static bool has_container(const cJSON *spec, const char *name)
{
    static const char *const lists[] = {"containers", "initContainers", "ephemeralContainers"};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        const cJSON *c;
        cJSON_ArrayForEach(c, get(spec, lists[i]))
        {
            const char *n = cJSON_GetStringValue(get(c, "name"));
            if (n != NULL && strcmp(n, name) == 0)
                return true;
        }
    }
    return false;
}

/* kubectl's podcmd.AllContainerNames: "a, b, init (init)". */
static void print_all_names(const cJSON *spec)
{
    static const char *const lists[] = {"containers", "initContainers", "ephemeralContainers"};
    static const char *const marks[] = {"", " (init)", " (ephem)"};
    bool first = true;
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        const cJSON *c;
        cJSON_ArrayForEach(c, get(spec, lists[i]))
        {
            const char *n = cJSON_GetStringValue(get(c, "name"));
            fprintf(stderr, "%s%s%s", first ? "" : ", ", n != NULL ? n : "", marks[i]);
            first = false;
        }
    }
    fputc('\n', stderr);
}

/* The container to ask for (borrowed from pod or want), or NULL after
 * printing kubectl's error. */
static const char *pick_container(const cJSON *pod, const char *want)
{
    const cJSON *spec = get(pod, "spec");
    const char *pname = cJSON_GetStringValue(get(get(pod, "metadata"), "name"));
    pname = pname != NULL ? pname : "";
    const char *c = want;
    if (c == NULL) {
        const char *dflt =
            cJSON_GetStringValue(get(get(get(pod, "metadata"), "annotations"), DEFAULT_CONTAINER_ANNOTATION));
        if (dflt != NULL && dflt[0] != '\0') {
            if (has_container(spec, dflt))
                c = dflt;
            else
                fprintf(stderr, "Default container name \"%s\" not found in pod %s\n", dflt, pname);
        }
    }
    if (c == NULL) {
        const cJSON *mains = get(spec, "containers");
        c = cJSON_GetStringValue(get(cJSON_GetArrayItem(mains, 0), "name"));
        if (c == NULL) {
            kjobctl_fail("pod %s has no containers", pname);
            return NULL;
        }
        if (cJSON_GetArraySize(mains) > 1 || cJSON_GetArraySize(get(spec, "initContainers")) > 0 ||
            cJSON_GetArraySize(get(spec, "ephemeralContainers")) > 0) {
            fprintf(stderr, "Defaulted container \"%s\" out of: ", c);
            print_all_names(spec);
        }
    }
    if (!has_container(spec, c)) {
        kjobctl_fail("container %s is not valid for pod %s", c, pname);
        return NULL;
    }
    return c;
}

/* Streams one container's log to stdout; returns the exit code. */
static int stream_one(struct kjobctl *ctl, struct kj_client *client, const char *pod,
                      const char *container, const struct logs_opts *o)
{
    cleanup_free char *epod = kj_client_escape(pod);
    cleanup_free char *ec = kj_client_escape(container);
    cleanup_free char *path = xasprintf(
        "/api/v1/namespaces/%s/pods/%s/log?container=%s&follow=%s&timestamps=%s&previous=%s%s%s", ctl->ns,
        epod, ec, o->follow ? "true" : "false", o->timestamps ? "true" : "false",
        o->previous ? "true" : "false", o->tail ? "&tailLines=" : "", o->tail ? o->tail : "");
    long status = 0;
    cleanup_free char *error_body = NULL;
    kj_error_t err = NULL;
    if (kj_client_stream(client, path, write_cb, NULL, &status, &error_body, &err) < 0) {
        int rc = kjobctl_fail("%s", err->msg);
        kj_error_release(&err);
        return rc;
    }
    if (status < 200 || status >= 300) {
        cleanup_free char *msg = kj_client_error_text(status, error_body);
        fprintf(stderr, "%s\n", msg);
        return 1;
    }
    return 0;
}

/* Follows every container at once: one child each, with its own client (a
 * connection must not be shared across processes). First failure wins. */
static int follow_all(struct kjobctl *ctl, const char *pod, const char *const *names, int n,
                      const struct logs_opts *o)
{
    fflush(stdout);
    fflush(stderr);
    int rc = 0, started = 0;
    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            rc = kjobctl_fail("fork: %s", strerror(errno));
            break;
        }
        if (pid == 0) {
            kj_error_t err = NULL;
            struct kj_client *c = kj_client_new(ctl->server, ctl->token, &err);
            if (c == NULL) {
                kjobctl_fail("%s", err->msg);
                kj_error_release(&err);
                _exit(1);
            }
            kj_client_set_ca(c, ctl->ca_file);
            int crc = stream_one(ctl, c, pod, names[i], o);
            kj_client_free(c);
            fflush(stdout);
            _exit(crc);
        }
        started++;
    }
    for (int i = 0; i < started; i++) {
        int st = 0;
        if (wait(&st) > 0 && rc == 0 && (!WIFEXITED(st) || WEXITSTATUS(st) != 0))
            rc = WIFEXITED(st) ? WEXITSTATUS(st) : 1;
    }
    return rc;
}

/* --all-containers: init containers first, then containers, ephemeral last
 * (kubectl's VisitContainers order). */
static int all_containers(struct kjobctl *ctl, const cJSON *pod, const struct logs_opts *o)
{
    static const char *const lists[] = {"initContainers", "containers", "ephemeralContainers"};
    const cJSON *spec = get(pod, "spec");
    const char *pname = cJSON_GetStringValue(get(get(pod, "metadata"), "name"));
    int total = 0;
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        total += cJSON_GetArraySize(get(spec, lists[i]));
    cleanup_free const char **names = xcalloc((size_t)total + 1, sizeof(*names));
    int n = 0;
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        const cJSON *c;
        cJSON_ArrayForEach(c, get(spec, lists[i]))
        {
            const char *name = cJSON_GetStringValue(get(c, "name"));
            if (name != NULL && n < total)
                names[n++] = name;
        }
    }
    if (o->follow && n > 1)
        return follow_all(ctl, pname != NULL ? pname : "", names, n, o);
    for (int i = 0; i < n; i++) {
        int rc = stream_one(ctl, ctl->client, pname != NULL ? pname : "", names[i], o);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int kj_cmd_logs(struct kjobctl *ctl, int argc, char **argv)
{
    static const struct option opts[] = {{"follow", no_argument, NULL, 'f'},
                                         {"tail", required_argument, NULL, 't'},
                                         {"timestamps", no_argument, NULL, 'T'},
                                         {"previous", no_argument, NULL, 'p'},
                                         {"container", required_argument, NULL, 'c'},
                                         {"all-containers", no_argument, NULL, 'A'},
                                         {NULL, 0, NULL, 0}};
    struct logs_opts o = {0};
    const char *container = NULL;
    bool all = false;
    int c;
    optind = 0; /* 0 reinitialises GNU getopt after main()'s "+" scan */
    while ((c = getopt_long(argc, argv, "fpc:", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            o.follow = true;
            break;
        case 't':
            o.tail = optarg;
            break;
        case 'T':
            o.timestamps = true;
            break;
        case 'p':
            o.previous = true;
            break;
        case 'c':
            container = optarg;
            break;
        case 'A':
            all = true;
            break;
        default:
            return 2;
        }
    }
    if (optind >= argc)
        return kjobctl_fail("expected POD or TYPE/NAME");
    /* kubectl's Validate, in its order. */
    if (all && container != NULL)
        return kjobctl_fail("--all-containers=true should not be specified with container name %s", container);
    if (container != NULL && optind + 1 < argc)
        return kjobctl_fail("only one of -c or an inline [CONTAINER] arg is allowed");
    if (optind + 1 < argc) {
        container = argv[optind + 1];
        if (all)
            return kjobctl_fail("--all-containers=true should not be specified with container name %s",
                                container);
    }
    cleanup_cjson cJSON *pod = target_pod(ctl, argv[optind]);
    if (pod == NULL)
        return 1;
    if (all)
        return all_containers(ctl, pod, &o);
    const char *cname = pick_container(pod, container);
    if (cname == NULL)
        return 1;
    const char *pname = cJSON_GetStringValue(get(get(pod, "metadata"), "name"));
    return stream_one(ctl, ctl->client, pname != NULL ? pname : "", cname, &o);
}
