#!/bin/bash
# `insoled --dump` over a pty against the emulator with every fault it can
# inject (garbage, corrupted CRCs / bad lines, dropped and duplicated frames,
# split writes, overlong lines, a device clock that wraps): the dump's
# parser counters must equal, exactly, what the emulator says it injected.
. "$top_srcdir/tests/integration/lib.sh"
set -u
need_tools jq

faults="--garbage 25 --bad-crc 25 --drop 25 --duplicate 25 --split"

# Binary; the clock starts 2 s before its 2^32 us wrap.
start_emulator binary --format binary --frames 3000 --speed 0 --seed 11 $faults --clock-start-us 4292967296
timeout 60 "$INSOLED" --dump "$EMULATOR_PTY" >"$test_tmp/binary.out" 2>"$test_tmp/binary.err" || fail "binary: dump failed: $(tail -n 3 "$test_tmp/binary.err")"
wait_pid "$EMULATOR_PID" 30 || fail "binary: the emulator failed"
compare_counters binary "$test_tmp/binary.out"
[ "$(jq .expect.clock_wraps "$test_tmp/binary.stats")" = 2 ] || fail "binary: the emulator's clock did not wrap once per foot"

# ASCII with CRLF, overlong lines, both feet, in real time (10x) so reads
# come in many pieces.
start_emulator ascii --format ascii --crlf --frames 1500 --speed 10 --seed 12 $faults --overlong 10
timeout 60 "$INSOLED" --dump "$EMULATOR_PTY" >"$test_tmp/ascii.out" 2>"$test_tmp/ascii.err" || fail "ascii: dump failed: $(tail -n 3 "$test_tmp/ascii.err")"
wait_pid "$EMULATOR_PID" 30 || fail "ascii: the emulator failed"
compare_counters ascii "$test_tmp/ascii.out"

# Per foot, every valid frame the emulator sent (dropped and corrupted ones
# are not sent, duplicates are counted once) came out of the dump.
for foot in left right; do
	got=$(grep -c "\"foot\":\"$foot\"" "$test_tmp/binary.out")
	want=$(jq ".feet.$foot.frames_sent" "$test_tmp/binary.stats")
	[ "$got" = "$want" ] || fail "binary: $got $foot frames, the emulator sent $want"
done
exit 0
