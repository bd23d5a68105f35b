#include "kuard/probe.h"

#include <math.h>    /* floor */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <strings.h> /* strcasecmp */

#include "kuard/humanize.h"
#include "util/cleanup.h"

void kj_kuard_probe_init(struct kj_kuard_probe *p, long long fail_next)
{
    *p = (struct kj_kuard_probe){.fail_next = fail_next};
}

int kj_kuard_probe_call(struct kj_kuard_probe *p, struct timespec now, char *msg, size_t size)
{
    int code = 200;
    if (p->fail_next > 0) {
        code = 500;
        p->fail_next--;
        snprintf(msg, size, "fail, %lld left", p->fail_next);
    } else if (p->fail_next < 0) {
        code = 500;
        snprintf(msg, size, "fail, permanent");
    } else {
        snprintf(msg, size, "ok");
    }
    struct kj_kuard_probe_call *e;
    if (p->len == KJ_KUARD_PROBE_HISTORY) {
        e = &p->history[p->start];
        p->start = (p->start + 1) % KJ_KUARD_PROBE_HISTORY;
    } else {
        e = &p->history[(p->start + p->len) % KJ_KUARD_PROBE_HISTORY];
        p->len++;
    }
    *e = (struct kj_kuard_probe_call){++p->last_id, now, code};
    return code;
}

cJSON *kj_kuard_probe_status_json(const struct kj_kuard_probe *p, struct timespec now)
{
    cleanup_cjson cJSON *root = cJSON_CreateObject();
    if (root == NULL || cJSON_AddStringToObject(root, "probePath", "") == NULL ||
        cJSON_AddNumberToObject(root, "failNext", (double)p->fail_next) == NULL)
        return NULL;
    cJSON *hist = cJSON_AddArrayToObject(root, "history");
    if (hist == NULL)
        return NULL;
    for (size_t i = p->len; i-- > 0;) {
        const struct kj_kuard_probe_call *e = &p->history[(p->start + i) % KJ_KUARD_PROBE_HISTORY];
        char when[32] = "", rel[64];
        struct tm tm;
        time_t t = e->when.tv_sec;
        if (localtime_r(&t, &tm) != NULL)
            strftime(when, sizeof(when), "%b %e %H:%M:%S", &tm); /* Go's "Jan _2 15:04:05" */
        int64_t diff = (int64_t)(now.tv_sec - e->when.tv_sec) * 1000000000 + (now.tv_nsec - e->when.tv_nsec);
        kj_kuard_reltime(diff, "ago", "from now", rel, sizeof(rel));
        cJSON *o = cJSON_CreateObject();
        if (o == NULL || !cJSON_AddItemToArray(hist, o)) {
            cJSON_Delete(o);
            return NULL;
        }
        if (cJSON_AddNumberToObject(o, "id", (double)e->id) == NULL ||
            cJSON_AddStringToObject(o, "when", when) == NULL ||
            cJSON_AddStringToObject(o, "relWhen", rel) == NULL ||
            cJSON_AddNumberToObject(o, "code", e->code) == NULL)
            return NULL;
    }
    return steal_pointer(&root);
}

int kj_kuard_probe_put(struct kj_kuard_probe *p, const char *body, size_t len, kj_error_t *err)
{
    if (len == 0)
        return kj_make_http_error(err, 400, "EOF");
    cleanup_cjson cJSON *root = cJSON_ParseWithLengthOpts(body, len, NULL, false);
    if (root == NULL)
        return kj_make_http_error(err, 400, "invalid character in json body");
    if (!cJSON_IsObject(root) && !cJSON_IsNull(root))
        return kj_make_http_error(err, 400,
                                  "json: cannot unmarshal non-object into Go value of type debugprobe.ProbeConfig");
    long long n = 0;
    for (const cJSON *it = root->child; it != NULL; it = it->next) {
        if (it->string == NULL || strcasecmp(it->string, "failNext") != 0 || cJSON_IsNull(it))
            continue;
        double d = it->valuedouble;
        if (!cJSON_IsNumber(it) || d != floor(d) || fabs(d) > 9.2e18)
            return kj_make_http_error(err, 400,
                                      "json: cannot unmarshal value into Go struct field ProbeConfig.failNext of type int");
        n = (long long)d;
    }
    p->fail_next = n;
    return 0;
}
