# install.sh - make install DESTDIR=... gives a working, relocatable install,
# and the man page's LINKING command, run as written against it, links the
# static runtime in (no NEEDED libproflab.so) and writes a CPU profile.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/link_lib.sh"

dest=$TMP/dest
# Under a strict umask: what is installed must still be usable by everyone.
run bash -c 'umask 077 && make -C "$1" --no-print-directory BUILD="$2" install DESTDIR="$3" PREFIX=/usr' \
	_ "$ROOT" "$BUILD" "$dest"
expect_rc "make install succeeds (umask 077)" 0
bad=$(find "$dest/usr" \( -type d ! -perm 755 \) -o \( -type f ! -perm 644 ! -perm 755 \) | head -5)
expect_eq "installed dirs are 755, files 644 or 755 (umask 077)" "$bad" ""
bad=$(cd "$ROOT" && find lessons exercises quizzes -type f | while IFS= read -r f; do
	want=644
	[ -x "$f" ] && want=755
	got=$(stat -c %a "$dest/usr/share/proflab/$f")
	[ "$got" = "$want" ] || echo "$f: $got, want $want"
done | head -5)
expect_eq "installed content keeps only its executable bits (umask 077)" "$bad" ""
for f in usr/bin/proflab usr/lib/libproflab.a usr/lib/libproflab.so usr/include/proflab.h \
	usr/share/man/man1/proflab.1 usr/share/proflab/lessons usr/share/proflab/exercises \
	usr/share/proflab/quizzes; do
	if [ -e "$dest/$f" ]; then pass "installed $f"; else fail "installed $f" "missing $dest/$f"; fi
done
run bash -c "cd / && '$dest/usr/bin/proflab' --version"
expect_rc "installed binary runs" 0
# Hide the source tree from the installed binary: it must use its share dir.
run bash -c "cd / && '$dest/usr/bin/proflab' lessons"
expect_rc "installed binary lists lessons" 0
n_inst=$(ls "$dest/usr/share/proflab/lessons" | grep -c '\.md$')
n_out=$(grep -c . <<<"$OUT")
expect_eq "installed binary finds its chapters" "$n_out" "$n_inst"
if man -l "$dest/usr/share/man/man1/proflab.1" 2>/dev/null | grep -q "proflab"; then
	pass "man page renders"
else
	fail "man page renders"
fi

# The man page's LINKING block, unescaped (\- and \\), against the DESTDIR
# tree: the compiler finds its headers and libraries through CPATH and
# LIBRARY_PATH, where -lproflab would find libproflab.so first.
block=$(sed -n '/^\.SH LINKING/,/^\.SH /{/^\.nf/,/^\.fi/p}' "$dest/usr/share/man/man1/proflab.1" |
	sed '/^\.nf/d; /^\.fi/d; s/\\-/-/g; s/\\\\/\\/g')
expect_contains "man page has the link command" "$block" "-Wl,--whole-archive -l:libproflab.a"
mkdir -p "$TMP/prog"
write_link_prog "$TMP/prog/prog.c"
link_cc_wrapper "$TMP/bin"
run env CPATH="$dest/usr/include" LIBRARY_PATH="$dest/usr/lib" bash -ec "cd '$TMP/prog'
$block"
expect_rc "man page's link command builds and runs the program" 0
needed=$(readelf -d "$TMP/prog/prog" 2>&1 | grep NEEDED)
expect_not_contains "man page's program does not need libproflab.so" "$needed" "libproflab"
if [ -s "$TMP/prog/cpu.pb.gz" ]; then pass "man page's program writes cpu.pb.gz"; else fail "man page's program writes cpu.pb.gz" "stderr: ${ERR:0:600}"; fi
run "$PROFLAB" pprof -top "$TMP/prog/cpu.pb.gz"
expect_contains "man page's profile has the program's function" "$OUT" "spin"
