# tests/e2e/fuzz_pprof.sh - a short libFuzzer run (about 25 s) of the
# profile decoder and reports, from the seed corpus in tests/fuzz/corpus.
# `make fuzz FUZZ_TIME=N` fuzzes for longer.
source "$(dirname "$0")/lib.sh"
rel=${BUILD#"$ROOT"/}
if ! make -s -C "$ROOT" BUILD="$rel" fuzz-build >"$TMP/build.log" 2>&1; then
	fail "fuzz target builds (clang -fsanitize=fuzzer)" "$(tail -5 "$TMP/build.log")"
	exit 1
fi
pass "fuzz target builds (clang -fsanitize=fuzzer)"
mkdir -p "$TMP/corpus"
if "$BUILD/fuzz/fuzz_profile" -max_total_time=${FUZZ_SECONDS:-25} -timeout=10 -rss_limit_mb=2048 \
	-max_len=65536 -artifact_prefix="$TMP/" "$TMP/corpus" "$ROOT/tests/fuzz/corpus" \
	>"$TMP/fuzz.log" 2>&1; then
	runs=$(grep -o 'Done [0-9]* runs' "$TMP/fuzz.log")
	pass "fuzzing decoder and reports: no crash, leak or hang ($runs)"
else
	fail "fuzzing decoder and reports: no crash, leak or hang" "$(grep -A15 -m1 'ERROR\|==ERROR\|runtime error\|deadly signal' "$TMP/fuzz.log" | head -25)"
fi
