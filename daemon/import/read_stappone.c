/* stappone insole export (.csv): a header line naming the comma-separated
 * columns (sole_id, timestamp in ms since 1970, accelerometer, gyroscope,
 * magnetometer, pressure_01..pressure_12, corrupt), then one row per sample
 * per insole.  sole_id 1 is the left insole and 2 the right one (as the
 * pressuRe package draws them).  The pressure channels are raw values: the
 * reader yields counts, the stappone12 layout passes them through as
 * arbitrary units.  A row flagged corrupt is a dropped sample. */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "import_priv.h"

#define STAPPONE_PEEK_ROWS 512        /* rows read at open to find the insoles and the rate */
#define STAPPONE_DEFAULT_RATE_HZ 62.5 /* the sample's 16 ms, when the file has < 2 samples of a sole */
#define STAPPONE_COUNTS_MAX 65535.0

enum stappone_role { ST_OTHER = 0, ST_SOLE, ST_TIME, ST_PRESSURE, ST_CORRUPT };

struct stappone {
	struct import_text text;
	int n_cols;
	uint8_t role[INS_IMPORT_FIELDS_MAX];
	uint16_t channel[INS_IMPORT_FIELDS_MAX]; /* pressure_NN: NN - 1 */
	unsigned n_pressure;
	int have_t0;
	double t0_ms;
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

	name += strspn(name, " \t");
	n = strlen(name);
	while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t'))
		name[--n] = '\0';
	if (n >= 2 && name[0] == '"' && name[n - 1] == '"') {
		name[n - 1] = '\0';
		name++;
	}
	return name;
}

static int stappone_header(struct stappone *s, char *line, char *err, size_t errlen)
{
	char *names[INS_IMPORT_FIELDS_MAX];
	int n = import_split(line, ',', names, INS_IMPORT_FIELDS_MAX);
	unsigned have = 0;

	if (n < 0) {
		import_errf(err, errlen, s->text.path, 1, NULL, "more than %d columns", INS_IMPORT_FIELDS_MAX);
		return -1;
	}
	s->n_cols = n;
	for (int col = 0; col < n; col++) {
		if (stappone_column(s, col, stappone_unquote(names[col]), err, errlen) < 0)
			return -1;
		have |= 1u << s->role[col];
	}
	if (!(have & (1u << ST_SOLE)) || !(have & (1u << ST_TIME)) || !s->n_pressure) {
		import_errf(err, errlen, s->text.path, 1, NULL,
			    "columns 'sole_id', 'timestamp' and 'pressure_01'... are required");
		return -1;
	}
	return 0;
}

struct stappone_row {
	double sole, t_ms, corrupt;
	float *values;        /* n_pressure counts, or NULL to skip them */
};

static int stappone_bad(struct stappone *s, const char *name, const char *at, char *err, size_t errlen)
{
	import_scan_errf(err, errlen, s->text.path, s->text.lineno, name, at, ',');
	return -1;
}

static const char *stappone_role_name(unsigned role)
{
	static const char *const names[] = { "", "sole_id", "timestamp", "pressure", "corrupt" };

	return names[role];
}

/* Parse one data row in place. */
static int stappone_parse(struct stappone *s, const char *q, struct stappone_row *row, char *err, size_t errlen)
{
	row->corrupt = 0;
	for (int col = 0; col < s->n_cols; col++) {
		const char *at;
		double v;

		if (col > 0 && *q++ != ',') {
			import_errf(err, errlen, s->text.path, s->text.lineno, NULL,
				    "%d fields, the header names %d", col, s->n_cols);
			return -1;
		}
		if (s->role[col] == ST_OTHER || (s->role[col] == ST_PRESSURE && !row->values)) {
			q += strcspn(q, ",");
			continue;
		}
		at = q;
		q = import_skip_blanks(q);
		if (import_scan_number(q, &q, &v) < 0 ||
		    fabs(v) > (s->role[col] == ST_TIME ? INS_IMPORT_TIME_MAX_S * 1000.0 : INS_IMPORT_VALUE_MAX) ||
		    (*(q = import_skip_blanks(q)) != ',' && *q != '\0'))
			return stappone_bad(s, stappone_role_name(s->role[col]), at, err, errlen);
		if (s->role[col] == ST_SOLE)
			row->sole = v;
		else if (s->role[col] == ST_TIME)
			row->t_ms = v;
		else if (s->role[col] == ST_CORRUPT)
			row->corrupt = v;
		else
			row->values[s->channel[col]] = (float)v;
	}
	if (*q != '\0') {
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

	if (t_ms < 0 || t_ms > 1e15 || !gmtime_r(&secs, &tm) || !strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm))
		return;
	snprintf(imp->info.start, sizeof imp->info.start, "%s.%03dZ", day, (int)fmod(t_ms, 1000.0));
}

/* The first rows: which insoles, and the smallest interval of one (the rate). */
static int stappone_peek(struct ins_import *imp, char *err, size_t errlen)
{
	struct stappone *s = imp->priv;
	double last[INS_FOOT_COUNT] = { NAN, NAN }, best = INFINITY;
	struct stappone_row row = { .values = NULL };
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
		if (!s->have_t0) {
			s->t0_ms = row.t_ms;
			s->have_t0 = 1;
			stappone_start(imp, row.t_ms);
		}
		if (row.t_ms - last[foot] > 0 && row.t_ms - last[foot] < best)
			best = row.t_ms - last[foot];
		last[foot] = row.t_ms;
	}
	if (rc < 0 && !imp->info.feet)
		return -1;
	if (!imp->info.feet) {
		import_errf(err, errlen, s->text.path, s->text.lineno, NULL, "a header but no samples");
		return -1;
	}
	imp->info.rate_hz = isfinite(best) ? 1000.0 / best : STAPPONE_DEFAULT_RATE_HZ;
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
	return import_alloc_values(imp, err, errlen);
}

static int stappone_counts(struct ins_import *imp, unsigned foot, char *err, size_t errlen)
{
	struct stappone *s = imp->priv;

	for (unsigned i = 0; i < s->n_pressure; i++) {
		float v = imp->vals[foot][i];

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

static int stappone_read_row(struct ins_import *imp, char *err, size_t errlen)
{
	struct stappone *s = imp->priv;
	float values[INS_MAX_SENSORS];
	struct stappone_row row = { .values = values };
	char *line;
	int rc, foot;

	do {
		rc = import_text_next(&s->text, &line, err, errlen);
		if (rc <= 0)
			return rc;
	} while (import_is_blank(line));
	if (stappone_parse(s, line, &row, err, errlen) < 0 || (foot = stappone_foot(s, row.sole, err, errlen)) < 0)
		return -1;
	if (!(imp->info.feet & (1u << foot))) {
		import_errf(err, errlen, s->text.path, s->text.lineno, "sole_id",
			    "insole %g first appears after the first %d rows", row.sole, STAPPONE_PEEK_ROWS);
		return -1;
	}
	if (row.corrupt != 0)
		return 1;    /* a dropped sample: the foot's next frame carries the gap */
	memcpy(imp->vals[foot], values, s->n_pressure * sizeof(float));
	if (stappone_counts(imp, (unsigned)foot, err, errlen) < 0)
		return -1;
	return import_stamp(imp, (unsigned)foot, llround((row.t_ms - s->t0_ms) * 1000.0), s->text.lineno,
			    "timestamp", err, errlen) < 0 ? -1 : 1;
}

static void stappone_close(struct ins_import *imp)
{
	struct stappone *s = imp->priv;

	if (!s)
		return;
	import_text_close(&s->text);
	free(s);
	imp->priv = NULL;
}

const struct import_ops import_stappone_ops = {
	.name = "stappone",
	.open = stappone_open,
	.read_row = stappone_read_row,
	.close = stappone_close,
};
