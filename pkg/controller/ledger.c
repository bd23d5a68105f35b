#include "ledger.h"

#include <inttypes.h> /* PRId64 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct kj_ledger *kj_ledger_new(void)
{
    return xcalloc(1, sizeof(struct kj_ledger));
}

void kj_ledger_free(struct kj_ledger *l)
{
    if (l == NULL)
        return;
    for (int i = 0; i < l->n; i++) {
        free(l->pods[i].name);
        free(l->pods[i].uid);
    }
    free(l->pods);
    free(l);
}

struct kj_ledger *kj_ledger_dup(const struct kj_ledger *l)
{
    struct kj_ledger *c = kj_ledger_new();
    c->failures_after_success = l->failures_after_success;
    c->last_failure_at = l->last_failure_at;
    if (l->n > 0) {
        c->pods = xcalloc((size_t)l->n, sizeof(*c->pods));
        c->cap = l->n;
    }
    for (int i = 0; i < l->n; i++) {
        c->pods[i] = l->pods[i];
        c->pods[i].name = xstrdup(l->pods[i].name);
        c->pods[i].uid = xstrdup(l->pods[i].uid != NULL ? l->pods[i].uid : "");
    }
    c->n = l->n;
    return c;
}

struct kj_ledger_pod *kj_ledger_add(struct kj_ledger *l, const char *name, const char *uid,
                                    int index)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->pods = xrealloc(l->pods, sizeof(*l->pods) * (size_t)l->cap);
    }
    struct kj_ledger_pod *p = &l->pods[l->n++];
    memset(p, 0, sizeof(*p));
    p->name = xstrdup(name);
    p->uid = xstrdup(uid != NULL ? uid : "");
    p->index = index;
    p->exit_code = -1;
    p->delete_grace = -1;
    return p;
}

struct kj_ledger_pod *kj_ledger_find(const struct kj_ledger *l, const char *name)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->pods[i].name, name) == 0)
            return &l->pods[i];
    return NULL;
}

void kj_ledger_remove(struct kj_ledger *l, int i)
{
    free(l->pods[i].name);
    free(l->pods[i].uid);
    memmove(&l->pods[i], &l->pods[i + 1], sizeof(*l->pods) * (size_t)(l->n - i - 1));
    l->n--;
}

static const char *const outcome_names[] = {"", "Succeeded", "Failed", "Ignored"};

static int add_time(cJSON *o, const char *key, int64_t t)
{
    if (t == 0)
        return 0;
    char buf[32];
    snprintf(buf, sizeof(buf), "%" PRId64, t);
    return cJSON_AddStringToObject(o, key, buf) != NULL ? 0 : -1;
}

static int add_bool(cJSON *o, const char *key, bool v)
{
    if (!v)
        return 0;
    return cJSON_AddTrueToObject(o, key) != NULL ? 0 : -1;
}

static int add_int(cJSON *o, const char *key, int v, int omit)
{
    if (v == omit)
        return 0;
    return cJSON_AddNumberToObject(o, key, v) != NULL ? 0 : -1;
}

static cJSON *pod_to_json(const struct kj_ledger_pod *p)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    int rc = 0;
    rc |= cJSON_AddStringToObject(o, "name", p->name) != NULL ? 0 : -1;
    rc |= cJSON_AddStringToObject(o, "uid", p->uid) != NULL ? 0 : -1;
    rc |= add_int(o, "index", p->index, -1);
    if (p->outcome != KJ_OUTCOME_NONE)
        rc |= cJSON_AddStringToObject(o, "outcome", outcome_names[p->outcome]) != NULL ? 0 : -1;
    rc |= add_bool(o, "seen", p->seen);
    rc |= add_bool(o, "deleting", p->deleting);
    rc |= add_bool(o, "removed", p->removed);
    rc |= add_bool(o, "failIndex", p->fail_index);
    rc |= add_int(o, "indexFailures", p->index_failures, 0);
    rc |= add_int(o, "restarts", p->restarts, 0);
    rc |= add_time(o, "lastExitAt", p->last_exit_at);
    if (p->last_exit_at != 0)
        rc |= add_int(o, "lastExitCode", p->last_exit_code, -100000);
    rc |= add_bool(o, "lastOOM", p->last_oom);
    rc |= add_time(o, "createdAt", p->created_at);
    rc |= add_time(o, "finishedAt", p->finished_at);
    rc |= add_int(o, "exitCode", p->exit_code, -1);
    rc |= add_bool(o, "deleteAsked", p->delete_asked);
    rc |= add_int(o, "deleteGrace", p->delete_grace, -1);
    rc |= add_time(o, "deleteAt", p->delete_at);
    rc |= add_bool(o, "disrupted", p->disrupted);
    if (rc != 0) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

cJSON *kj_ledger_to_json(const struct kj_ledger *l)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *pods = cJSON_AddArrayToObject(o, "pods");
    if (o == NULL || pods == NULL)
        goto oom;
    for (int i = 0; i < l->n; i++) {
        cJSON *p = pod_to_json(&l->pods[i]);
        if (p == NULL)
            goto oom;
        cJSON_AddItemToArray(pods, p);
    }
    if (add_int(o, "failuresAfterSuccess", l->failures_after_success, 0) < 0 ||
        add_time(o, "lastFailureAt", l->last_failure_at) < 0)
        goto oom;
    return o;
oom:
    cJSON_Delete(o);
    return NULL;
}

static int get_time(const cJSON *o, const char *key, int64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = 0;
    if (v == NULL)
        return 0;
    if (!cJSON_IsString(v))
        return -1;
    char *end = NULL;
    long long x = strtoll(v->valuestring, &end, 10);
    if (end == v->valuestring || *end != '\0')
        return -1;
    *out = x;
    return 0;
}

static int get_int(const cJSON *o, const char *key, int dflt, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (v == NULL) {
        *out = dflt;
        return 0;
    }
    if (!cJSON_IsNumber(v))
        return -1;
    *out = v->valueint;
    return 0;
}

static bool get_bool(const cJSON *o, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static int pod_from_json(struct kj_ledger *l, const cJSON *o)
{
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "name"));
    const char *uid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "uid"));
    if (name == NULL)
        return -1;
    int index;
    if (get_int(o, "index", -1, &index) < 0)
        return -1;
    struct kj_ledger_pod *p = kj_ledger_add(l, name, uid, index);
    const char *oc = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "outcome"));
    p->outcome = KJ_OUTCOME_NONE;
    for (int i = 1; oc != NULL && i < 4; i++)
        if (strcmp(oc, outcome_names[i]) == 0)
            p->outcome = (enum kj_ledger_outcome)i;
    if (oc != NULL && p->outcome == KJ_OUTCOME_NONE)
        return -1;
    p->seen = get_bool(o, "seen");
    p->deleting = get_bool(o, "deleting");
    p->removed = get_bool(o, "removed");
    p->fail_index = get_bool(o, "failIndex");
    p->last_oom = get_bool(o, "lastOOM");
    p->delete_asked = get_bool(o, "deleteAsked");
    p->disrupted = get_bool(o, "disrupted");
    if (get_int(o, "indexFailures", 0, &p->index_failures) < 0 ||
        get_int(o, "restarts", 0, &p->restarts) < 0 ||
        get_int(o, "lastExitCode", 0, &p->last_exit_code) < 0 ||
        get_int(o, "exitCode", -1, &p->exit_code) < 0 ||
        get_time(o, "lastExitAt", &p->last_exit_at) < 0 ||
        get_time(o, "createdAt", &p->created_at) < 0 ||
        get_time(o, "finishedAt", &p->finished_at) < 0 ||
        get_int(o, "deleteGrace", -1, &p->delete_grace) < 0 ||
        get_time(o, "deleteAt", &p->delete_at) < 0)
        return -1;
    return 0;
}

struct kj_ledger *kj_ledger_from_json(const cJSON *v, kj_error_t *err)
{
    struct kj_ledger *l = kj_ledger_new();
    if (v == NULL || cJSON_IsNull(v))
        return l;
    if (!cJSON_IsObject(v))
        goto bad;
    const cJSON *pods = cJSON_GetObjectItemCaseSensitive(v, "pods");
    if (pods != NULL && !cJSON_IsArray(pods))
        goto bad;
    const cJSON *p;
    cJSON_ArrayForEach(p, pods)
    {
        if (!cJSON_IsObject(p) || pod_from_json(l, p) < 0)
            goto bad;
    }
    if (get_int(v, "failuresAfterSuccess", 0, &l->failures_after_success) < 0 ||
        get_time(v, "lastFailureAt", &l->last_failure_at) < 0)
        goto bad;
    return l;
bad:
    kj_ledger_free(l);
    kj_make_error(err, 0, "malformed `%s` ledger in stored job", KJ_LEDGER_KEY);
    return NULL;
}

struct kj_ledger *kj_ledger_from_job(const cJSON *job, kj_error_t *err)
{
    return kj_ledger_from_json(cJSON_GetObjectItemCaseSensitive(job, KJ_LEDGER_KEY), err);
}
