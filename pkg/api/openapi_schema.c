/* OpenAPI v3 component schemas from the field tables (schema.h), so that
 * `kubectl explain job.spec.template.spec.containers` walks the same model
 * the decoder reads: one component per struct, properties typed from the
 * fields, nested structs by $ref (wrapped in allOf, as kube-apiserver
 * publishes them). The tables carry no prose: the JobSpec fields, the heart
 * of kjob, have a short description here (k8s-job.md §1.1, and what kjob
 * does with them); the rest have none. */
#include "api/codec.h"

#include <stdio.h>
#include <string.h>

#include "api/schema.h"

#define MAX_STRUCTS 128

static const struct {
    const char *go_name, *field, *text;
} descriptions[] = {
    {"Job", "metadata", "The Job's name, namespace, labels and annotations."},
    {"Job", "spec", "What the Job runs and how: pods, completions, parallelism, failure "
                    "handling."},
    {"Job", "status", "What the Job controller observed: pod counts, conditions, times."},
    {"JobSpec", "parallelism", "Maximum number of the Job's pods running at once. Defaults to 1."},
    {"JobSpec", "completions",
     "Number of successfully finished pods the Job needs. Unset with parallelism set: a work "
     "queue, done once any pod succeeds and none runs. Both unset: 1."},
    {"JobSpec", "activeDeadlineSeconds",
     "Seconds since status.startTime after which the Job fails (DeadlineExceeded) and its "
     "running pods are stopped."},
    {"JobSpec", "podFailurePolicy",
     "Rules on failed pods' exit codes (FailJob, FailIndex, Ignore, Count), first match wins. "
     "Immutable."},
    {"JobSpec", "successPolicy", "When an Indexed Job counts as succeeded before all its indexes "
                                 "have. Immutable."},
    {"JobSpec", "backoffLimit",
     "Failures before the Job fails (BackoffLimitExceeded): failed pods under restartPolicy "
     "Never, the sum of restartCounts under OnFailure. Defaults to 6 (to 2147483647 with "
     "backoffLimitPerIndex)."},
    {"JobSpec", "backoffLimitPerIndex", "Failures allowed per index of an Indexed Job. Immutable."},
    {"JobSpec", "maxFailedIndexes", "Failed indexes after which the whole Job fails; needs "
                                    "backoffLimitPerIndex."},
    {"JobSpec", "selector", "Label selector of the Job's pods; generated (controller-uid) unless "
                            "manualSelector is true. Immutable."},
    {"JobSpec", "manualSelector", "Use the given selector instead of the generated one."},
    {"JobSpec", "template", "The pods to create: one Docker container (or a pod group for "
                            "several containers) per pod. Immutable."},
    {"JobSpec", "ttlSecondsAfterFinished",
     "Seconds after the Job finished (Complete or Failed) when it and its pods are deleted."},
    {"JobSpec", "completionMode",
     "NonIndexed (default) or Indexed: each pod gets an index 0..completions-1 "
     "(JOB_COMPLETION_INDEX, hostname <job>-<index>). Immutable."},
    {"JobSpec", "suspend", "True: no pods are created and running ones are deleted; false "
                           "resumes and resets startTime."},
    {"JobSpec", "podReplacementPolicy",
     "When a replacement pod may be created: TerminatingOrFailed (default) or Failed (default "
     "with podFailurePolicy)."},
    {"JobSpec", "managedBy", "The controller that owns the Job; kjob runs only Jobs without one "
                             "(or kubernetes.io/job-controller). Immutable."},
};

static const char *description(const struct kj_schema *sc, const char *field)
{
    for (size_t i = 0; i < sizeof descriptions / sizeof descriptions[0]; i++)
        if (strcmp(descriptions[i].go_name, sc->go_name) == 0 &&
            strcmp(descriptions[i].field, field) == 0)
            return descriptions[i].text;
    return NULL;
}

/* The component name given to each struct reached from the root. */
struct names {
    const struct kj_schema *sc[MAX_STRUCTS];
    char name[MAX_STRUCTS][96];
    size_t n;
};

static const char *name_of(struct names *nm, const struct kj_schema *sc, const char *prefix)
{
    for (size_t i = 0; i < nm->n; i++)
        if (nm->sc[i] == sc)
            return nm->name[i];
    if (nm->n == MAX_STRUCTS)
        return NULL;
    size_t i = nm->n++;
    nm->sc[i] = sc;
    snprintf(nm->name[i], sizeof nm->name[i], "%s.%s", prefix, sc->go_name);
    /* Two Go packages may use one struct name: keep the names apart. */
    for (size_t j = 0; j < i; j++)
        if (strcmp(nm->name[j], nm->name[i]) == 0)
            snprintf(nm->name[i], sizeof nm->name[i], "%s.%s%zu", prefix, sc->go_name, i);
    return nm->name[i];
}

static cJSON *ref_to(const char *name)
{
    char ref[128];
    snprintf(ref, sizeof ref, "#/components/schemas/%s", name);
    cJSON *p = cJSON_CreateObject();
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "$ref", ref);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(p, "allOf"), r);
    return p;
}

static cJSON *typed(const char *type, const char *format)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "type", type);
    if (format != NULL)
        cJSON_AddStringToObject(p, "format", format);
    return p;
}

static cJSON *array_of(cJSON *items)
{
    cJSON *p = typed("array", NULL);
    cJSON_AddItemToObject(p, "items", items);
    return p;
}

static void add_struct(const struct kj_schema *sc, const char *prefix, struct names *nm,
                       cJSON *schemas);

static cJSON *property(const struct kj_field *f, const char *prefix, struct names *nm,
                       cJSON *schemas)
{
    switch (f->type) {
    case KJ_FT_STRING:
    case KJ_FT_TYPEMETA:
    case KJ_FT_QUANTITY:
        return typed("string", NULL);
    case KJ_FT_INT32:
        return typed("integer", "int32");
    case KJ_FT_INT64:
        return typed("integer", "int64");
    case KJ_FT_BOOL:
        return typed("boolean", NULL);
    case KJ_FT_TIME:
    case KJ_FT_MICROTIME:
        return typed("string", "date-time");
    case KJ_FT_LABELS:
    case KJ_FT_RESOURCES: {
        cJSON *p = typed("object", NULL);
        cJSON_AddItemToObject(p, "additionalProperties", typed("string", NULL));
        return p;
    }
    case KJ_FT_STRLIST:
        return array_of(typed("string", NULL));
    case KJ_FT_INT32_ARRAY:
        return array_of(typed("integer", "int32"));
    case KJ_FT_INT_OR_STRING: {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddBoolToObject(p, "x-kubernetes-int-or-string", 1);
        return p;
    }
    case KJ_FT_RAW:
        return typed(f->flags & KJ_FF_RAW_ARRAY ? "array" : "object", NULL);
    case KJ_FT_OBJECT:
    case KJ_FT_ARRAY: {
        const char *name = name_of(nm, f->sub, prefix);
        if (name == NULL)
            return typed("object", NULL);
        add_struct(f->sub, prefix, nm, schemas);
        return f->type == KJ_FT_OBJECT ? ref_to(name) : array_of(ref_to(name));
    }
    default:
        return typed("object", NULL);
    }
}

static void add_struct(const struct kj_schema *sc, const char *prefix, struct names *nm,
                       cJSON *schemas)
{
    const char *name = name_of(nm, sc, prefix);
    if (name == NULL || cJSON_GetObjectItemCaseSensitive(schemas, name) != NULL)
        return;
    cJSON *s = typed("object", NULL);
    cJSON_AddItemToObject(schemas, name, s); /* before recursing: cycles end here */
    cJSON *props = cJSON_AddObjectToObject(s, "properties");
    for (size_t i = 0; i < sc->n_fields; i++) {
        cJSON *prop = property(&sc->fields[i], prefix, nm, schemas);
        const char *text = description(sc, sc->fields[i].json);
        if (text != NULL)
            cJSON_AddStringToObject(prop, "description", text);
        cJSON_AddItemToObject(props, sc->fields[i].json, prop);
    }
}

cJSON *kj_kind_openapi(enum kj_kind kind, const char *prefix, cJSON *schemas)
{
    const struct kj_schema *sc = kj_kind_schema(kind);
    if (sc == NULL)
        return NULL;
    struct names nm = {.n = 0};
    add_struct(sc, prefix, &nm, schemas);
    return cJSON_GetObjectItemCaseSensitive(schemas, nm.name[0]);
}
