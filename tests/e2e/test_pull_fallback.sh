#!/usr/bin/env bash
# Issue 5: imagePullPolicy Always on a machine whose registry is away. The
# image names a registry on loopback where nothing listens (127.0.0.1:9), so
# the engine's pull fails at once and no traffic leaves the host. kjobd
# without --offline: the default falls back to the local image with a
# Warning event; --pull-fallback=strict behaves as Kubernetes (ErrImagePull,
# then ImagePullBackOff with the engine's message); an image that exists
# nowhere shows ErrImagePull instead of hanging.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/kjobd.sh"

IMG=127.0.0.1:9/kjob/busybox:pull-fallback
docker tag kjob/busybox:latest "$IMG"
on_exit "docker rmi $IMG"

job() { # NAME IMAGE
    cat <<YAML
apiVersion: batch/v1
kind: Job
metadata:
  name: $1
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: $2
        imagePullPolicy: Always
        command: ["echo", "ran-local"]
YAML
}
waiting_reason() { # JOB -> the pod's waiting reason
    kj_pods "job-name=$1" | jq -r '.items[0].status.containerStatuses[0].state.waiting.reason // empty'
}
waiting_message() {
    kj_pods "job-name=$1" | jq -r '.items[0].status.containerStatuses[0].state.waiting.message // empty'
}

# ---- default: the local image after a failed pull ----
kjobd_start --offline=false
job local "$IMG" >"$KJ_TMP/local.yaml"
kj_create_yaml "$KJ_TMP/local.yaml" >/dev/null
check_eq "job accepted" "201" "$(kj_code)"
check "the pull fails, the local image runs, the job completes" wait_for 60 kj_job_condition local Complete
ev() { kj_api GET "/api/v1/namespaces/$KJ_NS/events" | jq -e --arg img "$IMG" \
    '.items[] | select(.type == "Warning" and (.message | startswith("Failed to pull image \"" + $img + "\"")) and (.message | endswith("using the local image")))' >/dev/null; }
check "a Warning event says the pull failed and the local image is used" ev
check_eq "the pod ran the local image" "ran-local" \
    "$(kj_api GET "/api/v1/namespaces/$KJ_NS/pods/$(kj_pods job-name=local | jq -r '.items[0].metadata.name')/log")"

# ---- an image that exists nowhere: ErrImagePull, then ImagePullBackOff ----
job nowhere 127.0.0.1:9/kjob/none:x >"$KJ_TMP/nowhere.yaml"
kj_create_yaml "$KJ_TMP/nowhere.yaml" >/dev/null
check "missing everywhere: the pod waits in ErrImagePull or ImagePullBackOff" \
    wait_for 30 bash -c "$(declare -f waiting_reason kj_pods); KJOBD_URL=$KJOBD_URL KJ_NS=$KJ_NS waiting_reason nowhere | grep -qE '^(ErrImagePull|ImagePullBackOff)$'"
check "then ImagePullBackOff, carrying the engine's message" \
    wait_for 30 bash -c "$(declare -f waiting_message kj_pods); KJOBD_URL=$KJOBD_URL KJ_NS=$KJ_NS waiting_message nowhere | grep -q '^Back-off pulling image \"127.0.0.1:9/kjob/none:x\": ErrImagePull: '"
check_eq "no pod failure is counted while it waits" "0" \
    "$(kj_job nowhere | jq -r '.status.failed // 0')"
kjobd_stop

# ---- strict: Kubernetes' behaviour even though the image is local ----
kjobd_start --offline=false --pull-fallback=strict
job strict "$IMG" >"$KJ_TMP/strict.yaml"
kj_create_yaml "$KJ_TMP/strict.yaml" >/dev/null
check "strict: the pod waits on the failed pull although the image is local" \
    wait_for 30 bash -c "$(declare -f waiting_reason kj_pods); KJOBD_URL=$KJOBD_URL KJ_NS=$KJ_NS waiting_reason strict | grep -qE '^(ErrImagePull|ImagePullBackOff)$'"
check_eq "strict: no container was created for it" "" \
    "$(docker ps -aq --filter label=io.kjob.namespace="$KJ_NS" --filter label=io.kjob.job-name=strict)"

kjobd_done
