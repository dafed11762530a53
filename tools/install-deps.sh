#!/bin/sh
# Installs everything insoled needs to build, test and run on Debian 12, as
# root: the Debian packages, then the dashboard's chart library and the
# browser-test driver from npm.  Safe to run again.
#
# The npm packages land in the checkout (web/node_modules,
# tests/browser/node_modules) and are installed as the checkout's owner, not
# as root, so `sudo tools/install-deps.sh` leaves nothing in the user's tree
# that the user cannot later update or remove.
set -eu

# fonts-dejavu-core: the font the browser test lays printed pages out in
# (fontconfig pulls it in anyway); named, so that the page counts the test
# checks of a printed comparison rest on a font this script installs.
DEBS="build-essential autoconf automake pkg-config
 libserialport-dev libsqlite3-dev sqlite3 libmicrohttpd-dev libgnutls28-dev libjansson-dev libinih-dev
 libsystemd-dev systemd
 check libcurl4-openssl-dev curl
 clang libclang-rt-14-dev valgrind python3
 socat util-linux wrk jq openssl mandoc
 chromium chromium-driver fonts-dejavu-core
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

# Runs "$@" in DIR as the owner of the checkout (root only when root owns
# it), with that user's home for npm's cache.
as_owner() {
	dir=$1; shift
	owner=$(stat -c %U "$here")
	if [ "$owner" = root ]; then
		(cd "$dir" && "$@")
	else
		home=$(getent passwd "$owner" | cut -d: -f6)
		(cd "$dir" && runuser -u "$owner" -- env HOME="$home" "$@")
	fi
}

# uPlot for the dashboard (served from the build tree, installed beside
# web/ by make install) and playwright-core for the browser tests, which
# drive Debian's chromium.  Exact versions come from the lock files; npm's
# warnings stay visible (an engine mismatch must not pass silently).
for dir in web tests/browser; do
	if [ -f "$here/$dir/package.json" ]; then
		as_owner "$here/$dir" npm ci --no-audit --no-fund --engine-strict
	fi
done

# Everything the build and `make check` use, so a missing one is reported
# here rather than as a skipped test.
missing=""
for tool in cc autoreconf pkg-config sqlite3 jq socat curl openssl wrk unshare mandoc \
	systemd-analyze node npm chromium clang valgrind python3; do
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
	echo "install-deps: still missing after installing:$missing" >&2
	exit 1
fi
echo "install-deps: done"
