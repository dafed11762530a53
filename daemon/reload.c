/* SIGHUP: the configuration is read again and the devices, layouts and
 * calibration it names replace the running ones in every lane, while the
 * store (and the sessions being recorded in it) stays open.  The lanes
 * themselves (their names and order) are made at start-up and must come
 * back unchanged.
 *
 * Every lane's devices and analysis thread are stopped and started again
 * around the swap, so nothing but this thread touches the lanes meanwhile;
 * the HTTP hooks
 * wait on reload_lock.  Layouts are the geometry of the live view and of
 * the session being recorded: a change of layout or calibration rebuilds
 * the analysis and the live state (the HTTP server restarts with them on
 * the same port; the dashboard reconnects) and is refused while a session
 * records, which must end with the calibration it started with.  Device
 * changes alone keep the analysis, so a recording goes on across them. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon_priv.h"

#define LOG_PREFIX "daemon"

/* Keys a running daemon cannot take over: they name what it has open. */
static void warn_restart_only(const struct daemon_config *old, struct daemon_config *cfg)
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

/* Lanes are made at start-up, with the HTTP server's view of each: the
 * same lanes, by name and in order, must come back (their devices,
 * layouts and calibration are what reloads). */
static int same_lanes(const struct daemon *d, const struct daemon_config *cfg)
{
	int same = cfg->n_lanes == d->n_lanes;

	for (unsigned i = 0; same && i < d->n_lanes; i++)
		same = !strcmp(cfg->lane[i].name, d->lane[i].name);
	if (!same)
		ins_err("reload: lanes added, removed, renamed or reordered take effect at the next start; "
			"keeping the running configuration");
	return same;
}

/* What a reload takes over: each lane's new layouts (NULL: unchanged). */
struct reload_plan {
	struct ins_layout *layout[INS_CONFIG_MAX_LANES][INS_FOOT_COUNT];
	int changed[INS_CONFIG_MAX_LANES];
	int any_changed;
	char recording[256], rebuilt[256]; /* lane names, for the log */
};

static void free_plan(struct reload_plan *plan)
{
	for (unsigned i = 0; i < INS_CONFIG_MAX_LANES; i++)
		free_layouts(plan->layout[i]);
}

static void add_name(char *list, size_t size, const char *name)
{
	size_t len = strlen(list);

	snprintf(list + len, size - len, "%s%s", len ? ", " : "", name);
}

/* Loads every lane's layouts; a lane recording keeps the layouts and
 * calibration it started with, so a change there refuses the reload. */
static int plan_layouts(struct daemon *d, const struct daemon_config *cfg, struct reload_plan *plan)
{
	char err[512];

	for (unsigned i = 0; i < d->n_lanes; i++) {
		struct lane *ln = &d->lane[i];
		int64_t session = daemon_lane_recording(ln);

		if (daemon_load_layouts(cfg, &cfg->lane[i], plan->layout[i], err, sizeof(err)) < 0) {
			ins_err("reload: %s%s; keeping the running configuration", ln->log_prefix, err);
			return -1;
		}
		for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
			plan->changed[i] |= !same_layout(plan->layout[i][foot], ln->layout[foot]);
		if (plan->changed[i] && session != NO_SESSION) {
			ins_err("reload: %ssession %lld is recording with the current layouts and calibration; "
				"stop it, then reload again (nothing reloaded)", ln->log_prefix, (long long)session);
			return -1;
		}
		plan->any_changed |= plan->changed[i];
		if (plan->changed[i])
			add_name(plan->rebuilt, sizeof(plan->rebuilt), ln->name);
		if (session != NO_SESSION)
			add_name(plan->recording, sizeof(plan->recording), ln->name);
	}
	return 0;
}

/* Under reload_lock, every lane stopped: the new configuration goes in and
 * every lane starts again with it (a recording goes on across). */
static int restart_lanes(struct daemon *d, struct daemon_config *cfg, struct reload_plan *plan, char *err,
			 size_t errlen)
{
	for (unsigned i = 0; i < d->n_lanes; i++)
		stop_pipeline(&d->lane[i]);
	free(d->cfg_owned);
	d->cfg = d->cfg_owned = cfg;
	for (unsigned i = 0; i < d->n_lanes; i++) {
		struct lane *ln = &d->lane[i];

		if ((plan->changed[i] && swap_layouts(ln, plan->layout[i], err, errlen) < 0) ||
		    daemon_add_devices(ln, err, errlen) < 0 || daemon_start_analysis(ln, err, errlen) < 0 ||
		    ins_acq_start(ln->acq, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static void log_reloaded(const struct daemon *d, const struct reload_plan *plan)
{
	char what[300], rec[300] = "";
	int lanes = d->n_lanes > 1;

	if (plan->any_changed)
		snprintf(what, sizeof(what), ", new layouts and calibration%s%s", lanes ? " in " : "",
			 lanes ? plan->rebuilt : "");
	else
		snprintf(what, sizeof(what), ", layouts unchanged");
	if (plan->recording[0])
		snprintf(rec, sizeof(rec), ", still recording%s%s", lanes ? " in " : "", lanes ? plan->recording : "");
	ins_info("reloaded: %u devices%s%s", d->cfg->n_devices, what, rec);
}

/* 0 when the new configuration runs, -1 (logged) when the daemon cannot go
 * on: the caller stops it.  A configuration that cannot be used is logged
 * and the running one kept. */
int daemon_reload(struct daemon *d, daemon_config_reader reread)
{
	struct daemon_config *cfg = calloc(1, sizeof(*cfg));
	struct reload_plan *plan = calloc(1, sizeof(*plan));
	uint16_t port = 0;
	char err[512] = "";
	int rc = 0;

	ins_info("received SIGHUP: reloading %s", d->cfg->config_file[0] ? d->cfg->config_file
									: "devices and layouts");
	if (!cfg || !plan || reread(cfg, err, sizeof(err)) < 0) {
		ins_err("reload: %s; keeping the running configuration", cfg && plan ? err : "out of memory");
		goto keep;
	}
	warn_restart_only(d->cfg, cfg);
	if (!same_lanes(d, cfg) || plan_layouts(d, cfg, plan) < 0)
		goto keep;
	daemon_notify_reloading();
	/* Stopped before the pipeline is locked: it waits for requests in
	 * flight, which may be waiting for the lock. */
	if (plan->any_changed) {
		port = ins_http_port(d->http);
		ins_http_stop(d->http);
		d->http = NULL;
	}
	pthread_rwlock_wrlock(&d->reload_lock);
	rc = restart_lanes(d, cfg, plan, err, sizeof(err));
	cfg = NULL; /* the daemon's now, whatever happened */
	pthread_rwlock_unlock(&d->reload_lock);
	if (rc == 0 && plan->any_changed && daemon_start_http(d, port, err, sizeof(err)) < 0)
		rc = -1;
	if (rc < 0) {
		ins_err("reload: %s; stopping", err);
	} else {
		log_reloaded(d, plan);
		daemon_notify_ready(d);
	}
keep:
	if (plan)
		free_plan(plan);
	free(plan);
	free(cfg);
	return rc;
}
