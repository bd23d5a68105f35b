/* Engine JSON → C structs. Pure: every pointer handed out borrows from the
 * cJSON document, so the caller keeps the document alive while using them.
 * The engine's documents are trusted for shape only loosely: a missing or
 * mistyped field reads as empty/zero instead of failing the whole decode. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "docker/docker-internal.h"
#include "util/cleanup.h"

static const char *str_or(const cJSON *obj, const char *key, const char *dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) && v->valuestring != NULL ? v->valuestring : dflt;
}

static int64_t num_or(const cJSON *obj, const char *key, int64_t dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(v))
        return dflt;
    double d = v->valuedouble;
    if (!(d > -9.2e18 && d < 9.2e18))
        return dflt;
    return (int64_t)d;
}

static int int_or(const cJSON *obj, const char *key, int dflt)
{
    int64_t v = num_or(obj, key, dflt);
    return v < -2147483647 || v > 2147483647 ? dflt : (int)v;
}

static bool bool_of(const cJSON *obj, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

static const cJSON *obj_of(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsObject(v) ? v : NULL;
}

int kj_docker_error_decode(long http_status, const char *body, size_t len, kj_error_t *err)
{
    int status = http_status >= 100 && http_status <= 999 ? (int)http_status : 500;
    if (body != NULL && len > 0) {
        cleanup_cjson cJSON *j = cJSON_ParseWithLength(body, len);
        const char *msg = str_or(j, "message", NULL);
        if (msg != NULL && *msg != '\0')
            return kj_make_http_error(err, status, "%s", msg);
        /* Some version errors come back as text/plain (docker-api.md A.0). */
        while (len > 0 && isspace((unsigned char)body[len - 1]))
            len--;
        while (len > 0 && isspace((unsigned char)*body)) {
            body++;
            len--;
        }
        if (len > 0 && j == NULL) {
            int shown = len > 1024 ? 1024 : (int)len;
            return kj_make_http_error(err, status, "%.*s", shown, body);
        }
    }
    return kj_make_http_error(err, status, "docker engine answered http %d", status);
}

int kj_docker_event_decode(const cJSON *j, struct kj_docker_event *ev, kj_error_t *err)
{
    if (!cJSON_IsObject(j))
        return kj_make_error(err, EINVAL, "docker event is not a json object");
    memset(ev, 0, sizeof(*ev));
    ev->type = str_or(j, "Type", NULL);
    ev->action = str_or(j, "Action", NULL);
    if (ev->type == NULL || ev->action == NULL)
        return kj_make_error(err, EINVAL, "docker event without `Type` or `Action`");
    const cJSON *actor = obj_of(j, "Actor");
    ev->id = str_or(actor, "ID", "");
    ev->attributes = obj_of(actor, "Attributes");
    ev->scope = str_or(j, "scope", "");
    ev->time = num_or(j, "time", 0);
    ev->time_nano = num_or(j, "timeNano", 0);
    /* cJSON keeps numbers as doubles, so timeNano (~1.8e18) is only good to
     * a few hundred ns; when it disagrees with `time` (rounded across a
     * second, or absent) fall back to whole seconds. */
    if (ev->time > 0 && ev->time < INT64_MAX / 1000000000 &&
        ev->time_nano / 1000000000 != ev->time)
        ev->time_nano = ev->time * 1000000000;
    if (ev->time_nano < 0)
        ev->time_nano = 0;
    const char *code = str_or(ev->attributes, "exitCode", NULL);
    if (code != NULL && *code != '\0') {
        char *end = NULL;
        errno = 0;
        long v = strtol(code, &end, 10);
        if (errno == 0 && *end == '\0' && v >= -2147483647 && v <= 2147483647) {
            ev->has_exit_code = true;
            ev->exit_code = (int)v;
        }
    }
    return 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil); timegm() would depend on TZ state. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

int64_t kj_docker_time_parse(const char *s)
{
    int y, mo, d, h, mi, se;
    if (s == NULL || strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' ||
        !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d) ||
        (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s + 11, 2, &h) ||
        s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &se))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return -1;
    const char *p = s + 19;
    int64_t frac = 0;
    if (*p == '.') {
        p++;
        int n = 0;
        while (isdigit((unsigned char)*p)) {
            if (n < 9) {
                frac = frac * 10 + (*p - '0');
                n++;
            }
            p++;
        }
        if (n == 0)
            return -1;
        for (; n < 9; n++)
            frac *= 10;
    }
    int64_t off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om))
            return -1;
        off = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return -1;
    }
    if (*p != '\0')
        return -1;
    if (y < 1970)
        return 0;
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
    if (secs <= 0)
        return 0;
    /* int64 nanoseconds end in 2262. */
    if (secs >= INT64_MAX / 1000000000 - 1)
        return -1;
    return secs * 1000000000 + frac;
}

static int decode_networks(const cJSON *j, struct kj_container_state *st,
                           struct kj_container_net **nets, kj_error_t *err)
{
    const cJSON *ns = obj_of(obj_of(j, "NetworkSettings"), "Networks");
    int n = ns != NULL ? cJSON_GetArraySize(ns) : 0;
    *nets = NULL;
    if (n <= 0)
        return 0;
    struct kj_container_net *out = calloc((size_t)n, sizeof(*out));
    if (out == NULL)
        return kj_make_error(err, ENOMEM, "decode container networks");
    size_t i = 0;
    const cJSON *net;
    cJSON_ArrayForEach(net, ns)
    {
        if (!cJSON_IsObject(net) || net->string == NULL)
            continue;
        out[i].name = net->string;
        out[i].network_id = str_or(net, "NetworkID", "");
        out[i].ip = str_or(net, "IPAddress", "");
        const cJSON *al = cJSON_GetObjectItemCaseSensitive(net, "Aliases");
        out[i].aliases = cJSON_IsArray(al) ? al : NULL;
        i++;
    }
    st->networks = out;
    st->n_networks = i;
    *nets = out;
    return 0;
}

int kj_docker_state_decode(const cJSON *j, struct kj_container_state *st,
                           struct kj_container_net **nets, kj_error_t *err)
{
    memset(st, 0, sizeof(*st));
    *nets = NULL;
    const cJSON *state = obj_of(j, "State");
    if (!cJSON_IsObject(j) || state == NULL)
        return kj_make_error(err, EINVAL, "container inspect without `State`");
    const cJSON *config = obj_of(j, "Config");
    st->raw = j;
    st->id = str_or(j, "Id", "");
    st->name = str_or(j, "Name", "");
    if (*st->name == '/')
        st->name++;
    st->image = str_or(config, "Image", "");
    st->status = str_or(state, "Status", "");
    st->running = bool_of(state, "Running");
    st->paused = bool_of(state, "Paused");
    st->restarting = bool_of(state, "Restarting");
    st->oom_killed = bool_of(state, "OOMKilled");
    st->dead = bool_of(state, "Dead");
    st->exit_code = int_or(state, "ExitCode", 0);
    st->error = str_or(state, "Error", "");
    st->started_at = str_or(state, "StartedAt", "");
    st->finished_at = str_or(state, "FinishedAt", "");
    st->started_at_ns = kj_docker_time_parse(st->started_at);
    st->finished_at_ns = kj_docker_time_parse(st->finished_at);
    if (st->started_at_ns < 0)
        st->started_at_ns = 0;
    if (st->finished_at_ns < 0)
        st->finished_at_ns = 0;
    st->pid = int_or(state, "Pid", 0);
    st->restart_count = int_or(j, "RestartCount", 0);
    st->tty = bool_of(config, "Tty");
    st->labels = obj_of(config, "Labels");
    return decode_networks(j, st, nets, err);
}

int kj_docker_summaries_decode(const cJSON *j, struct kj_container_summary **items, size_t *n,
                               kj_error_t *err)
{
    *items = NULL;
    *n = 0;
    if (!cJSON_IsArray(j))
        return kj_make_error(err, EINVAL, "container list is not a json array");
    int count = cJSON_GetArraySize(j);
    if (count == 0)
        return 0;
    struct kj_container_summary *out = calloc((size_t)count, sizeof(*out));
    if (out == NULL)
        return kj_make_error(err, ENOMEM, "decode container list");
    size_t i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, j)
    {
        if (!cJSON_IsObject(c))
            continue;
        struct kj_container_summary *s = &out[i++];
        s->id = str_or(c, "Id", "");
        const cJSON *names = cJSON_GetObjectItemCaseSensitive(c, "Names");
        const cJSON *first = cJSON_IsArray(names) ? cJSON_GetArrayItem(names, 0) : NULL;
        s->name = cJSON_IsString(first) ? first->valuestring : "";
        if (*s->name == '/')
            s->name++;
        s->image = str_or(c, "Image", "");
        s->state = str_or(c, "State", "");
        s->status = str_or(c, "Status", "");
        s->created = num_or(c, "Created", 0);
        s->labels = obj_of(c, "Labels");
    }
    *items = out;
    *n = i;
    return 0;
}

int kj_docker_pull_line_check(const cJSON *line, kj_error_t *err)
{
    const char *msg = str_or(obj_of(line, "errorDetail"), "message", NULL);
    if (msg == NULL)
        msg = str_or(line, "error", NULL);
    if (msg == NULL)
        return 0;
    return kj_make_http_error(err, 500, "%s", *msg ? msg : "pull failed");
}

static bool version_parse(const char *s, long *maj, long *min)
{
    char *end = NULL;
    if (s == NULL || !isdigit((unsigned char)*s))
        return false;
    errno = 0;
    *maj = strtol(s, &end, 10);
    if (errno != 0 || *end != '.' || !isdigit((unsigned char)end[1]))
        return false;
    *min = strtol(end + 1, &end, 10);
    return errno == 0 && *end == '\0' && *maj < 1000 && *min < 1000;
}

int kj_docker_version_cmp(const char *a, const char *b)
{
    long amaj, amin, bmaj, bmin;
    bool ao = version_parse(a, &amaj, &amin), bo = version_parse(b, &bmaj, &bmin);
    if (!ao || !bo)
        return (int)ao - (int)bo;
    if (amaj != bmaj)
        return amaj < bmaj ? -1 : 1;
    return amin < bmin ? -1 : amin > bmin ? 1 : 0;
}

int kj_docker_version_pick(const char *server_max, char *out, size_t out_size, kj_error_t *err)
{
    long maj, min;
    if (!version_parse(server_max, &maj, &min))
        return kj_make_error(err, EPROTO, "docker engine sent no usable `Api-Version` (`%s`)",
                             server_max ? server_max : "");
    if (kj_docker_version_cmp(server_max, KJ_DOCKER_API_MIN) < 0)
        return kj_make_error(err, EPROTO,
                             "docker engine speaks api %s, kjob needs at least " KJ_DOCKER_API_MIN,
                             server_max);
    const char *v = kj_docker_version_cmp(server_max, KJ_DOCKER_API_MAX) > 0 ? KJ_DOCKER_API_MAX
                                                                            : server_max;
    if ((size_t)snprintf(out, out_size, "%s", v) >= out_size)
        return kj_make_error(err, ENOSPC, "api version `%s` too long", v);
    return 0;
}
