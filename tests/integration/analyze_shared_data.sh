#!/bin/bash
# `insoled --analyze` on real recordings (../shared/data, outside the
# repository): a 5-minute PhysioNet gaitndd walk and the Moticon sample give
# plausible step counts, and --csv lists the same steps as the JSON output.
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
echo "PASS: control1 and the Moticon sample analysed; --csv has the JSON output's $n steps"
