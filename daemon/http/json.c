/* JSON responses, error bodies and request-body helpers. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_priv.h"
#include "insoled/result.h"

#define JSON_TYPE "application/json; charset=utf-8"

void http_resp_json(struct http_response *resp, unsigned status, json_t *obj)
{
	char *text = obj ? json_dumps(obj, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	json_decref(obj);
	free(resp->body);
	resp->kind = INS_RESP_BUFFER;
	resp->content_type = JSON_TYPE;
	if (!text) {
		static const char oom[] = "{\"error\":\"out of memory building the response\"}";

		resp->status = 503;
		resp->body = strdup(oom);
		resp->len = resp->body ? strlen(resp->body) : 0;
		return;
	}
	resp->status = status;
	resp->body = text;
	resp->len = strlen(text);
}

void http_resp_error(struct http_response *resp, unsigned status, const char *field, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	json_t *obj;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	obj = json_pack("{s:s}", "error", msg);
	/* jansson refuses invalid UTF-8 (echoed client input): say so plainly. */
	if (!obj)
		obj = json_pack("{s:s}", "error", "request rejected (message not valid UTF-8)");
	if (obj && field)
		json_object_set_new(obj, "field", json_string(field));
	http_resp_json(resp, status, obj);
	resp->log_msg = NULL;
}

/* The one table from result codes to HTTP statuses. */
static const struct {
	int rc;
	unsigned status;
} rc_status[] = {
	{ INS_OK, 200 },
	{ INS_ENOTFOUND, 404 },
	{ INS_EINVAL, 400 },
	{ INS_ECONFLICT, 409 },
	/* the database or the devices cannot do it right now: try again later */
	{ INS_EBUSY, 503 },
	{ INS_EIO, 503 },
	{ INS_EFULL, 503 },
	{ INS_EUNAVAIL, 503 },
	/* refused before writing: the room left is kept for live recording */
	{ INS_ENOSPACE, 507 },
};

static unsigned status_of(int rc)
{
	for (size_t i = 0; i < sizeof(rc_status) / sizeof(rc_status[0]); i++)
		if (rc_status[i].rc == rc)
			return rc_status[i].status;
	return 503; /* as for the database's own failures: not available right now */
}

void http_resp_result(struct http_response *resp, int rc, const struct ins_error *err)
{
	unsigned status = status_of(rc);
	const char *msg = err->msg[0] ? err->msg : ins_strerror(rc);
	/* the field names a member of the request: a 5xx is never about one */
	const char *field = status < 500 && err->field[0] ? err->field : NULL;

	http_resp_error(resp, status, field, "%s", msg);
	/* 5xx are database and device conditions (sqlite3_errstr text), safe to log. */
	if (status >= 500)
		resp->log_msg = ins_strerror(rc);
}

int http_resp_header(struct http_response *resp, const char *name, const char *value)
{
	char *copy;

	if (resp->n_headers == INS_HTTP_MAX_EXTRA_HEADERS)
		return -1;
	copy = strdup(value);
	if (!copy)
		return -1;
	resp->headers[resp->n_headers].name = name;
	resp->headers[resp->n_headers].value = copy;
	resp->n_headers++;
	return 0;
}

static int is_json_type(const char *ct)
{
	size_t n = strlen("application/json");

	return ct && strncasecmp(ct, "application/json", n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

json_t *http_body_object(const struct http_request *req, struct http_response *resp)
{
	const char *ct = req->header ? req->header(req->header_ctx, "Content-Type") : NULL;
	json_error_t jerr;
	json_t *obj;

	if (req->body_len == 0) {
		http_resp_error(resp, 400, "body", "body: expected a JSON object");
		return NULL;
	}
	if (!is_json_type(ct)) {
		http_resp_error(resp, 415, "Content-Type", "Content-Type: expected application/json");
		return NULL;
	}
	obj = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!obj) {
		http_resp_error(resp, 400, "body", "body: invalid JSON at line %d column %d: %s",
				    jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	if (!json_is_object(obj)) {
		json_decref(obj);
		http_resp_error(resp, 400, "body", "body: expected a JSON object");
		return NULL;
	}
	return obj;
}

int http_member_string(const json_t *obj, const char *name, int required, const char **out,
			   struct http_response *resp)
{
	const json_t *v = json_object_get(obj, name);

	*out = NULL;
	if (!v || json_is_null(v)) {
		if (!required)
			return 0;
		http_resp_error(resp, 400, name, "%s: required", name);
		return -1;
	}
	if (!json_is_string(v)) {
		http_resp_error(resp, 400, name, "%s: expected a string", name);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

int http_check_members(json_t *obj, const char *const *allowed, struct http_response *resp)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		size_t i;

		for (i = 0; allowed[i]; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (!allowed[i]) {
			http_resp_error(resp, 400, key, "%s: unknown member", key);
			return -1;
		}
	}
	return 0;
}

int http_need_store(struct ins_http *http, struct http_response *resp)
{
	if (http->store)
		return 0;
	http_resp_error(resp, 503, NULL, "the database is not available");
	return -1;
}

void http_hook_missing(struct http_response *resp, const char *what)
{
	http_resp_error(resp, 503, NULL, "%s is not available in this daemon (no acquisition pipeline)", what);
}
