/* Protobuf wire format and the Kubernetes envelope; see protowire.h. */
#include "api/protowire.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h> /* strncasecmp */

#include "util/xalloc.h"

struct kj_pw_reader kj_pw_reader_of(const unsigned char *p, size_t len)
{
    struct kj_pw_reader r = {p, p != NULL ? p + len : NULL};
    return r;
}

bool kj_pw_varint(struct kj_pw_reader *r, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (r->p >= r->end)
            return false;
        unsigned char b = *r->p++;
        v |= (uint64_t)(b & 0x7f) << (shift < 64 ? shift : 63);
        if ((b & 0x80) == 0) {
            *out = v;
            return true;
        }
    }
    return false;
}

int kj_pw_next(struct kj_pw_reader *r, struct kj_pw_field *f)
{
    if (r->p == r->end)
        return 0;
    uint64_t key;
    if (!kj_pw_varint(r, &key) || (key >> 3) == 0 || (key >> 3) > UINT32_MAX)
        return -1;
    f->num = (uint32_t)(key >> 3);
    f->wt = (int)(key & 7);
    f->v = 0;
    f->data = NULL;
    f->len = 0;
    switch (f->wt) {
    case KJ_PW_VARINT:
        return kj_pw_varint(r, &f->v) ? 1 : -1;
    case KJ_PW_I64:
    case KJ_PW_I32: {
        size_t n = f->wt == KJ_PW_I64 ? 8 : 4;
        if ((size_t)(r->end - r->p) < n)
            return -1;
        r->p += n;
        return 1;
    }
    case KJ_PW_LEN: {
        uint64_t n;
        if (!kj_pw_varint(r, &n) || n > (uint64_t)(r->end - r->p))
            return -1;
        f->data = r->p;
        f->len = (size_t)n;
        r->p += n;
        return 1;
    }
    default: /* groups (3, 4) are gone from proto3; 6 and 7 never existed */
        return -1;
    }
}

bool kj_pw_span_is(const struct kj_pw_field *f, const char *s)
{
    return f->data != NULL && f->len == strlen(s) && memcmp(f->data, s, f->len) == 0;
}

bool kj_pw_text_ok(const unsigned char *p, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        if (c == 0)
            return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp;
        if ((c & 0xe0) == 0xc0) {
            n = 1;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (len - i - 1 < n)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        /* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
        static const uint32_t min_cp[] = {0, 0x80, 0x800, 0x10000};
        if (cp < min_cp[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n + 1;
    }
    return true;
}

char *kj_pw_strdup(const struct kj_pw_field *f)
{
    if (f->len > 0 && !kj_pw_text_ok(f->data, f->len))
        return NULL;
    char *s = xmalloc(f->len + 1);
    if (f->len > 0)
        memcpy(s, f->data, f->len);
    s[f->len] = '\0';
    return s;
}

bool kj_pw_map_entry(const struct kj_pw_field *entry, struct kj_pw_field *key, struct kj_pw_field *val)
{
    static const unsigned char empty[1];
    struct kj_pw_reader r = kj_pw_reader_of(entry->data, entry->len);
    struct kj_pw_field f;
    int rc;
    *key = (struct kj_pw_field){.num = 1, .wt = KJ_PW_LEN, .data = empty};
    *val = (struct kj_pw_field){.num = 2, .wt = KJ_PW_LEN, .data = empty};
    while ((rc = kj_pw_next(&r, &f)) == 1) {
        if (f.num != 1 && f.num != 2)
            continue;
        if (f.wt != KJ_PW_LEN)
            return false;
        *(f.num == 1 ? key : val) = f;
    }
    return rc == 0;
}

bool kj_proto_content_type(const char *ct)
{
    static const char pb[] = "application/vnd.kubernetes.protobuf";
    return ct != NULL && strncasecmp(ct, pb, sizeof pb - 1) == 0 &&
           (ct[sizeof pb - 1] == '\0' || ct[sizeof pb - 1] == ';' || ct[sizeof pb - 1] == ' ');
}

int kj_pw_envelope_read(const unsigned char *buf, size_t len, struct kj_pw_envelope *env, const char **why)
{
    memset(env, 0, sizeof *env);
    if (len < 4 || memcmp(buf, "k8s\0", 4) != 0) {
        *why = "the protobuf body does not start with the kubernetes magic number";
        return -1;
    }
    struct kj_pw_reader r = kj_pw_reader_of(buf + 4, len - 4);
    struct kj_pw_field f, type_meta = {0};
    int rc;
    while ((rc = kj_pw_next(&r, &f)) == 1) {
        if (f.num >= 1 && f.num <= 4 && f.wt != KJ_PW_LEN)
            rc = -1;
        else if (f.num == 1)
            type_meta = f;
        else if (f.num == 2)
            env->raw = f;
        else if (f.num == 3)
            env->content_encoding = f;
        if (rc < 0)
            break;
    }
    if (rc == 0 && type_meta.data != NULL) {
        struct kj_pw_reader tr = kj_pw_reader_of(type_meta.data, type_meta.len);
        while ((rc = kj_pw_next(&tr, &f)) == 1) {
            if (f.num == 1 && f.wt == KJ_PW_LEN)
                env->api_version = f;
            else if (f.num == 2 && f.wt == KJ_PW_LEN)
                env->kind = f;
        }
    }
    if (rc < 0) {
        *why = "the protobuf body is malformed";
        return -1;
    }
    return 0;
}
