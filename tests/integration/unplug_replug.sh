#!/bin/bash
# Unplug and replug: the emulator streams in real time behind a symlink,
# vanishes for 1.5 s and comes back on a new pty.  `insoled --dump --follow`
# (the daemon's reopen path) must reopen it, resume within 2 s of its
# return, and read every frame the emulator sent, with no fault counted.
. "$top_srcdir/tests/integration/lib.sh"
set -u
need_tools jq

RESUME_LIMIT_US=2000000 # the issue's promise
link="$test_tmp/insole"

start_emulator replug --format binary --duration 4 --seed 21 --link "$link" --unplug-after 1 --unplug-for 1.5
timeout 30 "$INSOLED" --dump "$link" --follow >"$test_tmp/replug.out" 2>"$test_tmp/replug.err" &
DUMP_PID=$!
PIDS="$PIDS $DUMP_PID"

# The emulator prints each new pty as it appears: note when the second one
# (the replug) shows up.
replug_us=""
for _ in $(seq 200); do
	if [ "$(wc -l <"$test_tmp/replug.emu.out")" -ge 2 ]; then
		replug_us=$(date +%s%6N)
		break
	fi
	sleep 0.02
done
[ -n "$replug_us" ] || fail "the emulator never came back: $(cat "$test_tmp/replug.emu.err")"
wait_pid "$EMULATOR_PID" 20 || fail "the emulator failed: $(cat "$test_tmp/replug.emu.err")"
sleep 0.5
kill -INT "$DUMP_PID"
wait_pid "$DUMP_PID" 10 || fail "dump failed: $(tail -n 5 "$test_tmp/replug.err")"

compare_counters replug "$test_tmp/replug.out"
dev=$(tail -n 1 "$test_tmp/replug.out" | jq -c '.counters.devices[0]')
echo "device: $(echo "$dev" | jq -c '{opens, disconnects, open_failures, state, driver}')"
[ "$(echo "$dev" | jq .opens)" = 2 ] || fail "opened $(echo "$dev" | jq .opens) times, want 2 (before and after the unplug)"
# The unplug and the emulator's exit at the end.
[ "$(echo "$dev" | jq .disconnects)" = 2 ] || fail "$(echo "$dev" | jq .disconnects) disconnects, want 2"
[ "$(jq '.faults.unplugs' "$test_tmp/replug.stats")" = 1 ] || fail "the emulator did not unplug once"

# First frame read after the replug: within the limit of the pty's return.
first_us=$(grep '"seq"' "$test_tmp/replug.out" | jq -s --argjson r "$replug_us" '[.[] | .host_us | select(. >= $r)] | min')
[ "$first_us" != null ] || fail "no frame read after the replug"
delay=$((first_us - replug_us))
echo "first frame after the replug read ${delay} us after the new pty appeared"
[ "$delay" -le "$RESUME_LIMIT_US" ] || fail "resumed ${delay} us after the replug, limit $RESUME_LIMIT_US"

# The unwrapped timelines stay monotonic across the reopen.
jq -s -e 'group_by(.foot) | all(.[]; [.[].t_us] as $t | $t == ($t | sort))' <(grep '"seq"' "$test_tmp/replug.out") >/dev/null ||
	fail "t_us went backwards across the reopen"
# Across the replug each foot's timeline moves on by the outage as the host
# saw it, from the last frame before to the first frame after: time between
# the reopen and that first frame is not lost (strides across a replug would
# come out short).  Both come from the same reads, so they agree to within
# microseconds however loaded the machine (measured at the reopen instead,
# the jump came out 23 ms short here: the reopen-to-first-frame time).
grep '"seq"' "$test_tmp/replug.out" >"$test_tmp/frames.jsonl"
jq -s -e '
	group_by(.foot) | length == 2 and all(.[];
		[range(1; length) as $i | {dt: (.[$i].t_us - .[$i - 1].t_us), dh: (.[$i].host_us - .[$i - 1].host_us)}]
		| max_by(.dh) | (.dh > 500000) and ((.dt - .dh) | fabs) < 5000)' "$test_tmp/frames.jsonl" >/dev/null ||
	fail "the timeline across the replug does not follow the host clock: $(
		jq -s -c 'group_by(.foot) | map([range(1; length) as $i | {foot: .[$i].foot, dt: (.[$i].t_us - .[$i - 1].t_us), dh: (.[$i].host_us - .[$i - 1].host_us)}] | max_by(.dh))' "$test_tmp/frames.jsonl")"
exit 0
