/* A session's step selection (docs/api.md, PUT /api/sessions/ID/selection):
 * a time window the session is trimmed to and steps included or excluded by
 * hand, stored as JSON with the session (sessions.selection_json) and
 * applied whenever the summary is computed from the stored steps, so a
 * re-analysis keeps it.  Parsing and checks run on the caller's thread;
 * the change and the new summary are one writer command, one transaction. */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_priv.h"

/* More hand-made choices than steps in a long session is not a selection
 * anybody made by hand; the bound keeps a request's work and size sane. */
#define SELECTION_MAX_STEPS 20000
/* A choice names a step by foot and contact time.  A re-analysis with other
 * software may move a contact by some milliseconds, never by 100 ms (no
 * stance and swing fit in 100 ms): the nearest contact within this is the
 * step meant. */
#define CHOICE_MATCH_US 100000

struct choice {
	unsigned foot;
	int64_t contact_us;
	int include;
};

struct selection {
	int has_from, has_to;
	int64_t from_us, to_us;
	size_t n;
	struct choice *v;
};

static void selection_free(struct selection *sel)
{
	free(sel->v);
	memset(sel, 0, sizeof(*sel));
}

static int bound(const json_t *j, const char *key, int *has, int64_t *out, struct ins_error *err)
{
	const json_t *v = json_object_get(j, key);

	*has = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v)) {
		ins_error_field(err, key, "%s: expected an integer (microseconds on the steps' clock) or null", key);
		return INS_EINVAL;
	}
	*has = 1;
	*out = json_integer_value(v);
	return 0;
}

static int parse_choice(const json_t *o, size_t i, struct choice *c, struct ins_error *err)
{
	const json_t *foot = json_object_get(o, "foot"), *t = json_object_get(o, "contact_us");
	const json_t *inc = json_object_get(o, "include");
	const char *key;
	json_t *v;

	if (!json_is_object(o)) {
		ins_error_field(err, "steps", "steps[%zu]: expected an object {foot, contact_us, include}", i);
		return INS_EINVAL;
	}
	json_object_foreach((json_t *)(uintptr_t)o, key, v) {
		if (strcmp(key, "foot") && strcmp(key, "contact_us") && strcmp(key, "include")) {
			ins_error_field(err, "steps", "steps[%zu].%.64s: not a member (foot, contact_us, include)", i, key);
			return INS_EINVAL;
		}
	}
	if (!json_is_string(foot) || (strcmp(json_string_value(foot), "left") && strcmp(json_string_value(foot), "right"))) {
		ins_error_field(err, "steps", "steps[%zu].foot: expected \"left\" or \"right\"", i);
		return INS_EINVAL;
	}
	if (!json_is_integer(t)) {
		ins_error_field(err, "steps", "steps[%zu].contact_us: expected the step's contact_us (an integer)", i);
		return INS_EINVAL;
	}
	if (!json_is_boolean(inc)) {
		ins_error_field(err, "steps", "steps[%zu].include: expected true or false", i);
		return INS_EINVAL;
	}
	c->foot = strcmp(json_string_value(foot), "left") == 0 ? INS_FOOT_LEFT : INS_FOOT_RIGHT;
	c->contact_us = json_integer_value(t);
	c->include = json_is_true(inc);
	return 0;
}

static int parse_choices(const json_t *arr, struct selection *sel, struct ins_error *err)
{
	size_t n = json_array_size(arr);
	int rc;

	if (arr && !json_is_array(arr)) {
		ins_error_field(err, "steps", "steps: expected an array of {foot, contact_us, include}");
		return INS_EINVAL;
	}
	if (n > SELECTION_MAX_STEPS) {
		ins_error_field(err, "steps", "steps: %zu choices, at most %d", n, SELECTION_MAX_STEPS);
		return INS_EINVAL;
	}
	if (n == 0)
		return 0;
	sel->v = calloc(n, sizeof(*sel->v));
	if (!sel->v) {
		ins_error_msg(err, "steps: out of memory for %zu choices", n);
		return INS_EIO;
	}
	for (sel->n = 0; sel->n < n; sel->n++)
		if ((rc = parse_choice(json_array_get(arr, sel->n), sel->n, &sel->v[sel->n], err)) < 0)
			return rc;
	return 0;
}

static int selection_parse(const json_t *j, struct selection *sel, struct ins_error *err)
{
	const char *key;
	json_t *v;
	int rc;

	memset(sel, 0, sizeof(*sel));
	if (!json_is_object(j)) {
		ins_error_field(err, "selection", "selection: expected a JSON object {trim_from_us, trim_to_us, steps}");
		return INS_EINVAL;
	}
	json_object_foreach((json_t *)(uintptr_t)j, key, v) {
		if (strcmp(key, "trim_from_us") && strcmp(key, "trim_to_us") && strcmp(key, "steps")) {
			ins_error_field(err, key, "%.64s: not a member (trim_from_us, trim_to_us, steps)", key);
			return INS_EINVAL;
		}
	}
	if ((rc = bound(j, "trim_from_us", &sel->has_from, &sel->from_us, err)) < 0 ||
	    (rc = bound(j, "trim_to_us", &sel->has_to, &sel->to_us, err)) < 0)
		return rc;
	if (sel->has_from && sel->has_to && sel->to_us <= sel->from_us) {
		ins_error_field(err, "trim_to_us", "trim_to_us: %" PRId64 " is not after trim_from_us %" PRId64, sel->to_us,
			 sel->from_us);
		return INS_EINVAL;
	}
	if ((rc = parse_choices(json_object_get(j, "steps"), sel, err)) < 0)
		selection_free(sel);
	return rc;
}

/* enum ins_step_choice for one stored step. */
static int choice_for(const struct selection *sel, const struct ins_step *step)
{
	const struct choice *best = NULL;
	int64_t best_d = CHOICE_MATCH_US + 1;

	if ((sel->has_from && step->contact_us < sel->from_us) || (sel->has_to && step->contact_us > sel->to_us))
		return INS_CHOICE_TRIMMED;
	for (size_t i = 0; i < sel->n; i++) {
		int64_t d = sel->v[i].contact_us - step->contact_us;
		d = d < 0 ? -d : d;
		if (sel->v[i].foot == step->foot && d < best_d) {
			best = &sel->v[i];
			best_d = d;
		}
	}
	if (!best)
		return INS_CHOICE_AUTO;
	return best->include ? INS_CHOICE_INCLUDE : INS_CHOICE_EXCLUDE;
}

/* The stored selection of a session (none: an empty one). */
static int selection_load(sqlite3 *db, int64_t session_id, struct selection *sel, struct ins_error *err)
{
	sqlite3_stmt *q = NULL;
	json_t *j = NULL;
	int src, rc = 0;

	memset(sel, 0, sizeof(*sel));
	src = sqlite3_prepare_v2(db, "SELECT selection_json FROM sessions WHERE id = ?", -1, &q, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(q, 1, session_id);
	if (src == SQLITE_OK)
		src = sqlite3_step(q);
	if (src == SQLITE_ROW && sqlite3_column_type(q, 0) == SQLITE_TEXT) {
		j = json_loads((const char *)sqlite3_column_text(q, 0), 0, NULL);
		if (!j || selection_parse(j, sel, err) < 0) {
			ins_error_msg(err, "session %lld: its stored step selection is unreadable", (long long)session_id);
			rc = INS_EIO;
		}
	} else if (src != SQLITE_ROW && src != SQLITE_DONE) {
		rc = store_sql_error(src, db, "reading the step selection", err);
	}
	json_decref(j);
	sqlite3_finalize(q);
	return rc;
}

struct chosen_ctx {
	struct ins_summary_acc *acc;
	const struct selection *sel;
};

static int add_chosen(void *ctx, const struct ins_step *step)
{
	struct chosen_ctx *c = ctx;

	ins_summary_acc_add_chosen(c->acc, step, choice_for(c->sel, step));
	return 0;
}

int store_summary_from_steps(sqlite3 *db, int64_t session_id, struct ins_summary *out, struct ins_error *err)
{
	struct selection sel;
	struct chosen_ctx c = { ins_summary_acc_new(), &sel };
	int rc;

	if (!c.acc) {
		ins_error_msg(err, "out of memory");
		return INS_EIO;
	}
	rc = selection_load(db, session_id, &sel, err);
	if (rc == 0)
		rc = store_each_step(db, session_id, add_chosen, &c, err);
	if (rc == 0)
		ins_summary_acc_finish(c.acc, out);
	selection_free(&sel);
	ins_summary_acc_free(c.acc);
	return rc;
}

int store_begin_stopped(struct ins_store *st, int64_t session_id, struct ins_error *err)
{
	if (store_rec_find(st, session_id)) {
		ins_error_msg(err, "session %lld is recording; stop it first", (long long)session_id);
		return INS_ECONFLICT;
	}
	return store_begin(st, err);
}

int store_resummarise(struct ins_store *st, int64_t session_id, struct ins_error *err)
{
	struct ins_summary sum;
	int rc;

	if ((rc = store_summary_from_steps(st->wdb, session_id, &sum, err)) < 0)
		return rc;
	if ((rc = store_write_summary(st, session_id, &sum)) < 0)
		ins_error_msg(err, "writing the summary: %s", sqlite3_errmsg(st->wdb));
	return rc;
}

struct select_arg {
	int64_t id;
	const char *json; /* NULL: clear */
};

static int cmd_select(struct ins_store *st, void *arg, struct ins_error *err)
{
	struct select_arg *a = arg;
	sqlite3_stmt *q = NULL;
	int rc;

	if ((rc = store_begin_stopped(st, a->id, err)) < 0)
		return rc;
	if (sqlite3_prepare_v2(st->wdb, "UPDATE sessions SET selection_json = ?2 WHERE id = ?1", -1, &q, NULL) !=
	    SQLITE_OK) {
		rc = store_sql_error(sqlite3_errcode(st->wdb), st->wdb, "storing the step selection", err);
		goto rollback;
	}
	sqlite3_bind_int64(q, 1, a->id);
	if (a->json)
		sqlite3_bind_text(q, 2, a->json, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE) {
		rc = store_sql_error(sqlite3_errcode(st->wdb), st->wdb, "storing the step selection", err);
		goto rollback;
	}
	if (sqlite3_changes(st->wdb) == 0) {
		ins_error_msg(err, "session %lld does not exist", (long long)a->id);
		rc = INS_ENOTFOUND;
		goto rollback;
	}
	if ((rc = store_resummarise(st, a->id, err)) < 0)
		goto rollback;
	sqlite3_finalize(q);
	return store_commit(st, err);
rollback:
	sqlite3_finalize(q);
	store_rollback(st);
	return rc;
}

int ins_store_session_select(struct ins_store *st, int64_t session_id, const json_t *selection, struct ins_error *err)
{
	struct selection sel;
	struct select_arg a = { .id = session_id };
	char *text = NULL;
	int rc;

	if ((rc = selection_parse(selection, &sel, err)) < 0)
		return rc;
	/* Nothing chosen: back to the automatic selection alone. */
	if (sel.has_from || sel.has_to || sel.n > 0) {
		text = json_dumps(selection, JSON_COMPACT);
		if (!text) {
			selection_free(&sel);
			ins_error_msg(err, "selection: out of memory");
			return INS_EIO;
		}
	}
	a.json = text;
	rc = store_call(st, cmd_select, &a, err);
	free(text);
	selection_free(&sel);
	return rc;
}
