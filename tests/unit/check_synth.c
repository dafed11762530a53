/* The synthetic insole: timing, force, distribution and determinism are
 * asserted against the model's definition (synth.h), not against itself. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "insoled/clock.h"
#include "insoled/protocol.h"
#include "insoled/synth.h"

#define FOOT_LENGTH_MM 260.0f
#define FOOT_WIDTH_MM 100.0f

/* ---- layouts built in memory ------------------------------------------ */

/* 16 sensors of a DIY-style insole, linear calibration 1 kPa/count over a
 * zero of 20 counts, 12-bit ADC. */
static const float sparse_xy[16][3] = {
	/* x, y, region */
	{ -12, 25, INS_REGION_HEEL },      { 12, 25, INS_REGION_HEEL },       { 0, 50, INS_REGION_HEEL },
	{ -25, 90, INS_REGION_MIDFOOT },   { -22, 120, INS_REGION_MIDFOOT },  { 15, 105, INS_REGION_MIDFOOT },
	{ 30, 175, INS_REGION_FOREFOOT },  { 10, 185, INS_REGION_FOREFOOT },  { -10, 182, INS_REGION_FOREFOOT },
	{ -30, 172, INS_REGION_FOREFOOT }, { 20, 200, INS_REGION_FOREFOOT },  { -20, 195, INS_REGION_FOREFOOT },
	{ 30, 230, INS_REGION_TOES },      { 5, 228, INS_REGION_TOES },       { -15, 222, INS_REGION_TOES },
	{ -30, 212, INS_REGION_TOES },
};

static const float foot_outline[][2] = {
	{ 0, 0 },     { 25, 10 },   { 32, 40 },   { 30, 90 },   { 38, 150 },  { 48, 190 },
	{ 42, 235 },  { 25, 260 },  { 0, 255 },   { -30, 235 }, { -50, 200 }, { -48, 150 },
	{ -40, 90 },  { -33, 40 },  { -25, 10 },
};
#define N_OUTLINE (sizeof(foot_outline) / sizeof(foot_outline[0]))

/* Even-odd rule, written independently of the model's own test. */
static int cell_in_outline(double x, double y)
{
	int in = 0;

	for (size_t i = 0, j = N_OUTLINE - 1; i < N_OUTLINE; j = i++) {
		double xi = foot_outline[i][0], yi = foot_outline[i][1];
		double xj = foot_outline[j][0], yj = foot_outline[j][1];
		if ((yi > y) != (yj > y) && x < xi + (y - yi) * (xj - xi) / (yj - yi))
			in = !in;
	}
	return in;
}

static struct ins_calib_curve linear_calib(void)
{
	struct ins_calib_curve c = { .kind = INS_CALIB_LINEAR, .zero = 20, .gain = 1.0, .saturation = 4095 };
	return c;
}

static struct ins_layout *layout_new(unsigned n)
{
	struct ins_layout *l = calloc(1, sizeof(*l));

	ck_assert_ptr_nonnull(l);
	l->sensors = calloc(n, sizeof(*l->sensors));
	ck_assert_ptr_nonnull(l->sensors);
	l->n_sensors = (uint16_t)n;
	l->foot_length_mm = FOOT_LENGTH_MM;
	l->foot_width_mm = FOOT_WIDTH_MM;
	l->forefoot_width_mm = FOOT_WIDTH_MM;
	return l;
}

static void layout_free(struct ins_layout *l)
{
	free(l->sensors);
	free(l->outline);
	free(l);
}

static struct ins_layout *sparse_layout(void)
{
	struct ins_layout *l = layout_new(16);

	snprintf(l->name, sizeof(l->name), "test16");
	for (unsigned i = 0; i < 16; i++) {
		l->sensors[i].x_mm = sparse_xy[i][0];
		l->sensors[i].y_mm = sparse_xy[i][1];
		l->sensors[i].area_mm2 = 200;
		l->sensors[i].region = (uint8_t)sparse_xy[i][2];
		l->sensors[i].side = sparse_xy[i][0] > 0 ? INS_SIDE_MEDIAL : INS_SIDE_LATERAL;
		l->sensors[i].calib = linear_calib();
	}
	return l;
}

/* A 12 x 27 grid of 9.6 x 9.7 mm cells over the outline, FSR power-law
 * calibration. */
#define GRID_W 12
#define GRID_H 27
static struct ins_layout *grid_layout(void)
{
	struct ins_layout *l = layout_new(GRID_W * GRID_H);
	float cw = 115.0f / GRID_W, ch = FOOT_LENGTH_MM / GRID_H;

	snprintf(l->name, sizeof(l->name), "testgrid");
	l->is_grid = 1;
	l->grid_w = GRID_W;
	l->grid_h = GRID_H;
	l->n_outline = N_OUTLINE;
	l->outline = calloc(N_OUTLINE, sizeof(*l->outline));
	ck_assert_ptr_nonnull(l->outline);
	memcpy(l->outline, foot_outline, sizeof(foot_outline));
	for (unsigned i = 0; i < GRID_W * GRID_H; i++) {
		struct ins_sensor *s = &l->sensors[i];
		s->x_mm = -55.0f + cw * ((float)(i % GRID_W) + 0.5f);
		s->y_mm = ch * ((float)(i / GRID_W) + 0.5f);
		s->area_mm2 = cw * ch;
		s->region = s->y_mm < 0.27f * FOOT_LENGTH_MM   ? INS_REGION_HEEL
			    : s->y_mm < 0.55f * FOOT_LENGTH_MM ? INS_REGION_MIDFOOT
			    : s->y_mm < 0.80f * FOOT_LENGTH_MM ? INS_REGION_FOREFOOT
							       : INS_REGION_TOES;
		s->side = s->x_mm > 0 ? INS_SIDE_MEDIAL : INS_SIDE_LATERAL;
		s->calib.kind = INS_CALIB_POWER;
		s->calib.zero = 5;
		s->calib.gain = 0.05;
		s->calib.exponent = 1.5;
		s->calib.saturation = 65535;
	}
	return l;
}

/* The analysis' forward direction, written out independently. */
static double counts_to_kpa(const struct ins_calib_curve *c, double counts)
{
	double x = counts - c->zero;
	unsigned i;

	switch (c->kind) {
	case INS_CALIB_LINEAR:
		return c->gain * x;
	case INS_CALIB_POWER:
		return x > 0 ? c->gain * pow(x, c->exponent) : 0.0;
	case INS_CALIB_TABLE:
		for (i = 0; i + 2 < c->n_points && x > c->table_counts[i + 1]; i++)
			;
		return c->table_kpa[i] + (x - c->table_counts[i]) * (c->table_kpa[i + 1] - c->table_kpa[i]) /
						 (c->table_counts[i + 1] - c->table_counts[i]);
	}
	return NAN;
}

static struct ins_synth *synth_new(const struct ins_synth_params *p, const struct ins_layout *l)
{
	char err[256] = "";
	struct ins_synth *s = ins_synth_new(p, l, err, sizeof(err));

	ck_assert_msg(s != NULL, "ins_synth_new: %s", err);
	return s;
}

/* ---- parameters -------------------------------------------------------- */

START_TEST(parse_sets_fields_over_defaults)
{
	struct ins_synth_params p;
	char err[256] = "";

	ins_synth_defaults(&p);
	ck_assert_double_eq(p.rate_hz, 100.0);
	ck_assert_double_eq(p.cadence_spm, 110.0);
	ck_assert_double_eq(p.body_weight_n, 700.0);
	ck_assert_int_eq(ins_synth_parse(&p, " cadence_spm = 120 ,strike=forefoot,seed=0x2a,noise=0.01,"
					     "arch_collapse=0.3,medial_shift=-0.5,asymmetry=0.1,"
					     "fatigue_per_min=0.02,body_weight_n=800,variability=0.02,",
					 err, sizeof(err)),
			 0);
	ck_assert_double_eq(p.cadence_spm, 120.0);
	ck_assert_int_eq(p.strike, INS_STRIKE_FOREFOOT);
	ck_assert_uint_eq(p.seed, 42);
	ck_assert_double_eq(p.noise, 0.01);
	ck_assert_double_eq(p.arch_collapse, 0.3);
	ck_assert_double_eq(p.medial_shift, -0.5);
	ck_assert_double_eq(p.asymmetry, 0.1);
	ck_assert_double_eq(p.fatigue_per_min, 0.02);
	ck_assert_double_eq(p.body_weight_n, 800.0);
	ck_assert_double_eq(p.variability, 0.02);
	ck_assert_int_eq(p.running, 0);
	ck_assert_int_eq(ins_synth_parse(&p, "", err, sizeof(err)), 0);
	ck_assert_int_eq(ins_synth_parse(&p, NULL, err, sizeof(err)), 0);
	ck_assert_double_eq(p.cadence_spm, 120.0);
}
END_TEST

START_TEST(parse_running_gets_running_cadence_unless_given)
{
	struct ins_synth_params p;
	char err[256] = "";

	ins_synth_defaults(&p);
	ck_assert_int_eq(ins_synth_parse(&p, "running=1", err, sizeof(err)), 0);
	ck_assert_int_eq(p.running, 1);
	ck_assert_double_eq(p.cadence_spm, 170.0);
	ins_synth_defaults(&p);
	ck_assert_int_eq(ins_synth_parse(&p, "cadence_spm=150,running=yes,duty_factor=0.3", err, sizeof(err)), 0);
	ck_assert_double_eq(p.cadence_spm, 150.0);
	ck_assert_double_eq(p.duty_factor, 0.3);
}
END_TEST

static const struct {
	const char *args;
	const char *must_contain;
} bad_args[] = {
	{ "cadence_spm=abc", "cadence_spm=abc" },
	{ "cadence_spm=", "cadence_spm: missing value" },
	{ "cadence_spm=1e3", "cadence_spm=1000: must be 20 to 300" },
	{ "foo=1", "unknown synth option 'foo'" },
	{ "arch_collapse=1.5", "arch_collapse=1.5: must be 0 to 1" },
	{ "strike=heel", "strike=heel: must be rearfoot, midfoot or forefoot" },
	{ "running=2", "running=2: must be 0 or 1" },
	{ "seed=-1", "seed=-1" },
	{ "noise=nan", "noise=nan" },
	{ "cadence_spm", "'cadence_spm': expected key=value" },
	{ "duty_factor=0.4", "duty_factor=0.4: must be above 0.5" },
	{ "running=1,duty_factor=0.6", "duty_factor=0.6: must be 0.2 to below 0.5" },
	{ "variability=0.1", "variability=0.1" },
	{ "rate_hz=0", "rate_hz=0" },
	{ "standing_s=-1", "standing_s=-1: must be 0 to 3600 s" },
};

START_TEST(parse_errors_name_key_and_value)
{
	struct ins_synth_params p, before;
	char err[256] = "";

	ins_synth_defaults(&p);
	before = p;
	ck_assert_int_eq(ins_synth_parse(&p, bad_args[_i].args, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, bad_args[_i].must_contain) != NULL, "'%s' gave '%s', expected '%s'",
		      bad_args[_i].args, err, bad_args[_i].must_contain);
	/* A failed parse leaves the parameters as they were. */
	ck_assert_int_eq(memcmp(&p, &before, sizeof(p)), 0);
}
END_TEST

START_TEST(new_rejects_bad_layouts)
{
	struct ins_synth_params p;
	struct ins_layout *l = sparse_layout();
	char err[256] = "";

	ins_synth_defaults(&p);
	l->sensors[3].calib.gain = 0;
	ck_assert_ptr_null(ins_synth_new(&p, l, err, sizeof(err)));
	ck_assert_str_eq(err, "layout 'test16' sensor 3: calibration gain: must be > 0, got 0");
	l->sensors[3].calib = linear_calib();
	l->sensors[5].area_mm2 = 0;
	ck_assert_ptr_null(ins_synth_new(&p, l, err, sizeof(err)));
	ck_assert_str_eq(err, "layout 'test16' sensor 5: area 0 mm2 must be positive");
	l->sensors[5].area_mm2 = 200;
	l->sensors[7].calib.kind = INS_CALIB_TABLE;
	l->sensors[7].calib.n_points = 3;
	l->sensors[7].calib.table_counts[0] = 0;
	l->sensors[7].calib.table_counts[1] = 100;
	l->sensors[7].calib.table_counts[2] = 100;
	l->sensors[7].calib.table_kpa[1] = 10;
	l->sensors[7].calib.table_kpa[2] = 20;
	ck_assert_ptr_null(ins_synth_new(&p, l, err, sizeof(err)));
	ck_assert_str_eq(err, "layout 'test16' sensor 7: calibration table: point 3: counts must increase (100 after 100)");
	l->sensors[7].calib = linear_calib();
	l->foot_length_mm = 0;
	ck_assert_ptr_null(ins_synth_new(&p, l, err, sizeof(err)));
	ck_assert_str_eq(err, "layout 'test16': foot_length_mm 0 must be positive");
	l->foot_length_mm = FOOT_LENGTH_MM;
	l->n_sensors = 0;
	ck_assert_ptr_null(ins_synth_new(&p, l, err, sizeof(err)));
	ck_assert_str_eq(err, "layout 'test16': 0 sensors, must be 1 to 4096");
	l->n_sensors = 16;
	p.medial_shift = 2;
	ck_assert_ptr_null(ins_synth_new(&p, l, err, sizeof(err)));
	ck_assert_str_eq(err, "synth option medial_shift=2: must be -1 to 1");
	layout_free(l);
}
END_TEST

/* ---- timing -------------------------------------------------------------- */

START_TEST(truth_follows_cadence_and_duty_factor)
{
	struct ins_synth_params p;
	struct ins_layout *l = sparse_layout();
	int64_t c, t;

	/* 120 steps/min: stride 1 s, left lands at 0.15 s, right at 0.65 s. */
	ins_synth_defaults(&p);
	p.cadence_spm = 120;
	struct ins_synth *s = synth_new(&p, l);
	for (unsigned k = 0; k < 50; k++) {
		ck_assert_int_eq(ins_synth_truth(s, INS_FOOT_LEFT, k, &c, &t), 0);
		ck_assert_int_eq(c, 150000 + 1000000 * (int64_t)k);
		ck_assert_int_eq(t, c + 600000);
		ck_assert_int_eq(ins_synth_truth(s, INS_FOOT_RIGHT, k, &c, &t), 0);
		ck_assert_int_eq(c, 650000 + 1000000 * (int64_t)k);
		ck_assert_int_eq(t, c + 600000);
	}
	ck_assert_int_eq(ins_synth_truth(s, 2, 0, &c, &t), -1);
	ins_synth_free(s);

	/* Running at 150 steps/min: stride 0.8 s, stance 36 % = 288 ms. */
	ck_assert_int_eq(ins_synth_parse(&p, "running=1,cadence_spm=150", NULL, 0), 0);
	s = synth_new(&p, l);
	ck_assert_int_eq(ins_synth_truth(s, INS_FOOT_LEFT, 3, &c, &t), 0);
	ck_assert_int_eq(c, 120000 + 3 * 800000);
	ck_assert_int_eq(t, c + 288000);
	ck_assert_int_eq(ins_synth_truth(s, INS_FOOT_RIGHT, 0, &c, &t), 0);
	ck_assert_int_eq(c, 520000);
	ck_assert_int_eq(t, 520000 + 288000);
	ins_synth_free(s);
	layout_free(l);
}
END_TEST

/* Frames carry force exactly inside the true stances: the first loaded
 * frame of each step is the first frame after its contact, the last one
 * the last frame before its toe-off, feet alternate L R L R. */
START_TEST(frames_are_loaded_exactly_during_true_stances)
{
	struct ins_synth_params p;
	struct ins_layout *l = sparse_layout();
	uint16_t counts[16];
	int prev_loaded[2] = { 0, 0 };
	unsigned contacts[2] = { 0, 0 }, both_loaded = 0;
	int last_contact_foot = INS_FOOT_RIGHT;

	ins_synth_defaults(&p);
	p.cadence_spm = 120;
	p.rate_hz = 100;
	struct ins_synth *s = synth_new(&p, l);
	for (unsigned i = 0; i < 1000; i++) {
		int loaded[2];
		for (unsigned f = 0; f < 2; f++) {
			struct ins_synth_frame fr;
			int64_t t, c, to;
			ins_synth_next(s, f, counts, &t);
			ck_assert_int_eq(t, (int64_t)i * 10000);
			ck_assert_int_eq(ins_synth_last_frame(s, f, &fr), 0);
			loaded[f] = fr.force_n > 0;
			ck_assert_int_eq(loaded[f], fr.in_stance);
			if (loaded[f] && !prev_loaded[f] && i > 0) {
				/* A new stance: its contact is within the last frame period. */
				ck_assert_int_eq(fr.step, (int)contacts[f]);
				ck_assert_int_eq(ins_synth_truth(s, f, contacts[f], &c, &to), 0);
				ck_assert_int_gt(t, c);
				ck_assert_int_le(t - 10000, c);
				ck_assert_int_ne((int)f, last_contact_foot);
				last_contact_foot = (int)f;
				contacts[f]++;
			}
			if (!loaded[f] && prev_loaded[f] && fr.step >= 0) {
				ck_assert_int_eq(ins_synth_truth(s, f, (unsigned)fr.step, &c, &to), 0);
				ck_assert_int_ge(t, to);
				ck_assert_int_lt(t - 10000, to);
			}
			prev_loaded[f] = loaded[f];
		}
		both_loaded += loaded[0] && loaded[1];
	}
	/* 10 s = 10 strides; per stride two double supports of 0.1 s whose
	 * open intervals hold 9 frames each. */
	ck_assert_uint_eq(contacts[0], 10);
	ck_assert_uint_eq(contacts[1], 10);
	ck_assert_uint_eq(both_loaded, 180);
	ins_synth_free(s);
	layout_free(l);
}
END_TEST

START_TEST(running_has_a_flight_phase)
{
	struct ins_synth_params p;
	struct ins_layout *l = sparse_layout();
	uint16_t counts[16];
	unsigned flight = 0, loaded_frames[2] = { 0, 0 };
	int64_t t;

	ins_synth_defaults(&p);
	ck_assert_int_eq(ins_synth_parse(&p, "running=1,cadence_spm=150,rate_hz=1000", NULL, 0), 0);
	struct ins_synth *s = synth_new(&p, l);
	for (unsigned i = 0; i < 8000; i++) {
		struct ins_synth_frame fl, fr;
		ins_synth_next(s, INS_FOOT_LEFT, counts, &t);
		ins_synth_next(s, INS_FOOT_RIGHT, counts, &t);
		ins_synth_last_frame(s, INS_FOOT_LEFT, &fl);
		ins_synth_last_frame(s, INS_FOOT_RIGHT, &fr);
		ck_assert_msg(!(fl.in_stance && fr.in_stance), "both feet loaded at %lld us", (long long)t);
		flight += !fl.in_stance && !fr.in_stance;
		loaded_frames[0] += fl.in_stance;
		loaded_frames[1] += fr.in_stance;
	}
	/* 8 s = 10 strides of 800 ms; each stance is open (288 ms) -> 287 frames
	 * at 1 kHz; flight is the rest of the 8000 frames. */
	ck_assert_uint_eq(loaded_frames[0], 10 * 287);
	ck_assert_uint_eq(loaded_frames[1], 10 * 287);
	ck_assert_uint_eq(flight, 8000 - 20 * 287);
	ins_synth_free(s);
	layout_free(l);
}
END_TEST

/* ---- force --------------------------------------------------------------- */

START_TEST(walking_force_curve_has_its_knots)
{
	struct ins_synth_params p;
	struct ins_layout *l = sparse_layout();
	struct ins_synth_step st;

	ins_synth_defaults(&p);
	p.cadence_spm = 120;
	p.asymmetry = 0.1;
	struct ins_synth *s = synth_new(&p, l);
	ck_assert_int_eq(ins_synth_step_truth(s, INS_FOOT_LEFT, 2, &st), 0);
	ck_assert_int_eq(st.contact_us, 2150000);
	ck_assert_int_eq(st.toe_off_us, 2750000);
	ck_assert_uint_eq(st.n_knots, 5);
	/* 1.15, 0.75, 1.10 BW at 25, 50, 75 % of the 600 ms stance. */
	ck_assert_double_eq_tol(st.knot_us[1], 2300000, 1e-6);
	ck_assert_double_eq_tol(st.knot_n[1], 805.0, 1e-9);
	ck_assert_double_eq_tol(st.knot_us[2], 2450000, 1e-6);
	ck_assert_double_eq_tol(st.knot_n[2], 525.0, 1e-9);
	ck_assert_double_eq_tol(st.knot_us[3], 2600000, 1e-6);
	ck_assert_double_eq_tol(st.knot_n[3], 770.0, 1e-9);
	ck_assert_double_eq_tol(st.peak_force_n, 805.0, 1e-9);
	for (unsigned i = 1; i < 4; i++)
		ck_assert_double_eq_tol(ins_synth_force(s, INS_FOOT_LEFT, (int64_t)st.knot_us[i]), st.knot_n[i],
					1e-9);
	/* Exact FTI: 0.6 s x BW x (1.15 x 0.25 x 2/pi + 0.95 x 0.25 + 0.925 x 0.25 + 1.1 x 0.25 x 2/pi). */
	double fti = 0.6 * 700 * (0.25 * (1.15 + 1.10) * M_2_PI + 0.25 * (0.95 + 0.925));
	ck_assert_double_eq_tol(st.fti_ns, fti, 1e-9);
	/* Numerical integral of the model agrees. */
	double sum = 0;
	for (int64_t t = st.contact_us; t < st.toe_off_us; t += 10)
		sum += ins_synth_force(s, INS_FOOT_LEFT, t) * 10e-6;
	ck_assert_double_eq_tol(sum, st.fti_ns, 1e-3);
	/* Loading rate: 20 % of the first peak is reached at asin(0.2) 2/pi of
	 * the 150 ms rise, 80 % at asin(0.8) 2/pi. */
	double t20 = st.contact_us + 150000 * asin(0.2) * M_2_PI, t80 = st.contact_us + 150000 * asin(0.8) * M_2_PI;
	ck_assert_double_eq_tol(ins_synth_force(s, INS_FOOT_LEFT, (int64_t)llround(t20)), 0.2 * 805, 0.01);
	ck_assert_double_eq_tol(ins_synth_force(s, INS_FOOT_LEFT, (int64_t)llround(t80)), 0.8 * 805, 0.01);
	ck_assert_double_eq_tol(st.loading_rate_ns, 0.6 * 805 / ((t80 - t20) * 1e-6), 1e-6);
	/* Right foot 10 % heavier. */
	ck_assert_int_eq(ins_synth_step_truth(s, INS_FOOT_RIGHT, 2, &st), 0);
	ck_assert_double_eq_tol(st.knot_n[1], 805.0 * 1.1, 1e-9);
	ck_assert_double_eq_tol(st.fti_ns, fti * 1.1, 1e-9);
	ins_synth_free(s);
	layout_free(l);
}
END_TEST

START_TEST(running_curves_by_strike)
{
	struct ins_synth_params p;
	struct ins_layout *l = sparse_layout();
	struct ins_synth_step st;

	ins_synth_defaults(&p);
	ck_assert_int_eq(ins_synth_parse(&p, "running=1,cadence_spm=150", NULL, 0), 0);
	struct ins_synth *s = synth_new(&p, l);
	ck_assert_int_eq(ins_synth_step_truth(s, INS_FOOT_LEFT, 0, &st), 0);
	ck_assert_uint_eq(st.n_knots, 5);
	ck_assert_double_eq_tol(st.knot_n[1], 1.6 * 700, 1e-9); /* impact transient */
	ck_assert_double_eq_tol(st.knot_us[1], 120000 + 0.12 * 288000, 1e-6);
	ck_assert_double_eq_tol(st.peak_force_n, 2.5 * 700, 1e-9);
	ck_assert_double_eq_tol(st.knot_us[3], 120000 + 0.45 * 288000, 1e-6);
	ins_synth_free(s);
	p.strike = INS_STRIKE_FOREFOOT;
	s = synth_new(&p, l);
	ck_assert_int_eq(ins_synth_step_truth(s, INS_FOOT_LEFT, 0, &st), 0);
	ck_assert_uint_eq(st.n_knots, 3);
	ck_assert_double_eq_tol(st.knot_n[1], 2.5 * 700, 1e-9);
	ck_assert_double_eq_tol(st.fti_ns, 2.5 * 700 * 0.288 * M_2_PI, 1e-9);
	ins_synth_free(s);
	layout_free(l);
}
END_TEST

/* Total force of the counts (through the forward calibration, no noise)
 * equals the model's force within half a count per sensor, and the exact
 * pressures sum to it. */
static void check_force_conservation(struct ins_layout *l, const char *args)
{
	struct ins_synth_params p;
	uint16_t *counts = calloc(l->n_sensors, sizeof(*counts));
	unsigned loaded = 0;
	int64_t t;

	ck_assert_ptr_nonnull(counts);
	ins_synth_defaults(&p);
	ck_assert_int_eq(ins_synth_parse(&p, args, NULL, 0), 0);
	struct ins_synth *s = synth_new(&p, l);
	for (unsigned i = 0; i < 600; i++) {
		for (unsigned f = 0; f < 2; f++) {
			struct ins_synth_frame fr;
			double exact = 0, from_counts = 0, bound = 0;
			ins_synth_next(s, f, counts, &t);
			ins_synth_last_frame(s, f, &fr);
			ck_assert_uint_eq(fr.n_saturated, 0);
			for (unsigned j = 0; j < l->n_sensors; j++) {
				const struct ins_sensor *sn = &l->sensors[j];
				double kpa = counts_to_kpa(&sn->calib, counts[j]);
				/* Arbitrary-unit layouts: force is the sum of the values. */
				double n_per_unit = l->arbitrary_units ? 1.0 : sn->area_mm2 / 1000.0;
				exact += fr.kpa[j] * n_per_unit;
				from_counts += kpa * n_per_unit;
				bound += (counts_to_kpa(&sn->calib, counts[j] + 0.5) -
					  counts_to_kpa(&sn->calib, counts[j] - 0.5)) * 0.5 * n_per_unit;
			}
			ck_assert_double_eq_tol(exact, fr.force_n, 1e-9 * (1 + fr.force_n));
			ck_assert_double_eq_tol(from_counts, fr.force_n, bound + 1e-9);
			ck_assert_double_eq_tol(fr.force_n, ins_synth_force(s, f, t), 1e-9);
			loaded += fr.force_n > 0;
		}
	}
	ck_assert_uint_gt(loaded, 300);
	ins_synth_free(s);
	free(counts);
}

START_TEST(counts_carry_the_model_force_sparse_linear)
{
	struct ins_layout *l = sparse_layout();
	check_force_conservation(l, "");
	check_force_conservation(l, "running=1,strike=forefoot,arch_collapse=1,medial_shift=1");
	layout_free(l);
}
END_TEST

START_TEST(counts_carry_the_model_force_grid_power)
{
	struct ins_layout *l = grid_layout();
	check_force_conservation(l, "running=1,body_weight_n=900");
	check_force_conservation(l, "strike=midfoot,medial_shift=-1,asymmetry=0.2");
	layout_free(l);
}
END_TEST

START_TEST(counts_carry_the_model_force_table_and_single_sensor)
{
	struct ins_layout *l = layout_new(1);
	struct ins_calib_curve *c = &l->sensors[0].calib;

	/* A footswitch-like single sensor under the midfoot with a 4-point table. */
	snprintf(l->name, sizeof(l->name), "one");
	l->sensors[0].x_mm = 0;
	l->sensors[0].y_mm = 130;
	l->sensors[0].area_mm2 = 5000;
	c->kind = INS_CALIB_TABLE;
	c->zero = 100;
	c->n_points = 4;
	c->saturation = 65535;
	const double tc[] = { 0, 500, 2000, 8000 }, tk[] = { 0, 20, 100, 250 };
	memcpy(c->table_counts, tc, sizeof(tc));
	memcpy(c->table_kpa, tk, sizeof(tk));
	check_force_conservation(l, "");
	check_force_conservation(l, "running=1");
	/* The inverse of the table, extrapolated beyond its last point. */
	ck_assert_double_eq_tol(ins_synth_kpa_to_counts(c, 20), 600, 1e-9);
	ck_assert_double_eq_tol(ins_synth_kpa_to_counts(c, 60), 100 + 1250, 1e-9);
	ck_assert_double_eq_tol(ins_synth_kpa_to_counts(c, 400), 100 + 14000, 1e-9);
	layout_free(l);
}
END_TEST

START_TEST(grid_cells_outside_the_foot_stay_unloaded)
{
	struct ins_layout *l = grid_layout();
	struct ins_synth_params p;
	uint16_t counts[GRID_W * GRID_H];
	unsigned ever_loaded = 0, inside = 0;
	int64_t t;
	int loaded[GRID_W * GRID_H] = { 0 };

	ins_synth_defaults(&p);
	p.arch_collapse = 1;
	p.medial_shift = 1;
	struct ins_synth *s = synth_new(&p, l);
	for (unsigned i = 0; i < 300; i++) {
		ins_synth_next(s, INS_FOOT_LEFT, counts, &t);
		for (unsigned j = 0; j < GRID_W * GRID_H; j++)
			loaded[j] |= counts[j] != 5;
	}
	for (unsigned j = 0; j < GRID_W * GRID_H; j++) {
		const struct ins_sensor *sn = &l->sensors[j];
		if (cell_in_outline(sn->x_mm, sn->y_mm))
			inside++;
		else
			ck_assert_msg(!loaded[j], "cell %u at (%g, %g) outside the foot loaded", j,
				      (double)sn->x_mm, (double)sn->y_mm);
		ever_loaded += (unsigned)loaded[j];
	}
	/* The stance's footprint of a flat foot covers most of the outline. */
	ck_assert_uint_eq(inside, 201); /* cells of the fixture whose centre is inside */
	ck_assert_uint_gt(ever_loaded, inside * 7 / 10);
	ins_synth_free(s);
	layout_free(l);
}
END_TEST

/* Every shipped layout: force kept through its own calibration, walking
 * without saturation, and the stance shares of a normal foot sensible. */
static const char *const shipped_layouts[] = { "fsr16", "gaitpdb8", "footswitch1", "moticon16", "grid60x21" };

START_TEST(shipped_layouts_carry_the_model_force)
{
	char err[512] = "";
	struct ins_layout *l = ins_layout_load_named(INS_TEST_SRCDIR "/layouts", shipped_layouts[_i], err, sizeof(err));

	ck_assert_msg(l != NULL, "%s", err);
	check_force_conservation(l, "");
	check_force_conservation(l, "strike=forefoot,body_weight_n=600,arch_collapse=1,medial_shift=-1");
	ins_layout_free(l);
}
END_TEST

/* ---- distribution ------------------------------------------------------- */

struct stance_shares {
	double region[INS_REGION_COUNT]; /* share of the force-time integral */
	double medial;                   /* medial share (toes excluded) */
	double cop_x_mean;               /* force-weighted mean CoP x */
	double first_cop_y[2];           /* CoP y at the first loaded frame of step 0 and 1 */
};

static void measure(struct ins_layout *l, const char *args, unsigned foot, struct stance_shares *out)
{
	struct ins_synth_params p;
	uint16_t *counts = calloc(l->n_sensors, sizeof(*counts));
	double region[INS_REGION_COUNT] = { 0 }, side[2] = { 0 }, total = 0, copx = 0;
	int prev = 0;
	unsigned starts = 0;
	int64_t t;

	ck_assert_ptr_nonnull(counts);
	memset(out, 0, sizeof(*out));
	ins_synth_defaults(&p);
	ck_assert_int_eq(ins_synth_parse(&p, args, NULL, 0), 0);
	struct ins_synth *s = synth_new(&p, l);
	for (unsigned i = 0; i < 1000; i++) {
		struct ins_synth_frame fr;
		ins_synth_next(s, foot, counts, &t);
		ins_synth_last_frame(s, foot, &fr);
		for (unsigned j = 0; j < l->n_sensors; j++) {
			double f = fr.kpa[j] * l->sensors[j].area_mm2 / 1000.0;
			region[l->sensors[j].region] += f;
			if (l->sensors[j].region != INS_REGION_TOES)
				side[l->sensors[j].side] += f;
			total += f;
		}
		if (fr.in_stance) {
			copx += fr.cop_x_mm * fr.force_n;
			if (!prev && starts < 2)
				out->first_cop_y[starts++] = fr.cop_y_mm;
		}
		prev = fr.in_stance;
	}
	for (unsigned r = 0; r < INS_REGION_COUNT; r++)
		out->region[r] = region[r] / total;
	out->medial = side[INS_SIDE_MEDIAL] / (side[0] + side[1]);
	out->cop_x_mean = copx / total;
	ins_synth_free(s);
	free(counts);
}

START_TEST(arch_collapse_loads_the_midfoot)
{
	struct ins_layout *layouts[2] = { sparse_layout(), grid_layout() };

	for (unsigned i = 0; i < 2; i++) {
		struct stance_shares normal, flat, half;
		measure(layouts[i], "arch_collapse=0", INS_FOOT_LEFT, &normal);
		measure(layouts[i], "arch_collapse=0.5", INS_FOOT_LEFT, &half);
		measure(layouts[i], "arch_collapse=1", INS_FOOT_LEFT, &flat);
		/* A normal arch carries under 12 % of the load on the midfoot, a
		 * fully collapsed one at least 10 points more. */
		ck_assert_msg(normal.region[INS_REGION_MIDFOOT] < 0.12, "%s: normal midfoot share %.3f",
			      layouts[i]->name, normal.region[INS_REGION_MIDFOOT]);
		ck_assert_msg(half.region[INS_REGION_MIDFOOT] > normal.region[INS_REGION_MIDFOOT] + 0.04,
			      "%s: midfoot share %.3f -> %.3f", layouts[i]->name, normal.region[INS_REGION_MIDFOOT],
			      half.region[INS_REGION_MIDFOOT]);
		ck_assert_msg(flat.region[INS_REGION_MIDFOOT] > half.region[INS_REGION_MIDFOOT] + 0.04,
			      "%s: midfoot share %.3f -> %.3f", layouts[i]->name, half.region[INS_REGION_MIDFOOT],
			      flat.region[INS_REGION_MIDFOOT]);
		ck_assert_msg(flat.region[INS_REGION_MIDFOOT] > normal.region[INS_REGION_MIDFOOT] + 0.10,
			      "%s: midfoot share %.3f -> %.3f", layouts[i]->name, normal.region[INS_REGION_MIDFOOT],
			      flat.region[INS_REGION_MIDFOOT]);
		layout_free(layouts[i]);
	}
}
END_TEST

START_TEST(medial_shift_moves_load_medially)
{
	struct ins_layout *layouts[2] = { sparse_layout(), grid_layout() };

	for (unsigned i = 0; i < 2; i++) {
		struct stance_shares lat, neutral, med;
		measure(layouts[i], "medial_shift=-1", INS_FOOT_RIGHT, &lat);
		measure(layouts[i], "medial_shift=0", INS_FOOT_RIGHT, &neutral);
		measure(layouts[i], "medial_shift=1", INS_FOOT_RIGHT, &med);
		ck_assert_msg(med.cop_x_mean > neutral.cop_x_mean + 5 && neutral.cop_x_mean > lat.cop_x_mean + 5,
			      "%s: CoP x %.1f %.1f %.1f mm", layouts[i]->name, lat.cop_x_mean, neutral.cop_x_mean,
			      med.cop_x_mean);
		ck_assert_msg(med.medial > neutral.medial + 0.1 && neutral.medial > lat.medial + 0.1,
			      "%s: medial share %.3f %.3f %.3f", layouts[i]->name, lat.medial, neutral.medial,
			      med.medial);
		layout_free(layouts[i]);
	}
}
END_TEST

/* Strike index = CoP at initial contact over foot length: rearfoot < 1/3,
 * midfoot 1/3..2/3, forefoot > 2/3 (Cavanagh & Lafortune 1980). */
START_TEST(strike_pattern_sets_the_first_centre_of_pressure)
{
	static const char *const args[3] = { "strike=rearfoot", "strike=midfoot", "strike=forefoot" };
	struct ins_layout *layouts[2] = { sparse_layout(), grid_layout() };

	for (unsigned i = 0; i < 2; i++) {
		for (unsigned k = 0; k < 3; k++) {
			for (unsigned run = 0; run < 2; run++) {
				char a[64];
				struct stance_shares sh;
				snprintf(a, sizeof(a), "%s,running=%u", args[k], run);
				measure(layouts[i], a, INS_FOOT_LEFT, &sh);
				for (unsigned j = 0; j < 2; j++) {
					double si = sh.first_cop_y[j] / FOOT_LENGTH_MM;
					ck_assert_msg(k == 0 ? si < 1.0 / 3 : k == 1 ? si > 1.0 / 3 && si < 2.0 / 3 : si > 2.0 / 3,
						      "%s %s: strike index %.3f", layouts[i]->name, a, si);
				}
			}
		}
		layout_free(layouts[i]);
	}
}
END_TEST

/* The CoP rolls from the heel to the hallux in a rearfoot stance. */
START_TEST(centre_of_pressure_rolls_forward)
{
	struct ins_layout *l = grid_layout();
	struct ins_synth_params p;
	uint16_t counts[GRID_W * GRID_H];
	double y_prev = -1, y_first = NAN, y_last = NAN;
	int64_t t;

	ins_synth_defaults(&p);
	p.cadence_spm = 120;
	p.rate_hz = 200;
	struct ins_synth *s = synth_new(&p, l);
	for (unsigned i = 0; i < 200; i++) { /* the first second: step 0 from 0.15 to 0.75 s */
		struct ins_synth_frame fr;
		ins_synth_next(s, INS_FOOT_LEFT, counts, &t);
		ins_synth_last_frame(s, INS_FOOT_LEFT, &fr);
		if (!fr.in_stance)
			continue;
		ck_assert_msg(fr.cop_y_mm >= y_prev - 1.0, "CoP went back from %.1f to %.1f mm at %lld us", y_prev,
			      fr.cop_y_mm, (long long)t);
		if (isnan(y_first))
			y_first = fr.cop_y_mm;
		y_last = y_prev = fr.cop_y_mm;
	}
	ck_assert_double_lt(y_first, 0.2 * FOOT_LENGTH_MM);
	ck_assert_double_gt(y_last, 0.8 * FOOT_LENGTH_MM);
	ins_synth_free(s);
	layout_free(l);
}
END_TEST

/* Quiet standing first: both feet carry half the body weight, mostly on the
 * heel, no step happens; then gait starts on the usual grid. */
START_TEST(standing_before_gait)
{
	struct ins_layout *l = sparse_layout();
	struct ins_synth_params p;
	uint16_t counts[16];
	int64_t t, c, to;

	ins_synth_defaults(&p);
	ck_assert_int_eq(ins_synth_parse(&p, "standing_s=2,cadence_spm=120,asymmetry=0.1", NULL, 0), 0);
	struct ins_synth *s = synth_new(&p, l);
	ck_assert_int_eq(ins_synth_truth(s, INS_FOOT_LEFT, 0, &c, &to), 0);
	ck_assert_int_eq(c, 2150000);
	ck_assert_int_eq(to, 2750000);
	ck_assert_int_eq(ins_synth_truth(s, INS_FOOT_RIGHT, 0, &c, &to), 0);
	ck_assert_int_eq(c, 2650000);
	for (unsigned i = 0; i < 300; i++) {
		for (unsigned f = 0; f < 2; f++) {
			struct ins_synth_frame fr;
			ins_synth_next(s, f, counts, &t);
			ins_synth_last_frame(s, f, &fr);
			if (t <= 1700000) {
				ck_assert_int_eq(fr.standing, 1);
				ck_assert_int_eq(fr.in_stance, 1);
				ck_assert_double_eq_tol(fr.force_n, f ? 385.0 : 350.0, 1e-9);
				ck_assert_double_lt(fr.cop_y_mm, 0.5 * FOOT_LENGTH_MM);
			} else if (t < 2000000) {
				/* The last 0.3 s shift the load towards gait's start. */
				ck_assert_int_eq(fr.standing, 1);
				ck_assert_double_eq_tol(fr.force_n, ins_synth_force(s, f, t), 1e-9);
				if (f == INS_FOOT_LEFT)
					ck_assert_double_lt(fr.force_n, 350.0);
				else
					ck_assert_double_gt(fr.force_n, 385.0);
			} else if (t < 2150000) {
				/* Gait begins: the left foot is in the air, the right
				 * one goes on from its stance that began at 1.65 s. */
				ck_assert_int_eq(fr.standing, 0);
				ck_assert_int_eq(fr.in_stance, (int)f);
				ck_assert_double_eq_tol(fr.force_n, ins_synth_force(s, f, t), 1e-9);
			}
		}
	}
	/* Nothing jumps when gait starts. */
	for (unsigned f = 0; f < 2; f++)
		ck_assert_double_eq_tol(ins_synth_force(s, f, 1999999), ins_synth_force(s, f, 2000000), 1e-6);
	ck_assert_double_eq(ins_synth_force(s, INS_FOOT_LEFT, 2000000), 0.0);
	ck_assert_double_eq(ins_synth_force(s, INS_FOOT_LEFT, 1700000), 350.0);
	ins_synth_free(s);
	check_force_conservation(l, "standing_s=3,arch_collapse=0.5");
	layout_free(l);
}
END_TEST

/* ---- drift, noise, saturation, determinism ------------------------------ */

START_TEST(fatigue_raises_arch_collapse_per_minute)
{
	struct ins_layout *l = sparse_layout();
	struct ins_synth_params p;
	struct ins_synth_step st;

	ins_synth_defaults(&p);
	p.cadence_spm = 120;
	p.arch_collapse = 0.1;
	p.fatigue_per_min = 0.3;
	struct ins_synth *s = synth_new(&p, l);
	/* Left step 60 lands at 60.15 s: 0.1 + 0.3 x 60.15 / 60. */
	ck_assert_int_eq(ins_synth_step_truth(s, INS_FOOT_LEFT, 60, &st), 0);
	ck_assert_double_eq_tol(st.arch_collapse, 0.1 + 0.3 * 60.15 / 60, 1e-12);
	ck_assert_int_eq(ins_synth_step_truth(s, INS_FOOT_LEFT, 0, &st), 0);
	ck_assert_double_eq_tol(st.arch_collapse, 0.1 + 0.3 * 0.15 / 60, 1e-12);
	/* Clamped at a fully collapsed arch. */
	ck_assert_int_eq(ins_synth_step_truth(s, INS_FOOT_RIGHT, 400, &st), 0);
	ck_assert_double_eq(st.arch_collapse, 1.0);
	ins_synth_free(s);
	layout_free(l);
}
END_TEST

START_TEST(noise_has_the_requested_amplitude)
{
	struct ins_layout *l = sparse_layout();
	struct ins_synth_params p;
	uint16_t counts[16];
	double sum = 0, sum2 = 0;
	unsigned n = 0;
	int64_t t;

	ins_synth_defaults(&p);
	p.noise = 0.002; /* 0.2 % of (4095 - 20) counts: SD 8.15 counts */
	struct ins_synth *s = synth_new(&p, l);
	for (unsigned i = 0; i < 4000; i++) {
		struct ins_synth_frame fr;
		ins_synth_next(s, INS_FOOT_LEFT, counts, &t);
		ins_synth_last_frame(s, INS_FOOT_LEFT, &fr);
		if (fr.in_stance)
			continue;
		for (unsigned j = 0; j < 16; j++) {
			double d = (double)counts[j] - 20.0;
			sum += d;
			sum2 += d * d;
			n++;
		}
	}
	double mean = sum / n, sd = sqrt(sum2 / n - mean * mean);
	ck_assert_uint_gt(n, 20000);
	ck_assert_double_lt(fabs(mean), 0.2);
	ck_assert_double_eq_tol(sd, 0.002 * 4075, 0.03 * 0.002 * 4075);
	ins_synth_free(s);
	layout_free(l);
}
END_TEST

START_TEST(saturation_clamps_and_counts)
{
	struct ins_layout *l = sparse_layout();
	struct ins_synth_params p;
	uint16_t counts[16];
	unsigned saturated_frames = 0;
	int64_t t;

	for (unsigned j = 0; j < 16; j++)
		l->sensors[j].calib.saturation = 1000; /* 980 kPa */
	ins_synth_defaults(&p);
	p.running = 1;
	p.body_weight_n = 1000;
	struct ins_synth *s = synth_new(&p, l);
	for (unsigned i = 0; i < 300; i++) {
		struct ins_synth_frame fr;
		unsigned at_sat = 0;
		ins_synth_next(s, INS_FOOT_LEFT, counts, &t);
		ins_synth_last_frame(s, INS_FOOT_LEFT, &fr);
		for (unsigned j = 0; j < 16; j++) {
			ck_assert_uint_le(counts[j], 1000);
			at_sat += counts[j] == 1000;
			ck_assert_int_eq(counts[j] == 1000, ins_synth_kpa_to_counts(&l->sensors[j].calib, fr.kpa[j]) >= 999.5);
		}
		ck_assert_uint_eq(fr.n_saturated, at_sat);
		saturated_frames += at_sat > 0;
	}
	ck_assert_uint_gt(saturated_frames, 10);
	ins_synth_free(s);
	layout_free(l);
}
END_TEST

static void run_frames(const char *args, const struct ins_layout *l, uint16_t *buf, unsigned frames)
{
	struct ins_synth_params p;
	int64_t t;

	ins_synth_defaults(&p);
	ck_assert_int_eq(ins_synth_parse(&p, args, NULL, 0), 0);
	struct ins_synth *s = synth_new(&p, l);
	for (unsigned i = 0; i < frames; i++)
		ins_synth_next(s, i % 2, buf + (size_t)i * l->n_sensors, &t);
	ins_synth_free(s);
}

START_TEST(same_seed_same_stream)
{
	struct ins_layout *l = sparse_layout();
	enum { FRAMES = 2000 };
	uint16_t *a = calloc(FRAMES * 16, sizeof(*a)), *b = calloc(FRAMES * 16, sizeof(*b));

	ck_assert(a && b);
	run_frames("seed=7,noise=0.01,variability=0.03", l, a, FRAMES);
	run_frames("seed=7,noise=0.01,variability=0.03", l, b, FRAMES);
	ck_assert_int_eq(memcmp(a, b, FRAMES * 16 * sizeof(*a)), 0);
	run_frames("seed=8,noise=0.01,variability=0.03", l, b, FRAMES);
	ck_assert_int_ne(memcmp(a, b, FRAMES * 16 * sizeof(*a)), 0);
	free(a);
	free(b);
	layout_free(l);
}
END_TEST

/* Variability: deviations stay within their caps, strides vary, and the
 * truth of a step does not depend on which frames were generated. */
START_TEST(variability_keeps_steps_ordered)
{
	struct ins_layout *l = sparse_layout();
	struct ins_synth_params p;
	double sum = 0, sum2 = 0;
	int64_t prev_contact = 0, c, t;

	ins_synth_defaults(&p);
	p.cadence_spm = 120;
	p.variability = 0.05;
	p.seed = 99;
	struct ins_synth *s = synth_new(&p, l);
	for (unsigned k = 0; k < 2000; k++) {
		int64_t lc, lt, rc, rt;
		ins_synth_truth(s, INS_FOOT_LEFT, k, &lc, &lt);
		ins_synth_truth(s, INS_FOOT_RIGHT, k, &rc, &rt);
		ck_assert_int_gt(lc, prev_contact);
		ck_assert_int_gt(rc, lc);
		ck_assert_int_lt(lt, 150000 + 1000000 * ((int64_t)k + 1) - 70000);
		ck_assert_int_le(llabs(lt - lc - 600000), 60000);
		if (k > 0) {
			double stride = (double)(lc - prev_contact);
			sum += stride;
			sum2 += stride * stride;
		}
		prev_contact = lc;
	}
	double mean = sum / 1999, cv = sqrt(sum2 / 1999 - mean * mean) / mean;
	ck_assert_double_eq_tol(mean, 1e6, 2e3);
	ck_assert_double_eq_tol(cv, 0.05, 0.006); /* truncation at 2 SD trims the spread a little */
	ins_synth_truth(s, INS_FOOT_LEFT, 7, &c, &t);
	uint16_t counts[16];
	int64_t tf;
	for (unsigned i = 0; i < 500; i++)
		ins_synth_next(s, INS_FOOT_LEFT, counts, &tf);
	int64_t c2, t2;
	ins_synth_truth(s, INS_FOOT_LEFT, 7, &c2, &t2);
	ck_assert_int_eq(c, c2);
	ck_assert_int_eq(t, t2);
	ins_synth_free(s);
	layout_free(l);
}
END_TEST

/* ---- insoled-emulator: the stream a parser sees, counted exactly --------- */

#define EMULATOR INS_TEST_BUILDDIR "/insoled-emulator"
/* Only a hang guard: far above any pause of a healthy emulator even on a
 * loaded 2-core CI machine, and below the test case's timeout so a hang
 * fails with a message. */
#define EMU_READ_TIMEOUT_MS 20000
#define EMU_TCASE_TIMEOUT_S 60
/* Binary frame of the 16-sensor fsr16 layout. */
#define FSR16_FRAME_BYTES 48

extern char **environ;

/* Starts the emulator on the shipped layouts with stdout and stderr on pipes. */
static pid_t spawn_emulator(const char *const *args, int *out_fd, int *err_fd)
{
	const char *fixed[] = { EMULATOR, "--layout-dir", INS_TEST_SRCDIR "/layouts" };
	char *argv[64];
	int out[2], err[2];
	size_t n = 0;
	posix_spawn_file_actions_t fa;
	pid_t pid;

	/* posix_spawn wants writable strings. */
	for (size_t i = 0; i < 3; i++)
		argv[n++] = strdup(fixed[i]);
	while (*args && n < 63)
		argv[n++] = strdup(*args++);
	argv[n] = NULL;
	ck_assert_int_eq(pipe(out), 0);
	ck_assert_int_eq(pipe(err), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, err[1], 2);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	posix_spawn_file_actions_addclose(&fa, err[0]);
	ck_assert_int_eq(posix_spawn(&pid, EMULATOR, &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	for (size_t i = 0; i < n; i++)
		free(argv[i]);
	close(out[1]);
	close(err[1]);
	*out_fd = out[0];
	*err_fd = err[0];
	return pid;
}

static uint8_t *read_all(int fd, size_t *len)
{
	size_t cap = 1 << 16;
	uint8_t *buf = malloc(cap);
	ssize_t r;

	ck_assert_ptr_nonnull(buf);
	*len = 0;
	while ((r = read(fd, buf + *len, cap - *len)) > 0 || (r < 0 && errno == EINTR)) {
		if (r < 0)
			continue;
		*len += (size_t)r;
		if (*len == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
	}
	buf[*len < cap ? *len : cap - 1] = 0;
	close(fd);
	return buf;
}

struct emu_run {
	uint8_t *out, *err;
	size_t out_len, err_len;
	int status;
};

/* Runs the emulator to its end; stdout and stderr are drained in turns so
 * neither pipe can fill up. */
static void run_emulator(const char *const *args, struct emu_run *r)
{
	int out, err;
	pid_t pid = spawn_emulator(args, &out, &err);

	r->out = read_all(out, &r->out_len);
	r->err = read_all(err, &r->err_len);
	ck_assert_int_eq(waitpid(pid, &r->status, 0), pid);
}

static void emu_run_free(struct emu_run *r)
{
	free(r->out);
	free(r->err);
}

static void stats_path(char *buf, size_t len, const char *what)
{
	snprintf(buf, len, INS_TEST_BUILDDIR "/tests/unit/synth-emu-%s-%ld.json", what, (long)getpid());
	unlink(buf);
}

static json_t *load_stats(const char *path)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);

	ck_assert_msg(j != NULL, "%s: %s", path, je.text);
	unlink(path);
	return j;
}

static uint64_t json_u64(const json_t *o, const char *path1, const char *path2)
{
	const json_t *v = json_object_get(o, path1);

	if (path2)
		v = json_object_get(v, path2);
	ck_assert_msg(json_is_integer(v), "stats: %s%s%s is not an integer", path1, path2 ? "." : "",
		      path2 ? path2 : "");
	return (uint64_t)json_integer_value(v);
}

struct parsed {
	struct ins_proto *p;
	unsigned frames[INS_FOOT_COUNT];
	uint32_t last_seq[INS_FOOT_COUNT];
};

static void parsed_init_foot(struct parsed *ps, unsigned n, int bare_foot)
{
	struct ins_proto_config cfg = { .max_n = n, .expected_n = n, .bare_foot = bare_foot };
	char err[200];

	memset(ps, 0, sizeof(*ps));
	ps->p = ins_proto_new(&cfg, err, sizeof(err));
	ck_assert_msg(ps->p != NULL, "%s", err);
}

static void parsed_init(struct parsed *ps, unsigned n)
{
	parsed_init_foot(ps, n, -1);
}

static void parsed_feed(struct parsed *ps, const uint8_t *buf, size_t len)
{
	struct ins_frame f;
	enum ins_proto_result r;

	while ((r = ins_proto_parse(ps->p, &buf, &len, &f)) != INS_PROTO_NEED_MORE) {
		if (r != INS_PROTO_FRAME)
			continue;
		ps->frames[f.foot]++;
		ps->last_seq[f.foot] = f.seq;
	}
}

/* Every parser counter equals the emulator's expectation; counters it does
 * not name must stay 0, and the parser saw every byte written. */
static void check_expectations(const json_t *stats, struct parsed *ps)
{
	const json_t *expect = json_object_get(stats, "expect");
	struct ins_proto_stats st;

	ck_assert_ptr_nonnull(expect);
	ins_proto_get_stats(ps->p, &st);
	ck_assert_uint_eq(st.bytes, json_u64(stats, "bytes_written", NULL));
	ck_assert_uint_eq(ins_proto_pending(ps->p), 0);
#define CHECK_COUNTER(name, what)                                                                        \
	if (strcmp(#name, "bytes") != 0 && strcmp(#name, "frames_binary") != 0 &&                        \
	    strcmp(#name, "frames_ascii") != 0) {                                                        \
		const json_t *v = json_object_get(expect, #name);                                        \
		uint64_t want = v ? (uint64_t)json_integer_value(v) : 0;                                 \
		ck_assert_msg(st.name == want, "parser counted %s = %llu, emulator expects %llu", #name, \
			      (unsigned long long)st.name, (unsigned long long)want);                    \
	}
	INS_PROTO_STATS(CHECK_COUNTER)
#undef CHECK_COUNTER
	ck_assert_uint_eq(ps->frames[0] + ps->frames[1], json_u64(stats, "expect", "frames"));
}

static void check_stream(const char *format, const char *extra1, const char *extra2)
{
	char sp[512];
	const char *args[32] = { "--stdout", "--speed", "0", "--frames", "3000", "--format", format, "--seed", "11",
				 "--garbage", "7", "--bad-crc", "6", "--drop", "5", "--duplicate", "4", "--split" };
	size_t n = 18;
	struct emu_run r;
	struct parsed ps;

	stats_path(sp, sizeof(sp), format);
	args[n++] = "--stats";
	args[n++] = sp;
	if (extra1)
		args[n++] = extra1;
	if (extra2)
		args[n++] = extra2;
	args[n] = NULL;
	run_emulator(args, &r);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "emulator failed: %s", r.err);
	json_t *stats = load_stats(sp);
	parsed_init(&ps, 16);
	/* Reads end anywhere: feed the bytes in chunks of 1 to 61 bytes. */
	for (size_t at = 0, k = 0; at < r.out_len; k++) {
		size_t chunk = 1 + (k * 37) % 61;
		if (chunk > r.out_len - at)
			chunk = r.out_len - at;
		parsed_feed(&ps, r.out + at, chunk);
		at += chunk;
	}
	check_expectations(stats, &ps);
	/* Each fault happened as often as asked. */
	ck_assert_uint_eq(json_u64(stats, "faults", "garbage"), 7);
	ck_assert_uint_eq(json_u64(stats, "faults", "bad_crc"), 6);
	ck_assert_uint_eq(json_u64(stats, "faults", "drop"), 5);
	ck_assert_uint_eq(json_u64(stats, "faults", "duplicate"), 4);
	ck_assert_uint_eq(json_u64(stats, "expect", "resyncs"), 7);
	ck_assert_uint_eq(json_u64(stats, "expect", "seq_gaps"), 11);
	ck_assert_uint_eq(json_u64(stats, "expect", "frames_lost"), 11);
	ck_assert_uint_eq(json_u64(stats, "expect", "duplicates"), 4);
	ck_assert_uint_eq(json_u64(stats, "expect", "frames"), 2 * 3000 - 11);
	ck_assert_uint_eq(json_u64(stats, "faults", "split_frames"), 2 * 3000 - 5 + 4);
	/* The last frame of each foot carries seq 2999. */
	ck_assert_uint_eq(ps.last_seq[0], 2999);
	ck_assert_uint_eq(ps.last_seq[1], 2999);
	ins_proto_free(ps.p);
	json_decref(stats);
	emu_run_free(&r);
}

START_TEST(emulator_binary_faults_are_counted_exactly)
{
	check_stream("binary", NULL, NULL);
}
END_TEST

START_TEST(emulator_ascii_faults_are_counted_exactly)
{
	check_stream("ascii", "--overlong", "3");
}
END_TEST

START_TEST(emulator_ascii_crlf_faults_are_counted_exactly)
{
	check_stream("ascii", "--crlf", NULL);
}
END_TEST

/* Bare lines "<t_ms>,<v1>,..." of a one-foot DIY board carry no seq: lost
 * frames are invisible, a repeated line is another frame, a corrupted line
 * is one bad line.  The ASCII clock (ms) wraps too. */
START_TEST(emulator_bare_lines_are_counted_exactly)
{
	char sp[512];
	const char *args[] = { "--stdout", "--speed", "0", "--frames", "2000", "--format", "ascii", "--bare", "--feet",
			       "right", "--garbage", "4", "--bad-crc", "5", "--drop", "6", "--duplicate", "7", "--split",
			       "--clock-start-us", "4294967000000", "--stats", sp, NULL };
	struct emu_run r;
	struct parsed ps;

	stats_path(sp, sizeof(sp), "bare");
	run_emulator(args, &r);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "emulator failed: %s", r.err);
	json_t *stats = load_stats(sp);
	parsed_init_foot(&ps, 16, INS_FOOT_RIGHT);
	parsed_feed(&ps, r.out, r.out_len);
	check_expectations(stats, &ps);
	ck_assert_uint_eq(ps.frames[INS_FOOT_RIGHT], 2000 - 6 - 5 + 7);
	ck_assert_uint_eq(json_u64(stats, "expect", "bad_lines"), 5);
	ck_assert_uint_eq(json_u64(stats, "expect", "clock_wraps"), 1);
	ck_assert_uint_eq(json_u64(stats, "expect", "seq_gaps"), 0);
	ck_assert_uint_eq(json_u64(stats, "expect", "duplicates"), 0);
	ins_proto_free(ps.p);
	json_decref(stats);
	emu_run_free(&r);
}
END_TEST

/* The stream carries the model: decoded frames equal ins_synth_next's. */
START_TEST(emulator_streams_the_model)
{
	const char *args[] = { "--stdout", "--speed", "0", "--frames", "600", "--layout", "fsr16", "--synth",
			       "running=1,arch_collapse=0.4,noise=0.01", "--seed", "3", "--clock-start-us", "4290000000",
			       NULL };
	char err[512];
	struct emu_run r;
	struct ins_synth_params p;
	struct ins_proto_config cfg = { .max_n = 16, .expected_n = 16, .bare_foot = -1 };
	struct ins_layout *l = ins_layout_load_named(INS_TEST_SRCDIR "/layouts", "fsr16", err, sizeof(err));
	struct ins_proto *pr = ins_proto_new(&cfg, err, sizeof(err));
	const uint8_t *buf;
	size_t len;
	struct ins_frame f;
	enum ins_proto_result res;
	unsigned frames = 0;

	ck_assert_msg(l && pr, "%s", err);
	run_emulator(args, &r);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "emulator failed: %s", r.err);
	ins_synth_defaults(&p);
	ck_assert_int_eq(ins_synth_parse(&p, "running=1,arch_collapse=0.4,noise=0.01,seed=3", NULL, 0), 0);
	struct ins_synth *s = synth_new(&p, l);
	buf = r.out;
	len = r.out_len;
	while ((res = ins_proto_parse(pr, &buf, &len, &f)) != INS_PROTO_NEED_MORE) {
		uint16_t want[16];
		int64_t t;
		ck_assert_int_eq(res, INS_PROTO_FRAME);
		ck_assert_uint_eq(f.foot, frames % 2);
		ck_assert_uint_eq(f.seq, frames / 2);
		ins_synth_next(s, f.foot, want, &t);
		ck_assert_uint_eq(f.t_dev, (uint32_t)(4290000000u + (uint64_t)t));
		ck_assert_int_eq(memcmp(f.values, want, sizeof(want)), 0);
		frames++;
	}
	ck_assert_uint_eq(frames, 1200);
	/* The device clock wrapped 4.97 s in, once per foot. */
	struct ins_proto_stats st;
	ins_proto_get_stats(pr, &st);
	ck_assert_uint_eq(st.clock_wraps, 2);
	ins_synth_free(s);
	ins_layout_free(l);
	ins_proto_free(pr);
	emu_run_free(&r);
}
END_TEST

START_TEST(emulator_same_seed_same_bytes)
{
	const char *a[] = { "--stdout", "--speed", "0", "--frames", "500", "--seed", "5", "--garbage", "3", "--drop",
			    "2", "--synth", "noise=0.02,variability=0.03", NULL };
	const char *b[] = { "--stdout", "--speed", "0", "--frames", "500", "--seed", "6", "--garbage", "3", "--drop",
			    "2", "--synth", "noise=0.02,variability=0.03", NULL };
	struct emu_run r1, r2, r3;

	run_emulator(a, &r1);
	run_emulator(a, &r2);
	run_emulator(b, &r3);
	ck_assert_uint_gt(r1.out_len, 40000);
	ck_assert_uint_eq(r1.out_len, r2.out_len);
	ck_assert_int_eq(memcmp(r1.out, r2.out, r1.out_len), 0);
	ck_assert(r3.out_len != r1.out_len || memcmp(r1.out, r3.out, r1.out_len) != 0);
	emu_run_free(&r1);
	emu_run_free(&r2);
	emu_run_free(&r3);
}
END_TEST

static const struct {
	const char *args[6];
	int exit_code;
	const char *must_contain;
} emulator_bad_args[] = {
	{ { "--feet", "middle" }, 2, "--feet middle: must be both, left or right" },
	{ { "--rate", "0" }, 2, "--rate 0: must be a number from 1 to 10000" },
	{ { "--format", "hex" }, 2, "--format hex: must be binary or ascii" },
	{ { "--frames", "10", "--duration", "1" }, 2, "--duration and --frames both given" },
	{ { "--unplug-after", "1" }, 2, "--unplug-after and --unplug-for go together" },
	{ { "--no-reader-wait", "-1" }, 2, "--no-reader-wait -1: must be a number from 0 to 3600" },
	{ { "--overlong", "1" }, 2, "--overlong injects ASCII lines: it needs --format ascii" },
	{ { "--format", "ascii", "--bare" }, 2, "--bare lines carry no foot: it needs --format ascii and --feet left or right" },
	{ { "--synth", "cadence_spm=abc" }, 1, "--synth: synth option cadence_spm=abc: not a number" },
	{ { "--layout", "nosuch" }, 1, "--layout nosuch:" },
	{ { "--stdout", "--frames", "20", "--drop", "10" }, 1, "10 faults do not fit in 20 frames" },
};

START_TEST(emulator_rejects_bad_options)
{
	const char *args[8] = { 0 };
	struct emu_run r;

	for (int i = 0; i < 6 && emulator_bad_args[_i].args[i]; i++)
		args[i] = emulator_bad_args[_i].args[i];
	run_emulator(args, &r);
	ck_assert(WIFEXITED(r.status));
	ck_assert_int_eq(WEXITSTATUS(r.status), emulator_bad_args[_i].exit_code);
	ck_assert_msg(strstr((char *)r.err, emulator_bad_args[_i].must_contain) != NULL, "stderr: %s", r.err);
	ck_assert_uint_eq(r.out_len, 0);
	emu_run_free(&r);
}
END_TEST

/* A line from the emulator's stdout (the pty paths). */
static int read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	while (n + 1 < len) {
		if (poll(&pfd, 1, EMU_READ_TIMEOUT_MS) <= 0 || read(fd, buf + n, 1) != 1)
			return -1;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
	return 0;
}

static int open_link(const char *link)
{
	for (int i = 0; i < EMU_READ_TIMEOUT_MS / 10; i++) {
		int fd = open(link, O_RDONLY | O_NOCTTY | O_NONBLOCK);
		if (fd >= 0)
			return fd;
		usleep(10000);
	}
	return -1;
}

/* Reads a pty until the emulator closes it (EIO), feeding the parser. */
static void read_pty_until_closed(int fd, struct parsed *ps)
{
	uint8_t buf[4096];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	for (;;) {
		ck_assert_msg(poll(&pfd, 1, EMU_READ_TIMEOUT_MS) > 0, "pty silent for %d ms", EMU_READ_TIMEOUT_MS);
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r > 0) {
			parsed_feed(ps, buf, (size_t)r);
			continue;
		}
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		break; /* EIO or 0: the master is gone */
	}
	close(fd);
}

START_TEST(emulator_unplug_replug_keeps_every_sent_frame)
{
	char sp[512], link[512], path1[128], path2[128], target[128];
	/* The wait for a reader (--no-reader-wait) is long so that a test process
	 * the scheduler leaves aside for seconds still finds its bytes. */
	const char *args[] = { "--speed", "1", "--frames", "150", "--unplug-after", "0.5", "--unplug-for", "0.3",
			       "--link", link, "--stats", sp, "--seed", "2", "--no-reader-wait", "20", NULL };
	int out, err, status;
	struct parsed ps;
	ssize_t n;

	stats_path(sp, sizeof(sp), "unplug");
	snprintf(link, sizeof(link), INS_TEST_BUILDDIR "/tests/unit/synth-emu-link-%ld", (long)getpid());
	pid_t pid = spawn_emulator(args, &out, &err);
	ck_assert_int_eq(read_line(out, path1, sizeof(path1)), 0);
	n = readlink(link, target, sizeof(target) - 1);
	ck_assert_int_gt(n, 0);
	target[n] = '\0';
	ck_assert_str_eq(target, path1);
	parsed_init(&ps, 16);
	int fd = open_link(link);
	ck_assert_int_ge(fd, 0);
	read_pty_until_closed(fd, &ps);
	/* Replugged: a new pty (the kernel may reuse the number), announced on
	 * stdout, the link moved to it. */
	ck_assert_int_eq(read_line(out, path2, sizeof(path2)), 0);
	ins_proto_reset_stream(ps.p, 0);
	fd = open_link(link);
	ck_assert_int_ge(fd, 0);
	read_pty_until_closed(fd, &ps);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(access(link, F_OK), -1); /* removed at exit */
	json_t *stats = load_stats(sp);
	check_expectations(stats, &ps);
	/* 0.3 s at 100 Hz lost per foot while unplugged. */
	ck_assert_uint_eq(json_u64(json_object_get(stats, "feet"), "left", "lost_unplugged"), 30);
	ck_assert_uint_eq(json_u64(json_object_get(stats, "feet"), "right", "lost_unplugged"), 30);
	ck_assert_uint_eq(ps.frames[0], 120);
	ck_assert_uint_eq(ps.frames[1], 120);
	ck_assert_uint_eq(json_u64(stats, "faults", "unplugs"), 1);
	ck_assert_uint_eq(json_array_size(json_object_get(stats, "ptys")), 2);
	json_decref(stats);
	ins_proto_free(ps.p);
	close(out);
	close(err);
}
END_TEST

/* Nobody reads for a while: the emulator neither dies nor spins nor loses
 * frames; a late reader gets the stream from its first frame. */
START_TEST(emulator_waits_for_a_late_reader)
{
	char sp[512], link[512], path[128];
	const char *args[] = { "--speed", "0", "--frames", "2000", "--link", link, "--stats", sp, NULL };
	int out, err, status;
	struct parsed ps;
	struct rusage ru;

	stats_path(sp, sizeof(sp), "late");
	snprintf(link, sizeof(link), INS_TEST_BUILDDIR "/tests/unit/synth-emu-late-%ld", (long)getpid());
	pid_t pid = spawn_emulator(args, &out, &err);
	ck_assert_int_eq(read_line(out, path, sizeof(path)), 0);
	usleep(500000);
	ck_assert_int_eq(waitpid(pid, &status, WNOHANG), 0); /* still there, blocked on the full pty */
	parsed_init(&ps, 16);
	int fd = open_link(link);
	ck_assert_int_ge(fd, 0);
	read_pty_until_closed(fd, &ps);
	ck_assert_int_eq(wait4(pid, &status, 0, &ru), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* Blocked, not spinning: well under the 0.5 s it waited. */
	ck_assert_int_lt(ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1000000 +
				 ru.ru_stime.tv_usec,
			 400000);
	json_t *stats = load_stats(sp);
	check_expectations(stats, &ps);
	ck_assert_uint_eq(ps.frames[0], 2000);
	ck_assert_uint_eq(ps.frames[1], 2000);
	json_decref(stats);
	ins_proto_free(ps.p);
	close(out);
	close(err);
}
END_TEST

/* A reader that holds the pty open but stops reading for longer than the
 * wait for an absent reader still gets every byte: the emulator does not
 * close a pty with bytes in flight to a reader that is attached.  The pty
 * cannot hold the run (96 kB), so the emulator reaches its final drain only
 * while this reader is attached. */
START_TEST(emulator_waits_for_an_attached_reader_that_stalls)
{
	char sp[512], link[512], path[128];
	const char *args[] = { "--speed", "0", "--frames", "1000", "--link", link, "--stats", sp, "--no-reader-wait", "0.3",
			       NULL };
	const size_t total = 2 * 1000 * FSR16_FRAME_BYTES, before_stall = total - 4000;
	uint8_t buf[4096];
	size_t got = 0;
	int out, err, status;
	struct parsed ps;

	stats_path(sp, sizeof(sp), "stall");
	snprintf(link, sizeof(link), INS_TEST_BUILDDIR "/tests/unit/synth-emu-stall-%ld", (long)getpid());
	pid_t pid = spawn_emulator(args, &out, &err);
	ck_assert_int_eq(read_line(out, path, sizeof(path)), 0);
	parsed_init(&ps, 16);
	int fd = open_link(link);
	ck_assert_int_ge(fd, 0);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	while (got < before_stall) {
		ck_assert_msg(poll(&pfd, 1, EMU_READ_TIMEOUT_MS) > 0, "pty silent for %d ms", EMU_READ_TIMEOUT_MS);
		ssize_t r = read(fd, buf, before_stall - got < sizeof(buf) ? before_stall - got : sizeof(buf));
		ck_assert_msg(r > 0 || (r < 0 && (errno == EAGAIN || errno == EINTR)), "pty closed after %zu bytes", got);
		if (r > 0) {
			parsed_feed(&ps, buf, (size_t)r);
			got += (size_t)r;
		}
	}
	usleep(1000000); /* attached, not reading: more than three times --no-reader-wait */
	read_pty_until_closed(fd, &ps);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	json_t *stats = load_stats(sp);
	ck_assert_uint_eq(json_u64(stats, "bytes_written", NULL), total);
	check_expectations(stats, &ps);
	ck_assert_uint_eq(ps.frames[0], 1000);
	ck_assert_uint_eq(ps.frames[1], 1000);
	json_decref(stats);
	ins_proto_free(ps.p);
	close(out);
	close(err);
}
END_TEST

/* Nobody ever opens the pty: the emulator waits --no-reader-wait at the
 * unplug and at the end, says how much nobody read, and finishes. */
START_TEST(emulator_closes_a_pty_nobody_opens_after_the_wait)
{
	char sp[512], want[256];
	const char *args[] = { "--speed", "0", "--frames", "100", "--unplug-after", "0.5", "--unplug-for", "0.1",
			       "--no-reader-wait", "0.3", "--stats", sp, NULL };
	char path1[128], path2[128];
	struct emu_run r;
	int64_t start = ins_mono_us();

	stats_path(sp, sizeof(sp), "noreader");
	run_emulator(args, &r);
	int64_t elapsed_us = ins_mono_us() - start;
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "emulator failed: %s", r.err);
	/* Two waits of 0.3 s and the 0.1 s outage: a lower bound, whatever the load. */
	ck_assert_int_ge(elapsed_us, 700000);
	ck_assert_int_eq(sscanf((char *)r.out, "%127s %127s", path1, path2), 2);
	snprintf(want, sizeof(want), "closing %s with at least ", path1);
	ck_assert_msg(strstr((char *)r.err, want) != NULL, "stderr: %s", r.err);
	const char *second = strstr((char *)r.err, want) + strlen(want);
	snprintf(want, sizeof(want), "closing %s with at least ", path2);
	ck_assert_msg(strstr(second, want) != NULL, "stderr: %s", r.err);
	json_t *stats = load_stats(sp);
	ck_assert(json_is_true(json_object_get(stats, "complete")));
	ck_assert_uint_eq(json_u64(stats, "faults", "unplugs"), 1);
	ck_assert_uint_eq(json_u64(json_object_get(stats, "feet"), "left", "frames_sent"), 90);
	ck_assert_uint_eq(json_u64(json_object_get(stats, "feet"), "left", "lost_unplugged"), 10);
	ck_assert_uint_eq(json_u64(stats, "bytes_written", NULL), 2 * 90 * FSR16_FRAME_BYTES);
	json_decref(stats);
	emu_run_free(&r);
}
END_TEST

START_TEST(emulator_sigterm_writes_stats)
{
	char sp[512], link[512], path[128];
	const char *args[] = { "--link", link, "--stats", sp, "--drop", "3", NULL };
	int out, err, status;

	stats_path(sp, sizeof(sp), "term");
	snprintf(link, sizeof(link), INS_TEST_BUILDDIR "/tests/unit/synth-emu-term-%ld", (long)getpid());
	pid_t pid = spawn_emulator(args, &out, &err);
	ck_assert_int_eq(read_line(out, path, sizeof(path)), 0);
	/* Take ten frames (five per foot) before stopping it. */
	int fd = open_link(link);
	uint8_t buf[10 * FSR16_FRAME_BYTES];
	size_t got = 0;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ck_assert_int_ge(fd, 0);
	while (got < sizeof(buf)) {
		ck_assert_int_gt(poll(&pfd, 1, EMU_READ_TIMEOUT_MS), 0);
		ssize_t r = read(fd, buf + got, sizeof(buf) - got);
		if (r > 0)
			got += (size_t)r;
	}
	kill(pid, SIGTERM);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(access(link, F_OK), -1);
	json_t *stats = load_stats(sp);
	ck_assert(json_is_false(json_object_get(stats, "complete")));
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(stats, "ptys"), 0)), path);
	ck_assert_uint_ge(json_u64(stats, "frames_per_foot", NULL), 5);
	json_decref(stats);
	close(fd);
	close(out);
	close(err);
}
END_TEST

/* `insoled-emulator --stdout | head`: the reader leaving ends the run cleanly. */
START_TEST(emulator_stdout_reader_leaving_ends_the_run)
{
	char sp[512];
	const char *args[] = { "--stdout", "--speed", "0", "--stats", sp, NULL };
	uint8_t buf[1000];
	size_t got = 0;
	int out, err, status;

	stats_path(sp, sizeof(sp), "epipe");
	pid_t pid = spawn_emulator(args, &out, &err);
	while (got < sizeof(buf)) {
		ssize_t r = read(out, buf + got, sizeof(buf) - got);
		ck_assert_int_gt(r, 0);
		got += (size_t)r;
	}
	ck_assert_uint_eq(buf[0], INS_PROTO_SYNC0);
	close(out);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	json_t *stats = load_stats(sp);
	ck_assert(json_is_false(json_object_get(stats, "complete")));
	json_decref(stats);
	close(err);
}
END_TEST

Suite *ins_suite_synth(void);
Suite *ins_suite_synth(void)
{
	Suite *s = suite_create("synth");
	TCase *tc = tcase_create("params");

	tcase_add_test(tc, parse_sets_fields_over_defaults);
	tcase_add_test(tc, parse_running_gets_running_cadence_unless_given);
	tcase_add_loop_test(tc, parse_errors_name_key_and_value, 0, (int)(sizeof(bad_args) / sizeof(bad_args[0])));
	tcase_add_test(tc, new_rejects_bad_layouts);
	suite_add_tcase(s, tc);

	tc = tcase_create("timing");
	tcase_add_test(tc, truth_follows_cadence_and_duty_factor);
	tcase_add_test(tc, frames_are_loaded_exactly_during_true_stances);
	tcase_add_test(tc, running_has_a_flight_phase);
	tcase_add_test(tc, variability_keeps_steps_ordered);
	tcase_add_test(tc, standing_before_gait);
	suite_add_tcase(s, tc);

	tc = tcase_create("force");
	tcase_add_test(tc, walking_force_curve_has_its_knots);
	tcase_add_test(tc, running_curves_by_strike);
	tcase_add_test(tc, counts_carry_the_model_force_sparse_linear);
	tcase_add_test(tc, counts_carry_the_model_force_grid_power);
	tcase_add_test(tc, counts_carry_the_model_force_table_and_single_sensor);
	tcase_add_test(tc, grid_cells_outside_the_foot_stay_unloaded);
	tcase_add_loop_test(tc, shipped_layouts_carry_the_model_force, 0,
			    (int)(sizeof(shipped_layouts) / sizeof(shipped_layouts[0])));
	tcase_add_test(tc, saturation_clamps_and_counts);
	suite_add_tcase(s, tc);

	tc = tcase_create("distribution");
	tcase_add_test(tc, arch_collapse_loads_the_midfoot);
	tcase_add_test(tc, medial_shift_moves_load_medially);
	tcase_add_test(tc, strike_pattern_sets_the_first_centre_of_pressure);
	tcase_add_test(tc, centre_of_pressure_rolls_forward);
	tcase_add_test(tc, fatigue_raises_arch_collapse_per_minute);
	suite_add_tcase(s, tc);

	tc = tcase_create("determinism");
	tcase_add_test(tc, noise_has_the_requested_amplitude);
	tcase_add_test(tc, same_seed_same_stream);
	suite_add_tcase(s, tc);

	tc = tcase_create("emulator");
	tcase_set_timeout(tc, EMU_TCASE_TIMEOUT_S);
	tcase_add_test(tc, emulator_binary_faults_are_counted_exactly);
	tcase_add_test(tc, emulator_ascii_faults_are_counted_exactly);
	tcase_add_test(tc, emulator_ascii_crlf_faults_are_counted_exactly);
	tcase_add_test(tc, emulator_bare_lines_are_counted_exactly);
	tcase_add_test(tc, emulator_streams_the_model);
	tcase_add_test(tc, emulator_same_seed_same_bytes);
	tcase_add_loop_test(tc, emulator_rejects_bad_options, 0,
			    (int)(sizeof(emulator_bad_args) / sizeof(emulator_bad_args[0])));
	tcase_add_test(tc, emulator_unplug_replug_keeps_every_sent_frame);
	tcase_add_test(tc, emulator_waits_for_a_late_reader);
	tcase_add_test(tc, emulator_waits_for_an_attached_reader_that_stalls);
	tcase_add_test(tc, emulator_closes_a_pty_nobody_opens_after_the_wait);
	tcase_add_test(tc, emulator_sigterm_writes_stats);
	tcase_add_test(tc, emulator_stdout_reader_leaving_ends_the_run);
	suite_add_tcase(s, tc);
	return s;
}
