#!/usr/bin/env bash
# tests/e2e/tui.sh - the course TUI and the slides, driven in a real
# terminal: tmux on a private socket (send-keys, capture-pane). Every wait
# polls the screen for the expected text with a timeout.
. "$(dirname "$0")/lib.sh"
WAIT_SECONDS=15
. "$(dirname "$0")/tmux_lib.sh"

# start: a shell in the pane, so that we can see what is left after quitting
"${TM[@]}" new-session -d -s t -x 120 -y 36 "env -u NO_COLOR TERM=screen-256color PROFLAB_HOME=$PROFLAB_HOME XDG_STATE_HOME=$XDG_STATE_HOME bash --norc --noprofile"
"${TM[@]}" set-option -t t remain-on-exit on >/dev/null
keys "stty -g > $TMP/stty.before; clear; $PROFLAB; echo EXITED=\$?; stty -g > $TMP/stty.after" Enter

wait_for "tui: starts on chapter 1" "1. The profiling workflow"
wait_for "tui: contents lists the chapters" "Common findings and fixes"
wait_for "tui: contents lists a quiz" "quiz"
wait_for "tui: contents lists an exercise" "exercise 01-"
# chapter 6 introduces exercises 04-08 in its prose: they sit under it,
# before its quiz, not after the last quiz
contents=$(screen | cut -c1-30 | sed -n '/6 Common findings/,/quiz/p' | sed 's/ *$//')
expect_eq "tui: chapter 6's exercises sit under it, before its quiz" "$contents" " 6 Common findings and fixes
     exercise 04-csv-export
     exercise 05-catalog-json
     exercise 06-hit-counter
     exercise 07-order-pool
     exercise 08-metrics-forma
     quiz"

# navigate the contents: j moves to the next item and opens it
keys j
wait_for "tui: j opens the first exercise" "proflab  exercise 01-"
keys k
wait_for "tui: k back to the chapter" "proflab  1. The profiling workflow"

# the page: Tab focuses it, G goes to the end (100%), g back to the top
keys Tab G
wait_for "tui: G scrolls to the end" "100%"
keys g
wait_gone "tui: g back to the top" "100%"

# search with / and n
keys / "re-measure" Enter
wait_for "tui: search finds text" "/re-measure"
keys n
wait_for "tui: n searches again" "/re-measure"
keys / "no-such-text-anywhere" Enter
wait_for "tui: search reports a miss" "Pattern not found"

# help overlay
keys '?'
wait_for "tui: ? shows the help" "this help"
wait_for "tui: the help's lines are whole" "q  quit (you resume here next time)"
wait_for "tui: the help's widest line is whole" "move in the contents / scroll the page a line"
wait_for "tui: the help lists d and u" "half a page down / up"
wait_for "tui: the help lists Esc and Left" "Esc Left"
"${TM[@]}" resize-window -t t -x 80 -y 24
wait_for "tui: the help fits 80x24 (top)" "Keys"
wait_for "tui: the help fits 80x24 (bottom)" "q  quit (you resume here next time)"
"${TM[@]}" resize-window -t t -x 120 -y 36
keys x
wait_gone "tui: any key closes the help" "this help"

# resize below the minimum and back
"${TM[@]}" resize-window -t t -x 70 -y 20
wait_for "tui: too small says so" "Too small: 70x20. proflab needs 80x24. Enlarge the window or"
# very small: the message wraps between words and every word is there
"${TM[@]}" resize-window -t t -x 20 -y 5
wait_for "tui: 20x5: the size" "Too small: 20x5."
wait_for "tui: 20x5: what is needed" "proflab needs 80x24."
wait_for "tui: 20x5: what to do" "Enlarge the window"
wait_for "tui: 20x5: the way out" "or press q."
"${TM[@]}" resize-window -t t -x 130 -y 40
wait_for "tui: back to normal after resize" "proflab  1. The profiling workflow"

# open an exercise and read a hint (the same code as proflab hint)
keys Tab j
wait_for "tui: exercise page" "Keys: r run"
keys h
wait_for "tui: h shows a hint" "Hint 1 of"
# an action's result is scrolled into view, with a word on the status line
# (at 100x30 the exercise page is longer than the pane)
"${TM[@]}" resize-window -t t -x 100 -y 30
wait_re "tui: laid out again at 100x30" "exercise 01-sales-report +[0-9]+%"
keys Tab G
wait_for "tui: at the end of the exercise page" "100%"
keys h
wait_for "tui: h at the end jumps to the new hint" "Hint 2 of 3"
wait_for "tui: h says which hint on the status line" "hint 2 of 3"
keys l
wait_for "tui: l without a profile says so on the page" "No profile yet"
wait_for "tui: and on the status line" "no profile yet: press r"
keys G h
wait_for "tui: h after l and G is on screen (not past the end)" "Hint 3 of 3"
wait_for "tui: the last hint says so" "hint 3 of 3 (the last one)"
keys Tab
"${TM[@]}" resize-window -t t -x 130 -y 40

# chapter 1 read to its end gets its mark in the contents
keys k Tab G
wait_for "tui: a chapter read to the end is marked" "✓1 The profiling workflow"
# move on to chapter 2 and remember where we are
keys Tab j j j
wait_for "tui: on chapter 2" "proflab  2. CPU profiling"
keys Tab
keys q
wait_for "tui: q quits with status 0" "EXITED=0"
if screen | grep -q "proflab  "; then fail "tui: alternate screen left" "$(screen)"; else pass "tui: alternate screen left"; fi
if cmp -s "$TMP/stty.before" "$TMP/stty.after"; then pass "tui: terminal modes restored"; else fail "tui: terminal modes restored" "$(cat "$TMP/stty.before")" "$(cat "$TMP/stty.after")"; fi
run "$PROFLAB" progress --json
expect_contains "tui: position saved" "$OUT" '"position"'

# resume: starts where it was left
keys "clear; $PROFLAB; echo EXITED=\$?; stty -g > $TMP/stty.after2" Enter
wait_for "tui: resumes where the learner left off" "proflab  2. CPU profiling"
keys q
wait_for "tui: second quit" "EXITED=0"

# a locale without UTF-8: the text is transliterated to ASCII (the dash and
# the dots of the exercise page's header, the chapter's arrows), never
# passed through as bytes that curses shows as ~@ escapes
keys "clear; LANG=C LC_ALL=C $PROFLAB; echo EXITED=\$?" Enter
wait_for "ascii: starts" "proflab  2. CPU profiling"
keys Tab
for ((i = 0; i < 10; i++)); do on_screen "proflab  exercise 02-" && break; keys j; sleep 0.1; done
wait_for "ascii: the exercise page" "Keys: r run - e edit the source - c check the fix"
wait_re "ascii: the em dash becomes --" "An access-log analyser with a quadratic lookup -- status"
if screen | grep -qE '~@|M-'; then fail "ascii: no escaped bytes on screen" "$(screen)"; else pass "ascii: no escaped bytes on screen"; fi
if screen | LC_ALL=C grep -q $'[\x80-\xff]'; then fail "ascii: nothing but ASCII on screen" "$(screen)"; else pass "ascii: nothing but ASCII on screen"; fi
keys k
wait_for "ascii: back on chapter 2" "proflab  2. CPU profiling"
keys q
wait_for "ascii: quits" "EXITED=0"

# SIGTERM restores the terminal and the process dies of it
keys "clear; $PROFLAB; echo STATUS=\$?; stty -g > $TMP/stty.after3" Enter
wait_for "tui: running again" "proflab  "
pid=$(pgrep -n -f "^$PROFLAB\$" || true)
if [ -n "$pid" ]; then kill -TERM "$pid"; fi
wait_for "tui: SIGTERM ends it (128+15)" "STATUS=143"
if cmp -s "$TMP/stty.before" "$TMP/stty.after3"; then pass "tui: terminal restored after SIGTERM"; else fail "tui: terminal restored after SIGTERM"; fi

# Ctrl-C
# (bash drops the rest of a command line whose program died of SIGINT, so
# the status is asked for in a new one)
keys "clear; $PROFLAB" Enter
wait_for "tui: running for Ctrl-C" "proflab  "
keys C-c
sleep 0.5
keys "echo STATUS=\$?; stty -g > $TMP/stty.after4" Enter
wait_for "tui: Ctrl-C ends it (128+2)" "STATUS=130"
if cmp -s "$TMP/stty.before" "$TMP/stty.after4"; then pass "tui: terminal restored after Ctrl-C"; else fail "tui: terminal restored after Ctrl-C"; fi

# slides
keys "clear; $PROFLAB present 2; echo PRESENTED=\$?" Enter
wait_for "present: first slide shows the chapter title" "CPU profiling"
wait_for "present: slide counter" "1/"
keys Space
wait_for "present: Space goes to the next slide" "2/"
keys Left
wait_for "present: Left goes back" "1/"
keys q
wait_for "present: q quits" "PRESENTED=0"

run "$PROFLAB" present 2
expect_rc "present: refuses without a terminal" 2
run "$PROFLAB" present 99
expect_rc "present: unknown chapter is a usage error" 2
