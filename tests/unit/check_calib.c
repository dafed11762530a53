/* Calibration curves at known points, tare, body-weight scaling, the three
 * per-frame paths (linear, lookup table, direct) and sensor health flags. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "insoled/layout.h"
#include "insoled/synth.h"
#include "../../daemon/analysis/frame_metrics.h"
#include "../../daemon/analysis/health.h"

static struct ins_calib_curve linear(double zero, double gain, uint16_t sat)
{
	return (struct ins_calib_curve){ .kind = INS_CALIB_LINEAR, .zero = zero, .gain = gain, .saturation = sat };
}

static struct ins_calib_curve table3(double zero)
{
	struct ins_calib_curve c = { .kind = INS_CALIB_TABLE, .zero = zero, .saturation = 1000, .n_points = 3 };

	c.table_counts[0] = 0;
	c.table_counts[1] = 100;
	c.table_counts[2] = 300;
	c.table_kpa[0] = 0;
	c.table_kpa[1] = 50;
	c.table_kpa[2] = 250;
	return c;
}

START_TEST(linear_curve_at_known_points)
{
	struct ins_calib_curve c = linear(100, 0.5, 4095);

	ck_assert_double_eq(analysis_calib_eval(&c, 300), 100.0);
	ck_assert_double_eq(analysis_calib_eval(&c, 100), 0.0);
	ck_assert_double_eq(analysis_calib_eval(&c, 50), 0.0);     /* below tare: never negative */
	ck_assert_double_eq(analysis_calib_eval(&c, 4095), 1997.5);
	ck_assert_double_eq(analysis_calib_eval(&c, 65535), 1997.5); /* saturated: value at saturation */
}
END_TEST

START_TEST(power_curve_at_known_points)
{
	struct ins_calib_curve c = { .kind = INS_CALIB_POWER, .zero = 10, .gain = 2, .exponent = 1.5, .saturation = 4000 };

	ck_assert_double_eq_tol(analysis_calib_eval(&c, 110), 2000.0, 1e-9); /* 2 * 100^1.5 */
	ck_assert_double_eq_tol(analysis_calib_eval(&c, 14), 16.0, 1e-12);   /* 2 * 4^1.5 */
	ck_assert_double_eq(analysis_calib_eval(&c, 10), 0.0);
}
END_TEST

START_TEST(table_curve_interpolates_and_extrapolates)
{
	struct ins_calib_curve c = table3(10);

	ck_assert_double_eq(analysis_calib_eval(&c, 60), 25.0);   /* d = 50 on the first segment */
	ck_assert_double_eq(analysis_calib_eval(&c, 210), 150.0); /* d = 200 on the second */
	ck_assert_double_eq(analysis_calib_eval(&c, 410), 350.0); /* d = 400: the last slope (1 kPa/count) */
	ck_assert_double_eq(analysis_calib_eval(&c, 2000), 940.0); /* clamped at saturation: d = 990 */
	/* A table that does not start at 0:0 extrapolates its first segment and clamps at 0. */
	c.table_counts[0] = 100;
	c.table_kpa[0] = 20;
	c.table_counts[1] = 200;
	c.table_kpa[1] = 120;
	c.n_points = 2;
	c.zero = 0;
	ck_assert_double_eq(analysis_calib_eval(&c, 150), 70.0);
	ck_assert_double_eq(analysis_calib_eval(&c, 90), 10.0);
	ck_assert_double_eq(analysis_calib_eval(&c, 50), 0.0);
}
END_TEST

/* A layout of n identical sensors in one row across the heel. */
static struct ins_layout *row_layout(unsigned n, struct ins_calib_curve c)
{
	static float outline[4][2] = { { -60, 0 }, { 60, 0 }, { 60, 250 }, { -60, 250 } };
	struct ins_layout *lay = calloc(1, sizeof(*lay));

	strcpy(lay->name, "row");
	lay->n_sensors = (uint16_t)n;
	lay->sensors = calloc(n, sizeof(*lay->sensors));
	lay->foot_length_mm = 250;
	lay->foot_width_mm = 100;
	lay->forefoot_width_mm = 100;
	lay->n_outline = 4;
	lay->outline = outline;
	for (unsigned i = 0; i < n; i++) {
		lay->sensors[i].x_mm = -50.0f + 100.0f * (float)i / (float)(n > 1 ? n - 1 : 1);
		lay->sensors[i].y_mm = 20;
		lay->sensors[i].area_mm2 = 100;
		lay->sensors[i].medial_share = lay->sensors[i].x_mm > 0 ? 1.0f : 0.0f;
		lay->sensors[i].calib = c;
	}
	return lay;
}

static void free_row(struct ins_layout *lay)
{
	free(lay->sensors);
	free(lay);
}

/* Every count 0..saturation+10 through the frame path equals the curve. */
static void frame_path_matches_curve(unsigned n, struct ins_calib_curve c)
{
	struct ins_layout *lay = row_layout(n, c);
	char err[256];
	struct analysis_frame_ctx *ctx = analysis_frame_ctx_new(lay, NULL, err, sizeof(err));
	uint16_t *counts = calloc(n, sizeof(uint16_t));
	float *kpa = calloc(n, sizeof(float));

	ck_assert_msg(ctx != NULL, "%s", err);
	for (unsigned k = 0; k <= (unsigned)c.saturation + 10; k++) {
		counts[n - 1] = (uint16_t)k;
		analysis_frame_calibrate(ctx, counts, kpa);
		ck_assert_float_eq_tol(kpa[n - 1], (float)analysis_calib_eval(&c, k), 1e-3f);
	}
	ck_assert_float_eq(kpa[0], 0.0f);
	analysis_frame_ctx_free(ctx);
	free(counts);
	free(kpa);
	free_row(lay);
}

START_TEST(frame_paths_match_the_curves)
{
	struct ins_calib_curve power = { .kind = INS_CALIB_POWER, .zero = 3, .gain = 0.0054358, .exponent = 1.4,
					 .saturation = 4000 };

	frame_path_matches_curve(16, linear(7, 0.25, 4095));  /* computed */
	frame_path_matches_curve(16, power);                  /* lookup tables */
	frame_path_matches_curve(16, table3(5));              /* lookup tables */
	frame_path_matches_curve(1260, power);                /* 20 MB of tables: evaluated directly */
}
END_TEST

START_TEST(tare_zeroes_each_sensor_at_its_counts)
{
	struct ins_layout *lay = row_layout(3, linear(0, 0.25, 4095));
	char err[256];
	struct analysis_frame_ctx *ctx = analysis_frame_ctx_new(lay, NULL, err, sizeof(err));
	uint16_t rest[3] = { 100, 250, 4095 }, loaded[3] = { 140, 250, 4095 };
	float kpa[3];

	ck_assert_msg(ctx != NULL, "%s", err);
	analysis_frame_tare(ctx, rest);
	analysis_frame_calibrate(ctx, rest, kpa);
	ck_assert_float_eq(kpa[0], 0.0f);
	ck_assert_float_eq(kpa[1], 0.0f);
	analysis_frame_calibrate(ctx, loaded, kpa);
	ck_assert_float_eq(kpa[0], 10.0f);
	/* resting at saturation keeps one count: still reads (and flags) saturated */
	ck_assert_double_eq(analysis_frame_ctx_curves(ctx)[2].zero, 4094.0);
	ck_assert_float_eq(kpa[2], 0.25f);
	ck_assert_float_eq(ctx->sat_kpa[2], 0.25f);
	analysis_frame_ctx_free(ctx);
	free_row(lay);
}
END_TEST

START_TEST(body_weight_scale)
{
	struct ins_layout *lay = row_layout(2, linear(0, 0.5, 4095));
	char err[256];
	struct analysis_frame_ctx *ctx = analysis_frame_ctx_new(lay, NULL, err, sizeof(err));
	uint16_t counts[2] = { 200, 4095 };
	float kpa[2];
	double scale = 0;

	ck_assert_int_eq(analysis_calib_body_weight_scale(560, 700, &scale, err, sizeof(err)), 0);
	ck_assert_double_eq(scale, 1.25);
	ck_assert_int_eq(analysis_frame_set_scale(ctx, scale), 0);
	ck_assert_double_eq(analysis_frame_scale(ctx), 1.25);
	ck_assert_int_eq(analysis_frame_set_scale(ctx, 0.0), -1);
	ck_assert_int_eq(analysis_frame_set_scale(ctx, NAN), -1);
	ck_assert_double_eq(analysis_frame_scale(ctx), 1.25);
	analysis_frame_calibrate(ctx, counts, kpa);
	ck_assert_float_eq(kpa[0], 125.0f);
	ck_assert_float_eq(kpa[1], ctx->sat_kpa[1]);

	ck_assert_int_eq(analysis_calib_body_weight_scale(100, 700, &scale, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "measured force 100.0 N for body weight 700.0 N gives scale 7.000, outside 0.2..5.0: "
			      "stand still on this foot alone");
	ck_assert_int_eq(analysis_calib_body_weight_scale(0, 700, &scale, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "measured force 0 N: the foot is not loaded");
	ck_assert_int_eq(analysis_calib_body_weight_scale(500, -1, &scale, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "body_weight_n: must be > 0, got -1");
	ck_assert_double_eq(scale, 1.25); /* unchanged on error */
	analysis_frame_ctx_free(ctx);
	free_row(lay);
}
END_TEST

START_TEST(clean_kpa_replaces_unusable_values)
{
	float kpa[6] = { 1.5f, NAN, -2.0f, INFINITY, 0.0f, -INFINITY };

	ck_assert_uint_eq(analysis_frame_clean_kpa(kpa, 6), 4);
	ck_assert_float_eq(kpa[0], 1.5f);
	for (unsigned i = 1; i < 6; i++)
		ck_assert_float_eq(kpa[i], 0.0f);
}
END_TEST

START_TEST(bad_session_curves_are_refused)
{
	struct ins_layout *lay = row_layout(2, linear(0, 0.5, 4095));
	struct ins_calib_curve curves[2] = { linear(0, 0.5, 4095), linear(0, -1, 4095) };
	char err[256];

	ck_assert_ptr_null(analysis_frame_ctx_new(lay, curves, err, sizeof(err)));
	ck_assert_str_eq(err, "calibration of sensor 2 (layout row): gain: must be > 0, got -1");
	lay->sensors[1].region = INS_REGION_COUNT;
	ck_assert_ptr_null(analysis_frame_ctx_new(lay, NULL, err, sizeof(err)));
	ck_assert_str_eq(err, "layout row: sensor 2: region, area, position or medial_share out of range");
	lay->sensors[1].region = INS_REGION_HEEL;
	curves[1] = linear(5, 2, 4095);
	{
		struct analysis_frame_ctx *ctx = analysis_frame_ctx_new(lay, curves, err, sizeof(err));
		uint16_t counts[2] = { 10, 10 };
		float kpa[2];

		ck_assert_ptr_nonnull(ctx);
		analysis_frame_calibrate(ctx, counts, kpa);
		ck_assert_float_eq(kpa[0], 5.0f);
		ck_assert_float_eq(kpa[1], 10.0f);
		analysis_frame_ctx_free(ctx);
	}
	free_row(lay);
}
END_TEST

START_TEST(health_flags_silent_saturating_stuck)
{
	struct ins_layout *lay = row_layout(4, linear(0, 1, 500));
	char err[256];
	struct analysis_frame_ctx *ctx = analysis_frame_ctx_new(lay, NULL, err, sizeof(err));
	struct analysis_sensor_health *h = analysis_sensor_health_new(ctx);
	/* sensor 0 healthy, 1 silent, 2 saturating in every step, 3 loaded in swing */
	const float peak[4] = { 200, 0, 500, 150 }, swing[4] = { 0, 0, 0, 40 };

	for (unsigned i = 0; i < INS_HEALTH_MIN_STEPS - 1; i++)
		analysis_sensor_health_add_step(h, peak);
	ck_assert_uint_eq(analysis_sensor_health_flags(h, 1), 0); /* too early to call it */
	ck_assert_uint_eq(analysis_sensor_health_flags(h, 2), INS_SENSOR_SATURATING);
	analysis_sensor_health_add_step(h, peak);
	for (unsigned i = 0; i < INS_HEALTH_MIN_SWING; i++)
		analysis_sensor_health_add_swing(h, swing);
	ck_assert_uint_eq(analysis_sensor_health_flags(h, 0), 0);
	ck_assert_uint_eq(analysis_sensor_health_flags(h, 1), INS_SENSOR_SILENT);
	ck_assert_uint_eq(analysis_sensor_health_flags(h, 2), INS_SENSOR_SATURATING);
	ck_assert_uint_eq(analysis_sensor_health_flags(h, 3), INS_SENSOR_STUCK);
	ck_assert_uint_eq(analysis_sensor_health_flags(h, 4), 0); /* out of range */
	analysis_sensor_health_free(h);
	analysis_frame_ctx_free(ctx);
	free_row(lay);
}
END_TEST

/* The synthetic insole inverts these curves to make raw counts; a round
 * trip must give back the pressure, or every synthetic test measures the
 * mismatch instead of the analysis. */
START_TEST(synth_inverse_round_trips)
{
	struct ins_calib_curve curves[4] = {
		linear(7, 0.25, 4095),
		{ .kind = INS_CALIB_POWER, .zero = 3, .gain = 0.00543584748, .exponent = 1.4, .saturation = 4000 },
		table3(5),
		table3(0),
	};
	static const double kpa[] = { 0.5, 10, 45, 100, 240, 400 };

	curves[3].table_counts[0] = 20; /* first segment extrapolated below its first point */
	curves[3].table_kpa[0] = 5;
	for (unsigned c = 0; c < 4; c++) {
		for (unsigned k = 0; k < sizeof(kpa) / sizeof(kpa[0]); k++) {
			double counts = ins_synth_kpa_to_counts(&curves[c], kpa[k]);

			ck_assert_double_lt(counts, curves[c].saturation);
			ck_assert_double_eq_tol(analysis_calib_eval(&curves[c], counts), kpa[k], 1e-9 * kpa[k]);
		}
	}
}
END_TEST

Suite *ins_suite_calib(void);
Suite *ins_suite_calib(void)
{
	Suite *s = suite_create("calib");
	TCase *curves = tcase_create("curves");
	TCase *frame = tcase_create("frame");

	tcase_add_test(curves, linear_curve_at_known_points);
	tcase_add_test(curves, power_curve_at_known_points);
	tcase_add_test(curves, table_curve_interpolates_and_extrapolates);
	tcase_add_test(curves, synth_inverse_round_trips);
	tcase_add_test(frame, frame_paths_match_the_curves);
	tcase_add_test(frame, tare_zeroes_each_sensor_at_its_counts);
	tcase_add_test(frame, body_weight_scale);
	tcase_add_test(frame, clean_kpa_replaces_unusable_values);
	tcase_add_test(frame, bad_session_curves_are_refused);
	tcase_add_test(frame, health_flags_silent_saturating_stuck);
	tcase_set_timeout(frame, 30);
	suite_add_tcase(s, curves);
	suite_add_tcase(s, frame);
	return s;
}
