/* The one JSON/CSV rendering of steps, summaries and frame metrics. */
#include <config.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "insoled/analysis_json.h"

json_t *ins_json_number_or_null(double v)
{
	/* jansson refuses NaN and infinities; the API contract says null. */
	return isfinite(v) ? json_real(v) : json_null();
}

/* Append to a growing line; returns 0 or -1 when buf is full. */
static int append(char *buf, size_t buflen, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int append(char *buf, size_t buflen, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= buflen)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, buflen - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= buflen - *len)
		return -1;
	*len += (size_t)n;
	return 0;
}

static int finish_line(char *buf, size_t buflen, size_t len, int rc)
{
	if (rc < 0) {
		if (buflen > 0)
			buf[0] = '\0';
		return -1;
	}
	return (int)len;
}

json_t *ins_step_json(const struct ins_step *step)
{
	json_t *metrics = json_object();
	json_t *obj;

	for (unsigned i = 0; i < INS_M_COUNT; i++)
		json_object_set_new(metrics, ins_step_metric_info[i].name,
				    ins_json_number_or_null(step->m[i]));
	obj = json_pack("{s:s, s:I, s:I, s:I, s:I, s:o}",
			"foot", ins_foot_name(step->foot),
			"index", (json_int_t)step->index,
			"flags", (json_int_t)step->flags,
			"contact_us", (json_int_t)step->contact_us,
			"toe_off_us", (json_int_t)step->toe_off_us,
			"metrics", metrics);
	return obj;
}

static json_t *stats_json(const struct ins_metric_stats *st)
{
	return json_pack("{s:I, s:o, s:o, s:o}",
			 "n", (json_int_t)st->n,
			 "mean", ins_json_number_or_null(st->mean),
			 "sd", ins_json_number_or_null(st->sd),
			 "cv_pct", ins_json_number_or_null(st->cv_pct));
}

static json_t *per_foot_uint(const uint32_t v[INS_FOOT_COUNT])
{
	return json_pack("{s:I, s:I}", "left", (json_int_t)v[INS_FOOT_LEFT],
			 "right", (json_int_t)v[INS_FOOT_RIGHT]);
}

static json_t *pair_or_null(const double v[2])
{
	return json_pack("[o,o]", ins_json_number_or_null(v[0]), ins_json_number_or_null(v[1]));
}

/* The drift of one foot: the decision (class, reason), the numbers behind
 * it, and the slope per minute the trend chart draws. */
static json_t *drift_json(const struct ins_drift *d)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:o}",
			 "class", ins_drift_class_name(d->cls),
			 "headline", ins_drift_headline(d->cls),
			 "reason", d->reason,
			 "change", ins_json_number_or_null(d->change),
			 "change_ci95", pair_or_null(d->change_ci95),
			 "mdc95", ins_json_number_or_null(d->mdc95),
			 "sem", ins_json_number_or_null(d->sem),
			 "per_min", ins_json_number_or_null(d->slope_per_min),
			 "ci95", pair_or_null(d->slope_ci95),
			 "steps", (json_int_t)d->steps,
			 "steps_total", (json_int_t)d->steps_total,
			 "blocks", (json_int_t)d->blocks,
			 "minutes", ins_json_number_or_null(d->minutes));
}

/* Plain-language findings per foot with steps, made from the drift decision
 * above and the comparison rule's minimum of steady steps, nothing else. */
static json_t *findings_json(const struct ins_summary *sum)
{
	json_t *arr = json_array();

	for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
		const struct ins_drift *d = &sum->arch_drift[f];
		char line[512];
		uint32_t steady;

		if (sum->steps[f] == 0)
			continue;
		snprintf(line, sizeof(line), "%s foot: %s (%s).", f == INS_FOOT_LEFT ? "Left" : "Right",
			 ins_drift_headline(d->cls), d->reason);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "foot", ins_foot_name(f), "class",
						     ins_drift_class_name(d->cls), "text", line));
		steady = sum->steps[f] - sum->excluded_steps[f];
		if (steady >= INS_COMPARE_MIN_STEPS)
			continue;
		snprintf(line, sizeof(line), "%s foot: only %u steady step%s (of %u): a comparison with another session "
			 "calls out no difference on fewer than %d per foot (Melvin et al. 2014); record a longer walk.",
			 f == INS_FOOT_LEFT ? "Left" : "Right", steady, steady == 1 ? "" : "s", sum->steps[f],
			 INS_COMPARE_MIN_STEPS);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "foot", ins_foot_name(f), "class",
						     "too_few_steps_to_compare", "text", line));
	}
	return arr;
}

/* One string for the session: the Arch Index only when every foot that has
 * steps was measured with it, so a mixed pair never claims a footprint
 * measure it does not have. */
static const char *session_arch_measure(const struct ins_summary *sum)
{
	int any = 0;

	for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
		if (sum->steps[f] == 0)
			continue;
		if (sum->arch_measure[f] != INS_ARCH_ARCH_INDEX)
			return ins_arch_measure_name(INS_ARCH_MIDFOOT_LOAD_INDEX);
		any = 1;
	}
	return ins_arch_measure_name(any ? INS_ARCH_ARCH_INDEX : INS_ARCH_MIDFOOT_LOAD_INDEX);
}

json_t *ins_summary_json(const struct ins_summary *sum)
{
	json_t *metrics = json_object();

	for (unsigned i = 0; i < INS_M_COUNT; i++)
		json_object_set_new(metrics, ins_step_metric_info[i].name,
				    json_pack("{s:o, s:o, s:o}",
					      "left", stats_json(&sum->foot[INS_FOOT_LEFT][i]),
					      "right", stats_json(&sum->foot[INS_FOOT_RIGHT][i]),
					      "symmetry_pct", ins_json_number_or_null(sum->symmetry_pct[i])));
	return json_pack("{s:o, s:o, s:o, s:{s:o, s:o}, s:s, s:{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}}",
			 "steps", per_foot_uint(sum->steps),
			 "findings", findings_json(sum),
			 "metrics", metrics,
			 "arch_trend",
			 "left", drift_json(&sum->arch_drift[INS_FOOT_LEFT]),
			 "right", drift_json(&sum->arch_drift[INS_FOOT_RIGHT]),
			 "arch_measure", session_arch_measure(sum),
			 "quality",
			 "saturated_steps", per_foot_uint(sum->saturated_steps),
			 "gap_steps", per_foot_uint(sum->gap_steps),
			 "excluded_steps", per_foot_uint(sum->excluded_steps),
			 "initiation_steps", per_foot_uint(sum->initiation_steps),
			 "irregular_steps", per_foot_uint(sum->irregular_steps),
			 "termination_steps", per_foot_uint(sum->termination_steps),
			 "trimmed_steps", per_foot_uint(sum->trimmed_steps),
			 "user_excluded_steps", per_foot_uint(sum->user_excluded_steps),
			 "user_included_steps", per_foot_uint(sum->user_included_steps));
}

json_t *ins_frame_metrics_json(const struct ins_frame_metrics *fm)
{
	return json_pack("{s:o, s:{s:o, s:o, s:o, s:o}, s:{s:o, s:o, s:o, s:o}, s:o, s:o, s:b, s:I}",
			 "force_n", ins_json_number_or_null(fm->force_n),
			 "cop",
			 "x_mm", ins_json_number_or_null(fm->cop_x_mm),
			 "y_mm", ins_json_number_or_null(fm->cop_y_mm),
			 "x_norm", ins_json_number_or_null(fm->cop_x_norm),
			 "y_norm", ins_json_number_or_null(fm->cop_y_norm),
			 "regions_n",
			 "heel", ins_json_number_or_null(fm->region_force_n[INS_REGION_HEEL]),
			 "midfoot", ins_json_number_or_null(fm->region_force_n[INS_REGION_MIDFOOT]),
			 "forefoot", ins_json_number_or_null(fm->region_force_n[INS_REGION_FOREFOOT]),
			 "toes", ins_json_number_or_null(fm->region_force_n[INS_REGION_TOES]),
			 "contact_area_mm2", ins_json_number_or_null(fm->contact_area_mm2),
			 "peak_kpa", ins_json_number_or_null(fm->peak_kpa),
			 "in_stance", fm->in_stance ? 1 : 0,
			 "n_saturated", (json_int_t)fm->n_saturated);
}

int ins_step_csv_header(char *buf, size_t buflen)
{
	size_t len = 0;
	int rc = append(buf, buflen, &len, "foot,index,flags,contact_us,toe_off_us");

	for (unsigned i = 0; rc == 0 && i < INS_M_COUNT; i++)
		rc = append(buf, buflen, &len, ",%s", ins_step_metric_info[i].name);
	return finish_line(buf, buflen, len, rc);
}

