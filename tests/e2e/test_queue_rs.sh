#!/usr/bin/env bash
# ReplicaSets, Services and readiness probes without the keygen load:
# httpGet / tcpSocket / exec readiness probes, restart in place with
# backoff, scale up and down, a LoadBalancer Service that cannot publish,
# the Service proxy, cascade delete. About a minute.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh
source tests/e2e/kjobd.sh

if ! command -v kubectl >/dev/null 2>&1; then
    echo "ok 1 # SKIP kubectl is not installed"
    echo "1..1"
    exit 0
fi
kjobd_start
K=(kubectl --server "$KJOBD_URL" -n "$KJ_NS")
API=$KJOBD_URL/apis/apps/v1/namespaces/$KJ_NS/replicasets

rs() { # rs NAME IMAGE REPLICAS 'container-extra-yaml'
    cat <<Y
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: $1}
spec:
  replicas: $3
  selector: {matchLabels: {app: $1}}
  template:
    metadata: {labels: {app: $1}}
    spec:
      containers:
      - name: main
        image: $2
$4
Y
}
field() { curl -sf "$API/$1" | jq -r "$2"; }
is() { [ "$(field "$1" "$2")" = "$3" ]; }

rs web gcr.io/kuar-demo/kuard-amd64:blue 1 '        command: ["/kuard", "--readiness-fail-next=3"]
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /ready, port: http}, periodSeconds: 1, failureThreshold: 1}' >"$KJ_TMP/web.yaml"
check "apply a ReplicaSet with an httpGet readiness probe" "${K[@]}" apply -f "$KJ_TMP/web.yaml"
cat >"$KJ_TMP/svc.yaml" <<Y
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
Y
check "apply a LoadBalancer Service" "${K[@]}" apply -f "$KJ_TMP/svc.yaml"
if wait_for 60 is web '.status.readyReplicas // 0' 1; then ok "the pod turns ready once /ready answers 200"; else not_ok "the pod turns ready once /ready answers 200" "$(curl -s "$API/web")"; fi
hist=$(curl -sf "$KJOBD_URL/api/v1/namespaces/$KJ_NS/services/web:80/proxy/ready/api")
check_eq "the probe saw 3 failures before a success (kuard's /ready history, via the proxy)" "500 500 500 200" \
    "$(jq -r '[.history[].code] | reverse | .[0:4] | map(tostring) | join(" ")' <<<"$hist" 2>&1)"
out=$("${K[@]}" describe svc web 2>&1)
if grep -qE '^Endpoints: +[0-9.]+:8080$' <<<"$out"; then ok "kubectl describe svc shows the ready pod as endpoint (named targetPort)"; else not_ok "kubectl describe svc shows the ready pod as endpoint (named targetPort)" "$out"; fi
cond() { curl -sf "$KJOBD_URL/api/v1/namespaces/$KJ_NS/services/web" | jq -e '.status.conditions[0].reason == "CannotPublish"'; }
if wait_for 20 cond; then ok "the LoadBalancer Service says it cannot publish (status)"; else not_ok "the LoadBalancer Service says it cannot publish (status)" "$(curl -s "$KJOBD_URL/api/v1/namespaces/$KJ_NS/services/web")"; fi
out=$("${K[@]}" get events --field-selector involvedObject.name=web 2>&1)
if grep -q CannotPublish <<<"$out"; then ok "... and in a Warning event"; else not_ok "... and in a Warning event" "$out"; fi

rs tcp gcr.io/kuar-demo/kuard-amd64:blue 1 '        readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}' | "${K[@]}" apply -f - >/dev/null
rs ex kjob/busybox:latest 1 '        command: ["sleep", "3600"]
        readinessProbe: {exec: {command: ["test", "-e", "/tmp/ready"]}, periodSeconds: 1}' | "${K[@]}" apply -f - >/dev/null
if wait_for 60 is tcp '.status.readyReplicas // 0' 1; then ok "a tcpSocket probe makes the pod ready"; else not_ok "a tcpSocket probe makes the pod ready" "$(curl -s "$API/tcp")"; fi
if wait_for 30 is ex '.status.replicas' 1 && ! wait_for 3 is ex '.status.readyReplicas // 0' 1; then
    ok "an exec probe that fails keeps the pod unready"
else
    not_ok "an exec probe that fails keeps the pod unready" "$(curl -s "$API/ex")"
fi
expod=$("${K[@]}" get pods -l app=ex -o jsonpath='{.items[0].metadata.name}')
docker exec "$expod" touch /tmp/ready
if wait_for 30 is ex '.status.readyReplicas // 0' 1; then ok "... and ready once it succeeds"; else not_ok "... and ready once it succeeds" "$(curl -s "$API/ex")"; fi

rs crash kjob/busybox:latest 1 '        command: ["sh", "-c", "exit 3"]' | "${K[@]}" apply -f - >/dev/null
restarts() { [ "$("${K[@]}" get pods -l app=crash -o jsonpath='{.items[0].status.containerStatuses[0].restartCount}')" -ge 2 ]; }
if wait_for 60 restarts; then ok "a crashing container restarts in place"; else not_ok "a crashing container restarts in place" "$("${K[@]}" get pods -l app=crash 2>&1)"; fi
check_eq "... in the same pod (no replacement pods)" "1" "$("${K[@]}" get pods -l app=crash -o name | wc -l | tr -d ' ')"

check "kubectl scale rs/web --replicas=3" "${K[@]}" scale rs/web --replicas=3
if wait_for 60 is web '.status.readyReplicas // 0' 3; then ok "3 ready replicas"; else not_ok "3 ready replicas" "$(curl -s "$API/web")"; fi
check "kubectl scale rs/web --replicas=1" "${K[@]}" scale rs/web --replicas=1
if wait_for 30 is web '.status.replicas' 1; then ok "scaled down to 1"; else not_ok "scaled down to 1" "$(curl -s "$API/web")"; fi
check_eq "status.observedGeneration follows metadata.generation" "$(field web .metadata.generation)" "$(field web .status.observedGeneration)"
deletes() { [ "$("${K[@]}" get events --field-selector involvedObject.name=web -o json | jq -r '[.items[] | select(.reason=="SuccessfulDelete" and .source.component=="replicaset-controller")] | length')" = 2 ]; }
# status counts pods being removed as gone already (as Kubernetes does with
# terminating pods); the event follows once the engine has removed them.
if wait_for 20 deletes; then ok "2 SuccessfulDelete events from replicaset-controller"; else not_ok "2 SuccessfulDelete events from replicaset-controller" "$("${K[@]}" get events 2>&1)"; fi
out=$("${K[@]}" describe rs web 2>&1)
if grep -qE 'Replicas: +1 current / 1 desired' <<<"$out" && grep -q SuccessfulCreate <<<"$out"; then ok "kubectl describe rs"; else not_ok "kubectl describe rs" "$out"; fi

check "kubectl delete rs --all" "${K[@]}" delete rs --all
gone() { [ -z "$(docker ps -aq --filter "label=io.kjob.namespace=$KJ_NS")" ]; }
if wait_for 30 gone; then ok "cascade delete removes every pod"; else not_ok "cascade delete removes every pod" "$(docker ps -a --filter "label=io.kjob.namespace=$KJ_NS")"; fi
kjobd_stop
kjobd_check_sanitizers
tap_done
