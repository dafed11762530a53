/* The analysis engine: calibrated pressures -> per-frame metrics -> gait
 * events -> per-step metrics -> session summary.  Pure computation: no I/O,
 * no allocation after ins_analysis_new(), no locks.  The same code serves
 * live data, re-analysis of the raw archive and imported recordings.
 * Implemented in daemon/analysis/.  The names below are the contract with
 * storage, HTTP, exports and the dashboard: append, never rename. */
#ifndef INSOLED_ANALYSIS_H
#define INSOLED_ANALYSIS_H

#pragma GCC visibility push(default)

#include <stddef.h>
#include <stdint.h>

#include "insoled/frame.h"
#include "insoled/layout.h"

/* ---- per frame ------------------------------------------------------- */

enum ins_event { INS_EVENT_NONE = 0, INS_EVENT_CONTACT = 1, INS_EVENT_TOE_OFF = 2 };

/* The gait event detector confirms a toe-off once the foot has stayed
 * unloaded this long, and counts the first stance of a stream only when
 * the foot was seen unloaded this long before its contact (docs/analysis.md,
 * "Gait events"): what it cannot see at the two ends of a recording, which
 * a comparison with another source's events must know. */
#define INS_EVENT_CONFIRM_US 100000

struct ins_frame_metrics {
	uint8_t foot;
	uint8_t event;            /* enum ins_event detected at this frame */
	uint8_t in_stance;
	uint16_t n_saturated;     /* sensors at or above saturation this frame */
	int64_t t_us;             /* unwrapped device time */
	float force_n;            /* total force (uncalibrated layouts: sum of units) */
	float cop_x_mm, cop_y_mm; /* NaN while unloaded */
	float cop_x_norm;         /* -0.5 lateral .. +0.5 medial of foot width */
	float cop_y_norm;         /* 0 heel .. 1 toe of foot length */
	float contact_area_mm2;
	float peak_kpa;
	float region_force_n[INS_REGION_COUNT];
	float side_force_n[INS_REGION_COUNT][2]; /* [region][enum ins_side]; toes unsplit (0) */
};

/* ---- per step ---------------------------------------------------------
 * One step = one stance phase of one foot, emitted at its toe-off.  Interval
 * metrics describe the gait cycle that ENDS at this step's initial contact
 * (stride = previous contact -> this contact of the same foot, swing =
 * previous toe-off -> this contact), so a step is complete the moment its
 * foot leaves the ground.  NaN = not applicable or not yet known (first step,
 * no body weight, sparse layout for the Arch Index...).
 *
 * X(ID, "json_name", "unit", "Label", SCALE) -- the single list that drives
 * the struct, storage columns, CSV/JSON exports, summaries and the dashboard.
 * SCALE (enum ins_metric_scale) says which comparisons mean something:
 *   RATIO     positive quantity with a true zero: differences and percent change;
 *   SHARE     a percentage of a whole (load shares): differences in points only;
 *   POSITION  a place (CoP y, timing within stance, strike index): differences only;
 *   SIGNED    a signed quantity around zero (CoP x, balance, CPEI): differences only;
 *   CATEGORY  a class number (foot strike): no mean difference is judged. */
#define INS_STEP_METRICS(X) \
	X(STANCE_MS,            "stance_ms",            "ms",        "Contact time (stance)", RATIO) \
	X(SWING_MS,             "swing_ms",             "ms",        "Swing time (before this contact)", RATIO) \
	X(STRIDE_MS,            "stride_ms",            "ms",        "Stride time", RATIO) \
	X(STEP_MS,              "step_ms",              "ms",        "Step time (opposite contact to this contact)", RATIO) \
	X(DOUBLE_SUPPORT_MS,    "double_support_ms",    "ms",        "Double support during this stance", RATIO) \
	X(CADENCE_SPM,          "cadence_steps_min",    "steps/min", "Cadence (steps per minute)", RATIO) \
	X(CADENCE_STRIDES,      "cadence_strides_min",  "strides/min","Cadence (strides per minute)", RATIO) \
	X(PEAK_FORCE_N,         "peak_force_n",         "N",         "Peak force", RATIO) \
	X(MEAN_FORCE_N,         "mean_force_n",         "N",         "Mean force during stance", RATIO) \
	X(FIRST_PEAK_N,         "first_peak_n",         "N",         "First force peak", RATIO) \
	X(FIRST_PEAK_PCT,       "first_peak_pct",       "% stance",  "First peak timing", POSITION) \
	X(VALLEY_N,             "valley_n",             "N",         "Force valley (midstance)", RATIO) \
	X(VALLEY_PCT,           "valley_pct",           "% stance",  "Valley timing", POSITION) \
	X(SECOND_PEAK_N,        "second_peak_n",        "N",         "Second force peak (push-off)", RATIO) \
	X(SECOND_PEAK_PCT,      "second_peak_pct",      "% stance",  "Second peak timing", POSITION) \
	X(LOADING_RATE_NS,      "loading_rate_n_s",     "N/s",       "Loading rate (20-80 % of first peak)", RATIO) \
	X(LOADING_RATE_BWS,     "loading_rate_bw_s",    "BW/s",      "Loading rate, body weights per second", RATIO) \
	X(FTI_NS,               "fti_n_s",              "N s",       "Force-time integral", RATIO) \
	X(PEAK_PRESSURE_KPA,    "peak_pressure_kpa",    "kPa",       "Peak pressure", RATIO) \
	X(MEAN_PRESSURE_KPA,    "mean_pressure_kpa",    "kPa",       "Mean pressure over loaded sensors", RATIO) \
	X(CONTACT_AREA_MM2,     "contact_area_mm2",     "mm2",       "Peak contact area", RATIO) \
	X(HEEL_PEAK_KPA,        "heel_peak_kpa",        "kPa",       "Heel peak pressure", RATIO) \
	X(MIDFOOT_PEAK_KPA,     "midfoot_peak_kpa",     "kPa",       "Midfoot peak pressure", RATIO) \
	X(FOREFOOT_PEAK_KPA,    "forefoot_peak_kpa",    "kPa",       "Forefoot peak pressure", RATIO) \
	X(TOES_PEAK_KPA,        "toes_peak_kpa",        "kPa",       "Toes peak pressure", RATIO) \
	X(HEEL_PTI_KPAS,        "heel_pti_kpa_s",       "kPa s",     "Heel pressure-time integral", RATIO) \
	X(MIDFOOT_PTI_KPAS,     "midfoot_pti_kpa_s",    "kPa s",     "Midfoot pressure-time integral", RATIO) \
	X(FOREFOOT_PTI_KPAS,    "forefoot_pti_kpa_s",   "kPa s",     "Forefoot pressure-time integral", RATIO) \
	X(TOES_PTI_KPAS,        "toes_pti_kpa_s",       "kPa s",     "Toes pressure-time integral", RATIO) \
	X(HEEL_LOAD_PCT,        "heel_load_pct",        "%",         "Heel share of force-time integral", SHARE) \
	X(MIDFOOT_LOAD_PCT,     "midfoot_load_pct",     "%",         "Midfoot share of force-time integral", SHARE) \
	X(FOREFOOT_LOAD_PCT,    "forefoot_load_pct",    "%",         "Forefoot share of force-time integral", SHARE) \
	X(TOES_LOAD_PCT,        "toes_load_pct",        "%",         "Toes share of force-time integral", SHARE) \
	X(COP_START_X_MM,       "cop_start_x_mm",       "mm",        "CoP at contact, medial-lateral", SIGNED) \
	X(COP_START_Y_MM,       "cop_start_y_mm",       "mm",        "CoP at contact, from heel", POSITION) \
	X(COP_END_X_MM,         "cop_end_x_mm",         "mm",        "CoP at toe-off, medial-lateral", SIGNED) \
	X(COP_END_Y_MM,         "cop_end_y_mm",         "mm",        "CoP at toe-off, from heel", POSITION) \
	X(COP_PATH_MM,          "cop_path_mm",          "mm",        "CoP path length", RATIO) \
	X(COP_ML_WIDTH_MM,      "cop_ml_width_mm",      "mm",        "CoP medial-lateral range", RATIO) \
	X(CPEI_PCT,             "cpei_pct",             "%",         "Centre of pressure excursion index (Song 1996)", SIGNED) \
	X(STRIKE_INDEX_PCT,     "strike_index_pct",     "% length",  "Strike index (CoP at contact)", POSITION) \
	X(STRIKE_PATTERN,       "strike_pattern",       "class",     "Foot strike: 0 rearfoot, 1 midfoot, 2 forefoot", CATEGORY) \
	X(ML_BALANCE,           "ml_balance",           "ratio",     "Medial-lateral balance (M-L)/(M+L), + = medial", SIGNED) \
	X(MIDFOOT_LOAD_INDEX,   "midfoot_load_index",   "%",         "Midfoot load index (insole proxy, not the Arch Index)", SHARE) \
	X(MIDFOOT_SHARE_MIDSTANCE, "midfoot_share_midstance", "%",   "Midfoot share of force at midstance (insole proxy)", SHARE) \
	X(ARCH_INDEX,           "arch_index",           "ratio",     "Arch Index, Cavanagh & Rodgers 1987 (dense layouts only)", RATIO) \
	INS_MASK_STEP_METRICS(X)

/* Per anatomical mask region (enum ins_mask_region, layout.h), five
 * metrics in this order, NaN where the region has no sensor (not
 * measured): peak pressure, PTI (definition (a): integral of the region's
 * highest sensor pressure), maximum force, peak contact area, share of the
 * force-time integral.  The metric of region r is
 * INS_M_MASK_FIRST + r * INS_MASK_METRICS_PER_REGION + enum ins_mask_metric. */
#define INS_MASK_METRICS_OF(X, id, name, label) \
	X(id##_PEAK_KPA,     name "_peak_kpa",         "kPa",   label " peak pressure", RATIO) \
	X(id##_PTI_KPAS,     name "_pti_kpa_s",        "kPa s", label " pressure-time integral", RATIO) \
	X(id##_MAX_FORCE_N,  name "_max_force_n",      "N",     label " maximum force", RATIO) \
	X(id##_CONTACT_MM2,  name "_contact_area_mm2", "mm2",   label " peak contact area", RATIO) \
	X(id##_LOAD_PCT,     name "_load_pct",         "%",     label " share of force-time integral", SHARE)
#define INS_MASK_STEP_METRICS(X) \
	INS_MASK_METRICS_OF(X, MEDIAL_HEEL,     "medial_heel",     "Medial heel") \
	INS_MASK_METRICS_OF(X, LATERAL_HEEL,    "lateral_heel",    "Lateral heel") \
	INS_MASK_METRICS_OF(X, MEDIAL_MIDFOOT,  "medial_midfoot",  "Medial midfoot") \
	INS_MASK_METRICS_OF(X, LATERAL_MIDFOOT, "lateral_midfoot", "Lateral midfoot") \
	INS_MASK_METRICS_OF(X, MTH1,            "mth1",            "First metatarsal head") \
	INS_MASK_METRICS_OF(X, MTH2_3,          "mth2_3",          "Second-third metatarsal heads") \
	INS_MASK_METRICS_OF(X, MTH4_5,          "mth4_5",          "Fourth-fifth metatarsal heads") \
	INS_MASK_METRICS_OF(X, HALLUX,          "hallux",          "Hallux") \
	INS_MASK_METRICS_OF(X, LESSER_TOES,     "lesser_toes",     "Lesser toes")

enum ins_step_metric {
#define INS_X_ENUM(id, name, unit, label, scale) INS_M_##id,
	INS_STEP_METRICS(INS_X_ENUM)
#undef INS_X_ENUM
	INS_M_COUNT
};
enum ins_mask_metric { INS_MASK_PEAK = 0, INS_MASK_PTI, INS_MASK_FORCE, INS_MASK_CONTACT, INS_MASK_LOAD,
		       INS_MASK_METRICS_PER_REGION };
#define INS_M_MASK_FIRST INS_M_MEDIAL_HEEL_PEAK_KPA
#define INS_M_MASK(region, metric) (INS_M_MASK_FIRST + (region) * INS_MASK_METRICS_PER_REGION + (metric))

enum ins_metric_scale {
	INS_SCALE_RATIO = 0,
	INS_SCALE_SHARE,
	INS_SCALE_POSITION,
	INS_SCALE_SIGNED,
	INS_SCALE_CATEGORY
};
/* "ratio", "share", "position", "signed", "category" */
const char *ins_metric_scale_name(unsigned scale);

struct ins_metric_info {
	const char *name;  /* JSON / CSV / SQL column name */
	const char *unit;
	const char *label; /* for people */
	enum ins_metric_scale scale;
};
extern const struct ins_metric_info ins_step_metric_info[INS_M_COUNT];

enum ins_step_flags {
	INS_STEP_SATURATED = 1u << 0, /* a sensor saturated during stance */
	INS_STEP_GAP = 1u << 1,       /* frames were lost during stance */
	/* Not steady-state gait (docs/analysis.md "Steady-state steps"): */
	INS_STEP_INITIATION = 1u << 2, /* first step of a walking bout: no stride
				       * before it (start, or after standing) */
	INS_STEP_IRREGULAR = 1u << 3,  /* stance or stride far from the foot's
				       * recent steps: standing, shuffling,
				       * stopping, turning */
	INS_STEP_TERMINATION = 1u << 4 /* last step of a walking bout, itself
				       * not irregular: the foot's next step is
				       * irregular or starts a new bout (set by
				       * ins_step_delay) */
};
/* Steps with any of these flags stay in step lists and exports (the flags
 * say why) but are left out of summaries, symmetry and trends. */
#define INS_STEP_NOT_STEADY (INS_STEP_GAP | INS_STEP_INITIATION | INS_STEP_IRREGULAR | INS_STEP_TERMINATION)

struct ins_step {
	uint8_t foot;
	uint32_t index;           /* 0, 1, 2... per foot within the analysis run */
	uint32_t flags;           /* enum ins_step_flags */
	int64_t contact_us;       /* initial contact, unwrapped device time */
	int64_t toe_off_us;
	double m[INS_M_COUNT];    /* indexed by enum ins_step_metric */
};

/* 1 when `next`, a foot's step, says that walking stopped between it and
 * the foot's step before it: the one before was the last of its bout. */
static inline int ins_step_follows_stop(const struct ins_step *next)
{
	return (next->flags & (INS_STEP_IRREGULAR | INS_STEP_INITIATION)) != 0;
}

/* Termination is known only once the foot's next step is: lists and
 * exports pass their steps through this one-step delay per foot, which
 * hands each step on, INS_STEP_TERMINATION added when it ended a bout, as
 * the foot's next step arrives; ins_step_delay_flush() hands on the held
 * ones at the end (nothing says walking stopped after them). */
struct ins_step_delay {
	struct ins_step held[INS_FOOT_COUNT];
	uint8_t have[INS_FOOT_COUNT];
};
void ins_step_delay_init(struct ins_step_delay *d);
/* 1 when *out got the foot's previous step. */
int ins_step_delay_push(struct ins_step_delay *d, const struct ins_step *step, struct ins_step *out);
/* 1 when *out got a held step, the earliest first; 0 when none is left. */
int ins_step_delay_flush(struct ins_step_delay *d, struct ins_step *out);

/* 1 when the step counts in summaries: steady-state gait. */
static inline int ins_step_steady(const struct ins_step *step)
{
	return (step->flags & INS_STEP_NOT_STEADY) == 0;
}

/* Arch Index classes with a named, cited threshold set: the class alone
 * means nothing without the thresholds (dynamic AI runs higher than the
 * standing AI they were published for).  docs/analysis.md lists both. */
enum ins_arch_class { INS_ARCH_HIGH = 0, INS_ARCH_NORMAL = 1, INS_ARCH_FLAT = 2 };
struct ins_arch_thresholds {
	const char *name;    /* "cavanagh1987", "buldt2018" */
	const char *source;  /* citation */
	double high_max;     /* AI below (or at, when inclusive) this: high arch / cavus */
	double flat_min;     /* AI above (or at, when inclusive) this: flat / planus */
	int inclusive;
};
/* high <= 0.21, normal, flat >= 0.26 (commonly attributed to Cavanagh & Rodgers 1987) */
extern const struct ins_arch_thresholds ins_arch_thresholds_cavanagh1987;
/* cavus < 0.11, normal 0.11-0.25, planus > 0.25 (Buldt et al. 2018) */
extern const struct ins_arch_thresholds ins_arch_thresholds_buldt2018;
/* enum ins_arch_class of an Arch Index, or -1 when ai is NaN. */
int ins_arch_index_classify(double ai, const struct ins_arch_thresholds *th);
const char *ins_arch_class_name(int cls); /* "high", "normal", "flat", "unknown" */

/* ---- the subject's body weight ---------------------------------------- */

/* Standard gravity (m/s2): a body weight of kg kilograms is kg x INS_GRAVITY
 * newtons.  Every conversion in the project uses this one. */
#define INS_GRAVITY 9.80665
/* The body weights a subject can have.  Below 10 kg is no one who walks on
 * an instrumented insole; above 500 kg is a typing error (clinic scales end
 * at 300-500 kg).  Zero means unknown where a weight is optional. */
#define INS_BODY_WEIGHT_MIN_KG 10.0
#define INS_BODY_WEIGHT_MAX_KG 500.0
/* 0 when the weight lies in [INS_BODY_WEIGHT_MIN_KG, INS_BODY_WEIGHT_MAX_KG]
 * (in kg, or in N for the _n form), else -1 with err naming field, the
 * value and the range. */
int ins_body_weight_check_kg(const char *field, double kg, char *err, size_t errlen);
int ins_body_weight_check_n(const char *field, double newtons, char *err, size_t errlen);

/* ---- engine ---------------------------------------------------------- */

struct ins_analysis_config {
	const struct ins_layout *layout[INS_FOOT_COUNT]; /* NULL: foot not present */
	/* Per-foot calibration curves (n_sensors each), or NULL for the layout's default. */
	const struct ins_calib_curve *calib[INS_FOOT_COUNT];
	double body_weight_n;     /* 0 when unknown */
};

struct ins_analysis;

struct ins_analysis *ins_analysis_new(const struct ins_analysis_config *cfg, char *err, size_t errlen);
void ins_analysis_free(struct ins_analysis *ana);

/* Feed one raw frame (calibrates it) or already-calibrated pressures (kPa;
 * importers, re-analysis of float archives).  Fills *out; out may be NULL
 * when only the steps are wanted (the steps are the same either way, and an
 * arbitrary-unit layout then skips the per-frame metrics its steps do not
 * use).  Returns 0, or -1 when the frame does not fit the configured layout
 * (counted, not fatal). */
int ins_analysis_feed(struct ins_analysis *ana, const struct ins_frame *frame,
		      struct ins_frame_metrics *out);
int ins_analysis_feed_kpa(struct ins_analysis *ana, unsigned foot, int64_t t_us,
			  const float *kpa, unsigned n, struct ins_frame_metrics *out);

/* Calibrated pressures of the last frame fed for a foot (n_sensors floats). */
const float *ins_analysis_last_kpa(const struct ins_analysis *ana, unsigned foot);

/* Sensor health, judged over the steps and swing frames fed so far:
 * SILENT at or below contact pressure (10 kPa) in at least 20 steps in
 * which all its neighbours peaked above 30 kPa, and never above contact
 * (dead or disconnected: a sensor the foot simply does not load has a quiet
 * neighbour and is never called dead); SATURATING at
 * saturation in at least a quarter of the steps; STUCK above contact in at
 * least half of at least 50 swing frames (shorted, or a stale tare).  Raw
 * unit layouts are judged on saturation only. */
enum ins_sensor_flags {
	INS_SENSOR_SILENT = 1u << 0,
	INS_SENSOR_SATURATING = 1u << 1,
	INS_SENSOR_STUCK = 1u << 2
};
/* Fills flags_out[0..n_sensors-1] with each sensor's enum ins_sensor_flags
 * bits and returns how many sensors are flagged (0 when the foot has no
 * layout, flags_out untouched). */
unsigned ins_analysis_sensor_flags(const struct ins_analysis *ana, unsigned foot, uint8_t *flags_out);

/* The anatomical mask in use for a foot (layout.h, docs/layouts.md): each
 * sensor's region (enum ins_mask_region; a sensor on the split line: its
 * medial one) into regions_out[0..n_sensors-1].  On a dense grid this is
 * the mask found from the footprint of the steps so far.  Returns
 * n_sensors, or 0 when the foot has no layout or raw units. */
unsigned ins_analysis_mask_regions(const struct ins_analysis *ana, unsigned foot, uint8_t *regions_out);

/* Body-weight scaling of one foot (the subject stands still on it alone):
 * the foot's total force is averaged over the next INS_BW_SCALE_WINDOW_US
 * of its frames; if it was steady (SD at most INS_BW_SCALE_MAX_CV of the
 * mean) and the body weight is known, the result carries the foot's new
 * absolute scale = current scale x body weight / measured force, within
 * 0.2..5.  Measuring does not change the calibration: the caller applies
 * the result with ins_analysis_set_scale(), so a request its client gave up
 * on changes nothing.  Raw-unit layouts have no newtons to scale. */
#define INS_BW_SCALE_WINDOW_US 2000000 /* 2 s: long enough to average out sway, short enough to hold still */
#define INS_BW_SCALE_MAX_CV 0.05       /* standing still sways a few %; weight shifts or steps sway far more */
#define INS_BW_SCALE_MIN_FRAMES 20     /* 10 Hz over the window: fewer means the link is failing */
struct ins_bw_scale_result {
	int ok;                   /* 1: scale is the factor to apply; 0: refused, why says why */
	unsigned foot;
	uint32_t frames;          /* frames averaged */
	double measured_force_n;  /* mean over the window, with the calibration in force */
	double sd_force_n;
	double body_weight_n;
	double scale;             /* new absolute scale (NaN when refused) */
	char why[256];
};
/* Starts measuring (a measurement in progress on the foot starts over).
 * Returns 0, or -1 with err saying why it cannot (no layout, raw units, no
 * body weight). */
int ins_analysis_bw_scale_start(struct ins_analysis *ana, unsigned foot, char *err, size_t errlen);
/* 1 and *out once the foot's measurement has finished (reported once),
 * 0 while it is running or when none was started. */
int ins_analysis_bw_scale_result(struct ins_analysis *ana, unsigned foot, struct ins_bw_scale_result *out);
void ins_analysis_bw_scale_cancel(struct ins_analysis *ana, unsigned foot);
/* Multiplies the foot's calibrated pressures by scale (1 = none) from its
 * next frame.  Returns 0, or -1 (nothing changed) outside 0.2..5 or without
 * a layout. */
int ins_analysis_set_scale(struct ins_analysis *ana, unsigned foot, double scale);
double ins_analysis_scale(const struct ins_analysis *ana, unsigned foot); /* NaN: no layout */
/* The curves in force with the scale folded in (n_sensors curves into out):
 * an analysis built from them at scale 1 calibrates exactly as this one.
 * Returns 0, or -1 when the foot has no layout. */
int ins_analysis_calibration_scaled(const struct ins_analysis *ana, unsigned foot, struct ins_calib_curve *out);

/* Control from the daemon, applied on the analysis thread between frames:
 * tare zeroes a foot's sensors at their last raw counts (the foot must be
 * unloaded); body weight (N, 0 = unknown) scales the BW-normalised metrics. */
void ins_analysis_tare(struct ins_analysis *ana, unsigned foot);
void ins_analysis_set_body_weight(struct ins_analysis *ana, double body_weight_n);

/* Completed steps, oldest first: returns 1 and fills *out while any are
 * pending, then 0.  Call after every feed. */
int ins_analysis_next_step(struct ins_analysis *ana, struct ins_step *out);

/* Data-quality counters of an analysis run (for status and session quality). */
struct ins_analysis_stats {
	uint64_t frames[INS_FOOT_COUNT];        /* frames analysed */
	uint64_t gaps[INS_FOOT_COUNT];          /* places where frames were lost */
	uint64_t steps[INS_FOOT_COUNT];         /* steps emitted */
	uint64_t rejected_frames;               /* did not fit the layout, or time went back */
	uint64_t dropped_steps;                 /* step queue overflowed (caller did not drain) */
};
void ins_analysis_stats(const struct ins_analysis *ana, struct ins_analysis_stats *out);

/* ---- session summary -------------------------------------------------- */

#include "insoled/stats.h"

struct ins_metric_stats {
	uint32_t n;               /* steps with a value */
	double mean, sd, cv_pct;  /* NaN when n == 0 (sd, cv: n < 2) */
};

struct ins_summary {
	uint32_t steps[INS_FOOT_COUNT];          /* every step, steady or not */
	struct ins_metric_stats foot[INS_FOOT_COUNT][INS_M_COUNT];
	/* SI = (R - L) / (0.5 (R + L)) x 100 %; positive = right larger. */
	double symmetry_pct[INS_M_COUNT];
	/* Arch collapse over the session, per foot: the drift of its arch
	 * measure (arch index on dense layouts, midfoot load index otherwise)
	 * with its CI, minimal detectable change, class and reason (stats.h). */
	struct ins_drift arch_drift[INS_FOOT_COUNT];
	uint32_t saturated_steps[INS_FOOT_COUNT];
	uint32_t gap_steps[INS_FOOT_COUNT];
	/* Steps left out of the statistics above (ins_step_steady() false), in
	 * all and by reason (a step can have several). */
	uint32_t excluded_steps[INS_FOOT_COUNT];
	uint32_t initiation_steps[INS_FOOT_COUNT];
	uint32_t irregular_steps[INS_FOOT_COUNT];
	/* steady-looking last step before an irregular one (walking stopped) */
	uint32_t termination_steps[INS_FOOT_COUNT];
	/* The user's choices (ins_summary_acc_add_chosen): steps outside the
	 * trimmed window, steps the user excluded, and steps the user included
	 * although the automatic selection had left them out. */
	uint32_t trimmed_steps[INS_FOOT_COUNT];
	uint32_t user_excluded_steps[INS_FOOT_COUNT];
	uint32_t user_included_steps[INS_FOOT_COUNT];
	/* enum ins_arch_measure the drift of each foot was computed from. */
	uint8_t arch_measure[INS_FOOT_COUNT];
};

/* Arch measure behind a foot's trend: the footprint Arch Index where the
 * steps have one (dense layouts), the insole proxy otherwise. */
enum ins_arch_measure { INS_ARCH_MIDFOOT_LOAD_INDEX = 0, INS_ARCH_ARCH_INDEX = 1 };
const char *ins_arch_measure_name(unsigned measure);

/* Streaming summary: init, add every step, finish. */
struct ins_summary_acc;
struct ins_summary_acc *ins_summary_acc_new(void);
void ins_summary_acc_free(struct ins_summary_acc *acc);
void ins_summary_acc_add(struct ins_summary_acc *acc, const struct ins_step *step);
/* A user's choice about one step of a stored session (docs/api.md "step
 * selection"): the automatic selection, or included or excluded by hand, or
 * outside the window the session was trimmed to (left out). */
enum ins_step_choice {
	INS_CHOICE_AUTO = 0,
	INS_CHOICE_INCLUDE,
	INS_CHOICE_EXCLUDE,
	INS_CHOICE_TRIMMED
};
void ins_summary_acc_add_chosen(struct ins_summary_acc *acc, const struct ins_step *step, int choice);
void ins_summary_acc_finish(const struct ins_summary_acc *acc, struct ins_summary *out);

/* ---- heatmaps ---------------------------------------------------------
 * A fixed grid over the foot outline per layout: interpolated from sparse
 * sensors with precomputed weights, direct for grid layouts.  Cells outside
 * the foot are NaN (null in JSON). */
struct ins_heatmap;
struct ins_heatmap *ins_heatmap_new(const struct ins_layout *layout, char *err, size_t errlen);
void ins_heatmap_free(struct ins_heatmap *hm);
void ins_heatmap_size(const struct ins_heatmap *hm, unsigned *w, unsigned *h);
/* cell size in mm and grid origin in the foot frame (x of column 0, y of row 0) */
void ins_heatmap_geometry(const struct ins_heatmap *hm, float *cell_mm, float *x0_mm, float *y0_mm);
void ins_heatmap_render(const struct ins_heatmap *hm, const float *kpa, float *cells);

#pragma GCC visibility pop

#endif
