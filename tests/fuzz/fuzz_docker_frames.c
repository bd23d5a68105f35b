/* Log-frame demultiplexer: any input, fed whole and in pieces sized by the
 * input itself, must give the same frames (or the same failure) and never
 * hand out more payload than it was given. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "docker/docker-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct out {
    char *buf;
    size_t len;
    uint64_t hash;
};

static int sink(int stream, const char *buf, size_t len, void *data)
{
    struct out *o = data;
    if (len > KJ_DOCKER_FRAME_CHUNK_MAX || stream < 0 || stream > 2)
        abort();
    for (size_t i = 0; i < len; i++)
        o->hash = (o->hash ^ (uint8_t)buf[i]) * 1099511628211ULL;
    o->hash = (o->hash ^ (uint64_t)stream) * 1099511628211ULL;
    o->len += len;
    return 0;
}

static int run(const uint8_t *data, size_t size, size_t step_seed, struct out *o)
{
    struct kj_docker_frames f;
    kj_docker_frames_init(&f);
    kj_error_t err = NULL;
    int rc = 0;
    size_t off = 0, step = step_seed;
    while (off < size && rc == 0) {
        size_t n = step_seed == 0 ? size : 1 + (step = step * 1103515245 + 12345) % 7;
        if (n > size - off)
            n = size - off;
        rc = kj_docker_frames_feed(&f, (const char *)data + off, n, sink, o, &err);
        off += n;
    }
    if (rc == 0)
        rc = kj_docker_frames_finish(&f, &err) < 0 ? -1 : 0;
    kj_error_release(&err);
    kj_docker_frames_clear(&f);
    return rc < 0 ? -1 : rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct out a = {0}, b = {0};
    int ra = run(data, size, 0, &a);
    int rb = run(data, size, size + 1, &b);
    if (a.len > size)
        abort();
    /* Frame boundaries may differ only for frames over the chunk size;
     * the bytes and the verdict may not. */
    if (ra != rb || a.len != b.len)
        abort();
    return 0;
}
