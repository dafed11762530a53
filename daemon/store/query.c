/* Queries for the HTTP API.  Each call opens its own read-only connection
 * (store_reader_open, db.c). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insoled/analysis_json.h"
#include "store_priv.h"

static json_t *text_or_null(sqlite3_stmt *q, int col)
{
	const unsigned char *t = sqlite3_column_text(q, col);

	return t ? json_string((const char *)t) : json_null();
}

static json_t *int_or_null(sqlite3_stmt *q, int col)
{
	return sqlite3_column_type(q, col) == SQLITE_NULL ? json_null() : json_integer(sqlite3_column_int64(q, col));
}

/* A session stores 0 for "no body weight was set" (and so does an import of
 * a file that gave none, or gave 0): the API says null, as for every value
 * that does not exist, never a weight of 0 N. */
static json_t *body_weight_or_null(sqlite3_stmt *q, int col)
{
	double n = sqlite3_column_double(q, col);

	return sqlite3_column_type(q, col) != SQLITE_NULL && n > 0 ? json_real(n) : json_null();
}

#define SESSION_COLUMNS \
	"s.id, sub.code, s.footwear, s.notes, s.state, s.start_us, s.end_us, s.layout_left, s.layout_right, " \
	"s.body_weight_n, s.software_version, s.frames, s.steps, s.devices, s.source, s.analysed_version, s.lane, " \
	"s.fingerprint, s.imported_us"
#define SESSION_FROM " FROM sessions s LEFT JOIN subjects sub ON sub.id = s.subject_id "

static json_t *session_json(sqlite3_stmt *q)
{
	return json_pack("{s:I, s:o, s:s, s:s, s:s, s:I, s:o, s:{s:o, s:o}, s:o, s:s, s:I, s:I, s:s, s:s, s:o, s:o, "
			 "s:o, s:o}",
			 "id", (json_int_t)sqlite3_column_int64(q, 0),
			 "subject", text_or_null(q, 1),
			 "footwear", (const char *)sqlite3_column_text(q, 2),
			 "notes", (const char *)sqlite3_column_text(q, 3),
			 "state", (const char *)sqlite3_column_text(q, 4),
			 "start_us", (json_int_t)sqlite3_column_int64(q, 5),
			 "end_us", int_or_null(q, 6),
			 "layout", "left", text_or_null(q, 7), "right", text_or_null(q, 8),
			 "body_weight_n", body_weight_or_null(q, 9),
			 "software_version", (const char *)sqlite3_column_text(q, 10),
			 "frames", (json_int_t)sqlite3_column_int64(q, 11),
			 "steps", (json_int_t)sqlite3_column_int64(q, 12),
			 "devices", (const char *)sqlite3_column_text(q, 13),
			 "source", (const char *)sqlite3_column_text(q, 14),
			 "analysed_version", text_or_null(q, 15),
			 "lane", text_or_null(q, 16),
			 "fingerprint", text_or_null(q, 17),
			 "imported_us", int_or_null(q, 18));
}

static void set_rc(int *rc, int v)
{
	if (rc)
		*rc = v;
}

json_t *ins_store_session_list(struct ins_store *st, const struct ins_session_filter *f, int *rc,
			       struct ins_error *err)
{
	static const char where[] =
		"WHERE (?1 IS NULL OR sub.code = ?1) AND (?2 IS NULL OR instr(s.footwear, ?2) > 0) "
		"AND (?3 = 0 OR s.start_us >= ?3) AND (?4 = 0 OR s.start_us <= ?4) AND (?7 IS NULL OR s.lane = ?7) ";
	struct ins_session_filter none = { 0 };
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL, *c = NULL;
	json_t *list = NULL, *out = NULL;
	unsigned limit;
	int r, src;

	if (!f)
		f = &none;
	limit = f->limit ? f->limit : INS_STORE_LIST_DEFAULT;
	if (limit > INS_STORE_LIST_MAX) {
		ins_error_field(err, "limit", "limit: at most %d", INS_STORE_LIST_MAX);
		set_rc(rc, INS_EINVAL);
		return NULL;
	}
	if ((r = store_check_text("subject", f->subject, INS_STORE_LABEL_MAX, err)) < 0 ||
	    (r = store_check_text("footwear", f->footwear, INS_STORE_LABEL_MAX, err)) < 0 ||
	    (r = store_check_text("lane", f->lane, INS_STORE_LABEL_MAX, err)) < 0 ||
	    (r = store_reader_open(st, &db, err)) < 0) {
		set_rc(rc, r);
		return NULL;
	}
	{
		char sql[1024];
		snprintf(sql, sizeof(sql), "SELECT " SESSION_COLUMNS SESSION_FROM "%s"
			 "ORDER BY s.start_us DESC, s.id DESC LIMIT ?5 OFFSET ?6", where);
		src = sqlite3_prepare_v2(db, sql, -1, &q, NULL);
		snprintf(sql, sizeof(sql), "SELECT count(*)" SESSION_FROM "%s", where);
		if (src == SQLITE_OK)
			src = sqlite3_prepare_v2(db, sql, -1, &c, NULL);
	}
	if (src != SQLITE_OK)
		goto sqlfail;
	for (int k = 0; k < 2; k++) {
		sqlite3_stmt *s = k ? c : q;
		if (f->subject)
			sqlite3_bind_text(s, 1, f->subject, -1, SQLITE_STATIC);
		if (f->footwear)
			sqlite3_bind_text(s, 2, f->footwear, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, f->from_us);
		sqlite3_bind_int64(s, 4, f->to_us);
		if (f->lane)
			sqlite3_bind_text(s, 7, f->lane, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int64(q, 5, limit);
	sqlite3_bind_int64(q, 6, f->offset);
	list = json_array();
	while ((src = sqlite3_step(q)) == SQLITE_ROW)
		json_array_append_new(list, session_json(q));
	if (src != SQLITE_DONE || (src = sqlite3_step(c)) != SQLITE_ROW)
		goto sqlfail;
	out = json_pack("{s:I, s:o}", "total", (json_int_t)sqlite3_column_int64(c, 0), "sessions", list);
	list = NULL;
	set_rc(rc, 0);
	goto done;
sqlfail:
	set_rc(rc, store_sql_error(src, db, "listing sessions", err));
done:
	json_decref(list);
	sqlite3_finalize(q);
	sqlite3_finalize(c);
	store_reader_close(st, db);
	return out;
}

/* The session row as JSON, or NULL with *rc (ENOTFOUND names the id). */
json_t *store_session_row(sqlite3 *db, int64_t id, int *rc, struct ins_error *err)
{
	sqlite3_stmt *q = NULL;
	json_t *out = NULL;
	int src = sqlite3_prepare_v2(db, "SELECT " SESSION_COLUMNS SESSION_FROM "WHERE s.id = ?", -1, &q, NULL);

	if (src == SQLITE_OK) {
		sqlite3_bind_int64(q, 1, id);
		src = sqlite3_step(q);
	}
	if (src == SQLITE_ROW) {
		out = session_json(q);
		set_rc(rc, 0);
	} else if (src == SQLITE_DONE) {
		ins_error_msg(err, "session %lld does not exist", (long long)id);
		set_rc(rc, INS_ENOTFOUND);
	} else {
		set_rc(rc, store_sql_error(src, db, "reading the session", err));
	}
	sqlite3_finalize(q);
	return out;
}

/* A single text value of a one-row query with one id parameter, parsed as JSON. */
static int json_column(sqlite3 *db, const char *sql, int64_t id, json_t **out, struct ins_error *err)
{
	sqlite3_stmt *q = NULL;
	int src = sqlite3_prepare_v2(db, sql, -1, &q, NULL);

	*out = json_null();
	if (src == SQLITE_OK) {
		sqlite3_bind_int64(q, 1, id);
		src = sqlite3_step(q);
	}
	if (src == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL) {
		json_t *j = json_loads((const char *)sqlite3_column_text(q, 0), 0, NULL);
		if (j) {
			json_decref(*out);
			*out = j;
		}
		src = SQLITE_DONE;
	} else if (src == SQLITE_ROW) {
		src = SQLITE_DONE;
	}
	sqlite3_finalize(q);
	if (src != SQLITE_DONE)
		return store_sql_error(src, db, "reading the session", err);
	return 0;
}

static int quality_json(sqlite3 *db, int64_t id, json_t **out, struct ins_error *err)
{
	sqlite3_stmt *q = NULL;
	int src = sqlite3_prepare_v2(db, "SELECT foot, frames, seq_gaps, frames_lost, duplicates, dropped_frames, "
				     "dropped_steps FROM session_quality WHERE session_id = ? ORDER BY foot", -1, &q, NULL);

	*out = json_object();
	if (src == SQLITE_OK)
		sqlite3_bind_int64(q, 1, id);
	while (src == SQLITE_OK && (src = sqlite3_step(q)) == SQLITE_ROW) {
		json_object_set_new(*out, ins_foot_name((unsigned)sqlite3_column_int(q, 0)),
				    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}",
					      "frames", (json_int_t)sqlite3_column_int64(q, 1),
					      "seq_gaps", (json_int_t)sqlite3_column_int64(q, 2),
					      "frames_lost", (json_int_t)sqlite3_column_int64(q, 3),
					      "duplicates", (json_int_t)sqlite3_column_int64(q, 4),
					      "store_dropped_frames", (json_int_t)sqlite3_column_int64(q, 5),
					      "store_dropped_steps", (json_int_t)sqlite3_column_int64(q, 6)));
		src = SQLITE_OK;
	}
	sqlite3_finalize(q);
	if (src != SQLITE_DONE)
		return store_sql_error(src, db, "reading data quality", err);
	return 0;
}

json_t *store_session_full(sqlite3 *db, int64_t id, int *rc, struct ins_error *err)
{
	json_t *s = store_session_row(db, id, rc, err), *v;
	int r;

	if (!s)
		return NULL;
	if ((r = json_column(db, "SELECT json FROM summaries WHERE session_id = ?", id, &v, err)) < 0)
		goto fail;
	json_object_set_new(s, "summary", v);
	if ((r = json_column(db, "SELECT calibration_json FROM sessions WHERE id = ?", id, &v, err)) < 0)
		goto fail;
	json_object_set_new(s, "calibration", v);
	if ((r = json_column(db, "SELECT selection_json FROM sessions WHERE id = ?", id, &v, err)) < 0)
		goto fail;
	json_object_set_new(s, "selection", v);
	if ((r = quality_json(db, id, &v, err)) < 0)
		goto fail;
	json_object_set_new(s, "quality", v);
	return s;
fail:
	json_decref(v);
	json_decref(s);
	set_rc(rc, r);
	return NULL;
}

json_t *ins_store_session_get(struct ins_store *st, int64_t session_id, int *rc, struct ins_error *err)
{
	sqlite3 *db = NULL;
	json_t *s;
	int r;

	if ((r = store_reader_open(st, &db, err)) < 0) {
		set_rc(rc, r);
		return NULL;
	}
	s = store_session_full(db, session_id, rc, err);
	store_reader_close(st, db);
	return s;
}

static int append_step(void *ctx, const struct ins_step *step)
{
	json_t *j = ins_step_json(step);

	if (!j)
		return INS_EIO;
	json_array_append_new(ctx, j);
	return 0;
}

json_t *ins_store_session_steps(struct ins_store *st, int64_t session_id, int *rc, struct ins_error *err)
{
	sqlite3 *db = NULL;
	json_t *s, *steps = NULL;
	int r;

	if ((r = store_reader_open(st, &db, err)) < 0) {
		set_rc(rc, r);
		return NULL;
	}
	/* One read transaction so the steps match the session row. */
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	s = store_session_row(db, session_id, rc, err);
	if (s) {
		steps = json_array();
		r = store_each_step(db, session_id, append_step, steps, err);
		if (r < 0) {
			set_rc(rc, r);
			json_decref(steps);
			steps = NULL;
		}
	}
	json_decref(s);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	store_reader_close(st, db);
	return steps ? json_pack("{s:o}", "steps", steps) : NULL;
}

json_t *ins_store_subject_list(struct ins_store *st, int *rc, struct ins_error *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	json_t *list = NULL;
	int r, src;

	if ((r = store_reader_open(st, &db, err)) < 0) {
		set_rc(rc, r);
		return NULL;
	}
	src = sqlite3_prepare_v2(db, "SELECT sub.id, sub.code, sub.body_weight_kg, sub.notes, "
				 "(SELECT count(*) FROM sessions s WHERE s.subject_id = sub.id) "
				 "FROM subjects sub ORDER BY sub.code", -1, &q, NULL);
	list = json_array();
	while (src == SQLITE_OK && (src = sqlite3_step(q)) == SQLITE_ROW) {
		json_t *w = sqlite3_column_type(q, 2) == SQLITE_NULL ? json_null() :
			    json_real(sqlite3_column_double(q, 2));
		json_array_append_new(list, json_pack("{s:I, s:s, s:o, s:s, s:I}",
						      "id", (json_int_t)sqlite3_column_int64(q, 0),
						      "code", (const char *)sqlite3_column_text(q, 1),
						      "body_weight_kg", w,
						      "notes", (const char *)sqlite3_column_text(q, 3),
						      "sessions", (json_int_t)sqlite3_column_int64(q, 4)));
		src = SQLITE_OK;
	}
	if (src != SQLITE_DONE) {
		set_rc(rc, store_sql_error(src, db, "listing subjects", err));
		json_decref(list);
		list = NULL;
	} else {
		set_rc(rc, 0);
	}
	sqlite3_finalize(q);
	store_reader_close(st, db);
	return list ? json_pack("{s:o}", "subjects", list) : NULL;
}
