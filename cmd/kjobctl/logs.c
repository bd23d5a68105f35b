/* kjobctl logs POD | job/NAME: the container's output, streamed with -f. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kjobctl.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

static int write_cb(const char *data, size_t len, void *userdata)
{
    (void)userdata;
    if (fwrite(data, 1, len, stdout) != len)
        return 1;
    fflush(stdout);
    return 0;
}

/* kubectl logs job/NAME picks one pod of the Job: the first one listed. */
static char *pod_of_job(struct kjobctl *ctl, const char *job)
{
    cleanup_free char *sel = xasprintf("batch.kubernetes.io/job-name=%s", job);
    cleanup_free char *esc = kj_client_escape(sel);
    cleanup_free char *path = xasprintf("/api/v1/namespaces/%s/pods?labelSelector=%s", ctl->ns, esc);
    cleanup_cjson cJSON *list = kjobctl_get_json(ctl, path, NULL);
    const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(list, "items"), 0);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(first, "metadata"), "name");
    return cJSON_IsString(name) ? xstrdup(name->valuestring) : NULL;
}

int kj_cmd_logs(struct kjobctl *ctl, int argc, char **argv)
{
    static const struct option opts[] = {{"follow", no_argument, NULL, 'f'},
                                         {"tail", required_argument, NULL, 't'},
                                         {"timestamps", no_argument, NULL, 'T'},
                                         {"previous", no_argument, NULL, 'p'},
                                         {NULL, 0, NULL, 0}};
    bool follow = false, timestamps = false, previous = false;
    const char *tail = NULL;
    int c;
    optind = 0; /* 0 reinitialises GNU getopt after main()'s "+" scan */
    while ((c = getopt_long(argc, argv, "fp", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            follow = true;
            break;
        case 't':
            tail = optarg;
            break;
        case 'T':
            timestamps = true;
            break;
        case 'p':
            previous = true;
            break;
        default:
            return 2;
        }
    }
    if (optind >= argc)
        return kjobctl_fail("expected POD or TYPE/NAME");
    const char *name = NULL;
    const struct kj_api_resource *r = kjobctl_resource_arg(argv[optind], &name);
    cleanup_free char *pod = NULL;
    if (name == NULL)
        pod = xstrdup(argv[optind]);
    else if (r != NULL && strcmp(r->kind, "Pod") == 0)
        pod = xstrdup(name);
    else if (r != NULL && strcmp(r->kind, "Job") == 0) {
        pod = pod_of_job(ctl, name);
        if (pod == NULL)
            return kjobctl_fail("no pods found for job \"%s\"", name);
    } else
        return kjobctl_fail("cannot get logs of `%s`", argv[optind]);

    cleanup_free char *path = xasprintf("/api/v1/namespaces/%s/pods/%s/log?follow=%s&timestamps=%s&previous=%s%s%s",
                                        ctl->ns, pod, follow ? "true" : "false",
                                        timestamps ? "true" : "false", previous ? "true" : "false",
                                        tail ? "&tailLines=" : "", tail ? tail : "");
    long status = 0;
    cleanup_free char *error_body = NULL;
    kj_error_t err = NULL;
    if (kj_client_stream(ctl->client, path, write_cb, NULL, &status, &error_body, &err) < 0) {
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
