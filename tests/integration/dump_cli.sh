#!/bin/bash
# `insoled --dump` as a firmware author meets it: a recorded byte stream
# from a file and from stdin (exact counts against the emulator), bare
# ASCII lines with and without --foot, and every command-line mistake
# answered with a message naming it and exit status 2 (1 for a device that
# cannot be opened).
. "$top_srcdir/tests/integration/lib.sh"
set -u
need_tools jq

# A recorded stream with faults, read from a file and from a pipe.
"$EMULATOR" --stdout --format binary --frames 400 --speed 0 --seed 41 --garbage 5 --bad-crc 5 --drop 5 \
	--duplicate 5 --stats "$test_tmp/file.stats" >"$test_tmp/capture.bin" 2>"$test_tmp/file.emu.err" || fail "emulator --stdout failed"
timeout 30 "$INSOLED" --dump "$test_tmp/capture.bin" >"$test_tmp/file.out" 2>"$test_tmp/file.err" || fail "dump of a file failed"
compare_counters file "$test_tmp/file.out"
[ "$(tail -n 1 "$test_tmp/file.out" | jq -r '.counters.devices[0].driver')" = file ] || fail "the capture was not read as a file"
cp "$test_tmp/file.stats" "$test_tmp/stdin.stats"
timeout 30 "$INSOLED" --dump - <"$test_tmp/capture.bin" >"$test_tmp/stdin.out" 2>"$test_tmp/stdin.err" || fail "dump of stdin failed"
compare_counters stdin "$test_tmp/stdin.out"

# A DIY board printing bare lines: dropped and counted without --foot, read
# as that foot with it.
printf '# my insole\r\n100,1,2,3\r\n110,4,5,6\r\n' >"$test_tmp/bare.txt"
"$INSOLED" --dump "$test_tmp/bare.txt" >"$test_tmp/bare.out" 2>"$test_tmp/bare.err" || fail "dump of bare lines failed"
[ "$(tail -n 1 "$test_tmp/bare.out" | jq '.counters.devices[0].protocol.bare_lines_without_foot')" = 2 ] ||
	fail "bare lines without --foot were not counted: $(tail -n 1 "$test_tmp/bare.out")"
grep -q 'configure the device.s foot' "$test_tmp/bare.err" || fail "no log line telling to set the foot: $(cat "$test_tmp/bare.err")"
"$INSOLED" --dump "$test_tmp/bare.txt" --foot right >"$test_tmp/bare2.out" 2>"$test_tmp/bare2.err" || fail "dump --foot right failed"
[ "$(head -n 1 "$test_tmp/bare2.out" | jq -c '[.foot, .seq, .t_us, .values]')" = '["right",0,100000,[1,2,3]]' ] ||
	fail "first bare line decoded as $(head -n 1 "$test_tmp/bare2.out")"
[ "$(tail -n 1 "$test_tmp/bare2.out" | jq -c '.counters.devices[0].protocol | [.frames, .comment_lines]')" = '[2,1]' ] ||
	fail "wrong counters: $(tail -n 1 "$test_tmp/bare2.out")"

# Mistakes: exit status and the message naming what was wrong.
expect_error() { # STATUS MESSAGE ARGS...
	status=$1
	msg=$2
	shift 2
	"$INSOLED" "$@" >"$test_tmp/err.out" 2>"$test_tmp/err.err"
	rc=$?
	[ "$rc" = "$status" ] || fail "insoled $*: exit status $rc, want $status"
	grep -qF -- "$msg" "$test_tmp/err.err" || fail "insoled $*: no '$msg' in: $(cat "$test_tmp/err.err")"
}
expect_error 2 "--baud 'fast' is not a baud rate" --dump /dev/null --baud fast
expect_error 2 "--foot 'middle' is not left or right" --dump /dev/null --foot middle
expect_error 2 "unknown option '--bogus'" --dump /dev/null --bogus 1
expect_error 2 "--baud needs a value" --dump /dev/null --baud
expect_error 1 "/nonexistent/insole: No such file or directory" --dump /nonexistent/insole
mkdir -p "$test_tmp/adir"
expect_error 1 "adir: is a directory, not a serial port or capture file" --dump "$test_tmp/adir"
expect_error 1 "usb:zz:1: not a USB port spec" --dump usb:zz:1
expect_error 1 "no USB serial device 1d50:6018" --dump usb:1d50:6018
"$INSOLED" --dump --help | grep -q '^usage: insoled --dump DEVICE' || fail "--dump --help printed no usage"
"$INSOLED" --dump="$test_tmp/bare.txt" --foot=left >"$test_tmp/eq.out" 2>/dev/null || fail "--dump=FILE --foot=left failed"
[ "$(head -n 1 "$test_tmp/eq.out" | jq -r .foot)" = left ] || fail "--foot=left not applied: $(head -n 1 "$test_tmp/eq.out")"
expect_error 2 "--baud '0' is not a baud rate" --dump=/dev/null --baud=0
echo "dump_cli: files, stdin, bare lines and command-line errors as expected"
exit 0
