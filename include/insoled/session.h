/* Offline work on recorded sessions (docs/storage.md): re-analysis of the
 * raw archive with the current code, heatmaps and curves from a replay,
 * streamed exports and imports of recording files.  Runs the analysis
 * engine over what the store keeps; the store itself only persists.
 * Implemented in daemon/session/. */
#ifndef INSOLED_SESSION_H
#define INSOLED_SESSION_H

#pragma GCC visibility push(default)

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "insoled/import.h"
#include "insoled/store.h"

/* Recompute steps and summary from the raw archive with the current code. */
int ins_store_session_reanalyze(struct ins_store *st, int64_t session_id, struct ins_error *err);
/* What the reader did to a file's samples to read them in order, per foot
 * (ins_import_info): samples the file holds out of time order, put back in
 * order, and samples it holds twice, read once.  Reported with an import;
 * the session keeps them as a sentence in front of its notes ("Imported
 * with repairs: ..."). */
struct ins_session_import_counts {
	unsigned long reordered[INS_FOOT_COUNT];
	unsigned long repeated[INS_FOOT_COUNT];
	/* how the analysis's values agree with those the file states itself
	 * (ins_import_agreement_json(): docs/import.md, "The file's own values") */
	struct ins_import_agreement agree[INS_FOOT_COUNT][INS_REF_COUNT];
	/* ... and its gait events with the file's own, when it marks any */
	struct ins_import_event_agreement events[INS_FOOT_COUNT][INS_IMPORT_EVENT_KINDS];
	int start_from_file;   /* 0: the file gives no recording date, the session is dated when imported */
};

/* Create a complete session from a recording file (formats of --analyze).
 * A file that turns bad after good frames (cut short, a damaged row) gives
 * the session of the frames before it: 0 with err->msg saying what stopped
 * the reader (also added to the session's notes); err->msg is empty after
 * a whole file.  A file without a good frame is refused (INS_EINVAL).
 * A recording a session already holds (the same content fingerprint,
 * ins_import_fingerprint) is refused with INS_ECONFLICT, err naming that
 * session (field "duplicate") and *session_id set to it, and nothing is
 * written, unless meta->allow_duplicate; the new session keeps the
 * fingerprint and the time of the import.  counts (may be NULL) is filled
 * when the session is stored (0). */
int ins_store_session_import(struct ins_store *st, const char *path, const struct ins_session_meta *meta,
			     int64_t *session_id, struct ins_session_import_counts *counts, struct ins_error *err);

/* 1 when a session's notes begin with the notices of an import (as
 * ins_store_session_import() writes them) and one says the session is
 * dated when it was imported: its file gave no recording date, so its
 * start is not the walk's. */
int ins_session_notes_undated(const char *notes);

/* kind: "peak" or "mean" (mean over stance); {"w":..,"h":..,"cell_mm":..,"cells":[..null..]} */
json_t *ins_store_session_heatmap(struct ins_store *st, int64_t session_id, unsigned foot, const char *kind,
				  int *rc, struct ins_error *err);
/* Stance-normalised force and CoP curves, mean and SD per foot, from a replay
 * of the raw archive: ins_curves_json() (curves.h). */
json_t *ins_store_session_curves(struct ins_store *st, int64_t session_id, int *rc, struct ins_error *err);
/* One foot's frames for playback, from a replay of the raw archive:
 * {"foot", "every", "frames_recorded", "frames": [{"t_us", "force_n",
 * "cop_x_mm", "cop_y_mm", "in_stance", "kpa": [...]}], "steps": [{"index",
 * "contact_us", "toe_off_us", "flags"}]}, every `every`-th frame kept so
 * the answer stays bounded.  ENOTFOUND without frames of that foot. */
json_t *ins_store_session_frames(struct ins_store *st, int64_t session_id, unsigned foot, int *rc, struct ins_error *err);

/* ---- streamed exports ----------------------------------------------------
 * Pull-based so an HTTP server can stream without loading the session:
 * read() fills up to max bytes, returns the count, 0 at the end, -1 on error. */
enum ins_export_kind {
	INS_EXPORT_FRAMES_CSV,        /* docs/import.md "insoled frames export", units kPa (calibrated) */
	INS_EXPORT_STEPS_CSV,         /* ins_step_csv_header/row */
	INS_EXPORT_SUMMARY_JSON,      /* SESSION with "summary" */
	INS_EXPORT_FRAMES_COUNTS_CSV, /* the same format with units counts and the calibration: lossless */
	INS_EXPORT_FRAME_METRICS_CSV  /* per foot-frame total force, CoP, contact area, peak, stance, events */
};
struct ins_export;
struct ins_export *ins_store_export_open(struct ins_store *st, int64_t session_id, enum ins_export_kind kind,
					 int *rc, struct ins_error *err);
ssize_t ins_store_export_read(struct ins_export *ex, char *buf, size_t max);
void ins_store_export_close(struct ins_export *ex);

#pragma GCC visibility pop

#endif
