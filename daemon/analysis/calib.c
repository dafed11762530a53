/* Calibration: raw counts -> kPa per sensor (tare, linear, FSR power law,
 * multi-weight table, body-weight scale). */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "calib.h"
#include "frame_ctx.h"

/* Piecewise linear through the table, extrapolated along the end segments
 * (docs/layouts.md; the synthetic insole inverts exactly this). */
static double table_eval(const struct ins_calib_curve *c, double d)
{
	unsigned i = 0;

	while (i + 2 < c->n_points && d > c->table_counts[i + 1])
		i++;
	return c->table_kpa[i] + (d - c->table_counts[i]) * (c->table_kpa[i + 1] - c->table_kpa[i]) /
					 (c->table_counts[i + 1] - c->table_counts[i]);
}

double analysis_calib_eval(const struct ins_calib_curve *c, double counts)
{
	double d = (counts < c->saturation ? counts : c->saturation) - c->zero;
	double kpa;

	if (!(d > 0))
		return 0;
	switch (c->kind) {
	case INS_CALIB_POWER:
		kpa = c->gain * pow(d, c->exponent);
		break;
	case INS_CALIB_TABLE:
		kpa = table_eval(c, d);
		break;
	default:
		kpa = c->gain * d;
		break;
	}
	return kpa > 0 ? kpa : 0;
}

void analysis_frame_calib_rebuild(struct analysis_frame_ctx *ctx)
{
	for (unsigned i = 0; i < ctx->n; i++) {
		const struct ins_calib_curve *c = &ctx->curves[i];

		ctx->sat[i] = c->saturation;
		ctx->satf[i] = c->saturation;
		ctx->zero[i] = (float)c->zero;
		ctx->gain[i] = (float)(c->gain * ctx->scale);
		if (ctx->all_linear) {
			/* The same float expression as the per-frame path, so counts at
			 * saturation compare equal to sat_kpa. */
			ctx->sat_kpa[i] = analysis_linear_kpa((float)c->saturation, ctx->zero[i], ctx->gain[i]);
		} else if (ctx->lut) {
			float *lut = ctx->lut + ctx->lut_off[i];

			for (unsigned k = 0; k <= c->saturation; k++)
				lut[k] = (float)(analysis_calib_eval(c, k) * ctx->scale);
			ctx->sat_kpa[i] = lut[c->saturation];
		} else {
			ctx->sat_kpa[i] = (float)(analysis_calib_eval(c, c->saturation) * ctx->scale);
		}
	}
}

/* Four sensors at a time; the tail computes the same float operations. */
static void calibrate_linear(const struct analysis_frame_ctx *ctx, const uint16_t *counts, float *kpa)
{
	const float *zero = ctx->zero, *gain = ctx->gain, *satf = ctx->satf;
	const analysis_v4f nil = { 0, 0, 0, 0 };
	unsigned n = ctx->n, i = 0;

	for (; i + 4 <= n; i += 4) {
		analysis_v4u16 cu;
		analysis_v4f c, sat, v;

		__builtin_memcpy(&cu, counts + i, sizeof(cu));
		/* via int32 lanes: one unpack and one packed conversion on SSE2 */
		c = __builtin_convertvector(__builtin_convertvector(cu, analysis_v4i), analysis_v4f);
		sat = analysis_v4f_load(satf + i);
		c = analysis_v4f_min(c, sat);
		v = (c - analysis_v4f_load(zero + i)) * analysis_v4f_load(gain + i);
		analysis_v4f_store(kpa + i, analysis_v4f_max(v, nil));
	}
	for (; i < n; i++) {
		float c = counts[i] < satf[i] ? (float)counts[i] : satf[i];

		kpa[i] = analysis_linear_kpa(c, zero[i], gain[i]);
	}
}

void analysis_frame_calibrate_sensors(const struct analysis_frame_ctx *ctx, const uint16_t *counts, float *kpa)
{
	unsigned n = ctx->n;

	if (ctx->all_linear) {
		calibrate_linear(ctx, counts, kpa);
	} else if (ctx->lut) {
		for (unsigned i = 0; i < n; i++) {
			uint16_t c = counts[i] < ctx->sat[i] ? counts[i] : ctx->sat[i];

			kpa[i] = ctx->lut[ctx->lut_off[i] + c];
		}
	} else {
		for (unsigned i = 0; i < n; i++)
			kpa[i] = (float)(analysis_calib_eval(&ctx->curves[i], counts[i]) * ctx->scale);
	}
}

unsigned analysis_frame_clean_kpa(float *kpa, unsigned n)
{
	unsigned replaced = 0;

	for (unsigned i = 0; i < n; i++) {
		if (!(kpa[i] >= 0) || isinf(kpa[i])) {
			kpa[i] = 0;
			replaced++;
		}
	}
	return replaced;
}

void analysis_frame_tare(struct analysis_frame_ctx *ctx, const uint16_t *counts)
{
	for (unsigned i = 0; i < ctx->n; i++) {
		struct ins_calib_curve *c = &ctx->curves[i];

		/* A sensor resting at saturation keeps one count of range, so it
		 * still reads (and is flagged) saturated rather than silently 0. */
		c->zero = counts[i] < c->saturation ? counts[i] : c->saturation - 1;
	}
	analysis_frame_calib_rebuild(ctx);
}

int analysis_calib_body_weight_scale(double measured_force_n, double body_weight_n, double *scale,
				char *err, size_t errlen)
{
	double s;

	if (!(body_weight_n > 0) || !isfinite(body_weight_n)) {
		snprintf(err, errlen, "body_weight_n: must be > 0, got %g", body_weight_n);
		return -1;
	}
	if (!(measured_force_n > 0) || !isfinite(measured_force_n)) {
		snprintf(err, errlen, "measured force %g N: the foot is not loaded", measured_force_n);
		return -1;
	}
	s = body_weight_n / measured_force_n;
	if (s < INS_BW_SCALE_MIN || s > INS_BW_SCALE_MAX) {
		snprintf(err, errlen,
			 "measured force %.1f N for body weight %.1f N gives scale %.3f, outside %.1f..%.1f: "
			 "stand still on this foot alone",
			 measured_force_n, body_weight_n, s, INS_BW_SCALE_MIN, INS_BW_SCALE_MAX);
		return -1;
	}
	*scale = s;
	return 0;
}

int analysis_frame_set_scale(struct analysis_frame_ctx *ctx, double scale)
{
	if (!(scale >= INS_BW_SCALE_MIN && scale <= INS_BW_SCALE_MAX))
		return -1;
	ctx->scale = scale;
	analysis_frame_calib_rebuild(ctx);
	return 0;
}

double analysis_frame_scale(const struct analysis_frame_ctx *ctx)
{
	return ctx->scale;
}

const struct ins_calib_curve *analysis_frame_ctx_curves(const struct analysis_frame_ctx *ctx)
{
	return ctx->curves;
}
