#!/usr/bin/env bash
# Run the Jobs examples of "Kubernetes: Up and Running", chapter 12, on kjob.
#
#   make run                     (builds, starts the engine, builds images, then this)
#   scripts/run-examples.sh      (if bin/kjobd and the images already exist)
#
# Starts kjobd on 127.0.0.1:8001 (or reuses one already answering there),
# submits the book's manifests unmodified, shows what happens (Job status,
# pods, a few log lines) and stops the kjobd it started. Uses kubectl when it
# works against kjobd, otherwise plain curl on the same REST API.
#
# Knobs: KJOB_EXAMPLES="12-1 12-2 12-3 queue" (which ones; queue = 12-4..12-7), KJOBD_URL, KJOBD_BIN, KJOBD_FLAGS
# (extra flags for the kjobd started here), NO_COLOR=1.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BOOK=$ROOT/tests/fixtures/book
[ -f "$BOOK/12-1-job-oneshot.yaml" ] || BOOK=/work/shared/book/ch12
URL=${KJOBD_URL:-http://127.0.0.1:8001}
EXAMPLES=${KJOB_EXAMPLES:-12-1 12-2 12-3 queue}
NS=default
KJOBD_PID=
WORK=$(mktemp -d /tmp/kjob-examples.XXXXXX)

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
    B=$'\e[1m'; G=$'\e[32m'; R=$'\e[31m'; Y=$'\e[33m'; D=$'\e[2m'; N=$'\e[0m'
else
    B= G= R= Y= D= N=
fi
say()   { printf '%s\n' "$*"; }
title() { printf '\n%s== %s ==%s\n' "$B" "$*" "$N"; }
step()  { printf '%s-> %s%s\n' "$B" "$*" "$N"; }
cmd()   { printf '%s$ %s%s\n' "$D" "$*" "$N"; }
die()   { printf '%serror:%s %s\n' "$R" "$N" "$*" >&2; exit 1; }

for c in curl jq docker; do command -v "$c" >/dev/null || die "$c is required"; done

example_containers() {
    local ex
    for ex in $EXAMPLES; do
        [ "$ex" = queue ] && continue
        docker ps -aq --filter label=io.kjob.managed=true --filter "label=io.kjob.namespace=$NS" \
            --filter "label=io.kjob.job-name=$(job_name "$ex")"
    done
}

cleanup() {
    if [ -n "$KJOBD_PID" ]; then
        step "cleaning up: deleting the example Jobs and stopping the kjobd started for them"
        for ex in $EXAMPLES; do
            if [ "$ex" = queue ]; then queue_cleanup; else delete_job "$(job_name "$ex")" >/dev/null 2>&1; fi
        done
        for _ in $(seq 75); do [ -z "$(example_containers)" ] && break; sleep 0.2; done
        kill -TERM "$KJOBD_PID" 2>/dev/null
        wait "$KJOBD_PID" 2>/dev/null
        docker network rm kjob-examples >/dev/null 2>&1
        say "kjobd log: $WORK/kjobd.log"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

# ---- kjobd -------------------------------------------------------------------

healthy() { curl -sf "$URL/healthz" >/dev/null 2>&1; }
ready()   { curl -sf "$URL/readyz" >/dev/null 2>&1; }

title "kjobd"
if healthy; then
    say "reusing the kjobd already answering at $URL"
else
    KJOBD_BIN=${KJOBD_BIN:-$ROOT/bin/kjobd}
    [ -x "$KJOBD_BIN" ] || die "$KJOBD_BIN is missing: run \`make\` first"
    hostport=${URL#http://}
    # No registry is reachable here: --offline uses the images `make images`
    # built (the book's image name is a local tag), and the pods' network has
    # no outside access.
    flags=(--listen "$hostport" --state-dir "$WORK/state" --offline --network-internal
           --network kjob-examples --backoff-base 2s --backoff-max 10s)
    # shellcheck disable=SC2206
    [ -n "${KJOBD_FLAGS:-}" ] && flags+=($KJOBD_FLAGS)
    cmd "${KJOBD_BIN#"$ROOT"/} ${flags[*]} &"
    "$KJOBD_BIN" "${flags[@]}" >"$WORK/kjobd.log" 2>&1 &
    KJOBD_PID=$!
    for _ in $(seq 150); do ready && break; kill -0 "$KJOBD_PID" 2>/dev/null || break; sleep 0.2; done
    ready || { tail -n 20 "$WORK/kjobd.log" >&2; die "kjobd did not become ready (log above)"; }
    say "${G}kjobd is ready${N} at $URL (pid $KJOBD_PID)"
fi
say "version: $(curl -s "$URL/version" | jq -r .gitVersion)"

KUBECTL=
if command -v kubectl >/dev/null 2>&1 &&
   kubectl --server "$URL" get jobs -n "$NS" >/dev/null 2>&1; then
    KUBECTL="kubectl --server $URL -n $NS"
    say "using ${B}kubectl${N} against kjobd"
else
    say "using ${B}curl${N} on the REST API (kubectl is not available or does not work against kjobd yet)"
fi

# ---- helpers --------------------------------------------------------------------

job_name() { awk '/^metadata:/{m=1} m && /^  name:/{print $2; exit}' "$(manifest "$1")"; }
manifest() { ls "$BOOK/$1"-*.yaml | head -1; }
job_json() { curl -sf "$URL/apis/batch/v1/namespaces/$NS/jobs/$1"; }

delete_job() {
    if [ -n "$KUBECTL" ]; then
        $KUBECTL delete job "$1" --ignore-not-found --wait=false
    else
        curl -s -X DELETE "$URL/apis/batch/v1/namespaces/$NS/jobs/$1?propagationPolicy=Background" |
            jq -r '"\(.kind) \(.status // "") \(.message // "")"'
    fi
}

create_job() {
    local f=$1
    if [ -n "$KUBECTL" ]; then
        cmd "kubectl --server $URL apply -f ${f#"$ROOT"/}"
        $KUBECTL apply -f "$f"
    else
        cmd "curl -X POST -H 'Content-Type: application/yaml' --data-binary @${f#"$ROOT"/} $URL/apis/batch/v1/namespaces/$NS/jobs"
        curl -s -X POST -H 'Content-Type: application/yaml' --data-binary @"$f" \
            "$URL/apis/batch/v1/namespaces/$NS/jobs" >"$WORK/created.json"
        if jq -e '.kind == "Job"' "$WORK/created.json" >/dev/null; then
            say "job.batch/$(jq -r .metadata.name "$WORK/created.json") created"
        else
            jq -r '"\(.reason): \(.message)"' "$WORK/created.json"; return 1
        fi
    fi
}

status_line() {
    jq -r '.status as $s | (.spec.completions // 1) as $c |
      "  succeeded \($s.succeeded // 0)/\($c)   active \($s.active // 0)   failed \($s.failed // 0)   " +
      ([$s.conditions[]? | select(.status == "True") | .type] | join(","))' <<<"$1"
}

# wait_job NAME SECONDS: print progress until Complete or Failed.
wait_job() {
    local name=$1 limit=$2 start=$SECONDS last= j line
    while [ $((SECONDS - start)) -lt "$limit" ]; do
        j=$(job_json "$name") || { sleep 1; continue; }
        line=$(status_line "$j")
        [ "$line" != "$last" ] && printf '%s[%3ss]%s%s\n' "$D" $((SECONDS - start)) "$N" "$line"
        last=$line
        if jq -e '[.status.conditions[]? | select(.status == "True" and (.type == "Complete" or .type == "Failed"))] | length > 0' <<<"$j" >/dev/null; then
            return 0
        fi
        sleep 2
    done
    say "${Y}still running after ${limit}s; moving on${N}"
}

show_result() {
    local name=$1 j
    j=$(job_json "$name")
    step "result"
    jq -r '.status.conditions[]? | select(.status == "True" and (.type == "Complete" or .type == "Failed")) |
      "  \(.type): \(.reason // "") \(.message // "")"' <<<"$j" |
        sed -e "s/Complete:/${G}Complete${N}:/" -e "s/Failed:/${R}Failed${N}:/"
    if [ -n "$KUBECTL" ]; then
        cmd "kubectl get jobs,pods -l job-name=$name"
        $KUBECTL get jobs "$name" 2>&1; $KUBECTL get pods -l "job-name=$name" 2>&1
    else
        cmd "curl $URL/api/v1/namespaces/$NS/pods?labelSelector=job-name=$name"
        curl -s "$URL/api/v1/namespaces/$NS/pods?labelSelector=job-name%3D$name" |
            jq -r '["NAME","PHASE","EXIT","RESTARTS"], (.items[] | [.metadata.name, .status.phase,
              ((.status.containerStatuses // [])[0].state.terminated.exitCode // "-" | tostring),
              ((.status.containerStatuses // [])[0].restartCount // 0 | tostring)]) | @tsv' | column -t | sed 's/^/  /'
    fi
    step "events"
    cmd "curl '$URL/api/v1/namespaces/$NS/events?fieldSelector=involvedObject.name=$name'"
    curl -s "$URL/api/v1/namespaces/$NS/events?fieldSelector=involvedObject.name%3D$name" |
        jq -r '.items[] | "  \(.type)\t\(.reason)\t\(.message)"' | column -t -s $'\t' | tail -n 8
    local pod
    pod=$(curl -s "$URL/api/v1/namespaces/$NS/pods?labelSelector=job-name%3D$name" | jq -r '.items[0].metadata.name // empty')
    if [ -n "$pod" ]; then
        step "last log lines of $pod"
        if [ -n "$KUBECTL" ] && $KUBECTL logs "$pod" --tail 4 >/dev/null 2>&1; then
            $KUBECTL logs "$pod" --tail 4 | sed 's/^/  /'
        else
            cmd "docker logs --tail 4 $pod"
            docker logs --tail 4 "$pod" 2>&1 | sed 's/^/  /'
        fi
    fi
}

run_example() {
    local ex=$1 f name
    f=$(manifest "$ex") || return
    name=$(job_name "$ex")
    case "$ex" in
    12-1) title "12-1: a one-shot Job (kuard generates 10 keys, then exits 0)" ;;
    12-2) title "12-2: a one-shot Job that fails (kuard exits 1; restartPolicy OnFailure retries it in place)" ;;
    12-3) title "12-3: a parallel Job (10 completions, at most 5 pods at once; about a minute of CPU)" ;;
    *) title "$ex" ;;
    esac
    sed 's/^/  /' "$f"
    delete_job "$name" >/dev/null 2>&1
    sleep 1
    step "submit"
    create_job "$f" || return
    step "watch"
    case "$ex" in 12-3) wait_job "$name" 600 ;; *) wait_job "$name" 300 ;; esac
    show_result "$name"
}

# The work-queue pattern: 12-4 ReplicaSet and 12-5 Service run kuard's memq
# server, 12-6 loads 100 items through the Service proxy (nothing listens on
# the host's 8080, where the book port-forwards), 12-7 drains it with five
# consumers.
queue_cleanup() {
    [ -n "$KUBECTL" ] || return 0
    $KUBECTL delete job consumers --ignore-not-found >/dev/null 2>&1
    $KUBECTL delete rs/queue svc/queue --ignore-not-found >/dev/null 2>&1
}

run_queue() {
    title "12-4 .. 12-7: a work queue (a ReplicaSet + Service running kuard's memq, 100 items, five consumers; 2-3 minutes of CPU)"
    if [ -z "$KUBECTL" ]; then
        say "this one needs kubectl; skipped"
        return
    fi
    local proxy=$URL/api/v1/namespaces/$NS/services/queue:8080/proxy f
    queue_cleanup
    for f in 12-4-rs-queue 12-5-service-queue; do
        cmd "kubectl --server $URL apply -f tests/fixtures/book/$f.yaml"
        $KUBECTL apply -f "$BOOK/$f.yaml" | sed 's/^/  /'
    done
    step "wait for the queue (through the Service proxy: $proxy)"
    local i
    for i in $(seq 300); do
        curl -sf "$proxy/memq/server/stats" >/dev/null && break
        sleep 0.2
    done
    step "load it: 12-6-load-queue.sh, pointed at the proxy"
    sed "s#localhost:8080#$proxy#g" "$BOOK/12-6-load-queue.sh" >"$WORK/load-queue.sh"
    bash "$WORK/load-queue.sh" >/dev/null 2>&1 || { say "${R}loading the queue failed${N}"; return; }
    cmd "curl $proxy/memq/server/stats"
    curl -s "$proxy/memq/server/stats" | sed 's/^/  /'
    cmd "kubectl --server $URL apply -f tests/fixtures/book/12-7-job-consumers.yaml"
    $KUBECTL apply -f "$BOOK/12-7-job-consumers.yaml" | sed 's/^/  /'
    step "watch"
    cmd "kubectl --server $URL wait --for=condition=complete job/consumers --timeout=600s"
    $KUBECTL wait --for=condition=complete job/consumers --timeout=600s | sed 's/^/  /'
    cmd "kubectl --server $URL get rs,svc,jobs,pods"
    $KUBECTL get rs,svc,jobs,pods 2>&1 | sed 's/^/  /'
    cmd "curl $proxy/memq/server/stats"
    curl -s "$proxy/memq/server/stats" | sed 's/^/  /'
}

for ex in $EXAMPLES; do
    if [ "$ex" = queue ]; then run_queue; else run_example "$ex"; fi
done

title "done"
say "Try it yourself: start bin/kjobd, then"
if [ -n "$KUBECTL" ]; then
    say "  kubectl --server $URL apply -f job.yaml"
    say "  kubectl --server $URL get jobs,pods"
    say "  kubectl --server $URL describe job <name>"
    say "  kubectl --server $URL logs job/<name>"
else
    say "  curl -X POST -H 'Content-Type: application/yaml' --data-binary @job.yaml $URL/apis/batch/v1/namespaces/default/jobs"
    say "  curl $URL/apis/batch/v1/namespaces/default/jobs/<name>"
fi
