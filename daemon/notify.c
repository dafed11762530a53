/* Telling the service manager how the daemon is (sd_notify(3)): READY once
 * devices, database and HTTP are up, a one-line STATUS, WATCHDOG pets while
 * the analysis thread keeps going round its loop, RELOADING and STOPPING.
 * Built without libsystemd every call does nothing, and outside systemd
 * (no NOTIFY_SOCKET) sd_notify() itself does nothing. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>

#include "daemon_priv.h"

#define LOG_PREFIX "daemon"

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>

static void notify(const char *state)
{
	int rc = sd_notify(0, state);

	if (rc < 0)
		ins_dbg("sd_notify: %d", rc);
}

int64_t daemon_watchdog_usec(void)
{
	uint64_t usec = 0;

	return sd_watchdog_enabled(0, &usec) > 0 ? (int64_t)usec : 0;
}
#else
static void notify(const char *state)
{
	(void)state;
}

int64_t daemon_watchdog_usec(void)
{
	return 0;
}
#endif

/* "2 of 2 devices streaming, recording session 7" (sessions of every lane) */
static void status_line(const struct daemon *d, char *out, size_t size)
{
	unsigned streaming = 0, recording = 0;
	size_t n;

	for (unsigned i = 0; i < d->n_lanes; i++)
		streaming += (unsigned)ins_acq_streaming(d->lane[i].acq);
	n = (size_t)snprintf(out, size, "%u of %u devices streaming, ", streaming, d->cfg->n_devices);
	for (unsigned i = 0; i < d->n_lanes && n < size; i++) {
		int64_t session = daemon_lane_recording(&d->lane[i]);

		if (session != NO_SESSION)
			n += (size_t)snprintf(out + n, size - n, "%srecording session %lld", recording++ ? ", " : "",
					      (long long)session);
	}
	if (!recording && n < size)
		snprintf(out + n, size - n, "not recording");
}

/* At start-up, and again after a reload. */
void daemon_notify_ready(const struct daemon *d)
{
	char msg[256] = "READY=1\nSTATUS=";

	status_line(d, msg + 15, sizeof(msg) - 15);
	notify(msg);
}

/* 1 when every lane's analysis thread went round its loop since the last tick. */
static int all_lanes_beating(struct daemon *d)
{
	int beating = 1;

	for (unsigned i = 0; i < d->n_lanes; i++) {
		uint64_t beat = atomic_load(&d->lane[i].worker.heartbeat);

		if (beat == d->notify_last_beat[i]) {
			ins_warn("%sthe analysis thread has not gone round its loop since the last check",
				 d->lane[i].log_prefix);
			beating = 0;
		}
		d->notify_last_beat[i] = beat;
	}
	return beating;
}

void daemon_notify_tick(struct daemon *d)
{
	char msg[256] = "STATUS=";

	status_line(d, msg + 7, sizeof(msg) - 7);
	notify(msg);
	/* A stuck analysis thread stops the pets: systemd restarts the daemon
	 * (WatchdogSec=) instead of it serving a frozen view. */
	if (all_lanes_beating(d))
		notify("WATCHDOG=1");
}

void daemon_notify_reloading(void)
{
	notify("RELOADING=1\nSTATUS=reloading the configuration");
}

void daemon_notify_stopping(void)
{
	notify("STOPPING=1\nSTATUS=stopping");
}
