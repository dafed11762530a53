/* The bounded frame queue between acquisition threads and the analysis
 * thread: fixed slots sized by the largest layout, allocated once.  Push
 * never blocks (a full queue drops the frame and counts it); pop waits with
 * a timeout.  Private to daemon/acquire/ and its tests. */
#ifndef INSOLED_ACQUIRE_QUEUE_H
#define INSOLED_ACQUIRE_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "insoled/frame.h"

struct acquire_queue;

struct acquire_queue_stats {
	size_t capacity;     /* frames the queue holds */
	size_t depth;        /* frames waiting now */
	size_t high_water;   /* most frames ever waiting */
	uint64_t pushed;     /* frames accepted */
	uint64_t popped;     /* frames handed to the consumer */
	uint64_t dropped;    /* frames refused because the queue was full */
	uint64_t too_large;  /* frames refused because n exceeded the slot size */
};

struct acquire_queue *acquire_queue_new(size_t capacity, unsigned max_n, char *err, size_t errlen);
void acquire_queue_free(struct acquire_queue *q);

/* Copies the frame into a free slot and wakes the consumer.  Returns 0, or
 * -1 when the queue is full or closed, or n is larger than max_n (counted). */
int acquire_queue_push(struct acquire_queue *q, const struct ins_frame *frame);
/* The same, but a full queue returns 1 and counts no drop: for a caller
 * that can make room (run the consumer) and push again. */
int acquire_queue_offer(struct acquire_queue *q, const struct ins_frame *frame);

/* Waits up to timeout_ms (0 = just look) for a frame.  Returns 1 with *frame
 * valid (values in the queue's slot) until the next pop, 0 on timeout, -1
 * once the queue is closed and empty.  One consumer only. */
int acquire_queue_pop(struct acquire_queue *q, struct ins_frame *frame, int timeout_ms);

/* Waits up to timeout_ms until a frame waits, the queue is kicked or it
 * is closed.  Returns 1 when frames wait, -1 once closed and empty, else 0. */
int acquire_queue_wait(struct acquire_queue *q, int timeout_ms);

/* Wakes a consumer in acquire_queue_pop or acquire_queue_wait. */
void acquire_queue_kick(struct acquire_queue *q);

/* Quiet: a push no longer wakes the consumer, which is woken by
 * acquire_queue_kick or its timeout instead (a consumer that mostly runs on
 * the producers' threads, ins_acq_set_consumer).  Set before the first
 * push, while no other thread uses the queue. */
void acquire_queue_set_quiet(struct acquire_queue *q, int quiet);

/* No more pushes; pop drains what is left, then returns -1. */
void acquire_queue_close(struct acquire_queue *q);

void acquire_queue_get_stats(struct acquire_queue *q, struct acquire_queue_stats *out);

#endif
