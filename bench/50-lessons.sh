#!/usr/bin/env bash
# bench/50-lessons.sh - the course's reading speed: time from start to the
# first screen of the TUI (target <= 50 ms) and the time to lay out the
# largest chapter (target <= 5 ms), next to less(1) showing the same file.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
P=$PWD/$BUILD/proflab
N=20
TMPD=$(mktemp -d)
SOCK=proflab-bench-$$
trap 'tmux -L "$SOCK" kill-server 2>/dev/null; rm -rf "$TMPD"' EXIT
command -v tmux >/dev/null || { echo "tmux missing" >&2; exit 1; }
largest=$(ls -S lessons/*.md | head -1)
num=$(basename "$largest" | sed 's/-.*//; s/^0*//')

# mean ms of N runs of a command inside a tmux pane (a real terminal)
in_tty() {
	local i
	tmux -L "$SOCK" -f /dev/null new-session -d -s b -x 120 -y 40 "bash --norc --noprofile"
	tmux -L "$SOCK" send-keys -t b "for i in \$(seq $N); do s=\$(date +%s%N); $1; e=\$(date +%s%N); echo \$(( (e - s) / 1000 )) >> $TMPD/$2; done; echo done > $TMPD/$2.done" Enter
	for i in $(seq 600); do [ -f "$TMPD/$2.done" ] && break; sleep 0.1; done
	tmux -L "$SOCK" kill-server 2>/dev/null
	awk '{ s += $1 } END { if (NR) printf "%.1f", s / NR / 1000; else print "n/a" }' "$TMPD/$2"
}
# like in_tty, but for a command that waits for a key: drawing then 'q'
startup=$(in_tty "env PROFLAB_TUI_EXIT_AFTER_DRAW=1 PROFLAB_HOME=$TMPD/h XDG_STATE_HOME=$TMPD/s $P" tui)
present=$(in_tty "env PROFLAB_TUI_EXIT_AFTER_DRAW=1 $P present $num" present)
less_ms=$(in_tty "less -E +G $largest" less)

t0=$(date +%s%N)
for i in $(seq $N); do "$P" lesson "$num" --plain >/dev/null; done
t1=$(date +%s%N)
for i in $(seq $N); do "$P" --version >/dev/null; done
t2=$(date +%s%N)
full=$(awk -v a="$t0" -v b="$t1" -v n=$N 'BEGIN { printf "%.2f", (b - a) / n / 1e6 }')
bare=$(awk -v a="$t1" -v b="$t2" -v n=$N 'BEGIN { printf "%.2f", (b - a) / n / 1e6 }')
layout=$(awk -v f="$full" -v b="$bare" 'BEGIN { d = f - b; if (d < 0) d = 0; printf "%.2f", d }')

cat <<MD
## Lessons and the course TUI (issue 7)

Mean of $N runs each, wall clock, in a 120x40 tmux pane. The largest
chapter is $(basename "$largest") ($(wc -c <"$largest") bytes).

| measure | target | proflab | peer |
| --- | --- | --- | --- |
| start to first screen of \`proflab\` (TUI) | <= 50 ms | $startup ms | \`less\` on the chapter: $less_ms ms |
| start to first slide of \`proflab present $num\` | | $present ms | |
| \`proflab lesson $num --plain\` (whole process) | | $full ms | |
| layout of the largest chapter (lesson minus \`proflab --version\`) | <= 5 ms | $layout ms | |
MD
