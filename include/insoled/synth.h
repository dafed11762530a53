/* The synthetic insole: a deterministic model of a walking or running
 * subject that produces raw sensor counts for a layout.  Used by the
 * emulator program, by `insoled --demo` and by tests with known answers.
 * Pure computation, no I/O.  Owner: daemon/synth/. */
#ifndef INSOLED_SYNTH_H
#define INSOLED_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "insoled/frame.h"
#include "insoled/layout.h"

enum ins_strike { INS_STRIKE_REARFOOT = 0, INS_STRIKE_MIDFOOT = 1, INS_STRIKE_FOREFOOT = 2 };

struct ins_synth_params {
	double rate_hz;          /* frames per second per foot (default 100) */
	double cadence_spm;      /* steps per minute, both feet (walk ~110, run ~170) */
	int running;             /* 0 walk (double support, two-hump force), 1 run (flight phase) */
	double body_weight_n;
	enum ins_strike strike;
	double arch_collapse;    /* 0 normal .. 1 fully collapsed: load moves to the midfoot */
	double medial_shift;     /* -1 lateral .. +1 medial (pronation) */
	double asymmetry;        /* right/left load ratio - 1, e.g. 0.1 = right 10 % heavier */
	double noise;            /* sensor noise, fraction of full scale */
	double fatigue_per_min;  /* arch_collapse added per minute (fatigue drift) */
	uint64_t seed;
};
void ins_synth_defaults(struct ins_synth_params *p);
/* Parse "key=value,key=value" over defaults (keys = field names above,
 * strike=rearfoot|midfoot|forefoot); err names the bad key. */
int ins_synth_parse(struct ins_synth_params *p, const char *args, char *err, size_t errlen);

struct ins_synth;
struct ins_synth *ins_synth_new(const struct ins_synth_params *p, const struct ins_layout *layout,
				char *err, size_t errlen);
void ins_synth_free(struct ins_synth *s);
/* Produce the next frame of a foot: raw counts in out[layout->n_sensors],
 * t_us = the model's time of that frame.  Feet alternate at the same rate. */
void ins_synth_next(struct ins_synth *s, unsigned foot, uint16_t *out, int64_t *t_us);
/* The model's ground truth for tests: contact and toe-off times of step k. */
int ins_synth_truth(const struct ins_synth *s, unsigned foot, unsigned k, int64_t *contact_us, int64_t *toe_off_us);

#endif
