/* Small pure helpers of the Job controller: names, uids, index lists, times. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
    size_t cap = 64, len = 0;
    char *s = xmalloc(cap);
    s[0] = '\0';
    for (int i = 0; i < n;) {
        if (!set[i]) {
            i++;
            continue;
        }
        int j = i;
        while (j + 1 < n && set[j + 1])
            j++;
        char part[40];
        if (j - i >= 2)
            snprintf(part, sizeof(part), "%s%d-%d", len ? "," : "", i, j);
        else if (j == i + 1)
            snprintf(part, sizeof(part), "%s%d,%d", len ? "," : "", i, j);
        else
            snprintf(part, sizeof(part), "%s%d", len ? "," : "", i);
        size_t pl = strlen(part);
        if (len + pl + 1 > cap) {
            while (len + pl + 1 > cap)
                cap *= 2;
            s = xrealloc(s, cap);
        }
        memcpy(s + len, part, pl + 1);
        len += pl;
        i = j + 1;
    }
    return s;
}

static int parse_num(const char **p, long *out)
{
    char *end = NULL;
    if (**p < '0' || **p > '9')
        return -1;
    *out = strtol(*p, &end, 10);
    *p = end;
    return 0;
}

int kj_index_list_parse(const char *s, bool *set, int n)
{
    const char *p = s;
    if (s == NULL || *s == '\0')
        return 0;
    for (;;) {
        long a, b;
        if (parse_num(&p, &a) < 0)
            return -1;
        b = a;
        if (*p == '-') {
            p++;
            if (parse_num(&p, &b) < 0 || b < a)
                return -1;
        }
        for (long i = a; i <= b && i < n; i++)
            set[i] = true;
        if (*p == '\0')
            return 0;
        if (*p++ != ',')
            return -1;
    }
}

void kj_time_format(int64_t t_ns, char *buf, size_t len)
{
    time_t t = (time_t)(t_ns / KJ_NS_PER_SEC);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int64_t kj_time_parse(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    if (s == NULL)
        return 0;
    const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (p == NULL)
        return 0;
    int64_t frac = 0;
    if (*p == '.') {
        int64_t scale = 100000000;
        for (p++; *p >= '0' && *p <= '9'; p++) {
            frac += (*p - '0') * scale;
            scale /= 10;
        }
    }
    int64_t off = 0;
    if (*p == '+' || *p == '-') {
        int hh = 0, mm = 0;
        if (sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2)
            return 0;
        off = (hh * 3600 + mm * 60) * (*p == '+' ? 1 : -1);
    } else if (*p != 'Z') {
        return 0;
    }
    return ((int64_t)timegm(&tm) - off) * KJ_NS_PER_SEC + frac;
}
