/* Stance-normalised curves of a recording: per foot, every complete stance's
 * total force and centre of pressure resampled to 0..100 % of stance, with
 * the mean and SD over steps at each point and the gait lines of the most
 * recent steps.  What the report's averaged force curve and CoP gait lines
 * are drawn from (GET /api/sessions/ID/curves), so the printed numbers come
 * from the one analysis and not from a second implementation in a browser.
 *
 * Streaming: feed every struct ins_frame_metrics that ins_analysis_feed()
 * fills and every step ins_analysis_next_step() returns, in the order the
 * engine produced them.  Frames are kept in a bounded per-foot buffer until
 * their step arrives (about 100 ms after its toe-off).  Pure computation: no
 * I/O, no allocation after ins_curves_new(), no locks.
 * Implemented in daemon/analysis/curves.c. */
#ifndef INSOLED_CURVES_H
#define INSOLED_CURVES_H

#pragma GCC visibility push(default)

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "insoled/analysis.h"

#define INS_CURVE_POINTS 101 /* 0, 1, ..., 100 % of stance */

/* Stances longer than this are skipped (counted): the slowest walking in the
 * PhysioNet neuro-degenerative records has strides up to 5.7 s, of which
 * stance is about two thirds (3.8 s); a longer "stance" is standing, which
 * has no gait force curve, and it would only flatten the average. */
#define INS_CURVES_MAX_STANCE_US 5000000
/* The engine reports a step once its toe-off is confirmed, about 100 ms
 * later (docs/analysis.md); the frame buffer keeps this much time beyond the
 * longest stance so a step always finds its frames, with room to spare for
 * a detector that confirms later. */
#define INS_CURVES_STEP_LATENCY_US 1000000
/* Feeds faster than this are buffered as if at this rate (memory bound:
 * 2 x 12,000 frames); at a higher real rate only stances longer than the
 * buffer then holds are skipped, and counted.  Twice the fastest insole
 * systems in clinical use (1 kHz). */
#define INS_CURVES_MAX_RATE_HZ 2000.0
/* Gait lines of this many most recent steps per foot are kept for drawing:
 * more lines only blacken the outline. */
#define INS_CURVES_MAX_PATHS 60

enum ins_curve_kind {
	INS_CURVE_FORCE_N = 0,    /* total force, N */
	INS_CURVE_FORCE_BW_PCT,   /* total force, % of body weight (steps with a body weight) */
	INS_CURVE_COP_X_MM,       /* CoP, foot frame, + medial */
	INS_CURVE_COP_Y_MM,       /* CoP, from the heel */
	INS_CURVE_COP_X_NORM,     /* -0.5 lateral .. +0.5 medial of foot width */
	INS_CURVE_COP_Y_NORM,     /* 0 heel .. 1 toe of foot length */
	INS_CURVE_COUNT
};
/* JSON member names: "force_n", "force_bw_pct", "cop_x_mm", "cop_y_mm", "cop_x_norm", "cop_y_norm". */
extern const char *const ins_curve_names[INS_CURVE_COUNT];

struct ins_curves_config {
	/* NULL: foot absent.  Layouts in arbitrary units (raw, uncalibrated)
	 * give no curves: a force shape in sensor units means nothing to
	 * compare, as for their step metrics. */
	const struct ins_layout *layout[INS_FOOT_COUNT];
	double rate_hz;           /* highest frame rate of the feed, per foot (sizes the buffer) */
	double body_weight_n;     /* 0 when unknown */
};

/* One point of one curve over the steps averaged so far. */
struct ins_curve_point {
	uint32_t n;               /* steps with a value at this point */
	double mean;              /* NaN when n == 0 */
	double sd;                /* sample SD (n - 1); NaN when n < 2 */
};

struct ins_curves_counts {
	uint32_t steps;           /* stances averaged */
	uint32_t bw_steps;        /* of them, with a body weight in force (INS_CURVE_FORCE_BW_PCT) */
	uint32_t too_long;        /* skipped: stance over INS_CURVES_MAX_STANCE_US */
	uint32_t incomplete;      /* skipped: the buffer no longer (or not yet) held the stance's frames */
	uint64_t frames;          /* frames fed */
};

struct ins_curves;

struct ins_curves *ins_curves_new(const struct ins_curves_config *cfg, char *err, size_t errlen);
void ins_curves_free(struct ins_curves *c);

/* Body weight (N, 0 = unknown) for the steps added from now on: call it
 * where ins_analysis_set_body_weight() is called. */
void ins_curves_set_body_weight(struct ins_curves *c, double body_weight_n);

/* One frame's metrics, as ins_analysis_feed() filled them.  Frames of a
 * foot without a layout, or not later than the foot's previous frame, are
 * ignored (the engine never emits them). */
void ins_curves_feed(struct ins_curves *c, const struct ins_frame_metrics *fm);

/* One step, as ins_analysis_next_step() returned it: its stance
 * (contact_us .. toe_off_us) is resampled to INS_CURVE_POINTS points as if
 * the pressures were interpolated linearly in time between the frames
 * around each point: the force linearly, the CoP as the interpolated
 * moment over the interpolated force (so a barely loaded frame's noisy CoP
 * weighs little; next to an unloaded frame, whose CoP is NaN, it is the
 * loaded neighbour's), and added to the averages.  Returns 1 when
 * averaged, 0 when skipped (counted). */
int ins_curves_add_step(struct ins_curves *c, const struct ins_step *step);

void ins_curves_get_counts(const struct ins_curves *c, unsigned foot, struct ins_curves_counts *out);
/* out[INS_CURVE_POINTS]: the curve of one kind for one foot. */
void ins_curves_get(const struct ins_curves *c, unsigned foot, enum ins_curve_kind kind,
		    struct ins_curve_point out[INS_CURVE_POINTS]);
/* Gait lines kept for a foot (at most INS_CURVES_MAX_PATHS), and the i-th,
 * oldest first: INS_CURVE_POINTS (x, y) pairs in mm, NaN where unloaded. */
unsigned ins_curves_path_count(const struct ins_curves *c, unsigned foot);
const float (*ins_curves_path(const struct ins_curves *c, unsigned foot, unsigned i))[2];

/* {"points":101,"max_stance_ms":5000,
 *  "left": FOOT_CURVES|null, "right": ...}   (null: foot absent)
 * FOOT_CURVES = {"steps","skipped":{"too_long","incomplete"},"arbitrary_units",
 *   "force_n":{"mean":[101],"sd":[101]}, "force_bw_pct":{"steps","mean","sd"}|null,
 *   "cop_x_mm":{..},"cop_y_mm":{..},"cop_x_norm":{..},"cop_y_norm":{..},
 *   "paths_mm":[[[x,y]|null, ...101], ...oldest first]}
 * NaN -> null.  A foot in arbitrary units has steps 0 and null curves. */
json_t *ins_curves_json(const struct ins_curves *c);

#pragma GCC visibility pop

#endif
