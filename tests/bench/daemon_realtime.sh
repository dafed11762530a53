#!/bin/bash
# What the whole daemon costs at real time: the emulator streams a pair of
# LAYOUT insoles (default fsr16; grid60x21 for a 1,260-cell pair) at 100 Hz
# into `insoled --device` over a pty for SECONDS (default 60) while a
# session records; prints the daemon's CPU share of one core (utime+stime
# from /proc over the run after a 5 s settle), its peak and final RSS, and
# whether anything was dropped.  Run from the build directory:
#   top_srcdir=.. top_builddir=. ../tests/bench/daemon_realtime.sh [LAYOUT [SECONDS]]
. "$top_srcdir/tests/integration/lib.sh"
set -u
need_tools jq curl
layout=${1:-fsr16}
seconds=${2:-60}
link="$test_tmp/insole"
hz=$(getconf CLK_TCK)

start_emulator rt --format binary --layout "$layout" --rate 100 --speed 1 --duration $((seconds + 10)) --seed 5 --link "$link"
start_insoled --device "$link" --layout "$layout" --listen 127.0.0.1:0 --db "$test_tmp/rt.db"
sleep 2
api -X POST "$INSOLED_URL/api/sessions" -H 'Content-Type: application/json' -d '{"subject":"bench"}' >/dev/null
sleep 3
ticks() { awk '{ print $14 + $15 }' "/proc/$INSOLED_PID/stat"; }
t0=$(ticks)
s0=$(date +%s.%N)
sleep "$seconds"
t1=$(ticks)
s1=$(date +%s.%N)
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$INSOLED_PID/status")
rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$INSOLED_PID/status")
drops=$(api "$INSOLED_URL/api/status" | jq '.acquisition.queue.dropped + .queues.store.dropped + .database.frames_dropped + .acquisition.devices[0].protocol.frames_lost')
awk -v t="$((t1 - t0))" -v hz="$hz" -v s0="$s0" -v s1="$s1" -v hwm="$hwm" -v rss="$rss" -v d="$drops" -v l="$layout" \
	'BEGIN { printf "%s pair at 100 Hz, recording, %.0f s: daemon CPU %.2f %% of one core, RSS %.1f MB (peak %.1f MB), %d frames dropped or lost\n",
		l, s1 - s0, 100 * t / hz / (s1 - s0), rss / 1024, hwm / 1024, d }'
