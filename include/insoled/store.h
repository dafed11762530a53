/* Session storage in SQLite (docs/storage.md).  One writer thread owns the
 * write connection and takes work from a bounded queue, so the analysis hot
 * loop never waits on disk; every query runs on its own read-only
 * connection.  Implemented in daemon/store/. */
#ifndef INSOLED_STORE_H
#define INSOLED_STORE_H

#pragma GCC visibility push(default)

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "insoled/analysis.h"
#include "insoled/frame.h"
#include "insoled/result.h"

/* Functions return INS_OK or an enum ins_rc code (result.h) and fill a
 * struct ins_error; INS_EINVAL names the member at fault in its field. */
struct ins_store_config {
	const char *db_path;
	const char *sql_dir;        /* schema and migrations (sql/) */
	const char *layout_dir;     /* to re-analyse with the session's layout */
	int refuse_corrupt;         /* 1: refuse to start on a corrupt file instead of moving it aside */
	size_t queue_frames;        /* writer queue bound, in frames (0 = default) */
	int64_t max_db_bytes;       /* cap on the database size, 0 = none (beyond it writes fail
				     * as on a full disk and data waits in the queue) */
};

struct ins_store;

struct ins_store *ins_store_open(const struct ins_store_config *cfg, struct ins_error *err);
void ins_store_close(struct ins_store *st); /* drains the queue, marks recording sessions complete */

/* ---- recording (called from the analysis thread; never blocks) ---------- */
int ins_store_put_frame(struct ins_store *st, int64_t session_id, const struct ins_frame *frame);
int ins_store_put_step(struct ins_store *st, int64_t session_id, const struct ins_step *step);
/* A calibration change the pipeline made to its analysis while recording
 * (ins_analysis_tare / ins_analysis_set_body_weight): recorded at its place
 * between frames so re-analysis applies it at the same place. */
enum ins_store_control { INS_STORE_CONTROL_TARE = 1, INS_STORE_CONTROL_BODY_WEIGHT = 2 };
int ins_store_put_control(struct ins_store *st, int64_t session_id, enum ins_store_control kind,
			  unsigned foot, double body_weight_n);

/* ---- sessions ----------------------------------------------------------
 * Text fields are NUL-terminated UTF-8; invalid UTF-8 or over-long text is
 * rejected with INS_EINVAL and err naming the field. */
struct ins_session_meta {
	const char *subject;        /* subject identifier chosen by the clinic; created if new */
	const char *footwear;       /* footwear / insole label */
	const char *notes;
	const char *layout[INS_FOOT_COUNT]; /* layout names, NULL if the foot is absent */
	const char *devices;        /* free text: device paths/ids */
	const char *calibration_json; /* calibration used, as JSON text */
	double body_weight_n;       /* 0 unknown */
	const char *lane;           /* the lane recording it (live sessions); NULL for none */
	/* Imports: the file's name as its owner knows it (an upload's), for the
	 * session's source; NULL: the name of the file read. */
	const char *file_name;
	/* Imports: store the recording even when a session already holds the
	 * same one (ins_store_session_import); 0: refuse it. */
	int allow_duplicate;
};
int ins_store_session_start(struct ins_store *st, const struct ins_session_meta *meta,
			    int64_t *session_id, struct ins_error *err);
int ins_store_session_stop(struct ins_store *st, int64_t session_id, struct ins_error *err);
/* patch: JSON object with any of "subject", "footwear", "notes" */
int ins_store_session_update(struct ins_store *st, int64_t session_id, const json_t *patch,
			     struct ins_error *err);
int ins_store_session_delete(struct ins_store *st, int64_t session_id, struct ins_error *err);
/* The user's step selection of a stopped session (docs/api.md, PUT
 * /api/sessions/ID/selection): {"trim_from_us", "trim_to_us", "steps":
 * [{"foot", "contact_us", "include"}]}, times on the steps' clock; an empty
 * object clears it.  Stored with the session and the summary recomputed from
 * the stored steps in the same transaction.  INS_EINVAL names the bad
 * member, ENOTFOUND, ECONFLICT while recording. */
int ins_store_session_select(struct ins_store *st, int64_t session_id, const json_t *selection, struct ins_error *err);

struct ins_session_filter {
	const char *subject;        /* exact, NULL = any */
	const char *footwear;       /* substring, NULL = any */
	int64_t from_us, to_us;     /* start time range, 0 = open */
	unsigned offset, limit;     /* paging; limit 0 = default */
	const char *lane;           /* exact, NULL = any */
};
/* Queries return new JSON (caller json_decref) or NULL with *rc set. */
json_t *ins_store_session_list(struct ins_store *st, const struct ins_session_filter *f, int *rc,
			       struct ins_error *err);
json_t *ins_store_session_get(struct ins_store *st, int64_t session_id, int *rc, struct ins_error *err); /* metadata + summary */
json_t *ins_store_session_steps(struct ins_store *st, int64_t session_id, int *rc, struct ins_error *err);

/* ---- subjects ------------------------------------------------------------ */
json_t *ins_store_subject_list(struct ins_store *st, int *rc, struct ins_error *err);
/* obj: {"code": "...", "body_weight_kg": .., "notes": ".."} */
int ins_store_subject_create(struct ins_store *st, const json_t *obj, int64_t *subject_id, struct ins_error *err);
int ins_store_subject_update(struct ins_store *st, int64_t subject_id, const json_t *patch, struct ins_error *err);

/* ---- status -------------------------------------------------------------- */
struct ins_store_stats {
	uint64_t frames_queued, frames_written, frames_dropped;
	uint64_t steps_written, steps_dropped;
	uint64_t write_errors, commits;
	size_t queue_depth, queue_capacity;
	int64_t last_commit_us;     /* wall clock */
	int64_t db_bytes;
	int healthy;                /* 0 while writes are failing */
	char last_error[160];
	int64_t writer_cpu_us;      /* CPU time used by the writer thread so far */
};
void ins_store_get_stats(struct ins_store *st, struct ins_store_stats *out);
/* Change the size cap at run time (0 = none); the writer retries at once. */
int ins_store_set_max_db_bytes(struct ins_store *st, int64_t bytes, struct ins_error *err);
/* The stats as JSON, for GET /api/status "database" (docs/api.md). */
json_t *ins_store_status_json(struct ins_store *st);

/* Calibration used by a session, as stored in calibration_json
 * (docs/storage.md): {"left": [CURVE...] | null, "right": ...}, CURVE =
 * {"kind":"linear"|"power"|"table","zero","gain","exponent","saturation",
 * "table_counts":[..],"table_kpa":[..]}.  NULL curves = layout defaults.
 * Returns new text (free()) or NULL. */
char *ins_store_calib_to_json(const struct ins_calib_curve *const calib[INS_FOOT_COUNT],
			      const unsigned n_sensors[INS_FOOT_COUNT]);

#pragma GCC visibility pop

#endif
