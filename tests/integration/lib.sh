# The one library of the script tests (sourced, not run): paths, a private
# scratch directory, cleanup of every process a test starts, fail and skip,
# the daemon and the emulator started and stopped, and the checks several
# tests share.  Environment from `make check`: top_srcdir, top_builddir.
# Safe under `set -u`.

: "${top_builddir:?run through make check (top_builddir unset)}"
INSOLED=${INSOLED:-$top_builddir/insoled}
EMULATOR=${EMULATOR:-$top_builddir/insoled-emulator}
# Start-up reads layouts and opens SQLite: a second is plenty, ten allows a
# loaded CI machine.
INSOLED_START_TIMEOUT_S=${INSOLED_START_TIMEOUT_S:-10}
# The emulator prints its pty at once; ten seconds allows a loaded machine.
EMULATOR_START_TIMEOUT_S=10
# The shipped layouts, and the real recordings kept outside the repository
# ($INS_SHARED_DATA, which make check exports; README, "Test data").
LAYOUT_DIR=${top_srcdir:?run through make check (top_srcdir unset)}/layouts
SHARED_DATA=${INS_SHARED_DATA:-$top_srcdir/../shared/data}

test_tmp=$(mktemp -d "${TMPDIR:-/tmp}/insoled-test.XXXXXX")
INSOLED_PID=
EMULATOR_PID=
EMULATOR_PTY=
# Other background processes a test starts: add each pid, they are killed
# on exit.
PIDS=""

cleanup() {
	local pid
	for pid in ${INSOLED_PID:-} ${EMULATOR_PID:-} $PIDS; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$test_tmp"
}
trap cleanup EXIT

# The daemon's last words, and whether it is still running (a daemon that
# died mid-request is what a client sees as "Empty reply from server").
show_insoled_log() {
	if [ -n "${INSOLED_PID:-}" ] && ! kill -0 "$INSOLED_PID" 2>/dev/null; then
		echo "--- insoled (pid $INSOLED_PID) is no longer running" >&2
	fi
	[ -f "$test_tmp/insoled.err" ] && { echo "--- insoled stderr:" >&2; tail -n 30 "$test_tmp/insoled.err" >&2; }
	return 0
}

fail() {
	echo "FAIL: $*" >&2
	show_insoled_log
	exit 1
}

# Under `set -e` a failing command (curl's "Empty reply from server" in an
# assignment) ends the test without a FAIL line of its own: say which command
# it was and show the daemon's log, as fail does.
on_errexit() {
	local status=$?
	case $- in
	*e*) ;;
	*) return 0 ;;
	esac
	echo "FAIL: line $1: '$2' exited $status" >&2
	show_insoled_log
}
trap 'on_errexit "$LINENO" "$BASH_COMMAND"' ERR

# What the environment cannot do (a mount namespace, a device node, the
# shared recordings): exit code 77, which automake reports as SKIP.
skip() {
	echo "SKIP: $*"
	exit 77
}

# need_shared_data: a test that reads the real recordings reports SKIP,
# never a pass, when they are absent.
need_shared_data() {
	[ -d "$SHARED_DATA" ] || skip "real recordings not found at $SHARED_DATA (README, \"Test data\")"
}

# need_tools TOOL...: every tool the test uses is a declared dependency
# (tools/install-deps.sh installs it), so a missing one fails the test.
need_tools() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || fail "$t is not installed (tools/install-deps.sh installs it)"
	done
	[ -x "$EMULATOR" ] || fail "$EMULATOR is not built"
	[ -x "$INSOLED" ] || fail "$INSOLED is not built"
}

# Starts insoled in the foreground with the given arguments and waits for the
# line announcing the dashboard URL; sets $INSOLED_URL and $INSOLED_PID.
start_insoled() {
	rm -f "$test_tmp/insoled.out" # a restart must not read the last run's URL
	# Run as root (CI), the daemon would give way to the insoled user once
	# that exists and lose its private test directory: stay root unless the
	# test names a user (a later --user wins).
	local as_root=()
	[ "$(id -u)" = 0 ] && as_root=(--user root)
	"$INSOLED" --foreground "${as_root[@]}" "$@" >"$test_tmp/insoled.out" 2>"$test_tmp/insoled.err" &
	INSOLED_PID=$!
	local waited=0
	while ! grep -q 'dashboard at ' "$test_tmp/insoled.out" 2>/dev/null; do
		kill -0 "$INSOLED_PID" 2>/dev/null || fail "insoled exited during start-up"
		sleep 0.1
		waited=$((waited + 1))
		[ "$waited" -lt $((INSOLED_START_TIMEOUT_S * 10)) ] || fail "insoled did not announce its URL"
	done
	INSOLED_URL=$(sed -n 's|.*dashboard at \(http[s]*://[^ ]*\)/ .*|\1|p' "$test_tmp/insoled.out" | head -n 1)
	[ -n "$INSOLED_URL" ] || fail "cannot read the URL from: $(cat "$test_tmp/insoled.out")"
}

# Sends SIGTERM and checks the daemon exits cleanly.
stop_insoled() {
	kill -TERM "$INSOLED_PID"
	local status=0
	wait "$INSOLED_PID" || status=$?
	INSOLED_PID=
	[ "$status" -eq 0 ] || fail "insoled exited with status $status after SIGTERM"
}

# start_emulator NAME ARGS...: runs the emulator in the background with
# --stats $test_tmp/NAME.stats and waits for the pty path it prints first;
# sets $EMULATOR_PTY and $EMULATOR_PID.
start_emulator() {
	local name=$1 waited=0
	shift
	"$EMULATOR" --stats "$test_tmp/$name.stats" "$@" >"$test_tmp/$name.emu.out" 2>"$test_tmp/$name.emu.err" &
	EMULATOR_PID=$!
	PIDS="$PIDS $EMULATOR_PID"
	while [ ! -s "$test_tmp/$name.emu.out" ]; do
		kill -0 "$EMULATOR_PID" 2>/dev/null || fail "$name: the emulator exited: $(cat "$test_tmp/$name.emu.err")"
		sleep 0.05
		waited=$((waited + 1))
		[ "$waited" -lt $((EMULATOR_START_TIMEOUT_S * 20)) ] || fail "$name: the emulator printed no pty"
	done
	EMULATOR_PTY=$(head -n 1 "$test_tmp/$name.emu.out")
	[ -c "$EMULATOR_PTY" ] || fail "$name: the emulator printed no pty (got '$EMULATOR_PTY')"
}

# wait_until SECONDS WHAT COMMAND...: runs COMMAND every 0.1 s until it
# succeeds; fails naming WHAT after SECONDS.  What a test waits for on a
# daemon (a log line, steps recorded) comes when the daemon gets there, which
# on a loaded machine is later than on an idle one: wait on it, never a
# fixed sleep.
wait_until() {
	local limit=$1 what=$2 i
	shift 2
	for ((i = 0; i < limit * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	fail "$what (waited $limit s)"
}

# wait_log SECONDS PATTERN [WHAT]: waits for a line matching PATTERN (grep)
# in the daemon's stderr; fails naming WHAT (or the pattern).
wait_log() {
	local what="no line matching '$2' in the daemon's log"
	wait_until "$1" "${3:-$what}" grep -q -- "$2" "$test_tmp/insoled.err"
}

# wait_pid PID SECONDS: waits for a process we started, failing after SECONDS.
wait_pid() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$1" 2>/dev/null || { wait "$1"; return $?; }
		sleep 0.1
	done
	fail "process $1 still running after $2 s"
}

# API_TIMEOUT_S: a daemon under valgrind answers far slower.
api() { curl -sS --max-time "${API_TIMEOUT_S:-5}" "$@"; }

# wait_db_status JQ-EXPR: polls /api/status until its .database object
# satisfies the expression, for up to $WAIT_S seconds (default 30); the last
# answer is left in $status.
wait_db_status() {
	local i
	for ((i = 0; i < ${WAIT_S:-30} * 10; i++)); do
		status=$(api "$INSOLED_URL/api/status")
		[ "$(jq -r ".database | $1" <<<"$status")" = true ] && return 0
		sleep 0.1
	done
	fail "database status never reached '$1': $(jq -c .database <<<"$status")"
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
	local name=$1 out=$2 stats="$test_tmp/$1.stats" bad frames want
	[ -s "$stats" ] || fail "$name: the emulator wrote no stats"
	tail -n 1 "$out" | jq -e '.counters' >/dev/null || fail "$name: the dump's last line is not the counters"
	bad=$(jq -n --slurpfile e "$stats" --slurpfile d <(tail -n 1 "$out") '
		$e[0].expect as $want | $d[0].counters.devices[0].protocol as $got
		| [$want | keys[] | select($want[.] != $got[.]) | "\(.): dump \($got[.]) emulator \($want[.])"]
		| join(", ")' -r)
	[ -z "$bad" ] || fail "$name: counters differ: $bad; seq breaks per foot: $(seq_breaks "$out");" \
		"emulator said: $(grep -h 'warning\|error' "$test_tmp/$name.emu.err" 2>/dev/null | tail -n 3)"
	frames=$(grep -c '"seq"' "$out")
	want=$(jq '.expect.frames' "$stats")
	[ "$frames" = "$want" ] || fail "$name: $frames frame lines, the emulator expected $want"
	echo "$name: $frames frames, every counter as the emulator expected: $(jq -c .expect "$stats")"
}

# analyze_ok FILE [ARGS]: runs `insoled --analyze` on FILE; checks that the
# summary's step counts equal the step lines printed; echoes the number of
# steps.
analyze_ok() {
	local file=$1; shift
	local status=0
	"$INSOLED" --analyze "$file" --layout-dir "$LAYOUT_DIR" "$@" >"$test_tmp/out" 2>"$test_tmp/err" || status=$?
	[ "$status" -eq 0 ] || fail "--analyze $file exited $status: $(cat "$test_tmp/err")"
	local lines steps summary_steps
	lines=$(head -n -1 "$test_tmp/out" | jq -s 'length')
	steps=$(head -n -1 "$test_tmp/out" | jq -s 'map(select((.foot == "left" or .foot == "right") and .metrics)) | length')
	summary_steps=$(tail -n 1 "$test_tmp/out" | jq '.steps.left + .steps.right')
	[ "$lines" = "$steps" ] || fail "$file: $lines lines before the summary, $steps of them steps"
	[ "$steps" = "$summary_steps" ] || fail "$file: $steps step lines, summary counts $summary_steps"
	echo "$steps"
}
