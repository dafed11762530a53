/* The analysis engine: per foot, calibration and per-frame metrics
 * (frame_metrics.h), gait events (events.h) and step metrics (steps.h);
 * across feet, the temporal metrics that need both (step time, double
 * support).  Everything is allocated in ins_analysis_new(); feeding does no
 * allocation, no I/O and takes no lock. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insoled/analysis.h"
#include "insoled/log.h"
#include "events.h"
#include "frame_metrics.h"
#include "health.h"
#include "mask.h"
#include "steps.h"

#define LOG_PREFIX "analysis"

/* Completed steps waiting for ins_analysis_next_step().  Callers drain
 * after every feed, so one or two are ever pending; 64 absorbs a caller
 * that drains once per batch of frames.  Overflow drops the oldest (counted). */
#define STEP_QUEUE 64
/* Stances remembered per foot: enough to find the opposite foot's stances
 * overlapping this one and its last contact. */
#define GAIT_HISTORY 8
/* The smallest loaded-unloaded swing that is a step.  Calibrated: 20 N, the
 * lowest force-plate contact threshold in use, far below the load of any
 * foot that carries a person.  Raw units: 2 % of the layout's full scale,
 * above the noise of a 12-bit FSR footswitch, a tenth of what walking gives. */
#define MIN_STEP_RANGE_N 20.0
#define MIN_STEP_RANGE_FULL_SCALE 0.02
/* A longer stride means walking stopped in between: its stride, swing, step
 * time and cadence are not gait-cycle values (the slowest strides in the
 * PhysioNet neurodegenerative-disease records reach 5.7 s). */
#define MAX_STRIDE_US 6000000
/* Steady-state selection: a step whose stance or stride differs from the
 * median of the foot's last STEADY_WINDOW steps by more than this factor
 * either way is not steady gait.  Step-to-step variability of steady
 * walking is a few per cent (stride CV 2-4 %, under 10 % even in the
 * neurodegenerative-disease records), so 1.5x is no gait variation but
 * standing, a shuffle, a stop or a turn.  A step is judged from the foot's
 * second step on, against whatever of the last STEADY_WINDOW steps there
 * are (STEADY_MIN): the first steps of a walk accelerate out of standing
 * and are not steady either (als1 left opened with stances of 2,337 and
 * 741 ms and strides of 2.6 and 1.8 s, which waiting for three steps let
 * into the summary: stance CV 14.1 % instead of 7.1 %). */
#define STEADY_WINDOW 5
#define STEADY_MIN 1
#define STEADY_FACTOR 1.5
/* Frames further apart than this many typical frame intervals mean frames
 * were lost (used when no sequence number says so). */
#define GAP_INTERVALS 1.8

/* A body-weight scale measurement (ins_analysis_bw_scale_start). */
struct bw_meter {
	int active, done;
	int64_t t0_us;
	uint32_t frames;
	double sum, sumsq;
	struct ins_bw_scale_result res;
};

struct stance_rec {
	int64_t contact_us, toe_off_us;
};

struct foot {
	const struct ins_layout *layout;
	struct analysis_frame_ctx *ctx;
	float *kpa;
	float *footprint;
	/* Sensor health (frame_metrics.h): each sensor's peak over the stance in
	 * progress, handed to the tracker when the step closes.  Grid layouts
	 * already keep exactly that as their footprint; sparse ones here. */
	struct analysis_sensor_health *health;
	float *stance_peak;         /* sparse layouts only */
	int stance_peak_dirty;
	int tare_pending;           /* tare at the next raw frame */
	struct bw_meter meter;
	struct analysis_events ev;
	struct analysis_step_acc acc;
	struct analysis_mask_acc *mask;  /* anatomical mask metrics (mask.h) */
	uint32_t next_index;
	uint64_t frames, gaps;
	int have_frame;
	int64_t last_t_us;
	uint32_t last_seq;
	double dt_est_us;           /* typical frame interval */
	struct stance_rec hist[GAIT_HISTORY]; /* completed stances, newest at (n_hist - 1) % */
	unsigned n_hist;
	int64_t cur_contact_us;     /* contact of the stance in progress, or INT64_MIN */
	/* stance and stride of the foot's last steps (steady or not), for the
	 * steady-state check; newest at (n_recent - 1) % STEADY_WINDOW */
	double recent_stance[STEADY_WINDOW], recent_stride[STEADY_WINDOW];
	unsigned n_recent;
};

struct ins_analysis {
	struct foot foot[INS_FOOT_COUNT];
	double body_weight_n;
	struct ins_step queue[STEP_QUEUE];
	unsigned q_head, q_len;
	uint64_t dropped_steps;
	uint64_t rejected_frames;
	struct ins_ratelimit rl_reject;
	struct ins_ratelimit rl_drop;
	struct ins_ratelimit rl_tare;
};

static double min_step_range(const struct foot *f)
{
	double full = 0;

	if (!f->layout->arbitrary_units)
		return MIN_STEP_RANGE_N;
	for (unsigned i = 0; i < f->layout->n_sensors; i++) {
		const struct ins_calib_curve *c = &analysis_frame_ctx_curves(f->ctx)[i];
		full += analysis_calib_eval(c, c->saturation);
	}
	return MIN_STEP_RANGE_FULL_SCALE * full;
}

static int foot_init(struct foot *f, const struct ins_layout *layout, const struct ins_calib_curve *calib,
		     unsigned foot, char *err, size_t errlen)
{
	char why[256];

	f->layout = layout;
	f->ctx = analysis_frame_ctx_new(layout, calib, why, sizeof(why));
	if (!f->ctx) {
		snprintf(err, errlen, "%s foot: %s", ins_foot_name(foot), why);
		return -1;
	}
	f->kpa = calloc(layout->n_sensors, sizeof(float));
	f->footprint = layout->is_grid ? calloc(layout->n_sensors, sizeof(float)) : NULL;
	f->stance_peak = layout->is_grid ? NULL : calloc(layout->n_sensors, sizeof(float));
	f->health = analysis_sensor_health_new(f->ctx);
	f->mask = analysis_mask_acc_new(layout);
	if (!f->kpa || (layout->is_grid ? !f->footprint : !f->stance_peak) || !f->health || !f->mask) {
		snprintf(err, errlen, "%s foot: out of memory for layout %s", ins_foot_name(foot), layout->name);
		return -1;
	}
	analysis_events_init(&f->ev, min_step_range(f), !layout->arbitrary_units);
	analysis_step_acc_init(&f->acc, layout, f->footprint);
	f->cur_contact_us = INT64_MIN;
	return 0;
}

static void foot_free(struct foot *f)
{
	analysis_frame_ctx_free(f->ctx);
	free(f->kpa);
	free(f->footprint);
	free(f->stance_peak);
	analysis_sensor_health_free(f->health);
	analysis_mask_acc_free(f->mask);
}

struct ins_analysis *ins_analysis_new(const struct ins_analysis_config *cfg, char *err, size_t errlen)
{
	struct ins_analysis *ana;
	int any = 0;

	if (!cfg) {
		snprintf(err, errlen, "analysis: no configuration");
		return NULL;
	}
	ana = calloc(1, sizeof(*ana));
	if (!ana) {
		snprintf(err, errlen, "analysis: out of memory");
		return NULL;
	}
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		if (!cfg->layout[foot])
			continue;
		any = 1;
		if (foot_init(&ana->foot[foot], cfg->layout[foot], cfg->calib[foot], foot, err, errlen) < 0)
			goto fail;
	}
	if (!any) {
		snprintf(err, errlen, "analysis: no layout for either foot");
		goto fail;
	}
	ana->body_weight_n = cfg->body_weight_n > 0 ? cfg->body_weight_n : 0;
	return ana;
fail:
	ins_analysis_free(ana);
	return NULL;
}

void ins_analysis_free(struct ins_analysis *ana)
{
	if (!ana)
		return;
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		foot_free(&ana->foot[foot]);
	free(ana);
}

void ins_analysis_set_body_weight(struct ins_analysis *ana, double body_weight_n)
{
	ana->body_weight_n = body_weight_n > 0 ? body_weight_n : 0;
}

/* Applied to the foot's next raw frame, so the hot path need not keep a
 * copy of every frame's counts for a request that comes once a session;
 * one frame later (10 ms) the unloaded foot reads the same. */
void ins_analysis_tare(struct ins_analysis *ana, unsigned foot)
{
	unsigned suppressed;

	if (foot >= INS_FOOT_COUNT || !ana->foot[foot].ctx) {
		if (ins_ratelimit_ok(&ana->rl_tare, &suppressed))
			ins_warn("tare of the %s foot ignored: no layout configured for it",
				 ins_foot_name(foot));
		return;
	}
	ana->foot[foot].tare_pending = 1;
}

/* ---- body-weight scaling --------------------------------------------------- */

int ins_analysis_bw_scale_start(struct ins_analysis *ana, unsigned foot, char *err, size_t errlen)
{
	struct foot *f;

	if (foot >= INS_FOOT_COUNT || !ana->foot[foot].ctx) {
		snprintf(err, errlen, "foot: no %s insole is configured", ins_foot_name(foot));
		return -1;
	}
	f = &ana->foot[foot];
	if (f->layout->arbitrary_units) {
		snprintf(err, errlen, "layout %s reads raw units, not pressure: there is no force to scale",
			 f->layout->name);
		return -1;
	}
	if (!(ana->body_weight_n > 0)) {
		snprintf(err, errlen, "the body weight is not known: set it first");
		return -1;
	}
	memset(&f->meter, 0, sizeof(f->meter));
	f->meter.active = 1;
	return 0;
}

void ins_analysis_bw_scale_cancel(struct ins_analysis *ana, unsigned foot)
{
	if (foot < INS_FOOT_COUNT)
		memset(&ana->foot[foot].meter, 0, sizeof(ana->foot[foot].meter));
}

int ins_analysis_bw_scale_result(struct ins_analysis *ana, unsigned foot, struct ins_bw_scale_result *out)
{
	struct bw_meter *m;

	if (foot >= INS_FOOT_COUNT || !ana->foot[foot].meter.done)
		return 0;
	m = &ana->foot[foot].meter;
	*out = m->res;
	m->done = 0;
	return 1;
}

static void meter_finish(const struct ins_analysis *ana, struct foot *f, unsigned foot)
{
	struct bw_meter *m = &f->meter;
	struct ins_bw_scale_result *r = &m->res;
	double mean = m->sum / m->frames, var = m->sumsq / m->frames - mean * mean;
	double scale;

	m->active = 0;
	m->done = 1;
	r->ok = 0;
	r->foot = foot;
	r->frames = m->frames;
	r->measured_force_n = mean;
	r->sd_force_n = var > 0 ? sqrt(var) : 0;
	r->body_weight_n = ana->body_weight_n;
	r->scale = NAN;
	if (m->frames < INS_BW_SCALE_MIN_FRAMES)
		snprintf(r->why, sizeof(r->why), "only %u frames from the %s insole in %.1f s: check the link",
			 (unsigned)m->frames, ins_foot_name(foot), INS_BW_SCALE_WINDOW_US / 1e6);
	else if (!(ana->body_weight_n > 0))
		snprintf(r->why, sizeof(r->why), "the body weight is not known: set it first");
	else if (!(mean > 0))
		snprintf(r->why, sizeof(r->why), "the %s foot carried no load: stand on it", ins_foot_name(foot));
	else if (r->sd_force_n > INS_BW_SCALE_MAX_CV * mean)
		snprintf(r->why, sizeof(r->why),
			 "the force was not steady: SD %.1f N is %.1f %% of the mean %.1f N (limit %.0f %%): "
			 "stand still on the %s foot alone",
			 r->sd_force_n, 100 * r->sd_force_n / mean, mean, 100 * INS_BW_SCALE_MAX_CV, ins_foot_name(foot));
	/* The force was measured through the current scale: the new absolute
	 * scale is that of the unscaled force. */
	else if (analysis_calib_body_weight_scale(mean / analysis_frame_scale(f->ctx), ana->body_weight_n, &scale, r->why,
					     sizeof(r->why)) == 0) {
		r->ok = 1;
		r->scale = scale;
	}
}

/* One frame of the foot: a branch when no measurement runs. */
static void meter_feed(const struct ins_analysis *ana, struct foot *f, unsigned foot, int64_t t_us, double force_n)
{
	struct bw_meter *m = &f->meter;

	if (!m->active)
		return;
	if (m->frames == 0)
		m->t0_us = t_us;
	m->frames++;
	m->sum += force_n;
	m->sumsq += force_n * force_n;
	if (t_us - m->t0_us >= INS_BW_SCALE_WINDOW_US)
		meter_finish(ana, f, foot);
}

int ins_analysis_set_scale(struct ins_analysis *ana, unsigned foot, double scale)
{
	if (foot >= INS_FOOT_COUNT || !ana->foot[foot].ctx)
		return -1;
	return analysis_frame_set_scale(ana->foot[foot].ctx, scale);
}

double ins_analysis_scale(const struct ins_analysis *ana, unsigned foot)
{
	return foot < INS_FOOT_COUNT && ana->foot[foot].ctx ? analysis_frame_scale(ana->foot[foot].ctx) : NAN;
}

/* Every curve kind is proportional to its gain or table values (see
 * analysis_calib_eval), so scaling those scales the pressure. */
int ins_analysis_calibration_scaled(const struct ins_analysis *ana, unsigned foot, struct ins_calib_curve *out)
{
	const struct foot *f;
	double scale;

	if (foot >= INS_FOOT_COUNT || !ana->foot[foot].ctx)
		return -1;
	f = &ana->foot[foot];
	scale = analysis_frame_scale(f->ctx);
	memcpy(out, analysis_frame_ctx_curves(f->ctx), f->layout->n_sensors * sizeof(*out));
	if (scale == 1.0)
		return 0;
	for (unsigned i = 0; i < f->layout->n_sensors; i++) {
		out[i].gain *= scale;
		for (unsigned k = 0; k < out[i].n_points && k < INS_CALIB_TABLE_MAX; k++)
			out[i].table_kpa[k] *= scale;
	}
	return 0;
}

const float *ins_analysis_last_kpa(const struct ins_analysis *ana, unsigned foot)
{
	return foot < INS_FOOT_COUNT && ana->foot[foot].ctx ? ana->foot[foot].kpa : NULL;
}

unsigned ins_analysis_mask_regions(const struct ins_analysis *ana, unsigned foot, uint8_t *regions_out)
{
	const struct foot *f;
	unsigned n;

	if (foot >= INS_FOOT_COUNT || !ana->foot[foot].ctx)
		return 0;
	f = &ana->foot[foot];
	n = f->layout->n_sensors;
	if (analysis_mask_acc_sensor_region(f->mask, 0) == INS_MASK_COUNT)
		return 0;
	for (unsigned i = 0; i < n; i++)
		regions_out[i] = (uint8_t)analysis_mask_acc_sensor_region(f->mask, i);
	return n;
}

unsigned ins_analysis_sensor_flags(const struct ins_analysis *ana, unsigned foot, uint8_t *flags_out)
{
	const struct foot *f;
	unsigned flagged = 0;

	if (foot >= INS_FOOT_COUNT || !ana->foot[foot].ctx)
		return 0;
	f = &ana->foot[foot];
	for (unsigned i = 0; i < f->layout->n_sensors; i++) {
		flags_out[i] = (uint8_t)analysis_sensor_health_flags(f->health, i);
		flagged += flags_out[i] != 0;
	}
	return flagged;
}

static int reject(struct ins_analysis *ana, unsigned foot, const char *why)
{
	unsigned suppressed;

	ana->rejected_frames++;
	if (ins_ratelimit_ok(&ana->rl_reject, &suppressed))
		ins_warn("%s foot: frame rejected: %s (%llu rejected so far, %u messages suppressed)",
			 ins_foot_name(foot), why, (unsigned long long)ana->rejected_frames, suppressed);
	return -1;
}

/* ---- temporal metrics across feet --------------------------------------- */

static const struct stance_rec *last_stance(const struct foot *f)
{
	return f->n_hist ? &f->hist[(f->n_hist - 1) % GAIT_HISTORY] : NULL;
}

static void remember_stance(struct foot *f, int64_t contact_us, int64_t toe_off_us)
{
	f->hist[f->n_hist % GAIT_HISTORY] = (struct stance_rec){ contact_us, toe_off_us };
	f->n_hist++;
}

static double overlap_us(int64_t a0, int64_t a1, int64_t b0, int64_t b1)
{
	int64_t lo = a0 > b0 ? a0 : b0, hi = a1 < b1 ? a1 : b1;

	return hi > lo ? (double)(hi - lo) : 0.0;
}

/* Latest opposite contact before `contact`, or INT64_MIN. */
static int64_t opposite_contact_before(const struct foot *o, int64_t contact)
{
	int64_t best = INT64_MIN;
	unsigned n = o->n_hist < GAIT_HISTORY ? o->n_hist : GAIT_HISTORY;

	for (unsigned k = 0; k < n; k++) {
		int64_t c = o->hist[k].contact_us;
		if (c != INT64_MIN && c < contact && c > best)
			best = c;
	}
	if (o->cur_contact_us != INT64_MIN && o->cur_contact_us < contact && o->cur_contact_us > best)
		best = o->cur_contact_us;
	return best;
}

static double double_support_us(const struct foot *o, int64_t c, int64_t t)
{
	unsigned n = o->n_hist < GAIT_HISTORY ? o->n_hist : GAIT_HISTORY;
	double sum = 0;

	for (unsigned k = 0; k < n; k++)
		if (o->hist[k].contact_us != INT64_MIN)
			sum += overlap_us(c, t, o->hist[k].contact_us, o->hist[k].toe_off_us);
	if (o->cur_contact_us != INT64_MIN && analysis_events_in_stance(&o->ev))
		sum += overlap_us(c, t, o->cur_contact_us, t);
	return sum;
}

static void temporal_metrics(const struct ins_analysis *ana, unsigned foot, int64_t c, int64_t t,
			     double *m)
{
	const struct foot *f = &ana->foot[foot], *o = &ana->foot[!foot];
	const struct stance_rec *prev = last_stance(f);
	double stride = NAN;

	m[INS_M_STANCE_MS] = (double)(t - c) / 1e3;
	if (prev && prev->contact_us != INT64_MIN && c - prev->contact_us <= MAX_STRIDE_US) {
		stride = (double)(c - prev->contact_us);
		m[INS_M_STRIDE_MS] = stride / 1e3;
		m[INS_M_SWING_MS] = (double)(c - prev->toe_off_us) / 1e3;
		m[INS_M_CADENCE_SPM] = 2.0 * 60e6 / stride;
		m[INS_M_CADENCE_STRIDES] = 60e6 / stride;
	}
	if (!o->ctx)
		return;
	m[INS_M_DOUBLE_SUPPORT_MS] = double_support_us(o, c, t) / 1e3;
	int64_t oc = opposite_contact_before(o, c);
	if (oc != INT64_MIN && (isfinite(stride) ? (double)(c - oc) < stride : c - oc <= MAX_STRIDE_US / 2))
		m[INS_M_STEP_MS] = (double)(c - oc) / 1e3;
}

/* ---- steps ----------------------------------------------------------------- */

static double median_of(const double *v, unsigned n)
{
	double s[STEADY_WINDOW];
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++)
		if (isfinite(v[i])) {
			unsigned j = k++;
			for (; j > 0 && s[j - 1] > v[i]; j--)
				s[j] = s[j - 1];
			s[j] = v[i];
		}
	if (k < STEADY_MIN)
		return NAN;
	return k % 2 ? s[k / 2] : 0.5 * (s[k / 2 - 1] + s[k / 2]);
}

static int far_from(double v, double median)
{
	return isfinite(v) && isfinite(median) && (v > STEADY_FACTOR * median || v * STEADY_FACTOR < median);
}

/* Steady-state flags of a step from its own stride and the foot's recent
 * steps (docs/analysis.md "Steady-state steps"); then remembers it. */
static void steady_state_flags(struct foot *f, struct ins_step *step)
{
	unsigned n = f->n_recent < STEADY_WINDOW ? f->n_recent : STEADY_WINDOW;
	double stance = step->m[INS_M_STANCE_MS], stride = step->m[INS_M_STRIDE_MS];

	if (!isfinite(stride))
		step->flags |= INS_STEP_INITIATION;
	if (far_from(stance, median_of(f->recent_stance, n)) || far_from(stride, median_of(f->recent_stride, n)))
		step->flags |= INS_STEP_IRREGULAR;
	f->recent_stance[f->n_recent % STEADY_WINDOW] = stance;
	f->recent_stride[f->n_recent % STEADY_WINDOW] = stride;
	f->n_recent++;
}

static void queue_step(struct ins_analysis *ana, const struct ins_step *st)
{
	unsigned suppressed;

	if (ana->q_len == STEP_QUEUE) {
		ana->q_head = (ana->q_head + 1) % STEP_QUEUE;
		ana->q_len--;
		ana->dropped_steps++;
		if (ins_ratelimit_ok(&ana->rl_drop, &suppressed))
			ins_warn("step queue full: oldest step dropped (%llu so far); the caller "
				 "must drain ins_analysis_next_step() after each feed",
				 (unsigned long long)ana->dropped_steps);
	}
	ana->queue[(ana->q_head + ana->q_len) % STEP_QUEUE] = *st;
	ana->q_len++;
}

void ins_analysis_stats(const struct ins_analysis *ana, struct ins_analysis_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		out->frames[foot] = ana->foot[foot].frames;
		out->gaps[foot] = ana->foot[foot].gaps;
		out->steps[foot] = ana->foot[foot].next_index;
	}
	out->rejected_frames = ana->rejected_frames;
	out->dropped_steps = ana->dropped_steps;
}

int ins_analysis_next_step(struct ins_analysis *ana, struct ins_step *out)
{
	if (ana->q_len == 0)
		return 0;
	*out = ana->queue[ana->q_head];
	ana->q_head = (ana->q_head + 1) % STEP_QUEUE;
	ana->q_len--;
	return 1;
}

static void close_step(struct ins_analysis *ana, unsigned foot, const struct analysis_ev_stance *st)
{
	struct foot *f = &ana->foot[foot];
	struct ins_step step;
	struct analysis_foot on_grid;

	f->cur_contact_us = INT64_MIN;
	if (st->contact_us == INT64_MIN) {
		/* The stance began before the detector could see it: no step, but
		 * its toe-off starts the next swing. */
		remember_stance(f, st->contact_us, st->toe_off_us);
		return;
	}
	memset(&step, 0, sizeof(step));
	for (unsigned i = 0; i < INS_M_COUNT; i++)
		step.m[i] = NAN;
	step.foot = (uint8_t)foot;
	step.index = f->next_index++;
	step.contact_us = st->contact_us;
	step.toe_off_us = st->toe_off_us;
	temporal_metrics(ana, foot, st->contact_us, st->toe_off_us, step.m);
	/* before the step accumulator clears the footprint */
	analysis_sensor_health_add_step(f->health, f->footprint ? f->footprint : f->stance_peak);
	analysis_mask_acc_close(f->mask, st->contact_us, st->toe_off_us, f->footprint, step.m);
	analysis_step_acc_close(&f->acc, st->contact_us, st->toe_off_us, ana->body_weight_n,
				analysis_mask_acc_foot(f->mask, &on_grid) ? &on_grid : NULL, &step);
	steady_state_flags(f, &step);
	remember_stance(f, st->contact_us, st->toe_off_us);
	queue_step(ana, &step);
}

/* ---- the hot path -------------------------------------------------------- */

/* Sparse layouts (grids have their footprint). */
static void track_stance_peak(struct foot *f)
{
	if (!f->stance_peak)
		return;
	analysis_max_into(f->stance_peak, f->kpa, f->layout->n_sensors);
	f->stance_peak_dirty = 1;
}

/* A swing frame: the closed stance's peaks are spent (or belonged to a
 * knock the detector dropped); the foot in the air tells stuck sensors. */
static void track_swing(struct foot *f)
{
	if (f->stance_peak_dirty) {
		memset(f->stance_peak, 0, f->layout->n_sensors * sizeof(float));
		f->stance_peak_dirty = 0;
	}
	analysis_sensor_health_add_swing(f->health, f->kpa);
}

/* The frame's metrics into *out and the step and mask accumulators;
 * returns its force. */
static float frame_metrics(struct foot *f, int64_t t_us, int gap, struct ins_frame_metrics *out)
{
	struct analysis_frame_extra extra;

	analysis_frame_compute(f->ctx, f->kpa, out, &extra);
	out->t_us = t_us;
	analysis_step_acc_push(&f->acc, out, extra.region_peak_kpa, gap);
	analysis_mask_acc_push(f->mask, t_us, f->kpa, out->peak_kpa, out->force_n);
	return out->force_n;
}

/* An arbitrary-unit layout's frame when nobody asked for its metrics: its
 * steps are made of time, force, saturation and gaps alone, so the CoP,
 * regions and areas of every frame (a per-frame cost that dominates a
 * one-sensor footswitch) are skipped.  The mask has no sensors in raw
 * units. */
static float frame_force(struct foot *f, int64_t t_us, int gap)
{
	unsigned n_sat;
	float force = analysis_frame_force(f->ctx, f->kpa, &n_sat);

	analysis_step_acc_push_raw(&f->acc, t_us, force, n_sat, gap);
	return force;
}

/* out: the frame's metrics, or NULL when the caller does not want them. */
static void process(struct ins_analysis *ana, unsigned foot, int64_t t_us, int gap, struct ins_frame_metrics *out)
{
	struct foot *f = &ana->foot[foot];
	struct ins_frame_metrics unwanted;
	struct analysis_ev_stance st;
	int64_t contact;
	float force;
	int mask, event = INS_EVENT_NONE;

	f->frames++;
	f->gaps += gap != 0;
	if (out || !f->layout->arbitrary_units)
		force = frame_metrics(f, t_us, gap, out ? out : &unwanted);
	else
		force = frame_force(f, t_us, gap);
	meter_feed(ana, f, foot, t_us, force);
	mask = analysis_events_feed(&f->ev, t_us, force, &contact, &st);
	/* The footprint only needs loaded frames: in swing every cell is below
	 * the contact threshold anyway. */
	if (analysis_events_in_stance(&f->ev) || mask > 0) {
		analysis_step_acc_footprint(&f->acc, f->kpa);
		track_stance_peak(f);
	} else if (analysis_events_at_floor(&f->ev, force)) {
		analysis_frame_learn_noise(f->ctx, f->kpa);
		track_swing(f);
	}
	if (mask > 0 && (mask & INS_EVENT_TOE_OFF)) {
		event = INS_EVENT_TOE_OFF;
		close_step(ana, foot, &st);
	}
	if (mask > 0 && (mask & INS_EVENT_CONTACT)) {
		event = INS_EVENT_CONTACT;
		f->cur_contact_us = contact;
	}
	/* A stance the detector dropped (too short: a knock) leaves no contact
	 * for the other foot's step time and double support. */
	if (!analysis_events_in_stance(&f->ev))
		f->cur_contact_us = INT64_MIN;
	if (out) {
		out->foot = (uint8_t)foot;
		out->event = (uint8_t)event;
		out->in_stance = (uint8_t)analysis_events_in_stance(&f->ev);
	}
}

/* Frames lost before this one, as the step accumulator keeps it (up to 255:
 * beyond a couple the number no longer matters, only that it is large). */
static int gap_frames(double missing)
{
	if (!(missing >= 1))
		return 1;
	return missing > 255 ? 255 : (int)missing;
}

/* Time checks shared by both feed paths; returns how many frames were lost
 * before this one (0: none), judged from the time step, or -1.  Inlined
 * into both: a call per frame for a few comparisons and one update. */
static inline __attribute__((always_inline)) int check_time(struct ins_analysis *ana, struct foot *f, unsigned foot, int64_t t_us)
{
	int gap = 0;

	if (f->have_frame) {
		int64_t dt = t_us - f->last_t_us;
		if (dt <= 0)
			return reject(ana, foot, "time did not advance");
		if (f->dt_est_us > 0 && (double)dt > GAP_INTERVALS * f->dt_est_us)
			gap = gap_frames(round((double)dt / f->dt_est_us) - 1);
		else
			f->dt_est_us = f->dt_est_us > 0 ? 0.9 * f->dt_est_us + 0.1 * (double)dt : (double)dt;
	}
	return gap;
}

int ins_analysis_feed(struct ins_analysis *ana, const struct ins_frame *frame, struct ins_frame_metrics *out)
{
	unsigned foot = frame->foot;
	struct foot *f;
	int gap;

	if (foot >= INS_FOOT_COUNT || !ana->foot[foot].ctx)
		return reject(ana, foot, "no layout configured for this foot");
	f = &ana->foot[foot];
	if (frame->n != f->layout->n_sensors || !frame->values)
		return reject(ana, foot, "sensor count does not match the layout");
	gap = check_time(ana, f, foot, frame->t_us);
	if (gap < 0)
		return -1;
	/* The sequence number counts lost frames exactly; a jump it cannot
	 * explain (device restart, wrap) leaves the time's estimate. */
	if (f->have_frame && frame->seq != f->last_seq + 1u) {
		uint32_t jump = frame->seq - f->last_seq - 1u;
		gap = jump < 255 ? gap_frames(jump) : gap_frames(gap);
	}
	f->last_seq = frame->seq;
	f->last_t_us = frame->t_us;
	f->have_frame = 1;
	if (f->tare_pending) {
		analysis_frame_tare(f->ctx, frame->values);
		f->tare_pending = 0;
	}
	analysis_frame_calibrate(f->ctx, frame->values, f->kpa);
	process(ana, foot, frame->t_us, gap, out);
	return 0;
}

int ins_analysis_feed_kpa(struct ins_analysis *ana, unsigned foot, int64_t t_us, const float *kpa, unsigned n,
			  struct ins_frame_metrics *out)
{
	struct foot *f;
	int gap;

	if (foot >= INS_FOOT_COUNT || !ana->foot[foot].ctx)
		return reject(ana, foot, "no layout configured for this foot");
	f = &ana->foot[foot];
	if (n != f->layout->n_sensors || !kpa)
		return reject(ana, foot, "sensor count does not match the layout");
	gap = check_time(ana, f, foot, t_us);
	if (gap < 0)
		return -1;
	f->last_t_us = t_us;
	f->have_frame = 1;
	memcpy(f->kpa, kpa, n * sizeof(float));
	analysis_frame_clean_kpa(f->kpa, n);
	process(ana, foot, t_us, gap, out);
	return 0;
}
