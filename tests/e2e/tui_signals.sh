#!/usr/bin/env bash
# tests/e2e/tui_signals.sh - what the course TUI leaves behind when it is
# killed: the scroll position survives SIGTERM and Ctrl-C (saved as it
# changes and at a safe point after the signal), and the terminal is
# restored after a crash (SIGSEGV). Also the slides' big titles. Driven in
# tmux on a private socket; every wait polls with a timeout.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux_lib.sh"

# the first line of the main pane (right of the contents)
first_line() { screen | sed -n 2p | cut -c32-; }
tui_pid() {
	local i p
	for ((i = 0; i < 100; i++)); do
		p=$(pgrep -n -f "^$PROFLAB\$") && { echo "$p"; return 0; }
		sleep 0.1
	done
	return 1
}
position() { "$PROFLAB" progress --json | grep -o '"position": *"[^"]*"'; }
# wait_position NAME PATTERN: the saved position matches PATTERN (a glob).
wait_position() {
	local i p
	for ((i = 0; i < 100; i++)); do
		p=$(position)
		[[ $p == $2 ]] && { pass "$1"; return 0; }
		sleep 0.1
	done
	fail "$1" "position: $p" "want: $2"
}

"${TM[@]}" new-session -d -s t -x 120 -y 36 "env -u NO_COLOR TERM=screen-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 PROFLAB_HOME=$PROFLAB_HOME XDG_STATE_HOME=$XDG_STATE_HOME bash --norc --noprofile"
"${TM[@]}" set-option -t t remain-on-exit on >/dev/null
keys "ulimit -c 0; stty -g > $TMP/stty.before" Enter

# scroll into chapter 2, then SIGTERM without any other key
keys "clear; $PROFLAB; echo STATUS=\$?; stty -g > $TMP/stty.term" Enter
wait_for "signals: the course starts" "proflab  1. The profiling workflow"
keys j j j
wait_for "signals: on chapter 2" "proflab  2. CPU profiling"
keys Tab
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13; do keys j; done
sleep 0.3
keys d
sleep 0.3
before=$(first_line)
pid=$(tui_pid)
kill -TERM "$pid"
wait_for "signals: SIGTERM ends it (128+15)" "STATUS=143"
if cmp -s "$TMP/stty.before" "$TMP/stty.term"; then pass "signals: terminal restored after SIGTERM"; else fail "signals: terminal restored after SIGTERM"; fi
wait_position "signals: the scroll position was saved on SIGTERM" '*lesson:2:[1-9]*'

keys "clear; $PROFLAB; echo STATUS=\$?" Enter
wait_for "signals: resumes on chapter 2" "proflab  2. CPU profiling"
sleep 0.3
after=$(first_line)
expect_eq "signals: resumes at the same line after SIGTERM" "$after" "$before"

# Ctrl-C after scrolling further
keys G
wait_for "signals: scrolled to the end" "100%"
sleep 0.3
keys k k k
sleep 0.3
before=$(first_line)
pid=$(tui_pid)
keys C-c
# the next command line only once it is gone (bash would drop typeahead)
for ((i = 0; i < 200; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
sleep 0.3
keys "echo STATUS=\$?; stty -g > $TMP/stty.int" Enter
wait_for "signals: Ctrl-C ends it (128+2)" "STATUS=130"
if cmp -s "$TMP/stty.before" "$TMP/stty.int"; then pass "signals: terminal restored after Ctrl-C"; else fail "signals: terminal restored after Ctrl-C" "$(cat "$TMP/stty.before")" "$(cat "$TMP/stty.int")"; fi
keys "clear; $PROFLAB; echo STATUS=\$?" Enter
wait_for "signals: resumes on chapter 2 again" "proflab  2. CPU profiling"
sleep 0.3
expect_eq "signals: resumes at the same line after Ctrl-C" "$(first_line)" "$before"

# SIGKILL cannot be caught: the position saved as it changed (at most a
# second late) is what survives
keys g
sleep 0.3
keys Space
sleep 2.5
before=$(first_line)
pid=$(tui_pid)
kill -KILL "$pid"
sleep 0.5
# (the killed TUI could not restore the terminal: do it by hand, without
# reset(1), whose queries would be answered into the next program's input)
keys "stty \$(cat $TMP/stty.before); tput rmcup; clear; $PROFLAB; echo STATUS=\$?" Enter
wait_for "signals: starts again after SIGKILL" "proflab  2. CPU profiling"
sleep 0.3
expect_eq "signals: the position saved while scrolling survives SIGKILL" "$(first_line)" "$before"
keys q
wait_for "signals: q after SIGKILL" "STATUS=0"

# resuming without moving keeps the position: the course opens where it
# was left and leaves the progress store alone until the learner moves
# (before, showing the first page wrote chapter 1 over it)
keys "clear; $PROFLAB; echo STATUS=\$?" Enter
wait_for "resume: running" "proflab  "
keys Tab
for ((i = 0; i < 40; i++)); do on_screen "proflab  exercise 05-" && break; keys j; sleep 0.1; done
wait_for "resume: on exercise 05" "proflab  exercise 05-catalog-json"
keys q
wait_for "resume: q" "STATUS=0"
wait_position "resume: exercise 05 saved" '*exercise:05-catalog-json*'
resume_check() { # NAME: started again on exercise 05, the store unchanged
	wait_for "resume: $1: opens exercise 05" "proflab  exercise 05-catalog-json"
	sleep 0.5
	expect_eq "resume: $1: starting leaves the position alone" "$(position)" '"position": "exercise:05-catalog-json"'
}
keys "clear; $PROFLAB; echo STATUS=\$?" Enter
resume_check "q"
keys q
wait_for "resume: q at once" "STATUS=0"
expect_eq "resume: q at once keeps the position" "$(position)" '"position": "exercise:05-catalog-json"'
keys "clear; $PROFLAB" Enter
resume_check "Ctrl-C"
pid=$(tui_pid)
keys C-c
for ((i = 0; i < 200; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
sleep 0.3
expect_eq "resume: Ctrl-C at once keeps the position" "$(position)" '"position": "exercise:05-catalog-json"'
keys "clear; $PROFLAB" Enter
resume_check "Ctrl-Z"
pid=$(tui_pid)
keys C-z
wait_for "resume: Ctrl-Z stops it" "Stopped"
keys "clear; fg" Enter
wait_for "resume: fg brings it back" "proflab  exercise 05-catalog-json"
keys q
for ((i = 0; i < 200; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then fail "resume: q after fg"; else pass "resume: q after fg"; fi
expect_eq "resume: Ctrl-Z, fg, q keeps the position" "$(position)" '"position": "exercise:05-catalog-json"'
keys "clear; $PROFLAB; echo STATUS=\$?" Enter
resume_check "SIGKILL"
pid=$(tui_pid)
kill -KILL "$pid"
sleep 0.5
expect_eq "resume: SIGKILL at once keeps the position" "$(position)" '"position": "exercise:05-catalog-json"'
keys "stty \$(cat $TMP/stty.before); tput rmcup; clear; $PROFLAB; echo STATUS=\$?" Enter
wait_for "resume: opens exercise 05 after SIGKILL" "proflab  exercise 05-catalog-json"
keys q
wait_for "resume: the last q" "STATUS=0"

# Ctrl-C inside the quiz view and the flame view (their own key loops, where
# signals act at once): the keypad leaves application mode too
keypad() { "${TM[@]}" display -p -t t '#{keypad_cursor_flag}#{keypad_flag}'; }
prof=$PROFLAB_HOME/exercises/01-sales-report/profiles
mkdir -p "$prof"
cp "$ROOT/quizzes/profiles/01-sales-report.cpu.pb.gz" "$prof/cpu.pb.gz"
for view in quiz flame; do
	keys "clear; $PROFLAB" Enter
	wait_for "keypad: running for the $view view" "proflab  "
	keys Tab g
	want="proflab  quiz 1"
	[ $view = flame ] && want="proflab  exercise 01-sales-report"
	for ((i = 0; i < 40; i++)); do on_screen "$want" && break; keys j; sleep 0.1; done
	if [ $view = quiz ]; then keys Enter; wait_for "keypad: in the quiz" "question 1 of"; else keys f; wait_for "keypad: in the flame view" "Enter zoom"; fi
	expect_eq "keypad: application mode in the $view view" "$(keypad)" "11"
	pid=$(tui_pid)
	keys C-c
	for ((i = 0; i < 200; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	sleep 0.3
	expect_eq "keypad: normal mode after Ctrl-C in the $view view" "$(keypad)" "00"
	keys "stty -g > $TMP/stty.$view" Enter
	sleep 0.3
	if cmp -s "$TMP/stty.before" "$TMP/stty.$view"; then pass "keypad: terminal modes restored after Ctrl-C in the $view view"; else fail "keypad: terminal modes restored after Ctrl-C in the $view view"; fi
done

# a crash: SIGSEGV restores the terminal and dies of it
keys "clear; stty -g > $TMP/stty.before2; $PROFLAB; echo STATUS=\$?; stty -g > $TMP/stty.segv" Enter
wait_for "signals: running before the crash" "proflab  "
pid=$(tui_pid)
kill -SEGV "$pid"
wait_for "signals: SIGSEGV ends it (128+11)" "STATUS=139"
if cmp -s "$TMP/stty.before2" "$TMP/stty.segv"; then pass "signals: terminal modes restored after SIGSEGV"; else fail "signals: terminal modes restored after SIGSEGV" "$(cat "$TMP/stty.before2")" "$(cat "$TMP/stty.segv")"; fi
if screen | grep -qF "proflab  "; then fail "signals: alternate screen left after SIGSEGV" "$(screen)"; else pass "signals: alternate screen left after SIGSEGV"; fi

# slides: the title in the big block font, centred
keys "clear; $PROFLAB present 2; echo PRESENTED=\$?" Enter
wait_for "present: the big title (UTF-8 half blocks)" "▄▀▀ █▀▄ █ █   █▀▄ █▀▄ ▄▀▄"
row=$(screen | grep -m1 -F "▄▀▀ █▀▄ █ █")
lead=${row%%[! ]*}
trimmed=${row%"${row##*[! ]}"}
left=${#lead}
right=$(( 120 - ${#trimmed} ))
if (( left - right <= 1 && right - left <= 1 )); then pass "present: the big title is centred"; else fail "present: the big title is centred" "left $left right $right" "$row"; fi
if screen | grep -qF "╔"; then fail "present: no banner when the big title fits" "$(screen)"; else pass "present: no banner when the big title fits"; fi
keys q
wait_for "present: q quits" "PRESENTED=0"

# too narrow for the big title: the banner
"${TM[@]}" resize-window -t t -x 80 -y 24
keys "clear; $PROFLAB present 4; echo PRESENTED=\$?" Enter
wait_for "present: a long title falls back to the banner" "╔"
# the footer: the counter, the whole "more below" cue and the key hint,
# the title shortened at a word to fit between them
keys Space Space
wait_re "present: 80x24 footer keeps the cue and the hint whole" \
	"^ 3/[0-9]+  \(j: more below\)  Profiling in production:… +Space/arrows move  q quit *$"
# Ctrl-H goes back like Backspace (many terminals send it for Backspace)
keys C-h
wait_re "present: Ctrl-H goes back a slide" "^ 2/[0-9]+  "
keys BSpace
wait_re "present: Backspace goes back a slide" "^ 1/[0-9]+  "
keys Space Space
wait_re "present: on slide 3 again" "^ 3/[0-9]+  "
# narrower: the counter always shows; the rest is shortened or left out,
# never cut in the middle of a word
for w in 40 30 20 12 6; do
	"${TM[@]}" resize-window -t t -x "$w" -y 24
	wait_re "present: ${w} columns: the counter shows and nothing is cut" \
		"^ 3/[0-9]+(  \(j: more( below)?\))?( +q quit)? *$"
done
"${TM[@]}" resize-window -t t -x 80 -y 24
keys q
wait_for "present: q quits the narrow one" "PRESENTED=0"

# no UTF-8: the big title in '#'. The shell must see the new size before
# present starts (the resizes above can still be on their way).
"${TM[@]}" resize-window -t t -x 120 -y 36
for ((i = 0; i < 40; i++)); do
	keys "clear; stty size" Enter
	sleep 0.5
	on_screen "36 120" && break
done
if on_screen "36 120"; then pass "present: the terminal is 120x36 again"; else fail "present: the terminal is 120x36 again" "$(screen)"; fi
keys "clear; LANG=C LC_ALL=C $PROFLAB present 2; echo PRESENTED=\$?" Enter
wait_for "present: ASCII big title without UTF-8" " ## ##  # #   ##  ##   #  ###"
if screen | grep -q "[▀▄█]"; then fail "present: no block characters without UTF-8" "$(screen)"; else pass "present: no block characters without UTF-8"; fi
keys q
wait_for "present: q quits the ASCII one" "PRESENTED=0"
