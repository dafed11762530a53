/* Readers of the vendor exports (pedar, F-Scan, XSENSOR, stappone): the
 * sample files in the real recordings' pressure-formats/ against what they
 * say about themselves (a shared-data test case: SKIP when they are
 * absent, shared_data.h), and every kind of
 * damaged file with the message it must give and the frames kept before it. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "insoled/import.h"
#include "lib.h"
#include "shared_data.h"

#define MMHG_KPA 0.1333223874
#define STANDARD_GRAVITY 9.80665

/* path = the vendor sample FILE among the real recordings; the test case
 * runs only when they are there (shared_data.h). */
static const char *sample(char *path, size_t len, const char *file)
{
	char rel[128];

	snprintf(rel, sizeof rel, "pressure-formats/%s", file);
	test_shared_path(path, len, rel);
	INS_REQUIRE_SHARED_FILE(path);
	return path;
}

/* One file through the analysis with its suggested layouts; per frame the
 * callback sees the reader's frame and the analysis's metrics. */
struct run {
	struct ins_import *imp;
	struct ins_layout *layout[INS_FOOT_COUNT];
	struct ins_analysis *ana;
	unsigned long frames[INS_FOOT_COUNT];
	struct ins_step steps[64];
	unsigned n_steps;
};

typedef void (*frame_fn)(void *arg, struct run *r, const struct ins_import_frame *f,
			 const struct ins_frame_metrics *m);

static void run_file(const char *path, struct run *r, frame_fn fn, void *arg)
{
	char err[512] = "";
	struct ins_analysis_config cfg = { 0 };
	struct ins_import_frame f;
	struct ins_frame_metrics m;
	int rc;

	memset(r, 0, sizeof *r);
	r->imp = ins_import_open(path, NULL, err, sizeof err);
	ck_assert_msg(r->imp != NULL, "%s", err);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		const char *name = ins_import_info(r->imp)->layout[foot];

		if (!(ins_import_info(r->imp)->feet & (1u << foot)))
			continue;
		r->layout[foot] = ins_layout_load_named(LAYOUT_DIR, name, err, sizeof err);
		ck_assert_msg(r->layout[foot] != NULL, "%s: %s", name, err);
		cfg.layout[foot] = r->layout[foot];
	}
	r->ana = ins_analysis_new(&cfg, err, sizeof err);
	ck_assert_msg(r->ana != NULL, "%s", err);
	while ((rc = ins_import_next(r->imp, &f, err, sizeof err)) == 1) {
		ck_assert_msg(ins_import_feed(r->imp, r->ana, r->layout[f.foot], &f, &m, err, sizeof err) == 0,
			      "line %lu: %s", f.line, err);
		r->frames[f.foot]++;
		if (fn)
			fn(arg, r, &f, &m);
		while (r->n_steps < 64 && ins_analysis_next_step(r->ana, &r->steps[r->n_steps]))
			r->n_steps++;
	}
	ck_assert_msg(rc == 0, "%s", err);
}

static void run_free(struct run *r)
{
	ins_analysis_free(r->ana);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		ins_layout_free(r->layout[foot]);
	ins_import_close(r->imp);
}

START_TEST(samples_read_whole_with_their_layouts)
{
	static const struct {
		const char *file, *format, *layout;
		unsigned feet, sensors;
		unsigned long frames;
		double rate_hz;
	} want[] = {
		{ "pedar_example.asc", "pedar", "pedar99-y", 3, 99, 1505, 100 },
		{ "fscan_testL.asf", "fscan", "fscan60x21", 1, 1260, 205, 1 / 0.032 },
		{ "xsensor_data.csv", "xsensor", "xsensor31x11", 3, 341, 101, 1000 / 13.0 },
		{ "stappone_example.csv", "stappone", "stappone12", 1, 12, 4575, 62.5 },
	};
	char path[512];
	struct run r;

	for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++) {
		const struct ins_import_info *info;

		run_file(sample(path, sizeof path, want[i].file), &r, NULL, NULL);
		info = ins_import_info(r.imp);
		ck_assert_str_eq(info->format, want[i].format);
		ck_assert_uint_eq(info->feet, want[i].feet);
		ck_assert_double_eq_tol(info->rate_hz, want[i].rate_hz, 1e-6);
		for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
			if (!(want[i].feet & (1u << foot)))
				continue;
			ck_assert_str_eq(info->layout[foot], want[i].layout);
			ck_assert_uint_eq(info->n_sensors[foot], want[i].sensors);
			ck_assert_uint_eq(r.frames[foot], want[i].frames);
		}
		ck_assert_msg(r.n_steps > 0, "%s: no steps", want[i].file);
		run_free(&r);
	}
}
END_TEST

/* XSENSOR states peak pressure, contact area and estimated load per frame. */
struct xs_agreement {
	unsigned long frames;
	double max_peak_rel, max_load_rel, max_load_abs, max_cells_area_rel, max_ana_area_rel;
	unsigned long load_outside;
	/* per foot: first and last frame time with a vendor load > 0 after the
	 * first unloaded frame (the excerpt's one whole stance) */
	int64_t unloaded_seen[INS_FOOT_COUNT], first_loaded[INS_FOOT_COUNT], last_loaded[INS_FOOT_COUNT];
	int stance_done[INS_FOOT_COUNT];
};

static void xs_frame(void *arg, struct run *r, const struct ins_import_frame *f, const struct ins_frame_metrics *m)
{
	struct xs_agreement *a = arg;
	double cell = r->layout[f->foot]->sensors[0].area_mm2, loaded = 0;
	unsigned foot = f->foot;

	a->frames++;
	for (unsigned i = 0; i < f->n; i++)
		loaded += f->values[i] > 0;
	if (f->ref_peak_kpa > 0)
		a->max_peak_rel = fmax(a->max_peak_rel, fabs(m->peak_kpa - f->ref_peak_kpa) / f->ref_peak_kpa);
	if (f->ref_force_n > 0) {
		double d = fabs(m->force_n - f->ref_force_n);

		a->max_load_abs = fmax(a->max_load_abs, d);
		if (f->ref_force_n >= 50)
			a->max_load_rel = fmax(a->max_load_rel, d / f->ref_force_n);
		a->load_outside += d > fmax(0.01 * f->ref_force_n, 1.0);
	}
	if (f->ref_contact_mm2 > 0) {
		a->max_cells_area_rel = fmax(a->max_cells_area_rel,
					     fabs(loaded * cell - f->ref_contact_mm2) / f->ref_contact_mm2);
		a->max_ana_area_rel = fmax(a->max_ana_area_rel,
					   fabs(m->contact_area_mm2 - f->ref_contact_mm2) / f->ref_contact_mm2);
	}
	if (f->ref_force_n == 0)
		a->unloaded_seen[foot] = 1;
	if (a->unloaded_seen[foot] && !a->stance_done[foot]) {
		if (f->ref_force_n > 0) {
			if (!a->first_loaded[foot])
				a->first_loaded[foot] = f->t_us;
			a->last_loaded[foot] = f->t_us;
		} else if (a->first_loaded[foot]) {
			a->stance_done[foot] = 1;
		}
	}
}

START_TEST(xsensor_frame_statistics_match_the_vendor)
{
	struct xs_agreement a;
	struct run r;
	char path[512];
	double period_ms;
	int checked = 0;

	memset(&a, 0, sizeof a);
	run_file(sample(path, sizeof path, "xsensor_data.csv"), &r, xs_frame, &a);
	period_ms = 1000.0 / ins_import_info(r.imp)->rate_hz;
	fprintf(stderr,
		"check_vendor: XSENSOR %lu foot-frames: peak max |diff| %.4f %%; load max |diff| %.3f N, %.3f %% at "
		">= 50 N, %lu outside max(1 %%, 1 N); contact area (cells > 0) max %.3f %%, the analysis's "
		"(> 10 kPa) max %.1f %%\n",
		a.frames, 100 * a.max_peak_rel, a.max_load_abs, 100 * a.max_load_rel, a.load_outside,
		100 * a.max_cells_area_rel, 100 * a.max_ana_area_rel);
	ck_assert_uint_eq(a.frames, 202);
	ck_assert_double_le(a.max_peak_rel, 1e-5);
	ck_assert_uint_eq(a.load_outside, 0);
	ck_assert_double_le(a.max_load_rel, 0.01);
	ck_assert_double_le(a.max_cells_area_rel, 0.01);
	/* Stance: the analysis's contact..toe-off against the span of frames
	 * the vendor gives any load (+1 frame: the span counts from the first
	 * to the last loaded frame).  That span ends only when the last cell
	 * drops below XSENSOR's 6.9 kPa threshold, at the end of the unloading
	 * tail; the analysis's toe-off on calibrated insoles lies inside that
	 * tail (docs/analysis.md), so its stance may be shorter by up to two
	 * frames and never longer by more than one. */
	for (unsigned i = 0; i < r.n_steps; i++) {
		const struct ins_step *s = &r.steps[i];
		double vendor_ms = (a.last_loaded[s->foot] - a.first_loaded[s->foot]) / 1000.0 + period_ms;

		if (!a.stance_done[s->foot])
			continue;
		fprintf(stderr, "check_vendor: XSENSOR %s stance %.1f ms, vendor-loaded frames span %.1f ms "
			"(the file's Stance Time %.0f ms is of another step)\n", ins_foot_name(s->foot),
			s->m[INS_M_STANCE_MS], vendor_ms, 1000 * ins_import_info(r.imp)->ref_stance_s[s->foot]);
		ck_assert_double_le(s->m[INS_M_STANCE_MS] - vendor_ms, period_ms);
		ck_assert_double_le(vendor_ms - s->m[INS_M_STANCE_MS], 2 * period_ms);
		checked++;
	}
	ck_assert_int_ge(checked, 1);
	ck_assert_double_eq_tol(ins_import_info(r.imp)->ref_stance_s[INS_FOOT_LEFT], 0.545, 1e-9);
	ck_assert_double_eq_tol(ins_import_info(r.imp)->ref_stride_s[INS_FOOT_RIGHT], 1.118, 1e-9);
	run_free(&r);
}
END_TEST

/* F-Scan: force = sum(kPa x SENSEL_AREA), and the walk's force peaks are
 * those of walking for the calibration's 75 kg. */
struct fs_check {
	double max_sum_diff, peak_n;
};

static void fs_frame(void *arg, struct run *r, const struct ins_import_frame *f, const struct ins_frame_metrics *m)
{
	struct fs_check *c = arg;
	double sum = 0;

	(void)r;
	for (unsigned i = 0; i < f->n; i++)
		sum += f->values[i] * 25.8064 / 1000.0;
	c->max_sum_diff = fmax(c->max_sum_diff, fabs(sum - m->force_n));
	c->peak_n = fmax(c->peak_n, m->force_n);
}

START_TEST(fscan_and_pedar_totals_follow_pressures_and_areas)
{
	struct fs_check c = { 0, 0 };
	double bw = 75.0001 * STANDARD_GRAVITY;
	struct run r;
	char path[512];

	run_file(sample(path, sizeof path, "fscan_testL.asf"), &r, fs_frame, &c);
	fprintf(stderr, "check_vendor: F-Scan force vs sum(kPa x 25.8064 mm2): max |diff| %.4f N; peak %.0f N = "
		"%.2f x the calibration's 75 kg\n", c.max_sum_diff, c.peak_n, c.peak_n / bw);
	ck_assert_double_le(c.max_sum_diff, 0.01);
	/* walking: the force peaks at 1.0-1.4 body weights */
	ck_assert_double_ge(c.peak_n, 1.0 * bw);
	ck_assert_double_le(c.peak_n, 1.4 * bw);
	run_free(&r);
}
END_TEST

/* pedar99-y's areas are the published ones for insole type y. */
/* The sample with one pair of rows in every 20 swapped, as a Bluetooth
 * logger writes late packets: the same samples, in the same order. */
START_TEST(stappone_sample_with_rows_swapped_reads_as_the_sample)
{
	char path[512], copy[] = "/tmp/check_vendor_swapped.XXXXXX", err[512] = "";
	FILE *in = fopen(sample(path, sizeof path, "stappone_example.csv"), "rb");
	static char text[1 << 20], line[2][256];
	size_t n = in ? fread(text, 1, sizeof text - 1, in) : 0;
	int fd = mkstemp(copy);
	FILE *out = fd >= 0 ? fdopen(fd, "wb") : NULL;
	struct ins_import *a, *b;
	struct ins_import_frame fa, fb;
	unsigned long row = 0, frames = 0, swapped = 0;

	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	fclose(in);
	text[n] = '\0';
	for (char *p = text, *nl; (nl = strchr(p, '\n')) != NULL; p = nl + 1, row++) {
		snprintf(line[row % 2], sizeof line[0], "%.*s", (int)(nl - p), p);
		if (row % 20 == 10)
			continue; /* written after the next one */
		fprintf(out, "%s\n", line[row % 2]);
		if (row % 20 == 11)
			fprintf(out, "%s\n", line[(row - 1) % 2]), swapped++;
	}
	ck_assert_int_eq(fclose(out), 0);
	a = ins_import_open(path, NULL, err, sizeof err);
	b = ins_import_open(copy, NULL, err, sizeof err);
	ck_assert_msg(a && b, "%s", err);
	while (ins_import_next(a, &fa, err, sizeof err) == 1) {
		ck_assert_msg(ins_import_next(b, &fb, err, sizeof err) == 1, "%s", err);
		ck_assert_int_eq(fa.t_us, fb.t_us);
		ck_assert_uint_eq(fb.gap, 0);
		for (unsigned i = 0; i < fa.n; i++)
			ck_assert_float_eq(fa.values[i], fb.values[i]);
		frames++;
	}
	ck_assert_msg(ins_import_next(b, &fb, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(frames, 4575);
	ck_assert_uint_eq(ins_import_info(b)->reordered[INS_FOOT_LEFT], swapped);
	ck_assert_uint_gt(swapped, 200);
	ins_import_close(a);
	ins_import_close(b);
	unlink(copy);
}
END_TEST

START_TEST(pedar_layout_areas_are_the_published_table)
{
	FILE *fp;
	char line[256], path[512];
	char err[256];
	struct ins_layout *lay;
	unsigned i = 0;

	fp = fopen(sample(path, sizeof path, "pedar_insole_areas.csv"), "r");
	ck_assert_ptr_nonnull(fp);
	lay = ins_layout_load_named(LAYOUT_DIR, "pedar99-y", err, sizeof err);
	ck_assert_msg(lay != NULL, "%s", err);
	ck_assert_ptr_nonnull(fgets(line, sizeof line, fp)); /* "u","v","w","x","y",... */
	while (fgets(line, sizeof line, fp)) {
		double a[5];

		ck_assert_int_eq(sscanf(line, "%lf,%lf,%lf,%lf,%lf", &a[0], &a[1], &a[2], &a[3], &a[4]), 5);
		ck_assert_uint_lt(i, lay->n_sensors);
		ck_assert_double_eq_tol(lay->sensors[i].area_mm2, a[4], 1e-3);
		i++;
	}
	ck_assert_uint_eq(i, 99);
	fclose(fp);
	ins_layout_free(lay);
}
END_TEST

/* ---- the small fixtures (also the fuzz target's seeds) ------------------ */

#define FIXTURES INS_TEST_SRCDIR "/tests/fixtures/import/"

static struct ins_import *open_fixture(const char *name, const char *format)
{
	char err[512] = "";
	struct ins_import *imp = ins_import_open(name, NULL, err, sizeof err);

	ck_assert_msg(imp != NULL, "%s", err);
	ck_assert_str_eq(ins_import_info(imp)->format, format);
	return imp;
}

START_TEST(fixtures_read_exactly)
{
	char err[512];
	struct ins_import *imp;
	struct ins_import_frame f;
	unsigned long n[INS_FOOT_COUNT] = { 0, 0 };

	imp = open_fixture(FIXTURES "pedar_small.asc", "pedar");
	ck_assert_uint_eq(ins_import_info(imp)->feet, 1u << INS_FOOT_LEFT);
	ck_assert_str_eq(ins_import_info(imp)->start, "25.04.23 10.49");
	while (ins_import_next(imp, &f, err, sizeof err) == 1)
		n[f.foot]++;
	ck_assert_uint_eq(n[INS_FOOT_LEFT], 3);
	ck_assert_int_eq(f.t_us, 30000);
	ck_assert_float_eq(f.values[4], 30.0f); /* (4 x 3 x 2.5) % 300 */
	ins_import_close(imp);

	imp = open_fixture(FIXTURES "fscan_small.asf", "fscan");
	ck_assert_uint_eq(ins_import_info(imp)->feet, 1u << INS_FOOT_LEFT); /* walkL.fsx */
	ck_assert_double_eq_tol(ins_import_info(imp)->rate_hz, 31.25, 1e-9);
	/* no layout file is of a 3 x 4 sheet: the file's own grid is the layout */
	ck_assert_str_eq(ins_import_info(imp)->layout[INS_FOOT_LEFT], "sheet3x4-5080um");
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 1);
	/* layout row 0 = the file's last row (B,107,B), row 3 = its first */
	ck_assert_float_eq(f.values[1], 107.0f);
	ck_assert_float_eq(f.values[3], 36.0f);
	ck_assert_float_eq(f.values[9], 0.0f);
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 1);
	ck_assert_int_eq(f.t_us, 32000);
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 0);
	ins_import_close(imp);

	imp = open_fixture(FIXTURES "xsensor_small.csv", "xsensor");
	ck_assert_uint_eq(ins_import_info(imp)->feet, 3);
	ck_assert_str_eq(ins_import_info(imp)->start, "2022 Aug 16 08:21:17.982");
	ck_assert_str_eq(ins_import_info(imp)->layout[INS_FOOT_LEFT], "sheet2x3-8600um");
	ck_assert_str_eq(ins_import_info(imp)->layout[INS_FOOT_RIGHT], "sheet2x3-8600um");
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 1);
	ck_assert_uint_eq(f.foot, INS_FOOT_LEFT);
	ck_assert_float_eq_tol(f.ref_peak_kpa, 397.56 * MMHG_KPA, 1e-3);
	ck_assert_float_eq_tol(f.ref_force_n, 7.2f, 1e-6);
	ck_assert_float_eq_tol(f.values[0], 397.56 * MMHG_KPA, 1e-3); /* last file row, first column */
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 1);
	ck_assert_uint_eq(f.foot, INS_FOOT_RIGHT);
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 1);
	ck_assert_int_eq(f.t_us, 13000);
	ins_import_close(imp);

	imp = open_fixture(FIXTURES "stappone_small.csv", "stappone");
	ck_assert_uint_eq(ins_import_info(imp)->feet, 3);
	ck_assert_str_eq(ins_import_info(imp)->start, "2026-01-15T16:36:19.568Z");
	ck_assert_str_eq(ins_import_info(imp)->feet_from, "sole_id 1 = left, sole_id 2 = right");
	n[0] = n[1] = 0;
	while (ins_import_next(imp, &f, err, sizeof err) == 1) {
		n[f.foot]++;
		if (f.foot == INS_FOOT_RIGHT && f.t_us == 48000)
			ck_assert_uint_eq(f.gap, 1); /* the corrupt sample before it */
	}
	ck_assert_uint_eq(n[INS_FOOT_LEFT], 4);
	ck_assert_uint_eq(n[INS_FOOT_RIGHT], 3);
	ck_assert_float_eq(f.values[11], 413.0f);
	ins_import_close(imp);
}
END_TEST

/* ---- damaged files ---------------------------------------------------- */

static char tmpdir[64];

static void tmp_setup(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/check_vendor.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void tmp_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *write_tmp(const char *name, const char *text)
{
	static char path[256];
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	fp = fopen(path, "wb");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	ck_assert_int_eq(fclose(fp), 0);
	return path;
}

#define FSCAN_HEAD "DATA_TYPE MOVIE\nROWS 2\nCOLS 3\nROW_SPACING 5.08 mm\nCOL_SPACING 5.08 mm\n" \
	"SECONDS_PER_FRAME 0.01\nUNITS KPa\nASCII_DATA @@\n\n"
#define XS_HEAD "\xef\xbb\xbf" "File:,x.XSN,,\n,,,\nUnits:,mmHg,,\n,,,\n"
#define XS_FRAME(n, t) "FRAME," #n ",,\n,,,\nDate, 2022 Aug 16,,\nTime, " t ",,\nSENSOR,M-LF S1,,\n" \
	"Rows,2,,\nColumns,2,,\nSensel Width (cm),0.86,,\nSensel Height (cm),0.86,,\nSENSELS,,,\n,,,\n"
#define ST_HEAD "sole_id,timestamp,pressure_01,pressure_02,corrupt\n"
#define PEDAR_NOROWS "File name:  x.sol\nscanning rate [Hz]:   100\npressure values in  kPa\nleft insole: 1,\n" \
	  "time[secs]\t1\t2\t3\t4\t5\t6\t7\t8\t9\t10\t11\t12\t13\t14\t15\t16\t17\t18\t19\t20\t21\t22\t23\t24\t25" \
	  "\t26\t27\t28\t29\t30\t31\t32\t33\t34\t35\t36\t37\t38\t39\t40\t41\t42\t43\t44\t45\t46\t47\t48\t49\t50" \
	  "\t51\t52\t53\t54\t55\t56\t57\t58\t59\t60\t61\t62\t63\t64\t65\t66\t67\t68\t69\t70\t71\t72\t73\t74\t75" \
	  "\t76\t77\t78\t79\t80\t81\t82\t83\t84\t85\t86\t87\t88\t89\t90\t91\t92\t93\t94\t95\t96\t97\t98\t99\t\n"

static const struct bad_case {
	const char *name, *text, *want; /* want: the message after "path:" */
	unsigned long frames;           /* good frames read before the error */
} bad_cases[] = {
	/* a frame cut short is named at the line where its row is missing */
	{ "trunc.asf", FSCAN_HEAD "Frame 1\n1,2,B\n3,4,5\n\nFrame 2\n1,2,3\n@@\n",
	  ":16: frame 2 row 2: '@@' (the end of the data), after 1 of 2 rows: frame 2 is truncated", 1 },
	{ "blank.asf", FSCAN_HEAD "Frame 1\n1,2,B\n3,4,5\n\nFrame 2\n1,2,3\n\n4,5,6\n@@\n",
	  ":16: frame 2 row 2: a blank line, after 1 of 2 rows: frame 2 is truncated", 1 },
	{ "next.asf", FSCAN_HEAD "Frame 1\n1,2,B\nFrame 2\n1,2,3\n4,5,6\n@@\n",
	  ":12: frame 1 row 2: the next 'Frame' line, after 1 of 2 rows: frame 1 is truncated", 0 },
	{ "eof.asf", FSCAN_HEAD "Frame 1\n1,2,B\n3,4,5\n\nFrame 2\n1,2,3\n",
	  ":16: frame 2 row 2: the file ends here, after 1 of 2 rows: frame 2 is truncated", 1 },
	{ "cells.asf", FSCAN_HEAD "Frame 1\n1,2,B\n3,4\n", ":12: frame 1 row 2 column 3: the row has 2 values, COLS is 3", 0 },
	/* a movie a spreadsheet saved again with another separator is named so */
	{ "fsemi.asf", FSCAN_HEAD "Frame 1\n1;2;B\n3;4;5\n", ":11: frame 1 row 1: the values are separated by ';', not "
	  "',': a spreadsheet re-saved the movie; export it again, or save it as CSV with ','", 0 },
	{ "ftab.asf", FSCAN_HEAD "Frame 1\n1\t2\tB\n3\t4\t5\n", ":11: frame 1 row 1: the values are separated by tabs", 0 },
	{ "fpad.asf", "DATA_TYPE MOVIE;;;\nROWS 2;;;\n", ":1: the lines end in ';': a spreadsheet re-saved the movie with "
	  "';' between values", 0 },
	{ "units.asf", "DATA_TYPE MOVIE\nROWS 2\nCOLS 3\nUNITS furlongs\n", ":4: UNITS: 'furlongs' is not supported", 0 },
	{ "mirror.asf", "DATA_TYPE MOVIE\nROWS 2\nMIRROR_COL yes\n", ":3: MIRROR_COL: 'yes' is neither 0 nor 1", 0 },
	{ "spacing.asf", "DATA_TYPE MOVIE\nROWS 2\nROW_SPACING 5 furlongs\n",
	  ":3: ROW_SPACING: unit 'furlongs' is not a length (mm, cm, inches)", 0 },
	{ "frame.asf", FSCAN_HEAD "Frame 1; 0\n1,2,B\n3,4,5\n", ":10: expected 'Frame N' or the closing '@@', found 'Frame 1; 0'", 0 },
	{ "cr.asf", FSCAN_HEAD "Frame 1\n1,2,B\r\n3,4,5\n\nFrame 2\n1,2\r3\n",
	  ":15: carriage return (CR) alone at column 4: lines must end with LF or CRLF", 1 },
	{ "nouse.asf", FSCAN_HEAD "Frame 1\n1,\xff,B\n", ":11: frame 1 row 1 column 2: '?' is not a number", 0 },
	{ "empty.csv", XS_HEAD, ":4: a header but no frames (no 'FRAME' line)", 0 },
	{ "xtrunc.csv", XS_HEAD XS_FRAME(1, "08:00:00.000") "1,2,,\n,,,\n3,4,,\n" XS_FRAME(2, "08:00:00.010") "1,2,,\n",
	  ":31: frame 2 left row 2: the file ends here, after 1 of 2 rows: the frame's left insole is truncated", 1 },
	{ "xnext.csv", XS_HEAD XS_FRAME(1, "08:00:00.000") "1,2,,\n,,,\n" XS_FRAME(2, "08:00:00.010") "1,2,,\n3,4,,\n",
	  ":18: frame 1 left row 2: 'FRAME,2,,' is not a row of values, after 1 of 2 rows: the frame's left insole "
	  "is truncated", 0 },
	/* found by fuzz_import: each count within bounds, their product not */
	{ "xgrid.csv", XS_HEAD "FRAME,1,,\nTime, 08:00:00.000,,\nSENSOR,M-LF S1,,\nRows,3092,,\nColumns,2,,\nSENSELS,,,\n",
	  ":10: SENSELS: Rows 3092 x Columns 2 is more than the 4096 sensels an insole may have", 0 },
	{ "xunits.csv", "File:,x,,\nUnits:,bar,,\n", ":2: Units: 'bar' is not supported (mmHg, kPa, PSI, N/cm2)", 0 },
	{ "xfeet.csv", XS_HEAD "FRAME,1,,\nTime, 08:00:00.000,,\nSENSOR,M-LF S1,,\nSensel Width (ft),0.03,,\n",
	  ":8: Sensel Width (ft): unit '(ft)' is not a length (cm, mm, in)", 0 },
	{ "xcells.csv", XS_HEAD XS_FRAME(1, "08:00:00.000") "1,2,5,\n,,,\n3,4,,\n",
	  ":16: frame 1 left row 1 has more than the 2 values of Columns", 0 },
	{ "sempty.csv", ST_HEAD, ":1: a header but no samples", 0 },
	{ "scells.csv", ST_HEAD "1,1000,5,6,0\r\n1,1016,5,6,0\n1,1032,5,0\n", ":4: 4 fields, the header names 5", 2 },
	/* values no sensor gives, each named */
	{ "fnan.asf", FSCAN_HEAD "Frame 1\n1,NaN,B\n", ":11: frame 1 row 1 column 2: 'NaN' is not a number", 0 },
	{ "xinf.csv", XS_HEAD XS_FRAME(1, "08:00:00.000") "1,inf,,\n", ":16: frame 1 left row 1 column 2: 'inf' is not a number",
	  0 },
	{ "sneg.csv", ST_HEAD "1,1000,5,6,0\n1,1016,-5,6,0\n",
	  ":3: pressure_01: -5 is not a raw value (a whole number 0..65535)", 1 },
	{ "sbig.csv", ST_HEAD "1,1000,5,6,0\n1,1016,1e400,6,0\n",
	  ":3: pressure_01: '1e400' is beyond any insole (at most 1e+07 in magnitude): a damaged file?", 1 },
	{ "sutf.csv", ST_HEAD "1,1000,5,6,0\n1,1016,\xc3\x28,6,0\n", ":3: pressure_01: '?(' is not a number", 1 },
	{ "schan2.csv", ST_HEAD "1,1000,5,6,0\n1,1016,7,x,0\n", ":3: pressure_02: 'x' is not a number", 1 },
	{ "stime.csv", ST_HEAD "1,1000,5,6,0\n1,10 16,7,8,0\n", ":3: timestamp: '10 16' is not a number", 1 },
	{ "ssole.csv", ST_HEAD "3,1000,5,6,0\n", ":2: sole_id: 3 is not an insole (1 = left, 2 = right)", 0 },
	/* timestamps in seconds would make a 62.5 kHz insole of a 1 min walk */
	{ "ssec.csv", ST_HEAD "1,1768494979.568,5,6,0\n1,1768494979.584,7,8,0\n",
	  ":3: timestamp: 0.016 ms after the insole's sample before it (62500 Hz), faster than any insole samples: "
	  "timestamps are milliseconds since 1970, not seconds", 0 },
	{ "schan.csv", "sole_id,timestamp,pressure_01,pressure_03\n1,1000,5,6\n",
	  ":1: column 'pressure_02' is missing (pressure_01..pressure_03 named)", 0 },
	{ "stwice.csv", "sole_id,timestamp,pressure_01,pressure_01\n1,1000,5,6\n", ":1: column 'pressure_01' appears twice", 0 },
	{ "pempty.asc", "File name:  x.sol\tdate/time  25.04.23 10.49\nsensor type:  y-1\n"
	  "scanning rate [Hz]:   100\npressure values in  kPa\nleft insole: 1,\n",
	  ":5: the header ends without a 'time[secs]' line naming the columns", 0 },
	{ "fempty.asf", FSCAN_HEAD "@@\n", ":10: a header but no frames", 0 },
	{ "pnorows.asc", PEDAR_NOROWS, ":5: a header but no rows", 0 },
	/* the last row may end without a line end, a header line may not: it is cut */
	{ "pcut.asc", "File name:  x.sol\nscanning rate [Hz]:   100\npressure values in  kP",
	  ":3: truncated file: the header ends inside this line, before any row", 0 },
	/* numbers written with a decimal comma are refused saying what to do */
	{ "pcomma.asc", PEDAR_NOROWS "0,01\t", ":6: time[secs]: '0,01' is not a number: a decimal comma? Numbers "
	  "need '.' as the decimal point: export the file again with '.'", 0 },
	{ "fcomma.asf", "DATA_TYPE MOVIE\nROWS 2\nCOLS 3\nSECONDS_PER_FRAME 0,01\n",
	  ":4: SECONDS_PER_FRAME: '0,01' is not a positive number: a decimal comma?", 0 },
	{ "fcomma2.asf", "DATA_TYPE MOVIE\nROWS 2\nCOLS 3\nROW_SPACING 5,08 mm\n",
	  ":4: ROW_SPACING: '5,08 mm' is not a positive number: a decimal comma?", 0 },
	/* a vendor CSV re-saved by a spreadsheet with another separator */
	{ "ssemi.csv", "sole_id;timestamp;pressure_01\n1;1000;5\n",
	  ":1: this stappone export has its fields separated by ';', not ',' (first line "
	  "'sole_id;timestamp;pressure_01'): a spreadsheet re-saved it; save it again as CSV", 0 },
	{ "ssemi2.csv", "timestamp;sole_id;pressure_01\n1000;1;5\n",
	  ":1: this stappone export has its fields separated by ';', not ',' (first line "
	  "'timestamp;sole_id;pressure_01'): a spreadsheet re-saved it; save it again as CSV", 0 },
	{ "xtab.csv", "File:\tx.XSN\n", ":1: this xsensor export has its fields separated by tabs", 0 },
	{ "punits.asc", "File name:  x.sol\npressure values in  psi\n",
	  ":2: pressure values in: unit 'psi' is not supported (kPa, N/cm2, MPa)", 0 },
};

/* A pedar file of one insole, or both, whose header states `rate` Hz and
 * whose `rows` rows are `interval_s` apart, the last with `last_values`
 * sensor values of the 99 per insole. */
static const char *pedar_file(unsigned insoles, const char *rate, double interval_s, unsigned rows,
			      unsigned last_values)
{
	static char text[8192];
	size_t n = (size_t)snprintf(text, sizeof text,
				    "File name:  x.sol\tdate/time  25.04.23 10.49\nsensor type:  y-1\n"
				    "scanning rate [Hz]:   %s\npressure values in  kPa\nleft insole: 1,\n%s"
				    "time[secs]\t", rate, insoles == 2 ? "right insole: 1,\n" : "");

	for (unsigned i = 1; i <= 99 * insoles; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "%u\t", (i - 1) % 99 + 1);
	for (unsigned row = 1; row <= rows; row++) {
		n += (size_t)snprintf(text + n, sizeof text - n, "\n%.5f\t", row * interval_s);
		for (unsigned i = 0; i < (row < rows ? 99 * insoles : last_values); i++)
			n += (size_t)snprintf(text + n, sizeof text - n, " 2.5\t");
	}
	snprintf(text + n, sizeof text - n, "\n");
	return text;
}

/* A pedar file at 100 Hz whose second row has `values` sensor values. */
static const char *pedar_short_row(unsigned insoles, unsigned values)
{
	return pedar_file(insoles, "100", 0.01, 2, values);
}

static void expect_error(const char *path, const char *want, unsigned long want_frames)
{
	char err[512] = "";
	struct ins_import *imp = ins_import_open(path, NULL, err, sizeof err);
	struct ins_import_frame f;
	unsigned long frames = 0;
	int rc = -1;

	if (imp) {
		while ((rc = ins_import_next(imp, &f, err, sizeof err)) == 1)
			frames++;
		ins_import_close(imp);
	}
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(strncmp(err, path, strlen(path)) == 0 && strstr(err, want) == err + strlen(path),
		      "got '%s', want '%s%s'", err, path, want);
	ck_assert_uint_eq(frames, want_frames);
}

START_TEST(damaged_files_name_file_line_and_field_and_keep_good_frames)
{
	const struct bad_case *c = &bad_cases[_i];

	expect_error(write_tmp(c->name, c->text), c->want, c->frames);
}
END_TEST

/* A recording of one insole whose mask definition has the other insole's
 * line with no sensor on it: the rows hold the one insole's 99 values. */
START_TEST(pedar_insole_with_no_sensors_listed_is_absent)
{
	char text[4096], err[256];
	const char *file = pedar_short_row(1, 98), *one = strstr(file, "left insole: 1,\n");
	struct ins_import *imp;
	struct ins_import_frame f;

	ck_assert_ptr_nonnull(one);
	snprintf(text, sizeof text, "%.*sleft insole: 1,\nright insole: \t\n%s", (int)(one - file), file,
		 one + strlen("left insole: 1,\n"));
	imp = ins_import_open(write_tmp("one.asc", text), NULL, err, sizeof err);
	ck_assert_msg(imp != NULL, "%s", err);
	ck_assert_uint_eq(ins_import_info(imp)->feet, 1u << INS_FOOT_LEFT);
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 1);
	ck_assert_float_eq(f.values[98], 2.5f);
	ins_import_close(imp);
}
END_TEST

/* A sensor type that is none of the known pedar insoles suggests no
 * layout, and the import's refusal says which type the file gave. */
START_TEST(pedar_unknown_insole_type_is_named_when_no_layout_is_known)
{
	char text[8192], err[512];
	const char *file = pedar_short_row(1, 99), *type = strstr(file, "sensor type:  y-1\n");
	struct ins_layout *none[INS_FOOT_COUNT] = { NULL, NULL };
	struct ins_import *imp;

	ck_assert_ptr_nonnull(type);
	snprintf(text, sizeof text, "%.*ssensor type:  Z9-1865l\n%s", (int)(type - file), file,
		 type + strlen("sensor type:  y-1\n"));
	imp = ins_import_open(write_tmp("z.asc", text), NULL, err, sizeof err);
	ck_assert_msg(imp != NULL, "%s", err);
	ck_assert_str_eq(ins_import_info(imp)->layout[INS_FOOT_LEFT], "");
	ck_assert_int_eq(ins_import_check_layouts(imp, none, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "/z.asc: no layout for the left foot (its sensor type 'Z9' is none of the pedar "
				  "insoles known: u, v, w, x, y, uw, xw, vw)"), "%s", err);
	ins_import_close(imp);
}
END_TEST

/* A row cut short names the first sensor it lacks, by insole and number,
 * as a value that is not a number is named. */
START_TEST(pedar_short_row_names_the_first_missing_sensor)
{
	expect_error(write_tmp("right.asc", pedar_short_row(2, 197)),
		     ":9: 197 of 198 sensor values: the row is cut short before the right insole's sensor 99", 2);
	expect_error(write_tmp("left.asc", pedar_short_row(2, 50)),
		     ":9: 50 of 198 sensor values: the row is cut short before the left insole's sensor 51", 2);
	expect_error(write_tmp("one.asc", pedar_short_row(1, 98)),
		     ":8: 98 of 99 sensor values: the row is cut short before the left insole's sensor 99", 1);
}
END_TEST

/* The header's scanning rate against the rows' clock: where they differ
 * by more than 1 %, the rows' times are the frames' and their rate the
 * one missing samples are counted at, and a caution names both rates;
 * where they agree, nothing is said and the header's rate stands. */
START_TEST(pedar_header_rate_unlike_the_rows_is_a_caution)
{
	static const struct {
		const char *rate;
		double interval_s, want_hz;
		const char *want;
	} cases[] = {
		{ "100", 0.01, 100, "" },
		{ "99.5", 0.01, 99.5, "" },
		{ "50", 0.01, 100,
		  "the header's scanning rate is 50 Hz, but the rows' times are 0.01 s apart (100 Hz): the figures use "
		  "the rows' clock, 100 Hz, not the header's rate" },
		{ "100", 0.02, 50,
		  "the header's scanning rate is 100 Hz, but the rows' times are 0.02 s apart (50 Hz): the figures use "
		  "the rows' clock, 50 Hz, not the header's rate" },
	};
	struct ins_layout *none[INS_FOOT_COUNT] = { NULL, NULL };
	char err[256], caution[INS_IMPORT_CAUTION_MAX];

	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ins_import *imp = ins_import_open(write_tmp("rate.asc", pedar_file(1, cases[i].rate,
											  cases[i].interval_s, 4, 99)),
							 NULL, err, sizeof err);
		struct ins_import_frame f;

		ck_assert_msg(imp != NULL, "%s", err);
		ck_assert_double_eq_tol(ins_import_info(imp)->rate_hz, cases[i].want_hz, 1e-9);
		ins_import_caution(imp, none, caution, sizeof caution);
		ck_assert_str_eq(caution, cases[i].want);
		for (unsigned k = 0; k < 4; k++) {
			ck_assert_msg(ins_import_next(imp, &f, err, sizeof err) == 1, "%s", err);
			ck_assert_int_eq(f.t_us, llround((k + 1) * cases[i].interval_s * 1e6));
			ck_assert_uint_eq(f.gap, 0);
		}
		ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 0);
		ins_import_close(imp);
	}
}
END_TEST

/* LF and CRLF mixed in one file read alike. */
START_TEST(mixed_line_ends_read)
{
	char err[256];
	const char *path = write_tmp("mixed.csv", ST_HEAD "1,1000,5,6,0\r\n1,1016,7,8,0\n2,1016,1,2,0\r\n");
	struct ins_import *imp = ins_import_open(path, NULL, err, sizeof err);
	struct ins_import_frame f;

	ck_assert_msg(imp != NULL, "%s", err);
	ck_assert_str_eq(ins_import_info(imp)->format, "stappone");
	ck_assert_uint_eq(ins_import_info(imp)->feet, 3);
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 1);
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 1);
	ck_assert_float_eq(f.values[1], 8);
	ck_assert_int_eq(f.t_us, 16000);
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 1);
	ck_assert_uint_eq(f.foot, INS_FOOT_RIGHT);
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 0);
	ins_import_close(imp);
}
END_TEST

/* R's write.csv (the pressuRe package is R) and spreadsheets quote the
 * column names of a stappone table, not its numbers; blanks after the
 * commas are read past too. */
/* A stappone file of one insole and two sensors, detected by its columns,
 * whose second sample (16 ms after the first) holds 7 and 8. */
static void expect_two_stappone_samples(const char *path, unsigned foot)
{
	char err[256];
	struct ins_import *imp = ins_import_open(path, NULL, err, sizeof err);
	struct ins_import_frame f;

	ck_assert_msg(imp != NULL, "%s", err);
	ck_assert_str_eq(ins_import_info(imp)->format, "stappone");
	ck_assert_uint_eq(ins_import_info(imp)->feet, 1u << foot);
	ck_assert_uint_eq(ins_import_info(imp)->n_sensors[foot], 2);
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 1);
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 1);
	ck_assert_float_eq(f.values[0], 7);
	ck_assert_float_eq(f.values[1], 8);
	ck_assert_int_eq(f.t_us, 16000);
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 0);
	ins_import_close(imp);
}

START_TEST(stappone_quoted_column_names_read)
{
	expect_two_stappone_samples(write_tmp("r.csv", "\"sole_id\",\"timestamp\", \"pressure_01\" ,\"pressure_02\","
					      "corrupt\n1,1000,5,6,0\n1, 1016, 7, 8, 0\n"),
				    INS_FOOT_LEFT);
}
END_TEST

/* The columns are found by name, so a logger or a spreadsheet that wrote
 * them in another order, or put columns of its own first, makes a file
 * that is still recognised as stappone and read by name. */
START_TEST(stappone_columns_in_another_order_are_recognised)
{
	expect_two_stappone_samples(write_tmp("order.csv", "battery,timestamp,\"pressure_02\", sole_id ,pressure_01\n"
					      "87,1000,6,2,5\n86,1016,8,2,7\n"),
				    INS_FOOT_RIGHT);
}
END_TEST

/* A row cut short names the first column it lacks as the header does,
 * whatever the column holds; a column the header leaves unnamed (a header
 * ending in a comma) is said to be one. */
START_TEST(stappone_short_row_names_the_first_missing_column)
{
	expect_error(write_tmp("short.csv", "sole_id,timestamp,accel_x,pressure_01,pressure_02,corrupt\n"
			       "1,1000,0.5,5,6,0\n1,1016,0.5,5\n"),
		     ":3: 4 fields, the header names 6: the row ends before column 5, 'pressure_02'", 1);
	expect_error(write_tmp("accel.csv", "sole_id,timestamp,pressure_01,\"accel_x\"\n1,1000,5,0.5\n1,1016,5\n"),
		     ":3: 3 fields, the header names 4: the row ends before column 4, 'accel_x'", 1);
	expect_error(write_tmp("unnamed.csv", "sole_id,timestamp,pressure_01,pressure_02,corrupt,\n1,1000,5,6,0\n"),
		     ":2: 5 fields, the header names 6: the row ends before column 6, which the header leaves unnamed",
		     0);
}
END_TEST

/* The sum of the first frame's values of a file, in kPa. */
static double first_frame_sum(const char *path)
{
	char err[256];
	struct ins_import *imp = ins_import_open(path, NULL, err, sizeof err);
	struct ins_import_frame f;
	double sum = 0;

	ck_assert_msg(imp != NULL, "%s", err);
	ck_assert_msg(ins_import_next(imp, &f, err, sizeof err) == 1, "%s", err);
	for (unsigned i = 0; i < f.n; i++)
		sum += f.values[i];
	ins_import_close(imp);
	return sum;
}

/* A pressure unit per cm² is read however the file writes the square: the
 * ² in UTF-8, the one byte 0xb2 of Windows-1252 (what a Windows program
 * such as the pedar software writes, or saves a UTF-8 export in again),
 * 2 or ^2; the values are converted as for the unit's plain spelling. */
START_TEST(units_per_square_centimetre_read_however_the_square_is_written)
{
	static const struct {
		const char *fixture, *unit_line, *unit_prefix;
		double factor;    /* the unit in kPa over the fixture's unit in kPa */
	} files[] = {
		{ "pedar_small.asc", "pressure values in  kPa", "pressure values in  N", 10.0 },
		{ "fscan_small.asf", "UNITS KPa", "UNITS Kg", 98.0665 },
		{ "fscan_small.asf", "UNITS KPa", "UNITS N", 10.0 },
		{ "xsensor_small.csv", "Units:,mmHg", "Units:,N", 10.0 / MMHG_KPA },
	};
	static const char *const squares[] = { "/cm\xb2", "/cm\xc2\xb2", "/cm2", "/cm^2" };

	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char path[512], *text, *at, edited[8192];
		size_t len;
		double plain;

		snprintf(path, sizeof path, FIXTURES "%s", files[i].fixture);
		text = test_read_file(path, &len);
		plain = first_frame_sum(path);
		ck_assert_double_gt(plain, 0);
		ck_assert_ptr_nonnull(at = strstr(text, files[i].unit_line));
		for (size_t k = 0; k < sizeof squares / sizeof squares[0]; k++) {
			snprintf(edited, sizeof edited, "%.*s%s%s%s", (int)(at - text), text, files[i].unit_prefix, squares[k],
				 at + strlen(files[i].unit_line));
			ck_assert_double_eq_tol(first_frame_sum(write_tmp(files[i].fixture, edited)),
						plain * files[i].factor, 1e-4 * plain * files[i].factor);
		}
		free(text);
	}
}
END_TEST

/* An insole whose clock was never set counts milliseconds since it
 * started: its timestamps are no date, and the recording is undated rather
 * than dated January 1970; a set clock dates it. */
START_TEST(stappone_clock_never_set_gives_no_date)
{
	char err[256];
	struct ins_import *imp = ins_import_open(write_tmp("boot.csv", ST_HEAD "1,5000,5,6,0\n1,5016,7,8,0\n"), NULL, err,
						  sizeof err);

	ck_assert_msg(imp != NULL, "%s", err);
	ck_assert_str_eq(ins_import_info(imp)->start, "");
	ins_import_close(imp);
	imp = ins_import_open(write_tmp("set.csv", ST_HEAD "1,1768494979568,5,6,0\n"), NULL, err, sizeof err);
	ck_assert_msg(imp != NULL, "%s", err);
	ck_assert_str_eq(ins_import_info(imp)->start, "2026-01-15T16:36:19.568Z");
	ins_import_close(imp);
}
END_TEST

/* A stappone sample expected from a reader, with the row it came from. */
struct st_want {
	unsigned foot;
	int64_t t_us;
	unsigned long line;
};

/* The n samples of want in their order, then the end of the file; each
 * sample's first value is its timestamp - 990 ms, so values travel with
 * their time. */
static void expect_stappone_samples(struct ins_import *imp, const struct st_want *want, unsigned n)
{
	struct ins_import_frame f;
	char err[256];

	for (unsigned k = 0; k < n; k++) {
		ck_assert_msg(ins_import_next(imp, &f, err, sizeof err) == 1, "frame %u: %s", k, err);
		ck_assert_uint_eq(f.foot, want[k].foot);
		ck_assert_int_eq(f.t_us, want[k].t_us);
		ck_assert_uint_eq(f.line, want[k].line);
		ck_assert_uint_eq(f.gap, 0);
		ck_assert_float_eq(f.values[0], (float)(f.t_us / 1000 + 10));
	}
	ck_assert_msg(ins_import_next(imp, &f, err, sizeof err) == 0, "%s", err);
}

/* The corrupt flags as a table library re-saves them (pandas: True and
 * False, in any case): a True row is a dropped sample, as a 1 is. */
START_TEST(stappone_corrupt_flags_written_as_words_read)
{
	const char *path = write_tmp("flags.csv", ST_HEAD "1,1768494980000,10,1,False\n1,1768494980016,26,1,TRUE\n"
				     "1,1768494980032,42,1,false\n1,1768494980048,58,1,0\n");
	static const struct { int64_t t_us; unsigned long line; uint32_t gap; } want[] = {
		{ 0, 2, 0 }, { 32000, 4, 1 }, { 48000, 5, 0 },
	};
	struct ins_import_frame f;
	char err[256];
	struct ins_import *imp = ins_import_open(path, NULL, err, sizeof err);

	ck_assert_msg(imp != NULL, "%s", err);
	for (unsigned k = 0; k < sizeof want / sizeof want[0]; k++) {
		ck_assert_msg(ins_import_next(imp, &f, err, sizeof err) == 1, "frame %u: %s", k, err);
		ck_assert_int_eq(f.t_us, want[k].t_us);
		ck_assert_uint_eq(f.line, want[k].line);
		ck_assert_uint_eq(f.gap, want[k].gap);
		ck_assert_float_eq(f.values[0], (float)(f.t_us / 1000 + 10));
	}
	ck_assert_msg(ins_import_next(imp, &f, err, sizeof err) == 0, "%s", err);
	ins_import_close(imp);
	/* another word is no flag */
	path = write_tmp("yes.csv", ST_HEAD "1,1768494980000,10,1,yes\n");
	imp = ins_import_open(path, NULL, err, sizeof err);
	ck_assert_msg(imp == NULL || ins_import_next(imp, &f, err, sizeof err) < 0, "yes read as a flag");
	ck_assert_msg(strstr(err, "yes.csv:2: corrupt: 'yes' is not a number") != NULL, "%s", err);
	ins_import_close(imp);
}
END_TEST

/* Samples a Bluetooth logger wrote out of order: each insole's samples
 * come out in timestamp order, with their own rows, no gap, counted. */
START_TEST(stappone_samples_out_of_order_are_put_back)
{
	const char *path = write_tmp("late.csv", ST_HEAD "1,1768494980016,26,1,0\n2,1768494980000,10,2,0\n"
				     "1,1768494980000,10,1,0\n2,1768494980016,26,2,0\n1,1768494980048,58,1,0\n"
				     "1,1768494980032,42,1,0\n2,1768494980048,58,2,0\n2,1768494980032,42,2,0\n"
				     "1,1768494980064,74,1,0\n");
	static const struct st_want want[] = { { 0, 0, 4 }, { 1, 0, 3 }, { 0, 16000, 2 }, { 1, 16000, 5 },
					       { 0, 32000, 7 }, { 0, 48000, 6 }, { 1, 32000, 9 }, { 1, 48000, 8 },
					       { 0, 64000, 10 } };
	char err[256];
	struct ins_import *imp = ins_import_open(path, NULL, err, sizeof err);

	ck_assert_msg(imp != NULL, "%s", err);
	/* the start and the rate: the earliest sample and one period, not the first row's (16 ms later) and 32 ms */
	ck_assert_str_eq(ins_import_info(imp)->start, "2026-01-15T16:36:20.000Z");
	ck_assert_double_eq_tol(ins_import_info(imp)->rate_hz, 62.5, 1e-9);
	expect_stappone_samples(imp, want, sizeof want / sizeof want[0]);
	ck_assert_uint_eq(ins_import_info(imp)->reordered[INS_FOOT_LEFT], 2);
	ck_assert_uint_eq(ins_import_info(imp)->reordered[INS_FOOT_RIGHT], 1);
	ins_import_close(imp);
}
END_TEST

/* A packet the logger wrote twice is read once; two samples of one time
 * with different values are refused. */
START_TEST(stappone_sample_written_twice_is_read_once)
{
	char err[256];
	const char *path = write_tmp("twice.csv", ST_HEAD "1,1000,5,6,0\n1,1016,7,8,0\n1,1016,7,8,0\n1,1032,9,9,0\n");
	struct ins_import *imp = ins_import_open(path, NULL, err, sizeof err);
	struct ins_import_frame f;
	unsigned long frames = 0;
	int rc;

	ck_assert_msg(imp != NULL, "%s", err);
	while ((rc = ins_import_next(imp, &f, err, sizeof err)) == 1) {
		ck_assert_int_eq(f.t_us, 16000 * (int64_t)frames++);
		ck_assert_uint_eq(f.gap, 0);
	}
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_uint_eq(frames, 3);
	ck_assert_uint_eq(ins_import_info(imp)->repeated[INS_FOOT_LEFT], 1);
	ins_import_close(imp);
	expect_error(write_tmp("again.csv", ST_HEAD "1,1000,5,6,0\n1,1016,7,8,0\n1,1016,7,9,0\n"),
		     ":4: timestamp: 1016 ms again, as the left insole's sample of line 3, with other values: two "
		     "samples at one time", 2);
}
END_TEST

/* A file of the left insole's samples 16 ms apart, at 1000 + 16 * i ms
 * for i from first to last, each of value 1, then the row late. */
static const char *st_steady_then(const char *name, int first, int last, const char *late)
{
	char text[2048];
	size_t n = (size_t)snprintf(text, sizeof text, "%s", ST_HEAD);

	for (int i = first; i <= last; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "1,%d,1,1,0\n", 1000 + 16 * i);
	snprintf(text + n, sizeof text - n, "%s", late);
	return write_tmp(name, text);
}

/* A Bluetooth packet sent again after later samples: the same insole,
 * time and values as a sample already handed on, within the window late
 * samples are put back from, is read once and counted.  Other values at
 * that time are two samples at one time; the same sample further back is
 * no packet sent again. */
START_TEST(stappone_sample_sent_again_late_is_read_once)
{
	/* left 1016 again at line 8, right 1016 at line 10 */
	const char *path = write_tmp("resent.csv", ST_HEAD "1,1000,10,1,0\n2,1000,10,2,0\n1,1016,26,1,0\n"
				     "2,1016,26,2,0\n1,1032,42,1,0\n1,1048,58,1,0\n1,1016,26,1,0\n2,1032,42,2,0\n"
				     "2,1016,26,2,0\n1,1064,74,1,0\n");
	static const struct st_want want[] = { { 0, 0, 2 }, { 1, 0, 3 }, { 0, 16000, 4 }, { 1, 16000, 5 },
					       { 0, 32000, 6 }, { 0, 48000, 7 }, { 1, 32000, 9 }, { 0, 64000, 11 } };
	char err[256];
	struct ins_import *imp = ins_import_open(path, NULL, err, sizeof err);

	ck_assert_msg(imp != NULL, "%s", err);
	expect_stappone_samples(imp, want, sizeof want / sizeof want[0]);
	ck_assert_uint_eq(ins_import_info(imp)->repeated[INS_FOOT_LEFT], 1);
	ck_assert_uint_eq(ins_import_info(imp)->repeated[INS_FOOT_RIGHT], 1);
	ck_assert_uint_eq(ins_import_info(imp)->reordered[INS_FOOT_LEFT], 0);
	ins_import_close(imp);
	expect_error(write_tmp("resent2.csv", ST_HEAD "1,1000,10,1,0\n2,1000,10,2,0\n1,1016,26,1,0\n"
			       "2,1016,26,2,0\n1,1032,42,1,0\n1,1048,58,1,0\n1,1016,27,1,0\n"),
		     ":8: timestamp: 1016 ms again, as the left insole's sample of line 4, with other values: two "
		     "samples at one time", 6);
	/* 304 ms after it: beyond the 16 periods (256 ms) a late sample may be */
	expect_error(st_steady_then("resent3.csv", 0, 20, "1,1016,1,1,0\n"), ":23: timestamp: 1016 ms is not after "
		     "the left insole's sample of line 22 (1320 ms), and too far back for a sample written late", 21);
}
END_TEST

/* A timestamp before one already handed on is no late packet: refused at
 * its row, after every sample before it. */
START_TEST(stappone_clock_set_back_is_refused_at_its_row)
{
	expect_error(write_tmp("back.csv", ST_HEAD "1,5000,1,1,0\n1,5016,1,1,0\n1,5032,1,1,0\n1,4000,1,1,0\n"
			       "1,5048,1,1,0\n"),
		     ":5: timestamp: 4000 ms is not after the left insole's sample of line 4 (5032 ms), and too far back "
		     "for a sample written late (a clock set back, or two recordings joined?)", 3);
	/* a late sample beyond the rows read ahead is one too */
	expect_error(st_steady_then("late.csv", 1, 18, "1,1000,1,1,0\n"),
		     ":20: timestamp: 1000 ms is not after the left insole's sample of line 19 (1288 ms)", 18);
}
END_TEST

/* A right-foot F-Scan movie is mirrored onto the layout's columns, and the
 * toes (file row 1) land on the last layout row. */
START_TEST(fscan_grid_turns_into_layout_order)
{
	char err[256];
	/* "Frame N, ..." as some Tekscan versions write it: the rest is not the time */
	const char *path = write_tmp("walkR.asf", "DATA_TYPE MOVIE\nFILENAME C:\\m\\walkR.fsx\nROWS 2\nCOLS 3\n"
				     "SECONDS_PER_FRAME 0.5\nUNITS MPa\nASCII_DATA @@\n\n"
				     "Frame 3, 0,, 12/2/2019 6:21:52.34PM,,,Raw Sum=,,310\n1,2,B\n4,5,6\n@@\n");
	struct ins_import *imp = ins_import_open(path, NULL, err, sizeof err);
	struct ins_import_frame f;
	static const float want[] = { 6000, 5000, 4000, 0, 2000, 1000 };

	ck_assert_msg(imp != NULL, "%s", err);
	ck_assert_uint_eq(ins_import_info(imp)->feet, 1u << INS_FOOT_RIGHT);
	ck_assert_str_eq(ins_import_info(imp)->feet_from, "the movie's FILENAME ends in R");
	/* no ROW_SPACING / COL_SPACING: the sensel size, and so any layout, unknown */
	ck_assert_str_eq(ins_import_info(imp)->layout[INS_FOOT_RIGHT], "");
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 1);
	ck_assert_int_eq(f.t_us, 1000000);
	for (unsigned i = 0; i < 6; i++)
		ck_assert_float_eq(f.values[i], want[i]);
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 0);
	ins_import_close(imp);
}
END_TEST

/* A movie a spreadsheet saved again as CSV has every line padded with
 * commas to its widest row, and editors leave blanks at line ends: read
 * as the plain movie. */
/* A movie the Tekscan software shows mirrored is read as exported, and the
 * reader says which figures that may turn round (heel and toe, medial and
 * lateral) instead of guessing how the software exported it; a movie
 * shown as recorded needs no word. */
START_TEST(fscan_mirrored_movie_is_read_with_a_caution)
{
	static const char *const flags[] = { "MIRROR_ROW 0\nMIRROR_COL 0\n", "MIRROR_ROW 1\nMIRROR_COL 0\n",
					     "MIRROR_COL 1\n", "MIRROR_ROW 1\nMIRROR_COL 1\n" };
	static const char *const want[] = { "", "so heel and toe may be swapped", "so medial and lateral may be swapped",
					    "so heel and toe, and medial and lateral, may be swapped" };
	char text[512], err[256], caution[INS_IMPORT_CAUTION_MAX];
	struct ins_layout *none[INS_FOOT_COUNT] = { NULL, NULL };
	struct ins_import *imp;
	struct ins_import_frame f;

	for (unsigned i = 0; i < sizeof flags / sizeof flags[0]; i++) {
		snprintf(text, sizeof text, "DATA_TYPE MOVIE\nROWS 2\nCOLS 3\nSECONDS_PER_FRAME 0.01\nUNITS KPa\n%s"
			 "ASCII_DATA @@\n\nFrame 1\n1,2,B\n3,4,5\n@@\n", flags[i]);
		imp = ins_import_open(write_tmp("mL.asf", text), NULL, err, sizeof err);
		ck_assert_msg(imp != NULL, "%s", err);
		ins_import_caution(imp, none, caution, sizeof caution);
		ck_assert_str_eq(caution, ins_import_info(imp)->caution);
		if (!*want[i])
			ck_assert_str_eq(caution, "");
		else
			ck_assert_msg(strstr(caution, want[i]) && strncmp(caution, "the movie's MIRROR_", 19) == 0,
				      "%u: %s", i, caution);
		ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 1);
		ck_assert_float_eq(f.values[0], 3); /* row 2 of the file is the heel's: as exported */
		ck_assert_float_eq(f.values[3], 1);
		ins_import_close(imp);
	}
}
END_TEST

/* The side in words at the end of the movie's or the file's name
 * ("walk_right.fsx", "P01 Left.asf", "walkRight") is read as the L or R
 * the Tekscan software appends; a movie named neither way is read as the
 * left foot, which turns a right one's medial and lateral round, so the
 * figures carry a caution saying so. */
START_TEST(fscan_side_in_words_or_a_caution)
{
	static const struct {
		const char *file, *filename_line, *from, *caution;
		unsigned feet;
	} cases[] = {
		{ "a.asf", "FILENAME C:\\m\\walk_right.fsx\n", "the movie's FILENAME ends in right", NULL,
		  1u << INS_FOOT_RIGHT },
		{ "a.asf", "FILENAME C:\\m\\P01-LEFT.fsx\n", "the movie's FILENAME ends in left", NULL,
		  1u << INS_FOOT_LEFT },
		{ "walkRight.asf", "", "the file's name ends in right", NULL, 1u << INS_FOOT_RIGHT },
		{ "P07Right.asf", "", "the file's name ends in right", NULL, 1u << INS_FOOT_RIGHT },
		{ "P01 Left.asf", "FILENAME C:\\m\\P01.fsx\n", "the file's name ends in left", NULL,
		  1u << INS_FOOT_LEFT },
		{ "upright.asf", "", "no side given: left assumed", "no side", 1u << INS_FOOT_LEFT },
		{ "walk.asf", "FILENAME C:\\m\\walk.fsx\n", "no side given: left assumed", "no side",
		  1u << INS_FOOT_LEFT },
	};
	char text[512], err[256], caution[INS_IMPORT_CAUTION_MAX];
	struct ins_layout *none[INS_FOOT_COUNT] = { NULL, NULL };

	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ins_import *imp;

		snprintf(text, sizeof text, "DATA_TYPE MOVIE\n%sROWS 2\nCOLS 3\nSECONDS_PER_FRAME 0.01\nUNITS KPa\n"
			 "ASCII_DATA @@\n\nFrame 1\n1,2,B\n3,4,5\n@@\n", cases[i].filename_line);
		imp = ins_import_open(write_tmp(cases[i].file, text), NULL, err, sizeof err);
		ck_assert_msg(imp != NULL, "%s", err);
		ck_assert_uint_eq(ins_import_info(imp)->feet, cases[i].feet);
		ck_assert_str_eq(ins_import_info(imp)->feet_from, cases[i].from);
		ins_import_caution(imp, none, caution, sizeof caution);
		if (!cases[i].caution)
			ck_assert_str_eq(caution, "");
		else
			ck_assert_msg(strstr(caution, cases[i].caution) && strstr(caution, "medial and lateral"), "%u: %s",
				      i, caution);
		ins_import_close(imp);
	}
}
END_TEST

START_TEST(fscan_padding_is_read_past)
{
	static const char *const movies[] = {
		FSCAN_HEAD "Frame 1\n1,2,B\n3,4,5\n\nFrame 2\n6,7,8\n9,10,11\n@@\n",
		"DATA_TYPE MOVIE,,\nROWS 2,,\nCOLS 3  \nROW_SPACING 5.08 mm,,\nCOL_SPACING 5.08 mm ,,\n"
		"SECONDS_PER_FRAME 0.01,,\nUNITS KPa,,\nASCII_DATA @@,,\n,,\nFrame 1,,\n1,2,B\n3,4,5,,,\n,, \n"
		"Frame 2,,\n6,7,8,\n9,10,11 \n@@ ,,\n",
	};
	char err[256];
	float sum[2] = { 0, 0 };

	for (unsigned k = 0; k < 2; k++) {
		struct ins_import *imp = ins_import_open(write_tmp("padL.asf", movies[k]), NULL, err, sizeof err);
		struct ins_import_frame f;
		unsigned frames = 0;
		int rc;

		ck_assert_msg(imp != NULL, "%s", err);
		ck_assert_str_eq(ins_import_info(imp)->layout[INS_FOOT_LEFT], "sheet3x2-5080um");
		while ((rc = ins_import_next(imp, &f, err, sizeof err)) == 1) {
			frames++;
			for (unsigned i = 0; i < f.n; i++)
				sum[k] += f.values[i] * (float)(i + 1) * (float)frames;
		}
		ck_assert_msg(rc == 0, "%s", err);
		ck_assert_uint_eq(frames, 2);
		ins_import_close(imp);
	}
	ck_assert_float_eq(sum[0], sum[1]);
}
END_TEST

/* A Time written on a 12-hour clock, as a Windows set to a US (or New
 * Zealand: "11:26:22 a.m.") locale prints it, reads as the same instant:
 * frames either side of noon 13 ms apart, not 12 hours. */
START_TEST(xsensor_time_on_a_12_hour_clock)
{
	static const char *const clocks[][3] = {
		{ "11:59:59.995 AM", "12:00:00.008 PM", "12:00:00.021 PM" },
		{ "11:59:59.995 a.m.", "12:00:00.008 p.m.", "12:00:00.021 p.m." },
		{ "11:59:59.995", "12:00:00.008", "12:00:00.021" },
	};
	char text[2048], err[256];

	for (unsigned k = 0; k < sizeof clocks / sizeof clocks[0]; k++) {
		struct ins_import *imp;
		struct ins_import_frame f;
		int64_t t = 0;

		snprintf(text, sizeof text, XS_HEAD XS_FRAME(1, "%s") "1,2,,\n3,4,,\n" XS_FRAME(2, "%s")
			 "1,2,,\n3,4,,\n" XS_FRAME(3, "%s") "1,2,,\n3,4,,\n", clocks[k][0], clocks[k][1], clocks[k][2]);
		imp = ins_import_open(write_tmp("noon.csv", text), NULL, err, sizeof err);
		ck_assert_msg(imp != NULL, "%u: %s", k, err);
		ck_assert_double_eq_tol(ins_import_info(imp)->rate_hz, 1e6 / 13000, 1e-6);
		for (unsigned i = 0; i < 3; i++, t += 13000) {
			ck_assert_msg(ins_import_next(imp, &f, err, sizeof err) == 1, "%u: %s", k, err);
			ck_assert_int_eq(f.t_us, t);
		}
		ins_import_close(imp);
	}
}
END_TEST

/* text with every from replaced by to, into out. */
static void replace_all(const char *text, const char *from, const char *to, char *out, size_t outlen)
{
	size_t o = 0;

	for (const char *at; (at = strstr(text, from)) != NULL; text = at + strlen(from))
		o += (size_t)snprintf(out + o, outlen - o, "%.*s%s", (int)(at - text), text, to);
	snprintf(out + o, outlen - o, "%s", text);
	ck_assert_uint_lt(o + strlen(text), outlen);
}

/* The sensel size in the length unit the export was set to (cm, mm or
 * inches) gives the same grid, the same layout. */
START_TEST(xsensor_sensel_size_in_any_length_unit)
{
	static const char *const sizes[][2] = { { "Sensel Width (mm),8.6", "Sensel Height (mm),8.6" },
						{ "Sensel Width (in),0.33858", "Sensel Height (in),0.33858" } };
	char path[512], once[16384], twice[16384], *text, err[256];
	size_t len;

	snprintf(path, sizeof path, FIXTURES "xsensor_small.csv");
	text = test_read_file(path, &len);
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		struct ins_import *imp;

		replace_all(text, "Sensel Width (cm),0.86", sizes[i][0], once, sizeof once);
		replace_all(once, "Sensel Height (cm),0.86", sizes[i][1], twice, sizeof twice);
		ck_assert_ptr_null(strstr(twice, "(cm),0.86"));
		imp = ins_import_open(write_tmp("size.csv", twice), NULL, err, sizeof err);
		ck_assert_msg(imp != NULL, "%s", err);
		ck_assert_str_eq(ins_import_info(imp)->layout[INS_FOOT_LEFT], "sheet2x3-8600um");
		ck_assert_str_eq(ins_import_info(imp)->layout[INS_FOOT_RIGHT], "sheet2x3-8600um");
		ins_import_close(imp);
	}
	free(text);
}
END_TEST

/* A sheet's sensels are square: a grid of oblong ones has no layout to
 * suggest (--layout names one), square ones of another size their sheet. */
START_TEST(grids_suggest_their_own_sheet_when_square)
{
	static const struct {
		const char *spacing, *want;
	} cases[] = {
		{ "ROW_SPACING 5.08 mm\nCOL_SPACING 7.62 mm\n", "" },
		{ "ROW_SPACING 0.762 cm\nCOL_SPACING 0.3 in\n", "sheet3x2-7620um" },
		/* the unit in words, as I-Scan and older F-Scan exports write it */
		{ "ROW_SPACING 0.508 centimeters\nCOL_SPACING 0.2 inches\n", "sheet3x2-5080um" },
		{ "ROW_SPACING 5.08\nCOL_SPACING 5.08 millimeters\n", "sheet3x2-5080um" },
		{ "ROW_SPACING 0.5 mm\nCOL_SPACING 0.5 mm\n", "" }, /* finer than any insole's sensels */
	};
	char err[256], text[512];

	for (unsigned k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		struct ins_import *imp;

		snprintf(text, sizeof text, "DATA_TYPE MOVIE\nROWS 2\nCOLS 3\n%sSECONDS_PER_FRAME 0.01\nUNITS KPa\n"
			 "ASCII_DATA @@\n\nFrame 1\n1,2,B\n4,5,6\n@@\n", cases[k].spacing);
		imp = ins_import_open(write_tmp("sheetL.asf", text), NULL, err, sizeof err);
		ck_assert_msg(imp != NULL, "%s", err);
		ck_assert_str_eq(ins_import_info(imp)->layout[INS_FOOT_LEFT], cases[k].want);
		ins_import_close(imp);
	}
}
END_TEST

Suite *ins_suite_vendor(void);
Suite *ins_suite_vendor(void)
{
	Suite *s = suite_create("vendor");
	TCase *real = ins_shared_data_tcase("samples");
	TCase *bad = tcase_create("bad_input");

	tcase_set_timeout(real, 60);
	tcase_add_test(real, samples_read_whole_with_their_layouts);
	tcase_add_test(real, xsensor_frame_statistics_match_the_vendor);
	tcase_add_test(real, fscan_and_pedar_totals_follow_pressures_and_areas);
	tcase_add_test(real, pedar_layout_areas_are_the_published_table);
	tcase_add_test(real, stappone_sample_with_rows_swapped_reads_as_the_sample);
	suite_add_tcase(s, real);
	tcase_add_checked_fixture(bad, tmp_setup, tmp_teardown);
	tcase_add_loop_test(bad, damaged_files_name_file_line_and_field_and_keep_good_frames, 0,
			    (int)(sizeof bad_cases / sizeof bad_cases[0]));
	tcase_add_test(bad, pedar_short_row_names_the_first_missing_sensor);
	tcase_add_test(bad, pedar_unknown_insole_type_is_named_when_no_layout_is_known);
	tcase_add_test(bad, pedar_header_rate_unlike_the_rows_is_a_caution);
	tcase_add_test(bad, pedar_insole_with_no_sensors_listed_is_absent);
	tcase_add_test(bad, mixed_line_ends_read);
	tcase_add_test(bad, stappone_quoted_column_names_read);
	tcase_add_test(bad, stappone_columns_in_another_order_are_recognised);
	tcase_add_test(bad, stappone_short_row_names_the_first_missing_column);
	tcase_add_test(bad, stappone_clock_never_set_gives_no_date);
	tcase_add_test(bad, stappone_corrupt_flags_written_as_words_read);
	tcase_add_test(bad, units_per_square_centimetre_read_however_the_square_is_written);
	tcase_add_test(bad, stappone_samples_out_of_order_are_put_back);
	tcase_add_test(bad, stappone_clock_set_back_is_refused_at_its_row);
	tcase_add_test(bad, stappone_sample_written_twice_is_read_once);
	tcase_add_test(bad, stappone_sample_sent_again_late_is_read_once);
	tcase_add_test(bad, fscan_grid_turns_into_layout_order);
	tcase_add_test(bad, grids_suggest_their_own_sheet_when_square);
	tcase_add_test(bad, xsensor_sensel_size_in_any_length_unit);
	tcase_add_test(bad, xsensor_time_on_a_12_hour_clock);
	tcase_add_test(bad, fscan_padding_is_read_past);
	tcase_add_test(bad, fscan_mirrored_movie_is_read_with_a_caution);
	tcase_add_test(bad, fscan_side_in_words_or_a_caution);
	tcase_add_test(bad, fixtures_read_exactly);
	suite_add_tcase(s, bad);
	return s;
}
