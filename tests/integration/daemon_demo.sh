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

# 120 steps/min is one step per 0.5 s across both feet: recorded until
# there are five, however long that takes on a loaded machine.
RECORD_WAIT_S=30
five_steps() { [ "$(api "$INSOLED_URL/api/sessions/$id/steps" | jq '.steps | length')" -ge 5 ]; }
wait_until "$RECORD_WAIT_S" "fewer than 5 steps recorded" five_steps
code=$(api -o "$test_tmp/stop.json" -w '%{http_code}' -X POST "$INSOLED_URL/api/sessions/$id/stop")
[ "$code" = 200 ] || fail "stop answered $code: $(cat "$test_tmp/stop.json")"
code=$(api -o /dev/null -w '%{http_code}' -X POST "$INSOLED_URL/api/sessions/$id/stop")
[ "$code" = 409 ] || fail "stopping a stopped session answered $code, not 409"

# No more steps than the session's length holds at 120 steps/min (and one
# begun before the start).
steps=$(api "$INSOLED_URL/api/sessions/$id/steps" | jq '.steps | length')
seconds=$(jq '(.end_us - .start_us) / 1e6' "$test_tmp/stop.json")
jq -en --argjson n "$steps" --argjson s "$seconds" '$n >= 5 and $n <= 2 * $s + 1' >/dev/null ||
	fail "expected 5 steps or more and at most 2 a second at 120 steps/min: $steps steps in $seconds s"

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
