/* Names, units and labels of the per-step metrics, generated from the one
 * X-macro list in analysis.h so storage, exports and the dashboard can never
 * disagree with the struct layout. */
#include <config.h>

#include "insoled/analysis.h"

const struct ins_metric_info ins_step_metric_info[INS_M_COUNT] = {
#define INS_X_INFO(id, name_, unit_, label_, scale_) \
	[INS_M_##id] = { .name = name_, .unit = unit_, .label = label_, .scale = INS_SCALE_##scale_ },
	INS_STEP_METRICS(INS_X_INFO)
#undef INS_X_INFO
};

const char *ins_metric_scale_name(unsigned scale)
{
	static const char *const names[] = { "ratio", "share", "position", "signed", "category" };

	return scale < sizeof(names) / sizeof(names[0]) ? names[scale] : "unknown";
}

const char *ins_arch_measure_name(unsigned measure)
{
	return measure == INS_ARCH_ARCH_INDEX ? "arch_index" : "midfoot_load_index";
}

const struct ins_arch_thresholds ins_arch_thresholds_cavanagh1987 = {
	.name = "cavanagh1987",
	.source = "Cavanagh PR, Rodgers MM. The arch index: a useful measure from footprints. "
		  "J Biomech 1987;20:547-551 (high <= 0.21, flat >= 0.26)",
	.high_max = 0.21,
	.flat_min = 0.26,
	.inclusive = 1,
};

const struct ins_arch_thresholds ins_arch_thresholds_buldt2018 = {
	.name = "buldt2018",
	.source = "Buldt AK et al. Foot posture is associated with plantar pressure during gait. "
		  "Gait Posture 2018 (cavus < 0.11, planus > 0.25)",
	.high_max = 0.11,
	.flat_min = 0.25,
	.inclusive = 0,
};

int ins_arch_index_classify(double ai, const struct ins_arch_thresholds *th)
{
	if (!(ai == ai) || !th)
		return -1;
	if (th->inclusive ? ai <= th->high_max : ai < th->high_max)
		return INS_ARCH_HIGH;
	if (th->inclusive ? ai >= th->flat_min : ai > th->flat_min)
		return INS_ARCH_FLAT;
	return INS_ARCH_NORMAL;
}

const char *ins_arch_class_name(int cls)
{
	switch (cls) {
	case INS_ARCH_HIGH:
		return "high";
	case INS_ARCH_NORMAL:
		return "normal";
	case INS_ARCH_FLAT:
		return "flat";
	default:
		return "unknown";
	}
}
