#!/usr/bin/env bash
# NodePort and LoadBalancer Services published on the host's 127.0.0.1 by
# kjobd's userspace proxy (controller/svc_publish.h): nodePort allocation,
# kubectl get svc (EXTERNAL-IP 127.0.0.1, PORT(S) port:nodePort/TCP), curl
# through kjobd to the kuard pods (round robin), a port in use (condition
# and Warning event), a taken nodePort (422), re-publishing after a kjobd
# restart, and closing on type change and delete. About 40 s.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh
source tests/e2e/kjobd.sh

kj_require_kubectl
kjobd_start
K=(kubectl --server "$KJOBD_URL" -n "$KJ_NS")
SVC=$KJOBD_URL/api/v1/namespaces/$KJ_NS/services

# A port of [lo, hi] free on 127.0.0.1 right now, picked at random: other
# tests run concurrently on this host.
free_port_in() {
    python3 - "$1" "$2" <<'PY'
import random, socket, sys
lo, hi = int(sys.argv[1]), int(sys.argv[2])
for _ in range(200):
    p = random.randint(lo, hi)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        s.close()
    print(p)
    break
PY
}
LBPORT=$(free_port_in 20000 29999)
NP=$(free_port_in 30000 32767)
diag "LoadBalancer port $LBPORT, explicit nodePort $NP"

cat >"$KJ_TMP/app.yaml" <<Y
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: kuard}
spec:
  replicas: 2
  selector: {matchLabels: {app: kuard}}
  template:
    metadata: {labels: {app: kuard}}
    spec:
      containers:
      - name: kuard
        image: kjob/kuard:latest
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /ready, port: http}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: lb}
spec:
  type: LoadBalancer
  selector: {app: kuard}
  ports: [{port: $LBPORT, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: np}
spec:
  type: NodePort
  selector: {app: kuard}
  ports: [{port: 8080, nodePort: $NP}]
Y
check "kubectl apply a kuard ReplicaSet, a LoadBalancer and a NodePort Service" "${K[@]}" apply -f "$KJ_TMP/app.yaml"
ready() { [ "$(curl -sf "$KJOBD_URL/apis/apps/v1/namespaces/$KJ_NS/replicasets/kuard" | jq -r '.status.readyReplicas // 0')" = 2 ]; }
if wait_for 60 ready; then ok "2 kuard pods ready"; else not_ok "2 kuard pods ready" "$("${K[@]}" get pods 2>&1)"; fi

LBNP=$(curl -sf "$SVC/lb" | jq -r '.spec.ports[0].nodePort')
if [ "$LBNP" -ge 30000 ] 2>/dev/null && [ "$LBNP" -le 32767 ]; then ok "the API server allocated a nodePort in 30000-32767 ($LBNP)"; else not_ok "the API server allocated a nodePort in 30000-32767" "$(curl -s "$SVC/lb")"; fi
check_eq "an explicit nodePort is kept" "$NP" "$(curl -sf "$SVC/np" | jq -r '.spec.ports[0].nodePort')"

published() { curl -sf "$SVC/$1" | jq -e '.status.conditions // [] | any(.type == "kjob.io/PortPublished" and .status == "True" and .reason == "Published")' >/dev/null; }
if wait_for 20 published lb && wait_for 5 published np; then ok "both Services say kjob.io/PortPublished=True"; else not_ok "both Services say kjob.io/PortPublished=True" "$(curl -s "$SVC/lb" | jq -c .status)" "$(curl -s "$SVC/np" | jq -c .status)"; fi
check_eq "the LoadBalancer's status.loadBalancer.ingress is 127.0.0.1" "127.0.0.1" "$(curl -sf "$SVC/lb" | jq -r '.status.loadBalancer.ingress[0].ip')"
out=$("${K[@]}" get svc lb np --no-headers 2>&1)
if grep -qE "^lb +LoadBalancer +<none> +127\.0\.0\.1 +$LBPORT:$LBNP/TCP " <<<"$out" &&
    grep -qE "^np +NodePort +<none> +<none> +8080:$NP/TCP " <<<"$out"; then
    ok "kubectl get svc: EXTERNAL-IP 127.0.0.1 and PORT(S) port:nodePort/TCP"
else
    not_ok "kubectl get svc: EXTERNAL-IP 127.0.0.1 and PORT(S) port:nodePort/TCP" "$out"
fi

# (A new Service re-attaches the pods it selects to give them its name,
# rs_driver.h, so they may be briefly without endpoints: poll.)
healthy() { [ "$(curl -s --max-time 5 "http://127.0.0.1:$1/healthy")" = ok ]; }
if wait_for 20 healthy "$LBPORT"; then ok "curl 127.0.0.1:$LBPORT/healthy (the LoadBalancer port) reaches kuard"; else not_ok "curl 127.0.0.1:<port>/healthy reaches kuard" "$(curl -sv --max-time 5 "http://127.0.0.1:$LBPORT/healthy" 2>&1 | tail -5)"; fi
if wait_for 20 healthy "$LBNP"; then ok "... and the LoadBalancer's nodePort"; else not_ok "... and the LoadBalancer's nodePort" "$(curl -sv --max-time 5 "http://127.0.0.1:$LBNP/healthy" 2>&1 | tail -5)"; fi
if wait_for 20 healthy "$NP"; then ok "... and the NodePort Service's nodePort"; else not_ok "... and the NodePort Service's nodePort" "$(curl -sv --max-time 5 "http://127.0.0.1:$NP/healthy" 2>&1 | tail -5)"; fi
hosts() { for _ in 1 2 3 4 5 6; do curl -s --max-time 5 "http://127.0.0.1:$NP/env/api" | jq -r '.env.HOSTNAME' 2>/dev/null; done | sort -u | grep -c .; }
both() { [ "$(hosts)" = 2 ]; }
if wait_for 20 both; then ok "6 requests reach both pods (round robin)"; else not_ok "6 requests reach both pods (round robin)" "$(hosts)"; fi
check "a keep-alive client makes 3 requests on one connection" \
    curl -sf --max-time 5 -o /dev/null -o /dev/null -o /dev/null "http://127.0.0.1:$LBPORT/healthy" "http://127.0.0.1:$LBPORT/ready" "http://127.0.0.1:$LBPORT/env/api"

# A Service whose port is taken (by kjobd's own API listener): condition
# False/PortInUse, a Warning event, EXTERNAL-IP <pending>.
printf 'apiVersion: v1\nkind: Service\nmetadata: {name: busy}\nspec:\n  type: LoadBalancer\n  selector: {app: kuard}\n  ports: [{port: %s, targetPort: 8080}]\n' "$KJOBD_PORT" >"$KJ_TMP/busy.yaml"
check "apply a LoadBalancer Service on a port in use" "${K[@]}" apply -f "$KJ_TMP/busy.yaml"
inuse() { curl -sf "$SVC/busy" | jq -e '.status.conditions // [] | any(.type == "kjob.io/PortPublished" and .status == "False" and .reason == "PortInUse")' >/dev/null; }
if wait_for 20 inuse; then ok "... it says kjob.io/PortPublished=False, PortInUse"; else not_ok "... it says kjob.io/PortPublished=False, PortInUse" "$(curl -s "$SVC/busy" | jq -c .status)"; fi
out=$("${K[@]}" get events --field-selector involvedObject.name=busy 2>&1)
if grep -qE "Warning +PortInUse +service/busy +cannot listen on 127\.0\.0\.1:$KJOBD_PORT for port $KJOBD_PORT" <<<"$out"; then ok "... in a Warning event"; else not_ok "... in a Warning event" "$out"; fi
check_eq "... and EXTERNAL-IP <pending>" "<pending>" "$("${K[@]}" get svc busy --no-headers | awk '{print $4}')"
busynp=$(curl -sf "$SVC/busy" | jq -r '.spec.ports[0].nodePort')
if wait_for 20 healthy "$busynp"; then ok "... while its nodePort works"; else not_ok "... while its nodePort works" "nodePort $busynp" "$(curl -sv --max-time 5 "http://127.0.0.1:$busynp/healthy" 2>&1 | tail -5)" "$(grep -i 'service\|busy' "$KJOBD_LOG" | tail -5)"; fi
check "kubectl delete svc busy" "${K[@]}" delete svc busy

# A taken nodePort is refused as kube-apiserver refuses it.
out=$(printf 'apiVersion: v1\nkind: Service\nmetadata: {name: dup}\nspec:\n  type: NodePort\n  selector: {app: kuard}\n  ports: [{port: 80, nodePort: %s}]\n' "$NP" | "${K[@]}" apply -f - 2>&1)
if grep -qF "The Service \"dup\" is invalid: spec.ports[0].nodePort: Invalid value: $NP: provided port is already allocated" <<<"$out"; then ok "a taken nodePort is refused (422)"; else not_ok "a taken nodePort is refused (422)" "$out"; fi
out=$(printf 'apiVersion: v1\nkind: Service\nmetadata: {name: dup}\nspec:\n  selector: {app: kuard}\n  ports: [{port: 80, nodePort: 30999}]\n' | "${K[@]}" apply -f - 2>&1)
if grep -qF "spec.ports[0].nodePort: Forbidden: may not be used when \`type\` is 'ClusterIP'" <<<"$out"; then ok "a nodePort on a ClusterIP Service is refused (422)"; else not_ok "a nodePort on a ClusterIP Service is refused (422)" "$out"; fi

# A restart publishes again from the stored Services.
kjobd_stop
refused() { curl -s --max-time 5 -o /dev/null "http://127.0.0.1:$1/" ; [ $? = 7 ]; }
if refused "$LBPORT"; then ok "kjobd stopped: the port is closed"; else not_ok "kjobd stopped: the port is closed"; fi
kjobd_start
if wait_for 30 healthy "$LBPORT"; then ok "kjobd restarted: the LoadBalancer port answers again"; else not_ok "kjobd restarted: the LoadBalancer port answers again" "$(tail -n 20 "$KJOBD_LOG")"; fi

# NodePort -> ClusterIP: the nodePort goes from spec and from the host.
check "kubectl patch svc np to type ClusterIP" "${K[@]}" patch svc np -p '{"spec":{"type":"ClusterIP"}}'
check_eq "... its nodePort is wiped" "null" "$(curl -sf "$SVC/np" | jq -r '.spec.ports[0].nodePort')"
if wait_for 10 refused "$NP"; then ok "... and 127.0.0.1:$NP is closed"; else not_ok "... and 127.0.0.1:$NP is closed"; fi
check_eq "... and its status no longer has the condition" "0" "$(curl -sf "$SVC/np" | jq '[.status.conditions // [] | .[] | select(.type == "kjob.io/PortPublished")] | length')"

check "kubectl delete svc lb" "${K[@]}" delete svc lb
if wait_for 10 refused "$LBPORT" && refused "$LBNP"; then ok "deleting the Service closes its ports (connection refused)"; else not_ok "deleting the Service closes its ports (connection refused)" "$(tail -n 10 "$KJOBD_LOG")"; fi

"${K[@]}" delete rs kuard svc np >/dev/null 2>&1
kjobd_done
