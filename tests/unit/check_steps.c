/* Per-step metrics with hand-computed answers: frames are built by hand
 * (piecewise-linear force curves whose vertices sit on frames, constant or
 * scripted load distributions and CoP paths) and every metric is compared
 * with its exact value. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "insoled/analysis.h"
#include "insoled/synth.h"
#include "../../daemon/analysis/steps.h"
#include "analysis_fixtures.h"
#include "lib.h"

#define EPS 1e-6

static struct analysis_step_acc *acc;
static struct ins_layout *layout;

static void setup(void)
{
	layout = fixture_sparse5(0);
	acc = calloc(1, sizeof(*acc));
	ck_assert_ptr_nonnull(acc);
	analysis_step_acc_init(acc, layout, NULL);
}

static void teardown(void)
{
	free(acc);
	fixture_free(layout);
}

static void new_step(struct ins_step *st)
{
	memset(st, 0, sizeof(*st));
	for (unsigned i = 0; i < INS_M_COUNT; i++)
		st->m[i] = NAN;
}

/* One frame: force split by fixed shares over heel/midfoot/forefoot/toes,
 * medial/lateral shares of the whole, CoP given. */
static void push(double t_ms, double force, const double share[INS_REGION_COUNT], double medial_share,
		 double cop_x, double cop_y, double area, double peak_kpa, int saturated, int gap)
{
	struct ins_frame_metrics fm;
	float region_peak[INS_REGION_COUNT];

	memset(&fm, 0, sizeof(fm));
	fm.t_us = (int64_t)llround(t_ms * 1000);
	fm.force_n = (float)force;
	fm.cop_x_mm = (float)cop_x;
	fm.cop_y_mm = (float)cop_y;
	fm.contact_area_mm2 = (float)area;
	fm.peak_kpa = (float)peak_kpa;
	fm.n_saturated = (uint16_t)saturated;
	for (unsigned g = 0; g < INS_REGION_COUNT; g++) {
		/* a NaN share stands for a region without sensors */
		fm.region_force_n[g] = isnan(share[g]) ? 0.0f : (float)(force * share[g]);
		region_peak[g] = (float)(force * share[g]); /* one 1000 mm2 sensor: kPa == N */
	}
	fm.side_force_n[INS_REGION_HEEL][INS_SIDE_MEDIAL] = (float)(force * medial_share);
	fm.side_force_n[INS_REGION_HEEL][INS_SIDE_LATERAL] = (float)(force * (1 - medial_share));
	analysis_step_acc_push(acc, &fm, region_peak, gap);
}

/* Walking force curve: 0 -> 800 N at 150 ms -> 500 N at 300 ms -> 900 N at
 * 450 ms -> 0 at 600 ms, frames every 10 ms. */
static double walking_force(double t)
{
	if (t <= 150)
		return 800 * t / 150;
	if (t <= 300)
		return 800 - 300 * (t - 150) / 150;
	if (t <= 450)
		return 500 + 400 * (t - 300) / 150;
	return 900 - 900 * (t - 450) / 150;
}

static const double heel_only[INS_REGION_COUNT] = { 1, 0, 0, 0 };

START_TEST(walking_force_curve_features)
{
	struct ins_step st;

	/* swing frames before and after must not count */
	push(-20, 0, heel_only, 0.5, NAN, NAN, 0, 0, 0, 0);
	for (int t = 0; t <= 600; t += 10)
		push(t, walking_force(t), heel_only, 0.5, 0, 50, 1000, walking_force(t), 0, 0);
	push(610, 0, heel_only, 0.5, NAN, NAN, 0, 0, 0, 0);
	new_step(&st);
	analysis_step_acc_close(acc, 0, 600000, 800, NULL, &st);
	ck_assert_double_eq_tol(st.m[INS_M_PEAK_FORCE_N], 900, EPS);
	ck_assert_double_eq_tol(st.m[INS_M_FIRST_PEAK_N], 800, EPS);
	ck_assert_double_eq_tol(st.m[INS_M_FIRST_PEAK_PCT], 25, EPS);
	ck_assert_double_eq_tol(st.m[INS_M_VALLEY_N], 500, EPS);
	ck_assert_double_eq_tol(st.m[INS_M_VALLEY_PCT], 50, EPS);
	ck_assert_double_eq_tol(st.m[INS_M_SECOND_PEAK_N], 900, EPS);
	ck_assert_double_eq_tol(st.m[INS_M_SECOND_PEAK_PCT], 75, EPS);
	/* 20 % (160 N) at 30 ms, 80 % (640 N) at 120 ms: 480 N / 0.09 s */
	ck_assert_double_eq_tol(st.m[INS_M_LOADING_RATE_NS], 480.0 / 0.09, 1e-3);
	ck_assert_double_eq_tol(st.m[INS_M_LOADING_RATE_BWS], 480.0 / 0.09 / 800, 1e-6);
	/* trapezoid = exact for vertices on frames: 60 + 97.5 + 105 + 67.5 */
	ck_assert_double_eq_tol(st.m[INS_M_FTI_NS], 330, 1e-4);
	ck_assert_double_eq_tol(st.m[INS_M_MEAN_FORCE_N], 550, 1e-4);
	ck_assert_uint_eq(st.flags, 0);
	/* temporal metrics belong to the engine: untouched here */
	ck_assert(isnan(st.m[INS_M_STANCE_MS]));
}
END_TEST

/* Forefoot-strike running: one peak, 1600 N at 100 ms (40 % of 250 ms):
 * no impact peak, so the loading rate is the 3-12 % slope = 16000 N/s. */
START_TEST(running_single_peak_uses_early_stance_loading_rate)
{
	struct ins_step st;

	for (int t = 0; t <= 250; t += 10) {
		double f = t <= 100 ? 16.0 * t : 1600 - 1600.0 * (t - 100) / 150;
		push(t, f, heel_only, 0.5, 0, 200, 1000, f, 0, 0);
	}
	new_step(&st);
	analysis_step_acc_close(acc, 0, 250000, 0, NULL, &st);
	ck_assert_double_eq_tol(st.m[INS_M_FIRST_PEAK_N], 1600, EPS);
	ck_assert_double_eq_tol(st.m[INS_M_FIRST_PEAK_PCT], 40, EPS);
	ck_assert(isnan(st.m[INS_M_VALLEY_N]));
	ck_assert(isnan(st.m[INS_M_SECOND_PEAK_N]));
	ck_assert(isnan(st.m[INS_M_SECOND_PEAK_PCT]));
	ck_assert_double_eq_tol(st.m[INS_M_LOADING_RATE_NS], 16000, 1e-3);
	ck_assert(isnan(st.m[INS_M_LOADING_RATE_BWS])); /* body weight unknown */
	ck_assert_double_eq_tol(st.m[INS_M_FTI_NS], 0.5 * 1600 * 0.25, 1e-4);
	/* strike index 200/260 = 76.9 %: forefoot */
	ck_assert_double_eq_tol(st.m[INS_M_STRIKE_INDEX_PCT], 100.0 * 200 / 260, 1e-4);
	ck_assert_double_eq_tol(st.m[INS_M_STRIKE_PATTERN], 2, EPS);
}
END_TEST

/* A small ripple (under 5 % of the peak) is not a second peak. */
START_TEST(ripple_is_not_a_peak)
{
	static const double f[] = { 0, 400, 800, 1000, 980, 990, 700, 300, 0 };
	struct ins_step st;

	for (unsigned k = 0; k < sizeof(f) / sizeof(f[0]); k++)
		push(k * 10.0, f[k], heel_only, 0.5, 0, 50, 1000, f[k], 0, 0);
	new_step(&st);
	analysis_step_acc_close(acc, 0, 80000, 0, NULL, &st);
	ck_assert_double_eq_tol(st.m[INS_M_FIRST_PEAK_N], 1000, EPS);
	ck_assert_double_eq_tol(st.m[INS_M_FIRST_PEAK_PCT], 37.5, EPS);
	ck_assert(isnan(st.m[INS_M_SECOND_PEAK_N]));
}
END_TEST

/* Constant 1000 N for 500 ms shared heel 40 % / midfoot 10 % / forefoot
 * 40 % / toes 10 %, 60 % of it medial. */
START_TEST(loads_pressures_and_balance)
{
	static const double share[INS_REGION_COUNT] = { 0.4, 0.1, 0.4, 0.1 };
	struct ins_step st;

	for (int t = 0; t <= 500; t += 10)
		push(t, 1000, share, 0.6, 6, 118, 5000, 400, t == 250, 0);
	new_step(&st);
	analysis_step_acc_close(acc, 0, 500000, 0, NULL, &st);
	ck_assert_double_eq_tol(st.m[INS_M_FTI_NS], 500, 1e-3);
	ck_assert_double_eq_tol(st.m[INS_M_MEAN_FORCE_N], 1000, 1e-3);
	ck_assert_double_eq_tol(st.m[INS_M_HEEL_LOAD_PCT], 40, 1e-4);
	ck_assert_double_eq_tol(st.m[INS_M_MIDFOOT_LOAD_PCT], 10, 1e-4);
	ck_assert_double_eq_tol(st.m[INS_M_FOREFOOT_LOAD_PCT], 40, 1e-4);
	ck_assert_double_eq_tol(st.m[INS_M_TOES_LOAD_PCT], 10, 1e-4);
	/* proxies exclude the toes: 100 / 900 */
	ck_assert_double_eq_tol(st.m[INS_M_MIDFOOT_LOAD_INDEX], 100.0 / 9, 1e-4);
	ck_assert_double_eq_tol(st.m[INS_M_MIDFOOT_SHARE_MIDSTANCE], 100.0 / 9, 1e-4);
	ck_assert_double_eq_tol(st.m[INS_M_ML_BALANCE], 0.2, 1e-6);
	ck_assert_double_eq_tol(st.m[INS_M_PEAK_PRESSURE_KPA], 400, EPS);
	ck_assert_double_eq_tol(st.m[INS_M_CONTACT_AREA_MM2], 5000, EPS);
	/* F / A = 1000 N / 5000 mm2 = 200 kPa */
	ck_assert_double_eq_tol(st.m[INS_M_MEAN_PRESSURE_KPA], 200, 1e-4);
	ck_assert_double_eq_tol(st.m[INS_M_HEEL_PEAK_KPA], 400, EPS);
	ck_assert_double_eq_tol(st.m[INS_M_MIDFOOT_PEAK_KPA], 100, EPS);
	ck_assert_double_eq_tol(st.m[INS_M_FOREFOOT_PEAK_KPA], 400, EPS);
	ck_assert_double_eq_tol(st.m[INS_M_TOES_PEAK_KPA], 100, EPS);
	/* PTI (a): integral of the region's highest pressure: 400 kPa x 0.5 s */
	ck_assert_double_eq_tol(st.m[INS_M_HEEL_PTI_KPAS], 200, 1e-4);
	ck_assert_double_eq_tol(st.m[INS_M_MIDFOOT_PTI_KPAS], 50, 1e-4);
	ck_assert_double_eq_tol(st.m[INS_M_FOREFOOT_PTI_KPAS], 200, 1e-4);
	ck_assert_double_eq_tol(st.m[INS_M_TOES_PTI_KPAS], 50, 1e-4);
	/* constant CoP: no path, no width, no construction line for CPEI */
	ck_assert_double_eq_tol(st.m[INS_M_COP_PATH_MM], 0, EPS);
	ck_assert_double_eq_tol(st.m[INS_M_COP_ML_WIDTH_MM], 0, EPS);
	ck_assert(isnan(st.m[INS_M_CPEI_PCT]));
	ck_assert_double_eq_tol(st.m[INS_M_STRIKE_INDEX_PCT], 100.0 * 118 / 260, 1e-4);
	ck_assert_double_eq_tol(st.m[INS_M_STRIKE_PATTERN], 1, EPS);
	ck_assert(isnan(st.m[INS_M_ARCH_INDEX])); /* sparse layout */
	ck_assert_uint_eq(st.flags, INS_STEP_SATURATED);
}
END_TEST

/* CoP path (0,20) -> (-9,120) -> (-6,220) -> (12,240).  At y = 2/3 x 260:
 * the path is at x = -7.4, the first-to-last line at 12 x 153.33/220. */
START_TEST(cop_path_cpei_and_strike)
{
	static const double px[] = { 0, -9, -6, 12 }, py[] = { 20, 120, 220, 240 };
	struct ins_step st;

	for (unsigned k = 0; k < 4; k++)
		/* three frames lost before the third: more than are bridged */
		push(k * 100.0, 700, heel_only, 0.5, px[k], py[k], 1000, 700, 0, k == 2 ? 3 : 0);
	new_step(&st);
	analysis_step_acc_close(acc, 0, 300000, 0, NULL, &st);
	ck_assert_double_eq_tol(st.m[INS_M_COP_START_X_MM], 0, EPS);
	ck_assert_double_eq_tol(st.m[INS_M_COP_START_Y_MM], 20, EPS);
	ck_assert_double_eq_tol(st.m[INS_M_COP_END_X_MM], 12, EPS);
	ck_assert_double_eq_tol(st.m[INS_M_COP_END_Y_MM], 240, EPS);
	ck_assert_double_eq_tol(st.m[INS_M_COP_PATH_MM], hypot(9, 100) + hypot(3, 100) + hypot(18, 20), 1e-4);
	ck_assert_double_eq_tol(st.m[INS_M_COP_ML_WIDTH_MM], 21, 1e-5);
	double line_x = 12.0 * (260.0 * 2 / 3 - 20) / 220, path_x = -7.4;
	ck_assert_double_eq_tol(st.m[INS_M_CPEI_PCT], 100.0 * (line_x - path_x) / 100.0, 1e-4);
	ck_assert_double_eq_tol(st.m[INS_M_STRIKE_INDEX_PCT], 100.0 * 20 / 260, 1e-4);
	ck_assert_double_eq_tol(st.m[INS_M_STRIKE_PATTERN], 0, EPS);
	ck_assert_uint_eq(st.flags, INS_STEP_GAP);
}
END_TEST

/* An insole without toe sensors: toe peak and PTI are not measured (NaN),
 * not 0 kPa; the toes' share of the load is truly 0 %. */
START_TEST(region_without_sensors_is_not_measured)
{
	static const double share[INS_REGION_COUNT] = { 0.5, 0.2, 0.3, NAN };
	struct ins_step st;

	for (int t = 0; t <= 400; t += 10)
		push(t, 600, share, 0.5, 0, 100, 3000, 300, 0, 0);
	new_step(&st);
	analysis_step_acc_close(acc, 0, 400000, 0, NULL, &st);
	ck_assert(isnan(st.m[INS_M_TOES_PEAK_KPA]));
	ck_assert(isnan(st.m[INS_M_TOES_PTI_KPAS]));
	ck_assert_double_eq_tol(st.m[INS_M_TOES_LOAD_PCT], 0, EPS);
	ck_assert_double_eq_tol(st.m[INS_M_HEEL_PEAK_KPA], 300, EPS);
	ck_assert_double_eq_tol(st.m[INS_M_FOREFOOT_PTI_KPAS], 180 * 0.4, 1e-4);
}
END_TEST

START_TEST(uncalibrated_layout_gives_no_magnitudes)
{
	struct ins_layout *raw = fixture_footswitch();
	struct ins_step st;

	analysis_step_acc_init(acc, raw, NULL);
	for (int t = 0; t <= 600; t += 10)
		push(t, walking_force(t), heel_only, 0.5, 0, 130, NAN, walking_force(t), 0, 0);
	new_step(&st);
	analysis_step_acc_close(acc, 0, 600000, 700, NULL, &st);
	for (unsigned i = 0; i < INS_M_COUNT; i++)
		ck_assert_msg(isnan(st.m[i]), "%s should be NaN on raw units", ins_step_metric_info[i].name);
	fixture_free(raw);
}
END_TEST

/* ---- Arch Index ---------------------------------------------------------- */

/* Grid rows 0-9 carry the non-toe footprint (length 200 mm: thirds end at
 * 66.7 and 133.3 mm): rows 0-2 (heel third) 3 cells each, rows 3-6 (cell
 * centres 70-130: midfoot third) 1 cell each, rows 7-9 5 cells each, toes
 * rows 10-11 all loaded (excluded).  AI = 4 / (9 + 4 + 15). */
static void footprint(float *peak, const struct ins_layout *g)
{
	for (unsigned i = 0; i < g->n_sensors; i++) {
		unsigned row = i / FXG_W, col = i % FXG_W;
		int on = row <= 2 ? col >= 1 && col <= 3 : row <= 6 ? col == 0 : 1;
		peak[i] = on ? 150.0f : 5.0f; /* 5 kPa: below the contact threshold */
	}
}

START_TEST(arch_index_from_footprint)
{
	struct ins_layout *g = fixture_grid();
	float peak[FXG_W * FXG_H];

	footprint(peak, g);
	ck_assert_double_eq_tol(analysis_arch_index_of(g, peak), 4.0 / 28.0, 1e-9);
	ck_assert(isnan(analysis_arch_index_of(layout, peak)));
	fixture_free(g);
}
END_TEST

START_TEST(arch_index_per_step_on_dense_layout)
{
	struct ins_layout *g = fixture_grid();
	float *fp = calloc(g->n_sensors, sizeof(float)), kpa[FXG_W * FXG_H];
	struct ins_step st;

	analysis_step_acc_init(acc, g, fp);
	footprint(kpa, g);
	/* the footprint is the per-cell maximum over the frames */
	for (int t = 0; t <= 300; t += 10) {
		float frame[FXG_W * FXG_H];
		for (unsigned i = 0; i < g->n_sensors; i++)
			frame[i] = kpa[i] * (float)(t <= 150 ? t : 300 - t) / 150.0f;
		analysis_step_acc_footprint(acc, frame);
		push(t, 500, heel_only, 0.5, 0, 50, 1000, 150, 0, 0);
	}
	new_step(&st);
	analysis_step_acc_close(acc, 0, 300000, 0, NULL, &st);
	ck_assert_double_eq_tol(st.m[INS_M_ARCH_INDEX], 4.0 / 28.0, 1e-9);
	/* closing a step clears the footprint for the next one */
	for (unsigned i = 0; i < g->n_sensors; i++)
		ck_assert_float_eq(fp[i], 0.0f);
	free(fp);
	fixture_free(g);
}
END_TEST

/* Strike index on a noisy dense grid: the synthetic rearfoot walker through
 * grid60x21 with sensor noise of 0.5 % of full scale (5 kPa SD on each of
 * 1,260 cells) must read the same strike index, step for step, as the same
 * walk without noise (13 % of foot length), once the CoP's per-cell noise
 * floor has been learned in the foot's first swing (steps from index 1).
 * Without the floor the unloaded cells' noise pulled it to ~32 %. */
#define NOISY_GRID_STEPS 60
#define STRIKE_TOL_PCT 1.5

static unsigned strike_indices(double noise, double *si, unsigned *index, unsigned max)
{
	char err[512];
	struct ins_layout *l = test_load_shipped("grid60x21");
	struct ins_synth_params p;
	struct ins_synth *syn;
	struct ins_analysis *ana;
	struct ins_frame_metrics fm;
	struct ins_step st;
	uint16_t counts[INS_MAX_SENSORS];
	unsigned n = 0;

	ins_synth_defaults(&p);
	p.noise = noise;
	syn = ins_synth_new(&p, l, err, sizeof err);
	ck_assert_msg(syn != NULL, "%s", err);
	struct ins_analysis_config cfg = { .layout = { l, l }, .body_weight_n = p.body_weight_n };
	ana = ins_analysis_new(&cfg, err, sizeof err);
	ck_assert_msg(ana != NULL, "%s", err);
	for (uint32_t k = 0; k < 2000; k++) {
		for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
			int64_t t;
			ins_synth_next(syn, foot, counts, &t);
			struct ins_frame f = { .foot = (uint8_t)foot, .n = l->n_sensors, .seq = k, .t_us = t,
					       .values = counts };
			ck_assert_int_eq(ins_analysis_feed(ana, &f, &fm), 0);
			while (ins_analysis_next_step(ana, &st) && n < max) {
				si[n] = st.m[INS_M_STRIKE_INDEX_PCT];
				index[n++] = st.index;
			}
		}
	}
	ins_analysis_free(ana);
	ins_synth_free(syn);
	ins_layout_free(l);
	return n;
}

START_TEST(strike_index_on_a_noisy_dense_grid)
{
	double clean[NOISY_GRID_STEPS], noisy[NOISY_GRID_STEPS];
	unsigned clean_index[NOISY_GRID_STEPS], noisy_index[NOISY_GRID_STEPS];
	unsigned n = strike_indices(0, clean, clean_index, NOISY_GRID_STEPS);

	ck_assert_uint_eq(strike_indices(0.005, noisy, noisy_index, NOISY_GRID_STEPS), n);
	ck_assert_uint_ge(n, 34); /* 20 s at 110 steps/min, less the open stances */
	for (unsigned k = 0; k < n; k++) {
		ck_assert_uint_eq(noisy_index[k], clean_index[k]);
		ck_assert_double_eq_tol(clean[k], 13.0, 0.5); /* rearfoot */
		if (noisy_index[k] >= 1)
			ck_assert_msg(fabs(noisy[k] - clean[k]) <= STRIKE_TOL_PCT,
				      "step %u (index %u): strike index %.1f %% with noise, %.1f %% without", k,
				      noisy_index[k], noisy[k], clean[k]);
	}
}
END_TEST

START_TEST(arch_index_classes_name_their_thresholds)
{
	const struct ins_arch_thresholds *cr = &ins_arch_thresholds_cavanagh1987;
	const struct ins_arch_thresholds *bu = &ins_arch_thresholds_buldt2018;

	ck_assert_str_eq(cr->name, "cavanagh1987");
	ck_assert_str_eq(bu->name, "buldt2018");
	ck_assert_int_eq(ins_arch_index_classify(0.21, cr), INS_ARCH_HIGH);
	ck_assert_int_eq(ins_arch_index_classify(0.2101, cr), INS_ARCH_NORMAL);
	ck_assert_int_eq(ins_arch_index_classify(0.26, cr), INS_ARCH_FLAT);
	ck_assert_int_eq(ins_arch_index_classify(0.11, bu), INS_ARCH_NORMAL);
	ck_assert_int_eq(ins_arch_index_classify(0.1099, bu), INS_ARCH_HIGH);
	ck_assert_int_eq(ins_arch_index_classify(0.25, bu), INS_ARCH_NORMAL);
	ck_assert_int_eq(ins_arch_index_classify(0.2501, bu), INS_ARCH_FLAT);
	ck_assert_int_eq(ins_arch_index_classify(4.0 / 28.0, cr), INS_ARCH_HIGH);
	ck_assert_int_eq(ins_arch_index_classify(4.0 / 28.0, bu), INS_ARCH_NORMAL);
	ck_assert_int_eq(ins_arch_index_classify(NAN, cr), -1);
	ck_assert_str_eq(ins_arch_class_name(INS_ARCH_FLAT), "flat");
	ck_assert_str_eq(ins_arch_class_name(-1), "unknown");
}
END_TEST

Suite *ins_suite_steps(void);
Suite *ins_suite_steps(void)
{
	Suite *s = suite_create("steps");
	TCase *tc = tcase_create("metrics");
	/* two 20 s synthetic walks on a 1,260-cell grid: seconds under sanitizers */
	tcase_set_timeout(tc, 60);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, walking_force_curve_features);
	tcase_add_test(tc, running_single_peak_uses_early_stance_loading_rate);
	tcase_add_test(tc, ripple_is_not_a_peak);
	tcase_add_test(tc, loads_pressures_and_balance);
	tcase_add_test(tc, cop_path_cpei_and_strike);
	tcase_add_test(tc, region_without_sensors_is_not_measured);
	tcase_add_test(tc, uncalibrated_layout_gives_no_magnitudes);
	tcase_add_test(tc, arch_index_from_footprint);
	tcase_add_test(tc, arch_index_per_step_on_dense_layout);
	tcase_add_test(tc, arch_index_classes_name_their_thresholds);
	tcase_add_test(tc, strike_index_on_a_noisy_dense_grid);
	suite_add_tcase(s, tc);
	return s;
}
