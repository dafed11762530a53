/* Store lifetime, the producers' side of the queue, and status. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "insoled/assert.h"
#include "insoled/clock.h"
#include "insoled/grow.h"
#include "store_priv.h"

#define LOG_PREFIX "store"

static void store_free(struct ins_store *st)
{
	sqlite3_stmt **stmts[] = { &st->store_chunk, &st->ins_step, &st->upd_counts, &st->upd_quality,
				   &st->store_control, &st->finish_session, &st->ins_summary };

	for (size_t i = 0; i < sizeof(stmts) / sizeof(stmts[0]); i++)
		sqlite3_finalize(*stmts[i]);
	store_readers_free(st);
	pthread_mutex_destroy(&st->readers_lock);
	if (st->wdb && sqlite3_close(st->wdb) != SQLITE_OK)
		ins_err("%s: closing: %s", st->db_path, sqlite3_errmsg(st->wdb));
	pthread_mutex_destroy(&st->mu);
	pthread_cond_destroy(&st->wake);
	pthread_cond_destroy(&st->done);
	free(st->in.data);
	free(st->out.data);
	free(st->pchunks);
	free(st->psteps);
	free(st->pcontrols);
	free(st->db_path);
	free(st->sql_dir);
	free(st->layout_dir);
	store_unlock(st->lock_fd);
	free(st);
}

static int open_writer_connection(struct ins_store *st, struct ins_error *err)
{
	static const char *const pragmas[] = {
		"PRAGMA journal_mode = WAL",
		"PRAGMA synchronous = NORMAL",
		"PRAGMA foreign_keys = ON",
		/* After a backlog (a disk that was full, a long export holding a
		 * snapshot) the WAL is cut back to 64 MiB instead of keeping its peak. */
		"PRAGMA journal_size_limit = 67108864",
		/* The writer appends: the right edge of each table and index and
		 * the pages of the chunk being written are all it touches again,
		 * so SQLite's 2 MiB default cache would only keep pages of blobs
		 * already written (raw chunks of a dense insole fill it within
		 * seconds).  Dirty pages past it spill to the WAL, as a commit
		 * would write them. */
		("PRAGMA cache_size = -" STORE_STR(INS_STORE_WRITER_CACHE_KIB)),
	};
	int src = sqlite3_open_v2(st->db_path, &st->wdb,
				  SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);

	if (src != SQLITE_OK) {
		ins_error_msg(err, "%s: cannot open: %s", st->db_path,
			 st->wdb ? sqlite3_errmsg(st->wdb) : sqlite3_errstr(src));
		return store_rc_from_sqlite(src);
	}
	sqlite3_extended_result_codes(st->wdb, 1);
	sqlite3_busy_timeout(st->wdb, INS_STORE_CMD_BUSY_MS);
	for (size_t i = 0; i < sizeof(pragmas) / sizeof(pragmas[0]); i++) {
		int rc = store_exec(st->wdb, pragmas[i], err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int set_max_pages(sqlite3 *db, int64_t bytes, struct ins_error *err)
{
	char sql[96];
	sqlite3_stmt *q = NULL;
	int64_t page_size = 4096;
	/* SQLite's own default ceiling (SQLITE_MAX_PAGE_COUNT before 3.45). */
	const int64_t unlimited = 1073741823;

	if (bytes < 0) {
		ins_error_field(err, "max_db_bytes", "max_db_bytes: must not be negative");
		return INS_EINVAL;
	}
	if (sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
		page_size = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	/* PRAGMA takes no bound parameters; the value is an integer we computed. */
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld",
		 (long long)(bytes ? (bytes + page_size - 1) / page_size : unlimited));
	return store_exec(db, sql, err);
}

struct ins_store *ins_store_open(const struct ins_store_config *cfg, struct ins_error *err)
{
	struct ins_store *st = NULL;
	int max_version, rc, lock_fd;

	if (!cfg || !cfg->db_path || !*cfg->db_path || !cfg->sql_dir) {
		ins_error_msg(err, "store: db_path and sql_dir are required");
		return NULL;
	}
	max_version = store_schema_max_version(cfg->sql_dir, err);
	if (max_version < 0)
		return NULL;
	/* Locked before anything touches the file: moving a corrupt database
	 * aside or marking sessions interrupted is the owner's business. */
	lock_fd = store_lock(cfg->db_path, err);
	if (lock_fd < 0)
		return NULL;
	if (store_prepare_file(cfg, max_version, err) < 0) {
		store_unlock(lock_fd);
		return NULL;
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		ins_error_msg(err, "store: out of memory");
		store_unlock(lock_fd);
		return NULL;
	}
	st->lock_fd = lock_fd;
	pthread_mutex_init(&st->mu, NULL);
	pthread_mutex_init(&st->readers_lock, NULL);
	pthread_cond_init(&st->wake, NULL);
	pthread_cond_init(&st->done, NULL);
	st->db_path = strdup(cfg->db_path);
	st->sql_dir = strdup(cfg->sql_dir);
	st->layout_dir = strdup(cfg->layout_dir ? cfg->layout_dir : "");
	st->capacity = cfg->queue_frames ? cfg->queue_frames : INS_STORE_QUEUE_FRAMES_DEFAULT;
	st->stats.queue_capacity = st->capacity;
	st->stats.healthy = 1;
	if (!st->db_path || !st->sql_dir || !st->layout_dir) {
		ins_error_msg(err, "store: out of memory");
		goto fail;
	}
	if (open_writer_connection(st, err) < 0 || store_migrate(st, err) < 0)
		goto fail;
	if (cfg->max_db_bytes && set_max_pages(st->wdb, cfg->max_db_bytes, err) < 0)
		goto fail;
	if (store_writer_prepare(st, err) < 0 || store_mark_interrupted(st, err) < 0)
		goto fail;
	if ((rc = store_writer_start(st, err)) < 0)
		goto fail;
	ins_info("%s: open, schema version %d", st->db_path, st->schema_version);
	return st;
fail:
	store_free(st);
	return NULL;
}

void ins_store_close(struct ins_store *st)
{
	if (!st)
		return;
	store_writer_stop(st);
	store_free(st);
}

/* ---- producers ------------------------------------------------------------ */

static int qbuf_reserve(struct qbuf *q, size_t more)
{
	return ins_grow((void **)&q->data, &q->cap, q->len, more, 1, 1u << 16);
}

static size_t item_size(size_t payload)
{
	return (sizeof(struct qitem) + payload + 7) & ~(size_t)7;
}

/* Under st->mu: the recording session's slot, or NULL. */
static struct rec *accepting_rec(struct ins_store *st, int64_t session_id)
{
	ins_assert_locked(&st->mu);
	if (st->stopping)
		return NULL;
	for (unsigned i = 0; i < INS_STORE_MAX_RECORDING; i++)
		if (st->recs[i].used && st->recs[i].accepting && st->recs[i].id == session_id)
			return &st->recs[i];
	return NULL;
}

/* Locks the producers' side of the queue (st->mu) and returns the session's
 * record, or NULL when it is not recording; the lock is held either way. */
static struct rec *lock_recording(struct ins_store *st, int64_t session_id)
{
	pthread_mutex_lock(&st->mu);
	return accepting_rec(st, session_id);
}

static struct qitem *append_item(struct ins_store *st, uint8_t type, int64_t session_id, size_t payload)
{
	size_t size = item_size(payload);
	struct qitem *it;

	if (qbuf_reserve(&st->in, size) < 0)
		return NULL;
	it = (struct qitem *)(st->in.data + st->in.len);
	memset(it, 0, sizeof(*it));
	it->type = type;
	it->size = (uint32_t)size;
	it->session_id = session_id;
	st->in.len += size;
	return it;
}

/* A producer wakes the writer early once this many frames wait, so bursts
 * (imports, benchmarks, dense insoles) do not pile up for a whole tick. */
#define WAKE_FRAMES 2048

static void maybe_wake(struct ins_store *st)
{
	if (st->writer_sleeping && (st->in.frames >= WAKE_FRAMES || st->queued_frames >= st->capacity / 2))
		pthread_cond_signal(&st->wake);
}

int ins_store_put_frame(struct ins_store *st, int64_t session_id, const struct ins_frame *frame)
{
	struct rec *r;
	struct qitem *it;
	int rc = INS_OK;

	if (!frame || frame->foot >= INS_FOOT_COUNT || frame->n == 0 || frame->n > INS_MAX_SENSORS || !frame->values)
		return INS_EINVAL;
	if (!(r = lock_recording(st, session_id))) {
		rc = INS_EINVAL;
		goto out;
	}
	if (st->queued_frames >= st->capacity ||
	    !(it = append_item(st, QITEM_FRAME, session_id, (size_t)frame->n * sizeof(uint16_t)))) {
		st->stats.frames_dropped++;
		r->dropped_frames[frame->foot]++;
		rc = INS_EFULL;
		goto out;
	}
	it->foot = frame->foot;
	it->n = frame->n;
	it->seq = frame->seq;
	it->t_dev = frame->t_dev;
	it->t_us = frame->t_us;
	it->host_us = frame->host_us;
	memcpy(it + 1, frame->values, (size_t)frame->n * sizeof(uint16_t));
	st->in.frames++;
	st->queued_frames++;
	st->stats.frames_queued++;
	maybe_wake(st);
out:
	pthread_mutex_unlock(&st->mu);
	return rc;
}

int ins_store_put_step(struct ins_store *st, int64_t session_id, const struct ins_step *step)
{
	struct rec *r;
	struct qitem *it;
	int rc = INS_OK;

	if (!step || step->foot >= INS_FOOT_COUNT)
		return INS_EINVAL;
	if (!(r = lock_recording(st, session_id))) {
		rc = INS_EINVAL;
		goto out;
	}
	if (st->queued_steps >= INS_STORE_QUEUE_STEPS ||
	    !(it = append_item(st, QITEM_STEP, session_id, sizeof(*step)))) {
		st->stats.steps_dropped++;
		r->dropped_steps++;
		rc = INS_EFULL;
		goto out;
	}
	it->foot = step->foot;
	memcpy(it + 1, step, sizeof(*step));
	st->in.steps++;
	st->queued_steps++;
out:
	pthread_mutex_unlock(&st->mu);
	return rc;
}

int ins_store_put_control(struct ins_store *st, int64_t session_id, enum ins_store_control kind,
			  unsigned foot, double body_weight_n)
{
	struct qitem *it;
	int rc = INS_OK;

	if ((kind != INS_STORE_CONTROL_TARE && kind != INS_STORE_CONTROL_BODY_WEIGHT) ||
	    (kind == INS_STORE_CONTROL_TARE && foot >= INS_FOOT_COUNT))
		return INS_EINVAL;
	if (!lock_recording(st, session_id)) {
		rc = INS_EINVAL;
	} else if (!(it = append_item(st, QITEM_CONTROL, session_id, 0))) {
		rc = INS_EFULL;
	} else {
		it->n = (uint16_t)kind;
		it->foot = (uint8_t)(kind == INS_STORE_CONTROL_TARE ? foot : 0);
		it->value = body_weight_n;
	}
	pthread_mutex_unlock(&st->mu);
	return rc;
}

/* ---- status --------------------------------------------------------------- */

static int64_t file_size(const char *path, const char *suffix)
{
	char p[4200];
	struct stat sb;

	snprintf(p, sizeof(p), "%s%s", path, suffix);
	return stat(p, &sb) == 0 ? (int64_t)sb.st_size : 0;
}

static int64_t writer_cpu_us(struct ins_store *st)
{
	clockid_t cid;
	struct timespec ts;

	if (!st->thread_started || pthread_getcpuclockid(st->thread, &cid) != 0 || clock_gettime(cid, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void ins_store_get_stats(struct ins_store *st, struct ins_store_stats *out)
{
	pthread_mutex_lock(&st->mu);
	*out = st->stats;
	out->queue_depth = st->queued_frames;
	out->queue_capacity = st->capacity;
	pthread_mutex_unlock(&st->mu);
	out->db_bytes = file_size(st->db_path, "") + file_size(st->db_path, "-wal");
	out->writer_cpu_us = writer_cpu_us(st);
}

json_t *ins_store_status_json(struct ins_store *st)
{
	struct ins_store_stats s;

	memset(&s, 0, sizeof(s));
	ins_store_get_stats(st, &s);
	return json_pack("{s:b,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:s}",
			 "healthy", s.healthy, "db_bytes", (json_int_t)s.db_bytes,
			 "last_commit_us", (json_int_t)s.last_commit_us,
			 "frames_queued", (json_int_t)s.frames_queued, "frames_written", (json_int_t)s.frames_written,
			 "frames_dropped", (json_int_t)s.frames_dropped, "steps_written", (json_int_t)s.steps_written,
			 "steps_dropped", (json_int_t)s.steps_dropped, "write_errors", (json_int_t)s.write_errors,
			 "commits", (json_int_t)s.commits, "queue_depth", (json_int_t)s.queue_depth,
			 "queue_capacity", (json_int_t)s.queue_capacity, "last_error", s.last_error);
}

struct max_bytes_arg {
	int64_t bytes;
};

static int cmd_set_max_bytes(struct ins_store *st, void *arg, struct ins_error *err)
{
	const struct max_bytes_arg *a = arg;
	int rc = set_max_pages(st->wdb, a->bytes, err);

	if (rc == 0)
		st->retry_after_us = 0; /* the cause may be gone: try again now */
	return rc;
}

int ins_store_set_max_db_bytes(struct ins_store *st, int64_t bytes, struct ins_error *err)
{
	struct max_bytes_arg a = { bytes };

	return store_call(st, cmd_set_max_bytes, &a, err);
}
