#!/usr/bin/env bash
# tests/e2e/http_load.sh - the debug endpoint under load: 400 requests for
# /debug/pprof/heap, 8 at a time, while the program works. Every request
# is answered 200 with a heap profile, and the program's own output and
# exit status are those of a run without the endpoint.
source "$(dirname "$0")/lib.sh"

LIB=$BUILD/libproflab.so
PROG=$BUILD/tests/progs/http_service
ROUNDS=400
EXIT=7

# Without proflab, and under proflab without the endpoint.
want=$("$PROG" $ROUNDS "" $EXIT)
want_rc=$?
expect_eq "baseline exit status" "$want_rc" $EXIT
run env LD_PRELOAD="$LIB" "$PROG" $ROUNDS "" $EXIT
expect_eq "under proflab without the endpoint" "$RC:$OUT" "$want_rc:$want"

STOP=$TMP/stop
env PROFLAB_HTTP=127.0.0.1:0 LD_PRELOAD="$LIB" "$PROG" $ROUNDS "$STOP" $EXIT >"$TMP/out" 2>"$TMP/err" &
pid=$!
port=
for i in $(seq 1 300); do
	port=$(sed -n 's|^proflab: serving /debug/pprof/ on http://127.0.0.1:\([0-9][0-9]*\)$|\1|p' "$TMP/err")
	[ -n "$port" ] && break
	sleep 0.1
done
if [ -z "$port" ]; then
	fail "endpoint started" "$(cat "$TMP/err")"
	touch "$STOP"
	wait $pid
	exit 1
fi
pass "endpoint started"

url=http://127.0.0.1:$port/debug/pprof/heap
mkdir "$TMP/p"
start=$(date +%s.%N)
seq 1 400 | xargs -P8 -I{} curl -s -o "$TMP/p/{}.pb.gz" -w '%{http_code}\n' --max-time 120 "$url" >"$TMP/codes"
end=$(date +%s.%N)
if kill -0 $pid 2>/dev/null; then pass "program still working when the load ended"; else fail "program still working when the load ended"; fi
touch "$STOP"
wait $pid
rc=$?

expect_eq "400 answers" "$(wc -l <"$TMP/codes")" 400
expect_eq "all 200" "$(sort "$TMP/codes" | uniq -c | sed 's/^ *//')" "400 200"
bad=0
for f in "$TMP"/p/*.pb.gz; do
	[ "$(head -c2 "$f" | od -An -tx1 | tr -d ' ')" = 1f8b ] || bad=$((bad + 1))
done
expect_eq "every answer is a gzip profile" "$bad" 0
run go tool pprof -raw "$TMP/p/400.pb.gz"
expect_contains "the last answer is a heap profile" "$OUT" "inuse_space/bytes"
expect_eq "program output unchanged" "$(cat "$TMP/out")" "$want"
expect_eq "program exit status unchanged" "$rc" "$want_rc"
echo "  (400 requests, 8 at a time, in $(echo "$end - $start" | bc 2>/dev/null || echo "?")s)"
