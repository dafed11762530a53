#!/bin/bash
# The systemd unit made by the build loads in systemd: `systemd-analyze
# verify` finds no error in it, and `systemd-analyze security` rates its
# exposure (printed; docs/install.md quotes it) no worse than 2.5, "OK".
# verify also checks that ExecStart's program exists, so this runs a copy
# whose ExecStart names the insoled just built instead of $(bindir)/insoled.
set -u
. "$top_srcdir/tests/integration/lib.sh"
need_tools systemd-analyze
unit="$top_builddir/contrib/insoled.service"
[ -f "$unit" ] || fail "$unit was not made"
tmp=$test_tmp
insoled=$(cd "$top_builddir" && pwd)/insoled
sed "s|^ExecStart=[^ ]*/insoled |ExecStart=$insoled |" "$unit" >"$tmp/insoled.service"
grep -q "^ExecStart=$insoled " "$tmp/insoled.service" || fail "no ExecStart running insoled in $unit"

if ! systemd-analyze verify --man=no "$tmp/insoled.service" >"$tmp/verify" 2>&1 || [ -s "$tmp/verify" ]; then
	fail "systemd-analyze verify: $(cat "$tmp/verify")"
fi
systemd-analyze security --offline=yes --no-pager "$tmp/insoled.service" >"$tmp/security" 2>&1 ||
	fail "systemd-analyze security: $(cat "$tmp/security")"
grep -E '^(✗|  ✗)' "$tmp/security" || true
exposure=$(sed -n 's/.*Overall exposure level for insoled.service: \([0-9.]*\).*/\1/p' "$tmp/security")
echo "systemd-analyze security: overall exposure $exposure"
[ -n "$exposure" ] || fail "no exposure level in: $(cat "$tmp/security")"
awk -v e="$exposure" 'BEGIN { exit !(e <= 2.5) }' || fail "exposure $exposure above 2.5"
echo "PASS: the unit verifies; exposure $exposure"
