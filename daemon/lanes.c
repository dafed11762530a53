/* The lanes of a daemon (daemon_priv.h, struct lane): each is made,
 * started and ended on its own, so a lane's devices, queue and analysis
 * thread are never shared with another. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon_priv.h"
#include "insoled/log.h"

#define LOG_PREFIX "daemon"

static void init_lane(struct daemon *d, unsigned index)
{
	struct lane *ln = &d->lane[index];
	const struct daemon_config_lane *lc = &d->cfg->lane[index];
	double kg = lc->body_weight_kg > 0 ? lc->body_weight_kg : d->cfg->body_weight_kg;

	ln->d = d;
	ln->index = index;
	snprintf(ln->name, sizeof(ln->name), "%s", lc->name);
	if (d->cfg->n_lanes > 1)
		snprintf(ln->log_prefix, sizeof(ln->log_prefix), "lane %s: ", lc->name);
	pthread_mutex_init(&ln->control.lock, NULL);
	pthread_mutex_init(&ln->snapshot.lock, NULL);
	pthread_mutex_init(&ln->worker.health_lock, NULL);
	pthread_mutex_init(&ln->worker.feed_lock, NULL);
	pthread_mutex_init(&ln->scale.lock, NULL);
	pthread_cond_init(&ln->scale.cond, NULL);
	pthread_cond_init(&ln->snapshot.cond, NULL);
	ln->control.body_weight_n = kg * INS_GRAVITY;
}

/* Layouts, analysis, live state and devices of every lane (nothing started). */
int daemon_open_lanes(struct daemon *d, char *err, size_t errlen)
{
	for (unsigned i = 0; i < d->cfg->n_lanes; i++) {
		struct lane *ln = &d->lane[i];

		init_lane(d, i);
		d->n_lanes = i + 1;
		if (daemon_load_layouts(d->cfg, &d->cfg->lane[i], ln->layout, err, errlen) ||
		    daemon_open_analysis(ln, err, errlen) || daemon_open_live(ln, err, errlen) ||
		    daemon_add_devices(ln, err, errlen))
			return -1;
	}
	return 0;
}

/* The analysis threads, then the devices: the store is open by now. */
int daemon_start_lanes(struct daemon *d, char *err, size_t errlen)
{
	for (unsigned i = 0; i < d->n_lanes; i++)
		if (daemon_start_analysis(&d->lane[i], err, errlen) || ins_acq_start(d->lane[i].acq, err, errlen))
			return -1;
	return 0;
}

/* Each lane's analysis thread drains its queue, then sees -1. */
void daemon_stop_lanes(struct daemon *d)
{
	for (unsigned i = 0; i < d->n_lanes; i++)
		if (d->lane[i].acq)
			ins_acq_stop(d->lane[i].acq);
	for (unsigned i = 0; i < d->n_lanes; i++)
		if (d->lane[i].worker.running) {
			pthread_join(d->lane[i].worker.thread, NULL);
			d->lane[i].worker.running = 0;
		}
}

static void free_lane(struct lane *ln)
{
	if (ln->live)
		ins_live_free(ln->live);
	if (ln->worker.ana)
		ins_analysis_free(ln->worker.ana);
	if (ln->acq)
		ins_acq_free(ln->acq);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		ins_layout_free(ln->layout[foot]);
		free(ln->snapshot.calib[foot]);
		free(ln->worker.sensor_flags[foot]);
		free(ln->worker.mask_regions[foot]);
	}
	pthread_mutex_destroy(&ln->control.lock);
	pthread_mutex_destroy(&ln->worker.health_lock);
	pthread_mutex_destroy(&ln->worker.feed_lock);
	pthread_mutex_destroy(&ln->scale.lock);
	pthread_cond_destroy(&ln->scale.cond);
	pthread_mutex_destroy(&ln->snapshot.lock);
	pthread_cond_destroy(&ln->snapshot.cond);
}

void daemon_free_lanes(struct daemon *d)
{
	for (unsigned i = 0; i < d->n_lanes; i++)
		free_lane(&d->lane[i]);
	d->n_lanes = 0;
}

int64_t daemon_lane_recording(const struct lane *ln)
{
	return (int64_t)atomic_load(&ln->control.recording);
}

/* "streaming" when every device of the lane streams, "partial" when some
 * do, "waiting" when none does (unplugged, silent or not yet opened). */
static const char *lane_state(const struct lane *ln)
{
	unsigned streaming = ins_acq_streaming(ln->acq);

	return streaming == 0 ? "waiting" : streaming < lane_config(ln)->n_devices ? "partial" : "streaming";
}

/* Frames the lane's queue dropped (full: the analysis fell behind). */
static json_int_t queue_dropped(struct ins_acq *acq)
{
	json_t *st = ins_acq_status(acq);
	json_int_t n = json_integer_value(json_object_get(json_object_get(st, "queue"), "dropped"));

	json_decref(st);
	return n;
}

json_t *daemon_lane_summary(void *ctx)
{
	struct lane *ln = ctx;
	json_t *devices = json_array(), *o;
	int64_t session = daemon_lane_recording(ln);
	const char *state;

	pthread_rwlock_rdlock(&ln->d->reload_lock);
	for (unsigned k = 0; k < lane_config(ln)->n_devices; k++)
		json_array_append_new(devices, json_string(ln->d->cfg->device[lane_config(ln)->device[k]].name));
	state = lane_state(ln);
	o = json_pack("{s:s, s:o, s:s, s:f, s:I, s:I, s:o}", "name", ln->name, "devices", devices, "state", state,
		      "frames_per_s", strcmp(state, "waiting") ? atomic_load(&ln->worker.frames_per_s) : 0.0,
		      "frames_analysed", (json_int_t)atomic_load(&ln->worker.frames_analysed),
		      "queue_dropped", queue_dropped(ln->acq),
		      "recording_session", session != NO_SESSION ? json_integer((json_int_t)session) : json_null());
	pthread_rwlock_unlock(&ln->d->reload_lock);
	return o;
}
