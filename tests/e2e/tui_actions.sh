#!/usr/bin/env bash
# tests/e2e/tui_actions.sh - the course TUI's actions on a real exercise
# (01-sales-report, a few seconds per run), driven in a real terminal: run
# with its progress display, top, list, the flame view, check, the editor
# ($EDITOR is a script), and taking a quiz from the contents. tmux on a
# private socket; every wait polls the screen with a generous timeout.
. "$(dirname "$0")/lib.sh"
FAST_FAIL=1
. "$(dirname "$0")/tmux_lib.sh"

EX=01-sales-report
SRC=$PROFLAB_HOME/exercises/$EX/report.c
# The editor: records the terminal modes it was given, appends a comment
# to the file it is asked to edit, and exits.
cat >"$TMP/editor.sh" <<EOF
#!/bin/sh
stty -g > "$TMP/stty.editor"
printf '/* edited from the course */\n' >> "\$1"
echo "\$1" > "$TMP/edited"
EOF
chmod +x "$TMP/editor.sh"

"${TM[@]}" new-session -d -s t -x 120 -y 40 "env -u NO_COLOR -u VISUAL TERM=screen-256color EDITOR=$TMP/editor.sh PROFLAB_HOME=$PROFLAB_HOME XDG_STATE_HOME=$XDG_STATE_HOME bash --norc --noprofile"
"${TM[@]}" set-option -t t remain-on-exit on >/dev/null
keys "stty -g > $TMP/stty.before; clear; $PROFLAB; echo EXITED=\$?; stty -g > $TMP/stty.after" Enter
wait_for "actions: the course starts" "1. The profiling workflow"

# the exercise page, from the contents
keys j
wait_for "actions: the exercise page" "Keys: r run"

# no profile yet: t and f say to run first
keys t
wait_for "actions: t before a run asks for one" "No profile yet"

# r: a progress display while it builds and runs, then the top table
keys r
wait_re "actions: r shows progress while it runs" "(building|running).* [0-9]+\.[0-9] s" 60
wait_for "actions: r finishes" "Finished in" 120
wait_for "actions: r shows the top table" "flat  flat%   sum%"
wait_for "actions: the hot function is in top" "is_lucky_receipt"
wait_for "actions: the status says it finished" "run finished"
if [ -f "$PROFLAB_HOME/exercises/$EX/profiles/cpu.pb.gz" ]; then pass "actions: r wrote the CPU profile"; else fail "actions: r wrote the CPU profile"; fi

# l: the annotated source of the hottest function
keys l
wait_for "actions: l shows the annotated source" "ROUTINE ======================== is_lucky_receipt"
wait_re "actions: l shows source lines with their time" "[0-9.]+m?s +[0-9.]+m?s +[0-9]+: .*receipt % d"
# t: top again
keys t
wait_for "actions: t shows top" "Showing nodes accounting for"
wait_for "actions: t says whose profile it is" "top of your last run's profile"
wait_gone "actions: t replaces the list" "ROUTINE ====="

# f: the flame view, q back to the course
keys f
wait_for "actions: f opens the flame view" "Enter zoom"
wait_for "actions: the flame view shows the hot frame" "is_lucky_receipt"
# a resize while the flame view is open: the page is laid out for the new
# width once it is left (at 150 columns the keys fit on one line)
"${TM[@]}" resize-window -t t -x 150 -y 40
wait_re "actions: the flame view follows the resize" "Enter zoom, Esc back, / search, q quit\]"
keys q
wait_gone "actions: q leaves the flame view" "Enter zoom"
wait_for "actions: back on the exercise page" "proflab  exercise $EX"
wait_for "actions: the page is drawn again" "Keys: r run"
wait_for "actions: the page is laid out for the new width" "h next hint · t top · l list · f flame graph"
"${TM[@]}" resize-window -t t -x 120 -y 40
wait_re "actions: and again after the resize back" "│flame graph *$"

# c: check the pristine program: it fails, with measured and wanted values
keys c
wait_re "actions: c shows progress" "running (your version|the pristine program).* s" 60
wait_for "actions: c finishes" "Check: not yet" 180
wait_for "actions: c shows the criteria table" "│ measured"
wait_for "actions: c shows the wanted column" "wanted"
wait_re "actions: a CPU criterion is measured and fails" "samples in is_lucky_receipt.*│ *[0-9]+ *│ <= [0-9]+ \(0\.05 x pristine [0-9]+\) *│ fail"
wait_for "actions: the status says it did not pass" "not passed yet"
wait_for "actions: the contents marks the failure" "✗ exercise $EX"
wait_for "actions: the page shows the status" "status: failed"
# t after a check: the newest profile is the check's run of the learner's
# version, not the older run's
keys t
wait_for "actions: t after a check shows the check's profile" "top of your last check's profile"
wait_for "actions: the check's profile file" "/profiles/check-cpu.pb.gz"

# e: the editor gets a terminal in its normal modes, curses comes back
sum_before=$(md5sum <"$SRC")
keys e
wait_for "actions: e returns to the course" "press c to check it"
wait_for "actions: the page is redrawn after the editor" "Keys: r run"
wait_for "actions: the contents is redrawn after the editor" "2 CPU profiling"
if [ "$(cat "$TMP/edited" 2>/dev/null)" = "$SRC" ]; then pass "actions: the editor got the learner's copy"; else fail "actions: the editor got the learner's copy" "got: $(cat "$TMP/edited" 2>/dev/null)" "want: $SRC"; fi
if [ "$(md5sum <"$SRC")" != "$sum_before" ] && tail -n1 "$SRC" | grep -qF "edited from the course"; then pass "actions: the learner's file changed"; else fail "actions: the learner's file changed"; fi
if cmp -s "$TMP/stty.before" "$TMP/stty.editor"; then pass "actions: the editor runs in the shell's terminal modes"; else fail "actions: the editor runs in the shell's terminal modes" "$(cat "$TMP/stty.before")" "$(cat "$TMP/stty.editor" 2>/dev/null)"; fi
keys c
wait_for "actions: the edited copy can be checked" "Check: not yet" 180
wait_for "actions: status is modified then failed" "status: failed"

# a quiz, from its contents entry (the contents still has the focus): the
# first question is an ordering
keys j
wait_for "actions: the quiz page" "Press Enter to take it"
keys Enter
wait_for "actions: Enter in the contents takes the quiz" "correct order of the steps"
keys Enter
wait_for "actions: a wrong answer says so" "Wrong. The answer: c,d,a,b"
wait_for "actions: the explanation follows" "First collect data"
keys q
wait_for "actions: q leaves the quiz" "proflab  quiz 1"
wait_for "actions: back on the quiz page" "Press Enter to take it"

# the whole quiz: one wrong, five right; the score is recorded
keys Enter
wait_for "actions: Enter on the page takes the quiz" "correct order of the steps"
keys Enter
wait_for "actions: feedback on question 1" "Wrong."
keys x
wait_for "actions: question 2" "Why does the workflow start"
keys b Enter
wait_for "actions: right answer" "Right!"
keys x
wait_for "actions: question 3, a text answer" "flag writes a CPU profile"
keys -l -- "-cpuprofile"
keys Enter
wait_for "actions: text answer right" "Right!"
keys x
wait_for "actions: question 4" "lists the functions that consumed the most"
keys -l "top"
keys Enter
wait_for "actions: question 4 right" "Right!"
keys x
wait_for "actions: question 5 (multiple)" "question 5 of 6"
keys d b a Enter
wait_for "actions: question 5 right" "Right!"
keys x
wait_for "actions: question 6" "question 6 of 6"
keys b Enter
wait_for "actions: question 6 right" "Right!"
keys x
wait_for "actions: the summary shows the score" "Your score: 5/6"
keys q
wait_for "actions: finishing returns to the course" "quiz finished: 5/6"
wait_for "actions: the contents shows the best score" "quiz 5/6"
run "$PROFLAB" quiz
expect_contains "actions: the score is recorded" "$OUT" "5/6"

keys q
wait_for "actions: q quits with status 0" "EXITED=0"
if cmp -s "$TMP/stty.before" "$TMP/stty.after"; then pass "actions: terminal modes restored"; else fail "actions: terminal modes restored"; fi
if on_screen "proflab  "; then fail "actions: alternate screen left" "$(screen)"; else pass "actions: alternate screen left"; fi
