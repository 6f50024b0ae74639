#!/usr/bin/env bash
# tests/e2e/http.sh - the /debug/pprof endpoint of a program running under
# proflab: every route with curl (status, headers, bodies), every error
# path, and the real `go tool pprof` fetching a CPU and a heap profile.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/http_lib.sh"

export HOME=$TMP PPROF_TMPDIR=$TMP

# req URL [curl args...]: sets CODE, H (headers, CR stripped), B (body), BF (body file).
req() {
	local url=$1
	shift
	BF=$TMP/body
	CODE=$(curl -s -o "$BF" -D "$TMP/hdrs" -w '%{http_code}' --max-time 120 "$@" "$url")
	H=$(tr -d '\r' <"$TMP/hdrs")
	B=$(tr -d '\0' <"$BF")
}
hdr() { # hdr NAME: the value of a response header of the last req
	printf '%s\n' "$H" | sed -n "s/^$1: //Ip" | head -1
}

# A small heap sampling rate: the live tables (16-40 KiB each) are then
# sampled for certain, so the inuse view always names build_table.
start_service main 50 PROFLAB_HEAP_RATE=4096 || exit 1
U=http://127.0.0.1:$PORT/debug/pprof

# ---- the index ----
req "$U/"
expect_eq "index status" "$CODE" 200
expect_eq "index content type" "$(hdr Content-Type)" "text/html; charset=utf-8"
expect_eq "index nosniff" "$(hdr X-Content-Type-Options)" nosniff
for p in allocs cmdline heap memstats profile symbol threads; do
	expect_contains "index lists $p" "$B" "<a href=\"$p\">$p</a>"
done
expect_contains "index describes profile" "$B" "seconds GET parameter (1..3600, default 30)"
if xml=$(xmllint --html --noout "$BF" 2>&1) && [ -z "$xml" ]; then pass "index is valid HTML"; else fail "index is valid HTML" "$xml"; fi
req "http://127.0.0.1:$PORT/debug/pprof"
expect_eq "no slash redirects" "$CODE $(hdr Location)" "301 /debug/pprof/"

# ---- cmdline: arguments joined by NUL, as Go writes them ----
req "$U/cmdline"
expect_eq "cmdline status" "$CODE" 200
expect_eq "cmdline content type" "$(hdr Content-Type)" "text/plain; charset=utf-8"
expect_eq "cmdline bytes" "$(od -An -c "$BF" | tr -s ' \n' ' ')" \
	"$(printf '%s\0%s\0%s' "$PROG" 50 "$STOP" | od -An -c | tr -s ' \n' ' ')"

# ---- symbol ----
req "$U/symbol"
expect_eq "symbol GET" "$CODE:$B" "200:num_symbols: 1"
base=$(awk -v p="$PROG" '$6 == p && $3 == "00000000" { split($1, a, "-"); print a[1]; exit }' /proc/$PID/maps)
off=$(nm "$PROG" | awk '$3 == "hash_block" { print $1 }')
addr=$(printf '%#x' $((16#$base + 16#$off + 4)))
req "$U/symbol?$addr+0x1+nonsense"
expect_eq "symbol GET with addresses" "$B" "num_symbols: 1
$addr hash_block"
req "$U/symbol" --data-binary "$addr+$addr"
expect_eq "symbol POST" "$CODE:$B" "200:num_symbols: 1
$addr hash_block
$addr hash_block"
head -c 70000 /dev/zero | tr '\0' '1' >"$TMP/big"
req "$U/symbol" --data-binary @"$TMP/big"
expect_eq "symbol POST too large" "$CODE" 413

# ---- memstats ----
req "$U/memstats"
expect_eq "memstats status" "$CODE" 200
expect_eq "memstats content type" "$(hdr Content-Type)" "application/json; charset=utf-8"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["TotalAlloc"] > 0 and d["Mallocs"] >= d["Frees"] and d["HeapObjects"] == d["Mallocs"] - d["Frees"]' "$BF" 2>"$TMP/py"; then
	pass "memstats JSON"
else
	fail "memstats JSON" "$B" "$(cat "$TMP/py")"
fi
req "$U/memstats?debug=1"
expect_eq "memstats text type" "$(hdr Content-Type)" "text/plain; charset=utf-8"
expect_contains "memstats text" "$B" "# TotalAlloc = "
# The same name as record -memstats (mallinfo2's arena + mmap is Go's
# HeapSys, the heap's memory from the OS; Go's Sys also counts stacks).
expect_contains "memstats text says HeapSys" "$B" "# HeapSys = "

# ---- threads ----
req "$U/threads"
expect_eq "threads status" "$CODE" 200
if printf '%s\n' "$B" | grep -Eq "^ *$PID  [RSD]  +[0-9]+\.[0-9]{2}  http_service$"; then pass "threads lists the main thread"; else fail "threads lists the main thread" "$B"; fi
expect_contains "threads names the endpoint's thread" "$B" "  proflab-http"
expect_contains "threads count" "$B" "threads: $(ls /proc/$PID/task | wc -l)"

# ---- heap and allocs: binary, with Go's headers ----
for name in heap allocs; do
	req "$U/$name?gc=1"
	expect_eq "$name status" "$CODE" 200
	expect_eq "$name content type" "$(hdr Content-Type)" "application/octet-stream"
	expect_eq "$name disposition" "$(hdr Content-Disposition)" "attachment; filename=\"$name\""
	expect_eq "$name nosniff" "$(hdr X-Content-Type-Options)" nosniff
	expect_eq "$name is gzip" "$(head -c2 "$BF" | od -An -tx1 | tr -d ' ')" 1f8b
done
req "$U/heap" -I
expect_eq "heap HEAD" "$CODE $(hdr Content-Type)" "200 application/octet-stream"

run go tool pprof -top "$U/heap"
expect_rc "go tool pprof heap" 0
expect_contains "go tool pprof heap type" "$OUT$ERR" "Type: inuse_space"
expect_contains "go tool pprof heap function" "$OUT" "build_table"
run go tool pprof -top "$U/allocs"
expect_rc "go tool pprof allocs" 0
expect_contains "go tool pprof allocs type" "$OUT$ERR" "Type: alloc_space"

# ---- heap?debug=1: Go's legacy text format, which go tool pprof parses ----
for q in heap?debug=1 allocs?debug=1 heap?debug=2; do
	req "$U/$q"
	expect_eq "$q status and type" "$CODE $(hdr Content-Type) $(hdr Content-Disposition)" "200 text/plain; charset=utf-8 "
	hdrline=$(head -1 "$BF")
	if [[ $hdrline =~ ^heap\ profile:\ [0-9]+:\ [0-9]+\ \[[0-9]+:\ [0-9]+\]\ @\ heap/8192$ ]]; then
		pass "$q header line"
	else
		fail "$q header line" "$hdrline"
	fi
done
if grep -Eq '^[0-9]+: [0-9]+ \[[0-9]+: [0-9]+\] @( 0x[0-9a-f]+)+$' "$BF" &&
	grep -Pq '^#\t0x[0-9a-f]+\tbuild_table\+0x[0-9a-f]+\t+tests/progs/http_service\.c:[0-9]+$' "$BF"; then
	pass "debug=1 records and frames in Go's layout"
else
	fail "debug=1 records and frames in Go's layout" "$(head -12 "$BF")"
fi
expect_contains "debug=1 ends with memstats" "$B" "# runtime.MemStats
# Alloc = "
expect_contains "debug=1 notes NumGC" "$B" "# NumGC: no counterpart"
expect_contains "debug=1 names glibc's heap HeapSys, as -memstats does" "$B" "# HeapSys = "
expect_not_contains "debug=1 has no Sys (Go's counts more than the heap)" "$B" "# Sys = "
req "$U/heap?debug="
expect_eq "heap debug= (empty) is the binary profile" "$CODE $(hdr Content-Type)" "200 application/octet-stream"
req "$U/heap?debug=1"
cp "$BF" "$TMP/heap.txt"
run go tool pprof -sample_index=inuse_space -raw "$TMP/heap.txt"
expect_rc "go tool pprof parses the debug=1 text" 0
expect_contains "debug=1 text: four sample types" "$OUT" "alloc_objects/count alloc_space/bytes inuse_objects/count inuse_space/bytes"
run go tool pprof -top -sample_index=inuse_space "$U/heap?debug=1"
expect_rc "go tool pprof heap?debug=1" 0
expect_contains "go tool pprof heap?debug=1 symbolizes build_table" "$OUT" "build_table"

# ---- CPU profile through go tool pprof ----
run go tool pprof -top "$U/profile?seconds=2"
expect_rc "go tool pprof profile" 0
expect_contains "go tool pprof profile type" "$OUT$ERR" "Type: cpu"
expect_contains "go tool pprof profile duration" "$OUT$ERR" "Duration: 2"
expect_contains "go tool pprof profile function" "$OUT" "hash_block"
expect_not_contains "endpoint thread not in the CPU profile" "$OUT" "MHD_"

req "$U/profile?seconds=60" -I --max-time 10
expect_eq "HEAD profile: headers at once, no profile" "$CODE $(hdr Content-Disposition)" '200 attachment; filename="profile"'

# ---- busy: a second CPU profile while one runs ----
curl -s -o "$TMP/first.pb.gz" -w '%{http_code}' --max-time 60 "$U/profile?seconds=4" >"$TMP/first.code" &
first=$!
sleep 1
req "$U/profile?seconds=1"
expect_eq "busy status" "$CODE" 409
expect_contains "busy message" "$B" "Could not enable CPU profiling: cpu profiling already in use (by another /debug/pprof/profile request)"
expect_eq "busy X-Go-Pprof" "$(hdr X-Go-Pprof)" 1
req "$U/profile?seconds=1" -I --max-time 10
expect_eq "busy HEAD is 409 as GET, at once" "$CODE" 409
wait $first
expect_eq "first profile completes" "$(cat "$TMP/first.code")" 200
run go tool pprof -raw "$TMP/first.pb.gz"
expect_rc "first profile decodes" 0
expect_contains "first profile is a CPU profile" "$OUT" "samples/count cpu/nanoseconds"

# ---- errors ----
for s in 0 -1 abc 3601 1.5 ""; do
	req "$U/profile?seconds=$s"
	expect_eq "seconds='$s' is 400" "$CODE" 400
done
expect_contains "400 message" "$B" "expected a whole number of seconds, 1..3600"
req "$U/profile?seconds=99999"
expect_contains "out of range message" "$B" "seconds=99999 is out of range: profile duration must be 1..3600 seconds"
req "$U/heap?debug=x"
expect_eq "heap debug=x is 400" "$CODE" 400
req "$U/heap?seconds=5"
expect_eq "heap seconds (delta profile) is 400" "$CODE" 400
req "$U/heap" -X POST -d x
expect_eq "POST heap is 405" "$CODE $(hdr Allow)" "405 GET, HEAD"
req "$U/profile" -X DELETE
expect_eq "DELETE profile is 405" "$CODE $(hdr Allow)" "405 GET, HEAD"
req "$U/symbol" -X PUT -d x
expect_eq "PUT symbol is 405" "$CODE $(hdr Allow)" "405 GET, HEAD, POST"
expect_eq "405 nosniff" "$(hdr X-Content-Type-Options)" nosniff
req "$U/nope" -X POST -d x
expect_eq "POST to an unknown profile is 404" "$CODE:$B" "404:Unknown profile: nope"
req "http://127.0.0.1:$PORT/elsewhere" -X DELETE
expect_eq "DELETE outside /debug/pprof is 404" "$CODE:$B" "404:404 page not found"
req "$U/nope"
expect_eq "unknown profile is 404" "$CODE:$B" "404:Unknown profile: nope"
req "$U/goroutine"
expect_contains "goroutine explained" "$CODE:$B" "404:Unknown profile: goroutine (C programs have no goroutines"
req "http://127.0.0.1:$PORT/etc/passwd"
expect_eq "outside /debug/pprof is 404" "$CODE:$B" "404:404 page not found"
req "$U/../../../etc/passwd" --path-as-is
expect_eq "dot-dot path is 404" "$CODE" 404
req "$U/heap" -H "X-Big: $(head -c 40000 /dev/zero | tr '\0' a)"
expect_contains "oversized request headers refused" "$CODE" 4

# ---- connection limits: 16 per client address; the endpoint recovers ----
python3 - "$PORT" >"$TMP/limits" 2>&1 <<'PY'
import socket, subprocess, sys, time
port = int(sys.argv[1])
socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(20)]
time.sleep(1)
closed = 0
for s in socks:
    s.settimeout(0.2)
    try:
        if s.recv(1) == b"":
            closed += 1
    except socket.timeout:
        pass
    except ConnectionResetError:
        closed += 1
def get():
    return subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10",
                           "http://127.0.0.1:%d/debug/pprof/cmdline" % port], capture_output=True, text=True).stdout
full = get()
for s in socks:
    s.close()
time.sleep(0.5)
print("closed=%d full=%s after=%s" % (closed, full, get()))
PY
expect_eq "per-address connection limit" "$(cat "$TMP/limits")" "closed=4 full=000 after=200"

stop_service
expect_eq "service exit status" "$SRC" 0
expect_contains "service output" "$(cat "$SOUT")" "checksum "

# ---- a CPU profile the program runs itself: the endpoint's is refused ----
start_service own 50 PROFLAB_CPUPROFILE="$TMP/own.pb.gz" || exit 1
req "http://127.0.0.1:$PORT/debug/pprof/profile?seconds=1"
expect_eq "busy (program's profile) status" "$CODE" 409
expect_contains "busy (program's profile) message" "$B" "cpu profiling already in use (by the program"
stop_service
expect_eq "program's own profile written" "$SRC:$(test -s "$TMP/own.pb.gz" && echo yes)" "0:yes"
