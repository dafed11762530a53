# Shared by the acquisition integration tests (sourced, not run).
# Environment from `make check`: top_srcdir, top_builddir.
set -u

: "${top_builddir:?run through make check (top_builddir unset)}"
EMULATOR="$top_builddir/insoled-emulator"
INSOLED="$top_builddir/insoled"
. "$top_srcdir/tests/skip_lib.sh"

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

need_tools() {
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || fail "$t is not installed (Debian package: ${t})"
	done
	[ -x "$EMULATOR" ] || fail "$EMULATOR is not built"
	[ -x "$INSOLED" ] || fail "$INSOLED is not built"
}

# A private scratch directory, removed with every process we started.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/insoled-acq.XXXXXX")
PIDS=""
cleanup() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

# start_emulator NAME ARGS...: runs the emulator in the background with
# --stats $WORK/NAME.stats and waits for the pty path it prints first.
start_emulator() {
	name=$1
	shift
	"$EMULATOR" --stats "$WORK/$name.stats" "$@" >"$WORK/$name.emu.out" 2>"$WORK/$name.emu.err" &
	EMU_PID=$!
	PIDS="$PIDS $EMU_PID"
	for _ in $(seq 100); do
		[ -s "$WORK/$name.emu.out" ] && break
		kill -0 "$EMU_PID" 2>/dev/null || fail "$name: the emulator exited: $(cat "$WORK/$name.emu.err")"
		sleep 0.05
	done
	PTY=$(head -n 1 "$WORK/$name.emu.out")
	[ -c "$PTY" ] || fail "$name: the emulator printed no pty (got '$PTY')"
}

# wait_pid PID SECONDS: waits for a process we started, failing after SECONDS.
wait_pid() {
	for _ in $(seq $(($2 * 10))); do
		kill -0 "$1" 2>/dev/null || { wait "$1"; return $?; }
		sleep 0.1
	done
	fail "process $1 still running after $2 s"
}

# seq_breaks DUMP_OUTPUT: where each foot's seq does not go up by one, to
# tell lost frames at an unplug from ones lost at the end when a test fails.
seq_breaks() {
	grep '"seq"' "$1" | jq -s -c 'group_by(.foot) | map({foot: .[0].foot, frames: length,
		breaks: [range(1; length) as $i | select(.[$i].seq != .[$i - 1].seq + 1) | [.[$i - 1].seq, .[$i].seq]]})'
}

# compare_counters NAME DUMP_OUTPUT: every parser counter the emulator
# expects must equal the dump's, and the dump must print that many frames.
compare_counters() {
	name=$1
	out=$2
	stats="$WORK/$name.stats"
	[ -s "$stats" ] || fail "$name: the emulator wrote no stats"
	tail -n 1 "$out" | jq -e '.counters' >/dev/null || fail "$name: the dump's last line is not the counters"
	bad=$(jq -n --slurpfile e "$stats" --slurpfile d <(tail -n 1 "$out") '
		$e[0].expect as $want | $d[0].counters.devices[0].protocol as $got
		| [$want | keys[] | select($want[.] != $got[.]) | "\(.): dump \($got[.]) emulator \($want[.])"]
		| join(", ")' -r)
	[ -z "$bad" ] || fail "$name: counters differ: $bad; seq breaks per foot: $(seq_breaks "$out");" \
		"emulator said: $(grep -h 'warning\|error' "$WORK/$name.emu.err" 2>/dev/null | tail -n 3)"
	frames=$(grep -c '"seq"' "$out")
	want=$(jq '.expect.frames' "$stats")
	[ "$frames" = "$want" ] || fail "$name: $frames frame lines, the emulator expected $want"
	echo "$name: $frames frames, every counter as the emulator expected: $(jq -c .expect "$stats")"
}
