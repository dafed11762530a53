/* Heatmaps: a fixed grid over the insole outline.  Dense layouts map their
 * cells directly; sparse layouts are interpolated by inverse-distance
 * weighting (Shepard, power 2) over the nearest sensors, with weights
 * precomputed once so rendering is a sparse matrix-vector product.  Cells
 * whose centre lies outside the outline are NaN.  Geometry: x0_mm, y0_mm
 * are the CENTRE of cell (0, 0); column c is at x0 + c * cell_mm (column 0
 * lateral), row r at y0 + r * cell_mm (row 0 at the heel). */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insoled/analysis.h"

/* Sensors that contribute to one cell: all of them on the 8-16 sensor
 * insoles this is for; a large custom sparse layout keeps its nearest 16 so
 * memory per cell stays bounded (with power 2, far sensors weigh little). */
#define HEATMAP_MAX_NEIGHBOURS 16
/* A cell centre this close to a sensor takes the sensor's value exactly. */
#define HEATMAP_EXACT_MM 1e-3

struct ins_heatmap {
	unsigned w, h;
	float cell_mm, x0_mm, y0_mm;
	uint8_t *inside;          /* w * h */
	int direct;               /* dense layout: cell i = sensor i */
	/* sparse: for each cell, weights [start[c], start[c + 1]) */
	uint32_t *start;
	uint16_t *sensor;
	float *weight;
};

static void outline_bounds(const struct ins_layout *lay, double *xmin, double *xmax, double *ymin, double *ymax)
{
	*xmin = *ymin = INFINITY;
	*xmax = *ymax = -INFINITY;
	for (unsigned i = 0; i < lay->n_outline; i++) {
		*xmin = fmin(*xmin, lay->outline[i][0]);
		*xmax = fmax(*xmax, lay->outline[i][0]);
		*ymin = fmin(*ymin, lay->outline[i][1]);
		*ymax = fmax(*ymax, lay->outline[i][1]);
	}
}

static int place_grid(struct ins_heatmap *hm, const struct ins_layout *lay, char *err, size_t errlen)
{
	double xmin, xmax, ymin, ymax, cell, w, h;

	if (lay->is_grid) {
		if ((unsigned)lay->grid_w * lay->grid_h != lay->n_sensors || !(lay->grid_cell_mm > 0)) {
			snprintf(err, errlen, "layout %s: grid %u x %u does not match its %u sensors", lay->name,
				 lay->grid_w, lay->grid_h, lay->n_sensors);
			return -1;
		}
		hm->w = lay->grid_w;
		hm->h = lay->grid_h;
		hm->cell_mm = lay->grid_cell_mm;
		hm->x0_mm = lay->grid_x0_mm;
		hm->y0_mm = lay->grid_y0_mm;
		hm->direct = 1;
		return 0;
	}
	cell = lay->heatmap_cell_mm;
	outline_bounds(lay, &xmin, &xmax, &ymin, &ymax);
	if (!(cell > 0) || !isfinite(xmax - xmin) || !isfinite(ymax - ymin)) {
		snprintf(err, errlen, "layout %s: heatmap_cell_mm %g or the outline is not usable", lay->name, cell);
		return -1;
	}
	w = fmax(1, ceil((xmax - xmin) / cell));
	h = fmax(1, ceil((ymax - ymin) / cell));
	if (w * h > INS_HEATMAP_MAX_CELLS) {
		snprintf(err, errlen, "layout %s: heatmap_cell_mm %g over the outline gives %.0f x %.0f cells, more than %u",
			 lay->name, cell, w, h, INS_HEATMAP_MAX_CELLS);
		return -1;
	}
	hm->w = (unsigned)w;
	hm->h = (unsigned)h;
	hm->cell_mm = (float)cell;
	/* Centred on the outline's bounding box. */
	hm->x0_mm = (float)(0.5 * (xmin + xmax) - 0.5 * (hm->w - 1) * cell);
	hm->y0_mm = (float)(0.5 * (ymin + ymax) - 0.5 * (hm->h - 1) * cell);
	return 0;
}

/* Inverse-distance weights of the k nearest sensors for one point. */
static unsigned idw_weights(const struct ins_layout *lay, double x, double y, uint16_t *idx, float *wt)
{
	unsigned k = lay->n_sensors < HEATMAP_MAX_NEIGHBOURS ? lay->n_sensors : HEATMAP_MAX_NEIGHBOURS;
	double d2[HEATMAP_MAX_NEIGHBOURS] = { 0 }, sum = 0;
	unsigned have = 0;

	/* Insertion into a sorted list of the k nearest. */
	for (unsigned i = 0; i < lay->n_sensors; i++) {
		double dx = lay->sensors[i].x_mm - x, dy = lay->sensors[i].y_mm - y, d = dx * dx + dy * dy;
		unsigned j;

		if (have == k && d >= d2[k - 1])
			continue;
		j = have < k ? have++ : k - 1;
		for (; j > 0 && d2[j - 1] > d; j--) {
			d2[j] = d2[j - 1];
			idx[j] = idx[j - 1];
		}
		d2[j] = d;
		idx[j] = (uint16_t)i;
	}
	if (have == 0)
		return 0;
	if (d2[0] < HEATMAP_EXACT_MM * HEATMAP_EXACT_MM) {
		wt[0] = 1.0f;
		return 1;
	}
	for (unsigned j = 0; j < have; j++)
		sum += 1.0 / d2[j];
	for (unsigned j = 0; j < have; j++)
		wt[j] = (float)(1.0 / d2[j] / sum);
	return have;
}

static int build_weights(struct ins_heatmap *hm, const struct ins_layout *lay)
{
	unsigned cells = hm->w * hm->h, n_in = 0, k = 0;

	for (unsigned c = 0; c < cells; c++)
		n_in += hm->inside[c];
	hm->start = malloc((cells + 1) * sizeof(uint32_t));
	hm->sensor = malloc(((size_t)n_in * HEATMAP_MAX_NEIGHBOURS + 1) * sizeof(uint16_t));
	hm->weight = malloc(((size_t)n_in * HEATMAP_MAX_NEIGHBOURS + 1) * sizeof(float));
	if (!hm->start || !hm->sensor || !hm->weight)
		return -1;
	for (unsigned c = 0; c < cells; c++) {
		hm->start[c] = k;
		if (hm->inside[c])
			k += idw_weights(lay, hm->x0_mm + (double)(c % hm->w) * hm->cell_mm,
					 hm->y0_mm + (double)(c / hm->w) * hm->cell_mm, hm->sensor + k, hm->weight + k);
	}
	hm->start[cells] = k;
	return 0;
}

struct ins_heatmap *ins_heatmap_new(const struct ins_layout *layout, char *err, size_t errlen)
{
	struct ins_heatmap *hm;

	if (!layout || layout->n_sensors == 0 || layout->n_outline < 3) {
		snprintf(err, errlen, "heatmap: layout %s has no sensors or no outline", layout ? layout->name : "(none)");
		return NULL;
	}
	hm = calloc(1, sizeof(*hm));
	if (!hm)
		goto oom;
	if (place_grid(hm, layout, err, errlen) < 0) {
		ins_heatmap_free(hm);
		return NULL;
	}
	hm->inside = malloc((size_t)hm->w * hm->h);
	if (!hm->inside)
		goto oom;
	for (unsigned c = 0; c < hm->w * hm->h; c++)
		hm->inside[c] = (uint8_t)ins_layout_contains(layout, hm->x0_mm + (double)(c % hm->w) * hm->cell_mm,
							  hm->y0_mm + (double)(c / hm->w) * hm->cell_mm);
	if (!hm->direct && build_weights(hm, layout) < 0)
		goto oom;
	return hm;
oom:
	snprintf(err, errlen, "heatmap: layout %s: out of memory", layout->name);
	ins_heatmap_free(hm);
	return NULL;
}

void ins_heatmap_free(struct ins_heatmap *hm)
{
	if (!hm)
		return;
	free(hm->inside);
	free(hm->start);
	free(hm->sensor);
	free(hm->weight);
	free(hm);
}

void ins_heatmap_size(const struct ins_heatmap *hm, unsigned *w, unsigned *h)
{
	*w = hm->w;
	*h = hm->h;
}

void ins_heatmap_geometry(const struct ins_heatmap *hm, float *cell_mm, float *x0_mm, float *y0_mm)
{
	*cell_mm = hm->cell_mm;
	*x0_mm = hm->x0_mm;
	*y0_mm = hm->y0_mm;
}

void ins_heatmap_render(const struct ins_heatmap *hm, const float *kpa, float *cells)
{
	unsigned n = hm->w * hm->h;

	for (unsigned c = 0; c < n; c++) {
		float v = 0;

		if (!hm->inside[c]) {
			cells[c] = NAN;
			continue;
		}
		if (hm->direct) {
			cells[c] = kpa[c];
			continue;
		}
		for (uint32_t j = hm->start[c]; j < hm->start[c + 1]; j++)
			v += hm->weight[j] * kpa[hm->sensor[j]];
		cells[c] = v;
	}
}
