/* Statistics behind the claims of reports and comparisons (stats.h):
 * Student's t distribution, the arch drift of a session judged against its
 * minimal detectable change, and the Welch / Hedges comparison of two
 * sessions' means. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "insoled/analysis.h"
#include "insoled/stats.h"

#define Z975 1.959963984540054 /* standard normal 97.5 % quantile */

/* ---- Student's t -------------------------------------------------------- */

/* Continued fraction of the regularised incomplete beta function (modified
 * Lentz; converges fast for x < (a + 1) / (a + b + 2)). */
static double beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;

	d = 1 / (fabs(d) < tiny ? tiny : d);
	h = d;
	for (int m = 1; m <= 300; m++) {
		for (int odd = 0; odd < 2; odd++) {
			double num = odd ? -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
					 : m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));

			d = 1 + num * d;
			c = 1 + num / c;
			d = 1 / (fabs(d) < tiny ? tiny : d);
			c = fabs(c) < tiny ? tiny : c;
			h *= d * c;
			if (odd && fabs(d * c - 1) < 1e-15)
				return h;
		}
	}
	return h;
}

static double beta_inc(double a, double b, double x)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return front * beta_cf(a, b, x) / a;
	return 1 - front * beta_cf(b, a, 1 - x) / b;
}

double ins_t_cdf(double t, double df)
{
	double tail;

	if (!(df > 0) || isnan(t))
		return NAN;
	tail = 0.5 * beta_inc(df / 2, 0.5, df / (df + t * t));
	return t >= 0 ? 1 - tail : tail;
}

/* Bisection on the CDF: monotone, so it cannot fail, and 200 halvings reach
 * double precision from any bracket. */
double ins_t_quantile(double p, double df)
{
	double lo = 0, hi = 1;

	if (!(p > 0 && p < 1) || !(df > 0))
		return NAN;
	if (p < 0.5)
		return -ins_t_quantile(1 - p, df);
	while (ins_t_cdf(hi, df) < p && hi < 1e300)
		hi *= 2;
	for (int i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
		double mid = 0.5 * (lo + hi);

		if (ins_t_cdf(mid, df) < p)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

int ins_unit_digits(const char *unit)
{
	static const struct {
		const char *unit;
		int digits;
	} table[] = {
		{ "ms", 0 }, { "N", 0 }, { "N/s", 0 }, { "N s", 1 }, { "kPa", 0 }, { "kPa s", 1 },
		{ "mm", 1 }, { "mm2", 0 }, { "%", 1 }, { "% stance", 1 }, { "% length", 1 },
		{ "steps/min", 1 }, { "strides/min", 1 }, { "BW/s", 2 }, { "ratio", 3 }, { "class", 2 },
	};

	for (size_t i = 0; unit && i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(unit, table[i].unit) == 0)
			return table[i].digits;
	return 2;
}

/* A signed number for sentences: "+1.2", "-1.2", and "0.0" without a sign
 * when it rounds to zero (a sign would claim a direction). */
struct signed_text {
	char s[40];
};

static struct signed_text sgn(double v, int digits)
{
	struct signed_text t;

	if (isfinite(v) && round(v * pow(10, digits)) == 0)
		snprintf(t.s, sizeof(t.s), "%.*f", digits, 0.0);
	else
		snprintf(t.s, sizeof(t.s), "%+.*f", digits, v);
	return t;
}

/* ---- arch drift ---------------------------------------------------------- */

const char *ins_drift_class_name(unsigned cls)
{
	static const char *const names[] = { "too_few_steps", "no_clear_change", "collapsing", "rising",
					     "no_arch_measure" };

	return cls < sizeof(names) / sizeof(names[0]) ? names[cls] : "unknown";
}

void ins_drift_acc_init(struct ins_drift_acc *acc)
{
	memset(acc, 0, sizeof(*acc));
}

void ins_drift_acc_add(struct ins_drift_acc *acc, double minutes, double value)
{
	double x, y;

	if (!isfinite(minutes) || !isfinite(value))
		return;
	if (acc->steps++ == 0) {
		acc->first_min = minutes;
		acc->y0 = value;
	}
	acc->last_min = minutes;
	x = minutes - acc->first_min;
	y = value - acc->y0;
	acc->step_sx += x;
	acc->step_sy += y;
	acc->step_sxx += x * x;
	acc->step_sxy += x * y;
	acc->step_syy += y * y;
	acc->block_x += minutes;
	acc->block_y += value;
	if (++acc->in_block < INS_DRIFT_BLOCK_STEPS)
		return;
	x = acc->block_x / INS_DRIFT_BLOCK_STEPS;
	y = acc->block_y / INS_DRIFT_BLOCK_STEPS;
	if (acc->k++ == 0)
		acc->first_block_min = x;
	acc->last_block_min = x;
	acc->sx += x;
	acc->sy += y;
	acc->sxx += x * x;
	acc->sxy += x * y;
	acc->syy += y * y;
	acc->in_block = 0;
	acc->block_x = acc->block_y = 0;
}

struct drift_words {
	const char *name, *unit;
	int digits;
};

static struct drift_words drift_words(unsigned measure)
{
	if (measure == INS_ARCH_ARCH_INDEX)
		return (struct drift_words){ "Arch Index", "", 3 };
	return (struct drift_words){ "midfoot load index", " points", 1 };
}

static void drift_reason(struct ins_drift *d)
{
	struct drift_words w = drift_words(d->measure);
	int n = w.digits;
	char ci[96];

	if (d->cls == INS_DRIFT_TOO_FEW) {
		snprintf(d->reason, sizeof(d->reason),
			 "%u of %u steps usable, over %.1f min; judging a drift needs at least %d steady-state steps "
			 "over at least %.0f min",
			 d->steps, d->steps_total, d->minutes, INS_DRIFT_MIN_STEPS, INS_DRIFT_MIN_MINUTES);
		return;
	}
	snprintf(ci, sizeof(ci), "95 %% CI %s to %s", sgn(d->change_ci95[0], n).s, sgn(d->change_ci95[1], n).s);
	if (d->cls == INS_DRIFT_NO_CLEAR_CHANGE)
		snprintf(d->reason, sizeof(d->reason),
			 "%s %s%s over %.1f min (%s)%s; minimal detectable change %.*f%s; %u of %u steps",
			 w.name, sgn(d->change, n).s, w.unit, d->minutes, ci,
			 d->change_ci95[0] <= 0 && d->change_ci95[1] >= 0 ? ", which includes zero"
									 : ", within measurement noise",
			 n, d->mdc95, w.unit, d->steps, d->steps_total);
	else
		snprintf(d->reason, sizeof(d->reason),
			 "%s %s by %.*f%s over %.1f min (%s), more than its minimal detectable change of %.*f%s; "
			 "%u of %u steps",
			 w.name, d->cls == INS_DRIFT_COLLAPSING ? "rose" : "fell", n, fabs(d->change), w.unit,
			 d->minutes, ci, n, d->mdc95, w.unit, d->steps, d->steps_total);
}

const char *ins_drift_headline(unsigned cls)
{
	switch (cls) {
	case INS_DRIFT_COLLAPSING:
		return "the arch collapsed during the session";
	case INS_DRIFT_RISING:
		return "the arch rose during the session";
	case INS_DRIFT_NO_CLEAR_CHANGE:
		return "no clear change of the arch during the session";
	case INS_DRIFT_NO_MEASURE:
		return "no arch measure in this recording";
	default:
		return "too few steps to judge a change of the arch";
	}
}

/* Residual SD of the steps about their own least-squares line. */
static double step_residual_sd(const struct ins_drift_acc *a)
{
	double n = a->steps, sxx = a->step_sxx - a->step_sx * a->step_sx / n;
	double sxy = a->step_sxy - a->step_sx * a->step_sy / n, syy = a->step_syy - a->step_sy * a->step_sy / n;

	if (a->steps < 3 || !(sxx > 0))
		return NAN;
	return sqrt(fmax(0, syy - sxy * sxy / sxx) / (n - 2));
}

/* Least squares through the block means: slope and its CI, the change
 * between the first and the last block centre and its CI. */
static void drift_line(const struct ins_drift_acc *a, struct ins_drift *d)
{
	double k = a->k, sxx = a->sxx - a->sx * a->sx / k, sxy = a->sxy - a->sx * a->sy / k;
	double syy = a->syy - a->sy * a->sy / k, b, se, half, span;

	if (!(sxx > 0))
		return;
	b = sxy / sxx;
	se = sqrt(fmax(0, syy - b * sxy) / (k - 2) / sxx);
	half = ins_t_quantile(0.975, k - 2) * se;
	d->slope_per_min = b;
	d->slope_ci95[0] = b - half;
	d->slope_ci95[1] = b + half;
	span = a->last_block_min - a->first_block_min;
	d->change = b * span;
	d->change_ci95[0] = (b - half) * span;
	d->change_ci95[1] = (b + half) * span;
	d->sem = step_residual_sd(a);
	d->mdc95 = Z975 * sqrt(2.0) * d->sem;
}

void ins_drift_acc_finish(const struct ins_drift_acc *acc, uint32_t steps_total, unsigned measure,
			  struct ins_drift *out)
{
	memset(out, 0, sizeof(*out));
	out->cls = INS_DRIFT_TOO_FEW;
	out->measure = (uint8_t)measure;
	out->steps = acc->steps;
	out->steps_total = steps_total > acc->steps ? steps_total : acc->steps;
	out->blocks = acc->k;
	out->minutes = acc->steps ? acc->last_min - acc->first_min : 0;
	out->slope_per_min = out->slope_ci95[0] = out->slope_ci95[1] = NAN;
	out->change = out->change_ci95[0] = out->change_ci95[1] = out->sem = out->mdc95 = NAN;
	if (acc->k >= 3)
		drift_line(acc, out);
	if (acc->steps >= INS_DRIFT_MIN_STEPS && acc->k >= INS_DRIFT_MIN_BLOCKS &&
	    out->minutes >= INS_DRIFT_MIN_MINUTES && isfinite(out->change)) {
		out->cls = INS_DRIFT_NO_CLEAR_CHANGE;
		if (out->change_ci95[0] > 0 && out->change > out->mdc95)
			out->cls = INS_DRIFT_COLLAPSING;
		else if (out->change_ci95[1] < 0 && -out->change > out->mdc95)
			out->cls = INS_DRIFT_RISING;
	}
	drift_reason(out);
}

void ins_drift_no_measure(struct ins_drift *d, int raw_units)
{
	struct drift_words w = drift_words(d->measure);

	d->cls = INS_DRIFT_NO_MEASURE;
	if (raw_units)
		snprintf(d->reason, sizeof(d->reason),
			 "none of the %u steps has a force or a pressure: the recording is in raw sensor units, "
			 "from which no arch measure can be made", d->steps_total);
	else
		snprintf(d->reason, sizeof(d->reason), "none of the %u steps has a %s", d->steps_total, w.name);
}

void ins_drift_assess(const double *minutes, const double *values, size_t n, uint32_t steps_total,
		      unsigned measure, struct ins_drift *out)
{
	struct ins_drift_acc acc;

	ins_drift_acc_init(&acc);
	for (size_t i = 0; i < n; i++)
		ins_drift_acc_add(&acc, minutes[i], values[i]);
	ins_drift_acc_finish(&acc, steps_total, measure, out);
}

/* ---- two sessions, one metric ------------------------------------------- */

const char *ins_diff_call_name(unsigned call)
{
	static const char *const names[] = { "no_clear_change", "higher", "lower", "too_few_steps", "not_compared" };

	return call < sizeof(names) / sizeof(names[0]) ? names[call] : "unknown";
}

const char *ins_effect_size_name(double g)
{
	double a = fabs(g);

	if (!isfinite(a))
		return "unknown";
	return a < 0.2 ? "negligible" : a < 0.5 ? "small" : a < 0.8 ? "moderate" : "large";
}

/* Exact small-sample correction of Cohen's d (Hedges 1981):
 * J(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)), m = n1 + n2 - 2. */
static double hedges_j(double m)
{
	return exp(lgamma(m / 2) - lgamma((m - 1) / 2)) / sqrt(m / 2);
}

const char *ins_metric_diff_unit(unsigned metric)
{
	const struct ins_metric_info *mi;

	if (metric >= INS_M_COUNT)
		return "";
	mi = &ins_step_metric_info[metric];
	/* a difference of percentages is in points, never "%" (which reads as a percent change) */
	if (mi->scale == INS_SCALE_SHARE || strcmp(mi->unit, "%") == 0)
		return "points";
	if (strcmp(mi->unit, "ratio") == 0 || strcmp(mi->unit, "class") == 0)
		return "";
	if (strcmp(mi->unit, "% stance") == 0)
		return "% of stance";
	if (strcmp(mi->unit, "% length") == 0)
		return "% of foot length";
	return mi->unit;
}

static void diff_reason(const struct ins_mean_diff *d, unsigned metric, char *buf, size_t len)
{
	const char *unit = ins_metric_diff_unit(metric);
	int n = ins_unit_digits(ins_step_metric_info[metric].unit);
	char u[32], ci[96], pct[136] = "";

	snprintf(u, sizeof(u), "%s%s", *unit ? " " : "", unit);
	snprintf(ci, sizeof(ci), "95 %% CI %s to %s", sgn(d->ci95[0], n).s, sgn(d->ci95[1], n).s);
	if (isfinite(d->pct))
		snprintf(pct, sizeof(pct), ", %s %% (%s to %s %%)", sgn(d->pct, 1).s, sgn(d->pct_ci95[0], 1).s,
			 sgn(d->pct_ci95[1], 1).s);
	if (d->call == INS_DIFF_HIGHER || d->call == INS_DIFF_LOWER)
		snprintf(buf, len, "%s: %s%s (%s)%s, a %s effect (g = %.2f)", ins_diff_call_name(d->call),
			 sgn(d->diff, n).s, u, ci, pct, ins_effect_size_name(d->g), d->g);
	else if (d->ci95[0] <= 0 && d->ci95[1] >= 0)
		snprintf(buf, len, "no clear change: %s%s (%s)%s includes zero", sgn(d->diff, n).s, u, ci, pct);
	else
		snprintf(buf, len, "no clear change: %s%s (%s)%s is a %s effect (g = %.2f, below %.1f)",
			 sgn(d->diff, n).s, u, ci, pct, ins_effect_size_name(d->g), d->g, INS_COMPARE_MIN_G);
}

/* Percent change with its CI from the log of the ratio (delta method):
 * var(ln m) = s^2 / (n m^2) per side, on Welch's df. */
static void percent_change(const struct ins_metric_stats *a, const struct ins_metric_stats *b, double df,
			   struct ins_mean_diff *d)
{
	double va = a->sd * a->sd / (a->n * a->mean * a->mean), vb = b->sd * b->sd / (b->n * b->mean * b->mean);
	double lr = log(b->mean / a->mean), half = isfinite(df) ? ins_t_quantile(0.975, df) * sqrt(va + vb) : 0;

	d->pct = 100.0 * (b->mean / a->mean - 1);
	d->pct_ci95[0] = 100.0 * expm1(lr - half);
	d->pct_ci95[1] = 100.0 * expm1(lr + half);
}

static int stats_usable(const struct ins_metric_stats *s)
{
	return s->n >= 2 && isfinite(s->mean) && isfinite(s->sd);
}

void ins_compare_means(const struct ins_metric_stats *base, const struct ins_metric_stats *other,
		       unsigned metric, struct ins_mean_diff *out)
{
	double va, vb, se, sp;

	memset(out, 0, sizeof(*out));
	out->n_base = base->n;
	out->n_other = other->n;
	out->diff = out->ci95[0] = out->ci95[1] = out->df = out->g = NAN;
	out->pct = out->pct_ci95[0] = out->pct_ci95[1] = NAN;
	out->call = INS_DIFF_NOT_COMPARED;
	if (metric >= INS_M_COUNT || ins_step_metric_info[metric].scale == INS_SCALE_CATEGORY) {
		snprintf(out->reason, sizeof(out->reason), "not compared: a category (compare how often each class occurs)");
		return;
	}
	if (!stats_usable(base) || !stats_usable(other)) {
		snprintf(out->reason, sizeof(out->reason), "not compared: no value (or a single step) in a session");
		return;
	}
	va = base->sd * base->sd / base->n;
	vb = other->sd * other->sd / other->n;
	se = sqrt(va + vb);
	out->diff = other->mean - base->mean;
	out->df = se > 0 ? (va + vb) * (va + vb) / (va * va / (base->n - 1) + vb * vb / (other->n - 1)) : NAN;
	out->ci95[0] = out->diff - (se > 0 ? ins_t_quantile(0.975, out->df) * se : 0);
	out->ci95[1] = out->diff + (se > 0 ? ins_t_quantile(0.975, out->df) * se : 0);
	sp = sqrt(((base->n - 1) * base->sd * base->sd + (other->n - 1) * other->sd * other->sd) /
		  (base->n + other->n - 2));
	out->g = sp > 0 ? out->diff / sp * hedges_j(base->n + other->n - 2.0) : NAN;
	if (ins_step_metric_info[metric].scale == INS_SCALE_RATIO && base->mean > 0 && other->mean > 0)
		percent_change(base, other, out->df, out);
	if (!isfinite(out->g) && out->diff != 0) {
		snprintf(out->reason, sizeof(out->reason), "not compared: no step-to-step spread to judge the difference by");
		return;
	}
	if (base->n < INS_COMPARE_MIN_STEPS || other->n < INS_COMPARE_MIN_STEPS) {
		out->call = INS_DIFF_TOO_FEW;
		snprintf(out->reason, sizeof(out->reason), "too few steps: %u and %u steady-state steps, %d needed on each side",
			 base->n, other->n, INS_COMPARE_MIN_STEPS);
		return;
	}
	out->call = INS_DIFF_NO_CLEAR_CHANGE;
	if ((out->ci95[0] > 0 || out->ci95[1] < 0) && fabs(out->g) >= INS_COMPARE_MIN_G)
		out->call = out->diff > 0 ? INS_DIFF_HIGHER : INS_DIFF_LOWER;
	diff_reason(out, metric, out->reason, sizeof(out->reason));
}
