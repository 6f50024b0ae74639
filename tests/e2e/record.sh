#!/usr/bin/env bash
# record.sh - `proflab record`: stdin/stdout/stderr, exit status and
# signals pass through; flags and the -http address are validated before
# the run; paths are made absolute.
. "$(dirname "$0")/lib.sh"
PROGS=$BUILD/tests/progs
export HOME=$TMP

OUT=$(printf 'line one\nline two\n' | "$PROFLAB" record -- cat 2>"$TMP/err"); RC=$?
expect_rc stdin_stdout_status 0
expect_eq stdin_to_stdout "$OUT" "$(printf 'line one\nline two')"

run "$PROFLAB" record -- sh -c 'echo to-err >&2; exit 7'
expect_rc exit_status_passed 7
expect_eq stderr_passed "$ERR" "to-err"

run "$PROFLAB" record -- sh -c 'kill -TERM $$'
expect_rc killed_by_signal 143

# A signal sent to proflab goes to the child.
"$PROFLAB" record -- sleep 30 &
pid=$!
sleep 1
kill -TERM "$pid"
start=$(date +%s)
wait "$pid"; RC=$?
expect_rc sigterm_forwarded 143
if [ $(( $(date +%s) - start )) -lt 10 ]; then pass sigterm_child_ended; else fail sigterm_child_ended "took too long"; fi

run "$PROFLAB" record -- ./no-such-program
expect_rc missing_cmd_127 127
expect_eq missing_cmd_message "$ERR" "proflab record: ./no-such-program: No such file or directory"
run "$PROFLAB" record
expect_rc no_cmd_usage 2
expect_contains no_cmd_message "$ERR" "proflab record: missing the command to run"
for hz in 0 10001 -5 -1; do
	run "$PROFLAB" record -hz "$hz" -- true
	expect_rc "bad_hz_${hz}_usage" 2
	expect_contains "bad_hz_${hz}_message" "$ERR" "-hz $hz: want a rate from 1 to 10000"
done
run "$PROFLAB" record -frobnicate -- true
expect_rc unknown_flag_usage 2

# Relative paths are relative to where record runs, even if CMD changes
# directory; an existing LD_PRELOAD is kept.
# Under make check, proflab itself is built with ASan, whose runtime must
# come first in the library list; the preload here is meant for CMD.
mkdir -p "$TMP/work" "$TMP/else"
cd "$TMP/work"
run env LD_PRELOAD=libc.so.6 ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" "$PROFLAB" record -cpuprofile rel.pb.gz -hz 1000 -- \
	bash -c "cd '$TMP/else'; echo \"\$LD_PRELOAD\"; '$PROGS/cpu_exit' return; exit 0"
expect_rc relative_status 0
expect_contains preload_prepended "$OUT" "libproflab.so libc.so.6"
if [ -s "$TMP/work/rel.pb.gz" ] && [ ! -e "$TMP/else/rel.pb.gz" ]; then pass relative_path_absolute; else fail relative_path_absolute "no $TMP/work/rel.pb.gz"; fi
run go tool pprof -symbolize=none -top "$TMP/work/rel.pb.gz"
expect_rc relative_profile_valid 0

# ---- option values are checked before the run (exit 2, CMD not run) ----
cd "$TMP"
run "$PROFLAB" record -cpuprofile -- echo ran
expect_rc cpuprofile_dashdash_usage 2
expect_eq cpuprofile_dashdash_message "$ERR" "proflab record: -cpuprofile needs a file"
expect_eq cpuprofile_dashdash_not_run "$OUT" ""
if [ -e "$TMP/--" ]; then fail cpuprofile_dashdash_no_file "a file named -- was written"; else pass cpuprofile_dashdash_no_file; fi
run "$PROFLAB" record -cpuprofile -memprofile x -- echo ran
expect_rc cpuprofile_option_as_file_usage 2
expect_contains cpuprofile_option_as_file_message "$ERR" "-cpuprofile needs a file, not -memprofile"
run "$PROFLAB" record -memprofilerate -1 -- echo ran
expect_rc memrate_negative_usage 2
expect_eq memrate_negative_message "$ERR" "proflab record: -memprofilerate -1: want 0 or more bytes"
expect_eq memrate_negative_not_run "$OUT" ""
run "$PROFLAB" record -memprofilerate 0 -- true
expect_rc memrate_zero_ok 0
run "$PROFLAB" record -http bogus -- echo ran
expect_rc http_bogus_usage 2
expect_eq http_bogus_message "$ERR" "proflab record: -http bogus: missing port in address (expected HOST:PORT)"
expect_eq http_bogus_not_run "$OUT" ""
run "$PROFLAB" record -http 127.0.0.1:99999 -- echo ran
expect_rc http_bad_port_usage 2
expect_contains http_bad_port_message "$ERR" "proflab record: -http 127.0.0.1:99999: bad port '99999'"
expect_not_contains http_bad_port_not_env "$ERR" "PROFLAB_HTTP"
run "$PROFLAB" record -http '' -- echo ran
expect_rc http_empty_usage 2
expect_contains http_empty_message "$ERR" "proflab record: -http needs an address"
expect_eq http_empty_not_run "$OUT" ""

