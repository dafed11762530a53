/* Per-foot calibration and per-frame metrics: the hot loop under the
 * analysis engine (module-internal; the engine in engine.c owns one
 * analysis_frame_ctx per foot).  Everything is precomputed in analysis_frame_ctx_new();
 * the per-frame functions neither allocate nor lock.  The context is in
 * frame_ctx.h, the calibration of a frame in calib.h. */
#ifndef INSOLED_FRAME_METRICS_H
#define INSOLED_FRAME_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "insoled/analysis.h"
#include "insoled/layout.h"
#include "calib.h"
#include "frame_ctx.h"

/* A sensor is "in contact" above this pressure: 10 kPa sits above the noise
 * floor of FSR and capacitive insoles and is the usual plantar-pressure
 * contact threshold, so contact area means what podiatrists expect. */
#define INS_CONTACT_KPA 10.0f

struct analysis_frame_ctx;

/* curves: n_sensors per-sensor curves (e.g. a session's recorded
 * calibration), or NULL for the layout's defaults; both are copied.  The
 * layout must outlive the context. */
struct analysis_frame_ctx *analysis_frame_ctx_new(const struct ins_layout *layout, const struct ins_calib_curve *curves,
					char *err, size_t errlen);
void analysis_frame_ctx_free(struct analysis_frame_ctx *ctx);

/* ---- per-frame metrics (frame_metrics.c) ------------------------------ */

/* What the step metrics need beyond struct ins_frame_metrics: NaN for a
 * region without sensors (not measured, rather than 0 kPa). */
struct analysis_frame_extra {
	float region_peak_kpa[INS_REGION_COUNT]; /* highest sensor in the region */
};

/* Fills force_n, cop_*, contact_area_mm2, peak_kpa, region_force_n,
 * side_force_n and n_saturated of *out (foot, event, in_stance and t_us are
 * the caller's), and *extra when not NULL.  kpa: n_sensors finite values
 * >= 0 (analysis_frame_calibrate output, or analysis_frame_clean_kpa'd).  The CoP
 * counts only sensors above their noise floor (analysis_frame_learn_noise) and
 * is NaN when none is.  Arbitrary-unit layouts: force_n and peak_kpa are in
 * the raw units and contact areas are NaN. */
void analysis_frame_compute(const struct analysis_frame_ctx *ctx, const float *kpa, struct ins_frame_metrics *out,
		       struct analysis_frame_extra *extra);

/* analysis_frame_force() of any layout. */
float analysis_frame_force_runs(const struct analysis_frame_ctx *ctx, const float *kpa, unsigned *n_saturated);

/* The force_n and n_saturated that analysis_frame_compute() gives, bit for
 * bit, and nothing else: all that the steps of an arbitrary-unit layout
 * use (they have no pressure, area, CoP or region loads).  One sensor (a
 * footswitch) inline: its one run's sum from 0, added to a force of 0, as
 * the runs are summed. */
static inline float analysis_frame_force(const struct analysis_frame_ctx *ctx, const float *kpa,
					 unsigned *n_saturated)
{
	if (ctx->n == 1) {
		float v = kpa[0];

		*n_saturated = v >= ctx->sat_kpa[0];
		return 0.0f + (0.0f + v * ctx->w[0]);
	}
	return analysis_frame_force_runs(ctx, kpa, n_saturated);
}

/* Per-sensor noise floor of the centre of pressure.  A dense grid's
 * unloaded cells read positive noise (negative readings clip at zero);
 * summed over a thousand cells it outweighs the few loaded ones at light
 * load and pulls the CoP to the middle of the foot.  Each sensor's floor
 * is the mean + INS_NOISE_FLOOR_SD standard deviations of what it read
 * while the foot was unloaded, learned from such frames (the caller knows
 * them: the gait events), averaged over the last ~INS_NOISE_FLOOR_FRAMES.
 * Before any unloaded frame, and for a noiseless sensor, the floor is 0:
 * every loaded sensor counts.  Calibrated dense grids only: on an insole of
 * 8-16 sensors the noise of the few unloaded ones is small against the
 * load, and vendors compute the CoP over every sensor (the Moticon export's
 * own CoP is reproduced to 2e-4 of the foot's size that way). */
#define INS_NOISE_FLOOR_SD 6.0f
#define INS_NOISE_FLOOR_FRAMES 64u
/* kpa: one frame of the foot unloaded. */
void analysis_frame_learn_noise(struct analysis_frame_ctx *ctx, const float *kpa);

#endif
