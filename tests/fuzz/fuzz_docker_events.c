/* Events / pull-progress path: ndjson splitting (whole vs piecewise must
 * agree), then every line through the event decoder and the pull-line check;
 * the whole input also goes through the inspect, list and error decoders. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "docker/docker-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct acc {
    uint64_t hash;
    size_t lines;
};

static int line_sink(const char *line, size_t len, void *data)
{
    struct acc *a = data;
    if (line[len] != '\0')
        abort(); /* the splitter promises a terminated line (NULs may be inside) */
    for (size_t i = 0; i < len; i++)
        a->hash = (a->hash ^ (uint8_t)line[i]) * 1099511628211ULL;
    a->lines++;
    cJSON *j = cJSON_ParseWithLength(line, len);
    struct kj_docker_event ev;
    kj_error_t err = NULL;
    if (kj_docker_event_decode(j, &ev, &err) == 0) {
        if (ev.type == NULL || ev.action == NULL || ev.id == NULL || ev.scope == NULL)
            abort();
        (void)strlen(ev.type);
    }
    kj_error_release(&err);
    kj_docker_pull_line_check(j, &err);
    kj_error_release(&err);
    cJSON_Delete(j);
    return 0;
}

static int split(const uint8_t *data, size_t size, size_t seed, struct acc *a)
{
    struct kj_docker_ndjson nd;
    kj_docker_ndjson_init(&nd);
    kj_error_t err = NULL;
    int rc = 0;
    size_t off = 0, step = seed;
    while (off < size && rc == 0) {
        size_t n = seed == 0 ? size : 1 + (step = step * 1103515245 + 12345) % 11;
        if (n > size - off)
            n = size - off;
        rc = kj_docker_ndjson_feed(&nd, (const char *)data + off, n, line_sink, a, &err);
        off += n;
    }
    if (rc == 0)
        rc = kj_docker_ndjson_finish(&nd, line_sink, a, &err);
    kj_error_release(&err);
    kj_docker_ndjson_clear(&nd);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct acc a = {0}, b = {0};
    int ra = split(data, size, 0, &a);
    int rb = split(data, size, size + 3, &b);
    if (ra != rb || a.hash != b.hash || a.lines != b.lines)
        abort();

    cJSON *j = cJSON_ParseWithLength((const char *)data, size);
    struct kj_container_state st;
    struct kj_container_net *nets = NULL;
    kj_error_t err = NULL;
    if (kj_docker_state_decode(j, &st, &nets, &err) == 0) {
        for (size_t i = 0; i < st.n_networks; i++)
            (void)strlen(st.networks[i].name);
        (void)strlen(st.status);
    }
    free(nets);
    kj_error_release(&err);
    struct kj_container_summary *items = NULL;
    size_t n = 0;
    kj_docker_summaries_decode(j, &items, &n, &err);
    for (size_t i = 0; i < n; i++)
        (void)strlen(items[i].name);
    free(items);
    kj_error_release(&err);
    cJSON_Delete(j);
    kj_docker_error_decode(400, (const char *)data, size, &err);
    kj_error_release(&err);
    char *s = malloc(size + 1);
    if (s != NULL) {
        memcpy(s, data, size);
        s[size] = '\0';
        (void)kj_docker_time_parse(s);
        free(s);
    }
    return 0;
}
