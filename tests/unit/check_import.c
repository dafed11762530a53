/* Import readers: exact frames from hand-made fixtures, every bad-input
 * path with its exact message, and the real recordings in ../shared/data
 * (skipped with a message when absent). */
#include <config.h> /* _GNU_SOURCE: posix_openpt, cfmakeraw */

#include <check.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "insoled/analysis_json.h"
#include "insoled/import.h"
#include "../../daemon/import/import_priv.h"
#include "lib.h"

#define FIXTURES INS_TEST_SRCDIR "/tests/fixtures/import/"
#include "shared_data.h"


static char tmpdir[64];

static void tmp_setup(void)
{
	test_tmpdir_make(tmpdir, sizeof tmpdir, "check_import");
}

static void tmp_teardown(void)
{
	test_tmpdir_remove(tmpdir);
}

/* Write bytes to tmpdir/name; returns the path (static buffer per slot). */
static const char *write_tmp(const char *name, const void *data, size_t len)
{
	static char paths[4][512];
	static unsigned slot;
	char *path = paths[slot++ % 4];
	FILE *fp;

	snprintf(path, sizeof paths[0], "%s/%s", tmpdir, name);
	fp = fopen(path, "wb");
	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
	return path;
}

static const char *write_text(const char *name, const char *text)
{
	return write_tmp(name, text, strlen(text));
}

/* Open and read every frame; returns the last ins_import_next() result, or
 * -2 when open failed.  Frames per foot in n[]. */
static int read_all(const char *path, const char *format, char *err, size_t errlen, unsigned long n[2])
{
	struct ins_import *imp = ins_import_open(path, format, err, errlen);
	struct ins_import_frame f;
	int rc;

	n[0] = n[1] = 0;
	if (!imp)
		return -2;
	while ((rc = ins_import_next(imp, &f, err, errlen)) == 1)
		n[f.foot]++;
	ins_import_close(imp);
	return rc;
}

static void expect_frame(struct ins_import *imp, unsigned foot, int64_t t_us, uint32_t seq, uint32_t gap,
			 float v0)
{
	struct ins_import_frame f;
	char err[512] = "";

	ck_assert_msg(ins_import_next(imp, &f, err, sizeof err) == 1, "expected a frame: %s", err);
	ck_assert_uint_eq(f.foot, foot);
	ck_assert_int_eq(f.t_us, t_us);
	ck_assert_uint_eq(f.seq, seq);
	ck_assert_uint_eq(f.gap, gap);
	ck_assert_float_eq(f.values[0], v0);
}

static void expect_end(struct ins_import *imp)
{
	struct ins_import_frame f;
	char err[512] = "";

	ck_assert_msg(ins_import_next(imp, &f, err, sizeof err) == 0, "expected the end: %s", err);
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 0);
}

/* ---- fixtures ----------------------------------------------------------- */

START_TEST(gaitpdb_fixture_yields_newtons_totals_and_gaps)
{
	char err[512] = "";
	struct ins_import *imp = ins_import_open(FIXTURES "gaitpdb_small.txt", NULL, err, sizeof err);
	const struct ins_import_info *info;
	struct ins_import_frame f;

	ck_assert_msg(imp != NULL, "%s", err);
	info = ins_import_info(imp);
	ck_assert_str_eq(info->format, "gaitpdb");
	ck_assert_uint_eq(info->unit, INS_IMPORT_NEWTON);
	ck_assert_uint_eq(info->feet, 3);
	ck_assert_uint_eq(info->n_sensors[INS_FOOT_LEFT], 8);
	ck_assert_str_eq(info->layout[INS_FOOT_RIGHT], "gaitpdb8");
	ck_assert_double_eq(info->rate_hz, 100.0);
	ck_assert_int_eq(info->has_ref_force, 1);
	ck_assert_int_eq(info->has_ref_cop, 0);

	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 1);
	ck_assert_uint_eq(f.foot, INS_FOOT_LEFT);
	ck_assert_uint_eq(f.n, 8);
	ck_assert_uint_eq(f.line, 1);
	ck_assert_float_eq(f.values[7], 80.0f);
	ck_assert_float_eq(f.ref_force_n, 360.0f);
	ck_assert(isnan(f.ref_cop_x_norm));
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 1);
	ck_assert_uint_eq(f.foot, INS_FOOT_RIGHT);
	ck_assert_float_eq(f.values[7], 8.0f);
	ck_assert_float_eq(f.ref_force_n, 36.0f);
	expect_frame(imp, INS_FOOT_LEFT, 10000, 1, 0, 20.0f);
	expect_frame(imp, INS_FOOT_RIGHT, 10000, 1, 0, 2.0f);
	expect_frame(imp, INS_FOOT_LEFT, 20000, 2, 0, 30.0f);
	expect_frame(imp, INS_FOOT_RIGHT, 20000, 2, 0, 3.0f);
	/* 0.03 s is missing */
	expect_frame(imp, INS_FOOT_LEFT, 40000, 4, 1, 40.0f);
	expect_frame(imp, INS_FOOT_RIGHT, 40000, 4, 1, 4.0f);
	expect_frame(imp, INS_FOOT_LEFT, 50000, 5, 0, 50.0f);
	expect_frame(imp, INS_FOOT_RIGHT, 50000, 5, 0, 5.0f);
	expect_end(imp);
	ins_import_close(imp);
}
END_TEST

START_TEST(moticon_fixture_maps_units_axes_gaps_and_events)
{
	char err[512] = "";
	struct ins_import *imp = ins_import_open(FIXTURES "moticon_small.txt", NULL, err, sizeof err);
	const struct ins_import_info *info;
	struct ins_import_frame f;

	ck_assert_msg(imp != NULL, "%s", err);
	info = ins_import_info(imp);
	ck_assert_str_eq(info->format, "moticon");
	ck_assert_uint_eq(info->unit, INS_IMPORT_KPA);
	ck_assert_uint_eq(info->n_sensors[INS_FOOT_RIGHT], 16);
	ck_assert_str_eq(info->layout[INS_FOOT_LEFT], "moticon16");
	ck_assert_double_eq_tol(info->rate_hz, 100.0, 1e-9);
	ck_assert_int_eq(info->has_ref_force + info->has_ref_cop + info->has_ref_events, 3);
	ck_assert_int_eq(info->insole_size, 7);
	ck_assert_int_eq(info->duration_us, 50000);
	ck_assert_str_eq(info->notes, "hand-made test fixture");
	ck_assert_str_eq(info->start, "21.11.2026 10:00:00.000");

	/* 0.00: left 1.00 N/cm2 = 10 kPa, CoP X -0.25 -> y 0.25, Y 0.10 -> x 0.10, heel strike */
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 1);
	ck_assert_uint_eq(f.foot, INS_FOOT_LEFT);
	ck_assert_uint_eq(f.line, 8);
	ck_assert_float_eq(f.values[0], 10.0f);
	ck_assert_float_eq(f.values[15], 47.5f);
	ck_assert_float_eq(f.ref_force_n, 160.0f);
	ck_assert_float_eq_tol(f.ref_cop_x_norm, 0.10f, 1e-6f);
	ck_assert_float_eq_tol(f.ref_cop_y_norm, 0.25f, 1e-6f);
	ck_assert_uint_eq(f.ref_event, INS_EVENT_CONTACT);
	/* right at 0.00: vendor CoP (0, 0) = none */
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 1);
	ck_assert_uint_eq(f.foot, INS_FOOT_RIGHT);
	ck_assert(isnan(f.ref_cop_x_norm) && isnan(f.ref_cop_y_norm));
	ck_assert_uint_eq(f.ref_event, INS_EVENT_NONE);
	/* 0.01: left dropped; right heel strike */
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 1);
	ck_assert_uint_eq(f.foot, INS_FOOT_RIGHT);
	ck_assert_int_eq(f.t_us, 10000);
	ck_assert_uint_eq(f.ref_event, INS_EVENT_CONTACT);
	ck_assert_float_eq_tol(f.ref_cop_x_norm, -0.05f, 1e-6f);
	ck_assert_float_eq_tol(f.ref_cop_y_norm, 0.60f, 1e-6f);
	/* 0.02: left comes back after one lost sample, with the toe off seen while it was missing */
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 1);
	ck_assert_uint_eq(f.foot, INS_FOOT_LEFT);
	ck_assert_int_eq(f.t_us, 20000);
	ck_assert_uint_eq(f.seq, 2);
	ck_assert_uint_eq(f.gap, 1);
	ck_assert_uint_eq(f.ref_event, INS_EVENT_TOE_OFF);
	expect_frame(imp, INS_FOOT_RIGHT, 20000, 2, 0, 30.0f);
	/* 0.03 missing for both feet */
	expect_frame(imp, INS_FOOT_LEFT, 40000, 4, 1, 20.0f);
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 1);
	ck_assert_uint_eq(f.foot, INS_FOOT_RIGHT);
	ck_assert_uint_eq(f.gap, 1);
	ck_assert_uint_eq(f.ref_event, INS_EVENT_TOE_OFF);
	expect_end(imp);
	ins_import_close(imp);
}
END_TEST

static void assert_curve(const struct ins_calib_curve *c, enum ins_calib_kind kind, double zero, double gain,
			 unsigned saturation)
{
	ck_assert_int_eq(c->kind, kind);
	ck_assert_double_eq(c->zero, zero);
	ck_assert_double_eq(c->gain, gain);
	ck_assert_uint_eq(c->saturation, saturation);
}

START_TEST(insoled_fixture_reads_metadata_calibration_and_seq_gaps)
{
	char err[512] = "";
	struct ins_import *imp = ins_import_open(FIXTURES "insoled_counts.csv", NULL, err, sizeof err);
	const struct ins_import_info *info;
	const struct ins_calib_curve *c;
	struct ins_import_frame f;

	ck_assert_msg(imp != NULL, "%s", err);
	info = ins_import_info(imp);
	ck_assert_str_eq(info->format, "insoled");
	ck_assert_uint_eq(info->unit, INS_IMPORT_COUNTS);
	ck_assert_uint_eq(info->n_sensors[INS_FOOT_LEFT], 4);
	ck_assert_uint_eq(info->n_sensors[INS_FOOT_RIGHT], 2);
	ck_assert_str_eq(info->layout[INS_FOOT_LEFT], "test4");
	ck_assert_str_eq(info->layout[INS_FOOT_RIGHT], "test2");
	ck_assert_str_eq(info->subject, "runner-07");
	ck_assert_str_eq(info->footwear, "shoe A, orthotic B");
	ck_assert_str_eq(info->start, "2026-11-21T23:40:01.123Z");
	ck_assert_double_eq(info->body_weight_n, 686.5);
	ck_assert_ptr_null(info->calib[INS_FOOT_RIGHT]);
	c = info->calib[INS_FOOT_LEFT];
	ck_assert_ptr_nonnull(c);
	assert_curve(&c[0], INS_CALIB_LINEAR, 10, 0.5, 4000);
	assert_curve(&c[1], INS_CALIB_POWER, 12, 0.8, 65535);
	ck_assert_double_eq(c[1].exponent, 1.2);
	ck_assert_int_eq(c[2].kind, INS_CALIB_TABLE);
	ck_assert_uint_eq(c[2].n_points, 3);
	ck_assert_double_eq(c[2].table_counts[2], 1000);
	ck_assert_double_eq(c[2].table_kpa[1], 50);

	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 1);
	ck_assert_uint_eq(f.foot, INS_FOOT_LEFT);
	ck_assert_uint_eq(f.n, 4);
	ck_assert_uint_eq(f.seq, 100);
	ck_assert_float_eq(f.values[3], 40.0f);
	ck_assert_uint_eq(f.line, 19);
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 1);
	ck_assert_uint_eq(f.foot, INS_FOOT_RIGHT);
	ck_assert_uint_eq(f.n, 2);
	ck_assert_float_eq(f.values[1], 2.0f);
	expect_frame(imp, INS_FOOT_LEFT, 10000, 101, 0, 11.0f);
	expect_frame(imp, INS_FOOT_RIGHT, 10000, 8, 0, 3.0f);
	expect_frame(imp, INS_FOOT_RIGHT, 20000, 9, 0, 5.0f);
	expect_frame(imp, INS_FOOT_LEFT, 30000, 103, 1, 13.0f); /* seq 102 lost */
	expect_end(imp);
	ins_import_close(imp);
}
END_TEST

/* Version 2 gives a foot's calibration one line per sensor; each curve
 * reads back as written, a table's unused gain included. */
START_TEST(insoled_calibration_one_line_per_sensor_is_read)
{
	char err[512] = "";
	const char *path = write_text("v2.csv", "# insoled frames export\n# format_version: 2\n# units: counts\n"
				      "# layout_left: a2\n# sensors_left: 2\n"
				      "# calibration_left_s1: {\"kind\":\"linear\",\"zero\":3,\"gain\":0.25,"
				      "\"saturation\":4095}\n# future_key: ignored\n"
				      "# calibration_left_s2: {\"kind\":\"table\",\"zero\":7,\"gain\":-1.5,"
				      "\"saturation\":4000,\"table_counts\":[0,100,1000],\"table_kpa\":[0,5,50]}\n"
				      "t_us,foot,seq,s1,s2\n0,left,0,10,20\n");
	struct ins_import *imp = ins_import_open(path, NULL, err, sizeof err);
	const struct ins_calib_curve *c;

	ck_assert_msg(imp != NULL, "%s", err);
	c = ins_import_info(imp)->calib[INS_FOOT_LEFT];
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_null(ins_import_info(imp)->calib[INS_FOOT_RIGHT]);
	assert_curve(&c[0], INS_CALIB_LINEAR, 3, 0.25, 4095);
	assert_curve(&c[1], INS_CALIB_TABLE, 7, -1.5, 4000);
	ck_assert_uint_eq(c[1].n_points, 3);
	ck_assert_double_eq(c[1].table_counts[2], 1000);
	ck_assert_double_eq(c[1].table_kpa[2], 50);
	expect_frame(imp, INS_FOOT_LEFT, 0, 0, 0, 10.0f);
	expect_end(imp);
	ins_import_close(imp);
}
END_TEST

/* Version 1 gave a foot's calibration on one line: for a dense insole
 * with 16-point tables several MB, which an export of ours may hold (not
 * a line of another format, still held to 256 KiB); a longer line is
 * still refused, naming it. */
#define DENSE_SENSORS 4096
#define DENSE_POINTS 16

/* "# calibration_left: [...]" of DENSE_SENSORS tables, then `pad` blanks;
 * the column line and one frame.  Returns the file's length. */
static size_t dense_v1_export(char *out, size_t pad)
{
	size_t n = (size_t)sprintf(out, "# insoled frames export\n# format_version: 1\n# units: counts\n"
				   "# layout_left: dense\n# sensors_left: %d\n# calibration_left: [", DENSE_SENSORS);

	for (unsigned i = 0; i < DENSE_SENSORS; i++) {
		n += (size_t)sprintf(out + n, "%s{\"kind\":\"table\",\"zero\":%.17g,\"gain\":%.17g,\"saturation\":65535,"
				     "\"table_counts\":[", i ? "," : "", 0.1 + i, -1.0 / 3);
		for (unsigned k = 0; k < DENSE_POINTS; k++)
			n += (size_t)sprintf(out + n, "%s%.17g", k ? "," : "", 1000.0 * k + 1.0 / 7);
		n += (size_t)sprintf(out + n, "],\"table_kpa\":[");
		for (unsigned k = 0; k < DENSE_POINTS; k++)
			n += (size_t)sprintf(out + n, "%s%.17g", k ? "," : "", 40.0 * k + i / 9.0);
		n += (size_t)sprintf(out + n, "]}");
	}
	memset(out + n, ' ', pad);
	n += pad;
	n += (size_t)sprintf(out + n, "]\nt_us,foot,seq");
	for (unsigned i = 0; i < DENSE_SENSORS; i++)
		n += (size_t)sprintf(out + n, ",s%u", i + 1);
	n += (size_t)sprintf(out + n, "\n0,left,0");
	for (unsigned i = 0; i < DENSE_SENSORS; i++)
		n += (size_t)sprintf(out + n, ",%u", i % 4096);
	n += (size_t)sprintf(out + n, "\n");
	return n;
}

START_TEST(an_old_export_of_a_dense_insole_reads_its_calibration_line)
{
	static char text[8 * 1024 * 1024];
	static const char row[] = "0.0000\t1\t2\t3\t4\t5\t6\t7\t8\t1\t2\t3\t4\t5\t6\t7\t8\t36\t36\r\n";
	char err[512] = "";
	size_t len = dense_v1_export(text, 0);
	const char *path = write_tmp("v1.csv", text, len);
	struct ins_import *imp = ins_import_open(path, NULL, err, sizeof err);
	const struct ins_calib_curve *c;

	ck_assert_uint_gt(len, 2 * 1024 * 1024); /* the calibration line alone is over 2 MB */
	ck_assert_msg(imp != NULL, "%s", err);
	c = ins_import_info(imp)->calib[INS_FOOT_LEFT];
	ck_assert_ptr_nonnull(c);
	assert_curve(&c[DENSE_SENSORS - 1], INS_CALIB_TABLE, 0.1 + (DENSE_SENSORS - 1), -1.0 / 3, 65535);
	ck_assert_uint_eq(c[DENSE_SENSORS - 1].n_points, DENSE_POINTS);
	ck_assert_double_eq(c[DENSE_SENSORS - 1].table_kpa[DENSE_POINTS - 1],
			    40.0 * (DENSE_POINTS - 1) + (DENSE_SENSORS - 1) / 9.0);
	expect_frame(imp, INS_FOOT_LEFT, 0, 0, 0, 0.0f);
	expect_end(imp);
	ins_import_close(imp);

	/* over 4 MiB: refused, the line named */
	len = dense_v1_export(text, 4 * 1024 * 1024);
	path = write_tmp("v1.csv", text, len);
	ck_assert_ptr_null(ins_import_open(path, NULL, err, sizeof err));
	ck_assert_msg(strstr(err, "/v1.csv:6: line longer than 4194304 bytes: not a recording this reader knows"), "%s",
		      err);

	/* another format's lines stay within 256 KiB */
	strcpy(text, row);
	memset(text + strlen(row), '1', 300 * 1024);
	strcpy(text + strlen(row) + 300 * 1024, "\r\n");
	path = write_text("long.txt", text);
	ck_assert_int_eq(read_all(path, NULL, err, sizeof err, (unsigned long[2]){ 0 }), -1);
	ck_assert_msg(strstr(err, "/long.txt:2: line longer than 262144 bytes: not a recording this reader knows"), "%s",
		      err);
}
END_TEST

START_TEST(insoled_kpa_export_yields_kpa_and_counter_restarts_are_not_gaps)
{
	char err[512] = "";
	const char *path = write_text("kpa.csv", "# insoled frames export\n# format_version: 1\n# units: kPa\n"
				      "# layout_right: r2\n# sensors_right: 2\n# subject: \n# rate_hz: 100\n"
				      "t_us,foot,seq,s1,s2\n5000,right,4000000000,12.5,0\n15000,right,3,1e2,0.125\n"
				      "45000,right,6,1,1\n55000,right,1,1,1\n");
	struct ins_import *imp = ins_import_open(path, NULL, err, sizeof err);
	struct ins_import_frame f;

	ck_assert_msg(imp != NULL, "%s", err);
	ck_assert_uint_eq(ins_import_info(imp)->unit, INS_IMPORT_KPA);
	ck_assert_uint_eq(ins_import_info(imp)->feet, 1u << INS_FOOT_RIGHT);
	ck_assert_str_eq(ins_import_info(imp)->subject, "");
	ck_assert_ptr_null(ins_import_info(imp)->calib[INS_FOOT_RIGHT]);
	expect_frame(imp, INS_FOOT_RIGHT, 5000, 4000000000u, 0, 12.5f);
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 1);
	/* 4000000000 -> 3 "wraps" forward 294967299 frames in 10 ms: a restart */
	ck_assert_uint_eq(f.seq, 3);
	ck_assert_uint_eq(f.gap, 0);
	ck_assert_float_eq(f.values[0], 100.0f);
	ck_assert_float_eq(f.values[1], 0.125f);
	expect_frame(imp, INS_FOOT_RIGHT, 45000, 6, 2, 1.0f); /* 4 and 5 lost, 30 ms */
	expect_frame(imp, INS_FOOT_RIGHT, 55000, 1, 0, 1.0f); /* the counter went back */
	expect_end(imp);
	ins_import_close(imp);
}
END_TEST

/* ---- gaitndd (WFDB 212), generated ----------------------------------------- */

static long sum16(const int *s, size_t n)
{
	long sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += s[i];
	return (int16_t)(uint16_t)(sum & 0xffff);
}

static const int ndd_left[5] = { 503, -1, 2047, -2048, 7 };  /* -2048: no sample */
static const int ndd_right[5] = { -157, 0, -2047, 100, 1000 };

/* rec.hea (as given) + rec.let + rec.rit with the first let_n / rit_n samples. */
static void write_ndd(const char *hea, size_t let_n, size_t rit_n)
{
	unsigned char buf[16];

	write_text("rec.hea", hea);
	write_tmp("rec.let", buf, test_pack212(ndd_left, let_n, buf));
	write_tmp("rec.rit", buf, test_pack212(ndd_right, rit_n, buf));
}

static void ndd_good_header(char *hea, size_t len)
{
	snprintf(hea, len,
		 "# generated\nrec 2 300 5\nrec.let 212 3000 12 0 503 %ld 0 left-foot\n"
		 "rec.rit 212 3000 12 0 -157 %ld 0 right-foot\n",
		 sum16(ndd_left, 5), sum16(ndd_right, 5));
}

/* Of the files of one upload, which one is read: a single file, or the
 * header of a gaitndd record's three; anything else is named. */
START_TEST(an_upload_of_several_files_is_one_gaitndd_record)
{
	static const char *const one[] = { "walk.csv" }, *const rec[] = { "P1.LET", "P1.hea", "P1.Rit" };
	static const char *const part[] = { "p1.hea", "p1.let" }, *const mixed[] = { "p1.hea", "p1.let", "p2.rit" };
	static const char *const other[] = { "p1.hea", "walk.csv", "p1.rit" }, *const twice[] = { "p1.let", "p1.LET",
												   "p1.hea" };
	char err[512];

	ck_assert_int_eq(ins_import_pick_file(one, 1, err, sizeof err), 0);
	ck_assert_int_eq(ins_import_pick_file(rec, 3, err, sizeof err), 1);
	ck_assert_int_eq(ins_import_pick_file(part, 2, err, sizeof err), -1);
	ck_assert_str_eq(err, "p1.hea: the gaitndd record p1 lacks the right foot's p1.rit: a record is three files, "
			      "NAME.hea, NAME.let and NAME.rit, read from one folder by insoled --analyze NAME.hea or "
			      "sent together in one upload");
	ck_assert_int_eq(ins_import_pick_file(part + 1, 1, err, sizeof err), 0); /* refused by its name later */
	ck_assert_int_eq(ins_import_check_upload_name(part[1], err, sizeof err), -1);
	ck_assert_int_eq(ins_import_pick_file(mixed, 3, err, sizeof err), -1);
	ck_assert_str_eq(err, "p2.rit: sent with p1.hea: several files make one recording only as a gaitndd record, the "
			      "three files NAME.hea, NAME.let and NAME.rit of one NAME");
	ck_assert_int_eq(ins_import_pick_file(other, 3, err, sizeof err), -1);
	ck_assert_int_eq(strncmp(err, "walk.csv: sent with p1.hea: ", 28), 0);
	ck_assert_int_eq(ins_import_pick_file(twice, 3, err, sizeof err), -1);
	ck_assert_int_eq(strncmp(err, "p1.LET: sent with p1.let: ", 26), 0);
	ck_assert_int_eq(ins_import_pick_file(one, 0, err, sizeof err), -1);
}
END_TEST

START_TEST(gaitndd_decodes_212_counts_invalid_samples_and_checksums)
{
	static const char *const opens[] = { "rec.hea", "rec.let", "rec.rit", "rec" };
	char hea[512], path[512], err[512] = "";

	ndd_good_header(hea, sizeof hea);
	write_ndd(hea, 5, 5);
	for (unsigned k = 0; k < 4; k++) {
		struct ins_import *imp;
		const struct ins_import_info *info;

		snprintf(path, sizeof path, "%s/%s", tmpdir, opens[k]);
		imp = ins_import_open(path, NULL, err, sizeof err);
		ck_assert_msg(imp != NULL, "%s: %s", opens[k], err);
		info = ins_import_info(imp);
		ck_assert_str_eq(info->format, "gaitndd");
		ck_assert_uint_eq(info->unit, INS_IMPORT_COUNTS);
		ck_assert_double_eq(info->rate_hz, 300.0);
		ck_assert_str_eq(info->layout[INS_FOOT_LEFT], "footswitch1");
		ck_assert_int_eq(info->duration_us, 16667);
		expect_frame(imp, INS_FOOT_LEFT, 0, 0, 0, 503 + 2048);
		expect_frame(imp, INS_FOOT_RIGHT, 0, 0, 0, -157 + 2048);
		expect_frame(imp, INS_FOOT_LEFT, 3333, 1, 0, 2047);
		expect_frame(imp, INS_FOOT_RIGHT, 3333, 1, 0, 2048);
		expect_frame(imp, INS_FOOT_LEFT, 6667, 2, 0, 4095);
		expect_frame(imp, INS_FOOT_RIGHT, 6667, 2, 0, 1);
		/* sample 3 of the left foot is WFDB's "no sample" */
		expect_frame(imp, INS_FOOT_RIGHT, 10000, 3, 0, 2148);
		expect_frame(imp, INS_FOOT_LEFT, 13333, 4, 1, 2055);
		expect_frame(imp, INS_FOOT_RIGHT, 13333, 4, 0, 3048);
		expect_end(imp);
		ins_import_close(imp);
	}
}
END_TEST

/* Sample k's time is round(k * 1e6 / rate) us, the halves up, at whole
 * rates (stepped without a division) and at fractional ones alike: each
 * frame of a long record is checked against the division. */
#define NDD_CLOCK_SAMPLES 20000
static const double ndd_clock_rates[] = { 300, 7, 1, 3, 100000, 299.7, 1000, 128 };

START_TEST(gaitndd_sample_times_are_rounded_exactly)
{
	static int samples[NDD_CLOCK_SAMPLES];
	static unsigned char packed[NDD_CLOCK_SAMPLES * 3 / 2 + 3];
	double rate = ndd_clock_rates[_i];
	char hea[512], path[512], err[512] = "";
	struct ins_import *imp;
	struct ins_import_frame f;

	for (unsigned k = 0; k < NDD_CLOCK_SAMPLES; k++)
		samples[k] = (int)(k % 4000) - 2000;
	snprintf(hea, sizeof hea, "rec 1 %.10g %d\nrec.let 212 1 12 0 -2000 %ld 0 left-foot\n", rate,
		 NDD_CLOCK_SAMPLES, sum16(samples, NDD_CLOCK_SAMPLES));
	write_text("rec.hea", hea);
	write_tmp("rec.let", packed, test_pack212(samples, NDD_CLOCK_SAMPLES, packed));
	snprintf(path, sizeof path, "%s/rec.hea", tmpdir);
	imp = ins_import_open(path, NULL, err, sizeof err);
	ck_assert_msg(imp != NULL, "%s", err);
	for (unsigned k = 0; k < NDD_CLOCK_SAMPLES; k++) {
		ck_assert_msg(ins_import_next(imp, &f, err, sizeof err) == 1, "sample %u: %s", k, err);
		ck_assert_msg(f.t_us == (int64_t)floor(k * 1e6 / rate + 0.5), "%g Hz, sample %u: %lld us", rate, k,
			      (long long)f.t_us);
	}
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 0);
	ins_import_close(imp);
}
END_TEST

/* A record renamed on disk (rec.* -> p7.*) keeps the old names in its
 * header: the files of its own name are read, checked against the header
 * (a file of another record is refused by its first sample); without a
 * checksum or initial value to check, the caution says so. */
START_TEST(a_renamed_gaitndd_record_reads_the_files_of_its_own_name)
{
	char hea[512], path[512], err[512] = "";
	unsigned char buf[16];
	struct ins_import *imp;

	ndd_good_header(hea, sizeof hea);
	write_text("p7.hea", hea);
	write_tmp("p7.let", buf, test_pack212(ndd_left, 5, buf));
	write_tmp("p7.rit", buf, test_pack212(ndd_right, 5, buf));
	snprintf(path, sizeof path, "%s/p7.hea", tmpdir);
	imp = ins_import_open(path, NULL, err, sizeof err);
	ck_assert_msg(imp != NULL, "%s", err);
	ck_assert_str_eq(ins_import_info(imp)->caution, "");
	expect_frame(imp, INS_FOOT_LEFT, 0, 0, 0, 503 + 2048);
	expect_frame(imp, INS_FOOT_RIGHT, 0, 0, 0, -157 + 2048);
	ins_import_close(imp);

	/* another record's samples under the new name */
	write_tmp("p7.let", buf, test_pack212(ndd_right, 5, buf));
	ck_assert_int_eq(read_all(path, NULL, err, sizeof err, (unsigned long[2]){ 0 }), -1);
	ck_assert_msg(strstr(err, "/p7.hea:3: initial value: header says 503, "), "%s", err);

	/* nothing in the header to check them by */
	write_text("p7.hea", "rec 2 300 5\nrec.let 212\nrec.rit 212\n");
	imp = ins_import_open(path, NULL, err, sizeof err);
	ck_assert_msg(imp != NULL, "%s", err);
	ck_assert_str_eq(ins_import_info(imp)->caution,
			 "p7.let read for the header's rec.let, which states no checksum to confirm it is this "
			 "record's; p7.rit read for the header's rec.rit, which states no checksum to confirm it "
			 "is this record's");
	ins_import_close(imp);
}
END_TEST

/* A WFDB record line may give the recording's base time and date (the
 * date day first): the record is dated by them; a time alone, or a date
 * that is none, dates nothing. */
START_TEST(gaitndd_record_line_base_time_and_date_date_the_recording)
{
	static const struct {
		const char *when, *start;
	} cases[] = {
		{ " 10:20:30 25/04/2023", "2023-04-25T10:20:30.000" },
		{ " 7:05:09.25 1/12/2026", "2026-12-01T07:05:09.250" },
		{ "", "" },
		{ " 10:20:30", "" },
		{ " 10:20:30 25/13/2023", "" },
	};
	char hea[512], good[512], err[512] = "";
	int64_t us;

	ndd_good_header(good, sizeof good);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ins_import *imp;
		const char *rest = strstr(good, "rec 2 300 5\n") + strlen("rec 2 300 5");

		snprintf(hea, sizeof hea, "# generated\nrec 2 300 5%s%s", cases[i].when, rest);
		write_ndd(hea, 5, 5);
		imp = ins_import_open(write_text("rec.hea", hea), NULL, err, sizeof err);
		ck_assert_msg(imp != NULL, "%s", err);
		ck_assert_str_eq(ins_import_info(imp)->start, cases[i].start);
		ck_assert_int_eq(ins_import_start_us(ins_import_info(imp)->start, &us), *cases[i].start ? 0 : -1);
		ins_import_close(imp);
	}
}
END_TEST

/* ins_import_fingerprint() of the recording at path. */
static void fingerprint_of(const char *path, char out[INS_IMPORT_FINGERPRINT_SIZE])
{
	char err[512] = "";
	struct ins_import *imp = ins_import_open(path, NULL, err, sizeof err);

	ck_assert_msg(imp != NULL, "%s", err);
	ck_assert_msg(ins_import_fingerprint(imp, out, err, sizeof err) == 0, "%s", err);
	ins_import_close(imp);
}

/* A comment line may start with blanks (WFDB's reader takes a line whose
 * first token starts with '#' for one): the record reads as without them,
 * and its fingerprint, which reads the header again, sees the same lines.
 * Taken for the record line, " # note" made the fingerprint read on past
 * the signal lines into whatever followed. */
START_TEST(gaitndd_indented_comments_are_comments)
{
	char good[512], hea[600], path[128], plain[INS_IMPORT_FINGERPRINT_SIZE], indented[INS_IMPORT_FINGERPRINT_SIZE];
	const char *signals;

	ndd_good_header(good, sizeof good);
	write_ndd(good, 5, 5);
	snprintf(path, sizeof path, "%s/rec.hea", tmpdir);
	fingerprint_of(path, plain);
	signals = strchr(strstr(good, "rec 2 300 5"), '\n') + 1;
	snprintf(hea, sizeof hea, "  # indented\n\t# tabbed\nrec 2 300 5\n # between\n%s", signals);
	write_ndd(hea, 5, 5);
	fingerprint_of(path, indented);
	ck_assert_str_eq(indented, plain);
}
END_TEST

/* A single-file recording's fingerprint is the SHA-256 of its bytes (the
 * value below is sha256sum's), whatever the file is named; one byte more
 * and it is another recording. */
START_TEST(fingerprint_is_the_files_sha256_whatever_its_name)
{
	static const char want[] = "sha256:de628e4231ba85f0a2b79ee4eeb5b886258176f382f30f04a5658a4a766b88de";
	char fp[INS_IMPORT_FINGERPRINT_SIZE], again[INS_IMPORT_FINGERPRINT_SIZE];
	char text[8192];
	FILE *f = fopen(FIXTURES "gaitpdb_small.txt", "rb");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(text, 1, sizeof text - 64, f);
	fclose(f);
	ck_assert_uint_lt(n, sizeof text - 64); /* the whole fixture */
	fingerprint_of(FIXTURES "gaitpdb_small.txt", fp);
	ck_assert_str_eq(fp, want);
	fingerprint_of(write_tmp("renamed copy.dat", text, n), again);
	ck_assert_str_eq(again, want);
	/* the same frames with one more row: another recording */
	snprintf(text + n, 64, "%s", "0.0600\t1\t1\t1\t1\t1\t1\t1\t1\t1\t1\t1\t1\t1\t1\t1\t1\t8\t8\r\n");
	fingerprint_of(write_tmp("longer.txt", text, strlen(text)), again);
	ck_assert_str_ne(again, want);
	ck_assert_uint_eq(strlen(again), INS_IMPORT_FINGERPRINT_SIZE - 1);
}
END_TEST

/* A gaitndd record is three files: its fingerprint covers the samples of
 * both feet and the header's description of them, but not the record's
 * name, the header's comments or its line ends, so a record copied under
 * another name is recognised, and a changed sample or gain is not taken for
 * the original. */
START_TEST(gaitndd_fingerprint_covers_samples_and_header_not_the_name)
{
	static const char renamed_hea[] = "# generated\r\nwalk-7 2 300 5\r\nwalk-7.let 212 3000 12 0 503 %ld 0 left-foot\r\n"
					  "walk-7.rit 212 3000 12 0 -157 %ld 0 right-foot\r\n";
	char hea[512], path[512], fp[INS_IMPORT_FINGERPRINT_SIZE], other[INS_IMPORT_FINGERPRINT_SIZE];
	unsigned char buf[16];
	int changed[5];

	ndd_good_header(hea, sizeof hea);
	write_ndd(hea, 5, 5);
	snprintf(path, sizeof path, "%s/rec.hea", tmpdir);
	fingerprint_of(path, fp);
	snprintf(path, sizeof path, "%s/rec.rit", tmpdir); /* opened by another of its files */
	fingerprint_of(path, other);
	ck_assert_str_eq(other, fp);

	snprintf(hea, sizeof hea, renamed_hea, sum16(ndd_left, 5), sum16(ndd_right, 5));
	write_text("walk-7.hea", hea);
	write_tmp("walk-7.let", buf, test_pack212(ndd_left, 5, buf));
	write_tmp("walk-7.rit", buf, test_pack212(ndd_right, 5, buf));
	snprintf(path, sizeof path, "%s/walk-7.hea", tmpdir);
	fingerprint_of(path, other);
	ck_assert_str_eq(other, fp);
	/* comments describe, they do not define: another one after the signals,
	 * even without a line end (which no line the reader reads may lack) */
	snprintf(hea, sizeof hea, renamed_hea, sum16(ndd_left, 5), sum16(ndd_right, 5));
	snprintf(hea + strlen(hea), sizeof hea - strlen(hea), "#Age: 61");
	write_text("walk-7.hea", hea);
	fingerprint_of(path, other);
	ck_assert_str_eq(other, fp);

	/* one right-foot sample changed (and the checksum with it) */
	memcpy(changed, ndd_right, sizeof changed);
	changed[4] = 999;
	snprintf(hea, sizeof hea, renamed_hea, sum16(ndd_left, 5), sum16(changed, 5));
	write_text("walk-7.hea", hea);
	write_tmp("walk-7.rit", buf, test_pack212(changed, 5, buf));
	fingerprint_of(path, other);
	ck_assert_str_ne(other, fp);

	/* the same samples under another gain: another recording */
	ndd_good_header(hea, sizeof hea);
	*strstr(hea, "3000 12 0 -157") = '2';
	write_ndd(hea, 5, 5);
	snprintf(path, sizeof path, "%s/rec.hea", tmpdir);
	fingerprint_of(path, other);
	ck_assert_str_ne(other, fp);
}
END_TEST

struct ndd_bad_case {
	const char *hea;      /* written as rec.hea */
	size_t let_n, rit_n;  /* samples written to each file */
	const char *expect;   /* message after "<tmpdir>/" */
	int at_open;          /* 1: open fails; 0: reading fails */
};

static const struct ndd_bad_case ndd_bad[] = {
	{ "rec 2 300 5\nrec.let 16 3000 12 0 503 0 0 left-foot\nrec.rit 212 3000 12 0 -157 0 0 right-foot\n", 5, 5,
	  "rec.hea:2: format: '16' is not supported (only WFDB format 212 is read)", 1 },
	{ "rec 3 300 5\n", 5, 5, "rec.hea:1: number of signals: '3' is not 1 or 2 (one footswitch per foot)", 1 },
	{ "rec 2 fast 5\n", 5, 5, "rec.hea:1: sampling frequency: 'fast' is not a frequency in Hz", 1 },
	/* found by fuzz_import: sample times past int64_t microseconds */
	{ "rec 2 1e-300 5\n", 5, 5, "rec.hea:1: sampling frequency: '1e-300' is not a frequency in Hz", 1 },
	{ "rec 2 300 five\n", 5, 5, "rec.hea:1: number of samples: 'five' is not a sample count", 1 },
	{ "rec 2 300 5\nrec.let 212 3000 12 0 503 0 0 left-foot\n", 5, 5,
	  "rec.hea:2: the record line announces 2 signals, the header describes 1", 1 },
	{ "# only a comment\n", 5, 5, "rec.hea:1: no record line (NAME NSIG FS NSAMP)", 1 },
	{ "rec 2 300 5\nrec.dat 212 3000 12 0 503 0 0 left-foot\nrec.rit 212\n", 5, 5,
	  "rec.hea:2: file name: 'rec.dat' is neither NAME.let (left foot) nor NAME.rit (right foot)", 1 },
	{ "rec 2 300 5\n../etc/rec.let 212\nrec.rit 212\n", 5, 5,
	  "rec.hea:2: file name: '../etc/rec.let' is not a file beside the header", 1 },
	{ "rec 2 300 5\nrec.let 212 3000 12 0 503 0 0 right-foot\nrec.rit 212\n", 5, 5,
	  "rec.hea:2: description: 'right-foot' contradicts the file name 'rec.let'", 1 },
	{ "rec 2 300 5\nrec.let 212 3000 12 0 503 0 0 left-foot\nrec.let 212\n", 5, 5,
	  "rec.hea:3: file name: a second left-foot signal ('rec.let')", 1 },
	{ "rec 2 300 5\nrec.let 212 3000 16 0 503 0 0 left-foot\nrec.rit 212\n", 5, 5,
	  "rec.hea:2: ADC resolution: '16' bits: format 212 holds 12-bit samples", 1 },
	{ "rec 2 300 5\nrec.let 212 3000 12 0 x503 0 0 left-foot\nrec.rit 212\n", 5, 5,
	  "rec.hea:2: initial value: 'x503' is not an integer", 1 },
	/* cut short: the samples both files have are read first */
	{ "rec 2 300 5\nrec.let 212\nrec.rit 212\n", 4, 5, "rec.let: truncated: 6 bytes, but ", 0 },
	{ "rec 2 300 5\nrec.let 212\nrec.rit 212\n", 5, 3, "rec.rit: truncated: 5 bytes, but ", 0 },
	{ "rec 2 300\nrec.let 212\nrec.rit 212\n", 5, 3, "rec.rit: truncated: 3 samples, but ", 0 },
	{ "rec 2 300 5\nrec.let 212\nrec.rit 212\n", 0, 5, "rec.let: truncated: 0 bytes, but ", 1 },
	{ "rec 2 300 4\nrec.let 212\nrec.rit 212\n", 5, 5, "rec.let: longer than its header: 8 bytes, but ", 1 },
	{ "rec 2 300 5\nrec.let 212 3000 12 0 500 0 0 left-foot\nrec.rit 212\n", 5, 5,
	  "rec.hea:2: initial value: header says 500, ", 0 },
	{ "rec 2 300 5\nrec.let 212 3000 12 0 503 1234 0 left-foot\nrec.rit 212\n", 5, 5,
	  "rec.hea:2: checksum: header says 1234, the samples of ", 0 },
};

START_TEST(gaitndd_bad_input_names_file_line_and_field)
{
	const struct ndd_bad_case *c = &ndd_bad[_i];
	char err[512] = "", want[512], hea[512];
	unsigned long n[2];
	int rc;

	write_ndd(c->hea, c->let_n, c->rit_n);
	snprintf(want, sizeof want, "%s/%s", tmpdir, c->expect);
	snprintf(hea, sizeof hea, "%s/rec.hea", tmpdir);
	rc = read_all(hea, NULL, err, sizeof err, n);
	ck_assert_int_eq(rc, c->at_open ? -2 : -1);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "case %d: got '%s', want '%s...'", _i, err, want);
}
END_TEST

/* A record whose signal file was cut short (a download broken off) is
 * read as far as both files go, its samples kept, and then the reader
 * stops naming the short file, as a text reader stops at a damaged line. */
START_TEST(a_gaitndd_record_cut_short_keeps_the_samples_before_the_cut)
{
	char hea[512], path[512], err[512] = "";
	unsigned long n[2];

	ndd_good_header(hea, sizeof hea);
	write_ndd(hea, 5, 3);
	snprintf(path, sizeof path, "%s/rec.hea", tmpdir);
	ck_assert_int_eq(read_all(path, NULL, err, sizeof err, n), -1);
	ck_assert_uint_eq(n[INS_FOOT_LEFT], 3);
	ck_assert_uint_eq(n[INS_FOOT_RIGHT], 3);
	ck_assert_msg(strstr(err, "/rec.rit: truncated: 5 bytes, but "), "%s", err);
}
END_TEST

/* ---- bad text input ------------------------------------------------------ */

struct text_bad_case {
	const char *name;     /* file name in tmpdir */
	const char *format;   /* NULL: detect */
	const char *content;
	const char *expect;   /* exact message after "<tmpdir>/" */
	int at_open;
};

#define PDB_ROW "0.0000\t1\t2\t3\t4\t5\t6\t7\t8\t1\t2\t3\t4\t5\t6\t7\t8\t36\t36\r\n"
#define MOT_COLS "# time\tleft pressure 1[N/cm\xc2\xb2]\tleft pressure 2[N/cm\xc2\xb2]\tleft total force[N]\n"
#define INS_HEAD "# insoled frames export\n# format_version: 1\n# units: counts\n# layout_left: a2\n# sensors_left: 2\n"
#define INS_COLS "t_us,foot,seq,s1,s2\n"
#define INS_LIN "{\"kind\":\"linear\",\"zero\":0,\"gain\":1}"

static const struct text_bad_case text_bad[] = {
	/* detection */
	{ "empty.txt", NULL, "", "empty.txt: empty file", 1 },
	{ "words.txt", NULL, "hello world\n",
	  "words.txt:1: not a recording this program reads (first line 'hello world'); formats: gaitndd "
	  "(.hea/.let/.rit), gaitpdb (19 numeric columns), Moticon and insoled exports ('#' header)", 1 },
	{ "hash.txt", NULL, "# some other tool\n1 2 3\n",
	  "hash.txt:1: '#' header lines that are neither an insoled frames export (first line '# insoled "
	  "frames export') nor a Moticon export (no 'pressure 1[N/cm\xc2\xb2]' column)", 1 },
	{ "x.txt", "csv", PDB_ROW,
	  "x.txt: format: unknown format 'csv' (known: gaitndd, gaitpdb, moticon, insoled, pedar, fscan, "
	  "xsensor, stappone)", 1 },
	/* a WFDB header renamed, or uploaded alone */
	{ "rec.txt", NULL, "park1 2 300 90000\r\npark1.let 212 1000 12 0 -96 24342 0 left-foot\r\n",
	  "rec.txt:1: a WFDB header (gaitndd .hea, first line 'park1 2 300 90000'): a record is three files, NAME.hea, "
	  "NAME.let and NAME.rit, read from one folder by insoled --analyze NAME.hea", 1 },
	/* a gaitndd record's per-stride times, chosen with its files */
	{ "park1.ts", NULL, "21.7700\t1.1333\t1.0933\t0.3700\t0.3300\t32.65\t30.18\t0.7633\t0.7633\t67.35\t69.82\t"
	  "0.4333\t38.24\n", "park1.ts:1: the per-stride times of a gaitndd record (NAME.ts, 13 numbers a line, first line "
	  "'21.7700?1.1333?1.0933?0.3700?0.3300?32.6'), not a recording: a record is three files, NAME.hea, NAME.let "
	  "and NAME.rit, read from one folder by insoled --analyze NAME.hea or sent together in one upload", 1 },
	{ "row.txt", NULL, "0.00 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n",
	  "row.txt:1: not a recording this program reads", 1 },
	{ "row.txt", NULL, "0.00 1 2 3 4 5 6 7 8 9 10 11 x\n", "row.txt:1: not a recording this program reads", 1 },
	{ "bin.txt", NULL, "\x01\xff\xc3-abc\n",
	  "bin.txt:1: not a recording this program reads (first line '\x3f\x3f\x3f-abc'); formats: gaitndd ", 1 },
	/* gaitpdb */
	{ "pdb.txt", NULL, PDB_ROW "0.0100\t1\t2\t3\t4\t5\t6\t7\t8\t1\t2\t3\t4\t5\t6\t7\t8\t36\r\n",
	  "pdb.txt:2: expected 19 columns (time, L1..L8, R1..R8, total left, total right), found 18", 0 },
	{ "pdb.txt", NULL, PDB_ROW "0.0100\t1\t2\t3\t4\t5\t6\t7\t8\t1\t2\t3\t4\t5\t6\t7\t8\t36\t36\t9\t9\r\n",
	  "pdb.txt:2: expected 19 columns (time, L1..L8, R1..R8, total left, total right), found more than 19", 0 },
	{ "pdb.txt", NULL, PDB_ROW "0.0100\t1\t2\t3x\t4\t5\t6\t7\t8\t1\t2\t3\t4\t5\t6\t7\t8\t36\t36\r\n",
	  "pdb.txt:2: L3: '3x' is not a number", 0 },
	{ "pdb.txt", NULL, PDB_ROW "0.0100\t1\t2\t3\t4\t5\t6\t7\t8\t1\t2\t3\t4\t5\t6\t7\t8\t36\tnan\r\n",
	  "pdb.txt:2: total right: 'nan' is not a finite number", 0 },
	{ "pdb.txt", NULL, PDB_ROW PDB_ROW, "pdb.txt:2: time: 0.0000 s is not after the previous line's 0.0000 s", 0 },
	/* found by fuzz_import: a value no float holds became infinite; times
	 * past int64_t microseconds overflowed the gap arithmetic */
	{ "pdb.txt", NULL, PDB_ROW "0.0100\t1\t2\t3\t4\t5\t6\t7\t8\t1e39\t2\t3\t4\t5\t6\t7\t8\t36\t36\r\n",
	  "pdb.txt:2: R1: '1e39' is beyond any insole (at most 1e+07 in magnitude): a damaged file?", 0 },
	{ "pdb.txt", NULL, "-1e300\t1\t2\t3\t4\t5\t6\t7\t8\t1\t2\t3\t4\t5\t6\t7\t8\t36\t36\r\n" PDB_ROW,
	  "pdb.txt:1: time: '-1e300' s is outside -1e+12..1e+12 s", 0 },
	{ "pdb.txt", NULL, PDB_ROW "0.0100\t1\t2\t3\t4\t5\t6\t7\t8\t1\t2\t3\t4\t5\t6\t7\t8\t36\t3",
	  "pdb.txt:2: truncated file: the last line has no line end", 0 },
	{ "pdb.txt", NULL, "0.0000\t1\t2\t3\t4\t5\t6\t7\t8\t1\t2\t3\t4\t5\t6\t7\t8\t36\t36\r0.01\n00\t1\r",
	  "pdb.txt:2: line feed (LF) at column 5 in a file whose lines end with CR alone", 0 },
	{ "pdb.txt", NULL, PDB_ROW "0.0100\t1\t2\t3\t4\t5\t6\t7\t8\t1\t2\t3\r4\t5\t6\t7\t8\t36\t36\n",
	  "pdb.txt:2: carriage return (CR) alone at column 29: lines must end with LF or CRLF", 0 },
	{ "pdb.txt", "gaitpdb", PDB_ROW "0.01\0\t1\n", "pdb.txt:2: binary data (NUL byte at column 5): not a text "
	  "recording or a damaged file", 0 },
	/* gaitpdb re-saved by a spreadsheet with a European number format:
	 * detected by its 19 columns all the same, refused naming the comma */
	{ "pdb.txt", NULL, "0,0000\t1\t2\t3\t4\t5\t6\t7\t8\t1\t2\t3\t4\t5\t6\t7\t8\t36\t36\r\n",
	  "pdb.txt:1: time: '0,0000' is not a number: a decimal comma? Numbers need '.' as the decimal point: export "
	  "the file again with '.'", 0 },
	{ "pdb.txt", NULL, "0 1 2,5 3 4 5 6 7 8 1 2 3 4 5 6 7 8 36 36\n",
	  "pdb.txt:1: L2: '2,5' is not a number: a decimal comma?", 0 },
	{ "pdb.txt", NULL, "0,0000;1;2;3;4;5;6;7;8;1;2;3;4;5;6;7;8;36;36,5\r\n",
	  "pdb.txt:1: a gaitpdb recording (19 numbers a line) with ';' between its fields and decimal commas (first "
	  "line '0,0000;1;2;3;4;5;6;7;8;1;2;3;4;5;6;7;8;3'): a spreadsheet re-saved it; save it again as text with tabs "
	  "between fields and '.' as the decimal point", 1 },
	{ "pdb.txt", NULL, "0,0000\t1\t2\n", "pdb.txt:1: not a recording this program reads", 1 },
	/* Moticon */
	{ "mot.txt", NULL, "# Start time: x\n0.00\t1\t2\t3\n",
	  "mot.txt:2: no '# time<TAB>...' line naming the columns before the data", 1 },
	{ "mot.txt", NULL, "# Start time: x\n" MOT_COLS MOT_COLS "0.00\t1\t2\t3\n",
	  "mot.txt:3: a second '# time' line naming the columns", 1 },
	{ "mot.txt", NULL, "# Start time: x\n# time\tleft pressure 2[N/cm\xc2\xb2]\n0.00\t1\n",
	  "mot.txt:3: column 'left pressure 1[N/cm\xc2\xb2]' is missing (pressures 1..2 expected)", 1 },
	{ "mot.txt", NULL, "# Start time: x\n# time\tleft pressure 1[kPa]\n0.00\t1\n",
	  "mot.txt:2: left pressure 1[kPa]: pressure unit '[kPa]' is not supported (expected N/cm\xc2\xb2)", 1 },
	{ "mot.txt", NULL, "# Start time: x\n# time\tleft total force[N]\n0.00\t1\n",
	  "mot.txt:3: no 'left pressure 1[N/cm\xc2\xb2]' or 'right pressure 1[N/cm\xc2\xb2]' column", 1 },
	{ "mot.txt", NULL, "# Start time: x\n" MOT_COLS "0.00\t1\t2\t3\n0.01\t1\t2\n",
	  "mot.txt:4: expected 4 tab-separated columns (as named by the '# time' line), found 3", 0 },
	{ "mot.txt", NULL, "# Start time: x\n" MOT_COLS "0.00\t1\t2\t3\n0.01\t\t2\t3\n",
	  "mot.txt:4: left pressure 1[N/cm\xc2\xb2]: empty while other left pressures of this row have values", 0 },
	{ "mot.txt", NULL, "# Start time: x\n" MOT_COLS "0.00\t1\tabc\t3\n",
	  "mot.txt:3: left pressure 2[N/cm\xc2\xb2]: 'abc' is not a number", 0 },
	{ "mot.txt", NULL, "# Start time: x\n" MOT_COLS "0.00\t1\t2\t3\n0.00\t1\t2\t3\n",
	  "mot.txt:4: time: 0.00 s is not after the previous row's 0.000 s", 0 },
	{ "mot.txt", NULL, "# Start time: x\n" MOT_COLS "0.00\t1\t2\tmany\n",
	  "mot.txt:3: left total force[N]: 'many' is not a number", 0 },
	{ "mot.txt", NULL, "# Start time: x\n" MOT_COLS "0.00\t1\t2\t1e300\n",
	  "mot.txt:3: left total force[N]: '1e300' is beyond any insole (at most 1e+07 in magnitude): a damaged file?", 0 },
	{ "mot.txt", NULL, "# Start time: x\n" MOT_COLS "0.00\t-3.5e38\t2\t3\n",
	  "mot.txt:3: left pressure 1[N/cm\xc2\xb2]: '-3.5e38' is beyond any insole (at most 1e+07 in magnitude): a "
	  "damaged file?", 0 },
	{ "mot.txt", NULL, "# Start time: x\n" MOT_COLS "1e13\t1\t2\t3\n",
	  "mot.txt:3: time: '1e13' s is outside -1e+12..1e+12 s", 0 },
	{ "mot.txt", NULL, "# Start time: x\n" MOT_COLS "\n",
	  "mot.txt: a header but no frames: the file ends before its first sample", 0 },
	{ "mot.txt", NULL, "# Start time: x\n" MOT_COLS "0,00\t1\t2\t3\n", "mot.txt:3: time: '0,00' is not a number: a "
	  "decimal comma? Numbers need '.' as the decimal point: export the file again with '.' (set by the exporting "
	  "program's or Windows' number format)", 0 },
	/* our export */
	{ "ins.csv", NULL, INS_HEAD "t_us;foot;seq;s1;s2\n", "ins.csv:6: column line has 1 columns, expected "
	  "t_us,foot,seq,s1..s2 (separated by ';': a spreadsheet re-saved the export; save it again as CSV with ',' "
	  "between fields and '.' as the decimal point)", 1 },
	{ "ins.csv", NULL, INS_HEAD INS_COLS, "ins.csv: a header but no frames: the file ends before its first sample", 0 },
	{ "ins.csv", "insoled", "# insoled export\n", "ins.csv:1: first line is not '# insoled frames export'", 1 },
	{ "ins.csv", NULL, "# insoled frames export\n# format_version: 3\n",
	  "ins.csv:2: format_version: version 3 is not supported (this program reads versions 1..2)", 1 },
	{ "ins.csv", NULL, "# insoled frames export\n# format_version: 1.5\n",
	  "ins.csv:2: format_version: version 1.5 is not supported (this program reads versions 1..2)", 1 },
	{ "ins.csv", NULL, "# insoled frames export\n# format_version: 1\n# layout_left: a2\n# sensors_left: 2\n"
	  "t_us,foot,seq,s1,s2\n", "ins.csv:5: header has no 'units' line before the column line", 1 },
	{ "ins.csv", NULL, "# insoled frames export\n# units: newtons\n",
	  "ins.csv:2: units: 'newtons' is neither 'counts' nor 'kPa'", 1 },
	{ "ins.csv", NULL, "# insoled frames export\n# format_version: 1\n# units: kPa\n# sensors_left: 2\n"
	  "t_us,foot,seq,s1,s2\n", "ins.csv:5: header has no 'layout_left or layout_right' line before the column line", 1 },
	{ "ins.csv", NULL, "# insoled frames export\n# format_version: 1\n# units: kPa\n# layout_right: b\n"
	  "t_us,foot,seq,s1\n", "ins.csv:5: header has no 'sensors_right' line before the column line", 1 },
	{ "ins.csv", NULL, INS_HEAD "# sensors_right: 5000\n",
	  "ins.csv:6: sensors_right: 5000 is outside 1..4096", 1 },
	{ "ins.csv", NULL, INS_HEAD "no key here\n", "ins.csv:6: column line has 1 columns, expected t_us,foot,seq,s1..s2", 1 },
	{ "ins.csv", NULL, INS_HEAD "# Subject: x\n", "ins.csv:6: header key 'Subject' is not lower-case letters, digits and '_'", 1 },
	{ "ins.csv", NULL, INS_HEAD "#subject x\n", "ins.csv:6: header line is not '# key: value'", 1 },
	{ "ins.csv", NULL, INS_HEAD "t_us,foot,seq,s1,s3\n", "ins.csv:6: column 5 is 's3', expected 's2'", 1 },
	{ "ins.csv", NULL, INS_HEAD, "ins.csv:5: no column line (t_us,foot,seq,s1,...) after the header", 1 },
	{ "ins.csv", NULL, INS_HEAD "# calibration_left: [{\"kind\":\"linear\",\"zero\":0,\"gain\":1}]\n" INS_COLS,
	  "ins.csv:6: calibration_left: must be an array of 2 calibration objects (one per sensor)", 1 },
	{ "ins.csv", NULL, INS_HEAD "# calibration_left: [{\"kind\":\"linear\",\"zero\":0,\"gain\":1},{\"kind\":\"cubic\"}]\n" INS_COLS,
	  "ins.csv:6: calibration_left[1].kind: must be \"linear\", \"power\" or \"table\"", 1 },
	{ "ins.csv", NULL, INS_HEAD "# calibration_left: [{\"kind\":\"linear\",\"zero\":0,\"gain\":\"1\"},{}]\n" INS_COLS,
	  "ins.csv:6: calibration_left[0].gain: a number is required", 1 },
	{ "ins.csv", NULL, INS_HEAD "# calibration_left: [{\"kind\":\"power\",\"zero\":0,\"gain\":1,\"exponent\":0},{}]\n" INS_COLS,
	  "ins.csv:6: calibration_left[0].exponent: a positive number is required", 1 },
	{ "ins.csv", NULL, INS_HEAD "# calibration_left: [{\"kind\":\"table\",\"zero\":0,\"table_counts\":[0,9,5],"
	  "\"table_kpa\":[0,1,2]},{}]\n" INS_COLS, "ins.csv:6: calibration_left[0].table_counts: counts must increase", 1 },
	{ "ins.csv", NULL, INS_HEAD "# calibration_left: [{\"kind\":\"linear\",\"zero\":0,\"gain\":1,\"saturation\":70000},{}]\n" INS_COLS,
	  "ins.csv:6: calibration_left[0].saturation: must be a whole number of counts 0..65535", 1 },
	{ "ins.csv", NULL, INS_HEAD "# calibration_left: [{\"kind\":\n" INS_COLS,
	  "ins.csv:6: calibration_left: bad JSON at column 9: unexpected token near end of file", 1 },
	/* one calibration line per sensor (version 2) */
	{ "ins.csv", NULL, INS_HEAD "# calibration_left_s1: " INS_LIN "\n" INS_COLS,
	  "ins.csv:6: calibration_left_s1..s1: 1 lines, but sensors_left is 2 (one line per sensor)", 1 },
	{ "ins.csv", NULL, INS_HEAD "# calibration_left_s1: " INS_LIN "\n# calibration_left_s3: " INS_LIN "\n" INS_COLS,
	  "ins.csv:7: calibration_left_s3: comes after the line of sensor 1: one line per sensor, in sensor order "
	  "from s1", 1 },
	{ "ins.csv", NULL, INS_HEAD "# calibration_left_s2: " INS_LIN "\n" INS_COLS,
	  "ins.csv:6: calibration_left_s2: comes after the line of sensor 0: one line per sensor, in sensor order "
	  "from s1", 1 },
	{ "ins.csv", NULL, INS_HEAD "# calibration_left: [" INS_LIN "," INS_LIN "]\n# calibration_left_s1: " INS_LIN
	  "\n" INS_COLS, "ins.csv:7: calibration_left_s1: this foot's calibration is already given on line 6: give "
	  "it once, either as one calibration_<foot> line or as one calibration_<foot>_sN line per sensor", 1 },
	{ "ins.csv", NULL, INS_HEAD "# calibration_left_s1: " INS_LIN "\n# calibration_left_s2: " INS_LIN
	  "\n# calibration_left: [" INS_LIN "," INS_LIN "]\n" INS_COLS, "ins.csv:8: calibration_left: this foot's "
	  "calibration is already given on line 6: give it once, either as one calibration_<foot> line or as one "
	  "calibration_<foot>_sN line per sensor", 1 },
	{ "ins.csv", NULL, INS_HEAD "# calibration_left_s1: " INS_LIN "\n# calibration_left_s2: {\"kind\":\"power\","
	  "\"zero\":0,\"gain\":1}\n" INS_COLS, "ins.csv:7: calibration_left_s2.exponent: a positive number is required", 1 },
	{ "ins.csv", NULL, INS_HEAD "# calibration_left_s1: [" INS_LIN "]\n" INS_COLS,
	  "ins.csv:6: calibration_left_s1.kind: each sensor's calibration must be a JSON object", 1 },
	{ "ins.csv", NULL, INS_HEAD "# calibration_left_s1: {\"kind\":\n" INS_COLS,
	  "ins.csv:6: calibration_left_s1: bad JSON at column 8: unexpected token near end of file", 1 },
	{ "ins.csv", "insoled", "# insoled frames export\n# format_version: 2\n# units: kPa\n# layout_left: a2\n"
	  "# sensors_left: 2\n# calibration_left_s1: " INS_LIN "\n# calibration_left_s2: " INS_LIN "\n" INS_COLS,
	  "ins.csv:6: a calibration is only meaningful with 'units: counts'", 1 },
	{ "ins.csv", NULL, INS_HEAD "t_us,foot,seq,s1,s2\n0,middle,0,1,2\n", "ins.csv:7: foot: 'middle' is not left or right", 0 },
	{ "ins.csv", NULL, INS_HEAD "t_us,foot,seq,s1,s2\n0,right,0,1,2\n", "ins.csv:7: foot: right, but the header has no layout_right", 0 },
	{ "ins.csv", NULL, INS_HEAD "t_us,foot,seq,s1,s2\n0,left,0,1\n",
	  "ins.csv:7: left row has 4 fields, expected t_us,foot,seq and 2 values (sensors_left)", 0 },
	{ "ins.csv", NULL, INS_HEAD "t_us,foot,seq,s1,s2\n0,left,0,1,2.5\n",
	  "ins.csv:7: s2: '2.5' is not a whole number in 0..65535", 0 },
	{ "ins.csv", NULL, INS_HEAD "t_us,foot,seq,s1,s2\n0,left,0,1,70000\n",
	  "ins.csv:7: s2: '70000' is not a whole number in 0..65535", 0 },
	{ "ins.csv", NULL, "# insoled frames export\n# format_version: 1\n# units: kPa\n# layout_left: a2\n"
	  "# sensors_left: 2\n" INS_COLS "0,left,0,1,2e38\n",
	  "ins.csv:7: s2: '2e38' is beyond any insole (at most 1e+07 in magnitude): a damaged file?", 0 },
	{ "ins.csv", NULL, INS_HEAD "t_us,foot,seq,s1,s2\n0,left,-1,1,2\n",
	  "ins.csv:7: seq: '-1' is not a whole number in 0..4294967295", 0 },
	{ "ins.csv", NULL, INS_HEAD "t_us,foot,seq,s1,s2\n10,left,0,1,2\n10,left,1,1,2\n",
	  "ins.csv:8: t_us: 0.000010 s is not after the left foot's previous sample at 0.000010 s", 0 },
	{ "ins.csv", NULL, INS_HEAD "t_us,foot,seq,s1,s2\n0,left,0,1,", "ins.csv:7: truncated file: the last line has no line end", 0 },
	/* escaped text values: only what the export writes */
	{ "ins.csv", NULL, "# insoled frames export\n# text_escapes: backslash\n# notes: C:\\new\\data\n",
	  "ins.csv:3: notes: '\\dat' at byte 7 is not an escape of this format (\\\\, \\n, \\r, \\t, \\x01..\\x7f; "
	  "a backslash is written \\\\)", 1 },
	{ "ins.csv", NULL, "# insoled frames export\n# text_escapes: backslash\n# subject: a\\x00\n",
	  "ins.csv:3: subject: '\\x00' at byte 2 is not an escape", 1 },
	{ "ins.csv", NULL, "# insoled frames export\n# text_escapes: backslash\n# footwear: \\xe9t\xc3\xa9\n",
	  "ins.csv:3: footwear: '\\xe9' at byte 1 is not an escape", 1 },
	{ "ins.csv", NULL, "# insoled frames export\n# text_escapes: backslash\n# notes: a\\\n",
	  "ins.csv:3: notes: '\\' at byte 2 is not an escape", 1 },
	{ "ins.csv", NULL, "# insoled frames export\n# notes: x\n# text_escapes: backslash\n",
	  "ins.csv:3: text_escapes: must come before the text values it is about (line 2 has one)", 1 },
	{ "ins.csv", NULL, "# insoled frames export\n# text_escapes: percent\n",
	  "ins.csv:2: text_escapes: 'percent' is not 'backslash'", 1 },
};

START_TEST(text_bad_input_names_file_line_and_field)
{
	const struct text_bad_case *c = &text_bad[_i];
	size_t len = strlen(c->content);
	char err[512] = "", want[512];
	unsigned long n[2];
	const char *path;
	int rc;

	if (strstr(c->expect, "NUL byte"))
		len = sizeof(PDB_ROW "0.01\0\t1\n") - 1;
	path = write_tmp(c->name, c->content, len);
	snprintf(want, sizeof want, "%s/%s", tmpdir, c->expect);
	rc = read_all(path, c->format, err, sizeof err, n);
	ck_assert_msg(rc == (c->at_open ? -2 : -1), "case %d: rc %d (%s)", _i, rc, err);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "case %d:\n got '%s'\nwant '%s'", _i, err, want);
}
END_TEST

START_TEST(a_huge_time_jump_is_the_largest_gap_not_a_wrapped_one)
{
	char err[512] = "";
	const char *path = write_text("jump.txt", PDB_ROW
				      "99999999.0000\t1\t2\t3\t4\t5\t6\t7\t8\t1\t2\t3\t4\t5\t6\t7\t8\t36\t36\r\n");
	struct ins_import *imp = ins_import_open(path, NULL, err, sizeof err);

	ck_assert_msg(imp != NULL, "%s", err);
	expect_frame(imp, INS_FOOT_LEFT, 0, 0, 0, 1.0f);
	expect_frame(imp, INS_FOOT_RIGHT, 0, 0, 0, 1.0f);
	/* seq = 1 + gap wraps like a device counter */
	expect_frame(imp, INS_FOOT_LEFT, 99999999000000, 0, UINT32_MAX, 1.0f);
	ins_import_close(imp);
}
END_TEST

START_TEST(a_utf8_byte_order_mark_is_skipped)
{
	char err[512] = "";
	const char *path = write_text("bom.txt", "\xef\xbb\xbf# Start time: x\n" MOT_COLS "0.00\t1\t2\t3\n");
	struct ins_import *imp = ins_import_open(path, NULL, err, sizeof err);

	ck_assert_msg(imp != NULL, "%s", err);
	ck_assert_str_eq(ins_import_info(imp)->format, "moticon");
	ck_assert_str_eq(ins_import_info(imp)->start, "x");
	expect_frame(imp, INS_FOOT_LEFT, 0, 0, 0, 10.0f);
	expect_end(imp);
	ins_import_close(imp);
}
END_TEST

/* Blank lines between the header and the rows and at the end of the file
 * (editors and re-saved exports leave them) carry no sample. */
START_TEST(moticon_blank_lines_are_not_rows)
{
	char err[512] = "";
	const char *path = write_text("blank.txt", "# Start time: x\n\n" MOT_COLS "\n0.00\t1\t2\t3\n0.01\t2\t2\t3\n\n"
				      "\r\n \n");
	struct ins_import *imp = ins_import_open(path, NULL, err, sizeof err);

	ck_assert_msg(imp != NULL, "%s", err);
	expect_frame(imp, INS_FOOT_LEFT, 0, 0, 0, 10.0f);
	expect_frame(imp, INS_FOOT_LEFT, 10000, 1, 0, 20.0f);
	expect_end(imp);
	ins_import_close(imp);
}
END_TEST

/* Names and notes written by a Windows program in Windows-1252 (Latin-1
 * and typographic characters) are kept as the same text in UTF-8, the only
 * text the store keeps; a session import of them was refused as a whole. */
START_TEST(windows_1252_labels_become_utf8)
{
	char err[512] = "";
	const char *path = write_text("cp1252.csv", "# insoled frames export\n# format_version: 1\n# units: counts\n"
				      "# subject: J\xfcrgen M\xfcller\n# footwear: \x93Laufschuh\x94 \x80 90\n"
				      "# notes: caf\xc3\xa9 ok\n# layout_left: a2\n# sensors_left: 2\n" INS_COLS
				      "0,left,0,1,2\n");
	struct ins_import *imp = ins_import_open(path, NULL, err, sizeof err);

	ck_assert_msg(imp != NULL, "%s", err);
	ck_assert_str_eq(ins_import_info(imp)->subject, "J\xc3\xbcrgen M\xc3\xbcller");
	ck_assert_str_eq(ins_import_info(imp)->footwear, "\xe2\x80\x9cLaufschuh\xe2\x80\x9d \xe2\x82\xac 90");
	ck_assert_str_eq(ins_import_info(imp)->notes, "caf\xc3\xa9 ok"); /* UTF-8 stays as it is */
	ins_import_close(imp);
	path = write_text("cp1252.txt", "# Start time: x\n# Notes: 3 \x96 5 km/h, \xe9preuve\n" MOT_COLS "0.00\t1\t2\t3\n");
	imp = ins_import_open(path, NULL, err, sizeof err);
	ck_assert_msg(imp != NULL, "%s", err);
	ck_assert_str_eq(ins_import_info(imp)->notes, "3 \xe2\x80\x93 5 km/h, \xc3\xa9preuve");
	ins_import_close(imp);
}
END_TEST

/* n bytes of the UTF-8 text unit repeated (n a multiple of its length), malloc'd. */
static char *repeat_text(const char *unit, size_t n)
{
	size_t len = strlen(unit);
	char *out = malloc(n + 1);

	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(n % len, 0);
	for (size_t i = 0; i < n; i += len)
		memcpy(out + i, unit, len);
	out[n] = '\0';
	return out;
}

/* got equals want byte for byte; else the lengths and the first difference
 * (the texts themselves are too long for a message). */
static void assert_same_text(const char *got, const char *want, const char *what)
{
	size_t i = 0;

	while (got[i] && got[i] == want[i])
		i++;
	ck_assert_msg(got[i] == want[i], "%s: %zu bytes read, %zu written, first difference at byte %zu", what,
		      strlen(got), strlen(want), i);
}

/* The subject, footwear and notes a header states are read whole, however
 * long (here as long as the store keeps them), in our export and in a
 * Moticon export, and still as UTF-8 when written in Windows-1252. */
START_TEST(header_texts_are_read_whole)
{
	char err[512] = "";
	char *subject = repeat_text("\xc3\xbc", 256), *footwear = repeat_text("\xe2\x80\x9c" "A\xe2\x80\x9d", 7 * 36);
	char *notes = repeat_text("\xe2\x82\xac\xf0\x9d\x84\x9e \xc3\xa9", 65536 / 10 * 10);
	char *latin = repeat_text("\xe9t\xe9 ", 4 * 100), *text = malloc(3 * 65536);
	struct ins_import *imp;

	snprintf(text, 3 * 65536, "# insoled frames export\n# format_version: 1\n# units: counts\n# subject: %s\n"
		 "# footwear: %s\n# notes: %s\n# layout_left: a2\n# sensors_left: 2\n" INS_COLS "0,left,0,1,2\n",
		 subject, footwear, notes);
	imp = ins_import_open(write_text("long.csv", text), NULL, err, sizeof err);
	ck_assert_msg(imp != NULL, "%s", err);
	assert_same_text(ins_import_info(imp)->subject, subject, "subject");
	assert_same_text(ins_import_info(imp)->footwear, footwear, "footwear");
	assert_same_text(ins_import_info(imp)->notes, notes, "notes");
	ins_import_close(imp);
	snprintf(text, 3 * 65536, "# Start time: x\n# Notes: %s\n" MOT_COLS "0.00\t1\t2\t3\n", notes);
	imp = ins_import_open(write_text("long.txt", text), NULL, err, sizeof err);
	ck_assert_msg(imp != NULL, "%s", err);
	assert_same_text(ins_import_info(imp)->notes, notes, "notes");
	ck_assert_str_eq(ins_import_info(imp)->subject, "");
	ins_import_close(imp);
	snprintf(text, 3 * 65536, "# Start time: x\n# Notes: %s\n" MOT_COLS "0.00\t1\t2\t3\n", latin);
	imp = ins_import_open(write_text("latin.txt", text), NULL, err, sizeof err);
	ck_assert_msg(imp != NULL, "%s", err);
	free(latin);
	latin = repeat_text("\xc3\xa9t\xc3\xa9 ", 6 * 100);
	latin[strlen(latin) - 1] = '\0'; /* the reader trims the blank that ends the line */
	assert_same_text(ins_import_info(imp)->notes, latin, "Windows-1252 notes");
	ins_import_close(imp);
	free(subject);
	free(footwear);
	free(notes);
	free(latin);
	free(text);
}
END_TEST

/* Text values after "# text_escapes: backslash" are read as the export
 * escaped them, back to the line ends, tabs, backslashes and the blank or
 * comma at their end; before it (an export from before text was escaped)
 * as written, so that a backslash in old notes stays one. */
START_TEST(escaped_header_texts_are_read_back_exactly)
{
	static const char text[] = "line 1\nline 2\r\n\t# \"A\" \\ C:\\new,";
	char escaped[INS_IMPORT_ESCAPED_SIZE(sizeof text)], file[512], err[512] = "";
	struct ins_import *imp;

	ck_assert_uint_eq(ins_import_escape_text(escaped, text), strlen(escaped));
	ck_assert_str_eq(escaped, "line 1\\nline 2\\r\\n\\t# \"A\" \\\\ C:\\\\new\\x2c");
	snprintf(file, sizeof file, "# insoled frames export\n# format_version: 1\n# text_escapes: backslash\n"
		 "# subject: %s\n# footwear: tab\\x09 \\x41\n# notes: %s\n# units: counts\n# layout_left: a2\n"
		 "# sensors_left: 2\n" INS_COLS "0,left,0,1,2\n", "\\x20 spaced \\x20", escaped);
	imp = ins_import_open(write_text("esc.csv", file), NULL, err, sizeof err);
	ck_assert_msg(imp != NULL, "%s", err);
	ck_assert_str_eq(ins_import_info(imp)->subject, "  spaced  ");
	ck_assert_str_eq(ins_import_info(imp)->footwear, "tab\t A");
	ck_assert_str_eq(ins_import_info(imp)->notes, text);
	ins_import_close(imp);
	ck_assert_uint_eq(ins_import_escape_text(escaped, "a "), 5);
	ck_assert_str_eq(escaped, "a\\x20");
	imp = ins_import_open(write_text("old.csv", INS_HEAD "# notes: C:\\new\\x20\n" INS_COLS "0,left,0,1,2\n"), NULL,
			      err, sizeof err);
	ck_assert_msg(imp != NULL, "%s", err);
	ck_assert_str_eq(ins_import_info(imp)->notes, "C:\\new\\x20");
	ins_import_close(imp);
}
END_TEST

/* ---- text encodings and line ends of other systems ------------------- */

#define ENC_ROWS 20000 /* UTF-16 of this many rows spans many blocks of the reader */
#define ENC_NOTES "J\xc3\xbcrgen \xf0\x9d\x84\x9e" /* a Latin letter and one beyond the BMP */

/* A Moticon export of ENC_ROWS rows as UTF-8 with LF line ends. */
static char *moticon_text(size_t *len)
{
	size_t cap = 128 + ENC_ROWS * 32, n;
	char *text = malloc(cap);

	ck_assert_ptr_nonnull(text);
	n = (size_t)snprintf(text, cap, "# Start time: x\n# Notes: " ENC_NOTES "\n" MOT_COLS);
	for (int i = 0; i < ENC_ROWS; i++)
		n += (size_t)snprintf(text + n, cap - n, "%d.%02d\t%d.5\t%d\t%d\n", i / 100, i % 100, i % 70, i % 9,
				      i % 50);
	*len = n;
	return text;
}

/* text (UTF-8, LF) as UTF-16 with a byte-order mark and CRLF line ends, as
 * Windows tools write "Unicode" text. */
static unsigned char *to_utf16(const char *text, size_t len, int big_endian, size_t *out_len)
{
	unsigned char *out = malloc(4 + len * 4), *o = out;
	const unsigned char *p = (const unsigned char *)text, *end = p + len;

#define PUT16(u) (big_endian ? (*o++ = (unsigned char)((u) >> 8), *o++ = (unsigned char)(u)) \
			     : (*o++ = (unsigned char)(u), *o++ = (unsigned char)((u) >> 8)))
	ck_assert_ptr_nonnull(out);
	PUT16(0xfeffu);
	while (p < end) {
		uint32_t cp = *p++;

		if (cp >= 0xf0) {
			cp = (cp & 0x07) << 18 | (p[0] & 0x3fu) << 12 | (p[1] & 0x3fu) << 6 | (p[2] & 0x3fu);
			p += 3;
			PUT16(0xd800u + ((cp - 0x10000) >> 10));
			cp = 0xdc00u + ((cp - 0x10000) & 0x3ff);
		} else if (cp >= 0xc0) {
			cp = (cp & 0x1f) << 6 | (*p++ & 0x3fu);
		} else if (cp == '\n') {
			PUT16('\r');
		}
		PUT16(cp);
	}
#undef PUT16
	*out_len = (size_t)(o - out);
	return out;
}

/* b reads as exactly the frames of a: feet, times, lines, every value. */
static unsigned long expect_same_reading(const char *a, const char *b)
{
	char err[512] = "";
	struct ins_import *ia = ins_import_open(a, NULL, err, sizeof err), *ib;
	struct ins_import_frame fa, fb;
	unsigned long frames = 0;
	int ra;

	ck_assert_msg(ia != NULL, "%s", err);
	ib = ins_import_open(b, NULL, err, sizeof err);
	ck_assert_msg(ib != NULL, "%s", err);
	ck_assert_str_eq(ins_import_info(ib)->format, ins_import_info(ia)->format);
	ck_assert_str_eq(ins_import_info(ib)->start, ins_import_info(ia)->start);
	ck_assert_str_eq(ins_import_info(ib)->subject, ins_import_info(ia)->subject);
	ck_assert_str_eq(ins_import_info(ib)->notes, ins_import_info(ia)->notes);
	ck_assert_double_eq(ins_import_info(ib)->rate_hz, ins_import_info(ia)->rate_hz);
	while ((ra = ins_import_next(ia, &fa, err, sizeof err)) == 1) {
		ck_assert_msg(ins_import_next(ib, &fb, err, sizeof err) == 1, "%s: frame %lu: %s", b, frames, err);
		ck_assert_uint_eq(fa.foot, fb.foot);
		ck_assert_int_eq(fa.t_us, fb.t_us);
		ck_assert_uint_eq(fa.line, fb.line);
		ck_assert_uint_eq(fa.n, fb.n);
		for (unsigned i = 0; i < fa.n; i++)
			ck_assert_float_eq(fa.values[i], fb.values[i]);
		frames++;
	}
	ck_assert_msg(ra == 0, "%s", err);
	ck_assert_msg(ins_import_next(ib, &fb, err, sizeof err) == 0, "%s: %s", b, err);
	ck_assert_uint_gt(frames, 0);
	ins_import_close(ia);
	ins_import_close(ib);
	return frames;
}

/* Every frame of a and b alike, and the notes of both the UTF-8 text. */
static void expect_same_frames(const char *a, const char *b)
{
	char err[512] = "";
	struct ins_import *ia = ins_import_open(a, NULL, err, sizeof err), *ib;

	ck_assert_msg(ia != NULL, "%s", err);
	ib = ins_import_open(b, NULL, err, sizeof err);
	ck_assert_msg(ib != NULL, "%s", err);
	ck_assert_str_eq(ins_import_info(ib)->format, "moticon");
	ck_assert_str_eq(ins_import_info(ib)->notes, ins_import_info(ia)->notes);
	ins_import_close(ia);
	ins_import_close(ib);
	ck_assert_uint_eq(expect_same_reading(a, b), ENC_ROWS);
}

/* Windows "Unicode" (UTF-16 with a byte-order mark, either byte order),
 * CR-only line ends (classic Mac OS, Excel for Mac's "CSV (Macintosh)") and
 * CRCRLF are read as the same recording as UTF-8 with LF. */
START_TEST(utf16_and_cr_only_files_read_as_their_utf8_text)
{
	size_t len, n16;
	char *text = moticon_text(&len), *cr = malloc(len);
	const char *ref = write_tmp("utf8.txt", text, len);
	unsigned char *u16;

	ck_assert_ptr_nonnull(cr);
	for (size_t i = 0; i < len; i++)
		cr[i] = text[i] == '\n' ? '\r' : text[i];
	expect_same_frames(ref, write_tmp("mac.txt", cr, len));
	/* CRCRLF: a CRLF file converted to CRLF once more (a transfer in text mode) */
	free(cr);
	cr = malloc(len * 3);
	ck_assert_ptr_nonnull(cr);
	n16 = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n')
			cr[n16++] = '\r', cr[n16++] = '\r';
		cr[n16++] = text[i];
	}
	expect_same_frames(ref, write_tmp("crcrlf.txt", cr, n16));
	for (int big_endian = 0; big_endian <= 1; big_endian++) {
		u16 = to_utf16(text, len, big_endian, &n16);
		expect_same_frames(ref, write_tmp("unicode.txt", u16, n16));
		free(u16);
	}
	free(cr);
	free(text);
}
END_TEST

START_TEST(utf16_damage_is_named_like_utf8_damage)
{
	static const char half_pair[] = "\xff\xfe" "#\0 \0S\0t\0a\0r\0t\0 \0t\0i\0m\0e\0:\0 \0x\0\n\0"
					"0\0.\0\x01\xd8" "0\0\n\0";
	static const char no_bom[] = "#\0 \0S\0t\0a\0r\0t\0\n\0";
	char err[512] = "", want[512];
	unsigned long n[2];

	/* an unpaired surrogate becomes U+FFFD, which no number is */
	ck_assert_int_eq(read_all(write_tmp("half.txt", half_pair, sizeof half_pair - 1), NULL, err, sizeof err, n),
			 -2);
	snprintf(want, sizeof want, "%s/half.txt:2: no '# time<TAB>...' line naming the columns", tmpdir);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "got '%s'", err);
	ck_assert_int_eq(read_all(write_tmp("nobom.txt", no_bom, sizeof no_bom - 1), NULL, err, sizeof err, n), -2);
	snprintf(want, sizeof want, "%s/nobom.txt:1: binary data (NUL byte at column 2): not a text recording or a "
		 "damaged file (or UTF-16 text without a byte-order mark: save it as UTF-8)", tmpdir);
	ck_assert_str_eq(err, want);
}
END_TEST

/* The two frames of a two-sensor Moticon file of one foot, at t0 and t1,
 * as the tests below write them: sensor 1 at 0.5 and 1 N/cm², 5 and 10 kPa. */
static void expect_two_moticon_frames(struct ins_import *imp, unsigned foot, int64_t t0, int64_t t1)
{
	ck_assert_uint_eq(ins_import_info(imp)->feet, 1u << foot);
	ck_assert_uint_eq(ins_import_info(imp)->n_sensors[foot], 2);
	expect_frame(imp, foot, t0, 0, 0, 5.0f);
	expect_frame(imp, foot, t1, 1, 0, 10.0f);
	expect_end(imp);
	ins_import_close(imp);
}

START_TEST(moticon_one_foot_with_a_time_unit_reads)
{
	char err[512] = "";
	const char *path = write_text("right.txt", "# Start time: x\n# time[s]\tright pressure 1[N/cm2]\t"
				      "right pressure 2[N/cm2]\n1.50\t0.5\t1.5\n1.60\t1\t2\n");
	struct ins_import *imp = ins_import_open(path, NULL, err, sizeof err);

	ck_assert_msg(imp != NULL, "%s", err);
	ck_assert_str_eq(ins_import_info(imp)->layout[INS_FOOT_RIGHT], ""); /* 2 sensors: no known layout */
	ck_assert_double_eq_tol(ins_import_info(imp)->rate_hz, 10.0, 1e-9);
	ck_assert_int_eq(ins_import_info(imp)->has_ref_force, 0);
	expect_two_moticon_frames(imp, INS_FOOT_RIGHT, 1500000, 1600000);
}
END_TEST

/* A time column in milliseconds reads as the same times; a unit that is
 * neither would put every sample a factor off, and is refused. */
START_TEST(moticon_time_in_milliseconds_reads_and_other_units_are_refused)
{
	char err[512] = "";
	const char *path = write_text("ms.txt", "# Start time: x\n# time[ms]\tright pressure 1[N/cm2]\t"
				      "right pressure 2[N/cm2]\n1500\t0.5\t1.5\n1600\t1\t2\n");
	struct ins_import *imp = ins_import_open(path, NULL, err, sizeof err);

	ck_assert_msg(imp != NULL, "%s", err);
	ck_assert_double_eq_tol(ins_import_info(imp)->rate_hz, 10.0, 1e-9);
	expect_two_moticon_frames(imp, INS_FOOT_RIGHT, 1500000, 1600000);
	path = write_text("min.txt", "# Start time: x\n# time[min]\tright pressure 1[N/cm2]\n1\t0.5\n");
	ck_assert_ptr_null(ins_import_open(path, NULL, err, sizeof err));
	ck_assert_msg(strstr(err, "min.txt:2: time[min]: time unit '[min]' is not supported (s or ms)"), "%s", err);
}
END_TEST

/* A Moticon export that a Windows program opened and saved again (Excel's
 * "Text (Tab delimited)") has its column names in Windows-1252, the ² of
 * N/cm² one byte 0xb2: read as the export it was, not refused over it. */
START_TEST(moticon_columns_saved_in_windows_1252_read)
{
	char err[512] = "";
	const char *path = write_text("ansi.txt", "# Start time: x\n# time\tleft pressure 1[N/cm\xb2]\t"
				      "left pressure 2[N/cm\xb2]\tleft total force[N]\n0.00\t0.5\t1.5\t3\n"
				      "0.01\t1\t2\t4\n");
	struct ins_import *imp = ins_import_open(path, NULL, err, sizeof err);

	ck_assert_msg(imp != NULL, "%s", err);
	ck_assert_int_eq(ins_import_info(imp)->has_ref_force, 1);
	expect_two_moticon_frames(imp, INS_FOOT_LEFT, 0, 10000);
}
END_TEST

/* A "# Duration:" no clock can hold (llround past int64_t) stays unknown;
 * a normal one is read. */
START_TEST(moticon_duration_beyond_any_clock_is_unknown)
{
	static const char *const durations[2] = { "4000000000:00:00", "01:02:03.5" };
	static const int64_t want[2] = { 0, 3723500000 };

	for (int k = 0; k < 2; k++) {
		char err[512] = "", text[256];
		struct ins_import *imp;

		snprintf(text, sizeof text, "# Start time: x\n# Duration: %s\n" MOT_COLS "0.00\t1\t2\t3\n",
			 durations[k]);
		imp = ins_import_open(write_text("dur.txt", text), NULL, err, sizeof err);
		ck_assert_msg(imp != NULL, "%s", err);
		ck_assert_int_eq(ins_import_info(imp)->duration_us, want[k]);
		ins_import_close(imp);
	}
}
END_TEST

START_TEST(reader_stays_failed_after_an_error_and_keeps_good_frames)
{
	char err[512] = "";
	const char *path = write_text("pdb.txt", PDB_ROW "0.0100\t1\t2\t3x\t4\t5\t6\t7\t8\t1\t2\t3\t4\t5\t6\t7\t8\t36\t36\r\n");
	struct ins_import *imp = ins_import_open(path, NULL, err, sizeof err);
	struct ins_import_frame f;

	ck_assert_ptr_nonnull(imp);
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 1);
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), 1);
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), -1);
	err[0] = '\0';
	ck_assert_int_eq(ins_import_next(imp, &f, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "pdb.txt:2: L3: '3x' is not a number"));
	ins_import_close(imp);
}
END_TEST

START_TEST(numbers_parse_exactly_as_strtod_does)
{
	static const char *const texts[] = { "0", "-0", "6.50", "-0.201829", "509.00", "0.1", "5.", ".5", "+7",
					     "123456789012345", "1234567890123456", "0.000000000000001",
					     "1e3", "-2.5E-2", "9007199254740993", "0.30000000000000004" };
	/* a spreadsheet's "more decimals", leading zeros of a fixed-width column */
	static const char *const long_numbers[] = {
		"12.500000000000000000000000000000000000000000000000000000000000000000000000001",
		"-00000000000000000000000000000000000000000000000000000000000000000000000000000007.25",
	};
	const unsigned n_texts = sizeof texts / sizeof texts[0];
	char err[256] = "";

	for (unsigned i = 0; i < n_texts; i++) {
		double v = -1, want = strtod(texts[i], NULL);

		ck_assert_int_eq(import_parse_number(texts[i], &v, "f", 1, "x", err, sizeof err), 0);
		ck_assert_msg(memcmp(&v, &want, sizeof v) == 0, "%s: %.17g, strtod %.17g", texts[i], v, want);
	}
	for (const char *const *bad = (const char *const[]){ ".", "-", "1.2.3", "--1", "1-", "1 2", "  ", "0x10", NULL };
	     *bad; bad++)
		ck_assert_msg(import_parse_number(*bad, &(double){ 0 }, "f", 1, "x", err, sizeof err) == -1, "%s",
			      *bad);
	/* the scanner of the text formats' rows reads what strtod reads, however long the number */
	for (unsigned i = 0; i < n_texts + sizeof long_numbers / sizeof long_numbers[0]; i++) {
		const char *text = i < n_texts ? texts[i] : long_numbers[i - n_texts];
		const char *end;
		double v = -1, want = strtod(text, NULL);

		ck_assert_msg(import_scan_number(text, &end, &v) == 0 && *end == '\0', "%s", text);
		ck_assert_msg(memcmp(&v, &want, sizeof v) == 0, "%s: %.17g, strtod %.17g", text, v, want);
	}
	/* blanks around a number (an editor's padding at a line's end) do not change it */
	for (const char *const *padded = (const char *const[]){ " 1", "1 ", "\t1.0  ", " +1", NULL }; *padded; padded++) {
		double v = 0;

		ck_assert_msg(import_parse_number(*padded, &v, "f", 1, "x", err, sizeof err) == 0, "%s", err);
		ck_assert_double_eq(v, 1.0);
	}
}
END_TEST

/* Padding does not depend on the number's length: a spreadsheet's "more
 * decimals" in a fixed-width, blank-padded column reads as strtod reads it
 * unpadded, and a bad one is quoted without its blanks. */
START_TEST(padded_numbers_read_whatever_their_length)
{
	char text[600], digits[400], err[256] = "";
	double v = 0, want;

	memset(digits, '0', sizeof digits);
	memcpy(digits, "-7.25", 5);
	digits[sizeof digits - 2] = '1';
	digits[sizeof digits - 1] = '\0';
	want = strtod(digits, NULL);
	snprintf(text, sizeof text, "  \t%s \t ", digits);
	ck_assert_msg(import_parse_number(text, &v, "f", 1, "x", err, sizeof err) == 0, "%s", err);
	ck_assert_msg(memcmp(&v, &want, sizeof v) == 0, "%.17g, strtod %.17g", v, want);
	/* a long plain decimal that is one of the fast path's, padded */
	snprintf(text, sizeof text, "%200s%s%200s", "", "-12.375", "");
	ck_assert_msg(import_parse_number(text, &v, "f", 1, "x", err, sizeof err) == 0, "%s", err);
	ck_assert_double_eq(v, -12.375);
	snprintf(text, sizeof text, "   %s x ", digits);
	ck_assert_int_eq(import_parse_number(text, &v, "f", 3, "L1", err, sizeof err), -1);
	ck_assert_str_eq(err, "f:3: L1: '-7.250000000000000000000' is not a number");
	snprintf(text, sizeof text, "  %s1e999  ", digits);
	ck_assert_int_eq(import_parse_number(text, &v, "f", 3, "L1", err, sizeof err), -1);
	ck_assert_str_eq(err, "f:3: L1: '-7.250000000000000000000' is not a finite number");
	ck_assert_int_eq(import_parse_number("\v5", &v, "f", 3, "L1", err, sizeof err), -1);
	ck_assert_int_eq(import_parse_number(" 5\v", &v, "f", 3, "L1", err, sizeof err), -1);
}
END_TEST

START_TEST(newtons_become_kpa_with_sensor_areas)
{
	struct ins_sensor sensors[2] = { { .area_mm2 = 500.0f }, { .area_mm2 = 0.0f } };
	struct ins_layout layout = { .name = "two", .n_sensors = 2, .sensors = sensors };
	const float newtons[2] = { 100.0f, 5.0f };
	struct ins_import_frame f = { .foot = 0, .unit = INS_IMPORT_NEWTON, .n = 2, .values = newtons };
	float kpa[2];
	char err[256] = "";

	ck_assert_int_eq(ins_import_to_kpa(&f, &layout, kpa, err, sizeof err), 0);
	ck_assert_float_eq(kpa[0], 200.0f); /* 100 N on 500 mm2 = 0.2 N/mm2 = 200 kPa */
	ck_assert(isnan(kpa[1]));
	f.unit = INS_IMPORT_KPA;
	ck_assert_int_eq(ins_import_to_kpa(&f, &layout, kpa, err, sizeof err), 0);
	ck_assert_float_eq(kpa[0], 100.0f);
	f.unit = INS_IMPORT_COUNTS;
	ck_assert_int_eq(ins_import_to_kpa(&f, &layout, kpa, err, sizeof err), -1);
	ck_assert_str_eq(err, "left foot: raw counts have no pressure until calibrated");
	f.unit = INS_IMPORT_NEWTON;
	layout.n_sensors = 3;
	ck_assert_int_eq(ins_import_to_kpa(&f, &layout, kpa, err, sizeof err), -1);
	ck_assert_str_eq(err, "left foot: the file has 2 sensors, layout 'two' has 3");
}
END_TEST

/* ---- the real recordings ------------------------------------------------ */

START_TEST(gaitndd_records_read_whole_with_valid_checksums)
{
	static const char *const records[] = { "als1", "control1", "hunt1", "park1" };
	char path[512], err[512] = "";
	unsigned long n[2];

	for (unsigned i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "%s/gaitndd/%s.hea", test_shared_data(), records[i]);
		ck_assert_msg(read_all(path, NULL, err, sizeof err, n) == 0, "%s", err);
		ck_assert_uint_eq(n[INS_FOOT_LEFT], 90000);
		/* als1.rit starts with WFDB's "no sample" value */
		ck_assert_uint_eq(n[INS_FOOT_RIGHT], i == 0 ? 89999 : 90000);
	}
}
END_TEST

START_TEST(gaitpdb_walks_read_whole_with_totals_equal_to_sensor_sums)
{
	static const struct {
		const char *name;
		unsigned long lines;
	} walks[] = { { "GaCo01_01", 12119 }, { "GaPt03_01", 12119 }, { "JuCo01_01", 5349 },
		      { "JuPt03_06", 4776 }, { "SiCo01_01", 12119 } };
	char path[512], err[512] = "";

	for (unsigned i = 0; i < 5; i++) {
		struct ins_import *imp;
		struct ins_import_frame f;
		unsigned long n[2] = { 0, 0 };
		double worst = 0;
		int rc;

		snprintf(path, sizeof path, "%s/gaitpdb/%s.txt", test_shared_data(), walks[i].name);
		imp = ins_import_open(path, NULL, err, sizeof err);
		ck_assert_msg(imp != NULL, "%s", err);
		while ((rc = ins_import_next(imp, &f, err, sizeof err)) == 1) {
			double sum = 0;

			for (unsigned k = 0; k < f.n; k++)
				sum += f.values[k];
			worst = fmax(worst, fabs(sum - f.ref_force_n));
			n[f.foot]++;
		}
		ck_assert_msg(rc == 0, "%s", err);
		ck_assert_uint_eq(n[0], walks[i].lines);
		ck_assert_uint_eq(n[1], walks[i].lines);
		/* the file rounds to 0.01 N; floats hold ~1e-4 at 2000 N */
		ck_assert_msg(worst <= 0.011, "%s: totals differ from sensor sums by %.4f N", walks[i].name, worst);
		ins_import_close(imp);
	}
}
END_TEST

START_TEST(moticon_sample_reads_with_gaps_and_vendor_events)
{
	char err[512] = "", path[512];
	struct ins_import *imp;
	struct ins_import_frame f;
	unsigned long n[2] = { 0, 0 }, gaps[2] = { 0, 0 }, contacts[2] = { 0, 0 }, toe_offs[2] = { 0, 0 };
	/* the gait report's initial contacts and toe offs (moticon_gait_report_*_steps.csv) at the
	 * export's 10 ms sampling, in ms */
	static const int64_t report_contact_ms[2][7] = { { 3000, 4520, 5820, 7090, 8360, 9620, 10900 },
							 { 3800, 5190, 6430, 7730, 8990, 10240, 11580 } };
	static const int64_t report_toe_off_ms[2][7] = { { 3970, 5310, 6570, 7850, 9120, 10380, 11730 },
							 { 4670, 5960, 7210, 8490, 9750, 11030, 12550 } };
	int rc;

	imp = ins_import_open(test_shared_path(path, sizeof(path), "moticon/230927_102114.txt"), NULL, err, sizeof err);
	ck_assert_msg(imp != NULL, "%s", err);
	while ((rc = ins_import_next(imp, &f, err, sizeof err)) == 1) {
		n[f.foot]++;
		gaps[f.foot] += f.gap;
		if (f.ref_event == INS_EVENT_CONTACT && contacts[f.foot] < 7)
			ck_assert_int_eq(f.t_us / 1000, report_contact_ms[f.foot][contacts[f.foot]]);
		if (f.ref_event == INS_EVENT_TOE_OFF && toe_offs[f.foot] < 7)
			ck_assert_int_eq(f.t_us / 1000, report_toe_off_ms[f.foot][toe_offs[f.foot]]);
		contacts[f.foot] += f.ref_event == INS_EVENT_CONTACT;
		toe_offs[f.foot] += f.ref_event == INS_EVENT_TOE_OFF;
	}
	ck_assert_msg(rc == 0, "%s", err);
	/* 1750 rows; 63 left and 13 right rows blank; one timestamp (16.44 s) missing */
	ck_assert_uint_eq(n[INS_FOOT_LEFT], 1687);
	ck_assert_uint_eq(n[INS_FOOT_RIGHT], 1737);
	ck_assert_uint_eq(gaps[INS_FOOT_LEFT] + gaps[INS_FOOT_RIGHT], 23);
	/* the gait report lists 7 + 7 steps; the export marks every heel strike and toe off */
	ck_assert_uint_eq(contacts[INS_FOOT_LEFT], 7);
	ck_assert_uint_eq(toe_offs[INS_FOOT_LEFT], 7);
	ck_assert_uint_eq(contacts[INS_FOOT_RIGHT], 7);
	ck_assert_uint_eq(toe_offs[INS_FOOT_RIGHT], 7);
	ins_import_close(imp);
}
END_TEST


/* ---- accuracy of the analysis on imported frames ------------------------- */

/* Agreement of the analysis's per-frame force and CoP with the file's own
 * columns, over every frame that has them. */
struct agreement {
	unsigned long frames, force_frames, cop_frames;
	unsigned long force_outside, cop_outside;  /* beyond the tolerances below */
	double max_force_abs_n;                    /* over all frames */
	double max_force_rel_50n;                  /* relative, frames with >= 50 N */
	double max_cop_dx, max_cop_dy;             /* normalised units */
};

/* Moticon exports whole newtons (0.5 N rounding) and the estimated layout
 * leaves ~0.3 N residual: 1 % of the vendor value, but never below 1 N. */
#define FORCE_TOL_REL 0.01
#define FORCE_TOL_FLOOR_N 1.0
/* CoP: 1 % of insole width (x) and of insole length (y). */
#define COP_TOL_NORM 0.01
#define RELATIVE_FROM_N 50.0 /* the vendor's CoP threshold; relative force errors below it mean little */

static void agreement_add(struct agreement *a, const struct ins_import_frame *f, const struct ins_frame_metrics *m)
{
	a->frames++;
	if (!isnan(f->ref_force_n)) {
		double d = fabs(m->force_n - f->ref_force_n);

		a->force_frames++;
		a->max_force_abs_n = fmax(a->max_force_abs_n, d);
		if (f->ref_force_n >= RELATIVE_FROM_N)
			a->max_force_rel_50n = fmax(a->max_force_rel_50n, d / f->ref_force_n);
		a->force_outside += d > fmax(FORCE_TOL_REL * f->ref_force_n, FORCE_TOL_FLOOR_N);
	}
	if (!isnan(f->ref_cop_x_norm)) {
		double dx = fabs(m->cop_x_norm - f->ref_cop_x_norm), dy = fabs(m->cop_y_norm - f->ref_cop_y_norm);

		a->cop_frames++;
		/* NaN (no CoP from us where the vendor has one) must count as outside */
		a->cop_outside += !(dx <= COP_TOL_NORM && dy <= COP_TOL_NORM);
		a->max_cop_dx = fmax(a->max_cop_dx, dx);
		a->max_cop_dy = fmax(a->max_cop_dy, dy);
	}
}

/* Run a whole file through the analysis with its suggested layouts. */
static void measure_agreement(const char *path, struct agreement *a)
{
	char err[512] = "";
	struct ins_import *imp = ins_import_open(path, NULL, err, sizeof err);
	struct ins_analysis_config cfg = { 0 };
	struct ins_layout *layout[INS_FOOT_COUNT] = { NULL, NULL };
	struct ins_analysis *ana;
	struct ins_import_frame f;
	struct ins_frame_metrics m;
	struct ins_step step;
	int rc;

	memset(a, 0, sizeof *a);
	ck_assert_msg(imp != NULL, "%s", err);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		layout[foot] = ins_layout_load_named(LAYOUT_DIR, ins_import_info(imp)->layout[foot], err, sizeof err);
		ck_assert_msg(layout[foot] != NULL, "%s", err);
		cfg.layout[foot] = layout[foot];
	}
	ana = ins_analysis_new(&cfg, err, sizeof err);
	ck_assert_msg(ana != NULL, "%s", err);
	while ((rc = ins_import_next(imp, &f, err, sizeof err)) == 1) {
		ck_assert_msg(ins_import_feed(imp, ana, layout[f.foot], &f, &m, err, sizeof err) == 0,
			      "line %lu: %s", f.line, err);
		agreement_add(a, &f, &m);
		while (ins_analysis_next_step(ana, &step))
			;
	}
	ck_assert_msg(rc == 0, "%s", err);
	ins_analysis_free(ana);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		ins_layout_free(layout[foot]);
	ins_import_close(imp);
}

START_TEST(moticon_force_and_cop_within_one_percent_of_the_vendor)
{
	struct agreement a;
	char path[512];

	measure_agreement(test_shared_path(path, sizeof(path), "moticon/230927_102114.txt"), &a);
	fprintf(stderr,
		"check_import: Moticon vs moticon16: %lu frames; force: max |diff| %.3f N, max %.3f %% at >= 50 N, "
		"%lu outside max(1 %%, 1 N); CoP on %lu frames: max |dx| %.5f (width), |dy| %.5f (length), "
		"%lu outside 0.01\n",
		a.frames, a.max_force_abs_n, 100 * a.max_force_rel_50n, a.force_outside, a.cop_frames, a.max_cop_dx,
		a.max_cop_dy, a.cop_outside);
	ck_assert_uint_eq(a.frames, 1687 + 1737);
	ck_assert_uint_eq(a.force_frames, a.frames);
	/* the vendor reports a CoP on 2600 of them (from ~50 N up) */
	ck_assert_uint_eq(a.cop_frames, 2600);
	ck_assert_uint_eq(a.force_outside, 0);
	ck_assert_uint_eq(a.cop_outside, 0);
	ck_assert_double_le(a.max_force_rel_50n, FORCE_TOL_REL);
}
END_TEST

START_TEST(gaitpdb_totals_equal_the_file_total_columns)
{
	static const char *const walks[] = { "GaCo01_01", "GaPt03_01", "JuCo01_01", "JuPt03_06", "SiCo01_01" };
	char path[512];

	for (unsigned i = 0; i < 5; i++) {
		struct agreement a;

		snprintf(path, sizeof path, "%s/gaitpdb/%s.txt", test_shared_data(), walks[i]);
		measure_agreement(path, &a);
		ck_assert_uint_eq(a.force_frames, a.frames);
		/* the file rounds totals and sensors to 0.01 N */
		ck_assert_msg(a.max_force_abs_n <= 0.011, "%s: analysis total differs from the file by %.4f N",
			      walks[i], a.max_force_abs_n);
	}
}
END_TEST

START_TEST(fixture_totals_agree_through_the_analysis)
{
	struct agreement a;

	measure_agreement(FIXTURES "gaitpdb_small.txt", &a);
	ck_assert_uint_eq(a.frames, 10);
	ck_assert_double_le(a.max_force_abs_n, 1e-3);
	measure_agreement(FIXTURES "moticon_small.txt", &a);
	ck_assert_uint_eq(a.frames, 7);
	ck_assert_uint_eq(a.cop_frames, 6); /* the right foot at 0.00 s has the vendor's (0, 0) */
}
END_TEST


/* ---- insoled --analyze ----------------------------------------------------- */

#define WALK_SECONDS 12
#define WALK_RATE_HZ 100
/* Contacts at 0.2 + k s (left) and 0.7 + k s (right), stance 0.6 s: complete
 * stances end by 11.8 s (left, 12) and 11.3 s (right, 11). */
#define WALK_STANCES_LEFT 12
#define WALK_STANCES_RIGHT 11
#define WALK_LINE_MAX 256

/* A clean synthetic walk in gaitpdb format: 1 s strides, 0.6 s stance,
 * half-sine force of 700 N shared by the 8 sensors; seconds long, written
 * to tmpdir/name.  A row from damaged_row on (0: none) is not numbers. */
static const char *write_walk_of(const char *name, int seconds, int damaged_row)
{
	size_t cap = (size_t)seconds * WALK_RATE_HZ * WALK_LINE_MAX, len = 0;
	char *text = malloc(cap);
	const char *path;

	ck_assert_ptr_nonnull(text);
	for (int i = 0; i < seconds * WALK_RATE_HZ; i++) {
		double t = (double)i / WALK_RATE_HZ, force[2];

		for (int foot = 0; foot < 2; foot++) {
			double phase = fmod(t - 0.2 - 0.5 * foot + 10.0, 1.0);

			force[foot] = phase < 0.6 ? round(700.0 * sin(M_PI * phase / 0.6) * 100.0) / 100.0 : 0.0;
		}
		len += (size_t)snprintf(text + len, cap - len, "%.4f", t);
		for (int foot = 0; foot < 2; foot++)
			for (int k = 0; k < 8; k++)
				len += (size_t)snprintf(text + len, cap - len, "\t%.5f", force[foot] / 8);
		len += (size_t)snprintf(text + len, cap - len, "\t%.4f\t%.4f%s\r\n", force[0], force[1],
					damaged_row && i == damaged_row ? "x" : "");
	}
	path = write_tmp(name, text, len);
	free(text);
	return path;
}

static const char *write_walk(void)
{
	return write_walk_of("walk.txt", WALK_SECONDS, 0);
}

/* Point fd at a new file; returns a copy of the old fd to restore. */
static int redirect_fd(int fd, const char *path)
{
	int saved = dup(fd), to = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(to, 0);
	ck_assert_int_ge(dup2(to, fd), 0);
	close(to);
	return saved;
}

static void restore_fd(int fd, int saved)
{
	ck_assert_int_ge(dup2(saved, fd), 0);
	close(saved);
}

/* Run ins_analyze_main with stdout and stderr in files (restored after, so
 * CK_FORK=no runs still print); returns its status. */
static int run_analyze(const char *const *args, char *out_path, char *err_path)
{
	static char copies[16][512];
	char *argv[16];
	int argc = 0, status, saved_out, saved_err;

	/* getopt wants char *: hand it copies */
	snprintf(copies[argc], sizeof copies[0], "insoled");
	argv[argc] = copies[argc];
	argc++;
	for (; *args && argc < 15; args++, argc++) {
		snprintf(copies[argc], sizeof copies[0], "%s", *args);
		argv[argc] = copies[argc];
	}
	argv[argc] = NULL;
	snprintf(out_path, 512, "%s/stdout", tmpdir);
	snprintf(err_path, 512, "%s/stderr", tmpdir);
	fflush(stdout);
	fflush(stderr);
	saved_out = redirect_fd(STDOUT_FILENO, out_path);
	saved_err = redirect_fd(STDERR_FILENO, err_path);
	status = ins_analyze_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	restore_fd(STDOUT_FILENO, saved_out);
	restore_fd(STDERR_FILENO, saved_err);
	return status;
}

static char *slurp(const char *path)
{
	static char buf[1 << 20];
	FILE *fp = fopen(path, "r");
	size_t n;

	ck_assert_ptr_nonnull(fp);
	n = fread(buf, 1, sizeof buf - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

START_TEST(analyze_prints_one_json_step_per_line_then_the_summary)
{
	char out[512], errp[512];
	const char *walk = write_walk();
	const char *args[] = { "--analyze", walk, "--layout-dir", LAYOUT_DIR, NULL };
	unsigned steps[2] = { 0, 0 };
	char *text, *line, *save = NULL;
	json_t *last = NULL;

	ck_assert_int_eq(run_analyze(args, out, errp), 0);
	text = slurp(out);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_error_t jerr;
		json_t *j = json_loads(line, 0, &jerr);

		ck_assert_msg(j != NULL, "not JSON: %.80s", line);
		if (last) {
			const char *foot = json_string_value(json_object_get(last, "foot"));

			ck_assert_msg(foot && json_is_object(json_object_get(last, "metrics")), "not a STEP line");
			steps[strcmp(foot, "right") == 0]++;
			json_decref(last);
		}
		last = j;
	}
	ck_assert_ptr_nonnull(last);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(last, "steps"), "left")), steps[0]);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(last, "steps"), "right")), steps[1]);
	ck_assert_uint_eq(steps[0], WALK_STANCES_LEFT);
	ck_assert_uint_eq(steps[1], WALK_STANCES_RIGHT);
	json_decref(last);
	ck_assert_ptr_nonnull(strstr(slurp(errp), "walk.txt: gaitpdb, left foot: layout gaitpdb8, 1200 frames, 0 missing samples"));
}
END_TEST

START_TEST(analyze_csv_has_the_step_header_rows_and_a_summary_block)
{
	char out[512], errp[512], header[INS_STEP_CSV_MAX];
	const char *walk = write_walk();
	const char *args[] = { walk, "--csv", "--layout-dir", LAYOUT_DIR, "--body-weight-kg", "70", NULL };
	char *text, *summary;
	unsigned rows = 0;

	ck_assert_int_eq(run_analyze(args, out, errp), 0);
	text = slurp(out);
	ck_assert_int_gt(ins_step_csv_header(header, sizeof header), 0);
	ck_assert_int_eq(strncmp(text, header, strlen(header)), 0);
	ck_assert_int_eq(text[strlen(header)], '\n');
	summary = strstr(text, "\n\n# summary\n{\"steps\":{\"left\":12,\"right\":11}");
	ck_assert_msg(summary != NULL, "no summary block in:\n%.300s", text);
	for (char *p = text + strlen(header) + 1; p < summary; p = strchr(p, '\n') + 1)
		rows += strncmp(p, "left,", 5) == 0 || strncmp(p, "right,", 6) == 0;
	ck_assert_uint_eq(rows, WALK_STANCES_LEFT + WALK_STANCES_RIGHT);
}
END_TEST

struct analyze_bad_case {
	const char *args[8];  /* "@" stands for the file written from content */
	const char *content;  /* gaitpdb text, NULL: none */
	int status;
	const char *stderr_has;
};

static const struct analyze_bad_case analyze_bad[] = {
	{ { NULL }, NULL, 2, "insoled --analyze: no FILE given" },
	{ { "--analyze", "/nonexistent/a", "/nonexistent/b", NULL }, NULL, 1,
	  "/nonexistent/b: cannot open: No such file or directory" },
	{ { "@", "--jobs", "0", NULL }, PDB_ROW, 2, "--jobs: '0' is not a number of threads (1..256)" },
	{ { "@", "--out", "/nonexistent/dir", NULL }, PDB_ROW, 2, "--out /nonexistent/dir: cannot create the directory: the folder it would be in does not exist" },
	{ { "@", "--out", "/dev/null", NULL }, PDB_ROW, 2, "--out /dev/null: not a directory" },
	{ { "@", "--body-weight-kg", "-3", NULL }, PDB_ROW, 2, "--body-weight-kg: -3 kg is not a body weight (10 to 500 kg)" },
	{ { "@", "--frobnicate", NULL }, PDB_ROW, 2, "usage: insoled --analyze FILE" },
	{ { "/nonexistent/walk.txt", NULL }, NULL, 1, "/nonexistent/walk.txt: cannot open: No such file or directory" },
	{ { "@", "--layout", "fsr16", "--layout-dir", LAYOUT_DIR, NULL }, PDB_ROW, 1,
	  "pdb.txt: the left foot has 8 sensors, layout 'fsr16' has 16" },
	{ { "@", "--layout", "nosuch", "--layout-dir", LAYOUT_DIR, NULL }, PDB_ROW, 1, "layout 'nosuch' not found in" },
	{ { "@", "--layout", "fsr16", "--data-dir", INS_TEST_SRCDIR, NULL }, PDB_ROW, 1,
	  "pdb.txt: the left foot has 8 sensors, layout 'fsr16' has 16" },
	{ { "@", "--layout", LAYOUT_DIR "/fsr16.layout", NULL }, PDB_ROW, 1,
	  "pdb.txt: the left foot has 8 sensors, layout 'fsr16' has 16" },
	{ { "@", "--layout", "/nonexistent/x.layout", NULL }, PDB_ROW, 1, "/nonexistent/x.layout" },
	{ { "@", "--layout-dir", LAYOUT_DIR, NULL }, PDB_ROW "0.0100\t1\t2\tx\n", 1,
	  "pdb.txt:2: expected 19 columns" },
};

START_TEST(analyze_warns_when_the_moticon_insole_is_not_size_7)
{
	char out[512], errp[512], *text;
	FILE *fp = fopen(FIXTURES "moticon_small.txt", "rb");
	static char fixture[4096];
	size_t n;
	const char *args[] = { "--analyze", NULL, "--layout-dir", LAYOUT_DIR, NULL };

	ck_assert_ptr_nonnull(fp);
	n = fread(fixture, 1, sizeof fixture - 1, fp);
	fclose(fp);
	fixture[n] = '\0';
	text = strstr(fixture, "# Size: 7");
	ck_assert_ptr_nonnull(text);
	text[8] = '5';
	args[1] = write_tmp("size5.txt", fixture, n);
	ck_assert_int_eq(run_analyze(args, out, errp), 0);
	ck_assert_ptr_nonnull(strstr(slurp(errp), "size5.txt: warning: insole size 5, but moticon16's sensor areas "
					  "are for size 7"));
}
END_TEST

START_TEST(analyze_help_prints_usage_and_succeeds)
{
	char out[512], errp[512];
	const char *args[] = { "--analyze", "--help", NULL };

	ck_assert_int_eq(run_analyze(args, out, errp), 0);
	ck_assert_int_eq(strncmp(slurp(out), "usage: insoled --analyze FILE", 29), 0);
}
END_TEST

START_TEST(analyze_bad_usage_and_input_exit_with_a_message)
{
	const struct analyze_bad_case *c = &analyze_bad[_i];
	const char *args[8];
	const char *path = c->content ? write_text("pdb.txt", c->content) : NULL;
	char out[512], errp[512];
	int status;

	for (int k = 0; k < 8; k++)
		args[k] = c->args[k] && strcmp(c->args[k], "@") == 0 ? path : c->args[k];
	status = run_analyze(args, out, errp);
	ck_assert_msg(status == c->status, "case %d: status %d", _i, status);
	ck_assert_msg(strstr(slurp(errp), c->stderr_has) != NULL, "case %d: stderr lacks '%s':\n%s", _i,
		      c->stderr_has, slurp(errp));
}
END_TEST

/* Several files in one run: every line names its file, each file's lines
 * come together, a bad file is reported and the others are analysed, and
 * the table lists them all; --out writes one file per input instead. */
START_TEST(analyze_many_files_names_each_and_carries_on_past_a_bad_one)
{
	char out[512], errp[512], path[600], outdir[512];
	const char *args[] = { "--analyze", FIXTURES "gaitpdb_small.txt", NULL, FIXTURES "moticon_small.txt",
			       "--layout-dir", LAYOUT_DIR, "--jobs", "2", NULL, NULL, NULL };
	const char *text, *table;
	int first_moticon, last_gaitpdb = -1, line = 0;

	args[2] = write_text("bad.txt", PDB_ROW "0.0100\t1\t2\tx\n");
	ck_assert_int_eq(run_analyze(args, out, errp), 1);
	text = slurp(out);
	first_moticon = -1;
	for (const char *p = text; *p; p = strchr(p, '\n') + 1, line++) {
		ck_assert_msg(strncmp(p, "{\"file\":\"", 9) == 0, "line %d names no file: %.60s", line, p);
		if (strncmp(p + 9, FIXTURES "gaitpdb_small.txt", strlen(FIXTURES "gaitpdb_small.txt")) == 0)
			last_gaitpdb = line;
		else if (first_moticon < 0 && strstr(p, "moticon_small.txt\""))
			first_moticon = line;
	}
	/* two summaries at least (bad.txt's, of its one good row, too) and contiguous blocks */
	ck_assert_ptr_nonnull(strstr(text, "gaitpdb_small.txt\",\"summary\":{\"steps\""));
	ck_assert_ptr_nonnull(strstr(text, "moticon_small.txt\",\"summary\":{\"steps\""));
	ck_assert_int_ge(last_gaitpdb, 0);
	ck_assert_int_ge(first_moticon, 0);
	table = slurp(errp);
	ck_assert_ptr_nonnull(strstr(table, "bad.txt:2: expected 19 columns"));
	ck_assert_ptr_nonnull(strstr(table, "gaitpdb_small.txt gaitpdb   L R"));
	ck_assert_ptr_nonnull(strstr(table, "FAILED (see above)"));
	ck_assert_ptr_nonnull(strstr(table, "3 files: 2 ok, 1 failed, 0 skipped"));

	/* a missing folder is made (its parent exists) */
	snprintf(outdir, sizeof outdir, "%s/results", tmpdir);
	args[2] = FIXTURES "gaitpdb_small.txt";
	args[3] = "--out";
	args[4] = outdir;
	args[5] = "--layout-dir";
	args[6] = LAYOUT_DIR;
	args[7] = "--csv";
	args[8] = NULL;
	args[1] = FIXTURES "moticon_small.txt";
	ck_assert_int_eq(run_analyze(args, out, errp), 0);
	ck_assert_str_eq(slurp(out), "");
	ck_assert_ptr_nonnull(strstr(slurp(errp), "results: directory created\n"));
	snprintf(path, sizeof path, "%s/gaitpdb_small.txt.csv", outdir);
	ck_assert_int_eq(strncmp(slurp(path), "foot,index,flags,", 17), 0);
	ck_assert_ptr_nonnull(strstr(slurp(path), "\n# summary\n{\"steps\":"));
	snprintf(path, sizeof path, "%s/moticon_small.txt.csv", outdir);
	ck_assert_int_eq(access(path, R_OK), 0);
}
END_TEST

/* What a pseudo-terminal's master side reads, until the slave is closed. */
struct pty_drain {
	int master;
	char buf[1 << 16];
	size_t len;
};

static void *pty_drain_run(void *arg)
{
	struct pty_drain *d = arg;
	ssize_t got;

	while (d->len < sizeof d->buf - 1 && (got = read(d->master, d->buf + d->len, sizeof d->buf - 1 - d->len)) > 0)
		d->len += (size_t)got;
	d->buf[d->len] = '\0';
	return NULL;
}

/* On a terminal the run shows a progress line, rewritten as each file is
 * done: a file's diagnostics must clear it first, not run on after it
 * ("(12 MB/s)insoled --analyze: ..."), and come together. */
#define TTY_FILES 4
START_TEST(analyze_many_files_on_a_terminal_clears_the_progress_line)
{
	static struct pty_drain drain;
	char out[512], dir[256], path[600], outdir[512];
	const char *argv_in[] = { "--analyze", dir, "--out", outdir, "--jobs", "1", "--layout-dir", LAYOUT_DIR, NULL };
	static char copies[16][512];
	char *argv[16];
	struct termios raw;
	pthread_t reader;
	int argc = 0, slave, saved_err, saved_out;
	const char *p;

	snprintf(dir, sizeof dir, "%s/many", tmpdir);
	snprintf(outdir, sizeof outdir, "%s/many-out", tmpdir);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	ck_assert_int_eq(mkdir(outdir, 0700), 0);
	for (int i = 0; i < TTY_FILES; i++) {
		snprintf(path, sizeof path, "%s/w%02d.txt", dir, i);
		ck_assert_int_eq(symlink(FIXTURES "gaitpdb_small.txt", path), 0);
	}
	for (; argv_in[argc]; argc++)
		argv[argc] = strcpy(copies[argc], argv_in[argc]);
	argv[argc] = NULL;
	drain.master = posix_openpt(O_RDWR | O_NOCTTY);
	ck_assert_int_ge(drain.master, 0);
	ck_assert_int_eq(grantpt(drain.master), 0);
	ck_assert_int_eq(unlockpt(drain.master), 0);
	slave = open(ptsname(drain.master), O_RDWR | O_NOCTTY);
	ck_assert_int_ge(slave, 0);
	ck_assert_int_eq(tcgetattr(slave, &raw), 0);
	cfmakeraw(&raw);
	ck_assert_int_eq(tcsetattr(slave, TCSANOW, &raw), 0);
	ck_assert_int_eq(pthread_create(&reader, NULL, pty_drain_run, &drain), 0);
	snprintf(out, sizeof out, "%s/stdout", tmpdir);
	fflush(stdout);
	fflush(stderr);
	saved_out = redirect_fd(STDOUT_FILENO, out);
	saved_err = dup(STDERR_FILENO);
	ck_assert_int_ge(dup2(slave, STDERR_FILENO), 0);
	close(slave);
	ck_assert_int_eq(ins_analyze_main(argc, argv), 0);
	fflush(stdout);
	fflush(stderr);
	restore_fd(STDOUT_FILENO, saved_out);
	restore_fd(STDERR_FILENO, saved_err); /* the slave's last descriptor: the reader sees the end */
	pthread_join(reader, NULL);
	close(drain.master);
	ck_assert_msg(strstr(drain.buf, "[4/4] 0 failed"), "%.1500s", drain.buf);
	for (p = drain.buf; (p = strstr(p, "insoled --analyze: ")) != NULL; p++)
		ck_assert_msg(p == drain.buf || p[-1] == '\n' || (p - drain.buf >= 3 && memcmp(p - 3, "\033[K", 3) == 0),
			      "a line runs on after the progress line: ...%.60s", p - 20 > drain.buf ? p - 20 : drain.buf);
}
END_TEST

/* Options may come right after --analyze, before the files (a mode, not an
 * option whose value is the first file): "--out" is never taken for a file. */
START_TEST(analyze_options_may_come_before_the_files)
{
	char out[512], errp[512], dir[512], path[600];
	const char *args[] = { "--analyze", "--out", dir, "--csv", "--layout-dir", LAYOUT_DIR,
			       FIXTURES "gaitpdb_small.txt", NULL };

	snprintf(dir, sizeof dir, "%s/options_first", tmpdir);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	ck_assert_int_eq(run_analyze(args, out, errp), 0);
	ck_assert_str_eq(slurp(out), "");
	snprintf(path, sizeof path, "%s/gaitpdb_small.txt.csv", dir);
	ck_assert_int_eq(strncmp(slurp(path), "foot,index,flags,", 17), 0);
	ck_assert_ptr_null(strstr(slurp(errp), "FAILED"));
	/* --analyze=FILE still names a file */
	args[0] = "--analyze=" FIXTURES "gaitpdb_small.txt";
	args[6] = NULL;
	ck_assert_int_eq(run_analyze(args, out, errp), 0);
}
END_TEST

/* A folder as clinics keep them: a recording is analysed, a file that is
 * no recording is skipped, a link that leads nowhere fails with the reason
 * (it may well have been a recording), a FIFO is not opened (that would
 * wait for a writer forever), and a sub-folder is named, not searched. */
START_TEST(analyze_dir_skips_other_files_and_fails_unreadable_ones)
{
	static const char *const names[] = { "walk.txt", "notes.txt", "gone.csv", "pipe" };
	char out[512], errp[512], dir[256], path[512];
	const char *args[] = { "--analyze", dir, "--layout-dir", LAYOUT_DIR, NULL };
	const char *table;

	snprintf(dir, sizeof dir, "%s/folder", tmpdir);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	snprintf(path, sizeof path, "%s/walk.txt", dir);
	ck_assert_int_eq(symlink(FIXTURES "gaitpdb_small.txt", path), 0);
	write_text("folder/notes.txt", "things to bring: shoes A and B\n");
	snprintf(path, sizeof path, "%s/gone.csv", dir);
	ck_assert_int_eq(symlink("nowhere.csv", path), 0);
	snprintf(path, sizeof path, "%s/pipe", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	snprintf(path, sizeof path, "%s/visit2", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	write_text("folder/visit2/walk.txt", PDB_ROW);
	ck_assert_int_eq(run_analyze(args, out, errp), 1);
	table = slurp(errp);
	ck_assert_msg(strstr(table, "gone.csv: cannot open: No such file or directory"), "%s", table);
	ck_assert_msg(strstr(table, "3 files: 1 ok, 1 failed, 1 skipped"), "%s", table);
	ck_assert_msg(!strstr(table, "pipe"), "%s", table);
	ck_assert_msg(strstr(table, "folder: 1 sub-folder not searched (name it to analyse it too, e.g. "), "%s", table);
	ck_assert_msg(!strstr(table, "visit2/walk.txt"), "%s", table);
	snprintf(path, sizeof path, "%s/visit2/walk.txt", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/visit2", dir);
	rmdir(path);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}
END_TEST

/* A record copied from a disk that keeps no case: REC.HEA, REC.LET and
 * REC.RIT, whose header names rec.let and rec.rit, reads as the record,
 * opened by any of its files, and a folder of it is one recording. */
START_TEST(a_gaitndd_record_in_capitals_reads_as_itself)
{
	static const char *const opens[] = { "caps/REC.HEA", "caps/REC.LET", "caps/REC.Rit", "caps/REC" };
	unsigned char buf[16];
	char hea[512], path[512], out[512], errp[512], dir[256], err[512] = "";
	const char *args[] = { "--analyze", dir, "--layout-dir", LAYOUT_DIR, NULL };
	const char *table;

	snprintf(dir, sizeof dir, "%s/caps", tmpdir);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	ndd_good_header(hea, sizeof hea);
	write_text("caps/REC.HEA", hea);
	write_tmp("caps/REC.LET", buf, test_pack212(ndd_left, 5, buf));
	write_tmp("caps/REC.Rit", buf, test_pack212(ndd_right, 5, buf));
	for (unsigned k = 0; k < 4; k++) {
		struct ins_import *imp;

		snprintf(path, sizeof path, "%s/%s", tmpdir, opens[k]);
		ck_assert_str_eq(ins_import_detect(path, err, sizeof err), "gaitndd");
		imp = ins_import_open(path, NULL, err, sizeof err);
		ck_assert_msg(imp != NULL, "%s: %s", opens[k], err);
		ck_assert_str_eq(ins_import_info(imp)->format, "gaitndd");
		expect_frame(imp, INS_FOOT_LEFT, 0, 0, 0, 503 + 2048);
		expect_frame(imp, INS_FOOT_RIGHT, 0, 0, 0, -157 + 2048);
		ins_import_close(imp);
	}
	ck_assert_int_eq(run_analyze(args, out, errp), 0);
	table = slurp(errp);
	ck_assert_msg(strstr(table, "REC.HEA ") && !strstr(table, "REC.LET ") && strstr(table, "1 file: 1 ok"), "%s",
		      table);
}
END_TEST

/* ---- ins_import_run: the one driver of --analyze and the store's import ---- */

struct run_sink_counts {
	unsigned long frames[INS_FOOT_COUNT];
	unsigned long steps[INS_FOOT_COUNT];
};

static int count_frame(void *arg, const struct ins_import_frame *f, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	((struct run_sink_counts *)arg)->frames[f->foot]++;
	return 0;
}

static int count_step(void *arg, const struct ins_step *step, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	((struct run_sink_counts *)arg)->steps[step->foot]++;
	return 0;
}

/* The analysis already holds a left frame at 0 s, so the file's own left
 * frame at 0 s does not advance time and is refused: the run counts it and
 * carries on with the other 2399 frames and every step. */
START_TEST(a_refused_frame_is_counted_and_the_run_carries_on)
{
	char err[512] = "";
	struct ins_import *imp = ins_import_open(write_walk(), NULL, err, sizeof err);
	struct ins_layout *layout[INS_FOOT_COUNT];
	struct ins_analysis_config cfg = { .body_weight_n = 0 };
	struct ins_analysis *ana;
	struct ins_frame_metrics fm;
	struct run_sink_counts got;
	const struct ins_import_sink sink = { .frame = count_frame, .step = count_step, .arg = &got };
	struct ins_import_tally tally;
	float zero_kpa[8] = { 0 };

	memset(&got, 0, sizeof got);

	ck_assert_msg(imp != NULL, "%s", err);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		layout[foot] = ins_layout_load_named(LAYOUT_DIR, "gaitpdb8", err, sizeof err);
		ck_assert_msg(layout[foot] != NULL, "%s", err);
		cfg.layout[foot] = layout[foot];
	}
	ck_assert_int_eq(ins_import_check_layouts(imp, layout, err, sizeof err), 0);
	ana = ins_analysis_new(&cfg, err, sizeof err);
	ck_assert_msg(ana != NULL, "%s", err);
	ck_assert_int_eq(ins_analysis_feed_kpa(ana, INS_FOOT_LEFT, 0, zero_kpa, 8, &fm), 0);

	ck_assert_msg(ins_import_run(imp, ana, layout, &sink, &tally, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(tally.frames[INS_FOOT_LEFT], WALK_SECONDS * WALK_RATE_HZ);
	ck_assert_uint_eq(tally.frames[INS_FOOT_RIGHT], WALK_SECONDS * WALK_RATE_HZ);
	ck_assert_uint_eq(tally.misfit[INS_FOOT_LEFT], 1);
	ck_assert_uint_eq(tally.misfit[INS_FOOT_RIGHT], 0);
	ck_assert_uint_eq(tally.gaps[INS_FOOT_LEFT], 0);
	ck_assert_uint_eq(got.frames[INS_FOOT_LEFT], WALK_SECONDS * WALK_RATE_HZ - 1);
	ck_assert_uint_eq(got.frames[INS_FOOT_RIGHT], WALK_SECONDS * WALK_RATE_HZ);
	ck_assert_uint_eq(got.steps[INS_FOOT_LEFT], WALK_STANCES_LEFT);
	ck_assert_uint_eq(got.steps[INS_FOOT_RIGHT], WALK_STANCES_RIGHT);
	ins_analysis_free(ana);
	ins_import_close(imp);

	/* A layout of another sensor count is one clear error before any frame. */
	ins_layout_free(layout[INS_FOOT_RIGHT]);
	layout[INS_FOOT_RIGHT] = ins_layout_load_named(LAYOUT_DIR, "fsr16", err, sizeof err);
	ck_assert_msg(layout[INS_FOOT_RIGHT] != NULL, "%s", err);
	imp = ins_import_open(write_walk(), NULL, err, sizeof err);
	ck_assert_msg(imp != NULL, "%s", err);
	ck_assert_int_eq(ins_import_check_layouts(imp, layout, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "walk.txt: the right foot has 8 sensors, layout 'fsr16' has 16"));
	ins_import_close(imp);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		ins_layout_free(layout[foot]);
}
END_TEST

/* Everything a run hands on, in order, hashed (FNV-1a): frames and steps
 * with every field, and the run stopping at the fail_at-th callback. */
struct run_trace {
	uint64_t hash;
	unsigned long calls, fail_at;
};

static void trace_mix(struct run_trace *t, const void *data, size_t n)
{
	for (size_t i = 0; i < n; i++)
		t->hash = (t->hash ^ ((const unsigned char *)data)[i]) * 1099511628211ull;
}

static int trace_frame(void *arg, const struct ins_import_frame *f, char *err, size_t errlen)
{
	struct run_trace *t = arg;

	trace_mix(t, "F", 1);
	trace_mix(t, &f->foot, sizeof f->foot);
	trace_mix(t, &f->t_us, sizeof f->t_us);
	trace_mix(t, &f->seq, sizeof f->seq);
	trace_mix(t, f->values, f->n * sizeof *f->values);
	if (++t->calls == t->fail_at) {
		snprintf(err, errlen, "sink full");
		return -7;
	}
	return 0;
}

static int trace_step(void *arg, const struct ins_step *step, char *err, size_t errlen)
{
	struct run_trace *t = arg;

	trace_mix(t, "S", 1);
	trace_mix(t, &step->foot, sizeof step->foot);
	trace_mix(t, &step->index, sizeof step->index);
	trace_mix(t, &step->flags, sizeof step->flags);
	trace_mix(t, &step->contact_us, sizeof step->contact_us);
	trace_mix(t, &step->toe_off_us, sizeof step->toe_off_us);
	trace_mix(t, step->m, sizeof step->m);
	if (++t->calls == t->fail_at) {
		snprintf(err, errlen, "sink full");
		return -7;
	}
	return 0;
}

struct run_result {
	int rc;
	char err[512];
	struct run_trace trace;
	struct ins_import_tally tally;
};

/* One run of path, sequential or pipelined; the left foot's frame at 0 s is
 * refused (the analysis already holds one), frames kept when with_frames. */
static void run_traced(const char *path, int pipelined, int with_frames, unsigned long fail_at,
		       struct run_result *res)
{
	struct ins_import *imp = ins_import_open(path, NULL, res->err, sizeof res->err);
	struct ins_layout *layout[INS_FOOT_COUNT];
	struct ins_analysis_config cfg = { .body_weight_n = 700 };
	struct ins_analysis *ana;
	struct ins_frame_metrics fm;
	const struct ins_import_sink sink = { .frame = with_frames ? trace_frame : NULL, .step = trace_step,
					      .arg = &res->trace };
	float zero_kpa[8] = { 0 };

	ck_assert_msg(imp != NULL, "%s", res->err);
	res->trace = (struct run_trace){ .hash = 14695981039346656037ull, .fail_at = fail_at };
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		layout[foot] = ins_layout_load_named(LAYOUT_DIR, "gaitpdb8", res->err, sizeof res->err);
		ck_assert_msg(layout[foot] != NULL, "%s", res->err);
		cfg.layout[foot] = layout[foot];
	}
	ana = ins_analysis_new(&cfg, res->err, sizeof res->err);
	ck_assert_msg(ana != NULL, "%s", res->err);
	ck_assert_int_eq(ins_analysis_feed_kpa(ana, INS_FOOT_LEFT, 0, zero_kpa, 8, &fm), 0);
	res->err[0] = '\0';
	res->rc = pipelined ? ins_import_run_pipelined(imp, ana, layout, &sink, &res->tally, res->err, sizeof res->err)
			    : ins_import_run(imp, ana, layout, &sink, &res->tally, res->err, sizeof res->err);
	ins_analysis_free(ana);
	ins_import_close(imp);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		ins_layout_free(layout[foot]);
}

static void same_runs(const char *path, int with_frames, unsigned long fail_at, int want_rc)
{
	struct run_result seq, pipe;

	run_traced(path, 0, with_frames, fail_at, &seq);
	run_traced(path, 1, with_frames, fail_at, &pipe);
	ck_assert_int_eq(seq.rc, want_rc);
	ck_assert_int_eq(pipe.rc, seq.rc);
	ck_assert_str_eq(pipe.err, seq.err);
	ck_assert_uint_eq(pipe.trace.calls, seq.trace.calls);
	ck_assert_uint_eq(pipe.trace.hash, seq.trace.hash);
	ck_assert_int_eq(memcmp(&pipe.tally, &seq.tally, sizeof seq.tally), 0);
}

/* 300 s (60,000 frames) pass through many chunks and the whole ring. */
START_TEST(the_pipelined_run_hands_on_what_the_sequential_run_does)
{
	const char *walk = write_walk_of("long.txt", 300, 0);
	const char *damaged = write_walk_of("damaged.txt", 300, 25000);
	struct run_result seq;

	same_runs(walk, 1, 0, 0);
	same_runs(walk, 0, 0, 0);
	run_traced(walk, 0, 0, 0, &seq);
	ck_assert_uint_eq(seq.tally.misfit[INS_FOOT_LEFT], 1);
	ck_assert_uint_gt(seq.trace.calls, 500);
	/* bad input: every frame and step before the bad line, then its error */
	same_runs(damaged, 1, 0, -1);
	run_traced(damaged, 1, 1, 0, &seq);
	ck_assert_ptr_nonnull(strstr(seq.err, "damaged.txt:25001: total right: '"));
	/* a sink that fails stops both at the same callback */
	same_runs(walk, 1, 31000, -7);
	same_runs(walk, 0, 300, -7);
}
END_TEST

/* The file's own values against the analysis's, frame by frame: the
 * tolerances, the frames that count, and the analysis's missing values. */
START_TEST(the_files_own_values_check_the_analysis_frame_by_frame)
{
	struct ins_import_agreement agree[INS_FOOT_COUNT][INS_REF_COUNT];
	struct ins_import_frame f = { .foot = INS_FOOT_LEFT, .ref_force_n = NAN, .ref_peak_kpa = NAN,
				      .ref_cop_x_norm = NAN, .ref_cop_y_norm = NAN };
	const struct ins_import_agreement *force = &agree[INS_FOOT_LEFT][INS_REF_FORCE];
	const struct ins_import_agreement *peak = &agree[INS_FOOT_LEFT][INS_REF_PEAK];
	const struct ins_import_agreement *cop = &agree[INS_FOOT_LEFT][INS_REF_COP];
	/* load: 1 % or 1 N; the analysis's value, the file's */
	static const float loads[][2] = { { 100.9f, 100 }, { 102, 100 }, { 1.4f, 0.5f }, { 1.6f, 0.5f } };

	memset(agree, 0, sizeof agree);
	for (unsigned i = 0; i < 4; i++) {
		const struct ins_import_measured m = { .force_n = loads[i][0], .cop_x_norm = NAN, .cop_y_norm = NAN };

		f.t_us = 10000 * i;
		f.ref_force_n = loads[i][1];
		ins_import_agreement_add(agree, &f, &m);
	}
	ck_assert_uint_eq(force->frames, 4);
	ck_assert_uint_eq(force->within, 2);
	ck_assert_double_eq_tol(force->max_diff, 2.0, 1e-5);
	ck_assert_int_eq(force->max_t_us, 10000);
	ck_assert_double_eq_tol(force->sum_diff, 0.9 + 2.0 + 0.9 + 1.1, 1e-5);
	/* peak: 1 %, and only where the file finds a load; centre of pressure:
	 * 1 % of width and length, none from the analysis counting as outside */
	f.ref_force_n = NAN;
	f.ref_peak_kpa = 0;
	ins_import_agreement_add(agree, &f, &(struct ins_import_measured){ .peak_kpa = 5 });
	f.ref_peak_kpa = 200;
	f.ref_cop_x_norm = 0.1f;
	f.ref_cop_y_norm = 0.5f;
	ins_import_agreement_add(agree, &f, &(struct ins_import_measured){ .peak_kpa = 201.9f, .cop_x_norm = 0.105f, .cop_y_norm = 0.509f });
	ins_import_agreement_add(agree, &f, &(struct ins_import_measured){ .peak_kpa = 203, .cop_x_norm = 0.1f, .cop_y_norm = 0.52f });
	ins_import_agreement_add(agree, &f, &(struct ins_import_measured){ .peak_kpa = 200, .cop_x_norm = NAN, .cop_y_norm = NAN });
	ck_assert_uint_eq(peak->frames, 3);
	ck_assert_uint_eq(peak->within, 2);
	ck_assert_uint_eq(cop->frames, 3);
	ck_assert_uint_eq(cop->within, 1);
	ck_assert_uint_eq(cop->missing, 1);
	ck_assert_double_eq_tol(cop->max_diff, 2.0, 1e-4);
	ck_assert_double_eq_tol(cop->sum_diff, 0.9 + 2.0, 1e-4);
	/* the load was not given: not counted; another foot untouched; no foot: ignored */
	ck_assert_uint_eq(force->frames, 4);
	f.foot = INS_FOOT_COUNT;
	ins_import_agreement_add(agree, &f, &(struct ins_import_measured){ .peak_kpa = 0 });
	ck_assert_uint_eq(agree[INS_FOOT_RIGHT][INS_REF_PEAK].frames, 0);
	ck_assert_str_eq(ins_import_ref_key(INS_REF_COP), "cop_pct");
	ck_assert_str_eq(ins_import_ref_tolerance(INS_REF_FORCE), "1 % or 1 N");
}
END_TEST

/* Which files state values of their own to check the analysis against:
 * XSENSOR, Moticon and gaitpdb do; the others do not, and their frames
 * are not checked at all. */
START_TEST(the_files_that_state_their_own_values_are_known_at_the_open)
{
	static const struct {
		const char *file;
		int states;
	} cases[] = { { "xsensor_small.csv", 1 }, { "moticon_small.txt", 1 },  { "gaitpdb_small.txt", 1 },
		      { "pedar_small.asc", 0 },   { "fscan_small.asf", 0 },    { "stappone_small.csv", 0 },
		      { "insoled_counts.csv", 0 } };
	char err[512] = "", path[512];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ins_import *imp;

		snprintf(path, sizeof path, FIXTURES "%s", cases[i].file);
		imp = ins_import_open(path, NULL, err, sizeof err);
		ck_assert_msg(imp != NULL, "%s", err);
		ck_assert_msg(ins_import_states_own_values(ins_import_info(imp)) == cases[i].states, "%s", cases[i].file);
		ins_import_close(imp);
	}
}
END_TEST

/* Every form of start time the readers meet, to the microsecond. */
START_TEST(start_times_in_every_vendor_form)
{
	struct tm tm = { .tm_year = 2023 - 1900, .tm_mon = 8, .tm_mday = 27, .tm_hour = 10, .tm_min = 21, .tm_sec = 14, .tm_isdst = -1 };
	int64_t us, local = (int64_t)mktime(&tm) * 1000000;

	ck_assert_int_eq(ins_import_start_us("2026-01-15T16:36:19.568Z", &us), 0);
	ck_assert_int_eq(us, 1768494979568000LL);
	ck_assert_int_eq(ins_import_start_us("2026-01-15T17:36:19.568+01:00", &us), 0);
	ck_assert_int_eq(us, 1768494979568000LL);
	/* Moticon: local time */
	ck_assert_int_eq(ins_import_start_us("27.09.2023 10:21:14.922", &us), 0);
	ck_assert_int_eq(us, local + 922000);
	/* pedar: two-digit year, dotted clock without seconds */
	ck_assert_int_eq(ins_import_start_us("25.04.23 10.49", &us), 0);
	tm = (struct tm){ .tm_year = 123, .tm_mon = 3, .tm_mday = 25, .tm_hour = 10, .tm_min = 49, .tm_isdst = -1 };
	ck_assert_int_eq(us, (int64_t)mktime(&tm) * 1000000);
	/* F-Scan: weekday, month by name, 12-hour clock */
	ck_assert_int_eq(ins_import_start_us("Thursday, 16 February 2017 11:26:22 p.m.", &us), 0);
	tm = (struct tm){ .tm_year = 117, .tm_mon = 1, .tm_mday = 16, .tm_hour = 23, .tm_min = 26, .tm_sec = 22, .tm_isdst = -1 };
	ck_assert_int_eq(us, (int64_t)mktime(&tm) * 1000000);
	/* XSENSOR: the day alone */
	ck_assert_int_eq(ins_import_start_us("2022 Aug 16", &us), 0);
	tm = (struct tm){ .tm_year = 122, .tm_mon = 7, .tm_mday = 16, .tm_isdst = -1 };
	ck_assert_int_eq(us, (int64_t)mktime(&tm) * 1000000);
	/* slashes, as a US or European Windows locale writes them: read when
	 * the numbers tell day from month */
	ck_assert_int_eq(ins_import_start_us("2/16/2017 11:26:22 AM", &us), 0);
	tm = (struct tm){ .tm_year = 117, .tm_mon = 1, .tm_mday = 16, .tm_hour = 11, .tm_min = 26, .tm_sec = 22, .tm_isdst = -1 };
	ck_assert_int_eq(us, (int64_t)mktime(&tm) * 1000000);
	ck_assert_int_eq(ins_import_start_us("16/02/2017 11:26:22", &us), 0);
	ck_assert_int_eq(us, (int64_t)mktime(&tm) * 1000000);
	ck_assert_int_eq(ins_import_start_us("2017/02/16 11:26:22", &us), 0);
	ck_assert_int_eq(us, (int64_t)mktime(&tm) * 1000000);
	ck_assert_int_eq(ins_import_start_us("08/16/2022", &us), 0);
	tm = (struct tm){ .tm_year = 122, .tm_mon = 7, .tm_mday = 16, .tm_isdst = -1 };
	ck_assert_int_eq(us, (int64_t)mktime(&tm) * 1000000);
	ck_assert_int_eq(ins_import_start_us("05/05/2022", &us), 0);
	/* March or April, and a two-digit year: not guessed */
	ck_assert_int_eq(ins_import_start_us("03/04/2022 10:00", &us), -1);
	ck_assert_int_eq(ins_import_start_us("16/08/22", &us), -1);
	ck_assert_int_eq(ins_import_start_us("2/30/2017", &us), -1);
	/* not dates */
	ck_assert_int_eq(ins_import_start_us("", &us), -1);
	ck_assert_int_eq(ins_import_start_us("yesterday", &us), -1);
	ck_assert_int_eq(ins_import_start_us("32.13.2023 10:00", &us), -1);
	ck_assert_int_eq(ins_import_start_us("2023-02-30T10:00Z", &us), -1);
}
END_TEST

/* ---- a fixture of every text format, reshaped as files arrive ----------- */

static const char *const text_fixtures[] = { "gaitpdb_small.txt", "moticon_small.txt", "insoled_counts.csv",
					     "pedar_small.asc", "fscan_small.asf", "xsensor_small.csv",
					     "stappone_small.csv" };
#define N_TEXT_FIXTURES (sizeof text_fixtures / sizeof text_fixtures[0])

/* The fixture's text, malloc'd. */
static char *fixture_text(const char *name, size_t *len)
{
	char path[512];
	char *text;

	snprintf(path, sizeof path, FIXTURES "%s", name);
	text = strdup(slurp(path));
	ck_assert_ptr_nonnull(text);
	*len = strlen(text);
	return text;
}

/* A last line ended by CR alone (the LF of its CRLF, or of CRCRLF, lost
 * with the end of a copy) is a whole line in every format, not a cut one;
 * so is a CR file's last line ended by CRLF. */
START_TEST(a_last_line_ended_by_cr_alone_is_complete_in_every_format)
{
	static const char *const ends[] = { "\r", "\r\r" };

	for (size_t k = 0; k < N_TEXT_FIXTURES; k++) {
		size_t len;
		char *text = fixture_text(text_fixtures[k], &len), *cut = malloc(len + 3);
		const char *ref = write_tmp(text_fixtures[k], text, len);

		ck_assert_ptr_nonnull(cut);
		while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
			len--;
		for (size_t e = 0; e < sizeof ends / sizeof ends[0]; e++) {
			char name[64];

			memcpy(cut, text, len);
			memcpy(cut + len, ends[e], strlen(ends[e]));
			snprintf(name, sizeof name, "cr%zu_%s", e, text_fixtures[k]);
			expect_same_reading(ref, write_tmp(name, cut, len + strlen(ends[e])));
		}
		/* CR alone throughout, the last line with CRLF */
		for (size_t i = 0, o = 0; i <= len; i++) {
			if (i == len) {
				memcpy(cut + o, "\r\n", 2);
				expect_same_reading(ref, write_tmp("mac.txt", cut, o + 2));
			} else if (text[i] != '\r') {
				cut[o++] = text[i] == '\n' ? '\r' : text[i];
			}
		}
		free(cut);
		free(text);
	}
}
END_TEST

#define ZERO_TAIL 4096 /* NUL bytes of a file a crash left: a cluster of a FAT or NTFS disk */

/* A file that ends in NUL bytes (a crash or a copy broken off leaves the
 * file's length written and its last blocks zero) keeps every frame before
 * them, the last one too, and is reported damaged naming the bytes (but
 * for an F-Scan movie, whose closing "@@" says it is whole: below); a file
 * whose last line the zeros cut says that too; one of nothing but zeros
 * says so at detection. */
START_TEST(a_file_ending_in_zero_bytes_keeps_every_frame_before_them)
{
	char err[512], want[160];
	unsigned long whole[2], n[2];

	for (size_t k = 0; k < N_TEXT_FIXTURES; k++) {
		size_t len;
		char *text = fixture_text(text_fixtures[k], &len), *zeroed = calloc(1, len + ZERO_TAIL);
		const char *path;

		ck_assert_ptr_nonnull(zeroed);
		memcpy(zeroed, text, len);
		ck_assert_int_eq(read_all(write_tmp(text_fixtures[k], text, len), NULL, err, sizeof err, whole), 0);
		path = write_tmp("tail.txt", zeroed, len + ZERO_TAIL);
		if (strcmp(text_fixtures[k], "fscan_small.asf") != 0) {
			ck_assert_int_eq(read_all(path, NULL, err, sizeof err, n), -1);
			snprintf(want, sizeof want, "%s: the file ends in %d NUL (zero) bytes after its last line, from "
				 "byte %zu on: what a crash", path, ZERO_TAIL, len + 1);
			ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s: %s", text_fixtures[k], err);
			ck_assert_uint_eq(n[0], whole[0]);
			ck_assert_uint_eq(n[1], whole[1]);
		}
		/* the zeros overwrote the end of the last line */
		memset(zeroed + len - 2, 0, 2);
		path = write_tmp("cut.txt", zeroed, len + ZERO_TAIL);
		ck_assert_int_eq(read_all(path, NULL, err, sizeof err, n), -1);
		ck_assert_msg(strstr(err, "truncated file: ") && strstr(err, "NUL (zero) bytes follow it"), "%s: %s",
			      text_fixtures[k], err);
		ck_assert_uint_le(n[0] + n[1], whole[0] + whole[1]);
		free(zeroed);
		free(text);
	}
	ck_assert_int_eq(read_all(write_tmp("zero.txt", (char[ZERO_TAIL]){ 0 }, ZERO_TAIL), NULL, err, sizeof err, n), -2);
	ck_assert_msg(strstr(err, "zero.txt: the file holds nothing but 4096 NUL (zero) bytes: what a crash"), "%s", err);
}
END_TEST

/* The F-Scan movie text with its first `keep` bytes, then `zeros` NUL
 * bytes, then the text from byte `resume` on, written to name. */
static const char *fscan_with_zeros(const char *name, const char *text, size_t keep, size_t zeros, size_t resume)
{
	size_t len = strlen(text), total = keep + zeros + (len - resume);
	char *data = calloc(1, total);
	const char *path;

	ck_assert_ptr_nonnull(data);
	memcpy(data, text, keep);
	memcpy(data + keep + zeros, text + resume, len - resume);
	path = write_tmp(name, data, total);
	free(data);
	return path;
}

/* An F-Scan movie ends in "@@": zeros after it pad a whole recording (a
 * copy to a FAT stick, an editor's crash) and it reads as the movie
 * without them.  Zeros in place of the "@@", of a frame's last row or
 * within the movie are damage, reported as ever. */
START_TEST(fscan_zeros_after_the_end_marker_pad_a_whole_movie)
{
	size_t len;
	char *text = fixture_text("fscan_small.asf", &len), err[512], want[160];
	const char *ref = write_tmp("walk.asf", text, len), *path, *frame2 = strstr(text, "Frame 2\n");
	size_t last_row = len - strlen("B,101,B\n@@\n");
	unsigned long n[2];

	ck_assert_str_eq(text + last_row, "B,101,B\n@@\n");
	ck_assert_ptr_nonnull(frame2);
	expect_same_reading(ref, fscan_with_zeros("padded.asf", text, len, ZERO_TAIL, len));
	/* the "@@" lost: the movie may have gone on */
	path = fscan_with_zeros("noend.asf", text, len - 3, ZERO_TAIL, len);
	ck_assert_int_eq(read_all(path, NULL, err, sizeof err, n), -1);
	snprintf(want, sizeof want, "%s: the file ends in %d NUL (zero) bytes after its last line, from byte %zu on: "
		 "what a crash", path, ZERO_TAIL, len - 2);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
	ck_assert_uint_eq(n[INS_FOOT_LEFT], 2);
	/* frame 2 cut before its last row */
	path = fscan_with_zeros("cut.asf", text, last_row, ZERO_TAIL, len);
	ck_assert_int_eq(read_all(path, NULL, err, sizeof err, n), -1);
	ck_assert_msg(strstr(err, ": frame 2 row 4: the file ends here, after 3 of 4 rows: frame 2 is truncated"), "%s",
		      err);
	ck_assert_uint_eq(n[INS_FOOT_LEFT], 1);
	/* zeros between the frames */
	path = fscan_with_zeros("middle.asf", text, (size_t)(frame2 - text), 16, (size_t)(frame2 - text));
	ck_assert_int_eq(read_all(path, NULL, err, sizeof err, n), -1);
	ck_assert_msg(strstr(err, ":22: binary data (NUL byte at column 1)"), "%s", err);
	ck_assert_uint_eq(n[INS_FOOT_LEFT], 1);
	free(text);
}
END_TEST

/* Each line of text ended with CRLF after `pad` (the last line too, even
 * when it had no line end), the whole behind a UTF-8 byte-order mark
 * unless it has one: malloc'd, *len set. */
static char *reshape_lines(const char *text, const char *pad, size_t *len)
{
	size_t n = strlen(text), o = 0;
	char *out = malloc(3 + n * (strlen(pad) + 2) + strlen(pad) + 2);

	ck_assert_ptr_nonnull(out);
	if (strncmp(text, "\xef\xbb\xbf", 3) != 0)
		o += (size_t)sprintf(out, "\xef\xbb\xbf");
	for (const char *p = text; *p;) {
		size_t line = strcspn(p, "\r\n");

		memcpy(out + o, p, line);
		o += line;
		o += (size_t)sprintf(out + o, "%s\r\n", pad);
		p += line;
		p += *p == '\r';
		p += *p == '\n';
	}
	*len = o;
	return out;
}

/* What clinics' files go through (a Windows editor's byte-order mark,
 * CRLF, blanks left at line ends; a tool that writes a separator after
 * every field) reads as the file as exported, in every format. */
START_TEST(reshaped_lines_read_as_the_plain_file_in_every_format)
{
	static const char seps[N_TEXT_FIXTURES] = { '\t', '\t', ',', '\t', ',', ',', ',' };

	for (size_t k = 0; k < N_TEXT_FIXTURES; k++) {
		size_t len, n;
		char *text = fixture_text(text_fixtures[k], &len), *shaped, name[64], sep[2] = { seps[k], '\0' };
		const char *ref = write_tmp(text_fixtures[k], text, len);

		shaped = reshape_lines(text, "  ", &n);
		snprintf(name, sizeof name, "blanks_%s", text_fixtures[k]);
		expect_same_reading(ref, write_tmp(name, shaped, n));
		free(shaped);
		shaped = reshape_lines(text, sep, &n);
		snprintf(name, sizeof name, "sep_%s", text_fixtures[k]);
		expect_same_reading(ref, write_tmp(name, shaped, n));
		free(shaped);
		free(text);
	}
}
END_TEST

Suite *ins_suite_import(void);
Suite *ins_suite_import(void)
{
	Suite *s = suite_create("import");
	TCase *readers = tcase_create("readers");
	TCase *bad = tcase_create("bad_input");
	TCase *real = ins_shared_data_tcase("real_recordings");
	TCase *analysis = tcase_create("analysis");

	tcase_add_checked_fixture(readers, tmp_setup, tmp_teardown);
	tcase_add_test(readers, gaitpdb_fixture_yields_newtons_totals_and_gaps);
	tcase_add_test(readers, start_times_in_every_vendor_form);
	tcase_add_test(readers, moticon_fixture_maps_units_axes_gaps_and_events);
	tcase_add_test(readers, insoled_fixture_reads_metadata_calibration_and_seq_gaps);
	tcase_add_test(readers, insoled_calibration_one_line_per_sensor_is_read);
	tcase_add_test(readers, insoled_kpa_export_yields_kpa_and_counter_restarts_are_not_gaps);
	tcase_add_test(readers, gaitndd_decodes_212_counts_invalid_samples_and_checksums);
	tcase_add_test(readers, gaitndd_record_line_base_time_and_date_date_the_recording);
	tcase_add_test(readers, an_upload_of_several_files_is_one_gaitndd_record);
	tcase_add_test(readers, fingerprint_is_the_files_sha256_whatever_its_name);
	tcase_add_test(readers, gaitndd_fingerprint_covers_samples_and_header_not_the_name);
	tcase_add_test(readers, gaitndd_indented_comments_are_comments);
	tcase_add_test(readers, a_gaitndd_record_cut_short_keeps_the_samples_before_the_cut);
	tcase_add_test(readers, a_renamed_gaitndd_record_reads_the_files_of_its_own_name);
	tcase_add_test(readers, an_old_export_of_a_dense_insole_reads_its_calibration_line);
	tcase_add_loop_test(readers, gaitndd_sample_times_are_rounded_exactly, 0,
			    sizeof ndd_clock_rates / sizeof ndd_clock_rates[0]);
	tcase_add_test(readers, newtons_become_kpa_with_sensor_areas);
	tcase_add_test(readers, numbers_parse_exactly_as_strtod_does);
	tcase_add_test(readers, padded_numbers_read_whatever_their_length);
	suite_add_tcase(s, readers);

	tcase_add_checked_fixture(bad, tmp_setup, tmp_teardown);
	/* a Moticon walk read five times over (CR, CRCRLF, UTF-16 both ways)
	 * takes 2-3 s under sanitizers: the default 4 s ran out on a busy CI */
	tcase_set_timeout(bad, 30);
	tcase_add_loop_test(bad, gaitndd_bad_input_names_file_line_and_field, 0,
			    (int)(sizeof ndd_bad / sizeof ndd_bad[0]));
	tcase_add_loop_test(bad, text_bad_input_names_file_line_and_field, 0,
			    (int)(sizeof text_bad / sizeof text_bad[0]));
	tcase_add_test(bad, reader_stays_failed_after_an_error_and_keeps_good_frames);
	tcase_add_test(bad, a_huge_time_jump_is_the_largest_gap_not_a_wrapped_one);
	tcase_add_test(bad, a_utf8_byte_order_mark_is_skipped);
	tcase_add_test(bad, moticon_blank_lines_are_not_rows);
	tcase_add_test(bad, windows_1252_labels_become_utf8);
	tcase_add_test(bad, header_texts_are_read_whole);
	tcase_add_test(bad, escaped_header_texts_are_read_back_exactly);
	tcase_add_test(bad, utf16_and_cr_only_files_read_as_their_utf8_text);
	tcase_add_test(bad, utf16_damage_is_named_like_utf8_damage);
	tcase_add_test(bad, moticon_one_foot_with_a_time_unit_reads);
	tcase_add_test(bad, moticon_time_in_milliseconds_reads_and_other_units_are_refused);
	tcase_add_test(bad, moticon_columns_saved_in_windows_1252_read);
	tcase_add_test(bad, moticon_duration_beyond_any_clock_is_unknown);
	tcase_add_test(bad, a_last_line_ended_by_cr_alone_is_complete_in_every_format);
	tcase_add_test(bad, a_file_ending_in_zero_bytes_keeps_every_frame_before_them);
	tcase_add_test(bad, fscan_zeros_after_the_end_marker_pad_a_whole_movie);
	tcase_add_test(bad, reshaped_lines_read_as_the_plain_file_in_every_format);
	suite_add_tcase(s, bad);

	tcase_set_timeout(real, 60); /* 12 walks and records of 90 000 samples, under sanitizers */
	tcase_add_test(real, gaitndd_records_read_whole_with_valid_checksums);
	tcase_add_test(real, gaitpdb_walks_read_whole_with_totals_equal_to_sensor_sums);
	tcase_add_test(real, moticon_sample_reads_with_gaps_and_vendor_events);
	tcase_add_test(real, moticon_force_and_cop_within_one_percent_of_the_vendor);
	tcase_add_test(real, gaitpdb_totals_equal_the_file_total_columns);
	suite_add_tcase(s, real);

	tcase_set_timeout(analysis, 30); /* whole walks through the analysis, under sanitizers on a busy CI */
	tcase_add_checked_fixture(analysis, tmp_setup, tmp_teardown);
	tcase_add_test(analysis, fixture_totals_agree_through_the_analysis);
	tcase_add_test(analysis, analyze_prints_one_json_step_per_line_then_the_summary);
	tcase_add_test(analysis, analyze_csv_has_the_step_header_rows_and_a_summary_block);
	tcase_add_test(analysis, analyze_options_may_come_before_the_files);
	tcase_add_test(analysis, analyze_warns_when_the_moticon_insole_is_not_size_7);
	tcase_add_test(analysis, analyze_help_prints_usage_and_succeeds);
	tcase_add_test(analysis, analyze_many_files_names_each_and_carries_on_past_a_bad_one);
	tcase_add_test(analysis, analyze_many_files_on_a_terminal_clears_the_progress_line);
	tcase_add_test(analysis, analyze_dir_skips_other_files_and_fails_unreadable_ones);
	tcase_add_test(analysis, a_gaitndd_record_in_capitals_reads_as_itself);
	tcase_add_test(analysis, a_refused_frame_is_counted_and_the_run_carries_on);
	tcase_add_test(analysis, the_pipelined_run_hands_on_what_the_sequential_run_does);
	tcase_add_test(analysis, the_files_own_values_check_the_analysis_frame_by_frame);
	tcase_add_test(analysis, the_files_that_state_their_own_values_are_known_at_the_open);
	tcase_add_loop_test(analysis, analyze_bad_usage_and_input_exit_with_a_message, 0,
			    (int)(sizeof analyze_bad / sizeof analyze_bad[0]));
	suite_add_tcase(s, analysis);
	return s;
}
