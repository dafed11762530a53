/* Layout files: the shipped layouts load with the documented geometry, and
 * every kind of bad file is refused with "file:line: field: what". */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "insoled/layout.h"
#include "lib.h"


static void count_regions(const struct ins_layout *lay, unsigned counts[INS_REGION_COUNT])
{
	memset(counts, 0, INS_REGION_COUNT * sizeof(unsigned));
	for (unsigned i = 0; i < lay->n_sensors; i++)
		counts[lay->sensors[i].region]++;
}

START_TEST(fsr16_loads_with_documented_regions)
{
	struct ins_layout *lay = test_load_shipped("fsr16");
	unsigned r[INS_REGION_COUNT];

	ck_assert_str_eq(lay->name, "fsr16");
	ck_assert_uint_eq(lay->n_sensors, 16);
	ck_assert_int_eq(lay->is_grid, 0);
	ck_assert_int_eq(lay->arbitrary_units, 0);
	ck_assert_float_eq(lay->foot_length_mm, 260.0f);
	ck_assert_float_eq(lay->foot_width_mm, 100.0f);
	count_regions(lay, r);
	ck_assert_uint_eq(r[INS_REGION_HEEL], 4);
	ck_assert_uint_eq(r[INS_REGION_MIDFOOT], 3);
	ck_assert_uint_eq(r[INS_REGION_FOREFOOT], 5);
	ck_assert_uint_eq(r[INS_REGION_TOES], 4);
	/* sensor 8: 1st metatarsal head, medial forefoot, power-law calibration */
	ck_assert_float_eq(lay->sensors[7].x_mm, 33.0f);
	ck_assert_float_eq(lay->sensors[7].y_mm, 182.0f);
	ck_assert_uint_eq(lay->sensors[7].side, INS_SIDE_MEDIAL);
	ck_assert_int_eq(lay->sensors[7].calib.kind, INS_CALIB_POWER);
	ck_assert_double_eq(lay->sensors[7].calib.exponent, 1.4);
	ck_assert_uint_eq(lay->sensors[7].calib.saturation, 4000);
	ck_assert_uint_eq(lay->n_outline, 39);
	ins_layout_free(lay);
}
END_TEST

START_TEST(gaitpdb8_maps_format_units_to_mm)
{
	static const float x[8] = { 0, -25, 25, -25, 25, -25, 25, 0 };
	static const float y[8] = { 30, 80, 80, 130, 130, 180, 180, 230 };
	static const uint8_t region[8] = { INS_REGION_HEEL, INS_REGION_MIDFOOT, INS_REGION_MIDFOOT,
					   INS_REGION_MIDFOOT, INS_REGION_MIDFOOT, INS_REGION_FOREFOOT,
					   INS_REGION_FOREFOOT, INS_REGION_TOES };
	static const float medial[8] = { 0.5f, 0, 1, 0, 1, 0, 1, 0.5f };
	struct ins_layout *lay = test_load_shipped("gaitpdb8");

	ck_assert_uint_eq(lay->n_sensors, 8);
	for (unsigned i = 0; i < 8; i++) {
		ck_assert_float_eq(lay->sensors[i].x_mm, x[i]);
		ck_assert_float_eq(lay->sensors[i].y_mm, y[i]);
		ck_assert_uint_eq(lay->sensors[i].region, region[i]);
		ck_assert_float_eq(lay->sensors[i].medial_share, medial[i]);
	}
	ins_layout_free(lay);
}
END_TEST

START_TEST(footswitch1_is_arbitrary_units)
{
	struct ins_layout *lay = test_load_shipped("footswitch1");

	ck_assert_uint_eq(lay->n_sensors, 1);
	ck_assert_int_eq(lay->arbitrary_units, 1);
	ck_assert_int_eq(lay->sensors[0].calib.kind, INS_CALIB_LINEAR);
	ck_assert_double_eq(lay->sensors[0].calib.gain, 1.0);
	ck_assert_double_eq(lay->sensors[0].calib.zero, 0.0);
	ins_layout_free(lay);
}
END_TEST

START_TEST(moticon16_converts_the_estimate_exactly)
{
	struct ins_layout *lay = test_load_shipped("moticon16");
	unsigned r[INS_REGION_COUNT];

	ck_assert_uint_eq(lay->n_sensors, 16);
	ck_assert_float_eq(lay->foot_length_mm, 300.0f);
	ck_assert_float_eq(lay->foot_width_mm, 105.0f);
	/* sensor 7: x_norm +0.080, y_norm +0.242, 17.96 cm2 */
	ck_assert_float_eq_tol(lay->sensors[6].x_mm, 0.242f * 105.0f, 1e-4f);
	ck_assert_float_eq_tol(lay->sensors[6].y_mm, (0.080f + 0.5f) * 300.0f, 1e-4f);
	ck_assert_float_eq(lay->sensors[6].area_mm2, 1796.0f);
	ck_assert_uint_eq(lay->sensors[6].region, INS_REGION_MIDFOOT);
	/* sensor 13: 5th metatarsal head, lateral */
	ck_assert_float_eq_tol(lay->sensors[12].x_mm, -0.462f * 105.0f, 1e-4f);
	ck_assert_uint_eq(lay->sensors[12].side, INS_SIDE_LATERAL);
	count_regions(lay, r);
	ck_assert_uint_eq(r[INS_REGION_HEEL], 4);
	ck_assert_uint_eq(r[INS_REGION_MIDFOOT], 4);
	ck_assert_uint_eq(r[INS_REGION_FOREFOOT], 5);
	ck_assert_uint_eq(r[INS_REGION_TOES], 3);
	ck_assert_double_eq(lay->sensors[0].calib.gain, 2.5);
	ck_assert_uint_eq(lay->sensors[0].calib.saturation, 200);
	ins_layout_free(lay);
}
END_TEST

START_TEST(grid60x21_cells_rows_and_midline)
{
	struct ins_layout *lay = test_load_shipped("grid60x21");
	unsigned r[INS_REGION_COUNT];
	const struct ins_sensor *mid = &lay->sensors[20 * 21 + 10], *last = &lay->sensors[1259];

	ck_assert_uint_eq(lay->n_sensors, 1260);
	ck_assert_int_eq(lay->is_grid, 1);
	ck_assert_uint_eq(lay->grid_w, 21);
	ck_assert_uint_eq(lay->grid_h, 60);
	ck_assert_float_eq(lay->grid_cell_mm, 5.0f);
	ck_assert_float_eq(mid->x_mm, 0.0f);
	ck_assert_float_eq(mid->y_mm, 102.5f);
	ck_assert_float_eq(mid->area_mm2, 25.0f);
	ck_assert_float_eq(mid->medial_share, 0.5f);
	ck_assert_float_eq(last->x_mm, 50.0f);
	ck_assert_float_eq(last->y_mm, 297.5f);
	ck_assert_float_eq(lay->sensors[0].medial_share, 0.0f);
	count_regions(lay, r);
	ck_assert_uint_eq(r[INS_REGION_HEEL], 18 * 21);
	ck_assert_uint_eq(r[INS_REGION_MIDFOOT], 18 * 21);
	ck_assert_uint_eq(r[INS_REGION_FOREFOOT], 12 * 21);
	ck_assert_uint_eq(r[INS_REGION_TOES], 12 * 21);
	ins_layout_free(lay);
}
END_TEST

START_TEST(region_boundaries_are_half_open_and_clamped)
{
	ck_assert_int_eq(ins_region_at(-5.0f, 200.0f), INS_REGION_HEEL);
	ck_assert_int_eq(ins_region_at(59.9f, 200.0f), INS_REGION_HEEL);
	ck_assert_int_eq(ins_region_at(60.0f, 200.0f), INS_REGION_MIDFOOT);
	ck_assert_int_eq(ins_region_at(119.9f, 200.0f), INS_REGION_MIDFOOT);
	ck_assert_int_eq(ins_region_at(120.0f, 200.0f), INS_REGION_FOREFOOT);
	ck_assert_int_eq(ins_region_at(160.0f, 200.0f), INS_REGION_TOES);
	ck_assert_int_eq(ins_region_at(250.0f, 200.0f), INS_REGION_TOES);
	ck_assert_str_eq(ins_region_name(INS_REGION_FOREFOOT), "forefoot");
	ck_assert_str_eq(ins_side_name(INS_SIDE_LATERAL), "lateral");
}
END_TEST

/* An L of two 10 mm squares side by side with one on top of the left one:
 * (0,0) (20,0) (20,10) (10,10) (10,20) (0,20); concave at (10, 10). */
START_TEST(contains_follows_a_concave_outline)
{
	float l_shape[6][2] = { { 0, 0 }, { 20, 0 }, { 20, 10 }, { 10, 10 }, { 10, 20 }, { 0, 20 } };
	struct ins_layout lay = { .name = "L", .n_outline = 6, .outline = l_shape };
	static const struct { double x, y; int in; } pts[] = {
		{ 5, 5, 1 }, { 15, 5, 1 }, { 5, 15, 1 },      /* each arm of the L */
		{ 15, 15, 0 },                                /* the notch */
		{ -1, 5, 0 }, { 21, 5, 0 }, { 5, -1, 0 }, { 5, 21, 0 },
		{ 19.999, 9.999, 1 }, { 10.001, 10.001, 0 },  /* either side of the inner corner */
	};

	for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++)
		ck_assert_msg(ins_layout_contains(&lay, pts[i].x, pts[i].y) == pts[i].in, "(%g, %g) should be %s",
			      pts[i].x, pts[i].y, pts[i].in ? "inside" : "outside");
	lay.n_outline = 0;
	ck_assert_int_eq(ins_layout_contains(&lay, 5, 5), 0);
}
END_TEST

static double outline_area(const struct ins_layout *lay)
{
	double a = 0;

	for (unsigned i = 0, j = lay->n_outline - 1; i < lay->n_outline; j = i++)
		a += (double)lay->outline[j][0] * lay->outline[i][1] - (double)lay->outline[i][0] * lay->outline[j][1];
	return fabs(a) / 2;
}

/* Data mistakes in the shipped files: every sparse sensor under the insole,
 * outline spanning the foot length, and (fsr16, gaitpdb8) tributary areas
 * that tile the outline as docs/layouts.md says. */
START_TEST(shipped_sparse_sensors_lie_inside_their_outline)
{
	static const char *const names[] = { "fsr16", "gaitpdb8", "footswitch1", "moticon16" };

	for (unsigned k = 0; k < 4; k++) {
		struct ins_layout *lay = test_load_shipped(names[k]);
		float ymin = 1e9f, ymax = -1e9f;

		for (unsigned i = 0; i < lay->n_sensors; i++)
			ck_assert_msg(ins_layout_contains(lay, lay->sensors[i].x_mm, lay->sensors[i].y_mm),
				      "%s sensor %u outside the outline", names[k], i + 1);
		for (unsigned i = 0; i < lay->n_outline; i++) {
			ymin = fminf(ymin, lay->outline[i][1]);
			ymax = fmaxf(ymax, lay->outline[i][1]);
		}
		ck_assert_float_eq(ymin, 0.0f);
		ck_assert_float_eq(ymax, lay->foot_length_mm);
		if (k < 2) {
			double sum = 0, area = outline_area(lay);

			for (unsigned i = 0; i < lay->n_sensors; i++)
				sum += lay->sensors[i].area_mm2;
			ck_assert_msg(fabs(sum - area) <= 1e-3 * area, "%s: areas %.0f vs outline %.0f", names[k], sum, area);
		}
		ins_layout_free(lay);
	}
}
END_TEST

/* ---- user files ------------------------------------------------------- */

static const char good_head[] =
	"[layout]\nname = t\nfoot_length_mm = 200\nfoot_width_mm = 80\n"       /* lines 1-4 */
	"[calibration]\nkind = linear\ngain = 0.5\nsaturation = 1000\n"         /* lines 5-8 */
	"[outline]\npoint = -40 0\npoint = 40 0\npoint = 40 200\npoint = -40 200\n"; /* 9-13 */

/* Writes text to a fresh temporary file; path receives its name. */
static void write_tmp(const char *text, char *path, size_t pathlen)
{
	FILE *f;
	int fd;

	snprintf(path, pathlen, "/tmp/ins-check-layout-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* Loads head + tail and expects failure with "PATH:<expect>". */
static void expect_error(const char *head, const char *tail, const char *expect)
{
	char text[4096], path[64], err[512] = "", want[600];
	struct ins_layout *lay;

	snprintf(text, sizeof(text), "%s%s", head, tail);
	write_tmp(text, path, sizeof(path));
	lay = ins_layout_load(path, err, sizeof(err));
	unlink(path);
	ck_assert_ptr_null(lay);
	snprintf(want, sizeof(want), "%s:%s", path, expect);
	ck_assert_str_eq(err, want);
}

START_TEST(user_layout_with_overrides_loads)
{
	char path[64], err[512] = "";
	struct ins_layout *lay;

	write_tmp("# my insole\n[layout]\nname = t\nfoot_length_mm = 200\nfoot_width_mm = 80\n"
		  "units = kpa\nheatmap_cell_mm = 4\n"
		  "[calibration]\nkind = linear\ngain = 0.5\nsaturation = 1000\n"
		  "[outline]\npoint = -40 0\npoint = 40 0\npoint = 40 200\npoint = -40 200\n"
		  "[sensor]\nx_mm = 10\ny_mm = 30\narea_mm2 = 500\n"
		  "[sensor]\r\nx_mm = -10\ny_mm = 150\narea_mm2 = 400\nregion = midfoot\nside = medial\n"
		  "kind = table\ntable = 0:0 100:20 300:100\nzero = 12\n",
		  path, sizeof(path));
	lay = ins_layout_load(path, err, sizeof(err));
	unlink(path);
	ck_assert_msg(lay != NULL, "%s", err);
	ck_assert_uint_eq(lay->n_sensors, 2);
	ck_assert_float_eq(lay->forefoot_width_mm, 80.0f);
	ck_assert_float_eq(lay->heatmap_cell_mm, 4.0f);
	ck_assert_uint_eq(lay->sensors[0].region, INS_REGION_HEEL);
	ck_assert_int_eq(lay->sensors[0].calib.kind, INS_CALIB_LINEAR);
	ck_assert_double_eq(lay->sensors[0].calib.gain, 0.5);
	/* explicit region and side win over the position (150 mm = forefoot, x < 0) */
	ck_assert_uint_eq(lay->sensors[1].region, INS_REGION_MIDFOOT);
	ck_assert_uint_eq(lay->sensors[1].side, INS_SIDE_MEDIAL);
	ck_assert_float_eq(lay->sensors[1].medial_share, 1.0f);
	ck_assert_int_eq(lay->sensors[1].calib.kind, INS_CALIB_TABLE);
	ck_assert_uint_eq(lay->sensors[1].calib.n_points, 3);
	ck_assert_double_eq(lay->sensors[1].calib.table_counts[2], 300.0);
	ck_assert_double_eq(lay->sensors[1].calib.table_kpa[2], 100.0);
	ck_assert_double_eq(lay->sensors[1].calib.zero, 12.0);
	ck_assert_uint_eq(lay->sensors[1].calib.saturation, 1000); /* from [calibration] */
	ins_layout_free(lay);
}
END_TEST

START_TEST(errors_name_file_line_and_field)
{
	const char *s1 = "[sensor]\nx_mm = 1\ny_mm = 2\narea_mm2 = 3\n"; /* lines 14-17 */

	expect_error(good_head, "[sensor]\nx_mm = 1\ny_mm = 2\narea_mm2 = -3\n",
		     "17: area_mm2: must be > 0 and <= 100000, got -3");
	expect_error(good_head, "[sensor]\nx_mm = abc\n", "15: x_mm: expected a number, got 'abc'");
	expect_error(good_head, "[sensor]\nx_mm = 1 2\n", "15: x_mm: expected a number, got '1 2'");
	expect_error(good_head, "[sensor]\nx_mm = 1\nwidth = 3\n", "16: width: unknown key in [sensor]");
	expect_error(good_head, "[sensor]\nx_mm = 1\nx_mm = 2\n", "16: x_mm: given twice");
	expect_error(good_head, "[sensor]\nx_mm = 1\ny_mm = 2\n", "14: area_mm2: missing in [sensor] 1");
	expect_error(good_head, "[sensors]\n", "14: section: unknown section [sensors]");
	expect_error(good_head, "[sensor\n", "14: section: expected [name]");
	expect_error(good_head, "[sensor]\nx_mm\n", "15: x_mm: expected key = value");
	expect_error(good_head, "[sensor]\nx_mm =\n", "15: x_mm: empty value");
	expect_error(good_head, "[sensor]\nx_mm = 1\ny_mm = 2\narea_mm2 = 3\nregion = arch\n",
		     "18: region: 'arch': expected auto, heel, midfoot, forefoot or toes");
	expect_error(good_head, "[sensor]\nx_mm = 1\ny_mm = 2\narea_mm2 = 3\nkind = table\ntable = 0:0 10:5 5:8\n",
		     "14: calibration: [sensor] 1: table: point 3: counts must increase (5 after 10)");
	expect_error(good_head, "[sensor]\nx_mm = 1\ny_mm = 2\narea_mm2 = 3\ntable = 0:0 10\n",
		     "18: table: point 2 '10': expected counts:kpa");
	expect_error(good_head, "[sensor]\nx_mm = 1\ny_mm = 2\narea_mm2 = 3\nsaturation = 70000\n",
		     "18: saturation: 70000 is outside 1..65535");
	expect_error(good_head, "[grid]\ncolumns = 2\nrows = 2\ncell_mm = 5\nx0_mm = 0\n",
		     "14: y0_mm: missing in [grid]");
	expect_error(good_head, "[grid]\ncolumns = 100\nrows = 100\ncell_mm = 5\nx0_mm = 0\ny0_mm = 0\n",
		     "14: [grid]: 100 x 100 = 10000 cells, more than 4096");
	expect_error(good_head, "[grid]\ncolumns = 2\nrows = 2\ncell_mm = 5\nx0_mm = 0\ny0_mm = 0\n[sensor]\n",
		     "14: [grid]: a layout has either [grid] or [sensor] sections, not both");
	expect_error(good_head, "[layout]\n", "14: section: [layout] given twice");
	expect_error(good_head, "", " [sensor]: no sensors (give [sensor] sections or a [grid])");
	expect_error("[layout]\nname = t\nfoot_length_mm = 200\nfoot_width_mm = 80\n"
		     "[calibration]\nkind = linear\ngain = 0.5\nsaturation = 1000\n[outline]\npoint = 0 0\n",
		     s1, " [outline]: needs at least 3 points, got 1");
	expect_error("[layout]\nname = t\nfoot_length_mm = 200\nfoot_width_mm = 80\n"
		     "[calibration]\nkind = power\ngain = 0.5\nexponent = -1\nsaturation = 1000\n",
		     "", "5: calibration: exponent: must be > 0 and <= 10, got -1");
	expect_error("[layout]\nname = t\nfoot_length_mm = 200\nfoot_width_mm = 80\n"
		     "[calibration]\nkind = linear\ngain = 0.5\n", "",
		     "5: saturation: missing for the linear curve in [calibration]");
	expect_error("[layout]\nname = t\nfoot_length_mm = 200\nfoot_width_mm = 80\n"
		     "[calibration]\nkind = power\ngain = 0.5\nsaturation = 100\n", "",
		     "5: exponent: missing for the power curve in [calibration]");
	expect_error("[layout]\nname = t\nfoot_length_mm = 200\nfoot_width_mm = 80\n"
		     "[calibration]\ngain = 0.5\nsaturation = 100\n", "",
		     "5: kind: missing in [calibration] (linear, power or table)");
	expect_error(good_head, "[sensor]\nx_mm = 1\ny_mm = 2\narea_mm2 = 3\nkind = table\n",
		     "14: table: missing for the table curve of [sensor] 1");
	expect_error("[layout]\nname = t\nfoot_length_mm = 200\nfoot_width_mm = 80\n", "",
		     " [calibration]: missing section (every sensor needs a default curve)");
	expect_error("[layout]\nname = t\nfoot_length_mm = 300\nfoot_width_mm = 80\nheatmap_cell_mm = 1\n"
		     "[calibration]\nkind = linear\ngain = 0.5\nsaturation = 1000\n"
		     "[outline]\npoint = -1000 0\npoint = 1000 0\npoint = 1000 300\npoint = -1000 300\n",
		     "[sensor]\nx_mm = 0\ny_mm = 20\narea_mm2 = 100\n",
		     "1: heatmap_cell_mm: 1 mm cells over the 2000 x 300 mm outline make more than 65536 cells");
	expect_error("[layout]\nname = t\nfoot_width_mm = 80\n", "", "1: foot_length_mm: missing in [layout]");
	expect_error("[layout]\nname = t/x\n", "", "2: name: 't/x': only letters, digits, '.', '_' and '-' are allowed");
	expect_error("[layout]\nfoot_length_mm = 2000\n", "", "2: foot_length_mm: must be > 0 and <= 1000, got 2000");
	expect_error("[layout]\nunits = newton\n", "", "2: units: 'newton': expected kpa or arbitrary");
	expect_error("name = t\n", "", "1: name: key outside any section");
	expect_error("[outline]\npoint = 1\n", "", "2: point: expected 'X_MM Y_MM', got '1'");
	expect_error("[calibration]\nkind = cubic\n", "", "2: kind: 'cubic': expected linear, power or table");
}
END_TEST

START_TEST(nul_byte_is_refused)
{
	char path[64], err[512] = "", want[600];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/ins-check-layout-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fwrite("[layout]\nna\0me = t\n", 1, 19, f);
	fclose(f);
	ck_assert_ptr_null(ins_layout_load(path, err, sizeof(err)));
	unlink(path);
	snprintf(want, sizeof(want), "%s:2: line: contains a NUL byte (not a text file?)", path);
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(load_named_checks_name_and_path)
{
	char err[512] = "", dir[] = "/tmp/ins-check-layout-dir-XXXXXX", path[600], want[700];
	FILE *f;

	ck_assert_ptr_null(ins_layout_load_named(LAYOUT_DIR, "../layouts/fsr16", err, sizeof(err)));
	ck_assert_str_eq(err, "layout '../layouts/fsr16': a layout name does not start with '.'");
	ck_assert_ptr_null(ins_layout_load_named(LAYOUT_DIR, "nosuch", err, sizeof(err)));
	/* The shipped layouts are listed, sorted. */
	snprintf(want, sizeof(want), "layout 'nosuch' not found in %s (layouts there: ", LAYOUT_DIR);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
	ck_assert_msg(strstr(err, "(layouts there: footswitch1, ") != NULL, "%s", err);
	ck_assert_msg(strstr(err, ", fsr16, ") != NULL && strstr(err, ", grid60x21") != NULL, "%s", err);

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/mine.layout", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%s[sensor]\nx_mm = 0\ny_mm = 10\narea_mm2 = 100\n", good_head);
	fclose(f);
	ck_assert_ptr_null(ins_layout_load_named(dir, "mine", err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: name: 't' does not match the file name 'mine'", path);
	ck_assert_str_eq(err, want);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* A grid no layout file describes: built from its name, cell for cell the
 * grid a layout file of that sheet would give (fscan60x21's, whose outline
 * is the trimmed insole instead of the whole sheet). */
START_TEST(sheet_layouts_are_built_from_their_name)
{
	char err[512] = "", name[64];
	struct ins_layout *sheet, *fscan;

	ck_assert_int_eq(ins_layout_sheet_name(name, sizeof(name), 21, 60, 5.08), 0);
	ck_assert_str_eq(name, "sheet21x60-5080um");
	sheet = ins_layout_load_named(LAYOUT_DIR, name, err, sizeof(err));
	ck_assert_msg(sheet != NULL, "%s", err);
	fscan = ins_layout_load_named(LAYOUT_DIR, "fscan60x21", err, sizeof(err));
	ck_assert_msg(fscan != NULL, "%s", err);
	ck_assert_str_eq(sheet->name, name);
	ck_assert(sheet->is_grid && !sheet->arbitrary_units);
	ck_assert_int_eq(sheet->n_sensors, fscan->n_sensors);
	ck_assert_int_eq(sheet->grid_w, 21);
	ck_assert_int_eq(sheet->grid_h, 60);
	ck_assert_float_eq_tol(sheet->foot_length_mm, fscan->foot_length_mm, 1e-4);
	ck_assert_float_eq_tol(sheet->foot_width_mm, fscan->foot_width_mm, 1e-4);
	for (unsigned i = 0; i < sheet->n_sensors; i++) {
		ck_assert_float_eq_tol(sheet->sensors[i].x_mm, fscan->sensors[i].x_mm, 1e-4);
		ck_assert_float_eq_tol(sheet->sensors[i].y_mm, fscan->sensors[i].y_mm, 1e-4);
		ck_assert_float_eq_tol(sheet->sensors[i].area_mm2, fscan->sensors[i].area_mm2, 1e-3);
		ck_assert_int_eq(sheet->sensors[i].region, fscan->sensors[i].region);
		ck_assert_int_eq(sheet->sensors[i].side, fscan->sensors[i].side);
	}
	/* the outline is the sheet's rectangle */
	ck_assert_int_eq(sheet->n_outline, 4);
	ck_assert(ins_layout_contains(sheet, -53.0, 1.0) && ins_layout_contains(sheet, 53.0, 304.0));
	ck_assert(!ins_layout_contains(sheet, -54.0, 100.0) && !ins_layout_contains(sheet, 0.0, 305.0));
	ins_layout_free(sheet);
	ins_layout_free(fscan);

	ck_assert_int_eq(ins_layout_sheet_name(name, sizeof(name), 11, 31, 8.6), 0);
	ck_assert_str_eq(name, "sheet11x31-8600um");
	/* no insole: too many cells, a pitch outside 1-50 mm, over a metre long */
	ck_assert_int_eq(ins_layout_sheet_name(name, sizeof(name), 64, 65, 5.0), -1);
	ck_assert_int_eq(ins_layout_sheet_name(name, sizeof(name), 21, 60, 0.5), -1);
	ck_assert_int_eq(ins_layout_sheet_name(name, sizeof(name), 10, 300, 4.0), -1);
	ck_assert_int_eq(ins_layout_sheet_name(name, sizeof(name), 0, 60, 5.0), -1);
	ck_assert_int_eq(ins_layout_sheet_name(name, 8, 21, 60, 5.08), -1);
	/* only the name ins_layout_sheet_name() writes stands for a sheet */
	ck_assert_ptr_null(ins_layout_sheet("sheet021x60-5080um", err, sizeof(err)));
	ck_assert_msg(strstr(err, "is not a sheet") != NULL, "%s", err);
	ck_assert_ptr_null(ins_layout_load_named(LAYOUT_DIR, "sheet21x60-5080umx", err, sizeof(err)));
	ck_assert_msg(strstr(err, "not found in") != NULL, "%s", err);
	ck_assert_ptr_null(ins_layout_load_named(LAYOUT_DIR, "sheet64x65-5000um", err, sizeof(err)));
	ck_assert_msg(strstr(err, "not found in") != NULL, "%s", err);
}
END_TEST

START_TEST(curve_check_names_the_field)
{
	struct ins_calib_curve c = { .kind = INS_CALIB_LINEAR, .gain = 1, .saturation = 100, .zero = 100 };
	char err[200];

	ck_assert_int_eq(ins_calib_curve_check(&c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "zero: 100 must be >= 0 and below saturation 100");
	c.zero = 0;
	c.gain = 0;
	ck_assert_int_eq(ins_calib_curve_check(&c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "gain: must be > 0, got 0");
	c.gain = 2;
	ck_assert_int_eq(ins_calib_curve_check(&c, err, sizeof(err)), 0);
	c.kind = INS_CALIB_TABLE;
	c.n_points = 2;
	c.table_counts[0] = 0;
	c.table_counts[1] = 10;
	c.table_kpa[0] = 5;
	c.table_kpa[1] = 4;
	ck_assert_int_eq(ins_calib_curve_check(&c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "table: point 2: kPa must not decrease (4 after 5)");
}
END_TEST

Suite *ins_suite_layout(void);
Suite *ins_suite_layout(void)
{
	Suite *s = suite_create("layout");
	TCase *shipped = tcase_create("shipped");
	TCase *files = tcase_create("files");

	tcase_add_test(shipped, fsr16_loads_with_documented_regions);
	tcase_add_test(shipped, gaitpdb8_maps_format_units_to_mm);
	tcase_add_test(shipped, footswitch1_is_arbitrary_units);
	tcase_add_test(shipped, moticon16_converts_the_estimate_exactly);
	tcase_add_test(shipped, grid60x21_cells_rows_and_midline);
	tcase_add_test(shipped, region_boundaries_are_half_open_and_clamped);
	tcase_add_test(shipped, shipped_sparse_sensors_lie_inside_their_outline);
	tcase_add_test(shipped, contains_follows_a_concave_outline);
	tcase_add_test(files, user_layout_with_overrides_loads);
	tcase_add_test(files, errors_name_file_line_and_field);
	tcase_add_test(files, nul_byte_is_refused);
	tcase_add_test(files, load_named_checks_name_and_path);
	tcase_add_test(files, sheet_layouts_are_built_from_their_name);
	tcase_add_test(files, curve_check_names_the_field);
	suite_add_tcase(s, shipped);
	suite_add_tcase(s, files);
	return s;
}
