#!/bin/bash
# The reference firmware (contrib/firmware) end to end on a simulated
# ATmega328P: one board per foot (tests/firmware/simboard, simavr), each
# with its 8 FSRs behind a CD74HC4067 fed from a walk, its serial port on a
# pty that insoled opens as a device.  Checks, per foot: every frame arrives
# at 100 Hz with no CRC error, resync or gap; the device clock advances by
# exactly 10,000 us a frame and agrees with the simulated hardware time;
# every frame carries the counts the simulated ADC was given; and the steps
# the daemon finds equal those of `insoled --analyze` on the same stretch of
# the recording (contact and toe-off within one frame).
#
# Runs a built-in synthetic walk always and a real gaitpdb walk when
# ../shared/data is there; then, through `insoled --dump`, the ASCII mode and
# the build without a multiplexer.  SKIP (exit 77) without simavr or avr-gcc.
set -euo pipefail
. "$top_srcdir/tests/integration/lib.sh"

SIMBOARD=$top_builddir/tests/firmware/simboard
ELF=$top_builddir/contrib/firmware/insole-8mux.elf
ELF_ADC=$top_builddir/contrib/firmware/insole-8adc.elf
ELF16=$top_builddir/contrib/firmware/insole.elf
[ -x "$SIMBOARD" ] || skip "simavr is not installed (apt-get install simavr libsimavr-dev libelf-dev): firmware not simulated"
[ -f "$ELF" ] && [ -f "$ELF_ADC" ] && [ -f "$ELF16" ] || skip "avr-gcc is not installed (apt-get install gcc-avr avr-libc binutils-avr): firmware not built"
need_tools jq curl

PERIOD_US=10000 # the firmware's 100 Hz
# Simulated seconds per wall second: bounded, so the daemon reads a stream
# paced like a real board's, only faster (a 30 s walk takes 6 s).
SPEED=5
# The simulated front end: 512 N = AVcc = 1024 counts, 0.5 N a count.
FULL_SCALE_N=512
# The boards of the walk running now (lib.sh's PIDS kills them on exit too).
BOARDS=""

# A data directory whose layouts/ holds gaitpdb8adc: the shipped gaitpdb8
# (positions, areas) read through the front end, i.e. each sensor's
# kPa per count = 0.5 N x 1000 / its area, saturating at the 10-bit top.
make_data_dir() {
	local d=$test_tmp/data
	mkdir -p "$d/layouts"
	ln -sfn "$top_srcdir/sql" "$d/sql"
	ln -sfn "$top_srcdir/web" "$d/web"
	awk -v n_per_count="$(awk -v f=$FULL_SCALE_N 'BEGIN { print f / 1024 }')" '
		/^name = / { print "name = gaitpdb8adc"; next }
		/^description = / { print "description = gaitpdb8 through a 10-bit ADC, 0.5 N a count"; next }
		/^saturation = / { print "saturation = 1023"; next }
		/^area_mm2 = / { print; printf "gain = %.9f\n", n_per_count * 1000 / $3; next }
		{ print }' "$LAYOUT_DIR/gaitpdb8.layout" >"$d/layouts/gaitpdb8adc.layout"
	echo "$d"
}

start_board() { # NAME FOOT SECONDS SIGNAL-ARGS...
	local name=$1 foot=$2 seconds=$3
	shift 3
	"$SIMBOARD" --firmware "$ELF" --mux --foot "$foot" --seconds "$seconds" --speed $SPEED --full-scale-n $FULL_SCALE_N \
		--link "$W/$name" --start-file "$W/go" --expect "$W/$name.expect" --stats "$W/$name.stats" "$@" \
		>"$W/$name.out" 2>"$W/$name.err" &
	BOARDS="$BOARDS $!"
	PIDS="$PIDS $!"
	for _ in $(seq 100); do
		[ -L "$W/$name" ] && [ -s "$W/$name.out" ] && return 0
		sleep 0.1
	done
	fail "$name board did not start: $(cat "$W/$name.err")"
}

device() { jq -c --arg n "$1" '.devices[] | select(.name == $n)' <<<"$status"; }

# Waits until both boards finished, the daemon received every byte they
# sent, and every frame went through the queue, the analysis and the
# database writer (counters, not time: a loaded machine only takes longer).
wait_all_frames() {
	local i sent got drained
	for i in $(seq 600); do
		if [ -s "$W/left.stats" ] && [ -s "$W/right.stats" ]; then
			status=$(api "$INSOLED_URL/api/status")
			sent=$(jq -s -c 'map(.bytes)' "$W/left.stats" "$W/right.stats")
			got=$(jq -c '[(.devices[] | select(.name == "left")), (.devices[] | select(.name == "right"))] | map(.protocol.bytes)' <<<"$status")
			drained=$(jq '.queues.frames.depth == 0 and .queues.frames.pushed == .queues.frames.popped
				and .analysis.frames_analysed == .queues.frames.pushed and .database.queue_depth == 0
				and .database.frames_written == .database.frames_queued' <<<"$status")
			[ "$sent" = "$got" ] && [ "$drained" = true ] && return 0
		fi
		sleep 0.5
	done
	fail "the boards or the daemon did not finish in 300 s (bytes sent $sent, received $got)"
}

# Per foot: counters clean, frame count = scans, rate and clock exact,
# values as fed.  Prints one line of figures.
check_foot() { # FOOT
	local foot=$1 d stats frames scans
	d=$(device "$foot")
	stats=$(cat "$W/$foot.stats")
	bad=$(jq -r '.protocol | to_entries | map(select((.key | test("^(crc_errors|resyncs|garbage_bytes|bad_headers|n_mismatches|seq_gaps|frames_lost|duplicates|out_of_order|seq_resets|clock_jumps|bad_lines)$")) and .value != 0)) | map("\(.key) \(.value)") | join(", ")' <<<"$d")
	[ -z "$bad" ] || fail "$foot: protocol faults: $bad"
	[ "$(jq .queue_drops <<<"$d")" = 0 ] || fail "$foot: the frame queue dropped frames"
	frames=$(jq .protocol.frames <<<"$d")
	scans=$(jq .scans <<<"$stats")
	# the last scan may still be on the wire when the simulation stops
	[ "$frames" -ge $((scans - 1)) ] && [ "$frames" -le "$scans" ] ||
		fail "$foot: $frames frames for $scans sensor scans"
	# frames.csv rows: t_us,foot,seq,kPa x 8; the rate and clock exact
	awk -F, -v p=$PERIOD_US -v foot="$foot" '
		$2 != foot { next }
		n++ && ($3 != seq + 1 || $1 - t != p) { printf "%s: frame seq %s t_us %s after seq %s t_us %s\n", foot, $3, $1, seq, t; bad = 1; exit 1 }
		{ seq = $3; t = $1 }
		END { if (!bad) { if (n) print t; else { print foot ": no frames in the export"; exit 1 } } }' \
		"$W/frames.csv" >"$W/$foot.last_t" || fail "$(cat "$W/$foot.last_t")"
	# values: each frame carries the counts fed for the row at its t_us
	# (the export is in kPa: counts = kPa / the layout's gain)
	awk -F'[, ]' -v foot="$foot" '
		FILENAME ~ /layout$/ { if ($1 == "[sensor]") in_sensor = 1; if (in_sensor && $1 == "gain") gain[++g] = $3; next }
		FILENAME ~ /expect$/ { want[$1] = $0; next }
		$2 == foot { got = $1; for (i = 1; i <= 8; i++) got = got " " int($(3 + i) / gain[i] + 0.5)
			if (want[$1] != got) { printf "%s: t_us %s carries %s, fed %s\n", foot, $1, got, want[$1]; exit 1 } }' \
		"$DATA/layouts/gaitpdb8adc.layout" "$W/$foot.expect" "$W/frames.csv" >"$W/$foot.values" ||
		fail "$(cat "$W/$foot.values")"
	# the device clock against simulated time: the frame stamped T was
	# sampled on the timer tick first_scan + (T - one period)
	local last_t first_scan last_scan drift
	last_t=$(cat "$W/$foot.last_t")
	first_scan=$(jq .first_scan_us <<<"$stats")
	last_scan=$(jq .last_scan_us <<<"$stats")
	[ "$frames" -lt "$scans" ] && last_scan=$((last_scan - PERIOD_US))
	drift=$((last_scan - first_scan - (last_t - PERIOD_US)))
	[ "${drift#-}" -le 20 ] || fail "$foot: device clock ${last_t} us against ${last_scan} - ${first_scan} us of simulated time"
	echo "$foot: $frames frames, $(jq .protocol.crc_errors <<<"$d") CRC errors, 0 gaps; t_us +$PERIOD_US every frame; clock vs simulated timer over $(((last_scan - first_scan) / 1000)) ms: ${drift} us; simulated $(jq -r '"\(.sim_us / 1e6) s in \(.wall_s) s"' <<<"$stats")"
}

# --analyze on rows FIRST..LAST (us) of RECORDING, step events as JSON.
analyze_rows() { # RECORDING FIRST LAST OUT
	awk -v a=$(($2 / PERIOD_US)) -v b=$(($3 / PERIOD_US)) 'NR - 1 >= a && NR - 1 <= b' "$1" >"$4.txt"
	"$INSOLED" --analyze "$4.txt" --format gaitpdb --layout-dir "$LAYOUT_DIR" >"$4.out" 2>"$4.err" ||
		fail "--analyze $4.txt failed: $(cat "$4.err")"
	head -n -1 "$4.out" | jq -s -c 'map({foot, contact_us, toe_off_us})' >"$4.json"
}

# Compares the daemon's steps with OFFLINE.json: per foot the same number of
# steps, and at most MAX_FAR_PCT % of the events more than one frame away;
# prints "ok FOOT ..." with the largest distance, or the fault.
steps_diff() { # OFFLINE.json LABEL MAX_FAR_PCT
	jq -r -n --slurpfile a "$1" --slurpfile b "$W/live.json" --arg what "$2" --argjson pct "$3" --argjson p $PERIOD_US '
		def d(x; y): if x == null and y == null then 0 elif x == null or y == null then 1e12 else (x - y | fabs) end;
		["left", "right"] | map(. as $f | ($a[0] | map(select(.foot == $f))) as $o | ($b[0] | map(select(.foot == $f))) as $l
		| if ($o | length) != ($l | length) then "\($f): \($l | length) steps live, \($o | length) offline (\($what))"
		  else ([range(0; $o | length) | d($o[.].contact_us; $l[.].contact_us), d($o[.].toe_off_us; $l[.].toe_off_us)]) as $ds
		  | ($ds | max // 0) as $m | ($ds | map(select(. > $p)) | length) as $far
		  | if $far * 100 > $pct * ($ds | length) then "\($f): \($far) of \($ds | length) events more than a frame away from --analyze of the \($what) (largest \($m) us)"
		    else "ok \($f): \($o | length) steps as --analyze of the \($what), events at most \($m | floor) us apart, \($far) of \($ds | length) beyond one frame" end end)
		| .[]'
}

# The daemon's steps against --analyze of
# - the session's own frames export: exactly what the board sent, so every
#   event within one frame (live and offline analysis agree);
# - the recording rows the session holds as the board digitised them
#   (counts back to newtons, row i at exactly i x 10 ms): the same signal
#   through gaitpdb8's newtons instead of the counts' calibration, so the
#   same steps, and at most 5 % of the events more than one frame away (a
#   toe-off whose unloading knee is borderline can move by several frames
#   on float rounding alone: GaCo01_01 has one at 26.6 s);
# - the recording itself: the same steps; how far 0.5 N quantisation and
#   gaitpdb's wandering time stamps (up to ~2 ms off the 100 Hz grid) move
#   the events is printed.
compare_steps() { # RECORDING
	local first last
	first=$(awk -F, '$2 ~ /^(left|right)$/ { if (min == "" || $1 < min) min = $1 } END { print min }' "$W/frames.csv")
	last=$(awk -F, '$2 ~ /^(left|right)$/ { if ($1 > max) max = $1 } END { print max }' "$W/frames.csv")
	awk -v f=$FULL_SCALE_N 'BEGIN { OFS = "\t"; q = 1024 / f }
		{ $1 = sprintf("%.2f", (NR - 1) / 100)
		  for (i = 2; i <= 17; i++) { c = int($i * q + 0.5); $i = (c < 0 ? 0 : c > 1023 ? 1023 : c) / q } print }' \
		"$1" >"$W/digitised.txt"
	analyze_rows "$W/digitised.txt" "$first" "$last" "$W/offline_digitised"
	analyze_rows "$1" "$first" "$last" "$W/offline_raw"
	"$INSOLED" --analyze "$W/frames.csv" --layout-dir "$DATA/layouts" >"$W/offline_export.out" 2>"$W/offline_export.err" ||
		fail "--analyze of the session export failed: $(cat "$W/offline_export.err")"
	head -n -1 "$W/offline_export.out" | jq -s -c 'map({foot, contact_us, toe_off_us})' >"$W/offline_export.json"
	jq -c '.steps | map({foot, contact_us, toe_off_us})' "$W/steps.json" >"$W/live.json"
	{ steps_diff "$W/offline_export.json" "session export" 0
	  steps_diff "$W/offline_digitised.json" "digitised recording" 5
	  steps_diff "$W/offline_raw.json" "recording" 100; } >"$W/steps.cmp"
	cat "$W/steps.cmp"
	! grep -qv '^ok ' "$W/steps.cmp" || fail "steps differ from the offline analysis"
	[ "$(jq length "$W/offline_raw.json")" -ge 10 ] || fail "only $(jq length "$W/offline_raw.json") steps: the walk was not walked"
}

walk() { # NAME SECONDS LEFT-SIGNAL-ARGS RIGHT-SIGNAL-ARGS RECORDING
	local name=$1 seconds=$2 left_signal=$3 right_signal=$4 recording=$5 id
	W=$test_tmp/$name
	mkdir -p "$W"
	echo "== $name: $seconds s of walking on two simulated boards"
	# shellcheck disable=SC2086
	start_board left left "$seconds" $left_signal
	# shellcheck disable=SC2086
	start_board right right "$seconds" $right_signal
	cat >"$W/insoled.conf" <<CONF
[daemon]
# room for the faster-than-life stream on a loaded machine
queue_frames = 20000
[device left]
port = $W/left
layout = gaitpdb8adc
foot = left
[device right]
port = $W/right
layout = gaitpdb8adc
foot = right
CONF
	start_insoled --config "$W/insoled.conf" --listen 127.0.0.1:0 --db "$W/fw.db" --data-dir "$DATA"
	for _ in $(seq 100); do
		status=$(api "$INSOLED_URL/api/status")
		[ "$(jq '[.devices[].protocol.frames > 0] | all and length == 2' <<<"$status")" = true ] && break
		sleep 0.1
	done
	id=$(api -X POST -H 'Content-Type: application/json' -d "{\"subject\":\"simboard-$name\"}" "$INSOLED_URL/api/sessions" | jq -r .id)
	[[ "$id" =~ ^[0-9]+$ ]] || fail "no session started: $(api "$INSOLED_URL/api/status" | jq -c .devices)"
	touch "$W/go"
	wait_all_frames
	api -o /dev/null -X POST "$INSOLED_URL/api/sessions/$id/stop"
	api -o "$W/frames.csv" "$INSOLED_URL/api/sessions/$id/export/frames.csv"
	api -o "$W/steps.json" "$INSOLED_URL/api/sessions/$id/steps"
	check_foot left
	check_foot right
	compare_steps "$recording"
	stop_insoled
	for p in $BOARDS; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	BOARDS=""
}

# The other builds and modes through `insoled --dump`: 5 s of the synthetic
# walk, every frame's counts as fed (channels beyond the 8 wired read 0),
# the clock exact, no fault counted.
dump_check() { # NAME ELF SIMBOARD-ARGS...
	local name=$1 elf=$2 dump_pid
	shift 2
	W=$test_tmp/$name
	mkdir -p "$W"
	"$SIMBOARD" --firmware "$elf" --foot right --seconds 5 --speed $SPEED --full-scale-n $FULL_SCALE_N \
		--synthetic "$W/walk.txt" --link "$W/board" --start-file "$W/go" --expect "$W/board.expect" \
		--stats "$W/board.stats" "$@" >"$W/board.out" 2>"$W/board.err" &
	BOARDS="$!"
	PIDS="$PIDS $!"
	for _ in $(seq 100); do [ -L "$W/board" ] && [ -s "$W/board.out" ] && break; sleep 0.1; done
	"$INSOLED" --dump "$W/board" >"$W/dump.out" 2>"$W/dump.err" &
	dump_pid=$!
	PIDS="$PIDS $dump_pid"
	touch "$W/go" # the board goes on once the dump has the pty open
	for _ in $(seq 600); do [ -s "$W/board.stats" ] && break; sleep 0.1; done
	[ -s "$W/board.stats" ] || fail "$name: the board did not finish: $(cat "$W/board.err")"
	[ "$(jq .drained "$W/board.stats")" = true ] || fail "$name: insoled --dump did not read everything the board sent"
	kill "$BOARDS"
	wait "$BOARDS" 2>/dev/null || true
	BOARDS=""
	for _ in $(seq 100); do kill -0 $dump_pid 2>/dev/null || break; sleep 0.1; done
	kill $dump_pid 2>/dev/null && fail "$name: insoled --dump did not stop when the board went away"
	tail -n 1 "$W/dump.out" | jq -e .counters >/dev/null || fail "$name: no counters from --dump: $(tail -n 2 "$W/dump.err")"
	bad=$(tail -n 1 "$W/dump.out" | jq -r '.counters.devices[0].protocol | to_entries | map(select((.key | test("^(crc_errors|resyncs|bad_headers|seq_gaps|frames_lost|duplicates|out_of_order|clock_jumps|bad_lines|overlong_lines|n_too_large)$")) and .value != 0)) | map("\(.key) \(.value)") | join(", ")')
	[ -z "$bad" ] || fail "$name: protocol faults: $bad"
	head -n -1 "$W/dump.out" | jq -r '"\(.seq) \(.t_us) \(.values | join(" "))"' |
		awk -v p=$PERIOD_US -v name="$name" -v scans="$(jq .scans "$W/board.stats")" 'FNR == NR { want[$1] = $0; next }
			n++ && ($1 != seq + 1 || $2 - t != p) { printf "%s: seq %s t_us %s after seq %s t_us %s\n", name, $1, $2, seq, t; exit 1 }
			{ seq = $1; t = $2; got = $2; for (i = 3; i <= 10; i++) got = got " " $i }
			NF > 10 { for (i = 11; i <= NF; i++) if ($i != 0) { printf "%s: t_us %s: unwired sensor %d reads %s\n", name, $2, i - 2, $i; exit 1 } }
			want[$2] != got { printf "%s: t_us %s carries %s, fed %s\n", name, $2, got, want[$2]; exit 1 }
			END { if (n < scans - 1 || n > scans) { printf "%s: %d frames for %d scans\n", name, n, scans; exit 1 }
				printf "%s: %d frames for %d scans", name, n, scans }' \
			"$W/board.expect" - >"$W/check" || fail "$(cat "$W/check")"
	echo "$(cat "$W/check"), counts as fed, t_us +$PERIOD_US every frame, $(tail -n 1 "$W/dump.out" | jq -c '.counters.devices[0].protocol | {crc_errors, bad_lines, seq_gaps, comment_lines}')"
}

dump_check "the shipped image (16 sensors, 8 wired)" "$ELF16" --mux
dump_check "ASCII lines (D3 jumper)" "$ELF" --mux --ascii
dump_check "8 sensors on the ADC pins" "$ELF_ADC"
DATA=$(make_data_dir)
walk synthetic 20 "--synthetic $test_tmp/synthetic/walk-left.txt" "--synthetic $test_tmp/synthetic/walk-right.txt" \
	"$test_tmp/synthetic/walk-left.txt"
gaitpdb=$SHARED_DATA/gaitpdb/GaCo01_01.txt
if [ -f "$gaitpdb" ]; then
	walk gaitpdb 30 "--recording $gaitpdb" "--recording $gaitpdb" "$gaitpdb"
else
	echo "note: $gaitpdb absent: the real walk was not simulated, only the synthetic one"
fi
echo "PASS: the simulated firmware's frames, clock and steps match"
