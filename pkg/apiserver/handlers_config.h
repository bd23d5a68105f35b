/* REST routes of core/v1 ConfigMaps and Secrets on the store: create, get,
 * list (+watch), update, patch, delete. Objects are checked and normalised
 * by api/configobj.h before they are stored (Secret stringData is folded
 * into data). Log lines name the object, never its data.
 */
#ifndef KJ_APISERVER_HANDLERS_CONFIG_H
#define KJ_APISERVER_HANDLERS_CONFIG_H

struct kj_apiserver;

/* Register the routes on `srv` (borrowed). */
void kj_config_routes_install(struct kj_apiserver *srv);

#endif
