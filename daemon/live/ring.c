/* The SSE event ring of the live state: publishers (live.c) append whole
 * records under live->lock; each SSE client's cursor copies whole records
 * out under the same lock, and a cursor the ring has overtaken is told so
 * (-1) rather than waited for. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "insoled/assert.h"
#include "live_priv.h"

/* One record may take at most a quarter of the ring, so a record never
 * evicts everything a normal reader still needs. */
#define LIVE_RECORD_MAX_FRACTION 4

/* ---- the event ring (caller holds live->lock) ---------------------------- */

static void ring_put(struct ins_live *live, const char *s, size_t n)
{
	size_t at = (size_t)(live->head % live->ring_size);
	size_t first = n < live->ring_size - at ? n : live->ring_size - at;

	ins_assert(n <= live->ring_size); /* live_ring_append refuses larger records */
	memcpy(live->ring + at, s, first);
	memcpy(live->ring, s + first, n - first);
	live->head += n;
}

static void ring_get(const struct ins_live *live, uint64_t off, char *dst, size_t n)
{
	size_t at = (size_t)(off % live->ring_size);
	size_t first = n < live->ring_size - at ? n : live->ring_size - at;

	memcpy(dst, live->ring + at, first);
	memcpy(dst + first, live->ring, n - first);
}

/* Length of the "data:" lines for text: one "data: " per line. */
static size_t data_lines_len(const char *data, size_t n)
{
	size_t len = 6 + n + 1;

	for (size_t i = 0; i < n; i++)
		if (data[i] == '\n')
			len += 6;
	return len;
}

static void ring_put_data_lines(struct ins_live *live, const char *data, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && data[i] != '\n')
			continue;
		ring_put(live, "data: ", 6);
		ring_put(live, data + start, i - start);
		ring_put(live, "\n", 1);
		start = i + 1;
	}
}

/* Appends one SSE record; returns its id or 0 when it was refused. */
uint64_t live_ring_append(struct ins_live *live, const char *type, const char *data, size_t n)
{
	char head[96];
	int hn = snprintf(head, sizeof(head), "id: %" PRIu64 "\nevent: %s\n", live->next_id, type);
	size_t len = (size_t)hn + data_lines_len(data, n) + 1;
	struct record_desc *d;
	uint64_t id;

	ins_assert_locked(&live->lock);

	if (hn < 0 || (size_t)hn >= sizeof(head) || len > live->ring_size / LIVE_RECORD_MAX_FRACTION)
		return 0;
	id = live->next_id++;
	d = &live->desc[id % live->desc_cap];
	d->id = id;
	d->off = live->head;
	d->len = (uint32_t)len;
	ring_put(live, head, (size_t)hn);
	ring_put_data_lines(live, data, n);
	ring_put(live, "\n", 1);
	/* Evict records whose bytes were overwritten or whose slot was reused. */
	while (live->first_id < live->next_id) {
		const struct record_desc *old = &live->desc[live->first_id % live->desc_cap];
		int slot_reused = live->next_id - live->first_id > live->desc_cap;

		if (!slot_reused && old->off + live->ring_size >= live->head)
			break;
		live->first_id++;
	}
	return id;
}

/* ---- readers ------------------------------------------------------------- */

struct ins_live_cursor *ins_live_cursor_open(struct ins_live *live, uint64_t last_event_id)
{
	struct ins_live_cursor *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->live = live;
	pthread_mutex_lock(&live->lock);
	if (last_event_id && last_event_id + 1 >= live->first_id && last_event_id < live->next_id)
		c->id = last_event_id + 1;
	else
		c->id = live->next_id;
	atomic_fetch_add(&live->clients, 1);
	pthread_mutex_unlock(&live->lock);
	return c;
}

long ins_live_cursor_read(struct ins_live_cursor *c, char *buf, size_t max)
{
	struct ins_live *live = c->live;
	size_t used = 0;

	if (c->dropped)
		return -1;
	pthread_mutex_lock(&live->lock);
	if (c->id < live->first_id) {
		c->dropped = 1;
		live->clients_dropped++;
		pthread_mutex_unlock(&live->lock);
		return -1;
	}
	while (c->id < live->next_id && used < max) {
		const struct record_desc *d = &live->desc[c->id % live->desc_cap];
		size_t left = d->len - c->in_record;

		/* Whole records only, unless this one alone is larger than max. */
		if (left > max - used) {
			if (used)
				break;
			left = max;
		}
		ring_get(live, d->off + c->in_record, buf + used, left);
		used += left;
		c->in_record += (uint32_t)left;
		if (c->in_record == d->len) {
			c->id++;
			c->in_record = 0;
		}
	}
	pthread_mutex_unlock(&live->lock);
	return (long)used;
}

void ins_live_cursor_close(struct ins_live_cursor *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->live->lock);
	atomic_fetch_sub(&c->live->clients, 1);
	pthread_mutex_unlock(&c->live->lock);
	free(c);
}

uint64_t ins_live_wait(struct ins_live *live, uint64_t after_id, int timeout_ms)
{
	struct timespec until;
	uint64_t newest;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&live->lock);
	while (live->next_id - 1 <= after_id)
		if (pthread_cond_timedwait(&live->cond, &live->lock, &until) == ETIMEDOUT)
			break;
	newest = live->next_id - 1;
	pthread_mutex_unlock(&live->lock);
	return newest;
}
