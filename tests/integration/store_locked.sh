#!/bin/bash
# Another process holds the database's write lock while the daemon records:
# the daemon keeps acquiring (live view answers), shows the error in
# /api/status, and writes everything once the lock is released.
set -euo pipefail
. "$top_srcdir/tests/integration/lib.sh"
need_tools sqlite3 jq

LOCK_S=4            # how long the other process keeps the lock
WAIT_S=20           # longest wait for the writer to notice / recover

db="$test_tmp/locked.db"
start_insoled --demo --listen 127.0.0.1:0 --db "$db" --synth "rate_hz=100,seed=9"
session=$(api -X POST -H 'Content-Type: application/json' -d '{"subject":"locked"}' "$INSOLED_URL/api/sessions")
id=$(jq -r '.id' <<<"$session")
[[ "$id" =~ ^[0-9]+$ ]] || fail "session not created: $session"
sleep 1

# The other process: takes the write lock, keeps it LOCK_S seconds, lets go.
# It waits up to LOCKER_WAIT_MS for the lock: without a busy timeout its
# BEGIN IMMEDIATE failed when it met one of the daemon's own commits (more
# often under valgrind, where a commit takes longer), no lock was held and
# the daemon was rightly never unhealthy.
LOCKER_WAIT_MS=10000
{ echo ".timeout $LOCKER_WAIT_MS"; echo "BEGIN IMMEDIATE;"; echo "SELECT 'locked';"; sleep "$LOCK_S"
	echo "COMMIT;"; } | sqlite3 "$db" >"$test_tmp/locker.out" 2>&1 &
locker=$!


wait_db_status '.healthy == false'
err=$(jq -r '.database.last_error' <<<"$status")
[[ "$err" == *"database is locked"* ]] || fail "status does not name the lock: $err"
live=$(api "$INSOLED_URL/api/live")
[ "$(jq -r '.feet.left.heatmap.w' <<<"$live")" -gt 0 ] || fail "live view stopped while the database was locked"
wait "$locker" || fail "the locking sqlite3 failed: $(cat "$test_tmp/locker.out")"
wait_db_status '.healthy == true and .queue_depth < 400'
code=$(api -o "$test_tmp/stop.json" -w '%{http_code}' -X POST "$INSOLED_URL/api/sessions/$id/stop")
[ "$code" = 200 ] || fail "stop answered $code: $(cat "$test_tmp/stop.json")"
frames=$(jq -r '.frames' <"$test_tmp/stop.json")
dropped=$(jq -r '.database.frames_dropped' <<<"$(api "$INSOLED_URL/api/status")")
[ "$dropped" = 0 ] || fail "$dropped frames dropped while locked"
stop_insoled
[ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ] || fail "integrity_check failed"
in_chunks=$(sqlite3 "$db" "SELECT sum(n_frames) FROM raw_chunks WHERE session_id = $id")
[ "$in_chunks" = "$frames" ] || fail "session says $frames frames, archive holds $in_chunks"
# LOCK_S seconds of both feet at 100 Hz had to wait and were kept.
[ "$frames" -ge $(( (LOCK_S + 1) * 200 )) ] || fail "only $frames frames stored"
echo "PASS: lock held ${LOCK_S} s ($err); all $frames frames written after its release"
