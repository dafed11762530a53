/* The synthetic subject's parameters (synth.h): defaults, checks and the
 * "key=value,..." parser. */
#include <config.h>

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insoled/parse.h"
#include "insoled/synth.h"
#include "synth_priv.h"

/* Default subject (synth.h says why the defaults are clean). */
#define DEFAULT_RATE_HZ 100.0
#define DEFAULT_WALK_CADENCE 110.0 /* comfortable walking, steps/min */
#define DEFAULT_RUN_CADENCE 170.0  /* recreational running, steps/min */
#define DEFAULT_BODY_WEIGHT_N 700.0
/* Step-to-step variability above this could let consecutive stances of a
 * foot overlap (synth.c truncates deviations at DEVIATION_TRUNC_SD). */
#define SYNTH_VARIABILITY_MAX 0.05

enum field_kind { F_DOUBLE, F_BOOL, F_U64, F_STRIKE };

struct param_field {
	const char *name;
	enum field_kind kind;
	size_t offset;
	double min, max;
	const char *range; /* for error messages */
};

#define PF(name, kind, min, max, range) \
	{ #name, kind, offsetof(struct ins_synth_params, name), min, max, range }
static const struct param_field param_fields[] = {
	PF(rate_hz, F_DOUBLE, 1.0, 10000.0, "1 to 10000 frames/s"),
	PF(cadence_spm, F_DOUBLE, 20.0, 300.0, "20 to 300 steps/min"),
	PF(running, F_BOOL, 0, 1, "0 or 1"),
	PF(body_weight_n, F_DOUBLE, 50.0, 5000.0, "50 to 5000 N"),
	PF(strike, F_STRIKE, 0, 2, "rearfoot, midfoot or forefoot"),
	PF(arch_collapse, F_DOUBLE, 0.0, 1.0, "0 to 1"),
	PF(medial_shift, F_DOUBLE, -1.0, 1.0, "-1 to 1"),
	PF(asymmetry, F_DOUBLE, -0.9, 1.0, "-0.9 to 1"),
	PF(noise, F_DOUBLE, 0.0, 0.5, "0 to 0.5 of full scale"),
	PF(fatigue_per_min, F_DOUBLE, -1.0, 1.0, "-1 to 1 per minute"),
	PF(seed, F_U64, 0, 0, "an unsigned integer"),
	PF(duty_factor, F_DOUBLE, 0.0, 0.75, "0 (automatic) or 0.2 to 0.75"),
	PF(variability, F_DOUBLE, 0.0, SYNTH_VARIABILITY_MAX, "0 to 0.05"),
	PF(standing_s, F_DOUBLE, 0.0, 3600.0, "0 to 3600 s"),
};
#undef PF
#define N_PARAM_FIELDS (sizeof(param_fields) / sizeof(param_fields[0]))

static const char *const strike_names[] = { "rearfoot", "midfoot", "forefoot" };

void ins_synth_defaults(struct ins_synth_params *p)
{
	memset(p, 0, sizeof(*p));
	p->rate_hz = DEFAULT_RATE_HZ;
	p->cadence_spm = DEFAULT_WALK_CADENCE;
	p->body_weight_n = DEFAULT_BODY_WEIGHT_N;
	p->strike = INS_STRIKE_REARFOOT;
	p->seed = 1;
}

static double field_get(const struct ins_synth_params *p, const struct param_field *f)
{
	const char *base = (const char *)p + f->offset;

	switch (f->kind) {
	case F_DOUBLE:
		return *(const double *)base;
	case F_BOOL:
		return *(const int *)base;
	case F_STRIKE:
		return (double)*(const enum ins_strike *)base;
	case F_U64:
		break;
	}
	return 0.0;
}

/* Checks one numeric field against its range. */
static int check_field(const struct ins_synth_params *p, const struct param_field *f, char *err, size_t errlen)
{
	double v = field_get(p, f);

	if (f->kind == F_U64)
		return 0;
	if (!isfinite(v) || v < f->min || v > f->max) {
		snprintf(err, errlen, "synth option %s=%g: must be %s", f->name, v, f->range);
		return -1;
	}
	return 0;
}

/* Every range, then the duty factor against the gait: walking needs double
 * support (> 0.5), running a flight phase (< 0.5). */
int synth_check_params(const struct ins_synth_params *p, char *err, size_t errlen)
{
	double d = p->duty_factor;

	for (size_t i = 0; i < N_PARAM_FIELDS; i++)
		if (check_field(p, &param_fields[i], err, errlen) < 0)
			return -1;
	if (d != 0.0 && (d < 0.2 || (p->running && d >= 0.5) || (!p->running && d <= 0.5))) {
		snprintf(err, errlen, "synth option duty_factor=%g: must be %s", d,
			 p->running ? "0.2 to below 0.5 when running (flight phase)"
				    : "above 0.5 to 0.75 when walking (double support)");
		return -1;
	}
	return 0;
}

static int parse_value(struct ins_synth_params *p, const struct param_field *f, const char *key,
		       const char *val, char *err, size_t errlen)
{
	char *base = (char *)p + f->offset;

	if (*val == '\0') {
		snprintf(err, errlen, "synth option %s: missing value (%s)", key, f->range);
		return -1;
	}
	switch (f->kind) {
	case F_STRIKE:
		for (int i = 0; i < 3; i++) {
			if (strcmp(val, strike_names[i]) == 0) {
				*(enum ins_strike *)base = (enum ins_strike)i;
				return 0;
			}
		}
		snprintf(err, errlen, "synth option strike=%s: must be %s", val, f->range);
		return -1;
	case F_BOOL:
		if (strcmp(val, "1") == 0 || strcmp(val, "yes") == 0 || strcmp(val, "true") == 0) {
			*(int *)base = 1;
			return 0;
		}
		if (strcmp(val, "0") == 0 || strcmp(val, "no") == 0 || strcmp(val, "false") == 0) {
			*(int *)base = 0;
			return 0;
		}
		snprintf(err, errlen, "synth option %s=%s: must be 0 or 1", key, val);
		return -1;
	case F_U64: {
		uint64_t u;
		if (ins_parse_u64(val, 0, &u) < 0) {
			snprintf(err, errlen, "synth option %s=%s: must be %s", key, val, f->range);
			return -1;
		}
		*(uint64_t *)base = u;
		return 0;
	}
	case F_DOUBLE: {
		double d;
		if (ins_parse_double(val, &d) < 0) {
			snprintf(err, errlen, "synth option %s=%s: not a number (%s)", key, val, f->range);
			return -1;
		}
		*(double *)base = d;
		return 0;
	}
	}
	return -1;
}

static const struct param_field *find_field(const char *key)
{
	for (size_t i = 0; i < N_PARAM_FIELDS; i++)
		if (strcmp(param_fields[i].name, key) == 0)
			return &param_fields[i];
	return NULL;
}

static void list_fields(char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < N_PARAM_FIELDS && used < len; i++) {
		int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", param_fields[i].name);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

int ins_synth_parse(struct ins_synth_params *p, const char *args, char *err, size_t errlen)
{
	struct ins_synth_params tmp = *p;
	int cadence_given = 0, rc = -1;
	char *copy, *save = NULL, *tok;

	if (!args)
		return 0;
	copy = strdup(args);
	if (!copy) {
		snprintf(err, errlen, "synth options: out of memory");
		return -1;
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		const struct param_field *f;
		char *key, *val;

		if (!eq) {
			if (*ins_trim(tok) == '\0')
				continue; /* "a=1,,b=2" or a trailing comma */
			snprintf(err, errlen, "synth option '%s': expected key=value", ins_trim(tok));
			goto cleanup;
		}
		*eq = '\0';
		key = ins_trim(tok);
		val = ins_trim(eq + 1);
		f = find_field(key);
		if (!f) {
			char known[300];
			list_fields(known, sizeof(known));
			snprintf(err, errlen, "unknown synth option '%s' (known: %s)", key, known);
			goto cleanup;
		}
		if (parse_value(&tmp, f, key, val, err, errlen) < 0 || check_field(&tmp, f, err, errlen) < 0)
			goto cleanup;
		if (f->offset == offsetof(struct ins_synth_params, cadence_spm))
			cadence_given = 1;
	}
	/* A runner given without a cadence runs at a running cadence. */
	if (tmp.running && !p->running && !cadence_given)
		tmp.cadence_spm = DEFAULT_RUN_CADENCE;
	/* Fields checked again together: duty_factor depends on running. */
	if (synth_check_params(&tmp, err, errlen) < 0)
		goto cleanup;
	*p = tmp;
	rc = 0;
cleanup:
	free(copy);
	return rc;
}
