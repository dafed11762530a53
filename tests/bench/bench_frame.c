/* Per-frame hot path speed: calibration (raw counts -> kPa) plus every
 * per-frame metric, for the 16-sensor and the 1,260-cell layouts, and
 * heatmap rendering.  Prints frames/s and sensor-samples/s per core.
 * `make bench` runs it. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "insoled/analysis.h"
#include "insoled/layout.h"
#include "../../daemon/analysis/frame_metrics.h"

#define BENCH_FRAMES 256      /* distinct frames cycled through, so the data is not one cached frame */
#define BENCH_SECONDS 1.0     /* CPU seconds per measurement: long enough for a stable figure */

/* This thread's CPU time: the figures are per core, and a busy build
 * machine preempting the benchmark must not count against it. */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Pseudo-random counts, half of the sensors unloaded as in stance. */
static void fill_counts(uint16_t *counts, size_t n, uint16_t saturation)
{
	uint64_t x = 88172645463325252ull;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		counts[i] = (x & 1) ? 0 : (uint16_t)((x >> 8) % saturation);
	}
}

/* mode 0: calibrate + metrics; 1: metrics only (kPa input, as from an importer) */
static int bench(const char *dir, const char *name, int mode)
{
	char err[512];
	struct ins_layout *lay = ins_layout_load_named(dir, name, err, sizeof(err));
	struct analysis_frame_ctx *ctx;
	struct ins_frame_metrics m;
	struct analysis_frame_extra x;
	uint16_t *counts;
	float *kpa, sink = 0;
	unsigned n;
	long frames = 0;
	double t0, t;

	if (!lay) {
		fprintf(stderr, "bench_frame: %s\n", err);
		return -1;
	}
	ctx = analysis_frame_ctx_new(lay, NULL, err, sizeof(err));
	if (!ctx) {
		fprintf(stderr, "bench_frame: %s\n", err);
		ins_layout_free(lay);
		return -1;
	}
	n = lay->n_sensors;
	counts = malloc((size_t)n * BENCH_FRAMES * sizeof(uint16_t));
	kpa = malloc((size_t)n * BENCH_FRAMES * sizeof(float));
	fill_counts(counts, (size_t)n * BENCH_FRAMES, lay->sensors[0].calib.saturation);
	for (unsigned f = 0; f < BENCH_FRAMES; f++)
		analysis_frame_calibrate(ctx, counts + (size_t)f * n, kpa + (size_t)f * n);
	t0 = now_s();
	do {
		for (unsigned f = 0; f < BENCH_FRAMES; f++) {
			float *p = kpa + (size_t)f * n;

			if (mode == 0)
				analysis_frame_calibrate(ctx, counts + (size_t)f * n, p);
			analysis_frame_compute(ctx, p, &m, &x);
			sink += m.force_n;
		}
		frames += BENCH_FRAMES;
		t = now_s() - t0;
	} while (t < BENCH_SECONDS);
	printf("%-10s %-22s %5u sensors: %12.0f frames/s %8.1f M sensor-samples/s (%.1f ns/frame)%s\n", name,
	       mode == 0 ? "calibrate + metrics" : "metrics (kPa input)", n, (double)frames / t,
	       (double)frames * n / t / 1e6, 1e9 * t / (double)frames, sink < 0 ? "!" : "");
	free(counts);
	free(kpa);
	analysis_frame_ctx_free(ctx);
	ins_layout_free(lay);
	return 0;
}

/* Heatmap rendering (the live view renders every published frame). */
static int bench_heatmap(const char *dir, const char *name)
{
	char err[512];
	struct ins_layout *lay = ins_layout_load_named(dir, name, err, sizeof(err));
	struct ins_heatmap *hm = lay ? ins_heatmap_new(lay, err, sizeof(err)) : NULL;
	float *kpa, *cells, sink = 0;
	unsigned w, h;
	long frames = 0;
	double t0, t;

	if (!hm) {
		fprintf(stderr, "bench_frame: %s\n", err);
		ins_layout_free(lay);
		return -1;
	}
	ins_heatmap_size(hm, &w, &h);
	kpa = calloc(lay->n_sensors, sizeof(float));
	cells = malloc((size_t)w * h * sizeof(float));
	for (unsigned i = 0; i < lay->n_sensors; i++)
		kpa[i] = (float)(i % 37) * 10.0f;
	t0 = now_s();
	do {
		for (int k = 0; k < 1000; k++) {
			ins_heatmap_render(hm, kpa, cells);
			sink += cells[w * h / 2];
		}
		frames += 1000;
		t = now_s() - t0;
	} while (t < BENCH_SECONDS);
	printf("%-10s %-22s %5u cells:   %12.0f renders/s (%.1f us/render)%s\n", name, "heatmap render", w * h,
	       (double)frames / t, 1e6 * t / (double)frames, sink < 0 ? "!" : "");
	free(kpa);
	free(cells);
	ins_heatmap_free(hm);
	ins_layout_free(lay);
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : INS_SRCDIR "/layouts";
	static const char *const names[] = { "fsr16", "moticon16", "grid60x21" };

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		for (int mode = 0; mode < 2; mode++)
			if (bench(dir, names[i], mode) < 0)
				return 1;
	if (bench_heatmap(dir, "fsr16") < 0 || bench_heatmap(dir, "grid60x21") < 0)
		return 1;
	return 0;
}
