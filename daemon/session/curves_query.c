/* Stance-normalised curves of a session (curves.h) from its raw archive:
 * the replay that re-analysis and the session heatmaps use (replay.c)
 * feeds the analysis, and every frame's metrics and step go into the curves
 * accumulator, with the body weight in force where it was recorded. */
#include <config.h>

#include <stdio.h>

#include "insoled/curves.h"
#include "session_priv.h"

/* The highest frame rate of any chunk of the session (frames over the time
 * they span), to size the curves' frame buffer; *rate_hz = 0 when no chunk
 * holds two frames. */
static int session_rate(sqlite3 *db, int64_t session_id, double *rate_hz, struct ins_error *err)
{
	sqlite3_stmt *q = NULL;
	int src;

	*rate_hz = 0;
	src = sqlite3_prepare_v2(db, "SELECT MAX((n_frames - 1) * 1e6 / (last_t_us - first_t_us)) FROM raw_chunks "
				 "WHERE session_id = ? AND n_frames > 1 AND last_t_us > first_t_us", -1, &q, NULL);
	if (src == SQLITE_OK) {
		sqlite3_bind_int64(q, 1, session_id);
		src = sqlite3_step(q);
	}
	if (src != SQLITE_ROW) {
		src = store_sql_error(src, db, "reading the frame rate", err);
		sqlite3_finalize(q);
		return src;
	}
	if (sqlite3_column_type(q, 0) != SQLITE_NULL)
		*rate_hz = sqlite3_column_double(q, 0);
	sqlite3_finalize(q);
	return 0;
}

static struct ins_curves *session_curves_new(const struct session_replay_frame *info, double rate_hz,
					      struct ins_error *err)
{
	struct ins_curves_config cfg = {
		.layout = { info->layout[INS_FOOT_LEFT], info->layout[INS_FOOT_RIGHT] },
		/* No chunk of two frames: whatever there is fits a buffer sized
		 * for the fastest rate. */
		.rate_hz = rate_hz > 0 ? rate_hz : INS_CURVES_MAX_RATE_HZ,
		.body_weight_n = info->body_weight_n,
	};

	return ins_curves_new(&cfg, err->msg, sizeof(err->msg));
}

json_t *ins_store_session_curves(struct ins_store *st, int64_t session_id, int *rc, struct ins_error *err)
{
	struct session_replay *rp = NULL;
	struct ins_curves *cv = NULL;
	const struct session_replay_frame *fr;
	sqlite3 *db = NULL;
	json_t *out = NULL;
	double rate_hz;
	int r;

	if ((r = store_reader_open(st, &db, err)) < 0)
		goto out;
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	if ((r = session_replay_open(st, db, session_id, &rp, err)) < 0 ||
	    (r = session_rate(db, session_id, &rate_hz, err)) < 0)
		goto out;
	cv = session_curves_new(session_replay_info(rp), rate_hz, err);
	if (!cv) {
		r = INS_EIO;
		goto out;
	}
	while ((r = session_replay_next(rp, &fr, err)) == 1) {
		struct ins_step step;

		ins_curves_set_body_weight(cv, fr->body_weight_now_n);
		ins_curves_feed(cv, &fr->metrics);
		while (ins_analysis_next_step(session_replay_analysis(rp), &step))
			ins_curves_add_step(cv, &step);
	}
	if (r < 0)
		goto out;
	out = ins_curves_json(cv);
	r = out ? 0 : INS_EIO;
	if (!out)
		ins_error_msg(err, "out of memory");
out:
	*rc = r;
	ins_curves_free(cv);
	session_replay_free(rp);
	store_reader_close(st, db);
	return out;
}
