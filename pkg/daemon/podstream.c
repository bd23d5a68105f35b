/* pods/{name}/exec, attach and portforward. They need a connection upgraded
 * to a multiplexed stream (WebSocket or SPDY), which kjob does not serve;
 * the pod's containers are plain Docker containers, so the answer names
 * the one to use with the docker CLI instead (a 405 Status, which kubectl
 * prints as it is). */
#include "daemon/daemon-internal.h"

#include <string.h>

#include "apiserver/handlers.h"
#include "apiserver/request.h"
#include "apiserver/server.h"
#include "apiserver/status.h"
#include "util/cleanup.h"

int kj_daemon_h_pod_stream(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    struct kjobd *k = kj_apiserver_deps(req->srv)->arg;
    const char *ns = kj_route_param(&req->params, "namespace");
    const char *name = kj_route_param(&req->params, "name");
    const char *what = strrchr(req->path, '/') + 1; /* the route has one */
    if (kj_namespace_check(ns, err) < 0)
        return -1;
    cleanup_cjson cJSON *pod = kj_daemon_pod(k, ns, name);
    if (pod == NULL)
        return kj_http_resp_json(resp, 404, kj_status_not_found("pods", "", name));
    if (strcmp(what, "portforward") == 0) {
        const char *ip = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(pod, "status"), "podIP"));
        if (ip == NULL)
            return kj_make_http_error(err, 405, "kjob does not serve port-forward");
        return kj_make_http_error(err, 405,
                                  "kjob does not serve port-forward: this host reaches pod %s at "
                                  "%s on kjobd's network",
                                  name, ip);
    }
    cleanup_free char *cname = NULL, *ref = NULL;
    if (kj_daemon_pick_container(pod, name, kj_query_get(&req->query, "container"), &cname, &ref,
                                 err) < 0)
        return -1;
    return kj_make_http_error(err, 405, "kjob does not serve %s: the container is Docker's `%s` (docker %s %s%s)",
                              what, ref, what, strcmp(what, "exec") == 0 ? "-it " : "", ref);
}
