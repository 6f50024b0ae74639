# cli_stdout.sh - output that cannot be written is a failure: with stdout
# on /dev/full every command that prints exits 1 with one line
# "proflab CMD: writing standard output: No space left on device"; a
# reader that goes away (head) ends proflab quietly.
. "$(dirname "$0")/lib.sh"
export HOME=$TMP
cd "$TMP" || exit 1

if [ ! -c /dev/full ]; then
	pass "no /dev/full here: nothing to check"
	exit 0
fi

# full NAME WANT_PREFIX CMD...: CMD's stdout on /dev/full.
full() {
	local name=$1 prefix=$2 rc err
	shift 2
	"$PROFLAB" "$@" >/dev/full 2>"$TMP/full.err"
	rc=$?
	err=$(grep -v '^[0-9][0-9]-[a-z-]*: [a-z ]*\.\.\.' "$TMP/full.err")
	if [ "$rc" -eq 1 ] && [ "$err" = "$prefix: writing standard output: No space left on device" ]; then
		pass "$name"
	else
		fail "$name" "exit status $rc, want 1" "stderr: ${err:0:600}"
	fi
}

full "--help on a full disk" "proflab" --help
full "--version on a full disk" "proflab" --version
full "lessons on a full disk" "proflab lessons" lessons
full "lesson on a full disk" "proflab lesson" lesson 1
full "lesson --help on a full disk" "proflab lesson" lesson --help
full "exercises on a full disk" "proflab exercises" exercises
full "progress --json on a full disk" "proflab progress" progress --json
full "quiz --key on a full disk" "proflab quiz" quiz 1 --key
full "check --format junit on a full disk" "proflab check" check 1 --solution --format junit

if record_cpu_split; then
	full "pprof -top on a full disk" "proflab pprof" pprof -top cpu.pb.gz
	full "flame --folded on a full disk" "proflab flame" flame cpu.pb.gz --folded
fi

# A failure of the command itself keeps its status and message.
"$PROFLAB" pprof -top missing.pb.gz >/dev/full 2>"$TMP/full.err"
rc=$?
if [ "$rc" -eq 1 ] && [ "$(cat "$TMP/full.err")" = "proflab pprof: missing.pb.gz: No such file or directory" ]; then
	pass "a failed command says only why it failed"
else
	fail "a failed command says only why it failed" "exit status $rc" "$(cat "$TMP/full.err")"
fi

# A closed stdout is named too.
"$PROFLAB" lessons >&- 2>"$TMP/closed.err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q '^proflab lessons: writing standard output: ' "$TMP/closed.err"; then
	pass "closed stdout fails"
else
	fail "closed stdout fails" "exit status $rc" "$(cat "$TMP/closed.err")"
fi

# Output that fits is written and the command succeeds.
run "$PROFLAB" lessons
expect_rc "lessons to a pipe exits 0" 0

# A reader that went away: the pipe's read end is closed before proflab
# starts (python3 makes it, no race). SIGPIPE ends proflab, as before,
# with nothing on stderr; with SIGPIPE ignored the write fails with EPIPE:
# exit 1, quietly.
no_reader() { # RESTORE_SIGNALS CMD...: prints "STATUS" then stderr
	python3 - "$@" <<'PY'
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run(sys.argv[2:], stdout=w, stderr=subprocess.PIPE,
                   restore_signals=sys.argv[1] == "1")
print(p.returncode)
sys.stdout.write(p.stderr.decode())
PY
}
got=$(no_reader 1 "$PROFLAB" lesson 1)
if [ "$got" = "-13" ]; then
	pass "reader gone: SIGPIPE, no message"
else
	fail "reader gone: SIGPIPE, no message" "got: $got" "want: -13 (killed by SIGPIPE)"
fi
got=$(no_reader 0 "$PROFLAB" lesson 1)
if [ "$got" = "1" ]; then
	pass "reader gone, SIGPIPE ignored: exit 1, no message"
else
	fail "reader gone, SIGPIPE ignored: exit 1, no message" "got: $got" "want: 1"
fi
