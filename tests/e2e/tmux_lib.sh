# tests/e2e/tmux_lib.sh - driving the course in a real terminal: tmux on a
# private socket (send-keys, capture-pane), for the TUI scripts. Source it
# after lib.sh; the session is then started with "${TM[@]}" new-session
# -d -s t .... Every wait polls the screen with a timeout.
#
# WAIT_SECONDS: the waits' default timeout (20). FAST_FAIL=1: once a wait
# has failed, later waits get 2 s, since the screen is usually somewhere
# else by then and a broken build should fail fast.
WAIT_SECONDS=${WAIT_SECONDS:-20}
FAST_FAIL=${FAST_FAIL:-0}
BROKEN=0

SOCK=proflab-$(basename "$0" .sh)-$$
TM=(tmux -L "$SOCK" -f /dev/null)
cleanup() { "${TM[@]}" kill-server 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
unset NO_COLOR

screen() { "${TM[@]}" capture-pane -p -t t 2>/dev/null; }
on_screen() { screen | grep -qF -- "$1"; }
keys() { "${TM[@]}" send-keys -t t "$@"; }

# screen_wait NAME WANT SECONDS GREP-ARGS...: passes once grep on the
# screen exits with WANT (0: found, 1: gone); else fails with the screen.
screen_wait() {
	local name=$1 want=$2 secs=$3 i limit
	shift 3
	limit=$((secs * 10))
	[ "$FAST_FAIL" = 1 ] && [ "$BROKEN" = 1 ] && limit=20
	for ((i = 0; i < limit; i++)); do
		screen | grep -q "$@"
		[ $? -eq "$want" ] && { pass "$name"; return 0; }
		sleep 0.1
	done
	BROKEN=1
	return 1
}
# wait_for NAME TEXT [SECONDS]: passes when TEXT appears on the screen.
wait_for() {
	screen_wait "$1" 0 "${3:-$WAIT_SECONDS}" -F -- "$2" && return 0
	fail "$1" "not on screen after ${3:-$WAIT_SECONDS}s: $2" "$(screen)"
	return 1
}
# wait_re NAME REGEX [SECONDS]: the same with an extended regex.
wait_re() {
	screen_wait "$1" 0 "${3:-$WAIT_SECONDS}" -E -- "$2" && return 0
	fail "$1" "not on screen after ${3:-$WAIT_SECONDS}s: /$2/" "$(screen)"
	return 1
}
# wait_gone NAME TEXT [SECONDS]: passes when TEXT has left the screen.
wait_gone() {
	screen_wait "$1" 1 "${3:-$WAIT_SECONDS}" -F -- "$2" && return 0
	fail "$1" "still on screen: $2" "$(screen)"
	return 1
}
