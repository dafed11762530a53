/* Feeding imported frames to the analysis, in the right way for their unit.
 * Kept apart from the readers so that programs which only read files do not
 * link the analysis engine. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "import_priv.h"

int import_prepare(const struct ins_import_frame *f, const struct ins_layout *layout, uint16_t max_n, float *kpa,
		   uint16_t *counts, char *err, size_t errlen)
{
	if (f->n > max_n) {
		snprintf(err, errlen, "%s foot: frame of %u sensors is not from this reader",
			 ins_foot_name(f->foot), f->n);
		return -1;
	}
	if (f->unit != INS_IMPORT_COUNTS)
		return ins_import_to_kpa(f, layout, kpa, err, errlen);
	if (layout->n_sensors != f->n) {
		snprintf(err, errlen, "%s foot: the file has %u sensors, layout '%s' has %u",
			 ins_foot_name(f->foot), f->n, layout->name, layout->n_sensors);
		return -1;
	}
	/* The readers only yield whole counts in 0..65535, which a plain
	 * conversion keeps exactly (no rounding call per value). */
	for (unsigned i = 0; i < f->n; i++)
		counts[i] = (uint16_t)f->values[i];
	return 0;
}

int import_feed_prepared(struct ins_analysis *ana, const struct ins_import_frame *f, const float *kpa,
			 const uint16_t *counts, struct ins_frame_metrics *out)
{
	if (f->unit == INS_IMPORT_COUNTS) {
		struct ins_frame frame = {
			.foot = f->foot,
			.n = f->n,
			.seq = f->seq,
			.t_dev = (uint32_t)f->t_us,
			.t_us = f->t_us,
			.host_us = 0,
			.values = counts,
		};

		return ins_analysis_feed(ana, &frame, out);
	}
	return ins_analysis_feed_kpa(ana, f->foot, f->t_us, kpa, f->n, out);
}

int ins_import_feed(struct ins_import *imp, struct ins_analysis *ana, const struct ins_layout *layout,
		    const struct ins_import_frame *f, struct ins_frame_metrics *out, char *err, size_t errlen)
{
	if (import_prepare(f, layout, imp->scratch_n, imp->kpa, imp->counts, err, errlen) < 0)
		return -1;
	return import_feed_prepared(ana, f, imp->kpa, imp->counts, out);
}


int ins_import_check_layouts(const struct ins_import *imp, struct ins_layout *const layout[INS_FOOT_COUNT],
			     char *err, size_t errlen)
{
	const struct ins_import_info *info = &imp->info;

	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		if (!(info->feet & (1u << foot)))
			continue;
		if (!layout[foot]) {
			snprintf(err, errlen, "%.400s: no layout for the %s foot%s%s%s", info->path, ins_foot_name(foot),
				 *info->layout_note ? " (" : "", info->layout_note, *info->layout_note ? ")" : "");
			return -1;
		}
		if (layout[foot]->n_sensors != info->n_sensors[foot]) {
			snprintf(err, errlen, "%.400s: the %s foot has %u sensors, layout '%.64s' has %u", info->path,
				 ins_foot_name(foot), info->n_sensors[foot], layout[foot]->name,
				 layout[foot]->n_sensors);
			return -1;
		}
	}
	return 0;
}

#define MOTICON16_INSOLE_SIZE 7  /* the insole size moticon16's areas were estimated for */

void ins_import_caution(const struct ins_import *imp, struct ins_layout *const layout[INS_FOOT_COUNT], char *out,
			size_t outlen)
{
	const struct ins_import_info *info = &imp->info;
	int len = snprintf(out, outlen, "%s", info->caution);

	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		/* moticon16's areas fit size-7 insoles; other sizes scale force, not CoP */
		if (layout[foot] && strcmp(layout[foot]->name, "moticon16") == 0 && info->insole_size &&
		    info->insole_size != MOTICON16_INSOLE_SIZE && len >= 0 && (size_t)len < outlen) {
			snprintf(out + len, outlen - (size_t)len,
				 "%sinsole size %d, but moticon16's sensor areas are for size %d: forces and "
				 "pressures scale with the area, CoP and timing do not",
				 len ? "; " : "", info->insole_size, MOTICON16_INSOLE_SIZE);
			return;
		}
	}
}

/* events: the file marks gait events of its own, which each step's are
 * matched to. */
static int import_hand_on_steps(struct ins_analysis *ana, const struct ins_import_sink *sink,
				struct ins_import_tally *tally, int events, char *err, size_t errlen)
{
	struct ins_step step;
	int rc;

	while (ins_analysis_next_step(ana, &step)) {
		if (events)
			ins_import_events_step(&tally->events, &step);
		if (sink->step && (rc = sink->step(sink->arg, &step, err, errlen)) < 0)
			return rc;
	}
	return 0;
}

int ins_import_run(struct ins_import *imp, struct ins_analysis *ana, struct ins_layout *const layout[INS_FOOT_COUNT],
		   const struct ins_import_sink *sink, struct ins_import_tally *tally, char *err, size_t errlen)
{
	const struct ins_import_frame *f;
	const int checked = ins_import_states_own_values(&imp->info), events = imp->info.has_ref_events;
	struct ins_frame_metrics m;
	char why[256];
	int rc;

	memset(tally, 0, sizeof *tally);
	while ((rc = import_next_frame(imp, &f, err, errlen)) == 1) {
		tally->frames[f->foot]++;
		tally->gaps[f->foot] += f->gap;
		/* One refused frame must not throw away a whole recording. */
		if (!layout[f->foot] ||
		    ins_import_feed(imp, ana, layout[f->foot], f, checked ? &m : NULL, why, sizeof why) < 0) {
			tally->misfit[f->foot]++;
			continue;
		}
		if (checked) {
			const struct ins_import_measured measured = ins_import_measured_of(&m);

			ins_import_agreement_add(tally->agree, f, &measured);
		}
		if (events)
			ins_import_events_frame(&tally->events, f);
		if (sink->frame && (rc = sink->frame(sink->arg, f, err, errlen)) < 0)
			return rc;
		if ((rc = import_hand_on_steps(ana, sink, tally, events, err, errlen)) < 0)
			return rc;
	}
	/* the end of what was read, a file cut short too, is the recording's end */
	if (events)
		ins_import_events_finish(&tally->events);
	return rc;
}
