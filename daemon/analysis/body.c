/* The subject's body weight: the one range every input of a weight is
 * checked against (analysis.h). */
#include <config.h>

#include <stdio.h>

#include "insoled/analysis.h"

int ins_body_weight_check_kg(const char *field, double kg, char *err, size_t errlen)
{
	if (kg >= INS_BODY_WEIGHT_MIN_KG && kg <= INS_BODY_WEIGHT_MAX_KG)
		return 0;
	snprintf(err, errlen, "%s: %g kg is not a body weight (%g to %g kg)", field, kg, INS_BODY_WEIGHT_MIN_KG,
		 INS_BODY_WEIGHT_MAX_KG);
	return -1;
}

int ins_body_weight_check_n(const char *field, double newtons, char *err, size_t errlen)
{
	double lo = INS_BODY_WEIGHT_MIN_KG * INS_GRAVITY, hi = INS_BODY_WEIGHT_MAX_KG * INS_GRAVITY;

	if (newtons >= lo && newtons <= hi)
		return 0;
	snprintf(err, errlen, "%s: %g N is not a body weight (%.0f to %.0f N)", field, newtons, lo, hi);
	return -1;
}
