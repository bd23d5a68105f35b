#!/usr/bin/env bash
# Job features with small busybox workloads through the REST endpoint:
# activeDeadlineSeconds, suspend/resume (PATCH), Indexed completion,
# podFailurePolicy, ttlSecondsAfterFinished, and a pod container removed
# behind kjob's back (`docker rm -f`) counted as failed and replaced.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/kjobd.sh"

kjobd_start

# job NAME SPEC-YAML(indented 2) CONTAINER-ARGS...: write a manifest.
manifest() {
    local name=$1 spec=$2 script=$3 policy=${4:-Never}
    cat >"$KJ_TMP/$name.yaml" <<YAML
apiVersion: batch/v1
kind: Job
metadata:
  name: $name
spec:
$spec
  template:
    spec:
      restartPolicy: $policy
      containers:
      - name: c
        image: kjob/busybox:latest
        imagePullPolicy: IfNotPresent
        command: ["sh", "-c", "$script"]
YAML
    echo "$KJ_TMP/$name.yaml"
}

cond_reason() { kj_job "$1" | jq -r --arg t "$2" '.status.conditions[]? | select(.type == $t and .status == "True") | .reason'; }

# ---- activeDeadlineSeconds --------------------------------------------------
kj_create_yaml "$(manifest deadline '  activeDeadlineSeconds: 3' 'sleep 300')" >/dev/null
check_eq "deadline job created" 201 "$(kj_code)"

# ---- Indexed ------------------------------------------------------------------
kj_create_yaml "$(manifest indexed '  completionMode: Indexed
  completions: 3
  parallelism: 3' 'echo index=$JOB_COMPLETION_INDEX')" >/dev/null
check_eq "indexed job created" 201 "$(kj_code)"

# ---- podFailurePolicy: exit 42 fails the Job at once ---------------------------
kj_create_yaml "$(manifest pfp '  backoffLimit: 6
  podFailurePolicy:
    rules:
    - action: FailJob
      onExitCodes:
        operator: In
        values: [42]' 'exit 42')" >/dev/null
check_eq "pod failure policy job created" 201 "$(kj_code)"

# ---- ttlSecondsAfterFinished ---------------------------------------------------
kj_create_yaml "$(manifest ttl '  ttlSecondsAfterFinished: 2' 'true')" >/dev/null
check_eq "ttl job created" 201 "$(kj_code)"

# ---- suspend -------------------------------------------------------------------
kj_create_yaml "$(manifest susp '  suspend: true' 'true')" >/dev/null
check_eq "suspended job created" 201 "$(kj_code)"

# ---- an image that is not there (offline: never pulled) --------------------------
cat >"$KJ_TMP/noimg.yaml" <<'YAML'
apiVersion: batch/v1
kind: Job
metadata:
  name: noimg
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: kjob/does-not-exist:1
YAML
kj_create_yaml "$KJ_TMP/noimg.yaml" >/dev/null
check_eq "missing-image job created" 201 "$(kj_code)"

# ---- a pod removed behind kjob's back ---------------------------------------------
kj_create_yaml "$(manifest rmf '  backoffLimit: 3' 'sleep 300')" >/dev/null
check_eq "rm -f job created" 201 "$(kj_code)"

# Missing image: the pod waits in ImagePullBackOff with the reason, never fails.
backoff() { kj_pods job-name=noimg | jq -e '.items[0].status.containerStatuses[0].state.waiting.reason == "ImagePullBackOff"' >/dev/null; }
if wait_for 30 backoff; then ok "missing image: pod waits in ImagePullBackOff"; else not_ok "missing image: pod waits in ImagePullBackOff"; kj_dump noimg; fi
check "missing image: the message names the image and why" sh -c "curl -sf '$KJOBD_URL/api/v1/namespaces/$KJ_NS/pods?labelSelector=job-name%3Dnoimg' | jq -r '.items[0].status.containerStatuses[0].state.waiting.message' | grep -q 'kjob/does-not-exist:1.*offline'"
check_eq "missing image: not counted as a failure" "null 1" "$(kj_job noimg | jq -r '"\(.status.failed) \(.status.active)"')"

# Deadline.
if wait_for 60 kj_job_condition deadline Failed; then ok "deadline: Failed"; else not_ok "deadline: Failed"; kj_dump deadline; fi
check_eq "deadline: reason DeadlineExceeded" DeadlineExceeded "$(cond_reason deadline Failed)"
if wait_for 60 sh -c "[ -z \"\$(docker ps -q --filter label=io.kjob.namespace=$KJ_NS --filter label=io.kjob.job-name=deadline)\" ]"; then
    ok "deadline: its running pod was stopped"
else
    not_ok "deadline: its running pod was stopped"
fi

# Indexed.
if wait_for 90 kj_job_condition indexed Complete; then ok "indexed: Complete"; else not_ok "indexed: Complete"; kj_dump indexed; fi
check_eq "indexed: completedIndexes 0-2" "0-2" "$(kj_job indexed | jq -r .status.completedIndexes)"
idx=$(for c in $(docker ps -aq --filter "label=io.kjob.namespace=$KJ_NS" --filter label=io.kjob.job-name=indexed); do docker logs "$c" 2>&1; done | sort | tr '\n' ' ')
check_eq "indexed: each pod saw its JOB_COMPLETION_INDEX" "index=0 index=1 index=2 " "$idx"
hn=$(docker ps -aq --filter "label=io.kjob.namespace=$KJ_NS" --filter label=io.kjob.index=1 | xargs -r docker inspect -f '{{.Config.Hostname}}')
check_eq "indexed: hostname is <job>-<index>" indexed-1 "$hn"

# Pod failure policy.
if wait_for 60 kj_job_condition pfp Failed; then ok "pod failure policy: Failed"; else not_ok "pod failure policy: Failed"; kj_dump pfp; fi
check_eq "pod failure policy: reason PodFailurePolicy" PodFailurePolicy "$(cond_reason pfp Failed)"
check_eq "pod failure policy: one pod only (no retries)" 1 "$(kj_job pfp | jq -r .status.failed)"

# TTL: the Job disappears after finishing, and so do its containers.
if wait_for 60 sh -c "! curl -sf '$KJOBD_URL/apis/batch/v1/namespaces/$KJ_NS/jobs/ttl' >/dev/null"; then
    ok "ttl: the finished Job is deleted"
else
    not_ok "ttl: the finished Job is deleted"; kj_dump ttl
fi
if wait_for 30 sh -c "[ -z \"\$(docker ps -aq --filter label=io.kjob.namespace=$KJ_NS --filter label=io.kjob.job-name=ttl)\" ]"; then
    ok "ttl: its pod containers are removed"
else
    not_ok "ttl: its pod containers are removed"
fi

# Suspend / resume.
if wait_for 20 kj_job_condition susp Suspended; then ok "suspend: Suspended condition"; else not_ok "suspend: Suspended condition"; kj_dump susp; fi
check_eq "suspend: no pods while suspended" 0 "$(kj_pods job-name=susp | jq '.items | length')"
kj_api PATCH "/apis/batch/v1/namespaces/$KJ_NS/jobs/susp" -H 'Content-Type: application/merge-patch+json' \
    --data '{"spec":{"suspend":false}}' >"$KJ_TMP/patch"
check_eq "resume: PATCH answers 200" 200 "$(kj_code)"
if wait_for 60 kj_job_condition susp Complete; then ok "resume: Complete"; else not_ok "resume: Complete"; kj_dump susp; fi

# docker rm -f of a running pod counts as a failure and is replaced.
running() { docker ps -q --filter "label=io.kjob.namespace=$KJ_NS" --filter label=io.kjob.job-name=rmf | head -1; }
if wait_for 60 sh -c "[ -n \"\$(docker ps -q --filter label=io.kjob.namespace=$KJ_NS --filter label=io.kjob.job-name=rmf)\" ]"; then
    first=$(running)
    first_name=$(docker inspect -f '{{.Name}}' "$first" | tr -d /)
    docker rm -f "$first" >/dev/null
    if wait_for 60 sh -c "curl -sf '$KJOBD_URL/apis/batch/v1/namespaces/$KJ_NS/jobs/rmf' | jq -e '.status.failed == 1' >/dev/null"; then
        ok "rm -f: counted as one failure"
    else
        not_ok "rm -f: counted as one failure"; kj_dump rmf
    fi
    if wait_for 60 sh -c "docker ps -q --filter label=io.kjob.namespace=$KJ_NS --filter label=io.kjob.job-name=rmf | grep -q ."; then
        second_name=$(docker inspect -f '{{.Name}}' "$(running)" | tr -d /)
        if [ "$second_name" != "$first_name" ]; then ok "rm -f: a new pod replaces it ($second_name)"; else not_ok "rm -f: a new pod replaces it"; fi
    else
        not_ok "rm -f: a new pod replaces it"; kj_dump rmf
    fi
else
    not_ok "rm -f: the pod started"; kj_dump rmf
fi
kj_api DELETE "/apis/batch/v1/namespaces/$KJ_NS/jobs/rmf" -D "$KJ_TMP/rmf.headers" >/dev/null
check_eq "delete rmf (default policy) answers 200" 200 "$(kj_code)"
check "no policy: batch/v1's Orphan, with Kubernetes' warning" \
    grep -q 'Warning: 299 - "child pods are preserved by default when jobs are deleted' "$KJ_TMP/rmf.headers"
rmf_gone() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$KJOBD_URL/apis/batch/v1/namespaces/$KJ_NS/jobs/rmf")" = 404 ]; }
if wait_for 30 rmf_gone; then ok "the orphaning Job goes away"; else not_ok "the orphaning Job goes away"; fi
check "its pods stay (orphaned)" test -n "$(kj_ns_containers)"

kjobd_done
