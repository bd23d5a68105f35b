# Shared helpers for end-to-end scripts (source it; bash only).
# TAP on stdout: each check prints "ok N - desc" or "not ok N - desc" with
# "# " diagnostics; tap_done prints the plan and sets the exit status.
# Everything a test creates in the engine carries the label io.kjob.test=$KJ_TEST_ID
# and is removed on exit (unless KJOBD_TEST_KEEP=1).
set -uo pipefail

KJ_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KJ_TEST_ID=${KJ_TEST_ID:-$(basename "$0" .sh)-$$}
KJ_TEST_NET=${KJ_TEST_NET:-kjt-$$}
KJ_TMP=$(mktemp -d "/tmp/kjob-e2e.XXXXXX")
_tap_n=0
_tap_fail=0
_cleanups=()

ok()      { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
not_ok()  { _tap_n=$((_tap_n + 1)); _tap_fail=$((_tap_fail + 1)); echo "not ok $_tap_n - $1"; shift; for l in "$@"; do printf '%s\n' "$l" | sed 's/^/#   /'; done; }
diag()    { printf '%s\n' "$*" | sed 's/^/# /'; }

# check DESC CMD...: ok when CMD exits 0; otherwise not ok with its output.
check() {
    local desc=$1; shift
    local out
    if out=$("$@" 2>&1); then ok "$desc"; else not_ok "$desc" "command: $*" "$out"; fi
}

# check_eq DESC EXPECTED ACTUAL
check_eq() {
    if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "actual:   $3"; fi
}

# wait_for SECONDS CMD...: poll CMD every 0.2 s until it succeeds or the
# deadline passes (then return 1). Never a bare sleep in a test.
wait_for() {
    local deadline=$((SECONDS + $1)); shift
    while ! "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.2
    done
}

on_exit() { _cleanups+=("$*"); }

_kj_cleanup() {
    local i
    for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do eval "${_cleanups[$i]}" >/dev/null 2>&1 || true; done
    if [ -z "${KJOBD_TEST_KEEP:-}" ]; then
        local ids
        ids=$(docker ps -aq --filter "label=io.kjob.test=$KJ_TEST_ID" 2>/dev/null)
        [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1
        # The engine releases the endpoints of just-removed containers a
        # moment later ("has active endpoints"): retry for a while.
        wait_for 15 docker network rm "$KJ_TEST_NET" || true
        rm -rf "$KJ_TMP"
    else
        echo "# kept: $KJ_TMP, network $KJ_TEST_NET"
    fi
}
trap _kj_cleanup EXIT

tap_done() {
    echo "1..$_tap_n"
    [ "$_tap_fail" -eq 0 ]
    exit $?
}

# An internal bridge of the test's own: containers reach each other by name,
# the host reaches them by IP, nothing reaches outside.
kj_test_network() {
    docker network inspect "$KJ_TEST_NET" >/dev/null 2>&1 ||
        docker network create --internal --label "io.kjob.test=$KJ_TEST_ID" "$KJ_TEST_NET" >/dev/null
}

# The IP of a container on the test network.
kj_container_ip() {
    docker inspect -f "{{with index .NetworkSettings.Networks \"$KJ_TEST_NET\"}}{{.IPAddress}}{{end}}" "$1"
}

kj_require() {
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 || { echo "Bail out! $c is required"; exit 1; }
    done
}
