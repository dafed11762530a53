/* Shared by the files of the session layer only: replay of a session's raw archive through the
 * analysis (replay.c). */
#ifndef INSOLED_SESSION_PRIV_H
#define INSOLED_SESSION_PRIV_H

#include "../store/store_priv.h"
#include "insoled/session.h"

/* Session text fields replay reads along, for export headers. */
enum { REPLAY_STATE, REPLAY_SUBJECT, REPLAY_FOOTWEAR, REPLAY_NOTES, REPLAY_SOFTWARE, REPLAY_TEXT_COUNT };

struct session_replay_frame {
	unsigned foot;
	struct store_chunk_frame cf;   /* seq, device and host times, arrival */
	uint16_t n;
	int is_float;                /* values are float kPa (imported) rather than counts */
	const uint16_t *counts;
	const float *floats;
	struct ins_frame_metrics metrics;
	const float *kpa;            /* calibrated pressures, n values */
	double body_weight_now_n;    /* in force at this frame: the session's, then each recorded change */
	/* the session, for headers */
	const struct ins_layout *layout[INS_FOOT_COUNT];
	const struct ins_calib_curve *calib[INS_FOOT_COUNT];
	char layout_name[INS_FOOT_COUNT][64];
	double body_weight_n;
	int64_t start_us;
	const char *text[REPLAY_TEXT_COUNT];
	uint16_t counts_copy[INS_MAX_SENSORS];
	float floats_copy[INS_MAX_SENSORS];
};

struct session_replay;
/* db stays the caller's: run the replay inside one read transaction so it
 * sees one consistent snapshot. */
int session_replay_open(struct ins_store *st, sqlite3 *db, int64_t session_id, struct session_replay **out,
		      struct ins_error *err);
/* 1 with *out = the next frame fed to the analysis (steps may be pending:
 * ins_analysis_next_step(session_replay_analysis(rp), ...)), 0 at the end,
 * negative on error.  Frames that do not fit the session's layout are
 * skipped and counted. */
int session_replay_next(struct session_replay *rp, const struct session_replay_frame **out, struct ins_error *err);
struct ins_analysis *session_replay_analysis(struct session_replay *rp);
/* The foot's layout as the session recorded it; NULL for a foot without one. */
const struct ins_layout *session_replay_layout(const struct session_replay *rp, unsigned foot);
/* The session part of the frame record (layouts, texts), valid from open on. */
const struct session_replay_frame *session_replay_info(const struct session_replay *rp);
uint64_t session_replay_skipped(const struct session_replay *rp);
void session_replay_free(struct session_replay *rp);

#endif
