/* NodePort/LoadBalancer publishing: node port allocation, the listeners a
 * Service wants and its status (controller/service_sync.h), and the
 * loopback proxy itself (controller/svc_publish.h) against an echo server
 * on 127.0.0.1 in this process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "controller/service_sync.h"
#include "controller/svc_publish.h"
#include "kubeapi/table_queue.h"
#include "util/xalloc.h"

static cJSON *parse(const char *s)
{
    cJSON *j = cJSON_Parse(s);
    assert_non_null(j);
    return j;
}

static int node_port(const cJSON *svc, int i)
{
    const cJSON *p = cJSON_GetArrayItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(svc, "spec"), "ports"), i);
    const cJSON *np = cJSON_GetObjectItem(p, "nodePort");
    return cJSON_IsNumber(np) ? np->valueint : 0;
}

/* ---- node ports ---- */

static void test_node_ports_allocate(void **state)
{
    (void)state;
    cJSON *stored = parse("[{\"metadata\":{\"namespace\":\"a\",\"name\":\"x\"},"
                          "\"spec\":{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":30000}]}},"
                          "{\"metadata\":{\"namespace\":\"b\",\"name\":\"y\"},"
                          "\"spec\":{\"type\":\"LoadBalancer\",\"ports\":[{\"port\":80,\"nodePort\":30001}]}}]");
    cJSON *svc = parse("{\"metadata\":{\"namespace\":\"a\",\"name\":\"new\"},\"spec\":{\"type\":"
                       "\"LoadBalancer\",\"ports\":[{\"port\":80},{\"port\":81,\"nodePort\":30005}]}}");
    int bad = -1;
    const char *why = NULL;
    /* seed 0 starts at 30000: both taken, so 30002; 30005 is asked for. */
    assert_int_equal(kj_svc_node_ports_assign(svc, NULL, stored, 0, &bad, &why), 0);
    assert_int_equal(node_port(svc, 0), 30002);
    assert_int_equal(node_port(svc, 1), 30005);
    cJSON_Delete(svc);

    /* The search wraps around the end of the range. */
    svc = parse("{\"metadata\":{\"namespace\":\"a\",\"name\":\"w\"},\"spec\":{\"type\":\"NodePort\","
                "\"ports\":[{\"port\":80},{\"port\":81}]}}");
    assert_int_equal(kj_svc_node_ports_assign(svc, NULL, stored, 2767, &bad, &why), 0);
    assert_int_equal(node_port(svc, 0), 32767);
    assert_int_equal(node_port(svc, 1), 30002);
    cJSON_Delete(svc);

    /* A LoadBalancer's own port in the range is avoided too, its own and
     * another's (it listens there). */
    cJSON *lb = parse("{\"metadata\":{\"namespace\":\"c\",\"name\":\"lb\"},\"spec\":{\"type\":"
                      "\"LoadBalancer\",\"ports\":[{\"port\":30003,\"nodePort\":30004}]}}");
    cJSON_AddItemToArray(stored, lb);
    svc = parse("{\"metadata\":{\"namespace\":\"a\",\"name\":\"v\"},\"spec\":{\"type\":"
                "\"LoadBalancer\",\"ports\":[{\"port\":30002},{\"port\":81}]}}");
    assert_int_equal(kj_svc_node_ports_assign(svc, NULL, stored, 0, &bad, &why), 0);
    assert_int_equal(node_port(svc, 0), 30005);
    assert_int_equal(node_port(svc, 1), 30006);
    cJSON_Delete(svc);
    cJSON_DeleteItemFromArray(stored, 2);

    /* Taken by another Service: 422 on that port. */
    svc = parse("{\"metadata\":{\"namespace\":\"a\",\"name\":\"z\"},\"spec\":{\"type\":\"NodePort\","
                "\"ports\":[{\"port\":80},{\"port\":81,\"nodePort\":30001}]}}");
    assert_int_equal(kj_svc_node_ports_assign(svc, NULL, stored, 0, &bad, &why), -1);
    assert_int_equal(bad, 1);
    assert_string_equal(why, "provided port is already allocated");
    cJSON_Delete(svc);

    svc = parse("{\"metadata\":{\"namespace\":\"a\",\"name\":\"z\"},\"spec\":{\"type\":\"NodePort\","
                "\"ports\":[{\"port\":80,\"nodePort\":8080}]}}");
    assert_int_equal(kj_svc_node_ports_assign(svc, NULL, stored, 0, &bad, &why), -1);
    assert_int_equal(bad, 0);
    assert_non_null(strstr(why, "not in the valid range. The range of valid ports is 30000-32767"));
    cJSON_Delete(svc);

    /* Its own stored version does not count as taken (update, same port). */
    svc = parse("{\"metadata\":{\"namespace\":\"a\",\"name\":\"x\"},\"spec\":{\"type\":\"NodePort\","
                "\"ports\":[{\"port\":80,\"nodePort\":30000}]}}");
    assert_int_equal(kj_svc_node_ports_assign(svc, NULL, stored, 0, &bad, &why), 0);
    cJSON_Delete(svc);

    /* ClusterIP: nothing to allocate. */
    svc = parse("{\"metadata\":{\"namespace\":\"a\",\"name\":\"c\"},\"spec\":{\"ports\":[{\"port\":80}]}}");
    assert_int_equal(kj_svc_node_ports_assign(svc, NULL, stored, 0, &bad, &why), 0);
    assert_int_equal(node_port(svc, 0), 0);
    cJSON_Delete(svc);
    cJSON_Delete(stored);
}

static void test_node_ports_update_and_wipe(void **state)
{
    (void)state;
    cJSON *old = parse("{\"metadata\":{\"namespace\":\"a\",\"name\":\"x\"},\"spec\":{\"type\":"
                       "\"NodePort\",\"ports\":[{\"port\":80,\"protocol\":\"TCP\",\"nodePort\":31000}]}}");
    cJSON *stored = parse("[]");
    cJSON_AddItemToArray(stored, cJSON_Duplicate(old, 1));
    /* A PUT without nodePort keeps the port's old one. */
    cJSON *svc = parse("{\"metadata\":{\"namespace\":\"a\",\"name\":\"x\"},\"spec\":{\"type\":"
                       "\"LoadBalancer\",\"ports\":[{\"port\":80,\"protocol\":\"TCP\"},{\"port\":81}]}}");
    int bad = -1;
    const char *why = NULL;
    assert_int_equal(kj_svc_node_ports_assign(svc, old, stored, 1000, &bad, &why), 0);
    assert_int_equal(node_port(svc, 0), 31000);
    assert_int_equal(node_port(svc, 1), 31001); /* 31000 is its own port 80's */
    cJSON_Delete(svc);

    /* Turning into a ClusterIP Service drops the nodePorts it carried over
     * and keeps one set anew (validation then refuses it). */
    svc = parse("{\"spec\":{\"type\":\"ClusterIP\",\"ports\":[{\"port\":80,\"nodePort\":31000},"
                "{\"port\":81,\"nodePort\":31005}]}}");
    kj_svc_node_ports_wipe(svc, old);
    assert_int_equal(node_port(svc, 0), 0);
    assert_int_equal(node_port(svc, 1), 31005);
    cJSON_Delete(svc);
    cJSON_Delete(old);
    cJSON_Delete(stored);
}

static void test_node_ports_full(void **state)
{
    (void)state;
    cJSON *ports = cJSON_CreateArray();
    for (int np = KJ_SVC_NODE_PORT_MIN; np <= KJ_SVC_NODE_PORT_MAX; np++) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddNumberToObject(p, "port", 80);
        cJSON_AddNumberToObject(p, "nodePort", np);
        cJSON_AddItemToArray(ports, p);
    }
    cJSON *hog = parse("{\"metadata\":{\"namespace\":\"a\",\"name\":\"hog\"},\"spec\":{\"type\":\"NodePort\"}}");
    cJSON_AddItemToObject(cJSON_GetObjectItem(hog, "spec"), "ports", ports);
    cJSON *stored = cJSON_CreateArray();
    cJSON_AddItemToArray(stored, hog);
    cJSON *svc = parse("{\"metadata\":{\"namespace\":\"a\",\"name\":\"x\"},\"spec\":{\"type\":"
                       "\"NodePort\",\"ports\":[{\"port\":80}]}}");
    int bad = -1;
    const char *why = NULL;
    assert_int_equal(kj_svc_node_ports_assign(svc, NULL, stored, 7, &bad, &why), -2);
    cJSON_Delete(svc);
    cJSON_Delete(stored);
}

/* ---- listeners and status ---- */

static void test_publish_ports(void **state)
{
    (void)state;
    struct kj_svc_pub_port out[8];
    cJSON *lb = parse("{\"spec\":{\"type\":\"LoadBalancer\",\"ports\":[{\"port\":8080,\"nodePort\":30080},"
                      "{\"port\":53,\"protocol\":\"UDP\",\"nodePort\":30053}]}}");
    assert_int_equal(kj_svc_publish_ports(lb, out, 8), 3);
    assert_int_equal(out[0].svc_port, 8080);
    assert_int_equal(out[0].host_port, 30080);
    assert_int_equal(out[0].err, 0);
    assert_int_equal(out[1].host_port, 8080);
    assert_int_equal(out[2].host_port, 30053);
    assert_int_equal(out[2].err, EPROTONOSUPPORT);
    assert_int_equal(kj_svc_publish_ports(lb, out, 1), 1); /* bounded by max */
    cJSON *np = parse("{\"spec\":{\"type\":\"NodePort\",\"ports\":[{\"port\":8080,\"nodePort\":30080}]}}");
    assert_int_equal(kj_svc_publish_ports(np, out, 8), 1);
    assert_int_equal(out[0].host_port, 30080);
    cJSON *cip = parse("{\"spec\":{\"ports\":[{\"port\":8080}]}}");
    assert_int_equal(kj_svc_publish_ports(cip, out, 8), 0);
    cJSON_Delete(lb);
    cJSON_Delete(np);
    cJSON_Delete(cip);
}

static const char *cond_field(const cJSON *status, const char *field)
{
    return cJSON_GetStringValue(cJSON_GetObjectItem(kj_svc_published_condition(status), field));
}

static void test_publish_status(void **state)
{
    (void)state;
    cJSON *svc = parse("{\"spec\":{\"type\":\"LoadBalancer\",\"ports\":[{\"port\":8080,\"nodePort\":30080}]},"
                       "\"status\":{\"loadBalancer\":{},\"conditions\":[{\"type\":\"Other\",\"status\":\"True\"}]}}");
    struct kj_svc_pub_port ports[2] = {{8080, 30080, 0}, {8080, 8080, 0}};
    cJSON *st = kj_svc_publish_status(svc, ports, 2, "2026-01-01T00:00:00Z");
    assert_non_null(st);
    const cJSON *ing = cJSON_GetArrayItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(st, "loadBalancer"), "ingress"), 0);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(ing, "ip")), "127.0.0.1");
    assert_string_equal(cond_field(st, "status"), "True");
    assert_string_equal(cond_field(st, "reason"), "Published");
    assert_string_equal(cond_field(st, "message"),
                        "listening on 127.0.0.1:30080 for port 8080, 127.0.0.1:8080 for port 8080");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(st, "conditions")), 2); /* Other kept */

    /* Stored: the same outcome later writes nothing. */
    cJSON_ReplaceItemInObject(svc, "status", st);
    assert_null(kj_svc_publish_status(svc, ports, 2, "2026-01-01T00:05:00Z"));

    /* The node port is taken: False, no ingress, a new transition time. */
    ports[0].err = EADDRINUSE;
    st = kj_svc_publish_status(svc, ports, 2, "2026-01-01T00:06:00Z");
    assert_non_null(st);
    assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(st, "loadBalancer"), "ingress"));
    assert_string_equal(cond_field(st, "status"), "False");
    assert_string_equal(cond_field(st, "reason"), "PortInUse");
    assert_string_equal(cond_field(st, "lastTransitionTime"), "2026-01-01T00:06:00Z");
    assert_non_null(strstr(cond_field(st, "message"), "127.0.0.1:30080 for port 8080 ("));
    assert_null(strstr(cond_field(st, "message"), "127.0.0.1:8080"));
    cJSON_ReplaceItemInObject(svc, "status", st);

    /* Still failing, other reason: the transition time stays. */
    ports[0].err = EACCES;
    st = kj_svc_publish_status(svc, ports, 2, "2026-01-01T00:07:00Z");
    assert_string_equal(cond_field(st, "reason"), "CannotPublish");
    assert_string_equal(cond_field(st, "lastTransitionTime"), "2026-01-01T00:06:00Z");
    cJSON_ReplaceItemInObject(svc, "status", st);

    /* Turned into a ClusterIP Service: the condition goes, Other stays. */
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(svc, "spec"), "type", cJSON_CreateString("ClusterIP"));
    st = kj_svc_publish_status(svc, NULL, 0, "2026-01-01T00:08:00Z");
    assert_non_null(st);
    assert_null(kj_svc_published_condition(st));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(st, "conditions")), 1);
    cJSON_ReplaceItemInObject(svc, "status", st);
    assert_null(kj_svc_publish_status(svc, NULL, 0, "2026-01-01T00:09:00Z"));
    cJSON_Delete(svc);
}

/* kubectl get svc's EXTERNAL-IP and PORT(S) cells (kubeapi/table_queue.h). */
static void svc_cells(const char *json, char *ext, char *ports)
{
    cJSON *item = parse(json);
    cJSON *cells = cJSON_CreateArray();
    assert_true(kj_table_queue_cells("Service", item, 0, cells));
    snprintf(ext, 64, "%s", cJSON_GetStringValue(cJSON_GetArrayItem(cells, 2)));
    snprintf(ports, 64, "%s", cJSON_GetStringValue(cJSON_GetArrayItem(cells, 3)));
    cJSON_Delete(cells);
    cJSON_Delete(item);
}

static void test_table_cells(void **state)
{
    (void)state;
    char ext[64], ports[64];
    svc_cells("{\"spec\":{\"type\":\"LoadBalancer\",\"ports\":[{\"port\":8080,\"nodePort\":30080,"
              "\"protocol\":\"TCP\"}]},\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"127.0.0.1\"}]}}}",
              ext, ports);
    assert_string_equal(ext, "127.0.0.1");
    assert_string_equal(ports, "8080:30080/TCP");
    svc_cells("{\"spec\":{\"type\":\"LoadBalancer\",\"ports\":[{\"port\":80,\"nodePort\":30080}]},"
              "\"status\":{\"loadBalancer\":{}}}", ext, ports);
    assert_string_equal(ext, "<pending>");
    svc_cells("{\"spec\":{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":30080}]}}",
              ext, ports);
    assert_string_equal(ext, "<none>");
    assert_string_equal(ports, "80:30080/TCP");
    svc_cells("{\"spec\":{\"type\":\"ClusterIP\",\"externalIPs\":[\"10.0.0.1\",\"10.0.0.2\"],"
              "\"ports\":[{\"port\":80}]}}", ext, ports);
    assert_string_equal(ext, "10.0.0.1,10.0.0.2");
    assert_string_equal(ports, "80/TCP");
}

/* ---- the proxy on loopback ---- */

struct echo {
    struct evconnlistener *lev;
    int port;
};

static void echo_read_cb(struct bufferevent *bev, void *arg)
{
    (void)arg;
    evbuffer_add_buffer(bufferevent_get_output(bev), bufferevent_get_input(bev));
}

static void echo_write_cb(struct bufferevent *bev, void *arg)
{
    if (arg != NULL) /* EOF seen, all written back: close */
        bufferevent_free(bev);
}

static void echo_event_cb(struct bufferevent *bev, short what, void *arg)
{
    (void)arg;
    if ((what & BEV_EVENT_EOF) && evbuffer_get_length(bufferevent_get_output(bev)) > 0) {
        bufferevent_setcb(bev, NULL, echo_write_cb, NULL, bev);
        return;
    }
    bufferevent_free(bev);
}

static void echo_accept_cb(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa,
                           int salen, void *arg)
{
    (void)sa;
    (void)salen;
    (void)arg;
    struct bufferevent *bev =
        bufferevent_socket_new(evconnlistener_get_base(lev), fd, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(bev, echo_read_cb, echo_write_cb, echo_event_cb, NULL);
    bufferevent_enable(bev, EV_READ | EV_WRITE);
}

static void echo_start(struct event_base *base, struct echo *e)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    e->lev = evconnlistener_new_bind(base, echo_accept_cb, NULL,
                                     LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 16,
                                     (struct sockaddr *)&sin, sizeof sin);
    assert_non_null(e->lev);
    socklen_t len = sizeof sin;
    getsockname(evconnlistener_get_fd(e->lev), (struct sockaddr *)&sin, &len);
    e->port = ntohs(sin.sin_port);
}

struct picker {
    int port;        /* 0 = no endpoint */
    int dead_first;  /* answer this (closed) port on the first call */
    int calls;
    char ns[32], svc[32];
    int svc_port;
};

static int pick_cb(void *arg, const char *ns, const char *svc, int port, char **ip,
                   int *target_port, kj_error_t *err)
{
    struct picker *p = arg;
    p->calls++;
    snprintf(p->ns, sizeof p->ns, "%s", ns);
    snprintf(p->svc, sizeof p->svc, "%s", svc);
    p->svc_port = port;
    if (p->port == 0)
        return kj_make_http_error(err, 503, "no endpoints available for service \"%s\"", svc);
    *ip = xstrdup("127.0.0.1");
    *target_port = p->calls == 1 && p->dead_first != 0 ? p->dead_first : p->port;
    return 0;
}

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sin = {.sin_family = AF_INET,
                              .sin_port = htons((uint16_t)port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (connect(fd, (struct sockaddr *)&sin, sizeof sin) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* A loopback port nothing listens on (bound, then closed). */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sin;
    assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
    getsockname(fd, (struct sockaddr *)&sin, &len);
    close(fd);
    return ntohs(sin.sin_port);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Send `len` bytes of `out` on fd, half-close, and read until EOF into
 * `in` (cap bytes), running the event loop meanwhile. Returns bytes read,
 * or -1 on a deadline (10 s) or error. */
static ssize_t exchange(struct event_base *base, int fd, const char *out, size_t len, char *in,
                        size_t cap)
{
    size_t sent = 0, got = 0;
    bool shut = false;
    int64_t deadline = now_ms() + 10000;
    while (now_ms() < deadline) {
        event_base_loop(base, EVLOOP_NONBLOCK);
        if (sent < len) {
            ssize_t n = send(fd, out + sent, len - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (n > 0)
                sent += (size_t)n;
        } else if (!shut) {
            shutdown(fd, SHUT_WR);
            shut = true;
        }
        ssize_t n = recv(fd, in + got, cap - got, MSG_DONTWAIT);
        if (n == 0)
            return (ssize_t)got;
        if (n > 0)
            got += (size_t)n;
        else if (errno != EAGAIN && errno != EWOULDBLOCK)
            return errno == ECONNRESET ? (ssize_t)got : -1;
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        poll(&pfd, 1, 1);
    }
    return -1;
}

/* Run the loop until the publisher has no connection left (10 s). */
static bool drain(struct event_base *base, struct kj_svc_publisher *pub)
{
    int64_t deadline = now_ms() + 10000;
    while (kj_svc_publisher_conns(pub) > 0 && now_ms() < deadline) {
        event_base_loop(base, EVLOOP_NONBLOCK);
        poll(NULL, 0, 1);
    }
    return kj_svc_publisher_conns(pub) == 0;
}

static void test_proxy_roundtrip(void **state)
{
    (void)state;
    struct event_base *base = event_base_new();
    struct echo e;
    echo_start(base, &e);
    struct picker pk = {.port = e.port};
    struct kj_svc_publisher *pub = kj_svc_publisher_new(base, pick_cb, &pk, 0);
    kj_error_t err = NULL;
    int bound = 0;
    kj_svc_publisher_begin(pub);
    assert_int_equal(kj_svc_publisher_want(pub, "ns", "web", 8080, 0, &bound, &err), 0);
    kj_svc_publisher_end(pub);
    assert_true(bound > 0);
    assert_int_equal(kj_svc_publisher_listeners(pub), 1);

    /* A request, half-close, the answer: the FIN travels both ways. */
    int fd = connect_to(bound);
    assert_true(fd >= 0);
    char in[64];
    ssize_t n = exchange(base, fd, "hello", 5, in, sizeof in);
    close(fd);
    assert_int_equal(n, 5);
    assert_memory_equal(in, "hello", 5);
    assert_string_equal(pk.ns, "ns");
    assert_string_equal(pk.svc, "web");
    assert_int_equal(pk.svc_port, 8080);
    assert_true(drain(base, pub));

    /* 8 MiB each way: more than the high watermark, so reading pauses. */
    size_t big = 8u << 20;
    char *out = malloc(big), *back = malloc(big + 1);
    for (size_t i = 0; i < big; i++)
        out[i] = (char)(i * 7 + i / 4096);
    fd = connect_to(bound);
    n = exchange(base, fd, out, big, back, big + 1);
    close(fd);
    assert_int_equal(n, (ssize_t)big);
    assert_memory_equal(back, out, big);
    free(out);
    free(back);
    assert_true(drain(base, pub));

    /* The first endpoint refuses: the next one is tried, with the bytes
     * the client already sent. */
    pk.calls = 0;
    pk.dead_first = closed_port();
    fd = connect_to(bound);
    n = exchange(base, fd, "again", 5, in, sizeof in);
    close(fd);
    assert_int_equal(n, 5);
    assert_memory_equal(in, "again", 5);
    assert_int_equal(pk.calls, 2);
    assert_true(drain(base, pub));

    /* The same want again keeps the listener; a round without it closes it. */
    kj_svc_publisher_begin(pub);
    assert_int_equal(kj_svc_publisher_want(pub, "ns", "web", 8080, 0, &bound, &err), 0);
    kj_svc_publisher_end(pub);
    assert_int_equal(kj_svc_publisher_listeners(pub), 1);
    kj_svc_publisher_begin(pub);
    kj_svc_publisher_end(pub);
    assert_int_equal(kj_svc_publisher_listeners(pub), 0);
    assert_int_equal(connect_to(bound), -1);
    assert_int_equal(errno, ECONNREFUSED);

    kj_svc_publisher_free(pub);
    evconnlistener_free(e.lev);
    event_base_free(base);
}

static void test_proxy_no_endpoint_and_cap(void **state)
{
    (void)state;
    struct event_base *base = event_base_new();
    struct echo e;
    echo_start(base, &e);
    struct picker pk = {.port = 0};
    struct kj_svc_publisher *pub = kj_svc_publisher_new(base, pick_cb, &pk, 1);
    kj_error_t err = NULL;
    int bound = 0;
    assert_int_equal(kj_svc_publisher_want(pub, "ns", "web", 80, 0, &bound, &err), 0);

    /* No ready endpoint: the client is closed at once. */
    int fd = connect_to(bound);
    char in[16];
    assert_int_equal(exchange(base, fd, "x", 1, in, sizeof in), 0);
    close(fd);
    assert_int_equal(pk.calls, 1);

    /* Cap 1: a second connection while one is open is closed. */
    pk.port = e.port;
    int held = connect_to(bound);
    int64_t deadline = now_ms() + 5000;
    while (kj_svc_publisher_conns(pub) < 1 && now_ms() < deadline)
        event_base_loop(base, EVLOOP_NONBLOCK);
    assert_int_equal(kj_svc_publisher_conns(pub), 1);
    fd = connect_to(bound);
    assert_int_equal(exchange(base, fd, "y", 1, in, sizeof in), 0);
    close(fd);
    assert_int_equal(pk.calls, 2);
    close(held);
    assert_true(drain(base, pub));

    /* A connection still open when the publisher goes is closed with it. */
    held = connect_to(bound);
    deadline = now_ms() + 5000;
    while (kj_svc_publisher_conns(pub) < 1 && now_ms() < deadline)
        event_base_loop(base, EVLOOP_NONBLOCK);
    assert_int_equal(kj_svc_publisher_conns(pub), 1);
    kj_svc_publisher_free(pub);
    /* libevent closes a freed bufferevent's socket from the loop. */
    event_base_loop(base, EVLOOP_NONBLOCK);
    struct timeval tv = {5, 0};
    setsockopt(held, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    assert_int_equal(recv(held, in, sizeof in, 0), 0);
    close(held);
    evconnlistener_free(e.lev);
    event_base_free(base);
}

static void test_port_in_use(void **state)
{
    (void)state;
    struct event_base *base = event_base_new();
    struct echo e;
    echo_start(base, &e); /* holds a port */
    struct picker pk = {0};
    struct kj_svc_publisher *pub = kj_svc_publisher_new(base, pick_cb, &pk, 0);
    kj_error_t err = NULL;
    assert_true(kj_svc_publisher_want(pub, "ns", "web", 80, e.port, NULL, &err) < 0);
    assert_non_null(err);
    assert_int_equal(err->status, EADDRINUSE);
    assert_non_null(strstr(err->msg, "127.0.0.1:"));
    kj_error_release(&err);
    assert_int_equal(kj_svc_publisher_listeners(pub), 0);
    assert_true(kj_svc_publisher_want(pub, "ns", "web", 80, 70000, NULL, &err) < 0);
    kj_error_release(&err);
    kj_svc_publisher_free(pub);
    evconnlistener_free(e.lev);
    event_base_free(base);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_node_ports_allocate),
        cmocka_unit_test(test_node_ports_update_and_wipe),
        cmocka_unit_test(test_node_ports_full),
        cmocka_unit_test(test_publish_ports),
        cmocka_unit_test(test_publish_status),
        cmocka_unit_test(test_table_cells),
        cmocka_unit_test(test_proxy_roundtrip),
        cmocka_unit_test(test_proxy_no_endpoint_and_cap),
        cmocka_unit_test(test_port_in_use),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
