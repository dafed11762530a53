/* Gait events from one foot's total force (see events.h, docs/analysis.md).
 *
 * Two stages.  Segmentation: hysteresis on levels estimated from the signal
 * itself (loaded "hi" = running mean stance level, unloaded "lo" = running
 * swing floor), so raw uncalibrated signals and drifting baselines work.
 * Timing: the segmentation crossings sit mid-slope, so each event is then
 * moved to where the transition leaves (contact) or reaches (toe-off) the
 * LOCAL unloaded level: a small fraction of the way from that level to the
 * stance level, searched backwards from the contact crossing and forwards
 * from the last loaded sample (on raw footswitches the toe-off is earlier
 * where the fall stops above that level).  The local level is measured
 * around each event, which is what makes the timing immune to baseline
 * drift and to the slow relaxation FSRs show after unloading. */
#include <config.h>

#include <math.h>
#include <string.h>

#include "insoled/analysis.h"
#include "events.h"

/* End of a transition: as its onset (INS_EV_ONSET_FRACTION, events.h). */
#define EV_END_FRACTION 0.05
/* Raw footswitches end stance lower, 2.5 % of the way: their unloading
 * often ends in a slow creep to the floor, and the published footswitch
 * timings put toe-off 2-4 % above the floor where the fall runs smoothly
 * into it (gaitndd feet with a flat floor); where the fall stops before
 * that (a rebound or a plateau), stance ends at the fall's end (see
 * fall_end). */
#define EV_END_FRACTION_RAW 0.025
/* The swing noise that a rebound must exceed is measured on the last part
 * of the swing before the contact: from 150 ms to 50 ms before it, clear
 * of the loading and (at any walking swing of 250 ms or more) mostly of
 * the previous toe-off's tail. */
#define EV_NOISE_FROM_US 150000
#define EV_NOISE_TO_US 50000
/* On calibrated insoles the onset and end levels are also capped at 40 N
 * above the floor: the highest force-plate contact threshold in use (20-40 N;
 * 40 N in Blades et al. 2023), so a heavy subject or a runner (1,500 N
 * stance level) is not timed at 75 N, well into the loading. */
#define EV_ONSET_MAX_N 40.0
/* Raw footswitches: the contact is not earlier than the knee of the loading
 * rise, where the rise rate (over EV_SLOPE_SPAN_US) first reaches this
 * fraction of its steepest.  A slow rise before it is the swing baseline
 * creeping up (crosstalk, sensor drift), which an uncalibrated signal
 * cannot tell from load. */
#define EV_RISE_KNEE_FRACTION 0.2
/* How far back a calibrated contact looks for the swing floor: the longest
 * swing there is (slowest pathological strides, 5.7 s, minus their stance)
 * is shorter than this; the ring bounds it too. */
#define EV_SWING_LOOKBACK_US 5000000
#define EV_SLOPE_SPAN_US 10000
/* Segmentation hysteresis, as fractions of (hi - lo): loaded above half the
 * stance level, unloaded below a quarter.  The valley of a walking force
 * curve (60-80 % of the peaks) stays well inside stance; deeper pathological
 * mid-stance dips are caught by the reload check below; a swing floor that
 * jumps by up to a fifth of the range between two steps still releases. */
#define EV_CONTACT_FRACTION 0.50
#define EV_RELEASE_FRACTION 0.25
/* The unloaded level after a release is the lowest value within 100 ms of
 * the release crossing: long enough to reach the floor after a toe-off,
 * short enough to exclude the slow sensor relaxation that follows it and to
 * follow baseline drift. */
#define EV_WINDOW_US 100000
/* A toe-off is confirmed only once the foot has stayed released this long:
 * reloading sooner is a mid-stance dip or a bouncing contact, not a swing
 * (the shortest physiological swing is far longer: ~250 ms in sprinting,
 * >= 130 ms in the shortest pathological strides).  This is the lock-out
 * against double triggers.  The first stance after learning likewise needs
 * the foot seen unloaded this long before it. */
#define EV_CONFIRM_US INS_EVENT_CONFIRM_US
/* Contact onset: the floor is the lowest value in the 150 ms before the
 * contact crossing: covers the slowest heel loading (~100 ms from floor to
 * half load) while excluding the undershoot some FSRs show just after the
 * previous toe-off and older baseline drift. */
#define EV_BASE_LOOKBACK_US 150000
/* Stances shorter than 80 ms are artefacts (knocks, cable tugs): even
 * sprinting stance lasts ~100 ms. */
#define EV_MIN_STANCE_US 80000
/* Level estimates follow each step with this weight: a few steps to adapt to
 * a new speed or shoe, not thrown by one odd step. */
#define EV_LEVEL_ALPHA 0.25
/* No event for this long: the levels may be wrong (recalibration, sensor
 * change, the subject sat down), so they are learned again from the signal. */
#define EV_RELEARN_US 3000000
#define EV_RELEARN_CYCLES 2

static inline uint64_t ring_idx(uint64_t i)
{
	return i & (INS_EV_HISTORY - 1);
}

static inline float xat(const struct analysis_events *ev, uint64_t i)
{
	return ev->x[ring_idx(i)];
}

static inline int64_t tat(const struct analysis_events *ev, uint64_t i)
{
	return ev->t[ring_idx(i)];
}

static inline uint64_t oldest(const struct analysis_events *ev)
{
	return ev->n > INS_EV_HISTORY ? ev->n - INS_EV_HISTORY : 0;
}

static double contact_level(const struct analysis_events *ev)
{
	return ev->lo + EV_CONTACT_FRACTION * (ev->hi - ev->lo);
}

static double release_level(const struct analysis_events *ev)
{
	return ev->lo + EV_RELEASE_FRACTION * (ev->hi - ev->lo);
}

void analysis_events_init(struct analysis_events *ev, double min_range, int zero_is_unloaded)
{
	memset(ev, 0, sizeof(*ev));
	ev->min_range = min_range > 0 ? min_range : 0;
	ev->zero_is_unloaded = zero_is_unloaded != 0;
	ev->state = INS_EV_LEARNING;
	ev->bootstrap = 1;
	ev->lo = INFINITY;   /* learning: running min */
	ev->hi = -INFINITY;  /* learning: running max */
	ev->contact_us = INT64_MIN;
	ev->last_toe_off_us = INT64_MIN;
	ev->phase_start_us = INT64_MIN;
}

/* When the signal crossed thr between samples a and b (linear
 * interpolation): at 100 Hz a sample is 10 ms, too coarse to round to. */
static int64_t crossing_time(const struct analysis_events *ev, uint64_t a, uint64_t b, double thr)
{
	double xa = xat(ev, a), xb = xat(ev, b);
	int64_t ta = tat(ev, a), tb = tat(ev, b);

	if (xa == xb)
		return tb;
	double f = (thr - xa) / (xb - xa);
	if (f < 0)
		f = 0;
	if (f > 1)
		f = 1;
	return ta + (int64_t)llround(f * (double)(tb - ta));
}

/* Offset of the onset/end level above a floor: a fraction of the way to the
 * stance level, capped at EV_ONSET_MAX_N on calibrated signals. */
static double onset_offset(const struct analysis_events *ev, double level, double base, double fraction)
{
	double off = fraction * (level - base);

	return ev->zero_is_unloaded && off > EV_ONSET_MAX_N ? EV_ONSET_MAX_N : off;
}

/* The unloaded level before a loading crossing at sample i.  Raw signals:
 * the lowest value in the EV_BASE_LOOKBACK_US before it (their baseline
 * drifts and undershoots after a toe-off).  Calibrated signals: the lowest
 * value since the previous toe-off, because a slow heel loading can take
 * longer than the lookback and the floor would then be part of the load;
 * zero is the unloaded foot there, so the floor does not wander. */
static double contact_floor(const struct analysis_events *ev, uint64_t i)
{
	uint64_t first = oldest(ev), j;
	int64_t t_i = tat(ev, i);
	int64_t span = ev->zero_is_unloaded ? EV_SWING_LOOKBACK_US : EV_BASE_LOOKBACK_US;
	double base = xat(ev, i);

	for (j = i; j > first && tat(ev, j - 1) >= t_i - span; j--) {
		if (ev->last_toe_off_us != INT64_MIN && tat(ev, j - 1) < ev->last_toe_off_us)
			break;
		if (xat(ev, j - 1) < base)
			base = xat(ev, j - 1);
	}
	return base;
}

static double slope_at(const struct analysis_events *ev, uint64_t k, uint64_t newest);

/* Knee of the loading rise that crosses the contact level at sample i: from
 * the steepest rise between the onset sample `from` and a few samples past
 * i, back while the rise rate stays above EV_RISE_KNEE_FRACTION of it. */
static int64_t loading_knee(const struct analysis_events *ev, uint64_t from, uint64_t i)
{
	uint64_t first = oldest(ev), end = i + 3 < ev->n ? i + 3 : ev->n - 1, k, at = i;
	double steepest = 0;

	for (k = from; k < end; k++) {
		double s = slope_at(ev, k, end);
		if (s > steepest) {
			steepest = s;
			at = k;
		}
	}
	for (k = at; k > first && k > from && slope_at(ev, k - 1, end) > EV_RISE_KNEE_FRACTION * steepest; k--)
		;
	return tat(ev, k);
}

/* Refined contact for a crossing at sample i: back-track to the first
 * sample above the onset level; on raw signals no earlier than the knee of
 * the loading rise.  INT64_MIN when the history runs out first (the stance
 * began before we could see it). */
static int64_t refine_contact(const struct analysis_events *ev, uint64_t i, double level, double *base_out)
{
	uint64_t first = oldest(ev);
	double base = contact_floor(ev, i);
	double thr = base + onset_offset(ev, level, base, INS_EV_ONSET_FRACTION);
	int64_t c, knee;
	uint64_t j;

	*base_out = base;
	/* Against a stance level learned later the crossing sample can still be
	 * below the onset level: start from the first sample above it. */
	while (i + 1 < ev->n && xat(ev, i) <= thr)
		i++;
	for (j = i; j > first && xat(ev, j - 1) > thr; j--)
		;
	if (j == first && xat(ev, first) > thr)
		return INT64_MIN;
	c = crossing_time(ev, j - 1, j, thr);
	if (ev->zero_is_unloaded)
		return c;
	knee = loading_knee(ev, j - 1, i);
	return knee > c ? knee : c;
}

/* Fall rate from sample k over at least EV_SLOPE_SPAN_US (or to the newest
 * sample): one sample at 100 Hz, three at 300 Hz, so sample noise does not
 * decide where a fall ends. */
static uint64_t span_end(const struct analysis_events *ev, uint64_t k, uint64_t newest)
{
	uint64_t e = k + 1;

	while (e < newest && tat(ev, e) - tat(ev, k) < EV_SLOPE_SPAN_US)
		e++;
	return e;
}

static double slope_at(const struct analysis_events *ev, uint64_t k, uint64_t newest)
{
	uint64_t e = span_end(ev, k, newest);
	int64_t dt = tat(ev, e) - tat(ev, k);

	return dt > 0 ? (xat(ev, e) - xat(ev, k)) / (double)dt : 0.0;
}

/* Sample of the steepest fall after the last loaded sample (fall rate over
 * EV_SLOPE_SPAN_US); *rate gets that rate (0 when nothing falls). */
static uint64_t steepest_fall(const struct analysis_events *ev, uint64_t newest, double *rate)
{
	uint64_t k, at = ev->last_loaded;

	*rate = 0;
	for (k = ev->last_loaded; k < newest; k++) {
		double s = slope_at(ev, k, newest);
		if (s < *rate) {
			*rate = s;
			at = k;
		}
	}
	return at;
}

/* End of the steep part of the unloading: where the tangent at the steepest
 * fall after the last loaded sample reaches the floor `base`.  Unlike the
 * first sample whose fall rate drops below a fraction of the steepest, this
 * varies continuously with the signal: with a fall rate hovering near such a
 * threshold, rounding alone moved that knee by 130 ms. */
static int64_t unloading_knee(const struct analysis_events *ev, uint64_t newest, double base)
{
	double steepest;
	uint64_t at = steepest_fall(ev, newest, &steepest);
	int64_t t;

	if (steepest >= 0 || xat(ev, at) <= base)
		return tat(ev, at);
	t = tat(ev, at) + (int64_t)llround((base - xat(ev, at)) / steepest);
	return t < tat(ev, newest) ? t : tat(ev, newest);
}

/* Sample-to-sample noise of the swing before the current stance's contact:
 * the mean absolute difference over EV_NOISE_FROM_US to EV_NOISE_TO_US
 * before it (0 when that part is not in the history). */
static double swing_noise(const struct analysis_events *ev)
{
	uint64_t first = oldest(ev), j = ev->stance_first;
	double sum = 0;
	unsigned n = 0;

	if (ev->contact_us == INT64_MIN)
		return 0;
	for (; j > first + 1 && tat(ev, j - 1) >= ev->contact_us - EV_NOISE_FROM_US; j--) {
		if (tat(ev, j - 1) > ev->contact_us - EV_NOISE_TO_US)
			continue;
		sum += fabs((double)xat(ev, j - 1) - (double)xat(ev, j - 2));
		n++;
	}
	return n ? sum / n : 0;
}

/* Where the unloading of a raw footswitch stops: after the steepest fall,
 * below the release level, the first instant the signal rises again over
 * EV_SLOPE_SPAN_US by more than the swing noise (a rebound, or the end of
 * a plateau).  The foot is off the ground by then: what follows is the
 * sensor relaxing, not load.  Timed where that rise crosses the noise,
 * interpolated between samples so it moves continuously with the signal.
 * INT64_MAX when the fall runs smoothly into the floor. */
static int64_t fall_end(const struct analysis_events *ev, uint64_t newest, double base, double stance_level)
{
	double steepest, noise = swing_noise(ev), prev;
	double cap = base + EV_RELEASE_FRACTION * (stance_level - base);
	uint64_t k = steepest_fall(ev, newest, &steepest);

	prev = xat(ev, span_end(ev, k, newest)) - xat(ev, k) - noise;
	for (k++; span_end(ev, k, newest) < newest; k++) {
		double rise = xat(ev, span_end(ev, k, newest)) - xat(ev, k) - noise;
		if (rise > 0 && xat(ev, k) < cap) {
			double f = prev < 0 ? prev / (prev - rise) : 1.0;
			return tat(ev, k - 1) + (int64_t)llround(f * (double)(tat(ev, k) - tat(ev, k - 1)));
		}
		prev = rise;
	}
	return INT64_MAX;
}

/* Refined toe-off: the return to the end level above the floor found just
 * after the release.  On calibrated insoles (EV_END_FRACTION, capped at
 * 40 N), midway between that and the knee of the unloading: their toe
 * sensors keep a light load for a few tens of ms after the foot has pushed
 * off, which makes the level alone late (the Moticon report's toe-offs lie
 * where the force is back at 80-130 N, near the knee).  A raw footswitch is
 * a single sensor under the heel and midfoot: no toes to linger; its
 * unloading ends either in a slow creep to the floor, which the published
 * footswitch timings count as stance down to a low level
 * (EV_END_FRACTION_RAW), or in a rebound or plateau above that level, where
 * they end stance at the fall's end (fall_end): the earlier of the two. */
static int64_t refine_toe_off(const struct analysis_events *ev, uint64_t newest, double stance_level,
			      double *base_out)
{
	double base = xat(ev, ev->release_idx);
	double thr;
	uint64_t j;
	int64_t level_t, end_t;

	for (j = ev->release_idx; j <= newest; j++)
		if (xat(ev, j) < base)
			base = xat(ev, j);
	*base_out = base;
	thr = base + onset_offset(ev, stance_level, base,
				  ev->zero_is_unloaded ? EV_END_FRACTION : EV_END_FRACTION_RAW);
	for (j = ev->last_loaded; j < newest && xat(ev, j) > thr; j++)
		;
	level_t = j > ev->last_loaded ? crossing_time(ev, j - 1, j, thr) : tat(ev, j);
	if (ev->zero_is_unloaded)
		return level_t + (unloading_knee(ev, newest, base) - level_t) / 2;
	end_t = fall_end(ev, newest, base, stance_level);
	return end_t < level_t ? end_t : level_t;
}

static void start_stance(struct analysis_events *ev, uint64_t i, int64_t contact_us)
{
	ev->state = INS_EV_LOADED;
	ev->contact_us = contact_us;
	/* Until a stance has been counted the levels are unconfirmed: the
	 * stance is judged again at its toe-off (first_contact). */
	ev->contact_provisional = ev->bootstrap;
	ev->stance_first = i;
	ev->last_loaded = i;
	ev->stance_sum = 0;
	ev->stance_count = 0;
	ev->phase_start_us = tat(ev, i);
}

static void start_swing(struct analysis_events *ev, int64_t t_us, float x)
{
	ev->state = INS_EV_UNLOADED;
	ev->swing_min = x;
	ev->phase_start_us = t_us;
}

/* Learning: running extremes until they span more than min_range; then the
 * current sample says which phase we are in. */
static int learn(struct analysis_events *ev, uint64_t i, int64_t t_us, float x, int64_t *contact_us)
{
	double base;

	if (ev->phase_start_us == INT64_MIN || t_us - ev->phase_start_us > EV_RELEARN_US) {
		/* Forget old extremes so a one-off knock does not fix the levels. */
		ev->lo = x;
		ev->hi = x;
		ev->phase_start_us = t_us;
	}
	if (x < ev->lo)
		ev->lo = x;
	if (x > ev->hi)
		ev->hi = x;
	if (!(ev->hi - ev->lo > ev->min_range))
		return 0;
	ev->levels_known = 1;
	if (x < contact_level(ev)) {
		start_swing(ev, t_us, x);
		return 0;
	}
	/* The stance level is not known yet: the onset is found again at the
	 * toe-off (see first_contact). */
	start_stance(ev, i, refine_contact(ev, i, ev->hi, &base));
	if (ev->contact_us == INT64_MIN)
		return 0;
	*contact_us = ev->contact_us;
	return INS_EVENT_CONTACT;
}

/* A stance before the levels are confirmed (the stream's first, or any
 * while only weight shifts have been seen), judged at its toe-off: its
 * onset against its own stance level, and it counts only if the foot was
 * seen UNLOADED for EV_CONFIRM_US before it.  Unloaded is measured against
 * levels a stream that starts mid-stance cannot fake, never against the
 * lowest value before the contact (the mid-stance valley, or the low point
 * of a weight shift, when the stream began there):
 * - below the release level above the floor the foot fell to after this
 *   stance's toe-off (`floor`), which a real swing reaches again;
 * - on calibrated signals, also below the contact fraction of the stance
 *   level measured from zero: a foot still carrying half its stance load is
 *   standing, not swinging, whatever the levels say (the margin tolerates an
 *   untared offset or the positive noise of a dense grid).
 * Otherwise the contact time is unknown and the stance gives no step. */
static int64_t first_contact(const struct analysis_events *ev, double stance_level, double floor)
{
	uint64_t first = oldest(ev), j = ev->stance_first;
	double base, release, loading = floor + EV_CONTACT_FRACTION * (stance_level - floor);
	int64_t c;

	if (j < first)
		return INT64_MIN;
	/* The loading crossing against this stance's own levels: levels learned
	 * from noise can have started the stance on a ripple before it. */
	while (j + 1 < ev->n && xat(ev, j) < loading)
		j++;
	c = refine_contact(ev, j, stance_level, &base);
	if (c == INT64_MIN || tat(ev, first) > c - EV_CONFIRM_US)
		return INT64_MIN;
	release = floor + EV_RELEASE_FRACTION * (stance_level - floor);
	if (ev->zero_is_unloaded && EV_CONTACT_FRACTION * stance_level < release)
		release = EV_CONTACT_FRACTION * stance_level;
	for (; j > first && tat(ev, j - 1) >= c - EV_CONFIRM_US; j--)
		if (tat(ev, j - 1) < c && xat(ev, j - 1) > release)
			return INT64_MIN;
	return c;
}

/* Levels look wrong when there has been no event for EV_RELEARN_US while
 * the signal keeps going up and down by more than the floor (at least
 * EV_RELEARN_CYCLES times across its mid-range): learn them again from the
 * recent history.  A single change of level (walking -> standing, sitting
 * down) is not gait and keeps the levels. */
static void relearn(struct analysis_events *ev, int64_t t_us)
{
	uint64_t first = oldest(ev), j;
	double mn = INFINITY, mx = -INFINITY, sum = 0, mid;
	uint64_t cnt = 0;
	unsigned crossings = 0;
	int above = -1;

	ev->phase_start_us = t_us;
	for (j = ev->n; j > first && tat(ev, j - 1) >= t_us - EV_RELEARN_US; j--) {
		float v = xat(ev, j - 1);
		mn = v < mn ? v : mn;
		mx = v > mx ? v : mx;
	}
	if (!(mx - mn > ev->min_range))
		return;
	mid = 0.5 * (mn + mx);
	for (; j < ev->n; j++) {
		float v = xat(ev, j);
		int now = v > mid;
		crossings += above >= 0 && now != above;
		above = now;
		if (now) {
			sum += v;
			cnt++;
		}
	}
	if (crossings < 2 * EV_RELEARN_CYCLES)
		return;
	ev->lo = mn;
	ev->hi = cnt ? sum / (double)cnt : mx;
}

static int on_unloaded(struct analysis_events *ev, uint64_t i, int64_t t_us, float x, int64_t *contact_us)
{
	double base;
	int64_t c;

	if (x < ev->swing_min)
		ev->swing_min = x;
	if (x <= contact_level(ev)) {
		if (t_us - ev->phase_start_us > EV_RELEARN_US)
			relearn(ev, t_us);
		return 0;
	}
	c = refine_contact(ev, i, ev->hi, &base);
	if (!ev->bootstrap)
		ev->lo += EV_LEVEL_ALPHA * (base - ev->lo);
	start_stance(ev, i, c);
	if (c == INT64_MIN)
		return 0;
	*contact_us = c;
	return INS_EVENT_CONTACT;
}

static void on_loaded(struct analysis_events *ev, uint64_t i, int64_t t_us, float x)
{
	if (x < release_level(ev)) {
		ev->state = INS_EV_RELEASING;
		ev->release_idx = i;
		return;
	}
	ev->stance_sum += x;
	ev->stance_count++;
	if (x > contact_level(ev))
		ev->last_loaded = i;
	if (t_us - ev->phase_start_us > EV_RELEARN_US) {
		/* Long stance: standing, or levels gone stale (see relearn). */
		relearn(ev, t_us);
	}
}

static int on_releasing(struct analysis_events *ev, uint64_t i, int64_t t_us, float x,
			struct analysis_ev_stance *stance)
{
	double stance_level, base;
	int64_t toe_off;
	int counted;

	if (x > contact_level(ev)) {
		/* Reloaded within the confirmation window: a mid-stance dip. */
		ev->state = INS_EV_LOADED;
		on_loaded(ev, i, t_us, x);
		return 0;
	}
	if (t_us - tat(ev, ev->release_idx) < EV_CONFIRM_US)
		return 0;
	stance_level = ev->stance_count ? ev->stance_sum / (double)ev->stance_count : ev->hi;
	toe_off = refine_toe_off(ev, i, stance_level, &base);
	if (ev->contact_provisional) {
		ev->contact_us = first_contact(ev, stance_level, base);
		ev->contact_provisional = 0;
	}
	counted = ev->contact_us != INT64_MIN && toe_off - ev->contact_us >= EV_MIN_STANCE_US;
	if (!ev->bootstrap) {
		ev->hi += EV_LEVEL_ALPHA * (stance_level - ev->hi);
	} else if (counted) {
		/* A whole stance between two unloaded floors: the levels are
		 * its own from now on. */
		ev->bootstrap = 0;
		ev->lo = base;
		ev->hi = stance_level;
	}
	start_swing(ev, t_us, x);
	ev->swing_min = base;
	ev->last_toe_off_us = toe_off;
	if (ev->contact_us == INT64_MIN || counted) {
		stance->contact_us = ev->contact_us;
		stance->toe_off_us = toe_off;
		return INS_EVENT_TOE_OFF;
	}
	return 0;
}

int analysis_events_feed(struct analysis_events *ev, int64_t t_us, float x, int64_t *contact_us,
		    struct analysis_ev_stance *stance)
{
	uint64_t i;

	if (ev->n > 0 && t_us < tat(ev, ev->n - 1))
		return -1;
	if (!isfinite(x))
		x = ev->n > 0 ? xat(ev, ev->n - 1) : 0.0f;
	i = ev->n++;
	ev->t[ring_idx(i)] = t_us;
	ev->x[ring_idx(i)] = x;
	if (ev->bootstrap && ev->levels_known) {
		/* Unconfirmed levels follow the extremes seen so far, so a stream
		 * that began mid-stance gets its true floor at the first swing
		 * instead of keeping the valley as its unloaded level (which
		 * would take the next valley for a toe-off). */
		if (x < ev->lo)
			ev->lo = x;
		if (x > ev->hi)
			ev->hi = x;
	}

	switch (ev->state) {
	case INS_EV_LEARNING:
		return learn(ev, i, t_us, x, contact_us);
	case INS_EV_UNLOADED:
		return on_unloaded(ev, i, t_us, x, contact_us);
	case INS_EV_LOADED:
		on_loaded(ev, i, t_us, x);
		return 0;
	case INS_EV_RELEASING:
		return on_releasing(ev, i, t_us, x, stance);
	default:
		analysis_events_init(ev, ev->min_range, ev->zero_is_unloaded);
		return 0;
	}
}
