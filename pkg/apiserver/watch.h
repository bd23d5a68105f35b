/* Watch streams for stored resources (jobs, events): see watch.c. */
#ifndef KJ_APISERVER_WATCH_H
#define KJ_APISERVER_WATCH_H

#include "apiserver/query.h"   /* kj_list_opts */
#include "apiserver/request.h" /* kj_http_req, kj_http_resp */
#include "util/error.h"        /* kj_error_t */

/* Answer req with a watch of `resource` in the route's namespace (all when
 * absent), filtered by the list options' selectors; starts from
 * opts->resource_version (replaying newer changes) or, without one, with
 * ADDED events for the current objects. Sets resp->hijacked on success.
 * Errors (HTTP 400, 410 for a resourceVersion too old) before any byte is
 * sent are returned as usual. */
int kj_watch_start(struct kj_http_req *req, struct kj_http_resp *resp, const char *resource,
                   const struct kj_list_opts *opts, kj_error_t *err);

#endif
