# tests/e2e/pprof_shell.sh - the interactive shell of `proflab pprof FILE`
# on a real terminal (tmux): reports, options, libedit history, quit; then
# a session typed into both go tool pprof and proflab, whose screens must
# be the same.
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
for i in $(seq 100); do
	[ "$(screen | grep -c "Showing top 2 nodes")" -ge 2 ] && break
	sleep 0.2
done
n=$(screen | grep -c "Showing top 2 nodes")
expect_eq "history (Up) repeats top 2" "$n" 2
# Reports in the shell have no header (as in pprof's); the totals tell
# inuse_space (bytes) from alloc_objects (a count).
first=$(screen | grep "Showing nodes accounting for" | sed -n 1p)
second=$(screen | grep "Showing nodes accounting for" | sed -n 2p)
if [ -n "$second" ] && [ "$first" != "$second" ]; then
	pass "top 2 again uses the new sample_index"
else
	fail "top 2 again uses the new sample_index" "$first" "$second"
fi
tmux -L "$SOCK" send-keys -t pp "list make_kept" Enter
if wait_for "ROUTINE ======================== make_kept"; then pass "list"; else fail "list" "$(screen | tail -10)"; fi
tmux -L "$SOCK" send-keys -t pp "help" Enter
if wait_for "o/options"; then pass "help"; else fail "help" "$(screen | tail -10)"; fi
tmux -L "$SOCK" send-keys -t pp "quit" Enter
if wait_for "SHELL-EXITED 0"; then pass "quit exits 0"; else fail "quit exits 0" "$(screen | tail -5)"; fi

# 2. The same session in go tool pprof's shell and in proflab's, on a Go
# CPU profile: every screen line must agree (the greeting, per-command
# arguments such as -cum and focus regexes, assignments and their errors,
# help on a command, o). tree, granularity=... and trim=false are left
# out: proflab does not have them and says so.
export HOME=$TMP PPROF_TMPDIR=$TMP GO111MODULE=off GOPATH=$TMP/gopath
if ! go build -o "$TMP/profgen" "$ROOT/tests/go/profgen.go" 2>"$TMP/build.err" ||
	! "$TMP/profgen" "$TMP" 1500ms 2>"$TMP/gen.err"; then
	fail "build and run the Go profile generator" "$(cat "$TMP/build.err" "$TMP/gen.err")"
	exit 1
fi
cat >session.txt <<'CMDS'
top -cum
top 3 -cum
top2 main
top 3 sortWords -hashLoop
top -flat
cum
cum=true
top 2
sort=flat
focus main
frobnicate
nosuch5
nodecount7
nodecount=abc
nodecount
nodefraction=x
sort=foo
trim
focus=sortWords
top 3
:
top 3
sample_index=nosuch
sample_index=0
top 2
cpu
top1
list
peek
peek hashLoop
list hashLoop
traces hashLoop
help top
help cum
help nodefraction
help sample_index
help nosuch
o
nodecount=3
nodefraction=0.5
edgefraction=1e-05
unit=ms
o
top >out.txt
top >
quit
CMDS
printf 'set -g history-limit 50000\n' >tmux.conf
prompts() { tmux -L "$SOCK" capture-pane -p -t "$1" -S - | grep -o '(pprof)' | wc -l; }
# typed_session NAME CMD...: runs CMD in tmux session NAME, types every
# line of session.txt after the prompt before it, and keeps the screen
# (all of it) in NAME.screen.
typed_session() {
	local name=$1 n=0 line i
	shift
	tmux -L "$SOCK" -f tmux.conf new-session -d -s "$name" -x 250 -y 50 \
		"cd '$TMP' && $*; echo SHELL-EXITED \$?; sleep 60"
	while IFS= read -r line; do
		n=$((n + 1))
		for i in $(seq 150); do
			[ "$(prompts "$name")" -ge "$n" ] && break
			sleep 0.1
		done
		tmux -L "$SOCK" send-keys -t "$name" -l "$line"
		tmux -L "$SOCK" send-keys -t "$name" Enter
	done <session.txt
	for i in $(seq 150); do
		tmux -L "$SOCK" capture-pane -p -t "$name" -S - | grep -q SHELL-EXITED && break
		sleep 0.1
	done
	tmux -L "$SOCK" capture-pane -p -t "$name" -S - | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$name.screen"
}
typed_session gosh go tool pprof -symbolize=none cpu.pb.gz
mv out.txt go-out.txt 2>/dev/null
typed_session plsh "'$PROFLAB'" pprof cpu.pb.gz
if ! grep -q "SHELL-EXITED 0" gosh.screen; then
	fail "go tool pprof's shell ran the session" "$(tail -5 gosh.screen)"
elif cmp -s gosh.screen plsh.screen; then
	pass "shell session: same screen as go tool pprof's ($(wc -l <plsh.screen) lines)"
else
	fail "shell session: same screen as go tool pprof's" "$(diff gosh.screen plsh.screen | head -30)"
fi
if [ -s go-out.txt ] && cmp -s go-out.txt out.txt; then
	pass "top >file writes the report to the file"
else
	fail "top >file writes the report to the file" "$(diff go-out.txt out.txt 2>&1 | head -10)"
fi
