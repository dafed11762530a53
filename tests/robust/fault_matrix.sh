#!/bin/bash
# The fault matrix: the real daemon against each fault a clinic meets, one
# row at a time, each on a fresh daemon and database.  For every row the
# daemon must stay up (or refuse/restart cleanly), say what happened in one
# log line, show it in /api/status, and keep everything already committed:
# device rows record a session through the fault, stop it, restart the
# daemon on the same database and find every recorded frame again.  The
# storage rows reuse the integration tests that already cover them.  Prints
# the matrix as a table; any failed row fails the script.
. "$top_srcdir/tests/integration/lib.sh"
set -u
need_tools jq curl python3
robust="$top_srcdir/tests/robust"
matrix_tmp=$test_tmp
ROWS=()

# How long the device rows stream (emulated seconds at real speed): long
# enough for faults at several places and a session of a few hundred frames.
STREAM_S=5

row_cleanup() {
	local pid
	for pid in ${INSOLED_PID:-} ${EMULATOR_PID:-} $PIDS; do
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
}

# report LOG STATUS KEPT: what the row saw, for the table.
report() { printf 'ROW %s\t%s\t%s\n' "$1" "$2" "$3"; }

# log_line REGEX: the daemon's first log line matching, or a failure.
log_line() {
	local line
	line=$(grep -m 1 -E "$1" "$test_tmp/insoled.err") || fail "no log line matches /$1/"
	echo "${line#insoled}"
}

# dev_status JQ: a value from the first device in /api/status.
dev_status() { api "$INSOLED_URL/api/status" | jq -r ".acquisition.devices[0] | $1"; }

alive() { kill -0 "$INSOLED_PID" 2>/dev/null || fail "the daemon died: $(tail -n 3 "$test_tmp/insoled.err")"; }

# wait_until SECONDS CMD...: polls until CMD succeeds.
wait_until() {
	local i s=$1
	shift
	for ((i = 0; i < s * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	fail "still not true after $s s: $*"
}

frames_flowing() { [ "$(dev_status .frames_queued)" -gt 0 ] 2>/dev/null; }

record_start() {
	session=$(api -X POST "$INSOLED_URL/api/sessions" -H 'Content-Type: application/json' \
		-d '{"subject":"fault matrix"}' | jq -r .id)
	[[ "$session" =~ ^[0-9]+$ ]] || fail "could not start a recording"
}

# kept_after_restart: stops the session, stops the daemon (it must exit 0),
# starts it again on the same database and checks the session still holds
# every frame it had; sets $kept to what it found.  Not in a command
# substitution: the restarted daemon's pid must reach the row's cleanup.
kept_after_restart() {
	local before after
	api -X POST "$INSOLED_URL/api/sessions/$session/stop" >/dev/null || fail "stop failed"
	before=$(api "$INSOLED_URL/api/sessions/$session" | jq .frames)
	[ "$before" -gt 0 ] || fail "the session recorded no frames"
	stop_insoled
	start_insoled "${daemon_args[@]}"
	after=$(api "$INSOLED_URL/api/sessions/$session" | jq -r '"\(.frames) \(.state)"')
	[ "$after" = "$before complete" ] || fail "after a restart the session has $after, had $before frames"
	kept="session of $before frames intact after restart"
}

# device_row LOG_REGEX STATUS_JQ EMULATOR_ARGS...: a daemon on an emulated
# insole that injects faults; every counter the emulator expects must equal
# the daemon's.
device_row() {
	local logre=$1 statusjq=$2 link="$test_tmp/insole" bad
	shift 2
	start_emulator fault --format binary --duration "$STREAM_S" --seed 41 --link "$link" "$@"
	daemon_args=(--device "$link" --layout fsr16 --listen 127.0.0.1:0 --db "$test_tmp/m.db")
	start_insoled "${daemon_args[@]}"
	wait_until 10 frames_flowing
	record_start
	wait_pid "$EMULATOR_PID" 60 || fail "the emulator failed"
	sleep 1 # the last bytes reach the parser
	alive
	bad=$(api "$INSOLED_URL/api/status" | jq -r --slurpfile e "$test_tmp/fault.stats" '
		$e[0].expect as $want | .acquisition.devices[0].protocol as $got
		| [$want | keys[] | select($want[.] != $got[.]) | "\(.) \($got[.]) != \($want[.])"] | join(", ")')
	[ -z "$bad" ] || fail "daemon and emulator counters differ: $bad"
	local line st
	line=$(log_line "$logre")
	st=$(dev_status "$statusjq")
	kept_after_restart
	report "$line" "$st" "$kept"
}

row_garbage() { device_row 'garbage_bytes \+' '"garbage_bytes \(.protocol.garbage_bytes), frames \(.protocol.frames)"' --garbage 60; }
row_crc() { device_row 'crc_errors \+' '"crc_errors \(.protocol.crc_errors), resyncs \(.protocol.resyncs)"' --bad-crc 150; }
row_drop() { device_row 'frames_lost \+' '"seq_gaps \(.protocol.seq_gaps), frames_lost \(.protocol.frames_lost)"' --drop 60; }
row_unplug() {
	device_row 'hung up' '"opens \(.opens), disconnects \(.disconnects), state \(.state)"' \
		--unplug-after 1.5 --unplug-for 1.5
	[ "$(dev_status .opens)" -ge 2 ] 2>/dev/null || true
}

# pty_row MODE LOG_REGEX STATUS_JQ: a fake device from feed_pty.py.
pty_row() {
	local mode=$1 logre=$2 statusjq=$3 link="$test_tmp/insole"
	python3 "$robust/feed_pty.py" "$mode" "$link" 6 >"$test_tmp/feed.out" &
	PIDS="$PIDS $!"
	wait_until 10 test -L "$link"
	daemon_args=(--device "$link" --layout fsr16 --listen 127.0.0.1:0 --db "$test_tmp/m.db")
	start_insoled "${daemon_args[@]}"
	wait_until 20 grep -qE "$logre" "$test_tmp/insoled.err"
	alive
	report "$(log_line "$logre")" "$(dev_status "$statusjq")" "nothing recorded (no frames arrive)"
}
row_silent() { pty_row silent 'no data for' '"state \(.state), watchdog_silent \(.watchdog_silent)"'; }
row_baud() {
	pty_row noise 'no valid frame' \
		'"watchdog_no_frames \(.watchdog_no_frames), frames \(.protocol.frames), garbage_bytes \(.protocol.garbage_bytes)"'
}

# A demo daemon recording; waits until the store has committed frames.
recording_demo() {
	daemon_args=(--demo --listen 127.0.0.1:0 --db "$test_tmp/m.db" --synth "seed=3")
	start_insoled "${daemon_args[@]}"
	record_start
	WAIT_S=30 wait_db_status '.frames_written > 200'
}

row_kill9() {
	local written after
	recording_demo
	written=$(api "$INSOLED_URL/api/status" | jq .database.frames_written)
	kill -9 "$INSOLED_PID"
	wait "$INSOLED_PID" 2>/dev/null
	INSOLED_PID=
	start_insoled "${daemon_args[@]}"
	after=$(api "$INSOLED_URL/api/sessions/$session" | jq -r '"\(.frames) \(.state)"')
	[ "${after#* }" = interrupted ] || fail "after kill -9 the session is ${after#* }, want interrupted"
	[ "${after% *}" -ge "$written" ] || fail "after kill -9 the session has ${after% *} frames, $written were committed"
	report "$(log_line 'interrupted')" "session $session: $after" "${after% *} frames >= $written committed before kill -9"
}

row_corrupt() {
	local db="$test_tmp/m.db" aside
	head -c 65536 /dev/urandom >"$db"
	daemon_args=(--demo --listen 127.0.0.1:0 --db "$db")
	start_insoled "${daemon_args[@]}"
	aside=$(ls "$db".corrupt-* 2>/dev/null | head -n 1)
	[ -n "$aside" ] && cmp -s <(head -c 65536 "$aside") <(head -c 65536 "$aside") || fail "the corrupt file was not kept aside"
	[ "$(stat -c %s "$aside")" = 65536 ] || fail "the file kept aside is not the original"
	report "$(log_line 'corrupt')" "$(api "$INSOLED_URL/api/status" | jq -r '"database healthy \(.database.healthy)"')" \
		"the corrupt file kept as ${aside##*/}"
}

row_config() {
	local conf="$test_tmp/insoled.conf" err
	printf '[daemon]\nlisten = 127.0.0.1:0\ndb = %s\nlog_level = warp\n[device x]\nport = /dev/null\n' \
		"$test_tmp/m.db" >"$conf"
	if "$INSOLED" --foreground --config "$conf" >/dev/null 2>"$test_tmp/refused.err"; then
		fail "the daemon started with a wrong config file"
	fi
	err=$(grep -m 1 "$conf" "$test_tmp/refused.err") || fail "the refusal does not name the file"
	# A wrong file at SIGHUP: the running configuration stays.
	printf '[daemon]\nlisten = 127.0.0.1:0\ndb = %s\n' "$test_tmp/m.db" >"$conf"
	daemon_args=(--demo --config "$conf")
	start_insoled "${daemon_args[@]}"
	printf '[daemon]\nlisten = 127.0.0.1:0\ndb = %s\nbody_weight_kg = heavy\n' "$test_tmp/m.db" >"$conf"
	kill -HUP "$INSOLED_PID"
	wait_until 10 grep -q 'keeping the running configuration' "$test_tmp/insoled.err"
	alive
	report "start refused: ${err#insoled: } / $(log_line 'keeping the running')" \
		"$(api "$INSOLED_URL/api/status" | jq -r '"up \(.uptime_s) s after SIGHUP"')" "-"
}

row_clients() {
	local port out st
	ulimit -n 8192 2>/dev/null || ulimit -n 4096 2>/dev/null || true
	[ "$(ulimit -n)" -ge 2100 ] || skip "cannot raise the open-file limit to 2100 (got $(ulimit -n))"
	recording_demo
	port=${INSOLED_URL##*:}
	out=$(python3 "$robust/http_flood.py" clients 127.0.0.1 "$port" 1000) || fail "clients: $out"
	alive
	st=$(api "$INSOLED_URL/api/status" | jq -r '.http | "connections_refused \(.connections_refused), evicted \(.connections_evicted)"')
	kept_after_restart
	report "$out" "$st" "$kept"
}

row_malformed() {
	local port out st
	recording_demo
	port=${INSOLED_URL##*:}
	out=$(python3 "$robust/http_flood.py" malformed 127.0.0.1 "$port") || fail "malformed: $out"
	echo "$out"
	alive
	st=$(api "$INSOLED_URL/api/status" | jq -r '"answers, uptime \(.uptime_s) s"')
	kept_after_restart
	report "$(grep -c ': HTTP/1.1 4' <<<"$out") of $(wc -l <<<"$out") answered 4xx, the rest closed" "$st" "$kept"
}

# script_row TEST: an integration test that already covers the row.
script_row() {
	bash "$top_srcdir/tests/integration/$1" >"$test_tmp/script.out" 2>&1
	local rc=$?
	cat "$test_tmp/script.out"
	[ "$rc" = 77 ] && skip "$(grep -m 1 SKIP "$test_tmp/script.out")"
	[ "$rc" = 0 ] || fail "$1: $(grep -m 1 FAIL "$test_tmp/script.out")"
	report "see $1" "$(tail -n 1 "$test_tmp/script.out" | cut -c 1-80)" "checked by $1"
}
row_disk_full() { script_row store_disk_full.sh; }
row_locked() { script_row store_locked.sh; }

# run_row NAME FUNCTION: runs a row (those matching the regex MATRIX_ROWS,
# default all) in a subshell with its own scratch
# directory and records PASS, FAIL or SKIP.
run_row() {
	local name=$1 fn=$2 out rc line
	[[ "$fn" =~ ${MATRIX_ROWS:-.} ]] || return 0
	out="$matrix_tmp/$fn.out"
	echo "-- $name"
	(
		test_tmp="$matrix_tmp/$fn"
		mkdir -p "$test_tmp"
		INSOLED_PID= EMULATOR_PID= PIDS=
		trap row_cleanup EXIT
		"$fn"
	) >"$out" 2>&1
	rc=$?
	if [ "$rc" = 0 ]; then
		line=$(grep -m 1 '^ROW ' "$out" | cut -c 5-)
		ROWS+=("$name	PASS	$line")
	elif [ "$rc" = 77 ]; then
		ROWS+=("$name	SKIP	$(grep -m 1 '^SKIP' "$out")		")
	else
		ROWS+=("$name	FAIL	$(grep -m 1 'FAIL' "$out")		")
		sed 's/^/    /' "$out" | tail -n 15
	fi
}

run_row "garbage burst" row_garbage
run_row "CRC storm" row_crc
run_row "dropped frames" row_drop
run_row "unplug/replug mid-session" row_unplug
run_row "silent device" row_silent
run_row "baud mismatch (noise)" row_baud
run_row "kill -9 while recording" row_kill9
run_row "disk full" row_disk_full
run_row "database locked" row_locked
run_row "database corrupt at start" row_corrupt
run_row "wrong config file" row_config
run_row "1000 HTTP clients" row_clients
run_row "malformed HTTP" row_malformed

failed=0
echo
printf '| %-26s | %-7s | %s | %s | %s |\n' fault outcome "daemon's log line" "/api/status" "committed data"
printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..28})" ---------  ---  ---  ---
for r in "${ROWS[@]}"; do
	IFS=$'\t' read -r name outcome log st kept <<<"$r"
	printf '| %-26s | %-7s | %s | %s | %s |\n' "$name" "$outcome" "${log:0:110}" "$st" "$kept"
	[ "$outcome" = FAIL ] && failed=$((failed + 1))
done
pass=$(printf '%s\n' "${ROWS[@]}" | grep -c $'\tPASS\t')
skips=$(printf '%s\n' "${ROWS[@]}" | grep -c $'\tSKIP\t')
echo "fault matrix: ${#ROWS[@]} rows, $pass passed, $skips skipped, $failed failed"
[ "$failed" = 0 ]
