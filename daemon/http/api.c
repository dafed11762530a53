/* The /api endpoints (docs/api.md): parse and check the request, call the
 * store, the live state or a daemon hook, shape the answer. */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "http_private.h"
#include "insoled/analysis_json.h"
#include "insoled/clock.h"
#include "insoled/import.h"
#include "insoled/layout.h"

#define G_TO_N 9.80665            /* standard gravity: kg -> N */
#define BODY_WEIGHT_MIN_KG 10.0   /* a small child */
#define BODY_WEIGHT_MAX_KG 400.0  /* above any patient a clinic scale weighs */

typedef void (*handler_fn)(struct ins_http *http, const struct ins_http_request *req,
			   const struct ins_http_route *route, struct ins_http_response *resp);

static int need_store(struct ins_http *http, struct ins_http_response *resp)
{
	if (http->store)
		return 0;
	ins_http_resp_error(resp, 503, NULL, "the database is not available");
	return -1;
}

static void hook_missing(struct ins_http_response *resp, const char *what)
{
	ins_http_resp_error(resp, 503, NULL, "%s is not available in this daemon (no acquisition pipeline)", what);
}

/* ---- status, metrics, devices, layouts ------------------------------------ */

static json_t *database_json(struct ins_store *st)
{
	struct ins_store_stats s;

	if (!st)
		return json_null();
	memset(&s, 0, sizeof(s));
	ins_store_get_stats(st, &s);
	return json_pack("{s:b,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:s}",
			 "healthy", s.healthy, "db_bytes", (json_int_t)s.db_bytes,
			 "last_commit_us", (json_int_t)s.last_commit_us,
			 "frames_queued", (json_int_t)s.frames_queued, "frames_written", (json_int_t)s.frames_written,
			 "frames_dropped", (json_int_t)s.frames_dropped, "steps_written", (json_int_t)s.steps_written,
			 "steps_dropped", (json_int_t)s.steps_dropped, "write_errors", (json_int_t)s.write_errors,
			 "commits", (json_int_t)s.commits, "queue_depth", (json_int_t)s.queue_depth,
			 "queue_capacity", (json_int_t)s.queue_capacity, "last_error", s.last_error);
}

static int64_t recording_id(struct ins_http *http)
{
	int64_t id;

	pthread_mutex_lock(&http->lock);
	id = http->recording_id;
	pthread_mutex_unlock(&http->lock);
	return id;
}

/* id 0: the session stopped_id stopped. */
static void set_recording(struct ins_http *http, int64_t id, int64_t stopped_id)
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

static void h_status(struct ins_http *http, const struct ins_http_request *req,
		     const struct ins_http_route *route, struct ins_http_response *resp)
{
	json_t *st = json_object();
	int64_t rec = recording_id(http);

	json_object_set_new(st, "version", json_string(PACKAGE_VERSION));
	json_object_set_new(st, "uptime_s", json_integer((ins_mono_us() - http->start_mono_us) / 1000000));
	json_object_set_new(st, "recording", rec ? json_pack("{s:I}", "session_id", (json_int_t)rec) : json_null());
	json_object_set_new(st, "devices", json_array());
	json_object_set_new(st, "acquisition", json_object());
	json_object_set_new(st, "queues", json_object());
	if (http->hooks.fill_status)
		http->hooks.fill_status(http->hooks.ctx, st);
	json_object_set_new(st, "database", database_json(http->store));
	summarise_status(st);
	if (http->live) {
		struct ins_live_stats ls;

		ins_live_get_stats(http->live, &ls);
		json_object_set_new(st, "live", json_pack("{s:I,s:I,s:I,s:I}", "events", (json_int_t)ls.events,
							  "frames_published", (json_int_t)ls.frames_published,
							  "clients", (json_int_t)ls.clients,
							  "clients_dropped", (json_int_t)ls.clients_dropped));
	} else {
		json_object_set_new(st, "live", json_null());
	}
	json_object_set_new(st, "http", json_pack("{s:s,s:b}", "auth", http->token ? "token" : "none",
						  "tls", http->tls_cert != NULL));
	ins_http_resp_json(resp, 200, st);
}

static void h_metrics(struct ins_http *http, const struct ins_http_request *req,
		      const struct ins_http_route *route, struct ins_http_response *resp)
{
	json_t *arr = json_array();

	for (unsigned i = 0; i < INS_M_COUNT; i++)
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s}", "name", ins_step_metric_info[i].name,
						     "unit", ins_step_metric_info[i].unit,
						     "label", ins_step_metric_info[i].label,
						     "scale", ins_metric_scale_name(ins_step_metric_info[i].scale)));
	ins_http_resp_json(resp, 200, arr);
}

static void h_devices(struct ins_http *http, const struct ins_http_request *req,
		      const struct ins_http_route *route, struct ins_http_response *resp)
{
	json_t *d = http->hooks.devices ? http->hooks.devices(http->hooks.ctx) : json_array();

	if (!d) {
		ins_http_resp_error(resp, 503, NULL, "device list unavailable");
		return;
	}
	if (!json_is_object(d))
		d = json_pack("{s:o}", "devices", d);
	ins_http_resp_json(resp, 200, d);
}

static int valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63 || s[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
			return 0;
	return 1;
}

static json_t *layout_json(const struct ins_layout *l)
{
	static const char *const regions[] = { "heel", "midfoot", "forefoot", "toes" };
	json_t *outline = json_array(), *sensors = json_array();

	for (unsigned i = 0; i < l->n_outline; i++)
		json_array_append_new(outline, json_pack("[f,f]", l->outline[i][0], l->outline[i][1]));
	for (unsigned i = 0; i < l->n_sensors; i++) {
		const struct ins_sensor *s = &l->sensors[i];

		json_array_append_new(sensors, json_pack("{s:f,s:f,s:f,s:s,s:s}", "x_mm", s->x_mm, "y_mm", s->y_mm,
							 "area_mm2", s->area_mm2,
							 "region", s->region < INS_REGION_COUNT ? regions[s->region] : "unknown",
							 "side", s->side == INS_SIDE_MEDIAL ? "medial" : "lateral"));
	}
	return json_pack("{s:s,s:s,s:f,s:f,s:i,s:b,s:i,s:i,s:o,s:o}", "name", l->name, "description", l->description,
			 "foot_length_mm", l->foot_length_mm, "foot_width_mm", l->foot_width_mm,
			 "n_sensors", l->n_sensors, "is_grid", l->is_grid, "grid_w", l->grid_w, "grid_h", l->grid_h,
			 "outline", outline, "sensors", sensors);
}

static void h_layout(struct ins_http *http, const struct ins_http_request *req,
		     const struct ins_http_route *route, struct ins_http_response *resp)
{
	char err[256];
	struct ins_layout *l;

	if (!valid_name(route->name)) {
		ins_http_resp_error(resp, 400, "name", "name: layout names are letters, digits, '_', '-', '.'");
		return;
	}
	if (!http->layout_dir) {
		ins_http_resp_error(resp, 404, "name", "name: no layout directory configured");
		return;
	}
	l = ins_layout_load_named(http->layout_dir, route->name, err, sizeof(err));
	if (!l) {
		ins_http_resp_error(resp, 404, "name", "name: layout '%s' not found or unreadable", route->name);
		return;
	}
	ins_http_resp_json(resp, 200, layout_json(l));
	ins_layout_free(l);
}

/* ---- live ---------------------------------------------------------------- */

static int query_int(const struct ins_http_request *req, const char *key, int64_t min, int64_t max,
		     int64_t def, int64_t *out, struct ins_http_response *resp)
{
	const char *v = ins_http_query(req, key);

	*out = def;
	if (!v)
		return 0;
	if (ins_http_parse_int64(v, min, max, out) < 0) {
		ins_http_resp_error(resp, 400, key, "%s: expected an integer in %" PRId64 "..%" PRId64, key, min, max);
		return -1;
	}
	return 0;
}

static void h_live(struct ins_http *http, const struct ins_http_request *req,
		   const struct ins_http_route *route, struct ins_http_response *resp)
{
	int64_t steps;

	if (query_int(req, "steps", 0, INS_HTTP_MAX_LIVE_STEPS, INS_HTTP_DEFAULT_LIVE_STEPS, &steps, resp) < 0)
		return;
	if (!http->live) {
		ins_http_resp_error(resp, 503, NULL, "live data is not available in this daemon");
		return;
	}
	resp->live_text = ins_live_snapshot_text(http->live, (size_t)steps);
	if (!resp->live_text) {
		ins_http_resp_error(resp, 503, NULL, "out of memory building the live snapshot");
		return;
	}
	resp->status = 200;
	resp->kind = INS_RESP_LIVE_TEXT;
	resp->content_type = "application/json; charset=utf-8";
	ins_http_resp_header(resp, "Cache-Control", "no-store");
}

static void h_live_stream(struct ins_http *http, const struct ins_http_request *req,
			  const struct ins_http_route *route, struct ins_http_response *resp)
{
	const char *last = req->header ? req->header(req->header_ctx, "Last-Event-ID") : NULL;
	int64_t id = 0;

	if (!http->live) {
		ins_http_resp_error(resp, 503, NULL, "live data is not available in this daemon");
		return;
	}
	/* A garbled Last-Event-ID just means "from now": browsers send it back verbatim. */
	if (last && ins_http_parse_int64(last, 0, INT64_MAX, &id) < 0)
		id = 0;
	resp->status = 200;
	resp->kind = INS_RESP_SSE;
	resp->content_type = "text/event-stream";
	resp->last_event_id = (uint64_t)id;
	ins_http_resp_header(resp, "Cache-Control", "no-store");
	ins_http_resp_header(resp, "X-Accel-Buffering", "no");
}

/* ---- sessions ------------------------------------------------------------ */

static void answer_session(struct ins_http *http, int64_t id, unsigned status, struct ins_http_response *resp)
{
	char err[256] = "";
	int rc = 0;
	json_t *s = ins_store_session_get(http->store, id, &rc, err, sizeof(err));

	if (!s) {
		ins_http_resp_store_error(resp, rc, err);
		return;
	}
	ins_http_resp_json(resp, status, s);
}

static void h_session_start(struct ins_http *http, const struct ins_http_request *req, struct ins_http_response *resp)
{
	static const char *const allowed[] = { "subject", "footwear", "notes", NULL };
	struct ins_session_meta meta = { 0 };
	json_t *body = ins_http_body_object(req, resp);
	char err[256] = "", loc[64];
	int64_t id = 0;
	int rc;

	if (!body)
		return;
	if (ins_http_check_members(body, allowed, resp) < 0 ||
	    ins_http_member_string(body, "subject", 1, &meta.subject, resp) < 0 ||
	    ins_http_member_string(body, "footwear", 0, &meta.footwear, resp) < 0 ||
	    ins_http_member_string(body, "notes", 0, &meta.notes, resp) < 0)
		goto out;
	if (!*meta.subject) {
		ins_http_resp_error(resp, 400, "subject", "subject: must not be empty");
		goto out;
	}
	if (!http->hooks.start_recording) {
		hook_missing(resp, "recording");
		goto out;
	}
	if (recording_id(http)) {
		ins_http_resp_error(resp, 409, NULL, "session %" PRId64 " is already recording: stop it first",
				    recording_id(http));
		goto out;
	}
	rc = http->hooks.start_recording(http->hooks.ctx, &meta, &id, err, sizeof(err));
	if (rc) {
		ins_http_resp_store_error(resp, rc, err);
		goto out;
	}
	set_recording(http, id, 0);
	snprintf(loc, sizeof(loc), "/api/sessions/%" PRId64, id);
	answer_session(http, id, 201, resp);
	if (resp->status != 201)
		ins_http_resp_json(resp, 201, json_pack("{s:I,s:s}", "id", (json_int_t)id, "state", "recording"));
	ins_http_resp_header(resp, "Location", loc);
	ins_info(INS_HTTP_MOD, "recording session %" PRId64 " started", id);
out:
	json_decref(body);
}

static void h_session_list(struct ins_http *http, const struct ins_http_request *req, struct ins_http_response *resp)
{
	struct ins_session_filter f = { 0 };
	int64_t from, to, offset, limit;
	char err[256] = "";
	int rc = 0;
	json_t *list;

	if (query_int(req, "from", 0, INT64_MAX, 0, &from, resp) < 0 ||
	    query_int(req, "to", 0, INT64_MAX, 0, &to, resp) < 0 ||
	    query_int(req, "offset", 0, UINT32_MAX, 0, &offset, resp) < 0 ||
	    query_int(req, "limit", 1, INS_HTTP_MAX_LIST_LIMIT, INS_HTTP_DEFAULT_LIST_LIMIT, &limit, resp) < 0)
		return;
	if (to && from > to) {
		ins_http_resp_error(resp, 400, "to", "to: earlier than from");
		return;
	}
	f.subject = ins_http_query(req, "subject");
	f.footwear = ins_http_query(req, "footwear");
	f.from_us = from;
	f.to_us = to;
	f.offset = (unsigned)offset;
	f.limit = (unsigned)limit;
	list = ins_store_session_list(http->store, &f, &rc, err, sizeof(err));
	if (!list) {
		ins_http_resp_store_error(resp, rc, err);
		return;
	}
	ins_http_resp_json(resp, 200, list);
}

static void h_sessions(struct ins_http *http, const struct ins_http_request *req,
		       const struct ins_http_route *route, struct ins_http_response *resp)
{
	if (req->method == INS_HTTP_POST)
		h_session_start(http, req, resp);
	else if (need_store(http, resp) == 0)
		h_session_list(http, req, resp);
}

static void h_session_patch(struct ins_http *http, const struct ins_http_request *req, int64_t id,
			    struct ins_http_response *resp)
{
	static const char *const allowed[] = { "subject", "footwear", "notes", NULL };
	json_t *body = ins_http_body_object(req, resp);
	const char *s;
	char err[256] = "";
	int rc;

	if (!body)
		return;
	if (ins_http_check_members(body, allowed, resp) < 0 ||
	    ins_http_member_string(body, "subject", 0, &s, resp) < 0 ||
	    ins_http_member_string(body, "footwear", 0, &s, resp) < 0 ||
	    ins_http_member_string(body, "notes", 0, &s, resp) < 0)
		goto out;
	rc = ins_store_session_update(http->store, id, body, err, sizeof(err));
	if (rc)
		ins_http_resp_store_error(resp, rc, err);
	else
		answer_session(http, id, 200, resp);
out:
	json_decref(body);
}

static void h_session(struct ins_http *http, const struct ins_http_request *req,
		      const struct ins_http_route *route, struct ins_http_response *resp)
{
	char err[256] = "";
	int rc;

	if (need_store(http, resp) < 0)
		return;
	if (req->method == INS_HTTP_PATCH) {
		h_session_patch(http, req, route->object_id, resp);
	} else if (req->method == INS_HTTP_DELETE) {
		if (recording_id(http) == route->object_id) {
			ins_http_resp_error(resp, 409, "id", "session %" PRId64 " is recording: stop it first",
					    route->object_id);
			return;
		}
		rc = ins_store_session_delete(http->store, route->object_id, err, sizeof(err));
		if (rc)
			ins_http_resp_store_error(resp, rc, err);
		else
			ins_http_resp_json(resp, 200, json_pack("{s:b,s:I}", "ok", 1, "deleted",
								(json_int_t)route->object_id));
	} else {
		answer_session(http, route->object_id, 200, resp);
	}
}

static int session_state_is(struct ins_http *http, int64_t id, const char *state, struct ins_http_response *resp)
{
	char err[256] = "";
	int rc = 0, is;
	json_t *s = ins_store_session_get(http->store, id, &rc, err, sizeof(err));

	if (!s) {
		ins_http_resp_store_error(resp, rc, err);
		return -1;
	}
	is = json_is_string(json_object_get(s, "state")) &&
	     strcmp(json_string_value(json_object_get(s, "state")), state) == 0;
	json_decref(s);
	return is;
}

static void h_session_stop(struct ins_http *http, const struct ins_http_request *req,
			   const struct ins_http_route *route, struct ins_http_response *resp)
{
	int64_t id = route->object_id;
	char err[256] = "";
	int rc, recording;

	if (need_store(http, resp) < 0)
		return;
	recording = session_state_is(http, id, "recording", resp);
	if (recording < 0)
		return;
	if (!recording) {
		ins_http_resp_error(resp, 409, "id", "session %" PRId64 " is not recording", id);
		return;
	}
	if (!http->hooks.stop_recording) {
		hook_missing(resp, "recording");
		return;
	}
	rc = http->hooks.stop_recording(http->hooks.ctx, id, err, sizeof(err));
	if (rc) {
		ins_http_resp_store_error(resp, rc, err);
		return;
	}
	if (recording_id(http) == id)
		set_recording(http, 0, id);
	ins_info(INS_HTTP_MOD, "recording session %" PRId64 " stopped", id);
	answer_session(http, id, 200, resp);
}

static void h_session_steps(struct ins_http *http, const struct ins_http_request *req,
			    const struct ins_http_route *route, struct ins_http_response *resp)
{
	char err[256] = "";
	int rc = 0;
	json_t *steps;

	if (need_store(http, resp) < 0)
		return;
	steps = ins_store_session_steps(http->store, route->object_id, &rc, err, sizeof(err));
	if (!steps) {
		ins_http_resp_store_error(resp, rc, err);
		return;
	}
	if (json_is_array(steps))
		steps = json_pack("{s:o}", "steps", steps);
	ins_http_resp_json(resp, 200, steps);
}

int ins_http_query_heatmap_kind(const struct ins_http_request *req, const char **kind, struct ins_http_response *resp)
{
	*kind = ins_http_query(req, "kind");
	if (!*kind)
		*kind = "peak";
	if (strcmp(*kind, "peak") != 0 && strcmp(*kind, "mean") != 0) {
		ins_http_resp_error(resp, 400, "kind", "kind: expected peak or mean");
		return -1;
	}
	return 0;
}

static void h_session_heatmap(struct ins_http *http, const struct ins_http_request *req,
			      const struct ins_http_route *route, struct ins_http_response *resp)
{
	const char *kind;
	unsigned foot;
	char err[256] = "";
	int rc = 0;
	json_t *hm;

	if (ins_http_parse_foot(ins_http_query(req, "foot"), &foot) < 0) {
		ins_http_resp_error(resp, 400, "foot", "foot: expected left or right");
		return;
	}
	if (ins_http_query_heatmap_kind(req, &kind, resp) < 0 || need_store(http, resp) < 0)
		return;
	hm = ins_store_session_heatmap(http->store, route->object_id, foot, kind, &rc, err, sizeof(err));
	if (!hm) {
		ins_http_resp_store_error(resp, rc, err);
		return;
	}
	json_object_set_new(hm, "foot", json_string(ins_foot_name(foot)));
	json_object_set_new(hm, "kind", json_string(kind));
	ins_http_resp_json(resp, 200, hm);
}

/* The report's averaged force curves and gait lines, computed here and not
 * in the browser so a printed curve comes from the one analysis. */
static void h_session_curves(struct ins_http *http, const struct ins_http_request *req,
			     const struct ins_http_route *route, struct ins_http_response *resp)
{
	char err[256] = "";
	int rc = 0;
	json_t *curves;

	if (need_store(http, resp) < 0)
		return;
	curves = ins_store_session_curves(http->store, route->object_id, &rc, err, sizeof(err));
	if (!curves) {
		ins_http_resp_store_error(resp, rc, err);
		return;
	}
	ins_http_resp_json(resp, 200, curves);
}

static void h_session_reanalyze(struct ins_http *http, const struct ins_http_request *req,
				const struct ins_http_route *route, struct ins_http_response *resp)
{
	char err[256] = "";
	int rc;

	if (need_store(http, resp) < 0)
		return;
	rc = ins_store_session_reanalyze(http->store, route->object_id, err, sizeof(err));
	if (rc)
		ins_http_resp_store_error(resp, rc, err);
	else
		answer_session(http, route->object_id, 200, resp);
}

static void h_session_export(struct ins_http *http, const struct ins_http_request *req,
			     const struct ins_http_route *route, struct ins_http_response *resp)
{
	static const struct { const char *file; enum ins_export_kind kind; const char *type; } files[] = {
		{ "frames.csv", INS_EXPORT_FRAMES_CSV, "text/csv; charset=utf-8" },
		{ "steps.csv", INS_EXPORT_STEPS_CSV, "text/csv; charset=utf-8" },
		{ "summary.json", INS_EXPORT_SUMMARY_JSON, "application/json; charset=utf-8" },
	};
	char err[256] = "", disp[128];
	int rc = 0;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (strcmp(route->name, files[i].file) != 0)
			continue;
		if (need_store(http, resp) < 0)
			return;
		resp->export = ins_store_export_open(http->store, route->object_id, files[i].kind, &rc, err, sizeof(err));
		if (!resp->export) {
			ins_http_resp_store_error(resp, rc, err);
			return;
		}
		resp->status = 200;
		resp->kind = INS_RESP_EXPORT;
		resp->content_type = files[i].type;
		snprintf(disp, sizeof(disp), "attachment; filename=\"session-%" PRId64 "-%s\"", route->object_id,
			 files[i].file);
		ins_http_resp_header(resp, "Content-Disposition", disp);
		return;
	}
	ins_http_resp_error(resp, 404, "path", "path: exports are frames.csv, steps.csv and summary.json");
}

static void h_session_import(struct ins_http *http, const struct ins_http_request *req,
			     const struct ins_http_route *route, struct ins_http_response *resp)
{
	static const char *const formats[] = { "auto", "gaitndd", "gaitpdb", "moticon", "insoled", NULL };
	struct ins_session_meta meta = { 0 };
	const char *format = ins_http_query(req, "format");
	const char *ct = req->header ? req->header(req->header_ctx, "Content-Type") : NULL;
	char err[256] = "";
	int64_t id = 0;
	size_t i;
	int rc;

	/* The body is the file itself; a browser form would wrap it. */
	if (ct && strncasecmp(ct, "multipart/", 10) == 0) {
		ins_http_resp_error(resp, 415, "Content-Type",
				    "Content-Type: send the recording as the raw body, not a multipart form");
		return;
	}
	meta.subject = ins_http_query(req, "subject");
	meta.footwear = ins_http_query(req, "footwear");
	meta.notes = ins_http_query(req, "notes");
	if (!meta.subject || !*meta.subject) {
		ins_http_resp_error(resp, 400, "subject", "subject: required");
		return;
	}
	for (i = 0; format && formats[i]; i++)
		if (strcmp(format, formats[i]) == 0)
			break;
	if (format && !formats[i]) {
		ins_http_resp_error(resp, 400, "format", "format: expected auto, gaitndd, gaitpdb, moticon or insoled");
		return;
	}
	if (!req->upload_path) {
		ins_http_resp_error(resp, 400, "body", "body: empty upload (send the recording file as the body)");
		return;
	}
	if (format && strcmp(format, "auto") != 0) {
		const char *found = ins_import_detect(req->upload_path, err, sizeof(err));

		if (!found || strcmp(found, format) != 0) {
			ins_http_resp_error(resp, 400, "format", "format: the upload does not look like %s (%s)", format,
					    found ? found : "unrecognised");
			return;
		}
	}
	if (need_store(http, resp) < 0)
		return;
	rc = ins_store_session_import(http->store, req->upload_path, &meta, &id, err, sizeof(err));
	if (rc) {
		ins_http_resp_store_error(resp, rc, err);
		return;
	}
	ins_info(INS_HTTP_MOD, "imported a recording as session %" PRId64, id);
	answer_session(http, id, 201, resp);
}

/* ---- subjects ------------------------------------------------------------ */

static void h_subjects(struct ins_http *http, const struct ins_http_request *req,
		       const struct ins_http_route *route, struct ins_http_response *resp)
{
	char err[256] = "";
	int rc = 0;
	int64_t id = 0;
	json_t *j;

	if (need_store(http, resp) < 0)
		return;
	if (req->method != INS_HTTP_POST) {
		j = ins_store_subject_list(http->store, &rc, err, sizeof(err));
		if (!j) {
			ins_http_resp_store_error(resp, rc, err);
			return;
		}
		if (json_is_array(j))
			j = json_pack("{s:o}", "subjects", j);
		ins_http_resp_json(resp, 200, j);
		return;
	}
	j = ins_http_body_object(req, resp);
	if (!j)
		return;
	rc = ins_store_subject_create(http->store, j, &id, err, sizeof(err));
	if (rc) {
		ins_http_resp_store_error(resp, rc, err);
		json_decref(j);
		return;
	}
	json_object_set_new(j, "id", json_integer(id));
	ins_http_resp_json(resp, 201, j);
}

static void h_subject(struct ins_http *http, const struct ins_http_request *req,
		      const struct ins_http_route *route, struct ins_http_response *resp)
{
	char err[256] = "";
	json_t *j;
	int rc;

	if (need_store(http, resp) < 0)
		return;
	j = ins_http_body_object(req, resp);
	if (!j)
		return;
	rc = ins_store_subject_update(http->store, route->object_id, j, err, sizeof(err));
	json_decref(j);
	if (rc)
		ins_http_resp_store_error(resp, rc, err);
	else
		ins_http_resp_json(resp, 200, json_pack("{s:b,s:I}", "ok", 1, "id", (json_int_t)route->object_id));
}

/* ---- calibration ---------------------------------------------------------- */

/* The body of a per-foot calibration request: {"foot": "left"|"right"}.
 * Returns the parsed body (caller decrefs) or NULL with resp filled. */
static json_t *foot_request(const struct ins_http_request *req, struct ins_http_response *resp, unsigned *foot)
{
	static const char *const allowed[] = { "foot", NULL };
	json_t *body = ins_http_body_object(req, resp);
	const char *name;

	if (!body)
		return NULL;
	if (ins_http_check_members(body, allowed, resp) < 0 || ins_http_member_string(body, "foot", 1, &name, resp) < 0)
		goto fail;
	if (ins_http_parse_foot(name, foot) < 0) {
		ins_http_resp_error(resp, 400, "foot", "foot: expected left or right");
		goto fail;
	}
	return body;
fail:
	json_decref(body);
	return NULL;
}

static void h_tare(struct ins_http *http, const struct ins_http_request *req,
		   const struct ins_http_route *route, struct ins_http_response *resp)
{
	unsigned foot;
	json_t *body = foot_request(req, resp, &foot);
	char err[256] = "";
	int rc;

	if (!body)
		return;
	if (!http->hooks.tare) {
		hook_missing(resp, "tare");
		goto out;
	}
	rc = http->hooks.tare(http->hooks.ctx, (int)foot, err, sizeof(err));
	if (rc)
		ins_http_resp_store_error(resp, rc, err);
	else
		ins_http_resp_json(resp, 200, json_pack("{s:b,s:s}", "ok", 1, "foot", ins_foot_name(foot)));
out:
	json_decref(body);
}

static void h_body_weight(struct ins_http *http, const struct ins_http_request *req,
			  const struct ins_http_route *route, struct ins_http_response *resp)
{
	static const char *const allowed[] = { "body_weight_kg", NULL };
	json_t *body = ins_http_body_object(req, resp), *v;
	char err[256] = "";
	double kg;
	int rc;

	if (!body)
		return;
	if (ins_http_check_members(body, allowed, resp) < 0)
		goto out;
	v = json_object_get(body, "body_weight_kg");
	kg = json_is_number(v) ? json_number_value(v) : NAN;
	if (!(kg >= BODY_WEIGHT_MIN_KG && kg <= BODY_WEIGHT_MAX_KG)) {
		ins_http_resp_error(resp, 400, "body_weight_kg", "body_weight_kg: expected a number in %g..%g",
				    BODY_WEIGHT_MIN_KG, BODY_WEIGHT_MAX_KG);
		goto out;
	}
	if (!http->hooks.set_body_weight) {
		hook_missing(resp, "body weight calibration");
		goto out;
	}
	rc = http->hooks.set_body_weight(http->hooks.ctx, kg * G_TO_N, err, sizeof(err));
	if (rc)
		ins_http_resp_store_error(resp, rc, err);
	else
		ins_http_resp_json(resp, 200, json_pack("{s:b,s:f,s:f}", "ok", 1, "body_weight_kg", kg,
							"body_weight_n", kg * G_TO_N));
out:
	json_decref(body);
}

/* Blocks this connection's thread for the ~2 s measurement (bounded by
 * the hook): one request at a time, from the settings view. */
static void h_body_weight_scale(struct ins_http *http, const struct ins_http_request *req,
				const struct ins_http_route *route, struct ins_http_response *resp)
{
	unsigned foot;
	json_t *body = foot_request(req, resp, &foot), *result = NULL;
	char err[256] = "";
	int rc;

	if (!body)
		return;
	if (!http->hooks.body_weight_scale) {
		hook_missing(resp, "body-weight scaling");
		goto out;
	}
	rc = http->hooks.body_weight_scale(http->hooks.ctx, (int)foot, &result, err, sizeof(err));
	if (rc)
		ins_http_resp_store_error(resp, rc, err);
	else
		ins_http_resp_json(resp, 200, result);
out:
	json_decref(body);
}

static void h_login(struct ins_http *http, const struct ins_http_request *req,
		    const struct ins_http_route *route, struct ins_http_response *resp)
{
	ins_http_login(http, req, resp);
}

static void h_logout(struct ins_http *http, const struct ins_http_request *req,
		     const struct ins_http_route *route, struct ins_http_response *resp)
{
	ins_http_logout(http, req, resp);
}

static void h_compare(struct ins_http *http, const struct ins_http_request *req,
		      const struct ins_http_route *route, struct ins_http_response *resp)
{
	ins_http_compare(http, req, resp);
}

static const handler_fn handlers[INS_ROUTE_COUNT] = {
	[INS_ROUTE_STATUS] = h_status,
	[INS_ROUTE_METRICS] = h_metrics,
	[INS_ROUTE_DEVICES] = h_devices,
	[INS_ROUTE_LAYOUT] = h_layout,
	[INS_ROUTE_LIVE] = h_live,
	[INS_ROUTE_LIVE_STREAM] = h_live_stream,
	[INS_ROUTE_SESSIONS] = h_sessions,
	[INS_ROUTE_SESSIONS_IMPORT] = h_session_import,
	[INS_ROUTE_SESSION] = h_session,
	[INS_ROUTE_SESSION_STOP] = h_session_stop,
	[INS_ROUTE_SESSION_STEPS] = h_session_steps,
	[INS_ROUTE_SESSION_HEATMAP] = h_session_heatmap,
	[INS_ROUTE_SESSION_CURVES] = h_session_curves,
	[INS_ROUTE_SESSION_REANALYZE] = h_session_reanalyze,
	[INS_ROUTE_SESSION_EXPORT] = h_session_export,
	[INS_ROUTE_COMPARE] = h_compare,
	[INS_ROUTE_SUBJECTS] = h_subjects,
	[INS_ROUTE_SUBJECT] = h_subject,
	[INS_ROUTE_LOGIN] = h_login,
	[INS_ROUTE_LOGOUT] = h_logout,
	[INS_ROUTE_TARE] = h_tare,
	[INS_ROUTE_BODY_WEIGHT] = h_body_weight,
	[INS_ROUTE_BODY_WEIGHT_SCALE] = h_body_weight_scale,
};

void ins_http_api(struct ins_http *http, const struct ins_http_request *req,
		  const struct ins_http_route *route, struct ins_http_response *resp)
{
	handler_fn h = route->id < INS_ROUTE_COUNT ? handlers[route->id] : NULL;

	if (!h) {
		ins_http_resp_error(resp, 404, "path", "path: no such endpoint");
		return;
	}
	h(http, req, route, resp);
}
