/* Replay of a session's raw archive through the analysis engine, in the
 * order the frames arrived (both feet merged by arrival number, calibration
 * changes applied at their recorded places), with the session's layouts,
 * calibration and body weight.  Re-analysis, session heatmaps and the frames
 * export are built on it; it streams chunk by chunk, never loading the
 * session. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session_priv.h"

struct cursor {
	sqlite3_stmt *q;
	struct store_chunk_dec dec;
	int have;                   /* frame f/vals holds the next frame */
	int format;
	uint16_t n;
	struct store_chunk_frame f;
	uint16_t counts[INS_MAX_SENSORS];
	float floats[INS_MAX_SENSORS];
};

struct control {
	int have;
	int64_t arrival;
	int tare;
	unsigned foot;
	double value;
};

struct session_replay {
	sqlite3 *db;
	int64_t session_id;
	struct ins_layout *layout[INS_FOOT_COUNT];
	struct ins_calib_curve *calib[INS_FOOT_COUNT];
	double body_weight_n;
	struct ins_analysis *ana;
	struct cursor cur[INS_FOOT_COUNT];
	sqlite3_stmt *ctl;
	struct control next_ctl;
	struct session_replay_frame out;
	uint64_t skipped;
	char *text[REPLAY_TEXT_COUNT];
};

static int cursor_fill(struct cursor *c, struct ins_error *err)
{
	for (;;) {
		int r, src;
		if (c->q == NULL)
			return 0;
		if (c->dec.n_frames) {
			void *vals = c->format == STORE_CHUNK_COUNTS ? (void *)c->counts : (void *)c->floats;
			r = store_chunk_dec_next(&c->dec, &c->f, vals, err);
			if (r < 0)
				return INS_EIO;
			if (r == 1) {
				c->have = 1;
				return 1;
			}
			c->dec.n_frames = 0;
		}
		src = sqlite3_step(c->q);
		if (src == SQLITE_DONE) {
			sqlite3_finalize(c->q);
			c->q = NULL;
			return 0;
		}
		if (src != SQLITE_ROW) {
			ins_error_msg(err, "reading raw frames: %s", sqlite3_errstr(src));
			return store_rc_from_sqlite(src);
		}
		c->format = sqlite3_column_int(c->q, 0);
		c->n = (uint16_t)sqlite3_column_int(c->q, 1);
		if (store_chunk_dec_start(&c->dec, (uint8_t)c->format, c->n, (uint32_t)sqlite3_column_int64(c->q, 2),
					sqlite3_column_blob(c->q, 3), (size_t)sqlite3_column_bytes(c->q, 3),
					err) < 0)
			return INS_EIO;
		if (c->dec.n_frames == 0)
			continue;
	}
}

static int load_control(struct session_replay *rp, struct ins_error *err)
{
	int src = sqlite3_step(rp->ctl);

	rp->next_ctl.have = 0;
	if (src == SQLITE_DONE)
		return 0;
	if (src != SQLITE_ROW)
		return store_sql_error(src, rp->db, "reading calibration changes", err);
	rp->next_ctl.have = 1;
	rp->next_ctl.arrival = sqlite3_column_int64(rp->ctl, 0);
	rp->next_ctl.tare = strcmp((const char *)sqlite3_column_text(rp->ctl, 1), "tare") == 0;
	rp->next_ctl.foot = (unsigned)sqlite3_column_int(rp->ctl, 2);
	rp->next_ctl.value = sqlite3_column_double(rp->ctl, 3);
	return 0;
}

static int read_session(struct session_replay *rp, char *layout_names[INS_FOOT_COUNT], char **calib_json,
			struct ins_error *err)
{
	sqlite3_stmt *q = NULL;
	int src, rc = 0;
	static const char sql[] =
		"SELECT s.layout_left, s.layout_right, s.calibration_json, s.body_weight_n, s.state, "
		"sub.code, s.footwear, s.notes, s.software_version, s.start_us "
		"FROM sessions s LEFT JOIN subjects sub ON sub.id = s.subject_id WHERE s.id = ?";

	src = sqlite3_prepare_v2(rp->db, sql, -1, &q, NULL);
	if (src == SQLITE_OK) {
		sqlite3_bind_int64(q, 1, rp->session_id);
		src = sqlite3_step(q);
	}
	if (src == SQLITE_DONE) {
		ins_error_msg(err, "session %lld does not exist", (long long)rp->session_id);
		rc = INS_ENOTFOUND;
	} else if (src != SQLITE_ROW) {
		rc = store_sql_error(src, rp->db, "reading the session", err);
	} else {
		for (int i = 0; i < 3; i++) {
			const unsigned char *t = sqlite3_column_text(q, i);
			char *copy = t ? strdup((const char *)t) : NULL;
			if (i < 2)
				layout_names[i] = copy;
			else
				*calib_json = copy;
		}
		rp->body_weight_n = sqlite3_column_double(q, 3);
		for (int i = 0; i < REPLAY_TEXT_COUNT; i++) {
			const unsigned char *t = sqlite3_column_text(q, 4 + i);
			rp->text[i] = strdup(t ? (const char *)t : "");
		}
		rp->out.start_us = sqlite3_column_int64(q, 9);
	}
	sqlite3_finalize(q);
	return rc;
}

static int open_cursors(struct session_replay *rp, struct ins_error *err)
{
	for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
		int src = sqlite3_prepare_v2(rp->db, "SELECT format, n_sensors, n_frames, data FROM raw_chunks "
					     "WHERE session_id = ? AND foot = ? ORDER BY first_arrival, id",
					     -1, &rp->cur[f].q, NULL);
		if (src != SQLITE_OK)
			return store_sql_error(src, rp->db, "reading raw frames", err);
		sqlite3_bind_int64(rp->cur[f].q, 1, rp->session_id);
		sqlite3_bind_int(rp->cur[f].q, 2, (int)f);
		int rc = cursor_fill(&rp->cur[f], err);
		if (rc < 0)
			return rc;
	}
	if (sqlite3_prepare_v2(rp->db, "SELECT arrival, kind, foot, value FROM session_controls "
			       "WHERE session_id = ? ORDER BY arrival, id", -1, &rp->ctl, NULL) != SQLITE_OK)
		return store_sql_error(sqlite3_errcode(rp->db), rp->db, "reading calibration changes", err);
	sqlite3_bind_int64(rp->ctl, 1, rp->session_id);
	return load_control(rp, err);
}

static int load_layouts(struct session_replay *rp, const char *layout_dir, char *names[INS_FOOT_COUNT],
			const char *calib_json, struct ins_error *err)
{
	unsigned n[INS_FOOT_COUNT] = { 0, 0 };
	char lerr[256];

	for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
		if (!names[f])
			continue;
		rp->layout[f] = ins_layout_load_named(layout_dir, names[f], lerr, sizeof(lerr));
		if (!rp->layout[f]) {
			ins_error_msg(err, "layout.%s: cannot load '%s' from %s: %s", ins_foot_name(f), names[f],
				 layout_dir, lerr);
			return INS_EIO;
		}
		n[f] = rp->layout[f]->n_sensors;
		snprintf(rp->out.layout_name[f], sizeof(rp->out.layout_name[f]), "%s", names[f]);
	}
	return store_calib_parse(calib_json, n, rp->calib, err);
}

int session_replay_open(struct ins_store *st, sqlite3 *db, int64_t session_id, struct session_replay **out,
		      struct ins_error *err)
{
	struct session_replay *rp = calloc(1, sizeof(*rp));
	char *names[INS_FOOT_COUNT] = { NULL, NULL }, *calib_json = NULL;
	struct ins_analysis_config acfg;
	int rc;

	*out = NULL;
	if (!rp) {
		ins_error_msg(err, "out of memory");
		return INS_EIO;
	}
	rp->db = db;
	rp->session_id = session_id;
	if ((rc = read_session(rp, names, &calib_json, err)) < 0 ||
	    (rc = load_layouts(rp, st->layout_dir, names, calib_json, err)) < 0)
		goto fail;
	memset(&acfg, 0, sizeof(acfg));
	for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
		acfg.layout[f] = rp->layout[f];
		acfg.calib[f] = rp->calib[f];
		rp->out.layout[f] = rp->layout[f];
		rp->out.calib[f] = rp->calib[f];
	}
	acfg.body_weight_n = rp->body_weight_n;
	rp->ana = ins_analysis_new(&acfg, err->msg, sizeof(err->msg));
	if (!rp->ana) {
		rc = INS_EIO;
		goto fail;
	}
	if ((rc = open_cursors(rp, err)) < 0)
		goto fail;
	rp->out.body_weight_n = rp->body_weight_n;
	rp->out.body_weight_now_n = rp->body_weight_n;
	for (int i = 0; i < REPLAY_TEXT_COUNT; i++)
		rp->out.text[i] = rp->text[i];
	*out = rp;
	goto done;
fail:
	session_replay_free(rp);
done:
	free(names[0]);
	free(names[1]);
	free(calib_json);
	return rc;
}

static void apply_controls(struct session_replay *rp, int64_t arrival, struct ins_error *err)
{
	while (rp->next_ctl.have && rp->next_ctl.arrival <= arrival) {
		if (rp->next_ctl.tare && rp->next_ctl.foot < INS_FOOT_COUNT)
			ins_analysis_tare(rp->ana, rp->next_ctl.foot);
		else if (!rp->next_ctl.tare) {
			ins_analysis_set_body_weight(rp->ana, rp->next_ctl.value);
			rp->out.body_weight_now_n = rp->next_ctl.value;
		}
		if (load_control(rp, err) < 0)
			rp->next_ctl.have = 0;
	}
}

int session_replay_next(struct session_replay *rp, const struct session_replay_frame **out, struct ins_error *err)
{
	for (;;) {
		struct cursor *c = NULL;
		unsigned foot = 0;
		int rc, fed;

		for (unsigned f = 0; f < INS_FOOT_COUNT; f++)
			if (rp->cur[f].have && (!c || rp->cur[f].f.arrival < c->f.arrival)) {
				c = &rp->cur[f];
				foot = f;
			}
		if (!c)
			return 0;
		apply_controls(rp, c->f.arrival, err);
		rp->out.foot = foot;
		rp->out.cf = c->f;
		rp->out.n = c->n;
		rp->out.is_float = c->format == STORE_CHUNK_FLOAT;
		rp->out.counts = c->counts;
		rp->out.floats = c->floats;
		if (!rp->layout[foot]) {
			fed = -1;
		} else if (c->format == STORE_CHUNK_COUNTS) {
			struct ins_frame fr = {
				.foot = (uint8_t)foot, .n = c->n, .seq = c->f.seq, .t_dev = c->f.t_dev,
				.t_us = c->f.t_us, .host_us = c->f.host_us, .values = c->counts,
			};
			fed = ins_analysis_feed(rp->ana, &fr, &rp->out.metrics);
		} else {
			fed = ins_analysis_feed_kpa(rp->ana, foot, c->f.t_us, c->floats, c->n, &rp->out.metrics);
		}
		rp->out.kpa = fed == 0 ? ins_analysis_last_kpa(rp->ana, foot) : NULL;
		c->have = 0;
		/* Copy out before refilling: the frame just fed stays valid in out. */
		memcpy(rp->out.counts_copy, c->counts, (size_t)c->n * sizeof(uint16_t));
		memcpy(rp->out.floats_copy, c->floats, (size_t)c->n * sizeof(float));
		rp->out.counts = rp->out.counts_copy;
		rp->out.floats = rp->out.floats_copy;
		if ((rc = cursor_fill(c, err)) < 0)
			return rc;
		if (fed < 0) {
			rp->skipped++;
			continue;
		}
		*out = &rp->out;
		return 1;
	}
}

const struct session_replay_frame *session_replay_info(const struct session_replay *rp)
{
	return &rp->out;
}

const struct ins_layout *session_replay_layout(const struct session_replay *rp, unsigned foot)
{
	return foot < INS_FOOT_COUNT ? rp->layout[foot] : NULL;
}

struct ins_analysis *session_replay_analysis(struct session_replay *rp)
{
	return rp->ana;
}

uint64_t session_replay_skipped(const struct session_replay *rp)
{
	return rp->skipped;
}

void session_replay_free(struct session_replay *rp)
{
	if (!rp)
		return;
	for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
		sqlite3_finalize(rp->cur[f].q);
		store_chunk_dec_free(&rp->cur[f].dec);
		ins_layout_free(rp->layout[f]);
		free(rp->calib[f]);
	}
	for (int i = 0; i < REPLAY_TEXT_COUNT; i++)
		free(rp->text[i]);
	sqlite3_finalize(rp->ctl);
	ins_analysis_free(rp->ana);
	free(rp);
}
