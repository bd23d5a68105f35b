#!/usr/bin/env bash
# Book 12-3 through the REST endpoint: parallelism 5, completions 10 (kuard
# keygen, 10 keys each). Ends with exactly 10 succeeded and, per the engine's
# own event log, never more than 5 pod containers running at once.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/kjobd.sh"

kjobd_start
kj_events_record "$KJ_TMP/events"

kj_create_yaml "$KJ_BOOK/12-3-job-parallel.yaml" >/dev/null
check_eq "POST 12-3 answers 201" 201 "$(kj_code)"

if wait_for 420 kj_job_condition parallel Complete; then
    ok "12-3 completes"
else
    not_ok "12-3 completes"; kj_dump parallel
fi
st=$(kj_job parallel)
check_eq "exactly 10 succeeded" 10 "$(jq -r .status.succeeded <<<"$st")"
check_eq "no failures" null "$(jq -r .status.failed <<<"$st")"
check_eq "10 pods listed, all Succeeded" "10 10" \
    "$(kj_pods "job-name=parallel" | jq -r '"\(.items | length) \([.items[] | select(.status.phase == "Succeeded")] | length)"')"

# The engine's own start/die events of this namespace's containers: all 10
# deaths must have arrived before the stream is read.
_ten_dies() { [ "$(kj_events_count "$KJ_TMP/events" die)" -ge 10 ]; }
wait_for 30 _ten_dies || diag "only $(kj_events_count "$KJ_TMP/events" die) die events seen"
kj_events_stop
# A die at the same nanosecond as a start is applied first (the engine
# serialises them; sort -n puts "die" before "start" on ties).
sort -k1,1n -k2,2 "$KJ_TMP/events" -o "$KJ_TMP/events"
max=$(awk '$2 == "start" { n++; if (n > m) m = n } $2 == "die" { n-- } END { print m + 0 }' "$KJ_TMP/events")
starts=$(grep -c ' start ' "$KJ_TMP/events")
diag "engine events: $starts starts, peak $max running"
if [ "$max" -le 5 ] && [ "$max" -ge 2 ]; then
    ok "never more than 5 containers running at once (peak $max)"
else
    not_ok "never more than 5 containers running at once" "peak $max" "$(cat "$KJ_TMP/events")"
fi
check_eq "10 containers started in all" 10 "$starts"
kjobd_done
