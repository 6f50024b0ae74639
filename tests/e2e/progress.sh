# progress.sh - proflab progress: text and JSON, corrupt store moved aside,
# kill -9 of the CLI in the middle of saves.
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

# A corrupt store: moved aside with a warning, never dropped.
printf 'proflab-progress 1\nquiz\t4\tbroken\n' >"$STATE/progress"
run "$PROFLAB" progress
expect_rc "corrupt store still exits 0" 0
expect_contains "corrupt store warns" "$ERR" "was corrupt (line 2: not a progress record); moved it to $STATE/progress.corrupt-"
aside=$(ls "$STATE"/progress.corrupt-* 2>/dev/null | head -n1)
if [ -n "$aside" ] && grep -q broken "$aside"; then pass "corrupt store kept aside"; else fail "corrupt store kept aside" "$(ls -la "$STATE")"; fi
run "$PROFLAB" progress
expect_not_contains "no warning the second time" "$ERR" "corrupt"

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
