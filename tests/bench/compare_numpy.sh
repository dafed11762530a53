#!/bin/sh
# Side by side: `insoled --analyze` against the plain numpy script doing less
# (tests/bench/numpy_gait.py: events, stance/swing/stride, peaks, impulses),
# on a one-hour gaitpdb file and on the gaitndd records as one command each.
# Each run 3 times; the best wall time and the best CPU time (user + sys)
# are shown, and the ratios numpy / insoled.  A measuring tool, not a test.
#
#   tests/bench/compare_numpy.sh BUILDDIR [DATADIR]   (DATADIR: $INS_SHARED_DATA, else ../shared/data)
# Needs python3-numpy (Debian: apt-get install python3-numpy) and /usr/bin/time.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: compare_numpy.sh BUILDDIR [DATADIR]}
data=${2:-${INS_SHARED_DATA:-$here/../../../shared/data}}
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

$py "$here/gaitpdb_hour.py" "$data/gaitpdb/GaCo01_01.txt" "$tmp/hour.txt"
insoled="$build/insoled --analyze"

# best of 3: "wall cpu"
best() {
	bw=""; bc=""
	for _ in 1 2 3; do
		/usr/bin/time -f "%e %U %S" -o "$tmp/t" "$@" >/dev/null 2>&1
		read -r w u s <"$tmp/t"
		c=$(echo "$u + $s" | bc)
		if [ -z "$bw" ] || [ "$(echo "$w < $bw" | bc)" = 1 ]; then bw=$w; fi
		if [ -z "$bc" ] || [ "$(echo "$c < $bc" | bc)" = 1 ]; then bc=$c; fi
	done
	echo "$bw $bc"
}

row() {
	name=$1; shift
	set -- $1
	printf '%-28s insoled %6.3f s wall %6.3f s cpu | numpy %6.3f s wall %6.3f s cpu | numpy/insoled: wall %5.1fx cpu %5.1fx\n' \
		"$name" "$1" "$2" "$3" "$4" "$(echo "$3 / $1" | bc -l)" "$(echo "$4 / $2" | bc -l)"
}

size=$(stat -c %s "$tmp/hour.txt")
echo "one-hour gaitpdb file: $size bytes; gaitndd: $(ls "$data"/gaitndd/*.hea | wc -l) records; $(nproc) cores"
row "gaitpdb, 1 h, one file" "$(best $insoled "$tmp/hour.txt") $(best $py "$here/numpy_gait.py" "$tmp/hour.txt")"
row "gaitndd, all records" "$(best $insoled "$data/gaitndd") $(best $py "$here/numpy_gait.py" "$data"/gaitndd/*.hea)"
