#!/bin/bash
# Makes the golden outputs of tests/integration/replay_golden.sh, and with
# --record first re-records the device logs they come from.
#
#   tests/integration/regen_golden.sh BUILDDIR [--record]
#
# BUILDDIR is a configured and built tree (`make`); its `insoled --dump`
# writes each tests/fixtures/replay/NAME.golden from the capture-file replay
# of the log, and the stdin and pty replays are checked against it.  Run it after a
# deliberate change to what --dump prints or counts, read `git diff
# tests/fixtures/replay` line by line (every changed line is a change in
# what a user's insole decodes to), and commit logs and goldens together.
#
# --record re-records the logs with BUILDDIR's insoled-emulator, using the
# recipes below (fixed seeds: the same emulator gives the same bytes).  Only
# needed when a log should change or a new one is added: a change to the
# synthetic subject changes every log.  Each new golden's counters are then
# checked against what the emulator says it injected (its --stats
# "expect"), so a golden never just records what the parser happened to
# print.  Logs, all fsr16 unless said:
#   binary_faults.bin        both feet, 150 frames each, binary, garbage,
#                            bad CRCs, drops and duplicates
#   ascii_crlf_comments.txt  both feet, 100 frames each, ASCII with CRLF,
#                            garbage, bad lines, drops, duplicates, one
#                            overlong line (33 KB: longer than any n allows),
#                            firmware comments ended by CRLF, LF and a lone CR
#   bare_left.txt            bare one-foot lines (no foot, no seq), read
#                            with --foot left and without a foot
#   grid60x21.bin            a 1,260-cell grid, right foot, 7 frames, one bad CRC
#   clock_wrap.bin           binary device clock wrapping (2^32 us) at 0.97 s
#   clock_wrap.txt           ASCII device clock wrapping (2^32 ms) at 0.3 s
#   restart_mixed.bin        three boots of one board: binary, binary again
#                            (seq and clock restart at 0: a seq reset per
#                            foot), then ASCII lines (a new stream: the
#                            timeline resumes just after the last frame)
# Split writes leave no trace in a recorded log: replay_golden.sh splits the
# pty replay itself.  A re-recorded or new log gets its LOG.provenance
# (Name, Device, Recorded-with: the recipe here) updated by hand.
set -euo pipefail

usage() {
	echo "usage: $0 BUILDDIR [--record]" >&2
	exit 2
}
[ $# -ge 1 ] && [ $# -le 2 ] || usage
build=$(cd "$1" && pwd)
record=0
if [ $# = 2 ]; then
	[ "$2" = --record ] || usage
	record=1
fi
src=$(cd "$(dirname "$0")/../.." && pwd)
fixtures="$src/tests/fixtures/replay"
emulator="$build/insoled-emulator"
[ -x "$emulator" ] && [ -x "$build/insoled" ] || { echo "$0: build $build first (make)" >&2; exit 1; }

# emulate LOG ARGS...: records the emulator's byte stream as fast as it can,
# and what it injected (the parser counters it expects) in $stats/LOG.json.
emulate() {
	local log=$1
	shift
	"$emulator" --stdout --speed 0 --stats "$stats/$log.json" "$@" >"$fixtures/$log"
	echo "recorded $log: $(stat -c %s "$fixtures/$log") bytes ($*)"
}

record_logs() {
	mkdir -p "$fixtures"
	emulate binary_faults.bin --seed 7 --frames 150 --garbage 3 --bad-crc 3 --drop 3 --duplicate 3
	# Comments the emulator does not make: a boot banner (CRLF, LF, lone CR
	# endings) and a status line after every 40th line.  LC_ALL=C: garbage
	# bursts are arbitrary bytes.
	"$emulator" --stdout --speed 0 --stats "$stats/ascii_crlf_comments.txt.json" --seed 8 --format ascii --crlf \
		--frames 100 --garbage 2 --bad-crc 2 --drop 2 --duplicate 2 --overlong 1 |
		LC_ALL=C sed -e '0~40a\# battery 87%\r' |
		{ printf '# insole v1.0, 16 sensors\r\n#\tfirmware 2.3 (LF only)\n# calibrating...\r'; cat; } \
			>"$fixtures/ascii_crlf_comments.txt"
	echo "recorded ascii_crlf_comments.txt: $(stat -c %s "$fixtures/ascii_crlf_comments.txt") bytes"
	emulate bare_left.txt --seed 9 --format ascii --bare --feet left --frames 150 --bad-crc 2 --duplicate 2 --garbage 2
	emulate grid60x21.bin --seed 10 --layout grid60x21 --feet right --frames 7 --bad-crc 1
	emulate clock_wrap.bin --seed 11 --frames 120 --clock-start-us 4294000000
	emulate clock_wrap.txt --seed 12 --format ascii --frames 60 --clock-start-us 4294967000000
	{
		"$emulator" --stdout --speed 0 --seed 13 --frames 40
		"$emulator" --stdout --speed 0 --seed 14 --frames 40 --clock-start-us 2000000
		"$emulator" --stdout --speed 0 --seed 15 --format ascii --frames 40
	} >"$fixtures/restart_mixed.bin"
	echo "recorded restart_mixed.bin: $(stat -c %s "$fixtures/restart_mixed.bin") bytes"
}

# check_expect GOLDEN LOG: a freshly recorded log's golden must show every
# parser counter the emulator expects from what it injected, so a golden is
# never just "what the parser happened to print".
check_expect() {
	local bad
	bad=$(jq -n -r --slurpfile e "$stats/$2.json" --slurpfile g <(tail -n 1 "$fixtures/$1.golden") '
		$e[0].expect as $want | $g[0].counters.protocol as $got
		| [$want | keys[] | select($want[.] != $got[.]) | "\(.): golden \($got[.]) emulator \($want[.])"]
		| join(", ")')
	[ -z "$bad" ] || { echo "$0: $1.golden disagrees with the emulator: $bad" >&2; exit 1; }
	echo "$1.golden: every counter the emulator expects"
}

stats=$(mktemp -d "${TMPDIR:-/tmp}/insoled-regen.XXXXXX")
trap 'rm -rf "$stats"' EXIT
[ "$record" = 0 ] || record_logs
top_srcdir=$src top_builddir=$build INS_REPLAY_REGEN=1 bash "$src/tests/integration/replay_golden.sh"
if [ "$record" = 1 ]; then
	check_expect binary_faults binary_faults.bin
	check_expect ascii_crlf_comments ascii_crlf_comments.txt
	check_expect bare_left bare_left.txt
	check_expect grid60x21 grid60x21.bin
	check_expect clock_wrap_binary clock_wrap.bin
	check_expect clock_wrap_ascii clock_wrap.txt
fi
