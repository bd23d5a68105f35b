/* Protobuf wire-format reader for ConfigMap/Secret; see configproto.h. */
#include "api/configproto.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/configobj.h"
#include "util/xalloc.h"

struct rd {
    const unsigned char *p, *end;
};

/* One field: its number, wire type, and either a varint or a byte span. */
struct field {
    uint32_t num;
    int wt;
    uint64_t v;
    const unsigned char *data;
    size_t len;
};

static bool varint(struct rd *r, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end)
            return false;
        unsigned char b = *r->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
            *out = v;
            return true;
        }
    }
    return false;
}

/* Next field of the message in r; 0 at the end, -1 when malformed. */
static int next_field(struct rd *r, struct field *f)
{
    if (r->p == r->end)
        return 0;
    uint64_t key;
    if (!varint(r, &key) || (key >> 3) == 0 || (key >> 3) > UINT32_MAX)
        return -1;
    f->num = (uint32_t)(key >> 3);
    f->wt = (int)(key & 7);
    f->data = NULL;
    f->len = 0;
    switch (f->wt) {
    case 0:
        return varint(r, &f->v) ? 1 : -1;
    case 1:
    case 5: {
        size_t n = f->wt == 1 ? 8 : 4;
        if ((size_t)(r->end - r->p) < n)
            return -1;
        r->p += n;
        return 1;
    }
    case 2: {
        uint64_t n;
        if (!varint(r, &n) || n > (uint64_t)(r->end - r->p))
            return -1;
        f->data = r->p;
        f->len = (size_t)n;
        r->p += n;
        return 1;
    }
    default:
        return -1;
    }
}

/* A string field as cJSON (NULL when it holds a NUL byte). */
static cJSON *str_item(const struct field *f)
{
    if (memchr(f->data, '\0', f->len) != NULL)
        return NULL;
    char *s = xmalloc(f->len + 1);
    memcpy(s, f->data, f->len);
    s[f->len] = '\0';
    cJSON *c = cJSON_CreateString(s);
    free(s);
    return c;
}

static bool set_field(cJSON *o, const char *key, cJSON *v)
{
    if (v == NULL)
        return false;
    cJSON_DeleteItemFromObjectCaseSensitive(o, key);
    cJSON_AddItemToObject(o, key, v);
    return true;
}

/* One map entry (key = 1, value = 2) into `map`; values base64 when `bytes`. */
static bool map_entry(cJSON *map, const struct field *entry, bool bytes)
{
    struct rd r = {entry->data, entry->data + entry->len};
    struct field f, key = {0}, val = {0};
    int rc;
    while ((rc = next_field(&r, &f)) == 1) {
        if (f.wt == 2 && f.num == 1)
            key = f;
        else if (f.wt == 2 && f.num == 2)
            val = f;
    }
    if (rc < 0 || key.data == NULL || memchr(key.data, '\0', key.len) != NULL)
        return false;
    char *k = xmalloc(key.len + 1);
    memcpy(k, key.data, key.len);
    k[key.len] = '\0';
    cJSON *v;
    if (bytes) {
        char *b64 = kj_base64_encode(val.data != NULL ? val.data : (const unsigned char *)"", val.len);
        v = cJSON_CreateString(b64);
        free(b64);
    } else {
        v = val.data != NULL ? str_item(&val) : cJSON_CreateString("");
    }
    bool ok = v != NULL;
    if (ok)
        set_field(map, k, v);
    free(k);
    return ok;
}

static cJSON *map_of(cJSON *o, const char *key)
{
    cJSON *m = cJSON_GetObjectItemCaseSensitive(o, key);
    return m != NULL ? m : cJSON_AddObjectToObject(o, key);
}

static bool object_meta(const struct field *mf, cJSON *md)
{
    struct rd r = {mf->data, mf->data + mf->len};
    struct field f;
    int rc;
    while ((rc = next_field(&r, &f)) == 1) {
        /* Go's encoder writes every string field, even empty ones. */
        if (f.wt != 2 || (f.len == 0 && f.num != 1))
            continue;
        bool ok = true;
        switch (f.num) {
        case 1: ok = set_field(md, "name", str_item(&f)); break;
        case 2: ok = set_field(md, "generateName", str_item(&f)); break;
        case 3: ok = set_field(md, "namespace", str_item(&f)); break;
        case 6: ok = set_field(md, "resourceVersion", str_item(&f)); break;
        case 11: ok = map_entry(map_of(md, "labels"), &f, false); break;
        case 12: ok = map_entry(map_of(md, "annotations"), &f, false); break;
        default: break;
        }
        if (!ok)
            return false;
    }
    return rc == 0;
}

/* The ConfigMap or Secret message itself. */
static bool object_body(const unsigned char *p, size_t len, bool secret, cJSON *o)
{
    struct rd r = {p, p + len};
    struct field f;
    int rc;
    while ((rc = next_field(&r, &f)) == 1) {
        bool ok = true;
        if (f.num == 1 && f.wt == 2)
            ok = object_meta(&f, cJSON_GetObjectItemCaseSensitive(o, "metadata"));
        else if (f.num == 2 && f.wt == 2)
            ok = map_entry(map_of(o, "data"), &f, secret);
        else if (!secret && f.num == 3 && f.wt == 2)
            ok = map_entry(map_of(o, "binaryData"), &f, true);
        else if (!secret && f.num == 4 && f.wt == 0)
            ok = set_field(o, "immutable", cJSON_CreateBool(f.v != 0));
        else if (secret && f.num == 3 && f.wt == 2)
            ok = set_field(o, "type", str_item(&f));
        else if (secret && f.num == 4 && f.wt == 2)
            ok = map_entry(map_of(o, "stringData"), &f, false);
        else if (secret && f.num == 5 && f.wt == 0)
            ok = set_field(o, "immutable", cJSON_CreateBool(f.v != 0));
        if (!ok)
            return false;
    }
    return rc == 0;
}

static bool span_is(const struct field *f, const char *s)
{
    return f->data != NULL && f->len == strlen(s) && memcmp(f->data, s, f->len) == 0;
}

bool kj_proto_content_type(const char *ct)
{
    static const char pb[] = "application/vnd.kubernetes.protobuf";
    return ct != NULL && strncasecmp(ct, pb, sizeof pb - 1) == 0 &&
           (ct[sizeof pb - 1] == '\0' || ct[sizeof pb - 1] == ';' || ct[sizeof pb - 1] == ' ');
}

cJSON *kj_proto_config_decode(const unsigned char *buf, size_t len, bool secret, const char **why)
{
    const char *kind = secret ? "Secret" : "ConfigMap";
    if (len < 4 || memcmp(buf, "k8s\0", 4) != 0) {
        *why = "the protobuf body does not start with the kubernetes magic number";
        return NULL;
    }
    struct rd r = {buf + 4, buf + len};
    struct field f, type_meta = {0}, raw = {0};
    int rc;
    while ((rc = next_field(&r, &f)) == 1) {
        if (f.num == 1 && f.wt == 2)
            type_meta = f;
        else if (f.num == 2 && f.wt == 2)
            raw = f;
    }
    struct field av = {0}, k = {0};
    if (rc == 0 && type_meta.data != NULL) {
        struct rd tr = {type_meta.data, type_meta.data + type_meta.len};
        while ((rc = next_field(&tr, &f)) == 1) {
            if (f.num == 1 && f.wt == 2)
                av = f;
            else if (f.num == 2 && f.wt == 2)
                k = f;
        }
    }
    if (rc < 0) {
        *why = "the protobuf body is malformed";
        return NULL;
    }
    if ((av.data != NULL && !span_is(&av, "v1")) || (k.data != NULL && !span_is(&k, kind))) {
        *why = "the protobuf body holds another kind";
        return NULL;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", kind);
    cJSON_AddStringToObject(o, "apiVersion", "v1");
    cJSON_AddObjectToObject(o, "metadata");
    if (!object_body(raw.data != NULL ? raw.data : (const unsigned char *)"", raw.len, secret, o)) {
        cJSON_Delete(o);
        *why = "the protobuf body is malformed";
        return NULL;
    }
    return o;
}
