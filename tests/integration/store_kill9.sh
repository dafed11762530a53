#!/bin/bash
# kill -9 of the daemon while it records: after a restart the database passes
# PRAGMA integrity_check, the session is 'interrupted' with everything that
# was committed, and at most ~1 s of frames is missing (frames the demo
# device sent during the recording, counted from its real-time rate, against
# frames stored).
set -euo pipefail
. "$top_srcdir/tests/integration/lib.sh"
need_tools sqlite3 jq

RATE_HZ=100          # frames per second per foot of the demo device
RECORD_S=3.8         # recording time before the kill (between two commits)
MAX_MISSING_S=1.2    # the store commits every 0.5 s; ~1 s may be lost, with margin for scheduling

db="$test_tmp/kill9.db"
start_insoled --demo --listen 127.0.0.1:0 --db "$db" --synth "rate_hz=$RATE_HZ,seed=11"
session=$(api -X POST -H 'Content-Type: application/json' \
	-d '{"subject":"crash-01","footwear":"shoe A","notes":"kill -9 test"}' "$INSOLED_URL/api/sessions")
id=$(jq -r '.id' <<<"$session")
[[ "$id" =~ ^[0-9]+$ ]] || fail "session not created: $session"
start_us=$(jq -r '.start_us' <<<"$session")

sleep "$RECORD_S"
kill_us=$(date +%s%6N)
kill -9 "$INSOLED_PID"
wait "$INSOLED_PID" 2>/dev/null || true
INSOLED_PID=

# The database as the dead daemon left it: consistent (WAL recovery is SQLite's job).
integrity=$(sqlite3 "$db" "PRAGMA integrity_check")
[ "$integrity" = ok ] || fail "integrity_check after kill -9: $integrity"

# (the first run's announcement must not be mistaken for the second's)
rm -f "$test_tmp/insoled.out"
start_insoled --demo --listen 127.0.0.1:0 --db "$db" --synth "rate_hz=$RATE_HZ,seed=11"
got=$(api "$INSOLED_URL/api/sessions/$id")
state=$(jq -r '.state' <<<"$got")
[ "$state" = interrupted ] || fail "session state after restart is '$state', not interrupted"
stored=$(jq -r '.frames' <<<"$got")
end_us=$(jq -r '.end_us' <<<"$got")
stop_insoled

integrity=$(sqlite3 "$db" "PRAGMA integrity_check")
[ "$integrity" = ok ] || fail "integrity_check after restart: $integrity"
in_chunks=$(sqlite3 "$db" "SELECT coalesce(sum(n_frames), 0) FROM raw_chunks WHERE session_id = $id")
[ "$in_chunks" = "$stored" ] || fail "session says $stored frames, the archive holds $in_chunks"
lost=$(sqlite3 "$db" "SELECT coalesce(sum(frames_lost + dropped_frames), 0) FROM session_quality WHERE session_id = $id")
[ "$lost" = 0 ] || fail "$lost frames lost or dropped while recording"

# Frames sent while recording: both feet at RATE_HZ from the session start to the kill.
read -r sent missing limit < <(awk -v s="$start_us" -v k="$kill_us" -v r="$RATE_HZ" -v n="$stored" -v m="$MAX_MISSING_S" \
	'BEGIN { sent = int((k - s) / 1e6 * r * 2); printf "%d %d %d\n", sent, sent - n, m * r * 2 }')
echo "recorded $RECORD_S s: about $sent frames sent, $stored stored, $missing missing (limit $limit)"
[ "$stored" -gt 0 ] || fail "nothing was committed in $RECORD_S s"
[ "$missing" -le "$limit" ] || fail "$missing frames missing, more than $MAX_MISSING_S s worth ($limit)"
[ "$end_us" -le "$kill_us" ] || fail "end_us $end_us is after the kill at $kill_us"
echo "PASS: kill -9 left session $id interrupted with $stored frames; integrity ok"
