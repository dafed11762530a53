/* Session summary (mean/SD/CV, symmetry, quality, arch trend with its CI)
 * and the JSON/CSV renderings every consumer shares, on hand-made steps
 * with hand-computed answers. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "insoled/analysis.h"
#include "insoled/analysis_json.h"
#include "insoled/synth.h"
#include "lib.h"

static void make_step(struct ins_step *st, unsigned foot, unsigned index, double minutes)
{
	memset(st, 0, sizeof(*st));
	for (unsigned i = 0; i < INS_M_COUNT; i++)
		st->m[i] = NAN;
	st->foot = (uint8_t)foot;
	st->index = index;
	st->contact_us = (int64_t)llround(minutes * 60e6);
	st->toe_off_us = st->contact_us + 600000;
}

/* A walk, a pivot, more walking, a stop of 10 s and a new walk on the left
 * foot, three steps of the right, fed interleaved through the termination
 * delay: each step comes out once the foot's next one is in, the step
 * before the irregular pivot and the step before the new walk's initiation
 * flagged TERMINATION, nothing else changed; the held last steps come out
 * at the end, earliest first, unflagged.  A summary of the delayed steps
 * equals the summary of the same steps as they came (which holds steps
 * back itself). */
static const unsigned delay_flags_in[9] = { INS_STEP_INITIATION, 0, 0, 0, INS_STEP_IRREGULAR,
					    0, 0, INS_STEP_INITIATION, 0 };
static const unsigned delay_flags_out[9] = { INS_STEP_INITIATION, 0, 0, INS_STEP_TERMINATION,
					     INS_STEP_IRREGULAR, 0, INS_STEP_TERMINATION, INS_STEP_INITIATION, 0 };

START_TEST(termination_is_flagged_one_step_late)
{
	struct ins_summary_acc *live = ins_summary_acc_new(), *back = ins_summary_acc_new();
	struct ins_summary a, b;
	struct ins_step_delay d;
	struct ins_step st, out, seen[12];
	unsigned n = 0;

	ins_step_delay_init(&d);
	for (unsigned k = 0; k < 12; k++) {
		unsigned foot = k < 6 ? k % 2 : INS_FOOT_LEFT, index = k < 6 ? k / 2 : k - 3;
		make_step(&st, foot, index, (k < 9 ? k : k + 10) / 60.0);
		st.m[INS_M_STANCE_MS] = 600 + 10 * k;
		st.flags = foot == INS_FOOT_LEFT ? delay_flags_in[index] : (index ? 0 : INS_STEP_INITIATION);
		ins_summary_acc_add(live, &st);
		if (ins_step_delay_push(&d, &st, &out))
			seen[n++] = out;
	}
	while (ins_step_delay_flush(&d, &out))
		seen[n++] = out;
	ck_assert_uint_eq(n, 12);
	ck_assert_int_eq(seen[10].foot, INS_FOOT_RIGHT); /* flushed earliest first */
	ck_assert_int_eq(seen[11].foot, INS_FOOT_LEFT);
	for (unsigned k = 0; k < n; k++) {
		unsigned want = seen[k].foot == INS_FOOT_LEFT ? delay_flags_out[seen[k].index]
							      : (seen[k].index ? 0 : INS_STEP_INITIATION);
		ck_assert_msg(seen[k].flags == want, "%s step %u: flags %u, expected %u", ins_foot_name(seen[k].foot),
			      seen[k].index, seen[k].flags, want);
		ins_summary_acc_add(back, &seen[k]);
	}
	ins_summary_acc_finish(live, &a);
	ins_summary_acc_finish(back, &b);
	ck_assert_uint_eq(a.termination_steps[INS_FOOT_LEFT], 2);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		ck_assert_uint_eq(a.excluded_steps[foot], b.excluded_steps[foot]);
		ck_assert_uint_eq(a.termination_steps[foot], b.termination_steps[foot]);
		ck_assert_uint_eq(a.foot[foot][INS_M_STANCE_MS].n, b.foot[foot][INS_M_STANCE_MS].n);
		ck_assert_double_eq_tol(a.foot[foot][INS_M_STANCE_MS].mean, b.foot[foot][INS_M_STANCE_MS].mean, 1e-9);
	}
	ck_assert_uint_eq(a.foot[INS_FOOT_LEFT][INS_M_STANCE_MS].n, 4);
	ins_summary_acc_free(live);
	ins_summary_acc_free(back);
}
END_TEST

START_TEST(mean_sd_cv_and_symmetry)
{
	struct ins_summary_acc *acc = ins_summary_acc_new();
	struct ins_summary sum;
	struct ins_step st;
	static const double left[] = { 600, 620, 640 }, right[] = { 660, 680, 700 };

	for (unsigned k = 0; k < 3; k++) {
		make_step(&st, INS_FOOT_LEFT, k, k);
		st.m[INS_M_STANCE_MS] = left[k];
		st.m[INS_M_ML_BALANCE] = -0.1;
		st.flags = k == 1 ? INS_STEP_SATURATED : 0;
		ins_summary_acc_add(acc, &st);
		make_step(&st, INS_FOOT_RIGHT, k, k + 0.5);
		st.m[INS_M_STANCE_MS] = right[k];
		st.m[INS_M_ML_BALANCE] = 0.1;
		st.flags = k == 2 ? INS_STEP_SATURATED : 0;
		ins_summary_acc_add(acc, &st);
	}
	/* frames lost during this stance: listed, counted, left out */
	make_step(&st, INS_FOOT_RIGHT, 3, 3.5);
	st.m[INS_M_STANCE_MS] = 5000;
	st.flags = INS_STEP_GAP;
	ins_summary_acc_add(acc, &st);
	ins_summary_acc_finish(acc, &sum);
	ck_assert_uint_eq(sum.steps[INS_FOOT_LEFT], 3);
	ck_assert_uint_eq(sum.steps[INS_FOOT_RIGHT], 4);
	ck_assert_uint_eq(sum.excluded_steps[INS_FOOT_RIGHT], 1);
	ck_assert_uint_eq(sum.foot[INS_FOOT_RIGHT][INS_M_STANCE_MS].n, 3);
	const struct ins_metric_stats *l = &sum.foot[INS_FOOT_LEFT][INS_M_STANCE_MS];
	ck_assert_uint_eq(l->n, 3);
	ck_assert_double_eq_tol(l->mean, 620, 1e-9);
	ck_assert_double_eq_tol(l->sd, 20, 1e-9);
	ck_assert_double_eq_tol(l->cv_pct, 100.0 * 20 / 620, 1e-9);
	/* (680 - 620) / 650 x 100: right larger = positive */
	ck_assert_double_eq_tol(sum.symmetry_pct[INS_M_STANCE_MS], 100.0 * 60 / 650, 1e-9);
	/* signed metric: no symmetry index */
	ck_assert(isnan(sum.symmetry_pct[INS_M_ML_BALANCE]));
	/* metric never present */
	ck_assert_uint_eq(sum.foot[INS_FOOT_LEFT][INS_M_ARCH_INDEX].n, 0);
	ck_assert(isnan(sum.foot[INS_FOOT_LEFT][INS_M_ARCH_INDEX].mean));
	ck_assert(isnan(sum.symmetry_pct[INS_M_ARCH_INDEX]));
	ck_assert_uint_eq(sum.saturated_steps[INS_FOOT_LEFT], 1);
	ck_assert_uint_eq(sum.saturated_steps[INS_FOOT_RIGHT], 1);
	ck_assert_uint_eq(sum.gap_steps[INS_FOOT_LEFT], 0);
	ck_assert_uint_eq(sum.gap_steps[INS_FOOT_RIGHT], 1);
	ins_summary_acc_free(acc);
}
END_TEST

/* Standing, a walk, standing: the initiation step (no stride), the last
 * steady-looking step before the stop (termination) and the irregular
 * standing "step" are counted by reason and left out; the three steps of
 * steady walking between them make the statistics. */
START_TEST(steps_that_are_not_steady_gait_are_left_out)
{
	struct ins_summary_acc *acc = ins_summary_acc_new();
	struct ins_summary sum;
	struct ins_step st;
	static const double stance[] = { 5866, 640, 650, 660, 700, 2842 };
	static const unsigned flags[] = { INS_STEP_INITIATION, 0, 0, 0, 0, INS_STEP_IRREGULAR };

	for (unsigned k = 0; k < 6; k++) {
		make_step(&st, INS_FOOT_LEFT, k, k / 60.0);
		st.m[INS_M_STANCE_MS] = stance[k];
		st.flags = flags[k];
		ins_summary_acc_add(acc, &st);
		ck_assert_int_eq(ins_step_steady(&st), flags[k] == 0);
	}
	ins_summary_acc_finish(acc, &sum);
	ck_assert_uint_eq(sum.steps[INS_FOOT_LEFT], 6);
	ck_assert_uint_eq(sum.excluded_steps[INS_FOOT_LEFT], 3);
	ck_assert_uint_eq(sum.initiation_steps[INS_FOOT_LEFT], 1);
	ck_assert_uint_eq(sum.termination_steps[INS_FOOT_LEFT], 1);
	ck_assert_uint_eq(sum.irregular_steps[INS_FOOT_LEFT], 1);
	ck_assert_uint_eq(sum.foot[INS_FOOT_LEFT][INS_M_STANCE_MS].n, 3);
	ck_assert_double_eq_tol(sum.foot[INS_FOOT_LEFT][INS_M_STANCE_MS].mean, 650, 1e-9);
	/* a walk still going at the end: its last step counts */
	make_step(&st, INS_FOOT_LEFT, 6, 0.2);
	st.m[INS_M_STANCE_MS] = 650;
	ins_summary_acc_add(acc, &st);
	ins_summary_acc_finish(acc, &sum);
	ck_assert_uint_eq(sum.foot[INS_FOOT_LEFT][INS_M_STANCE_MS].n, 4);
	ins_summary_acc_free(acc);
}
END_TEST

START_TEST(single_step_has_no_spread)
{
	struct ins_summary_acc *acc = ins_summary_acc_new();
	struct ins_summary sum;
	struct ins_step st;

	make_step(&st, INS_FOOT_LEFT, 0, 0);
	st.m[INS_M_PEAK_FORCE_N] = 812.5;
	st.m[INS_M_MIDFOOT_LOAD_INDEX] = 12.0;
	ins_summary_acc_add(acc, &st);
	ins_summary_acc_finish(acc, &sum);
	ck_assert_double_eq_tol(sum.foot[INS_FOOT_LEFT][INS_M_PEAK_FORCE_N].mean, 812.5, 1e-12);
	ck_assert(isnan(sum.foot[INS_FOOT_LEFT][INS_M_PEAK_FORCE_N].sd));
	ck_assert(isnan(sum.foot[INS_FOOT_LEFT][INS_M_PEAK_FORCE_N].cv_pct));
	ck_assert(isnan(sum.arch_drift[INS_FOOT_LEFT].slope_per_min));
	ck_assert_uint_eq(sum.arch_drift[INS_FOOT_LEFT].cls, INS_DRIFT_TOO_FEW);
	ins_summary_acc_free(acc);
}
END_TEST

/* A foot whose steps have no arch measure at all is not "too few steps"
 * (a longer walk would not help): raw sensor units say so, a calibrated
 * recording without the measure names it; one step with the measure, even
 * a non-steady one, is back to the ordinary rule. */
START_TEST(arch_drift_says_when_no_step_has_the_measure)
{
	struct ins_summary_acc *acc = ins_summary_acc_new();
	struct ins_summary sum;
	struct ins_step st;

	for (unsigned i = 0; i < 3; i++) {
		make_step(&st, INS_FOOT_LEFT, i, i * 0.02);
		st.m[INS_M_STANCE_MS] = 640;
		ins_summary_acc_add(acc, &st);
		make_step(&st, INS_FOOT_RIGHT, i, i * 0.02 + 0.01);
		st.m[INS_M_PEAK_FORCE_N] = 700;
		ins_summary_acc_add(acc, &st);
	}
	ins_summary_acc_finish(acc, &sum);
	ck_assert_uint_eq(sum.arch_drift[INS_FOOT_LEFT].cls, INS_DRIFT_NO_MEASURE);
	ck_assert_str_eq(ins_drift_class_name(INS_DRIFT_NO_MEASURE), "no_arch_measure");
	ck_assert_str_eq(ins_drift_headline(INS_DRIFT_NO_MEASURE), "no arch measure in this recording");
	ck_assert_str_eq(sum.arch_drift[INS_FOOT_LEFT].reason,
			 "none of the 3 steps has a force or a pressure: the recording is in raw sensor units, from "
			 "which no arch measure can be made");
	ck_assert_uint_eq(sum.arch_drift[INS_FOOT_RIGHT].cls, INS_DRIFT_NO_MEASURE);
	ck_assert_str_eq(sum.arch_drift[INS_FOOT_RIGHT].reason, "none of the 3 steps has a midfoot load index");

	make_step(&st, INS_FOOT_LEFT, 3, 0.2);
	st.flags = INS_STEP_IRREGULAR;
	st.m[INS_M_MIDFOOT_LOAD_INDEX] = 14.0;
	ins_summary_acc_add(acc, &st);
	ins_summary_acc_finish(acc, &sum);
	ck_assert_uint_eq(sum.arch_drift[INS_FOOT_LEFT].cls, INS_DRIFT_TOO_FEW);
	ins_summary_acc_free(acc);
}
END_TEST

/* Twelve steps per block around block centres at minutes 0-3 (the origin is
 * the first step, 0.055 min before the first centre), alternating +-0.5
 * about block means 1, 3, 2, 5: slope 5.5 / 5 = 1.1 per minute, residual
 * variance 2.7 / 2, SE sqrt(1.35 / 5), t(0.975, 2) = 4.3027; four blocks
 * are too few to judge.  The right foot's Arch Index rises exactly 0.01 per
 * minute over six blocks 0.5 min apart: no residual, so any change exceeds
 * the (zero) minimal detectable change. */
static void add_block(struct ins_summary_acc *acc, unsigned foot, double centre_min, double mli, double ai)
{
	struct ins_step st;

	for (unsigned i = 0; i < INS_DRIFT_BLOCK_STEPS; i++) {
		make_step(&st, foot, i, centre_min + (i - 5.5) * 0.01);
		st.m[INS_M_MIDFOOT_LOAD_INDEX] = mli + (isnan(ai) ? (i % 2 ? 0.5 : -0.5) : 0);
		st.m[INS_M_ARCH_INDEX] = ai;
		ins_summary_acc_add(acc, &st);
	}
}

START_TEST(arch_trend_slope_and_confidence_interval)
{
	struct ins_summary_acc *acc = ins_summary_acc_new();
	struct ins_summary sum;
	static const double mli[] = { 1, 3, 2, 5 };

	for (unsigned k = 0; k < 4; k++)
		add_block(acc, INS_FOOT_LEFT, 10 + k, mli[k], NAN);
	for (unsigned k = 0; k < 6; k++)
		add_block(acc, INS_FOOT_RIGHT, 0.5 * k, 50, 0.2 + 0.01 * 0.5 * k);
	ins_summary_acc_finish(acc, &sum);
	double half = 4.3027 * sqrt(1.35 / 5);
	const struct ins_drift *l = &sum.arch_drift[INS_FOOT_LEFT], *r = &sum.arch_drift[INS_FOOT_RIGHT];
	ck_assert_uint_eq(sum.arch_measure[INS_FOOT_LEFT], INS_ARCH_MIDFOOT_LOAD_INDEX);
	ck_assert_double_eq_tol(l->slope_per_min, 1.1, 1e-9);
	ck_assert_double_eq_tol(l->slope_ci95[0], 1.1 - half, 1e-4);
	ck_assert_double_eq_tol(l->slope_ci95[1], 1.1 + half, 1e-4);
	ck_assert_double_eq_tol(l->change, 3.3, 1e-9);
	ck_assert(l->sem > 0);
	ck_assert_double_eq_tol(l->mdc95, 1.959964 * sqrt(2.0) * l->sem, 1e-5);
	ck_assert_uint_eq(l->cls, INS_DRIFT_TOO_FEW);
	ck_assert_uint_eq(l->steps, 48);
	ck_assert_uint_eq(l->steps_total, 48);
	ck_assert_str_eq(l->reason, "48 of 48 steps usable, over 3.1 min; judging a drift needs at least 60 "
				    "steady-state steps over at least 1 min");
	ck_assert_uint_eq(sum.arch_measure[INS_FOOT_RIGHT], INS_ARCH_ARCH_INDEX);
	ck_assert_double_eq_tol(r->slope_per_min, 0.01, 1e-9);
	ck_assert_double_eq_tol(r->slope_ci95[0], 0.01, 1e-7);
	ck_assert_double_eq_tol(r->slope_ci95[1], 0.01, 1e-7);
	ck_assert_double_eq_tol(r->change, 0.025, 1e-9);
	ck_assert_uint_eq(r->cls, INS_DRIFT_COLLAPSING);
	ck_assert_str_eq(r->reason, "Arch Index rose by 0.025 over 2.6 min (95 % CI +0.025 to +0.025), more than its "
				    "minimal detectable change of 0.001; 72 of 72 steps");
	ins_summary_acc_free(acc);
}
END_TEST

/* ---- JSON and CSV ---------------------------------------------------------- */

START_TEST(step_json_shape_and_nulls)
{
	struct ins_step st;
	json_t *j, *m;

	make_step(&st, INS_FOOT_RIGHT, 7, 0);
	st.flags = INS_STEP_GAP;
	st.contact_us = 1234567;
	st.toe_off_us = 1834567;
	st.m[INS_M_STANCE_MS] = 600;
	j = ins_step_json(&st);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "foot")), "right");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "index")), 7);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "flags")), INS_STEP_GAP);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "contact_us")), 1234567);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "toe_off_us")), 1834567);
	m = json_object_get(j, "metrics");
	ck_assert_uint_eq(json_object_size(m), INS_M_COUNT);
	ck_assert_double_eq(json_real_value(json_object_get(m, "stance_ms")), 600);
	ck_assert(json_is_null(json_object_get(m, "swing_ms")));
	ck_assert(json_is_null(json_object_get(m, "arch_index")));
	json_decref(j);
}
END_TEST

START_TEST(summary_json_shape)
{
	struct ins_summary_acc *acc = ins_summary_acc_new();
	struct ins_summary sum;
	struct ins_step st;
	json_t *j, *metric;

	make_step(&st, INS_FOOT_LEFT, 0, 0);
	st.m[INS_M_CADENCE_SPM] = 110;
	st.m[INS_M_MIDFOOT_LOAD_INDEX] = 12.0;
	ins_summary_acc_add(acc, &st);
	ins_summary_acc_finish(acc, &sum);
	j = ins_summary_json(&sum);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "steps"), "left")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "steps"), "right")), 0);
	metric = json_object_get(json_object_get(j, "metrics"), "cadence_steps_min");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(metric, "left"), "n")), 1);
	ck_assert_double_eq(json_real_value(json_object_get(json_object_get(metric, "left"), "mean")), 110);
	ck_assert(json_is_null(json_object_get(json_object_get(metric, "left"), "sd")));
	ck_assert(json_is_null(json_object_get(metric, "symmetry_pct")));
	ck_assert_str_eq(json_string_value(json_object_get(j, "arch_measure")), "midfoot_load_index");
	json_t *trend = json_object_get(json_object_get(j, "arch_trend"), "left");
	json_t *ci = json_object_get(trend, "ci95");
	ck_assert_uint_eq(json_array_size(ci), 2);
	ck_assert(json_is_null(json_array_get(ci, 0)));
	ck_assert(json_is_null(json_array_get(json_object_get(trend, "change_ci95"), 1)));
	ck_assert_str_eq(json_string_value(json_object_get(trend, "class")), "too_few_steps");
	ck_assert_int_eq(json_integer_value(json_object_get(trend, "steps_total")), 1);
	/* one finding per foot with steps, from the same decision */
	json_t *findings = json_object_get(j, "findings");
	ck_assert_uint_eq(json_array_size(findings), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(findings, 1), "text")),
			 "Left foot: only 1 steady step (of 1): a comparison with another session calls out no difference "
			 "on fewer than 30 per foot (Melvin et al. 2014); record a longer walk.");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(findings, 0), "text")),
			 "Left foot: too few steps to judge a change of the arch (1 of 1 steps usable, over 0.0 min; "
			 "judging a drift needs at least 60 steady-state steps over at least 1 min).");
	ck_assert_int_eq(json_integer_value(json_object_get(
				 json_object_get(json_object_get(j, "quality"), "gap_steps"), "right")), 0);
	json_decref(j);
	ins_summary_acc_free(acc);
}
END_TEST

START_TEST(frame_metrics_json_shape)
{
	struct ins_frame_metrics fm;
	json_t *j;

	memset(&fm, 0, sizeof(fm));
	fm.force_n = 0;
	fm.cop_x_mm = fm.cop_y_mm = fm.cop_x_norm = fm.cop_y_norm = NAN;
	fm.region_force_n[INS_REGION_TOES] = 12.5f;
	fm.contact_area_mm2 = NAN;
	fm.in_stance = 1;
	fm.n_saturated = 3;
	j = ins_frame_metrics_json(&fm);
	ck_assert_ptr_nonnull(j);
	ck_assert(json_is_null(json_object_get(json_object_get(j, "cop"), "x_mm")));
	ck_assert(json_is_null(json_object_get(json_object_get(j, "cop"), "y_norm")));
	ck_assert_double_eq(json_real_value(json_object_get(json_object_get(j, "regions_n"), "toes")), 12.5);
	ck_assert(json_is_null(json_object_get(j, "contact_area_mm2")));
	ck_assert(json_is_true(json_object_get(j, "in_stance")));
	ck_assert_int_eq(json_integer_value(json_object_get(j, "n_saturated")), 3);
	ck_assert_ptr_null(json_object_get(j, "heatmap"));
	json_decref(j);
}
END_TEST

START_TEST(step_csv_header_and_row)
{
	char buf[INS_STEP_CSV_MAX], small[16];
	struct ins_step st;
	int n;

	n = ins_step_csv_header(buf, sizeof buf);
	ck_assert_int_eq(n, (int)strlen(buf));
	ck_assert(strncmp(buf, "foot,index,flags,contact_us,toe_off_us,stance_ms,swing_ms,stride_ms,", 68) == 0);
	ck_assert(strstr(buf, ",arch_index,medial_heel_peak_kpa,") != NULL);
	/* the anatomical mask's metrics close the row */
	ck_assert(strstr(buf, ",lesser_toes_load_pct") != NULL &&
		  strcmp(strstr(buf, ",lesser_toes_load_pct"), ",lesser_toes_load_pct") == 0);
	make_step(&st, INS_FOOT_LEFT, 3, 0);
	st.contact_us = 1000;
	st.toe_off_us = 601000;
	st.m[INS_M_STANCE_MS] = 600;
	st.m[INS_M_STRIDE_MS] = 1033.25;
	n = ins_step_csv_row(&st, buf, sizeof buf);
	ck_assert_int_eq(n, (int)strlen(buf));
	ck_assert(strncmp(buf, "left,3,0,1000,601000,600,,1033.25,", 34) == 0);
	/* every metric has its column: 5 fixed + INS_M_COUNT, so INS_M_COUNT + 4 commas */
	unsigned commas = 0;
	for (const char *p = buf; *p; p++)
		commas += *p == ',';
	ck_assert_uint_eq(commas, INS_M_COUNT + 4);
	ck_assert_int_eq(ins_step_csv_row(&st, small, sizeof small), -1);
	ck_assert_str_eq(small, "");
	ck_assert_int_eq(ins_step_csv_header(small, sizeof small), -1);
}
END_TEST

/* Values of every magnitude and the roundings printf decides: powers of
 * ten, 9-digit ties, numbers just under a power, tiny and huge ones. */
static double text_value(unsigned k, unsigned i)
{
	static const double edge[] = { 0, -0.0, 1, 10, 0.5, 999999999.5, 999999999.4, 99999999.95, 1e-4,
				       9.9999999999e-5, 1e9, 123456789012.0, 1.5e-7, -2.5, 0.30000000000000004,
				       1234.5678949999, 1234.5678950001, 100, 0.0001234, 5e-324, 1e300 };
	double u = (double)((k * 2654435761u + i * 40503u) % 1000003u) / 1000003.0;

	if (k < sizeof edge / sizeof edge[0])
		return edge[k];
	/* 10^-6 .. 10^11, both signs, with up to 17 significant digits */
	return (k % 2 ? -1 : 1) * pow(10.0, -6 + 17.0 * u) * (1 + u / 7);
}

START_TEST(step_text_is_exactly_the_jansson_document_and_the_printf_row)
{
	char text[INS_STEP_JSON_MAX], csv[INS_STEP_CSV_MAX], want_csv[INS_STEP_CSV_MAX];
	struct ins_step st;

	for (unsigned k = 0; k < 4000; k++) {
		json_t *j;
		char *want;
		size_t len = 0;

		make_step(&st, k % 2, k, k / 7.0);
		st.flags = k % 5;
		for (unsigned i = 0; i < INS_M_COUNT; i++)
			st.m[i] = (k + i) % 9 == 0 ? NAN : text_value(i == 0 ? k : k + i * 4001u, i);
		j = ins_step_json(&st);
		want = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(9));
		ck_assert_int_eq(ins_step_json_text(&st, text, sizeof text), (int)strlen(want));
		ck_assert_str_eq(text, want);
		free(want);
		json_decref(j);
		len = (size_t)snprintf(want_csv, sizeof want_csv, "%s,%u,%u,%lld,%lld", ins_foot_name(st.foot),
				       (unsigned)st.index, (unsigned)st.flags, (long long)st.contact_us,
				       (long long)st.toe_off_us);
		for (unsigned i = 0; i < INS_M_COUNT; i++)
			len += (size_t)(isfinite(st.m[i]) ? snprintf(want_csv + len, sizeof want_csv - len, ",%.9g", st.m[i])
						: snprintf(want_csv + len, sizeof want_csv - len, ","));
		ck_assert_int_eq(ins_step_csv_row(&st, csv, sizeof csv), (int)len);
		ck_assert_str_eq(csv, want_csv);
	}
	ck_assert_int_eq(ins_step_json_text(&st, text, 10), -1);
	ck_assert_str_eq(text, "");
}
END_TEST

START_TEST(metric_info_matches_the_list)
{
	ck_assert_str_eq(ins_step_metric_info[INS_M_STANCE_MS].name, "stance_ms");
	ck_assert_str_eq(ins_step_metric_info[INS_M_STANCE_MS].unit, "ms");
	ck_assert_str_eq(ins_step_metric_info[INS_M_CADENCE_SPM].name, "cadence_steps_min");
	ck_assert_str_eq(ins_step_metric_info[INS_M_CADENCE_STRIDES].unit, "strides/min");
	ck_assert_str_eq(ins_step_metric_info[INS_M_ARCH_INDEX].name, "arch_index");
	for (unsigned i = 0; i < INS_M_COUNT; i++) {
		ck_assert_ptr_nonnull(ins_step_metric_info[i].name);
		ck_assert_ptr_nonnull(ins_step_metric_info[i].label);
		for (unsigned j = 0; j < i; j++)
			ck_assert_str_ne(ins_step_metric_info[i].name, ins_step_metric_info[j].name);
	}
	ck_assert_str_eq(ins_arch_measure_name(INS_ARCH_ARCH_INDEX), "arch_index");
	ck_assert_str_eq(ins_arch_measure_name(INS_ARCH_MIDFOOT_LOAD_INDEX), "midfoot_load_index");
}
END_TEST

/* ---- the synthetic subject through engine and summary --------------------- */

/* Walk `seconds` with the synthetic subject on a layout; summary of both feet. */
static void synth_summary(const char *layout_name, double fatigue_per_min, double seconds, struct ins_summary *sum)
{
	char err[512];
	struct ins_layout *l = test_load_shipped(layout_name);
	struct ins_synth_params p;
	struct ins_synth *syn;
	struct ins_analysis *ana;
	struct ins_summary_acc *acc = ins_summary_acc_new();
	struct ins_frame_metrics fm;
	struct ins_step st;
	static uint16_t counts[INS_MAX_SENSORS];

	ins_synth_defaults(&p);
	p.noise = 0.005;
	p.fatigue_per_min = fatigue_per_min;
	syn = ins_synth_new(&p, l, err, sizeof err);
	ck_assert_msg(syn != NULL, "%s", err);
	struct ins_analysis_config cfg = { .layout = { l, l }, .body_weight_n = p.body_weight_n };
	ana = ins_analysis_new(&cfg, err, sizeof err);
	ck_assert_msg(ana != NULL, "%s", err);
	for (uint32_t k = 0; k < (uint32_t)(seconds * p.rate_hz); k++) {
		for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
			int64_t t;
			ins_synth_next(syn, foot, counts, &t);
			struct ins_frame f = { .foot = (uint8_t)foot, .n = l->n_sensors, .seq = k, .t_us = t,
					       .values = counts };
			ck_assert_int_eq(ins_analysis_feed(ana, &f, &fm), 0);
			while (ins_analysis_next_step(ana, &st))
				ins_summary_acc_add(acc, &st);
		}
	}
	ins_summary_acc_finish(acc, sum);
	ins_summary_acc_free(acc);
	ins_analysis_free(ana);
	ins_synth_free(syn);
	ins_layout_free(l);
}

/* A steady walk is never collapsing (90 s: enough steps to judge, "no clear
 * change"; 30 s: too few steps to judge); a subject whose arch collapses by
 * 0.5 per minute for 2 min is, on the 16-sensor insole (midfoot load index).
 * On the dense grid the synthetic subject's footprint Arch Index moves by
 * only about 0.005 between no and full collapse, under its step-to-step
 * minimal detectable change (about 0.011): not called a collapse, which is
 * the honest answer for so small a change. */
START_TEST(fatigue_drift_is_detected_steady_walk_is_not)
{
	static const char *const layouts[] = { "fsr16", "grid60x21" };
	static const unsigned measure[] = { INS_ARCH_MIDFOOT_LOAD_INDEX, INS_ARCH_ARCH_INDEX };
	struct ins_summary sum;

	for (unsigned i = 0; i < 2; i++) {
		synth_summary(layouts[i], 0, 30, &sum);
		for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
			ck_assert_uint_eq(sum.arch_drift[foot].cls, INS_DRIFT_TOO_FEW);
		synth_summary(layouts[i], 0, 90, &sum);
		for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
			const struct ins_drift *d = &sum.arch_drift[foot];

			ck_assert_uint_eq(sum.arch_measure[foot], measure[i]);
			ck_assert_msg(d->cls == INS_DRIFT_NO_CLEAR_CHANGE, "%s steady walk: %s: %s", layouts[i],
				      ins_drift_class_name(d->cls), d->reason);
			ck_assert_uint_ge(d->steps, INS_DRIFT_MIN_STEPS);
		}
		synth_summary(layouts[i], 0.5, 120, &sum);
		for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
			const struct ins_drift *d = &sum.arch_drift[foot];

			ck_assert_msg(d->cls == (measure[i] == INS_ARCH_ARCH_INDEX ? INS_DRIFT_NO_CLEAR_CHANGE
										  : INS_DRIFT_COLLAPSING),
				      "%s fatiguing walk: %s: %s", layouts[i], ins_drift_class_name(d->cls), d->reason);
			if (measure[i] == INS_ARCH_ARCH_INDEX)
				ck_assert_msg(d->change > 0 && d->change < d->mdc95, "%s: %s", layouts[i], d->reason);
		}
	}
}
END_TEST

Suite *ins_suite_summary(void);
Suite *ins_suite_summary(void)
{
	Suite *s = suite_create("summary");
	TCase *tc = tcase_create("summary");
	TCase *tj = tcase_create("json_csv");

	tcase_add_test(tc, mean_sd_cv_and_symmetry);
	tcase_add_test(tc, steps_that_are_not_steady_gait_are_left_out);
	tcase_add_test(tc, termination_is_flagged_one_step_late);
	tcase_add_test(tc, single_step_has_no_spread);
	tcase_add_test(tc, arch_drift_says_when_no_step_has_the_measure);
	tcase_add_test(tc, arch_trend_slope_and_confidence_interval);
	tcase_add_test(tj, step_json_shape_and_nulls);
	tcase_add_test(tj, summary_json_shape);
	tcase_add_test(tj, frame_metrics_json_shape);
	tcase_add_test(tj, step_csv_header_and_row);
	tcase_add_test(tj, metric_info_matches_the_list);
	tcase_add_test(tj, step_text_is_exactly_the_jansson_document_and_the_printf_row);
	TCase *ts = tcase_create("synthetic");

	tcase_set_timeout(ts, 60);
	tcase_add_test(ts, fatigue_drift_is_detected_steady_walk_is_not);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tj);
	suite_add_tcase(s, ts);
	return s;
}
