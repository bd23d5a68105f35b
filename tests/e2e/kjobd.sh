# kjobd start/stop helpers for end-to-end scripts (source after lib.sh).
#
#   source tests/e2e/lib.sh
#   source tests/e2e/kjobd.sh
#   kjobd_start                 # on a free loopback port, own network + state dir
#   kj_api POST /apis/batch/v1/namespaces/$KJ_NS/jobs -H 'Content-Type: application/yaml' --data-binary @f.yaml
#   ...
#   tap_done                    # kjobd is stopped and checked for sanitizer reports on exit
#
# Every test uses its own namespace (KJ_NS, default kjt-<pid>) and network;
# containers kjobd made for that namespace are removed on exit.

KJ_NS=${KJ_NS:-kjt-$$}
KJOBD_BIN=${KJOBD_BIN:-$KJ_ROOT/bin/kjobd}
KJOBD_PID=
KJOBD_PORT=
KJOBD_URL=
KJOBD_LOG=$KJ_TMP/kjobd.log
KJOBD_STARTS=0

# A free TCP port on 127.0.0.1 (bind to 0, read it back).
kj_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

_kjobd_ready() { curl -sf "$KJOBD_URL/readyz" >/dev/null; }

# kjobd_start [extra flags...]: start (or restart, same port and state) kjobd.
# Scripts driven by kubectl: without it the whole script is one skip.
kj_require_kubectl() {
    if ! command -v kubectl >/dev/null 2>&1; then
        echo "ok 1 # SKIP kubectl is not installed"
        echo "1..1"
        exit 0
    fi
}

# After kjobd_start: K is kubectl on that kjobd in the test namespace (no
# kubeconfig), kc the same with stderr folded into stdout.
kubectl_on_kjobd() {
    export KUBECONFIG=/dev/null
    K=(kubectl --server "$KJOBD_URL" -n "$KJ_NS")
}
kc() { "${K[@]}" "$@" 2>&1; }

kjobd_start() {
    kj_require curl jq docker
    kj_test_network
    [ -n "$KJOBD_PORT" ] || KJOBD_PORT=$(kj_free_port)
    KJOBD_URL=http://127.0.0.1:$KJOBD_PORT
    KJOBD_STARTS=$((KJOBD_STARTS + 1))
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
        "$KJOBD_BIN" --offline --network-internal --network "$KJ_TEST_NET" \
        --listen "127.0.0.1:$KJOBD_PORT" --state-dir "$KJ_TMP/state" \
        --backoff-base 1s --backoff-max 4s --resync-period 2s --log-level "${KJOBD_LOG_LEVEL:-info}" \
        "$@" >>"$KJOBD_LOG" 2>&1 &
    KJOBD_PID=$!
    if ! wait_for 30 _kjobd_ready; then
        echo "Bail out! kjobd did not become ready on $KJOBD_URL"
        tail -n 30 "$KJOBD_LOG" | sed 's/^/# /'
        exit 1
    fi
}

# kjobd_stop [SIGNAL]: stop kjobd (default TERM, waits for exit).
kjobd_stop() {
    local sig=${1:-TERM}
    [ -n "$KJOBD_PID" ] || return 0
    kill -"$sig" "$KJOBD_PID" 2>/dev/null
    wait "$KJOBD_PID" 2>/dev/null
    KJOBD_PID=
}

# Fails the test (not ok) when kjobd's log holds a sanitizer report.
kjobd_check_sanitizers() {
    if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Undefined)' "$KJOBD_LOG" 2>/dev/null; then
        not_ok "kjobd ran without sanitizer reports" "$(grep -E -A20 'ERROR: |runtime error:' "$KJOBD_LOG" | head -40)"
    else
        ok "kjobd ran without sanitizer reports"
    fi
}

# Containers kjobd created for this test's namespace.
kj_ns_containers() {
    docker ps -aq --filter "label=io.kjob.managed=true" --filter "label=io.kjob.namespace=$KJ_NS"
}

_kjobd_cleanup() {
    kjobd_stop TERM
    if [ -z "${KJOBD_TEST_KEEP:-}" ]; then
        local ids
        ids=$(kj_ns_containers 2>/dev/null)
        [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1
    fi
}
on_exit _kjobd_cleanup

# tap_done wrapper: stop kjobd and look at its log before the plan line.
kjobd_done() {
    kjobd_stop TERM
    kjobd_check_sanitizers
    tap_done
}

# kj_api METHOD PATH [curl args...]: the response body on stdout; the HTTP
# status in $KJ_HTTP_CODE (via a file, since this runs in subshells).
kj_api() {
    local method=$1 path=$2; shift 2
    curl -s -X "$method" -o "$KJ_TMP/body" -w '%{http_code}' "$KJOBD_URL$path" "$@" >"$KJ_TMP/code"
    cat "$KJ_TMP/body"
}
kj_code() { cat "$KJ_TMP/code"; }

# kj_create_yaml FILE: POST a manifest into the test namespace; prints the Job.
kj_create_yaml() {
    kj_api POST "/apis/batch/v1/namespaces/$KJ_NS/jobs" -H 'Content-Type: application/yaml' --data-binary @"$1"
}

kj_job() { curl -sf "$KJOBD_URL/apis/batch/v1/namespaces/$KJ_NS/jobs/$1"; }

# kj_job_condition NAME TYPE: succeeds when the Job has condition TYPE=True.
kj_job_condition() {
    kj_job "$1" | jq -e --arg t "$2" '.status.conditions // [] | any(.type == $t and .status == "True")' >/dev/null
}

kj_pods() { curl -sf "$KJOBD_URL/api/v1/namespaces/$KJ_NS/pods${1:+?labelSelector=$1}"; }

# Show what happened when a check fails (for diagnostics).
kj_dump() {
    diag "job: $(kj_job "$1" | jq -c '.status' 2>/dev/null)"
    diag "pods: $(kj_pods | jq -c '[.items[] | {n: .metadata.name, p: .status.phase}]' 2>/dev/null)"
    diag "$(tail -n 15 "$KJOBD_LOG")"
}

# kj_events_record FILE: stream the engine's start/die events for this
# test's namespace into FILE ("<timeNano> <action> <container id>" lines)
# from now on, in the background. The engine replays only its last 256
# events, so asking afterwards with --since/--until loses them when the
# engine is busy; a stream started before the Job sees every one.
KJ_EVENTS_PID=
kj_events_record() {
    docker events --since "$(date +%s)" --filter type=container \
        --filter "label=io.kjob.namespace=$KJ_NS" --filter event=start --filter event=die \
        --format '{{.TimeNano}} {{.Action}} {{.Actor.ID}}' >"$1" 2>/dev/null &
    KJ_EVENTS_PID=$!
    on_exit "kill $KJ_EVENTS_PID"
}
# kj_events_count FILE ACTION: how many ACTION lines FILE holds.
kj_events_count() { grep -c " $2 " "$1" 2>/dev/null || true; }
kj_events_stop() { [ -z "$KJ_EVENTS_PID" ] || kill "$KJ_EVENTS_PID" 2>/dev/null; KJ_EVENTS_PID=; }

# The book's manifests (copies of shared/book/ch12).
KJ_BOOK=$KJ_ROOT/tests/fixtures/book
[ -f "$KJ_BOOK/12-1-job-oneshot.yaml" ] || KJ_BOOK=/work/shared/book/ch12
