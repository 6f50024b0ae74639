#!/usr/bin/env bash
# cpu_profile.sh - the CPU profiler end to end: profiles that go tool
# pprof reads without the binary (-top, -list, -traces, inline frames),
# every way a program can end, the C API, unwritable paths and programs
# executed by the profiled one.
. "$(dirname "$0")/lib.sh"
PROGS=$BUILD/tests/progs
export HOME=$TMP

# gopprof ARGS...: go tool pprof -symbolize=none, output in OUT, status RC.
gopprof() { run go tool pprof -symbolize=none "$@"; }

# A profile made from a copy of the binary, deleted before reading.
cp "$PROGS/cpu_split" "$TMP/cpu_split"
run "$PROFLAB" record -cpuprofile "$TMP/split.pb.gz" -hz 1000 -- "$TMP/cpu_split" 1
expect_rc record_runs 0
rm -f "$TMP/cpu_split"
gopprof -top "$TMP/split.pb.gz"
expect_rc go_top_reads 0
expect_contains go_top_type "$OUT" "Type: cpu"
expect_contains go_top_work_a "$OUT" " work_a"
expect_contains go_top_inline "$OUT" "mix_step (inline)"
expect_contains go_top_build_id "$OUT" "Build ID: "
gopprof -list 'work_c' "$TMP/split.pb.gz"
expect_rc go_list_reads 0
expect_contains go_list_routine "$OUT" "ROUTINE ======================== work_c in "
expect_contains go_list_source "$OUT" "x = (x + 0x632be59bd9b4e019ULL) ^ (x >> 11);"
gopprof -traces "$TMP/split.pb.gz"
expect_rc go_traces_reads 0
expect_contains go_traces_stack "$OUT" "work_b"
expect_contains go_traces_thread "$OUT" "thread_two"

# Ways to end: exit(), return from main, fatal signals.
check_end() { # name, how, want-status
	rm -f "$TMP/$1.pb.gz"
	run env PROFLAB_CPUPROFILE="$TMP/$1.pb.gz" PROFLAB_HZ=1000 "$PROGS/cpu_exit-linked" "$2"
	expect_rc "end_$1_status" "$3"
	gopprof -top "$TMP/$1.pb.gz"
	expect_rc "end_$1_profile_valid" 0
	expect_contains "end_$1_profile_has_burn" "$OUT" "burn_cpu"
}
check_end exit exit 3
check_end return return 0
check_end segv segv 139
check_end abort abort 134
check_end term term 143

# A forked child that exits must not overwrite the parent's profile.
run env PROFLAB_CPUPROFILE="$TMP/fork.pb.gz" PROFLAB_HZ=1000 "$PROGS/cpu_exit-linked" fork
expect_rc fork_status 0
gopprof -top "$TMP/fork.pb.gz"
expect_contains fork_profile_is_parents "$OUT" "main"

# Programs executed by the profiled one do not profile into its file.
run "$PROFLAB" record -cpuprofile "$TMP/bash.pb.gz" -- bash -c "'$PROGS/cpu_exit' return; exit 0"
expect_rc exec_child_status 0
gopprof -raw "$TMP/bash.pb.gz"
expect_rc exec_parent_profile_valid 0
expect_not_contains exec_child_not_profiled "$OUT" "burn_cpu"

# An unwritable path: one clear line, the program's status untouched.
run env PROFLAB_CPUPROFILE=/nonexistent/dir/cpu.pb.gz "$PROGS/cpu_exit-linked" exit
expect_rc unwritable_status_kept 3
expect_contains unwritable_message "$ERR" "proflab: cannot write CPU profile: /nonexistent/dir/cpu.pb.gz"
expect_eq unwritable_one_line "$(printf '%s\n' "$ERR" | wc -l)" 1

# The C API: a thread that exists before the start is sampled; starting
# twice is -EBUSY; stopping twice -ENOENT.
run "$PROGS/cpu_split-linked" 0.5 api "$TMP/api.pb.gz" 1000
expect_rc api_status 0
expect_contains api_second_start_ebusy "$OUT" "second start -16"
expect_contains api_stop "$OUT" "stop 0"
expect_contains api_stop_again "$OUT" "stop again -2"
gopprof -top "$TMP/api.pb.gz"
expect_contains api_existing_thread_sampled "$OUT" "work_a"
expect_contains api_new_thread_sampled "$OUT" "work_b"

# A bad PROFLAB_HZ is reported and the default used.
run env PROFLAB_CPUPROFILE="$TMP/hz.pb.gz" PROFLAB_HZ=abc "$PROGS/cpu_exit-linked" return
expect_rc bad_hz_status 0
expect_contains bad_hz_message "$ERR" "proflab: PROFLAB_HZ=abc: want a rate from 1 to 10000; using 100"

# fork: a child of a program whose threads start and end threads can start
# a thread of its own (the profiler's lock is not left held in the child),
# with the runtime loaded and with a profile running.
run env LD_PRELOAD="$BUILD/libproflab.so" "$PROGS/fork_threads" 300
expect_rc fork_threads_runtime_loaded 0
expect_eq fork_threads_runtime_loaded_none_hung "$OUT" "hung 0 of 300"
run "$PROFLAB" record -cpuprofile "$TMP/forks.pb.gz" -- "$PROGS/fork_threads" 300
expect_rc fork_threads_profiling 0
expect_eq fork_threads_profiling_none_hung "$OUT" "hung 0 of 300"

# A termination signal that lands inside malloc: the profile is written by
# a thread of its own, not in the handler, so the program dies of the
# signal with its profile and never of a corrupted heap (heap sampling off:
# a signal inside the runtime's own sampling gives up the profile).
bad=""
for i in $(seq 1 20); do
	rm -f "$TMP/term.pb.gz"
	PROFLAB_HEAP_RATE=0 PROFLAB_CPUPROFILE="$TMP/term.pb.gz" LD_PRELOAD="$BUILD/libproflab.so" \
		"$PROGS/term_in_malloc" 2>>"$TMP/term.err" &
	pid=$!
	sleep "0.$((i % 4 + 1))"
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	if [ "$rc" != 143 ] || [ ! -s "$TMP/term.pb.gz" ]; then bad="$bad run $i: status $rc, profile $(stat -c %s "$TMP/term.pb.gz" 2>/dev/null || echo missing);"; fi
done
expect_eq term_in_malloc_dies_of_sigterm_with_profile "$bad" ""
expect_eq term_in_malloc_no_messages "$(cat "$TMP/term.err")" ""

# dlopen of a bare name from a library finds it along that library's own
# RUNPATH ($ORIGIN), as without the runtime: glibc takes the caller from
# dlopen's return address, which the runtime's wrapper stands in for.
mkdir -p "$TMP/dl/sub"
printf 'int plugin_fn(void) { return 42; }\n' >"$TMP/dl/plugin.c"
cat >"$TMP/dl/foo.c" <<'C'
#include <dlfcn.h>
#include <stdio.h>
int foo_load(void)
{
	void *h = dlopen("libplugin.so", RTLD_NOW);
	int (*f)(void);

	if (!h) {
		printf("dlopen failed: %s\n", dlerror());
		return 1;
	}
	f = (int (*)(void))dlsym(h, "plugin_fn");
	printf("plugin says %d\n", f());
	return 0;
}
C
printf 'int foo_load(void);\nint main(void) { return foo_load(); }\n' >"$TMP/dl/main.c"
if cc -shared -fPIC -o "$TMP/dl/sub/libplugin.so" "$TMP/dl/plugin.c" &&
	cc -shared -fPIC -o "$TMP/dl/libfoo.so" "$TMP/dl/foo.c" -Wl,--enable-new-dtags,-rpath,'$ORIGIN/sub' -ldl &&
	cc -o "$TMP/dl/main" "$TMP/dl/main.c" -L"$TMP/dl" -lfoo -Wl,--enable-new-dtags,-rpath,"$TMP/dl" 2>"$TMP/dl/cc.err"; then
	run "$TMP/dl/main"
	expect_eq dlopen_runpath_plain "$OUT" "plugin says 42"
	run env LD_PRELOAD="$BUILD/libproflab.so" "$TMP/dl/main"
	expect_eq dlopen_runpath_runtime_loaded "$OUT" "plugin says 42"
	run "$PROFLAB" record -cpuprofile "$TMP/dl.pb.gz" -- "$TMP/dl/main"
	expect_eq dlopen_runpath_profiling "$OUT" "plugin says 42"
	run env LD_PRELOAD="$BUILD/libproflab.so" sh -c 'cd / && '"$TMP/dl/main"
	expect_eq dlopen_runpath_other_directory "$OUT" "plugin says 42"
else
	fail dlopen_runpath_builds "$(cat "$TMP/dl/cc.err")"
fi
