/* The running daemon's parts, shared by the files that build it:
 * data_dirs.c (where layouts/, sql/ and web/ are), worker.c (the analysis
 * thread), hooks.c (what the HTTP layer calls, and its JSON), notify.c (the
 * service manager) and pipeline.c (start-up and shut-down).  Each lock sits in the struct of the state it
 * guards, beside the file that owns that state. */
#ifndef INSOLED_DAEMON_PRIV_H
#define INSOLED_DAEMON_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "daemon_config.h"
#include "pipeline.h"
#include "insoled/acquire.h"
#include "insoled/analysis.h"
#include "insoled/http.h"
#include "insoled/live.h"
#include "insoled/store.h"

#define NO_SESSION 0

/* Requests from the HTTP hooks to the analysis thread (hooks.c writes,
 * worker.c reads). */
struct control {
	pthread_mutex_t lock;           /* serialises the hooks' requests */
	atomic_int_fast64_t recording;  /* session id, or NO_SESSION */
	atomic_int tare_request[INS_FOOT_COUNT];
	_Atomic double body_weight_n;
	atomic_int body_weight_changed;
	double session_body_weight_n;   /* written before `recording` is published */
};

/* Session hand-over.  A recorded session starts with a fresh analysis built
 * from the calibration in force at its start, and records every later tare
 * and weight change, so re-analysing its raw archive gives exactly the live
 * results.  The hook asks (hooks.c), the analysis thread copies (worker.c). */
struct snapshot_handover {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int requested;                                 /* under lock */
	struct ins_calib_curve *calib[INS_FOOT_COUNT]; /* written under lock */
};

/* A body-weight scale request between the HTTP hook and the analysis thread. */
enum scale_state { SCALE_IDLE, SCALE_REQUESTED, SCALE_MEASURING, SCALE_DONE, SCALE_ABANDONED };

/* Body-weight scaling: the hook (one at a time, under control.lock) hands
 * the request over and waits; the analysis thread measures, applies and
 * answers. */
struct scale_handover {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum scale_state state;          /* under lock, with foot and result */
	unsigned foot;
	struct ins_bw_scale_result result;
	int measuring;                   /* analysis thread only */
	unsigned measuring_foot;         /* analysis thread only */
};

/* The analysis thread (worker.c): the only reader of the analysis. */
struct worker {
	pthread_t thread;
	int running;                     /* thread started and not yet joined */
	struct ins_analysis *ana;
	/* Held by whoever feeds the analysis, a device thread or the analysis
	 * thread (worker.c); the fields marked "feeder only" are under it. */
	pthread_mutex_t feed_lock;
	int64_t active_session;          /* feeder only */
	atomic_uint_fast64_t frames_analysed, frames_rejected, steps_detected;
	atomic_uint_fast64_t heartbeat; /* one more each time round the loop (notify.c) */
	/* Frames per second over the last RATE_WINDOW_US of host time, for GET /api/lanes. */
	_Atomic double frames_per_s;
	int64_t rate_start_us;           /* feeder only */
	uint64_t rate_start_frames;      /* feeder only */
	/* Each foot's timeline across reloads (worker.c; set by reload.c while
	 * the thread is stopped). */
	int rebase[INS_FOOT_COUNT];
	int64_t last_t_us[INS_FOOT_COUNT], last_host_us[INS_FOOT_COUNT], t_offset_us[INS_FOOT_COUNT];
	/* Sensor health flags, copied at each step and read by GET /api/status. */
	pthread_mutex_t health_lock;
	uint8_t *sensor_flags[INS_FOOT_COUNT];
	/* Dense grids: the anatomical mask the analysis found from the
	 * footprint, per sensor, under health_lock like the flags; MASK_UNKNOWN
	 * until the first step.  NULL for sparse layouts (their mask is fixed). */
	uint8_t *mask_regions[INS_FOOT_COUNT];
};
#define MASK_UNKNOWN 0xffu

struct daemon;

/* One lane (docs/configuration.md, [lane NAME]): the devices one subject
 * wears, with their own acquisition queue, analysis thread, calibration,
 * live state and recording, so that nothing one lane does (a device
 * flooding garbage, stalling or unplugged) reaches another. */
struct lane {
	struct daemon *d;
	unsigned index;                  /* in d->lane and d->cfg->lane */
	char name[64];
	char log_prefix[80];             /* "lane NAME: " with several lanes, else "" */
	struct ins_layout *layout[INS_FOOT_COUNT];
	struct ins_acq *acq;
	struct ins_live *live;
	struct control control;
	struct snapshot_handover snapshot;
	struct scale_handover scale;
	struct worker worker;
};

struct daemon {
	const struct daemon_config *cfg;
	struct daemon_config *cfg_owned;    /* the configuration read by the last reload */
	/* Held for writing while a reload swaps the pipeline; the HTTP hooks
	 * hold it for reading while they use the devices, layouts or cfg. */
	pthread_rwlock_t reload_lock;
	struct ins_store *store;
	struct ins_http *http;
	unsigned n_lanes;
	struct lane lane[INS_CONFIG_MAX_LANES];
	uint64_t notify_last_beat[INS_CONFIG_MAX_LANES]; /* main thread only (notify.c) */
};

static inline const struct daemon_config_lane *lane_config(const struct lane *ln)
{
	return &ln->d->cfg->lane[ln->index];
}

/* pipeline.c: the parts start-up and a reload build. */
int daemon_load_layouts(const struct daemon_config *cfg, const struct daemon_config_lane *lane,
			struct ins_layout *layout[INS_FOOT_COUNT], char *err, size_t errlen);
int daemon_open_analysis(struct lane *ln, char *err, size_t errlen);
int daemon_open_live(struct lane *ln, char *err, size_t errlen);
int daemon_add_devices(struct lane *ln, char *err, size_t errlen);
int daemon_start_analysis(struct lane *ln, char *err, size_t errlen);
int daemon_start_http(struct daemon *d, uint16_t port, char *err, size_t errlen);

/* reload.c: SIGHUP.  -1 when the daemon cannot go on. */
int daemon_reload(struct daemon *d, daemon_config_reader reread);

/* data_dirs.c */
void daemon_data_path(const struct daemon_config *cfg, const char *sub, char *out, size_t size);
const char *daemon_vendor_dir(const struct daemon_config *cfg, char *out, size_t size);

/* worker.c */
struct ins_analysis *daemon_new_analysis(const struct lane *ln, const struct ins_calib_curve *const calib[],
					 double body_weight_n, char *err, size_t errlen);
void *daemon_analysis_main(void *arg);
/* The lane's device threads feed its analysis themselves (worker.c). */
void daemon_feed_inline(struct lane *ln);

/* notify.c: sd_notify(3) when built with libsystemd, else nothing. */
int64_t daemon_watchdog_usec(void);     /* WatchdogSec= in us, 0 when off */
void daemon_notify_ready(const struct daemon *d);
void daemon_notify_tick(struct daemon *d); /* STATUS, and WATCHDOG while the analysis runs */
void daemon_notify_reloading(void);
void daemon_notify_stopping(void);

/* privileges.c: started as root, switch to the configured user (0 when
 * not root or done; -1 with err when that is impossible). */
int daemon_drop_privileges(struct daemon *d, char *err, size_t errlen);

/* lanes.c: making, starting and ending the lanes. */
int daemon_open_lanes(struct daemon *d, char *err, size_t errlen);
int daemon_start_lanes(struct daemon *d, char *err, size_t errlen);
void daemon_stop_lanes(struct daemon *d);
void daemon_free_lanes(struct daemon *d);
/* The session a lane records, or NO_SESSION. */
int64_t daemon_lane_recording(const struct lane *ln);
/* The lane_summary hook (GET /api/lanes): ctx is the lane. */
json_t *daemon_lane_summary(void *ctx);

/* hooks.c: a lane's hooks (ctx is the lane). */
struct ins_http_hooks daemon_http_hooks(struct lane *ln);

#endif
