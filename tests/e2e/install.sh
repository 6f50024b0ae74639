# install.sh - make install DESTDIR=... gives a working, relocatable install.
. "$(dirname "$0")/lib.sh"

dest=$TMP/dest
run make -C "$ROOT" --no-print-directory BUILD="$BUILD" install DESTDIR="$dest" PREFIX=/usr
expect_rc "make install succeeds" 0
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
