/* evhttp glue: listeners, the dispatcher and response rendering; see server.h. */
#include "apiserver/server.h"

#include <arpa/inet.h> /* ntohs */
#include <errno.h>
#include <netinet/in.h> /* sockaddr_in */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <openssl/ssl.h>

#include "apiserver/collection.h"
#include "apiserver/conns.h"
#include "apiserver/request.h"
#include "apiserver/secure.h"
#include "apiserver/status.h"
#include "controller/ledger.h" /* KJ_LEDGER_KEY */
#include "kubeapi/table.h" /* kj_table_wanted */
#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

/* evhttp's own limit, above KJ_APISERVER_MAX_BODY so that bodies between
 * the two get a proper 413 Status from us rather than evhttp's HTML page. */
#define EVHTTP_MAX_BODY (8 * 1024 * 1024)
/* Request line + headers: kube-apiserver allows 1 MiB; kubectl sends < 4 KiB. */
#define MAX_HEADERS_SIZE (64 * 1024)
/* Seconds a connection may take to send a request (and an idle keep-alive
 * connection may stay): slow clients are cut off, never waited for. This
 * also bounds connections that never send a request, which the connection
 * cap (conns.h) cannot see. */
#define REQUEST_TIMEOUT_S 60
#define MAX_TABLES 16
#define MAX_LISTENERS 8

struct route_table {
    const struct kj_route *routes;
    size_t n;
};

struct kj_apiserver {
    struct event_base *base;
    struct evhttp *http;   /* loopback TCP and unix sockets: no authentication */
    struct evhttp *remote; /* other addresses: TLS and/or bearer tokens; lazily created */
    SSL_CTX *tls;          /* NULL = remote listeners speak plain HTTP (--insecure-listen) */
    struct kj_tokens tokens; /* n == 0: no authentication on remote listeners */
    struct kj_apiserver_deps deps;
    struct route_table tables[MAX_TABLES];
    size_t n_tables;
    struct evhttp_bound_socket *bound[MAX_LISTENERS];
    bool bound_remote[MAX_LISTENERS]; /* bound[i] belongs to `remote` */
    size_t n_bound;
    char *unix_paths[MAX_LISTENERS]; /* owned */
    struct kj_conns *conns;          /* owned: open connections of both evhttps */
    size_t n_unix;
    int port;
};

void kj_apiserver_strip_private(cJSON *obj)
{
    if (cJSON_IsObject(obj))
        cJSON_DeleteItemFromObjectCaseSensitive(obj, KJ_LEDGER_KEY);
}

const struct kj_apiserver_deps *kj_apiserver_deps(const struct kj_apiserver *srv)
{
    return &srv->deps;
}

void kj_apiserver_add_routes(struct kj_apiserver *srv, const struct kj_route *routes, size_t n)
{
    kj_assert(srv->n_tables < MAX_TABLES);
    srv->tables[srv->n_tables].routes = routes;
    srv->tables[srv->n_tables].n = n;
    srv->n_tables++;
}

static const char *method_name(enum evhttp_cmd_type t)
{
    switch (t) {
    case EVHTTP_REQ_GET: return "GET";
    case EVHTTP_REQ_POST: return "POST";
    case EVHTTP_REQ_HEAD: return "HEAD";
    case EVHTTP_REQ_PUT: return "PUT";
    case EVHTTP_REQ_DELETE: return "DELETE";
    case EVHTTP_REQ_OPTIONS: return "OPTIONS";
    case EVHTTP_REQ_TRACE: return "TRACE";
    case EVHTTP_REQ_CONNECT: return "CONNECT";
    case EVHTTP_REQ_PATCH: return "PATCH";
    default: break;
    }
    return "UNKNOWN";
}

/* `299 - "<text>"` with the text quoted as RFC 7230 quoted-string (what
 * kube-apiserver sends and client-go parses): '"' and '\\' escaped, control
 * characters dropped. Owned by the caller. */
static char *warning_header(const char *text)
{
    size_t n = strlen(text);
    char *w = xmalloc(2 * n + 10);
    char *p = w;
    memcpy(p, "299 - \"", 7);
    p += 7;
    for (const char *c = text; *c != '\0'; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            continue;
        if (*c == '"' || *c == '\\')
            *p++ = '\\';
        *p++ = *c;
    }
    *p++ = '"';
    *p = '\0';
    return w;
}

static void send_resp(struct evhttp_request *ev, struct kj_http_resp *resp, bool head)
{
    struct evkeyvalq *out = evhttp_request_get_output_headers(ev);
    struct evbuffer *buf = evbuffer_new();
    int code = resp->code ? resp->code : 200;
    kj_assert(buf != NULL);
    for (size_t i = 0; i < resp->warnings.len; i++) {
        cleanup_free char *w = warning_header(resp->warnings.items[i]);
        evhttp_add_header(out, "Warning", w);
    }
    if (resp->body != NULL) {
        cleanup_free char *txt = cJSON_PrintUnformatted(resp->body);
        kj_assert(txt != NULL);
        evhttp_add_header(out, "Content-Type", resp->content_type ? resp->content_type : "application/json");
        if (!head)
            evbuffer_add(buf, txt, strlen(txt));
        if (!head)
            evbuffer_add(buf, "\n", 1);
    } else if (resp->text != NULL) {
        evhttp_add_header(out, "Content-Type", "text/plain; charset=utf-8");
        if (!head)
            evbuffer_add(buf, resp->text, strlen(resp->text));
    }
    evhttp_add_header(out, "Cache-Control", "no-cache, private");
    evhttp_send_reply(ev, code, NULL, buf);
    evbuffer_free(buf);
}

/* Find the route across tables, newest table first. */
const struct kj_route *kj_apiserver_find_route(struct kj_apiserver *srv, const char *method,
                                               const char *path, struct kj_route_params *params,
                                               int *code)
{
    *code = 404;
    for (size_t t = srv->n_tables; t-- > 0;) {
        int i = kj_route_match(srv->tables[t].routes, srv->tables[t].n, method, path, params);
        if (i >= 0)
            return &srv->tables[t].routes[i];
        if (i == -405)
            *code = 405;
    }
    return NULL;
}

/* A handler's error as the Status answer. */
static void error_resp(const struct kj_http_req *req, struct kj_http_resp *resp, kj_error_t err)
{
    cJSON_Delete(resp->body);
    resp->body = NULL;
    int c = kj_error_http_status(err);
    if (c < 400 || c > 599) {
        kj_log(KJ_LOG_ERROR, "%s %s: %s", req->method, req->path, err ? err->msg : "?");
        c = 500;
    }
    kj_http_resp_json(resp, c, kj_status_from_error(err));
    cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(resp->body, "code"), c);
}

/* Count the request's connection against the cap. A new connection beyond
 * it gets a 429 Status and is closed after the reply (as kube-apiserver
 * answers an overload, with Retry-After); false then. */
static bool admit(struct kj_apiserver *srv, struct evhttp_request *ev)
{
    struct evhttp_connection *conn = evhttp_request_get_connection(ev);
    if (conn == NULL || kj_conns_track(srv->conns, conn) != KJ_CONN_FULL)
        return true;
    struct kj_http_resp resp;
    memset(&resp, 0, sizeof resp);
    kj_http_resp_json(&resp, 429, kj_status_failure(429, "TooManyRequests", "too many connections", NULL, NULL, NULL));
    struct evkeyvalq *out = evhttp_request_get_output_headers(ev);
    evhttp_add_header(out, "Connection", "close");
    evhttp_add_header(out, "Retry-After", "1");
    kj_log(KJ_LOG_WARN, "%s: 429 (%zu connections open, the maximum)", evhttp_request_get_uri(ev),
           kj_conns_count(srv->conns));
    send_resp(ev, &resp, false);
    cJSON_Delete(resp.body);
    return false;
}

static void dispatch_cb(struct evhttp_request *ev, void *arg)
{
    struct kj_apiserver *srv = arg;
    if (!admit(srv, ev))
        return;
    struct kj_http_req req;
    struct kj_http_resp resp;
    kj_error_t err = NULL;
    cleanup_free char *path = NULL;
    memset(&req, 0, sizeof req);
    memset(&resp, 0, sizeof resp);
    req.srv = srv;
    req.ev = ev;
    req.method = method_name(evhttp_request_get_command(ev));
    bool head = strcmp(req.method, "HEAD") == 0;
    const char *lookup_method = head ? "GET" : req.method;

    if (kj_request_target_parse(evhttp_request_get_uri(ev), &path, &req.query, &err) < 0) {
        kj_http_resp_json(&resp, 400, kj_status_from_error(err));
        goto reply;
    }
    req.path = path;
    struct evbuffer *in = evhttp_request_get_input_buffer(ev);
    size_t len = evbuffer_get_length(in);
    if (len > 0) {
        req.body = (const char *)evbuffer_pullup(in, -1);
        req.body_len = len;
    }
    req.content_type = evhttp_find_header(evhttp_request_get_input_headers(ev), "Content-Type");
    req.accept = evhttp_find_header(evhttp_request_get_input_headers(ev), "Accept");
    int code = 404;
    req.route = kj_apiserver_find_route(srv, lookup_method, path, &req.params, &code);
    if (req.route == NULL && code == 405 && strcmp(req.method, "DELETE") == 0) {
        int rc = kj_collection_delete(&req, &resp, &err);
        if (rc < 0)
            error_resp(&req, &resp, err);
        if (rc != 0)
            goto reply;
    }
    if (req.route == NULL) {
        if (code == 405)
            kj_http_resp_json(&resp, 405, kj_status_failure(405, "MethodNotAllowed",
                                                            "the server does not allow this method on the requested resource",
                                                            NULL, NULL, NULL));
        else
            kj_http_resp_json(&resp, 404, kj_status_failure(404, "NotFound",
                                                            "the server could not find the requested resource",
                                                            NULL, NULL, NULL));
        goto reply;
    }
    if (req.route->handler(&req, &resp, &err) < 0)
        error_resp(&req, &resp, err);
    /* kubectl asks for server-side printing on every get. */
    if (!resp.hijacked && kj_table_wanted(req.accept) && resp.body != NULL && (resp.code == 0 || resp.code == 200))
        kj_apiserver_tableize(&req, &resp);
reply:
    if (!resp.hijacked) {
        kj_log(KJ_LOG_DEBUG, "%s %s -> %d", req.method, evhttp_request_get_uri(ev),
               resp.code ? resp.code : 200);
        send_resp(ev, &resp, head);
    }
    kj_error_release(&err);
    cJSON_Delete(resp.body);
    kj_strlist_clear(&resp.warnings);
    kj_query_clear(&req.query);
}

/* Remote listeners: every request needs a valid bearer token when tokens
 * are configured (401 otherwise, as kube-apiserver answers). */
static void dispatch_remote_cb(struct evhttp_request *ev, void *arg)
{
    struct kj_apiserver *srv = arg;
    if (!admit(srv, ev))
        return;
    if (srv->tokens.n > 0) {
        const char *auth = evhttp_find_header(evhttp_request_get_input_headers(ev), "Authorization");
        if (!kj_tokens_check(&srv->tokens, auth)) {
            struct kj_http_resp resp;
            memset(&resp, 0, sizeof resp);
            kj_http_resp_json(&resp, 401, kj_status_failure(401, "Unauthorized", "Unauthorized", NULL, NULL, NULL));
            kj_log(KJ_LOG_INFO, "%s: 401 (no valid bearer token)", evhttp_request_get_uri(ev));
            send_resp(ev, &resp, false);
            cJSON_Delete(resp.body);
            return;
        }
    }
    dispatch_cb(ev, arg);
}

static struct bufferevent *tls_bevcb(struct event_base *base, void *arg)
{
    struct kj_apiserver *srv = arg;
    SSL *ssl = SSL_new(srv->tls);
    if (ssl == NULL)
        return NULL;
    return bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
}

static void set_limits(struct kj_apiserver *srv, struct evhttp *http)
{
    evhttp_set_max_body_size(http, EVHTTP_MAX_BODY);
    evhttp_set_max_headers_size(http, MAX_HEADERS_SIZE);
    evhttp_set_timeout(http, REQUEST_TIMEOUT_S);
    evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
                                         EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
    evhttp_set_default_content_type(http, "application/json");
    (void)srv;
}

int kj_apiserver_secure(struct kj_apiserver *srv, const char *cert_file, const char *key_file,
                        const char *token_file, kj_error_t *err)
{
    if ((cert_file == NULL) != (key_file == NULL))
        return kj_make_error(err, 0, "`--tls-cert` and `--tls-key` go together");
    if (cert_file != NULL) {
        srv->tls = kj_tls_server_ctx(cert_file, key_file, err);
        if (srv->tls == NULL)
            return -1;
    }
    if (token_file != NULL && kj_tokens_load(token_file, &srv->tokens, err) < 0)
        return -1;
    return 0;
}

bool kj_apiserver_has_tls(const struct kj_apiserver *srv)
{
    return srv->tls != NULL;
}

bool kj_apiserver_has_tokens(const struct kj_apiserver *srv)
{
    return srv->tokens.n > 0;
}

int kj_apiserver_listen_remote(struct kj_apiserver *srv, const char *host, int port, kj_error_t *err)
{
    if (srv->n_bound >= MAX_LISTENERS)
        return kj_make_error(err, 0, "too many listen addresses");
    if (srv->remote == NULL) {
        srv->remote = evhttp_new(srv->base);
        if (srv->remote == NULL)
            return kj_make_error(err, 0, "evhttp_new failed");
        set_limits(srv, srv->remote);
        evhttp_set_gencb(srv->remote, dispatch_remote_cb, srv);
        if (srv->tls != NULL)
            evhttp_set_bevcb(srv->remote, tls_bevcb, srv);
    }
    struct evhttp_bound_socket *b = evhttp_bind_socket_with_handle(srv->remote, host, (ev_uint16_t)port);
    if (b == NULL)
        return kj_make_error(err, errno, "listen on `%s:%d`", host, port);
    srv->bound[srv->n_bound] = b;
    srv->bound_remote[srv->n_bound++] = true;
    return 0;
}

struct kj_apiserver *kj_apiserver_new(struct event_base *base, const struct kj_apiserver_deps *deps,
                                      kj_error_t *err)
{
    struct kj_apiserver *srv = calloc(1, sizeof *srv);
    if (srv == NULL) {
        kj_make_error(err, ENOMEM, "allocate api server");
        return NULL;
    }
    srv->base = base;
    srv->deps = *deps;
    srv->http = evhttp_new(base);
    if (srv->http == NULL) {
        free(srv);
        kj_make_error(err, 0, "evhttp_new failed");
        return NULL;
    }
    srv->conns = kj_conns_new(deps->max_connections);
    set_limits(srv, srv->http);
    evhttp_set_gencb(srv->http, dispatch_cb, srv);
    size_t n = 0;
    const struct kj_route *builtin = kj_apiserver_builtin_routes(&n);
    kj_apiserver_add_routes(srv, builtin, n);
    return srv;
}

static int listen_unix(struct kj_apiserver *srv, const char *path, kj_error_t *err)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof sa.sun_path)
        return kj_make_error(err, 0, "unix socket path `%s` is too long", path);
    memcpy(sa.sun_path, path, strlen(path) + 1);
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return kj_make_error(err, errno, "socket for `%s`", path);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 128) < 0) {
        int e = errno;
        close(fd);
        return kj_make_error(err, e, "listen on `unix:%s`", path);
    }
    /* Owner and group only: the socket gives unauthenticated access. */
    if (chmod(path, 0660) < 0) {
        int e = errno;
        close(fd);
        unlink(path);
        return kj_make_error(err, e, "chmod 0660 `%s`", path);
    }
    struct evhttp_bound_socket *b = evhttp_accept_socket_with_handle(srv->http, fd);
    if (b == NULL) {
        close(fd);
        unlink(path);
        return kj_make_error(err, 0, "accept on `unix:%s`", path);
    }
    srv->bound[srv->n_bound++] = b;
    srv->unix_paths[srv->n_unix++] = xstrdup(path);
    return 0;
}

int kj_apiserver_listen(struct kj_apiserver *srv, const char *host, int port,
                        const char *unix_path, kj_error_t *err)
{
    if (srv->n_bound >= MAX_LISTENERS)
        return kj_make_error(err, 0, "too many listen addresses");
    if (unix_path != NULL)
        return listen_unix(srv, unix_path, err);
    struct evhttp_bound_socket *b = evhttp_bind_socket_with_handle(srv->http, host, (ev_uint16_t)port);
    if (b == NULL)
        return kj_make_error(err, errno, "listen on `%s:%d`", host, port);
    srv->bound[srv->n_bound++] = b;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(evhttp_bound_socket_get_fd(b), (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET)
            srv->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        else if (ss.ss_family == AF_INET6)
            srv->port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    }
    return 0;
}

/* A day: longer than any watch (timeoutSeconds defaults to 30 min) and
 * than anyone follows logs in one go; still finite, so a dead peer that
 * never reset the connection is eventually dropped. */
#define STREAM_TIMEOUT_S (24 * 3600)

void kj_apiserver_streaming(struct evhttp_request *ev)
{
    struct evhttp_connection *conn = evhttp_request_get_connection(ev);
    if (conn != NULL)
        evhttp_connection_set_timeout(conn, STREAM_TIMEOUT_S);
}

int kj_apiserver_port(const struct kj_apiserver *srv)
{
    return srv->port;
}

void kj_apiserver_stop_listening(struct kj_apiserver *srv)
{
    for (size_t i = 0; i < srv->n_bound; i++)
        evhttp_del_accept_socket(srv->bound_remote[i] ? srv->remote : srv->http, srv->bound[i]);
    srv->n_bound = 0;
    for (size_t i = 0; i < srv->n_unix; i++) {
        unlink(srv->unix_paths[i]);
        free(srv->unix_paths[i]);
    }
    srv->n_unix = 0;
}

void kj_apiserver_free(struct kj_apiserver *srv)
{
    if (srv == NULL)
        return;
    kj_apiserver_stop_listening(srv);
    evhttp_free(srv->http);
    if (srv->remote != NULL)
        evhttp_free(srv->remote);
    /* After the evhttps: freeing them closes connections through it. */
    kj_conns_free(srv->conns);
    if (srv->tls != NULL)
        SSL_CTX_free(srv->tls);
    kj_tokens_clear(&srv->tokens);
    free(srv);
}
