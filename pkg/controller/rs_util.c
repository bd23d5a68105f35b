/* ReplicaSet controller helpers: events and generated names. */
#include "controller/rs_driver-internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "api/time.h"
#include "store/store.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *gets(const cJSON *o, const char *k)
{
    return cJSON_GetStringValue(get(o, k));
}

/* ---- events ---- */

void kj_rs_emit(struct kj_rs_driver *d, const cJSON *rs, bool warning, const char *reason,
                const char *fmt, const char *arg)
{
    const cJSON *md = get(rs, "metadata");
    const char *ns = gets(md, "namespace"), *name = gets(md, "name");
    int64_t now = kj_time_now_ns();
    char ts[KJ_RFC3339_BUFSZ], micro[KJ_RFC3339_BUFSZ], ev_name[300];
    kj_rfc3339_format(now, ts, sizeof ts);
    kj_rfc3339_format_micro(now, micro, sizeof micro);
    snprintf(ev_name, sizeof ev_name, "%s.%" PRIx64, name, (uint64_t)now);
    while (kj_store_get(d->store, "events", ns, ev_name) != NULL)
        snprintf(ev_name, sizeof ev_name, "%s.%" PRIx64, name, (uint64_t)++now);
    cleanup_free char *msg = xasprintf(fmt, arg);
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddStringToObject(ev, "kind", "Event");
    cJSON_AddStringToObject(ev, "apiVersion", "v1");
    cJSON *m = cJSON_AddObjectToObject(ev, "metadata");
    cJSON_AddStringToObject(m, "name", ev_name);
    cJSON_AddStringToObject(m, "namespace", ns);
    cJSON_AddStringToObject(m, "creationTimestamp", ts);
    cJSON *io = cJSON_AddObjectToObject(ev, "involvedObject");
    cJSON_AddStringToObject(io, "kind", gets(rs, "kind") != NULL ? gets(rs, "kind") : "ReplicaSet");
    cJSON_AddStringToObject(io, "namespace", ns);
    cJSON_AddStringToObject(io, "name", name);
    if (gets(md, "uid") != NULL)
        cJSON_AddStringToObject(io, "uid", gets(md, "uid"));
    cJSON_AddStringToObject(io, "apiVersion",
                            gets(rs, "apiVersion") != NULL ? gets(rs, "apiVersion") : "apps/v1");
    cJSON_AddStringToObject(ev, "reason", reason);
    cJSON_AddStringToObject(ev, "message", msg);
    const char *component =
        strcmp(gets(rs, "kind") != NULL ? gets(rs, "kind") : "", "Service") == 0
            ? "service-controller"
            : "replicaset-controller";
    cJSON_AddStringToObject(cJSON_AddObjectToObject(ev, "source"), "component", component);
    cJSON_AddStringToObject(ev, "firstTimestamp", ts);
    cJSON_AddStringToObject(ev, "lastTimestamp", ts);
    cJSON_AddNumberToObject(ev, "count", 1);
    cJSON_AddStringToObject(ev, "type", warning ? "Warning" : "Normal");
    cJSON_AddStringToObject(ev, "eventTime", micro);
    cJSON_AddStringToObject(ev, "reportingComponent", component);
    cJSON_AddStringToObject(ev, "reportingInstance", "kjobd");
    kj_error_t err = NULL;
    if (kj_store_create(d->store, "events", ns, ev_name, ev, NULL, &err) < 0) {
        cJSON_Delete(ev);
        kj_error_log_release(&err, "replicaset controller: record event");
    }
}

void kj_rs_random_suffix(char *out, size_t n)
{
    /* Kubernetes' rand.String alphabet: no vowels, no confusable digits. */
    static const char alnum[] = "bcdfghjklmnpqrstvwxz2456789";
    unsigned char b[16];
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(b + got, n - got, 0);
        if (r > 0)
            got += (size_t)r;
    }
    for (size_t i = 0; i < n; i++)
        out[i] = alnum[b[i] % (sizeof alnum - 1)];
    out[n] = '\0';
}

char *kj_rs_uuid_new(void)
{
    unsigned char b[16];
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t r = getrandom(b + got, sizeof b - got, 0);
        if (r > 0)
            got += (size_t)r;
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    return xasprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                     b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
                     b[13], b[14], b[15]);
}
