#!/usr/bin/env bash
# Serving: a non-loopback listener needs TLS and bearer tokens (kjobd refuses
# to start otherwise, unless --insecure-listen); kubectl works over it with
# --token, and gets 401 without; unix sockets are mode 0660; request limits
# (body, headers) are answered, and a stalled client never blocks others.
# The non-loopback address is the host side of the test's own internal
# network, so nothing leaves the machine.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/kjobd.sh"
kj_require openssl curl

kj_test_network
GW=$(docker network inspect -f '{{(index .IPAM.Config 0).Gateway}}' "$KJ_TEST_NET")
RPORT=$(kj_free_port)

out=$("$KJOBD_BIN" --listen "$GW:$RPORT" --state-dir "$KJ_TMP/st0" --offline 2>&1)
check_eq "a non-loopback listener without TLS is refused" \
    "kjobd: refusing to serve on \`$GW:$RPORT\` without TLS and authentication: give \`--tls-cert\`, \`--tls-key\` and \`--token-file\` (or \`--insecure-listen\` inside a container)" "$out"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$KJ_TMP/key.pem" -out "$KJ_TMP/cert.pem" -days 1 \
    -subj "/CN=kjobd" -addext "subjectAltName=IP:$GW" >/dev/null 2>&1
TOKEN=$(openssl rand -hex 16)
echo "$TOKEN" >"$KJ_TMP/tokens"
chmod 644 "$KJ_TMP/tokens"
out=$("$KJOBD_BIN" --listen "$GW:$RPORT" --tls-cert "$KJ_TMP/cert.pem" --tls-key "$KJ_TMP/key.pem" \
    --token-file "$KJ_TMP/tokens" --state-dir "$KJ_TMP/st0" --offline 2>&1)
if grep -q "readable by group or others" <<<"$out"; then ok "a world-readable token file is refused"; else not_ok "a world-readable token file is refused" "$out"; fi
chmod 600 "$KJ_TMP/tokens"
# kjobd skips OpenSSL's error strings only when it does no TLS at all (see
# kj_tls_init_unused): with --tls-cert a bad file is explained in words.
echo "not a certificate" >"$KJ_TMP/bad.pem"
out=$("$KJOBD_BIN" --listen "$GW:$RPORT" --tls-cert "$KJ_TMP/bad.pem" --tls-key "$KJ_TMP/key.pem" \
    --token-file "$KJ_TMP/tokens" --state-dir "$KJ_TMP/st0" --offline 2>&1 | tail -n 1)
if grep -q "read TLS certificate .*bad.pem.*: error:.*PEM routines::no start line" <<<"$out"; then
    ok "a bad certificate is refused with OpenSSL's reason in words"
else not_ok "a bad certificate is refused with OpenSSL's reason in words" "$out"; fi

kjobd_start --listen "$GW:$RPORT" --listen "unix:$KJ_TMP/kjobd.sock" \
    --tls-cert "$KJ_TMP/cert.pem" --tls-key "$KJ_TMP/key.pem" --token-file "$KJ_TMP/tokens"
RURL=https://$GW:$RPORT
export KUBECONFIG=/dev/null
KT=(kubectl --server "$RURL" --certificate-authority "$KJ_TMP/cert.pem" --token "$TOKEN" -n "$KJ_NS")

check_eq "no token: 401" 401 "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$KJ_TMP/cert.pem" "$RURL/version")"
check_eq "wrong token: 401" 401 "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$KJ_TMP/cert.pem" -H 'Authorization: Bearer nope' "$RURL/version")"
check_eq "plain HTTP on the TLS port fails" 000 "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://$GW:$RPORT/version")"
# Discovery fails first, so kubectl prints its generic 401 text (as against
# kube-apiserver).
out=$(kubectl --server "$RURL" --certificate-authority "$KJ_TMP/cert.pem" --token nope get jobs 2>&1 | tail -n 1)
check_eq "kubectl with a bad token" "error: You must be logged in to the server (the server has asked for the client to provide credentials)" "$out"

cat >"$KJ_TMP/tls.yaml" <<'Y'
apiVersion: batch/v1
kind: Job
metadata:
  name: tls
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: kjob/busybox
        command: ["sh", "-c", "echo over tls; sleep 2; echo done"]
Y
check_eq "kubectl apply over TLS with a token" "job.batch/tls created" "$("${KT[@]}" apply -f "$KJ_TMP/tls.yaml" 2>&1)"
"${KT[@]}" get jobs -w >"$KJ_TMP/w.txt" 2>&1 &
wpid=$!
on_exit "kill $wpid"
check "kubectl wait over TLS" "${KT[@]}" wait --for=condition=complete job/tls --timeout=60s
if wait_for 20 grep -qE '^tls +Complete +1/1 ' "$KJ_TMP/w.txt"; then ok "kubectl get -w streams over TLS"; else not_ok "kubectl get -w streams over TLS" "$(cat "$KJ_TMP/w.txt")"; fi
kill $wpid 2>/dev/null
check_eq "kubectl logs over TLS" "over tls
done" "$("${KT[@]}" logs job/tls 2>&1)"

KJOBCTL_BIN=${KJOBCTL_BIN:-$(dirname "$KJOBD_BIN")/kjobctl}
KC=("$KJOBCTL_BIN" --server "$RURL" --certificate-authority "$KJ_TMP/cert.pem" --token "$TOKEN" -n "$KJ_NS")
check_eq "kjobctl over TLS with a token" "job.batch/tls" "$("${KC[@]}" get job tls -o name 2>&1)"
check_eq "kjobctl without the token: Unauthorized" "Error from server (Unauthorized): Unauthorized" \
    "$("$KJOBCTL_BIN" --server "$RURL" --certificate-authority "$KJ_TMP/cert.pem" -n "$KJ_NS" get job tls 2>&1)"
"${KC[@]}" kubeconfig >"$KJ_TMP/kubeconfig"
check_eq "kubectl with kjobctl's kubeconfig (CA + token)" "job.batch/tls" \
    "$(kubectl --kubeconfig "$KJ_TMP/kubeconfig" get job tls -o name 2>&1)"
check_eq "unix socket is mode 0660" 660 "$(stat -c %a "$KJ_TMP/kjobd.sock")"
check_eq "unix socket serves the API" ok "$(curl -s --unix-socket "$KJ_TMP/kjobd.sock" http://kjobd/readyz)"

# Limits. A body over 3 MiB: 413 Status; oversized headers: refused.
head -c $((4 * 1024 * 1024)) /dev/zero | tr '\0' 'a' >"$KJ_TMP/big"
check_eq "a 4 MiB body: 413" 413 "$(curl -s -o /dev/null -w '%{http_code}' -XPOST -H 'Content-Type: application/json' --data-binary @"$KJ_TMP/big" "$KJOBD_URL/apis/batch/v1/namespaces/$KJ_NS/jobs")"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 100000 /dev/zero | tr '\0' 'b')" "$KJOBD_URL/version")
if [ "$code" = 400 ] || [ "$code" = 431 ] || [ "$code" = 000 ]; then ok "100 kB of headers refused ($code)"; else not_ok "100 kB of headers refused" "$code"; fi
# A client that sends half a request and stalls holds one connection only.
exec 7<>"/dev/tcp/127.0.0.1/$KJOBD_PORT"
printf 'GET /version HTTP/1.1\r\nHost: x\r\n' >&7
check_eq "a stalled client does not block others" ok "$(curl -s --max-time 5 "$KJOBD_URL/readyz")"
exec 7>&-
"${KT[@]}" delete job tls >/dev/null 2>&1
kjobd_done
