/* Kind dispatch and the typed wrappers of codec.h, plus the small helpers of
 * meta.h, pod.h and job.h. Every clear/copy is the generic engine applied to
 * the struct's table. */
#include "api/codec.h"

#include <stdlib.h>
#include <string.h>

#include "api/schema.h"
#include "util/xalloc.h" /* xstrdup, xrealloc */

struct kind_entry {
    struct kj_kind_info info;
    const struct kj_schema *schema;
};

static const struct kind_entry kinds[KJ_KIND_COUNT_] = {
    [KJ_KIND_JOB] = {{KJ_KIND_JOB, "batch/v1", "batch", "Job", "jobs", true, sizeof(struct kj_job)},
                     &kj_schema_job},
    [KJ_KIND_JOB_LIST] = {{KJ_KIND_JOB_LIST, "batch/v1", "batch", "JobList", NULL, true,
                           sizeof(struct kj_job_list)},
                          &kj_schema_job_list},
    [KJ_KIND_POD] = {{KJ_KIND_POD, "v1", "", "Pod", "pods", true, sizeof(struct kj_pod)}, &kj_schema_pod},
    [KJ_KIND_POD_LIST] = {{KJ_KIND_POD_LIST, "v1", "", "PodList", NULL, true, sizeof(struct kj_pod_list)},
                          &kj_schema_pod_list},
    [KJ_KIND_EVENT] = {{KJ_KIND_EVENT, "v1", "", "Event", "events", true, sizeof(struct kj_event)},
                       &kj_schema_event},
    [KJ_KIND_EVENT_LIST] = {{KJ_KIND_EVENT_LIST, "v1", "", "EventList", NULL, true,
                             sizeof(struct kj_event_list)},
                            &kj_schema_event_list},
    [KJ_KIND_REPLICA_SET] = {{KJ_KIND_REPLICA_SET, "apps/v1", "apps", "ReplicaSet", "replicasets", true,
                              sizeof(struct kj_replica_set)},
                             &kj_schema_replica_set},
    [KJ_KIND_SERVICE] = {{KJ_KIND_SERVICE, "v1", "", "Service", "services", true, sizeof(struct kj_service)},
                         &kj_schema_service},
    [KJ_KIND_NAMESPACE] = {{KJ_KIND_NAMESPACE, "v1", "", "Namespace", "namespaces", false,
                            sizeof(struct kj_namespace)},
                           &kj_schema_namespace},
    [KJ_KIND_STATUS] = {{KJ_KIND_STATUS, "v1", "", "Status", NULL, false, sizeof(struct kj_status)},
                        &kj_schema_status},
};

static const struct kind_entry *entry(enum kj_kind kind)
{
    if ((int)kind <= (int)KJ_KIND_UNKNOWN || (int)kind >= (int)KJ_KIND_COUNT_)
        return NULL;
    return &kinds[kind];
}

const struct kj_schema *kj_kind_schema(enum kj_kind kind)
{
    const struct kind_entry *e = entry(kind);
    return e ? e->schema : NULL;
}

const struct kj_kind_info *kj_kind_info(enum kj_kind kind)
{
    const struct kind_entry *e = entry(kind);
    return e ? &e->info : NULL;
}

enum kj_kind kj_kind_lookup(const char *api_version, const char *kind)
{
    if (api_version == NULL || kind == NULL)
        return KJ_KIND_UNKNOWN;
    for (int k = KJ_KIND_UNKNOWN + 1; k < KJ_KIND_COUNT_; k++)
        if (strcmp(kinds[k].info.api_version, api_version) == 0 && strcmp(kinds[k].info.name, kind) == 0)
            return (enum kj_kind)k;
    return KJ_KIND_UNKNOWN;
}

enum kj_kind kj_kind_by_resource(const char *group, const char *resource)
{
    if (group == NULL || resource == NULL)
        return KJ_KIND_UNKNOWN;
    for (int k = KJ_KIND_UNKNOWN + 1; k < KJ_KIND_COUNT_; k++)
        if (kinds[k].info.resource != NULL && strcmp(kinds[k].info.group, group) == 0 &&
            strcmp(kinds[k].info.resource, resource) == 0)
            return (enum kj_kind)k;
    return KJ_KIND_UNKNOWN;
}

static const char *json_str(const cJSON *j, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

enum kj_kind kj_object_kind_of(const cJSON *j)
{
    if (!cJSON_IsObject(j))
        return KJ_KIND_UNKNOWN;
    return kj_kind_lookup(json_str(j, "apiVersion"), json_str(j, "kind"));
}

int kj_object_from_json(enum kj_kind kind, const cJSON *j, void *out, struct kj_strlist *unknown,
                        struct kj_strlist *ignored, kj_error_t *err)
{
    const struct kind_entry *e = entry(kind);
    if (e == NULL)
        return kj_make_http_error(err, 400, "unknown object kind %d", (int)kind);
    if (!cJSON_IsObject(j)) {
        const char *what = cJSON_IsArray(j) ? "array" : cJSON_IsString(j) ? "string"
                         : cJSON_IsNumber(j) ? "number" : cJSON_IsBool(j) ? "bool" : "null";
        return kj_make_http_error(err, 400, "json: cannot unmarshal %s into Go value of type %s.%s", what,
                                  e->schema->go_pkg, e->schema->go_name);
    }
    const char *av = json_str(j, "apiVersion"), *k = json_str(j, "kind");
    if ((av != NULL && av[0] != '\0' && strcmp(av, e->info.api_version) != 0) ||
        (k != NULL && k[0] != '\0' && strcmp(k, e->info.name) != 0))
        return kj_make_http_error(err, 400, "object of kind `%s` (`%s`) cannot be decoded as `%s` (`%s`)",
                                  k && k[0] ? k : e->info.name, av && av[0] ? av : e->info.api_version,
                                  e->info.name, e->info.api_version);
    if (kj_schema_decode(e->schema, j, out, "", "", unknown, ignored, err) < 0) {
        kj_schema_clear(e->schema, out);
        return -1;
    }
    return 0;
}

cJSON *kj_object_to_json(enum kj_kind kind, const void *obj)
{
    const struct kind_entry *e = entry(kind);
    if (e == NULL)
        return NULL;
    cJSON *o = cJSON_CreateObject();
    if (o == NULL || cJSON_AddStringToObject(o, "kind", e->info.name) == NULL ||
        cJSON_AddStringToObject(o, "apiVersion", e->info.api_version) == NULL) {
        cJSON_Delete(o);
        return NULL;
    }
    kj_schema_encode(e->schema, obj, o);
    return o;
}

void kj_object_clear(enum kj_kind kind, void *obj)
{
    const struct kind_entry *e = entry(kind);
    if (e != NULL)
        kj_schema_clear(e->schema, obj);
}

void kj_object_copy(enum kj_kind kind, void *dst, const void *src)
{
    const struct kind_entry *e = entry(kind);
    if (e != NULL)
        kj_schema_copy(e->schema, dst, src);
}

#define KIND_CODEC(fn, T, K)                                                                   \
    int kj_##fn##_from_json(const cJSON *j, T *out, struct kj_strlist *unknown,               \
                            struct kj_strlist *ignored, kj_error_t *err)                       \
    {                                                                                          \
        return kj_object_from_json(K, j, out, unknown, ignored, err);                          \
    }                                                                                          \
    cJSON *kj_##fn##_to_json(const T *obj)                                                     \
    {                                                                                          \
        return kj_object_to_json(K, obj);                                                      \
    }

KIND_CODEC(job, struct kj_job, KJ_KIND_JOB)
KIND_CODEC(job_list, struct kj_job_list, KJ_KIND_JOB_LIST)
KIND_CODEC(pod, struct kj_pod, KJ_KIND_POD)
KIND_CODEC(pod_list, struct kj_pod_list, KJ_KIND_POD_LIST)
KIND_CODEC(event, struct kj_event, KJ_KIND_EVENT)
KIND_CODEC(replica_set, struct kj_replica_set, KJ_KIND_REPLICA_SET)
KIND_CODEC(service, struct kj_service, KJ_KIND_SERVICE)
KIND_CODEC(namespace, struct kj_namespace, KJ_KIND_NAMESPACE)
KIND_CODEC(status, struct kj_status, KJ_KIND_STATUS)

int kj_pod_template_spec_from_json(const cJSON *j, struct kj_pod_template_spec *out,
                                   struct kj_strlist *unknown, struct kj_strlist *ignored,
                                   kj_error_t *err)
{
    if (!cJSON_IsObject(j))
        return kj_make_http_error(err, 400, "json: cannot unmarshal non-object into Go value of type v1.PodTemplateSpec");
    if (kj_schema_decode(&kj_schema_pod_template_spec, j, out, "", "", unknown, ignored, err) < 0) {
        kj_schema_clear(&kj_schema_pod_template_spec, out);
        return -1;
    }
    return 0;
}

static cJSON *encode_plain(const struct kj_schema *sc, const void *obj)
{
    cJSON *o = cJSON_CreateObject();
    if (o != NULL)
        kj_schema_encode(sc, obj, o);
    return o;
}

cJSON *kj_pod_template_spec_to_json(const struct kj_pod_template_spec *t)
{
    return encode_plain(&kj_schema_pod_template_spec, t);
}

int kj_label_selector_from_json(const cJSON *j, struct kj_label_selector *out, kj_error_t *err)
{
    if (!cJSON_IsObject(j))
        return kj_make_http_error(err, 400, "json: cannot unmarshal non-object into Go value of type v1.LabelSelector");
    if (kj_schema_decode(&kj_schema_label_selector, j, out, "", "", NULL, NULL, err) < 0) {
        kj_schema_clear(&kj_schema_label_selector, out);
        return -1;
    }
    return 0;
}

cJSON *kj_label_selector_to_json(const struct kj_label_selector *s)
{
    return encode_plain(&kj_schema_label_selector, s);
}

cJSON *kj_object_meta_to_json(const struct kj_object_meta *m)
{
    return encode_plain(&kj_schema_object_meta, m);
}

cJSON *kj_list_json_new(const char *api_version, const char *list_kind, const char *rv)
{
    cJSON *o = cJSON_CreateObject(), *meta;
    if (o == NULL || cJSON_AddStringToObject(o, "kind", list_kind) == NULL ||
        cJSON_AddStringToObject(o, "apiVersion", api_version) == NULL ||
        (meta = cJSON_AddObjectToObject(o, "metadata")) == NULL ||
        (rv != NULL && cJSON_AddStringToObject(meta, "resourceVersion", rv) == NULL) ||
        cJSON_AddArrayToObject(o, "items") == NULL) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* ---- clear / copy of every struct the headers name ---- */

#define CLEAR(fn, T, sc)                                                                       \
    void kj_##fn##_clear(T *x)                                                                 \
    {                                                                                          \
        kj_schema_clear(&sc, x);                                                               \
    }
#define COPY(fn, T, sc)                                                                        \
    void kj_##fn##_copy(T *dst, const T *src)                                                  \
    {                                                                                          \
        kj_schema_copy(&sc, dst, src);                                                         \
    }

CLEAR(owner_reference, struct kj_owner_reference, kj_schema_owner_reference)
COPY(owner_reference, struct kj_owner_reference, kj_schema_owner_reference)
CLEAR(object_meta, struct kj_object_meta, kj_schema_object_meta)
COPY(object_meta, struct kj_object_meta, kj_schema_object_meta)
CLEAR(list_meta, struct kj_list_meta, kj_schema_list_meta)
CLEAR(label_selector, struct kj_label_selector, kj_schema_label_selector)
COPY(label_selector, struct kj_label_selector, kj_schema_label_selector)
CLEAR(condition, struct kj_condition, kj_schema_condition)
COPY(condition, struct kj_condition, kj_schema_condition)
CLEAR(object_reference, struct kj_object_reference, kj_schema_object_reference)

CLEAR(container, struct kj_container, kj_schema_container)
COPY(container, struct kj_container, kj_schema_container)
CLEAR(volume, struct kj_volume, kj_schema_volume)
CLEAR(pod_spec, struct kj_pod_spec, kj_schema_pod_spec)
COPY(pod_spec, struct kj_pod_spec, kj_schema_pod_spec)
CLEAR(pod_template_spec, struct kj_pod_template_spec, kj_schema_pod_template_spec)
COPY(pod_template_spec, struct kj_pod_template_spec, kj_schema_pod_template_spec)
CLEAR(container_status, struct kj_container_status, kj_schema_container_status)
CLEAR(pod_status, struct kj_pod_status, kj_schema_pod_status)
COPY(pod_status, struct kj_pod_status, kj_schema_pod_status)
CLEAR(pod, struct kj_pod, kj_schema_pod)
COPY(pod, struct kj_pod, kj_schema_pod)
CLEAR(pod_list, struct kj_pod_list, kj_schema_pod_list)

CLEAR(job_spec, struct kj_job_spec, kj_schema_job_spec)
COPY(job_spec, struct kj_job_spec, kj_schema_job_spec)
CLEAR(job_status, struct kj_job_status, kj_schema_job_status)
COPY(job_status, struct kj_job_status, kj_schema_job_status)
CLEAR(job, struct kj_job, kj_schema_job)
COPY(job, struct kj_job, kj_schema_job)
CLEAR(job_list, struct kj_job_list, kj_schema_job_list)

CLEAR(event, struct kj_event, kj_schema_event)
COPY(event, struct kj_event, kj_schema_event)
CLEAR(event_list, struct kj_event_list, kj_schema_event_list)
CLEAR(replica_set, struct kj_replica_set, kj_schema_replica_set)
COPY(replica_set, struct kj_replica_set, kj_schema_replica_set)
CLEAR(service, struct kj_service, kj_schema_service)
COPY(service, struct kj_service, kj_schema_service)
CLEAR(namespace, struct kj_namespace, kj_schema_namespace)
COPY(namespace, struct kj_namespace, kj_schema_namespace)
CLEAR(status, struct kj_status, kj_schema_status)
CLEAR(status_details, struct kj_status_details, kj_schema_status_details)
CLEAR(replica_set_spec, struct kj_replica_set_spec, kj_schema_replica_set_spec)
CLEAR(replica_set_status, struct kj_replica_set_status, kj_schema_replica_set_status)
CLEAR(service_port, struct kj_service_port, kj_schema_service_port)
CLEAR(service_spec, struct kj_service_spec, kj_schema_service_spec)
CLEAR(env_var, struct kj_env_var, kj_schema_env_var)
CLEAR(container_port, struct kj_container_port, kj_schema_container_port)
CLEAR(volume_mount, struct kj_volume_mount, kj_schema_volume_mount)
CLEAR(resource_requirements, struct kj_resource_requirements, kj_schema_resource_requirements)
CLEAR(pod_container_state, struct kj_pod_container_state, kj_schema_pod_container_state)
CLEAR(pod_failure_policy_rule, struct kj_pod_failure_policy_rule, kj_schema_pod_failure_policy_rule)
CLEAR(pod_failure_policy, struct kj_pod_failure_policy, kj_schema_pod_failure_policy)
CLEAR(success_policy, struct kj_success_policy, kj_schema_success_policy)
CLEAR(label_selector_requirement, struct kj_label_selector_requirement,
      kj_schema_label_selector_requirement)

void kj_int_or_string_clear(struct kj_int_or_string *v)
{
    free(v->str_val);
    memset(v, 0, sizeof *v);
}

void kj_resource_list_clear(struct kj_resource_list *l)
{
    for (size_t i = 0; i < l->len; i++)
        free(l->items[i].name);
    free(l->items);
    l->items = NULL;
    l->len = 0;
}

const struct kj_quantity *kj_resource_list_get(const struct kj_resource_list *l, const char *name)
{
    for (size_t i = 0; i < l->len; i++)
        if (strcmp(l->items[i].name, name) == 0)
            return &l->items[i].quantity;
    return NULL;
}

void kj_resource_list_set(struct kj_resource_list *l, const char *name, const struct kj_quantity *q)
{
    size_t i = 0;
    while (i < l->len && strcmp(l->items[i].name, name) < 0)
        i++;
    if (i < l->len && strcmp(l->items[i].name, name) == 0) {
        l->items[i].quantity = *q;
        return;
    }
    l->items = xrealloc(l->items, (l->len + 1) * sizeof *l->items);
    memmove(&l->items[i + 1], &l->items[i], (l->len - i) * sizeof *l->items);
    l->items[i].name = xstrdup(name);
    l->items[i].quantity = *q;
    l->len++;
}

const struct kj_owner_reference *kj_object_meta_controller_ref(const struct kj_object_meta *m)
{
    for (size_t i = 0; i < m->n_owner_references; i++)
        if (m->owner_references[i].has_controller && m->owner_references[i].controller)
            return &m->owner_references[i];
    return NULL;
}

const struct kj_condition *kj_job_find_condition(const struct kj_job *j, const char *type)
{
    for (size_t i = 0; i < j->status.n_conditions; i++)
        if (j->status.conditions[i].type != NULL && strcmp(j->status.conditions[i].type, type) == 0)
            return &j->status.conditions[i];
    return NULL;
}

bool kj_job_is_finished(const struct kj_job *j)
{
    for (size_t i = 0; i < j->status.n_conditions; i++) {
        const struct kj_condition *c = &j->status.conditions[i];
        if (c->type && c->status && strcmp(c->status, "True") == 0 &&
            (strcmp(c->type, "Complete") == 0 || strcmp(c->type, "Failed") == 0))
            return true;
    }
    return false;
}
