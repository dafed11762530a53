/* A complete session from a recording file (the formats `insoled --analyze`
 * reads, docs/import.md).  The file is read and analysed on the caller's
 * thread with the importer's streaming reader and the analysis engine; its
 * frames are packed into archive chunks as they go (counts stay counts,
 * pressures and forces become float kPa exactly as the analysis saw them),
 * and the writer stores session, chunks, steps and summary in one
 * transaction: an import is all there or not there at all.  A file that
 * turns bad after good frames is imported as the session of those frames,
 * its notes saying where it broke (keep_cut_short); one whose samples the
 * reader put back in time order or read once says so in its notes too
 * (add_notices), as does one whose subject, footwear or notes are longer
 * than a session keeps (file_text).
 *
 * A recording already stored is refused (INS_ECONFLICT, naming the session
 * that holds it) unless the caller allows a duplicate: its content
 * fingerprint (ins_import_fingerprint) is looked up once before the file is
 * read, so the refusal costs no analysis, and again inside the writing
 * transaction, where no other import can come between the look-up and the
 * insert (the same file uploaded twice at once). */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "insoled/clock.h"
#include "insoled/disk.h"
#include "insoled/import.h"
#include "session_priv.h"

#define LOG_PREFIX "session"

/* A chunk of an imported recording holds about this much recording time. */
#define IMPORT_CHUNK_US 1000000

struct import_state {
	struct ins_store *st;
	struct ins_import *imp;
	const struct ins_import_info *info;
	struct ins_layout *layout[INS_FOOT_COUNT];
	struct ins_analysis *ana;
	struct ins_summary_acc *acc;
	struct store_chunk_enc enc[INS_FOOT_COUNT];
	struct pend_chunk *chunks;
	size_t n_chunks, cap_chunks;
	struct ins_step *steps;
	size_t n_steps, cap_steps;
	struct foot_quality q[INS_FOOT_COUNT];
	struct ins_import_tally tally;
	int64_t arrival, start_us, end_us;
	struct ins_summary sum;
	struct ins_session_meta meta;
	char *calib_json;
	char *notes;         /* the notes with the import's notices, when it has any (add_notices) */
	char damaged[INS_ERROR_MSG_MAX]; /* what cut the file short; "" when whole */
	char shortened[320];  /* which of the file's texts lost their end (file_text); "" when none */
	char caution[INS_IMPORT_CAUTION_MAX]; /* what the figures need said beside them; "" when nothing */
	int undated;          /* the file gives no recording date: dated when imported */
	char subject[INS_STORE_LABEL_MAX + 1], footwear[INS_STORE_LABEL_MAX + 1]; /* file_text's cuts */
	char source[600];
	char fingerprint[INS_IMPORT_FINGERPRINT_SIZE];
	int64_t session_id;  /* the new session; on INS_ECONFLICT the one holding the recording */
};

/* The session id is known only when the writer stores it (write_import). */
static int seal(struct import_state *s, unsigned foot)
{
	return store_chunk_enc_seal(&s->enc[foot], 0, foot, &s->chunks, &s->n_chunks, &s->cap_chunks);
}

static int archive_frame(void *arg, const struct ins_import_frame *f, char *err, size_t errlen)
{
	struct import_state *s = arg;
	struct store_chunk_enc *enc = &s->enc[f->foot];
	uint8_t format = f->unit == INS_IMPORT_COUNTS ? STORE_CHUNK_COUNTS : STORE_CHUNK_FLOAT;
	struct store_chunk_frame cf = {
		.seq = f->seq, .t_dev = (uint32_t)f->t_us, .t_us = f->t_us, .host_us = s->start_us + f->t_us,
		.arrival = s->arrival++,
	};
	uint16_t counts[INS_MAX_SENSORS];
	float kpa[INS_MAX_SENSORS];
	const void *vals = kpa;

	if (format == STORE_CHUNK_COUNTS) {
		for (unsigned i = 0; i < f->n; i++)
			counts[i] = (uint16_t)lrintf(f->values[i]);
		vals = counts;
	} else if (ins_import_to_kpa(f, s->layout[f->foot], kpa, err, errlen) < 0) {
		return INS_EINVAL;
	}
	if (enc->n_frames && (enc->n != f->n || f->t_us - enc->first.t_us >= IMPORT_CHUNK_US ||
			      enc->len >= INS_STORE_CHUNK_MAX_BYTES) && seal(s, f->foot) < 0)
		goto oom;
	if (enc->n_frames == 0 && store_chunk_enc_reset(enc, format, f->n) < 0)
		goto oom;
	if (store_chunk_enc_add(enc, &cf, vals) < 0)
		goto oom;
	s->q[f->foot].frames++;
	if (f->gap) {
		s->q[f->foot].seq_gaps++;
		s->q[f->foot].frames_lost += f->gap;
	}
	if (cf.host_us > s->end_us)
		s->end_us = cf.host_us;
	return 0;
oom:
	snprintf(err, errlen, "out of memory while importing");
	return INS_EIO;
}

static int keep_step(void *arg, const struct ins_step *step, char *err, size_t errlen)
{
	struct import_state *s = arg;

	if (ins_grow((void **)&s->steps, &s->cap_steps, s->n_steps, 1, sizeof(*s->steps), STORE_GROW_FIRST) < 0) {
		snprintf(err, errlen, "out of memory while importing");
		return INS_EIO;
	}
	s->steps[s->n_steps++] = *step;
	ins_summary_acc_add(s->acc, step);
	return 0;
}

/* The length of text cut to at most max bytes between two characters
 * (text is UTF-8). */
static size_t utf8_cut(const char *text, size_t max)
{
	size_t len = strlen(text);

	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)text[max] & 0xc0) == 0x80)
		max--;
	return max;
}

/* A file cut short or damaged after good frames (a recording PC that
 * crashed, a copy broken off): the frames before the bad line make the
 * session, and what stopped the reader goes into its notes (add_notices),
 * so the report printed from it says so, and back to the caller in err.
 * The message names the file as the user knows it, not by the path read. */
static void keep_cut_short(struct import_state *s, const char *path, struct ins_error *err)
{
	const char *name = s->source + strlen("import:") + strlen(s->info->format) + 1; /* import:FORMAT:NAME */
	const char *why = err->msg;
	size_t n = strlen(path);
	unsigned long long kept = s->q[0].frames + s->q[1].frames;

	if (strncmp(why, path, n) == 0 && why[n] == ':')
		why += n;
	snprintf(s->damaged, sizeof(s->damaged), "%.100s%.300s; the %llu frame%s before it %s imported", name, why,
		 kept, kept == 1 ? "" : "s", kept == 1 ? "was" : "were");
	snprintf(err->msg, sizeof(err->msg), "%s", s->damaged);
	err->field[0] = '\0';
	ins_warn("%s: imported cut short: %s", s->source, s->damaged);
}

/* What the reader repaired to read the file in time order, per foot
 * (ins_import_info: a Bluetooth logger's late and re-sent packets), as
 * "1 sample of the left insole was out of time order and put back in
 * order; 2 samples of the right insole were written twice and read once";
 * "" when it repaired nothing. */
static void describe_repairs(const struct ins_import_info *info, char *out, size_t outlen)
{
	static const char *const what[] = { "out of time order and put back in order", "written twice and read once" };
	size_t len = 0;

	out[0] = '\0';
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		const unsigned long count[] = { info->reordered[foot], info->repeated[foot] };

		for (unsigned k = 0; k < sizeof(what) / sizeof(what[0]) && len < outlen; k++)
			if (count[k])
				len += (size_t)snprintf(out + len, outlen - len, "%s%lu sample%s of the %s insole %s %s",
							len ? "; " : "", count[k], count[k] == 1 ? "" : "s",
							ins_foot_name(foot), count[k] == 1 ? "was" : "were", what[k]);
	}
}

/* The values the analysis finds unlike those the file states of itself
 * (ins_import_agrees()), as "the left foot's load is within 1 % or 1 N of
 * the file's on 50 of 400 frames (12.5 %)", and its gait events
 * (ins_import_events_agree()), as "the right foot's initial contacts are
 * within 30 ms of the file's on 2 of 7 (28.6 %)": a layout or insole size
 * that is not the file's, which every figure of the session inherits; ""
 * when the file states nothing or agrees. */
static void describe_disagreement(const struct ins_import_tally *t, char *out, size_t outlen)
{
	size_t len = 0;

	out[0] = '\0';
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		for (unsigned q = 0; q < INS_REF_COUNT && len < outlen; q++) {
			const struct ins_import_agreement *a = &t->agree[foot][q];

			if (!ins_import_agrees(a))
				len += (size_t)snprintf(out + len, outlen - len,
							"%sthe %s foot's %s is within %s of the file's on %lu of %lu frames (%.1f %%)",
							len ? "; " : "", ins_foot_name(foot), ins_import_ref_name(q),
							ins_import_ref_tolerance(q), a->within, a->frames,
							100.0 * a->within / a->frames);
		}
		for (unsigned kind = 0; kind < INS_IMPORT_EVENT_KINDS && len < outlen; kind++) {
			const struct ins_import_event_agreement *e = &t->events.result[foot][kind];

			if (!ins_import_events_agree(e))
				len += (size_t)snprintf(out + len, outlen - len,
							"%sthe %s foot's %s are within %s of the file's on %lu of %lu (%.1f %%)",
							len ? "; " : "", ins_foot_name(foot), ins_import_event_plural(kind),
							ins_import_event_tolerance(), e->matched, e->events,
							100.0 * e->matched / e->events);
		}
	}
}

/* The session's date is not the recording's (gaitpdb, gaitndd, a file
 * whose date cannot be read): a report printed from it must not pass the
 * day of the import off as the day of the walk. */
#define UNDATED_NOTICE "the session is dated when it was imported"

#define UNDATED_PREFIX "Imported from a file without a recording date: "
#define NOTICE_SEPARATOR " | "

int ins_session_notes_undated(const char *notes)
{
	static const char undated[] = UNDATED_PREFIX UNDATED_NOTICE;
	const size_t n = sizeof undated - 1;

	/* every notice starts "Imported ", and the user's own notes follow them */
	for (const char *p = notes; p && strncmp(p, "Imported ", 9) == 0;) {
		if (strncmp(p, undated, n) == 0 && (!p[n] || strncmp(p + n, NOTICE_SEPARATOR, 3) == 0))
			return 1;
		p = strstr(p, NOTICE_SEPARATOR);
		p = p ? p + 3 : NULL;
	}
	return 0;
}

/* What the file itself tells the clinician, in front of the session's
 * notes, so that the session says it for good (the printed report, the
 * session's page, a re-import of its export): a file cut short, a file
 * the reader repaired, values unlike those the file states of itself,
 * texts of the file cut to what a session keeps, a file without a date.
 * The notices come first and the user's notes after " | ", so that notes
 * at their length limit lose their end, never a notice.  Nothing is added
 * to the notes of a whole file read as written. */
static int add_notices(struct import_state *s, struct ins_error *err)
{
	const char *user_notes = s->meta.notes ? s->meta.notes : "";
	char repairs[512], unlike[512];
	const char *const part[][2] = {
		{ "Imported from a damaged file: ", s->damaged },
		{ "Imported with repairs: ", repairs },
		{ "Imported with values unlike the file's own: ", unlike },
		{ "Imported with a caution: ", s->caution },
		{ "Imported with shortened texts: ", s->shortened },
		{ UNDATED_PREFIX, s->undated ? UNDATED_NOTICE : "" },
		{ "", user_notes },
	};
	const size_t n_parts = sizeof(part) / sizeof(part[0]);
	size_t size = 1, len = 0, notices = 0;

	describe_repairs(s->info, repairs, sizeof(repairs));
	describe_disagreement(&s->tally, unlike, sizeof(unlike));
	for (size_t i = 0; i + 1 < n_parts; i++) /* the last part is the user's notes */
		notices += *part[i][1] != '\0';
	if (!notices)
		return 0;
	for (size_t i = 0; i < n_parts; i++)
		size += strlen(NOTICE_SEPARATOR) + strlen(part[i][0]) + strlen(part[i][1]);
	s->notes = malloc(size);
	if (!s->notes) {
		ins_error_msg(err, "out of memory while importing");
		return INS_EIO;
	}
	for (size_t i = 0; i < n_parts; i++)
		if (*part[i][1])
			len += (size_t)snprintf(s->notes + len, size - len, "%s%s%s", len ? NOTICE_SEPARATOR : "", part[i][0],
						part[i][1]);
	s->notes[utf8_cut(s->notes, INS_STORE_NOTES_MAX)] = '\0';
	s->meta.notes = s->notes;
	if (*repairs)
		ins_info("%s: imported with repairs: %s", s->source, repairs);
	if (*unlike)
		ins_warn("%s: imported with values unlike the file's own: %s", s->source, unlike);
	return 0;
}

/* Frames the analysis refuses are counted (session_quality.dropped_frames)
 * and left out of the archive, as `insoled --analyze` counts and skips them. */
static int read_all(struct import_state *s, const char *path, struct ins_error *err)
{
	const struct ins_import_sink sink = { .frame = archive_frame, .step = keep_step, .arg = s };
	int rc = ins_import_run(s->imp, s->ana, s->layout, &sink, &s->tally, err->msg, sizeof(err->msg));

	/* -1: the reader stopped on bad input; below: the sink failed */
	if (rc == -1 && s->q[0].frames + s->q[1].frames > 0)
		keep_cut_short(s, path, err);
	else if (rc == -1)
		return INS_EINVAL;
	else if (rc < 0)
		return rc;
	if ((rc = add_notices(s, err)) < 0)
		return rc;
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		if (seal(s, foot) < 0) {
			ins_error_msg(err, "out of memory while importing");
			return INS_EIO;
		}
	ins_summary_acc_finish(s->acc, &s->sum);
	return 0;
}

/* What the session will take on disk, at most: its frames and steps once
 * in the write-ahead log and once in the database until a checkpoint. */
static uint64_t import_bytes(const struct import_state *s)
{
	uint64_t bytes = (uint64_t)s->n_steps * sizeof(struct ins_step);

	for (size_t i = 0; i < s->n_chunks; i++)
		bytes += s->chunks[i].len + sizeof(s->chunks[i]);
	return 2 * bytes;
}

/* The file name of a session's source, "import:FORMAT:NAME" (else the source). */
static const char *source_name(const char *source)
{
	const char *format = strchr(source, ':'), *name = format ? strchr(format + 1, ':') : NULL;

	return name ? name + 1 : source;
}

/* INS_ECONFLICT, with s->session_id and a message naming the session, when
 * a session already holds the recording s imports and the caller did not
 * allow a duplicate; on the writer's connection (store_call or inside the
 * writing transaction).  A deleted session's row is gone, so it no longer
 * counts. */
static int refuse_duplicate(struct ins_store *st, void *arg, struct ins_error *err)
{
	struct import_state *s = arg;
	sqlite3_stmt *q = NULL;
	int src, rc = 0;

	if (s->meta.allow_duplicate)
		return 0;
	src = sqlite3_prepare_v2(st->wdb, "SELECT id, source, imported_us FROM sessions WHERE fingerprint = ?1 "
				 "ORDER BY id LIMIT 1", -1, &q, NULL);
	if (src == SQLITE_OK) {
		sqlite3_bind_text(q, 1, s->fingerprint, -1, SQLITE_STATIC);
		src = sqlite3_step(q);
	}
	if (src == SQLITE_ROW) {
		time_t when = (time_t)(sqlite3_column_int64(q, 2) / 1000000);
		char date[40] = "at an unknown time";
		struct tm tm;

		if (sqlite3_column_type(q, 2) != SQLITE_NULL && gmtime_r(&when, &tm))
			strftime(date, sizeof(date), "on %Y-%m-%d at %H:%M UTC", &tm);
		s->session_id = sqlite3_column_int64(q, 0);
		ins_error_field(err, "duplicate", "this recording is already stored as session %lld ('%s', "
				"imported %s)", (long long)s->session_id,
				source_name((const char *)sqlite3_column_text(q, 1)), date);
		rc = INS_ECONFLICT;
	} else if (src != SQLITE_DONE) {
		rc = store_sql_error(src, st->wdb, "looking for the recording among the sessions", err);
	}
	sqlite3_finalize(q);
	return rc;
}

static int write_import(struct ins_store *st, void *arg, struct ins_error *err)
{
	struct import_state *s = arg;
	int rc;

	if ((rc = store_begin(st, err)) < 0)
		return rc;
	/* The room is checked on the writer, just before writing (after the
	 * duplicate, which needs none): an import must never take the room
	 * that a recording in progress (or the next) needs. */
	if ((rc = refuse_duplicate(st, s, err)) < 0 ||
	    (rc = ins_disk_check_room(st->db_path, "the imported session", import_bytes(s), INS_DISK_KEEP_FREE_BYTES,
				      err)) < 0 ||
	    (rc = store_insert_session(st, &s->meta, "complete", s->source, s->start_us, &s->session_id,
				       err)) < 0)
		goto rollback;
	for (size_t i = 0; i < s->n_chunks; i++) {
		sqlite3_stmt *q = st->store_chunk;
		store_bind_chunk(q, s->session_id, &s->chunks[i]);
		int src = sqlite3_step(q);
		sqlite3_reset(q);
		sqlite3_clear_bindings(q);
		if (src != SQLITE_DONE) {
			rc = store_sql_error(src, st->wdb, "storing imported frames", err);
			goto rollback;
		}
	}
	for (size_t i = 0; i < s->n_steps; i++)
		if ((rc = store_bind_step(st, st->ins_step, s->session_id, &s->steps[i])) < 0) {
			ins_error_msg(err, "storing imported steps: %s", sqlite3_errmsg(st->wdb));
			goto rollback;
		}
	if ((rc = store_write_summary(st, s->session_id, &s->sum)) < 0) {
		ins_error_msg(err, "storing the summary: %s", sqlite3_errmsg(st->wdb));
		goto rollback;
	}
	{
		sqlite3_stmt *q = NULL;
		uint64_t frames = s->q[0].frames + s->q[1].frames;
		int src = sqlite3_prepare_v2(st->wdb, "UPDATE sessions SET frames = ?2, steps = ?3, end_us = ?4, "
					     "fingerprint = ?5, imported_us = ?6 WHERE id = ?1", -1, &q, NULL);
		if (src == SQLITE_OK) {
			sqlite3_bind_int64(q, 1, s->session_id);
			sqlite3_bind_int64(q, 2, (int64_t)frames);
			sqlite3_bind_int64(q, 3, (int64_t)s->n_steps);
			sqlite3_bind_int64(q, 4, s->end_us);
			sqlite3_bind_text(q, 5, s->fingerprint, -1, SQLITE_STATIC);
			sqlite3_bind_int64(q, 6, ins_realtime_us());
			src = sqlite3_step(q);
		}
		sqlite3_finalize(q);
		if (src != SQLITE_DONE) {
			rc = store_sql_error(src, st->wdb, "storing the session", err);
			goto rollback;
		}
	}
	for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
		sqlite3_stmt *q = st->upd_quality;
		if (!s->layout[f])
			continue;
		sqlite3_bind_int64(q, 1, s->session_id);
		sqlite3_bind_int(q, 2, (int)f);
		sqlite3_bind_int64(q, 3, (int64_t)s->q[f].frames);
		sqlite3_bind_int64(q, 4, (int64_t)s->q[f].seq_gaps);
		sqlite3_bind_int64(q, 5, (int64_t)s->q[f].frames_lost);
		sqlite3_bind_int64(q, 6, 0);
		sqlite3_bind_int64(q, 7, (int64_t)s->tally.misfit[f]);
		sqlite3_bind_int64(q, 8, 0);
		int src = sqlite3_step(q);
		sqlite3_reset(q);
		if (src != SQLITE_DONE) {
			rc = store_sql_error(src, st->wdb, "storing data quality", err);
			goto rollback;
		}
	}
	return store_commit(st, err);
rollback:
	store_rollback(st);
	return rc;
}

/* A text of the file (used where the caller gave none) longer than a
 * session keeps, max bytes, is a file edited by hand or another program's
 * export.  It is cut between two characters, and the session's notes say
 * so (add_notices), as the answer's warning does, rather than the file
 * being refused: the recording is what is imported, refusing it over a
 * label would leave someone editing a file of a million rows to get it in,
 * and the file itself still holds the whole text.  The notes are cut once
 * the notices are in front of them (add_notices); a subject or footwear
 * into cut, which returns it. */
static const char *file_text(struct import_state *s, const char *name, const char *text, size_t max, char *cut)
{
	size_t len = strlen(text), used = strlen(s->shortened);

	if (len <= max)
		return text;
	snprintf(s->shortened + used, sizeof(s->shortened) - used, "%sthe file's %s had %zu bytes, more than the %zu "
		 "a session keeps: the end is left out", used ? "; " : "", name, len, max);
	if (!cut)
		return text;
	len = utf8_cut(text, max);
	memcpy(cut, text, len);
	cut[len] = '\0';
	return cut;
}

/* A notice of the session's (add_notices) that the caller is told too: in
 * err's message, after what is there (a damaged file's, which
 * keep_cut_short() put there), and in the log, as "imported with WHAT". */
static void warn_also(struct import_state *s, struct ins_error *err, const char *what, const char *text)
{
	size_t used = strlen(err->msg);

	snprintf(err->msg + used, sizeof(err->msg) - used, "%s%s: %s", used ? "; " : "", source_name(s->source),
		 text);
	ins_warn("%s: imported %s: %s", s->source, what, text);
}

static int setup(struct import_state *s, const char *path, const struct ins_session_meta *meta,
		 struct ins_error *err)
{
	struct ins_analysis_config acfg = { .body_weight_n = 0 };
	unsigned n[INS_FOOT_COUNT] = { 0, 0 };
	const char *base;

	s->imp = ins_import_open(path, NULL, err->msg, sizeof(err->msg));
	if (!s->imp)
		return INS_EINVAL;
	s->info = ins_import_info(s->imp);
	if (ins_import_fingerprint(s->imp, s->fingerprint, err->msg, sizeof(err->msg)) < 0)
		return INS_EIO;
	s->meta = *meta;
	for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
		const char *name = meta->layout[f] ? meta->layout[f] : s->info->layout[f];
		char lerr[256];
		s->meta.layout[f] = NULL;
		if (!(s->info->feet & (1u << f)) || !name || !*name)
			continue;
		s->layout[f] = ins_layout_load_named(s->st->layout_dir, name, lerr, sizeof(lerr));
		if (!s->layout[f]) {
			ins_error_msg(err, "layout.%s: cannot load '%s': %s", ins_foot_name(f), name, lerr);
			return INS_EINVAL;
		}
		s->meta.layout[f] = name; /* the name re-analysis loads it by */
		n[f] = s->layout[f]->n_sensors;
		acfg.layout[f] = s->layout[f];
		acfg.calib[f] = s->info->calib[f];
	}
	if (ins_import_check_layouts(s->imp, s->layout, err->msg, sizeof(err->msg)) < 0)
		return INS_EINVAL;
	ins_import_caution(s->imp, s->layout, s->caution, sizeof(s->caution));
	if (!s->meta.subject || !*s->meta.subject)
		s->meta.subject = file_text(s, "subject", s->info->subject, INS_STORE_LABEL_MAX, s->subject);
	if (!s->meta.footwear || !*s->meta.footwear)
		s->meta.footwear = file_text(s, "footwear", s->info->footwear, INS_STORE_LABEL_MAX, s->footwear);
	if (!s->meta.notes || !*s->meta.notes)
		s->meta.notes = file_text(s, "notes", s->info->notes, INS_STORE_NOTES_MAX, NULL);
	if (s->meta.body_weight_n <= 0)
		s->meta.body_weight_n = s->info->body_weight_n;
	acfg.body_weight_n = s->meta.body_weight_n;
	if (s->info->calib[0] || s->info->calib[1]) {
		s->calib_json = ins_store_calib_to_json(s->info->calib, n);
		s->meta.calibration_json = s->calib_json;
	}
	base = strrchr(s->info->path, '/');
	snprintf(s->source, sizeof(s->source), "import:%s:%s", s->info->format,
		 s->meta.file_name ? s->meta.file_name : base ? base + 1 : s->info->path);
	if (!s->meta.devices)
		s->meta.devices = s->source;
	s->ana = ins_analysis_new(&acfg, err->msg, sizeof(err->msg));
	s->acc = ins_summary_acc_new();
	if (!s->ana || !s->acc) {
		if (s->ana)
			ins_error_msg(err, "out of memory");
		return INS_EIO;
	}
	/* dated when it was recorded, where the file says so; else when
	 * imported, and the notes say which (add_notices) */
	if (ins_import_start_us(s->info->start, &s->start_us) < 0) {
		s->start_us = ins_realtime_us();
		s->undated = 1;
	}
	s->end_us = s->start_us;
	return 0;
}

int ins_store_session_import(struct ins_store *st, const char *path, const struct ins_session_meta *meta,
			     int64_t *session_id, struct ins_session_import_counts *counts, struct ins_error *err)
{
	struct import_state s = { .st = st };
	struct ins_session_meta none = { 0 };
	int rc;

	if (!path) {
		ins_error_field(err, "path", "path: no file given");
		return INS_EINVAL;
	}
	meta = meta ? meta : &none;
	/* the caller's texts: the file's are cut to fit (file_text) */
	if ((rc = store_check_text("subject", meta->subject, INS_STORE_LABEL_MAX, err)) < 0 ||
	    (rc = store_check_text("footwear", meta->footwear, INS_STORE_LABEL_MAX, err)) < 0 ||
	    (rc = store_check_text("notes", meta->notes, INS_STORE_NOTES_MAX, err)) < 0)
		return rc;
	if ((rc = setup(&s, path, meta, err)) < 0)
		goto out;
	if (!s.meta.layout[0] && !s.meta.layout[1]) {
		ins_error_msg(err, "%s: no foot with a layout in this recording", path);
		rc = INS_EINVAL;
		goto out;
	}
	if ((rc = store_call(st, refuse_duplicate, &s, err)) < 0)
		goto out;
	err->msg[0] = '\0';
	if ((rc = read_all(&s, path, err)) < 0)
		goto out;
	if (*s.caution)
		warn_also(&s, err, "with a caution", s.caution);
	if (*s.shortened)
		warn_also(&s, err, "with shortened texts", s.shortened);
	if ((rc = store_call(st, write_import, &s, err)) == 0)
		ins_info("session %lld: imported from %s (%zu steps)", (long long)s.session_id,
			 s.source, s.n_steps);
out:
	if (rc == 0 || rc == INS_ECONFLICT)
		*session_id = s.session_id;
	if (rc == 0 && counts) {
		memcpy(counts->reordered, s.info->reordered, sizeof(counts->reordered));
		memcpy(counts->repeated, s.info->repeated, sizeof(counts->repeated));
		memcpy(counts->agree, s.tally.agree, sizeof(counts->agree));
		memcpy(counts->events, s.tally.events.result, sizeof(counts->events));
		counts->start_from_file = !s.undated;
	}
	if (rc == INS_ECONFLICT)
		ins_info("%s: not imported: already stored as session %lld", s.source, (long long)s.session_id);
	for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
		store_chunk_enc_free(&s.enc[f]);
		ins_layout_free(s.layout[f]);
	}
	for (size_t i = 0; i < s.n_chunks; i++)
		free(s.chunks[i].data);
	free(s.chunks);
	free(s.steps);
	free(s.calib_json);
	free(s.notes);
	ins_summary_acc_free(s.acc);
	ins_analysis_free(s.ana);
	ins_import_close(s.imp);
	return rc;
}
