#!/usr/bin/env bash
# The official Kubernetes JavaScript client (@kubernetes/client-node, pinned
# in tests/e2e/node/package-lock.json) creates, watches, reads logs of,
# patches and deletes a Job on kjobd, evicts a pod and deletes a collection.
# `npm ci` installs it on first run.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/kjobd.sh"

NODE_DIR=$KJ_ROOT/tests/e2e/node
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "ok 1 # SKIP node/npm are not installed"
    echo "1..1"
    exit 0
fi
if [ ! -d "$NODE_DIR/node_modules/@kubernetes/client-node" ] &&
    ! (cd "$NODE_DIR" && npm ci --no-audit --no-fund >"$KJ_TMP/npm.log" 2>&1); then
    echo "ok 1 # SKIP npm ci failed (no registry?): $(tail -n 1 "$KJ_TMP/npm.log")"
    echo "1..1"
    exit 0
fi
kjobd_start
(cd "$NODE_DIR" && timeout 120 node client.mjs "$KJOBD_URL" "$KJ_NS") >"$KJ_TMP/node.tap" 2>&1
rc=$?
cat "$KJ_TMP/node.tap"
# Continue lib.sh's TAP numbering after the client's checks.
_tap_n=$(grep -cE '^(not )?ok ' "$KJ_TMP/node.tap")
_tap_fail=$(grep -cE '^not ok ' "$KJ_TMP/node.tap")
[ "$rc" -eq 0 ] || [ "$_tap_fail" -gt 0 ] || not_ok "the node client ran to the end" "$(tail -n 5 "$KJ_TMP/node.tap")"
kjobd_done
