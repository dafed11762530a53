/* Gait-event accuracy against published references, through the whole
 * path a user's file takes: import reader -> analysis engine -> steps.
 *
 * gaitndd (PhysioNet): per-stride stride, stance and swing against the
 * publishers' .ts values, every record and both feet: median absolute error
 * <= 10 ms (stride) and <= 25 ms (stance, swing), >= 95 % of the published
 * strides found; the median of the feet's median stance errors <= 5 ms.  Moticon: our contact and toe-off within 30 ms of the
 * vendor's own events for >= 95 % of its steps, and the force-curve
 * features of each step (first peak, valley, second peak and their timing)
 * agreeing with the vendor's step table.  Skipped with a message when
 * ../shared/data is absent.  The achieved figures are printed. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "insoled/analysis.h"
#include "insoled/import.h"
#include "insoled/layout.h"
#include "lib.h"

#include "shared_data.h"

#define SHARED_DATA test_shared_data()

/* Published strides are matched to ours by their contact times: within 150
 * ms (a seventh of the shortest stride) is the same contact. */
#define MATCH_US 150000
#define MAX_STEPS 4000
#define MAX_ROWS 2000

#define GAITNDD_STRIDE_MAX_MS 10.0
#define GAITNDD_PHASE_MAX_MS 25.0
#define GAITNDD_FOUND_MIN_PCT 95.0
#define GAITNDD_MEDIAN_STANCE_MAX_MS 5.0
#define MOTICON_EVENT_MAX_MS 30.0
#define MOTICON_AGREE_MIN_PCT 95.0

struct detected {
	unsigned n;
	int64_t contact[MAX_STEPS], toe_off[MAX_STEPS];
	double double_support_ms[MAX_STEPS];
	double first_peak_n[MAX_STEPS], first_peak_pct[MAX_STEPS];
	double valley_n[MAX_STEPS], valley_pct[MAX_STEPS];
	double second_peak_n[MAX_STEPS], second_peak_pct[MAX_STEPS];
};

/* Run a recording through import + engine; steps per foot into det[]. */
static void analyse_file(const char *path, struct detected det[INS_FOOT_COUNT])
{
	char err[512];
	struct ins_import *imp = ins_import_open(path, NULL, err, sizeof err);
	struct ins_layout *layout[INS_FOOT_COUNT] = { NULL, NULL };
	struct ins_analysis_config cfg = { 0 };
	struct ins_analysis *ana;
	struct ins_import_frame f;
	struct ins_frame_metrics fm;
	struct ins_step step;
	int rc;

	ck_assert_msg(imp != NULL, "%s", err);
	const struct ins_import_info *info = ins_import_info(imp);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		if (!(info->feet & (1u << foot)))
			continue;
		layout[foot] = ins_layout_load_named(LAYOUT_DIR, info->layout[foot], err, sizeof err);
		ck_assert_msg(layout[foot] != NULL, "%s", err);
		cfg.layout[foot] = layout[foot];
		cfg.calib[foot] = info->calib[foot];
	}
	ana = ins_analysis_new(&cfg, err, sizeof err);
	ck_assert_msg(ana != NULL, "%s", err);
	memset(det, 0, 2 * sizeof(*det));
	while ((rc = ins_import_next(imp, &f, err, sizeof err)) == 1) {
		ck_assert_msg(ins_import_feed(imp, ana, layout[f.foot], &f, &fm, err, sizeof err) == 0, "%s", err);
		while (ins_analysis_next_step(ana, &step)) {
			struct detected *d = &det[step.foot];
			ck_assert_uint_lt(d->n, MAX_STEPS);
			d->contact[d->n] = step.contact_us;
			d->toe_off[d->n] = step.toe_off_us;
			d->double_support_ms[d->n] = step.m[INS_M_DOUBLE_SUPPORT_MS];
			d->first_peak_n[d->n] = step.m[INS_M_FIRST_PEAK_N];
			d->first_peak_pct[d->n] = step.m[INS_M_FIRST_PEAK_PCT];
			d->valley_n[d->n] = step.m[INS_M_VALLEY_N];
			d->valley_pct[d->n] = step.m[INS_M_VALLEY_PCT];
			d->second_peak_n[d->n] = step.m[INS_M_SECOND_PEAK_N];
			d->second_peak_pct[d->n] = step.m[INS_M_SECOND_PEAK_PCT];
			d->n++;
		}
	}
	ck_assert_msg(rc == 0, "%s", err);
	ins_analysis_free(ana);
	ins_import_close(imp);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		ins_layout_free(layout[foot]);
}

static int nearest_contact(const struct detected *d, double t_us)
{
	int best = -1;
	double best_d = MATCH_US;

	for (unsigned i = 0; i < d->n; i++) {
		double dist = fabs((double)d->contact[i] - t_us);
		if (dist < best_d) {
			best_d = dist;
			best = (int)i;
		}
	}
	return best;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned n)
{
	if (n == 0)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* ---- gaitndd ------------------------------------------------------------ */

/* .ts columns (0-based): 0 elapsed time (= left contact) s; 1/2 left/right
 * stride; 3/4 swing; 7/8 stance.  A row describes the cycle that ENDS at its
 * contact: stride and swing end there, stance is that cycle's first phase. */
static unsigned read_ts(const char *path, double (*rows)[13])
{
	FILE *fp = fopen(path, "r");
	char line[512];
	unsigned n = 0;

	ck_assert_msg(fp != NULL, "cannot open %s", path);
	while (n < MAX_ROWS && fgets(line, sizeof line, fp)) {
		char *p = line, *end;
		unsigned k;
		for (k = 0; k < 13; k++, p = end) {
			rows[n][k] = strtod(p, &end);
			if (end == p)
				break;
		}
		if (k == 13)
			n++;
	}
	fclose(fp);
	return n;
}

/* The .ts gives absolute times only for left contacts.  Right contacts are
 * placed by the right strides from an anchor: the detected right contact
 * (within the 2.5 s before the first row) whose chain of published strides
 * best lands on detected contacts over the first 30 rows. */
static void right_contacts(const struct detected *d, double (*rows)[13], unsigned n, double *ends)
{
	double best = INFINITY, t0 = rows[0][0] * 1e6;

	for (unsigned a = 0; a < d->n; a++) {
		double t = (double)d->contact[a], cost = 0;
		if (t > t0 || t < t0 - 2.5e6)
			continue;
		for (unsigned k = 1; k < n && k < 30; k++) {
			int j;
			t += rows[k][2] * 1e6;
			j = nearest_contact(d, t);
			cost += j < 0 ? MATCH_US : fabs((double)d->contact[j] - t);
		}
		if (cost < best) {
			best = cost;
			ends[0] = (double)d->contact[a];
		}
	}
	ck_assert_msg(isfinite(best), "no right contact found before the first published stride");
	for (unsigned k = 1; k < n; k++)
		ends[k] = ends[k - 1] + rows[k][2] * 1e6;
}

struct foot_result {
	double stride_ms, stance_ms, swing_ms, double_support_ms, found_pct;
};

static struct foot_result compare_foot(const struct detected *d, double (*rows)[13], unsigned n, unsigned foot)
{
	static double ends[MAX_ROWS], e_stride[MAX_ROWS], e_stance[MAX_ROWS], e_swing[MAX_ROWS], e_ds[MAX_ROWS];
	struct foot_result r;
	unsigned found = 0;

	if (foot == INS_FOOT_LEFT)
		for (unsigned k = 0; k < n; k++)
			ends[k] = rows[k][0] * 1e6;
	else
		right_contacts(d, rows, n, ends);
	for (unsigned k = 1; k < n; k++) {
		int j0 = nearest_contact(d, ends[k - 1]), j1 = nearest_contact(d, ends[k]);
		if (j0 < 0 || j1 != j0 + 1)
			continue;
		e_stride[found] = fabs((double)(d->contact[j1] - d->contact[j0]) / 1e3 - rows[k][1 + foot] * 1e3);
		e_stance[found] = fabs((double)(d->toe_off[j0] - d->contact[j0]) / 1e3 - rows[k][7 + foot] * 1e3);
		e_swing[found] = fabs((double)(d->contact[j1] - d->toe_off[j0]) / 1e3 - rows[k][3 + foot] * 1e3);
		/* column 11: both double-support periods of the row's stride; for
		 * the left foot they fall inside the stance that begins it.  Printed,
		 * not required: it adds the errors of four events of two feet. */
		e_ds[found] = fabs(d->double_support_ms[j0] - rows[k][11] * 1e3);
		found++;
	}
	r.found_pct = 100.0 * found / (n - 1);
	r.stride_ms = median(e_stride, found);
	r.stance_ms = median(e_stance, found);
	r.swing_ms = median(e_swing, found);
	r.double_support_ms = median(e_ds, found);
	return r;
}

static const char *const gaitndd_records[] = { "als1", "control1", "control2", "hunt1", "park1", "park4" };

/* Both feet of one record against its published strides; *n_rows gets the
 * number of published rows. */
static void gaitndd_record(const char *rec, struct foot_result r[INS_FOOT_COUNT], unsigned *n_rows)
{
	static double rows[MAX_ROWS][13];
	static struct detected det[INS_FOOT_COUNT];
	char path[512];
	unsigned n;

	snprintf(path, sizeof path, "%s/gaitndd/%s.ts", SHARED_DATA, rec);
	n = read_ts(path, rows);
	ck_assert_uint_gt(n, 100);
	snprintf(path, sizeof path, "%s/gaitndd/%s.hea", SHARED_DATA, rec);
	analyse_file(path, det);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		r[foot] = compare_foot(&det[foot], rows, n, foot);
	*n_rows = n;
}

START_TEST(gaitndd_stride_stance_swing_match_published)
{
	const char *rec = gaitndd_records[_i];
	struct foot_result res[INS_FOOT_COUNT];
	unsigned n;

	gaitndd_record(rec, res, &n);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		const struct foot_result r = res[foot];
		fprintf(stderr, "gaitndd %-8s %-5s median |error| stride %5.1f ms, stance %5.1f ms, swing %5.1f ms, "
			"double support %5.1f ms; %5.1f %% of %u published strides found\n", rec, ins_foot_name(foot),
			r.stride_ms, r.stance_ms, r.swing_ms, r.double_support_ms, r.found_pct, n - 1);
		ck_assert_msg(r.found_pct >= GAITNDD_FOUND_MIN_PCT, "%s %s: %.1f %% strides found", rec,
			      ins_foot_name(foot), r.found_pct);
		ck_assert_msg(r.stride_ms <= GAITNDD_STRIDE_MAX_MS, "%s %s: stride error %.1f ms", rec,
			      ins_foot_name(foot), r.stride_ms);
		ck_assert_msg(r.stance_ms <= GAITNDD_PHASE_MAX_MS, "%s %s: stance error %.1f ms", rec,
			      ins_foot_name(foot), r.stance_ms);
		ck_assert_msg(r.swing_ms <= GAITNDD_PHASE_MAX_MS, "%s %s: swing error %.1f ms", rec,
			      ins_foot_name(foot), r.swing_ms);
	}
}
END_TEST

/* The median over every foot of the records of the per-foot median stance
 * error: <= 5 ms, the bar for records we do not have. */
#define N_GAITNDD_FEET (INS_FOOT_COUNT * sizeof(gaitndd_records) / sizeof(gaitndd_records[0]))
START_TEST(gaitndd_median_stance_error_of_the_feet)
{
	double stance[N_GAITNDD_FEET];
	unsigned k = 0, n;

	for (unsigned i = 0; i < sizeof(gaitndd_records) / sizeof(gaitndd_records[0]); i++) {
		struct foot_result res[INS_FOOT_COUNT];
		gaitndd_record(gaitndd_records[i], res, &n);
		for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
			stance[k++] = res[foot].stance_ms;
	}
	fprintf(stderr, "gaitndd: median of the %u per-foot median stance errors %.2f ms\n", k, median(stance, k));
	ck_assert_double_le(median(stance, k), GAITNDD_MEDIAN_STANCE_MAX_MS);
}
END_TEST

/* ---- Moticon ------------------------------------------------------------- */

#define MOTICON_DIR "moticon/"
#define MOTICON_REPORT "moticon_gait_report_230927_10_21_14_"

/* Vendor step table after a comment line: Step, Initial contact (s), Toe
 * off (s), gait line start x/y, end x/y, length, width, First peak (N),
 * First peak timing (% stance), Second peak (N), its timing, Local minimum
 * between peaks (N), its timing, ... */
struct vendor_step {
	double contact, toe_off;
	double first_peak, first_pct, second_peak, second_pct, valley, valley_pct;
};

static unsigned read_vendor_steps(const char *path, struct vendor_step *v, unsigned max)
{
	FILE *fp = fopen(path, "r");
	char line[4096];
	unsigned n = 0;

	ck_assert_msg(fp != NULL, "cannot open %s", path);
	while (n < max && fgets(line, sizeof line, fp)) {
		double f[15];
		char *p = line, *end;
		unsigned k;
		for (k = 0; k < 15; k++, p = end + (*end == ',')) {
			f[k] = strtod(p, &end);
			if (end == p)
				break;
		}
		if (k < 15)
			continue;
		v[n] = (struct vendor_step){ .contact = f[1], .toe_off = f[2], .first_peak = f[9], .first_pct = f[10],
					     .second_peak = f[11], .second_pct = f[12], .valley = f[13],
					     .valley_pct = f[14] };
		n++;
	}
	fclose(fp);
	return n;
}

/* Force-curve features of the steps matched to the vendor's: same force
 * data, so values within 2 % and timings within 5 % of stance (the two
 * event methods differ by up to ~25 ms of a ~800 ms stance). */
#define MOTICON_FORCE_TOL 0.02
#define MOTICON_TIMING_TOL_PCT 5.0

static void check_force_features(const struct detected *d, unsigned j, const struct vendor_step *v)
{
	ck_assert_double_eq_tol(d->first_peak_n[j], v->first_peak, MOTICON_FORCE_TOL * v->first_peak);
	ck_assert_double_eq_tol(d->second_peak_n[j], v->second_peak, MOTICON_FORCE_TOL * v->second_peak);
	ck_assert_double_eq_tol(d->valley_n[j], v->valley, MOTICON_FORCE_TOL * v->valley);
	ck_assert_double_eq_tol(d->first_peak_pct[j], v->first_pct, MOTICON_TIMING_TOL_PCT);
	ck_assert_double_eq_tol(d->second_peak_pct[j], v->second_pct, MOTICON_TIMING_TOL_PCT);
	ck_assert_double_eq_tol(d->valley_pct[j], v->valley_pct, MOTICON_TIMING_TOL_PCT);
}

START_TEST(moticon_events_match_vendor)
{
	static struct detected det[INS_FOOT_COUNT];
	unsigned agree = 0, total = 0;
	char file[512];

	analyse_file(test_shared_path(file, sizeof(file), MOTICON_DIR "230927_102114.txt"), det);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		struct vendor_step v[64];
		double worst_c = 0, worst_t = 0;
		char path[512];
		unsigned n;

		snprintf(path, sizeof path, "%s/" MOTICON_DIR MOTICON_REPORT "%s_steps.csv", SHARED_DATA,
			 ins_foot_name(foot));
		n = read_vendor_steps(path, v, 64);
		ck_assert_uint_gt(n, 5);
		/* The walk opens with 2-3 s of standing (weight shifting between
		 * the feet): no step before the vendor's first. */
		ck_assert_uint_gt(det[foot].n, 0);
		ck_assert_msg((double)det[foot].contact[0] >= v[0].contact * 1e6 - MATCH_US,
			      "moticon %s: step at %.3f s during the opening standing (vendor's first step %.3f s)",
			      ins_foot_name(foot), det[foot].contact[0] / 1e6, v[0].contact);
		for (unsigned k = 0; k < n; k++) {
			int j = nearest_contact(&det[foot], v[k].contact * 1e6);
			double ec = j < 0 ? INFINITY : fabs((double)det[foot].contact[j] / 1e3 - v[k].contact * 1e3);
			double et = j < 0 ? INFINITY : fabs((double)det[foot].toe_off[j] / 1e3 - v[k].toe_off * 1e3);
			worst_c = fmax(worst_c, ec);
			worst_t = fmax(worst_t, et);
			agree += ec <= MOTICON_EVENT_MAX_MS && et <= MOTICON_EVENT_MAX_MS;
			total++;
			if (j >= 0)
				check_force_features(&det[foot], (unsigned)j, &v[k]);
		}
		fprintf(stderr, "moticon %-5s %u vendor steps: worst |error| contact %.1f ms, toe-off %.1f ms\n",
			ins_foot_name(foot), n, worst_c, worst_t);
	}
	fprintf(stderr, "moticon: %u of %u steps (%.1f %%) with both events within %.0f ms of the vendor's\n",
		agree, total, 100.0 * agree / total, MOTICON_EVENT_MAX_MS);
	ck_assert_msg(100.0 * agree / total >= MOTICON_AGREE_MIN_PCT, "%u of %u steps agree", agree, total);
}
END_TEST

Suite *ins_suite_accuracy(void);
Suite *ins_suite_accuracy(void)
{
	Suite *s = suite_create("accuracy");
	TCase *tc = ins_shared_data_tcase("references");

	/* Whole recordings through import and analysis: seconds under sanitizers. */
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, gaitndd_stride_stance_swing_match_published, 0,
			    (int)(sizeof(gaitndd_records) / sizeof(gaitndd_records[0])));
	tcase_add_test(tc, gaitndd_median_stance_error_of_the_feet);
	tcase_add_test(tc, moticon_events_match_vendor);
	suite_add_tcase(s, tc);
	return s;
}
