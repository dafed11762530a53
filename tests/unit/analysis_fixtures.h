/* In-memory layouts with round numbers for the analysis tests, so every
 * expected value can be worked out by hand.  Sensor areas of 1000 mm2 make
 * 1 kPa on a sensor exactly 1 N. */
#ifndef INSOLED_TEST_ANALYSIS_FIXTURES_H
#define INSOLED_TEST_ANALYSIS_FIXTURES_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "insoled/layout.h"

/* A layout from the text of a layout file (docs/layouts.md), through the
 * real loader; fails the test with the loader's message if it is refused. */
static inline struct ins_layout *fixture_layout_from_text(const char *text)
{
	char path[] = "/tmp/ins-check-layout-XXXXXX", err[512] = "";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct ins_layout *lay;

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	lay = ins_layout_load(path, err, sizeof(err));
	unlink(path);
	ck_assert_msg(lay != NULL, "%s", err);
	return lay;
}

static inline void fixture_sensor(struct ins_sensor *s, float x, float y, unsigned region, unsigned side,
				  float medial_share)
{
	memset(s, 0, sizeof(*s));
	s->x_mm = x;
	s->y_mm = y;
	s->area_mm2 = 1000.0f;
	s->region = (uint8_t)region;
	s->side = (uint8_t)side;
	s->medial_share = medial_share;
	s->calib.kind = INS_CALIB_LINEAR;
	s->calib.zero = 0;
	s->calib.gain = 1;
	s->calib.saturation = 4095;
}

/* Five sensors: heel medial (+10, 30) and lateral (-10, 30), midfoot
 * lateral (-20, 100), forefoot medial (20, 180), toes (0, 240).  Foot
 * 260 mm long, 100 mm wide at the forefoot. */
enum { FX_HEEL_M, FX_HEEL_L, FX_MID, FX_FORE, FX_TOES, FX_N };
static inline struct ins_layout *fixture_sparse5(int arbitrary)
{
	struct ins_layout *l = calloc(1, sizeof(*l));
	l->sensors = calloc(FX_N, sizeof(*l->sensors));
	strcpy(l->name, "fixture5");
	l->n_sensors = FX_N;
	l->foot_length_mm = 260;
	l->foot_width_mm = 100;
	l->forefoot_width_mm = 100;
	l->arbitrary_units = arbitrary;
	fixture_sensor(&l->sensors[FX_HEEL_M], 10, 30, INS_REGION_HEEL, INS_SIDE_MEDIAL, 1);
	fixture_sensor(&l->sensors[FX_HEEL_L], -10, 30, INS_REGION_HEEL, INS_SIDE_LATERAL, 0);
	fixture_sensor(&l->sensors[FX_MID], -20, 100, INS_REGION_MIDFOOT, INS_SIDE_LATERAL, 0);
	fixture_sensor(&l->sensors[FX_FORE], 20, 180, INS_REGION_FOREFOOT, INS_SIDE_MEDIAL, 1);
	fixture_sensor(&l->sensors[FX_TOES], 0, 240, INS_REGION_TOES, INS_SIDE_MEDIAL, 1);
	return l;
}

/* A single-sensor footswitch in raw units (gaitndd-like). */
static inline struct ins_layout *fixture_footswitch(void)
{
	struct ins_layout *l = calloc(1, sizeof(*l));
	l->sensors = calloc(1, sizeof(*l->sensors));
	strcpy(l->name, "fixture1");
	l->n_sensors = 1;
	l->foot_length_mm = 260;
	l->foot_width_mm = 100;
	l->forefoot_width_mm = 100;
	l->arbitrary_units = 1;
	fixture_sensor(&l->sensors[0], 0, 130, INS_REGION_MIDFOOT, INS_SIDE_MEDIAL, 0.5f);
	return l;
}

/* A dense grid, 5 columns x 12 rows of 20 mm cells (row 0 at the heel, cell
 * centres at y = 10, 30, ..., 230), 240 mm long: rows 10-11 (y >= 192 =
 * 80 % of the length) are toes. */
#define FXG_W 5
#define FXG_H 12
#define FXG_CELL 20.0f
static inline struct ins_layout *fixture_grid(void)
{
	struct ins_layout *l = calloc(1, sizeof(*l));
	l->sensors = calloc(FXG_W * FXG_H, sizeof(*l->sensors));
	strcpy(l->name, "fixturegrid");
	l->n_sensors = FXG_W * FXG_H;
	l->foot_length_mm = FXG_H * FXG_CELL;
	l->foot_width_mm = FXG_W * FXG_CELL;
	l->forefoot_width_mm = FXG_W * FXG_CELL;
	l->is_grid = 1;
	l->grid_w = FXG_W;
	l->grid_h = FXG_H;
	l->grid_cell_mm = FXG_CELL;
	l->grid_x0_mm = -2 * FXG_CELL;
	l->grid_y0_mm = FXG_CELL / 2;
	for (unsigned i = 0; i < l->n_sensors; i++) {
		float x = (float)((int)(i % FXG_W) - 2) * FXG_CELL, y = (float)(i / FXG_W) * FXG_CELL + FXG_CELL / 2;
		unsigned region = y < 72 ? INS_REGION_HEEL : y < 144 ? INS_REGION_MIDFOOT
							   : y < 192 ? INS_REGION_FOREFOOT : INS_REGION_TOES;
		fixture_sensor(&l->sensors[i], x, y, region, x >= 0 ? INS_SIDE_MEDIAL : INS_SIDE_LATERAL,
			       x > 0 ? 1.0f : x < 0 ? 0.0f : 0.5f);
		l->sensors[i].area_mm2 = FXG_CELL * FXG_CELL;
	}
	return l;
}

static inline void fixture_free(struct ins_layout *l)
{
	if (!l)
		return;
	free(l->sensors);
	free(l);
}

#endif
