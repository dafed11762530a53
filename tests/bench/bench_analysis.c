/* Whole-engine speed: raw frames -> calibration -> every per-frame metric ->
 * gait events -> step metrics, per core.  Prints frames/s and
 * sensor-samples/s for the 16-sensor and the 1,260-cell layouts walking,
 * and the time to re-analyse one hour of a 16-sensor pair at 100 Hz.
 * Frames come from the synthetic walking subject, generated before timing.
 * `make bench` runs it; targets: >= 200 M sensor-samples/s on the grid,
 * one hour well under 1 s. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "insoled/analysis.h"
#include "insoled/layout.h"
#include "insoled/synth.h"

#define RATE_HZ 100
#define CYCLE_SECONDS 20          /* synthetic walk replayed in a loop: 20 s = ~18 strides */
#define BENCH_SECONDS 1.0         /* CPU seconds per throughput measurement */
#define HOUR_FRAMES_PER_FOOT (3600 * RATE_HZ)

/* CPU time of this thread: "per core" figures that do not depend on what
 * else the machine runs (the build machine is shared). */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

struct recording {
	struct ins_layout *layout;
	unsigned n, frames;       /* sensors, frames per foot */
	uint16_t *counts;         /* [frame][foot][sensor] */
	int64_t period_us;        /* duration of the loop */
};

static int record(const char *dir, const char *name, struct recording *rec)
{
	char err[512];
	struct ins_synth_params p;
	struct ins_synth *syn;
	int64_t t;

	rec->layout = ins_layout_load_named(dir, name, err, sizeof err);
	if (!rec->layout) {
		fprintf(stderr, "bench_analysis: %s\n", err);
		return -1;
	}
	ins_synth_defaults(&p);
	p.rate_hz = RATE_HZ;
	syn = ins_synth_new(&p, rec->layout, err, sizeof err);
	if (!syn) {
		fprintf(stderr, "bench_analysis: %s\n", err);
		return -1;
	}
	rec->n = rec->layout->n_sensors;
	rec->frames = CYCLE_SECONDS * RATE_HZ;
	rec->period_us = (int64_t)CYCLE_SECONDS * 1000000;
	rec->counts = malloc((size_t)rec->frames * INS_FOOT_COUNT * rec->n * sizeof(uint16_t));
	if (!rec->counts)
		return -1;
	for (unsigned f = 0; f < rec->frames; f++)
		for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
			ins_synth_next(syn, foot, rec->counts + ((size_t)f * INS_FOOT_COUNT + foot) * rec->n, &t);
	ins_synth_free(syn);
	return 0;
}

/* Feed frames [from, from + count) per foot of the looped recording, on a
 * clock that keeps running across loops; returns the steps seen. */
static long replay(struct ins_analysis *ana, const struct recording *rec, long from, long count)
{
	struct ins_frame_metrics fm;
	struct ins_step st;
	long steps = 0;

	for (long k = from; k < from + count; k++) {
		unsigned f = (unsigned)(k % rec->frames);
		int64_t t_us = (k / rec->frames) * rec->period_us + (int64_t)f * (1000000 / RATE_HZ);
		for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
			struct ins_frame fr = {
				.foot = (uint8_t)foot, .n = (uint16_t)rec->n, .seq = (uint32_t)k, .t_us = t_us,
				.values = rec->counts + ((size_t)f * INS_FOOT_COUNT + foot) * rec->n,
			};
			ins_analysis_feed(ana, &fr, &fm);
			while (ins_analysis_next_step(ana, &st))
				steps++;
		}
	}
	return steps;
}

static struct ins_analysis *engine(const struct recording *rec)
{
	struct ins_analysis_config cfg = { .layout = { rec->layout, rec->layout }, .body_weight_n = 700 };
	char err[512];
	struct ins_analysis *ana = ins_analysis_new(&cfg, err, sizeof err);

	if (!ana)
		fprintf(stderr, "bench_analysis: %s\n", err);
	return ana;
}

static int throughput(const struct recording *rec)
{
	struct ins_analysis *ana = engine(rec);
	long frames = 0, steps = 0;
	double t0, t;

	if (!ana)
		return -1;
	t0 = now_s();
	do {
		steps += replay(ana, rec, frames, rec->frames);
		frames += rec->frames;
		t = now_s() - t0;
	} while (t < BENCH_SECONDS);
	frames *= INS_FOOT_COUNT;
	printf("%-10s %5u sensors/foot, both feet, raw -> steps: %10.0f frames/s %8.1f M sensor-samples/s "
	       "per core (%.0f ns CPU/frame, %ld steps)\n",
	       rec->layout->name, rec->n, (double)frames / t, (double)frames * rec->n / t / 1e6,
	       1e9 * t / (double)frames, steps);
	ins_analysis_free(ana);
	return 0;
}

static int one_hour(const struct recording *rec)
{
	struct ins_analysis *ana = engine(rec);
	double t0, t;
	long steps;

	if (!ana)
		return -1;
	t0 = now_s();
	steps = replay(ana, rec, 0, HOUR_FRAMES_PER_FOOT);
	t = now_s() - t0;
	printf("%-10s re-analysis of 1 h, both feet at %d Hz (%d frames): %.3f s CPU (%ld steps)\n", rec->layout->name,
	       RATE_HZ, 2 * HOUR_FRAMES_PER_FOOT, t, steps);
	ins_analysis_free(ana);
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : INS_SRCDIR "/layouts";
	static const char *const names[] = { "fsr16", "grid60x21" };
	int rc = 0;

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]) && rc == 0; i++) {
		struct recording rec = { 0 };
		rc = record(dir, names[i], &rec);
		if (rc == 0)
			rc = throughput(&rec);
		if (rc == 0 && i == 0)
			rc = one_hour(&rec);
		free(rec.counts);
		ins_layout_free(rec.layout);
	}
	return rc == 0 ? 0 : 1;
}
