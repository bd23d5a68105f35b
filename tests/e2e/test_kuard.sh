#!/usr/bin/env bash
# kjob/kuard:latest against the real engine: the one-shot keygen Job
# workload, its exit code, and the work-queue pattern (memq server + two
# consumers) of the book's chapter 12. Needs `make images`.
# Keys are CPU-bound (~1 s each at 4096 bits), so the counts stay small.
source "$(dirname "$0")/lib.sh"
kj_require docker curl jq

IMAGE=${KUARD_IMAGE:-kjob/kuard:latest}
if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
    echo "Bail out! $IMAGE not found; run make images (or scripts/build-images.sh <bindir>)"
    exit 1
fi
kj_test_network
P=kjt-kuard-$$

# run NAME ARGS...: a detached kuard container on the test network.
run() {
    local name=$1 out; shift
    # stderr only on failure: the engine warns about IPv4 forwarding on every run.
    out=$(docker run -d --pull never --name "$name" --label "io.kjob.test=$KJ_TEST_ID" \
        --network "$KJ_TEST_NET" "$IMAGE" /kuard "$@" 2>&1) || diag "docker run $name failed: $out"
}

# wait_exit NAME SECS: the container's exit code, or "timeout".
wait_exit() {
    timeout "$2" docker wait "$1" 2>/dev/null || echo timeout
}

count_items() { docker logs "$1" 2>&1 | grep -c 'Item done: SHA256:[A-Za-z0-9+/]\{43\}$'; }

# --- one-shot: exactly N items, then exit 0 -----------------------------
run "$P-once" --keygen-enable --keygen-exit-on-complete --keygen-num-to-gen=2
check_eq "one-shot exits 0" 0 "$(wait_exit "$P-once" 120)"
check_eq "one-shot logs exactly two Item done lines" 2 "$(count_items "$P-once")"
logs=$(docker logs "$P-once" 2>&1)
check "one-shot logs the kuard startup and workload lines" \
    bash -c 'grep -q "^[0-9]\{4\}/[0-9][0-9]/[0-9][0-9] [0-9:]\{8\} Starting kuard version: v0.10.0-kjob$" <<<"$1" &&
             grep -q " (ID 0) Workload starting$" <<<"$1" &&
             grep -q " (ID 0 2/2) Item done: SHA256:" <<<"$1" &&
             grep -q " (ID 0) Workload exiting$" <<<"$1" &&
             grep -q " Could not find certificates to serve TLS$" <<<"$1"' _ "$logs"
check_eq "image runs as 65534 with CMD /kuard and no entrypoint" '65534:65534 ["/kuard"] null' \
    "$(docker image inspect -f '{{.Config.User}} {{json .Config.Cmd}} {{json .Config.Entrypoint}}' "$IMAGE")"

# --- failure: --keygen-exit-code is the exit status ---------------------
run "$P-fail" --keygen-enable --keygen-exit-on-complete --keygen-exit-code=1 --keygen-num-to-gen=1
check_eq "exit-code=1 exits 1" 1 "$(wait_exit "$P-fail" 120)"
check_eq "failing run still made its one key" 1 "$(count_items "$P-fail")"

# --- bad flag: usage and exit 2 ------------------------------------------
run "$P-badflag" --keygen-nope
check_eq "unknown flag exits 2" 2 "$(wait_exit "$P-badflag" 30)"
check "unknown flag prints the error and usage" \
    bash -c 'docker logs "$1" 2>&1 | grep -q "^unknown flag: --keygen-nope$" &&
             docker logs "$1" 2>&1 | grep -q "^Usage of /kuard:$"' _ "$P-badflag"

# --- work queue: server loaded from the host, drained by two consumers ---
run "$P-queue"
wait_for 30 bash -c "[ -n \"\$(docker inspect -f '{{with index .NetworkSettings.Networks \"$KJ_TEST_NET\"}}{{.IPAddress}}{{end}}' $P-queue)\" ]"
qip=$(kj_container_ip "$P-queue")
Q=http://$qip:8080/memq/server
check "memq server answers /healthy" wait_for 30 curl -sf "http://$qip:8080/healthy"
check "create queue keygen" curl -sf -X PUT "$Q/queues/keygen"
enq_ok=0
for i in $(seq 0 19); do
    body=$(curl -sf -X POST "$Q/queues/keygen/enqueue" -d "work-item-$i") &&
        [ "$(jq -r '.kind + " " + .body + " " + (.id | length | tostring)' <<<"$body")" = "message work-item-$i 32" ] &&
        enq_ok=$((enq_ok + 1))
done
check_eq "20 messages enqueued" 20 "$enq_ok"
check_eq "stats show depth 20" "20 20" \
    "$(curl -sf "$Q/stats" | jq -r '.queues[] | select(.name == "keygen") | "\(.depth) \(.enqueued)"')"

for c in 1 2; do
    run "$P-consumer-$c" --keygen-enable --keygen-exit-on-complete \
        --keygen-memq-server="http://$P-queue:8080/memq/server" --keygen-memq-queue=keygen
done
check_eq "consumer 1 exits 0 on the empty queue" 0 "$(wait_exit "$P-consumer-1" 300)"
check_eq "consumer 2 exits 0 on the empty queue" 0 "$(wait_exit "$P-consumer-2" 300)"
total=$(($(count_items "$P-consumer-1") + $(count_items "$P-consumer-2")))
check_eq "the consumers made 20 keys between them" 20 "$total"
check_eq "stats show depth 0, dequeued 20" "0 20 20" \
    "$(curl -sf "$Q/stats" | jq -r '.queues[] | select(.name == "keygen") | "\(.depth) \(.dequeued) \(.enqueued)"')"
check "consumer lines carry no ID prefix" \
    bash -c '! docker logs "$1" 2>&1 | grep "Item done" | grep -q "(ID"' _ "$P-consumer-1"
check "server logged the dequeue requests" \
    bash -c 'docker logs "$1" 2>&1 | grep -q " POST /memq/server/queues/keygen/dequeue$"' _ "$P-queue"

# --- missing queue: the consumer retries forever instead of exiting ------
run "$P-retry" --keygen-enable --keygen-exit-on-complete \
    --keygen-memq-server="http://$P-queue:8080/memq/server" --keygen-memq-queue=missing
retries() { docker logs "$P-retry" 2>&1 | grep -c 'Error talking to server: HTTP Error: 400 Bad Request. Retrying after 1s.$'; }
check "missing queue: the error line appears twice" wait_for 30 bash -c "[ \$(docker logs $P-retry 2>&1 | grep -c 'Error talking to server: HTTP Error: 400 Bad Request. Retrying after 1s.\$') -ge 2 ]"
check_eq "missing queue: the consumer is still running" true \
    "$(docker inspect -f '{{.State.Running}}' "$P-retry")"
diag "retry lines so far: $(retries)"

tap_done
