/* XSENSOR Foot export (.csv): "File:", "Units:" and "Threshold:" lines,
 * then one block per frame: "FRAME,N", "Date", "Time" (time of day, ms),
 * and per insole ("SENSOR,<model>-LF|-RF <serial>") its size (Rows,
 * Columns, Sensel Width/Height (cm)), the vendor's statistics of the frame
 * and of the gait (Stride, Swing, Stance Time in ms) and "SENSELS" followed
 * by Rows lines of Columns values; "GROUP" blocks (the vendor's regions)
 * repeat a subset of cells and are skipped.  Lines of empty fields
 * separate everything.  The grid is seen from above with the toes at the
 * first row: the reader turns it into the layout's order (row 0 at the
 * heel, column 0 lateral), mirroring the right foot. */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import_priv.h"

#define XSENSOR_DEFAULT_RATE_HZ 100.0 /* a file of one frame has no interval to tell */
#define XSENSOR_CELL_CM 0.86          /* the xsensor31x11 layout's sensel size */
#define XSENSOR_CELL_TOLERANCE_MM 1e-5 /* the same size, as printed (0.86 cm) */
#define MM_PER_CM 10.0
#define XSENSOR_DAY_US 86400000000LL  /* time of day wraps at midnight */

struct xsensor_grid {
	unsigned rows, cols;
	double width_cm, height_cm;
};

struct xsensor {
	struct import_text text;
	double to_kpa;
	struct xsensor_grid grid[INS_FOOT_COUNT];
	/* reading state */
	int have_pending;            /* a "FRAME" line was read ahead */
	long pending_frame, frame;
	int64_t first_tod_us, tod_us, last_tod_us; /* time of day of the first / this / the previous frame */
	int64_t day_offset_us;       /* midnights passed */
	int have_first, have_time, started;
	unsigned opened;             /* insoles whose SENSOR line this frame had */
	int foot;                    /* insole whose section is being read, -1 in a GROUP */
	unsigned seen;               /* feet whose sensels this frame had */
	float ref_peak[INS_FOOT_COUNT], ref_area[INS_FOOT_COUNT], ref_load[INS_FOOT_COUNT];
};

static int xsensor_empty_line(const char *line)
{
	return line[strspn(line, ", \t")] == '\0';
}

/* The first field (key, NUL-terminated in place) and the second (value, trimmed). */
static char *xsensor_split(char *line, char **key)
{
	char *comma = strchr(line, ',');
	char *v, *end;

	*key = line;
	if (!comma)
		return line + strlen(line);
	*comma = '\0';
	v = comma + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	end = strchr(v, ',');
	if (end)
		*end = '\0';
	for (size_t n = strlen(v); n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t');)
		v[--n] = '\0';
	return v;
}

static int xsensor_value(struct xsensor *x, const char *key, const char *v, double *out, char *err, size_t errlen)
{
	const char *p = v;

	if (import_scan_field(&p, '\0', out) < 0) {
		import_scan_errf(err, errlen, x->text.path, x->text.lineno, key, v, '\0');
		return -1;
	}
	return 0;
}

static int xsensor_units(struct xsensor *x, const char *v, char *err, size_t errlen)
{
	const char *end;

	if (strcasecmp(v, "mmHg") == 0)
		x->to_kpa = 0.1333223874;
	else if (strcasecmp(v, "kPa") == 0)
		x->to_kpa = 1.0;
	else if (strcasecmp(v, "PSI") == 0)
		x->to_kpa = 6.894757293;
	else if ((end = import_per_cm2(v, "N")) && *end == '\0')
		x->to_kpa = 10.0;
	else {
		import_errf(err, errlen, x->text.path, x->text.lineno, "Units",
			    "'%.24s' is not supported (mmHg, kPa, PSI, N/cm2)", v);
		return -1;
	}
	return 0;
}

/* "HX210.11.31.M11-DFM-LF S0073": the insole's side. */
static int xsensor_foot(struct xsensor *x, const char *name, char *err, size_t errlen)
{
	if (strstr(name, "-LF"))
		return INS_FOOT_LEFT;
	if (strstr(name, "-RF"))
		return INS_FOOT_RIGHT;
	import_errf(err, errlen, x->text.path, x->text.lineno, "SENSOR",
		    "'%.40s' names neither a left (-LF) nor a right (-RF) insole", name);
	return -1;
}

/* h:m:s.fff, on a 24-hour clock or a 12-hour one with its suffix, as
 * microseconds since midnight. */
static int xsensor_time_of_day(struct xsensor *x, const char *v, int64_t *us, char *err, size_t errlen)
{
	unsigned h, m;
	double s;
	int used = 0, pm = -1;
	size_t len = 0;
	int fields = sscanf(v, "%u:%u:%lf%n", &h, &m, &s, &used);

	if (fields == 3 && v[used] == ' ') {
		const char *at = import_skip_blanks(v + used);

		pm = import_meridiem(at, &len);
		used = pm < 0 ? used : (int)(at + len - v);
	}
	if (fields != 3 || v[used] != '\0' || (pm < 0 ? h > 23 : h < 1 || h > 12) ||
	    m > 59 || s < 0 || s >= 61) {
		import_errf(err, errlen, x->text.path, x->text.lineno, "Time",
			    "'%.24s' is not a time of day (hh:mm:ss.fff, or h:mm:ss.fff AM/PM)", v);
		return -1;
	}
	if (pm >= 0)
		h = h % 12 + (unsigned)pm;
	*us = ((int64_t)h * 3600 + m * 60) * 1000000 + llround(s * 1e6);
	return 0;
}

static const char *const xsensor_ref_keys[] = { "Peak Pressure (mmHg)", "Contact Area (cm", "Est. Load (N)" };

/* A sensel's side of d in the unit at unit ("cm)", "mm)" or "in)", as the
 * export's length setting writes it) in cm; another unit is refused, as
 * it would scale every force. */
static int xsensor_sensel_cm(struct xsensor *x, const char *key, const char *unit, double d, double *cm,
			     char *err, size_t errlen)
{
	static const struct {
		const char *unit;
		double cm;
	} units[] = { { "cm)", 1.0 }, { "mm)", 0.1 }, { "in)", 2.54 } };

	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcmp(unit, units[i].unit) == 0) {
			*cm = d * units[i].cm;
			return 0;
		}
	}
	import_errf(err, errlen, x->text.path, x->text.lineno, key, "unit '(%.16s' is not a length (cm, mm, in)", unit);
	return -1;
}

/* A statistic of the current insole: the frame's reference values, and in
 * the first frame the grid and the gait times. */
static int xsensor_stat(struct ins_import *imp, const char *key, const char *v, int first, char *err, size_t errlen)
{
	struct xsensor *x = imp->priv;
	struct xsensor_grid *g = &x->grid[x->foot];
	double d;
	double *gait = NULL;

	if (strcmp(key, "Rows") && strcmp(key, "Columns") && strncmp(key, "Sensel ", 7) &&
	    strncmp(key, xsensor_ref_keys[0], 14) && strncmp(key, xsensor_ref_keys[1], 16) &&
	    strcmp(key, xsensor_ref_keys[2]) && !strstr(key, " Time"))
		return 0;
	if (*v == '\0')
		return 0;    /* a statistic the vendor left empty (no stride yet): unknown */
	if (xsensor_value(x, key, v, &d, err, errlen) < 0)
		return -1;
	if (strncmp(key, "Peak Pressure", 13) == 0)
		x->ref_peak[x->foot] = (float)(d * x->to_kpa);
	else if (strncmp(key, "Contact Area (cm", 16) == 0)
		x->ref_area[x->foot] = (float)(d * 100.0);
	else if (strcmp(key, "Est. Load (N)") == 0)
		x->ref_load[x->foot] = (float)d;
	if (!first)
		return 0;
	if (strcmp(key, "Rows") == 0)
		g->rows = d > 0 && d <= INS_MAX_SENSORS && d == floor(d) ? (unsigned)d : 0;
	else if (strcmp(key, "Columns") == 0)
		g->cols = d > 0 && d <= INS_MAX_SENSORS && d == floor(d) ? (unsigned)d : 0;
	else if (strncmp(key, "Sensel Width (", 14) == 0)
		return xsensor_sensel_cm(x, key, key + 14, d, &g->width_cm, err, errlen);
	else if (strncmp(key, "Sensel Height (", 15) == 0)
		return xsensor_sensel_cm(x, key, key + 15, d, &g->height_cm, err, errlen);
	else if (strcmp(key, "Stride Time") == 0)
		gait = imp->info.ref_stride_s;
	else if (strcmp(key, "Swing Time") == 0)
		gait = imp->info.ref_swing_s;
	else if (strcmp(key, "Stance Time") == 0)
		gait = imp->info.ref_stance_s;
	if (gait && d > 0)
		gait[x->foot] = d / 1000.0; /* ms */
	return 0;
}

/* One row of sensels into the layout's order. */
static int xsensor_row(struct ins_import *imp, unsigned r, const char *q, char *err, size_t errlen)
{
	struct xsensor *x = imp->priv;
	const struct xsensor_grid *g = &x->grid[x->foot];
	float *dst = imp->vals[x->foot] + (size_t)(g->rows - 1 - r) * g->cols;
	int mirror = x->foot == INS_FOOT_RIGHT;

	for (unsigned c = 0; c < g->cols; c++) {
		double v;

		if (import_scan_field(&q, ',', &v) < 0) {
			char field[64];

			snprintf(field, sizeof field, "frame %ld %s row %u column %u", x->frame,
				 ins_foot_name((unsigned)x->foot), r + 1, c + 1);
			import_scan_errf(err, errlen, x->text.path, x->text.lineno, field, q, ',');
			return -1;
		}
		dst[mirror ? g->cols - 1 - c : c] = (float)(v * x->to_kpa);
	}
	if (!xsensor_empty_line(q)) {
		import_errf(err, errlen, x->text.path, x->text.lineno, NULL,
			    "frame %ld %s row %u has more than the %u values of Columns", x->frame,
			    ins_foot_name((unsigned)x->foot), r + 1, g->cols);
		return -1;
	}
	return 0;
}

/* The insole's rows stopped short at the line just read (rc 1) or at the
 * end of the file (rc 0): the message names that line and the row it lacks. */
static int xsensor_truncated(struct xsensor *x, int rc, const char *line, unsigned r, char *err, size_t errlen)
{
	char field[64];

	snprintf(field, sizeof field, "frame %ld %s row %u", x->frame, ins_foot_name((unsigned)x->foot), r + 1);
	import_errf(err, errlen, x->text.path, x->text.lineno + (rc == 0), field,
		    "%s%.24s%s, after %u of %u rows: the frame's %s insole is truncated",
		    rc == 0 ? "the file ends here" : "'", rc == 0 ? "" : line, rc == 0 ? "" : "' is not a row of values",
		    r, x->grid[x->foot].rows, ins_foot_name((unsigned)x->foot));
	return -1;
}

static int xsensor_sensels(struct ins_import *imp, char *err, size_t errlen)
{
	struct xsensor *x = imp->priv;
	unsigned r = 0;
	char *line = NULL;

	while (r < x->grid[x->foot].rows) {
		int rc = import_text_next(&x->text, &line, err, errlen);

		if (rc < 0)
			return -1;
		if (rc == 1 && xsensor_empty_line(line))
			continue;
		if (rc == 0 || (line[0] != '-' && line[0] != '+' && line[0] != '.' && (line[0] < '0' || line[0] > '9')))
			return xsensor_truncated(x, rc, line, r, err, errlen);
		if (xsensor_row(imp, r++, line, err, errlen) < 0)
			return -1;
	}
	x->seen |= 1u << x->foot;
	return 0;
}

/* One line inside a frame block; 1 = the next FRAME line was read ahead. */
static int xsensor_frame_line(struct ins_import *imp, char *line, int first, char *err, size_t errlen)
{
	struct xsensor *x = imp->priv;
	char *key;
	char *v = xsensor_split(line, &key);
	double d;

	if (strcmp(key, "FRAME") == 0) {
		if (xsensor_value(x, "FRAME", v, &d, err, errlen) < 0)
			return -1;
		x->pending_frame = (long)d;
		x->have_pending = 1;
		return 1;
	}
	if (strcmp(key, "Date") == 0 && first)
		import_copy_text(imp->info.start, sizeof imp->info.start, v);
	else if (strcmp(key, "Time") == 0) {
		if (xsensor_time_of_day(x, v, &x->tod_us, err, errlen) < 0)
			return -1;
		x->have_time = 1;
		if (first) {    /* the start: "2022 Aug 16 08:21:17.982" */
			size_t n = strlen(imp->info.start);

			snprintf(imp->info.start + n, sizeof imp->info.start - n, "%s%s", n ? " " : "", v);
		}
	} else if (strcmp(key, "SENSOR") == 0) {
		if ((x->foot = xsensor_foot(x, v, err, errlen)) < 0)
			return -1;
		x->opened |= 1u << x->foot;
	} else if (strcmp(key, "GROUP") == 0) {
		x->foot = -1;
	} else if (strcmp(key, "SENSELS") == 0 && x->foot >= 0) {
		const struct xsensor_grid *g = &x->grid[x->foot];

		if (g->rows == 0 || g->cols == 0) {
			import_errf(err, errlen, x->text.path, x->text.lineno, "SENSELS",
				    "the insole's Rows and Columns were not given before its sensels");
			return -1;
		}
		if ((unsigned long)g->rows * g->cols > INS_MAX_SENSORS) {
			import_errf(err, errlen, x->text.path, x->text.lineno, "SENSELS",
				    "Rows %u x Columns %u is more than the %d sensels an insole may have", g->rows,
				    g->cols, INS_MAX_SENSORS);
			return -1;
		}
		return xsensor_sensels(imp, err, errlen);
	} else if (x->foot >= 0) {
		return xsensor_stat(imp, key, v, first, err, errlen);
	}
	return 0;
}

/* Read the block after the FRAME line: to the next FRAME line or the end.
 * 0, or -1 with err. */
static int xsensor_block(struct ins_import *imp, int first, char *err, size_t errlen)
{
	struct xsensor *x = imp->priv;
	char *line;
	int rc;

	x->frame = x->pending_frame;
	x->have_pending = 0;
	x->have_time = 0;
	x->seen = 0;
	x->opened = 0;
	x->foot = -1;
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		x->ref_peak[foot] = x->ref_area[foot] = x->ref_load[foot] = NAN;
	while ((rc = import_text_next(&x->text, &line, err, errlen)) == 1) {
		if (xsensor_empty_line(line))
			continue;
		rc = xsensor_frame_line(imp, line, first, err, errlen);
		if (rc < 0)
			return -1;
		if (rc == 1)
			break;
	}
	if (rc < 0)
		return -1;
	if (!x->have_time) {
		import_errf(err, errlen, x->text.path, x->text.lineno, "Time", "frame %ld has no Time line",
			    x->frame);
		return -1;
	}
	if (x->opened & ~x->seen) {
		import_errf(err, errlen, x->text.path, x->text.lineno, "SENSELS",
			    "frame %ld is truncated: the %s insole's block ends before its sensels", x->frame,
			    ins_foot_name(x->opened & ~x->seen & 1u ? INS_FOOT_LEFT : INS_FOOT_RIGHT));
		return -1;
	}
	return 0;
}

/* Header lines up to the first FRAME line. */
static int xsensor_header(struct ins_import *imp, char *err, size_t errlen)
{
	struct xsensor *x = imp->priv;
	char *line, *key, *v;
	int rc;

	while ((rc = import_text_next(&x->text, &line, err, errlen)) == 1) {
		if (xsensor_empty_line(line))
			continue;
		v = xsensor_split(line, &key);
		if (strcmp(key, "FRAME") == 0) {
			double d;

			if (xsensor_value(x, "FRAME", v, &d, err, errlen) < 0)
				return -1;
			x->pending_frame = (long)d;
			x->have_pending = 1;
			return 0;
		}
		if (strcmp(key, "Units:") == 0 && xsensor_units(x, v, err, errlen) < 0)
			return -1;
	}
	if (rc == 0)
		import_errf(err, errlen, x->text.path, x->text.lineno, NULL,
			    "a header but no frames (no 'FRAME' line)");
	return -1;
}

static int xsensor_describe(struct ins_import *imp, double rate_hz, char *err, size_t errlen)
{
	struct xsensor *x = imp->priv;

	if (x->to_kpa <= 0) {
		import_errf(err, errlen, x->text.path, 0, "Units", "missing before the first frame");
		return -1;
	}
	if (!x->seen) {
		import_errf(err, errlen, x->text.path, 0, "SENSELS", "the first frame holds no insole's sensels");
		return -1;
	}
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		const struct xsensor_grid *g = &x->grid[foot];

		if (!(x->seen & (1u << foot)))
			continue;
		imp->info.feet |= 1u << foot;
		imp->info.n_sensors[foot] = (uint16_t)(g->rows * g->cols);
		import_suggest_grid_layout(imp, foot, g->cols, g->rows, g->width_cm * MM_PER_CM, g->height_cm * MM_PER_CM,
					   XSENSOR_CELL_TOLERANCE_MM, "xsensor31x11", 11, 31, XSENSOR_CELL_CM * MM_PER_CM);
	}
	imp->info.rate_hz = rate_hz;
	imp->info.unit = INS_IMPORT_KPA;
	imp->info.has_ref_force = imp->info.has_ref_peak = imp->info.has_ref_contact = 1;
	return 0;
}

/* The first frame (grid, gait times, start) and the second's time (rate),
 * read by a separate pass so that reading proper starts at the beginning. */
static int xsensor_peek(struct ins_import *imp, char *err, size_t errlen)
{
	struct xsensor *x = imp->priv;
	int64_t t0;

	if (xsensor_header(imp, err, errlen) < 0 || xsensor_block(imp, 1, err, errlen) < 0)
		return -1;
	t0 = x->tod_us;
	if (xsensor_describe(imp, XSENSOR_DEFAULT_RATE_HZ, err, errlen) < 0)
		return -1;
	if (x->have_pending && xsensor_block(imp, 0, err, errlen) == 0 && x->tod_us != t0)
		imp->info.rate_hz = 1e6 / (double)((x->tod_us - t0 + XSENSOR_DAY_US) % XSENSOR_DAY_US);
	return 0;
}

static int xsensor_open(struct ins_import *imp, const char *path, char *err, size_t errlen)
{
	struct xsensor *x = calloc(1, sizeof *x);
	float *scratch = malloc(INS_MAX_SENSORS * sizeof(float));
	int rc = -1;

	imp->priv = x;
	if (!x || !scratch) {
		import_errf(err, errlen, path, 0, NULL, "out of memory");
		goto out;
	}
	if (import_text_open(&x->text, imp->info.path, err, errlen) < 0)
		goto out;
	/* the first pass parses sensels into one scratch buffer for both feet */
	imp->vals[0] = imp->vals[1] = scratch;
	rc = xsensor_peek(imp, err, errlen);
	imp->vals[0] = imp->vals[1] = NULL;
	import_text_close(&x->text);
	if (rc < 0)
		goto out;
	x->have_pending = 0;
	rc = import_text_open(&x->text, imp->info.path, err, errlen);
	if (rc == 0)
		rc = import_alloc_values(imp, err, errlen);
out:
	free(scratch);
	return rc;
}

/* Time since the first frame from the time of day, across midnights. */
static int64_t xsensor_elapsed_us(struct xsensor *x)
{
	if (!x->have_first) {
		x->first_tod_us = x->last_tod_us = x->tod_us;
		x->have_first = 1;
	}
	if (x->tod_us < x->last_tod_us - XSENSOR_DAY_US / 2)
		x->day_offset_us += XSENSOR_DAY_US;
	x->last_tod_us = x->tod_us;
	return x->tod_us + x->day_offset_us - x->first_tod_us;
}

static int xsensor_read_row(struct ins_import *imp, char *err, size_t errlen)
{
	struct xsensor *x = imp->priv;
	int64_t t_us;

	if (!x->have_pending) {
		if (x->started)
			return 0;
		if (xsensor_header(imp, err, errlen) < 0)
			return -1;
	}
	x->started = 1;
	if (xsensor_block(imp, 0, err, errlen) < 0)
		return -1;
	if (x->seen & ~imp->info.feet) {
		import_errf(err, errlen, x->text.path, x->text.lineno, "SENSOR",
			    "frame %ld has an insole the first frame did not have", x->frame);
		return -1;
	}
	t_us = xsensor_elapsed_us(x);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		struct ins_import_frame *f = &imp->row[foot];

		if (!(x->seen & (1u << foot)))
			continue;    /* an insole missing from a frame: its next frame carries the gap */
		if (import_stamp(imp, foot, t_us, x->text.lineno, "Time", err, errlen) < 0)
			return -1;
		f->ref_force_n = x->ref_load[foot];
		f->ref_peak_kpa = x->ref_peak[foot];
		f->ref_contact_mm2 = x->ref_area[foot];
	}
	return 1;
}

static void xsensor_close(struct ins_import *imp)
{
	struct xsensor *x = imp->priv;

	if (!x)
		return;
	import_text_close(&x->text);
	free(x);
	imp->priv = NULL;
}

const struct import_ops import_xsensor_ops = {
	.name = "xsensor",
	.open = xsensor_open,
	.read_row = xsensor_read_row,
	.close = xsensor_close,
};
