#!/bin/sh
# Side by side: `insoled --analyze` against the plain numpy script doing less
# (tests/bench/numpy_gait.py: events, stance/swing/stride, peaks, impulses),
# each job given to each program as one command:
#   - a one-hour gaitpdb file (tests/bench/gaitpdb_hour.py),
#   - the gaitndd records of DATADIR as they are (6 of the 64 published),
#   - a 58-record gaitndd folder, the size of batch the speed target names:
#     DATADIR's records repeated under new names (each header renamed with
#     it), as the one-hour file repeats one walk.
# The two programs run alternately, RUNS times each (default 7), timed by
# tests/bench/time_pair.py (wall: monotonic clock; CPU: user + sys of all
# threads; best and median); a run that fails stops the script.  The load
# average is printed before and after, and each program's output size once,
# to show both did their job.  A measuring tool, not a test.
#
#   tests/bench/compare_numpy.sh BUILDDIR [DATADIR [RUNS]]   (DATADIR: $INS_SHARED_DATA, else ../shared/data)
# Needs python3-numpy (Debian: apt-get install python3-numpy).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: compare_numpy.sh BUILDDIR [DATADIR [RUNS]]}" && pwd)
data=$(cd "${2:-${INS_SHARED_DATA:-$here/../../../shared/data}}" && pwd)
runs=${3:-7}
py=/usr/bin/python3
batch_records=58
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

$py "$here/gaitpdb_hour.py" "$data/gaitpdb/GaCo01_01.txt" "$tmp/hour.txt"

# $batch_records records NAME_K: the signal files linked, the header renamed
mkdir "$tmp/ndd58"
cp "$data"/gaitndd/*.ts "$data"/gaitndd/*.txt "$tmp/ndd58/" 2>/dev/null || true
k=0
while [ "$k" -lt "$batch_records" ]; do
	for hea in "$data"/gaitndd/*.hea; do
		[ "$k" -lt "$batch_records" ] || break
		rec=$(basename "$hea" .hea)
		new=${rec}_$k
		ln -s "$data/gaitndd/$rec.let" "$tmp/ndd58/$new.let"
		ln -s "$data/gaitndd/$rec.rit" "$tmp/ndd58/$new.rit"
		sed "s/^$rec\([ .]\)/$new\1/" "$hea" >"$tmp/ndd58/$new.hea"
		k=$((k + 1))
	done
done

insoled="$build/insoled --analyze"
numpy="$py $here/numpy_gait.py"
outputs() {
	printf '  output: insoled %s lines, numpy %s lines\n' "$($1 2>/dev/null | wc -l)" "$($2 2>/dev/null | wc -l)"
}

echo "one-hour gaitpdb file: $(stat -c %s "$tmp/hour.txt") bytes; gaitndd: $(ls "$data"/gaitndd/*.hea | wc -l)" \
	"records, batch of $(ls "$tmp"/ndd58/*.hea | wc -l); $(nproc) cores; $(uptime)"
$py "$here/time_pair.py" "$runs" "gaitpdb, 1 h, one file" "$insoled $tmp/hour.txt" "$numpy $tmp/hour.txt"
outputs "$insoled $tmp/hour.txt" "$numpy $tmp/hour.txt"
$py "$here/time_pair.py" "$runs" "gaitndd, the $(ls "$data"/gaitndd/*.hea | wc -l) records of DATADIR" \
	"$insoled $data/gaitndd" "$numpy $(echo "$data"/gaitndd/*.hea)"
$py "$here/time_pair.py" "$runs" "gaitndd, $batch_records records" \
	"$insoled $tmp/ndd58" "$numpy $(echo "$tmp"/ndd58/*.hea)"
outputs "$insoled $tmp/ndd58" "$numpy $(echo "$tmp"/ndd58/*.hea)"
echo "after: $(uptime)"
