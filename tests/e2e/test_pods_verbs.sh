#!/usr/bin/env bash
# kubectl's pod verbs on kjobd. `kubectl delete pod`: a running Job pod is
# stopped with its grace period, counted failed once and replaced; a
# finished pod is removed with its count kept, also in a finished Job; a
# ReplicaSet pod is replaced; a delete survives kill -9 of kjobd; dry run,
# preconditions, bad options and unknown pods get kube-apiserver's answers.
# `exec`, `attach`, `cp` and `port-forward` are not served: the answer names
# the Docker container (or the pod's IP) to use instead, and it is right.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/kjobd.sh"
kj_require_kubectl

kjobd_start
kubectl_on_kjobd

# manifest NAME COMPLETIONS PARALLELISM SCRIPT [SPEC-LINES]: a Job of
# busybox pods, a grace period of 20 s.
manifest() {
    cat >"$KJ_TMP/$1.yaml" <<YAML
apiVersion: batch/v1
kind: Job
metadata:
  name: $1
spec:
  completions: $2
  parallelism: $3
${5:-}
  template:
    spec:
      terminationGracePeriodSeconds: 20
      restartPolicy: Never
      containers:
      - name: c
        image: kjob/busybox:latest
        command: ["sh", "-c", "$4"]
YAML
    echo "$KJ_TMP/$1.yaml"
}

pods_of() { kj_pods "job-name=$1" | jq -r '.items[].metadata.name' | sort; }
running_pods() { kj_pods "job-name=$1" | jq -r '.items[] | select(.status.phase == "Running") | .metadata.name' | sort; }
n_running() { [ "$(running_pods "$1" | grep -c .)" -eq "$2" ]; }
gone() { ! present "$1"; }
present() { kj_pods | jq -e --arg n "$1" 'any(.items[]; .metadata.name == $n)' >/dev/null; }
terminating_or_gone() {
    local out
    out=$("${K[@]}" get pod "$1" --no-headers 2>/dev/null) || true
    [ -z "$out" ] || grep -q ' Terminating ' <<<"$out"
}
no_container() { [ -z "$(docker ps -aq --filter "name=^$1\$")" ]; }
job_field() { kj_job "$1" | jq -r "$2"; }

# ---- a running pod that stops on SIGTERM ---------------------------------------
kc apply -f "$(manifest work 2 2 "trap 'exit 143' TERM; sleep 300 & wait")" >/dev/null
check "two pods run" wait_for 60 n_running work 2
victim=$(running_pods work | head -1)
survivor=$(running_pods work | tail -1)
out=$(kc delete pod "$victim" --wait=true --timeout=30s)
check_eq "kubectl delete pod prints the deletion" "pod \"$victim\" deleted" "$out"
check "the pod is gone from the API" gone "$victim"
check "and its container from the engine" no_container "$victim"
check_eq "it is counted failed once (podReplacementPolicy TerminatingOrFailed)" 1 \
    "$(job_field work .status.failed)"
check "a replacement runs beside the survivor" wait_for 60 n_running work 2
check_eq "the survivor was left alone" "$survivor" "$(running_pods work | grep -x "$survivor")"
check_eq "the replacement has a new name" "" "$(pods_of work | grep -x "$victim")"
check_eq "the Job does not announce a client's delete" 0 \
    "$(kc get events --field-selector involvedObject.name=work -o json |
        jq '[.items[] | select(.reason == "SuccessfulDelete")] | length')"

# ---- exec, attach, cp, port-forward: what to use instead --------------------------
out=$(kc exec "$survivor" -- true); rc=$?
check_eq "kubectl exec fails, naming the Docker container" \
    "1 Error from server (MethodNotAllowed): kjob does not serve exec: the container is Docker's \`$survivor\` (docker exec -it $survivor)" \
    "$rc $out"
check "and that container is the pod's" docker exec "$survivor" test -n "\$HOSTNAME"
out=$(kc cp "$survivor:/etc/hostname" "$KJ_TMP/hostname")
check "kubectl cp (an exec) says the same" grep -q "docker exec -it $survivor" <<<"$out"
out=$(kc attach "$survivor")
check "kubectl attach names docker attach" grep -q "docker attach $survivor" <<<"$out"
ip=$(kj_pods "job-name=work" | jq -r --arg n "$survivor" '.items[] | select(.metadata.name == $n) | .status.podIP')
out=$(timeout 20 "${K[@]}" port-forward "$survivor" 18080:8080 2>&1)
check_eq "kubectl port-forward names the pod's IP" \
    "error: error upgrading connection: kjob does not serve port-forward: this host reaches pod $survivor at $ip on kjobd's network" \
    "$out"

# ---- grace period: a pod that ignores SIGTERM is killed after it -------------------
kc apply -f "$(manifest stubborn 1 1 "trap '' TERM; while :; do sleep 1; done")" >/dev/null
check "the stubborn pod runs" wait_for 60 n_running stubborn 1
p=$(running_pods stubborn)
resp=$(kj_api DELETE "/api/v1/namespaces/$KJ_NS/pods/$p?gracePeriodSeconds=1")
check_eq "DELETE answers 200 with the pod" "200 $p" "$(kj_code) $(jq -r .metadata.name <<<"$resp")"
check_eq "its deletionGracePeriodSeconds is the asked one" 1 \
    "$(jq -r .metadata.deletionGracePeriodSeconds <<<"$resp")"
check "it shows Terminating meanwhile, or is gone already" terminating_or_gone "$p"
check "it is killed after its grace period (not its template's 20 s)" wait_for 10 gone "$p"

# ---- a finished pod: removed, its count kept, not replaced ---------------------
kc apply -f "$(manifest quick 2 1 "true")" >/dev/null
check "the quick Job completes" wait_for 60 kj_job_condition quick Complete
first=$(pods_of quick | head -1)
kc delete pod "$first" --wait=true --timeout=30s >/dev/null
check "a pod of a finished Job is removed" gone "$first"
check "and its container" no_container "$first"
check_eq "its success still counts" "2 Complete" \
    "$(job_field quick '"\(.status.succeeded) \(.status.conditions[] | select(.status == "True" and .type == "Complete") | .type)"')"
check_eq "no pod was created for it" 1 "$(pods_of quick | grep -c .)"

# ---- errors and options ----------------------------------------------------------
out=$(kc delete pod nope)
check_eq "an unknown pod: kubectl's NotFound" 'Error from server (NotFound): pods "nope" not found' "$out"
kept=$(pods_of quick | head -1)
kc delete pod "$kept" --dry-run=server >/dev/null
check "dry run deletes nothing" present "$kept"
resp=$(kj_api DELETE "/api/v1/namespaces/$KJ_NS/pods/$kept" -H 'Content-Type: application/json' \
    -d '{"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"uid":"not-the-uid"}}')
check_eq "a wrong uid precondition is a 409 Conflict" "409 Conflict" "$(kj_code) $(jq -r .reason <<<"$resp")"
check "naming both uids" grep -q "UID in precondition: not-the-uid" <<<"$resp"
resp=$(kj_api DELETE "/api/v1/namespaces/$KJ_NS/pods/$kept?gracePeriodSeconds=soon")
check_eq "a bad gracePeriodSeconds is a 400 naming it" "400 gracePeriodSeconds must be a whole number of seconds, 0 or more" \
    "$(kj_code) $(jq -r .message <<<"$resp")"
check "and the pod is still there" present "$kept"

kc delete pods -l job-name=quick --wait=true --timeout=30s >/dev/null
check_eq "kubectl delete pods -l removes the rest" 0 "$(pods_of quick | grep -c .)"
check_eq "and the finished Job keeps its counts" 2 "$(job_field quick .status.succeeded)"

# ---- kill -9 right after the delete is answered ------------------------------------
kc apply -f "$(manifest crash 1 1 "trap 'exit 143' TERM; sleep 300 & wait")" >/dev/null
check "the crash Job's pod runs" wait_for 60 n_running crash 1
p=$(running_pods crash)
kj_api DELETE "/api/v1/namespaces/$KJ_NS/pods/$p?gracePeriodSeconds=30" >/dev/null
kjobd_stop KILL
kjobd_start
check "after the restart the deleted pod goes" wait_for 60 gone "$p"
check "a replacement runs" wait_for 60 n_running crash 1
check_eq "the deleted pod counted failed exactly once" 1 "$(job_field crash .status.failed)"

# ---- eviction: DisruptionTarget, which a podFailurePolicy rule can ignore ------------
kc apply -f "$(manifest evict 1 1 "trap 'exit 143' TERM; sleep 300 & wait" '  backoffLimit: 0
  podFailurePolicy:
    rules:
    - action: Ignore
      onPodConditions:
      - type: DisruptionTarget')" >/dev/null
check "the evict Job's pod runs" wait_for 60 n_running evict 1
p=$(running_pods evict)
evict_body() { printf '{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"%s","namespace":"%s"}%s}' "$1" "$KJ_NS" "${2:+,\"deleteOptions\":$2}"; }
resp=$(kj_api POST "/api/v1/namespaces/$KJ_NS/pods/$p/eviction" -H 'Content-Type: application/json' \
    -d "$(evict_body other)")
check_eq "an Eviction naming another pod is a 400" \
    "400 name in URL does not match name in Eviction object" "$(kj_code) $(jq -r .message <<<"$resp")"
resp=$(kj_api POST "/api/v1/namespaces/$KJ_NS/pods/$p/eviction" -H 'Content-Type: application/json' \
    -d "$(evict_body "$p" '{"dryRun":["All"]}')")
check_eq "a dry-run eviction answers 201 Success" "201 Success" "$(kj_code) $(jq -r .status <<<"$resp")"
check "and leaves the pod running" n_running evict 1
resp=$(kj_api POST "/api/v1/namespaces/$KJ_NS/pods/$p/eviction" -H 'Content-Type: application/json' \
    -d "$(evict_body "$p" '{"gracePeriodSeconds":30}')")
check_eq "the eviction answers 201 Success" "201 Success" "$(kj_code) $(jq -r .status <<<"$resp")"
disrupted_or_gone() {
    local pod
    pod=$(curl -sf "$KJOBD_URL/api/v1/namespaces/$KJ_NS/pods/$1") || return 0
    jq -e '.status.conditions[] | select(.type == "DisruptionTarget" and .status == "True" and
        .reason == "EvictionByEvictionAPI")' <<<"$pod" >/dev/null
}
check "the evicted pod shows DisruptionTarget=True, or is gone already" disrupted_or_gone "$p"
check "it goes" wait_for 30 gone "$p"
check "a replacement runs: the Ignore rule kept backoffLimit 0 from failing the Job" wait_for 60 n_running evict 1
check_eq "nothing counted failed" "null" "$(job_field evict .status.failed)"
check_eq "the Job has not failed" "" "$(job_field evict '.status.conditions[]? | select(.type == "Failed") | .type')"

# ---- a ReplicaSet's pod is replaced -------------------------------------------------
cat >"$KJ_TMP/rs.yaml" <<'YAML'
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: spare
spec:
  replicas: 1
  selector:
    matchLabels: {app: spare}
  template:
    metadata:
      labels: {app: spare}
    spec:
      terminationGracePeriodSeconds: 20
      containers:
      - name: c
        image: kjob/busybox:latest
        command: ["sh", "-c", "trap 'exit 0' TERM; sleep 300 & wait"]
YAML
kc apply -f "$KJ_TMP/rs.yaml" >/dev/null
rs_running() { kj_pods "app=spare" | jq -r '.items[] | select(.status.phase == "Running" and .metadata.deletionTimestamp == null) | .metadata.name'; }
rs_one() { [ "$(rs_running | grep -c .)" -eq 1 ]; }
check "the ReplicaSet's pod runs" wait_for 60 rs_one
old=$(rs_running)
kc delete pod "$old" --wait=true --timeout=30s >/dev/null
check "the deleted ReplicaSet pod is gone" gone "$old"
check "another takes its place" wait_for 60 rs_one
check_eq "under a new name" "" "$(rs_running | grep -x "$old")"
check_eq "the ReplicaSet does not announce it as its own delete" 0 \
    "$(kc get events --field-selector involvedObject.name=spare -o json |
        jq '[.items[] | select(.reason == "SuccessfulDelete")] | length')"
kc delete rs spare --wait=true --timeout=30s >/dev/null

# ---- deletecollection ----------------------------------------------------------------
before=$(running_pods work | sort | tr '\n' ' ')
resp=$(kj_api DELETE "/api/v1/namespaces/$KJ_NS/pods?labelSelector=job-name%3Dwork&gracePeriodSeconds=1")
check_eq "DELETE on the pods collection answers the PodList of what it deleted" \
    "200 PodList $before" "$(kj_code) $(jq -r '.kind' <<<"$resp") $(jq -r '.items[].metadata.name' <<<"$resp" | sort | tr '\n' ' ')"
for p in $before; do check "$p goes" wait_for 30 gone "$p"; done
check_eq "each counted as one delete of it would be" 3 "$(job_field work .status.failed)"
events=$(kc get events -o name | grep '^event' | sort)
out=$(kc delete events --all)
check_eq "kubectl delete events --all deletes each event" "$(grep -c . <<<"$events")" "$(grep -c '^event.* deleted$' <<<"$out")"
check_eq "none of them is left (the controllers may have written new ones)" "" \
    "$(kc get events -o name | grep '^event' | sort | comm -12 - <(echo "$events"))"
resp=$(kj_api DELETE "/apis/batch/v1/jobs")
check_eq "no deletecollection across namespaces, as kube-apiserver" 405 "$(kj_code)"

kjobd_done
