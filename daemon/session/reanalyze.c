/* Re-analysis and session heatmaps, both from the raw archive.  The replay
 * runs on the caller's thread with a read-only connection; only the final
 * replacement of the steps and summary goes through the writer, in one
 * transaction, so a failed re-analysis leaves the old results intact. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insoled/grow.h"
#include "insoled/analysis_json.h"
#include "insoled/clock.h"
#include "session_priv.h"

#define LOG_PREFIX "session"

struct step_list {
	struct ins_step *v;
	size_t n, cap;
};

static int step_list_add(struct step_list *l, const struct ins_step *s)
{
	if (ins_grow((void **)&l->v, &l->cap, l->n, 1, sizeof(*l->v), 256) < 0)
		return -1;
	l->v[l->n++] = *s;
	return 0;
}

struct replace_arg {
	int64_t id;
	const struct step_list *steps;
};

static int cmd_replace_analysis(struct ins_store *st, void *arg, struct ins_error *err)
{
	struct replace_arg *a = arg;
	sqlite3_stmt *del = NULL, *upd = NULL;
	int rc;

	if ((rc = store_begin_stopped(st, a->id, err)) < 0)
		return rc;
	if (sqlite3_prepare_v2(st->wdb, "DELETE FROM steps WHERE session_id = ?", -1, &del, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->wdb, "UPDATE sessions SET steps = ?2, analysed_version = ?3 WHERE id = ?1",
			       -1, &upd, NULL) != SQLITE_OK) {
		rc = store_sql_error(sqlite3_errcode(st->wdb), st->wdb, "re-analysis", err);
		goto rollback;
	}
	sqlite3_bind_int64(del, 1, a->id);
	if (sqlite3_step(del) != SQLITE_DONE) {
		rc = store_sql_error(sqlite3_errcode(st->wdb), st->wdb, "removing old steps", err);
		goto rollback;
	}
	for (size_t i = 0; i < a->steps->n; i++) {
		if ((rc = store_bind_step(st, st->ins_step, a->id, &a->steps->v[i])) < 0) {
			ins_error_msg(err, "writing steps: %s", sqlite3_errmsg(st->wdb));
			goto rollback;
		}
	}
	/* From the new steps as stored, through the session's step selection
	 * (trim window, steps chosen by hand), which a re-analysis keeps. */
	if ((rc = store_resummarise(st, a->id, err)) < 0)
		goto rollback;
	sqlite3_bind_int64(upd, 1, a->id);
	sqlite3_bind_int64(upd, 2, (int64_t)a->steps->n);
	sqlite3_bind_text(upd, 3, PACKAGE_VERSION, -1, SQLITE_STATIC);
	if (sqlite3_step(upd) != SQLITE_DONE) {
		rc = store_sql_error(sqlite3_errcode(st->wdb), st->wdb, "updating the session", err);
		goto rollback;
	}
	if (sqlite3_changes(st->wdb) == 0) {
		ins_error_msg(err, "session %lld does not exist", (long long)a->id);
		rc = INS_ENOTFOUND;
		goto rollback;
	}
	sqlite3_finalize(del);
	sqlite3_finalize(upd);
	return store_commit(st, err);
rollback:
	sqlite3_finalize(del);
	sqlite3_finalize(upd);
	store_rollback(st);
	return rc;
}

/* Steps of a replay of the whole session. */
static int analyse(struct ins_store *st, sqlite3 *db, int64_t id, struct step_list *steps, struct ins_error *err)
{
	struct session_replay *rp = NULL;
	const struct session_replay_frame *fr;
	struct ins_step step;
	int rc;

	if ((rc = session_replay_open(st, db, id, &rp, err)) < 0)
		goto out;
	while ((rc = session_replay_next(rp, &fr, err)) == 1) {
		while (ins_analysis_next_step(session_replay_analysis(rp), &step)) {
			if (step_list_add(steps, &step) < 0) {
				ins_error_msg(err, "out of memory");
				rc = INS_EIO;
				goto out;
			}
		}
	}
	if (rc == 0 && session_replay_skipped(rp))
		ins_warn("session %lld: re-analysis skipped %llu frames that do not fit the layout", (long long)id,
			 (unsigned long long)session_replay_skipped(rp));
out:
	session_replay_free(rp);
	return rc;
}

int ins_store_session_reanalyze(struct ins_store *st, int64_t session_id, struct ins_error *err)
{
	struct step_list steps = { 0 };
	sqlite3 *db = NULL;
	json_t *row;
	int rc;

	if ((rc = store_reader_open(st, &db, err)) < 0)
		return rc;
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	row = store_session_row(db, session_id, &rc, err);
	if (!row)
		goto out;
	if (strcmp(json_string_value(json_object_get(row, "state")), "recording") == 0) {
		ins_error_msg(err, "session %lld is recording; stop it first", (long long)session_id);
		rc = INS_ECONFLICT;
		goto out;
	}
	if ((rc = analyse(st, db, session_id, &steps, err)) < 0)
		goto out;
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	{
		struct replace_arg a = { session_id, &steps };
		rc = store_call(st, cmd_replace_analysis, &a, err);
	}
	if (rc == 0)
		ins_info("session %lld: re-analysed, %zu steps", (long long)session_id, steps.n);
out:
	json_decref(row);
	free(steps.v);
	store_reader_close(st, db);
	return rc;
}

/* ---- heatmaps --------------------------------------------------------------- */

struct heat_acc {
	float *peak;
	double *sum;
	uint64_t stance_frames;
	/* kind mean_peak: each sensor's peak since the foot's last step, and
	 * the sum of those peaks over the steps */
	float *step_peak;
	double *step_sum;
	uint64_t steps;
};

/* Sparse layouts: the sensors' own values beside the interpolated cells,
 * so a map can show what was measured where. */
static json_t *sensor_values(const struct ins_layout *layout, const float *values)
{
	json_t *arr = json_array();

	for (unsigned i = 0; i < layout->n_sensors; i++)
		json_array_append_new(arr, isfinite(values[i]) ? json_real(values[i]) : json_null());
	return arr;
}

static json_t *heatmap_json(const struct ins_layout *layout, const float *values, unsigned foot, const char *kind,
			    uint64_t frames, struct ins_error *err)
{
	struct ins_heatmap *hm = ins_heatmap_new(layout, err->msg, sizeof(err->msg));
	unsigned w, h;
	/* NaN (null) while no cell has a value: a foot without a complete step
	 * has no mean of step peaks, which is not a map of zeros */
	float cell_mm, x0, y0, max = NAN;
	float *cells;
	json_t *arr, *out = NULL;

	if (!hm)
		return NULL;
	ins_heatmap_size(hm, &w, &h);
	ins_heatmap_geometry(hm, &cell_mm, &x0, &y0);
	cells = malloc((size_t)w * h * sizeof(*cells));
	if (!cells) {
		ins_error_msg(err, "out of memory");
		ins_heatmap_free(hm);
		return NULL;
	}
	ins_heatmap_render(hm, values, cells);
	arr = json_array();
	for (size_t i = 0; i < (size_t)w * h; i++) {
		if (isfinite(cells[i]) && !(cells[i] <= max))
			max = cells[i];
		json_array_append_new(arr, isfinite(cells[i]) ? json_real(cells[i]) : json_null());
	}
	out = json_pack("{s:s, s:s, s:i, s:i, s:f, s:f, s:f, s:o, s:s, s:I, s:o}", "foot", ins_foot_name(foot),
			"kind", kind, "w", (int)w, "h", (int)h, "cell_mm", (double)cell_mm, "x0_mm", (double)x0,
			"y0_mm", (double)y0, "max_kpa", ins_json_number_or_null(max), "units", ins_layout_units(layout),
			"stance_frames", (json_int_t)frames, "cells", arr);
	if (out && !layout->is_grid)
		json_object_set_new(out, "sensors", sensor_values(layout, values));
	free(cells);
	ins_heatmap_free(hm);
	return out;
}

/* A step of the foot closed: its peaks join the mean of per-step peaks. */
static void heat_step(struct heat_acc *h, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		h->step_sum[i] += h->step_peak[i];
		h->step_peak[i] = 0;
	}
	h->steps++;
}

static void heat_add(struct heat_acc *h, const struct session_replay_frame *fr)
{
	if (!fr->kpa)
		return;
	for (unsigned i = 0; i < fr->n; i++) {
		if (isfinite(fr->kpa[i]) && fr->kpa[i] > h->peak[i])
			h->peak[i] = fr->kpa[i];
		if (isfinite(fr->kpa[i]) && fr->kpa[i] > h->step_peak[i])
			h->step_peak[i] = fr->kpa[i];
	}
	if (!fr->metrics.in_stance)
		return;
	h->stance_frames++;
	for (unsigned i = 0; i < fr->n; i++)
		if (isfinite(fr->kpa[i]))
			h->sum[i] += fr->kpa[i];
}

/* A dense grid's anatomical mask as the analysis found it from the
 * session's footprint (the mask its steps were measured on), one region
 * index per cell, null where the map has none (outside the outline). */
static json_t *footprint_mask_json(const struct ins_analysis *ana, unsigned foot, json_t *hm)
{
	json_t *cells = json_object_get(hm, "cells"), *out = json_array();
	uint8_t regions[INS_MAX_SENSORS];
	unsigned n = ins_analysis_mask_regions(ana, foot, regions);

	for (size_t i = 0; i < json_array_size(cells); i++)
		json_array_append_new(out, i < n && !json_is_null(json_array_get(cells, i))
				      ? json_integer(regions[i]) : json_null());
	return out;
}

/* Kinds mean and mean_peak, into h->peak: the mean over stance frames, or
 * the mean of the per-step peaks (NaN without a frame or a step). */
static void heat_means(struct heat_acc *h, unsigned n, int of_step_peaks)
{
	uint64_t count = of_step_peaks ? h->steps : h->stance_frames;
	const double *sum = of_step_peaks ? h->step_sum : h->sum;

	for (unsigned i = 0; i < n; i++)
		h->peak[i] = count ? (float)(sum[i] / (double)count) : NAN;
}

json_t *ins_store_session_heatmap(struct ins_store *st, int64_t session_id, unsigned foot, const char *kind,
				  int *rc, struct ins_error *err)
{
	struct session_replay *rp = NULL;
	const struct session_replay_frame *fr = NULL;
	struct heat_acc h = { 0 };
	const struct ins_layout *layout = NULL;
	sqlite3 *db = NULL;
	json_t *out = NULL;
	int peak, r;

	if (foot >= INS_FOOT_COUNT || !kind || (strcmp(kind, "peak") && strcmp(kind, "mean") && strcmp(kind, "mean_peak"))) {
		if (foot >= INS_FOOT_COUNT)
			ins_error_field(err, "foot", "foot: expected left or right");
		else
			ins_error_field(err, "kind", "kind: expected peak, mean_peak or mean");
		*rc = INS_EINVAL;
		return NULL;
	}
	peak = strcmp(kind, "peak") == 0;
	if ((r = store_reader_open(st, &db, err)) < 0)
		goto out;
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	if ((r = session_replay_open(st, db, session_id, &rp, err)) < 0)
		goto out;
	while ((r = session_replay_next(rp, &fr, err)) == 1) {
		struct ins_step step;
		int stepped = 0;
		while (ins_analysis_next_step(session_replay_analysis(rp), &step))
			stepped |= step.foot == foot;
		layout = fr->layout[foot];
		if (stepped && h.peak)
			heat_step(&h, layout->n_sensors);
		if (fr->foot != foot)
			continue;
		if (!h.peak) {
			h.peak = calloc(fr->n, sizeof(*h.peak));
			h.sum = calloc(fr->n, sizeof(*h.sum));
			h.step_peak = calloc(fr->n, sizeof(*h.step_peak));
			h.step_sum = calloc(fr->n, sizeof(*h.step_sum));
			if (!h.peak || !h.sum || !h.step_peak || !h.step_sum) {
				ins_error_msg(err, "out of memory");
				r = INS_EIO;
				goto out;
			}
		}
		heat_add(&h, fr);
	}
	if (r < 0)
		goto out;
	if (!h.peak || !layout) {
		ins_error_msg(err, "session %lld has no %s foot frames", (long long)session_id, ins_foot_name(foot));
		r = INS_ENOTFOUND;
		goto out;
	}
	if (!peak)
		heat_means(&h, layout->n_sensors, strcmp(kind, "mean_peak") == 0);
	out = heatmap_json(layout, h.peak, foot, kind, h.stance_frames, err);
	if (out)
		json_object_set_new(out, "steps", json_integer((json_int_t)h.steps));
	if (out && layout->is_grid)
		json_object_set_new(out, "mask_cells", footprint_mask_json(session_replay_analysis(rp), foot, out));
	r = out ? 0 : INS_EIO;
out:
	*rc = r;
	session_replay_free(rp);
	free(h.peak);
	free(h.sum);
	free(h.step_peak);
	free(h.step_sum);
	store_reader_close(st, db);
	return out;
}
