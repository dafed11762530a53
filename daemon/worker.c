/* The analysis thread: the only consumer of the frame queue and the only
 * reader of the analysis.  It feeds every frame to the analysis, the live
 * state and (while recording) the store, and serves the requests the HTTP
 * hooks hand over between frames. */
#include <config.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "daemon_priv.h"
#include "insoled/assert.h"
#include "insoled/log.h"

#define LOG_PREFIX "daemon"

/* How long the analysis thread waits for a frame before it looks at its
 * control flags again: short enough that stop and tare feel immediate. */
#define ANALYSIS_POLL_MS 100

/* The body-weight scale is folded into the curves, so a session records
 * it with its calibration and re-analysis applies it. */
static void copy_calibration(struct daemon *d)
{
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		if (d->layout[foot])
			ins_analysis_calibration_scaled(d->worker.ana, foot, d->snapshot.calib[foot]);
}

static void serve_snapshot_request(struct daemon *d)
{
	pthread_mutex_lock(&d->snapshot.lock);
	if (d->snapshot.requested) {
		copy_calibration(d);
		d->snapshot.requested = 0;
		pthread_cond_broadcast(&d->snapshot.cond);
	}
	pthread_mutex_unlock(&d->snapshot.lock);
}

struct ins_analysis *daemon_new_analysis(const struct daemon *d, const struct ins_calib_curve *const calib[],
					 double body_weight_n, char *err, size_t errlen)
{
	struct ins_analysis_config ac = { .body_weight_n = body_weight_n };

	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		ac.layout[foot] = d->layout[foot];
		ac.calib[foot] = calib ? calib[foot] : NULL;
	}
	return ins_analysis_new(&ac, err, errlen);
}

/* ---- body-weight scaling (analysis thread side) -------------------------- */

static void answer_scale_locked(struct daemon *d, const struct ins_bw_scale_result *res)
{
	ins_assert_locked(&d->scale.lock);
	d->scale.result = *res;
	d->scale.state = SCALE_DONE;
	pthread_cond_broadcast(&d->scale.cond);
}

static void refuse_scale_locked(struct daemon *d, unsigned foot, const char *why)
{
	struct ins_bw_scale_result res = { .foot = foot, .scale = NAN };

	snprintf(res.why, sizeof(res.why), "%s", why);
	answer_scale_locked(d, &res);
}

/* A running measurement dies with its analysis (a session started). */
static void abort_scale_measurement(struct daemon *d, const char *why)
{
	if (!d->scale.measuring)
		return;
	d->scale.measuring = 0;
	pthread_mutex_lock(&d->scale.lock);
	if (d->scale.state == SCALE_MEASURING)
		refuse_scale_locked(d, d->scale.measuring_foot, why);
	else
		d->scale.state = SCALE_IDLE;
	pthread_mutex_unlock(&d->scale.lock);
}

/* Starts a requested measurement, or drops one its client gave up on. */
static void serve_scale_request(struct daemon *d)
{
	char why[256];

	pthread_mutex_lock(&d->scale.lock);
	if (d->scale.state == SCALE_REQUESTED) {
		if (d->worker.active_session != NO_SESSION) {
			refuse_scale_locked(d, d->scale.foot, "a recording is running: scale before recording");
		} else if (ins_analysis_bw_scale_start(d->worker.ana, d->scale.foot, why, sizeof(why)) < 0) {
			refuse_scale_locked(d, d->scale.foot, why);
		} else {
			d->scale.state = SCALE_MEASURING;
			d->scale.measuring = 1;
			d->scale.measuring_foot = d->scale.foot;
		}
	} else if (d->scale.state == SCALE_ABANDONED) {
		if (d->scale.measuring)
			ins_analysis_bw_scale_cancel(d->worker.ana, d->scale.measuring_foot);
		d->scale.measuring = 0;
		d->scale.state = SCALE_IDLE;
	}
	pthread_mutex_unlock(&d->scale.lock);
}

/* After each frame while measuring: applied only while its client waits. */
static void finish_scale_measurement(struct daemon *d)
{
	struct ins_bw_scale_result res;

	if (!d->scale.measuring || !ins_analysis_bw_scale_result(d->worker.ana, d->scale.measuring_foot, &res))
		return;
	d->scale.measuring = 0;
	pthread_mutex_lock(&d->scale.lock);
	if (d->scale.state == SCALE_MEASURING) {
		if (res.ok && ins_analysis_set_scale(d->worker.ana, res.foot, res.scale) == 0)
			ins_info("%s foot scaled by %.4f: %.1f N measured for a body weight of %.1f N",
				 ins_foot_name(res.foot), res.scale, res.measured_force_n, res.body_weight_n);
		answer_scale_locked(d, &res);
	} else {
		d->scale.state = SCALE_IDLE;
	}
	pthread_mutex_unlock(&d->scale.lock);
}

/* Allocation happens here, at a session boundary, never per frame. */
static void follow_session_changes(struct daemon *d)
{
	int64_t session = atomic_load(&d->control.recording);
	struct ins_analysis *fresh;
	char err[256];

	if (session == d->worker.active_session)
		return;
	d->worker.active_session = session;
	if (session == NO_SESSION)
		return;
	fresh = daemon_new_analysis(d, (const struct ins_calib_curve *const *)d->snapshot.calib,
				    d->control.session_body_weight_n, err, sizeof(err));
	if (!fresh) {
		ins_err("session %" PRId64 ": keeping the running analysis: %s", session, err);
		return;
	}
	ins_analysis_free(d->worker.ana);
	d->worker.ana = fresh;
	abort_scale_measurement(d, "a recording started during the measurement: stop it and measure again");
}

static void apply_control_requests(struct daemon *d)
{
	serve_snapshot_request(d);
	follow_session_changes(d);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		if (atomic_exchange(&d->control.tare_request[foot], 0) && d->layout[foot]) {
			ins_analysis_tare(d->worker.ana, foot);
			if (d->worker.active_session != NO_SESSION)
				ins_store_put_control(d->store, d->worker.active_session, INS_STORE_CONTROL_TARE, foot, 0);
			ins_info("%s foot tared", ins_foot_name(foot));
		}
	}
	if (atomic_exchange(&d->control.body_weight_changed, 0)) {
		ins_analysis_set_body_weight(d->worker.ana, d->control.body_weight_n);
		if (d->worker.active_session != NO_SESSION)
			ins_store_put_control(d->store, d->worker.active_session, INS_STORE_CONTROL_BODY_WEIGHT, 0,
					      d->control.body_weight_n);
	}
	serve_scale_request(d);
}

/* Once per step, so the flags in /api/status are never older than the last
 * step and the hot path pays nothing per frame. */
static void publish_sensor_health(struct daemon *d, unsigned foot)
{
	pthread_mutex_lock(&d->worker.health_lock);
	ins_analysis_sensor_flags(d->worker.ana, foot, d->worker.sensor_flags[foot]);
	if (d->worker.mask_regions[foot])
		ins_analysis_mask_regions(d->worker.ana, foot, d->worker.mask_regions[foot]);
	pthread_mutex_unlock(&d->worker.health_lock);
}

static void handle_frame(struct daemon *d, const struct ins_frame *frame)
{
	struct ins_frame_metrics m;
	struct ins_step step;

	/* The archive keeps every frame that arrived, even one the analysis
	 * rejects (a layout mismatch), so nothing recorded is lost. */
	if (d->worker.active_session != NO_SESSION)
		ins_store_put_frame(d->store, d->worker.active_session, frame);
	if (ins_analysis_feed(d->worker.ana, frame, &m) != 0) {
		atomic_fetch_add(&d->worker.frames_rejected, 1);
		return;
	}
	atomic_fetch_add(&d->worker.frames_analysed, 1);
	finish_scale_measurement(d);
	ins_live_publish_frame(d->live, &m, ins_analysis_last_kpa(d->worker.ana, frame->foot));
	while (ins_analysis_next_step(d->worker.ana, &step)) {
		atomic_fetch_add(&d->worker.steps_detected, 1);
		publish_sensor_health(d, step.foot);
		ins_live_publish_step(d->live, &step);
		if (d->worker.active_session != NO_SESSION)
			ins_store_put_step(d->store, d->worker.active_session, &step);
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

void *daemon_analysis_main(void *arg)
{
	struct daemon *d = arg;
	struct ins_frame frame;
	int rc;

	for (;;) {
		atomic_fetch_add(&d->worker.heartbeat, 1);
		apply_control_requests(d);
		rc = ins_acq_pop(d->acq, &frame, ANALYSIS_POLL_MS);
		if (rc < 0)
			break;
		if (rc > 0) {
			continue_timeline(&d->worker, &frame);
			handle_frame(d, &frame);
		}
	}
	return NULL;
}
