#!/bin/bash
# libinsoled.a is compiled with -fvisibility=hidden and its public headers
# wrap their declarations in #pragma GCC visibility push(default): every
# symbol the library defines with default visibility carries the public
# prefix ins_ and is declared in include/insoled/, and every module-private
# one (store_, http_, import_, analyze_, synth_) is hidden.
set -euo pipefail
. "$top_srcdir/tests/integration/lib.sh"

command -v readelf >/dev/null || fail "readelf is not installed (binutils, which gcc needs)"
lib=$top_builddir/libinsoled.a
[ -f "$lib" ] || fail "$lib is not built"

# The sanitizer build (make check-robust) adds symbols of its own, such as
# __odr_asan.NAME beside each global: they are the instrumentation's.
readelf -sW "$lib" | awk '$5 == "GLOBAL" && $7 != "UND" && $8 !~ /^__(odr_asan|asan|ubsan|sancov)/ { print $6, $8 }' |
	sort -u >"$test_tmp/symbols"
awk '$1 == "DEFAULT" { print $2 }' "$test_tmp/symbols" >"$test_tmp/public"
awk '$1 == "HIDDEN" { print $2 }' "$test_tmp/symbols" >"$test_tmp/hidden"
[ -s "$test_tmp/public" ] || fail "$lib defines no symbol with default visibility"
[ -s "$test_tmp/hidden" ] || fail "$lib defines no hidden symbol: was it built without -fvisibility=hidden?"
other=$(awk '$1 != "DEFAULT" && $1 != "HIDDEN" { print $2 }' "$test_tmp/symbols" | head -n 5)
[ -z "$other" ] || fail "symbols neither default nor hidden: $other"
while read -r sym; do
	case $sym in
	ins_*) ;;
	*) fail "$sym has default visibility without the public prefix ins_" ;;
	esac
	grep -qw -- "$sym" "$top_srcdir"/include/insoled/*.h ||
		fail "$sym has default visibility but include/insoled/ does not declare it"
done <"$test_tmp/public"
for prefix in store_ http_ import_ analyze_; do
	grep -q "^$prefix" "$test_tmp/hidden" || fail "no hidden $prefix symbol: the module-private functions moved?"
done
echo "PASS: $(wc -l <"$test_tmp/public") public symbols, all ins_ and declared in include/insoled/;" \
	"$(wc -l <"$test_tmp/hidden") hidden"
