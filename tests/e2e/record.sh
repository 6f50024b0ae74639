#!/usr/bin/env bash
# record.sh - `proflab record`: stdin/stdout/stderr, exit status and
# signals pass through; flags, the -http address and the profiles'
# directories are validated before the run; statically linked commands are
# refused; profiles asked for and not written are reported; paths are made
# absolute.
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
expect_eq memrate_negative_message "$ERR" "proflab record: -memprofilerate -1: want 0 to 1099511627776 bytes"
expect_eq memrate_negative_not_run "$OUT" ""
run "$PROFLAB" record -memprofilerate 1099511627777 -- echo ran
expect_rc memrate_huge_usage 2
expect_eq memrate_huge_message "$ERR" "proflab record: -memprofilerate 1099511627777: want 0 to 1099511627776 bytes"
expect_eq memrate_huge_not_run "$OUT" ""
run "$PROFLAB" record -memprofilerate 1099511627776 -- true
expect_rc memrate_max_ok 0
run "$PROFLAB" record -memprofilerate 0 -- true
expect_rc memrate_zero_ok 0
# -memstats is printed by CMD itself: a shell that execs its last command
# prints none, and record cannot tell (documented in record --help).
run "$PROFLAB" record -memstats -- sh -c true
expect_rc memstats_exec_status 0
expect_not_contains memstats_exec_none "$ERR" "memstats at exit"
run "$PROFLAB" record --help
expect_contains memstats_limit_documented "$OUT" "otherwise nothing is printed"
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

# ---- the profiles' directories: missing or not writable, found before the run ----
run "$PROFLAB" record -cpuprofile "$TMP/nodir/cpu.pb.gz" -- echo ran
expect_rc out_dir_missing_usage 2
expect_eq out_dir_missing_message "$ERR" "proflab record: -cpuprofile $TMP/nodir/cpu.pb.gz: directory $TMP/nodir: No such file or directory"
expect_eq out_dir_missing_not_run "$OUT" ""
touch "$TMP/plainfile"
run "$PROFLAB" record -memprofile "$TMP/plainfile/heap.pb.gz" -- echo ran
expect_rc out_dir_not_dir_usage 2
expect_eq out_dir_not_dir_message "$ERR" "proflab record: -memprofile $TMP/plainfile/heap.pb.gz: $TMP/plainfile is not a directory"
# Root may write anywhere: as root, ask as the unprivileged user nobody,
# in a directory nobody can reach but not write.
RO=$(mktemp -d /tmp/proflab-ro.XXXXXX)
chmod 755 "$RO"
mkdir "$RO/ro"
chmod 555 "$RO/ro"
if [ "$(id -u)" = 0 ]; then
	as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }
else
	as_user() { "$@"; }
fi
run as_user "$PROFLAB" record -cpuprofile "$RO/ro/cpu.pb.gz" -- echo ran
expect_rc out_dir_read_only_usage 2
expect_contains out_dir_read_only_message "$ERR" "proflab record: -cpuprofile $RO/ro/cpu.pb.gz: cannot write in directory $RO/ro"
expect_eq out_dir_read_only_not_run "$OUT" ""
chmod 755 "$RO/ro"
rm -rf "$RO"

# ---- a statically linked command cannot take the preload ----
if cc -static -O1 -o "$TMP/static_prog" "$ROOT/tests/progs/cpu_exit.c" 2>"$TMP/cc.err"; then
	run "$PROFLAB" record -cpuprofile "$TMP/static.pb.gz" -- "$TMP/static_prog"
	expect_rc static_refused 2
	expect_eq static_message "$ERR" "proflab record: $TMP/static_prog is statically linked, so the runtime cannot be preloaded into it; link it with libproflab.a instead (see README, \"Profiling your own programs\")"
	expect_eq static_not_run "$OUT" ""
	printf '#!%s\n' "$TMP/static_prog" >"$TMP/static_script"
	chmod +x "$TMP/static_script"
	run "$PROFLAB" record -- "$TMP/static_script"
	expect_rc static_interpreter_refused 2
	expect_contains static_interpreter_message "$ERR" "$TMP/static_script runs $TMP/static_prog, which is statically linked"
else
	fail static_program_builds "$(cat "$TMP/cc.err")"
fi
run "$PROFLAB" record --help
expect_contains help_static "$OUT" "link it"
expect_contains help_static_lib "$OUT" "libproflab.a"
expect_contains help_exit_status "$OUT" "1 when CMD succeeded but a profile asked"

# ---- a profile asked for and not written: one line each; exit 1 when CMD succeeded ----
missing_line() { # OPTION PATH
	echo "proflab record: $1 $2: not written: the program may have ended with _exit() or exec'd another program (as sh -c does with its last command), or the runtime could not write it"
}
run "$PROFLAB" record -cpuprofile "$TMP/u.pb.gz" -- "$PROGS/cpu_exit" _exit
expect_rc _exit_status_1 1
expect_eq _exit_ran "$OUT" "done"
expect_eq _exit_message "$ERR" "$(missing_line -cpuprofile "$TMP/u.pb.gz")"
run "$PROFLAB" record -cpuprofile "$TMP/x.pb.gz" -memprofile "$TMP/xh.pb.gz" -- "$PROGS/cpu_exit" exec true
expect_rc exec_status_1 1
expect_eq exec_messages "$ERR" "$(missing_line -cpuprofile "$TMP/x.pb.gz"; missing_line -memprofile "$TMP/xh.pb.gz")"
printf '#!/bin/sh\n"%s" return\ntrue\n' "$PROGS/cpu_exit" >"$TMP/script.sh"
chmod +x "$TMP/script.sh"
run "$PROFLAB" record -cpuprofile "$TMP/s.pb.gz" -- "$TMP/script.sh"
expect_rc script_status_1 1
expect_eq script_message "$ERR" "$(missing_line -cpuprofile "$TMP/s.pb.gz")"
run "$PROFLAB" record -cpuprofile "$TMP/c.pb.gz" -- sh -c "'$PROGS/cpu_exit' return; true"
expect_rc sh_c_status_1 1
expect_eq sh_c_message "$ERR" "$(missing_line -cpuprofile "$TMP/c.pb.gz")"
# A failing CMD keeps its own status, with the line.
run "$PROFLAB" record -cpuprofile "$TMP/f.pb.gz" -- sh -c 'exit 3'
expect_rc failing_status_kept 3
expect_eq failing_message "$ERR" "$(missing_line -cpuprofile "$TMP/f.pb.gz")"
run "$PROFLAB" record -cpuprofile "$TMP/k.pb.gz" -- sh -c 'kill -KILL $$'
expect_rc killed_status_kept 137
expect_eq killed_message "$ERR" "proflab record: -cpuprofile $TMP/k.pb.gz: not written: the program was killed by signal 9 (Killed)"
# An old profile at the path is neither deleted nor taken for a new one.
printf 'old profile' >"$TMP/old.pb.gz"
run "$PROFLAB" record -cpuprofile "$TMP/old.pb.gz" -- "$PROGS/cpu_exit" _exit
expect_rc stale_status_1 1
expect_eq stale_message "$ERR" "$(missing_line -cpuprofile "$TMP/old.pb.gz")"
expect_eq stale_file_kept "$(cat "$TMP/old.pb.gz")" "old profile"
# ... and replaced by a run that writes it: no line, status 0.
run "$PROFLAB" record -cpuprofile "$TMP/old.pb.gz" -memprofile "$TMP/oldh.pb.gz" -- "$PROGS/cpu_exit" return
expect_rc rewritten_status_0 0
expect_eq rewritten_no_message "$ERR" ""
run go tool pprof -symbolize=none -top "$TMP/old.pb.gz"
expect_rc rewritten_profile_valid 0
