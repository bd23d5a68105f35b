#include "kuard/memq.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <openssl/rand.h> /* RAND_bytes */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"

struct memq_queue {
    char *name; /* owned */
    struct kj_kuard_memq_message *head, *tail; /* owned list, oldest first */
    int64_t depth, enqueued, dequeued, drained;
    struct memq_queue *next;
};

struct kj_kuard_memq_broker {
    struct memq_queue *queues; /* owned list, creation order */
};

struct kj_kuard_memq_broker *kj_kuard_memq_broker_new(void)
{
    return calloc(1, sizeof(struct kj_kuard_memq_broker));
}

void kj_kuard_memq_message_free(struct kj_kuard_memq_message *m)
{
    if (m == NULL)
        return;
    free(m->body);
    free(m);
}

static void messages_free(struct kj_kuard_memq_message *m)
{
    while (m != NULL) {
        struct kj_kuard_memq_message *next = m->next;
        kj_kuard_memq_message_free(m);
        m = next;
    }
}

static void queue_free(struct memq_queue *q)
{
    messages_free(q->head);
    free(q->name);
    free(q);
}

void kj_kuard_memq_broker_free(struct kj_kuard_memq_broker *b)
{
    if (b == NULL)
        return;
    while (b->queues != NULL) {
        struct memq_queue *next = b->queues->next;
        queue_free(b->queues);
        b->queues = next;
    }
    free(b);
}

static struct memq_queue **queue_find(struct kj_kuard_memq_broker *b, const char *name)
{
    struct memq_queue **qp = &b->queues;
    while (*qp != NULL && strcmp((*qp)->name, name) != 0)
        qp = &(*qp)->next;
    return qp;
}

static struct memq_queue *queue_get(struct kj_kuard_memq_broker *b, const char *name,
                                    kj_error_t *err)
{
    struct memq_queue *q = *queue_find(b, name);
    if (q == NULL)
        kj_make_http_error(err, 400, "does not exist");
    return q;
}

int kj_kuard_memq_create(struct kj_kuard_memq_broker *b, const char *name, kj_error_t *err)
{
    struct memq_queue **qp = queue_find(b, name);
    if (*qp != NULL)
        return kj_make_http_error(err, 400, "already exists");
    struct memq_queue *q = calloc(1, sizeof(*q));
    if (q == NULL || (q->name = strdup(name)) == NULL) {
        free(q);
        return kj_make_error(err, ENOMEM, "create queue");
    }
    *qp = q;
    return 0;
}

int kj_kuard_memq_delete(struct kj_kuard_memq_broker *b, const char *name, kj_error_t *err)
{
    struct memq_queue **qp = queue_find(b, name);
    if (*qp == NULL)
        return kj_make_http_error(err, 400, "does not exist");
    struct memq_queue *q = *qp;
    *qp = q->next;
    queue_free(q);
    return 0;
}

int kj_kuard_memq_drain(struct kj_kuard_memq_broker *b, const char *name, kj_error_t *err)
{
    struct memq_queue *q = queue_get(b, name, err);
    if (q == NULL)
        return -1;
    messages_free(q->head);
    q->head = q->tail = NULL;
    q->drained += q->depth;
    q->depth = 0;
    return 0;
}

int kj_kuard_memq_enqueue(struct kj_kuard_memq_broker *b, const char *name, const char *body,
                          size_t len, const char *id, struct timespec created,
                          const struct kj_kuard_memq_message **out, kj_error_t *err)
{
    struct memq_queue *q = queue_get(b, name, err);
    if (q == NULL)
        return -1;
    struct kj_kuard_memq_message *m = calloc(1, sizeof(*m));
    char *copy = malloc(len + 1);
    if (m == NULL || copy == NULL) {
        free(m);
        free(copy);
        return kj_make_error(err, ENOMEM, "enqueue");
    }
    if (len > 0)
        memcpy(copy, body, len);
    copy[len] = '\0';
    snprintf(m->id, sizeof(m->id), "%s", id);
    m->body = copy;
    m->body_len = len;
    m->created = created;
    if (q->tail != NULL)
        q->tail->next = m;
    else
        q->head = m;
    q->tail = m;
    q->depth++;
    q->enqueued++;
    if (out != NULL)
        *out = m;
    return 0;
}

int kj_kuard_memq_dequeue(struct kj_kuard_memq_broker *b, const char *name,
                          struct kj_kuard_memq_message **out, kj_error_t *err)
{
    *out = NULL;
    struct memq_queue *q = queue_get(b, name, err);
    if (q == NULL)
        return -1;
    struct kj_kuard_memq_message *m = q->head;
    if (m == NULL)
        return 1;
    q->head = m->next;
    if (q->head == NULL)
        q->tail = NULL;
    m->next = NULL;
    q->depth--;
    q->dequeued++;
    *out = m;
    return 0;
}

size_t kj_kuard_memq_queue_count(const struct kj_kuard_memq_broker *b)
{
    size_t n = 0;
    for (const struct memq_queue *q = b->queues; q != NULL; q = q->next)
        n++;
    return n;
}

int kj_kuard_memq_stats_get(const struct kj_kuard_memq_broker *b, const char *name,
                            struct kj_kuard_memq_queue_stats *out)
{
    for (const struct memq_queue *q = b->queues; q != NULL; q = q->next) {
        if (strcmp(q->name, name) == 0) {
            *out = (struct kj_kuard_memq_queue_stats){q->name, q->depth, q->enqueued,
                                                      q->dequeued, q->drained};
            return 0;
        }
    }
    return -1;
}

char *kj_kuard_memq_stats_json(const struct kj_kuard_memq_broker *b)
{
    cleanup_cjson cJSON *root = cJSON_CreateObject();
    if (root == NULL || cJSON_AddStringToObject(root, "kind", "stats") == NULL)
        return NULL;
    cJSON *queues = cJSON_AddArrayToObject(root, "queues");
    if (queues == NULL)
        return NULL;
    for (const struct memq_queue *q = b->queues; q != NULL; q = q->next) {
        cJSON *o = cJSON_CreateObject();
        if (o == NULL || !cJSON_AddItemToArray(queues, o)) {
            cJSON_Delete(o);
            return NULL;
        }
        /* Queue names can be any URL-decoded segment: escape them as Go would. */
        cleanup_free char *name = kj_kuard_go_json_string(q->name, strlen(q->name));
        cJSON *raw = name != NULL ? cJSON_CreateRaw(name) : NULL;
        if (raw == NULL || !cJSON_AddItemToObject(o, "name", raw)) {
            cJSON_Delete(raw);
            return NULL;
        }
        if (cJSON_AddNumberToObject(o, "depth", (double)q->depth) == NULL ||
            cJSON_AddNumberToObject(o, "enqueued", (double)q->enqueued) == NULL ||
            cJSON_AddNumberToObject(o, "dequeued", (double)q->dequeued) == NULL ||
            cJSON_AddNumberToObject(o, "drained", (double)q->drained) == NULL)
            return NULL;
    }
    return cJSON_PrintUnformatted(root);
}

/* Go's utf8.DecodeRune validity rules: the length of the valid UTF-8
 * sequence at s (1..4), or 0 when the first byte starts no valid sequence
 * (overlong forms, surrogates and > U+10FFFF included). */
static size_t utf8_valid_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (n < need || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < need; i++) {
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    }
    return need;
}

/* cJSON cannot be used here: it stops at NUL, passes invalid UTF-8 through
 * and does not escape `<>&`, while kuard's Go encoder does all three. */
char *kj_kuard_go_json_string(const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    /* Worst case: every byte becomes a 6-char \uXXXX escape. */
    char *out = malloc(len * 6 + 3);
    if (out == NULL)
        return NULL;
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    char *o = out;
    *o++ = '"';
    while (p < end) {
        unsigned char c = *p;
        if (c < 0x80) {
            if (c == '"' || c == '\\') {
                *o++ = '\\';
                *o++ = (char)c;
            } else if (c == '\n') {
                *o++ = '\\';
                *o++ = 'n';
            } else if (c == '\r') {
                *o++ = '\\';
                *o++ = 'r';
            } else if (c == '\t') {
                *o++ = '\\';
                *o++ = 't';
            } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
                o += snprintf(o, 7, "\\u00%c%c", hex[c >> 4], hex[c & 0xf]);
            } else {
                *o++ = (char)c;
            }
            p++;
            continue;
        }
        size_t n = utf8_valid_len(p, (size_t)(end - p));
        if (n == 0) {
            memcpy(o, "\\ufffd", 6);
            o += 6;
            p++;
        } else if (n == 3 && p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) {
            o += snprintf(o, 7, "\\u202%c", p[2] == 0xA8 ? '8' : '9');
            p += 3;
        } else {
            memcpy(o, p, n);
            o += n;
            p += n;
        }
    }
    *o++ = '"';
    *o = '\0';
    return out;
}

void kj_kuard_rfc3339nano(struct timespec ts, char *buf, size_t size)
{
    struct tm tm;
    time_t t = ts.tv_sec;
    if (localtime_r(&t, &tm) == NULL) {
        snprintf(buf, size, "0001-01-01T00:00:00Z");
        return;
    }
    char date[32];
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
    char frac[24] = "";
    if (ts.tv_nsec > 0) {
        snprintf(frac, sizeof(frac), ".%09ld", ts.tv_nsec);
        size_t n = strlen(frac);
        while (frac[n - 1] == '0')
            frac[--n] = '\0';
    }
    char zone[24] = "Z";
    if (tm.tm_gmtoff != 0) {
        long off = tm.tm_gmtoff;
        char sign = off < 0 ? '-' : '+';
        off = off < 0 ? -off : off;
        snprintf(zone, sizeof(zone), "%c%02ld:%02ld", sign, off / 3600, off / 60 % 60);
    }
    snprintf(buf, size, "%s%s%s", date, frac, zone);
}

char *kj_kuard_memq_message_json(const struct kj_kuard_memq_message *m)
{
    cleanup_free char *body = kj_kuard_go_json_string(m->body, m->body_len);
    if (body == NULL)
        return NULL;
    char ts[48];
    kj_kuard_rfc3339nano(m->created, ts, sizeof(ts));
    char *out = NULL;
    /* id and timestamp are hex/ASCII digits: no escaping needed. */
    if (asprintf(&out, "{\"kind\":\"message\",\"id\":\"%s\",\"body\":%s,\"creationTimestamp\":\"%s\"}",
                 m->id, body, ts) < 0)
        return NULL;
    return out;
}

int kj_kuard_memq_new_id(char out[KJ_KUARD_MEMQ_ID_SIZE], kj_error_t *err)
{
    unsigned char raw[16];
    if (RAND_bytes(raw, sizeof(raw)) != 1)
        return kj_make_error(err, 0, "rand_bytes failed");
    for (size_t i = 0; i < sizeof(raw); i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    return 0;
}

static int decoded_field(const cJSON *root, const char *key, char **out, kj_error_t *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    const char *s = "";
    if (v != NULL && !cJSON_IsNull(v)) {
        if (!cJSON_IsString(v))
            return kj_make_error(err, 0,
                                 "json: cannot unmarshal non-string into Go struct field "
                                 "Message.%s of type string",
                                 key);
        s = v->valuestring;
    }
    *out = strdup(s);
    return *out == NULL ? kj_make_error(err, ENOMEM, "decode message") : 0;
}

int kj_kuard_memq_message_decode(const char *body, size_t len, struct kj_kuard_memq_decoded *out,
                                 kj_error_t *err)
{
    memset(out, 0, sizeof(*out));
    size_t i = 0;
    while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
        i++;
    if (i == len)
        return kj_make_error(err, 0, "EOF");
    const char *end = NULL;
    cleanup_cjson cJSON *root = cJSON_ParseWithLengthOpts(body, len, &end, false);
    if (root == NULL)
        return kj_make_error(err, 0, "invalid character in message json");
    /* Go decodes `null` into a struct as a no-op: an empty message. */
    if (!cJSON_IsNull(root) && !cJSON_IsObject(root))
        return kj_make_error(err, 0, "json: cannot unmarshal non-object into Go value of type memq.Message");
    if (decoded_field(root, "id", &out->id, err) < 0 ||
        decoded_field(root, "body", &out->body, err) < 0) {
        kj_kuard_memq_decoded_free(out);
        return -1;
    }
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(root, "creationTimestamp");
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(root, "kind");
    if ((ts != NULL && !cJSON_IsString(ts) && !cJSON_IsNull(ts)) ||
        (kind != NULL && !cJSON_IsString(kind) && !cJSON_IsNull(kind))) {
        kj_kuard_memq_decoded_free(out);
        return kj_make_error(err, 0, "json: cannot unmarshal non-string into Go struct field of Message");
    }
    return 0;
}

void kj_kuard_memq_decoded_free(struct kj_kuard_memq_decoded *d)
{
    free(d->id);
    free(d->body);
    d->id = d->body = NULL;
}
