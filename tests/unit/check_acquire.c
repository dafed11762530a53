/* Acquisition threads end to end: the synthetic device through encoder and
 * parser (frames equal the model's), ptys through termios with unplug and
 * replug, the watchdogs, forced feet, queue drops and the status JSON. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "insoled/acquire.h"
#include "insoled/clock.h"
#include "insoled/protocol.h"
#include "insoled/synth.h"
#include "lib.h"

/* The promise: reading resumes within 2 s of a device coming back. */
#define RESUME_LIMIT_MS 2000

static struct ins_layout *load_layout(const char *name)
{
	char err[300];
	struct ins_layout *l = ins_layout_load_named(LAYOUT_DIR, name, err, sizeof(err));

	ck_assert_msg(l != NULL, "%s", err);
	return l;
}

static struct ins_acq *acq_with(const struct ins_device_config *cfg, size_t queue, unsigned max_n)
{
	char err[300];
	struct ins_acq *acq = ins_acq_new(queue, max_n, err, sizeof(err));

	ck_assert_msg(acq != NULL, "%s", err);
	ck_assert_msg(ins_acq_add_device(acq, cfg, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(ins_acq_start(acq, err, sizeof(err)) == 0, "%s", err);
	return acq;
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
	struct ins_layout *layout = load_layout("fsr16");
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
	struct ins_layout *layout = load_layout("fsr16");
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
	int64_t replugged;
	char state[32];

	fake_link_name(&d, "replug");
	fake_plug(&d);
	cfg.port = d.link;
	acq = acq_with(&cfg, 64, 16);
	fake_send(&d, 0, 1, 1000);
	ck_assert_int_eq(ins_acq_pop(acq, &f, 2000), 1);
	ck_assert_uint_eq(f.seq, 1);
	ck_assert_int_eq(f.t_us, 1000);

	fake_unplug(&d);
	for (int i = 0; i < 40 && dev_counter(acq, "disconnects") == 0; i++)
		usleep(50000);
	ck_assert_int_eq(dev_counter(acq, "disconnects"), 1);
	ck_assert_str_eq(dev_state(acq, state, sizeof(state)), "waiting");
	usleep(1500000); /* stay away long enough for the backoff to reach its cap */

	fake_plug(&d);
	replugged = ins_mono_us();
	/* The device restarted: its counters begin again.  Keep sending until
	 * the daemon is reading again, then check how long that took. */
	for (uint32_t seq = 0;; seq++) {
		fake_send(&d, 0, seq, seq * 10000);
		if (ins_acq_pop(acq, &f, 100) == 1)
			break;
		ck_assert_msg(ins_mono_us() - replugged < RESUME_LIMIT_MS * 1000LL,
			      "no frame %d ms after the device came back", RESUME_LIMIT_MS);
	}
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

/* A missing device is retried with backoff, not in a busy loop: 1.0 s
 * after the first attempt, those at 0.1, 0.3 and 0.7 s make four (the
 * next is at 1.5 s). */
START_TEST(missing_device_backs_off)
{
	struct ins_device_config cfg = { .port = "/dev/insoled-no-such-device", .foot = INS_DEV_FOOT_AUTO };
	struct ins_acq *acq = acq_with(&cfg, 8, 16);
	json_t *dev;
	char state[32];

	for (int i = 0; i < 100 && dev_counter(acq, "open_failures") == 0; i++)
		usleep(10000);
	usleep(1000000);
	ck_assert_int_eq(dev_counter(acq, "open_failures"), 4);
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
	struct ins_layout *small = load_layout("fsr16"), *grid = load_layout("grid60x21");
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
	tcase_add_test(tc, pty_unplug_and_replug);
	tcase_add_test(tc, watchdog_reports_silence_then_garbage);
	tcase_add_test(tc, forced_foot);
	tcase_add_test(tc, missing_device_backs_off);
	tcase_add_test(tc, status_has_every_counter);
	tcase_add_test(tc, add_device_rejects_bad_config);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}
