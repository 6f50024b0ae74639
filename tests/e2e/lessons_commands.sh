# lessons_commands.sh - every command shown in a chapter runs: Go's and
# proflab's, with the files the chapter writes out (tests/tools/lesson_script.py).
. "$(dirname "$0")/lib.sh"

export PATH="$BUILD:$PATH"
export HOME=$TMP/gohome PPROF_TMPDIR=$TMP/pprof
mkdir -p "$HOME" "$PPROF_TMPDIR"
only=${LESSON:-}
for md in "$ROOT"/lessons/[0-9]*.md; do
	ch=$(basename "$md" .md)
	[ -n "$only" ] && [[ $ch != *"$only"* ]] && continue
	dir=$TMP/$ch
	mkdir -p "$dir"
	python3 "$ROOT/tests/tools/lesson_script.py" "$md" "$ch" >"$dir/run.sh" ||
		{ fail "$ch: parse"; continue; }
	(cd "$dir" && bash run.sh)
done

# Chapter 5's heap example is built on a contrast: scratch() allocates the
# most but frees it all, so it must be in alloc_space and not in
# inuse_space. (GCC at -O2 removes a malloc/free pair it can see through.)
heap=$TMP/05-flame-graphs/heap.pb.gz
if [ -z "$only" ] || [[ 05-flame-graphs == *"$only"* ]]; then
	alloc=$(proflab flame "$heap" -sample_index=alloc_space --folded 2>&1)
	inuse=$(proflab flame "$heap" -sample_index=inuse_space --folded 2>&1)
	expect_contains "05: scratch in alloc_space" "$alloc" ";main;scratch "
	expect_contains "05: cache_entry in alloc_space" "$alloc" ";main;cache_entry "
	expect_not_contains "05: scratch not in inuse_space" "$inuse" "scratch"
	expect_contains "05: cache_entry in inuse_space (100 blocks of 4 kB)" "$inuse" ";main;cache_entry 409600"
fi
