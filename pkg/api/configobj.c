/* ConfigMap and Secret checks; see configobj.h. */
#include "api/configobj.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "api/names.h"
#include "api/strlist.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

static cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

unsigned char *kj_base64_decode(const char *in, size_t *len)
{
    size_t n = strlen(in);
    if (n % 4 != 0 || n > (size_t)1 << 30)
        return NULL;
    unsigned char *out = xmalloc(n / 4 * 3 + 1);
    int got = n == 0 ? 0 : EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);
    if (got < 0) {
        free(out);
        return NULL;
    }
    /* EVP_DecodeBlock counts the bytes the padding stands for. */
    size_t pad = 0;
    for (size_t i = n; i > 0 && pad < 2 && in[i - 1] == '='; i--)
        pad++;
    *len = (size_t)got - pad;
    out[*len] = '\0';
    return out;
}

char *kj_base64_encode(const unsigned char *in, size_t len)
{
    char *out = xmalloc((len + 2) / 3 * 4 + 1);
    int n = EVP_EncodeBlock((unsigned char *)out, in, (int)len);
    out[n < 0 ? 0 : n] = '\0';
    return out;
}

size_t kj_config_key_check(const char *key, char **msg_out)
{
    const char *why = NULL;
    size_t n = strlen(key);
    if (n == 0 || strspn(key, "-._abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != n)
        why = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
              "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
              "'[-._a-zA-Z0-9]+')";
    else if (n > 253)
        why = "must be no more than 253 characters";
    else if (strcmp(key, ".") == 0)
        why = "must not be '.'";
    else if (strcmp(key, "..") == 0)
        why = "must not be '..'";
    else if (strncmp(key, "..", 2) == 0)
        why = "must not start with '..'";
    if (why == NULL)
        return 0;
    if (msg_out != NULL)
        *msg_out = xstrdup(why);
    return 1;
}

void kj_config_problem_clear(struct kj_config_problem *p)
{
    free(p->field);
    free(p->detail);
    p->field = p->detail = NULL;
}

static int fail(struct kj_config_problem *p, char *field, char *detail)
{
    p->field = field;
    p->detail = detail;
    return -1;
}

/* Secret's stringData → data (base64), then drop stringData. */
static int merge_string_data(cJSON *obj, struct kj_config_problem *p)
{
    cJSON *sd = get(obj, "stringData");
    if (sd == NULL || cJSON_IsNull(sd)) {
        cJSON_DeleteItemFromObjectCaseSensitive(obj, "stringData");
        return 0;
    }
    if (!cJSON_IsObject(sd))
        return fail(p, xstrdup("stringData"), xstrdup("Invalid value: must be an object of strings"));
    cJSON *data = get(obj, "data");
    if (data == NULL || cJSON_IsNull(data)) {
        cJSON_DeleteItemFromObjectCaseSensitive(obj, "data");
        data = cJSON_AddObjectToObject(obj, "data");
    }
    if (!cJSON_IsObject(data))
        return fail(p, xstrdup("data"), xstrdup("Invalid value: must be an object of strings"));
    for (const cJSON *kv = sd->child; kv != NULL; kv = kv->next) {
        if (!cJSON_IsString(kv))
            return fail(p, xasprintf("stringData[%s]", kv->string), xstrdup("Invalid value: must be a string"));
        char *enc = kj_base64_encode((const unsigned char *)kv->valuestring, strlen(kv->valuestring));
        cJSON_DeleteItemFromObjectCaseSensitive(data, kv->string);
        cJSON_AddItemToObject(data, kv->string, cJSON_CreateString(enc));
        free(enc);
    }
    cJSON_DeleteItemFromObjectCaseSensitive(obj, "stringData");
    return 0;
}

/* Check one map; `b64` when its values are base64. Adds to *total. */
static int check_map(const cJSON *obj, const char *field, bool b64, const cJSON *other,
                     size_t *total, struct kj_config_problem *p)
{
    const cJSON *m = get(obj, field);
    if (m == NULL || cJSON_IsNull(m))
        return 0;
    if (!cJSON_IsObject(m))
        return fail(p, xstrdup(field), xstrdup("Invalid value: must be an object of strings"));
    for (const cJSON *kv = m->child; kv != NULL; kv = kv->next) {
        char *why = NULL;
        if (kj_config_key_check(kv->string, &why) != 0) {
            cleanup_free char *w = why;
            return fail(p, xasprintf("%s[%s]", field, kv->string),
                        xasprintf("Invalid value: \"%s\": %s", kv->string, w));
        }
        if (!cJSON_IsString(kv))
            return fail(p, xasprintf("%s[%s]", field, kv->string), xstrdup("Invalid value: must be a string"));
        if (other != NULL && get(other, kv->string) != NULL)
            return fail(p, xasprintf("%s[%s]", field, kv->string),
                        xasprintf("Invalid value: \"%s\": duplicate of key present in data", kv->string));
        if (b64) {
            size_t n = 0;
            unsigned char *raw = kj_base64_decode(kv->valuestring, &n);
            if (raw == NULL) /* the value itself is never echoed: it may be secret */
                return fail(p, xasprintf("%s[%s]", field, kv->string),
                            xstrdup("Invalid value: <redacted>: must be valid base64"));
            free(raw);
            *total += n;
        } else {
            *total += strlen(kv->valuestring);
        }
    }
    return 0;
}

int kj_config_object_check(cJSON *obj, bool secret, struct kj_config_problem *p)
{
    memset(p, 0, sizeof *p);
    const char *name = cJSON_GetStringValue(get(get(obj, "metadata"), "name"));
    if (name == NULL || name[0] == '\0')
        return fail(p, xstrdup("metadata.name"), xstrdup("Required value: name or generateName is required"));
    struct kj_strlist msgs = {0};
    if (kj_dns1123_subdomain_check(name, &msgs) > 0) {
        cleanup_free char *why = kj_strlist_join(&msgs, ", ");
        kj_strlist_clear(&msgs);
        return fail(p, xstrdup("metadata.name"), xasprintf("Invalid value: \"%s\": %s", name, why));
    }
    if (secret) {
        if (merge_string_data(obj, p) < 0)
            return -1;
        const cJSON *t = get(obj, "type");
        if (t == NULL || cJSON_IsNull(t) || (cJSON_IsString(t) && t->valuestring[0] == '\0')) {
            cJSON_DeleteItemFromObjectCaseSensitive(obj, "type");
            cJSON_AddStringToObject(obj, "type", "Opaque");
        } else if (!cJSON_IsString(t)) {
            return fail(p, xstrdup("type"), xstrdup("Invalid value: must be a string"));
        }
    }
    size_t total = 0;
    if (check_map(obj, "data", secret, NULL, &total, p) < 0)
        return -1;
    if (!secret && check_map(obj, "binaryData", true, get(obj, "data"), &total, p) < 0)
        return -1;
    if (total > KJ_CONFIG_MAX_BYTES)
        return fail(p, xstrdup(secret ? "data" : "[]"),
                    xasprintf("Too long: must have at most %zu bytes", KJ_CONFIG_MAX_BYTES));
    return 0;
}
