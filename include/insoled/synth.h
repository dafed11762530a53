/* The synthetic insole: a deterministic model of a walking or running
 * subject that produces raw sensor counts for a layout.  Used by the
 * emulator program, by `insoled --demo` and by tests with known answers.
 * Pure computation, no I/O.  Implemented in daemon/synth/. */
#ifndef INSOLED_SYNTH_H
#define INSOLED_SYNTH_H

#pragma GCC visibility push(default)

#include <stddef.h>
#include <stdint.h>

#include "insoled/frame.h"
#include "insoled/layout.h"

enum ins_strike { INS_STRIKE_REARFOOT = 0, INS_STRIKE_MIDFOOT = 1, INS_STRIKE_FOREFOOT = 2 };

struct ins_synth_params {
	double rate_hz;          /* frames per second per foot (default 100) */
	double cadence_spm;      /* steps per minute, both feet (walk ~110, run ~170) */
	int running;             /* 0 walk (double support, two-hump force), 1 run (flight phase) */
	double body_weight_n;
	enum ins_strike strike;
	double arch_collapse;    /* 0 normal .. 1 fully collapsed: load moves to the midfoot */
	double medial_shift;     /* -1 lateral .. +1 medial (pronation) */
	double asymmetry;        /* right/left load ratio - 1, e.g. 0.1 = right 10 % heavier */
	double noise;            /* sensor noise, fraction of full scale */
	double fatigue_per_min;  /* arch_collapse added per minute (fatigue drift) */
	uint64_t seed;
	double duty_factor;      /* stance / stride; 0 = 0.60 walking, 0.36 running */
	double variability;      /* step-to-step CV of stride time, stance time and force (0..0.05) */
	double standing_s;       /* quiet standing (half the body weight on each foot) before gait starts;
				  * its last 0.3 s shift the load smoothly to gait's first state */
};
/* Defaults: 100 Hz, 110 steps/min walking (170 running when `running=1` is
 * parsed without a cadence), 700 N, rearfoot strike, no collapse, shift,
 * asymmetry, noise, fatigue or variability, seed 1: clean signals with
 * known answers.  Ranges are checked by ins_synth_parse and ins_synth_new. */
void ins_synth_defaults(struct ins_synth_params *p);
/* Parse "key=value,key=value" over defaults (keys = field names above,
 * strike=rearfoot|midfoot|forefoot); err names the bad key. */
int ins_synth_parse(struct ins_synth_params *p, const char *args, char *err, size_t errlen);

struct ins_synth;
struct ins_synth *ins_synth_new(const struct ins_synth_params *p, const struct ins_layout *layout,
				char *err, size_t errlen);
void ins_synth_free(struct ins_synth *s);
/* Produce the next frame of a foot: raw counts in out[layout->n_sensors],
 * t_us = the model's time of that frame.  Feet alternate at the same rate. */
void ins_synth_next(struct ins_synth *s, unsigned foot, uint16_t *out, int64_t *t_us);
/* The model's ground truth for tests: contact and toe-off times of step k.
 * Gait starts at t = standing_s: the left foot lands 0.15 stride later,
 * the right 0.65 stride later.  Step 0 of a foot is its first initial
 * contact after gait starts (a walking stream starts with the right foot in
 * the middle of an earlier stance, which after quiet standing simply goes
 * on from the standing load).
 * Force is > 0 exactly for contact_us < t < toe_off_us.  Returns 0, or -1
 * for a foot that is not left/right. */
int ins_synth_truth(const struct ins_synth *s, unsigned foot, unsigned k, int64_t *contact_us, int64_t *toe_off_us);

/* ---- exact answers for analysis tests ---------------------------------- */

#define INS_SYNTH_MAX_KNOTS 5
/* One stance of the model.  The vertical force curve is defined by knots
 * (contact, its extrema, toe-off): the segment after contact rises as a
 * quarter sine, the one before toe-off falls as a quarter cosine, the
 * middle ones are half-cosine blends, so every interior knot is an exact
 * extremum.  Walking: 5 knots (first peak 1.15 BW at 25 % stance, valley
 * 0.75 BW at 50 %, second peak 1.10 BW at 75 %).  Running rearfoot: impact
 * peak 1.6 BW at 12 %, dip 1.45 BW at 20 %, peak 2.5 BW at 45 %; running
 * midfoot/forefoot: 3 knots, peak 2.5 BW at 45 %.  BW is body_weight_n,
 * times (1 + asymmetry) on the right foot and the step's variability. */
struct ins_synth_step {
	int64_t contact_us, toe_off_us;
	unsigned n_knots;
	double knot_us[INS_SYNTH_MAX_KNOTS]; /* knot times (contact .. toe-off) */
	double knot_n[INS_SYNTH_MAX_KNOTS];  /* force at each knot, N */
	double peak_force_n;     /* largest knot */
	double fti_ns;           /* exact integral of force over the stance, N s */
	/* Average slope between 20 % and 80 % of the first interior knot (the
	 * first peak / impact peak) on the rising quarter sine, N/s. */
	double loading_rate_ns;
	double arch_collapse;    /* this step's arch_collapse, fatigue drift included */
};
/* Step k of a foot (k may be negative: stances before step 0, which a
 * stream can start inside).  Returns 0, or -1 for a bad foot. */
int ins_synth_step_truth(const struct ins_synth *s, unsigned foot, int k, struct ins_synth_step *out);

/* The model's vertical force of a foot at any time (N): half the body
 * weight (times 1 + asymmetry on the right) while standing, blended into
 * gait's force over the last 0.3 s of standing. */
double ins_synth_force(const struct ins_synth *s, unsigned foot, int64_t t_us);

/* What the model put into the last frame ins_synth_next() produced for a
 * foot, before quantisation, noise and saturation. */
struct ins_synth_frame {
	int64_t t_us;
	double force_n;          /* model force = sum kpa[i] * area_mm2[i] / 1000, or sum kpa[i]
				  * for arbitrary-unit layouts (values, not pressures) */
	double cop_x_mm, cop_y_mm; /* centre of pressure of kpa over the sensors; NaN unloaded */
	int in_stance;           /* the foot is loaded (standing included) */
	int standing;            /* quiet standing (t < standing_s) */
	int step;                /* step index of the stance (see ins_synth_step_truth) or of the last one; -1 standing */
	double phase;            /* 0..1 through the stance, NaN in swing */
	double arch_collapse;
	unsigned n_saturated;    /* sensors whose counts were clamped at saturation */
	const double *kpa;       /* n_sensors exact pressures, valid until the next frame of this foot */
};
/* Returns 0, or -1 for a bad foot or before the foot's first frame. */
int ins_synth_last_frame(const struct ins_synth *s, unsigned foot, struct ins_synth_frame *out);

/* Raw counts that the sensor's default calibration maps to kpa (the exact
 * inverse, before rounding; saturation not applied).  Exposed for tests. */
double ins_synth_kpa_to_counts(const struct ins_calib_curve *c, double kpa);

#pragma GCC visibility pop

#endif
