/* Per-step metrics of the anatomical mask: peak pressure, PTI, maximum
 * force, peak contact area and share of load per region (definitions:
 * docs/analysis.md, regions: docs/layouts.md).  No allocation after
 * analysis_mask_acc_new(). */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mask.h"
#include "frame_metrics.h"
#include "steps.h"

/* A grid's footprint mask needs a real foot: fewer loaded cells or rows
 * than this (a knock, a heel tap) keep the mask in use. */
#define FOOTPRINT_MIN_CELLS 40
#define FOOTPRINT_MIN_ROWS 20
/* A cell is part of the footprint when it passed contact in at least this
 * share of the steps so far, so one step set down off-centre does not
 * move the mask. */
#define FOOTPRINT_STEP_SHARE 0.5
#define NO_REGION 0xffu

/* Consecutive sensors of one region counted with one share: grids have a
 * few per row, sparse layouts about one per sensor.  The per-frame loop
 * sums a run four sensors at a time. */
struct mask_run {
	uint16_t start, len;
	uint8_t region;
	float share;
};

/* Regions padded to whole vectors of four lanes (the padding stays 0), so
 * a step integrates four regions at a time. */
#define MASK_PAD ((INS_MASK_COUNT + 3u) / 4u * 4u)

/* One frame's peak pressure, force and contact area per region. */
struct mask_frame {
	float peak[MASK_PAD], force[MASK_PAD], area[MASK_PAD];
};

/* Sparse insoles of up to this many sensors keep each frame's pressures
 * (no more bytes than its region values) and sum the regions of a stance
 * when its step closes, run by run over the stance's frames: the work a
 * run needs is set up once a step instead of once a frame, and frames
 * outside every stance cost a copy.  Their mask is fixed, so the sums are
 * those the frames would have had.  Dense grids re-derive their mask
 * after every step and sum each frame as it comes. */
#define MASK_DEFER_MAX_SENSORS (3u * MASK_PAD)
/* Stance frames summed together at a step's close (a multiple of four). */
#define MASK_BLOCK 64u

/* Deferred sparse insoles: the region values of a block of stance frames,
 * region by region (a region's frames side by side, so one vector
 * operation adds a run to four frames). */
struct mask_block {
	float peak[MASK_PAD][MASK_BLOCK], force[MASK_PAD][MASK_BLOCK], area[MASK_PAD][MASK_BLOCK]; /* padding: 0 */
	int64_t t_us[MASK_BLOCK];
};

struct analysis_mask_acc {
	const struct ins_layout *layout;
	unsigned n;               /* sensors measured; 0 for arbitrary units */
	uint8_t *region;          /* each sensor's region */
	float *share;             /* and the part of its force and area counted there */
	uint16_t *second;         /* sensors shared with a second region: index */
	uint8_t *second_region;
	unsigned n_second;
	float *w, *area;          /* N per kPa (area x 1e-3), mm2 */
	unsigned n_in[INS_MASK_COUNT]; /* sensors measuring each region */
	struct mask_run *runs;    /* over region[] and share[] */
	unsigned n_runs;
	int64_t *t_ring;          /* each frame's time */
	struct mask_frame *ring;  /* each frame's region values, or NULL when deferred */
	float *kpa_ring;          /* deferred: each frame's pressures, n a frame (three more to read past the end) */
	struct mask_block *block; /* deferred: the stance frames being summed */
	uint64_t pushed;
	/* dense grids: the footprint behind the mask */
	uint16_t *loaded_steps;   /* per cell: steps in which it passed contact */
	uint32_t steps;
	float *row_lat, *row_med; /* per row: the footprint's lateral and medial edges, mm */
	int have_foot;            /* the footprint passed FOOTPRINT_MIN_*: */
	double foot_heel_y, foot_length; /* its heel end and length, mm */
	uint8_t *row_has;         /* per row: it has footprint cells of its own */
};

static void assign(struct analysis_mask_acc *acc, unsigned i, const unsigned regions[2], const float shares[2],
		   unsigned n_regions)
{
	acc->region[i] = (uint8_t)regions[0];
	acc->share[i] = shares[0];
	acc->n_in[regions[0]]++;
	if (n_regions == 2) {
		acc->second[acc->n_second] = (uint16_t)i;
		acc->second_region[acc->n_second++] = (uint8_t)regions[1];
		acc->n_in[regions[1]]++;
	}
}

static void build_runs(struct analysis_mask_acc *acc)
{
	acc->n_runs = 0;
	for (unsigned i = 0; i < acc->n; i++) {
		struct mask_run *r = acc->n_runs ? &acc->runs[acc->n_runs - 1] : NULL;
		if (r && r->region == acc->region[i] && r->share == acc->share[i] && r->len < UINT16_MAX) {
			r->len++;
			continue;
		}
		acc->runs[acc->n_runs++] = (struct mask_run){ (uint16_t)i, 1, acc->region[i], acc->share[i] };
	}
}

static void insole_mask(struct analysis_mask_acc *acc)
{
	unsigned regions[2];
	float shares[2];

	acc->n_second = 0;
	memset(acc->n_in, 0, sizeof(acc->n_in));
	for (unsigned i = 0; i < acc->n; i++)
		assign(acc, i, regions, shares, ins_layout_sensor_mask(acc->layout, i, regions, shares));
	build_runs(acc);
}

struct analysis_mask_acc *analysis_mask_acc_new(const struct ins_layout *layout)
{
	struct analysis_mask_acc *acc = calloc(1, sizeof(*acc));
	unsigned n = layout->n_sensors;

	if (!acc)
		return NULL;
	acc->layout = layout;
	if (layout->arbitrary_units)
		return acc;
	acc->n = n;
	acc->region = calloc(n, 1);
	acc->share = calloc(n, sizeof(float));
	acc->second = calloc(n, sizeof(uint16_t));
	acc->second_region = calloc(n, 1);
	acc->w = calloc(n, sizeof(float));
	acc->area = calloc(n, sizeof(float));
	acc->t_ring = calloc(INS_STEP_RING, sizeof(int64_t));
	if (!layout->is_grid && n <= MASK_DEFER_MAX_SENSORS) {
		acc->kpa_ring = calloc((size_t)(INS_STEP_RING + 3) * n, sizeof(float));
		acc->block = calloc(1, sizeof(struct mask_block));
	} else {
		acc->ring = calloc(INS_STEP_RING, sizeof(struct mask_frame));
	}
	acc->runs = calloc(n, sizeof(struct mask_run));
	if (layout->is_grid) {
		acc->loaded_steps = calloc(n, sizeof(uint16_t));
		acc->row_lat = calloc(layout->grid_h, sizeof(float));
		acc->row_med = calloc(layout->grid_h, sizeof(float));
		acc->row_has = calloc(layout->grid_h, 1);
	}
	if (!acc->region || !acc->share || !acc->second || !acc->second_region || !acc->w || !acc->area ||
	    !acc->t_ring || !(acc->ring || (acc->kpa_ring && acc->block)) || !acc->runs || (layout->is_grid && (!acc->loaded_steps || !acc->row_lat || !acc->row_med || !acc->row_has))) {
		analysis_mask_acc_free(acc);
		return NULL;
	}
	for (unsigned i = 0; i < n; i++) {
		acc->area[i] = layout->sensors[i].area_mm2;
		acc->w[i] = 1e-3f * acc->area[i];
	}
	insole_mask(acc);
	return acc;
}

void analysis_mask_acc_free(struct analysis_mask_acc *acc)
{
	if (!acc)
		return;
	free(acc->region);
	free(acc->share);
	free(acc->second);
	free(acc->second_region);
	free(acc->w);
	free(acc->area);
	free(acc->t_ring);
	free(acc->ring);
	free(acc->kpa_ring);
	free(acc->block);
	free(acc->runs);
	free(acc->loaded_steps);
	free(acc->row_lat);
	free(acc->row_med);
	free(acc->row_has);
	free(acc);
}

/* One sensor into the sums of its run. */
static inline void add_sensor(float v, float w, float area, float *peak, float *fsum, float *asum)
{
	*peak = v > *peak ? v : *peak;
	*fsum += v * w;
	*asum += v > INS_CONTACT_KPA ? area : 0.0f;
}

/* What one run of one frame adds to its region. */
struct run_add {
	float peak, force, area;
};

/* A run's sums go in two parts: its whole vectors of four sensors in
 * vector lanes (the vector types of frame_metrics.h), the lanes then
 * summed, then the rest (at most three: all of a short run, the usual case
 * on sparse insoles) one by one without a loop.  Pressures are never
 * negative, so a run with no pressure (cells off the foot, which are most
 * of a grid) adds zeros and leaves the frame as it was; a NaN pressure
 * still reaches the force.  Always inlined, so a caller's loop keeps the
 * run's set-up out of it. */
struct run_lanes {
	analysis_v4f peak, force, area;
};

static inline __attribute__((always_inline)) struct run_lanes run_vectors(const float *p, const float *w,
									   const float *area, unsigned len)
{
	const analysis_v4f thr = { INS_CONTACT_KPA, INS_CONTACT_KPA, INS_CONTACT_KPA, INS_CONTACT_KPA };
	struct run_lanes l = { { 0 }, { 0 }, { 0 } };

	for (unsigned i = 0; i + 4 <= len; i += 4) {
		analysis_v4f v = analysis_v4f_load(p + i);
		l.peak = analysis_v4f_max(v, l.peak);
		l.force += v * analysis_v4f_load(w + i);
		l.area += (analysis_v4f)((v > thr) & (analysis_v4i)analysis_v4f_load(area + i));
	}
	return l;
}

static inline __attribute__((always_inline)) struct run_add run_tail(const float *p, const float *w,
								      const float *area, unsigned len, struct run_add s)
{
	unsigned i = len & ~3u;

	if (i < len)
		add_sensor(p[i], w[i], area[i], &s.peak, &s.force, &s.area);
	if (i + 1 < len)
		add_sensor(p[i + 1], w[i + 1], area[i + 1], &s.peak, &s.force, &s.area);
	if (i + 2 < len)
		add_sensor(p[i + 2], w[i + 2], area[i + 2], &s.peak, &s.force, &s.area);
	return s;
}

static inline __attribute__((always_inline)) struct run_add run_sums(const float *p, const float *w,
								      const float *area, unsigned len)
{
	struct run_add s = { 0.0f, 0.0f, 0.0f };

	if (len >= 4) {
		struct run_lanes l = run_vectors(p, w, area, len);
		s = (struct run_add){ analysis_v4f_hmax(l.peak), analysis_v4f_hsum(l.force), analysis_v4f_hsum(l.area) };
	}
	return run_tail(p, w, area, len, s);
}

static inline void add_to_region(struct mask_frame *f, unsigned region, float share, struct run_add s)
{
	f->peak[region] = s.peak > f->peak[region] ? s.peak : f->peak[region];
	f->force[region] += s.force * share;
	f->area[region] += s.area * share;
}

static inline void add_run(const struct analysis_mask_acc *acc, const struct mask_run *run, const float *kpa,
			   struct mask_frame *f)
{
	add_to_region(f, run->region, run->share,
		      run_sums(kpa + run->start, acc->w + run->start, acc->area + run->start, run->len));
}

/* A fresh ring slot: all regions 0.  Plain vector stores, because a
 * memset() of this size compiles to a string instruction whose start-up
 * costs more than the stores, and the region sums that follow it would
 * wait for it to finish. */
static inline void clear_frame(struct mask_frame *f)
{
	const analysis_v4f nil = { 0, 0, 0, 0 };

	for (unsigned j = 0; j < MASK_PAD; j += 4) {
		analysis_v4f_store(f->peak + j, nil);
		analysis_v4f_store(f->force + j, nil);
		analysis_v4f_store(f->area + j, nil);
	}
}

/* The other half of the sensors on the split line. */
static inline void add_second(const struct analysis_mask_acc *acc, const float *kpa, struct mask_frame *f)
{
	for (unsigned k = 0; k < acc->n_second; k++) {
		unsigned i = acc->second[k], r = acc->second_region[k];
		float rest = 1.0f - acc->share[i];

		if (kpa[i] > f->peak[r])
			f->peak[r] = kpa[i];
		f->force[r] += kpa[i] * acc->w[i] * rest;
		if (kpa[i] > INS_CONTACT_KPA)
			f->area[r] += acc->area[i] * rest;
	}
}

/* A frame with no pressure anywhere (swing: frame_peak_kpa and
 * frame_force_n both 0) is all zeros. */
void analysis_mask_acc_push(struct analysis_mask_acc *acc, int64_t t_us, const float *kpa, float frame_peak_kpa,
		       float frame_force_n)
{
	struct mask_frame *f;
	unsigned pos;

	if (!acc->n)
		return;
	pos = (unsigned)(acc->pushed++ % INS_STEP_RING);
	acc->t_ring[pos] = t_us;
	if (acc->kpa_ring) {
		memcpy(acc->kpa_ring + (size_t)pos * acc->n, kpa, acc->n * sizeof(float));
		return;
	}
	f = &acc->ring[pos];
	clear_frame(f);
	if (frame_peak_kpa == 0.0f && frame_force_n == 0.0f)
		return;
	for (unsigned r = 0; r < acc->n_runs; r++)
		add_run(acc, &acc->runs[r], kpa, f);
	add_second(acc, kpa, f);
}

/* ---- the step -------------------------------------------------------- */

/* Ring positions [*first, *end) of the frames inside [c, o]. */
static void stance_frames(const struct analysis_mask_acc *acc, int64_t c, int64_t o, uint64_t *first, uint64_t *end)
{
	uint64_t oldest = acc->pushed > INS_STEP_RING ? acc->pushed - INS_STEP_RING : 0;
	uint64_t k = acc->pushed;

	for (; k > oldest && acc->t_ring[(k - 1) % INS_STEP_RING] > o; k--)
		;
	*end = k;
	for (; k > oldest && acc->t_ring[(k - 1) % INS_STEP_RING] >= c; k--)
		;
	*first = k;
}

typedef float mask_v2f __attribute__((vector_size(8)));

/* Two floats of a region array as doubles. */
static inline analysis_v2d widen(const float *p)
{
	mask_v2f v;

	memcpy(&v, p, sizeof(v));
	return __builtin_convertvector(v, analysis_v2d);
}

/* A stance integrated so far: maxima in float (the conversion to double
 * keeps the order), integrals (trapezoids) in double, each region in its
 * own lane, and the last frame for the next trapezoid. */
struct step_sums {
	analysis_v4f peak[MASK_PAD / 4], force[MASK_PAD / 4], area[MASK_PAD / 4];
	analysis_v2d pti[MASK_PAD / 2], fti[MASK_PAD / 2];
	struct mask_frame last;
	int64_t last_t_us;
	uint64_t frames;
};

/* count more frames of the stance, in time order: every region gets the
 * operations a scalar loop over the frames would give it, in the same
 * order, four (maxima) or two (integrals) regions at a time. */
static void integrate(struct step_sums *s, const struct mask_frame *fr, const int64_t *t_us, unsigned count)
{
	for (unsigned k = 0; k < count; k++) {
		const struct mask_frame *b = &fr[k], *a = k ? &fr[k - 1] : &s->last;

		for (unsigned j = 0; j < MASK_PAD / 4; j++) {
			analysis_v4f vp = analysis_v4f_load(b->peak + 4 * j), vf = analysis_v4f_load(b->force + 4 * j);
			analysis_v4f va = analysis_v4f_load(b->area + 4 * j);
			s->peak[j] = analysis_v4f_max(vp, s->peak[j]);
			s->force[j] = analysis_v4f_max(vf, s->force[j]);
			s->area[j] = analysis_v4f_max(va, s->area[j]);
		}
		if (s->frames++ == 0)
			continue;
		double h = 0.5e-6 * (double)(t_us[k] - (k ? t_us[k - 1] : s->last_t_us));
		const analysis_v2d h2 = { h, h };
		for (unsigned j = 0; j < MASK_PAD / 2; j++) {
			s->pti[j] += h2 * (widen(a->peak + 2 * j) + widen(b->peak + 2 * j));
			s->fti[j] += h2 * (widen(a->force + 2 * j) + widen(b->force + 2 * j));
		}
	}
	if (count) {
		s->last = fr[count - 1];
		s->last_t_us = t_us[count - 1];
	}
}

/* Dense grids: the ring's frames [first, end), in at most two spans. */
static void integrate_ring(const struct analysis_mask_acc *acc, uint64_t first, uint64_t end, struct step_sums *s)
{
	while (first < end) {
		unsigned pos = (unsigned)(first % INS_STEP_RING);
		unsigned count = (unsigned)(end - first < INS_STEP_RING - pos ? end - first : INS_STEP_RING - pos);

		integrate(s, &acc->ring[pos], &acc->t_ring[pos], count);
		first += count;
	}
}

/* A short run (at most three sensors) into the block, four frames at a
 * time, a frame per lane: each lane gets the operations run_sums() and
 * add_to_region() give one frame, in the same order.  kpa: the block's
 * first frame in the ring (the last lanes may read past the block). */
static void add_short_run(const struct analysis_mask_acc *acc, const struct mask_run *run, const float *kpa,
			  unsigned count, struct mask_block *blk)
{
	const analysis_v4f thr = { INS_CONTACT_KPA, INS_CONTACT_KPA, INS_CONTACT_KPA, INS_CONTACT_KPA };
	const analysis_v4f share = { run->share, run->share, run->share, run->share };
	const unsigned n = acc->n, r = run->region, len = run->len;
	analysis_v4f w[3], area[3];

	for (unsigned i = 0; i < len; i++) {
		float wi = acc->w[run->start + i], ai = acc->area[run->start + i];
		w[i] = (analysis_v4f){ wi, wi, wi, wi };
		area[i] = (analysis_v4f){ ai, ai, ai, ai };
	}
	kpa += run->start;
	for (unsigned k = 0; k < count; k += 4) {
		analysis_v4f peak = { 0 }, fsum = { 0 }, asum = { 0 };

		for (unsigned i = 0; i < len; i++) {
			const float *p = kpa + (size_t)k * n + i;
			const analysis_v4f v = { p[0], p[n], p[2 * n], p[3 * n] };

			peak = analysis_v4f_max(v, peak);
			fsum += v * w[i];
			asum += (analysis_v4f)((v > thr) & (analysis_v4i)area[i]);
		}
		analysis_v4f old = analysis_v4f_load(blk->peak[r] + k);
		analysis_v4f_store(blk->peak[r] + k, analysis_v4f_max(peak, old));
		analysis_v4f_store(blk->force[r] + k, analysis_v4f_load(blk->force[r] + k) + fsum * share);
		analysis_v4f_store(blk->area[r] + k, analysis_v4f_load(blk->area[r] + k) + asum * share);
	}
}

/* A run of four or more sensors (rare on a sparse insole), frame by frame. */
static void add_long_run(const struct analysis_mask_acc *acc, const struct mask_run *run, const float *kpa,
			 unsigned count, struct mask_block *blk)
{
	const unsigned r = run->region;

	for (unsigned k = 0; k < count; k++) {
		struct run_add a = run_sums(kpa + (size_t)k * acc->n + run->start, acc->w + run->start,
					    acc->area + run->start, run->len);
		blk->peak[r][k] = a.peak > blk->peak[r][k] ? a.peak : blk->peak[r][k];
		blk->force[r][k] += a.force * run->share;
		blk->area[r][k] += a.area * run->share;
	}
}

/* The other half of the split-line sensors, frame by frame. */
static void add_second_to_block(const struct analysis_mask_acc *acc, const float *kpa, unsigned count,
				struct mask_block *blk)
{
	for (unsigned k = 0; k < count; k++) {
		struct mask_frame f;

		for (unsigned r = 0; r < INS_MASK_COUNT; r++) {
			f.peak[r] = blk->peak[r][k];
			f.force[r] = blk->force[r][k];
			f.area[r] = blk->area[r][k];
		}
		add_second(acc, kpa + (size_t)k * acc->n, &f);
		for (unsigned r = 0; r < INS_MASK_COUNT; r++) {
			blk->peak[r][k] = f.peak[r];
			blk->force[r][k] = f.force[r];
			blk->area[r][k] = f.area[r];
		}
	}
}

/* Regions r and r + 1 of a block's frame k, as doubles. */
static inline analysis_v2d pair_at(const float rows[][MASK_BLOCK], unsigned r, unsigned k)
{
	return (analysis_v2d){ rows[r][k], rows[r + 1][k] };
}

/* The block's count frames into the stance's sums, two regions at a time
 * (one per lane, in double: the conversions are exact): each region gets
 * the operations integrate() gives it, in the same order. */
static void integrate_block(const struct analysis_mask_acc *acc, const struct mask_block *blk, unsigned count,
			    struct step_sums *s)
{
	double h[MASK_BLOCK];

	for (unsigned k = 0; k < count; k++)
		h[k] = 0.5e-6 * (double)(blk->t_us[k] - (k ? blk->t_us[k - 1] : s->last_t_us));
	for (unsigned j = 0; j < MASK_PAD / 2; j++) {
		unsigned r = 2 * j;
		unsigned v = r / 4, l = r % 4;
		analysis_v2d peak = { s->peak[v][l], s->peak[v][l + 1] }, force = { s->force[v][l], s->force[v][l + 1] };
		analysis_v2d area = { s->area[v][l], s->area[v][l + 1] }, pti = s->pti[j], fti = s->fti[j];
		analysis_v2d last_peak = widen(s->last.peak + r), last_force = widen(s->last.force + r);

		if (r >= INS_MASK_COUNT || (!acc->n_in[r] && (r + 1 >= INS_MASK_COUNT || !acc->n_in[r + 1])))
			continue; /* no sensor: all zeros */
		for (unsigned k = 0; k < count; k++) {
			analysis_v2d bp = pair_at(blk->peak, r, k), bf = pair_at(blk->force, r, k), ba = pair_at(blk->area, r, k);

			peak = analysis_v2d_max(bp, peak);
			force = analysis_v2d_max(bf, force);
			area = analysis_v2d_max(ba, area);
			if (k > 0 || s->frames > 0) {
				const analysis_v2d h2 = { h[k], h[k] };
				pti += h2 * (last_peak + bp);
				fti += h2 * (last_force + bf);
			}
			last_peak = bp;
			last_force = bf;
		}
		s->pti[j] = pti;
		s->fti[j] = fti;
		for (unsigned lane = 0; lane < 2; lane++) {
			s->peak[v][l + lane] = (float)peak[lane];
			s->force[v][l + lane] = (float)force[lane];
			s->area[v][l + lane] = (float)area[lane];
			s->last.peak[r + lane] = (float)last_peak[lane];
			s->last.force[r + lane] = (float)last_force[lane];
		}
	}
	s->frames += count;
	s->last_t_us = blk->t_us[count - 1];
}

/* Zeros in every region of the block's first count frames, rounded up to
 * the four that add_short_run() writes at a time: no stage reads further
 * (the padding rows stay 0).  Plain vector stores over the frames in use,
 * because clearing the whole rows with memset() compiled to 27 string
 * instructions a block, each with a start-up dearer than a short stance's
 * stores. */
static void clear_block(struct mask_block *blk, unsigned count)
{
	const analysis_v4f nil = { 0, 0, 0, 0 };

	for (unsigned r = 0; r < INS_MASK_COUNT; r++)
		for (unsigned k = 0; k < count; k += 4) {
			analysis_v4f_store(blk->peak[r] + k, nil);
			analysis_v4f_store(blk->force[r] + k, nil);
			analysis_v4f_store(blk->area[r] + k, nil);
		}
}

/* Deferred sparse insoles: the region values of the stored frames
 * [first, end), a block at a time (never across the ring's end), run by
 * run: for each frame the regions get their runs in the order a frame
 * summed on its own gives them. */
static void integrate_pressures(const struct analysis_mask_acc *acc, uint64_t first, uint64_t end, struct step_sums *s)
{
	struct mask_block *blk = acc->block;

	while (first < end) {
		unsigned pos = (unsigned)(first % INS_STEP_RING), count = MASK_BLOCK;
		const float *kpa = acc->kpa_ring + (size_t)pos * acc->n;

		count = end - first < count ? (unsigned)(end - first) : count;
		count = INS_STEP_RING - pos < count ? INS_STEP_RING - pos : count;
		clear_block(blk, count);
		memcpy(blk->t_us, acc->t_ring + pos, count * sizeof(int64_t));
		for (unsigned r = 0; r < acc->n_runs; r++) {
			if (acc->runs[r].len < 4)
				add_short_run(acc, &acc->runs[r], kpa, count, blk);
			else
				add_long_run(acc, &acc->runs[r], kpa, count, blk);
		}
		if (acc->n_second)
			add_second_to_block(acc, kpa, count, blk);
		integrate_block(acc, blk, count, s);
		first += count;
	}
}

static void region_metrics(const struct analysis_mask_acc *acc, const struct step_sums *s, double *m)
{
	double fti = 0;

	for (unsigned r = 0; r < INS_MASK_COUNT; r++)
		fti += s->fti[r / 2][r % 2];
	for (unsigned r = 0; r < INS_MASK_COUNT; r++) {
		double pti = s->pti[r / 2][r % 2], region_fti = s->fti[r / 2][r % 2];

		if (!acc->n_in[r])
			continue; /* not measured: the metrics stay NaN */
		m[INS_M_MASK(r, INS_MASK_PEAK)] = s->peak[r / 4][r % 4];
		m[INS_M_MASK(r, INS_MASK_PTI)] = s->frames >= 2 ? pti : NAN;
		m[INS_M_MASK(r, INS_MASK_FORCE)] = s->force[r / 4][r % 4];
		m[INS_M_MASK(r, INS_MASK_CONTACT)] = s->area[r / 4][r % 4];
		m[INS_M_MASK(r, INS_MASK_LOAD)] = s->frames >= 2 && fti > 0 ? 100.0 * region_fti / fti : NAN;
	}
}

/* ---- dense grids: the mask from the footprint ------------------------- */

/* Counts the step's loaded cells; returns how many cells are now in the
 * footprint, with its first and last row. */
static unsigned count_footprint(struct analysis_mask_acc *acc, const float *step_peak_kpa, unsigned *row0,
				unsigned *row1)
{
	const struct ins_layout *l = acc->layout;
	unsigned cells = 0;
	double need;

	acc->steps++;
	need = fmax(1.0, FOOTPRINT_STEP_SHARE * acc->steps);
	*row0 = l->grid_h;
	*row1 = 0;
	for (unsigned i = 0; i < acc->n; i++) {
		if (step_peak_kpa[i] > INS_CONTACT_KPA && acc->loaded_steps[i] < UINT16_MAX)
			acc->loaded_steps[i]++;
		if (acc->loaded_steps[i] >= need) {
			unsigned row = i / l->grid_w;
			cells++;
			*row0 = row < *row0 ? row : *row0;
			*row1 = row > *row1 ? row : *row1;
		}
	}
	return cells;
}

/* The footprint row nearest to row that has cells of its own (row0 and
 * row1 always do). */
static unsigned nearest_row(const uint8_t *has, unsigned row, unsigned row0, unsigned row1)
{
	for (unsigned d = 0;; d++) {
		if (row >= row0 + d && row - d <= row1 && has[row - d])
			return row - d;
		if (row + d <= row1 && row + d >= row0 && has[row + d])
			return row + d;
	}
}

/* Each row's footprint edges; rows without footprint cells take the
 * nearest row's (a gap between the toes and the forefoot, an arch). */
static void footprint_rows(struct analysis_mask_acc *acc, double need, unsigned row0, unsigned row1)
{
	const struct ins_layout *l = acc->layout;
	float half = 0.5f * l->grid_cell_mm;
	uint8_t *has = acc->row_has;

	for (unsigned row = 0; row < l->grid_h; row++) {
		acc->row_lat[row] = INFINITY;
		acc->row_med[row] = -INFINITY;
		for (unsigned c = 0; c < l->grid_w; c++) {
			float x = l->grid_x0_mm + (float)c * l->grid_cell_mm;
			if (acc->loaded_steps[row * l->grid_w + c] < need)
				continue;
			acc->row_lat[row] = fminf(acc->row_lat[row], x - half);
			acc->row_med[row] = fmaxf(acc->row_med[row], x + half);
		}
		has[row] = !isinf(acc->row_lat[row]);
	}
	for (unsigned row = 0; row < l->grid_h; row++) {
		unsigned from = nearest_row(has, row, row0, row1);
		acc->row_lat[row] = acc->row_lat[from];
		acc->row_med[row] = acc->row_med[from];
	}
}

static void footprint_mask(struct analysis_mask_acc *acc, unsigned row0, unsigned row1)
{
	const struct ins_layout *l = acc->layout;
	double y0 = l->grid_y0_mm + (row0 - 0.5) * l->grid_cell_mm;
	double len = (double)(row1 - row0 + 1) * l->grid_cell_mm;

	acc->have_foot = 1;
	acc->foot_heel_y = y0;
	acc->foot_length = len;

	acc->n_second = 0;
	memset(acc->n_in, 0, sizeof(acc->n_in));
	for (unsigned i = 0; i < acc->n; i++) {
		unsigned row = i / l->grid_w, regions[2];
		double x = l->grid_x0_mm + (double)(i % l->grid_w) * l->grid_cell_mm;
		double y = l->grid_y0_mm + (double)row * l->grid_cell_mm;
		double lat = acc->row_lat[row], med = acc->row_med[row], mid = 0.5 * (lat + med);
		int side = x > mid + INS_MASK_SPLIT_MM ? 1 : x < mid - INS_MASK_SPLIT_MM ? -1 : 0;
		float shares[2] = { 1.0f, 0.0f };
		unsigned n = 1;

		regions[0] = ins_mask_classify((y - y0) / len, (x - lat) / (med - lat), side);
		if (side == 0 && (regions[0] == INS_MASK_MEDIAL_HEEL || regions[0] == INS_MASK_MEDIAL_MIDFOOT)) {
			regions[1] = regions[0] + 1;
			shares[0] = shares[1] = 0.5f;
			n = 2;
		}
		assign(acc, i, regions, shares, n);
	}
	build_runs(acc);
}

static void update_footprint(struct analysis_mask_acc *acc, const float *step_peak_kpa)
{
	unsigned row0, row1, cells = count_footprint(acc, step_peak_kpa, &row0, &row1);

	if (cells < FOOTPRINT_MIN_CELLS || row1 < row0 + FOOTPRINT_MIN_ROWS)
		return;
	footprint_rows(acc, fmax(1.0, FOOTPRINT_STEP_SHARE * acc->steps), row0, row1);
	footprint_mask(acc, row0, row1);
}

void analysis_mask_acc_close(struct analysis_mask_acc *acc, int64_t contact_us, int64_t toe_off_us,
			const float *step_peak_kpa, double *m)
{
	uint64_t first, end;

	if (!acc->n)
		return;
	stance_frames(acc, contact_us, toe_off_us, &first, &end);
	if (end > first) {
		struct step_sums sums;

		memset(&sums, 0, sizeof(sums));
		if (acc->kpa_ring)
			integrate_pressures(acc, first, end, &sums);
		else
			integrate_ring(acc, first, end, &sums);
		region_metrics(acc, &sums, m);
	}
	if (step_peak_kpa && acc->loaded_steps)
		update_footprint(acc, step_peak_kpa);
}

int analysis_mask_acc_foot(const struct analysis_mask_acc *acc, struct analysis_foot *foot)
{
	const struct ins_layout *l = acc->layout;
	double y = acc->foot_heel_y + ANALYSIS_CPEI_AT_FRACTION * acc->foot_length;
	long row;

	if (!acc->have_foot)
		return 0;
	row = lround((y - l->grid_y0_mm) / l->grid_cell_mm);
	row = row < 0 ? 0 : row >= l->grid_h ? l->grid_h - 1 : row;
	foot->heel_y_mm = acc->foot_heel_y;
	foot->length_mm = acc->foot_length;
	foot->cpei_width_mm = acc->row_med[row] - acc->row_lat[row];
	return 1;
}

unsigned analysis_mask_acc_sensor_region(const struct analysis_mask_acc *acc, unsigned i)
{
	return i < acc->n ? acc->region[i] : INS_MASK_COUNT;
}

int analysis_mask_acc_measured(const struct analysis_mask_acc *acc, unsigned r)
{
	return r < INS_MASK_COUNT && acc->n_in[r] > 0;
}
