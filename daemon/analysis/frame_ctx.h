/* The per-foot frame context shared by calib.c (its calibration tables)
 * and frame_metrics.c (its metric weights), which creates it.  The engine
 * treats the context as opaque.  Module-internal. */
#ifndef INSOLED_ANALYSIS_FRAME_CTX_H
#define INSOLED_ANALYSIS_FRAME_CTX_H

#include <math.h>
#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#elif defined(__SSE__)
#include <xmmintrin.h>
#elif defined(__ARM_NEON) && defined(__aarch64__)
#include <arm_neon.h>
#endif

#include "insoled/analysis.h"
#include "insoled/layout.h"

/* Per-sensor lookup tables for non-linear curves are used while they fit in
 * this budget (16 FSRs x 4096 counts = 256 KiB); larger layouts with power
 * or table curves evaluate the curve per sample instead. */
#define INS_CALIB_LUT_MAX_BYTES (8u << 20)

/* A run of consecutive sensors in one region: the per-frame loop sums a
 * run, then adds it to its region (dense grids and the shipped sparse
 * layouts list sensors heel to toe, so they have one run per region). */
struct analysis_frame_run {
	uint16_t start, len;
	uint8_t region;
};

/* Four floats at a time through the GCC/clang vector extensions (SSE on
 * x86-64, NEON on ARM, plain code elsewhere): the hot loops need no
 * -ffast-math and no target flags to vectorise. */
typedef float analysis_v4f __attribute__((vector_size(16)));
typedef int32_t analysis_v4i __attribute__((vector_size(16)));
typedef uint16_t analysis_v4u16 __attribute__((vector_size(8)));

static inline analysis_v4f analysis_v4f_load(const float *p)
{
	analysis_v4f v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static inline void analysis_v4f_store(float *p, analysis_v4f v)
{
	__builtin_memcpy(p, &v, sizeof(v));
}

/* mask ? a : b, mask lanes all ones or all zeros */
static inline analysis_v4f analysis_v4f_select(analysis_v4i mask, analysis_v4f a, analysis_v4f b)
{
	return (analysis_v4f)((mask & (analysis_v4i)a) | (~mask & (analysis_v4i)b));
}

/* a > b ? a : b and a < b ? a : b in each lane, exactly (b whenever the
 * comparison is false, NaN and equal zeros included): that is the
 * definition of SSE's max and min, one instruction; elsewhere a compare
 * and a select. */
static inline analysis_v4f analysis_v4f_max(analysis_v4f a, analysis_v4f b)
{
#if defined(__SSE__)
	return (analysis_v4f)_mm_max_ps((__m128)a, (__m128)b);
#else
	return analysis_v4f_select(a > b, a, b);
#endif
}

static inline analysis_v4f analysis_v4f_min(analysis_v4f a, analysis_v4f b)
{
#if defined(__SSE__)
	return (analysis_v4f)_mm_min_ps((__m128)a, (__m128)b);
#else
	return analysis_v4f_select(a < b, a, b);
#endif
}

/* Two doubles, and their lane maximum as analysis_v4f_max(). */
typedef double analysis_v2d __attribute__((vector_size(16)));
typedef int64_t analysis_v2l __attribute__((vector_size(16)));

static inline analysis_v2d analysis_v2d_max(analysis_v2d a, analysis_v2d b)
{
#if defined(__SSE2__)
	return (analysis_v2d)_mm_max_pd((__m128d)a, (__m128d)b);
#else
	analysis_v2l m = a > b;
	return (analysis_v2d)((m & (analysis_v2l)a) | (~m & (analysis_v2l)b));
#endif
}

/* Square root of each lane: one instruction where the target has one,
 * correctly rounded like sqrtf() everywhere. */
static inline analysis_v4f analysis_v4f_sqrt(analysis_v4f v)
{
#if defined(__SSE__)
	return (analysis_v4f)_mm_sqrt_ps((__m128)v);
#elif defined(__ARM_NEON) && defined(__aarch64__)
	return (analysis_v4f)vsqrtq_f32((float32x4_t)v);
#else
	return (analysis_v4f){ sqrtf(v[0]), sqrtf(v[1]), sqrtf(v[2]), sqrtf(v[3]) };
#endif
}

/* Lane sum (v[0] + v[1]) + (v[2] + v[3]) and lane maximum. */
static inline float analysis_v4f_hsum(analysis_v4f v)
{
	return (v[0] + v[1]) + (v[2] + v[3]);
}

static inline float analysis_v4f_hmax(analysis_v4f v)
{
	float a = v[0] > v[1] ? v[0] : v[1], b = v[2] > v[3] ? v[2] : v[3];

	return a > b ? a : b;
}

/* analysis_v4f_hsum() of four vectors at once: a transpose, then the same
 * additions in the same order, lane by lane. */
static inline analysis_v4f analysis_v4f_hsum4(analysis_v4f a, analysis_v4f b, analysis_v4f c, analysis_v4f d)
{
	analysis_v4f ab_lo = __builtin_shufflevector(a, b, 0, 4, 1, 5), cd_lo = __builtin_shufflevector(c, d, 0, 4, 1, 5);
	analysis_v4f ab_hi = __builtin_shufflevector(a, b, 2, 6, 3, 7), cd_hi = __builtin_shufflevector(c, d, 2, 6, 3, 7);
	analysis_v4f l0 = __builtin_shufflevector(ab_lo, cd_lo, 0, 1, 4, 5);
	analysis_v4f l1 = __builtin_shufflevector(ab_lo, cd_lo, 2, 3, 6, 7);
	analysis_v4f l2 = __builtin_shufflevector(ab_hi, cd_hi, 0, 1, 4, 5);
	analysis_v4f l3 = __builtin_shufflevector(ab_hi, cd_hi, 2, 3, 6, 7);

	return (l0 + l1) + (l2 + l3);
}

/* peak[i] = max(peak[i], v[i]) for n values, four at a time. */
static inline void analysis_max_into(float *restrict peak, const float *restrict v, unsigned n)
{
	unsigned i = 0;

	for (; i + 4 <= n; i += 4) {
		analysis_v4f a = analysis_v4f_load(v + i), b = analysis_v4f_load(peak + i);
		analysis_v4f_store(peak + i, analysis_v4f_max(a, b));
	}
	for (; i < n; i++)
		peak[i] = v[i] > peak[i] ? v[i] : peak[i];
}

struct analysis_frame_ctx {
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
	/* noise floor of the CoP (analysis_frame_learn_noise) */
	float *noise_mean, *noise_sq; /* running mean of kPa and kPa^2 while unloaded */
	float *cop_floor;         /* mean + INS_NOISE_FLOOR_SD sd; 0 until learned */
	uint32_t noise_frames;
	struct analysis_frame_run *runs;
	unsigned n_runs;
	unsigned region_sensors[INS_REGION_COUNT];
	/* per region, all ones or 0: split into medial and lateral (not the
	 * toes); measured (has sensors) */
	analysis_v4i region_split, region_measured;
	float contact_kpa;
};

#endif
