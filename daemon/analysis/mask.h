/* Per-step metrics of the anatomical mask (module-internal to
 * daemon/analysis; regions and geometry: layout.h, docs/layouts.md).  The
 * engine pushes every frame's pressures; when a step closes its five
 * metrics per region are computed over the frames inside [contact,
 * toe-off] from each frame's per-region peak, force and contact area.
 * Sparse layouts keep the insole's mask (sensor positions, or the region a
 * layout file names), so a small one keeps the frames' pressures in a ring
 * and sums their regions when the step closes; dense grids start from the
 * insole's mask and re-derive it from the footprint after every step, so
 * each frame's region values go into the ring as the frame comes.  All
 * memory is allocated by analysis_mask_acc_new(). */
#ifndef INSOLED_MASK_H
#define INSOLED_MASK_H

#include <stdint.h>

#include "insoled/analysis.h"
#include "insoled/layout.h"
#include "steps.h"

struct analysis_mask_acc;

/* NULL when out of memory.  Arbitrary-unit layouts get an accumulator
 * that measures nothing (their metrics stay NaN). */
struct analysis_mask_acc *analysis_mask_acc_new(const struct ins_layout *layout);
void analysis_mask_acc_free(struct analysis_mask_acc *acc);

/* One frame of a foot: n_sensors finite pressures >= 0, with the frame's
 * peak pressure and force (analysis_frame_compute) to pass over empty frames. */
void analysis_mask_acc_push(struct analysis_mask_acc *acc, int64_t t_us, const float *kpa, float frame_peak_kpa,
		       float frame_force_n);

/* The mask metrics of the stance [contact_us, toe_off_us] into m (NaN for
 * regions without a sensor).  step_peak_kpa: each sensor's peak pressure
 * over that stance on a dense grid (the footprint), which updates the
 * mask used from the next step; NULL on sparse layouts. */
void analysis_mask_acc_close(struct analysis_mask_acc *acc, int64_t contact_us, int64_t toe_off_us,
			const float *step_peak_kpa, double *m);

/* Dense grids: the foot as the footprint of the steps closed so far shows
 * it (heel end, length, width at the CPEI line) into *foot; 0 and *foot
 * untouched while there is no footprint (a sparse layout, the first
 * steps). */
int analysis_mask_acc_foot(const struct analysis_mask_acc *acc, struct analysis_foot *foot);

/* The mask in use: region of sensor i (its first one when it is shared),
 * or INS_MASK_COUNT for an accumulator that measures nothing. */
unsigned analysis_mask_acc_sensor_region(const struct analysis_mask_acc *acc, unsigned i);
/* 1 when some sensor measures region r. */
int analysis_mask_acc_measured(const struct analysis_mask_acc *acc, unsigned r);

#endif
