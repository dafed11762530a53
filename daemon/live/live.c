/* Live state for GET /api/live, and the publishers that feed it and the
 * SSE event ring (ring.c).
 *
 * Publishers (the analysis thread; HTTP threads for "session" events) render
 * outside any shared lock, then take live->lock only to swap pointers and
 * copy bytes into the ring.  Readers take the same lock only to copy bytes
 * out.  Nothing here ever waits for a reader to make progress: a reader that
 * is too slow is overtaken by the ring and told to go away (-1). */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "insoled/assert.h"
#include "insoled/grow.h"
#include "insoled/analysis_json.h"
#include "insoled/clock.h"
#include "insoled/live.h"
#include "insoled/log.h"
#include "live_priv.h"

#define LOG_PREFIX "live"

#define LIVE_DEFAULT_HZ 30.0           /* what a tablet redraws smoothly */
/* Significant digits of the numbers sent live: all a float holds (frame
 * metrics round-trip exactly) and what `insoled --analyze` prints for
 * steps (ins_step_json_text() writes 9).  jansson's default 17 made the
 * text a seventh longer, bytes that every GET /api/live and SSE client
 * carries at the display rate. */
#define LIVE_REAL_DIGITS 9
#define LIVE_MAX_HZ 200.0              /* above any display; bounds ring churn */
#define LIVE_DEFAULT_STEPS 50          /* the dashboard's step strip */
#define LIVE_MAX_STEPS 1000            /* bounds snapshot size */
/* Default ring: this many seconds of frame events of both feet at the
 * display rate, so a browser that reconnects (retry: 1000) or a client on a
 * slow link resumes without a gap; sized from the layout's own frame size
 * because a fixed size is either too small for dense grids or megabytes of
 * idle memory per lane for sparse ones. */
#define LIVE_RING_BACKLOG_S 5
/* Frame event bytes beside the cells: the metrics object and the heatmap
 * header (measured below 1 KB). */
#define LIVE_FRAME_FIXED_BYTES 1024
/* Bytes per heatmap cell or sensor value: a loaded foot's mix of "0," and
 * "123.4," (fsr16 and grid60x21 events measured at 4.6 KB on average,
 * 5.6 KB at most, for about a thousand values). */
#define LIVE_FRAME_BYTES_PER_VALUE 4
#define LIVE_MIN_RING (64u << 10)      /* must hold a few of the largest records */
/* Descriptor slots per ring byte: small events (steps, status) average a
 * few hundred bytes; when slots run out the oldest records are evicted. */
#define LIVE_BYTES_PER_SLOT 128

struct ins_live_text {
	struct live_text_blob b;
};

/* A growable text buffer owned by one thread at a time. */
/* First size of a text buffer: a step event or a sparse frame fits. */
#define SBUF_FIRST 1024

struct sbuf {
	char *p;
	size_t len, cap;
	int failed;
};

/* ---- small text helpers -------------------------------------------------- */

static void sb_reserve(struct sbuf *b, size_t extra)
{
	/* + 1: the text stays NUL-terminated */
	if (!b->failed && ins_grow((void **)&b->p, &b->cap, b->len, extra + 1, 1, SBUF_FIRST) < 0)
		b->failed = 1;
}

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	sb_reserve(b, n);
	if (b->failed)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		b->failed = 1;
		return;
	}
	sb_add(b, tmp, (size_t)n);
}

/* kPa to one decimal, the display resolution of the heatmap; hand-rolled
 * because printf dominates serializing 1,260-cell grids. */
static void sb_tenths(struct sbuf *b, float v)
{
	char tmp[24];
	char *e = tmp + sizeof(tmp), *p = e;
	long long t;
	int neg;

	if (!isfinite(v) || fabsf(v) > 1e12f) {
		sb_add(b, "null", 4);
		return;
	}
	t = llrintf(v * 10.0f);
	neg = t < 0;
	if (neg)
		t = -t;
	if (t % 10) {
		*--p = (char)('0' + t % 10);
		*--p = '.';
	}
	t /= 10;
	do {
		*--p = (char)('0' + t % 10);
		t /= 10;
	} while (t);
	if (neg)
		*--p = '-';
	sb_add(b, p, (size_t)(e - p));
}

static struct live_text_blob *blob_new(const char *data, size_t len)
{
	struct live_text_blob *bl = malloc(sizeof(*bl) + len + 1);

	if (!bl)
		return NULL;
	atomic_init(&bl->refs, 1);
	bl->len = len;
	memcpy(bl->data, data, len);
	bl->data[len] = '\0';
	return bl;
}

static void blob_unref(struct live_text_blob *bl)
{
	if (bl && atomic_fetch_sub(&bl->refs, 1) == 1)
		free(bl);
}

/* ---- construction -------------------------------------------------------- */

static int foot_init(struct live_foot *f, const struct ins_layout *layout, char *err, size_t errlen)
{
	pthread_mutex_init(&f->render_lock, NULL);
	if (!layout)
		return 0;
	f->hm = ins_heatmap_new(layout, err, errlen);
	if (!f->hm)
		return -1;
	ins_heatmap_size(f->hm, &f->w, &f->h);
	ins_heatmap_geometry(f->hm, &f->cell_mm, &f->x0_mm, &f->y0_mm);
	f->n_sparse = layout->is_grid ? 0 : layout->n_sensors;
	f->n_sensors = layout->n_sensors;
	f->units = ins_layout_units(layout);
	f->cells = calloc((size_t)f->w * f->h + 1, sizeof(float));
	f->pending_kpa = calloc((size_t)f->n_sensors + 1, sizeof(float));
	if (!f->cells || !f->pending_kpa) {
		snprintf(err, errlen, "live: out of memory for a %ux%u heatmap", f->w, f->h);
		return -1;
	}
	f->present = 1;
	return 0;
}

static size_t default_ring_bytes(const struct ins_live *live)
{
	double bytes_per_s = 0;
	size_t ring;

	for (unsigned i = 0; i < INS_FOOT_COUNT; i++) {
		const struct live_foot *f = &live->foot[i];

		if (f->present)
			bytes_per_s += live->display_hz * (LIVE_FRAME_FIXED_BYTES +
				(double)LIVE_FRAME_BYTES_PER_VALUE * ((double)f->w * f->h + f->n_sparse));
	}
	ring = (size_t)(bytes_per_s * LIVE_RING_BACKLOG_S);
	return ring > LIVE_MIN_RING ? ring : LIVE_MIN_RING;
}

struct ins_live *ins_live_new(const struct ins_live_config *cfg, char *err, size_t errlen)
{
	struct ins_live *live = calloc(1, sizeof(*live));
	pthread_condattr_t ca;
	size_t slots;

	if (!live) {
		snprintf(err, errlen, "live: out of memory");
		return NULL;
	}
	pthread_mutex_init(&live->lock, NULL);
	pthread_mutex_init(&live->cache_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&live->cond, &ca);
	pthread_condattr_destroy(&ca);

	live->display_hz = cfg->display_hz > 0 ? cfg->display_hz : LIVE_DEFAULT_HZ;
	if (!(live->display_hz <= LIVE_MAX_HZ)) {
		snprintf(err, errlen, "live: display_hz %g out of range (0..%g]", cfg->display_hz, LIVE_MAX_HZ);
		goto fail;
	}
	live->frame_period_us = (int64_t)(1e6 / live->display_hz);
	live->step_history = cfg->step_history ? cfg->step_history : LIVE_DEFAULT_STEPS;
	if (live->step_history > LIVE_MAX_STEPS) {
		snprintf(err, errlen, "live: step_history %zu above the limit %d", cfg->step_history, LIVE_MAX_STEPS);
		goto fail;
	}
	if (cfg->ring_bytes && cfg->ring_bytes < LIVE_MIN_RING) {
		snprintf(err, errlen, "live: ring_bytes %zu below the minimum %u", cfg->ring_bytes, LIVE_MIN_RING);
		goto fail;
	}
	for (unsigned f = 0; f < INS_FOOT_COUNT; f++)
		if (foot_init(&live->foot[f], cfg->layout[f], err, errlen) < 0)
			goto fail;
	live->ring_size = cfg->ring_bytes ? cfg->ring_bytes : default_ring_bytes(live);

	slots = live->ring_size / LIVE_BYTES_PER_SLOT;
	live->ring = malloc(live->ring_size);
	live->desc = calloc(slots, sizeof(*live->desc));
	live->desc_cap = slots;
	live->step_json = calloc(live->step_history, sizeof(char *));
	live->step_len = calloc(live->step_history, sizeof(size_t));
	live->cache = calloc(live->step_history + 1, sizeof(*live->cache));
	live->cache_gen = calloc(live->step_history + 1, sizeof(uint64_t));
	if (!live->ring || !live->desc || !live->step_json || !live->step_len || !live->cache || !live->cache_gen) {
		snprintf(err, errlen, "live: out of memory for a %zu-byte event ring", live->ring_size);
		goto fail;
	}
	/* Ids start at the wall clock in ms x 1000, so a browser's Last-Event-ID
	 * from before a restart is older than anything in this ring and the
	 * stream starts fresh instead of replaying unrelated events.  Still
	 * below 2^53: exact in JavaScript. */
	live->base_id = live->first_id = live->next_id = (uint64_t)(ins_realtime_us() / 1000) * 1000 + 1;
	atomic_init(&live->gen, 1);
	return live;
fail:
	ins_live_free(live);
	return NULL;
}

void ins_live_free(struct ins_live *live)
{
	if (!live)
		return;
	for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
		ins_heatmap_free(live->foot[f].hm);
		free(live->foot[f].cells);
		free(live->foot[f].pending_kpa);
		free(live->foot[f].json);
		pthread_mutex_destroy(&live->foot[f].render_lock);
	}
	if (live->step_json)
		for (size_t i = 0; i < live->step_history; i++)
			free(live->step_json[i]);
	if (live->cache)
		for (size_t i = 0; i <= live->step_history; i++)
			blob_unref(live->cache[i]);
	free(live->cache);
	free(live->cache_gen);
	free(live->step_json);
	free(live->step_len);
	free(live->ring);
	free(live->desc);
	pthread_mutex_destroy(&live->lock);
	pthread_mutex_destroy(&live->cache_lock);
	pthread_cond_destroy(&live->cond);
	free(live);
}

static void publish_locked_done(struct ins_live *live)
{
	atomic_fetch_add(&live->gen, 1);
	pthread_cond_broadcast(&live->cond);
}

static void refuse_big_event(struct ins_live *live, const char *type, size_t n)
{
	unsigned suppressed = 0;

	if (ins_ratelimit_ok(&live->rl_big, &suppressed))
		ins_warn("%s event of %zu bytes does not fit the %zu-byte ring, not streamed (%u similar suppressed)",
			 type, n, live->ring_size, suppressed);
}

/* ---- publishers ---------------------------------------------------------- */

static void render_heatmap(struct sbuf *b, struct live_foot *f, const float *kpa)
{
	size_t n = (size_t)f->w * f->h;
	float max = 0;

	ins_heatmap_render(f->hm, kpa, f->cells);
	for (size_t i = 0; i < n; i++)
		if (isfinite(f->cells[i]) && f->cells[i] > max)
			max = f->cells[i];
	sb_printf(b, "\"heatmap\":{\"w\":%u,\"h\":%u,\"cell_mm\":%.3g,\"x0_mm\":%.6g,\"y0_mm\":%.6g,\"max_kpa\":",
		  f->w, f->h, f->cell_mm, f->x0_mm, f->y0_mm);
	sb_tenths(b, max);
	sb_printf(b, ",\"units\":\"%s\",\"cells\":[", f->units);
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_add(b, ",", 1);
		sb_tenths(b, f->cells[i]);
	}
	sb_str(b, "]");
	/* A sparse map shows what each sensor measured beside what was
	 * interpolated between them. */
	if (f->n_sparse) {
		sb_str(b, ",\"sensors\":[");
		for (unsigned i = 0; i < f->n_sparse; i++) {
			if (i)
				sb_add(b, ",", 1);
			sb_tenths(b, kpa[i]);
		}
		sb_str(b, "]");
	}
	sb_str(b, "}");
}

/* FOOT = the analysis module's frame metrics object plus "heatmap": the
 * metrics' members (JSON_EMBED: without the object's braces), then the
 * heatmap, rendered directly because a dense grid has a thousand cells. */
static int render_foot(struct sbuf *b, struct live_foot *f, const struct ins_frame_metrics *m, const float *kpa)
{
	json_t *obj = ins_frame_metrics_json(m);
	char *members = obj ? json_dumps(obj, JSON_COMPACT | JSON_EMBED | JSON_REAL_PRECISION(LIVE_REAL_DIGITS)) : NULL;

	json_decref(obj);
	if (!members)
		return -1;
	sb_add(b, "{", 1);
	sb_str(b, members);
	if (members[0])
		sb_add(b, ",", 1);
	free(members);
	render_heatmap(b, f, kpa);
	sb_add(b, "}", 1);
	return b->failed ? -1 : 0;
}

/* No SSE client: keep the frame for GET /api/live, render nothing.  The
 * caller holds f->render_lock. */
static void keep_pending(struct ins_live *live, struct live_foot *f, const struct ins_frame_metrics *m,
			 const float *kpa)
{
	f->pending_m = *m;
	memcpy(f->pending_kpa, kpa, (size_t)f->n_sensors * sizeof(float));
	f->pending = 1;
	atomic_fetch_add(&live->gen, 1);
}

/* Renders each foot's kept frame into its snapshot JSON. */
static void render_pending(struct ins_live *live)
{
	for (unsigned i = 0; i < INS_FOOT_COUNT; i++) {
		struct live_foot *f = &live->foot[i];
		struct sbuf b = { 0 };
		char *old;

		pthread_mutex_lock(&f->render_lock);
		if (!f->pending || render_foot(&b, f, &f->pending_m, f->pending_kpa) < 0) {
			pthread_mutex_unlock(&f->render_lock);
			free(b.p);
			continue;
		}
		f->pending = 0;
		pthread_mutex_lock(&live->lock);
		old = f->json;
		f->json = b.p;
		f->json_len = b.len;
		f->t_us = f->pending_m.t_us;
		pthread_mutex_unlock(&live->lock);
		pthread_mutex_unlock(&f->render_lock);
		free(old);
	}
}

void ins_live_publish_frame(struct ins_live *live, const struct ins_frame_metrics *m, const float *kpa)
{
	struct live_foot *f;
	struct sbuf foot = { 0 }, ev = { 0 };
	char *old = NULL;
	int64_t now = ins_mono_us();
	uint64_t id;

	if (!live || !m || !kpa || m->foot >= INS_FOOT_COUNT || !live->foot[m->foot].present)
		return;
	atomic_fetch_add(&live->frames_published, 1);
	f = &live->foot[m->foot];
	pthread_mutex_lock(&f->render_lock);
	if (f->emitted_once && now < f->next_emit_mono_us) {
		pthread_mutex_unlock(&f->render_lock);
		return;
	}
	/* A fixed schedule keeps the average at display_hz whatever the frame
	 * rate (100 Hz frames against a 33 ms period would otherwise give 25 Hz);
	 * after a pause the schedule restarts from now instead of bursting. */
	f->next_emit_mono_us += live->frame_period_us;
	if (!f->emitted_once || f->next_emit_mono_us <= now)
		f->next_emit_mono_us = now + live->frame_period_us;
	f->emitted_once = 1;
	if (!atomic_load(&live->clients)) {
		keep_pending(live, f, m, kpa);
		goto out;
	}
	f->pending = 0;
	if (render_foot(&foot, f, m, kpa) < 0)
		goto out;
	sb_printf(&ev, "{\"t_us\":%" PRId64 ",\"foot\":\"%s\",\"frame\":", m->t_us, ins_foot_name(m->foot));
	sb_add(&ev, foot.p, foot.len);
	sb_add(&ev, "}", 1);
	if (ev.failed)
		goto out;

	pthread_mutex_lock(&live->lock);
	old = f->json;
	f->json = foot.p;
	f->json_len = foot.len;
	f->t_us = m->t_us;
	foot.p = NULL;
	id = live_ring_append(live, "frame", ev.p, ev.len);
	publish_locked_done(live);
	pthread_mutex_unlock(&live->lock);
	if (!id)
		refuse_big_event(live, "frame", ev.len);
out:
	pthread_mutex_unlock(&f->render_lock);
	free(old);
	free(foot.p);
	free(ev.p);
}

void ins_live_publish_step(struct ins_live *live, const struct ins_step *step)
{
	char buf[INS_STEP_JSON_MAX], *text, *old = NULL;
	size_t len, slot;
	uint64_t id;
	int n;

	if (!live || !step)
		return;
	/* the STEP document at LIVE_REAL_DIGITS, written without a jansson tree */
	n = ins_step_json_text(step, buf, sizeof(buf));
	text = n > 0 ? malloc((size_t)n + 1) : NULL;
	if (!text)
		return;
	len = (size_t)n;
	memcpy(text, buf, len + 1);
	pthread_mutex_lock(&live->lock);
	if (live->step_count < live->step_history) {
		slot = (live->step_first + live->step_count) % live->step_history;
		live->step_count++;
	} else {
		slot = live->step_first;
		live->step_first = (live->step_first + 1) % live->step_history;
	}
	old = live->step_json[slot];
	live->step_json[slot] = text;
	live->step_len[slot] = len;
	id = live_ring_append(live, "step", text, len);
	publish_locked_done(live);
	pthread_mutex_unlock(&live->lock);
	free(old);
	if (!id)
		refuse_big_event(live, "step", len);
}

void ins_live_publish_event(struct ins_live *live, const char *type, const char *data)
{
	uint64_t id;
	size_t n;

	if (!live || !type || !data)
		return;
	/* An event name with a newline would forge extra SSE fields. */
	if (strpbrk(type, "\r\n") || !*type)
		return;
	n = strlen(data);
	pthread_mutex_lock(&live->lock);
	id = live_ring_append(live, type, data, n);
	pthread_cond_broadcast(&live->cond);
	pthread_mutex_unlock(&live->lock);
	if (!id)
		refuse_big_event(live, type, n);
}

void ins_live_set_recording(struct ins_live *live, int64_t session_id)
{
	char data[96];

	if (!live)
		return;
	if (session_id > 0)
		snprintf(data, sizeof(data), "{\"recording\":{\"session_id\":%" PRId64 "}}", session_id);
	else
		snprintf(data, sizeof(data), "{\"recording\":null}");
	pthread_mutex_lock(&live->lock);
	live->recording_id = session_id > 0 ? session_id : 0;
	live_ring_append(live, "status", data, strlen(data));
	publish_locked_done(live);
	pthread_mutex_unlock(&live->lock);
}

/* ---- snapshots ----------------------------------------------------------- */

static void build_snapshot(struct ins_live *live, size_t last_steps, struct sbuf *b)
{
	int64_t t_us = 0;
	size_t n = last_steps < live->step_count ? last_steps : live->step_count;

	for (unsigned f = 0; f < INS_FOOT_COUNT; f++)
		if (live->foot[f].json && live->foot[f].t_us > t_us)
			t_us = live->foot[f].t_us;
	sb_printf(b, "{\"t_us\":%" PRId64 ",\"recording\":", t_us);
	if (live->recording_id > 0)
		sb_printf(b, "{\"session_id\":%" PRId64 "}", live->recording_id);
	else
		sb_str(b, "null");
	sb_str(b, ",\"feet\":{");
	for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
		sb_printf(b, "%s\"%s\":", f ? "," : "", ins_foot_name(f));
		if (live->foot[f].json)
			sb_add(b, live->foot[f].json, live->foot[f].json_len);
		else
			sb_str(b, "null");
	}
	sb_str(b, "},\"steps\":[");
	for (size_t i = 0; i < n; i++) {
		size_t slot = (live->step_first + live->step_count - n + i) % live->step_history;

		if (i)
			sb_add(b, ",", 1);
		sb_add(b, live->step_json[slot], live->step_len[slot]);
	}
	sb_str(b, "]}");
}

struct ins_live_text *ins_live_snapshot_text(struct ins_live *live, size_t last_steps)
{
	struct live_text_blob *bl = NULL;
	struct sbuf b = { 0 };
	uint64_t gen;

	if (!live)
		return NULL;
	if (last_steps > live->step_history)
		last_steps = live->step_history;
	pthread_mutex_lock(&live->cache_lock);
	if (live->cache[last_steps] && live->cache_gen[last_steps] == atomic_load(&live->gen)) {
		bl = live->cache[last_steps];
		atomic_fetch_add(&bl->refs, 1);
		pthread_mutex_unlock(&live->cache_lock);
		return (struct ins_live_text *)bl;
	}
	/* Read before rendering: a frame kept after this bumps gen again, so
	 * the text is never cached as newer than what it shows. */
	gen = atomic_load(&live->gen);
	render_pending(live);
	pthread_mutex_lock(&live->lock);
	build_snapshot(live, last_steps, &b);
	pthread_mutex_unlock(&live->lock);
	if (!b.failed)
		bl = blob_new(b.p, b.len);
	free(b.p);
	if (bl) {
		blob_unref(live->cache[last_steps]);
		live->cache[last_steps] = bl;
		live->cache_gen[last_steps] = gen;
		atomic_fetch_add(&bl->refs, 1);
	}
	pthread_mutex_unlock(&live->cache_lock);
	return (struct ins_live_text *)bl;
}

const char *ins_live_text_data(const struct ins_live_text *t, size_t *len)
{
	*len = t->b.len;
	return t->b.data;
}

void ins_live_text_unref(struct ins_live_text *t)
{
	if (t)
		blob_unref(&t->b);
}

json_t *ins_live_snapshot(struct ins_live *live, size_t last_steps)
{
	struct ins_live_text *t = ins_live_snapshot_text(live, last_steps);
	json_t *j;

	if (!t)
		return NULL;
	j = json_loadb(t->b.data, t->b.len, 0, NULL);
	ins_live_text_unref(t);
	return j;
}

void ins_live_get_stats(struct ins_live *live, struct ins_live_stats *out)
{
	pthread_mutex_lock(&live->lock);
	out->events = live->next_id - live->base_id;
	out->clients = atomic_load(&live->clients);
	out->clients_dropped = live->clients_dropped;
	pthread_mutex_unlock(&live->lock);
	out->frames_published = atomic_load(&live->frames_published);
}
