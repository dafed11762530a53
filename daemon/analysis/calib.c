/* Calibration: raw counts -> kPa per sensor (tare, linear, FSR power law,
 * multi-weight table, body-weight scale) and sensor health flags. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "frame_metrics.h"

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

double ins_calib_eval(const struct ins_calib_curve *c, double counts)
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

static float linear_kpa(float counts, float zero, float gain)
{
	float v = (counts - zero) * gain;

	return v > 0 ? v : 0;
}

void ins_frame_calib_rebuild(struct ins_frame_ctx *ctx)
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
			ctx->sat_kpa[i] = linear_kpa((float)c->saturation, ctx->zero[i], ctx->gain[i]);
		} else if (ctx->lut) {
			float *lut = ctx->lut + ctx->lut_off[i];

			for (unsigned k = 0; k <= c->saturation; k++)
				lut[k] = (float)(ins_calib_eval(c, k) * ctx->scale);
			ctx->sat_kpa[i] = lut[c->saturation];
		} else {
			ctx->sat_kpa[i] = (float)(ins_calib_eval(c, c->saturation) * ctx->scale);
		}
	}
}

/* Four sensors at a time; the tail computes the same float operations. */
static void calibrate_linear(const struct ins_frame_ctx *ctx, const uint16_t *counts, float *kpa)
{
	const float *zero = ctx->zero, *gain = ctx->gain, *satf = ctx->satf;
	const ins_v4f nil = { 0, 0, 0, 0 };
	unsigned n = ctx->n, i = 0;

	for (; i + 4 <= n; i += 4) {
		ins_v4u16 cu;
		ins_v4f c, sat, v;

		__builtin_memcpy(&cu, counts + i, sizeof(cu));
		/* via int32 lanes: one unpack and one packed conversion on SSE2 */
		c = __builtin_convertvector(__builtin_convertvector(cu, ins_v4i), ins_v4f);
		sat = ins_v4f_load(satf + i);
		c = ins_v4f_select(c < sat, c, sat);
		v = (c - ins_v4f_load(zero + i)) * ins_v4f_load(gain + i);
		ins_v4f_store(kpa + i, ins_v4f_select(v > nil, v, nil));
	}
	for (; i < n; i++) {
		float c = counts[i] < satf[i] ? (float)counts[i] : satf[i];

		kpa[i] = linear_kpa(c, zero[i], gain[i]);
	}
}

void ins_frame_calibrate(const struct ins_frame_ctx *ctx, const uint16_t *counts, float *kpa)
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
			kpa[i] = (float)(ins_calib_eval(&ctx->curves[i], counts[i]) * ctx->scale);
	}
}

unsigned ins_frame_clean_kpa(float *kpa, unsigned n)
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

void ins_frame_tare(struct ins_frame_ctx *ctx, const uint16_t *counts)
{
	for (unsigned i = 0; i < ctx->n; i++) {
		struct ins_calib_curve *c = &ctx->curves[i];

		/* A sensor resting at saturation keeps one count of range, so it
		 * still reads (and is flagged) saturated rather than silently 0. */
		c->zero = counts[i] < c->saturation ? counts[i] : c->saturation - 1;
	}
	ins_frame_calib_rebuild(ctx);
}

int ins_calib_body_weight_scale(double measured_force_n, double body_weight_n, double *scale,
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

int ins_frame_set_scale(struct ins_frame_ctx *ctx, double scale)
{
	if (!(scale >= INS_BW_SCALE_MIN && scale <= INS_BW_SCALE_MAX))
		return -1;
	ctx->scale = scale;
	ins_frame_calib_rebuild(ctx);
	return 0;
}

double ins_frame_scale(const struct ins_frame_ctx *ctx)
{
	return ctx->scale;
}

const struct ins_calib_curve *ins_frame_ctx_curves(const struct ins_frame_ctx *ctx)
{
	return ctx->curves;
}

/* ---- sensor health ---------------------------------------------------- */

struct ins_sensor_health {
	const struct ins_frame_ctx *ctx;
	uint32_t steps, swing_frames;
	uint32_t *loaded_steps, *saturated_steps, *swing_loaded;
	/* Steps in which the sensor stayed below contact while every one of its
	 * neighbours was clearly loaded: the only evidence of a dead sensor. */
	uint32_t *silent_steps;
	/* Up to INS_HEALTH_NEIGHBOURS neighbours per sensor, nb[i * K ..]. */
	uint16_t *nb;
	uint8_t *n_nb;
};

/* Inserts candidate j at distance d2 into sensor i's list, kept nearest
 * first; ties keep the lower index, so the neighbours are reproducible. */
static void nearest_insert(uint16_t *nb, float *nb_d2, uint8_t *count, uint16_t j, float d2)
{
	unsigned k = *count;

	if (k == INS_HEALTH_NEIGHBOURS) {
		if (!(d2 < nb_d2[k - 1]))
			return;
		k--;
	} else {
		(*count)++;
	}
	while (k > 0 && d2 < nb_d2[k - 1]) {
		nb[k] = nb[k - 1];
		nb_d2[k] = nb_d2[k - 1];
		k--;
	}
	nb[k] = j;
	nb_d2[k] = d2;
}

/* Sparse layouts: each sensor's INS_HEALTH_NEIGHBOURS nearest sensors
 * (fewer when the layout has fewer others).  O(n^2) once at creation. */
static void find_nearest(struct ins_sensor_health *h, const struct ins_layout *l)
{
	float d2s[INS_HEALTH_NEIGHBOURS];

	for (unsigned i = 0; i < l->n_sensors; i++) {
		for (unsigned j = 0; j < l->n_sensors; j++) {
			float dx = l->sensors[j].x_mm - l->sensors[i].x_mm;
			float dy = l->sensors[j].y_mm - l->sensors[i].y_mm;

			if (j != i)
				nearest_insert(h->nb + (size_t)i * INS_HEALTH_NEIGHBOURS, d2s, &h->n_nb[i],
					       (uint16_t)j, dx * dx + dy * dy);
		}
	}
}

/* Dense grids: the cells that share an edge with each cell (4 inside, 3 on
 * a border, 2 in a corner), straight from the grid indices. */
static void find_adjacent(struct ins_sensor_health *h, const struct ins_layout *l)
{
	static const int step[4][2] = { { 0, -1 }, { -1, 0 }, { 1, 0 }, { 0, 1 } };

	for (unsigned i = 0; i < l->n_sensors; i++) {
		int col = (int)(i % l->grid_w), row = (int)(i / l->grid_w);

		for (unsigned k = 0; k < 4; k++) {
			int c = col + step[k][0], r = row + step[k][1];

			if (c >= 0 && c < l->grid_w && r >= 0 && r < l->grid_h)
				h->nb[(size_t)i * INS_HEALTH_NEIGHBOURS + h->n_nb[i]++] =
					(uint16_t)(r * l->grid_w + c);
		}
	}
}

struct ins_sensor_health *ins_sensor_health_new(const struct ins_frame_ctx *ctx)
{
	struct ins_sensor_health *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->ctx = ctx;
	h->loaded_steps = calloc(ctx->n, sizeof(uint32_t));
	h->saturated_steps = calloc(ctx->n, sizeof(uint32_t));
	h->swing_loaded = calloc(ctx->n, sizeof(uint32_t));
	h->silent_steps = calloc(ctx->n, sizeof(uint32_t));
	h->nb = calloc((size_t)ctx->n * INS_HEALTH_NEIGHBOURS, sizeof(uint16_t));
	h->n_nb = calloc(ctx->n, sizeof(uint8_t));
	if (!h->loaded_steps || !h->saturated_steps || !h->swing_loaded || !h->silent_steps || !h->nb ||
	    !h->n_nb) {
		ins_sensor_health_free(h);
		return NULL;
	}
	if (ctx->layout->is_grid && (size_t)ctx->layout->grid_w * ctx->layout->grid_h == ctx->n)
		find_adjacent(h, ctx->layout);
	else
		find_nearest(h, ctx->layout);
	return h;
}

void ins_sensor_health_free(struct ins_sensor_health *h)
{
	if (!h)
		return;
	free(h->loaded_steps);
	free(h->saturated_steps);
	free(h->swing_loaded);
	free(h->silent_steps);
	free(h->nb);
	free(h->n_nb);
	free(h);
}

/* Every neighbour above INS_HEALTH_NEIGHBOUR_LOAD contacts: the least
 * loaded one decides, so a sensor at the edge of the loaded area (arch,
 * border of the foot, between toes), which always has a quiet neighbour,
 * is never held to account.  No neighbours: nothing to judge against. */
static int neighbourhood_loaded(const struct ins_sensor_health *h, unsigned i, const float *peak)
{
	const uint16_t *nb = h->nb + (size_t)i * INS_HEALTH_NEIGHBOURS;
	float loaded = INS_HEALTH_NEIGHBOUR_LOAD * h->ctx->contact_kpa;

	if (h->n_nb[i] == 0)
		return 0;
	for (unsigned k = 0; k < h->n_nb[i]; k++)
		if (!(peak[nb[k]] > loaded))
			return 0;
	return 1;
}

void ins_sensor_health_add_step(struct ins_sensor_health *h, const float *step_peak_kpa)
{
	const struct ins_frame_ctx *ctx = h->ctx;

	h->steps++;
	for (unsigned i = 0; i < ctx->n; i++) {
		int contact = step_peak_kpa[i] > ctx->contact_kpa;

		h->loaded_steps[i] += contact;
		h->saturated_steps[i] += step_peak_kpa[i] >= ctx->sat_kpa[i];
		h->silent_steps[i] += !contact && neighbourhood_loaded(h, i, step_peak_kpa);
	}
}

void ins_sensor_health_add_swing(struct ins_sensor_health *h, const float *kpa)
{
	const struct ins_frame_ctx *ctx = h->ctx;

	h->swing_frames++;
	for (unsigned i = 0; i < ctx->n; i++)
		h->swing_loaded[i] += kpa[i] > ctx->contact_kpa;
}

unsigned ins_sensor_health_flags(const struct ins_sensor_health *h, unsigned sensor)
{
	unsigned flags = 0;

	if (sensor >= h->ctx->n)
		return 0;
	if (h->steps > 0 && 4 * (uint64_t)h->saturated_steps[sensor] >= h->steps)
		flags |= INS_SENSOR_SATURATING;
	/* Raw units have no pressure threshold: only saturation is judged. */
	if (h->ctx->arbitrary)
		return flags;
	if (h->silent_steps[sensor] >= INS_HEALTH_MIN_STEPS && h->loaded_steps[sensor] == 0)
		flags |= INS_SENSOR_SILENT;
	if (h->swing_frames >= INS_HEALTH_MIN_SWING && 2 * (uint64_t)h->swing_loaded[sensor] >= h->swing_frames)
		flags |= INS_SENSOR_STUCK;
	return flags;
}
