/* Per-step accumulation and metrics (module-internal to daemon/analysis).
 * The engine pushes every frame's metrics into a per-foot ring; when the
 * event detector confirms a toe-off, the step's metrics are computed over
 * the ring's frames inside [contact, toe-off].  Definitions: docs/analysis.md. */
#ifndef INSOLED_STEPS_H
#define INSOLED_STEPS_H

#include <stdint.h>

#include "insoled/analysis.h"
#include "insoled/layout.h"
#include "events.h"

/* What a step needs from one frame: ~80 bytes. */
struct analysis_step_frame {
	int64_t t_us;
	float force, cop_x, cop_y;
	float region_f[INS_REGION_COUNT];
	float region_peak[INS_REGION_COUNT];
	float medial, lateral;
	float area, peak_kpa;
	uint16_t n_saturated;
	uint8_t gap;              /* frames lost just before this one (255: 255 or more) */
};

/* Up to this many frames lost in a row inside a stance or swing are bridged
 * (docs/analysis.md "Lost frames"). */
#define INS_BRIDGE_FRAMES 2

/* Frames kept per foot: the same span as the event detector's history. */
#define INS_STEP_RING INS_EV_HISTORY

struct analysis_step_acc {
	const struct ins_layout *layout;
	int arbitrary;            /* raw units: no force or pressure magnitudes */
	struct analysis_step_frame ring[INS_STEP_RING];
	uint64_t n;               /* frames ever pushed */
	/* Per-sensor peak pressure since the previous step was closed: the
	 * step's peak-pressure footprint (dense layouts only, else NULL). */
	float *footprint;
};

/* The footprint array (layout->n_sensors floats) is owned by the caller. */
void analysis_step_acc_init(struct analysis_step_acc *acc, const struct ins_layout *layout, float *footprint);
void analysis_step_acc_push(struct analysis_step_acc *acc, const struct ins_frame_metrics *fm,
		       const float *region_peak_kpa, int gap_frames);
/* The lost frames before a frame as the ring keeps them: 0..255. */
static inline uint8_t analysis_gap_byte(int gap_frames)
{
	return (uint8_t)(gap_frames < 0 ? 0 : gap_frames > 255 ? 255 : gap_frames);
}

/* An arbitrary-unit layout's frame: the time, force, saturation and gap
 * that its step metrics and flags are made of (analysis_step_acc_close()
 * reads nothing else of such a layout's frames).  Inline: a footswitch's
 * every frame. */
static inline void analysis_step_acc_push_raw(struct analysis_step_acc *acc, int64_t t_us, float force,
					      unsigned n_saturated, int gap_frames)
{
	struct analysis_step_frame *f = &acc->ring[acc->n % INS_STEP_RING];

	f->t_us = t_us;
	f->force = force;
	f->n_saturated = (uint16_t)n_saturated;
	f->gap = analysis_gap_byte(gap_frames);
	acc->n++;
}
/* Dense layouts: fold one frame's pressures into the footprint. */
void analysis_step_acc_footprint(struct analysis_step_acc *acc, const float *kpa);

/* CPEI is measured at 2/3 of foot length from the heel (Song 1996). */
#define ANALYSIS_CPEI_AT_FRACTION (2.0 / 3.0)

/* The foot the strike index and CPEI are measured on: where its heel ends
 * (the layout's y, mm), its length heel to toes, and its width at the CPEI
 * line.  On an insole the foot is the insole (y 0, foot_length_mm,
 * forefoot_width_mm); a dense grid's footprint shows the foot itself
 * (analysis_mask_acc_foot()), which a sheet larger than the foot, or a foot
 * standing off the insole's heel end, needs. */
struct analysis_foot {
	double heel_y_mm, length_mm, cpei_width_mm;
};

/* Fill the frame-derived metrics of *out (force curve, loading, pressures,
 * loads, CoP, strike, balance, arch measures) for the stance [contact_us,
 * toe_off_us]; leaves the temporal metrics alone; sets the SATURATED and GAP
 * flags.  foot: NULL for the insole.  Clears the footprint for the next step. */
void analysis_step_acc_close(struct analysis_step_acc *acc, int64_t contact_us, int64_t toe_off_us,
			double body_weight_n, const struct analysis_foot *foot, struct ins_step *out);

/* Arch Index (Cavanagh & Rodgers 1987) of a peak-pressure footprint on a
 * dense layout: NaN for sparse layouts or an empty footprint. */
double analysis_arch_index_of(const struct ins_layout *layout, const float *peak_kpa);

#endif
