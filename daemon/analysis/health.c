/* Sensor health over steps (health.h): silent, saturating and stuck
 * sensors, judged against their neighbourhood. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>

#include "health.h"

struct analysis_sensor_health {
	const struct analysis_frame_ctx *ctx;
	uint32_t steps, swing_frames;
	uint32_t *loaded_steps, *saturated_steps, *swing_loaded;
	/* Steps in which the sensor stayed below contact while every one of its
	 * neighbours was clearly loaded: the only evidence of a dead sensor. */
	uint32_t *silent_steps;
	/* Up to INS_HEALTH_NEIGHBOURS neighbours per sensor, nb[i * K ..]. */
	uint16_t *nb;
	uint8_t *n_nb;
};

/* Inserts candidate j at distance d2 into sensor i's list, kept nearest
 * first; ties keep the lower index, so the neighbours are reproducible. */
static void nearest_insert(uint16_t *nb, float *nb_d2, uint8_t *count, uint16_t j, float d2)
{
	unsigned k = *count;

	if (k == INS_HEALTH_NEIGHBOURS) {
		if (!(d2 < nb_d2[k - 1]))
			return;
		k--;
	} else {
		(*count)++;
	}
	while (k > 0 && d2 < nb_d2[k - 1]) {
		nb[k] = nb[k - 1];
		nb_d2[k] = nb_d2[k - 1];
		k--;
	}
	nb[k] = j;
	nb_d2[k] = d2;
}

/* Sparse layouts: each sensor's INS_HEALTH_NEIGHBOURS nearest sensors
 * (fewer when the layout has fewer others).  O(n^2) once at creation. */
static void find_nearest(struct analysis_sensor_health *h, const struct ins_layout *l)
{
	float d2s[INS_HEALTH_NEIGHBOURS];

	for (unsigned i = 0; i < l->n_sensors; i++) {
		for (unsigned j = 0; j < l->n_sensors; j++) {
			float dx = l->sensors[j].x_mm - l->sensors[i].x_mm;
			float dy = l->sensors[j].y_mm - l->sensors[i].y_mm;

			if (j != i)
				nearest_insert(h->nb + (size_t)i * INS_HEALTH_NEIGHBOURS, d2s, &h->n_nb[i],
					       (uint16_t)j, dx * dx + dy * dy);
		}
	}
}

/* Dense grids: the cells that share an edge with each cell (4 inside, 3 on
 * a border, 2 in a corner), straight from the grid indices. */
static void find_adjacent(struct analysis_sensor_health *h, const struct ins_layout *l)
{
	static const int step[4][2] = { { 0, -1 }, { -1, 0 }, { 1, 0 }, { 0, 1 } };

	for (unsigned i = 0; i < l->n_sensors; i++) {
		int col = (int)(i % l->grid_w), row = (int)(i / l->grid_w);

		for (unsigned k = 0; k < 4; k++) {
			int c = col + step[k][0], r = row + step[k][1];

			if (c >= 0 && c < l->grid_w && r >= 0 && r < l->grid_h)
				h->nb[(size_t)i * INS_HEALTH_NEIGHBOURS + h->n_nb[i]++] =
					(uint16_t)(r * l->grid_w + c);
		}
	}
}

struct analysis_sensor_health *analysis_sensor_health_new(const struct analysis_frame_ctx *ctx)
{
	struct analysis_sensor_health *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->ctx = ctx;
	h->loaded_steps = calloc(ctx->n, sizeof(uint32_t));
	h->saturated_steps = calloc(ctx->n, sizeof(uint32_t));
	h->swing_loaded = calloc(ctx->n, sizeof(uint32_t));
	h->silent_steps = calloc(ctx->n, sizeof(uint32_t));
	h->nb = calloc((size_t)ctx->n * INS_HEALTH_NEIGHBOURS, sizeof(uint16_t));
	h->n_nb = calloc(ctx->n, sizeof(uint8_t));
	if (!h->loaded_steps || !h->saturated_steps || !h->swing_loaded || !h->silent_steps || !h->nb ||
	    !h->n_nb) {
		analysis_sensor_health_free(h);
		return NULL;
	}
	if (ctx->layout->is_grid && (size_t)ctx->layout->grid_w * ctx->layout->grid_h == ctx->n)
		find_adjacent(h, ctx->layout);
	else
		find_nearest(h, ctx->layout);
	return h;
}

void analysis_sensor_health_free(struct analysis_sensor_health *h)
{
	if (!h)
		return;
	free(h->loaded_steps);
	free(h->saturated_steps);
	free(h->swing_loaded);
	free(h->silent_steps);
	free(h->nb);
	free(h->n_nb);
	free(h);
}

/* Every neighbour above INS_HEALTH_NEIGHBOUR_LOAD contacts: the least
 * loaded one decides, so a sensor at the edge of the loaded area (arch,
 * border of the foot, between toes), which always has a quiet neighbour,
 * is never held to account.  No neighbours: nothing to judge against. */
static int neighbourhood_loaded(const struct analysis_sensor_health *h, unsigned i, const float *peak)
{
	const uint16_t *nb = h->nb + (size_t)i * INS_HEALTH_NEIGHBOURS;
	float loaded = INS_HEALTH_NEIGHBOUR_LOAD * h->ctx->contact_kpa;

	if (h->n_nb[i] == 0)
		return 0;
	for (unsigned k = 0; k < h->n_nb[i]; k++)
		if (!(peak[nb[k]] > loaded))
			return 0;
	return 1;
}

void analysis_sensor_health_add_step(struct analysis_sensor_health *h, const float *step_peak_kpa)
{
	const struct analysis_frame_ctx *ctx = h->ctx;

	h->steps++;
	for (unsigned i = 0; i < ctx->n; i++) {
		int contact = step_peak_kpa[i] > ctx->contact_kpa;

		h->loaded_steps[i] += contact;
		h->saturated_steps[i] += step_peak_kpa[i] >= ctx->sat_kpa[i];
		h->silent_steps[i] += !contact && neighbourhood_loaded(h, i, step_peak_kpa);
	}
}

void analysis_sensor_health_add_swing(struct analysis_sensor_health *h, const float *kpa)
{
	const struct analysis_frame_ctx *ctx = h->ctx;
	const float thr = ctx->contact_kpa;
	const analysis_v4f thr4 = { thr, thr, thr, thr };
	unsigned i = 0;

	h->swing_frames++;
	for (; i + 4 <= ctx->n; i += 4) {
		analysis_v4i loaded;

		__builtin_memcpy(&loaded, h->swing_loaded + i, sizeof(loaded));
		loaded -= analysis_v4f_load(kpa + i) > thr4; /* true lanes are -1 */
		__builtin_memcpy(h->swing_loaded + i, &loaded, sizeof(loaded));
	}
	for (; i < ctx->n; i++)
		h->swing_loaded[i] += kpa[i] > thr;
}

unsigned analysis_sensor_health_flags(const struct analysis_sensor_health *h, unsigned sensor)
{
	unsigned flags = 0;

	if (sensor >= h->ctx->n)
		return 0;
	if (h->steps > 0 && 4 * (uint64_t)h->saturated_steps[sensor] >= h->steps)
		flags |= INS_SENSOR_SATURATING;
	/* Raw units have no pressure threshold: only saturation is judged. */
	if (h->ctx->arbitrary)
		return flags;
	if (h->silent_steps[sensor] >= INS_HEALTH_MIN_STEPS && h->loaded_steps[sensor] == 0)
		flags |= INS_SENSOR_SILENT;
	if (h->swing_frames >= INS_HEALTH_MIN_SWING && 2 * (uint64_t)h->swing_loaded[sensor] >= h->swing_frames)
		flags |= INS_SENSOR_STUCK;
	return flags;
}
