/* Readiness probe spec and thresholds; see probe_sync.h. */
#include "controller/probe_sync.h"

#include <stdlib.h>
#include <string.h>

#define NS_PER_S INT64_C(1000000000)

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static int64_t seconds(const cJSON *o, const char *k, int64_t dflt, int64_t min)
{
    const cJSON *v = get(o, k);
    int64_t s = cJSON_IsNumber(v) ? (int64_t)v->valuedouble : dflt;
    return (s < min ? min : s) * NS_PER_S;
}

static int count(const cJSON *o, const char *k, int dflt)
{
    const cJSON *v = get(o, k);
    return cJSON_IsNumber(v) && v->valueint >= 1 ? v->valueint : dflt;
}

/* A port given as a number, a numeric string or a container port name. */
static int port_of(const cJSON *container, const cJSON *port)
{
    if (cJSON_IsNumber(port))
        return port->valueint > 0 && port->valueint < 65536 ? port->valueint : 0;
    if (!cJSON_IsString(port))
        return 0;
    char *end;
    long n = strtol(port->valuestring, &end, 10);
    if (*end == '\0' && n > 0 && n < 65536)
        return (int)n;
    const cJSON *p;
    cJSON_ArrayForEach(p, get(container, "ports"))
    {
        const char *name = cJSON_GetStringValue(get(p, "name"));
        const cJSON *cp = get(p, "containerPort");
        if (name != NULL && strcmp(name, port->valuestring) == 0 && cJSON_IsNumber(cp))
            return cp->valueint;
    }
    return 0;
}

void kj_probe_spec_parse(const cJSON *container, struct kj_probe_spec *out)
{
    memset(out, 0, sizeof *out);
    const cJSON *pr = get(container, "readinessProbe");
    if (!cJSON_IsObject(pr))
        return;
    out->initial_delay = seconds(pr, "initialDelaySeconds", 0, 0);
    out->period = seconds(pr, "periodSeconds", 10, 1);
    out->timeout = seconds(pr, "timeoutSeconds", 1, 1);
    out->success_threshold = count(pr, "successThreshold", 1);
    out->failure_threshold = count(pr, "failureThreshold", 3);
    const cJSON *h = get(pr, "httpGet"), *t = get(pr, "tcpSocket"), *e = get(pr, "exec");
    if (cJSON_IsObject(h)) {
        out->port = port_of(container, get(h, "port"));
        const char *path = cJSON_GetStringValue(get(h, "path"));
        out->path = path != NULL && path[0] == '/' ? path : "/";
        out->kind = out->port > 0 ? KJ_PROBE_HTTP_GET : KJ_PROBE_NONE;
    } else if (cJSON_IsObject(t)) {
        out->port = port_of(container, get(t, "port"));
        out->kind = out->port > 0 ? KJ_PROBE_TCP_SOCKET : KJ_PROBE_NONE;
    } else if (cJSON_IsObject(e)) {
        out->command = get(e, "command");
        out->kind = cJSON_GetArraySize(out->command) > 0 ? KJ_PROBE_EXEC : KJ_PROBE_NONE;
    }
}

bool kj_probe_record(struct kj_probe_state *st, const struct kj_probe_spec *spec, bool success)
{
    bool was = st->ready;
    if (success) {
        st->failures = 0;
        if (st->successes < spec->success_threshold)
            st->successes++;
        if (st->successes >= spec->success_threshold)
            st->ready = true;
    } else {
        st->successes = 0;
        if (st->failures < spec->failure_threshold)
            st->failures++;
        /* Not ready yet: one failure keeps it so; ready: after the threshold. */
        if (st->failures >= spec->failure_threshold)
            st->ready = false;
    }
    return st->ready != was;
}
