# tests/e2e/pprof_go.sh - `proflab pprof` against `go tool pprof` on
# profiles that a Go program writes during the test (cpu, heap, allocs,
# mutex, block, goroutine): every report must be byte for byte the same.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/pprof_lib.sh"
export HOME=$TMP PPROF_TMPDIR=$TMP GO111MODULE=off GOPATH=$TMP/gopath

if ! go build -o "$TMP/profgen" "$ROOT/tests/go/profgen.go" 2>"$TMP/build.err"; then
	fail "build Go profile generator" "$(cat "$TMP/build.err")"
	exit 1
fi
if ! "$TMP/profgen" "$TMP" 1500ms 2>"$TMP/gen.err"; then
	fail "run Go profile generator" "$(cat "$TMP/gen.err")"
	exit 1
fi
cd "$TMP" || exit 1

for p in cpu heap allocs mutex block goroutine; do
	same "top $p" -top $p.pb.gz
done
for si in alloc_objects alloc_space inuse_objects inuse_space 0 3; do
	same "top heap sample_index=$si" -top -sample_index=$si heap.pb.gz
done
for f in -inuse_space -inuse_objects -alloc_space -alloc_objects; do
	same "top heap $f" -top $f heap.pb.gz
done
same "top mutex contentions" -top -contentions mutex.pb.gz
same "top block delay" -top -total_delay block.pb.gz
same "top cpu -cum" -top -cum cpu.pb.gz
same "top cpu samples" -top -sample_index=samples cpu.pb.gz
same "top cpu nodecount" -top -nodecount=4 cpu.pb.gz
same "top heap nodecount cum" -top -nodecount=3 -cum -alloc_space heap.pb.gz
same "top cpu nodefraction" -top -nodefraction=0.05 cpu.pb.gz
same "top cpu nodefraction 0" -top -nodefraction=0 cpu.pb.gz
same "top cpu unit ms" -top -unit=ms cpu.pb.gz
same "top heap unit kB" -top -unit=kB -alloc_space heap.pb.gz
same "top cpu focus" -top -focus=sortWords cpu.pb.gz
same "top cpu ignore" -top -ignore='sort|hash' cpu.pb.gz
same "top cpu hide" -top -hide=runtime cpu.pb.gz
same "top cpu show" -top -show='main\.' cpu.pb.gz
same "top merged" -top cpu.pb.gz cpu.pb.gz
same "top heap+allocs merged" -top heap.pb.gz allocs.pb.gz
same "top base" -top -base=heap.pb.gz allocs.pb.gz
same "top base self" -top -base=cpu.pb.gz cpu.pb.gz
same "top diff_base" -top -diff_base=heap.pb.gz allocs.pb.gz
same "traces cpu" -traces cpu.pb.gz
same "traces heap alloc_space" -traces -alloc_space heap.pb.gz
same "traces mutex" -traces mutex.pb.gz
same "traces goroutine" -traces goroutine.pb.gz
same "peek cpu" -peek='main\.' cpu.pb.gz
same "peek heap all" -peek=. -alloc_space heap.pb.gz
same "peek no match" -peek=nosuchfunction cpu.pb.gz
same "list cpu" -list=hashLoop cpu.pb.gz
same "list heap" -list='main\.alloc' -alloc_space heap.pb.gz
same "list no match" -list=nosuchfunction cpu.pb.gz
TZ=America/New_York same "top cpu, Time in another zone" -top cpu.pb.gz
TZ=Asia/Kolkata same "top heap, Time in a half-hour zone" -top heap.pb.gz
same "top nodecount with dropped nodes" -top -nodecount=2 -nodefraction=0.2 cpu.pb.gz
same "top mutex contentions unit ms" -top -sample_index=contentions -unit=ms mutex.pb.gz
same "peek -cum" -peek=sort -cum cpu.pb.gz
same "peek with focus" -peek=runtime -focus=sortWords cpu.pb.gz
same "traces with focus" -traces -focus=hashLoop cpu.pb.gz
same "traces with hide" -traces -hide=runtime goroutine.pb.gz
same "list with focus" -list=sortWords -focus=sort cpu.pb.gz
same "top hide and show" -top -hide=main -show=runtime goroutine.pb.gz
same "traces diff_base (pprof::base labels)" -traces -diff_base=heap.pb.gz allocs.pb.gz
same "traces base" -traces -base=heap.pb.gz allocs.pb.gz

# Source file names go through filepath.Clean ("./nptl/x.c" is "nptl/x.c",
# "./src.c" and "src.c" are one file), in the ROUTINE lines, the "could
# not find file" errors and the files read.
if go build -o "$TMP/pathprof" "$ROOT/tests/go/pathprof.go" 2>"$TMP/build.err" &&
	"$TMP/pathprof" "$TMP" 2>"$TMP/gen.err"; then
	printf 'int a;\nint b;\nint c;\nint helper(void)\n{\n\treturn 1;\n}\n' >src.c
	same "list cleans file names" -list=. paths.pb.gz
	same "list, a file named two ways" -list=helper paths.pb.gz
else
	fail "build and run tests/go/pathprof.go" "$(cat "$TMP/build.err" "$TMP/gen.err")"
fi

# A filter that matches no location of any sample: go tool pprof warns
# on stderr, once per filter, and prints the report.
same_stderr "focus matching nothing warns" -top -focus=nosuchfunction cpu.pb.gz
same_stderr "ignore matching nothing warns" -top -ignore=nosuchfunction cpu.pb.gz
same_stderr "hide matching nothing warns" -top -hide=nosuchfunction cpu.pb.gz
same_stderr "show matching nothing warns" -top -show=nosuchfunction cpu.pb.gz
same_stderr "four filters matching nothing" -top -focus=nosuch1 -ignore=nosuch2 -hide=nosuch3 -show=nosuch4 heap.pb.gz
same_stderr "focus matching only ignored frames" -top -focus=main -ignore=main cpu.pb.gz
same_stderr "show after hide removed everything" -top -hide=. -show=main cpu.pb.gz
same_stderr "filters that match: no warning" -top -focus=main -ignore=sort -hide=runtime -show=main cpu.pb.gz
same_stderr "peek warns too" -peek=main -ignore=nosuchfunction cpu.pb.gz
same_stderr "traces warn too" -traces -show=nosuchfunction goroutine.pb.gz
same_stderr "warnings on a merged base" -top -base=cpu.pb.gz -focus=main cpu.pb.gz

# Fractions and counts outside the usual range are taken as pprof takes
# them: |fraction x total| is the cut-off, NaN or a huge value cuts
# nothing, a negative node count is no limit.
same "top nodefraction above 1" -top -nodefraction=2 cpu.pb.gz
same "top nodefraction negative" -top -nodefraction=-1 cpu.pb.gz
same "top nodefraction NaN" -top -nodefraction=NaN cpu.pb.gz
same "top nodefraction huge" -top -nodefraction=1e30 cpu.pb.gz
same "top edgefraction above 1 (no inline marks)" -top -edgefraction=2 cpu.pb.gz
same "top edgefraction negative" -top -edgefraction=-0.5 cpu.pb.gz
same "top nodecount negative" -top -nodecount=-5 cpu.pb.gz

# -cum and -flat together: pprof's words (it lists the two in map
# order); proflab keeps its usage exit status, 2.
go tool pprof -symbolize=none -top -cum -flat cpu.pb.gz >/dev/null 2>"$TMP/go.err"
run "$PROFLAB" pprof -top -cum -flat cpu.pb.gz
if ! grep -qxE 'conflicting options set: \[(cum flat|flat cum)\]' "$TMP/go.err"; then
	fail "-cum -flat conflict" "go tool pprof said: $(head -c 200 "$TMP/go.err")"
elif [ "$RC" -eq 2 ] && [ "$ERR" = "proflab pprof: conflicting options set: [cum flat]" ] && [ -z "$OUT" ]; then
	pass "-cum -flat conflict"
else
	fail "-cum -flat conflict" "exit $RC" "stderr: ${ERR:0:200}"
fi

# -unit reaches -list too; an empty -unit= is pprof's base unit (0.60s).
same "list with unit us" -list=hashLoop -unit=us cpu.pb.gz
same "list heap with unit kB" -list='main\.alloc' -alloc_space -unit=kB heap.pb.gz
same "top with an empty unit" -top -unit= -alloc_space heap.pb.gz

# "Active filters:" cuts a filter after 80 bytes of "focus=...".
same "long focus cut in Active filters" -top -focus="$(printf 'x%.0s' $(seq 73))|main" cpu.pb.gz
same "focus of 80 bytes kept whole" -top -focus="$(printf 'x%.0s' $(seq 69))|main" cpu.pb.gz
