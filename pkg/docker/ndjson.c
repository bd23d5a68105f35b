/* Newline-delimited JSON splitter for /events and pull progress: complete
 * lines go to the sink, the incomplete tail waits for the next chunk. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "docker/docker-internal.h"

void kj_docker_ndjson_init(struct kj_docker_ndjson *nd)
{
    memset(nd, 0, sizeof(*nd));
}

void kj_docker_ndjson_clear(struct kj_docker_ndjson *nd)
{
    free(nd->buf);
    memset(nd, 0, sizeof(*nd));
}

static int append(struct kj_docker_ndjson *nd, const char *p, size_t n, kj_error_t *err)
{
    if (nd->len + n + 1 > KJ_DOCKER_NDJSON_LINE_MAX + 1)
        return kj_make_error(err, EMSGSIZE, "json line longer than %d bytes",
                             KJ_DOCKER_NDJSON_LINE_MAX);
    if (nd->len + n + 1 > nd->cap) {
        size_t cap = nd->cap ? nd->cap : 1024;
        while (cap < nd->len + n + 1)
            cap *= 2;
        char *b = realloc(nd->buf, cap);
        if (b == NULL)
            return kj_make_error(err, ENOMEM, "json line buffer");
        nd->buf = b;
        nd->cap = cap;
    }
    memcpy(nd->buf + nd->len, p, n);
    nd->len += n;
    nd->buf[nd->len] = '\0';
    return 0;
}

/* Emit buf[0..len) as one line; the caller made sure it is NUL-terminated
 * at len or is about to be. */
static int emit(char *line, size_t len, kj_docker_line_sink sink, void *data)
{
    if (len > 0 && line[len - 1] == '\r')
        len--;
    char saved = line[len];
    line[len] = '\0';
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    int stop = i < len ? sink(line, len, data) : 0;
    line[len] = saved;
    return stop != 0 ? 1 : 0;
}

int kj_docker_ndjson_feed(struct kj_docker_ndjson *nd, const char *p, size_t n,
                          kj_docker_line_sink sink, void *data, kj_error_t *err)
{
    while (n > 0) {
        const char *nl = memchr(p, '\n', n);
        if (nl == NULL)
            return append(nd, p, n, err);
        size_t part = (size_t)(nl - p);
        if (append(nd, p, part, err) < 0)
            return -1;
        p = nl + 1;
        n -= part + 1;
        size_t len = nd->len;
        nd->len = 0;
        if (len > 0 && emit(nd->buf, len, sink, data))
            return 1;
    }
    return 0;
}

int kj_docker_ndjson_finish(struct kj_docker_ndjson *nd, kj_docker_line_sink sink, void *data,
                            kj_error_t *err)
{
    (void)err;
    size_t len = nd->len;
    nd->len = 0;
    if (len == 0)
        return 0;
    return emit(nd->buf, len, sink, data);
}
