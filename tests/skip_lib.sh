# How script tests skip (sourced).  automake counts exit 77 as SKIP and 99 as
# ERROR.
#
# skip REASON: a tool or package the test needs is missing.  On a developer's
# machine that is a skip with the reason; under CI (CI=true, set by .ci/run)
# tools/install-deps.sh has installed everything, so a missing tool means a
# broken CI machine and is an error: CI cannot pass by skipping.
# skip_always REASON: what no installation step provides (the real
# recordings outside the repository, a kernel that forbids namespaces).

skip() {
	if [ "${CI:-}" = true ]; then
		echo "ERROR (CI=true, so not skipped): $*"
		exit 99
	fi
	echo "SKIP: $*"
	exit 77
}

skip_always() {
	echo "SKIP: $*"
	exit 77
}
