#!/usr/bin/env bash
# The REST endpoint's contract without running workloads: Status errors with
# Kubernetes' codes and texts, body types, limits, health, flags.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/kjobd.sh"

"$KJOBD_BIN" --help >"$KJ_TMP/help"; rc=$?
check_eq "--help exits 0" 0 "$rc"
check "--help lists --pull-fallback and --resync-period" grep -q -- '--pull-fallback.*--resync-period' <(tr '\n' ' ' <"$KJ_TMP/help")
"$KJOBD_BIN" --no-such-flag 2>"$KJ_TMP/err"; rc=$?
check_eq "a bad flag exits 2" 2 "$rc"
check_eq "with one line on stderr" 1 "$(wc -l <"$KJ_TMP/err")"

kjobd_start
check_eq "/healthz" ok "$(curl -s "$KJOBD_URL/healthz")"
check_eq "/readyz" ok "$(curl -s "$KJOBD_URL/readyz")"
check_eq "/version is Kubernetes-shaped" 1 "$(curl -s "$KJOBD_URL/version" | jq -r .major)"

ns=$KJ_NS
J=/apis/batch/v1/namespaces/$ns/jobs
kj_api POST "$J" -H 'Content-Type: application/json' --data '{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"bad"},"spec":{"parallelism":-1,"template":{"spec":{"containers":[{"name":"c","image":"kjob/busybox:latest"}]}}}}' >"$KJ_TMP/422"
check_eq "invalid Job: 422 Invalid" "422 Invalid" "$(kj_code) $(jq -r .reason "$KJ_TMP/422")"
check "422 names both problems in causes" jq -e '[.details.causes[].field] | contains(["spec.parallelism", "spec.template.spec.restartPolicy"])' "$KJ_TMP/422"
check "422 message is Kubernetes' text" jq -e '.message | startswith("Job.batch \"bad\" is invalid: [")' "$KJ_TMP/422"

kj_api POST "$J" -H 'Content-Type: application/json' --data '{"metadata": ' >"$KJ_TMP/400"
check_eq "malformed JSON: 400 BadRequest" "400 BadRequest" "$(kj_code) $(jq -r .reason "$KJ_TMP/400")"
head -c $((3 * 1024 * 1024 + 10)) /dev/zero | tr '\0' ' ' >"$KJ_TMP/big"
kj_api POST "$J" -H 'Content-Type: application/json' --data-binary @"$KJ_TMP/big" >"$KJ_TMP/413"
check_eq "body over 3 MiB: 413" "413 RequestEntityTooLarge" "$(kj_code) $(jq -r .reason "$KJ_TMP/413")"
kj_api PUT "$J" -H 'Content-Type: application/json' --data '{}' >"$KJ_TMP/405"
check_eq "PUT on the collection: 405" "405 MethodNotAllowed" "$(kj_code) $(jq -r .reason "$KJ_TMP/405")"
kj_api GET /apis/nope >"$KJ_TMP/404"
check_eq "unknown path: 404 Status" "404 NotFound" "$(kj_code) $(jq -r .reason "$KJ_TMP/404")"
kj_api GET /apis/batch/v1/namespaces/Not_A_Label/jobs >/dev/null
check_eq "invalid namespace name: 400" 400 "$(kj_code)"

# YAML by sniffing (curl's default form type) and JSON by Content-Type.
cat >"$KJ_TMP/y.yaml" <<'YAML'
apiVersion: batch/v1
kind: Job
metadata:
  name: sniffed
spec:
  suspend: true
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: kjob/busybox:latest
YAML
kj_api POST "$J" --data-binary @"$KJ_TMP/y.yaml" >/dev/null
check_eq "YAML without Content-Type is sniffed: 201" 201 "$(kj_code)"
kj_api POST /apis/batch/v1/namespaces/other-$ns/jobs -H 'Content-Type: application/yaml' --data-binary @"$KJ_TMP/y.yaml" >/dev/null
check_eq "any valid namespace works without creating it" 201 "$(kj_code)"
check_eq "list all namespaces sees both" 2 "$(curl -s "$KJOBD_URL/apis/batch/v1/jobs?fieldSelector=metadata.name%3Dsniffed" | jq '.items | length')"
check_eq "labelSelector filters" 0 "$(curl -s "$KJOBD_URL/apis/batch/v1/jobs?labelSelector=job-name%3Dother" | jq '.items | length')"
kj_api DELETE "$J/sniffed" -H 'Content-Type: application/json' --data '{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Orphan"}' >"$KJ_TMP/orphan"
check_eq "DELETE Orphan (DeleteOptions body) answers the Job" "200 Job orphan" "$(kj_code) $(jq -r '"\(.kind) \(.metadata.finalizers[0])"' "$KJ_TMP/orphan")"
if wait_for 10 sh -c "! curl -sf '$KJOBD_URL$J/sniffed' >/dev/null"; then ok "the orphaned Job goes away"; else not_ok "the orphaned Job goes away"; fi
kj_api DELETE "/apis/batch/v1/namespaces/other-$ns/jobs/sniffed?propagationPolicy=Sideways" >"$KJ_TMP/pp"
check_eq "bad propagationPolicy: 400" 400 "$(kj_code)"
kj_api DELETE "/apis/batch/v1/namespaces/other-$ns/jobs/sniffed?propagationPolicy=Foreground" >/dev/null
check_eq "DELETE Foreground: 200" 200 "$(kj_code)"
if wait_for 10 sh -c "! curl -sf '$KJOBD_URL/apis/batch/v1/namespaces/other-$ns/jobs/sniffed' >/dev/null"; then ok "the Foreground-deleted Job goes away"; else not_ok "the Foreground-deleted Job goes away"; fi
kjobd_done
