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
#include "insoled/thread.h"

#define LOG_PREFIX "daemon"

int daemon_load_layouts(const struct daemon_config *cfg, const struct daemon_config_lane *lane,
			struct ins_layout *layout[INS_FOOT_COUNT], char *err, size_t errlen)
{
	char dir[PATH_MAX];

	daemon_data_path(cfg, "layouts", dir, sizeof(dir));
	for (unsigned k = 0; k < lane->n_devices; k++) {
		const struct daemon_config_device *dev = &cfg->device[lane->device[k]];

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

int daemon_add_devices(struct lane *ln, char *err, size_t errlen)
{
	const struct daemon_config *cfg = ln->d->cfg;
	unsigned max_n = 0;

	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		if (ln->layout[foot] && ln->layout[foot]->n_sensors > max_n)
			max_n = ln->layout[foot]->n_sensors;
	ln->acq = ins_acq_new(cfg->queue_frames, max_n, err, errlen);
	if (!ln->acq)
		return -1;
	for (unsigned k = 0; k < lane_config(ln)->n_devices; k++) {
		const struct daemon_config_device *dev = &cfg->device[lane_config(ln)->device[k]];
		unsigned foot = dev->foot == INS_DEV_FOOT_AUTO ? (ln->layout[0] ? 0 : 1) : (unsigned)dev->foot;
		struct ins_device_config dc = {
			.name = dev->name,
			.port = dev->port,
			.baud = dev->baud,
			.foot = dev->foot,
			.expected_n = ln->layout[foot]->n_sensors,
			.synth_args = dev->synth[0] ? dev->synth : NULL,
			.layout = ln->layout[foot],
			.format = dev->format[0] ? dev->format : NULL,
		};
		if (ins_acq_add_device(ln->acq, &dc, err, errlen))
			return -1;
	}
	return 0;
}

int daemon_open_analysis(struct lane *ln, char *err, size_t errlen)
{
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		if (!ln->layout[foot])
			continue;
		ln->snapshot.calib[foot] = calloc(ln->layout[foot]->n_sensors, sizeof(struct ins_calib_curve));
		ln->worker.sensor_flags[foot] = calloc(ln->layout[foot]->n_sensors, sizeof(uint8_t));
		if (ln->layout[foot]->is_grid && (ln->worker.mask_regions[foot] = malloc(ln->layout[foot]->n_sensors)))
			memset(ln->worker.mask_regions[foot], MASK_UNKNOWN, ln->layout[foot]->n_sensors);
		if (!ln->snapshot.calib[foot] || !ln->worker.sensor_flags[foot] ||
		    (ln->layout[foot]->is_grid && !ln->worker.mask_regions[foot])) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	ln->worker.ana = daemon_new_analysis(ln, NULL, ln->control.body_weight_n, err, errlen);
	return ln->worker.ana ? 0 : -1;
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
	struct ins_error e;

	daemon_data_path(d->cfg, "sql", sql_dir, sizeof(sql_dir));
	daemon_data_path(d->cfg, "layouts", layout_dir, sizeof(layout_dir));
	d->store = ins_store_open(&sc, &e);
	if (!d->store)
		snprintf(err, errlen, "%s", e.msg);
	return d->store ? 0 : -1;
}

int daemon_open_live(struct lane *ln, char *err, size_t errlen)
{
	struct ins_live_config lc = { .display_hz = ln->d->cfg->display_hz };

	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		lc.layout[foot] = ln->layout[foot];
	ln->live = ins_live_new(&lc, err, errlen);
	return ln->live ? 0 : -1;
}

int daemon_start_http(struct daemon *d, uint16_t port, char *err, size_t errlen)
{
	struct ins_http_hooks hooks = daemon_http_hooks(&d->lane[0]);
	struct ins_http_lane lanes[INS_CONFIG_MAX_LANES];
	char web_root[PATH_MAX], vendor_root[PATH_MAX], layout_dir[PATH_MAX];
	const struct daemon_config *cfg = d->cfg;
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
		.lanes = lanes,
		.n_lanes = d->n_lanes,
	};

	daemon_data_path(cfg, "web", web_root, sizeof(web_root));
	daemon_data_path(cfg, "layouts", layout_dir, sizeof(layout_dir));
	for (unsigned i = 0; i < d->n_lanes; i++)
		lanes[i] = (struct ins_http_lane){ d->lane[i].name, d->lane[i].live, daemon_http_hooks(&d->lane[i]) };
	d->http = ins_http_start(&hc, d->store, d->lane[0].live, &hooks, err, errlen);
	return d->http ? 0 : -1;
}

static void announce(const struct daemon *d)
{
	const struct daemon_config *cfg = d->cfg;
	const char *scheme = cfg->tls_cert[0] ? "https" : "http";
	int v6 = strchr(cfg->listen_addr, ':') != NULL;

	/* stdout, flushed: scripts and the README's quick start read this line. */
	printf("insoled %s: dashboard at %s://%s%s%s:%u/ (database %s)\n", PACKAGE_VERSION, scheme, v6 ? "[" : "",
	       cfg->listen_addr, v6 ? "]" : "", (unsigned)ins_http_port(d->http), cfg->db_path);
	fflush(stdout);
}

int daemon_start_analysis(struct lane *ln, char *err, size_t errlen)
{
	daemon_feed_inline(ln);
	if (ins_thread_start(&ln->worker.thread, INS_STACK_MEDIUM, daemon_analysis_main, ln) != 0) {
		snprintf(err, errlen, "%scannot start the analysis thread", ln->log_prefix);
		return -1;
	}
	ln->worker.running = 1;
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
	daemon_stop_lanes(d);
	if (d->store)
		ins_store_close(d->store);
	daemon_free_lanes(d);
	pthread_rwlock_destroy(&d->reload_lock);
	free(d->cfg_owned);
}

int daemon_run(const struct daemon_config *cfg, daemon_config_reader reread)
{
	struct daemon d = { .cfg = cfg };
	char err[512] = "";
	sigset_t signals;
	int status = EXIT_FAILURE;

	pthread_rwlock_init(&d.reload_lock, NULL);
	block_signals(&signals);
	if (daemon_open_lanes(&d, err, sizeof(err)) || open_store(&d, err, sizeof(err)))
		goto out;
	/* Devices, database and the HTTP port are open: root is no longer
	 * needed (a device reopened after an unplug is a dialout matter). */
	if (daemon_start_lanes(&d, err, sizeof(err)) || daemon_start_http(&d, cfg->port, err, sizeof(err)) ||
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
