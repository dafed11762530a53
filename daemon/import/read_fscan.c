/* Tekscan F-Scan ASCII movie (.asf): "KEY value" header lines (ROWS, COLS,
 * ROW_SPACING, SECONDS_PER_FRAME, UNITS, TIME, ...) up to "ASCII_DATA @@",
 * then per frame a "Frame N" line and ROWS lines of COLS comma-separated
 * values, "B" marking a sensel outside the trimmed insole; "@@" ends the
 * data.  One foot per file.  The sensel grid is seen from above with the
 * toes at row 1: the reader turns it into the layout's order (row 0 at the
 * heel, column 0 lateral), mirroring a right foot. */
#include <config.h>

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import_priv.h"

#define FSCAN_HEADER_LINES_MAX 200 /* "ASCII_DATA @@" comes within this many lines */
#define FSCAN_PITCH_MM 5.08        /* the fscan60x21 layout's sensel pitch */
#define FSCAN_PITCH_TOLERANCE 0.01 /* mm: spacing printed with 2 decimals */
#define FSCAN_PADDING " \t,"       /* what pads a line: see fscan_is_blank() */
/* A right foot read as the left one is not mirrored: its medial and
 * lateral figures are each other's, which nothing in the grid shows. */
#define FSCAN_SIDE_ASSUMED                                                                               \
	"no side in the movie's FILENAME or the file's name (a stem ending in L or R, left or right): read as " \
	"the left foot, so for a right foot medial and lateral are swapped"
#define FSCAN_RESAVED_HOW "export it again, or save it as CSV with ',' between values and '.' as the decimal point"

struct fscan {
	struct import_text text;
	unsigned rows, cols;
	double row_mm, col_mm;
	double seconds_per_frame;
	double to_kpa;
	long last_frame;
	int ended;                 /* "@@" seen */
	int mirror_row, mirror_col; /* MIRROR_ROW, MIRROR_COL: 1 when set */
};

struct fscan_unit {
	const char *name;
	double to_kpa;             /* or, for a length, to mm */
};
static const struct fscan_unit fscan_units[] = {
	{ "KPa", 1.0 }, { "MPa", 1000.0 }, { "PSI", 6.894757293 }, { "mmHg", 0.1333223874 }, { NULL, 0 },
};
/* N/cm2 and Kg/cm2, however the square is written (import_per_cm2) */
static const struct fscan_unit fscan_per_cm2[] = { { "N", 10.0 }, { "Kg", 98.0665 }, { NULL, 0 } };

/* A spreadsheet that opened the movie (its rows are comma-separated) and
 * saved it again pads every line with commas to the widest row, and
 * editors leave blanks at line ends: a line of only those is blank. */
static int fscan_is_blank(const char *s)
{
	return s[strspn(s, FSCAN_PADDING)] == '\0';
}

/* "@@", the end of the data, with whatever padding. */
static int fscan_is_end(const char *s)
{
	return s[0] == '@' && s[1] == '@' && fscan_is_blank(s + 2);
}

static int fscan_number(struct fscan *f, const char *key, const char *v, double *out, char *err, size_t errlen)
{
	const char *end;

	v = import_skip_blanks(v);
	if (import_scan_number(v, &end, out) < 0 || !(*out > 0) || *import_number_hint(v, strlen(v))) {
		import_errf(err, errlen, f->text.path, f->text.lineno, key, "'%.24s' is not a positive number%s", v,
			    import_number_hint(v, strlen(v)));
		return -1;
	}
	return 0;
}

static const struct fscan_unit fscan_lengths[] = {
	{ "", 1.0 }, { "mm", 1.0 }, { "millimeters", 1.0 }, { "cm", 10.0 }, { "centimeters", 10.0 },
	{ "in", 25.4 }, { "inch", 25.4 }, { "inches", 25.4 }, { NULL, 0 },
};

/* "5.08 mm", "0.127 centimeters", "0.2 inches" (no unit: mm) -> mm */
static int fscan_spacing(struct fscan *f, const char *key, const char *v, double *mm, char *err, size_t errlen)
{
	const char *unit;
	double n;

	v = import_skip_blanks(v);
	if (import_scan_number(v, &unit, &n) < 0 || !(n > 0) || *import_number_hint(v, strlen(v))) {
		import_errf(err, errlen, f->text.path, f->text.lineno, key, "'%.24s' is not a positive number%s", v,
			    import_number_hint(v, strlen(v)));
		return -1;
	}
	unit = import_skip_blanks(unit);
	for (const struct fscan_unit *u = fscan_lengths; u->name; u++) {
		size_t len = strlen(u->name);

		if (strncasecmp(unit, u->name, len) == 0 && import_is_blank(unit + len)) {
			*mm = n * u->to_kpa;
			return 0;
		}
	}
	import_errf(err, errlen, f->text.path, f->text.lineno, key,
		    "unit '%.24s' is not a length (mm, cm, inches)", unit);
	return -1;
}

static int fscan_unit(struct fscan *f, const char *v, char *err, size_t errlen)
{
	char unit[24];
	size_t n = strcspn(v, " \t");

	import_copy_text(unit, n < sizeof unit ? n + 1 : sizeof unit, v);
	for (const struct fscan_unit *u = fscan_units; u->name; u++) {
		if (strcasecmp(unit, u->name) == 0) {
			f->to_kpa = u->to_kpa;
			return 0;
		}
	}
	for (const struct fscan_unit *u = fscan_per_cm2; u->name; u++) {
		const char *end = import_per_cm2(unit, u->name);

		if (end && *end == '\0') {
			f->to_kpa = u->to_kpa;
			return 0;
		}
	}
	import_errf(err, errlen, f->text.path, f->text.lineno, "UNITS",
		    "'%s' is not supported (KPa, MPa, PSI, mmHg, N/cm2, Kg/cm2; raw values cannot be "
		    "converted: export the movie in pressure units)", unit);
	return -1;
}

/* "MIRROR_ROW 1" / "MIRROR_COL 0": whether the Tekscan software shows the
 * movie mirrored heel to toe / side to side. */
static int fscan_mirror(struct fscan *f, const char *key, const char *v, int *set, char *err, size_t errlen)
{
	const char *end;
	double d;

	if (import_scan_number(v, &end, &d) < 0 || !import_is_blank(end) || (d != 0 && d != 1)) {
		import_errf(err, errlen, f->text.path, f->text.lineno, key, "'%.24s' is neither 0 nor 1", v);
		return -1;
	}
	*set = d == 1;
	return 0;
}

/* The grid is read as exported, toes at row 1 (every movie seen has
 * MIRROR_ROW and MIRROR_COL 0).  A movie the software shows mirrored may
 * have been exported either way, which nothing in the file tells: the
 * figures whose sense a mirror turns round are said to be in doubt rather
 * than guessed at. */
static void fscan_mirror_caution(struct ins_import *imp, const struct fscan *f)
{
	/* by mirror_row | mirror_col << 1: the flags set, how the software
	 * shows the movie, what may be swapped */
	static const struct {
		const char *flags, *shown, *swapped;
	} mirror[4] = {
		[1] = { "MIRROR_ROW is 1", "heel to toe", "heel and toe" },
		[2] = { "MIRROR_COL is 1", "side to side", "medial and lateral" },
		[3] = { "MIRROR_ROW and MIRROR_COL are 1", "heel to toe and side to side",
			"heel and toe, and medial and lateral," },
	};
	unsigned k = (unsigned)f->mirror_row | (unsigned)f->mirror_col << 1;
	size_t n = strlen(imp->info.caution);

	if (!k)
		return;
	snprintf(imp->info.caution + n, sizeof imp->info.caution - n,
		 "%sthe movie's %s (the Tekscan software shows it mirrored %s): its grid is read as exported, toes "
		 "at row 1, so %s may be swapped; check the centre of pressure against the software's display",
		 n ? "; " : "", mirror[k].flags, mirror[k].shown, mirror[k].swapped);
}

/* A side in words ending a name's stem, after a separator or as a
 * capitalised word ("walk_right", "P01 Left", "walkRight", "P01Left"):
 * how people name the movies the software did not name with its L or R. */
static const struct {
	const char *word;
	unsigned foot;
} fscan_side_words[] = { { "left", INS_FOOT_LEFT }, { "right", INS_FOOT_RIGHT } };

static int fscan_side_word(const char *base, size_t stem, const char **marker)
{
	for (size_t i = 0; i < sizeof fscan_side_words / sizeof fscan_side_words[0]; i++) {
		size_t n = strlen(fscan_side_words[i].word);
		const char *w = base + stem - n;

		if (stem < n || strncasecmp(w, fscan_side_words[i].word, n) != 0)
			continue;
		if (w == base || strchr(" _-.", w[-1]) ||
		    (isupper((unsigned char)w[0]) && (islower((unsigned char)w[-1]) || isdigit((unsigned char)w[-1])))) {
			*marker = fscan_side_words[i].word;
			return (int)fscan_side_words[i].foot;
		}
	}
	return -1;
}

/* A file or movie name whose stem ends in L or R ("FrasP01L.fsx", as the
 * Tekscan software names each foot's movie) or in the side in words says
 * the foot; *marker: what it ends in. */
static int fscan_foot_from_name(const char *name, const char **marker)
{
	const char *base = strrchr(name, '\\');
	const char *slash = strrchr(name, '/');
	const char *dot;
	char last;

	if (slash && (!base || slash > base))
		base = slash;
	base = base ? base + 1 : name;
	dot = strrchr(base, '.');
	if (!dot || dot == base)
		return -1;
	last = (char)toupper((unsigned char)dot[-1]);
	if (last != 'L' && last != 'R')
		return fscan_side_word(base, (size_t)(dot - base), marker);
	*marker = last == 'L' ? "L" : "R";
	return last == 'L' ? INS_FOOT_LEFT : INS_FOOT_RIGHT;
}

static int fscan_header_line(struct ins_import *imp, char *line, char *err, size_t errlen)
{
	struct fscan *f = imp->priv;
	size_t n = strcspn(line, " \t");
	const char *v = import_skip_blanks(line + n);
	double d;

	line[n] = '\0';
	if (strcmp(line, "ROWS") == 0 || strcmp(line, "COLS") == 0) {
		if (fscan_number(f, line, v, &d, err, errlen) < 0)
			return -1;
		if (d != floor(d) || d > INS_MAX_SENSORS) {
			import_errf(err, errlen, f->text.path, f->text.lineno, line,
				    "'%.24s' is not a sensel count", v);
			return -1;
		}
		*(line[0] == 'R' ? &f->rows : &f->cols) = (unsigned)d;
	} else if (strcmp(line, "ROW_SPACING") == 0) {
		return fscan_spacing(f, line, v, &f->row_mm, err, errlen);
	} else if (strcmp(line, "COL_SPACING") == 0) {
		return fscan_spacing(f, line, v, &f->col_mm, err, errlen);
	} else if (strcmp(line, "SECONDS_PER_FRAME") == 0) {
		return fscan_number(f, line, v, &f->seconds_per_frame, err, errlen);
	} else if (strcmp(line, "UNITS") == 0) {
		return fscan_unit(f, v, err, errlen);
	} else if (strcmp(line, "MIRROR_ROW") == 0) {
		return fscan_mirror(f, line, v, &f->mirror_row, err, errlen);
	} else if (strcmp(line, "MIRROR_COL") == 0) {
		return fscan_mirror(f, line, v, &f->mirror_col, err, errlen);
	} else if (strcmp(line, "TIME") == 0) {
		import_copy_text(imp->info.start, sizeof imp->info.start, v);
	} else if (strcmp(line, "FILENAME") == 0) {
		const char *marker;
		int foot = fscan_foot_from_name(v, &marker);

		if (foot >= 0) {
			imp->info.feet = 1u << foot;
			snprintf(imp->info.feet_from, sizeof imp->info.feet_from, "the movie's FILENAME ends in %s",
				 marker);
		}
	}
	return 0;
}

static int fscan_describe(struct ins_import *imp, char *err, size_t errlen)
{
	struct fscan *f = imp->priv;
	unsigned foot;

	if (!f->rows || !f->cols || f->rows * f->cols > INS_MAX_SENSORS) {
		import_errf(err, errlen, f->text.path, 0, "ROWS",
			    "ROWS and COLS must both be given, at most %d sensels in all", INS_MAX_SENSORS);
		return -1;
	}
	if (f->seconds_per_frame <= 0 || f->to_kpa <= 0) {
		import_errf(err, errlen, f->text.path, 0, f->to_kpa <= 0 ? "UNITS" : "SECONDS_PER_FRAME",
			    "missing from the header");
		return -1;
	}
	if (!imp->info.feet) {
		const char *marker;
		int named = fscan_foot_from_name(f->text.path, &marker);

		/* neither the movie's nor this file's name says: F-Scan's usual left */
		imp->info.feet = 1u << (named >= 0 ? named : INS_FOOT_LEFT);
		if (named >= 0)
			snprintf(imp->info.feet_from, sizeof imp->info.feet_from, "the file's name ends in %s", marker);
		else {
			import_copy_text(imp->info.feet_from, sizeof imp->info.feet_from, "no side given: left assumed");
			import_copy_text(imp->info.caution, sizeof imp->info.caution, FSCAN_SIDE_ASSUMED);
		}
	}
	foot = imp->info.feet & (1u << INS_FOOT_LEFT) ? INS_FOOT_LEFT : INS_FOOT_RIGHT;
	imp->info.rate_hz = 1.0 / f->seconds_per_frame;
	imp->info.n_sensors[foot] = (uint16_t)(f->rows * f->cols);
	imp->info.unit = INS_IMPORT_KPA;
	fscan_mirror_caution(imp, f);
	import_suggest_grid_layout(imp, foot, f->cols, f->rows, f->col_mm, f->row_mm, FSCAN_PITCH_TOLERANCE,
				   "fscan60x21", 21, 60, FSCAN_PITCH_MM);
	return import_alloc_values(imp, err, errlen);
}

static int fscan_open(struct ins_import *imp, const char *path, char *err, size_t errlen)
{
	struct fscan *f = calloc(1, sizeof *f);
	char *line;
	int rc;

	if (!f) {
		import_errf(err, errlen, path, 0, NULL, "out of memory");
		return -1;
	}
	imp->priv = f;
	if (import_text_open(&f->text, imp->info.path, err, errlen) < 0)
		return -1;
	while ((rc = import_text_next(&f->text, &line, err, errlen)) == 1) {
		if (strncmp(line, "ASCII_DATA", 10) == 0)
			break;
		if (f->text.lineno >= FSCAN_HEADER_LINES_MAX) {
			import_errf(err, errlen, path, f->text.lineno, NULL,
				    "no 'ASCII_DATA @@' line in the first %d lines", FSCAN_HEADER_LINES_MAX);
			return -1;
		}
		if (f->text.lineno == 1 && *line && line[strlen(line) - 1] == ';') {
			/* every line padded with ';' to the widest row, as a spreadsheet saves it */
			import_errf(err, errlen, path, 1, NULL, "the lines end in ';': a spreadsheet re-saved the movie "
				    "with ';' between values; " FSCAN_RESAVED_HOW);
			return -1;
		}
		import_trim_end(line, FSCAN_PADDING);
		if (fscan_header_line(imp, line, err, errlen) < 0)
			return -1;
	}
	if (rc < 0)
		return -1;
	if (rc == 0) {
		import_errf(err, errlen, path, f->text.lineno, NULL, "the header ends without 'ASCII_DATA @@'");
		return -1;
	}
	return fscan_describe(imp, err, errlen);
}

/* A row whose values a spreadsheet separated by ';' or tabs when it saved
 * the movie again (a European list separator, "Text"): said so, rather
 * than "'B;B;B' is not a number". */
static int fscan_resaved_row(const struct fscan *f, const char *q, unsigned r, long frame, char *err,
			     size_t errlen)
{
	const char *sep = strpbrk(q, ";\t");
	char field[48];

	if (f->cols < 2 || !sep || strchr(q, ','))
		return 0;
	snprintf(field, sizeof field, "frame %ld row %u", frame, r + 1);
	import_errf(err, errlen, f->text.path, f->text.lineno, field,
		    "the values are separated by %s, not ',': a spreadsheet re-saved the movie; " FSCAN_RESAVED_HOW,
		    *sep == ';' ? "';'" : "tabs");
	return -1;
}

/* One row of sensels into the layout's order. */
static int fscan_row(struct ins_import *imp, unsigned foot, unsigned r, const char *q, long frame, char *err,
		     size_t errlen)
{
	struct fscan *f = imp->priv;
	float *dst = imp->vals[foot] + (size_t)(f->rows - 1 - r) * f->cols;
	int mirror = foot == INS_FOOT_RIGHT;

	if (fscan_resaved_row(f, q, r, frame, err, errlen) < 0)
		return -1;

	for (unsigned c = 0; c < f->cols; c++) {
		double v = 0;
		char field[48];

		q = import_skip_blanks(q);
		if (*q == 'B' && (q[1] == ',' || q[1] == '\0' || q[1] == ' ')) {
			q = import_skip_blanks(q + 1);
			q += *q == ',';
		} else if (*q == '\0' || import_scan_field(&q, ',', &v) < 0) {
			snprintf(field, sizeof field, "frame %ld row %u column %u", frame, r + 1, c + 1);
			if (*q == '\0')
				import_errf(err, errlen, f->text.path, f->text.lineno, field,
					    "the row has %u values, COLS is %u", c, f->cols);
			else
				import_scan_errf(err, errlen, f->text.path, f->text.lineno, field, q, ',');
			return -1;
		}
		dst[mirror ? f->cols - 1 - c : c] = (float)(v * f->to_kpa);
	}
	if (!fscan_is_blank(q)) {
		import_errf(err, errlen, f->text.path, f->text.lineno, NULL,
			    "frame %ld row %u has more than the %u values COLS says", frame, r + 1, f->cols);
		return -1;
	}
	return 0;
}

/* "Frame N", or "Frame N, ..." as some Tekscan versions write it (a
 * relative time, the clock, a raw sum: the frame's time comes from N and
 * SECONDS_PER_FRAME all the same): the frame number, which must go up. */
static int fscan_frame_line(struct fscan *f, const char *line, long *frame, char *err, size_t errlen)
{
	const char *end;
	double n;

	if (strncmp(line, "Frame ", 6) != 0 || import_scan_number(line + 6, &end, &n) < 0 ||
	    !(import_is_blank(end) || *import_skip_blanks(end) == ',') || n != floor(n) || n < 0 || n > 1e9) {
		import_errf(err, errlen, f->text.path, f->text.lineno, NULL,
			    "expected 'Frame N' or the closing '@@', found '%.24s'", line);
		return -1;
	}
	*frame = (long)n;
	if (f->last_frame && *frame <= f->last_frame) {
		import_errf(err, errlen, f->text.path, f->text.lineno, "Frame",
			    "frame %ld does not follow frame %ld", *frame, f->last_frame);
		return -1;
	}
	return 0;
}

/* A frame's rows stopped short at the line just read (rc 1) or at the end
 * of the file (rc 0): the message names that line and the row it lacks. */
static int fscan_truncated(struct fscan *f, int rc, const char *line, long frame, unsigned r, char *err,
			   size_t errlen)
{
	char field[48];
	const char *what = rc == 0 ? "the file ends here"
			   : fscan_is_blank(line) ? "a blank line"
			   : fscan_is_end(line) ? "'@@' (the end of the data)" : "the next 'Frame' line";

	snprintf(field, sizeof field, "frame %ld row %u", frame, r + 1);
	import_errf(err, errlen, f->text.path, f->text.lineno + (rc == 0), field,
		    "%s, after %u of %u rows: frame %ld is truncated", what, r, f->rows, frame);
	return -1;
}

static int fscan_read_frame(struct ins_import *imp, unsigned foot, long frame, char *err, size_t errlen)
{
	struct fscan *f = imp->priv;
	char *line = NULL;

	for (unsigned r = 0; r < f->rows; r++) {
		int rc = import_text_next(&f->text, &line, err, errlen);

		if (rc < 0)
			return -1;
		if (rc == 0 || fscan_is_blank(line) || fscan_is_end(line) || strncmp(line, "Frame", 5) == 0)
			return fscan_truncated(f, rc, line, frame, r, err, errlen);
		if (fscan_row(imp, foot, r, line, frame, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int fscan_read_row(struct ins_import *imp, char *err, size_t errlen)
{
	struct fscan *f = imp->priv;
	unsigned foot = imp->info.feet & (1u << INS_FOOT_LEFT) ? INS_FOOT_LEFT : INS_FOOT_RIGHT;
	char *line;
	long frame;
	int rc;

	if (f->ended)
		return 0;
	do {
		rc = import_text_next(&f->text, &line, err, errlen);
		if (rc < 0)
			return rc;
	} while (rc == 1 && fscan_is_blank(line));
	if (rc == 0 || fscan_is_end(line)) {
		f->ended = 1;
		imp->end_marked = rc == 1;
		if (f->last_frame)
			return 0;
		import_errf(err, errlen, f->text.path, f->text.lineno, NULL, "a header but no frames");
		return -1;
	}
	if (fscan_frame_line(f, line, &frame, err, errlen) < 0)
		return -1;
	if (import_stamp(imp, foot, llround((double)(frame - 1) * f->seconds_per_frame * 1e6),
			 f->text.lineno, "Frame", err, errlen) < 0)
		return -1;
	if (fscan_read_frame(imp, foot, frame, err, errlen) < 0)
		return -1;
	f->last_frame = frame;
	return 1;
}

static void fscan_close(struct ins_import *imp)
{
	struct fscan *f = imp->priv;

	if (!f)
		return;
	import_text_close(&f->text);
	free(f);
	imp->priv = NULL;
}

const struct import_ops import_fscan_ops = {
	.name = "fscan",
	.open = fscan_open,
	.read_row = fscan_read_row,
	.close = fscan_close,
};
