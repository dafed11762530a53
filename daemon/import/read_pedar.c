/* novel pedar(-x) ASCII export (.asc): a header of "key: value" items
 * (file name, date/time, sensor type, scanning rate, the pressure unit, the
 * mask definition naming each insole), a "time[secs]" line naming the
 * columns, then one tab-separated row per sample: the time in seconds and
 * 99 pressures per insole, left insole first.  The rows' times are the
 * frames' (a header rate they belie is a caution).  Yields kPa; the insole
 * type (the sensor type's first part, "y" of "y-1865l-...") picks the
 * layout pedar99-<type>. */
#include <config.h>

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import_priv.h"

#define PEDAR_SENSORS 99
#define PEDAR_HEADER_LINES_MAX 64 /* the "time[secs]" line comes within this many lines */
#define PEDAR_TYPE_MAX 8
#define PEDAR_RATE_PEEK_ROWS 10   /* rows whose smallest interval is the rows' rate */
/* The header's scanning rate and the rows' clock are one rate when within
 * this share of each other: the rows' times are printed to 10 us, so an
 * interval read from them is off by up to 0.1 % at pedar's 100 Hz, while
 * a header and rows that disagree are of two rate settings (50 against
 * 100 Hz), tens of per cent apart. */
#define PEDAR_RATE_TOLERANCE 0.01

struct pedar {
	struct import_text text;
	unsigned n_values;                 /* 99 per insole present */
	unsigned foot_of_block[INS_FOOT_COUNT]; /* foot of the first / second block of 99 */
	double to_kpa;
	unsigned long rows;                /* data rows read */
};

/* Insole types of the published areas table (pedar_insole_areas.csv). */
static const char *const pedar_types[] = { "u", "v", "w", "x", "y", "uw", "xw", "vw", NULL };

static const char *pedar_value_after(const char *item)
{
	const char *v = strchr(item, ':');

	return v ? import_skip_blanks(v + 1) : NULL;
}

/* An insole's line of the mask definition names its sensors ("1,2,...");
 * one naming none ("right insole: ") is an insole the recording has not:
 * its columns are not in the rows. */
static int pedar_lists_sensors(const char *v)
{
	return v[strspn(v, " \t,")] != '\0';
}

static void pedar_trim_copy(char *dst, size_t len, const char *src)
{
	size_t n;

	import_copy_text(dst, len, src);
	n = strlen(dst);
	while (n > 0 && (dst[n - 1] == ' ' || dst[n - 1] == '\t'))
		dst[--n] = '\0';
}

/* The insole type, the sensor type's first part ("y" of "y-1865l-...");
 * one that is none of pedar_types leaves the layout to the user, saying
 * which it was. */
static void pedar_sensor_type(struct ins_import *imp, const char *v)
{
	char type[PEDAR_TYPE_MAX + 1];
	size_t n = strcspn(v, "- \t"), used;

	for (size_t i = 0; i < n && i < PEDAR_TYPE_MAX; i++)
		type[i] = (char)tolower((unsigned char)v[i]);
	type[n < PEDAR_TYPE_MAX ? n : PEDAR_TYPE_MAX] = '\0';
	for (unsigned i = 0; n <= PEDAR_TYPE_MAX && pedar_types[i]; i++) {
		if (strcmp(type, pedar_types[i]) == 0) {
			snprintf(imp->info.layout[0], sizeof imp->info.layout[0], "pedar99-%s", type);
			return;
		}
	}
	if (n == 0) {
		import_copy_text(imp->info.layout_note, sizeof imp->info.layout_note, "its sensor type is blank");
		return;
	}
	used = (size_t)snprintf(imp->info.layout_note, sizeof imp->info.layout_note,
				"its sensor type '%.*s' is none of the pedar insoles known:", (int)(n < 16 ? n : 16), v);
	for (unsigned i = 0; pedar_types[i] && used < sizeof imp->info.layout_note; i++)
		used += (size_t)snprintf(imp->info.layout_note + used, sizeof imp->info.layout_note - used, "%s %s",
					 i ? "," : "", pedar_types[i]);
}

static int pedar_unit(struct ins_import *imp, const char *line, char *err, size_t errlen)
{
	struct pedar *p = imp->priv;
	const char *end;
	char unit[32];

	pedar_trim_copy(unit, sizeof unit, import_skip_blanks(line + strlen("pressure values in")));
	if (strcasecmp(unit, "kPa") == 0)
		p->to_kpa = 1.0;
	else if ((end = import_per_cm2(unit, "N")) && *end == '\0')
		p->to_kpa = 10.0;
	else if (strcasecmp(unit, "MPa") == 0)
		p->to_kpa = 1000.0;
	else {
		import_errf(err, errlen, p->text.path, p->text.lineno, "pressure values in",
			    "unit '%s' is not supported (kPa, N/cm2, MPa)", unit);
		return -1;
	}
	return 0;
}

/* One tab-separated "key: value" item of a header line. */
static int pedar_header_item(struct ins_import *imp, const char *item, char *err, size_t errlen)
{
	struct pedar *p = imp->priv;
	const char *v = pedar_value_after(item);

	item = import_skip_blanks(item);
	/* "date/time  25.04.23 10.49": the one item without a colon */
	if (strncasecmp(item, "date/time", 9) == 0) {
		v = import_skip_blanks(item + 9);
		pedar_trim_copy(imp->info.start, sizeof imp->info.start, v + (*v == ':'));
		return 0;
	}
	if (!v)
		return 0;
	if (strncasecmp(item, "sensor type", 11) == 0)
		pedar_sensor_type(imp, v);
	else if (strncasecmp(item, "scanning rate", 13) == 0) {
		double hz;

		if (import_parse_number(v, &hz, p->text.path, p->text.lineno, "scanning rate [Hz]", err, errlen) < 0)
			return -1;
		if (!(hz >= 1 && hz <= 100000)) {
			import_errf(err, errlen, p->text.path, p->text.lineno, "scanning rate [Hz]",
				    "%g Hz is not a sampling rate (1..100000)", hz);
			return -1;
		}
		imp->info.rate_hz = hz;
	} else if (strncasecmp(item, "left insole", 11) == 0 && pedar_lists_sensors(v))
		imp->info.feet |= 1u << INS_FOOT_LEFT;
	else if (strncasecmp(item, "right insole", 12) == 0 && pedar_lists_sensors(v))
		imp->info.feet |= 1u << INS_FOOT_RIGHT;
	return 0;
}

static int pedar_header_line(struct ins_import *imp, char *line, char *err, size_t errlen)
{
	char *item = line;

	if (strncasecmp(line, "pressure values in", 18) == 0)
		return pedar_unit(imp, line, err, errlen);
	while (item) {
		char *tab = strchr(item, '\t');

		if (tab)
			*tab = '\0';
		if (pedar_header_item(imp, item, err, errlen) < 0)
			return -1;
		item = tab ? tab + 1 : NULL;
	}
	return 0;
}

/* The "time[secs]" line: 99 column numbers per insole of the mask definition. */
static int pedar_columns(struct ins_import *imp, char *line, char *err, size_t errlen)
{
	struct pedar *p = imp->priv;
	char *fields[2 * PEDAR_SENSORS + 4];
	int n = import_split(line, '\t', fields, 2 * PEDAR_SENSORS + 4);
	unsigned feet = 0, k = 0;

	while (n > 1 && import_is_blank(fields[n - 1]))
		n--;    /* the export ends every line with a tab */
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		if (imp->info.feet & (1u << foot))
			p->foot_of_block[k++] = foot, feet++;
	if (feet == 0) {
		import_errf(err, errlen, p->text.path, p->text.lineno, NULL,
			    "no 'left insole:' or 'right insole:' line in the mask definition");
		return -1;
	}
	if (n < 0 || (unsigned)n != 1 + feet * PEDAR_SENSORS) {
		import_errf(err, errlen, p->text.path, p->text.lineno, "time[secs]",
			    "expected %u sensor columns (99 per insole of the mask definition), found %s%d",
			    feet * PEDAR_SENSORS, n < 0 ? "more than " : "", n < 0 ? 2 * PEDAR_SENSORS : n - 1);
		return -1;
	}
	p->n_values = feet * PEDAR_SENSORS;
	return 0;
}

static int pedar_describe(struct ins_import *imp, char *err, size_t errlen)
{
	struct pedar *p = imp->priv;
	char layout[64];

	if (imp->info.rate_hz <= 0) {
		import_errf(err, errlen, p->text.path, 0, "scanning rate [Hz]", "missing from the header");
		return -1;
	}
	if (p->to_kpa <= 0) {
		import_errf(err, errlen, p->text.path, 0, "pressure values in", "missing from the header");
		return -1;
	}
	import_copy_text(layout, sizeof layout, imp->info.layout[0]);
	imp->info.layout[0][0] = '\0';
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		if (!(imp->info.feet & (1u << foot)))
			continue;
		imp->info.n_sensors[foot] = PEDAR_SENSORS;
		import_copy_text(imp->info.layout[foot], sizeof imp->info.layout[0], layout);
	}
	imp->info.unit = INS_IMPORT_KPA;
	return import_alloc_values(imp, err, errlen);
}

/* The rows' own rate: the smallest interval between the times of the
 * first rows after the header's `header_lines` lines; 0 when fewer than
 * two rows have a time. */
static double pedar_peek_rate(const char *path, unsigned long header_lines)
{
	struct import_text t;
	char err[64], *line;
	int64_t last_us = 0, best_us = INT64_MAX;
	unsigned rows = 0;

	if (import_text_open(&t, path, err, sizeof err) < 0)
		return 0;
	t.allow_unterminated = 1;
	while (rows < PEDAR_RATE_PEEK_ROWS && import_text_next(&t, &line, err, sizeof err) == 1) {
		const char *q = line;
		double secs;
		int64_t t_us;

		if (t.lineno <= header_lines || import_is_blank(line))
			continue;
		if (import_scan_field(&q, '\t', &secs) < 0)
			break;  /* reading proper reports it */
		t_us = llround(secs * 1e6);
		if (rows++ > 0 && t_us > last_us && t_us - last_us < best_us)
			best_us = t_us - last_us;
		last_us = t_us;
	}
	import_text_close(&t);
	return best_us < INT64_MAX ? 1e6 / (double)best_us : 0;
}

/* The header's scanning rate against the rows' clock: the rows' times are
 * the frames' times, so where the two differ the rows' rate is the one the
 * figures (and the count of missing samples) follow, and the caution says
 * so. */
static void pedar_check_rate(struct ins_import *imp, unsigned long header_lines)
{
	double header_hz = imp->info.rate_hz, rows_hz = pedar_peek_rate(imp->info.path, header_lines);

	if (!(rows_hz > 0) || fabs(rows_hz - header_hz) <= PEDAR_RATE_TOLERANCE * header_hz)
		return;
	imp->info.rate_hz = rows_hz;
	snprintf(imp->info.caution, sizeof imp->info.caution,
		 "the header's scanning rate is %.4g Hz, but the rows' times are %.4g s apart (%.4g Hz): the "
		 "figures use the rows' clock, %.4g Hz, not the header's rate", header_hz, 1.0 / rows_hz, rows_hz,
		 rows_hz);
}

static int pedar_open(struct ins_import *imp, const char *path, char *err, size_t errlen)
{
	struct pedar *p = calloc(1, sizeof *p);
	char *line;
	int rc;

	if (!p) {
		import_errf(err, errlen, path, 0, NULL, "out of memory");
		return -1;
	}
	imp->priv = p;
	if (import_text_open(&p->text, imp->info.path, err, errlen) < 0)
		return -1;
	p->text.allow_unterminated = 1;
	while ((rc = import_text_next(&p->text, &line, err, errlen)) == 1) {
		if (p->text.unterminated) {
			/* only the last row may end without a line end */
			import_errf(err, errlen, path, p->text.lineno, NULL,
				    "truncated file: the header ends inside this line, before any row");
			return -1;
		}
		if (strncasecmp(line, "time[secs]", 10) == 0)
			break;
		if (p->text.lineno >= PEDAR_HEADER_LINES_MAX) {
			import_errf(err, errlen, path, p->text.lineno, NULL,
				    "no 'time[secs]' line naming the columns in the first %d lines",
				    PEDAR_HEADER_LINES_MAX);
			return -1;
		}
		if (pedar_header_line(imp, line, err, errlen) < 0)
			return -1;
	}
	if (rc < 0)
		return -1;
	if (rc == 0) {
		import_errf(err, errlen, path, p->text.lineno, NULL,
			    "the header ends without a 'time[secs]' line naming the columns");
		return -1;
	}
	if (pedar_columns(imp, line, err, errlen) < 0 || pedar_describe(imp, err, errlen) < 0)
		return -1;
	pedar_check_rate(imp, p->text.lineno);
	return 0;
}

static void pedar_bad_value(struct pedar *p, unsigned k, const char *at, char *err, size_t errlen)
{
	char field[32];

	snprintf(field, sizeof field, "%s sensor %u", ins_foot_name(p->foot_of_block[k / PEDAR_SENSORS]),
		 k % PEDAR_SENSORS + 1);
	import_scan_errf(err, errlen, p->text.path, p->text.lineno, field, at, '\t');
}

static int pedar_values(struct ins_import *imp, const char *q, char *err, size_t errlen)
{
	struct pedar *p = imp->priv;

	for (unsigned k = 0; k < p->n_values; k++) {
		unsigned foot = p->foot_of_block[k / PEDAR_SENSORS];
		double v;

		if (*q == '\0' && k > 0) {
			import_errf(err, errlen, p->text.path, p->text.lineno, NULL,
				    "%u of %u sensor values: the row is cut short before the %s insole's sensor %u", k,
				    p->n_values, ins_foot_name(foot), k % PEDAR_SENSORS + 1);
			return -1;
		}
		if (import_scan_field(&q, '\t', &v) < 0) {
			pedar_bad_value(p, k, q, err, errlen);
			return -1;
		}
		imp->vals[foot][k % PEDAR_SENSORS] = (float)(v * p->to_kpa);
	}
	if (!import_is_blank(q)) {
		import_errf(err, errlen, p->text.path, p->text.lineno, NULL,
			    "more than the %u sensor values the columns name", p->n_values);
		return -1;
	}
	return 0;
}

static int pedar_read_row(struct ins_import *imp, char *err, size_t errlen)
{
	struct pedar *p = imp->priv;
	const char *q;
	char *line;
	double t;
	int64_t t_us;
	int rc;

	do {
		rc = import_text_next(&p->text, &line, err, errlen);
		if (rc < 0 || (rc == 0 && p->rows))
			return rc;
		if (rc == 0) {
			import_errf(err, errlen, p->text.path, p->text.lineno, NULL, "a header but no rows");
			return -1;
		}
	} while (import_is_blank(line));
	p->rows++;
	if (p->text.unterminated && line[strlen(line) - 1] != '\t') {
		char zeros[160];

		import_errf(err, errlen, p->text.path, p->text.lineno, NULL,
			    "truncated file: the last row ends neither with a line end nor with the tab that ends "
			    "every row%s", import_zero_tail_note(&p->text, zeros, sizeof zeros));
		return -1;
	}
	q = line;
	if (import_scan_field(&q, '\t', &t) < 0) {
		import_scan_errf(err, errlen, p->text.path, p->text.lineno, "time[secs]", line, '\t');
		return -1;
	}
	t_us = llround(t * 1e6);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		if ((imp->info.feet & (1u << foot)) &&
		    import_stamp(imp, foot, t_us, p->text.lineno, "time[secs]", err, errlen) < 0)
			return -1;
	if (pedar_values(imp, q, err, errlen) < 0)
		return -1;
	return 1;
}

static void pedar_close(struct ins_import *imp)
{
	struct pedar *p = imp->priv;

	if (!p)
		return;
	import_text_close(&p->text);
	free(p);
	imp->priv = NULL;
}

const struct import_ops import_pedar_ops = {
	.name = "pedar",
	.open = pedar_open,
	.read_row = pedar_read_row,
	.close = pedar_close,
};
