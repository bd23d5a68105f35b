/* The Pod Table's READY/STATUS/RESTARTS cells for pods of several containers,
 * init containers and sidecars, against kubectl's printPod rules (the cells a
 * real cluster shows for the same Pod JSON). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kubeapi/table.h"
#include "util/cleanup.h"

/* JSON written with ' for " so the fixtures stay readable. */
static cJSON *parse_q(const char *s)
{
    cleanup_free char *t = strdup(s);
    assert_non_null(t);
    for (char *p = t; *p; p++)
        if (*p == '\'')
            *p = '"';
    cJSON *j = cJSON_Parse(t);
    assert_non_null(j);
    return j;
}

/* A pod named p created at 0 with this spec and status (both ' JSON). */
static cJSON *pod(const char *spec, const char *status)
{
    size_t n = strlen(spec) + strlen(status) + 128;
    cleanup_free char *s = malloc(n);
    assert_non_null(s);
    snprintf(s, n, "{'metadata':{'name':'p','creationTimestamp':'1970-01-01T00:00:00Z'},"
                   "'spec':%s,'status':%s}", spec, status);
    return parse_q(s);
}

struct cells {
    char ready[16], status[64], restarts[64];
};

/* READY, STATUS and RESTARTS of the one pod, at now = 100 s. */
static void row_of(const char *spec, const char *status, struct cells *out)
{
    cleanup_cjson cJSON *items = cJSON_CreateArray();
    cJSON_AddItemToArray(items, pod(spec, status));
    cleanup_cjson cJSON *t = kj_table_build("Pod", items, NULL, 100, NULL);
    const cJSON *cells = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(t, "rows"), 0), "cells");
    assert_int_equal(cJSON_GetArraySize(cells), 9);
    snprintf(out->ready, sizeof out->ready, "%s", cJSON_GetArrayItem(cells, 1)->valuestring);
    snprintf(out->status, sizeof out->status, "%s", cJSON_GetArrayItem(cells, 2)->valuestring);
    snprintf(out->restarts, sizeof out->restarts, "%s", cJSON_GetArrayItem(cells, 3)->valuestring);
}

static void assert_row(const char *spec, const char *status, const char *ready, const char *st,
                       const char *restarts)
{
    struct cells c;
    row_of(spec, status, &c);
    assert_string_equal(c.ready, ready);
    assert_string_equal(c.status, st);
    assert_string_equal(c.restarts, restarts);
}

/* Two init containers (i1, i2) and two containers (a, b). */
#define SPEC_INIT2                                                                                 \
    "{'initContainers':[{'name':'i1'},{'name':'i2'}],'containers':[{'name':'a'},{'name':'b'}]}"
#define WAIT_INIT "{'waiting':{'reason':'PodInitializing'}}"
#define RUNNING "{'running':{'startedAt':'1970-01-01T00:00:10Z'}}"
#define DONE "{'terminated':{'exitCode':0,'reason':'Completed'}}"
#define FAILED "{'terminated':{'exitCode':1,'reason':'Error'}}"
#define NOT_INIT "{'type':'Initialized','status':'False'}"
#define INIT "{'type':'Initialized','status':'True'}"

static void test_init_running(void **state)
{
    (void)state;
    /* The first init container runs, the second has not started. */
    assert_row(SPEC_INIT2,
               "{'phase':'Pending','conditions':[" NOT_INIT "],'initContainerStatuses':["
               "{'name':'i1','state':" RUNNING ",'ready':false,'restartCount':0},"
               "{'name':'i2','state':" WAIT_INIT ",'ready':false,'restartCount':0}],"
               "'containerStatuses':[{'name':'a','state':" WAIT_INIT ",'ready':false,'restartCount':0},"
               "{'name':'b','state':" WAIT_INIT ",'ready':false,'restartCount':0}]}",
               "0/2", "Init:0/2", "0");
    /* The first is done, the second runs. */
    assert_row(SPEC_INIT2,
               "{'phase':'Pending','conditions':[" NOT_INIT "],'initContainerStatuses':["
               "{'name':'i1','state':" DONE ",'ready':false,'restartCount':0},"
               "{'name':'i2','state':" RUNNING ",'ready':false,'restartCount':0}],"
               "'containerStatuses':[{'name':'a','state':" WAIT_INIT "},{'name':'b','state':" WAIT_INIT "}]}",
               "0/2", "Init:1/2", "0");
    /* An init container being created shows its waiting reason. */
    assert_row(SPEC_INIT2,
               "{'phase':'Pending','initContainerStatuses':["
               "{'name':'i1','state':{'waiting':{'reason':'ContainerCreating'}}},"
               "{'name':'i2','state':" WAIT_INIT "}]}",
               "0/2", "Init:ContainerCreating", "0");
}

static void test_init_failed(void **state)
{
    (void)state;
    /* restartPolicy Never: the failed init container ends the pod. */
    assert_row(SPEC_INIT2,
               "{'phase':'Failed','conditions':[" NOT_INIT "],'initContainerStatuses':["
               "{'name':'i1','state':" DONE ",'restartCount':0},"
               "{'name':'i2','state':" FAILED ",'restartCount':0}],"
               "'containerStatuses':[{'name':'a','state':" WAIT_INIT "},{'name':'b','state':" WAIT_INIT "}]}",
               "0/2", "Init:Error", "0");
    /* OnFailure: backing off; every init container's restarts count. */
    assert_row(SPEC_INIT2,
               "{'phase':'Pending','initContainerStatuses':["
               "{'name':'i1','state':{'waiting':{'reason':'CrashLoopBackOff'}},'restartCount':3,"
               "'lastState':{'terminated':{'exitCode':1,'finishedAt':'1970-01-01T00:01:10Z'}}},"
               "{'name':'i2','state':" WAIT_INIT "}]}",
               "0/2", "Init:CrashLoopBackOff", "3 (30s ago)");
    /* No reason: the exit code, or the signal. */
    assert_row(SPEC_INIT2,
               "{'phase':'Failed','initContainerStatuses':[{'name':'i1','state':{'terminated':{'exitCode':2}}}]}",
               "0/2", "Init:ExitCode:2", "0");
    assert_row(SPEC_INIT2,
               "{'phase':'Failed','initContainerStatuses':[{'name':'i1','state':{'terminated':"
               "{'exitCode':137,'signal':9}}}]}",
               "0/2", "Init:Signal:9", "0");
}

static void test_initialized(void **state)
{
    (void)state;
    /* Init containers done, containers being created. */
    assert_row(SPEC_INIT2,
               "{'phase':'Pending','conditions':[" INIT "],'initContainerStatuses':["
               "{'name':'i1','state':" DONE ",'restartCount':0},{'name':'i2','state':" DONE ",'restartCount':0}],"
               "'containerStatuses':[{'name':'a','state':" WAIT_INIT ",'ready':false,'restartCount':0},"
               "{'name':'b','state':" WAIT_INIT ",'ready':false,'restartCount':0}]}",
               "0/2", "PodInitializing", "0");
    /* Both run. Restarts of plain init containers stop counting. */
    assert_row(SPEC_INIT2,
               "{'phase':'Running','conditions':[" INIT ",{'type':'Ready','status':'True'}],"
               "'initContainerStatuses':[{'name':'i1','state':" DONE ",'restartCount':4,"
               "'lastState':{'terminated':{'exitCode':1,'finishedAt':'1970-01-01T00:00:05Z'}}},"
               "{'name':'i2','state':" DONE "}],"
               "'containerStatuses':[{'name':'a','state':" RUNNING ",'ready':true,'restartCount':0},"
               "{'name':'b','state':" RUNNING ",'ready':true,'restartCount':0}]}",
               "2/2", "Running", "0");
}

static void test_not_ready_and_done(void **state)
{
    (void)state;
    const char *spec = "{'containers':[{'name':'a'},{'name':'b'}]}";
    /* a exited, b still runs: the pod is no longer Ready. */
    assert_row(spec,
               "{'phase':'Running','conditions':[{'type':'Ready','status':'False'}],"
               "'containerStatuses':[{'name':'a','state':" DONE ",'ready':false,'restartCount':0},"
               "{'name':'b','state':" RUNNING ",'ready':true,'restartCount':0}]}",
               "1/2", "NotReady", "0");
    assert_row(spec,
               "{'phase':'Running','conditions':[{'type':'Ready','status':'True'}],"
               "'containerStatuses':[{'name':'a','state':" DONE ",'ready':false},"
               "{'name':'b','state':" RUNNING ",'ready':true}]}",
               "1/2", "Running", "0");
    /* All done. */
    assert_row(spec,
               "{'phase':'Succeeded','containerStatuses':[{'name':'a','state':" DONE "},"
               "{'name':'b','state':" DONE "}]}",
               "0/2", "Completed", "0");
    /* The first container's reason wins (kubectl walks them backwards). */
    assert_row(spec,
               "{'phase':'Failed','containerStatuses':[{'name':'a','state':" FAILED "},"
               "{'name':'b','state':" DONE "}]}",
               "0/2", "Error", "0");
    /* Restarts summed over containers; the latest termination dates them. */
    assert_row(spec,
               "{'phase':'Running','containerStatuses':["
               "{'name':'a','state':" RUNNING ",'ready':true,'restartCount':1,"
               "'lastState':{'terminated':{'exitCode':1,'finishedAt':'1970-01-01T00:00:20Z'}}},"
               "{'name':'b','state':" RUNNING ",'ready':true,'restartCount':2,"
               "'lastState':{'terminated':{'exitCode':1,'finishedAt':'1970-01-01T00:01:00Z'}}}]}",
               "2/2", "Running", "3 (40s ago)");
}

/* A sidecar (restartPolicy Always), a plain init container and one container. */
#define SPEC_SIDECAR                                                                               \
    "{'initContainers':[{'name':'setup'},{'name':'side','restartPolicy':'Always'}],"               \
    "'containers':[{'name':'main'}]}"

static void test_sidecar(void **state)
{
    (void)state;
    /* The sidecar is being started: still initializing, counted in total. */
    assert_row(SPEC_SIDECAR,
               "{'phase':'Pending','conditions':[" NOT_INIT "],'initContainerStatuses':["
               "{'name':'setup','state':" DONE "},"
               "{'name':'side','state':" WAIT_INIT ",'started':false,'ready':false,'restartPolicy':'Always'}],"
               "'containerStatuses':[{'name':'main','state':" WAIT_INIT ",'ready':false}]}",
               "0/2", "Init:1/2", "0");
    /* Sidecar and main run: both count as ready; the sidecar's restarts
     * survive initialization, the setup container's do not. */
    assert_row(SPEC_SIDECAR,
               "{'phase':'Running','conditions':[" INIT ",{'type':'Ready','status':'True'}],"
               "'initContainerStatuses':[{'name':'setup','state':" DONE ",'restartCount':5},"
               "{'name':'side','state':" RUNNING ",'started':true,'ready':true,'restartCount':1,"
               "'lastState':{'terminated':{'exitCode':1,'finishedAt':'1970-01-01T00:00:30Z'}}}],"
               "'containerStatuses':[{'name':'main','state':" RUNNING ",'ready':true,'restartCount':0}]}",
               "2/2", "Running", "1 (70s ago)");
    /* Main done, the sidecar not stopped yet. */
    assert_row(SPEC_SIDECAR,
               "{'phase':'Running','conditions':[" INIT ",{'type':'Ready','status':'False'}],"
               "'initContainerStatuses':[{'name':'setup','state':" DONE "},"
               "{'name':'side','state':" RUNNING ",'started':true,'ready':true}],"
               "'containerStatuses':[{'name':'main','state':" DONE ",'ready':false}]}",
               "1/2", "Completed", "0");
    /* All stopped: a sidecar stopped after the containers is done too. */
    assert_row(SPEC_SIDECAR,
               "{'phase':'Succeeded','conditions':[" INIT "],"
               "'initContainerStatuses':[{'name':'setup','state':" DONE "},"
               "{'name':'side','state':{'terminated':{'exitCode':137,'reason':'Error'}},'started':false}],"
               "'containerStatuses':[{'name':'main','state':" DONE "}]}",
               "0/2", "Completed", "0");
}

static void test_deleting_and_wide(void **state)
{
    (void)state;
    cleanup_cjson cJSON *items = cJSON_CreateArray();
    cJSON *p = pod("{'containers':[{'name':'a'},{'name':'b'}],'nodeName':'kjob'}",
                   "{'phase':'Running','podIP':'172.1.0.9','podIPs':[{'ip':'172.1.0.9'}],"
                   "'containerStatuses':[{'name':'a','state':" RUNNING ",'ready':true},"
                   "{'name':'b','state':" RUNNING ",'ready':true}]}");
    cJSON_AddStringToObject(cJSON_GetObjectItem(p, "metadata"), "deletionTimestamp", "1970-01-01T00:01:00Z");
    cJSON_AddItemToArray(items, p);
    cJSON_AddItemToArray(items, pod("{'containers':[{'name':'a'}]}",
                                    "{'phase':'Failed','containerStatuses':[{'name':'a','state':" FAILED "}]}"));
    cleanup_cjson cJSON *t = kj_table_build("Pod", items, NULL, 100, NULL);
    cleanup_free char *row0 = cJSON_PrintUnformatted(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(t, "rows"), 0), "cells"));
    assert_string_equal(row0, "[\"p\",\"2/2\",\"Terminating\",\"0\",\"100s\",\"172.1.0.9\",\"kjob\","
                              "\"<none>\",\"<none>\"]");
    /* A finished pod's row carries the Completed row condition. */
    const cJSON *row1 = cJSON_GetArrayItem(cJSON_GetObjectItem(t, "rows"), 1);
    cleanup_free char *conds = cJSON_PrintUnformatted(cJSON_GetObjectItem(row1, "conditions"));
    assert_string_equal(conds, "[{\"type\":\"Completed\",\"status\":\"True\",\"reason\":\"Failed\","
                               "\"message\":\"The pod failed.\"}]");
    assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(t, "rows"), 0), "conditions"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_running),
        cmocka_unit_test(test_init_failed),
        cmocka_unit_test(test_initialized),
        cmocka_unit_test(test_not_ready_and_done),
        cmocka_unit_test(test_sidecar),
        cmocka_unit_test(test_deleting_and_wide),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
