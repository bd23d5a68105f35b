#!/usr/bin/env bash
# ReplicaSets, Services and readiness probes without the keygen load:
# httpGet / tcpSocket / exec readiness probes, restart in place with
# backoff, scale up and down, a LoadBalancer Service (published on 127.0.0.1),
# the Service proxy, cascade delete. About a minute.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh
source tests/e2e/kjobd.sh

kj_require_kubectl
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
# Published on 127.0.0.1:80 by kjobd's proxy (test_service_publish.sh has
# the details), or PortInUse when a concurrent run holds port 80.
cond() { curl -sf "$KJOBD_URL/api/v1/namespaces/$KJ_NS/services/web" | jq -e '.status.conditions[0] | .type == "kjob.io/PortPublished" and (.reason == "Published" or .reason == "PortInUse")'; }
if wait_for 20 cond; then ok "the LoadBalancer Service says whether its port is published (status)"; else not_ok "the LoadBalancer Service says whether its port is published (status)" "$(curl -s "$KJOBD_URL/api/v1/namespaces/$KJ_NS/services/web")"; fi
out=$("${K[@]}" get events --field-selector involvedObject.name=web 2>&1)
if grep -qE 'Published|PortInUse' <<<"$out"; then ok "... and in an event"; else not_ok "... and in an event" "$out"; fi

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

# A clean exit is told from the engine's `die` event before the inspect
# confirms it; both sightings must count as one exit, and restartCount is
# the kubelet's: while the container waits to be started again
# (CrashLoopBackOff) it is the number of runs so far (each appends a line to
# a file in the container, which a restart in place keeps) minus one.
rs clean kjob/busybox:latest 1 '        command: ["sh", "-c", "echo run >> /runs; sleep 1"]' | "${K[@]}" apply -f - >/dev/null
clean_restarts() { "${K[@]}" get pods -l app=clean -o jsonpath='{.items[0].status.containerStatuses[0].restartCount}'; }
clean_waiting() {
    [ "$("${K[@]}" get pods -l app=clean -o jsonpath='{.items[0].status.containerStatuses[0].state.waiting.reason}')" = CrashLoopBackOff ] &&
        [ "$(clean_restarts)" -ge 1 ]
}
if wait_for 90 clean_waiting; then
    cpod=$("${K[@]}" get pods -l app=clean -o jsonpath='{.items[0].metadata.name}')
    for _ in 1 2 3 4 5; do # a read inside one wait, not across a restart
        wait_for 60 clean_waiting || break
        n=$(clean_restarts)
        runs=$(docker cp "$cpod:/runs" - 2>/dev/null | tar -xO | grep -c run)
        [ "$(docker inspect -f '{{.State.Running}}' "$cpod")" = false ] && clean_waiting &&
            [ "$n" = "$(clean_restarts)" ] && break
    done
    check_eq "a container exiting 0 under restartPolicy Always: restartCount = runs - 1 while it waits" "$((runs - 1))" "$n"
else
    not_ok "a container exiting 0 under restartPolicy Always waits in CrashLoopBackOff" "$("${K[@]}" get pods -l app=clean 2>&1)"
fi

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

# Services select Job pods too: a busybox httpd Job pod behind Service
# `jweb`, reached by name from the `ex` ReplicaSet pod.
cat >"$KJ_TMP/jweb.yaml" <<Y
apiVersion: batch/v1
kind: Job
metadata: {name: jweb}
spec:
  template:
    metadata: {labels: {app: jweb}}
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: kjob/busybox:latest
        command: ["sh", "-c", "mkdir -p /www && echo from-the-job-pod >/www/index.html && exec httpd -f -p 8080 -h /www"]
---
apiVersion: v1
kind: Service
metadata: {name: jweb}
spec:
  selector: {app: jweb}
  ports: [{port: 8080}]
Y
check "apply a Job running httpd and a Service selecting it" "${K[@]}" apply -f "$KJ_TMP/jweb.yaml"
# (busybox nc: this image's wget crashes on name lookups)
jreq() { docker exec "$expod" sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | nc jweb 8080" 2>&1; }
jget() { grep -qx from-the-job-pod <<<"$(jreq)"; }
if wait_for 40 jget; then ok "a pod reaches the Job pod by the Service name"; else not_ok "a pod reaches the Job pod by the Service name" "$(jreq)" "$("${K[@]}" get pods 2>&1)"; fi
out=$("${K[@]}" describe svc jweb 2>&1)
if grep -qE '^Endpoints: +[0-9.]+:8080$' <<<"$out"; then ok "... and describe svc lists it as endpoint"; else not_ok "... and describe svc lists it as endpoint" "$out"; fi
"${K[@]}" delete -f "$KJ_TMP/jweb.yaml" >/dev/null 2>&1

# Typed validation (api/validate_queue.h): 422 with kube-apiserver's texts.
out=$(rs bad kjob/busybox:latest -1 '' | "${K[@]}" apply -f - 2>&1)
if grep -qF 'The ReplicaSet "bad" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0' <<<"$out"; then
    ok "a ReplicaSet with replicas -1 is refused (422)"
else
    not_ok "a ReplicaSet with replicas -1 is refused (422)" "$out"
fi
out=$(printf 'apiVersion: v1\nkind: Service\nmetadata: {name: bad}\nspec:\n  selector: {app: bad}\n  ports: [{port: 0}]\n' | "${K[@]}" apply -f - 2>&1)
if grep -qF 'Service "bad" is invalid: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive' <<<"$out"; then
    ok "a Service with port 0 is refused (422)"
else
    not_ok "a Service with port 0 is refused (422)" "$out"
fi

# propagationPolicy: Orphan leaves the pods running and untouched;
# Foreground removes them before the ReplicaSet goes.
rspods() { docker ps -q --filter "label=io.kjob.namespace=$KJ_NS" --filter "label=io.kjob.job-name=ReplicaSet/$1" | sort | tr '\n' ' '; }
two() { [ "$(rspods "$1" | wc -w)" = 2 ]; }
rs orph kjob/busybox:latest 2 '        command: ["sleep", "3600"]' | "${K[@]}" apply -f - >/dev/null
rs fg kjob/busybox:latest 2 '        command: ["sleep", "3600"]' | "${K[@]}" apply -f - >/dev/null
wait_for 30 two orph; wait_for 30 two fg
orphpods=$(rspods orph)
check "kubectl delete rs orph --cascade=orphan" "${K[@]}" delete rs orph --cascade=orphan
check_eq "... the ReplicaSet is gone" "404" "$(curl -s -o /dev/null -w '%{http_code}' "$API/orph")"
changed() { [ "$(rspods orph)" != "$orphpods" ]; }
if ! wait_for 4 changed; then ok "... its 2 pods keep running, untouched"; else not_ok "... its 2 pods keep running, untouched" "before: $orphpods" "after: $(rspods orph)"; fi
check "kubectl delete rs fg --cascade=foreground (waits until it is gone)" "${K[@]}" delete rs fg --cascade=foreground --timeout=60s
check_eq "... its pods were removed before it went" "" "$(rspods fg)"
rs fg2 kjob/busybox:latest 1 '        command: ["sleep", "3600"]' | "${K[@]}" apply -f - >/dev/null
out=$(curl -s -X DELETE -H 'Content-Type: application/json' -d '{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Foreground"}' "$API/fg2")
if jq -e '.metadata.deletionTimestamp != null and (.metadata.finalizers | index("foregroundDeletion"))' <<<"$out" >/dev/null; then
    ok "DELETE with a Foreground DeleteOptions body marks the ReplicaSet (deletionTimestamp, finalizer)"
else
    not_ok "DELETE with a Foreground DeleteOptions body marks the ReplicaSet (deletionTimestamp, finalizer)" "$out"
fi
fg2gone() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$API/fg2")" = 404 ]; }
if wait_for 30 fg2gone; then ok "... and it goes once its pod is gone"; else not_ok "... and it goes once its pod is gone" "$(curl -s "$API/fg2")"; fi
[ -z "$orphpods" ] || docker rm -f $orphpods >/dev/null

check "kubectl delete rs --all" "${K[@]}" delete rs --all
gone() { [ -z "$(docker ps -aq --filter "label=io.kjob.namespace=$KJ_NS")" ]; }
if wait_for 30 gone; then ok "cascade delete removes every pod"; else not_ok "cascade delete removes every pod" "$(docker ps -a --filter "label=io.kjob.namespace=$KJ_NS")"; fi
kjobd_stop
kjobd_check_sanitizers
tap_done
