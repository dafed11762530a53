/* The /api/sessions endpoints (docs/api.md): record, list, edit, stop,
 * steps, heatmaps, curves, re-analysis, exports and imports of sessions. */
#include <config.h>

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_priv.h"
#include "insoled/utf8.h"
#include "insoled/clock.h"
#include "insoled/import.h"

#define LOG_PREFIX "http"

/* ---- sessions ------------------------------------------------------------ */

/* Session id as JSON, or NULL with the error answered. */
static json_t *session_or_answer(struct ins_http *http, int64_t id, struct http_response *resp)
{
	struct ins_error err = { "", "" };
	int rc = 0;
	json_t *s = ins_store_session_get(http->store, id, &rc, &err);

	if (!s)
		http_resp_result(resp, rc, &err);
	return s;
}

static void answer_session(struct ins_http *http, int64_t id, unsigned status, struct http_response *resp)
{
	json_t *s = session_or_answer(http, id, resp);

	if (s)
		http_resp_json(resp, status, s);
}

static void h_session_start(struct ins_http *http, const struct http_request *req, struct http_response *resp)
{
	static const char *const allowed[] = { "subject", "footwear", "notes", NULL };
	struct ins_session_meta meta = { 0 };
	json_t *body = http_body_object(req, resp);
	struct ins_error err = { "", "" };
	char loc[64];
	int64_t id = 0;
	int rc;

	if (!body)
		return;
	if (http_check_members(body, allowed, resp) < 0 ||
	    http_member_string(body, "subject", 1, &meta.subject, resp) < 0 ||
	    http_member_string(body, "footwear", 0, &meta.footwear, resp) < 0 ||
	    http_member_string(body, "notes", 0, &meta.notes, resp) < 0)
		goto out;
	if (!*meta.subject) {
		http_resp_error(resp, 400, "subject", "subject: must not be empty");
		goto out;
	}
	if (!http->hooks.start_recording) {
		http_hook_missing(resp, "recording");
		goto out;
	}
	if (http_recording_id(http)) {
		http_resp_error(resp, 409, NULL, "session %" PRId64 " is already recording: stop it first",
				    http_recording_id(http));
		goto out;
	}
	rc = http->hooks.start_recording(http->hooks.ctx, &meta, &id, &err);
	if (rc) {
		http_resp_result(resp, rc, &err);
		goto out;
	}
	http_set_recording(http, id, 0);
	snprintf(loc, sizeof(loc), "/api/sessions/%" PRId64, id);
	answer_session(http, id, 201, resp);
	if (resp->status != 201)
		http_resp_json(resp, 201, json_pack("{s:I,s:s}", "id", (json_int_t)id, "state", "recording"));
	http_resp_header(resp, "Location", loc);
	ins_info("recording session %" PRId64 " started", id);
out:
	json_decref(body);
}

static void h_session_list(struct ins_http *http, const struct http_request *req, struct http_response *resp)
{
	struct ins_http *root = http->parent ? http->parent : http;
	struct ins_session_filter f = { 0 };
	int64_t from, to, offset, limit, built;
	uint64_t writes;
	struct ins_error err = { "", "" };
	int rc = 0;
	json_t *list;

	if (http_query_int(req, "from", 0, INT64_MAX, 0, &from, resp) < 0 ||
	    http_query_int(req, "to", 0, INT64_MAX, 0, &to, resp) < 0 ||
	    http_query_int(req, "offset", 0, UINT32_MAX, 0, &offset, resp) < 0 ||
	    http_query_int(req, "limit", 1, INS_HTTP_MAX_LIST_LIMIT, INS_HTTP_DEFAULT_LIST_LIMIT, &limit, resp) < 0)
		return;
	if (to && from > to) {
		http_resp_error(resp, 400, "to", "to: earlier than from");
		return;
	}
	f.subject = http_query(req, "subject");
	f.footwear = http_query(req, "footwear");
	f.lane = http_lane_filter(req);
	f.from_us = from;
	f.to_us = to;
	f.offset = (unsigned)offset;
	f.limit = (unsigned)limit;
	/* The server's one cache and count of changes, also for a lane's view:
	 * a change made through any route shows in every list at once. */
	if (http_list_cache_get(root, req, resp))
		return;
	writes = atomic_load(&root->writes);
	built = ins_mono_us();
	list = ins_store_session_list(http->store, &f, &rc, &err);
	if (!list) {
		http_resp_result(resp, rc, &err);
		return;
	}
	http_resp_json(resp, 200, list);
	http_list_cache_put(root, req, writes, built, resp);
}

void http_api_sessions(struct ins_http *http, const struct http_request *req,
			   const struct http_route *route, struct http_response *resp)
{
	if (req->method == INS_HTTP_POST)
		h_session_start(http, req, resp);
	else if (http_need_store(http, resp) == 0)
		h_session_list(http, req, resp);
}

static void h_session_patch(struct ins_http *http, const struct http_request *req, int64_t id,
			    struct http_response *resp)
{
	static const char *const allowed[] = { "subject", "footwear", "notes", NULL };
	json_t *body = http_body_object(req, resp);
	const char *s;
	struct ins_error err = { "", "" };
	int rc;

	if (!body)
		return;
	if (http_check_members(body, allowed, resp) < 0 ||
	    http_member_string(body, "subject", 0, &s, resp) < 0 ||
	    http_member_string(body, "footwear", 0, &s, resp) < 0 ||
	    http_member_string(body, "notes", 0, &s, resp) < 0)
		goto out;
	rc = ins_store_session_update(http->store, id, body, &err);
	if (rc)
		http_resp_result(resp, rc, &err);
	else
		answer_session(http, id, 200, resp);
out:
	json_decref(body);
}

void http_api_session(struct ins_http *http, const struct http_request *req,
			  const struct http_route *route, struct http_response *resp)
{
	struct ins_error err = { "", "" };
	int rc;

	if (http_need_store(http, resp) < 0)
		return;
	if (req->method == INS_HTTP_PATCH) {
		h_session_patch(http, req, route->object_id, resp);
	} else if (req->method == INS_HTTP_DELETE) {
		if (http_recording_id(http) == route->object_id) {
			http_resp_error(resp, 409, "id", "session %" PRId64 " is recording: stop it first",
					    route->object_id);
			return;
		}
		rc = ins_store_session_delete(http->store, route->object_id, &err);
		if (rc)
			http_resp_result(resp, rc, &err);
		else
			http_resp_json(resp, 200, json_pack("{s:b,s:I}", "ok", 1, "deleted",
								(json_int_t)route->object_id));
	} else {
		answer_session(http, route->object_id, 200, resp);
	}
}

static int session_state_is(struct ins_http *http, int64_t id, const char *state, struct http_response *resp)
{
	struct ins_error err = { "", "" };
	int rc = 0, is;
	json_t *s = ins_store_session_get(http->store, id, &rc, &err);

	if (!s) {
		http_resp_result(resp, rc, &err);
		return -1;
	}
	is = json_is_string(json_object_get(s, "state")) &&
	     strcmp(json_string_value(json_object_get(s, "state")), state) == 0;
	json_decref(s);
	return is;
}

void http_api_session_stop(struct ins_http *http, const struct http_request *req,
			       const struct http_route *route, struct http_response *resp)
{
	int64_t id = route->object_id;
	struct ins_error err = { "", "" };
	int rc, recording;

	if (http_need_store(http, resp) < 0)
		return;
	recording = session_state_is(http, id, "recording", resp);
	if (recording < 0)
		return;
	if (!recording) {
		http_resp_error(resp, 409, "id", "session %" PRId64 " is not recording", id);
		return;
	}
	if (!http->hooks.stop_recording) {
		http_hook_missing(resp, "recording");
		return;
	}
	rc = http->hooks.stop_recording(http->hooks.ctx, id, &err);
	if (rc) {
		http_resp_result(resp, rc, &err);
		return;
	}
	http_lanes_stopped(http, id);
	ins_info("recording session %" PRId64 " stopped", id);
	answer_session(http, id, 200, resp);
}

void http_api_session_steps(struct ins_http *http, const struct http_request *req,
				const struct http_route *route, struct http_response *resp)
{
	struct ins_error err = { "", "" };
	int rc = 0;
	json_t *steps;

	if (http_need_store(http, resp) < 0)
		return;
	steps = ins_store_session_steps(http->store, route->object_id, &rc, &err);
	if (!steps) {
		http_resp_result(resp, rc, &err);
		return;
	}
	if (json_is_array(steps))
		steps = json_pack("{s:o}", "steps", steps);
	http_resp_json(resp, 200, steps);
}

/* The required ?foot=left|right of a session's per-foot answers. */
static int query_foot(const struct http_request *req, unsigned *foot, struct http_response *resp)
{
	if (http_parse_foot(http_query(req, "foot"), foot) < 0) {
		http_resp_error(resp, 400, "foot", "foot: expected left or right");
		return -1;
	}
	return 0;
}

void http_api_session_heatmap(struct ins_http *http, const struct http_request *req,
				  const struct http_route *route, struct http_response *resp)
{
	const char *kind;
	unsigned foot;
	struct ins_error err = { "", "" };
	int rc = 0;
	json_t *hm;

	if (query_foot(req, &foot, resp) < 0 || http_query_heatmap_kind(req, &kind, resp) < 0 ||
	    http_need_store(http, resp) < 0)
		return;
	hm = ins_store_session_heatmap(http->store, route->object_id, foot, kind, &rc, &err);
	if (!hm) {
		http_resp_result(resp, rc, &err);
		return;
	}
	json_object_set_new(hm, "foot", json_string(ins_foot_name(foot)));
	json_object_set_new(hm, "kind", json_string(kind));
	http_resp_json(resp, 200, hm);
}

/* The report's averaged force curves and gait lines, computed here and not
 * in the browser so a printed curve comes from the one analysis. */
void http_api_session_curves(struct ins_http *http, const struct http_request *req,
				 const struct http_route *route, struct http_response *resp)
{
	struct ins_error err = { "", "" };
	int rc = 0;
	json_t *curves;

	if (http_need_store(http, resp) < 0)
		return;
	curves = ins_store_session_curves(http->store, route->object_id, &rc, &err);
	if (!curves) {
		http_resp_result(resp, rc, &err);
		return;
	}
	http_resp_json(resp, 200, curves);
}

/* One foot's frames for the report's playback (time, force, CoP, stance,
 * every sensor) and its steps. */
void http_api_session_frames(struct ins_http *http, const struct http_request *req,
				 const struct http_route *route, struct http_response *resp)
{
	unsigned foot;
	struct ins_error err = { "", "" };
	int rc = 0;
	json_t *fr;

	if (query_foot(req, &foot, resp) < 0 || http_need_store(http, resp) < 0)
		return;
	fr = ins_store_session_frames(http->store, route->object_id, foot, &rc, &err);
	if (!fr) {
		http_resp_result(resp, rc, &err);
		return;
	}
	http_resp_json(resp, 200, fr);
}

void http_api_session_reanalyze(struct ins_http *http, const struct http_request *req,
				    const struct http_route *route, struct http_response *resp)
{
	struct ins_error err = { "", "" };
	int rc;

	if (http_need_store(http, resp) < 0)
		return;
	rc = ins_store_session_reanalyze(http->store, route->object_id, &err);
	if (rc)
		http_resp_result(resp, rc, &err);
	else
		answer_session(http, route->object_id, 200, resp);
}

/* The user's step selection: stored with the session, the summary follows. */
void http_api_session_selection(struct ins_http *http, const struct http_request *req,
				    const struct http_route *route, struct http_response *resp)
{
	struct ins_error err = { "", "" };
	json_t *body;
	int rc;

	if (http_need_store(http, resp) < 0 || !(body = http_body_object(req, resp)))
		return;
	if (http_recording_id(http) == route->object_id) {
		http_resp_error(resp, 409, "id", "session %" PRId64 " is recording: stop it first", route->object_id);
		json_decref(body);
		return;
	}
	rc = ins_store_session_select(http->store, route->object_id, body, &err);
	json_decref(body);
	if (rc)
		http_resp_result(resp, rc, &err);
	else
		answer_session(http, route->object_id, 200, resp);
}

void http_api_session_export(struct ins_http *http, const struct http_request *req,
				 const struct http_route *route, struct http_response *resp)
{
	static const struct { const char *file; enum ins_export_kind kind; const char *type; } files[] = {
		{ "frames.csv", INS_EXPORT_FRAMES_CSV, "text/csv; charset=utf-8" },
		{ "steps.csv", INS_EXPORT_STEPS_CSV, "text/csv; charset=utf-8" },
		{ "summary.json", INS_EXPORT_SUMMARY_JSON, "application/json; charset=utf-8" },
		{ "frames-counts.csv", INS_EXPORT_FRAMES_COUNTS_CSV, "text/csv; charset=utf-8" },
		{ "frame-metrics.csv", INS_EXPORT_FRAME_METRICS_CSV, "text/csv; charset=utf-8" },
	};
	struct ins_error err = { "", "" };
	char disp[128];
	int rc = 0;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (strcmp(route->name, files[i].file) != 0)
			continue;
		if (http_need_store(http, resp) < 0)
			return;
		resp->export = ins_store_export_open(http->store, route->object_id, files[i].kind, &rc, &err);
		if (!resp->export) {
			http_resp_result(resp, rc, &err);
			return;
		}
		resp->status = 200;
		resp->kind = INS_RESP_EXPORT;
		resp->content_type = files[i].type;
		snprintf(disp, sizeof(disp), "attachment; filename=\"session-%" PRId64 "-%s\"", route->object_id,
			 files[i].file);
		http_resp_header(resp, "Content-Disposition", disp);
		return;
	}
	http_resp_error(resp, 404, "path", "path: exports are frames.csv, steps.csv, summary.json, "
			   "frames-counts.csv and frame-metrics.csv");
}

/* What an import reads: the request body, or the recording a form
 * carried (one file, or a gaitndd record's three) split out beside it.
 * Messages name it as the client does: tmp, where it appears in them (the
 * body's temporary file, the form's private folder), is replaced by shown. */
struct import_upload {
	const char *path;              /* the file the importer opens */
	const char *name;              /* the client's name of it */
	const char *tmp, *shown;
	char path_buf[sizeof(((struct http_form_files *)0)->dir) + INS_HTTP_MAX_UPLOAD_NAME + 2];
	char dir_slash[sizeof(((struct http_form_files *)0)->dir) + 1];
	struct http_form_files form;
};

/* The file's name on the client, the `name` query parameter: "upload" when
 * none is given (a form's file names itself instead), NULL when it is not
 * a name messages may print (http_file_name_ok). */
static const char *upload_name(const struct http_request *req)
{
	const char *name = http_query(req, "name");

	if (!name || !*name)
		return "upload";
	return http_file_name_ok(name, strlen(name)) ? name : NULL;
}

/* The importers name the file they read: the client's name instead.  The
 * text rewritten is as long as any error message may be: the list of the
 * formats read, after a file that is none of them, runs past 256 bytes. */
static void name_the_upload(const struct import_upload *u, char *err, size_t errlen)
{
	char out[INS_ERROR_MSG_MAX];
	size_t tl = u->tmp ? strlen(u->tmp) : 0, o = 0;

	if (!tl)
		return;
	for (const char *p = err; *p && o + 1 < sizeof(out);) {
		if (strncmp(p, u->tmp, tl) == 0) {
			o += (size_t)snprintf(out + o, sizeof(out) - o, "%s", u->shown);
			if (o >= sizeof(out))
				o = sizeof(out) - 1;
			p += tl;
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = '\0';
	snprintf(err, errlen, "%s", out);
}

/* {"left": n, "right": n} of a per-foot count. */
static json_t *per_foot(const unsigned long n[INS_FOOT_COUNT])
{
	return json_pack("{s:I, s:I}", "left", (json_int_t)n[INS_FOOT_LEFT], "right", (json_int_t)n[INS_FOOT_RIGHT]);
}

/* The imported session, with the samples the reader put back in order or
 * read once, and the warning when the file was cut short and the session
 * holds the good frames before the bad line. */
static void answer_import(struct ins_http *http, int64_t id, const char *warning,
			  const struct ins_session_import_counts *counts, struct http_response *resp)
{
	json_t *s = session_or_answer(http, id, resp), *agreement;

	if (!s)
		return;
	json_object_set_new(s, "reordered_samples", per_foot(counts->reordered));
	json_object_set_new(s, "repeated_samples", per_foot(counts->repeated));
	json_object_set_new(s, "start_from_file", json_boolean(counts->start_from_file));
	if ((agreement = ins_import_agreement_json(counts->agree, counts->events)))
		json_object_set_new(s, "file_agreement", agreement);
	if (*warning)
		json_object_set_new(s, "warning", json_string(warning));
	http_resp_json(resp, 201, s);
}

/* The 409 of a recording already stored: the store's message with how to
 * import it anyway, and the session holding it ("existing"), so that a
 * client can offer to open it. */
static void answer_duplicate(struct ins_http *http, const struct import_upload *u, int64_t id,
			     const struct ins_error *err, struct http_response *resp)
{
	static const char *const keep[] = { "subject", "footwear", "start_us", "imported_us", "source",
					    "fingerprint", NULL };
	struct ins_error gerr = { "", "" };
	int grc = 0;
	json_t *s = ins_store_session_get(http->store, id, &grc, &gerr);
	const char *source = s ? json_string_value(json_object_get(s, "source")) : NULL;
	const char *format = source ? strchr(source, ':') : NULL, *name = format ? strchr(format + 1, ':') : NULL;
	json_t *existing = json_pack("{s:I}", "id", (json_int_t)id);
	json_t *msg = json_sprintf("%s: %s; to import it again as another session, send it again with "
				   "duplicate=allow", u->name, err->msg);

	if (!msg) /* out of memory, or a name that is not UTF-8: the message without the names */
		msg = json_sprintf("already stored as session %" PRId64 "; to import it again as another session, "
				   "send it again with duplicate=allow", id);
	if (name && existing)
		json_object_set_new(existing, "name", json_string(name + 1));
	for (size_t i = 0; s && existing && keep[i]; i++)
		json_object_set(existing, keep[i], json_object_get(s, keep[i]));
	/* as the answer of an import says it: false when start_us is the day of the import */
	if (s && existing)
		json_object_set_new(existing, "start_from_file",
				    json_boolean(!ins_session_notes_undated(json_string_value(json_object_get(s, "notes")))));
	json_decref(s);
	http_resp_json(resp, 409, json_pack("{s:o?, s:s, s:o?}", "error", msg, "field", "duplicate",
					    "existing", existing));
}

/* layout=NAME: the layout of every foot the file holds, in place of the
 * one its reader suggests (as --analyze --layout): for an insole the
 * reader does not know, or a file read with the wrong one. */
static int import_layout_param(const struct http_request *req, struct ins_session_meta *meta,
			       struct http_response *resp)
{
	const char *layout = http_query(req, "layout");
	char why[128];

	if (!layout)
		return 0;
	if (ins_layout_name_check(layout, why, sizeof(why)) < 0) {
		http_resp_error(resp, 400, "layout", "layout: %s", why);
		return -1;
	}
	for (unsigned f = 0; f < INS_FOOT_COUNT; f++)
		meta->layout[f] = layout;
	return 0;
}

/* The session details and switches of an import from the query; -1 with
 * the answer made when one is wrong. */
static int import_params(const struct http_request *req, struct ins_session_meta *meta, struct http_response *resp)
{
	static const char *const formats[] = { "auto", "gaitndd", "gaitpdb", "moticon", "insoled", "pedar",
					       "fscan", "xsensor", "stappone", NULL };
	const char *format = http_query(req, "format"), *duplicate = http_query(req, "duplicate");
	size_t i;

	meta->subject = http_query(req, "subject");
	meta->footwear = http_query(req, "footwear");
	meta->notes = http_query(req, "notes");
	meta->file_name = upload_name(req);
	if (!meta->subject || !*meta->subject) {
		http_resp_error(resp, 400, "subject", "subject: required");
		return -1;
	}
	if (!meta->file_name) {
		http_resp_error(resp, 400, "name", "name: the file's name in at most %d bytes of UTF-8, without control "
				    "characters", INS_HTTP_MAX_UPLOAD_NAME);
		return -1;
	}
	for (i = 0; format && formats[i]; i++)
		if (strcmp(format, formats[i]) == 0)
			break;
	if (format && !formats[i]) {
		http_resp_error(resp, 400, "format",
				    "format: expected auto, gaitndd, gaitpdb, moticon, insoled, pedar, fscan, xsensor or "
				    "stappone");
		return -1;
	}
	if (duplicate && strcmp(duplicate, "allow") != 0 && strcmp(duplicate, "refuse") != 0) {
		http_resp_error(resp, 400, "duplicate", "duplicate: expected allow (store a recording already stored "
				    "as another session) or refuse (the default)");
		return -1;
	}
	meta->allow_duplicate = duplicate && strcmp(duplicate, "allow") == 0;
	return import_layout_param(req, meta, resp);
}

/* The recording a form carried into u: the one file, or the header of a
 * gaitndd record's three; -1 with the answer made. */
static int open_form(const struct http_request *req, const char *content_type, struct import_upload *u,
		     struct http_response *resp)
{
	const char *names[HTTP_FORM_MAX_FILES];
	struct ins_error err = { "", "" };
	int rc = http_form_split(req->upload_path, content_type, &u->form, &err), pick;

	if (rc) {
		http_resp_result(resp, rc, &err);
		return -1;
	}
	for (unsigned i = 0; i < u->form.n; i++)
		names[i] = u->form.name[i];
	pick = ins_import_pick_file(names, u->form.n, err.msg, sizeof(err.msg));
	if (pick < 0) {
		http_resp_error(resp, 400, "body", "%s", err.msg);
		return -1;
	}
	snprintf(u->path_buf, sizeof(u->path_buf), "%s/%s", u->form.dir, names[pick]);
	u->path = u->path_buf;
	if (!http_query(req, "name") || !*http_query(req, "name"))
		u->name = names[pick];
	/* messages name each file by its own name (a record's header names the
	 * others), never by the private folder */
	snprintf(u->dir_slash, sizeof(u->dir_slash), "%s/", u->form.dir);
	u->tmp = u->dir_slash;
	u->shown = "";
	return 0;
}

/* The body, or the form's recording, checked to be one the importers can
 * read as sent: 0, or -1 with the answer made. */
static int open_upload(const struct http_request *req, struct import_upload *u, struct http_response *resp)
{
	const char *ct = req->header ? req->header(req->header_ctx, "Content-Type") : NULL;
	const char *format = http_query(req, "format");
	struct ins_error err = { "", "" };

	if (!req->upload_path) {
		http_resp_error(resp, 400, "body", "body: empty upload (send the recording file as the body)");
		return -1;
	}
	u->path = u->tmp = req->upload_path;
	u->shown = u->name;
	if (http_form_is_form(ct) && open_form(req, ct, u, resp) < 0)
		return -1;
	if (ins_import_check_upload_name(u->name, err.msg, sizeof(err.msg)) < 0) {
		http_resp_error(resp, 400, "body", "%s", err.msg);
		return -1;
	}
	if (format && strcmp(format, "auto") != 0) {
		const char *found = ins_import_detect(u->path, err.msg, sizeof(err.msg));

		if (!found || strcmp(found, format) != 0) {
			http_resp_error(resp, 400, "format", "format: the upload does not look like %s (%s)", format,
					    found ? found : "unrecognised");
			return -1;
		}
	}
	return 0;
}

static void import_upload(struct ins_http *http, struct import_upload *u, struct ins_session_meta *meta,
			  struct http_response *resp)
{
	struct ins_session_import_counts counts = { 0 };
	struct ins_error err = { "", "" };
	int64_t id = 0;
	int rc;

	meta->file_name = u->name;
	rc = ins_store_session_import(http->store, u->path, meta, &id, &counts, &err);
	if (rc == INS_ECONFLICT && id > 0) {
		answer_duplicate(http, u, id, &err, resp);
		return;
	}
	name_the_upload(u, err.msg, sizeof(err.msg));
	if (rc) {
		http_resp_result(resp, rc, &err);
		return;
	}
	ins_info("imported a recording as session %" PRId64, id);
	answer_import(http, id, err.msg, &counts, resp);
}

void http_api_session_import(struct ins_http *http, const struct http_request *req,
				 const struct http_route *route, struct http_response *resp)
{
	const char *ct = req->header ? req->header(req->header_ctx, "Content-Type") : NULL;
	struct ins_session_meta meta = { 0 };
	struct import_upload u = { 0 };

	/* a form (a browser's FormData, curl -F) carries files; no other multipart type is read */
	if (ct && strncasecmp(ct, "multipart/", 10) == 0 && !http_form_is_form(ct)) {
		http_resp_error(resp, 415, "Content-Type", "Content-Type: send the recording as the raw body, or its "
				    "files as multipart/form-data");
		return;
	}
	if (import_params(req, &meta, resp) < 0)
		return;
	u.name = meta.file_name;
	if (open_upload(req, &u, resp) == 0 && http_need_store(http, resp) == 0)
		import_upload(http, &u, &meta, resp);
	http_form_files_remove(&u.form);
}
