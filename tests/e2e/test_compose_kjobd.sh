#!/usr/bin/env bash
# compose/kjobd (kjobd next to Docker Desktop) with Debian's docker-compose
# 1.29, unmodified, plus an override that only adds what tests need here:
# an internal network for the compose project and for the pods (DESIGN.md),
# --offline. The API is reached at the container's address (an internal
# network publishes no port); a Job runs on the engine through the mounted
# socket; the state survives `down` + `up` in the named volume.
set -u
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh

if ! command -v docker-compose >/dev/null 2>&1; then
    echo "ok 1 # SKIP docker-compose is not installed"
    echo "1..1"
    exit 0
fi
kj_require docker jq curl
project=kjc$$
podnet=kjc-pods-$$
ns=kjc-$$
cat >"$KJ_TMP/override.yml" <<YAML
services:
  kjobd:
    command:
      - /kjobd
      - --listen=0.0.0.0:8001
      - --insecure-listen
      - --state-dir=/var/lib/kjob
      - --log-format=json
      - --offline
      - --network=$podnet
      - --network-internal
networks:
  default:
    internal: true
YAML
dc() { docker-compose -p "$project" -f compose/kjobd/docker-compose.yml -f "$KJ_TMP/override.yml" "$@"; }
cleanup_compose() {
    dc down -v --remove-orphans
    local ids
    ids=$(docker ps -aq --filter "label=io.kjob.namespace=$ns")
    [ -z "$ids" ] || docker rm -f $ids
    docker network rm "$podnet"
}
on_exit cleanup_compose

check "docker-compose config accepts the file" dc config -q
check "up -d" dc up -d
cid=$(dc ps -q kjobd)
ip=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$cid")
url=http://$ip:8001
ready() { curl -sf "$url/readyz" >/dev/null; }
check "kjobd in its container becomes ready (at $ip)" wait_for 60 ready
cat >"$KJ_TMP/job.yaml" <<'YAML'
apiVersion: batch/v1
kind: Job
metadata:
  name: hello
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: kjob/busybox:latest
        imagePullPolicy: Never
        command: ["echo", "hello from compose"]
YAML
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/yaml' \
    --data-binary @"$KJ_TMP/job.yaml" "$url/apis/batch/v1/namespaces/$ns/jobs")
check_eq "a Job submitted over REST" "201" "$code"
complete() { curl -sf "$url/apis/batch/v1/namespaces/$ns/jobs/hello" | jq -e '.status.succeeded == 1' >/dev/null; }
check "it runs on the engine through the mounted socket and completes" wait_for 90 complete
pod=$(curl -sf "$url/api/v1/namespaces/$ns/pods" | jq -r '.items[0].metadata.name')
check_eq "its log" "hello from compose" "$(curl -sf "$url/api/v1/namespaces/$ns/pods/$pod/log")"
check_eq "the pods' network is internal" "true" "$(docker network inspect -f '{{.Internal}}' "$podnet")"
check "down (keeping the state volume)" dc down
check "up again" dc up -d
cid=$(dc ps -q kjobd)
ip=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$cid")
url=http://$ip:8001
check "ready again" wait_for 60 ready
check "the Job survived in the state volume" complete
tap_done
