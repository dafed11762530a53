/* Which reader a file needs, from its name and first lines (rules in
 * docs/import.md).  Reads at most the '#' header and one data line. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "import_priv.h"

#define DETECT_GAITPDB_COLUMNS 19
/* A gaitndd record's NAME.ts: the publishers' per-stride times, 13 numbers
 * a line (docs/import.md). */
#define DETECT_GAITNDD_TS_COLUMNS 13
#define DETECT_SHOW_MAX 40 /* characters of an unrecognised first line shown in the error */
#define DETECT_LINE_COPY_MAX 1024 /* of a first line looked at for decimal commas: 19 numbers need far less */

/* How a gaitndd record is read, for the messages refusing a part of one. */
#define DETECT_WFDB_RECORD_HOW                                                                             \
	"a record is three files, NAME.hea, NAME.let and NAME.rit, read from one folder by insoled --analyze " \
	"NAME.hea or sent together in one upload"

/* 0, 1, 2 for NAME.hea, NAME.let, NAME.rit (any case, as a Windows
 * folder lists them), else -1; *stem_len the length of NAME. */
static int wfdb_part(const char *name, size_t *stem_len)
{
	static const char *const suffix[] = { ".hea", ".let", ".rit" };
	size_t n = strlen(name);

	for (int i = 0; i < 3 && n > 4; i++)
		if (strcasecmp(name + n - 4, suffix[i]) == 0) {
			*stem_len = n - 4;
			return i;
		}
	return -1;
}

int ins_import_check_upload_name(const char *name, char *err, size_t errlen)
{
	size_t stem;
	int k = wfdb_part(name, &stem);

	if (k > 0) {
		import_errf(err, errlen, name, 0, NULL, "a gaitndd signal file (the %s foot's samples, WFDB format 212): "
			    DETECT_WFDB_RECORD_HOW "; one file alone holds half a record and no header",
			    k == 1 ? "left" : "right");
		return -1;
	}
	return 0;
}

int ins_import_pick_file(const char *const *names, unsigned n, char *err, size_t errlen)
{
	static const char *const role[] = { "its header", "the left foot's", "the right foot's" };
	static const char *const suffix[] = { "hea", "let", "rit" };
	int seen[3] = { -1, -1, -1 };
	size_t stem = 0, first_stem = 0;

	if (n <= 1) {
		if (!n)
			snprintf(err, errlen, "no file to read");
		return n ? 0 : -1;
	}
	for (unsigned i = 0; i < n; i++) {
		int k = wfdb_part(names[i], &stem);

		if (k < 0 || (i && (stem != first_stem || strncmp(names[i], names[0], stem) != 0)) || seen[k] >= 0) {
			import_errf(err, errlen, names[i], 0, NULL,
				    "sent with %s: several files make one recording only as a gaitndd record, the "
				    "three files NAME.hea, NAME.let and NAME.rit of one NAME", names[i ? 0 : 1]);
			return -1;
		}
		first_stem = i ? first_stem : stem;
		seen[k] = (int)i;
	}
	for (int k = 0; k < 3; k++)
		if (seen[k] < 0) {
			import_errf(err, errlen, names[0], 0, NULL,
				    "the gaitndd record %.*s lacks %s %.*s.%s: " DETECT_WFDB_RECORD_HOW,
				    (int)first_stem, names[0], role[k], (int)first_stem, names[0], suffix[k]);
			return -1;
		}
	return seen[0];
}

static int detect_wfdb(const char *path)
{
	char hea[1024];
	size_t stem;

	if (wfdb_part(path, &stem) >= 0)
		return 1;
	if (snprintf(hea, sizeof hea, "%s.hea", path) >= (int)sizeof hea)
		return 0;
	import_wfdb_resolve_case(hea, sizeof hea);
	return access(hea, R_OK) == 0 && access(path, F_OK) != 0;
}

/* line is exactly columns blank-separated numbers; splits line in place. */
static int detect_all_numbers(char *line, int columns)
{
	char *fields[DETECT_GAITPDB_COLUMNS + 1];
	int n = import_split_blanks(line, fields, DETECT_GAITPDB_COLUMNS + 1);

	if (n != columns)
		return 0;
	for (int i = 0; i < n; i++) {
		char *end;

		strtod(fields[i], &end);
		if (end == fields[i] || *end != '\0')
			return 0;
	}
	return 1;
}

/* The same of a copy of line. */
static int detect_all_numbers_copy(const char *line, int columns)
{
	char copy[DETECT_LINE_COPY_MAX];

	import_copy_text(copy, sizeof copy, line);
	return detect_all_numbers(copy, columns);
}

/* line is want, but for the blanks or commas an editor or a spreadsheet
 * may leave after it (which the readers allow too). */
static int detect_line_is(const char *line, const char *want)
{
	size_t n = strlen(want);

	return strncmp(line, want, n) == 0 && line[n + strspn(line + n, " \t,")] == '\0';
}

/* "12,5": a number written with a decimal comma (a whole number is one too). */
static int detect_comma_number(const char *s, int *comma)
{
	size_t n = strspn(s + (*s == '-' || *s == '+'), "0123456789");

	s += (*s == '-' || *s == '+') + n;
	if (n == 0 || *s == '\0')
		return n > 0;
	if (*s != ',' || strspn(s + 1, "0123456789") != strlen(s + 1) || s[1] == '\0')
		return 0;
	*comma = 1;
	return 1;
}

/* A gaitpdb row of 19 numbers with decimal commas, as a spreadsheet set to a
 * European number format saves it: between its fields blanks (sep 0) or
 * sep.  Reads a copy of line. */
static int detect_gaitpdb_commas(const char *line, char sep)
{
	char copy[DETECT_LINE_COPY_MAX], *fields[DETECT_GAITPDB_COLUMNS + 1];
	int n, comma = 0;

	import_copy_text(copy, sizeof copy, line);
	n = sep ? import_split(copy, sep, fields, DETECT_GAITPDB_COLUMNS + 1)
		: import_split_blanks(copy, fields, DETECT_GAITPDB_COLUMNS + 1);
	if (n != DETECT_GAITPDB_COLUMNS)
		return 0;
	for (int i = 0; i < n; i++)
		if (!detect_comma_number(fields[i] + strspn(fields[i], " \t"), &comma))
			return 0;
	return comma;
}

/* Scan the '#' header block for the Moticon pressure columns. */
static const char *detect_hash_header(struct import_text *t, char *line, char *err, size_t errlen)
{
	int rc = 1;

	for (; rc == 1 && line[0] == '#'; rc = import_text_next(t, &line, err, errlen)) {
		if (strstr(line, "pressure 1[N/cm"))
			return "moticon";
	}
	if (rc < 0)
		return NULL;
	import_errf(err, errlen, t->path, 1, NULL,
		    "'#' header lines that are neither an insoled frames export (first line '# insoled "
		    "frames export') nor a Moticon export (no 'pressure 1[N/cm\xc2\xb2]' column)");
	return NULL;
}

/* Whether the field of line at s (up to sep or the end) is name, but for
 * the blanks and double quotes a spreadsheet or R's write.csv puts around it. */
static int detect_field_is(const char *s, char sep, const char *name)
{
	size_t n = strlen(name);

	s += strspn(s, " \t");
	s += *s == '"';
	if (strncmp(s, name, n) != 0)
		return 0;
	s += n;
	s += *s == '"';
	s += strspn(s, " \t");
	return *s == sep || *s == '\0';
}

/* A stappone column line: the columns are found by name, so a logger or a
 * spreadsheet that writes them in another order, or adds its own, makes a
 * header whose first column is not sole_id; it still names sole_id,
 * timestamp and pressure_01 (separated by sep).  Looks at line in place. */
static int detect_stappone_columns(const char *line, char sep)
{
	static const char *const required[] = { "sole_id", "timestamp", "pressure_01" };
	unsigned found = 0;

	for (const char *s = line; s; s = strchr(s, sep), s = s ? s + 1 : NULL)
		for (unsigned i = 0; i < sizeof required / sizeof required[0]; i++)
			if (detect_field_is(s, sep, required[i]))
				found |= 1u << i;
	return found == (1u << (sizeof required / sizeof required[0])) - 1;
}

/* The vendor exports, each recognised by its first line. */
static const char *detect_vendor(const char *line)
{
	if (strncasecmp(line, "File name:", 10) == 0)
		return "pedar";        /* novel .asc; the reader checks for pedar's 99-sensor columns */
	if (strcmp(line, "DATA_TYPE MOVIE") == 0 || strncmp(line, "DATA_TYPE ", 10) == 0)
		return "fscan";        /* Tekscan ASCII movie */
	if (strncmp(line, "File:,", 6) == 0 || strncmp(line, "FRAME,", 6) == 0)
		return "xsensor";
	if (strncmp(line, "sole_id,", 8) == 0 || strncmp(line, "\"sole_id\",", 10) == 0 ||
	    detect_stappone_columns(line, ','))
		return "stappone";
	return NULL;
}

/* Fields of a WFDB record line: name, signals, rate, samples, base time
 * and date. */
#define DETECT_WFDB_FIELDS_MAX 6

/* "park1 2 300 90000": a WFDB record line (a gaitndd header renamed, or
 * uploaded alone): whole numbers of signals and samples around a rate. */
static int detect_wfdb_record_line(const char *line)
{
	char copy[256], *fields[DETECT_WFDB_FIELDS_MAX + 1], *end;
	int n;

	import_copy_text(copy, sizeof copy, line);
	n = import_split_blanks(copy, fields, DETECT_WFDB_FIELDS_MAX + 1);
	if (n < 4 || n > DETECT_WFDB_FIELDS_MAX || strspn(fields[1], "0123456789") != strlen(fields[1]) ||
	    strspn(fields[3], "0123456789") != strlen(fields[3]))
		return 0;
	return strtod(fields[2], &end) > 0 && end != fields[2];
}

/* A vendor CSV re-saved with another field separator: ';' (a spreadsheet
 * whose list separator is ';', as in much of Europe, where the decimal
 * point is a comma too) or a tab ("Text" or "Unicode Text").  The vendor
 * format it would be with commas, or NULL. */
static const char *detect_resaved_csv(const char *line, char *sep_name, size_t len)
{
	static const char seps[] = ";\t";
	char copy[DETECT_SHOW_MAX + 1];
	const char *format;

	for (const char *sep = seps; *sep; sep++) {
		if (!strchr(line, *sep))
			continue;
		format = detect_stappone_columns(line, *sep) ? "stappone" : NULL;
		import_copy_text(copy, sizeof copy, line);
		for (char *p = copy; (p = strchr(p, *sep)) != NULL; p++)
			*p = ',';
		if (format || (format = detect_vendor(copy)) != NULL) {
			snprintf(sep_name, len, "%s", *sep == ';' ? "';'" : "tabs");
			return format;
		}
	}
	return NULL;
}

/* What a first line no reader takes looks like, for the refusal. */
enum detect_look {
	DETECT_LOOKS_UNKNOWN,
	DETECT_LOOKS_WFDB_HEADER,      /* a WFDB record line: a gaitndd .hea */
	DETECT_LOOKS_GAITNDD_TIMES,    /* 13 numbers: a gaitndd record's NAME.ts */
	DETECT_LOOKS_PDB_SEMICOLONS    /* a gaitpdb row re-saved with ';' and decimal commas */
};

static enum detect_look detect_look(const char *line)
{
	if (detect_wfdb_record_line(line))
		return DETECT_LOOKS_WFDB_HEADER;
	if (detect_all_numbers_copy(line, DETECT_GAITNDD_TS_COLUMNS))
		return DETECT_LOOKS_GAITNDD_TIMES;
	return detect_gaitpdb_commas(line, ';') ? DETECT_LOOKS_PDB_SEMICOLONS : DETECT_LOOKS_UNKNOWN;
}

/* line: the first line's start; format: the vendor export it is with its
 * fields separated by sep instead of commas (detect_resaved_csv), or NULL */
static void detect_refuse(const char *path, const char *line, enum detect_look look, const char *format,
			  const char *sep, char *err, size_t errlen)
{
	char shown[DETECT_SHOW_MAX + 1];

	import_copy_text(shown, sizeof shown, line);
	if (look == DETECT_LOOKS_WFDB_HEADER)
		import_errf(err, errlen, path, 1, NULL,
			    "a WFDB header (gaitndd .hea, first line '%s'): " DETECT_WFDB_RECORD_HOW
			    "; the header alone holds no samples", shown);
	else if (look == DETECT_LOOKS_GAITNDD_TIMES)
		import_errf(err, errlen, path, 1, NULL,
			    "the per-stride times of a gaitndd record (NAME.ts, %d numbers a line, first line '%s'), "
			    "not a recording: " DETECT_WFDB_RECORD_HOW, DETECT_GAITNDD_TS_COLUMNS, shown);
	else if (format)
		import_errf(err, errlen, path, 1, NULL,
			    "this %s export has its fields separated by %s, not ',' (first line '%s'): a spreadsheet "
			    "re-saved it; save it again as CSV with ',' between fields and '.' as the decimal point",
			    format, sep, shown);
	else if (look == DETECT_LOOKS_PDB_SEMICOLONS)
		import_errf(err, errlen, path, 1, NULL,
			    "a gaitpdb recording (19 numbers a line) with ';' between its fields and decimal commas "
			    "(first line '%s'): a spreadsheet re-saved it; save it again as text with tabs between "
			    "fields and '.' as the decimal point", shown);
	else
		import_errf(err, errlen, path, 1, NULL,
			    "not a recording this program reads (first line '%s'); formats: gaitndd "
			    "(.hea/.let/.rit), gaitpdb (19 numeric columns), Moticon and insoled "
			    "exports ('#' header), pedar .asc ('File name:'), F-Scan .asf "
			    "('DATA_TYPE'), XSENSOR .csv ('File:,'), stappone .csv ('sole_id,')",
			    shown);
}

const char *ins_import_detect(const char *path, char *err, size_t errlen)
{
	struct import_text t;
	const char *format = NULL;
	char *line;
	int rc;

	if (detect_wfdb(path))
		return "gaitndd";
	if (import_text_open(&t, path, err, errlen) < 0)
		return NULL;
	rc = import_text_next(&t, &line, err, errlen);
	if (rc == 0 && t.zero_tail)
		import_errf(err, errlen, path, 0, NULL, "the file holds nothing but %llu NUL (zero) bytes: "
			    IMPORT_ZERO_TAIL_WHY, t.zero_tail);
	else if (rc == 0)
		import_errf(err, errlen, path, 0, NULL, "empty file");
	if (rc <= 0)
		goto out;
	if ((format = detect_vendor(line)) != NULL) {
		/* recognised by its first line */
	} else if (detect_line_is(line, "# insoled frames export")) {
		format = "insoled";
	} else if (strncmp(line, "# Start time:", 13) == 0) {
		format = "moticon";
	} else if (line[0] == '#') {
		format = detect_hash_header(&t, line, err, errlen);
	} else {
		char first[DETECT_SHOW_MAX + 1], sep[8];
		enum detect_look look = detect_look(line);
		const char *resaved = detect_resaved_csv(line, sep, sizeof sep);

		/* the split below writes into line */
		import_copy_text(first, sizeof first, line);
		/* with decimal commas, the reader names the first one (file, line, column) */
		if (detect_gaitpdb_commas(line, 0) || detect_all_numbers(line, DETECT_GAITPDB_COLUMNS))
			format = "gaitpdb";
		else
			detect_refuse(path, first, look, resaved, sep, err, errlen);
	}
out:
	import_text_close(&t);
	return format;
}
