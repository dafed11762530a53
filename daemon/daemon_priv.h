/* The running daemon's parts, shared by the files that build it:
 * data_dirs.c (where layouts/, sql/ and web/ are), worker.c (the analysis
 * thread), hooks.c (what the HTTP layer calls, and its JSON) and pipeline.c
 * (start-up and shut-down).  Each lock sits in the struct of the state it
 * guards, beside the file that owns that state. */
#ifndef INSOLED_DAEMON_PRIV_H
#define INSOLED_DAEMON_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "daemon_config.h"
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
	struct ins_analysis *ana;
	int64_t active_session;          /* analysis thread only */
	atomic_uint_fast64_t frames_analysed, frames_rejected, steps_detected;
	/* Sensor health flags, copied at each step and read by GET /api/status. */
	pthread_mutex_t health_lock;
	uint8_t *sensor_flags[INS_FOOT_COUNT];
};

struct daemon {
	const struct ins_config *cfg;
	struct ins_layout *layout[INS_FOOT_COUNT];
	struct ins_acq *acq;
	struct ins_store *store;
	struct ins_live *live;
	struct ins_http *http;
	struct control control;
	struct snapshot_handover snapshot;
	struct scale_handover scale;
	struct worker worker;
};

/* data_dirs.c */
void daemon_data_path(const struct ins_config *cfg, const char *sub, char *out, size_t size);
const char *daemon_vendor_dir(const struct ins_config *cfg, char *out, size_t size);

/* worker.c */
struct ins_analysis *daemon_new_analysis(const struct daemon *d, const struct ins_calib_curve *const calib[],
					 double body_weight_n, char *err, size_t errlen);
void *daemon_analysis_main(void *arg);

/* hooks.c */
struct ins_http_hooks daemon_http_hooks(struct daemon *d);

#endif
