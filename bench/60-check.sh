#!/usr/bin/env bash
# bench/60-check.sh - how long the exercises and their checks take.
# Targets: `proflab check --all --solution` within 2 minutes on a 2-core
# machine; each pristine exercise runs in under 15 s. Side by side per
# exercise: the pristine program alone, the same under proflab's CPU and
# heap profilers (as `proflab run` does), and the reference solution alone.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PROFLAB=$PWD/$BUILD/proflab
TMP=$(mktemp -d /tmp/proflab-bench-check.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
export PROFLAB_HOME=$TMP/home XDG_STATE_HOME=$TMP/state NO_COLOR=1

secs() { # command... -> elapsed seconds on stdout; its output in $TMP/last.out
	local s e
	s=$(date +%s.%N)
	"$@" >"$TMP/last.out" 2>/dev/null
	e=$(date +%s.%N)
	awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f", e - s }'
}

echo "## Exercises and \`proflab check\`"
echo
echo "| exercise | pristine alone (s) | pristine under proflab (s) | solution alone (s) | target |"
echo "|---|---|---|---|---|"
for d in exercises/[0-9][0-9]-*/; do
	slug=$(basename "$d")
	build=$(sed -n 's/^build[ \t]*//p' "$d/manifest")
	runcmd=$(sed -n 's/^run[ \t]*//p' "$d/manifest")
	mkdir -p "$TMP/p/$slug" "$TMP/s/$slug"
	for f in $(sed -n 's/^files[ \t]*//p' "$d/manifest"); do
		cp "$d/$f" "$TMP/p/$slug/"
		cp "$d/$f" "$TMP/s/$slug/"
		[ -f "$d/solution/$f" ] && cp "$d/solution/$f" "$TMP/s/$slug/"
	done
	(cd "$TMP/p/$slug" && sh -c "$build") >/dev/null 2>&1 || { echo "cannot build $slug" >&2; exit 1; }
	(cd "$TMP/s/$slug" && sh -c "$build") >/dev/null 2>&1 || { echo "cannot build $slug solution" >&2; exit 1; }
	# shellcheck disable=SC2086
	tp=$(cd "$TMP/p/$slug" && secs $runcmd)
	# shellcheck disable=SC2086
	tr=$(cd "$TMP/p/$slug" && secs "$PROFLAB" record -cpuprofile "$TMP/cpu.pb.gz" -memprofile "$TMP/heap.pb.gz" -- $runcmd)
	# shellcheck disable=SC2086
	ts=$(cd "$TMP/s/$slug" && secs $runcmd)
	echo "| $slug | $tp | $tr | $ts | pristine < 15 s: $(awk -v t="$tp" 'BEGIN { print (t < 15) ? "met" : "MISSED" }') |"
done
echo
t=$(secs "$PROFLAB" check --all --solution)
summary=$(tail -1 "$TMP/last.out")
echo "| check | seconds | result | target |"
echo "|---|---|---|---|"
echo "| \`proflab check --all --solution\` | $t | $summary | < 120 s: $(awk -v t="$t" 'BEGIN { print (t < 120) ? "met" : "MISSED" }') |"
t2=$(secs "$PROFLAB" check --all)
echo "| \`proflab check --all\` (pristine) | $t2 | $(tail -1 "$TMP/last.out") | every one fails |"
echo
echo "Each check builds and runs both the candidate and the pristine program under the profilers."
