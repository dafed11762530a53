/* The bounded frame queue: order, copies, exact drop counts, the held
 * slot (across a restart at the first slot too), closing, the quiet mode's
 * waits and kicks, and producers racing one consumer. */
#include <check.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "../../daemon/acquire/queue.h"
#include "insoled/clock.h"

/* Only a hang guard, never a measurement: a wait that should end at once
 * (a kick, frames waiting, the end) is given this long. */
#define HANG_GUARD_MS 20000

static struct acquire_queue *queue(size_t capacity, unsigned max_n)
{
	char err[200];
	struct acquire_queue *q = acquire_queue_new(capacity, max_n, err, sizeof(err));

	ck_assert_msg(q != NULL, "%s", err);
	return q;
}

static int push_seq(struct acquire_queue *q, uint32_t seq, unsigned n)
{
	uint16_t v[64];
	struct ins_frame f = { .foot = (uint8_t)(seq % 2), .n = (uint16_t)n, .seq = seq, .t_us = seq * 10,
			       .values = v };

	for (unsigned i = 0; i < n && i < 64; i++)
		v[i] = (uint16_t)(seq * 100 + i);
	return acquire_queue_push(q, &f);
}

static void assert_frame(const struct ins_frame *f, uint32_t seq, unsigned n)
{
	ck_assert_uint_eq(f->seq, seq);
	ck_assert_uint_eq(f->n, n);
	ck_assert_int_eq(f->t_us, seq * 10);
	ck_assert_uint_eq(f->foot, seq % 2);
	for (unsigned i = 0; i < n; i++)
		ck_assert_uint_eq(f->values[i], seq * 100 + i);
}

START_TEST(fifo_order_and_copies)
{
	struct acquire_queue *q = queue(8, 16);
	struct ins_frame f;

	for (uint32_t s = 1; s <= 5; s++)
		ck_assert_int_eq(push_seq(q, s, 16), 0);
	for (uint32_t s = 1; s <= 5; s++) {
		ck_assert_int_eq(acquire_queue_pop(q, &f, 0), 1);
		assert_frame(&f, s, 16);
	}
	ck_assert_int_eq(acquire_queue_pop(q, &f, 0), 0);
	ck_assert_int_eq(acquire_queue_pop(q, &f, 20), 0);
	acquire_queue_free(q);
}
END_TEST

START_TEST(full_queue_drops_and_counts)
{
	struct acquire_queue *q = queue(4, 16);
	struct acquire_queue_stats st;
	struct ins_frame f;

	for (uint32_t s = 1; s <= 7; s++)
		ck_assert_int_eq(push_seq(q, s, 8), s <= 4 ? 0 : -1);
	acquire_queue_get_stats(q, &st);
	ck_assert_uint_eq(st.capacity, 4);
	ck_assert_uint_eq(st.depth, 4);
	ck_assert_uint_eq(st.high_water, 4);
	ck_assert_uint_eq(st.pushed, 4);
	ck_assert_uint_eq(st.dropped, 3);
	/* the oldest frames are kept, the newest dropped */
	ck_assert_int_eq(acquire_queue_pop(q, &f, 0), 1);
	assert_frame(&f, 1, 8);
	ck_assert_int_eq(push_seq(q, 8, 8), 0);
	for (uint32_t s = 2; s <= 4; s++) {
		ck_assert_int_eq(acquire_queue_pop(q, &f, 0), 1);
		assert_frame(&f, s, 8);
	}
	ck_assert_int_eq(acquire_queue_pop(q, &f, 0), 1);
	assert_frame(&f, 8, 8);
	acquire_queue_get_stats(q, &st);
	ck_assert_uint_eq(st.popped, 5);
	ck_assert_uint_eq(st.depth, 0);
	acquire_queue_free(q);
}
END_TEST

/* The frame just popped is not overwritten while the queue fills again. */
START_TEST(popped_frame_survives_a_full_queue)
{
	struct acquire_queue *q = queue(2, 4);
	struct ins_frame held, f;

	ck_assert_int_eq(push_seq(q, 1, 4), 0);
	ck_assert_int_eq(acquire_queue_pop(q, &held, 0), 1);
	ck_assert_int_eq(push_seq(q, 2, 4), 0);
	ck_assert_int_eq(push_seq(q, 3, 4), 0);
	ck_assert_int_eq(push_seq(q, 4, 4), -1);
	assert_frame(&held, 1, 4);
	ck_assert_int_eq(acquire_queue_pop(q, &f, 0), 1);
	assert_frame(&f, 2, 4);
	acquire_queue_free(q);
}
END_TEST

/* Emptying the queue restarts it at its first slot; the frame the consumer
 * holds, wherever its slot was, survives a queue filled again. */
START_TEST(held_frame_survives_a_restart)
{
	for (uint32_t at = 1; at <= 3; at++) {
		struct acquire_queue *q = queue(3, 4);
		struct ins_frame held, f;
		uint32_t s = 1;

		for (uint32_t k = 0; k < at; k++)
			ck_assert_int_eq(push_seq(q, s + k, 4), 0);
		for (uint32_t k = 0; k < at; k++)
			ck_assert_int_eq(acquire_queue_pop(q, &held, 0), 1);
		s += at;
		for (uint32_t k = 0; k < 3; k++)
			ck_assert_int_eq(push_seq(q, s + k, 4), 0);
		ck_assert_int_eq(push_seq(q, s + 3, 4), -1);
		assert_frame(&held, s - 1, 4);
		for (uint32_t k = 0; k < 3; k++) {
			ck_assert_int_eq(acquire_queue_pop(q, &f, 0), 1);
			assert_frame(&f, s + k, 4);
		}
		ck_assert_int_eq(acquire_queue_pop(q, &f, 0), 0);
		acquire_queue_free(q);
	}
}
END_TEST

static void *kick_later(void *arg)
{
	usleep(50000);
	acquire_queue_kick(arg);
	return NULL;
}

/* A quiet queue wakes its consumer only when kicked; a wait sees waiting
 * frames at once, and -1 once closed and empty. */
START_TEST(quiet_queue_waits_for_a_kick)
{
	struct acquire_queue *q = queue(4, 4);
	struct ins_frame f;
	pthread_t th;
	int64_t t0;

	acquire_queue_set_quiet(q, 1);
	ck_assert_int_eq(acquire_queue_wait(q, 10), 0);
	ck_assert_int_eq(push_seq(q, 1, 4), 0);
	ck_assert_int_eq(acquire_queue_wait(q, HANG_GUARD_MS), 1);
	ck_assert_int_eq(acquire_queue_pop(q, &f, 0), 1);
	pthread_create(&th, NULL, kick_later, q);
	t0 = ins_mono_us();
	ck_assert_int_eq(acquire_queue_wait(q, HANG_GUARD_MS), 0);
	ck_assert_int_lt(ins_mono_us() - t0, HANG_GUARD_MS * 1000LL);
	pthread_join(th, NULL);
	acquire_queue_close(q);
	ck_assert_int_eq(acquire_queue_wait(q, HANG_GUARD_MS), -1);
	acquire_queue_free(q);
}
END_TEST

START_TEST(too_large_frames_are_refused)
{
	struct acquire_queue *q = queue(4, 8);
	struct acquire_queue_stats st;

	ck_assert_int_eq(push_seq(q, 1, 9), -1);
	ck_assert_int_eq(push_seq(q, 2, 8), 0);
	acquire_queue_get_stats(q, &st);
	ck_assert_uint_eq(st.too_large, 1);
	ck_assert_uint_eq(st.dropped, 0);
	ck_assert_uint_eq(st.pushed, 1);
	acquire_queue_free(q);
}
END_TEST

START_TEST(close_drains_then_ends)
{
	struct acquire_queue *q = queue(4, 4);
	struct acquire_queue_stats st;
	struct ins_frame f;

	ck_assert_int_eq(push_seq(q, 1, 4), 0);
	acquire_queue_close(q);
	ck_assert_int_eq(push_seq(q, 2, 4), -1);
	ck_assert_int_eq(acquire_queue_pop(q, &f, 1000), 1);
	assert_frame(&f, 1, 4);
	ck_assert_int_eq(acquire_queue_pop(q, &f, 1000), -1);
	acquire_queue_get_stats(q, &st);
	ck_assert_uint_eq(st.dropped, 1);
	acquire_queue_free(q);
}
END_TEST

START_TEST(new_rejects_bad_sizes)
{
	char err[200];

	ck_assert_ptr_null(acquire_queue_new(0, 16, err, sizeof(err)));
	ck_assert_str_eq(err, "frame queue: capacity 0 and max_n 16 must be at least 1 (max_n at most 4096)");
	ck_assert_ptr_null(acquire_queue_new(4, 5000, err, sizeof(err)));
	ck_assert_str_eq(err, "frame queue: capacity 4 and max_n 5000 must be at least 1 (max_n at most 4096)");
}
END_TEST

#define PRODUCERS 3
#define PER_PRODUCER 20000

struct producer {
	struct acquire_queue *q;
	unsigned id;
	unsigned refused;
};

static void *produce(void *arg)
{
	struct producer *p = arg;
	uint16_t v[4];

	for (uint32_t i = 0; i < PER_PRODUCER; i++) {
		struct ins_frame f = { .foot = (uint8_t)p->id, .n = 4, .seq = i, .values = v };

		for (unsigned k = 0; k < 4; k++)
			v[k] = (uint16_t)(p->id * 1000 + k);
		if (acquire_queue_push(p->q, &f) < 0)
			p->refused++;
	}
	return NULL;
}

/* Whatever the interleaving, every frame is either delivered intact and in
 * its producer's order or counted as dropped. */
START_TEST(producers_race_one_consumer)
{
	struct acquire_queue *q = queue(64, 4);
	struct producer prod[PRODUCERS];
	pthread_t th[PRODUCERS];
	int64_t last[PRODUCERS];
	uint64_t got = 0, refused = 0;
	struct acquire_queue_stats st;
	struct ins_frame f;
	int rc;

	for (unsigned i = 0; i < PRODUCERS; i++) {
		prod[i] = (struct producer){ .q = q, .id = i };
		last[i] = -1;
		pthread_create(&th[i], NULL, produce, &prod[i]);
	}
	for (;;) {
		rc = acquire_queue_pop(q, &f, 50);
		if (rc == 1) {
			ck_assert_uint_lt(f.foot, PRODUCERS);
			ck_assert_int_gt((int64_t)f.seq, last[f.foot]);
			last[f.foot] = f.seq;
			for (unsigned k = 0; k < 4; k++)
				ck_assert_uint_eq(f.values[k], f.foot * 1000u + k);
			got++;
		} else if (rc == 0) {
			break; /* producers done and queue empty (50 ms without a frame) */
		}
	}
	for (unsigned i = 0; i < PRODUCERS; i++) {
		pthread_join(th[i], NULL);
		refused += prod[i].refused;
	}
	while (acquire_queue_pop(q, &f, 0) == 1)
		got++;
	acquire_queue_get_stats(q, &st);
	ck_assert_uint_eq(st.pushed, got);
	ck_assert_uint_eq(st.popped, got);
	ck_assert_uint_eq(st.dropped, refused);
	ck_assert_uint_eq(got + refused, (uint64_t)PRODUCERS * PER_PRODUCER);
	acquire_queue_free(q);
}
END_TEST

Suite *ins_suite_queue(void);
Suite *ins_suite_queue(void)
{
	Suite *s = suite_create("queue");
	TCase *tc = tcase_create("queue");

	tcase_add_test(tc, fifo_order_and_copies);
	tcase_add_test(tc, full_queue_drops_and_counts);
	tcase_add_test(tc, popped_frame_survives_a_full_queue);
	tcase_add_test(tc, held_frame_survives_a_restart);
	tcase_add_test(tc, quiet_queue_waits_for_a_kick);
	tcase_add_test(tc, too_large_frames_are_refused);
	tcase_add_test(tc, close_drains_then_ends);
	tcase_add_test(tc, new_rejects_bad_sizes);
	tcase_add_test(tc, producers_race_one_consumer);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}
