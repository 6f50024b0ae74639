# tests/e2e/lib.sh - helpers for end-to-end tests of the proflab binary.
# Source it; every check prints "PASS name" or "FAIL name" plus details.
set -u
ROOT=${PROFLAB_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
PROFLAB=$BUILD/proflab
# Each test file gets a private scratch dir, workspace and state dir.
TMP=$(mktemp -d /tmp/proflab-e2e.XXXXXX)
export PROFLAB_HOME=$TMP/home
export XDG_STATE_HOME=$TMP/state
export XDG_DATA_HOME=$TMP/data
export NO_COLOR=1
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off GOCACHE=${GOCACHE:-/tmp/proflab-gocache}
trap 'rm -rf "$TMP"' EXIT

pass() { echo "PASS $1"; }
fail() {
	echo "FAIL $1"
	shift
	local l
	for l in "$@"; do printf '  %s\n' "$l"; done
}

# run CMD...: sets OUT, ERR and RC.
run() {
	OUT=$("$@" 2>"$TMP/.err")
	RC=$?
	ERR=$(cat "$TMP/.err")
}

# record_cpu_split: record tests/progs/cpu_split at 500 Hz into cpu.pb.gz
# in the current directory; 0, or 1 after failing a check that says why.
record_cpu_split() {
	local prog=$BUILD/tests/progs/cpu_split

	if [ ! -x "$prog" ]; then
		fail "test program cpu_split is built" "run make tests"
		return 1
	fi
	run "$PROFLAB" record -cpuprofile cpu.pb.gz -hz 500 -- "$prog"
	if [ "$RC" -ne 0 ] || [ ! -s cpu.pb.gz ]; then
		fail "record a profile" "exit $RC" "${ERR:0:400}"
		return 1
	fi
	return 0
}

# expect_rc NAME WANT: RC of the last run() equals WANT.
expect_rc() {
	if [ "$RC" -eq "$2" ]; then pass "$1"; else fail "$1" "exit status $RC, want $2" "stdout: ${OUT:0:600}" "stderr: ${ERR:0:600}"; fi
}

# expect_contains NAME HAYSTACK NEEDLE
expect_contains() {
	if [[ $2 == *"$3"* ]]; then pass "$1"; else fail "$1" "missing: $3" "in: ${2:0:800}"; fi
}

expect_not_contains() {
	if [[ $2 != *"$3"* ]]; then pass "$1"; else fail "$1" "unexpected: $3" "in: ${2:0:800}"; fi
}

# expect_eq NAME GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got:  $2" "want: $3"; fi
}
