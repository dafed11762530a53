/* The anatomical mask: region geometry on the shipped layouts, and per-step
 * region metrics of synthetic walks whose loading is known exactly. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insoled/analysis.h"
#include "insoled/layout.h"
#include "analysis_fixtures.h"
#include "lib.h"

#define RATE_HZ 100
#define STANCE_S 0.62
#define STRIDE_S 1.0
#define LEAD_S 0.3              /* swing before the first contact: a cold start needs one */
#define N_STEPS 8

/* Each region's load during stance: a half sine of amplitude kpa from
 * `from` to `to` (fractions of stance): the heel early, the toes late,
 * every region at its own level so no two can be mistaken. */
static const struct region_load {
	unsigned region;
	double kpa, from, to;
	double len_frac, width_frac; /* grid: where its load sits (of foot length, of local width) */
} loads[INS_MASK_COUNT] = {
	{ INS_MASK_MEDIAL_HEEL, 300, 0.00, 0.55, 0.14, 0.72 },
	{ INS_MASK_LATERAL_HEEL, 260, 0.00, 0.60, 0.14, 0.28 },
	{ INS_MASK_MEDIAL_MIDFOOT, 60, 0.10, 0.70, 0.45, 0.70 },
	{ INS_MASK_LATERAL_MIDFOOT, 110, 0.10, 0.75, 0.45, 0.25 },
	{ INS_MASK_MTH1, 350, 0.35, 0.98, 0.70, 0.84 },
	{ INS_MASK_MTH2_3, 420, 0.30, 1.00, 0.70, 0.50 },
	{ INS_MASK_MTH4_5, 200, 0.30, 0.90, 0.70, 0.16 },
	{ INS_MASK_HALLUX, 280, 0.55, 1.00, 0.90, 0.80 },
	{ INS_MASK_LESSER_TOES, 120, 0.60, 1.00, 0.90, 0.32 },
};

static double region_kpa(const struct region_load *r, double phase)
{
	if (phase < r->from || phase > r->to)
		return 0;
	return r->kpa * sin(M_PI * (phase - r->from) / (r->to - r->from));
}

/* The walk: sensor i carries region owner[i]'s load times gain[i]
 * (owner[i] < 0: never loaded).  Truth per region: peak = amplitude x the
 * largest gain of its sensors, PTI = that x 2/pi x its loaded time. */
struct walk {
	const struct ins_layout *l;
	int *owner;
	float *gain;
	double peak[INS_MASK_COUNT], pti[INS_MASK_COUNT];
};

static void walk_truth(struct walk *w)
{
	for (unsigned r = 0; r < INS_MASK_COUNT; r++) {
		double g = 0;
		for (unsigned i = 0; i < w->l->n_sensors; i++)
			if (w->owner[i] == (int)r)
				g = fmax(g, w->gain[i]);
		ck_assert_msg(g > 0, "region %s has no loaded sensor", ins_mask_region_name(r));
		w->peak[r] = loads[r].kpa * g;
		w->pti[r] = w->peak[r] * 2.0 / M_PI * (loads[r].to - loads[r].from) * STANCE_S;
	}
}

static void walk_frame(const struct walk *w, double t, float *kpa)
{
	double in_stride = fmod(t - LEAD_S, STRIDE_S), phase = in_stride / STANCE_S;

	for (unsigned i = 0; i < w->l->n_sensors; i++)
		kpa[i] = t >= LEAD_S && phase <= 1.0 && w->owner[i] >= 0
				 ? (float)(w->gain[i] * region_kpa(&loads[w->owner[i]], phase)) : 0.0f;
}

/* Feeds the walk to a fresh analysis of the left foot and checks every
 * region of every step from from_step on against the truth (peaks, and
 * PTIs when with_pti); returns the worst error, %. */
static double run_walk(const struct walk *w, double tol_pct, unsigned from_step, int with_pti)
{
	struct ins_analysis_config cfg = { .layout = { w->l, NULL } };
	struct ins_frame_metrics fm;
	struct ins_step step;
	char err[256];
	struct ins_analysis *ana = ins_analysis_new(&cfg, err, sizeof(err));
	float *kpa = calloc(w->l->n_sensors, sizeof(float));
	unsigned steps = 0, n = (unsigned)((LEAD_S + N_STEPS * STRIDE_S) * RATE_HZ);
	double worst = 0;

	ck_assert_msg(ana != NULL, "%s", err);
	for (unsigned k = 0; k < n; k++) {
		double t = (double)k / RATE_HZ;
		walk_frame(w, t, kpa);
		ck_assert_int_eq(ins_analysis_feed_kpa(ana, INS_FOOT_LEFT, (int64_t)(t * 1e6), kpa,
						       w->l->n_sensors, &fm), 0);
		while (ins_analysis_next_step(ana, &step)) {
			if (step.index < from_step)
				continue;
			steps++;
			for (unsigned r = 0; r < INS_MASK_COUNT; r++) {
				double pk = step.m[INS_M_MASK(r, INS_MASK_PEAK)], pti = step.m[INS_M_MASK(r, INS_MASK_PTI)];
				double e = fmax(fabs(pk / w->peak[r] - 1), with_pti ? fabs(pti / w->pti[r] - 1) : 0) * 100;
				ck_assert_msg(e <= tol_pct, "%s step %u %s: peak %.2f (truth %.2f), PTI %.3f (truth %.3f)",
					      w->l->name, step.index, ins_mask_region_name(r), pk, w->peak[r], pti, w->pti[r]);
				worst = fmax(worst, e);
			}
		}
	}
	ck_assert_uint_ge(steps, N_STEPS - 1 - from_step);
	free(kpa);
	ins_analysis_free(ana);
	return worst;
}

START_TEST(fsr16_regions_match_a_known_walk)
{
	/* The anatomy docs/layouts.md gives each fsr16 sensor (not the mask
	 * code): heel x4, medial arch, lateral midfoot x2, MTH 1-5, hallux,
	 * 2nd toe, 3rd-4th toes, 5th toe. */
	static const int anatomy[16] = {
		INS_MASK_MEDIAL_HEEL, INS_MASK_LATERAL_HEEL, INS_MASK_MEDIAL_HEEL, INS_MASK_LATERAL_HEEL,
		INS_MASK_MEDIAL_MIDFOOT, INS_MASK_LATERAL_MIDFOOT, INS_MASK_LATERAL_MIDFOOT,
		INS_MASK_MTH1, INS_MASK_MTH2_3, INS_MASK_MTH2_3, INS_MASK_MTH4_5, INS_MASK_MTH4_5,
		INS_MASK_HALLUX, INS_MASK_LESSER_TOES, INS_MASK_LESSER_TOES, INS_MASK_LESSER_TOES
	};
	struct ins_layout *l = test_load_shipped("fsr16");
	int owner[16];
	float gain[16];
	struct walk w = { .l = l, .owner = owner, .gain = gain };

	ck_assert_uint_eq(l->n_sensors, 16);
	for (unsigned i = 0; i < 16; i++) {
		owner[i] = anatomy[i];
		gain[i] = (i % 3 == 0) ? 1.0f : 0.6f + 0.1f * (float)(i % 3);
	}
	walk_truth(&w);
	printf("mask fsr16: worst region peak/PTI error %.3f %%\n", run_walk(&w, 2.0, 0, 1));
	ins_layout_free(l);
}
END_TEST

/* Grid: a disc of cells around each region's load point, the cell at its
 * centre fully loaded and the others less with distance. */
#define DISC_MM 9.0
static void grid_walk(struct walk *w, double len_mm, double heel_mm)
{
	const struct ins_layout *l = w->l;

	for (unsigned i = 0; i < l->n_sensors; i++) {
		w->owner[i] = -1;
		w->gain[i] = 0;
	}
	for (unsigned r = 0; r < INS_MASK_COUNT; r++) {
		double y = heel_mm + loads[r].len_frac * len_mm, lat, med, x;
		ck_assert_int_eq(ins_layout_width_at(l, y, &lat, &med), 0);
		x = lat + loads[r].width_frac * (med - lat);
		for (unsigned i = 0; i < l->n_sensors; i++) {
			double d = hypot(l->sensors[i].x_mm - x, l->sensors[i].y_mm - y);
			if (d <= DISC_MM) {
				w->owner[i] = (int)r;
				w->gain[i] = (float)(1.0 - 0.5 * d / DISC_MM);
			}
		}
	}
	walk_truth(w);
}

START_TEST(grid60x21_regions_match_a_known_walk)
{
	struct ins_layout *l = test_load_shipped("grid60x21");
	struct walk w = { .l = l, .owner = calloc(l->n_sensors, sizeof(int)),
			  .gain = calloc(l->n_sensors, sizeof(float)) };

	grid_walk(&w, l->foot_length_mm, 0);
	printf("mask grid60x21: worst region peak/PTI error %.3f %%\n", run_walk(&w, 2.0, 0, 1));
	free(w.owner);
	free(w.gain);
	ins_layout_free(l);
}
END_TEST

/* The cells of the insole between heel_mm and toe_mm that no region's
 * disc loads carry region owner's timing at gain: the sole, so that the
 * footprint is the whole foot. */
static void fill_sole(struct walk *w, double heel_mm, double toe_mm, unsigned owner, float gain)
{
	const struct ins_layout *l = w->l;

	for (unsigned i = 0; i < l->n_sensors; i++) {
		const struct ins_sensor *s = &l->sensors[i];
		if (w->owner[i] < 0 && s->y_mm > heel_mm && s->y_mm < toe_mm && ins_layout_contains(l, s->x_mm, s->y_mm)) {
			w->owner[i] = (int)owner;
			w->gain[i] = gain;
		}
	}
}

/* A foot 230 mm long standing 20 mm from the heel end of the 300 mm grid:
 * by the insole's own percentages its hallux and lesser toes (at 76 % of
 * the insole) would be forefoot; the mask found from the footprint puts
 * them back.  A light sole load (5 % of MTH 2-3's, 21 kPa: above contact)
 * fills the footprint from 20 to 250 mm so the mask sees the foot, not
 * just the discs; it lies below every region's own peak but adds to the
 * PTIs, so peaks are checked, from the second step (the first one has
 * only the insole's mask). */
START_TEST(grid_mask_follows_the_footprint)
{
	struct ins_layout *l = test_load_shipped("grid60x21");
	struct walk w = { .l = l, .owner = calloc(l->n_sensors, sizeof(int)),
			  .gain = calloc(l->n_sensors, sizeof(float)) };

	grid_walk(&w, 230, 20);
	fill_sole(&w, 20, 250, INS_MASK_MTH2_3, 0.05f);
	printf("mask grid60x21, 230 mm foot: worst region peak error %.3f %%\n", run_walk(&w, 2.0, 1, 0));
	free(w.owner);
	free(w.gain);
	ins_layout_free(l);
}
END_TEST

/* The mask the analysis hands out (for the maps) is the one it measures
 * with: on the 230 mm foot, the cell under the hallux load is in the
 * hallux once steps are in, in MTH 1 before (the insole's own mask). */
START_TEST(grid_mask_regions_follow_the_footprint)
{
	struct ins_layout *l = test_load_shipped("grid60x21");
	struct walk w = { .l = l, .owner = calloc(l->n_sensors, sizeof(int)),
			  .gain = calloc(l->n_sensors, sizeof(float)) };
	struct ins_analysis_config cfg = { .layout = { l, NULL } };
	struct ins_frame_metrics fm;
	struct ins_step step;
	char err[256];
	struct ins_analysis *ana = ins_analysis_new(&cfg, err, sizeof(err));
	float *kpa = calloc(l->n_sensors, sizeof(float));
	uint8_t *regions = calloc(l->n_sensors, 1);
	unsigned hallux = 0, steps = 0;
	double best = 0;

	grid_walk(&w, 230, 20);
	for (unsigned i = 0; i < l->n_sensors; i++)
		if (w.owner[i] == INS_MASK_HALLUX && w.gain[i] > best) {
			best = w.gain[i];
			hallux = i;
		}
	ck_assert_uint_eq(ins_analysis_mask_regions(ana, INS_FOOT_LEFT, regions), l->n_sensors);
	ck_assert_uint_eq(regions[hallux], INS_MASK_MTH1);
	for (unsigned k = 0; k < (unsigned)((LEAD_S + 3 * STRIDE_S) * RATE_HZ); k++) {
		double t = (double)k / RATE_HZ;
		walk_frame(&w, t, kpa);
		ins_analysis_feed_kpa(ana, INS_FOOT_LEFT, (int64_t)(t * 1e6), kpa, l->n_sensors, &fm);
		while (ins_analysis_next_step(ana, &step))
			steps++;
	}
	ck_assert_uint_ge(steps, 2);
	ck_assert_uint_eq(ins_analysis_mask_regions(ana, INS_FOOT_LEFT, regions), l->n_sensors);
	ck_assert_uint_eq(regions[hallux], INS_MASK_HALLUX);
	ck_assert_uint_eq(ins_analysis_mask_regions(ana, INS_FOOT_RIGHT, regions), 0);
	free(regions);
	free(kpa);
	free(w.owner);
	free(w.gain);
	ins_analysis_free(ana);
	ins_layout_free(l);
}
END_TEST

/* Strike index and CPEI are measured on the foot (Cavanagh & Lafortune
 * 1980, Song 1996: % of foot length from the heel, the distal third of
 * the foot), which on a dense grid is its footprint, not the insole: the
 * 230 mm foot standing 20 mm from the heel end of the 300 mm grid first
 * loads its heels at 14 % of its length (20 + 0.14 x 230 mm), which by the
 * insole would read 17.4 %.  CPEI is checked against the definition
 * worked here from the frames' CoP: the construction line from the
 * stance's first to last CoP, the path crossing 2/3 of the footprint's
 * length, over the footprint's width on that row. */
START_TEST(grid_strike_index_and_cpei_measure_the_foot)
{
	struct ins_layout *l = test_load_shipped("grid60x21");
	struct walk w = { .l = l, .owner = calloc(l->n_sensors, sizeof(int)),
			  .gain = calloc(l->n_sensors, sizeof(float)) };
	struct ins_analysis_config cfg = { .layout = { l, NULL } };
	struct ins_frame_metrics fm;
	struct ins_step step;
	char err[256];
	struct ins_analysis *ana = ins_analysis_new(&cfg, err, sizeof(err));
	unsigned n = (unsigned)((LEAD_S + N_STEPS * STRIDE_S) * RATE_HZ), steps = 0, row0 = l->grid_h, row1 = 0;
	unsigned with_cpei = 0;
	float *kpa = calloc(l->n_sensors, sizeof(float));
	double *cop_x = calloc(n, sizeof(double)), *cop_y = calloc(n, sizeof(double));
	int64_t *t_us = calloc(n, sizeof(int64_t));

	ck_assert_msg(ana != NULL, "%s", err);
	grid_walk(&w, 230, 20);
	/* the sole, lightly (13 kPa) and in midstance, so the footprint is the
	 * whole foot and the CoP still ends under the forefoot */
	fill_sole(&w, 20, 250, INS_MASK_LATERAL_MIDFOOT, 0.12f);
	for (unsigned i = 0; i < l->n_sensors; i++) {
		if (w.owner[i] >= 0) {
			row0 = i / l->grid_w < row0 ? i / l->grid_w : row0;
			row1 = i / l->grid_w > row1 ? i / l->grid_w : row1;
		}
	}
	/* the footprint: its rows' span, and on the CPEI row the span of its cells */
	double heel = l->grid_y0_mm + (row0 - 0.5) * l->grid_cell_mm, len = (row1 - row0 + 1) * l->grid_cell_mm;
	double cpei_y = heel + len * 2.0 / 3.0, lat = INFINITY, med = -INFINITY;
	unsigned cpei_row = (unsigned)lround((cpei_y - l->grid_y0_mm) / l->grid_cell_mm);
	for (unsigned c = 0; c < l->grid_w; c++)
		if (w.owner[cpei_row * l->grid_w + c] >= 0) {
			lat = fmin(lat, l->sensors[cpei_row * l->grid_w + c].x_mm - 0.5 * l->grid_cell_mm);
			med = fmax(med, l->sensors[cpei_row * l->grid_w + c].x_mm + 0.5 * l->grid_cell_mm);
		}
	ck_assert_double_eq_tol(heel, 20.0, l->grid_cell_mm);
	ck_assert_double_eq_tol(len, 230.0, 2 * l->grid_cell_mm);
	for (unsigned k = 0; k < n; k++) {
		double t = (double)k / RATE_HZ;
		walk_frame(&w, t, kpa);
		t_us[k] = (int64_t)(t * 1e6);
		ck_assert_int_eq(ins_analysis_feed_kpa(ana, INS_FOOT_LEFT, t_us[k], kpa, l->n_sensors, &fm), 0);
		cop_x[k] = fm.cop_x_mm;
		cop_y[k] = fm.cop_y_mm;
		while (ins_analysis_next_step(ana, &step)) {
			unsigned first = 0, last = 0;
			double cpe = NAN;

			for (unsigned j = 0; j <= k; j++) {
				if (t_us[j] < step.contact_us || t_us[j] > step.toe_off_us || !isfinite(cop_y[j]))
					continue;
				if (!first)
					first = j;
				last = j;
			}
			ck_assert_uint_gt(last, first);
			for (unsigned j = first + 1; j <= last && isnan(cpe); j++)
				if (isfinite(cop_y[j]) && (cop_y[j - 1] - cpei_y) * (cop_y[j] - cpei_y) <= 0 &&
				    cop_y[j] != cop_y[j - 1]) {
					double at = (cpei_y - cop_y[j - 1]) / (cop_y[j] - cop_y[j - 1]);
					double line = cop_x[first] + (cop_x[last] - cop_x[first]) * (cpei_y - cop_y[first]) /
									    (cop_y[last] - cop_y[first]);
					cpe = line - (cop_x[j - 1] + at * (cop_x[j] - cop_x[j - 1]));
				}
			ck_assert_msg(fabs(step.m[INS_M_STRIKE_INDEX_PCT] - 14.0) <= 1.0,
				      "step %u: strike index %.2f %% of the foot, not 14 %%", step.index,
				      step.m[INS_M_STRIKE_INDEX_PCT]);
			/* (both NaN when the path never crosses the line) */
			ck_assert_msg(isnan(cpe) == isnan(step.m[INS_M_CPEI_PCT]) &&
					      !(fabs(step.m[INS_M_CPEI_PCT] - 100.0 * cpe / (med - lat)) > 0.05),
				      "step %u: CPEI %.3f %%, by the definition %.3f %%", step.index,
				      step.m[INS_M_CPEI_PCT], 100.0 * cpe / (med - lat));
			with_cpei += isfinite(cpe);
			steps++;
		}
	}
	ck_assert_uint_ge(steps, N_STEPS - 1);
	ck_assert_uint_ge(with_cpei, N_STEPS - 2);
	printf("grid60x21, 230 mm foot: %u steps, CPEI checked on %u\n", steps, with_cpei);
	free(t_us);
	free(cop_x);
	free(cop_y);
	free(kpa);
	free(w.owner);
	free(w.gain);
	ins_analysis_free(ana);
	ins_layout_free(l);
}
END_TEST

START_TEST(gaitpdb8_regions_without_a_sensor_are_not_measured)
{
	struct ins_layout *l = test_load_shipped("gaitpdb8");
	int owner[8];
	float gain[8];
	struct ins_analysis_config cfg = { .layout = { l, NULL } };
	struct ins_frame_metrics fm;
	struct ins_step step;
	char err[256];
	struct ins_analysis *ana = ins_analysis_new(&cfg, err, sizeof(err));
	float kpa[8];
	unsigned steps = 0;
	struct walk w = { .l = l, .owner = owner, .gain = gain };

	/* Every sensor loaded, with the timing of the region below it. */
	static const int below[8] = { INS_MASK_MEDIAL_HEEL, INS_MASK_LATERAL_MIDFOOT, INS_MASK_MEDIAL_MIDFOOT,
				      INS_MASK_LATERAL_MIDFOOT, INS_MASK_MEDIAL_MIDFOOT, INS_MASK_MTH4_5,
				      INS_MASK_MTH1, INS_MASK_LESSER_TOES };
	for (unsigned i = 0; i < 8; i++) {
		owner[i] = below[i];
		gain[i] = 1;
	}
	for (unsigned k = 0; k < (unsigned)((LEAD_S + N_STEPS * STRIDE_S) * RATE_HZ); k++) {
		double t = (double)k / RATE_HZ;
		walk_frame(&w, t, kpa);
		ins_analysis_feed_kpa(ana, INS_FOOT_LEFT, (int64_t)(t * 1e6), kpa, 8, &fm);
		while (ins_analysis_next_step(ana, &step)) {
			steps++;
			for (unsigned r = 0; r < INS_MASK_COUNT; r++) {
				int none = r == INS_MASK_MTH2_3 || r == INS_MASK_HALLUX;
				for (unsigned m = 0; m < INS_MASK_METRICS_PER_REGION; m++)
					ck_assert_msg(isnan(step.m[INS_M_MASK(r, m)]) == none, "%s metric %u: %g",
						      ins_mask_region_name(r), m, step.m[INS_M_MASK(r, m)]);
			}
			/* the heel sensor on the axis measures both heel halves */
			ck_assert_double_eq_tol(step.m[INS_M_MASK(INS_MASK_MEDIAL_HEEL, INS_MASK_PEAK)],
						step.m[INS_M_MASK(INS_MASK_LATERAL_HEEL, INS_MASK_PEAK)], 1e-9);
		}
	}
	ck_assert_uint_ge(steps, N_STEPS - 1);
	ins_analysis_free(ana);
	ins_layout_free(l);
}
END_TEST

START_TEST(shares_of_load_add_up_and_split_the_axis)
{
	/* fixture: heel sensors either side, toes on the axis of a layout
	 * without outline (width fraction 0.5): midfoot lateral, forefoot in
	 * MTH 2-3, toes in the lesser toes. */
	struct ins_layout *l = fixture_sparse5(0);
	unsigned regions[2];
	float shares[2];

	ck_assert_uint_eq(ins_layout_sensor_mask(l, FX_HEEL_M, regions, shares), 1);
	ck_assert_uint_eq(regions[0], INS_MASK_MEDIAL_HEEL);
	ck_assert_uint_eq(ins_layout_sensor_mask(l, FX_HEEL_L, regions, shares), 1);
	ck_assert_uint_eq(regions[0], INS_MASK_LATERAL_HEEL);
	ck_assert_uint_eq(ins_layout_sensor_mask(l, FX_MID, regions, shares), 1);
	ck_assert_uint_eq(regions[0], INS_MASK_LATERAL_MIDFOOT);
	ck_assert_uint_eq(ins_layout_sensor_mask(l, FX_FORE, regions, shares), 1);
	ck_assert_uint_eq(regions[0], INS_MASK_MTH2_3);
	ck_assert_uint_eq(ins_layout_sensor_mask(l, FX_TOES, regions, shares), 1);
	ck_assert_uint_eq(regions[0], INS_MASK_LESSER_TOES);
	/* a sensor on the axis in the heel counts half to each side */
	l->sensors[FX_HEEL_M].x_mm = 0;
	ck_assert_uint_eq(ins_layout_sensor_mask(l, FX_HEEL_M, regions, shares), 2);
	ck_assert_uint_eq(regions[0], INS_MASK_MEDIAL_HEEL);
	ck_assert_uint_eq(regions[1], INS_MASK_LATERAL_HEEL);
	ck_assert_float_eq(shares[0] + shares[1], 1.0f);
	fixture_free(l);
}
END_TEST

START_TEST(load_shares_sum_to_100)
{
	struct ins_layout *l = test_load_shipped("fsr16");
	int owner[16];
	float gain[16];
	struct walk w = { .l = l, .owner = owner, .gain = gain };
	struct ins_analysis_config cfg = { .layout = { l, NULL } };
	struct ins_frame_metrics fm;
	struct ins_step step;
	char err[256];
	struct ins_analysis *ana = ins_analysis_new(&cfg, err, sizeof(err));
	float kpa[16];
	unsigned steps = 0;

	for (unsigned i = 0; i < 16; i++) {
		owner[i] = (int)(i % INS_MASK_COUNT);
		gain[i] = 1;
	}
	for (unsigned k = 0; k < (unsigned)((LEAD_S + 4 * STRIDE_S) * RATE_HZ); k++) {
		double t = (double)k / RATE_HZ;
		walk_frame(&w, t, kpa);
		ins_analysis_feed_kpa(ana, INS_FOOT_LEFT, (int64_t)(t * 1e6), kpa, 16, &fm);
		while (ins_analysis_next_step(ana, &step)) {
			double sum = 0, force_max = 0;
			for (unsigned r = 0; r < INS_MASK_COUNT; r++) {
				sum += step.m[INS_M_MASK(r, INS_MASK_LOAD)];
				force_max = fmax(force_max, step.m[INS_M_MASK(r, INS_MASK_FORCE)]);
				ck_assert(step.m[INS_M_MASK(r, INS_MASK_CONTACT)] > 0);
			}
			ck_assert_double_eq_tol(sum, 100.0, 1e-6);
			ck_assert(force_max <= step.m[INS_M_PEAK_FORCE_N] + 1e-6);
			steps++;
		}
	}
	ck_assert_uint_ge(steps, 3);
	ins_analysis_free(ana);
	ins_layout_free(l);
}
END_TEST

START_TEST(layout_file_names_a_sensors_mask_region)
{
	static const char head[] =
		"[layout]\nname = m\nfoot_length_mm = 260\nfoot_width_mm = 100\n"
		"[calibration]\nkind = linear\ngain = 1\nsaturation = 4095\n"
		"[outline]\npoint = -50 0\npoint = 50 0\npoint = 50 260\npoint = -50 260\n";
	char text[1024];
	struct ins_layout *l;
	unsigned regions[2];
	float shares[2];
	char path[] = "/tmp/ins-check-mask-XXXXXX", err[512] = "";
	FILE *f;
	int fd;

	snprintf(text, sizeof(text), "%s[sensor]\nx_mm = -30\ny_mm = 180\narea_mm2 = 100\nmask = mth1\n"
		 "[sensor]\nx_mm = -30\ny_mm = 180\narea_mm2 = 100\n", head);
	l = fixture_layout_from_text(text);
	ck_assert_uint_eq(ins_layout_sensor_mask(l, 0, regions, shares), 1);
	ck_assert_uint_eq(regions[0], INS_MASK_MTH1);
	ck_assert_uint_eq(ins_layout_sensor_mask(l, 1, regions, shares), 1);
	ck_assert_uint_eq(regions[0], INS_MASK_MTH4_5);
	ins_layout_free(l);

	snprintf(text, sizeof(text), "%s[sensor]\nx_mm = 0\ny_mm = 10\narea_mm2 = 100\nmask = mth6\n", head);
	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	ck_assert_ptr_null(ins_layout_load(path, err, sizeof(err)));
	unlink(path);
	ck_assert_msg(strstr(err, ":18: mask: 'mth6'") != NULL, "%s", err);
}
END_TEST

Suite *ins_suite_mask(void);
Suite *ins_suite_mask(void)
{
	Suite *s = suite_create("mask");
	TCase *tc = tcase_create("mask");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, fsr16_regions_match_a_known_walk);
	tcase_add_test(tc, grid60x21_regions_match_a_known_walk);
	tcase_add_test(tc, grid_mask_follows_the_footprint);
	tcase_add_test(tc, grid_mask_regions_follow_the_footprint);
	tcase_add_test(tc, grid_strike_index_and_cpei_measure_the_foot);
	tcase_add_test(tc, gaitpdb8_regions_without_a_sensor_are_not_measured);
	tcase_add_test(tc, shares_of_load_add_up_and_split_the_axis);
	tcase_add_test(tc, load_shares_sum_to_100);
	tcase_add_test(tc, layout_file_names_a_sensors_mask_region);
	suite_add_tcase(s, tc);
	return s;
}
