/* Insole layouts: where each sensor sits under the foot.  Loaded from data
 * files (docs/layouts.md); shared by analysis, the synthetic insole and the
 * heatmaps.  Implemented in daemon/layout/. */
#ifndef INSOLED_LAYOUT_H
#define INSOLED_LAYOUT_H

#pragma GCC visibility push(default)

#include <stddef.h>
#include <stdint.h>

#include "insoled/frame.h"

/* Anatomical regions by fraction of foot length from the heel; medial and
 * lateral halves split heel, midfoot and forefoot (docs/layouts.md says
 * which boundaries are used). */
enum ins_region {
	INS_REGION_HEEL = 0,
	INS_REGION_MIDFOOT,
	INS_REGION_FOREFOOT,
	INS_REGION_TOES,
	INS_REGION_COUNT
};
enum ins_side { INS_SIDE_MEDIAL = 0, INS_SIDE_LATERAL = 1 };

enum ins_calib_kind {
	INS_CALIB_LINEAR = 0, /* kPa = gain * (counts - zero) */
	INS_CALIB_POWER,      /* FSR power law: kPa = gain * (counts - zero)^exponent */
	INS_CALIB_TABLE       /* piecewise-linear counts -> kPa from a multi-weight calibration */
};
#define INS_CALIB_TABLE_MAX 16

struct ins_calib_curve {
	enum ins_calib_kind kind;
	double zero;          /* tare: counts while unloaded */
	double gain;
	double exponent;
	unsigned n_points;
	double table_counts[INS_CALIB_TABLE_MAX];
	double table_kpa[INS_CALIB_TABLE_MAX];
	uint16_t saturation;  /* counts at or above this are flagged saturated */
};

struct ins_sensor {
	float x_mm;           /* foot frame: origin at heel centre, +x medial */
	float y_mm;           /* +y toward the toes along the heel-to-second-toe axis */
	float area_mm2;
	uint8_t region;       /* enum ins_region */
	uint8_t side;         /* enum ins_side */
	struct ins_calib_curve calib; /* the layout's default calibration */
	/* Share of this sensor counted on the medial side (1 medial, 0
	 * lateral, 0.5 for a sensor centred on the foot axis,
	 * |x| < INS_MIDLINE_MM, whose `side` then says medial). */
	float medial_share;
	/* Anatomical mask region named in the layout file (`mask = mth1`):
	 * 0 = found from the position, else enum ins_mask_region + 1. */
	uint8_t mask_region;
};

struct ins_layout {
	char name[64];
	char description[200];
	uint16_t n_sensors;
	struct ins_sensor *sensors;
	float foot_length_mm;
	float foot_width_mm;
	float forefoot_width_mm;
	/* Dense layouts are a grid_w x grid_h grid of cells, sensor i at column
	 * i % grid_w, row i / grid_w (row 0 at the heel).  Sparse layouts have
	 * is_grid == 0 and are interpolated onto a heatmap grid. */
	int is_grid;
	uint16_t grid_w, grid_h;
	/* Foot outline (mm, foot frame), closed polygon, for heatmap masks. */
	unsigned n_outline;
	float (*outline)[2];
	int arbitrary_units;      /* 1: raw, uncalibrated values (force_n = sum of units) */
	float heatmap_cell_mm;    /* heatmap cell size for sparse layouts */
	float grid_cell_mm;       /* dense layouts: square cell pitch */
	float grid_x0_mm, grid_y0_mm; /* dense layouts: centre of column 0 / row 0 */
};

/* Region boundaries as fractions of foot_length_mm from the heel: heel
 * [0, 0.30), midfoot [0.30, 0.60), forefoot [0.60, 0.80), toes [0.80, 1];
 * a sensor counts wholly in the region that holds its centre. */
#define INS_REGION_MIDFOOT_START 0.30
#define INS_REGION_FOREFOOT_START 0.60
#define INS_REGION_TOES_START 0.80
/* Sensors centred closer than this to the foot axis count half medial, half
 * lateral (a dense grid's middle column). */
#define INS_MIDLINE_MM 0.05

/* Sparse layouts' heatmap grids stay below this many cells (65,536: a
 * 300 x 105 mm insole at 1 mm cells twice over); the loader refuses an
 * outline and heatmap_cell_mm that would need more. */
#define INS_HEATMAP_MAX_CELLS 65536u

/* The region holding y_mm on a foot of the given length (clamped at both ends). */
enum ins_region ins_region_at(float y_mm, float foot_length_mm);
const char *ins_region_name(unsigned region); /* "heel", "midfoot", "forefoot", "toes" */
const char *ins_side_name(unsigned side);     /* "medial", "lateral" */

/* ---- the anatomical mask (daemon/layout/mask.c, docs/layouts.md) ------
 * Nine regions by percentage of foot length and of the local foot width:
 * medial and lateral heel (0-30 % of length) and midfoot (30-60 %), split
 * on the foot axis; the forefoot (60-80 %) in width thirds, the first
 * metatarsal head medially, the second-third in the middle, the
 * fourth-fifth laterally; the toes (80-100 %), the hallux on the medial
 * 40 % of the width and the lesser toes lateral of it. */
enum ins_mask_region {
	INS_MASK_MEDIAL_HEEL = 0,
	INS_MASK_LATERAL_HEEL,
	INS_MASK_MEDIAL_MIDFOOT,
	INS_MASK_LATERAL_MIDFOOT,
	INS_MASK_MTH1,
	INS_MASK_MTH2_3,
	INS_MASK_MTH4_5,
	INS_MASK_HALLUX,
	INS_MASK_LESSER_TOES,
	INS_MASK_COUNT
};
/* Width lines as fractions of the local width from its lateral edge. */
#define INS_MASK_MTH45_END (1.0 / 3.0)
#define INS_MASK_MTH1_START (2.0 / 3.0)
#define INS_MASK_HALLUX_START 0.60
/* A point no further than this from the medial/lateral split line of the
 * heel and midfoot belongs to both halves (a grid's middle column, a
 * sensor on the axis), counted half to each for force and area. */
#define INS_MASK_SPLIT_MM INS_MIDLINE_MM

const char *ins_mask_region_name(unsigned r);  /* "medial_heel", ..., "lesser_toes"; "unknown" */
const char *ins_mask_region_label(unsigned r); /* "Medial heel", ..., "MTH 1", "Lesser toes" */
/* enum ins_mask_region for a name, or -1. */
int ins_mask_region_from_name(const char *name);

/* Region of a point from its fraction of foot length (0 heel .. 1 toe tip,
 * clamped), its fraction of the local width (0 lateral edge .. 1 medial
 * edge) and its side of the heel/midfoot split (+1 medial, -1 lateral,
 * 0 on the line: the medial region is returned, the caller shares it). */
unsigned ins_mask_classify(double length_frac, double width_frac, int side);

/* The outline's lateral-most and medial-most x where the horizontal line at
 * y_mm crosses it (y clamped inside the outline).  Returns 0, or -1 when
 * the layout has no outline. */
int ins_layout_width_at(const struct ins_layout *layout, double y_mm, double *x_lat, double *x_med);

/* The mask of the insole itself (length from the heel to foot_length_mm,
 * widths from the outline, split on the foot axis): the region of a point,
 * and in *second the lateral half when the point lies on the split line
 * (INS_MASK_COUNT when it does not).  A sensor named into a region by the
 * layout file keeps it (ins_layout_sensor_mask). */
unsigned ins_layout_mask_at(const struct ins_layout *layout, double x_mm, double y_mm, unsigned *second);
/* Sensor i's mask region(s): returns 1 or 2 (a sensor on the split line
 * counts half in each), filling regions[] and shares[] (summing to 1). */
unsigned ins_layout_sensor_mask(const struct ins_layout *layout, unsigned i, unsigned regions[2], float shares[2]);

/* 1 when (x_mm, y_mm) lies inside the layout's outline (even-odd rule; a
 * point exactly on an edge may fall either way), 0 outside it or when the
 * layout has no outline.  The one test the heatmap masks and the synthetic
 * subject's grid both use. */
int ins_layout_contains(const struct ins_layout *layout, double x_mm, double y_mm);

/* Check a calibration curve: returns 0, or -1 with "field: what is wrong"
 * in err (fields: kind, zero, gain, exponent, table, saturation). */
int ins_calib_curve_check(const struct ins_calib_curve *c, char *err, size_t errlen);

/* Load one layout file; on failure returns NULL and writes "file:line: field:
 * what is wrong" into err. */
struct ins_layout *ins_layout_load(const char *path, char *err, size_t errlen);
/* The rule for a layout's name, in its file and wherever one is asked
 * for by name: 1 to 63 letters, digits, '.', '_' or '-', not starting
 * with '.' (so a name is always a plain file name).  0, or -1 with err
 * saying what is wrong with it. */
int ins_layout_name_check(const char *name, char *err, size_t errlen);
/* Find a layout by name in dir (files named NAME.layout); a sheet name
 * (below) with no file of its own is built from the name. */
struct ins_layout *ins_layout_load_named(const char *dir, const char *name, char *err, size_t errlen);

/* A layout directory holds a few dozen files; a directory of thousands is
 * a misconfiguration, and the names beyond this many are not read. */
#define INS_LAYOUT_MAX_FILES 256u
/* The NAME of every NAME.layout in dir, sorted, into names (at most max,
 * each malloc'd: the caller frees them); how many.  0 when dir cannot be
 * read.  A name here may still fail to load. */
size_t ins_layout_names(const char *dir, char **names, size_t max);

/* Sheets: a pressure-mat insole no layout file describes, known only by
 * the grid a vendor's export states (F-Scan, XSENSOR): `cols` x `rows`
 * square sensels of `pitch_mm`, row 0 at the heel, column 0 lateral, the
 * outline the whole sheet (the analysis of a dense grid finds the foot from
 * the cells that load).  The name says all of it ("sheet11x31-8600um"), so
 * a session stored with it is analysed again the same way.  The name into
 * out: 0, or -1 when the grid is no insole (more than INS_MAX_SENSORS
 * cells, a pitch outside 1-50 mm, a sheet over a metre long). */
int ins_layout_sheet_name(char *out, size_t outlen, unsigned cols, unsigned rows, double pitch_mm);

/* What the layout's sensor values (and every map made of them) are in:
 * "kPa", or "raw" for a layout in uncalibrated sensor units, so no map or
 * report labels raw counts as pressure. */
const char *ins_layout_units(const struct ins_layout *layout);
/* The layout a sheet name stands for; NULL with err when name is not one. */
struct ins_layout *ins_layout_sheet(const char *name, char *err, size_t errlen);
void ins_layout_free(struct ins_layout *layout);

#pragma GCC visibility pop

#endif
