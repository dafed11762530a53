/* Bounded frame queue: a ring of fixed slots under one mutex.  There is one
 * slot more than the capacity: the one just popped, which the consumer
 * reads until its next pop (a push can never reach it, since at most
 * `capacity` frames wait), so frames are handed out without a second copy.
 * Whenever the queue empties, filling starts again from the first slot (the
 * held slot's storage is swapped to the end of the ring): at real time only
 * the first few slots are ever written, so a queue sized for seconds of a
 * dense insole costs the memory of the frames that actually waited. */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "insoled/assert.h"
#include "queue.h"

struct slot {
	struct ins_frame frame;
	uint16_t *values;
};

struct acquire_queue {
	pthread_mutex_t lock;
	pthread_cond_t ready;
	unsigned max_n;
	size_t capacity;     /* frames that may wait */
	size_t n_slots;      /* capacity + the one the consumer holds */
	struct slot *slots;
	uint16_t *storage;
	size_t head;         /* next slot to fill */
	size_t tail;         /* oldest waiting frame */
	size_t waiting;
	int closed;
	int quiet;           /* pushes do not wake the consumer (acquire_queue_set_quiet) */
	int kicked;          /* acquire_queue_kick since the consumer last waited */
	struct acquire_queue_stats st;
};

struct acquire_queue *acquire_queue_new(size_t capacity, unsigned max_n, char *err, size_t errlen)
{
	struct acquire_queue *q;
	pthread_condattr_t attr;

	if (capacity == 0 || max_n == 0 || max_n > INS_MAX_SENSORS) {
		snprintf(err, errlen, "frame queue: capacity %zu and max_n %u must be at least 1 (max_n at most %d)",
			 capacity, max_n, INS_MAX_SENSORS);
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		goto nomem;
	q->capacity = capacity;
	q->n_slots = capacity + 1;
	q->max_n = max_n;
	q->slots = calloc(q->n_slots, sizeof(*q->slots));
	q->storage = calloc(q->n_slots, sizeof(uint16_t) * max_n);
	if (!q->slots || !q->storage)
		goto nomem;
	for (size_t i = 0; i < q->n_slots; i++)
		q->slots[i].values = q->storage + i * max_n;
	pthread_mutex_init(&q->lock, NULL);
	/* Timed waits on the monotonic clock: wall-clock steps must not
	 * stretch or cut the consumer's timeout. */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&q->ready, &attr);
	pthread_condattr_destroy(&attr);
	q->st.capacity = capacity;
	return q;
nomem:
	snprintf(err, errlen, "frame queue: out of memory for %zu frames of %u values", capacity, max_n);
	if (q) {
		free(q->slots);
		free(q->storage);
		free(q);
	}
	return NULL;
}

void acquire_queue_free(struct acquire_queue *q)
{
	if (!q)
		return;
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->ready);
	free(q->slots);
	free(q->storage);
	free(q);
}

/* full_counts: a full queue is a drop (-1), else 1 with nothing counted. */
static int enqueue(struct acquire_queue *q, const struct ins_frame *frame, int full_counts)
{
	struct slot *s;
	int rc = -1;

	pthread_mutex_lock(&q->lock);
	if (frame->n > q->max_n) {
		q->st.too_large++;
		goto refuse;
	}
	if (!q->closed && q->waiting == q->capacity && !full_counts) {
		rc = 1;
		goto refuse;
	}
	if (q->closed || q->waiting == q->capacity) {
		q->st.dropped++;
		goto refuse;
	}
	ins_assert(q->head < q->n_slots && q->waiting < q->n_slots);
	s = &q->slots[q->head];
	s->frame = *frame;
	memcpy(s->values, frame->values, sizeof(uint16_t) * frame->n);
	s->frame.values = s->values;
	q->head = (q->head + 1) % q->n_slots;
	q->waiting++;
	q->st.pushed++;
	if (q->waiting > q->st.high_water)
		q->st.high_water = q->waiting;
	if (!q->quiet)
		pthread_cond_signal(&q->ready);
	pthread_mutex_unlock(&q->lock);
	return 0;
refuse:
	pthread_mutex_unlock(&q->lock);
	return rc;
}

int acquire_queue_push(struct acquire_queue *q, const struct ins_frame *frame)
{
	return enqueue(q, frame, 1);
}

int acquire_queue_offer(struct acquire_queue *q, const struct ins_frame *frame)
{
	return enqueue(q, frame, 0);
}

static void deadline_after(struct timespec *ts, int timeout_ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += timeout_ms / 1000;
	ts->tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Under the lock, the queue just emptied: the slot just popped (held by the
 * consumer, its frame's values in that slot's storage) moves to the last
 * place, where the ring puts the held slot when the tail is at 0. */
static void restart_at_first_slot(struct acquire_queue *q)
{
	size_t held = (q->tail + q->n_slots - 1) % q->n_slots, last = q->n_slots - 1;
	struct slot tmp = q->slots[held];

	q->slots[held] = q->slots[last];
	q->slots[last] = tmp;
	q->head = q->tail = 0;
}

int acquire_queue_pop(struct acquire_queue *q, struct ins_frame *frame, int timeout_ms)
{
	struct timespec deadline;
	int rc = 0;

	pthread_mutex_lock(&q->lock);
	if (q->waiting == 0 && !q->closed && timeout_ms > 0) {
		deadline_after(&deadline, timeout_ms);
		while (q->waiting == 0 && !q->closed)
			if (pthread_cond_timedwait(&q->ready, &q->lock, &deadline) == ETIMEDOUT)
				break;
	}
	if (q->waiting > 0) {
		*frame = q->slots[q->tail].frame;
		q->tail = (q->tail + 1) % q->n_slots;
		q->waiting--;
		q->st.popped++;
		if (q->waiting == 0)
			restart_at_first_slot(q);
		rc = 1;
	} else if (q->closed) {
		rc = -1;
	}
	pthread_mutex_unlock(&q->lock);
	return rc;
}

int acquire_queue_wait(struct acquire_queue *q, int timeout_ms)
{
	struct timespec deadline;
	int rc;

	pthread_mutex_lock(&q->lock);
	if (q->waiting == 0 && !q->closed && !q->kicked && timeout_ms > 0) {
		deadline_after(&deadline, timeout_ms);
		while (q->waiting == 0 && !q->closed && !q->kicked)
			if (pthread_cond_timedwait(&q->ready, &q->lock, &deadline) == ETIMEDOUT)
				break;
	}
	q->kicked = 0;
	rc = q->waiting > 0 ? 1 : q->closed ? -1 : 0;
	pthread_mutex_unlock(&q->lock);
	return rc;
}

void acquire_queue_kick(struct acquire_queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->kicked = 1;
	pthread_cond_signal(&q->ready);
	pthread_mutex_unlock(&q->lock);
}

void acquire_queue_set_quiet(struct acquire_queue *q, int quiet)
{
	q->quiet = quiet;
}

void acquire_queue_close(struct acquire_queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = 1;
	pthread_cond_broadcast(&q->ready);
	pthread_mutex_unlock(&q->lock);
}

void acquire_queue_get_stats(struct acquire_queue *q, struct acquire_queue_stats *out)
{
	pthread_mutex_lock(&q->lock);
	*out = q->st;
	out->depth = q->waiting;
	pthread_mutex_unlock(&q->lock);
}
