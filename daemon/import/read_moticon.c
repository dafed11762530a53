/* Moticon OpenGo text export: "# Key: value" header lines, a "# time<TAB>..."
 * line naming the tab-separated columns, then one row per sample.  Columns
 * are found by name, so exports with or without IMU columns or with one
 * foot only read alike.  Pressures N/cm2 -> kPa (x 10).  A foot whose fields
 * are all blank in a row is a dropped packet of that foot.  The vendor's
 * total force, CoP and step events become the per-frame reference. */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "import_priv.h"

#define MOTICON_DEFAULT_RATE_HZ 100.0 /* OpenGo's usual rate, used when the file has < 2 samples */
#define MOTICON_RATE_PEEK_ROWS 10     /* rows whose smallest interval gives the rate (a gap among
				       * the first few rows must not halve it) */
#define KPA_PER_N_CM2 10.0            /* 1 N/cm2 = 10 kPa */
/* Event codes of the "<foot> steps[]" columns (read from the sample file
 * against the vendor's gait report): 11/21 heel strike, 15/25 toe off. */
static const int moticon_contact_code[INS_FOOT_COUNT] = { 11, 21 };
static const int moticon_toe_off_code[INS_FOOT_COUNT] = { 15, 25 };

struct moticon_foot {
	int n;                        /* pressure columns found */
	int pressure[INS_MAX_SENSORS]; /* column index of pressure i+1 */
	int force, cop_x, cop_y, steps; /* -1 when absent */
};

struct moticon {
	struct import_text text;
	int n_cols;
	int time_col;
	double time_unit_s;           /* the time column's unit: 1 (s, or none), 0.001 (ms) */
	char *header;                 /* copy of the column line; names[] point into it */
	char **names;
	char **fields;
	struct moticon_foot foot[INS_FOOT_COUNT];
	int have_time;
	int64_t last_t_us;
	char *first_row;              /* first data row, kept while the header is read */
};

static const char *const foot_prefix[INS_FOOT_COUNT] = { "left ", "right " };

/* "pressure 5[N/cm²]" -> 5; 0 when the name is not a pressure column, -1 on
 * a bad unit.  The ² in UTF-8 as the app writes it, or as the one byte
 * 0xb2 of Windows-1252, what a Windows program that opened the export
 * ("Text (Tab delimited)" in Excel) saves it in. */
static int moticon_pressure_index(const char *rest, const char **unit)
{
	const char *after;
	char *end;
	long idx;

	if (strncmp(rest, "pressure ", 9) != 0)
		return 0;
	idx = strtol(rest + 9, &end, 10);
	if (end == rest + 9 || *end != '[' || idx < 1 || idx > INS_MAX_SENSORS)
		return 0;
	*unit = end + 1;
	after = import_per_cm2(*unit, "N");
	return after && strcmp(after, "]") == 0 ? (int)idx : -1;
}

/* "time", "time[s]" or "time[ms]": the time column and its unit; another
 * unit would put every sample a factor off in time, so it is refused. */
static int moticon_time_column(struct moticon *m, int col, char *err, size_t errlen)
{
	const char *unit = m->names[col] + 4;

	m->time_col = col;
	if (*unit == '\0' || strcmp(unit, "[s]") == 0)
		m->time_unit_s = 1.0;
	else if (strcmp(unit, "[ms]") == 0)
		m->time_unit_s = 0.001;
	else {
		import_errf(err, errlen, m->text.path, m->text.lineno, m->names[col],
			    "time unit '%.16s' is not supported (s or ms)", unit);
		return -1;
	}
	return 0;
}

static int moticon_map_column(struct moticon *m, int col, char *err, size_t errlen)
{
	const char *name = m->names[col];

	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		struct moticon_foot *mf = &m->foot[foot];
		size_t plen = strlen(foot_prefix[foot]);
		const char *rest, *unit = "";
		int idx;

		if (strncmp(name, foot_prefix[foot], plen) != 0)
			continue;
		rest = name + plen;
		idx = moticon_pressure_index(rest, &unit);
		if (idx < 0) {
			import_errf(err, errlen, m->text.path, m->text.lineno, name,
				    "pressure unit '[%.16s' is not supported (expected N/cm\xc2\xb2)", unit);
			return -1;
		}
		if (idx > 0) {
			if (mf->pressure[idx - 1] >= 0) {
				import_errf(err, errlen, m->text.path, m->text.lineno, name,
					    "column appears twice");
				return -1;
			}
			mf->pressure[idx - 1] = col;
			if (idx > mf->n)
				mf->n = idx;
		} else if (strcmp(rest, "total force[N]") == 0) {
			mf->force = col;
		} else if (strncmp(rest, "center of pressure X[", 21) == 0) {
			mf->cop_x = col;
		} else if (strncmp(rest, "center of pressure Y[", 21) == 0) {
			mf->cop_y = col;
		} else if (strncmp(rest, "steps[", 6) == 0) {
			mf->steps = col;
		}
		return 0;
	}
	if (strncmp(name, "time", 4) == 0 && (name[4] == '\0' || name[4] == '['))
		return moticon_time_column(m, col, err, errlen);
	return 0;
}

static int moticon_read_columns(struct moticon *m, const char *line, char *err, size_t errlen)
{
	int n;

	if (m->header) {
		import_errf(err, errlen, m->text.path, m->text.lineno, NULL,
			    "a second '# time' line naming the columns");
		return -1;
	}
	m->header = strdup(line + 2); /* after "# " */
	m->names = calloc(INS_IMPORT_FIELDS_MAX, sizeof *m->names);
	m->fields = calloc(INS_IMPORT_FIELDS_MAX, sizeof *m->fields);
	if (!m->header || !m->names || !m->fields) {
		import_errf(err, errlen, m->text.path, m->text.lineno, NULL, "out of memory");
		return -1;
	}
	n = import_split(m->header, '\t', m->names, INS_IMPORT_FIELDS_MAX);
	if (n < 0) {
		import_errf(err, errlen, m->text.path, m->text.lineno, NULL,
			    "more than %d columns", INS_IMPORT_FIELDS_MAX);
		return -1;
	}
	m->n_cols = n;
	for (int col = 0; col < n; col++) {
		m->names[col] = import_trim_blanks(m->names[col]); /* an editor's blanks at the line's end */
		if (moticon_map_column(m, col, err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* 0, or -1 with err when out of memory. */
static int moticon_header_value(struct ins_import *imp, const char *line, char *err, size_t errlen)
{
	const char *v;

	if ((v = strchr(line, ':')) == NULL)
		return 0;
	v++;
	while (*v == ' ')
		v++;
	if (strncmp(line, "# Start time:", 13) == 0) {
		import_copy_text(imp->info.start, sizeof imp->info.start, v);
	} else if (strncmp(line, "# Duration:", 11) == 0) {
		unsigned h = 0, min = 0;
		double s = 0, total_s;

		if (sscanf(v, "%u:%u:%lf", &h, &min, &s) == 3 || (h = 0, sscanf(v, "%u:%lf", &min, &s) == 2)) {
			total_s = (h * 60.0 + min) * 60.0 + s;
			/* information only: a duration that fits no clock is left unknown */
			if (total_s >= 0 && total_s <= INS_IMPORT_TIME_MAX_S)
				imp->info.duration_us = llround(total_s * 1e6);
		}
	} else if (strncmp(line, "# Notes:", 8) == 0 && import_set_label(imp, IMPORT_NOTES, v) < 0) {
		import_errf(err, errlen, imp->info.path, 0, NULL, "out of memory");
		return -1;
	} else if (strncmp(line, "# Size:", 7) == 0) {
		imp->info.insole_size = atoi(v);
	}
	return 0;
}

static int moticon_check_foot(struct moticon *m, unsigned foot, char *err, size_t errlen)
{
	struct moticon_foot *mf = &m->foot[foot];

	for (int i = 0; i < mf->n; i++) {
		if (mf->pressure[i] < 0) {
			import_errf(err, errlen, m->text.path, m->text.lineno, NULL,
				    "column '%spressure %d[N/cm\xc2\xb2]' is missing (pressures 1..%d expected)",
				    foot_prefix[foot], i + 1, mf->n);
			return -1;
		}
	}
	return 0;
}

static int moticon_describe(struct ins_import *imp, char *err, size_t errlen)
{
	struct moticon *m = imp->priv;

	if (m->time_col < 0) {
		import_errf(err, errlen, m->text.path, m->text.lineno, NULL, "no 'time' column");
		return -1;
	}
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		struct moticon_foot *mf = &m->foot[foot];

		if (mf->n == 0)
			continue;
		if (moticon_check_foot(m, foot, err, errlen) < 0)
			return -1;
		imp->info.feet |= 1u << foot;
		imp->info.n_sensors[foot] = (uint16_t)mf->n;
		if (mf->n == 16)
			import_copy_text(imp->info.layout[foot], sizeof imp->info.layout[0], "moticon16");
		imp->info.has_ref_force |= mf->force >= 0;
		imp->info.has_ref_cop |= mf->cop_x >= 0 && mf->cop_y >= 0;
		imp->info.has_ref_events |= mf->steps >= 0;
	}
	if (!imp->info.feet) {
		import_errf(err, errlen, m->text.path, m->text.lineno, NULL,
			    "no 'left pressure 1[N/cm\xc2\xb2]' or 'right pressure 1[N/cm\xc2\xb2]' column");
		return -1;
	}
	imp->info.unit = INS_IMPORT_KPA;
	return 0;
}

/* A '#' header line, or a blank line: editors and exports end files
 * with them, and they carry no sample. */
static int moticon_not_data(const char *line)
{
	return line[0] == '#' || import_is_blank(line);
}

/* The smallest interval among the first rows (their first field, in
 * units of unit_s seconds) gives the rate. */
static double moticon_peek_rate(const char *path, double unit_s)
{
	struct import_text t;
	char *line;
	char err[64];
	double prev = NAN, best = INFINITY;
	int rows = 0;

	if (import_text_open(&t, path, err, sizeof err) < 0)
		return MOTICON_DEFAULT_RATE_HZ;
	while (rows < MOTICON_RATE_PEEK_ROWS && import_text_next(&t, &line, err, sizeof err) == 1) {
		char *end;
		double v;

		if (moticon_not_data(line))
			continue;
		v = strtod(line, &end);
		if (end == line || *end != '\t')
			break;
		if (rows++ > 0 && v - prev > 0 && v - prev < best)
			best = v - prev;
		prev = v;
	}
	import_text_close(&t);
	return isfinite(best) ? 1.0 / (best * unit_s) : MOTICON_DEFAULT_RATE_HZ;
}

/* "# time<TAB>..." or "# time[s]<TAB>...": the line naming the columns. */
static int moticon_is_column_line(const char *line)
{
	return strncmp(line, "# time", 6) == 0 && (line[6] == '\t' || line[6] == '[') && strchr(line, '\t');
}

static int moticon_open(struct ins_import *imp, const char *path, char *err, size_t errlen)
{
	struct moticon *m = calloc(1, sizeof *m);
	char *line;
	int rc;

	if (!m) {
		import_errf(err, errlen, path, 0, NULL, "out of memory");
		return -1;
	}
	imp->priv = m;
	m->time_col = -1;
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		m->foot[foot].force = m->foot[foot].cop_x = m->foot[foot].cop_y = m->foot[foot].steps = -1;
		for (int i = 0; i < INS_MAX_SENSORS; i++)
			m->foot[foot].pressure[i] = -1;
	}
	if (import_text_open(&m->text, imp->info.path, err, errlen) < 0)
		return -1;
	while ((rc = import_text_next(&m->text, &line, err, errlen)) == 1 && moticon_not_data(line)) {
		if (line[0] != '#')
			continue;
		if (moticon_is_column_line(line)) {
			if (moticon_read_columns(m, line, err, errlen) < 0)
				return -1;
		} else {
			import_trim_end(line, " \t"); /* an editor's blanks, a spreadsheet's padding tabs */
			if (moticon_header_value(imp, line, err, errlen) < 0)
				return -1;
		}
	}
	if (rc < 0)
		return -1;
	if (!m->header) {
		import_errf(err, errlen, m->text.path, m->text.lineno, NULL,
			    "no '# time<TAB>...' line naming the columns before the data");
		return -1;
	}
	if (moticon_describe(imp, err, errlen) < 0)
		return -1;
	if (rc == 1) {
		m->first_row = strdup(line);
		if (!m->first_row) {
			import_errf(err, errlen, path, 0, NULL, "out of memory");
			return -1;
		}
	}
	imp->info.rate_hz = moticon_peek_rate(imp->info.path, m->time_unit_s);
	return import_alloc_values(imp, err, errlen);
}

/* 1 = the foot has data in this row, 0 = all its pressures are blank (dropped packet). */
static int moticon_foot_present(struct moticon *m, unsigned foot, char *err, size_t errlen)
{
	struct moticon_foot *mf = &m->foot[foot];
	int blank = 0;

	for (int i = 0; i < mf->n; i++)
		blank += import_is_blank(m->fields[mf->pressure[i]]);
	if (blank == 0)
		return 1;
	if (blank == mf->n)
		return 0;
	for (int i = 0; i < mf->n; i++) {
		if (import_is_blank(m->fields[mf->pressure[i]])) {
			import_errf(err, errlen, m->text.path, m->text.lineno, m->names[mf->pressure[i]],
				    "empty while other %spressures of this row have values",
				    foot_prefix[foot]);
			break;
		}
	}
	return -1;
}

/* Optional number: NaN when the field is absent or blank. */
static int moticon_optional(struct moticon *m, int col, double *out, char *err, size_t errlen)
{
	*out = NAN;
	if (col < 0 || import_is_blank(m->fields[col]))
		return 0;
	return import_parse_value(m->fields[col], out, m->text.path, m->text.lineno, m->names[col], err, errlen);
}

static int moticon_event(struct moticon *m, unsigned foot, uint8_t *event, char *err, size_t errlen)
{
	double code;

	*event = INS_EVENT_NONE;
	if (moticon_optional(m, m->foot[foot].steps, &code, err, errlen) < 0)
		return -1;
	if (code == moticon_contact_code[foot])
		*event = INS_EVENT_CONTACT;
	else if (code == moticon_toe_off_code[foot])
		*event = INS_EVENT_TOE_OFF;
	return 0;
}

static int moticon_reference(struct ins_import *imp, unsigned foot, char *err, size_t errlen)
{
	struct moticon *m = imp->priv;
	struct moticon_foot *mf = &m->foot[foot];
	struct ins_import_frame *f = &imp->row[foot];
	double force, cx, cy;

	if (moticon_optional(m, mf->force, &force, err, errlen) < 0 ||
	    moticon_optional(m, mf->cop_x, &cx, err, errlen) < 0 ||
	    moticon_optional(m, mf->cop_y, &cy, err, errlen) < 0)
		return -1;
	f->ref_force_n = (float)force;
	/* Moticon: X along the insole -0.5 heel .. +0.5 toe, Y across it, +
	 * medial; (0, 0) means "no CoP under this light a load". */
	if (!isnan(cx) && !isnan(cy) && !(cx == 0.0 && cy == 0.0)) {
		f->ref_cop_x_norm = (float)cy;
		f->ref_cop_y_norm = (float)(cx + 0.5);
	}
	return 0;
}

static int moticon_foot_frame(struct ins_import *imp, unsigned foot, int64_t t_us, char *err, size_t errlen)
{
	struct moticon *m = imp->priv;
	struct moticon_foot *mf = &m->foot[foot];
	uint8_t event;
	int present = moticon_foot_present(m, foot, err, errlen);

	if (present < 0 || moticon_event(m, foot, &event, err, errlen) < 0)
		return -1;
	if (!present) {
		/* keep the vendor's event for the foot's next frame */
		if (event != INS_EVENT_NONE)
			imp->pending_event[foot] = event;
		return 0;
	}
	if (import_stamp(imp, foot, t_us, m->text.lineno, m->names[m->time_col], err, errlen) < 0)
		return -1;
	for (int i = 0; i < mf->n; i++) {
		int col = mf->pressure[i];
		double v;

		if (import_parse_value(m->fields[col], &v, m->text.path, m->text.lineno, m->names[col], err,
				       errlen) < 0)
			return -1;
		imp->vals[foot][i] = (float)(v * KPA_PER_N_CM2);
	}
	if (moticon_reference(imp, foot, err, errlen) < 0)
		return -1;
	imp->row[foot].ref_event = event != INS_EVENT_NONE ? event : imp->pending_event[foot];
	imp->pending_event[foot] = INS_EVENT_NONE;
	return 0;
}

/* The next data row.  *owned is set when the row is the copy kept from
 * the header pass, which the caller frees. */
static int moticon_next_line(struct moticon *m, char **line, int *owned, char *err, size_t errlen)
{
	int rc;

	*owned = 0;
	if (m->first_row) {
		*line = m->first_row;
		*owned = 1;
		m->first_row = NULL;
		return 1;
	}
	do {
		rc = import_text_next(&m->text, line, err, errlen);
	} while (rc == 1 && moticon_not_data(*line));
	return rc;
}

static int moticon_parse_row(struct ins_import *imp, char *line, char *err, size_t errlen)
{
	struct moticon *m = imp->priv;
	int n = import_split(line, '\t', m->fields, INS_IMPORT_FIELDS_MAX);
	int64_t t_us;

	/* a tab after the last column (a row written with a separator after
	 * every field) is no column */
	if (n == m->n_cols + 1 && import_is_blank(m->fields[n - 1]))
		n--;
	if (n != m->n_cols) {
		import_errf(err, errlen, m->text.path, m->text.lineno, NULL,
			    "expected %d tab-separated columns (as named by the '# time' line), found %s%d",
			    m->n_cols, n < 0 ? "more than " : "", n < 0 ? INS_IMPORT_FIELDS_MAX : n);
		return -1;
	}
	if (import_parse_seconds(m->fields[m->time_col], &t_us, m->text.path, m->text.lineno,
				 m->names[m->time_col], err, errlen) < 0)
		return -1;
	if (m->time_unit_s != 1.0)
		t_us = llround((double)t_us * m->time_unit_s);
	if (m->have_time && t_us <= m->last_t_us) {
		import_errf(err, errlen, m->text.path, m->text.lineno, m->names[m->time_col],
			    "%s %s is not after the previous row's %.3f s", m->fields[m->time_col],
			    m->time_unit_s == 1.0 ? "s" : "ms", m->last_t_us / 1e6);
		return -1;
	}
	m->have_time = 1;
	m->last_t_us = t_us;
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		if ((imp->info.feet & (1u << foot)) && moticon_foot_frame(imp, foot, t_us, err, errlen) < 0)
			return -1;
	return 1;
}

static int moticon_read_row(struct ins_import *imp, char *err, size_t errlen)
{
	struct moticon *m = imp->priv;
	char *line;
	int owned, rc;

	rc = moticon_next_line(m, &line, &owned, err, errlen);
	if (rc <= 0)
		return rc;
	rc = moticon_parse_row(imp, line, err, errlen);
	if (owned)
		free(line);
	return rc;
}

static void moticon_close(struct ins_import *imp)
{
	struct moticon *m = imp->priv;

	if (!m)
		return;
	import_text_close(&m->text);
	free(m->header);
	free(m->names);
	free(m->fields);
	free(m->first_row);
	free(m);
	imp->priv = NULL;
}

const struct import_ops import_moticon_ops = {
	.name = "moticon",
	.open = moticon_open,
	.read_row = moticon_read_row,
	.close = moticon_close,
};
