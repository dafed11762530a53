#!/bin/bash
# The manual pages render without a warning: mandoc -Tlint at level warning
# on each page made by the build, and each documents every option the
# program's --help lists.
set -u
. "$top_srcdir/tests/integration/lib.sh"
need_tools mandoc
status=0
for page in man/insoled.8 man/insoled.conf.5 man/insoled-emulator.1; do
	[ -f "$top_builddir/$page" ] || { echo "FAIL: $page was not made"; status=1; continue; }
	if ! mandoc -Tlint -Wwarning "$top_builddir/$page"; then
		echo "FAIL: mandoc -Tlint $page"; status=1
	fi
done
# Every long option of --help appears in the page (as "Fl \-name").
check_options() { # PROGRAM PAGE
	for opt in $("$top_builddir/$1" --help 2>&1 | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
		grep -qF -- "Fl \\-${opt#--}" "$top_builddir/$2" || { echo "FAIL: $2 does not document $opt"; status=1; }
	done
}
check_options insoled man/insoled.8
check_options insoled-emulator man/insoled-emulator.1
[ "$status" = 0 ] && echo "PASS: manual pages lint clean and document every option"
exit "$status"
