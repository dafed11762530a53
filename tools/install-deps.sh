#!/bin/sh
# Installs everything insoled needs to build, test and run on Debian 12, as
# root: the Debian packages, then the dashboard's chart library and the
# browser-test driver from npm.  Safe to run again.
set -eu

DEBS="build-essential autoconf automake pkg-config
 libserialport-dev libsqlite3-dev sqlite3 libmicrohttpd-dev libjansson-dev libinih-dev
 check libcurl4-openssl-dev curl
 clang libclang-rt-14-dev
 socat util-linux wrk jq openssl
 chromium chromium-driver
 gcc-avr avr-libc binutils-avr simavr libsimavr-dev libelf-dev"

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: run as root (sudo $0)" >&2
	exit 1
fi
here=$(cd "$(dirname "$0")/.." && pwd)

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $DEBS >/dev/null
# The machine may already have Node.js from elsewhere; Debian's npm would
# conflict with it, so only install Debian's when there is none.
command -v npm >/dev/null 2>&1 || apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null

# uPlot for the dashboard (served from the build tree, installed beside
# web/ by make install) and playwright-core for the browser tests, which
# drive Debian's chromium.  Exact versions come from the lock files.
for dir in web tests/browser; do
	if [ -f "$here/$dir/package.json" ]; then
		(cd "$here/$dir" && npm ci --no-audit --no-fund --loglevel=error)
	fi
done
echo "install-deps: done"
