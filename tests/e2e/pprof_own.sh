# tests/e2e/pprof_own.sh - `proflab pprof` on proflab's own profiles (CPU
# and heap, recorded here) compared byte for byte with go tool pprof, and
# its handling of bad input: broken files, bad options, exit codes.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/pprof_lib.sh"
export HOME=$TMP PPROF_TMPDIR=$TMP
cd "$TMP" || exit 1

# 1. proflab's own CPU and heap profiles.
PROGS=$BUILD/tests/progs
[ -x "$PROGS/cpu_split" ] || fail "test program cpu_split is built" "run make tests"
[ -x "$PROGS/heap_known" ] || fail "test program heap_known is built" "run make tests"
if [ -x "$PROGS/cpu_split" ]; then
	run "$PROFLAB" record -cpuprofile cpu.pb.gz -hz 500 -- "$PROGS/cpu_split"
	if [ "$RC" -eq 0 ] && [ -s cpu.pb.gz ]; then
		same "own cpu: top" -top cpu.pb.gz
		same "own cpu: top -cum" -top -cum cpu.pb.gz
		same "own cpu: traces" -traces cpu.pb.gz
		same "own cpu: peek" -peek=. cpu.pb.gz
	else
		fail "own cpu: record" "exit $RC" "${ERR:0:400}"
	fi
fi
if [ -x "$PROGS/heap_known" ]; then
	run "$PROFLAB" record -memprofile heap.pb.gz -memprofilerate 1 -- "$PROGS/heap_known"
	if [ "$RC" -eq 0 ] && [ -s heap.pb.gz ]; then
		for si in alloc_objects alloc_space inuse_objects inuse_space; do
			same "own heap: top $si" -top -sample_index=$si heap.pb.gz
		done
		same "own heap: traces" -traces heap.pb.gz
	else
		fail "own heap: record" "exit $RC" "${ERR:0:400}"
	fi
fi

# 2. Broken files: one line naming the file, exit 1, never a crash.
printf 'this is not a profile' >garbage.pb.gz
: >empty.pb.gz
if [ -s cpu.pb.gz ]; then
	head -c 200 cpu.pb.gz >truncated.pb.gz
	gzip -dc cpu.pb.gz | head -c 300 >cut.pb
fi
printf '\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage' >badgzip.pb.gz
for f in garbage.pb.gz empty.pb.gz truncated.pb.gz cut.pb badgzip.pb.gz missing.pb.gz; do
	[ -e "$f" ] || [ "$f" = missing.pb.gz ] || continue
	run "$PROFLAB" pprof -top "$f"
	if [ "$RC" -eq 1 ] && [ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] && [[ $ERR == *"$f"* ]]; then
		pass "bad file $f: one line naming it, exit 1"
	else
		fail "bad file $f: one line naming it, exit 1" "exit $RC" "stderr: ${ERR:0:300}"
	fi
done

# 3. Usage errors exit 2.
run "$PROFLAB" pprof -nosuchoption x.pb.gz
expect_rc "unknown option exits 2" 2
run "$PROFLAB" pprof -nodecount=abc x.pb.gz
expect_rc "bad -nodecount exits 2" 2
run "$PROFLAB" pprof -top
expect_rc "no file exits 2" 2
run "$PROFLAB" pprof -top -traces x.pb.gz
expect_rc "two reports exit 2" 2
if [ -s heap.pb.gz ]; then
	run "$PROFLAB" pprof -sample_index=nosuch heap.pb.gz
	expect_rc "unknown sample_index exits 2" 2
	expect_contains "unknown sample_index lists the types" "$ERR" "alloc_objects"
	run "$PROFLAB" pprof -focus='(' heap.pb.gz
	expect_rc "bad regex exits 2" 2
fi

# 4. Not a terminal and no report: -top.
if [ -s heap.pb.gz ]; then
	"$PROFLAB" pprof heap.pb.gz </dev/null >def.out 2>&1
	"$PROFLAB" pprof -top heap.pb.gz >top.out 2>&1
	if cmp -s def.out top.out; then pass "no report off a terminal means -top"; else fail "no report off a terminal means -top"; fi
fi
