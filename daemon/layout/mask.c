/* The anatomical mask: nine plantar regions by percentage of foot length
 * and of the local foot width (docs/layouts.md, "Anatomical mask").  The
 * geometry here serves the insole's own mask (sparse layouts, the maps'
 * outlines); the analysis re-derives it from the footprint on dense grids
 * with the same classification (daemon/analysis/mask.c). */
#include <config.h>

#include <math.h>
#include <string.h>

#include "insoled/layout.h"

static const char *const mask_names[INS_MASK_COUNT] = {
	"medial_heel", "lateral_heel", "medial_midfoot", "lateral_midfoot",
	"mth1", "mth2_3", "mth4_5", "hallux", "lesser_toes"
};
static const char *const mask_labels[INS_MASK_COUNT] = {
	"Medial heel", "Lateral heel", "Medial midfoot", "Lateral midfoot",
	"MTH 1", "MTH 2-3", "MTH 4-5", "Hallux", "Lesser toes"
};

const char *ins_mask_region_name(unsigned r)
{
	return r < INS_MASK_COUNT ? mask_names[r] : "unknown";
}

const char *ins_mask_region_label(unsigned r)
{
	return r < INS_MASK_COUNT ? mask_labels[r] : "Unknown";
}

int ins_mask_region_from_name(const char *name)
{
	for (unsigned r = 0; r < INS_MASK_COUNT; r++)
		if (!strcmp(name, mask_names[r]))
			return (int)r;
	return -1;
}

unsigned ins_mask_classify(double length_frac, double width_frac, int side)
{
	if (length_frac < INS_REGION_MIDFOOT_START)
		return side < 0 ? INS_MASK_LATERAL_HEEL : INS_MASK_MEDIAL_HEEL;
	if (length_frac < INS_REGION_FOREFOOT_START)
		return side < 0 ? INS_MASK_LATERAL_MIDFOOT : INS_MASK_MEDIAL_MIDFOOT;
	if (length_frac < INS_REGION_TOES_START) {
		if (width_frac >= INS_MASK_MTH1_START)
			return INS_MASK_MTH1;
		return width_frac >= INS_MASK_MTH45_END ? INS_MASK_MTH2_3 : INS_MASK_MTH4_5;
	}
	return width_frac >= INS_MASK_HALLUX_START ? INS_MASK_HALLUX : INS_MASK_LESSER_TOES;
}

int ins_layout_width_at(const struct ins_layout *layout, double y_mm, double *x_lat, double *x_med)
{
	double ymin = INFINITY, ymax = -INFINITY, lo = INFINITY, hi = -INFINITY;
	unsigned n = layout->n_outline;

	if (n < 3)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		ymin = fmin(ymin, layout->outline[i][1]);
		ymax = fmax(ymax, layout->outline[i][1]);
	}
	/* Just inside the ends, where the line still crosses two edges. */
	y_mm = fmin(fmax(y_mm, ymin + 1e-3 * (ymax - ymin)), ymax - 1e-3 * (ymax - ymin));
	for (unsigned i = 0, j = n - 1; i < n; j = i++) {
		double xi = layout->outline[i][0], yi = layout->outline[i][1];
		double xj = layout->outline[j][0], yj = layout->outline[j][1];

		if ((yi > y_mm) != (yj > y_mm)) {
			double x = xi + (xj - xi) * (y_mm - yi) / (yj - yi);
			lo = fmin(lo, x);
			hi = fmax(hi, x);
		}
	}
	if (!(hi > lo))
		return -1;
	*x_lat = lo;
	*x_med = hi;
	return 0;
}

unsigned ins_layout_mask_at(const struct ins_layout *layout, double x_mm, double y_mm, unsigned *second)
{
	double f = layout->foot_length_mm > 0 ? y_mm / layout->foot_length_mm : 0, w = 0.5, lat, med;
	int side = x_mm > INS_MASK_SPLIT_MM ? 1 : x_mm < -INS_MASK_SPLIT_MM ? -1 : 0;
	unsigned r;

	if (ins_layout_width_at(layout, y_mm, &lat, &med) == 0)
		w = (x_mm - lat) / (med - lat);
	r = ins_mask_classify(f, w, side);
	*second = INS_MASK_COUNT;
	if (side == 0 && (r == INS_MASK_MEDIAL_HEEL || r == INS_MASK_MEDIAL_MIDFOOT))
		*second = r + 1; /* the lateral half follows the medial one */
	return r;
}

unsigned ins_layout_sensor_mask(const struct ins_layout *layout, unsigned i, unsigned regions[2], float shares[2])
{
	const struct ins_sensor *s = &layout->sensors[i];

	if (s->mask_region > 0 && s->mask_region <= INS_MASK_COUNT) {
		regions[0] = s->mask_region - 1u;
		shares[0] = 1.0f;
		return 1;
	}
	regions[0] = ins_layout_mask_at(layout, s->x_mm, s->y_mm, &regions[1]);
	if (regions[1] == INS_MASK_COUNT) {
		shares[0] = 1.0f;
		return 1;
	}
	shares[0] = shares[1] = 0.5f;
	return 2;
}
