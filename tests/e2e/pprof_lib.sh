# tests/e2e/pprof_lib.sh - comparing `proflab pprof` with `go tool pprof`,
# for pprof_go.sh and pprof_own.sh. Source it after lib.sh.

# same NAME ARGS...: both tools' stdout and exit status must agree, and
# a report that succeeds must not be empty.
same() {
	local name=$1 gr pr
	shift
	go tool pprof -symbolize=none "$@" >"$TMP/go.out" 2>"$TMP/go.err"
	gr=$?
	"$PROFLAB" pprof "$@" >"$TMP/pl.out" 2>"$TMP/pl.err"
	pr=$?
	if [ "$gr" -ne "$pr" ]; then
		fail "$name" "exit status: go $gr, proflab $pr" "go stderr: $(head -c 300 "$TMP/go.err")" \
			"proflab stderr: $(head -c 300 "$TMP/pl.err")"
	elif ! cmp -s "$TMP/go.out" "$TMP/pl.out"; then
		fail "$name" "$(diff "$TMP/go.out" "$TMP/pl.out" | head -20)"
	elif [ "$gr" -eq 0 ] && ! grep -q . "$TMP/go.out"; then
		fail "$name" "go tool pprof printed nothing"
	else
		pass "$name"
	fi
}

# same_stderr NAME ARGS...: as same, and the warnings both tools write to
# stderr (e.g. "Focus expression matched no samples") must agree too.
same_stderr() {
	local name=$1
	same "$@"
	if cmp -s "$TMP/go.err" "$TMP/pl.err"; then
		pass "$name: stderr"
	else
		fail "$name: stderr" "$(diff "$TMP/go.err" "$TMP/pl.err" | head -10)"
	fi
}
