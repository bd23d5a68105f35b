/* What kubectl needs besides the resources themselves: discovery (legacy and
 * aggregated), the OpenAPI v3 documents and server-side printing (Tables).
 * The documents come from pkg/kubeapi; this file only routes to them. */
#include "apiserver/handlers.h"

#include <string.h>
#include <time.h>

#include "apiserver/server.h"
#include "apiserver/status.h"
#include "kubeapi/discovery.h"
#include "kubeapi/openapi.h"
#include "kubeapi/table.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

static int not_found(struct kj_http_resp *resp)
{
    return kj_http_resp_json(resp, 404, kj_status_failure(404, "NotFound",
                                                          "the server could not find the requested resource",
                                                          NULL, NULL, NULL));
}

int kj_h_discovery(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    (void)err;
    bool beta = false;
    bool top = strcmp(req->path, "/api") == 0 || strcmp(req->path, "/apis") == 0;
    if (top && kj_discovery_wants_aggregated(req->accept, &beta)) {
        cJSON *doc = kj_discovery_aggregated(req->path, beta);
        if (doc != NULL) {
            resp->content_type = beta ? "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"
                                      : KJ_AGGREGATED_DISCOVERY_CT;
            return kj_http_resp_json(resp, 200, doc);
        }
    }
    cJSON *doc = kj_discovery_legacy(req->path);
    return doc != NULL ? kj_http_resp_json(resp, 200, doc) : not_found(resp);
}

int kj_h_openapi(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err)
{
    (void)err;
    const char *rest = kj_route_param(&req->params, "path");
    cJSON *doc = rest == NULL ? kj_openapi_v3_index() : kj_openapi_v3_doc(rest);
    return doc != NULL ? kj_http_resp_json(resp, 200, doc) : not_found(resp);
}

void kj_apiserver_tableize(struct kj_http_req *req, struct kj_http_resp *resp)
{
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(resp->body, "kind");
    if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "Status") == 0 ||
        strcmp(kind->valuestring, "Table") == 0)
        return;
    const char *include = kj_query_get(&req->query, "includeObject");
    cJSON *items = cJSON_GetObjectItemCaseSensitive(resp->body, "items");
    cleanup_cjson cJSON *single = NULL;
    cleanup_free char *item_kind = NULL;
    const char *rv = NULL;
    size_t kl = strlen(kind->valuestring);
    if (cJSON_IsArray(items) && kl > 4 && strcmp(kind->valuestring + kl - 4, "List") == 0) {
        item_kind = xstrndup(kind->valuestring, kl - 4);
        rv = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(resp->body, "metadata"), "resourceVersion"));
    } else {
        item_kind = xstrdup(kind->valuestring);
        single = cJSON_CreateArray();
        cJSON_AddItemReferenceToArray(single, resp->body);
        items = single;
    }
    cJSON *table = kj_table_build(item_kind, items, rv, (int64_t)time(NULL), include);
    if (table == NULL)
        return;
    cJSON_Delete(steal_pointer(&single));
    cJSON_Delete(resp->body);
    resp->body = table;
}
