# cli.sh - the command contract: help, version, unknown commands/options.
. "$(dirname "$0")/lib.sh"

run "$PROFLAB" --help
expect_rc "help exits 0" 0
help=$OUT
for c in lessons lesson present exercises run check reset hint quiz progress record pprof flame; do
	if grep -qE "^  $c +[a-z]" <<<"$help"; then pass "help lists $c"; else fail "help lists $c" "$help"; fi
	run "$PROFLAB" "$c" --help
	if [ "$RC" -eq 0 ] && [[ $OUT == "usage: proflab $c"* ]]; then pass "$c --help"; else fail "$c --help" "rc=$RC" "$OUT"; fi
done

run "$PROFLAB" --version
expect_rc "version exits 0" 0
if [[ $OUT =~ ^proflab\ [0-9]+\.[0-9]+\.[0-9]+$ ]]; then pass "version format"; else fail "version format" "$OUT"; fi

run "$PROFLAB" frobnicate
expect_rc "unknown command exits 2" 2
expect_contains "unknown command named" "$ERR" "unknown command 'frobnicate'"

run "$PROFLAB" --frob
expect_rc "unknown global option exits 2" 2
expect_contains "unknown global option named" "$ERR" "--frob"

run "$PROFLAB" lessons --bogus
expect_rc "unknown command option exits 2" 2
expect_contains "unknown command option named" "$ERR" "unknown option --bogus"

run "$PROFLAB" lessons
expect_rc "lessons exits 0" 0

# The binary finds its content from any directory.
run bash -c "cd / && '$PROFLAB' lessons"
expect_rc "lessons from / exits 0" 0

# No terminal: the TUI refuses politely instead of drawing garbage.
run "$PROFLAB" </dev/null
expect_rc "tui without a terminal exits 2" 2
expect_contains "tui without a terminal says so" "$ERR" "needs a terminal"
