/* deletecollection: DELETE on a namespaced collection
 * (`DELETE /apis/batch/v1/namespaces/NS/jobs?labelSelector=...`), which
 * discovery lists for every resource. Served generically: the collection's
 * own list (GET) picks the items with the request's selectors, and each is
 * deleted by its own DELETE route with the request's DeleteOptions (query
 * and body), exactly as one DELETE of it would. The answer is the list of
 * the items deleted (an item gone meanwhile is left out, the first other
 * failure ends the request with that error; those already deleted stay
 * deleted, as with kube-apiserver). Warnings are passed on once each.
 */
#ifndef KJ_APISERVER_COLLECTION_H
#define KJ_APISERVER_COLLECTION_H

#include "apiserver/request.h"
#include "util/error.h"

/* For a DELETE whose path has no DELETE route. Returns 1 when answered in
 * *resp, 0 when the path is no deletable collection (the caller answers
 * 405), -1 with *err. */
int kj_collection_delete(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err);

#endif
