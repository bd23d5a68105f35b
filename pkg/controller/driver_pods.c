/* Job controller driver: its pods as the REST layer sees them, and a
 * client's delete of one of them. */
#include <errno.h>
#include <string.h>

#include "controller/driver-internal.h"
#include "controller/pod_view.h"
#include "store/store.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

static cJSON *view_of(struct kj_job_driver *d, const cJSON *job, const struct kj_ledger_pod *lp)
{
    const char *ns = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(job, "metadata"),
                                         "namespace"));
    struct dpod *p = kj_drv_pod_find(d, ns != NULL ? ns : "default", lp->name);
    struct kj_pod_obs o;
    if (p != NULL)
        kj_drv_pod_fill_obs(p, &o);
    return kj_pod_view(job, lp, p != NULL ? &o : NULL, kj_drv_now(d));
}

struct pods_ctx {
    struct kj_job_driver *d;
    const char *job_name;
    cJSON *out;
};

static int pods_visit(const char *ns, const char *name, const cJSON *job, void *data)
{
    (void)ns;
    struct pods_ctx *c = data;
    if (c->job_name != NULL && strcmp(name, c->job_name) != 0)
        return 0;
    struct kj_ledger *l = kj_ledger_from_job(job, NULL);
    if (l == NULL)
        return 0;
    for (int i = 0; i < l->n; i++)
        if (!l->pods[i].removed) /* removed: deleted by the controller, or vanished */
            cJSON_AddItemToArray(c->out, view_of(c->d, job, &l->pods[i]));
    kj_ledger_free(l);
    return 0;
}

cJSON *kj_job_driver_pods(struct kj_job_driver *d, const char *ns, const char *job_name)
{
    struct pods_ctx c = {d, job_name, cJSON_CreateArray()};
    if (c.out == NULL)
        return NULL;
    kj_store_list(d->store, "jobs", ns, pods_visit, &c);
    return c.out;
}

/* ---- one pod: which Job lists it ---- */

/* Whether `job`'s ledger lists pod `pod`, not removed. */
static bool lists(const cJSON *job, const char *pod)
{
    struct kj_ledger *l = job != NULL ? kj_ledger_from_job(job, NULL) : NULL;
    if (l == NULL)
        return false;
    const struct kj_ledger_pod *lp = kj_ledger_find(l, pod);
    bool hit = lp != NULL && !lp->removed;
    kj_ledger_free(l);
    return hit;
}

struct owner_find {
    const char *pod;
    char *job; /* owned */
};

static int owner_visit(const char *ns, const char *name, const cJSON *job, void *data)
{
    (void)ns;
    struct owner_find *c = data;
    if (!lists(job, c->pod))
        return 0;
    c->job = xstrdup(name);
    return 1;
}

/* The name (owned) of the Job listing pod ns/name, or NULL. Its observed
 * container names the Job at once; a pod without one (a create in flight)
 * takes a look at every Job of the namespace. */
static char *owner_of(struct kj_job_driver *d, const char *ns, const char *name)
{
    const struct dpod *p = kj_drv_pod_find(d, ns, name);
    if (p != NULL && p->job_name != NULL &&
        lists(kj_store_get(d->store, "jobs", ns, p->job_name), name))
        return xstrdup(p->job_name);
    struct owner_find c = {name, NULL};
    kj_store_list(d->store, "jobs", ns, owner_visit, &c);
    return c.job;
}

cJSON *kj_job_driver_pod(struct kj_job_driver *d, const char *ns, const char *pod_name)
{
    cleanup_free char *job_name = owner_of(d, ns, pod_name);
    const cJSON *job = job_name != NULL ? kj_store_get(d->store, "jobs", ns, job_name) : NULL;
    struct kj_ledger *l = job != NULL ? kj_ledger_from_job(job, NULL) : NULL;
    const struct kj_ledger_pod *lp = l != NULL ? kj_ledger_find(l, pod_name) : NULL;
    cJSON *v = lp != NULL ? view_of(d, job, lp) : NULL;
    kj_ledger_free(l);
    return v;
}

int kj_job_driver_pods_list_cb(void *driver, const char *ns, cJSON *items, kj_error_t *err)
{
    cJSON *arr = kj_job_driver_pods(driver, ns, NULL);
    if (arr == NULL)
        return kj_make_error(err, ENOMEM, "list pods");
    while (cJSON_GetArraySize(arr) > 0)
        cJSON_AddItemToArray(items, cJSON_DetachItemFromArray(arr, 0));
    cJSON_Delete(arr);
    return 0;
}

cJSON *kj_job_driver_pod_get_cb(void *driver, const char *ns, const char *name)
{
    return kj_job_driver_pod(driver, ns, name);
}

/* ---- a client's delete ---- */

static int template_grace(const cJSON *job)
{
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(job, "spec"),
                                             "template"),
            "spec"),
        "terminationGracePeriodSeconds");
    return cJSON_IsNumber(g) && g->valuedouble >= 0 ? (int)g->valuedouble : 30;
}

int kj_job_driver_pod_delete(struct kj_job_driver *d, const char *ns, const char *name, int grace,
                             const char *uid, bool evict, bool dry_run, cJSON **pod,
                             kj_error_t *err)
{
    cleanup_free char *job_name = owner_of(d, ns, name);
    if (job_name == NULL)
        return 0;
    const cJSON *job = kj_store_get(d->store, "jobs", ns, job_name);
    struct kj_ledger *l = kj_ledger_from_job(job, err);
    if (l == NULL)
        return -1;
    struct kj_ledger_pod *lp = kj_ledger_find(l, name);
    if (uid != NULL && strcmp(uid, lp->uid) != 0) {
        kj_make_http_error(err, 409,
                           "Precondition failed: UID in precondition: %s, UID in object meta: %s",
                           uid, lp->uid);
        kj_ledger_free(l);
        return -1;
    }
    /* A second delete, or one of a pod the controller is deleting already,
     * changes nothing. */
    if (!lp->delete_asked && !lp->deleting) {
        int64_t now = kj_drv_now(d);
        lp->delete_asked = true;
        lp->disrupted = evict;
        /* Finished pods go at once, as the kubelet has nothing to stop. */
        lp->delete_grace = lp->outcome != KJ_OUTCOME_NONE ? 0
                           : grace >= 0                   ? grace
                                                          : template_grace(job);
        lp->delete_at = now + lp->delete_grace * KJ_NS_PER_SEC;
        if (!dry_run) {
            cJSON *copy = cJSON_Duplicate(job, 1);
            cJSON *lj = kj_ledger_to_json(l);
            if (copy == NULL || lj == NULL)
                kj_panic(__FILE__, __LINE__, "out of memory");
            cJSON_DeleteItemFromObjectCaseSensitive(copy, KJ_LEDGER_KEY);
            cJSON_AddItemToObject(copy, KJ_LEDGER_KEY, lj);
            const char *rv = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(job, "metadata"), "resourceVersion"));
            if (kj_store_update(d->store, "jobs", ns, job_name, copy, rv, NULL, err) < 0) {
                cJSON_Delete(copy);
                kj_ledger_free(l);
                return -1;
            }
            job = kj_store_get(d->store, "jobs", ns, job_name);
            struct djob *j = kj_drv_job_find(d, ns, job_name);
            if (j != NULL)
                kj_drv_trigger(j);
        }
    }
    *pod = view_of(d, job, lp);
    kj_ledger_free(l);
    return 1;
}
