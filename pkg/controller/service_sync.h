/* Services on the kjob network, pure parts: label matching on JSON objects
 * and the alias set a pod must carry. A Service is a DNS name on the pod
 * network (DESIGN.md): every pod it selects carries the Service's name as a
 * network alias. Unit-tested in tests/unit/test_service.c.
 */
#ifndef KJ_CONTROLLER_SERVICE_SYNC_H
#define KJ_CONTROLLER_SERVICE_SYNC_H

#include <stdbool.h> /* bool */
#include <stddef.h>  /* size_t */
#include <stdint.h>  /* uint32_t */

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

/* ---- NodePort / LoadBalancer ports (the API server's and the proxy's) ---- */

#define KJ_SVC_NODE_PORT_MIN 30000
#define KJ_SVC_NODE_PORT_MAX 32767

/* True when `svc` is of type NodePort or LoadBalancer. */
bool kj_svc_needs_node_ports(const cJSON *svc);

/* Before validating an update: a Service whose new type needs no node
 * ports loses the nodePorts it kept unchanged from `old` (Kubernetes wipes
 * them, so `kubectl patch -p '{"spec":{"type":"ClusterIP"}}'` works). */
void kj_svc_node_ports_wipe(cJSON *svc, const cJSON *old);

/* After validation and defaults: give every port of `svc` (when it needs
 * node ports) a nodePort: the one asked for, else the one the same port
 * (number and protocol) had in `old` (NULL on create), else a free one of
 * 30000-32767, searched from a point derived from `seed`. `stored` is an
 * array of the stored Services (any namespace; `svc`'s own stored version,
 * matched by namespace/name, is skipped); a port is free when none of them
 * holds it as a nodePort or, being a LoadBalancer, as a port (it listens
 * there too); a new one also avoids `svc`'s own LoadBalancer ports. Returns 0, or -1 with *bad_index = the port whose explicit
 * nodePort is out of range or taken and *why = kube-apiserver's detail text
 * (static), or -2 when the range is full. */
int kj_svc_node_ports_assign(cJSON *svc, const cJSON *old, const cJSON *stored, uint32_t seed,
                             int *bad_index, const char **why);

/* One listener a Service wants: svc_port (spec.ports[].port) published on
 * 127.0.0.1:host_port. err is 0 while fine, else the errno that stopped it
 * (set by kj_svc_publish_ports for ports the proxy cannot carry, and by the
 * caller when listening failed). */
struct kj_svc_pub_port {
    int svc_port;
    int host_port;
    int err;
};

/* The listeners `svc` wants into out[0..max): a NodePort Service each TCP
 * port on its nodePort, a LoadBalancer one also on the port itself (what
 * Docker Desktop does). Non-TCP ports come back with err
 * EPROTONOSUPPORT. Returns how many (0 for other types). */
size_t kj_svc_publish_ports(const cJSON *svc, struct kj_svc_pub_port *out, size_t max);

#define KJ_SVC_PUBLISHED_CONDITION "kjob.io/PortPublished"

/* The status `svc` should have given the outcome ports[0..n) (n = 0 for a
 * Service that publishes nothing): for NodePort/LoadBalancer the condition
 * KJ_SVC_PUBLISHED_CONDITION (True/Published, or False with reason PortInUse
 * or CannotPublish and the failing addresses in the message), and for a
 * LoadBalancer whose listeners all work loadBalancer.ingress [{ip:
 * 127.0.0.1}]; for other types neither. Other conditions are kept, and the
 * lastTransitionTime while the condition's status holds (else `now`, an
 * RFC 3339 time). A new status object (caller owns), or NULL when the stored
 * status already says exactly that (nothing to write). */
cJSON *kj_svc_publish_status(const cJSON *svc, const struct kj_svc_pub_port *ports, size_t n,
                             const char *now);

/* The condition KJ_SVC_PUBLISHED_CONDITION in `status` (borrowed), or NULL. */
const cJSON *kj_svc_published_condition(const cJSON *status);

#endif
