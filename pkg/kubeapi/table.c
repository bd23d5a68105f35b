#include "kubeapi/table.h"

#include "api/time.h" /* kj_rfc3339_parse */
#include "kubeapi/table_queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


bool kj_table_wanted(const char *accept)
{
    return accept != NULL && strstr(accept, "as=Table") != NULL &&
           strstr(accept, "g=meta.k8s.io") != NULL;
}

const char *kj_human_duration(int64_t d, char *buf, size_t len)
{
    if (d < -1)
        snprintf(buf, len, "<invalid>");
    else if (d < 0)
        snprintf(buf, len, "0s");
    else if (d < 120)
        snprintf(buf, len, "%llds", (long long)d);
    else if (d < 600) {
        long long m = d / 60, s = d % 60;
        if (s == 0)
            snprintf(buf, len, "%lldm", m);
        else
            snprintf(buf, len, "%lldm%llds", m, s);
    } else if (d < 3 * 3600)
        snprintf(buf, len, "%lldm", (long long)(d / 60));
    else if (d < 8 * 3600) {
        long long h = d / 3600, m = (d % 3600) / 60;
        if (m == 0)
            snprintf(buf, len, "%lldh", h);
        else
            snprintf(buf, len, "%lldh%lldm", h, m);
    } else if (d < 48 * 3600)
        snprintf(buf, len, "%lldh", (long long)(d / 3600));
    else if (d < 8 * 86400) {
        long long dd = d / 86400, h = (d % 86400) / 3600;
        if (h == 0)
            snprintf(buf, len, "%lldd", dd);
        else
            snprintf(buf, len, "%lldd%lldh", dd, h);
    } else if (d < 2 * 365 * 86400LL)
        snprintf(buf, len, "%lldd", (long long)(d / 86400));
    else if (d < 8 * 365 * 86400LL) {
        long long y = d / (365 * 86400LL), dd = (d % (365 * 86400LL)) / 86400;
        if (dd == 0)
            snprintf(buf, len, "%lldy", y);
        else
            snprintf(buf, len, "%lldy%lldd", y, dd);
    } else
        snprintf(buf, len, "%lldy", (long long)(d / (365 * 86400LL)));
    return buf;
}

int64_t kj_rfc3339_seconds(const char *s)
{
    int64_t ns;
    kj_error_t err = NULL;
    if (s == NULL || kj_rfc3339_parse(s, &ns, &err) < 0) {
        kj_error_release(&err);
        return -1;
    }
    return ns / 1000000000;
}

static const char *str_at(const cJSON *o, const char *a, const char *b)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);
    if (b != NULL)
        x = cJSON_GetObjectItemCaseSensitive(x, b);
    return cJSON_IsString(x) ? x->valuestring : NULL;
}

static double num_at(const cJSON *o, const char *a, const char *b, double dflt)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);
    if (b != NULL)
        x = cJSON_GetObjectItemCaseSensitive(x, b);
    return cJSON_IsNumber(x) ? x->valuedouble : dflt;
}

static const char *age(const char *ts, int64_t now, char *buf, size_t len)
{
    int64_t t = kj_rfc3339_seconds(ts);
    if (t < 0)
        return "<unknown>";
    return kj_human_duration(now - t, buf, len);
}

static void add_column(cJSON *cols, const char *name, const char *type, const char *format,
                       const char *desc, int priority)
{
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "name", name);
    cJSON_AddStringToObject(c, "type", type);
    cJSON_AddStringToObject(c, "format", format);
    cJSON_AddStringToObject(c, "description", desc);
    cJSON_AddNumberToObject(c, "priority", priority);
    cJSON_AddItemToArray(cols, c);
}

static bool condition_true(const cJSON *status, const char *type)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(status, "conditions"))
    {
        const char *t = str_at(c, "type", NULL);
        if (t != NULL && strcmp(t, type) == 0) {
            const char *s = str_at(c, "status", NULL);
            return s != NULL && strcmp(s, "True") == 0;
        }
    }
    return false;
}

/* A growable string for joined cells; aborts nothing, truncates on OOM. */
struct sbuf {
    char *p;
    size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *np = realloc(b->p, cap);
        if (np == NULL)
            return;
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n + 1);
    b->len += n;
}

static cJSON *take_string(struct sbuf *b)
{
    cJSON *s = cJSON_CreateString(b->p ? b->p : "");
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    return s;
}

static void selector_string(const cJSON *sel, struct sbuf *b)
{
    /* Requirements sorted by key as LabelSelectorAsSelector does; matchLabels
     * in a JSON object already come sorted from the encoder. */
    const cJSON *kv;
    cJSON_ArrayForEach(kv, cJSON_GetObjectItemCaseSensitive(sel, "matchLabels"))
    {
        if (b->len)
            sb_add(b, ",");
        sb_add(b, kv->string);
        sb_add(b, "=");
        sb_add(b, cJSON_IsString(kv) ? kv->valuestring : "");
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(sel, "matchExpressions"))
    {
        const char *key = str_at(e, "key", NULL), *op = str_at(e, "operator", NULL);
        if (key == NULL || op == NULL)
            continue;
        if (b->len)
            sb_add(b, ",");
        if (strcmp(op, "DoesNotExist") == 0)
            sb_add(b, "!");
        sb_add(b, key);
        if (strcmp(op, "In") == 0 || strcmp(op, "NotIn") == 0) {
            sb_add(b, strcmp(op, "In") == 0 ? " in (" : " notin (");
            const cJSON *v;
            bool first = true;
            cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(e, "values"))
            {
                if (!first)
                    sb_add(b, ",");
                first = false;
                sb_add(b, cJSON_IsString(v) ? v->valuestring : "");
            }
            sb_add(b, ")");
        }
    }
}

static void job_cells(const cJSON *job, int64_t now, cJSON *cells)
{
    char buf[64];
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(job, "status");
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(job, "spec");
    const char *st = "Running";
    if (condition_true(status, "Complete"))
        st = "Complete";
    else if (condition_true(status, "Failed"))
        st = "Failed";
    else if (str_at(job, "metadata", "deletionTimestamp") != NULL)
        st = "Terminating";
    else if (condition_true(status, "Suspended"))
        st = "Suspended";
    else if (condition_true(status, "FailureTarget"))
        st = "FailureTarget";
    cJSON_AddItemToArray(cells, cJSON_CreateString(st));

    long long succeeded = (long long)num_at(status, "succeeded", NULL, 0);
    const cJSON *comp = cJSON_GetObjectItemCaseSensitive(spec, "completions");
    long long par = (long long)num_at(spec, "parallelism", NULL, 1);
    if (cJSON_IsNumber(comp))
        snprintf(buf, sizeof(buf), "%lld/%lld", succeeded, (long long)comp->valuedouble);
    else if (par > 1)
        snprintf(buf, sizeof(buf), "%lld/1 of %lld", succeeded, par);
    else
        snprintf(buf, sizeof(buf), "%lld/1", succeeded);
    cJSON_AddItemToArray(cells, cJSON_CreateString(buf));

    int64_t start = kj_rfc3339_seconds(str_at(status, "startTime", NULL));
    int64_t done = kj_rfc3339_seconds(str_at(status, "completionTime", NULL));
    if (start < 0)
        cJSON_AddItemToArray(cells, cJSON_CreateString(""));
    else
        cJSON_AddItemToArray(cells, cJSON_CreateString(kj_human_duration(
                                        (done >= 0 ? done : now) - start, buf, sizeof(buf))));
    cJSON_AddItemToArray(cells, cJSON_CreateString(
                                    age(str_at(job, "metadata", "creationTimestamp"), now, buf,
                                        sizeof(buf))));

    struct sbuf names = {0}, images = {0}, sel = {0};
    const cJSON *c;
    const cJSON *tspec = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(spec, "template"), "spec");
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(tspec, "containers"))
    {
        const char *n = str_at(c, "name", NULL), *im = str_at(c, "image", NULL);
        if (names.len)
            sb_add(&names, ",");
        sb_add(&names, n ? n : "");
        if (images.len)
            sb_add(&images, ",");
        sb_add(&images, im ? im : "");
    }
    selector_string(cJSON_GetObjectItemCaseSensitive(spec, "selector"), &sel);
    cJSON_AddItemToArray(cells, take_string(&names));
    cJSON_AddItemToArray(cells, take_string(&images));
    cJSON_AddItemToArray(cells, take_string(&sel));
}

/* A sidecar: an init container with restartPolicy Always (spec lookup by the
 * status's name, as kubectl does; an unknown name is not one). */
static bool restartable_init(const cJSON *inits, const char *name)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, inits)
    {
        const char *n = str_at(c, "name", NULL), *rp = str_at(c, "restartPolicy", NULL);
        if (n != NULL && name != NULL && strcmp(n, name) == 0)
            return rp != NULL && strcmp(rp, "Always") == 0;
    }
    return false;
}

/* Adds a container status's restarts to *n and its last termination to
 * *last (Unix seconds, -1 = none yet). */
static void add_restarts(const cJSON *cs, long long *n, int64_t *last)
{
    *n += (long long)num_at(cs, "restartCount", NULL, 0);
    const cJSON *lt = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cs, "lastState"),
                                                       "terminated");
    int64_t t = kj_rfc3339_seconds(str_at(lt, "finishedAt", NULL));
    if (t > *last)
        *last = t;
}

/* "Signal:N" or "ExitCode:N" (after prefix) for a termination without a
 * reason. */
static void exit_reason(const cJSON *term, const char *prefix, char *buf, size_t len)
{
    int sig = (int)num_at(term, "signal", NULL, 0);
    if (sig != 0)
        snprintf(buf, len, "%sSignal:%d", prefix, sig);
    else
        snprintf(buf, len, "%sExitCode:%d", prefix, (int)num_at(term, "exitCode", NULL, 0));
}

/* The init containers' part of kubectl's printPod: returns true while the
 * pod is still initializing, with the STATUS cell in reason_buf (Init:1/2,
 * Init:Error, Init:CrashLoopBackOff, ...). Started sidecars count as ready
 * containers; restarts of every init container are summed, those of the
 * sidecars also into *side_n (they alone survive initialization). */
static bool init_cells(const cJSON *spec, const cJSON *status, int *ready, long long *n,
                       int64_t *last, long long *side_n, int64_t *side_last, char *reason_buf,
                       size_t len)
{
    const cJSON *inits = cJSON_GetObjectItemCaseSensitive(spec, "initContainers");
    int i = 0;
    const cJSON *cs;
    cJSON_ArrayForEach(cs, cJSON_GetObjectItemCaseSensitive(status, "initContainerStatuses"))
    {
        add_restarts(cs, n, last);
        bool sidecar = restartable_init(inits, str_at(cs, "name", NULL));
        if (sidecar)
            add_restarts(cs, side_n, side_last);
        const cJSON *state = cJSON_GetObjectItemCaseSensitive(cs, "state");
        const cJSON *term = cJSON_GetObjectItemCaseSensitive(state, "terminated");
        const cJSON *waiting = cJSON_GetObjectItemCaseSensitive(state, "waiting");
        const char *tr = str_at(term, "reason", NULL), *wr = str_at(waiting, "reason", NULL);
        if (term != NULL && num_at(term, "exitCode", NULL, 0) == 0) {
            i++;
            continue;
        }
        if (sidecar && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cs, "started"))) {
            if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cs, "ready")))
                (*ready)++;
            i++;
            continue;
        }
        if (term != NULL && (tr == NULL || tr[0] == '\0'))
            exit_reason(term, "Init:", reason_buf, len);
        else if (term != NULL)
            snprintf(reason_buf, len, "Init:%s", tr);
        else if (wr != NULL && wr[0] != '\0' && strcmp(wr, "PodInitializing") != 0)
            snprintf(reason_buf, len, "Init:%s", wr);
        else
            snprintf(reason_buf, len, "Init:%d/%d", i, cJSON_GetArraySize(inits));
        return true;
    }
    return false;
}

/* kubectl's printPod (pkg/printers/internalversion): READY counts ready
 * containers and started sidecars out of containers plus sidecars; STATUS is
 * the first unfinished init container's state while initializing, else the
 * last container's waiting/terminated reason, Running/NotReady while some
 * still run; RESTARTS sums the containers (and sidecars) once initialized,
 * every init container's before. */
static void pod_cells(const cJSON *pod, int64_t now, cJSON *cells)
{
    char buf[96], agebuf[32];
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(pod, "status");
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(pod, "spec");
    int total = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(spec, "containers"));
    int ready = 0;
    long long restarts = 0, side_restarts = 0;
    int64_t last_restart = -1, side_last = -1;
    const char *phase = str_at(status, "phase", NULL);
    const char *reason = str_at(status, "reason", NULL);
    char reason_buf[96];
    snprintf(reason_buf, sizeof(reason_buf), "%s", reason ? reason : phase ? phase : "Pending");
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(status, "conditions"))
    {
        const char *t = str_at(c, "type", NULL), *r = str_at(c, "reason", NULL);
        if (t != NULL && r != NULL && strcmp(t, "PodScheduled") == 0 && strcmp(r, "SchedulingGated") == 0)
            snprintf(reason_buf, sizeof(reason_buf), "SchedulingGated");
    }
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(spec, "initContainers"))
    {
        const char *rp = str_at(c, "restartPolicy", NULL);
        if (rp != NULL && strcmp(rp, "Always") == 0)
            total++;
    }
    bool initializing = init_cells(spec, status, &ready, &restarts, &last_restart, &side_restarts,
                                   &side_last, reason_buf, sizeof(reason_buf));

    if (!initializing || condition_true(status, "Initialized")) {
        restarts = side_restarts;
        last_restart = side_last;
        bool has_running = false;
        const cJSON *statuses = cJSON_GetObjectItemCaseSensitive(status, "containerStatuses");
        for (int i = cJSON_GetArraySize(statuses) - 1; i >= 0; i--) {
            const cJSON *cs = cJSON_GetArrayItem(statuses, i);
            add_restarts(cs, &restarts, &last_restart);
            const cJSON *state = cJSON_GetObjectItemCaseSensitive(cs, "state");
            const cJSON *waiting = cJSON_GetObjectItemCaseSensitive(state, "waiting");
            const cJSON *term = cJSON_GetObjectItemCaseSensitive(state, "terminated");
            const char *wr = str_at(waiting, "reason", NULL), *tr = str_at(term, "reason", NULL);
            if (wr != NULL && wr[0] != '\0')
                snprintf(reason_buf, sizeof(reason_buf), "%s", wr);
            else if (tr != NULL && tr[0] != '\0')
                snprintf(reason_buf, sizeof(reason_buf), "%s", tr);
            else if (term != NULL)
                exit_reason(term, "", reason_buf, sizeof(reason_buf));
            else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cs, "ready")) &&
                     cJSON_GetObjectItemCaseSensitive(state, "running") != NULL) {
                has_running = true;
                ready++;
            }
        }
        if (strcmp(reason_buf, "Completed") == 0 && has_running)
            snprintf(reason_buf, sizeof(reason_buf), "%s",
                     condition_true(status, "Ready") ? "Running" : "NotReady");
    }
    if (str_at(pod, "metadata", "deletionTimestamp") != NULL &&
        (phase == NULL || (strcmp(phase, "Succeeded") != 0 && strcmp(phase, "Failed") != 0)))
        snprintf(reason_buf, sizeof(reason_buf), "Terminating");

    snprintf(buf, sizeof(buf), "%d/%d", ready, total);
    cJSON_AddItemToArray(cells, cJSON_CreateString(buf));
    cJSON_AddItemToArray(cells, cJSON_CreateString(reason_buf));
    if (restarts > 0 && last_restart >= 0)
        snprintf(buf, sizeof(buf), "%lld (%s ago)", restarts,
                 kj_human_duration(now - last_restart, agebuf, sizeof(agebuf)));
    else
        snprintf(buf, sizeof(buf), "%lld", restarts);
    cJSON_AddItemToArray(cells, cJSON_CreateString(buf));
    cJSON_AddItemToArray(cells, cJSON_CreateString(age(str_at(pod, "metadata", "creationTimestamp"),
                                                       now, agebuf, sizeof(agebuf))));
    const char *ip = str_at(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(status, "podIPs"), 0), "ip", NULL);
    if (ip == NULL || ip[0] == '\0')
        ip = str_at(status, "podIP", NULL);
    cJSON_AddItemToArray(cells, cJSON_CreateString(ip && ip[0] ? ip : "<none>"));
    const char *node = str_at(spec, "nodeName", NULL);
    cJSON_AddItemToArray(cells, cJSON_CreateString(node ? node : "<none>"));
    cJSON_AddItemToArray(cells, cJSON_CreateString("<none>"));
    cJSON_AddItemToArray(cells, cJSON_CreateString("<none>"));
}

/* A finished pod's row carries kubectl's Completed row condition (what
 * once hid finished pods without --show-all). */
static void pod_row_conditions(const cJSON *pod, cJSON *row)
{
    const char *phase = str_at(pod, "status", "phase");
    bool ok = phase != NULL && strcmp(phase, "Succeeded") == 0;
    if (!ok && (phase == NULL || strcmp(phase, "Failed") != 0))
        return;
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "type", "Completed");
    cJSON_AddStringToObject(c, "status", "True");
    cJSON_AddStringToObject(c, "reason", ok ? "Succeeded" : "Failed");
    cJSON_AddStringToObject(c, "message", ok ? "The pod has completed successfully." : "The pod failed.");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(row, "conditions"), c);
}

static void event_cells(const cJSON *ev, int64_t now, cJSON *cells)
{
    char buf[32], obj[320];
    const char *last = str_at(ev, "lastTimestamp", NULL);
    if (last == NULL)
        last = str_at(ev, "eventTime", NULL);
    const char *first = str_at(ev, "firstTimestamp", NULL);
    if (first == NULL)
        first = last;
    cJSON_AddItemToArray(cells, cJSON_CreateString(age(last, now, buf, sizeof(buf))));
    const char *type = str_at(ev, "type", NULL), *reason = str_at(ev, "reason", NULL);
    cJSON_AddItemToArray(cells, cJSON_CreateString(type ? type : ""));
    cJSON_AddItemToArray(cells, cJSON_CreateString(reason ? reason : ""));
    const char *kind = str_at(ev, "involvedObject", "kind");
    const char *name = str_at(ev, "involvedObject", "name");
    char lower[64] = {0};
    for (size_t i = 0; kind != NULL && kind[i] && i < sizeof(lower) - 1; i++)
        lower[i] = (char)(kind[i] >= 'A' && kind[i] <= 'Z' ? kind[i] - 'A' + 'a' : kind[i]);
    snprintf(obj, sizeof(obj), "%s/%s", lower, name ? name : "");
    cJSON_AddItemToArray(cells, cJSON_CreateString(obj));
    const char *fp = str_at(ev, "involvedObject", "fieldPath");
    cJSON_AddItemToArray(cells, cJSON_CreateString(fp ? fp : ""));
    const char *src = str_at(ev, "source", "component");
    cJSON_AddItemToArray(cells, cJSON_CreateString(src ? src : ""));
    const char *msg = str_at(ev, "message", NULL);
    cJSON_AddItemToArray(cells, cJSON_CreateString(msg ? msg : ""));
    cJSON_AddItemToArray(cells, cJSON_CreateString(age(first, now, buf, sizeof(buf))));
    cJSON_AddItemToArray(cells, cJSON_CreateNumber(num_at(ev, "count", NULL, 1)));
    const char *n = str_at(ev, "metadata", "name");
    cJSON_AddItemToArray(cells, cJSON_CreateString(n ? n : ""));
}

static void columns_for(const char *kind, cJSON *cols)
{
    static const char name_desc[] =
        "Name must be unique within a namespace. Is required when creating resources, although "
        "some resources may allow a client to request the generation of an appropriate name "
        "automatically.";
    static const char age_desc[] =
        "CreationTimestamp is a timestamp representing the server time when this object was "
        "created.";
    if (strcmp(kind, "Event") == 0) {
        add_column(cols, "Last Seen", "string", "", "Time of the last occurrence", 0);
        add_column(cols, "Type", "string", "", "Type of this event", 0);
        add_column(cols, "Reason", "string", "", "Short, machine understandable reason", 0);
        add_column(cols, "Object", "string", "", "The object this event is about", 0);
        add_column(cols, "Subobject", "string", "", "Field path of the object", 1);
        add_column(cols, "Source", "string", "", "The component reporting this event", 1);
        add_column(cols, "Message", "string", "", "A human-readable description", 0);
        add_column(cols, "First Seen", "string", "", "Time of the first occurrence", 1);
        add_column(cols, "Count", "integer", "", "The number of times this event occurred", 1);
        add_column(cols, "Name", "string", "name", name_desc, 1);
        return;
    }
    add_column(cols, "Name", "string", "name", name_desc, 0);
    if (strcmp(kind, "Job") == 0) {
        add_column(cols, "Status", "string", "", "Status of the job.", 0);
        add_column(cols, "Completions", "string", "",
                   "The completion status of the job as <succeeded>/<desired>.", 0);
        add_column(cols, "Duration", "string", "", "Time required to complete the job.", 0);
        add_column(cols, "Age", "string", "", age_desc, 0);
        add_column(cols, "Containers", "string", "",
                   "Names of each container in the template.", 1);
        add_column(cols, "Images", "string", "", "Images referenced by each container in the template.", 1);
        add_column(cols, "Selector", "string", "", "A label query over pods.", 1);
    } else if (strcmp(kind, "Pod") == 0) {
        add_column(cols, "Ready", "string", "",
                   "The aggregate readiness state of this pod for accepting traffic.", 0);
        add_column(cols, "Status", "string", "", "The aggregate status of the containers in this pod.", 0);
        add_column(cols, "Restarts", "string", "",
                   "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
                   0);
        add_column(cols, "Age", "string", "", age_desc, 0);
        add_column(cols, "IP", "string", "", "IP address allocated to the pod.", 1);
        add_column(cols, "Node", "string", "", "Name of the node where the pod runs.", 1);
        add_column(cols, "Nominated Node", "string", "", "Nominated node for preemption.", 1);
        add_column(cols, "Readiness Gates", "string", "", "Pod readiness gates.", 1);
    } else if (kj_table_queue_columns(kind, cols)) {
        /* ReplicaSet, Service, ConfigMap, Secret: table_queue.c */
    } else if (strcmp(kind, "Namespace") == 0) {
        add_column(cols, "Status", "string", "", "The status of the namespace", 0);
        add_column(cols, "Age", "string", "", age_desc, 0);
    } else {
        add_column(cols, "Age", "string", "", age_desc, 0);
    }
}

static cJSON *row_object(const cJSON *item, const char *include_object)
{
    if (include_object != NULL && strcmp(include_object, "None") == 0)
        return NULL;
    if (include_object != NULL && strcmp(include_object, "Object") == 0)
        return cJSON_Duplicate(item, true);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", "PartialObjectMetadata");
    cJSON_AddStringToObject(o, "apiVersion", "meta.k8s.io/v1");
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(item, "metadata");
    cJSON_AddItemToObject(o, "metadata",
                          meta ? cJSON_Duplicate(meta, true) : cJSON_CreateObject());
    return o;
}

cJSON *kj_table_build(const char *kind, const cJSON *items, const char *resource_version,
                      int64_t now, const char *include_object)
{
    cJSON *t = cJSON_CreateObject();
    cJSON_AddStringToObject(t, "kind", "Table");
    cJSON_AddStringToObject(t, "apiVersion", "meta.k8s.io/v1");
    cJSON *meta = cJSON_AddObjectToObject(t, "metadata");
    if (resource_version != NULL)
        cJSON_AddStringToObject(meta, "resourceVersion", resource_version);
    columns_for(kind, cJSON_AddArrayToObject(t, "columnDefinitions"));
    cJSON *rows = cJSON_AddArrayToObject(t, "rows");
    const cJSON *item;
    cJSON_ArrayForEach(item, items)
    {
        char buf[32];
        cJSON *row = cJSON_CreateObject();
        cJSON *cells = cJSON_AddArrayToObject(row, "cells");
        const char *name = str_at(item, "metadata", "name");
        if (strcmp(kind, "Event") != 0)
            cJSON_AddItemToArray(cells, cJSON_CreateString(name ? name : ""));
        if (strcmp(kind, "Job") == 0)
            job_cells(item, now, cells);
        else if (strcmp(kind, "Pod") == 0)
            pod_cells(item, now, cells);
        else if (strcmp(kind, "Event") == 0)
            event_cells(item, now, cells);
        else if (kj_table_queue_cells(kind, item, now, cells)) {
            /* ReplicaSet, Service, ConfigMap, Secret: table_queue.c */
        } else {
            if (strcmp(kind, "Namespace") == 0) {
                const char *ph = str_at(item, "status", "phase");
                cJSON_AddItemToArray(cells, cJSON_CreateString(ph ? ph : "Active"));
            }
            cJSON_AddItemToArray(cells, cJSON_CreateString(age(
                                            str_at(item, "metadata", "creationTimestamp"), now,
                                            buf, sizeof(buf))));
        }
        if (strcmp(kind, "Pod") == 0)
            pod_row_conditions(item, row);
        cJSON *obj = row_object(item, include_object);
        if (obj != NULL)
            cJSON_AddItemToObject(row, "object", obj);
        cJSON_AddItemToArray(rows, row);
    }
    return t;
}
