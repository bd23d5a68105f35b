/* A loopback TCP -> unix socket forwarder for bench/api_wrk.sh: wrk speaks
 * TCP only, and the engine listens on a unix socket. One libevent loop, one
 * bufferevent pair per connection, bytes copied as they come, so it adds a
 * copy but no parsing. Benchmark tool only.
 *
 *   api_forward PORT UNIX_SOCKET_PATH      (listens on 127.0.0.1:PORT)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

static struct sockaddr_un target;

struct pair {
    struct bufferevent *a, *b;
};

static void pair_free(struct pair *p)
{
    bufferevent_free(p->a);
    bufferevent_free(p->b);
    free(p);
}

static void read_cb(struct bufferevent *bev, void *arg)
{
    struct pair *p = arg;
    struct bufferevent *other = bev == p->a ? p->b : p->a;
    bufferevent_write_buffer(other, bufferevent_get_input(bev));
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
        pair_free(arg);
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
    (void)sa;
    (void)len;
    (void)arg;
    struct event_base *base = evconnlistener_get_base(l);
    struct pair *p = calloc(1, sizeof *p);
    if (p == NULL) {
        evutil_closesocket(fd);
        return;
    }
    p->a = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
    p->b = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (p->a == NULL || p->b == NULL ||
        bufferevent_socket_connect(p->b, (struct sockaddr *)&target, sizeof target) < 0) {
        if (p->a != NULL)
            bufferevent_free(p->a);
        if (p->b != NULL)
            bufferevent_free(p->b);
        free(p);
        return;
    }
    bufferevent_setcb(p->a, read_cb, NULL, event_cb, p);
    bufferevent_setcb(p->b, read_cb, NULL, event_cb, p);
    bufferevent_enable(p->a, EV_READ | EV_WRITE);
    bufferevent_enable(p->b, EV_READ | EV_WRITE);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: api_forward PORT UNIX_SOCKET_PATH\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    target.sun_family = AF_UNIX;
    snprintf(target.sun_path, sizeof target.sun_path, "%s", argv[2]);
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)atoi(argv[1]));
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct event_base *base = event_base_new();
    struct evconnlistener *l = evconnlistener_new_bind(base, accept_cb, NULL, LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE,
                                                       128, (struct sockaddr *)&sin, sizeof sin);
    if (l == NULL) {
        perror("listen");
        return 1;
    }
    event_base_dispatch(base);
    evconnlistener_free(l);
    event_base_free(base);
    return 0;
}
