/* stappone insole export (.csv): a header line naming the comma-separated
 * columns (sole_id, timestamp in ms since 1970, accelerometer, gyroscope,
 * magnetometer, pressure_01..pressure_12, corrupt), then one row per sample
 * per insole.  sole_id 1 is the left insole and 2 the right one (as the
 * pressuRe package draws them).  The pressure channels are raw values: the
 * reader yields counts, the stappone12 layout passes them through as
 * arbitrary units.  A row flagged corrupt is a dropped sample.
 *
 * The insoles sample on their own clocks and send buffered samples over
 * Bluetooth; the logger writes rows as packets arrive, so a sample can
 * come a little after one recorded later.  Rows are read a few ahead and
 * each insole's samples handed on in timestamp order (counted in
 * ins_import_info.reordered).  A sample written again, at once or after
 * later ones (a packet the logger wrote twice, a Bluetooth packet sent
 * again late), is read once (counted in .repeated); any other timestamp
 * earlier than one already handed on (a clock set back, two recordings
 * joined) is refused at its row. */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "import_priv.h"

#define STAPPONE_PEEK_ROWS 512        /* rows read at open to find the insoles and the rate */
#define STAPPONE_DEFAULT_RATE_HZ 62.5 /* the sample's 16 ms, when the file has < 2 samples of a sole */
#define STAPPONE_COUNTS_MAX 65535.0
/* Samples of one insole closer than this are no insole's (they sample at
 * tens of hertz): timestamps in seconds, not milliseconds. */
#define STAPPONE_MIN_INTERVAL_MS 1.0
/* A clock before this (2000-01-01) was never set: milliseconds since the
 * insole started, not a date. */
#define STAPPONE_CLOCK_SET_MS 946684800000.0
/* Rows read ahead to put each insole's samples in time order: 8 samples
 * of each of two insoles (128 ms at 62.5 Hz), several Bluetooth packets,
 * beyond the reordering of a link that delivers its packets late but in
 * a bounded time.  A sample later than that is refused as a jump back. */
#define STAPPONE_AHEAD_ROWS 16
/* Samples of each insole kept after they are handed on, to know one sent
 * again: those of the reordering window (STAPPONE_AHEAD_ROWS periods, the
 * period being an insole's smallest interval), and the one it starts at. */
#define STAPPONE_SENT_ROWS (STAPPONE_AHEAD_ROWS + 1)

enum stappone_role { ST_OTHER = 0, ST_SOLE, ST_TIME, ST_PRESSURE, ST_CORRUPT };

/* A sample read ahead, waiting to be handed on. */
struct stappone_sample {
	double t_ms;
	unsigned long line;
	unsigned foot;
	float *values;         /* n_pressure counts, in stappone.ahead_values */
};

/* A sample handed on, kept to recognise it when it comes again. */
struct stappone_sent {
	int64_t t_us;
	unsigned long line;
	float *values;         /* n_pressure counts, in stappone.sent_values */
};

struct stappone {
	struct import_text text;
	int n_cols;
	/* the header's column names, for a row that stops before one (in
	 * header_text, owned) */
	char *header_text;
	const char *name[INS_IMPORT_FIELDS_MAX];
	uint8_t role[INS_IMPORT_FIELDS_MAX];
	uint16_t channel[INS_IMPORT_FIELDS_MAX]; /* pressure_NN: NN - 1 */
	unsigned n_pressure;
	int have_t0;
	double t0_ms;
	/* the samples read ahead, oldest row first from ahead[head] */
	struct stappone_sample ahead[STAPPONE_AHEAD_ROWS + 1];
	float *ahead_values;
	unsigned head, n_ahead;
	int ahead_end;         /* the file's end or a bad row was reached */
	char ahead_err[512];   /* the bad row's message, reported once the rows before it are handed on */
	/* each insole's last samples handed on, the newest at sent_next - 1 */
	struct stappone_sent sent[INS_FOOT_COUNT][STAPPONE_SENT_ROWS];
	float *sent_values;
	unsigned n_sent[INS_FOOT_COUNT], sent_next[INS_FOOT_COUNT];
};

static int stappone_column(struct stappone *s, int col, const char *name, char *err, size_t errlen)
{
	char *end;
	long idx;

	if (strcmp(name, "sole_id") == 0)
		s->role[col] = ST_SOLE;
	else if (strcmp(name, "timestamp") == 0)
		s->role[col] = ST_TIME;
	else if (strcmp(name, "corrupt") == 0)
		s->role[col] = ST_CORRUPT;
	else if (strncmp(name, "pressure_", 9) == 0) {
		idx = strtol(name + 9, &end, 10);
		if (end == name + 9 || *end || idx < 1 || idx > INS_MAX_SENSORS) {
			import_errf(err, errlen, s->text.path, 1, name, "not a pressure channel pressure_NN");
			return -1;
		}
		s->role[col] = ST_PRESSURE;
		s->channel[col] = (uint16_t)(idx - 1);
		if ((unsigned)idx > s->n_pressure)
			s->n_pressure = (unsigned)idx;
	}
	return 0;
}

/* A column name without the blanks around it and the double quotes of a
 * table re-saved by R's write.csv or a spreadsheet ("sole_id","timestamp",...:
 * names quoted, numbers not), which detection accepts too. */
static char *stappone_unquote(char *name)
{
	size_t n;

	name = import_trim_blanks(name);
	n = strlen(name);
	if (n >= 2 && name[0] == '"' && name[n - 1] == '"') {
		name[n - 1] = '\0';
		name++;
	}
	return name;
}

/* Every channel up to the highest named, each once: a sensor's column
 * missing would leave its values unknown. */
static int stappone_channels_complete(struct stappone *s, char *err, size_t errlen)
{
	unsigned char seen[INS_MAX_SENSORS] = { 0 };

	for (int col = 0; col < s->n_cols; col++) {
		if (s->role[col] != ST_PRESSURE)
			continue;
		if (seen[s->channel[col]]++) {
			import_errf(err, errlen, s->text.path, 1, NULL, "column 'pressure_%02u' appears twice",
				    s->channel[col] + 1u);
			return -1;
		}
	}
	for (unsigned i = 0; i < s->n_pressure; i++) {
		if (!seen[i]) {
			import_errf(err, errlen, s->text.path, 1, NULL,
				    "column 'pressure_%02u' is missing (pressure_01..pressure_%02u named)", i + 1,
				    s->n_pressure);
			return -1;
		}
	}
	return 0;
}

static int stappone_header(struct stappone *s, const char *line, char *err, size_t errlen)
{
	char *names[INS_IMPORT_FIELDS_MAX];
	unsigned have = 0;
	int n;

	s->header_text = strdup(line);
	if (!s->header_text) {
		import_errf(err, errlen, s->text.path, 1, NULL, "out of memory");
		return -1;
	}
	n = import_split(s->header_text, ',', names, INS_IMPORT_FIELDS_MAX);
	if (n < 0) {
		import_errf(err, errlen, s->text.path, 1, NULL, "more than %d columns", INS_IMPORT_FIELDS_MAX);
		return -1;
	}
	s->n_cols = n;
	for (int col = 0; col < n; col++) {
		s->name[col] = stappone_unquote(names[col]);
		if (stappone_column(s, col, s->name[col], err, errlen) < 0)
			return -1;
		have |= 1u << s->role[col];
	}
	if (!(have & (1u << ST_SOLE)) || !(have & (1u << ST_TIME)) || !s->n_pressure) {
		import_errf(err, errlen, s->text.path, 1, NULL,
			    "columns 'sole_id', 'timestamp' and 'pressure_01'... are required");
		return -1;
	}
	return stappone_channels_complete(s, err, errlen);
}

struct stappone_row {
	double sole, t_ms, corrupt;
	float *values;        /* n_pressure counts, or NULL to skip them */
};

/* The value of column col at at is no number the column may hold: the
 * message names the column as the header does ("pressure_07"). */
static int stappone_bad(struct stappone *s, int col, const char *at, char *err, size_t errlen)
{
	static const char *const names[] = { "", "sole_id", "timestamp", "pressure", "corrupt" };
	char field[24];

	if (s->role[col] == ST_PRESSURE)
		snprintf(field, sizeof field, "pressure_%02u", s->channel[col] + 1u);
	else
		snprintf(field, sizeof field, "%s", names[s->role[col]]);
	import_scan_errf(err, errlen, s->text.path, s->text.lineno, field, at, ',');
	return -1;
}

/* A row of col fields, fewer than the header names: the message names the
 * first column missing as the header does ("pressure_11"). */
static int stappone_short_row(const struct stappone *s, int col, char *err, size_t errlen)
{
	const char *name = s->name[col];

	import_errf(err, errlen, s->text.path, s->text.lineno, NULL,
		    "%d fields, the header names %d: the row ends before column %d, %s%.64s%s", col, s->n_cols,
		    col + 1, *name ? "'" : "", *name ? name : "which the header leaves unnamed", *name ? "'" : "");
	return -1;
}

/* A field's number at q, *end past it.  The corrupt flag may also be a
 * word, as a table library re-saves a column of flags (pandas: True and
 * False). */
static int stappone_scan(enum stappone_role role, const char *q, const char **end, double *v)
{
	if (role == ST_CORRUPT && strncasecmp(q, "true", 4) == 0) {
		*v = 1;
		*end = q + 4;
		return 0;
	}
	if (role == ST_CORRUPT && strncasecmp(q, "false", 5) == 0) {
		*v = 0;
		*end = q + 5;
		return 0;
	}
	return import_scan_number(q, end, v);
}

/* Parse one data row in place. */
static int stappone_parse(struct stappone *s, const char *q, struct stappone_row *row, char *err, size_t errlen)
{
	row->corrupt = 0;
	for (int col = 0; col < s->n_cols; col++) {
		const char *at;
		double v;

		if (col > 0 && *q++ != ',')
			return stappone_short_row(s, col, err, errlen);
		if (s->role[col] == ST_OTHER || (s->role[col] == ST_PRESSURE && !row->values)) {
			q += strcspn(q, ",");
			continue;
		}
		at = q;
		q = import_skip_blanks(q);
		if (stappone_scan(s->role[col], q, &q, &v) < 0 ||
		    fabs(v) > (s->role[col] == ST_TIME ? INS_IMPORT_TIME_MAX_S * 1000.0 : INS_IMPORT_VALUE_MAX) ||
		    (*(q = import_skip_blanks(q)) != ',' && *q != '\0'))
			return stappone_bad(s, col, at, err, errlen);
		if (s->role[col] == ST_SOLE)
			row->sole = v;
		else if (s->role[col] == ST_TIME)
			row->t_ms = v;
		else if (s->role[col] == ST_CORRUPT)
			row->corrupt = v;
		else
			row->values[s->channel[col]] = (float)v;
	}
	/* a comma after the last field (a row written with a separator after
	 * every field) is no field */
	if (*q != '\0' && !(*q == ',' && import_is_blank(q + 1))) {
		import_errf(err, errlen, s->text.path, s->text.lineno, NULL,
			    "more fields than the %d the header names", s->n_cols);
		return -1;
	}
	return 0;
}

static int stappone_foot(struct stappone *s, double sole, char *err, size_t errlen)
{
	if (sole == 1)
		return INS_FOOT_LEFT;
	if (sole == 2)
		return INS_FOOT_RIGHT;
	import_errf(err, errlen, s->text.path, s->text.lineno, "sole_id",
		    "%g is not an insole (1 = left, 2 = right)", sole);
	return -1;
}

/* "2026-01-15T16:36:19.568Z" for the first sample's clock. */
static void stappone_start(struct ins_import *imp, double t_ms)
{
	time_t secs = (time_t)floor(t_ms / 1000.0);
	struct tm tm;
	char day[32];

	if (t_ms < STAPPONE_CLOCK_SET_MS || t_ms > 1e15 || !gmtime_r(&secs, &tm) ||
	    !strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm))
		return;
	snprintf(imp->info.start, sizeof imp->info.start, "%s.%03dZ", day, (int)fmod(t_ms, 1000.0));
}

/* A sample at t_ms written after one at later_ms can be a late Bluetooth
 * packet only when it is at most the rows read ahead older: a sample
 * seconds older is a clock set back, not a packet that waited. */
static int stappone_may_precede(const struct ins_import *imp, double t_ms, double later_ms)
{
	return later_ms - t_ms <= STAPPONE_AHEAD_ROWS * 1000.0 / imp->info.rate_hz;
}

/* The first rows: which insoles, and the smallest interval of one (the rate). */
static int stappone_peek(struct ins_import *imp, char *err, size_t errlen)
{
	struct stappone *s = imp->priv;
	double last[INS_FOOT_COUNT] = { NAN, NAN }, best = INFINITY;
	struct stappone_row row = { .values = NULL };
	double first_ms[STAPPONE_AHEAD_ROWS + 1];
	unsigned samples = 0;
	unsigned long best_line = 0;
	char *line;
	int rc = 0, foot;

	while (s->text.lineno <= STAPPONE_PEEK_ROWS && (rc = import_text_next(&s->text, &line, err, errlen)) == 1) {
		if (import_is_blank(line))
			continue;
		if (stappone_parse(s, line, &row, err, errlen) < 0 || (foot = stappone_foot(s, row.sole, err, errlen)) < 0) {
			if (!imp->info.feet)
				return -1;
			break;  /* reading proper reports it, after the good rows before it */
		}
		imp->info.feet |= 1u << foot;
		if (row.corrupt != 0)
			continue;
		if (samples <= STAPPONE_AHEAD_ROWS)
			first_ms[samples] = row.t_ms;
		samples++;
		/* in either direction: samples written out of order are still a period apart */
		if (fabs(row.t_ms - last[foot]) > 0 && fabs(row.t_ms - last[foot]) < best) {
			best = fabs(row.t_ms - last[foot]);
			best_line = s->text.lineno;
		}
		last[foot] = row.t_ms;
	}
	if (best < STAPPONE_MIN_INTERVAL_MS) {
		import_errf(err, errlen, s->text.path, best_line, "timestamp",
			    "%.3g ms after the insole's sample before it (%.0f Hz), faster than any insole samples: "
			    "timestamps are milliseconds since 1970, not seconds", best, 1000.0 / best);
		return -1;
	}
	if (rc < 0 && !imp->info.feet)
		return -1;
	if (!imp->info.feet) {
		import_errf(err, errlen, s->text.path, s->text.lineno, NULL, "a header but no samples");
		return -1;
	}
	imp->info.rate_hz = isfinite(best) ? 1000.0 / best : STAPPONE_DEFAULT_RATE_HZ;
	/* the start: the earliest sample that reading may move before the first */
	s->have_t0 = samples > 0;
	s->t0_ms = samples > 0 ? first_ms[0] : 0;
	for (unsigned i = 1; i < samples && i <= STAPPONE_AHEAD_ROWS; i++)
		if (first_ms[i] < s->t0_ms && stappone_may_precede(imp, first_ms[i], first_ms[0]))
			s->t0_ms = first_ms[i];
	if (s->have_t0)
		stappone_start(imp, s->t0_ms);
	return 0;
}

static int stappone_open(struct ins_import *imp, const char *path, char *err, size_t errlen)
{
	struct stappone *s = calloc(1, sizeof *s);
	char *line;
	int rc;

	imp->priv = s;
	if (!s) {
		import_errf(err, errlen, path, 0, NULL, "out of memory");
		return -1;
	}
	if (import_text_open(&s->text, imp->info.path, err, errlen) < 0)
		return -1;
	rc = import_text_next(&s->text, &line, err, errlen);
	if (rc == 0)
		import_errf(err, errlen, path, 0, NULL, "empty file");
	if (rc <= 0 || stappone_header(s, line, err, errlen) < 0 || stappone_peek(imp, err, errlen) < 0)
		return -1;
	import_text_close(&s->text);
	if (import_text_open(&s->text, imp->info.path, err, errlen) < 0 ||
	    import_text_next(&s->text, &line, err, errlen) != 1)
		return -1;
	snprintf(imp->info.feet_from, sizeof imp->info.feet_from, "%s%s%s",
		 imp->info.feet & (1u << INS_FOOT_LEFT) ? "sole_id 1 = left" : "",
		 imp->info.feet == 3 ? ", " : "", imp->info.feet & (1u << INS_FOOT_RIGHT) ? "sole_id 2 = right" : "");
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		if (!(imp->info.feet & (1u << foot)))
			continue;
		imp->info.n_sensors[foot] = (uint16_t)s->n_pressure;
		if (s->n_pressure == 12)
			import_copy_text(imp->info.layout[foot], sizeof imp->info.layout[0], "stappone12");
	}
	imp->info.unit = INS_IMPORT_COUNTS;
	s->ahead_values = malloc((STAPPONE_AHEAD_ROWS + 1) * s->n_pressure * sizeof(float));
	s->sent_values = malloc(INS_FOOT_COUNT * STAPPONE_SENT_ROWS * s->n_pressure * sizeof(float));
	if (!s->ahead_values || !s->sent_values) {
		import_errf(err, errlen, path, 0, NULL, "out of memory");
		return -1;
	}
	for (unsigned i = 0; i <= STAPPONE_AHEAD_ROWS; i++)
		s->ahead[i].values = s->ahead_values + (size_t)i * s->n_pressure;
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		for (unsigned k = 0; k < STAPPONE_SENT_ROWS; k++)
			s->sent[foot][k].values = s->sent_values + (size_t)(foot * STAPPONE_SENT_ROWS + k) * s->n_pressure;
	return import_alloc_values(imp, err, errlen);
}

static int stappone_counts(struct stappone *s, const float *values, char *err, size_t errlen)
{
	for (unsigned i = 0; i < s->n_pressure; i++) {
		float v = values[i];

		if (!(v >= 0 && v <= STAPPONE_COUNTS_MAX) || v != floorf(v)) {
			char field[24];

			snprintf(field, sizeof field, "pressure_%02u", i + 1);
			import_errf(err, errlen, s->text.path, s->text.lineno, field,
				    "%g is not a raw value (a whole number 0..65535)", v);
			return -1;
		}
	}
	return 0;
}

/* The next sample row into *out (its values into out->values): 1, 0 at
 * the end of the file, -1 with err.  Rows flagged corrupt are skipped: the
 * insole's next sample carries the gap. */
static int stappone_next_sample(struct ins_import *imp, struct stappone_sample *out, char *err, size_t errlen)
{
	struct stappone *s = imp->priv;
	struct stappone_row row = { .values = out->values };
	char *line;
	int rc, foot;

	do {
		do {
			rc = import_text_next(&s->text, &line, err, errlen);
			if (rc <= 0)
				return rc;
		} while (import_is_blank(line));
		if (stappone_parse(s, line, &row, err, errlen) < 0 ||
		    (foot = stappone_foot(s, row.sole, err, errlen)) < 0)
			return -1;
		if (!(imp->info.feet & (1u << foot))) {
			import_errf(err, errlen, s->text.path, s->text.lineno, "sole_id",
				    "insole %g first appears after the first %d rows", row.sole, STAPPONE_PEEK_ROWS);
			return -1;
		}
	} while (row.corrupt != 0);
	if (stappone_counts(s, out->values, err, errlen) < 0)
		return -1;
	out->t_ms = row.t_ms;
	out->line = s->text.lineno;
	out->foot = (unsigned)foot;
	return 1;
}

/* Read ahead until STAPPONE_AHEAD_ROWS + 1 samples wait, or the end of the
 * file or a bad row (kept in ahead_err until the samples before it are out). */
static void stappone_read_ahead(struct ins_import *imp)
{
	struct stappone *s = imp->priv;

	while (!s->ahead_end && s->n_ahead <= STAPPONE_AHEAD_ROWS) {
		struct stappone_sample *slot = &s->ahead[(s->head + s->n_ahead) % (STAPPONE_AHEAD_ROWS + 1)];
		int rc = stappone_next_sample(imp, slot, s->ahead_err, sizeof s->ahead_err);

		if (rc <= 0)
			s->ahead_end = rc < 0 ? -1 : 1;
		else
			s->n_ahead++;
	}
}

static int64_t stappone_t_us(const struct stappone *s, double t_ms)
{
	return llround((t_ms - s->t0_ms) * 1000.0);
}

/* The oldest row waiting gets the earliest waiting sample of its insole
 * that is still after the insole's last one: a sample recorded earlier
 * but written later moves up.  A sample at or before the last one stays
 * in its row, to be refused there after the rows before it. */
static void stappone_take_earliest(struct ins_import *imp)
{
	struct stappone *s = imp->priv;
	struct stappone_sample *first = &s->ahead[s->head], *best = first, tmp;
	unsigned foot = first->foot;

	for (unsigned i = 1; i < s->n_ahead; i++) {
		struct stappone_sample *c = &s->ahead[(s->head + i) % (STAPPONE_AHEAD_ROWS + 1)];

		if (c->foot == foot && c->t_ms < best->t_ms && stappone_may_precede(imp, c->t_ms, first->t_ms) &&
		    (!imp->started[foot] || stappone_t_us(s, c->t_ms) > imp->last_t_us[foot]))
			best = c;
	}
	if (best == first)
		return;
	tmp = *first;
	*first = *best;
	*best = tmp;
	imp->info.reordered[foot]++;
}

/* The insole's sample handed on k samples before its last one (k = 0: the last). */
static const struct stappone_sent *stappone_sent_before(const struct stappone *s, unsigned foot, unsigned k)
{
	return &s->sent[foot][(s->sent_next[foot] + STAPPONE_SENT_ROWS - 1 - k) % STAPPONE_SENT_ROWS];
}

static void stappone_remember(struct stappone *s, const struct stappone_sample *sample, int64_t t_us)
{
	struct stappone_sent *slot = &s->sent[sample->foot][s->sent_next[sample->foot]];

	slot->t_us = t_us;
	slot->line = sample->line;
	memcpy(slot->values, sample->values, s->n_pressure * sizeof(float));
	s->sent_next[sample->foot] = (s->sent_next[sample->foot] + 1) % STAPPONE_SENT_ROWS;
	if (s->n_sent[sample->foot] < STAPPONE_SENT_ROWS)
		s->n_sent[sample->foot]++;
}

/* The sample of the insole handed on at t_us, among those kept; NULL if none. */
static const struct stappone_sent *stappone_sent_at(const struct stappone *s, unsigned foot, int64_t t_us)
{
	for (unsigned k = 0; k < s->n_sent[foot]; k++) {
		const struct stappone_sent *c = stappone_sent_before(s, foot, k);

		if (c->t_us == t_us)
			return c;
	}
	return NULL;
}

/* A sample at or before its insole's last one handed on.  The same time
 * and values as a sample handed on within the reordering window is that
 * sample again (a packet the logger wrote twice, or a Bluetooth packet
 * sent again after later ones): read once.  Other values at that time, or
 * a time further back, are refused at its row. */
static int stappone_again(struct ins_import *imp, const struct stappone_sample *sample, int64_t t_us, char *err,
			  size_t errlen)
{
	struct stappone *s = imp->priv;
	unsigned foot = sample->foot;
	const struct stappone_sent *last = stappone_sent_before(s, foot, 0), *same = NULL;
	double last_ms = s->t0_ms + last->t_us / 1000.0;

	if (stappone_may_precede(imp, sample->t_ms, last_ms))
		same = stappone_sent_at(s, foot, t_us);
	if (same && memcmp(sample->values, same->values, s->n_pressure * sizeof(float)) == 0) {
		imp->info.repeated[foot]++;
		return 1;
	}
	if (same)
		import_errf(err, errlen, s->text.path, sample->line, "timestamp",
			    "%.0f ms again, as the %s insole's sample of line %lu, with other values: two samples at "
			    "one time", sample->t_ms, ins_foot_name(foot), same->line);
	else
		import_errf(err, errlen, s->text.path, sample->line, "timestamp",
			    "%.0f ms is not after the %s insole's sample of line %lu (%.0f ms), and too far back for a "
			    "sample written late (a clock set back, or two recordings joined?)",
			    sample->t_ms, ins_foot_name(foot), last->line, last_ms);
	return -1;
}

static int stappone_read_row(struct ins_import *imp, char *err, size_t errlen)
{
	struct stappone *s = imp->priv;
	struct stappone_sample *sample;
	int64_t t_us;

	stappone_read_ahead(imp);
	if (s->n_ahead == 0) {
		if (s->ahead_end < 0)
			snprintf(err, errlen, "%s", s->ahead_err);
		return s->ahead_end < 0 ? -1 : 0;
	}
	stappone_take_earliest(imp);
	sample = &s->ahead[s->head];
	s->head = (s->head + 1) % (STAPPONE_AHEAD_ROWS + 1);
	s->n_ahead--;
	t_us = stappone_t_us(s, sample->t_ms);
	if (imp->started[sample->foot] && t_us <= imp->last_t_us[sample->foot])
		return stappone_again(imp, sample, t_us, err, errlen);
	memcpy(imp->vals[sample->foot], sample->values, s->n_pressure * sizeof(float));
	stappone_remember(s, sample, t_us);
	return import_stamp(imp, sample->foot, t_us, sample->line, "timestamp", err, errlen) < 0 ? -1 : 1;
}

static void stappone_close(struct ins_import *imp)
{
	struct stappone *s = imp->priv;

	if (!s)
		return;
	import_text_close(&s->text);
	free(s->header_text);
	free(s->ahead_values);
	free(s->sent_values);
	free(s);
	imp->priv = NULL;
}

const struct import_ops import_stappone_ops = {
	.name = "stappone",
	.open = stappone_open,
	.read_row = stappone_read_row,
	.close = stappone_close,
};
