/* Per-foot calibration and per-frame metrics: the hot loop under the
 * analysis engine (module-internal; the engine in engine.c owns one
 * ins_frame_ctx per foot).  Everything is precomputed in ins_frame_ctx_new();
 * the per-frame functions neither allocate nor lock.  Owner of calib.c,
 * frame_metrics.c and this header: the layouts/calibration/frame engineer. */
#ifndef INSOLED_FRAME_METRICS_H
#define INSOLED_FRAME_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "insoled/analysis.h"
#include "insoled/layout.h"

/* A sensor is "in contact" above this pressure: 10 kPa sits above the noise
 * floor of FSR and capacitive insoles and is the usual plantar-pressure
 * contact threshold, so contact area means what podiatrists expect. */
#define INS_CONTACT_KPA 10.0f

/* Body-weight scaling factors outside this range mean the foot was not
 * standing still on its own (or the body weight is wrong): refuse them. */
#define INS_BW_SCALE_MIN 0.2
#define INS_BW_SCALE_MAX 5.0

struct ins_frame_ctx;

/* curves: n_sensors per-sensor curves (e.g. a session's recorded
 * calibration), or NULL for the layout's defaults; both are copied.  The
 * layout must outlive the context. */
struct ins_frame_ctx *ins_frame_ctx_new(const struct ins_layout *layout, const struct ins_calib_curve *curves,
					char *err, size_t errlen);
void ins_frame_ctx_free(struct ins_frame_ctx *ctx);

/* ---- calibration (calib.c) -------------------------------------------- */

/* One curve: counts -> kPa (or arbitrary units).  Every kind is evaluated on
 * d = min(counts, saturation) - zero (table points are counts above zero);
 * d <= 0 gives 0, and the result is never negative.  Saturated counts give
 * the curve's value at saturation. */
double ins_calib_eval(const struct ins_calib_curve *c, double counts);

/* Raw counts -> kPa for a whole frame (n_sensors values), body-weight scale
 * applied.  Linear curves are computed; power and table curves use a
 * per-sensor lookup table built by ins_frame_ctx_new(). */
void ins_frame_calibrate(const struct ins_frame_ctx *ctx, const uint16_t *counts, float *kpa);

/* Pressures from an importer or a float archive: NaN, infinities and
 * negative values become 0 (a missing sample must not poison the force sum).
 * Returns how many values were replaced. */
unsigned ins_frame_clean_kpa(float *kpa, unsigned n);

/* Tare: each sensor's zero becomes its count in `counts` (the foot must be
 * unloaded: the caller's job).  Rebuilds the lookup tables; no allocation. */
void ins_frame_tare(struct ins_frame_ctx *ctx, const uint16_t *counts);

/* Body-weight scaling: scale = body weight / force measured while standing
 * still on this foot alone.  Returns 0, or -1 (err says why) when either is
 * not positive or the factor falls outside [INS_BW_SCALE_MIN, INS_BW_SCALE_MAX]. */
int ins_calib_body_weight_scale(double measured_force_n, double body_weight_n, double *scale,
				char *err, size_t errlen);
/* Multiplies every calibrated pressure (1 = none).  Returns 0, or -1 and
 * keeps the old scale when scale is outside [INS_BW_SCALE_MIN, INS_BW_SCALE_MAX]. */
int ins_frame_set_scale(struct ins_frame_ctx *ctx, double scale);
double ins_frame_scale(const struct ins_frame_ctx *ctx);

/* The curves in use (tare included), n_sensors of them: what a session
 * records as its calibration. */
const struct ins_calib_curve *ins_frame_ctx_curves(const struct ins_frame_ctx *ctx);

/* ---- per-frame metrics (frame_metrics.c) ------------------------------ */

/* What the step metrics need beyond struct ins_frame_metrics.  Both are NaN
 * for a region without sensors (not measured, rather than 0 kPa). */
struct ins_frame_extra {
	float region_peak_kpa[INS_REGION_COUNT];    /* highest sensor in the region */
	float region_contact_mm2[INS_REGION_COUNT]; /* contact area per region */
};

/* Fills force_n, cop_*, contact_area_mm2, peak_kpa, region_force_n,
 * side_force_n and n_saturated of *out (foot, event, in_stance and t_us are
 * the caller's), and *extra when not NULL.  kpa: n_sensors finite values
 * >= 0 (ins_frame_calibrate output, or ins_frame_clean_kpa'd).  The CoP
 * counts only sensors above their noise floor (ins_frame_learn_noise) and
 * is NaN when none is.  Arbitrary-unit layouts: force_n and peak_kpa are in
 * the raw units and contact areas are NaN. */
void ins_frame_compute(const struct ins_frame_ctx *ctx, const float *kpa, struct ins_frame_metrics *out,
		       struct ins_frame_extra *extra);

/* Per-sensor noise floor of the centre of pressure.  A dense grid's
 * unloaded cells read positive noise (negative readings clip at zero);
 * summed over a thousand cells it outweighs the few loaded ones at light
 * load and pulls the CoP to the middle of the foot.  Each sensor's floor
 * is the mean + INS_NOISE_FLOOR_SD standard deviations of what it read
 * while the foot was unloaded, learned from such frames (the caller knows
 * them: the gait events), averaged over the last ~INS_NOISE_FLOOR_FRAMES.
 * Before any unloaded frame, and for a noiseless sensor, the floor is 0:
 * every loaded sensor counts.  Calibrated dense grids only: on an insole of
 * 8-16 sensors the noise of the few unloaded ones is small against the
 * load, and vendors compute the CoP over every sensor (the Moticon export's
 * own CoP is reproduced to 2e-4 of the foot's size that way). */
#define INS_NOISE_FLOOR_SD 6.0f
#define INS_NOISE_FLOOR_FRAMES 64u
/* kpa: one frame of the foot unloaded. */
void ins_frame_learn_noise(struct ins_frame_ctx *ctx, const float *kpa);

/* ---- internals shared by calib.c and frame_metrics.c -------------------
 * The engine treats the context as opaque. */

/* Per-sensor lookup tables for non-linear curves are used while they fit in
 * this budget (16 FSRs x 4096 counts = 256 KiB); larger layouts with power
 * or table curves evaluate the curve per sample instead. */
#define INS_CALIB_LUT_MAX_BYTES (8u << 20)

/* A run of consecutive sensors in one region: the per-frame loop sums a
 * run, then adds it to its region (dense grids and the shipped sparse
 * layouts list sensors heel to toe, so they have one run per region). */
struct ins_frame_run {
	uint16_t start, len;
	uint8_t region;
};

/* Four floats at a time through the GCC/clang vector extensions (SSE on
 * x86-64, NEON on ARM, plain code elsewhere): the hot loops need no
 * -ffast-math and no target flags to vectorise. */
typedef float ins_v4f __attribute__((vector_size(16)));
typedef int32_t ins_v4i __attribute__((vector_size(16)));
typedef uint16_t ins_v4u16 __attribute__((vector_size(8)));

static inline ins_v4f ins_v4f_load(const float *p)
{
	ins_v4f v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static inline void ins_v4f_store(float *p, ins_v4f v)
{
	__builtin_memcpy(p, &v, sizeof(v));
}

/* mask ? a : b, mask lanes all ones or all zeros */
static inline ins_v4f ins_v4f_select(ins_v4i mask, ins_v4f a, ins_v4f b)
{
	return (ins_v4f)((mask & (ins_v4i)a) | (~mask & (ins_v4i)b));
}

struct ins_frame_ctx {
	const struct ins_layout *layout;
	unsigned n;
	int arbitrary;            /* layout->arbitrary_units */
	double scale;             /* body-weight scale, folded into gain, lut and sat_kpa */
	struct ins_calib_curve *curves;
	/* calibration */
	int all_linear;
	float *zero, *gain;       /* linear: kPa = gain * (min(c, sat) - zero), >= 0 */
	float *satf;              /* saturation counts as float, for the vector path */
	uint16_t *sat;
	float *lut;               /* non-linear with a table: lut[lut_off[i] + min(c, sat)] */
	uint32_t *lut_off;
	/* metrics */
	float *w;                 /* N per kPa: area * 1e-3 (1 for arbitrary units) */
	float *wx, *wy;           /* w * x_mm, w * y_mm */
	float *wm;                /* w * medial_share */
	float *area;              /* mm2, for contact area */
	float *sat_kpa;           /* calibrated value at saturation: at or above = saturated */
	/* noise floor of the CoP (ins_frame_learn_noise) */
	float *noise_mean, *noise_sq; /* running mean of kPa and kPa^2 while unloaded */
	float *cop_floor;         /* mean + INS_NOISE_FLOOR_SD sd; 0 until learned */
	uint32_t noise_frames;
	struct ins_frame_run *runs;
	unsigned n_runs;
	unsigned region_sensors[INS_REGION_COUNT];
	float contact_kpa;
};

/* calib.c: fill the calibration arrays from curves and scale (no allocation). */
void ins_frame_calib_rebuild(struct ins_frame_ctx *ctx);

#endif
