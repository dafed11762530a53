/* The writer thread: the only user of the write connection.
 *
 * Each round it swaps the producers' queue buffer for its own (one short
 * mutex hold), packs frames into per-foot chunks, and at least every
 * INS_STORE_COMMIT_INTERVAL_US writes the sealed chunks, steps and counters
 * in one transaction with statements prepared once.  When a write fails
 * (busy, locked, disk full) the transaction is rolled back, everything stays
 * pending and counts against the queue bound, the error goes to the stats
 * and a rate-limited log line, and the next attempt follows by itself
 * INS_STORE_RETRY_US later.  Commands from other threads (session start,
 * stop, edits) run here too, between rounds, so there is one writer. */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "insoled/analysis_json.h"
#include "insoled/clock.h"
#include "store_priv.h"

#define LOG_PREFIX "store"

/* Pending encoded bytes that trigger a commit before the interval is up:
 * keeps transactions and memory moderate at very high rates. */
#define FLUSH_BYTES (16u << 20)
/* At shutdown, attempts to write what is still pending before giving up. */
#define CLOSE_ATTEMPTS 3

void store_note_error(struct ins_store *st, const char *what, int src, sqlite3 *db)
{
	unsigned suppressed = 0;
	char msg[sizeof(st->stats.last_error)];

	snprintf(msg, sizeof(msg), "%s: %s (%s)", what, sqlite3_errstr(src), db ? sqlite3_errmsg(db) : "");
	pthread_mutex_lock(&st->mu);
	st->stats.write_errors++;
	st->stats.healthy = 0;
	memcpy(st->stats.last_error, msg, sizeof(msg));
	pthread_mutex_unlock(&st->mu);
	if (ins_ratelimit_ok(&st->err_rl, &suppressed))
		ins_err("%s: %s; data stays queued and is written when this clears "
			"(%u similar messages suppressed)", st->db_path, msg, suppressed);
}

void store_rollback(struct ins_store *st)
{
	/* Only when a transaction is open: never leave the write lock held. */
	if (!sqlite3_get_autocommit(st->wdb))
		sqlite3_exec(st->wdb, "ROLLBACK", NULL, NULL, NULL);
}

int store_begin(struct ins_store *st, struct ins_error *err)
{
	int src = sqlite3_exec(st->wdb, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	if (src != SQLITE_OK) {
		ins_error_msg(err, "database: %s", sqlite3_errmsg(st->wdb));
		store_note_error(st, "BEGIN", src, st->wdb);
		store_rollback(st);
		return store_rc_from_sqlite(src);
	}
	return 0;
}

int store_commit(struct ins_store *st, struct ins_error *err)
{
	int src = sqlite3_exec(st->wdb, "COMMIT", NULL, NULL, NULL);

	if (src != SQLITE_OK) {
		ins_error_msg(err, "database: %s", sqlite3_errmsg(st->wdb));
		store_note_error(st, "COMMIT", src, st->wdb);
		store_rollback(st);
		return store_rc_from_sqlite(src);
	}
	/* Any successful write shows the database works again. */
	pthread_mutex_lock(&st->mu);
	if (!st->stats.healthy)
		ins_info("%s: writing again", st->db_path);
	st->stats.healthy = 1;
	pthread_mutex_unlock(&st->mu);
	return 0;
}

struct rec *store_rec_find(struct ins_store *st, int64_t session_id)
{
	for (unsigned i = 0; i < INS_STORE_MAX_RECORDING; i++)
		if (st->recs[i].used && st->recs[i].id == session_id)
			return &st->recs[i];
	return NULL;
}

/* ---- pending data ----------------------------------------------------- */

static int seal_chunk(struct ins_store *st, struct rec *r, unsigned foot)
{
	return store_chunk_enc_seal(&r->enc[foot], r->id, foot, &st->pchunks, &st->n_pchunks, &st->cap_pchunks);
}

static int seal_all(struct ins_store *st)
{
	for (unsigned i = 0; i < INS_STORE_MAX_RECORDING; i++)
		for (unsigned f = 0; f < INS_FOOT_COUNT; f++)
			if (st->recs[i].used && seal_chunk(st, &st->recs[i], f) < 0)
				return -1;
	return 0;
}

static size_t pending_bytes(const struct ins_store *st)
{
	size_t b = 0;

	for (size_t i = 0; i < st->n_pchunks; i++)
		b += st->pchunks[i].len;
	for (unsigned i = 0; i < INS_STORE_MAX_RECORDING; i++)
		for (unsigned f = 0; f < INS_FOOT_COUNT; f++)
			b += st->recs[i].enc[f].len;
	return b;
}

static void count_quality(struct foot_quality *q, uint32_t seq)
{
	if (q->have_seq) {
		uint32_t d = seq - q->last_seq;
		if (d == 0) {
			q->duplicates++;
		} else if (d != 1 && d < 0x80000000u) {
			q->seq_gaps++;
			q->frames_lost += d - 1;
		} else if (d != 1) {
			q->seq_gaps++; /* counter went back: device reset */
		}
	}
	q->have_seq = 1;
	q->last_seq = seq;
	q->frames++;
}

static void drop_item(struct ins_store *st, const struct qitem *it, const char *why)
{
	unsigned suppressed = 0;

	pthread_mutex_lock(&st->mu);
	if (it->type == QITEM_FRAME) {
		st->stats.frames_dropped++;
		st->queued_frames--;
	} else if (it->type == QITEM_STEP) {
		st->stats.steps_dropped++;
		st->queued_steps--;
	}
	pthread_mutex_unlock(&st->mu);
	if (ins_ratelimit_ok(&st->err_rl, &suppressed))
		ins_err("session %lld: data dropped: %s (%u similar messages suppressed)",
			(long long)it->session_id, why, suppressed);
}

static void take_frame(struct ins_store *st, struct rec *r, const struct qitem *it)
{
	struct store_chunk_enc *enc = &r->enc[it->foot];
	struct store_chunk_frame cf = {
		.seq = it->seq, .t_dev = it->t_dev, .t_us = it->t_us, .host_us = it->host_us,
		.arrival = r->arrival,
	};

	if (enc->n_frames && (enc->n != it->n || enc->len >= INS_STORE_CHUNK_MAX_BYTES) &&
	    seal_chunk(st, r, it->foot) < 0)
		goto oom;
	if (enc->n_frames == 0 && store_chunk_enc_reset(enc, STORE_CHUNK_COUNTS, it->n) < 0)
		goto oom;
	if (store_chunk_enc_add(enc, &cf, (const uint8_t *)(it + 1)) < 0)
		goto oom;
	r->arrival++;
	count_quality(&r->q[it->foot], it->seq);
	return;
oom:
	drop_item(st, it, "out of memory while packing a frame");
}

static void take_step(struct ins_store *st, struct rec *r, const struct qitem *it)
{
	struct pend_step *ps;

	if (ins_grow((void **)&st->psteps, &st->cap_psteps, st->n_psteps, 1, sizeof(*st->psteps), STORE_GROW_FIRST) < 0) {
		drop_item(st, it, "out of memory while queueing a step");
		return;
	}
	ps = &st->psteps[st->n_psteps++];
	ps->session_id = r->id;
	memcpy(&ps->step, it + 1, sizeof(ps->step));
	if (r->acc)
		ins_summary_acc_add(r->acc, &ps->step);
}

static void take_control(struct ins_store *st, struct rec *r, const struct qitem *it)
{
	struct pend_control *pc;

	if (ins_grow((void **)&st->pcontrols, &st->cap_pcontrols, st->n_pcontrols, 1, sizeof(*st->pcontrols),
		     STORE_GROW_FIRST) < 0) {
		drop_item(st, it, "out of memory while queueing a calibration change");
		return;
	}
	pc = &st->pcontrols[st->n_pcontrols++];
	pc->session_id = r->id;
	pc->arrival = r->arrival; /* applies before the next frame, as it did live */
	pc->kind = it->n; /* enum ins_store_control */
	pc->foot = it->foot;
	pc->value = it->value;
}

static void take_items(struct ins_store *st)
{
	/* NULL until the first item: NULL + 0 is undefined behaviour */
	const uint8_t *p = st->out.data, *end = p ? p + st->out.len : p;

	while (p < end) {
		const struct qitem *it = (const struct qitem *)p;
		struct rec *r = store_rec_find(st, it->session_id);
		p += it->size;
		if (!r) {
			drop_item(st, it, "the session is not recording");
			continue;
		}
		if (it->type == QITEM_FRAME)
			take_frame(st, r, it);
		else if (it->type == QITEM_STEP)
			take_step(st, r, it);
		else
			take_control(st, r, it);
	}
	st->out.len = 0;
	st->out.frames = st->out.steps = 0;
}

/* ---- the transaction ---------------------------------------------------- */

static int step_stmt(struct ins_store *st, sqlite3_stmt *s, const char *what)
{
	int src = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (src != SQLITE_DONE) {
		store_note_error(st, what, src, st->wdb);
		return store_rc_from_sqlite(src);
	}
	return 0;
}

void store_bind_chunk(sqlite3_stmt *s, int64_t session_id, const struct pend_chunk *pc)
{
	sqlite3_bind_int64(s, 1, session_id);
	sqlite3_bind_int(s, 2, pc->foot);
	sqlite3_bind_int(s, 3, pc->format);
	sqlite3_bind_int(s, 4, pc->n);
	sqlite3_bind_int64(s, 5, pc->n_frames);
	sqlite3_bind_int64(s, 6, pc->first.arrival);
	sqlite3_bind_int64(s, 7, pc->first.seq);
	sqlite3_bind_int64(s, 8, pc->first.t_us);
	sqlite3_bind_int64(s, 9, pc->last.t_us);
	sqlite3_bind_int64(s, 10, pc->last.host_us);
	sqlite3_bind_blob(s, 11, pc->data, (int)pc->len, SQLITE_STATIC);
}

static int write_chunk(struct ins_store *st, const struct pend_chunk *pc)
{
	store_bind_chunk(st->store_chunk, pc->session_id, pc);
	return step_stmt(st, st->store_chunk, "writing raw frames");
}

int store_bind_step(struct ins_store *st, sqlite3_stmt *s, int64_t session_id, const struct ins_step *step)
{
	uint8_t blob[INS_M_COUNT * 8];

	store_pack_metrics(step->m, blob);
	sqlite3_bind_int64(s, 1, session_id);
	sqlite3_bind_int(s, 2, step->foot);
	sqlite3_bind_int64(s, 3, step->index);
	sqlite3_bind_int64(s, 4, step->flags);
	sqlite3_bind_int64(s, 5, step->contact_us);
	sqlite3_bind_int64(s, 6, step->toe_off_us);
	sqlite3_bind_int64(s, 7, st->metric_set_id);
	sqlite3_bind_blob(s, 8, blob, (int)sizeof(blob), SQLITE_TRANSIENT);
	return step_stmt(st, s, "writing steps");
}

static int write_control(struct ins_store *st, const struct pend_control *pc)
{
	sqlite3_stmt *s = st->store_control;

	sqlite3_bind_int64(s, 1, pc->session_id);
	sqlite3_bind_int64(s, 2, pc->arrival);
	sqlite3_bind_text(s, 3, pc->kind == INS_STORE_CONTROL_TARE ? "tare" : "body_weight", -1, SQLITE_STATIC);
	if (pc->kind == INS_STORE_CONTROL_TARE)
		sqlite3_bind_int(s, 4, (int)pc->foot);
	else
		sqlite3_bind_double(s, 5, pc->value);
	return step_stmt(st, s, "writing a calibration change");
}

static int write_rec_counters(struct ins_store *st, struct rec *r, uint64_t frames, uint64_t steps,
			      const uint64_t dropped_frames[INS_FOOT_COUNT], uint64_t dropped_steps)
{
	int rc;

	sqlite3_bind_int64(st->upd_counts, 1, r->id);
	sqlite3_bind_int64(st->upd_counts, 2, (int64_t)frames);
	sqlite3_bind_int64(st->upd_counts, 3, (int64_t)steps);
	if ((rc = step_stmt(st, st->upd_counts, "updating session counters")) < 0)
		return rc;
	for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
		const struct foot_quality *q = &r->q[f];
		sqlite3_stmt *s = st->upd_quality;
		sqlite3_bind_int64(s, 1, r->id);
		sqlite3_bind_int(s, 2, (int)f);
		sqlite3_bind_int64(s, 3, (int64_t)q->frames);
		sqlite3_bind_int64(s, 4, (int64_t)q->seq_gaps);
		sqlite3_bind_int64(s, 5, (int64_t)q->frames_lost);
		sqlite3_bind_int64(s, 6, (int64_t)q->duplicates);
		sqlite3_bind_int64(s, 7, (int64_t)dropped_frames[f]);
		sqlite3_bind_int64(s, 8, (int64_t)(f == 0 ? dropped_steps : 0));
		if ((rc = step_stmt(st, s, "updating data-quality counters")) < 0)
			return rc;
	}
	return 0;
}

int store_write_summary(struct ins_store *st, int64_t session_id, const struct ins_summary *sum)
{
	json_t *j = ins_summary_json(sum);
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	int rc;

	json_decref(j);
	if (!text) {
		store_note_error(st, "building the session summary", SQLITE_NOMEM, NULL);
		return INS_EIO;
	}
	sqlite3_bind_int64(st->ins_summary, 1, session_id);
	sqlite3_bind_text(st->ins_summary, 2, text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st->ins_summary, 3, ins_realtime_us());
	free(text);
	rc = step_stmt(st, st->ins_summary, "writing the session summary");
	return rc;
}

static int finish_rec(struct ins_store *st, struct rec *r)
{
	struct ins_summary sum;
	int rc;

	sqlite3_bind_int64(st->finish_session, 1, r->id);
	sqlite3_bind_int64(st->finish_session, 2, r->end_us);
	sqlite3_bind_text(st->finish_session, 3, PACKAGE_VERSION, -1, SQLITE_STATIC);
	if ((rc = step_stmt(st, st->finish_session, "completing the session")) < 0)
		return rc;
	if (!r->acc)
		return 0;
	ins_summary_acc_finish(r->acc, &sum);
	return store_write_summary(st, r->id, &sum);
}

struct rec_delta {
	uint64_t frames, steps;
	uint64_t dropped_frames[INS_FOOT_COUNT], dropped_steps;
};

static int write_pending(struct ins_store *st, struct rec_delta *d)
{
	int rc;

	for (size_t i = 0; i < st->n_pchunks; i++) {
		if ((rc = write_chunk(st, &st->pchunks[i])) < 0)
			return rc;
		for (unsigned k = 0; k < INS_STORE_MAX_RECORDING; k++)
			if (st->recs[k].used && st->recs[k].id == st->pchunks[i].session_id)
				d[k].frames += st->pchunks[i].n_frames;
	}
	for (size_t i = 0; i < st->n_psteps; i++) {
		if ((rc = store_bind_step(st, st->ins_step, st->psteps[i].session_id, &st->psteps[i].step)) < 0)
			return rc;
		for (unsigned k = 0; k < INS_STORE_MAX_RECORDING; k++)
			if (st->recs[k].used && st->recs[k].id == st->psteps[i].session_id)
				d[k].steps++;
	}
	for (size_t i = 0; i < st->n_pcontrols; i++)
		if ((rc = write_control(st, &st->pcontrols[i])) < 0)
			return rc;
	for (unsigned k = 0; k < INS_STORE_MAX_RECORDING; k++) {
		struct rec *r = &st->recs[k];
		if (!r->used)
			continue;
		if ((rc = write_rec_counters(st, r, d[k].frames, d[k].steps, d[k].dropped_frames,
					     d[k].dropped_steps)) < 0)
			return rc;
		if (r->stop_pending && (rc = finish_rec(st, r)) < 0)
			return rc;
	}
	return 0;
}

static void free_rec(struct rec *r)
{
	for (unsigned f = 0; f < INS_FOOT_COUNT; f++)
		store_chunk_enc_free(&r->enc[f]);
	ins_summary_acc_free(r->acc);
	memset(r, 0, sizeof(*r));
}

static void committed(struct ins_store *st)
{
	uint64_t frames = 0, steps = 0;

	for (size_t i = 0; i < st->n_pchunks; i++) {
		frames += st->pchunks[i].n_frames;
		free(st->pchunks[i].data);
	}
	steps = st->n_psteps;
	st->n_pchunks = st->n_psteps = st->n_pcontrols = 0;
	pthread_mutex_lock(&st->mu);
	st->queued_frames -= frames;
	st->queued_steps -= steps;
	st->stats.frames_written += frames;
	st->stats.steps_written += steps;
	st->stats.commits++;
	st->stats.last_commit_us = ins_realtime_us();
	for (unsigned k = 0; k < INS_STORE_MAX_RECORDING; k++)
		if (st->recs[k].used && st->recs[k].stop_pending)
			free_rec(&st->recs[k]);
	pthread_mutex_unlock(&st->mu);
}

static int anything_pending(const struct ins_store *st)
{
	if (st->n_pchunks || st->n_psteps || st->n_pcontrols)
		return 1;
	for (unsigned k = 0; k < INS_STORE_MAX_RECORDING; k++)
		if (st->recs[k].used)
			return 1; /* counters of a recording session */
	return 0;
}

int store_flush(struct ins_store *st)
{
	struct rec_delta d[INS_STORE_MAX_RECORDING];
	struct ins_error err;
	int rc;

	st->next_commit_us = ins_mono_us() + INS_STORE_COMMIT_INTERVAL_US;
	if (seal_all(st) < 0) {
		store_note_error(st, "packing frames", SQLITE_NOMEM, NULL);
		return INS_EIO;
	}
	if (!anything_pending(st))
		return 0;
	memset(d, 0, sizeof(d));
	pthread_mutex_lock(&st->mu);
	for (unsigned k = 0; k < INS_STORE_MAX_RECORDING; k++) {
		memcpy(d[k].dropped_frames, st->recs[k].dropped_frames, sizeof(d[k].dropped_frames));
		d[k].dropped_steps = st->recs[k].dropped_steps;
	}
	pthread_mutex_unlock(&st->mu);
	sqlite3_busy_timeout(st->wdb, INS_STORE_WRITER_BUSY_MS);
	if ((rc = store_begin(st, &err)) < 0)
		goto failed;
	if ((rc = write_pending(st, d)) < 0) {
		store_rollback(st);
		goto failed;
	}
	if ((rc = store_commit(st, &err)) < 0)
		goto failed;
	committed(st);
	st->retry_after_us = 0;
	return 0;
failed:
	st->retry_after_us = ins_mono_us() + INS_STORE_RETRY_US;
	return rc;
}

/* ---- thread ------------------------------------------------------------- */

static int prepare_statements(struct ins_store *st, struct ins_error *err)
{
	static const struct {
		size_t off;
		const char *sql;
	} stmts[] = {
		{ offsetof(struct ins_store, store_chunk),
		  "INSERT INTO raw_chunks(session_id, foot, format, n_sensors, n_frames, first_arrival, "
		  "first_seq, first_t_us, last_t_us, last_host_us, data) VALUES (?,?,?,?,?,?,?,?,?,?,?)" },
		{ offsetof(struct ins_store, ins_step),
		  "INSERT INTO steps(session_id, foot, idx, flags, contact_us, toe_off_us, metric_set, metrics) "
		  "VALUES (?,?,?,?,?,?,?,?)" },
		{ offsetof(struct ins_store, upd_counts),
		  "UPDATE sessions SET frames = frames + ?2, steps = steps + ?3 WHERE id = ?1" },
		{ offsetof(struct ins_store, upd_quality),
		  "INSERT INTO session_quality(session_id, foot, frames, seq_gaps, frames_lost, duplicates, "
		  "dropped_frames, dropped_steps) VALUES (?1,?2,?3,?4,?5,?6,?7,?8) "
		  "ON CONFLICT(session_id, foot) DO UPDATE SET frames = ?3, seq_gaps = ?4, frames_lost = ?5, "
		  "duplicates = ?6, dropped_frames = ?7, dropped_steps = ?8" },
		{ offsetof(struct ins_store, store_control),
		  "INSERT INTO session_controls(session_id, arrival, kind, foot, value) VALUES (?,?,?,?,?)" },
		{ offsetof(struct ins_store, finish_session),
		  "UPDATE sessions SET state = 'complete', end_us = ?2, analysed_version = ?3 "
		  "WHERE id = ?1 AND state = 'recording'" },
		{ offsetof(struct ins_store, ins_summary),
		  "INSERT OR REPLACE INTO summaries(session_id, json, computed_us) VALUES (?,?,?)" },
	};

	for (size_t i = 0; i < sizeof(stmts) / sizeof(stmts[0]); i++) {
		sqlite3_stmt **s = (sqlite3_stmt **)((char *)st + stmts[i].off);
		int src = sqlite3_prepare_v3(st->wdb, stmts[i].sql, -1, SQLITE_PREPARE_PERSISTENT, s, NULL);
		if (src != SQLITE_OK) {
			ins_error_msg(err, "%s: preparing statements: %s", st->db_path, sqlite3_errmsg(st->wdb));
			return store_rc_from_sqlite(src);
		}
	}
	return 0;
}

static int ensure_metric_set(struct ins_store *st, struct ins_error *err)
{
	char *names = store_metric_names();
	sqlite3_stmt *q = NULL;
	int src, rc = INS_EIO;

	if (!names) {
		ins_error_msg(err, "out of memory");
		return rc;
	}
	src = sqlite3_prepare_v2(st->wdb, "INSERT INTO metric_sets(names) VALUES (?1) "
				 "ON CONFLICT(names) DO UPDATE SET names = names RETURNING id", -1, &q, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(q, 1, names, -1, SQLITE_STATIC);
	if (src == SQLITE_OK && (src = sqlite3_step(q)) == SQLITE_ROW) {
		st->metric_set_id = sqlite3_column_int64(q, 0);
		rc = 0;
	} else {
		ins_error_msg(err, "%s: recording the metric names: %s", st->db_path, sqlite3_errmsg(st->wdb));
		rc = store_rc_from_sqlite(src);
	}
	sqlite3_finalize(q);
	free(names);
	return rc;
}

static void run_commands(struct ins_store *st, struct store_cmd *cmds)
{
	while (cmds) {
		struct store_cmd *next = cmds->next;
		sqlite3_busy_timeout(st->wdb, INS_STORE_CMD_BUSY_MS);
		cmds->rc = cmds->fn(st, cmds->arg, cmds->err);
		pthread_mutex_lock(&st->mu);
		cmds->done = 1;
		pthread_cond_broadcast(&st->done);
		pthread_mutex_unlock(&st->mu);
		cmds = next;
	}
}

static void wait_for_work(struct ins_store *st)
{
	struct timespec ts;

	if (st->stopping || st->in.len || st->cmd_head)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += INS_STORE_TICK_MS * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	st->writer_sleeping = 1;
	pthread_cond_timedwait(&st->wake, &st->mu, &ts);
	st->writer_sleeping = 0;
}

static void stop_all_recordings(struct ins_store *st)
{
	int64_t now = ins_realtime_us();

	pthread_mutex_lock(&st->mu);
	for (unsigned k = 0; k < INS_STORE_MAX_RECORDING; k++) {
		struct rec *r = &st->recs[k];
		if (r->used && !r->stop_pending) {
			r->accepting = 0;
			r->stop_pending = 1;
			r->end_us = now;
		}
	}
	pthread_mutex_unlock(&st->mu);
}

static void final_flush(struct ins_store *st)
{
	stop_all_recordings(st);
	for (int i = 0; i < CLOSE_ATTEMPTS; i++) {
		if (store_flush(st) == 0)
			return;
		struct timespec ts = { .tv_sec = INS_STORE_RETRY_US / 1000000, .tv_nsec = 0 };
		nanosleep(&ts, NULL);
	}
	pthread_mutex_lock(&st->mu);
	ins_err("%s: closing with %zu frames and %zu steps that could not be written (%s); "
		"their sessions will show as interrupted", st->db_path, st->queued_frames, st->queued_steps,
		st->stats.last_error);
	pthread_mutex_unlock(&st->mu);
}

static void *writer_main(void *arg)
{
	struct ins_store *st = arg;

	pthread_mutex_lock(&st->mu);
	for (;;) {
		struct qbuf tmp;
		struct store_cmd *cmds;
		int stopping;

		wait_for_work(st);
		tmp = st->out;
		st->out = st->in;
		st->in = tmp;
		cmds = st->cmd_head;
		st->cmd_head = st->cmd_tail = NULL;
		stopping = st->stopping;
		/* Commit early when half the bound waits: producers at high rates
		 * then never run into a queue that is full of committable data. */
		int half_full = st->queued_frames >= st->capacity / 2 || st->queued_steps >= INS_STORE_QUEUE_STEPS / 2;
		pthread_mutex_unlock(&st->mu);

		take_items(st);
		int64_t now = ins_mono_us();
		if (cmds || (now >= st->next_commit_us && now >= st->retry_after_us) ||
		    ((half_full || pending_bytes(st) >= FLUSH_BYTES) && now >= st->retry_after_us))
			store_flush(st);
		run_commands(st, cmds);
		if (stopping) {
			pthread_mutex_lock(&st->mu);
			int empty = st->in.len == 0 && !st->cmd_head;
			pthread_mutex_unlock(&st->mu);
			if (empty) {
				final_flush(st);
				return NULL;
			}
		}
		pthread_mutex_lock(&st->mu);
	}
}

int store_writer_prepare(struct ins_store *st, struct ins_error *err)
{
	int rc;

	if ((rc = prepare_statements(st, err)) < 0 || (rc = ensure_metric_set(st, err)) < 0)
		return rc;
	return 0;
}

int store_writer_start(struct ins_store *st, struct ins_error *err)
{
	st->next_commit_us = ins_mono_us() + INS_STORE_COMMIT_INTERVAL_US;
	if (pthread_create(&st->thread, NULL, writer_main, st) != 0) {
		ins_error_msg(err, "cannot start the database writer thread: %s", strerror(errno));
		return INS_EIO;
	}
	st->thread_started = 1;
	return 0;
}

void store_writer_stop(struct ins_store *st)
{
	if (!st->thread_started)
		return;
	pthread_mutex_lock(&st->mu);
	st->stopping = 1;
	pthread_cond_signal(&st->wake);
	pthread_mutex_unlock(&st->mu);
	pthread_join(st->thread, NULL);
	st->thread_started = 0;
	for (unsigned k = 0; k < INS_STORE_MAX_RECORDING; k++)
		if (st->recs[k].used)
			free_rec(&st->recs[k]);
	for (size_t i = 0; i < st->n_pchunks; i++)
		free(st->pchunks[i].data);
	st->n_pchunks = 0;
}

int store_call(struct ins_store *st, store_cmd_fn fn, void *arg, struct ins_error *err)
{
	struct store_cmd cmd = { .fn = fn, .arg = arg, .err = err };

	pthread_mutex_lock(&st->mu);
	if (st->stopping || !st->thread_started) {
		pthread_mutex_unlock(&st->mu);
		ins_error_msg(err, "the database is closing");
		return INS_EBUSY;
	}
	if (st->cmd_tail)
		st->cmd_tail->next = &cmd;
	else
		st->cmd_head = &cmd;
	st->cmd_tail = &cmd;
	pthread_cond_signal(&st->wake);
	while (!cmd.done)
		pthread_cond_wait(&st->done, &st->mu);
	pthread_mutex_unlock(&st->mu);
	return cmd.rc;
}
