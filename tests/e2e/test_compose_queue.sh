#!/usr/bin/env bash
# compose/queue end to end with Debian's docker-compose 1.29: kjobd in a
# container (unix socket in a shared volume), the memq server, the loader
# and the submitter on one internal network; the consumer pods kjobd creates
# join it and drain the queue. Images are built under a repository name of
# the test's own (KJOB_IMAGE_REPO) and removed afterwards.
# 100 RSA-4096 keys: ~2-3 minutes of CPU on 2 cores.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh

if ! command -v docker-compose >/dev/null 2>&1; then
    echo "ok 1 # SKIP docker-compose is not installed"
    echo "1..1"
    exit 0
fi
kj_require docker jq
bindir=${KJ_BIN_DIR:-$KJ_ROOT/bin}
repo=kjq$$
export KJOB_IMAGE_REPO=$repo
export KJOB_DEMO_NETWORK=kjq-net-$$
export KJOB_DEMO_PROJECT=kjq$$
on_exit "docker rmi $repo/kjobd:latest $repo/kuard:latest $repo/busybox:latest"

check "images for the demo ($repo/*)" env KJ_IMAGE_REPO=$repo scripts/build-images.sh "$bindir"
check "the kjobd image has /kjobctl and a shell" \
    docker run --rm --network none --entrypoint /bin/sh "$repo/kjobd:latest" -c 'test -x /kjobctl && command -v wget && command -v nc'

out=$KJ_TMP/compose.out
if timeout 270 compose/queue/run.sh >"$out" 2>&1; then
    ok "compose/queue/run.sh exits 0"
else
    not_ok "compose/queue/run.sh exits 0" "$(tail -n 40 "$out")"
fi
if grep -qE '^consumers +Complete ' "$out"; then
    ok "the consumers Job is Complete"
else
    not_ok "the consumers Job is Complete" "$(tail -n 20 "$out")"
fi
stats=$(grep -o '{"kind":"stats".*}' "$out" | tail -n 1)
check_eq "memq stats: enqueued 100, dequeued 100, depth 0" "100 100 0" \
    "$(jq -r '.queues[] | select(.name=="keygen") | "\(.enqueued) \(.dequeued) \(.depth)"' <<<"$stats" 2>&1)"
check_eq "the demo network is internal" "" "$(grep -n 'internal: true' compose/queue/docker-compose.yml >/dev/null || echo missing)"
check_eq "no container is left on the demo network" "" \
    "$(docker ps -aq --filter "network=$KJOB_DEMO_NETWORK" 2>/dev/null)"
check_eq "the demo network is gone" "" "$(docker network ls -q --filter "name=^$KJOB_DEMO_NETWORK\$")"
tap_done
