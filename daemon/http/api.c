/* The /api endpoints (docs/api.md): parse and check the request, call the
 * store, the live state or a daemon hook, shape the answer. */
#include <config.h>

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_priv.h"
#include "insoled/analysis_json.h"
#include "insoled/clock.h"
#include "insoled/layout.h"
#include "insoled/log.h"

#define LOG_PREFIX "http"

typedef void (*handler_fn)(struct ins_http *http, const struct http_request *req,
			   const struct http_route *route, struct http_response *resp);

/* ---- status, metrics, devices, layouts ------------------------------------ */

/* The contract's top-level "devices" and "queues", from what the pipeline
 * put under "acquisition" and the store's counters, unless the hook set
 * them itself. */
static void summarise_status(json_t *st)
{
	json_t *acq = json_object_get(st, "acquisition"), *db = json_object_get(st, "database");
	json_t *queues = json_object_get(st, "queues");

	if (json_array_size(json_object_get(st, "devices")) == 0 && json_is_array(json_object_get(acq, "devices")))
		json_object_set(st, "devices", json_object_get(acq, "devices"));
	if (json_is_object(queues) && json_object_size(queues) == 0) {
		if (json_is_object(json_object_get(acq, "queue")))
			json_object_set(queues, "frames", json_object_get(acq, "queue"));
		if (json_is_object(db))
			json_object_set_new(queues, "store",
					    json_pack("{s:O,s:O,s:O}", "depth", json_object_get(db, "queue_depth"),
						      "capacity", json_object_get(db, "queue_capacity"),
						      "dropped", json_object_get(db, "frames_dropped")));
	}
}

/* clients_dropped counts both ways a stream is dropped: falling out of the
 * ring (the live module's count) and accepting no data for the stall
 * timeout (the server's). */
static json_t *live_json(struct ins_http *http)
{
	struct ins_live_stats ls;
	unsigned long long stalled = atomic_load(&http->sse_stalled);

	if (!http->live)
		return json_null();
	ins_live_get_stats(http->live, &ls);
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "events", (json_int_t)ls.events,
			 "frames_published", (json_int_t)ls.frames_published, "clients", (json_int_t)ls.clients,
			 "clients_dropped", (json_int_t)(ls.clients_dropped + stalled),
			 "clients_dropped_behind", (json_int_t)ls.clients_dropped,
			 "clients_dropped_stalled", (json_int_t)stalled);
}

static json_t *http_json(struct ins_http *http)
{
	struct http_admit_stats a;

	http_admit_stats(&http->admit, &a);
	return json_pack("{s:s,s:b,s:I,s:I,s:I,s:I}", "auth", http->token ? "token" : "none",
			 "tls", http->tls_cert != NULL, "connections", (json_int_t)a.open,
			 "connection_limit", (json_int_t)a.limit, "connections_evicted", (json_int_t)a.evicted,
			 "connections_refused", (json_int_t)a.refused);
}

static void h_status(struct ins_http *http, const struct http_request *req,
		     const struct http_route *route, struct http_response *resp)
{
	json_t *st = json_object();
	int64_t rec = http_recording_id(http);

	json_object_set_new(st, "version", json_string(PACKAGE_VERSION));
	json_object_set_new(st, "uptime_s", json_integer((ins_mono_us() - http->start_mono_us) / 1000000));
	/* The daemon's wall clock: a client measures a recording's elapsed time
	 * against it (the session's start_us is on this clock), not its own. */
	json_object_set_new(st, "now_us", json_integer((json_int_t)ins_realtime_us()));
	json_object_set_new(st, "recording", rec ? json_pack("{s:I}", "session_id", (json_int_t)rec) : json_null());
	json_object_set_new(st, "devices", json_array());
	json_object_set_new(st, "acquisition", json_object());
	json_object_set_new(st, "queues", json_object());
	if (http->hooks.fill_status)
		http->hooks.fill_status(http->hooks.ctx, st);
	json_object_set_new(st, "database", http->store ? ins_store_status_json(http->store) : json_null());
	summarise_status(st);
	json_object_set_new(st, "live", live_json(http));
	json_object_set_new(st, "http", http_json(http));
	http_resp_json(resp, 200, st);
}

static void h_metrics(struct ins_http *http, const struct http_request *req,
		      const struct http_route *route, struct http_response *resp)
{
	const struct ins_arch_thresholds *th = &ins_arch_thresholds_cavanagh1987;
	json_t *arr = json_array();

	for (unsigned i = 0; i < INS_M_COUNT; i++) {
		json_t *m = json_pack("{s:s,s:s,s:s,s:s}", "name", ins_step_metric_info[i].name,
				      "unit", ins_step_metric_info[i].unit, "label", ins_step_metric_info[i].label,
				      "scale", ins_metric_scale_name(ins_step_metric_info[i].scale));

		/* The dashboard classifies with the analysis' own cut-offs. */
		if (i == INS_M_ARCH_INDEX)
			json_object_set_new(m, "thresholds",
					    json_pack("{s:s,s:s,s:f,s:f,s:b}", "name", th->name, "source", th->source,
						      "high_max", th->high_max, "flat_min", th->flat_min,
						      "inclusive", th->inclusive));
		json_array_append_new(arr, m);
	}
	http_resp_json(resp, 200, arr);
}

static void h_devices(struct ins_http *http, const struct http_request *req,
		      const struct http_route *route, struct http_response *resp)
{
	json_t *d = http->hooks.devices ? http->hooks.devices(http->hooks.ctx) : json_array();

	if (!d) {
		http_resp_error(resp, 503, NULL, "device list unavailable");
		return;
	}
	if (!json_is_object(d))
		d = json_pack("{s:o}", "devices", d);
	http_resp_json(resp, 200, d);
}

static json_t *layout_json(const struct ins_layout *l)
{
	json_t *outline = json_array(), *sensors = json_array();

	for (unsigned i = 0; i < l->n_outline; i++)
		json_array_append_new(outline, json_pack("[f,f]", l->outline[i][0], l->outline[i][1]));
	for (unsigned i = 0; i < l->n_sensors; i++) {
		const struct ins_sensor *s = &l->sensors[i];

		json_array_append_new(sensors, json_pack("{s:f,s:f,s:f,s:s,s:s}", "x_mm", s->x_mm, "y_mm", s->y_mm,
							 "area_mm2", s->area_mm2,
							 "region", ins_region_name(s->region), "side", ins_side_name(s->side)));
	}
	return json_pack("{s:s,s:s,s:f,s:f,s:i,s:b,s:i,s:i,s:o,s:o,s:o}", "name", l->name, "description", l->description,
			 "foot_length_mm", l->foot_length_mm, "foot_width_mm", l->foot_width_mm,
			 "n_sensors", l->n_sensors, "is_grid", l->is_grid, "grid_w", l->grid_w, "grid_h", l->grid_h,
			 "outline", outline, "sensors", sensors, "mask", http_mask_json(l));
}

static void h_layout(struct ins_http *http, const struct http_request *req,
		     const struct http_route *route, struct http_response *resp)
{
	char err[256];
	struct ins_layout *l;

	if (ins_layout_name_check(route->name, err, sizeof(err)) < 0) {
		http_resp_error(resp, 400, "name", "name: %s", err);
		return;
	}
	if (!http->layout_dir) {
		http_resp_error(resp, 404, "name", "name: no layout directory configured");
		return;
	}
	l = ins_layout_load_named(http->layout_dir, route->name, err, sizeof(err));
	if (!l) {
		http_resp_error(resp, 404, "name", "name: layout '%s' not found or unreadable", route->name);
		return;
	}
	http_resp_json(resp, 200, layout_json(l));
	ins_layout_free(l);
}

/* One layout of the list: what a person choosing an insole needs, not its
 * geometry (GET /api/layouts/NAME has that).  NULL, logged, when the file
 * does not load: one broken file leaves the others listed. */
static json_t *layout_summary_json(const char *dir, const char *name)
{
	char err[256];
	struct ins_layout *l = ins_layout_load_named(dir, name, err, sizeof(err));
	json_t *j;

	if (!l) {
		ins_warn("layout list: %s; left out", err);
		return NULL;
	}
	j = json_pack("{s:s,s:s,s:i,s:s}", "name", l->name, "description", l->description,
		      "sensors", (int)l->n_sensors, "units", ins_layout_units(l));
	ins_layout_free(l);
	return j;
}

static void h_layouts(struct ins_http *http, const struct http_request *req,
		      const struct http_route *route, struct http_response *resp)
{
	char *names[INS_LAYOUT_MAX_FILES];
	size_t n = http->layout_dir ? ins_layout_names(http->layout_dir, names, INS_LAYOUT_MAX_FILES) : 0;
	json_t *list = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *one = layout_summary_json(http->layout_dir, names[i]);

		if (one)
			json_array_append_new(list, one);
		free(names[i]);
	}
	http_resp_json(resp, 200, json_pack("{s:o}", "layouts", list));
}

/* ---- live ---------------------------------------------------------------- */

static void h_live(struct ins_http *http, const struct http_request *req,
		   const struct http_route *route, struct http_response *resp)
{
	int64_t steps;

	if (http_query_int(req, "steps", 0, INS_HTTP_MAX_LIVE_STEPS, INS_HTTP_DEFAULT_LIVE_STEPS, &steps, resp) < 0)
		return;
	if (!http->live) {
		http_resp_error(resp, 503, NULL, "live data is not available in this daemon");
		return;
	}
	resp->live_text = ins_live_snapshot_text(http->live, (size_t)steps);
	if (!resp->live_text) {
		http_resp_error(resp, 503, NULL, "out of memory building the live snapshot");
		return;
	}
	resp->status = 200;
	resp->kind = INS_RESP_LIVE_TEXT;
	resp->content_type = "application/json; charset=utf-8";
}

static void h_live_stream(struct ins_http *http, const struct http_request *req,
			  const struct http_route *route, struct http_response *resp)
{
	const char *last = req->header ? req->header(req->header_ctx, "Last-Event-ID") : NULL;
	int64_t id = 0;

	if (!http->live) {
		http_resp_error(resp, 503, NULL, "live data is not available in this daemon");
		return;
	}
	/* A garbled Last-Event-ID just means "from now": browsers send it back verbatim. */
	if (last && http_parse_int64(last, 0, INT64_MAX, &id) < 0)
		id = 0;
	resp->status = 200;
	resp->kind = INS_RESP_SSE;
	resp->content_type = "text/event-stream";
	resp->last_event_id = (uint64_t)id;
	resp->sse_live = http->live;
	http_resp_header(resp, "X-Accel-Buffering", "no");
}

/* ---- subjects ------------------------------------------------------------ */

static void h_subjects(struct ins_http *http, const struct http_request *req,
		       const struct http_route *route, struct http_response *resp)
{
	struct ins_error err = { "", "" };
	int rc = 0;
	int64_t id = 0;
	json_t *j;

	if (http_need_store(http, resp) < 0)
		return;
	if (req->method != INS_HTTP_POST) {
		j = ins_store_subject_list(http->store, &rc, &err);
		if (!j) {
			http_resp_result(resp, rc, &err);
			return;
		}
		if (json_is_array(j))
			j = json_pack("{s:o}", "subjects", j);
		http_resp_json(resp, 200, j);
		return;
	}
	j = http_body_object(req, resp);
	if (!j)
		return;
	rc = ins_store_subject_create(http->store, j, &id, &err);
	if (rc) {
		http_resp_result(resp, rc, &err);
		json_decref(j);
		return;
	}
	json_object_set_new(j, "id", json_integer(id));
	http_resp_json(resp, 201, j);
}

static void h_subject(struct ins_http *http, const struct http_request *req,
		      const struct http_route *route, struct http_response *resp)
{
	struct ins_error err = { "", "" };
	json_t *j;
	int rc;

	if (http_need_store(http, resp) < 0)
		return;
	j = http_body_object(req, resp);
	if (!j)
		return;
	rc = ins_store_subject_update(http->store, route->object_id, j, &err);
	json_decref(j);
	if (rc)
		http_resp_result(resp, rc, &err);
	else
		http_resp_json(resp, 200, json_pack("{s:b,s:I}", "ok", 1, "id", (json_int_t)route->object_id));
}

/* ---- calibration ---------------------------------------------------------- */

/* The body of a per-foot calibration request: {"foot": "left"|"right"}.
 * Returns the parsed body (caller decrefs) or NULL with resp filled. */
static json_t *foot_request(const struct http_request *req, struct http_response *resp, unsigned *foot)
{
	static const char *const allowed[] = { "foot", NULL };
	json_t *body = http_body_object(req, resp);
	const char *name;

	if (!body)
		return NULL;
	if (http_check_members(body, allowed, resp) < 0 || http_member_string(body, "foot", 1, &name, resp) < 0)
		goto fail;
	if (http_parse_foot(name, foot) < 0) {
		http_resp_error(resp, 400, "foot", "foot: expected left or right");
		goto fail;
	}
	return body;
fail:
	json_decref(body);
	return NULL;
}

static void h_tare(struct ins_http *http, const struct http_request *req,
		   const struct http_route *route, struct http_response *resp)
{
	unsigned foot;
	json_t *body = foot_request(req, resp, &foot);
	struct ins_error err = { "", "" };
	int rc;

	if (!body)
		return;
	if (!http->hooks.tare) {
		http_hook_missing(resp, "tare");
		goto out;
	}
	rc = http->hooks.tare(http->hooks.ctx, (int)foot, &err);
	if (rc)
		http_resp_result(resp, rc, &err);
	else
		http_resp_json(resp, 200, json_pack("{s:b,s:s}", "ok", 1, "foot", ins_foot_name(foot)));
out:
	json_decref(body);
}

static void h_body_weight(struct ins_http *http, const struct http_request *req,
			  const struct http_route *route, struct http_response *resp)
{
	static const char *const allowed[] = { "body_weight_kg", NULL };
	json_t *body = http_body_object(req, resp), *v;
	struct ins_error err = { "", "" };
	double kg;
	int rc;

	if (!body)
		return;
	if (http_check_members(body, allowed, resp) < 0)
		goto out;
	v = json_object_get(body, "body_weight_kg");
	kg = json_is_number(v) ? json_number_value(v) : NAN;
	if (!json_is_number(v))
		snprintf(err.msg, sizeof(err.msg), "body_weight_kg: expected a number of kilograms");
	if (!json_is_number(v) || ins_body_weight_check_kg("body_weight_kg", kg, err.msg, sizeof(err.msg)) < 0) {
		http_resp_error(resp, 400, "body_weight_kg", "%s", err.msg);
		goto out;
	}
	if (!http->hooks.set_body_weight) {
		http_hook_missing(resp, "body weight calibration");
		goto out;
	}
	rc = http->hooks.set_body_weight(http->hooks.ctx, kg * INS_GRAVITY, &err);
	if (rc)
		http_resp_result(resp, rc, &err);
	else
		http_resp_json(resp, 200, json_pack("{s:b,s:f,s:f}", "ok", 1, "body_weight_kg", kg,
							"body_weight_n", kg * INS_GRAVITY));
out:
	json_decref(body);
}

/* Blocks this connection's thread for the ~2 s measurement (bounded by
 * the hook): one request at a time, from the settings view. */
static void h_body_weight_scale(struct ins_http *http, const struct http_request *req,
				const struct http_route *route, struct http_response *resp)
{
	unsigned foot;
	json_t *body = foot_request(req, resp, &foot), *result = NULL;
	struct ins_error err = { "", "" };
	int rc;

	if (!body)
		return;
	if (!http->hooks.body_weight_scale) {
		http_hook_missing(resp, "body-weight scaling");
		goto out;
	}
	rc = http->hooks.body_weight_scale(http->hooks.ctx, (int)foot, &result, &err);
	if (rc)
		http_resp_result(resp, rc, &err);
	else
		http_resp_json(resp, 200, result);
out:
	json_decref(body);
}

static void h_login(struct ins_http *http, const struct http_request *req,
		    const struct http_route *route, struct http_response *resp)
{
	http_login(http, req, resp);
}

static void h_logout(struct ins_http *http, const struct http_request *req,
		     const struct http_route *route, struct http_response *resp)
{
	http_logout(http, req, resp);
}

static void h_compare(struct ins_http *http, const struct http_request *req,
		      const struct http_route *route, struct http_response *resp)
{
	http_compare(http, req, resp);
}

static void h_lanes(struct ins_http *http, const struct http_request *req,
		    const struct http_route *route, struct http_response *resp)
{
	http_api_lanes(http, resp);
}

static const handler_fn handlers[INS_ROUTE_COUNT] = {
	[INS_ROUTE_STATUS] = h_status,
	[INS_ROUTE_METRICS] = h_metrics,
	[INS_ROUTE_DEVICES] = h_devices,
	[INS_ROUTE_LAYOUTS] = h_layouts,
	[INS_ROUTE_LAYOUT] = h_layout,
	[INS_ROUTE_LIVE] = h_live,
	[INS_ROUTE_LIVE_STREAM] = h_live_stream,
	[INS_ROUTE_SESSIONS] = http_api_sessions,
	[INS_ROUTE_SESSIONS_IMPORT] = http_api_session_import,
	[INS_ROUTE_SESSION] = http_api_session,
	[INS_ROUTE_SESSION_STOP] = http_api_session_stop,
	[INS_ROUTE_SESSION_STEPS] = http_api_session_steps,
	[INS_ROUTE_SESSION_HEATMAP] = http_api_session_heatmap,
	[INS_ROUTE_SESSION_CURVES] = http_api_session_curves,
	[INS_ROUTE_SESSION_FRAMES] = http_api_session_frames,
	[INS_ROUTE_SESSION_REANALYZE] = http_api_session_reanalyze,
	[INS_ROUTE_SESSION_SELECTION] = http_api_session_selection,
	[INS_ROUTE_SESSION_EXPORT] = http_api_session_export,
	[INS_ROUTE_COMPARE] = h_compare,
	[INS_ROUTE_SUBJECTS] = h_subjects,
	[INS_ROUTE_SUBJECT] = h_subject,
	[INS_ROUTE_LOGIN] = h_login,
	[INS_ROUTE_LOGOUT] = h_logout,
	[INS_ROUTE_TARE] = h_tare,
	[INS_ROUTE_BODY_WEIGHT] = h_body_weight,
	[INS_ROUTE_BODY_WEIGHT_SCALE] = h_body_weight_scale,
	[INS_ROUTE_LANES] = h_lanes,
};

void http_api(struct ins_http *http, const struct http_request *req,
		  const struct http_route *route, struct http_response *resp)
{
	handler_fn h = route->id < INS_ROUTE_COUNT ? handlers[route->id] : NULL;

	if (!h) {
		http_resp_error(resp, 404, "path", "path: no such endpoint");
		return;
	}
	h(http, req, route, resp);
}
