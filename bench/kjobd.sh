#!/usr/bin/env bash
# kjobd end to end, against the docker CLI on the same engine in the same run.
#
#   bench/kjobd.sh [makespan|latency|memory|all] [KJOBD=bin/kjobd]
#
#   makespan  a Job of 100 completions, parallelism 10, of `true`, from POST
#             to the Complete condition; against the same container run by
#             seq 100 | xargs -P10 -I{} docker run --rm --network NET IMAGE true
#             on kjobd's network, as the pods run (the target's comparison),
#             and with --network none (what the network set-up costs the
#             engine: a pod always has one). Then the Job is deleted
#             (propagationPolicy=Background) and the time until its 100
#             exited containers are gone is shown apart.
#             KJ_BENCH_KJOB_FIRST=1 runs the Job before the shell loops;
#             KJ_BENCH_ROUNDS=N alternates N rounds and prints medians.
#   latency   POST of a one-pod Job (sleep 30) to the engine's `start` event of
#             its container, against `docker run -d` of the same container to
#             its `start` event; N runs each (KJ_BENCH_RUNS, default 10),
#             alternated so that engine load drifts evenly over both sides.
#   memory    kjobd's VmRSS just started on an empty state dir, with 1,000
#             finished Jobs (completions: 0, created through the API) and
#             after a restart that loads them; CPU ticks over 30 s idle.
#
# kjobd runs as the e2e tests run it (--offline --network-internal, own
# network, loopback port, temp state dir). Everything made in the engine
# carries io.kjob.bench=<id> (kjobd's pods also io.kjob.namespace=<ns>) and
# is removed on exit, however the script ends.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

what=${1:-all}
KJOBD=${2:-${KJOBD:-bin/kjobd}}
IMAGE=${KJ_BENCH_IMAGE:-kjob/busybox:latest}
RUNS=${KJ_BENCH_RUNS:-10}
ID=kjbench-$$
NS=$ID
NET=$ID
TMP=$(mktemp -d /tmp/kjob-bench-kjobd.XXXXXX)
KPID=
EPIDS=()
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
URL=http://127.0.0.1:$PORT
JOBS=$URL/apis/batch/v1/namespaces/$NS/jobs

die() { echo "kjobd.sh: $*" >&2; exit 1; }

kjobd_stop() {
    [ -n "$KPID" ] || return 0
    kill -TERM "$KPID" 2>/dev/null
    local deadline=$((SECONDS + 15))
    while kill -0 "$KPID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
    kill -KILL "$KPID" 2>/dev/null
    wait "$KPID" 2>/dev/null
    KPID=
}

our_containers() {
    { docker ps -aq --filter "label=io.kjob.bench=$ID"
      docker ps -aq --filter "label=io.kjob.namespace=$NS"; } 2>/dev/null | sort -u
}

cleanup() {
    local p ids
    kjobd_stop
    for p in "${EPIDS[@]}"; do kill "$p" 2>/dev/null; done
    mapfile -t ids < <(our_containers)
    [ "${#ids[@]}" -eq 0 ] || docker rm -f "${ids[@]}" >/dev/null 2>&1
    # The engine can report endpoints of just-removed containers for a while.
    wait_for 20 docker network rm "$NET" || echo "kjobd.sh: network $NET not removed" >&2
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_for SECONDS CMD...: poll CMD every 0.05 s until it succeeds; 1 on timeout.
wait_for() {
    local deadline=$((SECONDS + $1)); shift
    while ! "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.05
    done
}

kjobd_start() {
    "$KJOBD" --offline --network-internal --network "$NET" --listen "127.0.0.1:$PORT" \
        --state-dir "$TMP/state" --log-level warn >>"$TMP/kjobd.log" 2>&1 &
    KPID=$!
    wait_for 30 curl -sf "$URL/readyz" || { tail -n 20 "$TMP/kjobd.log" >&2; die "kjobd not ready on $URL"; }
}

now_ns() { date +%s%N; }
secs() { echo "scale=2; $1 / 1000000000" | bc; }
ms() { echo "scale=0; $1 / 1000000" | bc; }
ratio() { echo "scale=2; $1 / $2" | bc; }

post_job() { # JSON: prints the HTTP code
    curl -s -o "$TMP/post.out" -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data-binary "$1" "$JOBS"
}
delete_job() {
    curl -sf -o /dev/null -X DELETE "$JOBS/$1?propagationPolicy=Background"
}
job_done() { # NAME: 0 when Complete, 2 when Failed, 1 otherwise
    local c
    c=$(curl -sf "$JOBS/$1" | jq -r '[.status.conditions // [] | .[] | select(.status == "True") | .type] | join(",")')
    case "$c" in *Complete*) return 0 ;; *Failed*) return 2 ;; *) return 1 ;; esac
}
no_containers() { [ -z "$(docker ps -aq --filter "label=$1")" ]; }

job_json() { # NAME COMPLETIONS PARALLELISM RUNLABEL COMMAND-JSON
    printf '{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"%s"},"spec":{"completions":%s,"parallelism":%s,"template":{"metadata":{"labels":{"io.kjob.bench":"%s","io.kjob.bench-run":"%s"}},"spec":{"restartPolicy":"Never","terminationGracePeriodSeconds":0,"containers":[{"name":"c","image":"%s","command":%s}]}}}}' \
        "$1" "$2" "$3" "$ID" "$4" "$IMAGE" "$5"
}

# An events stream is live once a container of ours shows up in it (the
# engine replays only its last 256 events, so it must be live before a run).
events_live() {
    docker run -d --network none --label "io.kjob.bench=$ID" --label io.kjob.bench-run=warm "$IMAGE" true \
        >/dev/null 2>>"$TMP/docker.err" || die "docker run failed"
    wait_for 30 grep -q ' warm$' "$1" || die "the engine's events stream shows nothing"
    docker ps -aq --filter label=io.kjob.bench-run=warm --filter "label=io.kjob.bench=$ID" |
        xargs -r docker rm -f >/dev/null 2>&1
}

# Per run label in the events file: containers, mean create->start and
# start->die, and the mean number of containers alive (create..die summed
# over the span from the first create to the last die).
event_summary() { # FILE LABEL
    sort -n "$1" | awk -v r="$2" '$4 == r {
            t[$2, $3] = $1
            if ($2 == "create") { ids[$3] = 1; cr[++nc] = $1 }
            if ($2 == "die") dd[++nd] = $1
        }
        END {
            for (id in ids) if ((("die", id) in t) && (("start", id) in t)) {
                n++; cs += t["start", id] - t["create", id]; sd += t["die", id] - t["start", id]
                alive += t["die", id] - t["create", id]
            }
            if (n == 0) { print "  engine events: none"; exit }
            # The j-th create (j > 10) takes the slot the (j-10)-th die freed.
            for (j = 11; j <= nc && j - 10 <= nd; j++) { g += cr[j] - dd[j - 10]; ng++ }
            span = dd[nd] - cr[1]
            printf "  engine events: %d containers; mean create->start %.0f ms, start->die %.0f ms, die->next create %.0f ms; mean alive %.1f over %.2f s (first create to last die)\n",
                n, cs / n / 1e6, sd / n / 1e6, ng ? g / ng / 1e6 : 0, alive / span, span / 1e9
        }'
}
dies_seen() { [ "$(awk -v r="$2" '$2 == "die" && $4 == r' "$1" | wc -l)" -ge 100 ]; }

shell_loop() { # RUNLABEL NETWORK: prints ns
    local t0 t1
    t0=$(now_ns)
    seq 100 | xargs -P10 -I{} docker run --rm --network "$2" --label "io.kjob.bench=$ID" \
        --label "io.kjob.bench-run=$1" "$IMAGE" true \
        2>>"$TMP/docker.err" || { tail -n 5 "$TMP/docker.err" >&2; die "shell loop failed"; }
    t1=$(now_ns)
    echo $((t1 - t0))
}

kjob_makespan() { # sets kj and rm_t (ns)
    local t0 t1 code end wfd wpid
    t0=$(now_ns)
    code=$(post_job "$(job_json "$MK" 100 10 "$MK" '["true"]')")
    [ "$code" = 201 ] || die "POST $MK: $code $(cat "$TMP/post.out")"
    # A watch tells the end the moment it is written, at no cost while
    # waiting (polling with curl and jq every 50 ms took ~4 % of the CPU
    # the engine needs). Without a resourceVersion it starts with the Job as
    # it is now, so it may open after the POST.
    exec {wfd}< <(exec curl -sN "$JOBS?watch=1&fieldSelector=metadata.name=$MK")
    wpid=$!
    end=$(timeout 900 grep -m1 -oE '"type":"(Complete|Failed)","status":"True"' <&"$wfd")
    t1=$(now_ns)
    kill "$wpid" 2>/dev/null
    exec {wfd}<&-
    case "$end" in
    *Complete*) ;;
    *Failed*) die "makespan Job failed: $(curl -sf "$JOBS/$MK" | jq -c .status)" ;;
    *) die "makespan Job not complete after 900 s" ;;
    esac
    kj=$((t1 - t0))
    echo "kjob Job (POST to Complete; 100 exited containers kept; load at start $1): $(secs $kj) s;" \
        "status $(curl -sf "$JOBS/$MK" | jq -c '{succeeded: .status.succeeded, failed: (.status.failed // 0)}')"
    wait_for 30 dies_seen "$ev" "$MK"
    event_summary "$ev" "$MK"
    t0=$(now_ns)
    delete_job "$MK" || die "DELETE makespan failed"
    wait_for 600 no_containers "io.kjob.bench-run=$MK" || die "makespan containers still there after 600 s"
    rm_t=$(($(now_ns) - t0))
    echo "kjob DELETE (Background) to all 100 containers removed: $(secs $rm_t) s"
}

shell_makespan() { # sets shell and shellnet (ns)
    local l
    l=$(load1)
    shell=$(shell_loop "shell-none$R" none) || exit 1
    echo "shell loop, --network none (no network set-up; load at start $l): $(secs "$shell") s"
    wait_for 30 dies_seen "$ev" "shell-none$R"
    event_summary "$ev" "shell-none$R"
    l=$(load1)
    shellnet=$(shell_loop "shell-net$R" "$NET") || exit 1
    echo "shell loop, --network $NET (kjobd's internal bridge, as the pods: the target's comparison; load at start $l): $(secs "$shellnet") s"
    wait_for 30 dies_seen "$ev" "shell-net$R"
    event_summary "$ev" "shell-net$R"
}

# KJ_BENCH_KJOB_FIRST=1 runs the Job before the shell loops in the first
# round; KJ_BENCH_ROUNDS=N runs N rounds alternating which side goes first
# (the load a side leaves behind then falls on both) and prints the median
# of the rounds' ratios.
bench_makespan() {
    echo "== makespan: 100 completions, parallelism 10, '$IMAGE true' (load $(load))"
    ev=$TMP/mk-events
    local shell shellnet kj rm_t r first net=() none=()
    docker events --since "$(date +%s)" --filter type=container --filter event=create --filter event=start \
        --filter event=die --filter "label=io.kjob.bench=$ID" \
        --format '{{.TimeNano}} {{.Action}} {{.Actor.ID}} {{index .Actor.Attributes "io.kjob.bench-run"}}' >"$ev" 2>/dev/null &
    EPIDS+=($!)
    events_live "$ev"
    first=${KJ_BENCH_KJOB_FIRST:-0}
    for r in $(seq "${KJ_BENCH_ROUNDS:-1}"); do
        R=-r$r
        MK=makespan$R
        echo "-- round $r ($([ "$first" = 1 ] && echo kjob || echo shell) first)"
        if [ "$first" = 1 ]; then
            kjob_makespan "$(load1)"
            shell_makespan
        else
            shell_makespan
            kjob_makespan "$(load1)"
        fi
        net+=("$(ratio $kj "$shellnet")")
        none+=("$(ratio $kj "$shell")")
        echo "ratio kjob/shell($NET): ${net[-1]} (Job only), $(ratio $((kj + rm_t)) "$shellnet") (Job + removal);" \
            "kjob/shell(none): ${none[-1]}"
        first=$((1 - first))
    done
    if [ "${#net[@]}" -gt 1 ]; then
        echo "median over ${#net[@]} rounds: kjob/shell(same network) $(median "${net[@]}") (${net[*]});" \
            "kjob/shell(none) $(median "${none[@]}")"
    fi
    echo "load after: $(load)"
}

# Latency of run $1 from t0 $2 in the events file $3 (prints ns).
event_after() {
    local tn
    wait_for 120 grep -q " $1\$" "$3" || die "no start event for $1 after 120 s"
    tn=$(awk -v r="$1" '$2 == r {print $1; exit}' "$3")
    echo $((tn - $2))
}

stats() { # label then ns values on stdin: median and p90 (nearest rank)
    local -a v
    mapfile -t v < <(sort -n)
    local n=${#v[@]}
    local p90=$(( (n * 9 + 9) / 10 - 1 ))
    echo "$1: n=$n median $(ms "${v[$(((n - 1) / 2))]}") ms, p90 $(ms "${v[$p90]}") ms," \
        "min $(ms "${v[0]}") ms, max $(ms "${v[$((n - 1))]}") ms"
    echo "${v[$(((n - 1) / 2))]} ${v[$p90]}" >"$TMP/stats.$1"
}

bench_latency() {
    echo "== submit-to-running: one-pod Job 'sleep 30' vs docker run -d, $RUNS runs each (load $(load))"
    local ev=$TMP/events i t0 code
    docker events --since "$(date +%s)" --filter type=container --filter event=start \
        --filter "label=io.kjob.bench=$ID" \
        --format '{{.TimeNano}} {{index .Actor.Attributes "io.kjob.bench-run"}}' >"$ev" 2>/dev/null &
    EPIDS+=($!)
    events_live "$ev"

    : >"$TMP/lat.kjob"; : >"$TMP/lat.docker"
    for i in $(seq "$RUNS"); do
        t0=$(now_ns)
        code=$(post_job "$(job_json "lat-$i" 1 1 "k$i" '["sleep","30"]')")
        [ "$code" = 201 ] || die "POST lat-$i: $code $(cat "$TMP/post.out")"
        event_after "k$i" "$t0" "$ev" >>"$TMP/lat.kjob" || exit 1
        delete_job "lat-$i" || die "DELETE lat-$i failed"
        wait_for 60 no_containers "io.kjob.bench-run=k$i" || die "lat-$i container not removed"

        t0=$(now_ns)
        docker run -d --network "$NET" --label "io.kjob.bench=$ID" --label "io.kjob.bench-run=d$i" \
            "$IMAGE" sleep 30 >"$TMP/cid" 2>>"$TMP/docker.err" || die "docker run -d failed"
        event_after "d$i" "$t0" "$ev" >>"$TMP/lat.docker" || exit 1
        docker rm -f "$(cat "$TMP/cid")" >/dev/null
    done
    stats kjob <"$TMP/lat.kjob"
    stats docker <"$TMP/lat.docker"
    local k d
    read -r -a k <"$TMP/stats.kjob"
    read -r -a d <"$TMP/stats.docker"
    echo "ratio kjob/docker: median $(ratio "${k[0]}" "${d[0]}"), p90 $(ratio "${k[1]}" "${d[1]}")"
    echo "kjob ms:   $(while read -r x; do printf '%s ' "$(ms "$x")"; done <"$TMP/lat.kjob")"
    echo "docker ms: $(while read -r x; do printf '%s ' "$(ms "$x")"; done <"$TMP/lat.docker")"
    echo "load after: $(load)"
}

rss() {
    awk '$1 ~ /^(VmRSS|RssAnon|RssFile):$/ {v[$1] = $2 / 1024}
         END {printf "%.1f MiB (anon %.1f, file %.1f", v["VmRSS:"], v["RssAnon:"], v["RssFile:"]}' "/proc/$KPID/status"
    awk '$1 == "Pss:" {printf ", Pss %.1f)", $2 / 1024}' "/proc/$KPID/smaps_rollup"
}
wakeups() { awk '$1 == "voluntary_ctxt_switches:" {v = $2} $1 == "nonvoluntary_ctxt_switches:" {n = $2} END {print v + n}' "/proc/$KPID/status"; }
hwm() { awk '$1 == "VmHWM:" {printf "%.1f MiB", $2 / 1024}' "/proc/$KPID/status"; }
# utime + stime in clock ticks; fields counted after the ")" closing comm.
cpu_ticks() { sed 's/.*) //' "/proc/$KPID/stat" | awk '{print $12 + $13}'; }
idle_cpu() { # over 30 s
    local c0 c1 w0 w1
    c0=$(cpu_ticks); w0=$(wakeups)
    sleep 30
    c1=$(cpu_ticks); w1=$(wakeups)
    echo "$1: over 30 s idle: CPU $((c1 - c0)) ticks of 1/$(getconf CLK_TCK) s (utime+stime)," \
        "$((w1 - w0)) context switches; RSS after $(rss)"
}
all_complete() {
    [ "$(curl -sf "$JOBS" | jq '[.items[] | select(any(.status.conditions // [] | .[]; .type == "Complete" and .status == "True"))] | length')" = 1000 ]
}

bench_memory() {
    echo "== kjobd memory and idle CPU (load $(load))"
    rm -rf "$TMP/state"
    kjobd_start
    echo "empty state dir, just ready: VmRSS $(rss)"
    idle_cpu "empty state dir"

    local t0 t1
    t0=$(now_ns)
    for i in $(seq 1000); do
        printf '{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"done-%s"},"spec":{"completions":0,"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"%s","command":["true"]}]}}}}\n' "$i" "$IMAGE"
    done | python3 -c '
import sys, urllib.request
for line in sys.stdin:
    req = urllib.request.Request(sys.argv[1], data=line.encode(), method="POST", headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=30).read()
' "$JOBS" || die "creating 1,000 Jobs failed"
    wait_for 300 all_complete || die "1,000 Jobs not all Complete after 300 s"
    t1=$(now_ns)
    echo "1,000 Jobs (completions: 0) created and Complete in $(secs $((t1 - t0))) s; VmRSS $(rss), VmHWM $(hwm)"
    echo "state dir: $(du -sh "$TMP/state" | cut -f1), $(find "$TMP/state" -type f | wc -l) files"

    kjobd_stop
    kjobd_start
    echo "restarted on 1,000 finished Jobs, just ready: VmRSS $(rss), VmHWM $(hwm)"
    all_complete || die "after restart not all 1,000 Jobs are Complete"
    local rv0
    rv0=$(curl -sf "$JOBS?limit=1" | jq -r .metadata.resourceVersion)
    idle_cpu "1,000 finished Jobs, first 30 s"
    idle_cpu "1,000 finished Jobs, next 30 s"
    echo "store resourceVersion over the 60 s: $rv0 -> $(curl -sf "$JOBS?limit=1" | jq -r .metadata.resourceVersion)"
    kjobd_stop
    echo "load after: $(load)"
}

[ -x "$KJOBD" ] || die "missing $KJOBD (make)"
for c in docker curl jq bc python3; do command -v "$c" >/dev/null || die "$c is required"; done
docker image inspect "$IMAGE" >/dev/null 2>&1 || die "image $IMAGE is missing (make images)"
echo "kjobd.sh: $(date -u +%FT%TZ), $(nproc) CPUs, kjobd $KJOBD, $(docker version -f 'engine {{.Server.Version}} (API {{.Server.APIVersion}})')"

case "$what" in
    makespan) kjobd_start; bench_makespan ;;
    latency) kjobd_start; bench_latency ;;
    memory) bench_memory ;;
    all) bench_memory; rm -rf "$TMP/state"; kjobd_start; bench_latency; bench_makespan ;;
    *) die "usage: bench/kjobd.sh [makespan|latency|memory|all] [KJOBD]" ;;
esac
