#!/bin/sh
# The systemd unit made by the build loads in systemd: `systemd-analyze
# verify` finds no error in it, and `systemd-analyze security` rates its
# exposure (printed; docs/install.md quotes it) no worse than 2.5, "OK".
# verify also checks that ExecStart's program exists, so this runs a copy
# whose ExecStart names the insoled just built instead of $(bindir)/insoled.
set -u
. "$top_srcdir/tests/skip_lib.sh"
command -v systemd-analyze >/dev/null 2>&1 || skip "systemd-analyze is not installed (apt-get install systemd)"
unit="$top_builddir/contrib/insoled.service"
[ -f "$unit" ] || { echo "FAIL: $unit was not made"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/insoled-unit.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
insoled=$(cd "$top_builddir" && pwd)/insoled
sed "s|^ExecStart=[^ ]*/insoled |ExecStart=$insoled |" "$unit" >"$tmp/insoled.service"
grep -q "^ExecStart=$insoled " "$tmp/insoled.service" || { echo "FAIL: no ExecStart running insoled in $unit"; exit 1; }

if ! systemd-analyze verify --man=no "$tmp/insoled.service" >"$tmp/verify" 2>&1 || [ -s "$tmp/verify" ]; then
	echo "FAIL: systemd-analyze verify:"; cat "$tmp/verify"; exit 1
fi
systemd-analyze security --offline=yes --no-pager "$tmp/insoled.service" >"$tmp/security" 2>&1 ||
	{ echo "FAIL: systemd-analyze security:"; cat "$tmp/security"; exit 1; }
grep -E '^(✗|  ✗)' "$tmp/security" || true
exposure=$(sed -n 's/.*Overall exposure level for insoled.service: \([0-9.]*\).*/\1/p' "$tmp/security")
echo "systemd-analyze security: overall exposure $exposure"
[ -n "$exposure" ] || { echo "FAIL: no exposure level in:"; cat "$tmp/security"; exit 1; }
awk -v e="$exposure" 'BEGIN { exit !(e <= 2.5) }' || { echo "FAIL: exposure $exposure above 2.5"; exit 1; }
echo "PASS: the unit verifies; exposure $exposure"
