#!/bin/bash
# The daemon as a user meets it: `insoled --demo` announces its URL, the API
# answers, a recording session collects the simulated steps, and SIGTERM
# shuts it down cleanly with the session complete.
set -euo pipefail
. "$top_srcdir/tests/integration/lib.sh"

db="$test_tmp/demo.db"
start_insoled --demo --listen 127.0.0.1:0 --db "$db" --synth cadence_spm=120,seed=7

status=$(api "$INSOLED_URL/api/status")
[ "$(jq -r '.version' <<<"$status")" != null ] || fail "status has no version: $status"

session=$(api -X POST -H 'Content-Type: application/json' \
	-d '{"subject":"demo-01","footwear":"shoe A","notes":"smoke test"}' "$INSOLED_URL/api/sessions")
id=$(jq -r '.id' <<<"$session")
[[ "$id" =~ ^[0-9]+$ ]] || fail "session not created: $session"

# 120 steps/min is one step per 0.5 s across both feet: 4 s gives about 8.
sleep 4
code=$(api -o "$test_tmp/stop.json" -w '%{http_code}' -X POST "$INSOLED_URL/api/sessions/$id/stop")
[ "$code" = 200 ] || fail "stop answered $code: $(cat "$test_tmp/stop.json")"
code=$(api -o /dev/null -w '%{http_code}' -X POST "$INSOLED_URL/api/sessions/$id/stop")
[ "$code" = 409 ] || fail "stopping a stopped session answered $code, not 409"

steps=$(api "$INSOLED_URL/api/sessions/$id/steps" | jq '.steps | length')
[ "$steps" -ge 5 ] && [ "$steps" -le 10 ] || fail "expected 5-10 steps in 4 s at 120 steps/min, got $steps"

# Re-analysing the raw archive with the same code gives the live steps back,
# field for field: the session starts from a fresh analysis and records the
# calibration it started with.
api "$INSOLED_URL/api/sessions/$id/steps" | jq -S . >"$test_tmp/live-steps.json"
code=$(api -o "$test_tmp/reanalyze.json" -w '%{http_code}' -X POST "$INSOLED_URL/api/sessions/$id/reanalyze")
[ "$code" = 200 ] || fail "reanalyze answered $code: $(cat "$test_tmp/reanalyze.json")"
api "$INSOLED_URL/api/sessions/$id/steps" | jq -S . >"$test_tmp/reanalysed-steps.json"
diff -u "$test_tmp/live-steps.json" "$test_tmp/reanalysed-steps.json" >&2 ||
	fail "re-analysed steps differ from the live ones"

live=$(api "$INSOLED_URL/api/live")
for foot in left right; do
	[ "$(jq ".feet.$foot.heatmap.w" <<<"$live")" -gt 0 ] || fail "no $foot heatmap in /api/live"
done
stop_insoled
state=$(sqlite3 "$db" "SELECT state FROM sessions WHERE id = $id")
[ "$state" = complete ] || fail "session state after shutdown is '$state'"
echo "PASS: demo daemon recorded $steps steps in session $id"
