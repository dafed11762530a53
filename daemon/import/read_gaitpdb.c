/* PhysioNet gaitpdb (Ultraflex insoles): whitespace-separated text, CRLF,
 * no header, 19 columns: time [s], L1..L8 [N], R1..R8 [N], total left [N],
 * total right [N], 100 Hz.  Yields newtons per sensor; the totals become
 * the vendor reference force. */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "import_priv.h"

#define GAITPDB_COLUMNS 19
#define GAITPDB_SENSORS 8
#define GAITPDB_RATE_HZ 100.0 /* the publisher's format note */

struct gaitpdb {
	struct import_text text;
	int have_time;
	int64_t last_t_us;
};

/* The name of column col (0-based), for messages only. */
static const char *gaitpdb_column_name(int col, char *buf, size_t len)
{
	if (col == 0)
		return "time";
	if (col <= 2 * GAITPDB_SENSORS) {
		snprintf(buf, len, "%c%d", col <= GAITPDB_SENSORS ? 'L' : 'R', (col - 1) % GAITPDB_SENSORS + 1);
		return buf;
	}
	return col == 17 ? "total left" : "total right";
}

static int gaitpdb_open(struct ins_import *imp, const char *path, char *err, size_t errlen)
{
	struct gaitpdb *g = calloc(1, sizeof *g);

	if (!g) {
		import_errf(err, errlen, path, 0, NULL, "out of memory");
		return -1;
	}
	imp->priv = g;
	if (import_text_open(&g->text, imp->info.path, err, errlen) < 0)
		return -1;
	imp->info.rate_hz = GAITPDB_RATE_HZ;
	imp->info.feet = (1u << INS_FOOT_LEFT) | (1u << INS_FOOT_RIGHT);
	imp->info.n_sensors[INS_FOOT_LEFT] = GAITPDB_SENSORS;
	imp->info.n_sensors[INS_FOOT_RIGHT] = GAITPDB_SENSORS;
	imp->info.unit = INS_IMPORT_NEWTON;
	import_copy_text(imp->info.layout[INS_FOOT_LEFT], sizeof imp->info.layout[0], "gaitpdb8");
	import_copy_text(imp->info.layout[INS_FOOT_RIGHT], sizeof imp->info.layout[0], "gaitpdb8");
	imp->info.has_ref_force = 1;
	return import_alloc_values(imp, err, errlen);
}

/* A field ends at a blank or at the end of the line. */
static int gaitpdb_field(const char **p, double *v, double max)
{
	const char *q = import_skip_blanks(*p);

	if (import_scan_number(q, &q, v) < 0 || fabs(*v) > max ||
	    (*q != ' ' && *q != '\t' && *q != '\0'))
		return -1;
	*p = q;
	return 0;
}

/* Explain why a row was refused: the column count, else the bad field. */
static int gaitpdb_refuse(struct gaitpdb *g, char *line, char *err, size_t errlen)
{
	char *fields[GAITPDB_COLUMNS + 1];
	char name[16];
	int n = import_split_blanks(line, fields, GAITPDB_COLUMNS + 1);
	double v;
	int64_t t_us;

	if (n != GAITPDB_COLUMNS) {
		import_errf(err, errlen, g->text.path, g->text.lineno, NULL,
			    "expected %d columns (time, L1..L8, R1..R8, total left, total right), found %s%d",
			    GAITPDB_COLUMNS, n < 0 ? "more than " : "", n < 0 ? GAITPDB_COLUMNS : n);
		return -1;
	}
	if (import_parse_seconds(fields[0], &t_us, g->text.path, g->text.lineno, "time", err, errlen) < 0)
		return -1;
	for (int col = 1; col < GAITPDB_COLUMNS; col++)
		if (import_parse_value(fields[col], &v, g->text.path, g->text.lineno,
				       gaitpdb_column_name(col, name, sizeof name), err, errlen) < 0)
			return -1;
	import_errf(err, errlen, g->text.path, g->text.lineno, NULL, "not a row of 19 numbers");
	return -1;
}

/* The row scanned in place; on any doubt the slow path says what is wrong. */
static int gaitpdb_scan(const char *line, double *v)
{
	const char *q = line;

	for (int col = 0; col < GAITPDB_COLUMNS; col++)
		if (gaitpdb_field(&q, &v[col], col ? INS_IMPORT_VALUE_MAX : INS_IMPORT_TIME_MAX_S) < 0)
			return -1;
	return import_is_blank(q) ? 0 : -1;
}

static int gaitpdb_read_row(struct ins_import *imp, char *err, size_t errlen)
{
	struct gaitpdb *g = imp->priv;
	double v[GAITPDB_COLUMNS];
	char *line;
	int64_t t_us;
	int rc;

	do {
		rc = import_text_next(&g->text, &line, err, errlen);
		if (rc <= 0)
			return rc;
	} while (import_is_blank(line));
	if (gaitpdb_scan(line, v) < 0)
		return gaitpdb_refuse(g, line, err, errlen);
	t_us = llround(v[0] * 1e6);
	if (g->have_time && t_us <= g->last_t_us) {
		import_errf(err, errlen, g->text.path, g->text.lineno, "time",
			    "%.4f s is not after the previous line's %.4f s", v[0], g->last_t_us / 1e6);
		return -1;
	}
	g->have_time = 1;
	g->last_t_us = t_us;
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		const double *sensors = &v[1 + foot * GAITPDB_SENSORS];

		if (import_stamp(imp, foot, t_us, g->text.lineno, "time", err, errlen) < 0)
			return -1;
		for (unsigned i = 0; i < GAITPDB_SENSORS; i++)
			imp->vals[foot][i] = (float)sensors[i];
		imp->row[foot].ref_force_n = (float)v[1 + 2 * GAITPDB_SENSORS + foot];
	}
	return 1;
}

static void gaitpdb_close(struct ins_import *imp)
{
	struct gaitpdb *g = imp->priv;

	if (!g)
		return;
	import_text_close(&g->text);
	free(g);
	imp->priv = NULL;
}

const struct import_ops import_gaitpdb_ops = {
	.name = "gaitpdb",
	.open = gaitpdb_open,
	.read_row = gaitpdb_read_row,
	.close = gaitpdb_close,
};
