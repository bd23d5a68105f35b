#!/usr/bin/env bash
# Issue 8: pods of several containers through kubectl on the real engine —
# two containers sharing an emptyDir and localhost, init containers run
# first and in order, a sidecar that does not hold the Job back, and the
# "fail once, then succeed" pattern with a hostPath marker.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/kjobd.sh"

kj_require_kubectl
kjobd_start --allow-host-path
# Named volumes outlive a killed test: remove them after the containers.
_multi_cleanup() {
    local ids vols
    ids=$(kj_ns_containers)
    [ -z "$ids" ] || docker rm -f $ids
    vols=$(docker volume ls -q --filter "label=io.kjob.namespace=$KJ_NS")
    [ -z "$vols" ] || docker volume rm $vols
}
on_exit _multi_cleanup
kubectl_on_kjobd
pod_of() { kc get pods -l "job-name=$1" -o jsonpath='{.items[0].metadata.name}'; }
member_state() { # POD CONTAINER -> running|terminated|waiting|absent
    local st
    st=$(docker inspect -f '{{.State.Status}}' "$1_$2" 2>/dev/null) || st=absent
    echo "$st"
}
# apply_job NAME JOB-SPEC-LINE... <POD-TEMPLATE: apply a Job whose spec is
# those lines and the pod template read (written from column 0). No
# registry is reachable: each `image:` line gets `imagePullPolicy: Never`.
apply_job() {
    local name=$1 line
    shift
    {
        printf 'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: %s\nspec:\n' "$name"
        for line in "$@"; do printf '  %s\n' "$line"; done
        echo '  template:'
        sed -e 's/^/    /' -e 's/^\( *\)image: .*/&\n\1imagePullPolicy: Never/'
    } | kc apply -f - >/dev/null
}

# ---- two containers, an emptyDir, a ConfigMap script and a Secret ----
kc create configmap scripts --from-literal=write.sh='echo in-memory >/mem/m; echo "secret=$PASSWORD" >/shared/out; echo written' >/dev/null
kc create secret generic creds --from-literal=password=Pa55-multi >/dev/null
apply_job pair "backoffLimit: 0" <<'YAML'
spec:
  restartPolicy: Never
  volumes:
  - name: shared
    emptyDir: {}
  - name: scripts
    configMap: {name: scripts}
  - name: mem
    emptyDir: {medium: Memory, sizeLimit: 16Mi}
  containers:
  - name: writer
    image: kjob/busybox:latest
    command: ["sh", "/scripts/write.sh"]
    env:
    - name: PASSWORD
      valueFrom: {secretKeyRef: {name: creds, key: password}}
    volumeMounts:
    - {name: shared, mountPath: /shared}
    - {name: scripts, mountPath: /scripts}
    - {name: mem, mountPath: /mem}
  - name: reader
    image: kjob/busybox:latest
    command: ["sh", "-c", "while [ ! -s /shared/out ]; do sleep 0.1; done; cat /shared/out; hostname; cat /mem/m"]
    volumeMounts:
    - {name: shared, mountPath: /shared}
    - {name: mem, mountPath: /mem}
YAML
check "two-container job completes" kc wait --for=condition=complete job/pair --timeout=90s
pod=$(pod_of pair)
check_eq "reader saw the writer's file (Secret value via the ConfigMap script)" \
    "secret=Pa55-multi" "$(kc logs "$pod" -c reader | head -1)"
check_eq "both containers share the pod's hostname" "$pod" "$(kc logs "$pod" -c reader | sed -n 2p)"
check_eq "and a medium: Memory emptyDir" "in-memory" "$(kc logs "$pod" -c reader | sed -n 3p)"
check_eq "which is a named tmpfs volume of the pod's size limit" "tmpfs size=16777216" \
    "$(docker volume inspect -f '{{.Options.type}} {{.Options.o}}' "${pod}_mem")"
check_eq "logs -c writer" "written" "$(kc logs "$pod" -c writer)"
check_eq "pod has two container statuses, both Completed" "writer=Completed reader=Completed" \
    "$(kc get pod "$pod" -o jsonpath='{range .status.containerStatuses[*]}{.name}={.state.terminated.reason} {end}' | sed 's/ $//')"
check_eq "pod phase Succeeded" "Succeeded" "$(kc get pod "$pod" -o jsonpath='{.status.phase}')"
check_eq "job counts one pod, not one per container" "1" "$(kc get job pair -o jsonpath='{.status.succeeded}')"
check_eq "the pod's emptyDir is one named volume" "1" "$(docker volume ls -q --filter "name=^${pod}_shared\$" | wc -l)"

# ---- localhost is shared: a server container and a client container ----
apply_job localhost "backoffLimit: 0" <<'YAML'
spec:
  restartPolicy: Never
  containers:
  - name: server
    image: kjob/busybox:latest
    command: ["sh", "-c", "echo hello-over-localhost | nc -l -p 7777"]
  - name: client
    image: kjob/busybox:latest
    command: ["sh", "-c", "until nc 127.0.0.1 7777 </dev/null; do sleep 0.2; done"]
YAML
check "server and client containers complete" kc wait --for=condition=complete job/localhost --timeout=90s
check_eq "client reached the server on localhost" "hello-over-localhost" \
    "$(kc logs "$(pod_of localhost)" -c client | tail -n 1)"

# ---- downwardAPI volume: the pod's name, namespace, labels, annotations; ----
# ---- resourceFieldRef in a volume and in env (a limit, and none: the node) ----
apply_job downward "backoffLimit: 0" 2>"$KJ_TMP/downward.err" <<'YAML'
metadata:
  labels: {tier: back-end, app: demo}
  annotations: {note: 'say "hi"'}
spec:
  restartPolicy: Never
  volumes:
  - name: info
    downwardAPI:
      items:
      - {path: name, fieldRef: {fieldPath: metadata.name}}
      - {path: ns, fieldRef: {fieldPath: metadata.namespace}}
      - {path: labels, fieldRef: {fieldPath: metadata.labels}}
      - {path: note, fieldRef: {fieldPath: "metadata.annotations['note']"}}
      - {path: bmem, resourceFieldRef: {containerName: b, resource: limits.memory, divisor: 1Mi}}
  containers:
  - name: a
    image: kjob/busybox:latest
    command: ["sh", "-c", "cat /info/name; echo; cat /info/ns; echo; grep -v job /info/labels; cat /info/note"]
    volumeMounts: [{name: info, mountPath: /info}]
  - name: b
    image: kjob/busybox:latest
    command: ["sh", "-c", "cat /info/name; echo; echo \"cpu=$CPU_M mem=$(cat /info/bmem) node=$NODE_CPUS\""]
    volumeMounts: [{name: info, mountPath: /info}]
    resources: {limits: {cpu: 500m, memory: 48Mi}}
    env:
    - name: CPU_M
      valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}
    - name: NODE_CPUS
      valueFrom: {resourceFieldRef: {containerName: a, resource: limits.cpu}}
YAML
check "downward job completes" kc wait --for=condition=complete job/downward --timeout=90s
pod=$(pod_of downward)
check_eq "downwardAPI files: name, namespace, sorted quoted labels, one annotation" \
    "$pod|$KJ_NS|app=\"demo\"|tier=\"back-end\"|say \"hi\"" \
    "$(kc logs "$pod" -c a | grep -v '^batch\|^controller-uid' | paste -sd'|')"
check_eq "the second container sees the pod's name, not its container's" "$pod" "$(kc logs "$pod" -c b | head -n 1)"
check_eq "resourceFieldRef: its own limits, and the engine's CPUs for a container without" \
    "cpu=500 mem=48 node=$(docker info -f '{{.NCPU}}')" "$(kc logs "$pod" -c b | sed -n 2p)"
check_eq "no 'ignored' warning for the downward API" "" "$(grep 'ignored by kjob' "$KJ_TMP/downward.err")"

# ---- subPath into an emptyDir: one container, and across two ----
apply_job subpath "backoffLimit: 0" <<'YAML'
spec:
  restartPolicy: Never
  volumes:
  - name: w
    emptyDir: {}
  containers:
  - name: writer
    image: kjob/busybox:latest
    command: ["sh", "-c", "echo deep >/out/f; echo top >/top/g; cat /top/g"]
    volumeMounts:
    - {name: w, mountPath: /out, subPath: a/b}
    - {name: w, mountPath: /top}
  - name: reader
    image: kjob/busybox:latest
    command: ["sh", "-c", "while [ ! -s /w/a/b/f ]; do sleep 0.1; done; cat /w/a/b/f"]
    volumeMounts:
    - {name: w, mountPath: /w, readOnly: true}
YAML
check "subPath job completes" kc wait --for=condition=complete job/subpath --timeout=90s
pod=$(pod_of subpath)
check_eq "the other container reads what was written through the subPath" "deep" "$(kc logs "$pod" -c reader)"
check_eq "and the same volume without subPath" "top" "$(kc logs "$pod" -c writer)"
check "the volume is a directory of kjobd's state dir while the pod exists" test -d "$KJ_TMP/state/pods/$KJ_NS.$pod.empty/w/a/b"

# ---- init containers run first, in order ----
apply_job inits "backoffLimit: 0" <<'YAML'
spec:
  restartPolicy: Never
  volumes:
  - name: work
    emptyDir: {}
  initContainers:
  - name: first
    image: kjob/busybox:latest
    command: ["sh", "-c", "while [ ! -e /work/go ]; do sleep 0.1; done; echo first >>/work/order"]
    volumeMounts: [{name: work, mountPath: /work}]
  - name: second
    image: kjob/busybox:latest
    command: ["sh", "-c", "echo second >>/work/order"]
    volumeMounts: [{name: work, mountPath: /work}]
  containers:
  - name: main
    image: kjob/busybox:latest
    command: ["sh", "-c", "echo main >>/work/order; cat /work/order"]
    volumeMounts: [{name: work, mountPath: /work}]
YAML
pod=
wait_for 30 bash -c "[ -n \"\$($(printf '%q ' "${K[@]}") get pods -l job-name=inits -o name)\" ]"
pod=$(pod_of inits)
check "the first init container runs" wait_for 30 bash -c "[ -n \"\$(docker ps -q --filter name=^${pod}_first\$)\" ]"
check_eq "the pod shows Init:0/2" "Init:0/2" "$(kc get pod "$pod" --no-headers | awk '{print $3}')"
check_eq "meanwhile the second init container does not exist" "absent" "$(member_state "$pod" second)"
check_eq "nor does main" "absent" "$(member_state "$pod" main)"
docker exec "${pod}_first" touch /work/go
check "init job completes" kc wait --for=condition=complete job/inits --timeout=90s
check_eq "main saw both init containers' work, in order" "first second main" "$(kc logs "$pod" -c main | tr '\n' ' ' | sed 's/ $//')"
s1=$(kc get pod "$pod" -o jsonpath='{.status.initContainerStatuses[0].state.terminated.finishedAt}')
s2=$(kc get pod "$pod" -o jsonpath='{.status.initContainerStatuses[1].state.terminated.startedAt}')
s3=$(kc get pod "$pod" -o jsonpath='{.status.containerStatuses[0].state.terminated.startedAt}')
check "status times: first ended before second started, second before main" \
    bash -c "[[ -n '$s1' && ! '$s2' < '$s1' && ! '$s3' < '$s2' ]]"
check_eq "--all-containers prints init containers first" "second main" \
    "$(kc logs "$pod" --all-containers | tr '\n' ' ' | grep -o 'second main' | head -1)"

# ---- a failing init container fails the pod (Never) ----
apply_job badinit "backoffLimit: 0" <<'YAML'
spec:
  restartPolicy: Never
  initContainers:
  - name: check
    image: kjob/busybox:latest
    command: ["sh", "-c", "exit 3"]
  containers:
  - name: main
    image: kjob/busybox:latest
    command: ["echo", "never runs"]
YAML
check "failing init container: job Failed" kc wait --for=condition=failed job/badinit --timeout=90s
pod=$(pod_of badinit)
check_eq "init exit code 3 in the pod status" "3" \
    "$(kc get pod "$pod" -o jsonpath='{.status.initContainerStatuses[0].state.terminated.exitCode}')"
check_eq "main container never created" "absent" "$(member_state "$pod" main)"
check "nothing of the failed pod keeps running (its infra container stops)" \
    wait_for 30 bash -c "[ -z \"\$(docker ps -q --filter name=^${pod})\" ]"

# ---- a sidecar keeps running; the Job still completes ----
apply_job sidecar <<'YAML'
spec:
  restartPolicy: Never
  initContainers:
  - name: logger
    image: kjob/busybox:latest
    restartPolicy: Always
    command: ["sh", "-c", "trap 'echo stopping; exit 0' TERM; while true; do echo tick; sleep 0.2; done"]
  containers:
  - name: main
    image: kjob/busybox:latest
    command: ["sh", "-c", "sleep 2; echo main-done"]
YAML
wait_for 30 bash -c "[ -n \"\$($(printf '%q ' "${K[@]}") get pods -l job-name=sidecar -o name)\" ]"
pod=$(pod_of sidecar)
check "sidecar runs beside main" wait_for 30 bash -c \
    "[ \"\$(docker inspect -f '{{.State.Status}}' ${pod}_logger 2>/dev/null)\" = running ] && [ \"\$(docker inspect -f '{{.State.Status}}' ${pod}_main 2>/dev/null)\" = running ]"
check "job with a sidecar completes" kc wait --for=condition=complete job/sidecar --timeout=90s
check "the sidecar is stopped once main is done" wait_for 30 bash -c "[ \"\$(docker inspect -f '{{.State.Status}}' ${pod}_logger)\" = exited ]"
check "the sidecar ran while main did (ticks in its log)" bash -c "$(printf '%q ' "${K[@]}") logs $pod -c logger | grep -q tick"
check_eq "job succeeded 1" "1" "$(kc get job sidecar -o jsonpath='{.status.succeeded}')"

# ---- fail once, then succeed: restartPolicy Never and a hostPath marker ----
mkdir -p "$KJ_TMP/marker"
chmod 0777 "$KJ_TMP/marker"
apply_job once "backoffLimit: 3" <<YAML
spec:
  restartPolicy: Never
  volumes:
  - name: m
    hostPath: {path: $KJ_TMP/marker}
  containers:
  - name: c
    image: kjob/busybox:latest
    command: ["sh", "-c", "if [ -e /m/seen ]; then echo second-try; else touch /m/seen; exit 1; fi"]
    volumeMounts: [{name: m, mountPath: /m}]
YAML
check "fail-once job completes" kc wait --for=condition=complete job/once --timeout=90s
check_eq "one failed pod, one succeeded" "1/1" \
    "$(kc get job once -o jsonpath='{.status.failed}/{.status.succeeded}')"

# ---- OnFailure: the failed container restarts in place, its volume kept, ----
# ---- while the other runs on (steady waits for flaky's second run)       ----
apply_job retry "backoffLimit: 4" <<'YAML'
spec:
  restartPolicy: OnFailure
  volumes:
  - name: state
    emptyDir: {}
  containers:
  - name: flaky
    image: kjob/busybox:latest
    command: ["sh", "-c", "if [ -e /state/tried ]; then echo recovered; touch /state/ok; else touch /state/tried; exit 2; fi"]
    volumeMounts: [{name: state, mountPath: /state}]
  - name: steady
    image: kjob/busybox:latest
    command: ["sh", "-c", "i=0; until [ -e /state/ok ]; do i=$((i+1)); [ $i -le 300 ] || exit 9; sleep 0.1; done; echo steady"]
    volumeMounts: [{name: state, mountPath: /state}]
YAML
check "OnFailure job completes" kc wait --for=condition=complete job/retry --timeout=90s
pod=$(pod_of retry)
check_eq "one pod for the whole job" "1" "$(kc get pods -l job-name=retry -o name | wc -l)"
check_eq "the failed container restarted once, the other not" "flaky=1 steady=0" \
    "$(kc get pod "$pod" -o jsonpath='{range .status.containerStatuses[*]}{.name}={.restartCount} {end}' | sed 's/ $//')"
check_eq "its last state is the failure" "2" \
    "$(kc get pod "$pod" -o jsonpath='{.status.containerStatuses[0].lastState.terminated.exitCode}')"
check_eq "the other container saw the restarted one's work" "steady" \
    "$(kc logs "$pod" -c steady)"

# ---- OnFailure: a failing init container restarts, then the pod goes on ----
apply_job initretry "backoffLimit: 4" <<'YAML'
spec:
  restartPolicy: OnFailure
  volumes:
  - name: s
    emptyDir: {}
  initContainers:
  - name: prep
    image: kjob/busybox:latest
    command: ["sh", "-c", "if [ -e /s/tried ]; then echo prepared >/s/ok; else touch /s/tried; exit 5; fi"]
    volumeMounts: [{name: s, mountPath: /s}]
  containers:
  - name: main
    image: kjob/busybox:latest
    command: ["cat", "/s/ok"]
    volumeMounts: [{name: s, mountPath: /s}]
YAML
check "OnFailure init retry: the job completes" kc wait --for=condition=complete job/initretry --timeout=90s
pod=$(pod_of initretry)
check_eq "the init container restarted once in place, after exit 5" "1 5" \
    "$(kc get pod "$pod" -o jsonpath='{.status.initContainerStatuses[0].restartCount} {.status.initContainerStatuses[0].lastState.terminated.exitCode}')"
check_eq "main ran after the successful retry" "prepared" "$(kc logs "$pod" -c main)"

# ---- kjobd killed while an init container runs: the pod carries on ----
apply_job crash "backoffLimit: 0" <<'YAML'
spec:
  restartPolicy: Never
  volumes:
  - name: w
    emptyDir: {}
  initContainers:
  - name: wait
    image: kjob/busybox:latest
    command: ["sh", "-c", "while [ ! -e /w/go ]; do sleep 0.1; done"]
    volumeMounts: [{name: w, mountPath: /w}]
  containers:
  - name: main
    image: kjob/busybox:latest
    command: ["sh", "-c", "ls /w"]
    volumeMounts: [{name: w, mountPath: /w}]
YAML
wait_for 30 bash -c "[ -n \"\$($(printf '%q ' "${K[@]}") get pods -l job-name=crash -o name)\" ]"
pod=$(pod_of crash)
check "init container of the crash job runs" wait_for 30 bash -c "[ -n \"\$(docker ps -q --filter name=^${pod}_wait\$)\" ]"
kjobd_stop KILL
docker exec "${pod}_wait" touch /w/go
check "the init container ends while kjobd is down" wait_for 30 bash -c "[ \"\$(docker inspect -f '{{.State.Status}}' ${pod}_wait)\" = exited ]"
kjobd_start --allow-host-path
check "after the restart the pod goes on to its container and completes" \
    kc wait --for=condition=complete job/crash --timeout=90s
check_eq "succeeded exactly 1, same pod" "1 $pod" \
    "$(kc get job crash -o jsonpath='{.status.succeeded}') $(pod_of crash)"

# ---- activeDeadlineSeconds stops a pod stuck in its init container; ----
# ---- suspend removes one (members, infra and volumes)              ----
stuck() { # NAME EXTRA-SPEC-LINE
    apply_job "$1" "$2" "backoffLimit: 0" <<'YAML'
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  volumes:
  - name: w
    emptyDir: {}
  initContainers:
  - name: wait
    image: kjob/busybox:latest
    command: ["sh", "-c", "trap 'exit 143' TERM; while true; do sleep 0.2; done"]
    volumeMounts: [{name: w, mountPath: /w}]
  containers:
  - name: main
    image: kjob/busybox:latest
    command: ["true"]
YAML
}
stuck deadline "activeDeadlineSeconds: 3"
check "deadline: the Job fails with DeadlineExceeded" kc wait --for=condition=failed job/deadline --timeout=60s
check_eq "deadline: its reason" "DeadlineExceeded" \
    "$(kc get job deadline -o jsonpath='{.status.conditions[?(@.type=="Failed")].reason}')"
dl_pod=$(pod_of deadline)
check "deadline: nothing of the pod keeps running" \
    wait_for 30 bash -c "[ -z \"\$(docker ps -q --filter name=^${dl_pod})\" ]"
stuck suspended "suspend: false"
wait_for 30 bash -c "[ -n \"\$($(printf '%q ' "${K[@]}") get pods -l job-name=suspended -o name)\" ]"
sp_pod=$(pod_of suspended)
check "suspend: the init container runs first" wait_for 30 bash -c "[ -n \"\$(docker ps -q --filter name=^${sp_pod}_wait\$)\" ]"
check "suspend the Job" kc patch job suspended --type merge -p '{"spec":{"suspend":true}}'
sp_gone() { [ -z "$(docker ps -aq --filter name=^"$sp_pod")" ] && [ -z "$(docker volume ls -q --filter name=^"${sp_pod}_")" ]; }
check "suspend: the pod's containers and volume are removed" wait_for 60 sp_gone

# ---- deleting the Jobs removes every member and the named volumes ----
kc delete job pair localhost downward subpath inits badinit sidecar once retry initretry crash deadline suspended --wait=false >/dev/null
gone() { [ -z "$(kj_ns_containers)" ] && [ -z "$(docker volume ls -q --filter "label=io.kjob.namespace=$KJ_NS")" ]; }
check "containers and volumes of the pods are removed with the Jobs" wait_for 60 gone
check_eq "and their host directories" "" "$(ls "$KJ_TMP/state/pods" 2>/dev/null | grep '\.empty$')"

kjobd_check_sanitizers
tap_done
