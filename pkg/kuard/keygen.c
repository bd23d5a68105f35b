#include "kuard/keygen.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <math.h> /* floor */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h> /* strcasecmp */
#include <time.h>
#include <unistd.h> /* _exit */

#include "kuard/client.h"
#include "kuard/fingerprint.h"
#include "kuard/golog.h"
#include "kuard/humanize.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

struct history_entry {
    long long id;
    char *data; /* owned */
};

struct kj_kuard_keygen {
    pthread_mutex_t mu;
    pthread_cond_t cond; /* broadcast when gen changes or a thread ends */
    struct kj_kuard_keygen_config config;
    struct history_entry history[KJ_KUARD_KEYGEN_HISTORY]; /* ring */
    size_t hist_start, hist_len;
    long long next_history_id;
    int next_workload_id;
    unsigned long gen; /* bumped on every restart: older workers are cancelled */
    int running;       /* worker threads alive */
    int bits;
    kj_kuard_exit_cb exit_cb;
};

struct worker {
    struct kj_kuard_keygen *kg;
    struct kj_kuard_keygen_config c;
    unsigned long gen;
    int id;
};

static void default_exit(int code)
{
    /* Like Go's os.Exit: no atexit handlers, which could race with the HTTP
     * thread still using OpenSSL and libevent. */
    fflush(NULL);
    _exit(code);
}

struct kj_kuard_keygen *kj_kuard_keygen_new(void)
{
    struct kj_kuard_keygen *kg = xcalloc(1, sizeof(*kg));
    pthread_mutex_init(&kg->mu, NULL);
    pthread_cond_init(&kg->cond, NULL);
    kj_kuard_keygen_config_init(&kg->config);
    kg->bits = KJ_KUARD_RSA_BITS;
    kg->exit_cb = default_exit;
    return kg;
}

void kj_kuard_keygen_free(struct kj_kuard_keygen *kg)
{
    if (kg == NULL)
        return;
    pthread_mutex_lock(&kg->mu);
    kg->gen++;
    pthread_cond_broadcast(&kg->cond);
    while (kg->running > 0)
        pthread_cond_wait(&kg->cond, &kg->mu);
    pthread_mutex_unlock(&kg->mu);
    for (size_t i = 0; i < kg->hist_len; i++)
        free(kg->history[(kg->hist_start + i) % KJ_KUARD_KEYGEN_HISTORY].data);
    kj_kuard_keygen_config_free(&kg->config);
    pthread_cond_destroy(&kg->cond);
    pthread_mutex_destroy(&kg->mu);
    free(kg);
}

void kj_kuard_keygen_set_bits(struct kj_kuard_keygen *kg, int bits)
{
    kg->bits = bits;
}

void kj_kuard_keygen_set_exit_cb(struct kj_kuard_keygen *kg, kj_kuard_exit_cb cb)
{
    kg->exit_cb = cb;
}

void kj_kuard_keygen_output(struct kj_kuard_keygen *kg, const char *line)
{
    pthread_mutex_lock(&kg->mu);
    kj_kuard_log_str(line);
    struct history_entry *e;
    if (kg->hist_len == KJ_KUARD_KEYGEN_HISTORY) {
        e = &kg->history[kg->hist_start];
        free(e->data);
        kg->hist_start = (kg->hist_start + 1) % KJ_KUARD_KEYGEN_HISTORY;
    } else {
        e = &kg->history[(kg->hist_start + kg->hist_len) % KJ_KUARD_KEYGEN_HISTORY];
        kg->hist_len++;
    }
    e->id = kg->next_history_id++;
    e->data = xstrdup(line);
    pthread_mutex_unlock(&kg->mu);
}

static void output_fmt(struct kj_kuard_keygen *kg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void output_fmt(struct kj_kuard_keygen *kg, const char *fmt, ...)
{
    char *line = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    kj_kuard_keygen_output(kg, line);
    free(line);
}

static bool worker_cancelled(const struct worker *w)
{
    pthread_mutex_lock(&w->kg->mu);
    bool c = w->kg->gen != w->gen;
    pthread_mutex_unlock(&w->kg->mu);
    return c;
}

/* Sleep up to one second, waking early when the worker is cancelled. */
static void worker_pause(const struct worker *w)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 1;
    pthread_mutex_lock(&w->kg->mu);
    while (w->kg->gen == w->gen) {
        if (pthread_cond_timedwait(&w->kg->cond, &w->kg->mu, &until) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&w->kg->mu);
}

static int64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One work item; `desc` gets the fingerprint or kuard's error text. */
static void work_item(const struct worker *w, char *desc, size_t size)
{
    kj_error_t err = NULL;
    if (kj_kuard_keygen_one(w->kg->bits, desc, size, &err) < 0) {
        snprintf(desc, size, "Error generating key: %s", err->msg ? err->msg : "unknown error");
        kj_error_release(&err);
    }
}

static void standalone_run(struct worker *w)
{
    const struct kj_kuard_keygen_config *c = &w->c;
    output_fmt(w->kg, "(ID %d) Workload starting", w->id);
    int64_t deadline = c->time_to_run > 0 ? monotonic_ns() + c->time_to_run * INT64_C(1000000000) : 0;
    long long generated = 0;
    for (;;) {
        if (worker_cancelled(w)) {
            output_fmt(w->kg, "(ID %d) Workload exiting", w->id);
            return;
        }
        if ((c->time_to_run > 0 && monotonic_ns() >= deadline) ||
            (c->num_to_gen > 0 && generated >= c->num_to_gen)) {
            output_fmt(w->kg, "(ID %d) Workload exiting", w->id);
            if (c->exit_on_complete)
                w->kg->exit_cb((int)c->exit_code);
            return;
        }
        char desc[512];
        work_item(w, desc, sizeof(desc));
        generated++;
        char count[64], left[64] = "";
        if (c->num_to_gen > 0)
            snprintf(count, sizeof(count), "%lld/%lld", generated, c->num_to_gen);
        else
            snprintf(count, sizeof(count), "%lld/Inf", generated);
        if (c->time_to_run > 0) {
            left[0] = ' ';
            kj_kuard_reltime(deadline - monotonic_ns(), "left", "overdue", left + 1, sizeof(left) - 1);
        }
        output_fmt(w->kg, "(ID %d %s%s) Item done: %s", w->id, count, left, desc);
    }
}

static void memq_run(struct worker *w)
{
    const struct kj_kuard_keygen_config *c = &w->c;
    kj_kuard_keygen_output(w->kg, "MemQ Worker starting");
    kj_error_t err = NULL;
    struct kj_kuard_memq_client *client = kj_kuard_memq_client_new(c->memq_server, c->memq_queue, &err);
    if (client == NULL) {
        output_fmt(w->kg, "Error talking to server: %s. Worker stopped.", err->msg);
        kj_error_release(&err);
        return;
    }
    while (!worker_cancelled(w)) {
        int rc = kj_kuard_memq_client_dequeue(client, &err);
        if (rc < 0) {
            output_fmt(w->kg, "Error talking to server: %s. Retrying after 1s.",
                       err->msg ? err->msg : "unknown error");
            kj_error_release(&err);
            worker_pause(w);
            continue;
        }
        if (rc == KJ_KUARD_MEMQ_EMPTY) {
            if (c->exit_on_complete) {
                w->kg->exit_cb((int)c->exit_code);
                break; /* only reached when a test hook returns */
            }
            kj_kuard_keygen_output(w->kg, "Queue is empty. Retrying after 1s.");
            worker_pause(w);
            continue;
        }
        char desc[512];
        work_item(w, desc, sizeof(desc));
        output_fmt(w->kg, "Item done: %s", desc);
    }
    if (worker_cancelled(w))
        kj_kuard_keygen_output(w->kg, "MemQ Worker shutting down");
    kj_kuard_memq_client_free(client);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    if (w->c.memq_server[0] != '\0' && w->c.memq_queue[0] != '\0')
        memq_run(w);
    else
        standalone_run(w);
    struct kj_kuard_keygen *kg = w->kg;
    kj_kuard_keygen_config_free(&w->c);
    free(w);
    pthread_mutex_lock(&kg->mu);
    kg->running--;
    pthread_cond_broadcast(&kg->cond);
    pthread_mutex_unlock(&kg->mu);
    return NULL;
}

void kj_kuard_keygen_load_config(struct kj_kuard_keygen *kg, const struct kj_kuard_keygen_config *c)
{
    pthread_mutex_lock(&kg->mu);
    kj_kuard_keygen_config_free(&kg->config);
    kj_kuard_keygen_config_copy(&kg->config, c);
    kg->gen++;
    pthread_cond_broadcast(&kg->cond);
    if (!c->enable) {
        pthread_mutex_unlock(&kg->mu);
        return;
    }
    struct worker *w = xcalloc(1, sizeof(*w));
    w->kg = kg;
    w->gen = kg->gen;
    kj_kuard_keygen_config_copy(&w->c, c);
    bool memq = c->memq_server[0] != '\0' && c->memq_queue[0] != '\0';
    if (!memq)
        w->id = kg->next_workload_id++;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t tid;
    int rc = pthread_create(&tid, &attr, worker_main, w);
    pthread_attr_destroy(&attr);
    if (rc == 0)
        kg->running++;
    pthread_mutex_unlock(&kg->mu);
    if (rc != 0) {
        kj_kuard_log("start keygen workload: %s", strerror(rc));
        kj_kuard_keygen_config_free(&w->c);
        free(w);
    }
}

int kj_kuard_keygen_wait_idle(struct kj_kuard_keygen *kg, int timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    int rc = 0;
    pthread_mutex_lock(&kg->mu);
    while (kg->running > 0 && rc == 0)
        rc = pthread_cond_timedwait(&kg->cond, &kg->mu, &until);
    int idle = kg->running == 0;
    pthread_mutex_unlock(&kg->mu);
    return idle ? 0 : -1;
}

cJSON *kj_kuard_keygen_status_json(struct kj_kuard_keygen *kg)
{
    cleanup_cjson cJSON *root = cJSON_CreateObject();
    if (root == NULL)
        return NULL;
    pthread_mutex_lock(&kg->mu);
    const struct kj_kuard_keygen_config *c = &kg->config;
    cJSON *conf = cJSON_AddObjectToObject(root, "config");
    cJSON *hist = cJSON_AddArrayToObject(root, "history");
    bool ok = conf != NULL && hist != NULL &&
              cJSON_AddBoolToObject(conf, "enable", c->enable) != NULL &&
              cJSON_AddNumberToObject(conf, "numToGen", (double)c->num_to_gen) != NULL &&
              cJSON_AddNumberToObject(conf, "timeToRun", (double)c->time_to_run) != NULL &&
              cJSON_AddStringToObject(conf, "memQServer", c->memq_server) != NULL &&
              cJSON_AddStringToObject(conf, "memQQueue", c->memq_queue) != NULL &&
              cJSON_AddBoolToObject(conf, "exitOnComplete", c->exit_on_complete) != NULL &&
              cJSON_AddNumberToObject(conf, "exitCode", (double)c->exit_code) != NULL;
    for (size_t i = 0; ok && i < kg->hist_len; i++) {
        const struct history_entry *e = &kg->history[(kg->hist_start + i) % KJ_KUARD_KEYGEN_HISTORY];
        cJSON *o = cJSON_CreateObject();
        if (o == NULL || !cJSON_AddItemToArray(hist, o)) {
            cJSON_Delete(o);
            ok = false;
            break;
        }
        ok = cJSON_AddNumberToObject(o, "id", (double)e->id) != NULL &&
             cJSON_AddStringToObject(o, "data", e->data) != NULL;
    }
    pthread_mutex_unlock(&kg->mu);
    return ok ? steal_pointer(&root) : NULL;
}

/* Go matches JSON keys to struct fields case-insensitively. */
static const cJSON *config_field(const cJSON *root, const char *name)
{
    const cJSON *found = NULL;
    for (const cJSON *it = root->child; it != NULL; it = it->next) {
        if (it->string != NULL && strcasecmp(it->string, name) == 0)
            found = it; /* the last duplicate wins, as in Go */
    }
    return found;
}

static int config_bool(const cJSON *root, const char *name, bool *out, kj_error_t *err)
{
    const cJSON *v = config_field(root, name);
    if (v == NULL || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsBool(v))
        return kj_make_http_error(err, 400, "json: cannot unmarshal %s into Go struct field Config.%s of type bool",
                                  cJSON_IsNumber(v) ? "number" : cJSON_IsString(v) ? "string" : "value", name);
    *out = cJSON_IsTrue(v);
    return 0;
}

static int config_int(const cJSON *root, const char *name, long long *out, kj_error_t *err)
{
    const cJSON *v = config_field(root, name);
    if (v == NULL || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsNumber(v))
        return kj_make_http_error(err, 400, "json: cannot unmarshal %s into Go struct field Config.%s of type int",
                                  cJSON_IsBool(v) ? "bool" : cJSON_IsString(v) ? "string" : "value", name);
    double d = v->valuedouble;
    if (d != floor(d) || d < -9.2e18 || d > 9.2e18)
        return kj_make_http_error(err, 400, "json: cannot unmarshal number %g into Go struct field Config.%s of type int",
                                  d, name);
    *out = (long long)d;
    return 0;
}

static int config_string(const cJSON *root, const char *name, char **out, kj_error_t *err)
{
    const cJSON *v = config_field(root, name);
    if (v == NULL || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v))
        return kj_make_http_error(err, 400, "json: cannot unmarshal %s into Go struct field Config.%s of type string",
                                  cJSON_IsBool(v) ? "bool" : cJSON_IsNumber(v) ? "number" : "value", name);
    free(*out);
    *out = xstrdup(v->valuestring);
    return 0;
}

int kj_kuard_keygen_config_parse(const char *body, size_t len, struct kj_kuard_keygen_config *out,
                                 kj_error_t *err)
{
    kj_kuard_keygen_config_init(out);
    if (len == 0) {
        kj_kuard_keygen_config_free(out);
        return kj_make_http_error(err, 400, "EOF");
    }
    /* json.Decoder reads one value and ignores what follows it. */
    cleanup_cjson cJSON *root = cJSON_ParseWithLengthOpts(body, len, NULL, false);
    if (root == NULL || !(cJSON_IsObject(root) || cJSON_IsNull(root))) {
        kj_kuard_keygen_config_free(out);
        return kj_make_http_error(err, 400, root == NULL ? "invalid character in json body"
                                                         : "json: cannot unmarshal non-object into Go value of type keygen.Config");
    }
    if (config_bool(root, "enable", &out->enable, err) < 0 ||
        config_int(root, "numToGen", &out->num_to_gen, err) < 0 ||
        config_int(root, "timeToRun", &out->time_to_run, err) < 0 ||
        config_string(root, "memQServer", &out->memq_server, err) < 0 ||
        config_string(root, "memQQueue", &out->memq_queue, err) < 0 ||
        config_bool(root, "exitOnComplete", &out->exit_on_complete, err) < 0 ||
        config_int(root, "exitCode", &out->exit_code, err) < 0) {
        kj_kuard_keygen_config_free(out);
        return -1;
    }
    return 0;
}
