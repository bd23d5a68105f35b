/* ReplicaSet decision; see rs_sync.h. */
#include "controller/rs_sync.h"

#include <stdlib.h>
#include <string.h>

int64_t kj_rs_backoff(int restarts, int64_t base, int64_t max)
{
    int64_t d = base;
    for (int i = 1; i < restarts && d < max; i++)
        d *= 2;
    return d < max ? d : max;
}

/* Lower = deleted earlier. */
static int delete_rank(const struct kj_rs_pod *p)
{
    switch (p->state) {
    case KJ_POD_OBS_CREATING:
    case KJ_POD_OBS_WAITING:
    case KJ_POD_OBS_CREATED:
        return 0;
    case KJ_POD_OBS_EXITED:
        return 1;
    case KJ_POD_OBS_RUNNING:
        return p->ready ? 3 : 2;
    case KJ_POD_OBS_REMOVED:
    default:
        return 4;
    }
}

static const struct kj_rs_pod *sort_pods;

static int cmp_delete(const void *a, const void *b)
{
    const struct kj_rs_pod *x = &sort_pods[*(const int *)a], *y = &sort_pods[*(const int *)b];
    int rx = delete_rank(x), ry = delete_rank(y);
    if (rx != ry)
        return rx < ry ? -1 : 1;
    if (x->restarts != y->restarts)
        return x->restarts > y->restarts ? -1 : 1;
    if (x->created_at != y->created_at)
        return x->created_at > y->created_at ? -1 : 1;
    return *(const int *)a - *(const int *)b;
}

void kj_rs_sync(int replicas, const struct kj_rs_pod *pods, int n, int64_t now, int64_t base,
                int64_t max, struct kj_rs_decision *out)
{
    memset(out, 0, sizeof *out);
    if (n > KJ_RS_MAX_PODS)
        n = KJ_RS_MAX_PODS;
    if (replicas < 0)
        replicas = 0;
    int live[KJ_RS_MAX_PODS], n_live = 0, n_free = 0;
    for (int i = 0; i < n; i++) {
        if (pods[i].state == KJ_POD_OBS_REMOVED)
            continue;
        live[n_live++] = i;
        out->status.replicas++;
        if (pods[i].state == KJ_POD_OBS_RUNNING && pods[i].ready)
            out->status.ready++;
        if (!pods[i].busy)
            n_free++;
    }
    out->status.available = out->status.ready;
    out->status.fully_labeled = out->status.replicas;

    bool doomed[KJ_RS_MAX_PODS] = {false};
    if (n_live < replicas) {
        out->n_create = replicas - n_live;
    } else if (n_live > replicas) {
        /* qsort has no context argument in C11: a file-level pointer, set
         * and used only within this call (the loop thread is the only one). */
        int order[KJ_RS_MAX_PODS], k = 0;
        for (int i = 0; i < n_live; i++)
            if (!pods[live[i]].busy)
                order[k++] = live[i];
        sort_pods = pods;
        qsort(order, (size_t)k, sizeof order[0], cmp_delete);
        sort_pods = NULL;
        int want = n_live - replicas;
        for (int i = 0; i < k && out->n_delete < want && out->n_delete < n_free; i++) {
            out->delete_idx[out->n_delete++] = order[i];
            doomed[order[i]] = true;
        }
    }
    for (int i = 0; i < n_live; i++) {
        const struct kj_rs_pod *p = &pods[live[i]];
        if (p->busy || doomed[live[i]])
            continue;
        int64_t due;
        if (p->stranded)
            due = p->finished_at + base; /* at once; a failed start waits a base */
        else if (p->state == KJ_POD_OBS_EXITED)
            due = p->finished_at + kj_rs_backoff(p->restarts, base, max);
        else
            continue;
        if (due <= now)
            out->restart_idx[out->n_restart++] = live[i];
        else if (out->wake_at == 0 || due < out->wake_at)
            out->wake_at = due;
    }
}
