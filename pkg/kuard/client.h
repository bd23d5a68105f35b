/* kuard's memq consumer transport (kuard.md §3): one blocking
 * `POST <server>/queues/<queue>/dequeue` per call, with libcurl's easy API.
 * Meant for the keygen worker thread; one client per thread. The caller must
 * have called curl_global_init() before any thread started.
 */
#ifndef KJ_KUARD_CLIENT_H
#define KJ_KUARD_CLIENT_H

#include "util/error.h" /* kj_error_t */

/* kj_kuard_memq_client_dequeue() results. */
#define KJ_KUARD_MEMQ_GOT 0
#define KJ_KUARD_MEMQ_EMPTY 1

struct kj_kuard_memq_client;

/* A client for base URL `server` (e.g. http://queue:8080/memq/server) and
 * queue name `queue`, both copied. Returns NULL with *err set on OOM. */
struct kj_kuard_memq_client *kj_kuard_memq_client_new(const char *server, const char *queue,
                                                      kj_error_t *err);
void kj_kuard_memq_client_free(struct kj_kuard_memq_client *c);

/* The dequeue URL: server + "/queues/" + queue + "/dequeue". Borrowed. */
const char *kj_kuard_memq_client_url(const struct kj_kuard_memq_client *c);

/* Dequeue one message. Returns KJ_KUARD_MEMQ_GOT (the message is valid JSON
 * and otherwise unused, as in kuard), KJ_KUARD_MEMQ_EMPTY on 204, or < 0
 * with *err holding the text kuard logs: "HTTP Error: 400 Bad Request" for
 * a status >= 300, "Post <url>: <reason>" for a transport error, or the
 * decode error for a bad 2xx body. Follows redirects; no timeout. */
int kj_kuard_memq_client_dequeue(struct kj_kuard_memq_client *c, kj_error_t *err);

#endif
