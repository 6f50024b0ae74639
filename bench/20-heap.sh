#!/usr/bin/env bash
# bench/20-heap.sh - the heap profiler's overhead and accuracy, side by side
# with heaptrack and gperftools' heap profiler, on the same load:
# tests/progs/heap_churn (malloc/free pairs of mixed sizes). Prints a
# Markdown section.
#
# This machine's CPU time varies by +-15% from one run to the next, more
# than the 5% being measured, so runs are paired: each round runs the
# plain program and then every proflab configuration, and a
# configuration's overhead is the median over rounds of its CPU time over
# the plain run of the same round. Instruction counts from cachegrind,
# which do not vary, are given alongside when valgrind is installed.
set -u
ROOT=${PROFLAB_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
N=${HEAP_BENCH_N:-10000000}
RUNS=${HEAP_BENCH_RUNS:-21}
PROG=$BUILD/tests/progs/heap_churn
LIB=$BUILD/libproflab.so
TCMALLOC=$(ls /usr/lib/*/libtcmalloc.so.4 2>/dev/null | head -1)
[ -x "$PROG" ] || make -s -C "$ROOT" BUILD="$BUILD" "$PROG" >&2 || exit 1
[ -f "$LIB" ] || { echo "bench/20-heap: $LIB missing" >&2; exit 1; }
TMP=$(mktemp -d /tmp/proflab-bench-heap.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
FWD=$TMP/forward.so
${CC:-cc} -O2 -fPIC -shared -fno-plt -o "$FWD" "$ROOT/bench/src/forward.c" || exit 1
ALT=$TMP/alternate
${CC:-cc} -O2 -g -fno-omit-frame-pointer -o "$ALT" "$ROOT/bench/src/alternate.c" || exit 1
# One CPU, the last: fewer migrations, the same cache for every run.
CPU=$(($(nproc) - 1))
PIN="taskset -c $CPU env"

# cpu CMD...: CPU seconds (user + sys of the command and its children).
cpu() {
	local t
	t=$( { TIMEFORMAT='%3U %3S'; time "$@" >/dev/null 2>"$TMP/stderr"; } 2>&1 | tail -1)
	awk '{ printf "%.3f\n", $1 + $2 }' <<<"$t"
}

# The configurations measured in every round, after the plain run.
names=(fwd r0 def all)
run_config() {
	case $1 in
	base) $PIN "$PROG" "$N" ;;
	fwd) $PIN LD_PRELOAD="$FWD" "$PROG" "$N" ;;
	r0) $PIN LD_PRELOAD="$LIB" PROFLAB_HEAP_RATE=0 "$PROG" "$N" ;;
	def) $PIN LD_PRELOAD="$LIB" PROFLAB_HEAPPROFILE="$TMP/def.pb.gz" "$PROG" "$N" ;;
	all) $PIN LD_PRELOAD="$LIB" PROFLAB_HEAPPROFILE="$TMP/all.pb.gz" PROFLAB_HEAP_RATE=1 "$PROG" "$N" ;;
	esac
}

# Rounds: "name base-seconds seconds" lines.
for ((i = 0; i < RUNS; i++)); do
	b=$(cpu run_config base)
	echo "base $b $b"
	for c in "${names[@]}"; do
		echo "$c $b $(cpu run_config "$c")"
	done
done >"$TMP/rounds"

# stat NAME: "median min-max median-ratio" of a configuration.
stat() {
	awk -v n="$1" '$1 == n { t[++k] = $3; r[k] = $3 / $2 }
		function med(a, k,   i, j, x) {
			for (i = 2; i <= k; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
			return a[int((k + 1) / 2)]
		}
		END { lo = hi = t[1]; for (i = 1; i <= k; i++) { if (t[i] < lo) lo = t[i]; if (t[i] > hi) hi = t[i] }
		      printf "%.3f %.3f-%.3f %.4f\n", med(t, k), lo, hi, med(r, k) }' "$TMP/rounds"
}
pct() { awk -v r="$1" 'BEGIN { printf "%+.1f%%", 100 * (r - 1) }'; }
times() { awk -v r="$1" 'BEGIN { printf "%.2fx", r }'; }
row() { # row LABEL NAME FORMAT TARGET
	local s
	s=($(stat "$2"))
	echo "| $1 | ${s[0]} | ${s[1]} | $($3 "${s[2]}") | $4 |"
}

base=$(stat base | cut -d' ' -f1)
# The peers, against the plain program's median: heaptrack records every
# allocation; gperftools' heap profiler is two orders of magnitude slower
# and runs a tenth of the load, against tcmalloc alone on the same tenth.
ht=n/a ht_x=n/a
if command -v heaptrack >/dev/null; then
	ht=$(for i in 1 2 3; do cpu heaptrack -o "$TMP/ht" "$PROG" "$N"; done | sort -n | sed -n 2p)
	ht_x=$(awk -v a="$ht" -v b="$base" 'BEGIN { printf "%.2fx", a / b }')
fi
N10=$((N / 10))
tc=n/a gp=n/a gp_x=n/a
if [ -n "$TCMALLOC" ]; then
	tc=$(for i in 1 2 3; do cpu env LD_PRELOAD="$TCMALLOC" "$PROG" "$N10"; done | sort -n | sed -n 2p)
	gp=$(cpu env LD_PRELOAD="$TCMALLOC" HEAPPROFILE="$TMP/gp" "$PROG" "$N10")
	gp_x=$(awk -v a="$gp" -v b="$tc" 'BEGIN { printf "%.2fx", a / b }')
fi

# Steady-state cost a pair, inside one process: bench/src/alternate.c
# alternates rounds of the same load through glibc's own entry points and
# through the interposer. Median of 3 runs of 400 rounds each.
alt() { # alt CONFIG-ENV...: "glibc-ns interposed-ns added-ns ratio", the run of median ratio
	for i in 1 2 3; do
		$PIN "$@" "$ALT" 400 10000 | awk '{ print $2, $4, $6, $8 }'
	done | sort -k4,4n | sed -n 2p
}
a_none=$(alt PROFLAB_NONE=1)
a_fwd=$(alt LD_PRELOAD="$FWD")
a_r0=$(alt LD_PRELOAD="$LIB" PROFLAB_HEAP_RATE=0)
a_def=$(alt LD_PRELOAD="$LIB")
a_all=$(alt LD_PRELOAD="$LIB" PROFLAB_HEAP_RATE=1)
ext() { # ext "glibc-ns interposed-ns added-ns ratio": the extra, in percent
	set -- $1
	pct "$4"
}
arow() { # arow LABEL "glibc-ns interposed-ns added-ns ratio" FORMAT (pct or times)
	local fmt=$3
	set -- "$1" $2
	awk -v l="$1" -v g="$2" -v i="$3" -v a="$4" -v e="$($fmt "$5")" \
		'BEGIN { printf "| %s | %.1f | %.1f | %+.1f | %s |\n", l, g, i, a, e }'
}

# Instructions a malloc/free pair adds, from cachegrind: the difference
# between M pairs and none, per pair, so that start-up and exit are left
# out (they are in the CPU times above).
M=1000000
irefs() { # irefs PAIRS CONFIG-ENV...: instructions heap_churn PAIRS executes
	local pairs=$1
	shift
	valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null --trace-children=yes \
		env "$@" "$PROG" "$pairs" 2>&1 | awk '/I *refs:/ { gsub(",", "", $NF); v = $NF } END { print v }'
}
instr() { # instr CONFIG-ENV...: instructions a pair, M pairs less none
	awk -v a="$(irefs "$M" "$@")" -v z="$(irefs 0 "$@")" -v m="$M" 'BEGIN { printf "%.1f\n", (a - z) / m }'
}
ib=n/a if=n/a i0=n/a idef=n/a
if command -v valgrind >/dev/null; then
	ib=$(instr PROFLAB_NONE=1)
	if=$(instr LD_PRELOAD="$FWD")
	i0=$(instr LD_PRELOAD="$LIB" PROFLAB_HEAP_RATE=0)
	idef=$(instr LD_PRELOAD="$LIB")
fi
plus() { awk -v a="$1" -v b="$ib" 'BEGIN { if (a == "n/a" || b == "n/a") print "n/a"; else printf "+%.1f", a - b }'; }

# Accuracy at the default rate: the estimate of churn_alloc's bytes.
truth=$("$PROG" "$N" | awk '{ print $4 }')
est=$(go tool pprof -unit=B -sample_index=alloc_space -top "$TMP/def.pb.gz" 2>/dev/null |
	awk '$6 == "churn_alloc" { v = $1; sub(/B$/, "", v); print v }')

cat <<EOF2
## Heap profiler: overhead and accuracy

Load: \`tests/progs/heap_churn $N\`: $N malloc/free pairs, 16 B to 16 KiB
(7 in 8 under 256 B), 1024 blocks live; glibc spends about 45 ns on a
pair here, so 5% is about 2 ns, a few instructions. CPU seconds (user +
sys, helper processes included), pinned to one CPU; proflab is preloaded
and writes its profile at exit (included). $RUNS paired rounds: extra CPU
is the median over rounds of each run against the plain run of its own
round (min-max of the CPU times alongside: runs vary by about 15% here).

| run | CPU s (median) | min-max | extra CPU | target |
|---|---|---|---|---|
| glibc malloc, no profiler | $base | $(stat base | cut -d' ' -f2) | - | |
$(row "forwarding-only interposer: the floor of any preloaded one" fwd pct "reference")
$(row "proflab, rate 0: interposer and memstats, no samples" r0 pct "")
$(row "proflab, default rate (524288)" def pct "at most +5%")
$(row "proflab, rate 1 (every allocation)" all times "at most 3x")
| heaptrack (every allocation; median of 3) | $ht | | $ht_x | peer |
| tcmalloc alone, $N10 pairs (median of 3) | $tc | | - | |
| gperftools HEAPPROFILE, $N10 pairs (1 run) | $gp | | $gp_x | peer |

Instructions per malloc/free pair (cachegrind, $M pairs less none: start-up
and exit left out):

| run | instructions a pair | added |
|---|---|---|
| glibc malloc, no profiler | $ib | - |
| forwarding-only interposer | $if | $(plus "$if") |
| proflab, rate 0 | $i0 | $(plus "$i0") |
| proflab, default rate | $idef | $(plus "$idef") |

Steady state, inside one process (bench/src/alternate.c): the same load
in 400 rounds of 10000 pairs that alternate between glibc's own entry
points and the preloaded interposer, so that both halves of a round see
the same machine and heap; ns a pair are medians over rounds, ns added
and extra the medians of the rounds' differences and ratios (of 3 runs,
the one with the median ratio). Start-up and exit
are left out. This varies far less than whole-process CPU time here.

| interposer | glibc ns a pair | interposed ns a pair | ns added | extra |
|---|---|---|---|---|
$(arow "none (both halves glibc: the method's own error)" "$a_none" pct)
$(arow "forwarding-only" "$a_fwd" pct)
$(arow "proflab, rate 0" "$a_r0" pct)
$(arow "proflab, default rate" "$a_def" pct)
$(arow "proflab, rate 1" "$a_all" times)

Where the default rate's extra CPU goes, from the steady-state table:
calling through any preloaded interposer $(ext "$a_fwd"); proflab's
interposer with memstats, which reads and counts every block's size,
$(ext "$a_r0") in all; taking and recording samples, the rest (to
$(ext "$a_def")). Writing the profile at exit is in the CPU times above
only. Exact memstats need each block's size after glibc returns, so
malloc cannot hand over to glibc by a tail call: it keeps a call frame
and counts the block when glibc is done.

Accuracy at the default rate: proflab estimates churn_alloc's alloc_space
at ${est:-?} bytes for ${truth:-?} requested
($( [ -n "$est" ] && [ -n "$truth" ] && awk -v a="$est" -v b="$truth" 'BEGIN { printf "%+.1f%%", 100 * (a - b) / b }' || echo ?); target within 15%).

EOF2
