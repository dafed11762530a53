/* Streamed exports.  The caller pulls bytes with ins_store_export_read();
 * each pull produces at most one chunk of rows from a read transaction held
 * for the export's life, so a session of any length is exported in constant
 * memory and sees one consistent snapshot.  The frames formats are the
 * "insoled frames export" of docs/import.md, which `insoled --analyze` and
 * the importer read back. */
#include <config.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "insoled/grow.h"
#include "insoled/analysis_json.h"
#include "insoled/import.h"
#include "session_priv.h"

#define LOG_PREFIX "session"

/* Rows are produced until this much output is pending: big enough for one
 * 4096-sensor frame row, small enough to stay cheap per pull. */
#define EXPORT_BATCH_BYTES (64u * 1024u)

struct ins_export {
	struct ins_store *st;
	sqlite3 *db;
	enum ins_export_kind kind;
	int64_t id;
	char *buf;
	size_t len, pos, cap;
	int header_done, done, failed;
	struct session_replay *rp;          /* frames */
	sqlite3_stmt *steps;            /* steps */
	struct ins_step_delay delay;    /* steps: termination flags */
	struct metric_map map;
	struct ins_error err;
};

static int out_reserve(struct ins_export *ex, size_t more)
{
	return ins_grow((void **)&ex->buf, &ex->cap, ex->len, more, 1, EXPORT_BATCH_BYTES * 2);
}

static int outf(struct ins_export *ex, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int outf(struct ins_export *ex, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || out_reserve(ex, (size_t)n + 1) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ex->buf + ex->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	ex->len += (size_t)n;
	return 0;
}

/* Header values are single lines that the reader gives back exactly: the
 * text is escaped (ins_import_escape_text(), docs/import.md), as the
 * "text_escapes" line before the first of them says. */
static int out_header_text(struct ins_export *ex, const char *key, const char *value)
{
	size_t n = strlen(value);

	if (outf(ex, "# %s: ", key) < 0 || out_reserve(ex, INS_IMPORT_ESCAPED_SIZE(n)) < 0)
		return -1;
	ex->len += ins_import_escape_text(ex->buf + ex->len, value);
	return outf(ex, "\n");
}

/* ---- frames --------------------------------------------------------------- */

/* Only a body weight that was set: a file without the line has none, which
 * every reader of the format takes as unknown (and so reads older exports'
 * "0"), rather than a weight of 0 N. */
static int out_body_weight(struct ins_export *ex, double body_weight_n)
{
	return body_weight_n > 0 ? outf(ex, "# body_weight_n: %.17g\n", body_weight_n) : 0;
}

/* A foot's calibration, one line per sensor ("# calibration_left_s7:
 * {...}"), so that a line holds one curve whatever the number of sensors:
 * a dense insole's curves on one line outgrew what a reader holds. */
static int out_calibration(struct ins_export *ex, unsigned foot, const struct ins_calib_curve *curves, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		json_t *curve = store_calib_curve_json(&curves[i]);
		char *text = curve ? json_dumps(curve, JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
		int rc = text ? outf(ex, "# calibration_%s_s%u: %s\n", ins_foot_name(foot), i + 1, text) : -1;

		json_decref(curve);
		free(text);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* The oldest version of the format that reads what this export holds. */
static int frames_version(const struct ins_export *ex, const struct session_replay_frame *fr)
{
	for (unsigned f = 0; f < INS_FOOT_COUNT; f++)
		if (ex->kind == INS_EXPORT_FRAMES_COUNTS_CSV && fr->layout[f] && fr->calib[f])
			return INS_IMPORT_INSOLED_VERSION;
	return INS_IMPORT_INSOLED_VERSION_PLAIN;
}

static int frames_feet(struct ins_export *ex, const struct session_replay_frame *fr, unsigned *max_n)
{
	for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
		const struct ins_layout *layout = fr->layout[f];

		if (!layout)
			continue;
		if (layout->n_sensors > *max_n)
			*max_n = layout->n_sensors;
		if (out_header_text(ex, f ? "layout_right" : "layout_left", fr->layout_name[f]) < 0 ||
		    outf(ex, "# sensors_%s: %u\n", ins_foot_name(f), layout->n_sensors) < 0)
			return -1;
		if (ex->kind == INS_EXPORT_FRAMES_COUNTS_CSV && fr->calib[f] &&
		    out_calibration(ex, f, fr->calib[f], layout->n_sensors) < 0)
			return -1;
	}
	return 0;
}

static int frames_header(struct ins_export *ex, const struct session_replay_frame *fr)
{
	const int counts = ex->kind == INS_EXPORT_FRAMES_COUNTS_CSV;
	const int metrics = ex->kind == INS_EXPORT_FRAME_METRICS_CSV;
	time_t secs = (time_t)(fr->start_us / 1000000);
	char stamp[64];
	struct tm tm;
	unsigned max_n = 0;

	gmtime_r(&secs, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	if (outf(ex, metrics ? "# insoled frame metrics export\n" : "# insoled frames export\n") < 0 ||
	    outf(ex, "# format_version: %d\n# text_escapes: backslash\n", frames_version(ex, fr)) < 0 ||
	    out_header_text(ex, "software_version", fr->text[REPLAY_SOFTWARE]) < 0 ||
	    outf(ex, "# session_id: %lld\n", (long long)ex->id) < 0 ||
	    outf(ex, "# start_utc: %s.%06dZ\n", stamp, (int)(fr->start_us % 1000000)) < 0 ||
	    out_header_text(ex, "subject", fr->text[REPLAY_SUBJECT]) < 0 ||
	    out_header_text(ex, "footwear", fr->text[REPLAY_FOOTWEAR]) < 0 ||
	    out_header_text(ex, "notes", fr->text[REPLAY_NOTES]) < 0 ||
	    out_header_text(ex, "state", fr->text[REPLAY_STATE]) < 0 ||
	    out_body_weight(ex, fr->body_weight_n) < 0 ||
	    outf(ex, "# units: %s\n", counts ? "counts" : metrics ? "N, mm, mm2, kPa" : "kPa") < 0 ||
	    frames_feet(ex, fr, &max_n) < 0)
		return -1;
	if (metrics)
		return outf(ex, "t_us,foot,seq,host_us,force_n,cop_x_mm,cop_y_mm,cop_x_norm,cop_y_norm,"
			    "contact_area_mm2,peak_kpa,in_stance,n_saturated,event\n");
	if (outf(ex, "t_us,foot,seq") < 0)
		return -1;
	for (unsigned i = 1; i <= max_n; i++)
		if (outf(ex, ",s%u", i) < 0)
			return -1;
	return outf(ex, "\n");
}

/* A float with the digits that read back to the same float; empty for NaN. */
static int out_float(struct ins_export *ex, float v)
{
	return isfinite(v) ? outf(ex, ",%.9g", (double)v) : outf(ex, ",");
}

static int frame_row(struct ins_export *ex, const struct session_replay_frame *fr)
{
	static const char *const events[] = { "", "contact", "toe_off" };
	const struct ins_frame_metrics *m = &fr->metrics;

	if (outf(ex, "%lld,%s,%u", (long long)fr->cf.t_us, ins_foot_name(fr->foot), fr->cf.seq) < 0)
		return -1;
	if (ex->kind == INS_EXPORT_FRAME_METRICS_CSV) {
		if (outf(ex, ",%lld", (long long)fr->cf.host_us) < 0 || out_float(ex, m->force_n) < 0 ||
		    out_float(ex, m->cop_x_mm) < 0 || out_float(ex, m->cop_y_mm) < 0 ||
		    out_float(ex, m->cop_x_norm) < 0 || out_float(ex, m->cop_y_norm) < 0 ||
		    out_float(ex, m->contact_area_mm2) < 0 || out_float(ex, m->peak_kpa) < 0)
			return -1;
		return outf(ex, ",%u,%u,%s\n", m->in_stance, m->n_saturated, m->event < 3 ? events[m->event] : "");
	}
	for (unsigned i = 0; i < fr->n; i++) {
		int rc;
		if (ex->kind == INS_EXPORT_FRAMES_COUNTS_CSV && !fr->is_float)
			rc = outf(ex, ",%u", fr->counts[i]);
		else if (ex->kind == INS_EXPORT_FRAMES_COUNTS_CSV)
			rc = outf(ex, ",%.9g", (double)fr->floats[i]);
		else
			rc = outf(ex, ",%.9g", fr->kpa ? (double)fr->kpa[i] : (double)fr->floats[i]);
		if (rc < 0)
			return -1;
	}
	return outf(ex, "\n");
}

static int frames_more(struct ins_export *ex)
{
	const struct session_replay_frame *fr;
	struct ins_step step;
	int rc;

	while (ex->len < EXPORT_BATCH_BYTES) {
		rc = session_replay_next(ex->rp, &fr, &ex->err);
		if (rc == 0 && !ex->header_done) {
			/* a session without frames still gets its header */
			if (frames_header(ex, session_replay_info(ex->rp)) < 0)
				return -1;
			ex->header_done = 1;
		}
		if (rc <= 0) {
			ex->done = rc == 0;
			return rc;
		}
		while (ins_analysis_next_step(session_replay_analysis(ex->rp), &step))
			;
		if (!ex->header_done) {
			if (frames_header(ex, fr) < 0)
				return -1;
			ex->header_done = 1;
		}
		if (frame_row(ex, fr) < 0)
			return -1;
	}
	return 0;
}

/* ---- steps and summary ----------------------------------------------------------- */

static int step_row(struct ins_export *ex, const struct ins_step *step)
{
	char line[INS_STEP_CSV_MAX];
	int n;

	if ((n = ins_step_csv_row(step, line, sizeof(line))) < 0 || outf(ex, "%s\n", line) < 0) {
		ins_error_msg(&ex->err, "session %lld: a step could not be written as CSV", (long long)ex->id);
		return -1;
	}
	return 0;
}

/* Rows pass through the termination delay (ins_step_delay), which hands a
 * foot's step on once the foot's next step is read. */
static int steps_more(struct ins_export *ex)
{
	char line[INS_STEP_CSV_MAX];
	struct ins_step step, out;
	int src, n;

	if (!ex->header_done) {
		if ((n = ins_step_csv_header(line, sizeof(line))) < 0 || outf(ex, "%s\n", line) < 0)
			return -1;
		ins_step_delay_init(&ex->delay);
		ex->header_done = 1;
	}
	while (ex->len < EXPORT_BATCH_BYTES) {
		src = sqlite3_step(ex->steps);
		if (src == SQLITE_DONE) {
			while (ins_step_delay_flush(&ex->delay, &out))
				if (step_row(ex, &out) < 0)
					return -1;
			ex->done = 1;
			return 0;
		}
		if (src != SQLITE_ROW)
			return store_sql_error(src, ex->db, "reading steps", &ex->err);
		int64_t set = sqlite3_column_int64(ex->steps, 0);
		if (set != ex->map.set_id && store_metric_map(ex->db, set, &ex->map, &ex->err) < 0)
			return -1;
		memset(&step, 0, sizeof(step));
		if (store_unpack_step(ex->steps, 1, &ex->map, &step) < 0) {
			ins_error_msg(&ex->err, "session %lld: a step row has metrics of the wrong size", (long long)ex->id);
			return -1;
		}
		if (ins_step_delay_push(&ex->delay, &step, &out) && step_row(ex, &out) < 0)
			return -1;
	}
	return 0;
}

static int summary_all(struct ins_export *ex)
{
	int rc;
	json_t *s = store_session_full(ex->db, ex->id, &rc, &ex->err);
	char *text;

	if (!s)
		return rc;
	text = json_dumps(s, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
	json_decref(s);
	if (!text || outf(ex, "%s\n", text) < 0) {
		free(text);
		return -1;
	}
	free(text);
	ex->done = 1;
	return 0;
}

/* ---- public ------------------------------------------------------------------ */

struct ins_export *ins_store_export_open(struct ins_store *st, int64_t session_id, enum ins_export_kind kind,
					 int *rc, struct ins_error *err)
{
	struct ins_export *ex = calloc(1, sizeof(*ex));
	json_t *row = NULL;
	int r;

	if (!ex) {
		ins_error_msg(err, "out of memory");
		*rc = INS_EIO;
		return NULL;
	}
	ex->st = st;
	ex->kind = kind;
	ex->id = session_id;
	ex->map.set_id = -1;
	if ((r = store_reader_open(st, &ex->db, err)) < 0)
		goto fail;
	sqlite3_exec(ex->db, "BEGIN", NULL, NULL, NULL); /* one snapshot for the whole export */
	row = store_session_row(ex->db, session_id, &r, err);
	if (!row)
		goto fail;
	json_decref(row);
	switch (kind) {
	case INS_EXPORT_FRAMES_CSV:
	case INS_EXPORT_FRAMES_COUNTS_CSV:
	case INS_EXPORT_FRAME_METRICS_CSV:
		if ((r = session_replay_open(st, ex->db, session_id, &ex->rp, err)) < 0)
			goto fail;
		break;
	case INS_EXPORT_STEPS_CSV:
		r = sqlite3_prepare_v2(ex->db, "SELECT metric_set, foot, idx, flags, contact_us, toe_off_us, metrics "
				       "FROM steps WHERE session_id = ? ORDER BY id", -1, &ex->steps, NULL);
		if (r != SQLITE_OK) {
			r = store_sql_error(r, ex->db, "reading steps", err);
			goto fail;
		}
		sqlite3_bind_int64(ex->steps, 1, session_id);
		break;
	case INS_EXPORT_SUMMARY_JSON:
		break;
	default:
		ins_error_msg(err, "export: unknown kind %d", (int)kind);
		r = INS_EINVAL;
		goto fail;
	}
	*rc = 0;
	return ex;
fail:
	*rc = r;
	ins_store_export_close(ex);
	return NULL;
}

ssize_t ins_store_export_read(struct ins_export *ex, char *buf, size_t max)
{
	size_t n;

	if (ex->failed)
		return -1;
	while (ex->pos == ex->len && !ex->done) {
		int rc;
		ex->pos = ex->len = 0;
		if (ex->kind == INS_EXPORT_STEPS_CSV)
			rc = steps_more(ex);
		else if (ex->kind == INS_EXPORT_SUMMARY_JSON)
			rc = summary_all(ex);
		else
			rc = frames_more(ex);
		if (rc < 0) {
			ex->failed = 1;
			ins_err("session %lld: export failed: %s", (long long)ex->id,
				ex->err.msg[0] ? ex->err.msg : "out of memory");
			return -1;
		}
	}
	n = ex->len - ex->pos;
	if (n > max)
		n = max;
	memcpy(buf, ex->buf + ex->pos, n);
	ex->pos += n;
	return (ssize_t)n;
}

void ins_store_export_close(struct ins_export *ex)
{
	if (!ex)
		return;
	session_replay_free(ex->rp);
	sqlite3_finalize(ex->steps);
	if (ex->db) {
		sqlite3_exec(ex->db, "COMMIT", NULL, NULL, NULL);
		store_reader_close(ex->st, ex->db);
	}
	free(ex->buf);
	free(ex);
}
