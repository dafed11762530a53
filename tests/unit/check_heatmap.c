/* Heatmaps: grid geometry, NaN outside the outline, dense layouts mapped
 * cell for cell, sparse layouts exact at the sensors and inverse-distance
 * weighted between them. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "insoled/analysis.h"
#include "insoled/layout.h"
#include "analysis_fixtures.h"
#include "lib.h"


static struct ins_heatmap *new_heatmap(const struct ins_layout *lay)
{
	char err[512] = "";
	struct ins_heatmap *hm = ins_heatmap_new(lay, err, sizeof(err));

	ck_assert_msg(hm != NULL, "%s", err);
	return hm;
}

/* 100 x 200 mm rectangle, 10 mm cells: a 10 x 20 grid, cell (c, r) centred
 * at (-45 + 10 c, 5 + 10 r). */
#define RECT_HEAD \
	"[layout]\nname = rect\nfoot_length_mm = 200\nfoot_width_mm = 100\nheatmap_cell_mm = 10\n" \
	"[calibration]\nkind = linear\ngain = 1\nsaturation = 1000\n" \
	"[outline]\npoint = -50 0\npoint = 50 0\npoint = 50 200\npoint = -50 200\n"

START_TEST(sparse_grid_geometry_and_exact_values_at_sensors)
{
	struct ins_layout *lay = fixture_layout_from_text(RECT_HEAD
					   "[sensor]\nx_mm = -15\ny_mm = 25\narea_mm2 = 100\n"
					   "[sensor]\nx_mm = 25\ny_mm = 105\narea_mm2 = 100\n"
					   "[sensor]\nx_mm = 5\ny_mm = 175\narea_mm2 = 100\n");
	struct ins_heatmap *hm = new_heatmap(lay);
	const float kpa[3] = { 100, 200, 50 }, uniform[3] = { 70, 70, 70 };
	float cells[200], cell_mm, x0, y0;
	unsigned w, h;

	ins_heatmap_size(hm, &w, &h);
	ins_heatmap_geometry(hm, &cell_mm, &x0, &y0);
	ck_assert_uint_eq(w, 10);
	ck_assert_uint_eq(h, 20);
	ck_assert_float_eq(cell_mm, 10.0f);
	ck_assert_float_eq(x0, -45.0f);
	ck_assert_float_eq(y0, 5.0f);
	ins_heatmap_render(hm, kpa, cells);
	ck_assert_float_eq(cells[2 * 10 + 3], 100.0f);
	ck_assert_float_eq(cells[10 * 10 + 7], 200.0f);
	ck_assert_float_eq(cells[17 * 10 + 5], 50.0f);
	/* weights sum to one: a uniform field stays uniform everywhere */
	ins_heatmap_render(hm, uniform, cells);
	for (unsigned c = 0; c < 200; c++)
		ck_assert_float_eq_tol(cells[c], 70.0f, 1e-4f);
	ins_heatmap_free(hm);
	ins_layout_free(lay);
}
END_TEST

START_TEST(sparse_cells_are_inverse_distance_weighted)
{
	struct ins_layout *lay = fixture_layout_from_text(RECT_HEAD
					   "[sensor]\nx_mm = -25\ny_mm = 105\narea_mm2 = 100\n"
					   "[sensor]\nx_mm = 15\ny_mm = 105\narea_mm2 = 100\n");
	struct ins_heatmap *hm = new_heatmap(lay);
	const float kpa[2] = { 100, 0 }, pair[2] = { 30, 90 };
	float cells[200];

	ins_heatmap_render(hm, kpa, cells);
	/* cell (0, 0) at (-45, 5): d1^2 = 10400, d2^2 = 13600 -> 100 * 13600 / 24000 */
	ck_assert_float_eq_tol(cells[0], 56.666667f, 1e-4f);
	/* cell (4, 10) at (-5, 105) is halfway: the mean */
	ins_heatmap_render(hm, pair, cells);
	ck_assert_float_eq_tol(cells[10 * 10 + 4], 60.0f, 1e-4f);
	ins_heatmap_free(hm);
	ins_layout_free(lay);
}
END_TEST

START_TEST(outside_the_outline_is_nan)
{
	struct ins_layout *lay = test_load_shipped("fsr16");
	struct ins_heatmap *hm = new_heatmap(lay);
	float kpa[16], cells[20 * 52], cell_mm, x0, y0;
	unsigned w, h, inside = 0;

	ins_heatmap_size(hm, &w, &h);
	ins_heatmap_geometry(hm, &cell_mm, &x0, &y0);
	/* outline spans x -49..51, y 0..260 */
	ck_assert_uint_eq(w, 20);
	ck_assert_uint_eq(h, 52);
	ck_assert_float_eq(x0, -46.5f);
	ck_assert_float_eq(y0, 2.5f);
	for (unsigned i = 0; i < 16; i++)
		kpa[i] = 100;
	ins_heatmap_render(hm, kpa, cells);
	ck_assert(isnan(cells[0]));                 /* lateral heel corner */
	ck_assert(isnan(cells[51 * 20 + 19]));      /* medial toe corner */
	ck_assert_float_eq_tol(cells[26 * 20 + 10], 100.0f, 1e-4f); /* (3.5, 132.5): mid-foot */
	for (unsigned c = 0; c < w * h; c++) {
		if (isnan(cells[c]))
			continue;
		inside++;
		ck_assert_float_eq_tol(cells[c], 100.0f, 1e-4f);
	}
	/* the 18,411 mm2 outline holds about 18,411 / 25 = 736 cells of 5 mm */
	ck_assert_uint_ge(inside, 700);
	ck_assert_uint_le(inside, 770);
	ins_heatmap_free(hm);
	ins_layout_free(lay);
}
END_TEST

START_TEST(dense_grid_maps_cell_for_cell)
{
	struct ins_layout *lay = test_load_shipped("grid60x21");
	struct ins_heatmap *hm = new_heatmap(lay);
	float *kpa = malloc(1260 * sizeof(float)), *cells = malloc(1260 * sizeof(float)), cell_mm, x0, y0;
	unsigned w, h;

	ins_heatmap_size(hm, &w, &h);
	ins_heatmap_geometry(hm, &cell_mm, &x0, &y0);
	ck_assert_uint_eq(w, 21);
	ck_assert_uint_eq(h, 60);
	ck_assert_float_eq(cell_mm, 5.0f);
	ck_assert_float_eq(x0, -50.0f);
	ck_assert_float_eq(y0, 2.5f);
	for (unsigned i = 0; i < 1260; i++)
		kpa[i] = (float)i;
	ins_heatmap_render(hm, kpa, cells);
	ck_assert(isnan(cells[0]));                  /* (-50, 2.5): beside the heel */
	ck_assert_float_eq(cells[10], 10.0f);        /* (0, 2.5): heel centre */
	ck_assert(isnan(cells[59 * 21 + 9]));        /* (-5, 297.5): past the toe tip laterally */
	ck_assert_float_eq(cells[59 * 21 + 11], 59 * 21 + 11); /* (5, 297.5): big toe */
	for (unsigned c = 42 * 21; c < 43 * 21; c++) /* widest row (212.5 mm): all inside */
		ck_assert_float_eq(cells[c], (float)c);
	free(kpa);
	free(cells);
	ins_heatmap_free(hm);
	ins_layout_free(lay);
}
END_TEST

START_TEST(layout_without_outline_is_refused)
{
	struct ins_sensor sensor = { .x_mm = 0, .y_mm = 10, .area_mm2 = 100 };
	struct ins_layout lay = { .name = "bare", .n_sensors = 1, .sensors = &sensor,
				  .foot_length_mm = 200, .foot_width_mm = 100, .heatmap_cell_mm = 5 };
	char err[256];

	ck_assert_ptr_null(ins_heatmap_new(&lay, err, sizeof(err)));
	ck_assert_str_eq(err, "heatmap: layout bare has no sensors or no outline");
}
END_TEST

START_TEST(oversized_grid_is_refused)
{
	static float outline[4][2] = { { -1000, 0 }, { 1000, 0 }, { 1000, 300 }, { -1000, 300 } };
	struct ins_sensor sensor = { .x_mm = 0, .y_mm = 20, .area_mm2 = 100 };
	struct ins_layout lay = { .name = "huge", .n_sensors = 1, .sensors = &sensor, .foot_length_mm = 300,
				  .foot_width_mm = 100, .heatmap_cell_mm = 1, .n_outline = 4, .outline = outline };
	char err[256];

	/* The loader refuses such a file (see check_layout); a layout built in code
	 * gets the same limit here. */
	ck_assert_ptr_null(ins_heatmap_new(&lay, err, sizeof(err)));
	ck_assert_str_eq(err, "layout huge: heatmap_cell_mm 1 over the outline gives 2000 x 300 cells, more than 65536");
}
END_TEST

Suite *ins_suite_heatmap(void);
Suite *ins_suite_heatmap(void)
{
	Suite *s = suite_create("heatmap");
	TCase *tc = tcase_create("heatmap");

	tcase_add_test(tc, sparse_grid_geometry_and_exact_values_at_sensors);
	tcase_add_test(tc, sparse_cells_are_inverse_distance_weighted);
	tcase_add_test(tc, outside_the_outline_is_nan);
	tcase_add_test(tc, dense_grid_maps_cell_for_cell);
	tcase_add_test(tc, layout_without_outline_is_refused);
	tcase_add_test(tc, oversized_grid_is_refused);
	suite_add_tcase(s, tc);
	return s;
}
