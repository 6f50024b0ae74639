#!/usr/bin/env bash
# tests/e2e/heap.sh - the heap profiler from the outside: `proflab record
# -memprofile` and the PROFLAB_HEAP* environment, preloaded and linked in,
# checked against the known allocations of tests/progs/heap_known.c with
# go tool pprof and proflab pprof on the same files; -memstats output; the
# variables removed from the environment of programs the profiled one runs.
source "$(dirname "$0")/lib.sh"

PROG=$BUILD/tests/progs/heap_known
LINKED=$BUILD/tests/progs/heap_known-linked
LIB=$BUILD/libproflab.so

# flat VALUE of FUNCTION in `TOOL -sample_index=INDEX -top FILE` (bytes in B).
flat() { # tool index file function
	local tool=$1 idx=$2 file=$3 fn=$4
	if [ "$tool" = go ]; then
		go tool pprof -unit=B -sample_index="$idx" -top "$file" 2>/dev/null
	else
		"$PROFLAB" pprof -unit=B -sample_index="$idx" -top "$file" 2>/dev/null
	fi | awk -v fn="$fn" '$6 == fn { v = $1; sub(/B$/, "", v); print v; found = 1 } END { if (!found) print 0 }'
}

# expect_known NAME FILE TOOL: the figures of heap_known.c, exactly.
expect_known() {
	local name=$1 file=$2 tool=$3 got want
	got=""
	for fn in make_kept make_freed make_zeroed grow_buffer make_aligned; do
		got+="$fn"
		for idx in alloc_objects alloc_space inuse_objects inuse_space; do
			got+=" $(flat "$tool" "$idx" "$file" "$fn")"
		done
		got+=$'\n'
	done
	want="make_kept 10 10000 10 10000
make_freed 20 10240 0 0
make_zeroed 5 5000 5 5000
grow_buffer 8 36864 1 8192
make_aligned 7 1968 4 1200
"
	expect_eq "$name" "$got" "$want"
}

cd "$TMP" || exit 1

# 1. proflab record, preloaded into a program that knows nothing of it.
run "$PROFLAB" record -memprofile rec.pb.gz -memprofilerate 1 -- "$PROG"
expect_rc "record -memprofile exits 0" 0
expect_contains "record: the program ran" "$OUT" "heap_known: 20 blocks kept"
expect_known "record, rate 1: exact figures in go tool pprof" rec.pb.gz go
expect_known "record, rate 1: exact figures in proflab pprof" rec.pb.gz proflab

run go tool pprof -raw rec.pb.gz
expect_contains "profile: period type space/bytes" "$OUT" "PeriodType: space bytes"
expect_contains "profile: period is the rate" "$OUT" "Period: 1"
expect_contains "profile: Go's four sample types" "$OUT" "alloc_objects/count alloc_space/bytes inuse_objects/count inuse_space/bytes"
run go tool pprof -top rec.pb.gz
expect_contains "profile: default type inuse_space" "$OUT" "Type: inuse_space"

# 2. The environment, preloaded and linked in.
run env LD_PRELOAD="$LIB" PROFLAB_HEAPPROFILE=env.pb.gz PROFLAB_HEAP_RATE=1 "$PROG"
expect_rc "PROFLAB_HEAPPROFILE preloaded exits 0" 0
expect_known "PROFLAB_HEAPPROFILE preloaded: exact figures" env.pb.gz go
run env PROFLAB_HEAPPROFILE=linked.pb.gz PROFLAB_HEAP_RATE=1 "$LINKED"
expect_rc "PROFLAB_HEAPPROFILE linked in exits 0" 0
expect_known "PROFLAB_HEAPPROFILE linked in: exact figures" linked.pb.gz go

# 3. The listing points at the line of the allocation.
run go tool pprof -source_path "$ROOT" -sample_index=alloc_space -list 'make_kept' rec.pb.gz
expect_contains "list: the malloc line carries the bytes" "$OUT" "char *p = malloc(1000);"
if [[ $OUT =~ 9\.77kB[[:space:]]+9\.77kB[[:space:]]+[0-9]+:[[:space:]]+char\ \*p\ =\ malloc\(1000\) ]]; then
	pass "list: 9.77kB on the malloc(1000) line"
else
	fail "list: 9.77kB on the malloc(1000) line" "${OUT:0:1500}"
fi

# 4. -memstats: one block on stderr, Go's names, the NumGC note.
run "$PROFLAB" record -memstats -- "$PROG"
expect_rc "record -memstats exits 0" 0
expect_contains "memstats: heading" "$ERR" "proflab: memstats at exit"
for f in total_alloc mallocs frees heap_objects peak_alloc sys; do
	expect_contains "memstats: $f" "$ERR" "  $f "
done
expect_contains "memstats: NumGC has no counterpart" "$ERR" "NumGC has no counterpart"
mallocs=$(awk '$1 == "mallocs" { print $3 }' <<<"$ERR")
frees=$(awk '$1 == "frees" { print $3 }' <<<"$ERR")
objects=$(awk '$1 == "heap_objects" { print $3 }' <<<"$ERR")
expect_eq "memstats: heap_objects = mallocs - frees" "$objects" "$((mallocs - frees))"
if [ "${mallocs:-0}" -ge 45 ]; then pass "memstats: the program's 45 allocations counted"; else fail "memstats: the program's 45 allocations counted" "mallocs=$mallocs"; fi

# 5. Bad rate in the environment: a one-line message, the program still runs.
run env LD_PRELOAD="$LIB" PROFLAB_HEAP_RATE=lots "$PROG"
expect_rc "bad PROFLAB_HEAP_RATE: program still exits 0" 0
expect_contains "bad PROFLAB_HEAP_RATE: message names the variable" "$ERR" "proflab: PROFLAB_HEAP_RATE=lots: not a byte count"

# 6. Programs the profiled program runs do not inherit the variables.
run "$PROFLAB" record -memprofile sh.pb.gz -memstats -- bash -c 'env; echo done'
expect_rc "record of a shell exits 0" 0
expect_not_contains "children do not inherit PROFLAB_HEAPPROFILE" "$OUT" "PROFLAB_HEAPPROFILE"
expect_not_contains "children do not inherit PROFLAB_MEMSTATS" "$OUT" "PROFLAB_MEMSTATS"
n=$(grep -c "memstats at exit" <<<"$ERR")
expect_eq "memstats printed once, by the shell only (not by env)" "$n" 1
if [ -s sh.pb.gz ] && go tool pprof -top sh.pb.gz >/dev/null 2>&1; then
	pass "the shell's heap profile reads in go tool pprof"
else
	fail "the shell's heap profile reads in go tool pprof"
fi

# 7. A child forked without exec is not the profiled program: the parent
# alone writes the profile and prints memstats, even when the child exits
# last. (The child keeps stdout open, so run returns after it exited.)
FORK=$BUILD/tests/progs/fork_child
run "$PROFLAB" record -memprofile fork.pb.gz -memprofilerate 1 -memstats -- "$FORK" 300
expect_rc "record of a forking program exits 0" 0
n=$(grep -c "memstats at exit" <<<"$ERR")
expect_eq "fork: memstats printed once, by the parent" "$n" 1
top=$(go tool pprof -sample_index=inuse_space -top fork.pb.gz 2>/dev/null)
expect_contains "fork: the profile is the parent's" "$top" "parent_alloc"
expect_not_contains "fork: the child did not overwrite it" "$top" "child_alloc"
run env PROFLAB_HEAPPROFILE=forkl.pb.gz PROFLAB_HEAP_RATE=1 "$FORK-linked" 300
top=$(go tool pprof -sample_index=inuse_space -top forkl.pb.gz 2>/dev/null)
expect_contains "fork, linked in: the profile is the parent's" "$top" "parent_alloc"

# 8. -memstats with -cpuprofile: the figures are taken before the CPU
# profile is built at exit, so they describe the program (peak_alloc
# would otherwise include the profile's tables, about 20 times more).
peak() { awk '$1 == "peak_alloc" { print $3 }' <<<"$1"; }
run "$PROFLAB" record -memstats -- "$PROG"
plain=$(peak "$ERR")
run "$PROFLAB" record -cpuprofile cpu.pb.gz -memstats -- "$PROG"
withcpu=$(peak "$ERR")
if [ -n "$plain" ] && [ -n "$withcpu" ] && [ "$withcpu" -le $((plain * 2)) ]; then
	pass "memstats with -cpuprofile: peak_alloc is the program's"
else
	fail "memstats with -cpuprofile: peak_alloc is the program's" "plain $plain, with -cpuprofile $withcpu"
fi

# 9. A relative PROFLAB_HEAPPROFILE names a file in the directory the
# program started in, like PROFLAB_CPUPROFILE, although the profile is
# written at exit, after the program's chdir().
CHDIR=$BUILD/tests/progs/chdir_exit
mkdir -p rel_start rel_end
for variant in preloaded linked; do
	rm -f rel_start/*.pb.gz rel_end/*.pb.gz
	prog=("$CHDIR-linked")
	[ "$variant" = preloaded ] && prog=(env LD_PRELOAD="$LIB" "$CHDIR")
	run env -C rel_start PROFLAB_HEAPPROFILE=hp_rel.pb.gz PROFLAB_CPUPROFILE=cpu_rel.pb.gz \
		PROFLAB_HEAP_RATE=1 "${prog[@]}" ../rel_end
	expect_rc "relative path, $variant: exit status" 0
	if [ -s rel_start/hp_rel.pb.gz ] && [ ! -e rel_end/hp_rel.pb.gz ]; then
		pass "relative PROFLAB_HEAPPROFILE, $variant: written in the starting directory"
	else
		fail "relative PROFLAB_HEAPPROFILE, $variant: written in the starting directory" \
			"start: $(ls rel_start | tr '\n' ' ') end: $(ls rel_end | tr '\n' ' ')"
	fi
	if [ -s rel_start/cpu_rel.pb.gz ]; then
		pass "relative PROFLAB_CPUPROFILE, $variant: beside the heap profile"
	else
		fail "relative PROFLAB_CPUPROFILE, $variant: beside the heap profile"
	fi
	top=$(go tool pprof -sample_index=inuse_space -top rel_start/hp_rel.pb.gz 2>/dev/null)
	expect_contains "relative PROFLAB_HEAPPROFILE, $variant: the program's blocks" "$top" "keep_blocks"
done

# 10. Rates above 2^40 are refused, as "lots" is: one line, default rate.
run env LD_PRELOAD="$LIB" PROFLAB_HEAP_RATE=9223372036854775807 "$PROG"
expect_rc "huge PROFLAB_HEAP_RATE: program still exits 0" 0
expect_contains "huge PROFLAB_HEAP_RATE: message names the variable and the limit" "$ERR" \
	"proflab: PROFLAB_HEAP_RATE=9223372036854775807: not a byte count (want an integer from 0 to 1099511627776); using 524288"
run env LD_PRELOAD="$LIB" PROFLAB_HEAP_RATE=1099511627776 "$PROG"
expect_rc "PROFLAB_HEAP_RATE=2^40: accepted" 0
expect_not_contains "PROFLAB_HEAP_RATE=2^40: no message" "$ERR" "PROFLAB_HEAP_RATE"
