/* Per-connection registry of the API server: counts open client connections
 * against a cap and multiplexes evhttp's single close-callback slot.
 *
 * libevent 2.1 has neither an accept hook for evhttp nor a connection limit,
 * so the server registers a connection when its first request arrives
 * (kj_conns_admit) and takes evhttp's close callback for itself; a request
 * on a new connection beyond the cap is answered 429 and the connection
 * closed. Connections that never send a request are not counted: evhttp's
 * request timeout (60 s, server.c) already drops them.
 *
 * Because the server owns the close slot, modules that must learn when a
 * client goes away (watch, logs -f, proxies) use kj_apiserver_on_close()
 * rather than evhttp_connection_set_closecb(). Single-threaded (the daemon's
 * event loop), like the rest of the server.
 */
#ifndef KJ_APISERVER_CONNS_H
#define KJ_APISERVER_CONNS_H

#include <stdbool.h> /* bool */
#include <stddef.h>  /* size_t */

struct evhttp_connection;

/* Called once when the client connection closes (or the server is freed
 * with it open). Same shape as evhttp's close callback. */
typedef void (*kj_conn_close_cb)(struct evhttp_connection *conn, void *arg);

/* Default cap when none is configured (kjobd --max-connections). */
#define KJ_APISERVER_DEFAULT_MAX_CONNECTIONS 1024

struct kj_conns;

/* New empty registry admitting at most `max` connections (0 = the default).
 * Aborts on OOM (small fixed allocation). Free with kj_conns_free(). */
struct kj_conns *kj_conns_new(size_t max);

/* Forget all entries without calling their callbacks, free. NULL ok. Call
 * after the evhttp servers whose connections it tracks are freed. */
void kj_conns_free(struct kj_conns *c);

enum kj_conn_admit {
    KJ_CONN_KNOWN, /* already registered: a further request on a kept-alive connection */
    KJ_CONN_NEW,   /* registered now: the caller installs the close hook (kj_conns_track) */
    KJ_CONN_FULL,  /* not registered: the cap is reached */
};

/* Registry core, keyed by the connection pointer (never dereferenced, so
 * tests may pass any distinct pointers). */
enum kj_conn_admit kj_conns_admit(struct kj_conns *c, const struct evhttp_connection *conn);
size_t kj_conns_count(const struct kj_conns *c);
size_t kj_conns_max(const struct kj_conns *c);
/* Set (cb != NULL) or clear (cb == NULL) the module callback of a registered
 * connection, replacing any previous one. -1 if `conn` is not registered. */
int kj_conns_set_close(struct kj_conns *c, const struct evhttp_connection *conn, kj_conn_close_cb cb,
                       void *arg);
/* `conn` closed: unregister it, then call its module callback if any (so a
 * callback that cancels itself finds nothing to do). Unknown conn: no-op. */
void kj_conns_closed(struct kj_conns *c, struct evhttp_connection *conn);
/* The live registry holding `conn`, or NULL. */
struct kj_conns *kj_conns_find(const struct evhttp_connection *conn);

/* evhttp glue: admit `conn` and, when new, install the registry's close
 * callback on it. Returns what kj_conns_admit() returned. */
enum kj_conn_admit kj_conns_track(struct kj_conns *c, struct evhttp_connection *conn);

/* For handlers: call `cb(conn, arg)` when the client connection of a request
 * being served closes; replaces the previous callback of that connection.
 * Stands in for evhttp_connection_set_closecb(conn, cb, arg), which would
 * unhook the server's accounting. Returns -1 (and does nothing) if `conn`
 * is not a connection the API server is tracking. */
int kj_apiserver_on_close(struct evhttp_connection *conn, kj_conn_close_cb cb, void *arg);

/* Drop the callback set by kj_apiserver_on_close (the stand-in for
 * evhttp_connection_set_closecb(conn, NULL, NULL)). Unknown conn: no-op. */
void kj_apiserver_on_close_cancel(struct evhttp_connection *conn);

#endif
