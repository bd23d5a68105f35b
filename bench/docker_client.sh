#!/usr/bin/env bash
# pkg/docker vs the docker CLI on the same engine, same run:
#   N short containers (`true`, --network none) at concurrency C, each
#   created, started, waited for and removed.
#
#   bench/docker_client.sh [N=200] [C=10] [BIN=build/default/bench/docker_client] [MODE]
#
# MODE autoremove (default) matches `docker run --rm`: the engine removes the
# container (AutoRemove) and the client counts it at its `destroy` event.
# MODE remove is the older flow (wait for `die`, then DELETE from the client).
set -euo pipefail
n=${1:-200}
c=${2:-10}
bin=${3:-build/default/bench/docker_client}
mode=${4:-autoremove}
image=${KJ_BENCH_IMAGE:-kjob/busybox:latest}

[ -x "$bin" ] || { echo "missing $bin (make bench)" >&2; exit 1; }
docker image inspect "$image" >/dev/null

t0=$(date +%s.%N)
seq "$n" | xargs -P"$c" -I{} docker run --rm --network none "$image" true
t1=$(date +%s.%N)
cli=$(echo "$t1 - $t0" | bc)
echo "cli: $n containers, concurrency $c: $cli s wall"

out=$("$bin" "$n" "$c" "$image" none "$mode")
echo "$out"
client=$(echo "$out" | sed -n 's/.*: \([0-9.]*\) s wall.*/\1/p')
echo "ratio client/cli: $(echo "scale=2; $client / $cli" | bc)"
