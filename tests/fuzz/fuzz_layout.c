/* libFuzzer target for layout files (users write their own): any bytes
 * must either load or fail with a "file..." message, and a layout that
 * loads must bind to the frame tables and the heatmap and give finite
 * metrics:
 *  - a loaded layout has 1..INS_MAX_SENSORS sensors, regions in range, an
 *    outline of at least 3 points and positive areas;
 *  - analysis_frame_ctx_new and ins_heatmap_new accept it, and a frame of any
 *    counts gives a finite, non-negative force and contact area.
 * Build: ./configure CC=clang --enable-fuzzing && make tests/fuzz/fuzz_layout */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "insoled/analysis.h"
#include "insoled/layout.h"
#include "../../daemon/analysis/frame_metrics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

/* The loader reads files; one scratch file per fuzzing process. */
static const char *scratch_path(void)
{
	static char path[64];

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/ins-fuzz-layout-%ld.layout", (long)getpid());
	return path;
}

static void exercise(const struct ins_layout *lay)
{
	char err[512];
	struct analysis_frame_ctx *ctx = analysis_frame_ctx_new(lay, NULL, err, sizeof(err));
	struct ins_heatmap *hm = ins_heatmap_new(lay, err, sizeof(err));
	uint16_t *counts = calloc(lay->n_sensors, sizeof(uint16_t));
	float *kpa = calloc(lay->n_sensors, sizeof(float));
	struct ins_frame_metrics m;
	unsigned w, h;

	check(ctx && hm && counts && kpa);
	for (unsigned i = 0; i < lay->n_sensors; i++)
		counts[i] = (uint16_t)(i * 2654435761u >> 16);
	analysis_frame_calibrate(ctx, counts, kpa);
	analysis_frame_compute(ctx, kpa, &m, NULL);
	check(isfinite(m.force_n) && m.force_n >= 0);
	check(lay->arbitrary_units || (isfinite(m.contact_area_mm2) && m.contact_area_mm2 >= 0));
	ins_heatmap_size(hm, &w, &h);
	{
		float *cells = malloc((size_t)w * h * sizeof(float));

		check(cells != NULL);
		ins_heatmap_render(hm, kpa, cells);
		free(cells);
	}
	analysis_frame_tare(ctx, counts);
	free(counts);
	free(kpa);
	ins_heatmap_free(hm);
	analysis_frame_ctx_free(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = scratch_path();
	struct ins_layout *lay;
	char err[512];
	FILE *f = fopen(path, "w");

	check(f != NULL);
	check(fwrite(data, 1, size, f) == size);
	fclose(f);
	err[0] = '\0';
	lay = ins_layout_load(path, err, sizeof(err));
	if (!lay) {
		check(strncmp(err, path, strlen(path)) == 0);
		return 0;
	}
	check(lay->n_sensors >= 1 && lay->n_sensors <= INS_MAX_SENSORS && lay->n_outline >= 3);
	for (unsigned i = 0; i < lay->n_sensors; i++)
		check(lay->sensors[i].region < INS_REGION_COUNT && lay->sensors[i].area_mm2 > 0);
	exercise(lay);
	ins_layout_free(lay);
	return 0;
}
