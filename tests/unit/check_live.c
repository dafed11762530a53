/* live: event ring (ids, resume, overrun, split records), decimation,
 * snapshots and their per-generation cache. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "insoled/live.h"
#include "lib.h"


static struct ins_live *live_without_feet(size_t ring_bytes)
{
	struct ins_live_config cfg = { .display_hz = 30, .step_history = 5, .ring_bytes = ring_bytes };
	char err[256];
	struct ins_live *live = ins_live_new(&cfg, err, sizeof(err));

	ck_assert_msg(live, "ins_live_new: %s", err);
	return live;
}

/* The id the next event will get. */
static uint64_t next_id(struct ins_live *live)
{
	return ins_live_wait(live, UINT64_MAX, 0) + 1;
}

static long read_all(struct ins_live_cursor *c, char *buf, size_t max)
{
	long n = ins_live_cursor_read(c, buf, max - 1);

	buf[n > 0 ? n : 0] = '\0';
	return n;
}

START_TEST(events_carry_ids_types_and_data)
{
	struct ins_live *live = live_without_feet(0);
	struct ins_live_cursor *c = ins_live_cursor_open(live, 0);
	uint64_t id = next_id(live);
	char buf[512], want[512];

	ck_assert_int_eq(read_all(c, buf, sizeof(buf)), 0);
	ins_live_publish_event(live, "session", "{\"id\":3}");
	ins_live_publish_event(live, "note", "line one\nline two");
	ck_assert_int_eq(read_all(c, buf, sizeof(buf)), (long)strlen(buf));
	snprintf(want, sizeof(want), "id: %llu\nevent: session\ndata: {\"id\":3}\n\n"
		 "id: %llu\nevent: note\ndata: line one\ndata: line two\n\n",
		 (unsigned long long)id, (unsigned long long)id + 1);
	ck_assert_str_eq(buf, want);
	ck_assert_int_eq(read_all(c, buf, sizeof(buf)), 0);
	/* An event name with a newline would forge fields: refused. */
	ins_live_publish_event(live, "x\ndata: evil", "{}");
	ck_assert_int_eq(read_all(c, buf, sizeof(buf)), 0);
	ins_live_cursor_close(c);
	ins_live_free(live);
}
END_TEST

START_TEST(cursor_starts_after_newest_or_resumes_after_last_event_id)
{
	struct ins_live *live = live_without_feet(0);
	struct ins_live_cursor *fresh, *resumed, *unknown, *before_restart;
	uint64_t id = next_id(live);
	char buf[512], want[512];

	for (int i = 0; i < 3; i++)
		ins_live_publish_event(live, "status", "{}");
	fresh = ins_live_cursor_open(live, 0);
	resumed = ins_live_cursor_open(live, id);
	unknown = ins_live_cursor_open(live, id + 99);
	/* a browser that saw events of the previous daemon run */
	before_restart = ins_live_cursor_open(live, 5);
	ck_assert_int_eq(read_all(fresh, buf, sizeof(buf)), 0);
	read_all(resumed, buf, sizeof(buf));
	snprintf(want, sizeof(want), "id: %llu\nevent: status\ndata: {}\n\nid: %llu\nevent: status\ndata: {}\n\n",
		 (unsigned long long)id + 1, (unsigned long long)id + 2);
	ck_assert_str_eq(buf, want);
	ck_assert_int_eq(read_all(unknown, buf, sizeof(buf)), 0);
	ck_assert_int_eq(read_all(before_restart, buf, sizeof(buf)), 0);
	ins_live_publish_event(live, "status", "{\"n\":4}");
	read_all(fresh, buf, sizeof(buf));
	snprintf(want, sizeof(want), "id: %llu\nevent: status\ndata: {\"n\":4}\n\n", (unsigned long long)id + 3);
	ck_assert_str_eq(buf, want);
	ins_live_cursor_close(before_restart);
	ins_live_cursor_close(fresh);
	ins_live_cursor_close(resumed);
	ins_live_cursor_close(unknown);
	ins_live_free(live);
}
END_TEST

START_TEST(whole_records_per_read_and_long_records_split)
{
	struct ins_live *live = live_without_feet(0);
	struct ins_live_cursor *c = ins_live_cursor_open(live, 0);
	uint64_t id = next_id(live);
	char buf[256], joined[256] = "", want[256];
	long n, rec;

	/* "id: <id>\nevent: a\ndata: {}\n\n" */
	rec = snprintf(want, sizeof(want), "id: %llu\nevent: a\ndata: {}\n\n", (unsigned long long)id);
	ins_live_publish_event(live, "a", "{}");
	ins_live_publish_event(live, "a", "{}");
	/* room for one record and a bit, not two: only whole records. */
	n = ins_live_cursor_read(c, buf, (size_t)rec + 5);
	ck_assert_int_eq(n, rec);
	n = ins_live_cursor_read(c, buf, (size_t)rec + 5);
	ck_assert_int_eq(n, rec);
	ins_live_publish_event(live, "long", "0123456789012345678901234567890123456789");
	/* A record longer than max arrives in pieces. */
	while ((n = ins_live_cursor_read(c, buf, 10)) > 0)
		strncat(joined, buf, (size_t)n);
	snprintf(want, sizeof(want), "id: %llu\nevent: long\ndata: 0123456789012345678901234567890123456789\n\n",
		 (unsigned long long)id + 2);
	ck_assert_str_eq(joined, want);
	ins_live_cursor_close(c);
	ins_live_free(live);
}
END_TEST

START_TEST(slow_reader_falls_out_of_the_ring_and_is_counted)
{
	struct ins_live *live = live_without_feet(64 << 10);
	struct ins_live_cursor *slow = ins_live_cursor_open(live, 0);
	uint64_t first = next_id(live);
	struct ins_live_cursor *late;
	struct ins_live_stats st;
	char data[1000], buf[4096];

	memset(data, 'x', sizeof(data) - 1);
	data[sizeof(data) - 1] = '\0';
	ins_live_get_stats(live, &st);
	ck_assert_uint_eq(st.clients, 1);
	/* 100 records of ~1 kB overflow a 64 KiB ring. */
	for (int i = 0; i < 100; i++)
		ins_live_publish_event(live, "bulk", data);
	late = ins_live_cursor_open(live, first); /* overwritten: starts at the newest */
	ck_assert_int_eq(ins_live_cursor_read(slow, buf, sizeof(buf)), -1);
	ck_assert_int_eq(ins_live_cursor_read(slow, buf, sizeof(buf)), -1);
	ck_assert_int_eq(ins_live_cursor_read(late, buf, sizeof(buf)), 0);
	ins_live_get_stats(live, &st);
	ck_assert_uint_eq(st.events, 100);
	ck_assert_uint_eq(st.clients, 2);
	ck_assert_uint_eq(st.clients_dropped, 1);
	ins_live_cursor_close(slow);
	ins_live_cursor_close(late);
	ins_live_get_stats(live, &st);
	ck_assert_uint_eq(st.clients, 0);
	ins_live_free(live);
}
END_TEST

START_TEST(rejects_bad_configuration)
{
	struct ins_live_config cfg = { .display_hz = 1000 };
	char err[256] = "";

	ck_assert_ptr_null(ins_live_new(&cfg, err, sizeof(err)));
	ck_assert_msg(strstr(err, "display_hz") != NULL, "%s", err);
	cfg.display_hz = 30;
	cfg.ring_bytes = 1000;
	ck_assert_ptr_null(ins_live_new(&cfg, err, sizeof(err)));
	ck_assert_msg(strstr(err, "ring_bytes") != NULL, "%s", err);
}
END_TEST

/* ---- frames and snapshots with a real layout ------------------------------- */

struct fixture {
	struct ins_layout *layout;
	struct ins_live *live;
	float *kpa;
};

/* raw_units: the insole in uncalibrated sensor units */
static void fixture_open_units(struct fixture *fx, double hz, int raw_units)
{
	struct ins_live_config cfg = { .display_hz = hz, .step_history = 5 };
	char err[256];

	fx->layout = ins_layout_load_named(LAYOUT_DIR, "fsr16", err, sizeof(err));
	ck_assert_msg(fx->layout, "fsr16: %s", err);
	fx->layout->arbitrary_units = raw_units;
	cfg.layout[INS_FOOT_LEFT] = fx->layout;
	fx->live = ins_live_new(&cfg, err, sizeof(err));
	ck_assert_msg(fx->live, "ins_live_new: %s", err);
	fx->kpa = calloc(fx->layout->n_sensors, sizeof(float));
	for (unsigned i = 0; i < fx->layout->n_sensors; i++)
		fx->kpa[i] = 100.0f;
}

static void fixture_open(struct fixture *fx, double hz)
{
	fixture_open_units(fx, hz, 0);
}

static void fixture_close(struct fixture *fx)
{
	ins_live_free(fx->live);
	ins_layout_free(fx->layout);
	free(fx->kpa);
}

static struct ins_frame_metrics metrics(int64_t t_us, float force)
{
	struct ins_frame_metrics m;

	memset(&m, 0, sizeof(m));
	m.foot = INS_FOOT_LEFT;
	m.t_us = t_us;
	m.force_n = force;
	m.in_stance = 1;
	m.cop_x_mm = NAN;
	m.cop_y_mm = NAN;
	m.cop_x_norm = NAN;
	m.cop_y_norm = NAN;
	m.peak_kpa = 100.0f;
	return m;
}

START_TEST(frames_are_decimated_to_the_display_rate)
{
	struct fixture fx;
	struct ins_live_stats st;
	struct ins_live_cursor *c;

	fixture_open(&fx, 20); /* 50 ms period */
	c = ins_live_cursor_open(fx.live, 0); /* frame events are rendered for listeners */
	for (int i = 0; i < 10; i++) {
		struct ins_frame_metrics m = metrics(i * 10000, 500.0f);

		ins_live_publish_frame(fx.live, &m, fx.kpa);
	}
	ins_live_get_stats(fx.live, &st);
	ck_assert_uint_eq(st.frames_published, 10);
	ck_assert_uint_eq(st.events, 1);
	usleep(60000);
	{
		struct ins_frame_metrics m = metrics(200000, 510.0f);

		ins_live_publish_frame(fx.live, &m, fx.kpa);
	}
	ins_live_get_stats(fx.live, &st);
	ck_assert_uint_eq(st.events, 2);
	/* A frame for a foot that is not configured is ignored. */
	{
		struct ins_frame_metrics m = metrics(0, 1.0f);

		m.foot = INS_FOOT_RIGHT;
		ins_live_publish_frame(fx.live, &m, fx.kpa);
	}
	ins_live_get_stats(fx.live, &st);
	ck_assert_uint_eq(st.frames_published, 11);
	ins_live_cursor_close(c);
	fixture_close(&fx);
}
END_TEST

static void assert_snapshot_force(struct ins_live *live, int64_t t_us, double force)
{
	json_t *snap = ins_live_snapshot(live, 10);
	json_t *left = json_object_get(json_object_get(snap, "feet"), "left");

	ck_assert_ptr_nonnull(snap);
	ck_assert_int_eq(json_integer_value(json_object_get(snap, "t_us")), t_us);
	ck_assert_double_eq_tol(json_number_value(json_object_get(left, "force_n")), force, 1e-9);
	ck_assert_ptr_nonnull(json_object_get(left, "heatmap"));
	json_decref(snap);
}

/* Without an SSE client no frame event is built or kept (steps still are,
 * for Last-Event-ID resume); GET /api/live still shows the latest frame, and
 * a client that connects gets frame events from then on. */
START_TEST(frame_events_only_while_a_client_listens)
{
	struct fixture fx;
	struct ins_live_stats st;
	struct ins_live_cursor *c;
	struct ins_frame_metrics m = metrics(1000, 500.0f);
	struct ins_step step;
	char buf[16384];

	fixture_open(&fx, 30); /* 33 ms period */
	ins_live_publish_frame(fx.live, &m, fx.kpa);
	ins_live_get_stats(fx.live, &st);
	ck_assert_uint_eq(st.frames_published, 1);
	ck_assert_uint_eq(st.events, 0);
	assert_snapshot_force(fx.live, 1000, 500.0);
	memset(&step, 0, sizeof(step));
	ins_live_publish_step(fx.live, &step);
	ins_live_get_stats(fx.live, &st);
	ck_assert_uint_eq(st.events, 1);

	c = ins_live_cursor_open(fx.live, 0);
	usleep(40000); /* past the display period */
	m = metrics(2000, 600.0f);
	ins_live_publish_frame(fx.live, &m, fx.kpa);
	ck_assert_int_gt(read_all(c, buf, sizeof(buf)), 0);
	ck_assert_msg(strstr(buf, "event: frame\n") && strstr(buf, "\"force_n\":600"), "%s", buf);
	assert_snapshot_force(fx.live, 2000, 600.0);
	ins_live_cursor_close(c);

	usleep(40000);
	m = metrics(3000, 700.0f);
	ins_live_publish_frame(fx.live, &m, fx.kpa);
	ins_live_get_stats(fx.live, &st);
	ck_assert_uint_eq(st.events, 2);
	assert_snapshot_force(fx.live, 3000, 700.0);
	fixture_close(&fx);
}
END_TEST

START_TEST(snapshot_has_feet_heatmap_steps_and_recording)
{
	struct fixture fx;
	struct ins_frame_metrics m;
	struct ins_step step;
	json_t *snap, *left, *hm, *steps;
	unsigned w, h;

	fixture_open(&fx, 30);
	snap = ins_live_snapshot(fx.live, 10);
	ck_assert_ptr_nonnull(snap);
	ck_assert(json_is_null(json_object_get(json_object_get(snap, "feet"), "left")));
	ck_assert(json_is_null(json_object_get(snap, "recording")));
	json_decref(snap);

	m = metrics(1234567, 612.5f);
	ins_live_publish_frame(fx.live, &m, fx.kpa);
	memset(&step, 0, sizeof(step));
	for (int i = 0; i < 7; i++) {
		step.foot = INS_FOOT_LEFT;
		step.index = (uint32_t)i;
		step.contact_us = 1000000 * i;
		step.toe_off_us = 1000000 * i + 650000;
		for (int k = 0; k < INS_M_COUNT; k++)
			step.m[k] = NAN;
		step.m[INS_M_STANCE_MS] = 650;
		ins_live_publish_step(fx.live, &step);
	}
	ins_live_set_recording(fx.live, 42);

	snap = ins_live_snapshot(fx.live, 3);
	ck_assert_ptr_nonnull(snap);
	ck_assert_int_eq(json_integer_value(json_object_get(snap, "t_us")), 1234567);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(snap, "recording"), "session_id")), 42);
	left = json_object_get(json_object_get(snap, "feet"), "left");
	ck_assert(json_is_null(json_object_get(json_object_get(snap, "feet"), "right")));
	ck_assert_double_eq_tol(json_number_value(json_object_get(left, "force_n")), 612.5, 1e-9);
	ck_assert(json_is_true(json_object_get(left, "in_stance")));
	hm = json_object_get(left, "heatmap");
	{
		char err[128];
		struct ins_heatmap *ref = ins_heatmap_new(fx.layout, err, sizeof(err));

		ins_heatmap_size(ref, &w, &h);
		ins_heatmap_free(ref);
	}
	ck_assert_int_eq(json_integer_value(json_object_get(hm, "w")), w);
	ck_assert_int_eq(json_integer_value(json_object_get(hm, "h")), h);
	ck_assert_uint_eq(json_array_size(json_object_get(hm, "cells")), (size_t)w * h);
	/* Uniform 100 kPa on every sensor: inside cells are 100, max is 100. */
	ck_assert_double_eq_tol(json_number_value(json_object_get(hm, "max_kpa")), 100.0, 1e-9);
	ck_assert_str_eq(json_string_value(json_object_get(hm, "units")), "kPa");
	/* a sparse layout streams each sensor's value beside the cells */
	ck_assert_uint_eq(json_array_size(json_object_get(hm, "sensors")), fx.layout->n_sensors);
	ck_assert_double_eq_tol(json_number_value(json_array_get(json_object_get(hm, "sensors"), 3)), 100.0, 1e-9);
	steps = json_object_get(snap, "steps");
	ck_assert_uint_eq(json_array_size(steps), 3);
	/* history holds 5; the last 3 are indices 4, 5, 6, oldest first */
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(steps, 0), "index")), 4);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(steps, 2), "index")), 6);
	json_decref(snap);
	snap = ins_live_snapshot(fx.live, 100);
	ck_assert_uint_eq(json_array_size(json_object_get(snap, "steps")), 5);
	json_decref(snap);
	fixture_close(&fx);
}
END_TEST

/* An insole in raw sensor units: its map says so, never kPa. */
START_TEST(snapshot_of_a_raw_insole_says_raw_units)
{
	struct fixture fx;
	struct ins_frame_metrics m = metrics(1000, 300.0f);
	json_t *snap;

	fixture_open_units(&fx, 30, 1);
	ins_live_publish_frame(fx.live, &m, fx.kpa);
	snap = ins_live_snapshot(fx.live, 1);
	ck_assert_str_eq(json_string_value(json_object_get(
		json_object_get(json_object_get(json_object_get(snap, "feet"), "left"), "heatmap"), "units")), "raw");
	json_decref(snap);
	fixture_close(&fx);
}
END_TEST

START_TEST(snapshot_text_is_shared_until_the_next_publish)
{
	struct fixture fx;
	struct ins_frame_metrics m = metrics(1, 100.0f);
	struct ins_live_text *a, *b, *c;
	struct ins_step step;
	size_t la, lc;

	fixture_open(&fx, 30);
	ins_live_publish_frame(fx.live, &m, fx.kpa);
	a = ins_live_snapshot_text(fx.live, 10);
	b = ins_live_snapshot_text(fx.live, 10);
	ck_assert_ptr_eq(a, b);
	memset(&step, 0, sizeof(step));
	ins_live_publish_step(fx.live, &step);
	c = ins_live_snapshot_text(fx.live, 10);
	ck_assert_ptr_ne(a, c);
	ins_live_text_data(a, &la);
	ins_live_text_data(c, &lc);
	ck_assert_uint_gt(lc, la); /* one more step in the text */
	ins_live_text_unref(a);
	ins_live_text_unref(b);
	ins_live_text_unref(c);
	fixture_close(&fx);
}
END_TEST

START_TEST(wait_returns_on_publish_or_timeout)
{
	struct ins_live *live = live_without_feet(0);
	uint64_t id = next_id(live);

	ck_assert_uint_eq(ins_live_wait(live, id - 1, 10), id - 1);
	ins_live_publish_event(live, "status", "{}");
	ck_assert_uint_eq(ins_live_wait(live, id - 1, 10000), id);
	ck_assert_uint_eq(ins_live_wait(live, id, 10), id);
	ins_live_free(live);
}
END_TEST

Suite *ins_suite_live(void);
Suite *ins_suite_live(void)
{
	Suite *s = suite_create("live");
	TCase *ring = tcase_create("ring");
	TCase *state = tcase_create("state");

	tcase_add_test(ring, events_carry_ids_types_and_data);
	tcase_add_test(ring, cursor_starts_after_newest_or_resumes_after_last_event_id);
	tcase_add_test(ring, whole_records_per_read_and_long_records_split);
	tcase_add_test(ring, slow_reader_falls_out_of_the_ring_and_is_counted);
	tcase_add_test(ring, rejects_bad_configuration);
	tcase_add_test(ring, wait_returns_on_publish_or_timeout);
	tcase_add_test(state, frames_are_decimated_to_the_display_rate);
	tcase_add_test(state, frame_events_only_while_a_client_listens);
	tcase_add_test(state, snapshot_has_feet_heatmap_steps_and_recording);
	tcase_add_test(state, snapshot_of_a_raw_insole_says_raw_units);
	tcase_add_test(state, snapshot_text_is_shared_until_the_next_publish);
	suite_add_tcase(s, ring);
	suite_add_tcase(s, state);
	return s;
}
