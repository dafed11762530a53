/* The hooks the HTTP layer calls (docs/api.md): status, recording, tare,
 * body weight and its scaling, devices; each hands its request to the
 * analysis thread and builds the JSON of the answer. */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "daemon_priv.h"
#include "insoled/log.h"

#define LOG_PREFIX "daemon"

/* The analysis thread looks at requests at least every ANALYSIS_POLL_MS, so
 * a calibration snapshot comes within that; allow for a loaded machine. */
#define SNAPSHOT_TIMEOUT_S 2
/* A body-weight scale measurement takes INS_BW_SCALE_WINDOW_US of frames
 * (2 s) after the analysis thread picks the request up (within
 * ANALYSIS_POLL_MS); 5 s also covers a loaded machine.  Longer means the
 * insole is not streaming. */
#define SCALE_TIMEOUT_S 5
/* A recording needs a device sending frames.  Right after start-up or a
 * replug the first frames are a moment away, so a start waits this long
 * for one before answering that nothing is streaming. */
#define STREAM_WAIT_MS 3000
#define STREAM_POLL_MS 50
/* A stop waits for the analysis thread to go once round its loop (at most
 * ANALYSIS_POLL_MS when idle) so every frame it tagged with the session is
 * queued before the stop; allow for a loaded machine. */
#define STOP_HANDOVER_TIMEOUT_MS 2000
#define STOP_POLL_MS 5

static json_t *sensor_problems(unsigned flags)
{
	json_t *list = json_array();

	if (flags & INS_SENSOR_SILENT)
		json_array_append_new(list, json_string("silent"));
	if (flags & INS_SENSOR_SATURATING)
		json_array_append_new(list, json_string("saturating"));
	if (flags & INS_SENSOR_STUCK)
		json_array_append_new(list, json_string("stuck"));
	return list;
}

/* {"left": [{"sensor", "region", "side", "problems"}...], "right": [...]}:
 * only flagged sensors; a foot without an insole is absent. */
static json_t *sensor_health_json(struct lane *ln)
{
	json_t *health = json_object();

	pthread_mutex_lock(&ln->worker.health_lock);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		const struct ins_layout *lay = ln->layout[foot];
		json_t *list;

		if (!lay)
			continue;
		list = json_array();
		for (unsigned i = 0; i < lay->n_sensors; i++)
			if (ln->worker.sensor_flags[foot][i])
				json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:o}", "sensor", (json_int_t)i,
								      "region", ins_region_name(lay->sensors[i].region),
								      "side", ins_side_name(lay->sensors[i].side),
								      "problems", sensor_problems(ln->worker.sensor_flags[foot][i])));
		json_object_set_new(health, ins_foot_name(foot), list);
	}
	pthread_mutex_unlock(&ln->worker.health_lock);
	return health;
}

/* {"left": [region of each sensor]}: dense grids whose mask the analysis
 * has found from the footprint (after a step), so the live maps draw the
 * regions the steps are measured on. */
static json_t *footprint_mask_json(struct lane *ln)
{
	json_t *out = json_object();

	pthread_mutex_lock(&ln->worker.health_lock);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		const uint8_t *m = ln->worker.mask_regions[foot];
		json_t *arr;

		if (!m || !ln->layout[foot] || m[0] == MASK_UNKNOWN)
			continue;
		arr = json_array();
		for (unsigned i = 0; i < ln->layout[foot]->n_sensors; i++)
			json_array_append_new(arr, json_integer(m[i]));
		json_object_set_new(out, ins_foot_name(foot), arr);
	}
	pthread_mutex_unlock(&ln->worker.health_lock);
	return out;
}

static void fill_status(void *ctx, json_t *status)
{
	struct lane *ln = ctx;
	json_t *pipeline = json_object();
	json_t *acq;

	pthread_rwlock_rdlock(&ln->d->reload_lock);
	acq = ins_acq_status(ln->acq);
	pthread_rwlock_unlock(&ln->d->reload_lock);

	json_object_set_new(status, "acquisition", acq ? acq : json_null());
	json_object_set_new(pipeline, "frames_analysed", json_integer((json_int_t)atomic_load(&ln->worker.frames_analysed)));
	json_object_set_new(pipeline, "frames_rejected", json_integer((json_int_t)atomic_load(&ln->worker.frames_rejected)));
	json_object_set_new(pipeline, "steps_detected", json_integer((json_int_t)atomic_load(&ln->worker.steps_detected)));
	json_object_set_new(pipeline, "recording_session",
			    atomic_load(&ln->control.recording) ? json_integer((json_int_t)atomic_load(&ln->control.recording)) : json_null());
	json_object_set_new(pipeline, "sensor_health", sensor_health_json(ln));
	json_object_set_new(pipeline, "mask", footprint_mask_json(ln));
	{
		/* the body weight in force, so a reloaded dashboard can show it */
		double bw = atomic_load(&ln->control.body_weight_n);
		json_object_set_new(pipeline, "body_weight_n", bw > 0 ? json_real(bw) : json_null());
	}
	json_object_set_new(status, "analysis", pipeline);
}

/* Asks the analysis thread for the calibration in force now. */
static int snapshot_calibration(struct lane *ln, struct ins_error *err)
{
	struct timespec deadline;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += SNAPSHOT_TIMEOUT_S;
	pthread_mutex_lock(&ln->snapshot.lock);
	ln->snapshot.requested = 1;
	while (ln->snapshot.requested && rc == 0)
		rc = pthread_cond_timedwait(&ln->snapshot.cond, &ln->snapshot.lock, &deadline);
	ln->snapshot.requested = 0;
	pthread_mutex_unlock(&ln->snapshot.lock);
	if (rc != 0) {
		ins_error_msg(err, "the analysis is not responding: try again");
		return INS_EUNAVAIL;
	}
	return 0;
}

static char *calibration_json(const struct lane *ln)
{
	const struct ins_calib_curve *calib[INS_FOOT_COUNT];
	unsigned n[INS_FOOT_COUNT];

	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		calib[foot] = ln->layout[foot] ? ln->snapshot.calib[foot] : NULL;
		n[foot] = ln->layout[foot] ? ln->layout[foot]->n_sensors : 0;
	}
	return ins_store_calib_to_json(calib, n);
}

static int wait_for_streaming_device(struct lane *ln, struct ins_error *err)
{
	const struct timespec poll = { 0, STREAM_POLL_MS * 1000000L };

	for (int waited = 0; ins_acq_streaming(ln->acq) == 0; waited += STREAM_POLL_MS) {
		if (waited >= STREAM_WAIT_MS) {
			ins_error_msg(err, "no device is streaming (GET /api/status says why): "
				 "nothing to record");
			return INS_EUNAVAIL;
		}
		nanosleep(&poll, NULL);
	}
	return INS_OK;
}

static int start_recording(void *ctx, const struct ins_session_meta *meta_in, int64_t *session_id,
			   struct ins_error *err)
{
	struct lane *ln = ctx;
	struct ins_session_meta meta = *meta_in;
	char *calib_json = NULL;
	int rc;

	/* A reload waits until the session has started (or not). */
	pthread_mutex_lock(&ln->control.lock);
	pthread_rwlock_rdlock(&ln->d->reload_lock);
	if (atomic_load(&ln->control.recording) != NO_SESSION) {
		ins_error_msg(err, "session %" PRId64 " is already recording: stop it first",
			 (int64_t)atomic_load(&ln->control.recording));
		rc = INS_ECONFLICT;
		goto out;
	}
	if ((rc = wait_for_streaming_device(ln, err)) != 0 ||
	    (rc = snapshot_calibration(ln, err)) != 0)
		goto out;
	calib_json = calibration_json(ln);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		meta.layout[foot] = ln->layout[foot] ? ln->layout[foot]->name : NULL;
	if (meta.body_weight_n <= 0)
		meta.body_weight_n = ln->control.body_weight_n;
	meta.calibration_json = calib_json;
	meta.lane = ln->name;
	rc = ins_store_session_start(ln->d->store, &meta, session_id, err);
	if (rc == INS_OK) {
		ln->control.session_body_weight_n = meta.body_weight_n;
		atomic_store(&ln->control.recording, *session_id);
		ins_info("%srecording session %" PRId64, ln->log_prefix, *session_id);
	}
out:
	free(calib_json);
	pthread_rwlock_unlock(&ln->d->reload_lock);
	pthread_mutex_unlock(&ln->control.lock);
	return rc;
}

/* The lane recording the session: a session id stops wherever it records,
 * whichever lane's route was asked. */
static struct lane *lane_recording(struct daemon *d, int64_t session_id, struct lane *fallback)
{
	for (unsigned i = 0; i < d->n_lanes; i++)
		if (atomic_load(&d->lane[i].control.recording) == session_id)
			return &d->lane[i];
	return fallback;
}

/* The analysis thread counts its loops at the top (heartbeat); two more
 * mean it has since run apply_control_requests() with the new recording
 * state, so it puts nothing more for the old session. */
static void wait_for_worker_pass(struct lane *ln)
{
	const struct timespec poll = { 0, STOP_POLL_MS * 1000000L };
	uint_fast64_t start = atomic_load(&ln->worker.heartbeat);

	for (int waited = 0; atomic_load(&ln->worker.heartbeat) < start + 2; waited += STOP_POLL_MS) {
		if (!ln->worker.running || waited >= STOP_HANDOVER_TIMEOUT_MS) {
			ins_warn("%sthe analysis thread did not answer within %d ms: frames still in its hands may "
				 "be counted as dropped", ln->log_prefix, STOP_HANDOVER_TIMEOUT_MS);
			return;
		}
		nanosleep(&poll, NULL);
	}
}

static int stop_recording(void *ctx, int64_t session_id, struct ins_error *err)
{
	struct lane *ln = lane_recording(((struct lane *)ctx)->d, session_id, ctx);
	int rc;

	pthread_mutex_lock(&ln->control.lock);
	if (atomic_load(&ln->control.recording) == session_id) {
		atomic_store(&ln->control.recording, NO_SESSION);
		wait_for_worker_pass(ln);
	}
	rc = ins_store_session_stop(ln->d->store, session_id, err);
	if (rc == INS_OK)
		ins_info("%ssession %" PRId64 " stopped", ln->log_prefix, session_id);
	pthread_mutex_unlock(&ln->control.lock);
	return rc;
}

static int request_tare(void *ctx, int foot, struct ins_error *err)
{
	struct lane *ln = ctx;

	if (foot < 0 || foot >= INS_FOOT_COUNT || !ln->layout[foot]) {
		ins_error_field(err, "foot", "foot: no %s insole is connected", ins_foot_name((unsigned)foot));
		return INS_EINVAL;
	}
	pthread_mutex_lock(&ln->control.lock);
	atomic_store(&ln->control.tare_request[foot], 1);
	pthread_mutex_unlock(&ln->control.lock);
	return 0;
}

static int set_body_weight(void *ctx, double body_weight_n, struct ins_error *err)
{
	struct lane *ln = ctx;

	if (ins_body_weight_check_n("body_weight_n", body_weight_n, err->msg, sizeof(err->msg)) < 0) {
		ins_error_about(err, "body_weight_n");
		return INS_EINVAL;
	}
	pthread_mutex_lock(&ln->control.lock);
	ln->control.body_weight_n = body_weight_n;
	atomic_store(&ln->control.body_weight_changed, 1);
	pthread_mutex_unlock(&ln->control.lock);
	return 0;
}

static json_t *scale_result_json(const struct ins_bw_scale_result *r)
{
	return json_pack("{s:b, s:s, s:f, s:f, s:I, s:f, s:f}", "ok", 1, "foot", ins_foot_name(r->foot),
			 "measured_force_n", r->measured_force_n, "sd_force_n", r->sd_force_n, "frames",
			 (json_int_t)r->frames, "body_weight_n", r->body_weight_n, "scale", r->scale);
}

/* Hands the request to the analysis thread and waits for its answer; one
 * at a time (a second is refused at once), refused while recording so a
 * session's calibration, recorded at its start, already holds the scale. */
static int body_weight_scale(void *ctx, int foot, json_t **result, struct ins_error *err)
{
	struct lane *ln = ctx;
	struct ins_bw_scale_result res;
	struct timespec deadline;
	int rc = 0, answered;

	if (foot < 0 || foot >= INS_FOOT_COUNT || !ln->layout[foot]) {
		ins_error_field(err, "foot", "foot: no %s insole is connected", ins_foot_name((unsigned)foot));
		return INS_EINVAL;
	}
	pthread_mutex_lock(&ln->control.lock);
	if (atomic_load(&ln->control.recording) != NO_SESSION) {
		ins_error_msg(err, "session %" PRId64 " is recording: scale before starting a recording",
			 (int64_t)atomic_load(&ln->control.recording));
		pthread_mutex_unlock(&ln->control.lock);
		return INS_ECONFLICT;
	}
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += SCALE_TIMEOUT_S;
	pthread_mutex_lock(&ln->scale.lock);
	if (ln->scale.state != SCALE_IDLE) {
		ins_error_msg(err, ln->scale.state == SCALE_ABANDONED
					      ? "the previous measurement is still being cancelled: try again"
					      : "a body-weight measurement is already running: wait for its answer");
		rc = ln->scale.state == SCALE_ABANDONED ? INS_EBUSY : INS_ECONFLICT;
		pthread_mutex_unlock(&ln->scale.lock);
		pthread_mutex_unlock(&ln->control.lock);
		return rc;
	}
	ln->scale.foot = (unsigned)foot;
	ln->scale.state = SCALE_REQUESTED;
	/* Recording may start while this waits: the analysis thread then
	 * abandons the measurement with a reason, so the wait holds only the
	 * scale's own lock and start, stop and tare are not held up. */
	pthread_mutex_unlock(&ln->control.lock);
	while ((ln->scale.state == SCALE_REQUESTED || ln->scale.state == SCALE_MEASURING) && rc == 0)
		rc = pthread_cond_timedwait(&ln->scale.cond, &ln->scale.lock, &deadline);
	answered = ln->scale.state == SCALE_DONE;
	res = ln->scale.result;
	ln->scale.state = answered ? SCALE_IDLE : SCALE_ABANDONED;
	if (!answered) {
		ins_error_msg(err, "no measurement from the %s insole within %d s: is it streaming?",
			 ins_foot_name((unsigned)foot), SCALE_TIMEOUT_S);
		rc = INS_EUNAVAIL;
	} else if (!res.ok) {
		ins_error_msg(err, "%s", res.why);
		rc = INS_ECONFLICT;
	} else {
		*result = scale_result_json(&res);
		rc = 0;
	}
	pthread_mutex_unlock(&ln->scale.lock);
	return rc;
}

static json_t *devices_json(void *ctx)
{
	struct lane *ln = ctx;
	json_t *list = json_array();

	pthread_rwlock_rdlock(&ln->d->reload_lock);
	for (unsigned k = 0; k < lane_config(ln)->n_devices; k++) {
		const struct daemon_config_device *dev = &ln->d->cfg->device[lane_config(ln)->device[k]];

		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "name", dev->name, "port", dev->port,
						      "layout", dev->layout, "foot",
						      dev->foot == INS_DEV_FOOT_AUTO ? "auto" : ins_foot_name((unsigned)dev->foot)));
	}
	pthread_rwlock_unlock(&ln->d->reload_lock);
	return list;
}

struct ins_http_hooks daemon_http_hooks(struct lane *ln)
{
	return (struct ins_http_hooks){
		.ctx = ln,
		.fill_status = fill_status,
		.start_recording = start_recording,
		.stop_recording = stop_recording,
		.tare = request_tare,
		.set_body_weight = set_body_weight,
		.devices = devices_json,
		.body_weight_scale = body_weight_scale,
		.lane_summary = daemon_lane_summary,
	};
}
