/* Internals of the HTTP module shared by its files, the unit tests and the
 * fuzzer.  Requests are parsed, routed and answered without a socket
 * (http_dispatch); http.c only adapts libmicrohttpd to these structs. */
#ifndef INSOLED_HTTP_PRIV_H
#define INSOLED_HTTP_PRIV_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "insoled/http.h"
#include "insoled/log.h"

/* Limits (docs/api.md "Limits"). */
#define INS_HTTP_MAX_TARGET 2048        /* URL + query: the longest legitimate one is a session filter */
#define INS_HTTP_MAX_PATH 1024
#define INS_HTTP_MAX_QUERY_ARGS 32      /* far above any endpoint's parameters */
#define INS_HTTP_MAX_JSON_BODY (64u << 10) /* largest legitimate body is a few hundred bytes */
#define INS_HTTP_MAX_UPLOAD (512ull << 20) /* a long two-foot dense-grid recording as CSV */
#define INS_HTTP_MAX_UPLOAD_NAME 64     /* a file's name, as messages and a session's source print it */
#define INS_HTTP_MAX_EXTRA_HEADERS 6
#define INS_HTTP_MAX_LANES 8            /* the configuration's limit */
#define INS_HTTP_DEFAULT_LIVE_STEPS 10
#define INS_HTTP_MAX_LIVE_STEPS 50
#define INS_HTTP_DEFAULT_LIST_LIMIT 50
#define INS_HTTP_MAX_LIST_LIMIT 500     /* bounds one response; page for more */
#define INS_HTTP_MAX_COMPARE 8          /* side-by-side columns a screen can show */
#define INS_HTTP_LOGIN_TTL_S 43200      /* 12 h: one clinic day on one login */
#define INS_HTTP_MAX_LOGINS 64          /* tablets and browsers of one clinic */
#define INS_HTTP_COOKIE "insoled_session"
#define INS_HTTP_TOKEN_MIN_BITS 128     /* beyond guessing at any request rate a LAN allows */
#define INS_HTTP_AUTH_FAIL_ADDRS 256    /* addresses whose recent wrong tokens are remembered */
#define INS_HTTP_AUTH_FAIL_FREE 5       /* wrong tokens per address before it must wait */
#define INS_HTTP_AUTH_FAIL_MAX_WAIT_S 60 /* the wait doubles per further failure up to this */
#define INS_HTTP_AUTH_FAIL_FORGET_S 600 /* an address quiet this long starts over */

enum http_method {
	INS_HTTP_GET = 1u << 0,
	INS_HTTP_HEAD = 1u << 1,
	INS_HTTP_POST = 1u << 2,
	INS_HTTP_PATCH = 1u << 3,
	INS_HTTP_DELETE = 1u << 4,
	INS_HTTP_PUT = 1u << 5,
	INS_HTTP_OPTIONS = 1u << 6,
	INS_HTTP_OTHER = 1u << 7
};
unsigned http_method_parse(const char *method);

struct http_kv {
	char *key, *value;
};

enum http_route_id {
	INS_ROUTE_NONE = 0, INS_ROUTE_STATIC,
	INS_ROUTE_STATUS, INS_ROUTE_METRICS, INS_ROUTE_DEVICES, INS_ROUTE_LAYOUTS, INS_ROUTE_LAYOUT,
	INS_ROUTE_LIVE, INS_ROUTE_LIVE_STREAM,
	INS_ROUTE_SESSIONS, INS_ROUTE_SESSIONS_IMPORT, INS_ROUTE_SESSION, INS_ROUTE_SESSION_STOP,
	INS_ROUTE_SESSION_STEPS, INS_ROUTE_SESSION_HEATMAP, INS_ROUTE_SESSION_REANALYZE,
	INS_ROUTE_SESSION_EXPORT, INS_ROUTE_SESSION_CURVES, INS_ROUTE_SESSION_FRAMES, INS_ROUTE_SESSION_SELECTION,
	INS_ROUTE_COMPARE, INS_ROUTE_SUBJECTS, INS_ROUTE_SUBJECT,
	INS_ROUTE_LOGIN, INS_ROUTE_LOGOUT, INS_ROUTE_TARE, INS_ROUTE_BODY_WEIGHT, INS_ROUTE_BODY_WEIGHT_SCALE,
	INS_ROUTE_LANES,
	INS_ROUTE_COUNT
};
struct http_route {
	enum http_route_id id;
	unsigned methods;             /* allowed (enum http_method bits) */
	int64_t object_id;            /* the numeric path segment, if any */
	const char *name;             /* the name segment (layout name, export file) */
	int bad_id;                   /* an id segment that is not a positive integer */
	const char *params;           /* the query parameters it reads, space-separated; NULL: any */
	char lane[64];                /* /api/lanes/NAME/...: NAME; "" for the un-prefixed routes */
};
/* One request as the dispatcher sees it.  Strings are owned by the caller
 * except path/query, which http_parse_target allocates and
 * http_request_clear frees. */
struct http_request {
	unsigned method;              /* enum http_method */
	char *path;                   /* percent-decoded, validated */
	struct http_route route;  /* of path, matched once by http_parse_target */
	struct http_kv query[INS_HTTP_MAX_QUERY_ARGS];
	unsigned n_query;
	const char *(*header)(void *ctx, const char *name); /* case-insensitive lookup, NULL if absent */
	void *header_ctx;
	const char *body;             /* JSON endpoints: the whole body */
	size_t body_len;
	const char *upload_path;      /* import: the body as a file */
	const char *client_addr;      /* numeric peer address, for logs and the failure throttle; may be NULL */
	int tls;
};

enum http_resp_kind {
	INS_RESP_BUFFER = 0,          /* body/len (malloc'd) */
	INS_RESP_LIVE_TEXT,           /* shared snapshot text */
	INS_RESP_FILE,                /* fd/file_size (static files) */
	INS_RESP_EXPORT,              /* streamed store export */
	INS_RESP_SSE                  /* live stream: the server opens the cursor */
};

struct http_response {
	unsigned status;
	enum http_resp_kind kind;
	const char *content_type;
	char *body;
	size_t len;
	struct ins_live_text *live_text;
	int fd;
	uint64_t file_size;
	struct ins_export *export;
	uint64_t last_event_id;       /* SSE */
	struct ins_live *sse_live;    /* SSE: the lane's live state the stream follows */
	unsigned n_headers;
	struct {
		const char *name;
		char *value;
	} headers[INS_HTTP_MAX_EXTRA_HEADERS];
	const char *log_msg;          /* for the server log: never patient data */
};

/* Connection admission (admit.c): the server's connection limit, with the
 * connection idle longest giving way to a new one at the limit. */
enum http_admit_verdict { INS_ADMIT_OK = 0, INS_ADMIT_EVICTED, INS_ADMIT_REFUSED };
struct http_admit_conn;
struct http_admit {
	pthread_mutex_t lock;
	unsigned limit, open, evicting;
	uint64_t evicted_total, refused_total;
	struct http_admit_conn *idle_head, *idle_tail;
};
struct http_admit_stats {
	unsigned open, limit;
	uint64_t evicted, refused;
};
void http_admit_init(struct http_admit *a, unsigned limit);
void http_admit_destroy(struct http_admit *a);
/* A connection was accepted: OK, OK after making room (EVICTED), or REFUSED. */
enum http_admit_verdict http_admit_accept(struct http_admit *a);
/* peer: the client's numeric address (NULL or "" when unknown), kept for
 * the connection's requests so that each does not format it again. */
struct http_admit_conn *http_admit_opened(struct http_admit *a, int fd, const char *peer);
const char *http_admit_peer(const struct http_admit_conn *c);  /* NULL when unknown */
void http_admit_closed(struct http_admit *a, struct http_admit_conn *c);
void http_admit_busy(struct http_admit *a, struct http_admit_conn *c);  /* a request began */
void http_admit_idle(struct http_admit *a, struct http_admit_conn *c);  /* it ended */
void http_admit_stats(struct http_admit *a, struct http_admit_stats *out);

struct http_login {
	char id[65];
	int64_t expires_mono_us;
};

/* GET /api/sessions answers reused for a moment (list_cache.c). */
#define INS_HTTP_LIST_CACHE_SLOTS 8     /* a few filters in use at once */
#define INS_HTTP_LIST_CACHE_US 250000   /* how stale a recording's frame count may look */
struct http_list_entry {
	char *key, *body;
	size_t len;
	uint64_t writes;
	int64_t built_mono_us;
};
struct http_list_cache {
	pthread_mutex_t lock;
	struct http_list_entry slot[INS_HTTP_LIST_CACHE_SLOTS];
	unsigned next;
};
/* 1 when resp was filled from the cache. */
int http_list_cache_get(struct ins_http *http, const struct http_request *req,
			    struct http_response *resp);
/* writes: http->writes read before the answer was built. */
void http_list_cache_put(struct ins_http *http, const struct http_request *req, uint64_t writes,
			     int64_t built_mono_us, const struct http_response *resp);
void http_list_cache_free(struct http_list_cache *c);

/* The worker pool (jobs.c). */
#define INS_HTTP_WORKERS 4              /* two heavy jobs and two replays at once on a clinic PC */
#define INS_HTTP_MAX_WORKERS 16
#define INS_HTTP_MAX_HEAVY_JOBS 2       /* imports/re-analyses: each CPU and disk heavy for minutes */
#define INS_HTTP_MAX_QUEUED_JOBS 64     /* a dashboard asks for a handful at once; more is a flood */
typedef void (*http_job_fn)(void *arg);
struct http_job;
struct http_jobs {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct http_job *head, *tail;
	unsigned queued, running, heavy, n_threads;
	int stopping;
	pthread_t threads[INS_HTTP_MAX_WORKERS];
};
enum http_jobs_verdict { INS_JOBS_QUEUED = 0, INS_JOBS_FULL, INS_JOBS_HEAVY_BUSY };
int http_jobs_start(struct http_jobs *p, unsigned threads);
/* fn does the work, done (after the job's slot is free) hands it back. */
enum http_jobs_verdict http_jobs_submit(struct http_jobs *p, http_job_fn fn, http_job_fn done,
					      void *arg, int heavy);
/* Runs what is queued, then joins the threads. */
void http_jobs_stop(struct http_jobs *p);

/* Wrong tokens from one address (auth.c). */
struct http_auth_fail {
	char addr[56];                      /* an address (46 at most), or an IPv6 /64 */
	unsigned failures;
	int64_t last_mono_us, blocked_until_mono_us;
};

struct ins_http {
	/* configuration (strings owned) */
	char *bind_addr, *token, *web_root, *vendor_root, *layout_dir, *tls_cert, *tls_key;
	uint16_t port;
	unsigned threads, max_connections, max_per_ip, sse_stall_timeout_s;
	struct ins_store *store;
	struct ins_live *live;
	struct ins_http_hooks hooks;
	int64_t start_mono_us;
	int64_t (*clock_us)(void);    /* SSE heartbeats; NULL: ins_mono_us */

	pthread_mutex_t lock;         /* logins, recording id, log rate limit */
	struct http_login logins[INS_HTTP_MAX_LOGINS];
	int64_t recording_id;
	struct ins_ratelimit rl_log, rl_auth;
	struct http_auth_fail auth_fail[INS_HTTP_AUTH_FAIL_ADDRS];

	/* server side (http.c) */
	struct http_server *server;
	struct http_admit admit;
	_Atomic unsigned long long sse_stalled; /* SSE clients dropped for accepting no data */
	/* the server's alone; a lane's view uses its parent's */
	_Atomic unsigned long long writes;      /* state-changing requests served */
	struct http_list_cache list_cache;

	/* Lanes (lanes.c): each a view sharing this server and store, with
	 * its own live state, hooks and recording; NULL/0 with one lane. */
	struct ins_http **lanes;
	unsigned n_lanes;
	char *lane_name;              /* a lane's view: its name; the server: NULL */
	struct ins_http *parent;      /* a lane's view: the server's */
};

/* ---- core: everything but the socket (core.c) ---------------------------- */
struct ins_http *http_core_new(const struct ins_http_config *cfg, struct ins_store *store,
				   struct ins_live *live, const struct ins_http_hooks *hooks,
				   char *err, size_t errlen);
void http_core_free(struct ins_http *http);
void http_dispatch(struct ins_http *http, const struct http_request *req,
		       struct http_response *resp);
/* Where a request runs: on the network thread, or on the worker pool
 * (replays, the body-weight measurement), and among the few heavy jobs
 * (import, re-analysis) allowed at once. */
enum http_runs { INS_RUNS_INLINE = 0, INS_RUNS_WORKER, INS_RUNS_HEAVY };
enum http_runs http_runs_on(const struct http_request *req);
/* Import bodies go to a file; every other body is JSON held in memory. */
int http_wants_upload(const struct http_request *req);
void http_response_clear(struct http_response *resp);
void http_log_response(struct ins_http *http, const char *method, const struct http_request *req,
			   const struct http_response *resp);
/* The session being recorded (0: none), as the API last started or stopped
 * it; setting it tells the live stream ("session" event). */
int64_t http_recording_id(struct ins_http *http);
/* id 0: the session stopped_id stopped. */
void http_set_recording(struct ins_http *http, int64_t id, int64_t stopped_id);

/* ---- lanes (lanes.c) ------------------------------------------------------ */
/* Makes a view per lane of cfg; 0, or -1 with err. */
int http_lanes_new(struct ins_http *http, const struct ins_http_config *cfg, char *err, size_t errlen);
void http_lanes_free(struct ins_http *http);
/* GET /api/lanes */
void http_api_lanes(struct ins_http *http, struct http_response *resp);
/* A request under /api/lanes/NAME/: answered by that lane's view. */
void http_lane_dispatch(struct ins_http *http, const struct http_request *req,
			    const struct http_route *route, struct http_response *resp);
/* GET /api/sessions: ?lane=NAME, else the lane of a /api/lanes/NAME/ route, else NULL (all). */
const char *http_lane_filter(const struct http_request *req);
/* Session id stopped: whichever lane's view records it no longer does. */
void http_lanes_stopped(struct ins_http *http, int64_t id);

/* ---- parsing and routing (router.c) -------------------------------------- */
/* Splits and decodes "path?query"; returns 0, or the HTTP status to answer
 * (400/414) with err naming what was wrong and the field ("path", "query",
 * or a parameter given twice). */
struct ins_error;
unsigned http_parse_target(const char *target, struct http_request *req, struct ins_error *err);
void http_request_clear(struct http_request *req);
const char *http_query(const struct http_request *req, const char *key);
/* The first query parameter the request's route does not read, or NULL. */
const char *http_unknown_param(const struct http_request *req);

void http_route_match(const char *path, struct http_route *out);
const char *http_allow_header(unsigned methods, char *buf, size_t len);

/* Typed query values: 0 ok, -1 bad (err names the parameter). */
int http_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);
int http_parse_id_list(const char *s, int64_t *ids, unsigned max, unsigned *n);
int http_parse_foot(const char *s, unsigned *foot);
/* Optional integer parameter in [min, max], def when absent: 0, or -1
 * answered 400 naming the parameter. */
int http_query_int(const struct http_request *req, const char *key, int64_t min, int64_t max,
		       int64_t def, int64_t *out, struct http_response *resp);
/* kind=peak|mean (default peak); -1 answered 400 */
int http_query_heatmap_kind(const struct http_request *req, const char **kind, struct http_response *resp);

/* ---- responses and JSON (json.c) ----------------------------------------- */
void http_resp_json(struct http_response *resp, unsigned status, json_t *obj); /* steals obj */
void http_resp_error(struct http_response *resp, unsigned status, const char *field,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The answer to a failed store, session or hook call: the code's status,
 * {"error": err->msg, "field": err->field (4xx, when set)}. */
void http_resp_result(struct http_response *resp, int rc, const struct ins_error *err);
int http_resp_header(struct http_response *resp, const char *name, const char *value);
/* Parses the request body as a JSON object; on failure answers resp and returns NULL. */
json_t *http_body_object(const struct http_request *req, struct http_response *resp);
/* Optional string member: 0 ok (absent -> *out NULL), -1 answered 400. */
int http_member_string(const json_t *obj, const char *name, int required, const char **out,
			   struct http_response *resp);
int http_check_members(json_t *obj, const char *const *allowed, struct http_response *resp);
/* 0 when the store is open, else -1 answered 503. */
int http_need_store(struct ins_http *http, struct http_response *resp);
/* Answers 503: the daemon has no hook for `what`. */
void http_hook_missing(struct http_response *resp, const char *what);

/* ---- multipart/form-data uploads (form.c) -------------------------------- */
/* Files one import reads: a recording, or a gaitndd record's three. */
#define HTTP_FORM_MAX_FILES 3

/* 1 when name[0..n) is a client's file name messages and a session's source
 * may print: 1 to INS_HTTP_MAX_UPLOAD_NAME bytes of UTF-8 without control
 * characters (a newline would forge a line of the log). */
int http_file_name_ok(const char *name, size_t n);
/* All n bytes to fd, again after a signal: 0, or -1 with errno. */
int http_write_all(int fd, const void *data, size_t n);
/* 1 for a Content-Type of multipart/form-data. */
int http_form_is_form(const char *content_type);
/* Its boundary parameter into boundary[len]: 0, or -1 with err. */
int http_form_boundary(const char *content_type, char *boundary, size_t len, char *err, size_t errlen);

struct http_form_part {
	const char *data;              /* within the body */
	size_t len;
	char name[INS_HTTP_MAX_UPLOAD_NAME + 1]; /* the file's name, without folders */
};
/* The file parts of a form body, at most max_parts, each with a distinct
 * file name: their number, or -1 with err naming the part at fault.  A
 * part that is not a file (a text field) is an error: the import's details
 * travel in the query. */
int http_form_parse(const char *body, size_t len, const char *boundary, struct http_form_part *parts,
		    unsigned max_parts, char *err, size_t errlen);

struct http_form_files {
	char dir[96];                  /* private folder beside the body; "" when none */
	unsigned n;
	char name[HTTP_FORM_MAX_FILES][INS_HTTP_MAX_UPLOAD_NAME + 1];
};
/* The files of the form received in body_path, written under their names
 * into a new folder beside it: INS_OK, or a code with err (field
 * "Content-Type" or "body" for a malformed form; INS_ENOSPACE when the
 * disk has not room for them beside what recording keeps free). */
int http_form_split(const char *body_path, const char *content_type, struct http_form_files *out,
		    struct ins_error *err);
/* Removes the files and their folder. */
void http_form_files_remove(struct http_form_files *f);

/* ---- access control (auth.c) --------------------------------------------- */
int http_ct_equal(const char *a, size_t alen, const char *b, size_t blen);
/* 0 when the request may proceed, otherwise the status it was answered with. */
unsigned http_check_auth(struct ins_http *http, const struct http_request *req,
			     struct http_response *resp);
unsigned http_check_origin(const struct http_request *req, struct http_response *resp);
/* Without a token: the Host header must name this machine's loopback or the
 * listening address (DNS rebinding).  0, or the status answered (421). */
unsigned http_check_host(const struct ins_http *http, const struct http_request *req,
			     struct http_response *resp);
/* Estimated strength of a token in bits (length x log2 of the alphabet its
 * character classes span); 0 for empty or control characters. */
double http_token_bits(const char *token);
const char *http_cookie_value(const char *cookie_header, const char *name, size_t *len);
void http_login(struct ins_http *http, const struct http_request *req, struct http_response *resp);
void http_logout(struct ins_http *http, const struct http_request *req, struct http_response *resp);
int http_is_loopback(const char *addr);

/* ---- static files (static.c) --------------------------------------------- */
void http_static(struct ins_http *http, const struct http_request *req, struct http_response *resp);
const char *http_content_type(const char *path);

/* ---- API endpoints (api.c, sessions.c, compare.c) ------------------------ */
void http_api(struct ins_http *http, const struct http_request *req,
		  const struct http_route *route, struct http_response *resp);
/* sessions.c: the handlers of the /api/sessions routes */
#define INS_HTTP_HANDLER(name) \
	void http_api_##name(struct ins_http *http, const struct http_request *req, \
				 const struct http_route *route, struct http_response *resp)
INS_HTTP_HANDLER(sessions);
INS_HTTP_HANDLER(session);
INS_HTTP_HANDLER(session_import);
INS_HTTP_HANDLER(session_stop);
INS_HTTP_HANDLER(session_steps);
INS_HTTP_HANDLER(session_heatmap);
INS_HTTP_HANDLER(session_curves);
INS_HTTP_HANDLER(session_frames);
INS_HTTP_HANDLER(session_reanalyze);
INS_HTTP_HANDLER(session_selection);
INS_HTTP_HANDLER(session_export);
void http_compare(struct ins_http *http, const struct http_request *req, struct http_response *resp);
/* compare_stats.c: the parts of a comparison, from the sessions (SESSION
 * with summary, calibration) in order, the first being the baseline. */
json_t *http_compare_names(json_t *sessions);
json_t *http_compare_metrics(json_t *sessions);
json_t *http_compare_warnings(json_t *sessions, json_t *names);
json_t *http_compare_findings(json_t *metrics, json_t *names);
char *http_compare_csv(json_t *doc, size_t *len);

/* The layout's anatomical mask for the maps (mask_json.c). */
struct ins_layout;
json_t *http_mask_json(const struct ins_layout *l);

#endif
