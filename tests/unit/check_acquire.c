/* Acquisition threads end to end: the synthetic device through encoder and
 * parser (frames equal the model's), ptys through termios with unplug and
 * replug, the watchdogs, forced feet, queue drops, a consumer running on
 * the device thread and the status JSON. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "insoled/acquire.h"
#include "insoled/clock.h"
#include "insoled/protocol.h"
#include "insoled/synth.h"
#include "lib.h"

/* Only a hang guard, never a measurement: far above anything a healthy
 * run waits for, even on a loaded machine. */
#define HANG_GUARD_S 30

/* The waits a device thread asks for between attempts to open its device
 * (ins_acq_set_pause), recorded.  Each is waited as asked, except that
 * from the park_after-th on (0: never) the thread is parked until
 * acquisition stops, so the counters stand still for the test to read. */
#define PAUSES_KEPT 16
struct pause_log {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int ms[PAUSES_KEPT];
	unsigned n, park_after;
	int max_ms;
};
#define PAUSE_LOG_INIT(park) \
	{ .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER, .park_after = (park) }

static void record_pause(void *ctx, int ms, int wake_fd)
{
	struct pause_log *pl = ctx;
	struct pollfd pfd = { .fd = wake_fd, .events = POLLIN };
	unsigned n;

	pthread_mutex_lock(&pl->lock);
	n = pl->n++;
	if (n < PAUSES_KEPT)
		pl->ms[n] = ms;
	if (ms > pl->max_ms)
		pl->max_ms = ms;
	pthread_cond_broadcast(&pl->cond);
	pthread_mutex_unlock(&pl->lock);
	poll(&pfd, 1, pl->park_after && n + 1 >= pl->park_after ? -1 : ms);
}

/* Waits (at most HANG_GUARD_S) until the log holds a pause of at least
 * min_ms, or park_after pauses; returns how many it holds. */
static unsigned wait_pauses(struct pause_log *pl, int min_ms)
{
	struct timespec guard;
	unsigned n;

	clock_gettime(CLOCK_REALTIME, &guard);
	guard.tv_sec += HANG_GUARD_S;
	pthread_mutex_lock(&pl->lock);
	while (!(min_ms && pl->max_ms >= min_ms) && !(pl->park_after && pl->n >= pl->park_after) &&
	       pthread_cond_timedwait(&pl->cond, &pl->lock, &guard) == 0)
		;
	n = pl->n;
	pthread_mutex_unlock(&pl->lock);
	return n;
}

/* pauses: NULL, or a log that records (and may park) the device's waits. */
static struct ins_acq *acq_paused(const struct ins_device_config *cfg, size_t queue, unsigned max_n,
				  struct pause_log *pauses)
{
	char err[300];
	struct ins_acq *acq = ins_acq_new(queue, max_n, err, sizeof(err));

	ck_assert_msg(acq != NULL, "%s", err);
	ck_assert_msg(ins_acq_add_device(acq, cfg, err, sizeof(err)) == 0, "%s", err);
	if (pauses)
		ins_acq_set_pause(acq, record_pause, pauses);
	ck_assert_msg(ins_acq_start(acq, err, sizeof(err)) == 0, "%s", err);
	return acq;
}

static struct ins_acq *acq_with(const struct ins_device_config *cfg, size_t queue, unsigned max_n)
{
	return acq_paused(cfg, queue, max_n, NULL);
}

static json_t *device_status(struct ins_acq *acq)
{
	json_t *st = ins_acq_status(acq);
	json_t *dev = json_incref(json_array_get(json_object_get(st, "devices"), 0));

	json_decref(st);
	return dev;
}

static long long dev_counter(struct ins_acq *acq, const char *name)
{
	json_t *dev = device_status(acq);
	json_t *v = json_object_get(dev, name);
	long long out;

	if (!v)
		v = json_object_get(json_object_get(dev, "protocol"), name);
	ck_assert_msg(json_is_integer(v), "status has no counter %s", name);
	out = json_integer_value(v);
	json_decref(dev);
	return out;
}

static const char *dev_state(struct ins_acq *acq, char *buf, size_t len)
{
	json_t *dev = device_status(acq);

	snprintf(buf, len, "%s", json_string_value(json_object_get(dev, "state")));
	json_decref(dev);
	return buf;
}

/* Frames of the synthetic device are exactly the model's frames: same
 * counts, seq from 0, device time of the model, in real time. */
static void synthetic_equals_model(const char *format, int64_t t_unit_us)
{
	struct ins_layout *layout = test_load_shipped("fsr16");
	struct ins_device_config cfg = { .name = "demo", .port = "synthetic", .foot = INS_DEV_FOOT_AUTO,
					 .expected_n = layout->n_sensors, .layout = layout, .format = format,
					 .synth_args = "seed=7,noise=0.02" };
	struct ins_acq *acq = acq_with(&cfg, 1024, layout->n_sensors);
	struct ins_synth_params params;
	struct ins_synth *model;
	uint16_t want[64];
	uint32_t next_seq[2] = { 0, 0 };
	char err[300];
	struct ins_frame f;
	unsigned got = 0;

	ins_synth_defaults(&params);
	ck_assert_int_eq(ins_synth_parse(&params, "seed=7,noise=0.02", err, sizeof(err)), 0);
	model = ins_synth_new(&params, layout, err, sizeof(err));
	ck_assert_msg(model != NULL, "%s", err);
	while (got < 40) {
		int64_t t_model;

		ck_assert_int_eq(ins_acq_pop(acq, &f, 2000), 1);
		ck_assert_uint_lt(f.foot, 2);
		ck_assert_uint_eq(f.seq, next_seq[f.foot]);
		next_seq[f.foot]++;
		ins_synth_next(model, f.foot, want, &t_model);
		ck_assert_uint_eq(f.n, 16);
		ck_assert_mem_eq(f.values, want, sizeof(uint16_t) * 16);
		ck_assert_int_eq(f.t_us, t_model / t_unit_us * t_unit_us);
		ck_assert_int_gt(f.host_us, 1600000000000000LL);
		got++;
	}
	ck_assert_uint_eq(next_seq[0] + next_seq[1], 40);
	ins_acq_stop(acq);
	ck_assert_int_eq(dev_counter(acq, "crc_errors"), 0);
	ck_assert_int_eq(dev_counter(acq, "frames_lost"), 0);
	ck_assert_int_eq(dev_counter(acq, strcmp(format, "ascii") == 0 ? "frames_binary" : "frames_ascii"), 0);
	ins_acq_free(acq);
	ins_synth_free(model);
	ins_layout_free(layout);
}

START_TEST(synthetic_binary_equals_model)
{
	synthetic_equals_model("binary", 1);
}
END_TEST

START_TEST(synthetic_ascii_equals_model)
{
	synthetic_equals_model("ascii", 1000);
}
END_TEST

/* A consumer that never pops loses frames only to the queue, all counted. */
START_TEST(queue_drops_are_counted)
{
	struct ins_layout *layout = test_load_shipped("fsr16");
	struct ins_device_config cfg = { .port = "synthetic", .foot = INS_FOOT_LEFT, .layout = layout,
					 .synth_args = "rate_hz=1000" };
	struct ins_acq *acq = acq_with(&cfg, 8, 16);
	json_t *st, *q;

	usleep(300000);
	ins_acq_stop(acq);
	st = ins_acq_status(acq);
	q = json_object_get(st, "queue");
	ck_assert_int_eq(json_integer_value(json_object_get(q, "pushed")), 8);
	ck_assert_int_eq(json_integer_value(json_object_get(q, "dropped")), dev_counter(acq, "frames") - 8);
	ck_assert_int_eq(dev_counter(acq, "queue_drops"), dev_counter(acq, "frames") - 8);
	ck_assert_int_gt(dev_counter(acq, "frames"), 8);
	json_decref(st);
	ins_acq_free(acq);
	ins_layout_free(layout);
}
END_TEST

struct inline_consumer {
	struct ins_acq *acq;
	atomic_int frames;
};

static void consume_inline(void *arg)
{
	struct inline_consumer *c = arg;
	struct ins_frame f;

	while (ins_acq_pop(c->acq, &f, 0) == 1)
		atomic_fetch_add(&c->frames, 1);
}

/* A consumer set on the acquisition takes the frames on the device thread
 * that queued them: every frame queued is popped there, none dropped, and
 * a kick still wakes a thread waiting for frames. */
START_TEST(consumer_runs_on_the_device_thread)
{
	struct ins_layout *layout = test_load_shipped("fsr16");
	struct ins_device_config cfg = { .port = "synthetic", .foot = INS_FOOT_LEFT, .layout = layout,
					 .synth_args = "rate_hz=500" };
	struct inline_consumer c = { 0 };
	char err[300];
	json_t *st, *q;

	c.acq = ins_acq_new(64, 16, err, sizeof(err));
	ck_assert_msg(c.acq != NULL, "%s", err);
	ck_assert_msg(ins_acq_add_device(c.acq, &cfg, err, sizeof(err)) == 0, "%s", err);
	ins_acq_set_consumer(c.acq, consume_inline, &c);
	ck_assert_msg(ins_acq_start(c.acq, err, sizeof(err)) == 0, "%s", err);
	for (int i = 0; i < HANG_GUARD_S * 100 && atomic_load(&c.frames) < 100; i++)
		usleep(10000);
	ck_assert_int_ge(atomic_load(&c.frames), 100);
	ins_acq_kick(c.acq);
	ck_assert_int_ge(ins_acq_wait(c.acq, HANG_GUARD_S * 1000), 0);
	ins_acq_stop(c.acq);
	st = ins_acq_status(c.acq);
	q = json_object_get(st, "queue");
	ck_assert_int_eq(json_integer_value(json_object_get(q, "dropped")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(q, "popped")), atomic_load(&c.frames));
	ck_assert_int_eq(json_integer_value(json_object_get(q, "pushed")), atomic_load(&c.frames));
	json_decref(st);
	ins_acq_free(c.acq);
	ins_layout_free(layout);
}
END_TEST

/* ---- ptys ---------------------------------------------------------------- */

struct fake_device {
	int master, slave;
	char link[128];
};

/* A pty behind a symlink, the way the emulator presents one. */
static void fake_plug(struct fake_device *d)
{
	char name[128];
	struct termios raw;

	ck_assert_int_eq(openpty(&d->master, &d->slave, name, NULL, NULL), 0);
	tcgetattr(d->slave, &raw);
	cfmakeraw(&raw);
	tcsetattr(d->slave, TCSANOW, &raw);
	unlink(d->link);
	ck_assert_int_eq(symlink(name, d->link), 0);
}

static void fake_unplug(struct fake_device *d)
{
	unlink(d->link);
	close(d->master);
	close(d->slave);
}

static void fake_send(struct fake_device *d, unsigned foot, uint32_t seq, uint32_t t_us)
{
	uint16_t v[4] = { 1, 2, 3, (uint16_t)seq };
	struct ins_frame f = { .foot = (uint8_t)foot, .n = 4, .seq = seq, .t_dev = t_us, .values = v };
	uint8_t buf[64];
	size_t len = ins_proto_encode_binary(&f, buf, sizeof(buf));

	ck_assert_int_eq(write(d->master, buf, len), (ssize_t)len);
}

static void fake_link_name(struct fake_device *d, const char *what)
{
	snprintf(d->link, sizeof(d->link), "/tmp/insoled-check-%s-%d", what, (int)getpid());
}

START_TEST(pty_unplug_and_replug)
{
	struct fake_device d;
	struct ins_device_config cfg = { .foot = INS_DEV_FOOT_AUTO };
	struct ins_acq *acq;
	struct ins_frame f;
	struct pause_log pl = PAUSE_LOG_INIT(0);
	int64_t replugged;
	char state[32];

	fake_link_name(&d, "replug");
	fake_plug(&d);
	cfg.port = d.link;
	acq = acq_paused(&cfg, 64, 16, &pl);
	fake_send(&d, 0, 1, 1000);
	ck_assert_int_eq(ins_acq_pop(acq, &f, 2000), 1);
	ck_assert_uint_eq(f.seq, 1);
	ck_assert_int_eq(f.t_us, 1000);

	fake_unplug(&d);
	for (int i = 0; i < 40 && dev_counter(acq, "disconnects") == 0; i++)
		usleep(50000);
	ck_assert_int_eq(dev_counter(acq, "disconnects"), 1);
	ck_assert_str_eq(dev_state(acq, state, sizeof(state)), "waiting");
	/* Stay away until the backoff has reached its cap: the waits before
	 * it (100 + 200 + 400 + 800 ms) are the outage's shortest length. */
	ck_assert_uint_ge(wait_pauses(&pl, INS_ACQ_BACKOFF_MAX_MS), 5);

	fake_plug(&d);
	replugged = ins_mono_us();
	/* The device restarted: its counters begin again.  Keep sending until
	 * the daemon is reading again.  How soon that is follows from the
	 * waits, which never exceed the cap: no wall-clock measurement. */
	for (uint32_t seq = 0;; seq++) {
		fake_send(&d, 0, seq, seq * 10000);
		if (ins_acq_pop(acq, &f, 100) == 1)
			break;
		ck_assert_msg(ins_mono_us() - replugged < HANG_GUARD_S * 1000000LL, "no frame after the device came back");
	}
	ck_assert_int_eq(pl.max_ms, INS_ACQ_BACKOFF_MAX_MS);
	ck_assert_uint_eq(f.seq, 0); /* bytes waiting in the tty are read, not flushed */
	ck_assert_int_gt(f.t_us, 1000 + 1500000); /* the timeline kept the outage */
	ck_assert_int_eq(dev_counter(acq, "opens"), 2);
	ck_assert_int_eq(dev_counter(acq, "disconnects"), 1);
	ck_assert_str_eq(dev_state(acq, state, sizeof(state)), "open");
	ins_acq_stop(acq);
	ck_assert_str_eq(dev_state(acq, state, sizeof(state)), "stopped");
	ins_acq_free(acq);
	fake_unplug(&d);
}
END_TEST

START_TEST(watchdog_reports_silence_then_garbage)
{
	struct fake_device d;
	struct ins_device_config cfg = { .foot = INS_DEV_FOOT_AUTO, .watchdog_ms = 300 };
	struct ins_acq *acq;
	char state[32];
	int64_t until;

	fake_link_name(&d, "watchdog");
	fake_plug(&d);
	cfg.port = d.link;
	acq = acq_with(&cfg, 64, 16);
	for (int i = 0; i < 40 && dev_counter(acq, "watchdog_silent") == 0; i++)
		usleep(50000);
	ck_assert_int_eq(dev_counter(acq, "watchdog_silent"), 1);
	ck_assert_str_eq(dev_state(acq, state, sizeof(state)), "silent");
	ck_assert_int_eq(dev_counter(acq, "watchdog_no_frames"), 0);

	/* Bytes at the wrong baud rate: data, but never a frame. */
	until = ins_mono_us() + 2000000;
	while (dev_counter(acq, "watchdog_no_frames") == 0 && ins_mono_us() < until) {
		ck_assert_int_eq(write(d.master, "\xF0\x0F\xF0\x0F", 4), 4);
		usleep(20000);
	}
	ck_assert_int_eq(dev_counter(acq, "watchdog_no_frames"), 1);
	ck_assert_str_eq(dev_state(acq, state, sizeof(state)), "open");
	ck_assert_int_eq(dev_counter(acq, "watchdog_silent"), 1);
	ck_assert_int_eq(dev_counter(acq, "frames"), 0);
	ck_assert_int_gt(dev_counter(acq, "garbage_bytes"), 0);
	ins_acq_stop(acq);
	ins_acq_free(acq);
	fake_unplug(&d);
}
END_TEST

/* A one-foot device: bare ASCII lines become frames of that foot, and
 * tagged frames are relabelled. */
START_TEST(forced_foot)
{
	struct fake_device d;
	struct ins_device_config cfg = { .foot = INS_FOOT_RIGHT };
	struct ins_acq *acq;
	struct ins_frame f;
	const char *lines = "# DIY insole\r\n100,5,6,7\r\n110,8,9,10\r\n";

	fake_link_name(&d, "foot");
	fake_plug(&d);
	cfg.port = d.link;
	acq = acq_with(&cfg, 64, 16);
	ck_assert_int_eq(write(d.master, lines, strlen(lines)), (ssize_t)strlen(lines));
	ck_assert_int_eq(ins_acq_pop(acq, &f, 2000), 1);
	ck_assert_uint_eq(f.foot, INS_FOOT_RIGHT);
	ck_assert_int_eq(f.t_us, 100000);
	ck_assert_uint_eq(f.n, 3);
	ck_assert_uint_eq(f.values[2], 7);
	fake_send(&d, INS_FOOT_LEFT, 9, 5000);
	ck_assert_int_eq(ins_acq_pop(acq, &f, 2000), 1);
	ck_assert_uint_eq(f.seq, 1);
	ck_assert_int_eq(ins_acq_pop(acq, &f, 2000), 1);
	ck_assert_uint_eq(f.foot, INS_FOOT_RIGHT);
	ck_assert_uint_eq(f.seq, 9);
	ck_assert_int_eq(dev_counter(acq, "comment_lines"), 1);
	ins_acq_stop(acq);
	ins_acq_free(acq);
	fake_unplug(&d);
}
END_TEST

/* One read holding ten times the queue's frames, with a consumer on the
 * device thread: it takes them as the queue fills, none is dropped. */
#define BURST_FRAMES 160
#define BURST_WAIT_MS 3000
START_TEST(a_burst_bigger_than_the_queue_reaches_an_inline_consumer)
{
	struct fake_device d;
	struct ins_device_config cfg = { .foot = INS_DEV_FOOT_AUTO };
	struct inline_consumer c = { 0 };
	uint8_t burst[BURST_FRAMES * 32];
	size_t len = 0;
	char err[300];
	json_t *st;

	fake_link_name(&d, "burst");
	fake_plug(&d);
	cfg.port = d.link;
	c.acq = ins_acq_new(BURST_FRAMES / 10, 16, err, sizeof(err));
	ck_assert_msg(c.acq != NULL, "%s", err);
	ck_assert_msg(ins_acq_add_device(c.acq, &cfg, err, sizeof(err)) == 0, "%s", err);
	ins_acq_set_consumer(c.acq, consume_inline, &c);
	for (uint32_t k = 0; k < BURST_FRAMES; k++) {
		uint16_t v[4] = { 1, 2, 3, (uint16_t)k };
		struct ins_frame f = { .foot = INS_FOOT_LEFT, .n = 4, .seq = k, .t_dev = 10000 * k, .values = v };
		len += ins_proto_encode_binary(&f, burst + len, sizeof(burst) - len);
	}
	/* written before the device is read: its first read takes them all */
	ck_assert_int_eq(write(d.master, burst, len), (ssize_t)len);
	ck_assert_msg(ins_acq_start(c.acq, err, sizeof(err)) == 0, "%s", err);
	/* they come in one read: a moment, or (frames dropped) never */
	for (int i = 0; i < BURST_WAIT_MS / 10 && atomic_load(&c.frames) < BURST_FRAMES; i++)
		usleep(10000);
	ins_acq_stop(c.acq);
	ck_assert_int_eq(atomic_load(&c.frames), BURST_FRAMES);
	st = ins_acq_status(c.acq);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(st, "queue"), "dropped")), 0);
	json_decref(st);
	ins_acq_free(c.acq);
	fake_unplug(&d);
}
END_TEST

/* A missing device is retried with backoff, not in a busy loop: each
 * failed open waits twice as long as the one before, from
 * INS_ACQ_BACKOFF_MIN_MS, and the status says why it waits. */
#define BACKOFF_STEPS 4
START_TEST(missing_device_backs_off)
{
	struct ins_device_config cfg = { .port = "/dev/insoled-no-such-device", .foot = INS_DEV_FOOT_AUTO };
	struct pause_log pl = PAUSE_LOG_INIT(BACKOFF_STEPS);
	struct ins_acq *acq = acq_paused(&cfg, 8, 16, &pl);
	json_t *dev;
	char state[32];

	ck_assert_uint_eq(wait_pauses(&pl, 0), BACKOFF_STEPS);
	for (unsigned i = 0; i < BACKOFF_STEPS; i++)
		ck_assert_int_eq(pl.ms[i], INS_ACQ_BACKOFF_MIN_MS << i);
	ck_assert_int_eq(dev_counter(acq, "open_failures"), BACKOFF_STEPS);
	ck_assert_str_eq(dev_state(acq, state, sizeof(state)), "waiting");
	dev = device_status(acq);
	ck_assert_str_eq(json_string_value(json_object_get(dev, "last_error")),
			 "/dev/insoled-no-such-device: No such file or directory");
	json_decref(dev);
	ins_acq_stop(acq);
	ins_acq_free(acq);
}
END_TEST

START_TEST(status_has_every_counter)
{
	struct ins_device_config cfg = { .port = "/dev/insoled-no-such-device", .foot = INS_DEV_FOOT_AUTO,
					 .once = 1 };
	struct ins_acq *acq = acq_with(&cfg, 8, 16);
	json_t *dev, *proto;
	struct ins_frame f;

	ck_assert_int_eq(ins_acq_pop(acq, &f, 2000), -1); /* a once-device that failed ends the queue */
	dev = device_status(acq);
	proto = json_object_get(dev, "protocol");
#define INS_X_HAS(fld, what) ck_assert_msg(json_is_integer(json_object_get(proto, #fld)), "no " #fld);
	INS_PROTO_STATS(INS_X_HAS)
#undef INS_X_HAS
	ck_assert_uint_eq(json_object_size(proto), sizeof(struct ins_proto_stats) / sizeof(uint64_t));
	ck_assert_str_eq(json_string_value(json_object_get(dev, "state")), "finished");
	ck_assert(json_is_null(json_object_get(dev, "driver")));
	json_decref(dev);
	ins_acq_free(acq);
}
END_TEST

START_TEST(add_device_rejects_bad_config)
{
	char err[300];
	struct ins_acq *acq = ins_acq_new(8, 16, err, sizeof(err));
	struct ins_device_config foot = { .port = "/dev/ttyUSB0", .foot = 2 };
	struct ins_device_config big = { .port = "/dev/ttyUSB0", .foot = INS_DEV_FOOT_AUTO, .expected_n = 17 };
	struct ins_device_config noport = { .name = "left insole", .foot = INS_DEV_FOOT_AUTO };
	struct ins_layout *small = test_load_shipped("fsr16"), *grid = test_load_shipped("grid60x21");
	struct ins_device_config nolayout = { .port = "synthetic", .foot = INS_DEV_FOOT_AUTO };
	struct ins_device_config badargs = { .port = "synthetic", .foot = INS_DEV_FOOT_AUTO, .layout = small,
					     .synth_args = "cadense=100" };
	struct ins_device_config badformat = { .port = "synthetic", .foot = INS_DEV_FOOT_AUTO, .layout = small,
					       .format = "hex" };
	struct ins_device_config toobig = { .port = "synthetic", .foot = INS_DEV_FOOT_AUTO, .layout = grid };
	struct ins_device_config badusb = { .port = "usb:2341", .foot = INS_DEV_FOOT_AUTO };

	ck_assert_ptr_nonnull(acq);
	ck_assert_int_eq(ins_acq_add_device(acq, &foot, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "/dev/ttyUSB0: foot 2 is not left (0), right (1) or auto");
	ck_assert_int_eq(ins_acq_add_device(acq, &big, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "/dev/ttyUSB0: layout size 17 is larger than the queue's 16 values");
	ck_assert_int_eq(ins_acq_add_device(acq, &noport, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "device 'left insole': no port given");
	ck_assert_int_eq(ins_acq_add_device(acq, &nolayout, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "synthetic device: no layout given");
	ck_assert_int_eq(ins_acq_add_device(acq, &badargs, err, sizeof(err)), -1);
	ck_assert_msg(strncmp(err, "synthetic device: ", 18) == 0 && strstr(err, "cadense"), "%s", err);
	ck_assert_int_eq(ins_acq_add_device(acq, &badformat, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "synthetic device: format 'hex' is not binary or ascii");
	ck_assert_int_eq(ins_acq_add_device(acq, &toobig, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "synthetic device: layout grid60x21 has 1260 sensors, more than the 16 allowed");
	ck_assert_int_eq(ins_acq_add_device(acq, &badusb, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "usb:2341: not a USB port spec: want usb:VID:PID or usb:VID:PID:SERIAL with hex ids "
			      "(e.g. usb:2341:0043)");
	ck_assert_int_eq(ins_acq_start(acq, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "acquisition: no device configured");
	ins_layout_free(grid);
	ins_layout_free(small);
	ins_acq_free(acq);
}
END_TEST

Suite *ins_suite_acquire(void);
Suite *ins_suite_acquire(void)
{
	Suite *s = suite_create("acquire");
	TCase *tc = tcase_create("acquire");

	tcase_add_test(tc, synthetic_binary_equals_model);
	tcase_add_test(tc, synthetic_ascii_equals_model);
	tcase_add_test(tc, queue_drops_are_counted);
	tcase_add_test(tc, consumer_runs_on_the_device_thread);
	tcase_add_test(tc, pty_unplug_and_replug);
	tcase_add_test(tc, a_burst_bigger_than_the_queue_reaches_an_inline_consumer);
	tcase_add_test(tc, watchdog_reports_silence_then_garbage);
	tcase_add_test(tc, forced_foot);
	tcase_add_test(tc, missing_device_backs_off);
	tcase_add_test(tc, status_has_every_counter);
	tcase_add_test(tc, add_device_rejects_bad_config);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}
