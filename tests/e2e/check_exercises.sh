#!/usr/bin/env bash
# check_exercises.sh - proflab check on real exercises: reference solutions
# pass, pristine programs fail with measured and wanted values, and the
# TAP, JUnit and JSON reports are valid. (The 20x loop over every exercise
# is `make stress-exercises`.)
. "$(dirname "$0")/lib.sh"

run "$PROFLAB" check 3 5 --solution
expect_rc solutions_pass_rc 0
expect_contains solution_03_passes "$OUT" "PASS 03-session-cache (solution): "
expect_contains solution_05_gain "$OUT" "PASS 05-catalog-json (solution): "
expect_contains solution_05_gain_text "$OUT" "x fewer CPU samples"
expect_contains solutions_summary "$OUT" "2 passed, 0 failed"
if [ -s "$PROFLAB_HOME/.check/05-catalog-json/profiles/diff.svg" ] &&
	xmllint --noout "$PROFLAB_HOME/.check/05-catalog-json/profiles/diff.svg" 2>/dev/null; then
	pass diff_svg_written
else
	fail diff_svg_written "$OUT"
fi

# the pristine exercise fails, naming measured and wanted values
run "$PROFLAB" check 05
expect_rc pristine_fails_rc 1
if [[ $OUT =~ FAIL\ samples\ in\ json_write_catalog\ [0-9]+\ \>\ [0-9]+\ \(0\.05\ x\ pristine\ [0-9]+\) ]]; then
	pass pristine_fail_names_values
else
	fail pristine_fail_names_values "$OUT"
fi
expect_contains pristine_cpu_samples "$OUT" "FAIL cpu samples "
if [ -s "$PROFLAB_HOME/exercises/05-catalog-json/profiles/check-cpu.pb.gz" ]; then
	pass check_profiles_saved
else
	fail check_profiles_saved
fi

# JUnit XML that xmllint accepts, with one failure per failed criterion
run "$PROFLAB" check 3 --format junit
expect_rc junit_rc 1
printf '%s\n' "$OUT" >"$TMP/junit.xml"
if xmllint --noout "$TMP/junit.xml" 2>"$TMP/xmllint.err"; then pass junit_valid_xml; else fail junit_valid_xml "$(cat "$TMP/xmllint.err")"; fi
nfail=$(xmllint --xpath 'count(//testsuite[@name="03-session-cache"]/testcase/failure)' "$TMP/junit.xml" 2>/dev/null)
expect_eq junit_failures "$nfail" 2
attr=$(xmllint --xpath 'string(//testsuites/@failures)' "$TMP/junit.xml" 2>/dev/null)
expect_eq junit_suite_failures "$attr" 1
expect_contains junit_message "$OUT" 'failure message="inuse_space in cache_put '

# A learner's copy that does not build: nothing was measured, so every
# criterion is a JUnit <error> (could not run), none a <failure>.
src=$(ls "$PROFLAB_HOME"/exercises/03-session-cache/*.c | head -1)
cp "$src" "$TMP/keep.c"
printf 'this is not C\n' >>"$src"
run "$PROFLAB" check 3 --format junit
expect_rc junit_build_error_rc 1
printf '%s\n' "$OUT" >"$TMP/junit-err.xml"
n_err=$(xmllint --xpath 'count(//testsuite[@name="03-session-cache"]/testcase/error)' "$TMP/junit-err.xml" 2>/dev/null)
n_fail=$(xmllint --xpath 'count(//testsuite[@name="03-session-cache"]/testcase/failure)' "$TMP/junit-err.xml" 2>/dev/null)
n_cases=$(xmllint --xpath 'count(//testsuite[@name="03-session-cache"]/testcase)' "$TMP/junit-err.xml" 2>/dev/null)
attr=$(xmllint --xpath 'string(//testsuite[@name="03-session-cache"]/@errors)' "$TMP/junit-err.xml" 2>/dev/null)
expect_eq junit_build_error_all_errors "$n_cases/$n_err/$n_fail/$attr" "3/3/0/3"
expect_contains junit_build_error_log "$OUT" "this is not C"
cp "$TMP/keep.c" "$src"

# TAP: a plan, one line per exercise, YAML diagnostics
run "$PROFLAB" check 3 --solution --format tap
expect_rc tap_rc 0
first=$(sed -n 1,3p <<<"$OUT")
expect_eq tap_header "$first" "TAP version 13
1..1
ok 1 - 03-session-cache (solution): $(sed -n 's/^ok 1 - 03-session-cache (solution): //p' <<<"$OUT")"
if awk '/^  ---$/{y=1;next} /^  \.\.\.$/{y=0;next} y&&!/^  /{bad=1} END{exit bad||y}' <<<"$OUT"; then
	pass tap_yaml_blocks_closed
else
	fail tap_yaml_blocks_closed "$OUT"
fi

# JSON that parses, with criteria and the overall verdict
run "$PROFLAB" check 3 --format json
expect_rc json_rc 1
if python3 -m json.tool <<<"$OUT" >/dev/null 2>"$TMP/json.err"; then pass json_parses; else fail json_parses "$(cat "$TMP/json.err")"; fi
got=$(python3 -c 'import json,sys; d=json.load(sys.stdin); r=d["results"][0]; print(d["passed"], r["slug"], len(r["criteria"]), r["criteria"][0]["passed"], r["criteria"][1]["passed"])' <<<"$OUT")
expect_eq json_fields "$got" "False 03-session-cache 3 True False"

run "$PROFLAB" check --format xml 3
expect_rc bad_format_rc 2
run "$PROFLAB" check
expect_rc no_exercise_rc 2
expect_contains no_exercise_msg "$ERR" "proflab check: name exercises or give --all"
expect_not_contains no_exercise_not_both "$ERR" "not both"
run "$PROFLAB" check --all 3
expect_rc all_and_names_rc 2
expect_contains all_and_names_msg "$ERR" "name exercises or give --all, not both"

# Two checks of the same exercise at once take turns and both pass (they
# shared the scratch builds: "the pristine program exited with status 127").
"$PROFLAB" check 3 --solution >"$TMP/c1.out" 2>"$TMP/c1.err" &
p1=$!
"$PROFLAB" check 3 --solution >"$TMP/c2.out" 2>"$TMP/c2.err" &
p2=$!
wait "$p1"
rc1=$?
wait "$p2"
rc2=$?
expect_eq concurrent_checks_rc "$rc1 $rc2" "0 0"
expect_contains concurrent_check_1_passes "$(cat "$TMP/c1.out")" "PASS 03-session-cache (solution): "
expect_contains concurrent_check_2_passes "$(cat "$TMP/c2.out")" "PASS 03-session-cache (solution): "
# the one that waits says so, on one line of stderr
lock=$PROFLAB_HOME/.check/03-session-cache/lock
flock "$lock" sleep 2 &
holder=$!
sleep 0.3
run "$PROFLAB" check 3 --solution
wait "$holder"
expect_rc waiting_check_passes 0
n=$(grep -c "^03-session-cache: waiting for another check of 03-session-cache\.\.\.$" <<<"$ERR")
expect_eq waiting_message_once "$n" 1
# a check killed while it holds the lock does not block the next one
(
	"$PROFLAB" check 3 --solution >/dev/null 2>&1 &
	sleep 0.3
	kill -KILL $!
	wait $!
) 2>/dev/null
run timeout 60 "$PROFLAB" check 3 --solution
expect_rc killed_check_leaves_no_lock 0
