#!/usr/bin/env bash
# pkg/docker vs the docker CLI on the same engine, same run:
#   N short containers (`true`, --network none) at concurrency C, each
#   created, started, waited for and removed.
#
#   bench/docker_client.sh [N=200] [C=10] [BIN=build/default/bench/docker_client] [MODE] [ROUNDS=3] [NET=none]
#
# NET is the client side's network: `none` is the CLI's `--network none`
# (the same create body), `disabled` asks the engine for no network at all
# (Config.NetworkDisabled, which the CLI cannot send): no libnetwork sandbox,
# so two fewer re-executions of dockerd per container. The CLI side is
# always `--network none`.
#
# MODE autoremove (default) matches `docker run --rm`: the engine removes the
# container (AutoRemove) and the client counts it at its `destroy` event.
# MODE remove is the older flow (wait for `die`, then DELETE from the client).
# MODE overlap frees the slot at `die` and lets the engine's removal overlap
# the next creates (not what the CLI loop does; reported apart).
# MODE keep is the issue's wording: create + start + wait-for-exit against
# `docker run` without --rm; both sides leave their containers, which are
# removed after each side's clock stops (not timed).
#
# Each round runs both sides back to back; the side that goes first
# alternates (odd rounds the CLI, even rounds the client), because the
# engine's load builds up during a side and drifts with other users of the
# machine. Every side prints the 1-minute load average it started at. The
# summary is the median of the per-round ratios client/CLI.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
n=${1:-200}
c=${2:-10}
bin=${3:-build/default/bench/docker_client}
mode=${4:-autoremove}
rounds=${5:-3}
net=${6:-none}
case $net in none | disabled) ;; *) echo "NET must be none or disabled" >&2; exit 2 ;; esac
image=${KJ_BENCH_IMAGE:-kjob/busybox:latest}

[ -x "$bin" ] || { echo "missing $bin (make bench)" >&2; exit 1; }
docker image inspect "$image" >/dev/null

tmp=$(mktemp /tmp/kjob-bench-client.XXXXXX)


label=kjbench-client-$$
rm_flag=--rm
[ "$mode" = keep ] && rm_flag=
leftovers() { # untimed: what MODE keep leaves behind
    docker ps -aq --filter "label=io.kjob.bench=$label" | xargs -r docker rm -f >/dev/null
}
trap 'leftovers; rm -f "$tmp"' EXIT

cli_side() { # prints the wall time in seconds
    local t0 t1
    t0=$(date +%s.%N)
    seq "$n" | xargs -P"$c" -I{} docker run $rm_flag --network none \
        --label "io.kjob.bench=$label" "$image" true
    t1=$(date +%s.%N)
    leftovers
    echo "$t1 - $t0" | bc
}

client_side() { # prints the wall time in seconds; keeps the client's own line
    "$bin" "$n" "$c" "$image" "$net" "$mode" "$label" >"$tmp"
    leftovers
    sed -n 's/.*: \([0-9.]*\) s wall.*/\1/p' "$tmp"
}

echo "docker_client.sh: $(date -u +%FT%TZ), $(nproc) CPUs, $n containers, concurrency $c, mode $mode, client network $net, $rounds rounds"
ratios=()
for r in $(seq "$rounds"); do
    if [ $((r % 2)) -eq 1 ]; then order="cli client"; else order="client cli"; fi
    declare -A wall=() at=()
    for side in $order; do
        at[$side]=$(load1)
        wall[$side]=$("${side}_side")
    done
    ratio=$(echo "scale=3; ${wall[client]} / ${wall[cli]}" | bc)
    ratios+=("$ratio")
    printf 'round %d (%s first): cli %.2f s (load %s), client %.2f s (load %s), ratio %.2f\n' \
        "$r" "${order%% *}" "${wall[cli]}" "${at[cli]}" "${wall[client]}" "${at[client]}" "$ratio"
    sed 's/^/  /' "$tmp"
    unset wall at
done
median=$(median "${ratios[@]}")
printf 'ratio client/cli: median %.2f over %d rounds (%s); load after %s\n' "$median" "$rounds" \
    "$(printf '%.2f ' "${ratios[@]}" | sed 's/ $//')" "$(cut -d' ' -f1-3 /proc/loadavg)"
