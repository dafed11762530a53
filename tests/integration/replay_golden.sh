#!/bin/bash
# gpsd-style regression test: recorded device logs (tests/fixtures/replay,
# each with a LOG.provenance saying where it came from)
# are replayed into `insoled --dump` through a pseudo-terminal (socat,
# written in 61-byte pieces so frames and lines arrive split across reads),
# as a capture file and on stdin, and each output must equal the log's
# golden output exactly: every decoded frame (foot, seq, unwrapped t_us,
# values) and every protocol counter.  A mismatch prints the diff.
#
# The goldens are what `insoled --dump LOG` printed when they were made,
# with the host receive time removed (`"host_us":N,` is the only field that
# differs between runs) and the counters line reduced to the parser's
# counters and the queue's (the device status around them names the path
# and the driver, which differ between a pty and a file).  To update them
# after a deliberate protocol change: tests/integration/regen_golden.sh
# (it runs this script with INS_REPLAY_REGEN=1, which writes each golden
# from the capture-file replay, then checks the pty replay against it).
. "$top_srcdir/tests/integration/lib.sh"
set -u
need_tools jq socat stdbuf

FIXTURES="$top_srcdir/tests/fixtures/replay"
# Bytes socat writes at a time: odd, so 48-byte fsr16 frames, 2,536-byte
# grid frames and ASCII lines are cut at a different offset each time.
PTY_CHUNK=61
# Longest a replay may take; a few KB take well under a second.
REPLAY_TIMEOUT_S=60

# golden name | log | --dump options.  regen_golden.sh documents how each
# log was recorded.
CASES=(
	"binary_faults|binary_faults.bin|"
	"ascii_crlf_comments|ascii_crlf_comments.txt|"
	"bare_left|bare_left.txt|--foot left"
	"bare_without_foot|bare_left.txt|"
	"grid60x21|grid60x21.bin|"
	"clock_wrap_binary|clock_wrap.bin|"
	"clock_wrap_ascii|clock_wrap.txt|"
	"restart_mixed|restart_mixed.bin|"
)

# Frames as printed without host_us; the counters line as
# {"counters":{"protocol":{...},"frames_queued":N,"queue_drops":N}}.
normalise() {
	local raw=$1
	grep -v '^{"counters"' "$raw" | sed -E 's/,"host_us":-?[0-9]+//'
	grep '^{"counters"' "$raw" | jq -c '.counters.devices[0] as $d
		| {counters: {protocol: $d.protocol, frames_queued: $d.frames_queued, queue_drops: $d.queue_drops}}'
}

# compare NAME MODE GOLDEN ACTUAL: exact match, else the diff (long lines cut).
compare() {
	if ! cmp -s "$3" "$4"; then
		echo "FAIL: $1 ($2): the output differs from $3:" >&2
		diff -u "$3" "$4" | cut -c 1-400 | head -n 60 >&2
		exit 1
	fi
	echo "$1 ($2): $(grep -c '"seq"' "$4") frames and every counter as the golden output"
}

# replay_file NAME LOG OUT ARGS...: the log read as a capture file.
replay_file() {
	local name=$1 log=$2 out=$3
	shift 3
	timeout "$REPLAY_TIMEOUT_S" "$INSOLED" --dump "$log" "$@" >"$test_tmp/$name.file.raw" 2>"$test_tmp/$name.file.err" ||
		fail "$name: insoled --dump $log $* failed: $(cat "$test_tmp/$name.file.err")"
	normalise "$test_tmp/$name.file.raw" >"$out"
}

# replay_stdin NAME LOG OUT ARGS...: the log piped into --dump -.
replay_stdin() {
	local name=$1 log=$2 out=$3
	shift 3
	timeout "$REPLAY_TIMEOUT_S" "$INSOLED" --dump - "$@" <"$log" >"$test_tmp/$name.stdin.raw" 2>"$test_tmp/$name.stdin.err" ||
		fail "$name: insoled --dump - $* <$log failed: $(cat "$test_tmp/$name.stdin.err")"
	normalise "$test_tmp/$name.stdin.raw" >"$out"
}

# The writer behind the pty.  A pty's unread input is discarded when its
# master closes (the kernel hangs the slave up), so after the log it keeps
# the pty open until the reader has printed every frame the golden lists,
# plus a moment for bytes after the last frame (a line's LF, say).
cat >"$test_tmp/writer.sh" <<'EOF'
cat "$REPLAY_LOG" || exit 1
i=0
while [ "$(grep -c '"seq"' "$REPLAY_OUT")" -lt "$REPLAY_FRAMES" ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 0.5
EOF

# replay_pty NAME LOG FRAMES OUT ARGS...: the log written into a pty that
# `insoled --dump` reads like a serial port until the writer hangs up.
replay_pty() {
	local name=$1 log=$2 frames=$3 out=$4 link="$test_tmp/$name.dev" raw="$test_tmp/$name.pty.raw" spid
	shift 4
	: >"$raw"
	REPLAY_LOG=$log REPLAY_OUT=$raw REPLAY_FRAMES=$frames \
		socat -u -b "$PTY_CHUNK" SYSTEM:"sh $test_tmp/writer.sh" PTY,rawer,link="$link",wait-slave \
		2>"$test_tmp/$name.socat.err" &
	spid=$!
	PIDS="$PIDS $spid"
	for _ in $(seq 100); do
		[ -e "$link" ] && break
		kill -0 "$spid" 2>/dev/null || fail "$name: socat exited: $(cat "$test_tmp/$name.socat.err")"
		sleep 0.05
	done
	[ -e "$link" ] || fail "$name: socat made no pty at $link"
	# Line-buffered, so the writer sees the frames as they are printed; a
	# sanitizer build's runtime need not be the first library then.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		timeout "$REPLAY_TIMEOUT_S" stdbuf -oL "$INSOLED" --dump "$link" "$@" >"$raw" 2>"$test_tmp/$name.pty.err" ||
		fail "$name: insoled --dump on a pty failed: $(cat "$test_tmp/$name.pty.err")"
	wait_pid "$spid" 10 || fail "$name: socat failed: $(cat "$test_tmp/$name.socat.err")"
	normalise "$raw" >"$out"
}

# check_provenance LOG: every log says where it came from, gpsd-style, in
# LOG.provenance beside it (a header inside the log would be parsed as
# device bytes): its name, the device and how it was recorded.
check_provenance() {
	local about="$1.provenance" base
	base=$(basename "$1")
	[ -r "$about" ] || fail "$base: no $about saying where the log came from"
	grep -qx "Name: $base" "$about" || fail "$about: no 'Name: $base' line"
	grep -q '^Device: .' "$about" || fail "$about: no 'Device:' line"
	grep -q '^Recorded-with: .' "$about" || fail "$about: no 'Recorded-with:' line"
}

for c in "${CASES[@]}"; do
	IFS='|' read -r name log args <<<"$c"
	log="$FIXTURES/$log"
	golden="$FIXTURES/$name.golden"
	[ -r "$log" ] || fail "$name: no log $log"
	check_provenance "$log"
	# shellcheck disable=SC2086 # args are words
	replay_file "$name" "$log" "$test_tmp/$name.file.out" $args
	if [ "${INS_REPLAY_REGEN:-0}" = 1 ]; then
		cp "$test_tmp/$name.file.out" "$golden"
		echo "$name: wrote $golden"
	fi
	[ -r "$golden" ] || fail "$name: no golden output $golden (tests/integration/regen_golden.sh makes it)"
	compare "$name" "capture file" "$golden" "$test_tmp/$name.file.out"
	# shellcheck disable=SC2086
	replay_stdin "$name" "$log" "$test_tmp/$name.stdin.out" $args
	compare "$name" "stdin" "$golden" "$test_tmp/$name.stdin.out"
	frames=$(grep -c '"seq"' "$golden")
	if [ "$frames" -eq 0 ]; then
		# Nothing the writer could wait for before hanging up.
		echo "$name (pty): skipped, the golden has no frames"
		continue
	fi
	# shellcheck disable=SC2086
	replay_pty "$name" "$log" "$frames" "$test_tmp/$name.pty.out" $args
	compare "$name" "pty" "$golden" "$test_tmp/$name.pty.out"
done
echo "replay_golden: ${#CASES[@]} recorded logs decode exactly as their golden outputs"
exit 0
