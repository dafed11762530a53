/* The anatomical mask of a layout for the dashboard's maps: the regions
 * with their names and whether a sensor measures them, each sensor's
 * region, and the region of every cell of the layout's heatmap grid (so
 * the maps draw the region outlines exactly where the analysis counts). */
#include <config.h>

#include <math.h>

#include "insoled/analysis.h"
#include "http_priv.h"

static json_t *mask_cells(const struct ins_layout *l)
{
	char err[256];
	struct ins_heatmap *hm = ins_heatmap_new(l, err, sizeof(err));
	unsigned w, h, second;
	float cell, x0, y0;
	json_t *cells, *out;

	if (!hm)
		return json_null();
	ins_heatmap_size(hm, &w, &h);
	ins_heatmap_geometry(hm, &cell, &x0, &y0);
	ins_heatmap_free(hm);
	cells = json_array();
	for (unsigned r = 0; r < h; r++)
		for (unsigned c = 0; c < w; c++) {
			double x = x0 + c * (double)cell, y = y0 + r * (double)cell;
			json_array_append_new(cells, ins_layout_contains(l, x, y)
				? json_integer((json_int_t)ins_layout_mask_at(l, x, y, &second)) : json_null());
		}
	out = json_pack("{s:i,s:i,s:f,s:f,s:f,s:o}", "w", (json_int_t)w, "h", (json_int_t)h, "cell_mm", (double)cell,
			"x0_mm", (double)x0, "y0_mm", (double)y0, "cells", cells);
	return out ? out : json_null();
}

json_t *http_mask_json(const struct ins_layout *l)
{
	json_t *regions = json_array(), *sensors = json_array();
	unsigned n_in[INS_MASK_COUNT] = { 0 };

	for (unsigned i = 0; i < l->n_sensors; i++) {
		unsigned reg[2];
		float share[2];
		unsigned n = ins_layout_sensor_mask(l, i, reg, share);
		json_t *names = json_array();

		for (unsigned k = 0; k < n; k++) {
			n_in[reg[k]]++;
			json_array_append_new(names, json_string(ins_mask_region_name(reg[k])));
		}
		json_array_append_new(sensors, names);
	}
	for (unsigned r = 0; r < INS_MASK_COUNT; r++)
		json_array_append_new(regions, json_pack("{s:s,s:s,s:b}", "name", ins_mask_region_name(r),
							 "label", ins_mask_region_label(r), "measured", n_in[r] > 0));
	return json_pack("{s:s,s:o,s:o,s:o}", "source",
			 l->is_grid ? "footprint (insole outline until the first steps)" : "sensor positions",
			 "regions", regions, "sensors", sensors, "grid", mask_cells(l));
}
