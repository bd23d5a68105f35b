#!/usr/bin/env bash
# A client written the way client libraries talk to kube-apiserver (Python's
# urllib against the raw API; the `kubernetes` package is not installed):
# create a Job, watch it from the create's resourceVersion until Complete,
# optimistic concurrency (stale resourceVersion -> 409), status subresource,
# delete with Background propagation and see DELETED on the watch.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/kjobd.sh"
kj_require python3
kjobd_start

python3 - "$KJOBD_URL" "$KJ_NS" >"$KJ_TMP/py.tap" 2>&1 <<'EOF'
import json, sys, urllib.request, urllib.error

base, ns = sys.argv[1], sys.argv[2]
jobs = f"{base}/apis/batch/v1/namespaces/{ns}/jobs"
n = 0
failed = 0

def tap(okay, desc, diag=""):
    global n, failed
    n += 1
    if not okay:
        failed += 1
    print(("ok" if okay else "not ok") + f" {n} - {desc}", flush=True)
    if not okay and diag:
        for line in str(diag).splitlines():
            print("#   " + line)

def call(method, url, body=None, ctype="application/json"):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", ctype)
    req.add_header("Accept", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")

job = {
    "apiVersion": "batch/v1", "kind": "Job",
    "metadata": {"name": "urllib", "labels": {"client": "urllib"}},
    "spec": {"completions": 2, "template": {"spec": {"restartPolicy": "Never", "containers": [
        {"name": "c", "image": "kjob/busybox", "command": ["sh", "-c", "echo hi"]}]}}},
}
code, created = call("POST", jobs, job)
tap(code == 201 and created["kind"] == "Job", "create: 201 Job", f"{code} {created}")
rv = created["metadata"]["resourceVersion"]
uid = created["metadata"]["uid"]

# Optimistic concurrency: an update with a stale resourceVersion is refused.
stale = dict(created)
stale["metadata"] = dict(created["metadata"], resourceVersion="1")
code, st = call("PUT", f"{jobs}/urllib", stale)
tap(code == 409 and st.get("reason") == "Conflict", "PUT with a stale resourceVersion: 409 Conflict", f"{code} {st}")

# Watch from the create's resourceVersion until the Job completes.
url = f"{jobs}?watch=1&resourceVersion={rv}&fieldSelector=metadata.name%3Durllib&timeoutSeconds=60&allowWatchBookmarks=true"
types, complete = [], False
with urllib.request.urlopen(url, timeout=70) as r:
    tap(r.headers.get("Transfer-Encoding") == "chunked", "watch is a chunked stream", str(r.headers))
    for line in r:
        ev = json.loads(line)
        types.append(ev["type"])
        conds = (ev["object"].get("status") or {}).get("conditions") or []
        if any(c["type"] == "Complete" and c["status"] == "True" for c in conds):
            complete = True
            break
tap(complete, "watch sees the Job complete", " ".join(types))
tap(types and set(types) <= {"MODIFIED", "BOOKMARK"}, "watch from a resourceVersion replays only changes", " ".join(types))

# status subresource
code, got = call("GET", f"{jobs}/urllib/status")
tap(code == 200 and got["status"].get("succeeded") == 2, "GET status subresource", f"{code} {got.get('status')}")
code, got = call("PATCH", f"{jobs}/urllib/status", {"metadata": {"labels": {"seen": "yes"}}}, "application/merge-patch+json")
tap(code == 200 and got["metadata"]["labels"].get("seen") == "yes", "merge-patch of the status subresource", f"{code} {got}")

# Delete (Background) while watching: DELETED with the last state.
code, cur = call("GET", f"{jobs}/urllib")
url = f"{jobs}?watch=1&resourceVersion={cur['metadata']['resourceVersion']}&timeoutSeconds=30"
with urllib.request.urlopen(url, timeout=40) as r:
    code, st = call("DELETE", f"{jobs}/urllib?propagationPolicy=Background")
    tap(code == 200 and st.get("status") == "Success" and st["details"]["uid"] == uid, "DELETE: Success Status with the uid", f"{code} {st}")
    seen = None
    for line in r:
        ev = json.loads(line)
        if ev["type"] == "DELETED":
            seen = ev["object"]["metadata"]["name"]
            break
tap(seen == "urllib", "watch sees DELETED", str(seen))
code, st = call("GET", f"{jobs}/urllib")
tap(code == 404 and st.get("reason") == "NotFound", "GET after delete: 404 NotFound Status", f"{code} {st}")

sys.exit(1 if failed else 0)
EOF
rc=$?
cat "$KJ_TMP/py.tap"
# Continue lib.sh's TAP numbering after the Python checks.
_tap_n=$(grep -cE '^(not )?ok ' "$KJ_TMP/py.tap")
_tap_fail=$(grep -cE '^not ok ' "$KJ_TMP/py.tap")
[ "$rc" -eq 0 ] || [ "$_tap_fail" -gt 0 ] || not_ok "the Python client ran to the end" "$(tail -n 5 "$KJ_TMP/py.tap")"
kjobd_done
