/* Server-side printing: the meta.k8s.io/v1 Table that kubectl asks for with
 * `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`, with the columns
 * and cell texts of Kubernetes' own printers (k8s-job.md §8.3-§8.5).
 * Works on the JSON objects the API serves, so it never disagrees with -o json.
 */
#ifndef KJ_KUBEAPI_TABLE_H
#define KJ_KUBEAPI_TABLE_H

#include <cjson/cJSON.h> /* cJSON */
#include <stdbool.h>     /* bool */
#include <stddef.h>      /* size_t */
#include <stdint.h>      /* int64_t */

/* True when an Accept header asks for a Table (v1 or v1beta1). */
bool kj_table_wanted(const char *accept);

/* Kubernetes' HumanDuration of d seconds ("25s", "3m10s", "5h", "2d3h",
 * "<invalid>"), written into buf. Returns buf. */
const char *kj_human_duration(int64_t seconds, char *buf, size_t len);

/* Seconds since the epoch of an RFC 3339 timestamp; -1 if absent/unparsable. */
int64_t kj_rfc3339_seconds(const char *s);

/* Build a Table for a list of objects of one kind ("Job", "Pod", "Event",
 * "Namespace"; any other kind gets Name and Age). `items` is borrowed;
 * `resource_version` may be NULL; `now` is seconds since the epoch.
 * include_object selects the row objects: "None", "Object", or anything else
 * (default) for PartialObjectMetadata. Returns a new tree owned by the caller. */
cJSON *kj_table_build(const char *kind, const cJSON *items, const char *resource_version,
                      int64_t now, const char *include_object);

#endif
