# progress.sh - proflab progress: text and JSON, unknown record types kept,
# damaged stores read as far as they can be (and copied aside on the next
# save), read-only stores left alone, kill -9 of the CLI in the middle of
# saves.
. "$(dirname "$0")/lib.sh"
STATE=$XDG_STATE_HOME/proflab

run "$PROFLAB" progress
expect_rc "empty progress exits 0" 0
expect_contains "empty progress says none" "$OUT" "none taken yet"

"$PROFLAB" quiz 4 --answers "$ROOT/tests/fixtures/quiz-answers/04.txt" >/dev/null
"$PROFLAB" quiz 4 --answers - >/dev/null <<<$'b\nb\n30\nb\na,b,c\n/debug/pprof/'
run "$PROFLAB" progress
expect_contains "text shows best and last" "$OUT" " 4  best 6/6 (100%, passed)  last 5/6  2 attempts"

run env PROFLAB_LEARNER=student-07 "$PROFLAB" progress --json
expect_rc "progress --json exits 0" 0
if python3 - "$OUT" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
assert d["version"] == 1, d
assert d["learner"] == "student-07", d
q = d["quizzes"][0]
assert (q["chapter"], q["attempts"], q["best"], q["total"], q["last"], q["passed"]) == (4, 2, 6, 6, 5, True), q
assert q["best_percent"] == 100, q
assert q["time"].endswith("Z"), q
assert d["exercises"] == [] and d["chapters_read"] == [] and d["position"] is None, d
PY
then pass "progress --json schema"; else fail "progress --json schema" "$OUT"; fi
run env -u PROFLAB_LEARNER USER=somebody "$PROFLAB" progress --json
expect_contains "learner falls back on USER" "$OUT" '"learner": "somebody"'

# One extra line of a type this proflab does not know (a newer proflab's):
# progress is still shown, nothing moves, and saves keep the line.
sed -i 's/^end$/badge\tgold\tfrom a newer proflab\nend/' "$STATE/progress"
before=$(cat "$STATE/progress")
run "$PROFLAB" progress
expect_rc "unknown record: progress exits 0" 0
expect_contains "unknown record: progress still shown" "$OUT" " 4  best 6/6 (100%, passed)"
expect_eq "unknown record: no warning" "$ERR" ""
run "$PROFLAB" progress --json
expect_contains "unknown record: json still has the quiz" "$OUT" '"best": 6'
expect_eq "unknown record: file untouched" "$(cat "$STATE/progress")" "$before"
"$PROFLAB" quiz 4 --answers "$ROOT/tests/fixtures/quiz-answers/04.txt" >/dev/null
expect_contains "unknown record: kept by a save" "$(cat "$STATE/progress")" $'\nbadge\tgold\tfrom a newer proflab\nend'
if ls "$STATE"/progress.corrupt-* >/dev/null 2>&1; then fail "unknown record: nothing moved aside" "$(ls "$STATE")"; else pass "unknown record: nothing moved aside"; fi

# A damaged line: read-only commands show the rest, warn, and leave the
# file alone; the next save keeps the readable records and a copy.
printf 'proflab-progress 1\nread\t2\t100\nquiz\t4\tbroken\nquiz\t3\t1\t5\t6\t5\t100\nend\n' >"$STATE/progress"
before=$(cat "$STATE/progress")
for args in "" "--json"; do
	run "$PROFLAB" progress $args
	expect_rc "damaged store: progress ${args:-(text)} exits 0" 0
	expect_contains "damaged store: progress ${args:-(text)} warns naming file and line" "$ERR" "$STATE/progress: line 3: not a valid quiz record"
	expect_eq "damaged store: progress ${args:-(text)} leaves the file" "$(cat "$STATE/progress")" "$before"
done
expect_contains "damaged store: the rest is shown" "$OUT" '"best": 5'
if ls "$STATE"/progress.corrupt-* >/dev/null 2>&1; then fail "damaged store: nothing moved by reading" "$(ls "$STATE")"; else pass "damaged store: nothing moved by reading"; fi
run "$PROFLAB" quiz 4 --answers "$ROOT/tests/fixtures/quiz-answers/04.txt"
expect_rc "damaged store: quiz still saves" 0
expect_contains "damaged store: save warns" "$ERR" "kept what could be read and saved the old file as $STATE/progress.corrupt-"
aside=$(ls "$STATE"/progress.corrupt-* 2>/dev/null | head -n1)
if [ -n "$aside" ] && [ "$(cat "$aside")" = "$before" ]; then pass "damaged store: copy kept"; else fail "damaged store: copy kept" "$(ls -la "$STATE")"; fi
run "$PROFLAB" progress
expect_contains "damaged store: readable records kept" "$OUT" " 3  best 5/6"
expect_contains "damaged store: readable chapter kept" "$OUT" "chapters read: 1"
expect_not_contains "damaged store: no warning after the save" "$ERR" "line"

# A store the learner made read-only is not replaced; quiz says so and
# exits 1 after printing the grading.
rm -f "$STATE"/progress.corrupt-*
chmod 444 "$STATE/progress"
before=$(cat "$STATE/progress")
run "$PROFLAB" quiz 4 --answers "$ROOT/tests/fixtures/quiz-answers/04.txt"
expect_rc "read-only store: quiz exits 1" 1
expect_contains "read-only store: grading still printed" "$OUT" "score: 6/6"
expect_eq "read-only store: one line on stderr" "$ERR" "proflab quiz: progress not saved: $STATE/progress: the file is read-only (mode 0444)"
expect_eq "read-only store: file unchanged" "$(cat "$STATE/progress")" "$before"
expect_eq "read-only store: mode kept" "$(stat -c %a "$STATE/progress")" 444
chmod 600 "$STATE/progress"
run "$PROFLAB" quiz 4 --answers "$ROOT/tests/fixtures/quiz-answers/04.txt"
expect_rc "mode 600 store: quiz saves" 0
expect_eq "mode 600 store: mode kept" "$(stat -c %a "$STATE/progress")" 600

# kill -9 during saves, in a loop: the store must always parse.
rm -f "$STATE"/progress*
ok=0
bad=0
for i in $(seq 1 30); do
	"$PROFLAB" quiz 1 --answers "$ROOT/tests/fixtures/quiz-answers/01.txt" >/dev/null 2>&1 &
	pid=$!
	sleep "0.0$((RANDOM % 10))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	"$PROFLAB" progress >/dev/null 2>"$TMP/err"
	if grep -q corrupt "$TMP/err"; then bad=$((bad + 1)); else ok=$((ok + 1)); fi
done
expect_eq "store parses after every kill -9" "$bad" 0
if ls "$STATE"/progress.corrupt-* >/dev/null 2>&1; then fail "nothing moved aside after kills"; else pass "nothing moved aside after kills"; fi
run "$PROFLAB" progress --json
if python3 -c 'import json,sys; json.loads(sys.argv[1])' "$OUT"; then pass "json after kills"; else fail "json after kills" "$OUT"; fi
