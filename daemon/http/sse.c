/* The live stream (docs/api.md, GET /api/live/stream): SSE responses are
 * content-reader callbacks over ins_live cursors that suspend their
 * connection while there is nothing to send, and a waker thread per lane
 * resumes that lane's streams when its live state publishes or a heartbeat
 * is due. */
#include <config.h>

#include <microhttpd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "insoled/clock.h"
#include "insoled/thread.h"
#include "server_priv.h"

static const char SSE_PREAMBLE[] = "retry: 1000\n\n";
static const char SSE_HEARTBEAT[] = ": heartbeat\n\n";

/* The clock heartbeats are timed on (ins_http_config.clock_us). */
static int64_t sse_now(const struct http_server *srv)
{
	return srv->http->clock_us ? srv->http->clock_us() : ins_mono_us();
}

static ssize_t sse_copy(struct sse_stream *s, char *buf, size_t max, const char *text, size_t n)
{
	if (n > max)
		return 0;
	memcpy(buf, text, n);
	atomic_store(&s->last_send_us, sse_now(s->srv));
	return (ssize_t)n;
}

static ssize_t sse_result(struct sse_stream *s, long n)
{
	if (n < 0) {
		http_srv_log(s->srv, INS_LOG_INFO, "SSE client dropped: it fell behind the live ring");
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	atomic_store(&s->last_send_us, sse_now(s->srv));
	return n;
}

static ssize_t sse_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct sse_stream *s = cls;
	struct http_server *srv = s->srv;
	long n;

	if (!s->sent_preamble) {
		s->sent_preamble = 1;
		return sse_copy(s, buf, max, SSE_PREAMBLE, sizeof(SSE_PREAMBLE) - 1);
	}
	n = ins_live_cursor_read(s->cursor, buf, max);
	if (n != 0)
		return sse_result(s, n);
	if (sse_now(srv) - atomic_load(&s->last_send_us) >= SSE_HEARTBEAT_US)
		return sse_copy(s, buf, max, SSE_HEARTBEAT, sizeof(SSE_HEARTBEAT) - 1);
	/* Nothing to send: park the connection.  The second read under the
	 * lock closes the window in which the waker could miss us. */
	pthread_mutex_lock(&srv->sse_lock);
	if (srv->stopping) {
		pthread_mutex_unlock(&srv->sse_lock);
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	n = ins_live_cursor_read(s->cursor, buf, max);
	if (n == 0) {
		s->suspended = 1;
		MHD_suspend_connection(s->conn);
	}
	pthread_mutex_unlock(&srv->sse_lock);
	return n ? sse_result(s, n) : 0;
}

static void sse_free(void *cls)
{
	struct sse_stream *s = cls;
	struct http_server *srv = s->srv;

	pthread_mutex_lock(&srv->sse_lock);
	if (s->prev)
		s->prev->next = s->next;
	else
		srv->streams = s->next;
	if (s->next)
		s->next->prev = s->prev;
	pthread_mutex_unlock(&srv->sse_lock);
	ins_live_cursor_close(s->cursor);
	free(s);
}

static void *waker_main(void *arg)
{
	struct sse_waker *w = arg;
	struct http_server *srv = w->srv;
	uint64_t seen = 0;

	for (;;) {
		uint64_t newest = ins_live_wait(w->live, seen, WAKER_TICK_MS);
		int64_t now = sse_now(srv);
		int stop;

		pthread_mutex_lock(&srv->sse_lock);
		stop = srv->stopping;
		for (struct sse_stream *s = srv->streams; s; s = s->next) {
			int due = newest != seen || stop || now - atomic_load(&s->last_send_us) >= SSE_HEARTBEAT_US;

			if (s->suspended && due && (s->live == w->live || stop)) {
				s->suspended = 0;
				MHD_resume_connection(s->conn);
			}
		}
		pthread_mutex_unlock(&srv->sse_lock);
		seen = newest;
		if (stop)
			return NULL;
	}
}

/* Linux lets a socket buffer megabytes for a client that does not read;
 * bounding it makes a stalled stream stall (and time out) within seconds
 * and caps kernel memory per SSE client. */
static void bound_send_buffer(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	int bytes = SSE_SNDBUF;

	if (ci)
		setsockopt(ci->connect_fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes));
}

struct MHD_Response *http_sse_response(struct conn_req *r)
{
	struct http_server *srv = r->srv;
	struct sse_stream *s = calloc(1, sizeof(*s));
	struct MHD_Response *mr;
	unsigned stall = srv->http->sse_stall_timeout_s ? srv->http->sse_stall_timeout_s : SSE_STALL_TIMEOUT_S;

	if (!s)
		return NULL;
	s->srv = srv;
	s->conn = r->conn;
	atomic_init(&s->last_send_us, sse_now(srv));
	s->live = r->resp.sse_live ? r->resp.sse_live : srv->http->live;
	s->cursor = ins_live_cursor_open(s->live, r->resp.last_event_id);
	if (!s->cursor) {
		free(s);
		return NULL;
	}
	mr = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, SSE_BLOCK, sse_reader, s, sse_free);
	if (!mr) {
		ins_live_cursor_close(s->cursor);
		free(s);
		return NULL;
	}
	pthread_mutex_lock(&srv->sse_lock);
	s->next = srv->streams;
	if (s->next)
		s->next->prev = s;
	srv->streams = s;
	pthread_mutex_unlock(&srv->sse_lock);
	/* A client that stops reading never lets the socket drain, so its reader
	 * is never called again; the connection timeout is what drops it.
	 * Healthy clients get a heartbeat well within it. */
	MHD_set_connection_option(r->conn, MHD_CONNECTION_OPTION_TIMEOUT, stall);
	bound_send_buffer(r->conn);
	r->is_sse = 1;
	return mr;
}

/* A waker for the server's live state and one for each other lane's. */
int http_sse_start_wakers(struct http_server *srv, struct ins_live *live, char *err, size_t errlen)
{
	struct ins_http *http = srv->http;

	for (unsigned i = 0; i < (http->n_lanes ? http->n_lanes : 1); i++) {
		struct sse_waker *w = &srv->wakers[srv->n_wakers];

		w->srv = srv;
		w->live = i == 0 ? live : http->lanes[i]->live;
		if (!w->live)
			continue;
		if (ins_thread_start(&w->thread, INS_STACK_SMALL, waker_main, w) != 0) {
			snprintf(err, errlen, "http: cannot start the SSE waker thread");
			return -1;
		}
		srv->n_wakers++;
	}
	return 0;
}
