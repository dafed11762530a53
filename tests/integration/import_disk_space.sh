#!/bin/bash
# Imports and uploads never take the room a live recording needs: with less
# than INS_DISK_KEEP_FREE_BYTES (256 MiB) left on the database's file system
# an import is refused with 507 naming the place and the figures, and with
# that little in the temporary directory so is an upload, and a form whose
# files' copy would take the kept room; a chunked upload stops when it
# reaches the kept room and gives its space back at once.
# Meanwhile a recording goes on and loses nothing.  The file systems are
# tmpfs in a private mount namespace (a tmpfs holds only what is written,
# so its size can be set far above what the test writes).
set -euo pipefail

. "$top_srcdir/tests/integration/mount_ns.sh"
. "$top_srcdir/tests/integration/lib.sh"
need_tools jq curl

ROOMY=600m          # the kept 256 MiB and far more
TIGHT=200m          # less than the kept room
EDGE=300m           # the kept room and 44 MiB: a chunked upload stops at the first look past it
FORM_EDGE=330m      # the kept room and 74 MiB: a 40 MiB form is received, its copy does not fit
RATE_HZ=200

dbfs="$test_tmp/db"
# upload_path holds the directory in 31 bytes at most: a short one
upfs=$(mktemp -d /tmp/ins-up-XXXXXX)
mkdir -p "$dbfs"
mount -t tmpfs -o "size=$ROOMY" tmpfs "$dbfs" 2>/dev/null || skip "mounting a tmpfs is not permitted here"
mount -t tmpfs -o "size=$ROOMY" tmpfs "$upfs" || fail "cannot mount the upload tmpfs"
unmount_and_clean() {
	if [ -n "${INSOLED_PID:-}" ]; then
		kill "$INSOLED_PID" 2>/dev/null || true
		wait "$INSOLED_PID" 2>/dev/null || true
		INSOLED_PID=
	fi
	umount "$dbfs" "$upfs" 2>/dev/null || true
	rmdir "$upfs" 2>/dev/null || true
	cleanup
}
trap unmount_and_clean EXIT

TMPDIR=$upfs start_insoled --demo --listen 127.0.0.1:0 --db "$dbfs/s.db" --synth "rate_hz=$RATE_HZ,seed=3"

# A recording exported as the file to import.
first=$(api -X POST -H 'Content-Type: application/json' -d '{"subject":"disk-space"}' "$INSOLED_URL/api/sessions" |
	jq -r '.id')
sleep 2
api -X POST "$INSOLED_URL/api/sessions/$first/stop" >/dev/null
api -o "$test_tmp/rec.csv" "$INSOLED_URL/api/sessions/$first/export/frames.csv"
[ -s "$test_tmp/rec.csv" ] || fail "the export is empty"

import() { # import FILE [curl options...]: prints the HTTP status, the answer in $test_tmp/import.json
	# (the same recording each time: duplicate=allow)
	local file=$1
	shift
	api --max-time 60 -o "$test_tmp/import.json" -w '%{http_code}' -X POST --data-binary "@$file" "$@" \
		"$INSOLED_URL/api/sessions/import?subject=disk-space&name=rec.csv&duplicate=allow" || true
}
sessions() { api "$INSOLED_URL/api/sessions?limit=100" | jq '.sessions | length'; }

code=$(import "$test_tmp/rec.csv")
[ "$code" = 201 ] || fail "import with room answered $code: $(cat "$test_tmp/import.json")"

# A recording goes on through everything below.
live=$(api -X POST -H 'Content-Type: application/json' -d '{"subject":"live"}' "$INSOLED_URL/api/sessions" |
	jq -r '.id')
[[ "$live" =~ ^[0-9]+$ ]] || fail "recording not started"

# The database's file system below the kept room: the import is refused, nothing written.
mount -o "remount,size=$TIGHT" "$dbfs"
before=$(sessions)
code=$(import "$test_tmp/rec.csv")
[ "$code" = 507 ] || fail "import on a nearly full database disk answered $code: $(cat "$test_tmp/import.json")"
msg=$(jq -r '.error' "$test_tmp/import.json")
[[ "$msg" == *"not enough free disk space for the imported session in $dbfs/s.db"*"256 MiB stay free for live recording"* ]] ||
	fail "the refusal does not say where and why: $msg"
[ "$(sessions)" = "$before" ] || fail "a refused import left a session"
# a recording already stored is told so first: it needs no room
code=$(api -o "$test_tmp/dup.json" -w '%{http_code}' -X POST --data-binary "@$test_tmp/rec.csv" \
	"$INSOLED_URL/api/sessions/import?subject=disk-space&name=rec.csv" || true)
[ "$code" = 409 ] || fail "a duplicate on a nearly full disk answered $code: $(cat "$test_tmp/dup.json")"
mount -o "remount,size=$ROOMY" "$dbfs"
code=$(import "$test_tmp/rec.csv")
[ "$code" = 201 ] || fail "import after space was freed answered $code: $(cat "$test_tmp/import.json")"

# The temporary directory below the kept room: the upload is refused before it is stored.
mount -o "remount,size=$TIGHT" "$upfs"
code=$(import "$test_tmp/rec.csv")
[ "$code" = 507 ] || fail "upload into a nearly full temporary directory answered $code"
msg=$(jq -r '.error' "$test_tmp/import.json")
[[ "$msg" == *"not enough free disk space for the upload in $upfs"* ]] || fail "the upload refusal says: $msg"

# A chunked upload (no length known in advance) stops at the kept room and gives the space back.
mount -o "remount,size=$EDGE" "$upfs"
head -c 80M /dev/zero >"$test_tmp/big.bin"
code=$(import "$test_tmp/big.bin" -H 'Transfer-Encoding: chunked')
[ "$code" = 507 ] || fail "a chunked upload past the kept room answered $code: $(cat "$test_tmp/import.json")"
msg=$(jq -r '.error' "$test_tmp/import.json")
# 300 MiB - 48 MiB is the first look below the kept 256 MiB
[[ "$msg" == *"it stopped after 48.0 MiB with 252.0 MiB left"* ]] || fail "the chunked refusal says: $msg"
used=$(df --output=used -k "$upfs" | tail -n 1 | tr -d ' ')
[ "$used" -lt 1024 ] || fail "the stopped upload still holds $used KiB of the temporary directory"

# A form's files are copied out of the received body: refused when the copy
# would take the kept room, and nothing of it stays behind.
mount -o "remount,size=$FORM_EDGE" "$upfs"
head -c 40M /dev/zero >"$test_tmp/big.csv"
code=$(api --max-time 60 -o "$test_tmp/import.json" -w '%{http_code}' -F "file=@$test_tmp/big.csv" \
	"$INSOLED_URL/api/sessions/import?subject=disk-space" || true)
[ "$code" = 507 ] || fail "a form without room for its files answered $code: $(cat "$test_tmp/import.json")"
form_msg=$(jq -r '.error' "$test_tmp/import.json")
[[ "$form_msg" == *"not enough free disk space for the upload's files in $upfs:"* ]] ||
	fail "the form's refusal says: $form_msg"
left=$(find "$upfs" -mindepth 1 | head -n 3)
[ -z "$left" ] || fail "the refused form left files behind: $left"
mount -o "remount,size=$ROOMY" "$upfs"
code=$(import "$test_tmp/rec.csv")
[ "$code" = 201 ] || fail "upload after space was freed answered $code: $(cat "$test_tmp/import.json")"

# The recording went on and lost nothing.
sleep 1
stop=$(api -X POST "$INSOLED_URL/api/sessions/$live/stop")
frames=$(jq -r '.frames' <<<"$stop")
status=$(api "$INSOLED_URL/api/status")
[ "$(jq -r '.database.frames_dropped' <<<"$status")" = 0 ] || fail "frames were dropped: $status"
[ "$(jq -r '.database.write_errors' <<<"$status")" = 0 ] || fail "the recording hit write errors: $status"
[ "$frames" -gt 0 ] || fail "the recording has no frames: $stop"
stop_insoled
echo "PASS: import and upload refused below the kept room, a chunked upload stopped ($msg); the recording kept $frames frames"
