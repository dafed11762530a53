#!/bin/sh
# End-to-end dashboard test in Debian's chromium (tests/browser/dashboard.test.mjs):
# a real insoled fed by insoled-emulator over a pty, driven by playwright-core.
# Skips (77) with the reason when chromium, node or the npm packages are missing.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-.}
CHROMIUM=${INS_CHROMIUM:-/usr/bin/chromium}

skip() { echo "SKIP: $*"; exit 77; }
[ -x "$CHROMIUM" ] || skip "no chromium at $CHROMIUM (apt-get install chromium)"
command -v node >/dev/null 2>&1 || skip "no node (apt-get install nodejs npm)"
[ -f "$srcdir/tests/browser/node_modules/playwright-core/package.json" ] ||
	skip "playwright-core missing: run 'npm ci' in $srcdir/tests/browser (tools/install-deps.sh does)"
[ -f "$srcdir/web/node_modules/uplot/dist/uPlot.iife.min.js" ] ||
	skip "uPlot missing: run 'npm ci' in $srcdir/web (tools/install-deps.sh does)"

# The emulator is another module's program: until it is part of the build
# there is nothing to drive the daemon with.
[ -x "$builddir/insoled-emulator" ] || skip "insoled-emulator is not built in $builddir"

INS_CHROMIUM=$CHROMIUM INS_SRCDIR=$srcdir INS_BUILDDIR=$builddir \
	exec node "$srcdir/tests/browser/dashboard.test.mjs"
