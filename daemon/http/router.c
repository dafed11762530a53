/* Request target parsing and routing: pure functions on strings, so the
 * fuzzer and the unit tests drive them without a socket. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_priv.h"
#include "insoled/result.h"
#include "insoled/utf8.h"

unsigned http_method_parse(const char *m)
{
	static const struct { const char *name; unsigned bit; } methods[] = {
		{ "GET", INS_HTTP_GET }, { "HEAD", INS_HTTP_HEAD }, { "POST", INS_HTTP_POST },
		{ "PATCH", INS_HTTP_PATCH }, { "DELETE", INS_HTTP_DELETE }, { "PUT", INS_HTTP_PUT },
		{ "OPTIONS", INS_HTTP_OPTIONS },
	};

	for (size_t i = 0; m && i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(m, methods[i].name) == 0)
			return methods[i].bit;
	return INS_HTTP_OTHER;
}

static int valid_utf8(const char *s, size_t n)
{
	for (size_t i = 0, l; i < n; i += l) {
		l = ins_utf8_seq_len((const unsigned char *)s + i, n - i);
		if (!l)
			return 0;
	}
	return 1;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Percent-decodes n bytes of src into a new string.  In paths, an encoded
 * '/', '\', '%' (double encoding) or '.' is refused: none is ever needed to
 * name a file or an endpoint, and each is a way to smuggle traversal past a
 * check; so are control characters (a newline in a path the log prints
 * would forge a log line) and bytes that are not UTF-8 (overlong forms
 * spell '.' and '/' to other software).  NUL is refused everywhere. */
static char *decode(const char *src, size_t n, int is_path, int plus_is_space, const char **why)
{
	char *out = malloc(n + 1), *o = out;

	if (!out) {
		*why = "out of memory";
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)src[i];

		if (c == '%') {
			int hi = i + 2 < n ? hexval((unsigned char)src[i + 1]) : -1;
			int lo = i + 2 < n ? hexval((unsigned char)src[i + 2]) : -1;

			if (hi < 0 || lo < 0) {
				*why = "malformed percent-encoding";
				goto fail;
			}
			c = hi * 16 + lo;
			i += 2;
			if (is_path && (c == '/' || c == '\\' || c == '%' || c == '.')) {
				*why = "encoded '/', '\\', '%' or '.' in the path";
				goto fail;
			}
		} else if (c == '+' && plus_is_space) {
			c = ' ';
		}
		if (c == 0) {
			*why = "NUL byte";
			goto fail;
		}
		if (is_path && c == '\\') {
			*why = "backslash in the path";
			goto fail;
		}
		if (is_path && (c < 0x20 || c == 0x7f)) {
			*why = "control character in the path";
			goto fail;
		}
		*o++ = (char)c;
	}
	*o = '\0';
	if (is_path && !valid_utf8(out, (size_t)(o - out))) {
		*why = "the path is not valid UTF-8";
		goto fail;
	}
	return out;
fail:
	free(out);
	return NULL;
}

/* Every segment must be non-empty (except a trailing slash), and never "."
 * or "..": the router and the file server see exactly one spelling. */
static const char *check_segments(const char *path)
{
	const char *p = path;

	if (*p != '/')
		return "the path must start with '/'";
	while (*p == '/') {
		const char *seg = p + 1, *end = strchr(seg, '/');
		size_t len = end ? (size_t)(end - seg) : strlen(seg);

		if (len == 0 && end)
			return "empty path segment";
		if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
			return "'.' or '..' in the path";
		if (!end)
			break;
		p = end;
	}
	return NULL;
}

void http_request_clear(struct http_request *req)
{
	free(req->path);
	req->path = NULL;
	for (unsigned i = 0; i < req->n_query; i++) {
		free(req->query[i].key);
		free(req->query[i].value);
	}
	req->n_query = 0;
}

static unsigned parse_query(const char *q, struct http_request *req, struct ins_error *err)
{
	while (*q) {
		const char *amp = strchr(q, '&');
		size_t n = amp ? (size_t)(amp - q) : strlen(q);
		const char *eq = memchr(q, '=', n), *why = NULL;
		size_t kn = eq ? (size_t)(eq - q) : n;
		char *key, *value;

		if (n > 0) {
			if (req->n_query == INS_HTTP_MAX_QUERY_ARGS) {
				ins_error_field(err, "query", "query: more than %d parameters", INS_HTTP_MAX_QUERY_ARGS);
				return 400;
			}
			if (kn == 0) {
				ins_error_field(err, "query", "query: a parameter without a name");
				return 400;
			}
			key = decode(q, kn, 0, 1, &why);
			value = key ? decode(eq ? eq + 1 : q + n, eq ? n - kn - 1 : 0, 0, 1, &why) : NULL;
			if (!value) {
				free(key);
				ins_error_field(err, "query", "query: %s", why);
				return 400;
			}
			req->query[req->n_query].key = key;
			req->query[req->n_query].value = value;
			req->n_query++;
			/* Two values for one parameter are read differently by different
			 * software (the first, the last, both): which one is meant is the
			 * client's to say. */
			if (http_query(req, key) != value) {
				ins_error_field(err, key, "%s: given more than once", key);
				return 400;
			}
		}
		if (!amp)
			break;
		q = amp + 1;
	}
	return 0;
}

unsigned http_parse_target(const char *target, struct http_request *req, struct ins_error *err)
{
	size_t tl = strlen(target);
	const char *qm = strchr(target, '?'), *why = NULL;
	size_t pl = qm ? (size_t)(qm - target) : tl;
	unsigned status;

	req->path = NULL;
	req->n_query = 0;
	if (tl > INS_HTTP_MAX_TARGET) {
		ins_error_field(err, "path", "path: request target longer than %d bytes", INS_HTTP_MAX_TARGET);
		return 414;
	}
	if (pl > INS_HTTP_MAX_PATH) {
		ins_error_field(err, "path", "path: longer than %d bytes (before the query)", INS_HTTP_MAX_PATH);
		return 414;
	}
	if (target[0] != '/' || memchr(target, '#', tl)) {
		ins_error_field(err, "path", "path: the request target must be an absolute path");
		return 400;
	}
	req->path = decode(target, pl, 1, 0, &why);
	if (!req->path) {
		ins_error_field(err, "path", "path: %s", why);
		return 400;
	}
	why = check_segments(req->path);
	if (why) {
		ins_error_field(err, "path", "path: %s", why);
		http_request_clear(req);
		return 400;
	}
	status = qm ? parse_query(qm + 1, req, err) : 0;
	if (status)
		http_request_clear(req);
	else
		http_route_match(req->path, &req->route);
	return status;
}

const char *http_query(const struct http_request *req, const char *key)
{
	for (unsigned i = 0; i < req->n_query; i++)
		if (strcmp(req->query[i].key, key) == 0)
			return req->query[i].value;
	return NULL;
}

/* Whether key is one of the space-separated names in params. */
static int param_listed(const char *params, const char *key)
{
	size_t kl = strlen(key);

	for (const char *p = params; *p;) {
		size_t n = strcspn(p, " ");

		if (n == kl && strncmp(p, key, n) == 0)
			return 1;
		p += n;
		p += strspn(p, " ");
	}
	return 0;
}

const char *http_unknown_param(const struct http_request *req)
{
	for (unsigned i = 0; req->route.params && i < req->n_query; i++)
		if (!param_listed(req->route.params, req->query[i].key))
			return req->query[i].key;
	return NULL;
}

/* ---- routes -------------------------------------------------------------- */

#define GET_ (INS_HTTP_GET | INS_HTTP_HEAD)

/* '#' matches an id segment, '*' a name segment; params are the query
 * parameters the route reads (any other is refused, as JSON bodies refuse
 * unknown members: a misspelt filter would otherwise widen a list). */
static const struct {
	const char *pattern;
	enum http_route_id id;
	unsigned methods;
	const char *params;
} routes[] = {
	{ "/api/status", INS_ROUTE_STATUS, GET_, "" },
	{ "/api/metrics", INS_ROUTE_METRICS, GET_, "" },
	{ "/api/devices", INS_ROUTE_DEVICES, GET_, "" },
	{ "/api/layouts", INS_ROUTE_LAYOUTS, GET_, "" },
	{ "/api/layouts/*", INS_ROUTE_LAYOUT, GET_, "" },
	{ "/api/live", INS_ROUTE_LIVE, GET_, "steps" },
	{ "/api/live/stream", INS_ROUTE_LIVE_STREAM, INS_HTTP_GET, "" },
	{ "/api/sessions", INS_ROUTE_SESSIONS, GET_ | INS_HTTP_POST, "subject footwear lane from to offset limit" },
	{ "/api/sessions/import", INS_ROUTE_SESSIONS_IMPORT, INS_HTTP_POST, "subject footwear notes format name duplicate layout" },
	{ "/api/sessions/#", INS_ROUTE_SESSION, GET_ | INS_HTTP_PATCH | INS_HTTP_DELETE, "" },
	{ "/api/sessions/#/stop", INS_ROUTE_SESSION_STOP, INS_HTTP_POST, "" },
	{ "/api/sessions/#/steps", INS_ROUTE_SESSION_STEPS, GET_, "" },
	{ "/api/sessions/#/heatmap", INS_ROUTE_SESSION_HEATMAP, GET_, "foot kind" },
	{ "/api/sessions/#/curves", INS_ROUTE_SESSION_CURVES, GET_, "" },
	{ "/api/sessions/#/frames", INS_ROUTE_SESSION_FRAMES, GET_, "foot" },
	{ "/api/sessions/#/reanalyze", INS_ROUTE_SESSION_REANALYZE, INS_HTTP_POST, "" },
	{ "/api/sessions/#/selection", INS_ROUTE_SESSION_SELECTION, INS_HTTP_PUT, "" },
	{ "/api/sessions/#/export/*", INS_ROUTE_SESSION_EXPORT, GET_, "" },
	{ "/api/compare", INS_ROUTE_COMPARE, GET_, "ids kind format" },
	{ "/api/subjects", INS_ROUTE_SUBJECTS, GET_ | INS_HTTP_POST, "" },
	{ "/api/subjects/#", INS_ROUTE_SUBJECT, INS_HTTP_PATCH, "" },
	{ "/api/login", INS_ROUTE_LOGIN, INS_HTTP_POST, "" },
	{ "/api/logout", INS_ROUTE_LOGOUT, INS_HTTP_POST, "" },
	{ "/api/calibration/tare", INS_ROUTE_TARE, INS_HTTP_POST, "" },
	{ "/api/calibration/body-weight", INS_ROUTE_BODY_WEIGHT, INS_HTTP_POST, "" },
	{ "/api/calibration/body-weight-scale", INS_ROUTE_BODY_WEIGHT_SCALE, INS_HTTP_POST, "" },
	{ "/api/lanes", INS_ROUTE_LANES, GET_, "" },
};

#define LANES_PREFIX "/api/lanes/"

/* "/api/lanes/NAME/REST": NAME into out->lane, and REST (from its '/') is
 * what the route patterns match after their "/api".  NULL when path is not
 * a lane's route. */
static const char *lane_rest(const char *path, struct http_route *out)
{
	const char *name = path + strlen(LANES_PREFIX);
	size_t n;

	/* The prefix first: a shorter path ends before name. */
	if (strncmp(path, LANES_PREFIX, strlen(LANES_PREFIX)) != 0)
		return NULL;
	n = strcspn(name, "/");
	if (n == 0 || n >= sizeof(out->lane) || name[n] != '/')
		return NULL;
	memcpy(out->lane, name, n);
	out->lane[n] = '\0';
	return name + n;
}

/* A positive decimal id without sign or leading zeros, below 10^18. */
static int parse_id(const char *s, size_t n, int64_t *out)
{
	int64_t v = 0;

	if (n == 0 || n > 18 || s[0] == '0')
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int match(const char *pattern, const char *path, struct http_route *out)
{
	const char *p = pattern, *s = path;

	out->object_id = 0;
	out->name = NULL;
	out->bad_id = 0;
	while (*p && *s) {
		if (*p == '#' || *p == '*') {
			size_t n = strcspn(s, "/");

			if (n == 0)
				return 0;
			if (*p == '#' && parse_id(s, n, &out->object_id) < 0)
				out->bad_id = 1;
			if (*p == '*')
				out->name = s;
			p++;
			s += n;
			continue;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	/* one trailing slash is tolerated */
	return *p == '\0' && (*s == '\0' || (s[0] == '/' && s[1] == '\0' && !out->name));
}

void http_route_match(const char *path, struct http_route *out)
{
	const char *rest;
	size_t skip = 0;

	memset(out, 0, sizeof(*out));
	if (strncmp(path, "/api/", 5) != 0 && strcmp(path, "/api") != 0) {
		out->id = INS_ROUTE_STATIC;
		out->methods = GET_;
		return;
	}
	if ((rest = lane_rest(path, out)) != NULL) {
		path = rest;
		skip = strlen("/api");
	}
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		/* Literal routes come before '#' ones ("import" is not an id). */
		if (match(routes[i].pattern + skip, path, out)) {
			out->id = routes[i].id;
			out->methods = routes[i].methods;
			out->params = routes[i].params;
			return;
		}
	}
	out->id = INS_ROUTE_NONE;
}

const char *http_allow_header(unsigned methods, char *buf, size_t len)
{
	static const char *const names[] = { "GET", "HEAD", "POST", "PATCH", "DELETE", "PUT", "OPTIONS" };
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(methods & (1u << i)))
			continue;
		int n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", names[i]);

		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	return buf;
}

/* ---- typed values -------------------------------------------------------- */

int http_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if (!s || !*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int http_parse_id_list(const char *s, int64_t *ids, unsigned max, unsigned *n)
{
	*n = 0;
	if (!s || !*s)
		return -1;
	for (;;) {
		size_t len = strcspn(s, ",");

		if (*n == max || parse_id(s, len, &ids[*n]) < 0)
			return -1;
		(*n)++;
		if (!s[len])
			return 0;
		s += len + 1;
	}
}

int http_parse_foot(const char *s, unsigned *foot)
{
	if (!s)
		return -1;
	if (strcmp(s, "left") == 0)
		*foot = INS_FOOT_LEFT;
	else if (strcmp(s, "right") == 0)
		*foot = INS_FOOT_RIGHT;
	else
		return -1;
	return 0;
}

int http_query_heatmap_kind(const struct http_request *req, const char **kind, struct http_response *resp)
{
	*kind = http_query(req, "kind");
	if (!*kind)
		*kind = "peak";
	if (strcmp(*kind, "peak") != 0 && strcmp(*kind, "mean") != 0 && strcmp(*kind, "mean_peak") != 0) {
		http_resp_error(resp, 400, "kind", "kind: expected peak, mean_peak or mean");
		return -1;
	}
	return 0;
}

int http_query_int(const struct http_request *req, const char *key, int64_t min, int64_t max,
		       int64_t def, int64_t *out, struct http_response *resp)
{
	const char *v = http_query(req, key);

	*out = def;
	if (!v)
		return 0;
	if (http_parse_int64(v, min, max, out) < 0) {
		http_resp_error(resp, 400, key, "%s: expected an integer in %" PRId64 "..%" PRId64, key, min, max);
		return -1;
	}
	return 0;
}
