#!/usr/bin/env bash
# tui_term.sh - the full-screen commands on terminals curses cannot drive:
# TERM unknown, unset, empty or without cursor addressing (dumb). Each gets
# proflab's own one-line message and exit status 2, never ncurses' "Error
# opening terminal" nor a broken screen. script(1) provides the pty.
. "$(dirname "$0")/lib.sh"

# in_pty ENV-ARGS... -- CMD-ARGS...: run the command on a pty; sets OUT (the
# pty's text, CRs dropped) and RC (the command's exit status).
in_pty() {
	local envs=() cmd=""
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	cmd=$(printf '%q ' env "${envs[@]}" "$@")
	OUT=$(timeout -k 5 10 script -qec "$cmd; echo EXIT=\$?" /dev/null </dev/null 2>&1 | tr -d '\r')
	RC=$(sed -n 's/^EXIT=//p' <<<"$OUT")
}

for t in xterm-unknown dumb UNSET EMPTY; do
	case $t in
	UNSET) e=(-u TERM) want="TERM is not set" ;;
	EMPTY) e=(TERM=) want="TERM is not set" ;;
	dumb) e=(TERM=dumb) want="TERM=dumb cannot move the cursor); read a chapter with proflab lesson N" ;;
	*) e=(TERM=$t) want="TERM=$t: unknown terminal type" ;;
	esac
	for c in "present 2" "" "quiz 1"; do
		name="TERM $t: proflab ${c:-(the course)}"
		in_pty "${e[@]}" -- "$PROFLAB" $c
		expect_eq "$name: exit 2" "$RC" 2
		expect_contains "$name: own message" "$OUT" "cannot start the terminal interface ($want"
		expect_not_contains "$name: not ncurses' message" "$OUT" "Error opening terminal"
		lines=$(grep -vc '^EXIT=' <<<"$OUT")
		expect_eq "$name: one line" "$lines" 1
	done
done
