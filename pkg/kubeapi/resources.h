/* The API resources kjobd serves: one table, the single source of truth for
 * discovery (/api, /apis, aggregated discovery), the OpenAPI documents and
 * the REST router's resource lookup. Static data; no allocation.
 */
#ifndef KJ_KUBEAPI_RESOURCES_H
#define KJ_KUBEAPI_RESOURCES_H

#include <stdbool.h> /* bool */
#include <stddef.h>  /* size_t */

struct kj_api_resource {
    const char *group;    /* "" for the core group */
    const char *version;  /* "v1" */
    const char *name;     /* plural, e.g. "jobs"; subresources as "jobs/status" */
    const char *singular; /* "job"; "" for subresources */
    const char *kind;     /* "Job" */
    const char *list_kind;
    bool namespaced;
    const char *const *verbs;       /* NULL-terminated */
    const char *const *short_names; /* NULL-terminated, may be NULL */
    bool in_all_category;           /* listed by `kubectl get all` */
    const char *schema_name;        /* OpenAPI component name, e.g. io.k8s.api.batch.v1.Job */
};

/* The whole table, in discovery order. */
const struct kj_api_resource *kj_resources(size_t *n);

/* Find a resource (or "res/sub") in group/version. NULL if not served. */
const struct kj_api_resource *kj_resource_find(const char *group, const char *version,
                                           const char *name);

/* Resolve what a user types (`jobs`, `job`, `jobs.batch`, `po`, `ev`) to a
 * top-level resource, as kubectl's RESTMapper does. NULL if unknown. */
const struct kj_api_resource *kj_resource_resolve(const char *typed);

/* The collection path of r: "/apis/batch/v1/namespaces/<ns>/jobs", or
 * without the namespace part when ns is NULL or r is cluster-scoped.
 * Returns the length written (snprintf semantics). */
int kj_resource_path(const struct kj_api_resource *r, const char *ns, char *buf, size_t len);

/* The distinct group/versions, in order: "v1" (core), "batch/v1", ...
 * Returns how many were written (at most cap). Pointers are static. */
size_t kj_resource_group_versions(const char **groups, const char **versions, size_t cap);

/* The server version kjobd reports (the Kubernetes minor it emulates). */
#define KJ_KUBE_MAJOR "1"
#define KJ_KUBE_MINOR "32"
#define KJ_KUBE_GIT_VERSION "v1.32.0-kjob"

#endif
