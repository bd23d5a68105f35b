/* Demultiplexer for `GET /containers/{id}/logs` bodies of non-TTY containers:
 * frames of an 8-byte header [stream, 0, 0, 0, size as big-endian u32] and
 * `size` payload bytes. Headers and payloads straddle write callbacks at
 * arbitrary points, so this is a byte-driven state machine. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "docker/docker-internal.h"

void kj_docker_frames_init(struct kj_docker_frames *f)
{
    memset(f, 0, sizeof(*f));
}

void kj_docker_frames_clear(struct kj_docker_frames *f)
{
    free(f->buf);
    memset(f, 0, sizeof(*f));
}

static int flush(struct kj_docker_frames *f, kj_docker_frame_sink sink, void *data)
{
    size_t len = f->len;
    f->len = 0;
    return sink(f->stream, f->buf, len, data) != 0 ? 1 : 0;
}

int kj_docker_frames_feed(struct kj_docker_frames *f, const char *p, size_t n,
                          kj_docker_frame_sink sink, void *data, kj_error_t *err)
{
    while (n > 0) {
        if (f->remaining == 0 && f->len == 0) {
            size_t take = sizeof(f->hdr) - f->hdr_len;
            if (take > n)
                take = n;
            memcpy(f->hdr + f->hdr_len, p, take);
            f->hdr_len += take;
            p += take;
            n -= take;
            if (f->hdr_len < sizeof(f->hdr))
                return 0;
            f->hdr_len = 0;
            if (f->hdr[0] > 2 || f->hdr[1] != 0 || f->hdr[2] != 0 || f->hdr[3] != 0)
                return kj_make_error(err, EPROTO,
                                     "malformed log frame header %02x %02x %02x %02x",
                                     f->hdr[0], f->hdr[1], f->hdr[2], f->hdr[3]);
            f->stream = f->hdr[0];
            f->remaining = (uint32_t)f->hdr[4] << 24 | (uint32_t)f->hdr[5] << 16 |
                           (uint32_t)f->hdr[6] << 8 | (uint32_t)f->hdr[7];
            /* An empty frame carries nothing worth a callback. */
            continue;
        }
        if (f->buf == NULL) {
            f->buf = malloc(KJ_DOCKER_FRAME_CHUNK_MAX);
            if (f->buf == NULL)
                return kj_make_error(err, ENOMEM, "log frame buffer");
        }
        size_t take = f->remaining;
        if (take > n)
            take = n;
        if (take > KJ_DOCKER_FRAME_CHUNK_MAX - f->len)
            take = KJ_DOCKER_FRAME_CHUNK_MAX - f->len;
        memcpy(f->buf + f->len, p, take);
        f->len += take;
        f->remaining -= (uint32_t)take;
        p += take;
        n -= take;
        if ((f->remaining == 0 || f->len == KJ_DOCKER_FRAME_CHUNK_MAX) && flush(f, sink, data))
            return 1;
    }
    return 0;
}

int kj_docker_frames_finish(const struct kj_docker_frames *f, kj_error_t *err)
{
    if (f->hdr_len != 0 || f->remaining != 0)
        return kj_make_error(err, EPROTO, "log stream ended inside a frame");
    return 0;
}
