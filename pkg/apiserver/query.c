/* Query-string decoding on libevent's parser; see query.h. */
#include "apiserver/query.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sys/queue.h> /* TAILQ_FOREACH */

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "util/xalloc.h"

void kj_query_clear(struct kj_query *q)
{
    for (size_t i = 0; i < q->n; i++) {
        free(q->items[i].key);
        free(q->items[i].value);
    }
    free(q->items);
    q->items = NULL;
    q->n = 0;
}

int kj_query_parse(const char *raw, struct kj_query *out, kj_error_t *err)
{
    memset(out, 0, sizeof *out);
    if (raw == NULL || *raw == '\0')
        return 0;
    struct evkeyvalq kv;
    TAILQ_INIT(&kv);
    /* libevent refuses a parameter without '=' ("?watch"); Kubernetes
     * clients do not send those, but a curl user might: add "=" first. */
    size_t len = strlen(raw);
    char *fixed = xmalloc(len * 2 + 2);
    size_t o = 0;
    const char *p = raw;
    while (*p != '\0') {
        const char *amp = strchr(p, '&');
        size_t pl = amp ? (size_t)(amp - p) : strlen(p);
        if (pl > 0) {
            if (o > 0)
                fixed[o++] = '&';
            memcpy(fixed + o, p, pl);
            o += pl;
            if (memchr(p, '=', pl) == NULL)
                fixed[o++] = '=';
        }
        p += pl;
        if (*p == '&')
            p++;
    }
    fixed[o] = '\0';
    int rc = evhttp_parse_query_str(fixed, &kv);
    free(fixed);
    if (rc < 0) {
        evhttp_clear_headers(&kv);
        return kj_make_http_error(err, 400, "malformed query string");
    }
    size_t n = 0;
    struct evkeyval *e;
    TAILQ_FOREACH(e, &kv, next) n++;
    out->items = xcalloc(n ? n : 1, sizeof *out->items);
    TAILQ_FOREACH(e, &kv, next)
    {
        out->items[out->n].key = xstrdup(e->key);
        out->items[out->n].value = xstrdup(e->value ? e->value : "");
        out->n++;
    }
    evhttp_clear_headers(&kv);
    return 0;
}

int kj_request_target_parse(const char *target, char **out_path, struct kj_query *out_query,
                            kj_error_t *err)
{
    *out_path = NULL;
    memset(out_query, 0, sizeof *out_query);
    if (target == NULL || target[0] != '/')
        return kj_make_http_error(err, 400, "request path must start with `/`");
    const char *q = strchr(target, '?');
    /* A fragment never reaches a server, but cut it if a client sends one. */
    const char *hash = strchr(target, '#');
    size_t path_len = q ? (size_t)(q - target) : hash ? (size_t)(hash - target) : strlen(target);
    if (q != NULL) {
        char *raw = hash && hash > q ? xstrndup(q + 1, (size_t)(hash - q - 1)) : xstrdup(q + 1);
        int rc = kj_query_parse(raw, out_query, err);
        free(raw);
        if (rc < 0)
            return -1;
    }
    *out_path = xstrndup(target, path_len);
    return 0;
}

const char *kj_query_get(const struct kj_query *q, const char *key)
{
    for (size_t i = 0; i < q->n; i++)
        if (strcmp(q->items[i].key, key) == 0)
            return q->items[i].value;
    return NULL;
}

int kj_query_bool(const struct kj_query *q, const char *key, bool def, bool *out, kj_error_t *err)
{
    const char *v = kj_query_get(q, key);
    if (v == NULL) {
        *out = def;
        return 0;
    }
    if (*v == '\0' || strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcmp(v, "True") == 0) {
        *out = true;
        return 0;
    }
    if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0 || strcmp(v, "False") == 0) {
        *out = false;
        return 0;
    }
    return kj_make_http_error(err, 400, "invalid boolean value \"%s\" for query parameter `%s`", v, key);
}

int kj_query_int(const struct kj_query *q, const char *key, int64_t def, int64_t *out,
                 kj_error_t *err)
{
    const char *v = kj_query_get(q, key);
    if (v == NULL || *v == '\0') {
        *out = def;
        return 0;
    }
    char *end = NULL;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (*end != '\0' || errno != 0 || n < 0)
        return kj_make_http_error(err, 400, "invalid value \"%s\" for query parameter `%s`", v, key);
    *out = (int64_t)n;
    return 0;
}

int kj_propagation_parse(const char *s, enum kj_propagation *out, kj_error_t *err)
{
    if (s == NULL || *s == '\0')
        *out = KJ_PROPAGATION_UNSET;
    else if (strcmp(s, "Background") == 0)
        *out = KJ_PROPAGATION_BACKGROUND;
    else if (strcmp(s, "Foreground") == 0)
        *out = KJ_PROPAGATION_FOREGROUND;
    else if (strcmp(s, "Orphan") == 0)
        *out = KJ_PROPAGATION_ORPHAN;
    else
        return kj_make_http_error(err, 400,
                                  "propagationPolicy: Unsupported value: \"%s\": supported values: "
                                  "\"Foreground\", \"Background\", \"Orphan\"",
                                  s);
    return 0;
}

int kj_list_opts_parse(const struct kj_query *q, struct kj_list_opts *out, kj_error_t *err)
{
    memset(out, 0, sizeof *out);
    out->label_selector = kj_query_get(q, "labelSelector");
    out->field_selector = kj_query_get(q, "fieldSelector");
    out->resource_version = kj_query_get(q, "resourceVersion");
    if (out->label_selector != NULL && *out->label_selector == '\0')
        out->label_selector = NULL;
    if (out->field_selector != NULL && *out->field_selector == '\0')
        out->field_selector = NULL;
    if (kj_query_bool(q, "watch", false, &out->watch, err) < 0)
        return -1;
    if (kj_query_int(q, "limit", 0, &out->limit, err) < 0)
        return -1;
    if (kj_query_int(q, "timeoutSeconds", 0, &out->timeout_seconds, err) < 0)
        return -1;
    return 0;
}

int kj_grace_period_parse(const struct kj_query *q, const cJSON *body, int *out, kj_error_t *err)
{
    const char *s = kj_query_get(q, "gracePeriodSeconds");
    char *end = NULL;
    double v = s != NULL ? strtod(s, &end) : cJSON_IsNumber(body) ? body->valuedouble : -1;
    bool bad = (s != NULL && (end == s || *end != '\0')) ||
               (s == NULL && body != NULL && !cJSON_IsNull(body) && !cJSON_IsNumber(body));
    /* NaN fails both comparisons, so it never reaches the conversion. */
    if (!bad && v != -1)
        bad = !(v >= 0 && v <= 1e9) || v != (double)(int)v;
    if (bad)
        return kj_make_http_error(err, 400, "gracePeriodSeconds must be a whole number of "
                                            "seconds, 0 or more");
    *out = (int)v;
    return 0;
}
