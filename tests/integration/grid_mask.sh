#!/bin/bash
# A dense-grid insole's anatomical mask as the analysis finds it from the
# footprint reaches GET /api/status once steps come in, one region (0-8)
# per cell, so the live maps can draw the regions the steps are measured on;
# the status also carries the daemon's clock for a recording's elapsed time.
set -euo pipefail
. "$top_srcdir/tests/integration/lib.sh"

start_insoled --demo --layout grid60x21 --listen 127.0.0.1:0 --db "$test_tmp/grid.db" --synth cadence_spm=120,seed=3

mask=null
for _ in $(seq 1 100); do
	status=$(api "$INSOLED_URL/api/status")
	mask=$(jq -c '.analysis.mask.left // null' <<<"$status")
	[ "$mask" != null ] && break
	sleep 0.1
done
[ "$mask" != null ] || fail "no footprint mask for the left grid in /api/status after 10 s: $(jq -c .analysis <<<"$status")"
[ "$(jq 'length' <<<"$mask")" = 1260 ] || fail "the mask has $(jq length <<<"$mask") cells, not 1260"
[ "$(jq '[.[] | select(. < 0 or . > 8)] | length' <<<"$mask")" = 0 ] || fail "mask regions outside 0..8"
[ "$(jq 'unique | length' <<<"$mask")" = 9 ] || fail "the mask has $(jq 'unique | length' <<<"$mask") regions, not 9"
now=$(jq '.now_us' <<<"$status")
[ "$now" -gt 1600000000000000 ] || fail "status has no daemon clock: now_us=$now"
stop_insoled
echo "PASS: grid60x21 footprint mask of 1260 cells in 9 regions in /api/status"
