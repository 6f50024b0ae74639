#!/usr/bin/env bash
# readme_link.sh - the README's "Profiling your own programs" link command,
# taken verbatim from its fenced block, builds a program that writes a CPU
# profile: the documentation cannot drift from what the build needs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/link_lib.sh"

# The ```sh block that links with --whole-archive.
block=$(awk '
	/^```/ { if (inblock) { if (buf ~ /--whole-archive/) { printf "%s", buf; exit } inblock = 0; buf = ""; next }
		 if ($0 == "```sh") inblock = 1; next }
	inblock { buf = buf $0 "\n" }' "$ROOT/README.md")
expect_contains "README has the link command" "$block" "--whole-archive build/libproflab.a"

# The block runs from the top of a source tree: include/ and build/.
mkdir -p "$TMP/tree"
ln -s "$ROOT/include" "$TMP/tree/include"
ln -s "$BUILD" "$TMP/tree/build"
write_link_prog "$TMP/tree/myprog.c"
link_cc_wrapper "$TMP/bin"
run bash -ec "cd '$TMP/tree'
$block"
expect_rc "README's link command builds and runs the program" 0
if [ -s "$TMP/tree/cpu.pb.gz" ]; then pass "README's program writes cpu.pb.gz"; else fail "README's program writes cpu.pb.gz" "stderr: ${ERR:0:600}"; fi
run "$PROFLAB" pprof -top "$TMP/tree/cpu.pb.gz"
expect_rc "README's profile reads" 0
expect_contains "README's profile has the program's function" "$OUT" "spin"
