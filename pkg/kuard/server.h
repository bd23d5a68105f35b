/* kuard's HTTP server on libevent's evhttp (kuard.md §4, §5): the memq
 * server API under /memq/server, the probes /healthy and /ready (+ /api),
 * /env/api and /keygen, all mounted at the root and again under /a, /b, /c.
 * Routing follows julienschmidt/httprouter: 405 with Allow for a known path
 * and wrong method, OPTIONS answered with Allow, 301/307 redirects for a
 * trailing slash or an unclean path, else 404 "404 page not found".
 * Every request is logged as "<remoteaddr> <METHOD> <url>".
 *
 * Runs on the caller's event_base; all callbacks run on that loop's thread.
 */
#ifndef KJ_KUARD_SERVER_H
#define KJ_KUARD_SERVER_H

#include <event2/event.h> /* struct event_base */

#include "kuard/keygen.h" /* struct kj_kuard_keygen */
#include "util/error.h"   /* kj_error_t */

struct kj_kuard_server_opts {
    const char *address; /* Go listen address: ":8080", "127.0.0.1:0", "[::1]:80" */
    long long liveness_fail_next;
    long long readiness_fail_next;
    int argc;                   /* for /env/api */
    char *const *argv;          /* borrowed; must outlive the server */
    struct kj_kuard_keygen *kg; /* borrowed; must outlive the server */
};

struct kj_kuard_server;

/* Create the server and bind its listener. Returns NULL with *err set when
 * the address is malformed or cannot be bound. */
struct kj_kuard_server *kj_kuard_server_new(struct event_base *base,
                                            const struct kj_kuard_server_opts *opts, kj_error_t *err);

/* The bound TCP port (useful with port 0). */
int kj_kuard_server_port(const struct kj_kuard_server *s);

/* Close the listener and free the server. NULL is fine. */
void kj_kuard_server_free(struct kj_kuard_server *s);

/* Split a Go listen address into host (NULL = all IPv4 addresses, owned
 * via *host) and port. Returns 0, or < 0 with *err set. Pure. */
int kj_kuard_split_address(const char *address, char **host, int *port, kj_error_t *err);

#endif
