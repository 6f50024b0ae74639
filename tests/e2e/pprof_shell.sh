# tests/e2e/pprof_shell.sh - the interactive shell of `proflab pprof FILE`
# on a real terminal (tmux): reports, options, libedit history, quit.
source "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1
PROG=$BUILD/tests/progs/heap_known
SOCK=proflab-pprof-$$
trap 'tmux -L "$SOCK" kill-server 2>/dev/null; rm -rf "$TMP"' EXIT

run "$PROFLAB" record -memprofile heap.pb.gz -memprofilerate 1 -- "$PROG"
if [ "$RC" -ne 0 ] || [ ! -s heap.pb.gz ]; then
	fail "record a heap profile for the shell" "exit $RC" "${ERR:0:300}"
	exit 1
fi

screen() { tmux -L "$SOCK" capture-pane -p -t pp -S -200; }
# wait_for TEXT: up to 20 s for TEXT to appear on the screen.
wait_for() {
	local i
	for i in $(seq 100); do
		screen | grep -qF -- "$1" && return 0
		sleep 0.2
	done
	return 1
}

tmux -L "$SOCK" new-session -d -s pp -x 160 -y 60 "cd '$TMP' && '$PROFLAB' pprof heap.pb.gz; echo SHELL-EXITED \$?; sleep 30"
if wait_for "(pprof)"; then pass "shell starts with a (pprof) prompt"; else fail "shell starts with a (pprof) prompt" "$(screen | tail -5)"; fi
tmux -L "$SOCK" send-keys -t pp "top 2" Enter
if wait_for "Showing top 2 nodes out of"; then pass "top 2"; else fail "top 2" "$(screen | tail -10)"; fi
tmux -L "$SOCK" send-keys -t pp "sample_index=alloc_objects" Enter
tmux -L "$SOCK" send-keys -t pp Up Up Enter
if wait_for "Type: alloc_objects"; then pass "history (Up) repeats top 2 with the new sample_index"; else fail "history (Up) repeats top 2 with the new sample_index" "$(screen | tail -15)"; fi
n=$(screen | grep -c "Showing top 2 nodes")
expect_eq "top 2 ran twice" "$n" 2
tmux -L "$SOCK" send-keys -t pp "list make_kept" Enter
if wait_for "ROUTINE ======================== make_kept"; then pass "list"; else fail "list" "$(screen | tail -10)"; fi
tmux -L "$SOCK" send-keys -t pp "help" Enter
if wait_for "sample_index=NAME"; then pass "help"; else fail "help" "$(screen | tail -10)"; fi
tmux -L "$SOCK" send-keys -t pp "quit" Enter
if wait_for "SHELL-EXITED 0"; then pass "quit exits 0"; else fail "quit exits 0" "$(screen | tail -5)"; fi
