#!/usr/bin/env bash
# Issue 8, first slice: core/v1 ConfigMaps and Secrets through kubectl
# against kjobd (create --from-literal/--from-file, get, describe, patch,
# delete, watch), and that a Secret's values never reach kjobd's log.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/kjobd.sh"

kj_require_kubectl
kjobd_start
kubectl_on_kjobd

# ---- ConfigMaps ----
printf '#!/bin/sh\necho from-configmap\n' >"$KJ_TMP/run.sh"
out=$(kc create configmap app-config --from-literal=greeting=hello --from-file="$KJ_TMP/run.sh")
check_eq "kubectl create configmap" "configmap/app-config created" "$out"
check_eq "configmap data holds the literal" "hello" "$(kc get configmap app-config -o jsonpath='{.data.greeting}')"
check_eq "configmap data holds the file under its base name" \
    "$(cat "$KJ_TMP/run.sh")" "$(kc get cm app-config -o jsonpath='{.data.run\.sh}')"
out=$(kc get configmaps --no-headers | tr -s ' ')
case "$out" in "app-config 2 "*) ok "get configmaps: NAME DATA AGE" ;; *) not_ok "get configmaps: NAME DATA AGE" "$out" ;; esac
check_eq "get configmaps header" "NAME DATA AGE" "$(kc get configmaps | head -1 | tr -s ' ' | sed 's/ $//')"
out=$(kc describe configmap app-config)
case "$out" in *"greeting:"*hello*) ok "describe configmap shows the data" ;; *) not_ok "describe configmap shows the data" "$out" ;; esac
check "patch configmap" kc patch configmap app-config --type merge -p '{"data":{"extra":"x"}}'
check_eq "patched key present" "x" "$(kc get cm app-config -o jsonpath='{.data.extra}')"
out=$(kc create configmap app-config --from-literal=a=b)
case "$out" in *AlreadyExists*|*"already exists"*) ok "duplicate create is 409" ;; *) not_ok "duplicate create is 409" "$out" ;; esac
out=$(kc create configmap bad --from-literal='a b=c')
case "$out" in *"a valid config key"*|*"not a valid key"*) ok "bad key refused" ;; *) not_ok "bad key refused" "$out" ;; esac
code=$(curl -s -o "$KJ_TMP/bad.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    "$KJOBD_URL/api/v1/namespaces/$KJ_NS/configmaps" -d '{"metadata":{"name":"bad"},"data":{"a b":"c"}}')
check_eq "bad key is 422 over REST" "422" "$code"
check "422 names the field" grep -q 'data\[a b\]: Invalid value' "$KJ_TMP/bad.json"

# watch: a create shows up as ADDED on a running watch.
curl -sN "$KJOBD_URL/api/v1/namespaces/$KJ_NS/configmaps?watch=true" >"$KJ_TMP/watch.out" &
wpid=$!
on_exit "kill $wpid"
kc create configmap watched --from-literal=k=v >/dev/null
check "watch sees the new configmap" wait_for 10 grep -q '"type":"ADDED".*"name":"watched"' "$KJ_TMP/watch.out"
kill "$wpid" 2>/dev/null

# ---- Secrets ----
out=$(kc create secret generic db --from-literal=password=s3cr3t-Pa55 --from-literal=user=admin)
check_eq "kubectl create secret generic" "secret/db created" "$out"
check_eq "secret data is base64" "czNjcjN0LVBhNTU=" "$(kc get secret db -o jsonpath='{.data.password}')"
out=$(kc get secrets --no-headers | tr -s ' ')
case "$out" in "db Opaque 2 "*) ok "get secrets: NAME TYPE DATA AGE" ;; *) not_ok "get secrets: NAME TYPE DATA AGE" "$out" ;; esac
out=$(kc describe secret db)
case "$out" in *"password:"*"11 bytes"*) ok "describe secret shows sizes only" ;; *) not_ok "describe secret shows sizes only" "$out" ;; esac
cat >"$KJ_TMP/sd.yaml" <<YAML
apiVersion: v1
kind: Secret
metadata:
  name: sd
stringData:
  token: tok-Plain-9
YAML
check "create secret with stringData" kc apply -f "$KJ_TMP/sd.yaml"
check_eq "stringData folded into data" "dG9rLVBsYWluLTk=" "$(kc get secret sd -o jsonpath='{.data.token}')"
check_eq "stringData not stored" "" "$(kc get secret sd -o jsonpath='{.stringData}')"
code=$(curl -s -o "$KJ_TMP/bad.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    "$KJOBD_URL/api/v1/namespaces/$KJ_NS/secrets" -d '{"metadata":{"name":"b64"},"data":{"k":"not-base64!"}}')
check_eq "secret data that is not base64 is 422" "422" "$code"
check "the refused value is not echoed" bash -c "! grep -q 'not-base64' '$KJ_TMP/bad.json'"

check_eq "delete secret" 'secret "db" deleted' "$(kc delete secret db)"
check_eq "deleted secret is gone" "NotFound" "$(kc get secret db -o name 2>&1 | grep -o NotFound)"
check_eq "delete configmap" 'configmap "app-config" deleted' "$(kc delete configmap app-config)"

if grep -qE 's3cr3t-Pa55|tok-Plain-9|czNjcjN0LVBhNTU=|dG9rLVBsYWluLTk=' "$KJOBD_LOG"; then
    not_ok "secret values never in kjobd's log" "$(grep -nE 's3cr3t|tok-Plain' "$KJOBD_LOG" | head -3)"
else
    ok "secret values never in kjobd's log"
fi

# ---- env from ConfigMaps and Secrets (resolved when the container is made) ----
kc create secret generic creds --from-literal=token=tok-Env-42 >/dev/null
kc create configmap settings --from-literal=MODE=fast --from-literal=LEVEL=3 >/dev/null
envjob() {
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
        image: kjob/busybox:latest
        command: ["sh", "-c", "echo token=\$TOKEN mode=\$MODE cfg=\$CFG_LEVEL opt=[\$OPT]"]
        envFrom:
        - configMapRef: {name: settings}
          prefix: CFG_
        env:
        - name: TOKEN
          valueFrom: {secretKeyRef: {name: creds, key: token}}
        - name: MODE
          valueFrom: {configMapKeyRef: {name: $2, key: MODE}}
        - name: OPT
          valueFrom: {secretKeyRef: {name: absent, key: x, optional: true}}
YAML
}
envjob envjob settings | kc apply -f - >/dev/null
check "job with env from configmap and secret completes" kc wait --for=condition=complete job/envjob --timeout=60s
check_eq "env values reach the container" "token=tok-Env-42 mode=fast cfg=3 opt=[]" "$(kc logs job/envjob)"

envjob late late-cm | kc apply -f - >/dev/null
pod_reason() { kc get pods -l job-name=late -o jsonpath='{.items[0].status.phase}/{.items[0].status.containerStatuses[0].state.waiting.reason}'; }
reason_is() { [ "$(pod_reason)" = "$1" ]; }
check "missing configmap: pod Pending with CreateContainerConfigError" wait_for 30 reason_is Pending/CreateContainerConfigError
check_eq "waiting message names the configmap" 'configmap "late-cm" not found' \
    "$(kc get pods -l job-name=late -o jsonpath='{.items[0].status.containerStatuses[0].state.waiting.message}')"
check "a Warning event says so" bash -c "$(printf '%q ' "${K[@]}") get events -o json | jq -e '.items[] | select(.type==\"Warning\" and (.message | test(\"late-cm\")))' >/dev/null"
check_eq "not counted as a failure" "" "$(kc get job late -o jsonpath='{.status.failed}')"
kc create configmap late-cm --from-literal=MODE=slow >/dev/null
check "the job recovers once the configmap exists" kc wait --for=condition=complete job/late --timeout=60s
case "$(kc logs job/late)" in *mode=slow*) ok "recovered pod sees the new value" ;; *) not_ok "recovered pod sees the new value" "$(kc logs job/late)" ;; esac
kc delete job envjob late --wait=false >/dev/null 2>&1

# ---- emptyDir volumes ----
cat <<YAML | kc apply -f - >/dev/null
apiVersion: batch/v1
kind: Job
metadata:
  name: scratch
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      volumes:
      - name: work
        emptyDir: {}
      - name: mem
        emptyDir: {medium: Memory, sizeLimit: 16Mi}
      containers:
      - name: c
        image: kjob/busybox:latest
        command: ["sh", "-c", "echo written > /work/f && cat /work/f && echo m > /mem/g && cat /mem/g && grep ' /mem ' /proc/mounts | grep -o 'tmpfs.*size=[0-9a-z]*'"]
        volumeMounts:
        - {name: work, mountPath: /work}
        - {name: mem, mountPath: /mem}
YAML
check "job writing to emptyDir volumes completes" kc wait --for=condition=complete job/scratch --timeout=60s
check_eq "emptyDir written and read back; Memory medium is a sized tmpfs" \
    "$(printf 'written\nm\ntmpfs /mem tmpfs rw,nosuid,nodev,noexec,relatime,size=16384k')" "$(kc logs job/scratch)"
scratch_pod=$(kc get pods -l job-name=scratch -o jsonpath='{.items[0].metadata.name}')
vols() { docker volume ls -q --filter "label=io.kjob.pod-name=$scratch_pod" --filter "label=io.kjob.namespace=$KJ_NS"; }
check_eq "the emptyDir is a Docker volume labelled with the pod" "1" "$(vols | wc -l)"
kc delete job scratch >/dev/null
volume_gone() { [ -z "$(vols)" ]; }
check "the volume is removed with the pod's container" wait_for 30 volume_gone

# ---- configMap and secret volumes (+ emptyDir, env from a Secret) ----
kc create configmap script --from-literal=run.sh='echo "pw=$PW"; echo scratch > /data/out; cat /data/out; ls -l /cfg/ | grep -o "^-r[-rwx]*"; cat /sec/dir/tok; cat /one.sh | head -1' >/dev/null
cat <<YAML | kc apply -f - >/dev/null
apiVersion: batch/v1
kind: Job
metadata:
  name: cmvol
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      volumes:
      - name: cfg
        configMap: {name: script, defaultMode: 0555}
      - name: sec
        secret:
          secretName: creds
          items: [{key: token, path: dir/tok}]
      - name: opt
        secret: {secretName: nothere, optional: true}
      - name: data
        emptyDir: {}
      containers:
      - name: c
        image: kjob/busybox:latest
        command: ["sh", "/cfg/run.sh"]
        env:
        - name: PW
          valueFrom: {secretKeyRef: {name: creds, key: token}}
        volumeMounts:
        - {name: cfg, mountPath: /cfg}
        - {name: cfg, mountPath: /one.sh, subPath: run.sh}
        - {name: sec, mountPath: /sec}
        - {name: opt, mountPath: /opt-secret}
        - {name: data, mountPath: /data}
YAML
check "job running a script from a ConfigMap volume completes" kc wait --for=condition=complete job/cmvol --timeout=60s
# (the secret file has no trailing newline, so the subPath line follows it)
check_eq "script ran: secret env, emptyDir, defaultMode, secret items, subPath" \
    "$(printf 'pw=tok-Env-42\nscratch\n-r-xr-xr-x\ntok-Env-42echo "pw=$PW"; echo scratch > /data/out; cat /data/out; ls -l /cfg/ | grep -o "^-r[-rwx]*"; cat /sec/dir/tok; cat /one.sh | head -1')" \
    "$(kc logs job/cmvol)"
cm_pod=$(kc get pods -l job-name=cmvol -o jsonpath='{.items[0].metadata.name}')
check "volume files live in the state dir while the pod exists" test -f "$KJ_TMP/state/pods/$KJ_NS.$cm_pod/cfg/run.sh"
kc delete job cmvol >/dev/null
files_gone() { [ ! -e "$KJ_TMP/state/pods/$KJ_NS.$cm_pod" ]; }
check "volume files are removed with the pod" wait_for 30 files_gone

cat <<YAML | kc apply -f - >/dev/null
apiVersion: batch/v1
kind: Job
metadata:
  name: cmlate
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      volumes:
      - name: cfg
        configMap: {name: later}
      containers:
      - name: c
        image: kjob/busybox:latest
        command: ["cat", "/cfg/k"]
        volumeMounts:
        - {name: cfg, mountPath: /cfg}
YAML
late_reason() { [ "$(kc get pods -l job-name=cmlate -o jsonpath='{.items[0].status.phase}/{.items[0].status.containerStatuses[0].state.waiting.reason}')" = Pending/ContainerCreating ]; }
check "missing ConfigMap volume keeps the pod ContainerCreating" wait_for 30 late_reason
late_event() {
    kc get events -o json | jq -e '.items[] | select(.type == "Warning" and .reason == "FailedMount" and
        .involvedObject.kind == "Pod" and (.message | test("^MountVolume.SetUp failed for volume \"cfg\" : configmap \"later\" not found")))' >/dev/null
}
check "with a FailedMount event naming the volume and the ConfigMap" wait_for 30 late_event
kc create configmap later --from-literal=k=arrived >/dev/null
check "and it recovers once the ConfigMap exists" kc wait --for=condition=complete job/cmlate --timeout=60s
check_eq "recovered pod read the file" "arrived" "$(kc logs job/cmlate)"
kc delete job cmlate --wait=false >/dev/null 2>&1

# ---- hostPath: refused unless kjobd runs with --allow-host-path ----
mkdir -p "$KJ_TMP/host"
echo from-host >"$KJ_TMP/host/marker"
hostjob() {
    cat <<YAML
apiVersion: batch/v1
kind: Job
metadata:
  name: hostjob
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      volumes:
      - name: scratch
        emptyDir: {}
      - name: h
        hostPath: {path: $KJ_TMP/host}
      containers:
      - name: c
        image: kjob/busybox:latest
        command: ["cat", "/h/marker"]
        volumeMounts:
        - {name: h, mountPath: /h, readOnly: true}
YAML
}
out=$(hostjob | kc apply -f -)
case "$out" in
*'spec.template.spec.volumes[1].hostPath: Forbidden: hostPath volumes are disabled: start kjobd with `--allow-host-path`'*)
    ok "hostPath refused without --allow-host-path, naming the field and the flag" ;;
*) not_ok "hostPath refused without --allow-host-path, naming the field and the flag" "$out" ;;
esac
code=$(hostjob | curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/yaml' \
    --data-binary @- "$KJOBD_URL/apis/batch/v1/namespaces/$KJ_NS/jobs")
check_eq "the refusal is a 422" "422" "$code"
kjobd_stop
kjobd_start --allow-host-path
check "with --allow-host-path the job is accepted" bash -c "$(declare -f hostjob); KJ_TMP=$KJ_TMP hostjob | $(printf '%q ' "${K[@]}") apply -f -"
check "and its pod reads the bind-mounted host file" kc wait --for=condition=complete job/hostjob --timeout=60s
check_eq "host file content" "from-host" "$(kc logs job/hostjob)"
kc delete job hostjob --wait=false >/dev/null 2>&1

if grep -qE 'tok-Env-42' "$KJOBD_LOG"; then
    not_ok "secret env value never in kjobd's log"
else
    ok "secret env value never in kjobd's log"
fi

kjobd_check_sanitizers
tap_done
