#!/usr/bin/env bash
# exercise_paths.sh - the learner's directories are absolute whatever the
# environment (a relative PROFLAB_HOME, no HOME), so the exercise, which runs
# in its own directory, writes its profiles where proflab reads them; and
# `proflab run` fails when the program wrote no profile.
. "$(dirname "$0")/lib.sh"

mkdir -p "$TMP/cwd"
run bash -c "cd '$TMP/cwd' && PROFLAB_HOME=rel '$PROFLAB' exercises"
expect_contains "relative PROFLAB_HOME is taken from the current directory" "$OUT" \
	"workspace: $TMP/cwd/rel/exercises"
run bash -c "cd '$TMP/cwd' && PROFLAB_HOME=rel '$PROFLAB' run 01"
expect_rc "run with a relative PROFLAB_HOME succeeds" 0
if [ -s "$TMP/cwd/rel/exercises/01-sales-report/profiles/cpu.pb.gz" ]; then
	pass "run with a relative PROFLAB_HOME writes the CPU profile"
else
	fail "run with a relative PROFLAB_HOME writes the CPU profile" "stdout: ${OUT:0:600}" "stderr: ${ERR:0:600}"
fi
expect_contains "run prints the absolute profile path" "$OUT" \
	"$TMP/cwd/rel/exercises/01-sales-report/profiles/cpu.pb.gz"

# No HOME: the XDG directories still work without it.
run bash -c "cd '$TMP/cwd' && env -u HOME -u PROFLAB_HOME '$PROFLAB' exercises"
expect_rc "no HOME, XDG_DATA_HOME set: exercises works" 0
expect_contains "no HOME, XDG_DATA_HOME set: workspace from it" "$OUT" \
	"workspace: $XDG_DATA_HOME/proflab/exercises"

# No HOME and no home directory for the user: one line, exit 2. Needs a user
# ID without a password entry, which only root can switch to.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && ! getent passwd 54321 >/dev/null; then
	run env -u HOME -u PROFLAB_HOME -u XDG_DATA_HOME -u XDG_STATE_HOME \
		setpriv --reuid 54321 --regid 54321 --clear-groups "$PROFLAB" exercises
	expect_rc "no home directory at all: exit 2" 2
	expect_eq "no home directory at all: one line naming what is missing" "$ERR" \
		"proflab: HOME is not set and user ID 54321 has no home directory (set HOME, or PROFLAB_HOME and XDG_STATE_HOME)"
	# Commands that keep no learner state work without a home.
	run env -u HOME -u PROFLAB_HOME -u XDG_DATA_HOME -u XDG_STATE_HOME \
		setpriv --reuid 54321 --regid 54321 --clear-groups "$PROFLAB" pprof -top "$ROOT/quizzes/profiles/02-log-clients.cpu.pb.gz"
	expect_rc "no home directory: pprof still works" 0
	expect_contains "no home directory: pprof reports" "$OUT" "Type: cpu"
else
	fail "no home directory at all" "needs root, setpriv and no user 54321 (make test runs as root)"
fi

# A program that writes no profile (the runtime could not be preloaded):
# run fails, saying why.
run env PROFLAB_RUNTIME=$TMP/no-such-lib.so "$PROFLAB" run 01
expect_rc "run: no profile written: exit 1" 1
expect_contains "run: no profile written: says so" "$ERR" "the program wrote no profile"
