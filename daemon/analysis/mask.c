/* Per-step metrics of the anatomical mask: peak pressure, PTI, maximum
 * force, peak contact area and share of load per region (definitions:
 * docs/analysis.md, regions: docs/layouts.md).  No allocation after
 * ins_mask_acc_new(). */
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

struct mask_frame {
	int64_t t_us;
	float peak[MASK_PAD], force[MASK_PAD], area[MASK_PAD];
};

struct ins_mask_acc {
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
	struct mask_frame *ring;
	uint64_t pushed;
	/* dense grids: the footprint behind the mask */
	uint16_t *loaded_steps;   /* per cell: steps in which it passed contact */
	uint32_t steps;
	float *row_lat, *row_med; /* per row: the footprint's lateral and medial edges, mm */
	uint8_t *row_has;         /* per row: it has footprint cells of its own */
};

static void assign(struct ins_mask_acc *acc, unsigned i, const unsigned regions[2], const float shares[2],
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

static void build_runs(struct ins_mask_acc *acc)
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

static void insole_mask(struct ins_mask_acc *acc)
{
	unsigned regions[2];
	float shares[2];

	acc->n_second = 0;
	memset(acc->n_in, 0, sizeof(acc->n_in));
	for (unsigned i = 0; i < acc->n; i++)
		assign(acc, i, regions, shares, ins_layout_sensor_mask(acc->layout, i, regions, shares));
	build_runs(acc);
}

struct ins_mask_acc *ins_mask_acc_new(const struct ins_layout *layout)
{
	struct ins_mask_acc *acc = calloc(1, sizeof(*acc));
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
	acc->ring = calloc(INS_STEP_RING, sizeof(struct mask_frame));
	acc->runs = calloc(n, sizeof(struct mask_run));
	if (layout->is_grid) {
		acc->loaded_steps = calloc(n, sizeof(uint16_t));
		acc->row_lat = calloc(layout->grid_h, sizeof(float));
		acc->row_med = calloc(layout->grid_h, sizeof(float));
		acc->row_has = calloc(layout->grid_h, 1);
	}
	if (!acc->region || !acc->share || !acc->second || !acc->second_region || !acc->w || !acc->area ||
	    !acc->ring || !acc->runs || (layout->is_grid && (!acc->loaded_steps || !acc->row_lat || !acc->row_med || !acc->row_has))) {
		ins_mask_acc_free(acc);
		return NULL;
	}
	for (unsigned i = 0; i < n; i++) {
		acc->area[i] = layout->sensors[i].area_mm2;
		acc->w[i] = 1e-3f * acc->area[i];
	}
	insole_mask(acc);
	return acc;
}

void ins_mask_acc_free(struct ins_mask_acc *acc)
{
	if (!acc)
		return;
	free(acc->region);
	free(acc->share);
	free(acc->second);
	free(acc->second_region);
	free(acc->w);
	free(acc->area);
	free(acc->ring);
	free(acc->runs);
	free(acc->loaded_steps);
	free(acc->row_lat);
	free(acc->row_med);
	free(acc->row_has);
	free(acc);
}

static float lanes_max(ins_v4f v)
{
	float a = v[0] > v[1] ? v[0] : v[1], b = v[2] > v[3] ? v[2] : v[3];

	return a > b ? a : b;
}

/* One sensor into the sums of its run. */
static inline void add_sensor(float v, float w, float area, float *peak, float *fsum, float *asum)
{
	*peak = v > *peak ? v : *peak;
	*fsum += v * w;
	*asum += v > INS_CONTACT_KPA ? area : 0.0f;
}

/* One run into its region: four sensors a step in vector lanes (the
 * vector types of frame_metrics.h), then the rest (at most three: all of a
 * short run, the usual case on sparse insoles) one by one without a loop.
 * Pressures are never negative, so a run with no pressure (cells off the
 * foot, which are most of a grid) adds zeros and leaves the frame as it
 * was; a NaN pressure still reaches the force. */
static inline void add_run(const struct ins_mask_acc *acc, const struct mask_run *run, const float *kpa,
			   struct mask_frame *f)
{
	const float *p = kpa + run->start, *w = acc->w + run->start, *area = acc->area + run->start;
	const unsigned len = run->len;
	float peak = 0.0f, fsum = 0.0f, asum = 0.0f;
	unsigned i = 0;

	if (len >= 4) {
		const ins_v4f thr = { INS_CONTACT_KPA, INS_CONTACT_KPA, INS_CONTACT_KPA, INS_CONTACT_KPA };
		ins_v4f pk = { 0 }, force = { 0 }, a = { 0 };
		for (; i + 4 <= len; i += 4) {
			ins_v4f v = ins_v4f_load(p + i);
			pk = ins_v4f_select(v > pk, v, pk);
			force += v * ins_v4f_load(w + i);
			a += (ins_v4f)((v > thr) & (ins_v4i)ins_v4f_load(area + i));
		}
		peak = lanes_max(pk);
		fsum = (force[0] + force[1]) + (force[2] + force[3]);
		asum = (a[0] + a[1]) + (a[2] + a[3]);
	}
	if (i < len)
		add_sensor(p[i], w[i], area[i], &peak, &fsum, &asum);
	if (i + 1 < len)
		add_sensor(p[i + 1], w[i + 1], area[i + 1], &peak, &fsum, &asum);
	if (i + 2 < len)
		add_sensor(p[i + 2], w[i + 2], area[i + 2], &peak, &fsum, &asum);
	f->peak[run->region] = peak > f->peak[run->region] ? peak : f->peak[run->region];
	f->force[run->region] += fsum * run->share;
	f->area[run->region] += asum * run->share;
}

/* A frame with no pressure anywhere (swing: frame_peak_kpa and
 * frame_force_n both 0) is all zeros. */
void ins_mask_acc_push(struct ins_mask_acc *acc, int64_t t_us, const float *kpa, float frame_peak_kpa,
		       float frame_force_n)
{
	struct mask_frame *f;

	if (!acc->n)
		return;
	f = &acc->ring[acc->pushed++ % INS_STEP_RING];
	memset(f, 0, sizeof(*f));
	f->t_us = t_us;
	if (frame_peak_kpa == 0.0f && frame_force_n == 0.0f)
		return;
	for (unsigned r = 0; r < acc->n_runs; r++)
		add_run(acc, &acc->runs[r], kpa, f);
	/* the other half of the sensors on the split line */
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

/* ---- the step -------------------------------------------------------- */

static const struct mask_frame *frame_at(const struct ins_mask_acc *acc, uint64_t k)
{
	return &acc->ring[k % INS_STEP_RING];
}

/* Ring positions [*first, *end) of the frames inside [c, o]. */
static void stance_frames(const struct ins_mask_acc *acc, int64_t c, int64_t o, uint64_t *first, uint64_t *end)
{
	uint64_t oldest = acc->pushed > INS_STEP_RING ? acc->pushed - INS_STEP_RING : 0;
	uint64_t k = acc->pushed;

	for (; k > oldest && frame_at(acc, k - 1)->t_us > o; k--)
		;
	*end = k;
	for (; k > oldest && frame_at(acc, k - 1)->t_us >= c; k--)
		;
	*first = k;
}

struct region_step {
	double peak, pti, force, area, fti;
};

typedef double mask_v2d __attribute__((vector_size(16)));
typedef float mask_v2f __attribute__((vector_size(8)));

/* Two floats of a region array as doubles. */
static inline mask_v2d widen(const float *p)
{
	mask_v2f v;

	memcpy(&v, p, sizeof(v));
	return __builtin_convertvector(v, mask_v2d);
}

/* Maxima in float (the conversion to double keeps the order), integrals in
 * double, each region in its own lane: every region gets the operations a
 * scalar loop would give it, in the same order, four (maxima) or two
 * (integrals) regions at a time. */
static void integrate(const struct ins_mask_acc *acc, uint64_t first, uint64_t end, struct region_step out[MASK_PAD])
{
	ins_v4f peak[MASK_PAD / 4] = { 0 }, force[MASK_PAD / 4] = { 0 }, area[MASK_PAD / 4] = { 0 };
	mask_v2d pti[MASK_PAD / 2] = { 0 }, fti[MASK_PAD / 2] = { 0 };

	for (uint64_t k = first; k < end; k++) {
		const struct mask_frame *b = frame_at(acc, k);

		for (unsigned j = 0; j < MASK_PAD / 4; j++) {
			ins_v4f vp = ins_v4f_load(b->peak + 4 * j), vf = ins_v4f_load(b->force + 4 * j);
			ins_v4f va = ins_v4f_load(b->area + 4 * j);
			peak[j] = ins_v4f_select(vp > peak[j], vp, peak[j]);
			force[j] = ins_v4f_select(vf > force[j], vf, force[j]);
			area[j] = ins_v4f_select(va > area[j], va, area[j]);
		}
		if (k == first)
			continue;
		const struct mask_frame *a = frame_at(acc, k - 1);
		double h = 0.5e-6 * (double)(b->t_us - a->t_us);
		const mask_v2d h2 = { h, h };
		for (unsigned j = 0; j < MASK_PAD / 2; j++) {
			pti[j] += h2 * (widen(a->peak + 2 * j) + widen(b->peak + 2 * j));
			fti[j] += h2 * (widen(a->force + 2 * j) + widen(b->force + 2 * j));
		}
	}
	for (unsigned r = 0; r < MASK_PAD; r++)
		out[r] = (struct region_step){ peak[r / 4][r % 4], pti[r / 2][r % 2], force[r / 4][r % 4],
					       area[r / 4][r % 4], fti[r / 2][r % 2] };
}

static void region_metrics(const struct ins_mask_acc *acc, uint64_t first, uint64_t end, double *m)
{
	struct region_step rs[MASK_PAD];
	double fti = 0;

	integrate(acc, first, end, rs);
	for (unsigned r = 0; r < INS_MASK_COUNT; r++)
		fti += rs[r].fti;
	for (unsigned r = 0; r < INS_MASK_COUNT; r++) {
		if (!acc->n_in[r])
			continue; /* not measured: the metrics stay NaN */
		m[INS_M_MASK(r, INS_MASK_PEAK)] = rs[r].peak;
		m[INS_M_MASK(r, INS_MASK_PTI)] = end - first >= 2 ? rs[r].pti : NAN;
		m[INS_M_MASK(r, INS_MASK_FORCE)] = rs[r].force;
		m[INS_M_MASK(r, INS_MASK_CONTACT)] = rs[r].area;
		m[INS_M_MASK(r, INS_MASK_LOAD)] = end - first >= 2 && fti > 0 ? 100.0 * rs[r].fti / fti : NAN;
	}
}

/* ---- dense grids: the mask from the footprint ------------------------- */

/* Counts the step's loaded cells; returns how many cells are now in the
 * footprint, with its first and last row. */
static unsigned count_footprint(struct ins_mask_acc *acc, const float *step_peak_kpa, unsigned *row0, unsigned *row1)
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
static void footprint_rows(struct ins_mask_acc *acc, double need, unsigned row0, unsigned row1)
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

static void footprint_mask(struct ins_mask_acc *acc, unsigned row0, unsigned row1)
{
	const struct ins_layout *l = acc->layout;
	double y0 = l->grid_y0_mm + (row0 - 0.5) * l->grid_cell_mm;
	double len = (double)(row1 - row0 + 1) * l->grid_cell_mm;

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

static void update_footprint(struct ins_mask_acc *acc, const float *step_peak_kpa)
{
	unsigned row0, row1, cells = count_footprint(acc, step_peak_kpa, &row0, &row1);

	if (cells < FOOTPRINT_MIN_CELLS || row1 < row0 + FOOTPRINT_MIN_ROWS)
		return;
	footprint_rows(acc, fmax(1.0, FOOTPRINT_STEP_SHARE * acc->steps), row0, row1);
	footprint_mask(acc, row0, row1);
}

void ins_mask_acc_close(struct ins_mask_acc *acc, int64_t contact_us, int64_t toe_off_us,
			const float *step_peak_kpa, double *m)
{
	uint64_t first, end;

	if (!acc->n)
		return;
	stance_frames(acc, contact_us, toe_off_us, &first, &end);
	if (end > first)
		region_metrics(acc, first, end, m);
	if (step_peak_kpa && acc->loaded_steps)
		update_footprint(acc, step_peak_kpa);
}

unsigned ins_mask_acc_sensor_region(const struct ins_mask_acc *acc, unsigned i)
{
	return i < acc->n ? acc->region[i] : INS_MASK_COUNT;
}

int ins_mask_acc_measured(const struct ins_mask_acc *acc, unsigned r)
{
	return r < INS_MASK_COUNT && acc->n_in[r] > 0;
}
