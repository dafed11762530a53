/* Store benchmark (make bench):
 *   1. sustained ingest into the raw archive, steps and summaries written
 *      too, in sensor-samples/s (target >= 20 million), for the dense
 *      1,260-cell pair and the 16-sensor pair;
 *   2. database bytes per hour of recording at 100 Hz per foot, measured by
 *      writing a full hour of synthetic walking for each layout;
 *   3. the writer thread's share of one CPU at real-time rates (1,260-cell
 *      pair at 200 Hz).
 * The frames come from the synthetic walker (realistic pressure patterns
 * and sensor noise), generated once and replayed with advancing counters
 * and clocks so the benchmark measures the store, not the model.
 * Environment: INS_BENCH_HOURS (default 1) scales part 2. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "insoled/clock.h"
#include "insoled/store.h"
#include "insoled/synth.h"

#define CYCLE_S 10.0         /* synthetic seconds generated, then replayed */
#define INGEST_SAMPLES 240e6 /* sensor-samples per ingest measurement (a few seconds) */
#define REALTIME_S 5.0       /* wall seconds of the real-time measurement */
#define STEP_EVERY 55        /* frames of one foot per step (~1.8 steps/s at 100 Hz) */

struct cycle {
	struct ins_layout *layout;
	unsigned n, frames;      /* frames per foot in the cycle */
	uint16_t *vals[INS_FOOT_COUNT];
	int64_t period_us;
	double rate_hz;
};

static void die(const char *what, const char *err)
{
	fprintf(stderr, "bench_store: %s: %s\n", what, err);
	exit(1);
}

static void make_cycle(struct cycle *c, const char *layout, double rate_hz)
{
	char err[256];
	struct ins_synth_params p;
	struct ins_synth *s;

	c->layout = ins_layout_load_named(INS_SRCDIR "/layouts", layout, err, sizeof(err));
	if (!c->layout)
		die(layout, err);
	ins_synth_defaults(&p);
	p.rate_hz = rate_hz;
	s = ins_synth_new(&p, c->layout, err, sizeof(err));
	if (!s)
		die("synth", err);
	c->n = c->layout->n_sensors;
	c->rate_hz = rate_hz;
	c->frames = (unsigned)(CYCLE_S * rate_hz);
	c->period_us = (int64_t)(CYCLE_S * 1e6);
	for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
		c->vals[f] = malloc((size_t)c->frames * c->n * sizeof(uint16_t));
		if (!c->vals[f])
			die("cycle", "out of memory");
	}
	for (unsigned k = 0; k < c->frames; k++)
		for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
			int64_t t;
			ins_synth_next(s, f, c->vals[f] + (size_t)k * c->n, &t);
		}
	ins_synth_free(s);
}

static void free_cycle(struct cycle *c)
{
	for (unsigned f = 0; f < INS_FOOT_COUNT; f++)
		free(c->vals[f]);
	ins_layout_free(c->layout);
}

static struct ins_store *open_store(const char *path, size_t queue)
{
	struct ins_error err;
	struct ins_store_config cfg = { .db_path = path, .sql_dir = INS_SRCDIR "/sql",
					.layout_dir = INS_SRCDIR "/layouts", .queue_frames = queue };
	struct ins_store *st;

	unlink(path);
	st = ins_store_open(&cfg, &err);
	if (!st)
		die(path, err.msg);
	return st;
}

static int64_t start(struct ins_store *st, const char *layout)
{
	struct ins_error err;
	int64_t id;
	struct ins_session_meta m = { .subject = "bench", .footwear = "model", .layout = { layout, layout },
				      .body_weight_n = 700 };

	if (ins_store_session_start(st, &m, &id, &err) < 0)
		die("session start", err.msg);
	return id;
}

static void stop(struct ins_store *st, int64_t id)
{
	struct ins_error err;

	if (ins_store_session_stop(st, id, &err) < 0)
		die("session stop", err.msg);
}

/* Frame k (counting both feet's frames of the recording from 0) of foot f. */
static void fill(const struct cycle *c, unsigned f, uint64_t k, struct ins_frame *fr)
{
	uint64_t in_cycle = k % c->frames;
	int64_t t = (int64_t)(k * 1e6 / c->rate_hz);

	fr->foot = (uint8_t)f;
	fr->n = (uint16_t)c->n;
	fr->seq = (uint32_t)k;
	fr->t_dev = (uint32_t)t;
	fr->t_us = t;
	fr->host_us = 1800000000000000LL + t + 150 * (int64_t)(k % 7); /* receive jitter */
	fr->values = c->vals[f] + in_cycle * c->n;
}

static void put_step(struct ins_store *st, int64_t id, unsigned f, uint64_t k)
{
	struct ins_step s = { .foot = (uint8_t)f, .index = (uint32_t)(k / STEP_EVERY),
			      .contact_us = (int64_t)k * 10000, .toe_off_us = (int64_t)k * 10000 + 600000 };

	for (unsigned m = 0; m < INS_M_COUNT; m++)
		s.m[m] = 100.0 + m + (double)(k % 97) / 7.0;
	while (ins_store_put_step(st, id, &s) == INS_EFULL)
		usleep(100);
}

/* Puts frames as fast as the queue takes them; returns frames per foot. */
static void ingest(struct ins_store *st, int64_t id, const struct cycle *c, uint64_t first, uint64_t count,
		   uint64_t *waits)
{
	struct ins_frame fr;

	for (uint64_t k = first; k < first + count; k++)
		for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
			fill(c, f, k, &fr);
			while (ins_store_put_frame(st, id, &fr) == INS_EFULL) {
				(*waits)++;
				usleep(200);
			}
			if (k % STEP_EVERY == STEP_EVERY - 1)
				put_step(st, id, f, k);
		}
}

static void bench_ingest(const char *layout, double rate_hz)
{
	char path[] = "/tmp/bench_store_ingest.db";
	struct cycle c;
	struct ins_store *st;
	struct ins_store_stats s;
	uint64_t frames, waits = 0;
	int64_t t0, t1;

	make_cycle(&c, layout, rate_hz);
	frames = (uint64_t)(INGEST_SAMPLES / (2.0 * c.n));
	st = open_store(path, 40000);
	int64_t id = start(st, layout);
	t0 = ins_mono_us();
	ingest(st, id, &c, 0, frames, &waits);
	stop(st, id); /* returns once everything is committed */
	t1 = ins_mono_us();
	ins_store_get_stats(st, &s);
	double secs = (double)(t1 - t0) / 1e6;
	double samples = (double)s.frames_written * c.n;
	printf("ingest %-10s %4u sensors x 2 feet: %llu frames + %llu steps + summary in %.2f s = "
	       "%.1f million sensor-samples/s (%.0f frames/s; %.0fx real time at %g Hz; %llu commits, "
	       "writer CPU %.2f s, producer waited on a full queue %llu times)\n",
	       layout, c.n, (unsigned long long)s.frames_written, (unsigned long long)s.steps_written, secs,
	       samples / secs / 1e6, (double)s.frames_written / secs,
	       (double)s.frames_written / secs / (2 * rate_hz), rate_hz, (unsigned long long)s.commits,
	       (double)s.writer_cpu_us / 1e6, (unsigned long long)waits);
	/* The producer retries what a full queue refused (counted as dropped by
	 * the store), so every frame must be in the database. */
	if (s.frames_written != 2 * frames)
		die("ingest", "frames were lost");
	ins_store_close(st);
	unlink(path);
	free_cycle(&c);
}

static int64_t file_bytes(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (int64_t)sb.st_size : 0;
}

static void bench_bytes_per_hour(const char *layout, double hours)
{
	char path[] = "/tmp/bench_store_size.db";
	struct cycle c;
	struct ins_store *st;
	uint64_t frames, waits = 0;
	int64_t empty, full;

	make_cycle(&c, layout, 100.0);
	st = open_store(path, 40000);
	ins_store_close(st);
	empty = file_bytes(path);
	st = open_store(path, 40000);
	empty = file_bytes(path) > empty ? file_bytes(path) : empty;
	int64_t id = start(st, layout);
	frames = (uint64_t)(hours * 3600.0 * 100.0);
	ingest(st, id, &c, 0, frames, &waits);
	stop(st, id);
	ins_store_close(st); /* checkpoints the WAL into the file */
	full = file_bytes(path);
	printf("size   %-10s %4u sensors x 2 feet at 100 Hz: %.2f h recorded -> %.1f MB database = "
	       "%.1f MB per hour (%.2f bytes per sensor-sample; raw 16-bit would be %.1f MB/h)\n",
	       layout, c.n, hours, (double)full / 1e6, (double)(full - empty) / hours / 1e6,
	       (double)(full - empty) / ((double)frames * 2 * c.n),
	       3600.0 * 100 * 2 * c.n * 2 / 1e6);
	unlink(path);
	free_cycle(&c);
}

static void bench_realtime_cpu(const char *layout, double rate_hz)
{
	char path[] = "/tmp/bench_store_rt.db";
	struct cycle c;
	struct ins_store *st;
	struct ins_store_stats s0, s1;
	struct ins_frame fr;
	uint64_t frames = (uint64_t)(REALTIME_S * rate_hz);
	int64_t t0, t1;

	make_cycle(&c, layout, rate_hz);
	st = open_store(path, 0);
	int64_t id = start(st, layout);
	ins_store_get_stats(st, &s0);
	t0 = ins_mono_us();
	for (uint64_t k = 0; k < frames; k++) {
		int64_t due = t0 + (int64_t)(k * 1e6 / rate_hz), now = ins_mono_us();
		if (due > now)
			usleep((useconds_t)(due - now));
		for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
			fill(&c, f, k, &fr);
			if (ins_store_put_frame(st, id, &fr) != INS_OK)
				die("realtime", "a frame was refused");
			if (k % STEP_EVERY == STEP_EVERY - 1)
				put_step(st, id, f, k);
		}
	}
	t1 = ins_mono_us();
	ins_store_get_stats(st, &s1);
	printf("cpu    %-10s %4u sensors x 2 feet at %g Hz in real time for %.1f s: writer thread used "
	       "%.3f s CPU = %.2f %% of one core (%llu commits)\n",
	       layout, c.n, rate_hz, (double)(t1 - t0) / 1e6, (double)(s1.writer_cpu_us - s0.writer_cpu_us) / 1e6,
	       100.0 * (double)(s1.writer_cpu_us - s0.writer_cpu_us) / (double)(t1 - t0),
	       (unsigned long long)(s1.commits - s0.commits));
	stop(st, id);
	ins_store_close(st);
	unlink(path);
	free_cycle(&c);
}

int main(void)
{
	const char *h = getenv("INS_BENCH_HOURS");
	double hours = h ? atof(h) : 1.0;

	if (!(hours > 0 && hours <= 24))
		die("INS_BENCH_HOURS", "expected 0 < hours <= 24");
	bench_ingest("grid60x21", 200.0);
	bench_ingest("fsr16", 100.0);
	bench_bytes_per_hour("fsr16", hours);
	bench_bytes_per_hour("grid60x21", hours);
	bench_realtime_cpu("grid60x21", 200.0);
	bench_realtime_cpu("fsr16", 100.0);
	return 0;
}
