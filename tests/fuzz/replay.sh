#!/bin/bash
# Replays the seed corpus (tests/fuzz/corpus/TARGET) and every input kept
# after it broke a target (tests/fuzz/regressions/TARGET) through each fuzz
# target built without libFuzzer.  A target traps on a broken promise, so
# any failure here is a regression.  To keep a new crash input:
#   cp crash-<sha1> tests/fuzz/regressions/TARGET/
# An input that still breaks a target, until the code is fixed, waits in
# tests/fuzz/open/TARGET: each must still trap (and is listed); once one
# passes, this test fails so that it moves to regressions/.
. "$top_srcdir/tests/integration/lib.sh"
set -u
total=0
for target in protocol layout http import config; do
	replay="$top_builddir/tests/fuzz/replay_$target"
	[ -x "$replay" ] || fail "$replay is not built"
	dirs=()
	for d in "$top_srcdir/tests/fuzz/corpus/$target" "$top_srcdir/tests/fuzz/regressions/$target"; do
		[ -d "$d" ] && dirs+=("$d")
	done
	[ "${#dirs[@]}" -gt 0 ] || fail "no seed corpus for $target in tests/fuzz/corpus/$target"
	# The targets write scratch files; keep them in this test's directory.
	out=$(cd "$test_tmp" && TMPDIR="$test_tmp" "$replay" "${dirs[@]}" 2>&1) || fail "$target: $out"
	echo "$out"
	n=$(sed -n 's/.*: \([0-9]*\) inputs replayed.*/\1/p' <<<"$out")
	total=$((total + n))
done
open=0
for f in "$top_srcdir"/tests/fuzz/open/*/*; do
	[ -f "$f" ] || continue
	target=$(basename "$(dirname "$f")")
	if (cd "$test_tmp" && TMPDIR="$test_tmp" "$top_builddir/tests/fuzz/replay_$target" "$f") >/dev/null 2>&1; then
		fail "$f passes now: move it to tests/fuzz/regressions/$target/"
	fi
	echo "still open: $target ${f##*/}"
	open=$((open + 1))
done
echo "$total inputs replayed through 5 targets, none broke a promise; $open known-open inputs still fail"
