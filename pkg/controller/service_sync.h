/* Services on the kjob network, pure parts: label matching on JSON objects
 * and the alias set a pod must carry. A Service is a DNS name on the pod
 * network (DESIGN.md): every pod it selects carries the Service's name as a
 * network alias. Unit-tested in tests/unit/test_service.c.
 */
#ifndef KJ_CONTROLLER_SERVICE_SYNC_H
#define KJ_CONTROLLER_SERVICE_SYNC_H

#include <stdbool.h> /* bool */

#include <cjson/cJSON.h> /* cJSON */

/* True if every key/value of the map `selector` (a JSON object of strings)
 * is in `labels`. An empty or missing selector matches nothing (a Service
 * without a selector has no endpoints kjob manages). */
bool kj_svc_selector_matches(const cJSON *selector, const cJSON *labels);

/* metav1.LabelSelector (matchLabels + matchExpressions with In, NotIn,
 * Exists, DoesNotExist) against `labels`. NULL or {} matches everything, as
 * Kubernetes defines it; an unknown operator matches nothing. */
bool kj_label_selector_matches_json(const cJSON *ls, const cJSON *labels);

/* The aliases a pod with `labels` in namespace `ns` must carry: the names of
 * the Services in `services` (an array of core/v1 Service objects, any
 * namespace) of that namespace that select it, sorted and joined with ","
 * ("" when none). New string owned by the caller. */
char *kj_svc_aliases_for(const cJSON *services, const char *ns, const cJSON *labels);

/* The target port of the Service port matching `want` (a port number or a
 * port name; NULL or "" = the first port) of `svc`: targetPort when it is a
 * number, the template's containerPort of that name when it is a name
 * (`template_spec` = the selected pods' PodSpec, may be NULL), else the port
 * itself. 0 when no port matches. */
int kj_svc_target_port(const cJSON *svc, const char *want, const cJSON *template_spec);

#endif
