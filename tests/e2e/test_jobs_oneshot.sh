#!/usr/bin/env bash
# Book 12-1 through the REST endpoint: a one-shot kuard keygen Job
# (10 keys) completes with succeeded 1; REST errors are Kubernetes Statuses.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/kjobd.sh"

kjobd_start

job=$(kj_create_yaml "$KJ_BOOK/12-1-job-oneshot.yaml")
check_eq "POST 12-1 answers 201" 201 "$(kj_code)"
check_eq "the created Job is returned" oneshot "$(jq -r .metadata.name <<<"$job")"
check_eq "status starts empty" '{}' "$(jq -c .status <<<"$job")"
check_eq "no private ledger in responses" null "$(jq -c .kjob <<<"$job")"

kj_create_yaml "$KJ_BOOK/12-1-job-oneshot.yaml" >"$KJ_TMP/dup"
check_eq "a second POST is 409" 409 "$(kj_code)"
check_eq "409 is AlreadyExists" 'AlreadyExists jobs.batch "oneshot" already exists' \
    "$(jq -r '"\(.reason) \(.message)"' "$KJ_TMP/dup")"

if wait_for 180 kj_job_condition oneshot Complete; then
    ok "12-1 completes"
else
    not_ok "12-1 completes"; kj_dump oneshot
fi
st=$(kj_job oneshot)
check_eq "succeeded is 1" 1 "$(jq -r .status.succeeded <<<"$st")"
check_eq "no failures" null "$(jq -r .status.failed <<<"$st")"
check "completionTime is set" jq -e '.status.completionTime != null' <<<"$st"
check_eq "no private ledger in GET" null "$(jq -c .kjob <<<"$st")"

list=$(kj_api GET "/apis/batch/v1/namespaces/$KJ_NS/jobs")
check_eq "JobList lists the job" "JobList 1" "$(jq -r '"\(.kind) \(.items | length)"' <<<"$list")"
check "JobList has a resourceVersion" jq -e '.metadata.resourceVersion | length > 0' <<<"$list"
check "cluster-wide list includes it" sh -c "curl -sf '$KJOBD_URL/apis/batch/v1/jobs' | jq -e '[.items[] | select(.metadata.namespace == \"$KJ_NS\")] | length == 1'"

pods=$(kj_pods "job-name=oneshot")
check_eq "one pod, Succeeded" "1 Succeeded" "$(jq -r '"\(.items | length) \(.items[0].status.phase)"' <<<"$pods")"
pod=$(jq -r '.items[0].metadata.name' <<<"$pods")
check_eq "GET the pod by name" "$pod" "$(curl -sf "$KJOBD_URL/api/v1/namespaces/$KJ_NS/pods/$pod" | jq -r .metadata.name)"
check_eq "its container exists in the engine, exited 0" "exited 0" \
    "$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$pod" 2>&1)"
check_eq "container carries the kjob labels" "true $KJ_NS oneshot" \
    "$(docker inspect -f '{{index .Config.Labels "io.kjob.managed"}} {{index .Config.Labels "io.kjob.namespace"}} {{index .Config.Labels "job-name"}}' "$pod" 2>&1)"
check_eq "keygen generated 10 keys" 10 "$(docker logs "$pod" 2>&1 | grep -c 'Item done')"

ev=$(kj_api GET "/api/v1/namespaces/$KJ_NS/events")
check "events include SuccessfulCreate" jq -e '[.items[] | select(.reason == "SuccessfulCreate")] | length >= 1' <<<"$ev"

kj_api GET "/apis/batch/v1/namespaces/$KJ_NS/jobs/nope" >"$KJ_TMP/nf"
check_eq "GET missing job is 404 NotFound" '404 NotFound jobs.batch "nope" not found' \
    "$(kj_code) $(jq -r '"\(.reason) \(.message)"' "$KJ_TMP/nf")"

kj_api DELETE "/apis/batch/v1/namespaces/$KJ_NS/jobs/oneshot?propagationPolicy=Background" >"$KJ_TMP/del"
check_eq "DELETE (Background) answers a Success Status" "200 Success" "$(kj_code) $(jq -r .status "$KJ_TMP/del")"
if wait_for 30 sh -c "[ -z \"\$(docker ps -aq --filter label=io.kjob.namespace=$KJ_NS)\" ]"; then
    ok "its pod container is removed"
else
    not_ok "its pod container is removed" "$(docker ps -a --filter label=io.kjob.namespace=$KJ_NS)"
fi
kjobd_done
