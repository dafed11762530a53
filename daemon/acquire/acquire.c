/* Acquisition (acquire.h): one thread per device reads bytes, runs them
 * through its protocol parser, stamps receive times and pushes frames into
 * the bounded queue, never waiting on anything downstream.  A device that
 * fails or vanishes is closed and reopened with backoff; a silent one, or
 * one that sends bytes but no valid frame, is reported by a watchdog. */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "device.h"
#include "insoled/acquire.h"
#include "insoled/clock.h"
#include "insoled/log.h"
#include "insoled/protocol.h"
#include "insoled/thread.h"
#include "queue.h"

#define LOG_PREFIX "acquire"

/* One read takes at most this much: a few ms of data at any baud rate, and
 * small enough to stay in cache on its way through the parser. */
#define READ_CHUNK 16384
/* Longest a device thread waits in one read before looking at the watchdog
 * and the stop flag (the stop flag also wakes it at once). */
#define READ_POLL_MS 250
/* The most bytes a device thread takes in a second, averaged over
 * READ_BURST_US: over three times what the fastest USB-serial bridges
 * carry (12 Mbaud, 1.2 MB/s), so no serial device ever meets it, while a
 * device flooding faster (a pty, a broken driver) costs its lane at most
 * this much parsing instead of a whole core the other lanes need.  Past it
 * the thread waits and the bytes wait in the kernel, which drops what its
 * buffer cannot hold (seen as garbage or lost frames when reading goes on). */
#define READ_MAX_BYTES_PER_S 4000000
#define READ_BURST_US 20000
/* A connection that lasted less than this does not reset the backoff: a
 * device that opens and fails at once must not make a busy loop. */
#define STABLE_CONNECTION_US 2000000

enum dev_state { ST_OPENING, ST_OPEN, ST_SILENT, ST_WAITING, ST_FINISHED, ST_STOPPED };
static const char *const state_names[] = { "opening", "open", "silent", "waiting", "finished", "stopped" };

struct acq_device {
	struct ins_acq *acq;
	struct ins_device_config cfg;  /* strings below are our copies */
	char *name, *port, *synth_args, *format;
	pthread_t thread;
	int thread_started;
	struct ins_proto *proto;
	uint8_t *rbuf;
	int64_t watchdog_us;

	/* Owned by the device thread. */
	int64_t opened_us, last_byte_us, last_frame_us; /* monotonic */
	int64_t read_allowed_us;        /* the byte budget: next read at full rate (throttle()) */
	int silent_reported, noframes_reported;
	struct ins_proto_stats logged;  /* counters already reported in the log */
	struct ins_ratelimit rl_open, rl_fault, rl_drop;
	char logged_open_error[256];    /* the open failure last logged */

	/* Shared with status readers, under lock. */
	pthread_mutex_t lock;
	enum dev_state state;
	enum acquire_dev_driver driver;
	int have_driver;
	char path[PATH_MAX];
	char last_error[256];
	struct ins_proto_stats pst;
	uint64_t opens, open_failures, disconnects, watchdog_silent, watchdog_no_frames;
	uint64_t frames_queued, queue_drops;
	int64_t last_frame_mono_us;
};

struct ins_acq {
	struct acquire_queue *queue;
	unsigned max_n;
	struct acq_device **devs;
	size_t n_devs;
	int wake_fd;
	atomic_int stopping;
	atomic_int running;    /* device threads still running */
	int started;
	ins_acq_pause_fn pause; /* NULL: poll() on wake_fd */
	void *pause_ctx;
	ins_acq_consumer_fn consumer; /* NULL: pushes wake the consumer */
	void *consumer_ctx;
};

/* ---- lifecycle ------------------------------------------------------------ */

struct ins_acq *ins_acq_new(size_t queue_frames, unsigned max_n, char *err, size_t errlen)
{
	struct ins_acq *acq = calloc(1, sizeof(*acq));

	if (!acq) {
		snprintf(err, errlen, "acquisition: out of memory");
		return NULL;
	}
	acq->wake_fd = -1;
	acq->max_n = max_n;
	acq->queue = acquire_queue_new(queue_frames, max_n, err, errlen);
	if (!acq->queue)
		goto fail;
	acq->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (acq->wake_fd < 0) {
		snprintf(err, errlen, "acquisition: eventfd: %s", strerror(errno));
		goto fail;
	}
	return acq;
fail:
	ins_acq_free(acq);
	return NULL;
}

static void device_free(struct acq_device *d)
{
	if (!d)
		return;
	ins_proto_free(d->proto);
	free(d->rbuf);
	free(d->name);
	free(d->port);
	free(d->synth_args);
	free(d->format);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

static char *dup_or_null(const char *s, int *failed)
{
	char *c;

	if (!s)
		return NULL;
	c = strdup(s);
	if (!c)
		*failed = 1;
	return c;
}

int ins_acq_add_device(struct ins_acq *acq, const struct ins_device_config *cfg, char *err, size_t errlen)
{
	struct ins_proto_config pcfg = { .max_n = acq->max_n, .expected_n = cfg->expected_n, .bare_foot = -1 };
	struct acq_device *d, **grown;
	int failed = 0;

	if (acq->started) {
		snprintf(err, errlen, "%s: devices must be added before acquisition starts", cfg->port);
		return -1;
	}
	if (!cfg->port || !cfg->port[0]) {
		snprintf(err, errlen, "device '%s': no port given", cfg->name ? cfg->name : "?");
		return -1;
	}
	if (cfg->foot != INS_DEV_FOOT_AUTO && (cfg->foot < 0 || cfg->foot >= INS_FOOT_COUNT)) {
		snprintf(err, errlen, "%s: foot %d is not left (0), right (1) or auto", cfg->port, cfg->foot);
		return -1;
	}
	if (cfg->expected_n > acq->max_n) {
		snprintf(err, errlen, "%s: layout size %u is larger than the queue's %u values", cfg->port,
			 cfg->expected_n, acq->max_n);
		return -1;
	}
	if (acquire_dev_check_config(cfg, acq->max_n, err, errlen) < 0)
		return -1;
	if (cfg->foot != INS_DEV_FOOT_AUTO)
		pcfg.bare_foot = cfg->foot;
	d = calloc(1, sizeof(*d));
	if (!d)
		goto nomem;
	pthread_mutex_init(&d->lock, NULL);
	d->acq = acq;
	d->cfg = *cfg;
	d->name = dup_or_null(cfg->name ? cfg->name : cfg->port, &failed);
	d->port = dup_or_null(cfg->port, &failed);
	d->synth_args = dup_or_null(cfg->synth_args, &failed);
	d->format = dup_or_null(cfg->format, &failed);
	d->cfg.name = d->name;
	d->cfg.port = d->port;
	d->cfg.synth_args = d->synth_args;
	d->cfg.format = d->format;
	d->rbuf = malloc(READ_CHUNK);
	if (failed || !d->rbuf)
		goto nomem;
	d->proto = ins_proto_new(&pcfg, err, errlen);
	if (!d->proto) {
		device_free(d);
		return -1;
	}
	d->watchdog_us = (int64_t)(cfg->watchdog_ms ? cfg->watchdog_ms : INS_ACQ_WATCHDOG_MS) * 1000;
	snprintf(d->path, sizeof(d->path), "%s", cfg->port);
	grown = realloc(acq->devs, sizeof(*grown) * (acq->n_devs + 1));
	if (!grown)
		goto nomem;
	acq->devs = grown;
	acq->devs[acq->n_devs++] = d;
	return 0;
nomem:
	snprintf(err, errlen, "%s: out of memory", cfg->port);
	device_free(d);
	return -1;
}

/* ---- device thread helpers -------------------------------------------------- */

static int stopping(const struct ins_acq *acq)
{
	return atomic_load(&acq->stopping);
}

static void set_state(struct acq_device *d, enum dev_state st)
{
	pthread_mutex_lock(&d->lock);
	d->state = st;
	pthread_mutex_unlock(&d->lock);
}

/* Sleeps up to ms, returning early when acquisition stops (the eventfd is
 * written once at stop and never read, so it wakes every thread). */
static void pause_ms(struct ins_acq *acq, int ms)
{
	struct pollfd pfd = { .fd = acq->wake_fd, .events = POLLIN };

	if (stopping(acq))
		return;
	if (acq->pause)
		acq->pause(acq->pause_ctx, ms, acq->wake_fd);
	else
		poll(&pfd, 1, ms);
}

void ins_acq_set_pause(struct ins_acq *acq, ins_acq_pause_fn pause, void *ctx)
{
	acq->pause = pause;
	acq->pause_ctx = ctx;
}

/* why already names the path; the device's name is added when it differs. */
static void log_device_problem(const struct acq_device *d, const char *why, const char *next, unsigned suppressed)
{
	char extra[64] = "";

	if (suppressed)
		snprintf(extra, sizeof(extra), " (%u similar messages suppressed)", suppressed);
	if (strncmp(why, d->name, strlen(d->name)) == 0)
		ins_warn("%s%s%s", why, next, extra);
	else
		ins_warn("%s: %s%s%s", d->name, why, next, extra);
}

/* A device that stays missing is logged once, not at every retry: the
 * line comes again only when the reason changes (open_failures counts). */
static void note_open_failure(struct acq_device *d, const char *why)
{
	unsigned suppressed;

	pthread_mutex_lock(&d->lock);
	d->open_failures++;
	d->state = d->cfg.once ? ST_FINISHED : ST_WAITING;
	snprintf(d->last_error, sizeof(d->last_error), "%s", why);
	pthread_mutex_unlock(&d->lock);
	if (strcmp(why, d->logged_open_error) == 0)
		return;
	snprintf(d->logged_open_error, sizeof(d->logged_open_error), "%s", why);
	if (ins_ratelimit_ok(&d->rl_open, &suppressed))
		log_device_problem(d, why, d->cfg.once ? "" : "; retrying until it appears", suppressed);
}

static void note_opened(struct acq_device *d, const struct acquire_dev *dev)
{
	int64_t now = ins_mono_us();

	/* The timeline resumes after the outage as the host clock saw it,
	 * from the last frame to the first new one (consume()). */
	ins_proto_reset_stream(d->proto, 0);
	d->opened_us = d->last_byte_us = d->last_frame_us = now;
	d->silent_reported = d->noframes_reported = 0;
	d->logged_open_error[0] = '\0';
	pthread_mutex_lock(&d->lock);
	d->opens++;
	d->state = ST_OPEN;
	d->driver = acquire_dev_driver(dev);
	d->have_driver = 1;
	snprintf(d->path, sizeof(d->path), "%s", acquire_dev_path(dev));
	pthread_mutex_unlock(&d->lock);
	/* A synthetic device has no path or driver worth naming twice. */
	if (acquire_dev_driver(dev) == INS_DEV_SYNTHETIC)
		ins_info("%s: simulating an insole (no hardware)", d->name);
	else
		ins_info("%s: reading %s through %s", d->name, acquire_dev_path(dev),
			 acquire_dev_driver_name(acquire_dev_driver(dev)));
}

static void note_lost(struct acq_device *d, const char *why)
{
	unsigned suppressed;

	pthread_mutex_lock(&d->lock);
	d->disconnects++;
	d->state = d->cfg.once ? ST_FINISHED : ST_WAITING;
	snprintf(d->last_error, sizeof(d->last_error), "%s", why);
	pthread_mutex_unlock(&d->lock);
	if (ins_ratelimit_ok(&d->rl_open, &suppressed))
		log_device_problem(d, why, d->cfg.once ? "" : "; reopening", suppressed);
}

/* Counters that mean something went wrong (the rest are volumes). */
static int is_fault_counter(const char *name)
{
	static const char *const volumes[] = { "bytes", "frames", "frames_binary", "frames_ascii", "resyncs",
					       "crc_error_bytes", "dropped_bytes", "comment_lines", "seq_gaps" };

	for (size_t i = 0; i < sizeof(volumes) / sizeof(volumes[0]); i++)
		if (strcmp(name, volumes[i]) == 0)
			return 0;
	return 1;
}

/* Logs the faults the parser counted since the last report, rate-limited:
 * "crc_errors +3, garbage_bytes +120". */
static void report_faults(struct acq_device *d, const struct ins_proto_stats *now)
{
	char msg[512];
	size_t len = 0;
	unsigned suppressed;

#define INS_X_DELTA(fld, what)                                                                          \
	if (now->fld != d->logged.fld && is_fault_counter(#fld) && len < sizeof(msg))                    \
		len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%s" #fld " +%llu", len ? ", " : "", \
					(unsigned long long)(now->fld - d->logged.fld));
	INS_PROTO_STATS(INS_X_DELTA)
#undef INS_X_DELTA
	if (len == 0 || !ins_ratelimit_ok(&d->rl_fault, &suppressed))
		return;
	if (now->n_mismatches > d->logged.n_mismatches)
		ins_warn("%s: frames without the layout's %u values are dropped: is the right layout "
			 "configured for this insole?", d->name, d->cfg.expected_n);
	if (now->bare_lines_without_foot > d->logged.bare_lines_without_foot)
		ins_warn("%s: ASCII lines without L/R are dropped: configure the device's foot to read them",
			 d->name);
	ins_warn("%s: %s%s", d->name, msg, suppressed ? " (earlier reports suppressed)" : "");
	d->logged = *now;
}

static void watchdog(struct acq_device *d, int64_t now)
{
	unsigned baud = d->cfg.baud ? d->cfg.baud : INS_DEV_DEFAULT_BAUD;

	if (!d->silent_reported && now - d->last_byte_us >= d->watchdog_us) {
		d->silent_reported = 1;
		pthread_mutex_lock(&d->lock);
		d->watchdog_silent++;
		d->state = ST_SILENT;
		pthread_mutex_unlock(&d->lock);
		ins_warn("%s: no data for %lld ms: is the insole on and connected?", d->name,
			 (long long)((now - d->last_byte_us) / 1000));
	}
	if (!d->noframes_reported && !d->silent_reported && now - d->last_frame_us >= d->watchdog_us) {
		d->noframes_reported = 1;
		pthread_mutex_lock(&d->lock);
		d->watchdog_no_frames++;
		pthread_mutex_unlock(&d->lock);
		ins_warn("%s: bytes arrive but no valid frame for %lld ms: check the baud rate (%u) and "
			 "that the firmware speaks protocol v1", d->name, (long long)((now - d->last_frame_us) / 1000),
			 baud);
	}
}

static void got_bytes(struct acq_device *d, int64_t now)
{
	if (d->silent_reported) {
		ins_info("%s: data again after %lld ms", d->name, (long long)((now - d->last_byte_us) / 1000));
		d->silent_reported = 0;
		set_state(d, ST_OPEN);
	}
	d->last_byte_us = now;
}

/* A read can hold more frames than the queue (a burst after the thread
 * was held up, a small queue_frames): a consumer that runs on this thread
 * takes what is queued before a frame is dropped, as it would have had the
 * frames come in smaller reads.  0, or -1 for a drop (counted). */
static int push_frame(struct acq_device *d, const struct ins_frame *f)
{
	int rc;

	if (!d->acq->consumer)
		return acquire_queue_push(d->acq->queue, f);
	rc = acquire_queue_offer(d->acq->queue, f);
	if (rc != 1)
		return rc;
	d->acq->consumer(d->acq->consumer_ctx);
	return acquire_queue_push(d->acq->queue, f);
}

/* Runs bytes through the parser and queues every frame. */
static void consume(struct acq_device *d, const uint8_t *buf, size_t len, int64_t now)
{
	int64_t host_us = ins_realtime_us();
	uint64_t queued = 0, drops = 0;
	struct ins_proto_stats st;
	struct ins_frame f;
	enum ins_proto_result r;
	unsigned suppressed;

	ins_proto_set_read_time(d->proto, now);
	while ((r = ins_proto_parse(d->proto, &buf, &len, &f)) != INS_PROTO_NEED_MORE) {
		if (r != INS_PROTO_FRAME)
			continue;
		f.host_us = host_us;
		if (d->cfg.foot != INS_DEV_FOOT_AUTO)
			f.foot = (uint8_t)d->cfg.foot;
		if (push_frame(d, &f) == 0)
			queued++;
		else
			drops++;
	}
	if (queued || drops) {
		if (d->noframes_reported)
			ins_info("%s: valid frames again", d->name);
		d->noframes_reported = 0;
		d->last_frame_us = now;
	}
	ins_proto_get_stats(d->proto, &st);
	pthread_mutex_lock(&d->lock);
	d->pst = st;
	d->frames_queued += queued;
	d->queue_drops += drops;
	if (queued || drops)
		d->last_frame_mono_us = now;
	pthread_mutex_unlock(&d->lock);
	if (drops && ins_ratelimit_ok(&d->rl_drop, &suppressed))
		ins_warn("%s: frame queue full, %llu frames dropped: the analysis is not keeping up%s", d->name,
			 (unsigned long long)drops, suppressed ? " (earlier reports suppressed)" : "");
	report_faults(d, &st);
	if (queued && d->acq->consumer)
		d->acq->consumer(d->acq->consumer_ctx);
}

/* Waits no longer than the next watchdog deadline, so reports come on time. */
static int poll_ms(const struct acq_device *d)
{
	int64_t now = ins_mono_us(), due = INT64_MAX;

	/* While silent, neither watchdog can fire again until bytes come. */
	if (!d->silent_reported) {
		due = d->last_byte_us + d->watchdog_us;
		if (!d->noframes_reported && d->last_frame_us + d->watchdog_us < due)
			due = d->last_frame_us + d->watchdog_us;
	}
	if (due - now >= READ_POLL_MS * 1000)
		return READ_POLL_MS;
	return due <= now ? 1 : (int)((due - now + 999) / 1000);
}

/* After a read of n bytes: waits (woken by stop) when the device has sent
 * more than READ_MAX_BYTES_PER_S allows, bursts of READ_BURST_US aside. */
static void throttle(struct acq_device *d, size_t n, int64_t now)
{
	struct pollfd pfd = { .fd = d->acq->wake_fd, .events = POLLIN };
	int64_t from = d->read_allowed_us > now - READ_BURST_US ? d->read_allowed_us : now - READ_BURST_US;

	d->read_allowed_us = from + (int64_t)n * 1000000 / READ_MAX_BYTES_PER_S;
	if (d->read_allowed_us > now + 1000 && !stopping(d->acq))
		poll(&pfd, 1, (int)((d->read_allowed_us - now) / 1000));
}

/* Reads until the device fails, ends or acquisition stops.  Returns the
 * last acquire_dev_read result (0 when stopping). */
static ssize_t read_loop(struct acq_device *d, struct acquire_dev *dev)
{
	char why[256];

	while (!stopping(d->acq)) {
		ssize_t n = acquire_dev_read(dev, d->rbuf, READ_CHUNK, poll_ms(d), d->acq->wake_fd, why, sizeof(why));
		int64_t now = ins_mono_us();

		if (n > 0) {
			got_bytes(d, now);
			consume(d, d->rbuf, (size_t)n, now);
			throttle(d, (size_t)n, now);
		} else if (n == INS_DEV_EOF) {
			ins_info("%s: end of %s", d->name, acquire_dev_path(dev));
			return n;
		} else if (n < 0) {
			note_lost(d, why);
			return n;
		}
		watchdog(d, now);
	}
	return 0;
}

static int next_backoff(int ms)
{
	return ms * 2 > INS_ACQ_BACKOFF_MAX_MS ? INS_ACQ_BACKOFF_MAX_MS : ms * 2;
}

static void *device_thread(void *arg)
{
	struct acq_device *d = arg;
	struct ins_acq *acq = d->acq;
	int backoff_ms = INS_ACQ_BACKOFF_MIN_MS;
	char why[256];

	while (!stopping(acq)) {
		struct acquire_dev *dev = acquire_dev_open(&d->cfg, acq->max_n, why, sizeof(why));
		ssize_t rc;

		if (!dev) {
			note_open_failure(d, why);
			if (d->cfg.once)
				break;
			pause_ms(acq, backoff_ms);
			backoff_ms = next_backoff(backoff_ms);
			continue;
		}
		note_opened(d, dev);
		rc = read_loop(d, dev);
		acquire_dev_close(dev);
		if (rc == INS_DEV_EOF || d->cfg.once || stopping(acq))
			break;
		if (ins_mono_us() - d->opened_us >= STABLE_CONNECTION_US)
			backoff_ms = INS_ACQ_BACKOFF_MIN_MS;
		pause_ms(acq, backoff_ms);
		backoff_ms = next_backoff(backoff_ms);
	}
	set_state(d, stopping(acq) ? ST_STOPPED : ST_FINISHED);
	/* The last device to end closes the queue, so a consumer of files
	 * (--dump of a capture) sees the end of the data. */
	if (atomic_fetch_sub(&acq->running, 1) == 1)
		acquire_queue_close(acq->queue);
	return NULL;
}

int ins_acq_start(struct ins_acq *acq, char *err, size_t errlen)
{
	if (acq->started) {
		snprintf(err, errlen, "acquisition: already started");
		return -1;
	}
	if (acq->n_devs == 0) {
		snprintf(err, errlen, "acquisition: no device configured");
		return -1;
	}
	acq->started = 1;
	atomic_store(&acq->running, (int)acq->n_devs);
	for (size_t i = 0; i < acq->n_devs; i++) {
		struct acq_device *d = acq->devs[i];
		int rc = ins_thread_start(&d->thread, INS_STACK_MEDIUM, device_thread, d);

		if (rc != 0) {
			snprintf(err, errlen, "%s: cannot start its thread: %s", d->name, strerror(rc));
			atomic_fetch_sub(&acq->running, (int)(acq->n_devs - i));
			ins_acq_stop(acq);
			return -1;
		}
		d->thread_started = 1;
	}
	return 0;
}

void ins_acq_stop(struct ins_acq *acq)
{
	uint64_t one = 1;

	if (!acq)
		return;
	atomic_store(&acq->stopping, 1);
	if (write(acq->wake_fd, &one, sizeof(one)) < 0)
		ins_err("cannot wake the device threads: %s", strerror(errno));
	for (size_t i = 0; i < acq->n_devs; i++) {
		if (acq->devs[i]->thread_started) {
			pthread_join(acq->devs[i]->thread, NULL);
			acq->devs[i]->thread_started = 0;
		}
	}
	acquire_queue_close(acq->queue);
}

void ins_acq_free(struct ins_acq *acq)
{
	if (!acq)
		return;
	if (acq->started)
		ins_acq_stop(acq);
	for (size_t i = 0; i < acq->n_devs; i++)
		device_free(acq->devs[i]);
	free(acq->devs);
	acquire_queue_free(acq->queue);
	if (acq->wake_fd >= 0)
		close(acq->wake_fd);
	free(acq);
}

int ins_acq_pop(struct ins_acq *acq, struct ins_frame *frame, int timeout_ms)
{
	return acquire_queue_pop(acq->queue, frame, timeout_ms);
}

void ins_acq_set_consumer(struct ins_acq *acq, ins_acq_consumer_fn consumer, void *ctx)
{
	acq->consumer = consumer;
	acq->consumer_ctx = ctx;
	acquire_queue_set_quiet(acq->queue, consumer != NULL);
}

int ins_acq_wait(struct ins_acq *acq, int timeout_ms)
{
	return acquire_queue_wait(acq->queue, timeout_ms);
}

void ins_acq_kick(struct ins_acq *acq)
{
	acquire_queue_kick(acq->queue);
}

size_t ins_acq_depth(struct ins_acq *acq)
{
	struct acquire_queue_stats st;

	acquire_queue_get_stats(acq->queue, &st);
	return st.depth;
}

/* ---- status ------------------------------------------------------------------ */

static json_t *device_status(struct acq_device *d, int64_t now)
{
	json_t *o = json_object(), *proto = json_object();

	pthread_mutex_lock(&d->lock);
#define INS_X_JSON(fld, what) json_object_set_new(proto, #fld, json_integer((json_int_t)d->pst.fld));
	INS_PROTO_STATS(INS_X_JSON)
#undef INS_X_JSON
	json_object_set_new(o, "name", json_string(d->name));
	json_object_set_new(o, "port", json_string(d->port));
	json_object_set_new(o, "path", json_string(d->path));
	json_object_set_new(o, "driver", d->have_driver ? json_string(acquire_dev_driver_name(d->driver)) : json_null());
	json_object_set_new(o, "state", json_string(state_names[d->state]));
	json_object_set_new(o, "foot", d->cfg.foot == INS_DEV_FOOT_AUTO ? json_string("auto")
								     : json_string(ins_foot_name((unsigned)d->cfg.foot)));
	json_object_set_new(o, "opens", json_integer((json_int_t)d->opens));
	json_object_set_new(o, "open_failures", json_integer((json_int_t)d->open_failures));
	json_object_set_new(o, "disconnects", json_integer((json_int_t)d->disconnects));
	json_object_set_new(o, "watchdog_silent", json_integer((json_int_t)d->watchdog_silent));
	json_object_set_new(o, "watchdog_no_frames", json_integer((json_int_t)d->watchdog_no_frames));
	json_object_set_new(o, "frames_queued", json_integer((json_int_t)d->frames_queued));
	json_object_set_new(o, "queue_drops", json_integer((json_int_t)d->queue_drops));
	json_object_set_new(o, "last_frame_age_ms", d->last_frame_mono_us
		? json_integer((json_int_t)((now - d->last_frame_mono_us) / 1000)) : json_null());
	json_object_set_new(o, "last_error", d->last_error[0] ? json_string(d->last_error) : json_null());
	pthread_mutex_unlock(&d->lock);
	json_object_set_new(o, "protocol", proto);
	return o;
}

unsigned ins_acq_streaming(struct ins_acq *acq)
{
	int64_t now = ins_mono_us();
	unsigned n = 0;

	for (size_t i = 0; i < acq->n_devs; i++) {
		struct acq_device *d = acq->devs[i];

		pthread_mutex_lock(&d->lock);
		n += d->state == ST_OPEN && d->last_frame_mono_us && now - d->last_frame_mono_us < d->watchdog_us;
		pthread_mutex_unlock(&d->lock);
	}
	return n;
}

unsigned ins_acq_tried(struct ins_acq *acq)
{
	unsigned n = 0;

	for (size_t i = 0; i < acq->n_devs; i++) {
		struct acq_device *d = acq->devs[i];

		pthread_mutex_lock(&d->lock);
		n += d->opens + d->open_failures > 0;
		pthread_mutex_unlock(&d->lock);
	}
	return n;
}

json_t *ins_acq_status(struct ins_acq *acq)
{
	json_t *root = json_object(), *devs = json_array(), *q = json_object();
	struct acquire_queue_stats qs;
	int64_t now = ins_mono_us();

	for (size_t i = 0; i < acq->n_devs; i++)
		json_array_append_new(devs, device_status(acq->devs[i], now));
	acquire_queue_get_stats(acq->queue, &qs);
	json_object_set_new(q, "capacity", json_integer((json_int_t)qs.capacity));
	json_object_set_new(q, "depth", json_integer((json_int_t)qs.depth));
	json_object_set_new(q, "high_water", json_integer((json_int_t)qs.high_water));
	json_object_set_new(q, "pushed", json_integer((json_int_t)qs.pushed));
	json_object_set_new(q, "popped", json_integer((json_int_t)qs.popped));
	json_object_set_new(q, "dropped", json_integer((json_int_t)qs.dropped));
	json_object_set_new(root, "devices", devs);
	json_object_set_new(root, "queue", q);
	return root;
}
