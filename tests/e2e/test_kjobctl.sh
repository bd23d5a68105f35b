#!/usr/bin/env bash
# kjobctl against kjobd on the real engine: apply (created, unchanged,
# configured), get (Tables, wide, yaml/json, -l, -A), describe, logs, wait,
# delete, kubeconfig. Where kubectl is installed, kjobctl's output is compared
# with kubectl's for the same objects (ages masked, since they tick).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/kjobd.sh"

KJOBCTL_BIN=${KJOBCTL_BIN:-$(dirname "$KJOBD_BIN")/kjobctl}
kjobd_start
export KJOB_SERVER=$KJOBD_URL
C=("$KJOBCTL_BIN" -n "$KJ_NS")
kc() { "${C[@]}" "$@" 2>&1; }
have_kubectl=false
command -v kubectl >/dev/null 2>&1 && have_kubectl=true
K=(env KUBECONFIG=/dev/null kubectl --server "$KJOBD_URL" -n "$KJ_NS")

mask_age() { sed -E -e 's/(^|[ (])([0-9]+[smhd]){1,2}([ )]|$)/\1<age>\3/g' -e 's/(^|[ (])([0-9]+[smhd]){1,2}([ )]|$)/\1<age>\3/g' -e 's/ {2,}/  /g'; }

# same_as_kubectl DESC ARGS...: kjobctl ARGS and kubectl ARGS print the same.
same_as_kubectl() {
    local desc=$1
    shift
    if ! $have_kubectl; then
        echo "ok $((_tap_n += 1)) - $desc # SKIP kubectl is not installed"
        return
    fi
    local a b
    a=$(kc "$@" | mask_age)
    b=$("${K[@]}" "$@" 2>&1 | mask_age)
    if [ "$a" = "$b" ]; then ok "$desc"; else not_ok "$desc" "$(diff <(echo "$b") <(echo "$a"))"; fi
}

cat >"$KJ_TMP/kc.yaml" <<EOF
apiVersion: batch/v1
kind: Job
metadata:
  name: kc
  labels:
    suite: kjobctl
spec:
  completions: 2
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: kjob/busybox
        command: ["sh", "-c", "echo one; echo two"]
EOF
check_eq "apply creates" "job.batch/kc created" "$(kc apply -f "$KJ_TMP/kc.yaml")"
out=$(kc wait job/kc --for=condition=complete --timeout=60s)
check_eq "wait: last line" "job.batch/kc condition met" "$(tail -n1 <<<"$out")"
if grep -qE '^job/kc: [0-9]/2 succeeded, [0-9] active, 0 failed$' <<<"$out"; then ok "wait prints plain progress lines off a terminal"; else not_ok "wait prints plain progress lines off a terminal" "$out"; fi
check_eq "apply again: unchanged" "job.batch/kc unchanged" "$(kc apply -f "$KJ_TMP/kc.yaml")"
sed 's/^spec:/spec:\n  parallelism: 2/' "$KJ_TMP/kc.yaml" >"$KJ_TMP/kc2.yaml"
check_eq "apply of a parallelism change: configured" "job.batch/kc configured" "$(kc apply -f "$KJ_TMP/kc2.yaml")"
sed 's/echo one/echo uno/' "$KJ_TMP/kc2.yaml" >"$KJ_TMP/kc3.yaml"
out=$(kc apply -f "$KJ_TMP/kc3.yaml")
if grep -q 'field is immutable' <<<"$out"; then ok "apply of a template change: field is immutable"; else not_ok "apply of a template change: field is immutable" "$out"; fi

out=$(kc get jobs)
if grep -qE '^NAME +STATUS +COMPLETIONS +DURATION +AGE$' <<<"$out" && grep -qE '^kc +Complete +2/2 ' <<<"$out"; then ok "get jobs"; else not_ok "get jobs" "$out"; fi
same_as_kubectl "get jobs = kubectl" get jobs
same_as_kubectl "get jobs -o wide = kubectl" get jobs -o wide
same_as_kubectl "get pods -l job-name=kc = kubectl" get pods -l job-name=kc
same_as_kubectl "get jobs -A -l suite=kjobctl = kubectl" get jobs -A -l suite=kjobctl
same_as_kubectl "describe job = kubectl" describe job kc
same_as_kubectl "get jobs -o yaml = kubectl" get jobs -o yaml
same_as_kubectl "get pods -o json = kubectl" get pods -o json
same_as_kubectl "get events -o yaml = kubectl" get events -o yaml
check_eq "get -o json" "Job" "$(kc get job kc -o json | jq -r .kind)"
check_eq "get -o yaml" "kind: Job" "$(kc get job kc -o yaml | grep '^kind:')"
check_eq "get -o name" "job.batch/kc" "$(kc get job kc -o name)"
pods=$(kc get pods -l job-name=kc -o name | wc -l)
check_eq "two pods" 2 "$pods"
out=$(kc logs job/kc)
check_eq "logs job/kc" "one
two" "$out"
pod=$(kc get pods -l job-name=kc -o name | head -n1)
check_eq "logs POD --tail 1" "two" "$(kc logs "${pod#pod/}" --tail 1)"
out=$(kc kubeconfig)
if grep -q "server: $KJOBD_URL" <<<"$out"; then ok "kubeconfig names the server"; else not_ok "kubeconfig names the server" "$out"; fi
if $have_kubectl; then
    kc kubeconfig >"$KJ_TMP/kubeconfig"
    check_eq "kubectl works with that kubeconfig" "kc" "$(kubectl --kubeconfig "$KJ_TMP/kubeconfig" -n "$KJ_NS" get jobs -o name 2>&1 | sed 's|job.batch/||')"
fi
check_eq "delete" 'job.batch "kc" deleted' "$(kc delete job kc)"
check_eq "get of a deleted Job" 'Error from server (NotFound): jobs.batch "kc" not found' "$(kc get job kc)"
if wait_for 30 sh -c "[ -z \"\$(docker ps -aq --filter label=io.kjob.namespace=$KJ_NS)\" ]"; then ok "delete cascades to the pods"; else not_ok "delete cascades to the pods"; fi
check_eq "unknown resource" 'error: the server doesn'"'"'t have a resource type "gizmos"' "$(kc get gizmos)"
kjobd_done
