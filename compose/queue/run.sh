#!/usr/bin/env bash
# Run the queue demo to the end and clean up: exit status is the submitter's.
# Works with docker-compose 1.29 (Debian) and the compose plugin. The steps
# run one after the other rather than with `up --abort-on-container-exit`,
# which would stop everything as soon as the loader has finished its work.
set -euo pipefail
cd "$(dirname "$0")"
compose=(docker-compose)
if ! command -v docker-compose >/dev/null 2>&1; then compose=(docker compose); fi
project=${KJOB_DEMO_PROJECT:-kjobqueue}
network=${KJOB_DEMO_NETWORK:-kjob-queue-demo}
dc() { "${compose[@]}" -p "$project" "$@"; }
cleanup() {
    # the consumer pods are kjobd's, not compose's: remove them through their labels
    ids=$(docker ps -aq --filter "label=io.kjob.managed=true" --filter "network=$network")
    [ -z "$ids" ] || docker rm -f $ids >/dev/null
    dc down -v --remove-orphans >/dev/null 2>&1 || true
}
trap cleanup EXIT
dc up -d kjobd queue
rc=0
dc run --rm -T --no-deps loader >/dev/null || rc=$?
if [ "$rc" -eq 0 ]; then
    echo "loader: 100 items enqueued"
    dc run --rm -T --no-deps submit || rc=$?
fi
if [ "$rc" -ne 0 ]; then
    echo "run.sh: failed (exit $rc); kjobd's last words:" >&2
    dc logs --no-color --tail 20 kjobd >&2 || true
fi
exit "$rc"
