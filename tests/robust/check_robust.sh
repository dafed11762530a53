#!/bin/bash
# make check-robust: what make check cannot afford on every run.
#   sanitizers  the whole unit and integration suite built with
#               AddressSanitizer + UndefinedBehaviorSanitizer, any finding fatal
#   valgrind    the script tests that start the daemon, with the daemon under
#               memcheck: 0 errors and 0 definite/indirect leaks
#   fuzz        every libFuzzer target on its seed corpus and kept regressions,
#               then FUZZ_SECONDS of fuzzing each (new crash inputs are saved)
#   matrix      tests/robust/fault_matrix.sh: the daemon against each fault
#   soak        tests/robust/soak.sh: hours of walking, accelerated
# ROBUST_PARTS chooses (default: all, in that order); ROBUST_DIR holds the
# extra builds (default: robust/ in the build directory).  Each part prints
# what it found; the last lines are one per part.
set -u
: "${top_srcdir:?run through make check-robust}" "${top_builddir:?run through make check-robust}"
parts=${ROBUST_PARTS:-sanitizers valgrind fuzz matrix soak}
work=${ROBUST_DIR:-$top_builddir/robust}
make=${MAKE:-make}
mkdir -p "$work"
work=$(cd "$work" && pwd)
summary=()
failed=0

# note PART OK|FAIL TEXT: one closing line per part.
note() {
	summary+=("$(printf '%-10s %-4s %s' "$1" "$2" "$3")")
	[ "$2" = OK ] || failed=1
}

# Sanitizer reports any test log holds: one line per finding's headline.
sanitizer_findings() {
	grep -rhE '^(==[0-9]+==ERROR: (Address|Leak)Sanitizer|SUMMARY: (Address|Undefined|Leak)Sanitizer)|runtime error: ' \
		--include='*.log' "$1" 2>/dev/null | sort | uniq -c
}

part_sanitizers() {
	local dir="$work/san" status=OK findings
	mkdir -p "$dir"
	echo "== sanitizers: the whole suite under ASan + UBSan in $dir"
	(cd "$dir" && { [ -f Makefile ] || "$top_srcdir/configure" -q --enable-werror --enable-sanitizers; } &&
		$make -j2 >make.out 2>&1) || { tail -n 30 "$dir/make.out"; note sanitizers FAIL "build failed"; return; }
	# halt_on_error: the first finding ends the process, so the test fails;
	# leaks are findings too.
	(cd "$dir" && ASAN_OPTIONS=halt_on_error=1:abort_on_error=0:detect_leaks=1:print_stacktrace=1:strict_string_checks=1 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 $make -j2 check >check.out 2>&1) || status=FAIL
	grep -E '^(# [A-Z]+:|(FAIL|ERROR|SKIP):)' "$dir/check.out"
	findings=$(sanitizer_findings "$dir/tests")
	[ -z "$findings" ] || { echo "$findings"; status=FAIL; }
	note sanitizers $status "$(grep -E '^# (TOTAL|PASS|FAIL|SKIP|ERROR):' "$dir/check.out" | tr -s ' \n' ' '); sanitizer findings: $(grep -c . <<<"$findings" | sed 's/^0$/none/')"
}

# The script tests that start the daemon and stop it with SIGTERM, so that
# memcheck sees every exit (kill -9 tests leave no report), and that hold no
# deadline a tenfold slowdown breaks (unplug_replug.sh times the resume;
# daemon_emulator.sh covers the daemon's own replug).
VALGRIND_TESTS=${VALGRIND_TESTS:-tests/integration/daemon_demo.sh tests/integration/daemon_emulator.sh
	tests/integration/http_emulator.sh tests/integration/store_locked.sh tests/integration/grid_mask.sh
	tests/integration/daemon_config.sh tests/integration/daemon_lanes.sh}

part_valgrind() {
	local logs="$work/valgrind" status=OK f procs=0 errors=0 leaked=0 unfinished=0 n
	command -v valgrind >/dev/null || { note valgrind FAIL "valgrind is not installed (tools/install-deps.sh installs it)"; return; }
	rm -rf "$logs" && mkdir -p "$logs"
	echo "== valgrind: the daemon under memcheck in $(wc -w <<<"$VALGRIND_TESTS") script tests"
	(cd "$top_builddir" && INSOLED="$top_srcdir/tests/robust/valgrind_insoled.sh" VALGRIND_LOG_DIR="$logs" \
		INSOLED_START_TIMEOUT_S=120 API_TIMEOUT_S=60 $make check TESTS="$(echo $VALGRIND_TESTS)" >"$logs/check.out" 2>&1) || status=FAIL
	grep -E '^(PASS|FAIL|ERROR|SKIP):' "$logs/check.out"
	for f in "$logs"/insoled.*.log; do
		[ -e "$f" ] || continue
		procs=$((procs + 1))
		if ! n=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$f") || [ -z "$n" ]; then
			unfinished=$((unfinished + 1)) # killed before its summary (a test's kill -9)
			continue
		fi
		errors=$((errors + n))
		grep -qE '(definitely|indirectly) lost: [1-9]' "$f" && { leaked=$((leaked + 1)); echo "leak in $f"; }
		[ "$n" = 0 ] || { echo "--- $f"; grep -A 12 -m 3 '^==[0-9]*== [A-Z]' "$f"; }
	done
	[ "$procs" -gt 0 ] || status=FAIL
	[ "$errors" = 0 ] && [ "$leaked" = 0 ] || status=FAIL
	note valgrind $status "$procs daemon processes under memcheck: $errors errors, $leaked with definite/indirect leaks, $unfinished without a summary"
}

FUZZ_SECONDS=${FUZZ_SECONDS:-60}

part_fuzz() {
	local dir="$work/fuzz" status=OK f t corpus crashes=0 runs
	command -v clang >/dev/null || { note fuzz FAIL "clang is not installed (tools/install-deps.sh installs it)"; return; }
	mkdir -p "$dir/crashes"
	echo "== fuzz: each target on its corpus, then ${FUZZ_SECONDS}s of fuzzing"
	(cd "$dir" && { [ -f Makefile ] || "$top_srcdir/configure" -q CC=clang --enable-fuzzing; } &&
		$make -j2 fuzz >make.out 2>&1) || { tail -n 30 "$dir/make.out"; note fuzz FAIL "build failed"; return; }
	runs=""
	for f in "$dir"/tests/fuzz/fuzz_*; do
		[ -x "$f" ] || continue
		t=${f##*/fuzz_}
		# A scratch copy of the seeds: what the fuzzer adds stays out of the tree.
		corpus="$dir/corpus/$t"
		mkdir -p "$corpus"
		cp "$top_srcdir/tests/fuzz/corpus/$t"/* "$corpus/" 2>/dev/null
		[ -d "$top_srcdir/tests/fuzz/regressions/$t" ] && cp "$top_srcdir/tests/fuzz/regressions/$t"/* "$corpus/"
		# UBSan in the fuzzing build only reports unless told to stop, and
		# libFuzzer keeps only what stops it.
		if ! (cd "$dir" && UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
			"$f" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix="$dir/crashes/$t-" "$corpus" >"$dir/$t.out" 2>&1); then
			status=FAIL
			crashes=$((crashes + 1))
			grep -m 5 -E 'ERROR|SUMMARY|runtime error|Test unit written' "$dir/$t.out"
		fi
		runs="$runs $t:$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/$t.out" | tail -n 1)"
		echo "$t: $(grep -E '^#[0-9]+.*DONE|^stat::(number_of_executed_units|peak_rss_mb)' "$dir/$t.out" | tr '\n' ' ')"
	done
	[ "$crashes" = 0 ] || echo "keep each crash input as a regression: cp $dir/crashes/TARGET-crash-* $top_srcdir/tests/fuzz/regressions/TARGET/"
	note fuzz $status "executions per target:$runs; $crashes targets crashed"
}

part_script() {
	local name=$1 script=$2 out="$work/$1.out"
	echo "== $name: $script"
	(cd "$top_builddir" && bash "$top_srcdir/$script") 2>&1 | tee "$out"
	if [ "${PIPESTATUS[0]}" = 0 ]; then
		note "$name" OK "$(tail -n 1 "$out")"
	else
		note "$name" FAIL "$(grep -m 1 '^FAIL' "$out")"
	fi
}

for p in $parts; do
	case $p in
	sanitizers | valgrind | fuzz) "part_$p" ;;
	matrix) part_script matrix tests/robust/fault_matrix.sh ;;
	soak) part_script soak tests/robust/soak.sh ;;
	*) echo "check-robust: unknown part '$p' (sanitizers valgrind fuzz matrix soak)" >&2; exit 2 ;;
	esac
done
echo "== check-robust"
printf '%s\n' "${summary[@]}"
exit $failed
