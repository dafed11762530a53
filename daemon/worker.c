/* Feeding the analysis: every frame of the lane's queue goes to the
 * analysis, the live state and (while recording) the store, with the
 * requests the HTTP hooks hand over served between frames.  Whoever holds
 * the lane's feed lock feeds: at real time that is the device thread that
 * has just queued the frames (analyse_inline: no hand-off to another
 * thread, no wake-up per frame), which never waits for the lock and feeds
 * at most INLINE_BUDGET frames before it goes back to reading; the lane's
 * analysis thread takes whatever is left and serves requests while no
 * frame comes. */
#include <config.h>

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>

#include "daemon_priv.h"
#include "insoled/assert.h"
#include "insoled/log.h"

#define LOG_PREFIX "daemon"

/* How long the analysis thread waits for a frame before it looks at its
 * control flags again: short enough that stop and tare feel immediate. */
#define ANALYSIS_POLL_MS 100
/* Frames a device thread analyses in one go: a read at real time brings one
 * or two; more means a backlog (after a stall), which the analysis thread
 * takes over so that the device goes back to reading at once. */
#define INLINE_BUDGET 8
/* The window of the frame rate GET /api/lanes shows: long enough to be
 * steady at 50-200 Hz, short enough to show a stall within a second or two. */
#define RATE_WINDOW_US 1000000

/* The body-weight scale is folded into the curves, so a session records
 * it with its calibration and re-analysis applies it. */
static void copy_calibration(struct lane *ln)
{
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		if (ln->layout[foot])
			ins_analysis_calibration_scaled(ln->worker.ana, foot, ln->snapshot.calib[foot]);
}

static void serve_snapshot_request(struct lane *ln)
{
	pthread_mutex_lock(&ln->snapshot.lock);
	if (ln->snapshot.requested) {
		copy_calibration(ln);
		ln->snapshot.requested = 0;
		pthread_cond_broadcast(&ln->snapshot.cond);
	}
	pthread_mutex_unlock(&ln->snapshot.lock);
}

struct ins_analysis *daemon_new_analysis(const struct lane *ln, const struct ins_calib_curve *const calib[],
					 double body_weight_n, char *err, size_t errlen)
{
	struct ins_analysis_config ac = { .body_weight_n = body_weight_n };

	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		ac.layout[foot] = ln->layout[foot];
		ac.calib[foot] = calib ? calib[foot] : NULL;
	}
	return ins_analysis_new(&ac, err, errlen);
}

/* ---- body-weight scaling (analysis thread side) -------------------------- */

static void answer_scale_locked(struct lane *ln, const struct ins_bw_scale_result *res)
{
	ins_assert_locked(&ln->scale.lock);
	ln->scale.result = *res;
	ln->scale.state = SCALE_DONE;
	pthread_cond_broadcast(&ln->scale.cond);
}

static void refuse_scale_locked(struct lane *ln, unsigned foot, const char *why)
{
	struct ins_bw_scale_result res = { .foot = foot, .scale = NAN };

	snprintf(res.why, sizeof(res.why), "%s", why);
	answer_scale_locked(ln, &res);
}

/* A running measurement dies with its analysis (a session started). */
static void abort_scale_measurement(struct lane *ln, const char *why)
{
	if (!ln->scale.measuring)
		return;
	ln->scale.measuring = 0;
	pthread_mutex_lock(&ln->scale.lock);
	if (ln->scale.state == SCALE_MEASURING)
		refuse_scale_locked(ln, ln->scale.measuring_foot, why);
	else
		ln->scale.state = SCALE_IDLE;
	pthread_mutex_unlock(&ln->scale.lock);
}

/* Starts a requested measurement, or drops one its client gave up on. */
static void serve_scale_request(struct lane *ln)
{
	char why[256];

	pthread_mutex_lock(&ln->scale.lock);
	if (ln->scale.state == SCALE_REQUESTED) {
		if (ln->worker.active_session != NO_SESSION) {
			refuse_scale_locked(ln, ln->scale.foot, "a recording is running: scale before recording");
		} else if (ins_analysis_bw_scale_start(ln->worker.ana, ln->scale.foot, why, sizeof(why)) < 0) {
			refuse_scale_locked(ln, ln->scale.foot, why);
		} else {
			ln->scale.state = SCALE_MEASURING;
			ln->scale.measuring = 1;
			ln->scale.measuring_foot = ln->scale.foot;
		}
	} else if (ln->scale.state == SCALE_ABANDONED) {
		if (ln->scale.measuring)
			ins_analysis_bw_scale_cancel(ln->worker.ana, ln->scale.measuring_foot);
		ln->scale.measuring = 0;
		ln->scale.state = SCALE_IDLE;
	}
	pthread_mutex_unlock(&ln->scale.lock);
}

/* After each frame while measuring: applied only while its client waits. */
static void finish_scale_measurement(struct lane *ln)
{
	struct ins_bw_scale_result res;

	if (!ln->scale.measuring || !ins_analysis_bw_scale_result(ln->worker.ana, ln->scale.measuring_foot, &res))
		return;
	ln->scale.measuring = 0;
	pthread_mutex_lock(&ln->scale.lock);
	if (ln->scale.state == SCALE_MEASURING) {
		if (res.ok && ins_analysis_set_scale(ln->worker.ana, res.foot, res.scale) == 0)
			ins_info("%s%s foot scaled by %.4f: %.1f N measured for a body weight of %.1f N",
				 ln->log_prefix, ins_foot_name(res.foot), res.scale, res.measured_force_n, res.body_weight_n);
		answer_scale_locked(ln, &res);
	} else {
		ln->scale.state = SCALE_IDLE;
	}
	pthread_mutex_unlock(&ln->scale.lock);
}

/* Allocation happens here, at a session boundary, never per frame. */
static void follow_session_changes(struct lane *ln)
{
	int64_t session = atomic_load(&ln->control.recording);
	struct ins_analysis *fresh;
	char err[256];

	if (session == ln->worker.active_session)
		return;
	ln->worker.active_session = session;
	if (session == NO_SESSION)
		return;
	fresh = daemon_new_analysis(ln, (const struct ins_calib_curve *const *)ln->snapshot.calib,
				    ln->control.session_body_weight_n, err, sizeof(err));
	if (!fresh) {
		ins_err("%ssession %" PRId64 ": keeping the running analysis: %s", ln->log_prefix, session, err);
		return;
	}
	ins_analysis_free(ln->worker.ana);
	ln->worker.ana = fresh;
	abort_scale_measurement(ln, "a recording started during the measurement: stop it and measure again");
}

static void apply_control_requests(struct lane *ln)
{
	serve_snapshot_request(ln);
	follow_session_changes(ln);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		if (atomic_exchange(&ln->control.tare_request[foot], 0) && ln->layout[foot]) {
			ins_analysis_tare(ln->worker.ana, foot);
			if (ln->worker.active_session != NO_SESSION)
				ins_store_put_control(ln->d->store, ln->worker.active_session, INS_STORE_CONTROL_TARE, foot, 0);
			ins_info("%s%s foot tared", ln->log_prefix, ins_foot_name(foot));
		}
	}
	if (atomic_exchange(&ln->control.body_weight_changed, 0)) {
		ins_analysis_set_body_weight(ln->worker.ana, ln->control.body_weight_n);
		if (ln->worker.active_session != NO_SESSION)
			ins_store_put_control(ln->d->store, ln->worker.active_session, INS_STORE_CONTROL_BODY_WEIGHT, 0,
					      ln->control.body_weight_n);
	}
	serve_scale_request(ln);
}

/* Once per step, so the flags in /api/status are never older than the last
 * step and the hot path pays nothing per frame. */
static void publish_sensor_health(struct lane *ln, unsigned foot)
{
	pthread_mutex_lock(&ln->worker.health_lock);
	ins_analysis_sensor_flags(ln->worker.ana, foot, ln->worker.sensor_flags[foot]);
	if (ln->worker.mask_regions[foot])
		ins_analysis_mask_regions(ln->worker.ana, foot, ln->worker.mask_regions[foot]);
	pthread_mutex_unlock(&ln->worker.health_lock);
}

static void handle_frame(struct lane *ln, const struct ins_frame *frame)
{
	struct ins_frame_metrics m;
	struct ins_step step;

	/* The archive keeps every frame that arrived, even one the analysis
	 * rejects (a layout mismatch), so nothing recorded is lost. */
	if (ln->worker.active_session != NO_SESSION)
		ins_store_put_frame(ln->d->store, ln->worker.active_session, frame);
	if (ins_analysis_feed(ln->worker.ana, frame, &m) != 0) {
		atomic_fetch_add(&ln->worker.frames_rejected, 1);
		return;
	}
	atomic_fetch_add(&ln->worker.frames_analysed, 1);
	finish_scale_measurement(ln);
	ins_live_publish_frame(ln->live, &m, ins_analysis_last_kpa(ln->worker.ana, frame->foot));
	while (ins_analysis_next_step(ln->worker.ana, &step)) {
		atomic_fetch_add(&ln->worker.steps_detected, 1);
		publish_sensor_health(ln, step.foot);
		ins_live_publish_step(ln->live, &step);
		if (ln->worker.active_session != NO_SESSION)
			ins_store_put_step(ln->d->store, ln->worker.active_session, &step);
	}
}

/* After a reload the new devices' clocks start again: each foot's timeline
 * goes on from its last frame by the host time between the two, so the
 * analysis and a session being recorded see one steady timeline. */
static void continue_timeline(struct worker *w, struct ins_frame *f)
{
	unsigned foot = f->foot < INS_FOOT_COUNT ? f->foot : 0;

	if (w->rebase[foot] && w->last_host_us[foot]) {
		int64_t gap = f->host_us - w->last_host_us[foot];

		w->t_offset_us[foot] = w->last_t_us[foot] + (gap > 0 ? gap : 1) - f->t_us;
	}
	w->rebase[foot] = 0;
	f->t_us += w->t_offset_us[foot];
	w->last_t_us[foot] = f->t_us;
	w->last_host_us[foot] = f->host_us;
}

static void count_rate(struct worker *w, int64_t host_us)
{
	uint64_t frames = atomic_load(&w->frames_analysed) + atomic_load(&w->frames_rejected);

	if (w->rate_start_us == 0 || host_us < w->rate_start_us) {
		w->rate_start_us = host_us;
		w->rate_start_frames = frames;
	} else if (host_us - w->rate_start_us >= RATE_WINDOW_US) {
		atomic_store(&w->frames_per_s, (double)(frames - w->rate_start_frames) * 1e6 /
						       (double)(host_us - w->rate_start_us));
		w->rate_start_us = host_us;
		w->rate_start_frames = frames;
	}
}

/* Under the feed lock: control requests, then up to `budget` frames.
 * Returns the frames fed, or -1 once the queue is stopped and empty. */
static int feed_waiting(struct lane *ln, unsigned budget)
{
	struct ins_frame frame;
	int n = 0, rc;

	ins_assert_locked(&ln->worker.feed_lock);
	atomic_fetch_add(&ln->worker.heartbeat, 1);
	apply_control_requests(ln);
	while ((unsigned)n < budget) {
		rc = ins_acq_pop(ln->acq, &frame, 0);
		if (rc < 0)
			return -1;
		if (rc == 0)
			break;
		continue_timeline(&ln->worker, &frame);
		handle_frame(ln, &frame);
		count_rate(&ln->worker, frame.host_us);
		n++;
	}
	return n;
}

/* On a device thread that has just queued frames (ins_acq_set_consumer).
 * A frame queued by the other foot while this thread held the lock is seen
 * by the depth check after unlocking: the one who failed to take the lock
 * queued before it tried, and so before the unlock. */
static void analyse_inline(void *arg)
{
	struct lane *ln = arg;
	unsigned left = INLINE_BUDGET;

	while (left && ins_acq_depth(ln->acq) > 0 && pthread_mutex_trylock(&ln->worker.feed_lock) == 0) {
		int n = feed_waiting(ln, left);

		pthread_mutex_unlock(&ln->worker.feed_lock);
		if (n <= 0)
			return;
		left -= (unsigned)n;
	}
	if (!left && ins_acq_depth(ln->acq) > 0)
		ins_acq_kick(ln->acq);
}

void daemon_feed_inline(struct lane *ln)
{
	ins_acq_set_consumer(ln->acq, analyse_inline, ln);
}

void *daemon_analysis_main(void *arg)
{
	struct lane *ln = arg;
	int waiting, fed;

	do {
		waiting = ins_acq_wait(ln->acq, ANALYSIS_POLL_MS);
		pthread_mutex_lock(&ln->worker.feed_lock);
		fed = feed_waiting(ln, UINT_MAX);
		pthread_mutex_unlock(&ln->worker.feed_lock);
	} while (waiting >= 0 && fed >= 0);
	return NULL;
}
