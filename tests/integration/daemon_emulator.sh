#!/bin/bash
# The daemon itself against the emulator: `insoled --device LINK` reads a
# pty that injects every binary fault, unplugs for 1.5 s and comes back on a
# new pty.  /api/status must then show exactly the counts the emulator
# injected, both opens, no frame dropped by the queue, and the daemon must
# shut down cleanly.
. "$top_srcdir/tests/integration/lib.sh"
set -u
need_tools jq curl

link="$test_tmp/insole"
start_emulator daemon --format binary --duration 6 --seed 51 --link "$link" --garbage 10 --bad-crc 10 --drop 10 \
	--duplicate 10 --split --unplug-after 2.5 --unplug-for 1.5

"$INSOLED" --foreground --device "$link" --layout fsr16 --listen 127.0.0.1:0 --db "$test_tmp/daemon.db" \
	>"$test_tmp/insoled.out" 2>"$test_tmp/insoled.err" &
DAEMON_PID=$!
PIDS="$PIDS $DAEMON_PID"
url=""
for _ in $(seq 100); do
	url=$(sed -n 's|.*dashboard at \(http://[^ ]*\)/.*|\1|p' "$test_tmp/insoled.out" 2>/dev/null | head -n 1)
	[ -n "$url" ] && break
	kill -0 "$DAEMON_PID" 2>/dev/null || fail "insoled exited: $(tail -n 5 "$test_tmp/insoled.err")"
	sleep 0.1
done
[ -n "$url" ] || fail "insoled did not announce its URL: $(cat "$test_tmp/insoled.out")"

wait_pid "$EMULATOR_PID" 30 || fail "the emulator failed: $(cat "$test_tmp/daemon.emu.err")"
# The last bytes the emulator wrote reach the parser a moment after it
# exits, later on a loaded machine: the counters are read until they are
# the emulator's (for up to COUNT_WAIT_S) and checked as last read.
COUNT_WAIT_S=10
read_counters() {
	curl -sS --max-time 5 "$url/api/status" >"$test_tmp/status.json" || fail "GET /api/status failed"
	jq -c '.acquisition.devices[0]' "$test_tmp/status.json" >"$test_tmp/device.json" ||
		fail "no acquisition devices in $(cat "$test_tmp/status.json")"
	jq -e -n --slurpfile e "$test_tmp/daemon.stats" --slurpfile d "$test_tmp/device.json" '$e[0].expect as $want
		| $d[0].frames_queued == $want.frames and all($want | keys[]; $want[.] == $d[0].protocol[.])' >/dev/null
}
for ((i = 0; i < COUNT_WAIT_S * 10; i++)); do
	read_counters && break
	sleep 0.1
done

bad=$(jq -n -r --slurpfile e "$test_tmp/daemon.stats" --slurpfile d "$test_tmp/device.json" '
	$e[0].expect as $want | $d[0].protocol as $got
	| [$want | keys[] | select($want[.] != $got[.]) | "\(.): daemon \($got[.]) emulator \($want[.])"] | join(", ")')
[ -z "$bad" ] || fail "counters differ: $bad"
echo "daemon counted exactly what the emulator injected: $(jq -c .expect "$test_tmp/daemon.stats")"
[ "$(jq .opens "$test_tmp/device.json")" = 2 ] || fail "the daemon opened the device $(jq .opens "$test_tmp/device.json") times, want 2"
[ "$(jq .queue_drops "$test_tmp/device.json")" = 0 ] || fail "the frame queue dropped frames"
[ "$(jq .frames_queued "$test_tmp/device.json")" = "$(jq .expect.frames "$test_tmp/daemon.stats")" ] ||
	fail "$(jq .frames_queued "$test_tmp/device.json") frames queued, want every valid frame"

kill -TERM "$DAEMON_PID"
wait_pid "$DAEMON_PID" 10 || fail "insoled exited with an error after SIGTERM: $(tail -n 5 "$test_tmp/insoled.err")"
exit 0
