/* kj_job_sync, part 2: decisions (§2 steps 4-8) and the new status (§4). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller/job_sync_internal.h"
#include "util/xalloc.h"

struct counts {
    int active, ready, terminating, succeeded, failed, restart_sum;
    int ndone, nfailed_idx;
    bool *done;       /* Indexed: completed indexes [0, completions) */
    bool *failed_idx; /* Indexed with backoffLimitPerIndex */
};

static void count_pods(struct kj_sync_ctx *c, struct counts *k)
{
    const struct kj_jspec *s = c->s;
    int n = s->indexed && s->completions > 0 ? s->completions : 0;
    k->done = xcalloc((size_t)n + 1, sizeof(bool));
    k->failed_idx = xcalloc((size_t)n + 1, sizeof(bool));
    int *idx_failures = s->bl_per_index >= 0 ? xcalloc((size_t)n + 1, sizeof(int)) : NULL;
    k->active = k->ready = k->succeeded = k->failed = k->restart_sum = 0;
    for (int i = 0; i < c->L->n; i++) {
        const struct kj_ledger_pod *p = &c->L->pods[i];
        bool in_range = p->index >= 0 && p->index < n;
        if (p->outcome == KJ_OUTCOME_SUCCEEDED) {
            k->succeeded++;
            if (in_range)
                k->done[p->index] = true;
        } else if (p->outcome == KJ_OUTCOME_FAILED) {
            k->failed++;
            if (in_range && idx_failures != NULL) {
                idx_failures[p->index]++;
                if (p->fail_index || idx_failures[p->index] > s->bl_per_index)
                    k->failed_idx[p->index] = true;
            }
        } else if (kj_sync_is_active(p)) {
            k->active++;
            const struct kj_pod_obs *o = c->obs_of[i];
            k->restart_sum += kj_pod_restart_count(p, o);
            if (o != NULL && o->state == KJ_POD_OBS_RUNNING)
                k->ready++;
        }
    }
    free(idx_failures);
    k->ndone = k->nfailed_idx = 0;
    for (int i = 0; i < n; i++) {
        if (k->done[i])
            k->failed_idx[i] = false;
        k->ndone += k->done[i];
        k->nfailed_idx += k->failed_idx[i];
    }
    if (s->indexed)
        k->succeeded = k->ndone;
}

/* Restart crash-looping OnFailure containers whose backoff is over, and
 * start containers created but never started: a kjobd killed between its
 * create and its start (or an engine that failed the start) leaves one, and
 * the runtime reports CREATED only when no create of its own is in flight.
 * Pods of several containers report CREATED while initialising; their
 * members are started by the pod-group wrapper. */
static void restarts_due(struct kj_sync_ctx *c)
{
    /* A suspended Job's pods are being deleted: nothing to start. */
    bool start_created = !c->s->suspend && !c->s->deleting;
    for (int i = 0; i < c->L->n; i++) {
        const struct kj_ledger_pod *p = &c->L->pods[i];
        const struct kj_pod_obs *o = c->obs_of[i];
        if (!kj_sync_is_active(p) || o == NULL)
            continue;
        if (start_created && o->state == KJ_POD_OBS_CREATED && o->container_id != NULL &&
            o->containers == NULL) {
            kj_sync_add_action(c->r, KJ_SYNC_RESTART, p, o->container_id);
            continue;
        }
        if (!c->s->on_failure || o->state != KJ_POD_OBS_EXITED)
            continue;
        int64_t at = p->last_exit_at +
                     kj_sync_backoff_delay(c->cfg->restart_base, c->cfg->restart_max, p->restarts);
        if (at <= c->cfg->now)
            kj_sync_add_action(c->r, KJ_SYNC_RESTART, p, o->container_id);
        else
            kj_sync_requeue(c, at);
    }
}

/* Deletion preference of §2.7 (earlier = deleted first): not running before
 * running, not ready before ready, more restarts first, newest first. */
static int delete_rank_cmp(const void *a, const void *b, void *arg)
{
    struct kj_sync_ctx *c = arg;
    int x = *(const int *)a, y = *(const int *)b;
    const struct kj_pod_obs *ox = c->obs_of[x], *oy = c->obs_of[y];
    int rx = ox != NULL && ox->state == KJ_POD_OBS_RUNNING;
    int ry = oy != NULL && oy->state == KJ_POD_OBS_RUNNING;
    if (rx != ry)
        return rx - ry;
    const struct kj_ledger_pod *px = &c->L->pods[x], *py = &c->L->pods[y];
    if (px->restarts != py->restarts)
        return py->restarts - px->restarts;
    return (py->created_at > px->created_at) - (py->created_at < px->created_at);
}

static void scale_down(struct kj_sync_ctx *c, struct counts *k, int excess)
{
    int *v = xcalloc((size_t)c->L->n + 1, sizeof(int));
    int n = 0;
    for (int i = 0; i < c->L->n; i++)
        if (kj_sync_is_active(&c->L->pods[i]))
            v[n++] = i;
    qsort_r(v, (size_t)n, sizeof(int), delete_rank_cmp, c);
    for (int j = 0; j < n && j < excess; j++) {
        kj_sync_delete_pod(c, v[j], false, &k->terminating);
        k->active--;
    }
    free(v);
}

/* Indexed: delete active pods with an out-of-range index, a failed index,
 * or an index another active pod already holds (§5.2). */
static void delete_bad_indexes(struct kj_sync_ctx *c, struct counts *k)
{
    int n = c->s->completions;
    bool *held = xcalloc((size_t)n + 1, sizeof(bool));
    for (int i = 0; i < c->L->n; i++) {
        struct kj_ledger_pod *p = &c->L->pods[i];
        if (!kj_sync_is_active(p))
            continue;
        int x = p->index;
        if (x < 0 || x >= n || held[x] || k->failed_idx[x]) {
            kj_sync_delete_pod(c, i, false, &k->terminating);
            k->active--;
            continue;
        }
        held[x] = true;
    }
    free(held);
}

static void create_pod(struct kj_sync_ctx *c, int index, int index_failures)
{
    char *name = NULL;
    do {
        free(name);
        name = kj_job_pod_name(c->s->name, index, c->cfg);
    } while (kj_ledger_find(c->L, name) != NULL);
    char uid[37];
    kj_job_pod_uid(c->cfg, uid);
    struct kj_ledger_pod *p = kj_ledger_add(c->L, name, uid, index);
    free(name);
    p->created_at = c->cfg->now;
    p->index_failures = index_failures;
    if (c->L->n > c->obs_cap) {
        c->obs_cap = c->L->n * 2;
        c->obs_of = xrealloc(c->obs_of, sizeof(*c->obs_of) * (size_t)c->obs_cap);
    }
    c->obs_of[c->L->n - 1] = NULL;
    c->r->ledger_changed = true;
    kj_sync_add_action(c->r, KJ_SYNC_CREATE, p, NULL);
}

static void create_indexed(struct kj_sync_ctx *c, struct counts *k, int to_create)
{
    const struct kj_jspec *s = c->s;
    int n = s->completions;
    bool *held = xcalloc((size_t)n + 1, sizeof(bool));
    int *fails = xcalloc((size_t)n + 1, sizeof(int));
    int64_t *last_fail = xcalloc((size_t)n + 1, sizeof(int64_t));
    for (int i = 0; i < c->L->n; i++) {
        const struct kj_ledger_pod *p = &c->L->pods[i];
        if (p->index < 0 || p->index >= n)
            continue;
        bool term = p->deleting && !p->removed;
        if (kj_sync_is_active(p) || (term && s->repl_failed))
            held[p->index] = true;
        if (p->outcome == KJ_OUTCOME_FAILED) {
            fails[p->index]++;
            if (p->finished_at > last_fail[p->index])
                last_fail[p->index] = p->finished_at;
        }
    }
    for (int x = 0; x < n && to_create > 0; x++) {
        if (k->done[x] || k->failed_idx[x] || held[x])
            continue;
        if (s->bl_per_index >= 0 && fails[x] > 0) {
            /* §3.2 applied per index with its own failure count. */
            int64_t at = last_fail[x] +
                         kj_sync_backoff_delay(c->cfg->backoff_base, c->cfg->backoff_max, fails[x]);
            if (at > c->cfg->now) {
                kj_sync_requeue(c, at);
                continue;
            }
        }
        create_pod(c, x, fails[x]);
        k->active++;
        to_create--;
    }
    free(held);
    free(fails);
    free(last_fail);
}

static void manage_pods(struct kj_sync_ctx *c, struct counts *k)
{
    const struct kj_jspec *s = c->s;
    if (s->suspend) {
        for (int i = 0; i < c->L->n; i++)
            if (kj_sync_is_active(&c->L->pods[i])) {
                kj_sync_delete_pod(c, i, false, &k->terminating);
                k->active--;
            }
        k->ready = 0;
        return;
    }
    if (s->indexed)
        delete_bad_indexes(c, k);
    int want;
    if (s->completions < 0) {
        want = k->succeeded > 0 ? k->active : s->parallelism;
    } else {
        int remaining = s->completions - k->succeeded - (s->indexed ? k->nfailed_idx : 0);
        want = remaining < s->parallelism ? remaining : s->parallelism;
        if (want < 0)
            want = 0;
    }
    if (k->active > want) {
        scale_down(c, k, k->active - want);
        return;
    }
    int to_create = want - k->active - (s->repl_failed ? k->terminating : 0);
    if (to_create <= 0)
        return;
    int n = c->L->failures_after_success;
    if (n > 0 && !(s->indexed && s->bl_per_index >= 0)) {
        int64_t at = c->L->last_failure_at +
                     kj_sync_backoff_delay(c->cfg->backoff_base, c->cfg->backoff_max, n);
        if (at > c->cfg->now) {
            kj_sync_requeue(c, at);
            return;
        }
    }
    int max = c->cfg->max_creates > 0 ? c->cfg->max_creates : 500;
    if (to_create > max)
        to_create = max;
    if (s->indexed) {
        create_indexed(c, k, to_create);
        return;
    }
    for (int i = 0; i < to_create; i++) {
        create_pod(c, -1, 0);
        k->active++;
    }
}

struct decision {
    bool decided, failure, existing;
    char reason[64];
    char message[512];
};

static void decide(struct decision *d, bool failure, const char *reason, const char *msg)
{
    d->decided = true;
    d->failure = failure;
    snprintf(d->reason, sizeof(d->reason), "%s", reason);
    snprintf(d->message, sizeof(d->message), "%s", msg);
}

static void copy_cond(struct decision *d, const cJSON *cond, bool failure)
{
    decide(d, failure, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cond, "reason")),
           cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cond, "message")));
    d->existing = true;
}

/* §2 step 5, first match wins. */
static void decide_outcome(struct kj_sync_ctx *c, struct counts *k, int64_t start,
                           const cJSON *conds, struct decision *d)
{
    const struct kj_jspec *s = c->s;
    const cJSON *ft = kj_cond_find_true(conds, "FailureTarget");
    const cJSON *sc = kj_cond_find_true(conds, "SuccessCriteriaMet");
    int bl = s->backoff_limit;
    if (ft != NULL) {
        copy_cond(d, ft, true);
    } else if (sc != NULL) {
        copy_cond(d, sc, false);
    } else if (c->failjob_msg[0] != '\0') {
        decide(d, true, "PodFailurePolicy", c->failjob_msg);
    } else if (k->failed > bl ||
               (s->on_failure && (bl == 0 ? k->restart_sum > 0 : k->restart_sum >= bl))) {
        decide(d, true, "BackoffLimitExceeded", "Job has reached the specified backoff limit");
    } else if (s->ads >= 0 && !s->suspend && start != 0 &&
               c->cfg->now - start >= s->ads * KJ_NS_PER_SEC) {
        decide(d, true, "DeadlineExceeded", "Job was active longer than specified deadline");
    } else if (s->indexed && s->bl_per_index >= 0 && s->max_failed_indexes >= 0 &&
               k->nfailed_idx > s->max_failed_indexes) {
        decide(d, true, "MaxFailedIndexesExceeded",
               "Job has exceeded the specified maximal number of failed indexes");
    } else if (s->indexed && s->bl_per_index >= 0 && k->nfailed_idx > 0 &&
               k->nfailed_idx + k->ndone >= s->completions) {
        decide(d, true, "FailedIndexes", "Job has failed indexes");
    } else if (s->indexed && s->sp_rules != NULL) {
        int rule = kj_success_policy_match(s, k->done);
        if (rule >= 0) {
            char msg[64];
            snprintf(msg, sizeof(msg), "Matched rules at index %d", rule);
            decide(d, false, "SuccessPolicy", msg);
        }
    }
    if (!d->decided && s->ads >= 0 && !s->suspend && start != 0)
        kj_sync_requeue(c, start + s->ads * KJ_NS_PER_SEC);
}

static void add_num(cJSON *o, const char *key, int v, bool omit_zero)
{
    if (omit_zero && v == 0)
        return;
    if (cJSON_AddNumberToObject(o, key, v) == NULL)
        abort();
}

static void add_time(cJSON *o, const char *key, int64_t t)
{
    char ts[32];
    kj_time_format(t, ts, sizeof(ts));
    if (cJSON_AddStringToObject(o, key, ts) == NULL)
        abort();
}

/* §4, in the field order of the upstream JobStatus struct. */
static cJSON *build_status(const struct kj_sync_ctx *c, const struct counts *k, cJSON *conds,
                           int64_t start, int64_t completion)
{
    const struct kj_jspec *s = c->s;
    cJSON *st = cJSON_CreateObject();
    if (st == NULL)
        abort();
    if (cJSON_GetArraySize(conds) > 0)
        cJSON_AddItemToObject(st, "conditions", conds);
    else
        cJSON_Delete(conds);
    if (start != 0)
        add_time(st, "startTime", start);
    if (completion != 0)
        add_time(st, "completionTime", completion);
    add_num(st, "active", k->active, true);
    add_num(st, "succeeded", k->succeeded, true);
    add_num(st, "failed", k->failed, true);
    add_num(st, "terminating", k->terminating, false);
    if (s->indexed) {
        int n = s->completions > 0 ? s->completions : 0;
        char *ci = kj_index_list_format(k->done, n);
        if (ci[0] != '\0')
            cJSON_AddStringToObject(st, "completedIndexes", ci);
        free(ci);
        if (s->bl_per_index >= 0) {
            char *fi = kj_index_list_format(k->failed_idx, n);
            cJSON_AddStringToObject(st, "failedIndexes", fi);
            free(fi);
        }
    }
    cJSON_AddItemToObject(st, "uncountedTerminatedPods", cJSON_CreateObject());
    add_num(st, "ready", k->ready, false);
    return st;
}

static void finish_skipped(struct kj_sync_ctx *c, const cJSON *old_status)
{
    struct kj_sync_result *r = c->r;
    r->skipped = true;
    r->status = old_status != NULL ? cJSON_Duplicate(old_status, 1) : cJSON_CreateObject();
    if (r->status == NULL)
        abort();
    const cJSON *conds = cJSON_GetObjectItemCaseSensitive(old_status, "conditions");
    const cJSON *fin = kj_cond_find_true(conds, "Complete");
    if (fin == NULL)
        fin = kj_cond_find_true(conds, "Failed");
    r->finished = fin != NULL;
    if (fin != NULL && c->s->ttl >= 0) {
        int64_t t = kj_time_parse(
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(fin, "lastTransitionTime")));
        r->delete_at = t + c->s->ttl * KJ_NS_PER_SEC;
        if (r->delete_at <= 0)
            r->delete_at = 1;
    }
}

int kj_job_sync(const cJSON *job, const struct kj_ledger *ledger, const struct kj_pod_obs *obs,
                int nobs, const struct kj_sync_config *cfg, struct kj_sync_result *out,
                kj_error_t *err)
{
    memset(out, 0, sizeof(*out));
    struct kj_jspec s;
    if (kj_jspec_parse(job, &s, err) < 0)
        return -1;
    struct kj_sync_ctx c = {.s = &s, .cfg = cfg, .r = out};
    out->ledger = c.L = ledger != NULL ? kj_ledger_dup(ledger) : kj_ledger_new();
    out->grace_seconds = s.grace;
    const cJSON *old_conds = cJSON_GetObjectItemCaseSensitive(s.status, "conditions");
    if ((s.managed_by != NULL && strcmp(s.managed_by, "kubernetes.io/job-controller") != 0) ||
        kj_cond_find_true(old_conds, "Complete") != NULL ||
        kj_cond_find_true(old_conds, "Failed") != NULL) {
        finish_skipped(&c, s.status);
        for (int i = 0; i < c.L->n; i++)
            if (c.L->pods[i].delete_asked && !c.L->pods[i].removed) {
                kj_sync_match_obs(&c, obs, nobs);
                kj_sync_finished_deletes(&c);
                free(c.obs_of);
                break;
            }
        return 0;
    }
    if (s.mode_unknown) {
        finish_skipped(&c, s.status);
        kj_sync_add_event(out, true, "UnknownCompletionMode",
                          "Skipped Job sync because completion mode is unknown");
        return 0;
    }

    kj_sync_match_obs(&c, obs, nobs);
    bool *drop = xcalloc((size_t)c.L->n + 1, sizeof(bool));
    struct counts k = {0};
    kj_sync_classify(&c, drop, &k.terminating);
    kj_sync_drop(&c, drop);
    free(drop);
    kj_sync_fold_backoff(&c);
    count_pods(&c, &k);

    int64_t start = s.start_time;
    if (start == 0 && !s.suspend)
        start = cfg->now;
    cJSON *conds = old_conds != NULL ? cJSON_Duplicate(old_conds, 1) : cJSON_CreateArray();
    if (conds == NULL)
        abort();

    struct decision d = {0};
    decide_outcome(&c, &k, start, conds, &d);
    if (d.decided) {
        /* §2 step 6: every active pod is deleted; counted as failed for a
         * failure outcome, not for a success-policy one. */
        for (int i = 0; i < c.L->n; i++)
            if (kj_sync_is_active(&c.L->pods[i])) {
                kj_sync_delete_pod(&c, i, d.failure, &k.terminating);
                k.failed += d.failure;
            }
        k.active = k.ready = 0;
    } else {
        restarts_due(&c);
        if (!s.deleting)
            manage_pods(&c, &k);
        bool complete = s.completions < 0 ? k.succeeded > 0 && k.active == 0
                                          : k.succeeded >= s.completions && k.active == 0;
        if (complete && !s.deleting) {
            decide(&d, false, "CompletionsReached", "Reached expected number of succeeded pods");
        } else if (!s.deleting) {
            /* §2 step 7, suspend bookkeeping. */
            const cJSON *susp = kj_cond_find_true(conds, "Suspended");
            if (s.suspend) {
                if (kj_cond_set(conds, "Suspended", true, "JobSuspended", "Job suspended",
                                cfg->now))
                    kj_sync_add_event(out, false, "Suspended", "Job suspended");
            } else if (susp != NULL) {
                kj_cond_set(conds, "Suspended", false, "JobResumed", "Job resumed", cfg->now);
                kj_sync_add_event(out, false, "Resumed", "Job resumed");
                start = cfg->now;
            }
        }
    }

    int64_t completion = 0;
    if (d.decided) {
        const char *interim = d.failure ? "FailureTarget" : "SuccessCriteriaMet";
        kj_cond_set(conds, interim, true, d.reason, d.message, cfg->now);
        /* §2 step 8: the terminal condition only once nothing terminates. */
        if (k.terminating == 0) {
            const char *terminal = d.failure ? "Failed" : "Complete";
            kj_cond_set(conds, terminal, true, d.reason, d.message, cfg->now);
            out->finished = true;
            if (d.failure) {
                kj_sync_add_event(out, true, d.reason, "%s", d.message);
            } else {
                completion = cfg->now;
                kj_sync_add_event(out, false, "Completed", "Job completed");
                if (s.completions >= 0 && k.succeeded > s.completions)
                    kj_sync_add_event(out, true, "TooManySucceededPods",
                                      "Too many succeeded pods running after completion count "
                                      "reached");
            }
            if (s.ttl >= 0) {
                out->delete_at = cfg->now + s.ttl * KJ_NS_PER_SEC;
                kj_sync_requeue(&c, out->delete_at);
            }
        }
    }
    out->status = build_status(&c, &k, conds, start, completion);
    out->status_changed = s.status == NULL || !cJSON_Compare(s.status, out->status, 1);
    out->requeue_at = c.requeue_at;
    free(k.done);
    free(k.failed_idx);
    free(c.obs_of);
    free(c.fin);
    return 0;
}

void kj_sync_result_clear(struct kj_sync_result *r)
{
    cJSON_Delete(r->status);
    kj_ledger_free(r->ledger);
    for (int i = 0; i < r->nactions; i++) {
        free(r->actions[i].pod_name);
        free(r->actions[i].pod_uid);
        free(r->actions[i].container_id);
    }
    free(r->actions);
    for (int i = 0; i < r->nevents; i++) {
        free(r->events[i].reason);
        free(r->events[i].message);
    }
    free(r->events);
    memset(r, 0, sizeof(*r));
}
