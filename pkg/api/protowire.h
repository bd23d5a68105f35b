/* A reader of the protobuf wire format and of the Kubernetes protobuf
 * envelope ("k8s\0" + runtime.Unknown), shared by the per-kind decoders
 * (configproto.c, jobproto.c). kubectl's typed clients send
 * `application/vnd.kubernetes.protobuf` and no protobuf library is part of
 * kjob's stack, so the few kinds kubectl creates this way are read by hand.
 *
 * Nothing here allocates except kj_pw_strdup; fields point into the
 * caller's buffer and live as long as it does.
 */
#ifndef KJ_API_PROTOWIRE_H
#define KJ_API_PROTOWIRE_H

#include <stdbool.h> /* bool */
#include <stddef.h>  /* size_t */
#include <stdint.h>  /* uint32_t, uint64_t */

/* Wire types (the low three bits of a field key). */
enum kj_pw_wire {
    KJ_PW_VARINT = 0,
    KJ_PW_I64 = 1,
    KJ_PW_LEN = 2,
    KJ_PW_I32 = 5,
};

/* A cursor over one message's bytes (not owned). */
struct kj_pw_reader {
    const unsigned char *p, *end;
};

/* One field: its number, wire type and either a varint (v) or a span of
 * the reader's buffer (data/len, for KJ_PW_LEN; data is never NULL then). */
struct kj_pw_field {
    uint32_t num;
    int wt;
    uint64_t v;
    const unsigned char *data;
    size_t len;
};

/* The parts of the envelope a decoder needs; spans into the body, each
 * with data NULL when the field was absent. */
struct kj_pw_envelope {
    struct kj_pw_field api_version, kind; /* runtime.TypeMeta */
    struct kj_pw_field raw;               /* the object's own message */
    struct kj_pw_field content_encoding;
};

/* A reader over `len` bytes at `p` (p may be NULL when len is 0). */
struct kj_pw_reader kj_pw_reader_of(const unsigned char *p, size_t len);

/* Read one base-128 varint; false when truncated or longer than 10 bytes. */
bool kj_pw_varint(struct kj_pw_reader *r, uint64_t *out);

/* The next field of the message under r, with fixed-width and
 * length-delimited values stepped over (so unknown fields skip by simply
 * not looking at them). Returns 1 with *f filled, 0 at the end of the
 * message, -1 when the bytes are malformed (truncated value, field number
 * 0, groups or a reserved wire type). */
int kj_pw_next(struct kj_pw_reader *r, struct kj_pw_field *f);

/* True when a length-delimited field holds exactly the string `s`. */
bool kj_pw_span_is(const struct kj_pw_field *f, const char *s);

/* True when the span is text kjob can carry in JSON: no NUL byte and
 * valid UTF-8. */
bool kj_pw_text_ok(const unsigned char *p, size_t len);

/* A NUL-terminated copy of a length-delimited field (caller owns), or
 * NULL when kj_pw_text_ok rejects it. */
char *kj_pw_strdup(const struct kj_pw_field *f);

/* Split a map entry message (key = 1, value = 2) into its two spans;
 * absent parts come back as empty spans, as proto3 defines. False when
 * the entry is malformed or either part is not length-delimited. */
bool kj_pw_map_entry(const struct kj_pw_field *entry, struct kj_pw_field *key, struct kj_pw_field *val);

/* True when `content_type` (may be NULL, may carry parameters) is
 * application/vnd.kubernetes.protobuf. */
bool kj_proto_content_type(const char *content_type);

/* Read the envelope of a protobuf body: the "k8s\0" magic, then a
 * runtime.Unknown with its TypeMeta. Returns 0, or -1 with a lowercase
 * reason in *why (static string). It does not check the kind: callers
 * compare env->api_version/kind with kj_pw_span_is. */
int kj_pw_envelope_read(const unsigned char *buf, size_t len, struct kj_pw_envelope *env, const char **why);

#endif
