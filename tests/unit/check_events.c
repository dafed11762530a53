/* Gait events and temporal step metrics through the engine, on synthetic
 * force signals with known answers.
 *
 * Square pulses sampled every 10 ms give exact expected times: the contact
 * onset (5 % of the stance level) interpolates to 0.5 ms after the last
 * unloaded frame; the toe-off is midway between the 5 % level crossing
 * (9.5 ms after the last loaded frame) and the knee of the unloading (the
 * next frame, 10 ms), i.e. 9.75 ms after the last loaded frame. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insoled/analysis.h"
#include "insoled/synth.h"
#include "analysis_fixtures.h"
#include "lib.h"

#define DT_MS 10
#define CONTACT_AFTER_MS 0.5   /* after the last unloaded frame */
#define TOE_OFF_AFTER_MS 9.75  /* after the last loaded frame */
#define MAX_TEST_STEPS 256
/* Every stream starts with 200 ms of unloaded feet: the first stance after
 * the detector learns its levels only counts when the foot was seen
 * unloaded for 100 ms before it. */
#define QUIET_MS 200

struct gait {
	int stride_ms, stance_from_ms, stance_to_ms; /* loaded frames: [from, to] + k * stride */
	int offset_ms;                               /* right foot's shift */
	double force_n;
};

struct run {
	struct ins_step steps[MAX_TEST_STEPS];
	unsigned n;
	unsigned contact_flags[INS_FOOT_COUNT];
	unsigned toe_off_flags[INS_FOOT_COUNT];
	struct ins_analysis_stats stats;
};

static int loaded(const struct gait *g, int t)
{
	int phase = ((t % g->stride_ms) + g->stride_ms) % g->stride_ms;

	return t >= g->stance_from_ms && phase >= g->stance_from_ms && phase <= g->stance_to_ms;
}

static void collect(struct ins_analysis *ana, const struct ins_frame_metrics *fm, struct run *r)
{
	struct ins_step st;

	if (fm->event == INS_EVENT_CONTACT)
		r->contact_flags[fm->foot]++;
	if (fm->event == INS_EVENT_TOE_OFF)
		r->toe_off_flags[fm->foot]++;
	while (ins_analysis_next_step(ana, &st))
		if (r->n < MAX_TEST_STEPS)
			r->steps[r->n++] = st;
}

/* A load profile on the five-sensor fixture: which feet, for how long, and
 * the kPa of each foot's sensors at t ms (1000 mm2 each: kPa == N). */
struct profile {
	int feet_mask, duration_ms;
	/* fills kpa (all zero on entry) before the frame is fed; may also act
	 * on the analysis at that moment */
	void (*fill)(struct ins_analysis *ana, unsigned foot, int t, float kpa[FX_N], const void *ctx);
	const void *ctx;
	/* when set, looks at each frame's metrics once analysed, noting what
	 * it saw in seen */
	void (*frame)(const struct ins_frame_metrics *fm, int t, void *seen);
	void *seen;
};

/* Feed p's feet every DT_MS from -QUIET_MS to p->duration_ms (left foot
 * first in each period), collecting events, steps and counters in r. */
static void feed_profile(const struct profile *p, struct run *r)
{
	struct ins_layout *l = fixture_sparse5(0);
	struct ins_analysis_config cfg = { 0 };
	struct ins_analysis *ana;
	char err[256];

	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		if (p->feet_mask & (1 << foot))
			cfg.layout[foot] = l;
	ana = ins_analysis_new(&cfg, err, sizeof err);
	ck_assert_msg(ana != NULL, "%s", err);
	memset(r, 0, sizeof(*r));
	for (int t = -QUIET_MS; t <= p->duration_ms; t += DT_MS) {
		for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
			float kpa[FX_N] = { 0 };
			struct ins_frame_metrics fm;
			if (!(p->feet_mask & (1 << foot)))
				continue;
			p->fill(ana, foot, t, kpa, p->ctx);
			ck_assert_int_eq(ins_analysis_feed_kpa(ana, foot, (int64_t)t * 1000, kpa, FX_N, &fm), 0);
			if (p->frame)
				p->frame(&fm, t, p->seen);
			collect(ana, &fm, r);
		}
	}
	ins_analysis_stats(ana, &r->stats);
	ins_analysis_free(ana);
	fixture_free(l);
}

/* Fills a frame's raw counts (all zero on entry) at t ms; returns 0 to
 * leave the frame out, a lost frame whose sequence number is used up. */
typedef int (*counts_fill_fn)(int t, uint16_t *counts, const void *ctx);

/* Feed the left foot frames of n raw counts every DT_MS from -QUIET_MS
 * while t < end_ms, collecting events, steps and counters in r. */
static void feed_counts(struct ins_analysis *ana, unsigned n, int end_ms, counts_fill_fn fill, const void *ctx,
			struct run *r)
{
	static uint16_t counts[INS_MAX_SENSORS];
	struct ins_frame f = { .foot = INS_FOOT_LEFT, .n = n, .values = counts };
	struct ins_frame_metrics fm;

	ck_assert_uint_le(n, INS_MAX_SENSORS);
	memset(r, 0, sizeof(*r));
	for (int t = -QUIET_MS; t < end_ms; t += DT_MS, f.seq++) {
		memset(counts, 0, n * sizeof counts[0]);
		if (!fill(t, counts, ctx))
			continue;
		f.t_us = (int64_t)t * 1000;
		ck_assert_int_eq(ins_analysis_feed(ana, &f, &fm), 0);
		collect(ana, &fm, r);
	}
	ins_analysis_stats(ana, &r->stats);
}

/* A square-pulse gait on the medial heel sensor, the right foot offset_ms
 * behind the left. */
static void gait_fill(struct ins_analysis *ana, unsigned foot, int t, float kpa[FX_N], const void *ctx)
{
	const struct gait *g = ctx;

	(void)ana;
	if (loaded(g, t - (foot == INS_FOOT_RIGHT ? g->offset_ms : 0)))
		kpa[FX_HEEL_M] = (float)g->force_n;
}

/* Feed both (or one) feet of a square-pulse gait for duration_ms. */
static void run_gait(const struct gait *g, int feet_mask, int duration_ms, struct run *r)
{
	const struct profile p = { .feet_mask = feet_mask, .duration_ms = duration_ms, .fill = gait_fill,
				   .ctx = g };

	feed_profile(&p, r);
}

static const struct ins_step *find_step(const struct run *r, unsigned foot, unsigned index)
{
	for (unsigned k = 0; k < r->n; k++)
		if (r->steps[k].foot == foot && r->steps[k].index == index)
			return &r->steps[k];
	return NULL;
}

START_TEST(walking_both_feet_exact_timing)
{
	static struct run r;
	const struct gait g = { .stride_ms = 1000, .stance_from_ms = 10, .stance_to_ms = 600,
				.offset_ms = 500, .force_n = 800 };

	run_gait(&g, 3, 10000, &r);
	/* 10 strides per foot; the last right stance is still open at 10 s */
	ck_assert_uint_eq(r.n, 19);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		for (unsigned k = 1; k < 9; k++) {
			const struct ins_step *s = find_step(&r, foot, k);
			double start = 1000.0 * k + (foot ? 500 : 0);
			ck_assert_ptr_nonnull(s);
			ck_assert_int_eq(s->contact_us, (int64_t)llround((start + CONTACT_AFTER_MS) * 1000));
			ck_assert_int_eq(s->toe_off_us, (int64_t)llround((start + 600 + TOE_OFF_AFTER_MS) * 1000));
			ck_assert_double_eq_tol(s->m[INS_M_STANCE_MS], 609.25, 1e-9);
			ck_assert_double_eq_tol(s->m[INS_M_STRIDE_MS], 1000, 1e-9);
			ck_assert_double_eq_tol(s->m[INS_M_SWING_MS], 390.75, 1e-9);
			ck_assert_double_eq_tol(s->m[INS_M_STEP_MS], 500, 1e-9);
			/* overlap with the opposite stance before and after: 2 x 109.25 */
			ck_assert_double_eq_tol(s->m[INS_M_DOUBLE_SUPPORT_MS], 218.5, 1e-9);
			ck_assert_double_eq_tol(s->m[INS_M_CADENCE_SPM], 120, 1e-9);
			ck_assert_double_eq_tol(s->m[INS_M_CADENCE_STRIDES], 60, 1e-9);
			ck_assert_double_eq_tol(s->m[INS_M_PEAK_FORCE_N], 800, 1e-3);
		}
		/* the first step has no previous cycle */
		ck_assert(isnan(find_step(&r, foot, 0)->m[INS_M_STRIDE_MS]));
		ck_assert(isnan(find_step(&r, foot, 0)->m[INS_M_SWING_MS]));
		ck_assert_uint_eq(r.contact_flags[foot], 10);
	}
	ck_assert_uint_eq(r.toe_off_flags[INS_FOOT_LEFT], 10);
	ck_assert_uint_eq(r.toe_off_flags[INS_FOOT_RIGHT], 9);
	ck_assert_uint_eq(r.stats.frames[INS_FOOT_LEFT], (10000 + QUIET_MS) / DT_MS + 1);
	ck_assert_uint_eq(r.stats.steps[INS_FOOT_LEFT], 10);
	ck_assert_uint_eq(r.stats.steps[INS_FOOT_RIGHT], 9);
	ck_assert_uint_eq(r.stats.gaps[INS_FOOT_LEFT], 0);
	ck_assert_uint_eq(r.stats.dropped_steps, 0);
}
END_TEST

START_TEST(running_flight_phase_has_no_double_support)
{
	static struct run r;
	const struct gait g = { .stride_ms = 700, .stance_from_ms = 10, .stance_to_ms = 250,
				.offset_ms = 350, .force_n = 1800 };

	run_gait(&g, 3, 7000, &r);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		for (unsigned k = 1; k < 8; k++) {
			const struct ins_step *s = find_step(&r, foot, k);
			ck_assert_ptr_nonnull(s);
			/* 1800 N: the onset and end levels are capped at 40 N
			 * (not 5 % = 90 N): contact 40/1800 of a frame after the
			 * last unloaded frame, toe-off midway between the 40 N
			 * crossing and the next frame. */
			double c = 10.0 * 40 / 1800, o = 0.5 * ((10.0 - c) + 10.0);
			ck_assert_double_eq_tol(s->m[INS_M_STANCE_MS], 240 + 10 - c + o, 1e-3);
			ck_assert_double_eq_tol(s->m[INS_M_STRIDE_MS], 700, 1e-9);
			ck_assert_double_eq_tol(s->m[INS_M_SWING_MS], 700 - (240 + 10 - c + o), 1e-3);
			ck_assert_double_eq_tol(s->m[INS_M_STEP_MS], 350, 1e-9);
			ck_assert_double_eq_tol(s->m[INS_M_DOUBLE_SUPPORT_MS], 0, 1e-9);
			ck_assert_double_eq_tol(s->m[INS_M_CADENCE_SPM], 120000.0 / 700, 1e-9);
		}
	}
}
END_TEST

START_TEST(one_foot_alone)
{
	static struct run r;
	const struct gait g = { .stride_ms = 1200, .stance_from_ms = 10, .stance_to_ms = 700,
				.offset_ms = 0, .force_n = 600 };

	run_gait(&g, 1 << INS_FOOT_RIGHT, 6000, &r);
	ck_assert_uint_eq(r.n, 5);
	for (unsigned k = 0; k < r.n; k++) {
		const struct ins_step *s = &r.steps[k];
		ck_assert_uint_eq(s->foot, INS_FOOT_RIGHT);
		ck_assert_uint_eq(s->index, k);
		ck_assert_double_eq_tol(s->m[INS_M_STANCE_MS], 709.25, 1e-9);
		ck_assert(isnan(s->m[INS_M_STEP_MS]));
		ck_assert(isnan(s->m[INS_M_DOUBLE_SUPPORT_MS]));
		if (k > 0) {
			ck_assert_double_eq_tol(s->m[INS_M_STRIDE_MS], 1200, 1e-9);
			ck_assert_double_eq_tol(s->m[INS_M_CADENCE_STRIDES], 50, 1e-9);
			ck_assert_double_eq_tol(s->m[INS_M_CADENCE_SPM], 100, 1e-9);
		}
	}
}
END_TEST

/* Standing: both feet loaded with sway (+-5 N at 0.3 Hz, +-3 N at 7 Hz) for
 * 30 s: no event, no step. */
static void standing_fill(struct ins_analysis *ana, unsigned foot, int t, float kpa[FX_N], const void *ctx)
{
	double sway = 5 * sin(2 * M_PI * 0.3 * t / 1000.0) * (foot ? -1 : 1) + 3 * sin(2 * M_PI * 7 * t / 1000.0);

	(void)ana, (void)ctx;
	kpa[FX_HEEL_M] = (float)(200 + sway);
	kpa[FX_FORE] = 150;
}

static void assert_no_event(const struct ins_frame_metrics *fm, int t, void *seen)
{
	(void)t, (void)seen;
	ck_assert_uint_eq(fm->event, INS_EVENT_NONE);
}

START_TEST(standing_still_makes_no_steps)
{
	const struct profile p = { .feet_mask = 3, .duration_ms = 30000, .fill = standing_fill,
				   .frame = assert_no_event };
	static struct run r;

	feed_profile(&p, &r);
	ck_assert_uint_eq(r.n, 0);
}
END_TEST

/* Walking, then standing on both feet: the walk's steps, then nothing. */
static void walk_then_stand_fill(struct ins_analysis *ana, unsigned foot, int t, float kpa[FX_N], const void *ctx)
{
	if (t < 5000)
		gait_fill(ana, foot, t, kpa, ctx);
	else
		kpa[FX_HEEL_M] = (float)(400 + 8 * sin(2 * M_PI * 0.25 * t / 1000.0));
}

START_TEST(walking_then_standing)
{
	const struct gait g = { .stride_ms = 1000, .stance_from_ms = 10, .stance_to_ms = 600,
				.offset_ms = 500, .force_n = 800 };
	const struct profile p = { .feet_mask = 3, .duration_ms = 40000, .fill = walk_then_stand_fill, .ctx = &g };
	static struct run r;

	feed_profile(&p, &r);
	/* left steps 0-4 (contacts 0..4000 ms), right 0-3 (500..3500 ms);
	 * the stances in progress at 5 s never end */
	ck_assert_uint_eq(r.n, 9);
	for (unsigned k = 0; k < r.n; k++)
		ck_assert_int_lt(r.steps[k].contact_us, 5000000);
}
END_TEST

/* A scripted walk on the medial heel sensor: each foot's loaded stretches
 * [from, to] ms (frames included) at their force, 0 N in between. */
struct segment {
	int from_ms, to_ms;
	float force_n;
};
struct script {
	const struct segment *seg[INS_FOOT_COUNT];
	unsigned n[INS_FOOT_COUNT];
};

static void script_fill(struct ins_analysis *ana, unsigned foot, int t, float kpa[FX_N], const void *ctx)
{
	const struct script *sc = ctx;

	(void)ana;
	for (unsigned k = 0; k < sc->n[foot]; k++)
		if (t >= sc->seg[foot][k].from_ms && t <= sc->seg[foot][k].to_ms)
			kpa[FX_HEEL_M] = sc->seg[foot][k].force_n;
}

/* Every step of `foot` in r: contact where its stretch begins and toe-off
 * where it ends (the square-pulse offsets), each to within 1 us, and the
 * flags expected[k] on the foot's step k; n_expected steps in all. */
static void assert_script_steps(const struct run *r, unsigned foot, const struct segment *stance,
				const uint32_t *expected, unsigned n_expected)
{
	unsigned k = 0;

	for (unsigned i = 0; i < r->n; i++) {
		const struct ins_step *s = &r->steps[i];
		if (s->foot != foot)
			continue;
		ck_assert_uint_lt(k, n_expected);
		ck_assert_int_eq(s->contact_us, (int64_t)llround((stance[k].from_ms - DT_MS + CONTACT_AFTER_MS) * 1000));
		ck_assert_int_eq(s->toe_off_us, (int64_t)llround((stance[k].to_ms + TOE_OFF_AFTER_MS) * 1000));
		ck_assert_msg(s->flags == expected[k], "%s step %u: flags %u, expected %u", ins_foot_name(foot), k,
			      (unsigned)s->flags, (unsigned)expected[k]);
		k++;
	}
	ck_assert_uint_eq(k, n_expected);
}

/* Standing before and after walking.  Both feet stand (left 450 N, right
 * 350 N) for 5 s; at 5000 ms the left lifts and the right takes the whole
 * weight; 1 s strides follow (left stances 5400-5990 ms + k s, right
 * 5900-6490 + k s); at 15200 ms the left lands into standing and the right,
 * in stance since 14900, stays there.  No step comes from the standing: the
 * right stance the walk opens with began before the foot was seen unloaded,
 * and the two stances that end in standing never end.  Every other stance
 * is a step with its events at the square-pulse times; the first of each
 * foot is INITIATION, the rest steady. */
#define STAND_WALK_STRIDES_L 10
#define STAND_WALK_STRIDES_R 9
static struct segment stand_walk_l[STAND_WALK_STRIDES_L + 2], stand_walk_r[STAND_WALK_STRIDES_R + 4];

static void stand_walk_script(struct script *sc)
{
	unsigned nl = 0, nr = 0;

	stand_walk_l[nl++] = (struct segment){ -QUIET_MS, 4990, 450 };
	for (int k = 0; k < STAND_WALK_STRIDES_L; k++)
		stand_walk_l[nl++] = (struct segment){ 5400 + 1000 * k, 5990 + 1000 * k, 800 };
	stand_walk_l[nl++] = (struct segment){ 15200, 25000, 450 };
	stand_walk_r[nr++] = (struct segment){ -QUIET_MS, 4990, 350 };
	stand_walk_r[nr++] = (struct segment){ 5000, 5490, 800 };
	for (int k = 0; k < STAND_WALK_STRIDES_R; k++)
		stand_walk_r[nr++] = (struct segment){ 5900 + 1000 * k, 6490 + 1000 * k, 800 };
	stand_walk_r[nr++] = (struct segment){ 14900, 15190, 800 };
	stand_walk_r[nr++] = (struct segment){ 15200, 25000, 350 };
	*sc = (struct script){ { stand_walk_l, stand_walk_r }, { nl, nr } };
}

START_TEST(standing_before_and_after_walking)
{
	static struct run r;
	struct script sc;
	uint32_t flags_l[STAND_WALK_STRIDES_L] = { INS_STEP_INITIATION }, flags_r[STAND_WALK_STRIDES_R] = {
		INS_STEP_INITIATION
	};

	stand_walk_script(&sc);
	const struct profile p = { .feet_mask = 3, .duration_ms = 25000, .fill = script_fill, .ctx = &sc };
	feed_profile(&p, &r);
	assert_script_steps(&r, INS_FOOT_LEFT, stand_walk_l + 1, flags_l, STAND_WALK_STRIDES_L);
	assert_script_steps(&r, INS_FOOT_RIGHT, stand_walk_r + 2, flags_r, STAND_WALK_STRIDES_R);
	ck_assert_uint_eq(r.toe_off_flags[INS_FOOT_LEFT], STAND_WALK_STRIDES_L);
	ck_assert_uint_eq(r.toe_off_flags[INS_FOOT_RIGHT], STAND_WALK_STRIDES_R + 1);
}
END_TEST

/* A pivot turn: 1 s strides (stances 590 ms of frames), then the left foot
 * (inside the turn) pivots, loaded from 5000 to 6190 ms while the right
 * steps on through it, and walking goes on from the left's next contact at
 * 7000.  Detected: the pivot's stance (1199.25 ms against a median of
 * 609.25 ms, over 1.5 times) and the next left stride (2000 ms against 1000)
 * are IRREGULAR, the left step before the pivot TERMINATION once read
 * back; everything else steady, every event at its square-pulse time. */
static const struct segment turn_l[] = { { 0, 590, 800 },     { 1000, 1590, 800 }, { 2000, 2590, 800 },
					 { 3000, 3590, 800 }, { 4000, 4590, 800 }, { 5000, 6190, 800 },
					 { 7000, 7590, 800 }, { 8000, 8590, 800 }, { 9000, 9590, 800 },
					 { 10000, 10590, 800 } };
static const struct segment turn_r[] = { { 500, 1090, 800 },  { 1500, 2090, 800 }, { 2500, 3090, 800 },
					 { 3500, 4090, 800 }, { 4500, 5090, 800 }, { 5500, 6090, 800 },
					 { 6500, 7090, 800 }, { 7500, 8090, 800 }, { 8500, 9090, 800 },
					 { 9500, 10090, 800 } };

START_TEST(pivot_turn_flags_its_steps)
{
	static struct run r;
	const struct script sc = { { turn_l, turn_r }, { 10, 10 } };
	const struct profile p = { .feet_mask = 3, .duration_ms = 11000, .fill = script_fill, .ctx = &sc };
	const uint32_t flags_l[10] = { INS_STEP_INITIATION, 0, 0, 0, 0, INS_STEP_IRREGULAR, INS_STEP_IRREGULAR };
	const uint32_t flags_r[10] = { INS_STEP_INITIATION };

	struct ins_step_delay d;
	struct ins_step out;

	feed_profile(&p, &r);
	assert_script_steps(&r, INS_FOOT_LEFT, turn_l, flags_l, 10);
	assert_script_steps(&r, INS_FOOT_RIGHT, turn_r, flags_r, 10);
	/* read back one step late: the step before the pivot ended a bout */
	ins_step_delay_init(&d);
	for (unsigned k = 0; k < r.n; k++)
		if (ins_step_delay_push(&d, &r.steps[k], &out))
			ck_assert_uint_eq(out.flags & INS_STEP_TERMINATION,
					  out.foot == INS_FOOT_LEFT && out.index == 4 ? INS_STEP_TERMINATION : 0);
}
END_TEST

/* A contact that bounces (unloaded for one frame 30 ms in) and a stance
 * with a 60 ms dip to 10 % are each one step: the reload comes before any
 * swing could have happened. */
static void bounce_and_dip_fill(struct ins_analysis *ana, unsigned foot, int t, float kpa[FX_N], const void *ctx)
{
	int phase = t % 1000;

	(void)ana, (void)foot, (void)ctx;
	if (t >= 10 && phase >= 10 && phase <= 600) {
		kpa[FX_HEEL_M] = 700;
		if (phase == 40)
			kpa[FX_HEEL_M] = 0; /* bounce */
		if (phase >= 300 && phase < 360)
			kpa[FX_HEEL_M] = 70; /* dip */
	}
}

START_TEST(bounce_and_dip_do_not_double_trigger)
{
	const struct profile p = { .feet_mask = 1 << INS_FOOT_LEFT, .duration_ms = 6000, .fill = bounce_and_dip_fill };
	static struct run r;

	feed_profile(&p, &r);
	ck_assert_uint_eq(r.n, 6);
	ck_assert_uint_eq(r.contact_flags[INS_FOOT_LEFT], 6);
	for (unsigned k = 1; k < r.n; k++) {
		ck_assert_double_eq_tol(r.steps[k].m[INS_M_STRIDE_MS], 1000, 1e-9);
		ck_assert_double_eq_tol(r.steps[k].m[INS_M_STANCE_MS], 609.25, 1e-9);
	}
}
END_TEST

/* A raw footswitch (12-bit counts) whose unloaded level drifts from 200 to
 * 900 counts over 60 s (a third of the 2000-count step) while walking:
 * every stride is found and timed to within 1 ms, and one frame lost in
 * mid-stance (30010 ms) is counted but bridged. */
static int drifting_fill(int t, uint16_t *counts, const void *ctx)
{
	int phase = t % 1100;

	(void)ctx;
	counts[0] = (uint16_t)(200 + 700.0 * t / 60000 + (t >= 10 && phase >= 10 && phase <= 700 ? 2000 : 0));
	return t != 30010;
}

START_TEST(raw_signal_with_baseline_drift)
{
	struct ins_layout *l = fixture_footswitch();
	struct ins_analysis_config cfg = { .layout = { l, NULL } };
	struct ins_analysis *ana;
	static struct run r;
	char err[256];

	ana = ins_analysis_new(&cfg, err, sizeof err);
	ck_assert_ptr_nonnull(ana);
	feed_counts(ana, 1, 60000 + DT_MS, drifting_fill, NULL, &r);
	ck_assert_uint_eq(r.n, 54);
	/* the first step has no stride: the start of the walk; one frame lost
	 * in mid-stance is bridged, the step stays steady */
	for (unsigned k = 0; k < r.n; k++)
		ck_assert_uint_eq(r.steps[k].flags, k == 0 ? INS_STEP_INITIATION : 0);
	ck_assert_uint_eq(r.stats.gaps[INS_FOOT_LEFT], 1);
	for (unsigned k = 1; k < r.n; k++) {
		ck_assert_double_eq_tol(r.steps[k].m[INS_M_STRIDE_MS], 1100, 1.0);
		ck_assert_double_eq_tol(r.steps[k].m[INS_M_STANCE_MS], 709.25, 1.0);
		/* raw units: timing only */
		ck_assert(isnan(r.steps[k].m[INS_M_PEAK_FORCE_N]));
	}
	ins_analysis_free(ana);
	fixture_free(l);
}
END_TEST

/* Contact is flagged on the first loaded frame; toe-off once confirmed,
 * 100 ms after the force fell below a quarter of the stance level. */
static void one_stance_fill(struct ins_analysis *ana, unsigned foot, int t, float kpa[FX_N], const void *ctx)
{
	(void)ana, (void)foot, (void)ctx;
	kpa[FX_HEEL_M] = t >= 200 && t <= 800 ? 500.0f : 0.0f;
}

struct event_times {
	int contact_at, toe_off_at;
};

static void note_events_and_state(const struct ins_frame_metrics *fm, int t, void *seen)
{
	struct event_times *at = seen;

	if (fm->event == INS_EVENT_CONTACT)
		at->contact_at = t;
	if (fm->event == INS_EVENT_TOE_OFF)
		at->toe_off_at = t;
	ck_assert_uint_eq(fm->in_stance, t >= 200 && t < 910);
}

START_TEST(frame_flags_and_state)
{
	struct event_times at = { -1, -1 };
	const struct profile p = { .feet_mask = 1 << INS_FOOT_LEFT, .duration_ms = 1500, .fill = one_stance_fill,
				   .frame = note_events_and_state, .seen = &at };
	static struct run r;

	feed_profile(&p, &r);
	ck_assert_int_eq(at.contact_at, 200);
	ck_assert_int_eq(at.toe_off_at, 910);
}
END_TEST

/* A 30 ms knock in the middle of each left swing (shorter than any stance)
 * is no step: strides, step times and double support stay exact. */
static void knock_fill(struct ins_analysis *ana, unsigned foot, int t, float kpa[FX_N], const void *ctx)
{
	gait_fill(ana, foot, t, kpa, ctx);
	if (foot == INS_FOOT_LEFT && t > 0 && t % 1000 >= 800 && t % 1000 < 830)
		kpa[FX_HEEL_M] = 800; /* the knock */
}

START_TEST(knock_in_swing_is_ignored)
{
	const struct gait g = { .stride_ms = 1000, .stance_from_ms = 10, .stance_to_ms = 600,
				.offset_ms = 500, .force_n = 800 };
	const struct profile p = { .feet_mask = 3, .duration_ms = 6000, .fill = knock_fill, .ctx = &g };
	static struct run r;

	feed_profile(&p, &r);
	ck_assert_uint_eq(r.n, 11); /* left 0-5, right 0-4 */
	for (unsigned k = 0; k < r.n; k++) {
		if (r.steps[k].index == 0)
			continue;
		ck_assert_double_eq_tol(r.steps[k].m[INS_M_STRIDE_MS], 1000, 1e-9);
		ck_assert_double_eq_tol(r.steps[k].m[INS_M_STEP_MS], 500, 1e-9);
		ck_assert_double_eq_tol(r.steps[k].m[INS_M_DOUBLE_SUPPORT_MS], 218.5, 1e-9);
	}
}
END_TEST

/* The first stance after learning starts with a slow toe-in (15 N, 30 N)
 * before the 800 N load: the detector learns its levels on the 30 N frame,
 * but the contact is timed against the stance's own level, 5 % of 800 N =
 * 40 N, crossed between the 30 N frame (t = 20 ms) and the 800 N frame:
 * 20 + 10 x 10/770 ms.  A stream that starts loaded gives no first step. */
static void toe_in_fill(struct ins_analysis *ana, unsigned foot, int t, float kpa[FX_N], const void *ctx)
{
	(void)ana, (void)ctx;
	if (foot == INS_FOOT_LEFT)
		kpa[FX_HEEL_M] = t == 10 ? 15.0f : t == 20 ? 30.0f : t > 20 && t <= 600 ? 800.0f : 0.0f;
	else
		kpa[FX_HEEL_M] = t <= 300 || (t >= 1000 && t <= 1600) ? 800.0f : 0.0f;
}

START_TEST(first_stance_is_timed_against_its_own_level)
{
	const struct profile p = { .feet_mask = 3, .duration_ms = 2000, .fill = toe_in_fill };
	static struct run r;

	feed_profile(&p, &r);
	ck_assert_uint_eq(r.n, 2);
	ck_assert_uint_eq(r.steps[0].foot, INS_FOOT_LEFT);
	ck_assert_int_eq(r.steps[0].contact_us, 20000 + llround(10000.0 * 10 / 770));
	ck_assert_int_eq(r.steps[0].toe_off_us, 609750);
	/* the right foot was loaded from the start: its first stance is no step */
	ck_assert_uint_eq(r.steps[1].foot, INS_FOOT_RIGHT);
	ck_assert_int_eq(r.steps[1].contact_us, 990500);
	ck_assert_uint_eq(r.steps[1].index, 0);
}
END_TEST

/* Tare applies to the foot's next raw frame: counts of 50 on the five
 * sensors read 250 N before (gain 1 kPa per count, 1000 mm2 each), 0 N on
 * the frame that is tared, and 100 counts above the new zero later. */
START_TEST(tare_zeroes_at_the_next_raw_frame)
{
	struct ins_layout *l = fixture_sparse5(0);
	struct ins_analysis_config cfg = { .layout = { l, NULL } };
	struct ins_analysis *ana = ins_analysis_new(&cfg, NULL, 0);
	struct ins_frame_metrics fm;
	uint16_t counts[FX_N] = { 50, 50, 50, 50, 50 };
	struct ins_frame f = { .foot = INS_FOOT_LEFT, .n = FX_N, .values = counts };

	ck_assert_ptr_nonnull(ana);
	f.seq = 0;
	f.t_us = 0;
	ck_assert_int_eq(ins_analysis_feed(ana, &f, &fm), 0);
	ck_assert_double_eq_tol(fm.force_n, 250, 1e-3);
	ins_analysis_tare(ana, INS_FOOT_LEFT);
	ins_analysis_tare(ana, INS_FOOT_RIGHT); /* no layout: logged, ignored */
	f.seq = 1;
	f.t_us = 10000;
	ck_assert_int_eq(ins_analysis_feed(ana, &f, &fm), 0);
	ck_assert_double_eq_tol(fm.force_n, 0, 1e-6);
	for (unsigned i = 0; i < FX_N; i++)
		counts[i] = 150;
	f.seq = 2;
	f.t_us = 20000;
	ck_assert_int_eq(ins_analysis_feed(ana, &f, &fm), 0);
	ck_assert_double_eq_tol(fm.force_n, 500, 1e-3);
	ck_assert_double_eq_tol(ins_analysis_last_kpa(ana, INS_FOOT_LEFT)[FX_TOES], 100, 1e-4);
	ins_analysis_free(ana);
	fixture_free(l);
}
END_TEST

/* Body weight set during the run normalises the loading rate of the steps
 * that follow; 0 makes it unknown again. */
/* Ramp 0 -> 800 N over 100 ms (a first peak at 100 ms of a 500 ms stance),
 * hold, drop; body weight 800 N from 1 s, unknown again from 2 s. */
static void ramp_and_weight_fill(struct ins_analysis *ana, unsigned foot, int t, float kpa[FX_N], const void *ctx)
{
	int phase = t % 1000;

	(void)foot, (void)ctx;
	if (t >= 0 && phase <= 500)
		kpa[FX_HEEL_M] = phase < 100 ? 8.0f * (float)phase : phase <= 120 ? 800.0f : 700.0f;
	if (t == 1000)
		ins_analysis_set_body_weight(ana, 800);
	if (t == 2000)
		ins_analysis_set_body_weight(ana, 0);
}

START_TEST(body_weight_normalises_loading_rate)
{
	const struct profile p = { .feet_mask = 1 << INS_FOOT_LEFT, .duration_ms = 3000, .fill = ramp_and_weight_fill };
	static struct run r;

	feed_profile(&p, &r);
	ck_assert_uint_eq(r.n, 3);
	for (unsigned k = 0; k < 3; k++)
		ck_assert_double_eq_tol(r.steps[k].m[INS_M_LOADING_RATE_NS], 8000, 1e-3);
	ck_assert(isnan(r.steps[0].m[INS_M_LOADING_RATE_BWS]));
	ck_assert_double_eq_tol(r.steps[1].m[INS_M_LOADING_RATE_BWS], 10, 1e-6);
	ck_assert(isnan(r.steps[2].m[INS_M_LOADING_RATE_BWS]));
}
END_TEST

START_TEST(bad_frames_are_rejected_not_fatal)
{
	struct ins_layout *l = fixture_sparse5(0);
	struct ins_analysis_config cfg = { .layout = { l, NULL } };
	struct ins_analysis *ana = ins_analysis_new(&cfg, NULL, 0);
	struct ins_frame_metrics fm;
	float kpa[FX_N] = { 100, 0, 0, 0, 0 };
	uint16_t counts[3] = { 1, 2, 3 };
	struct ins_frame wrong_n = { .foot = INS_FOOT_LEFT, .n = 3, .t_us = 5000, .values = counts };
	struct ins_frame no_foot = { .foot = INS_FOOT_RIGHT, .n = FX_N, .t_us = 5000, .values = counts };
	char err[128];

	ck_assert_int_eq(ins_analysis_feed_kpa(ana, INS_FOOT_LEFT, 1000, kpa, FX_N, &fm), 0);
	ck_assert_double_eq_tol(fm.force_n, 100, 1e-4);
	ck_assert_int_eq(ins_analysis_feed_kpa(ana, INS_FOOT_LEFT, 1000, kpa, FX_N, &fm), -1); /* time stood still */
	ck_assert_int_eq(ins_analysis_feed_kpa(ana, INS_FOOT_LEFT, 500, kpa, FX_N, &fm), -1);  /* went back */
	ck_assert_int_eq(ins_analysis_feed_kpa(ana, INS_FOOT_LEFT, 2000, kpa, 4, &fm), -1);    /* sensor count */
	ck_assert_int_eq(ins_analysis_feed_kpa(ana, INS_FOOT_RIGHT, 2000, kpa, FX_N, &fm), -1); /* no layout */
	ck_assert_int_eq(ins_analysis_feed(ana, &wrong_n, &fm), -1);
	ck_assert_int_eq(ins_analysis_feed(ana, &no_foot, &fm), -1);
	struct ins_analysis_stats stats;
	ins_analysis_stats(ana, &stats);
	ck_assert_uint_eq(stats.rejected_frames, 6);
	ck_assert_uint_eq(stats.frames[INS_FOOT_LEFT], 1);
	ck_assert_uint_eq(stats.frames[INS_FOOT_RIGHT], 0);
	ck_assert_ptr_nonnull(ins_analysis_last_kpa(ana, INS_FOOT_LEFT));
	ck_assert_ptr_null(ins_analysis_last_kpa(ana, INS_FOOT_RIGHT));
	/* the stream goes on */
	ck_assert_int_eq(ins_analysis_feed_kpa(ana, INS_FOOT_LEFT, 2000, kpa, FX_N, &fm), 0);
	ins_analysis_free(ana);

	struct ins_analysis_config none = { 0 };
	ck_assert_ptr_null(ins_analysis_new(&none, err, sizeof err));
	ck_assert_str_eq(err, "analysis: no layout for either foot");
	fixture_free(l);
}
END_TEST

/* The synthetic subject (realistic force curves through a real layout,
 * raw counts with noise) against its own ground truth: every step found,
 * contact and toe-off within 10 ms (one frame at 100 Hz), peak force within
 * 3 %, FTI within 2 % and, with an impact peak, the 20-80 % loading rate
 * within 10 %, walking and running. */
static void synth_vs_truth(int running, enum ins_strike strike, double rate_hz)
{
	char err[512];
	struct ins_layout *l = test_load_shipped("fsr16");
	struct ins_synth_params p;
	struct ins_synth *syn;
	struct ins_analysis *ana;
	struct ins_frame_metrics fm;
	struct ins_step st;
	uint16_t counts[INS_MAX_SENSORS];
	unsigned matched = 0, seen = 0;

	ins_synth_defaults(&p);
	p.running = running;
	p.cadence_spm = running ? 170 : 110;
	p.strike = strike;
	p.noise = 0.005;
	p.rate_hz = rate_hz;
	syn = ins_synth_new(&p, l, err, sizeof err);
	ck_assert_msg(syn != NULL, "%s", err);
	struct ins_analysis_config cfg = { .layout = { l, l }, .body_weight_n = p.body_weight_n };
	ana = ins_analysis_new(&cfg, err, sizeof err);
	ck_assert_msg(ana != NULL, "%s", err);
	for (uint32_t k = 0; k < (uint32_t)(30 * rate_hz); k++) {
		for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
			int64_t t;
			ins_synth_next(syn, foot, counts, &t);
			struct ins_frame f = { .foot = (uint8_t)foot, .n = l->n_sensors, .seq = k, .t_us = t,
					       .values = counts };
			ck_assert_int_eq(ins_analysis_feed(ana, &f, &fm), 0);
			while (ins_analysis_next_step(ana, &st)) {
				struct ins_synth_step truth, best = { 0 };
				double best_d = INFINITY;
				seen++;
				for (int j = -2; j < 80; j++) {
					ins_synth_step_truth(syn, st.foot, j, &truth);
					if (fabs((double)(truth.contact_us - st.contact_us)) < best_d) {
						best_d = fabs((double)(truth.contact_us - st.contact_us));
						best = truth;
					}
				}
				ck_assert_msg(best_d <= 10000, "%s contact off by %.1f ms", running ? "run" : "walk",
					      best_d / 1e3);
				ck_assert_msg(llabs(best.toe_off_us - st.toe_off_us) <= 10000, "toe-off off by %.1f ms",
					      (double)(best.toe_off_us - st.toe_off_us) / 1e3);
				ck_assert_double_eq_tol(st.m[INS_M_PEAK_FORCE_N], best.peak_force_n,
							0.03 * best.peak_force_n);
				ck_assert_double_eq_tol(st.m[INS_M_FTI_NS], best.fti_ns, 0.02 * best.fti_ns);
				if (strike == INS_STRIKE_REARFOOT)
					ck_assert_double_eq_tol(st.m[INS_M_LOADING_RATE_NS], best.loading_rate_ns,
								0.10 * best.loading_rate_ns);
				ck_assert_int_eq(st.m[INS_M_DOUBLE_SUPPORT_MS] > 0, !running);
				matched++;
			}
		}
	}
	/* 30 s: walking 110 steps/min = 55 steps, running 170 = 85, less the
	 * stances still open at the end */
	ck_assert_uint_ge(matched, running ? 83 : 53);
	ck_assert_uint_eq(matched, seen);
	ins_analysis_free(ana);
	ins_synth_free(syn);
	ins_layout_free(l);
}

START_TEST(synthetic_walker_matches_its_truth)
{
	synth_vs_truth(0, INS_STRIKE_REARFOOT, 100);
}
END_TEST

START_TEST(synthetic_runner_matches_its_truth)
{
	/* A running impact peak rises in ~30 ms: 3 frames at 100 Hz cannot
	 * resolve its loading rate, so runners are sampled at 500 Hz. */
	synth_vs_truth(1, INS_STRIKE_REARFOOT, 500);
	synth_vs_truth(1, INS_STRIKE_FOREFOOT, 100);
}
END_TEST

/* ---- cold start: a stream may begin at any phase of gait -----------------
 * Every session starts a fresh analysis, so the detector must learn its
 * levels from whatever phase the stream opens in (standing, loading,
 * mid-stance valley, push-off, swing).  The synthetic subject is fed from
 * COLD_OFFSETS start times spread over one stride, both feet and each foot
 * alone; every step reported must be one of the model's stances, timed
 * within one frame at both ends (a split or truncated stance cannot be), no
 * stance the stream began inside of may be reported, and of the stances
 * that begin inside the stream only a foot's first may be skipped, and
 * only when it began too soon after the stream did for its swing to be
 * seen for EV_CONFIRM_US (100 ms). */
#define COLD_OFFSETS 24
#define COLD_SECONDS 8
#define COLD_TOL_US 10000
/* The detector's EV_CONFIRM_US, plus two frames: the stream's first frame
 * and the contact's timing both fall up to a frame from the model's. */
#define COLD_CONFIRM_US 120000
/* A stance is confirmed 100 ms after its unloading: one ending later than
 * this before the stream ends may still be open. */
#define COLD_TAIL_US 200000
#define COLD_MAX_STANCES 64

struct cold_case {
	const char *layout;
	int running;
};
static const struct cold_case cold_cases[] = {
	{ "fsr16", 0 }, { "fsr16", 1 }, { "grid60x21", 0 }, { "grid60x21", 1 },
};

/* Index of the model stance of `foot` whose contact is nearest `contact_us`. */
static int nearest_truth(const struct ins_synth *syn, unsigned foot, int64_t contact_us, int k_max)
{
	struct ins_synth_step tr;
	double best = INFINITY;
	int best_k = 0;

	for (int k = -3; k <= k_max; k++) {
		ck_assert_int_eq(ins_synth_step_truth(syn, foot, k, &tr), 0);
		if (fabs((double)(tr.contact_us - contact_us)) < best) {
			best = fabs((double)(tr.contact_us - contact_us));
			best_k = k;
		}
	}
	return best_k;
}

/* Every model stance beginning inside [t0, t_end - COLD_TAIL_US] was
 * reported exactly once (matched[k + 3]), except a foot's first when it
 * began within EV_CONFIRM_US of the stream's start. */
static void check_coverage(const struct ins_synth *syn, unsigned foot, int64_t t0, int64_t t_end,
			   const unsigned *matched, const char *what)
{
	struct ins_synth_step tr;
	int first = 1;

	for (int k = -3; k < COLD_MAX_STANCES - 3; k++) {
		ck_assert_int_eq(ins_synth_step_truth(syn, foot, k, &tr), 0);
		if (tr.contact_us < t0 || tr.toe_off_us > t_end - COLD_TAIL_US)
			continue;
		if (first && matched[k + 3] == 0 && tr.contact_us < t0 + COLD_CONFIRM_US) {
			first = 0;
			continue;
		}
		first = 0;
		ck_assert_msg(matched[k + 3] == 1, "%s: %s stance %d (contact %.0f ms) reported %u times", what,
			      ins_foot_name(foot), k, tr.contact_us / 1e3, matched[k + 3]);
	}
}

/* Feet fed to each of the analyses that share one synthetic stream. */
static const int cold_feet[] = { 3, 1 << INS_FOOT_LEFT, 1 << INS_FOOT_RIGHT };
#define COLD_RUNS ((int)(sizeof(cold_feet) / sizeof(cold_feet[0])))

struct cold_run {
	struct ins_analysis *ana;
	unsigned matched[INS_FOOT_COUNT][COLD_MAX_STANCES];
	char what[128];
};

static void cold_check_steps(struct cold_run *r, const struct ins_synth *syn, int64_t t0)
{
	struct ins_step st;
	struct ins_synth_step tr;

	while (ins_analysis_next_step(r->ana, &st)) {
		int j = nearest_truth(syn, st.foot, st.contact_us, COLD_MAX_STANCES - 4);
		ck_assert_int_eq(ins_synth_step_truth(syn, st.foot, j, &tr), 0);
		ck_assert_msg(tr.contact_us >= t0, "%s: %s step %u is the stance the stream began in", r->what,
			      ins_foot_name(st.foot), st.index);
		ck_assert_msg(llabs(st.contact_us - tr.contact_us) <= COLD_TOL_US &&
			      llabs(st.toe_off_us - tr.toe_off_us) <= COLD_TOL_US,
			      "%s: %s step %u: stance %.0f-%.0f ms, model %.0f-%.0f ms", r->what, ins_foot_name(st.foot),
			      st.index, st.contact_us / 1e3, st.toe_off_us / 1e3, tr.contact_us / 1e3,
			      tr.toe_off_us / 1e3);
		r->matched[st.foot][j + 3]++;
	}
}

/* One synthetic stream from start offset `offset`, fed to three fresh
 * analyses at once: both feet, the left alone, the right alone. */
static void cold_start_run(const struct cold_case *cc, const struct ins_layout *l, int offset)
{
	static struct cold_run runs[COLD_RUNS];
	char err[512];
	struct ins_synth_params p;
	struct ins_synth *syn;
	struct ins_frame_metrics fm;
	uint16_t counts[INS_MAX_SENSORS];
	int64_t t0, t_end, t = 0;

	ins_synth_defaults(&p);
	p.running = cc->running;
	p.cadence_spm = cc->running ? 170 : 110;
	p.noise = 0.005;
	p.seed = 11 + (uint64_t)offset;
	syn = ins_synth_new(&p, l, err, sizeof err);
	ck_assert_msg(syn != NULL, "%s", err);
	/* Two strides in, so the model's own start is not what is tested. */
	t0 = (int64_t)llround((2.0 + (double)offset / COLD_OFFSETS) * 120e6 / p.cadence_spm);
	t_end = t0 + COLD_SECONDS * 1000000ll;
	memset(runs, 0, sizeof runs);
	for (int r = 0; r < COLD_RUNS; r++) {
		struct ins_analysis_config cfg = { .body_weight_n = p.body_weight_n };
		for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
			if (cold_feet[r] & (1 << foot))
				cfg.layout[foot] = l;
		runs[r].ana = ins_analysis_new(&cfg, err, sizeof err);
		ck_assert_msg(runs[r].ana != NULL, "%s", err);
		snprintf(runs[r].what, sizeof runs[r].what, "%s %s from %.0f ms, feet mask %d", cc->layout,
			 cc->running ? "run" : "walk", t0 / 1e3, cold_feet[r]);
	}
	for (uint32_t k = 0; t <= t_end; k++) {
		for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
			ins_synth_next(syn, foot, counts, &t);
			if (t < t0)
				continue;
			struct ins_frame f = { .foot = (uint8_t)foot, .n = l->n_sensors, .seq = k, .t_us = t,
					       .values = counts };
			for (int r = 0; r < COLD_RUNS; r++) {
				if (!(cold_feet[r] & (1 << foot)))
					continue;
				ck_assert_int_eq(ins_analysis_feed(runs[r].ana, &f, &fm), 0);
				cold_check_steps(&runs[r], syn, t0);
			}
		}
	}
	for (int r = 0; r < COLD_RUNS; r++) {
		for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
			if (cold_feet[r] & (1 << foot))
				check_coverage(syn, foot, t0, t_end, runs[r].matched[foot], runs[r].what);
		ins_analysis_free(runs[r].ana);
	}
	ins_synth_free(syn);
}

START_TEST(synthetic_gait_from_any_phase)
{
	const struct cold_case *cc = &cold_cases[_i];
	struct ins_layout *l = test_load_shipped(cc->layout);

	for (int offset = 0; offset < COLD_OFFSETS; offset++)
		cold_start_run(cc, l, offset);
	ins_layout_free(l);
}
END_TEST

/* The synthetic subject on a layout in raw sensor units walks in steps the
 * analysis finds: every model stance after the first stride once, with the
 * median contact and toe-off error within the 25 ms that the per-stride
 * bars allow (../shared/tools/README.md).  Its values once summed to one
 * unit a newton, under 2 % of a 12-sensor insole's range, and the live
 * view of a stappone12 demo showed no step at all. */
static const char *const raw_layouts[] = { "stappone12", "footswitch1" };
#define RAW_WALK_S 20
#define RAW_MEDIAN_TOL_US 25000

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

START_TEST(synthetic_walk_in_raw_units_makes_steps)
{
	struct ins_layout *l = test_load_shipped(raw_layouts[_i]);
	struct ins_analysis_config cfg = { 0 };
	struct ins_synth_params p;
	struct ins_synth *syn;
	struct ins_analysis *ana;
	struct ins_frame_metrics fm;
	struct ins_synth_step tr;
	struct ins_step st;
	uint16_t counts[INS_MAX_SENSORS];
	int64_t t = 0, err_us[2 * 64];
	unsigned n_err = 0, found[INS_FOOT_COUNT] = { 0 };
	char err[512];

	ins_synth_defaults(&p);
	p.seed = 5;
	syn = ins_synth_new(&p, l, err, sizeof err);
	ck_assert_msg(syn != NULL, "%s", err);
	cfg.layout[INS_FOOT_LEFT] = cfg.layout[INS_FOOT_RIGHT] = l;
	ana = ins_analysis_new(&cfg, err, sizeof err);
	ck_assert_msg(ana != NULL, "%s", err);
	for (uint32_t k = 0; t <= RAW_WALK_S * 1000000ll; k++) {
		for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
			ins_synth_next(syn, foot, counts, &t);
			struct ins_frame f = { .foot = (uint8_t)foot, .n = l->n_sensors, .seq = k, .t_us = t,
					       .values = counts };
			ck_assert_int_eq(ins_analysis_feed(ana, &f, &fm), 0);
			while (ins_analysis_next_step(ana, &st)) {
				int j = nearest_truth(syn, st.foot, st.contact_us, 60);

				ck_assert_int_eq(ins_synth_step_truth(syn, st.foot, j, &tr), 0);
				found[st.foot]++;
				if (n_err + 2 <= sizeof(err_us) / sizeof(err_us[0])) {
					err_us[n_err++] = llabs(st.contact_us - tr.contact_us);
					err_us[n_err++] = llabs(st.toe_off_us - tr.toe_off_us);
				}
			}
		}
	}
	/* 20 s at 110 steps/min: about 18 stances a foot, the first strides learning */
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		ck_assert_msg(found[foot] >= 14, "%s: %u %s steps in %d s", l->name, found[foot], ins_foot_name(foot),
			      RAW_WALK_S);
	qsort(err_us, n_err, sizeof(err_us[0]), cmp_i64);
	ck_assert_msg(err_us[n_err / 2] <= RAW_MEDIAN_TOL_US, "%s: median event error %lld us", l->name,
		      (long long)err_us[n_err / 2]);
	ins_analysis_free(ana);
	ins_synth_free(syn);
	ins_layout_free(l);
}
END_TEST

/* Standing with weight shifts, then walking: each foot's load swings
 * between 30 % and 70 % of body weight at 0.4 Hz for 5 s (far beyond the
 * 20 N floor, so the detector learns levels from it), fading out before the
 * model's own 0.3 s shift into gait.  No step may come from the standing,
 * nor from the right foot's stance that gait opens with; every stance after
 * gait starts is reported, timed within one frame. */
#define SHIFT_STANDING_S 6.0
#define SHIFT_AMPLITUDE 0.4
#define SHIFT_HZ 0.4
#define SHIFT_FADE_FROM_S 4.7  /* amplitude fades to 0 at standing_s - 0.3 s */

static double weight_shift(unsigned foot, int64_t t_us)
{
	double t = t_us / 1e6, fade_to = SHIFT_STANDING_S - 0.3, a = SHIFT_AMPLITUDE;

	if (t >= fade_to)
		return 1.0;
	if (t > SHIFT_FADE_FROM_S)
		a *= (fade_to - t) / (fade_to - SHIFT_FADE_FROM_S);
	return 1.0 + (foot == INS_FOOT_LEFT ? a : -a) * sin(2 * M_PI * SHIFT_HZ * t);
}

START_TEST(standing_with_weight_shifts_then_walking)
{
	char err[512];
	struct ins_layout *l = test_load_shipped("fsr16");
	struct ins_synth_params p;
	struct ins_synth *syn;
	struct ins_analysis *ana;
	struct ins_frame_metrics fm;
	struct ins_step st;
	struct ins_synth_frame sf;
	uint16_t counts[INS_MAX_SENSORS];
	float kpa[INS_MAX_SENSORS];
	unsigned matched[INS_FOOT_COUNT][COLD_MAX_STANCES] = { { 0 } };
	int64_t t = 0, t_end = (int64_t)(SHIFT_STANDING_S * 1e6) + 15000000;

	ins_synth_defaults(&p);
	p.standing_s = SHIFT_STANDING_S;
	syn = ins_synth_new(&p, l, err, sizeof err);
	ck_assert_msg(syn != NULL, "%s", err);
	struct ins_analysis_config cfg = { .layout = { l, l }, .body_weight_n = p.body_weight_n };
	ana = ins_analysis_new(&cfg, err, sizeof err);
	ck_assert_msg(ana != NULL, "%s", err);
	while (t <= t_end) {
		for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
			ins_synth_next(syn, foot, counts, &t);
			ck_assert_int_eq(ins_synth_last_frame(syn, foot, &sf), 0);
			for (unsigned i = 0; i < l->n_sensors; i++)
				kpa[i] = (float)(sf.kpa[i] * weight_shift(foot, t));
			ck_assert_int_eq(ins_analysis_feed_kpa(ana, foot, t, kpa, l->n_sensors, &fm), 0);
			while (ins_analysis_next_step(ana, &st)) {
				struct ins_synth_step tr;
				int j = nearest_truth(syn, st.foot, st.contact_us, COLD_MAX_STANCES - 4);
				ck_assert_int_eq(ins_synth_step_truth(syn, st.foot, j, &tr), 0);
				ck_assert_msg(j >= 0, "%s step %u from standing: %.0f-%.0f ms", ins_foot_name(st.foot),
					      st.index, st.contact_us / 1e3, st.toe_off_us / 1e3);
				ck_assert_int_le(llabs(st.contact_us - tr.contact_us), COLD_TOL_US);
				ck_assert_int_le(llabs(st.toe_off_us - tr.toe_off_us), COLD_TOL_US);
				matched[st.foot][j + 3]++;
			}
		}
	}
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		/* the walk's first stance is preceded by a swing: none skipped */
		ck_assert_uint_eq(matched[foot][3], 1);
		check_coverage(syn, foot, (int64_t)(SHIFT_STANDING_S * 1e6), t_end, matched[foot], "after standing");
	}
	ins_analysis_free(ana);
	ins_synth_free(syn);
	ins_layout_free(l);
}
END_TEST

enum { BAD_SILENT = 1, BAD_SATURATED = 2, BAD_STUCK = 4, LIGHT_HEEL_L = 8 };

/* One frame of the walk below; ctx is its bad_mask. */
static int health_fill(int t, uint16_t *counts, const void *ctx)
{
	int bad_mask = *(const int *)ctx, stance = t >= 0 && t % 1000 <= 500;

	counts[FX_HEEL_M] = stance ? 400 : 0;
	counts[FX_HEEL_L] = stance ? ((bad_mask & LIGHT_HEEL_L) ? 20 : 300) : 0;
	counts[FX_MID] = stance && !(bad_mask & BAD_SILENT) ? 120 : 0;
	counts[FX_FORE] = stance ? ((bad_mask & BAD_SATURATED) ? 4095 : 500) : 0;
	counts[FX_TOES] = (bad_mask & BAD_STUCK) ? (stance ? 250 : 50) : stance ? 200 : 0;
	return 1;
}

/* Sensor health over a raw-count walk on the five-sensor fixture (gain 1
 * kPa per count, saturation 4095 counts = 4095 kPa): 1 s strides, stance
 * 0-500 ms.  bad_mask picks the faults: the midfoot sensor reads 0 in every
 * stance (SILENT after 20 loaded steps), the forefoot sits at saturation in
 * every stance (SATURATING), the toes read 50 kPa in the air too (STUCK).
 * LIGHT_HEEL_L leaves the lateral heel, one of the midfoot sensor's four
 * neighbours, at 20 kPa: in contact, but not clearly loaded (30 kPa).
 * Returns the number of flagged sensors; flags gets each sensor's bits. */
static unsigned health_walk(int bad_mask, int strides, uint8_t flags[FX_N])
{
	struct ins_layout *l = fixture_sparse5(0);
	struct ins_analysis_config cfg = { .layout = { l, NULL } };
	struct ins_analysis *ana = ins_analysis_new(&cfg, NULL, 0);
	static struct run r;
	unsigned flagged;

	ck_assert_ptr_nonnull(ana);
	feed_counts(ana, FX_N, strides * 1000, health_fill, &bad_mask, &r);
	ck_assert_uint_eq(r.n, (unsigned)strides);
	memset(flags, 0xff, FX_N);
	flagged = ins_analysis_sensor_flags(ana, INS_FOOT_LEFT, flags);
	ck_assert_uint_eq(ins_analysis_sensor_flags(ana, INS_FOOT_RIGHT, flags + FX_N), 0); /* no layout */
	ins_analysis_free(ana);
	fixture_free(l);
	return flagged;
}

START_TEST(healthy_walk_flags_no_sensor)
{
	uint8_t flags[FX_N + 1];

	ck_assert_uint_eq(health_walk(0, 30, flags), 0);
	for (unsigned i = 0; i < FX_N; i++)
		ck_assert_uint_eq(flags[i], 0);
}
END_TEST

START_TEST(dead_saturated_and_stuck_sensors_are_flagged)
{
	uint8_t flags[FX_N + 1];

	ck_assert_uint_eq(health_walk(BAD_SILENT | BAD_SATURATED | BAD_STUCK, 30, flags), 3);
	ck_assert_uint_eq(flags[FX_HEEL_M], 0);
	ck_assert_uint_eq(flags[FX_HEEL_L], 0);
	ck_assert_uint_eq(flags[FX_MID], INS_SENSOR_SILENT);
	ck_assert_uint_eq(flags[FX_FORE], INS_SENSOR_SATURATING);
	ck_assert_uint_eq(flags[FX_TOES], INS_SENSOR_STUCK);
}
END_TEST

/* 19 loaded steps are too few to call a sensor dead (it may not have been
 * loaded yet); saturation in every one of them is already clear. */
START_TEST(silent_needs_twenty_steps)
{
	uint8_t flags[FX_N + 1];

	ck_assert_uint_eq(health_walk(BAD_SILENT | BAD_SATURATED, 19, flags), 1);
	ck_assert_uint_eq(flags[FX_MID], 0);
	ck_assert_uint_eq(flags[FX_FORE], INS_SENSOR_SATURATING);
	ck_assert_uint_eq(health_walk(BAD_SILENT | BAD_SATURATED, 20, flags), 2);
	ck_assert_uint_eq(flags[FX_MID], INS_SENSOR_SILENT);
}
END_TEST

/* The midfoot sensor reads nothing, but one of its neighbours is only
 * lightly loaded: the foot around it is not clearly loaded, so no step
 * counts against it, however many. */
START_TEST(silent_sensor_beside_a_light_one_is_not_dead)
{
	uint8_t flags[FX_N + 1];

	ck_assert_uint_eq(health_walk(BAD_SILENT | LIGHT_HEEL_L, 30, flags), 0);
	for (unsigned i = 0; i < FX_N; i++)
		ck_assert_uint_eq(flags[i], 0);
}
END_TEST

/* Body-weight scaling on the five-sensor fixture (1 count = 1 kPa = 1 N
 * per sensor): the left foot stands on its heel, force[k] counts on frame
 * k (10 ms apart; *seq numbers the frames across calls).  Returns what the measurement gave (1) or 0
 * when it had not finished by the end. */
static int stand_and_measure(struct ins_analysis *ana, const uint16_t *force, unsigned n_frames,
			     struct ins_bw_scale_result *res, uint32_t *seq)
{
	uint16_t counts[FX_N] = { 0 };
	struct ins_frame f = { .foot = INS_FOOT_LEFT, .n = FX_N, .values = counts };
	struct ins_frame_metrics fm;
	int done = 0;

	for (unsigned k = 0; k < n_frames && !done; k++) {
		counts[FX_HEEL_M] = force[k];
		f.seq = *seq;
		f.t_us = (int64_t)*seq * DT_MS * 1000;
		(*seq)++;
		ck_assert_int_eq(ins_analysis_feed(ana, &f, &fm), 0);
		done = ins_analysis_bw_scale_result(ana, INS_FOOT_LEFT, res);
	}
	return done;
}

/* 400 N steady for a body weight of 800 N: scale exactly 2, over the 201
 * frames from t0 to t0 + 2 s; applied, the same counts read 800 N, and an
 * analysis built from the scaled curves reads the same. */
START_TEST(steady_stance_gives_the_exact_scale)
{
	struct ins_layout *l = fixture_sparse5(0);
	struct ins_analysis_config cfg = { .layout = { l, NULL }, .body_weight_n = 800 };
	struct ins_analysis *ana = ins_analysis_new(&cfg, NULL, 0), *again;
	struct ins_calib_curve curves[FX_N];
	struct ins_bw_scale_result res;
	struct ins_frame_metrics fm;
	uint16_t force[300], counts[FX_N] = { 400, 0, 0, 0, 0 };
	struct ins_frame f = { .foot = INS_FOOT_LEFT, .n = FX_N, .values = counts };
	char err[256];
	uint32_t seq = 0;

	for (unsigned k = 0; k < 300; k++)
		force[k] = 400;
	ck_assert_int_eq(ins_analysis_bw_scale_result(ana, INS_FOOT_LEFT, &res), 0); /* none started */
	ck_assert_int_eq(ins_analysis_bw_scale_start(ana, INS_FOOT_LEFT, err, sizeof err), 0);
	ck_assert_int_eq(stand_and_measure(ana, force, 300, &res, &seq), 1);
	ck_assert_int_eq(res.ok, 1);
	ck_assert_uint_eq(res.frames, 201);
	ck_assert_double_eq_tol(res.measured_force_n, 400, 1e-9);
	ck_assert_double_eq_tol(res.sd_force_n, 0, 1e-9);
	ck_assert_double_eq_tol(res.scale, 2.0, 1e-12);
	ck_assert_int_eq(ins_analysis_bw_scale_result(ana, INS_FOOT_LEFT, &res), 0); /* reported once */
	/* measuring alone changed nothing */
	ck_assert_double_eq(ins_analysis_scale(ana, INS_FOOT_LEFT), 1.0);
	ck_assert_int_eq(ins_analysis_set_scale(ana, INS_FOOT_LEFT, res.scale), 0);
	f.seq = seq;
	f.t_us = (int64_t)seq * DT_MS * 1000;
	ck_assert_int_eq(ins_analysis_feed(ana, &f, &fm), 0);
	ck_assert_double_eq_tol(fm.force_n, 800, 1e-3);
	ck_assert_int_eq(ins_analysis_set_scale(ana, INS_FOOT_LEFT, 5.5), -1);
	ck_assert_double_eq(ins_analysis_scale(ana, INS_FOOT_LEFT), 2.0);
	ck_assert_int_eq(ins_analysis_calibration_scaled(ana, INS_FOOT_LEFT, curves), 0);
	ck_assert_int_eq(ins_analysis_calibration_scaled(ana, INS_FOOT_RIGHT, curves), -1);
	cfg.calib[INS_FOOT_LEFT] = curves;
	again = ins_analysis_new(&cfg, err, sizeof err);
	ck_assert_ptr_nonnull(again);
	f.seq = 0;
	ck_assert_int_eq(ins_analysis_feed(again, &f, &fm), 0);
	ck_assert_double_eq_tol(fm.force_n, 800, 1e-3);
	ins_analysis_free(again);
	ins_analysis_free(ana);
	fixture_free(l);
}
END_TEST

START_TEST(unsteady_or_unknown_weight_is_refused)
{
	struct ins_layout *l = fixture_sparse5(0), *raw = fixture_sparse5(1);
	struct ins_analysis_config cfg = { .layout = { l, NULL } };
	struct ins_analysis_config raw_cfg = { .layout = { raw, NULL }, .body_weight_n = 800 };
	struct ins_analysis *ana = ins_analysis_new(&cfg, NULL, 0), *raw_ana = ins_analysis_new(&raw_cfg, NULL, 0);
	struct ins_bw_scale_result res;
	uint16_t force[300];
	char err[256];
	uint32_t seq = 0;

	ck_assert_int_eq(ins_analysis_bw_scale_start(ana, INS_FOOT_LEFT, err, sizeof err), -1);
	ck_assert_str_eq(err, "the body weight is not known: set it first");
	ck_assert_int_eq(ins_analysis_bw_scale_start(ana, INS_FOOT_RIGHT, err, sizeof err), -1);
	ck_assert_str_eq(err, "foot: no right insole is configured");
	ck_assert_int_eq(ins_analysis_bw_scale_start(raw_ana, INS_FOOT_LEFT, err, sizeof err), -1);
	ck_assert_str_eq(err, "layout fixture5 reads raw units, not pressure: there is no force to scale");
	ins_analysis_set_body_weight(ana, 800);
	/* weight shifting 300 <-> 500 N every frame: SD 100 N, 25 % */
	for (unsigned k = 0; k < 300; k++)
		force[k] = k % 2 ? 500 : 300;
	ck_assert_int_eq(ins_analysis_bw_scale_start(ana, INS_FOOT_LEFT, err, sizeof err), 0);
	ck_assert_int_eq(stand_and_measure(ana, force, 300, &res, &seq), 1);
	ck_assert_int_eq(res.ok, 0);
	ck_assert(isnan(res.scale));
	ck_assert_ptr_nonnull(strstr(res.why, "the force was not steady"));
	ck_assert_double_eq(ins_analysis_scale(ana, INS_FOOT_LEFT), 1.0);
	/* steady 100 N for 800 N: scale 8, outside 0.2..5 */
	for (unsigned k = 0; k < 300; k++)
		force[k] = 100;
	ck_assert_int_eq(ins_analysis_bw_scale_start(ana, INS_FOOT_LEFT, err, sizeof err), 0);
	ck_assert_int_eq(stand_and_measure(ana, force, 300, &res, &seq), 1);
	ck_assert_int_eq(res.ok, 0);
	ck_assert_str_eq(res.why, "measured force 100.0 N for body weight 800.0 N gives scale 8.000, outside 0.2..5.0: "
				  "stand still on this foot alone");
	/* a cancelled measurement reports nothing */
	ck_assert_int_eq(ins_analysis_bw_scale_start(ana, INS_FOOT_LEFT, err, sizeof err), 0);
	ins_analysis_bw_scale_cancel(ana, INS_FOOT_LEFT);
	ck_assert_int_eq(stand_and_measure(ana, force, 300, &res, &seq), 0);
	ins_analysis_free(raw_ana);
	ins_analysis_free(ana);
	fixture_free(raw);
	fixture_free(l);
}
END_TEST

/* The grid path: the engine hands each step's footprint to the tracker.
 * One walk of 25 strides on the 5 x 12 grid: in stance each cell reads
 * stance_counts[cell], in swing 0.  Returns the number of flagged cells. */
static int grid_fill(int t, uint16_t *counts, const void *ctx)
{
	const uint16_t *stance_counts = ctx;

	if (t >= 0 && t % 1000 <= 500)
		memcpy(counts, stance_counts, FXG_W * FXG_H * sizeof counts[0]);
	return 1;
}

static unsigned grid_health_walk(const uint16_t *stance_counts, uint8_t *flags)
{
	struct ins_layout *l = fixture_grid();
	struct ins_analysis_config cfg = { .layout = { l, NULL } };
	struct ins_analysis *ana = ins_analysis_new(&cfg, NULL, 0);
	static struct run r;
	unsigned flagged;

	ck_assert_ptr_nonnull(ana);
	feed_counts(ana, FXG_W * FXG_H, 25000, grid_fill, stance_counts, &r);
	ck_assert_uint_eq(r.n, 25);
	flagged = ins_analysis_sensor_flags(ana, INS_FOOT_LEFT, flags);
	ins_analysis_free(ana);
	fixture_free(l);
	return flagged;
}

/* 60 cells at 50 counts in stance, cell 7 always 0, cell 30 at saturation
 * (4095): exactly those two are flagged. */
START_TEST(grid_dead_and_saturated_cells_are_flagged)
{
	uint16_t stance[FXG_W * FXG_H];
	uint8_t flags[FXG_W * FXG_H];

	for (unsigned i = 0; i < FXG_W * FXG_H; i++)
		stance[i] = 50;
	stance[7] = 0;
	stance[30] = 4095;
	ck_assert_uint_eq(grid_health_walk(stance, flags), 2);
	for (unsigned i = 0; i < FXG_W * FXG_H; i++)
		ck_assert_uint_eq(flags[i], i == 7 ? INS_SENSOR_SILENT : i == 30 ? INS_SENSOR_SATURATING : 0);
}
END_TEST

/* A high arch on the grid: the medial midfoot (columns 3-4, rows 4-6: six
 * cells) never touches the insole, a 5 kPa border ring around it (columns
 * 2-4 of rows 3 and 7, column 2 of rows 4-6) barely does, the rest of the
 * foot reads 50 kPa.  Every cell of the arch stays below contact in all
 * 25 steps (the old rule flagged all six and the ring), yet none has all
 * its neighbours loaded: nothing is flagged. */
START_TEST(grid_high_arch_flags_nothing)
{
	uint16_t stance[FXG_W * FXG_H];
	uint8_t flags[FXG_W * FXG_H];

	for (unsigned i = 0; i < FXG_W * FXG_H; i++) {
		unsigned col = i % FXG_W, row = i / FXG_W;
		int arch = col >= 3 && row >= 4 && row <= 6;
		int ring = !arch && col >= 2 && row >= 3 && row <= 7;
		stance[i] = arch ? 0 : ring ? 5 : 50;
	}
	ck_assert_uint_eq(grid_health_walk(stance, flags), 0);
	for (unsigned i = 0; i < FXG_W * FXG_H; i++)
		ck_assert_uint_eq(flags[i], 0);
}
END_TEST

/* The demo: the synthetic subject with default parameters walking on
 * fsr16 for 40 steps of each foot.  Sensors 5 (midfoot medial, under the
 * arch) and 16 (toes lateral) never reach contact on either foot: real
 * quiet sensors, not dead ones, and nothing may be flagged.  With a
 * sensor of the loaded heel (sensor 1) disconnected on the left foot, that
 * one, and only that one, is SILENT. */
static void demo_walk(int disconnect_heel, uint8_t flags[INS_FOOT_COUNT][INS_MAX_SENSORS],
		      float quiet_peak_kpa[INS_FOOT_COUNT][2])
{
	char err[512];
	struct ins_layout *l = test_load_shipped("fsr16");
	struct ins_synth_params p;
	struct ins_synth *syn;
	struct ins_analysis *ana;
	struct ins_frame_metrics fm;
	struct ins_step st;
	uint16_t counts[INS_MAX_SENSORS];
	unsigned steps[INS_FOOT_COUNT] = { 0, 0 };

	ck_assert_uint_eq(l->n_sensors, 16);
	ins_synth_defaults(&p);
	syn = ins_synth_new(&p, l, err, sizeof err);
	ck_assert_msg(syn != NULL, "%s", err);
	struct ins_analysis_config cfg = { .layout = { l, l }, .body_weight_n = p.body_weight_n };
	ana = ins_analysis_new(&cfg, err, sizeof err);
	ck_assert_msg(ana != NULL, "%s", err);
	memset(quiet_peak_kpa, 0, sizeof(float) * INS_FOOT_COUNT * 2);
	for (uint32_t k = 0; steps[INS_FOOT_LEFT] < 40 || steps[INS_FOOT_RIGHT] < 40; k++) {
		ck_assert_uint_lt(k, 60 * 100); /* 40 steps a foot take 44 s at 110 steps/min */
		for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
			int64_t t;
			ins_synth_next(syn, foot, counts, &t);
			if (disconnect_heel && foot == INS_FOOT_LEFT)
				counts[0] = 0;
			struct ins_frame f = { .foot = (uint8_t)foot, .n = l->n_sensors, .seq = k, .t_us = t,
					       .values = counts };
			ck_assert_int_eq(ins_analysis_feed(ana, &f, &fm), 0);
			const float *kpa = ins_analysis_last_kpa(ana, foot);
			quiet_peak_kpa[foot][0] = fmaxf(quiet_peak_kpa[foot][0], kpa[4]);
			quiet_peak_kpa[foot][1] = fmaxf(quiet_peak_kpa[foot][1], kpa[15]);
			while (ins_analysis_next_step(ana, &st))
				steps[st.foot]++;
		}
	}
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		ins_analysis_sensor_flags(ana, foot, flags[foot]);
	ins_analysis_free(ana);
	ins_synth_free(syn);
	ins_layout_free(l);
}

START_TEST(demo_walk_on_fsr16_flags_nothing)
{
	uint8_t flags[INS_FOOT_COUNT][INS_MAX_SENSORS];
	float quiet[INS_FOOT_COUNT][2];

	demo_walk(0, flags, quiet);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		/* the case the rule exists for is really in this walk */
		ck_assert_float_le(quiet[foot][0], 10.0f);
		ck_assert_float_le(quiet[foot][1], 10.0f);
		for (unsigned i = 0; i < 16; i++)
			ck_assert_msg(flags[foot][i] == 0, "%s sensor %u flagged 0x%x", ins_foot_name(foot), i + 1,
				      flags[foot][i]);
	}
	demo_walk(1, flags, quiet);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		for (unsigned i = 0; i < 16; i++)
			ck_assert_uint_eq(flags[foot][i], foot == INS_FOOT_LEFT && i == 0 ? INS_SENSOR_SILENT : 0);
}
END_TEST


/* ---- failure shapes of real recordings, with exact answers ------------- */

/* One foot, one profile over each 1100 ms stride: force (N on the
 * calibrated fixture, counts on the raw footswitch) linear between knots
 * (phase in ms from the true contact, value), the first knot at phase 0
 * and the last at the stride's end.  Frames from lost_from_ms on, lost_n of
 * them, are not fed (a gap). */
#define SHAPE_STRIDE_MS 1100
struct knot {
	int phase_ms;
	double v;
};
struct shape {
	const struct knot *knots;
	unsigned n;
	int raw;
	int lost_from_ms, lost_n;
};

static double shape_at(const struct shape *sh, int t)
{
	int p = t < 0 ? SHAPE_STRIDE_MS - DT_MS : t % SHAPE_STRIDE_MS;
	unsigned k = 1;

	while (k + 1 < sh->n && sh->knots[k].phase_ms <= p)
		k++;
	const struct knot *a = &sh->knots[k - 1], *b = &sh->knots[k];
	return a->v + (b->v - a->v) * (p - a->phase_ms) / (double)(b->phase_ms - a->phase_ms);
}

static int shape_lost(const struct shape *sh, int t)
{
	return t >= sh->lost_from_ms && t < sh->lost_from_ms + sh->lost_n * DT_MS;
}

static int shape_fill(int t, uint16_t *counts, const void *ctx)
{
	const struct shape *sh = ctx;

	counts[0] = (uint16_t)lround(shape_at(sh, t));
	return !shape_lost(sh, t);
}

/* The calibrated fixture's medial heel sensor in kPa (== N). */
static void feed_shape_kpa(struct ins_analysis *ana, const struct shape *sh, int duration_ms, struct run *r)
{
	struct ins_frame_metrics fm;

	memset(r, 0, sizeof(*r));
	for (int t = -QUIET_MS; t <= duration_ms; t += DT_MS) {
		float kpa[FX_N] = { [FX_HEEL_M] = (float)shape_at(sh, t) };
		if (shape_lost(sh, t))
			continue;
		ck_assert_int_eq(ins_analysis_feed_kpa(ana, INS_FOOT_LEFT, (int64_t)t * 1000, kpa, FX_N, &fm), 0);
		collect(ana, &fm, r);
	}
}

static void run_shape(const struct shape *sh, int duration_ms, struct run *r)
{
	struct ins_layout *l = sh->raw ? fixture_footswitch() : fixture_sparse5(0);
	struct ins_analysis_config cfg = { .layout = { l, NULL } };
	struct ins_analysis *ana = ins_analysis_new(&cfg, NULL, 0);

	ck_assert_ptr_nonnull(ana);
	if (sh->raw)
		feed_counts(ana, 1, duration_ms + DT_MS, shape_fill, sh, r);
	else
		feed_shape_kpa(ana, sh, duration_ms, r);
	ins_analysis_free(ana);
	fixture_free(l);
}

/* Every step's contact within tol_ms of stride start + contact_ms and its
 * toe-off within tol_ms of stride start + toe_off_ms. */
static void assert_shape_events(const struct run *r, unsigned min_steps, double contact_ms, double toe_off_ms,
				double tol_ms)
{
	ck_assert_uint_ge(r->n, min_steps);
	for (unsigned k = 0; k < r->n; k++) {
		const struct ins_step *s = &r->steps[k];
		double start = SHAPE_STRIDE_MS * floor((s->contact_us / 1e3 + 200) / SHAPE_STRIDE_MS);
		ck_assert_msg(fabs(s->contact_us / 1e3 - (start + contact_ms)) <= tol_ms,
			      "step %u: contact %.2f ms, expected %.2f", k, s->contact_us / 1e3, start + contact_ms);
		ck_assert_msg(fabs(s->toe_off_us / 1e3 - (start + toe_off_ms)) <= tol_ms,
			      "step %u: toe-off %.2f ms, expected %.2f", k, s->toe_off_us / 1e3, start + toe_off_ms);
	}
}

/* Raw footswitch, floor 200, loaded 2200 counts: rise over 20 ms from phase
 * 0, fall over 20 ms ending at phase 700 down to 3 % of the range above the
 * floor, then a slow relaxation tail over the last 3 % lasting 150 ms.  The
 * tail does not move the toe-off: within one frame of the end of the fall. */
static const struct knot slow_tail[] = { { 0, 200 }, { 20, 2200 }, { 680, 2200 }, { 700, 260 },
					 { 850, 200 }, { SHAPE_STRIDE_MS, 200 } };

START_TEST(slow_unloading_tail_does_not_move_toe_off)
{
	static struct run r;
	const struct shape sh = { slow_tail, 6, 1, -1000, 0 };

	run_shape(&sh, 20000, &r);
	assert_shape_events(&r, 17, 0, 700, DT_MS);
}
END_TEST

/* Raw footswitch whose unloading stops above the end level: a steep fall
 * from 2200 to 500 counts (15 % of the 2000-count range) ending at phase
 * 700, a rebound to 540 at 720, then a slow decline to the 200-count floor
 * at 900.  Stance ends where the fall stops: the 10 ms rise crosses the
 * swing noise (0 here) between the frames at 690 (rise -850) and 700 (rise
 * +20), at 690 + 10 * 850 / 870 = 699.77 ms; the 2.5 % level is crossed
 * only on the decline after the rebound, 76 ms later. */
static const struct knot rebound[] = { { 0, 200 }, { 20, 2200 }, { 680, 2200 }, { 700, 500 },
				       { 720, 540 }, { 900, 200 }, { SHAPE_STRIDE_MS, 200 } };

START_TEST(rebound_after_the_fall_ends_stance)
{
	static struct run r;
	const struct shape sh = { rebound, 7, 1, -1000, 0 };

	run_shape(&sh, 20000, &r);
	assert_shape_events(&r, 17, 0, 690 + 10.0 * 850 / 870, DT_MS);
	for (unsigned k = 0; k < r.n; k++) {
		double start = SHAPE_STRIDE_MS * floor((r.steps[k].contact_us / 1e3 + 200) / SHAPE_STRIDE_MS);
		ck_assert_double_eq_tol(r.steps[k].toe_off_us / 1e3 - start, 690 + 10.0 * 850 / 870, 0.01);
	}
}
END_TEST

/* Raw footswitch whose unloaded baseline creeps up late in the swing
 * (crosstalk, drift): flat at 200 counts after the toe-off (700), then up
 * to 400 (10 % of the 2000-count range) over the 150 ms before the steep
 * loading.  The slow pre-rise is not the contact: within one frame of the
 * steep rise (a floor taken from before the creep put it 75 ms early). */
static const struct knot rising_floor[] = { { 0, 400 }, { 20, 2200 }, { 680, 2200 }, { 700, 200 },
					    { 950, 200 }, { SHAPE_STRIDE_MS, 400 } };

START_TEST(rising_swing_floor_does_not_advance_contact)
{
	static struct run r;
	const struct shape sh = { rising_floor, 6, 1, -1000, 0 };

	run_shape(&sh, 20000, &r);
	assert_shape_events(&r, 17, 0, 700, DT_MS);
}
END_TEST

/* Calibrated insole, slow heel loading: 3 N rising to 200 N over 300 ms,
 * then the usual steep rise to 1500 N in 30 ms; unloading over 30 ms ending
 * at phase 900.  The contact is where the force passes 40 N (the onset
 * level, capped at 40 N: 5 % of this stance's mean, about 1,000 N, would
 * be 50 N), on the slow ramp: 300 * 37 / 197 = 56.3 ms after it began, not
 * at the steep rise 300 ms later.  The ramp is linear, so the interpolated
 * time is exact. */
static const struct knot slow_loading[] = { { 0, 3 }, { 300, 200 }, { 330, 1500 }, { 870, 1500 },
					    { 900, 0 }, { SHAPE_STRIDE_MS, 0 } };

START_TEST(slow_heel_loading_is_timed_at_the_force_level)
{
	static struct run r;
	const struct shape sh = { slow_loading, 6, 0, -1000, 0 };

	run_shape(&sh, 20000, &r);
	assert_shape_events(&r, 17, 300.0 * 37 / 197, 900, DT_MS);
	for (unsigned k = 0; k < r.n; k++) {
		double start = SHAPE_STRIDE_MS * floor((r.steps[k].contact_us / 1e3 + 200) / SHAPE_STRIDE_MS);
		ck_assert_double_eq_tol(r.steps[k].contact_us / 1e3 - start, 300.0 * 37 / 197, 0.01);
	}
}
END_TEST

/* Calibrated insole whose unloading has a shoulder: a steep fall from 1500
 * to 300 N at 40 N/ms ending at phase 880, then 30 ms falling at about a
 * fifth of that (to `end_n` at 910), then a 60 ms tail to 0 N.  The
 * toe-off is midway between the tangent at the steepest fall reaching the
 * floor (850 + 1500 / 40 = 887.5 ms) and the 40 N level crossing on the
 * tail (910 + 60 (end_n - 40) / end_n).  With the shoulder's fall rate just
 * above or just below a fifth of the steepest (end_n 57 or 63 N) the toe-off
 * moves by the 2 ms the level crossing moves, not by the shoulder's length
 * as a knee thresholded on the fall rate did (13 ms). */
static void shoulder_run(double end_n, struct run *r)
{
	const struct knot shoulder[] = { { 0, 0 }, { 30, 1500 }, { 850, 1500 }, { 880, 300 },
					 { 910, end_n }, { 970, 0 }, { SHAPE_STRIDE_MS, 0 } };
	const struct shape sh = { shoulder, 7, 0, -1000, 0 };

	run_shape(&sh, 20000, r);
}

START_TEST(unloading_shoulder_moves_toe_off_continuously)
{
	static struct run r;
	static const double end_n[] = { 57, 63 };

	for (unsigned k = 0; k < 2; k++) {
		double level_ms = 910 + 60 * (end_n[k] - 40) / end_n[k];

		shoulder_run(end_n[k], &r);
		assert_shape_events(&r, 17, 0, (887.5 + level_ms) / 2, 1.0);
	}
}
END_TEST

/* Lost frames (a clean trapezoid gait on a raw footswitch: contact at
 * phase 0, toe-off at 700): frames of the sixth stride (from 5500 ms) are
 * not fed.  Up to two in a row inside a stance or a swing are bridged: the
 * step keeps its events within one frame of the truth and no GAP flag.
 * Ten in a row, or any beside the contact or toe-off, flag the step; an
 * event beside a gap moves by no more than the gap and one frame. */
static const struct knot trapezoid[] = { { 0, 200 }, { 20, 2200 }, { 680, 2200 }, { 700, 200 },
					 { SHAPE_STRIDE_MS, 200 } };
static const struct gap_case {
	int lost_at_phase_ms, lost_n;
	int flagged;          /* the sixth stride's step is flagged GAP */
} gap_cases[] = {
	{ 300, 1, 0 },        /* mid-stance */
	{ 300, 2, 0 },
	{ 300, 10, 1 },
	{ 900, 1, 0 },        /* mid-swing: neither this step nor the next */
	{ 800, 10, 0 },       /* a long one in mid-swing: the events are seen */
	{ 690, 1, 1 },        /* the frame in the middle of the unloading */
	{ 700, 2, 1 },        /* right after the toe-off */
	{ 0, 2, 1 },          /* the contact */
	{ 1090, 1, 1 },       /* the last swing frame before the contact */
};

START_TEST(lost_frames_are_bridged_or_flag_the_step)
{
	static struct run r;
	const struct gap_case *gc = &gap_cases[_i];
	const int stride_start = 5 * SHAPE_STRIDE_MS, lost_from = stride_start + gc->lost_at_phase_ms;
	/* 1090: the gap ends at the next stride's contact */
	const int gap_stride = gc->lost_at_phase_ms >= SHAPE_STRIDE_MS - DT_MS ? stride_start + SHAPE_STRIDE_MS
									      : stride_start;
	const struct shape sh = { trapezoid, 5, 1, lost_from, gc->lost_n };

	run_shape(&sh, 12000, &r);
	ck_assert_uint_ge(r.n, 10);
	for (unsigned k = 0; k < r.n; k++) {
		const struct ins_step *s = &r.steps[k];
		double start = SHAPE_STRIDE_MS * floor((s->contact_us / 1e3 + 200) / SHAPE_STRIDE_MS);
		int here = (int)start == gap_stride, spoiled = here && gc->flagged;
		double tol = DT_MS + (spoiled ? gc->lost_n * DT_MS : 0);
		ck_assert_msg(fabs(s->contact_us / 1e3 - start) <= tol, "step %u: contact %.2f ms", k,
			      s->contact_us / 1e3);
		ck_assert_msg(fabs(s->toe_off_us / 1e3 - (start + 700)) <= tol, "step %u: toe-off %.2f ms", k,
			      s->toe_off_us / 1e3);
		ck_assert_msg(((s->flags & INS_STEP_GAP) != 0) == spoiled, "step %u at %.0f ms: flags %u", k, start,
			      (unsigned)s->flags);
	}
}
END_TEST

/* An importer feeds frames without asking for their metrics (out NULL),
 * and an arbitrary-unit layout then skips its per-frame CoP, regions and
 * areas.  The steps must not change: a clipping footswitch gait with lost
 * frames, fed with and without metrics in lockstep, gives the same steps,
 * flags and metrics bit for bit, on the one-sensor footswitch, on the
 * five-sensor fixture in raw units, and on the calibrated fixture (which
 * computes its metrics either way). */
static const struct knot clipping[] = { { 0, 200 }, { 20, 4095 }, { 300, 4095 }, { 320, 2200 },
					{ 680, 2200 }, { 700, 200 }, { SHAPE_STRIDE_MS, 200 } };

static void assert_same_step(const struct ins_step *a, const struct ins_step *b)
{
	ck_assert_uint_eq(a->foot, b->foot);
	ck_assert_uint_eq(a->index, b->index);
	ck_assert_uint_eq(a->flags, b->flags);
	ck_assert_int_eq(a->contact_us, b->contact_us);
	ck_assert_int_eq(a->toe_off_us, b->toe_off_us);
	ck_assert_msg(memcmp(a->m, b->m, sizeof a->m) == 0, "step %u: the metrics differ", (unsigned)a->index);
}

START_TEST(steps_do_not_depend_on_wanting_frame_metrics)
{
	const struct shape sh = { clipping, 7, 1, 5 * SHAPE_STRIDE_MS + 690, 2 };
	struct ins_layout *l = _i == 0 ? fixture_footswitch() : fixture_sparse5(_i == 1);
	struct ins_analysis_config cfg = { .layout = { l, NULL } };
	struct ins_analysis *with = ins_analysis_new(&cfg, NULL, 0), *without = ins_analysis_new(&cfg, NULL, 0);
	uint16_t counts[FX_N] = { 0 };
	struct ins_frame f = { .foot = INS_FOOT_LEFT, .n = (uint16_t)l->n_sensors, .values = counts };
	struct ins_frame_metrics fm;
	struct ins_step a, b;
	unsigned steps = 0, flags = 0;

	ck_assert_ptr_nonnull(with);
	ck_assert_ptr_nonnull(without);
	for (int t = -QUIET_MS; t < 12000; t += DT_MS) {
		f.seq = (uint32_t)((t + QUIET_MS) / DT_MS);
		if (shape_lost(&sh, t))
			continue;
		f.t_us = (int64_t)t * 1000;
		counts[0] = (uint16_t)lround(shape_at(&sh, t));
		if (l->n_sensors > 1)
			counts[FX_FORE] = (uint16_t)(counts[0] / 2);
		ck_assert_int_eq(ins_analysis_feed(with, &f, &fm), 0);
		ck_assert_int_eq(ins_analysis_feed(without, &f, NULL), 0);
		while (ins_analysis_next_step(with, &a)) {
			ck_assert(ins_analysis_next_step(without, &b));
			assert_same_step(&a, &b);
			flags |= a.flags;
			steps++;
		}
		ck_assert(!ins_analysis_next_step(without, &b));
	}
	ck_assert_uint_ge(steps, 10);
	ck_assert_uint_ne(flags & INS_STEP_GAP, 0);
	ck_assert_uint_ne(flags & INS_STEP_SATURATED, 0);
	ins_analysis_free(with);
	ins_analysis_free(without);
	fixture_free(l);
}
END_TEST

Suite *ins_suite_events(void);
Suite *ins_suite_events(void)
{
	Suite *s = suite_create("events");
	TCase *tc = tcase_create("gait");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, walking_both_feet_exact_timing);
	tcase_add_test(tc, running_flight_phase_has_no_double_support);
	tcase_add_test(tc, one_foot_alone);
	tcase_add_test(tc, standing_still_makes_no_steps);
	tcase_add_test(tc, walking_then_standing);
	tcase_add_test(tc, standing_before_and_after_walking);
	tcase_add_test(tc, pivot_turn_flags_its_steps);
	tcase_add_test(tc, bounce_and_dip_do_not_double_trigger);
	tcase_add_test(tc, raw_signal_with_baseline_drift);
	tcase_add_test(tc, slow_unloading_tail_does_not_move_toe_off);
	tcase_add_test(tc, rebound_after_the_fall_ends_stance);
	tcase_add_test(tc, rising_swing_floor_does_not_advance_contact);
	tcase_add_test(tc, slow_heel_loading_is_timed_at_the_force_level);
	tcase_add_test(tc, unloading_shoulder_moves_toe_off_continuously);
	tcase_add_loop_test(tc, lost_frames_are_bridged_or_flag_the_step, 0,
			    (int)(sizeof(gap_cases) / sizeof(gap_cases[0])));
	tcase_add_loop_test(tc, steps_do_not_depend_on_wanting_frame_metrics, 0, 3);
	tcase_add_test(tc, frame_flags_and_state);
	tcase_add_test(tc, knock_in_swing_is_ignored);
	tcase_add_test(tc, first_stance_is_timed_against_its_own_level);
	tcase_add_test(tc, tare_zeroes_at_the_next_raw_frame);
	tcase_add_test(tc, body_weight_normalises_loading_rate);
	tcase_add_test(tc, bad_frames_are_rejected_not_fatal);
	tcase_add_test(tc, synthetic_walker_matches_its_truth);
	tcase_add_test(tc, synthetic_runner_matches_its_truth);
	tcase_add_test(tc, healthy_walk_flags_no_sensor);
	tcase_add_test(tc, dead_saturated_and_stuck_sensors_are_flagged);
	tcase_add_test(tc, silent_needs_twenty_steps);
	tcase_add_test(tc, silent_sensor_beside_a_light_one_is_not_dead);
	tcase_add_test(tc, grid_dead_and_saturated_cells_are_flagged);
	tcase_add_test(tc, grid_high_arch_flags_nothing);
	tcase_add_test(tc, demo_walk_on_fsr16_flags_nothing);
	tcase_add_test(tc, steady_stance_gives_the_exact_scale);
	tcase_add_test(tc, unsteady_or_unknown_weight_is_refused);
	suite_add_tcase(s, tc);

	TCase *cold = tcase_create("cold_start");
	/* 72 streams of 8 s per case, a dense grid among them: seconds under
	 * sanitizers. */
	tcase_set_timeout(cold, 120);
	tcase_add_loop_test(cold, synthetic_gait_from_any_phase, 0,
			    (int)(sizeof(cold_cases) / sizeof(cold_cases[0])));
	tcase_add_test(cold, standing_with_weight_shifts_then_walking);
	tcase_add_loop_test(cold, synthetic_walk_in_raw_units_makes_steps, 0,
			    (int)(sizeof(raw_layouts) / sizeof(raw_layouts[0])));
	suite_add_tcase(s, cold);
	return s;
}
