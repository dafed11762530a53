/* Names, units and labels of the per-step metrics, generated from the one
 * X-macro list in analysis.h so storage, exports and the dashboard can never
 * disagree with the struct layout. */
#include "insoled/analysis.h"

const struct ins_metric_info ins_step_metric_info[INS_M_COUNT] = {
#define INS_X_INFO(id, name_, unit_, label_) [INS_M_##id] = { .name = name_, .unit = unit_, .label = label_ },
	INS_STEP_METRICS(INS_X_INFO)
#undef INS_X_INFO
};

const char *ins_arch_measure_name(unsigned measure)
{
	return measure == INS_ARCH_ARCH_INDEX ? "arch_index" : "midfoot_load_index";
}
