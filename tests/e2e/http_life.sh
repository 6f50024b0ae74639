#!/usr/bin/env bash
# tests/e2e/http_life.sh - the debug endpoint's life: which addresses it
# binds or refuses (loopback only unless PROFLAB_HTTP_ALLOW_REMOTE=1),
# PROFLAB_HTTP leaving the environment, the C API, a client that goes away
# mid-profile, and a profile in progress when the program exits.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/http_lib.sh"

export HOME=$TMP PPROF_TMPDIR=$TMP

# The output of a run without proflab: what every run below must print.
WANT=$("$PROG" 30)

code() { curl -s -o "$TMP/body" -w '%{http_code}' --max-time 60 "$@"; }

# ---- refused addresses: one line on stderr, the program runs on ----
refused() { # NAME ADDR WANT-IN-STDERR
	run env PROFLAB_HTTP="$2" LD_PRELOAD="$LIB" "$PROG" 30
	expect_eq "$1: program output unchanged" "$RC:$OUT" "0:$WANT"
	expect_contains "$1: message" "$ERR" "$3"
	expect_eq "$1: one line" "$(printf '%s\n' "$ERR" | wc -l)" 1
}
refused "0.0.0.0 without ALLOW_REMOTE" 0.0.0.0:0 \
	"proflab: PROFLAB_HTTP: 0.0.0.0:0: refusing a non-loopback address (set PROFLAB_HTTP_ALLOW_REMOTE=1 to allow it); the program runs without the endpoint"
refused ":PORT means every interface" :0 "refusing a non-loopback address"
refused "a host name is not loopback" example.invalid:0 "refusing a non-loopback address"
refused "missing port" 127.0.0.1 "proflab: PROFLAB_HTTP: 127.0.0.1: missing port in address (expected HOST:PORT); the program runs without the endpoint"
refused "bad port" 127.0.0.1:99999 "bad port '99999'"
refused "IPv6 without brackets" ::1:6060 "IPv6 addresses need brackets"

# ---- ALLOW_REMOTE=1 serves on every interface (reached here through loopback) ----
start_service remote 30 PROFLAB_HTTP=0.0.0.0:0 PROFLAB_HTTP_ALLOW_REMOTE=1 || exit 1
expect_contains "remote: serving line warns" "$(cat "$SERR")" \
	"on http://0.0.0.0:$PORT (not loopback: anyone who can reach it can profile this program)"
expect_eq "remote: answers" "$(code "http://127.0.0.1:$PORT/debug/pprof/cmdline")" 200
stop_service
expect_eq "remote: program output unchanged" "$SRC:$(cat "$SOUT")" "0:$WANT"
run env PROFLAB_HTTP=0.0.0.0:0 PROFLAB_HTTP_ALLOW_REMOTE=yes LD_PRELOAD="$LIB" "$PROG" 30
expect_contains "ALLOW_REMOTE must be 1" "$ERR" "refusing a non-loopback address"

# ---- IPv6 loopback and localhost ----
start_service v6 30 PROFLAB_HTTP='[::1]:0' || exit 1
expect_contains "[::1]: serving line" "$(cat "$SERR")" "on http://[::1]:$PORT"
expect_eq "[::1]: answers" "$(code "http://[::1]:$PORT/debug/pprof/")" 200
stop_service
start_service localhost 30 PROFLAB_HTTP=localhost:0 || exit 1
expect_contains "localhost: bound to 127.0.0.1" "$(cat "$SERR")" "on http://127.0.0.1:$PORT"

# ---- a port in use: the second program runs on without the endpoint ----
run env PROFLAB_HTTP=127.0.0.1:$PORT LD_PRELOAD="$LIB" "$PROG" 30
expect_eq "port in use: program output unchanged" "$RC:$OUT" "0:$WANT"
expect_contains "port in use: message" "$ERR" "proflab: PROFLAB_HTTP: 127.0.0.1:$PORT: Address already in use; the program runs without the endpoint"
stop_service

# ---- a v4-mapped IPv6 address binds a dual-stack socket: IPv4 clients reach it ----
start_service mapped 30 "PROFLAB_HTTP=[::ffff:127.0.0.1]:0" || exit 1
expect_eq "[::ffff:127.0.0.1]:0 serves IPv4 clients" "$(code "http://127.0.0.1:$PORT/debug/pprof/cmdline")" 200
stop_service
expect_eq "[::ffff:127.0.0.1]:0 program output" "$SRC:$(cat "$SOUT")" "0:$WANT"

# ---- empty PROFLAB_HTTP is unset: no endpoint, nothing said ----
run env PROFLAB_HTTP= LD_PRELOAD="$LIB" "$PROG" 30
expect_eq "empty PROFLAB_HTTP: no endpoint, no message" "$RC:$OUT:$ERR" "0:$WANT:"

# ---- PROFLAB_HTTP leaves the environment: exec'd programs do not bind ----
run env PROFLAB_HTTP=127.0.0.1:0 LD_PRELOAD="$LIB" sh -c 'echo "${PROFLAB_HTTP-unset}"'
expect_eq "PROFLAB_HTTP removed from the environment" "$OUT" unset

# ---- the C API: proflab_http_start in a linked program ----
run env PROFLAB_TEST_API=127.0.0.1:0 "$PROG-linked" 30
expect_eq "API: output unchanged" "$RC:$OUT" "0:$WANT"
expect_contains "API: port reported" "$ERR" "api port "
run env PROFLAB_TEST_API=0.0.0.0:0 "$PROG-linked" 30
expect_eq "API: non-loopback refused with -EACCES" "$RC:$ERR" "3:api start: error -13"

# ---- idle, the endpoint's threads use no CPU at all ----
start_service idle 30 || exit 1
ticks() { # the CPU ticks (user + system) of the endpoint's threads
	local t sum=0
	for t in /proc/$PID/task/*; do
		case $(cat "$t/comm") in proflab-http | proflab-heap) ;; *) continue ;; esac
		sum=$((sum + $(sed 's/.*) //' "$t/stat" | awk '{ print $12 + $13 }')))
	done
	echo $sum
}
curl -s -o /dev/null "http://127.0.0.1:$PORT/debug/pprof/heap"
sleep 1
before=$(ticks)
sleep 4
after=$(ticks)
expect_eq "idle endpoint: no CPU ticks in 4s" "$((after - before))" 0
expect_eq "idle endpoint: two threads" "$(cat /proc/$PID/task/*/comm | grep -c '^proflab-h')" 2
stop_service

# ---- the endpoint's own allocations are not in the program's heap profile ----
# Every allocation sampled (rate 1) in an idle program: 20 requests later
# the allocs profile holds exactly what it held before.
PROFLAB_HEAP_RATE=1 PROFLAB_HTTP=127.0.0.1:0 LD_PRELOAD="$LIB" sleep 60 2>"$TMP/sleep.err" &
spid=$!
sport=
for i in $(seq 1 300); do
	sport=$(sed -n 's|^proflab: serving /debug/pprof/ on http://127.0.0.1:\([0-9][0-9]*\)$|\1|p' "$TMP/sleep.err")
	[ -n "$sport" ] && break
	sleep 0.1
done
allocs_total() {
	curl -s -o "$TMP/allocs.pb.gz" --max-time 30 "http://127.0.0.1:$sport/debug/pprof/allocs"
	go tool pprof -top -sample_index=alloc_objects "$TMP/allocs.pb.gz" 2>/dev/null | sed -n 's/^Showing nodes accounting for [^,]*, [^ ]* of \(.*\) total$/\1/p'
}
a0=$(allocs_total)
for i in $(seq 1 10); do
	curl -s -o /dev/null --max-time 30 "http://127.0.0.1:$sport/debug/pprof/heap"
	curl -s -o /dev/null --max-time 30 "http://127.0.0.1:$sport/debug/pprof/threads"
done
a1=$(allocs_total)
kill $spid
wait $spid 2>/dev/null
if [ -n "$a0" ] && [ "$a0" -gt 0 ]; then pass "allocs profile of a sleeping program"; else fail "allocs profile of a sleeping program" "total '$a0'" "$(cat "$TMP/sleep.err")"; fi
expect_eq "20 requests add no allocation to the program's profile" "$a1" "$a0"

# ---- a client that goes away mid-profile stops that profile ----
start_service gone 30 || exit 1
U=http://127.0.0.1:$PORT/debug/pprof
t0=$(date +%s)
curl -s -o /dev/null --max-time 1 "$U/profile?seconds=60"
got=
for i in $(seq 1 20); do
	got=$(code "$U/profile?seconds=1")
	[ "$got" = 200 ] && break
	sleep 0.5
done
expect_eq "after a disconnect a new profile starts" "$got" 200
elapsed=$(($(date +%s) - t0))
if [ "$elapsed" -lt 30 ]; then pass "the abandoned profile stopped early"; else fail "the abandoned profile stopped early" "took ${elapsed}s"; fi
stop_service
expect_eq "disconnect: program output unchanged" "$SRC:$(cat "$SOUT")" "0:$WANT"

# ---- the program exits during a profile: the client gets what was collected ----
start_service exit 30 || exit 1
t0=$(date +%s)
curl -s -o "$TMP/partial.pb.gz" -w '%{http_code}' --max-time 60 \
	"http://127.0.0.1:$PORT/debug/pprof/profile?seconds=60" >"$TMP/partial.code" &
cpid=$!
sleep 2
stop_service
wait $cpid
expect_eq "exit: profile answered" "$(cat "$TMP/partial.code")" 200
elapsed=$(($(date +%s) - t0))
if [ "$elapsed" -lt 30 ]; then pass "exit: answered at exit, not after 60s"; else fail "exit: answered at exit, not after 60s" "took ${elapsed}s"; fi
run go tool pprof -raw "$TMP/partial.pb.gz"
expect_contains "exit: partial profile decodes" "$OUT" "samples/count cpu/nanoseconds"
expect_eq "exit: program output and status unchanged" "$SRC:$(cat "$SOUT")" "0:$WANT"

# ---- proflab record -http ADDR: the endpoint in the recorded program ----
STOP=$TMP/rec.stop
"$PROFLAB" record -http 127.0.0.1:0 -- "$PROG" 30 "$STOP" >"$TMP/rec.out" 2>"$TMP/rec.err" &
rpid=$!
port=
for i in $(seq 1 300); do
	port=$(sed -n 's|^proflab: serving /debug/pprof/ on http://127.0.0.1:\([0-9][0-9]*\)$|\1|p' "$TMP/rec.err")
	[ -n "$port" ] && break
	sleep 0.1
done
curl -s -o "$TMP/rec.cmdline" --max-time 30 "http://127.0.0.1:$port/debug/pprof/cmdline"
expect_eq "record -http: cmdline is the program's" "$(tr '\0' ' ' <"$TMP/rec.cmdline")" "$PROG 30 $STOP"
touch "$STOP"
wait $rpid
expect_eq "record -http: program output and status" "$?:$(cat "$TMP/rec.out")" "0:$WANT"
# record checks -http before the run (exit 2, naming the option); the
# runtime's own refusal, through the variable, lets the program run on.
run "$PROFLAB" record -http 0.0.0.0:0 -- "$PROG" 30
expect_eq "record -http 0.0.0.0: refused before the run" "$RC:$OUT" "2:"
expect_eq "record -http 0.0.0.0: message names -http" "$ERR" "proflab record: -http 0.0.0.0:0: refusing a non-loopback address (set PROFLAB_HTTP_ALLOW_REMOTE=1 to allow it)"
run env PROFLAB_HTTP=0.0.0.0:0 "$PROFLAB" record -- "$PROG" 30
expect_eq "PROFLAB_HTTP=0.0.0.0: program runs on" "$RC:$OUT" "0:$WANT"
expect_contains "PROFLAB_HTTP=0.0.0.0: refused" "$ERR" "refusing a non-loopback address"

# ---- fork without exec: the child does not keep the parent's endpoint ----
# The parent exits at once; its child lives on for 4 s. Connections must be
# refused (curl exit 7) rather than hang on a socket nobody accepts on.
FORK=$BUILD/tests/progs/fork_child
env PROFLAB_HTTP=127.0.0.1:0 LD_PRELOAD="$LIB" "$FORK" 4000 >"$TMP/fork.out" 2>"$TMP/fork.err" &
fpid=$!
wait $fpid
port=$(sed -n 's|^proflab: serving /debug/pprof/ on http://.*:\([0-9][0-9]*\).*|\1|p' "$TMP/fork.err")
child=$(sed -n 's/^child //p' "$TMP/fork.out")
if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then pass "fork: the child outlives the parent"; else fail "fork: the child outlives the parent" "$(cat "$TMP/fork.out" "$TMP/fork.err")"; fi
curl -s -o /dev/null --max-time 3 "http://127.0.0.1:$port/debug/pprof/cmdline"
expect_eq "fork: connections refused once the parent is gone (curl exit 7)" "$?" 7
# The linked-in child starts an endpoint of its own (the parent's was
# started by PROFLAB_HTTP) and serves its own command line.
env PROFLAB_HTTP=127.0.0.1:0 PROFLAB_TEST_API=127.0.0.1:0 "$FORK-linked" 3000 >"$TMP/fork2.out" 2>"$TMP/fork2.err" &
fpid=$!
wait $fpid
cport=
for i in $(seq 1 50); do
	cport=$(sed -n 's/^child api rc 0 port \([0-9][0-9]*\)$/\1/p' "$TMP/fork2.err")
	[ -n "$cport" ] && break
	sleep 0.1
done
if [ -n "$cport" ] && [ "$(code "http://127.0.0.1:$cport/debug/pprof/cmdline")" = 200 ]; then
	pass "fork: proflab_http_start in the child serves"
else
	fail "fork: proflab_http_start in the child serves" "$(cat "$TMP/fork2.err")"
fi
