/* Feeding imported frames to the analysis, in the right way for their unit.
 * Kept apart from the readers so that programs which only read files do not
 * link the analysis engine. */
#include <math.h>
#include <stdio.h>

#include "import_priv.h"

static int import_feed_counts(struct ins_import *imp, struct ins_analysis *ana,
			      const struct ins_import_frame *f, struct ins_frame_metrics *out)
{
	struct ins_frame frame = {
		.foot = f->foot,
		.n = f->n,
		.seq = f->seq,
		.t_dev = (uint32_t)f->t_us,
		.t_us = f->t_us,
		.host_us = 0,
		.values = imp->counts,
	};

	/* The readers only yield whole counts in 0..65535. */
	for (unsigned i = 0; i < f->n; i++)
		imp->counts[i] = (uint16_t)lrintf(f->values[i]);
	return ins_analysis_feed(ana, &frame, out);
}

int ins_import_feed(struct ins_import *imp, struct ins_analysis *ana, const struct ins_layout *layout,
		    const struct ins_import_frame *f, struct ins_frame_metrics *out, char *err, size_t errlen)
{
	if (f->n > imp->scratch_n) {
		snprintf(err, errlen, "%s foot: frame of %u sensors is not from this reader",
			 ins_foot_name(f->foot), f->n);
		return -1;
	}
	if (f->unit == INS_IMPORT_COUNTS) {
		if (layout->n_sensors != f->n) {
			snprintf(err, errlen, "%s foot: the file has %u sensors, layout '%s' has %u",
				 ins_foot_name(f->foot), f->n, layout->name, layout->n_sensors);
			return -1;
		}
		return import_feed_counts(imp, ana, f, out);
	}
	if (ins_import_to_kpa(f, layout, imp->kpa, err, errlen) < 0)
		return -1;
	return ins_analysis_feed_kpa(ana, f->foot, f->t_us, imp->kpa, f->n, out);
}

