/* Layout files (docs/layouts.md): an INI-like text format parsed here so
 * every error can name the file, the line and the field. */
#include <config.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "insoled/grow.h"
#include "insoled/layout.h"
#include "insoled/parse.h"

/* Sanity limits: anything beyond them is a typo (mm for cm, a stray digit),
 * not a foot. */
#define LAYOUT_MAX_FOOT_MM 1000.0   /* no insole is a metre long */
#define LAYOUT_MAX_COORD_MM 2000.0  /* sensors stay near the foot */
#define LAYOUT_MAX_AREA_MM2 100000.0 /* one sensor larger than a whole insole */
#define LAYOUT_MAX_OUTLINE 4096     /* outline points; a smooth foot needs < 100 */
#define LAYOUT_MIN_CELL_MM 1.0      /* heatmap / grid cells: finer than any sensor pitch */
#define LAYOUT_MAX_CELL_MM 50.0
#define LAYOUT_DEFAULT_HEATMAP_CELL_MM 5.0f /* about the pitch of dense insoles */

enum section { SEC_NONE, SEC_LAYOUT, SEC_CALIBRATION, SEC_OUTLINE, SEC_GRID, SEC_SENSOR };

/* Which calibration fields a [sensor] section overrides. */
enum calib_field {
	CF_KIND = 1u << 0, CF_ZERO = 1u << 1, CF_GAIN = 1u << 2,
	CF_EXPONENT = 1u << 3, CF_TABLE = 1u << 4, CF_SATURATION = 1u << 5
};

struct sensor_src {
	unsigned line;        /* line of the [sensor] header, for errors found later */
	unsigned have;        /* bit per required field seen: 1 x, 2 y, 4 area */
	int region;           /* -1 = from position */
	int side;             /* -1 = from position */
	unsigned calib_set;   /* enum calib_field */
};

struct parser {
	const char *path;
	unsigned line;
	char *err;
	size_t errlen;
	struct ins_layout *lay;
	enum section sec;
	unsigned seen_sections;   /* bit per enum section that appeared */
	unsigned seen_keys;       /* bit per key within the current single section */
	unsigned layout_line, grid_line;
	int have_length, have_width, have_forefoot;
	struct ins_calib_curve default_calib;
	unsigned default_calib_set;
	unsigned calib_line;
	int grid_w, grid_h;
	float grid_cell, grid_x0, grid_y0;
	unsigned grid_set;
	struct sensor_src *src;
	size_t cap_sensors, cap_outline;
};

static int fail(struct parser *p, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct parser *p, const char *field, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (p->line)
		snprintf(p->err, p->errlen, "%s:%u: %s: %s", p->path, p->line, field, what);
	else
		snprintf(p->err, p->errlen, "%s: %s: %s", p->path, field, what);
	return -1;
}

static int parse_double(struct parser *p, const char *key, const char *val, double *out)
{
	if (ins_parse_double(val, out) < 0)
		return fail(p, key, "expected a number, got '%s'", val);
	return 0;
}

static int parse_range(struct parser *p, const char *key, const char *val, double lo, double hi, double *out)
{
	if (parse_double(p, key, val, out) < 0)
		return -1;
	if (*out < lo || *out > hi)
		return fail(p, key, "%g is outside %g..%g", *out, lo, hi);
	return 0;
}

static int parse_positive(struct parser *p, const char *key, const char *val, double hi, double *out)
{
	if (parse_double(p, key, val, out) < 0)
		return -1;
	if (!(*out > 0) || *out > hi)
		return fail(p, key, "must be > 0 and <= %g, got %g", hi, *out);
	return 0;
}

static int parse_int(struct parser *p, const char *key, const char *val, long lo, long hi, long *out)
{
	if (ins_parse_long(val, out) < 0)
		return fail(p, key, "expected an integer, got '%s'", val);
	if (*out < lo || *out > hi)
		return fail(p, key, "%ld is outside %ld..%ld", *out, lo, hi);
	return 0;
}

/* "NAME" must be short and safe as a file name and in URLs. */
static int parse_name(struct parser *p, const char *val)
{
	char why[128];

	if (ins_layout_name_check(val, why, sizeof(why)) < 0)
		return fail(p, "name", "%s", why);
	memcpy(p->lay->name, val, strlen(val) + 1);
	return 0;
}

/* "counts:kpa counts:kpa ..." */
static int parse_table(struct parser *p, const char *key, char *val, struct ins_calib_curve *c)
{
	char *save = NULL;
	unsigned n = 0;

	for (char *tok = strtok_r(val, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		char *colon = strchr(tok, ':');
		double counts, kpa;

		if (n == INS_CALIB_TABLE_MAX)
			return fail(p, key, "more than %d points", INS_CALIB_TABLE_MAX);
		if (!colon)
			return fail(p, key, "point %u '%s': expected counts:kpa", n + 1, tok);
		*colon = '\0';
		if (parse_double(p, key, tok, &counts) < 0 || parse_double(p, key, colon + 1, &kpa) < 0)
			return -1;
		c->table_counts[n] = counts;
		c->table_kpa[n] = kpa;
		n++;
	}
	c->n_points = n;
	return 0;
}

/* Calibration keys, shared by [calibration] and [sensor]; returns 1 when key
 * is not a calibration key. */
static int parse_calib_key(struct parser *p, const char *key, char *val, struct ins_calib_curve *c, unsigned *set)
{
	double d;
	long l;
	unsigned bit;

	if (!strcmp(key, "kind")) {
		bit = CF_KIND;
		if (!strcmp(val, "linear"))
			c->kind = INS_CALIB_LINEAR;
		else if (!strcmp(val, "power"))
			c->kind = INS_CALIB_POWER;
		else if (!strcmp(val, "table"))
			c->kind = INS_CALIB_TABLE;
		else
			return fail(p, key, "'%s': expected linear, power or table", val);
	} else if (!strcmp(key, "zero")) {
		bit = CF_ZERO;
		if (parse_range(p, key, val, 0, 65535, &d) < 0)
			return -1;
		c->zero = d;
	} else if (!strcmp(key, "gain")) {
		bit = CF_GAIN;
		if (parse_double(p, key, val, &d) < 0)
			return -1;
		c->gain = d;
	} else if (!strcmp(key, "exponent")) {
		bit = CF_EXPONENT;
		if (parse_double(p, key, val, &d) < 0)
			return -1;
		c->exponent = d;
	} else if (!strcmp(key, "table")) {
		bit = CF_TABLE;
		if (parse_table(p, key, val, c) < 0)
			return -1;
	} else if (!strcmp(key, "saturation")) {
		bit = CF_SATURATION;
		if (parse_int(p, key, val, 1, 65535, &l) < 0)
			return -1;
		c->saturation = (uint16_t)l;
	} else {
		return 1;
	}
	if (*set & bit)
		return fail(p, key, "given twice");
	*set |= bit;
	return 0;
}

static const char *kind_name(enum ins_calib_kind kind)
{
	return kind == INS_CALIB_POWER ? "power" : kind == INS_CALIB_TABLE ? "table" : "linear";
}

static int once(struct parser *p, const char *key, unsigned bit)
{
	if (p->seen_keys & (1u << bit))
		return fail(p, key, "given twice");
	p->seen_keys |= 1u << bit;
	return 0;
}

static int layout_key(struct parser *p, const char *key, char *val)
{
	static const char *const keys[] = { "name", "description", "foot_length_mm", "foot_width_mm",
					    "forefoot_width_mm", "units", "heatmap_cell_mm" };
	struct ins_layout *lay = p->lay;
	unsigned k;
	double d;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]) && strcmp(key, keys[k]); k++)
		;
	if (k == sizeof(keys) / sizeof(keys[0]))
		return fail(p, key, "unknown key in [layout]");
	if (once(p, key, k) < 0)
		return -1;
	switch (k) {
	case 0:
		return parse_name(p, val);
	case 1:
		if (strlen(val) >= sizeof(lay->description))
			return fail(p, key, "longer than %zu characters", sizeof(lay->description) - 1);
		strcpy(lay->description, val);
		return 0;
	case 2:
		p->have_length = 1;
		if (parse_positive(p, key, val, LAYOUT_MAX_FOOT_MM, &d) < 0)
			return -1;
		lay->foot_length_mm = (float)d;
		return 0;
	case 3:
		p->have_width = 1;
		if (parse_positive(p, key, val, LAYOUT_MAX_FOOT_MM, &d) < 0)
			return -1;
		lay->foot_width_mm = (float)d;
		return 0;
	case 4:
		p->have_forefoot = 1;
		if (parse_positive(p, key, val, LAYOUT_MAX_FOOT_MM, &d) < 0)
			return -1;
		lay->forefoot_width_mm = (float)d;
		return 0;
	case 5:
		if (!strcmp(val, "kpa"))
			lay->arbitrary_units = 0;
		else if (!strcmp(val, "arbitrary"))
			lay->arbitrary_units = 1;
		else
			return fail(p, key, "'%s': expected kpa or arbitrary", val);
		return 0;
	default:
		if (parse_range(p, key, val, LAYOUT_MIN_CELL_MM, LAYOUT_MAX_CELL_MM, &d) < 0)
			return -1;
		lay->heatmap_cell_mm = (float)d;
		return 0;
	}
}

static int outline_key(struct parser *p, const char *key, const char *val)
{
	struct ins_layout *lay = p->lay;
	double x, y;
	char *end;

	if (strcmp(key, "point"))
		return fail(p, key, "unknown key in [outline] (expected point = X_MM Y_MM)");
	errno = 0;
	x = strtod(val, &end);
	if (end == val || !isspace((unsigned char)*end))
		return fail(p, key, "expected 'X_MM Y_MM', got '%s'", val);
	if (parse_range(p, key, end, -LAYOUT_MAX_COORD_MM, LAYOUT_MAX_COORD_MM, &y) < 0)
		return -1;
	if (errno == ERANGE || !isfinite(x) || fabs(x) > LAYOUT_MAX_COORD_MM)
		return fail(p, key, "x %g is outside -%g..%g", x, LAYOUT_MAX_COORD_MM, LAYOUT_MAX_COORD_MM);
	if (lay->n_outline == LAYOUT_MAX_OUTLINE)
		return fail(p, key, "more than %d outline points", LAYOUT_MAX_OUTLINE);
	if (ins_grow((void **)&lay->outline, &p->cap_outline, lay->n_outline, 1, sizeof(*lay->outline), 64) < 0)
		return fail(p, key, "out of memory");
	lay->outline[lay->n_outline][0] = (float)x;
	lay->outline[lay->n_outline][1] = (float)y;
	lay->n_outline++;
	return 0;
}

static int grid_key(struct parser *p, const char *key, const char *val)
{
	static const char *const keys[] = { "columns", "rows", "cell_mm", "x0_mm", "y0_mm" };
	unsigned k;
	long l;
	double d;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]) && strcmp(key, keys[k]); k++)
		;
	if (k == sizeof(keys) / sizeof(keys[0]))
		return fail(p, key, "unknown key in [grid]");
	if (once(p, key, k) < 0)
		return -1;
	p->grid_set |= 1u << k;
	switch (k) {
	case 0:
	case 1:
		if (parse_int(p, key, val, 1, INS_MAX_SENSORS, &l) < 0)
			return -1;
		*(k == 0 ? &p->grid_w : &p->grid_h) = (int)l;
		return 0;
	case 2:
		if (parse_range(p, key, val, LAYOUT_MIN_CELL_MM, LAYOUT_MAX_CELL_MM, &d) < 0)
			return -1;
		p->grid_cell = (float)d;
		return 0;
	default:
		if (parse_range(p, key, val, -LAYOUT_MAX_COORD_MM, LAYOUT_MAX_COORD_MM, &d) < 0)
			return -1;
		*(k == 3 ? &p->grid_x0 : &p->grid_y0) = (float)d;
		return 0;
	}
}

static int add_sensor(struct parser *p)
{
	struct ins_layout *lay = p->lay;

	if (lay->n_sensors == INS_MAX_SENSORS)
		return fail(p, "[sensor]", "more than %d sensors", INS_MAX_SENSORS);
	if (lay->n_sensors == p->cap_sensors) {
		/* two arrays of one length: each grows from the same capacity */
		size_t cap_sensors = p->cap_sensors, cap_src = p->cap_sensors;

		if (ins_grow((void **)&lay->sensors, &cap_sensors, lay->n_sensors, 1, sizeof(*lay->sensors), 32) < 0 ||
		    ins_grow((void **)&p->src, &cap_src, lay->n_sensors, 1, sizeof(*p->src), 32) < 0)
			return fail(p, "[sensor]", "out of memory");
		p->cap_sensors = cap_sensors;
	}
	memset(&lay->sensors[lay->n_sensors], 0, sizeof(lay->sensors[0]));
	p->src[lay->n_sensors] = (struct sensor_src){ .line = p->line, .region = -1, .side = -1 };
	lay->n_sensors++;
	return 0;
}

static int sensor_key(struct parser *p, const char *key, char *val)
{
	unsigned i = p->lay->n_sensors - 1;
	struct ins_sensor *s = &p->lay->sensors[i];
	struct sensor_src *src = &p->src[i];
	double d;
	int r;

	if (!strcmp(key, "x_mm") || !strcmp(key, "y_mm")) {
		unsigned bit = key[0] == 'x' ? 1 : 2;

		if (src->have & bit)
			return fail(p, key, "given twice");
		src->have |= bit;
		if (parse_range(p, key, val, -LAYOUT_MAX_COORD_MM, LAYOUT_MAX_COORD_MM, &d) < 0)
			return -1;
		*(bit == 1 ? &s->x_mm : &s->y_mm) = (float)d;
		return 0;
	}
	if (!strcmp(key, "area_mm2")) {
		if (src->have & 4)
			return fail(p, key, "given twice");
		src->have |= 4;
		if (parse_positive(p, key, val, LAYOUT_MAX_AREA_MM2, &d) < 0)
			return -1;
		s->area_mm2 = (float)d;
		return 0;
	}
	if (!strcmp(key, "region")) {
		for (r = 0; r < INS_REGION_COUNT && strcmp(val, ins_region_name((unsigned)r)); r++)
			;
		if (r == INS_REGION_COUNT && strcmp(val, "auto"))
			return fail(p, key, "'%s': expected auto, heel, midfoot, forefoot or toes", val);
		src->region = r == INS_REGION_COUNT ? -1 : r;
		return 0;
	}
	if (!strcmp(key, "mask")) {
		r = strcmp(val, "auto") ? ins_mask_region_from_name(val) : -1;
		if (r < 0 && strcmp(val, "auto"))
			return fail(p, key, "'%s': expected auto or a mask region (medial_heel, lateral_heel, "
				    "medial_midfoot, lateral_midfoot, mth1, mth2_3, mth4_5, hallux, lesser_toes)", val);
		s->mask_region = (uint8_t)(r + 1);
		return 0;
	}
	if (!strcmp(key, "side")) {
		if (!strcmp(val, "medial"))
			src->side = INS_SIDE_MEDIAL;
		else if (!strcmp(val, "lateral"))
			src->side = INS_SIDE_LATERAL;
		else if (!strcmp(val, "auto"))
			src->side = -1;
		else
			return fail(p, key, "'%s': expected auto, medial or lateral", val);
		return 0;
	}
	r = parse_calib_key(p, key, val, &s->calib, &src->calib_set);
	if (r == 1)
		return fail(p, key, "unknown key in [sensor]");
	return r;
}

static int begin_section(struct parser *p, const char *name)
{
	static const char *const names[] = { "", "layout", "calibration", "outline", "grid", "sensor" };
	unsigned k;

	for (k = 1; k < sizeof(names) / sizeof(names[0]) && strcmp(name, names[k]); k++)
		;
	if (k == sizeof(names) / sizeof(names[0]))
		return fail(p, "section", "unknown section [%s]", name);
	if (k != SEC_SENSOR && (p->seen_sections & (1u << k)))
		return fail(p, "section", "[%s] given twice", name);
	p->seen_sections |= 1u << k;
	p->sec = (enum section)k;
	p->seen_keys = 0;
	if (k == SEC_LAYOUT)
		p->layout_line = p->line;
	else if (k == SEC_CALIBRATION)
		p->calib_line = p->line;
	else if (k == SEC_GRID)
		p->grid_line = p->line;
	else if (k == SEC_SENSOR)
		return add_sensor(p);
	return 0;
}

static int parse_line(struct parser *p, char *raw)
{
	char *line = ins_trim(raw), *eq, *key, *val;
	int r;

	if (*line == '\0' || *line == '#' || *line == ';')
		return 0;
	if (*line == '[') {
		char *close = strchr(line, ']');

		if (!close || close[1] != '\0')
			return fail(p, "section", "expected [name]");
		*close = '\0';
		return begin_section(p, ins_trim(line + 1));
	}
	eq = strchr(line, '=');
	if (!eq)
		return fail(p, ins_trim(line), "expected key = value");
	*eq = '\0';
	key = ins_trim(line);
	val = ins_trim(eq + 1);
	if (*val == '\0')
		return fail(p, key, "empty value");
	switch (p->sec) {
	case SEC_LAYOUT:
		return layout_key(p, key, val);
	case SEC_CALIBRATION:
		r = parse_calib_key(p, key, val, &p->default_calib, &p->default_calib_set);
		return r == 1 ? fail(p, key, "unknown key in [calibration]") : r;
	case SEC_OUTLINE:
		return outline_key(p, key, val);
	case SEC_GRID:
		return grid_key(p, key, val);
	case SEC_SENSOR:
		return sensor_key(p, key, val);
	default:
		return fail(p, key, "key outside any section");
	}
}

static int build_grid(struct parser *p)
{
	static const char *const keys[] = { "columns", "rows", "cell_mm", "x0_mm", "y0_mm" };
	struct ins_layout *lay = p->lay;
	long n = (long)p->grid_w * p->grid_h;

	p->line = p->grid_line;
	for (unsigned k = 0; k < 5; k++)
		if (!(p->grid_set & (1u << k)))
			return fail(p, keys[k], "missing in [grid]");
	if (p->seen_sections & (1u << SEC_SENSOR))
		return fail(p, "[grid]", "a layout has either [grid] or [sensor] sections, not both");
	if (n > INS_MAX_SENSORS)
		return fail(p, "[grid]", "%d x %d = %ld cells, more than %d", p->grid_w, p->grid_h, n, INS_MAX_SENSORS);
	for (long i = 0; i < n; i++) {
		struct ins_sensor *s;

		if (add_sensor(p) < 0)
			return -1;
		s = &lay->sensors[i];
		s->x_mm = p->grid_x0 + (float)(i % p->grid_w) * p->grid_cell;
		s->y_mm = p->grid_y0 + (float)(i / p->grid_w) * p->grid_cell;
		s->area_mm2 = p->grid_cell * p->grid_cell;
		p->src[i].have = 7;
	}
	lay->is_grid = 1;
	lay->grid_w = (uint16_t)p->grid_w;
	lay->grid_h = (uint16_t)p->grid_h;
	lay->grid_cell_mm = p->grid_cell;
	lay->grid_x0_mm = p->grid_x0;
	lay->grid_y0_mm = p->grid_y0;
	return 0;
}

/* The field a curve of this kind needs but was not given, or NULL. */
static const char *missing_calib_field(enum ins_calib_kind kind, unsigned set)
{
	if (!(set & CF_SATURATION))
		return "saturation";
	if (kind == INS_CALIB_TABLE)
		return set & CF_TABLE ? NULL : "table";
	if (!(set & CF_GAIN))
		return "gain";
	if (kind == INS_CALIB_POWER && !(set & CF_EXPONENT))
		return "exponent";
	return NULL;
}

static void merge_calib(struct ins_calib_curve *c, const struct ins_calib_curve *def, unsigned set)
{
	struct ins_calib_curve own = *c;

	*c = *def;
	if (set & CF_KIND)
		c->kind = own.kind;
	if (set & CF_ZERO)
		c->zero = own.zero;
	if (set & CF_GAIN)
		c->gain = own.gain;
	if (set & CF_EXPONENT)
		c->exponent = own.exponent;
	if (set & CF_TABLE) {
		c->n_points = own.n_points;
		memcpy(c->table_counts, own.table_counts, sizeof(c->table_counts));
		memcpy(c->table_kpa, own.table_kpa, sizeof(c->table_kpa));
	}
	if (set & CF_SATURATION)
		c->saturation = own.saturation;
}

static int finish_sensor(struct parser *p, unsigned i)
{
	static const char *const fields[] = { "x_mm", "y_mm", "area_mm2" };
	struct ins_sensor *s = &p->lay->sensors[i];
	const struct sensor_src *src = &p->src[i];
	const char *missing;
	char why[200];

	p->line = src->line;
	for (unsigned k = 0; k < 3; k++)
		if (!(src->have & (1u << k)))
			return fail(p, fields[k], "missing in [sensor] %u", i + 1);
	merge_calib(&s->calib, &p->default_calib, src->calib_set);
	missing = missing_calib_field(s->calib.kind, src->calib_set | p->default_calib_set);
	if (missing)
		return fail(p, missing, "missing for the %s curve of [sensor] %u", kind_name(s->calib.kind), i + 1);
	if (ins_calib_curve_check(&s->calib, why, sizeof(why)) < 0)
		return fail(p, "calibration", "[sensor] %u: %s", i + 1, why);
	s->region = (uint8_t)(src->region >= 0 ? src->region : (int)ins_region_at(s->y_mm, p->lay->foot_length_mm));
	if (src->side >= 0) {
		s->side = (uint8_t)src->side;
		s->medial_share = src->side == INS_SIDE_MEDIAL ? 1.0f : 0.0f;
	} else if (fabsf(s->x_mm) < (float)INS_MIDLINE_MM) {
		s->side = INS_SIDE_MEDIAL;
		s->medial_share = 0.5f;
	} else {
		s->side = s->x_mm > 0 ? INS_SIDE_MEDIAL : INS_SIDE_LATERAL;
		s->medial_share = s->x_mm > 0 ? 1.0f : 0.0f;
	}
	return 0;
}

/* The heatmap grid of a sparse layout must stay bounded (heatmap.c covers
 * the outline's bounding box with heatmap_cell_mm cells). */
static int check_heatmap_size(struct parser *p)
{
	const struct ins_layout *lay = p->lay;
	float xmin = lay->outline[0][0], xmax = xmin, ymin = lay->outline[0][1], ymax = ymin;
	double w, h;

	for (unsigned i = 1; i < lay->n_outline; i++) {
		xmin = fminf(xmin, lay->outline[i][0]);
		xmax = fmaxf(xmax, lay->outline[i][0]);
		ymin = fminf(ymin, lay->outline[i][1]);
		ymax = fmaxf(ymax, lay->outline[i][1]);
	}
	w = ceil((xmax - xmin) / lay->heatmap_cell_mm);
	h = ceil((ymax - ymin) / lay->heatmap_cell_mm);
	if (w * h > INS_HEATMAP_MAX_CELLS) {
		p->line = p->layout_line;
		return fail(p, "heatmap_cell_mm", "%g mm cells over the %.0f x %.0f mm outline make more than %u cells",
			    lay->heatmap_cell_mm, xmax - xmin, ymax - ymin, INS_HEATMAP_MAX_CELLS);
	}
	return 0;
}

static int finish(struct parser *p)
{
	struct ins_layout *lay = p->lay;
	char why[200];

	p->line = p->layout_line;
	if (!(p->seen_sections & (1u << SEC_LAYOUT)))
		return fail(p, "[layout]", "missing section (name, foot_length_mm, foot_width_mm)");
	if (lay->name[0] == '\0')
		return fail(p, "name", "missing in [layout]");
	if (!p->have_length)
		return fail(p, "foot_length_mm", "missing in [layout]");
	if (!p->have_width)
		return fail(p, "foot_width_mm", "missing in [layout]");
	if (!p->have_forefoot)
		lay->forefoot_width_mm = lay->foot_width_mm;
	p->line = p->calib_line;
	if (!(p->seen_sections & (1u << SEC_CALIBRATION)))
		return fail(p, "[calibration]", "missing section (every sensor needs a default curve)");
	if (!(p->default_calib_set & CF_KIND))
		return fail(p, "kind", "missing in [calibration] (linear, power or table)");
	if (missing_calib_field(p->default_calib.kind, p->default_calib_set))
		return fail(p, missing_calib_field(p->default_calib.kind, p->default_calib_set),
			    "missing for the %s curve in [calibration]", kind_name(p->default_calib.kind));
	if (ins_calib_curve_check(&p->default_calib, why, sizeof(why)) < 0)
		return fail(p, "calibration", "%s", why);
	p->line = 0;
	if (lay->n_outline < 3)
		return fail(p, "[outline]", "needs at least 3 points, got %u", lay->n_outline);
	if ((p->seen_sections & (1u << SEC_GRID)) && build_grid(p) < 0)
		return -1;
	if (!lay->is_grid && check_heatmap_size(p) < 0)
		return -1;
	p->line = 0;
	if (lay->n_sensors == 0)
		return fail(p, "[sensor]", "no sensors (give [sensor] sections or a [grid])");
	for (unsigned i = 0; i < lay->n_sensors; i++)
		if (finish_sensor(p, i) < 0)
			return -1;
	return 0;
}

/* Parse a layout from f; label names it in messages (a path). */
static struct ins_layout *load_stream(FILE *f, const char *label, char *err, size_t errlen)
{
	struct parser p = { .path = label, .err = err, .errlen = errlen };
	char *buf = NULL;
	size_t cap = 0;
	int rc = -1;

	p.lay = calloc(1, sizeof(*p.lay));
	if (!p.lay) {
		snprintf(err, errlen, "%s: out of memory", label);
		return NULL;
	}
	p.lay->heatmap_cell_mm = LAYOUT_DEFAULT_HEATMAP_CELL_MM;
	for (ssize_t n; (n = getline(&buf, &cap, f)) >= 0;) {
		p.line++;
		if ((size_t)n != strlen(buf)) {
			fail(&p, "line", "contains a NUL byte (not a text file?)");
			goto out;
		}
		if (parse_line(&p, buf) < 0)
			goto out;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s:%u: read error: %s", label, p.line + 1, strerror(errno));
		goto out;
	}
	rc = finish(&p);
out:
	free(buf);
	free(p.src);
	if (rc < 0) {
		ins_layout_free(p.lay);
		return NULL;
	}
	return p.lay;
}

struct ins_layout *ins_layout_load(const char *path, char *err, size_t errlen)
{
	struct ins_layout *lay;
	FILE *f = fopen(path, "r");

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	lay = load_stream(f, path, err, errlen);
	fclose(f);
	return lay;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t ins_layout_names(const char *dir, char **names, size_t max)
{
	size_t n = 0;
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max) {
		size_t len = strlen(e->d_name);

		if (e->d_name[0] != '.' && len > 7 && !strcmp(e->d_name + len - 7, ".layout")) {
			names[n] = strndup(e->d_name, len - 7);
			if (names[n])
				n++;
		}
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), compare_names);
	return n;
}

/* "fsr16, grid60x21, ..." (sorted) into out: the NAME of every NAME.layout
 * in dir, so a mistyped name is answered with the ones there are. */
static void list_layout_names(const char *dir, char *out, size_t size)
{
	char *names[INS_LAYOUT_MAX_FILES];
	size_t n = ins_layout_names(dir, names, INS_LAYOUT_MAX_FILES), used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (used < size)
			used += (size_t)snprintf(out + used, size - used, "%s%s", i ? ", " : "", names[i]);
		free(names[i]);
	}
}

/* ---- sheets: a grid known only by its size and pitch ------------------ */

#define SHEET_PREFIX "sheet"
#define SHEET_UM_PER_MM 1000.0

/* "sheetCOLSxROWS-PITCHum" -> the numbers; 0, or -1 when name is not one
 * (written exactly as ins_layout_sheet_name() writes it). */
static int parse_sheet_name(const char *name, unsigned *cols, unsigned *rows, unsigned *pitch_um)
{
	char again[64];
	int end = 0;

	if (sscanf(name, SHEET_PREFIX "%ux%u-%uum%n", cols, rows, pitch_um, &end) != 3 || name[end] != '\0')
		return -1;
	snprintf(again, sizeof(again), SHEET_PREFIX "%ux%u-%uum", *cols, *rows, *pitch_um);
	return strcmp(again, name) == 0 ? 0 : -1;
}

static int sheet_fits(unsigned cols, unsigned rows, double pitch_mm)
{
	return cols > 0 && rows > 0 && (unsigned long)cols * rows <= INS_MAX_SENSORS &&
	       pitch_mm >= LAYOUT_MIN_CELL_MM && pitch_mm <= LAYOUT_MAX_CELL_MM &&
	       rows * pitch_mm <= LAYOUT_MAX_FOOT_MM && cols * pitch_mm <= LAYOUT_MAX_FOOT_MM;
}

static int is_sheet_name(const char *name)
{
	unsigned cols, rows, pitch_um;

	return parse_sheet_name(name, &cols, &rows, &pitch_um) == 0 &&
	       sheet_fits(cols, rows, pitch_um / SHEET_UM_PER_MM);
}

int ins_layout_sheet_name(char *out, size_t outlen, unsigned cols, unsigned rows, double pitch_mm)
{
	long pitch_um = lround(pitch_mm * SHEET_UM_PER_MM);

	if (!isfinite(pitch_mm) || !sheet_fits(cols, rows, pitch_um / SHEET_UM_PER_MM))
		return -1;
	return (size_t)snprintf(out, outlen, SHEET_PREFIX "%ux%u-%ldum", cols, rows, pitch_um) < outlen ? 0 : -1;
}

/* The layout file a sheet would have, parsed like any other so the sheet
 * meets every rule a file must. */
struct ins_layout *ins_layout_sheet(const char *name, char *err, size_t errlen)
{
	unsigned cols, rows, pitch_um;
	double pitch, half_w, length;
	struct ins_layout *lay;
	char text[1024];
	FILE *f;

	if (parse_sheet_name(name, &cols, &rows, &pitch_um) < 0 || !sheet_fits(cols, rows, pitch_um / SHEET_UM_PER_MM)) {
		snprintf(err, errlen, "layout '%.64s' is not a sheet (sheetCOLSxROWS-PITCHum, at most %d cells of "
			 "1-50 mm)", name, INS_MAX_SENSORS);
		return NULL;
	}
	pitch = pitch_um / SHEET_UM_PER_MM;
	half_w = cols * pitch / 2;
	length = rows * pitch;
	snprintf(text, sizeof(text),
		 "[layout]\nname = %s\n"
		 "description = Pressure sheet of %u x %u sensels of %g mm (the recording's own grid)\n"
		 "foot_length_mm = %.17g\nfoot_width_mm = %.17g\nunits = kpa\n"
		 "[calibration]\nkind = linear\nzero = 0\ngain = 1\nsaturation = 65535\n"
		 "[outline]\npoint = %.17g 0\npoint = %.17g 0\npoint = %.17g %.17g\npoint = %.17g %.17g\n"
		 "[grid]\ncolumns = %u\nrows = %u\ncell_mm = %.17g\nx0_mm = %.17g\ny0_mm = %.17g\n",
		 name, cols, rows, pitch, length, 2 * half_w, -half_w, half_w, half_w, length, -half_w, length,
		 cols, rows, pitch, -half_w + pitch / 2, pitch / 2);
	f = fmemopen(text, strlen(text), "r");
	if (!f) {
		snprintf(err, errlen, "layout '%s': %s", name, strerror(errno));
		return NULL;
	}
	lay = load_stream(f, name, err, errlen);
	fclose(f);
	return lay;
}

struct ins_layout *ins_layout_load_named(const char *dir, const char *name, char *err, size_t errlen)
{
	struct ins_layout *lay;
	char path[4096], why[128];

	if (ins_layout_name_check(name, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "layout %s", why);
		return NULL;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.layout", dir, name) >= sizeof(path)) {
		snprintf(err, errlen, "layout '%s': path too long", name);
		return NULL;
	}
	if (access(path, F_OK) != 0 && errno == ENOENT) {
		char known[1024];

		if (is_sheet_name(name))
			return ins_layout_sheet(name, err, errlen);

		list_layout_names(dir, known, sizeof(known));
		snprintf(err, errlen, "layout '%s' not found in %s (layouts there: %s)", name, dir,
			 known[0] ? known : "none");
		return NULL;
	}
	lay = ins_layout_load(path, err, errlen);
	if (lay && strcmp(lay->name, name)) {
		snprintf(err, errlen, "%s: name: '%s' does not match the file name '%s'", path, lay->name, name);
		ins_layout_free(lay);
		return NULL;
	}
	return lay;
}

void ins_layout_free(struct ins_layout *layout)
{
	if (!layout)
		return;
	free(layout->sensors);
	free(layout->outline);
	free(layout);
}

const char *ins_layout_units(const struct ins_layout *layout)
{
	return layout->arbitrary_units ? "raw" : "kPa";
}
