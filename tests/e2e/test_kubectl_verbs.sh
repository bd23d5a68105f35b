#!/usr/bin/env bash
# Every kubectl verb that makes sense for Jobs, against kjobd on the real
# engine, with the book's chapter 12 manifests (keygen cut to one key: the
# manifests are the point, not the CPU) and short busybox jobs. Printed
# output is compared with golden files (tests/fixtures/kubectl/, times, uids
# and random name suffixes masked, column padding squeezed); regenerate them
# with KJ_UPDATE_GOLDEN=1 and review the diff.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/kjobd.sh"

kj_require_kubectl
kjobd_start
kubectl_on_kjobd
GOLD=$KJ_ROOT/tests/fixtures/kubectl

# Mask what changes from run to run; squeeze the padding that depends on it.
kj_mask() {
    sed -E -e "s|$KJ_TMP|TMP|g" -e "s/$KJ_NS/NS/g" \
        -e 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/<uid>/g' \
        -e 's/[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} [+-][0-9]{4}/<time>/g' \
        -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z/<time>/g' \
        -e 's/\b(oneshot|bb[a-z0-9-]*)-[a-z0-9]{5}\b/\1-xxxxx/g' \
        -e 's/(^|[ (])([0-9]+[smhd]){1,2}([ )]|$)/\1<age>\3/g' \
        -e 's/(^|[ (])([0-9]+[smhd]){1,2}([ )]|$)/\1<age>\3/g' \
        -e 's/ {2,}/  /g' -e 's/ +$//'
}

# golden NAME DESC OUTPUT: compare masked OUTPUT with $GOLD/NAME.txt.
golden() {
    local got
    got=$(printf '%s\n' "$3" | kj_mask)
    if [ -n "${KJ_UPDATE_GOLDEN:-}" ]; then
        mkdir -p "$GOLD"
        printf '%s\n' "$got" >"$GOLD/$1.txt"
    fi
    if [ "$got" = "$(cat "$GOLD/$1.txt" 2>/dev/null)" ]; then
        ok "$2"
    else
        not_ok "$2" "$(diff <(cat "$GOLD/$1.txt" 2>/dev/null) <(printf '%s\n' "$got"))"
    fi
}

# A short busybox Job: bbjob NAME SCRIPT [EXTRA SPEC LINES]
bbjob() {
    cat <<EOF
apiVersion: batch/v1
kind: Job
metadata:
  name: $1
  labels:
    suite: kubectl
spec:
${3:-}
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: kjob/busybox
        command: ["sh", "-c", "$2"]
EOF
}

# --- apply: create, unchanged, mutable change, immutable change ---
ONESHOT=$KJ_TMP/oneshot.yaml
sed 's/--keygen-num-to-gen=10/--keygen-num-to-gen=1/; s/imagePullPolicy: Always/imagePullPolicy: IfNotPresent/' \
    "$KJ_BOOK/12-1-job-oneshot.yaml" >"$ONESHOT"
golden apply-create "apply -f 12-1 creates" "$(kc apply -f "$ONESHOT")"
check "kubectl wait --for=condition=complete job/oneshot" "${K[@]}" wait --for=condition=complete job/oneshot --timeout=120s
golden apply-unchanged "re-apply of the same manifest is unchanged" "$(kc apply -f "$ONESHOT")"
sed 's/^spec:/spec:\n  parallelism: 2/' "$ONESHOT" >"$KJ_TMP/oneshot-par.yaml"
golden apply-configured "apply of a parallelism change is configured" "$(kc apply -f "$KJ_TMP/oneshot-par.yaml")"
check_eq "parallelism applied" 2 "$("${K[@]}" get job oneshot -o jsonpath='{.spec.parallelism}')"
sed 's/--keygen-num-to-gen=1/--keygen-num-to-gen=2/' "$KJ_TMP/oneshot-par.yaml" >"$KJ_TMP/oneshot-imm.yaml"
golden apply-immutable "apply of a template change is refused: field is immutable" "$(kc apply -f "$KJ_TMP/oneshot-imm.yaml")"

# --- get: server-side Tables, wide, yaml/json, selectors, all namespaces ---
golden get-jobs "get jobs" "$(kc get jobs)"
golden get-jobs-wide "get jobs -o wide" "$(kc get jobs -o wide)"
golden get-pods "get pods -l job-name=oneshot" "$(kc get pods -l job-name=oneshot)"
golden get-events "get events" "$(kc get events --field-selector involvedObject.name=oneshot)"
check_eq "get jobs -o json is a Job" "Job batch/v1" "$("${K[@]}" get job oneshot -o json | jq -r '.kind + " " + .apiVersion')"
check_eq "get jobs -o yaml" "kind: Job" "$("${K[@]}" get job oneshot -o yaml | grep '^kind:')"
check_eq "get jobs -l selector (no match)" "No resources found in $KJ_NS namespace." "$(kc get jobs -l app=none)"
out=$(kc get jobs -A)
if grep -qE "^NAMESPACE +NAME +STATUS +COMPLETIONS +DURATION +AGE$" <<<"$out" && grep -qE "^$KJ_NS +oneshot +Complete +1/1 " <<<"$out"; then
    ok "get jobs -A"
else
    not_ok "get jobs -A" "$out"
fi
check_eq "get job --subresource=status" "True" "$("${K[@]}" get job oneshot --subresource=status -o jsonpath='{.status.conditions[?(@.type=="Complete")].status}')"

# --- describe, logs ---
golden describe-job "describe job oneshot" "$(kc describe job oneshot)"
out=$(kc logs job/oneshot)
check_eq "logs job/oneshot" 1 "$(grep -c '1/1) Item done' <<<"$out")"
pod=$("${K[@]}" get pods -l job-name=oneshot -o jsonpath='{.items[0].metadata.name}')
check_eq "logs POD --tail=1" 1 "$(kc logs "$pod" --tail=1 | wc -l)"
if kc logs "$pod" --timestamps --tail=1 | grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z '; then ok "logs --timestamps"; else not_ok "logs --timestamps" "$(kc logs "$pod" --timestamps --tail=1)"; fi

# --- create, replace, patch (3 kinds), label, annotate, scale, edit ---
bbjob bbsleep "sleep 300" "  parallelism: 1" >"$KJ_TMP/bbsleep.yaml"
golden create "create -f" "$(kc create -f "$KJ_TMP/bbsleep.yaml")"
golden create-exists "create -f of an existing Job: AlreadyExists" "$(kc create -f "$KJ_TMP/bbsleep.yaml")"
golden replace "get -o yaml | replace -f -" "$("${K[@]}" get job bbsleep -o yaml | "${K[@]}" replace -f - 2>&1)"
golden patch-strategic "patch (strategic)" "$(kc patch job bbsleep -p '{"metadata":{"labels":{"p":"s"}}}')"
golden patch-merge "patch --type=merge" "$(kc patch job bbsleep --type=merge -p '{"spec":{"activeDeadlineSeconds":600}}')"
golden patch-json "patch --type=json" "$(kc patch job bbsleep --type=json -p '[{"op":"add","path":"/metadata/labels/j","value":"1"}]')"
golden label "label" "$(kc label job bbsleep tier=batch)"
golden annotate "annotate" "$(kc annotate job bbsleep note=hello)"
golden scale "scale job --replicas=2" "$(kc scale job bbsleep --replicas=2)"
golden edit "edit (KUBE_EDITOR)" "$(KUBE_EDITOR="sed -i s/activeDeadlineSeconds:.600/activeDeadlineSeconds:\ 900/" kc edit job bbsleep)"
check_eq "all edits landed" "s 1 batch hello 2 900" \
    "$("${K[@]}" get job bbsleep -o json | jq -r '[.metadata.labels.p, .metadata.labels.j, .metadata.labels.tier, .metadata.annotations.note, .spec.parallelism, .spec.activeDeadlineSeconds] | map(tostring) | join(" ")')"
golden patch-status "patch --subresource=status" \
    "$(kc patch job bbsleep --subresource=status --type=merge -p '{"status":{"failed":-1}}')"
if wait_for 30 sh -c "[ \$(${K[*]} get pods -l job-name=bbsleep --field-selector=status.phase=Running -o name | wc -l) -eq 2 ]"; then ok "scaled Job runs 2 pods"; else not_ok "scaled Job runs 2 pods" "$(kc get pods)"; fi
out=$(timeout 3 "${K[@]}" logs -f job/bbsleep 2>&1; echo "rc=$?")
check_eq "logs -f follows a running pod until interrupted" "rc=124" "$(tail -n1 <<<"$out")"

# --- unknown fields: strict by default, warned with --validate=warn ---
bbjob bbbad "echo hi" "  foo: 1" >"$KJ_TMP/bbbad.yaml"
golden strict "apply of an unknown field is refused (server-side strict validation)" "$(kc apply -f "$KJ_TMP/bbbad.yaml")"
golden warn "create --validate=warn warns about the unknown field" "$(kc create --validate=warn -f "$KJ_TMP/bbbad.yaml")"

# --- server-side apply ---
bbjob bbssa "echo ssa" >"$KJ_TMP/bbssa.yaml"
golden ssa-create "apply --server-side creates" "$(kc apply --server-side -f "$KJ_TMP/bbssa.yaml")"
sed 's/^  labels:/  labels:\n    ssa: "2"/' "$KJ_TMP/bbssa.yaml" >"$KJ_TMP/bbssa2.yaml"
golden ssa-update "apply --server-side updates" "$(kc apply --server-side -f "$KJ_TMP/bbssa2.yaml")"
check_eq "server-side apply merged the label" 2 "$("${K[@]}" get job bbssa -o jsonpath='{.metadata.labels.ssa}')"

# --- watches: get -w (Tables), wait for failed ---
# Each line of the pod watch is stamped (ns) as it arrives.
"${K[@]}" get pods -w -l job-name=bbwatch > >(while IFS= read -r l; do printf '%s %s\n' "$(date +%s%N)" "$l"; done >"$KJ_TMP/podsw.txt") 2>&1 &
wpods=$!
"${K[@]}" get jobs -w >"$KJ_TMP/jobsw.txt" 2>&1 &
wjobs=$!
on_exit "kill $wpods $wjobs"
bbjob bbwatch "echo w" >"$KJ_TMP/bbwatch.yaml"
kc create -f "$KJ_TMP/bbwatch.yaml" >/dev/null
if wait_for 60 grep -qE '^[0-9]+ bbwatch-[a-z0-9]{5} +0/1 +Completed ' "$KJ_TMP/podsw.txt"; then ok "get pods -w shows the pod complete"; else not_ok "get pods -w shows the pod complete" "$(cat "$KJ_TMP/podsw.txt")"; fi
# Pod watches follow the engine's events, not a poll (whose slow safety
# tick is 10 s): the Completed line comes within seconds of the exit.
bbpod=$(grep -oE 'bbwatch-[a-z0-9]{5}' "$KJ_TMP/podsw.txt" | head -n 1)
seen_ns=$(grep -E '^[0-9]+ bbwatch-[a-z0-9]{5} +0/1 +Completed ' "$KJ_TMP/podsw.txt" | head -n 1 | cut -d' ' -f1)
exit_ns=$(date -d "$(docker inspect -f '{{.State.FinishedAt}}' "$bbpod")" +%s%N)
lag_ms=$(((seen_ns - exit_ns) / 1000000))
if [ "$lag_ms" -lt 4000 ]; then ok "get pods -w tells the exit promptly (${lag_ms} ms)"; else not_ok "get pods -w tells the exit promptly" "${lag_ms} ms after the container's exit"; fi
if wait_for 30 grep -qE '^bbwatch +Complete +1/1 ' "$KJ_TMP/jobsw.txt"; then ok "get jobs -w shows the Job complete"; else not_ok "get jobs -w shows the Job complete" "$(cat "$KJ_TMP/jobsw.txt")"; fi
kill $wpods $wjobs 2>/dev/null
# 12-2: the container fails and is restarted in place until backoffLimit.
sed 's/--keygen-num-to-gen=3/--keygen-num-to-gen=1/; s/imagePullPolicy: Always/imagePullPolicy: IfNotPresent/; s/name: oneshot/name: oneshot-failure/' \
    "$KJ_BOOK/12-2-job-oneshot-failure1.yaml" >"$KJ_TMP/failure.yaml"
golden apply-failure "apply -f 12-2" "$(kc apply -f "$KJ_TMP/failure.yaml")"
restarted() {
    fpod=$("${K[@]}" get pods -l job-name=oneshot-failure -o jsonpath='{.items[0].metadata.name}' 2>/dev/null)
    [ -n "$fpod" ] && [ "$("${K[@]}" get pod "$fpod" -o jsonpath='{.status.containerStatuses[0].restartCount}')" -ge 1 ]
}
if wait_for 60 restarted; then ok "12-2's container is restarted in place"; else not_ok "12-2's container is restarted in place" "$(kc get pods)"; fi
# Each run prints kuard's banner once; the engine keeps one log for all runs.
one_run() { [ "$(kc logs "$fpod" "$@" | grep -c 'Starting kuard')" = 1 ]; }
if wait_for 20 one_run --previous; then ok "logs --previous: one run's output"; else not_ok "logs --previous: one run's output" "$(kc logs "$fpod" --previous)"; fi
if wait_for 20 one_run; then ok "logs: the latest run's output only"; else not_ok "logs: the latest run's output only" "$(kc logs "$fpod")"; fi
golden wait-failed "wait --for=condition=failed job/oneshot-failure" "$(kc wait --for=condition=failed job/oneshot-failure --timeout=120s)"
golden get-jobs-failed "get jobs -l chapter=jobs" "$(kc get jobs -l chapter=jobs)"

# --- server-side dry run (kubectl diff relies on it), explain ---
bbjob bbdry "echo dry" >"$KJ_TMP/bbdry.yaml"
golden dry-create "create --dry-run=server" "$(kc create --dry-run=server -f "$KJ_TMP/bbdry.yaml")"
check_eq "a dry-run create stores nothing" "Error from server (NotFound): jobs.batch \"bbdry\" not found" "$(kc get job bbdry)"
out=$(kc diff -f "$ONESHOT")
if grep -qE '^-  parallelism: 2$' <<<"$out" && grep -qE '^\+  parallelism: 1$' <<<"$out"; then ok "kubectl diff shows the change"; else not_ok "kubectl diff shows the change" "$out"; fi
check_eq "kubectl diff changed nothing" 2 "$("${K[@]}" get job oneshot -o jsonpath='{.spec.parallelism}')"
golden dry-delete "delete --dry-run=server" "$(kc delete job bbsleep --dry-run=server)"
check_eq "a dry-run delete keeps the Job" "job.batch/bbsleep" "$(kc get job bbsleep -o name)"
check_eq "kubectl explain finds the Job schema" "KIND:       Job" "$(kc explain job | grep '^KIND:')"
check_eq "kubectl explain shows what a JobSpec field does" "Maximum number of the Job's pods running at once. Defaults to 1." \
    "$(kc explain job.spec.parallelism | sed -n '/^DESCRIPTION:/{n;p;q}' | sed 's/^ *//')"
out=$(kc explain job.spec.template.spec.containers.resources)
if grep -q '^FIELD: resources <ResourceRequirements>' <<<"$out" && grep -qE '^  limits\s' <<<"$out"; then ok "kubectl explain walks the Job's model down to a container's resources"; else not_ok "kubectl explain walks the Job's model down to a container's resources" "$out"; fi

# --- delete NAME, delete -f (cascade) ---
golden delete-name "delete job NAME" "$(kc delete job bbsleep)"
golden delete-file "delete -f" "$(kc delete -f "$ONESHOT")"
if wait_for 30 sh -c "[ -z \"\$(docker ps -aq --filter label=io.kjob.namespace=$KJ_NS --filter label=io.kjob.job-name=bbsleep)\" ] && [ -z \"\$(${K[*]} get pods -l job-name=oneshot -o name)\" ]"; then
    ok "deleting cascades to the pods"
else
    not_ok "deleting cascades to the pods" "$(kc get pods)"
fi
golden get-deleted "get of a deleted Job: NotFound" "$(kc get job oneshot)"
"${K[@]}" delete jobs --all >/dev/null 2>&1
kjobd_done
