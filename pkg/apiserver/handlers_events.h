/* REST routes of core/v1 Events beyond list and watch: get and delete (so
 * also deletecollection, collection.h). Creating or changing an event is
 * not served: kjob's controllers write them. */
#ifndef KJ_APISERVER_HANDLERS_EVENTS_H
#define KJ_APISERVER_HANDLERS_EVENTS_H

#include <stddef.h> /* size_t */

struct kj_apiserver;
struct kj_route;

/* Register the routes on `srv` (borrowed). */
void kj_event_routes_install(struct kj_apiserver *srv);

/* The route table (static), with the kind registered for its handlers. */
const struct kj_route *kj_event_routes(size_t *n);

#endif
