/* Reading a stored Job for the controller, conditions, and the policy rules
 * (podFailurePolicy §3.6, successPolicy §5.5). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller/job_sync_internal.h"
#include "util/xalloc.h"

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *get_str(const cJSON *o, const char *k)
{
    return cJSON_GetStringValue(get(o, k));
}

static int64_t get_num(const cJSON *o, const char *k, int64_t dflt)
{
    const cJSON *v = get(o, k);
    return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : dflt;
}

int kj_jspec_parse(const cJSON *job, struct kj_jspec *s, kj_error_t *err)
{
    memset(s, 0, sizeof(*s));
    const cJSON *md = get(job, "metadata");
    const cJSON *spec = get(job, "spec");
    s->name = get_str(md, "name");
    s->ns = get_str(md, "namespace");
    s->uid = get_str(md, "uid");
    if (s->name == NULL || s->uid == NULL || !cJSON_IsObject(spec))
        return kj_make_error(err, 0, "job object without `metadata.name`, `metadata.uid` or `spec`");
    if (s->ns == NULL)
        s->ns = "default";
    s->deleting = get_str(md, "deletionTimestamp") != NULL;
    s->managed_by = get_str(spec, "managedBy");
    const cJSON *par = get(spec, "parallelism"), *comp = get(spec, "completions");
    s->parallelism = (int)get_num(spec, "parallelism", 1);
    s->completions = (int)get_num(spec, "completions", -1);
    if (!cJSON_IsNumber(par) && !cJSON_IsNumber(comp))
        s->completions = 1;
    s->ads = get_num(spec, "activeDeadlineSeconds", -1);
    s->bl_per_index = (int)get_num(spec, "backoffLimitPerIndex", -1);
    s->backoff_limit = (int)get_num(spec, "backoffLimit", s->bl_per_index >= 0 ? 2147483647 : 6);
    s->max_failed_indexes = (int)get_num(spec, "maxFailedIndexes", -1);
    const char *mode = get_str(spec, "completionMode");
    s->indexed = mode != NULL && strcmp(mode, "Indexed") == 0;
    s->mode_unknown = mode != NULL && !s->indexed && strcmp(mode, "NonIndexed") != 0;
    s->suspend = cJSON_IsTrue(get(spec, "suspend"));
    s->ttl = get_num(spec, "ttlSecondsAfterFinished", -1);
    s->pfp_rules = get(get(spec, "podFailurePolicy"), "rules");
    s->sp_rules = get(get(spec, "successPolicy"), "rules");
    const char *rp = get_str(spec, "podReplacementPolicy");
    s->repl_failed = rp != NULL ? strcmp(rp, "Failed") == 0 : get(spec, "podFailurePolicy") != NULL;
    const cJSON *pspec = get(get(spec, "template"), "spec");
    const char *restart = get_str(pspec, "restartPolicy");
    s->on_failure = restart != NULL && strcmp(restart, "OnFailure") == 0;
    s->container = get_str(cJSON_GetArrayItem(get(pspec, "containers"), 0), "name");
    s->grace = (int)get_num(pspec, "terminationGracePeriodSeconds", 30);
    s->status = get(job, "status");
    s->start_time = kj_time_parse(get_str(s->status, "startTime"));
    return 0;
}

const cJSON *kj_cond_find(const cJSON *conds, const char *type)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, conds)
    {
        const char *t = get_str(c, "type");
        if (t != NULL && strcmp(t, type) == 0)
            return c;
    }
    return NULL;
}

const cJSON *kj_cond_find_true(const cJSON *conds, const char *type)
{
    const cJSON *c = kj_cond_find(conds, type);
    const char *st = get_str(c, "status");
    return st != NULL && strcmp(st, "True") == 0 ? c : NULL;
}

static void set_str(cJSON *o, const char *k, const char *v)
{
    cJSON *n = cJSON_CreateString(v);
    if (n == NULL)
        abort();
    if (cJSON_GetObjectItemCaseSensitive(o, k) != NULL)
        cJSON_ReplaceItemInObjectCaseSensitive(o, k, n);
    else
        cJSON_AddItemToObject(o, k, n);
}

bool kj_cond_set(cJSON *conds, const char *type, bool status, const char *reason,
                 const char *message, int64_t now)
{
    const char *st = status ? "True" : "False";
    cJSON *c = (cJSON *)kj_cond_find(conds, type);
    if (c != NULL) {
        const char *os = get_str(c, "status"), *orr = get_str(c, "reason"),
                   *om = get_str(c, "message");
        if (os != NULL && strcmp(os, st) == 0 && orr != NULL && strcmp(orr, reason) == 0 &&
            om != NULL && strcmp(om, message) == 0)
            return false;
    } else {
        c = cJSON_CreateObject();
        if (c == NULL)
            abort();
        cJSON_AddItemToArray(conds, c);
    }
    char ts[32];
    kj_time_format(now, ts, sizeof(ts));
    set_str(c, "type", type);
    set_str(c, "status", st);
    set_str(c, "lastProbeTime", ts);
    set_str(c, "lastTransitionTime", ts);
    set_str(c, "reason", reason);
    set_str(c, "message", message);
    return true;
}

struct kj_sync_action *kj_sync_add_action(struct kj_sync_result *r, enum kj_sync_action_kind k,
                                          const struct kj_ledger_pod *p, const char *cid)
{
    r->actions = xrealloc(r->actions, sizeof(*r->actions) * (size_t)(r->nactions + 1));
    struct kj_sync_action *a = &r->actions[r->nactions++];
    memset(a, 0, sizeof(*a));
    a->kind = k;
    a->pod_name = xstrdup(p->name);
    a->pod_uid = xstrdup(p->uid);
    a->container_id = cid != NULL ? xstrdup(cid) : NULL;
    a->index = p->index;
    a->index_failures = p->index_failures;
    a->client = p->delete_asked;
    a->grace_seconds = p->delete_asked ? p->delete_grace : -1;
    return a;
}

void kj_sync_add_event(struct kj_sync_result *r, bool warning, const char *reason,
                       const char *fmt, ...)
{
    r->events = xrealloc(r->events, sizeof(*r->events) * (size_t)(r->nevents + 1));
    struct kj_sync_event *e = &r->events[r->nevents++];
    e->warning = warning;
    e->reason = xstrdup(reason);
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&e->message, fmt, ap) < 0)
        abort();
    va_end(ap);
}

static bool exit_codes_match(const cJSON *oec, const char *container, int code)
{
    const char *cn = get_str(oec, "containerName");
    if (cn != NULL && (container == NULL || strcmp(cn, container) != 0))
        return false;
    if (code == 0)
        return false;
    const char *op = get_str(oec, "operator");
    bool in = false;
    const cJSON *v;
    cJSON_ArrayForEach(v, get(oec, "values"))
    {
        if (cJSON_IsNumber(v) && v->valueint == code)
            in = true;
    }
    if (op != NULL && strcmp(op, "NotIn") == 0)
        return !in;
    return in;
}

/* The only condition kjob gives a failed pod that a rule could name is
 * DisruptionTarget=True, on an evicted pod (the others are the ones every
 * failed pod has, which rules are not written for). */
static const char *conditions_match(const cJSON *opc, bool disrupted)
{
    const cJSON *pat;
    cJSON_ArrayForEach(pat, opc)
    {
        const char *type = get_str(pat, "type"), *status = get_str(pat, "status");
        if (disrupted && type != NULL && strcmp(type, "DisruptionTarget") == 0 &&
            (status == NULL || strcmp(status, "True") == 0))
            return type;
    }
    return NULL;
}

const char *kj_pfp_match(const struct kj_jspec *s, const char *pod, int exit_code,
                         bool disrupted, char *msg, size_t msglen)
{
    int i = 0;
    const cJSON *rule;
    cJSON_ArrayForEach(rule, s->pfp_rules)
    {
        const cJSON *oec = get(rule, "onExitCodes");
        const char *cond = conditions_match(get(rule, "onPodConditions"), disrupted);
        if ((oec != NULL && exit_code >= 0 && exit_codes_match(oec, s->container, exit_code)) ||
            cond != NULL) {
            const char *action = get_str(rule, "action");
            if (action != NULL && strcmp(action, "FailJob") == 0 && cond != NULL)
                snprintf(msg, msglen, "Pod %s/%s has condition %s matching FailJob rule at index %d",
                         s->ns, pod, cond, i);
            else if (action != NULL && strcmp(action, "FailJob") == 0)
                snprintf(msg, msglen,
                         "Container %s for pod %s/%s failed with exit code %d matching FailJob "
                         "rule at index %d",
                         s->container != NULL ? s->container : "", s->ns, pod, exit_code, i);
            return action != NULL ? action : "Count";
        }
        i++;
    }
    return NULL;
}

int kj_success_policy_match(const struct kj_jspec *s, const bool *done)
{
    int i = 0, n = s->completions;
    const cJSON *rule;
    cJSON_ArrayForEach(rule, s->sp_rules)
    {
        const char *idx = get_str(rule, "succeededIndexes");
        const cJSON *cnt = get(rule, "succeededCount");
        int want = cJSON_IsNumber(cnt) ? cnt->valueint : -1;
        if (idx != NULL && n > 0) {
            bool *set = xcalloc((size_t)n, sizeof(bool));
            int listed = 0, got = 0;
            if (kj_index_list_parse(idx, set, n) == 0) {
                for (int k = 0; k < n; k++) {
                    listed += set[k];
                    got += set[k] && done[k];
                }
            }
            free(set);
            if (listed > 0 && (want >= 0 ? got >= want : got == listed))
                return i;
        } else if (want >= 0) {
            int got = 0;
            for (int k = 0; k < n; k++)
                got += done[k];
            if (got >= want)
                return i;
        }
        i++;
    }
    return -1;
}
