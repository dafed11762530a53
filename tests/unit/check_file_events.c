/* The gait events a file marks of its own (Moticon's step columns) against
 * the analysis's (daemon/import/event_agreement.c): the matcher fed by
 * hand, a synthetic walk written as a Moticon export, and the vendor's
 * sample walk (../shared/data). */
#include <config.h>

#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "insoled/import.h"
#include "lib.h"
#include "shared_data.h"

#define LEFT INS_FOOT_LEFT
#define RIGHT INS_FOOT_RIGHT
#define CONTACT (INS_EVENT_CONTACT - 1)
#define TOE_OFF (INS_EVENT_TOE_OFF - 1)
#define MS 1000 /* us */
#define PERIOD_MS 10

/* ---- the matcher, fed by hand -------------------------------------------- */

/* One foot's recording as the matcher sees it: frames every 10 ms from
 * 0 to end_ms, the file's events at their frames, and the analysis's steps
 * each handed on when its toe-off is confirmed (100 ms later), as a run
 * of the analysis does. */
struct hand_walk {
	unsigned foot;
	int end_ms;
	int file_contacts[16], file_toe_offs[16]; /* ms; ended by -1 */
	int ours[16][2];                          /* contact, toe-off (ms); ended by contact -1 */
};

static int marks(const int *list, int t_ms)
{
	for (; *list >= 0; list++)
		if (*list == t_ms)
			return 1;
	return 0;
}

static void feed_hand_walk(struct ins_import_event_match *m, const struct hand_walk *w)
{
	struct ins_import_frame f = { .foot = (uint8_t)w->foot };
	unsigned next = 0; /* ours: in the order of their toe-offs */

	for (int t = 0; t <= w->end_ms; t += PERIOD_MS) {
		f.t_us = (int64_t)t * MS;
		f.ref_event = marks(w->file_contacts, t) ? INS_EVENT_CONTACT
			      : marks(w->file_toe_offs, t) ? INS_EVENT_TOE_OFF
							   : INS_EVENT_NONE;
		ins_import_events_frame(m, &f);
		for (; w->ours[next][0] >= 0 && w->ours[next][1] + 100 <= t; next++) {
			struct ins_step step = { .foot = (uint8_t)w->foot,
						 .contact_us = (int64_t)w->ours[next][0] * MS,
						 .toe_off_us = (int64_t)w->ours[next][1] * MS };

			ins_import_events_step(m, &step);
		}
	}
}

static const struct ins_import_event_agreement *match_hand_walk(struct ins_import_event_match *m,
								 const struct hand_walk *w, unsigned kind)
{
	memset(m, 0, sizeof *m);
	feed_hand_walk(m, w);
	ins_import_events_finish(m);
	return &m->result[w->foot][kind];
}

static void assert_counts(const struct ins_import_event_agreement *e, unsigned long events, unsigned long matched,
			  unsigned long edge)
{
	ck_assert_msg(e->events == events && e->matched == matched && e->edge == edge,
		      "events %lu matched %lu edge %lu, expected %lu %lu %lu", e->events, e->matched, e->edge, events,
		      matched, edge);
}

/* Each file event is matched to ours within 30 ms, the bar itself
 * included; one shifted by more is counted and not matched; the median and
 * the largest difference are those of the matched. */
START_TEST(events_within_30_ms_match_and_beyond_do_not)
{
	static struct ins_import_event_match m;
	const struct hand_walk w = {
		.foot = LEFT,
		.end_ms = 5000,
		.file_contacts = { 500, 1600, 2700, 3800, -1 },
		.file_toe_offs = { 1100, 2200, 3300, 4400, -1 },
		/* contacts 10, 30, 20 ms off and 40 ms off; toe-offs 0, 31, 5, 29 */
		.ours = { { 510, 1100 }, { 1570, 2231 }, { 2720, 3295 }, { 3840, 4429 }, { -1, -1 } },
	};
	const struct ins_import_event_agreement *c = match_hand_walk(&m, &w, CONTACT);
	const struct ins_import_event_agreement *t = &m.result[LEFT][TOE_OFF];

	assert_counts(c, 4, 3, 0);
	ck_assert_double_eq_tol(c->median_ms, 20.0, 1e-9);
	ck_assert_double_eq_tol(c->max_ms, 30.0, 1e-9);
	ck_assert_int_eq(c->max_t_us, 1600 * MS);
	assert_counts(t, 4, 3, 0);
	ck_assert_double_eq_tol(t->median_ms, 5.0, 1e-9);
	ck_assert_double_eq_tol(t->max_ms, 29.0, 1e-9);
	ck_assert_int_eq(t->max_t_us, 4400 * MS);
	/* 3 of 4 is below 95 %: the events disagree */
	ck_assert(!ins_import_events_agree(c));
	ck_assert(!ins_import_events_agree(t));
	/* the other foot has nothing of its own */
	assert_counts(&m.result[RIGHT][CONTACT], 0, 0, 0);
	ck_assert(ins_import_events_agree(&m.result[RIGHT][CONTACT]));
}
END_TEST

/* The file's events are the reference: an event the file does not mark
 * (its contact of the second step, a whole step of ours it leaves out) is
 * not held against either, and takes no match from the events it does
 * mark; an event the file marks and the analysis has not is unmatched. */
START_TEST(a_missing_file_event_and_an_extra_one_of_ours)
{
	static struct ins_import_event_match m;
	const struct hand_walk w = {
		.foot = RIGHT,
		.end_ms = 6000,
		.file_contacts = { 500, 2700, 3800, -1 },
		.file_toe_offs = { 1100, 2200, 3300, 4400, -1 },
		/* ours: the four stances, a fifth the file does not mark, none at 5000 */
		.ours = { { 505, 1102 }, { 1604, 2198 }, { 2701, 3300 }, { 3810, 4404 }, { 4650, 4900 }, { -1, -1 } },
	};
	struct hand_walk missed = w;

	assert_counts(match_hand_walk(&m, &w, CONTACT), 3, 3, 0);
	assert_counts(&m.result[RIGHT][TOE_OFF], 4, 4, 0);
	ck_assert_double_eq_tol(m.result[RIGHT][CONTACT].median_ms, 5.0, 1e-9);
	ck_assert_double_eq_tol(m.result[RIGHT][CONTACT].max_ms, 10.0, 1e-9);
	/* the file marks a stance at 5000 ms the analysis did not find */
	missed.file_contacts[3] = 5000;
	missed.file_contacts[4] = -1;
	missed.file_toe_offs[4] = 5600;
	missed.file_toe_offs[5] = -1;
	assert_counts(match_hand_walk(&m, &missed, CONTACT), 4, 3, 0);
	assert_counts(&m.result[RIGHT][TOE_OFF], 5, 4, 0);
	ck_assert(ins_import_events_agree(&m.result[RIGHT][TOE_OFF]) == 0); /* 80 % */
}
END_TEST

/* What no step can show by design is left out when no event of ours
 * matched it: a stance under way at the first frame (a toe-off before any
 * contact; a contact sooner after the first frame than the detector needs
 * to see the foot unloaded, and its toe-off), a stance unfinished at the
 * last frame, and a toe-off too close to it to be confirmed, with its
 * contact.  Events at the edges that ours match are counted, matched;
 * events a little further in are counted. */
START_TEST(events_at_the_recordings_ends_are_left_out_unless_matched)
{
	static struct ins_import_event_match m;
	/* 50: too soon after the first frame; 300: of a stance under way at it;
	 * 5700: a stance unfinished at the end */
	struct hand_walk w = {
		.foot = LEFT,
		.end_ms = 6000,
		.file_contacts = { 50, 1000, 2100, 5700, -1 },
		.file_toe_offs = { 300, 700, 1600, 2700, -1 },
		.ours = { { 1002, 1601 }, { 2098, 2705 }, { -1, -1 } },
	};
	/* the last toe-off 150 ms before the end: not confirmed yet */
	const struct hand_walk late = {
		.foot = LEFT,
		.end_ms = 6000,
		.file_contacts = { 1000, 2100, 5200, -1 },
		.file_toe_offs = { 1600, 2700, 5850, -1 },
		.ours = { { 1002, 1601 }, { 2098, 2705 }, { -1, -1 } },
	};
	struct hand_walk inside = late;

	assert_counts(match_hand_walk(&m, &w, CONTACT), 2, 2, 2);
	assert_counts(&m.result[LEFT][TOE_OFF], 2, 2, 2);
	ck_assert(ins_import_events_agree(&m.result[LEFT][CONTACT]));
	/* ours seeing the stance that began 50 ms in: matched, and counted */
	memmove(&w.ours[1], &w.ours[0], 3 * sizeof w.ours[0]);
	w.ours[0][0] = 48;
	w.ours[0][1] = 710;
	assert_counts(match_hand_walk(&m, &w, CONTACT), 3, 3, 1);
	assert_counts(&m.result[LEFT][TOE_OFF], 3, 3, 1);
	/* a contact 140 ms after the first frame could be seen: counted, unmatched, and its toe-off too */
	w.file_contacts[0] = 140;
	memmove(&w.file_toe_offs[0], &w.file_toe_offs[1], 4 * sizeof w.file_toe_offs[0]);
	memmove(&w.ours[0], &w.ours[1], 3 * sizeof w.ours[0]);
	assert_counts(match_hand_walk(&m, &w, CONTACT), 3, 2, 1);
	assert_counts(&m.result[LEFT][TOE_OFF], 3, 2, 0);
	/* the end: the last stance, whose toe-off came too late to confirm */
	assert_counts(match_hand_walk(&m, &late, CONTACT), 2, 2, 1);
	assert_counts(&m.result[LEFT][TOE_OFF], 2, 2, 1);
	/* 250 ms before the end it could have been confirmed: counted */
	inside.file_toe_offs[2] = 5750;
	assert_counts(match_hand_walk(&m, &inside, CONTACT), 3, 2, 0);
	assert_counts(&m.result[LEFT][TOE_OFF], 3, 2, 0);
}
END_TEST

/* A file whose events the analysis never finds: every one is counted,
 * however many wait (the queue decides the oldest when it is full), and
 * the agreement says so in JSON after the values of the file. */
START_TEST(events_never_found_are_all_counted_and_reported)
{
	static struct ins_import_event_match m;
	struct ins_import_agreement agree[INS_FOOT_COUNT][INS_REF_COUNT];
	struct hand_walk w = { .foot = RIGHT, .end_ms = 30000, .ours = { { -1, -1 } } };
	json_t *j, *c, *fc;
	unsigned n = 0;

	for (int t = 1000; t < 29000 && n < 15; t += 1100, n++) {
		w.file_contacts[n] = t;
		w.file_toe_offs[n] = t + 600;
	}
	w.file_contacts[n] = w.file_toe_offs[n] = -1;
	assert_counts(match_hand_walk(&m, &w, CONTACT), n, 0, 0);
	ck_assert(isnan(m.result[RIGHT][CONTACT].median_ms) && isnan(m.result[RIGHT][CONTACT].max_ms));
	memset(agree, 0, sizeof agree);
	agree[RIGHT][INS_REF_FORCE] = (struct ins_import_agreement){ .frames = 10, .within = 10 };
	j = ins_import_agreement_json(agree, m.result);
	c = json_object_get(json_object_get(j, "right"), "contact");
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(json_string_value(json_object_get(c, "name")), "initial contact");
	ck_assert_int_eq(json_integer_value(json_object_get(c, "events")), n);
	ck_assert_int_eq(json_integer_value(json_object_get(c, "matched")), 0);
	ck_assert(json_is_false(json_object_get(c, "agrees")));
	ck_assert(json_is_null(json_object_get(c, "median_diff")));
	ck_assert_str_eq(json_string_value(json_object_get(c, "tolerance")), "30 ms");
	ck_assert_ptr_nonnull(json_object_get(json_object_get(j, "right"), "toe_off"));
	/* the events come after the values the file states, which keep their place */
	ck_assert_str_eq(json_object_iter_key(json_object_iter(json_object_get(j, "right"))), "force_n");
	ck_assert_ptr_null(json_object_get(j, "left"));
	json_decref(j);
	/* no events given: the values alone, as before */
	j = ins_import_agreement_json(agree, NULL);
	fc = json_object_get(j, "right");
	ck_assert_int_eq(json_object_size(fc), 1);
	json_decref(j);
}
END_TEST

/* ---- whole files through the reader and the analysis ------------------- */

static char tmpdir[256];

static void tmp_setup(void)
{
	test_tmpdir_make(tmpdir, sizeof tmpdir, "check_file_events");
}

static void tmp_teardown(void)
{
	test_tmpdir_remove(tmpdir);
}

/* path read as --analyze reads it (the layouts it suggests), sequentially
 * or on two threads; the tally. */
static void run_file(const char *path, int pipelined, struct ins_import_tally *tally)
{
	char err[512] = "";
	struct ins_import *imp = ins_import_open(path, NULL, err, sizeof err);
	struct ins_layout *layout[INS_FOOT_COUNT] = { NULL, NULL };
	struct ins_analysis_config cfg = { .body_weight_n = 0 };
	const struct ins_import_sink sink = { NULL, NULL, NULL };
	struct ins_analysis *ana;

	ck_assert_msg(imp != NULL, "%s", err);
	ck_assert(ins_import_info(imp)->has_ref_events);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		layout[foot] = test_load_shipped(ins_import_info(imp)->layout[foot]);
		cfg.layout[foot] = layout[foot];
	}
	ana = ins_analysis_new(&cfg, err, sizeof err);
	ck_assert_msg(ana != NULL, "%s", err);
	ck_assert_msg((pipelined ? ins_import_run_pipelined(imp, ana, layout, &sink, tally, err, sizeof err)
				 : ins_import_run(imp, ana, layout, &sink, tally, err, sizeof err)) == 0,
		      "%s", err);
	ins_analysis_free(ana);
	ins_import_close(imp);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		ins_layout_free(layout[foot]);
}

/* The synthetic walk's end: mid-stance of the left foot (its contact is
 * the file's, its toe-off never comes), 8.3 s in. */
#define WALK_END_US 8300000
/* Its events per foot and kind that count, the two at its edges (below)
 * left out. */
#define WALK_EVENTS 7

/* The synthetic walker's own events, marked in a Moticon export as the
 * vendor marks its: every one the detector can see is matched, on both
 * threads alike; the right foot's first toe-off (of a stance under way at
 * the first frame) and the left foot's last contact (unfinished at the
 * end) are left out.  Marked 50 ms late, none is matched. */
START_TEST(a_synthetic_walks_own_events_match_and_shifted_they_do_not)
{
	static struct ins_import_tally seq, pipe;
	char path[300];

	snprintf(path, sizeof path, "%s/walk.txt", tmpdir);
	test_write_moticon_walk(path, WALK_END_US, 0);
	run_file(path, 0, &seq);
	run_file(path, 1, &pipe);
	ck_assert_mem_eq(seq.events.result, pipe.events.result, sizeof seq.events.result);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		for (unsigned kind = 0; kind < INS_IMPORT_EVENT_KINDS; kind++) {
			const struct ins_import_event_agreement *e = &seq.events.result[foot][kind];

			ck_assert_msg(e->events == WALK_EVENTS && e->matched == e->events, "%s %s: %lu of %lu",
				      ins_foot_name(foot), ins_import_event_key(kind), e->matched, e->events);
			ck_assert_msg(e->max_ms <= 30.0, "%s %s: %.1f ms", ins_foot_name(foot),
				      ins_import_event_key(kind), e->max_ms);
		}
	ck_assert_uint_eq(seq.events.result[RIGHT][TOE_OFF].edge, 1);
	ck_assert_uint_eq(seq.events.result[LEFT][CONTACT].edge, 1);
	ck_assert_uint_eq(seq.events.result[LEFT][TOE_OFF].edge + seq.events.result[RIGHT][CONTACT].edge, 0);

	snprintf(path, sizeof path, "%s/late.txt", tmpdir);
	test_write_moticon_walk(path, WALK_END_US, 50 * MS);
	run_file(path, 0, &seq);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		for (unsigned kind = 0; kind < INS_IMPORT_EVENT_KINDS; kind++) {
			ck_assert_uint_eq(seq.events.result[foot][kind].matched, 0);
			ck_assert(!ins_import_events_agree(&seq.events.result[foot][kind]));
		}
}
END_TEST

/* The vendor's sample walk: all 28 of its initial contacts and toe-offs
 * are matched by the analysis's within 30 ms, none at the edges (it
 * marks none in its opening standing or after its last step). */
START_TEST(moticon_sample_events_all_match_the_vendors)
{
	static struct ins_import_tally t;
	char path[512];

	test_shared_path(path, sizeof path, "moticon/230927_102114.txt");
	INS_REQUIRE_SHARED_FILE(path);
	run_file(path, 0, &t);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		for (unsigned kind = 0; kind < INS_IMPORT_EVENT_KINDS; kind++) {
			const struct ins_import_event_agreement *e = &t.events.result[foot][kind];

			fprintf(stderr, "moticon sample, %s %s: %lu of %lu within 30 ms, median %.2f ms, largest %.2f ms\n",
				ins_foot_name(foot), ins_import_event_plural(kind), e->matched, e->events, e->median_ms,
				e->max_ms);
			assert_counts(e, 7, 7, 0);
			ck_assert(e->max_ms <= 30.0);
		}
}
END_TEST

Suite *ins_suite_file_events(void);
Suite *ins_suite_file_events(void)
{
	Suite *s = suite_create("file_events");
	TCase *matcher = tcase_create("matcher");
	TCase *files = tcase_create("files");
	TCase *real = ins_shared_data_tcase("real_recordings");

	tcase_add_test(matcher, events_within_30_ms_match_and_beyond_do_not);
	tcase_add_test(matcher, a_missing_file_event_and_an_extra_one_of_ours);
	tcase_add_test(matcher, events_at_the_recordings_ends_are_left_out_unless_matched);
	tcase_add_test(matcher, events_never_found_are_all_counted_and_reported);
	suite_add_tcase(s, matcher);
	tcase_set_timeout(files, 30); /* two walks through the analysis, under sanitizers on a busy CI */
	tcase_add_checked_fixture(files, tmp_setup, tmp_teardown);
	tcase_add_test(files, a_synthetic_walks_own_events_match_and_shifted_they_do_not);
	suite_add_tcase(s, files);
	tcase_set_timeout(real, 30);
	tcase_add_test(real, moticon_sample_events_all_match_the_vendors);
	suite_add_tcase(s, real);
	return s;
}
