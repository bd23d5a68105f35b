#include "kubeapi/describe.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kubeapi/table.h"
#include "kubeapi/tabwriter.h"

/* An open_memstream buffer: the raw text with tabs, aligned at the end. */
struct out {
    char *buf;
    size_t len;
    FILE *f;
};

__attribute__((format(printf, 2, 3))) static void w(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(o->f, fmt, ap);
    va_end(ap);
}

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = get(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int cmp_strp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "Labels:\tk=v\n\tk2=v2\n" sorted by key, or "<none>". sep is "=" or ": ". */
static void map_lines(struct out *o, const char *indent, const char *title, const cJSON *map,
                      const char *sep, const char *hide)
{
    int n = cJSON_GetArraySize(map);
    const char **keys = n > 0 ? calloc((size_t)n, sizeof(*keys)) : NULL;
    int k = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, map)
    {
        if (keys != NULL && (hide == NULL || strcmp(e->string, hide) != 0))
            keys[k++] = e->string;
    }
    if (k > 1) /* keys is NULL for an empty map */
        qsort(keys, (size_t)k, sizeof(*keys), cmp_strp);
    if (k == 0)
        w(o, "%s%s:\t<none>\n", indent, title);
    for (int i = 0; i < k; i++) {
        const char *v = str(map, keys[i]);
        if (i == 0)
            w(o, "%s%s:\t%s%s%s\n", indent, title, keys[i], sep, v ? v : "");
        else
            w(o, "%s\t%s%s%s\n", indent, keys[i], sep, v ? v : "");
    }
    free(keys);
}

static void rfc1123z(const char *ts, char *buf, size_t len)
{
    time_t t = (time_t)kj_rfc3339_seconds(ts);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%a, %d %b %Y %H:%M:%S +0000", &tm);
}

static void selector_text(const cJSON *sel, struct out *o)
{
    bool first = true;
    const cJSON *kv;
    cJSON_ArrayForEach(kv, get(sel, "matchLabels"))
    {
        w(o, "%s%s=%s", first ? "" : ",", kv->string, cJSON_IsString(kv) ? kv->valuestring : "");
        first = false;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, get(sel, "matchExpressions"))
    {
        const char *key = str(e, "key"), *op = str(e, "operator");
        if (key == NULL || op == NULL)
            continue;
        w(o, "%s%s%s", first ? "" : ",", strcmp(op, "DoesNotExist") == 0 ? "!" : "", key);
        first = false;
        if (strcmp(op, "In") == 0 || strcmp(op, "NotIn") == 0) {
            w(o, " %s (", strcmp(op, "In") == 0 ? "in" : "notin");
            const cJSON *v;
            bool f2 = true;
            cJSON_ArrayForEach(v, get(e, "values"))
            {
                w(o, "%s%s", f2 ? "" : ",", cJSON_IsString(v) ? v->valuestring : "");
                f2 = false;
            }
            w(o, ")");
        }
    }
    if (first)
        w(o, "<none>");
}

static void string_list(struct out *o, const char *title, const cJSON *arr)
{
    if (cJSON_GetArraySize(arr) == 0)
        return;
    w(o, "    %s:\n", title);
    const cJSON *s;
    cJSON_ArrayForEach(s, arr) w(o, "      %s\n", cJSON_IsString(s) ? s->valuestring : "");
}

static void resources(struct out *o, const char *title, const cJSON *map)
{
    if (cJSON_GetArraySize(map) == 0)
        return;
    w(o, "    %s:\n", title);
    const cJSON *q;
    cJSON_ArrayForEach(q, map)
    {
        if (cJSON_IsString(q))
            w(o, "      %s:\t%s\n", q->string, q->valuestring);
        else if (cJSON_IsNumber(q))
            w(o, "      %s:\t%g\n", q->string, q->valuedouble);
    }
}

static void container(struct out *o, const cJSON *c)
{
    const char *name = str(c, "name"), *image = str(c, "image");
    w(o, "   %s:\n", name ? name : "");
    w(o, "    Image:\t%s\n", image ? image : "");
    const cJSON *ports = get(c, "ports");
    int np = cJSON_GetArraySize(ports);
    if (np == 0) {
        w(o, "    Port:\t<none>\n    Host Port:\t<none>\n");
    } else {
        for (int pass = 0; pass < 2; pass++) {
            w(o, "    %s%s:\t", pass ? "Host Port" : "Port", np > 1 ? "s" : "");
            for (int i = 0; i < np; i++) {
                const cJSON *p = cJSON_GetArrayItem(ports, i);
                const char *proto = str(p, "protocol");
                const char *pname = str(p, "name");
                const cJSON *num = get(p, pass ? "hostPort" : "containerPort");
                w(o, "%s%d/%s", i ? ", " : "", cJSON_IsNumber(num) ? (int)num->valuedouble : 0,
                  proto ? proto : "TCP");
                if (pname != NULL && pass == 0)
                    w(o, " (%s)", pname);
            }
            w(o, "\n");
        }
    }
    string_list(o, "Command", get(c, "command"));
    string_list(o, "Args", get(c, "args"));
    resources(o, "Limits", get(get(c, "resources"), "limits"));
    resources(o, "Requests", get(get(c, "resources"), "requests"));
    const cJSON *env = get(c, "env");
    if (cJSON_GetArraySize(env) == 0) {
        w(o, "    Environment:\t<none>\n");
    } else {
        w(o, "    Environment:\n");
        const cJSON *e;
        cJSON_ArrayForEach(e, env)
        {
            const char *en = str(e, "name"), *ev = str(e, "value");
            const cJSON *ref = get(get(e, "valueFrom"), "fieldRef");
            if (ref != NULL) {
                const char *api = str(ref, "apiVersion"), *path = str(ref, "fieldPath");
                w(o, "      %s:\t (%s:%s)\n", en ? en : "", api ? api : "v1", path ? path : "");
            } else
                w(o, "      %s:\t%s\n", en ? en : "", ev ? ev : "");
        }
    }
    const cJSON *mounts = get(c, "volumeMounts");
    if (cJSON_GetArraySize(mounts) == 0) {
        w(o, "    Mounts:\t<none>\n");
    } else {
        w(o, "    Mounts:\n");
        const cJSON *m;
        cJSON_ArrayForEach(m, mounts)
        {
            const char *path = str(m, "mountPath"), *vol = str(m, "name");
            w(o, "      %s from %s (%s)\n", path ? path : "", vol ? vol : "",
              cJSON_IsTrue(get(m, "readOnly")) ? "ro" : "rw");
        }
    }
}

static void pod_template(struct out *o, const cJSON *tmpl)
{
    const cJSON *meta = get(tmpl, "metadata"), *spec = get(tmpl, "spec");
    w(o, "Pod Template:\n");
    map_lines(o, "  ", "Labels", get(meta, "labels"), "=", NULL);
    if (cJSON_GetArraySize(get(meta, "annotations")) > 0)
        map_lines(o, "  ", "Annotations", get(meta, "annotations"), ": ", NULL);
    const char *sa = str(spec, "serviceAccountName");
    if (sa != NULL)
        w(o, "  Service Account:\t%s\n", sa);
    const cJSON *c;
    if (cJSON_GetArraySize(get(spec, "initContainers")) > 0) {
        w(o, "  Init Containers:\n");
        cJSON_ArrayForEach(c, get(spec, "initContainers")) container(o, c);
    }
    w(o, "  Containers:\n");
    cJSON_ArrayForEach(c, get(spec, "containers")) container(o, c);
    const cJSON *vols = get(spec, "volumes");
    if (cJSON_GetArraySize(vols) == 0)
        w(o, "  Volumes:\t<none>\n");
    else {
        w(o, "  Volumes:\n");
        const cJSON *v;
        cJSON_ArrayForEach(v, vols)
        {
            const char *vn = str(v, "name");
            w(o, "   %s:\n", vn ? vn : "");
            if (get(v, "emptyDir") != NULL)
                w(o, "    Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n");
        }
    }
    const cJSON *ns = get(spec, "nodeSelector");
    if (cJSON_GetArraySize(ns) == 0)
        w(o, "  Node-Selectors:\t<none>\n");
    else {
        w(o, "  Node-Selectors:\t");
        const cJSON *kv;
        bool first = true;
        cJSON_ArrayForEach(kv, ns)
        {
            w(o, "%s%s=%s", first ? "" : ",", kv->string,
              cJSON_IsString(kv) ? kv->valuestring : "");
            first = false;
        }
        w(o, "\n");
    }
    w(o, "  Tolerations:\t%s\n", cJSON_GetArraySize(get(spec, "tolerations")) ? "<set>" : "<none>");
}

static void events(struct out *o, const cJSON *evs, int64_t now)
{
    if (cJSON_GetArraySize(evs) == 0) {
        w(o, "Events:\t<none>\n");
        return;
    }
    w(o, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n  ----\t------\t----\t----\t-------\n");
    const cJSON *e;
    cJSON_ArrayForEach(e, evs)
    {
        char a1[32], a2[32], agebuf[96];
        const char *last = str(e, "lastTimestamp"), *first = str(e, "firstTimestamp");
        if (last == NULL)
            last = str(e, "eventTime");
        if (first == NULL)
            first = last;
        int64_t lt = kj_rfc3339_seconds(last), ft = kj_rfc3339_seconds(first);
        const cJSON *cnt = get(e, "count");
        int count = cJSON_IsNumber(cnt) ? (int)cnt->valuedouble : 1;
        kj_human_duration(now - lt, a1, sizeof(a1));
        if (count > 1)
            snprintf(agebuf, sizeof(agebuf), "%s (x%d over %s)", a1, count,
                     kj_human_duration(now - ft, a2, sizeof(a2)));
        else
            snprintf(agebuf, sizeof(agebuf), "%s", lt < 0 ? "<unknown>" : a1);
        const char *type = str(e, "type"), *reason = str(e, "reason"), *msg = str(e, "message");
        const char *from = str(get(e, "source"), "component");
        if (from == NULL)
            from = str(e, "reportingComponent");
        w(o, "  %s\t%s\t%s\t%s\t%s\n", type ? type : "", reason ? reason : "", agebuf,
          from ? from : "", msg ? msg : "");
    }
}

char *kj_describe_job(const cJSON *job, const cJSON *evs, int64_t now)
{
    struct out o = {0};
    o.f = open_memstream(&o.buf, &o.len);
    if (o.f == NULL)
        return NULL;
    const cJSON *meta = get(job, "metadata"), *spec = get(job, "spec"),
                *status = get(job, "status");
    const char *name = str(meta, "name"), *ns = str(meta, "namespace");
    w(&o, "Name:\t%s\nNamespace:\t%s\nSelector:\t", name ? name : "", ns ? ns : "default");
    selector_text(get(spec, "selector"), &o);
    w(&o, "\n");
    map_lines(&o, "", "Labels", get(meta, "labels"), "=", NULL);
    map_lines(&o, "", "Annotations", get(meta, "annotations"), ": ",
              "kubectl.kubernetes.io/last-applied-configuration");
    const cJSON *owner;
    cJSON_ArrayForEach(owner, get(meta, "ownerReferences"))
    {
        if (cJSON_IsTrue(get(owner, "controller")))
            w(&o, "Controlled By:\t%s/%s\n", str(owner, "kind"), str(owner, "name"));
    }
    const cJSON *par = get(spec, "parallelism"), *comp = get(spec, "completions");
    w(&o, "Parallelism:\t%d\n", cJSON_IsNumber(par) ? (int)par->valuedouble : 1);
    if (cJSON_IsNumber(comp))
        w(&o, "Completions:\t%d\n", (int)comp->valuedouble);
    else
        w(&o, "Completions:\t<unset>\n");
    const char *mode = str(spec, "completionMode");
    w(&o, "Completion Mode:\t%s\n", mode ? mode : "NonIndexed");
    w(&o, "Suspend:\t%s\n", cJSON_IsTrue(get(spec, "suspend")) ? "true" : "false");
    const cJSON *bl = get(spec, "backoffLimit");
    w(&o, "Backoff Limit:\t%d\n", cJSON_IsNumber(bl) ? (int)bl->valuedouble : 6);
    const cJSON *ttl = get(spec, "ttlSecondsAfterFinished");
    if (cJSON_IsNumber(ttl))
        w(&o, "TTL Seconds After Finished:\t%d\n", (int)ttl->valuedouble);
    const char *start = str(status, "startTime"), *done = str(status, "completionTime");
    char tbuf[64];
    if (start != NULL) {
        rfc1123z(start, tbuf, sizeof(tbuf));
        w(&o, "Start Time:\t%s\n", tbuf);
    }
    if (done != NULL) {
        rfc1123z(done, tbuf, sizeof(tbuf));
        w(&o, "Completed At:\t%s\n", tbuf);
    }
    if (start != NULL && done != NULL)
        w(&o, "Duration:\t%s\n",
          kj_human_duration(kj_rfc3339_seconds(done) - kj_rfc3339_seconds(start), tbuf,
                            sizeof(tbuf)));
    const cJSON *ads = get(spec, "activeDeadlineSeconds");
    if (cJSON_IsNumber(ads))
        w(&o, "Active Deadline Seconds:\t%llds\n", (long long)ads->valuedouble);
    const cJSON *active = get(status, "active"), *ready = get(status, "ready"),
                *succ = get(status, "succeeded"), *fail = get(status, "failed");
    int na = cJSON_IsNumber(active) ? (int)active->valuedouble : 0;
    int ns_ = cJSON_IsNumber(succ) ? (int)succ->valuedouble : 0;
    int nf = cJSON_IsNumber(fail) ? (int)fail->valuedouble : 0;
    if (cJSON_IsNumber(ready))
        w(&o, "Pods Statuses:\t%d Active (%d Ready) / %d Succeeded / %d Failed\n", na,
          (int)ready->valuedouble, ns_, nf);
    else
        w(&o, "Pods Statuses:\t%d Active / %d Succeeded / %d Failed\n", na, ns_, nf);
    if (mode != NULL && strcmp(mode, "Indexed") == 0) {
        const char *ci = str(status, "completedIndexes");
        if (ci == NULL || ci[0] == '\0')
            w(&o, "Completed Indexes:\t<none>\n");
        else {
            /* cut after the first comma past 50 characters */
            const char *cut = strlen(ci) > 50 ? strchr(ci + 50, ',') : NULL;
            if (cut != NULL)
                w(&o, "Completed Indexes:\t%.*s...\n", (int)(cut - ci), ci);
            else
                w(&o, "Completed Indexes:\t%s\n", ci);
        }
    }
    pod_template(&o, get(spec, "template"));
    events(&o, evs, now);
    fclose(o.f);
    char *aligned = kj_tabwrite(o.buf, 0, 2);
    free(o.buf);
    return aligned;
}
