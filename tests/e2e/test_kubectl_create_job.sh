#!/usr/bin/env bash
# `kubectl create job` against kjobd: kubectl's typed client posts the Job
# as protobuf (api/jobproto.c), so this is the path no manifest takes.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/kjobd.sh"

kj_require_kubectl
kjobd_start
kubectl_on_kjobd
IMG=kjob/busybox:latest

out=$(kc create job hello --image=$IMG -- sh -c 'echo hello')
check_eq "kubectl create job" "job.batch/hello created" "$out"
spec=$(kj_job hello | jq -c '.spec.template.spec | {c: .containers[0] | {name, image, command}, r: .restartPolicy}')
check_eq "the stored Job holds kubectl's container and restart policy" \
    '{"c":{"name":"hello","image":"kjob/busybox:latest","command":["sh","-c","echo hello"]},"r":"Never"}' "$spec"
check_eq "the stored Job is defaulted like a YAML one" "6 1 1" \
    "$(kj_job hello | jq -r '"\(.spec.backoffLimit) \(.spec.completions) \(.spec.parallelism)"')"
if wait_for 120 kj_job_condition hello Complete; then ok "the Job completes"; else not_ok "the Job completes"; kj_dump hello; fi
check_eq "kubectl logs job/hello" "hello" "$(kc logs job/hello)"

# Arguments without a shell: kubectl puts them all in `command`.
out=$(kc create job words --image=$IMG -- echo one 'two three')
check_eq "kubectl create job with a plain command" "job.batch/words created" "$out"
check_eq "every argument is kept" '["echo","one","two three"]' \
    "$(kj_job words | jq -c '.spec.template.spec.containers[0].command')"
if wait_for 120 kj_job_condition words Complete; then ok "the second Job completes"; else not_ok "the second Job completes"; kj_dump words; fi
check_eq "kubectl logs job/words" "one two three" "$(kc logs job/words)"

# --dry-run=server: validated and shown, not stored.
out=$(kc create job dry --image=$IMG --dry-run=server -o jsonpath='{.metadata.name} {.spec.template.spec.containers[0].image}')
check_eq "--dry-run=server -o jsonpath shows the Job" "dry $IMG" "$out"
kj_api GET "/apis/batch/v1/namespaces/$KJ_NS/jobs/dry" >/dev/null
check_eq "a server dry run stores nothing" "404" "$(kj_code)"
out=$(kc create job dry --image=$IMG --dry-run=server -o yaml)
case "$out" in *"kind: Job"*"restartPolicy: Never"*) ok "--dry-run=server -o yaml" ;; *) not_ok "--dry-run=server -o yaml" "$out" ;; esac

# What kubectl asks for on the way (-v=6 logs each request): the POST,
# after at most a /version probe; nothing kjobd answers with 404.
out=$(kc -v=6 create job probe --image=$IMG --dry-run=server)
case "$out" in *"POST $KJOBD_URL/apis/batch/v1/namespaces/$KJ_NS/jobs?dryRun=All"*" 201 Created"*)
    ok "kubectl's POST is a 201" ;; *) not_ok "kubectl's POST is a 201" "$out" ;; esac
case "$out" in *" 404 Not Found"*) not_ok "no request of kubectl's is a 404" "$out" ;; *) ok "no request of kubectl's is a 404" ;; esac

# kubectl's usual errors.
out=$(kc create job hello --image=$IMG)
case "$out" in *'jobs.batch "hello" already exists'*) ok "a second create is AlreadyExists" ;; *) not_ok "a second create is AlreadyExists" "$out" ;; esac
out=$(kc create job Bad_Name --image=$IMG)
case "$out" in *'"Bad_Name" is invalid'*metadata.name*) ok "an invalid name is refused with the field named" ;; *) not_ok "an invalid name is refused with the field named" "$out" ;; esac
# An image the engine does not have: created, as in Kubernetes; the pod
# then waits with the pull error kubectl users know.
out=$(kc create job noimg --image=kjob/no-such-image:latest)
check_eq "a Job with a missing image is created" "job.batch/noimg created" "$out"
pull_error() { kc get pods -l job-name=noimg --no-headers | grep -qE 'ErrImagePull|ImagePullBackOff'; }
if wait_for 60 pull_error; then ok "its pod shows ErrImagePull/ImagePullBackOff"; else
    not_ok "its pod shows ErrImagePull/ImagePullBackOff" "$(kc get pods -l job-name=noimg)"; fi
check "kubectl delete job noimg" kc delete job noimg

# A malformed body is a 400 naming the problem, and kjobd carries on.
printf 'k8s\0\n\017\n\010batch/v1\022\003Job\022\005\n\003\n\001' >"$KJ_TMP/trunc.pb"
kj_api POST "/apis/batch/v1/namespaces/$KJ_NS/jobs" -H 'Content-Type: application/vnd.kubernetes.protobuf' \
    --data-binary @"$KJ_TMP/trunc.pb" >"$KJ_TMP/trunc.json"
check_eq "a truncated protobuf Job is 400" "400" "$(kj_code)"
check "the 400 names where the body breaks" grep -q 'metadata' "$KJ_TMP/trunc.json"
check "kjobd still answers" _kjobd_ready

kjobd_done
