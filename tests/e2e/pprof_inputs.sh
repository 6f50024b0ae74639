# pprof_inputs.sh - inputs that never end or never open: a profile read
# from /dev/zero or a file past the size cap is refused with one line
# naming it; -list reads only regular source files, so a FIFO, a device or
# a directory named by the profile is an error line, not a hang. Pipes
# stay valid profile inputs.
#
# Every run has a timeout, and a memory limit (an address-space limit, or
# under ASan a largest allocation), so a regression fails here instead of
# hanging or eating the machine's memory.
. "$(dirname "$0")/lib.sh"
export HOME=$TMP PPROF_TMPDIR=$TMP
cd "$TMP" || exit 1

if [ -n "${PROFLAB_SANITIZED:-}" ]; then
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}max_allocation_size_mb=1024
fi
# bounded CMD...: run() with a timeout and a memory limit.
bounded() {
	if [ -n "${PROFLAB_SANITIZED:-}" ]; then
		run timeout 30 "$@"
	else
		run bash -c 'ulimit -v 2000000 && exec timeout 30 "$@"' bounded "$@"
	fi
}

# 1. Profiles: a size cap, whatever the kind of file.
if [ -c /dev/zero ]; then
	bounded "$PROFLAB" pprof -top /dev/zero
	expect_rc "/dev/zero as a profile exits 1" 1
	expect_eq "/dev/zero as a profile: one line naming it" "$ERR" \
		"proflab pprof: /dev/zero: larger than 256 MiB, not a profile proflab reads"
fi
truncate -s 300M huge.pb.gz
bounded "$PROFLAB" pprof -top huge.pb.gz
expect_rc "a 300 MiB file exits 1" 1
expect_eq "a 300 MiB file: one line naming it" "$ERR" \
	"proflab pprof: huge.pb.gz: larger than 256 MiB, not a profile proflab reads"
bounded "$PROFLAB" flame huge.pb.gz --folded
expect_rc "flame: a 300 MiB file exits 1" 1
expect_contains "flame: a 300 MiB file named" "$ERR" "huge.pb.gz: larger than 256 MiB"
rm -f huge.pb.gz

record_cpu_split || exit 0
bounded bash -c '"$1" pprof -top <(cat cpu.pb.gz)' - "$PROFLAB"
expect_rc "a profile from a pipe is still read" 0
expect_contains "a profile from a pipe: top" "$OUT" "work_a"

# 2. -list: the profile names tests/progs/cpu_split.c, found under the
# current directory. Here it is everything but a regular file.
mkdir -p src/tests/progs
cd src || exit 1
listing() { # NAME: -list=work_a with the source in place; an error line naming it
	bounded "$PROFLAB" pprof -list=work_a ../cpu.pb.gz
	expect_rc "list, $1: exits 0" 0
	expect_contains "list, $1: error line" "$OUT" \
		" Error: open $TMP/src/tests/progs/cpu_split.c: $2"
}
src=tests/progs/cpu_split.c
cp "$ROOT/tests/progs/cpu_split.c" $src
bounded "$PROFLAB" pprof -list=work_a ../cpu.pb.gz
expect_rc "list, regular source: exits 0" 0
expect_contains "list, regular source: lines" "$OUT" "static int64_t work_a(int64_t ns)"
rm -f $src
mkfifo $src
listing "FIFO" "not a regular file"
rm -f $src
if [ -c /dev/zero ]; then
	ln -s /dev/zero $src
	listing "link to /dev/zero" "not a regular file"
	rm -f $src
fi
mkdir $src
listing "directory" "not a regular file"
rmdir $src
truncate -s 65M $src
listing "65 MiB source" "larger than 64 MiB, not a source file proflab lists"
rm -f $src
