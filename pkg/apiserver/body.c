/* Body type detection and decoding; see body.h. */
#include "apiserver/body.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "api/yaml.h" /* kj_yaml_decode, kj_json_decode */
#include "util/cleanup.h"

static bool has_suffix(const char *s, size_t len, const char *suffix)
{
    size_t sl = strlen(suffix);
    return len >= sl && strncasecmp(s + len - sl, suffix, sl) == 0;
}

static bool is(const char *s, size_t len, const char *word)
{
    return strlen(word) == len && strncasecmp(s, word, len) == 0;
}

static enum kj_body_type sniff(const char *body, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)body[i];
        if (isspace(c))
            continue;
        /* A UTF-8 byte-order mark is not content. */
        if (c == 0xEF && i + 2 < len && (unsigned char)body[i + 1] == 0xBB &&
            (unsigned char)body[i + 2] == 0xBF) {
            i += 2;
            continue;
        }
        return (c == '{' || c == '[') ? KJ_BODY_JSON : KJ_BODY_YAML;
    }
    return KJ_BODY_JSON;
}

enum kj_body_type kj_body_type_detect(const char *content_type, const char *body, size_t len)
{
    if (content_type == NULL)
        return sniff(body, len);
    const char *p = content_type;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t tl = strcspn(p, ";");
    while (tl > 0 && (p[tl - 1] == ' ' || p[tl - 1] == '\t'))
        tl--;
    if (tl == 0 || is(p, tl, "*/*") || is(p, tl, "text/plain") ||
        is(p, tl, "application/x-www-form-urlencoded") || is(p, tl, "application/octet-stream"))
        return sniff(body, len);
    if (is(p, tl, "application/json") || has_suffix(p, tl, "+json"))
        return KJ_BODY_JSON;
    if (is(p, tl, "application/yaml") || is(p, tl, "application/x-yaml") ||
        is(p, tl, "text/yaml") || is(p, tl, "text/x-yaml") || has_suffix(p, tl, "+yaml"))
        return KJ_BODY_YAML;
    return KJ_BODY_UNSUPPORTED;
}

int kj_body_decode_object(enum kj_body_type type, const char *body, size_t len, cJSON **out,
                          kj_error_t *err)
{
    *out = NULL;
    if (len > KJ_APISERVER_MAX_BODY)
        return kj_make_http_error(err, 413, "Request entity too large: limit is %d",
                                  KJ_APISERVER_MAX_BODY);
    if (type == KJ_BODY_UNSUPPORTED)
        return kj_make_http_error(err, 415, "the body of the request was in an unknown format - "
                                            "accepted media types include: application/json, "
                                            "application/yaml");
    cleanup_cjson cJSON *doc = NULL;
    if (type == KJ_BODY_JSON) {
        if (kj_json_decode(body, len, &doc, err) < 0)
            return -1;
    } else {
        cleanup_cjson cJSON *docs = NULL;
        if (kj_yaml_decode(body, len, &docs, err) < 0)
            return -1;
        int n = cJSON_GetArraySize(docs);
        if (n == 0)
            return kj_make_http_error(err, 400, "the request body is empty");
        if (n > 1)
            return kj_make_http_error(err, 400, "the request body holds %d YAML documents; send one object per request", n);
        doc = cJSON_DetachItemFromArray(docs, 0);
    }
    if (!cJSON_IsObject(doc))
        return kj_make_http_error(err, 400, "the request body must be a JSON or YAML object");
    *out = steal_pointer(&doc);
    return 0;
}
