/* libyaml events -> cJSON documents, with go-yaml v2's composition rules:
 * anchors and aliases (copied, within a budget), merge keys, strict
 * duplicate-key checks and sigs.k8s.io/yaml's key stringification.
 *
 * The builder keeps an explicit stack of open collections instead of
 * recursing, so nesting is limited by KJ_YAML_MAX_DEPTH and not by the C
 * stack. Anchors point at nodes of the document being built; nodes an anchor
 * may reference but the output does not keep (merge sources, anchored keys)
 * go to a per-document "graveyard" array so those pointers stay valid until
 * the document ends. */
#include <errno.h>  /* ENOMEM */
#include <math.h>   /* isfinite, isnan */
#include <stdarg.h> /* va_list */
#include <stdio.h>  /* vsnprintf */
#include <stdlib.h>
#include <string.h>

#include "api/yaml-internal.h"
#include "api/yaml.h"
#include "util/xalloc.h" /* kj_assert */

#define PREFIX "error converting YAML to JSON: yaml: "
#define TAG_MERGE "tag:yaml.org,2002:merge"

struct anchor {
    char *name;         /* owned */
    cJSON *node;        /* borrowed (tree or graveyard); NULL while open or for .inf/.nan */
    char *key;          /* owned: key text of a scalar; NULL for null and collections */
    bool scalar;
    bool done;
    unsigned long gen;  /* which definition of `name` this is */
};

struct merge_src {
    const cJSON *obj; /* borrowed: an anchor's node or a graveyard node */
    bool from_alias;  /* copying it counts against the alias budget */
};

struct frame {
    cJSON *node; /* owned until delivered to the parent */
    bool is_map;
    struct anchor *anchor; /* borrowed; NULL when not anchored */
    unsigned long anchor_gen;
    /* mappings only */
    bool want_value;
    bool merge_next; /* the pending key is `<<` */
    char *key;       /* owned: key waiting for its value */
    struct kj_yaml_strmap keys; /* key text -> item of node */
    struct merge_src *merges;   /* owned array */
    size_t n_merges, cap_merges;
};

struct builder {
    cJSON *docs; /* borrowed */
    struct frame *stack;
    size_t depth, cap;
    cJSON *root;      /* owned */
    cJSON *graveyard; /* owned */
    struct kj_yaml_strmap anchors;
    struct anchor **anchor_list; /* owned, with the records */
    size_t n_anchors, cap_anchors;
    unsigned long gen;
    size_t alias_nodes, alias_bytes;
    kj_error_t *err;
};

static int fail_oom(struct builder *b)
{
    kj_make_error(b->err, ENOMEM, "error converting YAML to JSON");
    return -1;
}

__attribute__((format(printf, 3, 4))) static void fail_at_(struct builder *b, size_t line0,
                                                            const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    kj_make_http_error(b->err, 400, PREFIX "line %zu: %s", line0 + 1, msg);
}

/* Sets the error and evaluates to -1 (visibly, for the static analyzer). */
#define fail_at(b, line0, ...) (fail_at_((b), (line0), __VA_ARGS__), -1)

static int fail_aliasing(struct builder *b)
{
    kj_make_http_error(b->err, 400, PREFIX "document contains excessive aliasing");
    return -1;
}

static int fail_want_map(struct builder *b, size_t line0)
{
    return fail_at(b, line0, "map merge requires map or sequence of maps as the value");
}

/* Keys and anchor names in messages are cut short, on a UTF-8 boundary. */
static int clip(const char *s)
{
    size_t n = strlen(s);
    if (n <= 64)
        return (int)n;
    n = 64;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    return (int)n;
}

static void anchors_reset(struct builder *b)
{
    for (size_t i = 0; i < b->n_anchors; i++) {
        free(b->anchor_list[i]->name);
        free(b->anchor_list[i]->key);
        free(b->anchor_list[i]);
    }
    b->n_anchors = 0;
    kj_yaml_strmap_clear(&b->anchors);
}

/* (Re)define `name`; later aliases see this definition. */
static struct anchor *anchor_define(struct builder *b, const char *name)
{
    struct anchor *a = kj_yaml_strmap_get(&b->anchors, name);
    if (a == NULL) {
        if (b->n_anchors == b->cap_anchors) {
            size_t cap = b->cap_anchors ? b->cap_anchors * 2 : 16;
            struct anchor **l = realloc(b->anchor_list, cap * sizeof(*l));
            if (l == NULL)
                return NULL;
            b->anchor_list = l;
            b->cap_anchors = cap;
        }
        a = calloc(1, sizeof(*a));
        if (a == NULL)
            return NULL;
        a->name = strdup(name);
        if (a->name == NULL || kj_yaml_strmap_put(&b->anchors, a->name, a) < 0) {
            free(a->name);
            free(a);
            return NULL;
        }
        b->anchor_list[b->n_anchors++] = a;
    }
    free(a->key);
    a->key = NULL;
    a->node = NULL;
    a->scalar = false;
    a->done = false;
    a->gen = ++b->gen;
    return a;
}

static int anchor_lookup(struct builder *b, const char *name, size_t line0, struct anchor **out)
{
    struct anchor *a = kj_yaml_strmap_get(&b->anchors, name);
    if (a == NULL)
        return fail_at(b, line0, "unknown anchor '%.*s' referenced", clip(name), name);
    if (!a->done)
        return fail_at(b, line0, "anchor '%.*s' value contains itself", clip(name), name);
    *out = a;
    return 0;
}

static int graveyard_add(struct builder *b, cJSON *node)
{
    if (b->graveyard == NULL && (b->graveyard = cJSON_CreateArray()) == NULL) {
        cJSON_Delete(node);
        return fail_oom(b);
    }
    cJSON_AddItemToArray(b->graveyard, node);
    return 0;
}

/* Count what copying `n` would add; false once over the caps. *height is
 * the number of collection levels in n. */
static bool measure(const cJSON *n, size_t *nodes, size_t *bytes, size_t *height,
                    size_t max_nodes, size_t max_bytes)
{
    *height = 0;
    if (++*nodes > max_nodes)
        return false;
    if (n->string != NULL)
        *bytes += strlen(n->string);
    if (cJSON_IsString(n))
        *bytes += strlen(n->valuestring);
    if (*bytes > max_bytes)
        return false;
    if (!cJSON_IsArray(n) && !cJSON_IsObject(n))
        return true;
    size_t max_child = 0;
    for (const cJSON *c = n->child; c != NULL; c = c->next) {
        size_t h;
        if (!measure(c, nodes, bytes, &h, max_nodes, max_bytes))
            return false;
        if (h > max_child)
            max_child = h;
    }
    *height = max_child + 1;
    return true;
}

/* Charge a copy of `n`, to be placed under the current open collections,
 * against the alias budget and the depth limit. */
static int charge(struct builder *b, const cJSON *n, size_t line0)
{
    size_t nodes = 0, bytes = 0, height = 0;
    if (!measure(n, &nodes, &bytes, &height, KJ_YAML_MAX_ALIAS_NODES - b->alias_nodes,
                 KJ_YAML_MAX_ALIAS_BYTES - b->alias_bytes))
        return fail_aliasing(b);
    b->alias_nodes += nodes;
    b->alias_bytes += bytes;
    if (b->depth + height > KJ_YAML_MAX_DEPTH)
        return fail_at(b, line0, "exceeded max depth of %d", KJ_YAML_MAX_DEPTH);
    return 0;
}

/* An alias used as a key copies only the key text. */
static int charge_key(struct builder *b, const char *key)
{
    size_t n = strlen(key);
    if (b->alias_nodes >= KJ_YAML_MAX_ALIAS_NODES || n > KJ_YAML_MAX_ALIAS_BYTES - b->alias_bytes)
        return fail_aliasing(b);
    b->alias_nodes++;
    b->alias_bytes += n;
    return 0;
}

static int merge_push(struct builder *b, struct frame *f, const cJSON *obj, bool from_alias)
{
    if (f->n_merges == f->cap_merges) {
        size_t cap = f->cap_merges ? f->cap_merges * 2 : 4;
        struct merge_src *m = realloc(f->merges, cap * sizeof(*m));
        if (m == NULL)
            return fail_oom(b);
        f->merges = m;
        f->cap_merges = cap;
    }
    f->merges[f->n_merges++] = (struct merge_src){obj, from_alias};
    return 0;
}

/* A node built inline as the value of `<<`: a mapping or a sequence of
 * mappings (aliases inside were already expanded). Takes ownership. */
static int merge_owned(struct builder *b, struct frame *f, cJSON *node, size_t line0)
{
    if (cJSON_IsArray(node)) {
        for (const cJSON *c = node->child; c != NULL; c = c->next) {
            if (!cJSON_IsObject(c)) {
                cJSON_Delete(node);
                return fail_want_map(b, line0);
            }
        }
    } else if (!cJSON_IsObject(node)) {
        cJSON_Delete(node);
        return fail_want_map(b, line0);
    }
    if (graveyard_add(b, node) < 0)
        return -1;
    if (cJSON_IsObject(node))
        return merge_push(b, f, node, false);
    for (const cJSON *c = node->child; c != NULL; c = c->next) {
        if (merge_push(b, f, c, false) < 0)
            return -1;
    }
    return 0;
}

/* Keys the mapping does not set itself, from its merge sources in order, so
 * explicit keys win and earlier sources beat later ones (YAML's merge spec;
 * go-yaml gets the same result for the usual `<<` first layout). */
static int merges_apply(struct builder *b, struct frame *f, size_t line0)
{
    for (size_t i = 0; i < f->n_merges; i++) {
        for (const cJSON *c = f->merges[i].obj->child; c != NULL; c = c->next) {
            if (kj_yaml_strmap_get(&f->keys, c->string) != NULL)
                continue;
            if (f->merges[i].from_alias && charge(b, c, line0) < 0)
                return -1;
            cJSON *dup = cJSON_Duplicate(c, true);
            if (dup == NULL)
                return fail_oom(b);
            cJSON_AddItemToArray(f->node, dup);
            if (kj_yaml_strmap_put(&f->keys, dup->string, dup) < 0)
                return fail_oom(b);
        }
    }
    return 0;
}

/* A complete value for the innermost open collection (or the document).
 * Takes ownership of node in every case. */
static int deliver(struct builder *b, cJSON *node, size_t line0)
{
    if (b->depth == 0) {
        cJSON_Delete(b->root);
        b->root = node;
        return 0;
    }
    kj_assert(b->stack != NULL);
    struct frame *f = &b->stack[b->depth - 1];
    if (!f->is_map) {
        cJSON_AddItemToArray(f->node, node);
        return 0;
    }
    f->want_value = false;
    if (f->merge_next) {
        f->merge_next = false;
        return merge_owned(b, f, node, line0);
    }
    char *key = f->key;
    f->key = NULL;
    bool ok = cJSON_AddItemToObject(f->node, key, node);
    free(key);
    if (!ok) {
        cJSON_Delete(node);
        return fail_oom(b);
    }
    if (kj_yaml_strmap_put(&f->keys, node->string, node) < 0)
        return fail_oom(b);
    return 0;
}

static bool key_expected(const struct builder *b)
{
    return b->depth > 0 && b->stack[b->depth - 1].is_map && !b->stack[b->depth - 1].want_value;
}

/* Record a key (owned) for the innermost mapping, refusing duplicates. */
static int set_key(struct builder *b, char *key, size_t line0)
{
    struct frame *f = &b->stack[b->depth - 1];
    if (kj_yaml_strmap_get(&f->keys, key) != NULL) {
        kj_make_http_error(b->err, 400,
                                     PREFIX "unmarshal errors:\n  line %zu: key \"%.*s\" already "
                                            "set in map",
                                     line0 + 1, clip(key), key);
        free(key);
        return -1;
    }
    f->key = key;
    f->want_value = true;
    return 0;
}

static int on_collection_start(struct builder *b, const yaml_event_t *ev, bool is_map)
{
    size_t line0 = ev->start_mark.line;
    if (key_expected(b))
        return fail_at(b, line0, "invalid map key: a %s", is_map ? "mapping" : "sequence");
    if (b->depth >= KJ_YAML_MAX_DEPTH)
        return fail_at(b, line0, "exceeded max depth of %d", KJ_YAML_MAX_DEPTH);
    if (b->depth == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        struct frame *s = realloc(b->stack, cap * sizeof(*s));
        if (s == NULL)
            return fail_oom(b);
        b->stack = s;
        b->cap = cap;
    }
    const yaml_char_t *anchor =
        is_map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
    struct frame f = {.is_map = is_map};
    f.node = is_map ? cJSON_CreateObject() : cJSON_CreateArray();
    if (f.node == NULL)
        return fail_oom(b);
    if (anchor != NULL) {
        f.anchor = anchor_define(b, (const char *)anchor);
        if (f.anchor == NULL) {
            cJSON_Delete(f.node);
            return fail_oom(b);
        }
        f.anchor_gen = f.anchor->gen;
    }
    b->stack[b->depth++] = f;
    return 0;
}

static void frame_release(struct frame *f)
{
    cJSON_Delete(f->node);
    free(f->key);
    free(f->merges);
    kj_yaml_strmap_clear(&f->keys);
}

static int on_collection_end(struct builder *b, const yaml_event_t *ev)
{
    size_t line0 = ev->start_mark.line;
    kj_assert(b->depth > 0); /* libyaml pairs start and end events */
    struct frame *f = &b->stack[b->depth - 1];
    if (f->is_map && merges_apply(b, f, line0) < 0)
        return -1;
    /* An anchor redefined inside its own node keeps the inner definition,
     * as go-yaml registers anchors where nodes start. */
    if (f->anchor != NULL && f->anchor->gen == f->anchor_gen) {
        f->anchor->node = f->node;
        f->anchor->done = true;
    }
    cJSON *node = f->node;
    f->node = NULL;
    frame_release(f);
    b->depth--;
    return deliver(b, node, line0);
}

static cJSON *scalar_node(const struct kj_yaml_scalar *s, const char *value)
{
    switch (s->kind) {
    case KJ_YAML_STR:
        return cJSON_CreateString(value);
    case KJ_YAML_NULL:
        return cJSON_CreateNull();
    case KJ_YAML_BOOL:
        return cJSON_CreateBool(s->b);
    case KJ_YAML_INT:
        return cJSON_CreateNumber((double)s->i);
    case KJ_YAML_UINT:
        return cJSON_CreateNumber((double)s->u);
    case KJ_YAML_FLOAT:
        return cJSON_CreateNumber(s->f);
    default:
        return NULL;
    }
}

static bool non_finite(const struct kj_yaml_scalar *s)
{
    return s->kind == KJ_YAML_FLOAT && !isfinite(s->f);
}

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
    size_t line0 = ev->start_mark.line;
    const char *value = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    const char *tag = (const char *)ev->data.scalar.tag;
    bool plain = ev->data.scalar.plain_implicit;
    struct kj_yaml_scalar s;
    char msg[160];
    if (kj_yaml_scalar_resolve(tag, plain, value, len, &s, msg, sizeof(msg)) < 0)
        return fail_at(b, line0, "%s", msg);
    if (strlen(value) != len)
        return fail_at(b, line0, "NUL characters are not supported in strings");

    bool is_key = key_expected(b);
    struct anchor *a = NULL;
    if (ev->data.scalar.anchor != NULL) {
        a = anchor_define(b, (const char *)ev->data.scalar.anchor);
        if (a == NULL)
            return fail_oom(b);
        a->scalar = true;
        if (s.kind != KJ_YAML_NULL && (a->key = kj_yaml_scalar_key(&s, value)) == NULL)
            return fail_oom(b);
    }
    cJSON *node = NULL;
    if (non_finite(&s)) {
        if (!is_key)
            return fail_at(b, line0, "unsupported value: %s (JSON has no infinity or NaN)",
                           isnan(s.f) ? "NaN" : s.f > 0 ? "+Inf" : "-Inf");
    } else if (!is_key || a != NULL) {
        if ((node = scalar_node(&s, value)) == NULL)
            return fail_oom(b);
    }
    if (a != NULL) {
        a->node = node;
        a->done = true;
    }

    if (!is_key) {
        struct frame *f = b->depth > 0 ? &b->stack[b->depth - 1] : NULL;
        if (f != NULL && f->is_map && f->merge_next) {
            cJSON_Delete(node);
            return fail_want_map(b, line0);
        }
        return deliver(b, node, line0);
    }
    if (node != NULL && graveyard_add(b, node) < 0)
        return -1;
    if (strcmp(value, "<<") == 0 && (plain || (tag != NULL && strcmp(tag, TAG_MERGE) == 0))) {
        struct frame *f = &b->stack[b->depth - 1];
        f->merge_next = true;
        f->want_value = true;
        return 0;
    }
    if (s.kind == KJ_YAML_NULL)
        return fail_at(b, line0, "unsupported map key: null");
    char *key = kj_yaml_scalar_key(&s, value);
    if (key == NULL)
        return fail_oom(b);
    return set_key(b, key, line0);
}

static int on_alias(struct builder *b, const yaml_event_t *ev)
{
    size_t line0 = ev->start_mark.line;
    struct anchor *a = NULL;
    if (anchor_lookup(b, (const char *)ev->data.alias.anchor, line0, &a) < 0)
        return -1;
    if (key_expected(b)) {
        if (!a->scalar)
            return fail_at(b, line0, "invalid map key: a %s",
                           cJSON_IsObject(a->node) ? "mapping" : "sequence");
        if (a->key == NULL)
            return fail_at(b, line0, "unsupported map key: null");
        if (charge_key(b, a->key) < 0)
            return -1;
        char *key = strdup(a->key);
        if (key == NULL)
            return fail_oom(b);
        return set_key(b, key, line0);
    }
    struct frame *f = b->depth > 0 ? &b->stack[b->depth - 1] : NULL;
    if (f != NULL && f->is_map && f->merge_next) {
        if (!cJSON_IsObject(a->node))
            return fail_want_map(b, line0);
        f->merge_next = false;
        f->want_value = false;
        return merge_push(b, f, a->node, true);
    }
    if (a->node == NULL)
        return fail_at(b, line0, "unsupported value: alias '%.*s' is infinity or NaN",
                       clip(a->name), a->name);
    if (charge(b, a->node, line0) < 0)
        return -1;
    cJSON *dup = cJSON_Duplicate(a->node, true);
    if (dup == NULL)
        return fail_oom(b);
    if (dup->string != NULL) {
        cJSON_free(dup->string);
        dup->string = NULL;
    }
    return deliver(b, dup, line0);
}

static void document_end(struct builder *b)
{
    if (b->root != NULL && !cJSON_IsNull(b->root)) {
        cJSON_AddItemToArray(b->docs, b->root);
        b->root = NULL;
    }
    cJSON_Delete(b->root);
    b->root = NULL;
    cJSON_Delete(b->graveyard);
    b->graveyard = NULL;
    anchors_reset(b);
}

static int on_event(struct builder *b, const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        return on_scalar(b, ev);
    case YAML_MAPPING_START_EVENT:
        return on_collection_start(b, ev, true);
    case YAML_SEQUENCE_START_EVENT:
        return on_collection_start(b, ev, false);
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
        return on_collection_end(b, ev);
    case YAML_ALIAS_EVENT:
        return on_alias(b, ev);
    case YAML_DOCUMENT_END_EVENT:
        document_end(b);
        return 0;
    case YAML_NO_EVENT:
    case YAML_STREAM_START_EVENT:
    case YAML_STREAM_END_EVENT:
    case YAML_DOCUMENT_START_EVENT:
        return 0;
    default:
        return 0;
    }
}

static void builder_release(struct builder *b)
{
    while (b->depth > 0)
        frame_release(&b->stack[--b->depth]);
    free(b->stack);
    cJSON_Delete(b->root);
    cJSON_Delete(b->graveyard);
    anchors_reset(b);
    free(b->anchor_list);
}

int kj_yaml_build(yaml_parser_t *parser, cJSON *docs, kj_error_t *err)
{
    struct builder b = {.docs = docs, .err = err};
    int ret = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(parser, &ev)) {
            ret = -1;
            break;
        }
        bool end = ev.type == YAML_STREAM_END_EVENT;
        ret = on_event(&b, &ev) < 0 ? -2 : 0;
        yaml_event_delete(&ev);
        if (ret < 0 || end)
            break;
    }
    builder_release(&b);
    return ret;
}
