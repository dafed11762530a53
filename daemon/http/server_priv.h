/* The libmicrohttpd side of the HTTP module, shared by http.c (the server,
 * its requests and responses) and sse.c (the live stream). */
#ifndef INSOLED_HTTP_SERVER_PRIV_H
#define INSOLED_HTTP_SERVER_PRIV_H

#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>

#include "http_priv.h"

#define SSE_STALL_TIMEOUT_S 15        /* an SSE client that accepts no byte this long is gone or stuck */
#define SSE_BLOCK (16u << 10)         /* one read from the ring: a dense-grid frame event fits */
#define SSE_SNDBUF (64 << 10)         /* kernel doubles it: ~0.4 s of dense-grid frames for both feet */
#define SSE_HEARTBEAT_US 5000000      /* 5 s: keeps proxies and the browser's EventSource from timing out */
#define WAKER_TICK_MS 200             /* heartbeat and shutdown granularity of the waker */

struct sse_stream {
	struct http_server *srv;
	struct MHD_Connection *conn;
	struct ins_live_cursor *cursor;
	struct ins_live *live;        /* the lane's live state the cursor reads */
	atomic_llong last_send_us;
	int sent_preamble;
	int suspended;                /* under srv->sse_lock */
	struct sse_stream *prev, *next;
};

struct http_server {
	struct ins_http *http;
	struct MHD_Daemon *mhd;
	uint16_t port;
	char *cert_pem, *key_pem;

	pthread_mutex_t sse_lock;
	struct sse_stream *streams;
	atomic_int stopping;          /* written under sse_lock */
	/* One waker per lane's live state, so a lane publishing at full rate
	 * never delays another's streams. */
	struct sse_waker {
		struct http_server *srv;
		struct ins_live *live;
		pthread_t thread;
	} wakers[INS_HTTP_MAX_LANES];
	unsigned n_wakers;

	pthread_mutex_t jobs_lock;     /* orders a job's suspend before its resume */
	struct http_jobs pool;

	struct ins_ratelimit rl;      /* under jobs_lock: MHD and drop messages */

	/* The answer to GET /api/live for the newest snapshot text, built once
	 * and queued on every connection asking until the text changes.  It
	 * holds a reference on the text, so the pointer is a safe key. */
	pthread_mutex_t live_lock;
	const struct ins_live_text *live_key;
	struct MHD_Response *live_answer;

	atomic_uint uploads;          /* imports with a temporary file: received or importing */
};

enum body_kind { BODY_NONE = 0, BODY_JSON, BODY_UPLOAD };
enum job_state { JOB_NONE = 0, JOB_RUNNING, JOB_DONE };

struct conn_req {
	struct http_server *srv;
	struct MHD_Connection *conn;
	char *target;
	char method[12];
	int started, is_sse;
	struct http_request req;
	struct http_response resp;
	enum body_kind body_kind;
	char *body;
	size_t body_len;
	int upload_fd;
	char upload_path[64];
	uint64_t upload_len;
	int too_large;
	int no_space;                 /* the upload stopped: its file system reached the kept room */
	uint64_t space_left;          /* bytes free on it then */
	int counted_upload;           /* in srv->uploads until completed */
	enum job_state job;
	char client_addr[INET6_ADDRSTRLEN];
};

/* The server's log, rate-limited (MHD and drop messages). */
void http_srv_log(struct http_server *srv, enum ins_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* sse.c: the response of GET /api/live/stream (or a lane's), and the
 * threads that wake suspended streams, one per lane's live state: 0, or -1
 * with err. */
struct MHD_Response *http_sse_response(struct conn_req *r);
int http_sse_start_wakers(struct http_server *srv, struct ins_live *live, char *err, size_t errlen);

#endif
