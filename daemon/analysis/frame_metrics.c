/* Per-frame metrics: force, centre of pressure, region and side loads,
 * contact area, peak pressure, saturation.  The tables are built once per
 * foot; the per-frame loop is one pass over the sensors in runs of equal
 * region and side, with no branches on layout details. */
#include <config.h>

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame_metrics.h"

/* Runs are bounded by the uint16_t length field. */
#define RUN_MAX_LEN 65535u

static int build_runs(struct analysis_frame_ctx *ctx)
{
	const struct ins_sensor *s = ctx->layout->sensors;
	unsigned n_runs = 0;

	ctx->runs = calloc(ctx->n, sizeof(*ctx->runs));
	if (!ctx->runs)
		return -1;
	for (unsigned i = 0; i < ctx->n; i++) {
		struct analysis_frame_run *r = n_runs ? &ctx->runs[n_runs - 1] : NULL;

		ctx->region_sensors[s[i].region]++;
		if (r && r->region == s[i].region && r->len < RUN_MAX_LEN) {
			r->len++;
			continue;
		}
		ctx->runs[n_runs++] = (struct analysis_frame_run){ .start = (uint16_t)i, .len = 1, .region = s[i].region };
	}
	ctx->n_runs = n_runs;
	for (unsigned g = 0; g < INS_REGION_COUNT; g++) {
		ctx->region_split[g] = g != INS_REGION_TOES ? -1 : 0;
		ctx->region_measured[g] = ctx->region_sensors[g] > 0 ? -1 : 0;
	}
	return 0;
}

static int alloc_calibration(struct analysis_frame_ctx *ctx)
{
	size_t lut_entries = 0;

	ctx->all_linear = 1;
	for (unsigned i = 0; i < ctx->n; i++) {
		ctx->all_linear &= ctx->curves[i].kind == INS_CALIB_LINEAR;
		lut_entries += (size_t)ctx->curves[i].saturation + 1;
	}
	ctx->zero = calloc(ctx->n, sizeof(float));
	ctx->gain = calloc(ctx->n, sizeof(float));
	ctx->sat = calloc(ctx->n, sizeof(uint16_t));
	ctx->satf = calloc(ctx->n, sizeof(float));
	ctx->sat_kpa = calloc(ctx->n, sizeof(float));
	if (!ctx->zero || !ctx->gain || !ctx->sat || !ctx->satf || !ctx->sat_kpa)
		return -1;
	if (ctx->all_linear || lut_entries * sizeof(float) > INS_CALIB_LUT_MAX_BYTES)
		return 0;
	ctx->lut = malloc(lut_entries * sizeof(float));
	ctx->lut_off = malloc(ctx->n * sizeof(uint32_t));
	if (!ctx->lut || !ctx->lut_off)
		return -1;
	for (unsigned i = 0, off = 0; i < ctx->n; off += ctx->curves[i].saturation + 1u, i++)
		ctx->lut_off[i] = off;
	return 0;
}

static int alloc_weights(struct analysis_frame_ctx *ctx)
{
	const struct ins_sensor *s = ctx->layout->sensors;

	ctx->w = malloc(ctx->n * sizeof(float));
	ctx->wx = malloc(ctx->n * sizeof(float));
	ctx->wy = malloc(ctx->n * sizeof(float));
	ctx->wm = malloc(ctx->n * sizeof(float));
	ctx->area = malloc(ctx->n * sizeof(float));
	ctx->noise_mean = calloc(ctx->n, sizeof(float));
	ctx->noise_sq = calloc(ctx->n, sizeof(float));
	ctx->cop_floor = calloc(ctx->n, sizeof(float));
	if (!ctx->w || !ctx->wx || !ctx->wy || !ctx->wm || !ctx->area || !ctx->noise_mean || !ctx->noise_sq ||
	    !ctx->cop_floor)
		return -1;
	for (unsigned i = 0; i < ctx->n; i++) {
		/* kPa x mm2 = 1e-3 N */
		float w = ctx->arbitrary ? 1.0f : s[i].area_mm2 * 1e-3f;

		ctx->w[i] = w;
		ctx->wx[i] = w * s[i].x_mm;
		ctx->wy[i] = w * s[i].y_mm;
		ctx->wm[i] = w * s[i].medial_share;
		ctx->area[i] = s[i].area_mm2;
	}
	return 0;
}

/* Layouts normally come from the loader, which guarantees all this; a
 * layout built in code gets a clear error instead of out-of-range tables. */
static int check_layout(const struct ins_layout *lay, char *err, size_t errlen)
{
	if (!lay || lay->n_sensors == 0 || lay->n_sensors > INS_MAX_SENSORS) {
		snprintf(err, errlen, "layout: missing, or without 1..%d sensors", INS_MAX_SENSORS);
		return -1;
	}
	if (!(lay->foot_length_mm > 0) || !(lay->foot_width_mm > 0)) {
		snprintf(err, errlen, "layout %s: foot_length_mm and foot_width_mm must be > 0", lay->name);
		return -1;
	}
	for (unsigned i = 0; i < lay->n_sensors; i++) {
		const struct ins_sensor *s = &lay->sensors[i];

		if (s->region >= INS_REGION_COUNT || !(s->area_mm2 > 0) || !isfinite(s->x_mm) || !isfinite(s->y_mm) ||
		    !(s->medial_share >= 0 && s->medial_share <= 1)) {
			snprintf(err, errlen, "layout %s: sensor %u: region, area, position or medial_share out of range",
				 lay->name, i + 1);
			return -1;
		}
	}
	return 0;
}

struct analysis_frame_ctx *analysis_frame_ctx_new(const struct ins_layout *layout, const struct ins_calib_curve *curves,
					char *err, size_t errlen)
{
	struct analysis_frame_ctx *ctx;
	char why[200];

	if (check_layout(layout, err, errlen) < 0)
		return NULL;
	for (unsigned i = 0; curves && i < layout->n_sensors; i++) {
		if (ins_calib_curve_check(&curves[i], why, sizeof(why)) < 0) {
			snprintf(err, errlen, "calibration of sensor %u (layout %s): %s", i + 1, layout->name, why);
			return NULL;
		}
	}
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		goto oom;
	ctx->layout = layout;
	ctx->n = layout->n_sensors;
	ctx->arbitrary = layout->arbitrary_units;
	ctx->scale = 1.0;
	ctx->contact_kpa = INS_CONTACT_KPA;
	ctx->curves = malloc(ctx->n * sizeof(*ctx->curves));
	if (!ctx->curves)
		goto oom;
	for (unsigned i = 0; i < ctx->n; i++)
		ctx->curves[i] = curves ? curves[i] : layout->sensors[i].calib;
	if (alloc_calibration(ctx) < 0 || alloc_weights(ctx) < 0 || build_runs(ctx) < 0)
		goto oom;
	analysis_frame_calib_rebuild(ctx);
	return ctx;
oom:
	snprintf(err, errlen, "layout %s: out of memory for the frame tables", layout->name);
	analysis_frame_ctx_free(ctx);
	return NULL;
}

void analysis_frame_ctx_free(struct analysis_frame_ctx *ctx)
{
	if (!ctx)
		return;
	free(ctx->curves);
	free(ctx->zero);
	free(ctx->gain);
	free(ctx->sat);
	free(ctx->satf);
	free(ctx->lut);
	free(ctx->lut_off);
	free(ctx->w);
	free(ctx->wx);
	free(ctx->wy);
	free(ctx->wm);
	free(ctx->area);
	free(ctx->noise_mean);
	free(ctx->noise_sq);
	free(ctx->cop_floor);
	free(ctx->sat_kpa);
	free(ctx->runs);
	free(ctx);
}

/* Sums of one run of sensors.  fx, fy and fc (the force they are a moment
 * of) count only sensors above their noise floor. */
struct run_sum {
	float f, fx, fy, fc, fm, area, peak;
	unsigned n_sat;
};

/* Sensor i into a run's sums. */
static inline void add_sensor(const struct analysis_frame_ctx *ctx, const float *kpa, unsigned i, struct run_sum *s)
{
	float v = kpa[i], vc = v > ctx->cop_floor[i] ? v : 0.0f;

	s->f += v * ctx->w[i];
	s->fc += vc * ctx->w[i];
	s->fx += vc * ctx->wx[i];
	s->fy += vc * ctx->wy[i];
	s->fm += v * ctx->wm[i];
	s->area += v > ctx->contact_kpa ? ctx->area[i] : 0.0f;
	s->peak = v > s->peak ? v : s->peak;
	s->n_sat += v >= ctx->sat_kpa[i];
}

/* Four sensors a step in vector lanes, then the remainder one by one.  A
 * run shorter than four starts its sums at 0, which is what its empty lanes
 * would add up to.  Inlined into both callers, so analysis_frame_force()
 * keeps only the force and saturation of it. */
static inline __attribute__((always_inline)) struct run_sum sum_run(const struct analysis_frame_ctx *ctx, const float *kpa, unsigned start, unsigned len)
{
	const float *w = ctx->w + start, *wx = ctx->wx + start, *wy = ctx->wy + start, *wm = ctx->wm + start;
	const float *area = ctx->area + start, *sat = ctx->sat_kpa + start, *p = kpa + start;
	const float *floor = ctx->cop_floor + start;
	const float thr = ctx->contact_kpa;
	struct run_sum s = { 0 };
	unsigned i = 0;

	if (len >= 4) {
		const analysis_v4f thr4 = { thr, thr, thr, thr }, nil = { 0 };
		analysis_v4f f = { 0 }, fx = { 0 }, fy = { 0 }, fc = { 0 }, fm = { 0 }, a = { 0 }, pk = { 0 };
		analysis_v4i ns = { 0 };

		for (; i + 4 <= len; i += 4) {
			analysis_v4f v = analysis_v4f_load(p + i);
			analysis_v4i in_contact = v > thr4;
			analysis_v4f vc = (analysis_v4f)((v > analysis_v4f_load(floor + i)) & (analysis_v4i)v);

			f += v * analysis_v4f_load(w + i);
			fc += vc * analysis_v4f_load(w + i);
			fx += vc * analysis_v4f_load(wx + i);
			fy += vc * analysis_v4f_load(wy + i);
			fm += v * analysis_v4f_load(wm + i);
			a += (analysis_v4f)(in_contact & (analysis_v4i)analysis_v4f_load(area + i));
			pk = analysis_v4f_max(v, pk);
			ns -= v >= analysis_v4f_load(sat + i); /* true lanes are -1 */
		}
		analysis_v4f sums = analysis_v4f_hsum4(f, fx, fy, fc), more = analysis_v4f_hsum4(fm, a, nil, nil);
		s = (struct run_sum){ sums[0], sums[1], sums[2], sums[3], more[0], more[1], analysis_v4f_hmax(pk),
				      (unsigned)(ns[0] + ns[1] + ns[2] + ns[3]) };
	}
	/* the rest, at most three, without a loop */
	if (i < len)
		add_sensor(ctx, kpa, start + i, &s);
	if (i + 1 < len)
		add_sensor(ctx, kpa, start + i + 1, &s);
	if (i + 2 < len)
		add_sensor(ctx, kpa, start + i + 2, &s);
	return s;
}

/* The four regions, one per vector lane: region forces, medial and
 * lateral forces (the toes are not split: 0), and what the step metrics
 * need, NaN for a region without sensors (ctx->region_split and
 * region_measured, made by build_runs()). */
_Static_assert(INS_REGION_COUNT == 4, "one vector lane per region");
_Static_assert(offsetof(struct ins_frame_metrics, cop_y_mm) == offsetof(struct ins_frame_metrics, cop_x_mm) + 4 &&
		       offsetof(struct ins_frame_metrics, cop_x_norm) == offsetof(struct ins_frame_metrics, cop_x_mm) + 8 &&
		       offsetof(struct ins_frame_metrics, cop_y_norm) == offsetof(struct ins_frame_metrics, cop_x_mm) + 12,
	       "the centre of pressure is four floats in a row");
_Static_assert(INS_SIDE_MEDIAL == 0 && INS_SIDE_LATERAL == 1, "side_force_n[g] is { medial, lateral }");

static void region_outputs(const struct analysis_frame_ctx *ctx, analysis_v4f rf, analysis_v4f md,
			   analysis_v4f region_peak, struct ins_frame_metrics *out,
			   struct analysis_frame_extra *extra)
{
	const analysis_v4f nan4 = { NAN, NAN, NAN, NAN };
	analysis_v4f med = (analysis_v4f)(ctx->region_split & (analysis_v4i)md);
	analysis_v4f lat = (analysis_v4f)(ctx->region_split & (analysis_v4i)(rf - md));

	analysis_v4f_store(out->region_force_n, rf);
	analysis_v4f_store(&out->side_force_n[0][0], __builtin_shufflevector(med, lat, 0, 4, 1, 5));
	analysis_v4f_store(&out->side_force_n[2][0], __builtin_shufflevector(med, lat, 2, 6, 3, 7));
	if (!extra)
		return;
	analysis_v4f_store(extra->region_peak_kpa, analysis_v4f_select(ctx->region_measured, region_peak, nan4));
}

/* The region sums live in vector lanes, one lane per region, for the whole
 * frame: a run updates its own lane (a select, so the other lanes keep
 * exactly what they had) and region_outputs() takes the vectors as they
 * are.  Region arrays on the stack written a lane at a time and then read
 * as one vector would stall on store forwarding, four times a frame. */
static const analysis_v4i region_lane[INS_REGION_COUNT] = {
	{ -1, 0, 0, 0 }, { 0, -1, 0, 0 }, { 0, 0, -1, 0 }, { 0, 0, 0, -1 },
};

static inline analysis_v4f v4f_splat(float x)
{
	return (analysis_v4f){ x, x, x, x };
}

void analysis_frame_compute(const struct analysis_frame_ctx *ctx, const float *kpa, struct ins_frame_metrics *out,
		       struct analysis_frame_extra *extra)
{
	analysis_v4f region_f = { 0 }, medial = { 0 }, region_peak = { 0 };
	float force = 0, fx = 0, fy = 0, fc = 0, area = 0, peak = 0;
	unsigned n_sat = 0;

	for (unsigned r = 0; r < ctx->n_runs; r++) {
		const struct analysis_frame_run *run = &ctx->runs[r];
		struct run_sum s = sum_run(ctx, kpa, run->start, run->len);
		const analysis_v4i lane = region_lane[run->region];
		const analysis_v4f sp = v4f_splat(s.peak);

		force += s.f;
		fc += s.fc;
		fx += s.fx;
		fy += s.fy;
		area += s.area;
		peak = s.peak > peak ? s.peak : peak;
		n_sat += s.n_sat;
		region_f = analysis_v4f_select(lane, region_f + v4f_splat(s.f), region_f);
		medial = analysis_v4f_select(lane, medial + v4f_splat(s.fm), medial);
		region_peak = analysis_v4f_select(lane & (sp > region_peak), sp, region_peak);
	}
	out->force_n = force;
	/* The centre of pressure of the sensors above their noise floor (see
	 * analysis_frame_learn_noise).  Force keeps every sensor, so it still
	 * matches the vendor totals. */
	if (fc > 0) {
		/* x / fc and y / fc, then those over the foot's width and length:
		 * the same four divisions, two vector lanes of each at once. */
		analysis_v4f mm = (analysis_v4f){ fx, fy, fx, fy } / v4f_splat(fc);
		analysis_v4f size = { 1.0f, 1.0f, ctx->layout->foot_width_mm, ctx->layout->foot_length_mm };

		analysis_v4f_store(&out->cop_x_mm, mm / size);
	} else {
		out->cop_x_mm = out->cop_y_mm = out->cop_x_norm = out->cop_y_norm = NAN;
	}
	out->contact_area_mm2 = ctx->arbitrary ? NAN : area;
	out->peak_kpa = peak;
	out->n_saturated = (uint16_t)n_sat;
	region_outputs(ctx, region_f, medial, region_peak, out, extra);
}

/* The same runs summed in the same order as analysis_frame_compute(), so the
 * force is the same float. */
float analysis_frame_force_runs(const struct analysis_frame_ctx *ctx, const float *kpa, unsigned *n_saturated)
{
	float force = 0;
	unsigned n_sat = 0;

	for (unsigned r = 0; r < ctx->n_runs; r++) {
		struct run_sum s = sum_run(ctx, kpa, ctx->runs[r].start, ctx->runs[r].len);

		force += s.f;
		n_sat += s.n_sat;
	}
	*n_saturated = n_sat;
	return force;
}

/* One sensor's running mean of kPa and kPa^2 (a: the weight of this
 * frame) and its floor: mean + INS_NOISE_FLOOR_SD standard deviations. */
static void learn_one(float *mean, float *sq, float *floor, float kpa, float a)
{
	float m = *mean += a * (kpa - *mean);
	float s = *sq += a * (kpa * kpa - *sq);
	float var = s - m * m;

	*floor = m + INS_NOISE_FLOOR_SD * (var > 0 ? sqrtf(var) : 0.0f);
}

void analysis_frame_learn_noise(struct analysis_frame_ctx *ctx, const float *kpa)
{
	/* A plain mean over the first frames, then a running one. */
	const analysis_v4f nil = { 0, 0, 0, 0 };
	const analysis_v4f sd = { INS_NOISE_FLOOR_SD, INS_NOISE_FLOOR_SD, INS_NOISE_FLOOR_SD, INS_NOISE_FLOOR_SD };
	float *mean = ctx->noise_mean, *sq = ctx->noise_sq, *floor = ctx->cop_floor;
	unsigned i = 0;
	analysis_v4f a4;
	float a;

	if (ctx->arbitrary || !ctx->layout->is_grid)
		return;
	if (ctx->noise_frames < INS_NOISE_FLOOR_FRAMES)
		ctx->noise_frames++;
	a = 1.0f / (float)ctx->noise_frames;
	a4 = (analysis_v4f){ a, a, a, a };
	/* Four sensors a step: the same float operations as learn_one(). */
	for (; i + 4 <= ctx->n; i += 4) {
		analysis_v4f k = analysis_v4f_load(kpa + i), m = analysis_v4f_load(mean + i), s = analysis_v4f_load(sq + i), var;

		m += a4 * (k - m);
		s += a4 * (k * k - s);
		var = s - m * m;
		analysis_v4f_store(mean + i, m);
		analysis_v4f_store(sq + i, s);
		analysis_v4f_store(floor + i, m + sd * analysis_v4f_sqrt(analysis_v4f_max(var, nil)));
	}
	for (; i < ctx->n; i++)
		learn_one(mean + i, sq + i, floor + i, kpa[i], a);
}
