/* Discovery documents kubectl reads before anything else: /version, the
 * legacy /api, /apis, /api/v1, /apis/<group>/<version>, and the aggregated
 * (apidiscovery.k8s.io/v2) form of /api and /apis that kubectl asks for
 * first. Built from the resource table; each function returns a new cJSON
 * tree owned by the caller, or NULL when the path is not a discovery path.
 */
#ifndef KJ_KUBEAPI_DISCOVERY_H
#define KJ_KUBEAPI_DISCOVERY_H

#include <cjson/cJSON.h> /* cJSON */
#include <stdbool.h>     /* bool */

/* The Content-Type of an aggregated discovery answer. */
#define KJ_AGGREGATED_DISCOVERY_CT "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

/* True when an Accept header asks for aggregated discovery (v2 or v2beta1).
 * *beta is set when only v2beta1 is acceptable. */
bool kj_discovery_wants_aggregated(const char *accept, bool *beta);

cJSON *kj_discovery_version(void);
/* path is "/api", "/apis", "/api/v1" or "/apis/<g>" or "/apis/<g>/<v>". */
cJSON *kj_discovery_legacy(const char *path);
/* path is "/api" or "/apis". beta selects apidiscovery.k8s.io/v2beta1. */
cJSON *kj_discovery_aggregated(const char *path, bool beta);

#endif
