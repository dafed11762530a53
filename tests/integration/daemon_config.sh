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
# Tokens: weak ones are refused with the way to make a strong one, and a
# file holding a token must not be readable by every user.
expect_refusal "--gen-token" --demo --db "$test_tmp/x.db" --listen 127.0.0.1:0 --token a
expect_refusal "too weak" --demo --db "$test_tmp/x.db" --listen 127.0.0.1:0 --token ' '
token=$("$INSOLED" --gen-token)
[[ "$token" =~ ^[0-9a-f]{64}$ ]] || fail "--gen-token printed '$token'"
[ "$("$INSOLED" --gen-token)" != "$token" ] || fail "--gen-token printed the same token twice"
printf '%s\n' "$token" >"$test_tmp/token"
chmod 644 "$test_tmp/token"
expect_refusal "every user may read or change it (mode 0644): chmod 600" \
	--demo --db "$test_tmp/x.db" --listen 127.0.0.1:0 --token-file "$test_tmp/token"
printf '[daemon]\ntoken = %s\n' "$token" >"$test_tmp/token.conf"
chmod 666 "$test_tmp/token.conf"
expect_refusal "token.conf: holds the access token (token =), but every user may read" \
	--demo --db "$test_tmp/x.db" --listen 127.0.0.1:0 --config "$test_tmp/token.conf"
expect_refusal "token_file: $test_tmp/none: No such file" --demo --db "$test_tmp/x.db" --token-file "$test_tmp/none"
# The token file's first line is the token; --token warns that ps shows it.
chmod 600 "$test_tmp/token"
start_insoled --demo --db "$test_tmp/x.db" --listen 127.0.0.1:0 --token-file "$test_tmp/token"
code=$(api -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$INSOLED_URL/api/status")
[ "$code" = 200 ] || fail "the token from --token-file was not accepted ($code)"
code=$(api -o /dev/null -w '%{http_code}' "$INSOLED_URL/api/status")
[ "$code" = 401 ] || fail "without the token /api/status answered $code"
stop_insoled
start_insoled --demo --db "$test_tmp/x.db" --listen 127.0.0.1:0 --token "$token"
grep -q "visible to every user" "$test_tmp/insoled.err" || fail "--token gave no warning about ps"
stop_insoled
echo "PASS: every bad configuration was refused with a message"
