/* Validation of apps/v1 ReplicaSets and core/v1 Services on their typed
 * form (core.h), with kube-apiserver's field paths and messages, so a 422
 * for these kinds reads like one for Jobs (validate.h):
 *
 *   struct kj_field_errors errs;
 *   kj_field_errors_init(&errs);
 *   if (kj_replica_set_validate(&rs, &errs) > 0)
 *       422 with kj_field_errors_status(&errs, "ReplicaSet", "apps", name)
 *   kj_field_errors_free(&errs);
 *
 * Only what kjob relies on is checked (the apimachinery subset in the
 * issue): names, replicas, selector against template labels, the pod
 * template's restartPolicy and containers; Service ports, protocols, type.
 */
#ifndef KJ_API_VALIDATE_QUEUE_H
#define KJ_API_VALIDATE_QUEUE_H

#include <stddef.h> /* size_t */

#include "api/core.h"     /* struct kj_replica_set, struct kj_service */
#include "api/fielderr.h" /* struct kj_field_errors */

/* Append every problem of `rs` (as decoded, before defaults: an unset
 * spec.replicas means 1 and a NULL restartPolicy means Always) to `errs`.
 * Returns the number of errors added; never fails. */
size_t kj_replica_set_validate(const struct kj_replica_set *rs, struct kj_field_errors *errs);

/* Same for a Service: name is a DNS-1035 label, ports are required unless
 * the Service is headless (clusterIP None) or ExternalName. */
size_t kj_service_validate(const struct kj_service *svc, struct kj_field_errors *errs);

#endif
