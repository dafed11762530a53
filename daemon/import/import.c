/* The reader object: format dispatch, the per-foot timeline (seq, gaps),
 * the frame queue of one row, and feeding frames to the analysis in the
 * right way for their unit. */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "import_priv.h"
#include "insoled/layout.h"

static const struct import_ops *const import_formats[] = {
	&import_gaitndd_ops,
	&import_gaitpdb_ops,
	&import_moticon_ops,
	&import_insoled_ops,
	&import_pedar_ops,
	&import_fscan_ops,
	&import_xsensor_ops,
	&import_stappone_ops,
};
#define IMPORT_N_FORMATS (sizeof import_formats / sizeof import_formats[0])

static const struct import_ops *import_find_format(const char *name)
{
	for (size_t i = 0; i < IMPORT_N_FORMATS; i++)
		if (strcmp(import_formats[i]->name, name) == 0)
			return import_formats[i];
	return NULL;
}

struct ins_import *ins_import_open(const char *path, const char *format, char *err, size_t errlen)
{
	const struct import_ops *ops;
	struct ins_import *imp;

	if (!format) {
		format = ins_import_detect(path, err, errlen);
		if (!format)
			return NULL;
	}
	ops = import_find_format(format);
	if (!ops) {
		import_errf(err, errlen, path, 0, "format",
			    "unknown format '%s' (known: gaitndd, gaitpdb, moticon, insoled, pedar, fscan, "
			    "xsensor, stappone)", format);
		return NULL;
	}
	imp = calloc(1, sizeof *imp);
	if (!imp) {
		import_errf(err, errlen, path, 0, NULL, "out of memory");
		return NULL;
	}
	imp->ops = ops;
	imp->info.subject = imp->info.footwear = imp->info.notes = "";
	import_copy_text(imp->info.format, sizeof imp->info.format, ops->name);
	import_copy_text(imp->info.path, sizeof imp->info.path, path);
	if (ops->open(imp, path, err, errlen) < 0) {
		ins_import_close(imp);
		return NULL;
	}
	if (ops != &import_gaitndd_ops) /* binary signal files, whose zeros are samples */
		imp->zero_tail = import_zero_tail(path, &imp->file_size);
	return imp;
}

const struct ins_import_info *ins_import_info(const struct ins_import *imp)
{
	return &imp->info;
}

void import_suggest_grid_layout(struct ins_import *imp, unsigned foot, unsigned cols, unsigned rows,
				double col_mm, double row_mm, double tolerance_mm, const char *shipped,
				unsigned shipped_cols, unsigned shipped_rows, double shipped_mm)
{
	char *out = imp->info.layout[foot];
	size_t len = sizeof imp->info.layout[0];

	out[0] = '\0';
	if (!(fabs(col_mm - row_mm) < tolerance_mm))
		return; /* a sheet has square sensels */
	if (cols == shipped_cols && rows == shipped_rows && fabs(col_mm - shipped_mm) < tolerance_mm)
		import_copy_text(out, len, shipped);
	else if (ins_layout_sheet_name(out, len, cols, rows, (col_mm + row_mm) / 2) < 0)
		out[0] = '\0';
}

int import_set_label(struct ins_import *imp, enum import_label which, const char *src)
{
	const char **field[IMPORT_LABEL_COUNT] = { &imp->info.subject, &imp->info.footwear, &imp->info.notes };
	size_t size = 3 * strlen(src) + 1; /* a byte of Windows-1252 is at most 3 bytes of UTF-8 */
	char *text = malloc(size), *fit;

	if (!text)
		return -1;
	import_copy_label(text, size, src);
	fit = realloc(text, strlen(text) + 1);
	free(imp->label[which]);
	imp->label[which] = fit ? fit : text;
	*field[which] = imp->label[which];
	return 0;
}

int import_alloc_values(struct ins_import *imp, char *err, size_t errlen)
{
	uint16_t max_n = 0;

	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		uint16_t n = imp->info.n_sensors[foot];

		if (!(imp->info.feet & (1u << foot)))
			continue;
		imp->vals[foot] = calloc(n, sizeof(float));
		if (!imp->vals[foot])
			goto oom;
		imp->row[foot].foot = (uint8_t)foot;
		imp->row[foot].unit = imp->info.unit;
		imp->row[foot].n = n;
		imp->row[foot].values = imp->vals[foot];
		if (n > max_n)
			max_n = n;
	}
	imp->kpa = calloc(max_n, sizeof(float));
	imp->counts = calloc(max_n, sizeof(uint16_t));
	if (!imp->kpa || !imp->counts)
		goto oom;
	imp->scratch_n = max_n;
	return 0;
oom:
	import_errf(err, errlen, imp->info.path, 0, NULL, "out of memory for %u sensors", max_n);
	return -1;
}

int import_stamp_slow(struct ins_import *imp, unsigned foot, int64_t t_us, unsigned long line,
		      const char *time_field, char *err, size_t errlen)
{
	uint32_t gap = 0;

	if (imp->stamp_rate_hz != imp->info.rate_hz || imp->period_us == 0) {
		imp->stamp_rate_hz = imp->info.rate_hz;
		imp->period_us = 1e6 / imp->info.rate_hz;
		imp->gap_limit_us = INS_IMPORT_GAP_PERIODS * imp->period_us;
	}
	if (imp->started[foot]) {
		int64_t dt = t_us - imp->last_t_us[foot];

		if (dt <= 0) {
			import_errf(err, errlen, imp->info.path, line, time_field,
				    "%.6f s is not after the %s foot's previous sample at %.6f s",
				    t_us / 1e6, ins_foot_name(foot), imp->last_t_us[foot] / 1e6);
			return -1;
		}
		if ((double)dt > imp->gap_limit_us) {
			double missing = round((double)dt / imp->period_us) - 1;

			/* a jump of years is still reported, as the largest gap */
			gap = missing < (double)UINT32_MAX ? (uint32_t)missing : UINT32_MAX;
		}
	}
	import_stamp_fill(imp, foot, t_us, line, gap);
	return 0;
}

static int import_pop_row(struct ins_import *imp, const struct ins_import_frame **out)
{
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		if (imp->row_ready[foot]) {
			imp->row_ready[foot] = 0;
			*out = &imp->row[foot];
			imp->yielded = 1;
			return 1;
		}
	}
	return 0;
}

int ins_import_next(struct ins_import *imp, struct ins_import_frame *out, char *err, size_t errlen)
{
	const struct ins_import_frame *f;
	int rc = import_next_frame(imp, &f, err, errlen);

	if (rc == 1)
		*out = *f;
	return rc;
}

int import_next_frame(struct ins_import *imp, const struct ins_import_frame **out, char *err, size_t errlen)
{
	int rc;

	if (imp->failed) {
		if (err && errlen)
			import_copy_text(err, errlen, imp->failure);
		return -1;
	}
	for (;;) {
		if (import_pop_row(imp, out))
			return 1;
		rc = imp->ops->read_row(imp, imp->failure, sizeof imp->failure);
		if (rc == 0 && imp->yielded && imp->zero_tail && !imp->end_marked) {
			/* every frame before the zeros is read: they end a damaged file */
			import_errf(imp->failure, sizeof imp->failure, imp->info.path, 0, NULL,
				    "the file ends in %llu NUL (zero) bytes after its last line, from byte %llu on: "
				    IMPORT_ZERO_TAIL_WHY "; the recording may have gone on",
				    imp->zero_tail, imp->file_size - imp->zero_tail + 1);
			rc = -1;
		} else if (rc == 0 && imp->yielded) {
			return 0;
		}
		if (rc == 0) /* an empty session is no import: say so, as the vendor readers do */
			import_errf(imp->failure, sizeof imp->failure, imp->info.path, 0, NULL,
				    "a header but no frames: the file ends before its first sample");
		if (rc <= 0) {
			imp->failed = 1;
			imp->row_ready[INS_FOOT_LEFT] = imp->row_ready[INS_FOOT_RIGHT] = 0;
			if (err && errlen)
				import_copy_text(err, errlen, imp->failure);
			return -1;
		}
	}
}

static int import_check_fit(const struct ins_import_frame *f, const struct ins_layout *layout, char *err,
			    size_t errlen)
{
	if (layout->n_sensors != f->n) {
		snprintf(err, errlen, "%s foot: the file has %u sensors, layout '%s' has %u",
			 ins_foot_name(f->foot), f->n, layout->name, layout->n_sensors);
		return -1;
	}
	return 0;
}

int ins_import_to_kpa(const struct ins_import_frame *f, const struct ins_layout *layout, float *kpa,
		      char *err, size_t errlen)
{
	if (import_check_fit(f, layout, err, errlen) < 0)
		return -1;
	switch (f->unit) {
	case INS_IMPORT_KPA:
		memcpy(kpa, f->values, f->n * sizeof(float));
		return 0;
	case INS_IMPORT_NEWTON:
		/* 1 N/mm2 = 1000 kPa; the analysis multiplies back by the same area. */
		for (unsigned i = 0; i < f->n; i++) {
			float area = layout->sensors[i].area_mm2;

			kpa[i] = area > 0.0f ? f->values[i] * 1000.0f / area : NAN;
		}
		return 0;
	default:
		snprintf(err, errlen, "%s foot: raw counts have no pressure until calibrated",
			 ins_foot_name(f->foot));
		return -1;
	}
}

void ins_import_close(struct ins_import *imp)
{
	if (!imp)
		return;
	if (imp->ops && imp->ops->close)
		imp->ops->close(imp);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		free(imp->vals[foot]);
		free(imp->calib[foot]);
	}
	for (unsigned i = 0; i < IMPORT_LABEL_COUNT; i++)
		free(imp->label[i]);
	free(imp->kpa);
	free(imp->counts);
	free(imp);
}
