#!/usr/bin/env bash
# 70-flame.sh - flame graph speed: a profile of 100,000 distinct stacks
# rendered to SVG (target <= 1 s) and the terminal view's redraw (target
# <= 30 ms), with go tool pprof reading every stack of the same file
# (-traces) alongside for scale.
set -u
ROOT=${PROFLAB_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
P=$BUILD/proflab
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
N=100000
RUNS=5

now_ms() { date +%s%N | awk '{ printf "%.1f", $1 / 1e6 }'; }
# median_ms CMD...: median wall time of RUNS runs, in ms.
median_ms() {
	local i t0 t1
	for ((i = 0; i < RUNS; i++)); do
		t0=$(now_ms)
		"$@" >/dev/null 2>&1 || { echo "bench: failed: $*" >&2; return 1; }
		t1=$(now_ms)
		awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", b - a }'
	done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

"$P" flame --bench-gen=$N -o "$tmp/big.pb.gz" || exit 1
svg_ms=$(median_ms "$P" flame "$tmp/big.pb.gz" -o "$tmp/big.svg") || exit 1
folded_ms=$(median_ms "$P" flame "$tmp/big.pb.gz" --folded) || exit 1
"$P" flame "$tmp/big.pb.gz" -o "$tmp/big.svg" || exit 1
stacks=$("$P" flame "$tmp/big.pb.gz" --folded | wc -l)
svg_kb=$(( $(stat -c %s "$tmp/big.svg") / 1024 ))
r1=$("$P" flame "$tmp/big.pb.gz" --bench-redraw=50 --bench-size=50x200) || exit 1
r2=$("$P" flame "$tmp/big.pb.gz" --bench-redraw=50 --bench-size=120x400) || exit 1
nodes=$(awk '{ print $6 }' <<<"$r1")
ms1=$(awk '{ print $8 }' <<<"$r1")
ms2=$(awk '{ print $8 }' <<<"$r2")
peer="n/a (go not installed)"
if command -v go >/dev/null; then
	export GOTOOLCHAIN=local GOPROXY=off
	peer_ms=$(median_ms go tool pprof -traces "$tmp/big.pb.gz") && peer="$peer_ms ms"
fi
ok() { awk -v v="$1" -v t="$2" 'BEGIN { print (v <= t) ? "yes" : "NO" }'; }

cat <<EOF
## Flame graphs (issue 10)

A synthetic CPU profile with $N samples, each a distinct stack ($stacks
folded lines, $nodes merged frames), written through the profile model
(\`proflab flame --bench-gen\`). Median of $RUNS runs, wall clock, including
reading and decompressing the profile.

| what | proflab | target | met | peer |
|---|---|---|---|---|
| SVG of $N distinct stacks (${svg_kb} KiB) | $svg_ms ms | <= 1000 ms | $(ok "$svg_ms" 1000) | \`go tool pprof -traces\` on the same file: $peer |
| folded stacks of the same profile | $folded_ms ms | | | |
| terminal view redraw, 50x200 (layout + draw, mean of 50) | $ms1 ms | <= 30 ms | $(ok "$ms1" 30) | |
| terminal view redraw, 120x400 | $ms2 ms | <= 30 ms | $(ok "$ms2" 30) | |

No flame graph renderer is packaged for Debian 12 (flamegraph.pl, inferno),
so the peer column times go tool pprof printing every stack of the same
profile, the closest packaged tool that walks them all.

EOF
