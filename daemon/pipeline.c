/* Start-up and shut-down: loads the layouts, opens the analysis, the store
 * and the live state, starts the devices, the analysis thread (worker.c)
 * and the HTTP server (hooks.c), then waits for SIGTERM or SIGINT. */
#include <config.h>

#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon_priv.h"
#include "pipeline.h"
#include "insoled/log.h"

#define LOG_PREFIX "daemon"

int daemon_load_layouts(const struct ins_config *cfg, struct ins_layout *layout[INS_FOOT_COUNT], char *err,
			size_t errlen)
{
	char dir[PATH_MAX];

	daemon_data_path(cfg, "layouts", dir, sizeof(dir));
	for (unsigned i = 0; i < cfg->n_devices; i++) {
		const struct ins_config_device *dev = &cfg->device[i];

		for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
			if (dev->foot != INS_DEV_FOOT_AUTO && (unsigned)dev->foot != foot)
				continue;
			if (layout[foot]) {
				snprintf(err, errlen, "[device %s]: the %s foot already has a device", dev->name,
					 ins_foot_name(foot));
				return -1;
			}
			layout[foot] = ins_layout_load_named(dir, dev->layout, err, errlen);
			if (!layout[foot])
				return -1;
		}
	}
	return 0;
}

int daemon_add_devices(struct daemon *d, char *err, size_t errlen)
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

int daemon_open_analysis(struct daemon *d, char *err, size_t errlen)
{
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		if (!d->layout[foot])
			continue;
		d->snapshot.calib[foot] = calloc(d->layout[foot]->n_sensors, sizeof(struct ins_calib_curve));
		d->worker.sensor_flags[foot] = calloc(d->layout[foot]->n_sensors, sizeof(uint8_t));
		if (d->layout[foot]->is_grid && (d->worker.mask_regions[foot] = malloc(d->layout[foot]->n_sensors)))
			memset(d->worker.mask_regions[foot], MASK_UNKNOWN, d->layout[foot]->n_sensors);
		if (!d->snapshot.calib[foot] || !d->worker.sensor_flags[foot] ||
		    (d->layout[foot]->is_grid && !d->worker.mask_regions[foot])) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	d->worker.ana = daemon_new_analysis(d, NULL, d->control.body_weight_n, err, errlen);
	return d->worker.ana ? 0 : -1;
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

	daemon_data_path(d->cfg, "sql", sql_dir, sizeof(sql_dir));
	daemon_data_path(d->cfg, "layouts", layout_dir, sizeof(layout_dir));
	d->store = ins_store_open(&sc, err, errlen);
	return d->store ? 0 : -1;
}

int daemon_open_live(struct daemon *d, char *err, size_t errlen)
{
	struct ins_live_config lc = { .display_hz = d->cfg->display_hz };

	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		lc.layout[foot] = d->layout[foot];
	d->live = ins_live_new(&lc, err, errlen);
	return d->live ? 0 : -1;
}

int daemon_start_http(struct daemon *d, uint16_t port, char *err, size_t errlen)
{
	struct ins_http_hooks hooks = daemon_http_hooks(d);
	char web_root[PATH_MAX], vendor_root[PATH_MAX], layout_dir[PATH_MAX];
	const struct ins_config *cfg = d->cfg;
	struct ins_http_config hc = {
		.bind_addr = cfg->listen_addr,
		.port = port,
		.token = cfg->token[0] ? cfg->token : NULL,
		.max_connections = cfg->max_connections,
		.web_root = web_root,
		.vendor_root = daemon_vendor_dir(cfg, vendor_root, sizeof(vendor_root)),
		.layout_dir = layout_dir,
		.tls_cert = cfg->tls_cert[0] ? cfg->tls_cert : NULL,
		.tls_key = cfg->tls_key[0] ? cfg->tls_key : NULL,
	};

	daemon_data_path(cfg, "web", web_root, sizeof(web_root));
	daemon_data_path(cfg, "layouts", layout_dir, sizeof(layout_dir));
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

int daemon_start_analysis(struct daemon *d, char *err, size_t errlen)
{
	if (pthread_create(&d->worker.thread, NULL, daemon_analysis_main, d) != 0) {
		snprintf(err, errlen, "cannot start the analysis thread");
		return -1;
	}
	d->worker.running = 1;
	return 0;
}

/* The service manager hears from the daemon at least this often (STATUS,
 * and WATCHDOG pets at half of WatchdogSec= when that is shorter). */
#define NOTIFY_PERIOD_US 5000000

/* SIGTERM, SIGINT and SIGHUP are blocked before any thread starts, so every
 * thread inherits the mask and only this one, in sigtimedwait(), ever sees
 * them: no worker is interrupted mid-write. */
static void block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Until a stop signal, tells the service manager how things are and
 * reloads on SIGHUP.  EXIT_FAILURE when a reload left the daemon unable to
 * go on. */
static int run_until_stopped(struct daemon *d, const sigset_t *set, daemon_config_reader reread)
{
	int64_t watchdog_us = daemon_watchdog_usec();
	int64_t period_us = watchdog_us > 0 && watchdog_us / 2 < NOTIFY_PERIOD_US ? watchdog_us / 2 : NOTIFY_PERIOD_US;
	struct timespec period = { (time_t)(period_us / 1000000), (long)(period_us % 1000000) * 1000 };
	int sig;

	daemon_notify_ready(d);
	while ((sig = sigtimedwait(set, NULL, &period)) != SIGTERM && sig != SIGINT) {
		if (sig == SIGHUP && daemon_reload(d, reread) < 0)
			return EXIT_FAILURE;
		daemon_notify_tick(d);
	}
	ins_info("received %s, shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	daemon_notify_stopping();
	return EXIT_SUCCESS;
}

static void teardown(struct daemon *d)
{
	if (d->http)
		ins_http_stop(d->http);
	if (d->acq)
		ins_acq_stop(d->acq); /* the analysis thread drains the queue, then sees -1 */
	if (d->worker.running)
		pthread_join(d->worker.thread, NULL);
	if (d->store)
		ins_store_close(d->store);
	if (d->live)
		ins_live_free(d->live);
	if (d->worker.ana)
		ins_analysis_free(d->worker.ana);
	if (d->acq)
		ins_acq_free(d->acq);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		ins_layout_free(d->layout[foot]);
		free(d->snapshot.calib[foot]);
		free(d->worker.sensor_flags[foot]);
		free(d->worker.mask_regions[foot]);
	}
	pthread_mutex_destroy(&d->control.lock);
	pthread_mutex_destroy(&d->worker.health_lock);
	pthread_mutex_destroy(&d->scale.lock);
	pthread_cond_destroy(&d->scale.cond);
	pthread_mutex_destroy(&d->snapshot.lock);
	pthread_cond_destroy(&d->snapshot.cond);
	pthread_rwlock_destroy(&d->reload_lock);
	free(d->cfg_owned);
}

int ins_daemon_run(const struct ins_config *cfg, daemon_config_reader reread)
{
	struct daemon d = { .cfg = cfg };
	char err[512] = "";
	sigset_t signals;
	int status = EXIT_FAILURE;

	pthread_mutex_init(&d.control.lock, NULL);
	pthread_mutex_init(&d.snapshot.lock, NULL);
	pthread_mutex_init(&d.worker.health_lock, NULL);
	pthread_mutex_init(&d.scale.lock, NULL);
	pthread_cond_init(&d.scale.cond, NULL);
	pthread_cond_init(&d.snapshot.cond, NULL);
	pthread_rwlock_init(&d.reload_lock, NULL);
	d.control.body_weight_n = cfg->body_weight_kg * INS_GRAVITY;
	block_signals(&signals);
	if (daemon_load_layouts(cfg, d.layout, err, sizeof(err)) || daemon_open_analysis(&d, err, sizeof(err)) ||
	    open_store(&d, err, sizeof(err)) || daemon_open_live(&d, err, sizeof(err)) ||
	    daemon_add_devices(&d, err, sizeof(err)) || daemon_start_analysis(&d, err, sizeof(err)))
		goto out;
	/* Devices, database and the HTTP port are open: root is no longer
	 * needed (a device reopened after an unplug is a dialout matter). */
	if (ins_acq_start(d.acq, err, sizeof(err)) || daemon_start_http(&d, cfg->port, err, sizeof(err)) ||
	    daemon_drop_privileges(&d, err, sizeof(err)))
		goto out;
	announce(&d);
	status = run_until_stopped(&d, &signals, reread);
out:
	if (status != EXIT_SUCCESS && err[0])
		ins_err("%s", err);
	teardown(&d);
	return status;
}
