/* Private to daemon/store: the store object shared by the writer thread,
 * the producers (analysis thread) and the query callers (HTTP threads). */
#ifndef INSOLED_STORE_PRIV_H
#define INSOLED_STORE_PRIV_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>

#include "insoled/analysis.h"
#include "insoled/log.h"
#include "insoled/store.h"

#include "chunk.h"

/* The writer wakes at least this often to look at its queue: short enough
 * that a commit happens close to its interval, long enough to cost nothing. */
#define INS_STORE_TICK_MS 50
/* SQLite page cache of the writer connection, in KiB (store.c says why). */
#define INS_STORE_WRITER_CACHE_KIB 256
/* ...and of each pooled reader: a query reads a session's chunks once,
 * in order; what it reads again (the sessions and steps tables, indexes)
 * is small. */
#define INS_STORE_READER_CACHE_KIB 512
#define STORE_STR_(x) #x
#define STORE_STR(x) STORE_STR_(x)
/* Batched transactions: at most this long between commits while data is
 * queued.  It is also the length of a raw chunk, and it bounds what a crash
 * (kill -9, power loss) can lose: well under the ~1 s the issue allows. */
#define INS_STORE_COMMIT_INTERVAL_US 500000
/* After a failed write (busy, locked, disk full) wait this long before the
 * next attempt, so a full disk is not hammered 20 times a second. */
#define INS_STORE_RETRY_US 1000000
/* Default queue bound: 60 s of a pair at 200 Hz, so a database locked or a
 * disk full for a minute loses nothing. */
#define INS_STORE_QUEUE_FRAMES_DEFAULT 24000
/* Steps are ~2 per second per foot: this is over half an hour of them. */
#define INS_STORE_QUEUE_STEPS 8192
/* Sessions recording at once (one per device pair in practice). */
#define INS_STORE_MAX_RECORDING 8
/* A chunk is sealed early past this size so one blob stays small enough to
 * stream and to hold in memory twice (dense insoles at high rates). */
#define INS_STORE_CHUNK_MAX_BYTES (1u << 20)
/* Busy waits on the write connection: the writer keeps its loop short so it
 * keeps taking frames; a command (session start...) waits longer because a
 * person is waiting for its answer. */
#define INS_STORE_WRITER_BUSY_MS 100
#define INS_STORE_CMD_BUSY_MS 2000
/* Readers wait this long for a lock (only needed during WAL recovery). */
#define INS_STORE_READER_BUSY_MS 5000
/* Idle read connections kept open: one per HTTP thread and background job
 * is plenty; opening one per query (and parsing the schema again) capped
 * GET /api/sessions at a few thousand a second. */
#define INS_STORE_READER_POOL 8
/* Text limits, in bytes of UTF-8.  Long enough for any real label or clinical
 * note, short enough that a runaway client cannot fill the disk. */
#define INS_STORE_LABEL_MAX 256
#define INS_STORE_NOTES_MAX 65536
#define INS_STORE_DEVICES_MAX 4096
/* The calibration a session records is as large as its layouts make it,
 * and no client writes it: the limit is the largest any layout can make.
 * A curve's JSON (store_calib_curve_json(), 17 significant digits) is at
 * most 913 bytes: a table's 109 bytes of names and punctuation, a
 * saturation of 5 digits, a zero and 16 kPa values of at most 23 bytes
 * ("1.2345678901234567e-300": never negative) and a gain and 16 counts of
 * at most 24 ("-1.2345678901234567e-300").  Two feet of INS_MAX_SENSORS
 * such curves with their commas, and the object around them: 8.4 MB. */
#define INS_STORE_CURVE_JSON_MAX 1024
#define INS_STORE_CALIB_MAX (INS_FOOT_COUNT * INS_MAX_SENSORS * (INS_STORE_CURVE_JSON_MAX + 1) + 64)
/* Paging of session lists. */
#define INS_STORE_LIST_DEFAULT 50
#define INS_STORE_LIST_MAX 500

/* Item in the producer queue: header followed by payload, 8-byte aligned. */
enum qitem_type { QITEM_FRAME = 1, QITEM_STEP, QITEM_CONTROL };
struct qitem {
	uint8_t type;
	uint8_t foot;
	uint16_t n;
	uint32_t size;           /* header + payload, aligned */
	uint32_t seq, t_dev;
	int64_t session_id;
	int64_t t_us, host_us;
	double value;            /* control value */
	/* FRAME: n uint16; STEP: struct ins_step; CONTROL: n = enum ins_store_control */
};

struct qbuf {
	uint8_t *data;
	size_t len, cap;
	size_t frames, steps;
};

/* A sealed chunk or step waiting for its commit. */
struct pend_step {
	int64_t session_id;
	struct ins_step step;
};
struct pend_control {
	int64_t session_id;
	int64_t arrival;
	int kind;
	unsigned foot;
	double value;
};

struct foot_quality {
	uint64_t frames, seq_gaps, frames_lost, duplicates;
	int have_seq;
	uint32_t last_seq;
};

/* A session being recorded. */
struct rec {
	int used;
	int64_t id;
	/* guarded by st->mu: what producers see */
	int accepting;
	uint64_t dropped_frames[INS_FOOT_COUNT], dropped_steps;
	/* writer thread only */
	int stop_pending;
	int64_t end_us;
	int64_t arrival;
	struct store_chunk_enc enc[INS_FOOT_COUNT];
	struct foot_quality q[INS_FOOT_COUNT];
	struct ins_summary_acc *acc;
};

typedef int (*store_cmd_fn)(struct ins_store *st, void *arg, struct ins_error *err);
struct store_cmd {
	struct store_cmd *next;
	store_cmd_fn fn;
	void *arg;
	struct ins_error *err;
	int rc;
	int done;
};

struct ins_store {
	char *db_path, *sql_dir, *layout_dir;
	int schema_version;
	int lock_fd;                /* DB.lock, held while open (lock.c) */

	/* idle read-only connections kept for the next query (db.c) */
	pthread_mutex_t readers_lock;
	sqlite3 *readers[INS_STORE_READER_POOL];
	unsigned n_readers;

	/* writer thread and its connection */
	pthread_t thread;
	int thread_started;
	sqlite3 *wdb;
	sqlite3_stmt *store_chunk, *ins_step, *upd_counts, *upd_quality, *store_control,
		*finish_session, *ins_summary;
	int64_t metric_set_id;
	int64_t max_db_bytes;

	pthread_mutex_t mu;
	pthread_cond_t wake, done;
	int stopping;
	struct qbuf in;                /* producers append here (mu) */
	size_t queued_frames, queued_steps; /* accepted, not yet committed (mu) */
	size_t capacity;
	struct store_cmd *cmd_head, *cmd_tail;
	struct rec recs[INS_STORE_MAX_RECORDING];
	struct ins_store_stats stats;  /* mu */
	int writer_sleeping;

	/* writer thread only */
	struct qbuf out;
	struct pend_chunk *pchunks;
	size_t n_pchunks, cap_pchunks;
	struct pend_step *psteps;
	size_t n_psteps, cap_psteps;
	struct pend_control *pcontrols;
	size_t n_pcontrols, cap_pcontrols;
	int64_t next_commit_us, retry_after_us;
	struct ins_ratelimit err_rl;
};

/* db.c: SQLite connections and their errors */
int store_rc_from_sqlite(int src);
int store_exec(sqlite3 *db, const char *sql, struct ins_error *err);
/* err = "what: SQLite's message"; returns the store code. */
int store_sql_error(int src, sqlite3 *db, const char *what, struct ins_error *err);
int store_reader_open(struct ins_store *st, sqlite3 **db, struct ins_error *err);
/* Gives a connection from store_reader_open back (NULL is fine); it is kept
 * for the next query unless a statement or transaction is still open. */
void store_reader_close(struct ins_store *st, sqlite3 *db);
void store_readers_free(struct ins_store *st);

/* schema.c */
int store_prepare_file(const struct ins_store_config *cfg, int max_version, struct ins_error *err);
/* lock.c: creates the database's directory when missing and takes DB.lock;
 * the fd, or -1 with err naming the pid of the daemon that holds it. */
int store_lock(const char *db_path, struct ins_error *err);
void store_unlock(int fd);
int store_migrate(struct ins_store *st, struct ins_error *err);
int store_schema_max_version(const char *sql_dir, struct ins_error *err);

/* writer.c */
int store_writer_prepare(struct ins_store *st, struct ins_error *err);
int store_writer_start(struct ins_store *st, struct ins_error *err);
void store_writer_stop(struct ins_store *st);
/* Run fn on the writer thread with the write connection and wait for it. */
int store_call(struct ins_store *st, store_cmd_fn fn, void *arg, struct ins_error *err);
/* Writer-thread helpers for commands. */
int store_flush(struct ins_store *st);
int store_bind_step(struct ins_store *st, sqlite3_stmt *s, int64_t session_id, const struct ins_step *step);
/* Binds a sealed chunk to st->store_chunk's 11 parameters (writer batches, imports). */
void store_bind_chunk(sqlite3_stmt *s, int64_t session_id, const struct pend_chunk *pc);
struct rec *store_rec_find(struct ins_store *st, int64_t session_id);
void store_note_error(struct ins_store *st, const char *what, int src, sqlite3 *db);
int store_begin(struct ins_store *st, struct ins_error *err);
int store_commit(struct ins_store *st, struct ins_error *err);
void store_rollback(struct ins_store *st);

/* sessions.c */
int store_mark_interrupted(struct ins_store *st, struct ins_error *err);
int store_write_summary(struct ins_store *st, int64_t session_id, const struct ins_summary *sum);
/* The session's summary from its stored steps through its step selection
 * (selection.c); store_resummarise writes it (writer thread, inside the
 * caller's transaction). */
int store_summary_from_steps(sqlite3 *db, int64_t session_id, struct ins_summary *out, struct ins_error *err);
int store_resummarise(struct ins_store *st, int64_t session_id, struct ins_error *err);
/* Writer thread: ECONFLICT while the session records, else BEGIN. */
int store_begin_stopped(struct ins_store *st, int64_t session_id, struct ins_error *err);

int store_insert_session(struct ins_store *st, const struct ins_session_meta *m, const char *state,
			 const char *source, int64_t start_us, int64_t *session_id, struct ins_error *err);

/* reader helpers (query.c) */
json_t *store_session_row(sqlite3 *db, int64_t id, int *rc, struct ins_error *err);
json_t *store_session_full(sqlite3 *db, int64_t id, int *rc, struct ins_error *err);

/* steps as packed float64 (steps.c) */
void store_pack_metrics(const double *m, uint8_t *out);
struct metric_map {
	int64_t set_id;
	unsigned n_stored;
	int idx[INS_M_COUNT];      /* stored position of each current metric, -1 = not stored */
};
int store_metric_map(sqlite3 *db, int64_t set_id, struct metric_map *map, struct ins_error *err);
int store_unpack_step(sqlite3_stmt *row, int first_col, const struct metric_map *map, struct ins_step *out);
char *store_metric_names(void);
/* Reads steps of a session (ordered by contact) and calls fn for each,
 * termination flags added (ins_step_delay: a foot's step comes once the
 * foot's next one is read). */
int store_each_step(sqlite3 *db, int64_t session_id,
		    int (*fn)(void *ctx, const struct ins_step *step), void *ctx, struct ins_error *err);

/* calib_json.c */
int store_calib_parse(const char *text, const unsigned n_sensors[INS_FOOT_COUNT],
		      struct ins_calib_curve *out[INS_FOOT_COUNT], struct ins_error *err);
json_t *store_calib_curve_json(const struct ins_calib_curve *c);

/* text.c */
int store_check_text(const char *field, const char *s, size_t max, struct ins_error *err);
int store_json_text(const json_t *obj, const char *field, size_t max, const char **out, struct ins_error *err);

#endif
