/* Live state: the latest per-foot heatmap, force, CoP and region loads, the
 * last steps, and the event ring behind the Server-Sent Events stream.
 * Publishers (the analysis thread) never wait on readers: they take a short
 * mutex, copy, and leave; SSE clients that fall behind the ring are dropped.
 * Implemented in daemon/live/. */
#ifndef INSOLED_LIVE_H
#define INSOLED_LIVE_H

#pragma GCC visibility push(default)

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "insoled/analysis.h"
#include "insoled/layout.h"

struct ins_live_config {
	const struct ins_layout *layout[INS_FOOT_COUNT]; /* NULL: foot absent */
	double display_hz;        /* SSE frame rate (default 30) */
	size_t step_history;      /* steps kept for /api/live (default 50) */
	size_t ring_bytes;        /* SSE event ring (default: 5 s of both feet's frame events) */
};

struct ins_live;
struct ins_live *ins_live_new(const struct ins_live_config *cfg, char *err, size_t errlen);
void ins_live_free(struct ins_live *live);

/* From the analysis thread, every frame; decimates to display_hz itself. */
void ins_live_publish_frame(struct ins_live *live, const struct ins_frame_metrics *m, const float *kpa);
void ins_live_publish_step(struct ins_live *live, const struct ins_step *step);
/* Any other event for the stream ("status", "session"...): data is JSON text. */
void ins_live_publish_event(struct ins_live *live, const char *type, const char *data);

/* Snapshot for GET /api/live: per-foot heatmap grid, force, CoP, regions,
 * last steps.  New JSON, caller decrefs. */
json_t *ins_live_snapshot(struct ins_live *live, size_t last_steps);

/* SSE readers.  A cursor starts at the newest event, or just after
 * last_event_id when a browser reconnects (if still in the ring). */
struct ins_live_cursor;
struct ins_live_cursor *ins_live_cursor_open(struct ins_live *live, uint64_t last_event_id);
/* Copies whole "id:/event:/data:" records into buf (a record longer than
 * max is split across reads).  Returns bytes (> 0), 0 when nothing new, -1
 * when the cursor fell out of the ring (slow client: drop it). */
long ins_live_cursor_read(struct ins_live_cursor *c, char *buf, size_t max);
void ins_live_cursor_close(struct ins_live_cursor *c);

struct ins_live_stats { uint64_t events, frames_published, clients, clients_dropped; };
void ins_live_get_stats(struct ins_live *live, struct ins_live_stats *out);

/* ---- the recording and the SSE wake-up ----------------------------------- */

/* The session being recorded (0 = none): shown in snapshots and announced
 * to the stream as a "status" event. */
void ins_live_set_recording(struct ins_live *live, int64_t session_id);

/* Block until an event newer than after_id exists or timeout_ms passes;
 * returns the newest event id (one below the first id before any event;
 * ids start near the wall clock in ms x 1000 and grow by one per event,
 * so a Last-Event-ID from before a restart is never resumed).  For the one thread
 * that wakes suspended SSE connections; publishers only signal. */
uint64_t ins_live_wait(struct ins_live *live, uint64_t after_id, int timeout_ms);

/* GET /api/live as serialized JSON, cached per publish generation so a
 * burst of requests between two publishes shares one text.  Reference
 * counted: release with ins_live_text_unref(). */
struct ins_live_text;
struct ins_live_text *ins_live_snapshot_text(struct ins_live *live, size_t last_steps);
const char *ins_live_text_data(const struct ins_live_text *t, size_t *len);
void ins_live_text_unref(struct ins_live_text *t);

#pragma GCC visibility pop

#endif
