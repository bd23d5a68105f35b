/* REST routes of the work-queue pattern: apps/v1 ReplicaSets (+status,
 * +scale), core/v1 Services (+status) and the services/NAME[:PORT]/proxy
 * subresource (proxy.c), all on the store; the controllers
 * (controller/rs_driver.h) act on what is stored.
 */
#ifndef KJ_APISERVER_HANDLERS_QUEUE_H
#define KJ_APISERVER_HANDLERS_QUEUE_H

#include <stddef.h> /* size_t */

#include "apiserver/request.h" /* kj_http_req, kj_http_resp */
#include "apiserver/router.h"  /* kj_route */
#include "util/error.h"        /* kj_error_t */

struct kj_apiserver;
struct kj_rs_driver;

/* Register the routes on `srv` and remember `rs` (borrowed; one per
 * process, must outlive the server) for the Service proxy. */
void kj_queue_routes_install(struct kj_apiserver *srv, struct kj_rs_driver *rs);

/* The proxy handler (proxy.c): forwards the request to a ready pod selected
 * by the Service and answers with the pod's response. */
int kj_h_service_proxy(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err);

/* GET endpoints/NAME (proxy.c): the Service's ready pods as core/v1
 * Endpoints, computed (kjob stores no Endpoints objects). */
int kj_h_service_endpoints(struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t *err);

/* GET discovery.k8s.io/v1 endpointslices?labelSelector=kubernetes.io/service-name=X
 * (proxy.c): the same, as one EndpointSlice. */
int kj_h_service_endpointslices(struct kj_http_req *req, struct kj_http_resp *resp,
                                kj_error_t *err);

/* The driver given to kj_queue_routes_install (borrowed), or NULL. */
struct kj_rs_driver *kj_queue_rs_driver(void);

#endif
