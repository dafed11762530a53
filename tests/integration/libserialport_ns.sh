#!/bin/bash
# The libserialport path, not only termios: in a private mount namespace the
# emulator's pty is bind-mounted over a real /dev/ttyS* node (so
# libserialport finds its sysfs entry) and an LD_PRELOAD shim answers the
# modem-line ioctls ptys reject.  The dump must read through libserialport
# and count exactly what the emulator sent; without the shim the same port
# falls back to termios.  Skipped where `unshare -m` is not permitted.
. "$top_srcdir/tests/integration/lib.sh"
set -u
need_tools jq unshare mount

SHIM="$top_builddir/tests/integration/libmodemshim.so"
[ -f "$SHIM" ] || fail "$SHIM is not built"

if ! unshare -m true 2>/dev/null; then
	skip "unshare -m is not permitted here (needs root or user namespaces): libserialport path not tested"
fi
node=""
for n in /dev/ttyS*; do
	[ -c "$n" ] && [ -e "/sys/class/tty/$(basename "$n")" ] && { node=$n; break; }
done
if [ -z "$node" ]; then
	skip "no /dev/ttyS* node with a sysfs entry to mount the pty over"
fi

# In a sanitizer build the shim is preloaded ahead of the ASan runtime.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

run_in_namespace() { # NAME PRELOAD
	start_emulator "$1" --format binary --frames 500 --speed 0 --seed 31 --garbage 5 --bad-crc 5 --split
	timeout 60 unshare -m sh -c 'mount --bind "$1" "$2" && LD_PRELOAD="$3" exec "$4" --dump "$2"' \
		sh "$EMULATOR_PTY" "$node" "$2" "$INSOLED" >"$test_tmp/$1.out" 2>"$test_tmp/$1.err" ||
		fail "$1: dump in the namespace failed: $(tail -n 3 "$test_tmp/$1.err")"
	wait_pid "$EMULATOR_PID" 30 || fail "$1: the emulator failed"
}

run_in_namespace serialport "$SHIM"
driver=$(tail -n 1 "$test_tmp/serialport.out" | jq -r '.counters.devices[0].driver')
[ "$driver" = libserialport ] || fail "read $node through '$driver', want libserialport: $(head -n 3 "$test_tmp/serialport.err")"
compare_counters serialport "$test_tmp/serialport.out"

run_in_namespace plain ""
driver=$(tail -n 1 "$test_tmp/plain.out" | jq -r '.counters.devices[0].driver')
[ "$driver" = termios ] || fail "without the shim $node was read through '$driver', want the termios fallback"
compare_counters plain "$test_tmp/plain.out"
exit 0
