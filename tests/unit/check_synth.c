/* The synthetic insole: timing, force, distribution and determinism are
 * asserted against the model's definition (synth.h), not against itself. */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insoled/synth.h"
#include "lib.h"

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
	struct ins_synth *s = test_synth_new(&p, l);
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
	s = test_synth_new(&p, l);
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
	struct ins_synth *s = test_synth_new(&p, l);
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
	struct ins_synth *s = test_synth_new(&p, l);
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
	struct ins_synth *s = test_synth_new(&p, l);
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
	struct ins_synth *s = test_synth_new(&p, l);
	ck_assert_int_eq(ins_synth_step_truth(s, INS_FOOT_LEFT, 0, &st), 0);
	ck_assert_uint_eq(st.n_knots, 5);
	ck_assert_double_eq_tol(st.knot_n[1], 1.6 * 700, 1e-9); /* impact transient */
	ck_assert_double_eq_tol(st.knot_us[1], 120000 + 0.12 * 288000, 1e-6);
	ck_assert_double_eq_tol(st.peak_force_n, 2.5 * 700, 1e-9);
	ck_assert_double_eq_tol(st.knot_us[3], 120000 + 0.45 * 288000, 1e-6);
	ins_synth_free(s);
	p.strike = INS_STRIKE_FOREFOOT;
	s = test_synth_new(&p, l);
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
/* Newtons of the model per raw unit: the body weight reads 10 % of the
 * sensors' summed range (synth.c, SYNTH_RAW_BW_SHARE). */
static double raw_newtons_per_unit(const struct ins_layout *l, double body_weight_n)
{
	double range = 0;

	for (unsigned j = 0; j < l->n_sensors; j++)
		range += l->sensors[j].calib.saturation - l->sensors[j].calib.zero;
	return body_weight_n / (0.10 * range);
}

static void check_force_conservation(struct ins_layout *l, const char *args)
{
	struct ins_synth_params p;
	uint16_t *counts = calloc(l->n_sensors, sizeof(*counts));
	unsigned loaded = 0;
	int64_t t;

	ck_assert_ptr_nonnull(counts);
	ins_synth_defaults(&p);
	ck_assert_int_eq(ins_synth_parse(&p, args, NULL, 0), 0);
	struct ins_synth *s = test_synth_new(&p, l);
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
				double n_per_unit = l->arbitrary_units ? raw_newtons_per_unit(l, p.body_weight_n)
								       : sn->area_mm2 / 1000.0;
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
	struct ins_synth *s = test_synth_new(&p, l);
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
	struct ins_layout *l = test_load_shipped(shipped_layouts[_i]);

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
	struct ins_synth *s = test_synth_new(&p, l);
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
	struct ins_synth *s = test_synth_new(&p, l);
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
	struct ins_synth *s = test_synth_new(&p, l);
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
	struct ins_synth *s = test_synth_new(&p, l);
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
	struct ins_synth *s = test_synth_new(&p, l);
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
	struct ins_synth *s = test_synth_new(&p, l);
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
	struct ins_synth *s = test_synth_new(&p, l);
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
	struct ins_synth *s = test_synth_new(&p, l);
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

	return s;
}
