/* Small pure helpers of the Job controller: names, uids, index lists, times. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/indexlist.h"
#include "api/time.h"
#include "controller/job_sync.h"
#include "util/xalloc.h"

void kj_sync_config_defaults(struct kj_sync_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->backoff_base = 10 * KJ_NS_PER_SEC;
    cfg->backoff_max = 600 * KJ_NS_PER_SEC;
    cfg->restart_base = 10 * KJ_NS_PER_SEC;
    cfg->restart_max = 300 * KJ_NS_PER_SEC;
    cfg->max_creates = 500;
}

static const char name_alphabet[] = "bcdfghjklmnpqrstvwxz2456789";

char *kj_job_pod_name(const char *job_name, int index, const struct kj_sync_config *cfg)
{
    char prefix[80];
    char idx[16] = "";
    if (index >= 0)
        snprintf(idx, sizeof(idx), "-%d", index);
    /* §6.2: generateName is cut to 58 characters, cutting the job-name part
     * so the "-<i>-" suffix survives. */
    int room = 58 - (int)strlen(idx) - 1;
    if (room < 0)
        room = 0;
    snprintf(prefix, sizeof(prefix), "%.*s%s-", room, job_name, idx);
    unsigned char r[5];
    cfg->rand_bytes(cfg->rand_arg, r, sizeof(r));
    char sfx[6];
    for (int i = 0; i < 5; i++)
        sfx[i] = name_alphabet[r[i] % (sizeof(name_alphabet) - 1)];
    sfx[5] = '\0';
    return xasprintf("%s%s", prefix, sfx);
}

void kj_job_pod_uid(const struct kj_sync_config *cfg, char out[37])
{
    unsigned char b[16];
    cfg->rand_bytes(cfg->rand_arg, b, sizeof(b));
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

char *kj_index_list_format(const bool *set, int n)
{
    struct kj_indexlist l;
    kj_indexlist_init(&l);
    for (int i = 0; i < n;) {
        if (!set[i]) {
            i++;
            continue;
        }
        int j = i;
        while (j + 1 < n && set[j + 1])
            j++;
        kj_error_t err = NULL;
        if (kj_indexlist_add_range(&l, i, j, &err) < 0)
            kj_error_release(&err); /* cannot happen: ranges ascend */
        i = j + 1;
    }
    char *s = kj_indexlist_format(&l);
    kj_indexlist_free(&l);
    return s != NULL ? s : xstrdup("");
}

int kj_index_list_parse(const char *s, bool *set, int n)
{
    if (s == NULL || *s == '\0')
        return 0;
    /* The syntax strictly, as the API server checks it; indexes >= n are
     * dropped (elastic Jobs shrink completions). */
    int32_t total;
    kj_error_t err = NULL;
    if (kj_indexlist_check(s, INT32_MAX, &total, &err) < 0) {
        kj_error_release(&err);
        return -1;
    }
    struct kj_indexlist l;
    kj_indexlist_init(&l);
    int rc = kj_indexlist_parse(&l, s, n, &err);
    kj_error_release(&err);
    for (size_t k = 0; rc == 0 && k < l.len; k++)
        for (int32_t i = l.v[k].first; i <= l.v[k].last && i < n; i++)
            if (i >= 0)
                set[i] = true;
    kj_indexlist_free(&l);
    return rc < 0 ? -1 : 0;
}

void kj_time_format(int64_t t_ns, char *buf, size_t len)
{
    kj_rfc3339_format(t_ns, buf, len);
}

int64_t kj_time_parse(const char *s)
{
    int64_t ns = 0;
    kj_error_t err = NULL;
    if (s == NULL || kj_rfc3339_parse(s, &ns, &err) < 0) {
        kj_error_release(&err);
        return 0;
    }
    return ns;
}

int kj_pod_restart_count(const struct kj_ledger_pod *p, const struct kj_pod_obs *o)
{
    bool waiting = p->restarts > 0 && o != NULL && o->state == KJ_POD_OBS_EXITED &&
                   o->finished_at == p->last_exit_at;
    return p->restarts - (waiting ? 1 : 0);
}

bool kj_pod_obs_all_exited(const struct kj_pod_obs *o)
{
    if (o->state != KJ_POD_OBS_EXITED)
        return false;
    const cJSON *m;
    cJSON_ArrayForEach(m, o->containers)
    {
        const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "state"));
        if (st != NULL && strcmp(st, "running") == 0)
            return false;
    }
    return true;
}
