/* kj_job_sync, part 1: folding observed pods into the ledger (counting).
 * Section numbers refer to shared/reference/k8s-job.md. */
#include <stdlib.h>
#include <string.h>

#include "controller/job_sync_internal.h"
#include "util/xalloc.h"

void kj_sync_requeue(struct kj_sync_ctx *c, int64_t at)
{
    if (at > 0 && (c->requeue_at == 0 || at < c->requeue_at))
        c->requeue_at = at;
}

static int cmp_obs_name(const void *a, const void *b)
{
    const struct kj_pod_obs *const *x = a, *const *y = b;
    return strcmp((*x)->pod_name, (*y)->pod_name);
}

int64_t kj_sync_backoff_delay(int64_t base, int64_t max, int n)
{
    if (n <= 0)
        return 0;
    int64_t d = base;
    for (int i = 1; i < n && d < max; i++)
        d *= 2;
    return d < max ? d : max;
}

static void add_finish(struct kj_sync_ctx *c, int64_t at, bool failed)
{
    c->fin = xrealloc(c->fin, sizeof(*c->fin) * (size_t)(c->nfin + 1));
    c->fin[c->nfin].at = at;
    c->fin[c->nfin++].failed = failed;
}

static void pod_failed(struct kj_sync_ctx *c, struct kj_ledger_pod *p, int code, int64_t at)
{
    const char *action = NULL;
    char msg[512] = "";
    if (c->s->pfp_rules != NULL && (code >= 0 || p->disrupted))
        action = kj_pfp_match(c->s, p->name, code, p->disrupted, msg, sizeof(msg));
    p->finished_at = at;
    p->exit_code = code;
    if (action != NULL && strcmp(action, "Ignore") == 0) {
        p->outcome = KJ_OUTCOME_IGNORED;
        return;
    }
    p->outcome = KJ_OUTCOME_FAILED;
    if (action != NULL && strcmp(action, "FailJob") == 0 && c->failjob_msg[0] == '\0')
        memcpy(c->failjob_msg, msg, sizeof(msg));
    if (action != NULL && strcmp(action, "FailIndex") == 0)
        p->fail_index = true;
    add_finish(c, at, true);
}

static void pod_succeeded(struct kj_sync_ctx *c, struct kj_ledger_pod *p, int64_t at)
{
    p->outcome = KJ_OUTCOME_SUCCEEDED;
    p->finished_at = at;
    p->exit_code = 0;
    add_finish(c, at, false);
}

static int cmp_finish(const void *a, const void *b)
{
    const struct kj_sync_finish *x = a, *y = b;
    return (x->at > y->at) - (x->at < y->at);
}

/* §3.2: fold newly finished pods, ordered by finish time. */
void kj_sync_fold_backoff(struct kj_sync_ctx *c)
{
    if (c->nfin == 0)
        return;
    qsort(c->fin, (size_t)c->nfin, sizeof(*c->fin), cmp_finish);
    int64_t last_success = 0;
    for (int i = 0; i < c->nfin; i++)
        if (!c->fin[i].failed)
            last_success = c->fin[i].at;
    int n = last_success ? 0 : c->L->failures_after_success;
    for (int i = 0; i < c->nfin; i++) {
        if (!c->fin[i].failed || c->fin[i].at < last_success)
            continue;
        n++;
        if (c->fin[i].at > c->L->last_failure_at)
            c->L->last_failure_at = c->fin[i].at;
    }
    c->L->failures_after_success = n;
}

/* Match observations to ledger entries; adopt containers the ledger does not
 * know (their create was issued before a crash, or by an older ledger). */
void kj_sync_match_obs(struct kj_sync_ctx *c, const struct kj_pod_obs *obs, int nobs)
{
    const struct kj_pod_obs **v = xcalloc((size_t)nobs + 1, sizeof(*v));
    int n = 0;
    for (int i = 0; i < nobs; i++)
        if (obs[i].pod_name != NULL && obs[i].job_uid != NULL &&
            strcmp(obs[i].job_uid, c->s->uid) == 0)
            v[n++] = &obs[i];
    qsort(v, (size_t)n, sizeof(*v), cmp_obs_name);
    bool *used = xcalloc((size_t)n + 1, sizeof(bool));
    c->obs_cap = c->L->n + n + 16;
    c->obs_of = xcalloc((size_t)c->obs_cap, sizeof(*c->obs_of));
    for (int i = 0; i < c->L->n; i++) {
        struct kj_pod_obs key = {.pod_name = c->L->pods[i].name};
        const struct kj_pod_obs *kp = &key;
        const struct kj_pod_obs **hit = bsearch(&kp, v, (size_t)n, sizeof(*v), cmp_obs_name);
        if (hit != NULL) {
            c->obs_of[i] = *hit;
            used[hit - v] = true;
        }
    }
    for (int i = 0; i < n; i++) {
        if (used[i] || v[i]->state == KJ_POD_OBS_REMOVED)
            continue;
        /* Duplicate names among obs: the first one matched wins. */
        if (i > 0 && strcmp(v[i]->pod_name, v[i - 1]->pod_name) == 0)
            continue;
        struct kj_ledger_pod *p = kj_ledger_add(c->L, v[i]->pod_name, v[i]->pod_uid, v[i]->index);
        p->created_at = v[i]->created_at;
        c->obs_of[c->L->n - 1] = v[i];
        c->r->ledger_changed = true;
    }
    free(used);
    free(v);
}

static bool obs_is_container(const struct kj_pod_obs *o)
{
    return o != NULL && o->container_id != NULL &&
           (o->state == KJ_POD_OBS_CREATED || o->state == KJ_POD_OBS_RUNNING ||
            o->state == KJ_POD_OBS_EXITED);
}

/* A client deleted the pod (§3.7). Under podReplacementPolicy
 * TerminatingOrFailed (the default without a podFailurePolicy) an active
 * pod counts as failed at once, and its replacement need not wait for it;
 * under Failed its exit decides, once it has stopped. A finished pod keeps
 * the outcome it was counted with and is only removed. */
static void client_delete(struct kj_sync_ctx *c, struct kj_ledger_pod *p)
{
    p->deleting = true;
    c->r->ledger_changed = true;
    if (p->outcome == KJ_OUTCOME_NONE && !c->s->repl_failed)
        pod_failed(c, p, -1, c->cfg->now);
}

/* A pod deleted under podReplacementPolicy Failed has stopped: count it by
 * its exit, the pod failure policy included. */
static void count_deleted_exit(struct kj_sync_ctx *c, struct kj_ledger_pod *p,
                               const struct kj_pod_obs *o)
{
    int64_t at = o->finished_at ? o->finished_at : c->cfg->now;
    if (o->exit_code == 0)
        pod_succeeded(c, p, at);
    else
        pod_failed(c, p, o->exit_code, at);
    c->r->ledger_changed = true;
}

void kj_sync_classify(struct kj_sync_ctx *c, bool *drop, int *terminating)
{
    for (int i = 0; i < c->L->n; i++) {
        struct kj_ledger_pod *p = &c->L->pods[i];
        const struct kj_pod_obs *o = c->obs_of[i];
        bool present = o != NULL && o->state != KJ_POD_OBS_REMOVED;
        if (obs_is_container(o) && !p->seen) {
            p->seen = true;
            c->r->ledger_changed = true;
        }
        bool was_finished = p->outcome != KJ_OUTCOME_NONE;
        if (p->delete_asked && !p->deleting)
            client_delete(c, p);
        if (p->deleting) {
            if (p->removed)
                continue;
            if (!present) {
                if (p->outcome == KJ_OUTCOME_NONE) /* gone before its exit was seen */
                    pod_failed(c, p, -1, c->cfg->now);
                p->removed = true;
                c->r->ledger_changed = true;
                continue;
            }
            bool exited = kj_pod_obs_all_exited(o);
            /* A finished pod a client deletes was never terminating. */
            if (!(p->delete_asked && exited && was_finished))
                (*terminating)++;
            if (exited) {
                if (p->outcome == KJ_OUTCOME_NONE)
                    count_deleted_exit(c, p, o);
                kj_sync_add_action(c->r, KJ_SYNC_REMOVE, p, o->container_id);
            } else {
                /* Still running: a stop may have raced its create, or been
                 * lost in a crash. The driver drops repeats in flight. */
                struct kj_sync_action *a =
                    kj_sync_add_action(c->r, KJ_SYNC_STOP, p, o->container_id);
                a->counted_failed = p->outcome == KJ_OUTCOME_FAILED;
            }
            continue;
        }
        if (p->outcome != KJ_OUTCOME_NONE)
            continue;
        if (o == NULL) {
            if (p->seen) {
                /* Its container vanished (docker rm -f) without an observed
                 * exit: the pod is gone, which Kubernetes counts as failed. */
                pod_failed(c, p, -1, c->cfg->now);
                p->removed = true;
            } else {
                drop[i] = true; /* the create never happened */
            }
            c->r->ledger_changed = true;
            continue;
        }
        if (o->state == KJ_POD_OBS_REMOVED || o->state == KJ_POD_OBS_EXITED) {
            bool gone = o->state == KJ_POD_OBS_REMOVED;
            bool exit_known = o->finished_at != 0 && o->finished_at != p->last_exit_at;
            int64_t at = o->finished_at ? o->finished_at : c->cfg->now;
            if (gone && !exit_known) {
                pod_failed(c, p, -1, c->cfg->now);
                p->removed = true;
            } else if (o->exit_code == 0) {
                pod_succeeded(c, p, at);
            } else if (!c->s->on_failure || gone) {
                pod_failed(c, p, o->exit_code, at);
            } else {
                /* OnFailure: count each distinct exit once, restart in place
                 * after the node-style backoff. */
                if (o->finished_at != p->last_exit_at) {
                    p->restarts++;
                    p->last_exit_at = o->finished_at;
                    p->last_exit_code = o->exit_code;
                    p->last_oom = o->oom_killed;
                    c->r->ledger_changed = true;
                }
                continue;
            }
            p->removed = gone;
            c->r->ledger_changed = true;
        }
    }
}

/* The sync of a finished Job does nothing else: remove the pods clients
 * deleted. */
void kj_sync_finished_deletes(struct kj_sync_ctx *c)
{
    for (int i = 0; i < c->L->n; i++) {
        struct kj_ledger_pod *p = &c->L->pods[i];
        const struct kj_pod_obs *o = c->obs_of[i];
        if (!p->delete_asked || p->removed)
            continue;
        if (!p->deleting) {
            p->deleting = true;
            c->r->ledger_changed = true;
        }
        if (o == NULL || o->state == KJ_POD_OBS_REMOVED) {
            p->removed = true;
            c->r->ledger_changed = true;
        } else {
            kj_sync_add_action(c->r, kj_pod_obs_all_exited(o) ? KJ_SYNC_REMOVE : KJ_SYNC_STOP, p,
                               o->container_id);
        }
    }
}

void kj_sync_drop(struct kj_sync_ctx *c, bool *drop)
{
    for (int i = c->L->n - 1; i >= 0; i--) {
        if (!drop[i])
            continue;
        kj_ledger_remove(c->L, i);
        memmove(&c->obs_of[i], &c->obs_of[i + 1], sizeof(*c->obs_of) * (size_t)(c->L->n - i));
        memmove(&drop[i], &drop[i + 1], sizeof(*drop) * (size_t)(c->L->n - i));
    }
}

bool kj_sync_is_active(const struct kj_ledger_pod *p)
{
    return p->outcome == KJ_OUTCOME_NONE && !p->deleting;
}

void kj_sync_delete_pod(struct kj_sync_ctx *c, int i, bool count_failed, int *terminating)
{
    struct kj_ledger_pod *p = &c->L->pods[i];
    const struct kj_pod_obs *o = c->obs_of[i];
    p->deleting = true;
    p->outcome = count_failed ? KJ_OUTCOME_FAILED : KJ_OUTCOME_IGNORED;
    p->finished_at = c->cfg->now;
    c->r->ledger_changed = true;
    struct kj_sync_action *a =
        kj_sync_add_action(c->r, KJ_SYNC_STOP, p, o != NULL ? o->container_id : NULL);
    a->counted_failed = count_failed;
    (*terminating)++;
}

