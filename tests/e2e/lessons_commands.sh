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
