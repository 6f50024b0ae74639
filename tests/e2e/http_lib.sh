# tests/e2e/http_lib.sh - running tests/progs/http_service under the
# preloaded runtime with its debug endpoint, for http.sh and http_life.sh.
# Source it after lib.sh.

LIB=$BUILD/libproflab.so
PROG=$BUILD/tests/progs/http_service

# start_service NAME ROUNDS [VAR=VALUE...]: run the service under the
# preloaded runtime with PROFLAB_HTTP=127.0.0.1:0 (unless given) until
# stop_service; sets PID, PORT, STOP, SOUT, SERR.
start_service() {
	local name=$1 rounds=$2 i
	shift 2
	STOP=$TMP/$name.stop SOUT=$TMP/$name.out SERR=$TMP/$name.err
	rm -f "$STOP"
	env PROFLAB_HTTP=127.0.0.1:0 "$@" LD_PRELOAD="$LIB" "$PROG" "$rounds" "$STOP" >"$SOUT" 2>"$SERR" &
	PID=$!
	PORT=
	for i in $(seq 1 300); do
		PORT=$(sed -n 's|^proflab: serving /debug/pprof/ on http://.*:\([0-9][0-9]*\).*|\1|p' "$SERR")
		[ -n "$PORT" ] && return 0
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.1
	done
	fail "start $name" "no serving line; stderr: $(cat "$SERR")"
	return 1
}
stop_service() {
	touch "$STOP"
	wait "$PID"
	SRC=$?
}
