/* Connection admission.  libmicrohttpd stops polling its listening socket
 * when it reaches its connection limit, so a flood of connections that send
 * nothing (or trickle headers) leaves every new client waiting in the
 * kernel's accept queue until the flood times out.  With epoll (0.9.75) it
 * was worse: a worker at its limit took the listening socket out of its
 * epoll set and put it back only after a slot freed, and connections whose
 * peer had already closed were only dropped by the 30 s idle timeout (strace
 * shows the worker closing them and re-adding the listening socket 30 s
 * after the flood; upstream's later "epoll: immediately notice when other
 * side closes the socket" adds EPOLLRDHUP), so one connection over the
 * limit froze every new client for 30 s.  Here libmicrohttpd's limit is
 * never reached: the server's own limit sits below it (a reserve keeps the
 * listening socket polled); at that limit a new connection takes the place
 * of the connection that has been idle longest (connected or kept alive
 * without a request in progress), and is closed at once when every
 * connection is busy with a request (SSE streams, uploads, running jobs). */
#include <config.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "http_priv.h"

struct http_admit_conn {
	int fd;
	char peer[INET6_ADDRSTRLEN];
	int idle, evicted;
	struct http_admit_conn *prev, *next;   /* idle list, oldest first */
};

void http_admit_init(struct http_admit *a, unsigned limit)
{
	pthread_mutex_init(&a->lock, NULL);
	a->limit = limit;
}

void http_admit_destroy(struct http_admit *a)
{
	pthread_mutex_destroy(&a->lock);
}

/* Caller holds a->lock. */
static void idle_unlink(struct http_admit *a, struct http_admit_conn *c)
{
	if (!c->idle)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		a->idle_head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		a->idle_tail = c->prev;
	c->prev = c->next = NULL;
	c->idle = 0;
}

/* Caller holds a->lock. */
static void idle_append(struct http_admit *a, struct http_admit_conn *c)
{
	if (c->idle || c->evicted)
		return;
	c->prev = a->idle_tail;
	c->next = NULL;
	if (a->idle_tail)
		a->idle_tail->next = c;
	else
		a->idle_head = c;
	a->idle_tail = c;
	c->idle = 1;
}

enum http_admit_verdict http_admit_accept(struct http_admit *a)
{
	struct http_admit_conn *victim;
	enum http_admit_verdict v = INS_ADMIT_OK;

	pthread_mutex_lock(&a->lock);
	if (a->open - a->evicting >= a->limit) {
		victim = a->idle_head;
		if (victim) {
			idle_unlink(a, victim);
			victim->evicted = 1;
			a->evicting++;
			a->evicted_total++;
			/* libmicrohttpd owns the descriptor: it sees end-of-file on
			 * its next poll and closes the connection itself.  Still
			 * under the lock, so the close notification cannot have
			 * freed it yet. */
			shutdown(victim->fd, SHUT_RDWR);
			v = INS_ADMIT_EVICTED;
		} else {
			a->refused_total++;
			v = INS_ADMIT_REFUSED;
		}
	}
	pthread_mutex_unlock(&a->lock);
	return v;
}

struct http_admit_conn *http_admit_opened(struct http_admit *a, int fd, const char *peer)
{
	struct http_admit_conn *c = calloc(1, sizeof(*c));

	if (c && peer && strlen(peer) < sizeof(c->peer))
		strcpy(c->peer, peer);
	pthread_mutex_lock(&a->lock);
	a->open++;
	if (c) {
		c->fd = fd;
		idle_append(a, c);
	}
	pthread_mutex_unlock(&a->lock);
	return c;
}

const char *http_admit_peer(const struct http_admit_conn *c)
{
	return c && c->peer[0] ? c->peer : NULL;
}

void http_admit_closed(struct http_admit *a, struct http_admit_conn *c)
{
	pthread_mutex_lock(&a->lock);
	a->open--;
	if (c) {
		idle_unlink(a, c);
		if (c->evicted)
			a->evicting--;
	}
	pthread_mutex_unlock(&a->lock);
	free(c);
}

void http_admit_busy(struct http_admit *a, struct http_admit_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&a->lock);
	idle_unlink(a, c);
	pthread_mutex_unlock(&a->lock);
}

void http_admit_idle(struct http_admit *a, struct http_admit_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&a->lock);
	idle_append(a, c);
	pthread_mutex_unlock(&a->lock);
}

void http_admit_stats(struct http_admit *a, struct http_admit_stats *out)
{
	pthread_mutex_lock(&a->lock);
	out->open = a->open;
	out->limit = a->limit;
	out->evicted = a->evicted_total;
	out->refused = a->refused_total;
	pthread_mutex_unlock(&a->lock);
}
