#!/bin/bash
# The HTTP API end to end: the real daemon reads insoled-emulator's pair over
# a pty at real time, with an access token on loopback; curl drives the API:
# auth, the live snapshot and SSE stream (frames of both feet, steps),
# recording two sessions, their steps, exports and the comparison, and
# traversal attempts against the dashboard files.
set -euo pipefail
. "$top_srcdir/tests/integration/lib.sh"

token=5e8d1f0a7c3b92e64d0f1a8b7c6e5d4f
auth=(-H "Authorization: Bearer $token")

start_emulator http --layout fsr16 --feet both --rate 100 --speed 1 --seed 3
# Uploads are spooled to TMPDIR: a directory of this test's own (and a
# short path: the daemon takes TMPDIR only under 32 bytes) shows what an
# upload leaves behind.  Only the daemon's spool files count: a daemon run
# under valgrind (check-robust) keeps its vgdb pipes there too.
upload_tmp=$(mktemp -d /tmp/insoled-up.XXXXXX)
trap 'rm -rf "$upload_tmp"; cleanup' EXIT
spooled() { find "$upload_tmp" -maxdepth 1 -name 'insoled-upload-*' -printf '%f '; }
TMPDIR=$upload_tmp start_insoled --device "$EMULATOR_PTY" --layout fsr16 --listen 127.0.0.1:0 \
	--db "$test_tmp/http.db" --token "$token"

code=$(api -o /dev/null -w '%{http_code}' "$INSOLED_URL/api/status")
[ "$code" = 401 ] || fail "no token: /api/status answered $code, not 401"
code=$(api -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer wrong' "$INSOLED_URL/api/status")
[ "$code" = 401 ] || fail "wrong token: /api/status answered $code, not 401"
code=$(api -o /dev/null -w '%{http_code}' "$INSOLED_URL/")
[ "$code" = 200 ] || fail "the dashboard page answered $code without a token"

# A smuggling attempt (a length and chunked at once) is refused, and the log
# says why and from where (first of the failures the log shows: the log is
# rate-limited).
port=${INSOLED_URL##*:}
exec 3<>"/dev/tcp/127.0.0.1/$port"
# (the server may close before the last bytes are written: no SIGPIPE for that)
(
	trap '' PIPE
	printf 'POST /api/subjects HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n%b\r\n\r\n%b' \
		'Content-Length: 4\r\nTransfer-Encoding: chunked' '2\r\n{}\r\n0\r\n\r\n'
) >&3 2>/dev/null || true
answer=$(timeout 5 cat <&3 || true)
exec 3<&-
[[ "$answer" == "HTTP/1.1 400"* ]] || fail "length and chunked at once answered: ${answer:0:80}"
grep -q 'POST (unparsed) -> 400: Content-Length: sent together with Transfer-Encoding, from 127.0.0.1' \
	"$test_tmp/insoled.err" || fail "the refused smuggling attempt was not logged with its reason and address"

# Frames flow: both feet appear in the live snapshot with a heatmap.
for _ in $(seq 50); do
	live=$(api "${auth[@]}" "$INSOLED_URL/api/live?steps=0")
	[ "$(jq '.feet.left != null and .feet.right != null' <<<"$live")" = true ] && break
	sleep 0.1
done
for foot in left right; do
	w=$(jq ".feet.$foot.heatmap.w" <<<"$live")
	h=$(jq ".feet.$foot.heatmap.h" <<<"$live")
	n=$(jq ".feet.$foot.heatmap.cells | length" <<<"$live")
	[ "$n" -eq $((w * h)) ] && [ "$n" -gt 0 ] || fail "$foot heatmap has $n cells for ${w}x$h"
done

# The stream: 5 s of walking at 110 steps/min gives frames of both feet at
# the display rate and several step events.
curl -sN --max-time 5 "${auth[@]}" "$INSOLED_URL/api/live/stream" >"$test_tmp/sse.txt" || true
left_frames=$(grep -c '^data: {"t_us":[0-9]*,"foot":"left"' "$test_tmp/sse.txt" || true)
right_frames=$(grep -c '^data: {"t_us":[0-9]*,"foot":"right"' "$test_tmp/sse.txt" || true)
steps=$(grep -c '^event: step' "$test_tmp/sse.txt" || true)
# 30 Hz for 5 s is 150 per foot.  The upper bound checks the decimation; the
# lower one only that the stream flows, since on a loaded 2-core CI machine
# (make -j2 check runs the browser test beside this) the emulator's own
# real-time pacing slips and fewer frames exist to forward.
[ "$left_frames" -ge 60 ] && [ "$left_frames" -le 160 ] || fail "left frame events in 5 s: $left_frames"
[ "$right_frames" -ge 60 ] && [ "$right_frames" -le 160 ] || fail "right frame events in 5 s: $right_frames"
[ "$steps" -ge 5 ] || fail "only $steps step events in 5 s of walking"
head -n 1 "$test_tmp/sse.txt" | grep -qx 'retry: 1000' || fail "the stream does not start with retry:"

# Each recording runs until it holds RECORD_STEPS steps (about 6 s of the
# emulated walk at 55 steps per foot and minute), however long a loaded
# machine takes to get there, up to RECORD_WAIT_S.
RECORD_STEPS=10
RECORD_WAIT_S=60
steps_at_least() { # ID N
	[ "$(api "${auth[@]}" "$INSOLED_URL/api/sessions/$1/steps" | jq '.steps | length')" -ge "$2" ]
}
record() {
	local footwear=$1 id
	id=$(api "${auth[@]}" -X POST -H 'Content-Type: application/json' \
		-d "{\"subject\":\"int-01\",\"footwear\":\"$footwear\"}" "$INSOLED_URL/api/sessions" | jq -r .id)
	[[ "$id" =~ ^[0-9]+$ ]] || fail "recording did not start"
	wait_until "$RECORD_WAIT_S" "session $id recorded fewer than $RECORD_STEPS steps" steps_at_least "$id" "$RECORD_STEPS"
	code=$(api "${auth[@]}" -o "$test_tmp/stop.json" -w '%{http_code}' -X POST "$INSOLED_URL/api/sessions/$id/stop")
	[ "$code" = 200 ] || fail "stop answered $code: $(cat "$test_tmp/stop.json")"
	echo "$id"
}
a=$(record "shoe A")
b=$(record "shoe B")

code=$(api "${auth[@]}" -o /dev/null -w '%{http_code}' -X POST "$INSOLED_URL/api/sessions/$a/stop")
[ "$code" = 409 ] || fail "stopping a stopped session answered $code, not 409"

n=$(api "${auth[@]}" "$INSOLED_URL/api/sessions/$a/steps" | jq '.steps | length')
[ "$n" -ge "$RECORD_STEPS" ] || fail "session $a lists $n steps after it recorded $RECORD_STEPS"
rows=$(api "${auth[@]}" "$INSOLED_URL/api/sessions/$a/export/steps.csv" | wc -l)
[ "$rows" -eq $((n + 1)) ] || fail "steps.csv has $rows lines for $n steps"
# The synthetic walker's stance is 0.6 of a 60/55 s stride: 654.5 ms.
stance=$(api "${auth[@]}" "$INSOLED_URL/api/sessions/$a" | jq '.summary.metrics.stance_ms.left.mean')
awk -v s="$stance" 'BEGIN { exit !(s > 604 && s < 705) }' || fail "mean left stance $stance ms, expected 654.5 +- 50"

cmp=$(api "${auth[@]}" "$INSOLED_URL/api/compare?ids=$a,$b")
[ "$(jq '.sessions | length' <<<"$cmp")" = 2 ] || fail "compare did not return both sessions"
[ "$(jq '.metrics | length' <<<"$cmp")" = "$(api "${auth[@]}" "$INSOLED_URL/api/metrics" | jq length)" ] ||
	fail "compare does not list every metric"
[ "$(jq '.heatmap_diff.left.w > 0' <<<"$cmp")" = true ] || fail "compare has no left difference heatmap"

# No body weight was set for these recordings: every answer and export that
# shows a session says null (no weight), never a weight of 0 N, and the
# frames export leaves the line out.
jq -e --argjson a "$a" '.id == $a and has("body_weight_n") and .body_weight_n == null' \
	<<<"$(api "${auth[@]}" "$INSOLED_URL/api/sessions/$a")" >/dev/null || fail "session $a: body_weight_n is not null"
jq -e '(.sessions | length) == 2 and all(.sessions[]; has("body_weight_n") and .body_weight_n == null)' \
	<<<"$(api "${auth[@]}" "$INSOLED_URL/api/sessions?subject=int-01")" >/dev/null ||
	fail "the session list shows a body weight that was never set"
jq -e '[.sessions[] | .body_weight_n] == [null, null]' <<<"$cmp" >/dev/null ||
	fail "compare shows a body weight that was never set: $(jq -c '[.sessions[].body_weight_n]' <<<"$cmp")"
jq -e 'has("body_weight_n") and .body_weight_n == null and .summary != null' \
	<<<"$(api "${auth[@]}" "$INSOLED_URL/api/sessions/$a/export/summary.json")" >/dev/null ||
	fail "summary.json shows a body weight that was never set"
api "${auth[@]}" "$INSOLED_URL/api/sessions/$a/export/frames.csv" >"$test_tmp/frames_a.csv"
head -n 1 "$test_tmp/frames_a.csv" | grep -qx '# insoled frames export' || fail "frames.csv did not export"
! grep -q '^# body_weight_n' "$test_tmp/frames_a.csv" ||
	fail "frames.csv states a body weight that was never set: $(grep '^# body_weight_n' "$test_tmp/frames_a.csv")"
# Exports written before said "0" for no weight: imported, that still reads
# as none; a weight the file states is kept.
import_weight() { # WEIGHT_LINE -> the imported session's body_weight_n
	sed "s/^# state: .*/&\n$1/" "$test_tmp/frames_a.csv" >"$test_tmp/frames_bw.csv"
	grep -qx "$1" "$test_tmp/frames_bw.csv" || fail "could not write '$1' into the export"
	api "${auth[@]}" -X POST -H 'Content-Type: text/csv' --data-binary "@$test_tmp/frames_bw.csv" \
		"$INSOLED_URL/api/sessions/import?subject=int-03&name=bw.csv&duplicate=allow" | jq -c .body_weight_n
}
[ "$(import_weight '# body_weight_n: 0')" = null ] || fail "an export saying body_weight_n 0 imported with a weight"
[ "$(import_weight '# body_weight_n: 686.5')" = 686.5 ] || fail "an export's body weight of 686.5 N was not kept"
[ "$(api "${auth[@]}" "$INSOLED_URL/api/sessions?subject=int-03" | jq -c '[.sessions[].body_weight_n]')" = \
	'[686.5,null]' ] || fail "the imported sessions list other body weights"

# Body-weight scaling measures for ~2 s on the worker pool: a second request
# meanwhile is refused at once, and cheap requests are not held up.
api "${auth[@]}" -o /dev/null -X POST -H 'Content-Type: application/json' -d '{"body_weight_kg": 70}' \
	"$INSOLED_URL/api/calibration/body-weight"
api "${auth[@]}" -o "$test_tmp/scale1.json" -X POST -H 'Content-Type: application/json' -d '{"foot":"left"}' \
	"$INSOLED_URL/api/calibration/body-weight-scale" &
scale1=$!
sleep 0.5
code=$(api "${auth[@]}" -o "$test_tmp/scale2.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
	-d '{"foot":"right"}' "$INSOLED_URL/api/calibration/body-weight-scale")
[ "$code" = 409 ] && grep -q 'already running' "$test_tmp/scale2.json" ||
	fail "a second body-weight scaling answered $code: $(cat "$test_tmp/scale2.json")"
kill -0 "$scale1" 2>/dev/null || fail "the first body-weight scaling ended before the second was refused"
code=$(api "${auth[@]}" -o /dev/null -w '%{http_code}' "$INSOLED_URL/api/metrics")
[ "$code" = 200 ] || fail "/api/metrics answered $code during a body-weight measurement"
wait "$scale1" || true
jq -e '.error or .ok' "$test_tmp/scale1.json" >/dev/null || fail "the first scaling gave no answer"

# A recording imported twice: the second upload is refused (409) naming the
# session that holds it and how to import it anyway, nothing is stored and
# its temporary file is gone; duplicate=allow imports it again; once the
# sessions holding it are deleted, it imports as new.
upload() {
	api "${auth[@]}" -o "$test_tmp/import.json" -w '%{http_code}' -X POST -H 'Content-Type: text/plain' \
		--data-binary "@$top_srcdir/tests/fixtures/import/moticon_small.txt" \
		"$INSOLED_URL/api/sessions/import?subject=int-02&name=$1${2:+&$2}"
}
sessions_total() { api "${auth[@]}" "$INSOLED_URL/api/sessions" | jq .total; }
code=$(upload walk.txt)
[ "$code" = 201 ] || fail "the first import answered $code: $(cat "$test_tmp/import.json")"
first=$(jq .id "$test_tmp/import.json")
total=$(sessions_total)
code=$(upload walk-copy.txt)
[ "$code" = 409 ] || fail "importing the same recording again answered $code: $(cat "$test_tmp/import.json")"
said="walk-copy.txt: this recording is already stored as session $first ('walk.txt', imported on "
jq -e --argjson id "$first" --arg said "$said" '.field == "duplicate" and .existing.id == $id and
	.existing.name == "walk.txt" and .existing.imported_us > 0 and (.error | startswith($said)) and
	(.error | endswith("send it again with duplicate=allow"))' "$test_tmp/import.json" >/dev/null ||
	fail "the 409 does not name the session and the way out: $(cat "$test_tmp/import.json")"
[ "$(sessions_total)" = "$total" ] || fail "the refused import stored a session"
[ -z "$(spooled)" ] || fail "uploads left behind in TMPDIR: $(spooled)"
code=$(upload walk-copy.txt duplicate=allow)
[ "$code" = 201 ] || fail "duplicate=allow answered $code: $(cat "$test_tmp/import.json")"
second=$(jq .id "$test_tmp/import.json")
[ "$second" -gt "$first" ] || fail "duplicate=allow gave session $second after $first"
for id in "$first" "$second"; do
	code=$(api "${auth[@]}" -o /dev/null -w '%{http_code}' -X DELETE "$INSOLED_URL/api/sessions/$id")
	[ "$code" = 204 ] || [ "$code" = 200 ] || fail "deleting session $id answered $code"
done
code=$(upload walk.txt)
[ "$code" = 201 ] || fail "the recording of deleted sessions answered $code: $(cat "$test_tmp/import.json")"
[ -z "$(spooled)" ] || fail "uploads left behind in TMPDIR: $(spooled)"

for path in /../../etc/passwd /%2e%2e/%2e%2e/etc/passwd /%252e%252e/etc/passwd /..%2f..%2fetc%2fpasswd \
	/vendor/../../../etc/passwd; do
	code=$(curl -s --path-as-is -o "$test_tmp/trav" -w '%{http_code}' "$INSOLED_URL$path")
	[ "$code" = 400 ] || [ "$code" = 404 ] || fail "$path answered $code"
	! grep -q 'root:' "$test_tmp/trav" || fail "$path served /etc/passwd"
done

stop_insoled
echo "PASS: HTTP API over a real daemon and emulator (sessions $a, $b; $steps step events streamed)"
