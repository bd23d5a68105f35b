/* kuard's debug probes `/healthy` and `/ready` (kuard.md §5): fail the next
 * N calls (or all, when N < 0) and keep the last 20 calls for the `/api`
 * view. Pure: callers pass the clock. Not thread-safe (HTTP loop only). */
#ifndef KJ_KUARD_PROBE_H
#define KJ_KUARD_PROBE_H

#include <cjson/cJSON.h> /* cJSON */
#include <stddef.h>      /* size_t */
#include <time.h>        /* struct timespec */

#include "util/error.h" /* kj_error_t */

#define KJ_KUARD_PROBE_HISTORY 20

struct kj_kuard_probe_call {
    long long id;
    struct timespec when;
    int code;
};

struct kj_kuard_probe {
    long long fail_next;
    long long last_id;
    struct kj_kuard_probe_call history[KJ_KUARD_PROBE_HISTORY]; /* ring */
    size_t start, len;
};

/* Zero the probe and set its fail-next count. */
void kj_kuard_probe_init(struct kj_kuard_probe *p, long long fail_next);

/* Answer one probe call at time `now`: returns the HTTP status (200 or 500)
 * and writes the body ("ok", "fail, <n> left", "fail, permanent") into msg. */
int kj_kuard_probe_call(struct kj_kuard_probe *p, struct timespec now, char *msg, size_t size);

/* {"probePath":"","failNext":N,"history":[{"id","when","relWhen","code"}...]}
 * newest first. Owned; NULL on OOM. */
cJSON *kj_kuard_probe_status_json(const struct kj_kuard_probe *p, struct timespec now);

/* Apply a PUT body {"failNext":N} (missing = 0). Returns 0, or < 0 with a
 * 400 error in *err for invalid JSON or a non-integer failNext. */
int kj_kuard_probe_put(struct kj_kuard_probe *p, const char *body, size_t len, kj_error_t *err);

#endif
