#!/bin/bash
# A full disk while recording: the daemon keeps running, the live view keeps
# answering, the error shows in /api/status, data waits in the queue, and
# once there is room again everything is written by itself; the database is
# intact.  The small file system is a tmpfs in a private mount namespace
# (unshare -m), so the test needs root or unprivileged user namespaces and
# is skipped where neither is available.
set -euo pipefail

. "$top_srcdir/tests/integration/mount_ns.sh"
. "$top_srcdir/tests/integration/lib.sh"
need_tools sqlite3 jq

SMALL=320k          # fits the schema and a few seconds of frames, then fills up
LARGE=64m
RATE_HZ=400         # fills the small file system in a few seconds
WAIT_S=30           # longest wait for the writer to notice / recover

fs="$test_tmp/fs"
mkdir -p "$fs"
mount -t tmpfs -o "size=$SMALL" tmpfs "$fs" 2>/dev/null || skip "mounting a tmpfs is not permitted here"
# The daemon must be gone before the file system can be unmounted and removed.
unmount_and_clean() {
	if [ -n "$INSOLED_PID" ]; then
		kill "$INSOLED_PID" 2>/dev/null || true
		wait "$INSOLED_PID" 2>/dev/null || true
		INSOLED_PID=
	fi
	umount "$fs" 2>/dev/null || true
	cleanup
}
trap unmount_and_clean EXIT

db="$fs/full.db"
start_insoled --demo --listen 127.0.0.1:0 --db "$db" --synth "rate_hz=$RATE_HZ,seed=5"
session=$(api -X POST -H 'Content-Type: application/json' -d '{"subject":"disk-full"}' "$INSOLED_URL/api/sessions")
id=$(jq -r '.id' <<<"$session")
[[ "$id" =~ ^[0-9]+$ ]] || fail "session not created: $session"


wait_db_status '.healthy == false'
err=$(jq -r '.database.last_error' <<<"$status")
[[ "$err" == *"database or disk is full"* ]] || fail "status does not name the full disk: $err"
queued_then=$(jq -r '.database.queue_depth' <<<"$status")
sleep 1
# Still acquiring and analysing while nothing can be written.
live=$(api "$INSOLED_URL/api/live")
[ "$(jq -r '.feet.left.heatmap.w' <<<"$live")" -gt 0 ] || fail "live view stopped while the disk was full"
queued_now=$(jq -r '.database.queue_depth' <<<"$(api "$INSOLED_URL/api/status")")
[ "$queued_now" -gt "$queued_then" ] || fail "queue did not grow while the disk was full ($queued_then -> $queued_now)"

mount -o "remount,size=$LARGE" "$fs"
wait_db_status '.healthy == true and .queue_depth < 2000'
code=$(api -o "$test_tmp/stop.json" -w '%{http_code}' -X POST "$INSOLED_URL/api/sessions/$id/stop")
[ "$code" = 200 ] || fail "stop answered $code: $(cat "$test_tmp/stop.json")"
status=$(api "$INSOLED_URL/api/status")
dropped=$(jq -r '.database.frames_dropped' <<<"$status")
[ "$dropped" = 0 ] || fail "$dropped frames dropped: the queue bound was reached"
frames=$(jq -r '.frames' <<<"$(cat "$test_tmp/stop.json")")
stop_insoled

[ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ] || fail "integrity_check failed"
in_chunks=$(sqlite3 "$db" "SELECT sum(n_frames) FROM raw_chunks WHERE session_id = $id")
[ "$in_chunks" = "$frames" ] || fail "session says $frames frames, archive holds $in_chunks"
echo "PASS: disk full noticed ($err), $queued_now frames waited, all $frames frames written after the remount"
