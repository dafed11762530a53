/* Our own frames export (docs/import.md, "insoled frames export"): '#'
 * header lines "key: value" with units, layouts, calibration, subject and
 * footwear, a column line, then one CSV row per foot-frame. */
#include <config.h>

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "insoled/grow.h"
#include "import_priv.h"

#define INSOLED_MAGIC "# insoled frames export"
/* What a spreadsheet (commas) or an editor (blanks) leaves at the end of a
 * header line or the column line: not part of the value. */
#define INSOLED_PADDING " \t,"
#define INSOLED_LEAD_COLUMNS 3 /* t_us, foot, seq */
#define INSOLED_COUNTS_MAX 65535.0
#define INSOLED_SEQ_BACKWARD (1u << 31) /* a counter "jump" this large is a restart, not a gap */
#define INSOLED_SEQ_SLACK 1.5 /* frames a counter may skip per nominal period of elapsed time (clock jitter) */
/* The one way of escaping text values a "text_escapes" line may name. */
#define INSOLED_ESCAPES "backslash"
/* Longest line an export of ours holds: version 1 wrote a foot's whole
 * calibration on one line, "# calibration_right: [" and up to
 * INS_MAX_SENSORS curves of at most 913 bytes each (the store's
 * INS_STORE_CURVE_JSON_MAX has the arithmetic) with their commas, 3.75 MB
 * for a 4,096-cell insole: far over the 256 KiB other formats are held to,
 * and allowed only once the first line says the file is ours. */
#define INSOLED_LINE_MAX (4 * 1024 * 1024)
/* Version 2's calibration lines: "calibration_left_s1"... */
#define INSOLED_CALIB_KEY "calibration_"

struct insoled_reader {
	struct import_text text;
	char **fields;
	char *calib_text[INS_FOOT_COUNT]; /* JSON, parsed once the sensor counts are known */
	unsigned long calib_line[INS_FOOT_COUNT]; /* the foot's first calibration line */
	/* version 2: the curves of "calibration_<foot>_sN" lines, in sensor order */
	struct ins_calib_curve *curves[INS_FOOT_COUNT];
	size_t curves_cap[INS_FOOT_COUNT];
	unsigned n_curves[INS_FOOT_COUNT];
	char curve_name[48];           /* the curve being read, for messages */
	unsigned long curve_line;
	int version;
	int units_seen;
	int escaped;                   /* "# text_escapes: backslash" seen: text values are escaped */
	unsigned long text_line;       /* the first line with a text value, 0 before it */
	uint16_t max_sensors;
	uint32_t last_seq[INS_FOOT_COUNT];
	int have_seq[INS_FOOT_COUNT];
};

static int insoled_foot_key(const char *key, const char *prefix, unsigned *foot)
{
	size_t n = strlen(prefix);

	if (strncmp(key, prefix, n) != 0)
		return 0;
	if (strcmp(key + n, "left") == 0)
		*foot = INS_FOOT_LEFT;
	else if (strcmp(key + n, "right") == 0)
		*foot = INS_FOOT_RIGHT;
	else
		return 0;
	return 1;
}

static int insoled_number(struct insoled_reader *r, const char *key, const char *value, double lo, double hi,
			  double *out, char *err, size_t errlen)
{
	if (import_parse_number(value, out, r->text.path, r->text.lineno, key, err, errlen) < 0)
		return -1;
	if (*out < lo || *out > hi) {
		import_errf(err, errlen, r->text.path, r->text.lineno, key, "%s is outside %g..%g", value,
			    lo, hi);
		return -1;
	}
	return 0;
}

static int calib_curve(struct insoled_reader *r, json_t *obj, struct ins_calib_curve *c, char *err, size_t errlen);

/* A foot's calibration is given one way: one line of all its curves
 * (version 1) or one line per sensor (version 2), never both. */
static int insoled_calib_forms(struct insoled_reader *r, const char *key, unsigned foot, char *err, size_t errlen)
{
	if (!r->calib_text[foot] && !r->n_curves[foot]) {
		r->calib_line[foot] = r->text.lineno;
		return 0;
	}
	import_errf(err, errlen, r->text.path, r->text.lineno, key,
		    "this foot's calibration is already given on line %lu: give it once, either as one "
		    "calibration_<foot> line or as one calibration_<foot>_sN line per sensor", r->calib_line[foot]);
	return -1;
}

/* "calibration_left_s7": the foot and the sensor's number, 1..INS_MAX_SENSORS;
 * 0 when the key is not of that form (a key of a later version). */
static unsigned long insoled_sensor_key(const char *key, unsigned *foot)
{
	const char *p = key + strlen(INSOLED_CALIB_KEY), *digits = NULL;
	unsigned long sensor = 0;

	if (strncmp(key, INSOLED_CALIB_KEY, strlen(INSOLED_CALIB_KEY)) != 0)
		return 0;
	for (unsigned f = 0; f < INS_FOOT_COUNT && !digits; f++) {
		size_t n = strlen(ins_foot_name(f));
		if (strncmp(p, ins_foot_name(f), n) == 0 && strncmp(p + n, "_s", 2) == 0) {
			digits = p + n + 2;
			*foot = f;
		}
	}
	if (!digits || *digits < '1' || *digits > '9')
		return 0;
	for (p = digits; *p >= '0' && *p <= '9' && sensor <= INS_MAX_SENSORS; p++)
		sensor = sensor * 10 + (unsigned long)(*p - '0');
	return *p || sensor > INS_MAX_SENSORS ? 0 : sensor;
}

/* "# calibration_<foot>_sN: {CURVE}": sensor N's curve, in sensor order,
 * read as it comes (a line holds one curve, however many sensors). */
static int insoled_sensor_calib(struct ins_import *imp, const char *key, unsigned foot, unsigned long sensor,
				const char *value, char *err, size_t errlen)
{
	struct insoled_reader *r = imp->priv;
	json_error_t jerr;
	json_t *obj;
	int rc;

	if (sensor == 1 && insoled_calib_forms(r, key, foot, err, errlen) < 0)
		return -1;
	if (sensor != r->n_curves[foot] + 1) {
		import_errf(err, errlen, r->text.path, r->text.lineno, key,
			    "comes after the line of sensor %u: one line per sensor, in sensor order from s1",
			    r->n_curves[foot]);
		return -1;
	}
	if (ins_grow((void **)&r->curves[foot], &r->curves_cap[foot], r->n_curves[foot], 1, sizeof(**r->curves), 64) < 0) {
		import_errf(err, errlen, r->text.path, r->text.lineno, key, "out of memory");
		return -1;
	}
	if (!(obj = json_loads(value, 0, &jerr))) {
		import_errf(err, errlen, r->text.path, r->text.lineno, key, "bad JSON at column %d: %s", jerr.column,
			    jerr.text);
		return -1;
	}
	snprintf(r->curve_name, sizeof r->curve_name, "%s", key);
	r->curve_line = r->text.lineno;
	rc = calib_curve(r, obj, &r->curves[foot][r->n_curves[foot]], err, errlen);
	json_decref(obj);
	r->n_curves[foot] += rc == 0;
	return rc;
}

static int insoled_foot_value(struct ins_import *imp, const char *key, const char *value, char *err,
			      size_t errlen)
{
	struct insoled_reader *r = imp->priv;
	unsigned long sensor;
	unsigned foot;
	double v;

	if (insoled_foot_key(key, "layout_", &foot)) {
		if (*value == '\0' || strlen(value) >= sizeof imp->info.layout[0]) {
			import_errf(err, errlen, r->text.path, r->text.lineno, key,
				    "a layout name of 1..%zu characters is required",
				    sizeof imp->info.layout[0] - 1);
			return -1;
		}
		import_copy_text(imp->info.layout[foot], sizeof imp->info.layout[0], value);
		imp->info.feet |= 1u << foot;
	} else if (insoled_foot_key(key, "sensors_", &foot)) {
		if (insoled_number(r, key, value, 1, INS_MAX_SENSORS, &v, err, errlen) < 0)
			return -1;
		if (v != floor(v)) {
			import_errf(err, errlen, r->text.path, r->text.lineno, key, "%s is not a whole number",
				    value);
			return -1;
		}
		imp->info.n_sensors[foot] = (uint16_t)v;
	} else if (insoled_foot_key(key, INSOLED_CALIB_KEY, &foot)) {
		if (insoled_calib_forms(r, key, foot, err, errlen) < 0)
			return -1;
		free(r->calib_text[foot]);
		r->calib_text[foot] = strdup(value);
		r->calib_line[foot] = r->text.lineno;
		if (!r->calib_text[foot]) {
			import_errf(err, errlen, r->text.path, r->text.lineno, key, "out of memory");
			return -1;
		}
	} else if ((sensor = insoled_sensor_key(key, &foot)) != 0) {
		return insoled_sensor_calib(imp, key, foot, sensor, value, err, errlen);
	}
	return 0; /* unknown keys are ignored: later versions may add some */
}

/* ---- text values ---------------------------------------------------------- */

/* The keys whose values are text the exporter escapes (docs/import.md). */
static int insoled_is_text_key(const char *key)
{
	static const char *const text_keys[] = { "software_version", "subject", "footwear", "notes", "state",
						 "layout_left", "layout_right" };

	for (size_t i = 0; i < sizeof text_keys / sizeof text_keys[0]; i++)
		if (strcmp(key, text_keys[i]) == 0)
			return 1;
	return 0;
}

/* The bytes written as a backslash and a letter, and those letters. */
static const char escaped_bytes[] = "\\\n\r\t";
static const char escape_letters[] = "\\nrt";

/* Each byte becomes at most two (the one \xHH is the last byte's), so that
 * the longest notes the store keeps (64 KiB) fit a line of the reader
 * (INS_IMPORT_LINE_MAX) however many characters need escaping; which is why
 * other control characters, which a line holds as they are, stay so. */
size_t ins_import_escape_text(char *out, const char *text)
{
	size_t o = 0;

	for (const char *p = text; *p; p++) {
		const char *k = strchr(escaped_bytes, *p);

		if (p[1] == '\0' && (*p == ' ' || *p == ',')) {
			o += (size_t)sprintf(out + o, "\\x%02x", (unsigned)*p);
		} else if (k) {
			out[o++] = '\\';
			out[o++] = escape_letters[k - escaped_bytes];
		} else {
			out[o++] = *p;
		}
	}
	out[o] = '\0';
	return o;
}

static int insoled_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Undo ins_import_escape_text() in place (the text only gets shorter).
 * Anything else after a backslash is refused rather than guessed at: in a
 * file edited by hand, "C:\new" kept as written and "\n" read as a line
 * end could not both be right. */
static int insoled_unescape(struct insoled_reader *r, const char *key, char *value, char *err, size_t errlen)
{
	char *o = value;
	int hi, lo;

	for (const char *p = value; *p; p++) {
		const char *k = p[0] == '\\' && p[1] ? strchr(escape_letters, p[1]) : NULL;

		if (*p != '\\') {
			*o++ = *p;
		} else if (k) {
			*o++ = escaped_bytes[k - escape_letters];
			p++;
		} else if (p[1] == 'x' && (hi = insoled_hex_digit(p[2])) >= 0 && hi <= 7 &&
			   (lo = insoled_hex_digit(p[3])) >= 0 && (hi || lo)) {
			*o++ = (char)(hi << 4 | lo);
			p += 3;
		} else {
			import_errf(err, errlen, r->text.path, r->text.lineno, key,
				    "'\\%.3s' at byte %zu is not an escape of this format (\\\\, \\n, \\r, \\t, "
				    "\\x01..\\x7f; a backslash is written \\\\)", p + 1, (size_t)(p - value) + 1);
			return -1;
		}
	}
	*o = '\0';
	return 0;
}

/* "# text_escapes: backslash": the text values after it are escaped;
 * before it (an export written before text was escaped) they are read as
 * written, so a backslash in such notes stays one. */
static int insoled_escapes(struct insoled_reader *r, const char *key, const char *value, char *err, size_t errlen)
{
	if (strcmp(value, INSOLED_ESCAPES) != 0) {
		import_errf(err, errlen, r->text.path, r->text.lineno, key, "'%.40s' is not '%s'", value,
			    INSOLED_ESCAPES);
		return -1;
	}
	if (r->text_line) {
		import_errf(err, errlen, r->text.path, r->text.lineno, key,
			    "must come before the text values it is about (line %lu has one)", r->text_line);
		return -1;
	}
	r->escaped = 1;
	return 0;
}

/* The session's subject, footwear or notes, whole: the store decides what
 * to do with a text longer than it keeps (docs/import.md). */
static int insoled_label(struct ins_import *imp, enum import_label which, const char *key, const char *value,
			 char *err, size_t errlen)
{
	struct insoled_reader *r = imp->priv;

	if (import_set_label(imp, which, value) < 0) {
		import_errf(err, errlen, r->text.path, r->text.lineno, key, "out of memory");
		return -1;
	}
	return 0;
}

static int insoled_header_value(struct ins_import *imp, const char *key, char *value, char *err, size_t errlen)
{
	struct insoled_reader *r = imp->priv;
	struct ins_import_info *info = &imp->info;
	double v;

	if (insoled_is_text_key(key)) {
		if (!r->text_line)
			r->text_line = r->text.lineno;
		if (r->escaped && insoled_unescape(r, key, value, err, errlen) < 0)
			return -1;
	}
	if (strcmp(key, "format_version") == 0) {
		if (insoled_number(r, key, value, 1, 1000000, &v, err, errlen) < 0)
			return -1;
		if (v != floor(v) || v > INS_IMPORT_INSOLED_VERSION) {
			import_errf(err, errlen, r->text.path, r->text.lineno, key,
				    "version %s is not supported (this program reads versions %d..%d)", value,
				    INS_IMPORT_INSOLED_VERSION_PLAIN, INS_IMPORT_INSOLED_VERSION);
			return -1;
		}
		r->version = (int)v;
	} else if (strcmp(key, "units") == 0) {
		if (strcmp(value, "counts") == 0) {
			info->unit = INS_IMPORT_COUNTS;
		} else if (strcmp(value, "kPa") == 0) {
			info->unit = INS_IMPORT_KPA;
		} else {
			import_errf(err, errlen, r->text.path, r->text.lineno, key,
				    "'%s' is neither 'counts' nor 'kPa'", value);
			return -1;
		}
		r->units_seen = 1;
	} else if (strcmp(key, "body_weight_n") == 0) {
		return insoled_number(r, key, value, 0, 1e5, &info->body_weight_n, err, errlen);
	} else if (strcmp(key, "rate_hz") == 0) {
		return insoled_number(r, key, value, 0, 1e6, &info->rate_hz, err, errlen);
	} else if (strcmp(key, "subject") == 0) {
		return insoled_label(imp, IMPORT_SUBJECT, key, value, err, errlen);
	} else if (strcmp(key, "footwear") == 0) {
		return insoled_label(imp, IMPORT_FOOTWEAR, key, value, err, errlen);
	} else if (strcmp(key, "notes") == 0) {
		return insoled_label(imp, IMPORT_NOTES, key, value, err, errlen);
	} else if (strcmp(key, "text_escapes") == 0) {
		return insoled_escapes(r, key, value, err, errlen);
	} else if (strcmp(key, "start_utc") == 0) {
		import_copy_text(info->start, sizeof info->start, value);
	} else {
		return insoled_foot_value(imp, key, value, err, errlen);
	}
	return 0;
}

/* "# key: value", or "# key:" when the padding cut from the line's end
 * took the blank of an empty value with it */
static int insoled_header_line(struct ins_import *imp, char *line, char *err, size_t errlen)
{
	struct insoled_reader *r = imp->priv;
	size_t n = strlen(line);
	char *key = line + 2, *colon = strstr(line, ": ");
	char *value = colon ? colon + 2 : line + n;

	if (!colon && n > 3 && line[n - 1] == ':')
		colon = line + n - 1;

	if (strncmp(line, "# ", 2) != 0 || !colon || colon < key + 1) {
		import_errf(err, errlen, r->text.path, r->text.lineno, NULL,
			    "header line is not '# key: value'");
		return -1;
	}
	*colon = '\0';
	for (const char *p = key; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) {
			import_errf(err, errlen, r->text.path, r->text.lineno, NULL,
				    "header key '%s' is not lower-case letters, digits and '_'", key);
			return -1;
		}
	}
	return insoled_header_value(imp, key, value, err, errlen);
}

static int insoled_check_header(struct ins_import *imp, char *err, size_t errlen)
{
	struct insoled_reader *r = imp->priv;
	const char *missing = NULL;

	if (!r->version)
		missing = "format_version";
	else if (!r->units_seen)
		missing = "units";
	else if (!imp->info.feet)
		missing = "layout_left or layout_right";
	for (unsigned foot = 0; !missing && foot < INS_FOOT_COUNT; foot++) {
		if ((imp->info.feet & (1u << foot)) && !imp->info.n_sensors[foot])
			missing = foot == INS_FOOT_LEFT ? "sensors_left" : "sensors_right";
		else if (!(imp->info.feet & (1u << foot)) && imp->info.n_sensors[foot])
			missing = foot == INS_FOOT_LEFT ? "layout_left" : "layout_right";
		else if ((r->calib_text[foot] || r->n_curves[foot]) && imp->info.unit != INS_IMPORT_COUNTS) {
			import_errf(err, errlen, r->text.path, r->calib_line[foot], NULL,
				    "a calibration is only meaningful with 'units: counts'");
			return -1;
		}
	}
	if (missing) {
		import_errf(err, errlen, r->text.path, r->text.lineno, NULL,
			    "header has no '%s' line before the column line", missing);
		return -1;
	}
	return 0;
}

static int insoled_check_columns(struct ins_import *imp, char *line, char *err, size_t errlen)
{
	struct insoled_reader *r = imp->priv;
	/* a spreadsheet with ';' as its list separator re-saved the export */
	const char *resaved = strncmp(line, "t_us;", 5) == 0 ? " (separated by ';': a spreadsheet re-saved the "
			       "export; save it again as CSV with ',' between fields and '.' as the decimal point)" : "";
	int n = import_split(line, ',', r->fields, INS_IMPORT_FIELDS_MAX);
	static const char *const lead[INSOLED_LEAD_COLUMNS] = { "t_us", "foot", "seq" };

	r->max_sensors = imp->info.n_sensors[0] > imp->info.n_sensors[1] ? imp->info.n_sensors[0]
									 : imp->info.n_sensors[1];
	if (n != INSOLED_LEAD_COLUMNS + r->max_sensors) {
		import_errf(err, errlen, r->text.path, r->text.lineno, NULL,
			    "column line has %d columns, expected t_us,foot,seq,s1..s%u%s", n, r->max_sensors,
			    resaved);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char want[16];

		if (i < INSOLED_LEAD_COLUMNS)
			snprintf(want, sizeof want, "%s", lead[i]);
		else
			snprintf(want, sizeof want, "s%d", i - INSOLED_LEAD_COLUMNS + 1);
		if (strcmp(r->fields[i], want) != 0) {
			import_errf(err, errlen, r->text.path, r->text.lineno, NULL,
				    "column %d is '%.20s', expected '%s'", i + 1, r->fields[i], want);
			return -1;
		}
	}
	return 0;
}

/* ---- calibration: struct ins_calib_curve objects, one line each or one array ---- */

/* About a field of the curve being read (r->curve_name, on r->curve_line). */
static int calib_fail(struct insoled_reader *r, const char *field, const char *what, char *err, size_t errlen)
{
	char name[64];

	snprintf(name, sizeof name, "%s.%s", r->curve_name, field);
	import_errf(err, errlen, r->text.path, r->curve_line, name, "%s", what);
	return -1;
}

static int calib_number(json_t *obj, const char *key, int required, double *out)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return required ? -1 : 0;
	if (!json_is_number(v) || !isfinite(json_number_value(v)))
		return -1;
	*out = json_number_value(v);
	return 0;
}

static int calib_table(struct insoled_reader *r, json_t *obj, struct ins_calib_curve *c, char *err, size_t errlen)
{
	json_t *counts = json_object_get(obj, "table_counts"), *kpa = json_object_get(obj, "table_kpa");
	size_t n = json_array_size(counts);

	if (!json_is_array(counts) || !json_is_array(kpa) || n != json_array_size(kpa) || n < 2 ||
	    n > INS_CALIB_TABLE_MAX)
		return calib_fail(r, "table_counts",
				  "table_counts and table_kpa must be arrays of equal length 2..16", err, errlen);
	c->n_points = (unsigned)n;
	for (size_t k = 0; k < n; k++) {
		json_t *cv = json_array_get(counts, k), *kv = json_array_get(kpa, k);

		if (!json_is_number(cv) || !json_is_number(kv))
			return calib_fail(r, "table_counts", "entries must be numbers", err, errlen);
		c->table_counts[k] = json_number_value(cv);
		c->table_kpa[k] = json_number_value(kv);
		if (k > 0 && !(c->table_counts[k] > c->table_counts[k - 1]))
			return calib_fail(r, "table_counts", "counts must increase", err, errlen);
	}
	return 0;
}

static int calib_curve(struct insoled_reader *r, json_t *obj, struct ins_calib_curve *c, char *err, size_t errlen)
{
	const char *kind = json_string_value(json_object_get(obj, "kind"));
	double saturation = INSOLED_COUNTS_MAX;

	memset(c, 0, sizeof *c);
	if (!json_is_object(obj))
		return calib_fail(r, "kind", "each sensor's calibration must be a JSON object", err,
				  errlen);
	if (!kind || (strcmp(kind, "linear") && strcmp(kind, "power") && strcmp(kind, "table")))
		return calib_fail(r, "kind", "must be \"linear\", \"power\" or \"table\"", err, errlen);
	c->kind = !strcmp(kind, "linear") ? INS_CALIB_LINEAR : !strcmp(kind, "power") ? INS_CALIB_POWER
										: INS_CALIB_TABLE;
	if (calib_number(obj, "zero", 1, &c->zero) < 0)
		return calib_fail(r, "zero", "a number is required", err, errlen);
	/* a table's gain is not used, but kept: the curve reads back as written */
	if (calib_number(obj, "gain", c->kind != INS_CALIB_TABLE, &c->gain) < 0)
		return calib_fail(r, "gain", "a number is required", err, errlen);
	if (c->kind == INS_CALIB_POWER && (calib_number(obj, "exponent", 1, &c->exponent) < 0 || !(c->exponent > 0)))
		return calib_fail(r, "exponent", "a positive number is required", err, errlen);
	if (calib_number(obj, "saturation", 0, &saturation) < 0 || saturation < 0 ||
	    saturation > INSOLED_COUNTS_MAX || saturation != floor(saturation))
		return calib_fail(r, "saturation", "must be a whole number of counts 0..65535", err,
				  errlen);
	c->saturation = (uint16_t)saturation;
	return c->kind == INS_CALIB_TABLE ? calib_table(r, obj, c, err, errlen) : 0;
}

static int insoled_parse_calib(struct ins_import *imp, unsigned foot, char *err, size_t errlen)
{
	struct insoled_reader *r = imp->priv;
	uint16_t n = imp->info.n_sensors[foot];
	json_error_t jerr;
	json_t *arr = json_loads(r->calib_text[foot], 0, &jerr);
	char name[32];
	int rc = -1;

	snprintf(name, sizeof name, "calibration_%s", ins_foot_name(foot));
	if (!arr) {
		import_errf(err, errlen, r->text.path, r->calib_line[foot], name, "bad JSON at column %d: %s",
			    jerr.column, jerr.text);
		return -1;
	}
	if (!json_is_array(arr) || json_array_size(arr) != n) {
		import_errf(err, errlen, r->text.path, r->calib_line[foot], name,
			    "must be an array of %u calibration objects (one per sensor)", n);
		goto out;
	}
	imp->calib[foot] = calloc(n, sizeof *imp->calib[foot]);
	if (!imp->calib[foot]) {
		import_errf(err, errlen, r->text.path, r->calib_line[foot], name, "out of memory");
		goto out;
	}
	r->curve_line = r->calib_line[foot];
	for (size_t i = 0; i < n; i++) {
		snprintf(r->curve_name, sizeof r->curve_name, "calibration_%s[%zu]", ins_foot_name(foot), i);
		if (calib_curve(r, json_array_get(arr, i), &imp->calib[foot][i], err, errlen) < 0)
			goto out;
	}
	imp->info.calib[foot] = imp->calib[foot];
	rc = 0;
out:
	json_decref(arr);
	return rc;
}

/* The curves of the calibration_<foot>_sN lines: one for every sensor. */
static int insoled_take_curves(struct ins_import *imp, unsigned foot, char *err, size_t errlen)
{
	struct insoled_reader *r = imp->priv;
	unsigned n = imp->info.n_sensors[foot];

	if (r->n_curves[foot] != n) {
		import_errf(err, errlen, r->text.path, r->calib_line[foot], NULL,
			    "calibration_%s_s1..s%u: %u lines, but sensors_%s is %u (one line per sensor)",
			    ins_foot_name(foot), r->n_curves[foot], r->n_curves[foot], ins_foot_name(foot), n);
		return -1;
	}
	imp->calib[foot] = r->curves[foot];
	imp->info.calib[foot] = imp->calib[foot];
	r->curves[foot] = NULL;
	return 0;
}

/* ---- reader ------------------------------------------------------------ */

static int insoled_read_header(struct ins_import *imp, char *err, size_t errlen)
{
	struct insoled_reader *r = imp->priv;
	char *line;
	int rc = import_text_next(&r->text, &line, err, errlen);

	if (rc == 0)
		import_errf(err, errlen, r->text.path, 0, NULL, "empty file");
	if (rc <= 0)
		return -1;
	import_trim_end(line, INSOLED_PADDING);
	if (strcmp(line, INSOLED_MAGIC) != 0) {
		import_errf(err, errlen, r->text.path, 1, NULL, "first line is not '%s'", INSOLED_MAGIC);
		return -1;
	}
	import_text_allow_lines(&r->text, INSOLED_LINE_MAX);
	while ((rc = import_text_next(&r->text, &line, err, errlen)) == 1 && line[0] == '#') {
		import_trim_end(line, INSOLED_PADDING);
		if (insoled_header_line(imp, line, err, errlen) < 0)
			return -1;
	}
	if (rc == 0)
		import_errf(err, errlen, r->text.path, r->text.lineno, NULL,
			    "no column line (t_us,foot,seq,s1,...) after the header");
	if (rc <= 0 || insoled_check_header(imp, err, errlen) < 0)
		return -1;
	import_trim_end(line, INSOLED_PADDING);
	return insoled_check_columns(imp, line, err, errlen);
}

static int insoled_open(struct ins_import *imp, const char *path, char *err, size_t errlen)
{
	struct insoled_reader *r = calloc(1, sizeof *r);

	if (!r || !(r->fields = calloc(INS_IMPORT_FIELDS_MAX, sizeof *r->fields))) {
		free(r);
		import_errf(err, errlen, path, 0, NULL, "out of memory");
		return -1;
	}
	imp->priv = r;
	if (import_text_open(&r->text, imp->info.path, err, errlen) < 0 || insoled_read_header(imp, err, errlen) < 0)
		return -1;
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		if ((r->calib_text[foot] && insoled_parse_calib(imp, foot, err, errlen) < 0) ||
		    (r->n_curves[foot] && insoled_take_curves(imp, foot, err, errlen) < 0))
			return -1;
	return import_alloc_values(imp, err, errlen);
}

static int insoled_integer(struct insoled_reader *r, const char *text, const char *field, double lo, double hi,
			   double *out, char *err, size_t errlen)
{
	if (import_parse_number(text, out, r->text.path, r->text.lineno, field, err, errlen) < 0)
		return -1;
	if (*out != floor(*out) || *out < lo || *out > hi) {
		import_errf(err, errlen, r->text.path, r->text.lineno, field,
			    "'%.24s' is not a whole number in %.0f..%.0f", text, lo, hi);
		return -1;
	}
	return 0;
}

/* The device counter says how many frames were lost.  A counter that goes
 * back, or (with a known rate) jumps further than the time since the last
 * frame allows, was restarted (device reset, reconnection): then the time
 * says how many are missing (import_stamp's estimate, 0 without a rate). */
static void insoled_seq_gap(struct ins_import *imp, unsigned foot, uint32_t seq, int64_t dt_us)
{
	struct insoled_reader *r = imp->priv;
	uint32_t missing = seq - r->last_seq[foot] - 1;
	double rate = imp->info.rate_hz;
	int plausible = missing < INSOLED_SEQ_BACKWARD &&
			(rate <= 0 || missing <= INSOLED_SEQ_SLACK * (double)dt_us * rate / 1e6);

	imp->row[foot].seq = seq;
	if (r->have_seq[foot] && plausible)
		imp->row[foot].gap = missing;
	else if (!r->have_seq[foot])
		imp->row[foot].gap = 0;
	r->last_seq[foot] = seq;
	r->have_seq[foot] = 1;
}

static int insoled_value(struct ins_import *imp, const char *text, const char *name, double *v, char *err,
			 size_t errlen)
{
	struct insoled_reader *r = imp->priv;

	if (imp->info.unit == INS_IMPORT_COUNTS)
		return insoled_integer(r, text, name, 0, INSOLED_COUNTS_MAX, v, err, errlen);
	return import_parse_value(text, v, r->text.path, r->text.lineno, name, err, errlen);
}

static int insoled_values(struct ins_import *imp, unsigned foot, char **fields, char *err, size_t errlen)
{
	char name[16];

	for (unsigned i = 0; i < imp->info.n_sensors[foot]; i++) {
		double v;

		/* the column's name is formatted only for the message of a bad value */
		if (insoled_value(imp, fields[i], "", &v, err, errlen) < 0) {
			snprintf(name, sizeof name, "s%u", i + 1);
			insoled_value(imp, fields[i], name, &v, err, errlen);
			return -1;
		}
		imp->vals[foot][i] = (float)v;
	}
	return 0;
}

static int insoled_read_row(struct ins_import *imp, char *err, size_t errlen)
{
	struct insoled_reader *r = imp->priv;
	char *line;
	double t, seq;
	int64_t dt_us;
	unsigned foot;
	int n, rc;

	do {
		rc = import_text_next(&r->text, &line, err, errlen);
		if (rc <= 0)
			return rc;
	} while (import_is_blank(line));
	n = import_split(line, ',', r->fields, INS_IMPORT_FIELDS_MAX);
	if (n >= 2 && strcmp(r->fields[1], "left") == 0)
		foot = INS_FOOT_LEFT;
	else if (n >= 2 && strcmp(r->fields[1], "right") == 0)
		foot = INS_FOOT_RIGHT;
	else {
		import_errf(err, errlen, r->text.path, r->text.lineno, "foot", "'%.16s' is not left or right",
			    n >= 2 ? r->fields[1] : "");
		return -1;
	}
	if (!(imp->info.feet & (1u << foot))) {
		import_errf(err, errlen, r->text.path, r->text.lineno, "foot",
			    "%s, but the header has no layout_%s", r->fields[1], r->fields[1]);
		return -1;
	}
	/* a comma after the last value (written after every field) is no field */
	if (n == INSOLED_LEAD_COLUMNS + imp->info.n_sensors[foot] + 1 && import_is_blank(r->fields[n - 1]))
		n--;
	if (n != INSOLED_LEAD_COLUMNS + imp->info.n_sensors[foot]) {
		import_errf(err, errlen, r->text.path, r->text.lineno, NULL,
			    "%s row has %d fields, expected t_us,foot,seq and %u values (sensors_%s)",
			    r->fields[1], n < 0 ? INS_IMPORT_FIELDS_MAX : n, imp->info.n_sensors[foot], r->fields[1]);
		return -1;
	}
	if (insoled_integer(r, r->fields[0], "t_us", -9.0e15, 9.0e15, &t, err, errlen) < 0 ||
	    insoled_integer(r, r->fields[2], "seq", 0, UINT32_MAX, &seq, err, errlen) < 0 ||
	    insoled_values(imp, foot, r->fields + INSOLED_LEAD_COLUMNS, err, errlen) < 0)
		return -1;
	dt_us = imp->started[foot] ? (int64_t)t - imp->last_t_us[foot] : 0;
	if (import_stamp(imp, foot, (int64_t)t, r->text.lineno, "t_us", err, errlen) < 0)
		return -1;
	insoled_seq_gap(imp, foot, (uint32_t)seq, dt_us);
	return 1;
}

static void insoled_close(struct ins_import *imp)
{
	struct insoled_reader *r = imp->priv;

	if (!r)
		return;
	import_text_close(&r->text);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		free(r->calib_text[foot]);
		free(r->curves[foot]);
	}
	free(r->fields);
	free(r);
	imp->priv = NULL;
}

const struct import_ops import_insoled_ops = {
	.name = "insoled",
	.open = insoled_open,
	.read_row = insoled_read_row,
	.close = insoled_close,
};
