/* SIGHUP: the configuration is read again and the devices, layouts and
 * calibration it names replace the running ones, while the store (and a
 * session being recorded in it) stays open.
 *
 * The analysis thread is stopped and started again around the swap, so
 * nothing but this thread touches the pipeline meanwhile; the HTTP hooks
 * wait on reload_lock.  Layouts are the geometry of the live view and of
 * the session being recorded: a change of layout or calibration rebuilds
 * the analysis and the live state (the HTTP server restarts with them on
 * the same port; the dashboard reconnects) and is refused while a session
 * records, which must end with the calibration it started with.  Device
 * changes alone keep the analysis, so a recording goes on across them. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "daemon_priv.h"

#define LOG_PREFIX "daemon"

/* Keys a running daemon cannot take over: they name what it has open. */
static void warn_restart_only(const struct ins_config *old, struct ins_config *cfg)
{
#define KEEP(field, key)                                                                        \
	do {                                                                                    \
		if (memcmp(&old->field, &cfg->field, sizeof(old->field)) != 0)                \
			ins_warn("reload: %s changed: takes effect at the next start", key); \
		memcpy(&cfg->field, &old->field, sizeof(old->field));                           \
	} while (0)
	KEEP(listen_addr, "listen");
	KEEP(port, "listen");
	KEEP(db_path, "db");
	KEEP(data_dir, "data_dir");
	KEEP(token, "token");
	KEEP(tls_cert, "tls_cert");
	KEEP(tls_key, "tls_key");
	KEEP(user, "user");
	KEEP(group, "group");
	KEEP(queue_frames, "queue_frames");
	KEEP(display_hz, "display_hz");
#undef KEEP
	cfg->demo = old->demo;
	cfg->foreground = old->foreground;
}

static int same_layout(const struct ins_layout *a, const struct ins_layout *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a->name, b->name) && a->n_sensors == b->n_sensors && a->n_outline == b->n_outline &&
	       !memcmp(a->sensors, b->sensors, a->n_sensors * sizeof(a->sensors[0])) &&
	       !memcmp(a->outline, b->outline, a->n_outline * sizeof(a->outline[0]));
}

static void free_layouts(struct ins_layout *layout[INS_FOOT_COUNT])
{
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		ins_layout_free(layout[foot]);
		layout[foot] = NULL;
	}
}

/* The analysis thread ends once the stopped acquisition's queue is empty. */
static void stop_pipeline(struct lane *ln)
{
	ins_acq_stop(ln->acq);
	pthread_join(ln->worker.thread, NULL);
	ln->worker.running = 0;
	ins_acq_free(ln->acq);
	ln->acq = NULL;
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		ln->worker.rebase[foot] = 1;
}

/* New layouts: analysis, calibration and live state made again for them
 * (the HTTP server, which serves the live state, is stopped meanwhile). */
static int swap_layouts(struct lane *ln, struct ins_layout *layout[INS_FOOT_COUNT], char *err, size_t errlen)
{
	ins_live_free(ln->live);
	ln->live = NULL;
	ins_analysis_free(ln->worker.ana);
	ln->worker.ana = NULL;
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		ins_layout_free(ln->layout[foot]);
		ln->layout[foot] = layout[foot];
		layout[foot] = NULL;
		free(ln->snapshot.calib[foot]);
		free(ln->worker.sensor_flags[foot]);
		free(ln->worker.mask_regions[foot]);
		ln->snapshot.calib[foot] = NULL;
		ln->worker.sensor_flags[foot] = NULL;
		ln->worker.mask_regions[foot] = NULL;
	}
	return daemon_open_analysis(ln, err, errlen) || daemon_open_live(ln, err, errlen) ? -1 : 0;
}

/* 0 when the new configuration runs, -1 (logged) when the daemon cannot go
 * on: the caller stops it.  A configuration that cannot be used is logged
 * and the running one kept. */
/* Lanes are made at start-up: a daemon running several, or a configuration
 * naming several, takes its devices and lanes at the next start. */
static int lanes_reloadable(const struct daemon *d, const struct ins_config *cfg)
{
	if (d->n_lanes == 1 && cfg->n_lanes == 1)
		return 1;
	ins_err("reload: lanes and their devices take effect at the next start with several lanes; "
		"keeping the running configuration");
	return 0;
}

int daemon_reload(struct daemon *d, daemon_config_reader reread)
{
	struct ins_config *cfg = calloc(1, sizeof(*cfg));
	struct ins_layout *layout[INS_FOOT_COUNT] = { NULL, NULL };
	struct lane *ln = &d->lane[0];
	int64_t session = daemon_lane_recording(ln);
	int changed = 0, rc;
	uint16_t port = 0;
	char err[512] = "";

	ins_info("received SIGHUP: reloading %s", d->cfg->config_file[0] ? d->cfg->config_file
									: "devices and layouts");
	if (!cfg || reread(cfg, err, sizeof(err)) < 0) {
		ins_err("reload: %s; keeping the running configuration", cfg ? err : "out of memory");
		free(cfg);
		return 0;
	}
	warn_restart_only(d->cfg, cfg);
	if (!lanes_reloadable(d, cfg)) {
		free(cfg);
		return 0;
	}
	if (daemon_load_layouts(cfg, &cfg->lane[0], layout, err, sizeof(err)) < 0) {
		ins_err("reload: %s; keeping the running configuration", err);
		free_layouts(layout);
		free(cfg);
		return 0;
	}
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		changed |= !same_layout(layout[foot], ln->layout[foot]);
	if (changed && session != NO_SESSION) {
		ins_err("reload: session %lld is recording with the current layouts and calibration; "
			"stop it, then reload again (nothing reloaded)", (long long)session);
		free_layouts(layout);
		free(cfg);
		return 0;
	}
	daemon_notify_reloading();
	/* Stopped before the pipeline is locked: it waits for requests in
	 * flight, which may be waiting for the lock. */
	if (changed) {
		port = ins_http_port(d->http);
		ins_http_stop(d->http);
		d->http = NULL;
	}
	pthread_rwlock_wrlock(&d->reload_lock);
	stop_pipeline(ln);
	free(d->cfg_owned);
	d->cfg = d->cfg_owned = cfg;
	if ((changed && swap_layouts(ln, layout, err, sizeof(err)) < 0) ||
	    daemon_add_devices(ln, err, sizeof(err)) < 0 || daemon_start_analysis(ln, err, sizeof(err)) < 0 ||
	    ins_acq_start(ln->acq, err, sizeof(err)) < 0)
		rc = -1;
	else
		rc = 0;
	pthread_rwlock_unlock(&d->reload_lock);
	if (rc == 0 && changed && daemon_start_http(d, port, err, sizeof(err)) < 0)
		rc = -1;
	if (rc < 0)
		ins_err("reload: %s; stopping", err);
	free_layouts(layout);
	if (rc == 0) {
		ins_info("reloaded: %u devices%s%s", d->cfg->n_devices,
			 changed ? ", new layouts and calibration" : ", layouts unchanged",
			 session != NO_SESSION ? ", still recording" : "");
		daemon_notify_ready(d);
	}
	return rc;
}
