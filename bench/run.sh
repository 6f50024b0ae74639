#!/usr/bin/env bash
# bench/run.sh - `make bench`: runs every bench/NN-*.sh section and writes
# bench/RESULTS.md: the machine first, then each section's Markdown.
# A section prints Markdown on stdout (tables with proflab and its peer side
# by side) and exits non-zero if it could not measure.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
export PROFLAB_ROOT=$PWD
out=bench/RESULTS.md
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
{
	echo "# proflab benchmark results"
	echo
	echo "Written by \`make bench\` on $(date -u '+%Y-%m-%d %H:%M UTC'). Each section names the"
	echo "target from its issue, proflab's number and the peer's, measured in the same run."
	echo
	echo "## Machine"
	echo
	echo "| | |"
	echo "|---|---|"
	echo "| CPU | $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') |"
	echo "| cores | $(nproc) |"
	echo "| memory | $(free -g | awk '/Mem:/ {print $2}') GiB |"
	echo "| kernel | $(uname -r) |"
	echo "| OS | $(. /etc/os-release; echo "$PRETTY_NAME") |"
	echo "| compiler | $(${CC:-cc} --version | head -1) |"
	echo
} >"$tmp"
status=0
for s in bench/[0-9]*.sh; do
	[ -f "$s" ] || continue
	echo "bench: $s" >&2
	if ! bash "$s" >>"$tmp"; then
		echo "bench: $s failed" >&2
		printf '\n(section %s failed to measure)\n\n' "$(basename "$s")" >>"$tmp"
		status=1
	fi
done
cat "$tmp" >"$out"
echo "bench: wrote $out" >&2
exit $status
