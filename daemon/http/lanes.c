/* Lanes: several insole pairs served by one server (docs/api.md, "Lanes").
 * Each lane has a view, a struct ins_http sharing the server's store and
 * configuration but holding the lane's live state, hooks and recording,
 * and /api/lanes/NAME/REST is answered by that view as /api/REST would be
 * by the server.  The first lane's view is the server itself: the
 * un-prefixed routes are the first lane's. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "http_priv.h"

/* The routes that belong to one lane; everything else (sessions by id,
 * compare, subjects, login...) is the server's, un-prefixed. */
static int is_lane_route(enum http_route_id id)
{
	switch (id) {
	case INS_ROUTE_STATUS:
	case INS_ROUTE_DEVICES:
	case INS_ROUTE_LIVE:
	case INS_ROUTE_LIVE_STREAM:
	case INS_ROUTE_SESSIONS:
	case INS_ROUTE_SESSION_STOP:
	case INS_ROUTE_TARE:
	case INS_ROUTE_BODY_WEIGHT:
	case INS_ROUTE_BODY_WEIGHT_SCALE:
		return 1;
	default:
		return 0;
	}
}

static struct ins_http *lane_view_new(struct ins_http *http, const struct ins_http_lane *lane)
{
	struct ins_http *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	v->lane_name = strdup(lane->name);
	if (!v->lane_name) {
		free(v);
		return NULL;
	}
	pthread_mutex_init(&v->lock, NULL);
	v->parent = http;
	v->store = http->store;
	v->live = lane->live;
	v->hooks = lane->hooks;
	v->token = http->token;
	v->tls_cert = http->tls_cert;
	v->layout_dir = http->layout_dir;
	v->sse_stall_timeout_s = http->sse_stall_timeout_s;
	v->clock_us = http->clock_us;
	v->start_mono_us = http->start_mono_us;
	return v;
}

static void lane_view_free(struct ins_http *v)
{
	pthread_mutex_destroy(&v->lock);
	free(v->lane_name);
	free(v);
}

int http_lanes_new(struct ins_http *http, const struct ins_http_config *cfg, char *err, size_t errlen)
{
	if (cfg->n_lanes == 0)
		return 0;
	if (cfg->n_lanes > INS_HTTP_MAX_LANES) {
		snprintf(err, errlen, "http: %u lanes, at most %d", cfg->n_lanes, INS_HTTP_MAX_LANES);
		return -1;
	}
	http->lanes = calloc(cfg->n_lanes, sizeof(*http->lanes));
	if (!http->lanes)
		goto oom;
	http->lanes[0] = http;
	http->n_lanes = 1;
	http->lane_name = strdup(cfg->lanes[0].name);
	if (!http->lane_name)
		goto oom;
	for (unsigned i = 1; i < cfg->n_lanes; i++) {
		http->lanes[i] = lane_view_new(http, &cfg->lanes[i]);
		if (!http->lanes[i])
			goto oom;
		http->n_lanes = i + 1;
	}
	return 0;
oom:
	snprintf(err, errlen, "http: out of memory");
	return -1;
}

void http_lanes_free(struct ins_http *http)
{
	for (unsigned i = 1; i < http->n_lanes; i++)
		lane_view_free(http->lanes[i]);
	free(http->lanes);
	free(http->lane_name);
	http->lane_name = NULL;
	http->lanes = NULL;
	http->n_lanes = 0;
}

static struct ins_http *lane_named(const struct ins_http *http, const char *name)
{
	for (unsigned i = 0; i < http->n_lanes; i++)
		if (!strcmp(http->lanes[i]->lane_name, name))
			return http->lanes[i];
	return NULL;
}

static json_t *lane_json(struct ins_http *v)
{
	json_t *o = v->hooks.lane_summary ? v->hooks.lane_summary(v->hooks.ctx) : json_object();

	if (!o)
		o = json_object();
	json_object_set_new(o, "name", json_string(v->lane_name));
	return o;
}

void http_api_lanes(struct ins_http *http, struct http_response *resp)
{
	json_t *list = json_array();

	for (unsigned i = 0; i < http->n_lanes; i++)
		json_array_append_new(list, lane_json(http->lanes[i]));
	http_resp_json(resp, 200, json_pack("{s:o}", "lanes", list));
}

void http_lane_dispatch(struct ins_http *http, const struct http_request *req,
			    const struct http_route *route, struct http_response *resp)
{
	struct ins_http *v = lane_named(http, route->lane);

	if (!v) {
		http_resp_error(resp, 404, "lane", "lane: no lane named '%s' (GET /api/lanes lists them)",
				    route->lane);
		return;
	}
	if (!is_lane_route(route->id)) {
		http_resp_error(resp, 404, "path", "path: not a lane's endpoint: use it without /api/lanes/%s",
				    route->lane);
		return;
	}
	http_api(v, req, route, resp);
}

const char *http_lane_filter(const struct http_request *req)
{
	const char *lane = http_query(req, "lane");

	return lane ? lane : req->route.lane[0] ? req->route.lane : NULL;
}

void http_lanes_stopped(struct ins_http *http, int64_t id)
{
	struct ins_http *root = http->parent ? http->parent : http;

	if (http_recording_id(root) == id)
		http_set_recording(root, 0, id);
	for (unsigned i = 1; i < root->n_lanes; i++)
		if (http_recording_id(root->lanes[i]) == id)
			http_set_recording(root->lanes[i], 0, id);
}
