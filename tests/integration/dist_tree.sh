#!/bin/bash
# What `make dist` ships: every file git tracks, so that a tarball builds,
# tests and installs as the repository does (make distcheck, which takes as
# long as a second make check, once stopped at a folder git had dropped).
# Needs the git checkout; from a tarball there is nothing to compare with.
set -euo pipefail
. "$top_srcdir/tests/integration/lib.sh"
: "${MAKE:?run through make check (MAKE unset)}"

command -v git >/dev/null || skip "git is not installed"
top=$(git -C "$top_srcdir" rev-parse --show-toplevel 2>/dev/null) || true
# An unpacked tarball may sit inside some other checkout (make distcheck's).
[ "$top" = "$(cd "$top_srcdir" && pwd -P)" ] || skip "$top_srcdir is not the top of a git checkout"

dist=$test_tmp/dist
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "$MAKE" -s -C "$top_builddir" distdir distdir="$dist" \
	>"$test_tmp/distdir.out" 2>&1 || fail "make distdir failed: $(tail -n 20 "$test_tmp/distdir.out")"

# Kept out on purpose: git's own files and the placeholder of an empty m4/.
missing=$(cd "$top_srcdir" && git ls-files | grep -vE '^(\.gitignore|m4/\.keep)$' |
	while read -r f; do [ -e "$dist/$f" ] || echo "$f"; done)
[ -z "$missing" ] || fail "make dist leaves out what git tracks (add to EXTRA_DIST or an install list): $missing"
echo "make dist ships all $(cd "$top_srcdir" && git ls-files | wc -l) files git tracks"
