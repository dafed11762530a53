/* The analysis's values of each frame checked against those the file
 * gives of itself, as the file is read.  The tolerances are the ones the
 * readers are held to on the published samples (docs/import.md,
 * "Accuracy"), so a recording that falls outside them was read with the
 * wrong units, layout or insole size, or holds what the samples did not. */
#include <config.h>

#include <jansson.h>
#include <math.h>

#include "import_priv.h"

/* Relative tolerance of the load and the peak pressure: the bar the
 * XSENSOR, Moticon and gaitpdb samples meet (docs/import.md). */
#define AGREE_REL 0.01
/* ... but never below 1 N: Moticon writes whole newtons (0.5 N of
 * rounding) and gaitpdb 0.01 N steps, which 1 % of a light load is not. */
#define AGREE_FORCE_FLOOR_N 1.0
/* Centre of pressure: within 1 % of the insole's width and of its length. */
#define AGREE_COP_NORM 0.01

static const struct {
	const char *key, *name, *unit, *tolerance;
} ref_words[INS_REF_COUNT] = {
	[INS_REF_FORCE] = { "force_n", "load", "N", "1 % or 1 N" },
	[INS_REF_PEAK] = { "peak_kpa", "peak pressure", "kPa", "1 %" },
	[INS_REF_COP] = { "cop_pct", "centre of pressure", "% of the insole",
			  "1 % of the insole's width and length" },
};

const char *ins_import_ref_key(enum ins_import_ref r)
{
	return r < INS_REF_COUNT ? ref_words[r].key : "?";
}

const char *ins_import_ref_name(enum ins_import_ref r)
{
	return r < INS_REF_COUNT ? ref_words[r].name : "?";
}

const char *ins_import_ref_unit(enum ins_import_ref r)
{
	return r < INS_REF_COUNT ? ref_words[r].unit : "?";
}

const char *ins_import_ref_tolerance(enum ins_import_ref r)
{
	return r < INS_REF_COUNT ? ref_words[r].tolerance : "?";
}

int ins_import_agrees(const struct ins_import_agreement *a)
{
	return !a->frames || 100.0 * (double)a->within >= INS_IMPORT_AGREE_MIN_PCT * (double)a->frames;
}

int ins_import_states_own_values(const struct ins_import_info *info)
{
	return info->has_ref_force || info->has_ref_peak || info->has_ref_cop;
}

/* diff: |the analysis's - the file's|, NaN when the analysis has none. */
static void agree_one(struct ins_import_agreement *a, double diff, double tolerance, int64_t t_us)
{
	a->frames++;
	if (isnan(diff)) {
		a->missing++;
		return;
	}
	a->within += diff <= tolerance;
	a->sum_diff += diff;
	if (a->frames - a->missing == 1 || diff > a->max_diff) {
		a->max_diff = diff;
		a->max_t_us = t_us;
	}
}

struct ins_import_measured ins_import_measured_of(const struct ins_frame_metrics *m)
{
	return (struct ins_import_measured){ m->force_n, m->peak_kpa, m->cop_x_norm, m->cop_y_norm };
}

void ins_import_agreement_add(struct ins_import_agreement agree[INS_FOOT_COUNT][INS_REF_COUNT],
			      const struct ins_import_frame *f, const struct ins_import_measured *m)
{
	struct ins_import_agreement *a;
	double cop_diff;

	if (f->foot >= INS_FOOT_COUNT)
		return;
	a = agree[f->foot];
	if (!isnan(f->ref_force_n))
		agree_one(&a[INS_REF_FORCE], fabs(m->force_n - f->ref_force_n),
			  fmax(AGREE_REL * f->ref_force_n, AGREE_FORCE_FLOOR_N), f->t_us);
	/* a frame the vendor finds unloaded has no peak to compare */
	if (f->ref_peak_kpa > 0)
		agree_one(&a[INS_REF_PEAK], fabs(m->peak_kpa - f->ref_peak_kpa), AGREE_REL * f->ref_peak_kpa, f->t_us);
	if (isnan(f->ref_cop_x_norm) || isnan(f->ref_cop_y_norm))
		return;
	/* the larger of the two directions; NaN when the analysis has no CoP */
	cop_diff = fmax(fabs(m->cop_x_norm - f->ref_cop_x_norm), fabs(m->cop_y_norm - f->ref_cop_y_norm));
	agree_one(&a[INS_REF_COP], isnan(m->cop_x_norm) || isnan(m->cop_y_norm) ? NAN : 100.0 * cop_diff,
		  100.0 * AGREE_COP_NORM, f->t_us);
}

/* {"name", "frames", "within", ...} of one foot's agreement on value q. */
static json_t *value_json(const struct ins_import_agreement *a, unsigned q)
{
	unsigned long measured = a->frames - a->missing;

	return json_pack("{s:s, s:I, s:I, s:f, s:b, s:I, s:o, s:o, s:o, s:s}", "name", ins_import_ref_name(q), "frames",
			 (json_int_t)a->frames, "within", (json_int_t)a->within, "within_pct",
			 100.0 * a->within / a->frames, "agrees", ins_import_agrees(a), "missing",
			 (json_int_t)a->missing, "mean_diff", measured ? json_real(a->sum_diff / measured) : json_null(),
			 "max_diff", measured ? json_real(a->max_diff) : json_null(), "max_t_s",
			 measured ? json_real(a->max_t_us / 1e6) : json_null(), "tolerance", ins_import_ref_tolerance(q));
}

/* {"name", "events", "matched", ...} of one foot's agreement on events of a kind (differences in ms). */
static json_t *event_json(const struct ins_import_event_agreement *e, unsigned kind)
{
	return json_pack("{s:s, s:I, s:I, s:o, s:b, s:I, s:o, s:o, s:o, s:s}", "name", ins_import_event_name(kind),
			 "events", (json_int_t)e->events, "matched", (json_int_t)e->matched, "matched_pct",
			 e->events ? json_real(100.0 * e->matched / e->events) : json_null(), "agrees",
			 ins_import_events_agree(e), "edge", (json_int_t)e->edge, "median_diff",
			 e->matched ? json_real(e->median_ms) : json_null(), "max_diff",
			 e->matched ? json_real(e->max_ms) : json_null(), "max_t_s",
			 e->matched ? json_real(e->max_t_us / 1e6) : json_null(), "tolerance", ins_import_event_tolerance());
}

json_t *ins_import_agreement_json(const struct ins_import_agreement agree[INS_FOOT_COUNT][INS_REF_COUNT],
				  const struct ins_import_event_agreement events[INS_FOOT_COUNT][INS_IMPORT_EVENT_KINDS])
{
	json_t *all = json_object();

	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		json_t *per_foot = json_object();

		for (unsigned q = 0; q < INS_REF_COUNT; q++)
			if (agree[foot][q].frames)
				json_object_set_new(per_foot, ins_import_ref_key(q), value_json(&agree[foot][q], q));
		for (unsigned kind = 0; events && kind < INS_IMPORT_EVENT_KINDS; kind++)
			if (events[foot][kind].events || events[foot][kind].edge)
				json_object_set_new(per_foot, ins_import_event_key(kind), event_json(&events[foot][kind], kind));
		if (json_object_size(per_foot))
			json_object_set_new(all, ins_foot_name(foot), per_foot);
		else
			json_decref(per_foot);
	}
	if (json_object_size(all))
		return all;
	json_decref(all);
	return NULL;
}
