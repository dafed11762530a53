/* GET /api/compare: sessions side by side (shoe A / shoe B / barefoot).
 * Every summary metric per foot, its difference and percent change from
 * the first (baseline) session, the step-to-step SD of each session, and a
 * flag where the change exceeds ordinary step variation; plus the
 * difference heatmap of the last session against the baseline. */
#include <config.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "http_priv.h"
#include "insoled/analysis_json.h"

static double summary_value(json_t *session, const char *metric, unsigned foot, const char *stat)
{
	json_t *v = json_object_get(json_object_get(json_object_get(json_object_get(
		json_object_get(session, "summary"), "metrics"), metric), ins_foot_name(foot)), stat);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static json_t *pair(double left, double right)
{
	return json_pack("{s:o,s:o}", "left", ins_json_number_or_null(left), "right", ins_json_number_or_null(right));
}

static json_t *metric_json(json_t *sessions, unsigned n, unsigned m)
{
	const char *name = ins_step_metric_info[m].name;
	json_t *values = json_array(), *diff = json_array(), *pct = json_array(), *sd = json_array(),
	       *notable = json_array();

	for (unsigned i = 0; i < n; i++) {
		json_t *s = json_array_get(sessions, i), *base = json_array_get(sessions, 0);
		double v[INS_FOOT_COUNT], d[INS_FOOT_COUNT], p[INS_FOOT_COUNT], sdv[INS_FOOT_COUNT];
		int note[INS_FOOT_COUNT];

		for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
			double b = summary_value(base, name, f, "mean"), bsd = summary_value(base, name, f, "sd");
			double larger_sd;

			v[f] = summary_value(s, name, f, "mean");
			sdv[f] = summary_value(s, name, f, "sd");
			d[f] = v[f] - b;
			p[f] = b != 0 ? 100.0 * d[f] / fabs(b) : NAN;
			larger_sd = fmax(bsd, sdv[f]); /* fmax ignores one NaN */
			note[f] = i > 0 && isfinite(d[f]) && isfinite(larger_sd) && fabs(d[f]) > larger_sd;
		}
		json_array_append_new(values, pair(v[0], v[1]));
		json_array_append_new(diff, pair(d[0], d[1]));
		json_array_append_new(pct, pair(p[0], p[1]));
		json_array_append_new(sd, pair(sdv[0], sdv[1]));
		json_array_append_new(notable, json_pack("{s:b,s:b}", "left", note[0], "right", note[1]));
	}
	return json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o}", "name", name, "unit", ins_step_metric_info[m].unit,
			 "label", ins_step_metric_info[m].label, "values", values, "diff", diff, "pct_change", pct,
			 "step_sd", sd, "notable", notable);
}

static int same_grid(json_t *a, json_t *b)
{
	static const char *const keys[] = { "w", "h", "cell_mm", "x0_mm", "y0_mm" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *x = json_object_get(a, keys[i]), *y = json_object_get(b, keys[i]);

		if (!json_is_number(x) || !json_is_number(y) || json_number_value(x) != json_number_value(y))
			return 0;
	}
	return json_array_size(json_object_get(a, "cells")) == json_array_size(json_object_get(b, "cells"));
}

/* later - baseline per cell; null where either is outside the foot.
 * max_kpa is the largest absolute difference, for a symmetric colour scale. */
static json_t *heatmap_diff(json_t *base, json_t *later)
{
	json_t *ca = json_object_get(base, "cells"), *cb = json_object_get(later, "cells"), *cells, *out;
	double max = 0;

	if (!base || !later || !same_grid(base, later))
		return json_null();
	cells = json_array();
	for (size_t i = 0; i < json_array_size(ca); i++) {
		json_t *x = json_array_get(ca, i), *y = json_array_get(cb, i);
		double d = json_is_number(x) && json_is_number(y) ? json_number_value(y) - json_number_value(x) : NAN;

		if (isfinite(d) && fabs(d) > max)
			max = fabs(d);
		json_array_append_new(cells, ins_json_number_or_null(d));
	}
	out = json_pack("{s:O,s:O,s:O,s:O,s:O,s:f,s:o}", "w", json_object_get(later, "w"), "h",
			json_object_get(later, "h"), "cell_mm", json_object_get(later, "cell_mm"), "x0_mm",
			json_object_get(later, "x0_mm"), "y0_mm", json_object_get(later, "y0_mm"), "max_kpa", max,
			"cells", cells);
	return out ? out : json_null();
}

static json_t *heatmap_diffs(struct ins_http *http, int64_t base_id, int64_t later_id, const char *kind)
{
	json_t *out = json_object();

	for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
		char err[256];
		int rc = 0;
		json_t *a = ins_store_session_heatmap(http->store, base_id, f, kind, &rc, err, sizeof(err));
		json_t *b = a ? ins_store_session_heatmap(http->store, later_id, f, kind, &rc, err, sizeof(err)) : NULL;

		json_object_set_new(out, ins_foot_name(f), heatmap_diff(a, b));
		json_decref(a);
		json_decref(b);
	}
	return out;
}

void ins_http_compare(struct ins_http *http, const struct ins_http_request *req, struct ins_http_response *resp)
{
	int64_t ids[INS_HTTP_MAX_COMPARE];
	unsigned n = 0;
	const char *kind;
	json_t *sessions, *metrics;

	if (ins_http_parse_id_list(ins_http_query(req, "ids"), ids, INS_HTTP_MAX_COMPARE, &n) < 0 || n < 2) {
		ins_http_resp_error(resp, 400, "ids", "ids: expected 2 to %d session ids separated by commas",
				    INS_HTTP_MAX_COMPARE);
		return;
	}
	if (ins_http_query_heatmap_kind(req, &kind, resp) < 0)
		return;
	if (!http->store) {
		ins_http_resp_error(resp, 503, NULL, "the database is not available");
		return;
	}
	sessions = json_array();
	for (unsigned i = 0; i < n; i++) {
		char err[256] = "";
		int rc = 0;
		json_t *s = ins_store_session_get(http->store, ids[i], &rc, err, sizeof(err));

		if (!s) {
			json_decref(sessions);
			if (rc == INS_STORE_ENOTFOUND)
				ins_http_resp_error(resp, 404, "ids", "ids: no session %" PRId64, ids[i]);
			else
				ins_http_resp_store_error(resp, rc, err);
			return;
		}
		json_array_append_new(sessions, s);
	}
	metrics = json_array();
	for (unsigned m = 0; m < INS_M_COUNT; m++)
		json_array_append_new(metrics, metric_json(sessions, n, m));
	ins_http_resp_json(resp, 200, json_pack("{s:o,s:o,s:o}", "sessions", sessions, "metrics", metrics,
						"heatmap_diff", heatmap_diffs(http, ids[0], ids[n - 1], kind)));
}
