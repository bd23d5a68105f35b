/* Docker runtime: what kjobd needs of the engine's host before pods run
 * there, the kjob network and the node's capacity. Both are asked for
 * again each time the events stream comes up, until they are known. */
#include "controller/runtime_docker_internal.h"

#include <unistd.h> /* sysconf */

#include "util/log.h"

static void network_created_cb(kj_error_t err, const char *id, void *data)
{
    struct rd_req *r = data;
    struct kj_runtime_docker *rd = r->rd;
    (void)id;
    rd_req_done(r);
    rd->network_busy = false;
    if (err == NULL || kj_error_http_status(err) == 409) {
        kj_log(KJ_LOG_INFO, "network `%s` ready", rd->network);
        rd->network_ok = true;
    } else {
        kj_log(KJ_LOG_WARN, "create network `%s`: %s", rd->network, err->msg);
    }
}

static void network_inspect_cb(kj_error_t err, const cJSON *json, void *data)
{
    struct rd_req *r = data;
    struct kj_runtime_docker *rd = r->rd;
    (void)json;
    rd_req_done(r);
    if (err == NULL) {
        rd->network_ok = true;
        rd->network_busy = false;
        return;
    }
    if (kj_error_http_status(err) != 404) {
        rd->network_busy = false;
        kj_log(KJ_LOG_WARN, "inspect network `%s`: %s", rd->network, err->msg);
        return;
    }
    static const struct kj_docker_kv labels[] = {{KJ_LABEL_MANAGED, "true"}};
    struct kj_network_spec spec = {.name = rd->network, .internal = rd->network_internal,
                                   .labels = labels, .n_labels = 1};
    kj_error_t cerr = NULL;
    struct rd_req *cr = rd_req_new(rd, NULL);
    cr->h = kj_docker_network_create(rd->d, &spec, network_created_cb, cr, &cerr);
    if (cr->h == NULL) {
        rd_req_done(cr);
        rd->network_busy = false;
        kj_error_log_release(&cerr, "create network");
    }
}

void rd_ensure_network(struct kj_runtime_docker *rd)
{
    if (rd->network_ok || rd->network_busy)
        return;
    kj_error_t err = NULL;
    struct rd_req *r = rd_req_new(rd, NULL);
    rd->network_busy = true;
    r->h = kj_docker_network_inspect(rd->d, rd->network, network_inspect_cb, r, &err);
    if (r->h == NULL) {
        rd_req_done(r);
        rd->network_busy = false;
        kj_error_log_release(&err, "inspect network");
    }
}

static void info_cb(kj_error_t err, const cJSON *json, void *data)
{
    struct rd_req *r = data;
    struct kj_runtime_docker *rd = r->rd;
    rd_req_done(r);
    const cJSON *ncpu = cJSON_GetObjectItemCaseSensitive(json, "NCPU");
    const cJSON *mem = cJSON_GetObjectItemCaseSensitive(json, "MemTotal");
    if (err != NULL || !cJSON_IsNumber(ncpu) || !cJSON_IsNumber(mem)) {
        rd->node_asked = false; /* asked again when the stream comes back */
        if (err != NULL)
            kj_log(KJ_LOG_WARN, "engine info: %s", err->msg);
        return;
    }
    rd->node.cpu_milli = (int64_t)ncpu->valuedouble * 1000;
    rd->node.memory = (int64_t)mem->valuedouble;
}

void rd_ensure_node_info(struct kj_runtime_docker *rd)
{
    if (rd->node_asked)
        return;
    kj_error_t err = NULL;
    struct rd_req *r = rd_req_new(rd, NULL);
    rd->node_asked = true;
    r->h = kj_docker_info(rd->d, info_cb, r, &err);
    if (r->h == NULL) {
        rd_req_done(r);
        rd->node_asked = false;
        kj_error_log_release(&err, "engine info");
    }
}

/* Until the engine answers GET /info: this host, right for a local one. */
void rd_node_from_this_host(struct kj_runtime_docker *rd)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN), pages = sysconf(_SC_PHYS_PAGES);
    long page = sysconf(_SC_PAGESIZE);
    rd->node.cpu_milli = ncpu > 0 ? (int64_t)ncpu * 1000 : 0;
    rd->node.memory = pages > 0 && page > 0 ? (int64_t)pages * page : 0;
}
