#!/bin/bash
# Two lanes of synthetic insoles in one daemon: each lane streams, records
# and stops on its own, the un-prefixed routes are the first lane's, the
# session list filters by lane, a third lane whose device is missing waits
# without holding up the others, and a lane configuration naming an unknown
# device is refused with its file and line.  SIGHUP reloads every lane's
# devices and layouts, refusing what it cannot take.
set -euo pipefail
. "$top_srcdir/tests/integration/lib.sh"

db="$test_tmp/lanes.db"
conf="$test_tmp/lanes.conf"
cat >"$conf" <<CONF
[daemon]
listen = 127.0.0.1:0
db = $db

[lane walk]
devices = pair

[lane run]
devices = run_l, run_r

[lane dead]
devices = gone

[device gone]
port = $test_tmp/no-such-tty
foot = left

[device pair]
port = synthetic
synth = cadence_spm=100,seed=3

[device run_l]
port = synthetic
foot = left
synth = cadence_spm=180,seed=5,running=1

[device run_r]
port = synthetic
foot = right
synth = cadence_spm=180,seed=5,running=1
CONF
start_insoled --config "$conf"

WAIT_S=${WAIT_S:-30}
waited=0
until lanes=$(api "$INSOLED_URL/api/lanes") &&
	[ "$(jq '[.lanes[] | select(.state == "streaming" and .frames_per_s > 0)] | length' <<<"$lanes")" = 2 ]; do
	waited=$((waited + 1))
	[ "$waited" -lt $((WAIT_S * 10)) ] || fail "both lanes should stream: $lanes"
	sleep 0.1
done
[ "$(jq -c '[.lanes[].name]' <<<"$lanes")" = '["walk","run","dead"]' ] || fail "lanes in file order: $lanes"
[ "$(jq -r '.lanes[2].state' <<<"$lanes")" = waiting ] || fail "the lane without its device: $lanes"
code=$(api -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{"subject":"nobody"}' \
	"$INSOLED_URL/api/lanes/dead/sessions")
[ "$code" = 503 ] || fail "recording on a lane with nothing streaming answered $code, not 503"
[ "$(jq -c '.lanes[1].devices' <<<"$lanes")" = '["run_l","run_r"]' ] || fail "run lane devices: $lanes"

start() { # LANE-PREFIX SUBJECT
	api -X POST -H 'Content-Type: application/json' -d "{\"subject\":\"$2\"}" "$INSOLED_URL/api$1/sessions" | jq -r .id
}
now() { date +%s.%N; }
run_t0=$(now)
run_id=$(start /lanes/run runner)
walk_t0=$(now)
walk_id=$(start "" walker) # the un-prefixed route records the first lane
[[ "$run_id" =~ ^[0-9]+$ && "$walk_id" =~ ^[0-9]+$ ]] || fail "sessions not started: $run_id $walk_id"
code=$(api -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{"subject":"again"}' \
	"$INSOLED_URL/api/lanes/run/sessions")
[ "$code" = 409 ] || fail "a second session on a recording lane answered $code, not 409"

# Each lane's stream carries its own frames.
timeout 3 curl -sS -N "$INSOLED_URL/api/lanes/run/live/stream" >"$test_tmp/run.sse" || true
grep -q '^event: frame' "$test_tmp/run.sse" || fail "no frame events on the run lane's stream"

sleep 4
api -X POST "$INSOLED_URL/api/sessions/$run_id/stop" >/dev/null
run_t1=$(now)
lanes=$(api "$INSOLED_URL/api/lanes")
[ "$(jq '.lanes[0].recording_session' <<<"$lanes")" = "$walk_id" ] ||
	fail "stopping the run lane's session stopped the walk lane's: $lanes"
[ "$(jq '.lanes[1].recording_session' <<<"$lanes")" = null ] || fail "run lane still recording: $lanes"
sleep 2
api -X POST "$INSOLED_URL/api/lanes/walk/sessions/$walk_id/stop" >/dev/null
walk_t1=$(now)

listed=$(api "$INSOLED_URL/api/sessions?lane=run")
[ "$(jq '.total' <<<"$listed")" = 1 ] && [ "$(jq '.sessions[0].id' <<<"$listed")" = "$run_id" ] ||
	fail "?lane=run lists: $listed"
[ "$(api "$INSOLED_URL/api/lanes/walk/sessions" | jq '[.sessions[].lane] | unique')" = '[
  "walk"
]' ] || fail "the walk lane's list holds other lanes' sessions"
# Each session holds its own lane's steps: 180 steps/min on one, 100 on the
# other, over the time each recorded (a step or two either way at the ends,
# and a quarter for a loaded machine).
check_steps() { # NAME ID CADENCE T0 T1
	local n expect
	n=$(api "$INSOLED_URL/api/sessions/$2/steps" | jq '.steps | length')
	expect=$(awk -v c="$3" -v a="$4" -v b="$5" 'BEGIN { printf "%d", c * (b - a) / 60 }')
	awk -v n="$n" -v e="$expect" 'BEGIN { exit !(n >= e * 0.75 - 2 && n <= e * 1.25 + 2) }' ||
		fail "$1 lane: $n steps where $3/min over its recording gives about $expect"
	echo "$n"
}
run_steps=$(check_steps run "$run_id" 180 "$run_t0" "$run_t1")
walk_steps=$(check_steps walk "$walk_id" 100 "$walk_t0" "$walk_t1")

# SIGHUP with several lanes: every lane's devices reload and a recording
# goes on; a layout change on a recording lane is refused (nothing
# reloaded), then taken once its session has ended; lanes renamed and a
# broken file are refused and the running lanes kept.
cp "$conf" "$conf.orig"
wait_streaming() { # WHAT
	for _ in $(seq $((WAIT_S * 10))); do
		lanes=$(api "$INSOLED_URL/api/lanes") &&
			[ "$(jq '[.lanes[] | select(.state == "streaming")] | length' <<<"$lanes")" = 2 ] && return 0
		sleep 0.1
	done
	fail "$1: $lanes"
}
hup_id=$(start /lanes/run hup)
sed -i 's/cadence_spm=100,seed=3/cadence_spm=120,seed=4/' "$conf"
kill -HUP "$INSOLED_PID"
wait_log "$WAIT_S" 'reloaded: 4 devices, layouts unchanged, still recording in run' "no reload of the lanes' devices"
wait_streaming "both lanes should stream again after the reload"
[ "$(api "$INSOLED_URL/api/lanes" | jq '.lanes[1].recording_session')" = "$hup_id" ] ||
	fail "the run lane's recording did not go on across the reload"
sed -i 's/^devices = run_l, run_r$/devices = run_l, run_r\nlayout = grid60x21/' "$conf"
kill -HUP "$INSOLED_PID"
wait_log "$WAIT_S" "reload: lane run: session $hup_id is recording with the current layouts and calibration" \
	"a layout change on a recording lane was not refused"
api -X POST "$INSOLED_URL/api/lanes/run/sessions/$hup_id/stop" >/dev/null
kill -HUP "$INSOLED_PID"
wait_log "$WAIT_S" 'reloaded: 4 devices, new layouts and calibration in run' "the layout change was not taken after the session"
wait_streaming "both lanes should stream with the run lane's new layout"
[ "$(api "$INSOLED_URL/api/lanes/run/status" | jq -r '.acquisition.devices[0].protocol.n_mismatches')" = 0 ] ||
	fail "the run lane's devices do not send the new layout's frames"
sed -i 's/^\[lane walk\]$/[lane stroll]/' "$conf"
kill -HUP "$INSOLED_PID"
wait_log "$WAIT_S" 'lanes added, removed, renamed or reordered take effect at the next start' "a renamed lane was not refused"
echo '[lane' >>"$conf"
kill -HUP "$INSOLED_PID"
wait_log "$WAIT_S" "reload: $conf:$(wc -l <"$conf"): syntax error; keeping the running configuration" \
	"a broken file was not refused"
[ "$(api "$INSOLED_URL/api/lanes" | jq -c '[.lanes[].name]')" = '["walk","run","dead"]' ] ||
	fail "the lanes changed on a refused reload"
wait_streaming "both lanes should stream after the refused reloads"
cp "$conf.orig" "$conf"
stop_insoled
[ "$(sqlite3 "$db" "SELECT lane FROM sessions WHERE id = $run_id")" = run ] || fail "lane column not stored"

# A lane naming a device that does not exist: refused, naming file:line:key.
sed -i 's/^devices = run_l, run_r$/devices = run_l, run_x/' "$conf"
if "$INSOLED" --foreground --config "$conf" >/dev/null 2>"$test_tmp/bad.err"; then
	fail "a lane naming an unknown device was accepted"
fi
grep -q "$conf:9: devices: unknown device 'run_x'" "$test_tmp/bad.err" || fail "error was: $(cat "$test_tmp/bad.err")"
echo "PASS: two lanes recorded $walk_steps and $run_steps steps independently"
