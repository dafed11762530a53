/* The rule for a calibration curve (layout.h), wherever one comes from: a
 * layout file, a session's recorded calibration, the synthetic insole. */
#include <config.h>

#include <math.h>
#include <stdio.h>

#include "insoled/layout.h"

static int check_table(const struct ins_calib_curve *c, char *err, size_t errlen)
{
	if (c->n_points < 2 || c->n_points > INS_CALIB_TABLE_MAX) {
		snprintf(err, errlen, "table: needs 2..%d points, got %u", INS_CALIB_TABLE_MAX, c->n_points);
		return -1;
	}
	for (unsigned i = 0; i < c->n_points; i++) {
		if (!isfinite(c->table_counts[i]) || !isfinite(c->table_kpa[i]) || c->table_kpa[i] < 0) {
			snprintf(err, errlen, "table: point %u: counts and kPa must be finite, kPa >= 0", i + 1);
			return -1;
		}
		if (i > 0 && c->table_counts[i] <= c->table_counts[i - 1]) {
			snprintf(err, errlen, "table: point %u: counts must increase (%g after %g)", i + 1,
				 c->table_counts[i], c->table_counts[i - 1]);
			return -1;
		}
		if (i > 0 && c->table_kpa[i] < c->table_kpa[i - 1]) {
			snprintf(err, errlen, "table: point %u: kPa must not decrease (%g after %g)", i + 1,
				 c->table_kpa[i], c->table_kpa[i - 1]);
			return -1;
		}
	}
	return 0;
}

int ins_calib_curve_check(const struct ins_calib_curve *c, char *err, size_t errlen)
{
	if (c->kind != INS_CALIB_LINEAR && c->kind != INS_CALIB_POWER && c->kind != INS_CALIB_TABLE) {
		snprintf(err, errlen, "kind: unknown curve kind %d", (int)c->kind);
		return -1;
	}
	if (c->saturation == 0) {
		snprintf(err, errlen, "saturation: missing (counts at which the ADC saturates, 1..65535)");
		return -1;
	}
	if (!isfinite(c->zero) || c->zero < 0 || c->zero >= c->saturation) {
		snprintf(err, errlen, "zero: %g must be >= 0 and below saturation %u", c->zero, c->saturation);
		return -1;
	}
	if (c->kind == INS_CALIB_TABLE)
		return check_table(c, err, errlen);
	if (!isfinite(c->gain) || !(c->gain > 0)) {
		snprintf(err, errlen, "gain: must be > 0, got %g", c->gain);
		return -1;
	}
	if (c->kind == INS_CALIB_POWER && (!isfinite(c->exponent) || c->exponent <= 0 || c->exponent > 10)) {
		snprintf(err, errlen, "exponent: must be > 0 and <= 10, got %g", c->exponent);
		return -1;
	}
	return 0;
}
