/* ins_import_run() on two cores: the calling thread reads and parses the
 * file, while a second thread converts each frame to what the analysis
 * takes (kPa, counts) and runs the analysis.  Frames travel in chunks around a ring of
 * PIPE_CHUNKS; a chunk comes back with the steps the analysis completed
 * (each marked with the frame after which it came) and which frames it
 * refused, and the calling thread then hands frames and steps to the sink
 * in exactly the order ins_import_run() would.  The sink's callbacks (the
 * JSON and CSV writers of --analyze, the store's import) thus run on the
 * caller's thread, beside the parsing, and never on the analysis thread. */
#include <config.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "insoled/grow.h"
#include "insoled/thread.h"
#include "import_priv.h"

/* Chunks in flight: one being read, one analysed, and two so that neither
 * side waits on the other's jitter. */
#define PIPE_CHUNKS 4
/* Sensor values per chunk (128 KB of kPa): thousands of frames of a small
 * insole, still 8 frames of a 4096-cell one; the ring's memory is bounded
 * whatever the file. */
#define PIPE_CHUNK_VALUES 32768
/* Frames per chunk at most: more would only delay the first results. */
#define PIPE_CHUNK_FRAMES_MAX 4096
/* Steps a chunk first makes room for (it grows when a chunk ends more). */
#define PIPE_STEPS_FIRST 16

struct pipe_step {
	struct ins_step step;
	size_t after;                 /* index of the frame it followed */
};

struct pipe_chunk {
	struct ins_import_frame *frames;
	float *values;                /* the frames' own values, max_n per frame */
	uint8_t *refused;             /* by the conversion or by the analysis */
	/* what the analysis measured of the frames that carry the file's own
	 * values, checked against them as the frames are handed on, in order */
	struct ins_import_measured *measured;
	size_t n;
	struct pipe_step *steps;
	size_t n_steps, cap_steps;
	int steps_oom;
	int last;                     /* the reader's final chunk (end of file or an error) */
};

struct pipe {
	struct ins_import *imp;
	struct ins_analysis *ana;
	struct ins_layout *const *layout;
	uint16_t max_n;
	float *kpa;                   /* the analysis thread's conversion of one frame ... */
	uint16_t *counts;             /* ... to kPa or counts */
	size_t per_chunk;
	struct pipe_chunk chunk[PIPE_CHUNKS];
	/* Chunk k is filled by the caller (filled counts them), analysed by
	 * the worker (analysed), then handed on by the caller (delivered):
	 * delivered <= analysed <= filled <= delivered + PIPE_CHUNKS.  The
	 * lock guards filled, analysed and cancel. */
	size_t filled, analysed, delivered;
	int cancel;
	int checked;                  /* the file states values of its own (ins_import_states_own_values) */
	int events;                   /* ... and gait events (ins_import_info.has_ref_events) */
	struct ins_frame_metrics metrics; /* the analysis thread's, of the frame at hand */
	pthread_mutex_t lock;
	pthread_cond_t to_analyse, analysed_cv;
};

static void pipe_free_chunks(struct pipe *p)
{
	for (unsigned k = 0; k < PIPE_CHUNKS; k++) {
		struct pipe_chunk *c = &p->chunk[k];

		free(c->frames);
		free(c->values);
		free(c->refused);
		free(c->measured);
		free(c->steps);
	}
	free(p->kpa);
	free(p->counts);
}

static int pipe_alloc_chunks(struct pipe *p)
{
	for (unsigned k = 0; k < PIPE_CHUNKS; k++) {
		struct pipe_chunk *c = &p->chunk[k];

		c->frames = calloc(p->per_chunk, sizeof *c->frames);
		c->values = calloc(p->per_chunk * p->max_n, sizeof *c->values);
		c->refused = calloc(p->per_chunk, 1);
		c->measured = calloc(p->per_chunk, sizeof *c->measured);
		if (!c->frames || !c->values || !c->refused || !c->measured)
			return -1;
	}
	p->kpa = calloc(p->max_n, sizeof *p->kpa);
	p->counts = calloc(p->max_n, sizeof *p->counts);
	return p->kpa && p->counts ? 0 : -1;
}

/* ---- the analysis thread ---------------------------------------------- */

static void pipe_keep_step(struct pipe_chunk *c, const struct ins_step *step, size_t after)
{
	if (ins_grow((void **)&c->steps, &c->cap_steps, c->n_steps, 1, sizeof *c->steps, PIPE_STEPS_FIRST) < 0) {
		c->steps_oom = 1;
		return;
	}
	c->steps[c->n_steps].step = *step;
	c->steps[c->n_steps++].after = after;
}

static void pipe_analyse(struct pipe *p, struct pipe_chunk *c)
{
	struct ins_step step;
	char why[256];

	for (size_t i = 0; i < c->n; i++) {
		const struct ins_import_frame *f = &c->frames[i];
		const struct ins_layout *layout = p->layout[f->foot];

		if (c->refused[i])
			continue;
		if (!layout || import_prepare(f, layout, p->max_n, p->kpa, p->counts, why, sizeof why) < 0 ||
		    import_feed_prepared(p->ana, f, p->kpa, p->counts, p->checked ? &p->metrics : NULL) < 0) {
			c->refused[i] = 1;
			continue;
		}
		if (p->checked)
			c->measured[i] = ins_import_measured_of(&p->metrics);
		while (ins_analysis_next_step(p->ana, &step))
			pipe_keep_step(c, &step, i);
	}
}

static void *pipe_worker(void *arg)
{
	struct pipe *p = arg;
	int last = 0;

	while (!last) {
		struct pipe_chunk *c;

		pthread_mutex_lock(&p->lock);
		while (p->analysed == p->filled && !p->cancel)
			pthread_cond_wait(&p->to_analyse, &p->lock);
		if (p->cancel) {
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		c = &p->chunk[p->analysed % PIPE_CHUNKS];
		pthread_mutex_unlock(&p->lock);
		pipe_analyse(p, c);
		last = c->last;
		pthread_mutex_lock(&p->lock);
		p->analysed++;
		pthread_cond_signal(&p->analysed_cv);
		pthread_mutex_unlock(&p->lock);
	}
	return NULL;
}

/* ---- the calling thread: reading and handing on ---------------------- */

static void pipe_take_frame(struct pipe *p, struct pipe_chunk *c, const struct ins_import_frame *f)
{
	size_t i = c->n++;
	float *values = c->values + i * p->max_n;

	c->frames[i] = *f;
	/* more values than the reader said it has: refused, as ins_import_feed() does */
	c->refused[i] = f->n > p->max_n;
	if (!c->refused[i])
		memcpy(values, f->values, f->n * sizeof *values);
	c->frames[i].values = values;
}

/* Read up to a chunk of frames: 1 = more to come, 0 = end, -1 = bad input (err). */
static int pipe_fill(struct pipe *p, struct pipe_chunk *c, char *err, size_t errlen)
{
	const struct ins_import_frame *f;
	int rc = 1;

	c->n = 0;
	c->n_steps = 0;
	c->steps_oom = 0;
	while (c->n < p->per_chunk && (rc = import_next_frame(p->imp, &f, err, errlen)) == 1)
		pipe_take_frame(p, c, f);
	c->last = rc != 1;
	return rc;
}

static int pipe_deliver(const struct pipe *p, const struct pipe_chunk *c, const struct ins_import_sink *sink,
			struct ins_import_tally *tally, char *err, size_t errlen)
{
	size_t s = 0;
	int rc;

	if (c->steps_oom) {
		snprintf(err, errlen, "out of memory for the steps of the analysis");
		return -1;
	}
	for (size_t i = 0; i < c->n; i++) {
		const struct ins_import_frame *f = &c->frames[i];

		tally->frames[f->foot]++;
		tally->gaps[f->foot] += f->gap;
		if (c->refused[i]) {
			tally->misfit[f->foot]++;
		} else {
			if (p->checked)
				ins_import_agreement_add(tally->agree, f, &c->measured[i]);
			if (p->events)
				ins_import_events_frame(&tally->events, f);
			if (sink->frame && (rc = sink->frame(sink->arg, f, err, errlen)) < 0)
				return rc;
		}
		for (; s < c->n_steps && c->steps[s].after == i; s++) {
			if (p->events)
				ins_import_events_step(&tally->events, &c->steps[s].step);
			if (sink->step && (rc = sink->step(sink->arg, &c->steps[s].step, err, errlen)) < 0)
				return rc;
		}
	}
	return 0;
}

/* Wait until the oldest chunk in flight is analysed when the ring is full
 * or nothing is left to read; 1 when one is ready to hand on. */
static int pipe_wait_analysed(struct pipe *p, int reading)
{
	size_t analysed;

	pthread_mutex_lock(&p->lock);
	while (p->analysed == p->delivered && p->delivered < p->filled &&
	       (!reading || p->filled - p->delivered == PIPE_CHUNKS))
		pthread_cond_wait(&p->analysed_cv, &p->lock);
	analysed = p->analysed;
	pthread_mutex_unlock(&p->lock);
	return analysed > p->delivered;
}

static int pipe_run(struct pipe *p, const struct ins_import_sink *sink, struct ins_import_tally *tally, char *err,
		    size_t errlen)
{
	char read_err[512] = "";
	int read_rc = 1, rc = 0;

	while (rc == 0 && (read_rc == 1 || p->delivered < p->filled)) {
		if (pipe_wait_analysed(p, read_rc == 1)) {
			rc = pipe_deliver(p, &p->chunk[p->delivered % PIPE_CHUNKS], sink, tally, err, errlen);
			p->delivered++;
			continue;
		}
		read_rc = pipe_fill(p, &p->chunk[p->filled % PIPE_CHUNKS], read_err, sizeof read_err);
		pthread_mutex_lock(&p->lock);
		p->filled++;
		pthread_cond_signal(&p->to_analyse);
		pthread_mutex_unlock(&p->lock);
	}
	if (rc == 0 && read_rc < 0) {
		import_copy_text(err, errlen, read_err);
		rc = -1;
	}
	return rc;
}

int ins_import_run_pipelined(struct ins_import *imp, struct ins_analysis *ana,
			     struct ins_layout *const layout[INS_FOOT_COUNT], const struct ins_import_sink *sink,
			     struct ins_import_tally *tally, char *err, size_t errlen)
{
	struct pipe p = { .imp = imp,
			  .ana = ana,
			  .layout = layout,
			  .checked = ins_import_states_own_values(&imp->info),
			  .events = imp->info.has_ref_events };
	pthread_t worker;
	int rc;

	p.max_n = imp->scratch_n ? imp->scratch_n : 1;
	p.per_chunk = PIPE_CHUNK_VALUES / p.max_n;
	p.per_chunk = p.per_chunk < 1 ? 1 : p.per_chunk > PIPE_CHUNK_FRAMES_MAX ? PIPE_CHUNK_FRAMES_MAX : p.per_chunk;
	if (pipe_alloc_chunks(&p) < 0) {
		pipe_free_chunks(&p);
		return ins_import_run(imp, ana, layout, sink, tally, err, errlen);
	}
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.to_analyse, NULL);
	pthread_cond_init(&p.analysed_cv, NULL);
	if (ins_thread_start(&worker, INS_STACK_MEDIUM, pipe_worker, &p) != 0) {
		rc = ins_import_run(imp, ana, layout, sink, tally, err, errlen);
	} else {
		memset(tally, 0, sizeof *tally);
		rc = pipe_run(&p, sink, tally, err, errlen);
		if (p.events) /* the end of what was read is the recording's end, as in ins_import_run() */
			ins_import_events_finish(&tally->events);
		pthread_mutex_lock(&p.lock);
		p.cancel = 1;       /* a sink that failed leaves chunks unanalysed: stop the worker */
		pthread_cond_signal(&p.to_analyse);
		pthread_mutex_unlock(&p.lock);
		pthread_join(worker, NULL);
	}
	pthread_cond_destroy(&p.analysed_cv);
	pthread_cond_destroy(&p.to_analyse);
	pthread_mutex_destroy(&p.lock);
	pipe_free_chunks(&p);
	return rc;
}
