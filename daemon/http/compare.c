/* GET /api/compare: sessions side by side (shoe A / shoe B / barefoot).
 * Every summary metric per foot with n, mean and SD, its difference from
 * the first (baseline) session judged with its CI and effect size, the
 * conditions that confound the comparison and the findings in words
 * (compare_stats.c); plus the difference heatmap of the last session
 * against the baseline.  format=csv: the same judgements as CSV. */
#include <config.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_priv.h"
#include "insoled/analysis_json.h"
#include "insoled/stats.h"

/* Two maps a difference can be made of: the same grid, in the same units
 * (kPa minus raw sensor units is no change of anything). */
static int same_grid(json_t *a, json_t *b)
{
	static const char *const keys[] = { "w", "h", "cell_mm", "x0_mm", "y0_mm" };

	if (!json_equal(json_object_get(a, "units"), json_object_get(b, "units")))
		return 0;

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
	out = json_pack("{s:O,s:O,s:O,s:O,s:O,s:f,s:O,s:o}", "w", json_object_get(later, "w"), "h",
			json_object_get(later, "h"), "cell_mm", json_object_get(later, "cell_mm"), "x0_mm",
			json_object_get(later, "x0_mm"), "y0_mm", json_object_get(later, "y0_mm"), "max_kpa", max,
			"units", json_object_get(later, "units"), "cells", cells);
	return out ? out : json_null();
}

static json_t *heatmap_diffs(struct ins_http *http, int64_t base_id, int64_t later_id, const char *kind)
{
	json_t *out = json_object();

	for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
		struct ins_error err;
		int rc = 0;
		json_t *a = ins_store_session_heatmap(http->store, base_id, f, kind, &rc, &err);
		json_t *b = a ? ins_store_session_heatmap(http->store, later_id, f, kind, &rc, &err) : NULL;

		json_object_set_new(out, ins_foot_name(f), heatmap_diff(a, b));
		json_decref(a);
		json_decref(b);
	}
	return out;
}

static void answer(struct http_response *resp, json_t *sessions, json_t *heatmap_diff, int csv)
{
	json_t *names = http_compare_names(sessions), *metrics = http_compare_metrics(sessions);
	json_t *doc = json_pack("{s:o, s:o, s:o, s:o, s:o, s:{s:i, s:f, s:f}, s:o}", "sessions", sessions, "names", names,
				"warnings", http_compare_warnings(sessions, names), "findings",
				http_compare_findings(metrics, names), "metrics", metrics, "rules", "min_steps",
				INS_COMPARE_MIN_STEPS, "min_hedges_g", INS_COMPARE_MIN_G, "max_pace_diff",
				INS_COMPARE_MAX_PACE_DIFF, "heatmap_diff", heatmap_diff);
	char *text;

	if (!csv || !doc) {
		http_resp_json(resp, 200, doc);
		return;
	}
	text = http_compare_csv(doc, &resp->len);
	json_decref(doc);
	if (!text) {
		http_resp_error(resp, 503, NULL, "out of memory building the comparison");
		return;
	}
	free(resp->body);
	resp->kind = INS_RESP_BUFFER;
	resp->status = 200;
	resp->body = text;
	resp->content_type = "text/csv; charset=utf-8";
	http_resp_header(resp, "Content-Disposition", "attachment; filename=\"comparison.csv\"");
}

void http_compare(struct ins_http *http, const struct http_request *req, struct http_response *resp)
{
	int64_t ids[INS_HTTP_MAX_COMPARE];
	unsigned n = 0;
	const char *kind, *format = http_query(req, "format");
	int csv = format && strcmp(format, "csv") == 0;
	json_t *sessions;

	if (http_parse_id_list(http_query(req, "ids"), ids, INS_HTTP_MAX_COMPARE, &n) < 0 || n < 2) {
		http_resp_error(resp, 400, "ids", "ids: expected 2 to %d session ids separated by commas",
				    INS_HTTP_MAX_COMPARE);
		return;
	}
	if (http_query_heatmap_kind(req, &kind, resp) < 0)
		return;
	if (format && !csv && strcmp(format, "json") != 0) {
		http_resp_error(resp, 400, "format", "format: expected json or csv");
		return;
	}
	if (!http->store) {
		http_resp_error(resp, 503, NULL, "the database is not available");
		return;
	}
	sessions = json_array();
	for (unsigned i = 0; i < n; i++) {
		struct ins_error err = { "", "" };
		int rc = 0;
		json_t *s = ins_store_session_get(http->store, ids[i], &rc, &err);

		if (!s) {
			json_decref(sessions);
			if (rc == INS_ENOTFOUND)
				http_resp_error(resp, 404, "ids", "ids: no session %" PRId64, ids[i]);
			else
				http_resp_result(resp, rc, &err);
			return;
		}
		json_array_append_new(sessions, s);
	}
	answer(resp, sessions, csv ? json_null() : heatmap_diffs(http, ids[0], ids[n - 1], kind), csv);
}
