/* The statistics of GET /api/compare: every metric per foot of each session
 * against the baseline (the first), judged by ins_compare_means() (Welch CI,
 * Hedges' g, steps behind each mean); the conditions that confound a
 * footwear comparison (pace, insoles, calibration, subject, too few steps);
 * and the findings in plain words, made from those decisions only. */
#include <config.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_priv.h"
#include "insoled/analysis_json.h"
#include "insoled/stats.h"

#define MAX_FINDINGS_PER_SESSION 12 /* a readable list; the table has the rest */

static void session_stats(json_t *session, unsigned metric, unsigned foot, struct ins_metric_stats *st)
{
	json_t *o = json_object_get(json_object_get(json_object_get(json_object_get(session, "summary"), "metrics"),
						    ins_step_metric_info[metric].name), ins_foot_name(foot));
	json_t *n = json_object_get(o, "n"), *mean = json_object_get(o, "mean"), *sd = json_object_get(o, "sd");

	st->n = json_is_integer(n) && json_integer_value(n) > 0 ? (uint32_t)json_integer_value(n) : 0;
	st->mean = json_is_number(mean) ? json_number_value(mean) : NAN;
	st->sd = json_is_number(sd) ? json_number_value(sd) : NAN;
	st->cv_pct = NAN;
}

/* What a session is called in headings and sentences: its footwear (or its
 * id), with the id added when two sessions would read the same, and the
 * subject when the sessions are not all of one subject. */
json_t *http_compare_names(json_t *sessions)
{
	size_t n = json_array_size(sessions);
	json_t *names = json_array();
	int subjects_differ = 0;

	for (size_t i = 1; i < n; i++)
		subjects_differ |= !json_equal(json_object_get(json_array_get(sessions, i), "subject"),
					       json_object_get(json_array_get(sessions, 0), "subject"));
	for (size_t i = 0; i < n; i++) {
		json_t *s = json_array_get(sessions, i);
		const char *fw = json_string_value(json_object_get(s, "footwear"));
		const char *subj = json_string_value(json_object_get(s, "subject"));
		int dup = 0;
		char name[400];

		for (size_t j = 0; j < n && fw && *fw; j++)
			dup |= j != i && json_equal(json_object_get(json_array_get(sessions, j), "footwear"),
						    json_object_get(s, "footwear"));
		if (fw && *fw)
			snprintf(name, sizeof(name), "%s", fw);
		else
			snprintf(name, sizeof(name), "session #%" JSON_INTEGER_FORMAT,
				 json_integer_value(json_object_get(s, "id")));
		if (fw && *fw && dup)
			snprintf(name + strlen(name), sizeof(name) - strlen(name), " (#%" JSON_INTEGER_FORMAT ")",
				 json_integer_value(json_object_get(s, "id")));
		if (subjects_differ && subj)
			snprintf(name + strlen(name), sizeof(name) - strlen(name), ", %s", subj);
		json_array_append_new(names, json_string(name));
	}
	return names;
}

static json_t *pair_json(double a, double b)
{
	return json_pack("[o,o]", ins_json_number_or_null(a), ins_json_number_or_null(b));
}

static json_t *diff_json(const struct ins_mean_diff *d)
{
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:o, s:o, s:I, s:I}",
			 "call", ins_diff_call_name(d->call), "reason", d->reason,
			 "diff", ins_json_number_or_null(d->diff), "ci95", pair_json(d->ci95[0], d->ci95[1]),
			 "df", ins_json_number_or_null(d->df), "hedges_g", ins_json_number_or_null(d->g),
			 "effect", ins_effect_size_name(d->g), "pct", ins_json_number_or_null(d->pct),
			 "pct_ci95", pair_json(d->pct_ci95[0], d->pct_ci95[1]), "n_baseline", (json_int_t)d->n_base,
			 "n", (json_int_t)d->n_other);
}

static json_t *stats_json(const struct ins_metric_stats *st)
{
	return json_pack("{s:I, s:o, s:o}", "n", (json_int_t)st->n, "mean", ins_json_number_or_null(st->mean),
			 "sd", ins_json_number_or_null(st->sd));
}

/* One metric: per session and foot its n, mean and SD; per later session
 * and foot the judged difference from the baseline. */
static json_t *metric_json(json_t *sessions, unsigned m)
{
	const struct ins_metric_info *mi = &ins_step_metric_info[m];
	json_t *values = json_array(), *vs = json_array();

	for (size_t i = 0; i < json_array_size(sessions); i++) {
		struct ins_metric_stats st[INS_FOOT_COUNT], base;
		json_t *v = json_object(), *d = i ? json_object() : json_null();

		for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
			session_stats(json_array_get(sessions, i), m, f, &st[f]);
			json_object_set_new(v, ins_foot_name(f), stats_json(&st[f]));
			if (i) {
				struct ins_mean_diff diff;

				session_stats(json_array_get(sessions, 0), m, f, &base);
				ins_compare_means(&base, &st[f], m, &diff);
				json_object_set_new(d, ins_foot_name(f), diff_json(&diff));
			}
		}
		json_array_append_new(values, v);
		json_array_append_new(vs, d);
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "name", mi->name, "unit", mi->unit, "label", mi->label,
			 "scale", ins_metric_scale_name(mi->scale), "diff_unit", ins_metric_diff_unit(m), "values", values,
			 "vs_baseline", vs);
}

json_t *http_compare_metrics(json_t *sessions)
{
	json_t *metrics = json_array();

	for (unsigned m = 0; m < INS_M_COUNT; m++)
		json_array_append_new(metrics, metric_json(sessions, m));
	return metrics;
}

/* ---- confounds ------------------------------------------------------------ */

static void warn(json_t *warnings, const char *kind, unsigned session, const char *text, const char *advice)
{
	json_array_append_new(warnings, json_pack("{s:s, s:I, s:s, s:s}", "kind", kind, "session",
						  (json_int_t)session, "text", text, "advice", advice));
}

/* Mean over the feet that have the metric. */
static double both_feet_mean(json_t *session, unsigned metric)
{
	double sum = 0;
	unsigned k = 0;

	for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
		struct ins_metric_stats st;

		session_stats(session, metric, f, &st);
		if (st.n > 0 && isfinite(st.mean)) {
			sum += st.mean;
			k++;
		}
	}
	return k ? sum / k : NAN;
}

static void pace_warning(json_t *warnings, json_t *sessions, json_t *names, size_t i, unsigned metric,
			 const char *what)
{
	double a = both_feet_mean(json_array_get(sessions, 0), metric);
	double b = both_feet_mean(json_array_get(sessions, i), metric);
	const char *unit = ins_step_metric_info[metric].unit;
	char text[768];

	if (!(a > 0 && b > 0) || fabs(b / a - 1) <= INS_COMPARE_MAX_PACE_DIFF)
		return;
	snprintf(text, sizeof(text),
		 "%s differs by %.0f %% between %s (%.*f %s) and %s (%.*f %s): walking faster or slower changes "
		 "pressures and timing by itself, so differences below may come from the pace, not the footwear.",
		 what, 100 * fabs(b / a - 1), json_string_value(json_array_get(names, 0)), ins_unit_digits(unit), a,
		 unit, json_string_value(json_array_get(names, i)), ins_unit_digits(unit), b, unit);
	warn(warnings, metric == INS_M_CADENCE_SPM ? "cadence" : "stance", (unsigned)i, text,
	     "Record both conditions at the same pace (same walkway and speed, a metronome or a treadmill) "
	     "and compare again.");
}

/* Calibrations compare without each sensor's zero: a fresh tare is good
 * practice before every session and changes no sensitivity. */
static json_t *calibration_without_zero(json_t *cal)
{
	json_t *c = json_deep_copy(cal);
	const char *foot;
	json_t *curves, *curve;
	size_t i;

	json_object_foreach(c, foot, curves) {
		json_array_foreach(curves, i, curve)
			json_object_del(curve, "zero");
	}
	return c;
}

static int same_calibration(json_t *a, json_t *b)
{
	json_t *x = calibration_without_zero(a), *y = calibration_without_zero(b);
	int same = json_equal(x, y) || (!x && !y);

	json_decref(x);
	json_decref(y);
	return same;
}

static void setup_warnings(json_t *warnings, json_t *sessions, json_t *names, size_t i)
{
	json_t *a = json_array_get(sessions, 0), *b = json_array_get(sessions, i);
	const char *na = json_string_value(json_array_get(names, 0)), *nb = json_string_value(json_array_get(names, i));
	char text[768];

	if (!json_equal(json_object_get(a, "layout"), json_object_get(b, "layout"))) {
		snprintf(text, sizeof(text), "%s and %s were recorded with different insoles (layouts): their sensors "
			 "and regions differ, so pressures and regional loads are not comparable.", na, nb);
		warn(warnings, "layout", (unsigned)i, text, "Compare sessions recorded with the same insoles.");
	} else if (!same_calibration(json_object_get(a, "calibration"), json_object_get(b, "calibration"))) {
		snprintf(text, sizeof(text), "%s and %s were recorded with different calibrations (sensor curves or "
			 "body-weight scaling): forces and pressures may differ for that reason alone.", na, nb);
		warn(warnings, "calibration", (unsigned)i, text,
		     "Record both with the same calibration, or read force and pressure differences with caution.");
	}
	if (!json_equal(json_object_get(a, "subject"), json_object_get(b, "subject"))) {
		snprintf(text, sizeof(text), "%s and %s are different subjects: differences between people are "
			 "not effects of footwear.", na, nb);
		warn(warnings, "subject", (unsigned)i, text, "Compare conditions of one subject.");
	}
}

static void steps_warning(json_t *warnings, json_t *sessions, json_t *names, size_t i)
{
	json_t *steps = json_object_get(json_object_get(json_array_get(sessions, i), "summary"), "steps");
	char text[512];

	for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
		json_int_t n = json_integer_value(json_object_get(steps, ins_foot_name(f)));

		if (n <= 0 || n >= INS_COMPARE_MIN_STEPS)
			continue;
		snprintf(text, sizeof(text), "Only %" JSON_INTEGER_FORMAT " steps of the %s foot in %s: no difference "
			 "is called out on fewer than %d steady-state steps per foot and session.", n, ins_foot_name(f),
			 json_string_value(json_array_get(names, i)), INS_COMPARE_MIN_STEPS);
		warn(warnings, "steps", (unsigned)i, text, "Record a longer walk (at least a minute of steady walking).");
	}
}

json_t *http_compare_warnings(json_t *sessions, json_t *names)
{
	json_t *warnings = json_array();

	for (size_t i = 0; i < json_array_size(sessions); i++) {
		if (i > 0) {
			pace_warning(warnings, sessions, names, i, INS_M_CADENCE_SPM, "Cadence");
			pace_warning(warnings, sessions, names, i, INS_M_STANCE_MS, "Contact time (stance)");
			setup_warnings(warnings, sessions, names, i);
		}
		steps_warning(warnings, sessions, names, i);
	}
	return warnings;
}

/* ---- findings --------------------------------------------------------------- */

struct finding {
	double abs_g;
	char text[512];
};

static int by_effect(const void *a, const void *b)
{
	double x = ((const struct finding *)a)->abs_g, y = ((const struct finding *)b)->abs_g;

	return x < y ? 1 : x > y ? -1 : 0;
}

static double number_at(json_t *arr, size_t i)
{
	json_t *v = json_array_get(arr, i);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* "Right foot: Forefoot peak pressure 18.0 % (25 kPa) higher in shoe B than in
 * shoe A (95 % CI 9.0 to 27.0 %), a large effect (g = 1.10; 240 and 250 steps)." */
static void finding_text(unsigned m, unsigned foot, json_t *d, const char *base, const char *other, char *buf,
			 size_t len)
{
	const char *unit = ins_metric_diff_unit(m), *call = json_string_value(json_object_get(d, "call"));
	int lower = call && strcmp(call, "lower") == 0, n = ins_unit_digits(ins_step_metric_info[m].unit);
	double pct = json_number_value(json_object_get(d, "pct")), g = json_number_value(json_object_get(d, "hedges_g"));
	json_t *ci = json_object_get(d, json_is_number(json_object_get(d, "pct")) ? "pct_ci95" : "ci95");
	double v = json_is_number(json_object_get(d, "pct")) ? pct : json_number_value(json_object_get(d, "diff"));
	double lo = number_at(ci, 0), hi = number_at(ci, 1);
	char amount[96];

	/* a percent change with the difference it stands for: "18.0 % (25 kPa)" */
	if (json_is_number(json_object_get(d, "pct"))) {
		snprintf(amount, sizeof(amount), "%.1f %% (%.*f%s%s)", fabs(v), n,
			 fabs(json_number_value(json_object_get(d, "diff"))), *unit ? " " : "", unit);
		n = 1;
		unit = "%";
	} else {
		snprintf(amount, sizeof(amount), "%.*f%s%s", n, fabs(v), *unit ? " " : "", unit);
	}
	snprintf(buf, len, "%s foot: %s %s %s in %s than in %s (95 %% CI %.*f to %.*f%s%s), a %s effect (g = %.2f; "
		 "%" JSON_INTEGER_FORMAT " and %" JSON_INTEGER_FORMAT " steps).",
		 foot == INS_FOOT_LEFT ? "Left" : "Right", ins_step_metric_info[m].label, amount,
		 lower ? "lower" : "higher", other, base, n, lower ? -hi : lo, n, lower ? -lo : hi, *unit ? " " : "",
		 unit, ins_effect_size_name(g), fabs(g), json_integer_value(json_object_get(d, "n_baseline")),
		 json_integer_value(json_object_get(d, "n")));
}

/* The called-out differences of session i, largest effect first. */
static size_t collect(json_t *metrics, json_t *names, size_t i, struct finding *out, size_t max, size_t *total)
{
	size_t k = 0;

	*total = 0;
	for (unsigned m = 0; m < json_array_size(metrics) && m < INS_M_COUNT; m++) {
		json_t *vs = json_array_get(json_object_get(json_array_get(metrics, m), "vs_baseline"), i);

		for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
			json_t *d = json_object_get(vs, ins_foot_name(f));
			const char *call = json_string_value(json_object_get(d, "call"));

			if (!call || (strcmp(call, "higher") && strcmp(call, "lower")))
				continue;
			(*total)++;
			if (k == max)
				continue;
			out[k].abs_g = fabs(json_number_value(json_object_get(d, "hedges_g")));
			finding_text(m, f, d, json_string_value(json_array_get(names, 0)),
				     json_string_value(json_array_get(names, i)), out[k].text, sizeof(out[k].text));
			k++;
		}
	}
	qsort(out, k, sizeof(out[0]), by_effect);
	return k;
}

json_t *http_compare_findings(json_t *metrics, json_t *names)
{
	const size_t max = INS_M_COUNT * INS_FOOT_COUNT;
	struct finding *found = malloc(max * sizeof(*found));
	json_t *arr = json_array();
	char text[768];

	for (size_t i = 1; found && i < json_array_size(names); i++) {
		size_t total, k = collect(metrics, names, i, found, max, &total);

		if (total == 0) {
			snprintf(text, sizeof(text), "No metric differs clearly between %s and %s: for every metric the "
				 "difference's 95 %% CI includes zero, its effect is below g = %.1f, or a session has fewer "
				 "than %d steady-state steps.", json_string_value(json_array_get(names, 0)),
				 json_string_value(json_array_get(names, i)), INS_COMPARE_MIN_G, INS_COMPARE_MIN_STEPS);
			json_array_append_new(arr, json_pack("{s:I, s:s}", "session", (json_int_t)i, "text", text));
		}
		for (size_t j = 0; j < k && j < MAX_FINDINGS_PER_SESSION; j++)
			json_array_append_new(arr, json_pack("{s:I, s:s}", "session", (json_int_t)i, "text", found[j].text));
		if (total > MAX_FINDINGS_PER_SESSION) {
			snprintf(text, sizeof(text), "… and %zu more differences between %s and %s in the table below.",
				 total - MAX_FINDINGS_PER_SESSION, json_string_value(json_array_get(names, 0)),
				 json_string_value(json_array_get(names, i)));
			json_array_append_new(arr, json_pack("{s:I, s:s}", "session", (json_int_t)i, "text", text));
		}
	}
	free(found);
	return arr;
}

/* ---- CSV ---------------------------------------------------------------------- */

static void csv_text(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
	}
	fputc('"', f);
}

static void csv_number(FILE *f, json_t *v)
{
	fputc(',', f);
	if (json_is_number(v))
		fprintf(f, "%.9g", json_number_value(v));
}

static void csv_row(FILE *f, json_t *metric, json_t *names, json_t *sessions, size_t i, unsigned foot)
{
	json_t *base = json_object_get(json_array_get(json_object_get(metric, "values"), 0), ins_foot_name(foot));
	json_t *own = json_object_get(json_array_get(json_object_get(metric, "values"), i), ins_foot_name(foot));
	json_t *d = json_object_get(json_array_get(json_object_get(metric, "vs_baseline"), i), ins_foot_name(foot));

	fprintf(f, "%s,", json_string_value(json_object_get(metric, "name")));
	csv_text(f, json_string_value(json_object_get(metric, "unit")));
	fprintf(f, ",%s,%s,%" JSON_INTEGER_FORMAT ",", json_string_value(json_object_get(metric, "scale")),
		ins_foot_name(foot), json_integer_value(json_object_get(json_array_get(sessions, i), "id")));
	csv_text(f, json_string_value(json_array_get(names, i)));
	csv_number(f, json_object_get(base, "n"));
	csv_number(f, json_object_get(base, "mean"));
	csv_number(f, json_object_get(base, "sd"));
	csv_number(f, json_object_get(own, "n"));
	csv_number(f, json_object_get(own, "mean"));
	csv_number(f, json_object_get(own, "sd"));
	csv_number(f, json_object_get(d, "diff"));
	csv_number(f, json_array_get(json_object_get(d, "ci95"), 0));
	csv_number(f, json_array_get(json_object_get(d, "ci95"), 1));
	csv_number(f, json_object_get(d, "df"));
	csv_number(f, json_object_get(d, "hedges_g"));
	fprintf(f, ",%s", json_string_value(json_object_get(d, "effect")));
	csv_number(f, json_object_get(d, "pct"));
	csv_number(f, json_array_get(json_object_get(d, "pct_ci95"), 0));
	csv_number(f, json_array_get(json_object_get(d, "pct_ci95"), 1));
	fprintf(f, ",%s,", json_string_value(json_object_get(d, "call")));
	csv_text(f, json_string_value(json_object_get(d, "reason")));
	fputc('\n', f);
}

/* The comparison as CSV: the warnings and findings as "# " lines, then one
 * row per metric, foot and later session against the baseline.  Returns a
 * malloc'd buffer, or NULL when out of memory. */
char *http_compare_csv(json_t *doc, size_t *len)
{
	json_t *sessions = json_object_get(doc, "sessions"), *names = json_object_get(doc, "names");
	json_t *metrics = json_object_get(doc, "metrics"), *item;
	char *buf = NULL;
	size_t i;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	fprintf(f, "# baseline: session %" JSON_INTEGER_FORMAT ", %s\n",
		json_integer_value(json_object_get(json_array_get(sessions, 0), "id")),
		json_string_value(json_array_get(names, 0)));
	json_array_foreach(json_object_get(doc, "warnings"), i, item)
		fprintf(f, "# warning: %s %s\n", json_string_value(json_object_get(item, "text")),
			json_string_value(json_object_get(item, "advice")));
	json_array_foreach(json_object_get(doc, "findings"), i, item)
		fprintf(f, "# finding: %s\n", json_string_value(json_object_get(item, "text")));
	fputs("metric,unit,scale,foot,session_id,session,n_baseline,mean_baseline,sd_baseline,n,mean,sd,diff,"
	      "ci95_low,ci95_high,welch_df,hedges_g,effect,pct_change,pct_ci95_low,pct_ci95_high,call,reason\n", f);
	for (size_t s = 1; s < json_array_size(sessions); s++)
		json_array_foreach(metrics, i, item)
			for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
				csv_row(f, item, names, sessions, s, foot);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
