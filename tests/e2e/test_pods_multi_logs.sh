#!/usr/bin/env bash
# Issue 8, the user-facing half: kubectl logs -c / --all-containers / the
# defaulted container, get pods READY and STATUS through a pod's life
# (Init:0/2, NotReady, Completed, Init:Error), describe pod with every init
# container and container, and kjobctl logs printing what kubectl prints.
# The pod's steps are held by gate files that the test creates with docker
# exec in the member containers (<pod>_<container>), so no step is timed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/kjobd.sh"

kj_require_kubectl
kjobd_start
kubectl_on_kjobd
KJOBCTL=${KJOBCTL_BIN:-$(dirname "$KJOBD_BIN")/kjobctl}
kj() { "$KJOBCTL" --server "$KJOBD_URL" -n "$KJ_NS" "$@" 2>&1; }
GOLD=$KJ_ROOT/tests/fixtures/kubectl

pod_of() { kc get pods -l "job-name=$1" -o jsonpath='{.items[0].metadata.name}'; }
# READY STATUS RESTARTS of a pod, one space apart.
pod_row() { kc get pod "$1" --no-headers | awk '{print $2, $3, $4}'; }
row_is() { [ "$(pod_row "$1")" = "$2" ]; }
open_gate() { docker exec "$1_$2" touch /tmp/go; }
GATE='until [ -f /tmp/go ]; do sleep 0.1; done'

# ---- an init container, a sidecar and two containers ----
kc apply -f - >/dev/null <<YAML
apiVersion: batch/v1
kind: Job
metadata:
  name: quad
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      initContainers:
      - name: init
        image: kjob/busybox
        imagePullPolicy: Never
        command: ["sh", "-c", "echo init-start; $GATE; echo init-done"]
      - name: side
        image: kjob/busybox
        imagePullPolicy: Never
        restartPolicy: Always
        command: ["sh", "-c", "trap 'exit 0' TERM; echo side-up; while true; do sleep 0.2; done"]
      containers:
      - name: a
        image: kjob/busybox
        imagePullPolicy: Never
        command: ["sh", "-c", "echo from-a"]
      - name: b
        image: kjob/busybox
        imagePullPolicy: Never
        command: ["sh", "-c", "echo from-b; $GATE; echo b-done"]
YAML
wait_for 30 pod_of quad
pod=$(pod_of quad)
if wait_for 30 row_is "$pod" "0/3 Init:0/2 0"; then ok "get pods while the init container runs: 0/3 Init:0/2"
else not_ok "get pods while the init container runs: 0/3 Init:0/2" "$(pod_row "$pod")"; fi
wait_for 30 sh -c "docker exec ${pod}_init true"
check_eq "logs -c init of a running init container" "init-start" "$(kc logs "$pod" -c init)"
check_eq "logs of a container not started yet: the kubelet's 400" \
    "Error from server (BadRequest): container \"a\" in pod \"$pod\" is waiting to start: PodInitializing" \
    "$(kc logs "$pod" -c a)"

open_gate "$pod" init
# a exits at once, b waits for its gate, the sidecar runs: 2 of 3 ready.
if wait_for 30 row_is "$pod" "2/3 NotReady 0"; then ok "get pods with one container done: 2/3 NotReady"
else not_ok "get pods with one container done: 2/3 NotReady" "$(pod_row "$pod")"; fi
check_eq "logs -c side (sidecar)" "side-up" "$(kc logs "$pod" -c side)"
check_eq "logs POD defaults to the first container and says so" \
    "Defaulted container \"a\" out of: a, b, init (init), side (init)
from-a" "$(kc logs "$pod")"
check_eq "logs POD CONTAINER (inline)" "from-b" "$(kc logs "$pod" b)"
# -f on a running member: the first line arrives, then the gate ends it.
kc logs -f "$pod" -c b >"$KJ_TMP/follow.txt" &
follow_pid=$!
kj logs -f "$pod" --all-containers >"$KJ_TMP/follow-all.txt" &
follow_all_pid=$!
wait_for 20 grep -q from-b "$KJ_TMP/follow.txt"
wait_for 20 grep -q from-b "$KJ_TMP/follow-all.txt"
open_gate "$pod" b
if wait_for 30 sh -c "! kill -0 $follow_pid 2>/dev/null"; then
    check_eq "logs -f -c b follows to the container's end" "from-b
b-done" "$(cat "$KJ_TMP/follow.txt")"
else
    kill "$follow_pid" 2>/dev/null
    not_ok "logs -f -c b follows to the container's end" "$(cat "$KJ_TMP/follow.txt")"
fi
# Every member followed at once; the sidecar's stream ends when it is stopped.
if wait_for 30 sh -c "! kill -0 $follow_all_pid 2>/dev/null"; then
    check_eq "kjobctl logs -f --all-containers follows every container to its end" "b-done
from-a
from-b
init-done
init-start
side-up" "$(LC_ALL=C sort "$KJ_TMP/follow-all.txt")"
else
    kill "$follow_all_pid" 2>/dev/null
    not_ok "kjobctl logs -f --all-containers follows every container to its end" "$(cat "$KJ_TMP/follow-all.txt")"
fi
check "job completes once the containers are done (the sidecar does not hold it)" \
    kc wait --for=condition=complete job/quad --timeout=60s
if wait_for 30 row_is "$pod" "0/3 Completed 0"; then ok "get pods after the end: 0/3 Completed"
else not_ok "get pods after the end: 0/3 Completed" "$(pod_row "$pod")"; fi

# kubectl 1.32 keeps the requests in a Go map: it asks for every container,
# in a rotation of spec order that changes from run to run; kjobctl keeps
# spec order (init containers first).
check_eq "logs --all-containers: every container's output" "b-done
from-a
from-b
init-done
init-start
side-up" "$(kc logs "$pod" --all-containers | LC_ALL=C sort)"
got=$(kc logs "$pod" --all-containers -v=6 | grep -o 'log?container=[a-z]*' | LC_ALL=C sort | tr '\n' ' ')
check_eq "logs --all-containers asks once per container" \
    "log?container=a log?container=b log?container=init log?container=side " "$got"
check_eq "kjobctl logs --all-containers: init containers first, then containers" "init-start
init-done
side-up
from-a
from-b
b-done" "$(kj logs "$pod" --all-containers)"
check_eq "logs -c of an unknown container (kubectl checks it itself)" \
    "error: container nosuch is not valid for pod $pod" "$(kc logs "$pod" -c nosuch)"
code=$(curl -s -o "$KJ_TMP/bad.json" -w '%{http_code}' "$KJOBD_URL/api/v1/namespaces/$KJ_NS/pods/$pod/log?container=nosuch")
check_eq "raw log request for an unknown container: 400" "400" "$code"
check_eq "with Kubernetes' message" "container nosuch is not valid for pod $pod" "$(jq -r .message "$KJ_TMP/bad.json")"
check_eq "raw log request naming no container of several: 400 listing them" \
    "a container name must be specified for pod $pod, choose one of: [init side a b]" \
    "$(curl -s "$KJOBD_URL/api/v1/namespaces/$KJ_NS/pods/$pod/log" | jq -r .message)"

# kjobctl prints exactly what kubectl prints (stdout and stderr).
for args in "" "-c b" "b" "-c nosuch" "-c a --all-containers" "-c a b" "--tail 1 -c b"; do
    # shellcheck disable=SC2086 # args are word lists on purpose
    check_eq "kjobctl logs POD $args = kubectl's" "$(kc logs "$pod" $args)" "$(kj logs "$pod" $args)"
done
check_eq "kjobctl logs job/quad -c a = kubectl's" "$(kc logs job/quad -c a)" "$(kj logs job/quad -c a)"

# describe: kubectl's own describer from the Pod JSON, every container listed.
mask() {
    sed -E -e "s/$KJ_NS/NS/g" -e "s/$pod/quad-xxxxx/g" \
        -e 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/<uid>/g' \
        -e 's/docker:\/\/[0-9a-f]{64}/docker:\/\/<id>/g' \
        -e 's/[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} [+-][0-9]{4}/<time>/g' \
        -e 's/^(IPs?:) .*/\1 <ip>/' -e 's/^(    IP:) .*/\1 <ip>/' \
        -e 's/([^ ]) {2,}/\1  /g' -e 's/ +$//'
}
got=$(kc describe pod "$pod" | mask)
[ -z "${KJ_UPDATE_GOLDEN:-}" ] || printf '%s\n' "$got" >"$GOLD/describe-pod-multi.txt"
if [ "$got" = "$(cat "$GOLD/describe-pod-multi.txt" 2>/dev/null)" ]; then ok "describe pod lists every init container and container"
else not_ok "describe pod lists every init container and container" "$(diff "$GOLD/describe-pod-multi.txt" <(printf '%s\n' "$got"))"; fi

# ---- a failing init container ends the pod: Init:Error ----
kc apply -f - >/dev/null <<'YAML'
apiVersion: batch/v1
kind: Job
metadata:
  name: badinit
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      initContainers:
      - name: check
        image: kjob/busybox
        imagePullPolicy: Never
        command: ["sh", "-c", "echo missing config >&2; exit 3"]
      containers:
      - name: app
        image: kjob/busybox
        imagePullPolicy: Never
        command: ["true"]
YAML
check "job with a failing init container fails" kc wait --for=condition=failed job/badinit --timeout=60s
bad=$(pod_of badinit)
if wait_for 30 row_is "$bad" "0/1 Init:Error 0"; then ok "get pods: 0/1 Init:Error"
else not_ok "get pods: 0/1 Init:Error" "$(pod_row "$bad")"; fi
check_eq "logs -c check (stderr too)" "missing config" "$(kc logs "$bad" -c check)"
check_eq "logs POD: one container and an init container, defaulted with the note" \
    "Defaulted container \"app\" out of: app, check (init)
Error from server (BadRequest): container \"app\" in pod \"$bad\" is waiting to start: PodInitializing" \
    "$(kc logs "$bad")"
check_eq "kjobctl logs POD = kubectl's" "$(kc logs "$bad")" "$(kj logs "$bad")"
kjobd_done
