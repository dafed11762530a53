# `insoled --analyze` checks shared by the script tests that run it; source
# after lib.sh.

layouts="$top_srcdir/layouts"

# Runs --analyze on FILE [ARGS]; checks that the summary's step counts equal
# the step lines printed; echoes the number of steps.
analyze_ok() {
	local file=$1; shift
	local status=0
	"$INSOLED" --analyze "$file" --layout-dir "$layouts" "$@" >"$test_tmp/out" 2>"$test_tmp/err" || status=$?
	[ "$status" -eq 0 ] || fail "--analyze $file exited $status: $(cat "$test_tmp/err")"
	local lines steps summary_steps
	lines=$(head -n -1 "$test_tmp/out" | jq -s 'length')
	steps=$(head -n -1 "$test_tmp/out" | jq -s 'map(select((.foot == "left" or .foot == "right") and .metrics)) | length')
	summary_steps=$(tail -n 1 "$test_tmp/out" | jq '.steps.left + .steps.right')
	[ "$lines" = "$steps" ] || fail "$file: $lines lines before the summary, $steps of them steps"
	[ "$steps" = "$summary_steps" ] || fail "$file: $steps step lines, summary counts $summary_steps"
	echo "$steps"
}
