/* The worker pool: requests whose work takes from milliseconds to minutes
 * (replays of a whole session for curves, heatmaps and comparisons, the
 * body-weight measurement, imports and re-analyses) run here, so the
 * network threads only parse, route and send, and cheap requests never wait
 * behind them.  A fixed set of threads takes jobs from a bounded queue in
 * order; imports and re-analyses, each CPU and disk heavy for minutes, are
 * also limited in number so they cannot occupy every thread. */
#include <config.h>

#include <stdlib.h>

#include "http_priv.h"

struct http_job {
	http_job_fn fn, done;
	void *arg;
	int heavy;
	struct http_job *next;
};

static void *worker_main(void *arg)
{
	struct http_jobs *p = arg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct http_job *j;

		while (!p->head && !p->stopping)
			pthread_cond_wait(&p->cond, &p->lock);
		j = p->head;
		if (!j)
			break; /* stopping and drained: every queued job was run */
		p->head = j->next;
		if (!p->head)
			p->tail = NULL;
		p->queued--;
		p->running++;
		pthread_mutex_unlock(&p->lock);
		j->fn(j->arg);
		/* The slot is free before the client hears back: its next
		 * request may be the next import. */
		pthread_mutex_lock(&p->lock);
		p->running--;
		if (j->heavy)
			p->heavy--;
		pthread_mutex_unlock(&p->lock);
		j->done(j->arg);
		free(j);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int http_jobs_start(struct http_jobs *p, unsigned threads)
{
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	if (threads > INS_HTTP_MAX_WORKERS)
		threads = INS_HTTP_MAX_WORKERS;
	for (p->n_threads = 0; p->n_threads < threads; p->n_threads++)
		if (pthread_create(&p->threads[p->n_threads], NULL, worker_main, p) != 0)
			break;
	return p->n_threads ? 0 : -1;
}

enum http_jobs_verdict http_jobs_submit(struct http_jobs *p, http_job_fn fn, http_job_fn done,
					      void *arg, int heavy)
{
	struct http_job *j = calloc(1, sizeof(*j));
	enum http_jobs_verdict v = INS_JOBS_QUEUED;

	if (!j)
		return INS_JOBS_FULL;
	j->fn = fn;
	j->done = done;
	j->arg = arg;
	j->heavy = heavy;
	pthread_mutex_lock(&p->lock);
	if (p->stopping || !p->n_threads || p->queued >= INS_HTTP_MAX_QUEUED_JOBS)
		v = INS_JOBS_FULL;
	else if (heavy && p->heavy >= INS_HTTP_MAX_HEAVY_JOBS)
		v = INS_JOBS_HEAVY_BUSY;
	if (v == INS_JOBS_QUEUED) {
		if (p->tail)
			p->tail->next = j;
		else
			p->head = j;
		p->tail = j;
		p->queued++;
		p->heavy += heavy != 0;
		pthread_cond_signal(&p->cond);
		j = NULL;
	}
	pthread_mutex_unlock(&p->lock);
	free(j);
	return v;
}

void http_jobs_stop(struct http_jobs *p)
{
	if (!p->n_threads)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = 1;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	for (unsigned i = 0; i < p->n_threads; i++)
		pthread_join(p->threads[i], NULL);
	p->n_threads = 0;
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
}
