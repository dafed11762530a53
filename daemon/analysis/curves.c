/* Stance-normalised force and centre-of-pressure curves (curves.h): a
 * per-foot ring of recent frame metrics, cut at each step's contact and
 * toe-off, resampled to INS_CURVE_POINTS points and averaged point by point
 * with Welford's running mean and variance (numerically stable over
 * thousands of steps, one pass, no storage of the steps). */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insoled/analysis_json.h"
#include "insoled/curves.h"

const char *const ins_curve_names[INS_CURVE_COUNT] = {
	"force_n", "force_bw_pct", "cop_x_mm", "cop_y_mm", "cop_x_norm", "cop_y_norm",
};

/* The per-frame values buffered: those curves are resampled from (the %BW
 * curve is the force curve scaled at the step). */
enum { V_FORCE, V_COP_X, V_COP_Y, V_COP_XN, V_COP_YN, V_COUNT };

struct sample {
	int64_t t_us;
	float v[V_COUNT];
};

struct welford {
	uint32_t n;
	double mean, m2;
};

struct foot_curves {
	int present;               /* layout given and calibrated */
	int arbitrary_units;
	struct sample *ring;       /* cap samples, oldest at (head - len) */
	size_t cap, head, len;
	struct welford acc[INS_CURVE_COUNT][INS_CURVE_POINTS];
	float (*paths)[INS_CURVE_POINTS][2]; /* INS_CURVES_MAX_PATHS, ring */
	unsigned path_head, path_len;
	struct ins_curves_counts counts;
};

struct ins_curves {
	double body_weight_n;
	int has_layout[INS_FOOT_COUNT];
	struct foot_curves foot[INS_FOOT_COUNT];
};

static size_t ring_capacity(double rate_hz)
{
	double rate = rate_hz > INS_CURVES_MAX_RATE_HZ ? INS_CURVES_MAX_RATE_HZ : rate_hz;
	double span_s = (INS_CURVES_MAX_STANCE_US + INS_CURVES_STEP_LATENCY_US) / 1e6;

	/* +2: the frames just before contact and just after toe-off bracket
	 * the first and last points. */
	return (size_t)ceil(rate * span_s) + 2;
}

struct ins_curves *ins_curves_new(const struct ins_curves_config *cfg, char *err, size_t errlen)
{
	struct ins_curves *c;

	if (!(cfg->rate_hz > 0 && isfinite(cfg->rate_hz))) {
		snprintf(err, errlen, "rate_hz: %g is not a frame rate", cfg->rate_hz);
		return NULL;
	}
	if (!(cfg->body_weight_n >= 0 && isfinite(cfg->body_weight_n))) {
		snprintf(err, errlen, "body_weight_n: %g is not a body weight in newtons", cfg->body_weight_n);
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		goto oom;
	c->body_weight_n = cfg->body_weight_n;
	for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
		struct foot_curves *fc = &c->foot[f];

		if (!cfg->layout[f])
			continue;
		c->has_layout[f] = 1;
		fc->arbitrary_units = cfg->layout[f]->arbitrary_units;
		if (fc->arbitrary_units)
			continue;
		fc->present = 1;
		fc->cap = ring_capacity(cfg->rate_hz);
		fc->ring = malloc(fc->cap * sizeof(*fc->ring));
		fc->paths = malloc(INS_CURVES_MAX_PATHS * sizeof(*fc->paths));
		if (!fc->ring || !fc->paths)
			goto oom;
	}
	return c;
oom:
	snprintf(err, errlen, "out of memory for the curve buffers");
	ins_curves_free(c);
	return NULL;
}

void ins_curves_free(struct ins_curves *c)
{
	if (!c)
		return;
	for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
		free(c->foot[f].ring);
		free(c->foot[f].paths);
	}
	free(c);
}

void ins_curves_set_body_weight(struct ins_curves *c, double body_weight_n)
{
	c->body_weight_n = body_weight_n > 0 && isfinite(body_weight_n) ? body_weight_n : 0;
}

static const struct sample *ring_at(const struct foot_curves *fc, size_t i)
{
	return &fc->ring[(fc->head + fc->cap - fc->len + i) % fc->cap];
}

void ins_curves_feed(struct ins_curves *c, const struct ins_frame_metrics *fm)
{
	struct foot_curves *fc;
	struct sample *s;

	if (fm->foot >= INS_FOOT_COUNT || !c->foot[fm->foot].present)
		return;
	fc = &c->foot[fm->foot];
	fc->counts.frames++;
	if (fc->len && fm->t_us <= ring_at(fc, fc->len - 1)->t_us)
		return;
	s = &fc->ring[fc->head];
	s->t_us = fm->t_us;
	s->v[V_FORCE] = fm->force_n;
	s->v[V_COP_X] = fm->cop_x_mm;
	s->v[V_COP_Y] = fm->cop_y_mm;
	s->v[V_COP_XN] = fm->cop_x_norm;
	s->v[V_COP_YN] = fm->cop_y_norm;
	fc->head = (fc->head + 1) % fc->cap;
	if (fc->len < fc->cap)
		fc->len++;
}

/* The values at fraction u in [0, 1] of the way from frame a to frame b,
 * as if the pressures were interpolated linearly in time: the force is, and
 * the CoP is the interpolated moment (force x CoP) over the interpolated
 * force, so a barely loaded frame, whose CoP is wherever its noise is,
 * moves it little.  Where the weights vanish (u at an unloaded frame) the
 * CoP is its limit from inside the bracket: the loaded neighbour's. */
static void interpolate(const struct sample *a, const struct sample *b, double u, double out[V_COUNT])
{
	double fa = a->v[V_FORCE], fb = b->v[V_FORCE];
	double wa = (1.0 - u) * fa, wb = u * fb;

	out[V_FORCE] = fa + (fb - fa) * u;
	if (!isfinite(a->v[V_COP_X]))
		wa = 0;
	if (!isfinite(b->v[V_COP_X]))
		wb = 0;
	for (unsigned v = V_COP_X; v < V_COUNT; v++) {
		if (wa > 0 && wb > 0)
			out[v] = (wa * a->v[v] + wb * b->v[v]) / (wa + wb);
		else if (wa > 0 || wb > 0)
			out[v] = wa > 0 ? a->v[v] : b->v[v];
		else
			out[v] = isfinite(a->v[v]) ? a->v[v] : b->v[v];
	}
}

/* out[V_COUNT][INS_CURVE_POINTS] of the stance contact..toe_off; 0, or -1
 * when the buffer does not hold frames at or before contact and at or after
 * toe-off. */
static int resample(const struct foot_curves *fc, int64_t contact_us, int64_t toe_off_us,
		    double out[V_COUNT][INS_CURVE_POINTS])
{
	double dur = (double)(toe_off_us - contact_us);
	size_t j = 0;

	if (fc->len < 2 || ring_at(fc, 0)->t_us > contact_us || ring_at(fc, fc->len - 1)->t_us < toe_off_us)
		return -1;
	for (unsigned k = 0; k < INS_CURVE_POINTS; k++) {
		double t = (double)contact_us + dur * k / (INS_CURVE_POINTS - 1);
		const struct sample *a, *b;
		double u, at[V_COUNT];

		/* a = the last frame at or before t, b the one after it.  A point
		 * on a frame has two brackets; the one inside the stance is
		 * taken (the frame before, at toe-off), so an unloaded frame at
		 * either end yields the loaded neighbour's CoP, not NaN. */
		while (j + 1 < fc->len && (double)ring_at(fc, j + 1)->t_us <= t)
			j++;
		if (k == INS_CURVE_POINTS - 1 && (double)ring_at(fc, j)->t_us == t) {
			a = ring_at(fc, j - 1);
			b = ring_at(fc, j);
			u = 1.0;
		} else {
			a = ring_at(fc, j);
			b = ring_at(fc, j + 1);
			u = (t - (double)a->t_us) / (double)(b->t_us - a->t_us);
		}
		interpolate(a, b, u, at);
		for (unsigned v = 0; v < V_COUNT; v++)
			out[v][k] = at[v];
	}
	return 0;
}

static void welford_add(struct welford *w, double x)
{
	double d;

	if (!isfinite(x))
		return;
	w->n++;
	d = x - w->mean;
	w->mean += d / w->n;
	w->m2 += d * (x - w->mean);
}

static void keep_path(struct foot_curves *fc, const double x[INS_CURVE_POINTS], const double y[INS_CURVE_POINTS])
{
	float (*p)[2] = fc->paths[fc->path_head];

	for (unsigned k = 0; k < INS_CURVE_POINTS; k++) {
		p[k][0] = (float)x[k];
		p[k][1] = (float)y[k];
	}
	fc->path_head = (fc->path_head + 1) % INS_CURVES_MAX_PATHS;
	if (fc->path_len < INS_CURVES_MAX_PATHS)
		fc->path_len++;
}

int ins_curves_add_step(struct ins_curves *c, const struct ins_step *step)
{
	static const int curve_of[V_COUNT] = {
		[V_FORCE] = INS_CURVE_FORCE_N, [V_COP_X] = INS_CURVE_COP_X_MM, [V_COP_Y] = INS_CURVE_COP_Y_MM,
		[V_COP_XN] = INS_CURVE_COP_X_NORM, [V_COP_YN] = INS_CURVE_COP_Y_NORM,
	};
	double v[V_COUNT][INS_CURVE_POINTS];
	struct foot_curves *fc;

	if (step->foot >= INS_FOOT_COUNT || !c->foot[step->foot].present)
		return 0;
	fc = &c->foot[step->foot];
	if (step->toe_off_us - step->contact_us > INS_CURVES_MAX_STANCE_US) {
		fc->counts.too_long++;
		return 0;
	}
	if (step->toe_off_us <= step->contact_us || resample(fc, step->contact_us, step->toe_off_us, v) < 0) {
		fc->counts.incomplete++;
		return 0;
	}
	for (unsigned q = 0; q < V_COUNT; q++)
		for (unsigned k = 0; k < INS_CURVE_POINTS; k++)
			welford_add(&fc->acc[curve_of[q]][k], v[q][k]);
	if (c->body_weight_n > 0) {
		for (unsigned k = 0; k < INS_CURVE_POINTS; k++)
			welford_add(&fc->acc[INS_CURVE_FORCE_BW_PCT][k], 100.0 * v[V_FORCE][k] / c->body_weight_n);
		fc->counts.bw_steps++;
	}
	keep_path(fc, v[V_COP_X], v[V_COP_Y]);
	fc->counts.steps++;
	return 1;
}

void ins_curves_get_counts(const struct ins_curves *c, unsigned foot, struct ins_curves_counts *out)
{
	memset(out, 0, sizeof(*out));
	if (foot < INS_FOOT_COUNT)
		*out = c->foot[foot].counts;
}

void ins_curves_get(const struct ins_curves *c, unsigned foot, enum ins_curve_kind kind,
		    struct ins_curve_point out[INS_CURVE_POINTS])
{
	for (unsigned k = 0; k < INS_CURVE_POINTS; k++) {
		const struct welford *w;

		out[k] = (struct ins_curve_point){ 0, NAN, NAN };
		if (foot >= INS_FOOT_COUNT || (unsigned)kind >= INS_CURVE_COUNT)
			continue;
		w = &c->foot[foot].acc[kind][k];
		out[k].n = w->n;
		if (w->n > 0)
			out[k].mean = w->mean;
		if (w->n > 1)
			out[k].sd = sqrt(w->m2 / (w->n - 1));
	}
}

unsigned ins_curves_path_count(const struct ins_curves *c, unsigned foot)
{
	return foot < INS_FOOT_COUNT ? c->foot[foot].path_len : 0;
}

const float (*ins_curves_path(const struct ins_curves *c, unsigned foot, unsigned i))[2]
{
	const struct foot_curves *fc;

	if (foot >= INS_FOOT_COUNT || i >= c->foot[foot].path_len)
		return NULL;
	fc = &c->foot[foot];
	return (const float(*)[2])fc->paths[(fc->path_head + INS_CURVES_MAX_PATHS - fc->path_len + i) %
					    INS_CURVES_MAX_PATHS];
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *curve_json(const struct ins_curves *c, unsigned foot, enum ins_curve_kind kind)
{
	struct ins_curve_point p[INS_CURVE_POINTS];
	json_t *mean = json_array(), *sd = json_array();

	ins_curves_get(c, foot, kind, p);
	for (unsigned k = 0; k < INS_CURVE_POINTS; k++) {
		json_array_append_new(mean, ins_json_number_or_null(p[k].mean));
		json_array_append_new(sd, ins_json_number_or_null(p[k].sd));
	}
	return json_pack("{s:o, s:o}", "mean", mean, "sd", sd);
}

static json_t *paths_json(const struct ins_curves *c, unsigned foot)
{
	json_t *paths = json_array();

	for (unsigned i = 0; i < ins_curves_path_count(c, foot); i++) {
		const float(*p)[2] = ins_curves_path(c, foot, i);
		json_t *line = json_array();

		for (unsigned k = 0; k < INS_CURVE_POINTS; k++)
			json_array_append_new(line, isfinite(p[k][0]) && isfinite(p[k][1])
							    ? json_pack("[f, f]", (double)p[k][0], (double)p[k][1])
							    : json_null());
		json_array_append_new(paths, line);
	}
	return paths;
}

static json_t *foot_json(const struct ins_curves *c, unsigned foot)
{
	const struct foot_curves *fc = &c->foot[foot];
	json_t *out;

	if (!c->has_layout[foot])
		return json_null();
	out = json_pack("{s:I, s:{s:I, s:I}, s:b}", "steps", (json_int_t)fc->counts.steps, "skipped", "too_long",
			(json_int_t)fc->counts.too_long, "incomplete", (json_int_t)fc->counts.incomplete,
			"arbitrary_units", fc->arbitrary_units);
	for (unsigned q = 0; q < INS_CURVE_COUNT; q++) {
		json_t *curve = json_null();

		if (q == INS_CURVE_FORCE_BW_PCT && fc->counts.bw_steps > 0) {
			curve = curve_json(c, foot, q);
			json_object_set_new(curve, "steps", json_integer(fc->counts.bw_steps));
		} else if (q != INS_CURVE_FORCE_BW_PCT && fc->present) {
			curve = curve_json(c, foot, q);
		}
		json_object_set_new(out, ins_curve_names[q], curve);
	}
	json_object_set_new(out, "paths_mm", paths_json(c, foot));
	return out;
}

json_t *ins_curves_json(const struct ins_curves *c)
{
	json_t *out = json_pack("{s:i, s:i}", "points", INS_CURVE_POINTS, "max_stance_ms",
				INS_CURVES_MAX_STANCE_US / 1000);

	for (unsigned f = 0; f < INS_FOOT_COUNT; f++)
		json_object_set_new(out, ins_foot_name(f), foot_json(c, f));
	return out;
}
