/* Per-step metrics over the frames of one stance.  Every definition, with
 * the variant chosen where the literature has several: docs/analysis.md. */
#include <config.h>

#include <math.h>
#include <string.h>

#include "steps.h"
#include "frame_metrics.h"

/* A force maximum is a peak of the curve when it stands this far above the
 * lowest point between it and the neighbouring higher part of the curve:
 * 5 % of the stance peak ignores sensor noise and the small ripples of a
 * force curve while keeping the first and second peaks of walking. */
#define PEAK_PROMINENCE_FRACTION 0.05
/* A first peak before 35 % of stance is an impact/loading peak: walking puts
 * it at 20-30 %, rearfoot running at 5-15 %, while the single active peak
 * of a forefoot-striking runner sits at 40-50 %. */
#define IMPACT_PEAK_MAX_PCT 35.0
/* Loading rate without an impact peak: mean slope from 3 % to 12 % of stance. */
#define LOADING_NO_PEAK_FROM_PCT 3.0
#define LOADING_NO_PEAK_TO_PCT 12.0
/* Strike index boundaries (Cavanagh & Lafortune 1980), % of foot length. */
#define STRIKE_MIDFOOT_FROM_PCT (100.0 / 3.0)
#define STRIKE_FOREFOOT_FROM_PCT (200.0 / 3.0)
/* Most local maxima a stance can have that we still look at: a noisy 1 kHz
 * stance has a few hundred; beyond that only the first ones are kept. */
#define MAX_MAXIMA 512

void analysis_step_acc_init(struct analysis_step_acc *acc, const struct ins_layout *layout, float *footprint)
{
	acc->layout = layout;
	acc->arbitrary = layout->arbitrary_units;
	acc->n = 0;
	acc->footprint = layout->is_grid ? footprint : NULL;
	if (acc->footprint)
		memset(acc->footprint, 0, layout->n_sensors * sizeof(float));
}

void analysis_step_acc_push(struct analysis_step_acc *acc, const struct ins_frame_metrics *fm,
		       const float *region_peak_kpa, int gap_frames)
{
	struct analysis_step_frame *f = &acc->ring[acc->n % INS_STEP_RING];

	f->t_us = fm->t_us;
	f->force = fm->force_n;
	f->cop_x = fm->cop_x_mm;
	f->cop_y = fm->cop_y_mm;
	f->medial = f->lateral = 0;
	for (unsigned g = 0; g < INS_REGION_COUNT; g++) {
		f->region_f[g] = fm->region_force_n[g];
		f->region_peak[g] = region_peak_kpa[g];
		f->medial += fm->side_force_n[g][INS_SIDE_MEDIAL];
		f->lateral += fm->side_force_n[g][INS_SIDE_LATERAL];
	}
	f->area = fm->contact_area_mm2;
	f->peak_kpa = fm->peak_kpa;
	f->n_saturated = fm->n_saturated;
	f->gap = analysis_gap_byte(gap_frames);
	acc->n++;
}

/* Every loaded frame of a dense grid: four cells at a time. */
void analysis_step_acc_footprint(struct analysis_step_acc *acc, const float *kpa)
{
	if (acc->footprint)
		analysis_max_into(acc->footprint, kpa, acc->layout->n_sensors);
}

/* ---- the stance as a slice of the ring --------------------------------- */

struct stance {
	const struct analysis_step_acc *acc;
	uint64_t first, count;    /* ring positions of the frames in [contact, toe-off] */
	int64_t c, o;
};

static const struct analysis_step_frame *fr(const struct stance *s, uint64_t k)
{
	return &s->acc->ring[(s->first + k) % INS_STEP_RING];
}

static void find_stance(const struct analysis_step_acc *acc, int64_t c, int64_t o, struct stance *s)
{
	uint64_t oldest = acc->n > INS_STEP_RING ? acc->n - INS_STEP_RING : 0;
	uint64_t i = acc->n, last;

	s->acc = acc;
	s->c = c;
	s->o = o;
	while (i > oldest && acc->ring[(i - 1) % INS_STEP_RING].t_us > o)
		i--;
	last = i;
	while (i > oldest && acc->ring[(i - 1) % INS_STEP_RING].t_us >= c)
		i--;
	s->first = i;
	s->count = last - i;
}

static double pct_of_stance(const struct stance *s, int64_t t)
{
	return s->o > s->c ? 100.0 * (double)(t - s->c) / (double)(s->o - s->c) : NAN;
}

/* Every time integral a step needs, in one trapezoid pass over its frames
 * (unit x s): force, region forces, region peak pressures, medial and
 * lateral forces.  NaN with fewer than two frames. */
struct integrals {
	double force;
	double region[INS_REGION_COUNT];
	double region_peak[INS_REGION_COUNT];
	double medial, lateral;
	double span_s;            /* time from the first to the last frame */
};

static void integrate_all(const struct stance *s, struct integrals *in)
{
	memset(in, 0, sizeof(*in));
	for (uint64_t k = 1; k < s->count; k++) {
		const struct analysis_step_frame *a = fr(s, k - 1), *b = fr(s, k);
		double h = 0.5e-6 * (double)(b->t_us - a->t_us);

		in->force += h * ((double)a->force + b->force);
		for (unsigned g = 0; g < INS_REGION_COUNT; g++) {
			in->region[g] += h * ((double)a->region_f[g] + b->region_f[g]);
			in->region_peak[g] += h * ((double)a->region_peak[g] + b->region_peak[g]);
		}
		in->medial += h * ((double)a->medial + b->medial);
		in->lateral += h * ((double)a->lateral + b->lateral);
	}
	if (s->count < 2) {
		double *v = &in->force;
		for (size_t i = 0; i < sizeof(*in) / sizeof(double); i++)
			v[i] = NAN;
		return;
	}
	in->span_s = 1e-6 * (double)(fr(s, s->count - 1)->t_us - fr(s, 0)->t_us);
}

static inline double dmax(double a, double b)
{
	return a > b ? a : b;
}

static inline double dmin(double a, double b)
{
	return a < b ? a : b;
}

/* ---- force curve --------------------------------------------------------- */

/* Prominent maxima of the force curve, in time order (indices into the
 * stance).  Prominence: how far a maximum stands above the higher of the
 * lowest points between it and a higher part of the curve (or the stance
 * end) on either side.  A plateau counts once, at its first frame. */
static unsigned prominent_peaks(const struct stance *s, double min_prominence, uint64_t *out, unsigned max_out)
{
	unsigned n = 0;

	for (uint64_t k = 0; k < s->count && n < max_out; k++) {
		double v = fr(s, k)->force, left_min = v, right_min = v;
		uint64_t e = k, j;

		if (k > 0 && fr(s, k - 1)->force >= v)
			continue;
		while (e + 1 < s->count && fr(s, e + 1)->force == v)
			e++;
		if (e + 1 < s->count && fr(s, e + 1)->force > v)
			continue;
		for (j = k; j > 0 && fr(s, j - 1)->force <= v; j--)
			left_min = dmin(left_min, fr(s, j - 1)->force);
		for (j = e + 1; j < s->count && fr(s, j)->force <= v; j++)
			right_min = dmin(right_min, fr(s, j)->force);
		if (v - dmax(left_min, right_min) >= min_prominence)
			out[n++] = k;
		k = e;
	}
	return n;
}

/* Time at which the force first reaches level on the way up to frame `to`. */
static double rise_time_to(const struct stance *s, uint64_t to, double level)
{
	for (uint64_t k = 0; k <= to; k++) {
		const struct analysis_step_frame *b = fr(s, k);

		if (b->force < level)
			continue;
		if (k == 0)
			return (double)b->t_us;
		const struct analysis_step_frame *a = fr(s, k - 1);
		return (double)a->t_us + (level - a->force) / (b->force - a->force) * (double)(b->t_us - a->t_us);
	}
	return NAN;
}

/* Force at a time inside the stance (linear between frames). */
static double force_at(const struct stance *s, double t)
{
	for (uint64_t k = 1; k < s->count; k++) {
		const struct analysis_step_frame *a = fr(s, k - 1), *b = fr(s, k);

		if ((double)b->t_us >= t)
			return a->force + (b->force - a->force) * (t - (double)a->t_us) / (double)(b->t_us - a->t_us);
	}
	return NAN;
}

static void force_curve(const struct stance *s, double body_weight_n, double *m)
{
	uint64_t peaks[MAX_MAXIMA];
	double peak = 0;
	uint64_t at_peak = 0;
	unsigned np;

	for (uint64_t k = 0; k < s->count; k++) {
		if (fr(s, k)->force > peak) {
			peak = fr(s, k)->force;
			at_peak = k;
		}
	}
	m[INS_M_PEAK_FORCE_N] = peak;
	np = prominent_peaks(s, PEAK_PROMINENCE_FRACTION * peak, peaks, MAX_MAXIMA);
	if (np == 0) {
		peaks[0] = at_peak;
		np = 1;
	}
	const struct analysis_step_frame *p1 = fr(s, peaks[0]);
	m[INS_M_FIRST_PEAK_N] = p1->force;
	m[INS_M_FIRST_PEAK_PCT] = pct_of_stance(s, p1->t_us);
	if (np >= 2) {
		const struct analysis_step_frame *p2 = fr(s, peaks[np - 1]);
		uint64_t at_valley = peaks[0];

		for (uint64_t k = peaks[0]; k <= peaks[np - 1]; k++)
			if (fr(s, k)->force < fr(s, at_valley)->force)
				at_valley = k;
		m[INS_M_SECOND_PEAK_N] = p2->force;
		m[INS_M_SECOND_PEAK_PCT] = pct_of_stance(s, p2->t_us);
		m[INS_M_VALLEY_N] = fr(s, at_valley)->force;
		m[INS_M_VALLEY_PCT] = pct_of_stance(s, fr(s, at_valley)->t_us);
	}
	if (m[INS_M_FIRST_PEAK_PCT] <= IMPACT_PEAK_MAX_PCT) {
		double t20 = rise_time_to(s, peaks[0], 0.2 * p1->force);
		double t80 = rise_time_to(s, peaks[0], 0.8 * p1->force);
		if (t80 > t20)
			m[INS_M_LOADING_RATE_NS] = 0.6 * p1->force / ((t80 - t20) * 1e-6);
	} else {
		double dur = (double)(s->o - s->c);
		double ta = (double)s->c + dur * LOADING_NO_PEAK_FROM_PCT / 100.0;
		double tb = (double)s->c + dur * LOADING_NO_PEAK_TO_PCT / 100.0;
		double fa = force_at(s, ta), fb = force_at(s, tb);
		if (isfinite(fa) && isfinite(fb) && tb > ta)
			m[INS_M_LOADING_RATE_NS] = (fb - fa) / ((tb - ta) * 1e-6);
	}
	if (body_weight_n > 0)
		m[INS_M_LOADING_RATE_BWS] = m[INS_M_LOADING_RATE_NS] / body_weight_n;
}

/* ---- pressures and loads ------------------------------------------------- */

static void pressures(const struct stance *s, const struct integrals *in, double *m)
{
	double peak = 0, area_max = 0, mean_p = 0;
	/* NaN stays for a region without sensors: not measured is not 0 kPa. */
	double region_peak[INS_REGION_COUNT] = { NAN, NAN, NAN, NAN };
	unsigned n_p = 0;

	for (uint64_t k = 0; k < s->count; k++) {
		const struct analysis_step_frame *f = fr(s, k);

		peak = dmax(peak, f->peak_kpa);
		if (f->area > 0) {
			area_max = dmax(area_max, f->area);
			/* Area-weighted mean over sensors in contact: F / A (N/mm2 -> kPa). */
			mean_p += f->force * 1e3 / f->area;
			n_p++;
		}
		for (unsigned g = 0; g < INS_REGION_COUNT; g++) {
			double v = f->region_peak[g];
			if (v == v && !(v <= region_peak[g]))
				region_peak[g] = v;
		}
	}
	/* Time average (FTI over the span of the stance frames), so it does
	 * not depend on where the frames fall. */
	if (in->span_s > 0)
		m[INS_M_MEAN_FORCE_N] = in->force / in->span_s;
	m[INS_M_PEAK_PRESSURE_KPA] = peak;
	m[INS_M_CONTACT_AREA_MM2] = area_max;
	m[INS_M_MEAN_PRESSURE_KPA] = n_p ? mean_p / n_p : NAN;
	m[INS_M_HEEL_PEAK_KPA] = region_peak[INS_REGION_HEEL];
	m[INS_M_MIDFOOT_PEAK_KPA] = region_peak[INS_REGION_MIDFOOT];
	m[INS_M_FOREFOOT_PEAK_KPA] = region_peak[INS_REGION_FOREFOOT];
	m[INS_M_TOES_PEAK_KPA] = region_peak[INS_REGION_TOES];
	/* PTI, definition (a): integral of the region's highest sensor pressure. */
	m[INS_M_HEEL_PTI_KPAS] = in->region_peak[INS_REGION_HEEL];
	m[INS_M_MIDFOOT_PTI_KPAS] = in->region_peak[INS_REGION_MIDFOOT];
	m[INS_M_FOREFOOT_PTI_KPAS] = in->region_peak[INS_REGION_FOREFOOT];
	m[INS_M_TOES_PTI_KPAS] = in->region_peak[INS_REGION_TOES];
}

static void loads(const struct stance *s, const struct integrals *in, double *m)
{
	double fti = in->force, no_toes;

	m[INS_M_FTI_NS] = fti;
	if (fti > 0) {
		m[INS_M_HEEL_LOAD_PCT] = 100.0 * in->region[INS_REGION_HEEL] / fti;
		m[INS_M_MIDFOOT_LOAD_PCT] = 100.0 * in->region[INS_REGION_MIDFOOT] / fti;
		m[INS_M_FOREFOOT_LOAD_PCT] = 100.0 * in->region[INS_REGION_FOREFOOT] / fti;
		m[INS_M_TOES_LOAD_PCT] = 100.0 * in->region[INS_REGION_TOES] / fti;
	}
	/* Insole arch proxies exclude the toes, as the footprint Arch Index does. */
	no_toes = in->region[INS_REGION_HEEL] + in->region[INS_REGION_MIDFOOT] + in->region[INS_REGION_FOREFOOT];
	if (no_toes > 0)
		m[INS_M_MIDFOOT_LOAD_INDEX] = 100.0 * in->region[INS_REGION_MIDFOOT] / no_toes;
	if (in->medial + in->lateral > 0)
		m[INS_M_ML_BALANCE] = (in->medial - in->lateral) / (in->medial + in->lateral);
	if (s->count > 0) {
		/* midstance: the frame nearest 50 % of stance */
		double mid = 0.5 * (double)(s->c + s->o);
		uint64_t best = 0;
		for (uint64_t k = 1; k < s->count; k++)
			if (fabs((double)fr(s, k)->t_us - mid) < fabs((double)fr(s, best)->t_us - mid))
				best = k;
		const struct analysis_step_frame *f = fr(s, best);
		double sum = f->region_f[INS_REGION_HEEL] + f->region_f[INS_REGION_MIDFOOT] +
			     f->region_f[INS_REGION_FOREFOOT];
		if (sum > 0)
			m[INS_M_MIDFOOT_SHARE_MIDSTANCE] = 100.0 * f->region_f[INS_REGION_MIDFOOT] / sum;
	}
}

/* ---- centre of pressure -------------------------------------------------- */

/* Excursion of the CoP path from the first-to-last construction line at
 * y = y_at: positive when the path runs lateral of the line (+x is medial). */
static double cop_excursion(const struct stance *s, double x0, double y0, double x1, double y1, double y_at)
{
	double prev_x = NAN, prev_y = NAN;

	if (!(y1 != y0) || y_at < dmin(y0, y1) || y_at > dmax(y0, y1))
		return NAN;
	double line_x = x0 + (x1 - x0) * (y_at - y0) / (y1 - y0);
	for (uint64_t k = 0; k < s->count; k++) {
		const struct analysis_step_frame *f = fr(s, k);

		if (!isfinite(f->cop_x) || !isfinite(f->cop_y))
			continue;
		if (isfinite(prev_y) && (prev_y - y_at) * (f->cop_y - y_at) <= 0 && f->cop_y != prev_y) {
			double path_x = prev_x + (f->cop_x - prev_x) * (y_at - prev_y) / (f->cop_y - prev_y);
			return line_x - path_x;
		}
		prev_x = f->cop_x;
		prev_y = f->cop_y;
	}
	return NAN;
}

static void cop(const struct stance *s, const struct analysis_foot *foot, double *m)
{
	double x0 = NAN, y0 = NAN, x = NAN, y = NAN, path = 0, xmin = INFINITY, xmax = -INFINITY;

	for (uint64_t k = 0; k < s->count; k++) {
		const struct analysis_step_frame *f = fr(s, k);

		if (!isfinite(f->cop_x) || !isfinite(f->cop_y))
			continue;
		if (!isfinite(x0)) {
			x0 = f->cop_x;
			y0 = f->cop_y;
		} else {
			path += hypot(f->cop_x - x, f->cop_y - y);
		}
		x = f->cop_x;
		y = f->cop_y;
		xmin = dmin(xmin, x);
		xmax = dmax(xmax, x);
	}
	if (!isfinite(x0))
		return;
	m[INS_M_COP_START_X_MM] = x0;
	m[INS_M_COP_START_Y_MM] = y0;
	m[INS_M_COP_END_X_MM] = x;
	m[INS_M_COP_END_Y_MM] = y;
	m[INS_M_COP_PATH_MM] = path;
	m[INS_M_COP_ML_WIDTH_MM] = xmax - xmin;
	if (foot->length_mm > 0) {
		double si = 100.0 * (y0 - foot->heel_y_mm) / foot->length_mm;
		double cpei_y = foot->heel_y_mm + ANALYSIS_CPEI_AT_FRACTION * foot->length_mm;

		m[INS_M_STRIKE_INDEX_PCT] = si;
		m[INS_M_STRIKE_PATTERN] = si < STRIKE_MIDFOOT_FROM_PCT ? 0 : si <= STRIKE_FOREFOOT_FROM_PCT ? 1 : 2;
		if (foot->cpei_width_mm > 0)
			m[INS_M_CPEI_PCT] = 100.0 * cop_excursion(s, x0, y0, x, y, cpei_y) / foot->cpei_width_mm;
	}
}

/* ---- Arch Index ---------------------------------------------------------- */

double analysis_arch_index_of(const struct ins_layout *layout, const float *peak_kpa)
{
	double ymin = INFINITY, ymax = -INFINITY, third, a[3] = { 0 };
	const struct ins_sensor *s = layout->sensors;

	if (!layout->is_grid || !peak_kpa)
		return NAN;
	/* Footprint = contact cells, toes excluded; its length runs from the
	 * back of the rearmost cell to the front of the foremost one. */
	for (unsigned i = 0; i < layout->n_sensors; i++) {
		if (s[i].region == INS_REGION_TOES || !(peak_kpa[i] > INS_CONTACT_KPA))
			continue;
		ymin = dmin(ymin, s[i].y_mm);
		ymax = dmax(ymax, s[i].y_mm);
	}
	if (!(ymax >= ymin))
		return NAN;
	third = (ymax - ymin + layout->grid_cell_mm) / 3.0;
	ymin -= 0.5 * layout->grid_cell_mm;
	for (unsigned i = 0; i < layout->n_sensors; i++) {
		if (s[i].region == INS_REGION_TOES || !(peak_kpa[i] > INS_CONTACT_KPA))
			continue;
		int part = (int)((s[i].y_mm - ymin) / third);
		a[part < 0 ? 0 : part > 2 ? 2 : part] += s[i].area_mm2;
	}
	return a[1] / (a[0] + a[1] + a[2]);
}

/* ---- the step ------------------------------------------------------------ */

/* Lost frames the step can do without: INS_BRIDGE_FRAMES or fewer in a row,
 * inside the stance or the swing, are bridged (the trapezoids span them; a
 * force curve does not turn in 10-20 ms).  More in a row, or any gap within
 * one frame interval of the contact or the toe-off (the event may lie in
 * it: its interpolated time is then only known to within the gap), spoil
 * the step.  Looks at the gaps before the frame ahead of the stance, each
 * stance frame and the frame after it. */
static int gap_spoils(const struct stance *s)
{
	const struct analysis_step_acc *acc = s->acc;
	uint64_t oldest = acc->n > INS_STEP_RING ? acc->n - INS_STEP_RING : 0;
	uint64_t from = s->first > oldest + 1 ? s->first - 1 : oldest + 1, to = s->first + s->count;

	for (uint64_t i = from; i <= to && i < acc->n; i++) {
		const struct analysis_step_frame *f = &acc->ring[i % INS_STEP_RING];
		int64_t before = acc->ring[(i - 1) % INS_STEP_RING].t_us, dt;

		if (!f->gap)
			continue;
		if (f->gap > INS_BRIDGE_FRAMES)
			return 1;
		dt = (f->t_us - before) / (f->gap + 1);
		if ((s->c >= before - dt && s->c <= f->t_us + dt) || (s->o >= before - dt && s->o <= f->t_us + dt))
			return 1;
	}
	return 0;
}

void analysis_step_acc_close(struct analysis_step_acc *acc, int64_t contact_us, int64_t toe_off_us,
			double body_weight_n, const struct analysis_foot *foot, struct ins_step *out)
{
	const struct analysis_foot insole = { 0, acc->layout->foot_length_mm, acc->layout->forefoot_width_mm };
	struct stance s;
	double *m = out->m;

	find_stance(acc, contact_us, toe_off_us, &s);
	for (uint64_t k = 0; k < s.count; k++)
		if (fr(&s, k)->n_saturated)
			out->flags |= INS_STEP_SATURATED;
	if (gap_spoils(&s))
		out->flags |= INS_STEP_GAP;
	if (s.count > 0 && !acc->arbitrary) {
		struct integrals in;
		integrate_all(&s, &in);
		force_curve(&s, body_weight_n, m);
		pressures(&s, &in, m);
		loads(&s, &in, m);
		cop(&s, foot ? foot : &insole, m);
		if (acc->footprint)
			m[INS_M_ARCH_INDEX] = analysis_arch_index_of(acc->layout, acc->footprint);
	}
	if (acc->footprint)
		memset(acc->footprint, 0, acc->layout->n_sensors * sizeof(float));
}
