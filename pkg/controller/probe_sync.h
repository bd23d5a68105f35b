/* Readiness probes, pure parts: the probe spec of a container (core/v1
 * Probe JSON with its defaults) and the effect of one result on a pod's
 * readiness (success/failure thresholds). A Running pod is Ready unless a
 * readinessProbe says otherwise; with a probe it starts not ready and turns
 * ready after successThreshold consecutive successes, unready after
 * failureThreshold consecutive failures. Unit-tested in tests/unit/test_probe.c.
 */
#ifndef KJ_CONTROLLER_PROBE_SYNC_H
#define KJ_CONTROLLER_PROBE_SYNC_H

#include <stdbool.h> /* bool */
#include <stdint.h>  /* int64_t */

#include <cjson/cJSON.h> /* cJSON */

enum kj_probe_kind {
    KJ_PROBE_NONE = 0,
    KJ_PROBE_HTTP_GET,
    KJ_PROBE_TCP_SOCKET,
    KJ_PROBE_EXEC,
};

struct kj_probe_spec {
    enum kj_probe_kind kind;
    int port;          /* httpGet/tcpSocket; a named port resolved through the container's ports */
    const char *path;  /* httpGet, borrowed from the JSON ("/" when absent) */
    const cJSON *command; /* exec: array of strings, borrowed */
    int64_t initial_delay, period, timeout; /* ns */
    int success_threshold, failure_threshold;
};

/* Parse container.readinessProbe (`container` = one entry of
 * spec.containers). No probe, or one kjob cannot run (a port name that is
 * not declared, an exec without command): kind NONE. Strings are borrowed
 * from `container`. Defaults: period 10 s, timeout 1 s, success 1,
 * failure 3, initial delay 0. */
void kj_probe_spec_parse(const cJSON *container, struct kj_probe_spec *out);

struct kj_probe_state {
    bool ready;
    int successes; /* consecutive */
    int failures;  /* consecutive */
};

/* Record one result; returns true when `ready` changed. */
bool kj_probe_record(struct kj_probe_state *st, const struct kj_probe_spec *spec, bool success);

#endif
