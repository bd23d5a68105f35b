/* ObjectMeta validation (apimachinery pkg/api/validation/objectmeta.go,
 * pkg/apis/meta/v1/validation) and per-kind name rules. */
#include "api/validate.h"

#include <ctype.h>  /* tolower */
#include <stdarg.h> /* va_list */
#include <stdio.h>  /* vsnprintf */
#include <stdlib.h> /* free */
#include <string.h>

#include "api/validate-internal.h"
#include "util/xalloc.h"

#define DNS1035_FMT "[a-z]([-a-z0-9]*[a-z0-9])?"

size_t kj_dns1035_label_check(const char *s, struct kj_strlist *msgs)
{
    size_t n = 0, len = strlen(s);
    if (len > KJ_DNS1123_LABEL_MAX) {
        n++;
        if (msgs != NULL)
            kj_strlist_pushf(msgs, "must be no more than %d bytes", KJ_DNS1123_LABEL_MAX);
    }
    bool ok = len > 0 && s[0] >= 'a' && s[0] <= 'z';
    for (size_t i = 0; ok && i < len; i++) {
        char c = s[i];
        bool lower_alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        ok = lower_alnum || (c == '-' && i + 1 < len);
    }
    if (!ok) {
        n++;
        if (msgs != NULL)
            kj_strlist_push(msgs,
                            "a DNS-1035 label must consist of lower case alphanumeric characters "
                            "or '-', start with an alphabetic character, and end with an "
                            "alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used "
                            "for validation is '" DNS1035_FMT "')");
    }
    return n;
}

size_t kj_job_name_check(const char *s, struct kj_strlist *msgs)
{
    return kj_dns1123_subdomain_check(s, msgs);
}

size_t kj_pod_name_check(const char *s, struct kj_strlist *msgs)
{
    return kj_dns1123_subdomain_check(s, msgs);
}

size_t kj_service_name_check(const char *s, struct kj_strlist *msgs)
{
    return kj_dns1035_label_check(s, msgs);
}

size_t kj_namespace_name_check(const char *s, struct kj_strlist *msgs)
{
    return kj_dns1123_label_check(s, msgs);
}

bool kj_v_one_of(const char *v, const char *const *set)
{
    for (size_t i = 0; set[i] != NULL; i++)
        if (strcmp(v, set[i]) == 0)
            return true;
    return false;
}

char *kj_v_pathf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return buf;
}

size_t kj_v_check_msgs(struct kj_field_errors *errs, const char *path, const char *value,
                       size_t (*check)(const char *, struct kj_strlist *))
{
    struct kj_strlist msgs = {0};
    size_t n = check(value, &msgs);
    for (size_t i = 0; i < msgs.len; i++)
        kj_fe_invalid_str(errs, path, value, msgs.items[i]);
    kj_strlist_clear(&msgs);
    return n;
}

size_t kj_labels_validate(const struct kj_labels *labels, const char *path,
                          struct kj_field_errors *errs)
{
    size_t before = errs->len;
    for (size_t i = 0; i < labels->len; i++) {
        kj_v_check_msgs(errs, path, labels->items[i].key, kj_qualified_name_check);
        kj_v_check_msgs(errs, path, labels->items[i].value, kj_label_value_check);
    }
    return errs->len - before;
}

/* 256 KiB of keys plus values (apimachinery TotalAnnotationSizeLimitB). */
#define ANNOTATIONS_MAX_BYTES (256 * 1024)

static void annotations_validate(const struct kj_labels *a, const char *path,
                                 struct kj_field_errors *errs)
{
    size_t total = 0;
    for (size_t i = 0; i < a->len; i++) {
        const char *k = a->items[i].key;
        /* Qualified name, except that case does not matter. */
        char *lower = xstrdup(k);
        for (char *p = lower; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        struct kj_strlist msgs = {0};
        kj_qualified_name_check(lower, &msgs);
        for (size_t j = 0; j < msgs.len; j++)
            kj_fe_invalid_str(errs, path, k, msgs.items[j]);
        kj_strlist_clear(&msgs);
        free(lower);
        total += strlen(k) + strlen(a->items[i].value);
    }
    if (total > ANNOTATIONS_MAX_BYTES)
        kj_fe_too_long(errs, path, ANNOTATIONS_MAX_BYTES);
}

static void finalizers_validate(const struct kj_strlist *f, const char *path,
                                struct kj_field_errors *errs)
{
    bool orphan = false, foreground = false;
    for (size_t i = 0; i < f->len; i++) {
        kj_v_check_msgs(errs, path, f->items[i], kj_qualified_name_check);
        orphan |= strcmp(f->items[i], "orphan") == 0;
        foreground |= strcmp(f->items[i], "foregroundDeletion") == 0;
    }
    if (orphan && foreground) {
        cJSON *arr = cJSON_CreateArray();
        for (size_t i = 0; arr && i < f->len; i++)
            cJSON_AddItemToArray(arr, cJSON_CreateString(f->items[i]));
        kj_fe_invalid_json(errs, path, arr,
                           "finalizer orphan and foregroundDeletion cannot be both set");
        cJSON_Delete(arr);
    }
}

/* schema.FromAPIVersionAndKind's version: "v1" -> v1, "g/v" -> v, else "". */
static bool api_version_has_version(const char *av)
{
    if (av == NULL || av[0] == '\0')
        return false;
    const char *slash = strchr(av, '/');
    if (slash == NULL)
        return true;
    return strchr(slash + 1, '/') == NULL && slash[1] != '\0';
}

/* []metav1.OwnerReference as Go marshals it. */
static cJSON *owner_references_json(const struct kj_object_meta *m)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; arr != NULL && i < m->n_owner_references; i++) {
        const struct kj_owner_reference *r = &m->owner_references[i];
        cJSON *o = cJSON_CreateObject();
        if (o == NULL)
            break;
        cJSON_AddStringToObject(o, "apiVersion", r->api_version ? r->api_version : "");
        cJSON_AddStringToObject(o, "kind", r->kind ? r->kind : "");
        cJSON_AddStringToObject(o, "name", r->name ? r->name : "");
        cJSON_AddStringToObject(o, "uid", r->uid ? r->uid : "");
        if (r->has_controller)
            cJSON_AddBoolToObject(o, "controller", r->controller);
        if (r->has_block_owner_deletion)
            cJSON_AddBoolToObject(o, "blockOwnerDeletion", r->block_owner_deletion);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

static void owner_references_validate(const struct kj_object_meta *m, const char *path,
                                      struct kj_field_errors *errs)
{
    char *first_controller = NULL;
    for (size_t i = 0; i < m->n_owner_references; i++) {
        const struct kj_owner_reference *r = &m->owner_references[i];
        char p[256];
        if (!api_version_has_version(r->api_version)) {
            kj_v_pathf(p, sizeof(p), "%s.apiVersion", path);
            kj_fe_invalid_str(errs, p, r->api_version ? r->api_version : "",
                              "version must not be empty");
        }
        if (r->kind == NULL || r->kind[0] == '\0') {
            kj_v_pathf(p, sizeof(p), "%s.kind", path);
            kj_fe_invalid_str(errs, p, "", "must not be empty");
        }
        if (r->name == NULL || r->name[0] == '\0') {
            kj_v_pathf(p, sizeof(p), "%s.name", path);
            kj_fe_invalid_str(errs, p, "", "must not be empty");
        }
        if (r->uid == NULL || r->uid[0] == '\0') {
            kj_v_pathf(p, sizeof(p), "%s.uid", path);
            kj_fe_invalid_str(errs, p, "", "must not be empty");
        }
        if (r->has_controller && r->controller) {
            char *cur = xasprintf("%s/%s", r->kind ? r->kind : "", r->name ? r->name : "");
            if (first_controller != NULL) {
                char *d = xasprintf("Only one reference can have Controller set to true. "
                                    "Found \"true\" in references for %s and %s",
                                    first_controller, cur);
                cJSON *refs = owner_references_json(m);
                kj_fe_invalid_json(errs, path, refs, d);
                cJSON_Delete(refs);
                free(d);
                free(cur);
            } else {
                first_controller = cur;
            }
        }
    }
    free(first_controller);
}

/* Checks shared by create and update after the name rules. */
static void meta_common(const struct kj_object_meta *m, const char *path,
                        struct kj_field_errors *errs)
{
    char p[256];
    if (m->generation < 0) {
        kj_v_pathf(p, sizeof(p), "%s.generation", path);
        kj_fe_invalid_int(errs, p, m->generation, "must be greater than or equal to 0");
    }
    if (m->labels.len > 0) {
        kj_v_pathf(p, sizeof(p), "%s.labels", path);
        kj_labels_validate(&m->labels, p, errs);
    }
    if (m->annotations.len > 0) {
        kj_v_pathf(p, sizeof(p), "%s.annotations", path);
        annotations_validate(&m->annotations, p, errs);
    }
    if (m->n_owner_references > 0) {
        kj_v_pathf(p, sizeof(p), "%s.ownerReferences", path);
        owner_references_validate(m, p, errs);
    }
    if (m->finalizers.len > 0) {
        kj_v_pathf(p, sizeof(p), "%s.finalizers", path);
        finalizers_validate(&m->finalizers, p, errs);
    }
}

size_t kj_object_meta_validate(const struct kj_object_meta *m, bool namespaced,
                               size_t (*name_check)(const char *, struct kj_strlist *),
                               const char *path, struct kj_field_errors *errs)
{
    size_t before = errs->len;
    char p[256];
    if (m->generate_name != NULL && m->generate_name[0] != '\0') {
        /* A prefix may end in '-': validate it as if that were a letter. */
        char *masked = xstrdup(m->generate_name);
        size_t n = strlen(masked);
        if (n > 1 && masked[n - 1] == '-')
            masked[n - 1] = 'a';
        struct kj_strlist msgs = {0};
        name_check(masked, &msgs);
        kj_v_pathf(p, sizeof(p), "%s.generateName", path);
        for (size_t i = 0; i < msgs.len; i++)
            kj_fe_invalid_str(errs, p, m->generate_name, msgs.items[i]);
        kj_strlist_clear(&msgs);
        free(masked);
    }
    if (m->name == NULL || m->name[0] == '\0') {
        kj_v_pathf(p, sizeof(p), "%s.name", path);
        kj_fe_required(errs, p, "name or generateName is required");
    } else if (name_check(m->name, NULL) > 0) {
        kj_v_pathf(p, sizeof(p), "%s.name", path);
        kj_v_check_msgs(errs, p, m->name, name_check);
    }
    bool has_ns = m->namespace_ != NULL && m->namespace_[0] != '\0';
    if (namespaced && !has_ns) {
        kj_v_pathf(p, sizeof(p), "%s.namespace", path);
        kj_fe_required(errs, p, NULL);
    } else if (namespaced && kj_namespace_name_check(m->namespace_, NULL) > 0) {
        kj_v_pathf(p, sizeof(p), "%s.namespace", path);
        kj_v_check_msgs(errs, p, m->namespace_, kj_namespace_name_check);
    } else if (!namespaced && has_ns) {
        kj_v_pathf(p, sizeof(p), "%s.namespace", path);
        kj_fe_forbidden(errs, p, "not allowed on this type");
    }
    meta_common(m, path, errs);
    return errs->len - before;
}

static bool str_eq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static void immutable_str(struct kj_field_errors *errs, const char *path, const char *child,
                          const char *nv, const char *ov)
{
    if (str_eq(nv, ov))
        return;
    char p[256];
    kj_v_pathf(p, sizeof(p), "%s.%s", path, child);
    kj_fe_invalid_str(errs, p, nv ? nv : "", "field is immutable");
}

/* metav1.Time renders through its String(): Go's time.Time format. */
static void immutable_time(struct kj_field_errors *errs, const char *path, const char *child,
                           int64_t nv, int64_t ov)
{
    if (nv == ov)
        return;
    char p[256];
    kj_v_pathf(p, sizeof(p), "%s.%s", path, child);
    char buf[64];
    kj_fe_invalid_raw(errs, p, nv ? kj_v_go_time_string(nv, buf, sizeof(buf)) : "null",
                      "field is immutable");
}

size_t kj_object_meta_validate_update(const struct kj_object_meta *n,
                                      const struct kj_object_meta *o, const char *path,
                                      struct kj_field_errors *errs)
{
    size_t before = errs->len;
    char p[256];
    if (o->deletion_timestamp != 0) {
        for (size_t i = 0; i < n->finalizers.len; i++) {
            if (!kj_strlist_contains(&o->finalizers, n->finalizers.items[i])) {
                kj_v_pathf(p, sizeof(p), "%s.finalizers", path);
                kj_fe_forbidden(errs, p,
                                "no new finalizers can be added if the object is being deleted");
                break;
            }
        }
    }
    if (n->generation < o->generation) {
        kj_v_pathf(p, sizeof(p), "%s.generation", path);
        kj_fe_invalid_int(errs, p, n->generation, "must not be decremented");
    }
    kj_v_pathf(p, sizeof(p), "%s.finalizers", path);
    finalizers_validate(&n->finalizers, p, errs);
    immutable_str(errs, path, "name", n->name, o->name);
    immutable_str(errs, path, "namespace", n->namespace_, o->namespace_);
    immutable_str(errs, path, "uid", n->uid, o->uid);
    immutable_time(errs, path, "creationTimestamp", n->creation_timestamp,
                   o->creation_timestamp);
    immutable_time(errs, path, "deletionTimestamp", n->deletion_timestamp,
                   o->deletion_timestamp);
    if (n->has_deletion_grace_period_seconds != o->has_deletion_grace_period_seconds ||
        n->deletion_grace_period_seconds != o->deletion_grace_period_seconds) {
        kj_v_pathf(p, sizeof(p), "%s.deletionGracePeriodSeconds", path);
        if (n->has_deletion_grace_period_seconds)
            kj_fe_invalid_int(errs, p, n->deletion_grace_period_seconds, "field is immutable");
        else
            kj_fe_invalid_raw(errs, p, "null", "field is immutable");
    }
    kj_v_pathf(p, sizeof(p), "%s.labels", path);
    kj_labels_validate(&n->labels, p, errs);
    kj_v_pathf(p, sizeof(p), "%s.annotations", path);
    annotations_validate(&n->annotations, p, errs);
    kj_v_pathf(p, sizeof(p), "%s.ownerReferences", path);
    owner_references_validate(n, p, errs);
    return errs->len - before;
}
