#!/usr/bin/env bash
# lesson_tty.sh - proflab lesson on a terminal (a pty from script(1)): the
# width comes from the terminal before $COLUMNS, and an empty TERM means no
# colours, like a missing one.
. "$(dirname "$0")/lib.sh"

# on_tty SHELL-CMD: run it on a pty; OUT gets its text, CRs dropped.
on_tty() {
	OUT=$(timeout -k 5 30 script -qec "$1" /dev/null </dev/null 2>&1 | tr -d '\r')
}
widest() { # the widest line of OUT that is not code (indented 4)
	printf '%s\n' "$OUT" | grep -v '^    ' | while IFS= read -r l; do echo "${#l}"; done | sort -n | tail -1
}

on_tty "stty cols 50; env COLUMNS=120 '$PROFLAB' lesson 2 --plain"
w=$(widest)
if [ "${w:-0}" -le 50 ] && [ "${w:-0}" -gt 40 ]; then
	pass "lesson on a 50-column tty fits 50 (COLUMNS=120 ignored)"
else
	fail "lesson on a 50-column tty fits 50 (COLUMNS=120 ignored)" "widest line: $w"
fi
on_tty "stty cols 50; env COLUMNS=120 '$PROFLAB' lesson 2 --plain --width 70"
w=$(widest)
if [ "${w:-0}" -le 70 ] && [ "${w:-0}" -gt 50 ]; then
	pass "lesson --width beats the tty's width"
else
	fail "lesson --width beats the tty's width" "widest line: $w"
fi

on_tty "env -u NO_COLOR TERM=xterm '$PROFLAB' lesson 1"
expect_contains "lesson on a tty with TERM=xterm: colours" "$OUT" $'\033['
on_tty "env -u NO_COLOR TERM= '$PROFLAB' lesson 1"
expect_contains "lesson on a tty with TERM empty: prints the chapter" "$OUT" "profiling workflow"
expect_not_contains "lesson on a tty with TERM empty: no colours" "$OUT" $'\033'
on_tty "env -u NO_COLOR -u TERM '$PROFLAB' lesson 1"
expect_not_contains "lesson on a tty with TERM unset: no colours" "$OUT" $'\033'
