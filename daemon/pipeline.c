#include <config.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon_config.h"
#include "pipeline.h"
#include "insoled/acquire.h"
#include "insoled/analysis.h"
#include "insoled/datadir.h"
#include "insoled/http.h"
#include "insoled/live.h"
#include "insoled/log.h"
#include "insoled/store.h"

#define MOD "daemon"
/* How long the analysis thread waits for a frame before it looks at its
 * control flags again: short enough that stop and tare feel immediate. */
#define ANALYSIS_POLL_MS 100
#define NO_SESSION 0
/* The analysis thread looks at requests at least every ANALYSIS_POLL_MS, so
 * a calibration snapshot comes within that; allow for a loaded machine. */
#define SNAPSHOT_TIMEOUT_S 2
/* A body-weight scale measurement takes INS_BW_SCALE_WINDOW_US of frames
 * (2 s) after the analysis thread picks the request up (within
 * ANALYSIS_POLL_MS); 5 s also covers a loaded machine.  Longer means the
 * insole is not streaming. */
#define SCALE_TIMEOUT_S 5

/* A body-weight scale request between the HTTP hook and the analysis thread. */
enum scale_state { SCALE_IDLE, SCALE_REQUESTED, SCALE_MEASURING, SCALE_DONE, SCALE_ABANDONED };

struct daemon {
	const struct ins_config *cfg;
	struct ins_layout *layout[INS_FOOT_COUNT];
	struct ins_acq *acq;
	struct ins_analysis *ana;
	struct ins_store *store;
	struct ins_live *live;
	struct ins_http *http;
	pthread_t analysis_thread;
	pthread_mutex_t control_lock;  /* serialises start/stop recording requests */
	atomic_int_fast64_t recording; /* session id, or NO_SESSION */
	atomic_int tare_request[INS_FOOT_COUNT];
	_Atomic double body_weight_n;
	atomic_int body_weight_changed;
	atomic_uint_fast64_t frames_analysed, frames_rejected, steps_detected;
	/* Session hand-over.  A recorded session starts with a fresh analysis
	 * built from the calibration in force at its start, and records every
	 * later tare and weight change, so re-analysing its raw archive gives
	 * exactly the live results. */
	pthread_mutex_t snapshot_lock;
	pthread_cond_t snapshot_cond;
	int snapshot_requested;      /* under snapshot_lock */
	struct ins_calib_curve *calib_snapshot[INS_FOOT_COUNT];
	double session_body_weight_n; /* written before `recording` is published */
	int64_t active_session;      /* analysis thread only */
	/* Sensor health flags, copied by the analysis thread at each step (the
	 * only reader of the analysis) and read by GET /api/status. */
	pthread_mutex_t health_lock;
	uint8_t *sensor_flags[INS_FOOT_COUNT];
	/* Body-weight scaling: the hook (one at a time, under control_lock)
	 * hands the request over and waits; the analysis thread measures,
	 * applies and answers. */
	pthread_mutex_t scale_lock;
	pthread_cond_t scale_cond;
	enum scale_state scale_state; /* under scale_lock, with scale_foot and scale_result */
	unsigned scale_foot;
	struct ins_bw_scale_result scale_result;
	int scale_measuring;          /* analysis thread only */
	unsigned scale_measuring_foot; /* analysis thread only */
};

static int dir_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *ins_data_dir(const struct ins_config *cfg)
{
	return ins_data_dir_find(cfg->data_dir);
}

static void data_path(const struct ins_config *cfg, const char *sub, char *out, size_t size)
{
	char err[512];

	if (ins_data_path(ins_data_dir(cfg), sub, out, size, err, sizeof(err)) < 0)
		ins_warn(MOD, "%s", err);
}

/* Third-party browser code (uPlot) keeps its npm layout: web/node_modules in
 * a source tree after `npm ci`, web/vendor once `make install` copied it.
 * Without either the dashboard still shows maps and numbers, so a missing
 * chart library is a warning, not a reason to refuse to start. */
static const char *vendor_dir(const struct ins_config *cfg, char *out, size_t size)
{
	data_path(cfg, "web/vendor", out, size);
	if (dir_exists(out))
		return out;
	data_path(cfg, "web/node_modules", out, size);
	if (dir_exists(out))
		return out;
	ins_warn(MOD, "no chart library in %s/web (run 'npm ci' in web/ or 'make install'): "
		 "the dashboard will show no charts", ins_data_dir(cfg));
	return NULL;
}

/* ---- the analysis thread: the only consumer of the frame queue ---------- */

/* The body-weight scale is folded into the curves, so a session records
 * it with its calibration and re-analysis applies it. */
static void copy_calibration(struct daemon *d)
{
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		if (d->layout[foot])
			ins_analysis_calibration_scaled(d->ana, foot, d->calib_snapshot[foot]);
}

static void serve_snapshot_request(struct daemon *d)
{
	pthread_mutex_lock(&d->snapshot_lock);
	if (d->snapshot_requested) {
		copy_calibration(d);
		d->snapshot_requested = 0;
		pthread_cond_broadcast(&d->snapshot_cond);
	}
	pthread_mutex_unlock(&d->snapshot_lock);
}

static struct ins_analysis *new_analysis(const struct daemon *d, const struct ins_calib_curve *const calib[],
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
	d->scale_result = *res;
	d->scale_state = SCALE_DONE;
	pthread_cond_broadcast(&d->scale_cond);
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
	if (!d->scale_measuring)
		return;
	d->scale_measuring = 0;
	pthread_mutex_lock(&d->scale_lock);
	if (d->scale_state == SCALE_MEASURING)
		refuse_scale_locked(d, d->scale_measuring_foot, why);
	else
		d->scale_state = SCALE_IDLE;
	pthread_mutex_unlock(&d->scale_lock);
}

/* Starts a requested measurement, or drops one its client gave up on. */
static void serve_scale_request(struct daemon *d)
{
	char why[256];

	pthread_mutex_lock(&d->scale_lock);
	if (d->scale_state == SCALE_REQUESTED) {
		if (d->active_session != NO_SESSION) {
			refuse_scale_locked(d, d->scale_foot, "a recording is running: scale before recording");
		} else if (ins_analysis_bw_scale_start(d->ana, d->scale_foot, why, sizeof(why)) < 0) {
			refuse_scale_locked(d, d->scale_foot, why);
		} else {
			d->scale_state = SCALE_MEASURING;
			d->scale_measuring = 1;
			d->scale_measuring_foot = d->scale_foot;
		}
	} else if (d->scale_state == SCALE_ABANDONED) {
		if (d->scale_measuring)
			ins_analysis_bw_scale_cancel(d->ana, d->scale_measuring_foot);
		d->scale_measuring = 0;
		d->scale_state = SCALE_IDLE;
	}
	pthread_mutex_unlock(&d->scale_lock);
}

/* After each frame while measuring: applied only while its client waits. */
static void finish_scale_measurement(struct daemon *d)
{
	struct ins_bw_scale_result res;

	if (!d->scale_measuring || !ins_analysis_bw_scale_result(d->ana, d->scale_measuring_foot, &res))
		return;
	d->scale_measuring = 0;
	pthread_mutex_lock(&d->scale_lock);
	if (d->scale_state == SCALE_MEASURING) {
		if (res.ok && ins_analysis_set_scale(d->ana, res.foot, res.scale) == 0)
			ins_info(MOD, "%s foot scaled by %.4f: %.1f N measured for a body weight of %.1f N",
				 ins_foot_name(res.foot), res.scale, res.measured_force_n, res.body_weight_n);
		answer_scale_locked(d, &res);
	} else {
		d->scale_state = SCALE_IDLE;
	}
	pthread_mutex_unlock(&d->scale_lock);
}

/* Allocation happens here, at a session boundary, never per frame. */
static void follow_session_changes(struct daemon *d)
{
	int64_t session = atomic_load(&d->recording);
	struct ins_analysis *fresh;
	char err[256];

	if (session == d->active_session)
		return;
	d->active_session = session;
	if (session == NO_SESSION)
		return;
	fresh = new_analysis(d, (const struct ins_calib_curve *const *)d->calib_snapshot, d->session_body_weight_n,
			     err, sizeof(err));
	if (!fresh) {
		ins_err(MOD, "session %" PRId64 ": keeping the running analysis: %s", session, err);
		return;
	}
	ins_analysis_free(d->ana);
	d->ana = fresh;
	abort_scale_measurement(d, "a recording started during the measurement: stop it and measure again");
}

static void apply_control_requests(struct daemon *d)
{
	serve_snapshot_request(d);
	follow_session_changes(d);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		if (atomic_exchange(&d->tare_request[foot], 0) && d->layout[foot]) {
			ins_analysis_tare(d->ana, foot);
			if (d->active_session != NO_SESSION)
				ins_store_put_control(d->store, d->active_session, INS_STORE_CONTROL_TARE, foot, 0);
			ins_info(MOD, "%s foot tared", ins_foot_name(foot));
		}
	}
	if (atomic_exchange(&d->body_weight_changed, 0)) {
		ins_analysis_set_body_weight(d->ana, d->body_weight_n);
		if (d->active_session != NO_SESSION)
			ins_store_put_control(d->store, d->active_session, INS_STORE_CONTROL_BODY_WEIGHT, 0,
					      d->body_weight_n);
	}
	serve_scale_request(d);
}

/* Once per step, so the flags in /api/status are never older than the last
 * step and the hot path pays nothing per frame. */
static void publish_sensor_health(struct daemon *d, unsigned foot)
{
	pthread_mutex_lock(&d->health_lock);
	ins_analysis_sensor_flags(d->ana, foot, d->sensor_flags[foot]);
	pthread_mutex_unlock(&d->health_lock);
}

static void handle_frame(struct daemon *d, const struct ins_frame *frame)
{
	struct ins_frame_metrics m;
	struct ins_step step;

	/* The archive keeps every frame that arrived, even one the analysis
	 * rejects (a layout mismatch), so nothing recorded is lost. */
	if (d->active_session != NO_SESSION)
		ins_store_put_frame(d->store, d->active_session, frame);
	if (ins_analysis_feed(d->ana, frame, &m) != 0) {
		atomic_fetch_add(&d->frames_rejected, 1);
		return;
	}
	atomic_fetch_add(&d->frames_analysed, 1);
	finish_scale_measurement(d);
	ins_live_publish_frame(d->live, &m, ins_analysis_last_kpa(d->ana, frame->foot));
	while (ins_analysis_next_step(d->ana, &step)) {
		atomic_fetch_add(&d->steps_detected, 1);
		publish_sensor_health(d, step.foot);
		ins_live_publish_step(d->live, &step);
		if (d->active_session != NO_SESSION)
			ins_store_put_step(d->store, d->active_session, &step);
	}
}

static void *analysis_main(void *arg)
{
	struct daemon *d = arg;
	struct ins_frame frame;
	int rc;

	for (;;) {
		apply_control_requests(d);
		rc = ins_acq_pop(d->acq, &frame, ANALYSIS_POLL_MS);
		if (rc < 0)
			break;
		if (rc > 0)
			handle_frame(d, &frame);
	}
	return NULL;
}

/* ---- hooks the HTTP layer calls ------------------------------------------ */

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
static json_t *sensor_health_json(struct daemon *d)
{
	json_t *health = json_object();

	pthread_mutex_lock(&d->health_lock);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		const struct ins_layout *lay = d->layout[foot];
		json_t *list;

		if (!lay)
			continue;
		list = json_array();
		for (unsigned i = 0; i < lay->n_sensors; i++)
			if (d->sensor_flags[foot][i])
				json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:o}", "sensor", (json_int_t)i,
								      "region", ins_region_name(lay->sensors[i].region),
								      "side", ins_side_name(lay->sensors[i].side),
								      "problems", sensor_problems(d->sensor_flags[foot][i])));
		json_object_set_new(health, ins_foot_name(foot), list);
	}
	pthread_mutex_unlock(&d->health_lock);
	return health;
}

static void fill_status(void *ctx, json_t *status)
{
	struct daemon *d = ctx;
	json_t *acq = ins_acq_status(d->acq);
	json_t *pipeline = json_object();

	json_object_set_new(status, "acquisition", acq ? acq : json_null());
	json_object_set_new(pipeline, "frames_analysed", json_integer((json_int_t)atomic_load(&d->frames_analysed)));
	json_object_set_new(pipeline, "frames_rejected", json_integer((json_int_t)atomic_load(&d->frames_rejected)));
	json_object_set_new(pipeline, "steps_detected", json_integer((json_int_t)atomic_load(&d->steps_detected)));
	json_object_set_new(pipeline, "recording_session",
			    atomic_load(&d->recording) ? json_integer((json_int_t)atomic_load(&d->recording)) : json_null());
	json_object_set_new(pipeline, "sensor_health", sensor_health_json(d));
	json_object_set_new(status, "analysis", pipeline);
}

/* Asks the analysis thread for the calibration in force now. */
static int snapshot_calibration(struct daemon *d, char *err, size_t errlen)
{
	struct timespec deadline;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += SNAPSHOT_TIMEOUT_S;
	pthread_mutex_lock(&d->snapshot_lock);
	d->snapshot_requested = 1;
	while (d->snapshot_requested && rc == 0)
		rc = pthread_cond_timedwait(&d->snapshot_cond, &d->snapshot_lock, &deadline);
	d->snapshot_requested = 0;
	pthread_mutex_unlock(&d->snapshot_lock);
	if (rc != 0) {
		snprintf(err, errlen, "the analysis is not responding: try again");
		return INS_STORE_EBUSY;
	}
	return 0;
}

static char *calibration_json(const struct daemon *d)
{
	const struct ins_calib_curve *calib[INS_FOOT_COUNT];
	unsigned n[INS_FOOT_COUNT];

	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		calib[foot] = d->layout[foot] ? d->calib_snapshot[foot] : NULL;
		n[foot] = d->layout[foot] ? d->layout[foot]->n_sensors : 0;
	}
	return ins_store_calib_to_json(calib, n);
}

static int start_recording(void *ctx, const struct ins_session_meta *meta_in, int64_t *session_id,
			   char *err, size_t errlen)
{
	struct daemon *d = ctx;
	struct ins_session_meta meta = *meta_in;
	char *calib_json = NULL;
	int rc;

	pthread_mutex_lock(&d->control_lock);
	if (atomic_load(&d->recording) != NO_SESSION) {
		snprintf(err, errlen, "session %" PRId64 " is already recording: stop it first",
			 (int64_t)atomic_load(&d->recording));
		rc = INS_STORE_ECONFLICT;
		goto out;
	}
	if ((rc = snapshot_calibration(d, err, errlen)) != 0)
		goto out;
	calib_json = calibration_json(d);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		meta.layout[foot] = d->layout[foot] ? d->layout[foot]->name : NULL;
	if (meta.body_weight_n <= 0)
		meta.body_weight_n = d->body_weight_n;
	meta.calibration_json = calib_json;
	rc = ins_store_session_start(d->store, &meta, session_id, err, errlen);
	if (rc == INS_STORE_OK) {
		d->session_body_weight_n = meta.body_weight_n;
		atomic_store(&d->recording, *session_id);
		ins_info(MOD, "recording session %" PRId64, *session_id);
	}
out:
	free(calib_json);
	pthread_mutex_unlock(&d->control_lock);
	return rc;
}

static int stop_recording(void *ctx, int64_t session_id, char *err, size_t errlen)
{
	struct daemon *d = ctx;
	int rc;

	pthread_mutex_lock(&d->control_lock);
	if (atomic_load(&d->recording) == session_id)
		atomic_store(&d->recording, NO_SESSION);
	rc = ins_store_session_stop(d->store, session_id, err, errlen);
	if (rc == INS_STORE_OK)
		ins_info(MOD, "session %" PRId64 " stopped", session_id);
	pthread_mutex_unlock(&d->control_lock);
	return rc;
}

static int request_tare(void *ctx, int foot, char *err, size_t errlen)
{
	struct daemon *d = ctx;

	if (foot < 0 || foot >= INS_FOOT_COUNT || !d->layout[foot]) {
		snprintf(err, errlen, "foot: no %s insole is connected", ins_foot_name((unsigned)foot));
		return INS_STORE_EINVAL;
	}
	pthread_mutex_lock(&d->control_lock);
	atomic_store(&d->tare_request[foot], 1);
	pthread_mutex_unlock(&d->control_lock);
	return 0;
}

static int set_body_weight(void *ctx, double body_weight_n, char *err, size_t errlen)
{
	struct daemon *d = ctx;

	if (!(body_weight_n > 0 && body_weight_n < 4000)) {
		snprintf(err, errlen, "body_weight_kg: must be between 0 and 400 kg");
		return INS_STORE_EINVAL;
	}
	pthread_mutex_lock(&d->control_lock);
	d->body_weight_n = body_weight_n;
	atomic_store(&d->body_weight_changed, 1);
	pthread_mutex_unlock(&d->control_lock);
	return 0;
}

static json_t *scale_result_json(const struct ins_bw_scale_result *r)
{
	return json_pack("{s:b, s:s, s:f, s:f, s:I, s:f, s:f}", "ok", 1, "foot", ins_foot_name(r->foot),
			 "measured_force_n", r->measured_force_n, "sd_force_n", r->sd_force_n, "frames",
			 (json_int_t)r->frames, "body_weight_n", r->body_weight_n, "scale", r->scale);
}

/* Hands the request to the analysis thread and waits for its answer; one
 * at a time (control_lock), refused while recording so a session's
 * calibration, recorded at its start, already holds the scale. */
static int body_weight_scale(void *ctx, int foot, json_t **result, char *err, size_t errlen)
{
	struct daemon *d = ctx;
	struct ins_bw_scale_result res;
	struct timespec deadline;
	int rc = 0, answered;

	if (foot < 0 || foot >= INS_FOOT_COUNT || !d->layout[foot]) {
		snprintf(err, errlen, "foot: no %s insole is connected", ins_foot_name((unsigned)foot));
		return INS_STORE_EINVAL;
	}
	pthread_mutex_lock(&d->control_lock);
	if (atomic_load(&d->recording) != NO_SESSION) {
		snprintf(err, errlen, "session %" PRId64 " is recording: scale before starting a recording",
			 (int64_t)atomic_load(&d->recording));
		pthread_mutex_unlock(&d->control_lock);
		return INS_STORE_ECONFLICT;
	}
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += SCALE_TIMEOUT_S;
	pthread_mutex_lock(&d->scale_lock);
	if (d->scale_state == SCALE_ABANDONED) {
		snprintf(err, errlen, "the previous measurement is still being cancelled: try again");
		rc = INS_STORE_EBUSY;
		goto out;
	}
	d->scale_foot = (unsigned)foot;
	d->scale_state = SCALE_REQUESTED;
	while ((d->scale_state == SCALE_REQUESTED || d->scale_state == SCALE_MEASURING) && rc == 0)
		rc = pthread_cond_timedwait(&d->scale_cond, &d->scale_lock, &deadline);
	answered = d->scale_state == SCALE_DONE;
	res = d->scale_result;
	d->scale_state = answered ? SCALE_IDLE : SCALE_ABANDONED;
	if (!answered) {
		snprintf(err, errlen, "no measurement from the %s insole within %d s: is it streaming?",
			 ins_foot_name((unsigned)foot), SCALE_TIMEOUT_S);
		rc = INS_STORE_EBUSY;
	} else if (!res.ok) {
		snprintf(err, errlen, "%s", res.why);
		rc = INS_STORE_ECONFLICT;
	} else {
		*result = scale_result_json(&res);
		rc = 0;
	}
out:
	pthread_mutex_unlock(&d->scale_lock);
	pthread_mutex_unlock(&d->control_lock);
	return rc;
}

static json_t *devices_json(void *ctx)
{
	struct daemon *d = ctx;
	json_t *list = json_array();

	for (unsigned i = 0; i < d->cfg->n_devices; i++) {
		const struct ins_config_device *dev = &d->cfg->device[i];

		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "name", dev->name, "port", dev->port,
						      "layout", dev->layout, "foot",
						      dev->foot == INS_DEV_FOOT_AUTO ? "auto" : ins_foot_name((unsigned)dev->foot)));
	}
	return list;
}

/* ---- assembly ------------------------------------------------------------ */

static int load_layouts(struct daemon *d, char *err, size_t errlen)
{
	char dir[PATH_MAX];

	data_path(d->cfg, "layouts", dir, sizeof(dir));
	for (unsigned i = 0; i < d->cfg->n_devices; i++) {
		const struct ins_config_device *dev = &d->cfg->device[i];

		for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
			if (dev->foot != INS_DEV_FOOT_AUTO && (unsigned)dev->foot != foot)
				continue;
			if (d->layout[foot]) {
				snprintf(err, errlen, "[device %s]: the %s foot already has a device", dev->name,
					 ins_foot_name(foot));
				return -1;
			}
			d->layout[foot] = ins_layout_load_named(dir, dev->layout, err, errlen);
			if (!d->layout[foot])
				return -1;
		}
	}
	return 0;
}

static int add_devices(struct daemon *d, char *err, size_t errlen)
{
	unsigned max_n = 0;

	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		if (d->layout[foot] && d->layout[foot]->n_sensors > max_n)
			max_n = d->layout[foot]->n_sensors;
	d->acq = ins_acq_new(d->cfg->queue_frames, max_n, err, errlen);
	if (!d->acq)
		return -1;
	for (unsigned i = 0; i < d->cfg->n_devices; i++) {
		const struct ins_config_device *dev = &d->cfg->device[i];
		unsigned foot = dev->foot == INS_DEV_FOOT_AUTO ? (d->layout[0] ? 0 : 1) : (unsigned)dev->foot;
		struct ins_device_config dc = {
			.name = dev->name,
			.port = dev->port,
			.baud = dev->baud,
			.foot = dev->foot,
			.expected_n = d->layout[foot]->n_sensors,
			.synth_args = dev->synth[0] ? dev->synth : NULL,
			.layout = d->layout[foot],
			.format = dev->format[0] ? dev->format : NULL,
		};
		if (ins_acq_add_device(d->acq, &dc, err, errlen))
			return -1;
	}
	return 0;
}

static int open_analysis(struct daemon *d, char *err, size_t errlen)
{
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		if (!d->layout[foot])
			continue;
		d->calib_snapshot[foot] = calloc(d->layout[foot]->n_sensors, sizeof(struct ins_calib_curve));
		d->sensor_flags[foot] = calloc(d->layout[foot]->n_sensors, sizeof(uint8_t));
		if (!d->calib_snapshot[foot] || !d->sensor_flags[foot]) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	d->ana = new_analysis(d, NULL, d->body_weight_n, err, errlen);
	return d->ana ? 0 : -1;
}

static int open_store(struct daemon *d, char *err, size_t errlen)
{
	char sql_dir[PATH_MAX], layout_dir[PATH_MAX];
	struct ins_store_config sc = {
		.db_path = d->cfg->db_path,
		.sql_dir = sql_dir,
		.layout_dir = layout_dir,
		.refuse_corrupt = d->cfg->refuse_corrupt_db,
	};

	data_path(d->cfg, "sql", sql_dir, sizeof(sql_dir));
	data_path(d->cfg, "layouts", layout_dir, sizeof(layout_dir));
	d->store = ins_store_open(&sc, err, errlen);
	return d->store ? 0 : -1;
}

static int open_live(struct daemon *d, char *err, size_t errlen)
{
	struct ins_live_config lc = { .display_hz = d->cfg->display_hz };

	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		lc.layout[foot] = d->layout[foot];
	d->live = ins_live_new(&lc, err, errlen);
	return d->live ? 0 : -1;
}

static int start_http(struct daemon *d, char *err, size_t errlen)
{
	static struct ins_http_hooks hooks = {
		.fill_status = fill_status,
		.start_recording = start_recording,
		.stop_recording = stop_recording,
		.tare = request_tare,
		.set_body_weight = set_body_weight,
		.devices = devices_json,
		.body_weight_scale = body_weight_scale,
	};
	char web_root[PATH_MAX], vendor_root[PATH_MAX], layout_dir[PATH_MAX];
	const struct ins_config *cfg = d->cfg;
	struct ins_http_config hc = {
		.bind_addr = cfg->listen_addr,
		.port = cfg->port,
		.token = cfg->token[0] ? cfg->token : NULL,
		.web_root = web_root,
		.vendor_root = vendor_dir(cfg, vendor_root, sizeof(vendor_root)),
		.layout_dir = layout_dir,
		.tls_cert = cfg->tls_cert[0] ? cfg->tls_cert : NULL,
		.tls_key = cfg->tls_key[0] ? cfg->tls_key : NULL,
	};

	hooks.ctx = d;
	data_path(cfg, "web", web_root, sizeof(web_root));
	data_path(cfg, "layouts", layout_dir, sizeof(layout_dir));
	d->http = ins_http_start(&hc, d->store, d->live, &hooks, err, errlen);
	return d->http ? 0 : -1;
}

static void announce(const struct daemon *d)
{
	const struct ins_config *cfg = d->cfg;
	const char *scheme = cfg->tls_cert[0] ? "https" : "http";
	int v6 = strchr(cfg->listen_addr, ':') != NULL;

	/* stdout, flushed: scripts and the README's quick start read this line. */
	printf("insoled %s: dashboard at %s://%s%s%s:%u/ (database %s)\n", PACKAGE_VERSION, scheme, v6 ? "[" : "",
	       cfg->listen_addr, v6 ? "]" : "", (unsigned)ins_http_port(d->http), cfg->db_path);
	fflush(stdout);
}

/* SIGTERM and SIGINT are blocked before any thread starts, so every thread
 * inherits the mask and only this one, in sigwait(), ever sees them: no
 * worker is interrupted mid-write. */
static void block_stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void wait_for_stop_signal(const sigset_t *set)
{
	int sig = 0;

	while (sigwait(set, &sig) != 0)
		;
	ins_info(MOD, "received %s, shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
}

static void teardown(struct daemon *d, int analysis_running)
{
	if (d->http)
		ins_http_stop(d->http);
	if (d->acq)
		ins_acq_stop(d->acq); /* the analysis thread drains the queue, then sees -1 */
	if (analysis_running)
		pthread_join(d->analysis_thread, NULL);
	if (d->store)
		ins_store_close(d->store);
	if (d->live)
		ins_live_free(d->live);
	if (d->ana)
		ins_analysis_free(d->ana);
	if (d->acq)
		ins_acq_free(d->acq);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		ins_layout_free(d->layout[foot]);
		free(d->calib_snapshot[foot]);
		free(d->sensor_flags[foot]);
	}
	pthread_mutex_destroy(&d->control_lock);
	pthread_mutex_destroy(&d->health_lock);
	pthread_mutex_destroy(&d->scale_lock);
	pthread_cond_destroy(&d->scale_cond);
	pthread_mutex_destroy(&d->snapshot_lock);
	pthread_cond_destroy(&d->snapshot_cond);
}

int ins_daemon_run(const struct ins_config *cfg)
{
	struct daemon d = { .cfg = cfg };
	char err[512] = "";
	sigset_t stop_signals;
	int analysis_running = 0;
	int status = EXIT_FAILURE;

	pthread_mutex_init(&d.control_lock, NULL);
	pthread_mutex_init(&d.snapshot_lock, NULL);
	pthread_mutex_init(&d.health_lock, NULL);
	pthread_mutex_init(&d.scale_lock, NULL);
	pthread_cond_init(&d.scale_cond, NULL);
	pthread_cond_init(&d.snapshot_cond, NULL);
	d.body_weight_n = cfg->body_weight_kg * 9.80665;
	block_stop_signals(&stop_signals);
	if (load_layouts(&d, err, sizeof(err)) || open_analysis(&d, err, sizeof(err)) ||
	    open_store(&d, err, sizeof(err)) || open_live(&d, err, sizeof(err)) ||
	    add_devices(&d, err, sizeof(err)))
		goto out;
	if (pthread_create(&d.analysis_thread, NULL, analysis_main, &d) != 0) {
		snprintf(err, sizeof(err), "cannot start the analysis thread");
		goto out;
	}
	analysis_running = 1;
	if (ins_acq_start(d.acq, err, sizeof(err)) || start_http(&d, err, sizeof(err)))
		goto out;
	announce(&d);
	wait_for_stop_signal(&stop_signals);
	status = EXIT_SUCCESS;
out:
	if (status != EXIT_SUCCESS)
		ins_err(MOD, "%s", err);
	teardown(&d, analysis_running);
	return status;
}
