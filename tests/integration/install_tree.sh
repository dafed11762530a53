#!/bin/bash
# What `make install` gives a clinic: the build installed into a scratch
# root (DESTDIR), then checked as an installed daemon uses it.
#   - every dashboard file, layout and schema script of the source tree is
#     installed (the install lists are written by hand in each module.am,
#     and a file left off them installs a dashboard that cannot load);
#   - the installed daemon, given the installed data directory, serves the
#     dashboard: index.html and everything it loads, followed through the
#     modules' imports, answers 200.
set -euo pipefail
. "$top_srcdir/tests/integration/lib.sh"
: "${MAKE:?run through make check (MAKE unset)}" "${INS_PKGDATADIR:?}" "${INS_BINDIR:?}"

root=$test_tmp/root
# A make of its own: not a job of the make check that runs this test.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "$MAKE" -s -C "$top_builddir" install DESTDIR="$root" \
	>"$test_tmp/install.out" 2>&1 || fail "make install DESTDIR=$root failed: $(tail -n 20 "$test_tmp/install.out")"
data=$root$INS_PKGDATADIR

missing="" differs=""
for f in $(cd "$top_srcdir" && echo web/index.html web/css/*.css web/js/*.js layouts/*.layout sql/*.sql); do
	if [ ! -f "$data/$f" ]; then
		missing="$missing $f"
	elif ! cmp -s "$top_srcdir/$f" "$data/$f"; then
		differs="$differs $f"
	fi
done
[ -z "$missing" ] || fail "not installed under $INS_PKGDATADIR:$missing (add each to its module.am's install list)"
[ -z "$differs" ] || fail "installed, but not as in the source tree:$differs"

INSOLED=$root$INS_BINDIR/insoled
[ -x "$INSOLED" ] || fail "make install put no insoled in $INS_BINDIR"
start_insoled --demo --listen 127.0.0.1:0 --db "$test_tmp/s.db" --data-dir "$data"

# The files a page or module names: src= and href= of index.html, the
# `from '...'` and `import('...')` of a module, relative to the one naming
# them (absolute URLs and the daemon's API are not files).
references() {
	grep -oE "(src|href)=\"[^\"#?]+\"|from '[^']+'|from \"[^\"]+\"|import\(['\"][^'\"]+['\"]\)" "$1" |
		sed -E "s/^(src|href)=\"//; s/^from ['\"]//; s/^import\(['\"]//; s/['\")]+$//" |
		grep -vE '^(https?:|/api/|data:|mailto:)' || true
}

# Breadth first from index.html; URL paths relative to the web root.
queue=("index.html")
declare -A seen=(["index.html"]=1)
served=0
while [ "${#queue[@]}" -gt 0 ]; do
	path=${queue[0]}
	queue=("${queue[@]:1}")
	body="$test_tmp/body"
	code=$(api -o "$body" -w '%{http_code}' "$INSOLED_URL/$path")
	[ "$code" = 200 ] && [ -s "$body" ] || fail "the installed daemon answers $code for /$path"
	served=$((served + 1))
	dir=$(dirname "$path")
	for ref in $(references "$body"); do
		case $ref in
		/*) next=${ref#/} ;;
		*) next=$(realpath -m --relative-to=/ "/$dir/$ref") ;;
		esac
		[ -z "${seen[$next]:-}" ] || continue
		# uPlot is installed from npm's copy when there is one (web/module.am)
		case $next in vendor/*) [ -f "$top_srcdir/web/node_modules/${next#vendor/}" ] || continue ;; esac
		seen[$next]=1
		queue+=("$next")
	done
done
modules=$(cd "$top_srcdir/web" && ls js/*.js | wc -l)
[ "${seen[js/app.js]:-}" ] || fail "index.html does not load js/app.js: the walk through the modules found nothing"
echo "installed daemon served $served files of the dashboard ($modules modules in the source tree)"
stop_insoled
