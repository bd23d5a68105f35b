/* batch/v1 Job from protobuf; see jobproto.h. A message is described by a
 * table of (field number, JSON name, kind); one walker turns any described
 * message into JSON, so adding a field is adding a table row. */
#include "api/jobproto.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/protowire.h"
#include "api/yaml-internal.h" /* kj_yaml_strmap, for map dedupe */
#include "util/cleanup.h"
#include "util/xalloc.h" /* kj_assert, xrealloc */

enum pk {
    PK_STR,      /* Go string: left out when empty */
    PK_STR_PTR,  /* Go *string: kept even when empty */
    PK_STRS,     /* repeated string */
    PK_I32,      /* Go int32: left out when 0 */
    PK_I32_PTR,  /* Go *int32 */
    PK_I64_PTR,  /* Go *int64 */
    PK_I32S,     /* repeated int32, packed or not */
    PK_BOOL,     /* Go bool: left out when false */
    PK_BOOL_PTR, /* Go *bool */
    PK_MSG,      /* embedded message, decoded by sub */
    PK_MSGS,     /* repeated message */
    PK_INLINE,   /* embedded message whose fields JSON puts in the parent */
    PK_MAP,      /* map<string, string> */
    PK_QTY_MAP,  /* map<string, resource.Quantity> */
    PK_QTY,      /* resource.Quantity: its string form is field 1 */
};

struct pm;

struct pf {
    uint32_t num;
    const char *json;
    enum pk kind;
    const struct pm *sub;
};

struct pm {
    const struct pf *fields;
    size_t n;
};

#define PM(name, ...)                                          \
    static const struct pf name##_fields[] = {__VA_ARGS__};    \
    static const struct pm name = {name##_fields, sizeof name##_fields / sizeof name##_fields[0]}

/* meta/v1 */
PM(owner_ref, {5, "apiVersion", PK_STR, NULL}, {1, "kind", PK_STR, NULL}, {3, "name", PK_STR, NULL},
   {4, "uid", PK_STR, NULL}, {6, "controller", PK_BOOL_PTR, NULL},
   {7, "blockOwnerDeletion", PK_BOOL_PTR, NULL});
/* uid, resourceVersion, timestamps and managedFields are the server's. */
PM(object_meta, {1, "name", PK_STR, NULL}, {2, "generateName", PK_STR, NULL},
   {3, "namespace", PK_STR, NULL}, {11, "labels", PK_MAP, NULL}, {12, "annotations", PK_MAP, NULL},
   {13, "ownerReferences", PK_MSGS, &owner_ref}, {14, "finalizers", PK_STRS, NULL});
PM(selector_req, {1, "key", PK_STR, NULL}, {2, "operator", PK_STR, NULL}, {3, "values", PK_STRS, NULL});
PM(label_selector, {1, "matchLabels", PK_MAP, NULL}, {2, "matchExpressions", PK_MSGS, &selector_req});

/* core/v1 */
PM(local_ref, {1, "name", PK_STR, NULL});
PM(key_selector, {1, NULL, PK_INLINE, &local_ref}, {2, "key", PK_STR, NULL},
   {3, "optional", PK_BOOL_PTR, NULL});
PM(field_selector, {1, "apiVersion", PK_STR, NULL}, {2, "fieldPath", PK_STR, NULL});
PM(resource_selector, {1, "containerName", PK_STR, NULL}, {2, "resource", PK_STR, NULL},
   {3, "divisor", PK_QTY, NULL});
PM(env_source, {1, "fieldRef", PK_MSG, &field_selector}, {2, "resourceFieldRef", PK_MSG, &resource_selector},
   {3, "configMapKeyRef", PK_MSG, &key_selector}, {4, "secretKeyRef", PK_MSG, &key_selector});
PM(env_var, {1, "name", PK_STR, NULL}, {2, "value", PK_STR, NULL}, {3, "valueFrom", PK_MSG, &env_source});
PM(port, {1, "name", PK_STR, NULL}, {2, "hostPort", PK_I32, NULL}, {3, "containerPort", PK_I32, NULL},
   {4, "protocol", PK_STR, NULL}, {5, "hostIP", PK_STR, NULL});
PM(resources, {1, "limits", PK_QTY_MAP, NULL}, {2, "requests", PK_QTY_MAP, NULL});
PM(container, {1, "name", PK_STR, NULL}, {2, "image", PK_STR, NULL}, {3, "command", PK_STRS, NULL},
   {4, "args", PK_STRS, NULL}, {5, "workingDir", PK_STR, NULL}, {6, "ports", PK_MSGS, &port},
   {7, "env", PK_MSGS, &env_var}, {8, "resources", PK_MSG, &resources},
   {13, "terminationMessagePath", PK_STR, NULL}, {20, "terminationMessagePolicy", PK_STR, NULL},
   {14, "imagePullPolicy", PK_STR, NULL}, {24, "restartPolicy", PK_STR_PTR, NULL},
   {16, "stdin", PK_BOOL, NULL}, {17, "stdinOnce", PK_BOOL, NULL}, {18, "tty", PK_BOOL, NULL});
PM(pod_spec, {20, "initContainers", PK_MSGS, &container}, {2, "containers", PK_MSGS, &container},
   {3, "restartPolicy", PK_STR, NULL}, {4, "terminationGracePeriodSeconds", PK_I64_PTR, NULL},
   {5, "activeDeadlineSeconds", PK_I64_PTR, NULL}, {6, "dnsPolicy", PK_STR, NULL},
   {7, "nodeSelector", PK_MAP, NULL}, {8, "serviceAccountName", PK_STR, NULL},
   {9, "serviceAccount", PK_STR, NULL}, {21, "automountServiceAccountToken", PK_BOOL_PTR, NULL},
   {10, "nodeName", PK_STR, NULL}, {11, "hostNetwork", PK_BOOL, NULL}, {12, "hostPID", PK_BOOL, NULL},
   {13, "hostIPC", PK_BOOL, NULL}, {15, "imagePullSecrets", PK_MSGS, &local_ref},
   {16, "hostname", PK_STR, NULL}, {17, "subdomain", PK_STR, NULL}, {19, "schedulerName", PK_STR, NULL},
   {24, "priorityClassName", PK_STR, NULL}, {25, "priority", PK_I32_PTR, NULL},
   {30, "enableServiceLinks", PK_BOOL_PTR, NULL});
PM(pod_template, {1, "metadata", PK_MSG, &object_meta}, {2, "spec", PK_MSG, &pod_spec});

/* batch/v1 */
PM(exit_codes, {1, "containerName", PK_STR_PTR, NULL}, {2, "operator", PK_STR, NULL},
   {3, "values", PK_I32S, NULL});
PM(pod_conditions, {1, "type", PK_STR, NULL}, {2, "status", PK_STR, NULL});
PM(pfp_rule, {1, "action", PK_STR, NULL}, {2, "onExitCodes", PK_MSG, &exit_codes},
   {3, "onPodConditions", PK_MSGS, &pod_conditions});
PM(pfp, {1, "rules", PK_MSGS, &pfp_rule});
PM(sp_rule, {1, "succeededIndexes", PK_STR_PTR, NULL}, {2, "succeededCount", PK_I32_PTR, NULL});
PM(success_policy, {1, "rules", PK_MSGS, &sp_rule});
PM(job_spec, {1, "parallelism", PK_I32_PTR, NULL}, {2, "completions", PK_I32_PTR, NULL},
   {3, "activeDeadlineSeconds", PK_I64_PTR, NULL}, {11, "podFailurePolicy", PK_MSG, &pfp},
   {16, "successPolicy", PK_MSG, &success_policy}, {7, "backoffLimit", PK_I32_PTR, NULL},
   {12, "backoffLimitPerIndex", PK_I32_PTR, NULL}, {13, "maxFailedIndexes", PK_I32_PTR, NULL},
   {4, "selector", PK_MSG, &label_selector}, {5, "manualSelector", PK_BOOL_PTR, NULL},
   {6, "template", PK_MSG, &pod_template}, {8, "ttlSecondsAfterFinished", PK_I32_PTR, NULL},
   {9, "completionMode", PK_STR_PTR, NULL}, {10, "suspend", PK_BOOL_PTR, NULL},
   {14, "podReplacementPolicy", PK_STR_PTR, NULL}, {15, "managedBy", PK_STR_PTR, NULL});
/* Status (3) is the controller's to write. */
PM(job, {1, "metadata", PK_MSG, &object_meta}, {2, "spec", PK_MSG, &job_spec});

/* The walk's state. The JSON path of a failure is built as the recursion
 * unwinds (each level puts its own part in front), so the common case of
 * a good body pays nothing for it. */
struct walk {
    char path[512];
    size_t plen;
    const char *why; /* static */
    cJSON **maps;    /* owned array of borrowed pointers: every map object made */
    size_t n_maps, cap_maps;
};

/* Put `seg` in front of the path, with a dot when a name follows; a
 * segment that does not fit is cut short, which only shortens the message. */
static void prepend(struct walk *w, const char *seg)
{
    bool dot = w->plen > 0 && w->path[0] != '[';
    size_t n = strlen(seg), room = sizeof w->path - 1 - w->plen - (dot ? 1 : 0);
    if (n > room)
        n = room;
    memmove(w->path + n + (dot ? 1 : 0), w->path, w->plen + 1);
    memcpy(w->path, seg, n);
    if (dot)
        w->path[n] = '.';
    w->plen += n + (dot ? 1 : 0);
}

static void prepend_key(struct walk *w, const char *key)
{
    char b[80];
    snprintf(b, sizeof b, "[%.64s%s]", key, strlen(key) > 64 ? "..." : "");
    prepend(w, b);
}

static int fail(struct walk *w, const char *why)
{
    w->why = why;
    return -1;
}

static cJSON *child(cJSON *o, const char *key, bool array)
{
    cJSON *c = cJSON_GetObjectItemCaseSensitive(o, key);
    if (c != NULL && (array ? cJSON_IsArray(c) : cJSON_IsObject(c)))
        return c;
    cJSON_DeleteItemFromObjectCaseSensitive(o, key);
    return array ? cJSON_AddArrayToObject(o, key) : cJSON_AddObjectToObject(o, key);
}

/* Later occurrences of a singular field replace earlier ones (proto3). */
static void put(cJSON *o, const char *key, cJSON *v)
{
    cJSON_DeleteItemFromObjectCaseSensitive(o, key);
    cJSON_AddItemToObject(o, key, v);
}

static cJSON *text(struct walk *w, const struct kj_pw_field *f)
{
    cleanup_free char *s = kj_pw_strdup(f);
    if (s == NULL) {
        fail(w, "the string is not valid UTF-8 or holds a NUL byte");
        return NULL;
    }
    return cJSON_CreateString(s);
}

/* resource.Quantity: the string form (field 1), which the JSON decoder
 * parses and canonicalises like a YAML quantity. */
static cJSON *quantity(struct walk *w, const struct kj_pw_field *f)
{
    struct kj_pw_reader r = kj_pw_reader_of(f->data, f->len);
    struct kj_pw_field q, s = {.wt = KJ_PW_LEN, .data = (const unsigned char *)""};
    int rc;
    while ((rc = kj_pw_next(&r, &q)) == 1) {
        if (q.num == 1 && q.wt != KJ_PW_LEN)
            rc = -1;
        if (rc < 0)
            break;
        if (q.num == 1)
            s = q;
    }
    if (rc < 0) {
        fail(w, "the quantity is malformed");
        return NULL;
    }
    return text(w, &s);
}

/* The JSON object of map field `d` in `out`, made (and remembered for
 * dedupe_maps) on first use. */
static cJSON *map_of(struct walk *w, cJSON *out, const struct pf *d)
{
    cJSON *map = cJSON_GetObjectItemCaseSensitive(out, d->json);
    if (cJSON_IsObject(map))
        return map;
    if (w->n_maps == w->cap_maps) {
        w->cap_maps = w->cap_maps > 0 ? 2 * w->cap_maps : 8;
        w->maps = xrealloc(w->maps, w->cap_maps * sizeof *w->maps);
    }
    map = child(out, d->json, false);
    w->maps[w->n_maps++] = map;
    return map;
}

/* Entries are appended as they come (a lookup per entry would make a
 * body of many entries quadratic); dedupe_maps applies proto's "last one
 * wins" afterwards. */
static int map_entry(struct walk *w, const struct pf *d, const struct kj_pw_field *f, cJSON *out)
{
    struct kj_pw_field key, val;
    if (!kj_pw_map_entry(f, &key, &val))
        return fail(w, "a map entry is truncated or malformed");
    cleanup_free char *k = kj_pw_strdup(&key);
    if (k == NULL)
        return fail(w, "a map key is not valid UTF-8 or holds a NUL byte");
    cJSON *v = d->kind == PK_QTY_MAP ? quantity(w, &val) : text(w, &val);
    if (v == NULL) {
        prepend_key(w, k);
        return -1;
    }
    cJSON_AddItemToObject(map_of(w, out, d), k, v);
    return 0;
}

/* Drop every entry that a later one with the same key overrides. */
static void dedupe_maps(struct walk *w)
{
    for (size_t i = 0; i < w->n_maps; i++) {
        cJSON *map = w->maps[i];
        struct kj_yaml_strmap seen = {0};
        cJSON *item = map->child != NULL ? map->child->prev : NULL; /* the last entry */
        while (item != NULL) {
            cJSON *before = item == map->child ? NULL : item->prev;
            if (kj_yaml_strmap_get(&seen, item->string) != NULL)
                cJSON_Delete(cJSON_DetachItemViaPointer(map, item));
            else if (kj_yaml_strmap_put(&seen, item->string, item) < 0)
                kj_assert(!"out of memory");
            item = before;
        }
        kj_yaml_strmap_clear(&seen);
    }
}

static int int_value(struct walk *w, const struct pf *d, uint64_t raw, double *out)
{
    int64_t v = (int64_t)raw;
    if (d->kind != PK_I64_PTR && (v < INT32_MIN || v > INT32_MAX))
        return fail(w, "the value is out of range for an int32");
    *out = (double)v;
    return 0;
}

static int walk_message(struct walk *w, const struct pm *m, const struct kj_pw_field *msg, cJSON *out);

/* repeated int32: packed (one length-delimited run) or one varint each. */
static int int_list(struct walk *w, const struct pf *d, const struct kj_pw_field *f, cJSON *arr)
{
    double v;
    if (f->wt == KJ_PW_VARINT) {
        if (int_value(w, d, f->v, &v) < 0)
            return -1;
        cJSON_AddItemToArray(arr, cJSON_CreateNumber(v));
        return 0;
    }
    struct kj_pw_reader r = kj_pw_reader_of(f->data, f->len);
    while (r.p != r.end) {
        uint64_t raw;
        if (!kj_pw_varint(&r, &raw))
            return fail(w, "a packed integer is truncated");
        if (int_value(w, d, raw, &v) < 0)
            return -1;
        cJSON_AddItemToArray(arr, cJSON_CreateNumber(v));
    }
    return 0;
}

static bool is_varint_kind(enum pk k)
{
    return k == PK_I32 || k == PK_I32_PTR || k == PK_I64_PTR || k == PK_BOOL || k == PK_BOOL_PTR;
}

static int one_field(struct walk *w, const struct pf *d, const struct kj_pw_field *f, cJSON *out)
{
    bool want_varint = is_varint_kind(d->kind);
    if (d->kind != PK_I32S && f->wt != (want_varint ? KJ_PW_VARINT : KJ_PW_LEN))
        return fail(w, want_varint ? "the field should be a varint" : "the field should be length-delimited");
    if (d->kind == PK_I32S && f->wt != KJ_PW_VARINT && f->wt != KJ_PW_LEN)
        return fail(w, "the field should be a varint or a packed run");
    double num;
    cJSON *v;
    switch (d->kind) {
    case PK_STR:
    case PK_STR_PTR:
        if (d->kind == PK_STR && f->len == 0)
            return 0;
        if ((v = text(w, f)) == NULL)
            return -1;
        put(out, d->json, v);
        return 0;
    case PK_STRS:
        if ((v = text(w, f)) == NULL)
            return -1;
        cJSON_AddItemToArray(child(out, d->json, true), v);
        return 0;
    case PK_I32:
    case PK_I32_PTR:
    case PK_I64_PTR:
        if (int_value(w, d, f->v, &num) < 0)
            return -1;
        if (d->kind != PK_I32 || num != 0)
            put(out, d->json, cJSON_CreateNumber(num));
        return 0;
    case PK_I32S:
        return int_list(w, d, f, child(out, d->json, true));
    case PK_BOOL:
    case PK_BOOL_PTR:
        if (d->kind == PK_BOOL_PTR || f->v != 0)
            put(out, d->json, cJSON_CreateBool(f->v != 0));
        return 0;
    case PK_MSG:
        return walk_message(w, d->sub, f, child(out, d->json, false));
    case PK_INLINE:
        return walk_message(w, d->sub, f, out);
    case PK_MSGS: {
        cJSON *arr = child(out, d->json, true);
        cJSON *item = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, item);
        if (walk_message(w, d->sub, f, item) < 0) {
            char idx[32];
            snprintf(idx, sizeof idx, "[%d]", cJSON_GetArraySize(arr) - 1);
            prepend(w, idx);
            return -1;
        }
        return 0;
    }
    case PK_MAP:
    case PK_QTY_MAP:
        return map_entry(w, d, f, out);
    case PK_QTY:
        if ((v = quantity(w, f)) == NULL)
            return -1;
        put(out, d->json, v);
        return 0;
    default:
        return fail(w, "internal: unknown field kind");
    }
}

static int walk_message(struct walk *w, const struct pm *m, const struct kj_pw_field *msg, cJSON *out)
{
    struct kj_pw_reader r = kj_pw_reader_of(msg->data, msg->len);
    struct kj_pw_field f;
    int rc;
    while ((rc = kj_pw_next(&r, &f)) == 1) {
        const struct pf *d = NULL;
        for (size_t i = 0; i < m->n && d == NULL; i++)
            if (m->fields[i].num == f.num)
                d = &m->fields[i];
        if (d == NULL)
            continue;
        if (one_field(w, d, &f, out) < 0) {
            if (d->json != NULL)
                prepend(w, d->json);
            return -1;
        }
    }
    if (rc < 0)
        return fail(w, "the message is truncated or malformed");
    return 0;
}

/* The envelope of a Job body, or -1 with a 400 in *err. */
static int job_envelope(const unsigned char *buf, size_t len, struct kj_pw_envelope *env, kj_error_t *err)
{
    const char *why = NULL;
    if (kj_pw_envelope_read(buf, len, env, &why) < 0)
        return kj_make_http_error(err, 400, "%s", why);
    if (env->content_encoding.len > 0)
        return kj_make_http_error(err, 400, "the protobuf body has a content encoding kjob does not read");
    if ((env->api_version.data == NULL || kj_pw_span_is(&env->api_version, "batch/v1")) &&
        (env->kind.data == NULL || kj_pw_span_is(&env->kind, "Job")))
        return 0;
    cleanup_free char *av = kj_pw_strdup(&env->api_version);
    cleanup_free char *kind = kj_pw_strdup(&env->kind);
    return kj_make_http_error(err, 400,
                              "the API version in the data (%s) does not match the expected API version (batch/v1) or kind (%s) is not Job",
                              av != NULL ? av : "?", kind != NULL ? kind : "?");
}

cJSON *kj_proto_job_decode(const unsigned char *buf, size_t len, kj_error_t *err)
{
    struct kj_pw_envelope env;
    if (job_envelope(buf, len, &env, err) < 0)
        return NULL;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", "Job");
    cJSON_AddStringToObject(o, "apiVersion", "batch/v1");
    struct walk w = {.plen = 0};
    int rc = walk_message(&w, &job, &env.raw, o);
    if (rc == 0)
        dedupe_maps(&w);
    free(w.maps);
    if (rc < 0) {
        cJSON_Delete(o);
        kj_make_http_error(err, 400, "invalid protobuf Job body at `%s`: %s", w.plen > 0 ? w.path : "(top level)",
                           w.why);
        return NULL;
    }
    return o;
}
