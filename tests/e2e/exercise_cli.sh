#!/usr/bin/env bash
# exercise_cli.sh - proflab exercises, hint, reset, and check's handling of
# bad fixes (does not compile, hangs, wrong output) and malformed manifests.
# Uses a private content directory with tiny exercises so it stays fast.
. "$(dirname "$0")/lib.sh"

# ---- the real catalogue ----
run "$PROFLAB" exercises
expect_rc exercises_rc 0
n=$(grep -cE '^[0-9][0-9]  ' <<<"$OUT")
if [ "$n" -ge 9 ]; then pass exercises_lists_nine; else fail exercises_lists_nine "$OUT"; fi
expect_contains exercises_workspace "$OUT" "workspace: $PROFLAB_HOME/exercises"
expect_contains exercises_status_new "$OUT" "sales-report             new"

# ---- hints progress and stop at the last ----
run "$PROFLAB" hint 1
expect_contains hint_first "$OUT" "Hint 1 of 3 for 01-sales-report"
run "$PROFLAB" hint 01
expect_contains hint_second "$OUT" "Hint 2 of 3"
run "$PROFLAB" hint sales-report
expect_contains hint_third "$OUT" "Hint 3 of 3"
third=$OUT
run "$PROFLAB" hint 01-sales-report
expect_eq hint_stays_at_last "$OUT" "$third"
run "$PROFLAB" hint 99
expect_rc hint_unknown_rc 2
expect_contains hint_unknown_msg "$ERR" "no exercise '99'"

# ---- the workspace copy, status and reset with a backup ----
src=$PROFLAB_HOME/exercises/01-sales-report/report.c
if [ -f "$src" ]; then pass workspace_created; else fail workspace_created "no $src"; fi
echo "/* my attempt */" >>"$src"
run "$PROFLAB" exercises
expect_contains status_modified "$OUT" "sales-report             modified"
run "$PROFLAB" reset 1
expect_rc reset_rc 0
backup=$(ls -d "$PROFLAB_HOME"/exercises/01-sales-report.backup-* 2>/dev/null | head -1)
if [ -n "$backup" ] && grep -q "my attempt" "$backup/report.c"; then pass reset_keeps_backup; else fail reset_keeps_backup "$OUT"; fi
if ! grep -q "my attempt" "$src" && cmp -s "$src" "$ROOT/exercises/01-sales-report/report.c"; then
	pass reset_restores_pristine
else
	fail reset_restores_pristine
fi
expect_contains reset_names_backup "$OUT" "$backup"
run "$PROFLAB" hint 1
expect_contains hint_restarts_after_reset "$OUT" "Hint 1 of 3"

# ---- a private content directory with small exercises ----
content=$TMP/content
mkdir -p "$content/exercises/01-tiny" "$content/exercises/02-broken"
cat >"$content/exercises/01-tiny/tiny.c" <<'C'
#include <stdio.h>
int main(void)
{
	long i, s = 0;
	for (i = 0; i < 1000; i++)
		s += i;
	printf("sum %ld\n", s);
	return 0;
}
C
printf 'sum 499500\n' >"$content/exercises/01-tiny/expected.txt"
cat >"$content/exercises/01-tiny/manifest" <<'M'
title    A tiny program
files    tiny.c
build    cc -O2 -g -fno-omit-frame-pointer -o tiny tiny.c
run      ./tiny
expect   expected.txt
timeout  3
pass     output identical
pass     cpu seconds <= 2
M
printf '## Hint 1\n\nLook.\n' >"$content/exercises/01-tiny/hints.md"
cp "$content/exercises/01-tiny/"* "$content/exercises/02-broken/"
printf 'title broken\nfiles tiny.c\nbuild cc tiny.c\nrun ./a.out\npass cum%% of main 10\n' \
	>"$content/exercises/02-broken/manifest"
export PROFLAB_DATADIR=$content

run "$PROFLAB" check 2
expect_rc malformed_manifest_rc 2
expect_contains malformed_manifest_names_line "$ERR" "exercises/02-broken/manifest:5: criterion 'cum% of main 10': no comparison"
rm -rf "$content/exercises/02-broken"

run "$PROFLAB" check 1
expect_rc pristine_tiny_passes 0

work=$PROFLAB_HOME/exercises/01-tiny
cp "$work/tiny.c" "$TMP/tiny.good"
# a fix that does not compile: the compiler's messages, exit 1
sed -i 's/s += i;/s += i/' "$work/tiny.c"
run "$PROFLAB" check 1
expect_rc no_compile_rc 1
expect_contains no_compile_problem "$OUT" "the build failed"
expect_contains no_compile_shows_compiler "$OUT" "error:"

# a fix that hangs: killed at the manifest's time limit (3 s)
cp "$TMP/tiny.good" "$work/tiny.c"
sed -i 's/for (i = 0; i < 1000; i++)/for (i = 0; i < 1000; i += 0)/' "$work/tiny.c"
start=$(date +%s)
run "$PROFLAB" check 1
took=$(($(date +%s) - start))
expect_rc hang_rc 1
expect_contains hang_reported "$OUT" "killed at the time limit of 3 s"
if [ "$took" -lt 30 ]; then pass hang_killed_in_time; else fail hang_killed_in_time "took ${took}s"; fi
# no live process may be left working in the check's directories
left=
for d in /proc/[0-9]*; do
	case $(readlink "$d/cwd" 2>/dev/null) in "$PROFLAB_HOME"/.check/*) left="$left ${d#/proc/}" ;; esac
done
if [ -z "$left" ]; then pass hang_child_gone; else fail hang_child_gone "still running:$left"; fi

# fast but wrong: fails on its output, not its speed
cp "$TMP/tiny.good" "$work/tiny.c"
sed -i 's/sum %ld/total %ld/' "$work/tiny.c"
run "$PROFLAB" check 1 --format json
expect_rc wrong_output_rc 1
expect_contains wrong_output_message "$OUT" 'wrong output: line 1: got \"total 499500\", want \"sum 499500\"'
expect_contains wrong_output_speed_not_judged "$OUT" "not judged: the output is wrong"

# a crash is reported
cp "$TMP/tiny.good" "$work/tiny.c"
sed -i 's/printf("sum %ld\\n", s);/printf("sum %ld\\n", s); *(volatile int *)0 = 1;/' "$work/tiny.c"
run "$PROFLAB" check 1
expect_rc crash_rc 1
expect_contains crash_reported "$OUT" "crashed (Segmentation fault)"

run "$PROFLAB" exercises
expect_contains status_failed "$OUT" "tiny                     failed"

# Whatever the program prints, the reports stay valid UTF-8, XML and JSON:
# its first line is 59 bytes (with a control character and a byte that is
# not UTF-8) and then an 'é' across the 60-byte cut of the quoted line.
cat >"$work/tiny.c" <<'C'
#include <stdio.h>
int main(int argc, char **argv)
{
	printf("bad\001\377%s\303\251 and more\n", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	fprintf(stderr, "err \377\002 \303\251\n");
	return argc > 1 ? 3 : 0;
}
C
utf8_ok() { iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1; }
for variant in wrong_output exit_status; do
	[ $variant = exit_status ] && sed -i 's|^run      ./tiny$|run      ./tiny x|' "$content/exercises/01-tiny/manifest"
	run "$PROFLAB" check 1 --format junit
	expect_rc utf8_${variant}_junit_rc 1
	if utf8_ok <<<"$OUT"; then pass utf8_${variant}_junit_is_utf8; else fail utf8_${variant}_junit_is_utf8 "$OUT"; fi
	if xmllint --noout - <<<"$OUT" 2>"$TMP/xmllint.err"; then
		pass utf8_${variant}_junit_valid_xml
	else
		fail utf8_${variant}_junit_valid_xml "$(cat "$TMP/xmllint.err")"
	fi
	run "$PROFLAB" check 1 --format tap
	if utf8_ok <<<"$OUT"; then pass utf8_${variant}_tap_is_utf8; else fail utf8_${variant}_tap_is_utf8 "$OUT"; fi
	run "$PROFLAB" check 1 --format json
	expect_rc utf8_${variant}_json_rc 1
	printf '%s\n' "$OUT" >"$TMP/utf8.json"
	if python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$TMP/utf8.json" 2>"$TMP/json.err"; then
		pass utf8_${variant}_json_parses
	else
		fail utf8_${variant}_json_parses "$(cat "$TMP/json.err")"
	fi
done
sed -i 's|^run      ./tiny x$|run      ./tiny|' "$content/exercises/01-tiny/manifest"
# the quoted line is cut before the 'é', not inside it
got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1], encoding="utf-8")); r=d["results"][0]; print(r["problem"] + "|" + r["log"])' "$TMP/utf8.json")
expect_eq utf8_log_replaced "$got" "your program exited with status 3|err $(printf '\357\277\275\002') é"
run "$PROFLAB" check 1 --format json
got=$(python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["results"][0]["criteria"][0]["message"])' <<<"$OUT")
expect_eq utf8_cut_between_characters "$got" "wrong output: line 1: got \"bad$(printf '\001\357\277\275')$(printf 'a%.0s' $(seq 54))\", want \"sum 499500\""

# wait_child: set child to the pid of the exercise program (tiny) that
# check $pid started, waiting up to 15 s; empty if it never came.
wait_child() {
	child=
	for _ in $(seq 150); do
		child=$(pgrep -P "$pid" -x tiny | head -1)
		[ -n "$child" ] && break
		sleep 0.1
	done
}

# Ctrl-C during check kills the child's process group
cp "$TMP/tiny.good" "$work/tiny.c"
sed -i 's/for (i = 0; i < 1000; i++)/for (i = 0; i < 1000; i += 0)/' "$work/tiny.c"
sed -i 's/^timeout  3/timeout  60/' "$content/exercises/01-tiny/manifest"
setsid "$PROFLAB" check 1 >"$TMP/int.out" 2>&1 &
pid=$!
wait_child
kill -INT "$pid"
wait "$pid"
rc=$?
sleep 0.5
expect_eq interrupt_exit_130 "$rc" 130
# gone, or a zombie waiting to be reaped by init: not running any more
state=$( [ -n "$child" ] && ps -o stat= -p "$child" 2>/dev/null)
if [ -n "$child" ] && [[ -z $state || $state == Z* ]]; then
	pass interrupt_kills_child
else
	fail interrupt_kills_child "child '${child}' state '${state}'" "$(cat "$TMP/int.out")"
	[ -n "$child" ] && kill -KILL "$child" 2>/dev/null
fi

# However proflab ends, the program it runs ends with it: a signal (exit
# 128 + its number) kills the child's group, and so does kill -9 of proflab
# (the child has PR_SET_PDEATHSIG). The loop of the Ctrl-C case is still in.
prog=$PROFLAB_HOME/.check/01-tiny/learner/tiny
# live processes running the learner's program (a zombie has no exe link)
live_progs() {
	local d
	for d in /proc/[0-9]*; do
		[ "$(readlink "$d/exe" 2>/dev/null)" = "$prog" ] && printf ' %s' "${d#/proc/}"
	done
}
for sig in KILL TERM HUP QUIT; do
	setsid "$PROFLAB" check 1 >"$TMP/sig.out" 2>&1 &
	pid=$!
	wait_child
	if [ -z "$child" ]; then
		fail signal_${sig}_program_started "$(cat "$TMP/sig.out")"
		kill -KILL "$pid" 2>/dev/null
		wait "$pid"
		continue
	fi
	kill -"$sig" "$pid"
	wait "$pid" 2>/dev/null # no "Killed" from the shell
	rc=$?
	case $sig in
	KILL) want=137 ;; TERM) want=143 ;; HUP) want=129 ;; QUIT) want=131 ;;
	esac
	expect_eq signal_${sig}_exit_$want "$rc" "$want"
	left=$(live_progs)
	for _ in $(seq 30); do
		[ -z "$left" ] && break
		sleep 0.1
		left=$(live_progs)
	done
	if [ -z "$left" ]; then
		pass signal_${sig}_kills_program
	else
		fail signal_${sig}_kills_program "still running:$left" "$(cat "$TMP/sig.out")"
		kill -KILL $left 2>/dev/null
	fi
done

# under nohup, a hangup (a closed terminal) does not stop the check
nohup "$PROFLAB" check 1 >"$TMP/nohup.out" 2>&1 &
pid=$!
wait_child
kill -HUP "$pid"
sleep 0.5
if [ -n "$child" ] && kill -0 "$pid" 2>/dev/null && [ -n "$(live_progs)" ]; then
	pass nohup_survives_hangup
else
	fail nohup_survives_hangup "child '$child'" "$(cat "$TMP/nohup.out")"
fi
kill -TERM "$pid"
wait "$pid"
expect_eq nohup_term_exit_143 "$?" 143
