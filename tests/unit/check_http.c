/* http: the socket-free router, parsers and access control, then a real
 * server on 127.0.0.1 (port 0) over a real store in a temporary directory,
 * driven by libcurl: every endpoint, its errors, traversal attempts, tokens,
 * body limits and the SSE stream (latency, resume, a stalled client). */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <curl/curl.h>
#include <errno.h>
#include <glob.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../daemon/http/http_priv.h"
#include "insoled/clock.h"
#include "insoled/http.h"
#include "insoled/layout.h"
#include "insoled/live.h"
#include "insoled/store.h"
#include "insoled/synth.h"
#include "lib.h"

#define SRC INS_TEST_SRCDIR
/* 128 random bits in hex: the weakest token the server accepts */
#define TEST_TOKEN "6f0c2a9e41d37b58c0e9a4f12d6b83e7"
/* Only a hang guard, never a measurement: far above anything a healthy
 * run waits for, even on a loaded machine, and below the test cases'
 * 30 s timeout so that a hang fails with a message. */
#define HANG_GUARD_US 20000000LL

/* ======================================================================
 * Part 1: no socket
 * ====================================================================== */

static struct ins_error parse_err;

static unsigned parse(const char *target, struct http_request *req)
{
	memset(req, 0, sizeof(*req));
	memset(&parse_err, 0, sizeof(parse_err));
	return http_parse_target(target, req, &parse_err);
}

START_TEST(target_decoding_refuses_traversal_in_every_spelling)
{
	static const char *const bad[] = {
		"/../etc/passwd", "/a/../../etc/passwd", "/%2e%2e/etc/passwd", "/%2E%2E/etc/passwd",
		"/..%2fetc%2fpasswd", "/%2e%2e%2fetc%2fpasswd", "/%252e%252e/etc/passwd", "/a%00.html",
		"/a\\..\\b", "/%5c..%5cb", "/./index.html", "/a//b", "/%zz", "/%2", "relative", "/a#frag",
		/* overlong '.' and '/', other bytes that are not UTF-8, a forged log line */
		"/%c0%ae%c0%ae/etc/passwd", "/%c0%af", "/%e0%80%ae", "/%ff.js", "/a\xff.js",
		"/api/layouts/a%0Ainsoled[error]%20fake", "/api/sessions/1%0D", "/a%09b", "/a%7f",
	};
	struct http_request req;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(parse(bad[i], &req) == 400, "%s accepted", bad[i]);
		ck_assert_ptr_null(req.path);
	}
	ck_assert_uint_eq(parse("/js/app%20x.js?a=1", &req), 0);
	ck_assert_str_eq(req.path, "/js/app x.js");
	http_request_clear(&req);
	ck_assert_uint_eq(parse("/caf%C3%A9-\xe2\x82\xac.js", &req), 0);   /* UTF-8 as such is fine */
	ck_assert_str_eq(req.path, "/caf\xc3\xa9-\xe2\x82\xac.js");
	http_request_clear(&req);
	{
		char longer[INS_HTTP_MAX_TARGET + 10];

		memset(longer, 'a', sizeof(longer));
		longer[0] = '/';
		longer[sizeof(longer) - 1] = '\0';
		ck_assert_uint_eq(parse(longer, &req), 414);
		ck_assert_msg(strstr(parse_err.msg, "target longer than 2048"), "%s", parse_err.msg);
		/* a path within the target's bound but past the path's */
		longer[INS_HTTP_MAX_PATH + 2] = '\0';
		ck_assert_uint_eq(parse(longer, &req), 414);
		ck_assert_msg(strstr(parse_err.msg, "longer than 1024 bytes (before the query)"), "%s", parse_err.msg);
	}
}
END_TEST

START_TEST(query_arguments_are_decoded_and_bounded)
{
	struct http_request req;
	char many[600] = "/api/sessions?";

	ck_assert_uint_eq(parse("/api/sessions?subject=P%2D1+x&footwear=&flag&limit=5", &req), 0);
	ck_assert_str_eq(http_query(&req, "subject"), "P-1 x");
	ck_assert_str_eq(http_query(&req, "footwear"), "");
	ck_assert_str_eq(http_query(&req, "flag"), "");
	ck_assert_str_eq(http_query(&req, "limit"), "5");
	ck_assert_ptr_null(http_query(&req, "offset"));
	http_request_clear(&req);
	ck_assert_uint_eq(parse("/api/x?a=%00", &req), 400);
	ck_assert_str_eq(parse_err.field, "query");
	ck_assert_uint_eq(parse("/api/status?==", &req), 400);
	ck_assert_str_eq(parse_err.field, "query");
	ck_assert_uint_eq(parse("/api/status?=x", &req), 400);
	/* one parameter twice: which value is meant is ambiguous */
	ck_assert_uint_eq(parse("/api/live?steps=5&steps=50", &req), 400);
	ck_assert_str_eq(parse_err.field, "steps");
	ck_assert_ptr_null(req.path);
	ck_assert_uint_eq(parse("/api/sessions/1/heatmap?foot=left&kind=peak&foot=right", &req), 400);
	ck_assert_str_eq(parse_err.field, "foot");
	for (int i = 0; i <= INS_HTTP_MAX_QUERY_ARGS; i++)
		sprintf(many + strlen(many), "k%d=v&", i);
	ck_assert_uint_eq(parse(many, &req), 400);
	ck_assert_str_eq(parse_err.field, "query");
	ck_assert_uint_eq(parse("/%zz", &req), 400);
	ck_assert_str_eq(parse_err.field, "path");
}
END_TEST

START_TEST(routes_methods_and_ids)
{
	struct http_route r;
	char allow[64];

	http_route_match("/api/sessions/12/stop", &r);
	ck_assert_int_eq(r.id, INS_ROUTE_SESSION_STOP);
	ck_assert_int_eq(r.object_id, 12);
	ck_assert_int_eq(r.methods, INS_HTTP_POST);
	http_route_match("/api/sessions/import", &r);
	ck_assert_int_eq(r.id, INS_ROUTE_SESSIONS_IMPORT);
	http_route_match("/api/sessions/abc", &r);
	ck_assert_int_eq(r.id, INS_ROUTE_SESSION);
	ck_assert_int_eq(r.bad_id, 1);
	http_route_match("/api/sessions/007", &r);
	ck_assert_int_eq(r.bad_id, 1);
	http_route_match("/api/sessions/3/export/steps.csv", &r);
	ck_assert_int_eq(r.id, INS_ROUTE_SESSION_EXPORT);
	ck_assert_str_eq(r.name, "steps.csv");
	http_route_match("/api/layouts/fsr16", &r);
	ck_assert_int_eq(r.id, INS_ROUTE_LAYOUT);
	ck_assert_str_eq(r.name, "fsr16");
	http_route_match("/api/status/", &r);
	ck_assert_int_eq(r.id, INS_ROUTE_STATUS);
	http_route_match("/api/nothing", &r);
	ck_assert_int_eq(r.id, INS_ROUTE_NONE);
	http_route_match("/js/app.js", &r);
	ck_assert_int_eq(r.id, INS_ROUTE_STATIC);
	http_route_match("/api/sessions/1", &r);
	ck_assert_str_eq(http_allow_header(r.methods, allow, sizeof(allow)), "GET, HEAD, PATCH, DELETE");
}
END_TEST

START_TEST(typed_values)
{
	int64_t v, ids[8];
	unsigned n, foot;

	ck_assert_int_eq(http_parse_int64("42", 0, 50, &v), 0);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(http_parse_int64("51", 0, 50, &v), -1);
	ck_assert_int_eq(http_parse_int64("4x", 0, 50, &v), -1);
	ck_assert_int_eq(http_parse_int64(" 4", 0, 50, &v), -1);
	ck_assert_int_eq(http_parse_int64("", 0, 50, &v), -1);
	ck_assert_int_eq(http_parse_int64("99999999999999999999", 0, INT64_MAX, &v), -1);
	ck_assert_int_eq(http_parse_id_list("3,17,2", ids, 8, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(ids[1], 17);
	ck_assert_int_eq(http_parse_id_list("3,,2", ids, 8, &n), -1);
	ck_assert_int_eq(http_parse_id_list("3,x", ids, 8, &n), -1);
	ck_assert_int_eq(http_parse_id_list("1,2,3", ids, 2, &n), -1);
	ck_assert_int_eq(http_parse_foot("right", &foot), 0);
	ck_assert_uint_eq(foot, INS_FOOT_RIGHT);
	ck_assert_int_eq(http_parse_foot("Left", &foot), -1);
}
END_TEST

START_TEST(constant_time_compare_cookie_and_loopback)
{
	size_t len;
	const char *v;

	ck_assert(http_ct_equal("secret", 6, "secret", 6));
	ck_assert(!http_ct_equal("secreT", 6, "secret", 6));
	ck_assert(!http_ct_equal("secretsecret", 12, "secret", 6));
	ck_assert(!http_ct_equal("", 0, "secret", 6));
	ck_assert(!http_ct_equal("", 0, "", 0));
	v = http_cookie_value("a=1; insoled_session=abc ; b=2", INS_HTTP_COOKIE, &len);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(len, 3);
	ck_assert_int_eq(strncmp(v, "abc", 3), 0);
	ck_assert_ptr_null(http_cookie_value("xinsoled_session=abc", INS_HTTP_COOKIE, &len));
	ck_assert(http_is_loopback("127.0.0.1"));
	ck_assert(http_is_loopback("127.1.2.3"));
	ck_assert(http_is_loopback("::1"));
	ck_assert(!http_is_loopback("0.0.0.0"));
	ck_assert(!http_is_loopback("192.168.1.10"));
	ck_assert(!http_is_loopback("::"));
}
END_TEST

START_TEST(refuses_lan_address_without_token)
{
	struct ins_http_config cfg = { .bind_addr = "0.0.0.0", .port = 0 };
	char err[400] = "";

	ck_assert_ptr_null(ins_http_start(&cfg, NULL, NULL, NULL, err, sizeof(err)));
	ck_assert_msg(strstr(err, "without an access token") && strstr(err, "0.0.0.0"), "%s", err);
	cfg.tls_cert = "/nonexistent.pem";
	cfg.token = TEST_TOKEN;
	cfg.bind_addr = "127.0.0.1";
	ck_assert_ptr_null(ins_http_start(&cfg, NULL, NULL, NULL, err, sizeof(err)));
	ck_assert_msg(strstr(err, "tls_cert and tls_key"), "%s", err);
}
END_TEST

/* Headers for the socket-free dispatcher: "Name: value" strings. */
static const char *fake_header(void *ctx, const char *name)
{
	const char *const *h = ctx;

	for (; h && *h; h++) {
		size_t n = strlen(name);

		if (strncasecmp(*h, name, n) == 0 && (*h)[n] == ':')
			return *h + n + 2;
	}
	return NULL;
}

static unsigned dispatch(struct ins_http *http, unsigned method, const char *target, const char *const *headers,
			 const char *body, struct http_response *resp)
{
	struct http_request req;

	ck_assert_uint_eq(parse(target, &req), 0);
	req.method = method;
	req.header = fake_header;
	req.header_ctx = (void *)(uintptr_t)headers;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	memset(resp, 0, sizeof(*resp));
	http_dispatch(http, &req, resp);
	http_request_clear(&req);
	return resp->status;
}

/* Everything that replays a session (or waits on the insole) runs on the
 * worker pool, imports and re-analyses among its few heavy jobs; the rest
 * on the network threads. */
static enum http_runs runs_on(unsigned method, const char *target)
{
	struct http_request req;
	enum http_runs runs;

	ck_assert_uint_eq(parse(target, &req), 0);
	req.method = method;
	runs = http_runs_on(&req);
	http_request_clear(&req);
	return runs;
}

START_TEST(replays_run_on_the_worker_pool)
{
	static const char *const replays[] = { "/api/sessions/3/curves", "/api/sessions/3/heatmap?foot=left",
					       "/api/sessions/3/frames?foot=left", "/api/compare?ids=1,2" };
	static const char *const cheap[] = { "/api/status", "/api/sessions", "/api/live", "/api/sessions/3",
					     "/api/sessions/3/steps", "/index.html" };

	for (size_t i = 0; i < sizeof(replays) / sizeof(replays[0]); i++)
		ck_assert_msg(runs_on(INS_HTTP_GET, replays[i]) == INS_RUNS_WORKER, "%s", replays[i]);
	ck_assert_int_eq(runs_on(INS_HTTP_POST, "/api/calibration/body-weight-scale"), INS_RUNS_WORKER);
	ck_assert_int_eq(runs_on(INS_HTTP_POST, "/api/sessions/import"), INS_RUNS_HEAVY);
	ck_assert_int_eq(runs_on(INS_HTTP_POST, "/api/sessions/3/reanalyze"), INS_RUNS_HEAVY);
	for (size_t i = 0; i < sizeof(cheap) / sizeof(cheap[0]); i++)
		ck_assert_msg(runs_on(INS_HTTP_GET, cheap[i]) == INS_RUNS_INLINE, "%s", cheap[i]);
	/* a method the route refuses is answered at once */
	ck_assert_int_eq(runs_on(INS_HTTP_POST, "/api/sessions/3/curves"), INS_RUNS_INLINE);
}
END_TEST

/* A parameter an endpoint does not read is refused, naming it, as an
 * unknown JSON member is: a misspelt filter would otherwise list every
 * session.  Dashboard files take any query (cache busters). */
START_TEST(unknown_query_parameters_are_refused)
{
	struct ins_http_config cfg = { .bind_addr = "127.0.0.1" };
	struct http_response resp;
	char err[200];
	struct ins_http *http = http_core_new(&cfg, NULL, NULL, NULL, err, sizeof(err));
	json_t *j;

	ck_assert_msg(http, "%s", err);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_GET, "/api/sessions?subjct=P-1", NULL, NULL, &resp), 400);
	j = json_loadb(resp.body, resp.len, 0, NULL);
	ck_assert_str_eq(json_string_value(json_object_get(j, "field")), "subjct");
	ck_assert_msg(strstr(json_string_value(json_object_get(j, "error")), "subject footwear"), "%s", resp.body);
	json_decref(j);
	http_response_clear(&resp);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_GET, "/api/status?x=1", NULL, NULL, &resp), 400);
	http_response_clear(&resp);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_GET, "/api/sessions/1/heatmap?foot=left&kind=peak&s=1", NULL, NULL,
				   &resp), 400);
	http_response_clear(&resp);
	/* "foo" is no parameter because "foot" starts with it, nor "foot kind" because both are */
	ck_assert_uint_eq(dispatch(http, INS_HTTP_GET, "/api/sessions/1/frames?foo=1", NULL, NULL, &resp), 400);
	http_response_clear(&resp);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_GET, "/api/sessions/1/heatmap?foot+kind=1", NULL, NULL, &resp), 400);
	http_response_clear(&resp);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_GET, "/api/status?steps=1", NULL, NULL, &resp), 400);
	http_response_clear(&resp);
	/* the parameters an endpoint reads get past this check (503: no database here) */
	ck_assert_uint_eq(dispatch(http, INS_HTTP_GET, "/api/sessions?subject=P-1&limit=5&lane=a", NULL, NULL, &resp),
			  503);
	http_response_clear(&resp);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_GET, "/api/sessions/1/heatmap?foot=left&kind=mean", NULL, NULL, &resp),
			  503);
	http_response_clear(&resp);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_GET, "/index.html?v=3", NULL, NULL, &resp), 404); /* no web root */
	http_response_clear(&resp);
	http_core_free(http);
}
END_TEST

START_TEST(dispatch_without_a_database_or_pipeline)
{
	struct ins_http_config cfg = { .bind_addr = "127.0.0.1", .token = TEST_TOKEN };
	static const char *const bearer[] = { "Authorization: Bearer " TEST_TOKEN, NULL };
	static const char *const wrong[] = { "Authorization: Bearer nope", NULL };
	static const char *const json_evil[] = { "Authorization: Bearer " TEST_TOKEN, "Content-Type: application/json",
						 "Origin: http://evil.example", "Host: 127.0.0.1:8080", NULL };
	static const char *const json_ok[] = { "Authorization: Bearer " TEST_TOKEN, "Content-Type: application/json",
					       "Origin: http://127.0.0.1:8080", "Host: 127.0.0.1:8080", NULL };
	static const char *const text[] = { "Authorization: Bearer " TEST_TOKEN, "Content-Type: text/plain", NULL };
	struct http_response resp;
	char err[200];
	struct ins_http *http = http_core_new(&cfg, NULL, NULL, NULL, err, sizeof(err));

	ck_assert_ptr_nonnull(http);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_GET, "/api/status", NULL, NULL, &resp), 401);
	http_response_clear(&resp);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_GET, "/api/nothing", wrong, NULL, &resp), 401);
	http_response_clear(&resp);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_GET, "/api/nothing", bearer, NULL, &resp), 404);
	http_response_clear(&resp);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_DELETE, "/api/status", bearer, NULL, &resp), 405);
	ck_assert_str_eq(resp.headers[0].name, "Allow");
	ck_assert_str_eq(resp.headers[0].value, "GET, HEAD");
	http_response_clear(&resp);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_GET, "/api/sessions", bearer, NULL, &resp), 503);
	http_response_clear(&resp);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_POST, "/api/sessions", json_evil, "{\"subject\":\"a\"}", &resp), 403);
	http_response_clear(&resp);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_POST, "/api/sessions", json_ok, "{\"subject\":\"a\"}", &resp), 503);
	ck_assert_msg(strstr(resp.body, "recording is not available"), "%s", resp.body);
	http_response_clear(&resp);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_POST, "/api/sessions", text, "{\"subject\":\"a\"}", &resp), 415);
	http_response_clear(&resp);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_POST, "/api/sessions", json_ok, "{\"subject\":1}", &resp), 400);
	ck_assert_str_eq(resp.body, "{\"error\":\"subject: expected a string\",\"field\":\"subject\"}");
	http_response_clear(&resp);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_POST, "/api/sessions", json_ok, "{\"subject\":", &resp), 400);
	ck_assert_msg(strstr(resp.body, "\"field\":\"body\""), "%s", resp.body);
	http_response_clear(&resp);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_GET, "/api/live?steps=51", bearer, NULL, &resp), 400);
	ck_assert_msg(strstr(resp.body, "\"field\":\"steps\""), "%s", resp.body);
	http_response_clear(&resp);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_GET, "/api/compare?ids=4", bearer, NULL, &resp), 400);
	ck_assert_msg(strstr(resp.body, "\"field\":\"ids\""), "%s", resp.body);
	http_response_clear(&resp);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_POST, "/api/calibration/body-weight", json_ok,
				   "{\"body_weight_kg\":5}", &resp), 400);
	ck_assert_msg(strstr(resp.body, "\"field\":\"body_weight_kg\""), "%s", resp.body);
	http_response_clear(&resp);
	/* Dashboard files need no token; there is no web root here. */
	ck_assert_uint_eq(dispatch(http, INS_HTTP_GET, "/index.html", NULL, NULL, &resp), 404);
	http_response_clear(&resp);
	http_core_free(http);
}
END_TEST

/* Two lanes: each lane's routes reach its own hooks, the un-prefixed ones
 * the first lane's, and GET /api/lanes lists both. */
static const char *lane_tared[2];

static int lane_tare(void *ctx, int foot, struct ins_error *err)
{
	lane_tared[foot] = ctx;
	return 0;
}

static json_t *lane_summary(void *ctx)
{
	return json_pack("{s:s}", "state", (const char *)ctx);
}

START_TEST(lanes_reach_their_own_hooks)
{
	static const char *const json_ok[] = { "Content-Type: application/json", "Host: 127.0.0.1:8080", NULL };
	struct ins_http_lane lanes[2] = {
		{ "t1", NULL, { .ctx = (void *)"one", .tare = lane_tare, .lane_summary = lane_summary } },
		{ "t2", NULL, { .ctx = (void *)"two", .tare = lane_tare, .lane_summary = lane_summary } },
	};
	struct ins_http_config cfg = { .bind_addr = "127.0.0.1", .lanes = lanes, .n_lanes = 2 };
	struct http_response resp;
	char err[200];
	struct ins_http *http = http_core_new(&cfg, NULL, NULL, &lanes[0].hooks, err, sizeof(err));
	json_t *j;

	ck_assert_ptr_nonnull(http);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_GET, "/api/lanes", NULL, NULL, &resp), 200);
	j = json_loadb(resp.body, resp.len, 0, NULL);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "lanes")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(j, "lanes"), 1), "name")), "t2");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(j, "lanes"), 1), "state")), "two");
	json_decref(j);
	http_response_clear(&resp);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_POST, "/api/lanes/t2/calibration/tare", json_ok, "{\"foot\":\"left\"}",
				   &resp), 200);
	http_response_clear(&resp);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_POST, "/api/calibration/tare", json_ok, "{\"foot\":\"right\"}", &resp),
			  200);
	http_response_clear(&resp);
	ck_assert_str_eq(lane_tared[INS_FOOT_LEFT], "two");
	ck_assert_str_eq(lane_tared[INS_FOOT_RIGHT], "one");
	ck_assert_uint_eq(dispatch(http, INS_HTTP_GET, "/api/lanes/t3/status", NULL, NULL, &resp), 404);
	ck_assert_msg(strstr(resp.body, "no lane named 't3'"), "%s", resp.body);
	http_response_clear(&resp);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_GET, "/api/lanes/t2/compare?ids=1,2", NULL, NULL, &resp), 404);
	ck_assert_msg(strstr(resp.body, "not a lane's endpoint"), "%s", resp.body);
	http_response_clear(&resp);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_GET, "/api/lanes/t2/live", NULL, NULL, &resp), 503);
	http_response_clear(&resp);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_GET, "/api/lanes/t2", NULL, NULL, &resp), 404);
	http_response_clear(&resp);
	http_core_free(http);
}
END_TEST

START_TEST(layouts_default_to_the_data_directory)
{
	struct ins_http_config cfg = { .bind_addr = "127.0.0.1", .web_root = SRC "/web/" };
	struct http_response resp;
	char err[200];
	struct ins_http *http = http_core_new(&cfg, NULL, NULL, NULL, err, sizeof(err));

	ck_assert_msg(http, "%s", err);
	ck_assert_str_eq(http->layout_dir, SRC "/layouts");
	ck_assert_uint_eq(dispatch(http, INS_HTTP_GET, "/api/layouts/fsr16", NULL, NULL, &resp), 200);
	http_response_clear(&resp);
	http_core_free(http);
}
END_TEST

/* A layout file that does not load is left out of the list, logged; the
 * others are listed as ever (a clinic's one bad file hides no insole). */
START_TEST(a_layout_that_does_not_load_is_left_out_of_the_list)
{
	char dir[128], path[192], err[200];
	struct ins_http_config cfg = { .bind_addr = "127.0.0.1", .web_root = SRC "/web/" };
	struct http_response resp;
	struct ins_http *http;
	json_t *j, *list;
	FILE *f;

	test_tmpdir_make(dir, sizeof(dir), "ins-http-layouts");
	snprintf(path, sizeof(path), "%s/fsr16.layout", dir);
	ck_assert_int_eq(symlink(LAYOUT_DIR "/fsr16.layout", path), 0);
	snprintf(path, sizeof(path), "%s/broken.layout", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("name = broken\nsensors = many\n", f);
	fclose(f);
	cfg.layout_dir = dir;
	http = http_core_new(&cfg, NULL, NULL, NULL, err, sizeof(err));
	ck_assert_msg(http, "%s", err);

	ck_assert_uint_eq(dispatch(http, INS_HTTP_GET, "/api/layouts", NULL, NULL, &resp), 200);
	j = json_loadb(resp.body, resp.len, 0, NULL);
	list = json_object_get(j, "layouts");
	ck_assert_msg(json_array_size(list) == 1, "%.*s", (int)resp.len, resp.body);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0), "name")), "fsr16");
	json_decref(j);
	http_response_clear(&resp);
	http_core_free(http);
	test_tmpdir_remove(dir);
}
END_TEST

/* ======================================================================
 * Part 2: a real server
 * ====================================================================== */

struct hooks_seen {
	int tare_foot;
	double body_weight_n;
};

static struct {
	char dir[64];
	struct ins_layout *layout;
	struct ins_store *store;
	struct ins_live *live;
	struct ins_http *http;
	struct hooks_seen seen;
	char base[64];
} fx;

static int hook_start(void *ctx, const struct ins_session_meta *meta, int64_t *id, struct ins_error *err)
{
	struct ins_session_meta m = *meta;

	m.layout[INS_FOOT_LEFT] = "fsr16";
	m.layout[INS_FOOT_RIGHT] = "fsr16";
	m.devices = "test";
	return ins_store_session_start(fx.store, &m, id, err);
}

static int hook_stop(void *ctx, int64_t id, struct ins_error *err)
{
	return ins_store_session_stop(fx.store, id, err);
}

static int hook_tare(void *ctx, int foot, struct ins_error *err)
{
	fx.seen.tare_foot = foot;
	return 0;
}

static int hook_body_weight(void *ctx, double n, struct ins_error *err)
{
	fx.seen.body_weight_n = n;
	return 0;
}

static void hook_status(void *ctx, json_t *status)
{
	json_object_set_new(status, "devices", json_pack("[{s:s}]", "path", "/dev/test0"));
}

/* The server fixture's body-weight measurement: blocks until the test
 * releases it (at most 15 s), standing in for a long job. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int released, waiting;
} slow_hook = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };

static int hook_slow_scale(void *ctx, int foot, json_t **result, struct ins_error *err)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 15;
	pthread_mutex_lock(&slow_hook.lock);
	slow_hook.waiting++;
	pthread_cond_broadcast(&slow_hook.cond);
	while (!slow_hook.released && pthread_cond_timedwait(&slow_hook.cond, &slow_hook.lock, &until) == 0)
		;
	slow_hook.waiting--;
	pthread_mutex_unlock(&slow_hook.lock);
	*result = json_pack("{s:b}", "ok", 1);
	return 0;
}

static json_t *hook_devices(void *ctx)
{
	return json_pack("[{s:s,s:s}]", "path", "/dev/test0", "layout", "fsr16");
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* The servers' SSE clock stands still: no heartbeat is ever due, so an
 * event reaches a client only through a wake-up, and a lost wake-up
 * shows as an event that never comes. */
static int64_t stopped_clock_us(void)
{
	return 0;
}

static void start_server_tls(const char *token, unsigned stall_s, const char *cert, const char *key)
{
	struct ins_store_config scfg = { 0 };
	struct ins_live_config lcfg = { .display_hz = 30, .step_history = 50 };
	struct ins_http_hooks hooks = { .fill_status = hook_status, .start_recording = hook_start,
					.stop_recording = hook_stop, .tare = hook_tare,
					.set_body_weight = hook_body_weight, .devices = hook_devices,
					.body_weight_scale = hook_slow_scale };
	struct ins_http_config hcfg = { .bind_addr = "127.0.0.1", .port = 0, .token = token,
					.layout_dir = LAYOUT_DIR, .threads = 2, .max_connections = 64,
					.sse_stall_timeout_s = stall_s, .clock_us = stopped_clock_us };
	char err[400], db[128], web[128], vendor[128], outside[128];
	struct ins_error serr;

	strcpy(fx.dir, "/tmp/ins-http-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(fx.dir));
	snprintf(db, sizeof(db), "%s/test.db", fx.dir);
	snprintf(web, sizeof(web), "%s/web", fx.dir);
	snprintf(vendor, sizeof(vendor), "%s/vendor", fx.dir);
	snprintf(outside, sizeof(outside), "%s/secret.txt", fx.dir);
	mkdir(web, 0700);
	mkdir(vendor, 0700);
	write_file(web, "index.html", "<!doctype html><title>insoled</title>");
	write_file(web, "app.js", "export const x = 1;\n");
	write_file(web, "module.am", "EXTRA_DIST += secret\n");
	write_file(web, "package.json", "{\"name\": \"dashboard\"}\n");
	write_file(web, "package-lock.json", "{}\n");
	write_file(vendor, "uplot.js", "/* uplot */\n");
	write_file(fx.dir, "secret.txt", "root:x:0:0 patient data\n");
	{
		char link[160];

		snprintf(link, sizeof(link), "%s/escape.txt", web);
		ck_assert_int_eq(symlink(outside, link), 0);
	}
	fx.layout = test_load_shipped("fsr16");
	scfg.db_path = db;
	scfg.sql_dir = SRC "/sql";
	scfg.layout_dir = LAYOUT_DIR;
	fx.store = ins_store_open(&scfg, &serr);
	ck_assert_msg(fx.store, "store: %s", serr.msg);
	lcfg.layout[INS_FOOT_LEFT] = fx.layout;
	lcfg.layout[INS_FOOT_RIGHT] = fx.layout;
	fx.live = ins_live_new(&lcfg, err, sizeof(err));
	ck_assert_msg(fx.live, "live: %s", err);
	hcfg.web_root = web;
	hcfg.vendor_root = vendor;
	hcfg.tls_cert = cert;
	hcfg.tls_key = key;
	fx.http = ins_http_start(&hcfg, fx.store, fx.live, &hooks, err, sizeof(err));
	ck_assert_msg(fx.http, "http: %s", err);
	ck_assert_uint_ne(ins_http_port(fx.http), 0);
	snprintf(fx.base, sizeof(fx.base), "%s://127.0.0.1:%u", cert ? "https" : "http", ins_http_port(fx.http));
}

static void start_server(const char *token, unsigned stall_s)
{
	start_server_tls(token, stall_s, NULL, NULL);
}

static void setup_open(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	start_server(NULL, 2);
}

static void setup_token(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	start_server(TEST_TOKEN, 2);
}

static void teardown(void)
{
	char cmd[128];

	ins_http_stop(fx.http);
	ins_live_free(fx.live);
	ins_store_close(fx.store);
	ins_layout_free(fx.layout);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx.dir);
	ck_assert_int_eq(system(cmd), 0);
	curl_global_cleanup();
}

struct reply {
	long status;
	char body[1 << 20];
	size_t len;
	char headers[8192];
	size_t hlen;
};
static struct reply rep;

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct reply *r = ud;
	size_t len = size * n, room = sizeof(r->body) - 1 - r->len;

	if (len > room)
		len = room;
	memcpy(r->body + r->len, p, len);
	r->len += len;
	r->body[r->len] = '\0';
	return size * n;
}

static size_t on_body_discard(char *p, size_t size, size_t n, void *ud)
{
	return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct reply *r = ud;
	size_t len = size * n, room = sizeof(r->headers) - 1 - r->hlen;

	if (len > room)
		len = room;
	memcpy(r->headers + r->hlen, p, len);
	r->hlen += len;
	r->headers[r->hlen] = '\0';
	return size * n;
}

/* method, path, body (NULL = none), then extra header lines, NULL-terminated.
 * A JSON body gets Content-Type: application/json unless a header sets one. */
/* Sends the request c is set up for with headers hs, into rep; frees both. */
static long perform(CURL *c, struct curl_slist *hs, const char *method, const char *path)
{
	char url[4096];
	CURLcode rc;

	memset(&rep, 0, sizeof(rep.status) + sizeof(rep.len));
	rep.len = rep.hlen = 0;
	rep.body[0] = rep.headers[0] = '\0';
	snprintf(url, sizeof(url), "%s%s", fx.base, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &rep);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &rep);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L); /* the TLS test's self-signed certificate */
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	rc = curl_easy_perform(c);
	ck_assert_msg(rc == CURLE_OK, "%s %s: %s", method, path, curl_easy_strerror(rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &rep.status);
	curl_slist_free_all(hs);
	curl_easy_cleanup(c);
	return rep.status;
}

static long req(const char *method, const char *path, const char *body, ...)
{
	CURL *c = curl_easy_init();
	struct curl_slist *hs = NULL;
	const char *h;
	int has_ct = 0;
	va_list ap;

	va_start(ap, body);
	while ((h = va_arg(ap, const char *)) != NULL) {
		hs = curl_slist_append(hs, h);
		has_ct |= strncasecmp(h, "Content-Type:", 13) == 0;
	}
	va_end(ap);
	if (body && !has_ct)
		hs = curl_slist_append(hs, "Content-Type: application/json");
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	return perform(c, hs, method, path);
}

/* A file of a form: its name and bytes (a text when len is 0). */
struct form_file {
	const char *name;
	const void *data;
	size_t len;
};

/* POST path as multipart/form-data, as a browser's FormData sends files. */
static long post_form(const char *path, const struct form_file *files, unsigned n)
{
	CURL *c = curl_easy_init();
	curl_mime *m = curl_mime_init(c);
	long status;

	for (unsigned i = 0; i < n; i++) {
		curl_mimepart *part = curl_mime_addpart(m);

		curl_mime_name(part, "file");
		curl_mime_data(part, files[i].data, files[i].len ? files[i].len : CURL_ZERO_TERMINATED);
		curl_mime_filename(part, files[i].name);
	}
	curl_easy_setopt(c, CURLOPT_MIMEPOST, m);
	status = perform(c, NULL, "POST", path);
	curl_mime_free(m);
	return status;
}

static json_t *body_json(void)
{
	json_error_t e;
	json_t *j = json_loads(rep.body, 0, &e);

	ck_assert_msg(j, "not JSON (%s): %.200s", e.text, rep.body);
	return j;
}

static void assert_error_field(long status, const char *field)
{
	json_t *j = body_json();

	ck_assert_msg(rep.status == status, "status %ld, expected %ld: %s", rep.status, status, rep.body);
	ck_assert_msg(json_is_string(json_object_get(j, "error")), "%s", rep.body);
	if (field)
		ck_assert_msg(json_is_string(json_object_get(j, "field")) &&
				      strcmp(json_string_value(json_object_get(j, "field")), field) == 0,
			      "expected field %s: %s", field, rep.body);
	json_decref(j);
}

static int has_header(const char *line)
{
	return strcasestr(rep.headers, line) != NULL;
}

static int64_t json_int_at(json_t *obj, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(obj, key));
}

/* ---- status, metrics, devices, layouts, live -------------------------- */

START_TEST(status_metrics_devices_layouts)
{
	json_t *j;

	ck_assert_int_eq(req("GET", "/api/status", NULL, NULL), 200);
	ck_assert(has_header("Content-Type: application/json"));
	/* API answers, errors too, are never cached (a shared PC's disk) */
	ck_assert(has_header("Cache-Control: no-store"));
	j = body_json();
	ck_assert_str_eq(json_string_value(json_object_get(j, "version")), PACKAGE_VERSION);
	ck_assert(json_is_null(json_object_get(j, "recording")));
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(j, "devices"), 0), "path")),
			 "/dev/test0");
	ck_assert(json_is_true(json_object_get(json_object_get(j, "database"), "healthy")));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "http"), "auth")), "none");
	json_decref(j);

	ck_assert_int_eq(req("GET", "/api/metrics", NULL, NULL), 200);
	j = body_json();
	ck_assert_uint_eq(json_array_size(j), INS_M_COUNT);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "name")), "stance_ms");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "unit")), "ms");
	json_decref(j);

	ck_assert_int_eq(req("GET", "/api/devices", NULL, NULL), 200);
	j = body_json();
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(j, "devices"), 0), "layout")),
			 "fsr16");
	json_decref(j);

	ck_assert_int_eq(req("GET", "/api/layouts/fsr16", NULL, NULL), 200);
	j = body_json();
	ck_assert_str_eq(json_string_value(json_object_get(j, "name")), "fsr16");
	ck_assert_uint_eq(json_array_size(json_object_get(j, "sensors")), fx.layout->n_sensors);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "outline")), fx.layout->n_outline);
	{
		/* the anatomical mask: nine regions, every one measured on fsr16;
		 * sensor 8 (first metatarsal head) in mth1; one region per heatmap cell */
		json_t *mask = json_object_get(j, "mask"), *grid = json_object_get(mask, "grid");
		json_t *cells = json_object_get(grid, "cells"), *reg = json_object_get(mask, "regions");
		ck_assert_uint_eq(json_array_size(reg), INS_MASK_COUNT);
		for (unsigned r = 0; r < INS_MASK_COUNT; r++)
			ck_assert(json_is_true(json_object_get(json_array_get(reg, r), "measured")));
		ck_assert_str_eq(json_string_value(json_array_get(json_array_get(json_object_get(mask, "sensors"), 7), 0)),
				 "mth1");
		ck_assert_uint_eq(json_array_size(cells), (size_t)json_integer_value(json_object_get(grid, "w")) *
							  (size_t)json_integer_value(json_object_get(grid, "h")));
	}
	json_decref(j);
	/* the list a person chooses an insole from: every layout, by name,
	 * with what it is, how many sensors and in what units */
	ck_assert_int_eq(req("GET", "/api/layouts", NULL, NULL), 200);
	j = body_json();
	{
		json_t *list = json_object_get(j, "layouts");
		const char *want[] = { "fsr16", "gaitpdb8", "pedar99-y" };
		const int sensors[] = { 16, 8, 99 };
		size_t w = 0, i;
		glob_t files;

		/* every layout shipped loads, so every one is listed */
		ck_assert_int_eq(glob(LAYOUT_DIR "/*.layout", 0, NULL, &files), 0);
		ck_assert_msg(json_array_size(list) == files.gl_pathc, "%zu files: %s", files.gl_pathc, rep.body);
		globfree(&files);
		for (i = 0; i < json_array_size(list); i++) {
			json_t *l = json_array_get(list, i);
			const char *name = json_string_value(json_object_get(l, "name"));

			ck_assert_ptr_nonnull(name);
			if (i > 0)
				ck_assert_msg(strcmp(json_string_value(json_object_get(json_array_get(list, i - 1), "name")),
						     name) < 0, "not sorted: %s", rep.body);
			if (!strcmp(name, "footswitch1"))
				ck_assert_str_eq(json_string_value(json_object_get(l, "units")), "raw");
			if (w < 3 && !strcmp(name, want[w])) {
				char err[256];
				struct ins_layout *file = ins_layout_load_named(LAYOUT_DIR, name, err, sizeof(err));

				ck_assert_msg(file, "%s", err);
				ck_assert_int_eq(json_int_at(l, "sensors"), sensors[w]);
				ck_assert_str_eq(json_string_value(json_object_get(l, "units")), "kPa");
				ck_assert_str_eq(json_string_value(json_object_get(l, "description")), file->description);
				ins_layout_free(file);
				w++;
			}
		}
		ck_assert_msg(w == 3, "missing %s: %s", w < 3 ? want[w] : "", rep.body);
	}
	json_decref(j);
	req("GET", "/api/layouts?units=kPa", NULL, NULL);
	assert_error_field(400, "units");
	req("GET", "/api/layouts/nosuch", NULL, NULL);
	assert_error_field(404, "name");
	req("GET", "/api/layouts/..%2ffsr16", NULL, NULL);
	assert_error_field(400, "path");

	req("GET", "/api/nothing", NULL, NULL);
	assert_error_field(404, "path");
	req("DELETE", "/api/status", NULL, NULL);
	assert_error_field(405, NULL);
	ck_assert(has_header("Allow: GET, HEAD"));
	ck_assert_int_eq(req("HEAD", "/api/status", NULL, NULL), 200);
	ck_assert_uint_eq(rep.len, 0);
}
END_TEST

static void publish_left_frame(float force, int64_t t_us)
{
	struct ins_frame_metrics m;
	float kpa[64];

	memset(&m, 0, sizeof(m));
	m.foot = INS_FOOT_LEFT;
	m.t_us = t_us;
	m.force_n = force;
	m.in_stance = 1;
	m.cop_x_mm = 3.0f;
	m.cop_y_mm = 120.0f;
	m.cop_x_norm = 0.03f;
	m.cop_y_norm = 0.45f;
	for (unsigned i = 0; i < fx.layout->n_sensors; i++)
		kpa[i] = 50.0f;
	ins_live_publish_frame(fx.live, &m, kpa);
}

static struct ins_step make_step(unsigned foot, uint32_t index, double stance_ms)
{
	struct ins_step s;

	memset(&s, 0, sizeof(s));
	s.foot = (uint8_t)foot;
	s.index = index;
	s.contact_us = 1000000LL * index;
	s.toe_off_us = s.contact_us + (int64_t)(stance_ms * 1000);
	for (int k = 0; k < INS_M_COUNT; k++)
		s.m[k] = NAN;
	s.m[INS_M_STANCE_MS] = stance_ms;
	s.m[INS_M_PEAK_PRESSURE_KPA] = 200 + index;
	return s;
}

START_TEST(live_snapshot)
{
	json_t *j, *left;
	struct ins_step s = make_step(INS_FOOT_LEFT, 0, 640);

	ck_assert_int_eq(req("GET", "/api/live", NULL, NULL), 200);
	ck_assert(has_header("Cache-Control: no-store"));
	j = body_json();
	ck_assert(json_is_null(json_object_get(json_object_get(j, "feet"), "left")));
	ck_assert_uint_eq(json_array_size(json_object_get(j, "steps")), 0);
	json_decref(j);

	publish_left_frame(612.0f, 5000000);
	ins_live_publish_step(fx.live, &s);
	ck_assert_int_eq(req("GET", "/api/live?steps=1", NULL, NULL), 200);
	j = body_json();
	left = json_object_get(json_object_get(j, "feet"), "left");
	ck_assert_int_eq(json_int_at(j, "t_us"), 5000000);
	ck_assert_double_eq_tol(json_number_value(json_object_get(left, "force_n")), 612.0, 1e-9);
	ck_assert_double_eq_tol(json_number_value(json_object_get(json_object_get(left, "cop"), "y_mm")), 120.0, 1e-4);
	ck_assert_double_eq_tol(json_number_value(json_object_get(json_object_get(left, "heatmap"), "max_kpa")), 50.0,
				1e-9);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(left, "heatmap"), "units")), "kPa");
	ck_assert_uint_eq(json_array_size(json_object_get(j, "steps")), 1);
	ck_assert_double_eq_tol(json_number_value(json_object_get(
		json_object_get(json_array_get(json_object_get(j, "steps"), 0), "metrics"), "stance_ms")), 640, 1e-9);
	json_decref(j);
	req("GET", "/api/live?steps=-1", NULL, NULL);
	assert_error_field(400, "steps");
}
END_TEST

/* Requests between two snapshots share one prepared answer: the same body
 * and every header, until a new step (or frame) or another step count
 * asks for another text. */
START_TEST(live_answer_shared_until_the_snapshot_changes)
{
	static char first[sizeof(rep.body)];
	struct ins_step s = make_step(INS_FOOT_LEFT, 0, 610);
	json_t *j;

	publish_left_frame(600.0f, 7000000);
	ck_assert_int_eq(req("GET", "/api/live", NULL, NULL), 200);
	memcpy(first, rep.body, rep.len + 1);
	ck_assert_int_eq(req("GET", "/api/live", NULL, NULL), 200);
	ck_assert_msg(strcmp(rep.body, first) == 0, "answers differ: %.80s / %.80s", rep.body, first);
	ck_assert(has_header("Cache-Control: no-store"));
	ck_assert(has_header("X-Content-Type-Options: nosniff"));
	ck_assert(has_header("Content-Security-Policy: default-src 'self'"));
	ck_assert_int_eq(req("GET", "/api/live?steps=0", NULL, NULL), 200);
	ck_assert(has_header("X-Frame-Options: DENY"));

	ins_live_publish_step(fx.live, &s);
	ck_assert_int_eq(req("GET", "/api/live", NULL, NULL), 200);
	ck_assert_msg(strcmp(rep.body, first) != 0, "the answer did not follow the new step");
	j = body_json();
	ck_assert_int_eq(json_int_at(j, "t_us"), 7000000);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "steps")), 1);
	json_decref(j);
	ck_assert(has_header("Referrer-Policy: no-referrer"));
	ck_assert_int_eq(req("GET", "/api/live?steps=0", NULL, NULL), 200);
	j = body_json();
	ck_assert_uint_eq(json_array_size(json_object_get(j, "steps")), 0);
	json_decref(j);
}
END_TEST

/* ---- sessions ----------------------------------------------------------- */

static int64_t start_session(const char *subject, const char *footwear)
{
	char body[256];
	json_t *j;
	int64_t id;

	snprintf(body, sizeof(body), "{\"subject\":\"%s\",\"footwear\":\"%s\",\"notes\":\"n\"}", subject, footwear);
	ck_assert_int_eq(req("POST", "/api/sessions", body, NULL), 201);
	j = body_json();
	id = json_int_at(j, "id");
	ck_assert_str_eq(json_string_value(json_object_get(j, "state")), "recording");
	ck_assert_str_eq(json_string_value(json_object_get(j, "footwear")), footwear);
	json_decref(j);
	return id;
}

static void stop_session(int64_t id)
{
	char path[64];

	snprintf(path, sizeof(path), "/api/sessions/%lld/stop", (long long)id);
	ck_assert_int_eq(req("POST", path, NULL, NULL), 200);
}

/* 100 Hz frames on both feet, a simple load ramp. */
static void record_frames(int64_t id, int n)
{
	uint16_t values[64];

	for (int i = 0; i < n; i++)
		for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
			struct ins_frame f = { .foot = (uint8_t)foot, .n = fx.layout->n_sensors, .seq = (uint32_t)i,
					       .t_dev = (uint32_t)(i * 10000), .t_us = i * 10000LL,
					       .host_us = ins_realtime_us(), .values = values };

			for (unsigned k = 0; k < fx.layout->n_sensors; k++)
				values[k] = (uint16_t)(100 + (i * 7 + k * 13) % 800);
			ck_assert_int_eq(ins_store_put_frame(fx.store, id, &f), 0);
		}
}

static void record_steps(int64_t id, double stance_left, double stance_right, int n)
{
	for (int i = 0; i < n; i++) {
		/* alternate +-10 ms so the SD is exactly known: 10.5 for n = 20 (sample SD) */
		struct ins_step l = make_step(INS_FOOT_LEFT, (uint32_t)i, stance_left + (i % 2 ? 10 : -10));
		struct ins_step r = make_step(INS_FOOT_RIGHT, (uint32_t)i, stance_right + (i % 2 ? 10 : -10));

		ck_assert_int_eq(ins_store_put_step(fx.store, id, &l), 0);
		ck_assert_int_eq(ins_store_put_step(fx.store, id, &r), 0);
	}
}

START_TEST(session_lifecycle_and_errors)
{
	char path[128];
	json_t *j;
	int64_t id, other;

	req("POST", "/api/sessions", "{\"subject\":\"P-1\"}", "Content-Type: text/plain", NULL);
	assert_error_field(415, "Content-Type");
	req("POST", "/api/sessions", "{\"subject\":", NULL);
	assert_error_field(400, "body");
	req("POST", "/api/sessions", "{\"footwear\":\"x\"}", NULL);
	assert_error_field(400, "subject");
	req("POST", "/api/sessions", "{\"subject\":\"a\",\"shoe\":\"x\"}", NULL);
	assert_error_field(400, "shoe");
	req("POST", "/api/sessions", "[1,2]", NULL);
	assert_error_field(400, "body");

	id = start_session("P-1", "shoe A");
	ck_assert(has_header("Location: /api/sessions/"));
	req("POST", "/api/sessions", "{\"subject\":\"P-1\"}", NULL);
	assert_error_field(409, NULL);
	ck_assert_int_eq(req("GET", "/api/status", NULL, NULL), 200);
	j = body_json();
	ck_assert_int_eq(json_int_at(json_object_get(j, "recording"), "session_id"), id);
	json_decref(j);
	snprintf(path, sizeof(path), "/api/sessions/%lld", (long long)id);
	req("DELETE", path, NULL, NULL);
	assert_error_field(409, "id");
	stop_session(id);
	j = body_json();
	ck_assert_str_eq(json_string_value(json_object_get(j, "state")), "complete");
	json_decref(j);
	snprintf(path, sizeof(path), "/api/sessions/%lld/stop", (long long)id);
	req("POST", path, NULL, NULL);
	assert_error_field(409, "id");
	req("POST", "/api/sessions/987654/stop", NULL, NULL);
	assert_error_field(404, NULL);
	req("GET", "/api/sessions/abc", NULL, NULL);
	assert_error_field(400, "id");
	req("GET", "/api/sessions/987654", NULL, NULL);
	assert_error_field(404, NULL);

	snprintf(path, sizeof(path), "/api/sessions/%lld", (long long)id);
	ck_assert_int_eq(req("PATCH", path, "{\"notes\":\"after 5 km\"}", NULL), 200);
	j = body_json();
	ck_assert_str_eq(json_string_value(json_object_get(j, "notes")), "after 5 km");
	ck_assert_str_eq(json_string_value(json_object_get(j, "subject")), "P-1");
	json_decref(j);
	req("PATCH", path, "{\"notes\":5}", NULL);
	assert_error_field(400, "notes");

	other = start_session("P-2", "barefoot");
	stop_session(other);
	ck_assert_int_eq(req("GET", "/api/sessions?subject=P-1", NULL, NULL), 200);
	j = body_json();
	ck_assert_int_eq(json_int_at(j, "total"), 1);
	ck_assert_int_eq(json_int_at(json_array_get(json_object_get(j, "sessions"), 0), "id"), id);
	json_decref(j);
	ck_assert_int_eq(req("GET", "/api/sessions?limit=1", NULL, NULL), 200);
	j = body_json();
	ck_assert_int_eq(json_int_at(j, "total"), 2);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "sessions")), 1);
	json_decref(j);
	req("GET", "/api/sessions?limit=0", NULL, NULL);
	assert_error_field(400, "limit");
	req("GET", "/api/sessions?from=20&to=10", NULL, NULL);
	assert_error_field(400, "to");

	snprintf(path, sizeof(path), "/api/sessions/%lld", (long long)other);
	ck_assert_int_eq(req("DELETE", path, NULL, NULL), 200);
	req("GET", path, NULL, NULL);
	assert_error_field(404, NULL);
}
END_TEST

START_TEST(step_selection_trims_and_excludes)
{
	char path[160];
	json_t *j, *sum, *st;
	int64_t a = start_session("P-4", "shoe A");

	record_steps(a, 650, 640, 10); /* contacts at 0, 1, ... 9 s */
	snprintf(path, sizeof(path), "/api/sessions/%lld/selection", (long long)a);
	req("PUT", path, "{\"steps\":[]}", NULL);
	assert_error_field(409, "id"); /* still recording */
	stop_session(a);
	/* window 2..7 s, the left step at 3 s (640 ms) left out: left 640, 660, 640, 660, 640... */
	ck_assert_int_eq(req("PUT", path, "{\"trim_from_us\":2000000,\"trim_to_us\":7000000,\"steps\":"
			     "[{\"foot\":\"left\",\"contact_us\":3000000,\"include\":false}]}", NULL), 200);
	j = body_json();
	sum = json_object_get(j, "summary");
	st = json_object_get(json_object_get(json_object_get(sum, "metrics"), "stance_ms"), "left");
	ck_assert_int_eq(json_integer_value(json_object_get(st, "n")), 5);
	ck_assert_double_eq_tol(json_number_value(json_object_get(st, "mean")), (640 + 640 + 660 + 640 + 660) / 5.0, 1e-9);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(json_object_get(sum, "quality"),
										  "trimmed_steps"), "left")), 4);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(json_object_get(sum, "quality"),
										  "user_excluded_steps"), "left")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "selection"), "trim_to_us")), 7000000);
	json_decref(j);
	/* the same answer from GET, and every step still listed */
	snprintf(path, sizeof(path), "/api/sessions/%lld/steps", (long long)a);
	ck_assert_int_eq(req("GET", path, NULL, NULL), 200);
	j = body_json();
	ck_assert_uint_eq(json_array_size(json_object_get(j, "steps")), 20);
	json_decref(j);
	snprintf(path, sizeof(path), "/api/sessions/%lld/selection", (long long)a);
	req("PUT", path, "{\"steps\":[{\"foot\":\"middle\",\"contact_us\":1,\"include\":true}]}", NULL);
	assert_error_field(400, NULL);
	req("PUT", path, "[1]", NULL);
	assert_error_field(400, "body");
	req("GET", path, NULL, NULL);
	assert_error_field(405, NULL);
	req("PUT", "/api/sessions/987654/selection", "{}", NULL);
	assert_error_field(404, NULL);
}
END_TEST

START_TEST(steps_heatmap_exports_reanalyze_compare)
{
	char path[160];
	json_t *j, *m;
	int64_t a, b;

	a = start_session("P-3", "shoe A");
	record_steps(a, 650, 640, 40);
	stop_session(a);
	b = start_session("P-3", "shoe B");
	record_steps(b, 600, 640, 40);
	stop_session(b);

	snprintf(path, sizeof(path), "/api/sessions/%lld/steps", (long long)a);
	ck_assert_int_eq(req("GET", path, NULL, NULL), 200);
	j = body_json();
	ck_assert_uint_eq(json_array_size(json_object_get(j, "steps")), 80);
	json_decref(j);

	snprintf(path, sizeof(path), "/api/sessions/%lld/heatmap", (long long)a);
	req("GET", path, NULL, NULL);
	assert_error_field(400, "foot");
	snprintf(path, sizeof(path), "/api/sessions/%lld/heatmap?foot=left&kind=max", (long long)a);
	req("GET", path, NULL, NULL);
	assert_error_field(400, "kind");

	snprintf(path, sizeof(path), "/api/sessions/%lld/export/steps.csv", (long long)a);
	ck_assert_int_eq(req("GET", path, NULL, NULL), 200);
	ck_assert(has_header("Content-Type: text/csv"));
	ck_assert(has_header("Content-Disposition: attachment"));
	ck_assert_int_eq(strncmp(rep.body, "foot,index,flags,contact_us,toe_off_us,stance_ms", 48), 0);
	ck_assert(has_header("Cache-Control: no-store"));
	snprintf(path, sizeof(path), "/api/sessions/%lld/export/summary.json", (long long)a);
	ck_assert_int_eq(req("GET", path, NULL, NULL), 200);
	json_decref(body_json());
	snprintf(path, sizeof(path), "/api/sessions/%lld/export/passwd", (long long)a);
	req("GET", path, NULL, NULL);
	assert_error_field(404, "path");
	ck_assert_msg(strstr(rep.body, "frames-counts.csv and frame-metrics.csv"), "%s", rep.body);
	ck_assert(has_header("Cache-Control: no-store"));

	snprintf(path, sizeof(path), "/api/sessions/%lld/reanalyze", (long long)a);
	req("GET", path, NULL, NULL);
	assert_error_field(405, NULL);

	snprintf(path, sizeof(path), "/api/compare?ids=%lld,%lld", (long long)a, (long long)b);
	ck_assert_int_eq(req("GET", path, NULL, NULL), 200);
	j = body_json();
	ck_assert_uint_eq(json_array_size(json_object_get(j, "sessions")), 2);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "metrics")), INS_M_COUNT);
	m = json_array_get(json_object_get(j, "metrics"), INS_M_STANCE_MS);
	ck_assert_str_eq(json_string_value(json_object_get(m, "name")), "stance_ms");
	ck_assert_str_eq(json_string_value(json_object_get(m, "scale")), "ratio");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "names"), 1)), "shoe B");
	/* left 650 -> 600 ms on SD 10.13 (40 steps each): lower, a large effect;
	 * right unchanged: no clear change */
	json_t *v0 = json_object_get(json_array_get(json_object_get(m, "values"), 0), "left");
	ck_assert_double_eq_tol(json_number_value(json_object_get(v0, "mean")), 650, 1e-6);
	ck_assert_double_eq_tol(json_number_value(json_object_get(v0, "sd")), sqrt(40 * 100.0 / 39), 1e-6);
	ck_assert_int_eq(json_integer_value(json_object_get(v0, "n")), 40);
	ck_assert(json_is_null(json_array_get(json_object_get(m, "vs_baseline"), 0)));
	json_t *dl = json_object_get(json_array_get(json_object_get(m, "vs_baseline"), 1), "left");
	json_t *dr = json_object_get(json_array_get(json_object_get(m, "vs_baseline"), 1), "right");
	ck_assert_double_eq_tol(json_number_value(json_object_get(dl, "diff")), -50, 1e-6);
	ck_assert_double_eq_tol(json_number_value(json_object_get(dl, "pct")), -50.0 / 650 * 100, 1e-6);
	ck_assert_str_eq(json_string_value(json_object_get(dl, "call")), "lower");
	ck_assert_str_eq(json_string_value(json_object_get(dl, "effect")), "large");
	ck_assert_int_eq(json_integer_value(json_object_get(dl, "n_baseline")), 40);
	ck_assert_double_eq_tol(json_number_value(json_array_get(json_object_get(dl, "ci95"), 1)),
				-50 + ins_t_quantile(0.975, 78) * sqrt(2 * 4000.0 / 39 / 40), 1e-6);
	ck_assert_str_eq(json_string_value(json_object_get(dr, "call")), "no_clear_change");
	/* the finding says it in words; the same layouts and pace: no warning */
	ck_assert_uint_eq(json_array_size(json_object_get(j, "warnings")), 0);
	json_t *fd = json_object_get(j, "findings");
	ck_assert_uint_eq(json_array_size(fd), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(fd, 0), "text")),
			 "Left foot: Contact time (stance) 7.7 % (50 ms) lower in shoe B than in shoe A (95 % CI 7.0 to 8.4 %), a "
			 "large effect (g = 4.89; 40 and 40 steps).");
	ck_assert(json_is_object(json_object_get(j, "heatmap_diff")));
	json_decref(j);
	/* a session against itself calls out nothing */
	snprintf(path, sizeof(path), "/api/compare?ids=%lld,%lld", (long long)a, (long long)a);
	ck_assert_int_eq(req("GET", path, NULL, NULL), 200);
	j = body_json();
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "names"), 1)), "shoe A (#1)");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_array_get(json_object_get(j, "findings"), 0),
								       "text")), "No metric differs clearly"));
	json_decref(j);
	/* CSV: the same judgements, one row per metric, foot and later session */
	snprintf(path, sizeof(path), "/api/compare?ids=%lld,%lld&format=csv", (long long)a, (long long)b);
	ck_assert_int_eq(req("GET", path, NULL, NULL), 200);
	ck_assert(has_header("Content-Type: text/csv"));
	ck_assert_ptr_nonnull(strstr(rep.body, "\nmetric,unit,scale,foot,session_id,session,n_baseline,mean_baseline,"));
	ck_assert_ptr_nonnull(strstr(rep.body, "# finding: Left foot: Contact time (stance) 7.7 % (50 ms) lower"));
	ck_assert_ptr_nonnull(strstr(rep.body, "\nstance_ms,\"ms\",ratio,left,2,\"shoe B\",40,650,"));
	ck_assert_ptr_nonnull(strstr(rep.body, ",large,-7.69230769,"));
	ck_assert_ptr_nonnull(strstr(rep.body, ",lower,\"lower: -50 ms (95 % CI"));
	snprintf(path, sizeof(path), "/api/compare?ids=%lld,%lld&format=xml", (long long)a, (long long)b);
	req("GET", path, NULL, NULL);
	assert_error_field(400, "format");
	snprintf(path, sizeof(path), "/api/compare?ids=%lld,987654", (long long)a);
	req("GET", path, NULL, NULL);
	assert_error_field(404, "ids");
	req("GET", "/api/compare?ids=a,b", NULL, NULL);
	assert_error_field(400, "ids");
}
END_TEST

/* Two walks 35 % apart in cadence: the comparison says so first, with what
 * to do, whatever the metrics show. */
static void record_cadence(int64_t id, double cadence)
{
	for (int i = 0; i < 40; i++) {
		for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
			struct ins_step st = make_step(foot, (uint32_t)i, 600 + (i % 2 ? 10 : -10));

			st.m[INS_M_CADENCE_SPM] = cadence + (i % 2 ? 2 : -2);
			ck_assert_int_eq(ins_store_put_step(fx.store, id, &st), 0);
		}
	}
}

START_TEST(compare_warns_of_a_cadence_mismatch)
{
	char path[160];
	int64_t a = start_session("P-4", "barefoot"), b;
	json_t *j, *w;

	record_cadence(a, 110);
	stop_session(a);
	b = start_session("P-4", "running shoe");
	record_cadence(b, 148.5);
	stop_session(b);
	snprintf(path, sizeof(path), "/api/compare?ids=%lld,%lld", (long long)a, (long long)b);
	ck_assert_int_eq(req("GET", path, NULL, NULL), 200);
	j = body_json();
	w = json_object_get(j, "warnings");
	ck_assert_uint_eq(json_array_size(w), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(w, 0), "kind")), "cadence");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(w, 0), "text")),
			 "Cadence differs by 35 % between barefoot (110.0 steps/min) and running shoe (148.5 steps/min): "
			 "walking faster or slower changes pressures and timing by itself, so differences below may come "
			 "from the pace, not the footwear.");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_array_get(w, 0), "advice")),
				     "same pace"));
	json_decref(j);
}
END_TEST

START_TEST(subjects_and_calibration)
{
	json_t *j;
	int64_t id;
	char path[64];

	ck_assert_int_eq(req("POST", "/api/subjects", "{\"code\":\"P-9\",\"body_weight_kg\":82.5}", NULL), 201);
	j = body_json();
	id = json_int_at(j, "id");
	ck_assert_str_eq(json_string_value(json_object_get(j, "code")), "P-9");
	json_decref(j);
	ck_assert_int_eq(req("GET", "/api/subjects", NULL, NULL), 200);
	j = body_json();
	ck_assert(json_array_size(json_object_get(j, "subjects")) == 1);
	json_decref(j);
	snprintf(path, sizeof(path), "/api/subjects/%lld", (long long)id);
	ck_assert_int_eq(req("PATCH", path, "{\"notes\":\"flat feet\"}", NULL), 200);
	req("PATCH", "/api/subjects/987654", "{\"notes\":\"x\"}", NULL);
	assert_error_field(404, NULL);

	req("POST", "/api/calibration/tare", "{\"foot\":\"middle\"}", NULL);
	assert_error_field(400, "foot");
	fx.seen.tare_foot = -1;
	ck_assert_int_eq(req("POST", "/api/calibration/tare", "{\"foot\":\"right\"}", NULL), 200);
	ck_assert_int_eq(fx.seen.tare_foot, INS_FOOT_RIGHT);
	req("POST", "/api/calibration/body-weight", "{\"body_weight_kg\":\"70\"}", NULL);
	assert_error_field(400, "body_weight_kg");
	ck_assert_int_eq(req("POST", "/api/calibration/body-weight", "{\"body_weight_kg\":70}", NULL), 200);
	ck_assert_double_eq_tol(fx.seen.body_weight_n, 70 * 9.80665, 1e-9);
}
END_TEST

static int64_t sessions_total(void)
{
	json_t *j;
	int64_t n;

	ck_assert_int_eq(req("GET", "/api/sessions", NULL, NULL), 200);
	j = body_json();
	n = json_int_at(j, "total");
	json_decref(j);
	return n;
}

/* The recording of session `first` uploaded again under another name: 409
 * naming that session and how to import it anyway, and nothing stored; a
 * wrong or repeated switch is refused. */
static void expect_duplicate_refused(const char *csv, int64_t first)
{
	int64_t before = sessions_total();
	json_t *j, *e;
	char want[160];

	req("POST", "/api/sessions/import?subject=P-4&name=walk%20A.csv", csv, "Content-Type: text/csv", NULL);
	assert_error_field(409, "duplicate");
	j = body_json();
	e = json_object_get(j, "existing");
	ck_assert_int_eq(json_int_at(e, "id"), first);
	ck_assert_str_eq(json_string_value(json_object_get(e, "name")), "upload");
	ck_assert_str_eq(json_string_value(json_object_get(e, "subject")), "P-4");
	ck_assert_int_gt(json_int_at(e, "imported_us"), 0);
	ck_assert(json_is_true(json_object_get(e, "start_from_file"))); /* an export states its start */
	ck_assert_uint_eq(strlen(json_string_value(json_object_get(e, "fingerprint"))), 71);
	snprintf(want, sizeof(want), "walk A.csv: this recording is already stored as session %lld ('upload', "
		 "imported on ", (long long)first);
	ck_assert_msg(strncmp(json_string_value(json_object_get(j, "error")), want, strlen(want)) == 0, "%s", rep.body);
	ck_assert_msg(strstr(json_string_value(json_object_get(j, "error")),
			     "; to import it again as another session, send it again with duplicate=allow"), "%s", rep.body);
	json_decref(j);
	ck_assert_int_eq(sessions_total(), before);
	req("POST", "/api/sessions/import?subject=P-4&duplicate=yes", csv, "Content-Type: text/csv", NULL);
	assert_error_field(400, "duplicate");
	req("POST", "/api/sessions/import?subject=P-4&duplicate=allow&duplicate=allow", csv, "Content-Type: text/csv",
	    NULL);
	ck_assert_int_eq(rep.status, 400);
	ck_assert_int_eq(sessions_total(), before);
}

/* tests/fixtures/import/FILE uploaded with the query QUERY: 201, its answer. */
static json_t *import_fixture(const char *file, const char *query)
{
	char path[256];
	size_t len;
	char *csv;

	snprintf(path, sizeof(path), "%s/tests/fixtures/import/%s", SRC, file);
	csv = test_read_file(path, &len);
	snprintf(path, sizeof(path), "/api/sessions/import?%s", query);
	ck_assert_msg(req("POST", path, csv, "Content-Type: text/csv", NULL) == 201, "%s", rep.body);
	free(csv);
	return body_json();
}

/* layout= names the layout of the file's feet, as --analyze --layout: a
 * pedar insole type the reader does not know is refused naming the type,
 * and imports with the layout given; a layout that does not fit the file,
 * or a name that is no layout's, is refused naming the field. */
START_TEST(import_takes_the_layout_the_file_does_not_name)
{
	char path[256], *asc, *y;
	size_t len;
	json_t *j;

	snprintf(path, sizeof(path), "%s/tests/fixtures/import/pedar_small.asc", SRC);
	asc = test_read_file(path, &len);
	y = strstr(asc, "sensor type:  y");
	ck_assert_ptr_nonnull(y);
	y[strlen("sensor type:  ")] = 'q';
	req("POST", "/api/sessions/import?subject=P-8&name=q.asc", asc, "Content-Type: text/plain", NULL);
	ck_assert_int_eq(rep.status, 400);
	ck_assert_msg(strstr(rep.body, "q.asc: no layout for the left foot (its sensor type 'q' is none of the pedar "
				       "insoles known: "), "%s", rep.body);
	ck_assert_msg(req("POST", "/api/sessions/import?subject=P-8&name=q.asc&layout=pedar99-y", asc,
			  "Content-Type: text/plain", NULL) == 201, "%s", rep.body);
	j = body_json();
	ck_assert_int_eq(json_int_at(j, "frames"), 3);
	json_decref(j);
	req("POST", "/api/sessions/import?subject=P-8&name=q.asc&layout=fsr16&duplicate=allow", asc,
	    "Content-Type: text/plain", NULL);
	ck_assert_int_eq(rep.status, 400);
	ck_assert_msg(strstr(rep.body, "the left foot has 99 sensors, layout 'fsr16' has 16"), "%s", rep.body);
	req("POST", "/api/sessions/import?subject=P-8&name=q.asc&layout=../etc/x", asc, "Content-Type: text/plain",
	    NULL);
	assert_error_field(400, "layout");
	free(asc);
}
END_TEST

/* The import answers what the reader did to read the file in time order:
 * per foot, the samples it put back in order and those written twice and
 * read once (a Bluetooth logger's late and re-sent packets); 0 for a file
 * in order. */
START_TEST(import_reports_samples_put_back_in_order_or_read_once)
{
	static const struct {
		const char *file, *query;
		int64_t frames, reordered[2], repeated[2];
	} cases[] = {
		{ "stappone_late.csv", "subject=P-6&name=late.csv", 10, { 0, 1 }, { 1, 0 } },
		{ "stappone_small.csv", "subject=P-6&name=small.csv", 7, { 0, 0 }, { 0, 0 } },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j = import_fixture(cases[i].file, cases[i].query);

		ck_assert_int_eq(json_int_at(j, "frames"), cases[i].frames);
		for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
			const char *name = ins_foot_name(foot);
			int64_t reordered = json_int_at(json_object_get(j, "reordered_samples"), name);
			int64_t repeated = json_int_at(json_object_get(j, "repeated_samples"), name);

			ck_assert_msg(reordered == cases[i].reordered[foot] && repeated == cases[i].repeated[foot],
				      "%s, %s foot: %lld reordered, %lld repeated", cases[i].file, name,
				      (long long)reordered, (long long)repeated);
		}
		ck_assert_ptr_null(json_object_get(j, "warning"));
		json_decref(j);
	}
}
END_TEST

/* The import answers how the analysis agrees with the values the file
 * states of itself and the gait events it marks, as --analyze's summary
 * does; a file stating none gets no file_agreement. */
START_TEST(import_answers_the_agreement_with_the_files_own_values)
{
	json_t *j = import_fixture("xsensor_small.csv", "subject=P-7&name=xs.csv");
	json_t *force = json_object_get(json_object_get(json_object_get(j, "file_agreement"), "left"), "force_n");
	json_t *peak = json_object_get(json_object_get(json_object_get(j, "file_agreement"), "left"), "peak_kpa");

	ck_assert_msg(force && peak, "%s", rep.body);
	ck_assert_int_eq(json_int_at(force, "frames"), 2);
	ck_assert_int_eq(json_int_at(force, "within"), 2);
	ck_assert_int_eq(json_int_at(peak, "within"), json_int_at(peak, "frames"));
	ck_assert_str_eq(json_string_value(json_object_get(force, "tolerance")), "1 % or 1 N");
	ck_assert(json_is_true(json_object_get(j, "start_from_file")));
	json_decref(j);
	j = import_fixture("pedar_small.asc", "subject=P-7&name=pedar.asc");
	ck_assert_ptr_null(json_object_get(j, "file_agreement"));
	json_decref(j);
	/* the gait events a file marks (Moticon's): its one contact and toe-off
	 * of each foot lie at the recording's first frame, which no step can show */
	j = import_fixture("moticon_small.txt", "subject=P-7&name=m.txt");
	force = json_object_get(json_object_get(json_object_get(j, "file_agreement"), "left"), "contact");
	ck_assert_msg(force != NULL, "%s", rep.body);
	ck_assert_int_eq(json_int_at(force, "events"), 0);
	ck_assert_int_eq(json_int_at(force, "edge"), 1);
	ck_assert(json_is_true(json_object_get(force, "agrees")) && json_is_null(json_object_get(force, "matched_pct")));
	ck_assert_str_eq(json_string_value(json_object_get(force, "tolerance")), "30 ms");
	json_decref(j);
	/* a file without a recording date: the session is dated when imported, and says so */
	j = import_fixture("gaitpdb_small.txt", "subject=P-7&name=walk.txt");
	ck_assert(json_is_false(json_object_get(j, "start_from_file")));
	json_decref(j);
}
END_TEST

/* The session of a file the reader repaired says so when it is read back
 * (GET, as the report and the session's page read it), before the notes
 * sent with the upload; a file read as written keeps just those notes. */
START_TEST(a_repaired_import_says_so_in_the_sessions_notes)
{
	static const struct {
		const char *file, *query, *notes;
	} cases[] = {
		{ "stappone_late.csv", "subject=P-6&notes=knee%20pain&name=late.csv",
		  "Imported with repairs: 1 sample of the left insole was written twice and read once; 1 sample of the "
		  "right insole was out of time order and put back in order | knee pain" },
		{ "stappone_small.csv", "subject=P-6&notes=knee%20pain&name=small.csv", "knee pain" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j = import_fixture(cases[i].file, cases[i].query);
		char path[64];

		snprintf(path, sizeof(path), "/api/sessions/%lld", (long long)json_int_at(j, "id"));
		json_decref(j);
		ck_assert_int_eq(req("GET", path, NULL, NULL), 200);
		j = body_json();
		ck_assert_str_eq(json_string_value(json_object_get(j, "notes")), cases[i].notes);
		json_decref(j);
	}
}
END_TEST

/* Lines of body that start with prefix. */
static unsigned count_lines_starting(const char *body, const char *prefix)
{
	unsigned n = 0;
	size_t len = strlen(prefix);

	for (const char *p = body; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		n += strncmp(p, prefix, len) == 0;
	return n;
}

/* The two exports beyond frames.csv of a session of 200 frames per foot:
 * the raw counts import back whole, and the frame
 * metrics give a row per stored frame. */
static void check_lossless_and_metrics_exports(int64_t id)
{
	static char counts[1 << 20];
	char path[160];
	json_t *j;

	snprintf(path, sizeof(path), "/api/sessions/%lld/export/frames-counts.csv", (long long)id);
	ck_assert_int_eq(req("GET", path, NULL, NULL), 200);
	ck_assert(has_header("Content-Type: text/csv"));
	ck_assert(has_header("-frames-counts.csv\""));
	/* (this session recorded no calibration: the layout's is the one there is) */
	ck_assert_msg(strstr(rep.body, "\n# units: counts\n"), "%.600s", rep.body);
	ck_assert_uint_lt(rep.len, sizeof(counts));
	memcpy(counts, rep.body, rep.len + 1);
	ck_assert_int_eq(req("POST", "/api/sessions/import?subject=P-4&name=counts.csv&duplicate=allow", counts,
			     "Content-Type: text/csv", NULL), 201);
	j = body_json();
	ck_assert_int_eq(json_int_at(j, "frames"), 400);
	ck_assert_ptr_null(json_object_get(j, "warning"));
	json_decref(j);

	snprintf(path, sizeof(path), "/api/sessions/%lld/export/frame-metrics.csv", (long long)id);
	ck_assert_int_eq(req("GET", path, NULL, NULL), 200);
	ck_assert(has_header("-frame-metrics.csv\""));
	ck_assert_int_eq(strncmp(rep.body, "# insoled frame metrics export\n", 31), 0);
	ck_assert_msg(strstr(rep.body, "\nt_us,foot,seq,host_us,force_n,cop_x_mm,"), "%.600s", rep.body);
	ck_assert_uint_eq(count_lines_starting(rep.body, "") - count_lines_starting(rep.body, "#") - 1, 400);
}

START_TEST(import_round_trip_and_upload_errors)
{
	char path[160];
	int64_t a, first;
	json_t *j;
	static char csv[1 << 20];

	a = start_session("P-4", "shoe A");
	record_frames(a, 200);
	stop_session(a);
	/* notes of two lines, with what the export escapes, ending in a blank */
	snprintf(path, sizeof(path), "/api/sessions/%lld", (long long)a);
	ck_assert_int_eq(req("PATCH", path, "{\"notes\":\"first line\\nsecond \\\\ # \\\"q\\\"\\tend, \"}", NULL), 200);
	snprintf(path, sizeof(path), "/api/sessions/%lld/export/frames.csv", (long long)a);
	ck_assert_int_eq(req("GET", path, NULL, NULL), 200);
	memcpy(csv, rep.body, rep.len + 1);
	check_lossless_and_metrics_exports(a);

	req("POST", "/api/sessions/import?footwear=x", csv, "Content-Type: text/csv", NULL);
	assert_error_field(400, "subject");
	req("POST", "/api/sessions/import?subject=P-4", "a", "Content-Type: multipart/mixed; boundary=x", NULL);
	assert_error_field(415, "Content-Type");
	req("POST", "/api/sessions/import?subject=P-4", "a", "Content-Type: multipart/form-data; boundary=x", NULL);
	assert_error_field(400, "body");
	req("POST", "/api/sessions/import?subject=P-4&format=wav", csv, "Content-Type: text/csv", NULL);
	assert_error_field(400, "format");
	req("POST", "/api/sessions/import?subject=P-4", "", "Content-Type: text/csv", NULL);
	assert_error_field(400, "body");
	req("POST", "/api/sessions/import?subject=P-4&format=moticon", "not a recording\n", "Content-Type: text/csv", NULL);
	assert_error_field(400, "format");
	/* errors name the upload as the client named it, never the server's temporary file */
	req("POST", "/api/sessions/import?subject=P-4&name=walk.csv", "t_us,x\n1,2\nbad\n", "Content-Type: text/csv",
	    NULL);
	ck_assert_int_eq(rep.status, 400);
	ck_assert_msg(!strstr(rep.body, "insoled-upload") && !strstr(rep.body, "/tmp"), "%s", rep.body);
	ck_assert_msg(strstr(rep.body, "walk.csv"), "%s", rep.body);
	/* a file of no format read: the whole list of formats, to its end */
	req("POST", "/api/sessions/import?subject=P-4&name=notes.txt", "hello clinic\n", "Content-Type: text/plain", NULL);
	ck_assert_int_eq(rep.status, 400);
	ck_assert_msg(strstr(rep.body, "notes.txt:1: not a recording this program reads (first line 'hello clinic')") &&
			      strstr(rep.body, "stappone .csv ('sole_id,')\""),
		      "%s", rep.body);
	/* a gaitndd signal file alone: what it is and how its record is read, not "binary data" */
	req("POST", "/api/sessions/import?subject=P-4&name=PARK1.RIT", "\x01\x02\x03", "Content-Type: application/octet-stream",
	    NULL);
	assert_error_field(400, "body");
	ck_assert_msg(strstr(rep.body, "PARK1.RIT: a gaitndd signal file (the right foot's samples, WFDB format 212): a "
				       "record is three files, NAME.hea, NAME.let and NAME.rit, read from one folder by "
				       "insoled --analyze NAME.hea"),
		      "%s", rep.body);
	/* a name that would break a message or a log line is refused, naming it */
	static const char *const bad_names[] = { "a%0Ab.csv", "%FF%FE.csv", "a%1B%5B2J.csv",
		"n123456789012345678901234567890123456789012345678901234567890.csv" };
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		snprintf(path, sizeof(path), "/api/sessions/import?subject=P-4&name=%s", bad_names[i]);
		req("POST", path, csv, "Content-Type: text/csv", NULL);
		assert_error_field(400, "name");
	}
	ck_assert_int_eq(req("POST", "/api/sessions/import?subject=P-4&footwear=again&format=insoled", csv,
			     "Content-Type: text/csv", NULL), 201);
	j = body_json();
	ck_assert_str_eq(json_string_value(json_object_get(j, "state")), "complete");
	ck_assert_str_eq(json_string_value(json_object_get(j, "footwear")), "again");
	ck_assert_int_eq(json_int_at(j, "frames"), 400);
	/* the session's source names the upload too: "upload" when the client gave no name */
	ck_assert_str_eq(json_string_value(json_object_get(j, "source")), "import:insoled:upload");
	first = json_int_at(j, "id");
	json_decref(j);
	expect_duplicate_refused(csv, first);
	ck_assert_int_eq(req("POST", "/api/sessions/import?subject=P-4&name=walk%20A.csv&duplicate=allow", csv,
			     "Content-Type: text/csv", NULL), 201);
	j = body_json();
	ck_assert_str_eq(json_string_value(json_object_get(j, "source")), "import:insoled:walk A.csv");
	ck_assert_ptr_null(json_object_get(j, "warning"));
	/* without footwear and notes given, the export's own come back as they were */
	ck_assert_str_eq(json_string_value(json_object_get(j, "footwear")), "shoe A");
	ck_assert_str_eq(json_string_value(json_object_get(j, "notes")), "first line\nsecond \\ # \"q\"\tend, ");
	json_decref(j);
	/* its last line ended by CR alone (the LF lost with the end of a copy): whole, no warning */
	csv[strlen(csv) - 1] = '\r';
	ck_assert_int_eq(req("POST", "/api/sessions/import?subject=P-4&name=cr.csv", csv, "Content-Type: text/csv", NULL),
			 201);
	j = body_json();
	ck_assert_int_eq(json_int_at(j, "frames"), 400);
	ck_assert_ptr_null(json_object_get(j, "warning"));
	json_decref(j);
	csv[strlen(csv) - 1] = '\n';
	/* gaitpdb re-saved with decimal commas: refused saying so, naming the line and the field */
	req("POST", "/api/sessions/import?subject=P-4&name=eu.txt",
	    "0,0000\t1\t2\t3\t4\t5\t6\t7\t8\t1\t2\t3\t4\t5\t6\t7\t8\t36\t36\r\n", "Content-Type: text/plain", NULL);
	ck_assert_int_eq(rep.status, 400);
	ck_assert_msg(strstr(rep.body, "eu.txt:1: time: '0,0000' is not a number: a decimal comma?"), "%s", rep.body);
	/* cut short inside a row, as a copy broken off leaves it: the session
	 * of the frames before it, and the answer and the notes say where */
	*strrchr(csv, ',') = '\0';
	ck_assert_int_eq(req("POST", "/api/sessions/import?subject=P-4&notes=knee&name=cut.csv", csv,
			     "Content-Type: text/csv", NULL), 201);
	j = body_json();
	ck_assert_int_eq(json_int_at(j, "frames"), 399);
	ck_assert_msg(strstr(json_string_value(json_object_get(j, "warning")),
			     "cut.csv:416: truncated file: the last line has no line end; the 399 frames before it "
			     "were imported") != NULL, "%s", json_string_value(json_object_get(j, "warning")));
	ck_assert_str_eq(json_string_value(json_object_get(j, "notes")),
			 "Imported from a damaged file: cut.csv:416: truncated file: the last line has no line end; "
			 "the 399 frames before it were imported | knee");
	json_decref(j);
	/* nothing good before the damage: refused, no empty session */
	req("POST", "/api/sessions/import?subject=P-4&name=bad.csv", "# insoled frames export\n# format_version: 9\n",
	    "Content-Type: text/csv", NULL);
	ck_assert_int_eq(rep.status, 400);
}
END_TEST

/* A gaitndd record sent as its three files in one form is one session;
 * a form of one file is imported as that file sent as the body. */
START_TEST(a_gaitndd_record_imports_as_the_three_files_of_a_form)
{
	static const char hea[] = "walk 2 300 6000\r\nwalk.let 212 1000 12 0\r\nwalk.rit 212 1000 12 0\r\n";
	static unsigned char let[TEST_NDD_BYTES], rit[TEST_NDD_BYTES];
	struct form_file rec[] = { { "walk.hea", hea, 0 }, { "walk.let", let, 0 }, { "walk.rit", rit, 0 } };
	struct form_file again[] = { rec[2], rec[0], rec[1] };
	struct form_file renamed[] = { { "w2.hea", hea, 0 }, { "w2.let", let, 0 }, { "w2.rit", rit, 0 } };
	struct form_file caps[] = { { "WALK.HEA", hea, 0 }, { "WALK.LET", let, 0 }, { "WALK.RIT", rit, 0 } };
	struct form_file cut[] = { { "cut.hea", hea, 0 }, { "cut.let", let, 0 }, { "cut.rit", rit, 0 } };
	struct form_file pdb[] = { { "GaCo99_01.txt", NULL, 0 } };
	static char rows[64 * 300];
	int64_t id;
	json_t *j;

	rec[1].len = renamed[1].len = again[2].len = caps[1].len = test_ndd_walk(0, let);
	rec[2].len = renamed[2].len = again[0].len = caps[2].len = test_ndd_walk(1, rit);
	cut[1].len = rec[1].len;
	cut[2].len = rec[2].len / 2;
	ck_assert_int_eq(post_form("/api/sessions/import?subject=P-9&format=gaitndd", rec, 3), 201);
	j = body_json();
	ck_assert_str_eq(json_string_value(json_object_get(j, "source")), "import:gaitndd:walk.hea");
	ck_assert_int_eq(json_int_at(j, "frames"), 2 * TEST_NDD_SAMPLES);
	ck_assert_int_eq(json_int_at(j, "steps"), 34);
	id = json_int_at(j, "id");
	json_decref(j);

	/* the same record, its files in another order: already stored */
	post_form("/api/sessions/import?subject=P-9", again, 3);
	assert_error_field(409, "duplicate");
	j = body_json();
	ck_assert_int_eq(json_int_at(json_object_get(j, "existing"), "id"), id);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "existing"), "name")), "walk.hea");
	/* a gaitndd header gives no date: the session is dated when it was imported */
	ck_assert(json_is_false(json_object_get(json_object_get(j, "existing"), "start_from_file")));
	json_decref(j);
	/* part of a record, a signal file alone, files its header does not name */
	post_form("/api/sessions/import?subject=P-9", rec, 2);
	assert_error_field(400, "body");
	ck_assert_msg(strstr(rep.body, "\"walk.hea: the gaitndd record walk lacks the right foot's walk.rit: a record is "
				       "three files, NAME.hea, NAME.let and NAME.rit, read from one folder by insoled "
				       "--analyze NAME.hea or sent together in one upload\""), "%s", rep.body);
	post_form("/api/sessions/import?subject=P-9", rec, 1);
	ck_assert_int_eq(rep.status, 400);
	ck_assert_msg(strstr(rep.body, "\"walk.hea:2: file name: cannot open walk.let: No such file or directory\""),
		      "%s", rep.body);
	post_form("/api/sessions/import?subject=P-9", rec + 1, 1);
	assert_error_field(400, "body");
	ck_assert_msg(strstr(rep.body, "\"walk.let: a gaitndd signal file (the left foot's samples"), "%s", rep.body);
	/* renamed on disk, the header still naming walk.let and walk.rit: the
	 * files of its own name are read, the same record as before; its header
	 * states no checksums, which the import's warning says */
	post_form("/api/sessions/import?subject=P-9", renamed, 3);
	assert_error_field(409, "duplicate");
	ck_assert_int_eq(post_form("/api/sessions/import?subject=P-9&duplicate=allow", renamed, 3), 201);
	j = body_json();
	ck_assert_int_eq(json_int_at(j, "steps"), 34);
	ck_assert_msg(strstr(json_string_value(json_object_get(j, "warning")),
			     "w2.let read for the header's walk.let, which states no checksum to confirm it is this "
			     "record's; w2.rit read for the header's walk.rit"), "%s", rep.body);
	json_decref(j);
	/* a signal file cut short: the session of the samples before the cut, and why it ends */
	ck_assert_int_eq(post_form("/api/sessions/import?subject=P-9", cut, 3), 201);
	j = body_json();
	ck_assert_int_eq(json_int_at(j, "frames"), 2 * (TEST_NDD_BYTES / 2 / 3 * 2));
	ck_assert_msg(strstr(json_string_value(json_object_get(j, "warning")), "cut.rit: truncated: "), "%s", rep.body);
	json_decref(j);
	/* copied from a disk that keeps no case: the files its header names, in capitals */
	ck_assert_int_eq(post_form("/api/sessions/import?subject=P-9&duplicate=allow", caps, 3), 201);
	j = body_json();
	ck_assert_str_eq(json_string_value(json_object_get(j, "source")), "import:gaitndd:WALK.HEA");
	ck_assert_int_eq(json_int_at(j, "steps"), 34);
	json_decref(j);

	/* one file: as the body, named by the form unless the query names it */
	for (int i = 0, o = 0; i < 300; i++)
		o += snprintf(rows + o, sizeof rows - (size_t)o, "%d.%02d\t1\t2\t3\t4\t5\t6\t7\t8\t1\t2\t3\t4\t5\t6\t7\t8"
			      "\t36\t36\n", i / 100, i % 100);
	pdb[0].data = rows;
	ck_assert_int_eq(post_form("/api/sessions/import?subject=P-9", pdb, 1), 201);
	j = body_json();
	ck_assert_str_eq(json_string_value(json_object_get(j, "source")), "import:gaitpdb:GaCo99_01.txt");
	json_decref(j);
	ck_assert_int_eq(post_form("/api/sessions/import?subject=P-9&name=mine.txt&duplicate=allow", pdb, 1), 201);
	j = body_json();
	ck_assert_str_eq(json_string_value(json_object_get(j, "source")), "import:gaitpdb:mine.txt");
	json_decref(j);
	post_form("/api/sessions/import?subject=P-9&format=moticon&duplicate=allow", pdb, 1);
	assert_error_field(400, "format");
}
END_TEST

START_TEST(oversized_bodies_get_413)
{
	static char big[INS_HTTP_MAX_JSON_BODY + 100];

	memset(big, ' ', sizeof(big) - 1);
	big[0] = '{';
	big[sizeof(big) - 2] = '}';
	big[sizeof(big) - 1] = '\0';
	req("POST", "/api/sessions", big, NULL);
	assert_error_field(413, "body");
	/* chunked: no Content-Length, the limit is enforced while reading */
	req("POST", "/api/subjects", big, "Transfer-Encoding: chunked", NULL);
	assert_error_field(413, "body");
}
END_TEST

/* ---- static files and traversal ------------------------------------------ */

START_TEST(static_files_and_traversal)
{
	static const char *const attacks[] = {
		"/../secret.txt", "/..%2fsecret.txt", "/%2e%2e/secret.txt", "/%2e%2e%2fsecret.txt",
		"/%252e%252e%252fsecret.txt", "/vendor/../../secret.txt", "/vendor/%2e%2e/%2e%2e/secret.txt",
		"/escape.txt", "/..\\secret.txt", "/%5c..%5csecret.txt", "/index.html%00.js", "/./index.html/",
		"/js/", "/vendor/", "/nosuch.js", "/module.am", "/package.json", "/package-lock.json",
	};
	char etag[128] = "", hdr[160];
	const char *p;

	ck_assert_int_eq(req("GET", "/", NULL, NULL), 200);
	ck_assert_str_eq(rep.body, "<!doctype html><title>insoled</title>");
	ck_assert(has_header("Content-Type: text/html; charset=utf-8"));
	ck_assert(has_header("Cache-Control: no-cache"));
	ck_assert(has_header("Content-Security-Policy: default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"));
	ck_assert(has_header("X-Frame-Options: DENY"));
	ck_assert(has_header("X-Content-Type-Options: nosniff"));
	ck_assert(has_header("Referrer-Policy: no-referrer"));
	ck_assert_int_eq(req("GET", "/app.js", NULL, NULL), 200);
	ck_assert(has_header("Content-Type: text/javascript"));
	ck_assert(has_header("Cache-Control: public, max-age=3600"));
	p = strcasestr(rep.headers, "ETag: ");
	ck_assert_ptr_nonnull(p);
	sscanf(p + 6, "%127[^\r\n]", etag);
	snprintf(hdr, sizeof(hdr), "If-None-Match: %s", etag);
	ck_assert_int_eq(req("GET", "/app.js", NULL, hdr, NULL), 304);
	ck_assert_int_eq(req("GET", "/vendor/uplot.js", NULL, NULL), 200);
	ck_assert_str_eq(rep.body, "/* uplot */\n");
	req("POST", "/index.html", "{}", NULL);
	ck_assert_int_eq(rep.status, 405);
	for (size_t i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++) {
		long st = req("GET", attacks[i], NULL, NULL);

		ck_assert_msg(st == 400 || st == 404, "%s -> %ld", attacks[i], st);
		ck_assert_msg(!strstr(rep.body, "patient data"), "%s leaked the file", attacks[i]);
	}
}
END_TEST

/* ---- access control ---------------------------------------------------------- */

START_TEST(token_bearer_cookie_origin)
{
	char cookie[200] = "", hdr[240];
	const char *p;

	req("GET", "/api/status", NULL, NULL);
	assert_error_field(401, NULL);
	ck_assert(has_header("WWW-Authenticate: Bearer"));
	req("GET", "/api/status", NULL, "Authorization: Bearer wrong", NULL);
	assert_error_field(401, "Authorization");
	req("GET", "/api/nothing", NULL, NULL);
	ck_assert_int_eq(rep.status, 401);
	ck_assert_int_eq(req("GET", "/api/status", NULL, "Authorization: Bearer " TEST_TOKEN, NULL), 200);
	ck_assert_int_eq(req("GET", "/", NULL, NULL), 200); /* dashboard files need no token */
	/* uploads are refused before the body is read */
	req("POST", "/api/sessions/import?subject=x", "data", "Content-Type: text/csv", NULL);
	ck_assert_int_eq(rep.status, 401);

	req("POST", "/api/login", "{\"token\":\"nope\"}", NULL);
	assert_error_field(401, "token");
	ck_assert_int_eq(req("POST", "/api/login", "{\"token\":\"" TEST_TOKEN "\"}", NULL), 200);
	ck_assert(has_header("HttpOnly"));
	ck_assert(has_header("SameSite=Strict"));
	p = strcasestr(rep.headers, "Set-Cookie: ");
	ck_assert_ptr_nonnull(p);
	sscanf(p + 12, "%199[^;]", cookie);
	snprintf(hdr, sizeof(hdr), "Cookie: %s", cookie);
	ck_assert_int_eq(req("GET", "/api/status", NULL, hdr, NULL), 200);
	req("GET", "/api/status", NULL, "Cookie: insoled_session=0000", NULL);
	ck_assert_int_eq(rep.status, 401);

	/* state-changing requests from another origin are refused */
	req("POST", "/api/calibration/tare", "{\"foot\":\"left\"}", hdr, "Origin: http://evil.example", NULL);
	assert_error_field(403, "Origin");
	req("POST", "/api/calibration/tare", "{\"foot\":\"left\"}", hdr, "Sec-Fetch-Site: cross-site", NULL);
	assert_error_field(403, "Sec-Fetch-Site");
	snprintf(hdr + strlen(hdr), sizeof(hdr) - strlen(hdr), "%s", "");
	{
		char origin[96];

		snprintf(origin, sizeof(origin), "Origin: %s", fx.base);
		ck_assert_int_eq(req("POST", "/api/calibration/tare", "{\"foot\":\"left\"}", hdr, origin, NULL), 200);
	}
	ck_assert_int_eq(req("POST", "/api/logout", NULL, hdr, NULL), 200);
	req("GET", "/api/status", NULL, hdr, NULL);
	ck_assert_int_eq(rep.status, 401);
}
END_TEST

START_TEST(wrong_tokens_are_logged_and_slowed_per_address)
{
	const char *retry;
	unsigned wait_s = 0;

	for (int i = 0; i < INS_HTTP_AUTH_FAIL_FREE + 1; i++) {
		req("GET", "/api/status", NULL, "Authorization: Bearer 00000000000000000000000000000000", NULL);
		assert_error_field(401, "Authorization");
	}
	/* now the address waits; the right token is not even compared */
	req("GET", "/api/status", NULL, "Authorization: Bearer " TEST_TOKEN, NULL);
	assert_error_field(429, NULL);
	retry = strcasestr(rep.headers, "Retry-After: ");
	ck_assert_ptr_nonnull(retry);
	ck_assert_int_eq(sscanf(retry + 13, "%u", &wait_s), 1);
	ck_assert_uint_ge(wait_s, 1);
	req("POST", "/api/login", "{\"token\":\"" TEST_TOKEN "\"}", NULL);
	assert_error_field(429, NULL);
	sleep(wait_s + 1);
	ck_assert_int_eq(req("GET", "/api/status", NULL, "Authorization: Bearer " TEST_TOKEN, NULL), 200);
	/* success forgets the failures */
	req("GET", "/api/status", NULL, "Authorization: Bearer 00000000000000000000000000000000", NULL);
	assert_error_field(401, "Authorization");
}
END_TEST

/* Wrong tokens from addresses one host can pick at will (any in its IPv6
 * /64) count together; another /64, or an IPv4 address, has its own count;
 * an IPv4-mapped address is the IPv4 address. */
static unsigned wrong_token_from(struct ins_http *http, const char *addr)
{
	static const char *const wrong[] = { "Authorization: Bearer 00000000000000000000000000000000", NULL };
	struct http_request req;
	struct http_response resp;
	unsigned status;

	ck_assert_uint_eq(parse("/api/status", &req), 0);
	req.method = INS_HTTP_GET;
	req.header = fake_header;
	req.header_ctx = (void *)(uintptr_t)wrong;
	req.client_addr = addr;
	memset(&resp, 0, sizeof(resp));
	http_dispatch(http, &req, &resp);
	status = resp.status;
	http_response_clear(&resp);
	http_request_clear(&req);
	return status;
}

START_TEST(wrong_tokens_count_per_ipv6_block)
{
	struct ins_http_config cfg = { .bind_addr = "127.0.0.1", .token = TEST_TOKEN };
	char err[256], addr[64];
	struct ins_http *http = http_core_new(&cfg, NULL, NULL, NULL, err, sizeof(err));

	ck_assert_msg(http, "%s", err);
	for (int i = 0; i <= INS_HTTP_AUTH_FAIL_FREE; i++) {
		snprintf(addr, sizeof(addr), "2001:db8:1:2:%x::%x", i * 7, i + 1);
		ck_assert_uint_eq(wrong_token_from(http, addr), 401);
	}
	ck_assert_uint_eq(wrong_token_from(http, "2001:db8:1:2:ffff:1:2:3"), 429);
	ck_assert_uint_eq(wrong_token_from(http, "2001:db8:1:3::1"), 401);
	for (int i = 0; i <= INS_HTTP_AUTH_FAIL_FREE; i++)
		ck_assert_uint_eq(wrong_token_from(http, "192.0.2.7"), 401);
	ck_assert_uint_eq(wrong_token_from(http, "::ffff:192.0.2.7"), 429);
	ck_assert_uint_eq(wrong_token_from(http, "192.0.2.8"), 401);
	http_core_free(http);
}
END_TEST

START_TEST(weak_tokens_are_refused)
{
	struct ins_http_config cfg = { .bind_addr = "0.0.0.0" };
	static const char *const weak[] = { "a", " ", "s3cret-token", "0123456789abcdef0123456789abcde",
					    "correct horse battery staple",
					    /* long, but a character or a few repeated */
					    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
					    "abcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabc",
					    "Passw0rdPassw0rdPassw0rdPassw0rdPassw0rd" };
	char err[300];
	struct ins_http *h;

	for (size_t i = 0; i < sizeof(weak) / sizeof(weak[0]); i++) {
		cfg.token = weak[i];
		h = http_core_new(&cfg, NULL, NULL, NULL, err, sizeof(err));
		ck_assert_msg(!h, "token '%s' accepted", weak[i]);
		ck_assert_msg(strstr(err, "--gen-token"), "%s", err);
	}
	ck_assert_double_ge(http_token_bits(TEST_TOKEN), INS_HTTP_TOKEN_MIN_BITS);
	ck_assert_double_ge(http_token_bits("Zq3_vX9-kP2mL8nR4tW7yB"), INS_HTTP_TOKEN_MIN_BITS); /* base64url */
	ck_assert_double_eq(http_token_bits("abc def"), 0);
	cfg.token = TEST_TOKEN;
	h = http_core_new(&cfg, NULL, NULL, NULL, err, sizeof(err));
	ck_assert_msg(h, "%s", err);
	http_core_free(h);
}
END_TEST

/* ---- SSE ---------------------------------------------------------------------- */

struct sse_client {
	pthread_t thread;
	char path[64];
	char last_event_id[32];
	pthread_mutex_t lock;
	char buf[1 << 16];
	size_t len;
	unsigned steps_seen, frames_seen;
	int64_t step_seen_us;
	atomic_int stop;
};

static size_t sse_on_data(char *p, size_t size, size_t n, void *ud)
{
	struct sse_client *c = ud;
	size_t len = size * n;

	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i + 11 <= len; i++) {
		if (memcmp(p + i, "event: step", 11) == 0) {
			c->steps_seen++;
			c->step_seen_us = ins_mono_us();
		}
		if (i + 12 <= len && memcmp(p + i, "event: frame", 12) == 0)
			c->frames_seen++;
	}
	if (c->len + len < sizeof(c->buf)) {
		memcpy(c->buf + c->len, p, len);
		c->len += len;
		c->buf[c->len] = '\0';
	}
	pthread_mutex_unlock(&c->lock);
	return len;
}

static int sse_progress(void *ud, curl_off_t a, curl_off_t b, curl_off_t c2, curl_off_t d)
{
	return atomic_load(&((struct sse_client *)ud)->stop);
}

/* Counters the client thread updates, read under its lock. */
static unsigned sse_steps(struct sse_client *c, int64_t *last_us)
{
	unsigned n;

	pthread_mutex_lock(&c->lock);
	n = c->steps_seen;
	if (last_us)
		*last_us = c->step_seen_us;
	pthread_mutex_unlock(&c->lock);
	return n;
}

static unsigned sse_frames(struct sse_client *c)
{
	unsigned n;

	pthread_mutex_lock(&c->lock);
	n = c->frames_seen;
	pthread_mutex_unlock(&c->lock);
	return n;
}

static void *sse_main(void *arg)
{
	struct sse_client *c = arg;
	CURL *h = curl_easy_init();
	struct curl_slist *hs = NULL;
	char url[128], hdr[64];

	snprintf(url, sizeof(url), "%s/api/live/stream", fx.base);
	if (c->last_event_id[0]) {
		snprintf(hdr, sizeof(hdr), "Last-Event-ID: %s", c->last_event_id);
		hs = curl_slist_append(hs, hdr);
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hs);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sse_on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, sse_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, c);
	curl_easy_perform(h);
	curl_slist_free_all(hs);
	curl_easy_cleanup(h);
	return NULL;
}

static void sse_start(struct sse_client *c, const char *last_event_id)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	if (last_event_id)
		snprintf(c->last_event_id, sizeof(c->last_event_id), "%s", last_event_id);
	ck_assert_int_eq(pthread_create(&c->thread, NULL, sse_main, c), 0);
}

static void sse_stop(struct sse_client *c)
{
	atomic_store(&c->stop, 1);
	pthread_join(c->thread, NULL);
}

static int wait_clients(uint64_t n)
{
	struct ins_live_stats st;

	for (int64_t start = ins_mono_us(); ins_mono_us() - start < HANG_GUARD_US;) {
		ins_live_get_stats(fx.live, &st);
		if (st.clients == n)
			return 1;
		usleep(10000);
	}
	return 0;
}

/* Each step event must arrive.  The SSE clock stands still, so nothing
 * but the wake-up can deliver it: a lost wake-up waits forever (until the
 * hang guard).  How fast delivery is, is a benchmark figure (make bench). */
#define SSE_STEPS 9
START_TEST(sse_delivers_every_step_and_resumes)
{
	struct sse_client c, resumed;
	char *p;

	sse_start(&c, NULL);
	ck_assert(wait_clients(1));
	usleep(50000); /* let the stream park (suspend) first: the path that matters */
	for (uint32_t i = 0; i < SSE_STEPS; i++) {
		struct ins_step s = make_step(INS_FOOT_LEFT, i, 650);
		unsigned before = sse_steps(&c, NULL);
		int64_t published = ins_mono_us();

		ins_live_publish_step(fx.live, &s);
		while (sse_steps(&c, NULL) == before && ins_mono_us() - published < HANG_GUARD_US)
			usleep(1000);
		ck_assert_msg(sse_steps(&c, NULL) == before + 1, "step event %u never delivered", i);
		usleep(30000); /* the stream parks again between steps */
	}
	pthread_mutex_lock(&c.lock);
	ck_assert_int_eq(strncmp(c.buf, "retry: 1000\n\n", 13), 0);
	p = strstr(c.buf, "event: step\ndata: {\"foot\":\"left\",\"index\":0,");
	pthread_mutex_unlock(&c.lock);
	ck_assert_ptr_nonnull(p);

	/* A browser that saw the second step event reconnects: it gets the
	 * last three at once. */
	{
		uint64_t newest = ins_live_wait(fx.live, UINT64_MAX, 0);
		char last[32], want[96];

		snprintf(last, sizeof(last), "%llu", (unsigned long long)newest - 3);
		snprintf(want, sizeof(want), "retry: 1000\n\nid: %llu\nevent: step\n", (unsigned long long)newest - 2);
		sse_start(&resumed, last);
		for (int k = 0; k < 1000 && sse_steps(&resumed, NULL) < 3; k++)
			usleep(1000);
		ck_assert_uint_eq(sse_steps(&resumed, NULL), 3);
		pthread_mutex_lock(&resumed.lock);
		ck_assert_msg(strstr(resumed.buf, want) != NULL, "%.300s", resumed.buf);
		pthread_mutex_unlock(&resumed.lock);
	}
	sse_stop(&resumed);
	sse_stop(&c);
}
END_TEST

/* A raw client with a tiny receive window that never reads. */
static int stalled_client(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), small = 4096;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(ins_http_port(fx.http)) };
	static const char get[] = "GET /api/live/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(write(fd, get, sizeof(get) - 1), (ssize_t)(sizeof(get) - 1));
	return fd;
}

/* Frames at about 30 events/s until the server has dropped the stalled
 * client, however long its stall timeout takes on this machine; returns
 * the frame time reached. */
static int64_t publish_until_stalled_dropped(void)
{
	struct ins_live_stats st;
	int64_t start = ins_mono_us(), t = 0;

	do {
		publish_left_frame(500.0f, t);
		t += 10000;
		usleep(10000);
		ins_live_get_stats(fx.live, &st);
	} while (st.clients != 1 && ins_mono_us() - start < HANG_GUARD_US);
	ck_assert_uint_eq(st.clients, 1);
	return t;
}

/* The stalled socket's buffers fill, its connection times out (libmicro-
 * httpd's timeout, the configured stall time) and is closed; the healthy
 * client keeps receiving before and after. */
START_TEST(stalled_sse_client_is_dropped_while_others_keep_receiving)
{
	struct sse_client healthy;
	int stalled = stalled_client();
	unsigned frames_before;
	int64_t t, start;
	char drain[65536];
	ssize_t n;

	sse_start(&healthy, NULL);
	ck_assert(wait_clients(2));
	t = publish_until_stalled_dropped();
	frames_before = sse_frames(&healthy);
	ck_assert_uint_gt(frames_before, 0);
	start = ins_mono_us();
	for (int i = 0; sse_frames(&healthy) <= frames_before + 15 && ins_mono_us() - start < HANG_GUARD_US; i++) {
		publish_left_frame(500.0f, t + i * 40000);
		usleep(40000);
	}
	ck_assert_uint_gt(sse_frames(&healthy), frames_before + 15);
	/* the stalled socket was closed by the server: draining ends in EOF or
	 * reset (the live state forgets the client before libmicrohttpd's
	 * thread has closed its socket, so the end may still be on its way) */
	start = ins_mono_us();
	do {
		struct pollfd pfd = { .fd = stalled, .events = POLLIN };

		if (poll(&pfd, 1, 100) > 0) {
			n = recv(stalled, drain, sizeof(drain), MSG_DONTWAIT);
		} else {
			n = -1;
			errno = EAGAIN; /* nothing yet */
		}
	} while ((n > 0 || (n < 0 && errno != ECONNRESET)) && ins_mono_us() - start < HANG_GUARD_US);
	ck_assert_msg(n == 0 || (n < 0 && errno == ECONNRESET), "stalled client still connected (n=%zd errno=%d)", n,
		      errno);
	close(stalled);
	{
		json_t *j, *live;

		ck_assert_int_eq(req("GET", "/api/status", NULL, NULL), 200);
		j = body_json();
		live = json_object_get(j, "live");
		ck_assert_int_eq(json_int_at(live, "clients_dropped_stalled"), 1);
		ck_assert_int_ge(json_int_at(live, "clients_dropped"), 1);
		json_decref(j);
	}
	sse_stop(&healthy);
}
END_TEST

/* ---- the session list's short-lived answers ------------------------------------- */

static json_t *session_list(const char *query)
{
	char path[128];

	snprintf(path, sizeof(path), "/api/sessions%s", query);
	ck_assert_int_eq(req("GET", path, NULL, NULL), 200);
	return body_json();
}

static const char *first_state(json_t *list)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(list, "sessions"), 0), "state"));
}

/* Reused answers never hide a change made through the API, whichever
 * filter asked; counts written by the recording itself show within the
 * reuse window. */
START_TEST(session_list_shows_every_change_at_once)
{
	json_t *j;
	int64_t id;
	char path[64];
	int64_t until;

	j = session_list("");
	ck_assert_int_eq(json_int_at(j, "total"), 0);
	json_decref(j);
	id = start_session("P-7", "shoe A");
	j = session_list("");
	ck_assert_int_eq(json_int_at(j, "total"), 1);
	ck_assert_str_eq(first_state(j), "recording");
	json_decref(j);
	j = session_list("?subject=P-7");
	ck_assert_int_eq(json_int_at(j, "total"), 1);
	json_decref(j);
	record_frames(id, 50);
	until = ins_mono_us() + 10000000;
	do {
		j = session_list("");
		if (json_int_at(json_array_get(json_object_get(j, "sessions"), 0), "frames") == 100)
			break;
		json_decref(j);
		j = NULL;
		usleep(50000);
	} while (ins_mono_us() < until);
	ck_assert_msg(j, "the recording's frame count never showed in the list");
	json_decref(j);
	stop_session(id);
	j = session_list("");
	ck_assert_str_eq(first_state(j), "complete");
	json_decref(j);
	snprintf(path, sizeof(path), "/api/sessions/%lld", (long long)id);
	ck_assert_int_eq(req("DELETE", path, NULL, NULL), 200);
	j = session_list("");
	ck_assert_int_eq(json_int_at(j, "total"), 0);
	json_decref(j);
	j = session_list("?subject=P-7");
	ck_assert_int_eq(json_int_at(j, "total"), 0);
	json_decref(j);
}
END_TEST

/* ---- long requests on the worker pool --------------------------------------------- */

static void *post_scale(void *arg)
{
	CURL *c = curl_easy_init();
	struct curl_slist *hs = curl_slist_append(NULL, "Content-Type: application/json");
	char url[128];
	long *status = arg;

	snprintf(url, sizeof(url), "%s/api/calibration/body-weight-scale", fx.base);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, "{\"foot\":\"left\"}");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body_discard);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(hs);
	curl_easy_cleanup(c);
	return NULL;
}

/* More long requests than the server has network threads, all blocked in
 * their work: cheap requests are still answered (while the long ones are
 * provably still running), and the long ones finish once released. */
START_TEST(long_requests_leave_the_network_threads_free)
{
	enum { LONG = 4 }; /* the fixture runs 2 network threads */
	pthread_t t[LONG];
	long status[LONG] = { 0 };
	int64_t t0, worst = 0;

	slow_hook.released = 0;
	for (int i = 0; i < LONG; i++)
		pthread_create(&t[i], NULL, post_scale, &status[i]);
	pthread_mutex_lock(&slow_hook.lock);
	while (slow_hook.waiting < LONG)
		pthread_cond_wait(&slow_hook.cond, &slow_hook.lock);
	pthread_mutex_unlock(&slow_hook.lock);
	for (int i = 0; i < 20; i++) {
		t0 = ins_mono_us();
		ck_assert_int_eq(req("GET", "/api/metrics", NULL, NULL), 200);
		if (ins_mono_us() - t0 > worst)
			worst = ins_mono_us() - t0;
	}
	ck_assert_int_eq(req("GET", "/api/status", NULL, NULL), 200);
	pthread_mutex_lock(&slow_hook.lock);
	ck_assert_int_eq(slow_hook.waiting, LONG); /* the GETs did not wait for them */
	slow_hook.released = 1;
	pthread_cond_broadcast(&slow_hook.cond);
	pthread_mutex_unlock(&slow_hook.lock);
	for (int i = 0; i < LONG; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(status[i], 200);
	}
	fprintf(stderr, "GET /api/metrics beside %d long requests: slowest of 20 took %.1f ms\n", LONG, worst / 1e3);
}
END_TEST

/* ---- raw sockets ------------------------------------------------------------------ */

static int raw_connect(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(ins_http_port(fx.http)) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* Sends a raw request and reads until the server closes (or 5 s pass). */
static size_t raw_exchange(const char *request, char *out, size_t len, int *closed)
{
	int fd = raw_connect();
	size_t got = 0;
	int64_t until = ins_mono_us() + 5000000;
	ssize_t n = 0;

	ck_assert_int_eq(write(fd, request, strlen(request)), (ssize_t)strlen(request));
	while (got + 1 < len && ins_mono_us() < until) {
		n = recv(fd, out + got, len - 1 - got, MSG_DONTWAIT);
		if (n > 0)
			got += (size_t)n;
		else if (n == 0 || errno != EAGAIN)
			break;
		else
			usleep(5000);
	}
	out[got] = '\0';
	*closed = n == 0 || (n < 0 && errno != EAGAIN);
	close(fd);
	return got;
}

/* The session list of one lane, of every lane, after a change made
 * through another route: each answer is the list its route asks for, never
 * another route's or one from before the change (the lists are cached). */
static int64_t list_total(struct ins_http *http, const char *target)
{
	struct http_response resp;
	json_t *j;
	int64_t total;

	ck_assert_uint_eq(dispatch(http, INS_HTTP_GET, target, NULL, NULL, &resp), 200);
	j = json_loadb(resp.body, resp.len, 0, NULL);
	total = json_int_at(j, "total");
	json_decref(j);
	http_response_clear(&resp);
	return total;
}

START_TEST(lane_lists_are_their_own_and_fresh)
{
	struct ins_http_lane lanes[2] = { { "t1", NULL, { 0 } }, { "t2", NULL, { 0 } } };
	struct ins_http_config cfg = { .bind_addr = "127.0.0.1", .lanes = lanes, .n_lanes = 2 };
	struct ins_session_meta meta = { .subject = "L", .layout = { "fsr16", "fsr16" } };
	struct ins_error e;
	struct http_response resp;
	char err[200], path[64];
	int64_t id[2];
	struct ins_http *http = http_core_new(&cfg, fx.store, NULL, NULL, err, sizeof(err));

	ck_assert_msg(http, "%s", err);
	for (int i = 0; i < 2; i++) {
		meta.lane = lanes[i].name;
		ck_assert_msg(ins_store_session_start(fx.store, &meta, &id[i], &e) == 0, "%s", e.msg);
		ck_assert_int_eq(ins_store_session_stop(fx.store, id[i], &e), 0);
	}
	ck_assert_int_eq(list_total(http, "/api/sessions"), 2);
	ck_assert_int_eq(list_total(http, "/api/lanes/t1/sessions"), 1);
	ck_assert_int_eq(list_total(http, "/api/sessions"), 2);
	ck_assert_int_eq(list_total(http, "/api/lanes/t2/sessions"), 1);
	snprintf(path, sizeof(path), "/api/sessions/%lld", (long long)id[1]);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_DELETE, path, NULL, NULL, &resp), 200);
	http_response_clear(&resp);
	ck_assert_int_eq(list_total(http, "/api/lanes/t2/sessions"), 0);
	http_core_free(http);
}
END_TEST

/* ---- Host, framing ------------------------------------------------------------------ */

START_TEST(host_must_name_this_machine_without_a_token)
{
	static char out[1 << 16];
	char origin[96], host[64];
	int closed;
	static const char *const ok_hosts[] = { "Host: localhost", "Host: localhost.:8080", "Host: 127.0.0.1",
						"Host: 127.0.0.1:1", "Host: [::1]:8080", "Host: LOCALHOST" };
	static const char *const bad_hosts[] = { "Host: attacker.example:8080", "Host: attacker.example",
						 "Host: 127.0.0.1.attacker.example", "Host: localhost.attacker.example",
						 "Host: [::1", "Host: a:b:c" };

	for (size_t i = 0; i < sizeof(ok_hosts) / sizeof(ok_hosts[0]); i++)
		ck_assert_msg(req("GET", "/api/sessions", NULL, ok_hosts[i], NULL) == 200, "%s", ok_hosts[i]);
	for (size_t i = 0; i < sizeof(bad_hosts) / sizeof(bad_hosts[0]); i++) {
		req("GET", "/api/sessions", NULL, bad_hosts[i], NULL);
		assert_error_field(421, "Host");
	}
	/* a rebinding page sends its own name as Host and Origin alike */
	snprintf(host, sizeof(host), "Host: attacker.example:%u", ins_http_port(fx.http));
	snprintf(origin, sizeof(origin), "Origin: http://attacker.example:%u", ins_http_port(fx.http));
	req("POST", "/api/subjects", "{\"code\":\"X-1\"}", host, origin, NULL);
	assert_error_field(421, "Host");
	req("DELETE", "/api/sessions/1", NULL, host, origin, NULL);
	assert_error_field(421, "Host");
	req("GET", "/", NULL, host, NULL);
	ck_assert_int_eq(rep.status, 421);
	/* HTTP/1.1 names exactly one Host: none, or two, is refused */
	raw_exchange("GET /api/sessions HTTP/1.1\r\nHost: localhost\r\nHost: attacker.example\r\n\r\n", out,
		     sizeof(out), &closed);
	ck_assert_msg(strncmp(out, "HTTP/1.1 400", 12) == 0 && strstr(out, "\"field\":\"Host\""), "%s", out);
	raw_exchange("GET /api/sessions HTTP/1.1\r\n\r\n", out, sizeof(out), &closed);
	ck_assert_msg(strncmp(out, "HTTP/1.1 400", 12) == 0 && strstr(out, "\"field\":\"Host\""), "%s", out);
	/* HTTP/1.0 tools send none */
	raw_exchange("GET /api/sessions HTTP/1.0\r\n\r\n", out, sizeof(out), &closed);
	ck_assert_msg(strncmp(out, "HTTP/1.1 200", 12) == 0, "%s", out);
}
END_TEST

static unsigned count_of(const char *hay, const char *needle)
{
	unsigned n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* HEAD of a streamed download: the headers of its GET, then nothing, so a
 * request sent behind it on the same connection is never mistaken for
 * part of its answer. */
START_TEST(head_of_a_download_sends_no_body)
{
	static char out[1 << 16];
	char request[512];
	int64_t id = start_session("P-9", "shoe");
	const char *end;
	int closed;

	stop_session(id);
	snprintf(request, sizeof(request),
		 "HEAD /api/sessions/%lld/export/steps.csv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
		 "GET /api/metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", (long long)id);
	raw_exchange(request, out, sizeof(out), &closed);
	ck_assert_msg(strncmp(out, "HTTP/1.1 200", 12) == 0, "%.300s", out);
	ck_assert_msg(strcasestr(out, "Content-Disposition: attachment"), "%.600s", out);
	end = strstr(out, "\r\n\r\n");
	ck_assert_ptr_nonnull(end);
	/* nothing after the header block but, at most, the next answer */
	ck_assert_msg(end[4] == '\0' || strncmp(end + 4, "HTTP/1.1 ", 9) == 0, "after the headers: %.40s", end + 4);
}
END_TEST

/* The header sizes docs/api.md promises ("memory per connection"): a
 * header block of 7 KiB and a Cookie of 3.5 KiB are answered, 8 KiB and
 * a 4 KiB Cookie (counted twice by libmicrohttpd's cookie parser) get 431. */
static const char *status_with_header(const char *name, size_t value_len, char *out, size_t outlen)
{
	static char req[16 << 10];
	int closed;

	snprintf(req, sizeof(req), "GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n%s: a=%0*d\r\n\r\n", name,
		 (int)value_len - 2, 0);
	raw_exchange(req, out, outlen, &closed);
	return out;
}

START_TEST(request_headers_up_to_the_documented_sizes_are_answered)
{
	static char out[1 << 16];

	ck_assert_msg(strncmp(status_with_header("X-Big", 7 << 10, out, sizeof(out)), "HTTP/1.1 200", 12) == 0,
		      "%.200s", out);
	ck_assert_msg(strncmp(status_with_header("Cookie", 3584, out, sizeof(out)), "HTTP/1.1 200", 12) == 0,
		      "%.200s", out);
	ck_assert_msg(strncmp(status_with_header("X-Big", 8 << 10, out, sizeof(out)), "HTTP/1.1 431", 12) == 0,
		      "%.200s", out);
	ck_assert_msg(strncmp(status_with_header("Cookie", 4 << 10, out, sizeof(out)), "HTTP/1.1 431", 12) == 0,
		      "%.200s", out);
}
END_TEST

START_TEST(ambiguous_framing_is_refused_and_the_connection_closed)
{
	static const char two_lengths[] =
		"POST /api/subjects HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
		"Content-Length: 2\r\nContent-Length: 40\r\n\r\n{}GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
	static const char length_and_chunked[] =
		"POST /api/subjects HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
		"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n";
	static char out[1 << 16], big[48 << 10];
	int closed;

	raw_exchange(two_lengths, out, sizeof(out), &closed);
	ck_assert_msg(strncmp(out, "HTTP/1.1 400", 12) == 0 && closed, "%s", out);
	ck_assert_uint_eq(count_of(out, "HTTP/1.1 "), 1); /* the smuggled GET was not answered */
	ck_assert_msg(strstr(out, "Content-Length: sent more than once"), "%s", out);
	raw_exchange(length_and_chunked, out, sizeof(out), &closed);
	ck_assert_msg(strncmp(out, "HTTP/1.1 400", 12) == 0 && closed, "%s", out);
	ck_assert_msg(strstr(out, "Transfer-Encoding"), "%s", out);
	/* libmicrohttpd's own refusals: one status line and one header block */
	snprintf(big, sizeof(big), "GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: %0*d\r\n\r\n",
		 (int)sizeof(big) - 100, 0);
	raw_exchange(big, out, sizeof(out), &closed);
	ck_assert_msg(strncmp(out, "HTTP/1.1 431", 12) == 0, "%.200s", out);
	ck_assert_uint_eq(count_of(out, "HTTP/1.1 "), 1);
	ck_assert_uint_eq(count_of(out, "\r\n\r\n"), 1);
	/* a coding other than chunked: libmicrohttpd would wait for the close */
	raw_exchange("POST /api/subjects HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
		     "Transfer-Encoding: chunked, identity\r\n\r\n2\r\n{}\r\n0\r\n\r\n", out, sizeof(out), &closed);
	ck_assert_msg(strncmp(out, "HTTP/1.1 400", 12) == 0 && closed, "%s", out);
	ck_assert_msg(strstr(out, "only chunked"), "%s", out);
	/* "Transfer-Encoding :" is Transfer-Encoding to some servers */
	raw_exchange("POST /api/subjects HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
		     "Transfer-Encoding : chunked\r\nContent-Length: 2\r\n\r\n{}", out, sizeof(out), &closed);
	ck_assert_msg(strncmp(out, "HTTP/1.1 400", 12) == 0 && closed, "%s", out);
	ck_assert_msg(strstr(out, "not a token"), "%s", out);
	raw_exchange("GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nno colon here\r\n\r\n", out, sizeof(out),
		     &closed);
	ck_assert_msg(strncmp(out, "HTTP/1.1 400", 12) == 0, "%.200s", out);
	ck_assert_uint_eq(count_of(out, "HTTP/1.1 "), 1);
	ck_assert_uint_eq(count_of(out, "\r\n\r\n"), 1);
}
END_TEST

/* ---- connection floods ------------------------------------------------------------ */

/* Opens n connections that hold a slot the way a flood does: half send
 * nothing, half trickle the start of a request and stop. */
static void flood(int *fds, int n)
{
	static const char partial[] = "GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";

	for (int i = 0; i < n; i++) {
		fds[i] = raw_connect();
		if (i % 2)
			ck_assert_int_eq(write(fds[i], partial, sizeof(partial) - 1), (ssize_t)(sizeof(partial) - 1));
	}
}

/* A fresh client's request during a flood.  The server keeps 30 s idle
 * connections, so a slot freed only by their timeout would take 30 s: the
 * bound here is generous for a loaded machine and still far below that
 * (the real latency is a benchmark figure, make bench). */
static void fresh_client_is_answered(void)
{
	int64_t t0 = ins_mono_us();

	ck_assert_int_eq(req("GET", "/api/status", NULL, NULL), 200);
	ck_assert_msg(ins_mono_us() - t0 < 10000000, "fresh client waited %.1f s", (ins_mono_us() - t0) / 1e6);
}

static int closed_by_server(int fd)
{
	char buf[4096];
	ssize_t n;
	int64_t until = ins_mono_us() + 10000000;

	do {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == EAGAIN)
			usleep(10000);
	} while ((n > 0 || (n < 0 && errno == EAGAIN)) && ins_mono_us() < until);
	return n == 0 || (n < 0 && errno == ECONNRESET);
}

/* /api/status once the server holds at most `bound` connections.  A fresh
 * client's connection, closed by the client, stays counted until the server's
 * event loop sees the close, which on a slow (sanitizer) build can come after
 * the next request is already in. */
static json_t *status_once_connections_settle(int64_t bound)
{
	int64_t until = ins_mono_us() + 10000000;
	json_t *j;

	for (;;) {
		ck_assert_int_eq(req("GET", "/api/status", NULL, NULL), 200);
		j = body_json();
		if (json_int_at(json_object_get(j, "http"), "connections") <= bound || ins_mono_us() > until)
			return j;
		json_decref(j);
		usleep(50000);
	}
}

START_TEST(connection_flood_leaves_room_for_a_fresh_client)
{
	enum { LIMIT = 64 }; /* the fixture's max_connections */
	int fds[4 * LIMIT];
	json_t *j, *h;

	flood(fds, LIMIT + 1);
	fresh_client_is_answered();
	/* the connection idle longest gave way, not the newest ones */
	ck_assert(closed_by_server(fds[0]));
	flood(fds + LIMIT + 1, 3 * LIMIT - 1);
	fresh_client_is_answered();
	fresh_client_is_answered();
	j = status_once_connections_settle(LIMIT + 1);
	h = json_object_get(j, "http");
	ck_assert_int_eq(json_int_at(h, "connection_limit"), LIMIT);
	ck_assert_int_ge(json_int_at(h, "connections_evicted"), 3 * LIMIT);
	ck_assert_int_le(json_int_at(h, "connections"), LIMIT + 1);
	json_decref(j);
	for (int i = 0; i < 4 * LIMIT; i++)
		close(fds[i]);
}
END_TEST

START_TEST(connections_over_the_limit_are_closed_at_once_when_all_are_busy)
{
	enum { LIMIT = 64 };
	int fds[LIMIT], extra;
	static const char get[] = "GET /api/live/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
	char buf[256];

	/* SSE streams are requests in progress: nothing to make room with */
	for (int i = 0; i < LIMIT; i++) {
		fds[i] = raw_connect();
		ck_assert_int_eq(write(fds[i], get, sizeof(get) - 1), (ssize_t)(sizeof(get) - 1));
		ck_assert_int_gt(read(fds[i], buf, sizeof(buf)), 0); /* the stream began */
	}
	extra = raw_connect();
	ck_assert(closed_by_server(extra));
	close(extra);
	for (int i = 0; i < LIMIT; i++)
		close(fds[i]);
}
END_TEST

/* Bodies trickled by someone who needs no token: a GET's or a file's
 * (never read: answered at once and closed) and a login's (the connection
 * gives way to a new client while the body comes in).  Neither holds a
 * connection busy, so a flood of them still leaves room. */
START_TEST(trickled_bodies_cannot_hold_every_connection)
{
	enum { LIMIT = 64 };
	static const char *const starts[] = {
		"GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\nx",
		"POST /app.js HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
		"Content-Length: 1000\r\n\r\n{",
		"POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
		"Content-Length: 1000\r\n\r\n{",
	};
	int fds[LIMIT + 1];
	char buf[512];
	ssize_t n;

	/* a GET's body is refused before it is read */
	fds[0] = raw_connect();
	ck_assert_int_eq(write(fds[0], starts[0], strlen(starts[0])), (ssize_t)strlen(starts[0]));
	n = read(fds[0], buf, sizeof(buf) - 1);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_msg(strncmp(buf, "HTTP/1.1 400", 12) == 0 && strstr(buf, "takes no body"), "%s", buf);
	close(fds[0]);
	for (size_t k = 0; k < sizeof(starts) / sizeof(starts[0]); k++) {
		for (int i = 0; i <= LIMIT; i++) {
			fds[i] = raw_connect();
			ck_assert_int_eq(write(fds[i], starts[k], strlen(starts[k])), (ssize_t)strlen(starts[k]));
		}
		fresh_client_is_answered();
		for (int i = 0; i <= LIMIT; i++)
			close(fds[i]);
	}
}
END_TEST

/* Uploads at once are bounded (each may fill 512 MiB of the temporary
 * directory): beyond the bound the next is refused before a byte of it is
 * read.  The four held here have been told to go on (100 Continue), so
 * the server holds their temporary files. */
START_TEST(uploads_at_once_are_bounded)
{
	enum { UPLOADS = 4 };
	static const char start[] = "POST /api/sessions/import?subject=P-5 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				    "Content-Type: text/csv\r\nExpect: 100-continue\r\nContent-Length: 100000\r\n\r\n";
	int fds[UPLOADS];
	char buf[256];
	ssize_t n;

	for (int i = 0; i < UPLOADS; i++) {
		fds[i] = raw_connect();
		ck_assert_int_eq(write(fds[i], start, sizeof(start) - 1), (ssize_t)(sizeof(start) - 1));
		n = read(fds[i], buf, sizeof(buf) - 1);
		ck_assert_int_gt(n, 0);
		buf[n] = '\0';
		ck_assert_msg(strncmp(buf, "HTTP/1.1 100", 12) == 0, "upload %d: %s", i, buf);
	}
	req("POST", "/api/sessions/import?subject=P-5", "t_us,foot\n", "Content-Type: text/csv", NULL);
	assert_error_field(503, NULL);
	ck_assert_msg(strstr(rep.body, "other uploads"), "%s", rep.body);
	for (int i = 0; i < UPLOADS; i++)
		close(fds[i]);
}
END_TEST

/* ---- HTTPS ------------------------------------------------------------------------ */

/* Whether openssl s_client completes a handshake with these options. */
static int tls_handshake(const char *options)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd),
		 "openssl s_client -connect 127.0.0.1:%u %s </dev/null 2>/dev/null | grep -q 'Cipher is [A-Z]'",
		 ins_http_port(fx.http), options);
	return system(cmd) == 0;
}

START_TEST(https_with_certificate_and_key)
{
	char dir[] = "/tmp/ins-http-tls-XXXXXX", cmd[512], cert[64], key[64], cookie_line[256] = "";
	const char *p;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout %s -out %s 2>/dev/null",
		 key, cert);
	if (system(cmd) != 0) {
		fprintf(stderr, "SKIP https_with_certificate_and_key: openssl cannot make a test certificate\n");
		return;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	start_server_tls(TEST_TOKEN, 2, cert, key);
	ck_assert_int_eq(req("GET", "/api/status", NULL, "Authorization: Bearer " TEST_TOKEN, NULL), 200);
	{
		json_t *j = body_json();

		ck_assert(json_is_true(json_object_get(json_object_get(j, "http"), "tls")));
		json_decref(j);
	}
	/* the login cookie is Secure over HTTPS */
	ck_assert_int_eq(req("POST", "/api/login", "{\"token\":\"" TEST_TOKEN "\"}", NULL), 200);
	p = strcasestr(rep.headers, "Set-Cookie: ");
	ck_assert_ptr_nonnull(p);
	sscanf(p, "%255[^\r\n]", cookie_line);
	ck_assert_msg(strstr(cookie_line, "; Secure"), "%s", cookie_line);
	/* TLS 1.2 and 1.3 with forward secrecy only */
	ck_assert_msg(tls_handshake("-tls1_3"), "TLS 1.3 refused");
	ck_assert_msg(tls_handshake("-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256"), "TLS 1.2 ECDHE refused");
	ck_assert_msg(!tls_handshake("-tls1_2 -cipher AES128-GCM-SHA256"), "plain RSA key exchange accepted");
	ck_assert_msg(!tls_handshake("-tls1_2 -cipher AES256-SHA256"), "plain RSA key exchange accepted");
	ck_assert_msg(!tls_handshake("-tls1_1 -cipher DEFAULT@SECLEVEL=0"), "TLS 1.1 accepted");
	ck_assert_msg(!tls_handshake("-tls1 -cipher DEFAULT@SECLEVEL=0"), "TLS 1.0 accepted");
	/* plain HTTP to the TLS port gets no answer */
	{
		CURL *c = curl_easy_init();
		char url[96];

		snprintf(url, sizeof(url), "http://127.0.0.1:%u/api/status", ins_http_port(fx.http));
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &rep);
		rep.len = 0;
		ck_assert_int_ne(curl_easy_perform(c), CURLE_OK);
		curl_easy_cleanup(c);
	}
	teardown();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* ---- session curves --------------------------------------------------- */

/* 10 s of the synthetic walker recorded into a session through the API:
 * GET /api/sessions/ID/curves serves the store's curves document as is;
 * unknown, malformed ids and other methods get their errors. */
START_TEST(session_curves_served_from_the_store)
{
	struct ins_error serr = { "", "" };
	char path[96], err[256] = "";
	struct ins_synth_params p;
	struct ins_synth *syn;
	uint16_t vals[INS_MAX_SENSORS];
	json_t *served, *stored;
	int64_t id;
	int rc = 0;

	ins_synth_defaults(&p);
	syn = ins_synth_new(&p, fx.layout, err, sizeof(err));
	ck_assert_msg(syn != NULL, "%s", err);
	id = start_session("P-curves", "shoe A");
	for (uint32_t k = 0; k < (uint32_t)(10 * p.rate_hz); k++)
		for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
			struct ins_frame f = { .foot = (uint8_t)foot, .n = fx.layout->n_sensors, .seq = k,
					       .host_us = ins_realtime_us(), .values = vals };

			ins_synth_next(syn, foot, vals, &f.t_us);
			f.t_dev = (uint32_t)f.t_us;
			ck_assert_int_eq(ins_store_put_frame(fx.store, id, &f), 0);
		}
	ins_synth_free(syn);
	stop_session(id);

	snprintf(path, sizeof(path), "/api/sessions/%lld/curves", (long long)id);
	ck_assert_int_eq(req("GET", path, NULL, NULL), 200);
	ck_assert(has_header("Content-Type: application/json"));
	served = body_json();
	stored = ins_store_session_curves(fx.store, id, &rc, &serr);
	ck_assert_msg(stored != NULL, "%s", serr.msg);
	ck_assert_msg(json_equal(served, stored), "served and stored curves differ");
	ck_assert_int_eq(json_int_at(served, "points"), 101);
	/* about 9 steps a foot in 10 s at the model's cadence */
	ck_assert_int_ge(json_int_at(json_object_get(served, "left"), "steps"), 5);
	ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(json_object_get(served, "right"), "force_n"),
							  "mean")), 101);
	json_decref(served);
	json_decref(stored);

	req("GET", "/api/sessions/987654/curves", NULL, NULL);
	assert_error_field(404, NULL);
	ck_assert_msg(strstr(rep.body, "session 987654 does not exist"), "%s", rep.body);
	req("GET", "/api/sessions/abc/curves", NULL, NULL);
	assert_error_field(400, "id");
	req("POST", path, NULL, NULL);
	assert_error_field(405, NULL);
	ck_assert(has_header("Allow: GET, HEAD"));
}
END_TEST

START_TEST(session_curves_without_a_database)
{
	struct ins_http_config cfg = { .bind_addr = "127.0.0.1" };
	struct http_response resp;
	struct http_route r;
	char err[200];
	struct ins_http *http = http_core_new(&cfg, NULL, NULL, NULL, err, sizeof(err));

	ck_assert_ptr_nonnull(http);
	http_route_match("/api/sessions/12/curves", &r);
	ck_assert_int_eq(r.id, INS_ROUTE_SESSION_CURVES);
	ck_assert_int_eq(r.object_id, 12);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_GET, "/api/sessions/12/curves", NULL, NULL, &resp), 503);
	ck_assert_str_eq(resp.body, "{\"error\":\"the database is not available\"}");
	http_response_clear(&resp);
	http_core_free(http);
}
END_TEST

/* POST /api/calibration/body-weight-scale through the dispatcher: the
 * hook's result comes back as the body, its refusal as 409 with its
 * reason, a bad foot as 400 naming the field, no hook as 503. */
static int scale_hook_foot = -1;

static int hook_scale(void *ctx, int foot, json_t **result, struct ins_error *err)
{
	scale_hook_foot = foot;
	if (foot == INS_FOOT_RIGHT) {
		ins_error_msg(err, "the force was not steady: stand still on the right foot alone");
		return INS_ECONFLICT;
	}
	*result = json_pack("{s:b,s:s,s:f,s:f,s:i,s:f,s:f}", "ok", 1, "foot", "left", "measured_force_n", 350.0,
			    "sd_force_n", 3.5, "frames", 201, "body_weight_n", 700.0, "scale", 2.0);
	return 0;
}

START_TEST(body_weight_scale_route)
{
	static const char *const json_hdr[] = { "Content-Type: application/json", NULL };
	struct ins_http_config cfg = { .bind_addr = "127.0.0.1" };
	struct ins_http_hooks hooks = { .body_weight_scale = hook_scale };
	struct http_response resp;
	char err[200];
	struct ins_http *http = http_core_new(&cfg, NULL, NULL, &hooks, err, sizeof(err)), *bare;
	json_t *j;

	ck_assert_msg(http, "%s", err);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_POST, "/api/calibration/body-weight-scale", json_hdr,
				   "{\"foot\":\"left\"}", &resp), 200);
	ck_assert_int_eq(scale_hook_foot, INS_FOOT_LEFT);
	j = json_loads(resp.body, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_double_eq(json_real_value(json_object_get(j, "scale")), 2.0);
	ck_assert_double_eq(json_real_value(json_object_get(j, "measured_force_n")), 350.0);
	json_decref(j);
	http_response_clear(&resp);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_POST, "/api/calibration/body-weight-scale", json_hdr,
				   "{\"foot\":\"right\"}", &resp), 409);
	ck_assert_msg(strstr(resp.body, "the force was not steady: stand still on the right foot alone"), "%s", resp.body);
	http_response_clear(&resp);
	scale_hook_foot = -1;
	ck_assert_uint_eq(dispatch(http, INS_HTTP_POST, "/api/calibration/body-weight-scale", json_hdr,
				   "{\"foot\":\"middle\"}", &resp), 400);
	ck_assert_msg(strstr(resp.body, "\"field\":\"foot\""), "%s", resp.body);
	ck_assert_int_eq(scale_hook_foot, -1);
	http_response_clear(&resp);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_POST, "/api/calibration/body-weight-scale", json_hdr,
				   "{\"foot\":\"left\",\"kg\":1}", &resp), 400);
	http_response_clear(&resp);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_GET, "/api/calibration/body-weight-scale", NULL, NULL, &resp), 405);
	http_response_clear(&resp);
	http_core_free(http);
	bare = http_core_new(&cfg, NULL, NULL, NULL, err, sizeof(err));
	ck_assert_msg(bare, "%s", err);
	ck_assert_uint_eq(dispatch(bare, INS_HTTP_POST, "/api/calibration/body-weight-scale", json_hdr,
				   "{\"foot\":\"left\"}", &resp), 503);
	http_response_clear(&resp);
	http_core_free(bare);
}
END_TEST

/* A hook's result answers with the status of its code, the message as
 * "error" and the member it names as "field", taken from the error report
 * and never from the text; a 5xx names no member. */
static int hook_tare_refusing(void *ctx, int foot, struct ins_error *err)
{
	if (foot == INS_FOOT_LEFT) {
		ins_error_field(err, "foot", "no left insole is connected");
		return INS_EINVAL;
	}
	ins_error_field(err, "foot", "no device is streaming");
	return INS_EUNAVAIL;
}

START_TEST(hook_results_answer_with_their_status_and_field)
{
	static const char *const json_hdr[] = { "Content-Type: application/json", NULL };
	struct ins_http_config cfg = { .bind_addr = "127.0.0.1" };
	struct ins_http_hooks hooks = { .tare = hook_tare_refusing };
	struct http_response resp;
	char err[200];
	struct ins_http *http = http_core_new(&cfg, NULL, NULL, &hooks, err, sizeof(err));
	json_t *j;

	ck_assert_msg(http, "%s", err);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_POST, "/api/calibration/tare", json_hdr, "{\"foot\":\"left\"}",
				   &resp), 400);
	j = json_loads(resp.body, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "error")), "no left insole is connected");
	ck_assert_str_eq(json_string_value(json_object_get(j, "field")), "foot");
	json_decref(j);
	http_response_clear(&resp);
	ck_assert_uint_eq(dispatch(http, INS_HTTP_POST, "/api/calibration/tare", json_hdr, "{\"foot\":\"right\"}",
				   &resp), 503);
	j = json_loads(resp.body, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "error")), "no device is streaming");
	ck_assert_ptr_null(json_object_get(j, "field"));
	json_decref(j);
	http_response_clear(&resp);
	http_core_free(http);
}
END_TEST

/* ---- multipart/form-data ---------------------------------------------------- */

#define FORM_DISPOSITION "Content-Disposition: form-data; name=\"file\"; filename="

/* body parsed with boundary "b1": the number of parts, or -1 with err */
static int parse_form(const char *body, struct http_form_part *parts, char *err, size_t errlen)
{
	return http_form_parse(body, strlen(body), "b1", parts, HTTP_FORM_MAX_FILES, err, errlen);
}

START_TEST(form_boundaries_and_parts_are_read_as_rfc_7578_says)
{
	static const char body[] =
		"a preamble\r\n--b1\r\n" FORM_DISPOSITION "\"C:\\walks\\park1.hea\"\r\nContent-Type: text/plain\r\n\r\n"
		"line\r\n--b is not the boundary\r\n\r\n--b1  \r\n"
		"content-disposition: FORM-DATA; filename=park1.let;name=file\r\n\r\n\r\n--b1--\r\nan epilogue";
	struct http_form_part parts[HTTP_FORM_MAX_FILES];
	char b[80], err[512];

	ck_assert_int_eq(http_form_boundary("multipart/form-data; boundary=\"a b'()+_,-./:=?\"", b, sizeof b, err,
					    sizeof err), 0);
	ck_assert_str_eq(b, "a b'()+_,-./:=?");
	ck_assert_int_eq(http_form_boundary("Multipart/Form-Data;charset=x;BOUNDARY=z9;x=y", b, sizeof b, err,
					    sizeof err), 0);
	ck_assert_str_eq(b, "z9");
	ck_assert_int_eq(http_form_boundary("multipart/form-data", b, sizeof b, err, sizeof err), -1);
	ck_assert_str_eq(err, "Content-Type: multipart/form-data without its boundary=");
	ck_assert_int_eq(http_form_boundary("multipart/form-data; boundary=a<b", b, sizeof b, err, sizeof err), -1);
	ck_assert_int_eq(http_form_boundary("multipart/form-data; boundary=\"a \"", b, sizeof b, err, sizeof err), -1);
	ck_assert_int_eq(http_form_boundary("multipart/form-data; boundary=0123456789012345678901234567890123456789"
					    "0123456789012345678901234567890", b, sizeof b, err, sizeof err), -1);
	ck_assert(http_form_is_form("multipart/form-data; boundary=x") && !http_form_is_form("multipart/mixed") &&
		  !http_form_is_form("multipart/form-datax") && !http_form_is_form(NULL));

	/* the folders of an old browser's Windows path dropped; a part's
	 * content is every byte between its headers and the delimiter */
	ck_assert_msg(parse_form(body, parts, err, sizeof err) == 2, "%s", err);
	ck_assert_str_eq(parts[0].name, "park1.hea");
	ck_assert_uint_eq(parts[0].len, strlen("line\r\n--b is not the boundary\r\n"));
	ck_assert_int_eq(memcmp(parts[0].data, "line\r\n--b is not the boundary\r\n", parts[0].len), 0);
	ck_assert_str_eq(parts[1].name, "park1.let");
	ck_assert_uint_eq(parts[1].len, 0);
}
END_TEST

START_TEST(malformed_forms_are_refused_naming_the_part)
{
	static const struct {
		const char *body, *error;
	} bad[] = {
		{ "--b2\r\n\r\nx\r\n--b2--", "body: no part of the form starts with the boundary its Content-Type names" },
		{ "--b1\r\n" FORM_DISPOSITION "\"a.csv\"\r\n\r\n12,3", "body: part 1 (a.csv) does not end with the form's "
		  "boundary: the upload was cut short" },
		{ "--b1\r\nContent-Disposition: form-data; name=\"subject\"\r\n\r\nP-1\r\n--b1--",
		  "body: part 1 of the form (\"subject\") is not a file: send the session's details in the query and only "
		  "recording files in the form" },
		{ "--b1\r\nContent-Disposition: attachment; filename=\"a.csv\"\r\n\r\nx\r\n--b1--",
		  "body: part 1 of the form is not form-data (Content-Disposition)" },
		{ "--b1\r\nContent-Type: text/csv\r\n\r\nx\r\n--b1--", "body: part 1 of the form has no Content-Disposition "
		  "header" },
		{ "--b1\r\n" FORM_DISPOSITION "\"a.csv\"\r\n\r\nx\r\n--b1\r\n" FORM_DISPOSITION "\"a.csv\"\r\n\r\ny\r\n--b1--",
		  "body: the form carries a.csv twice (parts 1 and 2)" },
		{ "--b1\r\n" FORM_DISPOSITION "\"..\"\r\n\r\nx\r\n--b1--", "body: part 1's file name is not a name of at "
		  "most 64 bytes of UTF-8 without control characters" },
		{ "--b1\r\n" FORM_DISPOSITION "\"a\x01.csv\"\r\n\r\nx\r\n--b1--", "body: part 1's file name is not a name "
		  "of at most 64 bytes of UTF-8 without control characters" },
		{ "--b1\r\n" FORM_DISPOSITION "\"a.csv\r\n\r\nx\r\n--b1--", "body: part 1's file name is malformed or "
		  "longer than 64 bytes" },
		{ "--b1 x\r\n\r\nx\r\n--b1--", "body: a boundary line of the form is not followed by a line break" },
		{ "--b1\r\nContent-Disposition: form-data; filename=a.csv\r\nno blank line", "body: part 1's headers do "
		  "not end in an empty line within 8192 bytes" },
		{ "--b1--\r\n", "body: the form carries no file" },
		{ "--b1\r\n" FORM_DISPOSITION "a\r\n\r\n\r\n--b1\r\n" FORM_DISPOSITION "b\r\n\r\n\r\n--b1\r\n"
		  FORM_DISPOSITION "c\r\n\r\n\r\n--b1\r\n" FORM_DISPOSITION "d\r\n\r\n\r\n--b1--",
		  "body: the form carries more than 3 files (one recording, or the three files of a gaitndd record)" },
	};
	struct http_form_part parts[HTTP_FORM_MAX_FILES];
	char err[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(parse_form(bad[i].body, parts, err, sizeof err) == -1, "form %zu was taken", i);
		ck_assert_str_eq(err, bad[i].error);
	}
}
END_TEST

/* The files land in a private folder beside the body, and go with it. */
START_TEST(a_forms_files_are_written_beside_the_body_and_removed)
{
	static const char body[] = "--b1\r\n" FORM_DISPOSITION "\"r.hea\"\r\n\r\nhead\r\n--b1\r\n"
				   FORM_DISPOSITION "\"r.let\"\r\n\r\n\x00\x01\x02\r\n--b1--\r\n";
	struct ins_error err = { "", "" };
	struct http_form_files files;
	char dir[128], path[256];
	size_t len;
	char *got;
	FILE *f;

	test_tmpdir_make(dir, sizeof dir, "insoled-form-test");
	snprintf(path, sizeof path, "%s/body", dir);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	fwrite(body, 1, sizeof body - 1, f);
	fclose(f);
	ck_assert_int_eq(http_form_split(path, "multipart/form-data; boundary=b1", &files, &err), INS_OK);
	ck_assert_uint_eq(files.n, 2);
	ck_assert_int_eq(strncmp(files.dir, dir, strlen(dir)), 0);
	snprintf(path, sizeof path, "%s/r.let", files.dir);
	got = test_read_file(path, &len);
	ck_assert_uint_eq(len, 3);
	ck_assert_int_eq(memcmp(got, "\x00\x01\x02", 3), 0);
	free(got);
	snprintf(path, sizeof path, "%s", files.dir);
	http_form_files_remove(&files);
	ck_assert_int_eq(access(path, F_OK), -1);
	snprintf(path, sizeof path, "%s/body", dir);
	ck_assert_int_eq(http_form_split(path, "multipart/form-data; boundary=b2", &files, &err), INS_EINVAL);
	ck_assert_str_eq(err.field, "body");
	ck_assert_str_eq(files.dir, "");
	test_tmpdir_remove(dir);
}
END_TEST

Suite *ins_suite_http(void);
Suite *ins_suite_http(void)
{
	Suite *s = suite_create("http");
	TCase *unit = tcase_create("unit");
	TCase *server = tcase_create("server");
	TCase *token = tcase_create("token");
	TCase *tls = tcase_create("tls");

	tcase_add_test(unit, target_decoding_refuses_traversal_in_every_spelling);
	tcase_add_test(unit, query_arguments_are_decoded_and_bounded);
	tcase_add_test(unit, routes_methods_and_ids);
	tcase_add_test(unit, typed_values);
	tcase_add_test(unit, constant_time_compare_cookie_and_loopback);
	tcase_add_test(unit, refuses_lan_address_without_token);
	tcase_add_test(unit, layouts_default_to_the_data_directory);
	tcase_add_test(unit, a_layout_that_does_not_load_is_left_out_of_the_list);
	tcase_add_test(unit, dispatch_without_a_database_or_pipeline);
	tcase_add_test(unit, unknown_query_parameters_are_refused);
	tcase_add_test(unit, replays_run_on_the_worker_pool);
	tcase_add_test(unit, lanes_reach_their_own_hooks);
	tcase_add_test(unit, session_curves_without_a_database);
	tcase_add_test(unit, body_weight_scale_route);
	tcase_add_test(unit, hook_results_answer_with_their_status_and_field);
	tcase_add_test(unit, weak_tokens_are_refused);
	tcase_add_test(unit, wrong_tokens_count_per_ipv6_block);
	tcase_add_test(unit, form_boundaries_and_parts_are_read_as_rfc_7578_says);
	tcase_add_test(unit, malformed_forms_are_refused_naming_the_part);
	tcase_add_test(unit, a_forms_files_are_written_beside_the_body_and_removed);

	tcase_add_checked_fixture(server, setup_open, teardown);
	tcase_set_timeout(server, 30);
	tcase_add_test(server, status_metrics_devices_layouts);
	tcase_add_test(server, live_snapshot);
	tcase_add_test(server, live_answer_shared_until_the_snapshot_changes);
	tcase_add_test(server, session_lifecycle_and_errors);
	tcase_add_test(server, steps_heatmap_exports_reanalyze_compare);
	tcase_add_test(server, step_selection_trims_and_excludes);
	tcase_add_test(server, compare_warns_of_a_cadence_mismatch);
	tcase_add_test(server, subjects_and_calibration);
	tcase_add_test(server, import_round_trip_and_upload_errors);
	tcase_add_test(server, a_gaitndd_record_imports_as_the_three_files_of_a_form);
	tcase_add_test(server, import_reports_samples_put_back_in_order_or_read_once);
	tcase_add_test(server, import_takes_the_layout_the_file_does_not_name);
	tcase_add_test(server, import_answers_the_agreement_with_the_files_own_values);
	tcase_add_test(server, a_repaired_import_says_so_in_the_sessions_notes);
	tcase_add_test(server, oversized_bodies_get_413);
	tcase_add_test(server, static_files_and_traversal);
	tcase_add_test(server, sse_delivers_every_step_and_resumes);
	tcase_add_test(server, stalled_sse_client_is_dropped_while_others_keep_receiving);
	tcase_add_test(server, session_curves_served_from_the_store);
	tcase_add_test(server, long_requests_leave_the_network_threads_free);
	tcase_add_test(server, session_list_shows_every_change_at_once);
	tcase_add_test(server, lane_lists_are_their_own_and_fresh);
	tcase_add_test(server, host_must_name_this_machine_without_a_token);
	tcase_add_test(server, ambiguous_framing_is_refused_and_the_connection_closed);
	tcase_add_test(server, head_of_a_download_sends_no_body);
	tcase_add_test(server, request_headers_up_to_the_documented_sizes_are_answered);
	tcase_add_test(server, connection_flood_leaves_room_for_a_fresh_client);
	tcase_add_test(server, connections_over_the_limit_are_closed_at_once_when_all_are_busy);
	tcase_add_test(server, trickled_bodies_cannot_hold_every_connection);
	tcase_add_test(server, uploads_at_once_are_bounded);

	tcase_add_checked_fixture(token, setup_token, teardown);
	tcase_set_timeout(token, 30);
	tcase_add_test(token, token_bearer_cookie_origin);
	tcase_add_test(token, wrong_tokens_are_logged_and_slowed_per_address);
	tcase_add_test(tls, https_with_certificate_and_key);
	tcase_set_timeout(tls, 30);

	suite_add_tcase(s, unit);
	suite_add_tcase(s, server);
	suite_add_tcase(s, token);
	suite_add_tcase(s, tls);
	return s;
}
