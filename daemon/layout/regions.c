/* Names and places: the rule for a layout's name, where on the foot a
 * point lies (its region, heel to toes), the names of regions and sides,
 * and whether a point is inside the layout's outline. */
#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "insoled/layout.h"

int ins_layout_name_check(const char *name, char *err, size_t errlen)
{
	size_t n = strlen(name);

	if (n == 0 || n >= sizeof(((struct ins_layout *)0)->name)) {
		snprintf(err, errlen, "'%.64s': a layout name has 1 to %zu characters", name,
			 sizeof(((struct ins_layout *)0)->name) - 1);
		return -1;
	}
	if (name[0] == '.') {
		snprintf(err, errlen, "'%s': a layout name does not start with '.'", name);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("._-", name[i])) {
			snprintf(err, errlen, "'%s': only letters, digits, '.', '_' and '-' are allowed", name);
			return -1;
		}
	return 0;
}

enum ins_region ins_region_at(float y_mm, float foot_length_mm)
{
	double f = foot_length_mm > 0 ? (double)y_mm / foot_length_mm : 0;

	if (f < INS_REGION_MIDFOOT_START)
		return INS_REGION_HEEL;
	if (f < INS_REGION_FOREFOOT_START)
		return INS_REGION_MIDFOOT;
	if (f < INS_REGION_TOES_START)
		return INS_REGION_FOREFOOT;
	return INS_REGION_TOES;
}

const char *ins_region_name(unsigned region)
{
	static const char *const names[INS_REGION_COUNT] = { "heel", "midfoot", "forefoot", "toes" };

	return region < INS_REGION_COUNT ? names[region] : "unknown";
}

const char *ins_side_name(unsigned side)
{
	return side == INS_SIDE_MEDIAL ? "medial" : side == INS_SIDE_LATERAL ? "lateral" : "unknown";
}

int ins_layout_contains(const struct ins_layout *layout, double x_mm, double y_mm)
{
	int in = 0;

	/* Count the edges a ray from the point towards +x crosses. */
	for (unsigned i = 0, j = layout->n_outline - 1; i < layout->n_outline; j = i++) {
		double xi = layout->outline[i][0], yi = layout->outline[i][1];
		double xj = layout->outline[j][0], yj = layout->outline[j][1];

		if ((yi > y_mm) != (yj > y_mm) && x_mm < (xj - xi) * (y_mm - yi) / (yj - yi) + xi)
			in = !in;
	}
	return in;
}
