#!/bin/sh
# End-to-end dashboard test in Debian's chromium (tests/browser/dashboard.test.mjs):
# a real insoled fed by insoled-emulator over a pty, driven by playwright-core.
# Skips (77) with the reason when chromium, node or the npm packages are
# missing; under CI (CI=true, set by .ci/run) a missing tool is an error (99)
# instead, so a CI machine that lost a dependency cannot pass by skipping.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-.}
CHROMIUM=${INS_CHROMIUM:-/usr/bin/chromium}
here=$srcdir/tests/browser

skip() {
	if [ "${CI:-}" = true ]; then
		echo "ERROR (CI=true, so not skipped): $*"
		exit 99
	fi
	echo "SKIP: $*"
	exit 77
}
[ -x "$CHROMIUM" ] || skip "no chromium at $CHROMIUM (apt-get install chromium)"
command -v node >/dev/null 2>&1 || skip "no node (apt-get install nodejs npm)"
[ -f "$here/node_modules/playwright-core/package.json" ] ||
	skip "playwright-core missing: run 'npm ci' in $here (tools/install-deps.sh does)"
[ -f "$srcdir/web/node_modules/uplot/dist/uPlot.iife.min.js" ] ||
	skip "uPlot missing: run 'npm ci' in $srcdir/web (tools/install-deps.sh does)"
[ -x "$builddir/insoled-emulator" ] || skip "insoled-emulator is not built in $builddir"

# node_modules left from an older lock file may hold a driver this Node
# cannot run; say so instead of failing inside it.
node -e '
	const [lock, mod] = process.argv.slice(1).map(f => JSON.parse(require("fs").readFileSync(f)));
	const want = lock.packages["node_modules/playwright-core"].version;
	if (mod.version !== want) {
		console.error(`playwright-core ${mod.version} is installed but the lock file pins ${want}: run npm ci in tests/browser`);
		process.exit(1);
	}
	const need = Number((mod.engines?.node ?? ">=0").replace(/[^0-9.]/g, "").split(".")[0]);
	if (Number(process.versions.node.split(".")[0]) < need) {
		console.error(`playwright-core ${mod.version} needs Node ${mod.engines.node}; this is Node ${process.versions.node}`);
		process.exit(1);
	}' "$here/package-lock.json" "$here/node_modules/playwright-core/package.json" || exit 99

INS_CHROMIUM=$CHROMIUM INS_SRCDIR=$srcdir INS_BUILDDIR=$builddir \
	exec node "$here/dashboard.test.mjs"
