/* The statistics behind every claim a report or a comparison prints: the
 * arch drift over a session and the difference of a metric between two
 * sessions, each with its 95 % confidence interval, its size against the
 * measure's own variability, the number of steps behind it and a sentence
 * saying what was decided and why.  Pure functions of the per-step values of
 * the steps a summary uses (steady-state steps), no I/O, no allocation.
 * Rules and sources: docs/analysis.md, "Claims: arch drift and comparisons".
 * Owner: daemon/analysis/. */
#ifndef INSOLED_STATS_H
#define INSOLED_STATS_H

#pragma GCC visibility push(default)

#include <stddef.h>
#include <stdint.h>

struct ins_metric_stats; /* analysis.h: n, mean, SD of one metric and foot */

/* Quantile p (0 < p < 1) of Student's t with df > 0 degrees of freedom
 * (df need not be an integer: Welch's df is not); NaN outside that domain. */
double ins_t_quantile(double p, double df);
/* P(T <= t) for Student's t with df > 0 degrees of freedom. */
double ins_t_cdf(double t, double df);

/* ---- arch drift over a session -----------------------------------------
 * Clear: the steps are grouped in consecutive blocks of INS_DRIFT_BLOCK_STEPS;
 * the drift is the least-squares line through the block means against time,
 * the change = its slope x the time between the first and the last block
 * centre, with a t-based 95 % CI on k - 2 degrees of freedom (k blocks: block
 * means are far less autocorrelated than single steps, so the CI is not
 * falsely narrow).
 * Large enough to matter: SEM = residual SD of the single steps about the
 * session's least-squares line (n - 2 df), and the minimal detectable change
 * MDC95 = 1.96 x sqrt(2) x SEM, the smallest difference between two
 * measurements (steps) that measurement variability alone exceeds in only 5 %
 * of cases.  It is a property of the measure, so unlike the CI it does not
 * shrink as steps accumulate.
 * A session is collapsing (rising) only when the CI of the change lies wholly
 * above (below) zero AND |change| > MDC95, with at least INS_DRIFT_MIN_STEPS
 * steps over at least INS_DRIFT_MIN_MINUTES. */
#define INS_DRIFT_BLOCK_STEPS 12     /* steps per block: a reliable in-shoe mean (Arts & Bus 2011) */
#define INS_DRIFT_MIN_BLOCKS 5       /* the line and its residual SD need k - 2 >= 3 degrees of freedom */
#define INS_DRIFT_MIN_STEPS (INS_DRIFT_BLOCK_STEPS * INS_DRIFT_MIN_BLOCKS)
#define INS_DRIFT_MIN_MINUTES 1.0    /* below a minute a trend is the first steps settling, not fatigue */

enum ins_drift_class {
	INS_DRIFT_TOO_FEW = 0,       /* too few steps to judge */
	INS_DRIFT_NO_CLEAR_CHANGE,
	INS_DRIFT_COLLAPSING,        /* the arch measure rises: more load under the arch */
	INS_DRIFT_RISING,            /* the arch measure falls */
	INS_DRIFT_NO_MEASURE         /* no step has the arch measure at all (raw sensor units) */
};
/* "too_few_steps", "no_clear_change", "collapsing", "rising", "no_arch_measure" */
const char *ins_drift_class_name(unsigned cls);
/* The decision in words, e.g. "the arch collapsed during the session". */
const char *ins_drift_headline(unsigned cls);

/* Streaming: embed, init, add each used step in time order, finish. */
struct ins_drift_acc {
	uint32_t steps;              /* values added */
	uint32_t in_block;           /* of the open block */
	double block_x, block_y;     /* sums over the open block */
	double first_min, last_min;  /* first and last step */
	double first_block_min, last_block_min; /* centres (mean time) of the first and last block */
	uint32_t k;                  /* complete blocks */
	double sx, sy, sxx, sxy, syy; /* over the block means */
	double y0;                   /* first value: step sums are taken about it (no cancellation) */
	double step_sx, step_sy, step_sxx, step_sxy, step_syy; /* over the steps */
};

struct ins_drift {
	uint8_t cls;                 /* enum ins_drift_class */
	uint8_t measure;             /* enum ins_arch_measure (analysis.h) */
	uint32_t steps;              /* steps used (n) */
	uint32_t steps_total;        /* all steps of the foot (N) */
	uint32_t blocks;
	double minutes;              /* first to last step used */
	double slope_per_min, slope_ci95[2];
	double change, change_ci95[2]; /* first to last block, measure units */
	double sem, mdc95;
	char reason[256];            /* why, in plain words: the change, its CI, the MDC, n of N */
};

void ins_drift_acc_init(struct ins_drift_acc *acc);
void ins_drift_acc_add(struct ins_drift_acc *acc, double minutes, double value);
void ins_drift_acc_finish(const struct ins_drift_acc *acc, uint32_t steps_total, unsigned measure,
			  struct ins_drift *out);
/* The foot has steps but none has the arch measure: not "too few steps",
 * which would send a clinician to record a longer walk that cannot help.
 * raw_units: no step has a force either (the recording is in uncalibrated
 * sensor units). */
void ins_drift_no_measure(struct ins_drift *d, int raw_units);
/* The same on arrays: minutes[i], values[i] of the n used steps in time order. */
void ins_drift_assess(const double *minutes, const double *values, size_t n, uint32_t steps_total,
		      unsigned measure, struct ins_drift *out);

/* ---- one metric, one foot, two sessions -----------------------------------
 * diff = other - base with its Welch 95 % CI (Welch-Satterthwaite df, t
 * quantile of that df); Hedges' g = diff / pooled SD x J, J the exact
 * small-sample correction; percent change with its CI (delta method on the
 * log of the ratio) only for RATIO metrics.  Called out (higher / lower) only
 * when both sides have INS_COMPARE_MIN_STEPS steps, the CI excludes zero and
 * |g| >= INS_COMPARE_MIN_G. */
#define INS_COMPARE_MIN_STEPS 30     /* per foot and session: reliable in-shoe comparisons (Melvin et al. 2014) */
#define INS_COMPARE_MIN_G 0.5        /* a moderate effect (Cohen 1988): half the step-to-step SD */

enum ins_diff_call {
	INS_DIFF_NO_CLEAR_CHANGE = 0,
	INS_DIFF_HIGHER,
	INS_DIFF_LOWER,
	INS_DIFF_TOO_FEW,            /* a side has fewer than INS_COMPARE_MIN_STEPS steps */
	INS_DIFF_NOT_COMPARED        /* a value is missing, or a category */
};
/* "no_clear_change", "higher", "lower", "too_few_steps", "not_compared" */
const char *ins_diff_call_name(unsigned call);
/* "negligible" (< 0.2), "small" (< 0.5), "moderate" (< 0.8), "large": Cohen 1988 */
const char *ins_effect_size_name(double g);

struct ins_mean_diff {
	uint8_t call;                /* enum ins_diff_call */
	uint32_t n_base, n_other;
	double diff, ci95[2], df;
	double g;                    /* Hedges' g (NaN: no spread to judge against) */
	double pct, pct_ci95[2];     /* NaN unless RATIO with both means positive */
	char reason[400];
};

void ins_compare_means(const struct ins_metric_stats *base, const struct ins_metric_stats *other,
		       unsigned metric, struct ins_mean_diff *out);

/* Conditions that confound a footwear comparison: walking faster or slower
 * changes pressures and timing by itself (Segal et al. 2004; Burnfield et al.
 * 2004), and a self-paced walker repeats cadence within 2-3 %, so a mean
 * cadence or stance time differing by more than this fraction means the
 * sessions were walked differently. */
#define INS_COMPARE_MAX_PACE_DIFF 0.05

/* The unit a metric's difference is written in: "kPa", "points" for
 * shares and other percentages (CPEI), "% of stance", "" for ratios. */
const char *ins_metric_diff_unit(unsigned metric);

/* Decimals that suit a unit's resolution in sentences ("ms" 0, "ratio" 3...). */
int ins_unit_digits(const char *unit);

#pragma GCC visibility pop

#endif
