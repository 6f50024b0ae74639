#!/usr/bin/env bash
# bench/10-cpu.sh - CPU profiler overhead on a pure-compute load at 100 Hz
# and 1000 Hz: proflab (preloaded, as `proflab record` runs it), gperftools'
# libprofiler (CPUPROFILE, CPUPROFILE_FREQUENCY) and `perf record -F -g`,
# all on the same binary and the same fixed amount of work.
#
# Every command runs REPS times (default 5), the variants taking turns so
# that a busy spell of the machine hits them alike; the tables give
# medians of user+sys CPU time of the whole process tree. Two lengths of
# the same load separate the two kinds of cost: the short run (about
# 0.05 s) shows the fixed cost per run (start-up, symbolizing and writing
# at exit); the slope between the short and the long run (LONG_ITERS,
# about 3 s by default) is the cost per CPU-second of sampling.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
REPS=${REPS:-5}
SHORT_ITERS=${SHORT_ITERS:-15000}
LONG_ITERS=${LONG_ITERS:-1000000}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

cat >"$T/load.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
static volatile unsigned long sink;
__attribute__((noinline)) static unsigned long mix(unsigned long x, int n)
{
	for (int i = 0; i < n; i++)
		x = (x ^ (x << 7)) * 0x9e3779b97f4a7c15UL + 3;
	return x;
}
__attribute__((noinline)) static unsigned long step(unsigned long x)
{
	return mix(x, 1000) + mix(x + 1, 500);
}
int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 500000;
	unsigned long x = 1;
	for (long i = 0; i < n; i++)
		x = step(x);
	sink = x;
	return 0;
}
C
cc -O2 -g -fno-omit-frame-pointer -o "$T/load" "$T/load.c" || exit 1
LIB=$PWD/$BUILD/libproflab.so
[ -f "$LIB" ] || { echo "bench/10-cpu.sh: no $LIB (run make first)" >&2; exit 1; }
PROFILER=$(ls /usr/lib/x86_64-linux-gnu/libprofiler.so* 2>/dev/null | head -1)
HAVE_PERF=0
if command -v perf >/dev/null && perf record -q -o "$T/probe.data" -- true >/dev/null 2>&1; then
	HAVE_PERF=1
fi

# The variants: name, Hz, command prefix (the load and its argument follow).
# Every one goes through env, the unprofiled run too.
variants=("none|-|env")
for hz in 100 1000; do
	variants+=("proflab|$hz|env LD_PRELOAD=$LIB PROFLAB_CPUPROFILE=$T/p.pb.gz PROFLAB_HZ=$hz")
	[ -n "$PROFILER" ] &&
		variants+=("gperftools libprofiler|$hz|env LD_PRELOAD=$PROFILER CPUPROFILE=$T/g.prof CPUPROFILE_FREQUENCY=$hz")
	[ "$HAVE_PERF" = 1 ] &&
		variants+=("perf record -g|$hz|env perf record -q -F $hz -g -o $T/perf.data --")
done

# cpu_time ITERS PREFIX...: user+sys seconds of one run (children included).
cpu_time() {
	local iters=$1 s
	shift
	s=$( { TIMEFORMAT='%3U %3S'; time $@ "$T/load" "$iters" >/dev/null 2>&1; } 2>&1 | tail -1)
	awk -v s="$s" 'BEGIN { split(s, a, " "); printf "%.3f\n", a[1] + a[2] }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Round-robin: REPS rounds, each running every variant once at both lengths.
for r in $(seq "$REPS"); do
	for i in "${!variants[@]}"; do
		IFS='|' read -r _ _ cmd <<<"${variants[$i]}"
		cpu_time "$SHORT_ITERS" $cmd >>"$T/short.$i"
		cpu_time "$LONG_ITERS" $cmd >>"$T/long.$i"
	done
done
for i in "${!variants[@]}"; do
	median <"$T/short.$i" >"$T/mshort.$i"
	median <"$T/long.$i" >"$T/mlong.$i"
done
bs=$(cat "$T/mshort.0")
bl=$(cat "$T/mlong.0")
spread=$(awk -v m="$bl" 'NR == 1 { lo = hi = $1 } { if ($1 < lo) lo = $1; if ($1 > hi) hi = $1 }
	END { printf "%.1f", (hi - lo) / m * 100 }' "$T/long.0")

echo "## CPU profiler overhead"
echo
echo "Pure-compute load (a loop of calls, -O2 with frame pointers, one binary for every"
echo "row), median user+sys CPU time of $REPS runs taken in turns, whole process tree (what"
echo "proflab does at exit counts). Targets for proflab: at most 1 % extra at 100 Hz and"
echo "5 % at 1000 Hz."
echo
echo "- *extra CPU*: on the long run, $(printf '%.2f' "$bl") s of CPU unprofiled."
echo "- *fixed per run*: extra CPU of the short run ($(printf '%.3f' "$bs") s unprofiled): start-up,"
echo "  symbolizing and writing at exit, plus a few samples."
echo "- *per CPU-second*: (extra on the long run - extra on the short run) / (difference of"
echo "  their unprofiled CPU times): the cost of sampling itself."
echo
echo "| profiler | Hz | CPU time | extra CPU | fixed per run | per CPU-second |"
echo "|---|---|---|---|---|---|"
printf '| none | - | %.3f s | - | - | - |\n' "$bl"
for i in "${!variants[@]}"; do
	[ "$i" = 0 ] && continue
	IFS='|' read -r name hz _ <<<"${variants[$i]}"
	awk -v n="$name" -v hz="$hz" -v s="$(cat "$T/mshort.$i")" -v l="$(cat "$T/mlong.$i")" \
		-v bs="$bs" -v bl="$bl" 'BEGIN {
		printf "| %s | %s | %.3f s | %+.2f %% | %+.3f s | %+.2f %% |\n", n, hz, l,
			(l - bl) / bl * 100, s - bs, ((l - bl) - (s - bs)) / (bl - bs) * 100 }'
done
echo
# Samples actually taken per CPU-second at each setting, from one more long
# run of each (untimed): setitimer(ITIMER_PROF), which gperftools uses, fires
# at most once per kernel tick, so its rates above CONFIG_HZ are not what
# they say.
rates=""
for hz in 100 1000; do
	rm -f "$T/r.pb.gz" "$T/r.prof"
	cpu=$(cpu_time "$LONG_ITERS" env LD_PRELOAD="$LIB" PROFLAB_CPUPROFILE="$T/r.pb.gz" PROFLAB_HZ=$hz)
	n=$("$BUILD/proflab" pprof -sample_index=samples -top "$T/r.pb.gz" 2>/dev/null |
		sed -n 's/.*Total samples = \([0-9]*\).*/\1/p')
	[ -n "$n" ] && rates="$rates proflab at $hz Hz: $(awk -v n="$n" -v c="$cpu" 'BEGIN { printf "%.0f", n / c }');"
	if [ -n "$PROFILER" ]; then
		n=$( { env LD_PRELOAD="$PROFILER" CPUPROFILE="$T/r.prof" CPUPROFILE_FREQUENCY=$hz \
			"$T/load" "$LONG_ITERS" >/dev/null; } 2>&1 | sed -n 's|^PROFILE: interrupts/evictions/bytes = \([0-9]*\)/.*|\1|p')
		[ -n "$n" ] && rates="$rates gperftools at $hz Hz: $(awk -v n="$n" -v c="$cpu" 'BEGIN { printf "%.0f", n / c }');"
	fi
done
[ -n "$rates" ] && echo "Samples taken per CPU-second:${rates%;}. (gperftools' setitimer fires at most once per kernel tick.)" && echo
echo "Noise: the unprofiled long run varied by $spread % (max - min over median) across the"
echo "$REPS runs on this $(nproc)-core machine, which other work shared. perf's time includes"
echo "the perf process itself."
[ -n "$PROFILER" ] || echo "gperftools' libprofiler was not found (Debian: libgoogle-perftools4)."
[ "$HAVE_PERF" = 1 ] || echo "perf record could not run here."
exit 0
