#!/bin/bash
# The soak: SOAK_HOURS (default 2) of walking from the emulator, played
# SOAK_SPEED times faster than real time into the daemon over a pty,
# recorded as one session.  Default 20 (4,000 frames/s): at 40 a 2-core
# machine running a parallel build dropped 0.1 % of the frames.  Every
# SOAK_SAMPLE_S seconds the daemon's RSS and open file descriptors are
# sampled; after a warm-up (the first
# quarter: the store's page cache and the queues reach their working size)
# RSS may grow by at most SOAK_RSS_GROWTH_KB and the descriptors not at all.
# At the end the step count must equal the emulator's truth exactly, no
# frame may have been dropped anywhere, and the recorded session must hold
# every one of those steps.  Starting a recording starts a fresh analysis
# (a stance in progress then is not counted), so the model stands quietly
# for the first two wall-clock seconds and the recording starts then.
. "$top_srcdir/tests/integration/lib.sh"
set -u
need_tools jq curl
SOAK_HOURS=${SOAK_HOURS:-2}
SOAK_SPEED=${SOAK_SPEED:-20}
SOAK_SAMPLE_S=${SOAK_SAMPLE_S:-5}
SOAK_RSS_GROWTH_KB=${SOAK_RSS_GROWTH_KB:-2048}
# Longest wait for the last frames and steps after the emulator ends: a
# second on an idle machine, more with the machine loaded.
SOAK_DRAIN_S=${SOAK_DRAIN_S:-30}
duration_s=$(awk -v h="$SOAK_HOURS" 'BEGIN { printf "%d", h * 3600 }')
link="$test_tmp/insole"

standing_s=$(awk -v x="$SOAK_SPEED" 'BEGIN { printf "%d", 2 * x }')
start_emulator soak --format binary --duration "$duration_s" --speed "$SOAK_SPEED" --seed 77 --link "$link" \
	--synth "standing_s=$standing_s"
start_insoled --device "$link" --layout fsr16 --listen 127.0.0.1:0 --db "$test_tmp/soak.db"
for _ in $(seq 100); do
	[ "$(api "$INSOLED_URL/api/status" | jq '.acquisition.devices[0].frames_queued')" -gt 0 ] 2>/dev/null && break
	sleep 0.1
done
session=$(api -X POST "$INSOLED_URL/api/sessions" -H 'Content-Type: application/json' -d '{"subject":"soak"}' | jq -r .id)
[[ "$session" =~ ^[0-9]+$ ]] || fail "could not start the recording"
at_start=$(api "$INSOLED_URL/api/status" | jq '.acquisition.devices[0].frames_queued')
[ "$at_start" -lt $((standing_s * 100 * 2)) ] ||
	fail "the recording started after $at_start frames, when the model was already walking (machine too slow)"

sample() {
	local rss fds
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$INSOLED_PID/status")
	fds=$(ls "/proc/$INSOLED_PID/fd" | wc -l)
	echo "$1 $rss $fds" >>"$test_tmp/samples"
}
start=$(date +%s)
while kill -0 "$EMULATOR_PID" 2>/dev/null; do
	kill -0 "$INSOLED_PID" 2>/dev/null || fail "the daemon died during the soak"
	sample $(($(date +%s) - start))
	sleep "$SOAK_SAMPLE_S"
done
wait_pid "$EMULATOR_PID" 10 || fail "the emulator failed: $(cat "$test_tmp/soak.emu.err")"
stats="$test_tmp/soak.stats"
want_frames=$(jq .expect.frames "$stats")
want_steps=$(jq '[.feet[].steps_completed] | add' "$stats")
# The last bytes still on their way through the pty, the parser and the
# analysis are waited for, not slept on: a loaded machine takes longer.  A
# count that never arrives is reported by the checks below.
caught_up() {
	api "$INSOLED_URL/api/status" | jq -e --argjson f "$want_frames" --argjson s "$want_steps" \
		'.acquisition.devices[0].frames_queued == $f and .analysis.steps_detected == $s' >/dev/null
}
for ((i = 0; i < SOAK_DRAIN_S * 10; i++)); do
	caught_up && break
	sleep 0.1
done
sample $(($(date +%s) - start))
wall=$(($(date +%s) - start))
api -X POST "$INSOLED_URL/api/sessions/$session/stop" >/dev/null || fail "stopping the session failed"
api "$INSOLED_URL/api/status" >"$test_tmp/status.json"

n=$(wc -l <"$test_tmp/samples")
[ "$n" -ge 8 ] || fail "only $n samples: the soak ran $wall s (raise SOAK_HOURS or lower SOAK_SPEED)"
read -r rss_warm fds_warm < <(sed -n "$((n / 4 + 1))p" "$test_tmp/samples" | cut -d' ' -f2-)
read -r rss_first < <(head -n 1 "$test_tmp/samples" | cut -d' ' -f2)
rss_max=$(awk 'NR > '"$((n / 4))"' && $2 > m { m = $2 } END { print m }' "$test_tmp/samples")
read -r rss_end fds_end < <(tail -n 1 "$test_tmp/samples" | cut -d' ' -f2-)
fds_max=$(awk '$3 > m { m = $3 } END { print m }' "$test_tmp/samples")
echo "RSS: $rss_first kB at start, $rss_warm kB after warm-up, at most $rss_max kB after, $rss_end kB at the end ($n samples over $wall s)"
echo "open fds: $fds_warm after warm-up, at most $fds_max, $fds_end at the end"
[ $((rss_max - rss_warm)) -le "$SOAK_RSS_GROWTH_KB" ] ||
	fail "RSS grew by $((rss_max - rss_warm)) kB after warm-up (limit $SOAK_RSS_GROWTH_KB): $(tr '\n' ';' <"$test_tmp/samples")"
[ "$fds_end" -le "$fds_warm" ] || fail "open fds grew from $fds_warm to $fds_end"

got=$(jq -c '{steps: .analysis.steps_detected, frames: .acquisition.devices[0].frames_queued,
	drops: (.acquisition.queue.dropped + .queues.store.dropped + .database.frames_dropped + .database.steps_dropped),
	rejected: .analysis.frames_rejected}' "$test_tmp/status.json")
echo "daemon: $got; emulator: $want_frames frames, $want_steps steps ($(jq -c '[.feet[] | .steps_completed]' "$stats") left, right)"
[ "$(jq .frames <<<"$got")" = "$want_frames" ] || fail "the daemon queued $(jq .frames <<<"$got") frames, the emulator sent $want_frames"
[ "$(jq .drops <<<"$got")" = 0 ] || fail "frames or steps were dropped: $(jq -c '.acquisition.queue, .queues.store, .database' "$test_tmp/status.json")"
[ "$(jq .steps <<<"$got")" = "$want_steps" ] || fail "the daemon detected $(jq .steps <<<"$got") steps, the model made $want_steps"
recorded=$(api "$INSOLED_URL/api/sessions/$session" | jq .frames)
[ "$recorded" -gt 0 ] && [ "$recorded" -le "$want_frames" ] || fail "the session holds $recorded frames of $want_frames"
session_steps=$(api "$INSOLED_URL/api/sessions/$session/steps" | jq '.steps | length')
[ "$session_steps" = "$want_steps" ] || fail "the session holds $session_steps steps, the model made $want_steps"
stop_insoled
echo "soak: $SOAK_HOURS h of walking at ${SOAK_SPEED}x in $wall s: steps exact ($want_steps live and recorded), $want_frames frames, 0 dropped, session $recorded frames, RSS +$((rss_max - rss_warm)) kB after warm-up, fds $fds_warm -> $fds_end"
