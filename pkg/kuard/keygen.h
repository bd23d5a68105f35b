/* kuard's keygen workload manager (kuard.md §2, §3, §5 `/keygen`).
 *
 * Holds the current config, a history of the last 20 workload log lines and
 * at most one running workload thread. kj_kuard_keygen_load_config()
 * replaces the config, cancels the running workload and, when `enable` is
 * set, starts a new one: the standalone key loop (workload ids 0, 1, ...)
 * or, when both memq fields are set, the memq consumer loop.
 *
 * Threads: every function may be called from any thread; state is guarded
 * by one mutex. Workload threads never touch the HTTP loop. A cancelled
 * workload finishes its current key first (as kuard's does).
 */
#ifndef KJ_KUARD_KEYGEN_H
#define KJ_KUARD_KEYGEN_H

#include <cjson/cJSON.h> /* cJSON */

#include "kuard/flags.h" /* struct kj_kuard_keygen_config */

/* Lines kept for GET /keygen. */
#define KJ_KUARD_KEYGEN_HISTORY 20

struct kj_kuard_keygen;

/* Called instead of exit() when a workload finishes with exit-on-complete
 * (tests override it; the default flushes stdio and _exit()s). */
typedef void (*kj_kuard_exit_cb)(int code);

/* A manager with an empty, disabled config. Aborts on OOM. */
struct kj_kuard_keygen *kj_kuard_keygen_new(void);

/* Cancel the workload, wait for its thread to end, free everything. */
void kj_kuard_keygen_free(struct kj_kuard_keygen *kg);

/* Tests only: the key size (default 4096) and the exit hook. Set before
 * the first load_config. */
void kj_kuard_keygen_set_bits(struct kj_kuard_keygen *kg, int bits);
void kj_kuard_keygen_set_exit_cb(struct kj_kuard_keygen *kg, kj_kuard_exit_cb cb);

/* Replace the config with a copy of *c (borrowed) and restart (see above).
 * Thread creation failure is logged and leaves the workload stopped. */
void kj_kuard_keygen_load_config(struct kj_kuard_keygen *kg, const struct kj_kuard_keygen_config *c);

/* Log `line` (Go log format, stderr) and append it to the history. */
void kj_kuard_keygen_output(struct kj_kuard_keygen *kg, const char *line);

/* {"config":{...},"history":[{"id":n,"data":"..."}...]} oldest first.
 * Owned cJSON; NULL on OOM. */
cJSON *kj_kuard_keygen_status_json(struct kj_kuard_keygen *kg);

/* Parse a PUT /keygen body into *out (kuard's keygen.Config JSON; missing
 * fields are zero). Returns 0 (free *out with kj_kuard_keygen_config_free())
 * or < 0 with *err holding the 400 text. */
int kj_kuard_keygen_config_parse(const char *body, size_t len, struct kj_kuard_keygen_config *out,
                                 kj_error_t *err);

/* Block until no workload thread runs or timeout_ms passes; returns 0 when
 * idle, -1 on timeout. For tests and orderly shutdown. */
int kj_kuard_keygen_wait_idle(struct kj_kuard_keygen *kg, int timeout_ms);

#endif
