#include "kuard/server.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h> /* evkeyvalq */
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "kuard/golog.h"
#include "kuard/memq.h"
#include "kuard/probe.h"
#include "kuard/router.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

extern char **environ;

struct kj_kuard_server {
    struct evhttp *http;                 /* owned */
    struct evhttp_bound_socket *bound;   /* owned by http */
    struct kj_kuard_memq_broker *broker; /* owned */
    struct kj_kuard_probe liveness, readiness;
    int argc;
    char *const *argv;
    struct kj_kuard_keygen *kg;
    int port;
};

static const char *method_name(enum evhttp_cmd_type cmd)
{
    switch (cmd) {
    case EVHTTP_REQ_GET: return "GET";
    case EVHTTP_REQ_POST: return "POST";
    case EVHTTP_REQ_HEAD: return "HEAD";
    case EVHTTP_REQ_PUT: return "PUT";
    case EVHTTP_REQ_DELETE: return "DELETE";
    case EVHTTP_REQ_OPTIONS: return "OPTIONS";
    case EVHTTP_REQ_TRACE: return "TRACE";
    case EVHTTP_REQ_CONNECT: return "CONNECT";
    case EVHTTP_REQ_PATCH: return "PATCH";
    default: return "UNKNOWN";
    }
}

static unsigned method_bit(enum evhttp_cmd_type cmd)
{
    switch (cmd) {
    case EVHTTP_REQ_GET: return KJ_KUARD_M_GET;
    case EVHTTP_REQ_PUT: return KJ_KUARD_M_PUT;
    case EVHTTP_REQ_POST: return KJ_KUARD_M_POST;
    case EVHTTP_REQ_DELETE: return KJ_KUARD_M_DELETE;
    case EVHTTP_REQ_HEAD:
    case EVHTTP_REQ_OPTIONS:
    case EVHTTP_REQ_TRACE:
    case EVHTTP_REQ_CONNECT:
    case EVHTTP_REQ_PATCH:
    default: return 0;
    }
}

static const char *status_text(int code)
{
    switch (code) {
    case 200: return "OK";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 307: return "Temporary Redirect";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    default: return "Internal Server Error";
    }
}

static void send_body(struct evhttp_request *req, int code, const char *body, size_t len)
{
    struct evbuffer *buf = evbuffer_new();
    if (buf == NULL) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    if (len > 0)
        evbuffer_add(buf, body, len);
    evhttp_send_reply(req, code, status_text(code), buf);
    evbuffer_free(buf);
}

/* Go's http.Error: plain text, nosniff, message plus a newline. */
static void send_error(struct evhttp_request *req, int code, const char *msg)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Content-Type", "text/plain; charset=utf-8");
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    cleanup_free char *text = xasprintf("%s\n", msg);
    send_body(req, code, text, strlen(text));
}

static void send_kj_error(struct evhttp_request *req, kj_error_t *err)
{
    int code = kj_error_http_status(*err);
    send_error(req, code != 0 ? code : 500, (*err)->msg != NULL ? (*err)->msg : "internal error");
    kj_error_release(err);
}

/* kuard's apiutils.ServeJSON: no-cache headers, compact JSON, newline. Go's
 * encoder escapes <, > and & (and U+2028/9), which cJSON does not; in JSON
 * text those bytes can only be inside strings, so rewriting them is safe. */
static void send_json_text(struct evhttp_request *req, int code, const char *json)
{
    if (json == NULL) {
        send_error(req, 500, "out of memory");
        return;
    }
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Content-Type", "application/json");
    evhttp_add_header(h, "Cache-Control", "no-cache, private, max-age=0");
    evhttp_add_header(h, "Pragma", "no-cache");
    evhttp_add_header(h, "Expires", "Thu, 01 Jan 1970 00:00:00 UTC");
    struct evbuffer *buf = evbuffer_new();
    if (buf == NULL) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    for (const char *p = json; *p != '\0'; p++) {
        if (*p == '<')
            evbuffer_add(buf, "\\u003c", 6);
        else if (*p == '>')
            evbuffer_add(buf, "\\u003e", 6);
        else if (*p == '&')
            evbuffer_add(buf, "\\u0026", 6);
        else if ((unsigned char)p[0] == 0xE2 && (unsigned char)p[1] == 0x80 &&
                 ((unsigned char)p[2] == 0xA8 || (unsigned char)p[2] == 0xA9)) {
            evbuffer_add(buf, (unsigned char)p[2] == 0xA8 ? "\\u2028" : "\\u2029", 6);
            p += 2;
        } else
            evbuffer_add(buf, p, 1);
    }
    evbuffer_add(buf, "\n", 1);
    evhttp_send_reply(req, code, status_text(code), buf);
    evbuffer_free(buf);
}

static void send_json(struct evhttp_request *req, cJSON *obj)
{
    cleanup_free char *text = obj != NULL ? cJSON_PrintUnformatted(obj) : NULL;
    cJSON_Delete(obj);
    send_json_text(req, 200, text);
}

/* The request body, NUL-terminated; *len excludes the NUL. Owned. */
static char *request_body(struct evhttp_request *req, size_t *len)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    *len = evbuffer_get_length(in);
    char *body = malloc(*len + 1);
    if (body == NULL)
        return NULL;
    evbuffer_copyout(in, body, *len);
    body[*len] = '\0';
    return body;
}

static void handle_probe(struct evhttp_request *req, struct kj_kuard_probe *p)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    char msg[64];
    int code = kj_kuard_probe_call(p, now, msg, sizeof(msg));
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/plain");
    send_body(req, code, msg, strlen(msg));
}

static void handle_probe_api(struct evhttp_request *req, struct kj_kuard_probe *p, bool put)
{
    if (put) {
        size_t len;
        cleanup_free char *body = request_body(req, &len);
        kj_error_t err = NULL;
        if (body == NULL) {
            send_error(req, 500, "out of memory");
            return;
        }
        if (kj_kuard_probe_put(p, body, len, &err) < 0) {
            send_kj_error(req, &err);
            return;
        }
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    send_json(req, kj_kuard_probe_status_json(p, now));
}

static int env_compare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void handle_env(struct kj_kuard_server *s, struct evhttp_request *req)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *cmd = cJSON_AddArrayToObject(root, "commandLine");
    cJSON *env = cJSON_AddObjectToObject(root, "env");
    if (cmd == NULL || env == NULL) {
        cJSON_Delete(root);
        send_error(req, 500, "out of memory");
        return;
    }
    for (int i = 0; i < s->argc; i++)
        cJSON_AddItemToArray(cmd, cJSON_CreateString(s->argv[i]));
    size_t n = 0;
    while (environ[n] != NULL)
        n++;
    /* Go marshals a map with its keys sorted; "K=V" order is close enough
     * except for keys that are prefixes of others, so sort by key. */
    char **keys = xcalloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(environ[i], '=');
        keys[i] = eq != NULL ? xstrndup(environ[i], (size_t)(eq - environ[i])) : xstrdup(environ[i]);
    }
    qsort(keys, n, sizeof(char *), env_compare);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && strcmp(keys[i], keys[i - 1]) == 0)
            continue;
        const char *v = getenv(keys[i]);
        cJSON_AddStringToObject(env, keys[i], v != NULL ? v : "");
    }
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
    send_json(req, root);
}

static void handle_keygen(struct kj_kuard_server *s, struct evhttp_request *req, bool put)
{
    if (put) {
        size_t len;
        cleanup_free char *body = request_body(req, &len);
        if (body == NULL) {
            send_error(req, 500, "out of memory");
            return;
        }
        struct kj_kuard_keygen_config c;
        kj_error_t err = NULL;
        if (kj_kuard_keygen_config_parse(body, len, &c, &err) < 0) {
            send_kj_error(req, &err);
            return;
        }
        kj_kuard_keygen_load_config(s->kg, &c);
        kj_kuard_keygen_config_free(&c);
    }
    send_json(req, kj_kuard_keygen_status_json(s->kg));
}

static void handle_memq(struct kj_kuard_server *s, struct evhttp_request *req,
                        const struct kj_kuard_route_match *m, enum evhttp_cmd_type cmd)
{
    kj_error_t err = NULL;
    switch (m->route) {
    case KJ_KUARD_R_MEMQ_STATS: {
        cleanup_free char *json = kj_kuard_memq_stats_json(s->broker);
        send_json_text(req, 200, json);
        return;
    }
    case KJ_KUARD_R_MEMQ_QUEUE: {
        int rc = cmd == EVHTTP_REQ_PUT ? kj_kuard_memq_create(s->broker, m->queue, &err)
                                       : kj_kuard_memq_delete(s->broker, m->queue, &err);
        if (rc < 0)
            send_kj_error(req, &err);
        else
            send_body(req, 200, NULL, 0);
        return;
    }
    case KJ_KUARD_R_MEMQ_DRAIN:
        if (kj_kuard_memq_drain(s->broker, m->queue, &err) < 0)
            send_kj_error(req, &err);
        else
            send_body(req, 200, NULL, 0);
        return;
    case KJ_KUARD_R_MEMQ_ENQUEUE: {
        size_t len;
        cleanup_free char *body = request_body(req, &len);
        char id[KJ_KUARD_MEMQ_ID_SIZE];
        if (body == NULL) {
            send_error(req, 500, "out of memory");
            return;
        }
        if (kj_kuard_memq_new_id(id, &err) < 0) {
            send_kj_error(req, &err);
            return;
        }
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        const struct kj_kuard_memq_message *msg = NULL;
        if (kj_kuard_memq_enqueue(s->broker, m->queue, body, len, id, now, &msg, &err) < 0) {
            send_kj_error(req, &err);
            return;
        }
        cleanup_free char *json = kj_kuard_memq_message_json(msg);
        send_json_text(req, 200, json);
        return;
    }
    case KJ_KUARD_R_MEMQ_DEQUEUE: {
        struct kj_kuard_memq_message *msg = NULL;
        int rc = kj_kuard_memq_dequeue(s->broker, m->queue, &msg, &err);
        if (rc < 0) {
            send_kj_error(req, &err);
        } else if (rc == 1) {
            evhttp_send_reply(req, 204, "No Content", NULL);
        } else {
            cleanup_free char *json = kj_kuard_memq_message_json(msg);
            kj_kuard_memq_message_free(msg);
            send_json_text(req, 200, json);
        }
        return;
    }
    case KJ_KUARD_R_NONE:
    case KJ_KUARD_R_HEALTHY:
    case KJ_KUARD_R_HEALTHY_API:
    case KJ_KUARD_R_READY:
    case KJ_KUARD_R_READY_API:
    case KJ_KUARD_R_ENV_API:
    case KJ_KUARD_R_KEYGEN:
    default:
        send_error(req, 404, "404 page not found");
        return;
    }
}

static void dispatch(struct kj_kuard_server *s, struct evhttp_request *req,
                     const struct kj_kuard_route_match *m, enum evhttp_cmd_type cmd)
{
    bool put = cmd == EVHTTP_REQ_PUT;
    switch (m->route) {
    case KJ_KUARD_R_HEALTHY: handle_probe(req, &s->liveness); return;
    case KJ_KUARD_R_READY: handle_probe(req, &s->readiness); return;
    case KJ_KUARD_R_HEALTHY_API: handle_probe_api(req, &s->liveness, put); return;
    case KJ_KUARD_R_READY_API: handle_probe_api(req, &s->readiness, put); return;
    case KJ_KUARD_R_ENV_API: handle_env(s, req); return;
    case KJ_KUARD_R_KEYGEN: handle_keygen(s, req, put); return;
    case KJ_KUARD_R_NONE:
    case KJ_KUARD_R_MEMQ_STATS:
    case KJ_KUARD_R_MEMQ_QUEUE:
    case KJ_KUARD_R_MEMQ_DRAIN:
    case KJ_KUARD_R_MEMQ_ENQUEUE:
    case KJ_KUARD_R_MEMQ_DEQUEUE:
    default: handle_memq(s, req, m, cmd); return;
    }
}

static void log_request(struct evhttp_request *req)
{
    struct evhttp_connection *conn = evhttp_request_get_connection(req);
    char *host = NULL;
    ev_uint16_t port = 0;
    if (conn != NULL)
        evhttp_connection_get_peer(conn, &host, &port);
    const char *h = host != NULL ? host : "";
    bool v6 = strchr(h, ':') != NULL;
    kj_kuard_log("%s%s%s:%u %s %s", v6 ? "[" : "", h, v6 ? "]" : "", (unsigned)port,
                 method_name(evhttp_request_get_command(req)), evhttp_request_get_uri(req));
}

/* httprouter's redirect: the fixed path plus the original query. */
static void send_redirect(struct evhttp_request *req, const char *path, enum evhttp_cmd_type cmd)
{
    const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
    cleanup_free char *loc = query != NULL ? xasprintf("%s?%s", path, query) : xstrdup(path);
    int code = cmd == EVHTTP_REQ_GET ? 301 : 307;
    evhttp_add_header(evhttp_request_get_output_headers(req), "Location", loc);
    send_body(req, code, NULL, 0);
}

static void request_cb(struct evhttp_request *req, void *arg)
{
    struct kj_kuard_server *s = arg;
    log_request(req);
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    const char *raw = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
    cleanup_free char *path = evhttp_uridecode(raw != NULL && raw[0] != '\0' ? raw : "/", 0, NULL);
    if (path == NULL) {
        send_error(req, 500, "out of memory");
        return;
    }
    struct kj_kuard_route_match m;
    bool found = kj_kuard_route_lookup(path, &m) == 0;
    cleanup_free char *queue = m.queue;
    unsigned bit = method_bit(cmd);
    if (found && (m.methods & bit)) {
        dispatch(s, req, &m, cmd);
        return;
    }
    if (cmd != EVHTTP_REQ_CONNECT && strcmp(path, "/") != 0) {
        cleanup_free char *fixed = kj_kuard_route_fixed_path(path);
        struct kj_kuard_route_match fm;
        if (fixed != NULL && kj_kuard_route_lookup(fixed, &fm) == 0) {
            free(fm.queue);
            if (fm.methods & bit) {
                send_redirect(req, fixed, cmd);
                return;
            }
        }
    }
    if (found) {
        char allow[64];
        kj_kuard_route_allow(m.methods, bit, allow, sizeof(allow));
        evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", allow);
        if (cmd == EVHTTP_REQ_OPTIONS)
            send_body(req, 200, NULL, 0);
        else
            send_error(req, 405, "Method Not Allowed");
        return;
    }
    send_error(req, 404, "404 page not found");
}

int kj_kuard_split_address(const char *address, char **host, int *port, kj_error_t *err)
{
    *host = NULL;
    const char *colon = strrchr(address, ':');
    if (colon == NULL)
        return kj_make_error(err, 0, "listen tcp %s: address %s: missing port in address", address, address);
    const char *h = address;
    size_t hlen = (size_t)(colon - address);
    if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
        h++;
        hlen -= 2;
    } else if (memchr(h, ':', hlen) != NULL) {
        return kj_make_error(err, 0, "listen tcp %s: address %s: too many colons in address", address, address);
    }
    char *end = NULL;
    errno = 0;
    long p = strtol(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end != '\0' || errno != 0 || p < 0 || p > 65535)
        return kj_make_error(err, 0, "listen tcp %s: address %s: invalid port", address, colon + 1);
    *port = (int)p;
    if (hlen > 0)
        *host = xstrndup(h, hlen);
    return 0;
}

struct kj_kuard_server *kj_kuard_server_new(struct event_base *base,
                                            const struct kj_kuard_server_opts *opts, kj_error_t *err)
{
    cleanup_free char *host = NULL;
    int port = 0;
    if (kj_kuard_split_address(opts->address, &host, &port, err) < 0)
        return NULL;
    struct kj_kuard_server *s = xcalloc(1, sizeof(*s));
    s->argc = opts->argc;
    s->argv = opts->argv;
    s->kg = opts->kg;
    kj_kuard_probe_init(&s->liveness, opts->liveness_fail_next);
    kj_kuard_probe_init(&s->readiness, opts->readiness_fail_next);
    s->broker = kj_kuard_memq_broker_new();
    s->http = evhttp_new(base);
    if (s->broker == NULL || s->http == NULL) {
        kj_kuard_server_free(s);
        return kj_make_error(err, ENOMEM, "create http server"), NULL;
    }
    evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
                                            EVHTTP_REQ_PATCH);
    /* Go sends no Content-Type on empty replies; evhttp would add text/html. */
    evhttp_set_default_content_type(s->http, NULL);
    evhttp_set_gencb(s->http, request_cb, s);
    s->bound = evhttp_bind_socket_with_handle(s->http, host != NULL ? host : "0.0.0.0", (ev_uint16_t)port);
    if (s->bound == NULL) {
        int e = errno;
        kj_kuard_server_free(s);
        return kj_make_error(err, e, "listen tcp %s", opts->address), NULL;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    if (getsockname(evhttp_bound_socket_get_fd(s->bound), (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET)
            s->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        else if (ss.ss_family == AF_INET6)
            s->port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    }
    return s;
}

int kj_kuard_server_port(const struct kj_kuard_server *s)
{
    return s->port;
}

void kj_kuard_server_free(struct kj_kuard_server *s)
{
    if (s == NULL)
        return;
    if (s->http != NULL)
        evhttp_free(s->http);
    kj_kuard_memq_broker_free(s->broker);
    free(s);
}
