/* Stance-normalised curves (curves.h) on hand-built stances whose resampled
 * values are known exactly: a triangle, a constant, a ramp sampled at
 * uneven times, a contact between frames next to an unloaded frame, the
 * CoP between a barely loaded and a loaded frame, two
 * steps with a known mean and SD; the skip rules, the kept gait lines, the
 * JSON shape; and the synthetic walker through the real engine. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_fixtures.h"
#include "lib.h"
#include "insoled/analysis.h"
#include "insoled/curves.h"
#include "insoled/synth.h"

#define T0 1000000LL /* stances start 1 s into the feed */

static struct ins_curves *new_curves(const struct ins_layout *left, const struct ins_layout *right, double rate_hz,
				     double bw)
{
	struct ins_curves_config cfg = { .layout = { left, right }, .rate_hz = rate_hz, .body_weight_n = bw };
	char err[128] = "";
	struct ins_curves *c = ins_curves_new(&cfg, err, sizeof(err));

	ck_assert_msg(c != NULL, "%s", err);
	return c;
}

static void feed(struct ins_curves *c, unsigned foot, int64_t t_us, float force, float x, float y)
{
	struct ins_frame_metrics fm;

	memset(&fm, 0, sizeof(fm));
	fm.foot = (uint8_t)foot;
	fm.t_us = t_us;
	fm.force_n = force;
	fm.cop_x_mm = force > 0 ? x : NAN;
	fm.cop_y_mm = force > 0 ? y : NAN;
	fm.cop_x_norm = force > 0 ? x / 100.0f : NAN;
	fm.cop_y_norm = force > 0 ? y / 260.0f : NAN;
	ins_curves_feed(c, &fm);
}

static int add_step(struct ins_curves *c, unsigned foot, int64_t contact_us, int64_t toe_off_us)
{
	struct ins_step s;

	memset(&s, 0, sizeof(s));
	s.foot = (uint8_t)foot;
	s.contact_us = contact_us;
	s.toe_off_us = toe_off_us;
	return ins_curves_add_step(c, &s);
}

/* Triangle: 0 at contact, 1000 N at mid-stance, 0 at toe-off, over a
 * 1 s stance sampled every 10 ms, so point k (t = contact + 10 k ms) falls
 * on a frame: force 20 k up to k = 50, then 20 (100 - k); CoP y runs
 * 20 + 2 k mm heel to toe at x = 5 mm. */
static float triangle(int k)
{
	return (float)(k <= 50 ? 20 * k : 20 * (100 - k));
}

static void feed_triangle_stance(struct ins_curves *c, unsigned foot, int64_t contact_us)
{
	for (int k = -5; k <= 105; k++)
		feed(c, foot, contact_us + k * 10000LL, k < 0 || k > 100 ? 0.0f : triangle(k), 5.0f,
		     20.0f + 2.0f * (float)k);
}

START_TEST(triangle_resamples_onto_its_frames)
{
	struct ins_layout *l = fixture_sparse5(0);
	struct ins_curves *c = new_curves(l, NULL, 100, 0);
	struct ins_curve_point p[INS_CURVE_POINTS];
	struct ins_curves_counts n;

	feed_triangle_stance(c, INS_FOOT_LEFT, T0);
	ck_assert_int_eq(add_step(c, INS_FOOT_LEFT, T0, T0 + 1000000), 1);
	ins_curves_get(c, INS_FOOT_LEFT, INS_CURVE_FORCE_N, p);
	for (int k = 0; k < INS_CURVE_POINTS; k++) {
		ck_assert_uint_eq(p[k].n, 1);
		ck_assert_msg(p[k].mean == triangle(k), "point %d: %g, want %g", k, p[k].mean, triangle(k));
		ck_assert(isnan(p[k].sd)); /* one step: no SD */
	}
	/* CoP: unloaded at contact and toe-off (force 0, CoP NaN), so the
	 * first and last points take the loaded neighbour's value. */
	ins_curves_get(c, INS_FOOT_LEFT, INS_CURVE_COP_Y_MM, p);
	ck_assert_double_eq(p[0].mean, 22.0);
	for (int k = 1; k < 100; k++)
		ck_assert_double_eq(p[k].mean, 20.0 + 2.0 * k);
	ck_assert_double_eq(p[100].mean, 218.0);
	ins_curves_get(c, INS_FOOT_LEFT, INS_CURVE_COP_X_MM, p);
	ck_assert_double_eq(p[37].mean, 5.0);
	ins_curves_get(c, INS_FOOT_LEFT, INS_CURVE_COP_X_NORM, p);
	ck_assert_double_eq_tol(p[37].mean, 0.05, 1e-7);
	/* no body weight: no %BW curve */
	ins_curves_get(c, INS_FOOT_LEFT, INS_CURVE_FORCE_BW_PCT, p);
	ck_assert_uint_eq(p[50].n, 0);
	ck_assert(isnan(p[50].mean));
	ins_curves_get_counts(c, INS_FOOT_LEFT, &n);
	ck_assert_uint_eq(n.steps, 1);
	ck_assert_uint_eq(n.bw_steps, 0);
	ck_assert_uint_eq(n.frames, 111);
	ins_curves_free(c);
	fixture_free(l);
}
END_TEST

/* Force rising 1 N per ms from contact, sampled at uneven times (3 ms to
 * 37 ms apart, mostly between points): linear interpolation must give exactly
 * 10 k N at point k of a 1 s stance. */
START_TEST(uneven_frame_times_interpolate_linearly)
{
	static const int gaps_ms[] = { 3, 14, 37, 6, 21, 9, 30, 17 };
	struct ins_layout *l = fixture_sparse5(0);
	struct ins_curves *c = new_curves(l, NULL, 300, 0);
	struct ins_curve_point p[INS_CURVE_POINTS];
	int64_t t = T0 - 4000;

	for (unsigned i = 0; t <= T0 + 1040000; i++) {
		feed(c, INS_FOOT_LEFT, t, (float)(t - T0) / 1000.0f, 0.0f, 100.0f);
		t += gaps_ms[i % 8] * 1000LL;
	}
	ck_assert_int_eq(add_step(c, INS_FOOT_LEFT, T0, T0 + 1000000), 1);
	ins_curves_get(c, INS_FOOT_LEFT, INS_CURVE_FORCE_N, p);
	for (int k = 0; k < INS_CURVE_POINTS; k++)
		ck_assert_msg(fabs(p[k].mean - 10.0 * k) < 1e-9, "point %d: %.12g, want %d", k, p[k].mean, 10 * k);
	ins_curves_free(c);
	fixture_free(l);
}
END_TEST

/* Contact and toe-off fall between frames (the engine refines them by
 * interpolation): 2.5 ms after an unloaded frame at 100 Hz. */
START_TEST(contact_between_frames)
{
	struct ins_layout *l = fixture_sparse5(0);
	struct ins_curves *c = new_curves(l, NULL, 100, 0);
	struct ins_curve_point p[INS_CURVE_POINTS];

	/* frames at T0 + 10 k ms: 0 N before T0 + 10 ms, then 400 N with the
	 * CoP at y = 60, until the unloaded frame at T0 + 610 ms */
	for (int k = 0; k <= 70; k++)
		feed(c, INS_FOOT_LEFT, T0 + k * 10000LL, k >= 1 && k <= 60 ? 400.0f : 0.0f, 0.0f, 60.0f);
	/* stance T0 + 2.5 ms .. T0 + 602.5 ms: 6 ms per point */
	ck_assert_int_eq(add_step(c, INS_FOOT_LEFT, T0 + 2500, T0 + 602500), 1);
	ins_curves_get(c, INS_FOOT_LEFT, INS_CURVE_FORCE_N, p);
	ck_assert_double_eq(p[0].mean, 100.0);   /* a quarter of the way from 0 to 400 N */
	ck_assert_double_eq(p[1].mean, 340.0);   /* 8.5 ms: 85 % */
	ck_assert_double_eq(p[2].mean, 400.0);
	ck_assert_double_eq(p[99].mean, 400.0);  /* 596.5 ms */
	ck_assert_double_eq(p[100].mean, 300.0); /* 602.5 ms: a quarter of the way down */
	ins_curves_get(c, INS_FOOT_LEFT, INS_CURVE_COP_Y_MM, p);
	ck_assert_double_eq(p[0].mean, 60.0);    /* the unloaded frame has no CoP */
	ck_assert_double_eq(p[100].mean, 60.0);
	ins_curves_free(c);
	fixture_free(l);
}
END_TEST

/* Between a barely loaded frame (10 N, its CoP at the toes: noise) and a
 * loaded one (390 N at y = 40 mm), halfway: 200 N and the CoP of the
 * interpolated pressures, (5 x 200 + 195 x 40) / 200 = 44 mm, not the
 * 120 mm a time-linear CoP would put off the gait line. */
START_TEST(cop_between_frames_is_force_weighted)
{
	struct ins_layout *l = fixture_sparse5(0);
	struct ins_curves *c = new_curves(l, NULL, 100, 0);
	struct ins_curve_point p[INS_CURVE_POINTS];

	feed(c, INS_FOOT_LEFT, T0 - 10000, 0.0f, 0.0f, 0.0f);
	feed(c, INS_FOOT_LEFT, T0, 10.0f, 3.0f, 200.0f);
	for (int k = 1; k <= 52; k++)
		feed(c, INS_FOOT_LEFT, T0 + k * 10000LL, k <= 50 ? 390.0f : 0.0f, 3.0f, 40.0f);
	ck_assert_int_eq(add_step(c, INS_FOOT_LEFT, T0 + 5000, T0 + 505000), 1);
	ins_curves_get(c, INS_FOOT_LEFT, INS_CURVE_FORCE_N, p);
	ck_assert_double_eq(p[0].mean, 200.0);
	ck_assert_double_eq(p[1].mean, 390.0);
	ck_assert_double_eq(p[100].mean, 195.0); /* halfway down to the unloaded frame */
	ins_curves_get(c, INS_FOOT_LEFT, INS_CURVE_COP_Y_MM, p);
	ck_assert_double_eq(p[0].mean, 44.0);
	ck_assert_double_eq(p[1].mean, 40.0);
	ck_assert_double_eq(p[100].mean, 40.0); /* the unloaded frame has no CoP */
	ins_curves_get(c, INS_FOOT_LEFT, INS_CURVE_COP_X_MM, p);
	ck_assert_double_eq(p[0].mean, 3.0);
	ins_curves_free(c);
	fixture_free(l);
}
END_TEST

static void feed_constant_stance(struct ins_curves *c, unsigned foot, int64_t contact_us, float force, float y)
{
	for (int k = -2; k <= 52; k++)
		feed(c, foot, contact_us + k * 10000LL, k < 0 || k > 50 ? 0.0f : force, -4.0f, y);
}

/* 400 N then 600 N (0.5 s stances): mean 500, sample SD 100 sqrt(2);
 * with 800 N body weight 62.5 +- 12.5 sqrt(2) %BW; the CoP y 100 then
 * 140 mm: 120 +- 20 sqrt(2). */
START_TEST(two_steps_known_mean_and_sd)
{
	struct ins_layout *l = fixture_sparse5(0);
	struct ins_curves *c = new_curves(NULL, l, 100, 800);
	struct ins_curve_point p[INS_CURVE_POINTS];
	struct ins_curves_counts n;

	feed_constant_stance(c, INS_FOOT_RIGHT, T0, 400.0f, 100.0f);
	ck_assert_int_eq(add_step(c, INS_FOOT_RIGHT, T0, T0 + 500000), 1);
	feed_constant_stance(c, INS_FOOT_RIGHT, T0 + 1000000, 600.0f, 140.0f);
	ck_assert_int_eq(add_step(c, INS_FOOT_RIGHT, T0 + 1000000, T0 + 1500000), 1);
	ins_curves_get(c, INS_FOOT_RIGHT, INS_CURVE_FORCE_N, p);
	for (int k = 0; k < INS_CURVE_POINTS; k++) {
		ck_assert_uint_eq(p[k].n, 2);
		ck_assert_double_eq(p[k].mean, 500.0);
		ck_assert_double_eq_tol(p[k].sd, 100.0 * sqrt(2.0), 1e-9);
	}
	ins_curves_get(c, INS_FOOT_RIGHT, INS_CURVE_FORCE_BW_PCT, p);
	ck_assert_double_eq(p[33].mean, 62.5);
	ck_assert_double_eq_tol(p[33].sd, 12.5 * sqrt(2.0), 1e-9);
	ins_curves_get(c, INS_FOOT_RIGHT, INS_CURVE_COP_Y_MM, p);
	ck_assert_double_eq(p[0].mean, 120.0);
	ck_assert_double_eq_tol(p[100].sd, 20.0 * sqrt(2.0), 1e-9);
	ins_curves_get(c, INS_FOOT_LEFT, INS_CURVE_FORCE_N, p);
	ck_assert_uint_eq(p[0].n, 0); /* the other foot saw nothing */
	ins_curves_get_counts(c, INS_FOOT_RIGHT, &n);
	ck_assert_uint_eq(n.steps, 2);
	ck_assert_uint_eq(n.bw_steps, 2);
	ins_curves_free(c);
	fixture_free(l);
}
END_TEST

/* Body weight set after the first step: %BW averages only the second. */
START_TEST(body_weight_applies_from_when_it_is_set)
{
	struct ins_layout *l = fixture_sparse5(0);
	struct ins_curves *c = new_curves(l, NULL, 100, 0);
	struct ins_curve_point p[INS_CURVE_POINTS];
	struct ins_curves_counts n;

	feed_triangle_stance(c, INS_FOOT_LEFT, T0);
	ck_assert_int_eq(add_step(c, INS_FOOT_LEFT, T0, T0 + 1000000), 1);
	ins_curves_set_body_weight(c, 500.0);
	feed_constant_stance(c, INS_FOOT_LEFT, T0 + 2000000, 250.0f, 100.0f);
	ck_assert_int_eq(add_step(c, INS_FOOT_LEFT, T0 + 2000000, T0 + 2500000), 1);
	ins_curves_get(c, INS_FOOT_LEFT, INS_CURVE_FORCE_BW_PCT, p);
	ck_assert_uint_eq(p[50].n, 1);
	ck_assert_double_eq(p[50].mean, 50.0);
	/* force: triangle and constant 250 N; at 50 %: 1000 and 250 */
	ins_curves_get(c, INS_FOOT_LEFT, INS_CURVE_FORCE_N, p);
	ck_assert_double_eq(p[50].mean, 625.0);
	ck_assert_double_eq_tol(p[50].sd, 750.0 / sqrt(2.0), 1e-9);
	ck_assert_double_eq(p[0].mean, 125.0); /* 0 and 250 */
	ins_curves_get_counts(c, INS_FOOT_LEFT, &n);
	ck_assert_uint_eq(n.bw_steps, 1);
	ins_curves_free(c);
	fixture_free(l);
}
END_TEST

START_TEST(long_and_incomplete_stances_are_skipped_and_counted)
{
	struct ins_layout *l = fixture_sparse5(0);
	/* 10 Hz: the buffer holds 62 frames (6.1 s) */
	struct ins_curves *c = new_curves(l, NULL, 10, 0);
	struct ins_curves_counts n;

	ck_assert_int_eq(add_step(c, INS_FOOT_LEFT, T0, T0 + 500000), 0);     /* no frames yet */
	for (int k = 0; k < 100; k++)
		feed(c, INS_FOOT_LEFT, T0 + k * 100000LL, 300.0f, 0.0f, 50.0f); /* T0 .. T0 + 9.9 s */
	ck_assert_int_eq(add_step(c, INS_FOOT_LEFT, T0, T0 + 600000), 0);     /* overwritten */
	ck_assert_int_eq(add_step(c, INS_FOOT_LEFT, T0 + 3700000, T0 + 4000000), 0); /* just gone: oldest is 3.8 s */
	ck_assert_int_eq(add_step(c, INS_FOOT_LEFT, T0 + 3800000, T0 + 4000000), 1); /* oldest frame = contact */
	ck_assert_int_eq(add_step(c, INS_FOOT_LEFT, T0 + 9500000, T0 + 10000000), 0); /* toe-off not seen yet */
	ck_assert_int_eq(add_step(c, INS_FOOT_LEFT, T0 + 4000000, T0 + 9000001), 0);  /* over 5 s */
	ck_assert_int_eq(add_step(c, INS_FOOT_LEFT, T0 + 4000000, T0 + 9000000), 1);  /* exactly 5 s */
	ck_assert_int_eq(add_step(c, INS_FOOT_LEFT, T0 + 5000000, T0 + 5000000), 0);  /* no duration */
	ck_assert_int_eq(add_step(c, INS_FOOT_RIGHT, T0 + 5000000, T0 + 5500000), 0); /* foot absent */
	ins_curves_get_counts(c, INS_FOOT_LEFT, &n);
	ck_assert_uint_eq(n.steps, 2);
	ck_assert_uint_eq(n.too_long, 1);
	ck_assert_uint_eq(n.incomplete, 5);
	/* time going back is ignored, not buffered */
	feed(c, INS_FOOT_LEFT, T0, 999.0f, 0.0f, 0.0f);
	ck_assert_int_eq(add_step(c, INS_FOOT_LEFT, T0 + 9000000, T0 + 9900000), 1);
	{
		struct ins_curve_point p[INS_CURVE_POINTS];
		ins_curves_get(c, INS_FOOT_LEFT, INS_CURVE_FORCE_N, p);
		ck_assert_double_eq(p[100].mean, 300.0);
		ck_assert_double_eq(p[100].sd, 0.0);
	}
	ins_curves_free(c);
	fixture_free(l);
}
END_TEST

START_TEST(bad_config_is_refused)
{
	struct ins_layout *l = fixture_sparse5(0);
	struct ins_curves_config cfg = { .layout = { l, NULL }, .rate_hz = 0 };
	char err[128] = "";

	ck_assert_ptr_null(ins_curves_new(&cfg, err, sizeof(err)));
	ck_assert_str_eq(err, "rate_hz: 0 is not a frame rate");
	cfg.rate_hz = NAN;
	ck_assert_ptr_null(ins_curves_new(&cfg, err, sizeof(err)));
	ck_assert_str_eq(err, "rate_hz: nan is not a frame rate");
	cfg.rate_hz = 100;
	cfg.body_weight_n = -1;
	ck_assert_ptr_null(ins_curves_new(&cfg, err, sizeof(err)));
	ck_assert_str_eq(err, "body_weight_n: -1 is not a body weight in newtons");
	fixture_free(l);
}
END_TEST

static json_t *at(json_t *obj, const char *path)
{
	char key[64];
	const char *dot;

	while ((dot = strchr(path, '.')) != NULL) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		obj = json_object_get(obj, key);
		path = dot + 1;
	}
	return json_object_get(obj, path);
}

START_TEST(json_shape_nulls_and_kept_gait_lines)
{
	struct ins_layout *l = fixture_sparse5(0), *raw = fixture_footswitch();
	struct ins_curves *c = new_curves(l, raw, 100, 0);
	json_t *j, *paths;

	/* 61 steps: the first is dropped from the kept gait lines */
	for (int s = 0; s <= INS_CURVES_MAX_PATHS; s++) {
		feed_constant_stance(c, INS_FOOT_LEFT, T0 + s * 1000000LL, 500.0f, (float)s);
		ck_assert_int_eq(add_step(c, INS_FOOT_LEFT, T0 + s * 1000000LL, T0 + s * 1000000LL + 500000), 1);
	}
	feed(c, INS_FOOT_RIGHT, T0, 100.0f, 0, 0);
	ck_assert_int_eq(add_step(c, INS_FOOT_RIGHT, T0, T0 + 1), 0);
	j = ins_curves_json(c);
	ck_assert_int_eq(json_integer_value(at(j, "points")), 101);
	ck_assert_int_eq(json_integer_value(at(j, "max_stance_ms")), 5000);
	ck_assert_int_eq(json_integer_value(at(j, "left.steps")), INS_CURVES_MAX_PATHS + 1);
	ck_assert_int_eq(json_integer_value(at(j, "left.skipped.too_long")), 0);
	ck_assert(json_is_false(at(j, "left.arbitrary_units")));
	ck_assert_uint_eq(json_array_size(at(j, "left.force_n.mean")), 101);
	ck_assert_double_eq(json_number_value(json_array_get(at(j, "left.force_n.mean"), 100)), 500.0);
	ck_assert_double_eq(json_number_value(json_array_get(at(j, "left.force_n.sd"), 0)), 0.0);
	ck_assert_double_eq(json_number_value(json_array_get(at(j, "left.cop_y_mm.mean"), 7)), 30.0);
	ck_assert_double_eq(json_number_value(json_array_get(at(j, "left.cop_x_mm.mean"), 7)), -4.0);
	ck_assert(json_is_null(at(j, "left.force_bw_pct")));
	ck_assert(json_is_object(at(j, "left.cop_x_norm")) && json_is_object(at(j, "left.cop_y_norm")));
	paths = at(j, "left.paths_mm");
	ck_assert_uint_eq(json_array_size(paths), INS_CURVES_MAX_PATHS);
	/* oldest kept first: step 1 (CoP y = 1 mm), newest last: step 60 */
	ck_assert_double_eq(json_number_value(json_array_get(json_array_get(json_array_get(paths, 0), 50), 1)), 1.0);
	ck_assert_double_eq(json_number_value(json_array_get(json_array_get(json_array_get(paths, 59), 0), 0)), -4.0);
	ck_assert_double_eq(json_number_value(json_array_get(json_array_get(json_array_get(paths, 59), 100), 1)),
			    60.0);
	/* the footswitch foot in raw units: no curves */
	ck_assert(json_is_true(at(j, "right.arbitrary_units")));
	ck_assert_int_eq(json_integer_value(at(j, "right.steps")), 0);
	ck_assert(json_is_null(at(j, "right.force_n")));
	ck_assert(json_is_null(at(j, "right.cop_y_mm")));
	ck_assert_uint_eq(json_array_size(at(j, "right.paths_mm")), 0);
	json_decref(j);
	ins_curves_free(c);

	/* A foot without a layout is null; an empty mean point is null. */
	c = new_curves(NULL, l, 100, 700);
	feed_constant_stance(c, INS_FOOT_RIGHT, T0, 350.0f, 10.0f);
	ck_assert_int_eq(add_step(c, INS_FOOT_RIGHT, T0, T0 + 500000), 1);
	j = ins_curves_json(c);
	ck_assert(json_is_null(at(j, "left")));
	ck_assert_int_eq(json_integer_value(at(j, "right.force_bw_pct.steps")), 1);
	ck_assert_double_eq(json_number_value(json_array_get(at(j, "right.force_bw_pct.mean"), 3)), 50.0);
	ck_assert(json_is_null(json_array_get(at(j, "right.force_bw_pct.sd"), 3)));
	json_decref(j);
	ins_curves_free(c);
	fixture_free(l);
	fixture_free(raw);
}
END_TEST

/* The synthetic walker through the real engine: every step the engine
 * reports is averaged (the buffer always holds its stance). */
START_TEST(engine_steps_are_all_averaged)
{
	char err[256] = "";
	struct ins_layout *l = test_load_shipped("fsr16");
	struct ins_synth_params sp;
	struct ins_synth *syn;
	struct ins_analysis *ana;
	struct ins_curves *c;
	uint16_t vals[INS_MAX_SENSORS];
	unsigned steps[INS_FOOT_COUNT] = { 0, 0 };
	struct ins_curves_counts n;

	ins_synth_defaults(&sp);
	syn = ins_synth_new(&sp, l, err, sizeof(err));
	ck_assert_msg(syn != NULL, "%s", err);
	struct ins_analysis_config acfg = { .layout = { l, l }, .body_weight_n = 700.0 };
	ana = ins_analysis_new(&acfg, err, sizeof(err));
	ck_assert_msg(ana != NULL, "%s", err);
	c = new_curves(l, l, sp.rate_hz, 700.0);
	for (uint32_t k = 0; k < (uint32_t)(20 * sp.rate_hz); k++)
		for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
			struct ins_frame fr = { .foot = (uint8_t)foot, .n = l->n_sensors, .seq = k, .values = vals };
			struct ins_frame_metrics fm;
			struct ins_step st;

			ins_synth_next(syn, foot, vals, &fr.t_us);
			ck_assert_int_eq(ins_analysis_feed(ana, &fr, &fm), 0);
			ins_curves_feed(c, &fm);
			while (ins_analysis_next_step(ana, &st)) {
				ck_assert_int_eq(ins_curves_add_step(c, &st), 1);
				steps[st.foot]++;
			}
		}
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		struct ins_curve_point p[INS_CURVE_POINTS];

		ins_curves_get_counts(c, foot, &n);
		ck_assert_uint_ge(steps[foot], 10);
		ck_assert_uint_eq(n.steps, steps[foot]);
		ck_assert_uint_eq(n.bw_steps, steps[foot]);
		ck_assert_uint_eq(n.frames, (uint64_t)(20 * sp.rate_hz));
		/* the CoP travels heel to toe: the mean at toe-off is ahead of contact */
		ins_curves_get(c, foot, INS_CURVE_COP_Y_NORM, p);
		ck_assert_msg(p[100].mean > p[0].mean + 0.3, "CoP y %g -> %g", p[0].mean, p[100].mean);
	}
	ins_curves_free(c);
	ins_analysis_free(ana);
	ins_synth_free(syn);
	ins_layout_free(l);
}
END_TEST

Suite *ins_suite_curves(void);
Suite *ins_suite_curves(void)
{
	Suite *s = suite_create("curves");
	TCase *tc = tcase_create("resampling");

	tcase_add_test(tc, triangle_resamples_onto_its_frames);
	tcase_add_test(tc, uneven_frame_times_interpolate_linearly);
	tcase_add_test(tc, contact_between_frames);
	tcase_add_test(tc, cop_between_frames_is_force_weighted);
	tcase_add_test(tc, two_steps_known_mean_and_sd);
	tcase_add_test(tc, body_weight_applies_from_when_it_is_set);
	tcase_add_test(tc, long_and_incomplete_stances_are_skipped_and_counted);
	tcase_add_test(tc, bad_config_is_refused);
	tcase_add_test(tc, json_shape_nulls_and_kept_gait_lines);
	tcase_add_test(tc, engine_steps_are_all_averaged);
	suite_add_tcase(s, tc);
	return s;
}
