#!/usr/bin/env bash
# kjobd's API under wrk, next to the engine's own API on the same machine:
#   1. GET one Job            /apis/batch/v1/namespaces/bench/jobs/job-1
#   2. LIST 1,000 Jobs        /apis/batch/v1/namespaces/bench/jobs
#   3. creates per second     POST of suspended Jobs (no pods are started)
#   4. engine GET /containers/json through bench/api_forward (wrk has no
#      unix socket support; the forwarder adds one copy per direction)
# The Jobs are created `suspend: true`, so nothing runs; kjobd uses a state
# dir of its own under /tmp, removed at the end. Run briefly (DUR seconds).
#
#   bench/api_wrk.sh [DUR=5] [BUILD=build/default]
set -euo pipefail
dur=${1:-5}
build=${2:-build/default}
kjobd=$build/bin/kjobd
fwd=$build/bench/api_forward
for b in "$kjobd" "$fwd"; do [ -x "$b" ] || { echo "missing $b (make bench)" >&2; exit 1; }; done
command -v wrk >/dev/null || { echo "wrk is not installed" >&2; exit 1; }

tmp=$(mktemp -d /tmp/kjob-bench.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
fport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
net=kjob-bench-$$
"$kjobd" --offline --network "$net" --network-internal --listen "127.0.0.1:$port" --state-dir "$tmp/state" \
    --log-level warn >"$tmp/kjobd.log" 2>&1 &
kpid=$!
"$fwd" "$fport" /var/run/docker.sock &
fpid=$!
cleanup() {
    kill "$kpid" "$fpid" 2>/dev/null || true
    wait "$kpid" 2>/dev/null || true
    docker network rm "$net" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT
url=http://127.0.0.1:$port
for _ in $(seq 100); do curl -sf "$url/readyz" >/dev/null && break; sleep 0.1; done

job() {
    printf '{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"%s"},"spec":{"suspend":true,"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"kjob/busybox","command":["true"]}]}}}}' "$1"
}
# 1,000 Jobs for the list (through the API: a real create path each).
t0=$(date +%s.%N)
for i in $(seq 1000); do job "job-$i"; echo; done |
    python3 -c '
import sys, urllib.request
for line in sys.stdin:
    req = urllib.request.Request(sys.argv[1], data=line.encode(), method="POST", headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req).read()
' "$url/apis/batch/v1/namespaces/bench/jobs"
t1=$(date +%s.%N)
echo "setup: 1,000 creates, one client, sequential: $(echo "scale=1; 1000 / ($t1 - $t0)" | bc) creates/s"

# wrk's summary: requests/s and the 99th percentile latency.
run() {
    local label=$1
    shift
    local out
    out=$(wrk --latency "$@")
    printf '%-44s %10s req/s   p99 %s\n' "$label" \
        "$(awk '/^Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1 == "99%" {print $2}' <<<"$out")"
}
run "kjobd GET job (4 conns, 1 thread)" -t1 -c4 -d"${dur}s" "$url/apis/batch/v1/namespaces/bench/jobs/job-1"
run "kjobd LIST 1,000 jobs (4 conns, 1 thread)" -t1 -c4 -d"${dur}s" "$url/apis/batch/v1/namespaces/bench/jobs"
run "kjobd LIST 1,000 jobs as Table (kubectl get)" -t1 -c4 -d"${dur}s" \
    -H 'Accept: application/json;as=Table;v=v1;g=meta.k8s.io' "$url/apis/batch/v1/namespaces/bench/jobs"
cat >"$tmp/create.lua" <<'LUA'
local n = 0
request = function()
    n = n + 1
    local body = string.format('{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"c-%d-%d"},"spec":{"suspend":true,"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"kjob/busybox","command":["true"]}]}}}}', math.random(1, 1e9), n)
    return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end
LUA
run "kjobd POST (create) suspended jobs (4 conns)" -t1 -c4 -d"${dur}s" -s "$tmp/create.lua" \
    "$url/apis/batch/v1/namespaces/bench2/jobs"
echo "engine: $(curl -s "http://127.0.0.1:$fport/containers/json?all=1" | python3 -c "import json,sys; print(len(json.load(sys.stdin)))") containers (all=1); kjobd list: $(curl -s "$url/apis/batch/v1/namespaces/bench/jobs" | wc -c) bytes"
run "engine GET /containers/json?all=1 (via forwarder)" -t1 -c4 -d"${dur}s" "http://127.0.0.1:$fport/containers/json?all=1"
run "engine GET /_ping (via forwarder)" -t1 -c4 -d"${dur}s" "http://127.0.0.1:$fport/_ping"
