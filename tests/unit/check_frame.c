/* Per-frame metrics with exact, hand-computed answers: force, CoP, region
 * and side loads, contact area, peak, saturation; region masks of a shipped
 * layout; raw-unit layouts; and the Moticon layout against the vendor's own
 * force and CoP columns. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "insoled/layout.h"
#include "insoled/random.h"
#include "../../daemon/analysis/frame_metrics.h"
#include "analysis_fixtures.h"
#include "lib.h"
#include "shared_data.h"

#define MOTICON_FILE "moticon/230927_102114.txt"

static struct analysis_frame_ctx *new_ctx(const struct ins_layout *lay)
{
	char err[512] = "";
	struct analysis_frame_ctx *ctx = analysis_frame_ctx_new(lay, NULL, err, sizeof(err));

	ck_assert_msg(ctx != NULL, "%s", err);
	return ctx;
}

/* 200 mm x 100 mm foot, kPa = counts, saturation at 200 kPa. */
static const char four_sensors[] =
	"[layout]\nname = four\nfoot_length_mm = 200\nfoot_width_mm = 100\n"
	"[calibration]\nkind = linear\ngain = 1\nsaturation = 200\n"
	"[outline]\npoint = -50 0\npoint = 50 0\npoint = 50 200\npoint = -50 200\n"
	"[sensor]\nx_mm = 10\ny_mm = 20\narea_mm2 = 1000\n"  /* heel, medial */
	"[sensor]\nx_mm = -10\ny_mm = 20\narea_mm2 = 1000\n" /* heel, lateral */
	"[sensor]\nx_mm = 20\ny_mm = 150\narea_mm2 = 500\n"  /* forefoot (75 %), medial */
	"[sensor]\nx_mm = 0\ny_mm = 180\narea_mm2 = 500\n";  /* toes (90 %) */

#define TOL 1e-4f

START_TEST(hand_computed_frame)
{
	struct ins_layout *lay = fixture_layout_from_text(four_sensors);
	struct analysis_frame_ctx *ctx = new_ctx(lay);
	const uint16_t counts[4] = { 100, 50, 200, 0 };
	struct ins_frame_metrics m = { 0 };
	struct analysis_frame_extra x;
	float kpa[4];

	analysis_frame_calibrate(ctx, counts, kpa);
	analysis_frame_compute(ctx, kpa, &m, &x);
	/* forces 100 + 50 + 100 + 0 N */
	ck_assert_float_eq_tol(m.force_n, 250.0f, TOL);
	ck_assert_float_eq_tol(m.cop_x_mm, 10.0f, TOL);  /* (1000 - 500 + 2000) / 250 */
	ck_assert_float_eq_tol(m.cop_y_mm, 72.0f, TOL);  /* (2000 + 1000 + 15000) / 250 */
	ck_assert_float_eq_tol(m.cop_x_norm, 0.1f, TOL);
	ck_assert_float_eq_tol(m.cop_y_norm, 0.36f, TOL);
	ck_assert_float_eq_tol(m.region_force_n[INS_REGION_HEEL], 150.0f, TOL);
	ck_assert_float_eq(m.region_force_n[INS_REGION_MIDFOOT], 0.0f);
	ck_assert_float_eq_tol(m.region_force_n[INS_REGION_FOREFOOT], 100.0f, TOL);
	ck_assert_float_eq(m.region_force_n[INS_REGION_TOES], 0.0f);
	ck_assert_float_eq_tol(m.side_force_n[INS_REGION_HEEL][INS_SIDE_MEDIAL], 100.0f, TOL);
	ck_assert_float_eq_tol(m.side_force_n[INS_REGION_HEEL][INS_SIDE_LATERAL], 50.0f, TOL);
	ck_assert_float_eq_tol(m.side_force_n[INS_REGION_FOREFOOT][INS_SIDE_MEDIAL], 100.0f, TOL);
	ck_assert_float_eq(m.side_force_n[INS_REGION_FOREFOOT][INS_SIDE_LATERAL], 0.0f);
	ck_assert_float_eq(m.contact_area_mm2, 2500.0f);
	ck_assert_float_eq(m.peak_kpa, 200.0f);
	ck_assert_uint_eq(m.n_saturated, 1);
	ck_assert_float_eq(x.region_peak_kpa[INS_REGION_HEEL], 100.0f);
	ck_assert_float_eq(x.region_peak_kpa[INS_REGION_FOREFOOT], 200.0f);
	ck_assert_float_eq(x.region_peak_kpa[INS_REGION_TOES], 0.0f);
	/* no midfoot sensor: not measured */
	ck_assert(isnan(x.region_peak_kpa[INS_REGION_MIDFOOT]));

	/* Only the toes: 40 kPa x 500 mm2; the toes are not split medial/lateral. */
	memset(kpa, 0, sizeof(kpa));
	kpa[3] = 40;
	analysis_frame_compute(ctx, kpa, &m, NULL);
	ck_assert_float_eq_tol(m.force_n, 20.0f, TOL);
	ck_assert_float_eq_tol(m.cop_x_mm, 0.0f, TOL);
	ck_assert_float_eq_tol(m.cop_y_mm, 180.0f, TOL);
	ck_assert_float_eq_tol(m.region_force_n[INS_REGION_TOES], 20.0f, TOL);
	ck_assert_float_eq(m.side_force_n[INS_REGION_TOES][INS_SIDE_MEDIAL], 0.0f);
	ck_assert_float_eq(m.side_force_n[INS_REGION_TOES][INS_SIDE_LATERAL], 0.0f);
	ck_assert_float_eq(m.contact_area_mm2, 500.0f);
	ck_assert_uint_eq(m.n_saturated, 0);

	/* Unloaded: no CoP. */
	memset(kpa, 0, sizeof(kpa));
	analysis_frame_compute(ctx, kpa, &m, NULL);
	ck_assert_float_eq(m.force_n, 0.0f);
	ck_assert(isnan(m.cop_x_mm) && isnan(m.cop_y_mm) && isnan(m.cop_x_norm) && isnan(m.cop_y_norm));
	ck_assert_float_eq(m.contact_area_mm2, 0.0f);
	ck_assert_float_eq(m.peak_kpa, 0.0f);
	analysis_frame_ctx_free(ctx);
	ins_layout_free(lay);
}
END_TEST

START_TEST(contact_threshold_is_strict)
{
	struct ins_layout *lay = fixture_layout_from_text(four_sensors);
	struct analysis_frame_ctx *ctx = new_ctx(lay);
	float kpa[4] = { INS_CONTACT_KPA, INS_CONTACT_KPA + 0.5f, 0, 0 };
	struct ins_frame_metrics m;

	analysis_frame_compute(ctx, kpa, &m, NULL);
	ck_assert_float_eq(m.contact_area_mm2, 1000.0f); /* only the second: 10 kPa is not contact */
	analysis_frame_ctx_free(ctx);
	ins_layout_free(lay);
}
END_TEST

START_TEST(uniform_pressure_on_the_dense_grid)
{
	struct ins_layout *lay = test_load_shipped("grid60x21");
	struct analysis_frame_ctx *ctx = new_ctx(lay);
	float *kpa = malloc(1260 * sizeof(float));
	struct ins_frame_metrics m;

	for (unsigned i = 0; i < 1260; i++)
		kpa[i] = 100.0f;
	analysis_frame_compute(ctx, kpa, &m, NULL);
	/* 1260 cells x 25 mm2 x 100 kPa = 3150 N; rows: heel 18, midfoot 18, forefoot 12, toes 12 */
	ck_assert_float_eq_tol(m.force_n, 3150.0f, 3150.0f * 1e-5f);
	ck_assert_float_eq_tol(m.cop_x_mm, 0.0f, 1e-3f);
	ck_assert_float_eq_tol(m.cop_y_mm, 150.0f, 150.0f * 1e-5f);
	ck_assert_float_eq_tol(m.region_force_n[INS_REGION_HEEL], 945.0f, 945.0f * 1e-5f);
	ck_assert_float_eq_tol(m.region_force_n[INS_REGION_MIDFOOT], 945.0f, 945.0f * 1e-5f);
	ck_assert_float_eq_tol(m.region_force_n[INS_REGION_FOREFOOT], 630.0f, 630.0f * 1e-5f);
	ck_assert_float_eq_tol(m.region_force_n[INS_REGION_TOES], 630.0f, 630.0f * 1e-5f);
	/* the middle column counts half to each side: 10.5 columns each */
	ck_assert_float_eq_tol(m.side_force_n[INS_REGION_HEEL][INS_SIDE_MEDIAL], 472.5f, 472.5f * 1e-5f);
	ck_assert_float_eq_tol(m.side_force_n[INS_REGION_HEEL][INS_SIDE_LATERAL], 472.5f, 472.5f * 1e-5f);
	ck_assert_float_eq_tol(m.side_force_n[INS_REGION_FOREFOOT][INS_SIDE_MEDIAL], 315.0f, 315.0f * 1e-5f);
	ck_assert_float_eq(m.contact_area_mm2, 31500.0f);
	ck_assert_float_eq(m.peak_kpa, 100.0f);
	ck_assert_uint_eq(m.n_saturated, 0);
	/* at 4095 counts every cell saturates */
	for (unsigned i = 0; i < 1260; i++)
		kpa[i] = 1023.75f;
	analysis_frame_compute(ctx, kpa, &m, NULL);
	ck_assert_uint_eq(m.n_saturated, 1260);
	free(kpa);
	analysis_frame_ctx_free(ctx);
	ins_layout_free(lay);
}
END_TEST

START_TEST(region_masks_of_fsr16)
{
	struct ins_layout *lay = test_load_shipped("fsr16");
	struct analysis_frame_ctx *ctx = new_ctx(lay);
	struct ins_frame_metrics m;
	struct analysis_frame_extra x;
	float kpa[16];

	for (unsigned s = 0; s < 16; s++) {
		const struct ins_sensor *sen = &lay->sensors[s];
		float f = 100.0f * sen->area_mm2 * 1e-3f;

		memset(kpa, 0, sizeof(kpa));
		kpa[s] = 100.0f;
		analysis_frame_compute(ctx, kpa, &m, &x);
		ck_assert_float_eq_tol(m.force_n, f, f * 1e-6f);
		ck_assert_float_eq_tol(m.cop_x_mm, sen->x_mm, 1e-4f);
		ck_assert_float_eq_tol(m.cop_y_mm, sen->y_mm, 1e-4f);
		for (unsigned r = 0; r < INS_REGION_COUNT; r++) {
			int mine = r == sen->region, split = mine && r != INS_REGION_TOES;

			ck_assert_float_eq_tol(m.region_force_n[r], mine ? f : 0.0f, f * 1e-6f);
			ck_assert_float_eq(x.region_peak_kpa[r], mine ? 100.0f : 0.0f);
			ck_assert_float_eq_tol(m.side_force_n[r][INS_SIDE_MEDIAL],
					       split && sen->side == INS_SIDE_MEDIAL ? f : 0.0f, f * 1e-6f);
			ck_assert_float_eq_tol(m.side_force_n[r][INS_SIDE_LATERAL],
					       split && sen->side == INS_SIDE_LATERAL ? f : 0.0f, f * 1e-6f);
		}
	}
	analysis_frame_ctx_free(ctx);
	ins_layout_free(lay);
}
END_TEST

START_TEST(raw_units_pass_through)
{
	struct ins_layout *lay = test_load_shipped("footswitch1");
	struct analysis_frame_ctx *ctx = new_ctx(lay);
	const uint16_t counts[1] = { 523 };
	struct ins_frame_metrics m;
	struct analysis_frame_extra x;
	float kpa[1];

	analysis_frame_calibrate(ctx, counts, kpa);
	ck_assert_float_eq(kpa[0], 523.0f);
	analysis_frame_compute(ctx, kpa, &m, &x);
	ck_assert_float_eq(m.force_n, 523.0f);
	ck_assert_float_eq(m.peak_kpa, 523.0f);
	ck_assert_float_eq(m.cop_x_mm, 0.0f);
	ck_assert_float_eq(m.cop_y_mm, 130.0f);
	ck_assert_float_eq(m.region_force_n[INS_REGION_MIDFOOT], 523.0f);
	ck_assert(isnan(m.contact_area_mm2));
	ck_assert_float_eq(x.region_peak_kpa[INS_REGION_MIDFOOT], 523.0f);
	ck_assert(isnan(x.region_peak_kpa[INS_REGION_HEEL]));
	analysis_frame_ctx_free(ctx);
	ins_layout_free(lay);
}
END_TEST

/* A one-sensor layout is calibrated and summed inline: the same bits as
 * the general paths for every count a 12-bit footswitch gives and beyond
 * its saturation, before and after a tare moves its zero. */
START_TEST(one_sensor_inline_paths_match_the_general_ones)
{
	struct ins_layout *lay = test_load_shipped("footswitch1");
	struct analysis_frame_ctx *ctx = new_ctx(lay);

	for (int tared = 0; tared < 2; tared++) {
		if (tared) {
			const uint16_t rest[1] = { 200 };

			analysis_frame_tare(ctx, rest);
		}
		for (uint32_t c = 0; c <= 65535; c += c < 4200 ? 1 : 977) {
			const uint16_t counts[1] = { (uint16_t)c };
			struct ins_frame_metrics m;
			struct analysis_frame_extra x;
			float inline_kpa[1], general_kpa[1], force, runs_force;
			unsigned sat, runs_sat;

			analysis_frame_calibrate(ctx, counts, inline_kpa);
			analysis_frame_calibrate_sensors(ctx, counts, general_kpa);
			ck_assert_mem_eq(inline_kpa, general_kpa, sizeof inline_kpa);
			force = analysis_frame_force(ctx, inline_kpa, &sat);
			runs_force = analysis_frame_force_runs(ctx, inline_kpa, &runs_sat);
			analysis_frame_compute(ctx, inline_kpa, &m, &x);
			ck_assert_mem_eq(&force, &runs_force, sizeof force);
			ck_assert_mem_eq(&force, &m.force_n, sizeof force);
			ck_assert_uint_eq(sat, runs_sat);
			ck_assert_uint_eq(sat, m.n_saturated);
		}
	}
	analysis_frame_ctx_free(ctx);
	ins_layout_free(lay);
}
END_TEST

/* Tab-separated fields of one Moticon line; empty fields are NaN. */
static unsigned split_tabs(char *line, double *v, unsigned max)
{
	unsigned n = 0;
	char *p = line;

	while (n < max) {
		char *tab = strchr(p, '\t'), *end;

		if (tab)
			*tab = '\0';
		v[n] = strtod(p, &end);
		if (end == p)
			v[n] = NAN;
		n++;
		if (!tab)
			break;
		p = tab + 1;
	}
	return n;
}

/* The CoP's noise floor on a dense grid (fixture: 5 x 12 cells of 400 mm2,
 * 0.4 N per kPa, row r centred at y = 20 r + 10 mm).  64 unloaded frames
 * alternating 0 and 4 kPa on every cell: mean 2, SD 2, floor 2 + 6 x 2 =
 * 14 kPa.  Then the heel row at 50 kPa with every other cell reading 4 kPa
 * of noise: force still counts every cell, 0.4 x (5 x 50 + 55 x 4) = 188 N,
 * but the CoP is the heel row's, y = 10 mm; without the floor the noise
 * pulls it to (2500 + 4 x 5 x 1430) / 470 = 66.17 mm.  A sparse insole
 * never learns a floor (vendors' CoP counts every sensor). */
START_TEST(cop_noise_floor_on_a_dense_grid)
{
	struct ins_layout *grid = fixture_grid();
	struct analysis_frame_ctx *ctx = new_ctx(grid);
	struct ins_frame_metrics m;
	float kpa[FXG_W * FXG_H];

	for (unsigned i = 0; i < FXG_W * FXG_H; i++)
		kpa[i] = i < FXG_W ? 50.0f : 4.0f;
	analysis_frame_compute(ctx, kpa, &m, NULL);
	ck_assert_float_eq_tol(m.force_n, 188.0f, TOL);
	ck_assert_float_eq_tol(m.cop_y_mm, 31100.0f / 470.0f, 1e-3f);
	for (unsigned k = 0; k < INS_NOISE_FLOOR_FRAMES; k++) {
		float noise[FXG_W * FXG_H];
		for (unsigned i = 0; i < FXG_W * FXG_H; i++)
			noise[i] = k % 2 ? 4.0f : 0.0f;
		analysis_frame_learn_noise(ctx, noise);
	}
	analysis_frame_compute(ctx, kpa, &m, NULL);
	ck_assert_float_eq_tol(m.force_n, 188.0f, TOL);
	ck_assert_float_eq_tol(m.cop_y_mm, 10.0f, TOL);
	ck_assert_float_eq_tol(m.cop_x_mm, 0.0f, TOL);
	ck_assert_float_eq_tol(m.cop_y_norm, 10.0f / (FXG_H * FXG_CELL), TOL);
	/* a cell at 14.5 kPa is above the 14 kPa floor and counts */
	ck_assert_float_eq(INS_NOISE_FLOOR_SD, 6.0f);
	kpa[FXG_W * 11] = 14.5f;
	analysis_frame_compute(ctx, kpa, &m, NULL);
	ck_assert_float_eq_tol(m.cop_y_mm, (2500.0f + 14.5f * 230.0f) / 264.5f, 1e-3f);
	kpa[FXG_W * 11] = 13.5f;
	analysis_frame_compute(ctx, kpa, &m, NULL);
	ck_assert_float_eq_tol(m.cop_y_mm, 10.0f, TOL);
	/* noise alone: force, but no centre of pressure */
	for (unsigned i = 0; i < FXG_W * FXG_H; i++)
		kpa[i] = 4.0f;
	analysis_frame_compute(ctx, kpa, &m, NULL);
	ck_assert_float_eq_tol(m.force_n, 96.0f, TOL);
	ck_assert(isnan(m.cop_x_mm) && isnan(m.cop_y_mm) && isnan(m.cop_x_norm) && isnan(m.cop_y_norm));
	analysis_frame_ctx_free(ctx);
	fixture_free(grid);

	struct ins_layout *lay = fixture_layout_from_text(four_sensors);
	const uint16_t counts[4] = { 100, 50, 200, 0 };
	float four[4];
	ctx = new_ctx(lay);
	for (unsigned k = 0; k < INS_NOISE_FLOOR_FRAMES; k++) {
		float noise[4] = { k % 2 ? 200.0f : 0.0f, k % 2 ? 200.0f : 0.0f, 0, 0 };
		analysis_frame_learn_noise(ctx, noise);
	}
	analysis_frame_calibrate(ctx, counts, four);
	analysis_frame_compute(ctx, four, &m, NULL);
	ck_assert_float_eq_tol(m.cop_y_mm, 72.0f, TOL); /* as in hand_computed_frame */
	analysis_frame_ctx_free(ctx);
	ins_layout_free(lay);
}
END_TEST

/* The noise floor is learned four cells at a time: every cell, the tail
 * after the last whole vector included (xsensor31x11 has 341 cells), must
 * get exactly the float operations of the definition, one cell at a time. */
START_TEST(noise_floor_is_exact_in_every_lane)
{
	struct ins_layout *lay = test_load_shipped("xsensor31x11");
	struct analysis_frame_ctx *ctx = new_ctx(lay);
	unsigned n = lay->n_sensors;
	float *kpa = calloc(n, sizeof(float)), *mean = calloc(n, sizeof(float)), *sq = calloc(n, sizeof(float));
	uint64_t state = 7;

	ck_assert_uint_ne(n % 4, 0);
	for (unsigned frame = 1; frame <= INS_NOISE_FLOOR_FRAMES + 10; frame++) {
		float a = 1.0f / (float)(frame < INS_NOISE_FLOOR_FRAMES ? frame : INS_NOISE_FLOOR_FRAMES);
		for (unsigned i = 0; i < n; i++)
			kpa[i] = i % 7 == 0 ? 0.0f : (float)(ins_splitmix64_next(&state) % 10000) / 997.0f;
		analysis_frame_learn_noise(ctx, kpa);
		for (unsigned i = 0; i < n; i++) {
			float m = mean[i] += a * (kpa[i] - mean[i]);
			float s = sq[i] += a * (kpa[i] * kpa[i] - sq[i]);
			float var = s - m * m;
			float floor = m + INS_NOISE_FLOOR_SD * (var > 0 ? sqrtf(var) : 0.0f);
			ck_assert_msg(memcmp(&floor, &ctx->cop_floor[i], sizeof(float)) == 0,
				      "frame %u cell %u: floor %a, want %a", frame, i, (double)ctx->cop_floor[i],
				      (double)floor);
		}
	}
	free(kpa);
	free(mean);
	free(sq);
	analysis_frame_ctx_free(ctx);
	ins_layout_free(lay);
}
END_TEST

START_TEST(moticon16_reproduces_vendor_force_and_cop)
{
	/* columns (0-based): left pressures 1-16, force 23, CoP X 24, CoP Y 25;
	 * right pressures 26-41, force 48, CoP X 49, CoP Y 50 */
	static const unsigned p0[2] = { 1, 26 }, fcol[2] = { 23, 48 };
	struct ins_layout *lay;
	struct analysis_frame_ctx *ctx;
	double worst_force = 0, worst_cop = 0;
	unsigned frames = 0;
	char *line = NULL;
	size_t cap = 0;
	char path[512];
	FILE *f = fopen(test_shared_path(path, sizeof(path), MOTICON_FILE), "r");

	ck_assert_msg(f != NULL, "%s: cannot open", path);
	lay = test_load_shipped("moticon16");
	ctx = new_ctx(lay);
	while (getline(&line, &cap, f) >= 0) {
		double v[64];
		unsigned n;

		if (line[0] == '#')
			continue;
		n = split_tabs(line, v, 64);
		for (unsigned foot = 0; foot < 2 && n > fcol[foot] + 2; foot++) {
			struct ins_frame_metrics m;
			float kpa[16];
			int complete = 1;

			for (unsigned i = 0; i < 16; i++) {
				complete &= !isnan(v[p0[foot] + i]);
				kpa[i] = (float)(v[p0[foot] + i] * 10.0); /* N/cm2 -> kPa */
			}
			/* Below 50 N the vendor's 1 N rounding alone exceeds 1 %. */
			if (!complete || !(v[fcol[foot]] > 50))
				continue;
			analysis_frame_compute(ctx, kpa, &m, NULL);
			worst_force = fmax(worst_force, fabs(m.force_n - v[fcol[foot]]) / v[fcol[foot]]);
			worst_cop = fmax(worst_cop, fabs((m.cop_y_norm - 0.5) - v[fcol[foot] + 1]));
			worst_cop = fmax(worst_cop, fabs(m.cop_x_norm - v[fcol[foot] + 2]));
			frames++;
		}
	}
	free(line);
	fclose(f);
	fprintf(stderr, "check_frame: moticon16 vs vendor over %u loaded frames: worst force error %.3f %%, "
		"worst CoP error %.5f (normalised)\n", frames, 100 * worst_force, worst_cop);
	ck_assert_uint_gt(frames, 1000);
	ck_assert_double_le(worst_force, 0.01);
	ck_assert_double_le(worst_cop, 0.01);
	analysis_frame_ctx_free(ctx);
	ins_layout_free(lay);
}
END_TEST

Suite *ins_suite_frame(void);
Suite *ins_suite_frame(void)
{
	Suite *s = suite_create("frame");
	TCase *tc = tcase_create("metrics");
	TCase *vendor = ins_shared_data_tcase("vendor_reference");

	tcase_add_test(tc, hand_computed_frame);
	tcase_add_test(tc, contact_threshold_is_strict);
	tcase_add_test(tc, uniform_pressure_on_the_dense_grid);
	tcase_add_test(tc, region_masks_of_fsr16);
	tcase_add_test(tc, raw_units_pass_through);
	tcase_add_test(tc, one_sensor_inline_paths_match_the_general_ones);
	tcase_add_test(tc, cop_noise_floor_on_a_dense_grid);
	tcase_add_test(tc, noise_floor_is_exact_in_every_lane);
	suite_add_tcase(s, tc);
	tcase_add_test(vendor, moticon16_reproduces_vendor_force_and_cop);
	suite_add_tcase(s, vendor);
	return s;
}
