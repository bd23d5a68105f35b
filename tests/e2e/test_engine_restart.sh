#!/usr/bin/env bash
# Issue 5: the engine restarts in the middle of a Job. Its running pods are
# stopped by the engine going away; kjobd keeps serving, reports not-ready
# while the engine is gone, starts those pods again when it is back and
# never counts the outage as pod failures (backoffLimit 0 would fail the
# Job on the first one). Restarts the engine of this machine: needs the one
# scripts/engine.sh started (its pid file), as CI has.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/kjobd.sh"

if [ ! -s /var/run/docker.pid ] || [ "$(id -u)" != 0 ]; then
    echo "ok 1 # SKIP needs root and the engine started by scripts/engine.sh (/var/run/docker.pid)"
    echo "1..1"
    exit 0
fi
kjobd_start
cat >"$KJ_TMP/job.yaml" <<'YAML'
apiVersion: batch/v1
kind: Job
metadata:
  name: outage
spec:
  completions: 4
  parallelism: 2
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: kjob/busybox:latest
        imagePullPolicy: Never
        command: ["sh", "-c", "sleep 4; echo done"]
YAML
kj_create_yaml "$KJ_TMP/job.yaml" >/dev/null
check_eq "job accepted" "201" "$(kj_code)"
running() { [ "$(docker ps -q --filter label=io.kjob.namespace="$KJ_NS" | wc -l)" -eq 2 ]; }
check "two pods run" wait_for 60 running

pid=$(cat /var/run/docker.pid)
kill -TERM "$pid"
gone() { ! kill -0 "$pid" 2>/dev/null; }
check "the engine stops" wait_for 60 gone
notready() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$KJOBD_URL/readyz")" != 200 ]; }
check "kjobd says it is not ready while the engine is away" wait_for 20 notready
check "kjobd keeps serving the API meanwhile" kj_job outage
check "the engine starts again" bash -c "\"$KJ_ROOT/scripts/engine.sh\" >/dev/null"
check "kjobd is ready again" wait_for 60 _kjobd_ready

check "the job completes" wait_for 120 kj_job_condition outage Complete
check_eq "4 succeeded, no failure counted for the outage" "4 0" \
    "$(kj_job outage | jq -r '"\(.status.succeeded) \(.status.failed // 0)"')"
check_eq "four pods in all: the stopped ones were started again, not replaced" "4" \
    "$(kj_pods job-name=outage | jq '.items | length')"

kjobd_done
