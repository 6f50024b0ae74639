# flame.sh - `proflab flame`: folded totals against go tool pprof, SVG
# validity, differential colours, errors, and the terminal view in tmux.
. "$(dirname "$0")/lib.sh"

command -v xmllint >/dev/null || { fail "xmllint installed" "run: make deps"; exit 1; }
command -v go >/dev/null || { fail "go installed" "run: make deps"; exit 1; }
command -v tmux >/dev/null || { fail "tmux installed" "run: make deps"; exit 1; }
[ -x "$PROFLAB" ] || { fail "proflab is built" "$PROFLAB"; exit 1; }

# Sum of one value column of `go tool pprof -raw` (1 = first sample type).
raw_total() {
	go tool pprof -raw "$1" 2>/dev/null | awk -v c="$2" '
		/^Samples:/ { s = 1; getline; next }
		/^Locations/ { s = 0 }
		s && /:/ { sub(/:.*/, ""); t += $c }
		END { printf "%.0f\n", t }'
}
# Sum of column N from the end of folded lines (1 = last).
folded_total() {
	awk -v c="$2" '{ t += $(NF - c + 1) } END { printf "%.0f\n", t }' "$1"
}

# ---- a Go program: CPU profile, and deterministic heap profiles ----
mkdir -p "$TMP/goprog"
cat >"$TMP/goprog/main.go" <<'EOF'
package main

import (
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"time"
)

var sink [][]byte

//go:noinline
func allocA(n int) {
	for i := 0; i < n; i++ {
		sink = append(sink, make([]byte, 4096))
	}
}

//go:noinline
func allocB(n int) {
	for i := 0; i < n; i++ {
		sink = append(sink, make([]byte, 4096))
	}
}

//go:noinline
func spin(d time.Duration) int {
	x := 0
	for end := time.Now().Add(d); time.Now().Before(end); {
		for i := 0; i < 10000; i++ {
			x += i * i
		}
	}
	return x
}

func main() {
	switch os.Args[1] {
	case "cpu":
		f, _ := os.Create(os.Args[2])
		pprof.StartCPUProfile(f)
		spin(700 * time.Millisecond)
		pprof.StopCPUProfile()
		f.Close()
	case "heap":
		runtime.MemProfileRate = 1
		a, _ := strconv.Atoi(os.Args[3])
		b, _ := strconv.Atoi(os.Args[4])
		allocA(a)
		allocB(b)
		runtime.GC()
		f, _ := os.Create(os.Args[2])
		pprof.Lookup("allocs").WriteTo(f, 0)
		f.Close()
	}
}
EOF
(cd "$TMP/goprog" && printf 'module goprog\n\ngo 1.19\n' >go.mod && go build -o prog . ) >"$TMP/gobuild.log" 2>&1
if [ -x "$TMP/goprog/prog" ]; then pass "go program builds offline"; else fail "go program builds offline" "$(cat "$TMP/gobuild.log")"; exit 1; fi
"$TMP/goprog/prog" cpu "$TMP/cpu.pb.gz"
"$TMP/goprog/prog" heap "$TMP/before.pb.gz" 2000 200
"$TMP/goprog/prog" heap "$TMP/after.pb.gz" 200 2000

# ---- folded: counts add up to the profile's total, per sample type ----
for st in samples cpu; do
	run "$PROFLAB" flame "$TMP/cpu.pb.gz" --folded -sample_index=$st
	expect_rc "folded go cpu $st exits 0" 0
	printf '%s\n' "$OUT" >"$TMP/cpu.$st.folded"
	col=1; [ $st = cpu ] && col=2
	want=$(raw_total "$TMP/cpu.pb.gz" $col)
	got=$(folded_total "$TMP/cpu.$st.folded" 1)
	if [ "$want" -gt 0 ] && [ "$got" = "$want" ]; then pass "folded go cpu $st total = go tool pprof total ($want)"; else fail "folded go cpu $st total" "got $got, want $want"; fi
done
expect_contains "folded go cpu names the hot function" "$(cat "$TMP/cpu.cpu.folded")" "main.main;main.spin"
if grep -qvE '^[^ ].* -?[0-9]+$' "$TMP/cpu.cpu.folded"; then fail "folded lines are 'stack N'" "$(grep -vE '^[^ ].* -?[0-9]+$' "$TMP/cpu.cpu.folded" | head -3)"; else pass "folded lines are 'stack N'"; fi

for st in alloc_objects alloc_space inuse_objects inuse_space; do
	run "$PROFLAB" flame "$TMP/after.pb.gz" --folded -sample_index=$st
	printf '%s\n' "$OUT" >"$TMP/heap.folded"
	col=$(go tool pprof -raw "$TMP/after.pb.gz" 2>/dev/null | awk -v st=$st '/^Samples:/ { getline; for (i = 1; i <= NF; i++) if ($i ~ "^" st "/") print i; exit }')
	want=$(raw_total "$TMP/after.pb.gz" "$col")
	got=$(folded_total "$TMP/heap.folded" 1)
	if [ "$RC" -eq 0 ] && [ -n "$want" ] && [ "$got" = "$want" ]; then pass "folded go heap $st total ($want)"; else fail "folded go heap $st total" "rc $RC got $got, want $want"; fi
done
# allocs profiles default to alloc_space: allocB made 2000 x 4 KiB
run "$PROFLAB" flame "$TMP/after.pb.gz" --folded
b=$(grep -E ';main\.allocB( |;)' <<<"$OUT" | awk '{ t += $NF } END { printf "%.0f", t }')
if [ "$b" -ge $((2000 * 4096)) ] && [ "$b" -lt $((2100 * 4096)) ]; then pass "folded default sample type is alloc_space"; else fail "folded default sample type is alloc_space" "allocB total $b"; fi

# ---- SVG ----
run "$PROFLAB" flame "$TMP/cpu.pb.gz" -o "$TMP/cpu.svg"
expect_rc "svg exits 0" 0
if xmllint --noout "$TMP/cpu.svg" 2>"$TMP/xml.err"; then pass "svg is well-formed XML"; else fail "svg is well-formed XML" "$(head -5 "$TMP/xml.err")"; fi
svg=$(cat "$TMP/cpu.svg")
expect_contains "svg has a script" "$svg" "<script type=\"text/ecmascript\">"
expect_contains "svg can zoom" "$svg" "function zoom("
expect_contains "svg can search" "$svg" "function search("
if grep -qE 'href=|src=|@import|url\(' "$TMP/cpu.svg"; then fail "svg is self-contained" "$(grep -oE '.{20}(href=|src=|@import|url\().{20}' "$TMP/cpu.svg" | head -3)"; else pass "svg is self-contained"; fi
# every frame is a <g> with a <title> and a <rect>
ng=$(xmllint --xpath 'count(//*[local-name()="g"][*[local-name()="title"] and *[local-name()="rect"]])' "$TMP/cpu.svg" 2>/dev/null)
if [ "${ng:-0}" -ge 3 ]; then pass "svg frames are <g><title/><rect/></g> ($ng)"; else fail "svg frames" "count $ng"; fi
if grep -qE '<title>main\.spin \([0-9.]+(ms|s), [0-9.]+%\)</title>' "$TMP/cpu.svg"; then pass "svg title has time unit and percentage"; else fail "svg title has time unit and percentage" "$(grep -o '<title>main.spin[^<]*' "$TMP/cpu.svg")"; fi
if grep -qE '<title>root \([0-9.]+(ms|s), 100.00%\)</title>' "$TMP/cpu.svg"; then pass "svg root is 100%"; else fail "svg root is 100%" "$(grep -o '<title>root[^<]*' "$TMP/cpu.svg")"; fi
run "$PROFLAB" flame "$TMP/after.pb.gz" -sample_index=alloc_space -o "$TMP/heap.svg"
if grep -qE '<title>main\.allocB \([0-9.]+MB, [0-9.]+%\)</title>' "$TMP/heap.svg"; then pass "svg title in bytes"; else fail "svg title in bytes" "$(grep -o '<title>main.allocB[^<]*' "$TMP/heap.svg")"; fi
run "$PROFLAB" flame "$TMP/after.pb.gz" -sample_index=alloc_objects -o "$TMP/heapn.svg"
if grep -qE '<title>main\.allocB \([0-9]+ objects, [0-9.]+%\)</title>' "$TMP/heapn.svg"; then pass "svg title in objects for alloc_objects"; else fail "svg title in objects for alloc_objects" "$(grep -o '<title>main.allocB[^<]*' "$TMP/heapn.svg")"; fi

# ---- differential: allocA shrank, allocB grew ----
run "$PROFLAB" flame "$TMP/after.pb.gz" --base "$TMP/before.pb.gz" -o "$TMP/diff.svg"
expect_rc "diff svg exits 0" 0
if xmllint --noout "$TMP/diff.svg" 2>"$TMP/xml.err"; then pass "diff svg is well-formed XML"; else fail "diff svg is well-formed XML" "$(head -5 "$TMP/xml.err")"; fi
fillB=$(grep -oE '<title>main\.allocB \(before[^<]*</title><rect[^>]*fill="[^"]*"' "$TMP/diff.svg" | grep -oE 'fill="[^"]*"')
fillA=$(grep -oE '<title>main\.allocA \(before[^<]*</title><rect[^>]*fill="[^"]*"' "$TMP/diff.svg" | grep -oE 'fill="[^"]*"')
if [[ $fillB == 'fill="rgb(255,'* ]] && [[ $fillB != 'fill="rgb(255,255,'* ]]; then pass "diff: grown frame is red"; else fail "diff: grown frame is red" "$fillB"; fi
if [[ $fillA =~ fill=\"rgb\(([0-9]+),([0-9]+),255\)\" ]] && [ "${BASH_REMATCH[1]}" -lt 255 ]; then pass "diff: shrunk frame is blue"; else fail "diff: shrunk frame is blue" "$fillA"; fi
if grep -qE '<title>main\.allocB \(before [0-9.]+[kM]B [0-9.]+%, after [0-9.]+[kM]B [0-9.]+%, \+[0-9.]+%\)</title>' "$TMP/diff.svg"; then pass "diff title shows before, after and delta"; else fail "diff title" "$(grep -o '<title>main.allocB[^<]*' "$TMP/diff.svg")"; fi
run "$PROFLAB" flame "$TMP/after.pb.gz" --base "$TMP/before.pb.gz" --folded -sample_index=alloc_space
printf '%s\n' "$OUT" >"$TMP/diff.folded"
col=$(go tool pprof -raw "$TMP/after.pb.gz" 2>/dev/null | awk '/^Samples:/ { getline; for (i = 1; i <= NF; i++) if ($i ~ /^alloc_space\//) print i; exit }')
if [ "$(folded_total "$TMP/diff.folded" 1)" = "$(raw_total "$TMP/after.pb.gz" "$col")" ] &&
   [ "$(folded_total "$TMP/diff.folded" 2)" = "$(raw_total "$TMP/before.pb.gz" "$col")" ]; then
	pass "diff folded: OLD and NEW columns add up to each profile's total"
else
	fail "diff folded columns" "new $(folded_total "$TMP/diff.folded" 1) old $(folded_total "$TMP/diff.folded" 2)"
fi

# ---- errors and usage ----
# -o - writes the SVG (or, with --folded, the stacks) to standard output.
run "$PROFLAB" flame "$TMP/cpu.pb.gz" -o -
expect_rc "-o - exits 0" 0
expect_contains "-o - writes the SVG to stdout" "$OUT" "</svg>"
if [ -e ./- ] || [ -e "$TMP/-" ]; then fail "-o - creates no file named -"; else pass "-o - creates no file named -"; fi
run "$PROFLAB" flame "$TMP/cpu.pb.gz" --folded -o -
expect_contains "--folded -o - writes stacks to stdout" "$OUT" "main.spin"
# A profile with no sample types: as proflab pprof says it.
printf '\062\000' | gzip >"$TMP/notypes.pb.gz"
run "$PROFLAB" pprof -top "$TMP/notypes.pb.gz"
pprof_err=$ERR
for mode in --folded "-o $TMP/notypes.svg"; do
	# shellcheck disable=SC2086
	run "$PROFLAB" flame "$TMP/notypes.pb.gz" $mode
	expect_rc "no sample types ($mode) exits 1" 1
	expect_eq "no sample types ($mode): pprof's message" "$ERR" "${pprof_err/proflab pprof/proflab flame}"
done
expect_eq "no sample types: the message" "$pprof_err" "proflab pprof: profile has no samples"
run "$PROFLAB" flame "$TMP/cpu.pb.gz" </dev/null
expect_rc "no terminal exits 2" 2
expect_contains "no terminal says to use -o or --folded" "$ERR" "use -o OUT.svg"
run "$PROFLAB" flame "$TMP/missing.pb.gz" --folded
expect_rc "missing file exits 1" 1
expect_contains "missing file is named" "$ERR" "missing.pb.gz"
run "$PROFLAB" flame "$TMP/cpu.pb.gz" --folded -sample_index=bogus
expect_rc "unknown sample type exits 2" 2
expect_contains "unknown sample type lists the types" "$ERR" "samples, cpu"
run "$PROFLAB" flame --folded
expect_rc "no file exits 2" 2
# --base of another kind of profile: refused as go tool pprof -base refuses it.
run go tool pprof -top -base "$TMP/before.pb.gz" "$TMP/cpu.pb.gz"
expect_contains "go tool pprof -base refuses cpu against heap" "$ERR" "incompatible"
for mode in folded svg; do
	if [ $mode = folded ]; then args=(--folded); else args=(-o "$TMP/mixed.svg"); fi
	run "$PROFLAB" flame "$TMP/cpu.pb.gz" --base "$TMP/before.pb.gz" "${args[@]}"
	expect_rc "cpu --base heap ($mode) exits 1" 1
	expect_eq "cpu --base heap ($mode) names both files and the mismatch" "$ERR" \
		"proflab flame: $TMP/cpu.pb.gz and --base $TMP/before.pb.gz: incompatible period types cpu/nanoseconds and space/bytes"
	expect_eq "cpu --base heap ($mode) prints nothing" "$OUT" ""
done
if [ -e "$TMP/mixed.svg" ]; then fail "cpu --base heap writes no SVG"; else pass "cpu --base heap writes no SVG"; fi
printf 'not a profile' >"$TMP/junk.pb.gz"
run "$PROFLAB" flame "$TMP/junk.pb.gz" --folded
if [ "$RC" -ne 0 ] && [[ $ERR == *junk.pb.gz* ]]; then pass "malformed profile fails naming the file"; else fail "malformed profile" "rc $RC" "$ERR"; fi

# ---- the terminal view, driven in tmux ----
SOCK=proflab-flame-$$
T="tmux -L $SOCK -f /dev/null"
cleanup_tmux() { $T kill-server >/dev/null 2>&1; }
trap 'cleanup_tmux; rm -rf "$TMP"' EXIT
# wait_for NAME PATTERN [TIMEOUT]: poll the pane until it matches (grep -E).
wait_for() {
	local i
	for ((i = 0; i < ${3:-100}; i++)); do
		PANE=$($T capture-pane -p -t flame 2>/dev/null)
		if grep -qE -- "$2" <<<"$PANE"; then pass "$1"; return 0; fi
		sleep 0.1
	done
	fail "$1" "pattern: $2" "pane:" "$PANE"
	return 1
}
status_line() { $T capture-pane -p -t flame | grep -v '^$' | tail -1; }
$T new-session -d -s flame -x 120 -y 30 \
	"TERM=xterm-256color '$PROFLAB' flame '$TMP/after.pb.gz' -sample_index=alloc_space; echo \"rc=\$?\"; sleep 60"
# Go stacks start at runtime.main, which calls main.main.
wait_for "view opens with the selected frame on the status line" '^runtime\.main \([0-9.]+[kM]B, [0-9.]+%\)'
wait_for "view has a header with the file" 'after\.pb\.gz \(alloc_space\)'
$T send-keys -t flame Down
wait_for "Down selects the callee" '^main\.main \([0-9.]+MB, [0-9.]+%\)'
$T send-keys -t flame Down
wait_for "Down selects the widest callee" '^main\.allocB \([0-9.]+MB, [0-9.]+%\)'
$T send-keys -t flame Left
wait_for "Left moves to the sibling" '^main\.allocA \([0-9.]+kB, [0-9.]+%\)'
$T send-keys -t flame Up
wait_for "Up selects the caller" '^main\.main \('
$T send-keys -t flame Down Enter
wait_for "Enter zooms into the frame" 'zoom: main\.allocB'
$T send-keys -t flame Escape
wait_for "Esc zooms out one level" '^main\.allocB \([0-9.]+MB, [0-9.]+%\)  \| zoom: main\.main$'
$T send-keys -t flame BSpace
wait_for "Backspace zooms out one more level" '\| zoom: runtime\.main$'
$T send-keys -t flame BSpace
wait_for "zoomed out fully: no zoom on the status line" '^main\.allocB \([0-9.]+MB, [0-9.]+%\)$'
$T send-keys -t flame / 'alloc[AB]' Enter
wait_for "search shows the matched share" '/alloc\[AB\]/ matched [0-9]+\.[0-9]+%'
share=$(status_line | grep -oE 'matched [0-9.]+' | cut -d' ' -f2)
if awk -v s="$share" 'BEGIN { exit !(s > 80 && s <= 100) }'; then pass "search share covers allocA+allocB ($share%)"; else fail "search share" "$share" "$(status_line)"; fi
$T send-keys -t flame q
wait_for "q quits with status 0" '^rc=0$'
alt=$($T display -p -t flame '#{alternate_on}')
expect_eq "terminal restored (alternate screen off)" "$alt" "0"
cleanup_tmux

# UTF-8 names are measured in display columns, not bytes: the 17-column
# (26-byte) name fits a 20-column frame whole. And after the window grows
# back, the view scrolls back so that the root is in view.
mkdir -p "$TMP/utf8prog"
cat >"$TMP/utf8prog/main.go" <<'EOF'
package main

import (
	"os"
	"runtime"
	"runtime/pprof"
)

var sink [][]byte

//go:noinline
func 日本語関数名() {
	for i := 0; i < 100; i++ {
		sink = append(sink, make([]byte, 4096))
	}
}

func main() {
	runtime.MemProfileRate = 1
	日本語関数名()
	runtime.GC()
	f, _ := os.Create(os.Args[1])
	pprof.Lookup("heap").WriteTo(f, 0)
	f.Close()
}
EOF
(cd "$TMP/utf8prog" && GO111MODULE=off go build -o utf8prog main.go && ./utf8prog "$TMP/utf8.pb.gz")
$T new-session -d -s flame -x 20 -y 12 \
	"LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color '$PROFLAB' flame '$TMP/utf8.pb.gz' -sample_index=alloc_space; echo \"rc=\$?\"; sleep 60"
wait_for "utf8: view opens" 'runtime\.main'
wait_for "utf8: a name is cut by display width, not bytes" '^\|?main\.日本語関数名 *$'
$T resize-window -t flame -x 20 -y 4
$T send-keys -t flame Down Down Down Down Down
sleep 0.3
$T resize-window -t flame -x 20 -y 12
$T send-keys -t flame Up
wait_for "resize: root in view again when there is room" '^\|?root *$'
$T send-keys -t flame q
cleanup_tmux
