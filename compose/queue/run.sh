#!/usr/bin/env bash
# Run the queue demo to the end and clean up: exit status is the submitter's.
set -euo pipefail
cd "$(dirname "$0")"
compose=(docker-compose)
if ! command -v docker-compose >/dev/null 2>&1; then compose=(docker compose); fi
project=${KJOB_DEMO_PROJECT:-kjobqueue}
cleanup() {
    # the consumer pods are kjobd's, not compose's: remove them through their labels
    ids=$(docker ps -aq --filter "label=io.kjob.managed=true" --filter "network=${KJOB_DEMO_NETWORK:-kjob-queue-demo}")
    [ -z "$ids" ] || docker rm -f $ids >/dev/null
    "${compose[@]}" -p "$project" down -v --remove-orphans >/dev/null 2>&1 || true
}
trap cleanup EXIT
"${compose[@]}" -p "$project" up --abort-on-container-exit --exit-code-from submit
