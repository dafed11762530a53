/* Gait events of one foot from its total force: initial contact and
 * toe-off.  Module-internal to daemon/analysis (the engine owns one detector
 * per foot).  Works on any force-like signal, calibrated newtons or raw
 * uncalibrated units, because every threshold is relative to levels
 * estimated from the signal itself.  Method, constants and their reasons:
 * docs/analysis.md "Gait events".  Fixed-size state, no allocation. */
#ifndef INSOLED_EVENTS_H
#define INSOLED_EVENTS_H

#include <stdint.h>

/* History kept for back-tracking an onset and for the look-ahead after a
 * release: a power of two, 8192 samples = 27 s at 300 Hz, 8 s at 1 kHz,
 * far more than the longest window the detector looks at. */
#define INS_EV_HISTORY 8192u
/* Onset/end of a transition: 5 % of the way from the local unloaded level to
 * the stance level.  For a calibrated foot carrying ~700 N this is ~35 N,
 * the same as the 20-40 N force-plate thresholds in use, and it stays above
 * the noise of FSR insoles. */
#define INS_EV_ONSET_FRACTION 0.05

enum analysis_ev_state {
	INS_EV_LEARNING = 0, /* levels unknown or range below the floor */
	INS_EV_UNLOADED,     /* swing (or not yet seen loaded) */
	INS_EV_LOADED,       /* stance */
	INS_EV_RELEASING     /* fell below the release level: confirming toe-off */
};

/* One detected stance, reported when its toe-off is confirmed. */
struct analysis_ev_stance {
	int64_t contact_us;  /* initial contact (refined onset), or INT64_MIN when
			      * the stance began before the stream did, or the foot
			      * was not seen unloaded before it (no step) */
	int64_t toe_off_us;  /* refined end of unloading */
};

struct analysis_events {
	double min_range;    /* loaded - unloaded must exceed this to detect */
	int zero_is_unloaded; /* calibrated signal: 0 is the unloaded foot */
	int state;           /* enum analysis_ev_state */
	double lo, hi;       /* running unloaded / loaded level estimates */
	int levels_known;
	int bootstrap;       /* levels not yet confirmed by a counted stance:
			      * lo/hi follow the signal's extremes and every
			      * stance is judged at its toe-off (first_contact) */

	/* ring of recent samples */
	int64_t t[INS_EV_HISTORY];
	float x[INS_EV_HISTORY];
	uint64_t n;          /* samples ever pushed; newest at index (n - 1) */

	/* current phase */
	int64_t contact_us;      /* refined contact of the current stance */
	int contact_provisional; /* levels unconfirmed: judged again at toe-off */
	uint64_t stance_first;   /* sample index of the stance's first loaded sample */
	uint64_t last_loaded;    /* last sample above the contact level */
	uint64_t release_idx;    /* first sample below the release level */
	double stance_sum;       /* sum and count of samples in stance, for its level */
	uint64_t stance_count;
	double swing_min;        /* lowest sample of the current swing */
	int64_t phase_start_us;  /* last event (or learning start): for re-learning */
	int64_t last_toe_off_us;
};

/* zero_is_unloaded: the signal is calibrated force, so an unloaded foot
 * reads near 0 (raw units have an unknown, drifting baseline instead). */
void analysis_events_init(struct analysis_events *ev, double min_range, int zero_is_unloaded);

/* Feed one sample (time must not go backwards: such samples are ignored and
 * the function returns -1).  Returns a mask of INS_EVENT_CONTACT (a contact
 * was detected at this sample: *contact_us holds its refined time) and
 * INS_EVENT_TOE_OFF (a stance ended: *stance holds it); 0 otherwise. */
int analysis_events_feed(struct analysis_events *ev, int64_t t_us, float x, int64_t *contact_us,
		    struct analysis_ev_stance *stance);

/* 1 while the detector considers the foot loaded (stance or confirming
 * toe-off).  Inline, as the next one: asked two or three times a frame. */
static inline int analysis_events_in_stance(const struct analysis_events *ev)
{
	return ev->state == INS_EV_LOADED || ev->state == INS_EV_RELEASING;
}

/* 1 when sample x (the last fed) finds the foot in a swing of confirmed
 * levels, at its floor (not yet loading): the sensors read only noise. */
static inline int analysis_events_at_floor(const struct analysis_events *ev, float x)
{
	return !ev->bootstrap && ev->state == INS_EV_UNLOADED &&
	       x <= ev->lo + INS_EV_ONSET_FRACTION * (ev->hi - ev->lo);
}

#endif
