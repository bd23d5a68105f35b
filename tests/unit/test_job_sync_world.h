/* Shared by tests/unit/test_job_sync*.c: a tiny simulated world for the
 * pure Job reconcile. Each step runs one sync, "persists" status + ledger
 * into the Job (through JSON, as the driver does), then applies the actions
 * to simulated containers. Header-only (static inline) so that each test
 * binary stays self-contained. */
#ifndef KJ_TESTS_JOB_SYNC_WORLD_H
#define KJ_TESTS_JOB_SYNC_WORLD_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller/job_sync.h"
#include "controller/ledger.h"

#define S KJ_NS_PER_SEC
#define T0 (1700000000LL * S)
#define MAXP 256

struct spod {
    char name[80], uid[40], cid[24];
    int index;
    enum kj_pod_obs_state state;
    int exit_code;
    int64_t created, started, finished;
};

struct world {
    cJSON *job;
    struct kj_ledger *ledger;
    struct spod pods[MAXP];
    int npods;
    int64_t now;
    unsigned rnd;
    struct kj_sync_result r; /* last result (actions already applied) */
    int creates, stops, removes, restarts, max_active;
    char events[4096];
    bool no_persist; /* crash before the status write */
    bool no_actions; /* crash after the status write, before actions */
};

static inline void rand_cb(void *arg, unsigned char *buf, size_t n)
{
    unsigned *r = arg;
    for (size_t i = 0; i < n; i++) {
        *r = *r * 1103515245u + 12345u;
        buf[i] = (unsigned char)(*r >> 16);
    }
}

static inline void world_init(struct world *w, const char *spec_json)
{
    memset(w, 0, sizeof(*w));
    char buf[4096];
    snprintf(buf, sizeof(buf),
             "{\"metadata\":{\"name\":\"pi\",\"namespace\":\"default\",\"uid\":\"job-uid-1\"},"
             "\"spec\":%s}",
             spec_json);
    w->job = cJSON_Parse(buf);
    assert_non_null(w->job);
    cJSON *tmpl = cJSON_GetObjectItem(cJSON_GetObjectItem(w->job, "spec"), "template");
    if (tmpl == NULL)
        cJSON_AddItemToObject(
            cJSON_GetObjectItem(w->job, "spec"), "template",
            cJSON_Parse("{\"spec\":{\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"c\","
                        "\"image\":\"x\"}]}}"));
    w->ledger = kj_ledger_new();
    w->now = T0;
    w->rnd = 42;
}

static inline void world_free(struct world *w)
{
    cJSON_Delete(w->job);
    kj_ledger_free(w->ledger);
    kj_sync_result_clear(&w->r);
}

static inline struct spod *find_pod(struct world *w, const char *name)
{
    for (int i = 0; i < w->npods; i++)
        if (strcmp(w->pods[i].name, name) == 0)
            return &w->pods[i];
    return NULL;
}

static inline int count_state(struct world *w, enum kj_pod_obs_state st)
{
    int n = 0;
    for (int i = 0; i < w->npods; i++)
        n += w->pods[i].state == st;
    return n;
}

static inline void config(struct world *w, struct kj_sync_config *cfg)
{
    kj_sync_config_defaults(cfg);
    cfg->now = w->now;
    cfg->rand_bytes = rand_cb;
    cfg->rand_arg = &w->rnd;
}

static inline int build_obs(struct world *w, struct kj_pod_obs *obs)
{
    int n = 0;
    for (int i = 0; i < w->npods; i++) {
        struct spod *p = &w->pods[i];
        if (p->state == KJ_POD_OBS_REMOVED)
            continue;
        struct kj_pod_obs *o = &obs[n++];
        memset(o, 0, sizeof(*o));
        o->ns = "default";
        o->pod_name = p->name;
        o->pod_uid = p->uid;
        o->job_uid = "job-uid-1";
        o->index = p->index;
        o->container_id = p->cid;
        o->state = p->state;
        o->exit_code = p->exit_code;
        o->created_at = p->created;
        o->started_at = p->started;
        o->finished_at = p->finished;
    }
    return n;
}

/* One sync + persist + actions. */
static inline void step(struct world *w)
{
    static struct kj_pod_obs obs[MAXP];
    int n = build_obs(w, obs);
    struct kj_sync_config cfg;
    config(w, &cfg);
    kj_sync_result_clear(&w->r);
    kj_error_t err = NULL;
    assert_int_equal(kj_job_sync(w->job, w->ledger, obs, n, &cfg, &w->r, &err), 0);
    if (w->no_persist)
        return;
    cJSON_DeleteItemFromObject(w->job, "status");
    cJSON_AddItemToObject(w->job, "status", cJSON_Duplicate(w->r.status, 1));
    /* Through JSON, as the driver does. */
    cJSON *lj = kj_ledger_to_json(w->r.ledger);
    kj_ledger_free(w->ledger);
    w->ledger = kj_ledger_from_json(lj, &err);
    assert_non_null(w->ledger);
    cJSON_Delete(lj);
    for (int i = 0; i < w->r.nevents; i++) {
        size_t l = strlen(w->events);
        snprintf(w->events + l, sizeof(w->events) - l, "%s|%s;", w->r.events[i].reason,
                 w->r.events[i].message);
    }
    if (w->no_actions)
        return;
    for (int i = 0; i < w->r.nactions; i++) {
        struct kj_sync_action *a = &w->r.actions[i];
        struct spod *p = find_pod(w, a->pod_name);
        switch (a->kind) {
        case KJ_SYNC_CREATE:
            assert_null(p);
            assert_true(w->npods < MAXP);
            p = &w->pods[w->npods++];
            memset(p, 0, sizeof(*p));
            snprintf(p->name, sizeof(p->name), "%s", a->pod_name);
            snprintf(p->uid, sizeof(p->uid), "%s", a->pod_uid);
            snprintf(p->cid, sizeof(p->cid), "cid%d", w->npods);
            p->index = a->index;
            p->state = KJ_POD_OBS_RUNNING;
            p->created = p->started = w->now;
            w->creates++;
            break;
        case KJ_SYNC_STOP:
            assert_non_null(p);
            if (p->state == KJ_POD_OBS_RUNNING) {
                p->state = KJ_POD_OBS_EXITED;
                p->exit_code = 143;
                p->finished = w->now;
            }
            w->stops++;
            break;
        case KJ_SYNC_REMOVE:
            assert_non_null(p);
            p->state = KJ_POD_OBS_REMOVED;
            w->removes++;
            break;
        case KJ_SYNC_RESTART:
            assert_non_null(p);
            assert_true(p->state == KJ_POD_OBS_EXITED || p->state == KJ_POD_OBS_CREATED);
            p->state = KJ_POD_OBS_RUNNING;
            p->started = w->now;
            w->restarts++;
            break;
        default:
            fail();
        }
    }
    int active = count_state(w, KJ_POD_OBS_RUNNING);
    if (active > w->max_active)
        w->max_active = active;
}

static inline void exit_pod(struct world *w, int i, int code)
{
    assert_int_equal(w->pods[i].state, KJ_POD_OBS_RUNNING);
    w->pods[i].state = KJ_POD_OBS_EXITED;
    w->pods[i].exit_code = code;
    w->pods[i].finished = w->now;
}

/* Exit the first running pod. */
static inline int exit_first(struct world *w, int code)
{
    for (int i = 0; i < w->npods; i++)
        if (w->pods[i].state == KJ_POD_OBS_RUNNING) {
            exit_pod(w, i, code);
            return i;
        }
    fail_msg("no running pod");
    return -1;
}

static inline const cJSON *status(struct world *w)
{
    return cJSON_GetObjectItem(w->job, "status");
}

static inline int st_int(struct world *w, const char *k)
{
    const cJSON *v = cJSON_GetObjectItem(status(w), k);
    return v != NULL ? v->valueint : 0;
}

static inline const char *st_str(struct world *w, const char *k)
{
    return cJSON_GetStringValue(cJSON_GetObjectItem(status(w), k));
}

/* "Type=Status/Reason" of every condition, comma separated. */
static inline const char *conds(struct world *w)
{
    static char buf[1024];
    buf[0] = '\0';
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(status(w), "conditions"))
    {
        size_t l = strlen(buf);
        snprintf(buf + l, sizeof(buf) - l, "%s%s=%s/%s", l ? "," : "",
                 cJSON_GetStringValue(cJSON_GetObjectItem(c, "type")),
                 cJSON_GetStringValue(cJSON_GetObjectItem(c, "status")),
                 cJSON_GetStringValue(cJSON_GetObjectItem(c, "reason")));
    }
    return buf;
}

static inline const char *cond_msg(struct world *w, const char *type)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(status(w), "conditions"))
    {
        if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(c, "type")), type) == 0)
            return cJSON_GetStringValue(cJSON_GetObjectItem(c, "message"));
    }
    return NULL;
}

static inline void set_spec(struct world *w, const char *key, cJSON *v)
{
    cJSON *spec = cJSON_GetObjectItem(w->job, "spec");
    if (cJSON_GetObjectItem(spec, key) != NULL)
        cJSON_ReplaceItemInObject(spec, key, v);
    else
        cJSON_AddItemToObject(spec, key, v);
}

static inline bool valid_suffix(const char *name, size_t prefix_len)
{
    if (strlen(name) != prefix_len + 5)
        return false;
    for (size_t i = prefix_len; name[i]; i++)
        if (strchr("bcdfghjklmnpqrstvwxz2456789", name[i]) == NULL)
            return false;
    return true;
}

#endif
