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
stop_insoled
head -n 1 "$test_tmp/frames.csv" | grep -qx '# insoled frames export' ||
	fail "export does not start with the insoled header: $(head -c 200 "$test_tmp/frames.csv")"
grep -qx '# subject: rt-01' "$test_tmp/frames.csv" || fail "export lost the subject"
n=$(analyze_ok "$test_tmp/frames.csv")
[ "$n" = "$stored" ] || fail "the export analyses to $n steps, the daemon stored $stored"
echo "PASS: --analyze read every format; the exported session gave the daemon's $stored steps"
