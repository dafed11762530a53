#!/bin/bash
# The daemon as a service: it tells the service manager it is ready, how it
# is and that it is alive (sd_notify, to a socket standing in for systemd);
# a second daemon on the same database refuses, naming the first one's pid;
# a start with no device streaming answers 503; SIGTERM during a recording
# leaves the session complete; SIGHUP reloads devices, layouts and
# calibration without ending a recording; started as root it runs as --user once its
# database is open; --udev-rules names the configured insoles.
set -euo pipefail
. "$top_srcdir/tests/integration/lib.sh"
command -v socat >/dev/null || skip "socat is not installed"
command -v sqlite3 >/dev/null || skip "the sqlite3 command-line tool is not installed"

# What the daemon does in its own time (a reload, steps recorded, a
# notification) takes a fraction of a second on an idle machine and several
# on a loaded one: the test waits for each, up to this long.
DAEMON_WAIT_S=30

db="$test_tmp/service.db"
notify_sock="$test_tmp/notify.sock"
socat -u "UNIX-RECV:$notify_sock" "OPEN:$test_tmp/notify.log,creat,append" &
SOCAT_PID=$!
trap 'kill $SOCAT_PID 2>/dev/null || true; cleanup' EXIT
wait_until "$DAEMON_WAIT_S" "socat did not create $notify_sock" test -S "$notify_sock"

# The daemon is its own WATCHDOG_PID: exec keeps the shell's pid.
NOTIFY_SOCKET=$notify_sock WATCHDOG_USEC=1000000 \
	bash -c 'export WATCHDOG_PID=$$; exec "$0" "$@"' "$INSOLED" --foreground --demo --listen 127.0.0.1:0 \
	--db "$db" >"$test_tmp/insoled.out" 2>"$test_tmp/insoled.err" &
INSOLED_PID=$!
wait_until "$INSOLED_START_TIMEOUT_S" "the daemon did not start" grep -q 'dashboard at' "$test_tmp/insoled.out"
INSOLED_URL=$(sed -n 's|.*dashboard at \(http://[^ ]*\)/ .*|\1|p' "$test_tmp/insoled.out")
[ -n "$INSOLED_URL" ] || fail "no URL in: $(cat "$test_tmp/insoled.out")"

# One owner per database.
status=0
"$INSOLED" --foreground --demo --listen 127.0.0.1:0 --db "$db" >/dev/null 2>"$test_tmp/second.err" || status=$?
[ "$status" = 1 ] || fail "a second daemon on the same database exited $status, not 1"
grep -qF "in use by insoled pid $INSOLED_PID" "$test_tmp/second.err" ||
	fail "the refusal does not name pid $INSOLED_PID: $(cat "$test_tmp/second.err")"

session=$(api -X POST -H 'Content-Type: application/json' -d '{"subject":"svc-01"}' "$INSOLED_URL/api/sessions")
id=$(jq -r '.id' <<<"$session")
[[ "$id" =~ ^[0-9]+$ ]] || fail "session not created: $session"
session_has_frames() { [ "$(api "$INSOLED_URL/api/sessions/$id" | jq '.frames > 0')" = true ]; }
wait_until "$DAEMON_WAIT_S" "session $id recorded no frames" session_has_frames

# notified TEXT: a notification holding TEXT came (STATUS and WATCHDOG come
# every 0.5 s here, half the watchdog period).
notified() {
	wait_until "$DAEMON_WAIT_S" "no notification with '$1'" grep -q "$1" "$test_tmp/notify.log"
}
if grep -q '^#define HAVE_LIBSYSTEMD 1' "$top_builddir/config.h"; then
	notified 'READY=1'
	notified 'WATCHDOG=1'
	notified "STATUS=1 of 1 devices streaming, recording session $id"
else
	echo "note: built without libsystemd, sd_notify not checked"
fi

# SIGTERM while recording: the session is complete, with its frames.
stop_insoled
state=$(sqlite3 "$db" "SELECT state || ' ' || (frames > 0) FROM sessions WHERE id = $id")
[ "$state" = "complete 1" ] || fail "after SIGTERM while recording the session is '$state', not complete with frames"
if grep -q '^#define HAVE_LIBSYSTEMD 1' "$top_builddir/config.h"; then
	grep -q 'STOPPING=1' "$test_tmp/notify.log" || fail "no STOPPING=1"
fi
# The lock went with the daemon: the next one opens the database.
start_insoled --demo --listen 127.0.0.1:0 --db "$db"
stop_insoled

# SIGHUP: the configuration is read again.  A device change goes on with the
# session recording and its timeline steady; a layout change is refused
# while recording and taken once the session has ended (the live view then
# has the new geometry); a broken file leaves the daemon as it was.
conf="$test_tmp/hup.conf"
printf '[daemon]\ndb = %s\n[device pair]\nport = synthetic\nsynth = cadence_spm=100,seed=3\n' \
	"$test_tmp/hup.db" >"$conf"
start_insoled --config "$conf" --listen 127.0.0.1:0
id=$(api -X POST -H 'Content-Type: application/json' -d '{"subject":"svc-hup"}' "$INSOLED_URL/api/sessions" | jq -r .id)
[[ "$id" =~ ^[0-9]+$ ]] || fail "session not created: $id"
# Left strides of the synthetic walker: 1.2 s at 100 steps/min, 0.75 s at
# 160 (within 0.1 s).  The stride the reload falls in is cut short or held
# up by the device's restart, by how much depends on where in the stride the
# reload comes: at most two strides there are neither.
STRIDES_JQ='def slow: . >= 1100000 and . <= 1300000; def fast: . >= 700000 and . <= 800000;
	[.steps[] | select(.foot == "left") | .contact_us] as $c | [range(1; $c | length) | $c[.] - $c[. - 1]] as $d
	| ([range(0; $d | length) | select($d[.] | slow | not)] | first // ($d | length)) as $slow
	| (($d | length) - 1 - ([range(0; $d | length) | select($d[.] | fast | not)] | last // -1)) as $fast'
# strides JQ-CONDITION: the recording's left strides so far meet the
# condition, in which $d is the list of stride times, $slow the number of
# strides at the slow cadence before the first other one, and $fast the
# number at the fast cadence after the last other one.
strides() { api "$INSOLED_URL/api/sessions/$id/steps" | jq -e "$STRIDES_JQ | $1" >/dev/null; }
wait_until "$DAEMON_WAIT_S" "no left stride of 1.2 s recorded at 100 steps/min" strides '$slow >= 1'
sed -i 's/cadence_spm=100/cadence_spm=160/' "$conf"
kill -HUP "$INSOLED_PID"
wait_log "$DAEMON_WAIT_S" 'reloaded: 1 devices, layouts unchanged, still recording'
wait_until "$DAEMON_WAIT_S" "no two left strides of 0.75 s after the reload to 160 steps/min" strides '$fast >= 2'
printf '[device pair]\nlayout = grid60x21\n' >>"$conf"
kill -HUP "$INSOLED_PID"
wait_log "$DAEMON_WAIT_S" "session $id is recording with the current layouts"
[ "$(api "$INSOLED_URL/api/status" | jq .analysis.recording_session)" = "$id" ] || fail "the session stopped recording"
stopped=$(api -X POST "$INSOLED_URL/api/sessions/$id/stop")
[ "$(jq -r .state <<<"$stopped")" = complete ] || fail "stop after the reloads: $stopped"
grep -q 'frame rejected' "$test_tmp/insoled.err" && fail "frames rejected across the reload: $(grep -m 3 'rejected' "$test_tmp/insoled.err")"
# Left contacts in order, every stride at the old cadence and then at the
# new, none missing on either side of the reload.
strides 'all($d[]; . > 0) and $slow >= 1 and $fast >= 2 and ($d | length) - $slow - $fast <= 2' ||
	fail "left strides across the reload: $(api "$INSOLED_URL/api/sessions/$id/steps" | jq -c "$STRIDES_JQ | \$d")"
kill -HUP "$INSOLED_PID"
wait_log "$DAEMON_WAIT_S" 'reloaded: 1 devices, new layouts and calibration'
live_width() { [ "$(api "$INSOLED_URL/api/live" | jq .feet.left.heatmap.w)" = "$1" ]; }
wait_until "$DAEMON_WAIT_S" "the live view kept the old layout" live_width 21
echo 'foot = middle' >>"$conf"
kill -HUP "$INSOLED_PID"
wait_log "$DAEMON_WAIT_S" "keeping the running configuration"
grep -q "hup.conf:.*foot: 'middle' is not left, right or auto; keeping the running configuration" "$test_tmp/insoled.err" ||
	fail "a broken configuration on reload: $(tail -n 3 "$test_tmp/insoled.err")"
api -o /dev/null "$INSOLED_URL/api/status" || fail "the daemon stopped answering after a bad reload"
stop_insoled

# Nothing streaming: 503, said in the body.
start_insoled --device "$test_tmp/no-such-tty" --listen 127.0.0.1:0 --db "$test_tmp/idle.db"
code=$(api -o "$test_tmp/start.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
	-d '{"subject":"svc-02"}' "$INSOLED_URL/api/sessions")
[ "$code" = 503 ] || fail "a start with no device streaming answered $code: $(cat "$test_tmp/start.json")"
grep -q 'no device is streaming' "$test_tmp/start.json" || fail "503 without the reason: $(cat "$test_tmp/start.json")"
stop_insoled

# Root gives way to --user once the database is open.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	chmod 755 "$test_tmp"
	start_insoled --demo --user nobody --listen 127.0.0.1:0 --db "$test_tmp/dropped.db"
	[ "$(ps -o user= -p "$INSOLED_PID")" = nobody ] || fail "the daemon still runs as $(ps -o user= -p "$INSOLED_PID")"
	[ "$(stat -c %U "$test_tmp/dropped.db")" = nobody ] || fail "the database was not given to nobody"
	code=$(api -o "$test_tmp/rec.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		-d '{"subject":"svc-03"}' "$INSOLED_URL/api/sessions")
	[ "$code" = 201 ] || fail "recording as nobody answered $code: $(cat "$test_tmp/rec.json")"
	stop_insoled
	status=0
	"$INSOLED" --foreground --demo --user no-such-user-x --listen 127.0.0.1:0 --db "$test_tmp/u.db" \
		>/dev/null 2>"$test_tmp/user.err" || status=$?
	[ "$status" = 1 ] && grep -qF "user = no-such-user-x: no such user" "$test_tmp/user.err" ||
		fail "an unknown user: exit $status, $(cat "$test_tmp/user.err")"
else
	echo "note: not root, the switch to --user not checked"
fi

# Stable names for the configured insoles.
printf '[device left]\nport = usb:1a86:7523:A50285BI\nfoot = left\n[device right]\nport = /dev/ttyUSB1\nfoot = right\n' \
	>"$test_tmp/udev.conf"
"$INSOLED" --udev-rules --config "$test_tmp/udev.conf" >"$test_tmp/rules" || fail "--udev-rules failed"
grep -qx 'SUBSYSTEM=="tty", ATTRS{idVendor}=="1a86", ATTRS{idProduct}=="7523", ATTRS{serial}=="A50285BI", GROUP="dialout", MODE="0660", SYMLINK+="insoled/left"' \
	"$test_tmp/rules" || fail "no rule for [device left]: $(cat "$test_tmp/rules")"
grep -q '^# \[device right\]: port /dev/ttyUSB1 is not usb' "$test_tmp/rules" || fail "[device right] not explained"
printf '[device a]\nport = usb:1a86:7523:A*\n' >"$test_tmp/glob.conf"
"$INSOLED" --udev-rules --config "$test_tmp/glob.conf" >/dev/null 2>"$test_tmp/glob.err" &&
	fail "a serial udev would read as a pattern was accepted"
grep -q "characters udev would read as a pattern" "$test_tmp/glob.err" || fail "glob serial: $(cat "$test_tmp/glob.err")"
echo "PASS: notify, one owner per database, SIGHUP, 503, clean SIGTERM, root gives way, udev rules"
