#!/usr/bin/env bash
# Run unit binaries (cmocka TAP), fuzz corpus replays and end-to-end scripts
# (TAP on stdout), stream their output, and close with one summary line:
# "N passed, N failed". A test program that exits non-zero without
# reporting a failing case counts as one failure of its own.
#
#   scripts/run-tests.sh <label> <test>...
#   KJ_VALGRIND=1   run unit binaries under valgrind (leaks are failures)
#   KJ_ONLY=regex   run only tests whose path matches
# A skipped case ("ok N # SKIP why") is reported as skipped; under CI (or
# KJ_TEST_STRICT=1) it counts as a failure, since CI must have every tool.
set -uo pipefail

label=$1; shift
logdir=build/test-logs
mkdir -p "$logdir"
pass=0; fail=0; skip=0; failed=()
strict=${KJ_TEST_STRICT:-${CI:-}}

run_one() {
    local t=$1 name log rc
    name=$(basename "$t")
    log="$logdir/$name.log"
    echo "# ---- $name"
    case "$t" in
    *.sh)
        bash "$t" 2>&1 | tee "$log"; rc=${PIPESTATUS[0]} ;;
    */fuzz-replay/fuzz_*)
        local corpus="tests/fuzz/corpus/${name#fuzz_}"
        local files=("$corpus"/*)
        if [ ! -e "${files[0]}" ]; then
            echo "not ok 1 - $name: empty corpus $corpus" | tee "$log"; rc=1
        elif "$t" "${files[@]}" >"$log" 2>&1; then
            echo "ok 1 - $name replays ${#files[@]} inputs" | tee -a "$log"; rc=0
        else
            rc=$?; tail -n 30 "$log"
            echo "not ok 1 - $name replay failed (exit $rc)" | tee -a "$log"
        fi ;;
    *)
        if [ -n "${KJ_VALGRIND:-}" ]; then
            CMOCKA_MESSAGE_OUTPUT=TAP valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
                --errors-for-leak-kinds=definite,indirect --error-exitcode=99 "$t" 2>&1 | tee "$log"
        else
            CMOCKA_MESSAGE_OUTPUT=TAP "$t" 2>&1 | tee "$log"
        fi
        rc=${PIPESTATUS[0]} ;;
    esac
    local p f s
    p=$(grep -cE '^ok ' "$log")
    f=$(grep -cE '^not ok ' "$log")
    s=$(grep -cE '^ok .*# SKIP' "$log")
    p=$((p - s))
    if [ "$s" -gt 0 ] && [ -n "$strict" ]; then
        echo "not ok - $name skipped $s case(s), which CI does not allow"
        f=$((f + s)); s=0
    fi
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "not ok - $name exited with status $rc"
        f=1
    fi
    if [ "$p" -eq 0 ] && [ "$f" -eq 0 ] && [ "$s" -eq 0 ]; then
        echo "not ok - $name reported no test"
        f=1
    fi
    pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
    [ "$f" -eq 0 ] || failed+=("$name")
}

for t in "$@"; do
    if [ -n "${KJ_ONLY:-}" ] && ! [[ "$t" =~ $KJ_ONLY ]]; then
        continue
    fi
    run_one "$t"
done

echo "#"
[ ${#failed[@]} -eq 0 ] || echo "# failing: ${failed[*]}"
if [ "$skip" -gt 0 ]; then
    echo "$label: $pass passed, $fail failed, $skip skipped"
else
    echo "$label: $pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
