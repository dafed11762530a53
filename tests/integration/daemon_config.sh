#!/bin/bash
# Bad configuration never starts a half-working daemon: each case exits with
# status 2 (or 1 at start-up) and one line naming what was wrong.
set -euo pipefail
. "$top_srcdir/tests/integration/lib.sh"

expect_refusal() {
	local expect=$1; shift
	local status=0
	"$INSOLED" --foreground "$@" >"$test_tmp/out" 2>"$test_tmp/err" || status=$?
	[ "$status" -ne 0 ] || fail "insoled $* started; expected a refusal"
	grep -qF -- "$expect" "$test_tmp/err" || fail "insoled $*: expected '$expect' in: $(cat "$test_tmp/err")"
}

printf '[daemon]\nlisten = 127.0.0.1:8080\n[device a]\nport = /dev/null\nfoot = middle\n' >"$test_tmp/bad.conf"
expect_refusal "bad.conf:5: foot: 'middle' is not left, right or auto" --config "$test_tmp/bad.conf"
expect_refusal "no device configured" --db "$test_tmp/x.db"
expect_refusal "unexpected argument 'extra'" --demo extra
expect_refusal "layout 'no-such-layout' not found in" --demo --db "$test_tmp/x.db" --listen 127.0.0.1:0 --layout no-such-layout
expect_refusal "layouts there: footswitch1, " --demo --db "$test_tmp/x.db" --listen 127.0.0.1:0 --layout no-such-layout
mkdir -p "$test_tmp/confdir"
expect_refusal "confdir: is a directory, not a configuration file" --config "$test_tmp/confdir"
"$INSOLED" --version | grep -qx "insoled [0-9.]*" || fail "insoled --version: $("$INSOLED" --version 2>&1)"
"$EMULATOR" --version | grep -qx "insoled-emulator [0-9.]*" || fail "insoled-emulator --version: $("$EMULATOR" --version 2>&1)"
"$EMULATOR" --layout no-such-layout --stdout --frames 1 >/dev/null 2>"$test_tmp/err" && fail "the emulator took an unknown layout"
grep -qE "layouts there: footswitch1, .*fsr16, " "$test_tmp/err" || fail "emulator --layout: $(cat "$test_tmp/err")"
# A LAN address without a token is refused, like Redis protected mode.
expect_refusal "token" --demo --db "$test_tmp/x.db" --listen 0.0.0.0:0
echo "PASS: every bad configuration was refused with a message"
