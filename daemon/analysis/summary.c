/* Session summary: streaming mean/SD/CV per metric and foot (Welford),
 * left/right symmetry, data quality, and the arch drift of each foot judged
 * against its minimal detectable change (stats.c), all over the steady
 * steps only. */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "insoled/analysis.h"

struct running {
	uint32_t n;
	double mean, m2;
};

struct ins_summary_acc {
	uint32_t steps[INS_FOOT_COUNT];
	uint32_t saturated[INS_FOOT_COUNT], gaps[INS_FOOT_COUNT];
	uint32_t excluded[INS_FOOT_COUNT], initiation[INS_FOOT_COUNT], irregular[INS_FOOT_COUNT];
	uint32_t termination[INS_FOOT_COUNT];
	uint32_t trimmed[INS_FOOT_COUNT], user_excluded[INS_FOOT_COUNT], user_included[INS_FOOT_COUNT];
	/* Steps of any kind with an arch measure, with a force: none at all
	 * means the recording cannot give one (ins_drift_no_measure). */
	uint32_t with_arch[INS_FOOT_COUNT], with_force[INS_FOOT_COUNT];
	/* The foot's latest steady step, held back until the next one says
	 * whether walking went on (steady_add) or stopped after it. */
	struct ins_step pending[INS_FOOT_COUNT];
	int have_pending[INS_FOOT_COUNT];
	struct running m[INS_FOOT_COUNT][INS_M_COUNT];
	/* both arch measures: which one applies is known only at the end */
	struct ins_drift_acc arch_index[INS_FOOT_COUNT], midfoot_index[INS_FOOT_COUNT];
	int have_origin[INS_FOOT_COUNT];
	int64_t origin_us[INS_FOOT_COUNT];
};

struct ins_summary_acc *ins_summary_acc_new(void)
{
	struct ins_summary_acc *acc = calloc(1, sizeof(struct ins_summary_acc));

	for (unsigned f = 0; acc && f < INS_FOOT_COUNT; f++) {
		ins_drift_acc_init(&acc->arch_index[f]);
		ins_drift_acc_init(&acc->midfoot_index[f]);
	}
	return acc;
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

/* A steady step into the statistics and the arch drift. */
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
	ins_drift_acc_add(&acc->arch_index[foot], minutes, step->m[INS_M_ARCH_INDEX]);
	ins_drift_acc_add(&acc->midfoot_index[foot], minutes, step->m[INS_M_MIDFOOT_LOAD_INDEX]);
}

/* Steps that are not steady gait are counted, by reason, and left out.  A
 * steady step is held back one step: when the foot's next step is
 * irregular (standing, a stop) or starts a new bout, the held one was the
 * last of the bout, a termination step that slows down into the stop, and
 * is left out too (steps read back from a session carry that as
 * INS_STEP_TERMINATION already, ins_step_delay). */
void ins_summary_acc_add(struct ins_summary_acc *acc, const struct ins_step *step)
{
	ins_summary_acc_add_chosen(acc, step, INS_CHOICE_AUTO);
}

void ins_step_delay_init(struct ins_step_delay *d)
{
	memset(d, 0, sizeof(*d));
}

int ins_step_delay_push(struct ins_step_delay *d, const struct ins_step *step, struct ins_step *out)
{
	unsigned foot = step->foot;
	int released = 0;

	if (foot >= INS_FOOT_COUNT) {
		*out = *step;
		return 1;
	}
	if (d->have[foot]) {
		*out = d->held[foot];
		/* an irregular step (standing, a pivot) is not a step of the bout */
		if (ins_step_follows_stop(step) && !(out->flags & INS_STEP_IRREGULAR))
			out->flags |= INS_STEP_TERMINATION;
		released = 1;
	}
	d->held[foot] = *step;
	d->have[foot] = 1;
	return released;
}

int ins_step_delay_flush(struct ins_step_delay *d, struct ins_step *out)
{
	unsigned foot = INS_FOOT_LEFT;

	if (!d->have[INS_FOOT_LEFT] ||
	    (d->have[INS_FOOT_RIGHT] && d->held[INS_FOOT_RIGHT].contact_us < d->held[INS_FOOT_LEFT].contact_us))
		foot = INS_FOOT_RIGHT;
	if (!d->have[foot])
		return 0;
	*out = d->held[foot];
	d->have[foot] = 0;
	return 1;
}

/* The held-back step of the foot goes into the statistics (walking went
 * on), or is counted as termination. */
static void settle_pending(struct ins_summary_acc *acc, unsigned foot, int walking_stopped)
{
	if (!acc->have_pending[foot])
		return;
	acc->have_pending[foot] = 0;
	if (walking_stopped) {
		acc->excluded[foot]++;
		acc->termination[foot]++;
	} else {
		steady_add(acc, &acc->pending[foot]);
	}
}

/* A step the user chose: trimmed or excluded steps count only as such;
 * an included one goes into the statistics whatever its flags say.  The
 * automatic rules still see it, so the step before a trimmed or excluded
 * standing phase is judged as usual. */
static int add_user_choice(struct ins_summary_acc *acc, const struct ins_step *step, int choice)
{
	unsigned foot = step->foot;

	if (choice == INS_CHOICE_TRIMMED || choice == INS_CHOICE_EXCLUDE) {
		settle_pending(acc, foot, ins_step_follows_stop(step));
		acc->excluded[foot]++;
		acc->trimmed[foot] += choice == INS_CHOICE_TRIMMED;
		acc->user_excluded[foot] += choice == INS_CHOICE_EXCLUDE;
		return 1;
	}
	if (choice == INS_CHOICE_INCLUDE) {
		settle_pending(acc, foot, 0);
		acc->user_included[foot] += !ins_step_steady(step);
		steady_add(acc, step);
		return 1;
	}
	return 0;
}

void ins_summary_acc_add_chosen(struct ins_summary_acc *acc, const struct ins_step *step, int choice)
{
	unsigned foot = step->foot;

	if (foot >= INS_FOOT_COUNT)
		return;
	acc->steps[foot]++;
	acc->with_arch[foot] += isfinite(step->m[INS_M_MIDFOOT_LOAD_INDEX]) || isfinite(step->m[INS_M_ARCH_INDEX]);
	acc->with_force[foot] += isfinite(step->m[INS_M_PEAK_FORCE_N]);
	acc->saturated[foot] += (step->flags & INS_STEP_SATURATED) != 0;
	acc->gaps[foot] += (step->flags & INS_STEP_GAP) != 0;
	if (add_user_choice(acc, step, choice))
		return;
	settle_pending(acc, foot, ins_step_follows_stop(step));
	if (ins_step_steady(step)) {
		acc->pending[foot] = *step;
		acc->have_pending[foot] = 1;
		return;
	}
	acc->excluded[foot]++;
	acc->initiation[foot] += (step->flags & INS_STEP_INITIATION) != 0;
	acc->irregular[foot] += (step->flags & INS_STEP_IRREGULAR) != 0;
	/* as the held-back steps above: only a step steady but for its end */
	acc->termination[foot] += (step->flags & INS_STEP_NOT_STEADY) == INS_STEP_TERMINATION;
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
		const struct ins_drift_acc *g = &acc->midfoot_index[foot];

		out->steps[foot] = acc->steps[foot];
		out->saturated_steps[foot] = acc->saturated[foot];
		out->gap_steps[foot] = acc->gaps[foot];
		out->excluded_steps[foot] = acc->excluded[foot];
		out->initiation_steps[foot] = acc->initiation[foot];
		out->irregular_steps[foot] = acc->irregular[foot];
		out->termination_steps[foot] = acc->termination[foot];
		out->trimmed_steps[foot] = acc->trimmed[foot];
		out->user_excluded_steps[foot] = acc->user_excluded[foot];
		out->user_included_steps[foot] = acc->user_included[foot];
		for (unsigned i = 0; i < INS_M_COUNT; i++)
			stats_of(&acc->m[foot][i], &out->foot[foot][i]);
		out->arch_measure[foot] = INS_ARCH_MIDFOOT_LOAD_INDEX;
		if (acc->arch_index[foot].steps > 0) {
			g = &acc->arch_index[foot];
			out->arch_measure[foot] = INS_ARCH_ARCH_INDEX;
		}
		/* n of N: the steady steps with the measure, of all the foot's steps */
		ins_drift_acc_finish(g, acc->steps[foot], out->arch_measure[foot], &out->arch_drift[foot]);
		if (acc->steps[foot] > 0 && acc->with_arch[foot] == 0)
			ins_drift_no_measure(&out->arch_drift[foot], acc->with_force[foot] == 0);
	}
	for (unsigned i = 0; i < INS_M_COUNT; i++) {
		double l = out->foot[INS_FOOT_LEFT][i].mean, r = out->foot[INS_FOOT_RIGHT][i].mean;

		/* Only for two positive means: with signed metrics (balance, CPEI,
		 * CoP x) the ratio to their mean has no meaning. */
		out->symmetry_pct[i] = l > 0 && r > 0 ? (r - l) / (0.5 * (r + l)) * 100.0 : NAN;
	}
}
