/* The synthetic insole (synth.h): a deterministic walking or running subject
 * for any layout.
 *
 * Timing: after optional quiet standing (standing_s), each foot has a
 * stance every stride T = 120 / cadence s, the right foot half a stride
 * after the left; stance = duty_factor x T.  With
 * variability, contact times, stance lengths and force amplitudes of each
 * step get small truncated-Gaussian deviations drawn from a hash of (seed,
 * foot, step), so the truth of any step is known without generating frames.
 *
 * Force: a curve through knots (see struct ins_synth_step in synth.h).
 *
 * Distribution: anatomical load zones (heel, lateral and medial midfoot,
 * metatarsal heads, hallux, lesser toes), each a compact bump over the
 * foot placed relative to the layout's outline, with a weight that follows
 * the stance phase according to the strike pattern.  The pressure field is
 * the weighted sum of the bumps, normalised over the layout's sensors so
 * that sum(p_i * A_i) is exactly the force of the curve (for arbitrary-unit
 * layouts: the sum of the values); the centre of
 * pressure therefore rolls heel -> forefoot -> hallux (or starts further
 * forward for midfoot and forefoot strikes).  Arch collapse loads the
 * midfoot zones, medial shift moves every zone medially and loads the
 * medial ones.  Pressures become counts through the inverse of each
 * sensor's default calibration. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insoled/log.h"
#include "insoled/parse.h"
#include "insoled/random.h"
#include "insoled/synth.h"
#include "synth_priv.h"

#define LOG_PREFIX "synth"

#define US_PER_S 1e6
#define US_PER_MIN 60e6
#define KPA_MM2_PER_N 1000.0 /* 1 N on 1 mm2 is 1 MPa = 1000 kPa */

/* Stance as a fraction of the gait cycle when duty_factor is 0. */
#define DEFAULT_WALK_DUTY 0.60     /* stance 60 % of the gait cycle */
#define DEFAULT_RUN_DUTY 0.36      /* stance 35-40 % with a flight phase */

/* Step-to-step deviations are truncated at this many SDs, and variability is
 * capped (SYNTH_VARIABILITY_MAX), so that consecutive stances of a foot can
 * never overlap and step 0 always starts after gait starts (see
 * first_contact_fraction). */
#define DEVIATION_TRUNC_SD 2.0
/* Nominal first contact of each foot as a fraction of the stride: the left
 * foot lands at 0.15 T, the right at 0.65 T after gait starts.  With the
 * caps above step 0 of each foot is its first contact after that. */
static const double first_contact_fraction[INS_FOOT_COUNT] = { 0.15, 0.65 };

/* Medial shift moves every zone this fraction of the local half-width, and
 * scales medial zones by (1 + gain x shift) and lateral ones by (1 - ...). */
#define MEDIAL_SHIFT_OFFSET 0.25
#define MEDIAL_SHIFT_GAIN 0.5
/* Arch collapse adds this much weight to the medial and lateral midfoot
 * zones (forefoot zones weigh 0.35-0.5): a flat foot carries about a
 * quarter of the stance load on the midfoot, a normal one under a tenth. */
#define ARCH_MEDIAL_GAIN 0.55
#define ARCH_LATERAL_GAIN 0.25
/* Width of the fallback field used when no zone reaches any sensor (a
 * single-sensor footswitch, a sensor-free zone of an odd layout): a broad
 * bump of this fraction of foot length around the zones' centre. */
#define FALLBACK_RADIUS_FRACTION 0.15
/* Foot width as a fraction of length when the layout gives none. */
#define DEFAULT_WIDTH_FRACTION 0.38

/* ---- step truth: a counter-based hash of (seed, foot, step) ------------ */

/* Truncated standard normal deviation number `which` of (foot, step). */
static double step_deviation(uint64_t seed, unsigned foot, int step, unsigned which)
{
	uint64_t h = ins_splitmix64(seed ^ 0x5EED5EED5EED5EEDull);

	h = ins_splitmix64(h ^ foot);
	h = ins_splitmix64(h ^ (uint64_t)(int64_t)step);
	h = ins_splitmix64(h ^ which);
	double z = ins_gauss_from_bits(h, ins_splitmix64(h));
	return fmax(-DEVIATION_TRUNC_SD, fmin(DEVIATION_TRUNC_SD, z));
}

/* ---- force curves --------------------------------------------------- */

struct force_curve {
	unsigned n;
	double s[INS_SYNTH_MAX_KNOTS];  /* stance fraction */
	double bw[INS_SYNTH_MAX_KNOTS]; /* force in body weights */
};

static const struct force_curve walk_curve = {
	5, { 0, 0.25, 0.50, 0.75, 1 }, { 0, 1.15, 0.75, 1.10, 0 }
};
static const struct force_curve run_rearfoot_curve = {
	5, { 0, 0.12, 0.20, 0.45, 1 }, { 0, 1.60, 1.45, 2.50, 0 }
};
static const struct force_curve run_curve = {
	3, { 0, 0.45, 1 }, { 0, 2.50, 0 }
};

/* Force in body weights at stance fraction s (0 outside the open interval). */
static double curve_value(const struct force_curve *c, double s)
{
	unsigned i;
	double u;

	if (!(s > 0.0 && s < 1.0))
		return 0.0;
	for (i = 0; i + 2 < c->n && s >= c->s[i + 1]; i++)
		;
	u = (s - c->s[i]) / (c->s[i + 1] - c->s[i]);
	if (i == 0)
		return c->bw[1] * sin(M_PI_2 * u);
	if (i == c->n - 2)
		return c->bw[i] * cos(M_PI_2 * u);
	return c->bw[i] + (c->bw[i + 1] - c->bw[i]) * 0.5 * (1.0 - cos(M_PI * u));
}

/* Integral of curve_value over s in [0, 1], body weights x stance. */
static double curve_integral(const struct force_curve *c)
{
	double sum = 0.0;

	for (unsigned i = 0; i + 1 < c->n; i++) {
		double d = c->s[i + 1] - c->s[i];
		if (i == 0)
			sum += c->bw[1] * d * M_2_PI;
		else if (i == c->n - 2)
			sum += c->bw[i] * d * M_2_PI;
		else
			sum += 0.5 * (c->bw[i] + c->bw[i + 1]) * d;
	}
	return sum;
}

/* ---- load zones ------------------------------------------------------- */

enum zone { Z_HEEL, Z_MID_LAT, Z_MID_MED, Z_MTH1, Z_MTH23, Z_MTH45, Z_HALLUX, Z_LESSER, Z_COUNT };

/* Where a zone sits: u = fraction of foot length from the heel, w = -1 at
 * the lateral edge .. +1 at the medial edge of the foot at that length;
 * radii as fractions of the foot length and of the local half-width. */
struct zone_shape {
	double u, w, ru, rw;
	int side; /* -1 lateral, 0 central, +1 medial: medial_shift scaling */
};

static const struct zone_shape zone_shapes[Z_COUNT] = {
	[Z_HEEL] = { 0.13, 0.00, 0.15, 0.90, 0 },
	[Z_MID_LAT] = { 0.42, -0.55, 0.17, 0.55, -1 },
	[Z_MID_MED] = { 0.42, 0.35, 0.15, 0.60, 1 },
	[Z_MTH1] = { 0.70, 0.60, 0.11, 0.50, 1 },
	[Z_MTH23] = { 0.72, 0.05, 0.11, 0.50, 0 },
	[Z_MTH45] = { 0.69, -0.60, 0.11, 0.50, -1 },
	[Z_HALLUX] = { 0.89, 0.55, 0.09, 0.50, 1 },
	[Z_LESSER] = { 0.86, -0.40, 0.09, 0.75, -1 },
};

/* Weight of a zone through the stance: `level`, faded in over [rise0,
 * rise1] and out over [fall0, fall1] (smoothstep ramps; a zero-length ramp
 * at 0 means loaded from contact, one at 1 loaded until toe-off). */
struct zone_timing {
	double level, rise0, rise1, fall0, fall1;
};

static const struct zone_timing zone_timings[3][Z_COUNT] = {
	[INS_STRIKE_REARFOOT] = {
		[Z_HEEL] = { 1.00, 0.00, 0.00, 0.30, 0.60 },
		[Z_MID_LAT] = { 0.22, 0.05, 0.25, 0.55, 0.80 },
		[Z_MID_MED] = { 0.00, 0.08, 0.28, 0.50, 0.75 },
		[Z_MTH1] = { 0.40, 0.10, 0.45, 0.80, 0.98 },
		[Z_MTH23] = { 0.50, 0.10, 0.45, 0.80, 0.98 },
		[Z_MTH45] = { 0.35, 0.10, 0.45, 0.75, 0.95 },
		[Z_HALLUX] = { 0.50, 0.45, 0.85, 1.00, 1.00 },
		[Z_LESSER] = { 0.15, 0.45, 0.85, 0.92, 1.00 },
	},
	[INS_STRIKE_MIDFOOT] = {
		[Z_HEEL] = { 0.80, 0.02, 0.15, 0.30, 0.55 },
		[Z_MID_LAT] = { 0.40, 0.00, 0.00, 0.55, 0.80 },
		[Z_MID_MED] = { 0.00, 0.00, 0.15, 0.50, 0.75 },
		[Z_MTH1] = { 0.40, 0.05, 0.30, 0.80, 0.98 },
		[Z_MTH23] = { 0.50, 0.02, 0.25, 0.80, 0.98 },
		[Z_MTH45] = { 0.35, 0.00, 0.00, 0.75, 0.95 },
		[Z_HALLUX] = { 0.50, 0.45, 0.85, 1.00, 1.00 },
		[Z_LESSER] = { 0.15, 0.45, 0.85, 0.92, 1.00 },
	},
	[INS_STRIKE_FOREFOOT] = {
		[Z_HEEL] = { 0.50, 0.15, 0.35, 0.40, 0.60 },
		[Z_MID_LAT] = { 0.22, 0.10, 0.30, 0.55, 0.80 },
		[Z_MID_MED] = { 0.00, 0.10, 0.30, 0.50, 0.75 },
		[Z_MTH1] = { 0.40, 0.03, 0.20, 0.80, 0.98 },
		[Z_MTH23] = { 0.50, 0.00, 0.00, 0.80, 0.98 },
		[Z_MTH45] = { 0.35, 0.00, 0.00, 0.75, 0.95 },
		[Z_HALLUX] = { 0.50, 0.45, 0.85, 1.00, 1.00 },
		[Z_LESSER] = { 0.15, 0.45, 0.85, 0.92, 1.00 },
	},
};

/* Quiet standing (standing_s): about 60 % of a foot's load on the heel,
 * the rest on the midfoot and the metatarsal heads, little on the toes. */
static const double standing_levels[Z_COUNT] = {
	[Z_HEEL] = 1.00, [Z_MID_LAT] = 0.22, [Z_MID_MED] = 0.00, [Z_MTH1] = 0.25,
	[Z_MTH23] = 0.30, [Z_MTH45] = 0.20, [Z_HALLUX] = 0.08, [Z_LESSER] = 0.04,
};
/* Each foot carries half the body weight while standing. */
#define STANDING_BW_SHARE 0.5
/* Over the last 0.3 s of standing the load shifts smoothly to what gait
 * starts with (the left foot unloads, the right takes its stance load), as
 * a person does before the first step: nothing jumps at the start. */
#define STANDING_SHIFT_US 300000

static double smoothstep(double e0, double e1, double s)
{
	if (s <= e0)
		return 0.0;
	if (s >= e1)
		return 1.0;
	double x = (s - e0) / (e1 - e0);
	return x * x * (3.0 - 2.0 * x);
}

static double zone_weight(const struct zone_timing *zt, double s)
{
	return zt->level * smoothstep(zt->rise0, zt->rise1, s) * (1.0 - smoothstep(zt->fall0, zt->fall1, s));
}

/* ---- the model object ------------------------------------------------- */

struct synth_sensor {
	double x_mm, y_mm;
	/* Force of one unit of value: area / 1000 for pressures in kPa (1 N on
	 * 1 mm2 is 1000 kPa); for arbitrary-unit layouts the same for every
	 * sensor, raw_newtons_per_unit(). */
	double newtons_per_unit;
	struct ins_calib_curve calib;
	double saturation;      /* counts */
	double full_scale;      /* saturation - zero, for the noise amplitude */
	int active;             /* inside the foot (grid cells outside the outline are never loaded) */
};

struct foot_state {
	uint64_t frames;        /* frames produced */
	struct ins_xoshiro rng;     /* sensor noise */
	struct ins_synth_frame last;
};

struct ins_synth {
	struct ins_synth_params p;
	const struct force_curve *curve;
	double stride_us, duty;
	int64_t standing_us;        /* quiet standing before the first step */
	double zone_x[Z_COUNT], zone_y[Z_COUNT];
	double zone_scale[Z_COUNT]; /* medial_shift weighting */
	double foot_length_mm;
	unsigned n;
	struct synth_sensor *sensors;
	float *kernel;              /* n x Z_COUNT: bump of each zone at each sensor */
	double *kpa[INS_FOOT_COUNT];
	struct foot_state foot[INS_FOOT_COUNT];
	struct ins_ratelimit bad_foot_rl;
};

/* ---- calibration inverse ---------------------------------------------- */

/* Tables map tared counts (counts - zero) to kPa and are extrapolated
 * along their end segments, like the analysis' forward calibration
 * (docs/layouts.md).  kPa may stay flat over a segment: the inverse takes
 * the first rising segment that reaches kpa; beyond a flat last segment
 * the pressure is out of range and saturates. */
static double table_inverse(const struct ins_calib_curve *c, double kpa)
{
	unsigned i, last = c->n_points - 1;

	for (i = 0; i < last; i++) {
		int rising = c->table_kpa[i + 1] > c->table_kpa[i];
		if (rising && (kpa <= c->table_kpa[i + 1] || i + 1 == last))
			break;
	}
	if (i == last)
		return INFINITY;
	double k0 = c->table_kpa[i], k1 = c->table_kpa[i + 1];
	double c0 = c->table_counts[i], c1 = c->table_counts[i + 1];
	return c0 + (kpa - k0) * (c1 - c0) / (k1 - k0);
}

double ins_synth_kpa_to_counts(const struct ins_calib_curve *c, double kpa)
{
	switch (c->kind) {
	case INS_CALIB_LINEAR:
		return c->zero + kpa / c->gain;
	case INS_CALIB_POWER:
		return c->zero + (kpa > 0.0 ? pow(kpa / c->gain, 1.0 / c->exponent) : 0.0);
	case INS_CALIB_TABLE:
		return c->zero + table_inverse(c, kpa);
	}
	return c->zero;
}

/* ---- foot geometry ---------------------------------------------------- */

static int has_outline(const struct ins_layout *l)
{
	return l->n_outline >= 3 && l->outline;
}

/* Lateral (min x) and medial (max x) edge of the outline at height y. */
static int outline_span(const struct ins_layout *l, double y, double *xl, double *xm)
{
	int found = 0;

	for (unsigned i = 0; i < l->n_outline; i++) {
		const float *a = l->outline[i], *b = l->outline[(i + 1) % l->n_outline];
		if ((a[1] <= y) == (b[1] <= y))
			continue;
		double x = a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
		if (!found || x < *xl)
			*xl = x;
		if (!found || x > *xm)
			*xm = x;
		found = 1;
	}
	return found && *xm > *xl;
}

/* Half-width profile of a generic foot (fraction of forefoot half-width
 * against fraction of length) for layouts without an outline. */
static double generic_half_width(double u)
{
	static const double pu[] = { 0.0, 0.15, 0.35, 0.55, 0.70, 0.85, 1.0 };
	static const double pw[] = { 0.55, 0.68, 0.72, 0.85, 1.0, 0.95, 0.60 };
	size_t i;

	if (u <= 0.0)
		return pw[0];
	for (i = 1; i < sizeof(pu) / sizeof(pu[0]) - 1 && u > pu[i]; i++)
		;
	if (u >= 1.0)
		return pw[i];
	return pw[i - 1] + (u - pu[i - 1]) * (pw[i] - pw[i - 1]) / (pu[i] - pu[i - 1]);
}

static void place_zones(struct ins_synth *s, const struct ins_layout *l)
{
	double y0 = 0.0, y1 = l->foot_length_mm;
	double width = l->forefoot_width_mm > 0 ? l->forefoot_width_mm
		     : l->foot_width_mm > 0     ? l->foot_width_mm
						: DEFAULT_WIDTH_FRACTION * l->foot_length_mm;

	if (has_outline(l)) {
		y0 = y1 = l->outline[0][1];
		for (unsigned i = 1; i < l->n_outline; i++) {
			y0 = fmin(y0, l->outline[i][1]);
			y1 = fmax(y1, l->outline[i][1]);
		}
	}
	s->foot_length_mm = y1 - y0;
	for (int z = 0; z < Z_COUNT; z++) {
		const struct zone_shape *zs = &zone_shapes[z];
		double y = y0 + zs->u * s->foot_length_mm, xl = 0.0, xm = 0.0;
		double w = fmax(-1.0, fmin(1.0, zs->w + MEDIAL_SHIFT_OFFSET * s->p.medial_shift));
		if (!has_outline(l) || !outline_span(l, y, &xl, &xm)) {
			double hw = 0.5 * width * generic_half_width(zs->u);
			xl = -hw;
			xm = hw;
		}
		double mid = 0.5 * (xl + xm), hw = 0.5 * (xm - xl);
		s->zone_x[z] = mid + w * hw;
		s->zone_y[z] = y;
		s->zone_scale[z] = 1.0 + MEDIAL_SHIFT_GAIN * s->p.medial_shift * zs->side;
		for (unsigned i = 0; i < s->n; i++) {
			const struct synth_sensor *ss = &s->sensors[i];
			double dx = (ss->x_mm - s->zone_x[z]) / (zs->rw * hw);
			double dy = (ss->y_mm - y) / (zs->ru * s->foot_length_mm);
			double d2 = dx * dx + dy * dy;
			s->kernel[(size_t)i * Z_COUNT + z] =
				ss->active && d2 < 1.0 ? (float)((1.0 - d2) * (1.0 - d2)) : 0.0f;
		}
	}
}

/* ---- construction ----------------------------------------------------- */

/* A raw-unit layout reads no pressure: one of its units is this many
 * newtons of the model, so that a foot carrying the body weight reads
 * SYNTH_RAW_BW_SHARE of the sensors' summed range, as the raw insoles on
 * record do (the stappone sample: about 5,000 of its 12 x 4,095 in stance).
 * One unit a newton left a 12-sensor insole at under 2 % of its range, where
 * the analysis finds no step at all. */
#define SYNTH_RAW_BW_SHARE 0.10

static double raw_newtons_per_unit(const struct ins_synth *s, const struct ins_layout *l)
{
	double range = 0.0;

	for (unsigned i = 0; i < l->n_sensors; i++)
		range += fmax(1.0, l->sensors[i].calib.saturation - l->sensors[i].calib.zero);
	return s->p.body_weight_n / (SYNTH_RAW_BW_SHARE * range);
}

static int copy_sensors(struct ins_synth *s, const struct ins_layout *l, char *err, size_t errlen)
{
	double raw_n_per_unit = l->arbitrary_units ? raw_newtons_per_unit(s, l) : 0.0;

	for (unsigned i = 0; i < s->n; i++) {
		const struct ins_sensor *src = &l->sensors[i];
		struct synth_sensor *dst = &s->sensors[i];

		char why[200];

		if (ins_calib_curve_check(&src->calib, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "layout '%s' sensor %u: calibration %s", l->name, i, why);
			return -1;
		}
		if (!(src->area_mm2 > 0.0f) || !isfinite(src->area_mm2)) {
			snprintf(err, errlen, "layout '%s' sensor %u: area %g mm2 must be positive", l->name, i,
				 (double)src->area_mm2);
			return -1;
		}
		dst->x_mm = src->x_mm;
		dst->y_mm = src->y_mm;
		dst->newtons_per_unit = l->arbitrary_units ? raw_n_per_unit : src->area_mm2 / KPA_MM2_PER_N;
		dst->calib = src->calib;
		dst->saturation = src->calib.saturation;
		dst->full_scale = fmax(1.0, dst->saturation - src->calib.zero);
		/* Grid cells cover a rectangle: only those inside the foot carry load. */
		dst->active = !l->is_grid || !has_outline(l) || ins_layout_contains(l, src->x_mm, src->y_mm);
	}
	return 0;
}

struct ins_synth *ins_synth_new(const struct ins_synth_params *p, const struct ins_layout *layout,
				char *err, size_t errlen)
{
	struct ins_synth *s = NULL;

	if (!p || !layout) {
		snprintf(err, errlen, "synthetic insole: %s missing", p ? "layout" : "parameters");
		return NULL;
	}
	if (synth_check_params(p, err, errlen) < 0)
		return NULL;
	if (layout->n_sensors == 0 || layout->n_sensors > INS_MAX_SENSORS || !layout->sensors) {
		snprintf(err, errlen, "layout '%s': %u sensors, must be 1 to %u", layout->name,
			 (unsigned)layout->n_sensors, INS_MAX_SENSORS);
		return NULL;
	}
	if (!(layout->foot_length_mm > 0.0f) && !has_outline(layout)) {
		snprintf(err, errlen, "layout '%s': foot_length_mm %g must be positive", layout->name,
			 (double)layout->foot_length_mm);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		goto nomem;
	s->p = *p;
	s->n = layout->n_sensors;
	s->sensors = calloc(s->n, sizeof(*s->sensors));
	s->kernel = calloc((size_t)s->n * Z_COUNT, sizeof(*s->kernel));
	s->kpa[0] = calloc(s->n, sizeof(double));
	s->kpa[1] = calloc(s->n, sizeof(double));
	if (!s->sensors || !s->kernel || !s->kpa[0] || !s->kpa[1])
		goto nomem;
	if (copy_sensors(s, layout, err, errlen) < 0)
		goto fail;
	s->stride_us = 2.0 * US_PER_MIN / p->cadence_spm;
	s->standing_us = llround(p->standing_s * US_PER_S);
	s->duty = p->duty_factor > 0.0 ? p->duty_factor : p->running ? DEFAULT_RUN_DUTY : DEFAULT_WALK_DUTY;
	s->curve = !p->running ? &walk_curve : p->strike == INS_STRIKE_REARFOOT ? &run_rearfoot_curve : &run_curve;
	place_zones(s, layout);
	for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
		ins_xoshiro_seed(&s->foot[f].rng, ins_splitmix64(p->seed) ^ (0xF00Dull + f));
		s->foot[f].last.kpa = s->kpa[f];
	}
	return s;
nomem:
	snprintf(err, errlen, "synthetic insole for layout '%s': out of memory", layout->name);
fail:
	ins_synth_free(s);
	return NULL;
}

void ins_synth_free(struct ins_synth *s)
{
	if (!s)
		return;
	free(s->sensors);
	free(s->kernel);
	free(s->kpa[0]);
	free(s->kpa[1]);
	free(s);
}

/* ---- timing and force ------------------------------------------------- */

struct step_timing {
	int64_t contact_us, toe_off_us;
	double scale_n; /* newtons per body-weight unit of the curve */
};

static void step_timing(const struct ins_synth *s, unsigned foot, int k, struct step_timing *out)
{
	double var = s->p.variability;
	double nominal = (double)s->standing_us + (first_contact_fraction[foot] + k) * s->stride_us;
	double contact = nominal, stance = s->duty * s->stride_us, amp = 1.0;

	if (var > 0.0) {
		/* Independent contact jitter of SD var*T/sqrt(2) gives strides of SD var*T. */
		contact += step_deviation(s->p.seed, foot, k, 0) * var * s->stride_us * M_SQRT1_2;
		stance *= 1.0 + var * step_deviation(s->p.seed, foot, k, 1);
		amp += var * step_deviation(s->p.seed, foot, k, 2);
	}
	out->contact_us = llround(contact);
	out->toe_off_us = out->contact_us + llround(stance);
	out->scale_n = s->p.body_weight_n * amp * (foot == INS_FOOT_RIGHT ? 1.0 + s->p.asymmetry : 1.0);
}

/* The step whose stance contains t, or the last one before t (*in_stance 0). */
static int step_at(const struct ins_synth *s, unsigned foot, int64_t t, struct step_timing *st, int *in_stance)
{
	int k = (int)floor((double)(t - s->standing_us) / s->stride_us - first_contact_fraction[foot]);

	/* Caps on variability keep the stance containing t at k or k + 1. */
	step_timing(s, foot, k + 1, st);
	if (t > st->contact_us) {
		*in_stance = t < st->toe_off_us;
		return k + 1;
	}
	step_timing(s, foot, k, st);
	if (t > st->contact_us) {
		*in_stance = t < st->toe_off_us;
		return k;
	}
	step_timing(s, foot, k - 1, st);
	*in_stance = t > st->contact_us && t < st->toe_off_us;
	return k - 1;
}

static double step_phase(const struct step_timing *st, int64_t t)
{
	return (double)(t - st->contact_us) / (double)(st->toe_off_us - st->contact_us);
}

static double standing_force(const struct ins_synth *s, unsigned foot)
{
	return STANDING_BW_SHARE * s->p.body_weight_n * (foot == INS_FOOT_RIGHT ? 1.0 + s->p.asymmetry : 1.0);
}

/* Gait force at t (>= gait start), with the stance phase (NaN in swing). */
static double gait_force(const struct ins_synth *s, unsigned foot, int64_t t, double *phase)
{
	struct step_timing st;
	int in_stance;

	step_at(s, foot, t, &st, &in_stance);
	*phase = in_stance ? step_phase(&st, t) : NAN;
	return in_stance ? st.scale_n * curve_value(s->curve, *phase) : 0.0;
}

/* 0 while standing quietly, rising to 1 at gait start (STANDING_SHIFT_US). */
static double standing_shift(const struct ins_synth *s, int64_t t)
{
	int64_t shift = s->standing_us < STANDING_SHIFT_US ? s->standing_us : STANDING_SHIFT_US;

	return smoothstep((double)(s->standing_us - shift), (double)s->standing_us, (double)t);
}

double ins_synth_force(const struct ins_synth *s, unsigned foot, int64_t t_us)
{
	double phase, b;

	if (foot >= INS_FOOT_COUNT)
		return 0.0;
	if (t_us >= s->standing_us)
		return gait_force(s, foot, t_us, &phase);
	b = standing_shift(s, t_us);
	return (1.0 - b) * standing_force(s, foot) + b * gait_force(s, foot, s->standing_us, &phase);
}

static double step_arch(const struct ins_synth *s, int64_t contact_us)
{
	double a = s->p.arch_collapse + s->p.fatigue_per_min * fmax(0.0, (double)contact_us) / US_PER_MIN;
	return fmax(0.0, fmin(1.0, a));
}

int ins_synth_truth(const struct ins_synth *s, unsigned foot, unsigned k, int64_t *contact_us, int64_t *toe_off_us)
{
	struct step_timing st;

	if (foot >= INS_FOOT_COUNT || k > (unsigned)INT32_MAX)
		return -1;
	step_timing(s, foot, (int)k, &st);
	*contact_us = st.contact_us;
	*toe_off_us = st.toe_off_us;
	return 0;
}

int ins_synth_step_truth(const struct ins_synth *s, unsigned foot, int k, struct ins_synth_step *out)
{
	const struct force_curve *c = s->curve;
	struct step_timing st;
	double stance_s, rise_s;

	if (foot >= INS_FOOT_COUNT)
		return -1;
	step_timing(s, foot, k, &st);
	memset(out, 0, sizeof(*out));
	out->contact_us = st.contact_us;
	out->toe_off_us = st.toe_off_us;
	out->n_knots = c->n;
	for (unsigned i = 0; i < c->n; i++) {
		out->knot_us[i] = (double)st.contact_us + c->s[i] * (double)(st.toe_off_us - st.contact_us);
		out->knot_n[i] = c->bw[i] * st.scale_n;
		out->peak_force_n = fmax(out->peak_force_n, out->knot_n[i]);
	}
	stance_s = (double)(st.toe_off_us - st.contact_us) / US_PER_S;
	out->fti_ns = curve_integral(c) * st.scale_n * stance_s;
	/* On F = P sin(pi/2 u), F reaches fraction q of P at u = asin(q) 2/pi. */
	rise_s = c->s[1] * stance_s;
	out->loading_rate_ns = 0.6 * out->knot_n[1] / ((asin(0.8) - asin(0.2)) * M_2_PI * rise_s);
	out->arch_collapse = step_arch(s, st.contact_us);
	return 0;
}

/* ---- frames ------------------------------------------------------------ */

/* Zone weights at stance phase `phase`, or of quiet standing when phase
 * is NaN; arch collapse loads the midfoot zones in both. */
static void zone_weights(const struct ins_synth *s, double phase, double arch, double *w)
{
	for (int z = 0; z < Z_COUNT; z++) {
		double arch_load = z == Z_MID_MED ? ARCH_MEDIAL_GAIN * arch : z == Z_MID_LAT ? ARCH_LATERAL_GAIN * arch : 0.0;
		double v;

		if (isnan(phase)) {
			v = standing_levels[z] + arch_load;
		} else {
			struct zone_timing t = zone_timings[s->p.strike][z];
			t.level += arch_load;
			v = zone_weight(&t, phase);
		}
		w[z] = v * s->zone_scale[z];
	}
}

/* Fills kpa with the field of the zone weights w, scaled so that the
 * sensors' force, sum(kpa * newtons_per_unit), is force_n. */
static void distribute(struct ins_synth *s, double *kpa, const double *w, double force_n)
{
	double wsum = 0.0, cx = 0.0, cy = 0.0, norm = 0.0;

	for (int z = 0; z < Z_COUNT; z++) {
		wsum += w[z];
		cx += w[z] * s->zone_x[z];
		cy += w[z] * s->zone_y[z];
	}
	for (unsigned i = 0; i < s->n; i++) {
		const float *k = &s->kernel[(size_t)i * Z_COUNT];
		double v = 0.0;
		for (int z = 0; z < Z_COUNT; z++)
			v += w[z] * k[z];
		kpa[i] = v;
		norm += v * s->sensors[i].newtons_per_unit;
	}
	if (!(norm > 0.0) && wsum > 0.0) {
		/* No zone reaches a sensor: load those nearest the zones' centre. */
		double r = FALLBACK_RADIUS_FRACTION * s->foot_length_mm;
		cx /= wsum;
		cy /= wsum;
		for (unsigned i = 0; i < s->n; i++) {
			const struct synth_sensor *ss = &s->sensors[i];
			double dx = (ss->x_mm - cx) / r, dy = (ss->y_mm - cy) / r;
			kpa[i] = ss->active ? 1.0 / (1.0 + dx * dx + dy * dy) : 0.0;
			norm += kpa[i] * ss->newtons_per_unit;
		}
	}
	if (!(norm > 0.0)) {
		memset(kpa, 0, s->n * sizeof(*kpa));
		return;
	}
	for (unsigned i = 0; i < s->n; i++)
		kpa[i] *= force_n / norm;
}

static double weight_sum(const double *w)
{
	double sum = 0.0;

	for (int z = 0; z < Z_COUNT; z++)
		sum += w[z];
	return sum;
}

/* Force and zone weights of a standing foot at t: the standing load mixed
 * with the load gait starts with, each weighted by its share of the force. */
static double standing_load(const struct ins_synth *s, unsigned foot, int64_t t, double arch, double *w)
{
	double b = standing_shift(s, t), phase, wg[Z_COUNT];
	double fs = (1.0 - b) * standing_force(s, foot);
	double fg = b * gait_force(s, foot, s->standing_us, &phase);
	double ws;

	zone_weights(s, NAN, arch, w);
	ws = weight_sum(w);
	for (int z = 0; z < Z_COUNT; z++)
		w[z] *= fs / ws;
	if (fg > 0.0) {
		zone_weights(s, phase, arch, wg);
		ws = weight_sum(wg);
		for (int z = 0; z < Z_COUNT; z++)
			w[z] += wg[z] * fg / ws;
	}
	return fs + fg;
}

static void centre_of_pressure(const struct ins_synth *s, const double *kpa, double *x, double *y)
{
	double f = 0.0, fx = 0.0, fy = 0.0;

	for (unsigned i = 0; i < s->n; i++) {
		double fi = kpa[i] * s->sensors[i].newtons_per_unit;
		f += fi;
		fx += fi * s->sensors[i].x_mm;
		fy += fi * s->sensors[i].y_mm;
	}
	*x = f > 0.0 ? fx / f : NAN;
	*y = f > 0.0 ? fy / f : NAN;
}

static unsigned to_counts(struct ins_synth *s, struct foot_state *fs, const double *kpa, uint16_t *out)
{
	unsigned saturated = 0;

	for (unsigned i = 0; i < s->n; i++) {
		const struct synth_sensor *ss = &s->sensors[i];
		double c = kpa[i] > 0.0 ? ins_synth_kpa_to_counts(&ss->calib, kpa[i]) : ss->calib.zero;
		if (s->p.noise > 0.0)
			c += s->p.noise * ss->full_scale * ins_xoshiro_gauss(&fs->rng);
		c = nearbyint(c);
		if (c >= ss->saturation) {
			saturated++;
			c = ss->saturation;
		}
		out[i] = c > 0.0 ? (uint16_t)c : 0;
	}
	return saturated;
}

void ins_synth_next(struct ins_synth *s, unsigned foot, uint16_t *out, int64_t *t_us)
{
	struct foot_state *fs;
	struct ins_synth_frame *last;
	struct step_timing st;
	double w[Z_COUNT];
	int in_stance;

	if (foot >= INS_FOOT_COUNT) {
		unsigned suppressed = 0;
		if (ins_ratelimit_ok(&s->bad_foot_rl, &suppressed))
			ins_err("frame asked for foot %u, which is not left/right (%u similar suppressed)",
				foot, suppressed);
		memset(out, 0, s->n * sizeof(*out));
		*t_us = 0;
		return;
	}
	fs = &s->foot[foot];
	last = &fs->last;
	last->t_us = llround((double)fs->frames * US_PER_S / s->p.rate_hz);
	fs->frames++;
	last->standing = last->t_us < s->standing_us;
	if (last->standing) {
		last->step = -1;
		last->in_stance = 1;
		last->arch_collapse = step_arch(s, last->t_us);
		last->phase = NAN;
		last->force_n = standing_load(s, foot, last->t_us, last->arch_collapse, w);
	} else {
		last->step = step_at(s, foot, last->t_us, &st, &in_stance);
		last->in_stance = in_stance;
		last->arch_collapse = step_arch(s, st.contact_us);
		last->phase = in_stance ? step_phase(&st, last->t_us) : NAN;
		last->force_n = in_stance ? st.scale_n * curve_value(s->curve, last->phase) : 0.0;
	}
	if (last->force_n > 0.0) {
		if (!last->standing)
			zone_weights(s, last->phase, last->arch_collapse, w);
		distribute(s, s->kpa[foot], w, last->force_n);
	} else {
		memset(s->kpa[foot], 0, s->n * sizeof(double));
	}
	centre_of_pressure(s, s->kpa[foot], &last->cop_x_mm, &last->cop_y_mm);
	last->n_saturated = to_counts(s, fs, s->kpa[foot], out);
	*t_us = last->t_us;
}

int ins_synth_last_frame(const struct ins_synth *s, unsigned foot, struct ins_synth_frame *out)
{
	if (foot >= INS_FOOT_COUNT || s->foot[foot].frames == 0)
		return -1;
	*out = s->foot[foot].last;
	return 0;
}
