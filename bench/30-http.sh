#!/usr/bin/env bash
# bench/30-http.sh - the debug endpoint: what an idle endpoint costs the
# program (CPU time over a fixed workload, with and without it, medians),
# and the latency of /debug/pprof/heap; beside Go's net/http/pprof serving
# the same workload written in Go.
set -u
ROOT=${PROFLAB_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
LIB=$BUILD/libproflab.so
PROG=$BUILD/tests/progs/http_service
RUNS=${RUNS:-7}
ROUNDS=${ROUNDS:-6000}
REQS=${REQS:-50}
TMP=$(mktemp -d /tmp/proflab-bench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off GOCACHE=${GOCACHE:-/tmp/proflab-gocache} HOME=$TMP

[ -x "$PROG" ] && [ -f "$LIB" ] || { echo "bench/30-http: build first ($PROG)" >&2; exit 1; }

# The same service in Go: hash blocks, keep some tables alive.
mkdir -p "$TMP/gosvc"
cat >"$TMP/gosvc/main.go" <<'EOF'
package main

import (
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"strconv"
)

var kept [64][]byte

func oneRound(round uint64, h uint64) uint64 {
	n := 16384 + int(round%7)*4096
	t := make([]byte, n)
	seed := round + 1
	for i := range t {
		seed = seed*6364136223846793005 + 1442695040888963407
		t[i] = byte(seed >> 56)
	}
	for k := 0; k < 8; k++ {
		for _, b := range t {
			h = (h ^ uint64(b)) * 0x100000001b3
		}
	}
	kept[round%64] = t
	return h
}

func main() {
	rounds, _ := strconv.Atoi(os.Args[1])
	stop := ""
	if len(os.Args) > 2 {
		stop = os.Args[2]
	}
	if os.Getenv("GO_HTTP") != "" {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			panic(err)
		}
		fmt.Fprintf(os.Stderr, "serving on http://%s\n", l.Addr())
		go http.Serve(l, nil)
	}
	h := uint64(0xcbf29ce484222325)
	for r := 0; r < rounds; r++ {
		h = oneRound(uint64(r), h)
	}
	spare := uint64(1)
	for r := rounds; stop != ""; r++ {
		if _, err := os.Stat(stop); err == nil {
			break
		}
		spare = oneRound(uint64(r), spare)
	}
	fmt.Printf("checksum %016x rounds %d\n", h, rounds)
}
EOF
(cd "$TMP/gosvc" && printf 'module gosvc\n\ngo 1.19\n' >go.mod && go build -o "$TMP/gosvc/gosvc" . ) >&2 || { echo "bench/30-http: go build failed" >&2; exit 1; }
GOSVC=$TMP/gosvc/gosvc

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "?"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
p90() { sort -n | awk '{ v[NR] = $1 } END { i = int(NR * 0.9 + 0.5); if (i < 1) i = 1; print v[i] }'; }

# cpu_of CMD...: user+system CPU seconds of one run.
cpu_of() {
	/usr/bin/time -f '%U %S' -o "$TMP/time" "$@" >/dev/null 2>"$TMP/stderr" || return 1
	awk '{ printf "%.3f\n", $1 + $2 }' "$TMP/time"
}

# Interleave the runs so that the machine's load affects both sides alike.
: >"$TMP/pf_off" >"$TMP/pf_on" >"$TMP/go_off" >"$TMP/go_on"
for i in $(seq 1 "$RUNS"); do
	cpu_of env LD_PRELOAD="$LIB" "$PROG" "$ROUNDS" >>"$TMP/pf_off" || exit 1
	cpu_of env LD_PRELOAD="$LIB" PROFLAB_HTTP=127.0.0.1:0 "$PROG" "$ROUNDS" >>"$TMP/pf_on" || exit 1
	grep -q 'serving /debug/pprof/' "$TMP/stderr" || { echo "bench/30-http: endpoint did not start" >&2; exit 1; }
	cpu_of "$GOSVC" "$ROUNDS" >>"$TMP/go_off" || exit 1
	cpu_of env GO_HTTP=1 "$GOSVC" "$ROUNDS" >>"$TMP/go_on" || exit 1
done
pf_off=$(median <"$TMP/pf_off") pf_on=$(median <"$TMP/pf_on")
go_off=$(median <"$TMP/go_off") go_on=$(median <"$TMP/go_on")
range() { sort -n "$1" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s-%s s", lo, hi }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.1f%%", (b - a) / a * 100 }'; }

# Latency of /heap, sequential requests while the program works.
latency() { # URL -> file of seconds
	local i
	for i in $(seq 1 "$REQS"); do
		curl -s -o /dev/null -w '%{time_total}\n' --max-time 60 "$1"
	done
}
rm -f "$TMP/stop"
env LD_PRELOAD="$LIB" PROFLAB_HTTP=127.0.0.1:0 "$PROG" 50 "$TMP/stop" >/dev/null 2>"$TMP/pf.err" &
pfpid=$!
GO_HTTP=1 "$GOSVC" 50 "$TMP/stop" >/dev/null 2>"$TMP/go.err" &
gopid=$!
for i in $(seq 1 100); do
	pfport=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\).*|\1|p' "$TMP/pf.err")
	goport=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\).*|\1|p' "$TMP/go.err")
	[ -n "$pfport" ] && [ -n "$goport" ] && break
	sleep 0.1
done
latency "http://127.0.0.1:$pfport/debug/pprof/heap" >"$TMP/pf_lat"
latency "http://127.0.0.1:$goport/debug/pprof/heap" >"$TMP/go_lat"
touch "$TMP/stop"
wait $pfpid $gopid
ms() { awk '{ printf "%.1f ms\n", $1 * 1000 }'; }

cat <<EOF
## Debug endpoint (/debug/pprof)

Target: an idle endpoint costs the program no measurable CPU. The same
workload ($ROUNDS rounds of hashing and allocation, tests/progs/http_service.c,
and its Go twin) run $RUNS times each way, interleaved; CPU is user + system
time of the whole process, median. proflab's runs are all under the
preloaded runtime, so the difference is the endpoint alone.

| | proflab | Go net/http/pprof |
|---|---|---|
| CPU without the endpoint | ${pf_off} s | ${go_off} s |
| CPU with an idle endpoint | ${pf_on} s | ${go_on} s |
| difference | $(pct "$pf_off" "$pf_on") | $(pct "$go_off" "$go_on") |
| spread of the runs (min-max, without / with) | $(range "$TMP/pf_off") / $(range "$TMP/pf_on") | $(range "$TMP/go_off") / $(range "$TMP/go_on") |
| /debug/pprof/heap latency, median of $REQS | $(median <"$TMP/pf_lat" | ms) | $(median <"$TMP/go_lat" | ms) |
| /debug/pprof/heap latency, p90 | $(p90 <"$TMP/pf_lat" | ms) | $(p90 <"$TMP/go_lat" | ms) |

The heap latency includes building and symbolizing the profile (proflab
symbolizes in the program with libdw; Go writes names it already has).
Differences of a few percent in CPU are within the noise of a shared
machine: compare them with the spread of the runs, not with zero.

EOF
