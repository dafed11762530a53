/* A recorded session's frames for playback: one foot's frames, replayed
 * through the analysis like re-analysis and the heatmaps (replay.c), each
 * with its time, force, centre of pressure, stance flag and every sensor's
 * pressure, so the dashboard can show map, CoP and force in step with one
 * another.  Long or dense sessions are thinned evenly to a bounded answer. */
#include <config.h>

#include <math.h>
#include <stdio.h>

#include "session_priv.h"

/* One answer carries at most this many sensor values (8 MB of JSON or so):
 * a minute of a 16-sensor pair at full rate, or a dense grid thinned. */
#define FRAMES_MAX_VALUES 1500000u

/* Frames and sensors the archive holds for the foot. */
static int foot_size(sqlite3 *db, int64_t session_id, unsigned foot, int64_t *frames, int64_t *sensors,
		     struct ins_error *err)
{
	sqlite3_stmt *q = NULL;
	int src = sqlite3_prepare_v2(db, "SELECT COALESCE(SUM(n_frames), 0), COALESCE(MAX(n_sensors), 0) "
				     "FROM raw_chunks WHERE session_id = ? AND foot = ?", -1, &q, NULL);

	if (src == SQLITE_OK) {
		sqlite3_bind_int64(q, 1, session_id);
		sqlite3_bind_int(q, 2, (int)foot);
		src = sqlite3_step(q);
	}
	if (src != SQLITE_ROW) {
		src = store_sql_error(src, db, "counting the frames", err);
		sqlite3_finalize(q);
		return src;
	}
	*frames = sqlite3_column_int64(q, 0);
	*sensors = sqlite3_column_int64(q, 1);
	sqlite3_finalize(q);
	return 0;
}

static json_t *num_or_null(double v)
{
	return isfinite(v) ? json_real(round(v * 10.0) / 10.0) : json_null();
}

static json_t *frame_json(const struct session_replay_frame *fr)
{
	const struct ins_frame_metrics *m = &fr->metrics;
	json_t *kpa = json_array();

	for (unsigned i = 0; i < fr->n; i++)
		json_array_append_new(kpa, num_or_null(fr->kpa ? fr->kpa[i] : NAN));
	return json_pack("{s:I,s:o,s:o,s:o,s:b,s:o}", "t_us", (json_int_t)m->t_us, "force_n", num_or_null(m->force_n),
			 "cop_x_mm", num_or_null(m->cop_x_mm), "cop_y_mm", num_or_null(m->cop_y_mm),
			 "in_stance", m->in_stance, "kpa", kpa);
}

static json_t *step_json(const struct ins_step *s)
{
	return json_pack("{s:i,s:I,s:I,s:i}", "index", (int)s->index, "contact_us", (json_int_t)s->contact_us,
			 "toe_off_us", (json_int_t)s->toe_off_us, "flags", (int)s->flags);
}

/* Replays the whole session (the analysis needs every frame in order) and
 * keeps every `every`-th frame of the foot, and all its steps. */
static int collect(struct session_replay *rp, unsigned foot, int64_t every, json_t *frames, json_t *steps,
		   struct ins_error *err)
{
	const struct session_replay_frame *fr;
	int64_t k = 0;
	int r;

	while ((r = session_replay_next(rp, &fr, err)) == 1) {
		struct ins_step step;

		while (ins_analysis_next_step(session_replay_analysis(rp), &step))
			if (step.foot == foot)
				json_array_append_new(steps, step_json(&step));
		if (fr->foot == foot && k++ % every == 0)
			json_array_append_new(frames, frame_json(fr));
	}
	return r;
}

json_t *ins_store_session_frames(struct ins_store *st, int64_t session_id, unsigned foot, int *rc, struct ins_error *err)
{
	struct session_replay *rp = NULL;
	const struct ins_layout *layout;
	sqlite3 *db = NULL;
	json_t *frames = json_array(), *steps = json_array(), *out = NULL;
	int64_t n_frames = 0, n_sensors = 0, every;
	int r;

	if (foot >= INS_FOOT_COUNT) {
		ins_error_field(err, "foot", "foot: expected left or right");
		r = INS_EINVAL;
		goto out;
	}
	if ((r = store_reader_open(st, &db, err)) < 0)
		goto out;
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	if ((r = session_replay_open(st, db, session_id, &rp, err)) < 0 ||
	    (r = foot_size(db, session_id, foot, &n_frames, &n_sensors, err)) < 0)
		goto out;
	if (n_frames == 0) {
		ins_error_msg(err, "session %lld has no %s foot frames", (long long)session_id, ins_foot_name(foot));
		r = INS_ENOTFOUND;
		goto out;
	}
	every = (int64_t)ceil((double)n_frames * (double)(n_sensors ? n_sensors : 1) / FRAMES_MAX_VALUES);
	every = every < 1 ? 1 : every;
	if ((r = collect(rp, foot, every, frames, steps, err)) < 0)
		goto out;
	layout = session_replay_layout(rp, foot);
	out = json_pack("{s:s,s:I,s:I,s:s,s:O,s:O}", "foot", ins_foot_name(foot), "every", (json_int_t)every,
			"frames_recorded", (json_int_t)n_frames, "units", layout ? ins_layout_units(layout) : "kPa",
			"frames", frames, "steps", steps);
	r = out ? 0 : INS_EIO;
	if (!out)
		ins_error_msg(err, "out of memory");
out:
	*rc = r;
	json_decref(frames);
	json_decref(steps);
	session_replay_free(rp);
	sqlite3_close(db);
	return out;
}
