# quiz_tmux.sh - a quiz taken on a real terminal: `proflab quiz 1` in tmux,
# answered with keypresses (letters, arrows, reordering, typing), checking
# the feedback, the explanation, the final score and the retry.
. "$(dirname "$0")/lib.sh"
SOCK=proflab-quiz-$$
T="tmux -L $SOCK"
trap '$T kill-server 2>/dev/null; rm -rf "$TMP"' EXIT

S=q
screen() { $T capture-pane -p -t "$S"; }
# wait_for NAME TEXT: poll the screen for TEXT (up to 20 s); PASS/FAIL.
wait_for() {
	local i
	for i in $(seq 1 100); do
		if screen | grep -qF -- "$2"; then pass "$1"; return 0; fi
		sleep 0.2
	done
	fail "$1" "not on screen: $2" "$(screen)"
	return 1
}
# wait_re NAME REGEX: the same with an extended regular expression.
wait_re() {
	local i
	for i in $(seq 1 100); do
		if screen | grep -qE -- "$2"; then pass "$1"; return 0; fi
		sleep 0.2
	done
	fail "$1" "not on screen: /$2/" "$(screen)"
	return 1
}
keys() { $T send-keys -t "$S" "$@"; sleep 0.3; }

$T -f /dev/null new-session -d -s q -x 100 -y 32 \
	"env XDG_STATE_HOME='$XDG_STATE_HOME' PROFLAB_HOME='$PROFLAB_HOME' TERM=screen '$PROFLAB' quiz 1; echo EXIT=\$?; sleep 30"

# 1: order c,d,a,b from a,b,c,d: move c to the top, then d under it.
wait_for "question 1 shown" "question 1 of 6"
wait_for "order choices shown" "1. a) Identify the hottest functions"
keys Down Down Space Up Up Space
wait_for "c moved to the top" "1. c) Collect a profile"
keys Down Down Down Space Up Up Space
wait_for "d moved second" "2. d) Analyse it with go tool pprof"
keys Enter
wait_for "order right" "Right!"
wait_for "order explanation" "First collect data"
keys Space

# 2: single choice, answered wrong with a letter key.
wait_for "question 2 shown" "question 2 of 6"
# a choice longer than the line wraps under its text (hanging indent)
wait_for "long choice wrapped, not cut" "    b) Because guesses about where a program spends its time are often wrong, and a profile"
wait_for "long choice continues indented" "       measures it"
keys a Enter
wait_for "wrong answer flagged with the right one" "Wrong. The answer: b) Because guesses"
wait_for "explanation after a wrong answer" "Never optimise without data."
# a resize redraws the explanation; the mouse wheel is no key
$T resize-window -t "$S" -x 90 -y 30
sleep 0.5
wait_for "a resize keeps the explanation" "Never optimise without data."
wait_for "a resize stays on question 2" "question 2 of 6"
keys -l $'\033[M`!!'
keys -l $'\033[M !!'
wait_for "a mouse event keeps the explanation" "Never optimise without data."
wait_for "a mouse event stays on question 2" "question 2 of 6"
$T resize-window -t "$S" -x 100 -y 32
sleep 0.5
keys Space

# 3, 4: typed text answers.
wait_for "question 3 shown" "question 3 of 6"
keys -l -- "-cpuprofile"
keys Enter
wait_for "text answer right" "Right!"
keys Space
wait_for "question 4 shown" "question 4 of 6"
keys -l "TOP"
keys BSpace BSpace BSpace
keys -l "top"
keys Enter
wait_for "text answer after erasing right" "Right!"
keys Space

# 5: multiple choice, letters toggled (b twice: off again, then on).
wait_for "question 5 shown" "question 5 of 6"
keys a b b d
wait_for "boxes ticked" "[x] d)"
keys b Enter
wait_for "multiple right" "Right!"
keys Space

# 6: single choice with the arrows.
wait_for "question 6 shown" "question 6 of 6"
keys Down Enter
wait_for "single by arrows right" "Right!"
keys Space

wait_for "final score" "Your score: 5/6 (83%)"
wait_for "missed count" "1 question still missed."
keys r
wait_for "retry asks the missed question" "question 2 of 6 (retry)"
keys b Enter
wait_for "retry right" "Right!"
keys Space
wait_for "retry summary" "Retry: 1 of 1 right this time."
wait_for "all right now" "Every question answered right."
keys q
wait_for "score printed after leaving" "score: 5/6"
wait_for "exit 0 at 83%" "EXIT=0"

run "$PROFLAB" progress --json
if python3 -c '
import json, sys
q = json.loads(sys.argv[1])["quizzes"]
assert [(x["chapter"], x["best"], x["total"], x["attempts"]) for x in q] == [(1, 5, 6, 1)], q
' "$OUT"; then pass "first pass recorded, retry not"; else fail "first pass recorded, retry not" "$OUT"; fi

# Leaving early records nothing and exits 1. (A second session is made
# before the first goes, so the tmux server stays up.)
$T new-session -d -s q2 -x 100 -y 32 \
	"env XDG_STATE_HOME='$XDG_STATE_HOME' PROFLAB_HOME='$PROFLAB_HOME' TERM=screen '$PROFLAB' quiz 3; echo EXIT=\$?; sleep 30"
$T kill-session -t q
S=q2
wait_for "quiz 3 shown" "question 1 of 6"
keys q
wait_for "left early message" "quiz left before the end"
wait_for "left early exits 1" "EXIT=1"
run "$PROFLAB" progress --json
expect_not_contains "leaving early recorded nothing" "$OUT" '"chapter": 3'

# A profile question's choices are function names from the profile, not
# Markdown: their underscores stay.
$T new-session -d -s q3 -x 100 -y 32 \
	"env XDG_STATE_HOME='$XDG_STATE_HOME' PROFLAB_HOME='$PROFLAB_HOME' TERM=screen '$PROFLAB' quiz 5; echo EXIT=\$?; sleep 30"
$T kill-session -t q2
S=q3
wait_for "quiz 5 shown" "question 1 of 6"
keys Enter
keys Space
keys Enter
keys Space
keys Enter
keys Space
wait_for "quiz 5 question 4" "question 4 of 6"
keys 1 0 0 Enter
keys Space
wait_for "quiz 5 question 5" "question 5 of 6"
keys a Enter
keys Space
wait_for "quiz 5 question 6 (from a profile)" "question 6 of 6"
wait_for "profile choice keeps its underscores" "a) __strcmp_avx2"
keys b Enter
wait_for "the answer keeps its underscores" "The answer: a) __strcmp_avx2"

# The same question from the learner's own profile, whose hottest function
# is named like Markdown emphasis: shown as named, not as bold "spin".
cat >"$TMP/spin.c" <<'C'
#include <stdio.h>
static volatile unsigned long sink;
__attribute__((noinline)) void __spin__(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		sink = sink * 31 + i;
}
__attribute__((noinline)) void warm(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		sink = sink * 7 + i;
}
int main(void)
{
	__spin__(300000000);
	warm(100000000);
	printf("%lu\n", sink);
	return 0;
}
C
prof=$PROFLAB_HOME/exercises/02-log-clients/profiles
mkdir -p "$prof"
if cc -O2 -g -fno-omit-frame-pointer -o "$TMP/spin" "$TMP/spin.c" &&
	(cd "$TMP" && "$PROFLAB" record -cpuprofile "$prof/cpu.pb.gz" -hz 250 -- ./spin >/dev/null); then
	pass "a profile with __spin__ recorded"
else
	fail "a profile with __spin__ recorded"
fi
$T new-session -d -s q4 -x 100 -y 32 \
	"env XDG_STATE_HOME='$XDG_STATE_HOME' PROFLAB_HOME='$PROFLAB_HOME' TERM=screen '$PROFLAB' quiz 5; echo EXIT=\$?; sleep 30"
$T kill-session -t q3
S=q4
wait_for "quiz 5 again" "question 1 of 6"
keys Enter
keys Space
keys Enter
keys Space
keys Enter
keys Space
keys 1 0 0 Enter
keys Space
keys a Enter
keys Space
wait_for "quiz 5 question 6 from the learner's profile" "your last cpu profile of exercise"
# The choices come in name order, so a stray sample in a function named
# before __spin__ (a memset at start-up) moves it from a): find its letter.
wait_re "a name like Markdown emphasis is shown as named" "[a-d]\) __spin__( |$)"
right=$(screen | grep -oE '[a-d]\) __spin__' | head -1 | cut -c1)
if [ "$right" = a ]; then keys b Enter; else keys a Enter; fi
wait_for "and so is the answer" "The answer: ${right:-?}) __spin__"
