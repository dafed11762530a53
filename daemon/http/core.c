/* The socket-free core: configuration, dispatch (auth, origin, method,
 * route) and the rate-limited request log. */
#include <config.h>

#include <inttypes.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http_priv.h"
#include "insoled/clock.h"

#define LOG_PREFIX "http"

static char *dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

/* The data directory holds layouts/, sql/ and web/ side by side
 * (docs/architecture.md), so without an explicit layout_dir the layouts sit
 * beside the dashboard. */
static char *sibling_dir(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	char *out;

	while (n > 1 && dir[n - 1] == '/')
		n--;
	while (n > 0 && dir[n - 1] != '/')
		n--;
	out = malloc(n + strlen(name) + 2);
	if (out)
		snprintf(out, n + strlen(name) + 2, "%.*s%s", (int)n, n ? dir : "", name);
	return out;
}

/* Roots are resolved once so the per-request containment check is a
 * string prefix test on realpath() results. */
static int resolve_root(const char *dir, char **out, const char *what, char *err, size_t errlen)
{
	char resolved[PATH_MAX];

	*out = NULL;
	if (!dir || !*dir)
		return 0;
	if (!realpath(dir, resolved)) {
		snprintf(err, errlen, "http: %s %s: cannot resolve the directory", what, dir);
		return -1;
	}
	*out = strdup(resolved);
	return *out ? 0 : -1;
}

struct ins_http *http_core_new(const struct ins_http_config *cfg, struct ins_store *store,
				   struct ins_live *live, const struct ins_http_hooks *hooks,
				   char *err, size_t errlen)
{
	struct ins_http *http = calloc(1, sizeof(*http));

	if (!http) {
		snprintf(err, errlen, "http: out of memory");
		return NULL;
	}
	pthread_mutex_init(&http->lock, NULL);
	http_admit_init(&http->admit, 0);
	pthread_mutex_init(&http->list_cache.lock, NULL);
	http->bind_addr = strdup(cfg->bind_addr && *cfg->bind_addr ? cfg->bind_addr : "127.0.0.1");
	http->token = dup_or_null(cfg->token);
	http->layout_dir = dup_or_null(cfg->layout_dir);
	if (!http->layout_dir && cfg->web_root && *cfg->web_root)
		http->layout_dir = sibling_dir(cfg->web_root, "layouts");
	http->tls_cert = dup_or_null(cfg->tls_cert);
	http->tls_key = dup_or_null(cfg->tls_key);
	http->port = cfg->port;
	http->threads = cfg->threads;
	http->max_connections = cfg->max_connections;
	http->max_per_ip = cfg->max_per_ip;
	http->sse_stall_timeout_s = cfg->sse_stall_timeout_s;
	http->clock_us = cfg->clock_us;
	http->store = store;
	http->live = live;
	if (hooks)
		http->hooks = *hooks;
	http->start_mono_us = ins_mono_us();
	if (http_lanes_new(http, cfg, err, errlen) < 0)
		goto fail;
	if (!http->bind_addr)
		goto oom;
	if (resolve_root(cfg->web_root, &http->web_root, "web_root", err, errlen) < 0 ||
	    resolve_root(cfg->vendor_root, &http->vendor_root, "vendor_root", err, errlen) < 0)
		goto fail;
	if (!http_is_loopback(http->bind_addr) && !http->token) {
		snprintf(err, errlen,
			 "http: refusing to listen on %s without an access token: anyone on the network could read "
			 "patient recordings. Set token= in the configuration (or --token), or listen on 127.0.0.1",
			 http->bind_addr);
		goto fail;
	}
	if (http->token && http_token_bits(http->token) < INS_HTTP_TOKEN_MIN_BITS) {
		snprintf(err, errlen,
			 "http: the access token is too weak (about %.0f bits, at least %d needed, no spaces or control "
			 "characters): generate one with `insoled --gen-token`",
			 http_token_bits(http->token), INS_HTTP_TOKEN_MIN_BITS);
		goto fail;
	}
	if (!!http->tls_cert != !!http->tls_key) {
		snprintf(err, errlen, "http: HTTPS needs both tls_cert and tls_key");
		goto fail;
	}
	return http;
oom:
	snprintf(err, errlen, "http: out of memory");
fail:
	http_core_free(http);
	return NULL;
}

void http_core_free(struct ins_http *http)
{
	if (!http)
		return;
	http_lanes_free(http);
	free(http->bind_addr);
	free(http->token);
	free(http->web_root);
	free(http->vendor_root);
	free(http->layout_dir);
	free(http->tls_cert);
	free(http->tls_key);
	pthread_mutex_destroy(&http->lock);
	http_admit_destroy(&http->admit);
	http_list_cache_free(&http->list_cache);
	free(http);
}

void http_response_clear(struct http_response *resp)
{
	free(resp->body);
	ins_live_text_unref(resp->live_text);
	if (resp->kind == INS_RESP_FILE && resp->fd >= 0)
		close(resp->fd);
	if (resp->export)
		ins_store_export_close(resp->export);
	for (unsigned i = 0; i < resp->n_headers; i++)
		free(resp->headers[i].value);
	memset(resp, 0, sizeof(*resp));
	resp->fd = -1;
}

enum http_runs http_runs_on(const struct http_request *req)
{
	const struct http_route *r = &req->route;

	if (!(req->method & r->methods))
		return INS_RUNS_INLINE;
	switch (r->id) {
	case INS_ROUTE_SESSIONS_IMPORT:
	case INS_ROUTE_SESSION_REANALYZE:
		return INS_RUNS_HEAVY;
	case INS_ROUTE_SESSION_CURVES:
	case INS_ROUTE_SESSION_HEATMAP:
	case INS_ROUTE_SESSION_FRAMES:
	case INS_ROUTE_COMPARE:
	case INS_ROUTE_BODY_WEIGHT_SCALE:
		return INS_RUNS_WORKER;
	default:
		return INS_RUNS_INLINE;
	}
}

int http_wants_upload(const struct http_request *req)
{
	return req->route.id == INS_ROUTE_SESSIONS_IMPORT;
}

void http_dispatch(struct ins_http *http, const struct http_request *req, struct http_response *resp)
{
	const struct http_route route = req->route;
	const char *unknown;
	char allow[64];

	resp->fd = -1;
	if (http_check_host(http, req, resp))
		return;
	if (route.id == INS_ROUTE_STATIC) {
		if (!(req->method & route.methods)) {
			http_resp_error(resp, 405, NULL, "method not allowed for dashboard files");
			http_resp_header(resp, "Allow", http_allow_header(route.methods, allow, sizeof(allow)));
			return;
		}
		http_static(http, req, resp);
		return;
	}
	/* Every /api request is authenticated before anything else, so a
	 * stranger cannot even learn which endpoints exist. */
	if (route.id != INS_ROUTE_LOGIN && http_check_auth(http, req, resp))
		return;
	if (route.id == INS_ROUTE_NONE) {
		http_resp_error(resp, 404, "path", "path: no such endpoint");
		return;
	}
	if (!(req->method & route.methods)) {
		http_resp_error(resp, 405, NULL, "method not allowed here");
		http_resp_header(resp, "Allow", http_allow_header(route.methods, allow, sizeof(allow)));
		return;
	}
	if (http_check_origin(req, resp))
		return;
	if (route.bad_id) {
		http_resp_error(resp, 400, "id", "id: expected a positive integer in the path");
		return;
	}
	if ((unknown = http_unknown_param(req)) != NULL) {
		http_resp_error(resp, 400, unknown, "%s: not a parameter of this endpoint (%s%s)", unknown,
				    *route.params ? "it reads " : "it reads none", route.params);
		return;
	}
	if (route.lane[0])
		http_lane_dispatch(http, req, &route, resp);
	else
		http_api(http, req, &route, resp);
	/* after the change is committed: cached answers built before it are stale */
	if (req->method & (INS_HTTP_POST | INS_HTTP_PATCH | INS_HTTP_DELETE | INS_HTTP_PUT))
		atomic_fetch_add(&http->writes, 1);
}

/* One line per failed request, rate-limited; the path carries ids only,
 * never the query (which may name a subject).  A refusal the HTTP layer
 * makes of a request's form (its framing: a smuggling attempt, or a broken
 * client) says why and names the client's address. */
void http_log_response(struct ins_http *http, const char *method, const struct http_request *req,
			   const struct http_response *resp)
{
	unsigned suppressed = 0;
	int ok;

	if (resp->status < 400 || resp->status == 401 || resp->status == 404)
		return;
	pthread_mutex_lock(&http->lock);
	ok = ins_ratelimit_ok(&http->rl_log, &suppressed);
	pthread_mutex_unlock(&http->lock);
	if (!ok)
		return;
	if (resp->status >= 500)
		ins_warn("%s %s -> %u%s%s (%u similar suppressed)", method,
			 req->path ? req->path : "(unparsed)", resp->status, resp->log_msg ? ": " : "",
			 resp->log_msg ? resp->log_msg : "", suppressed);
	else if (resp->log_msg)
		ins_info("%s %s -> %u: %s, from %s (%u similar suppressed)", method,
			 req->path ? req->path : "(unparsed)", resp->status, resp->log_msg,
			 req->client_addr ? req->client_addr : "an unknown address", suppressed);
	else
		ins_info("%s %s -> %u (%u similar suppressed)", method,
			 req->path ? req->path : "(unparsed)", resp->status, suppressed);
}

int64_t http_recording_id(struct ins_http *http)
{
	int64_t id;

	pthread_mutex_lock(&http->lock);
	id = http->recording_id;
	pthread_mutex_unlock(&http->lock);
	return id;
}

/* id 0: the session stopped_id stopped. */
void http_set_recording(struct ins_http *http, int64_t id, int64_t stopped_id)
{
	char ev[160];

	pthread_mutex_lock(&http->lock);
	http->recording_id = id;
	pthread_mutex_unlock(&http->lock);
	if (!http->live)
		return;
	ins_live_set_recording(http->live, id);
	if (id)
		snprintf(ev, sizeof(ev), "{\"id\":%" PRId64 ",\"state\":\"recording\",\"recording\":{\"session_id\":%" PRId64
			 "}}", id, id);
	else
		snprintf(ev, sizeof(ev), "{\"id\":%" PRId64 ",\"state\":\"complete\",\"recording\":null}", stopped_id);
	ins_live_publish_event(http->live, "session", ev);
}
