# quiz.sh - proflab quiz: the list, --answers grading and exit codes,
# malformed quiz and answers files, keys checked against hand-written answers.
. "$(dirname "$0")/lib.sh"
FIX=$ROOT/tests/fixtures/quiz-answers

run "$PROFLAB" quiz
expect_rc "quiz list exits 0" 0
n=$(grep -cE '^ *[0-9]+  [a-z-]+ +[0-9]+ questions' <<<"$OUT")
expect_eq "quiz list shows six quizzes" "$n" 6
expect_contains "quiz list shows not taken" "$OUT" "not taken"

# Every quiz: its own key and the hand-written answers both score Y/Y.
total=0
for f in "$ROOT"/quizzes/[0-9][0-9]-*.md; do
	num=$(basename "$f" | cut -c1-2)
	y=$(grep -c '^## ' "$f")
	total=$((total + y))
	[ "$y" -ge 5 ] && pass "quiz $num has at least 5 questions" || fail "quiz $num has at least 5 questions" "$y"
	"$PROFLAB" quiz "$num" --key >"$TMP/key" 2>"$TMP/err"
	run "$PROFLAB" quiz "$num" --answers "$TMP/key"
	expect_rc "quiz $num key passes" 0
	expect_eq "quiz $num key scores $y/$y" "$(tail -n1 <<<"$OUT")" "score: $y/$y"
	run "$PROFLAB" quiz "$num" --answers "$FIX/$num.txt"
	expect_eq "quiz $num hand-written answers score $y/$y" "$(tail -n1 <<<"$OUT")" "score: $y/$y"
	if [ "$(tail -n1 <<<"$OUT")" != "score: $y/$y" ]; then
		echo "$OUT" | grep -A2 '^[0-9]*\. wrong' | sed 's/^/  /'
	fi
done
[ "$total" -ge 30 ] && pass "at least 30 questions in all" || fail "at least 30 questions in all" "$total"

# The seed's three questions are there.
grep -q 'correct order of the steps of the profiling workflow' "$ROOT/quizzes/01-profiling-workflow.md" &&
	grep -q 'bind only to localhost' "$ROOT/quizzes/04-production-endpoints.md" &&
	grep -q 'runtime.MemStats.TotalAlloc` represent' "$ROOT/quizzes/03-memory-profiling.md" &&
	pass "seed questions present" || fail "seed questions present"

# Verdicts, explanations, the score line and exit codes.
run "$PROFLAB" quiz 1 --answers - <<<$'c,d,a,b\na\n-cpuprofile\nTOP\nb,a,d\nb'
expect_rc "5/6 passes at 80%" 0
expect_eq "last line is the score" "$(tail -n1 <<<"$OUT")" "score: 5/6"
expect_contains "wrong verdict shown" "$OUT" "2. wrong: Why does the workflow start"
expect_contains "right answer shown" "$OUT" "the answer: b) Because guesses"
expect_contains "explanation shown" "$OUT" "why: \"Never optimise without data.\""
run "$PROFLAB" quiz 1 --answers - <<<$'c,d,a,b\nb\n-cpuprofile\ntop 5\na,b,d\nb'
expect_eq "top N is top" "$(tail -n1 <<<"$OUT")" "score: 6/6"
run "$PROFLAB" quiz 1 --answers - <<<$'c,d,a,b\nb\n-cpuprofile\ntop20\na,b,d\nb'
expect_eq "topN is top" "$(tail -n1 <<<"$OUT")" "score: 6/6"
run "$PROFLAB" quiz 1 --answers - <<<$'a,b,c,d\na\n-cpuprofile\ntop\na\nb'
expect_rc "3/6 fails" 1
expect_eq "3/6 score line" "$(tail -n1 <<<"$OUT")" "score: 3/6"
run "$PROFLAB" quiz 1 --pass-mark 50 --answers - <<<$'a,b,c,d\na\n-cpuprofile\ntop\na\nb'
expect_rc "3/6 passes at --pass-mark 50" 0
run "$PROFLAB" quiz 1 --pass-mark 150 --answers - </dev/null
expect_rc "bad pass mark exits 2" 2

# Malformed answers files name the line, exit 2.
printf 'c,d,a,b\n\n# skip\nb\n-cpuprofile\ntop\na,z\nb\n' >"$TMP/bad1"
run "$PROFLAB" quiz 1 --answers "$TMP/bad1"
expect_rc "out-of-range letter exits 2" 2
expect_contains "out-of-range letter names file:line" "$ERR" "$TMP/bad1:7: question 5: 'z' is not one of the choices a-d"
run "$PROFLAB" quiz 1 --answers - <<<$'c,d,a\nb\n-cpuprofile\ntop\na\nb'
expect_rc "incomplete order exits 2" 2
expect_contains "incomplete order names stdin:1" "$ERR" "stdin:1: question 1:"
run "$PROFLAB" quiz 1 --answers - <<<$'c,d,a,b\nb'
expect_rc "too few answers exits 2" 2
expect_contains "too few answers says so" "$ERR" "2 answers for 6 questions"
run "$PROFLAB" quiz 2 --answers - <<<$'lots\nb\n300\na\nb,c\na\n100'
expect_rc "non-number exits 2" 2
expect_contains "non-number named" "$ERR" "stdin:1: question 1: 'lots' is not a number"
# What is echoed from an answers file reaches the terminal printable: escape
# sequences and binary bytes as \xNN, long values cut, UTF-8 text kept.
{ printf '\033[31m\033]0;pwned\007\001\377'; head -c 200 /dev/zero | tr '\0' x; printf '\nb\n'; } >"$TMP/esc"
run "$PROFLAB" quiz 2 --answers "$TMP/esc"
expect_rc "escape bytes: exits 2" 2
expect_eq "escape bytes: shown as \\xNN and cut" "$ERR" "proflab quiz: $TMP/esc:1: question 1: '\\x1b[31m\\x1b]0;pwned\\x07\\x01\\xff$(printf 'x%.0s' $(seq 43))...' is not a number"
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' <<<"$ERR"; then fail "escape bytes: no control bytes on stderr" "$(od -c <<<"$ERR" | head)"; else pass "escape bytes: no control bytes on stderr"; fi
run "$PROFLAB" quiz 2 --answers - <<<$'5µs\nb'
expect_contains "UTF-8 answer shown as is" "$ERR" "stdin:1: question 1: '5µs' is not a number"
# C1 controls (U+0080..U+009F: U+009B is a CSI to some terminals) are valid
# UTF-8 but not printable.
run "$PROFLAB" quiz 2 --answers - <<<$'5\xc2\x9bx\nb'
expect_contains "C1 control shown as \\xNN" "$ERR" "stdin:1: question 1: '5\\xc2\\x9bx' is not a number"
run "$PROFLAB" quiz 2 --answers "$TMP/$(printf 'no\033[2J')"
expect_contains "answers file name: escape shown as \\xNN" "$ERR" "$TMP/no\\x1b[2J: No such file or directory"
run "$PROFLAB" quiz 1 --answers "$TMP/missing"
expect_rc "missing answers file exits 2" 2
expect_contains "missing answers file named" "$ERR" "$TMP/missing"

# Usage errors.
run "$PROFLAB" quiz 9 --answers - </dev/null
expect_rc "unknown quiz exits 2" 2
expect_contains "unknown quiz named" "$ERR" "no quiz '9'"
run "$PROFLAB" quiz 1 </dev/null
expect_rc "no terminal and no --answers exits 2" 2
expect_contains "no terminal says so" "$ERR" "needs a terminal"
run "$PROFLAB" quiz --answers -
expect_rc "--answers without a quiz exits 2" 2
run "$PROFLAB" quiz flame-graphs --key
expect_rc "quiz by slug" 0

# Profile questions: the bundled profile without one of the learner's,
# then the learner's own (a profile whose top function differs).
run "$PROFLAB" quiz 2 --answers "$FIX/02.txt"
expect_contains "bundled profile named" "$OUT" "graded against the bundled profile quizzes/profiles/01-sales-report.cpu.pb.gz"
# The name as `top` prints it, " (inline)" and all, is the function's name.
inl=$(go tool pprof -top "$ROOT/quizzes/profiles/01-sales-report.cpu.pb.gz" 2>/dev/null | awk '/flat%/{getline; $1=$2=$3=$4=$5=""; sub(/^ +/, ""); print; exit}')
run "$PROFLAB" quiz 2 --answers - <<<$'100\nb\n300\na\nb,c\n'"$inl"$'\n100'
expect_rc "top-flat answer with (inline) is graded ($inl)" 0
expect_eq "top-flat answer with (inline) is right" "$(tail -n1 <<<"$OUT")" "score: 7/7"
mkdir -p "$PROFLAB_HOME/exercises/01-sales-report/profiles"
cp "$ROOT/quizzes/profiles/02-log-clients.cpu.pb.gz" "$PROFLAB_HOME/exercises/01-sales-report/profiles/cpu.pb.gz"
run "$PROFLAB" quiz 2 --answers "$FIX/02.txt"
expect_contains "learner profile named" "$OUT" "graded against your last cpu profile of exercise 01-sales-report"
expect_eq "learner profile changes the key" "$(tail -n1 <<<"$OUT")" "score: 5/7"
top=$(go tool pprof -top "$PROFLAB_HOME/exercises/01-sales-report/profiles/cpu.pb.gz" 2>/dev/null | awk '/flat%/{getline; print $6; exit}')
"$PROFLAB" quiz 2 --answers - >"$TMP/o" 2>&1 <<EOA
100
b
300
a
b,c
$top
0
EOA
expect_eq "top-flat agrees with go tool pprof -top ($top)" "$(tail -n1 "$TMP/o")" "score: 7/7"
rm -rf "$PROFLAB_HOME/exercises"

# Bundled profiles are readable by go tool pprof.
for p in "$ROOT"/quizzes/profiles/*.pb.gz; do
	if go tool pprof -top "$p" >/dev/null 2>&1; then pass "go tool pprof reads $(basename "$p")"; else fail "go tool pprof reads $(basename "$p")"; fi
done

# A malformed quiz: file and line, exit 2.
mkdir -p "$TMP/data/quizzes"
cp -R "$ROOT/quizzes/profiles" "$TMP/data/quizzes/"
printf '# Broken\n\n## A question\ntype: single\n- a) x\n- b) y\nanswer: c\n> e\n' >"$TMP/data/quizzes/03-broken.md"
run env PROFLAB_DATADIR=$TMP/data "$PROFLAB" quiz 3 --answers - </dev/null
expect_rc "malformed quiz exits 2" 2
expect_contains "malformed quiz names file:line" "$ERR" "quizzes/03-broken.md:7: answer: 'c' is not one of the choices a-b"
run env PROFLAB_DATADIR=$TMP/data "$PROFLAB" quiz
expect_rc "list with a malformed quiz exits 2" 2
expect_contains "list names the malformed quiz" "$ERR" "03-broken.md:7:"

# Attempts are recorded; the list shows the best score.
run "$PROFLAB" quiz
expect_contains "list shows best score" "$OUT" "best 6/6"
