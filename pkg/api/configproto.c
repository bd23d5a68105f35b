/* ConfigMap/Secret fields of a protobuf body; see configproto.h. */
#include "api/configproto.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/configobj.h" /* kj_base64_encode */
#include "util/cleanup.h"

/* A string field as cJSON (NULL when it is not text). */
static cJSON *str_item(const struct kj_pw_field *f)
{
    cleanup_free char *s = kj_pw_strdup(f);
    return s != NULL ? cJSON_CreateString(s) : NULL;
}

static bool set_field(cJSON *o, const char *key, cJSON *v)
{
    if (v == NULL)
        return false;
    cJSON_DeleteItemFromObjectCaseSensitive(o, key);
    cJSON_AddItemToObject(o, key, v);
    return true;
}

/* One map entry into `map`; values base64 when `bytes`. */
static bool map_entry(cJSON *map, const struct kj_pw_field *entry, bool bytes)
{
    struct kj_pw_field key, val;
    if (!kj_pw_map_entry(entry, &key, &val))
        return false;
    cleanup_free char *k = kj_pw_strdup(&key);
    if (k == NULL)
        return false;
    cJSON *v;
    if (bytes) {
        cleanup_free char *b64 = kj_base64_encode(val.data, val.len);
        v = cJSON_CreateString(b64);
    } else {
        v = str_item(&val);
    }
    return set_field(map, k, v);
}

static cJSON *map_of(cJSON *o, const char *key)
{
    cJSON *m = cJSON_GetObjectItemCaseSensitive(o, key);
    return m != NULL ? m : cJSON_AddObjectToObject(o, key);
}

static bool object_meta(const struct kj_pw_field *mf, cJSON *md)
{
    struct kj_pw_reader r = kj_pw_reader_of(mf->data, mf->len);
    struct kj_pw_field f;
    int rc;
    while ((rc = kj_pw_next(&r, &f)) == 1) {
        /* Go's encoder writes every string field, even empty ones. */
        if (f.wt != KJ_PW_LEN || (f.len == 0 && f.num != 1))
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
static bool object_body(const struct kj_pw_field *raw, bool secret, cJSON *o)
{
    struct kj_pw_reader r = kj_pw_reader_of(raw->data, raw->len);
    struct kj_pw_field f;
    int rc;
    while ((rc = kj_pw_next(&r, &f)) == 1) {
        bool ok = true;
        if (f.num == 1 && f.wt == KJ_PW_LEN)
            ok = object_meta(&f, cJSON_GetObjectItemCaseSensitive(o, "metadata"));
        else if (f.num == 2 && f.wt == KJ_PW_LEN)
            ok = map_entry(map_of(o, "data"), &f, secret);
        else if (!secret && f.num == 3 && f.wt == KJ_PW_LEN)
            ok = map_entry(map_of(o, "binaryData"), &f, true);
        else if (!secret && f.num == 4 && f.wt == KJ_PW_VARINT)
            ok = set_field(o, "immutable", cJSON_CreateBool(f.v != 0));
        else if (secret && f.num == 3 && f.wt == KJ_PW_LEN)
            ok = set_field(o, "type", str_item(&f));
        else if (secret && f.num == 4 && f.wt == KJ_PW_LEN)
            ok = map_entry(map_of(o, "stringData"), &f, false);
        else if (secret && f.num == 5 && f.wt == KJ_PW_VARINT)
            ok = set_field(o, "immutable", cJSON_CreateBool(f.v != 0));
        if (!ok)
            return false;
    }
    return rc == 0;
}

cJSON *kj_proto_config_decode(const unsigned char *buf, size_t len, bool secret, const char **why)
{
    const char *kind = secret ? "Secret" : "ConfigMap";
    struct kj_pw_envelope env;
    if (kj_pw_envelope_read(buf, len, &env, why) < 0)
        return NULL;
    if ((env.api_version.data != NULL && !kj_pw_span_is(&env.api_version, "v1")) ||
        (env.kind.data != NULL && !kj_pw_span_is(&env.kind, kind))) {
        *why = "the protobuf body holds another kind";
        return NULL;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", kind);
    cJSON_AddStringToObject(o, "apiVersion", "v1");
    cJSON_AddObjectToObject(o, "metadata");
    if (!object_body(&env.raw, secret, o)) {
        cJSON_Delete(o);
        *why = "the protobuf body is malformed";
        return NULL;
    }
    return o;
}
