/* What the two files of the live module share: the live state, whose
 * publishers (live.c) render and swap under live->lock, and the SSE event
 * ring (ring.c) they append to and cursors read from. */
#ifndef INSOLED_LIVE_PRIV_H
#define INSOLED_LIVE_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "insoled/analysis.h"
#include "insoled/live.h"
#include "insoled/log.h"

struct live_text_blob {
	atomic_uint refs;
	size_t len;
	char data[];
};
struct record_desc {
	uint64_t id;
	uint64_t off;  /* absolute byte offset of the record's first byte */
	uint32_t len;
};

struct live_foot {
	int present;
	/* Render state: used only by publishers, under render_lock. */
	pthread_mutex_t render_lock;
	struct ins_heatmap *hm;
	unsigned w, h;
	float cell_mm, x0_mm, y0_mm;
	float *cells;
	unsigned n_sparse;        /* sparse layouts: sensors streamed beside the cells; 0 for grids */
	unsigned n_sensors;
	const char *units;        /* ins_layout_units() */
	/* The latest decimated frame not yet rendered: with no SSE client
	 * nobody reads frame events, so the JSON is built only when GET
	 * /api/live asks for it. */
	int pending;
	struct ins_frame_metrics pending_m;
	float *pending_kpa;
	int64_t next_emit_mono_us;
	int emitted_once;
	/* Shared, under live->lock: latest FOOT JSON text. */
	char *json;
	size_t json_len;
	int64_t t_us;
};

struct ins_live {
	double display_hz;
	int64_t frame_period_us;
	size_t step_history;

	pthread_mutex_t lock;
	pthread_cond_t cond;     /* signalled on every new event, for ins_live_wait */

	struct live_foot foot[INS_FOOT_COUNT];

	/* step texts, ring of step_history, oldest at step_first */
	char **step_json;
	size_t *step_len;
	size_t step_count, step_first;

	int64_t recording_id;
	/* Bumped (under lock) whenever snapshot content changes; read without
	 * the lock so cached GETs never contend with publishers. */
	atomic_uint_fast64_t gen;

	/* SSE ring */
	char *ring;
	size_t ring_size;
	uint64_t head;           /* absolute bytes written */
	struct record_desc *desc;
	size_t desc_cap;
	uint64_t base_id, first_id, next_id;

	/* snapshot cache, one slot per requested step count */
	pthread_mutex_t cache_lock;
	struct live_text_blob **cache;
	uint64_t *cache_gen;

	atomic_uint_fast64_t frames_published;
	/* SSE cursors open; read without the lock by publishers, which
	 * render frame events only while someone listens. */
	atomic_uint_fast64_t clients;
	uint64_t clients_dropped;
	struct ins_ratelimit rl_big;
};

struct ins_live_cursor {
	struct ins_live *live;
	uint64_t id;             /* next record to send */
	uint32_t in_record;      /* bytes of that record already sent */
	int dropped;
};

/* Appends one SSE record (id, event type, data lines); returns its id, or 0
 * when it is too large for the ring.  Caller holds live->lock. */
uint64_t live_ring_append(struct ins_live *live, const char *type, const char *data, size_t n);

#endif
