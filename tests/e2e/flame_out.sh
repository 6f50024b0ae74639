# flame_out.sh - where output files go: `flame -o` and `record
# -cpuprofile` replace a regular file whole, keep a symbolic link and
# replace its target, and write devices and FIFOs in place (never turning
# them into regular files); a full device is a one-line error.
#
# Devices and /dev/stdout: the real ones only when this process cannot
# create files in /dev (a regression then fails instead of replacing
# them); otherwise copies made here (mknod, ln -s), or the case is
# skipped.
. "$(dirname "$0")/lib.sh"
export HOME=$TMP
cd "$TMP" || exit 1

PROGS=$BUILD/tests/progs
record_cpu_split || exit 0

# device NAME MAJOR MINOR: prints a safe path to the device, or nothing.
device() {
	if [ ! -w /dev ] && [ -c "/dev/$1" ]; then
		echo "/dev/$1"
	elif mknod "$TMP/$1" c "$2" "$3" 2>/dev/null && : 2>/dev/null >"$TMP/$1"; then
		echo "$TMP/$1"
	fi
}

# A symbolic link stays; the file it names gets the SVG.
echo old >real.svg
ln -s real.svg link.svg
run "$PROFLAB" flame cpu.pb.gz -o link.svg
expect_rc "flame -o link: exits 0" 0
if [ -L link.svg ] && head -c 200 real.svg | grep -q '<svg'; then
	pass "flame -o link: link kept, target written"
else
	fail "flame -o link: link kept, target written" "$(ls -l link.svg real.svg)"
fi

# A FIFO is written, not replaced.
mkfifo out.fifo
timeout 30 cat out.fifo >from_fifo.svg &
reader=$!
run timeout 30 "$PROFLAB" flame cpu.pb.gz -o out.fifo
expect_rc "flame -o FIFO: exits 0" 0
wait $reader
if [ -p out.fifo ] && grep -q '</svg>' from_fifo.svg; then
	pass "flame -o FIFO: the reader gets the SVG"
else
	fail "flame -o FIFO: the reader gets the SVG" "$(ls -l out.fifo from_fifo.svg)"
fi

# /dev/stdout: what fd 1 holds, here a pipe. As for devices, the real
# /dev/stdout only when /dev is not ours to write; else a link made here
# the same way (-> /proc/self/fd/1).
stdout_link=/dev/stdout
if [ -w /dev ]; then
	stdout_link=$TMP/stdout
	ln -s /proc/self/fd/1 "$stdout_link"
fi
run "$PROFLAB" flame cpu.pb.gz -o "$stdout_link"
expect_rc "flame -o /dev/stdout: exits 0" 0
expect_contains "flame -o /dev/stdout: the SVG on stdout" "$OUT" "</svg>"
if [ -L "$stdout_link" ]; then pass "flame -o /dev/stdout: still a link"; else fail "flame -o /dev/stdout: still a link" "$(ls -l "$stdout_link")"; fi

null=$(device null 1 3)
if [ -n "$null" ]; then
	run "$PROFLAB" flame cpu.pb.gz -o "$null"
	expect_rc "flame -o null device: exits 0" 0
	if [ -c "$null" ]; then pass "flame -o null device: still a device"; else fail "flame -o null device: still a device" "$(ls -l "$null")"; fi
	run "$PROFLAB" record -cpuprofile "$null" -- "$PROGS/cpu_split"
	expect_rc "record -cpuprofile null device: exits 0" 0
	expect_eq "record -cpuprofile null device: nothing on stderr" "$ERR" ""
	if [ -c "$null" ]; then pass "record -cpuprofile null device: still a device"; else fail "record -cpuprofile null device: still a device" "$(ls -l "$null")"; fi
else
	pass "flame -o null device: skipped (no safe device)"
fi

full=$(device full 1 7)
if [ -n "$full" ]; then
	run "$PROFLAB" flame cpu.pb.gz -o "$full"
	if [ -c "$full" ]; then
		pass "flame -o full device: still a device"
		expect_rc "flame -o full device: exits 1" 1
		expect_eq "flame -o full device: one line" "$ERR" \
			"proflab flame: $full: cannot write: No space left on device"
	else
		fail "flame -o full device: still a device" "$(ls -l "$full")"
	fi
else
	pass "flame -o full device: skipped (no safe device)"
fi
