#!/usr/bin/env bash
# Book 12-1 with a real kubectl pointed at kjobd (no kubeconfig):
# apply, wait, get (server-side Table), describe, logs, delete.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/kjobd.sh"

kj_require_kubectl
kjobd_start
kubectl_on_kjobd

check "kubectl apply -f 12-1" "${K[@]}" apply -f "$KJ_BOOK/12-1-job-oneshot.yaml"
check "kubectl wait --for=condition=complete" "${K[@]}" wait --for=condition=complete job/oneshot --timeout=180s
out=$("${K[@]}" get jobs 2>&1)
if grep -qE '^oneshot +Complete +1/1 ' <<<"$out"; then ok "kubectl get jobs shows Complete 1/1"; else not_ok "kubectl get jobs shows Complete 1/1" "$out"; fi
out=$("${K[@]}" get pods -l job-name=oneshot 2>&1)
if grep -qE '^oneshot-[a-z0-9]{5} +0/1 +Completed +0 ' <<<"$out"; then ok "kubectl get pods shows the Completed pod"; else not_ok "kubectl get pods shows the Completed pod" "$out"; fi
out=$("${K[@]}" describe job oneshot 2>&1)
if grep -q 'Pods Statuses:.*1 Succeeded' <<<"$out" && grep -q 'SuccessfulCreate' <<<"$out"; then
    ok "kubectl describe job shows statuses and events"
else
    not_ok "kubectl describe job shows statuses and events" "$out"
fi
check_eq "kubectl logs job/oneshot shows the 10th key" 1 "$("${K[@]}" logs job/oneshot 2>&1 | grep -c '10/10) Item done')"
check "kubectl delete job" "${K[@]}" delete job oneshot
if wait_for 30 sh -c "[ -z \"\$(docker ps -aq --filter label=io.kjob.namespace=$KJ_NS)\" ]"; then ok "its pod is removed"; else not_ok "its pod is removed"; fi
out=$("${K[@]}" get job oneshot 2>&1)
check_eq "kubectl get of a deleted job: NotFound" 'Error from server (NotFound): jobs.batch "oneshot" not found' "$out"
kjobd_done
