/* Session summary: streaming mean/SD/CV per metric and foot (Welford),
 * left/right symmetry, data quality, and the arch-collapse trend (least
 * squares slope per minute with a t-based 95 % confidence interval). */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "insoled/analysis.h"

struct running {
	uint32_t n;
	double mean, m2;
};

/* Sums for y = a + b x, x in minutes from the foot's first step. */
struct regression {
	uint32_t n;
	double sx, sy, sxx, sxy, syy;
};

struct ins_summary_acc {
	uint32_t steps[INS_FOOT_COUNT];
	uint32_t saturated[INS_FOOT_COUNT], gaps[INS_FOOT_COUNT];
	uint32_t excluded[INS_FOOT_COUNT], initiation[INS_FOOT_COUNT], irregular[INS_FOOT_COUNT];
	uint32_t termination[INS_FOOT_COUNT];
	/* The foot's latest steady step, held back until the next one says
	 * whether walking went on (steady_add) or stopped after it. */
	struct ins_step pending[INS_FOOT_COUNT];
	int have_pending[INS_FOOT_COUNT];
	struct running m[INS_FOOT_COUNT][INS_M_COUNT];
	struct regression arch_index[INS_FOOT_COUNT], midfoot_index[INS_FOOT_COUNT];
	int have_origin[INS_FOOT_COUNT];
	int64_t origin_us[INS_FOOT_COUNT];
};

struct ins_summary_acc *ins_summary_acc_new(void)
{
	return calloc(1, sizeof(struct ins_summary_acc));
}

void ins_summary_acc_free(struct ins_summary_acc *acc)
{
	free(acc);
}

static void running_add(struct running *r, double v)
{
	double d = v - r->mean;

	r->n++;
	r->mean += d / r->n;
	r->m2 += d * (v - r->mean);
}

static void regression_add(struct regression *g, double x, double y)
{
	g->n++;
	g->sx += x;
	g->sy += y;
	g->sxx += x * x;
	g->sxy += x * y;
	g->syy += y * y;
}

/* A steady step into the statistics and the trend. */
static void steady_add(struct ins_summary_acc *acc, const struct ins_step *step)
{
	unsigned foot = step->foot;
	double minutes;

	for (unsigned i = 0; i < INS_M_COUNT; i++)
		if (isfinite(step->m[i]))
			running_add(&acc->m[foot][i], step->m[i]);
	if (!acc->have_origin[foot]) {
		acc->have_origin[foot] = 1;
		acc->origin_us[foot] = step->contact_us;
	}
	minutes = (double)(step->contact_us - acc->origin_us[foot]) / 60e6;
	if (isfinite(step->m[INS_M_ARCH_INDEX]))
		regression_add(&acc->arch_index[foot], minutes, step->m[INS_M_ARCH_INDEX]);
	if (isfinite(step->m[INS_M_MIDFOOT_LOAD_INDEX]))
		regression_add(&acc->midfoot_index[foot], minutes, step->m[INS_M_MIDFOOT_LOAD_INDEX]);
}

/* Steps that are not steady gait are counted, by reason, and left out.  A
 * steady step is held back one step: when the foot's next step is
 * irregular (standing, a stop), the held one was the last of the bout, a
 * termination step that slows down into the stop, and is left out too. */
void ins_summary_acc_add(struct ins_summary_acc *acc, const struct ins_step *step)
{
	unsigned foot = step->foot;

	if (foot >= INS_FOOT_COUNT)
		return;
	acc->steps[foot]++;
	acc->saturated[foot] += (step->flags & INS_STEP_SATURATED) != 0;
	acc->gaps[foot] += (step->flags & INS_STEP_GAP) != 0;
	if (acc->have_pending[foot]) {
		acc->have_pending[foot] = 0;
		if (step->flags & INS_STEP_IRREGULAR) {
			acc->excluded[foot]++;
			acc->termination[foot]++;
		} else {
			steady_add(acc, &acc->pending[foot]);
		}
	}
	if (ins_step_steady(step)) {
		acc->pending[foot] = *step;
		acc->have_pending[foot] = 1;
		return;
	}
	acc->excluded[foot]++;
	acc->initiation[foot] += (step->flags & INS_STEP_INITIATION) != 0;
	acc->irregular[foot] += (step->flags & INS_STEP_IRREGULAR) != 0;
}

/* Two-sided 95 % quantile of Student's t with df degrees of freedom: exact
 * table to 30, then the Cornish-Fisher expansion (error < 1e-4). */
static double t975(uint32_t df)
{
	static const double table[31] = {
		NAN, 12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
		2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
		2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423
	};
	const double z = 1.959964;
	double d = df;

	if (df <= 30)
		return table[df];
	return z + (z * z * z + z) / (4 * d) + (5 * pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * d * d);
}

static void trend(const struct regression *g, double *slope, double ci[2])
{
	double n = g->n, sxx, sxy, syy, b, s2;

	*slope = ci[0] = ci[1] = NAN;
	if (g->n < 3)
		return;
	sxx = g->sxx - g->sx * g->sx / n;
	sxy = g->sxy - g->sx * g->sy / n;
	syy = g->syy - g->sy * g->sy / n;
	if (!(sxx > 0))
		return;
	b = sxy / sxx;
	s2 = (syy - b * sxy) / (n - 2);
	*slope = b;
	if (s2 < 0)
		s2 = 0;
	double half = t975(g->n - 2) * sqrt(s2 / sxx);
	ci[0] = b - half;
	ci[1] = b + half;
}

static void stats_of(const struct running *r, struct ins_metric_stats *st)
{
	st->n = r->n;
	st->mean = r->n ? r->mean : NAN;
	st->sd = r->n >= 2 ? sqrt(r->m2 / (r->n - 1)) : NAN;
	st->cv_pct = r->n >= 2 && r->mean != 0 ? 100.0 * st->sd / fabs(r->mean) : NAN;
}

void ins_summary_acc_finish(const struct ins_summary_acc *acc_in, struct ins_summary *out)
{
	/* The steps held back count: nothing says walking stopped after them
	 * (a copy, so the caller can go on adding steps). */
	struct ins_summary_acc copy = *acc_in, *acc = &copy;

	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		if (acc->have_pending[foot])
			steady_add(acc, &acc->pending[foot]);
	memset(out, 0, sizeof(*out));
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		const struct regression *g = &acc->midfoot_index[foot];

		out->steps[foot] = acc->steps[foot];
		out->saturated_steps[foot] = acc->saturated[foot];
		out->gap_steps[foot] = acc->gaps[foot];
		out->excluded_steps[foot] = acc->excluded[foot];
		out->initiation_steps[foot] = acc->initiation[foot];
		out->irregular_steps[foot] = acc->irregular[foot];
		out->termination_steps[foot] = acc->termination[foot];
		for (unsigned i = 0; i < INS_M_COUNT; i++)
			stats_of(&acc->m[foot][i], &out->foot[foot][i]);
		out->arch_measure[foot] = INS_ARCH_MIDFOOT_LOAD_INDEX;
		if (acc->arch_index[foot].n > 0) {
			g = &acc->arch_index[foot];
			out->arch_measure[foot] = INS_ARCH_ARCH_INDEX;
		}
		trend(g, &out->arch_trend_per_min[foot], out->arch_trend_ci95[foot]);
	}
	for (unsigned i = 0; i < INS_M_COUNT; i++) {
		double l = out->foot[INS_FOOT_LEFT][i].mean, r = out->foot[INS_FOOT_RIGHT][i].mean;

		/* Only for two positive means: with signed metrics (balance, CPEI,
		 * CoP x) the ratio to their mean has no meaning. */
		out->symmetry_pct[i] = l > 0 && r > 0 ? (r - l) / (0.5 * (r + l)) * 100.0 : NAN;
	}
}
