#!/usr/bin/env bash
# tests/run.sh - proflab's one test runner (make test / make check).
#
# Runs every unit-test binary ($BUILD/tests/unit/test_*) and every
# end-to-end script (tests/e2e/*.sh, except lib.sh and the *_lib.sh
# helpers they source). Each prints one "PASS name" or
# "FAIL name" line per case; a file that exits non-zero without printing a
# FAIL line, or that times out, counts as one failure. Ends with the line
# "N passed, N failed" and exits 1 when anything failed.
#
# Environment: BUILD (default build), T (run only files whose name contains
# it), TEST_TIMEOUT (seconds per file, default 900).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
T=${T:-}
TEST_TIMEOUT=${TEST_TIMEOUT:-900}
export BUILD
export PROFLAB_ROOT=$PWD
passed=0
failed=0
failed_names=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_one() { # name, command...
	local name=$1 rc p f
	shift
	[ -n "$T" ] && [[ $name != *"$T"* ]] && return
	echo "== $name"
	timeout --kill-after=10 "$TEST_TIMEOUT" "$@" >"$log" 2>&1 </dev/null
	rc=$?
	cat "$log"
	p=$(grep -c '^PASS ' "$log")
	f=$(grep -c '^FAIL ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		if [ "$rc" -eq 124 ]; then
			echo "FAIL $name (timed out after ${TEST_TIMEOUT}s)"
		else
			echo "FAIL $name (exit status $rc)"
		fi
		f=1
	fi
	if [ "$rc" -eq 0 ] && [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $name (ran no test case)"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" -gt 0 ] && failed_names+=("$name")
}

for t in "$BUILD"/tests/unit/test_*; do
	[ -x "$t" ] || continue
	case $t in *.d|*.o) continue ;; esac
	run_one "unit/$(basename "$t")" "$t"
done
for s in tests/e2e/*.sh; do
	[ -f "$s" ] || continue
	case $(basename "$s") in lib.sh | *_lib.sh) continue ;; esac
	run_one "e2e/$(basename "$s" .sh)" bash "$s"
done

echo
if [ ${#failed_names[@]} -gt 0 ]; then
	echo "failed in: ${failed_names[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
