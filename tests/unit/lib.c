/* Helpers shared by the unit-test suites (lib.h). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "insoled/analysis.h"
#include "lib.h"

struct ins_layout *test_load_shipped(const char *name)
{
	char err[512] = "";
	struct ins_layout *lay = ins_layout_load_named(LAYOUT_DIR, name, err, sizeof(err));

	ck_assert_msg(lay != NULL, "%s: %s", name, err);
	return lay;
}

struct ins_synth *test_synth_new(const struct ins_synth_params *p, const struct ins_layout *l)
{
	char err[256] = "";
	struct ins_synth *s = ins_synth_new(p, l, err, sizeof(err));

	ck_assert_msg(s != NULL, "ins_synth_new: %s", err);
	return s;
}

const char *test_shared_data(void)
{
	const char *dir = getenv("INS_SHARED_DATA");

	return dir && dir[0] ? dir : INS_TEST_SRCDIR "/../shared/data";
}

const char *test_shared_path(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", test_shared_data(), rel);
	return buf;
}

char *test_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "%s: cannot open", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

void test_tmpdir_make(char *dir, size_t len, const char *prefix)
{
	snprintf(dir, len, "/tmp/%s.XXXXXX", prefix);
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

void test_tmpdir_remove(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

size_t test_pack212(const int *s, size_t n, unsigned char *out)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i += 2) {
		unsigned a = (unsigned)s[i] & 0xfff, b = i + 1 < n ? (unsigned)s[i + 1] & 0xfff : 0;

		out[len++] = a & 0xff;
		out[len++] = (unsigned char)(((a >> 8) & 0x0f) | (i + 1 < n ? (b >> 4) & 0xf0 : 0));
		if (i + 1 < n)
			out[len++] = b & 0xff;
	}
	return len;
}

/* One footswitch sample of the walk: unloaded, loaded, or on a ramp
 * between (a heel loading and a toe unloading take tens of ms). */
static int ndd_walk_sample(long i, long offset)
{
	long k = (i + offset) % TEST_NDD_STRIDE, ramp = TEST_NDD_RAMP;
	long up = k < ramp ? k : k < TEST_NDD_STANCE ? ramp : TEST_NDD_STANCE + ramp - k;

	if (up < 0)
		up = 0;
	return TEST_NDD_UNLOADED + (int)((TEST_NDD_LOADED - TEST_NDD_UNLOADED) * up / ramp);
}

size_t test_ndd_walk(unsigned foot, unsigned char *out)
{
	int s[TEST_NDD_SAMPLES];

	for (long i = 0; i < TEST_NDD_SAMPLES; i++)
		s[i] = ndd_walk_sample(i, foot ? TEST_NDD_STRIDE / 2 : 0);
	return test_pack212(s, TEST_NDD_SAMPLES, out);
}

#define MOTICON_WALK_PERIOD_US 10000 /* 100 Hz, as the vendor's sample */

/* The step-column code of the model's event at frame i of a foot, or 0:
 * its contacts and toe-offs (from the stance under way at t = 0 on)
 * moved by shift_us and rounded to a frame. */
static int moticon_walk_code(const struct ins_synth *s, unsigned foot, long i, int64_t shift_us)
{
	static const int codes[INS_FOOT_COUNT][2] = { { 11, 15 }, { 21, 25 } };
	struct ins_synth_step st;

	for (int k = -1; ins_synth_step_truth(s, foot, k, &st) == 0; k++) {
		const int64_t at[2] = { st.contact_us + shift_us, st.toe_off_us + shift_us };

		for (unsigned e = 0; e < 2; e++)
			if (at[e] >= 0 && (at[e] + MOTICON_WALK_PERIOD_US / 2) / MOTICON_WALK_PERIOD_US == i)
				return codes[foot][e];
		if (st.contact_us + shift_us > (i + 1) * MOTICON_WALK_PERIOD_US)
			break;
	}
	return 0;
}

static void moticon_walk_header(FILE *f)
{
	fputs("# Start time: 21.11.2026 10:00:00.000\n# Sensor insoles: Left SN1, Right SN2\n# Size: 7\n"
	      "# Name: synthetic walk\n# time", f);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		for (int k = 1; k <= 16; k++)
			fprintf(f, "\t%s pressure %d[N/cm\xc2\xb2]", ins_foot_name(foot), k);
	fputs("\tright steps[]\tleft steps[]\n", f);
}

void test_write_moticon_walk(const char *path, int64_t end_us, int64_t shift_us)
{
	struct ins_layout *lay = test_load_shipped("moticon16");
	struct ins_synth_params p;
	struct ins_synth *s;
	uint16_t counts[16];
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "%s: cannot write", path);
	ins_synth_defaults(&p);
	s = test_synth_new(&p, lay);
	moticon_walk_header(f);
	for (long i = 0; i * MOTICON_WALK_PERIOD_US < end_us; i++) {
		fprintf(f, "%.2f", i * MOTICON_WALK_PERIOD_US / 1e6);
		for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
			struct ins_synth_frame fr;
			int64_t t_us;

			ins_synth_next(s, foot, counts, &t_us);
			ck_assert_int_eq(t_us, i * MOTICON_WALK_PERIOD_US); /* the model's times are the file's */
			ck_assert_int_eq(ins_synth_last_frame(s, foot, &fr), 0);
			for (unsigned k = 0; k < 16; k++)
				fprintf(f, "\t%.4f", fr.kpa[k] / 10.0); /* N/cm2 */
		}
		for (unsigned foot = INS_FOOT_COUNT; foot-- > 0;) {
			int code = moticon_walk_code(s, foot, i, shift_us);

			if (code)
				fprintf(f, "\t%d", code);
			else
				fputc('\t', f);
		}
		fputc('\n', f);
	}
	ck_assert_int_eq(fclose(f), 0);
	ins_synth_free(s);
	ins_layout_free(lay);
}
