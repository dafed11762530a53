/* Speed of the report's curves: the accumulator alone (per frame, steps
 * included), and GET /api/sessions/ID/curves' store query on a recorded
 * session next to the session heatmap, which runs the same replay.
 * `make bench` runs it. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "insoled/analysis.h"
#include "insoled/curves.h"
#include "insoled/layout.h"
#include "insoled/session.h"
#include "insoled/store.h"
#include "insoled/synth.h"

#define WALK_S 60          /* engine output precomputed for the accumulator: dozens of steps a foot */
#define ACC_SECONDS 1.0    /* CPU seconds per accumulator measurement: a stable figure */
#define SESSION_MIN 10     /* recorded session for the query: a typical clinic assessment */

/* One engine output in order: a frame's metrics, or a step. */
struct item {
	int is_step;
	struct ins_frame_metrics fm;
	struct ins_step step;
};

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void die(const char *what, const char *err)
{
	fprintf(stderr, "bench_curves: %s: %s\n", what, err);
	exit(1);
}

/* The synthetic walker for `seconds` through the engine; each frame is
 * passed to put (store or list) with the metrics and steps it produced. */
static void walk(const struct ins_layout *l, double seconds,
		 void (*put)(void *ctx, const struct ins_frame *fr, const struct ins_frame_metrics *fm,
			     const struct ins_step *steps, unsigned n_steps),
		 void *ctx)
{
	char err[256];
	struct ins_synth_params p;
	struct ins_synth *syn;
	struct ins_analysis *ana;
	uint16_t vals[INS_MAX_SENSORS];
	struct ins_analysis_config acfg = { .layout = { l, l }, .body_weight_n = 700 };

	ins_synth_defaults(&p);
	if (!(syn = ins_synth_new(&p, l, err, sizeof(err))) || !(ana = ins_analysis_new(&acfg, err, sizeof(err))))
		die("walker", err);
	for (uint32_t k = 0; k < (uint32_t)(seconds * p.rate_hz); k++)
		for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
			struct ins_frame fr = { .foot = (uint8_t)f, .n = l->n_sensors, .seq = k, .values = vals };
			struct ins_frame_metrics fm;
			struct ins_step steps[4];
			unsigned n = 0;

			ins_synth_next(syn, f, vals, &fr.t_us);
			fr.t_dev = (uint32_t)fr.t_us;
			fr.host_us = 1800000000000000LL + fr.t_us;
			if (ins_analysis_feed(ana, &fr, &fm) < 0)
				die("walker", "frame refused");
			while (n < 4 && ins_analysis_next_step(ana, &steps[n]))
				n++;
			put(ctx, &fr, &fm, steps, n);
		}
	ins_analysis_free(ana);
	ins_synth_free(syn);
}

struct list {
	struct item *v;
	size_t n, cap;
};

static void list_put(void *ctx, const struct ins_frame *fr, const struct ins_frame_metrics *fm,
		     const struct ins_step *steps, unsigned n_steps)
{
	struct list *l = ctx;

	(void)fr;
	for (unsigned i = 0; i <= n_steps; i++) {
		if (l->n == l->cap) {
			l->cap = l->cap ? 2 * l->cap : 4096;
			if (!(l->v = realloc(l->v, l->cap * sizeof(*l->v))))
				die("list", "out of memory");
		}
		l->v[l->n] = (struct item){ .is_step = i > 0, .fm = *fm };
		if (i > 0)
			l->v[l->n].step = steps[i - 1];
		l->n++;
	}
}

static void bench_accumulator(const struct ins_layout *l)
{
	struct list items = { 0 };
	struct ins_curves_config cfg = { .layout = { l, l }, .rate_hz = 100, .body_weight_n = 700 };
	char err[256];
	long frames = 0, steps = 0;
	double t0, t;
	int64_t shift = 0;

	walk(l, WALK_S, list_put, &items);
	struct ins_curves *c = ins_curves_new(&cfg, err, sizeof(err));
	if (!c)
		die("curves", err);
	t0 = cpu_s();
	do {
		/* replay the walk again and again, later in time each round */
		for (size_t i = 0; i < items.n; i++) {
			if (items.v[i].is_step) {
				struct ins_step s = items.v[i].step;
				s.contact_us += shift;
				s.toe_off_us += shift;
				steps += ins_curves_add_step(c, &s);
			} else {
				struct ins_frame_metrics fm = items.v[i].fm;
				fm.t_us += shift;
				ins_curves_feed(c, &fm);
				frames++;
			}
		}
		shift += (int64_t)(WALK_S + 10) * 1000000;
		t = cpu_s() - t0;
	} while (t < ACC_SECONDS);
	printf("accumulator fsr16: %ld frames + %ld steps averaged in %.2f s CPU = %.1f ns/frame (%.1f M frames/s)\n",
	       frames, steps, t, 1e9 * t / (double)frames, (double)frames / t / 1e6);
	ins_curves_free(c);
	free(items.v);
}

struct rec {
	struct ins_store *st;
	int64_t id;
};

static void store_put(void *ctx, const struct ins_frame *fr, const struct ins_frame_metrics *fm,
		      const struct ins_step *steps, unsigned n_steps)
{
	struct rec *r = ctx;

	(void)fm;
	while (ins_store_put_frame(r->st, r->id, fr) == INS_EFULL)
		usleep(1000); /* the writer drains its queue in the background */
	for (unsigned i = 0; i < n_steps; i++)
		ins_store_put_step(r->st, r->id, &steps[i]);
}

static void bench_query(const struct ins_layout *l)
{
	char path[] = "/tmp/bench_curves_XXXXXX", db[64];
	struct ins_error err;
	struct ins_store_config cfg = { .db_path = db, .sql_dir = INS_SRCDIR "/sql", .layout_dir = INS_SRCDIR "/layouts" };
	struct ins_session_meta m = { .subject = "bench", .layout = { "fsr16", "fsr16" }, .body_weight_n = 700 };
	struct rec r;
	double t0, t_curves, t_heat;
	json_t *j;
	int rc;

	if (!mkdtemp(path))
		die(path, "cannot create");
	snprintf(db, sizeof(db), "%s/bench.db", path);
	if (!(r.st = ins_store_open(&cfg, &err)))
		die(db, err.msg);
	if (ins_store_session_start(r.st, &m, &r.id, &err) < 0)
		die("session", err.msg);
	walk(l, SESSION_MIN * 60.0, store_put, &r);
	if (ins_store_session_stop(r.st, r.id, &err) < 0)
		die("session", err.msg);
	t0 = wall_s();
	j = ins_store_session_curves(r.st, r.id, &rc, &err);
	t_curves = wall_s() - t0;
	if (!j)
		die("curves", err.msg);
	printf("query  fsr16 %d min x 2 feet at 100 Hz: curves of %lld + %lld steps in %.3f s",
	       SESSION_MIN, (long long)json_integer_value(json_object_get(json_object_get(j, "left"), "steps")),
	       (long long)json_integer_value(json_object_get(json_object_get(j, "right"), "steps")), t_curves);
	json_decref(j);
	t0 = wall_s();
	j = ins_store_session_heatmap(r.st, r.id, INS_FOOT_LEFT, "peak", &rc, &err);
	t_heat = wall_s() - t0;
	if (!j)
		die("heatmap", err.msg);
	json_decref(j);
	printf("; the heatmap (same replay) %.3f s\n", t_heat);
	ins_store_close(r.st);
	unlink(db);
	snprintf(err.msg, sizeof(err.msg), "%s-wal", db);
	unlink(err.msg);
	snprintf(err.msg, sizeof(err.msg), "%s-shm", db);
	unlink(err.msg);
	rmdir(path);
}

int main(void)
{
	char err[256];
	struct ins_layout *l = ins_layout_load_named(INS_SRCDIR "/layouts", "fsr16", err, sizeof(err));

	if (!l)
		die("fsr16", err);
	bench_accumulator(l);
	bench_query(l);
	ins_layout_free(l);
	return 0;
}
