#!/usr/bin/env bash
# Book 12-2 through the REST endpoint: kuard exits 1 after 3 keys with
# restartPolicy OnFailure; the container is restarted in place until the
# backoff limit, then the Job is Failed with BackoffLimitExceeded.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/kjobd.sh"

kjobd_start
kj_events_record "$KJ_TMP/events"

kj_create_yaml "$KJ_BOOK/12-2-job-oneshot-failure1.yaml" >/dev/null
check_eq "POST 12-2 answers 201" 201 "$(kj_code)"

if wait_for 240 kj_job_condition oneshot Failed; then
    ok "12-2 ends Failed"
else
    not_ok "12-2 ends Failed"; kj_dump oneshot
fi
st=$(kj_job oneshot)
check_eq "Failed reason is BackoffLimitExceeded" BackoffLimitExceeded \
    "$(jq -r '.status.conditions[] | select(.type == "Failed") | .reason' <<<"$st")"
check_eq "never Complete" false "$(jq '[.status.conditions[]? | select(.type == "Complete")] | length > 0' <<<"$st")"
check_eq "no success counted" null "$(jq -r .status.succeeded <<<"$st")"

# OnFailure retries in place: the engine saw one container started again
# and again (never a second container), then removed when the Job failed.
kj_events_stop
awk '$2 == "start" { print $3 }' "$KJ_TMP/events" >"$KJ_TMP/starts"
check_eq "one container for all attempts" 1 "$(sort -u "$KJ_TMP/starts" | wc -l)"
starts=$(wc -l <"$KJ_TMP/starts")
if [ "$starts" -ge 6 ]; then ok "restarted in place ($starts starts)"; else not_ok "restarted in place" "starts: $starts"; fi
ev=$(kj_api GET "/api/v1/namespaces/$KJ_NS/events")
check "a BackoffLimitExceeded Warning event" jq -e '[.items[] | select(.reason == "BackoffLimitExceeded" and .type == "Warning")] | length == 1' <<<"$ev"
kjobd_done
