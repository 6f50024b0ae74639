#!/usr/bin/env bash
# tests/stress/exercises.sh - every reference solution passes and every
# pristine exercise fails, N times in a row (default 20), on this machine
# as it is (noise included). Prints one PASS/FAIL line per round and kind,
# and exits 1 at the first surprise, keeping the report that shows it.
#
#   make stress-exercises [BUILD=build] [ROUNDS=20]
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
ROUNDS=${ROUNDS:-20}
PROFLAB=$PWD/$BUILD/proflab
TMP=$(mktemp -d /tmp/proflab-stress.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
export PROFLAB_HOME=$TMP/home XDG_STATE_HOME=$TMP/state XDG_DATA_HOME=$TMP/data NO_COLOR=1

n=$("$PROFLAB" exercises | grep -cE '^[0-9][0-9]  ')
bad=0
for round in $(seq "$ROUNDS"); do
	"$PROFLAB" check --all --solution --format json >"$TMP/sol.json" 2>/dev/null
	rc=$?
	passed=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["npassed"])' "$TMP/sol.json" 2>/dev/null)
	if [ "$rc" -eq 0 ] && [ "$passed" = "$n" ]; then
		echo "PASS round $round: $n/$n solutions pass"
	else
		echo "FAIL round $round: solutions passed ${passed:-?}/$n (exit $rc)"
		python3 -m json.tool "$TMP/sol.json"
		bad=1
		break
	fi
	"$PROFLAB" check --all --format json >"$TMP/pri.json" 2>/dev/null
	rc=$?
	failed=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["nfailed"])' "$TMP/pri.json" 2>/dev/null)
	if [ "$rc" -eq 1 ] && [ "$failed" = "$n" ]; then
		echo "PASS round $round: $n/$n pristine exercises fail"
	else
		echo "FAIL round $round: pristine exercises failed ${failed:-?}/$n (exit $rc)"
		python3 -m json.tool "$TMP/pri.json"
		bad=1
		break
	fi
done
exit $bad
