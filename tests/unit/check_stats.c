/* The statistics behind drift and comparison claims (stats.h), on made-up
 * sessions whose answers are worked out by hand here: Student's t against
 * published table values and numerical integration of its density, the
 * arch drift of sessions with no, a small (within the minimal detectable
 * change) and a large drift, and comparisons with no difference, a large
 * difference on few steps and a moderate one on many. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "insoled/analysis.h"
#include "insoled/stats.h"

START_TEST(t_quantiles_match_tables)
{
	static const struct {
		double df, q975;
	} table[] = { { 1, 12.7062 }, { 2, 4.3027 }, { 3, 3.1824 }, { 5, 2.5706 }, { 10, 2.2281 },
		      { 18, 2.1009 }, { 22, 2.0739 }, { 30, 2.0423 }, { 60, 2.0003 }, { 120, 1.9799 } };

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		ck_assert_double_eq_tol(ins_t_quantile(0.975, table[i].df), table[i].q975, 6e-5);
		ck_assert_double_eq_tol(ins_t_quantile(0.025, table[i].df), -table[i].q975, 6e-5);
	}
	ck_assert_double_eq_tol(ins_t_quantile(0.975, 1e7), 1.959964, 1e-5);
	ck_assert_double_eq_tol(ins_t_quantile(0.5, 4), 0, 1e-12);
	ck_assert(isnan(ins_t_quantile(1, 4)));
	ck_assert(isnan(ins_t_quantile(0.975, 0)));
}
END_TEST

/* Welch's df is not an integer: check the quantile for df = 7.5 by
 * integrating the t density from 0 to it (Simpson, 2000 intervals). */
START_TEST(t_quantile_for_fractional_df_integrates_to_p)
{
	const double df = 7.5, q = ins_t_quantile(0.975, df);
	const double c = exp(lgamma((df + 1) / 2) - lgamma(df / 2)) / sqrt(df * M_PI);
	const int n = 2000;
	double h = q / n, s = 0;

	for (int i = 0; i <= n; i++) {
		double t = i * h, f = c * pow(1 + t * t / df, -(df + 1) / 2);

		s += f * (i == 0 || i == n ? 1 : i % 2 ? 4 : 2);
	}
	ck_assert_double_eq_tol(0.5 + s * h / 3, 0.975, 1e-9);
	ck_assert(q > 2.3060 && q < 2.3646); /* between df 8 and df 7 */
}
END_TEST

/* ---- drift: 24 blocks of 12 steps, block centres 0.2 min apart (0 to 4.6
 * min).  Step value = the line + a x (+1, -1, -1, +1, ...) by block + w x
 * (-1, +1, +1, -1, ...) by step within its block; both patterns are
 * orthogonal to the constant and to time, so the fitted lines (through the
 * block means and through the steps) are the true line and the residuals
 * are exactly those patterns.  a = w = 1:
 * - block means: residual SD sqrt(24 / 22) = 1.044466, sxx = 0.04 x 1150 =
 *   46, span 4.6 min; CI half-width of the change = t(0.975, 22) x 1.044466
 *   x 4.6 / sqrt(46) = 2.073873 x 1.044466 x 0.678233 = 1.46911;
 * - steps: SEM = sqrt(288 x 2 / 286) = 1.419150, MDC95 = 1.959964 x sqrt(2)
 *   x SEM = 3.93362. */
#define BLOCKS 24
#define N_STEPS (BLOCKS * INS_DRIFT_BLOCK_STEPS)

static void drift_session(double change, unsigned blocks, double spacing_min, struct ins_drift *out)
{
	static double minutes[N_STEPS], values[N_STEPS];
	static const int pattern[4] = { 1, -1, -1, 1 };
	const double slope = change / ((BLOCKS - 1) * spacing_min);
	unsigned n = 0;

	for (unsigned j = 0; j < blocks; j++) {
		for (unsigned i = 0; i < INS_DRIFT_BLOCK_STEPS; i++, n++) {
			minutes[n] = spacing_min * j + (i - 5.5) * spacing_min / INS_DRIFT_BLOCK_STEPS;
			values[n] = 20 + slope * minutes[n] + pattern[j % 4] - pattern[i % 4];
		}
	}
	ins_drift_assess(minutes, values, n, n + 7, INS_ARCH_MIDFOOT_LOAD_INDEX, out);
}

START_TEST(drift_none_small_and_large)
{
	const double sem = sqrt(576.0 / 286), mdc = 1.959964 * sqrt(2.0) * sem, half = 1.46911;
	struct ins_drift d;

	drift_session(0, BLOCKS, 0.2, &d);
	ck_assert_uint_eq(d.cls, INS_DRIFT_NO_CLEAR_CHANGE);
	ck_assert_double_eq_tol(d.sem, sem, 1e-9);
	ck_assert_double_eq_tol(d.mdc95, mdc, 1e-5);
	ck_assert_double_eq_tol(d.mdc95, 3.93362, 1e-5);
	ck_assert_double_eq_tol(d.change, 0, 1e-9);
	ck_assert_double_eq_tol(d.change_ci95[0], -half, 2e-5);
	ck_assert_double_eq_tol(d.change_ci95[1], half, 2e-5);
	ck_assert_uint_eq(d.steps, N_STEPS);
	ck_assert_uint_eq(d.steps_total, N_STEPS + 7);
	ck_assert_str_eq(d.reason, "midfoot load index 0.0 points over 4.8 min (95 % CI -1.5 to +1.5), which includes "
				   "zero; minimal detectable change 3.9 points; 288 of 295 steps");

	/* clear (the CI excludes zero) but smaller than the MDC: not a finding */
	drift_session(3, BLOCKS, 0.2, &d);
	ck_assert_uint_eq(d.cls, INS_DRIFT_NO_CLEAR_CHANGE);
	ck_assert_double_eq_tol(d.change, 3, 1e-9);
	ck_assert_double_eq_tol(d.change_ci95[0], 3 - half, 2e-5);
	ck_assert_double_eq_tol(d.change_ci95[1], 3 + half, 2e-5);
	ck_assert_double_eq_tol(d.mdc95, 3.93362, 1e-5);
	ck_assert_str_eq(d.reason, "midfoot load index +3.0 points over 4.8 min (95 % CI +1.5 to +4.5), within "
				   "measurement noise; minimal detectable change 3.9 points; 288 of 295 steps");

	drift_session(6, BLOCKS, 0.2, &d);
	ck_assert_uint_eq(d.cls, INS_DRIFT_COLLAPSING);
	ck_assert_double_eq_tol(d.change_ci95[0], 6 - half, 2e-5);
	ck_assert_double_eq_tol(d.slope_per_min, 6 / 4.6, 1e-9);
	ck_assert_str_eq(d.reason, "midfoot load index rose by 6.0 points over 4.8 min (95 % CI +4.5 to +7.5), more "
				   "than its minimal detectable change of 3.9 points; 288 of 295 steps");
	ck_assert_str_eq(ins_drift_headline(d.cls), "the arch collapsed during the session");

	drift_session(-6, BLOCKS, 0.2, &d);
	ck_assert_uint_eq(d.cls, INS_DRIFT_RISING);
	ck_assert_double_eq_tol(d.change_ci95[1], -6 + half, 2e-5);
}
END_TEST

START_TEST(drift_needs_steps_and_minutes)
{
	struct ins_drift d;

	/* 4 blocks: 48 steps, a large change, still too few to judge */
	drift_session(60, 4, 0.2, &d);
	ck_assert_uint_eq(d.cls, INS_DRIFT_TOO_FEW);
	ck_assert_str_eq(d.reason, "48 of 55 steps usable, over 0.8 min; judging a drift needs at least 60 "
				   "steady-state steps over at least 1 min");
	/* 288 steps in 0.46 min (a step every 0.1 s cannot happen, but the rule is
	 * about time): too short */
	drift_session(6, BLOCKS, 0.02, &d);
	ck_assert_uint_eq(d.cls, INS_DRIFT_TOO_FEW);
	ck_assert_str_eq(ins_drift_class_name(d.cls), "too_few_steps");
	/* steps without a value are not used; no step at all */
	ins_drift_assess(NULL, NULL, 0, 14, INS_ARCH_ARCH_INDEX, &d);
	ck_assert_uint_eq(d.cls, INS_DRIFT_TOO_FEW);
	ck_assert_uint_eq(d.steps_total, 14);
	ck_assert(isnan(d.change));
}
END_TEST

/* ---- comparisons ------------------------------------------------------ */

static struct ins_metric_stats ms(uint32_t n, double mean, double sd)
{
	return (struct ins_metric_stats){ .n = n, .mean = mean, .sd = sd, .cv_pct = 100 * sd / mean };
}

START_TEST(compare_identical_sessions_calls_nothing)
{
	struct ins_metric_stats a = ms(120, 250, 20);
	struct ins_mean_diff d;

	ins_compare_means(&a, &a, INS_M_PEAK_PRESSURE_KPA, &d);
	ck_assert_uint_eq(d.call, INS_DIFF_NO_CLEAR_CHANGE);
	ck_assert_double_eq_tol(d.diff, 0, 1e-12);
	ck_assert_double_eq_tol(d.g, 0, 1e-12);
	ck_assert_double_eq_tol(d.df, 238, 1e-9); /* equal n and SD: Welch's df = 2 (n - 1) */
	ck_assert_double_eq_tol(d.ci95[1], ins_t_quantile(0.975, 238) * 20 * sqrt(2.0 / 120), 1e-9);
	ck_assert_double_eq_tol(d.pct, 0, 1e-12);
	ck_assert_str_eq(d.reason, "no clear change: 0 kPa (95 % CI -5 to +5), 0.0 % (-2.0 to +2.1 %) includes zero");
}
END_TEST

/* 10 steps each, 100 +- 10 vs 130 +- 10 kPa: diff 30, SE sqrt(20), df 18,
 * CI 30 +- 2.1009 x 4.4721 = [20.605, 39.395]; d = 3, Hedges' J(18) =
 * 0.957658 (1 - 3 / (4 x 18 - 1) = 0.957746 approximates it), g = 2.873.
 * A large effect, but on 10 steps: not called out. */
START_TEST(compare_large_difference_on_few_steps_is_too_few)
{
	struct ins_metric_stats a = ms(10, 100, 10), b = ms(10, 130, 10);
	struct ins_mean_diff d;

	ins_compare_means(&a, &b, INS_M_FOREFOOT_PEAK_KPA, &d);
	ck_assert_uint_eq(d.call, INS_DIFF_TOO_FEW);
	ck_assert_double_eq_tol(d.df, 18, 1e-9);
	ck_assert_double_eq_tol(d.ci95[0], 20.605, 1e-3);
	ck_assert_double_eq_tol(d.ci95[1], 39.395, 1e-3);
	ck_assert_double_eq_tol(d.g, 2.873, 1e-3);
	ck_assert_str_eq(d.reason, "too few steps: 10 and 10 steady-state steps, 30 needed on each side");
}
END_TEST

/* 200 steps each, 100 +- 10 vs 106 +- 10 kPa: SE 1, df 398, t 1.96591, CI
 * [4.034, 7.966]; g = 0.6 x (1 - 3 / 1591) = 0.5989: moderate, called out.
 * Percent change 6 %, CI from ln(1.06) +- 1.96591 x sqrt(0.01 / 200 +
 * 0.01 / 200 / 1.1236) = ln(1.06) +- 0.019111 = [3.99, 8.05] %. */
START_TEST(compare_moderate_difference_on_many_steps_is_called)
{
	struct ins_metric_stats a = ms(200, 100, 10), b = ms(200, 106, 10);
	struct ins_mean_diff d;

	ins_compare_means(&a, &b, INS_M_FOREFOOT_PEAK_KPA, &d);
	ck_assert_uint_eq(d.call, INS_DIFF_HIGHER);
	ck_assert_double_eq_tol(d.ci95[0], 4.034, 1e-3);
	ck_assert_double_eq_tol(d.ci95[1], 7.966, 1e-3);
	ck_assert_double_eq_tol(d.g, 0.5989, 1e-4);
	ck_assert_double_eq_tol(d.pct, 6, 1e-9);
	ck_assert_double_eq_tol(d.pct_ci95[0], 3.99, 0.01);
	ck_assert_double_eq_tol(d.pct_ci95[1], 8.05, 0.01);
	ck_assert_str_eq(ins_effect_size_name(d.g), "moderate");
	ck_assert_str_eq(d.reason, "higher: +6 kPa (95 % CI +4 to +8), +6.0 % (+4.0 to +8.0 %), a moderate effect (g = 0.60)");
	/* the other way round: lower */
	ins_compare_means(&b, &a, INS_M_FOREFOOT_PEAK_KPA, &d);
	ck_assert_uint_eq(d.call, INS_DIFF_LOWER);
}
END_TEST

/* 1000 steps each, a 3 kPa shift on SD 10: the CI excludes zero (any shift
 * does with enough steps) but g = 0.3 is small: not called out. */
START_TEST(compare_small_effect_is_not_called_however_many_steps)
{
	struct ins_metric_stats a = ms(1000, 100, 10), b = ms(1000, 103, 10);
	struct ins_mean_diff d;

	ins_compare_means(&a, &b, INS_M_HEEL_PEAK_KPA, &d);
	ck_assert(d.ci95[0] > 0);
	ck_assert_uint_eq(d.call, INS_DIFF_NO_CLEAR_CHANGE);
	ck_assert_msg(strstr(d.reason, "is a small effect (g = 0.30, below 0.5)") != NULL, "%s", d.reason);
}
END_TEST

/* Unequal sizes and spreads: 5 steps SD 1 vs 50 steps SD 10.  va = 0.2,
 * vb = 2, df = 2.2^2 / (0.04 / 4 + 4 / 49) = 53.15. */
START_TEST(compare_welch_df_and_scales)
{
	struct ins_metric_stats a = ms(5, 10, 1), b = ms(50, 12, 10), c = ms(60, -2.0, 3), e = ms(60, 1.5, 3);
	struct ins_mean_diff d;

	ins_compare_means(&a, &b, INS_M_STANCE_MS, &d);
	ck_assert_double_eq_tol(d.df, 4.84 / (0.04 / 4 + 4.0 / 49), 1e-9);
	ck_assert_double_eq_tol(d.ci95[1] - d.diff, ins_t_quantile(0.975, d.df) * sqrt(2.2), 1e-9);
	/* signed: a difference, never a percent change */
	ins_compare_means(&c, &e, INS_M_COP_END_X_MM, &d);
	ck_assert_uint_eq(d.call, INS_DIFF_HIGHER);
	ck_assert(isnan(d.pct) && isnan(d.pct_ci95[0]));
	ck_assert_str_eq(d.reason, "higher: +3.5 mm (95 % CI +2.4 to +4.6), a large effect (g = 1.16)");
	/* a share: the difference is in points, no percent change */
	ins_compare_means(&e, &c, INS_M_MIDFOOT_LOAD_PCT, &d);
	ck_assert(isnan(d.pct));
	ck_assert_str_eq(d.reason, "lower: -3.5 points (95 % CI -4.6 to -2.4), a large effect (g = -1.16)");
	/* a category: not compared */
	ins_compare_means(&e, &e, INS_M_STRIKE_PATTERN, &d);
	ck_assert_uint_eq(d.call, INS_DIFF_NOT_COMPARED);
	ck_assert_str_eq(ins_diff_call_name(d.call), "not_compared");
	ck_assert_uint_eq(ins_step_metric_info[INS_M_STRIKE_PATTERN].scale, INS_SCALE_CATEGORY);
	ck_assert_str_eq(ins_metric_scale_name(ins_step_metric_info[INS_M_ML_BALANCE].scale), "signed");
}
END_TEST

Suite *ins_suite_stats(void);
Suite *ins_suite_stats(void)
{
	Suite *s = suite_create("stats");
	TCase *t = tcase_create("t");
	TCase *dr = tcase_create("drift");
	TCase *cmp = tcase_create("compare");

	tcase_add_test(t, t_quantiles_match_tables);
	tcase_add_test(t, t_quantile_for_fractional_df_integrates_to_p);
	tcase_add_test(dr, drift_none_small_and_large);
	tcase_add_test(dr, drift_needs_steps_and_minutes);
	tcase_add_test(cmp, compare_identical_sessions_calls_nothing);
	tcase_add_test(cmp, compare_large_difference_on_few_steps_is_too_few);
	tcase_add_test(cmp, compare_moderate_difference_on_many_steps_is_called);
	tcase_add_test(cmp, compare_small_effect_is_not_called_however_many_steps);
	tcase_add_test(cmp, compare_welch_df_and_scales);
	suite_add_tcase(s, t);
	suite_add_tcase(s, dr);
	suite_add_tcase(s, cmp);
	return s;
}
