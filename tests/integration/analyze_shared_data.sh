#!/bin/bash
# `insoled --analyze` on real recordings (../shared/data, outside the
# repository): a 5-minute PhysioNet gaitndd walk and the Moticon sample give
# plausible step counts, and --csv lists the same steps as the JSON output;
# the Moticon sample's own gait events are all matched by the analysis's,
# and the same file with its step columns 80 ms late is reported unlike them.
# SKIP, with the reason, when the recordings are absent (README, "Test data").
set -euo pipefail
. "$top_srcdir/tests/integration/lib.sh"

need_shared_data
[ -x "$INSOLED" ] || fail "insoled not built"

n=$(analyze_ok "$SHARED_DATA/gaitndd/control1.hea")
[ "$n" -gt 300 ] || fail "control1: only $n steps in 5 minutes of walking"
n=$(analyze_ok "$SHARED_DATA/moticon/230927_102114.txt")
"$INSOLED" --analyze "$SHARED_DATA/moticon/230927_102114.txt" --csv >"$test_tmp/out" 2>/dev/null ||
	fail "--csv failed"
head -n 1 "$test_tmp/out" | grep -q '^foot,index,flags,contact_us,toe_off_us,' ||
	fail "--csv does not start with the step header: $(head -c 200 "$test_tmp/out")"
rows=$(grep -cE '^(left|right),' "$test_tmp/out")
[ "$rows" = "$n" ] || fail "--csv has $rows step rows, the JSON output $n steps"

moticon="$SHARED_DATA/moticon/230927_102114.txt"
analyze_ok "$moticon" >/dev/null
for foot in left right; do
	grep -qE "230927_102114.txt: $foot foot's gait events against the file's own: initial contacts within 30 ms on 7 of 7 \(100.0 %\), median difference [0-9.]+ ms, largest [0-9.]+ ms at [0-9.]+ s; toe-offs within 30 ms on 7 of 7 \(100.0 %\)" \
		"$test_tmp/err" || fail "no events line for the $foot foot: $(cat "$test_tmp/err")"
done
! grep -q "warning" "$test_tmp/err" || fail "a warning on the vendor's own sample: $(cat "$test_tmp/err")"
tail -n 1 "$test_tmp/out" | jq -e '[.file_agreement[] | .contact, .toe_off] |
	length == 4 and all(.events == 7 and .matched == 7 and .agrees and .edge == 0 and .max_diff <= 30)' >/dev/null ||
	fail "the summary's events: $(tail -n 1 "$test_tmp/out" | jq -c '.file_agreement | map_values({contact, toe_off})')"

# The step columns (the last two) moved 8 samples (80 ms) later, beyond 30
# ms of every event of ours (they lie within 21 ms of the file's): every
# event is counted and none matched; the values of the frames still agree.
awk -F'\t' 'BEGIN { OFS = "\t" }
	/^#/ || NF < 3 { print; next }
	{ r[n] = $(NF - 1); l[n] = $NF; $(NF - 1) = n >= 8 ? r[n - 8] : ""; $NF = n >= 8 ? l[n - 8] : ""; n++; print }' \
	"$moticon" >"$test_tmp/late.txt"
analyze_ok "$test_tmp/late.txt" >/dev/null
grep -qF "late.txt: left foot: warning: the analysis's gait events are more than 30 ms from the file's own on more than 5 % of them" \
	"$test_tmp/err" || fail "no warning for events 80 ms late: $(cat "$test_tmp/err")"
grep -qF "left foot's gait events against the file's own: initial contacts within 30 ms on 0 of 7 (0.0 %)" "$test_tmp/err" ||
	fail "the late events' line: $(cat "$test_tmp/err")"
tail -n 1 "$test_tmp/out" | jq -e '.file_agreement.right.toe_off | .matched == 0 and (.agrees | not)' >/dev/null &&
	tail -n 1 "$test_tmp/out" | jq -e '.file_agreement.left.force_n.agrees' >/dev/null ||
	fail "the late events' summary: $(tail -n 1 "$test_tmp/out" | jq -c .file_agreement)"
# ... and in a folder, the table marks it and the events are listed below it
mkdir "$test_tmp/folder"
cp "$test_tmp/late.txt" "$test_tmp/folder/"
cp "$moticon" "$test_tmp/folder/"
"$INSOLED" --analyze "$test_tmp/folder" --layout-dir "$LAYOUT_DIR" >/dev/null 2>"$test_tmp/err" ||
	fail "the folder: $(cat "$test_tmp/err")"
grep -q "late.txt .* ok, but UNLIKE THE FILE'S OWN VALUES (see its summary)$" "$test_tmp/err" &&
	grep -q "230927_102114.txt .* ok$" "$test_tmp/err" &&
	grep -qF "230927_102114.txt: gait events within 30 ms of the file's own: left initial contacts 7 of 7 (median" "$test_tmp/err" &&
	grep -qF "late.txt: gait events within 30 ms of the file's own: left initial contacts 0 of 7, toe-offs 0 of 7; right" "$test_tmp/err" ||
	fail "the folder's table and events: $(cat "$test_tmp/err")"
echo "PASS: control1 and the Moticon sample analysed; --csv has the JSON output's $n steps; the sample's 28 events matched, 80 ms late none"
