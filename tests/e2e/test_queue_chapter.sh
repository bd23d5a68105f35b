#!/usr/bin/env bash
# The book's chapter 12 work-queue pattern, verbatim, with a real kubectl:
# 12-4 ReplicaSet (kuard memq server), 12-5 Service `queue`, 12-6 load script
# (pointed at the Service proxy: nothing listens on the host's 8080; the file
# itself stays unmodified), 12-7 consumers Job (parallelism 5, no completions).
# 100 RSA-4096 keys: ~2-3 minutes of CPU on 2 cores.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh
source tests/e2e/kjobd.sh

kj_require_kubectl
KJ_BOOK=${KJ_BOOK:-tests/fixtures/book}
kjobd_start
K=(kubectl --server "$KJOBD_URL" -n "$KJ_NS")
RS_URL=$KJOBD_URL/apis/apps/v1/namespaces/$KJ_NS/replicasets/queue
PROXY=$KJOBD_URL/api/v1/namespaces/$KJ_NS/services/queue:8080/proxy

check "kubectl apply -f 12-4 (ReplicaSet)" "${K[@]}" apply -f "$KJ_BOOK/12-4-rs-queue.yaml"
check "kubectl apply -f 12-5 (Service)" "${K[@]}" apply -f "$KJ_BOOK/12-5-service-queue.yaml"

rs_ready() { [ "$(curl -sf "$RS_URL" | jq -r '.status.readyReplicas // 0')" = "$1" ]; }
if wait_for 60 rs_ready 1; then ok "the ReplicaSet has 1 ready replica"; else not_ok "the ReplicaSet has 1 ready replica" "$(curl -s "$RS_URL")"; fi

out=$("${K[@]}" get rs queue 2>&1)
if grep -qE '^queue +1 +1 +1 +[0-9]+s' <<<"$out"; then ok "kubectl get rs: DESIRED CURRENT READY 1 1 1"; else not_ok "kubectl get rs: DESIRED CURRENT READY 1 1 1" "$out"; fi
out=$("${K[@]}" get svc queue 2>&1)
if head -1 <<<"$out" | grep -qE '^NAME +TYPE +CLUSTER-IP +EXTERNAL-IP +PORT\(S\) +AGE$' &&
    grep -qE '^queue +ClusterIP +\S+ +<none> +8080/TCP ' <<<"$out"; then
    ok "kubectl get svc: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE"
else
    not_ok "kubectl get svc: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE" "$out"
fi

# The Service name resolves on the network: the memq pod carries the alias.
pod=$("${K[@]}" get pods -l app=work-queue,component=queue -o jsonpath='{.items[0].metadata.name}' 2>/dev/null)
has_alias() { docker inspect -f "{{json (index .NetworkSettings.Networks \"$KJ_TEST_NET\").Aliases}}" "$pod" | grep -q '"queue"'; }
if wait_for 30 has_alias; then ok "the queue pod answers to \`queue\` on the network"; else not_ok "the queue pod answers to \`queue\` on the network" "$(docker inspect -f '{{json .NetworkSettings.Networks}}' "$pod" 2>&1)"; fi
proxy_up() { curl -sf "$PROXY/memq/server/stats" | jq -e '.kind == "stats"'; }
if wait_for 30 proxy_up; then ok "the Service proxy reaches memq"; else not_ok "the Service proxy reaches memq" "$(curl -s "$PROXY/memq/server/stats")"; fi

# 12-6, unmodified, in a temp copy pointed at the proxy.
sed "s#localhost:8080#$PROXY#g" "$KJ_BOOK/12-6-load-queue.sh" >"$KJ_TMP/load-queue.sh"
check "12-6 load script through the Service proxy" bash "$KJ_TMP/load-queue.sh"
stats=$(curl -sf "$PROXY/memq/server/stats")
check_eq "the queue holds 100 items" "100 100 0" "$(jq -r '.queues[] | select(.name=="keygen") | "\(.depth) \(.enqueued) \(.dequeued)"' <<<"$stats")"

check "kubectl apply -f 12-7 (consumers)" "${K[@]}" apply -f "$KJ_BOOK/12-7-job-consumers.yaml"
check "the consumers Job completes" "${K[@]}" wait --for=condition=complete job/consumers --timeout=300s
job=$(curl -sf "$KJOBD_URL/apis/batch/v1/namespaces/$KJ_NS/jobs/consumers")
check_eq "5 consumer pods succeeded" "5" "$(jq -r '.status.succeeded' <<<"$job")"
stats=$(curl -sf "$PROXY/memq/server/stats")
check_eq "memq stats: enqueued 100, dequeued 100, depth 0" "100 100 0" \
    "$(jq -r '.queues[] | select(.name=="keygen") | "\(.enqueued) \(.dequeued) \(.depth)"' <<<"$stats")"

: >"$KJ_TMP/logs"
for p in $("${K[@]}" get pods -l job-name=consumers -o name); do
    "${K[@]}" logs "$p" >>"$KJ_TMP/logs" 2>&1
done
check_eq "100 'Item done' lines across the consumers' logs" "100" "$(grep -c 'Item done' "$KJ_TMP/logs")"
check_eq "each item done exactly once (100 distinct keys)" "100" \
    "$(grep -o 'Item done: .*' "$KJ_TMP/logs" | sort -u | wc -l | tr -d ' ')"

check "kubectl delete job" "${K[@]}" delete job consumers
check "kubectl delete rs,svc" "${K[@]}" delete rs/queue svc/queue
gone() { [ -z "$(docker ps -q --filter "label=io.kjob.namespace=$KJ_NS" --filter label=app=work-queue)" ]; }
if wait_for 30 gone; then ok "deleting the ReplicaSet removes its pod"; else not_ok "deleting the ReplicaSet removes its pod"; fi
kjobd_stop
kjobd_check_sanitizers
tap_done
