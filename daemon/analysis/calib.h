/* Calibration of a frame (calib.c): raw counts -> kPa per sensor through
 * each sensor's curve, tare and body-weight scale, on the tables of a
 * frame context (frame_ctx.h).  Module-internal. */
#ifndef INSOLED_ANALYSIS_CALIB_H
#define INSOLED_ANALYSIS_CALIB_H

#include <stddef.h>
#include <stdint.h>

#include "insoled/analysis.h"
#include "frame_ctx.h"

/* Body-weight scaling factors outside this range mean the foot was not
 * standing still on its own (or the body weight is wrong): refuse them. */
#define INS_BW_SCALE_MIN 0.2
#define INS_BW_SCALE_MAX 5.0

struct analysis_frame_ctx;

/* One curve: counts -> kPa (or arbitrary units).  Every kind is evaluated on
 * d = min(counts, saturation) - zero (table points are counts above zero);
 * d <= 0 gives 0, and the result is never negative.  Saturated counts give
 * the curve's value at saturation. */
double analysis_calib_eval(const struct ins_calib_curve *c, double counts);

/* A linear curve at counts already clipped at saturation (the float
 * operations of every path, so that saturation compares equal to sat_kpa). */
static inline float analysis_linear_kpa(float counts, float zero, float gain)
{
	float v = (counts - zero) * gain;

	return v > 0 ? v : 0;
}

/* analysis_frame_calibrate() of any layout. */
void analysis_frame_calibrate_sensors(const struct analysis_frame_ctx *ctx, const uint16_t *counts, float *kpa);

/* Raw counts -> kPa for a whole frame (n_sensors values), body-weight scale
 * applied.  Linear curves are computed; power and table curves use a
 * per-sensor lookup table built by analysis_frame_ctx_new().  One linear
 * sensor (a footswitch) inline, without the loops and vector set-up. */
static inline void analysis_frame_calibrate(const struct analysis_frame_ctx *ctx, const uint16_t *counts,
					    float *kpa)
{
	if (ctx->n == 1 && ctx->all_linear) {
		float c = counts[0] < ctx->satf[0] ? (float)counts[0] : ctx->satf[0];

		kpa[0] = analysis_linear_kpa(c, ctx->zero[0], ctx->gain[0]);
		return;
	}
	analysis_frame_calibrate_sensors(ctx, counts, kpa);
}

/* Pressures from an importer or a float archive: NaN, infinities and
 * negative values become 0 (a missing sample must not poison the force sum).
 * Returns how many values were replaced. */
unsigned analysis_frame_clean_kpa(float *kpa, unsigned n);

/* Tare: each sensor's zero becomes its count in `counts` (the foot must be
 * unloaded: the caller's job).  Rebuilds the lookup tables; no allocation. */
void analysis_frame_tare(struct analysis_frame_ctx *ctx, const uint16_t *counts);

/* Body-weight scaling: scale = body weight / force measured while standing
 * still on this foot alone.  Returns 0, or -1 (err says why) when either is
 * not positive or the factor falls outside [INS_BW_SCALE_MIN, INS_BW_SCALE_MAX]. */
int analysis_calib_body_weight_scale(double measured_force_n, double body_weight_n, double *scale,
				char *err, size_t errlen);
/* Multiplies every calibrated pressure (1 = none).  Returns 0, or -1 and
 * keeps the old scale when scale is outside [INS_BW_SCALE_MIN, INS_BW_SCALE_MAX]. */
int analysis_frame_set_scale(struct analysis_frame_ctx *ctx, double scale);
double analysis_frame_scale(const struct analysis_frame_ctx *ctx);

/* The curves in use (tare included), n_sensors of them: what a session
 * records as its calibration. */
const struct ins_calib_curve *analysis_frame_ctx_curves(const struct analysis_frame_ctx *ctx);

/* calib.c: fill the calibration arrays from curves and scale (no allocation). */
void analysis_frame_calib_rebuild(struct analysis_frame_ctx *ctx);

#endif
