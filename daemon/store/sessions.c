/* Session and subject changes.  Arguments are checked on the caller's
 * thread (errors name the field); the change itself runs as a command on the
 * writer thread, in its own transaction, with bound parameters only. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insoled/clock.h"
#include "store_priv.h"

#define LOG_PREFIX "store"

/* jansson's iterators take non-const objects but do not modify them. */
static json_t *unconst(const json_t *j)
{
	return (json_t *)(uintptr_t)j;
}

static int prep(struct ins_store *st, const char *sql, sqlite3_stmt **q, struct ins_error *err)
{
	int src = sqlite3_prepare_v2(st->wdb, sql, -1, q, NULL);

	if (src != SQLITE_OK)
		return store_sql_error(src, st->wdb, "database", err);
	return 0;
}

/* Run a prepared write; 0 when it is done. */
static int run(struct ins_store *st, sqlite3_stmt *q, const char *what, struct ins_error *err)
{
	int src = sqlite3_step(q);

	if (src != SQLITE_DONE && src != SQLITE_ROW) {
		store_note_error(st, what, src, st->wdb);
		return store_sql_error(src, st->wdb, what, err);
	}
	return 0;
}

/* The id of subject `code`, created when new. */
static int subject_id_for(struct ins_store *st, const char *code, int64_t *id, struct ins_error *err)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if ((rc = prep(st, "INSERT INTO subjects(code, created_us) VALUES (?1, ?2) "
		       "ON CONFLICT(code) DO UPDATE SET code = code RETURNING id", &q, err)) < 0)
		return rc;
	sqlite3_bind_text(q, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, ins_realtime_us());
	if (sqlite3_step(q) == SQLITE_ROW)
		*id = sqlite3_column_int64(q, 0);
	else
		rc = store_sql_error(sqlite3_errcode(st->wdb), st->wdb, "subject", err);
	sqlite3_finalize(q);
	return rc;
}

static int check_meta(const struct ins_session_meta *m, struct ins_error *err)
{
	int rc;

	if ((rc = store_check_text("subject", m->subject, INS_STORE_LABEL_MAX, err)) < 0 ||
	    (rc = store_check_text("footwear", m->footwear, INS_STORE_LABEL_MAX, err)) < 0 ||
	    (rc = store_check_text("notes", m->notes, INS_STORE_NOTES_MAX, err)) < 0 ||
	    (rc = store_check_text("layout.left", m->layout[0], INS_STORE_LABEL_MAX, err)) < 0 ||
	    (rc = store_check_text("layout.right", m->layout[1], INS_STORE_LABEL_MAX, err)) < 0 ||
	    (rc = store_check_text("devices", m->devices, INS_STORE_DEVICES_MAX, err)) < 0 ||
	    (rc = store_check_text("calibration", m->calibration_json, INS_STORE_CALIB_MAX, err)) < 0)
		return rc;
	/* 0: unknown */
	if (m->body_weight_n != 0 && ins_body_weight_check_n("body_weight_n", m->body_weight_n, err->msg,
										 sizeof(err->msg)) < 0) {
		ins_error_about(err, "body_weight_n");
		return INS_EINVAL;
	}
	if (!m->layout[0] && !m->layout[1]) {
		ins_error_field(err, "layout", "layout: a session needs the layout of at least one foot");
		return INS_EINVAL;
	}
	if (m->calibration_json) {
		json_error_t jerr;
		json_t *j = json_loads(m->calibration_json, 0, &jerr);
		int ok = json_is_object(j);
		json_decref(j);
		if (!ok) {
			ins_error_field(err, "calibration", "calibration: not a JSON object (%s)", j ? "wrong type" : jerr.text);
			return INS_EINVAL;
		}
	}
	return 0;
}

/* Insert a session row in the open transaction. */
int store_insert_session(struct ins_store *st, const struct ins_session_meta *m, const char *state,
			 const char *source, int64_t start_us, int64_t *session_id, struct ins_error *err)
{
	sqlite3_stmt *q = NULL;
	int64_t subject = 0;
	int rc;

	if (m->subject && *m->subject && (rc = subject_id_for(st, m->subject, &subject, err)) < 0)
		return rc;
	/* The id is above every session that exists or ever existed
	 * (sql/002_session_ids.sql): ids are never reused. */
	if ((rc = prep(st, "INSERT INTO sessions(id, subject_id, footwear, notes, state, start_us, source, devices, "
		       "layout_left, layout_right, calibration_json, body_weight_n, software_version, "
		       "analysed_version, lane) VALUES ((SELECT max(coalesce((SELECT max(id) FROM sessions), 0), "
		       "(SELECT max_deleted FROM session_id_floor)) + 1),?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
		       &q, err)) < 0)
		return rc;
	if (subject)
		sqlite3_bind_int64(q, 1, subject);
	sqlite3_bind_text(q, 2, m->footwear ? m->footwear : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, m->notes ? m->notes : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, start_us);
	sqlite3_bind_text(q, 6, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 7, m->devices ? m->devices : "", -1, SQLITE_STATIC);
	if (m->layout[0])
		sqlite3_bind_text(q, 8, m->layout[0], -1, SQLITE_STATIC);
	if (m->layout[1])
		sqlite3_bind_text(q, 9, m->layout[1], -1, SQLITE_STATIC);
	if (m->calibration_json)
		sqlite3_bind_text(q, 10, m->calibration_json, -1, SQLITE_STATIC);
	sqlite3_bind_double(q, 11, m->body_weight_n);
	sqlite3_bind_text(q, 12, PACKAGE_VERSION, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 13, PACKAGE_VERSION, -1, SQLITE_STATIC);
	if (m->lane)
		sqlite3_bind_text(q, 14, m->lane, -1, SQLITE_STATIC);
	rc = run(st, q, "creating the session", err);
	sqlite3_finalize(q);
	if (rc == 0)
		*session_id = sqlite3_last_insert_rowid(st->wdb);
	return rc;
}

/* ---- start / stop ----------------------------------------------------------- */

struct start_arg {
	const struct ins_session_meta *meta;
	int64_t id;
};

static struct rec *free_rec_slot(struct ins_store *st)
{
	for (unsigned i = 0; i < INS_STORE_MAX_RECORDING; i++)
		if (!st->recs[i].used)
			return &st->recs[i];
	return NULL;
}

static int cmd_start(struct ins_store *st, void *arg, struct ins_error *err)
{
	struct start_arg *a = arg;
	struct rec *r = free_rec_slot(st);
	struct ins_summary_acc *acc;
	int rc;

	if (!r) {
		ins_error_msg(err, "%d sessions are already recording", INS_STORE_MAX_RECORDING);
		return INS_ECONFLICT;
	}
	acc = ins_summary_acc_new();
	if (!acc) {
		ins_error_msg(err, "out of memory");
		return INS_EIO;
	}
	if ((rc = store_begin(st, err)) < 0)
		goto fail;
	if ((rc = store_insert_session(st, a->meta, "recording", "live", ins_realtime_us(), &a->id, err)) < 0) {
		store_rollback(st);
		goto fail;
	}
	if ((rc = store_commit(st, err)) < 0)
		goto fail;
	pthread_mutex_lock(&st->mu);
	memset(r, 0, sizeof(*r));
	r->used = 1;
	r->accepting = 1;
	r->id = a->id;
	r->acc = acc;
	pthread_mutex_unlock(&st->mu);
	ins_info("session %lld: recording", (long long)a->id);
	return 0;
fail:
	ins_summary_acc_free(acc);
	return rc;
}

int ins_store_session_start(struct ins_store *st, const struct ins_session_meta *meta,
			    int64_t *session_id, struct ins_error *err)
{
	struct start_arg a = { .meta = meta };
	int rc;

	if (!meta) {
		ins_error_msg(err, "session: no metadata");
		return INS_EINVAL;
	}
	if ((rc = check_meta(meta, err)) < 0)
		return rc;
	rc = store_call(st, cmd_start, &a, err);
	if (rc == 0)
		*session_id = a.id;
	return rc;
}

/* Whether a session exists and in which state; ENOTFOUND when it does not. */
static int session_state(struct ins_store *st, int64_t id, char *state, size_t statelen, struct ins_error *err)
{
	sqlite3_stmt *q = NULL;
	int rc, src;

	if ((rc = prep(st, "SELECT state FROM sessions WHERE id = ?", &q, err)) < 0)
		return rc;
	sqlite3_bind_int64(q, 1, id);
	src = sqlite3_step(q);
	if (src == SQLITE_ROW) {
		snprintf(state, statelen, "%s", (const char *)sqlite3_column_text(q, 0));
	} else if (src == SQLITE_DONE) {
		ins_error_msg(err, "session %lld does not exist", (long long)id);
		rc = INS_ENOTFOUND;
	} else {
		rc = store_sql_error(src, st->wdb, "session", err);
	}
	sqlite3_finalize(q);
	return rc;
}

static int cmd_stop(struct ins_store *st, void *arg, struct ins_error *err)
{
	int64_t id = *(int64_t *)arg;
	struct rec *r = store_rec_find(st, id);
	char state[32];
	int rc;

	if (!r || r->stop_pending) {
		if (r) {
			ins_error_msg(err, "session %lld is stopping; its data waits for the database",
				 (long long)id);
			return INS_EBUSY;
		}
		if ((rc = session_state(st, id, state, sizeof(state), err)) < 0)
			return rc;
		ins_error_msg(err, "session %lld is not recording", (long long)id);
		return INS_ECONFLICT;
	}
	pthread_mutex_lock(&st->mu);
	r->accepting = 0;
	pthread_mutex_unlock(&st->mu);
	r->stop_pending = 1;
	r->end_us = ins_realtime_us();
	/* Data, counters, state and summary in one transaction; if it fails the
	 * stop stays pending and every later flush retries it. */
	rc = store_flush(st);
	if (rc < 0) {
		pthread_mutex_lock(&st->mu);
		ins_error_msg(err, "session %lld: stopped, but its last data could not be written yet (%s); "
			 "it is retried automatically", (long long)id, st->stats.last_error);
		pthread_mutex_unlock(&st->mu);
		return rc;
	}
	ins_info("session %lld: complete", (long long)id);
	return 0;
}

int ins_store_session_stop(struct ins_store *st, int64_t session_id, struct ins_error *err)
{
	return store_call(st, cmd_stop, &session_id, err);
}

/* ---- update / delete ---------------------------------------------------------- */

struct update_arg {
	int64_t id;
	const char *subject, *footwear, *notes;
	int has_subject, has_footwear, has_notes;
};

static int cmd_update(struct ins_store *st, void *arg, struct ins_error *err)
{
	struct update_arg *a = arg;
	sqlite3_stmt *q = NULL;
	int64_t subject = 0;
	char state[32];
	int rc;

	if ((rc = store_begin(st, err)) < 0)
		return rc;
	if ((rc = session_state(st, a->id, state, sizeof(state), err)) < 0)
		goto rollback;
	if (a->has_subject && a->subject && *a->subject &&
	    (rc = subject_id_for(st, a->subject, &subject, err)) < 0)
		goto rollback;
	/* ?5/?6/?7 say which members the patch has; absent ones keep their value. */
	if ((rc = prep(st, "UPDATE sessions SET "
		       "subject_id = CASE WHEN ?5 THEN ?2 ELSE subject_id END, "
		       "footwear = CASE WHEN ?6 THEN ?3 ELSE footwear END, "
		       "notes = CASE WHEN ?7 THEN ?4 ELSE notes END WHERE id = ?1", &q, err)) < 0)
		goto rollback;
	sqlite3_bind_int64(q, 1, a->id);
	if (subject)
		sqlite3_bind_int64(q, 2, subject);
	sqlite3_bind_text(q, 3, a->footwear ? a->footwear : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, a->notes ? a->notes : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 5, a->has_subject);
	sqlite3_bind_int(q, 6, a->has_footwear);
	sqlite3_bind_int(q, 7, a->has_notes);
	rc = run(st, q, "updating the session", err);
	sqlite3_finalize(q);
	if (rc < 0)
		goto rollback;
	return store_commit(st, err);
rollback:
	store_rollback(st);
	return rc;
}

static int patch_member(const json_t *patch, const char *field, size_t max, const char **out, int *has,
			struct ins_error *err)
{
	*has = json_object_get(patch, field) != NULL;
	return store_json_text(patch, field, max, out, err);
}

int ins_store_session_update(struct ins_store *st, int64_t session_id, const json_t *patch,
			     struct ins_error *err)
{
	struct update_arg a = { .id = session_id };
	const char *key;
	json_t *v;
	int rc;

	if (!json_is_object(patch)) {
		ins_error_field(err, "patch", "patch: expected a JSON object");
		return INS_EINVAL;
	}
	json_object_foreach(unconst(patch), key, v) {
		if (strcmp(key, "subject") && strcmp(key, "footwear") && strcmp(key, "notes")) {
			ins_error_field(err, key, "%.64s: not a member that can be changed (subject, footwear, notes)", key);
			return INS_EINVAL;
		}
	}
	if ((rc = patch_member(patch, "subject", INS_STORE_LABEL_MAX, &a.subject, &a.has_subject, err)) < 0 ||
	    (rc = patch_member(patch, "footwear", INS_STORE_LABEL_MAX, &a.footwear, &a.has_footwear, err)) < 0 ||
	    (rc = patch_member(patch, "notes", INS_STORE_NOTES_MAX, &a.notes, &a.has_notes, err)) < 0)
		return rc;
	return store_call(st, cmd_update, &a, err);
}

static int cmd_delete(struct ins_store *st, void *arg, struct ins_error *err)
{
	int64_t id = *(int64_t *)arg;
	sqlite3_stmt *q = NULL;
	int rc;

	if (store_rec_find(st, id)) {
		ins_error_msg(err, "session %lld is recording; stop it first", (long long)id);
		return INS_ECONFLICT;
	}
	if ((rc = store_begin(st, err)) < 0)
		return rc;
	/* Foreign keys cascade to raw_chunks, steps, summaries, quality, controls. */
	if ((rc = prep(st, "DELETE FROM sessions WHERE id = ?", &q, err)) < 0)
		goto rollback;
	sqlite3_bind_int64(q, 1, id);
	rc = run(st, q, "deleting the session", err);
	sqlite3_finalize(q);
	if (rc < 0)
		goto rollback;
	if (sqlite3_changes(st->wdb) == 0) {
		ins_error_msg(err, "session %lld does not exist", (long long)id);
		rc = INS_ENOTFOUND;
		goto rollback;
	}
	if ((rc = store_commit(st, err)) == 0)
		ins_info("session %lld: deleted with its raw data", (long long)id);
	return rc;
rollback:
	store_rollback(st);
	return rc;
}

int ins_store_session_delete(struct ins_store *st, int64_t session_id, struct ins_error *err)
{
	return store_call(st, cmd_delete, &session_id, err);
}

/* ---- subjects ---------------------------------------------------------------- */

struct subject_arg {
	int64_t id;
	const char *code, *notes;
	double weight_kg;
	int has_code, has_notes, has_weight;
};

static int subject_fields(const json_t *obj, struct subject_arg *a, struct ins_error *err)
{
	const char *key;
	json_t *v;
	int rc;

	if (!json_is_object(obj)) {
		ins_error_field(err, "subject", "subject: expected a JSON object");
		return INS_EINVAL;
	}
	json_object_foreach(unconst(obj), key, v) {
		if (strcmp(key, "code") && strcmp(key, "body_weight_kg") && strcmp(key, "notes")) {
			ins_error_field(err, key, "%.64s: not a subject member (code, body_weight_kg, notes)", key);
			return INS_EINVAL;
		}
	}
	if ((rc = patch_member(obj, "code", INS_STORE_LABEL_MAX, &a->code, &a->has_code, err)) < 0 ||
	    (rc = patch_member(obj, "notes", INS_STORE_NOTES_MAX, &a->notes, &a->has_notes, err)) < 0)
		return rc;
	if (a->has_code && (!a->code || !*a->code)) {
		ins_error_field(err, "code", "code: must be a non-empty string");
		return INS_EINVAL;
	}
	v = json_object_get(obj, "body_weight_kg");
	a->has_weight = v != NULL;
	a->weight_kg = NAN;
	if (v && !json_is_null(v)) {
		if (!json_is_number(v)) {
			ins_error_field(err, "body_weight_kg", "body_weight_kg: expected a number of kilograms");
			return INS_EINVAL;
		}
		if (ins_body_weight_check_kg("body_weight_kg", json_number_value(v), err->msg, sizeof(err->msg)) < 0) {
			ins_error_about(err, "body_weight_kg");
			return INS_EINVAL;
		}
		a->weight_kg = json_number_value(v);
	}
	return 0;
}

static void bind_subject(sqlite3_stmt *q, const struct subject_arg *a, int with_flags)
{
	sqlite3_bind_text(q, 2, a->code ? a->code : "", -1, SQLITE_STATIC);
	if (!isnan(a->weight_kg))
		sqlite3_bind_double(q, 3, a->weight_kg);
	sqlite3_bind_text(q, 4, a->notes ? a->notes : "", -1, SQLITE_STATIC);
	if (!with_flags)
		return;
	sqlite3_bind_int(q, 5, a->has_code);
	sqlite3_bind_int(q, 6, a->has_weight);
	sqlite3_bind_int(q, 7, a->has_notes);
}

static int subject_conflict(struct ins_store *st, struct ins_error *err)
{
	if ((sqlite3_errcode(st->wdb) & 0xff) == SQLITE_CONSTRAINT) {
		ins_error_field(err, "code", "code: a subject with this code already exists");
		return INS_ECONFLICT;
	}
	return 0;
}

static int cmd_subject_create(struct ins_store *st, void *arg, struct ins_error *err)
{
	struct subject_arg *a = arg;
	sqlite3_stmt *q = NULL;
	int rc;

	if ((rc = prep(st, "INSERT INTO subjects(created_us, code, body_weight_kg, notes) "
		       "VALUES (?1, ?2, ?3, ?4)", &q, err)) < 0)
		return rc;
	sqlite3_bind_int64(q, 1, ins_realtime_us());
	bind_subject(q, a, 0);
	if (sqlite3_step(q) == SQLITE_DONE) {
		a->id = sqlite3_last_insert_rowid(st->wdb);
	} else if (!(rc = subject_conflict(st, err))) {
		store_note_error(st, "creating a subject", sqlite3_errcode(st->wdb), st->wdb);
		rc = store_sql_error(sqlite3_errcode(st->wdb), st->wdb, "subject", err);
	}
	sqlite3_finalize(q);
	return rc;
}

int ins_store_subject_create(struct ins_store *st, const json_t *obj, int64_t *subject_id, struct ins_error *err)
{
	struct subject_arg a = { 0 };
	int rc;

	if ((rc = subject_fields(obj, &a, err)) < 0)
		return rc;
	if (!a.has_code) {
		ins_error_field(err, "code", "code: required");
		return INS_EINVAL;
	}
	rc = store_call(st, cmd_subject_create, &a, err);
	if (rc == 0)
		*subject_id = a.id;
	return rc;
}

static int cmd_subject_update(struct ins_store *st, void *arg, struct ins_error *err)
{
	struct subject_arg *a = arg;
	sqlite3_stmt *q = NULL;
	int rc;

	if ((rc = prep(st, "UPDATE subjects SET code = CASE WHEN ?5 THEN ?2 ELSE code END, "
		       "body_weight_kg = CASE WHEN ?6 THEN ?3 ELSE body_weight_kg END, "
		       "notes = CASE WHEN ?7 THEN ?4 ELSE notes END WHERE id = ?1", &q, err)) < 0)
		return rc;
	sqlite3_bind_int64(q, 1, a->id);
	bind_subject(q, a, 1);
	if (sqlite3_step(q) == SQLITE_DONE) {
		if (sqlite3_changes(st->wdb) == 0) {
			ins_error_msg(err, "subject %lld does not exist", (long long)a->id);
			rc = INS_ENOTFOUND;
		}
	} else if (!(rc = subject_conflict(st, err))) {
		store_note_error(st, "updating a subject", sqlite3_errcode(st->wdb), st->wdb);
		rc = store_sql_error(sqlite3_errcode(st->wdb), st->wdb, "subject", err);
	}
	sqlite3_finalize(q);
	return rc;
}

int ins_store_subject_update(struct ins_store *st, int64_t subject_id, const json_t *patch, struct ins_error *err)
{
	struct subject_arg a = { .id = subject_id };
	int rc;

	if ((rc = subject_fields(patch, &a, err)) < 0)
		return rc;
	return store_call(st, cmd_subject_update, &a, err);
}

/* ---- start-up: sessions a dead daemon left recording ----------------------------- */

int store_mark_interrupted(struct ins_store *st, struct ins_error *err)
{
	sqlite3_stmt *q = NULL, *u = NULL;
	int rc, src;

	if ((rc = store_begin(st, err)) < 0)
		return rc;
	if ((rc = prep(st, "SELECT id FROM sessions WHERE state = 'recording'", &q, err)) < 0 ||
	    (rc = prep(st, "UPDATE sessions SET state = 'interrupted', "
		       "end_us = coalesce((SELECT max(last_host_us) FROM raw_chunks WHERE session_id = ?1), start_us) "
		       "WHERE id = ?1", &u, err)) < 0)
		goto rollback;
	while ((src = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(q, 0);
		struct ins_summary sum;
		sqlite3_bind_int64(u, 1, id);
		if ((rc = run(st, u, "marking a session interrupted", err)) < 0)
			goto rollback;
		sqlite3_reset(u);
		if ((rc = store_summary_from_steps(st->wdb, id, &sum, err)) < 0 ||
		    (rc = store_write_summary(st, id, &sum)) < 0)
			goto rollback;
		ins_warn("session %lld was still recording when insoled stopped; marked interrupted, "
			 "everything committed before is kept", (long long)id);
	}
	if (src != SQLITE_DONE) {
		rc = store_sql_error(src, st->wdb, "finding interrupted sessions", err);
		goto rollback;
	}
	sqlite3_finalize(q);
	sqlite3_finalize(u);
	return store_commit(st, err);
rollback:
	sqlite3_finalize(q);
	sqlite3_finalize(u);
	store_rollback(st);
	return rc;
}
