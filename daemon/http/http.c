/* libmicrohttpd glue: a thread pool on epoll answers ordinary requests,
 * kept below libmicrohttpd's own connection limit by admit.c (at that
 * limit 0.9.75's epoll loop stops polling its listening socket until slots
 * free, and connections whose peer closed meanwhile can hold theirs until
 * the 30 s timeout: the whole server froze); SSE
 * responses are content-reader callbacks over ins_live cursors that suspend
 * their connection while there is nothing to send (sse.c), and a waker thread per lane
 * resumes them when its live state publishes (like systemd
 * journal-gatewayd, per-request state lives in con_cls and is freed in the
 * completion callback).  Long requests (replays, the body-weight
 * measurement, imports, re-analyses) run on the worker pool (jobs.c) with
 * their connection suspended, so no network thread waits on them. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server_priv.h"
#include "insoled/clock.h"
#include "insoled/disk.h"
#include "insoled/result.h"

#define LOG_PREFIX "http"

/* Tablets, browsers, scripts and their SSE streams need a few dozen; the
 * rest is headroom so that a flood of connections (each a descriptor and at
 * most CONNECTION_MEMORY plus socket buffers) cannot lock them out. */
#define DEFAULT_MAX_CONNECTIONS 8192
#define FD_RESERVE 256                /* descriptors kept for the database, serial ports, files, jobs */
#define MHD_RESERVE_MIN 16            /* libmicrohttpd's own limit lies this far (or 1/8) above ours, */
				      /* so it never stops polling its listening socket */
#define DEFAULT_MAX_PER_IP 128        /* a quarter: one runaway host cannot take every slot */
#define CONNECTION_TIMEOUT_S 30       /* frees slots held by clients that vanished */
/* Per connection: the request headers (up to about 7.4 KiB, a Cookie header
 * up to about 3.6 KiB since libmicrohttpd copies it to parse it; more is
 * answered 431, docs/api.md), the answer's headers, a body chunk
 * and one SSE block.  libmicrohttpd zeroes all of it before each request on
 * a kept-alive connection: at 32 KiB that memset was a tenth of the CPU of
 * serving GET /api/live, and a flood of connections holds less memory. */
#define CONNECTION_MEMORY (8u << 10)
#define EXPORT_BLOCK (16u << 10)
#define TLS_FILE_MAX (64u << 10)      /* PEM certificate chains are a few KiB */
/* Import bodies received at once: the two imports that may run and two on
 * their way.  Each may fill INS_HTTP_MAX_UPLOAD of the temporary directory
 * (often the disk of the database, or RAM), so more are refused at once
 * rather than after they were sent only to hear the importers are busy. */
#define MAX_UPLOADS 4
/* Upload bytes between two looks at the temporary directory's free space:
 * a body of unknown length (chunked) stops within this much of the room
 * kept for live recording, at one statvfs per 16 MiB. */
#define UPLOAD_ROOM_CHECK_BYTES (16u << 20)
/* GnuTLS priorities: TLS 1.2 and 1.3 only, and only key exchanges with
 * forward secrecy (plain RSA key transport removed), 128-bit security or
 * more; the server's order wins so clients cannot pick the weakest. */
#define TLS_PRIORITIES "SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-RSA:-DHE-DSS:%SERVER_PRECEDENCE"

void http_srv_log(struct http_server *srv, enum ins_log_level level, const char *fmt, ...)
{
	char msg[400];
	unsigned suppressed = 0;
	va_list ap;
	int ok;

	pthread_mutex_lock(&srv->jobs_lock);
	ok = ins_ratelimit_ok(&srv->rl, &suppressed);
	pthread_mutex_unlock(&srv->jobs_lock);
	if (!ok)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ins_log(level, LOG_PREFIX, "%s (%u similar suppressed)", msg, suppressed);
}

static void mhd_logger(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
	char msg[400];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	http_srv_log(cls, INS_LOG_WARN, "libmicrohttpd: %s", msg);
}

static const char *mhd_header(void *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx, MHD_HEADER_KIND, name);
}

/* ---- admission --------------------------------------------------------- */

/* The connection limit, lowered to what the descriptor limit allows (raised
 * to its hard maximum first: the default soft limit of 1024 would cap the
 * server far below its configured connections). */
static unsigned connection_limit(const struct ins_http *http)
{
	unsigned want = http->max_connections ? http->max_connections : DEFAULT_MAX_CONNECTIONS;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return want;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)want + want / 8 + MHD_RESERVE_MIN + FD_RESERVE) {
		rlim_t room = rl.rlim_cur > FD_RESERVE + 64 ? rl.rlim_cur - FD_RESERVE : 64;
		unsigned fit = (unsigned)(room * 8 / 9) > MHD_RESERVE_MIN ? (unsigned)(room * 8 / 9) - MHD_RESERVE_MIN : 16;

		if (fit < want) {
			ins_warn("connection limit lowered from %u to %u: only %llu file descriptors "
				 "(raise LimitNOFILE / ulimit -n)", want, fit, (unsigned long long)rl.rlim_cur);
			want = fit;
		}
	}
	return want;
}

static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	struct http_server *srv = cls;

	switch (http_admit_accept(&srv->http->admit)) {
	case INS_ADMIT_OK:
		return MHD_YES;
	case INS_ADMIT_EVICTED:
		http_srv_log(srv, INS_LOG_WARN, "connection limit (%u) reached: closed the connection idle longest",
			srv->http->admit.limit);
		return MHD_YES;
	case INS_ADMIT_REFUSED:
		break;
	}
	http_srv_log(srv, INS_LOG_WARN, "connection limit (%u) reached with every connection busy: new connection closed",
		srv->http->admit.limit);
	return MHD_NO;
}

/* The client's numeric address into out ("" when unknown). */
static void peer_address(struct MHD_Connection *conn, char *out, socklen_t len)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = info ? info->client_addr : NULL;
	const char *text = NULL;

	if (sa && sa->sa_family == AF_INET)
		text = inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, len);
	else if (sa && sa->sa_family == AF_INET6)
		text = inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, len);
	if (!text)
		out[0] = '\0';
}

/* The address is formatted here, once per connection: inet_ntop formats
 * through sprintf, which on every request of a kept-alive connection cost a
 * third of the instructions this file spends on GET /api/live. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct http_server *srv = cls;
	const union MHD_ConnectionInfo *info;
	char peer[INET6_ADDRSTRLEN];

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		peer_address(conn, peer, sizeof(peer));
		*socket_context = http_admit_opened(&srv->http->admit, info ? info->connect_fd : -1, peer);
	} else {
		http_admit_closed(&srv->http->admit, *socket_context);
		*socket_context = NULL;
	}
}

static struct http_admit_conn *admit_conn(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return info ? info->socket_context : NULL;
}

/* ---- other streamed bodies ------------------------------------------------ */

static ssize_t export_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	ssize_t n = ins_store_export_read(cls, buf, max);

	if (n < 0)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	return n == 0 ? MHD_CONTENT_READER_END_OF_STREAM : n;
}

static void export_free(void *cls)
{
	ins_store_export_close(cls);
}

static ssize_t no_body_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	return MHD_CONTENT_READER_END_OF_STREAM;
}

/* A streamed download.  Its length is known only once it is written, so
 * GET gets it chunked; HEAD must get the same headers without a body, but
 * libmicrohttpd 0.9.75 still ends a chunked answer to HEAD with the empty
 * last chunk, five bytes a kept-alive client then reads as the start of
 * its next answer.  So HEAD is answered without chunked encoding and the
 * connection closed (the length is left unsaid, as it is unknown), and the
 * export is not read at all. */
static struct MHD_Response *export_response(struct conn_req *r)
{
	struct http_response *resp = &r->resp;
	struct MHD_Response *mr;

	if (r->req.method == INS_HTTP_HEAD) {
		ins_store_export_close(resp->export);
		resp->export = NULL;
		mr = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64, no_body_reader, NULL, NULL);
		if (mr)
			MHD_set_response_options(mr, MHD_RF_HTTP_1_0_COMPATIBLE_STRICT, MHD_RO_END);
		return mr;
	}
	mr = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, EXPORT_BLOCK, export_reader, resp->export,
					       export_free);
	if (mr)
		resp->export = NULL;
	return mr;
}

static void live_text_free(void *cls)
{
	ins_live_text_unref(cls);
}

/* ---- building and queueing responses --------------------------------------- */

/* On every answer, so an error page or a JSON body opened directly is as
 * locked down as the dashboard: scripts, styles and connections only from
 * this origin (images also from data: URIs, the empty favicon), no framing (clickjacking), no content sniffing,
 * and no address (session ids) leaked to other sites in a Referer. */
static void add_security_headers(struct MHD_Response *mr)
{
	MHD_add_response_header(mr, "Content-Security-Policy",
				"default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; "
				"form-action 'self'; object-src 'none'");
	MHD_add_response_header(mr, "X-Frame-Options", "DENY");
	MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(mr, "Referrer-Policy", "no-referrer");
}

static struct MHD_Response *make_response(struct conn_req *r)
{
	struct http_response *resp = &r->resp;
	struct MHD_Response *mr = NULL;
	const char *data;
	size_t len;

	switch (resp->kind) {
	case INS_RESP_BUFFER:
		mr = MHD_create_response_from_buffer(resp->len, resp->body, MHD_RESPMEM_MUST_FREE);
		if (mr)
			resp->body = NULL;
		break;
	case INS_RESP_LIVE_TEXT:
		data = ins_live_text_data(resp->live_text, &len);
		mr = MHD_create_response_from_buffer_with_free_callback_cls(len, (void *)(uintptr_t)data,
									    live_text_free, resp->live_text);
		if (mr)
			resp->live_text = NULL;
		break;
	case INS_RESP_FILE:
		mr = MHD_create_response_from_fd64(resp->file_size, resp->fd);
		if (mr)
			resp->fd = -1;
		break;
	case INS_RESP_EXPORT:
		mr = export_response(r);
		break;
	case INS_RESP_SSE:
		mr = http_sse_response(r);
		break;
	}
	if (!mr)
		return NULL;
	if (resp->content_type)
		MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
	for (unsigned i = 0; i < resp->n_headers; i++)
		MHD_add_response_header(mr, resp->headers[i].name, resp->headers[i].value);
	/* API answers are patient data, live values or errors about them: never
	 * kept in a browser's or a proxy's cache (a shared clinic PC's disk). */
	if (r->req.route.id != INS_ROUTE_STATIC && !MHD_get_response_header(mr, "Cache-Control"))
		MHD_add_response_header(mr, "Cache-Control", "no-store");
	add_security_headers(mr);
	return mr;
}

/* GET /api/live: every request between two snapshots gets the same
 * answer, so it is built (body and headers) once and queued on each
 * connection, which takes its own reference; the lock keeps it alive until
 * then.  0 when it cannot be built (the caller answers 503). */
static int queue_shared_live(struct conn_req *r, enum MHD_Result *ret)
{
	struct http_server *srv = r->srv;
	const struct ins_live_text *key = r->resp.live_text;
	struct MHD_Response *mr;

	pthread_mutex_lock(&srv->live_lock);
	if (srv->live_key != key || !srv->live_answer) {
		mr = make_response(r);
		if (!mr) {
			pthread_mutex_unlock(&srv->live_lock);
			return 0;
		}
		if (srv->live_answer)
			MHD_destroy_response(srv->live_answer);
		srv->live_answer = mr;
		srv->live_key = key;
	}
	*ret = MHD_queue_response(r->conn, r->resp.status, srv->live_answer);
	pthread_mutex_unlock(&srv->live_lock);
	return 1;
}

static enum MHD_Result queue(struct conn_req *r)
{
	struct MHD_Response *mr;
	enum MHD_Result ret;

	http_log_response(r->srv->http, r->method, &r->req, &r->resp);
	if (r->resp.kind == INS_RESP_LIVE_TEXT && queue_shared_live(r, &ret))
		return ret;
	mr = make_response(r);
	if (!mr) {
		static const char oom[] = "{\"error\":\"out of memory\"}";

		mr = MHD_create_response_from_buffer(sizeof(oom) - 1, (void *)(uintptr_t)oom, MHD_RESPMEM_PERSISTENT);
		if (!mr)
			return MHD_NO;
		MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
		r->resp.status = 503;
	}
	ret = MHD_queue_response(r->conn, r->resp.status, mr);
	MHD_destroy_response(mr);
	return ret;
}

static enum MHD_Result answer_error(struct conn_req *r, unsigned status, const char *field, const char *msg)
{
	http_resp_error(&r->resp, status, field, "%s", msg);
	return queue(r);
}

/* ---- worker pool ---------------------------------------------------------- */

static void job_main(void *arg)
{
	struct conn_req *r = arg;

	http_dispatch(r->srv->http, &r->req, &r->resp);
}

static void job_done(void *arg)
{
	struct conn_req *r = arg;
	struct http_server *srv = r->srv;

	pthread_mutex_lock(&srv->jobs_lock);
	r->job = JOB_DONE;
	MHD_resume_connection(r->conn);
	pthread_mutex_unlock(&srv->jobs_lock);
}

static enum MHD_Result start_job(struct conn_req *r, enum http_runs runs)
{
	struct http_server *srv = r->srv;
	enum http_jobs_verdict v;

	/* Under jobs_lock from submit to suspend: the job cannot resume the
	 * connection before it is suspended. */
	pthread_mutex_lock(&srv->jobs_lock);
	r->job = JOB_RUNNING;
	v = http_jobs_submit(&srv->pool, job_main, job_done, r, runs == INS_RUNS_HEAVY);
	if (v == INS_JOBS_QUEUED)
		MHD_suspend_connection(r->conn);
	else
		r->job = JOB_NONE;
	pthread_mutex_unlock(&srv->jobs_lock);
	if (v == INS_JOBS_HEAVY_BUSY)
		return answer_error(r, 503, NULL, "busy with other imports or re-analyses: retry in a minute");
	if (v == INS_JOBS_FULL)
		return answer_error(r, 503, NULL, "the server is busy with other long requests: retry shortly");
	return MHD_YES;
}

/* ---- request bodies ------------------------------------------------------------ */

/* Where uploads are kept until imported: $TMPDIR when it is short enough
 * for upload_path, else /tmp. */
static const char *upload_dir(void)
{
	const char *dir = getenv("TMPDIR");

	return dir && *dir && strlen(dir) < 32 ? dir : "/tmp";
}

/* 0, or -1 with the connection answered (*ret).  expected: the body's
 * declared length (0 when chunked). */
static int open_upload(struct conn_req *r, uint64_t expected, enum MHD_Result *ret)
{
	struct ins_error err = { "", "" };

	if (ins_disk_check_room(upload_dir(), "the upload", expected, INS_DISK_KEEP_FREE_BYTES, &err) < 0) {
		*ret = answer_error(r, 507, NULL, err.msg);
		return -1;
	}
	if (atomic_fetch_add(&r->srv->uploads, 1) >= MAX_UPLOADS) {
		atomic_fetch_sub(&r->srv->uploads, 1);
		*ret = answer_error(r, 503, NULL, "busy receiving other uploads: retry in a minute");
		return -1;
	}
	r->counted_upload = 1;

	snprintf(r->upload_path, sizeof(r->upload_path), "%s/insoled-upload-XXXXXX", upload_dir());
	r->upload_fd = mkstemp(r->upload_path);
	if (r->upload_fd < 0) {
		r->upload_path[0] = '\0';
		*ret = answer_error(r, 503, NULL, "cannot create a temporary file for the upload");
		return -1;
	}
	return 0;
}

/* The upload's file system is full, or down to the kept room: what was
 * received is given back at once, the rest of the body is read and
 * dropped, and the answer is 507. */
static void upload_out_of_room(struct conn_req *r)
{
	r->no_space = 1;
	ins_disk_available(upload_dir(), &r->space_left);
	if (ftruncate(r->upload_fd, 0) < 0)
		http_srv_log(r->srv, INS_LOG_WARN, "upload: cannot empty %s: %s", r->upload_path, strerror(errno));
}

static int take_upload(struct conn_req *r, const char *data, size_t n)
{
	struct ins_error err = { "", "" };

	if (r->no_space)
		return 0;
	if (r->upload_len / UPLOAD_ROOM_CHECK_BYTES != (r->upload_len + n) / UPLOAD_ROOM_CHECK_BYTES &&
	    ins_disk_check_room(upload_dir(), "the upload", n, INS_DISK_KEEP_FREE_BYTES, &err) < 0) {
		upload_out_of_room(r);
		return 0;
	}
	if (http_write_all(r->upload_fd, data, n) < 0) {
		if (errno != ENOSPC && errno != EDQUOT)
			return -1;
		upload_out_of_room(r);
		return 0;
	}
	r->upload_len += n;
	return 0;
}

static enum MHD_Result upload_no_space(struct conn_req *r)
{
	char msg[320];

	snprintf(msg, sizeof(msg), "not enough free disk space for the upload in %s: it stopped after %.1f MiB with "
		 "%.1f MiB left, and %.0f MiB stay free for live recording; free some space and try again",
		 upload_dir(), (double)r->upload_len / (1 << 20), (double)r->space_left / (1 << 20),
		 (double)INS_DISK_KEEP_FREE_BYTES / (1 << 20));
	return answer_error(r, 507, NULL, msg);
}

static int take_body(struct conn_req *r, const char *data, size_t n)
{
	if (r->too_large)
		return 0;
	if (r->body_kind == BODY_UPLOAD) {
		if (r->upload_len + n > INS_HTTP_MAX_UPLOAD) {
			r->too_large = 1;
			return 0;
		}
		return take_upload(r, data, n);
	}
	if (r->body_len + n > INS_HTTP_MAX_JSON_BODY) {
		r->too_large = 1;
		return 0;
	}
	char *p = realloc(r->body, r->body_len + n + 1);

	if (!p)
		return -1;
	memcpy(p + r->body_len, data, n);
	r->body = p;
	r->body_len += n;
	r->body[r->body_len] = '\0';
	return 0;
}

static enum MHD_Result too_large(struct conn_req *r)
{
	char msg[96];

	snprintf(msg, sizeof(msg), "body: larger than %llu bytes",
		 r->body_kind == BODY_UPLOAD ? (unsigned long long)INS_HTTP_MAX_UPLOAD
					     : (unsigned long long)INS_HTTP_MAX_JSON_BODY);
	return answer_error(r, 413, "body", msg);
}

/* The connection's address as on_connection formatted it (again here only
 * when it could not keep it). */
static void client_address(struct conn_req *r, const struct http_admit_conn *ac)
{
	const char *peer = http_admit_peer(ac);

	if (peer)
		memcpy(r->client_addr, peer, strlen(peer) + 1);
	else
		peer_address(r->conn, r->client_addr, sizeof(r->client_addr));
	r->req.client_addr = r->client_addr[0] ? r->client_addr : NULL;
}

/* What the request's headers say about its framing and its Host. */
struct framing {
	unsigned content_lengths, transfer_encodings, hosts;
	const char *first_length, *encoding, *bad_name;
	int lengths_differ;
};

/* RFC 9110 token characters: anything else in a header name (a space
 * before the colon, above all) is a name some other server reads
 * differently, e.g. "Transfer-Encoding :" as Transfer-Encoding. */
static int is_token(const char *s)
{
	return *s && s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~")] == '\0';
}

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct framing *f = cls;

	if (!f->bad_name && !is_token(key))
		f->bad_name = key;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
		if (f->first_length && strcmp(f->first_length, value ? value : "") != 0)
			f->lengths_differ = 1;
		if (!f->first_length)
			f->first_length = value ? value : "";
		f->content_lengths++;
	} else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
		f->encoding = value ? value : "";
		f->transfer_encodings++;
	} else if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0) {
		f->hosts++;
	}
	return MHD_YES;
}

/* A body whose length two parties could read differently (two lengths, a
 * length and chunked, a coding other than chunked, which libmicrohttpd
 * would read until the connection closes) is how requests are smuggled
 * past a proxy, and so is a header name that is not a token: refused, and
 * the connection closed, since where the next request starts is unknown.
 * HTTP/1.1 requires exactly one Host (RFC 9112 3.2): without it, or with
 * two, which name this server is ambiguous. */
static const char *bad_framing(struct conn_req *r, const char *version, const char **field, char *msg,
			       size_t msglen)
{
	struct framing f = { 0 };

	MHD_get_connection_values(r->conn, MHD_HEADER_KIND, count_framing, &f);
	*field = f.transfer_encodings ? MHD_HTTP_HEADER_TRANSFER_ENCODING : MHD_HTTP_HEADER_CONTENT_LENGTH;
	if (f.content_lengths && f.transfer_encodings)
		return "Content-Length: sent together with Transfer-Encoding";
	if (f.lengths_differ)
		return "Content-Length: sent more than once with different values";
	if (f.transfer_encodings > 1)
		return "Transfer-Encoding: sent more than once";
	if (f.encoding && strcasecmp(f.encoding, "chunked") != 0)
		return "Transfer-Encoding: only chunked is accepted";
	*field = MHD_HTTP_HEADER_HOST;
	if (f.hosts > 1)
		return "Host: sent more than once";
	if (!f.hosts && strcmp(version, MHD_HTTP_VERSION_1_0) != 0)
		return "Host: required in an HTTP/1.1 request";
	*field = NULL;
	if (f.bad_name) {
		snprintf(msg, msglen, "header name '%.40s' is not a token (a space before the ':'?)", f.bad_name);
		return msg;
	}
	return NULL;
}

/* Whether this request's route takes the body it may carry. */
static int takes_body(const struct http_request *req)
{
	return (req->method & (INS_HTTP_POST | INS_HTTP_PATCH | INS_HTTP_PUT | INS_HTTP_DELETE)) &&
	       (req->method & req->route.methods) && req->route.id != INS_ROUTE_STATIC &&
	       req->route.id != INS_ROUTE_NONE;
}

static int has_body(struct conn_req *r)
{
	const char *cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

	return (cl && strcmp(cl, "0") != 0) ||
	       MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
}

/* A body sent where none is taken (a GET's, a POST to a file or to no
 * endpoint) is never read: the answer goes out at once and the connection
 * closes.  Read, it would let anyone, without a token, hold connections
 * busy (never given up to a new client) by trickling bodies. */
static void refuse_body(struct conn_req *r)
{
	struct ins_http *http = r->srv->http;

	if (http_check_host(http, &r->req, &r->resp))
		return;
	if ((r->req.method & r->req.route.methods) && r->req.route.id != INS_ROUTE_NONE)
		http_resp_error(&r->resp, 400, "body", "body: a %s request takes no body", r->method);
	else
		http_dispatch(http, &r->req, &r->resp);   /* 401, 404 or 405: none reads a body */
}

/* Refuses bodies from strangers before reading a byte of them; 1 when
 * the request was answered. */
static int refuse_stranger(struct conn_req *r)
{
	struct ins_http *http = r->srv->http;

	return http_check_host(http, &r->req, &r->resp) ||
	       (r->req.route.id != INS_ROUTE_LOGIN && http_check_auth(http, &r->req, &r->resp)) ||
	       http_check_origin(&r->req, &r->resp);
}

/* First call: parse, route and decide what to do with a body.  Returns 1
 * when a response was queued. */
static int first_call(struct conn_req *r, struct http_admit_conn *ac, const char *version,
		      enum MHD_Result *ret)
{
	struct ins_http *http = r->srv->http;
	struct ins_error target_err = { 0 };
	char err[200];
	unsigned status;
	const char *cl, *why, *field;

	r->req.tls = http->tls_cert != NULL;
	client_address(r, ac);
	why = bad_framing(r, version, &field, err, sizeof(err));
	if (why) {
		http_resp_error(&r->resp, 400, field, "%s", why);
		/* for the log: a fixed text, not the header name the client chose */
		r->resp.log_msg = why == err ? "a header name is not a token" : why;
		http_resp_header(&r->resp, MHD_HTTP_HEADER_CONNECTION, "close");
		*ret = queue(r);
		return 1;
	}
	status = http_parse_target(r->target, &r->req, &target_err);
	if (status) {
		*ret = answer_error(r, status, target_err.field, target_err.msg);
		return 1;
	}
	/* Someone logging in is not known yet: while the login's body comes
	 * in, the connection gives way to a new client like an idle one, so
	 * trickled logins cannot hold every connection (respond() marks it
	 * busy once the body is in). */
	if (r->req.route.id != INS_ROUTE_LOGIN)
		http_admit_busy(&http->admit, ac);
	if (!takes_body(&r->req)) {
		if (!has_body(r))
			return 0;
		refuse_body(r);
		http_resp_header(&r->resp, MHD_HTTP_HEADER_CONNECTION, "close");
		*ret = queue(r);
		return 1;
	}
	r->body_kind = http_wants_upload(&r->req) ? BODY_UPLOAD : BODY_JSON;
	if (refuse_stranger(r)) {
		*ret = queue(r);
		return 1;
	}
	cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl && strtoull(cl, NULL, 10) >
		      (r->body_kind == BODY_UPLOAD ? INS_HTTP_MAX_UPLOAD : (unsigned long long)INS_HTTP_MAX_JSON_BODY)) {
		*ret = too_large(r);
		return 1;
	}
	if (r->body_kind == BODY_UPLOAD && open_upload(r, cl ? strtoull(cl, NULL, 10) : 0, ret) < 0)
		return 1;
	return 0;
}

static enum MHD_Result respond(struct conn_req *r)
{
	enum http_runs runs;

	if (r->req.route.id == INS_ROUTE_LOGIN)
		http_admit_busy(&r->srv->http->admit, admit_conn(r->conn));
	if (r->body_kind == BODY_UPLOAD && r->upload_len > 0)
		r->req.upload_path = r->upload_path;
	r->req.body = r->body;
	r->req.body_len = r->body_len;
	runs = http_runs_on(&r->req);
	if (runs != INS_RUNS_INLINE)
		return start_job(r, runs);
	http_dispatch(r->srv->http, &r->req, &r->resp);
	return queue(r);
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				 const char *version, const char *upload_data, size_t *upload_data_size,
				 void **con_cls)
{
	struct conn_req *r = *con_cls;
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	if (r->job == JOB_DONE)
		return queue(r);
	if (r->job == JOB_RUNNING)
		return MHD_YES;
	if (!r->started) {
		struct http_admit_conn *ac = admit_conn(conn);
		size_t method_len = strnlen(method, sizeof(r->method) - 1);

		r->started = 1;
		r->conn = conn;
		/* copied, not snprintf'd: its formatting machinery was another
		 * sixth of those instructions */
		memcpy(r->method, method, method_len);
		r->method[method_len] = '\0';
		r->req.method = http_method_parse(method);
		r->req.header = mhd_header;
		r->req.header_ctx = conn;
		if (first_call(r, ac, version, &ret))
			return ret;
		/* Answering on the first call makes libmicrohttpd close the
		 * connection (it cannot know the body was empty); the second call
		 * keeps it alive for the next request. */
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (take_body(r, upload_data, *upload_data_size) < 0) {
			*upload_data_size = 0;
			return answer_error(r, 503, NULL, "cannot store the request body (disk full?)");
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->too_large)
		return too_large(r);
	if (r->no_space)
		return upload_no_space(r);
	return respond(r);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct conn_req *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->srv = ((struct ins_http *)cls)->server;
	r->conn = conn;
	r->upload_fd = -1;
	r->resp.fd = -1;
	r->target = strdup(uri);
	if (!r->target) {
		free(r);
		return NULL;
	}
	return r;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct conn_req *r = *con_cls;

	if (!r)
		return;
	if (r->is_sse && toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED) {
		atomic_fetch_add(&r->srv->http->sse_stalled, 1);
		http_srv_log(r->srv, INS_LOG_INFO, "SSE client dropped: it accepted no data for %u s",
			r->srv->http->sse_stall_timeout_s ? r->srv->http->sse_stall_timeout_s : SSE_STALL_TIMEOUT_S);
	}
	http_admit_idle(&r->srv->http->admit, admit_conn(conn));
	if (r->upload_fd >= 0)
		close(r->upload_fd);
	if (r->upload_path[0])
		unlink(r->upload_path);
	if (r->counted_upload)
		atomic_fetch_sub(&r->srv->uploads, 1);
	http_request_clear(&r->req);
	http_response_clear(&r->resp);
	free(r->body);
	free(r->target);
	free(r);
	*con_cls = NULL;
}

/* ---- start / stop ------------------------------------------------------------------ */

static char *read_pem(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (!f) {
		snprintf(err, errlen, "http: %s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(TLS_FILE_MAX + 1);
	n = buf ? fread(buf, 1, TLS_FILE_MAX + 1, f) : 0;
	fclose(f);
	if (!buf || n == 0 || n > TLS_FILE_MAX) {
		snprintf(err, errlen, "http: %s: empty, unreadable or larger than %u bytes", path, TLS_FILE_MAX);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

static int bind_address(const char *addr, uint16_t port, struct sockaddr_storage *ss, unsigned *flags,
			char *err, size_t errlen)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (strcmp(addr, "localhost") == 0)
		addr = "127.0.0.1";
	if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(port);
		*flags |= MHD_USE_IPv6;
		return 0;
	}
	snprintf(err, errlen, "http: listen address '%s' is not an IPv4 or IPv6 address", addr);
	return -1;
}

static unsigned default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 && n < 64 ? (unsigned)n : 2;
}

/* On loopback every client is 127.0.0.1 (local tools, a reverse proxy), so
 * a per-address limit would only throttle all of them together. */
static unsigned per_ip_limit(const struct ins_http *http)
{
	if (http->max_per_ip)
		return http->max_per_ip;
	return http_is_loopback(http->bind_addr) ? 0 : DEFAULT_MAX_PER_IP;
}

static int start_mhd(struct ins_http *http, struct http_server *srv, char *err, size_t errlen)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_TURBO;
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *info;
	unsigned threads = http->threads ? http->threads : default_threads();
	unsigned limit = connection_limit(http);

	if (bind_address(http->bind_addr, http->port, &ss, &flags, err, errlen) < 0)
		return -1;
	http->admit.limit = limit;
	if (http->tls_cert) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			snprintf(err, errlen, "http: HTTPS requested but libmicrohttpd was built without TLS");
			return -1;
		}
		srv->cert_pem = read_pem(http->tls_cert, err, errlen);
		srv->key_pem = srv->cert_pem ? read_pem(http->tls_key, err, errlen) : NULL;
		if (!srv->key_pem)
			return -1;
		flags |= MHD_USE_TLS;
	}
	srv->mhd = MHD_start_daemon(
		flags, 0, on_accept, srv, on_access, http,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_CONNECTION_LIMIT, limit + (limit / 8 > MHD_RESERVE_MIN ? limit / 8 : MHD_RESERVE_MIN),
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip_limit(http),
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT_S,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, http,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, http,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, srv,
		http->tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, srv->cert_pem,
		MHD_OPTION_HTTPS_MEM_KEY, srv->key_pem,
		MHD_OPTION_HTTPS_PRIORITIES, TLS_PRIORITIES,
		MHD_OPTION_END);
	if (!srv->mhd) {
		snprintf(err, errlen, "http: cannot listen on %s:%u (address in use, or bad TLS certificate/key)",
			 http->bind_addr, http->port);
		return -1;
	}
	info = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : http->port;
	return 0;
}

struct ins_http *ins_http_start(const struct ins_http_config *cfg, struct ins_store *store,
				struct ins_live *live, const struct ins_http_hooks *hooks,
				char *err, size_t errlen)
{
	struct ins_http *http = http_core_new(cfg, store, live, hooks, err, errlen);
	struct http_server *srv;

	if (!http)
		return NULL;
	srv = calloc(1, sizeof(*srv));
	if (!srv) {
		snprintf(err, errlen, "http: out of memory");
		http_core_free(http);
		return NULL;
	}
	srv->http = http;
	http->server = srv;
	pthread_mutex_init(&srv->sse_lock, NULL);
	pthread_mutex_init(&srv->jobs_lock, NULL);
	pthread_mutex_init(&srv->live_lock, NULL);
	if (http_jobs_start(&srv->pool, INS_HTTP_WORKERS) < 0) {
		snprintf(err, errlen, "http: cannot start the worker threads");
		goto fail;
	}
	if (start_mhd(http, srv, err, errlen) < 0)
		goto fail;
	if (http_sse_start_wakers(srv, live, err, errlen) < 0)
		goto fail;
	ins_info("listening on %s%s:%u%s", strchr(http->bind_addr, ':') ? "[" : "", http->bind_addr,
		 srv->port, http->tls_cert ? " (HTTPS)" : "");
	return http;
fail:
	ins_http_stop(http);
	return NULL;
}

uint16_t ins_http_port(const struct ins_http *http)
{
	return http && http->server ? http->server->port : 0;
}

void ins_http_stop(struct ins_http *http)
{
	struct http_server *srv;

	if (!http)
		return;
	srv = http->server;
	if (srv) {
		/* Suspended connections must be resumed before MHD_stop_daemon. */
		pthread_mutex_lock(&srv->sse_lock);
		srv->stopping = 1;
		for (struct sse_stream *s = srv->streams; s; s = s->next)
			if (s->suspended) {
				s->suspended = 0;
				MHD_resume_connection(s->conn);
			}
		pthread_mutex_unlock(&srv->sse_lock);
		for (unsigned i = 0; i < srv->n_wakers; i++)
			pthread_join(srv->wakers[i].thread, NULL);
		http_jobs_stop(&srv->pool);
		if (srv->mhd)
			MHD_stop_daemon(srv->mhd);
		pthread_mutex_destroy(&srv->sse_lock);
		pthread_mutex_destroy(&srv->jobs_lock);
		if (srv->live_answer)
			MHD_destroy_response(srv->live_answer);
		pthread_mutex_destroy(&srv->live_lock);
		free(srv->cert_pem);
		free(srv->key_pem);
		free(srv);
	}
	http_core_free(http);
}
