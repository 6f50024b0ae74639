#!/usr/bin/env bash
# tests/e2e/lesson.sh - proflab lessons / lesson N: the plain back-end as
# the CLI prints it (stdout is not a terminal here).
. "$(dirname "$0")/lib.sh"

run "$PROFLAB" lessons
expect_rc "lessons: exit 0" 0
expect_contains "lessons: numbered" "$OUT" " 1 "
expect_contains "lessons: chapter 2 listed" "$OUT" "cpu-profiling"

for n in 1 2 3 4 5 6; do
	run env COLUMNS=60 "$PROFLAB" lesson "$n"
	expect_rc "lesson $n: exit 0" 0
	expect_not_contains "lesson $n: no escape codes" "$OUT" $'\033'
	expect_not_contains "lesson $n: no ** markers" "$OUT" "**"
	expect_not_contains "lesson $n: no fences" "$OUT" '```'
	expect_not_contains "lesson $n: no table rule rows" "$OUT" "|---"
	widest=$(printf '%s\n' "$OUT" | grep -v '^    ' | while IFS= read -r l; do echo "${#l}"; done | sort -n | tail -1)
	if [ "${widest:-0}" -le 60 ]; then pass "lesson $n: fits COLUMNS=60"; else fail "lesson $n: fits COLUMNS=60" "widest line: $widest"; fi
done

run "$PROFLAB" lesson cpu-profiling --plain
expect_rc "lesson by slug" 0
expect_contains "lesson by slug: title" "$OUT" "CPU profiling"
run "$PROFLAB" lesson 2 --width 100
w=$(printf '%s\n' "$OUT" | grep -v '^    ' | while IFS= read -r l; do echo "${#l}"; done | sort -n | tail -1)
if [ "$w" -le 100 ] && [ "$w" -gt 80 ]; then pass "lesson --width 100"; else fail "lesson --width 100" "widest line: $w"; fi

run "$PROFLAB" lesson 42
expect_rc "lesson: unknown chapter exits 2" 2
expect_contains "lesson: unknown chapter named" "$ERR" "'42'"
run "$PROFLAB" lesson
expect_rc "lesson: missing argument exits 2" 2
run "$PROFLAB" lesson 1 --width 5
expect_rc "lesson: bad width exits 2" 2
