/* Defaulting (§1.1, upstream pkg/apis/batch/v1/defaults.go and
 * pkg/apis/core/v1/defaults.go) and create/update preparation (§1.2, §1.3,
 * upstream pkg/registry/batch/job/strategy.go). */
#include "api/validate.h"

#include <stdlib.h>     /* free */
#include <string.h>
#include <sys/random.h> /* getrandom */

#include "util/xalloc.h"

static void set_str(char **dst, const char *v)
{
    free(*dst);
    *dst = xstrdup(v);
}

static bool empty(const char *s)
{
    return s == NULL || s[0] == '\0';
}

/* A docker reference path component: lowercase alphanumerics joined by
 * '.', '_', '__' or runs of '-'. Approximated as: lowercase alphanumerics
 * and separators, starting and ending alphanumeric. */
static bool path_component_ok(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && c != '.' && c != '_' && c != '-')
            return false;
        if ((i == 0 || i == n - 1) && !alnum)
            return false;
    }
    return true;
}

/* distribution/reference ParseNormalizedNamed, approximately: returns false
 * for names upstream would refuse (so the pull policy falls back to
 * IfNotPresent); sets *tag (may be empty) and *digest. */
static bool parse_image(const char *image, const char **tag, size_t *tag_len, bool *digest)
{
    size_t len = strlen(image);
    const char *at = memchr(image, '@', len);
    size_t name_len = at ? (size_t)(at - image) : len;
    *digest = at != NULL;
    if (at != NULL) {
        const char *dc = strchr(at + 1, ':');
        if (dc == NULL || dc == at + 1 || dc[1] == '\0')
            return false;
    }
    const char *name = image;
    const char *last_slash = NULL;
    for (size_t i = 0; i < name_len; i++)
        if (name[i] == '/')
            last_slash = name + i;
    const char *colon = NULL;
    for (const char *p = last_slash ? last_slash + 1 : name; p < name + name_len; p++)
        if (*p == ':')
            colon = p;
    *tag = colon ? colon + 1 : "";
    *tag_len = colon ? (size_t)(name + name_len - colon - 1) : 0;
    if (colon != NULL) {
        if (*tag_len == 0 || *tag_len > 128)
            return false;
        for (size_t i = 0; i < *tag_len; i++) {
            char c = (*tag)[i];
            bool w = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '_';
            if (!w && (i == 0 || (c != '.' && c != '-')))
                return false;
        }
    }
    size_t repo_len = colon ? (size_t)(colon - name) : name_len;
    if (repo_len == 0)
        return false;
    /* The first component is a registry host when it has '.' or ':' or is
     * "localhost" (and there is more than one component); hosts may hold
     * upper case and a port, path components may not. */
    const char *p = name, *end = name + repo_len;
    const char *slash = memchr(p, '/', repo_len);
    if (slash != NULL) {
        size_t n = (size_t)(slash - p);
        bool host = memchr(p, '.', n) || memchr(p, ':', n) || (n == 9 && !memcmp(p, "localhost", 9));
        if (host || (n > 0 && strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789._-") < n)) {
            if (n == 0)
                return false;
            p = slash + 1;
        }
    }
    while (p < end) {
        const char *s = memchr(p, '/', (size_t)(end - p));
        size_t n = s ? (size_t)(s - p) : (size_t)(end - p);
        if (!path_component_ok(p, n))
            return false;
        p += n + (s ? 1 : 0);
        if (s != NULL && p == end)
            return false;
    }
    return true;
}

const char *kj_image_default_pull_policy(const char *image)
{
    const char *tag;
    size_t tag_len;
    bool digest;
    if (empty(image) || !parse_image(image, &tag, &tag_len, &digest))
        return "IfNotPresent";
    if (tag_len == 0 && !digest)
        return "Always";
    if (tag_len == 6 && memcmp(tag, "latest", 6) == 0)
        return "Always";
    return "IfNotPresent";
}

void kj_container_default(struct kj_container *c)
{
    if (empty(c->image_pull_policy))
        set_str(&c->image_pull_policy, kj_image_default_pull_policy(c->image));
    if (empty(c->termination_message_path))
        set_str(&c->termination_message_path, "/dev/termination-log");
    if (empty(c->termination_message_policy))
        set_str(&c->termination_message_policy, "File");
    for (size_t i = 0; i < c->n_ports; i++)
        if (empty(c->ports[i].protocol))
            set_str(&c->ports[i].protocol, "TCP");
    for (size_t i = 0; i < c->n_env; i++) {
        struct kj_env_var *e = &c->env[i];
        if (e->has_value_from && e->value_from.has_field_ref &&
            empty(e->value_from.field_ref.api_version))
            set_str(&e->value_from.field_ref.api_version, "v1");
    }
}

static bool volume_has_source(const struct kj_volume *v)
{
    return v->has_empty_dir || v->has_host_path || v->config_map || v->secret ||
           v->persistent_volume_claim || v->projected || v->downward_api || v->ephemeral ||
           v->csi || v->nfs;
}

void kj_pod_spec_default(struct kj_pod_spec *s)
{
    if (empty(s->dns_policy))
        set_str(&s->dns_policy, "ClusterFirst");
    if (empty(s->restart_policy))
        set_str(&s->restart_policy, "Always");
    if (s->security_context == NULL) {
        s->security_context = cJSON_CreateObject();
        if (s->security_context == NULL)
            kj_panic(__FILE__, __LINE__, "out of memory");
    }
    if (!s->has_termination_grace_period_seconds) {
        s->has_termination_grace_period_seconds = true;
        s->termination_grace_period_seconds = 30;
    }
    if (empty(s->scheduler_name))
        set_str(&s->scheduler_name, "default-scheduler");
    for (size_t i = 0; i < s->n_volumes; i++)
        if (!volume_has_source(&s->volumes[i]))
            s->volumes[i].has_empty_dir = true;
    for (size_t i = 0; i < s->n_init_containers; i++)
        kj_container_default(&s->init_containers[i]);
    for (size_t i = 0; i < s->n_containers; i++)
        kj_container_default(&s->containers[i]);
}

void kj_pod_template_default(struct kj_pod_template_spec *t)
{
    kj_pod_spec_default(&t->spec);
}

/* Rule 4: Go copies the template's label map when the Job has none. */
static void default_job_labels(struct kj_job *job)
{
    if (job->metadata.labels.len == 0 && job->spec.template_.metadata.labels.len > 0)
        kj_labels_copy(&job->metadata.labels, &job->spec.template_.metadata.labels);
}

void kj_job_default(struct kj_job *job)
{
    struct kj_job_spec *s = &job->spec;
    if (!s->has_completions && !s->has_parallelism) {
        s->has_completions = s->has_parallelism = true;
        s->completions = s->parallelism = 1;
    }
    if (!s->has_parallelism) {
        s->has_parallelism = true;
        s->parallelism = 1;
    }
    if (!s->has_backoff_limit) {
        s->has_backoff_limit = true;
        s->backoff_limit = s->has_backoff_limit_per_index ? INT32_MAX : 6;
    }
    default_job_labels(job);
    if (s->completion_mode == NULL)
        set_str(&s->completion_mode, "NonIndexed");
    if (!s->has_suspend) {
        s->has_suspend = true;
        s->suspend = false;
    }
    if (s->has_pod_failure_policy) {
        for (size_t i = 0; i < s->pod_failure_policy.n_rules; i++) {
            struct kj_pod_failure_policy_rule *r = &s->pod_failure_policy.rules[i];
            for (size_t j = 0; j < r->n_on_pod_conditions; j++)
                if (empty(r->on_pod_conditions[j].status))
                    set_str(&r->on_pod_conditions[j].status, "True");
        }
    }
    if (s->pod_replacement_policy == NULL)
        set_str(&s->pod_replacement_policy,
                s->has_pod_failure_policy ? "Failed" : "TerminatingOrFailed");
    if (!s->has_manual_selector) {
        s->has_manual_selector = true;
        s->manual_selector = false;
    }
    kj_pod_template_default(&s->template_);
}

void kj_random_suffix(char buf[6])
{
    static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
    const unsigned n = sizeof(alphabet) - 1; /* 27 */
    size_t got = 0;
    while (got < 5) {
        unsigned char r[16];
        ssize_t k = getrandom(r, sizeof(r), 0);
        if (k <= 0)
            kj_panic(__FILE__, __LINE__, "getrandom failed");
        for (ssize_t i = 0; i < k && got < 5; i++) {
            /* Reject the top of the byte range so every letter is equally likely. */
            if (r[i] >= 256 - 256 % n)
                continue;
            buf[got++] = alphabet[r[i] % n];
        }
    }
    buf[5] = '\0';
}

char *kj_generate_name(const char *base)
{
    /* apiserver's SimpleNameGenerator: 63 - 5 bytes of base at most. */
    size_t n = strlen(base);
    if (n > 58)
        n = 58;
    char suffix[6];
    kj_random_suffix(suffix);
    return xasprintf("%.*s%s", (int)n, base, suffix);
}

static void set_label_if_absent(struct kj_labels *m, const char *key, const char *value)
{
    if (kj_labels_get(m, key) == NULL)
        kj_labels_set(m, key, value);
}

/* strategy.go generateSelector. */
static void generate_selector(struct kj_job *job)
{
    struct kj_labels *tl = &job->spec.template_.metadata.labels;
    const char *name = job->metadata.name ? job->metadata.name : "";
    const char *uid = job->metadata.uid ? job->metadata.uid : "";
    set_label_if_absent(tl, KJ_LABEL_LEGACY_JOB_NAME, name);
    set_label_if_absent(tl, KJ_LABEL_JOB_NAME, name);
    set_label_if_absent(tl, KJ_LABEL_LEGACY_CONTROLLER_UID, uid);
    set_label_if_absent(tl, KJ_LABEL_CONTROLLER_UID, uid);
    job->spec.has_selector = true;
    set_label_if_absent(&job->spec.selector.match_labels, KJ_LABEL_CONTROLLER_UID, uid);
}

void kj_job_prepare_create(struct kj_job *job, const char *uid, int64_t now_ns)
{
    struct kj_object_meta *m = &job->metadata;
    kj_job_status_clear(&job->status);
    m->generation = 1;
    set_str(&m->uid, uid ? uid : "");
    m->creation_timestamp = now_ns;
    m->deletion_timestamp = 0;
    m->has_deletion_grace_period_seconds = false;
    m->deletion_grace_period_seconds = 0;
    if (empty(m->name) && !empty(m->generate_name)) {
        free(m->name);
        m->name = kj_generate_name(m->generate_name);
    }
    if (!(job->spec.has_manual_selector && job->spec.manual_selector))
        generate_selector(job);
    /* Upstream re-applies defaults when it reads the stored object back, so
     * the created Job's labels already show the generated template labels. */
    default_job_labels(job);
}

static void keep_system_meta(struct kj_object_meta *n, const struct kj_object_meta *o)
{
    n->generation = o->generation;
    if (empty(n->uid) && o->uid != NULL)
        set_str(&n->uid, o->uid);
    if (o->creation_timestamp != 0)
        n->creation_timestamp = o->creation_timestamp;
    if (o->deletion_timestamp != 0)
        n->deletion_timestamp = o->deletion_timestamp;
    if (o->has_deletion_grace_period_seconds) {
        n->has_deletion_grace_period_seconds = true;
        n->deletion_grace_period_seconds = o->deletion_grace_period_seconds;
    }
}

void kj_job_prepare_update(struct kj_job *new_, const struct kj_job *old)
{
    keep_system_meta(&new_->metadata, &old->metadata);
    kj_job_status_copy(&new_->status, &old->status);
    if (!kj_job_spec_equal(&new_->spec, &old->spec))
        new_->metadata.generation = old->metadata.generation + 1;
}

void kj_job_prepare_status_update(struct kj_job *new_, const struct kj_job *old)
{
    /* Upstream's status strategy replaces only the spec; metadata from the
     * body goes through (system fields kept as for any update). */
    keep_system_meta(&new_->metadata, &old->metadata);
    kj_job_spec_copy(&new_->spec, &old->spec);
}
