#!/usr/bin/env bash
# bench/40-pprof.sh - `proflab pprof -top` against `go tool pprof -top` on
# a large heap profile: a Go program (tests/go/manystacks.go) records every
# allocation (MemProfileRate = 1), each from a different call path, about
# 100,000 distinct stacks. Wall time (median of RUNS) and peak memory
# (max RSS from /usr/bin/time) of each, and whether the outputs match.
# Targets: at least 20x faster than go tool pprof; peak memory under 10x
# the uncompressed profile.
set -u
ROOT=${PROFLAB_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
RUNS=${PPROF_BENCH_RUNS:-3}
STACKS=${PPROF_BENCH_STACKS:-100000}
TMP=$(mktemp -d /tmp/proflab-bench-pprof.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
export GOTOOLCHAIN=local GOPROXY=off GO111MODULE=off GOCACHE=${GOCACHE:-/tmp/proflab-gocache}
export HOME=$TMP PPROF_TMPDIR=$TMP
PROFLAB=$BUILD/proflab
[ -x "$PROFLAB" ] || { echo "bench/40-pprof: $PROFLAB missing" >&2; exit 1; }

go build -o "$TMP/manystacks" "$ROOT/tests/go/manystacks.go" >&2 || exit 1
"$TMP/manystacks" "$TMP/big.pb.gz" "$STACKS" >&2 || exit 1
gz=$(stat -c %s "$TMP/big.pb.gz")
raw=$(gzip -dc "$TMP/big.pb.gz" | wc -c)
samples=$(gzip -dc "$TMP/big.pb.gz" >"$TMP/big.pb" && "$PROFLAB" pprof -traces "$TMP/big.pb" | grep -c '^-----------+' )
samples=$((samples - 1))

# measure NAME CMD...: median wall seconds and max RSS (KB) over RUNS runs.
measure() {
	local i secs=() rss=0 r
	for i in $(seq "$RUNS"); do
		/usr/bin/time -f '%e %M' -o "$TMP/time" "$@" >"$TMP/out" 2>/dev/null || return 1
		read -r s r <"$TMP/time"
		secs+=("$s")
		[ "$r" -gt "$rss" ] && rss=$r
	done
	printf '%s %s\n' "$(printf '%s\n' "${secs[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p")" "$rss"
}

read -r pl_s pl_rss < <(measure "$PROFLAB" pprof -top "$TMP/big.pb.gz") || exit 1
cp "$TMP/out" "$TMP/pl.txt"
read -r go_s go_rss < <(measure go tool pprof -symbolize=none -top "$TMP/big.pb.gz") || exit 1
cp "$TMP/out" "$TMP/go.txt"
same=no
cmp -s "$TMP/pl.txt" "$TMP/go.txt" && same=yes

speedup=$(awk -v a="$go_s" -v b="$pl_s" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "inf" }')
ratio=$(awk -v r="$pl_rss" -v raw="$raw" 'BEGIN { printf "%.1f", r * 1024 / raw }')
go_ratio=$(awk -v r="$go_rss" -v raw="$raw" 'BEGIN { printf "%.1f", r * 1024 / raw }')

cat <<MD
## proflab pprof -top on a large heap profile

A Go heap profile with MemProfileRate = 1 and $samples distinct stacks
($((gz / 1024)) KiB gzip-compressed, $((raw / 1024)) KiB uncompressed), read by
\`proflab pprof -top\` and \`go tool pprof -symbolize=none -top\`. Median wall
time of $RUNS runs; peak memory is the largest max RSS.
Targets: at least 20x faster than go tool pprof; peak memory under 10x the
uncompressed profile.

| | proflab pprof | go tool pprof |
|---|---|---|
| wall time | ${pl_s} s | ${go_s} s |
| speed-up | ${speedup}x | 1x |
| peak memory (max RSS) | $((pl_rss / 1024)) MiB | $((go_rss / 1024)) MiB |
| peak memory / uncompressed profile | ${ratio}x | ${go_ratio}x |
| output identical | ${same} | |

MD
