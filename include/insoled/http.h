/* The HTTP API, live stream and dashboard files on libmicrohttpd
 * (docs/api.md).  Knows the store and the live state; everything else it
 * needs from the daemon comes through hooks, so it never reaches back into
 * acquisition.  Implemented in daemon/http/. */
#ifndef INSOLED_HTTP_H
#define INSOLED_HTTP_H

#pragma GCC visibility push(default)

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "insoled/live.h"
#include "insoled/result.h"
#include "insoled/session.h"
#include "insoled/store.h"

/* Hooks return INS_OK or an enum ins_rc code (result.h) with err saying why
 * and, for INS_EINVAL, the member at fault in err->field; the HTTP layer
 * answers each code with its one status (INS_ECONFLICT 409 "already
 * recording", INS_EINVAL 400, INS_EUNAVAIL 503 "no device streaming"...).
 * Any hook may be NULL: its endpoints then answer 503. */
struct ins_http_hooks {
	void *ctx;
	/* Add "devices", "acquisition", "queues" members to the status object. */
	void (*fill_status)(void *ctx, json_t *status);
	/* Start/stop recording the live stream into a session. */
	int (*start_recording)(void *ctx, const struct ins_session_meta *meta, int64_t *session_id,
			       struct ins_error *err);
	int (*stop_recording)(void *ctx, int64_t session_id, struct ins_error *err);
	/* Calibration steps from the dashboard: tare a foot (unloaded now), set body weight. */
	int (*tare)(void *ctx, int foot, struct ins_error *err);
	int (*set_body_weight)(void *ctx, double body_weight_n, struct ins_error *err);
	/* Devices and their layouts, for the settings view. */
	json_t *(*devices)(void *ctx);
	/* Body-weight scaling of a foot while the subject stands still on it:
	 * waits for the analysis to measure (about 2 s, bounded) and returns
	 * {"ok","foot","measured_force_n","sd_force_n","frames","body_weight_n",
	 * "scale"} in *result; a refused measurement returns INS_ECONFLICT
	 * with err saying why. */
	int (*body_weight_scale)(void *ctx, int foot, json_t **result, struct ins_error *err);
	/* One lane's line in GET /api/lanes: {"name", "devices", "state",
	 * "frames_per_s", "recording_session", ...}. */
	json_t *(*lane_summary)(void *ctx);
};

/* A lane: the devices one subject wears, with its own live state and hooks
 * (docs/api.md, "Lanes"). */
struct ins_http_lane {
	const char *name;
	struct ins_live *live;
	struct ins_http_hooks hooks;
};

struct ins_http_config {
	const char *bind_addr;    /* default 127.0.0.1 */
	uint16_t port;            /* default 8080; 0 = pick a free port (tests) */
	const char *token;        /* required when bind_addr is not loopback */
	const char *web_root;     /* dashboard files */
	const char *vendor_root;  /* third-party JS (uPlot) installed beside it */
	const char *tls_cert, *tls_key; /* PEM files; both set = HTTPS */
	unsigned threads;         /* 0 = number of cores */
	unsigned max_connections, max_per_ip;
	const char *layout_dir;   /* for GET /api/layouts/NAME; NULL = layouts/ beside web_root */
	unsigned sse_stall_timeout_s; /* drop an SSE client that accepts nothing this long (0 = 15 s) */
	/* The monotonic clock SSE heartbeats are timed on, in microseconds;
	 * NULL = ins_mono_us.  Tests stop it, so that every event has to come
	 * through a wake-up and a lost one cannot hide behind a heartbeat. */
	int64_t (*clock_us)(void);
	/* The lanes served under /api/lanes/NAME/; the un-prefixed routes are
	 * the live state and hooks given to ins_http_start (the first lane's).
	 * n_lanes 0: one lane, unnamed. */
	const struct ins_http_lane *lanes;
	unsigned n_lanes;
};

struct ins_http;
struct ins_http *ins_http_start(const struct ins_http_config *cfg, struct ins_store *store,
				struct ins_live *live, const struct ins_http_hooks *hooks,
				char *err, size_t errlen);
uint16_t ins_http_port(const struct ins_http *http); /* the bound port */
void ins_http_stop(struct ins_http *http);

#pragma GCC visibility pop

#endif
