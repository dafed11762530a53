/* insoled-emulator: the synthetic insole pair (synth.h) streamed as protocol
 * v1 over a pseudo-terminal (or stdout), with fault injection whose every
 * effect on a protocol parser is counted exactly (docs/emulator.md). */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "insoled/clock.h"
#include "insoled/datadir.h"
#include "insoled/protocol.h"
#include "insoled/random.h"

#include "emulator_priv.h"

#define LOG_PREFIX "emulator"

volatile sig_atomic_t emu_stop_requested;
static const char *const fault_names[FAULT_KINDS] = { "garbage", "bad_crc", "drop", "duplicate", "overlong" };

static void on_signal(int sig)
{
	(void)sig;
	emu_stop_requested = 1;
}

/* ---- random numbers for faults (splitmix64: small, seedable) ------------ */

uint64_t emu_random_below(struct emulator *e, uint64_t n)
{
	return n ? ins_splitmix64_next(&e->rng) % n : 0;
}

/* ---- fault schedule ------------------------------------------------------ */

static uint64_t total_frames(const struct options *o)
{
	if (o->frames)
		return o->frames;
	if (o->duration_s > 0)
		return (uint64_t)llround(o->duration_s * o->rate_hz);
	return 0;
}

static int frame_eligible(const struct emulator *e, uint64_t j, uint64_t horizon)
{
	if (j < FAULT_EDGE_FRAMES || j + FAULT_EDGE_FRAMES >= horizon)
		return 0;
	if (e->unplug_frame != UINT64_MAX && j + FAULT_EDGE_FRAMES >= e->unplug_frame &&
	    j < e->replug_frame + FAULT_EDGE_FRAMES)
		return 0;
	return 1;
}

/* Places every requested fault: the eligible frames are cut into equal
 * bins, one fault per bin at a random frame that leaves the bin's last
 * FAULT_MIN_SPACING - 1 frames clean, kinds in a shuffled order, feet at
 * random among those streamed. */
static int plan_faults(struct emulator *e)
{
	const struct options *o = &e->opt;
	unsigned counts[FAULT_KINDS] = { o->garbage, o->bad_crc, o->drop, o->duplicate, o->overlong };
	uint64_t total = total_frames(o), window, horizon, n_eligible = 0, *eligible = NULL;
	size_t k = 0, bin;
	unsigned feet[INS_FOOT_COUNT], n_feet = 0;

	for (unsigned f = 0; f < INS_FOOT_COUNT; f++)
		if (o->feet & (1u << f))
			feet[n_feet++] = f;
	for (int i = 0; i < FAULT_KINDS; i++)
		e->n_plan += counts[i];
	if (e->n_plan == 0)
		return 0;
	window = o->fault_window_s > 0 ? (uint64_t)llround(o->fault_window_s * o->rate_hz) : 0;
	if (total)
		horizon = window && window < total ? window : total;
	else
		horizon = window ? window : (uint64_t)llround(DEFAULT_FAULT_WINDOW_S * o->rate_hz);
	eligible = malloc(sizeof(*eligible) * (size_t)(horizon ? horizon : 1));
	e->plan = calloc(e->n_plan, sizeof(*e->plan));
	if (!eligible || !e->plan) {
		free(eligible);
		fprintf(stderr, "insoled-emulator: out of memory planning %zu faults\n", e->n_plan);
		return -1;
	}
	for (uint64_t j = 0; j < horizon; j++)
		if (frame_eligible(e, j, horizon))
			eligible[n_eligible++] = j;
	bin = (size_t)(n_eligible / e->n_plan);
	if (bin < FAULT_MIN_SPACING) {
		fprintf(stderr,
			"insoled-emulator: %zu faults do not fit in %llu frames (at most one per %d frames after the "
			"first and before the last %d and around an unplug): run longer or ask for fewer\n",
			e->n_plan, (unsigned long long)horizon, FAULT_MIN_SPACING, FAULT_EDGE_FRAMES);
		free(eligible);
		return -1;
	}
	for (int i = 0; i < FAULT_KINDS; i++)
		for (unsigned c = 0; c < counts[i]; c++)
			e->plan[k++].kind = (enum fault_kind)i;
	for (size_t i = e->n_plan - 1; i > 0; i--) { /* Fisher-Yates */
		size_t r = (size_t)emu_random_below(e, i + 1);
		enum fault_kind t = e->plan[i].kind;
		e->plan[i].kind = e->plan[r].kind;
		e->plan[r].kind = t;
	}
	for (size_t i = 0; i < e->n_plan; i++) {
		e->plan[i].frame = eligible[i * bin + emu_random_below(e, bin - (FAULT_MIN_SPACING - 1))];
		e->plan[i].foot = feet[emu_random_below(e, n_feet)];
	}
	free(eligible);
	return 0;
}

/* ---- faults ---------------------------------------------------------------- */

/* Garbage never holds the sync byte, a line start, CR or LF: the parser
 * skips it as one run (one resync) and finds the next frame intact. */
static int garbage_byte_ok(uint8_t c)
{
	return c != INS_PROTO_SYNC0 && c != 'L' && c != 'R' && c != '#' && !(c >= '0' && c <= '9') && c != '\r' &&
	       c != '\n';
}

static int inject_garbage(struct emulator *e)
{
	uint8_t burst[GARBAGE_MAX_BYTES];
	size_t n = 1 + (size_t)emu_random_below(e, GARBAGE_MAX_BYTES);

	for (size_t i = 0; i < n; i++) {
		uint8_t c;
		do
			c = (uint8_t)ins_splitmix64_next(&e->rng);
		while (!garbage_byte_ok(c));
		burst[i] = c;
	}
	e->garbage_bytes += n;
	e->expect.resyncs++;
	e->expect.garbage_bytes += n;
	return emu_write_all(e, burst, n);
}

/* An ASCII line longer than any parser configuration accepts
 * (INS_PROTO_LINE_MAX(INS_MAX_SENSORS)), made of data characters only. */
static int inject_overlong(struct emulator *e)
{
	size_t len = INS_PROTO_LINE_MAX(INS_MAX_SENSORS) + 64;
	char *line = malloc(len + 2);
	int rc;

	if (!line)
		return -1;
	line[0] = 'L';
	for (size_t i = 1; i < len; i++)
		line[i] = (i % 2) ? ',' : '0';
	if (e->opt.crlf)
		line[len++] = '\r';
	line[len++] = '\n';
	e->overlong_bytes += len;
	e->expect.overlong_lines++;
	e->expect.dropped_bytes += e->opt.crlf ? len - 1 : len; /* up to the first terminator */
	rc = emu_write_all(e, line, len);
	free(line);
	return rc;
}

/* Corrupts an encoded binary frame so that a parser counts exactly one CRC
 * error over all its bytes: the CRC is flipped, and no sync word may remain
 * inside the frame, nor a sync byte in its last place (the parser would
 * resume there, depending on where a read ends). */
static void corrupt_binary(uint8_t *b, size_t size)
{
	b[size - 2] ^= 0x01;
	for (;;) {
		for (size_t i = 1; i + 1 < size; i++)
			if (b[i] == INS_PROTO_SYNC0 && b[i + 1] == INS_PROTO_SYNC1)
				b[i + 1] ^= 0x01;
		if (b[size - 1] == INS_PROTO_SYNC0)
			b[size - 1] ^= 0x01;
		uint16_t crc = ins_crc16(INS_CRC16_INIT, b + 2, size - 4);
		if (crc != (uint16_t)(b[size - 2] | (b[size - 1] << 8)))
			return;
		b[size - 2] ^= 0x02; /* the scrub happened to fix the CRC: break it again */
	}
}

/* An empty field after the timestamp: the line is all data characters, so
 * a parser reads it to its end and counts one bad line. */
static size_t corrupt_ascii(uint8_t *b, size_t len, int bare)
{
	/* The timestamp ends at the first comma of a bare line, the third of a
	 * tagged one ("L,<seq>,<t_ms>,"). */
	unsigned commas = bare ? 1 : 3;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] == ',' && --commas == 0)
			break;
	if (i == len)
		return len;
	memmove(b + i + 1, b + i, len - i);
	return len + 1;
}

/* ---- frames ----------------------------------------------------------------- */

static uint32_t device_time(const struct emulator *e, int64_t t_us)
{
	uint64_t t = e->opt.clock_start_us + (uint64_t)t_us;

	return (uint32_t)(e->opt.ascii ? t / 1000 : t);
}

static size_t encode(struct emulator *e, unsigned foot, uint32_t seq, int64_t t_us)
{
	struct ins_frame f = {
		.foot = (uint8_t)foot, .n = e->layout->n_sensors, .seq = seq,
		.t_dev = device_time(e, t_us), .values = e->values,
	};

	if (e->opt.ascii)
		return ins_proto_encode_ascii(&f, (e->opt.crlf ? INS_PROTO_ASCII_CRLF : 0u) | (e->opt.bare ? INS_PROTO_ASCII_BARE : 0u),
					      (char *)e->buf, e->buf_cap);
	return ins_proto_encode_binary(&f, e->buf, e->buf_cap);
}

/* A valid frame reached the parser: settle the losses before it and note
 * clock wraps. */
static void expect_valid_frame(struct emulator *e, unsigned foot, uint32_t t_dev)
{
	struct foot_stats *fs = &e->foot[foot];

	e->expect.frames++;
	if (fs->pending_lost) {
		e->expect.seq_gaps++;
		e->expect.frames_lost += fs->pending_lost;
		fs->pending_lost = 0;
	}
	if (fs->have_last && t_dev < fs->last_t_dev)
		e->expect.clock_wraps++;
	fs->have_last = 1;
	fs->last_t_dev = t_dev;
}

static void note_fault(struct emulator *e, enum fault_kind kind, uint64_t frame, unsigned foot)
{
	json_t *o = json_pack("{s:I, s:s, s:s}", "frame", (json_int_t)frame, "foot", ins_foot_name(foot), "kind",
			      fault_names[kind]);

	e->injected[kind]++;
	if (o)
		json_array_append_new(e->injected_at, o);
}

static const struct planned_fault *fault_for(struct emulator *e, uint64_t frame, unsigned foot)
{
	while (e->next_plan < e->n_plan && e->plan[e->next_plan].frame < frame)
		e->next_plan++; /* planned inside an unplug or skipped: never injected */
	for (size_t i = e->next_plan; i < e->n_plan && e->plan[i].frame == frame; i++)
		if (e->plan[i].foot == foot)
			return &e->plan[i];
	return NULL;
}

static int send_frame(struct emulator *e, unsigned foot, uint64_t frame, uint32_t seq, int64_t t_us)
{
	struct foot_stats *fs = &e->foot[foot];
	const struct planned_fault *pf = fault_for(e, frame, foot);
	size_t len = encode(e, foot, seq, t_us);
	uint32_t t_dev = device_time(e, t_us);

	if (len == 0) {
		ins_err("cannot encode a frame of %u values", (unsigned)e->layout->n_sensors);
		return -1;
	}
	if (pf) {
		note_fault(e, pf->kind, frame, foot);
		switch (pf->kind) {
		case FAULT_GARBAGE:
			if (inject_garbage(e) < 0)
				return -1;
			break;
		case FAULT_OVERLONG:
			if (inject_overlong(e) < 0)
				return -1;
			break;
		case FAULT_DROP:
			fs->dropped++;
			fs->pending_lost += !e->opt.bare; /* bare lines have no seq: a loss is invisible */
			return 0;
		case FAULT_BAD_CRC:
			fs->corrupted++;
			fs->pending_lost += !e->opt.bare;
			if (e->opt.ascii) {
				len = corrupt_ascii(e->buf, len, e->opt.bare);
				e->expect.bad_lines++;
				e->expect.dropped_bytes += e->opt.crlf ? len - 1 : len;
			} else {
				corrupt_binary(e->buf, len);
				e->expect.crc_errors++;
				e->expect.crc_error_bytes += len;
			}
			return emu_emit(e, e->buf, len, 1);
		case FAULT_DUPLICATE:
			fs->duplicated++;
			e->expect.duplicates += !e->opt.bare; /* a repeated bare line is just another frame */
			break;
		case FAULT_KINDS:
			break;
		}
	}
	if (emu_emit(e, e->buf, len, 1) < 0)
		return -1;
	fs->sent++;
	expect_valid_frame(e, foot, t_dev);
	if (pf && pf->kind == FAULT_DUPLICATE) {
		if (e->opt.bare)
			expect_valid_frame(e, foot, t_dev);
		return emu_emit(e, e->buf, len, 1);
	}
	return 0;
}

/* ---- pacing ------------------------------------------------------------------ */

/* Sleeps until model time t_us is due in real time (times --speed); a
 * reader that blocked us for long restarts the schedule. */
static void pace(struct emulator *e, int64_t t_us)
{
	int64_t due, now;

	if (e->opt.speed <= 0)
		return;
	due = e->schedule_start_us + llround((double)t_us / e->opt.speed);
	now = ins_mono_us();
	if (now - due > MAX_LAG_US) {
		e->schedule_start_us += now - due;
		e->reanchors++;
		return;
	}
	while (!emu_stop_requested && (now = ins_mono_us()) < due)
		emu_pause_us(due - now);
}

static int run(struct emulator *e)
{
	uint64_t total = total_frames(&e->opt);
	uint32_t seq[INS_FOOT_COUNT] = { 0, 0 };
	int unplugged = 0;

	e->schedule_start_us = ins_mono_us();
	for (uint64_t j = 0; !emu_stop_requested && (total == 0 || j < total); j++) {
		int64_t t_us = 0;

		if (j == e->unplug_frame) {
			emu_unplug(e);
			unplugged = 1;
		} else if (j == e->replug_frame) {
			if (emu_replug(e) < 0)
				return -1;
			unplugged = 0;
		}
		for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
			if (!(e->opt.feet & (1u << f)))
				continue;
			ins_synth_next(e->synth, f, e->values, &t_us);
			e->foot[f].generated++;
			e->foot[f].last_t_us = t_us;
			if (f == INS_FOOT_LEFT || !(e->opt.feet & 1u))
				pace(e, t_us);
			if (emu_stop_requested)
				break;
			if (unplugged) {
				e->foot[f].lost_unplugged++;
				seq[f]++;
				continue;
			}
			if (send_frame(e, f, j, seq[f]++, t_us) < 0)
				return emu_stop_requested ? 0 : -1;
		}
		e->frames_done = j + 1;
	}
	e->complete = !emu_stop_requested;
	return 0;
}

/* ---- stats ------------------------------------------------------------------ */

/* The model's steps (ins_synth_truth) whose stance ended by the foot's last
 * generated frame: what a step detector that saw every frame counts. */
static json_int_t steps_completed(const struct emulator *e, unsigned foot)
{
	int64_t contact_us, toe_off_us;
	unsigned k = 0;

	if (!e->foot[foot].generated)
		return 0;
	while (ins_synth_truth(e->synth, foot, k, &contact_us, &toe_off_us) == 0 &&
	       toe_off_us <= e->foot[foot].last_t_us)
		k++;
	return (json_int_t)k;
}

static json_t *foot_json(const struct emulator *e, unsigned foot)
{
	const struct foot_stats *fs = &e->foot[foot];

	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "steps_completed", steps_completed(e, foot),
			 "frames_generated", (json_int_t)fs->generated,
			 "frames_sent", (json_int_t)fs->sent, "dropped", (json_int_t)fs->dropped, "bad_crc",
			 (json_int_t)fs->corrupted, "duplicated", (json_int_t)fs->duplicated, "lost_unplugged",
			 (json_int_t)fs->lost_unplugged);
}

static json_t *expect_json(const struct expected *x)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "frames",
			 (json_int_t)x->frames, "resyncs", (json_int_t)x->resyncs, "garbage_bytes",
			 (json_int_t)x->garbage_bytes, "crc_errors", (json_int_t)x->crc_errors, "crc_error_bytes",
			 (json_int_t)x->crc_error_bytes, "seq_gaps", (json_int_t)x->seq_gaps, "frames_lost",
			 (json_int_t)x->frames_lost, "duplicates", (json_int_t)x->duplicates, "overlong_lines",
			 (json_int_t)x->overlong_lines, "bad_lines", (json_int_t)x->bad_lines, "dropped_bytes",
			 (json_int_t)x->dropped_bytes, "clock_wraps", (json_int_t)x->clock_wraps);
}

static json_t *faults_json(const struct emulator *e)
{
	json_t *o = json_object();

	for (int i = 0; i < FAULT_KINDS; i++)
		json_object_set_new(o, fault_names[i], json_integer((json_int_t)e->injected[i]));
	json_object_set_new(o, "garbage_bytes", json_integer((json_int_t)e->garbage_bytes));
	json_object_set_new(o, "overlong_bytes", json_integer((json_int_t)e->overlong_bytes));
	json_object_set_new(o, "split_frames", json_integer((json_int_t)e->split_frames));
	json_object_set_new(o, "split_writes", json_integer((json_int_t)e->split_writes));
	json_object_set_new(o, "unplugs", json_integer((json_int_t)e->unplugs));
	json_object_set_new(o, "at", json_incref(e->injected_at));
	return o;
}

static json_t *stats_json(const struct emulator *e)
{
	json_t *feet = json_object();

	for (unsigned f = 0; f < INS_FOOT_COUNT; f++)
		if (e->opt.feet & (1u << f))
			json_object_set_new(feet, ins_foot_name(f), foot_json(e, f));
	return json_pack("{s:s, s:s, s:i, s:f, s:f, s:I, s:s, s:b, s:I, s:I, s:I, s:O, s:o, s:o, s:o}", "format",
			 e->opt.ascii ? "ascii" : "binary", "layout", e->layout->name, "n_sensors",
			 (int)e->layout->n_sensors, "rate_hz", e->opt.rate_hz, "speed", e->opt.speed, "seed",
			 (json_int_t)e->params.seed, "synth", e->opt.synth_args ? e->opt.synth_args : "", "complete",
			 e->complete, "frames_per_foot", (json_int_t)e->frames_done, "bytes_written",
			 (json_int_t)e->bytes_written, "schedule_restarts", (json_int_t)e->reanchors, "ptys", e->ptys,
			 "feet", feet, "faults", faults_json(e), "expect", expect_json(&e->expect));
}

/* Written to FILE.new, then renamed: a reader never sees half a file. */
static int write_stats(const struct emulator *e)
{
	char tmp[4096];
	json_t *j;
	int rc = -1;

	if (!e->opt.stats_path)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.new", e->opt.stats_path);
	j = stats_json(e);
	if (j && json_dump_file(j, tmp, JSON_INDENT(2) | JSON_SORT_KEYS) == 0 && rename(tmp, e->opt.stats_path) == 0)
		rc = 0;
	else
		ins_err("cannot write stats to %s: %s", e->opt.stats_path, strerror(errno));
	json_decref(j);
	return rc;
}

/* ---- setup ------------------------------------------------------------------ */

static struct ins_layout *load_layout(const struct options *o)
{
	char err[512], dir[PATH_MAX];
	struct ins_layout *l = NULL;
	size_t len = strlen(o->layout);

	if (strchr(o->layout, '/') || (len > 7 && strcmp(o->layout + len - 7, ".layout") == 0))
		l = ins_layout_load(o->layout, err, sizeof(err));
	else if (o->layout_dir)
		l = ins_layout_load_named(o->layout_dir, o->layout, err, sizeof(err));
	else if (ins_data_path(ins_data_dir_find(NULL), "layouts", dir, sizeof(dir), err, sizeof(err)) == 0)
		l = ins_layout_load_named(dir, o->layout, err, sizeof(err));
	if (!l)
		fprintf(stderr, "insoled-emulator: --layout %s: %s\n", o->layout, err);
	return l;
}

static int setup(struct emulator *e)
{
	char err[512];
	const struct options *o = &e->opt;

	e->fd = e->slave_fd = e->watch_fd = -1;
	e->unplug_frame = e->replug_frame = UINT64_MAX;
	e->ptys = json_array();
	e->injected_at = json_array();
	if (!(e->layout = load_layout(o)))
		return -1;
	ins_synth_defaults(&e->params);
	if (ins_synth_parse(&e->params, o->synth_args, err, sizeof(err)) < 0) {
		fprintf(stderr, "insoled-emulator: --synth: %s\n", err);
		return -1;
	}
	e->params.rate_hz = o->rate_hz;
	if (o->have_seed)
		e->params.seed = o->seed;
	if (!(e->synth = ins_synth_new(&e->params, e->layout, err, sizeof(err)))) {
		fprintf(stderr, "insoled-emulator: %s\n", err);
		return -1;
	}
	e->rng = e->params.seed ^ 0xFA017FA017ull;
	if (o->unplug_after_s > 0) {
		e->unplug_frame = (uint64_t)llround(o->unplug_after_s * o->rate_hz);
		e->replug_frame = e->unplug_frame + (uint64_t)llround(o->unplug_for_s * o->rate_hz);
		if (e->replug_frame == e->unplug_frame)
			e->replug_frame++;
	}
	if (plan_faults(e) < 0)
		return -1;
	/* The ASCII corruption inserts one byte. */
	e->buf_cap = (o->ascii ? INS_PROTO_ASCII_SIZE(e->layout->n_sensors) : INS_PROTO_BINARY_SIZE(e->layout->n_sensors)) + 1;
	e->buf = malloc(e->buf_cap);
	e->values = calloc(e->layout->n_sensors, sizeof(*e->values));
	if (!e->buf || !e->values || !e->ptys || !e->injected_at) {
		fprintf(stderr, "insoled-emulator: out of memory\n");
		return -1;
	}
	return 0;
}

static void teardown(struct emulator *e)
{
	if (!e->opt.to_stdout && e->slave_fd >= 0) {
		emu_wait_drained(e); /* a stop asked by a signal does not wait */
		emu_close_pty(e);
	}
	ins_synth_free(e->synth);
	ins_layout_free(e->layout);
	json_decref(e->ptys);
	json_decref(e->injected_at);
	free(e->plan);
	free(e->buf);
	free(e->values);
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: a blocked write returns to see the stop */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL); /* a reader of --stdout going away is an EPIPE, not a kill */
}

int main(int argc, char **argv)
{
	static struct emulator e;
	int rc = EXIT_FAILURE;

	if (emu_parse_args(&e.opt, argc, argv) < 0)
		return 2;
	install_signals();
	if (setup(&e) < 0)
		goto out;
	if (e.opt.to_stdout) {
		e.fd = STDOUT_FILENO;
	} else if (emu_open_pty(&e) < 0) {
		goto out;
	}
	if (run(&e) == 0)
		rc = EXIT_SUCCESS;
	if (write_stats(&e) < 0)
		rc = EXIT_FAILURE;
out:
	teardown(&e);
	return rc;
}
