#!/usr/bin/env bash
# bench/20-heap.sh - the heap profiler's overhead and accuracy, side by side
# with heaptrack and gperftools' heap profiler, on the same load:
# tests/progs/heap_churn (malloc/free pairs of mixed sizes). Prints a
# Markdown section; medians of RUNS runs of CPU time (user + sys, the
# profiler's helper processes included).
set -u
ROOT=${PROFLAB_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
N=${HEAP_BENCH_N:-10000000}
RUNS=${HEAP_BENCH_RUNS:-5}
PROG=$BUILD/tests/progs/heap_churn
LIB=$BUILD/libproflab.so
TCMALLOC=$(ls /usr/lib/*/libtcmalloc.so.4 2>/dev/null | head -1)
[ -x "$PROG" ] || make -s -C "$ROOT" BUILD="$BUILD" "$PROG" >&2 || exit 1
[ -f "$LIB" ] || { echo "bench/20-heap: $LIB missing" >&2; exit 1; }
TMP=$(mktemp -d /tmp/proflab-bench-heap.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# cpu CMD...: CPU seconds (user + sys of the command and its children).
cpu() {
	local t
	t=$( { TIMEFORMAT='%3U %3S'; time "$@" >/dev/null 2>"$TMP/stderr"; } 2>&1 | tail -1)
	awk '{ printf "%.3f\n", $1 + $2 }' <<<"$t"
}

# median CMD...: median CPU seconds over RUNS runs; the spread (min-max)
# of the last call is left in $TMP/spread, since the machine may be shared.
median() {
	local i
	for ((i = 0; i < RUNS; i++)); do cpu "$@"; done | sort -n |
		awk -v s="$TMP/spread" '{ a[NR] = $1 } END { print a[1] "-" a[NR] > s; print a[int((NR + 1) / 2)] }'
}
spread() { cat "$TMP/spread"; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
extra() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.1f%%", 100 * (a - b) / b }'; }

base=$(median "$PROG" "$N"); base_s=$(spread)
def=$(median env LD_PRELOAD="$LIB" PROFLAB_HEAPPROFILE="$TMP/def.pb.gz" "$PROG" "$N"); def_s=$(spread)
all=$(median env LD_PRELOAD="$LIB" PROFLAB_HEAPPROFILE="$TMP/all.pb.gz" PROFLAB_HEAP_RATE=1 "$PROG" "$N"); all_s=$(spread)
# The parts of the default-rate cost: the interposer and memstats alone
# (sampling off, no profile), and the same with the profile written at
# exit (symbolization included), a fixed cost whatever the load.
off=$(median env LD_PRELOAD="$LIB" PROFLAB_HEAP_RATE=0 "$PROG" "$N"); off_s=$(spread)
offw=$(median env LD_PRELOAD="$LIB" PROFLAB_HEAP_RATE=0 PROFLAB_HEAPPROFILE="$TMP/off.pb.gz" "$PROG" "$N"); offw_s=$(spread)
ht=n/a ht_s=
if command -v heaptrack >/dev/null; then
	ht=$(median heaptrack -o "$TMP/ht" "$PROG" "$N"); ht_s=$(spread)
fi
# gperftools' heap profiler records every allocation and is two orders of
# magnitude slower: it runs a tenth of the load, against tcmalloc alone on
# the same tenth.
N10=$((N / 10))
tc=n/a gp=n/a tc_s=
if [ -n "$TCMALLOC" ]; then
	tc=$(median env LD_PRELOAD="$TCMALLOC" "$PROG" "$N10"); tc_s=$(spread)
	gp=$(RUNS=1 median env LD_PRELOAD="$TCMALLOC" HEAPPROFILE="$TMP/gp" "$PROG" "$N10")
fi

# Accuracy at the default rate: the estimate of churn_alloc's bytes.
truth=$("$PROG" "$N" | awk '{ print $4 }')
est=$(go tool pprof -unit=B -sample_index=alloc_space -top "$TMP/def.pb.gz" 2>/dev/null |
	awk '$6 == "churn_alloc" { v = $1; sub(/B$/, "", v); print v }')

cat <<EOF2
## Heap profiler: overhead and accuracy

Load: \`tests/progs/heap_churn $N\`: $N malloc/free pairs, 16 B to 16 KiB
(7 in 8 under 256 B), 1024 blocks live. CPU seconds (user + sys, helper
processes included), median of $RUNS runs (min-max alongside: the
machine may be shared); proflab is preloaded and writes its profile at
exit (included).

| run | CPU s | min-max | extra CPU | target |
|---|---|---|---|---|
| glibc malloc, no profiler | $base | $base_s | - | |
| proflab, default rate (524288) | $def | $def_s | $(extra "$def" "$base") | at most +5% |
| proflab, rate 1 (every allocation) | $all | $all_s | $(ratio "$all" "$base") | at most 3x |
| proflab, rate 0: interposer and memstats only, no profile | $off | $off_s | $(extra "$off" "$base") | |
| proflab, rate 0, profile written at exit | $offw | $offw_s | $(extra "$offw" "$base") | |
| heaptrack (every allocation) | $ht | $ht_s | $( [ "$ht" = n/a ] && echo n/a || ratio "$ht" "$base") | peer |
| tcmalloc alone, $N10 pairs | $tc | $tc_s | - | |
| gperftools HEAPPROFILE, $N10 pairs (1 run) | $gp | | $( [ "$gp" = n/a ] && echo n/a || ratio "$gp" "$tc") | peer |

Accuracy at the default rate: proflab estimates churn_alloc's alloc_space
at ${est:-?} bytes for ${truth:-?} requested
($( [ -n "$est" ] && [ -n "$truth" ] && extra "$est" "$truth" || echo ?); target within 15%).

EOF2
