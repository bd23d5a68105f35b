/* Time one kj_job_sync of a Job with 1,000 pods (500 finished, 450 running,
 * 50 newly exited), the controller's hot path. Prints µs per sync. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "controller/job_sync.h"
#include "controller/ledger.h"

#define NPODS 1000
#define RUNS 200

static void rnd(void *arg, unsigned char *buf, size_t n)
{
    unsigned *r = arg;
    for (size_t i = 0; i < n; i++) {
        *r = *r * 1103515245u + 12345u;
        buf[i] = (unsigned char)(*r >> 16);
    }
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(void)
{
    const int64_t t0 = 1700000000LL * KJ_NS_PER_SEC;
    cJSON *job = cJSON_Parse(
        "{\"metadata\":{\"name\":\"bench\",\"namespace\":\"default\",\"uid\":\"u\"},"
        "\"spec\":{\"completions\":5000,\"parallelism\":500,\"backoffLimit\":100000,"
        "\"template\":{\"spec\":{\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"c\"}]}}},"
        "\"status\":{\"startTime\":\"2023-11-14T22:13:20Z\"}}");
    struct kj_ledger *l = kj_ledger_new();
    static struct kj_pod_obs obs[NPODS];
    static char names[NPODS][32];
    for (int i = 0; i < NPODS; i++) {
        snprintf(names[i], sizeof(names[i]), "bench-%05d", i);
        struct kj_ledger_pod *p = kj_ledger_add(l, names[i], "uid", -1);
        p->seen = true;
        p->created_at = t0;
        struct kj_pod_obs *o = &obs[i];
        o->ns = "default";
        o->pod_name = names[i];
        o->pod_uid = "uid";
        o->job_uid = "u";
        o->index = -1;
        o->container_id = "cid";
        o->created_at = o->started_at = t0;
        if (i < 500) {
            p->outcome = KJ_OUTCOME_SUCCEEDED;
            p->finished_at = t0 + i;
            o->state = KJ_POD_OBS_EXITED;
            o->finished_at = t0 + i;
        } else if (i < 950) {
            o->state = KJ_POD_OBS_RUNNING;
        } else {
            o->state = KJ_POD_OBS_EXITED;
            o->exit_code = i % 2;
            o->finished_at = t0 + 10 * KJ_NS_PER_SEC + i;
        }
    }
    unsigned seed = 1;
    struct kj_sync_config cfg;
    kj_sync_config_defaults(&cfg);
    cfg.now = t0 + 30 * KJ_NS_PER_SEC;
    cfg.rand_bytes = rnd;
    cfg.rand_arg = &seed;
    double best = 1e18, total = 0;
    int actions = 0;
    for (int r = 0; r < RUNS; r++) {
        struct kj_sync_result res;
        double a = now_us();
        if (kj_job_sync(job, l, obs, NPODS, &cfg, &res, NULL) < 0)
            return 1;
        double dt = now_us() - a;
        actions = res.nactions;
        kj_sync_result_clear(&res);
        total += dt;
        if (dt < best)
            best = dt;
    }
    printf("job_sync: %d pods, %d actions: mean %.0f us, best %.0f us per sync (%d runs)\n",
           NPODS, actions, total / RUNS, best, RUNS);
    /* The persisted form, for scale: ledger JSON size. */
    cJSON *lj = kj_ledger_to_json(l);
    char *s = cJSON_PrintUnformatted(lj);
    printf("job_sync: ledger of %d pods is %zu bytes of JSON\n", NPODS, strlen(s));
    free(s);
    cJSON_Delete(lj);
    kj_ledger_free(l);
    cJSON_Delete(job);
    return 0;
}
