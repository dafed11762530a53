#!/bin/bash
# `insoled --analyze` as a user runs it: every format it reads gives step
# lines and a summary whose step counts match them, bad input exits 1 with a
# message naming the file, and a session recorded by the demo daemon and
# exported as frames.csv reads back with the same steps the daemon stored.
set -euo pipefail
. "$top_srcdir/tests/integration/lib.sh"

fixtures="$top_srcdir/tests/fixtures/import"
for f in gaitpdb_small.txt moticon_small.txt; do
	analyze_ok "$fixtures/$f" >/dev/null
done

# The file's own values check the analysis: XSENSOR's load and peak agree
# on every frame; Moticon's read with another insole's layout do not, and
# the user is told what to check.
analyze_ok "$fixtures/xsensor_small.csv" >/dev/null
grep -qF "xsensor_small.csv: left foot against the file's own values: load within 1 % or 1 N on 2 of 2 frames (100.0 %)" \
	"$test_tmp/err" || fail "no agreement line for XSENSOR: $(cat "$test_tmp/err")"
tail -n 1 "$test_tmp/out" | jq -e '.file_agreement.left.peak_kpa | .frames == 2 and .within == 2' >/dev/null ||
	fail "the summary's file_agreement: $(tail -n 1 "$test_tmp/out" | jq -c .file_agreement)"
! grep -q "warning" "$test_tmp/err" || fail "a warning on a file read right: $(cat "$test_tmp/err")"
analyze_ok "$fixtures/moticon_small.txt" --layout fsr16 >/dev/null
grep -qF "moticon_small.txt: left foot: warning: the analysis's values are beyond the tolerance of the file's own" \
	"$test_tmp/err" || fail "no warning with the wrong layout: $(cat "$test_tmp/err")"
tail -n 1 "$test_tmp/out" | jq -e '.file_agreement.left.force_n.within == 0' >/dev/null ||
	fail "the wrong layout agrees: $(tail -n 1 "$test_tmp/out" | jq -c .file_agreement)"
analyze_ok "$fixtures/pedar_small.asc" >/dev/null
tail -n 1 "$test_tmp/out" | jq -e 'has("file_agreement") | not' >/dev/null ||
	fail "an agreement for a file that gives no values of its own"
# A file of one row: its count reads as a person writes it.
head -n 1 "$fixtures/gaitpdb_small.txt" >"$test_tmp/one_row.txt"
analyze_ok "$test_tmp/one_row.txt" >/dev/null
grep -qF "one_row.txt: gaitpdb, left foot: layout gaitpdb8, 1 frame, 0 missing samples" "$test_tmp/err" ||
	fail "the count of one frame: $(cat "$test_tmp/err")"
# A folder: the table marks the file unlike its own values (the hand-made
# Moticon fixture states totals its pressures do not add up to) and counts it.
mkdir "$test_tmp/folder"
cp "$fixtures/moticon_small.txt" "$fixtures/xsensor_small.csv" "$test_tmp/folder/"
"$INSOLED" --analyze "$test_tmp/folder" --layout-dir "$LAYOUT_DIR" >/dev/null 2>"$test_tmp/err" ||
	fail "the folder: $(cat "$test_tmp/err")"
grep -q "moticon_small.txt .* ok, but UNLIKE THE FILE'S OWN VALUES (see its summary)$" "$test_tmp/err" &&
	grep -q "xsensor_small.csv .* ok$" "$test_tmp/err" &&
	grep -qF "1 file analysed unlike the values it states itself: check the layout (--layout)" "$test_tmp/err" ||
	fail "the folder's table does not mark the file unlike its own values: $(cat "$test_tmp/err")"

# Bad input: exit 1, the file and line named, nothing on stdout but results.
printf '0.0 1 2 3\n' >"$test_tmp/short.txt"
status=0
"$INSOLED" --analyze "$test_tmp/short.txt" --format gaitpdb >"$test_tmp/out" 2>"$test_tmp/err" || status=$?
[ "$status" -eq 1 ] || fail "a 4-column gaitpdb file exited $status, not 1"
grep -qF "short.txt:1: expected 19 columns" "$test_tmp/err" || fail "no file:line message: $(cat "$test_tmp/err")"
status=0
"$INSOLED" --analyze >/dev/null 2>"$test_tmp/err" || status=$?
[ "$status" -eq 2 ] || fail "--analyze without FILE exited $status, not 2"

# Round trip: record with the demo daemon, export, analyse the export.
[ -x "$INSOLED" ] || skip "insoled not built"
db="$test_tmp/demo.db"
start_insoled --demo --listen 127.0.0.1:0 --db "$db" --synth cadence_spm=120,seed=11
session=$(api -X POST -H 'Content-Type: application/json' -d '{"subject":"rt-01","footwear":"shoe B"}' \
	"$INSOLED_URL/api/sessions")
id=$(jq -r '.id' <<<"$session")
[[ "$id" =~ ^[0-9]+$ ]] || fail "session not created: $session"
sleep 5
api -o /dev/null -X POST "$INSOLED_URL/api/sessions/$id/stop"
api -o "$test_tmp/frames.csv" "$INSOLED_URL/api/sessions/$id/export/frames.csv"
stored=$(api "$INSOLED_URL/api/sessions/$id/steps" | jq '.steps | length')

# The lossless copy: raw counts with the calibration the session recorded,
# imported back (as onto another insoled) to the same steps, field for field.
api -o "$test_tmp/counts.csv" "$INSOLED_URL/api/sessions/$id/export/frames-counts.csv"
grep -qx '# units: counts' "$test_tmp/counts.csv" || fail "the counts export is not in counts"
grep -q '^# calibration_left_s16: {' "$test_tmp/counts.csv" || fail "the counts export lacks the calibration"
code=$(api -o "$test_tmp/copy.json" -w '%{http_code}' -X POST -H 'Content-Type: text/csv' \
	--data-binary @"$test_tmp/counts.csv" "$INSOLED_URL/api/sessions/import?subject=rt-01&name=counts.csv")
[ "$code" = 201 ] || fail "importing the counts export answered $code: $(cat "$test_tmp/copy.json")"
copy=$(jq -r '.id' "$test_tmp/copy.json")
steps_of() { api "$INSOLED_URL/api/sessions/$1/steps" | jq -S '.steps | map(del(.session_id))'; }
[ "$(steps_of "$id")" = "$(steps_of "$copy")" ] ||
	fail "the imported counts export gave other steps than the recording: $(diff <(steps_of "$id") <(steps_of "$copy") | head -n 20)"

# Every stored frame's metrics, with the gait events on their frames.
api -o "$test_tmp/metrics.csv" "$INSOLED_URL/api/sessions/$id/export/frame-metrics.csv"
frames=$(api "$INSOLED_URL/api/sessions/$id" | jq '.frames')
rows=$(grep -vc '^#' "$test_tmp/metrics.csv")
[ "$rows" = $((frames + 1)) ] || fail "frame-metrics.csv has $rows lines for $frames frames and its header"
grep -q ',contact$' "$test_tmp/metrics.csv" && grep -q ',toe_off$' "$test_tmp/metrics.csv" ||
	fail "frame-metrics.csv marks no contact or toe-off: $(sed -n '1,20p' "$test_tmp/metrics.csv")"
stop_insoled
head -n 1 "$test_tmp/frames.csv" | grep -qx '# insoled frames export' ||
	fail "export does not start with the insoled header: $(head -c 200 "$test_tmp/frames.csv")"
grep -qx '# subject: rt-01' "$test_tmp/frames.csv" || fail "export lost the subject"
n=$(analyze_ok "$test_tmp/frames.csv")
[ "$n" = "$stored" ] || fail "the export analyses to $n steps, the daemon stored $stored"
echo "PASS: --analyze read every format; the exported session gave the daemon's $stored steps"
