# Shared helpers for script tests: a real insoled on loopback, stopped on exit.
# Source it, then call start_insoled ARGS...; $INSOLED_URL and $INSOLED_PID are set.

INSOLED=${INSOLED:-$top_builddir/insoled}
EMULATOR=${EMULATOR:-$top_builddir/insoled-emulator}
# Start-up reads layouts and opens SQLite: a second is plenty, ten allows a
# loaded CI machine.
INSOLED_START_TIMEOUT_S=10

test_tmp=$(mktemp -d "${TMPDIR:-/tmp}/insoled-test.XXXXXX")
INSOLED_PID=
EMULATOR_PID=

cleanup() {
	local pid
	for pid in $INSOLED_PID $EMULATOR_PID; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$test_tmp"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	[ -f "$test_tmp/insoled.err" ] && { echo "--- insoled stderr:" >&2; tail -n 30 "$test_tmp/insoled.err" >&2; }
	exit 1
}

. "$top_srcdir/tests/skip_lib.sh"

# Starts insoled in the foreground with the given arguments and waits for the
# line announcing the dashboard URL.
start_insoled() {
	rm -f "$test_tmp/insoled.out" # a restart must not read the last run's URL
	"$INSOLED" --foreground "$@" >"$test_tmp/insoled.out" 2>"$test_tmp/insoled.err" &
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

# Starts the emulator with the given arguments; $EMULATOR_PTY is its pty.
start_emulator() {
	"$EMULATOR" "$@" >"$test_tmp/emulator.out" 2>"$test_tmp/emulator.err" &
	EMULATOR_PID=$!
	local waited=0
	while [ ! -s "$test_tmp/emulator.out" ]; do
		kill -0 "$EMULATOR_PID" 2>/dev/null || fail "insoled-emulator exited: $(cat "$test_tmp/emulator.err")"
		sleep 0.05
		waited=$((waited + 1))
		[ "$waited" -lt 200 ] || fail "insoled-emulator printed no pty"
	done
	EMULATOR_PTY=$(head -n 1 "$test_tmp/emulator.out")
}

api() { curl -sS --max-time 5 "$@"; }

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
